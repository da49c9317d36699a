//! Automations: rules that create reminders (D-N) and follow-ups (D+N) by themselves for the
//! events they match. Administrators manage them; a rule created, changed or switched on acts
//! on the whole future agenda, and every event created or changed goes through
//! [`apply_automations`]. An event has one reminder: the rules fill it in (the one leaving
//! latest before the event wins), the operator may edit it. [`dry_run`] and
//! [`preview_automation`] show what the rules would create, writing nothing.

use super::events::{EventKind, ReminderChange};
use super::outbox::{self, Timing};
use super::{Actor, CoreError, CoreResult, reminders};
use crate::sms::status::{MessageKind, MessageStatus};
use crate::store::automations::{self as rules, AutomationRow, NewAutomation};
use crate::store::events::{self, EventDetail, EventMessage};
use crate::store::settings::Settings;
use crate::store::{Store, audit, from_ts, messages, templates};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// A rule as the administrator defines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutomationInput {
    pub name: String,
    pub event_kind: EventKind,
    /// Collaborator ids; empty = any collaborator.
    pub collaborators: Vec<i64>,
    /// Event types; empty = any type.
    pub event_types: Vec<String>,
    /// -7 … -1: reminder N days before; 1 … 30: follow-up N days after.
    pub offset_days: i64,
    pub template_id: i64,
    pub active: bool,
}

/// Checks what the store cannot (collaborators exist, types are not blank) and builds the row.
fn prepare(
    conn: &Connection,
    actor: &Actor,
    input: &AutomationInput,
    now: DateTime<Utc>,
) -> CoreResult<NewAutomation> {
    let name = input.name.trim();
    for &c in &input.collaborators {
        let found = conn
            .query_row("SELECT 1 FROM collaborators WHERE id = ?1", [c], |_| Ok(()))
            .optional()?;
        if found.is_none() {
            return Err(CoreError::Invalid(format!(
                "automation {name:?}: collaborator #{c} does not exist"
            )));
        }
    }
    let mut collaborators = input.collaborators.clone();
    collaborators.sort_unstable();
    collaborators.dedup();
    let mut types: Vec<String> = Vec::new();
    for t in &input.event_types {
        let t = t.trim();
        if t.is_empty() {
            return Err(CoreError::Invalid(format!(
                "automation {name:?}: an event type in the list is blank"
            )));
        }
        if !types.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
            types.push(t.to_string());
        }
    }
    Ok(NewAutomation {
        name: name.to_string(),
        event_kind: input.event_kind.as_str().to_string(),
        collaborators,
        event_types: types,
        offset_days: input.offset_days,
        template_id: input.template_id,
        active: input.active,
        created_by: actor.login.clone(),
        created_at: now,
    })
}

fn describe(a: &NewAutomation) -> String {
    let delay = if a.offset_days < 0 {
        format!("D{}", a.offset_days)
    } else {
        format!("D+{}", a.offset_days)
    };
    format!(
        "{} {} {delay}, template #{}{}",
        a.name,
        a.event_kind,
        a.template_id,
        if a.active { "" } else { " (inactive)" }
    )
}

/// What saving, switching or deleting a rule did to the agenda: the reminders it created
/// (or took over from a rule leaving earlier) for the events already there, and its pending
/// reminders cancelled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOutcome {
    pub id: i64,
    /// Per event, what the rule did (created, took over, or could not: with the reason).
    pub changes: Vec<(i64, ReminderChange)>,
    /// Pending messages of the rule cancelled at the operator's request.
    pub cancelled: Vec<i64>,
}

impl RuleOutcome {
    /// Reminders and follow-ups the rule created or took over.
    pub fn created(&self) -> usize {
        self.changes
            .iter()
            .filter(|(_, c)| {
                matches!(
                    c,
                    ReminderChange::Created { .. } | ReminderChange::Replanned { .. }
                )
            })
            .count()
    }
}

/// Creates a rule (administrators only, audited) and, when active, applies it to the whole
/// future agenda. Its template must exist and be written for the rule's event kind.
pub fn create_automation(
    store: &mut Store,
    actor: &Actor,
    input: &AutomationInput,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    Ok(save_automation(store, actor, None, input, now)?.id)
}

