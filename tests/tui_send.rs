//! The sending side of the TUI driven headless, as an operator would: Upcoming selection,
//! cancel after a confirmation, time edits, and the filter bar of Sent / Upcoming.

mod tui_fixture;

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::i18n::Lang;
use smsdesk::sms::status::MessageStatus;
use smsdesk::store::Store;
use tui_fixture::*;

/// Five instant messages waiting, one per hour from tomorrow (Tuesday 31 March) 10:00 Paris,
/// to Anna 1 … Anna 5; plus a delivered and a failed one in Sent.
fn store_with_queue() -> Fixture {
    let f = empty_store();
    add_anna_queue(&f.store);
    for (name, path) in [
        ("Bob Delivered", DELIVERED),
        (
            "Carl Failed",
            &[MessageStatus::Sending, MessageStatus::Failed][..],
        ),
    ] {
        add_message(
            &f.store,
            &Msg::instant(
                "+33698765432",
                name,
                "Bonjour",
                now() - Duration::hours(2),
                path,
            ),
        );
    }
    f
}

/// Statuses by recipient name, read through a second connection on the same file.
fn statuses(f: &Fixture) -> Vec<(String, String)> {
    let store = Store::open(&f.path()).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT recipient_name, status FROM messages ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The line above the table: title, filter, selection count.
fn info_line(screen: &str) -> String {
    screen.lines().nth(1).unwrap_or_default().to_string()
}

fn status_of(f: &Fixture, name: &str) -> String {
    statuses(f)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
        .unwrap()
}

#[test]
fn three_selected_upcoming_messages_are_cancelled_after_a_confirmation_saying_three() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "7");
    // Space picks the row and moves down: rows 1, 2, 3.
    press(&mut app, "   ");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("3 selected"), "{screen}");
    press(&mut app, "x");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Cancel 3 message(s) not yet sent?"),
        "{screen}"
    );
    // Nothing happened yet.
    assert_eq!(status_of(&f, "Anna 1"), "pending");
    press(&mut app, "y");
    assert!(!app.has_popup());
    assert_eq!(app.status_message(), Some("3 message(s) cancelled"));
    for (name, want) in [
        ("Anna 1", "cancelled"),
        ("Anna 2", "cancelled"),
        ("Anna 3", "cancelled"),
        ("Anna 4", "pending"),
        ("Anna 5", "pending"),
    ] {
        assert_eq!(status_of(&f, name), want, "{name}");
    }
    // The list shows what is left, and the selection is gone.
    let screen = render(&mut app, 80, 24);
    assert!(
        !screen.contains("Anna 1") && screen.contains("Anna 4"),
        "{screen}"
    );
    assert!(!info_line(&screen).contains("selected"), "{screen}");
}

#[test]
fn saying_no_cancels_nothing_and_keeps_the_selection() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "7  xn");
    assert!(!app.has_popup());
    assert!(statuses(&f).iter().filter(|(_, s)| s == "pending").count() == 5);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("2 sélectionné(s)"), "{screen}");
    // Esc answers no as well.
    press(&mut app, "x");
    assert!(render(&mut app, 80, 24).contains("Annuler 2 message(s)"));
    app.handle_key(code(KeyCode::Esc));
    assert!(!app.has_popup());
    assert!(statuses(&f).iter().filter(|(_, s)| s == "pending").count() == 5);
}

#[test]
fn without_a_selection_x_names_the_row_under_the_cursor_and_only_y_cancels_it() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "7j");
    press(&mut app, "x");
    // The one message that would go: recipient, time and the start of its text.
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Cancel the message to Anna 2"), "{screen}");
    assert!(screen.contains("“Bonjour"), "{screen}");
    assert!(screen.contains("[ Keep it ]"), "{screen}");
    // Enter is the safe answer.
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup());
    assert_eq!(status_of(&f, "Anna 2"), "pending");
    press(&mut app, "xy");
    assert_eq!(status_of(&f, "Anna 2"), "cancelled");
    assert_eq!(status_of(&f, "Anna 1"), "pending");
}

#[test]
fn enter_after_select_all_and_x_cancels_nothing() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "7Ax");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Annuler 5 message(s)"), "{screen}");
    assert!(screen.contains("[ Les garder ]"), "{screen}");
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup());
    assert_eq!(
        statuses(&f).iter().filter(|(_, s)| s == "pending").count(),
        5
    );
    // Moving to "cancel them" and Enter, or `o`, cancels.
    press(&mut app, "x");
    app.handle_key(code(KeyCode::Right));
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(
        statuses(&f).iter().filter(|(_, s)| s == "pending").count(),
        0
    );
}

