//! A message must say something of its own: a text that is nothing but the signature and the
//! STOP mention (or blank, or only invisible characters) is refused by the core on every path
//! — individual, free, batch, reminder, and the rewrite of a message in Upcoming.

mod support;

use smsdesk::core::batch::{self, BatchInput, InterviewInput};
use smsdesk::core::events::{self, EventKind, NewEventInput};
use smsdesk::core::reminders::{self, When};
use smsdesk::core::send::{self, Body, FreeSend, IndividualSend};
use smsdesk::core::{Actor, CoreError, admin};
use smsdesk::store::participants;
use smsdesk::store::{Store, StoreError};
use support::world::*;

const SIGNATURE: &str = "Mairie de Lyon";
const STOP: &str = "STOP au 36608";
/// What an operator may leave in the text box that a phone shows as nothing.
const BLANKS: &[&str] = &["", "   ", "\n\t ", "\u{200b}\u{feff}"];

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    admin: Actor,
    collaborator: i64,
    alice: i64,
}

fn world() -> World {
    let (dir, mut store, admin) = open_store("t.db");
    admin::set_setting(&mut store, &admin, "signature", SIGNATURE, now()).unwrap();
    admin::set_setting(&mut store, &admin, "stop_mention", STOP, now()).unwrap();
    add_pack(&mut store, &admin, 1000);
    let (collaborator, alice) = store
        .write(|tx: smsdesk::store::Db<'_>| {
            let c = add_collaborator(tx, "Julien", "Dubois")?;
            let a = participants::insert_participant(
                tx,
                &person("Alice", Some("+33612345678")),
                now(),
            )?;
            Ok::<_, StoreError>((c, a))
        })
        .unwrap();
    World {
        _dir: dir,
        store,
        admin,
        collaborator,
        alice,
    }
}

fn says_nothing(e: &CoreError) -> bool {
    let m = e.to_string();
    matches!(e, CoreError::Invalid(_))
        && (m.contains("no text of its own") || m.contains("the message is empty"))
}

fn pending(store: &Store) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM messages WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn an_individual_message_needs_a_text_of_its_own() {
    let mut w = world();
    for text in BLANKS.iter().copied().chain([STOP]) {
        let req = IndividualSend {
            to: vec!["06 11 22 33 44".into()],
            body: Body::Text(text.into()),
            at: None,
        };
        let err = send::send_individual(&mut w.store, &w.admin, &req, now()).unwrap_err();
        assert!(says_nothing(&err), "{text:?}: {err}");
    }
    assert_eq!(pending(&w.store), 0);
    let req = IndividualSend {
        to: vec!["06 11 22 33 44".into()],
        body: Body::Text("Votre dossier est prêt".into()),
        at: None,
    };
    send::send_individual(&mut w.store, &w.admin, &req, now()).unwrap();
}

#[test]
fn a_free_send_needs_a_text_of_its_own() {
    let mut w = world();
    for text in BLANKS.iter().copied().chain([STOP, "stop AU 36608 "]) {
        let req = FreeSend {
            text: text.into(),
            numbers: vec!["+33612345678".into(), "+33612345679".into()],
            at: None,
            campaign: false,
            source: "typed".into(),
        };
        let err = send::queue_free(&mut w.store, &w.admin, &req, now()).unwrap_err();
        assert!(says_nothing(&err), "{text:?}: {err}");
        let err = send::free_totals(&w.store, text, 2).unwrap_err();
        assert!(says_nothing(&err), "preview of {text:?}: {err}");
    }
    assert_eq!(pending(&w.store), 0);
}

