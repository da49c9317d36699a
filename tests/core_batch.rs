//! Batch sends on a temporary store with a fixed clock: preview rows, errors and totals; queuing
//! (unticked recipients left out, one interview per queued recipient, one transaction); a
//! 10,000-recipient batch. Segment counts are checked against the GSM 03.38 rule (160 in one
//! segment, 153 per segment when split) on texts of plain GSM characters.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use smsdesk::core::batch::{self, BatchInput, InterviewInput};
use smsdesk::core::send::Body;
use smsdesk::core::{Actor, CoreError, admin};
use smsdesk::sms::template::TemplateContext;
use smsdesk::store::operators::Rights;
use smsdesk::store::participants::{self, NewCollaborator, NewParticipant, NewSavedList};
use smsdesk::store::templates::{self, NewTemplate};
use smsdesk::store::{Store, StoreError};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// Monday 2026-03-23 11:00 in Paris.
fn now() -> DateTime<Utc> {
    utc("2026-03-23T10:00:00Z")
}

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    admin: Actor,
    collaborator: i64,
    template: i64,
}

const BODY: &str =
    "Bonjour {{participant.first_name}}, salon de l'emploi jeudi 10h. {{collaborator.first_name}}";

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("b.db")).unwrap();
    let admin = Actor::identify(&mut store, "admin", now()).unwrap();
    let (collaborator, template) = store
        .write(|tx| {
            let c = participants::insert_collaborator(
                tx,
                &NewCollaborator {
                    first_name: "Julien".into(),
                    last_name: "Dubois".into(),
                    active: true,
                    ..Default::default()
                },
            )?;
            let t = templates::insert_template(
                tx,
                &NewTemplate {
                    name: "Salon".into(),
                    context: TemplateContext::Batch,
                    body: BODY.into(),
                    active: true,
                    locked: false,
                    reply_expected: false,
                    keywords: vec![],
                    created_by: "admin".into(),
                    created_at: now(),
                },
            )?;
            Ok::<_, StoreError>((c, t))
        })
        .unwrap();
    admin::add_credit(
        &mut store,
        &admin,
        1000,
        "pack",
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        now(),
    )
    .unwrap();
    World {
        _dir: dir,
        store,
        admin,
        collaborator,
        template,
    }
}

fn person(first: &str, mobile: Option<&str>) -> NewParticipant {
    NewParticipant {
        kind: "participant".into(),
        first_name: first.into(),
        last_name: "Test".into(),
        mobile: mobile.map(Into::into),
        sms_consent: true,
        created_at: now(),
        ..Default::default()
    }
}

impl World {
    fn add(&mut self, p: NewParticipant) -> i64 {
        self.store
            .write(|tx| participants::insert_participant(tx, &p))
            .unwrap()
    }

    fn interview(&self) -> InterviewInput {
        InterviewInput {
            starts_local: Some(local("2026-03-26 10:00")),
            collaborator_id: Some(self.collaborator),
            interview_type: "collective information".into(),
            theme: "job fair".into(),
            outcome: "invitation sent".into(),
            location: "Lyon".into(),
            ..Default::default()
        }
    }

    fn input(&self, participants: Vec<i64>) -> BatchInput {
        BatchInput {
            name: "Salon mars".into(),
            participants,
            lists: vec![],
            interview: self.interview(),
            body: Body::Template(self.template),
            campaign: false,
        }
    }

