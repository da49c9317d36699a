//! Operator journeys on the real binary in a real terminal: `tmux` runs `smsdesk` at 80×24,
//! keys are sent as an operator types them, the screen is read back with `capture-pane`, and
//! the result is checked through the CLI (`--json list …`) on the same store.
//!
//! Each test has its own tmux server (`-L`), store and config directory, and a fixed start of
//! the clock (`SMSDESK_NOW`). Without `tmux` the tests say so and pass, unless `CI=true`.

mod support;
mod tui_fixture;

use chrono::Duration;
use smsdesk::core::Actor;
use smsdesk::store::Store;
use std::path::PathBuf;
use support::term::{Launch, Term, cli, cli_json, have_tmux};
use tui_fixture::*;

fn rows(v: &serde_json::Value) -> &Vec<serde_json::Value> {
    v.as_array().unwrap()
}

fn field<'a>(row: &'a serde_json::Value, key: &str) -> &'a str {
    row[key].as_str().unwrap_or_default()
}

fn db_of(f: &Fixture) -> PathBuf {
    f.path()
}

#[test]
fn cancel_three_selected_upcoming_messages() {
    if !have_tmux() {
        return;
    }
    let f = empty_store();
    add_anna_queue(&f.store);
    let db = db_of(&f);
    let t = Term::start("cancel", f.dir.path(), &db);
    t.keys(&["7"]);
    t.wait_for("Anna 5");
    t.keys(&["Space", "Space", "Space"]);
    t.wait_for("3 selected");
    t.keys(&["x"]);
    t.wait_for("Cancel 3 message(s) not yet sent?");
    t.keys(&["y"]);
    t.wait_for("3 message(s) cancelled");
    let upcoming = cli_json(&db, &["list", "upcoming"]);
    let names: Vec<&str> = rows(&upcoming).iter().map(|r| field(r, "name")).collect();
    assert_eq!(names, ["Anna 4", "Anna 5"]);
    let cancelled = cli_json(&db, &["list", "sent", "--status", "cancelled"]);
    let mut names: Vec<&str> = rows(&cancelled).iter().map(|r| field(r, "name")).collect();
    names.sort_unstable();
    assert_eq!(names, ["Anna 1", "Anna 2", "Anna 3"]);
}

#[test]
fn a_d2_reminder_from_the_agenda_shows_in_upcoming_at_the_right_time() {
    if !have_tmux() {
        return;
    }
    let mut f = empty_store();
    let actor = Actor::identify(&mut f.store, "admin", now()).unwrap();
    elodie_rappel_interview(&mut f.store, &actor);
    let db = db_of(&f);
    let t = Term::start("reminder", f.dir.path(), &db);
    t.keys(&["a"]);
    t.wait_for("Martin");
    t.keys(&["t"]);
    t.wait_for("Rappel RDV");
    // "When": D-1 → D-2; the template is already chosen.
    t.keys(&["Tab", "Right"]);
    t.wait_for("D-2");
    t.keys(&["C-s"]);
    t.wait_for("reminder planned for 01/04 14:00");
    t.keys(&["7"]);
    t.wait_for("Élodie Martin");
    let upcoming = cli_json(&db, &["list", "upcoming"]);
    let r = &rows(&upcoming)[0];
    assert_eq!(rows(&upcoming).len(), 1);
    assert_eq!(field(r, "kind"), "reminder");
    assert!(
        field(r, "planned").starts_with("2026-04-01T14:00:00+02:00"),
        "{r}"
    );
    assert!(field(r, "text").starts_with("Bonjour Élodie"), "{r}");
}

