//! Editing the text of one message not yet sent (Upcoming `w`): what the core accepts and
//! refuses, on a temporary store with a fixed clock.

use chrono::{DateTime, Utc};
use smsdesk::core::send::{self, Body, FreeSend, IndividualSend};
use smsdesk::core::{Actor, CoreError, admin};
use smsdesk::store::Store;
use smsdesk::store::operators::Rights;

/// Monday 2026-03-23 11:00 in Paris.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-23T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    admin: Actor,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let admin = Actor::identify(&mut store, "admin", now()).unwrap();
    admin::set_setting(&mut store, &admin, "signature", "", now()).unwrap();
    admin::set_setting(&mut store, &admin, "stop_mention", "STOP 36180", now()).unwrap();
    World {
        _dir: dir,
        store,
        admin,
    }
}

impl World {
    fn operator(&mut self, login: &str, rights: Rights) -> Actor {
        admin::add_user(&mut self.store, &self.admin, login, rights, now()).unwrap();
        Actor::identify(&mut self.store, login, now()).unwrap()
    }

    fn text_of(&self, id: i64) -> (String, i64, i64, String) {
        self.store
            .conn()
            .query_row(
                "SELECT text, segments, manual_edit, encoding FROM messages WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
    }

    fn free(&mut self, actor: &Actor) -> i64 {
        let req = FreeSend {
            text: "Portes ouvertes samedi".into(),
            numbers: vec!["+33612345678".into()],
            at: None,
            campaign: false,
            source: "typed".into(),
        };
        send::queue_free(&mut self.store, actor, &req, now())
            .unwrap()
            .1[0]
    }

    fn individual(&mut self, actor: &Actor) -> i64 {
        let req = IndividualSend {
            to: vec!["06 11 22 33 44".into()],
            body: Body::Text("Votre dossier est prêt".into()),
            at: None,
        };
        send::send_individual(&mut self.store, actor, &req, now()).unwrap()[0]
    }
}

#[test]
fn individual_and_free_messages_are_stored_under_their_own_context_and_author() {
    let mut w = world();
    let admin = w.admin.clone();
    let individual = w.individual(&admin);
    let free = w.free(&admin);
    let stored = |id: i64| -> (String, String, String, i64) {
        w.store
            .conn()
            .query_row(
                "SELECT context, kind, created_by, created_at FROM messages WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
    };
    let at = now().timestamp();
    let expected = |context: &str, kind: &str| (context.into(), kind.into(), "admin".into(), at);
    assert_eq!(stored(individual), expected("individual", "instant"));
    assert_eq!(stored(free), expected("free", "free"));
}

fn message(e: &CoreError) -> String {
    e.to_string()
}

#[test]
fn a_new_text_is_counted_saved_as_a_manual_edit_and_audited() {
    let mut w = world();
    let admin = w.admin.clone();
    let id = w.individual(&admin);
    let edited = send::edit_message_text(
        &mut w.store,
        &admin,
        id,
        "Votre dossier est prêt à 14h",
        now(),
    )
    .unwrap();
    assert_eq!(edited.text, "Votre dossier est prêt à 14h");
    assert_eq!((edited.chars, edited.segments), (28, 1));
    let (text, segments, manual, encoding) = w.text_of(id);
    assert_eq!(
        (text.as_str(), segments, manual, encoding.as_str()),
        ("Votre dossier est prêt à 14h", 1, 1, "UCS-2")
    );
    let audited: i64 = w
        .store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'message.edit_text' AND object_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn a_free_send_must_keep_its_stop_mention_and_accepts_no_merge_field() {
    let mut w = world();
    let admin = w.admin.clone();
    let id = w.free(&admin);
    assert!(
        w.text_of(id).0.ends_with("STOP 36180"),
        "{}",
        w.text_of(id).0
    );
    let err = send::edit_message_text(&mut w.store, &admin, id, "Portes ouvertes dimanche", now())
        .unwrap_err();
    assert!(message(&err).contains("STOP mention"));
    let err = send::edit_message_text(
        &mut w.store,
        &admin,
        id,
        "Bonjour {{participant.first_name}}\nSTOP 36180",
        now(),
    )
    .unwrap_err();
    assert!(message(&err).contains("field"), "{}", message(&err));
    // Case of the mention does not matter; the text is unchanged by refusals before this.
    assert!(w.text_of(id).0.starts_with("Portes ouvertes samedi"));
    send::edit_message_text(
        &mut w.store,
        &admin,
        id,
        "Portes ouvertes dimanche\nstop 36180",
        now(),
    )
    .unwrap();
    assert_eq!(w.text_of(id).0, "Portes ouvertes dimanche\nstop 36180");
}

#[test]
fn too_long_not_pending_or_someone_elses_message_is_refused() {
    let mut w = world();
    let admin = w.admin.clone();
    let id = w.individual(&admin);
    admin::set_setting(&mut w.store, &admin, "max_segments", "1", now()).unwrap();
    let err =
        send::edit_message_text(&mut w.store, &admin, id, &"x".repeat(161), now()).unwrap_err();
    assert!(message(&err).contains("too long"));
    let err = send::edit_message_text(&mut w.store, &admin, id, "  ", now()).unwrap_err();
    assert!(message(&err).contains("empty"));

    // Another operator with every sending right may not edit the administrator's message.
    let all = Rights {
        instant: true,
        scheduled: true,
        batch: true,
        free: true,
        ..Default::default()
    };
    let bob = w.operator("bob", all);
    let err = send::edit_message_text(&mut w.store, &bob, id, "Bonjour", now()).unwrap_err();
    assert!(message(&err).contains("created by admin"));

    // A "templates only" operator may not write a text, even on their own message.
    let tina = w.operator(
        "tina",
        Rights {
            templates_only: true,
            ..all
        },
    );
    let err = send::edit_message_text(&mut w.store, &tina, id, "Bonjour", now()).unwrap_err();
    assert!(matches!(err, CoreError::Forbidden(_)));

    // Cancelled: no longer editable.
    send::cancel(&mut w.store, &admin, &[id], now()).unwrap();
    let err = send::edit_message_text(&mut w.store, &admin, id, "Bonjour", now()).unwrap_err();
    assert!(message(&err).contains("only messages not yet sent"));
    assert_eq!(w.text_of(id).0, "Votre dossier est prêt");
}
