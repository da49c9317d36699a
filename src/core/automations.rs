//! Automations: rules that create reminders (D-N) and follow-ups (D+N) by themselves for the
//! events they match. Administrators manage them; every event created or changed goes through
//! [`apply_automations`]; [`dry_run`] shows what the rules would create, writing nothing.

use super::events::{EventKind, ReminderChange};
use super::outbox::{self, Timing};
use super::{Actor, CoreError, CoreResult, reminders};
use crate::sms::status::MessageKind;
use crate::store::automations::{self as rules, AutomationRow, NewAutomation};
use crate::store::events::{self, EventDetail, EventMessage};
use crate::store::settings::Settings;
use crate::store::{Store, audit, from_ts, messages, templates};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

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

/// Creates a rule (administrators only, audited). Its template must exist and be written for
/// the rule's event kind.
pub fn create_automation(
    store: &mut Store,
    actor: &Actor,
    input: &AutomationInput,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    actor.require_admin("create automations")?;
    store.write(|tx| {
        let a = prepare(tx, actor, input, now)?;
        let id = rules::insert_automation(tx, &a)?;
        audit::record(
            tx,
            now,
            &actor.login,
            "automation.create",
            "automation",
            &id.to_string(),
            &describe(&a),
        )?;
        Ok(id)
    })
}

/// Replaces a rule's definition (administrators only, audited). Reminders it already created
/// are kept as they are.
pub fn update_automation(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    input: &AutomationInput,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_admin("change automations")?;
    store.write(|tx| {
        let a = prepare(tx, actor, input, now)?;
        rules::update_automation(tx, id, &a)?;
        audit::record(
            tx,
            now,
            &actor.login,
            "automation.update",
            "automation",
            &id.to_string(),
            &describe(&a),
        )?;
        Ok(())
    })
}

/// Switches a rule on or off (administrators only, audited).
pub fn set_automation_active(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_admin("switch automations on or off")?;
    store.write(|tx| {
        rules::set_active(tx, id, active, now)?;
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
            "",
        )?;
        Ok(())
    })
}