#[test]
fn a_batch_on_a_saved_list_with_one_unticked_recipient() {
    if !have_tmux() {
        return;
    }
    use smsdesk::store::participants::{NewSavedList, insert_saved_list};
    let f = empty_store();
    add_collaborator(&f.store, "Claire", "Durand");
    let members = vec![
        add_participant(&f.store, "Anna", "Arnaud", "+33612345671", true),
        add_participant(&f.store, "Bruno", "Bernard", "+33612345672", true),
        add_participant(&f.store, "Chloé", "Colin", "+33612345673", true),
    ];
    insert_saved_list(
        f.store.conn(),
        &NewSavedList {
            name: "Atelier CV".into(),
            created_by: "admin".into(),
            created_at: now(),
            members,
        },
    )
    .unwrap();
    let db = db_of(&f);
    let t = Term::start("batch", f.dir.path(), &db);
    t.keys(&["8", "n"]);
    t.wait_for("New batch");
    t.typed("Atelier avril");
    t.keys(&["Tab", "Right"]);
    t.wait_for("Atelier CV (3)");
    // Past the filters, the search, chosen and context fields to the interview.
    for _ in 0..12 {
        t.keys(&["Tab"]);
    }
    t.typed("02/04/2026 10:00");
    t.keys(&["Tab", "Right", "Tab"]);
    t.typed("atelier");
    t.keys(&["Tab"]);
    t.typed("CV");
    t.keys(&["Tab"]);
    t.typed("information sent");
    // location, channel, programme, summary, template, campaign → "At".
    for _ in 0..7 {
        t.keys(&["Tab"]);
    }
    t.typed("31/03/2026 10:00");
    t.keys(&["Tab"]);
    t.typed("Bonjour {{participant.first_name}}, atelier CV jeudi.");
    t.keys(&["C-s"]);
    t.wait_for("3 message(s) · 3 SMS");
    // Untick Bruno, the second row.
    t.keys(&["Down", "Space"]);
    t.wait_for("2 message(s) · 2 SMS");
    t.keys(&["C-s"]);
    t.wait_for("Recipients: 2");
    t.keys(&["y"]);
    t.wait_for("batch queued: 2 message(s), 1 recipient(s) left out");
    let upcoming = cli_json(&db, &["list", "upcoming"]);
    let mut names: Vec<&str> = rows(&upcoming).iter().map(|r| field(r, "name")).collect();
    names.sort_unstable();
    assert_eq!(names, ["Anna Arnaud", "Chloé Colin"]);
    for r in rows(&upcoming) {
        assert_eq!(field(r, "context"), "batch");
        assert!(
            field(r, "planned").starts_with("2026-03-31T10:00:00+02:00"),
            "{r}"
        );
        assert!(
            field(r, "text").contains("atelier CV jeudi.") && field(r, "text").contains("STOP")
        );
    }
}

#[test]
fn a_free_send_from_an_xlsx_with_numeric_cells_and_duplicates() {
    if !have_tmux() {
        return;
    }
    let f = empty_store();
    let xlsx = f.dir.path().join("numbers.xlsx");
    numbers_xlsx(&xlsx);
    let db = db_of(&f);
    let t = Term::start("free", f.dir.path(), &db);
    t.keys(&["9", "n"]);
    t.wait_for("New free send");
    t.typed(&xlsx.display().to_string());
    t.keys(&["Tab"]);
    t.typed("31/03/2026 11:00");
    t.keys(&["Tab", "Tab"]);
    t.typed("Portes ouvertes samedi");
    t.keys(&["C-s"]);
    t.wait_for("2 valid number(s), 1 duplicate(s) removed, 1 invalid");
    assert!(t.screen().contains("row 5"), "{}", t.screen());
    t.keys(&["y"]);
    t.wait_for("2 message(s) queued");
    let upcoming = cli_json(&db, &["list", "upcoming"]);
    let mut phones: Vec<&str> = rows(&upcoming).iter().map(|r| field(r, "phone")).collect();
    phones.sort_unstable();
    assert_eq!(phones, ["+33611223344", "+33755667788"]);
    for r in rows(&upcoming) {
        assert_eq!(field(r, "context"), "free");
        assert!(
            field(r, "planned").starts_with("2026-03-31T11:00:00+02:00"),
            "{r}"
        );
    }
}

