//! Events, reminders and automations on a temporary store with a fixed clock. Expected times
//! come from the window rules of the spec (same local time N days earlier, moved into the
//! window; Europe/Paris with its DST change on 2026-03-29 and 2026-10-25), not from the code.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use smsdesk::core::automations::{self, AutomationRule};
use smsdesk::core::events::{
    self, EventChange, EventKind, NewEventInput, ReminderChange, ReminderRequest,
};
use smsdesk::core::reminders::{self, When};
use smsdesk::core::send::Body;
use smsdesk::core::{Actor, admin};
use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::sms::template::TemplateContext;
use smsdesk::store::notes::{RuleReason, StatusNote};
use smsdesk::store::operators::Rights;
use smsdesk::store::participants::NewParticipant;
use smsdesk::store::templates::NewTemplate;
use smsdesk::store::{Store, messages, participants, templates};
use support::world::*;

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    admin: Actor,
    collaborator: i64,
    other_collaborator: i64,
    /// Has a mobile, consents.
    alice: i64,
    /// Template for interviews: first name, date and time.
    t_interview: i64,
}

const INTERVIEW_BODY: &str =
    "Bonjour {{participant.first_name}}, RDV le {{event.date|%d/%m}} a {{event.time|%Hh%M}}.";

fn world() -> World {
    let (dir, mut store, admin) = open_store("t.db");
    let n = now();
    let (collaborator, other_collaborator, alice, t_interview) = store
        .write(|tx: smsdesk::store::Db<'_>| {
            let c = add_collaborator(tx, "Julien", "Dubois")?;
            let c2 = add_collaborator(tx, "Nora", "Haddad")?;
            let a =
                participants::insert_participant(tx, &person("Alice", Some("+33612345678")), n)?;
            let t = templates::insert_template(
                tx,
                &NewTemplate {
                    name: "Rappel entretien".into(),
                    context: TemplateContext::Interview,
                    body: INTERVIEW_BODY.into(),
                    active: true,
                    locked: false,
                    reply_expected: true,
                    keywords: vec![("oui".into(), "confirmé par SMS".into())],
                    created_by: "admin".into(),
                    created_at: n,
                },
            )?;
            Ok::<_, smsdesk::store::StoreError>((c, c2, a, t))
        })
        .unwrap();
    World {
        _dir: dir,
        store,
        admin,
        collaborator,
        other_collaborator,
        alice,
        t_interview,
    }
}

impl World {
    /// The admin schedules the reminder of event `e`, `when`, saying `body`, now.
    fn schedule(
        &mut self,
        e: i64,
        when: When,
        body: Body,
    ) -> Result<reminders::ScheduledReminder, smsdesk::core::CoreError> {
        let admin = self.admin.clone();
        reminders::schedule_reminder(&mut self.store, &admin, e, when, body, now())
    }

    /// The admin moves event `e` to `start` (local `YYYY-MM-DD HH:MM`), now.
    fn move_event(
        &mut self,
        e: i64,
        start: &str,
    ) -> Result<events::EventOutcome, smsdesk::core::CoreError> {
        let admin = self.admin.clone();
        let change = EventChange {
            starts_local: Some(local(start)),
            ..Default::default()
        };
        events::update_event(&mut self.store, &admin, e, change, now())
    }

    /// The admin's reminder of event `e`, `when`, with the interview template, scheduled now.
    fn remind(&mut self, e: i64, when: When) -> reminders::ScheduledReminder {
        let body = Body::Template(self.t_interview);
        self.schedule(e, when, body).unwrap()
    }