#[test]
fn select_all_takes_everything_the_filter_shows_and_only_that() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "7/");
    // All five leave tomorrow and are named Anna.
    press(&mut app, "Anna period:31/03/2026");
    app.handle_key(code(KeyCode::Enter));
    press(&mut app, "A");
    assert!(render(&mut app, 80, 24).contains("5 selected"));
    // A narrower filter forgets the selection; select all again takes only what is shown.
    press(&mut app, "/");
    for _ in 0..40 {
        app.handle_key(code(KeyCode::Backspace));
    }
    press(&mut app, "\"Anna 4\"");
    app.handle_key(code(KeyCode::Enter));
    press(&mut app, "A");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("1 selected"), "{screen}");
    // Pressed again: unselects.
    press(&mut app, "A");
    assert!(!info_line(&render(&mut app, 80, 24)).contains("selected"));
    press(&mut app, "Axy");
    assert_eq!(status_of(&f, "Anna 4"), "cancelled");
    assert_eq!(
        statuses(&f)
            .iter()
            .filter(|(_, s)| s == "cancelled")
            .count(),
        1
    );
}

#[test]
fn the_status_filter_of_sent_takes_french_or_english_names() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "6/statut:échec");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Carl Failed") && !screen.contains("Bob Delivered"),
        "{screen}"
    );
    press(&mut app, "/");
    for _ in 0..20 {
        app.handle_key(code(KeyCode::Backspace));
    }
    press(&mut app, "status:delivered,failed");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Carl Failed") && screen.contains("Bob Delivered"),
        "{screen}"
    );
}

#[test]
fn a_filter_term_not_understood_says_which_and_leaves_the_list_alone() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "6/status:lost");
    app.handle_key(code(KeyCode::Enter));
    let msg = app.status_message().unwrap_or_default().to_string();
    assert!(msg.contains("status:lost"), "{msg}");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Carl Failed") && screen.contains("Bob Delivered"),
        "{screen}"
    );
}

#[test]
fn moving_a_message_checks_the_window_and_keeps_the_window_open_on_a_refusal() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "7m");
    let screen = render(&mut app, 80, 24);
    // Prefilled with the planned local time.
    assert!(screen.contains("31/03/2026 10:00"), "{screen}");
    for _ in 0..20 {
        app.handle_key(code(KeyCode::Backspace));
    }
    // 23:30 is outside any sending window: refused, the window stays open with the reason.
    press(&mut app, "31/03/2026 23:30");
    app.handle_key(code(KeyCode::Enter));
    assert!(app.has_popup(), "a refused time keeps the window open");
    assert!(render(&mut app, 80, 24).contains('✖'));
    for _ in 0..5 {
        app.handle_key(code(KeyCode::Backspace));
    }
    press(&mut app, "15:00");
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup());
    let store = Store::open(&f.path()).unwrap();
    let planned: i64 = store
        .conn()
        .query_row(
            "SELECT planned_at FROM messages WHERE recipient_name = 'Anna 1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        planned,
        Utc.with_ymd_and_hms(2026, 3, 31, 13, 0, 0)
            .unwrap()
            .timestamp(),
        "15:00 Paris summer time"
    );
    assert!(
        app.status_message()
            .unwrap_or_default()
            .contains("31/03 15:00")
    );
}

#[test]
fn in_french_a_move_says_its_refusals_and_its_result_in_french() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "7m");
    app.handle_key(ctrl('u'));
    press(&mut app, "demain");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("« demain » n'est pas une date"), "{screen}");
    // The rules' refusal (English in the core) is shown in French.
    app.handle_key(ctrl('u'));
    press(&mut app, "31/03/2026 23:30");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("hors de la plage d'envoi"), "{screen}");
    assert!(!screen.contains("outside"), "{screen}");
    app.handle_key(ctrl('u'));
    press(&mut app, "31/03/2026 15:00");
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup());
    let status = app.status_message().unwrap_or_default().to_string();
    assert!(
        status.starts_with("le message #") && status.contains("part maintenant le 31/03 15:00"),
        "{status}"
    );
}

