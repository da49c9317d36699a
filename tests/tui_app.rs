//! The App driven headless by key events, as an operator would.

mod tui_fixture;

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use smsdesk::i18n::Lang;
use smsdesk::keymap::Keymap;
use smsdesk::sms::status::MessageKind;
use smsdesk::tui::{Tab, Theme};
use tui_fixture::*;

#[test]
fn number_and_letter_keys_switch_tabs() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    assert_eq!(app.tab(), Tab::Dashboard);
    let expected = [
        ('2', Tab::Settings),
        ('3', Tab::Templates),
        ('4', Tab::Automations),
        ('5', Tab::Users),
        ('6', Tab::Sent),
        ('7', Tab::Upcoming),
        ('8', Tab::Batch),
        ('9', Tab::Free),
        ('a', Tab::Agenda),
        ('c', Tab::Contacts),
        ('i', Tab::Inbox),
        ('1', Tab::Dashboard),
    ];
    for (k, tab) in expected {
        app.handle_key(key(k));
        assert_eq!(app.tab(), tab, "key {k}");
    }
    // The list really changes: Sent shows delivered messages, Upcoming the ones waiting.
    press(&mut app, "6");
    let sent = render(&mut app, 80, 24);
    assert!(
        sent.contains("delivered") && !sent.contains("waits for window"),
        "{sent}"
    );
    press(&mut app, "7");
    let upcoming = render(&mut app, 80, 24);
    assert!(
        upcoming.contains("waits for window") && !upcoming.contains("delivered"),
        "{upcoming}"
    );
}

#[test]
fn tab_and_backtab_cycle_through_every_tab_and_wrap() {
    let f = sample_store();
    let mut app = app(f.store, Lang::Fr);
    for expected in Tab::ALL.iter().skip(1).chain([Tab::Dashboard].iter()) {
        app.handle_key(code(KeyCode::Tab));
        assert_eq!(app.tab(), *expected);
    }
    app.handle_key(code(KeyCode::BackTab));
    assert_eq!(
        app.tab(),
        Tab::Inbox,
        "Shift-Tab from the first tab wraps to the last"
    );
    // Some terminals send Shift+Tab rather than BackTab.
    app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT));
    assert_eq!(app.tab(), Tab::Contacts);
}

/// 2,000 sent messages, one per minute; recipient `Person 0001` is the oldest.
fn big_store() -> Fixture {
    let f = empty_store();
    f.store.conn().execute_batch("BEGIN").unwrap();
    for i in 1..=2000 {
        let name = format!("Person {i:04}");
        add_message(
            &f.store,
            &Msg::instant(
                "+33612345678",
                &name,
                "Bonjour",
                now() - Duration::minutes(3000 - i),
                DELIVERED,
            ),
        );
    }
    f.store.conn().execute_batch("COMMIT").unwrap();
    f
}

/// A table row of a message list: it starts with a `dd/mm` date.
fn is_row(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 5 && b[0].is_ascii_digit() && b[1].is_ascii_digit() && b[2] == b'/'
}

fn visible_people(screen: &str) -> Vec<u32> {
    screen
        .lines()
        .filter_map(|l| l.split("Person ").nth(1))
        .filter_map(|rest| rest.get(..4)?.parse().ok())
        .collect()
}