    fn add_participant(&mut self, p: NewParticipant) -> i64 {
        self.store
            .write(|tx: smsdesk::store::Db<'_>| participants::insert_participant(tx, &p, now()))
            .unwrap()
    }

    fn add_template(&mut self, name: &str, ctx: TemplateContext, body: &str) -> i64 {
        let t = NewTemplate {
            name: name.into(),
            context: ctx,
            body: body.into(),
            active: true,
            locked: false,
            reply_expected: false,
            keywords: vec![],
            created_by: "admin".into(),
            created_at: now(),
        };
        self.store
            .write(|tx: smsdesk::store::Db<'_>| templates::insert_template(tx, &t))
            .unwrap()
    }

    fn operator(&mut self, login: &str, rights: &str) -> Actor {
        let r = Rights::parse(rights).unwrap();
        admin::add_user(&mut self.store, &self.admin, login, r, now()).unwrap();
        Actor::identify(&mut self.store, login, now()).unwrap()
    }

    /// An interview without reminder, created by the administrator.
    fn event(&mut self, participant: i64, start: &str) -> i64 {
        self.event_with(participant, start, "diagnosis", "Lyon", None)
    }

    fn event_with(
        &mut self,
        participant: i64,
        start: &str,
        event_type: &str,
        location: &str,
        reminder: Option<ReminderRequest>,
    ) -> i64 {
        let admin = self.admin.clone();
        events::create_event(
            &mut self.store,
            &admin,
            NewEventInput {
                participant_id: participant,
                kind: EventKind::Interview,
                event_type: event_type.into(),
                starts_local: local(start),
                collaborator_id: Some(self.collaborator),
                location: location.into(),
                notes: String::new(),
                reminder,
            },
            now(),
        )
        .unwrap()
        .event_id
    }

    fn count_messages(&self) -> i64 {
        self.store
            .conn()
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .unwrap()
    }

    fn message(&self, id: i64) -> messages::MessageRow {
        messages::get(self.store.db(), id).unwrap()
    }

    fn int(&self, sql: &str, id: i64) -> i64 {
        self.store
            .conn()
            .query_row(sql, [id], |r| r.get(0))
            .unwrap()
    }
}

fn planned(w: &World, id: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(w.message(id).planned_at, 0).unwrap()
}

// ------------------------------------------------------------------ planning rules --

#[test]
fn d2_reminder_keeps_the_local_time_across_the_spring_dst_change() {
    let mut w = world();
    // Monday 30 March 14:00 CEST (UTC+2); two days earlier is Saturday 28 March, still CET.
    let e = w.event(w.alice, "2026-03-30 14:00");
    let r = w.remind(e, When::DaysBefore(2));
    // 14:00 CET = 13:00 UTC (not 12:00 UTC, which 48 h before the event would give).
    assert_eq!(r.planned_at, utc("2026-03-28T13:00:00Z"));
    assert_eq!(r.planned_local, local("2026-03-28 14:00"));
    assert_eq!(planned(&w, r.message_id), r.planned_at);
    assert!(r.text.contains("RDV le 30/03 a 14h00"), "{}", r.text);
}

#[test]
fn d2_reminder_keeps_the_local_time_across_the_autumn_dst_change() {
    let mut w = world();
    // Monday 26 October 10:00 CET; Saturday 24 October is still CEST (UTC+2).
    let e = w.event(w.alice, "2026-10-26 10:00");
    let r = w.remind(e, When::DaysBefore(2));
    assert_eq!(r.planned_at, utc("2026-10-24T08:00:00Z"));
}

#[test]
fn reminder_is_clamped_into_the_window() {
    let mut w = world();
    // 08:00 interview, window opens at 09:00: D-1 reminder at 09:00 the day before.
    let early = w.event(w.alice, "2026-03-25 08:00");
    let r = w.remind(early, When::DaysBefore(1));
    assert_eq!(r.planned_local, local("2026-03-24 09:00"));
    assert_eq!(r.planned_at, utc("2026-03-24T08:00:00Z"));
    // 20:30 interview, window closes at 19:00: D-1 reminder at 19:00 the day before.
    let late = w.event(w.alice, "2026-03-26 20:30");
    let r = w.remind(late, When::DaysBefore(1));
    assert_eq!(r.planned_at, utc("2026-03-25T18:00:00Z"));
    // A Monday interview's D-1 falls on Sunday, not a sending day: Saturday at the window's end.
    let monday = w.event(w.alice, "2026-03-30 10:00");
    let r = w.remind(monday, When::DaysBefore(1));
    assert_eq!(r.planned_local, local("2026-03-28 19:00"));
}

#[test]
fn reminder_message_copies_the_phone_and_fills_the_event() {
    let mut w = world();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w.remind(e, When::DaysBefore(2));
    // The participant changes number afterwards: the message keeps the one it was made with.
    w.store
        .conn()
        .execute(
            "UPDATE participants SET mobile = '+33699999999' WHERE id = ?1",
            [w.alice],
        )
        .unwrap();
    let m = w.message(r.message_id);
    assert_eq!(m.phone, "+33612345678");
    assert_eq!(m.kind, MessageKind::Reminder);
    assert_eq!(m.context, "interview");
    assert_eq!(m.event_id, Some(e));
    assert_eq!(m.status, MessageStatus::Pending);
    let c = w.store.conn();
    let (expects, deadline, starts): (bool, i64, i64) = c
        .query_row(
            "SELECT m.expects_reply, m.deadline, e.starts_at FROM messages m JOIN events e ON e.id = m.event_id WHERE m.id = ?1",
            [r.message_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(expects, "the template expects a reply");
    assert_eq!(
        deadline, starts,
        "a reminder is retried until its event starts"
    );
    let (enabled, days, tid): (bool, Option<i64>, Option<i64>) = c
        .query_row(
            "SELECT reminder_enabled, reminder_days_before, reminder_template_id FROM events WHERE id = ?1",
            [e],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(enabled);
    assert_eq!(days, Some(2));
    assert_eq!(tid, Some(w.t_interview));
}

#[test]
fn exact_time_inside_the_window_is_kept() {
    let mut w = world();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w
        .schedule(
            e,
            When::At(local("2026-03-26 10:15")),
            Body::Text("Rappel: RDV demain a {{event.time|%Hh%M}}".into()),
        )
        .unwrap();
    assert_eq!(r.planned_at, utc("2026-03-26T09:15:00Z"));
    assert_eq!(r.text, "Rappel: RDV demain a 15h30");
}

// ------------------------------------------------------------------ refusals --

#[test]
fn each_refusal_says_why_and_queues_nothing() {
    let mut w = world();
    let admin = w.admin.clone();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let t = Body::Template(w.t_interview);

    // No right to schedule.
    let instant_only = w.operator("ines", "instant");
    let err = reminders::schedule_reminder(
        &mut w.store,
        &instant_only,
        e,
        When::DaysBefore(1),
        t.clone(),
        now(),
    )
    .unwrap_err();
    assert!(forbidden(err).contains("scheduled"));

    // A "templates only" operator may not type a text, but may use a template.
    let templates_only = w.operator("karim", "scheduled,templates_only");
    let err = reminders::schedule_reminder(
        &mut w.store,
        &templates_only,
        e,
        When::DaysBefore(1),
        Body::Text("Rappel de votre RDV".into()),
        now(),
    )
    .unwrap_err();
    assert!(forbidden(err).contains("templates only"));

    // No mobile number.
    let nomobile = w.add_participant(person("Bruno", None));
    let e2 = w.event(nomobile, "2026-03-27 15:30");
    let err = w.schedule(e2, When::DaysBefore(1), t.clone()).unwrap_err();
    assert!(invalid(err).contains("no mobile"));

    // No consent.
    let mut p = person("Chloe", Some("+33611111111"));
    p.sms_consent = false;
    let noconsent = w.add_participant(p);
    let e3 = w.event(noconsent, "2026-03-27 15:30");
    let err = w.schedule(e3, When::DaysBefore(1), t.clone()).unwrap_err();
    assert!(invalid(err).contains("consent"));

    // Opted out (STOP).
    let stopped = w.add_participant(person("Denis", Some("+33622222222")));
    smsdesk::core::send::record_opt_out(&mut w.store, &admin, "06 22 22 22 22", now()).unwrap();
    let e4 = w.event(stopped, "2026-03-27 15:30");
    let err = w.schedule(e4, When::DaysBefore(1), t.clone()).unwrap_err();
    assert!(invalid(err).contains("opted out"));

    // Outside the window: 21:00 when the window closes at 19:00.
    let err = w
        .schedule(e, When::At(local("2026-03-26 21:00")), t.clone())
        .unwrap_err();
    assert!(invalid(err).contains("outside the sending window"));

    // Not before the event.
    let err = w
        .schedule(e, When::At(local("2026-03-27 16:00")), t.clone())
        .unwrap_err();
    assert!(invalid(err).contains("not before the event"));

    // Event in the past.
    let past = w.event(w.alice, "2026-03-20 10:00");
    let err = w
        .schedule(past, When::DaysBefore(1), t.clone())
        .unwrap_err();
    assert!(invalid(err).contains("already started"));

    // A delay whose moment has passed: D-5 of an event in 4 days.
    let err = w.schedule(e, When::DaysBefore(5), t.clone()).unwrap_err();
    assert!(invalid(err).contains("already passed"));

    // Merge field without value: the event has no location.
    let tloc = w.add_template(
        "Lieu",
        TemplateContext::Interview,
        "RDV a {{event.location}}",
    );
    let noloc = w.event_with(w.alice, "2026-03-27 15:30", "diagnosis", "", None);
    let err = w
        .schedule(noloc, When::DaysBefore(1), Body::Template(tloc))
        .unwrap_err();
    assert!(invalid(err).contains("event.location"));

    // Template written for another context.
    let tstep = w.add_template("Etape", TemplateContext::Step, "Votre etape approche");
    let err = w
        .schedule(e, When::DaysBefore(1), Body::Template(tstep))
        .unwrap_err();
    assert!(invalid(err).contains("step"));

    // Too many segments: one segment allowed, a 200-character text.
    admin::set_setting(&mut w.store, &admin, "max_segments", "1", now()).unwrap();
    let long = "Rappel ".repeat(30);
    let err = w
        .schedule(e, When::DaysBefore(1), Body::Text(long))
        .unwrap_err();
    assert!(invalid(err).contains("too long"));

    assert_eq!(
        w.count_messages(),
        0,
        "no refusal may leave a message behind"
    );
}

#[test]
fn a_refused_reminder_refuses_the_event_creation_too() {
    let mut w = world();
    let admin = w.admin.clone();
    let nomobile = w.add_participant(person("Bruno", None));
    let err = events::create_event(
        &mut w.store,
        &admin,
        NewEventInput {
            participant_id: nomobile,
            kind: EventKind::Interview,
            event_type: "diagnosis".into(),
            starts_local: local("2026-03-27 15:30"),
            collaborator_id: None,
            location: "Lyon".into(),
            notes: String::new(),
            reminder: Some(ReminderRequest {
                when: When::DaysBefore(1),
                body: Body::Template(w.t_interview),
            }),
        },
        now(),
    )
    .unwrap_err();
    assert!(invalid(err).contains("no mobile"));
    let events: i64 = w
        .store
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 0, "nothing half-done");
}

#[test]
fn edits_recheck_window_and_length() {
    let mut w = world();
    let admin = w.admin.clone();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w.remind(e, When::DaysBefore(1));
    let err = reminders::edit_reminder_time(
        &mut w.store,
        &admin,
        r.message_id,
        local("2026-03-26 07:00"),
        now(),
    )
    .unwrap_err();
    assert!(invalid(err).contains("outside the sending window"));
    let at = reminders::edit_reminder_time(
        &mut w.store,
        &admin,
        r.message_id,
        local("2026-03-26 11:00"),
        now(),
    )
    .unwrap();
    assert_eq!(at, utc("2026-03-26T10:00:00Z"));
    assert_eq!(planned(&w, r.message_id), at);
    assert_eq!(
        w.int(
            "SELECT manual_edit FROM messages WHERE id = ?1",
            r.message_id
        ),
        1,
        "a time edit is a manual edit"
    );

    admin::set_setting(&mut w.store, &admin, "max_segments", "1", now()).unwrap();
    let err =
        reminders::edit_reminder_text(&mut w.store, &admin, r.message_id, &"x".repeat(161), now())
            .unwrap_err();
    assert!(invalid(err).contains("too long"));
    let edited = reminders::edit_reminder_text(
        &mut w.store,
        &admin,
        r.message_id,
        "A demain {{participant.first_name}} !",
        now(),
    )
    .unwrap();
    assert_eq!(edited.text, "A demain Alice !");
    assert_eq!(w.message(r.message_id).text, "A demain Alice !");
    assert_eq!(
        w.int(
            "SELECT manual_edit FROM messages WHERE id = ?1",
            r.message_id
        ),
        1
    );
}

// ------------------------------------------------------------------ event changes --

#[test]
fn moving_an_event_replans_and_rerenders_its_reminder_and_drops_a_manual_edit() {
    let mut w = world();
    let admin = w.admin.clone();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w.remind(e, When::DaysBefore(1));
    assert_eq!(r.planned_at, utc("2026-03-26T14:30:00Z"));
    reminders::edit_reminder_text(
        &mut w.store,
        &admin,
        r.message_id,
        "Texte retouche a la main",
        now(),
    )
    .unwrap();

    let out = w.move_event(e, "2026-04-02 11:00").unwrap();
    // Thursday 2 April 11:00 CEST: the D-1 reminder moves to Wednesday 1 April 11:00 CEST.
    assert_eq!(planned(&w, r.message_id), utc("2026-04-01T09:00:00Z"));
    let m = w.message(r.message_id);
    assert_eq!(m.status, MessageStatus::Pending);
    assert!(m.text.contains("RDV le 02/04 a 11h00"), "{}", m.text);
    assert_eq!(
        w.int(
            "SELECT manual_edit FROM messages WHERE id = ?1",
            r.message_id
        ),
        0
    );
    assert_eq!(
        w.int("SELECT deadline FROM messages WHERE id = ?1", r.message_id),
        utc("2026-04-02T09:00:00Z").timestamp(),
        "the deadline follows the event"
    );
    let change = out
        .changes
        .iter()
        .find(|c| matches!(c, ReminderChange::Replanned { message_id, .. } if *message_id == r.message_id))
        .expect("the re-planned reminder is reported");
    match change {
        ReminderChange::Replanned {
            time_changed,
            text_rerendered,
            manual_edit_dropped,
            ..
        } => assert!(*time_changed && *text_rerendered && *manual_edit_dropped),
        _ => unreachable!(),
    }
    let notice = change.to_string();
    assert!(
        notice.contains(&format!("reminder #{} re-planned to", r.message_id)),
        "{notice}"
    );
    assert!(notice.contains("01/04/2026 11:00"), "{notice}");
    assert!(notice.contains("manual edit was dropped"), "{notice}");
}

#[test]
fn changing_a_field_the_text_uses_rerenders_it_and_other_fields_change_nothing() {
    let mut w = world();
    let admin = w.admin.clone();
    let tloc = w.add_template(
        "Lieu",
        TemplateContext::Interview,
        "RDV a {{event.location}}",
    );
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w
        .schedule(e, When::DaysBefore(1), Body::Template(tloc))
        .unwrap();
    let before = planned(&w, r.message_id);
    // Notes are not in the text: the reminder is untouched, nothing to report.
    let out = events::update_event(
        &mut w.store,
        &admin,
        e,
        EventChange {
            notes: Some("bring CV".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    assert!(out.changes.is_empty(), "{:?}", out.notices());
    // The location is: the text follows, the time stays.
    let out = events::update_event(
        &mut w.store,
        &admin,
        e,
        EventChange {
            location: Some("Villeurbanne".into()),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    assert!(
        w.message(r.message_id)
            .text
            .starts_with("RDV a Villeurbanne")
    );
    assert_eq!(planned(&w, r.message_id), before);
    assert!(matches!(
        out.changes.as_slice(),
        [ReminderChange::Replanned {
            time_changed: false,
            text_rerendered: true,
            ..
        }]
    ));
}

#[test]
fn an_event_moved_too_near_or_into_the_past_cancels_its_reminder_with_the_reason() {
    let mut w = world();
    let admin = w.admin.clone();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w.remind(e, When::DaysBefore(1));
    // 19:30 on Monday, the window has closed; moved to Tuesday 08:00, before it opens again.
    let evening = utc("2026-03-23T18:30:00Z");
    let out = events::update_event(
        &mut w.store,
        &admin,
        e,
        EventChange {
            starts_local: Some(local("2026-03-24 08:00")),
            ..Default::default()
        },
        evening,
    )
    .unwrap();
    assert_eq!(w.message(r.message_id).status, MessageStatus::Cancelled);
    match out.changes.as_slice() {
        [ReminderChange::Cancelled { message_id, reason }] => {
            assert_eq!(*message_id, r.message_id);
            assert!(
                matches!(reason, RuleReason::NoTimeLeft { .. }),
                "{reason:?}"
            );
            assert!(reason.to_string().contains("no sending time"), "{reason}");
            // Said in the reader's language, the day named in it.
            let fr = smsdesk::i18n::Describe::describe(reason, smsdesk::i18n::Lang::Fr);
            assert!(
                fr.starts_with("plus aucun moment d'envoi avant l'événement du mardi 24/03/2026 08:00 : la plage "),
                "{fr}"
            );
        }
        other => panic!("{other:?}"),
    }
    let history = messages::history(w.store.db(), r.message_id).unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.status, MessageStatus::Cancelled);
    match &last.note {
        Some(StatusNote::EventChanged { reason }) => {
            assert!(
                matches!(reason, RuleReason::NoTimeLeft { .. }),
                "{reason:?}"
            )
        }
        other => panic!("{other:?}"),
    }

    // Into the past.
    let e2 = w.event(w.alice, "2026-03-27 15:30");
    let r2 = w.remind(e2, When::DaysBefore(1));
    let out = w.move_event(e2, "2026-03-20 10:00").unwrap();
    assert_eq!(w.message(r2.message_id).status, MessageStatus::Cancelled);
    assert!(
        out.notices()[0].to_string().contains("already started"),
        "{:?}",
        out.notices()
    );
}

#[test]
fn an_event_moved_closer_still_gets_its_reminder_at_the_next_opening() {
    let mut w = world();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w.remind(e, When::DaysBefore(2));
    // Moved to tomorrow 15:00: D-2 has passed, but the window is open now (11:00 local).
    w.move_event(e, "2026-03-24 15:00").unwrap();
    assert_eq!(w.message(r.message_id).status, MessageStatus::Pending);
    assert_eq!(planned(&w, r.message_id), now());
}

#[test]
fn cancelling_an_event_cancels_its_unsent_reminder() {
    let mut w = world();
    let admin = w.admin.clone();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w.remind(e, When::DaysBefore(1));
    let out = events::cancel_event(&mut w.store, &admin, e, now()).unwrap();
    assert_eq!(out.cancelled_messages, vec![r.message_id]);
    assert_eq!(w.message(r.message_id).status, MessageStatus::Cancelled);
    let history = messages::history(w.store.db(), r.message_id).unwrap();
    assert_eq!(
        history.last().unwrap().note,
        Some(StatusNote::EventCancelled)
    );
    assert_eq!(w.int("SELECT cancelled FROM events WHERE id = ?1", e), 1);
    assert_eq!(
        w.int("SELECT reminder_enabled FROM events WHERE id = ?1", e),
        0
    );
    // A cancelled event takes no new reminder.
    let err = w
        .schedule(e, When::DaysBefore(1), Body::Template(w.t_interview))
        .unwrap_err();
    assert_eq!(
        invalid(err),
        format!("event #{e} is cancelled: it cannot have a reminder")
    );
    // Nor is it cancelled a second time.
    let again = events::cancel_event(&mut w.store, &admin, e, now()).unwrap_err();
    assert_eq!(
        invalid(again),
        format!("event #{e} is cancelled: it cannot be cancelled twice")
    );
}

// ------------------------------------------------------------------ automations --

fn rule(collaborator: i64, name: &str, offset: i64, template: i64) -> AutomationRule {
    AutomationRule {
        name: name.into(),
        event_kind: EventKind::Interview,
        collaborators: vec![collaborator],
        event_types: vec!["Diagnosis".into()],
        offset_days: offset,
        template_id: template,
        active: true,
        condition: Default::default(),
    }
}

#[test]
fn automations_are_admin_only_and_checked() {
    let mut w = world();
    let admin = w.admin.clone();
    let op = w.operator("claire", "instant,scheduled,batch");
    let r = rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview);
    let err = automations::create_automation(&mut w.store, &op, &r, now()).unwrap_err();
    assert!(forbidden(err).contains("administrator"));
    // A template written for another context does not fit the rule's events.
    let tstep = w.add_template("Etape", TemplateContext::Step, "Votre etape approche");
    let err = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "bad", -2, tstep),
        now(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("step"), "{err}");
    // A delay outside D-7 … D+30 is refused.
    let err = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "bad", -8, w.t_interview),
        now(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("D-7"), "{err}");
    let id = automations::create_automation(&mut w.store, &admin, &r, now()).unwrap();
    let audited: i64 = w
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'automation.create' AND object_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

#[test]
fn automations_create_reminders_on_event_creation_and_skip_broken_rules() {
    let mut w = world();
    let admin = w.admin.clone();
    let d2 = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview),
        now(),
    )
    .unwrap();
    let tfollow = w.add_template(
        "Suivi",
        TemplateContext::Interview,
        "Comment s'est passe votre {{event.type}} ?",
    );
    let follow = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D+3 follow-up", 3, tfollow),
        now(),
    )
    .unwrap();
    let tbroken = w.add_template("Ancien", TemplateContext::Interview, "Ancien modele");
    let broken = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "old D-1", -1, tbroken),
        now(),
    )
    .unwrap();
    w.store
        .conn()
        .execute("UPDATE templates SET active = 0 WHERE id = ?1", [tbroken])
        .unwrap();

    let out = events::create_event(
        &mut w.store,
        &admin,
        NewEventInput {
            participant_id: w.alice,
            kind: EventKind::Interview,
            event_type: "diagnosis".into(), // rule types match ignoring case
            starts_local: local("2026-03-27 15:30"),
            collaborator_id: Some(w.collaborator),
            location: "Lyon".into(),
            notes: String::new(),
            reminder: None,
        },
        now(),
    )
    .unwrap();
    let e = out.event_id;
    let created: Vec<(i64, String)> = {
        let mut stmt = w
            .store
            .conn()
            .prepare("SELECT automation_id, kind FROM messages WHERE event_id = ?1 ORDER BY automation_id")
            .unwrap();
        stmt.query_map([e], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        created,
        vec![
            (d2, "reminder".to_string()),
            (follow, "follow_up".to_string())
        ]
    );
    assert!(
        out.changes
            .iter()
            .any(|c| matches!(c, ReminderChange::Broken { rule } if rule.id == broken))
    );
    let d2_msg: i64 = w
        .store
        .conn()
        .query_row(
            "SELECT id FROM messages WHERE automation_id = ?1",
            [d2],
            |r| r.get(0),
        )
        .unwrap();
    // Friday 27 March 15:30 CET: D-2 is Wednesday 25 at 15:30 CET.
    assert_eq!(planned(&w, d2_msg), utc("2026-03-25T14:30:00Z"));
    let f_msg: i64 = w
        .store
        .conn()
        .query_row(
            "SELECT id FROM messages WHERE automation_id = ?1",
            [follow],
            |r| r.get(0),
        )
        .unwrap();
    // D+3 is Monday 30 March at 15:30, now CEST.
    assert_eq!(planned(&w, f_msg), utc("2026-03-30T13:30:00Z"));
    // A rule's message is stored under its event's kind, like a reminder typed by hand.
    assert_eq!(w.message(f_msg).context, "interview");
    assert_eq!(
        w.message(f_msg).text,
        "Comment s'est passe votre diagnosis ?"
    );

    // Applying again creates nothing twice.
    let again = automations::apply_automations(w.store.db(), e, now()).unwrap();
    assert!(
        again
            .iter()
            .all(|c| !matches!(c, ReminderChange::Created { .. })),
        "{again:?}"
    );
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e),
        2
    );
}

