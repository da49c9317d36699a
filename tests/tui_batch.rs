//! The Batch form's filters driven headless, as an operator would: choose a filter, watch the
//! count follow, add the participants it matches, see them (once each, with their errors) in
//! the preview, and send. Snapshots of the form with its filters in French and English.

mod support;
mod tui_fixture;

use chrono::{NaiveDateTime, TimeZone, Utc};
use crossterm::event::KeyCode;
use smsdesk::i18n::Lang;
use smsdesk::store::Store;
use smsdesk::store::events::{NewEvent, insert_event};
use smsdesk::store::participants::{
    NewParticipant, NewSavedList, insert_participant, insert_saved_list,
};
use tui_fixture::*;

fn add_event(f: &Fixture, participant: i64, typ: &str, collaborator: i64, local: &str) {
    let starts_local = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
    let starts_at = chrono_tz::Europe::Paris
        .from_local_datetime(&starts_local)
        .single()
        .unwrap()
        .with_timezone(&Utc);
    insert_event(
        f.store.conn(),
        &NewEvent {
            collaborator_id: Some(collaborator),
            ..NewEvent::planned(
                participant,
                smsdesk::sms::status::EventKind::Step,
                typ.into(),
                (starts_at, starts_local),
                "admin",
                now(),
            )
        },
    )
    .unwrap();
}

/// Two collaborators and five people (today is Monday 30 March 2026):
/// - Anna Arnaud, PLIE — workshop with Claire on 2 March;
/// - Bruno Bernard, PLIE — workshop with Claire on 20 March;
/// - Chloé Colin, PLIE, no SMS consent — diagnosis with Claire on 25 March;
/// - Denis Dupuis, Garantie jeunes — workshop with Marc on 10 March;
/// - Emma Etienne, a partner, no programme, no event.
///
/// The saved list "Atelier CV" holds Anna and Denis.
fn store_with_filters() -> Fixture {
    let f = empty_store();
    let conn = f.store.conn();
    let claire = add_collaborator(&f.store, "Claire", "Durand");
    let marc = add_collaborator(&f.store, "Marc", "Petit");
    let mut ids = Vec::new();
    for (i, (first, last, kind, programme, consent)) in [
        ("Anna", "Arnaud", "participant", "PLIE", true),
        ("Bruno", "Bernard", "participant", "PLIE", true),
        ("Chloé", "Colin", "participant", "PLIE", false),
        ("Denis", "Dupuis", "participant", "Garantie jeunes", true),
        ("Emma", "Etienne", "partner", "", true),
    ]
    .into_iter()
    .enumerate()
    {
        ids.push(
            insert_participant(
                conn,
                &NewParticipant {
                    kind: smsdesk::sms::status::ParticipantKind::parse(kind).unwrap(),
                    first_name: first.into(),
                    last_name: last.into(),
                    mobile: Some(format!("+3361234567{i}")),
                    sms_consent: consent,
                    programme: programme.into(),
                    ..Default::default()
                },
                now(),
            )
            .unwrap(),
        );
    }
    add_event(&f, ids[0], "workshop", claire, "2026-03-02 10:00");
    add_event(&f, ids[1], "workshop", claire, "2026-03-20 10:00");
    add_event(&f, ids[2], "diagnosis", claire, "2026-03-25 10:00");
    add_event(&f, ids[3], "workshop", marc, "2026-03-10 10:00");
    insert_saved_list(
        conn,
        &NewSavedList {
            name: "Atelier CV".into(),
            created_by: "admin".into(),
            created_at: now(),
            members: vec![ids[0], ids[3]],
        },
    )
    .unwrap();
    f
}

/// The form's fields in order, from "Batch name": how many Tab from the first to each.
const LIST: usize = 1;
const KIND: usize = 2;
const PROGRAMME: usize = 3;
const COLLABORATOR: usize = 4;
const EVENT_TYPE: usize = 5;
const FROM: usize = 6;
const TO: usize = 7;
const MATCHING: usize = 9;
const STARTS: usize = 13;

/// The line under the filters (the "Matching" field), as shown.
fn matching_line(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains("Matching") || l.contains("Correspondent"))
        .map(|l| l.trim_matches(|c| c == '│' || c == ' ').to_string())
        .unwrap_or_default()
}