#[test]
fn page_down_on_sent_walks_a_2000_row_list_to_its_end_by_keyset_pages() {
    let f = big_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "6");
    let first = visible_people(&render(&mut app, 80, 24));
    assert_eq!(first.first(), Some(&2000), "newest first");
    app.handle_key(code(KeyCode::PageDown));
    let second = visible_people(&render(&mut app, 80, 24));
    assert_ne!(first, second, "PageDown shows other rows");
    assert!(second.iter().all(|n| *n < 2000));

    let mut previous_min = u32::MAX;
    for _ in 0..400 {
        app.handle_key(code(KeyCode::PageDown));
        let shown = visible_people(&render(&mut app, 80, 24));
        let min = *shown.iter().min().unwrap();
        assert!(min <= previous_min, "rows only go older while paging down");
        previous_min = min;
        assert!(
            app.loaded_rows() <= 200,
            "only a window around the selection is held, not {}",
            app.loaded_rows()
        );
    }
    let end = render(&mut app, 80, 24);
    assert_eq!(
        visible_people(&end).last(),
        Some(&1),
        "the oldest message is reached:\n{end}"
    );
    assert!(end.contains("Person 0001"));

    // Home and End jump without walking.
    app.handle_key(code(KeyCode::Home));
    assert_eq!(
        visible_people(&render(&mut app, 80, 24)).first(),
        Some(&2000)
    );
    app.handle_key(code(KeyCode::End));
    let end = visible_people(&render(&mut app, 80, 24));
    assert_eq!(end.last(), Some(&1));
    assert_eq!(
        end.len(),
        19,
        "End shows a full screen of the last rows: {end:?}"
    );
    // And back up from the end, page by page, past the loaded window.
    for _ in 0..30 {
        app.handle_key(code(KeyCode::PageUp));
    }
    let up = visible_people(&render(&mut app, 80, 24));
    assert!(
        up.iter().all(|n| (300..=700).contains(n)),
        "30 pages up from the end: {up:?}"
    );
}

#[test]
fn help_opens_with_question_mark_and_closes_with_esc() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "?");
    assert!(app.has_popup());
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Key bindings"), "{screen}");
    assert!(screen.contains("next tab"));
    // Keys go to the popup: a tab key does not switch tabs behind it.
    press(&mut app, "6");
    assert_eq!(app.tab(), Tab::Dashboard);
    // This screen's keys first, then the global ones; scrolling reaches the last of them.
    assert!(screen.contains("Here: Dashboard"), "{screen}");
    app.handle_key(code(KeyCode::End));
    let bottom = render(&mut app, 80, 24);
    assert!(bottom.contains("my language"), "{bottom}");
    app.handle_key(code(KeyCode::Esc));
    assert!(!app.has_popup());
    assert!(!render(&mut app, 80, 24).contains("Key bindings"));
}

#[test]
fn q_quits_without_asking_when_nothing_is_unsaved() {
    let f = sample_store();
    let mut app = app(f.store, Lang::Fr);
    assert!(!app.should_quit());
    assert!(!app.has_unsaved());
    press(&mut app, "q");
    assert!(app.should_quit());
}

#[test]
fn a_remapped_key_works_and_its_hint_shows_in_the_footer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    std::fs::write(
        &path,
        "[[global]]\non = \"Ctrl-q\"\naction = \"quit\"\ndesc = \"leave\"\n\n\
         [[global]]\non = \"q\"\naction = \"help\"\ndesc = \"aide\"\n\n\
         [[list]]\non = \"n\"\naction = \"down\"\n",
    )
    .unwrap();
    let (keymap, problems) = Keymap::load(Some(&path));
    assert!(problems.is_empty(), "{problems:?}");
    let f = sample_store();
    let mut app = app_with_keymap(f.store, Lang::En, keymap);
    let screen = render(&mut app, 80, 24);
    let footer = screen.lines().last().unwrap();
    assert!(footer.contains("Ctrl-q leave"), "footer: {footer}");
    assert!(!footer.contains("q quit"), "footer: {footer}");

    // `q` now opens help; Ctrl-q quits.
    press(&mut app, "q");
    assert!(app.has_popup() && !app.should_quit());
    app.handle_key(code(KeyCode::Esc));
    app.handle_key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL));
    assert!(app.should_quit());
}

#[test]
fn remapped_list_key_moves_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    std::fs::write(
        &path,
        "[[list]]\non = \"n\"\naction = \"down\"\ndesc = \"next row\"\n",
    )
    .unwrap();
    let (keymap, _) = Keymap::load(Some(&path));
    let f = sample_store();
    let mut app = app_with_keymap(f.store, Lang::En, keymap);
    press(&mut app, "6");
    app.handle_key(code(KeyCode::Enter));
    let first = render(&mut app, 80, 24);
    app.handle_key(code(KeyCode::Esc));
    press(&mut app, "n");
    app.handle_key(code(KeyCode::Enter));
    let second = render(&mut app, 80, 24);
    assert!(first.contains("Message #1 "), "{first}");
    assert!(
        !second.contains("Message #1 "),
        "n moved to the next row:\n{second}"
    );
}