/// Deletes a rule that never created a message (administrators only, audited); one that did is
/// kept for the history and should be deactivated instead.
pub fn delete_automation(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_admin("delete automations")?;
    store.write(|tx| {
        let rule = rules::get(tx, id)?;
        rules::delete_automation(tx, id)?;
        audit::record(
            tx,
            now,
            &actor.login,
            "automation.delete",
            "automation",
            &id.to_string(),
            &rule.name,
        )?;
        Ok(())
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

/// Whether the event already has what the rule would create: a reminder from this rule (in
/// any status: one an operator cancelled stays cancelled), or — for a D-N rule — a reminder the
/// operator set by hand. A reminder cancelled only because a change of the event left it no
/// time does not count, so the rule tries again.
fn already_covered(rule: &AutomationRow, existing: &[EventMessage]) -> bool {
    existing.iter().filter(|m| !m.cancelled_by_replan).any(|m| {
        m.automation_id == Some(rule.id)
            || (rule.offset_days < 0
                && m.automation_id.is_none()
                && m.kind == MessageKind::Reminder.as_str())
    })
}

/// What one rule would do for one event.
enum Evaluation {
    /// The rule does not apply, or its reminder exists already, or its moment has passed.
    Nothing,
    /// The template is inactive.
    Broken,
    /// It applies, but the message cannot be made; the reason says why.
    Refused(String),
    /// The message to insert.
    Ready(Box<crate::store::messages::NewMessage>),
}

fn evaluate(
    conn: &Connection,
    settings: &Settings,
    event: &EventDetail,
    rule: &AutomationRow,
    existing: &[EventMessage],
    created_by: &str,
    now: DateTime<Utc>,
) -> CoreResult<Evaluation> {
    if !rule.active || event.cancelled || !rule_matches(rule, event) {
        return Ok(Evaluation::Nothing);
    }
    if already_covered(rule, existing) {
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
    let mut changes = Vec::new();
    if event.cancelled {
        return Ok(changes);
    }
    for rule in rules::active_for_kind(tx, &event.kind)? {
        // Re-read each time: a rule's reminder counts for the next rule (a manual one only
        // blocks D-N rules, but two rules never create the same thing twice).
        let existing = events::reminder_messages(tx, event_id)?;
        match evaluate(tx, settings, &event, &rule, &existing, created_by, now)? {
            Evaluation::Nothing => {}
            Evaluation::Broken => changes.push(ReminderChange::Broken {
                automation_id: rule.id,
                rule: rule.name.clone(),
            }),
            Evaluation::Refused(reason) => changes.push(ReminderChange::Skipped {
                automation_id: rule.id,
                rule: rule.name.clone(),
                reason,
            }),
            Evaluation::Ready(m) => {
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
                    automation: Some(rule.name.clone()),
                });
            }
        }
    }
    Ok(changes)
}

/// Applies every active rule matching the event (kind, collaborator set, type set): each
/// creates its reminder (D-N) or follow-up (D+N) unless the event already has one from that
/// rule or a manual reminder. Rules whose template is inactive are skipped and reported as
/// broken; rules that cannot create their message (no mobile, no time left…) are reported with
/// the reason. Works on a store connection or inside a transaction; the messages are created
/// in the name of the event's creator.
pub fn apply_automations(
    conn: &Connection,
    event_id: i64,
    now: DateTime<Utc>,
) -> CoreResult<Vec<ReminderChange>> {
    let settings = Settings::load(conn)?;
    let created_by = events::detail(conn, event_id)?.created_by;
    apply_in(conn, &settings, event_id, &created_by, now)
}

/// One reminder the active rules would create (or try to), for the dry run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedReminder {
    pub event_id: i64,
    pub event_kind: String,
    pub event_start_local: String,
    pub participant_id: i64,
    pub participant_name: String,
    pub automation_id: i64,
    pub rule: String,
    /// `D-2`, `D+3`.
    pub delay: String,
    pub kind: MessageKind,
    pub planned_at: Option<DateTime<Utc>>,
    pub planned_local: Option<NaiveDateTime>,
    pub text: Option<String>,
    pub segments: Option<usize>,
    /// Why the rule would create nothing (broken rule, no mobile, no time left…).
    pub error: Option<String>,
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

/// Lists what the active rules would create for the events (not cancelled) starting in the
/// next `days` days, without writing anything. Rules blocked by an existing reminder are left
/// out; broken rules and refusals are listed with their reason.
pub fn dry_run(store: &Store, days: u32, now: DateTime<Utc>) -> CoreResult<Vec<PlannedReminder>> {
    let conn = store.conn();
    let settings = Settings::load(conn)?;
    let to = horizon(now, days)?;
    let all_rules: Vec<AutomationRow> = rules::list(conn)?
        .into_iter()
        .filter(|r| r.active)
        .collect();
    let mut out = Vec::new();
    for event_id in events::active_ids_between(conn, crate::store::ts(now), crate::store::ts(to))? {
        let event = events::detail(conn, event_id)?;
        let applicable: Vec<&AutomationRow> = all_rules
            .iter()
            .filter(|r| rule_matches(r, &event))
            .collect();
        if applicable.is_empty() {
            continue;
        }
        let existing = events::reminder_messages(conn, event_id)?;
        let name = crate::store::participants::get(conn, event.participant_id)?.full_name();
        for rule in applicable {
            let kind = if rule.offset_days < 0 {
                MessageKind::Reminder
            } else {
                MessageKind::FollowUp
            };
            let mut row = PlannedReminder {
                event_id,
                event_kind: event.kind.clone(),
                event_start_local: event.starts_local.clone(),
                participant_id: event.participant_id,
                participant_name: name.clone(),
                automation_id: rule.id,
                rule: rule.name.clone(),
                delay: rule.delay_label(),
                kind,
                planned_at: None,
                planned_local: None,
                text: None,
                segments: None,
                error: None,
            };
            match evaluate(conn, &settings, &event, rule, &existing, "", now)? {
                Evaluation::Nothing => continue,
                Evaluation::Broken => {
                    row.error = Some(format!(
                        "broken: template \"{}\" is inactive",
                        rule.template_name
                    ));
                }
                Evaluation::Refused(reason) => row.error = Some(reason),
                Evaluation::Ready(m) => {
                    row.planned_at = Some(m.planned_at);
                    row.planned_local = Some(reminders::to_local(&settings, m.planned_at));
                    row.segments = Some(m.segments as usize);
                    row.text = Some(m.text);
                }
            }
            out.push(row);
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