#[test]
fn the_count_follows_each_filter_as_it_changes() {
    let f = store_with_filters();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "8n");
    let screen = render(&mut app, 80, 24);
    assert!(
        matching_line(&screen).contains("no filter chosen (5 participant(s) in all)"),
        "{screen}"
    );
    // Type: participant (4), partner (1), company (0), back to any.
    tab(&mut app, KIND);
    let mut seen = Vec::new();
    for _ in 0..4 {
        app.handle_key(code(KeyCode::Right));
        seen.push(matching_line(&render(&mut app, 80, 24)));
    }
    assert!(
        seen[0].contains("4 participant(s) — Enter adds them"),
        "{seen:?}"
    );
    assert!(seen[1].contains("1 participant(s)"), "{seen:?}");
    assert!(seen[2].contains("0 participant(s)"), "{seen:?}");
    assert!(seen[3].contains("no filter chosen"), "{seen:?}");
    // Programme: the ones in the store, in order.
    tab(&mut app, PROGRAMME - KIND);
    app.handle_key(code(KeyCode::Right));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Garantie jeunes"), "{screen}");
    assert!(
        matching_line(&screen).contains("1 participant(s)"),
        "{screen}"
    );
    app.handle_key(code(KeyCode::Right));
    let screen = render(&mut app, 80, 24);
    assert!(
        matching_line(&screen).contains("3 participant(s)"),
        "{screen}"
    );
    // PLIE with an event from 15 March: Bruno and Chloé; until 22 March: Bruno.
    tab(&mut app, FROM - PROGRAMME);
    press(&mut app, "15/03");
    assert!(matching_line(&render(&mut app, 80, 24)).contains("2 participant(s)"));
    tab(&mut app, 1);
    press(&mut app, "22/03/2026");
    assert!(matching_line(&render(&mut app, 80, 24)).contains("1 participant(s)"));
    // A day that does not exist, then a period that ends before it starts: the field says why.
    app.handle_key(ctrl('u'));
    press(&mut app, "31/02");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("« 31/02 » is not a date"), "{screen}");
    assert!(
        matching_line(&screen).contains("fix the filter above"),
        "{screen}"
    );
    app.handle_key(ctrl('u'));
    press(&mut app, "01/03");
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("the period ends before its first day (15/03/2026)"),
        "{screen}"
    );
    // Enter on the line adds nothing while the filter is wrong.
    tab(&mut app, MATCHING - TO);
    app.handle_key(code(KeyCode::Enter));
    assert!(
        app.status_message()
            .is_some_and(|s| s.contains("ends before its first day")),
        "{:?}",
        app.status_message()
    );
    back(&mut app, MATCHING - TO);
    app.handle_key(ctrl('u'));
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("before its first day"), "{screen}");
    assert!(
        matching_line(&screen).contains("2 participant(s)"),
        "{screen}"
    );
}