#[test]
fn bad_keymap_entries_are_shown_with_file_and_line_and_can_be_dismissed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keymap.toml");
    std::fs::write(&path, "[[global]]\non = \"q\"\naction = \"quit\"\n\n[[global]]\non = \"Hyper-z\"\naction = \"fly\"\n").unwrap();
    let (keymap, problems) = Keymap::load(Some(&path));
    assert_eq!(problems.len(), 1, "{problems:?}");
    let f = sample_store();
    let mut app = app_with_keymap(f.store, Lang::En, keymap);
    app.show_problems(problems.iter().map(ToString::to_string).collect());
    let screen = render(&mut app, 100, 24);
    assert!(screen.contains("Configuration problems"), "{screen}");
    assert!(
        screen.contains("keymap.toml:5:"),
        "file:line shown:\n{screen}"
    );
    app.handle_key(code(KeyCode::Esc));
    assert!(!app.has_popup());
}

#[test]
fn terminal_control_sequences_in_names_are_neutralised() {
    let f = sample_store();
    let mut app = app(f.store, Lang::Fr);
    for k in ['6', 'c', 'a'] {
        press(&mut app, &k.to_string());
        let screen = render(&mut app, 100, 24);
        assert!(!screen.contains('\u{1b}'), "raw ESC on screen in tab {k}");
        assert!(
            screen.contains("Evil\u{FFFD}[2J"),
            "the name is shown, neutralised, in tab {k}:\n{screen}"
        );
    }
    // And in the message detail.
    press(&mut app, "6");
    app.handle_key(code(KeyCode::End));
    app.handle_key(code(KeyCode::Enter));
    let detail = render(&mut app, 80, 24);
    assert!(!detail.contains('\u{1b}'));
    assert!(detail.contains("Texte \u{FFFD}[31mrouge"), "{detail}");
}

#[test]
fn enter_opens_the_detail_with_the_status_history() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "6");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 30);
    // The newest sent message is Élodie's reminder: pending, sending, submitted, delivered.
    assert!(screen.contains("Élodie Martin"), "{screen}");
    let history: Vec<&str> = screen
        .lines()
        .filter(|l| {
            l.contains("/2026 ")
                && (l.contains("not yet sent")
                    || l.contains("sending")
                    || l.contains("submitted")
                    || l.contains("delivered"))
        })
        .collect();
    assert_eq!(history.len(), 4, "{screen}");
    assert!(history[0].contains("not yet sent") && history[3].contains("delivered"));
    // Times are in Paris time: planned 29/03 06:00 UTC = 08:00 in Paris.
    assert!(screen.contains("29/03/2026 08:00:00"), "{screen}");
    assert!(screen.contains("Reply: OUI"), "{screen}");
    app.handle_key(code(KeyCode::Esc));
    assert!(!app.has_popup());
}

