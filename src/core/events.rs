//! Events in participants' futures (interviews, steps, orientations): creating, changing and
//! cancelling them, and keeping their reminders in step. A change of the date, time or of a
//! field a reminder's text uses re-plans and re-renders its pending reminders (dropping a
//! manual edit, and saying so); a cancelled event cancels its unsent reminders.

pub use super::changes::{EventKind, ReminderChange};
use super::refusal::Notice;
use super::reminders::{self, When};
use super::send::Body;
use super::{Actor, CoreError, CoreResult, automations};
use crate::sms::status::{MessageKind, MessageStatus};
use crate::sms::window;
use crate::store::Db;
use crate::store::audit::{AuditAction, Stamp};
use crate::store::events::{self, EventDetail, EventFields, NewEvent};
use crate::store::notes::{RuleReason, StatusNote, Wording};
use crate::store::pending::NewText;
use crate::store::settings::Settings;
use crate::store::{Store, audit, from_ts, messages, participants, pending, templates};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

/// The reminder an operator switches on while creating an event.
#[derive(Clone, Debug)]
pub struct ReminderRequest {
    pub when: When,
    pub body: Body,
}

/// An event to create from the agenda.
#[derive(Clone, Debug)]
pub struct NewEventInput {
    pub participant_id: i64,
    pub kind: EventKind,
    /// e.g. "diagnosis", "workshop".
    pub event_type: String,
    /// Start in the organisation's timezone.
    pub starts_local: NaiveDateTime,
    pub collaborator_id: Option<i64>,
    pub location: String,
    pub notes: String,
    pub reminder: Option<ReminderRequest>,
}

/// Changes to an event; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct EventChange {
    pub starts_local: Option<NaiveDateTime>,
    pub event_type: Option<String>,
    pub location: Option<String>,
    /// `Some(None)` removes the collaborator.
    pub collaborator_id: Option<Option<i64>>,
    pub notes: Option<String>,
}

/// The result of creating or changing an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventOutcome {
    pub event_id: i64,
    pub changes: Vec<ReminderChange>,
}

impl EventOutcome {
    /// One sentence per change, for the operator.
    pub fn notices(&self) -> Vec<Notice> {
        self.changes.iter().map(ReminderChange::notice).collect()
    }
}

fn check_collaborator(conn: Db<'_>, id: Option<i64>) -> CoreResult<()> {
    if let Some(id) = id
        && !participants::collaborator_exists(conn, id)?
    {
        return Err(CoreError::Store(crate::store::StoreError::NotFound {
            what: crate::store::Record::Collaborator,
            id,
        }));
    }
    Ok(())
}

/// A local start resolved in the organisation's timezone (a time in a spring-forward gap moves
/// forward, as everywhere else), returned as stored: instant and wall-clock time.
pub(super) fn resolve_start(
    settings: &Settings,
    local: NaiveDateTime,
) -> (DateTime<Utc>, NaiveDateTime) {
    let resolved = window::resolve_local(settings.timezone, local);
    (resolved.with_timezone(&Utc), resolved.naive_local())
}

/// Creates an event; with a reminder request, schedules it (all or nothing: a reminder that
/// cannot be scheduled refuses the event with the reason); then applies the automations.
pub fn create_event(
    store: &mut Store,
    actor: &Actor,
    input: NewEventInput,
    now: DateTime<Utc>,
) -> CoreResult<EventOutcome> {
    actor.require_operator(super::Action::CreateEvents)?;
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        participants::get(tx, input.participant_id)?;
        check_collaborator(tx, input.collaborator_id)?;
        let start = resolve_start(&settings, input.starts_local);
        let (_, starts_local) = start;
        let event_id = events::insert_event(
            tx,
            &NewEvent {
                collaborator_id: input.collaborator_id,
                location: input.location.trim().to_string(),
                notes: input.notes.clone(),
                ..NewEvent::planned(
                    input.participant_id,
                    input.kind,
                    input.event_type.trim().to_string(),
                    start,
                    &actor.login,
                    now,
                )
            },
        )?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::EventCreate,
            event_id,
            &format!(
                "{} {} for participant #{}",
                input.kind,
                reminders::fmt_local(starts_local),
                input.participant_id
            ),
        )?;
        let mut changes = Vec::new();
        if let Some(req) = &input.reminder {
            let s =
                reminders::schedule_in(tx, &settings, actor, event_id, req.when, &req.body, now)?;
            changes.push(ReminderChange::Created {
                message_id: s.message_id,
                kind: MessageKind::Reminder,
                planned_at: s.planned_at,
                planned_local: s.planned_local,
                automation: None,
            });
        }
        with_rules(tx, &settings, event_id, changes, actor, now)
    })
}