/// One participant (Élodie Martin, consenting, mobile) with an interview on Friday 3 April
/// 2026 at 14:00 Paris, no reminder; an active interview template.
fn store_with_event() -> Fixture {
    elodie_with_interview(&[(
        "Rappel RDV",
        "interview",
        "Bonjour {{participant.first_name}}, RDV {{event.type}} le {{event.datetime}}.",
    )])
}

#[test]
fn the_text_of_one_upcoming_message_is_rewritten_in_the_composer_and_rechecked() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "7");
    press(&mut app, "w");
    assert!(app.is_editing());
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Text of message #"), "{screen}");
    assert!(screen.contains("Anna 1"), "{screen}");
    // The composer holds the current text and counts what is typed.
    app.handle_key(code(KeyCode::End));
    press(&mut app, ", RDV à 14h");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Bonjour, RDV à 14h"), "{screen}");
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 80, 24));
    assert!(
        app.status_message()
            .is_some_and(|m| m.contains("new text saved") && m.contains("1 SMS")),
        "{:?}",
        app.status_message()
    );
    let text: String = f
        .store
        .conn()
        .query_row(
            "SELECT text FROM messages WHERE recipient_name = 'Anna 1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(text, "Bonjour, RDV à 14h");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Bonjour, RDV"), "{screen}");

    // An empty text is refused under the form, which stays open; Esc leaves it unchanged.
    press(&mut app, "w");
    for _ in 0..40 {
        app.handle_key(code(KeyCode::Backspace));
    }
    app.handle_key(ctrl('s'));
    assert!(app.is_editing());
    assert!(render(&mut app, 80, 24).contains("the message is empty"));
    app.handle_key(code(KeyCode::Esc));
    // Unsaved text: Esc asks, naming the text; "y" closes.
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Will be lost: Text."), "{screen}");
    press(&mut app, "y");
    assert!(!app.is_editing(), "{}", render(&mut app, 80, 24));
}

#[test]
fn a_d2_reminder_switched_on_from_the_agenda_appears_in_upcoming_at_the_right_time() {
    let f = store_with_event();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "a");
    assert!(render(&mut app, 80, 24).contains("Martin"));
    press(&mut app, "t");
    assert!(app.is_editing());
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("D-1") && screen.contains("Rappel RDV"),
        "{screen}"
    );
    // Tab to "When", → once: D-2; the template is already chosen. Save.
    app.handle_key(code(KeyCode::Tab));
    app.handle_key(code(KeyCode::Right));
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 80, 24));
    let msg = app.status_message().unwrap_or_default().to_string();
    assert!(msg.contains("01/04 14:00"), "{msg}");
    // In Upcoming: Wednesday 1 April 14:00, the interview's time of day two days before.
    press(&mut app, "7");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("01/04 14:00") && screen.contains("Élodie Martin"),
        "{screen}"
    );
    // Checked in the store through another connection.
    let store = Store::open(&f.path()).unwrap();
    let (planned, kind, text): (i64, String, String) = store
        .conn()
        .query_row(
            "SELECT planned_at, kind, text FROM messages WHERE status = 'pending'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(kind, "reminder");
    assert_eq!(
        planned,
        Utc.with_ymd_and_hms(2026, 4, 1, 12, 0, 0)
            .unwrap()
            .timestamp()
    );
    assert!(text.starts_with("Bonjour Élodie"), "{text}");
}

#[test]
fn cancelling_an_event_from_the_agenda_cancels_its_reminder() {
    let f = store_with_event();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "at");
    app.handle_key(ctrl('s'));
    assert_eq!(status_of(&f, "Élodie Martin"), "pending");
    press(&mut app, "d");
    assert!(render(&mut app, 80, 24).contains("Annuler"));
    press(&mut app, "o");
    assert_eq!(status_of(&f, "Élodie Martin"), "cancelled");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("annulé"), "{screen}");
}