#[test]
fn oui_by_sms_sets_the_outcome_in_the_agenda_and_shows_in_the_inbox() {
    if !have_tmux() {
        return;
    }
    let mut f = empty_store();
    // The reminder left an hour ago and was delivered.
    let event = interview_question(&mut f);
    let db = db_of(&f);
    let out = cli(
        &db,
        &[
            "simulate",
            "reply",
            "--from",
            "06 12 34 56 78",
            "--text",
            "Oui !",
        ],
    );
    let said = String::from_utf8_lossy(&out);
    assert!(said.contains("confirmed by SMS"), "{said}");
    let t = Term::start("reply", f.dir.path(), &db);
    t.keys(&["a"]);
    let screen = t.wait_for("Élodie Martin");
    // The outcome column shows the start of "confirmed by SMS" at 80 columns.
    assert!(screen.contains("confirmed by"), "{screen}");
    let outcome: String = Store::open(&db)
        .unwrap()
        .conn()
        .query_row("SELECT outcome FROM events WHERE id = ?1", [event], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(outcome, "confirmed by SMS");
    t.keys(&["i"]);
    t.wait_for("Oui !");
    t.keys(&["Enter"]);
    // The conversation: the reminder out, the answer in.
    let screen = t.wait_for("←");
    assert!(
        screen.contains("→") && screen.contains("répondez OUI ou NON"),
        "{screen}"
    );
    let sent = cli_json(&db, &["list", "sent"]);
    let r = &rows(&sent)[0];
    assert_eq!(field(r, "reply"), "Oui !", "{r}");
}

#[test]
fn sent_exported_to_xlsx_reads_back_with_calamine() {
    if !have_tmux() {
        return;
    }
    use calamine::{Data, Reader, open_workbook_auto};
    let f = empty_store();
    for (i, name) in ["Bob", "Carla", "Dan"].iter().enumerate() {
        add_message(
            &f.store,
            &Msg::instant(
                &format!("+3369876543{i}"),
                name,
                "Bonjour",
                now() - Duration::hours(3 + i as i64),
                DELIVERED,
            ),
        );
    }
    let db = db_of(&f);
    let xlsx = f.dir.path().join("sent.xlsx");
    let t = Term::start("export", f.dir.path(), &db);
    t.keys(&["6"]);
    t.wait_for("Carla");
    t.keys(&["e"]);
    t.wait_for("Export Sent");
    t.keys(&["C-u"]);
    t.typed(&xlsx.display().to_string());
    t.keys(&["Enter"]);
    t.wait_for("exported 3 row(s)");
    let sent = cli_json(&db, &["list", "sent"]);
    let mut book = open_workbook_auto(&xlsx).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(cells.len(), 1 + rows_of(&sent));
    // Phone numbers are text cells, exactly as the CLI lists them.
    let mut from_cli: Vec<String> = rows(&sent)
        .iter()
        .map(|r| field(r, "phone").to_string())
        .collect();
    let mut from_file: Vec<String> = cells[1..]
        .iter()
        .filter_map(|r| {
            r.iter().find_map(|c| match c {
                Data::String(s) if s.starts_with("+33") => Some(s.clone()),
                _ => None,
            })
        })
        .collect();
    from_cli.sort();
    from_file.sort();
    assert_eq!(from_file, from_cli);
}

fn rows_of(v: &serde_json::Value) -> usize {
    rows(v).len()
}

/// A batch queued for tomorrow 10:00 (nothing of it has left): Enter on it in the history
/// shows its messages, in Upcoming, under a title naming it; Esc goes back to the history.
#[test]
fn a_scheduled_batch_opened_from_the_history_shows_its_messages() {
    if !have_tmux() {
        return;
    }
    use smsdesk::core::batch::{BatchInput, InterviewInput, queue_batch};
    use smsdesk::core::send::Body;
    let mut f = empty_store();
    let actor = Actor::identify(&mut f.store, "admin", now()).unwrap();
    f.store
        .conn()
        .execute(
            "INSERT INTO collaborators(first_name, last_name, active) VALUES ('Claire', 'Durand', 1)",
            [],
        )
        .unwrap();
    let people = vec![
        add_participant(&f.store, "Anna", "Arnaud", "+33612345670", true),
        add_participant(&f.store, "Bruno", "Blanc", "+33612345671", true),
        add_participant(&f.store, "Chloé", "Caron", "+33612345672", true),
    ];
    let day = |d, h| local(d, 3, h);
    queue_batch(
        &mut f.store,
        &actor,
        &BatchInput {
            name: "Relance avril".into(),
            participants: people,
            lists: vec![],
            interview: Some(InterviewInput {
                starts_local: Some(day(30, 9)),
                collaborator_id: Some(1),
                interview_type: "relance".into(),
                theme: "suivi".into(),
                outcome: "information sent".into(),
                ..Default::default()
            }),
            body: Body::Text("Bonjour {{participant.first_name}}, rappel de votre suivi.".into()),
            campaign: false,
        },
        &[],
        Some(day(31, 10)),
        now(),
    )
    .unwrap();
    let db = db_of(&f);
    let t = Term::start("scheduled-batch", f.dir.path(), &db);
    t.keys(&["8"]);
    t.wait_for("Relance avril");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Upcoming › batch « Relance avril » · not yet sent");
    assert!(!screen.contains("(no rows)"), "{screen}");
    // What the screen lists is what the store holds for tomorrow.
    let upcoming = cli_json(&db, &["list", "upcoming"]);
    assert_eq!(rows(&upcoming).len(), 3, "{upcoming}");
    for r in rows(&upcoming) {
        assert!(
            field(r, "planned").starts_with("2026-03-31T10:00:00+02:00"),
            "{r}"
        );
        assert!(
            screen.contains(field(r, "name")),
            "{} not shown:\n{screen}",
            field(r, "name")
        );
    }
    assert!(screen.contains("Esc back to history"), "{screen}");
    t.keys(&["Escape"]);
    let screen = t.wait_for("history — n: new batch");
    assert!(!screen.contains("›"), "{screen}");
}

#[test]
fn a_templates_only_operator_sends_a_template_to_a_contact_and_to_an_event() {
    if !have_tmux() {
        return;
    }
    let mut f = empty_store();
    let admin = Actor::identify(&mut f.store, "admin", now()).unwrap();
    smsdesk::core::admin::add_user(
        &mut f.store,
        &admin,
        "karim",
        smsdesk::store::operators::Rights::parse("instant,scheduled,templates_only").unwrap(),
        now(),
    )
    .unwrap();
    add_participant(&f.store, "Élodie", "Martin", "+33612345678", true);
    for (name, context, body) in [
        (
            "Atelier CV",
            "batch",
            "Bonjour {{participant.first_name}}, atelier CV jeudi à 10h.",
        ),
        (
            "Rappel RDV",
            "interview",
            "Bonjour {{participant.first_name}}, RDV le {{event.datetime}}.",
        ),
    ] {
        add_template(&f.store, name, context, body, false);
    }
    add_interview(&mut f.store, &admin, 1, local(3, 4, 14));
    let db = db_of(&f);
    let t = Term::launch(
        f.dir.path(),
        &db,
        Launch {
            user: "karim",
            ..Launch::english("templates-only")
        },
    );

    // Contacts: a new message to Élodie, the text picked by name; typing changes nothing.
    t.keys(&["c"]);
    t.wait_for("MARTIN");
    t.keys(&["n"]);
    t.wait_for("Ctrl-o");
    t.keys(&["C-o"]);
    t.typed("atel");
    t.keys(&["Enter"]);
    t.wait_for("atelier CV jeudi");
    t.typed("xyz");
    t.keys(&["C-s"]);
    // One question before it leaves.
    t.wait_for("Recipient: Élodie Martin");
    t.keys(&["y"]);
    t.wait_for("queued (see Upcoming)");

    // Agenda: the event's reminder, the template picked the same way.
    t.keys(&["a"]);
    t.wait_for("Martin");
    t.keys(&["t"]);
    t.wait_for("Ctrl-o");
    t.keys(&["C-o"]);
    t.typed("rapp");
    t.keys(&["Enter"]);
    t.wait_for("Rappel RDV");
    t.keys(&["C-s"]);
    t.wait_for("reminder planned for");

    let mut all = rows(&cli_json(&db, &["list", "upcoming"])).clone();
    all.extend(rows(&cli_json(&db, &["list", "sent"])).iter().cloned());
    let karims: Vec<_> = all
        .iter()
        .filter(|r| field(r, "created_by") == "karim")
        .collect();
    assert_eq!(karims.len(), 2, "{all:?}");
    assert!(
        karims.iter().any(|r| field(r, "text")
            .starts_with("Bonjour Élodie, atelier CV jeudi à 10h.")
            && !field(r, "text").contains("xyz")),
        "{karims:?}"
    );
    assert!(
        karims.iter().any(|r| field(r, "kind") == "reminder"
            && field(r, "text").starts_with("Bonjour Élodie, RDV le")),
        "{karims:?}"
    );
}
