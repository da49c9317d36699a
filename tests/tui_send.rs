//! The sending side of the TUI driven headless, as an operator would: Upcoming selection,
//! cancel after a confirmation, time edits, and the filter bar of Sent / Upcoming.

mod tui_fixture;

use chrono::{Duration, TimeZone, Utc};
use crossterm::event::KeyCode;
use smsdesk::i18n::Lang;
use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::store::Store;
use tui_fixture::*;

/// Five instant messages waiting, one per hour from tomorrow (Tuesday 31 March) 10:00 Paris,
/// to Anna 1 … Anna 5; plus a delivered and a failed one in Sent.
fn store_with_queue() -> Fixture {
    let f = empty_store();
    let base = Utc.with_ymd_and_hms(2026, 3, 31, 8, 0, 0).unwrap();
    for i in 0..5 {
        add_message(
            &f.store,
            &Msg {
                kind: MessageKind::Instant,
                context: "individual",
                participant: None,
                event: None,
                batch: None,
                template: None,
                collaborator: None,
                phone: &format!("+3361234567{i}"),
                name: &format!("Anna {}", i + 1),
                text: "Bonjour",
                segments: 1,
                planned: base + Duration::hours(i),
                path: &[],
            },
        );
    }
    for (name, path) in [
        ("Bob Delivered", DELIVERED),
        (
            "Carl Failed",
            &[MessageStatus::Sending, MessageStatus::Failed][..],
        ),
    ] {
        add_message(
            &f.store,
            &Msg {
                kind: MessageKind::Instant,
                context: "individual",
                participant: None,
                event: None,
                batch: None,
                template: None,
                collaborator: None,
                phone: "+33698765432",
                name,
                text: "Bonjour",
                segments: 1,
                planned: now() - Duration::hours(2),
                path,
            },
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
fn without_a_selection_the_row_under_the_cursor_is_cancelled() {
    let f = store_with_queue();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "7j");
    press(&mut app, "x");
    assert!(render(&mut app, 80, 24).contains("Cancel 1 message(s)"));
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(status_of(&f, "Anna 2"), "cancelled");
    assert_eq!(status_of(&f, "Anna 1"), "pending");
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
    press(&mut app, "Ax");
    app.handle_key(code(KeyCode::Enter));
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

/// One participant (Élodie Martin, consenting, mobile) with an interview on Friday 3 April
/// 2026 at 14:00 Paris, no reminder; an active interview template.
fn store_with_event() -> Fixture {
    use smsdesk::core::Actor;
    use smsdesk::core::events::{EventKind, NewEventInput, create_event};
    let mut f = empty_store();
    let actor = Actor::identify(&mut f.store, "admin", now()).unwrap();
    let conn = f.store.conn();
    conn.execute(
        "INSERT INTO participants(kind, civility, first_name, last_name, mobile, sms_consent, programme, created_at, updated_at)
         VALUES ('participant','Mme','Élodie','Martin','+33612345678',1,'PLIE',?1,?1)",
        [now().timestamp()],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO templates(name, context, body, active, locked, reply_expected, created_by, created_at, updated_at)
         VALUES ('Rappel RDV','interview','Bonjour {{participant.first_name}}, RDV {{event.type}} le {{event.datetime}}.',1,0,0,'admin',?1,?1)",
        [now().timestamp()],
    )
    .unwrap();
    let starts = chrono::NaiveDate::from_ymd_opt(2026, 4, 3)
        .unwrap()
        .and_hms_opt(14, 0, 0)
        .unwrap();
    create_event(
        &mut f.store,
        &actor,
        NewEventInput {
            participant_id: 1,
            kind: EventKind::Interview,
            event_type: "diagnostic".into(),
            starts_local: starts,
            collaborator_id: None,
            location: String::new(),
            notes: String::new(),
            reminder: None,
        },
        now(),
    )
    .unwrap();
    f
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
    app.handle_key(smsdesk_ctrl('s'));
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
    app.handle_key(smsdesk_ctrl('s'));
    assert_eq!(status_of(&f, "Élodie Martin"), "pending");
    press(&mut app, "d");
    assert!(render(&mut app, 80, 24).contains("Annuler"));
    press(&mut app, "o");
    assert_eq!(status_of(&f, "Élodie Martin"), "cancelled");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("annulé"), "{screen}");
}

fn smsdesk_ctrl(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(KeyCode::Char(c), crossterm::event::KeyModifiers::CONTROL)
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
    press(&mut app, "m");
    press(&mut app, "will come at 15:00");
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup(), "{}", render(&mut app, 80, 24));
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
    {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Nom").unwrap();
        sheet.write_string(0, 1, "Téléphone").unwrap();
        // A spreadsheet dropped the leading zero of 06 11 22 33 44 (twice: a duplicate).
        sheet.write_number(1, 1, 611223344.0).unwrap();
        sheet.write_number(2, 1, 611223344.0).unwrap();
        sheet.write_string(3, 1, "07 55 66 77 88").unwrap();
        sheet.write_string(4, 1, "01 44 55 66 77").unwrap();
        book.save(&path).unwrap();
    }
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "9n");
    assert!(app.is_editing());
    app.handle_paste(&path.display().to_string());
    for _ in 0..3 {
        app.handle_key(code(KeyCode::Tab));
    }
    press(&mut app, "Portes ouvertes samedi");
    app.handle_key(smsdesk_ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(app.has_popup(), "{screen}");
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