#[test]
fn a_reply_of_the_review_list_gets_the_outcome_the_operator_types() {
    let f = sample_store();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "i");
    // The review list alone.
    press(&mut app, "t");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("oui mais") && !screen.contains("STOP  "),
        "{screen}"
    );
    // The conversation with that number.
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("oui mais à 15h") && screen.contains('←'),
        "{screen}"
    );
    app.handle_key(code(KeyCode::Esc));
    // The outcome form: an administrator may type one of their own (saved with Ctrl-s).
    press(&mut app, "m");
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    press(&mut app, "will come at 15:00");
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(!app.is_editing(), "{}", render(&mut app, 80, 24));
    let store = Store::open(&f.path()).unwrap();
    let (state, outcome): (String, String) = store
        .conn()
        .query_row(
            "SELECT state, outcome FROM replies WHERE text = 'oui mais à 15h'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (state.as_str(), outcome.as_str()),
        ("resolved", "will come at 15:00")
    );
    // Settled, it leaves the review list.
    assert!(!render(&mut app, 80, 24).contains("oui mais"));
}

#[test]
fn a_free_send_from_a_spreadsheet_with_numeric_cells_and_duplicates() {
    let f = sample_store();
    let path = f.dir.path().join("contacts.xlsx");
    numbers_xlsx(&path);
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "9n");
    assert!(app.is_editing());
    app.handle_paste(&path.display().to_string());
    for _ in 0..3 {
        app.handle_key(code(KeyCode::Tab));
    }
    press(&mut app, "Portes ouvertes samedi");
    app.handle_key(ctrl('s'));
    // The file is read off the UI thread: the form says so, then the preview opens.
    assert!(
        render(&mut app, 80, 24).contains("reading contacts.xlsx"),
        "{}",
        render(&mut app, 80, 24)
    );
    tick_until_popup(&mut app);
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("2 valid number(s), 1 duplicate(s) removed, 1 invalid"),
        "{screen}"
    );
    // The landline is refused with its row in the file.
    assert!(screen.contains("row 5"), "{screen}");
    press(&mut app, "y");
    assert_eq!(app.status_message(), Some("2 message(s) queued"));
    assert!(!app.is_editing());
    let store = Store::open(&f.path()).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT phone, text FROM messages WHERE kind = 'free' AND status = 'pending' ORDER BY phone")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["+33611223344", "+33755667788"]
    );
    assert!(rows[0].1.starts_with("Portes ouvertes samedi") && rows[0].1.contains("STOP"));
}

/// The free send's preview says why it costs more: the encoding and the culprit characters.
#[test]
fn a_free_preview_names_the_characters_forcing_unicode() {
    let f = sample_store();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "9n");
    app.handle_paste("06 11 22 33 44");
    for _ in 0..3 {
        app.handle_key(code(KeyCode::Tab));
    }
    press(&mut app, "Portes ouvertes à l'île samedi");
    app.handle_key(ctrl('s'));
    tick_until_popup(&mut app);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Unicode : î"), "{screen}");
    assert!(screen.contains("Ctrl-t : vers GSM-7 pour tous"), "{screen}");
}

#[test]
fn a_free_send_file_lists_unusable_cells_by_row_and_a_bad_file_is_refused_whole() {
    let f = sample_store();
    let path = f.dir.path().join("numbers.xlsx");
    {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "TELEPHONE").unwrap();
        sheet.write_string(1, 0, "06 11 22 33 44").unwrap();
        // A formula whose cached value is an error: that row is refused, not the file.
        sheet
            .write_formula(
                2,
                0,
                rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!"),
            )
            .unwrap();
        sheet.write_string(3, 0, "07 55 66 77 88").unwrap();
        book.save(&path).unwrap();
    }
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "9n");
    app.handle_paste(&path.display().to_string());
    for _ in 0..3 {
        app.handle_key(code(KeyCode::Tab));
    }
    press(&mut app, "Fermeture exceptionnelle");
    app.handle_key(ctrl('s'));
    tick_until_popup(&mut app);
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("2 valid number(s), 0 duplicate(s) removed, 1 invalid"),
        "{screen}"
    );
    assert!(screen.contains("row 3"), "{screen}");
    // Esc: nothing queued.
    app.handle_key(code(KeyCode::Esc));
    // A text file renamed .xlsx: the reason, in the form, and nothing queued.
    let fake = f.dir.path().join("fake.xlsx");
    std::fs::write(&fake, "TELEPHONE\n0611223344\n").unwrap();
    let mut app = self::app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "9n");
    app.handle_paste(&fake.display().to_string());
    for _ in 0..3 {
        app.handle_key(code(KeyCode::Tab));
    }
    press(&mut app, "Fermeture exceptionnelle");
    app.handle_key(ctrl('s'));
    let screen = tick_until_shown(&mut app, "fake.xlsx:");
    assert!(!app.has_popup(), "{screen}");
    assert!(app.is_editing(), "{screen}");
    let store = Store::open(&f.path()).unwrap();
    let queued: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM messages WHERE kind = 'free'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 0);
}