#[test]
fn automations_respect_collaborators_types_and_manual_reminders() {
    let mut w = world();
    let admin = w.admin.clone();
    automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview),
        now(),
    )
    .unwrap();
    // Another type: no reminder.
    let e1 = w.event_with(w.alice, "2026-03-27 15:30", "workshop", "Lyon", None);
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e1),
        0
    );
    // Another collaborator: no reminder.
    let admin2 = admin.clone();
    let other = w.other_collaborator;
    let e2 = events::create_event(
        &mut w.store,
        &admin2,
        NewEventInput {
            participant_id: w.alice,
            kind: EventKind::Interview,
            event_type: "diagnosis".into(),
            starts_local: local("2026-03-27 15:30"),
            collaborator_id: Some(other),
            location: "Lyon".into(),
            notes: String::new(),
            reminder: None,
        },
        now(),
    )
    .unwrap()
    .event_id;
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e2),
        0
    );
    // A manual reminder takes the place of the rule's.
    let e3 = w.event_with(
        w.alice,
        "2026-03-27 15:30",
        "diagnosis",
        "Lyon",
        Some(ReminderRequest {
            when: When::DaysBefore(1),
            body: Body::Template(w.t_interview),
        }),
    );
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e3),
        1
    );
    assert_eq!(
        w.int(
            "SELECT count(*) FROM messages WHERE event_id = ?1 AND automation_id IS NULL",
            e3
        ),
        1
    );
    // Changing e2's collaborator to the rule's creates the rule's reminder then.
    let out = events::update_event(
        &mut w.store,
        &admin,
        e2,
        EventChange {
            collaborator_id: Some(Some(w.collaborator)),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    assert!(
        out.changes
            .iter()
            .any(|c| matches!(c, ReminderChange::Created { .. }))
    );
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e2),
        1
    );
    // And back: the rule no longer applies, its reminder is cancelled with the reason.
    let out = events::update_event(
        &mut w.store,
        &admin,
        e2,
        EventChange {
            collaborator_id: Some(Some(other)),
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    assert!(
        out.notices()[0].to_string().contains("no longer applies"),
        "{:?}",
        out.notices()
    );
}

#[test]
fn dry_run_lists_what_rules_would_create_and_writes_nothing() {
    let mut w = world();
    let admin = w.admin.clone();
    // Events first, rules afterwards: nothing exists yet for them.
    let e1 = w.event(w.alice, "2026-03-27 15:30");
    let nomobile = w.add_participant(person("Bruno", None));
    let e2 = w.event(nomobile, "2026-03-26 10:00");
    let far = w.event(w.alice, "2026-05-27 15:30");
    // Created inactive: the dry run shows what switching it on would create.
    let id = automations::create_automation(
        &mut w.store,
        &admin,
        &AutomationRule {
            active: false,
            ..rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview)
        },
        now(),
    )
    .unwrap();
    let count = |w: &World, table: &str| -> i64 {
        w.store
            .conn()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    let before = (
        count(&w, "messages"),
        count(&w, "audit_log"),
        count(&w, "events"),
    );
    let plan = automations::dry_run(&w.store, 7, now()).unwrap();
    assert_eq!(
        before,
        (
            count(&w, "messages"),
            count(&w, "audit_log"),
            count(&w, "events")
        )
    );
    assert_eq!(plan.len(), 2, "{plan:?}");
    let p1 = plan.iter().find(|p| p.event_id == e1).unwrap();
    assert_eq!(p1.planned_at, Some(utc("2026-03-25T14:30:00Z")));
    assert_eq!(p1.delay, "D-2");
    assert!(p1.error.is_none());
    assert!(p1.text.as_deref().unwrap().starts_with("Bonjour Alice"));
    let p2 = plan.iter().find(|p| p.event_id == e2).unwrap();
    assert!(matches!(p2.error, Some(RuleReason::NoMobile { .. })));
    assert!(p2.planned_at.is_none());

    assert!(plan.iter().all(|p| !p.rule_active));
    // Switching the rule on creates what the dry run showed, once.
    let op = w.operator("claire", "instant,scheduled");
    assert!(automations::apply_upcoming(&mut w.store, &op, 7, now()).is_err());
    let done =
        automations::set_automation_active(&mut w.store, &admin, id, true, false, now()).unwrap();
    let created: Vec<i64> = done
        .changes
        .iter()
        .filter(|(_, c)| matches!(c, ReminderChange::Created { .. }))
        .map(|(e, _)| *e)
        .collect();
    // The whole agenda, past the dry run's seven days too.
    assert_eq!(created, vec![e1, far]);
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e1),
        1
    );
    let again = automations::apply_upcoming(&mut w.store, &admin, 7, now()).unwrap();
    assert!(
        again
            .iter()
            .all(|(_, c)| !matches!(c, ReminderChange::Created { .. }))
    );
    assert!(
        automations::dry_run(&w.store, 7, now())
            .unwrap()
            .iter()
            .all(|p| p.event_id != e1)
    );
}