/// The status history says why in the reader's language: notes are codes with their values,
/// a provider's own words and recorded texts stay as written.
#[test]
fn the_status_history_is_written_in_the_readers_language() {
    use smsdesk::gateway::ProviderProblem;
    use smsdesk::sms::status::MessageStatus;
    use smsdesk::store::messages;
    use smsdesk::store::notes::StatusNote;
    let notes = [
        StatusNote::WillRetry {
            reason: ProviderProblem::Unavailable {
                provider: "Kannel".into(),
                status: 503,
                body: "queue full".into(),
            },
        },
        StatusNote::CancelledByOperator,
        StatusNote::Text {
            text: "written before".into(),
        },
    ];
    let screen = |lang| {
        let f = sample_store();
        let id: i64 = f
            .store
            .conn()
            .query_row(
                "SELECT id FROM messages WHERE listed_at IS NOT NULL ORDER BY listed_at DESC, id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let at = now() + Duration::minutes(1);
        for note in &notes {
            messages::add_history(
                f.store.db(),
                id,
                MessageStatus::Pending,
                at,
                "kannel",
                Some(note),
            )
            .unwrap();
        }
        let mut app = app(f.store, lang);
        press(&mut app, "6");
        app.handle_key(code(KeyCode::Enter));
        render(&mut app, 160, 40)
    };
    let fr = screen(Lang::Fr);
    assert!(
        fr.contains("nouvel essai prévu : Kannel est indisponible (HTTP 503 : queue full)"),
        "{fr}"
    );
    assert!(fr.contains("annulé par un opérateur"), "{fr}");
    assert!(fr.contains("(texte enregistré) written before"), "{fr}");
    let en = screen(Lang::En);
    assert!(
        en.contains("will retry: Kannel is unavailable (HTTP 503: queue full)"),
        "{en}"
    );
    assert!(en.contains("cancelled by an operator"), "{en}");
    assert!(en.contains("(recorded text) written before"), "{en}");
}

/// The provider's last problem on the dashboard is written in the reader's language.
#[test]
fn the_dashboard_says_the_providers_problem_in_the_readers_language() {
    let f = sample_store();
    let problem = smsdesk::gateway::ProviderProblem::CannotResolve {
        provider: "OVH".into(),
        host: "eu.api.ovh.com".into(),
    };
    smsdesk::store::stats::set_runtime(
        f.store.db(),
        "provider.health",
        &serde_json::to_string(&problem).unwrap(),
        now(),
    )
    .unwrap();
    let mut app = app(f.store, Lang::Fr);
    let screen = render(&mut app, 160, 24);
    assert!(
        screen.contains("✖ impossible de trouver l'hôte eu.api.ovh.com de OVH"),
        "{screen}"
    );
}

#[test]
fn the_filter_bar_takes_letters_as_text_and_filters_sent() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "6/");
    // Letters that are global tab keys are typed, not obeyed.
    press(&mut app, "karim");
    assert_eq!(app.tab(), Tab::Sent);
    assert!(render(&mut app, 80, 24).contains("/ karim"));
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    let rows: Vec<&str> = screen.lines().filter(|l| is_row(l)).collect();
    assert_eq!(rows.len(), 2, "{screen}");
    assert!(rows.iter().all(|l| l.contains("Karim Benali")));
    assert!(screen.contains("filter « karim »"));
    // Esc in the bar clears the filter.
    press(&mut app, "/");
    app.handle_key(code(KeyCode::Esc));
    let all = render(&mut app, 80, 24);
    assert_eq!(all.lines().filter(|l| is_row(l)).count(), 8, "{all}");
}

#[test]
fn contacts_search_finds_by_name() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "c/leroy");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("LEROY Jean") && !screen.contains("MARTIN"),
        "{screen}"
    );
}

#[test]
fn enter_on_a_batch_shows_its_messages_in_sent() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "8");
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(app.tab(), Tab::Sent);
    let screen = render(&mut app, 80, 24);
    let rows: Vec<&str> = screen.lines().filter(|l| is_row(l)).collect();
    assert_eq!(rows.len(), 3, "{screen}");
    // The status column is as wide as Upcoming's there ("not yet sent" rows too): the text
    // column is one narrower.
    assert!(rows.iter().all(|l| l.contains("Réunion jeud")), "{screen}");
}

#[test]
fn nothing_panics_at_tiny_or_odd_sizes() {
    let f = sample_store();
    let mut app = app(f.store, Lang::Fr);
    for tab in 0..12 {
        for (w, h) in [
            (20, 5),
            (1, 1),
            (0, 0),
            (5, 2),
            (80, 3),
            (200, 60),
            (40, 10),
        ] {
            let _ = render(&mut app, w, h);
        }
        app.handle_key(code(KeyCode::Tab));
        assert!(tab < 12);
    }
    press(&mut app, "?");
    for (w, h) in [(20, 5), (1, 1), (3, 3)] {
        let _ = render(&mut app, w, h);
    }
    app.handle_key(code(KeyCode::Esc));
    press(&mut app, "6");
    app.handle_key(code(KeyCode::Enter));
    for (w, h) in [(20, 5), (1, 1), (3, 3)] {
        let _ = render(&mut app, w, h);
    }
}