#[test]
fn an_opt_out_from_contacts_is_asked_then_recorded() {
    let f = sample_store();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "c/Benali");
    app.handle_key(code(KeyCode::Enter));
    press(&mut app, "t");
    assert!(render(&mut app, 80, 24).contains("Karim Benali"));
    press(&mut app, "y");
    let store = Store::open(&f.path()).unwrap();
    let n: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM opt_outs WHERE phone = '+33698765432'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert!(render(&mut app, 80, 24).contains("STOP"));
}

/// A collaborator, four participants (Chloé has not consented to SMS), and the saved list
/// "Atelier CV" of Anna, Bruno and Chloé; Denis is outside it.
fn store_with_list() -> Fixture {
    use smsdesk::store::participants::{NewSavedList, insert_saved_list};
    let f = empty_store();
    let conn = f.store.conn();
    add_collaborator(&f.store, "Claire", "Durand");
    let mut ids = Vec::new();
    for (first, last, mobile, consent) in [
        ("Anna", "Arnaud", "+33612345671", true),
        ("Bruno", "Bernard", "+33612345672", true),
        ("Chloé", "Colin", "+33612345673", false),
        ("Denis", "Dupuis", "+33612345674", true),
    ] {
        ids.push(add_participant(&f.store, first, last, mobile, consent));
    }
    insert_saved_list(
        conn,
        &NewSavedList {
            name: "Atelier CV".into(),
            created_by: "admin".into(),
            created_at: now(),
            members: ids[..3].to_vec(),
        },
    )
    .unwrap();
    f
}

#[test]
fn a_batch_on_a_saved_list_plus_one_chosen_with_one_unticked_recipient() {
    let f = store_with_list();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "8n");
    assert!(app.is_editing());
    press(&mut app, "Atelier avril");
    tab(&mut app, 1);
    app.handle_key(code(KeyCode::Right));
    // Past the filters (type, programme, collaborator, event type, period, consent, count).
    tab(&mut app, 9);
    // Search as you type: the first match is offered, Enter adds it.
    press(&mut app, "dupu");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Enter adds Denis DUPUIS"), "{screen}");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("1/1 Denis DUPUIS"), "{screen}");
    // Saving now: the core names every missing interview field.
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("missing required field(s): date-time, collaborator"),
        "{screen}"
    );
    // Past the chosen recipient and the context (an interview, by default).
    tab(&mut app, 3);
    fill_interview_and_text(&mut app, "information sent");
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    // One row per recipient: the chosen one first, then the list; Chloé cannot be sent to.
    for name in [
        "Denis Dupuis",
        "Anna Arnaud",
        "Bruno Bernard",
        "Chloé Colin",
    ] {
        assert!(screen.contains(name), "{name}\n{screen}");
    }
    assert!(screen.contains("has not consented"), "{screen}");
    assert!(screen.contains("3 message(s) · 3 SMS"), "{screen}");
    // Untick Anna (second row).
    press(&mut app, "j ");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("2 message(s) · 2 SMS") && screen.contains("1 unticked"),
        "{screen}"
    );
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Recipients: 2"), "{screen}");
    press(&mut app, "y");
    assert!(!app.is_editing(), "{}", render(&mut app, 80, 24));
    assert_eq!(
        app.status_message(),
        Some("batch queued: 2 message(s), 2 recipient(s) left out")
    );
    let store = Store::open(&f.path()).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT m.recipient_name, m.text, e.type, e.theme, e.outcome
             FROM messages m JOIN events e ON e.batch_id = m.batch_id AND e.participant_id = m.participant_id
             WHERE m.status = 'pending' ORDER BY m.recipient_name",
        )
        .unwrap();
    let rows: Vec<(String, String, String, String, String)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["Bruno Bernard", "Denis Dupuis"]
    );
    assert!(
        rows[0].1.starts_with("Bonjour Bruno, atelier CV jeudi."),
        "{}",
        rows[0].1
    );
    assert!(rows[0].1.contains("STOP"), "{}", rows[0].1);
    assert_eq!(
        (rows[1].2.as_str(), rows[1].3.as_str(), rows[1].4.as_str()),
        ("atelier", "CV", "information sent")
    );
    // The history shows it.
    assert!(render(&mut app, 80, 24).contains("Atelier avril"));
}

