//! A rule created on an agenda that already holds its events (budget: < 5 s for 10,000):
//! saving a D-1 rule plans the reminder of every matching future event, in one transaction
//! (Jungo2's protocol: the events first, then the rule). Each iteration starts from a copy of
//! the same store (10,000 participants, one interview each over the next 60 days).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use smsdesk::core::Actor;
use smsdesk::core::automations::{AutomationRule, save_automation};
use smsdesk::core::events::EventKind;
use smsdesk::sms::template::TemplateContext;
use smsdesk::store::events::{NewEvent, insert_event};
use smsdesk::store::participants::{self, NewParticipant};
use smsdesk::store::templates::{self, NewTemplate};
use smsdesk::store::{Store, StoreError};
use std::hint::black_box;
use std::path::{Path, PathBuf};

const EVENTS: usize = 10_000;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-23T10:00:00Z")
        .expect("valid instant")
        .with_timezone(&Utc)
}

/// Builds the reference store; returns the rule to save.
fn build(path: &Path) -> AutomationRule {
    let mut store = Store::open(path).expect("store");
    Actor::identify(&mut store, "admin", now()).expect("admin");
    let template = store
        .write(|tx: smsdesk::store::Db<'_>| {
            let t = templates::insert_template(
                tx,
                &NewTemplate {
                    name: "Rappel".into(),
                    context: TemplateContext::Interview,
                    body: "Bonjour {{participant.first_name}}, RDV le {{event.date|%d/%m}} à {{event.time|%Hh%M}}.".into(),
                    active: true,
                    locked: false,
                    reply_expected: true,
                    keywords: vec![("oui".into(), "confirmé par SMS".into())],
                    created_by: "admin".into(),
                    created_at: now(),
                },
            )?;
            let base = NaiveDateTime::parse_from_str("2026-03-25 09:00", "%Y-%m-%d %H:%M")
                .expect("valid date");
            for i in 0..EVENTS {
                let p = participants::insert_participant(
                    tx,
                    &NewParticipant {
                        kind: smsdesk::sms::status::ParticipantKind::Participant,
                        first_name: format!("Prénom{i}"),
                        last_name: format!("Nom{i}"),
                        mobile: Some(format!("+3361{i:07}")),
                        sms_consent: true,
                        ..Default::default()
                    },
                    now(),
                )?;
                // 09:00-17:30 in Paris over 60 days (CET, then CEST from 29 March).
                let local = base
                    + Duration::days((i % 60) as i64)
                    + Duration::minutes(((i / 60) % 18) as i64 * 30);
                let offset = if local.date() >= chrono::NaiveDate::from_ymd_opt(2026, 3, 29).expect("date") { 2 } else { 1 };
                insert_event(
                    tx,
                    &NewEvent {
                        location: "Lyon".into(),
                        ..NewEvent::planned(
                            p,
                            smsdesk::sms::status::EventKind::Interview,
                            "diagnostic".into(),
                            (local.and_utc() - Duration::hours(offset), local),
                            "admin",
                            now(),
                        )
                    },
                )?;
            }
            Ok::<_, StoreError>(t)
        })
        .expect("fixture");
    store
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    AutomationRule {
        name: "Veille de RDV".into(),
        event_kind: EventKind::Interview,
        collaborators: vec![],
        event_types: vec![],
        offset_days: -1,
        template_id: template,
        active: true,
        condition: Default::default(),
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let reference = dir.path().join("reference.db");
    let rule = build(&reference);
    let mut n = 0u32;
    let mut group = c.benchmark_group("automations");
    group.sample_size(10);
    group.bench_function("rule_on_an_agenda_of_10000_events", |b| {
        b.iter_batched(
            || {
                n += 1;
                let copy: PathBuf = dir.path().join(format!("copy{n}.db"));
                std::fs::copy(&reference, &copy).expect("copy");
                let mut store = Store::open(&copy).expect("open copy");
                let admin = Actor::identify(&mut store, "admin", now()).expect("admin");
                (store, admin, copy)
            },
            |(mut store, admin, copy)| {
                let out = save_automation(&mut store, &admin, None, &rule, now()).expect("save");
                // Every event after tomorrow gets its reminder; the first days' may be past.
                assert!(out.created() > EVENTS * 9 / 10, "{}", out.created());
                black_box(out);
                (store, copy)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