#[test]
fn switching_the_reminder_off_cancels_it_and_keeps_rules_from_recreating_it() {
    let mut w = world();
    let admin = w.admin.clone();
    let d2 = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview),
        now(),
    )
    .unwrap();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let m: i64 = w
        .store
        .conn()
        .query_row(
            "SELECT id FROM messages WHERE automation_id = ?1",
            [d2],
            |r| r.get(0),
        )
        .unwrap();
    let report = reminders::switch_off_reminder(&mut w.store, &admin, e, now()).unwrap();
    assert_eq!(report.cancelled, vec![m]);
    assert_eq!(w.message(m).status, MessageStatus::Cancelled);
    assert_eq!(
        w.int("SELECT reminder_enabled FROM events WHERE id = ?1", e),
        0
    );
    // Moving the event afterwards does not bring the rule's reminder back.
    let out = w.move_event(e, "2026-04-03 15:30").unwrap();
    assert!(out.changes.is_empty(), "{:?}", out.notices());
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e),
        1
    );
}

#[test]
fn event_times_follow_the_organisation_timezone_and_its_gaps() {
    let mut w = world();
    let admin = w.admin.clone();
    // 02:30 does not exist in Paris on 29 March 2026 (02:00 -> 03:00): it moves forward to 03:30 CEST.
    let gap = w.event(w.alice, "2026-03-29 02:30");
    let (starts_at, starts_local): (i64, String) = w
        .store
        .conn()
        .query_row(
            "SELECT starts_at, starts_local FROM events WHERE id = ?1",
            [gap],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(starts_at, utc("2026-03-29T01:30:00Z").timestamp());
    assert_eq!(starts_local, "2026-03-29 03:30:00");
    // 02:30 happens twice on 25 October: the first (CEST) occurrence is taken.
    let fold = w.event(w.alice, "2026-10-25 02:30");
    assert_eq!(
        w.int("SELECT starts_at FROM events WHERE id = ?1", fold),
        utc("2026-10-25T00:30:00Z").timestamp()
    );
    // Guadeloupe (UTC-4, no DST): a D-2 reminder of a 15:30 interview leaves at 15:30 local.
    admin::set_setting(
        &mut w.store,
        &admin,
        "timezone",
        "America/Guadeloupe",
        now(),
    )
    .unwrap();
    let e = w.event(w.alice, "2026-03-27 15:30");
    assert_eq!(
        w.int("SELECT starts_at FROM events WHERE id = ?1", e),
        utc("2026-03-27T19:30:00Z").timestamp()
    );
    let r = w.remind(e, When::DaysBefore(2));
    assert_eq!(r.planned_at, utc("2026-03-25T19:30:00Z"));
    assert_eq!(r.planned_local, local("2026-03-25 15:30"));
}

#[test]
fn a_reminder_time_edited_by_hand_is_replanned_from_its_delay_when_the_event_moves() {
    let mut w = world();
    let admin = w.admin.clone();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let r = w.remind(e, When::DaysBefore(1));
    reminders::edit_reminder_time(
        &mut w.store,
        &admin,
        r.message_id,
        local("2026-03-26 10:00"),
        now(),
    )
    .unwrap();
    let out = w.move_event(e, "2026-04-03 15:30").unwrap();
    // D-1 of Friday 3 April 15:30 CEST.
    assert_eq!(planned(&w, r.message_id), utc("2026-04-02T13:30:00Z"));
    assert!(
        out.notices()[0]
            .to_string()
            .contains("manual edit was dropped"),
        "{:?}",
        out.notices()
    );
    // The same notice on a French screen, the day named in French.
    let fr = smsdesk::i18n::Describe::describe(&out.notices()[0], smsdesk::i18n::Lang::Fr);
    assert!(
        fr.starts_with(&format!(
            "rappel n°{} déplacé au jeudi 02/04/2026",
            r.message_id
        )) && fr.ends_with(" ; votre modification manuelle du texte est perdue"),
        "{fr}"
    );

    // A reminder at an exact time keeps it while it stays valid.
    let e2 = w.event(w.alice, "2026-03-27 15:30");
    let r2 = w.remind(e2, When::At(local("2026-03-25 10:00")));
    w.move_event(e2, "2026-03-28 11:00").unwrap();
    assert_eq!(planned(&w, r2.message_id), utc("2026-03-25T09:00:00Z"));
    assert!(
        w.message(r2.message_id)
            .text
            .contains("RDV le 28/03 a 11h00")
    );
    // Moved before that time: the exact time is no longer before the event, so it is cancelled.
    let out = w.move_event(e2, "2026-03-24 11:00").unwrap();
    assert_eq!(w.message(r2.message_id).status, MessageStatus::Cancelled);
    assert!(
        out.notices()[0]
            .to_string()
            .contains("not before the event"),
        "{:?}",
        out.notices()
    );
}

// ---------------------------------------------------------------------------------------------
// Issue 10 points 2 and 3: automations act on the whole agenda; one reminder per event.

/// (event, planned_at, text) of every reminder a rule created, by event.
fn rule_messages(w: &World, rule: i64) -> Vec<(i64, i64, String)> {
    let mut stmt = w
        .store
        .conn()
        .prepare(
            "SELECT event_id, planned_at, text FROM messages WHERE automation_id = ?1 AND status = 'pending'
             ORDER BY event_id",
        )
        .unwrap();
    stmt.query_map([rule], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The same triples from a dry run's rows that would create something.
fn planned_rows(rows: &[automations::PlannedReminder]) -> Vec<(i64, i64, String)> {
    let mut out: Vec<(i64, i64, String)> = rows
        .iter()
        .filter(|p| p.error.is_none())
        .map(|p| {
            (
                p.event_id,
                p.planned_at.unwrap().timestamp(),
                p.text.clone().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_rule_created_after_its_events_creates_their_reminders_and_says_how_many() {
    let mut w = world();
    let admin = w.admin.clone();
    // Jungo2's protocol: the agenda exists, the action (template) exists, then the rule.
    let e1 = w.event(w.alice, "2026-03-27 15:30");
    let e2 = w.event(w.alice, "2026-04-10 09:00");
    let far = w.event(w.alice, "2026-06-02 11:00");
    let nomobile = w.add_participant(person("Bruno", None));
    let refused = w.event(nomobile, "2026-03-30 10:00");
    let input = rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview);
    let preview = automations::preview_automation(&w.store, &admin, None, &input, now()).unwrap();
    // The confirmation's count: three reminders; Bruno's is listed with why it cannot be.
    assert_eq!(preview.iter().filter(|p| p.error.is_none()).count(), 3);
    assert!(
        preview
            .iter()
            .any(|p| p.event_id == refused && matches!(p.error, Some(RuleReason::NoMobile { .. })))
    );
    let before = w.count_messages();
    let out = automations::save_automation(&mut w.store, &admin, None, &input, now()).unwrap();
    assert_eq!(out.created(), 3);
    assert_eq!(w.count_messages(), before + 3);
    for e in [e1, e2, far] {
        assert_eq!(
            w.int(
                "SELECT count(*) FROM messages WHERE event_id = ?1 AND automation_id IS NOT NULL",
                e
            ),
            1,
            "event #{e}"
        );
    }
    // What was announced is what was created.
    assert_eq!(planned_rows(&preview), rule_messages(&w, out.id));
    // Changing the rule (another delay) creates nothing twice for events that have one: it
    // moves the reminders it planned.
    let again = automations::save_automation(
        &mut w.store,
        &admin,
        Some(out.id),
        &rule(w.collaborator, "D-2 diagnosis", -3, w.t_interview),
        now(),
    )
    .unwrap();
    assert_eq!(again.counts().created, 0);
    assert_eq!(again.counts().moved, 3);
    assert_eq!(w.count_messages(), before + 3);
}

#[test]
fn the_dry_run_lists_exactly_what_switching_a_rule_on_creates() {
    let mut w = world();
    let admin = w.admin.clone();
    w.event(w.alice, "2026-03-25 09:00"); // D-1 is today, 24th: still to come
    w.event(w.alice, "2026-03-27 15:30");
    w.event(w.alice, "2026-03-24 08:00"); // D-1 passed: next window opening, before it
    w.event(w.alice, "2026-05-12 14:00");
    let id = automations::create_automation(
        &mut w.store,
        &admin,
        &AutomationRule {
            active: false,
            ..rule(w.collaborator, "D-1 diagnosis", -1, w.t_interview)
        },
        now(),
    )
    .unwrap();
    assert_eq!(w.count_messages(), 0, "an inactive rule creates nothing");
    let dry = automations::dry_run_rule(&w.store, id, now()).unwrap();
    let listed = planned_rows(&dry);
    assert_eq!(listed.len(), 4, "{dry:?}");
    // The Automations tab's week-long dry run shows the same rows for the coming week.
    let week = automations::dry_run(&w.store, 7, now()).unwrap();
    assert_eq!(planned_rows(&week).len(), 3);
    assert!(planned_rows(&week).iter().all(|r| listed.contains(r)));
    let out =
        automations::set_automation_active(&mut w.store, &admin, id, true, false, now()).unwrap();
    assert_eq!(out.created(), 4);
    assert_eq!(listed, rule_messages(&w, id));
}

#[test]
fn switching_a_rule_off_or_deleting_it_cancels_its_pending_reminders_on_request() {
    let mut w = world();
    let admin = w.admin.clone();
    let e1 = w.event(w.alice, "2026-03-27 15:30");
    let e2 = w.event(w.alice, "2026-04-10 09:00");
    let id = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview),
        now(),
    )
    .unwrap();
    assert_eq!(automations::pending_count(&w.store, id).unwrap(), 2);
    // Kept: switched off, its reminders still leave.
    let kept =
        automations::set_automation_active(&mut w.store, &admin, id, false, false, now()).unwrap();
    assert!(kept.cancelled.is_empty());
    assert_eq!(rule_messages(&w, id).len(), 2);
    // On again: nothing twice. Off with cancelling: both cancelled.
    let on =
        automations::set_automation_active(&mut w.store, &admin, id, true, false, now()).unwrap();
    assert_eq!(on.created(), 0);
    let off =
        automations::set_automation_active(&mut w.store, &admin, id, false, true, now()).unwrap();
    assert_eq!(off.cancelled.len(), 2);
    assert_eq!(
        w.int(
            "SELECT count(*) FROM messages WHERE automation_id = ?1 AND status = 'cancelled'",
            id
        ),
        2
    );
    // Switched on again, the rule gives those events their reminder back.
    let on =
        automations::set_automation_active(&mut w.store, &admin, id, true, false, now()).unwrap();
    assert_eq!(on.created(), 2);
    // One of them has left: deleting the rule is possible, the sent one keeps its history and
    // its rule, the pending one is cancelled on request.
    let sent: i64 = w
        .store
        .conn()
        .query_row(
            "SELECT id FROM messages WHERE automation_id = ?1 AND event_id = ?2 AND status = 'pending'",
            [id, e1],
            |r| r.get(0),
        )
        .unwrap();
    w.store
        .conn()
        .execute(
            "UPDATE messages SET status = 'delivered' WHERE id = ?1",
            [sent],
        )
        .unwrap();
    assert_eq!(automations::pending_count(&w.store, id).unwrap(), 1);
    let del = automations::delete_automation(&mut w.store, &admin, id, true, now()).unwrap();
    assert_eq!(del.cancelled.len(), 1);
    assert_eq!(
        w.int(
            "SELECT count(*) FROM messages WHERE event_id = ?1 AND status = 'pending'",
            e2
        ),
        0
    );
    assert_eq!(w.message(sent).status, MessageStatus::Delivered);
    assert_eq!(
        w.int("SELECT automation_id FROM messages WHERE id = ?1", sent),
        id
    );
    assert!(
        smsdesk::store::automations::list(w.store.db())
            .unwrap()
            .iter()
            .all(|a| a.id != id)
    );
    // A deleted rule creates nothing any more.
    let e3 = w.event(w.alice, "2026-04-20 09:00");
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e3),
        0
    );
}

#[test]
fn an_event_matched_by_two_rules_has_one_reminder_shown_on_it_and_edited_in_place() {
    let mut w = world();
    let admin = w.admin.clone();
    let d3 = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D-3 diagnosis", -3, w.t_interview),
        now(),
    )
    .unwrap();
    let e = w.event(w.alice, "2026-03-30 15:30");
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e),
        1
    );
    // A second rule leaving later: it takes the event's reminder over, no second one.
    let d1 = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D-1 diagnosis", -1, w.t_interview),
        now(),
    )
    .unwrap();
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e),
        1
    );
    let m: i64 = w
        .store
        .conn()
        .query_row("SELECT id FROM messages WHERE event_id = ?1", [e], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        w.int("SELECT automation_id FROM messages WHERE id = ?1", m),
        d1
    );
    // D-1 of Monday 30 March 15:30 is a Sunday: the window moves it to Saturday evening,
    // still later than D-3 (Friday 27 at 15:30).
    assert_eq!(planned(&w, m), utc("2026-03-28T18:00:00Z"));
    // A new event matched by both: one reminder, the D-1 one, whatever the rules' order.
    let e2 = w.event(w.alice, "2026-04-02 10:00");
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e2),
        1
    );
    assert_eq!(
        w.int("SELECT automation_id FROM messages WHERE event_id = ?1", e2),
        d1
    );
    assert!(d3 < d1);
    // The Agenda shows it on the event: which rule.
    let row = smsdesk::store::events::get(w.store.db(), e).unwrap();
    assert_eq!(row.reminder_rule.as_deref(), Some("D-1 diagnosis"));
    // Setting the reminder by hand edits that message: still one, now the operator's.
    let s = w
        .schedule(
            e,
            When::DaysBefore(2),
            Body::Text("A lundi {{participant.first_name}}".into()),
        )
        .unwrap();
    assert_eq!(s.message_id, m);
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e),
        1
    );
    assert_eq!(w.message(m).status, MessageStatus::Pending);
    assert!(w.message(m).text.starts_with("A lundi Alice"));
    assert_eq!(planned(&w, m), utc("2026-03-28T14:30:00Z"));
    // The rules leave the operator's reminder alone afterwards.
    let again = automations::apply_automations(w.store.db(), e, now()).unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(
        w.int("SELECT count(*) FROM messages WHERE event_id = ?1", e),
        1
    );
}