#[test]
fn participants_a_filter_matches_join_the_recipients_once_each_and_reach_the_preview() {
    let f = store_with_filters();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "8n");
    press(&mut app, "Claire mars");
    // Nothing chosen: Enter on the line says to choose a filter first.
    tab(&mut app, MATCHING);
    app.handle_key(code(KeyCode::Enter));
    assert!(
        app.status_message()
            .is_some_and(|s| s.contains("no filter chosen")),
        "{:?}",
        app.status_message()
    );
    // Everyone with an event with Claire: Anna, Bruno, Chloé.
    back(&mut app, MATCHING - COLLABORATOR);
    app.handle_key(code(KeyCode::Right));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Claire Durand"), "{screen}");
    assert!(
        matching_line(&screen).contains("3 participant(s)"),
        "{screen}"
    );
    tab(&mut app, MATCHING - COLLABORATOR);
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(
        app.status_message(),
        Some("3 added by the filters · 3 recipient(s)")
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("New batch · 3 recipient(s)"), "{screen}");
    // Adding them again changes nothing; workshops only (Anna, Bruno) are already in.
    back(&mut app, MATCHING - EVENT_TYPE);
    app.handle_key(code(KeyCode::Right));
    app.handle_key(code(KeyCode::Right));
    assert!(render(&mut app, 80, 24).contains("workshop"));
    tab(&mut app, MATCHING - EVENT_TYPE);
    app.handle_key(code(KeyCode::Enter));
    assert_eq!(
        app.status_message(),
        Some("0 added by the filters · 3 recipient(s)")
    );
    // The saved list adds Denis; Anna is in it too but counted once.
    back(&mut app, MATCHING - LIST);
    app.handle_key(code(KeyCode::Right));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Atelier CV (2)") && screen.contains("New batch · 4 recipient(s)"),
        "{screen}"
    );
    tab(&mut app, STARTS - LIST);
    fill_interview_and_text(&mut app, "information sent");
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    // One row each: the filter's (in order), then the list's new one; Chloé's error shows.
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains('✓') || l.contains('✖') || l.contains('☐'))
        .collect();
    assert_eq!(rows.len(), 4, "{screen}");
    for (row, name) in rows.iter().zip([
        "Anna Arnaud",
        "Bruno Bernard",
        "Chloé Colin",
        "Denis Dupuis",
    ]) {
        assert!(row.contains(name), "{name}: {row}\n{screen}");
    }
    assert!(
        rows[2].contains('✖') && screen.contains("has not consented"),
        "{screen}"
    );
    assert!(screen.contains("3 message(s) · 3 SMS"), "{screen}");
    app.handle_key(ctrl('s'));
    press(&mut app, "y");
    assert_eq!(
        app.status_message(),
        Some("batch queued: 3 message(s), 1 recipient(s) left out")
    );
    let store = Store::open(&f.path()).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT recipient_name FROM messages WHERE status = 'pending' ORDER BY recipient_name",
        )
        .unwrap();
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(names, ["Anna Arnaud", "Bruno Bernard", "Denis Dupuis"]);
}

#[test]
fn del_on_the_count_line_forgets_what_the_filters_added() {
    let f = store_with_filters();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "8n");
    tab(&mut app, PROGRAMME);
    app.handle_key(code(KeyCode::Right));
    app.handle_key(code(KeyCode::Right));
    tab(&mut app, MATCHING - PROGRAMME);
    app.handle_key(code(KeyCode::Enter));
    assert!(render(&mut app, 80, 24).contains("New batch · 3 recipient(s)"));
    app.handle_key(code(KeyCode::Delete));
    assert_eq!(
        app.status_message(),
        Some("3 added by the filters taken out of the recipients")
    );
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("New batch") && !screen.contains("recipient(s)"),
        "{screen}"
    );
}

#[test]
fn snapshots_of_the_batch_form_with_its_filters() {
    for lang in [Lang::En, Lang::Fr] {
        let f = store_with_filters();
        let mut app = app(Store::open(&f.path()).unwrap(), lang);
        press(&mut app, "8n");
        tab(&mut app, COLLABORATOR);
        app.handle_key(code(KeyCode::Right));
        tab(&mut app, EVENT_TYPE - COLLABORATOR);
        app.handle_key(code(KeyCode::Right));
        app.handle_key(code(KeyCode::Right));
        tab(&mut app, FROM - EVENT_TYPE);
        press(&mut app, "01/03/2026");
        tab(&mut app, MATCHING - FROM);
        app.handle_key(code(KeyCode::Enter));
        insta::assert_snapshot!(
            format!("batch_filters_{}", lang.as_str()),
            render(&mut app, 80, 24)
        );
        app.handle_key(ctrl('l'));
        insta::assert_snapshot!(
            format!("batch_save_list_{}", lang.as_str()),
            render(&mut app, 80, 24)
        );
    }
}

