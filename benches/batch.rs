//! Queuing a 10,000-recipient batch (budget: < 1 s): one `batches` row, 10,000 messages with
//! their first history row and 10,000 interviews, in one transaction. Each iteration starts
//! from a copy of the same store (10,000 participants in a saved list), so the figures do not
//! drift as the store grows.
//!
//! Beside it, its limit: the same batch queued in a copy without the Sent / Upcoming word
//! index's triggers (migration 012), so the ratio is what keeping the search index costs.

use chrono::{DateTime, NaiveDateTime, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use smsdesk::core::Actor;
use smsdesk::core::batch::{BatchInput, InterviewInput, queue_batch};
use smsdesk::core::send::Body;
use smsdesk::sms::template::TemplateContext;
use smsdesk::store::participants::{self, NewCollaborator, NewParticipant, NewSavedList};
use smsdesk::store::templates::{self, NewTemplate};
use smsdesk::store::{Store, StoreError};
use std::hint::black_box;
use std::path::{Path, PathBuf};

const RECIPIENTS: usize = 10_000;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-23T10:00:00Z")
        .expect("valid instant")
        .with_timezone(&Utc)
}

/// Builds the reference store; returns the batch to queue.
fn build(path: &Path) -> BatchInput {
    let mut store = Store::open(path).expect("store");
    Actor::identify(&mut store, "admin", now()).expect("admin");
    let (collaborator, template, list) = store
        .write(|tx: smsdesk::store::Db<'_>| {
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
                    body: "Bonjour {{participant.civility}} {{participant.last_name}}, le salon de l'emploi a lieu jeudi à 10h. Votre conseiller, {{collaborator.full_name}}".into(),
                    active: true,
                    locked: false,
                    reply_expected: false,
                    keywords: vec![],
                    created_by: "admin".into(),
                    created_at: now(),
                },
            )?;
            let mut ids = Vec::with_capacity(RECIPIENTS);
            for i in 0..RECIPIENTS {
                ids.push(participants::insert_participant(
                    tx,
                    &NewParticipant {
                        kind: smsdesk::sms::status::ParticipantKind::Participant,
                        civility: if i % 2 == 0 { "Mme".into() } else { "M.".into() },
                        first_name: format!("Prénom{i}"),
                        last_name: format!("Nom{i}"),
                        mobile: Some(format!("+3361{i:07}")),
                        sms_consent: true,
                        ..Default::default()
                    },
                    now(),
                )?);
            }
            let l = participants::insert_saved_list(
                tx,
                &NewSavedList {
                    name: "Tous".into(),
                    created_by: "admin".into(),
                    created_at: now(),
                    members: ids,
                },
            )?;
            Ok::<_, StoreError>((c, t, l))
        })
        .expect("fixture");
    // Fold the WAL into the main file so a plain copy carries everything.
    store
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    BatchInput {
        name: "Salon".into(),
        participants: vec![],
        lists: vec![list],
        interview: Some(InterviewInput {
            starts_local: NaiveDateTime::parse_from_str("2026-03-26 10:00", "%Y-%m-%d %H:%M").ok(),
            collaborator_id: Some(collaborator),
            interview_type: "information collective".into(),
            theme: "salon de l'emploi".into(),
            outcome: "invitation envoyée".into(),
            ..Default::default()
        }),
        body: Body::Template(template),
        campaign: false,
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let reference = dir.path().join("reference.db");
    let input = build(&reference);
    let mut n = 0u32;
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    for (name, word_index) in [
        ("queue_10000_recipients", true),
        ("queue_10000_recipients_without_word_index", false),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let copy: PathBuf = dir.path().join(format!("copy{n}.db"));
                    std::fs::copy(&reference, &copy).expect("copy");
                    let mut store = Store::open(&copy).expect("open copy");
                    if !word_index {
                        store
                            .conn()
                            .execute_batch(
                                "DROP TRIGGER messages_search_insert;
                                 DROP TRIGGER messages_search_update;
                                 DROP TRIGGER messages_search_delete;",
                            )
                            .expect("drop the word index's triggers");
                    }
                    let admin = Actor::identify(&mut store, "admin", now()).expect("admin");
                    (store, admin, copy)
                },
                |(mut store, admin, copy)| {
                    let q =
                        queue_batch(&mut store, &admin, &input, &[], None, now()).expect("queue");
                    assert_eq!(q.message_ids.len(), RECIPIENTS);
                    black_box(q);
                    (store, copy)
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