/// What an event's change did, once the automation rules have planned its reminders and
/// follow-ups too (after `changes`, which the change itself made).
fn with_rules(
    tx: Db<'_>,
    settings: &Settings,
    event_id: i64,
    mut changes: Vec<ReminderChange>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> CoreResult<EventOutcome> {
    changes.extend(automations::apply_in(
        tx,
        settings,
        event_id,
        &actor.login,
        now,
    )?);
    Ok(EventOutcome { event_id, changes })
}

/// The text a pending reminder is rendered from: its template, or the operator's own text
/// kept on the event. `None` when neither is known (the text is then left as it is).
fn source_of(
    conn: Db<'_>,
    m: &events::EventMessage,
    event: &EventDetail,
) -> CoreResult<Option<String>> {
    let by_hand = m.automation_id.is_none() && m.kind == MessageKind::Reminder;
    // The operator's own text, or a template's text as they edited it, is kept on the event.
    if by_hand && event.reminder.text.is_some() {
        return Ok(event.reminder.text.clone());
    }
    if let Some(tid) = m.template_id {
        return Ok(Some(templates::get(conn, tid)?.body));
    }
    Ok(None)
}

/// Renders a source for an event without the length rule (to compare before and after).
fn render_plain(
    conn: Db<'_>,
    settings: &Settings,
    source: &str,
    event: &EventDetail,
) -> Option<String> {
    let ctx = reminders::event_context(event.kind);
    let parsed = super::merge::parse(source, ctx).ok()?;
    let data = super::merge::merge_data(conn, settings, Some(event.participant_id), Some(event.id))
        .ok()?;
    super::merge::render(&parsed, &data, settings, "").ok()
}

/// Cancels a pending message because the event changed, with the reason in its history.
fn cancel_for_change(
    tx: Db<'_>,
    event_id: i64,
    message_id: i64,
    actor: &str,
    reason: RuleReason,
    now: DateTime<Utc>,
) -> CoreResult<Option<ReminderChange>> {
    let note = |reason| StatusNote::EventChanged { reason };
    automations::cancel_with_reason(tx, message_id, event_id, actor, reason, note, now)
}

/// One pending reminder of an event before the change: its source text and how it renders.
struct Before {
    message: events::EventMessage,
    source: Option<String>,
    rendered: Option<String>,
}

/// Changes an event's date, time, type, location, collaborator or notes; then re-plans and
/// re-renders its pending reminders and applies the automations that now match.
///
/// A reminder planned N days before is re-planned from its delay (even if its time was edited
/// by hand); one at an exact time keeps it while it is still valid (in the window, in the
/// future, before the event). Its text is
/// re-rendered from its template (or the operator's original text) when the start or a field
/// it uses changed — a manual edit is then dropped, and the result says so. A reminder left
/// with no possible time or text is cancelled with the reason; so is one from a rule that no
/// longer matches the event.
pub fn update_event(
    store: &mut Store,
    actor: &Actor,
    event_id: i64,
    change: EventChange,
    now: DateTime<Utc>,
) -> CoreResult<EventOutcome> {
    actor.require_operator(super::Action::ChangeEvents)?;
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        let old = events::detail(tx, event_id)?;
        if old.cancelled {
            return Err(super::Refusal::EventCancelled {
                event: event_id,
                refused: super::CancelledEventChange::Change,
            }
            .into());
        }
        let old_local = reminders::local_start(&old)?;
        let (starts_at, starts_local) = match change.starts_local {
            Some(l) => resolve_start(&settings, l),
            None => (from_ts(old.starts_at), old_local),
        };
        let collaborator_id = change.collaborator_id.unwrap_or(old.collaborator_id);
        check_collaborator(tx, collaborator_id)?;
        let fields = EventFields {
            event_type: change
                .event_type
                .as_deref()
                .map(str::trim)
                .unwrap_or(&old.event_type)
                .to_string(),
            starts_at,
            starts_local,
            collaborator_id,
            location: change
                .location
                .as_deref()
                .map(str::trim)
                .unwrap_or(&old.location)
                .to_string(),
            notes: change.notes.clone().unwrap_or_else(|| old.notes.clone()),
        };
        let mut before = Vec::new();
        for m in events::reminder_messages(tx, event_id)? {
            if m.status != MessageStatus::Pending {
                continue;
            }
            let source = source_of(tx, &m, &old)?;
            let rendered = source
                .as_deref()
                .and_then(|s| render_plain(tx, &settings, s, &old));
            before.push(Before {
                message: m,
                source,
                rendered,
            });
        }
        fields.write(tx, event_id, now)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::EventUpdate,
            event_id,
            &describe_change(&old, &fields),
        )?;
        let new = events::detail(tx, event_id)?;
        let start_changed = new.starts_at != old.starts_at;
        let mut changes = Vec::new();
        for b in before {
            if let Some(c) = replan(tx, &settings, &new, start_changed, b, &actor.login, now)? {
                changes.push(c);
            }
        }
        with_rules(tx, &settings, event_id, changes, actor, now)
    })
}

