//! Batch sends on a temporary store with a fixed clock: preview rows, errors and totals; queuing
//! (unticked recipients left out, one interview per queued recipient, one transaction); a
//! 10,000-recipient batch. Segment counts are checked against the GSM 03.38 rule (160 in one
//! segment, 153 per segment when split) on texts of plain GSM characters.

mod support;

use chrono::{NaiveDate, Utc};
use smsdesk::core::batch::{self, BatchInput, InterviewInput};
use smsdesk::core::send::Body;
use smsdesk::core::{Actor, admin};
use smsdesk::sms::template::TemplateContext;
use smsdesk::store::operators::Rights;
use smsdesk::store::participants::{self, NewParticipant, NewSavedList};
use smsdesk::store::templates::{self, NewTemplate};
use smsdesk::store::{Store, StoreError};
use support::world::*;

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
    let (dir, mut store, admin) = open_store("b.db");
    let (collaborator, template) = store
        .write(|tx: smsdesk::store::Db<'_>| {
            let c = add_collaborator(tx, "Julien", "Dubois")?;
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
    add_pack(&mut store, &admin, 1000);
    World {
        _dir: dir,
        store,
        admin,
        collaborator,
        template,
    }
}

impl World {
    fn add(&mut self, p: NewParticipant) -> i64 {
        self.store
            .write(|tx: smsdesk::store::Db<'_>| participants::insert_participant(tx, &p, now()))
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
            interview: Some(self.interview()),
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
            .as_ref()
            .unwrap()
            .to_string()
            .contains("no mobile")
    );
    assert!(
        row(noconsent)
            .error
            .as_ref()
            .unwrap()
            .to_string()
            .contains("consent")
    );
    assert!(
        row(stopped)
            .error
            .as_ref()
            .unwrap()
            .to_string()
            .contains("opted out")
    );

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
    let err = preview.rows[1].error.as_ref().unwrap().to_string();
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
    let err = preview.rows[1].error.as_ref().unwrap().to_string();
    assert!(err.contains("participant.programme"), "{err}");
}

#[test]
fn refusals_name_what_is_wrong() {
    let mut w = world();
    let alice = w.add(person("Alice", Some("+33612345678")));
    let admin = w.admin.clone();

    // Missing required interview fields, all named.
    let mut input = w.input(vec![alice]);
    let mut interview = w.interview();
    interview.theme = "  ".into();
    interview.outcome = String::new();
    interview.starts_local = None;
    input.interview = Some(interview);
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
        .write(|tx: smsdesk::store::Db<'_>| {
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
fn a_shop_campaign_without_interview_fields_is_previewed_and_queued_and_records_no_interview() {
    let mut w = world();
    let alice = w.add(person("Alice", Some("+33612345678")));
    let bob = w.add(person("Bob", Some("+33612345679")));
    let admin = w.admin.clone();
    // A shop's campaign: name, recipients and text, no interview field filled in.
    let input = BatchInput {
        name: "Soldes d'hiver".into(),
        participants: vec![alice, bob],
        lists: vec![],
        interview: None,
        body: Body::Text("Bonjour {{participant.first_name}}, -20 % samedi.".into()),
        campaign: true,
    };
    let preview = batch::preview_batch(&w.store, &admin, &input).unwrap();
    assert_eq!(preview.totals.messages, 2);
    assert!(
        preview.rows[0]
            .text
            .as_deref()
            .is_some_and(|t| t.starts_with("Bonjour Alice, -20 % samedi.")),
        "{:?}",
        preview.rows[0]
    );
    let q = batch::queue_batch(&mut w.store, &admin, &input, &[], None, now()).unwrap();
    assert_eq!(q.message_ids.len(), 2);
    assert!(q.event_ids.is_empty(), "{:?}", q.event_ids);
    // Nothing lands in the recipients' histories; the messages point at no event.
    assert_eq!(w.count("SELECT count(*) FROM events"), 0);
    assert_eq!(
        w.count("SELECT count(*) FROM messages WHERE batch_id IS NOT NULL AND event_id IS NULL AND status = 'pending'"),
        2
    );
    // An interview batch with the same empty fields is still refused, every field named.
    let err = invalid(
        batch::preview_batch(
            &w.store,
            &admin,
            &BatchInput {
                interview: Some(InterviewInput::default()),
                ..input
            },
        )
        .unwrap_err(),
    );
    assert!(
        err.contains("date-time, collaborator, interview type, theme, outcome"),
        "{err}"
    );
}

#[test]
fn ten_thousand_recipients_queue_in_one_batch() {
    let mut w = world();
    let admin = w.admin.clone();
    let ids = w
        .store
        .write(|tx: smsdesk::store::Db<'_>| {
            let mut ids = Vec::with_capacity(10_000);
            for i in 0..10_000 {
                ids.push(participants::insert_participant(
                    tx,
                    &person(&format!("P{i}"), Some(&format!("+3361{:07}", i))),
                    now(),
                )?);
            }
            Ok::<_, StoreError>(ids)
        })
        .unwrap();
    let list = w
        .store
        .write(|tx: smsdesk::store::Db<'_>| {
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

// ---------------------------------------------------------------------------------------------
// Choosing recipients by filters

use batch::{ConsentFilter, FilterInput};
use smsdesk::store::events::{self, NewEvent};
use smsdesk::store::participants::ParticipantFilter;

/// An event of `participant` at `local` (Paris wall-clock time).
fn event(w: &mut World, participant: i64, kind: &str, typ: &str, collab: i64, local_s: &str) {
    event_full(w, participant, kind, typ, Some(collab), local_s, false);
}

fn event_full(
    w: &mut World,
    participant: i64,
    kind: &str,
    typ: &str,
    collab: Option<i64>,
    local_s: &str,
    cancelled: bool,
) {
    use chrono::TimeZone;
    let starts_local = local(local_s);
    let starts_at = chrono_tz::Europe::Paris
        .from_local_datetime(&starts_local)
        .single()
        .unwrap()
        .with_timezone(&Utc);
    w.store
        .write(|tx: smsdesk::store::Db<'_>| {
            events::insert_event(
                tx,
                &NewEvent {
                    collaborator_id: collab,
                    cancelled,
                    ..NewEvent::planned(
                        participant,
                        smsdesk::sms::status::EventKind::parse(kind).unwrap(),
                        typ.into(),
                        (starts_at, starts_local),
                        "admin",
                        now(),
                    )
                },
            )
        })
        .unwrap();
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Six people and their events, to filter:
/// - Alice, PLIE, consent — workshop with Julien on 31/03 23:30 (Paris);
/// - Bruno, PLIE, no consent — diagnosis with Julien on 01/04 00:30 (the next day, Paris);
/// - Chloé, partner, Garantie jeunes, consent — workshop with Sophie on 15/03;
/// - Denis, Garantie jeunes, consent — a cancelled workshop with Julien on 20/03;
/// - Emma, company, no programme, consent — no event;
/// - Farid, PLIE, consent — diagnosis with Julien and workshop with Sophie, both on 10/03.
struct People {
    w: World,
    sophie: i64,
    ids: [i64; 6],
}

fn people() -> People {
    let mut w = world();
    let julien = w.collaborator;
    let sophie = w
        .store
        .write(|tx: smsdesk::store::Db<'_>| add_collaborator(tx, "Sophie", "Martin"))
        .unwrap();
    let mut one = |first: &str, kind: &str, programme: &str, consent: bool| {
        let mut p = person(first, Some("+33612345678"));
        p.kind = smsdesk::sms::status::ParticipantKind::parse(kind).unwrap();
        p.programme = programme.into();
        p.sms_consent = consent;
        w.add(p)
    };
    let ids = [
        one("Alice", "participant", "PLIE", true),
        one("Bruno", "participant", "PLIE", false),
        one("Chloé", "partner", "Garantie jeunes", true),
        one("Denis", "participant", "Garantie jeunes", true),
        one("Emma", "company", "", true),
        one("Farid", "participant", "PLIE", true),
    ];
    event(
        &mut w,
        ids[0],
        "step",
        "workshop",
        julien,
        "2026-03-31 23:30",
    );
    event(
        &mut w,
        ids[1],
        "interview",
        "diagnosis",
        julien,
        "2026-04-01 00:30",
    );
    event(
        &mut w,
        ids[2],
        "step",
        "workshop",
        sophie,
        "2026-03-15 10:00",
    );
    event_full(
        &mut w,
        ids[3],
        "step",
        "workshop",
        Some(julien),
        "2026-03-20 10:00",
        true,
    );
    event(
        &mut w,
        ids[5],
        "interview",
        "diagnosis",
        julien,
        "2026-03-10 09:00",
    );
    event(
        &mut w,
        ids[5],
        "step",
        "workshop",
        sophie,
        "2026-03-10 14:00",
    );
    People { w, sophie, ids }
}

impl People {
    /// The first names the filter selects, through the core (rights and timezone).
    fn names(&self, input: &FilterInput) -> Vec<String> {
        let ids = batch::filter_participants(&self.w.store, &self.w.admin, input).unwrap();
        assert_eq!(
            batch::count_filtered(&self.w.store, input).unwrap(),
            ids.len() as i64,
            "the count and the ids agree for {input:?}"
        );
        ids.iter()
            .map(|id| {
                participants::get(self.w.store.db(), *id)
                    .unwrap()
                    .first_name
            })
            .collect()
    }
}

#[test]
fn filters_select_by_type_programme_and_consent() {
    let p = people();
    let kind = |k: &str| FilterInput {
        kind: Some(k.into()),
        ..Default::default()
    };
    assert_eq!(
        p.names(&kind("participant")),
        ["Alice", "Bruno", "Denis", "Farid"]
    );
    assert_eq!(p.names(&kind("partner")), ["Chloé"]);
    assert_eq!(p.names(&kind("company")), ["Emma"]);
    let plie = FilterInput {
        programme: Some("PLIE".into()),
        ..Default::default()
    };
    assert_eq!(p.names(&plie), ["Alice", "Bruno", "Farid"]);
    let no_consent = FilterInput {
        consent: ConsentFilter::No,
        ..Default::default()
    };
    assert_eq!(p.names(&no_consent), ["Bruno"]);
    // Criteria add up.
    let plie_consenting = FilterInput {
        consent: ConsentFilter::Yes,
        ..plie.clone()
    };
    assert_eq!(p.names(&plie_consenting), ["Alice", "Farid"]);
    // The choices the form offers: what exists, once each, in order, no empty programme.
    let conn = p.w.store.conn();
    assert_eq!(
        participants::programmes(conn.into()).unwrap(),
        ["Garantie jeunes", "PLIE"]
    );
    assert_eq!(
        participants::event_types(conn.into()).unwrap(),
        ["diagnosis", "workshop"]
    );
}

#[test]
fn event_filters_hold_on_one_same_event_that_is_not_cancelled() {
    let p = people();
    let julien = p.w.collaborator;
    let with_julien = FilterInput {
        collaborator_id: Some(julien),
        ..Default::default()
    };
    // Denis's event with Julien is cancelled: he is not selected.
    assert_eq!(p.names(&with_julien), ["Alice", "Bruno", "Farid"]);
    let workshops = FilterInput {
        event_type: Some("workshop".into()),
        ..Default::default()
    };
    assert_eq!(p.names(&workshops), ["Alice", "Chloé", "Farid"]);
    // Farid has a workshop (with Sophie) and a diagnosis with Julien, but no workshop with
    // Julien.
    let julien_workshops = FilterInput {
        collaborator_id: Some(julien),
        event_type: Some("workshop".into()),
        ..Default::default()
    };
    assert_eq!(p.names(&julien_workshops), ["Alice"]);
    let sophie = FilterInput {
        collaborator_id: Some(p.sophie),
        programme: Some("PLIE".into()),
        ..Default::default()
    };
    assert_eq!(p.names(&sophie), ["Farid"]);
}

#[test]
fn the_period_is_in_local_days_of_the_organisation_both_included() {
    let p = people();
    let period = |from: Option<&str>, to: Option<&str>| FilterInput {
        from: from.map(day),
        to: to.map(day),
        ..Default::default()
    };
    // Alice's workshop at 23:30 on 31 March (21:30 UTC) is in March; Bruno's diagnosis at
    // 00:30 on 1 April (22:30 UTC the day before) is not.
    assert_eq!(
        p.names(&period(Some("2026-03-01"), Some("2026-03-31"))),
        ["Alice", "Chloé", "Farid"]
    );
    assert_eq!(
        p.names(&period(Some("2026-04-01"), Some("2026-04-01"))),
        ["Bruno"]
    );
    assert_eq!(
        p.names(&period(Some("2026-03-31"), None)),
        ["Alice", "Bruno"]
    );
    assert_eq!(p.names(&period(None, Some("2026-03-14"))), ["Farid"]);
    // The same days read in Réunion (UTC+4): Alice's 21:30 UTC is 1 April 01:30 there.
    let mut w = p.w;
    let admin = w.admin.clone();
    admin::set_setting(&mut w.store, &admin, "timezone", "Indian/Reunion", now()).unwrap();
    let april_first = batch::filter_participants(
        &w.store,
        &admin,
        &period(Some("2026-04-01"), Some("2026-04-01")),
    )
    .unwrap();
    assert_eq!(april_first, [p.ids[0], p.ids[1]]);
}

#[test]
fn filtering_needs_the_batch_right_and_at_least_one_filter() {
    let mut p = people();
    let admin = p.w.admin.clone();
    let all = batch::count_filtered(&p.w.store, &FilterInput::default()).unwrap();
    assert_eq!(all, 6, "no filter: the count is every participant");
    let err = invalid(
        batch::filter_participants(&p.w.store, &admin, &FilterInput::default()).unwrap_err(),
    );
    assert!(err.contains("no filter chosen"), "{err}");
    let backward = FilterInput {
        from: Some(day("2026-03-31")),
        to: Some(day("2026-03-01")),
        ..Default::default()
    };
    let err = invalid(batch::filter_participants(&p.w.store, &admin, &backward).unwrap_err());
    assert!(err.contains("ends (01/03/2026) before it starts"), "{err}");
    admin::add_user(
        &mut p.w.store,
        &admin,
        "ines",
        Rights::parse("instant,scheduled").unwrap(),
        now(),
    )
    .unwrap();
    let ines = Actor::identify(&mut p.w.store, "ines", now()).unwrap();
    let plie = FilterInput {
        programme: Some("PLIE".into()),
        ..Default::default()
    };
    let err = forbidden(batch::filter_participants(&p.w.store, &ines, &plie).unwrap_err());
    assert!(err.contains("batch"), "{err}");
}

#[test]
fn filtered_chosen_and_listed_recipients_are_previewed_once_each() {
    let mut p = people();
    let admin = p.w.admin.clone();
    let plie = batch::filter_participants(
        &p.w.store,
        &admin,
        &FilterInput {
            programme: Some("PLIE".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let list =
        p.w.store
            .write(|tx: smsdesk::store::Db<'_>| {
                participants::insert_saved_list(
                    tx,
                    &NewSavedList {
                        name: "Mars".into(),
                        created_by: "admin".into(),
                        created_at: now(),
                        members: vec![p.ids[0], p.ids[2]],
                    },
                )
            })
            .unwrap();
    // Farid chosen one by one, then the PLIE filter (Alice, Bruno, Farid), then the list
    // (Alice, Chloé).
    let mut input = p.w.input([vec![p.ids[5]], plie].concat());
    input.lists = vec![list];
    let preview = batch::preview_batch(&p.w.store, &admin, &input).unwrap();
    let names: Vec<&str> = preview
        .rows
        .iter()
        .map(|r| r.name.split(' ').next().unwrap())
        .collect();
    assert_eq!(names, ["Farid", "Alice", "Bruno", "Chloé"]);
    // The preview still says why one cannot be sent to.
    let bruno = &preview.rows[2];
    assert!(
        bruno
            .error
            .as_ref()
            .is_some_and(|e| e.to_string().contains("has not consented")),
        "{bruno:?}"
    );
    assert_eq!(preview.totals.messages, 3);
}

/// 10⁵ participants and 3·10⁵ events: every event criterion finds its events through an
/// index (never a scan of the events), and the participants by id; a programme goes through
/// its index. Type and consent alone read the participants once (3 and 2 values: no index
/// would narrow them).
#[test]
fn every_filter_is_served_by_an_index_on_a_hundred_thousand_participants() {
    let w = world();
    let conn = w.store.conn();
    conn.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
         INSERT INTO participants(kind, first_name, last_name, mobile, sms_consent, programme, created_at, updated_at)
         SELECT CASE WHEN i % 10 = 0 THEN 'partner' ELSE 'participant' END, 'F' || i, 'L' || i,
                '+336' || (10000000 + i), i % 7 <> 0, 'PROG' || (i % 30), 0, 0 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
         INSERT INTO events(participant_id, kind, type, starts_at, starts_local, collaborator_id, created_by, created_at, updated_at)
         SELECT (i * 7919) % 100000 + 1, 'interview', 'type' || (i % 40),
                1767225600 + (i * 977) % 31536000, '', 1, 'x', 0, 0 FROM n;",
    )
    .unwrap();
    let tz = chrono_tz::Europe::Paris;
    let march = FilterInput {
        from: Some(day("2026-03-01")),
        to: Some(day("2026-03-31")),
        ..Default::default()
    };
    let cases = [
        (
            "collaborator",
            FilterInput {
                collaborator_id: Some(w.collaborator),
                ..Default::default()
            },
        ),
        (
            "event type",
            FilterInput {
                event_type: Some("type3".into()),
                ..Default::default()
            },
        ),
        ("period", march.clone()),
        (
            "everything",
            FilterInput {
                kind: Some("participant".into()),
                programme: Some("PROG3".into()),
                collaborator_id: Some(w.collaborator),
                event_type: Some("type3".into()),
                consent: ConsentFilter::Yes,
                ..march.clone()
            },
        ),
    ];
    for (what, input) in &cases {
        let filter = batch::build_filter(tz, input).unwrap();
        let plan = participants::matching_plan(conn.into(), &filter)
            .unwrap()
            .join("\n");
        assert!(
            plan.contains("SEARCH e USING INDEX") && !plan.contains("SCAN e"),
            "{what}:\n{plan}"
        );
        assert!(
            !plan.contains("SCAN p"),
            "{what}: participants by id or index:\n{plan}"
        );
    }
    let programme = ParticipantFilter {
        programme: Some("PROG3".into()),
        ..Default::default()
    };
    let plan = participants::matching_plan(conn.into(), &programme)
        .unwrap()
        .join("\n");
    assert!(plan.contains("participants_by_programme"), "{plan}");
    // The counts are right on the large store too.
    let count = |input: &FilterInput| batch::count_filtered(&w.store, input).unwrap();
    assert_eq!(
        count(&FilterInput {
            programme: Some("PROG3".into()),
            ..Default::default()
        }),
        w.count("SELECT count(*) FROM participants WHERE programme = 'PROG3'")
    );
    let march_filter = batch::build_filter(tz, &march).unwrap();
    assert_eq!(
        count(&march),
        w.count(&format!(
            "SELECT count(DISTINCT participant_id) FROM events WHERE starts_at >= {} AND starts_at < {}",
            march_filter.event_from.unwrap().timestamp(),
            march_filter.event_until.unwrap().timestamp()
        ))
    );
    // The choices are listed one index seek each, capped.
    assert_eq!(participants::programmes(conn.into()).unwrap().len(), 30);
    assert_eq!(participants::event_types(conn.into()).unwrap().len(), 40);
}
