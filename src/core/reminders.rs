//! Reminders: an SMS tied to an event, sent N days before it (or at a chosen local time), and
//! the operator's edits of one pending reminder. The planning and rendering helpers here are
//! shared with event changes and automations, so a reminder is planned and written the same
//! way whoever creates it.

pub use super::outbox::EditedText;
use super::outbox::{self, Timing};
use super::refusal::{Context, LocalTime};
use super::send::Body;
use super::{Actor, CancelledEventChange, CoreError, CoreResult, Forbidden, Refusal, merge};
use crate::sms::encoding::SegmentInfo;
use crate::sms::status::{EventKind, MessageKind, MessageStatus};
use crate::sms::template::TemplateContext;
use crate::sms::window;
use crate::store::Db;
use crate::store::audit::AuditAction;
use crate::store::events::{self, EventDetail, ReminderSettings};
use crate::store::notes::{LocalAt, RuleReason, Wording};
use crate::store::pending::NewText;
use crate::store::settings::Settings;
use crate::store::{Store, audit, from_ts, messages, pending, templates};
use chrono::{DateTime, NaiveDateTime, Utc};

/// When a reminder leaves: N days before the event (same time of day, moved into the window),
/// or at an exact local date-time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// 1 to 7 days before the event.
    DaysBefore(u32),
    /// An exact local date-time (organisation's timezone), inside the window, before the event.
    At(NaiveDateTime),
}

/// A reminder just scheduled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledReminder {
    pub message_id: i64,
    pub planned_at: DateTime<Utc>,
    /// The planned time in the organisation's timezone, as the operator reads it.
    pub planned_local: NaiveDateTime,
    pub text: String,
    pub chars: usize,
    pub segments: usize,
    /// Pending reminders of the event this one replaced (now cancelled): only ones left from
    /// before one reminder per event; the event's pending reminder is edited in place.
    pub replaced: Vec<i64>,
}

/// Most days before an event a reminder may be planned (the delays offered: D-1 … D-7).
pub const MAX_DAYS_BEFORE: u32 = 7;

/// The template context of an event kind.
pub(crate) fn event_context(kind: EventKind) -> TemplateContext {
    match kind {
        EventKind::Interview => TemplateContext::Interview,
        EventKind::Step => TemplateContext::Step,
        EventKind::Orientation => TemplateContext::Orientation,
    }
}

/// A local date-time as the audit log records it (ISO, English day): `Saturday 2026-03-28 09:00`.
/// Screens and messages use [`LocalTime`] instead.
pub(crate) fn fmt_local(local: NaiveDateTime) -> String {
    local.format("%A %Y-%m-%d %H:%M").to_string()
}

/// An instant in the organisation's wall-clock time.
pub(crate) fn to_local(settings: &Settings, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&settings.timezone).naive_local()
}

/// The event's local start, refusing a corrupt stored value with the event's id.
pub(crate) fn local_start(event: &EventDetail) -> CoreResult<NaiveDateTime> {
    event.local_start().ok_or_else(|| {
        CoreError::Invalid(Refusal::StoredStartBad {
            event: event.id,
            start: event.starts_local.clone(),
        })
    })
}