fn describe_change(old: &EventDetail, f: &EventFields) -> String {
    let mut parts = Vec::new();
    let new_local = f.starts_local.format("%Y-%m-%d %H:%M:%S").to_string();
    if new_local != old.starts_local {
        parts.push(format!("start {} -> {}", old.starts_local, new_local));
    }
    if f.event_type != old.event_type {
        parts.push(format!("type {:?} -> {:?}", old.event_type, f.event_type));
    }
    if f.location != old.location {
        parts.push(format!("location {:?} -> {:?}", old.location, f.location));
    }
    if f.collaborator_id != old.collaborator_id {
        parts.push(format!(
            "collaborator {:?} -> {:?}",
            old.collaborator_id, f.collaborator_id
        ));
    }
    if f.notes != old.notes {
        parts.push("notes".to_string());
    }
    if parts.is_empty() {
        "no change".to_string()
    } else {
        parts.join(", ")
    }
}

/// Brings one pending reminder in step with its changed event.
fn replan(
    tx: Db<'_>,
    settings: &Settings,
    event: &EventDetail,
    start_changed: bool,
    b: Before,
    actor: &str,
    now: DateTime<Utc>,
) -> CoreResult<Option<ReminderChange>> {
    let m = &b.message;
    let kind = m.kind;
    // The rule behind an automatic reminder: its delay, and whether it still applies.
    let mut delay: Option<i64> = None;
    if let Some(aid) = m.automation_id {
        let rule = crate::store::automations::get(tx, aid)?;
        if !automations::rule_matches(&rule, event) {
            let reason = RuleReason::RuleNoLongerMatches {
                rule: rule.rule.name,
            };
            return cancel_for_change(tx, event.id, m.id, actor, reason, now);
        }
        delay = Some(rule.offset_days);
    } else if kind == MessageKind::Reminder {
        delay = event.reminder.days_before.map(|d| -d);
    }
    // A reminder without a delay was planned at an exact time: it is kept while valid. One
    // planned from a delay is re-planned from it (a manual time edit is dropped).
    let exact = delay.is_none();
    let old_planned = from_ts(m.planned_at);
    let mut planned = old_planned;
    if start_changed {
        if exact {
            let tz = settings.timezone;
            let event_start = (kind == MessageKind::Reminder).then(|| from_ts(event.starts_at));
            if let Err(e) =
                window::validate_planned(old_planned, now, event_start, tz, &settings.window())
            {
                let reason = RuleReason::Window {
                    problem: Wording::of(&e),
                };
                return cancel_for_change(tx, event.id, m.id, actor, reason, now);
            }
        } else if let Some(offset) = delay {
            match reminders::plan_offset(settings, event, offset, now) {
                Ok(p) => planned = p,
                Err(reason) => return cancel_for_change(tx, event.id, m.id, actor, reason, now),
            }
        }
    }
    // The text, re-rendered when the start or a field it uses changed.
    let mut text_rerendered = false;
    let mut new_text = None;
    if let Some(source) = &b.source {
        let who = participants::get(tx, event.participant_id)?.full_name();
        let after = render_plain(tx, settings, source, event);
        if start_changed || after != b.rendered {
            match reminders::render_for_event(tx, settings, source, event, &who) {
                Ok((text, info)) => {
                    text_rerendered = text != m.text || m.manual_edit;
                    new_text = Some((text, info));
                }
                Err(e) => {
                    let reason = RuleReason::TextUnwritable {
                        problem: Wording::of(&e),
                    };
                    return cancel_for_change(tx, event.id, m.id, actor, reason, now);
                }
            }
        }
    }
    let manual_edit_dropped = new_text.is_some() && m.manual_edit;
    let time_changed = planned != old_planned;
    if !time_changed && !text_rerendered && !manual_edit_dropped && !start_changed {
        return Ok(None);
    }
    let deadline = reminders::deadline_for(kind, event, planned);
    pending::replan(tx, m.id, planned, deadline)?;
    if let Some((text, info)) = &new_text {
        pending::set_text(tx, m.id, text, info, NewText::Rendered)?;
    }
    if !time_changed && !text_rerendered && !manual_edit_dropped {
        // Only the deadline followed the event: nothing the operator needs to hear about.
        return Ok(None);
    }
    let change = ReminderChange::Replanned {
        message_id: m.id,
        planned_at: planned,
        planned_local: reminders::to_local(settings, planned),
        time_changed,
        text_rerendered,
        manual_edit_dropped,
    };
    audit::record(
        tx,
        Stamp { by: actor, at: now },
        AuditAction::ReminderReplan,
        m.id,
        &change.to_string(),
    )?;
    Ok(Some(change))
}