#[test]
fn columns_adapt_to_the_width() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "6");
    let wide = render(&mut app, 160, 24);
    assert!(
        wide.contains("Counsellor") && wide.contains("Context"),
        "{wide}"
    );
    let narrow = render(&mut app, 50, 24);
    assert!(!narrow.contains("Counsellor"));
    assert!(
        narrow.contains("Recipient") && narrow.contains("Status"),
        "{narrow}"
    );
}

#[test]
fn a_store_error_reaches_the_status_line_not_a_panic() {
    let f = sample_store();
    f.store.conn().execute_batch("DROP TABLE replies").unwrap();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "i");
    let message = app.status_message().unwrap_or_default().to_string();
    assert!(
        message.contains("Inbox") && message.contains("replies"),
        "{message}"
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("no such table: replies"), "{screen}");
}

#[test]
fn no_color_means_monochrome() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    app.set_theme(Theme::monochrome());
    for k in ['1', '6', '7', '4', 'i'] {
        press(&mut app, &k.to_string());
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|fr| app.draw(fr)).unwrap();
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            assert_eq!(cell.fg, Color::Reset, "a colour in tab {k}: {cell:?}");
            assert_eq!(cell.bg, Color::Reset, "a colour in tab {k}: {cell:?}");
        }
        // Still readable: the selection is marked by a modifier.
        if k == '6' {
            assert!(
                buffer
                    .content()
                    .iter()
                    .any(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED))
            );
        }
    }
}

#[test]
fn the_dashboard_shows_credit_queue_and_scheduler() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    let screen = render(&mut app, 80, 24);
    // 1,500 bought, 8 consumed.
    assert!(screen.contains("bought 1 500 · consumed 8"), "{screen}");
    assert!(screen.contains("3 message(s) queued · 3 SMS"));
    assert!(screen.contains("waiting for the window: 1"));
    assert!(screen.contains("tui:admin@desk:4242"));
    // Four delivered out of six with an outcome (4 delivered, 1 failed, 1 STOP).
    assert!(screen.contains("Delivery rate: 67 %"), "{screen}");
}

#[test]
fn the_dashboard_says_when_no_scheduler_runs_and_credit_is_short() {
    let f = sample_store();
    f.store
        .conn()
        .execute_batch("DELETE FROM scheduler_lease")
        .unwrap();
    // Queue more segments than the balance allows.
    f.store
        .conn()
        .execute("UPDATE messages SET segments = 1600 WHERE status = 'pending' AND id = (SELECT max(id) FROM messages)", [])
        .unwrap();
    smsdesk::store::stats::set_runtime(
        f.store.db(),
        "provider.health",
        "connection refused",
        now(),
    )
    .unwrap();
    let mut app = app(f.store, Lang::En);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("no scheduler"), "{screen}");
    assert!(
        screen.contains("Provider: Simulator · ✖ connection refused"),
        "{screen}"
    );
    assert!(screen.contains("not enough credit"), "{screen}");
}

// ----- Lists show what they claim: one batch's messages, new rows -----

/// The table's rows: under the tab bar, the title and the header, above the status line
/// and the footer.
fn table_rows(screen: &str) -> Vec<&str> {
    let lines: Vec<&str> = screen.lines().collect();
    lines[3..lines.len().saturating_sub(2).max(3)]
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// The table rows with `name` in them.
fn rows_with<'a>(screen: &'a str, name: &str) -> Vec<&'a str> {
    table_rows(screen)
        .into_iter()
        .filter(|l| l.contains(name))
        .collect()
}

/// A batch message to `name`, planned `planned`, going through `path`.
fn batch_message(
    store: &smsdesk::store::Store,
    batch: i64,
    name: &str,
    planned: chrono::DateTime<chrono::Utc>,
    path: &[smsdesk::sms::status::MessageStatus],
) {
    add_message(
        store,
        &Msg {
            kind: MessageKind::Batch,
            context: "batch",
            participant: None,
            event: None,
            batch: Some(batch),
            template: None,
            collaborator: None,
            phone: "+33611111111",
            name,
            text: "Relance avril. STOP au 36608",
            segments: 1,
            planned,
            path,
        },
    );
}