#[test]
fn the_selection_is_saved_as_a_list_and_the_form_stays_open() {
    let f = store_with_filters();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "8n");
    // Nothing chosen yet: nothing to save.
    app.handle_key(ctrl('l'));
    assert!(!app.has_popup());
    assert!(
        app.status_message()
            .is_some_and(|s| s.contains("nothing to save")),
        "{:?}",
        app.status_message()
    );
    press(&mut app, "Claire mars");
    // Everyone with an event with Claire (Anna, Bruno, Chloé), plus the list (Anna, Denis).
    tab(&mut app, COLLABORATOR);
    app.handle_key(code(KeyCode::Right));
    tab(&mut app, MATCHING - COLLABORATOR);
    app.handle_key(code(KeyCode::Enter));
    back(&mut app, MATCHING - LIST);
    app.handle_key(code(KeyCode::Right));
    assert!(render(&mut app, 80, 24).contains("New batch · 4 recipient(s)"));
    app.handle_key(ctrl('l'));
    assert!(app.has_popup());
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Save as a list")
            && screen.contains("Save the 4 recipient(s) chosen so far")
            && screen.contains("List name: Claire mars"),
        "{screen}"
    );
    // A name already used is refused in the window, which stays open.
    app.handle_key(ctrl('u'));
    press(&mut app, "atelier cv");
    app.handle_key(code(KeyCode::Enter));
    assert!(app.has_popup());
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("already exists"), "{screen}");
    app.handle_key(ctrl('u'));
    press(&mut app, "Relance Claire");
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup(), "{}", render(&mut app, 80, 24));
    assert_eq!(
        app.status_message(),
        Some("saved list « Relance Claire »: 4 participant(s)")
    );
    // The form is still there, with what was typed, and offers the new list.
    assert!(app.is_editing());
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Claire mars") && screen.contains("Atelier CV (2)"),
        "{screen}"
    );
    app.handle_key(code(KeyCode::Right));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Relance Claire (4)"), "{screen}");
    // In the store: the four, each once, and the creation audited.
    let store = Store::open(&f.path()).unwrap();
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT p.first_name FROM saved_list_members m
             JOIN saved_lists l ON l.id = m.list_id JOIN participants p ON p.id = m.participant_id
             WHERE l.name = 'Relance Claire' ORDER BY p.id",
        )
        .unwrap();
    let members: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(members, ["Anna", "Bruno", "Chloé", "Denis"]);
    let (who, action): (String, String) = store
        .conn()
        .query_row(
            "SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((who.as_str(), action.as_str()), ("admin", "list.create"));
}

/// The context field, between "Chosen" and the interview fields.
const CONTEXT: usize = 12;

/// Rows of the form (a tall terminal: every field on screen, nothing scrolled away).
fn tall(app: &mut smsdesk::tui::App) -> String {
    render(app, 100, 60)
}

/// The interview fields' labels, in English.
const INTERVIEW_LABELS: [&str; 5] = [
    "Interview date-time",
    "Interview type",
    "Theme",
    "Outcome",
    "Summary",
];

/// Batches with an interview are recorded, by events linked to them.
fn batch_events(f: &Fixture) -> i64 {
    Store::open(&f.path())
        .unwrap()
        .conn()
        .query_row(
            "SELECT count(*) FROM events WHERE batch_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// In a campaign form (no interview fields): its name, the saved list (Anna, Denis), then past
/// the context, template, campaign and time to the text.
fn fill_campaign(app: &mut smsdesk::tui::App, name: &str, text: &str) {
    press(app, name);
    tab(app, LIST);
    app.handle_key(code(KeyCode::Right));
    tab(app, CONTEXT - LIST);
    tab(app, 4);
    press(app, text);
}

/// A shop (setting `batch_interview` = no): the form asks name, recipients and text only,
/// the confirmation says no interview is recorded, and none is: the messages belong to no
/// event and their detail shows none.
#[test]
fn a_shop_campaign_batch_asks_no_interview_and_records_none() {
    let f = store_with_filters();
    smsdesk::store::settings::set(f.store.conn(), "batch_interview", "no", "admin", now()).unwrap();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "8n");
    let screen = tall(&mut app);
    assert!(
        screen.contains("Context") && screen.contains("No interview (shop, network)"),
        "{screen}"
    );
    for label in INTERVIEW_LABELS {
        assert!(!screen.contains(label), "{label} shown:\n{screen}");
    }
    fill_campaign(
        &mut app,
        "Soldes d'hiver",
        "Bonjour {{participant.first_name}}, -20 % samedi.",
    );
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("2 message(s) · 2 SMS"), "{screen}");
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Recipients: 2") && screen.contains("No interview is recorded."),
        "{screen}"
    );
    assert!(!screen.contains("One interview"), "{screen}");
    press(&mut app, "y");
    assert_eq!(
        app.status_message(),
        Some("batch queued: 2 message(s), 0 recipient(s) left out")
    );
    assert!(render(&mut app, 80, 24).contains("Soldes d'hiver"));
    assert_eq!(batch_events(&f), 0);
    // In Upcoming, the detail of one of its messages names no event.
    press(&mut app, "7");
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("Bonjour Anna, -20 % samedi.") || screen.contains("Bonjour Denis"),
        "{screen}"
    );
    assert!(!screen.contains("Event"), "{screen}");
}