/// Creates (`id` None) or replaces a rule's definition (administrators only, audited), then
/// applies it, when active, to every matching future event: the count is what
/// [`preview_automation`] announced. Reminders it already created are kept as they are.
pub fn save_automation(
    store: &mut Store,
    actor: &Actor,
    id: Option<i64>,
    input: &AutomationInput,
    now: DateTime<Utc>,
) -> CoreResult<RuleOutcome> {
    actor.require_admin(if id.is_some() {
        "change automations"
    } else {
        "create automations"
    })?;
    let settings = Settings::load(store.conn())?;
    store.write(|tx| {
        let a = prepare(tx, actor, input, now)?;
        let (id, action) = match id {
            Some(id) => {
                rules::update_automation(tx, id, &a)?;
                (id, "automation.update")
            }
            None => (rules::insert_automation(tx, &a)?, "automation.create"),
        };
        let changes = if a.active {
            apply_rule_in(tx, &settings, &rules::get(tx, id)?, now)?
        } else {
            Vec::new()
        };
        let out = RuleOutcome {
            id,
            changes,
            cancelled: Vec::new(),
        };
        audit::record(
            tx,
            now,
            &actor.login,
            action,
            "automation",
            &id.to_string(),
            &format!("{}; {} message(s) created", describe(&a), out.created()),
        )?;
        Ok(out)
    })
}

/// Replaces a rule's definition; see [`save_automation`].
pub fn update_automation(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    input: &AutomationInput,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    save_automation(store, actor, Some(id), input, now).map(|_| ())
}