/// The sample store plus a batch queued for tomorrow 10:00, none of whose messages has left.
fn store_with_a_scheduled_batch() -> Fixture {
    let f = sample_store();
    f.store
        .conn()
        .execute(
            "INSERT INTO batches(kind, name, text, source, recipients, created_by, created_at)
             VALUES ('batch', 'Relance avril', 'Relance avril.', 'liste PLIE', 2, 'admin', ?1)",
            [(now() - Duration::hours(1)).timestamp()],
        )
        .unwrap();
    let id = f.store.conn().last_insert_rowid();
    for name in ["Anna Scheduled", "Bruno Scheduled"] {
        batch_message(&f.store, id, name, now() + Duration::days(1), &[]);
    }
    f
}

#[test]
fn a_scheduled_batch_opened_from_the_history_shows_its_messages() {
    let f = store_with_a_scheduled_batch();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "8");
    let history = render(&mut app, 80, 24);
    assert!(history.contains("Relance avril"), "{history}");
    app.handle_key(code(KeyCode::Enter));
    // None has left: they are in Upcoming, the one list that holds them (and cancels them).
    assert_eq!(app.tab(), Tab::Upcoming);
    let screen = render(&mut app, 80, 24);
    assert_eq!(rows_with(&screen, "Scheduled").len(), 2, "{screen}");
    assert_eq!(
        table_rows(&screen).len(),
        2,
        "only the batch's messages:\n{screen}"
    );
    assert!(
        screen.contains("Upcoming › batch « Relance avril » · not yet sent"),
        "the title names the batch:\n{screen}"
    );
    let footer = screen.lines().last().unwrap_or_default();
    assert!(
        footer.starts_with("Esc back to history"),
        "the way back comes first in the footer: {footer}"
    );
}

#[test]
fn a_partly_sent_batch_shows_sent_and_upcoming_messages_in_one_list() {
    let f = sample_store();
    // "Réunion avril" has three messages that left; one more waits for tomorrow.
    batch_message(&f.store, 1, "Sophie Moreau", now() + Duration::days(1), &[]);
    let mut app = app(f.store, Lang::Fr);
    press(&mut app, "8");
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(app.tab(), Tab::Sent);
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Envoyés › envoi groupé « Réunion avril » · tous ses messages"),
        "{screen}"
    );
    assert_eq!(table_rows(&screen).len(), 4, "{screen}");
    assert!(
        rows_with(&screen, "Sophie Moreau")
            .iter()
            .any(|l| l.contains("pas encore envoyé")),
        "the upcoming one is listed with its status:\n{screen}"
    );
    // Its export says what leaves: the batch, not all of Sent.
    press(&mut app, "e");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Exporter Envoyés › envoi groupé « Réunion avril » :"),
        "{screen}"
    );
}

#[test]
fn esc_leaves_the_batch_back_to_the_history_it_was_opened_from() {
    let f = store_with_a_scheduled_batch();
    let mut app = app(f.store, Lang::En);
    // Sent had a filter of its own: it is there again after the batch.
    press(&mut app, "6/karim");
    app.handle_key(code(KeyCode::Enter));
    press(&mut app, "8");
    app.handle_key(code(KeyCode::Down));
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(app.tab(), Tab::Sent);
    render(&mut app, 80, 24);
    app.handle_key(code(KeyCode::Esc));
    assert_eq!(
        app.tab(),
        Tab::Batch,
        "Esc goes back where the batch was opened"
    );
    press(&mut app, "6");
    let sent = render(&mut app, 80, 24);
    assert!(!sent.contains("Sent ›"), "the batch is left:\n{sent}");
    assert!(sent.contains("filter « karim »"), "{sent}");
    assert_eq!(rows_with(&sent, "Karim Benali").len(), 2, "{sent}");
    assert_eq!(table_rows(&sent).len(), 2, "{sent}");
    // Esc on a list not narrowed to a batch does nothing.
    app.handle_key(code(KeyCode::Esc));
    assert_eq!(app.tab(), Tab::Sent);

    // A free send opened from Free goes back to Free.
    press(&mut app, "9");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("free send « clients.xlsx »"),
        "the free send's source names it:\n{screen}"
    );
    app.handle_key(code(KeyCode::Esc));
    assert_eq!(app.tab(), Tab::Free);
}