/// A row in Unicode says why it costs more (the encoding and the culprit `ï`), the footer
/// offers the composer's transliteration, and `Ctrl-t` there changes the text for every
/// recipient: the preview recomputes, each row back to one SMS.
#[test]
fn a_unicode_row_names_its_culprit_and_ctrl_t_transliterates_for_everyone() {
    for (lang, cause, hint) in [
        (Lang::En, "Unicode: ï", "to GSM-7"),
        (Lang::Fr, "Unicode : ï", "vers GSM-7"),
    ] {
        let f = store_with_filters();
        smsdesk::store::settings::set(f.store.conn(), "batch_interview", "no", "admin", now())
            .unwrap();
        let mut app = app(Store::open(&f.path()).unwrap(), lang);
        press(&mut app, "8n");
        fill_campaign(
            &mut app,
            "Réunion",
            "Bonjour {{participant.first_name}}, la réunion collective aura lieu jeudi à 14h \
             à la Maison de l'emploi, salle Naïade. Merci de venir.",
        );
        app.handle_key(ctrl('s'));
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains("2 message(s) · 4 SMS"), "{screen}");
        let rows: Vec<&str> = screen
            .lines()
            .filter(|l| l.contains("Anna") || l.contains("Denis"))
            .collect();
        assert_eq!(rows.len(), 2, "{screen}");
        for row in rows {
            assert!(row.contains(cause), "{row}\n{screen}");
        }
        assert!(screen.contains(hint), "{screen}");
        app.handle_key(ctrl('t'));
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains("2 message(s) · 2 SMS"), "{screen}");
        assert!(!screen.contains(cause), "{screen}");
        assert!(!screen.contains(hint), "{screen}");
        // What leaves is the transliterated text.
        app.handle_key(ctrl('s'));
        press(&mut app, "y");
        let texts: Vec<String> = Store::open(&f.path())
            .unwrap()
            .conn()
            .prepare("SELECT text FROM messages")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(texts.len(), 2);
        assert!(
            texts.iter().all(|t| t.contains("salle Naiade")),
            "{texts:?}"
        );
    }
}

/// An organisation that records interviews (the default) may still send a campaign: the
/// context hides the interview fields, which are then not asked; choosing the interview
/// again shows them with what was typed.
#[test]
fn the_context_hides_the_interview_fields_and_brings_them_back_as_typed() {
    let f = store_with_filters();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::En);
    press(&mut app, "8n");
    press(&mut app, "Atelier CV");
    tab(&mut app, LIST);
    app.handle_key(code(KeyCode::Right));
    tab(&mut app, CONTEXT - LIST);
    let screen = tall(&mut app);
    assert!(
        screen.contains("Interview recorded (job seekers)")
            && screen.contains("default: Settings › Batch interviews"),
        "{screen}"
    );
    for label in INTERVIEW_LABELS {
        assert!(screen.contains(label), "{label} missing:\n{screen}");
    }
    tab(&mut app, 1);
    press(&mut app, "02/04/2026 10:00");
    back(&mut app, 1);
    app.handle_key(code(KeyCode::Right));
    let screen = tall(&mut app);
    assert!(screen.contains("No interview (shop, network)"), "{screen}");
    for label in INTERVIEW_LABELS {
        assert!(!screen.contains(label), "{label} shown:\n{screen}");
    }
    assert!(!screen.contains("02/04/2026 10:00"), "{screen}");
    // Back to an interview batch: the fields are back, the date kept; saving now names the
    // interview fields still missing.
    app.handle_key(code(KeyCode::Left));
    let screen = tall(&mut app);
    assert!(screen.contains("02/04/2026 10:00"), "{screen}");
    // The nine interview fields, template, campaign, time: the text.
    tab(&mut app, 13);
    press(&mut app, "Bonjour {{participant.first_name}}.");
    app.handle_key(ctrl('s'));
    let screen = tall(&mut app);
    assert!(
        screen.contains("missing required field(s): collaborator, interview type, theme, outcome"),
        "{screen}"
    );
    // As a campaign the same form previews, and queues without recording an interview.
    back(&mut app, 13);
    app.handle_key(code(KeyCode::Right));
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("2 message(s) · 2 SMS"), "{screen}");
    app.handle_key(ctrl('s'));
    press(&mut app, "y");
    assert_eq!(
        app.status_message(),
        Some("batch queued: 2 message(s), 0 recipient(s) left out")
    );
    assert_eq!(batch_events(&f), 0);
}