/// When a message `offset_days` from an event leaves: D-N (negative) before it, D+N
/// (positive) after it, planned by the window rules. A D-N moment already past is replaced by
/// the next opening of the window when that is still before the event (the reminder is
/// still useful); otherwise there is no time left, and the reason says why.
pub(crate) fn plan_offset(
    settings: &Settings,
    event: &EventDetail,
    offset_days: i64,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, RuleReason> {
    let tz = settings.timezone;
    let w = settings.window();
    let local = event
        .local_start()
        .ok_or_else(|| RuleReason::StoredStartBad {
            start: event.starts_local.clone(),
        })?;
    let start = from_ts(event.starts_at);
    let days = u32::try_from(offset_days.unsigned_abs()).unwrap_or(u32::MAX);
    let window = |e: window::PlanError| RuleReason::Window {
        problem: Wording::of(&e),
    };
    if offset_days < 0 {
        if start <= now {
            return Err(RuleReason::EventStarted {
                start: LocalAt(local),
            });
        }
        let planned = window::plan_reminder(local, days, tz, &w).map_err(window)?;
        if planned >= now {
            return Ok(planned);
        }
        let open = window::next_opening(now, tz, &w);
        if open < start && w.is_open(open, tz) {
            Ok(open)
        } else {
            Err(RuleReason::NoTimeLeft {
                start: LocalAt(local),
                window: crate::store::notes::StoredWindow(w.to_string()),
            })
        }
    } else {
        let planned = window::plan_follow_up(local, days, tz, &w).map_err(window)?;
        if planned >= now {
            Ok(planned)
        } else {
            Err(RuleReason::FollowUpPassed {
                at: LocalAt(to_local(settings, planned)),
            })
        }
    }
}

/// Deadline of a message tied to an event: a reminder is retried until the event starts, a
/// follow-up for 24 hours after its planned time.
pub(crate) fn deadline_for(
    kind: MessageKind,
    event: &EventDetail,
    planned: DateTime<Utc>,
) -> DateTime<Utc> {
    if kind == MessageKind::FollowUp {
        window::retry_deadline(false, planned, None)
    } else {
        from_ts(event.starts_at)
    }
}

/// Renders a template (or an operator's own text) for the event's participant, with the
/// signature, and counts it; refuses a missing merge field value (naming the field and the
/// participant) or a text longer than the segments allowed.
pub(crate) fn render_for_event(
    conn: Db<'_>,
    settings: &Settings,
    source: &str,
    event: &EventDetail,
    who: &str,
) -> CoreResult<(String, SegmentInfo)> {
    let ctx = event_context(event.kind);
    let parsed = merge::parse(source, ctx)?;
    let data = merge::merge_data(conn, settings, Some(event.participant_id), Some(event.id))?;
    let rendered = merge::render(&parsed, &data, settings, who)?;
    let text = outbox::final_text(settings, &rendered, false);
    let info = outbox::check_length(settings, &text).map_err(|e| outbox::prefixed(who, e))?;
    Ok((text, info))
}

/// A template usable for an event reminder: it exists, is active and is written for the
/// event's kind. Returns its body and whether it expects a reply.
pub(crate) fn reminder_template(
    conn: Db<'_>,
    template_id: i64,
    ctx: TemplateContext,
) -> CoreResult<(String, bool)> {
    let t = templates::get(conn, template_id)?;
    if !t.active {
        return Err(Refusal::TemplateInactive { template: t.name }.into());
    }
    if t.context != ctx.as_str() {
        return Err(Refusal::TemplateNotForReminder {
            template: t.name,
            context: Context(t.context),
            wanted: Context(ctx.as_str().to_string()),
        }
        .into());
    }
    Ok((t.body, t.reply_expected))
}

/// The source text of a reminder: its template's, the operator's own (not for "templates
/// only" operators), or a template's edited by the operator. Returns the source, the template,
/// whether a reply is expected, and the text typed by the operator if any.
fn reminder_body(
    tx: Db<'_>,
    actor: &Actor,
    body: &Body,
    ctx: TemplateContext,
) -> CoreResult<(String, Option<i64>, bool, Option<String>)> {
    Ok(match body {
        Body::Template(id) => {
            let (source, reply) = reminder_template(tx, *id, ctx)?;
            (source, Some(*id), reply, None)
        }
        Body::Text(text) => {
            if !actor.rights.can_write_text() {
                return Err(Forbidden::TemplatesOnlyChoose {
                    login: actor.login.clone(),
                }
                .into());
            }
            (text.clone(), None, false, Some(text.clone()))
        }
        Body::Edited { template, text } => {
            let (_, reply) = reminder_template(tx, *template, ctx)?;
            super::send::check_edit(actor, &crate::store::templates::get(tx, *template)?)?;
            (text.clone(), Some(*template), reply, Some(text.clone()))
        }
    })
}

/// When a reminder leaves: some days before the event inside the sending window, or at an
/// exact time; with the days before and the exact time to remember on the event.
fn reminder_timing(
    settings: &Settings,
    when: When,
    local: NaiveDateTime,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> CoreResult<(Timing, Option<i64>, Option<DateTime<Utc>>)> {
    Ok(match when {
        When::DaysBefore(n) => {
            if !(1..=MAX_DAYS_BEFORE).contains(&n) {
                return Err(Refusal::ReminderDays {
                    max: i64::from(MAX_DAYS_BEFORE),
                    days: i64::from(n),
                }
                .into());
            }
            let tz = settings.timezone;
            let planned =
                window::plan_reminder(local, n, tz, &settings.window()).map_err(|problem| {
                    CoreError::Invalid(Refusal::Plan {
                        problem: Box::new(problem),
                    })
                })?;
            if planned < now {
                return Err(Refusal::ReminderTooLate {
                    days: i64::from(n),
                    start: LocalTime(local),
                    leaves: LocalTime(to_local(settings, planned)),
                }
                .into());
            }
            (
                Timing {
                    planned_at: planned,
                    deadline: start,
                },
                Some(i64::from(n)),
                None,
            )
        }
        When::At(at) => {
            let timing = outbox::timing_at(settings, now, at, false, Some(start))?;
            (timing, None, Some(timing.planned_at))
        }
    })
}

/// A pending reminder taken over by a new one: its id, and the rule that created it if any.
type TakenOver = (i64, Option<i64>);

/// The pending reminder of an event that a new one takes over (its id and the rule that
/// created it, if any), the others cancelled as replaced (their ids).
fn take_over_pending(
    tx: Db<'_>,
    actor: &Actor,
    event_id: i64,
    now: DateTime<Utc>,
) -> CoreResult<(Option<TakenOver>, Vec<i64>)> {
    // One reminder per event: setting it by hand edits the pending one (a rule's included,
    // which becomes the operator's); any other pending one left from before is replaced.
    let pending: Vec<events::EventMessage> = events::reminder_messages(tx, event_id)?
        .into_iter()
        .filter(|m| m.kind == MessageKind::Reminder && m.status == MessageStatus::Pending)
        .collect();
    let mut replaced = Vec::new();
    let edited = pending.last().map(|m| (m.id, m.automation_id));
    for m in pending.iter().rev().skip(1) {
        if messages::transition(
            tx,
            m.id,
            MessageStatus::Cancelled,
            now,
            &actor.login,
            Some(crate::store::notes::StatusNote::Replaced),
        )? {
            replaced.push(m.id);
        }
    }
    Ok((edited, replaced))
}

/// The audit detail of a scheduled reminder.
fn schedule_detail(
    event_id: i64,
    edited: Option<TakenOver>,
    planned_local: NaiveDateTime,
) -> String {
    match edited {
        Some((_, Some(rule))) => format!(
            "event #{event_id}, planned {}; set by hand on the reminder automation #{rule} created",
            fmt_local(planned_local)
        ),
        Some((_, None)) => format!(
            "event #{event_id}, planned {}; the event's reminder changed",
            fmt_local(planned_local)
        ),
        None => format!("event #{event_id}, planned {}", fmt_local(planned_local)),
    }
}

/// Schedules the reminder of an event (see [`schedule_reminder`]) inside a transaction the
/// caller holds, so creating an event with its reminder is all or nothing.
pub(crate) fn schedule_in(
    tx: Db<'_>,
    settings: &Settings,
    actor: &Actor,
    event_id: i64,
    when: When,
    body: &Body,
    now: DateTime<Utc>,
) -> CoreResult<ScheduledReminder> {
    if !actor.rights.can_scheduled() {
        return Err(Forbidden::NoScheduleReminders {
            login: actor.login.clone(),
        }
        .into());
    }
    let event = events::detail(tx, event_id)?;
    if event.cancelled {
        return Err(Refusal::EventCancelled {
            event: event_id,
            refused: CancelledEventChange::Reminder,
        }
        .into());
    }
    let ctx = event_context(event.kind);
    let local = local_start(&event)?;
    let start = from_ts(event.starts_at);
    if start <= now {
        return Err(Refusal::EventStarted {
            start: LocalTime(local),
        }
        .into());
    }
    let (source, template_id, expects_reply, typed) = reminder_body(tx, actor, body, ctx)?;
    let recipient = outbox::check_participant(tx, event.participant_id)?;
    let (text, info) = render_for_event(tx, settings, &source, &event, &recipient.name)?;
    let (timing, days_before, exact_at) = reminder_timing(settings, when, local, start, now)?;
    let (edited, replaced) = take_over_pending(tx, actor, event_id, now)?;
    let sending = outbox::Sending {
        settings,
        kind: MessageKind::Reminder,
        context: ctx.into(),
        timing,
        stamp: actor.stamp(now),
    };
    let mut m = sending.message(&recipient, text.clone(), &info);
    m.event_id = Some(event_id);
    m.template_id = template_id;
    m.collaborator_id = event.collaborator_id;
    m.expects_reply = expects_reply;
    let message_id = match edited {
        Some((id, _)) => {
            pending::rewrite_reminder(tx, id, &m)?;
            id
        }
        None => messages::insert(tx, &m)?,
    };
    ReminderSettings {
        enabled: true,
        days_before,
        at: exact_at,
        template_id,
        text: typed,
    }
    .write(tx, event_id, now)?;
    let planned_local = to_local(settings, timing.planned_at);
    audit::record(
        tx,
        actor.stamp(now),
        AuditAction::ReminderSchedule,
        message_id,
        &schedule_detail(event_id, edited, planned_local),
    )?;
    Ok(ScheduledReminder {
        message_id,
        planned_at: timing.planned_at,
        planned_local,
        text,
        chars: info.chars,
        segments: info.segments,
        replaced,
    })
}

/// Schedules the reminder of an event: `DaysBefore(1..=7)` is planned at the event's time of
/// day N days earlier, moved into the window; `At` is an exact local time, refused outside the
/// window, in the past or not before the event. Refused without the "scheduled" right, for a
/// typed text from a "templates only" operator, for a participant without mobile, consent or
/// who opted out, for a template of another context, a merge field without value, or a text
/// needing more segments than allowed. The participant's number is copied into the message. The
/// event has one reminder: a pending one (set by hand or by a rule) is edited, not doubled.
pub fn schedule_reminder(
    store: &mut Store,
    actor: &Actor,
    event_id: i64,
    when: When,
    body: Body,
    now: DateTime<Utc>,
) -> CoreResult<ScheduledReminder> {
    let settings = Settings::load(store.db())?;
    store.write(|tx| schedule_in(tx, &settings, actor, event_id, when, &body, now))
}

/// A pending reminder as the edit functions need it.
struct PendingReminder {
    kind: MessageKind,
    automation_id: Option<i64>,
    event_id: i64,
    template_id: Option<i64>,
    created_by: String,
}

/// The pending reminder `id` as `actor` may change it; `lacking` is the refusal when they
/// have no right over scheduled messages.
fn load_pending(
    conn: Db<'_>,
    actor: &Actor,
    id: i64,
    lacking: Forbidden,
) -> CoreResult<PendingReminder> {
    let pending::MessageHead {
        status,
        kind,
        created_by,
        event_id,
        template_id,
        automation_id,
        ..
    } = outbox::head_of(conn, id)?;
    let kind = match kind {
        Ok(kind) if kind.is_tied_to_event() => kind,
        other => {
            let code = other.map_or_else(|code| code, |kind| kind.as_str().to_string());
            let kind = Context(code);
            return Err(Refusal::NotAReminder { id, kind }.into());
        }
    };
    let Some(event_id) = event_id else {
        return Err(Refusal::NotTiedToEvent { id }.into());
    };
    outbox::require_pending_by(actor, id, status, &created_by, outbox::Change::Edit)?;
    if !actor.rights.can_scheduled() {
        return Err(lacking.into());
    }
    Ok(PendingReminder {
        kind,
        automation_id,
        event_id,
        template_id,
        created_by,
    })
}

/// Replaces the text of one pending reminder with the operator's own (the complete text as
/// it will leave; merge fields in it are filled in). It is marked as a manual edit, which a
/// later change of the event drops. Refused for a "templates only" operator, for a locked
/// template (administrators excepted), or when too long.
pub fn edit_reminder_text(
    store: &mut Store,
    actor: &Actor,
    message_id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> CoreResult<EditedText> {
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        let lacking = Forbidden::NoEditReminders {
            login: actor.login.clone(),
        };
        let p = load_pending(tx, actor, message_id, lacking)?;
        if !actor.rights.can_write_text() {
            return Err(Forbidden::TemplatesOnlyNoEdit {
                login: actor.login.clone(),
            }
            .into());
        }
        if let Some(tid) = p.template_id {
            let t = templates::get(tx, tid)?;
            if t.locked && !actor.rights.admin {
                return Err(Forbidden::LockedTemplate { template: t.name }.into());
            }
        }
        let event = events::detail(tx, p.event_id)?;
        let ctx = event_context(event.kind);
        let parsed = merge::parse(text, ctx)?;
        let data = merge::merge_data(tx, &settings, Some(event.participant_id), Some(event.id))?;
        let rendered = merge::render(&parsed, &data, &settings, "")?;
        let info = outbox::check_length(&settings, &rendered)?;
        pending::set_text(tx, message_id, &rendered, &info, NewText::Edited)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ReminderEditText,
            message_id,
            &format!("created by {}", p.created_by),
        )?;
        Ok(EditedText {
            text: rendered,
            chars: info.chars,
            segments: info.segments,
            encoding: info.encoding,
        })
    })
}