#[test]
fn the_french_batch_preview_gives_the_rules_refusals_in_french() {
    let f = store_with_list();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "8n");
    assert!(app.is_editing());
    press(&mut app, "Atelier avril");
    tab(&mut app, 1);
    app.handle_key(code(KeyCode::Right));
    // Saving with no interview: the core's refusal, its list of fields included, in French.
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 200, 30);
    assert!(
        screen.contains(
            "il manque à l'entretien à enregistrer des champs obligatoires : date et heure, \
             collaborateur, type d'entretien, thème, résultat"
        ),
        "{screen}"
    );
    assert!(!screen.contains("missing required"), "{screen}");
    // Past the filters, the search and the context to the interview fields.
    tab(&mut app, 12);
    fill_interview_and_text(&mut app, "information envoyée");
    app.handle_key(ctrl('s'));
    // The error column of the preview: Chloé has not consented, said in French.
    let screen = render(&mut app, 200, 30);
    let chloe = screen
        .lines()
        .find(|l| l.contains("Chloé Colin"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(chloe.contains("n'a pas donné son accord SMS"), "{chloe}");
    assert!(!screen.contains("has not consented"), "{screen}");
    // Her row opened: the same refusal, whole.
    press(&mut app, "jj");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("✖ n'a pas donné son accord SMS"),
        "{screen}"
    );
}

#[test]
fn an_event_created_from_the_agenda_with_a_participant_searched_as_you_type() {
    let f = store_with_event();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "an");
    assert!(app.is_editing());
    // Saving without a participant says what is missing.
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("needs a date and time"), "{screen}");
    press(&mut app, "mart");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Enter picks Élodie MARTIN"), "{screen}");
    app.handle_key(code(KeyCode::Enter));
    tab(&mut app, 1);
    app.handle_key(code(KeyCode::Right)); // step
    tab(&mut app, 1);
    press(&mut app, "atelier CV");
    tab(&mut app, 1);
    press(&mut app, "06/04/2026 09:30");
    tab(&mut app, 2);
    press(&mut app, "salle 2");
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{}", render(&mut app, 80, 24));
    assert_eq!(app.status_message(), Some("event created"));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("atelier CV"), "{screen}");
    let store = Store::open(&f.path()).unwrap();
    let (kind, starts, location, who): (String, String, String, i64) = store
        .conn()
        .query_row(
            "SELECT kind, starts_local, location, participant_id FROM events WHERE type = 'atelier CV'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), starts.as_str(), location.as_str(), who),
        ("step", "2026-04-06 09:30:00", "salle 2", 1)
    );
}

#[test]
fn moving_an_event_re_plans_its_reminder_and_says_so() {
    let f = store_with_event();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    // A D-2 reminder on the Friday 3 April 14:00 interview.
    press(&mut app, "at");
    tab(&mut app, 1);
    app.handle_key(code(KeyCode::Right));
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing());
    // Move it to Thursday 9 April 15:00.
    press(&mut app, "m");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("03/04/2026 14:00") && screen.contains("Élodie Martin"),
        "{screen}"
    );
    tab(&mut app, 1);
    app.handle_key(ctrl('u'));
    press(&mut app, "09/04/2026 15:00");
    app.handle_key(ctrl('s'));
    // The operator is told what happened to the reminder.
    assert!(app.has_popup(), "{}", render(&mut app, 80, 24));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("event updated") && screen.contains("07/04/2026 15:00"),
        "{screen}"
    );
    let store = Store::open(&f.path()).unwrap();
    let (planned, text): (i64, String) = store
        .conn()
        .query_row(
            "SELECT planned_at, text FROM messages WHERE status = 'pending'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        planned,
        Utc.with_ymd_and_hms(2026, 4, 7, 13, 0, 0)
            .unwrap()
            .timestamp()
    );
    assert!(text.contains("jeudi 9 avril à 15h00"), "{text}");
}