#[test]
fn the_context_choice_and_its_setting_speak_french() {
    let f = store_with_filters();
    smsdesk::store::settings::set(f.store.conn(), "batch_interview", "no", "admin", now()).unwrap();
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "8n");
    tab(&mut app, CONTEXT);
    let screen = tall(&mut app);
    assert!(
        screen.contains("Contexte")
            && screen.contains("Sans entretien (commerce, réseau)")
            && screen.contains("défaut : Paramètres › Entretien (groupés)"),
        "{screen}"
    );
    assert!(!screen.contains("Entretien le"), "{screen}");
    app.handle_key(code(KeyCode::Right));
    let screen = tall(&mut app);
    assert!(
        screen.contains("Entretien enregistré (demandeurs d'emploi)")
            && screen.contains("Entretien le"),
        "{screen}"
    );
    // The Settings form names the setting and its choice.
    let mut app = app_at_settings(&f);
    let screen = tall(&mut app);
    assert!(
        screen.contains("Entretien (groupés)")
            && screen.contains("‹ campagnes simples, sans entretien ›")
            && !screen.contains("‹ no ›"),
        "{screen}"
    );
}

/// A fresh app on `f`'s store in French, its Settings form open.
fn app_at_settings(f: &Fixture) -> smsdesk::tui::App {
    let mut app = app(Store::open(&f.path()).unwrap(), Lang::Fr);
    press(&mut app, "2");
    app.handle_key(code(KeyCode::Enter));
    app
}

// ---------------------------------------------------------------------------------------------
// The same in a real terminal: the binary in tmux at 80×24, checked through the CLI.