#[test]
fn a_batch_needs_a_text_of_its_own() {
    let mut w = world();
    for text in [STOP, "\u{200b}"] {
        let input = BatchInput {
            name: "Salon".into(),
            participants: vec![w.alice],
            lists: vec![],
            interview: Some(InterviewInput {
                starts_local: Some(local("2026-03-26 10:00")),
                collaborator_id: Some(w.collaborator),
                interview_type: "collective information".into(),
                theme: "job fair".into(),
                outcome: "invitation sent".into(),
                ..Default::default()
            }),
            body: Body::Text(text.into()),
            campaign: false,
        };
        match batch::preview_batch(&w.store, &w.admin, &input) {
            Ok(preview) => {
                let error = preview.rows[0]
                    .error
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                assert!(
                    error.contains("no text of its own") || error.contains("empty"),
                    "{text:?}: {error:?}"
                );
            }
            Err(e) => assert!(says_nothing(&e), "{text:?}: {e}"),
        }
        assert!(
            batch::queue_batch(&mut w.store, &w.admin, &input, &[], None, now()).is_err(),
            "{text:?} queued"
        );
    }
    assert_eq!(pending(&w.store), 0);
}

#[test]
fn a_reminder_and_a_rewritten_message_need_a_text_of_their_own() {
    let mut w = world();
    let event = events::create_event(
        &mut w.store,
        &w.admin,
        NewEventInput {
            participant_id: w.alice,
            kind: EventKind::Interview,
            event_type: "diagnosis".into(),
            starts_local: local("2026-03-26 10:00"),
            collaborator_id: Some(w.collaborator),
            location: "Lyon".into(),
            notes: String::new(),
            reminder: None,
        },
        now(),
    )
    .unwrap()
    .event_id;
    for text in BLANKS.iter().copied().chain([SIGNATURE]) {
        let err = reminders::schedule_reminder(
            &mut w.store,
            &w.admin,
            event,
            When::DaysBefore(1),
            Body::Text(text.into()),
            now(),
        )
        .unwrap_err();
        assert!(says_nothing(&err), "reminder {text:?}: {err}");
    }
    assert_eq!(pending(&w.store), 0);
    let reminder = reminders::schedule_reminder(
        &mut w.store,
        &w.admin,
        event,
        When::DaysBefore(1),
        Body::Text("RDV jeudi 10h".into()),
        now(),
    )
    .unwrap()
    .message_id;
    let whole = format!("{SIGNATURE}\n");
    for text in BLANKS.iter().copied().chain([SIGNATURE, whole.as_str()]) {
        let err = reminders::edit_reminder_text(&mut w.store, &w.admin, reminder, text, now())
            .unwrap_err();
        assert!(says_nothing(&err), "reminder rewrite {text:?}: {err}");
    }
    let individual = send::send_individual(
        &mut w.store,
        &w.admin,
        &IndividualSend {
            to: vec!["06 11 22 33 44".into()],
            body: Body::Text("Votre dossier est prêt".into()),
            at: None,
        },
        now(),
    )
    .unwrap()[0];
    for text in BLANKS.iter().copied().chain([SIGNATURE, whole.as_str()]) {
        let err =
            send::edit_message_text(&mut w.store, &w.admin, individual, text, now()).unwrap_err();
        assert!(says_nothing(&err), "Upcoming rewrite {text:?}: {err}");
    }
    let free = send::queue_free(
        &mut w.store,
        &w.admin,
        &FreeSend {
            text: "Portes ouvertes samedi".into(),
            numbers: vec!["+33612345678".into()],
            at: None,
            campaign: false,
            source: "typed".into(),
        },
        now(),
    )
    .unwrap()
    .1[0];
    let only_mentions = format!("{SIGNATURE}\n{STOP}");
    for text in [STOP, only_mentions.as_str()] {
        let err = send::edit_message_text(&mut w.store, &w.admin, free, text, now()).unwrap_err();
        assert!(says_nothing(&err), "free rewrite {text:?}: {err}");
    }
    let text: String = w
        .store
        .conn()
        .query_row("SELECT text FROM messages WHERE id = ?1", [free], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(text.starts_with("Portes ouvertes samedi"), "{text}");
}