#[test]
fn sent_exported_to_xlsx_off_the_ui_thread_reads_back_with_phones_as_text() {
    use calamine::{Data, Reader, open_workbook_auto};
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "6e");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Export Sent: every message?"), "{screen}");
    // A file without a known extension is refused in the window, which stays open.
    app.handle_key(ctrl('u'));
    let bad = f.dir.path().join("sent.ods");
    app.handle_paste(&bad.display().to_string());
    app.handle_key(code(KeyCode::Enter));
    assert!(app.has_popup());
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains(".xlsx or .csv"), "{screen}");
    app.handle_key(ctrl('u'));
    let path = f.dir.path().join("sent.xlsx");
    app.handle_paste(&path.display().to_string());
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup(), "{}", render(&mut app, 80, 24));
    // The export runs on its own thread; the info line says when it is done.
    let start = std::time::Instant::now();
    let screen = loop {
        app.on_tick();
        let screen = render(&mut app, 120, 24);
        if screen.contains("exported 2 row(s)") {
            break screen;
        }
        assert!(start.elapsed().as_secs() < 20, "{screen}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(screen.contains("sent.xlsx"), "{screen}");
    let mut book = open_workbook_auto(&path).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows.len(), 3, "header and the two ended messages");
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    // Headers follow the store's language (the environment's when the setting is empty).
    let col = |names: [&str; 2]| header.iter().position(|h| names.contains(&h.as_str()));
    let phone_col = col(["Phone", "Téléphone"]).unwrap();
    let name_col = col(["Recipient", "Destinataire"]).unwrap();
    let mut names: Vec<String> = rows[1..].iter().map(|r| r[name_col].to_string()).collect();
    names.sort();
    assert_eq!(names, ["Bob Delivered", "Carl Failed"]);
    for r in &rows[1..] {
        assert_eq!(r[phone_col], Data::String("+33698765432".into()));
    }
}

/// Fills the batch form of [`store_with_list`] up to its preview (the list, Denis chosen,
/// the interview, an own text), as in the journey above.
fn fill_batch(app: &mut smsdesk::tui::App) {
    press(app, "8n");
    press(app, "Atelier avril");
    tab(app, 1);
    app.handle_key(code(KeyCode::Right));
    tab(app, 9);
    press(app, "dupu");
    app.handle_key(code(KeyCode::Enter));
    tab(app, 3);
    fill_interview_and_text(app, "information sent");
}

#[test]
fn snapshots_of_the_batch_form_and_preview_and_the_event_form() {
    for lang in [Lang::En, Lang::Fr] {
        let f = store_with_list();
        let mut app = app(Store::open(&f.path()).unwrap(), lang);
        fill_batch(&mut app);
        insta::assert_snapshot!(
            format!("batch_form_{}", lang.as_str()),
            render(&mut app, 80, 24)
        );
        app.handle_key(ctrl('s'));
        press(&mut app, "j ");
        insta::assert_snapshot!(
            format!("batch_preview_{}", lang.as_str()),
            render(&mut app, 80, 24)
        );
        let f = store_with_event();
        let mut agenda = tui_fixture::app(Store::open(&f.path()).unwrap(), lang);
        press(&mut agenda, "am");
        insta::assert_snapshot!(
            format!("event_form_{}", lang.as_str()),
            render(&mut agenda, 80, 24)
        );
    }
}

#[test]
fn a_long_batch_preview_scrolls_and_counts_every_recipient() {
    use smsdesk::store::participants::{NewSavedList, insert_saved_list};
    let f = store_with_list();
    let mut ids = Vec::new();
    for i in 0..150 {
        ids.push(
            smsdesk::store::participants::insert_participant(
                f.store.conn(),
                &smsdesk::store::participants::NewParticipant {
                    kind: smsdesk::sms::status::ParticipantKind::Participant,
                    first_name: format!("P{i:03}"),
                    last_name: "Zed".into(),
                    mobile: Some(format!("+33700000{i:03}")),
                    sms_consent: true,
                    ..Default::default()
                },
                now(),
            )
            .unwrap(),
        );
    }
    insert_saved_list(
        f.store.conn(),
        &NewSavedList {
            name: "Zed".into(),
            created_by: "admin".into(),
            created_at: now(),
            members: ids,
        },
    )
    .unwrap();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    fill_batch(&mut app);
    // Second list in the picker: "Zed (150)"; Denis is chosen too.
    for _ in 0..24 {
        app.handle_key(code(KeyCode::BackTab));
    }
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Atelier CV (3)"), "{screen}");
    app.handle_key(code(KeyCode::Right));
    assert!(render(&mut app, 80, 24).contains("Zed (150)"));
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("151 message(s) · 151 SMS"), "{screen}");
    app.handle_key(code(KeyCode::End));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("P149 Zed") && !screen.contains("Denis Dupuis"),
        "{screen}"
    );
    // Untick the last one: the totals follow.
    press(&mut app, " ");
    assert!(render(&mut app, 80, 24).contains("150 message(s) · 150 SMS"));
}