/// Cancels the rule's pending messages (history detail recognised so that reactivating the
/// rule, or another rule, may create the event's reminder again), then lets the other active
/// rules give those events their reminder.
fn cancel_pending_in(
    tx: &Connection,
    settings: &Settings,
    rule: &AutomationRow,
    login: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<i64>> {
    let mut cancelled = Vec::new();
    let detail = format!("{}\"{}\"", events::RULE_OFF_CANCEL_PREFIX, rule.name);
    for id in rules::pending_messages(tx, rule.id)? {
        if messages::transition(tx, id, MessageStatus::Cancelled, now, login, &detail)? {
            cancelled.push(id);
        }
    }
    let mut touched: Vec<i64> = Vec::new();
    for &id in &cancelled {
        let event_id: Option<i64> =
            tx.query_row("SELECT event_id FROM messages WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        if let Some(e) = event_id.filter(|e| !touched.contains(e)) {
            touched.push(e);
            let creator = events::detail(tx, e)?.created_by;
            apply_in(tx, settings, e, &creator, now)?;
        }
    }
    Ok(cancelled)
}

/// How many messages of a rule are still to leave: what switching it off or deleting it
/// offers to cancel.
pub fn pending_count(store: &Store, id: i64) -> CoreResult<usize> {
    Ok(rules::pending_messages(store.conn(), id)?.len())
}

/// Switches a rule on or off (administrators only, audited). Switched on, it creates the
/// reminders of every matching future event; switched off, its pending messages are cancelled
/// when `cancel_pending` (the operator was asked, with [`pending_count`]), kept otherwise.
pub fn set_automation_active(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    active: bool,
    cancel_pending: bool,
    now: DateTime<Utc>,
) -> CoreResult<RuleOutcome> {
    actor.require_admin("switch automations on or off")?;
    let settings = Settings::load(store.conn())?;
    store.write(|tx| {
        rules::set_active(tx, id, active, now)?;
        let rule = rules::get(tx, id)?;
        let mut out = RuleOutcome {
            id,
            ..Default::default()
        };
        if active {
            out.changes = apply_rule_in(tx, &settings, &rule, now)?;
        } else if cancel_pending {
            out.cancelled = cancel_pending_in(tx, &settings, &rule, &actor.login, now)?;
        }
        audit::record(
            tx,
            now,
            &actor.login,
            if active {
                "automation.activate"
            } else {
                "automation.deactivate"
            },
            "automation",
            &id.to_string(),
            &format!(
                "{} message(s) created, {} pending cancelled",
                out.created(),
                out.cancelled.len()
            ),
        )?;
        Ok(out)
    })
}

/// Deletes a rule (administrators only, audited). One that created messages is kept out of
/// sight for their history; its pending messages are cancelled when `cancel_pending`.
pub fn delete_automation(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    cancel_pending: bool,
    now: DateTime<Utc>,
) -> CoreResult<RuleOutcome> {
    actor.require_admin("delete automations")?;
    let settings = Settings::load(store.conn())?;
    store.write(|tx| {
        let rule = rules::get(tx, id)?;
        rules::delete_automation(tx, id, now)?;
        let cancelled = if cancel_pending {
            cancel_pending_in(tx, &settings, &rule, &actor.login, now)?
        } else {
            Vec::new()
        };
        audit::record(
            tx,
            now,
            &actor.login,
            "automation.delete",
            "automation",
            &id.to_string(),
            &format!("{}; {} pending cancelled", rule.name, cancelled.len()),
        )?;
        Ok(RuleOutcome {
            id,
            changes: Vec::new(),
            cancelled,
        })
    })
}

/// Every rule, broken ones flagged by [`AutomationRow::is_broken`].
pub fn list_automations(store: &Store) -> CoreResult<Vec<AutomationRow>> {
    Ok(rules::list(store.conn())?)
}

/// Whether a rule applies to an event: same kind, and its collaborator and type in the rule's
/// sets when those are not empty (types compared ignoring case and surrounding spaces).
pub fn rule_matches(rule: &AutomationRow, event: &EventDetail) -> bool {
    if rule.event_kind != event.kind {
        return false;
    }
    if !rule.collaborators.is_empty()
        && !event
            .collaborator_id
            .is_some_and(|c| rule.collaborators.contains(&c))
    {
        return false;
    }
    let ty = event.event_type.trim().to_lowercase();
    rule.event_types.is_empty()
        || rule
            .event_types
            .iter()
            .any(|t| t.trim().to_lowercase() == ty)
}

/// What one rule would do for one event.
enum Evaluation {
    /// The rule does not apply, or its moment has passed.
    Nothing,
    /// The template is inactive.
    Broken,
    /// It applies, but the message cannot be made; the reason says why.
    Refused(String),
    /// The message to insert.
    Ready(Box<crate::store::messages::NewMessage>),
}

/// Evaluates a rule for an event as if it were active (what it exists alongside is for
/// [`decide`]).
fn evaluate(
    conn: &Connection,
    settings: &Settings,
    event: &EventDetail,
    rule: &AutomationRow,
    created_by: &str,
    now: DateTime<Utc>,
) -> CoreResult<Evaluation> {
    if event.cancelled || !rule_matches(rule, event) {
        return Ok(Evaluation::Nothing);
    }
    let start = from_ts(event.starts_at);
    // A D-N rule on an event already started, or a D+N rule whose moment has passed (an
    // event recorded after the fact), has nothing to do: not worth a warning.
    if rule.offset_days < 0 && start <= now {
        return Ok(Evaluation::Nothing);
    }
    if rule.offset_days > 0
        && start
            .checked_add_signed(Duration::days(rule.offset_days))
            .is_none_or(|t| t < now)
    {
        return Ok(Evaluation::Nothing);
    }
    if rule.is_broken() {
        return Ok(Evaluation::Broken);
    }
    let template = templates::get(conn, rule.template_id)?;
    let recipient = match outbox::check_participant(conn, event.participant_id) {
        Ok(r) => r,
        Err(CoreError::Invalid(reason)) => return Ok(Evaluation::Refused(reason)),
        Err(e) => return Err(e),
    };
    let (text, info) =
        match reminders::render_for_event(conn, settings, &template.body, event, &recipient.name) {
            Ok(x) => x,
            Err(CoreError::Invalid(reason)) => return Ok(Evaluation::Refused(reason)),
            Err(e) => return Err(e),
        };
    let planned = match reminders::plan_offset(settings, event, rule.offset_days, now) {
        Ok(p) => p,
        Err(reason) => return Ok(Evaluation::Refused(reason)),
    };
    let kind = if rule.offset_days < 0 {
        MessageKind::Reminder
    } else {
        MessageKind::FollowUp
    };
    let timing = Timing {
        planned_at: planned,
        deadline: reminders::deadline_for(kind, event, planned),
    };
    let mut m = outbox::new_message(
        settings,
        kind,
        &event.kind,
        &recipient,
        text,
        &info,
        timing,
        created_by,
        now,
    );
    m.event_id = Some(event.id);
    m.template_id = Some(rule.template_id);
    m.automation_id = Some(rule.id);
    m.collaborator_id = event.collaborator_id;
    m.expects_reply = template.reply_expected;
    Ok(Evaluation::Ready(Box::new(m)))
}

/// What the rules do for one event.
enum Decision {
    Broken(AutomationRow),
    Refused(AutomationRow, String),
    /// A new reminder (none yet) or follow-up.
    Create(AutomationRow, Box<crate::store::messages::NewMessage>),
    /// The event's pending reminder, from a rule leaving earlier, becomes this rule's: one
    /// reminder per event, the one closest to the event.
    TakeOver(AutomationRow, i64, Box<crate::store::messages::NewMessage>),
}

/// Decides what `rules` (taken as active) do for one event, given its messages. A follow-up
/// rule creates its own follow-up once. Reminder rules share the event's one reminder: none
/// yet, the rule that would leave latest before the event creates it; a pending one from a
/// rule leaving earlier, not edited by hand, is taken over by it; one set or edited by hand,
/// sent, or cancelled by an operator stays the event's reminder and blocks every rule.
fn decide(
    conn: &Connection,
    settings: &Settings,
    event: &EventDetail,
    rules: &[AutomationRow],
    existing: &[EventMessage],
    created_by: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<Decision>> {
    let mut out = Vec::new();
    if event.cancelled {
        return Ok(out);
    }
    let current = existing
        .iter()
        .rfind(|m| m.kind == MessageKind::Reminder.as_str() && !m.cancelled_by_replan);
    let replaceable = current.filter(|m| {
        m.status == MessageStatus::Pending.as_str() && m.automation_id.is_some() && !m.manual_edit
    });
    let blocked = current.is_some() && replaceable.is_none();
    let mut best: Option<(&AutomationRow, Box<crate::store::messages::NewMessage>)> = None;
    for rule in rules {
        if !rule_matches(rule, event) {
            continue;
        }
        if rule.offset_days > 0 {
            // A follow-up of this rule in any status (an operator's cancel included) counts.
            if existing
                .iter()
                .any(|m| !m.cancelled_by_replan && m.automation_id == Some(rule.id))
            {
                continue;
            }
            match evaluate(conn, settings, event, rule, created_by, now)? {
                Evaluation::Nothing => {}
                Evaluation::Broken => out.push(Decision::Broken(rule.clone())),
                Evaluation::Refused(r) => out.push(Decision::Refused(rule.clone(), r)),
                Evaluation::Ready(m) => out.push(Decision::Create(rule.clone(), m)),
            }
            continue;
        }
        if blocked || replaceable.is_some_and(|m| m.automation_id == Some(rule.id)) {
            continue;
        }
        match evaluate(conn, settings, event, rule, created_by, now)? {
            Evaluation::Nothing => {}
            Evaluation::Broken if current.is_none() => out.push(Decision::Broken(rule.clone())),
            Evaluation::Refused(r) if current.is_none() => {
                out.push(Decision::Refused(rule.clone(), r))
            }
            Evaluation::Broken | Evaluation::Refused(_) => {}
            Evaluation::Ready(m) => {
                let better = best.as_ref().is_none_or(|(r, b)| {
                    m.planned_at > b.planned_at || (m.planned_at == b.planned_at && rule.id < r.id)
                });
                if better {
                    best = Some((rule, m));
                }
            }
        }
    }
    if let Some((rule, m)) = best {
        match replaceable {
            None => out.push(Decision::Create(rule.clone(), m)),
            Some(cur) if m.planned_at > from_ts(cur.planned_at) => {
                out.push(Decision::TakeOver(rule.clone(), cur.id, m))
            }
            Some(_) => {}
        }
    }
    Ok(out)
}

/// Writes what [`decide`] chose for one event, audited in the name of `created_by`.
fn carry_out(
    tx: &Connection,
    settings: &Settings,
    event_id: i64,
    decisions: Vec<Decision>,
    created_by: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<ReminderChange>> {
    let mut changes = Vec::new();
    for d in decisions {
        match d {
            Decision::Broken(rule) => changes.push(ReminderChange::Broken {
                automation_id: rule.id,
                rule: rule.name,
            }),
            Decision::Refused(rule, reason) => changes.push(ReminderChange::Skipped {
                automation_id: rule.id,
                rule: rule.name,
                reason,
            }),
            Decision::Create(rule, m) => {
                let id = messages::insert(tx, &m)?;
                audit::record(
                    tx,
                    now,
                    created_by,
                    "reminder.automation",
                    "message",
                    &id.to_string(),
                    &format!(
                        "automation #{} \"{}\", event #{event_id}",
                        rule.id, rule.name
                    ),
                )?;
                changes.push(ReminderChange::Created {
                    message_id: id,
                    kind: m.kind,
                    planned_at: m.planned_at,
                    planned_local: reminders::to_local(settings, m.planned_at),
                    automation: Some(rule.name),
                });
            }
            Decision::TakeOver(rule, id, m) => {
                let before: Option<i64> = tx.query_row(
                    "SELECT automation_id FROM messages WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )?;
                tx.execute(
                    "UPDATE messages SET automation_id = ?2, template_id = ?3, text = ?4, chars = ?5, segments = ?6,
                        encoding = ?7, expects_reply = ?8, planned_at = ?9, next_attempt_at = ?9, deadline = ?10,
                        wait_reason = '' WHERE id = ?1 AND status = 'pending'",
                    params![
                        id,
                        m.automation_id,
                        m.template_id,
                        m.text,
                        m.chars,
                        m.segments,
                        m.encoding,
                        m.expects_reply,
                        crate::store::ts(m.planned_at),
                        crate::store::ts(m.deadline),
                    ],
                )?;
                audit::record(
                    tx,
                    now,
                    created_by,
                    "reminder.automation",
                    "message",
                    &id.to_string(),
                    &format!(
                        "automation #{} \"{}\" takes over the reminder of automation #{}, event #{event_id}",
                        rule.id,
                        rule.name,
                        before.unwrap_or_default()
                    ),
                )?;
                changes.push(ReminderChange::Replanned {
                    message_id: id,
                    planned_at: m.planned_at,
                    planned_local: reminders::to_local(settings, m.planned_at),
                    time_changed: true,
                    text_rerendered: true,
                    manual_edit_dropped: false,
                });
            }
        }
    }
    Ok(changes)
}

/// Applies the active rules to one event inside the caller's transaction; the messages are
/// created by `created_by` (the operator whose action triggered the rules).
pub(crate) fn apply_in(
    tx: &Connection,
    settings: &Settings,
    event_id: i64,
    created_by: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<ReminderChange>> {
    let event = events::detail(tx, event_id)?;
    if event.cancelled {
        return Ok(Vec::new());
    }
    let rules = rules::active_for_kind(tx, &event.kind)?;
    let existing = events::reminder_messages(tx, event_id)?;
    let decisions = decide(tx, settings, &event, &rules, &existing, created_by, now)?;
    carry_out(tx, settings, event_id, decisions, created_by, now)
}

/// The future events a rule may act on: of its kind, not cancelled, starting after now (or,
/// for a follow-up rule, recently enough for the follow-up to be still to come).
fn agenda_of(conn: &Connection, rule: &AutomationRow, now: DateTime<Utc>) -> CoreResult<Vec<i64>> {
    let from = now
        .checked_sub_signed(Duration::days(rule.offset_days.max(0)))
        .unwrap_or(now);
    Ok(events::active_ids_of_kind_from(
        conn,
        &rule.event_kind,
        crate::store::ts(from),
    )?)
}

/// Applies one rule (just created, changed or switched on) to the whole future agenda; each
/// message is created in the name of its event's creator (so they may change it).
fn apply_rule_in(
    tx: &Connection,
    settings: &Settings,
    rule: &AutomationRow,
    now: DateTime<Utc>,
) -> CoreResult<Vec<(i64, ReminderChange)>> {
    let mut out = Vec::new();
    let one = std::slice::from_ref(rule);
    for event_id in agenda_of(tx, rule, now)? {
        let event = events::detail(tx, event_id)?;
        let existing = events::reminder_messages(tx, event_id)?;
        let decisions = decide(tx, settings, &event, one, &existing, &event.created_by, now)?;
        for c in carry_out(tx, settings, event_id, decisions, &event.created_by, now)? {
            out.push((event_id, c));
        }
    }
    Ok(out)
}

/// Applies every active rule matching the event (kind, collaborator set, type set): the event
/// gets one reminder (see [`decide`]) and each follow-up rule its follow-up. Rules whose
/// template is inactive are reported as broken; rules that cannot create their message (no
/// mobile, no time left…) are reported with the reason. Works on a store connection or inside
/// a transaction; the messages are created in the name of the event's creator.
pub fn apply_automations(
    conn: &Connection,
    event_id: i64,
    now: DateTime<Utc>,
) -> CoreResult<Vec<ReminderChange>> {
    let settings = Settings::load(conn)?;
    let created_by = events::detail(conn, event_id)?.created_by;
    apply_in(conn, &settings, event_id, &created_by, now)
}

/// One reminder the rules would create (or try to), for the dry run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedReminder {
    pub event_id: i64,
    pub event_kind: String,
    pub event_start_local: String,
    pub participant_id: i64,
    pub participant_name: String,
    pub automation_id: i64,
    pub rule: String,
    /// Whether the rule is active; an inactive rule's rows are what activating it would do.
    pub rule_active: bool,
    /// `D-2`, `D+3`.
    pub delay: String,
    pub kind: MessageKind,
    /// The event's pending reminder (from a rule leaving earlier) this one would replace.
    pub takes_over: Option<i64>,
    pub planned_at: Option<DateTime<Utc>>,
    pub planned_local: Option<NaiveDateTime>,
    pub text: Option<String>,
    pub segments: Option<usize>,
    /// Why the rule would create nothing (broken rule, no mobile, no time left…).
    pub error: Option<String>,
}

/// The dry-run rows of [`decide`]'s decisions for one event.
fn rows_of(
    conn: &Connection,
    settings: &Settings,
    event: &EventDetail,
    decisions: Vec<Decision>,
    rule_active: bool,
) -> CoreResult<Vec<PlannedReminder>> {
    if decisions.is_empty() {
        return Ok(Vec::new());
    }
    let name = crate::store::participants::get(conn, event.participant_id)?.full_name();
    let row = |rule: &AutomationRow| PlannedReminder {
        event_id: event.id,
        event_kind: event.kind.clone(),
        event_start_local: event.starts_local.clone(),
        participant_id: event.participant_id,
        participant_name: name.clone(),
        automation_id: rule.id,
        rule: rule.name.clone(),
        rule_active,
        delay: rule.delay_label(),
        kind: if rule.offset_days < 0 {
            MessageKind::Reminder
        } else {
            MessageKind::FollowUp
        },
        takes_over: None,
        planned_at: None,
        planned_local: None,
        text: None,
        segments: None,
        error: None,
    };
    let mut out = Vec::new();
    for d in decisions {
        let (rule, message, takes_over, error) = match d {
            Decision::Broken(rule) => {
                let e = format!("broken: template \"{}\" is inactive", rule.template_name);
                (rule, None, None, Some(e))
            }
            Decision::Refused(rule, reason) => (rule, None, None, Some(reason)),
            Decision::Create(rule, m) => (rule, Some(m), None, None),
            Decision::TakeOver(rule, id, m) => (rule, Some(m), Some(id), None),
        };
        let mut r = row(&rule);
        r.error = error;
        r.takes_over = takes_over;
        if let Some(m) = message {
            r.planned_at = Some(m.planned_at);
            r.planned_local = Some(reminders::to_local(settings, m.planned_at));
            r.segments = Some(m.segments as usize);
            r.text = Some(m.text);
        }
        out.push(r);
    }
    Ok(out)
}

/// What saving `input` (a new rule, or rule `id` changed) would create over the whole future
/// agenda, writing nothing: the count the confirmation announces. Nothing for an inactive rule.
pub fn preview_automation(
    store: &Store,
    actor: &Actor,
    id: Option<i64>,
    input: &AutomationInput,
    now: DateTime<Utc>,
) -> CoreResult<Vec<PlannedReminder>> {
    let conn = store.conn();
    let a = prepare(conn, actor, input, now)?;
    if !a.active {
        return Ok(Vec::new());
    }
    let template = templates::get(conn, a.template_id)?;
    let rule = AutomationRow {
        // A new rule has no id yet: 0 is never one.
        id: id.unwrap_or(0),
        name: a.name,
        event_kind: a.event_kind,
        collaborators: a.collaborators,
        event_types: a.event_types,
        offset_days: a.offset_days,
        template_id: a.template_id,
        template_name: template.name,
        template_active: template.active,
        active: true,
    };
    rule_dry_run(conn, &rule, now)
}

/// What activating rule `id` would create over the whole future agenda (for an active rule:
/// what applying it again would still create), writing nothing.
pub fn dry_run_rule(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
) -> CoreResult<Vec<PlannedReminder>> {
    let rule = rules::get(store.conn(), id)?;
    rule_dry_run(store.conn(), &rule, now)
}

fn rule_dry_run(
    conn: &Connection,
    rule: &AutomationRow,
    now: DateTime<Utc>,
) -> CoreResult<Vec<PlannedReminder>> {
    let settings = Settings::load(conn)?;
    let one = std::slice::from_ref(rule);
    let mut out = Vec::new();
    for event_id in agenda_of(conn, rule, now)? {
        let event = events::detail(conn, event_id)?;
        let existing = events::reminder_messages(conn, event_id)?;
        let decisions = decide(conn, &settings, &event, one, &existing, "", now)?;
        out.extend(rows_of(conn, &settings, &event, decisions, rule.active)?);
    }
    Ok(out)
}

/// `now` plus `days` days; a number of days no calendar reaches is refused, not a panic.
fn horizon(now: DateTime<Utc>, days: u32) -> CoreResult<DateTime<Utc>> {
    // Ten years is already far beyond any event a reminder is written for.
    const MAX_DAYS: u32 = 3660;
    if days > MAX_DAYS {
        return Err(CoreError::Invalid(format!(
            "{days} days is too far ahead: give at most {MAX_DAYS} days"
        )));
    }
    now.checked_add_signed(Duration::days(i64::from(days)))
        .ok_or_else(|| CoreError::Invalid(format!("{days} days from now is past any calendar")))
}

/// Lists, for the events (not cancelled) starting in the next `days` days, what the active
/// rules would still create, and what activating each inactive rule would create (rows marked
/// `rule_active: false`), writing nothing. Events that have their reminder are left out;
/// broken rules and refusals are listed with their reason.
pub fn dry_run(store: &Store, days: u32, now: DateTime<Utc>) -> CoreResult<Vec<PlannedReminder>> {
    let conn = store.conn();
    let settings = Settings::load(conn)?;
    let to = horizon(now, days)?;
    let (active, inactive): (Vec<AutomationRow>, Vec<AutomationRow>) =
        rules::list(conn)?.into_iter().partition(|r| r.active);
    let mut out = Vec::new();
    for event_id in events::active_ids_between(conn, crate::store::ts(now), crate::store::ts(to))? {
        let event = events::detail(conn, event_id)?;
        if !active
            .iter()
            .chain(inactive.iter())
            .any(|r| rule_matches(r, &event))
        {
            continue;
        }
        let existing = events::reminder_messages(conn, event_id)?;
        let decisions = decide(conn, &settings, &event, &active, &existing, "", now)?;
        out.extend(rows_of(conn, &settings, &event, decisions, true)?);
        for rule in inactive.iter().filter(|r| rule_matches(r, &event)) {
            let decisions = decide(
                conn,
                &settings,
                &event,
                std::slice::from_ref(rule),
                &existing,
                "",
                now,
            )?;
            out.extend(rows_of(conn, &settings, &event, decisions, false)?);
        }
    }
    Ok(out)
}

/// Applies the active rules to every event (not cancelled) starting in the next `days` days:
/// what [`dry_run`] shows, for real — e.g. after a rule was created, for the events already in
/// the agenda. Administrators only; one transaction; each message is created in the name of
/// its event's creator (so they may cancel it), and the run is audited. Returns each event's
/// changes.
pub fn apply_upcoming(
    store: &mut Store,
    actor: &Actor,
    days: u32,
    now: DateTime<Utc>,
) -> CoreResult<Vec<(i64, ReminderChange)>> {
    actor.require_admin("run automations")?;
    let settings = Settings::load(store.conn())?;
    let to = horizon(now, days)?;
    store.write(|tx| {
        let mut out = Vec::new();
        for event_id in events::active_ids_between(tx, crate::store::ts(now), crate::store::ts(to))?
        {
            let creator = events::detail(tx, event_id)?.created_by;
            for change in apply_in(tx, &settings, event_id, &creator, now)? {
                out.push((event_id, change));
            }
        }
        let created = out
            .iter()
            .filter(|(_, c)| matches!(c, ReminderChange::Created { .. }))
            .count();
        audit::record(
            tx,
            now,
            &actor.login,
            "automation.run",
            "automation",
            "",
            &format!("{created} message(s) created for the next {days} day(s)"),
        )?;
        Ok(out)
    })
}