#[test]
fn clearing_the_filter_of_a_batch_leaves_the_batch_named_until_esc() {
    let f = sample_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "8");
    app.handle_key(code(KeyCode::Enter));
    press(&mut app, "/karim");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert_eq!(table_rows(&screen).len(), 1, "{screen}");
    assert!(screen.contains("batch « Réunion avril »"), "{screen}");
    // Emptied and applied: every message of the batch again, the batch still named.
    press(&mut app, "/");
    for _ in 0.."karim".len() {
        app.handle_key(code(KeyCode::Backspace));
    }
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("filter «"), "{screen}");
    assert!(
        screen.contains("Sent › batch « Réunion avril » · all its messages"),
        "the batch shows in the title, not hidden:\n{screen}"
    );
    assert_eq!(table_rows(&screen).len(), 3, "{screen}");
    // Esc in the filter bar clears the filter only, and says nothing false.
    press(&mut app, "/k");
    app.handle_key(code(KeyCode::Esc));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("batch « Réunion avril »"), "{screen}");
    assert_eq!(table_rows(&screen).len(), 3, "{screen}");
    // The list's own Esc leaves the batch.
    app.handle_key(code(KeyCode::Esc));
    press(&mut app, "6");
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("Réunion avril »"), "{screen}");
    assert_eq!(table_rows(&screen).len(), 8, "{screen}");
}

/// A message another writer (the scheduler, `smsdesk send`) adds to the store meanwhile.
fn another_writer_adds(path: &std::path::Path, name: &str, minutes: i64, sent: bool) {
    let other = smsdesk::store::Store::open(path).unwrap();
    add_message(
        &other,
        &Msg::instant(
            "+33612345678",
            name,
            "Bonjour",
            now() + Duration::minutes(minutes),
            if sent { DELIVERED } else { &[] },
        ),
    );
}

#[test]
fn a_list_at_its_top_shows_the_rows_another_writer_adds() {
    let f = sample_store();
    let path = f.path();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "6");
    render(&mut app, 80, 24);
    another_writer_adds(&path, "Zoé Nouvelle", -5, true);
    app.on_tick();
    let screen = render(&mut app, 80, 24);
    let first = table_rows(&screen).first().copied().unwrap_or_default();
    assert!(first.contains("Zoé Nouvelle"), "{screen}");
    assert!(!screen.contains("↑"), "{screen}");

    // Upcoming too, through the global refresh key: a message due before the first one.
    press(&mut app, "7");
    app.handle_key(code(KeyCode::Down));
    render(&mut app, 80, 24);
    another_writer_adds(&path, "Yves Pressé", -30, false);
    app.handle_key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    let screen = render(&mut app, 80, 24);
    let first = table_rows(&screen).first().copied().unwrap_or_default();
    assert!(first.contains("Yves Pressé"), "{screen}");
}

#[test]
fn a_list_scrolled_down_says_how_many_rows_arrived_and_home_shows_them() {
    for (lang, new, show) in [
        (Lang::En, "3 new ↑", "Home show new"),
        (Lang::Fr, "3 nouveau(x) ↑", "Début voir les nouveaux"),
    ] {
        let f = big_store();
        let path = f.path();
        let mut app = app(f.store, lang);
        press(&mut app, "6");
        render(&mut app, 80, 24);
        app.handle_key(code(KeyCode::PageDown));
        let before = visible_people(&render(&mut app, 80, 24));
        for i in 0..3 {
            another_writer_adds(&path, &format!("Person {:04}", 9001 + i), i, true);
        }
        app.on_tick();
        let screen = render(&mut app, 80, 24);
        assert_eq!(
            visible_people(&screen),
            before,
            "the view stays on what the operator reads"
        );
        assert!(screen.contains(new), "{screen}");
        let footer = screen.lines().last().unwrap_or_default();
        assert!(footer.starts_with(show), "{footer}");
        app.handle_key(code(KeyCode::Home));
        let screen = render(&mut app, 80, 24);
        assert_eq!(
            visible_people(&screen)[..4],
            [9003, 9002, 9001, 2000],
            "{screen}"
        );
        assert!(!screen.contains(new), "{screen}");
    }
}