/// Moves one pending reminder to a local time: refused outside the window, in the past, or
/// (for a reminder) not before its event. Like a text edit, it is a manual edit: when the event
/// moves later, a reminder planned from a delay is re-planned from it (the edit is dropped, and
/// the operator told); one planned at an exact time keeps the new time while it stays valid.
pub fn edit_reminder_time(
    store: &mut Store,
    actor: &Actor,
    message_id: i64,
    at: NaiveDateTime,
    now: DateTime<Utc>,
) -> CoreResult<DateTime<Utc>> {
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        let lacking = Forbidden::NoMoveReminders {
            login: actor.login.clone(),
        };
        let p = load_pending(tx, actor, message_id, lacking)?;
        let event = events::detail(tx, p.event_id)?;
        let start = from_ts(event.starts_at);
        let timing = match p.kind {
            MessageKind::FollowUp => {
                let t = outbox::timing_at(&settings, now, at, false, None)?;
                if t.planned_at <= start {
                    return Err(Refusal::FollowUpBeforeEvent {
                        start: LocalTime(local_start(&event)?),
                        planned: LocalTime(to_local(&settings, t.planned_at)),
                    }
                    .into());
                }
                t
            }
            _ => outbox::timing_at(&settings, now, at, false, Some(start))?,
        };
        pending::replan_by_hand(tx, message_id, timing.planned_at, timing.deadline)?;
        // A manual reminder at an exact time: the event keeps the new time as its own.
        if p.kind == MessageKind::Reminder
            && p.automation_id.is_none()
            && event.reminder.days_before.is_none()
        {
            ReminderSettings {
                enabled: true,
                days_before: None,
                at: Some(timing.planned_at),
                template_id: p.template_id,
                text: event.reminder.text.clone(),
            }
            .write(tx, event.id, now)?;
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ReminderEditTime,
            message_id,
            &fmt_local(to_local(&settings, timing.planned_at)),
        )?;
        Ok(timing.planned_at)
    })
}

/// Switches an event's reminder off (the agenda's "reminder" box unticked): its pending
/// reminders are cancelled like from Upcoming — operators their own, administrators any —
/// and the event's reminder flag goes off, so no rule creates it again.
pub fn switch_off_reminder(
    store: &mut Store,
    actor: &Actor,
    event_id: i64,
    now: DateTime<Utc>,
) -> CoreResult<super::send::CancelReport> {
    let pending: Vec<i64> = events::reminder_messages(store.db(), event_id)?
        .into_iter()
        .filter(|m| m.kind == MessageKind::Reminder && m.status == MessageStatus::Pending)
        .map(|m| m.id)
        .collect();
    let report = super::send::cancel(store, actor, &pending, now)?;
    store.write(|tx| {
        let event = events::detail(tx, event_id)?;
        ReminderSettings {
            enabled: false,
            ..event.reminder
        }
        .write(tx, event_id, now)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ReminderSwitchOff,
            event_id,
            &format!("{} reminder(s) cancelled", report.cancelled.len()),
        )?;
        Ok::<_, CoreError>(())
    })?;
    Ok(report)
}