// ---------------------------------------------------------------------------------------------
// Issue 10: changing a rule re-plans what it planned; one follow-up per event.

/// A message's planned time as the operator reads it: Paris wall-clock time, with the day.
fn planned_local(w: &World, id: i64) -> String {
    planned(w, id)
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%a %Y-%m-%d %H:%M")
        .to_string()
}

/// The event's messages not sent yet: (id, kind, rule).
fn pending_of(w: &World, event: i64) -> Vec<(i64, String, Option<i64>)> {
    let mut stmt = w
        .store
        .conn()
        .prepare(
            "SELECT id, kind, automation_id FROM messages WHERE event_id = ?1 AND status = 'pending' ORDER BY id",
        )
        .unwrap();
    stmt.query_map([event], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The one message of `kind` of the event waiting to leave.
fn the_pending(w: &World, event: i64, kind: &str) -> (i64, Option<i64>) {
    let found: Vec<(i64, Option<i64>)> = pending_of(w, event)
        .into_iter()
        .filter(|(_, k, _)| k == kind)
        .map(|(id, _, rule)| (id, rule))
        .collect();
    assert_eq!(found.len(), 1, "one {kind} for event #{event}: {found:?}");
    found[0]
}

impl World {
    /// An interview of `collaborator` and `event_type`, created by the administrator.
    fn interview(&mut self, start: &str, collaborator: i64, event_type: &str) -> i64 {
        let admin = self.admin.clone();
        events::create_event(
            &mut self.store,
            &admin,
            NewEventInput {
                participant_id: self.alice,
                kind: EventKind::Interview,
                event_type: event_type.into(),
                starts_local: local(start),
                collaborator_id: Some(collaborator),
                location: "Lyon".into(),
                notes: String::new(),
                reminder: None,
            },
            now(),
        )
        .unwrap()
        .event_id
    }

    fn audits(&self, action: &str) -> Vec<String> {
        let mut stmt = self
            .store
            .conn()
            .prepare("SELECT detail FROM audit_log WHERE action = ?1 ORDER BY id")
            .unwrap();
        stmt.query_map([action], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

#[test]
fn a_rules_new_delay_moves_its_pending_reminders_and_leaves_sent_and_hand_edited_ones() {
    let mut w = world();
    let admin = w.admin.clone();
    let friday = w.event(w.alice, "2026-03-27 15:30");
    let summer = w.event(w.alice, "2026-04-09 09:00"); // after the change to summer time
    let monday = w.event(w.alice, "2026-03-30 10:00");
    let edited = w.event(w.alice, "2026-04-01 14:00");
    let gone = w.event(w.alice, "2026-03-24 16:00"); // D-2 has passed: it leaves now
    let input = rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview);
    let id = automations::create_automation(&mut w.store, &admin, &input, now()).unwrap();
    let (m_friday, _) = the_pending(&w, friday, "reminder");
    let (m_summer, _) = the_pending(&w, summer, "reminder");
    let (m_monday, _) = the_pending(&w, monday, "reminder");
    let (m_edited, _) = the_pending(&w, edited, "reminder");
    let (m_gone, _) = the_pending(&w, gone, "reminder");
    assert_eq!(planned_local(&w, m_friday), "Wed 2026-03-25 15:30");
    assert_eq!(planned_local(&w, m_monday), "Sat 2026-03-28 10:00");
    // An operator rewrites one by hand; another one has left.
    reminders::edit_reminder_text(&mut w.store, &admin, m_edited, "A mercredi !", now()).unwrap();
    w.store
        .conn()
        .execute(
            "UPDATE messages SET status = 'delivered' WHERE id = ?1",
            [m_gone],
        )
        .unwrap();
    let gone_before = w.message(m_gone);
    let edited_before = w.message(m_edited);
    // D-2 → D-1: the confirmation counts what moves, and the message edited by hand.
    let changed = AutomationRule {
        offset_days: -1,
        ..input
    };
    let preview = automations::preview_save(&w.store, &admin, Some(id), &changed, now()).unwrap();
    assert_eq!(
        (
            preview.counts.moved,
            preview.counts.rewritten,
            preview.counts.cancelled,
            preview.counts.created,
            preview.counts.kept
        ),
        (3, 0, 0, 0, 1),
        "{preview:?}"
    );
    let before = w.count_messages();
    let out =
        automations::save_automation(&mut w.store, &admin, Some(id), &changed, now()).unwrap();
    assert_eq!(
        out.counts(),
        preview.counts,
        "what was announced is what was done"
    );
    assert_eq!(w.count_messages(), before, "moved, not doubled");
    // The same messages, the day before at the event's local time, moved into the window: a
    // Monday's D-1 is a Sunday, not a sending day, so Saturday at the window's end.
    assert_eq!(the_pending(&w, friday, "reminder").0, m_friday);
    assert_eq!(planned_local(&w, m_friday), "Thu 2026-03-26 15:30");
    assert_eq!(planned_local(&w, m_summer), "Wed 2026-04-08 09:00");
    assert_eq!(planned_local(&w, m_monday), "Sat 2026-03-28 19:00");
    assert_eq!(
        w.int("SELECT deadline FROM messages WHERE id = ?1", m_friday),
        utc("2026-03-27T14:30:00Z").timestamp(),
        "a reminder is still retried until its event"
    );
    // The one edited by hand and the one sent are as they were.
    assert_eq!(w.message(m_edited), edited_before);
    assert_eq!(planned_local(&w, m_edited), "Mon 2026-03-30 14:00");
    assert_eq!(w.message(m_gone), gone_before);
    // Audited: the rule's change with its counts, and each message moved.
    let update = w.audits("automation.update");
    assert!(
        update.last().unwrap().contains("3 moved") && update.last().unwrap().contains("was:"),
        "{update:?}"
    );
    let replans = w.audits("reminder.replan");
    assert_eq!(replans.len(), 3, "{replans:?}");
    // Nothing left for the rule to do.
    assert!(planned_rows(&automations::dry_run_rule(&w.store, id, now()).unwrap()).is_empty());
}

#[test]
fn a_rules_new_template_rewrites_its_pending_texts_but_not_one_edited_by_hand() {
    let mut w = world();
    let admin = w.admin.clone();
    let friday = w.event(w.alice, "2026-03-27 15:30");
    let april = w.event(w.alice, "2026-04-09 09:00");
    let edited = w.event(w.alice, "2026-04-01 14:00");
    let input = rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview);
    let id = automations::create_automation(&mut w.store, &admin, &input, now()).unwrap();
    let (m_friday, _) = the_pending(&w, friday, "reminder");
    let (m_april, _) = the_pending(&w, april, "reminder");
    let (m_edited, _) = the_pending(&w, edited, "reminder");
    reminders::edit_reminder_text(&mut w.store, &admin, m_edited, "A mercredi !", now()).unwrap();
    let when = planned(&w, m_friday);
    let t2 = w.add_template(
        "Rappel court",
        TemplateContext::Interview,
        "{{participant.first_name}}, rendez-vous le {{event.date|%d/%m}} a {{event.time|%Hh%M}}.",
    );
    let changed = AutomationRule {
        template_id: t2,
        ..input
    };
    let preview = automations::preview_save(&w.store, &admin, Some(id), &changed, now()).unwrap();
    assert_eq!(
        (
            preview.counts.moved,
            preview.counts.rewritten,
            preview.counts.cancelled,
            preview.counts.created,
            preview.counts.kept
        ),
        (0, 2, 0, 0, 1)
    );
    let out =
        automations::save_automation(&mut w.store, &admin, Some(id), &changed, now()).unwrap();
    assert_eq!(out.counts(), preview.counts);
    assert!(
        w.message(m_friday)
            .text
            .starts_with("Alice, rendez-vous le 27/03 a 15h30."),
        "{}",
        w.message(m_friday).text
    );
    assert!(
        w.message(m_april)
            .text
            .starts_with("Alice, rendez-vous le 09/04 a 09h00.")
    );
    assert_eq!(
        w.int("SELECT template_id FROM messages WHERE id = ?1", m_friday),
        t2
    );
    assert_eq!(planned(&w, m_friday), when, "same delay: same time");
    assert_eq!(w.message(m_edited).text, "A mercredi !");
    assert_eq!(w.audits("reminder.replan").len(), 2);
}

#[test]
fn a_rule_narrowed_hands_its_reminders_to_a_matching_rule_or_cancels_them_and_widened_creates() {
    let mut w = world();
    let admin = w.admin.clone();
    let (julien, nora) = (w.collaborator, w.other_collaborator);
    // D-3 for Julien's diagnoses; D-2 for anything of Julien's (it leaves later: it wins).
    automations::create_automation(
        &mut w.store,
        &admin,
        &rule(julien, "D-3 diagnosis", -3, w.t_interview),
        now(),
    )
    .unwrap();
    let broad = AutomationRule {
        event_types: vec![],
        ..rule(julien, "D-2 Julien", -2, w.t_interview)
    };
    let d2 = automations::create_automation(&mut w.store, &admin, &broad, now()).unwrap();
    let diagnosis = w.interview("2026-04-03 15:30", julien, "diagnosis");
    let workshop = w.interview("2026-04-09 10:00", julien, "workshop");
    let noras = w.interview("2026-04-10 11:00", nora, "diagnosis");
    let (m_diagnosis, rule_before) = the_pending(&w, diagnosis, "reminder");
    assert_eq!(rule_before, Some(d2));
    let (m_workshop, _) = the_pending(&w, workshop, "reminder");
    assert!(pending_of(&w, noras).is_empty());
    // The D-2 rule now for Nora only.
    let narrowed = AutomationRule {
        collaborators: vec![nora],
        ..broad.clone()
    };
    let preview = automations::preview_save(&w.store, &admin, Some(d2), &narrowed, now()).unwrap();
    let out =
        automations::save_automation(&mut w.store, &admin, Some(d2), &narrowed, now()).unwrap();
    assert_eq!(out.counts(), preview.counts);
    assert_eq!(
        (
            preview.counts.moved,
            preview.counts.cancelled,
            preview.counts.created
        ),
        (1, 1, 1),
        "{preview:?}"
    );
    // Julien's diagnosis keeps one reminder: the D-3 rule's, the same message moved.
    let (m, r) = the_pending(&w, diagnosis, "reminder");
    assert_eq!(m, m_diagnosis);
    assert_ne!(r, Some(d2));
    assert_eq!(planned_local(&w, m), "Tue 2026-03-31 15:30");
    // His workshop matches no rule any more: its reminder is cancelled, saying why.
    assert!(pending_of(&w, workshop).is_empty());
    assert_eq!(w.message(m_workshop).status, MessageStatus::Cancelled);
    let why: String = w
        .store
        .conn()
        .query_row(
            "SELECT detail FROM message_status_history WHERE message_id = ?1 AND status = 'cancelled'",
            [m_workshop],
            |r| r.get(0),
        )
        .unwrap();
    let why = StatusNote::from_stored(&why).map(|n| n.to_string());
    assert!(
        why.as_deref()
            .is_some_and(|w| w.contains("no longer applies")),
        "{why:?}"
    );
    // Nora's interview gets its reminder, D-2 at its local time.
    let (m_nora, r) = the_pending(&w, noras, "reminder");
    assert_eq!(r, Some(d2));
    assert_eq!(planned_local(&w, m_nora), "Wed 2026-04-08 11:00");
    // Widened again to both: the cancelled reminder does not block the rule, and the D-2 rule,
    // closer to the event, takes Julien's diagnosis back.
    let both = AutomationRule {
        collaborators: vec![julien, nora],
        ..broad
    };
    let out = automations::save_automation(&mut w.store, &admin, Some(d2), &both, now()).unwrap();
    assert_eq!(
        (
            out.counts().moved,
            out.counts().created,
            out.counts().cancelled
        ),
        (1, 1, 0)
    );
    assert_eq!(
        the_pending(&w, diagnosis, "reminder"),
        (m_diagnosis, Some(d2))
    );
    assert_eq!(planned_local(&w, m_diagnosis), "Wed 2026-04-01 15:30");
    let (_, r) = the_pending(&w, workshop, "reminder");
    assert_eq!(r, Some(d2));
    assert_eq!(the_pending(&w, noras, "reminder"), (m_nora, Some(d2)));
}

#[test]
fn a_reminder_rule_turned_into_a_follow_up_rule_cancels_its_reminders_and_creates_follow_ups() {
    let mut w = world();
    let admin = w.admin.clone();
    let friday = w.event(w.alice, "2026-04-03 15:30");
    let input = rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview);
    let id = automations::create_automation(&mut w.store, &admin, &input, now()).unwrap();
    let (reminder, _) = the_pending(&w, friday, "reminder");
    let follow = AutomationRule {
        offset_days: 1,
        ..input
    };
    let preview = automations::preview_save(&w.store, &admin, Some(id), &follow, now()).unwrap();
    let out = automations::save_automation(&mut w.store, &admin, Some(id), &follow, now()).unwrap();
    assert_eq!(out.counts(), preview.counts);
    assert_eq!((preview.counts.cancelled, preview.counts.created), (1, 1));
    assert_eq!(w.message(reminder).status, MessageStatus::Cancelled);
    let (f, _) = the_pending(&w, friday, "follow_up");
    assert_eq!(planned_local(&w, f), "Sat 2026-04-04 15:30");
}

#[test]
fn two_follow_up_rules_give_an_event_one_follow_up_the_one_leaving_earliest_after_it() {
    let mut w = world();
    let admin = w.admin.clone();
    let tfollow = w.add_template(
        "Suivi",
        TemplateContext::Interview,
        "Comment s'est passe votre {{event.type}} ?",
    );
    let d3 = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D+3 follow-up", 3, tfollow),
        now(),
    )
    .unwrap();
    automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D-2 diagnosis", -2, w.t_interview),
        now(),
    )
    .unwrap();
    let friday = w.event(w.alice, "2026-03-27 15:30");
    let (f, r) = the_pending(&w, friday, "follow_up");
    assert_eq!(r, Some(d3));
    assert_eq!(planned_local(&w, f), "Mon 2026-03-30 15:30");
    // A D+1 rule: it leaves earlier after the event, so it takes the follow-up over.
    let d1 = automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D+1 follow-up", 1, tfollow),
        now(),
    )
    .unwrap();
    assert_eq!(the_pending(&w, friday, "follow_up"), (f, Some(d1)));
    assert_eq!(planned_local(&w, f), "Sat 2026-03-28 15:30");
    // A D+5 rule changes nothing; a new event matched by the three gets one follow-up, D+1,
    // and its one reminder.
    automations::create_automation(
        &mut w.store,
        &admin,
        &rule(w.collaborator, "D+5 follow-up", 5, tfollow),
        now(),
    )
    .unwrap();
    assert_eq!(the_pending(&w, friday, "follow_up"), (f, Some(d1)));
    let thursday = w.event(w.alice, "2026-04-02 10:00");
    let (f2, r) = the_pending(&w, thursday, "follow_up");
    assert_eq!(r, Some(d1));
    assert_eq!(planned_local(&w, f2), "Fri 2026-04-03 10:00");
    the_pending(&w, thursday, "reminder");
    assert_eq!(pending_of(&w, thursday).len(), 2);
    // Nothing more to create: the week's dry run lists no second follow-up.
    let week = automations::dry_run(&w.store, 7, now()).unwrap();
    assert!(planned_rows(&week).is_empty(), "{week:?}");
    // The D+1 rule switched off with its follow-ups: the D+3 rule gives them back, one each.
    automations::set_automation_active(&mut w.store, &admin, d1, false, true, now()).unwrap();
    let (_, r) = the_pending(&w, friday, "follow_up");
    assert_eq!(r, Some(d3));
    let (_, r) = the_pending(&w, thursday, "follow_up");
    assert_eq!(r, Some(d3));
}