/// The Agenda's rows between the header and the status line.
fn agenda_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip(3)
        .take_while(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_agenda_filters_by_outcome_period_kind_and_collaborator() {
    let f = sample_store();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "a");
    let everything = agenda_rows(&render(&mut app, 80, 24));
    assert!(everything.len() >= 6, "{everything:?}");
    // Every interview confirmed or declined by SMS this week.
    press(&mut app, "/");
    press(
        &mut app,
        "résultat:confirmé,\"ne viendra pas\" période:semaine",
    );
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    let rows = agenda_rows(&screen);
    assert_eq!(rows.len(), 2, "{screen}");
    assert!(rows[0].contains("confirmé par"), "{screen}");
    assert!(rows[1].contains("ne viendra"), "{screen}");
    assert!(
        screen.lines().nth(1).unwrap().contains("résultat:"),
        "{screen}"
    );

    // Events without an outcome, of one kind.
    press(&mut app, "/");
    for _ in 0..80 {
        app.handle_key(code(KeyCode::Backspace));
    }
    press(&mut app, "résultat:aucun nature:étape");
    app.handle_key(code(KeyCode::Enter));
    let rows = agenda_rows(&render(&mut app, 80, 24));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("atelier CV"), "{rows:?}");

    // A term not understood says which, and the list stays as it was.
    press(&mut app, "/");
    for _ in 0..80 {
        app.handle_key(code(KeyCode::Backspace));
    }
    press(&mut app, "nature:réunion");
    app.handle_key(code(KeyCode::Enter));
    let msg = app.status_message().unwrap_or_default().to_string();
    assert!(msg.contains("nature:réunion"), "{msg}");
    assert_eq!(agenda_rows(&render(&mut app, 80, 24)).len(), 1);

    // One collaborator's events: every row names them.
    press(&mut app, "/");
    for _ in 0..80 {
        app.handle_key(code(KeyCode::Backspace));
    }
    press(&mut app, "collab:petit");
    app.handle_key(code(KeyCode::Enter));
    let rows = agenda_rows(&render(&mut app, 80, 24));
    assert!(
        !rows.is_empty() && rows.len() < everything.len(),
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.contains("Marc Petit")), "{rows:?}");

    // An empty filter: everything from today again.
    press(&mut app, "/");
    for _ in 0..80 {
        app.handle_key(code(KeyCode::Backspace));
    }
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(agenda_rows(&render(&mut app, 80, 24)), everything);
}

#[test]
fn an_export_reports_its_progress_then_its_end_as_events_on_the_app_channel() {
    use smsdesk::tui::AppEvent;
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    // As in the event loop: jobs report on the channel the main thread reads.
    let (tx, rx) = std::sync::mpsc::channel();
    app.set_events(tx);
    press(&mut app, "6e");
    app.handle_key(ctrl('u'));
    let path = f.dir.path().join("sent.csv");
    app.handle_paste(&path.display().to_string());
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup(), "{}", render(&mut app, 120, 24));
    // Ticks alone bring nothing: the news is in the events.
    app.on_tick();
    assert!(!render(&mut app, 120, 24).contains("export: "));
    let mut screens = Vec::new();
    while let Ok(ev) = rx.recv_timeout(std::time::Duration::from_secs(20)) {
        let AppEvent::Job(job) = ev else { continue };
        assert!(app.on_job(job), "a job event redraws");
        let screen = render(&mut app, 120, 24);
        let done = screen.contains("exported 2 row(s)");
        screens.push(screen);
        if done {
            break;
        }
    }
    let first = screens.first().expect("the export sent events");
    assert!(
        first.contains("export: 0 row(s)…"),
        "progress first:\n{first}"
    );
    let last = screens.last().unwrap();
    assert!(
        last.contains("exported 2 row(s)") && last.contains("sent.csv"),
        "then the result:\n{last}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
}