#[test]
fn upcoming_scrolled_down_counts_a_message_queued_above_the_view() {
    // A due message waiting for the window, then forty an hour apart.
    let f = empty_store();
    for h in std::iter::once(-1).chain(1..=40) {
        add_message(
            &f.store,
            &Msg::instant(
                "+33612345678",
                &format!("Person {:04}", 1000 + h),
                "Bonjour",
                now() + Duration::hours(h),
                &[],
            ),
        );
    }
    let path = f.path();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "7");
    render(&mut app, 80, 24);
    app.handle_key(code(KeyCode::PageDown));
    let before = visible_people(&render(&mut app, 80, 24));
    // Sent "now" by someone else: it leaves after the grace period, behind the due one.
    another_writer_adds(&path, "Person 0500", 1, false);
    app.on_tick();
    let screen = render(&mut app, 80, 24);
    assert_eq!(visible_people(&screen), before, "{screen}");
    assert!(screen.contains("1 new ↑"), "{screen}");
    app.handle_key(code(KeyCode::Home));
    let screen = render(&mut app, 80, 24);
    assert_eq!(visible_people(&screen)[..3], [999, 500, 1001], "{screen}");
    assert!(!screen.contains("new ↑"), "{screen}");
}

#[test]
fn a_large_batch_opened_from_the_history_is_read_page_by_page_to_its_last_message() {
    // 1,500 recipients: the first thousand messages left, the rest wait for tomorrow.
    let f = empty_store();
    f.store
        .conn()
        .execute(
            "INSERT INTO batches(kind, name, text, source, recipients, created_by, created_at)
             VALUES ('batch', 'Grand envoi', 'Bonjour.', 'liste', 1500, 'admin', ?1)",
            [(now() - Duration::days(1)).timestamp()],
        )
        .unwrap();
    f.store.conn().execute_batch("BEGIN").unwrap();
    for i in 1..=1500 {
        let (planned, path) = if i <= 1000 {
            (now() - Duration::days(1), DELIVERED)
        } else {
            (now() + Duration::days(1), &[][..])
        };
        batch_message(&f.store, 1, &format!("Person {i:04}"), planned, path);
    }
    f.store.conn().execute_batch("COMMIT").unwrap();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "8");
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(app.tab(), Tab::Sent);
    render(&mut app, 80, 24);
    for _ in 0..100 {
        app.handle_key(code(KeyCode::PageDown));
        render(&mut app, 80, 24);
        assert!(
            app.loaded_rows() <= 200,
            "only a window is held, not {}",
            app.loaded_rows()
        );
    }
    let end = render(&mut app, 80, 24);
    assert_eq!(visible_people(&end).last(), Some(&1500), "{end}");
    assert!(end.contains("not yet sent"), "{end}");
    app.handle_key(code(KeyCode::Home));
    let first = visible_people(&render(&mut app, 80, 24));
    assert_eq!(first.first(), Some(&1), "in the order they were queued");
    app.handle_key(code(KeyCode::End));
    assert_eq!(
        visible_people(&render(&mut app, 80, 24)).last(),
        Some(&1500)
    );
}

#[test]
fn drawing_reads_the_app_through_a_shared_reference() {
    // Every tab, the help window and a form with its composer: once laid out, the app paints
    // through `&App`, the same screen each time, and the same as `draw` (layout, then paint).
    for keys in [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "c", "i", "6?", "9n",
    ] {
        let f = sample_store();
        let mut app = app(f.store, Lang::En);
        press(&mut app, keys);
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal.draw(|fr| app.draw(fr)).unwrap();
        let drawn = terminal.backend().buffer().clone();
        let shared: &smsdesk::tui::App = &app;
        for _ in 0..2 {
            let mut again = Terminal::new(TestBackend::new(100, 30)).unwrap();
            again.draw(|fr| shared.paint(fr)).unwrap();
            assert_eq!(again.backend().buffer(), &drawn, "keys {keys}");
        }
    }
}