    fn count(&self, sql: &str) -> i64 {
        self.store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// Segments of a text made only of GSM 03.38 basic characters.
fn gsm_segments(chars: usize) -> usize {
    if chars <= 160 { 1 } else { chars.div_ceil(153) }
}

fn invalid(e: CoreError) -> String {
    match e {
        CoreError::Invalid(m) => m,
        other => panic!("expected a refusal for bad input, got {other:?}"),
    }
}

fn forbidden(e: CoreError) -> String {
    match e {
        CoreError::Forbidden(m) => m,
        other => panic!("expected a missing right, got {other:?}"),
    }
}

#[test]
fn preview_shows_each_recipient_with_text_counts_and_error() {
    let mut w = world();
    let alice = w.add(person("Alice", Some("+33612345678")));
    let long_name = "B".repeat(110);
    let bob = w.add(person(&long_name, Some("+33612345679")));
    let nomobile = w.add(person("Chloe", None));
    let mut p = person("Denis", Some("+33612345670"));
    p.sms_consent = false;
    let noconsent = w.add(p);
    let stopped = w.add(person("Emma", Some("+33612345671")));
    let admin = w.admin.clone();
    smsdesk::core::send::record_opt_out(&mut w.store, &admin, "+33612345671", now()).unwrap();

    let preview = batch::preview_batch(
        &w.store,
        &admin,
        &w.input(vec![alice, bob, nomobile, noconsent, stopped, alice]),
    )
    .unwrap();
    assert_eq!(
        preview.rows.len(),
        5,
        "a recipient chosen twice is sent once"
    );
    let row = |id: i64| {
        preview
            .rows
            .iter()
            .find(|r| r.participant_id == id)
            .unwrap()
    };

    let a = row(alice);
    assert!(a.error.is_none());
    let text = a.text.as_deref().unwrap();
    assert!(
        text.starts_with("Bonjour Alice, salon de l'emploi jeudi 10h. Julien"),
        "{text}"
    );
    assert!(
        text.ends_with("STOP au 36608"),
        "the STOP mention ends a batch text: {text}"
    );
    assert_eq!(a.chars, text.chars().count());
    assert_eq!(a.segments, gsm_segments(a.chars));
    assert_eq!(a.segments, 1);

    // A long name makes a two-segment text.
    let b = row(bob);
    assert!(b.chars > 160, "{}", b.chars);
    assert_eq!(b.segments, gsm_segments(b.chars));
    assert_eq!(b.segments, 2);
    assert!(b.error.is_none());

    assert!(
        row(nomobile)
            .error
            .as_deref()
            .unwrap()
            .contains("no mobile")
    );
    assert!(row(noconsent).error.as_deref().unwrap().contains("consent"));
    assert!(row(stopped).error.as_deref().unwrap().contains("opted out"));

    assert_eq!(preview.totals.recipients, 5);
    assert_eq!(preview.totals.messages, 2);
    assert_eq!(preview.totals.errors, 3);
    assert_eq!(preview.totals.segments, a.segments + b.segments);
    assert_eq!(preview.totals.balance, 1000);
    assert_eq!(preview.totals.balance_after, 1000 - 3);
    // A preview writes nothing.
    assert_eq!(w.count("SELECT count(*) FROM messages"), 0);
    assert_eq!(w.count("SELECT count(*) FROM events"), 0);
}

#[test]
fn preview_flags_too_long_texts_and_missing_field_values() {
    let mut w = world();
    let admin = w.admin.clone();
    admin::set_setting(&mut w.store, &admin, "max_segments", "1", now()).unwrap();
    let alice = w.add(person("Alice", Some("+33612345678")));
    let long = w.add(person(&"B".repeat(110), Some("+33612345679")));
    let mut input = w.input(vec![alice, long]);
    let preview = batch::preview_batch(&w.store, &admin, &input).unwrap();
    assert!(preview.rows[0].error.is_none());
    let err = preview.rows[1].error.as_deref().unwrap();
    assert!(err.contains("too long"), "{err}");
    assert_eq!(preview.totals.messages, 1);

    // A participant without programme: the field is named.
    let mut p = person("Farid", Some("+33612345672"));
    p.programme = "CEJ".into();
    let with_prog = w.add(p);
    input.participants = vec![with_prog, alice];
    input.body = Body::Text("Info {{participant.programme}}".into());
    let preview = batch::preview_batch(&w.store, &admin, &input).unwrap();
    assert!(
        preview.rows[0]
            .text
            .as_deref()
            .unwrap()
            .starts_with("Info CEJ")
    );
    let err = preview.rows[1].error.as_deref().unwrap();
    assert!(err.contains("participant.programme"), "{err}");
}

#[test]
fn refusals_name_what_is_wrong() {
    let mut w = world();
    let alice = w.add(person("Alice", Some("+33612345678")));
    let admin = w.admin.clone();

    // Missing required interview fields, all named.
    let mut input = w.input(vec![alice]);
    input.interview.theme = "  ".into();
    input.interview.outcome = String::new();
    input.interview.starts_local = None;
    let err = invalid(batch::preview_batch(&w.store, &admin, &input).unwrap_err());
    assert!(
        err.contains("theme") && err.contains("outcome") && err.contains("date-time"),
        "{err}"
    );

    // No batch right.
    admin::add_user(
        &mut w.store,
        &admin,
        "ines",
        Rights::parse("instant,scheduled").unwrap(),
        now(),
    )
    .unwrap();
    let ines = Actor::identify(&mut w.store, "ines", now()).unwrap();
    let err = forbidden(batch::preview_batch(&w.store, &ines, &w.input(vec![alice])).unwrap_err());
    assert!(err.contains("batch"), "{err}");

    // "Templates only": a typed text is refused, a template is fine.
    admin::add_user(
        &mut w.store,
        &admin,
        "karim",
        Rights::parse("batch,templates_only").unwrap(),
        now(),
    )
    .unwrap();
    let karim = Actor::identify(&mut w.store, "karim", now()).unwrap();
    let mut typed = w.input(vec![alice]);
    typed.body = Body::Text("Salon jeudi".into());
    let err = forbidden(batch::preview_batch(&w.store, &karim, &typed).unwrap_err());
    assert!(err.contains("templates only"), "{err}");
    assert!(batch::preview_batch(&w.store, &karim, &w.input(vec![alice])).is_ok());

    // An explicit time outside the window.
    let one = w.input(vec![alice]);
    let err = invalid(
        batch::queue_batch(
            &mut w.store,
            &admin,
            &one,
            &[],
            Some(local("2026-03-24 20:00")),
            now(),
        )
        .unwrap_err(),
    );
    assert!(err.contains("outside the sending window"), "{err}");

    // An information campaign may not be planned on a Sunday.
    let mut campaign = w.input(vec![alice]);
    campaign.campaign = true;
    admin::set_setting(&mut w.store, &admin, "window_days", "mon-sun", now()).unwrap();
    let err = invalid(
        batch::queue_batch(
            &mut w.store,
            &admin,
            &campaign,
            &[],
            Some(local("2026-03-29 11:00")),
            now(),
        )
        .unwrap_err(),
    );
    assert!(err.contains("Sunday"), "{err}");

    // Nothing sendable.
    let err =
        invalid(batch::queue_batch(&mut w.store, &admin, &one, &[alice], None, now()).unwrap_err());
    assert!(err.contains("nothing to send"), "{err}");
    assert_eq!(w.count("SELECT count(*) FROM messages"), 0);
    assert_eq!(w.count("SELECT count(*) FROM batches"), 0);
}

#[test]
fn queue_leaves_out_unticked_and_invalid_recipients_and_records_one_interview_each() {
    let mut w = world();
    let alice = w.add(person("Alice", Some("+33612345678")));
    let bob = w.add(person("Bob", Some("+33612345679")));
    let carl = w.add(person("Carl", Some("+33612345680")));
    let nomobile = w.add(person("Chloe", None));
    let admin = w.admin.clone();
    let list = w
        .store
        .write(|tx| {
            participants::insert_saved_list(
                tx,
                &NewSavedList {
                    name: "Salon".into(),
                    created_by: "admin".into(),
                    created_at: now(),
                    members: vec![bob, carl, nomobile],
                },
            )
        })
        .unwrap();
    let mut input = w.input(vec![alice]);
    input.lists = vec![list];
    let q = batch::queue_batch(&mut w.store, &admin, &input, &[carl], None, now()).unwrap();
    assert_eq!(q.message_ids.len(), 2);
    assert_eq!(q.event_ids.len(), 2);
    assert!(
        q.left_out
            .iter()
            .any(|(id, why)| *id == carl && why == "unticked")
    );
    assert!(
        q.left_out
            .iter()
            .any(|(id, why)| *id == nomobile && why.contains("no mobile"))
    );
    // Sent "now": after the 30 s grace period (the window is open at 11:00).
    assert_eq!(q.planned_at, now() + chrono::Duration::seconds(30));

    let c = w.store.conn();
    let recipients: Vec<i64> = c
        .prepare("SELECT participant_id FROM messages WHERE batch_id = ?1 ORDER BY participant_id")
        .unwrap()
        .query_map([q.batch_id], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(recipients, vec![alice, bob]);
    let (kind, context, status, phone): (String, String, String, String) = c
        .query_row(
            "SELECT kind, context, status, phone FROM messages WHERE batch_id = ?1 AND participant_id = ?2",
            [q.batch_id, alice],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), context.as_str(), status.as_str()),
        ("batch", "batch", "pending")
    );
    assert_eq!(phone, "+33612345678");
    // One interview per queued recipient, with the batch's fields.
    let interviews: Vec<(i64, String, String, String, String, String, i64)> = c
        .prepare(
            "SELECT participant_id, kind, type, theme, outcome, starts_local, starts_at FROM events WHERE batch_id = ?1 ORDER BY participant_id",
        )
        .unwrap()
        .query_map([q.batch_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(interviews.len(), 2);
    assert_eq!(interviews[0].0, alice);
    assert_eq!(interviews[1].0, bob);
    for i in &interviews {
        assert_eq!(i.1, "interview");
        assert_eq!(i.2, "collective information");
        assert_eq!(i.3, "job fair");
        assert_eq!(i.4, "invitation sent");
        assert_eq!(i.5, "2026-03-26 10:00:00");
        assert_eq!(i.6, utc("2026-03-26T09:00:00Z").timestamp());
    }
    let (recorded, audit): (i64, i64) = c
        .query_row(
            "SELECT (SELECT recipients FROM batches WHERE id = ?1), (SELECT count(*) FROM audit_log WHERE action = 'batch.queue')",
            [q.batch_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((recorded, audit), (2, 1));
}

#[test]
fn ten_thousand_recipients_queue_in_one_batch() {
    let mut w = world();
    let admin = w.admin.clone();
    let ids = w
        .store
        .write(|tx| {
            let mut ids = Vec::with_capacity(10_000);
            for i in 0..10_000 {
                ids.push(participants::insert_participant(
                    tx,
                    &person(&format!("P{i}"), Some(&format!("+3361{:07}", i))),
                )?);
            }
            Ok::<_, StoreError>(ids)
        })
        .unwrap();
    let list = w
        .store
        .write(|tx| {
            participants::insert_saved_list(
                tx,
                &NewSavedList {
                    name: "Tous".into(),
                    created_by: "admin".into(),
                    created_at: now(),
                    members: ids.clone(),
                },
            )
        })
        .unwrap();
    let mut input = w.input(vec![]);
    input.lists = vec![list];
    let started = std::time::Instant::now();
    let q = batch::queue_batch(&mut w.store, &admin, &input, &[ids[17]], None, now()).unwrap();
    let took = started.elapsed();
    assert_eq!(q.message_ids.len(), 9_999);
    assert_eq!(q.event_ids.len(), 9_999);
    assert_eq!(
        w.count("SELECT count(*) FROM messages WHERE status = 'pending'"),
        9_999
    );
    assert_eq!(
        w.count("SELECT count(*) FROM events WHERE batch_id IS NOT NULL"),
        9_999
    );
    assert_eq!(
        w.count(&format!(
            "SELECT count(*) FROM messages WHERE participant_id = {}",
            ids[17]
        )),
        0
    );
    if !cfg!(debug_assertions) {
        assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
    }
}