/// On the demo store, for each of its rules (a D+3 follow-up rule among them) and for a second
/// follow-up rule on the same events: the dry run lists exactly what switching it on does, and
/// every event keeps one reminder and one follow-up at most.
#[test]
fn on_the_demo_store_the_dry_run_of_each_rule_is_what_switching_it_on_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 2026, "admin", now()).unwrap();
    let mut store = Store::open(&path).unwrap();
    let admin = Actor::identify(&mut store, "admin", now()).unwrap();
    let at_most_one_each = |store: &Store| {
        let doubled: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM (SELECT event_id, kind FROM messages WHERE status = 'pending'
                    AND automation_id IS NOT NULL AND kind IN ('reminder','follow_up')
                    GROUP BY event_id, kind HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(doubled, 0, "an event with two pending messages of one kind");
    };
    let pending = |store: &Store, rule: i64| -> Vec<(i64, i64, String)> {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT event_id, planned_at, text FROM messages WHERE automation_id = ?1 AND status = 'pending'
                 ORDER BY event_id",
            )
            .unwrap();
        stmt.query_map([rule], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    at_most_one_each(&store);
    let rules = smsdesk::store::automations::list(store.db()).unwrap();
    assert!(rules.iter().any(|r| r.offset_days > 0));
    for r in &rules {
        automations::set_automation_active(&mut store, &admin, r.id, false, true, now()).unwrap();
        let dry = automations::dry_run_rule(&store, r.id, now()).unwrap();
        automations::set_automation_active(&mut store, &admin, r.id, true, false, now()).unwrap();
        assert_eq!(planned_rows(&dry), pending(&store, r.id), "{}", r.name);
        assert!(
            !planned_rows(&dry).is_empty() || r.offset_days > 0,
            "{}",
            r.name
        );
    }
    at_most_one_each(&store);
    // A second follow-up rule on the orientations, D+1: it would leave earlier after each of
    // them, so it takes over the D+3 rule's pending follow-ups; listed first, then done.
    let d3 = rules.iter().find(|r| r.offset_days > 0).unwrap();
    let input = AutomationRule {
        name: "Orientations : suivi J+1".into(),
        event_kind: d3.event_kind,
        collaborators: vec![],
        event_types: vec![],
        offset_days: 1,
        template_id: d3.template_id,
        active: false,
        condition: Default::default(),
    };
    let d1 = automations::create_automation(&mut store, &admin, &input, now()).unwrap();
    let dry = automations::dry_run_rule(&store, d1, now()).unwrap();
    let d3_before = pending(&store, d3.id).len();
    let out =
        automations::set_automation_active(&mut store, &admin, d1, true, false, now()).unwrap();
    assert_eq!(out.created(), planned_rows(&dry).len());
    assert_eq!(planned_rows(&dry), pending(&store, d1));
    let took_over = dry.iter().filter(|p| p.takes_over.is_some()).count();
    assert!(
        took_over > 0,
        "the demo has orientations waiting for their follow-up"
    );
    assert_eq!(pending(&store, d3.id).len(), d3_before - took_over);
    at_most_one_each(&store);
}

#[test]
fn a_template_edited_before_saving_leaves_as_edited_and_its_reply_keywords_still_set_the_outcome() {
    let mut w = world();
    let admin = w.admin.clone();
    let e = w.event(w.alice, "2026-03-27 15:30");
    let edited = "Bonjour {{participant.first_name}}, RDV le {{event.date|%d/%m}} a {{event.time|%Hh%M}}. Apportez votre CV.";
    let r = reminders::schedule_reminder(
        &mut w.store,
        &admin,
        e,
        When::DaysBefore(1),
        Body::Edited {
            template: w.t_interview,
            text: edited.into(),
        },
        now(),
    )
    .unwrap();
    let m = w.message(r.message_id);
    assert!(
        m.text
            .starts_with("Bonjour Alice, RDV le 27/03 a 15h30. Apportez votre CV."),
        "{}",
        m.text
    );
    assert_eq!(
        w.int(
            "SELECT template_id FROM messages WHERE id = ?1",
            r.message_id
        ),
        w.t_interview,
        "still the template's message"
    );
    // Moving the event re-renders the edited text, not the template's.
    w.move_event(e, "2026-03-30 11:00").unwrap();
    let m = w.message(r.message_id);
    assert!(
        m.text
            .starts_with("Bonjour Alice, RDV le 30/03 a 11h00. Apportez votre CV."),
        "{}",
        m.text
    );

    // It leaves; the participant answers the template's keyword.
    let sent_at = utc("2026-03-28T09:00:00Z");
    w.store
        .conn()
        .execute(
            "UPDATE messages SET status = 'delivered', sent_at = ?2 WHERE id = ?1",
            rusqlite::params![r.message_id, sent_at.timestamp()],
        )
        .unwrap();
    let outcome = smsdesk::core::replies::record_inbound(
        &mut w.store,
        smsdesk::gateway::ProviderKind::Simulator,
        &smsdesk::gateway::InboundSms {
            from_e164: "+33612345678".into(),
            to: String::new(),
            text: "Oui".into(),
            received_at: sent_at + chrono::Duration::hours(1),
            provider_id: "in-1".into(),
        },
        sent_at + chrono::Duration::hours(1),
    )
    .unwrap();
    assert!(
        matches!(
            outcome,
            smsdesk::core::replies::ReplyOutcome::Matched { .. }
        ),
        "{outcome:?}"
    );
    let outcome: String = w
        .store
        .conn()
        .query_row("SELECT outcome FROM events WHERE id = ?1", [e], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(outcome, "confirmé par SMS");
}

#[test]
fn a_locked_template_cannot_leave_edited_nor_a_templates_only_operator_edit_one() {
    let mut w = world();
    let admin = w.admin.clone();
    let e = w.event(w.alice, "2026-03-27 15:30");
    w.store
        .conn()
        .execute(
            "UPDATE templates SET locked = 1 WHERE id = ?1",
            [w.t_interview],
        )
        .unwrap();
    let edit = Body::Edited {
        template: w.t_interview,
        text: "Autre texte".into(),
    };
    let err = w
        .schedule(e, When::DaysBefore(1), edit.clone())
        .unwrap_err();
    assert!(invalid(err).contains("is locked"));
    w.store
        .conn()
        .execute(
            "UPDATE templates SET locked = 0 WHERE id = ?1",
            [w.t_interview],
        )
        .unwrap();
    admin::add_user(
        &mut w.store,
        &admin,
        "karim",
        Rights::parse("scheduled,templates_only").unwrap(),
        now(),
    )
    .unwrap();
    let karim = Actor::identify(&mut w.store, "karim", now()).unwrap();
    let err =
        reminders::schedule_reminder(&mut w.store, &karim, e, When::DaysBefore(1), edit, now())
            .unwrap_err();
    assert!(forbidden(err).contains("templates only"));
}