/// An operator batches everyone with an event with Claire (Anna, Bruno, and Chloé who has
/// not consented), unticks Bruno, validates for tomorrow 10:00; the CLI lists Anna's message
/// only, in Upcoming, as a batch message at that time.
#[test]
fn journey_a_batch_by_collaborator_with_one_recipient_unticked() {
    use support::term::{Term, cli_json, have_tmux};
    if !have_tmux() {
        return;
    }
    let f = store_with_filters();
    let db = f.path();
    let t = Term::start("batch-filter", f.dir.path(), &db);
    t.keys(&["8", "n"]);
    t.wait_for("New batch");
    t.typed("Relance Claire");
    t.tabs(COLLABORATOR);
    t.keys(&["Right"]);
    t.wait_for("3 participant(s) — Enter adds them");
    t.tabs(MATCHING - COLLABORATOR);
    t.keys(&["Enter"]);
    t.wait_for("3 added by the filters · 3 recipient(s)");
    t.wait_for("New batch · 3 recipient(s)");
    t.tabs(STARTS - MATCHING);
    t.typed("02/04/2026 10:00");
    t.keys(&["Tab", "Right", "Tab"]);
    t.typed("relance");
    t.keys(&["Tab"]);
    t.typed("suivi");
    t.keys(&["Tab"]);
    t.typed("information sent");
    // location, channel, programme, summary, template, campaign → "At".
    t.tabs(7);
    t.typed("31/03/2026 10:00");
    t.keys(&["Tab"]);
    t.typed("Bonjour {{participant.first_name}}, votre conseillère vous attend.");
    t.keys(&["C-s"]);
    // Anna and Bruno can be sent to; Chloé's row says why she cannot.
    let screen = t.wait_for("2 message(s) · 2 SMS");
    assert!(screen.contains("has not consented"), "{screen}");
    // Untick Bruno, the second row.
    t.keys(&["Down", "Space"]);
    t.wait_for("1 message(s) · 1 SMS");
    t.keys(&["C-s"]);
    t.wait_for("Recipient: ");
    t.keys(&["y"]);
    t.wait_for("batch queued: 1 message(s), 2 recipient(s) left out");
    let upcoming = cli_json(&db, &["list", "upcoming"]);
    let rows = upcoming.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{upcoming}");
    let r = &rows[0];
    assert_eq!(r["name"], "Anna Arnaud", "{r}");
    assert_eq!(r["context"], "batch", "{r}");
    assert!(
        r["planned"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-31T10:00:00+02:00"),
        "{r}"
    );
    let text = r["text"].as_str().unwrap();
    assert!(
        text.starts_with("Bonjour Anna, votre conseillère vous attend.") && text.contains("STOP"),
        "{text}"
    );
}

/// A shop sends a campaign: the setting says its batches record no interview (set on the
/// command line), the form at 80×24 asks name, recipients and text only, and the CLI lists
/// the two messages in Upcoming; no interview lands in the recipients' histories.
#[test]
fn journey_a_shop_campaign_batch_without_interview_fields() {
    use support::term::{Term, cli_json, have_tmux};
    if !have_tmux() {
        return;
    }
    let f = store_with_filters();
    let db = f.path();
    let set = cli_json(&db, &["settings", "set", "batch_interview", "no"]);
    assert_eq!(
        set,
        serde_json::json!({"key": "batch_interview", "value": "no"})
    );
    let t = Term::start("batch-shop", f.dir.path(), &db);
    t.keys(&["8", "n"]);
    t.wait_for("New batch");
    t.typed("Soldes d'hiver");
    t.keys(&["Tab", "Right"]);
    t.wait_for("New batch · 2 recipient(s)");
    t.tabs(CONTEXT - LIST);
    let screen = t.wait_for("No interview (shop, network)");
    assert!(!screen.contains("Interview date-time"), "{screen}");
    // The next field is the template: no interview field in between, none further down.
    t.keys(&["Tab"]);
    let screen = t.wait_for("▸ Template");
    for label in ["Interview date-time", "Interview type", "Theme", "Outcome"] {
        assert!(!screen.contains(label), "{label} shown:\n{screen}");
    }
    // An information campaign, for tomorrow 10:00.
    t.keys(&["Tab", "Space", "Tab"]);
    t.typed("31/03/2026 10:00");
    t.keys(&["Tab"]);
    t.typed("Bonjour {{participant.first_name}}, -20 % sur tout le magasin samedi.");
    t.keys(&["C-s"]);
    t.wait_for("2 message(s) · 2 SMS");
    t.keys(&["C-s"]);
    let screen = t.wait_for("Recipients: 2");
    assert!(screen.contains("No interview is recorded."), "{screen}");
    t.keys(&["y"]);
    t.wait_for("batch queued: 2 message(s), 0 recipient(s) left out");
    let upcoming = cli_json(&db, &["list", "upcoming"]);
    let rows = upcoming.as_array().unwrap();
    let mut names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["Anna Arnaud", "Denis Dupuis"], "{upcoming}");
    for r in rows {
        assert_eq!(r["context"], "batch", "{r}");
        assert!(
            r["planned"]
                .as_str()
                .unwrap()
                .starts_with("2026-03-31T10:00:00+02:00"),
            "{r}"
        );
        let text = r["text"].as_str().unwrap();
        assert!(
            text.contains(", -20 % sur tout le magasin samedi.") && text.contains("STOP"),
            "{text}"
        );
    }
    assert_eq!(batch_events(&f), 0);
    assert_eq!(
        cli_json(&db, &["settings", "get", "batch_interview"]),
        serde_json::json!({"key": "batch_interview", "value": "no"})
    );
}