/// What cancelling an event did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CancelledEvent {
    pub event_id: i64,
    /// Unsent reminders and follow-ups cancelled with it.
    pub cancelled_messages: Vec<i64>,
}

/// Cancels an event and its unsent reminders and follow-ups (history detail "event
/// cancelled"). The event stays in the history, marked cancelled.
pub fn cancel_event(
    store: &mut Store,
    actor: &Actor,
    event_id: i64,
    now: DateTime<Utc>,
) -> CoreResult<CancelledEvent> {
    actor.require_operator(super::Action::CancelEvents)?;
    store.write(|tx| {
        let event = events::detail(tx, event_id)?;
        if event.cancelled {
            return Err(super::Refusal::EventCancelled {
                event: event_id,
                refused: super::CancelledEventChange::Cancel,
            }
            .into());
        }
        events::set_cancelled(tx, event_id, now)?;
        let mut cancelled_messages = Vec::new();
        for m in events::reminder_messages(tx, event_id)? {
            if m.status == MessageStatus::Pending
                && messages::transition(
                    tx,
                    m.id,
                    MessageStatus::Cancelled,
                    now,
                    &actor.login,
                    Some(StatusNote::EventCancelled),
                )?
            {
                cancelled_messages.push(m.id);
            }
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::EventCancel,
            event_id,
            &format!("{} unsent reminder(s) cancelled", cancelled_messages.len()),
        )?;
        Ok(CancelledEvent {
            event_id,
            cancelled_messages,
        })
    })
}
