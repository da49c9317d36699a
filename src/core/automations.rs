//! Automations: rules that create reminders (D-N) and follow-ups (D+N) by themselves for the
//! events they match. Administrators manage them; a rule created, changed or switched on acts
//! on the whole future agenda, and every event created or changed goes through
//! [`apply_automations`]. A rule changed while active also changes what it planned and has not
//! sent (new delay: moved; new template: rewritten; events no longer matched: theirs cancelled,
//! or handed to another matching rule), leaving messages edited by hand and messages sent as
//! they are. An event has one reminder and one follow-up: the rules fill them in (the message
//! closest to the event wins: the reminder leaving latest before it, the follow-up leaving
//! earliest after it), the operator may edit them. [`dry_run`], [`preview_automation`] and
//! [`preview_save`] show what the rules would do, writing nothing.

use super::changes::{EventKind, NamedRule, ReminderChange};
use super::outbox::{self, Timing};
use super::{Actor, CoreError, CoreResult, Refusal, reminders};
use crate::sms::status::{MessageKind, MessageStatus};
use crate::store::Db;
use crate::store::audit::{AuditAction, Stamp};
pub use crate::store::automations::AutomationRule;
use crate::store::automations::{
    self as rules, AutomationRow, Condition, ConditionFacts, NewAutomation,
};
use crate::store::events::{self, EventDetail, EventMessage};
use crate::store::messages::NewMessage;
use crate::store::notes::{RuleReason, StatusNote, Wording};
use crate::store::settings::Settings;
use crate::store::{Store, audit, from_ts, messages, pending, templates};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// Checks what the store cannot (collaborators exist, types are not blank) and builds the row.
fn prepare(
    conn: Db<'_>,
    actor: &Actor,
    input: &AutomationRule,
    now: DateTime<Utc>,
) -> CoreResult<NewAutomation> {
    let name = input.name.trim();
    for &c in &input.collaborators {
        if !crate::store::participants::collaborator_exists(conn, c)? {
            return Err(super::Refusal::CollaboratorMissing {
                name: name.to_string(),
                id: c,
            }
            .into());
        }
    }
    let mut collaborators = input.collaborators.clone();
    collaborators.sort_unstable();
    collaborators.dedup();
    let mut types: Vec<String> = Vec::new();
    for t in &input.event_types {
        let t = t.trim();
        if t.is_empty() {
            return Err(super::Refusal::EventTypeBlank {
                name: name.to_string(),
            }
            .into());
        }
        if !types.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
            types.push(t.to_string());
        }
    }
    Ok(NewAutomation {
        rule: AutomationRule {
            name: name.to_string(),
            collaborators,
            event_types: types,
            ..input.clone()
        },
        created_by: actor.login.clone(),
        created_at: now,
    })
}

fn describe(a: &AutomationRule) -> String {
    let delay = if a.offset_days < 0 {
        format!("D{}", a.offset_days)
    } else {
        format!("D+{}", a.offset_days)
    };
    format!(
        "{} {} {delay}, template #{}{}{}",
        a.name,
        a.event_kind,
        a.template_id,
        describe_condition(a.condition),
        if a.active { "" } else { " (inactive)" }
    )
}

/// A rule's condition as the audit says it (English, like the rest of the audit).
fn describe_condition(c: Condition) -> String {
    match c {
        Condition::None => String::new(),
        Condition::NoReply { template_id } => {
            format!(", only without a reply to template #{template_id}")
        }
        Condition::NoOutcome => ", only without an outcome".to_string(),
    }
}

/// A stored rule as [`describe`] writes a new one, its filters included (for the audit of a
/// change: what it was).
fn describe_row(r: &AutomationRow) -> String {
    format!(
        "{} {} {}, template #{}, collaborators {:?}, types {:?}{}{}",
        r.name,
        r.event_kind,
        r.delay_label(),
        r.template_id,
        r.collaborators,
        r.event_types,
        describe_condition(r.condition),
        if r.active { "" } else { " (inactive)" }
    )
}

/// What saving, switching or deleting a rule did to the agenda: the reminders it created
/// (or took over from a rule farther from the event) for the events already there, its
/// pending messages re-planned, re-rendered or cancelled by a change of its definition, and
/// its pending reminders cancelled at the operator's request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleOutcome {
    pub id: i64,
    /// Per event, what the rule did (created, took over, moved, re-rendered, cancelled, or
    /// could not: with the reason).
    pub changes: Vec<(i64, ReminderChange)>,
    /// Pending messages of the rule cancelled at the operator's request.
    pub cancelled: Vec<i64>,
    /// Pending messages of the rule edited by hand, which a change of the rule left as they
    /// were.
    pub kept: usize,
}

/// What a rule change does to the messages waiting to leave, as the confirmation says it
/// before saving ([`preview_save`]) and the result after ([`RuleOutcome::counts`]): messages
/// created, moved to another time, rewritten (same time, new text), cancelled; and the
/// rule's messages edited by hand, left as they are. Messages already sent never change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChangeCounts {
    pub created: usize,
    pub moved: usize,
    pub rewritten: usize,
    pub cancelled: usize,
    pub kept: usize,
}

impl ChangeCounts {
    fn add(&mut self, e: Effect) {
        match e {
            Effect::Created => self.created += 1,
            Effect::Moved => self.moved += 1,
            Effect::Rewritten => self.rewritten += 1,
            Effect::Cancelled => self.cancelled += 1,
        }
    }

    /// Whether the change touches any message (created, moved, rewritten or cancelled).
    pub fn any(&self) -> bool {
        self.created + self.moved + self.rewritten + self.cancelled > 0
    }
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

    /// The messages created, moved, rewritten and cancelled, counted as [`preview_save`]
    /// announces them (a message taken over by another rule, or by this one, is moved).
    pub fn counts(&self) -> ChangeCounts {
        let mut n = ChangeCounts {
            kept: self.kept,
            ..Default::default()
        };
        for (_, c) in &self.changes {
            match c {
                ReminderChange::Created { .. } => n.add(Effect::Created),
                ReminderChange::Replanned {
                    time_changed: true, ..
                } => n.add(Effect::Moved),
                ReminderChange::Replanned {
                    text_rerendered: true,
                    ..
                } => n.add(Effect::Rewritten),
                ReminderChange::Cancelled { .. } => n.add(Effect::Cancelled),
                _ => {}
            }
        }
        n.cancelled += self.cancelled.len();
        n
    }
}

/// Creates a rule (administrators only, audited) and, when active, applies it to the whole
/// future agenda. Its template must exist and be written for the rule's event kind.
pub fn create_automation(
    store: &mut Store,
    actor: &Actor,
    input: &AutomationRule,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    Ok(save_automation(store, actor, None, input, now)?.id)
}

/// Creates (`id` None) or replaces a rule's definition (administrators only, audited), then
/// applies it, when active, to the agenda in one transaction: every matching future event gets
/// its message (see [`plan_rule`]). A rule changed while it is saved active also changes what it
/// already planned and has not sent: a new delay moves its pending messages (planned like new
/// ones, window included), a new template rewrites their text, events it no longer matches lose
/// theirs (another matching rule may give them one); messages edited by hand and messages sent
/// stay as they are. The counts are what [`preview_save`] announced.
pub fn save_automation(
    store: &mut Store,
    actor: &Actor,
    id: Option<i64>,
    input: &AutomationRule,
    now: DateTime<Utc>,
) -> CoreResult<RuleOutcome> {
    actor.require_admin(if id.is_some() {
        super::Action::ChangeAutomations
    } else {
        super::Action::CreateAutomations
    })?;
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        let a = prepare(tx, actor, input, now)?;
        let (id, action, before) = match id {
            Some(id) => {
                let before = rules::get(tx, id)?;
                rules::update_automation(tx, id, &a)?;
                (id, AuditAction::AutomationUpdate, Some(before))
            }
            None => (rules::insert_automation(tx, &a)?, AuditAction::AutomationCreate, None),
        };
        let rule = rules::get(tx, id)?;
        let mut out = RuleOutcome {
            id,
            ..Default::default()
        };
        if a.rule.active {
            if before.as_ref().is_some_and(|b| redefined(b, &rule)) {
                out.kept = rules::pending_hand_edited(tx, id)?;
            }
            out.changes =
                apply_rule_in(tx, &settings, &rule, before.as_ref(), &actor.login, now)?;
        }
        let n = out.counts();
        let detail = match &before {
            Some(b) => format!(
                "{}; was: {}; {} message(s) created, {} moved, {} rewritten, {} cancelled, {} edited by hand kept",
                describe(&a.rule),
                describe_row(b),
                n.created,
                n.moved,
                n.rewritten,
                n.cancelled,
                n.kept
            ),
            None => format!("{}; {} message(s) created", describe(&a.rule), out.created()),
        };
        audit::record(tx, actor.stamp(now), action, id, &detail)?;
        Ok(out)
    })
}

/// Replaces a rule's definition; see [`save_automation`].
pub fn update_automation(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    input: &AutomationRule,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    save_automation(store, actor, Some(id), input, now).map(|_| ())
}

/// Cancels the rule's pending messages (history detail recognised so that reactivating the
/// rule, or another rule, may create the event's reminder again), then lets the other active
/// rules give those events their reminder.
fn cancel_pending_in(
    tx: Db<'_>,
    settings: &Settings,
    rule: &AutomationRow,
    login: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<i64>> {
    let mut cancelled = Vec::new();
    let note = StatusNote::RuleSwitchedOff {
        rule: rule.name.clone(),
    };
    for id in rules::pending_messages(tx, rule.id)? {
        let note = Some(note.clone());
        if messages::transition(tx, id, MessageStatus::Cancelled, now, login, note)? {
            cancelled.push(id);
        }
    }
    let mut touched: Vec<i64> = Vec::new();
    for &id in &cancelled {
        let event_id = pending::event_of(tx, id)?;
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
    Ok(rules::pending_messages(store.db(), id)?.len())
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
    actor.require_admin(super::Action::SwitchAutomations)?;
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        rules::set_active(tx, id, active, now)?;
        let rule = rules::get(tx, id)?;
        let mut out = RuleOutcome {
            id,
            ..Default::default()
        };
        if active {
            out.changes = apply_rule_in(tx, &settings, &rule, None, &actor.login, now)?;
        } else if cancel_pending {
            out.cancelled = cancel_pending_in(tx, &settings, &rule, &actor.login, now)?;
        }
        let action = if active {
            AuditAction::AutomationActivate
        } else {
            AuditAction::AutomationDeactivate
        };
        audit::record(
            tx,
            actor.stamp(now),
            action,
            id,
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
    actor.require_admin(super::Action::DeleteAutomations)?;
    let settings = Settings::load(store.db())?;
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
            actor.stamp(now),
            AuditAction::AutomationDelete,
            id,
            &format!("{}; {} pending cancelled", rule.name, cancelled.len()),
        )?;
        Ok(RuleOutcome {
            id,
            cancelled,
            ..Default::default()
        })
    })
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
    Refused(RuleReason),
    /// The message to insert.
    Ready(Box<crate::store::messages::NewMessage>),
}

/// Evaluates a rule for an event as if it were active (what it exists alongside is for
/// [`decide_kind`]). With `fixed`, the message keeps that planned time (a rule changed but not
/// its delay: its pending message keeps its time) instead of being planned from the delay.
fn evaluate(
    conn: Db<'_>,
    settings: &Settings,
    event: &EventDetail,
    rule: &AutomationRow,
    created_by: &str,
    now: DateTime<Utc>,
    fixed: Option<DateTime<Utc>>,
) -> CoreResult<Evaluation> {
    if event.cancelled || !rule_matches(rule, event) {
        return Ok(Evaluation::Nothing);
    }
    let start = from_ts(event.starts_at);
    // A D-N rule on an event already started, or a D+N rule whose moment has passed (an
    // event recorded after the fact), has nothing to do: not worth a warning.
    if fixed.is_none() && rule.offset_days < 0 && start <= now {
        return Ok(Evaluation::Nothing);
    }
    if fixed.is_none()
        && rule.offset_days > 0
        && start
            .checked_add_signed(Duration::days(rule.offset_days))
            .is_none_or(|t| t < now)
    {
        return Ok(Evaluation::Nothing);
    }
    if rule.is_broken() {
        return Ok(Evaluation::Broken);
    }
    if let Some(reason) = rule_condition_unmet(conn, rule, event.id)? {
        return Ok(Evaluation::Refused(reason));
    }
    let template = templates::get(conn, rule.template_id)?;
    let recipient = match outbox::check_participant(conn, event.participant_id) {
        Ok(r) => r,
        Err(CoreError::Invalid(refusal)) => return Ok(Evaluation::Refused(reason_of(refusal))),
        Err(e) => return Err(e),
    };
    let (text, info) =
        match reminders::render_for_event(conn, settings, &template.body, event, &recipient.name) {
            Ok(x) => x,
            Err(CoreError::Invalid(refusal)) => {
                return Ok(Evaluation::Refused(reason_of(refusal)));
            }
            Err(e) => return Err(e),
        };
    let planned = match fixed {
        Some(at) => at,
        None => match reminders::plan_offset(settings, event, rule.offset_days, now) {
            Ok(p) => p,
            Err(reason) => return Ok(Evaluation::Refused(reason)),
        },
    };
    let kind = kind_of(rule);
    let timing = Timing {
        planned_at: planned,
        deadline: reminders::deadline_for(kind, event, planned),
    };
    let sending = outbox::Sending {
        settings,
        kind,
        context: reminders::event_context(event.kind).into(),
        timing,
        stamp: Stamp {
            by: created_by,
            at: now,
        },
    };
    let mut m = sending.message(&recipient, text, &info);
    m.event_id = Some(event.id);
    m.template_id = Some(rule.template_id);
    m.automation_id = Some(rule.id);
    m.collaborator_id = event.collaborator_id;
    m.expects_reply = template.reply_expected;
    Ok(Evaluation::Ready(Box::new(m)))
}

/// Whether a follow-up rule's condition keeps it from sending, given what it looks at for the
/// event: `None` when the message may go, else why not. Pure: the caller reads the facts
/// ([`rules::condition_facts`]). `template` names the condition's template for the reason.
pub fn condition_verdict(
    condition: Condition,
    template: &str,
    facts: &ConditionFacts,
) -> Option<RuleReason> {
    match condition {
        Condition::None => None,
        Condition::NoReply { .. } => facts.replied.then(|| RuleReason::Replied {
            template: template.to_string(),
        }),
        Condition::NoOutcome => {
            let outcome = facts.outcome.trim();
            (!outcome.is_empty()).then(|| RuleReason::OutcomeSet {
                outcome: outcome.to_string(),
            })
        }
    }
}

/// Why rule `rule`'s condition keeps it from sending for event `event_id` now, if it does.
fn rule_condition_unmet(
    conn: Db<'_>,
    rule: &AutomationRow,
    event_id: i64,
) -> crate::store::Result<Option<RuleReason>> {
    if rule.condition == Condition::None {
        return Ok(None);
    }
    let facts = rules::condition_facts(conn, event_id, rule.condition)?;
    Ok(condition_verdict(
        rule.condition,
        &rule.condition_template,
        &facts,
    ))
}

/// Checked when a rule's message is due to leave (the scheduler): why the condition of rule
/// `automation_id` no longer lets it go for event `event_id` (a reply or an outcome came after
/// it was planned), if so. Rules without a condition read nothing more than the rule.
pub fn unmet_condition(
    conn: Db<'_>,
    automation_id: i64,
    event_id: i64,
) -> crate::store::Result<Option<RuleReason>> {
    let rule = rules::get(conn, automation_id)?;
    rule_condition_unmet(conn, &rule, event_id)
}

/// Why a rule cannot make its message, from what the participant and template checks refused.
fn reason_of(refusal: Refusal) -> RuleReason {
    match refusal {
        Refusal::NoMobile { name } => RuleReason::NoMobile { name },
        Refusal::NoConsent { name } => RuleReason::NoConsent { name },
        Refusal::OptedOut { name } => RuleReason::OptedOut { name },
        other => RuleReason::Refused {
            problem: Wording::of(&other),
        },
    }
}

/// The kind of message a rule sends: a reminder (D-N) or a follow-up (D+N).
fn kind_of(rule: &AutomationRow) -> MessageKind {
    if rule.offset_days < 0 {
        MessageKind::Reminder
    } else {
        MessageKind::FollowUp
    }
}

/// Whether a message of `kind` planned at `a` is closer to its event than one planned at `b`,
/// so that it wins when several rules match one event. A reminder: the later one, leaving
/// latest before the event. A follow-up: the earlier one, leaving earliest after the event.
/// One principle for both, the message closest to the event wins: a reminder the day before is
/// still in mind when the participant comes, and a follow-up the day after finds the event
/// still fresh; a later follow-up would only ask again what the first one asked.
fn closer(kind: MessageKind, a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    if kind == MessageKind::FollowUp {
        a < b
    } else {
        a > b
    }
}

/// The event's message of `kind` (its one reminder, or its one follow-up): the newest not
/// cancelled by a re-plan or by its rule going.
fn current_of(existing: &[EventMessage], kind: MessageKind) -> Option<&EventMessage> {
    existing
        .iter()
        .rfind(|m| m.kind == kind && !m.cancelled_by_replan)
}

/// Whether the rules may still change that message: pending, created by a rule, not edited by
/// hand (an operator's edit of text or time makes it theirs).
fn replaceable(m: &EventMessage) -> bool {
    m.status == MessageStatus::Pending && m.automation_id.is_some() && !m.manual_edit
}

/// Whether a rule's definition changed in a way its messages follow: event kind,
/// collaborators, types, delay or template (its name or state alone changes none of them).
fn redefined(before: &AutomationRow, after: &AutomationRow) -> bool {
    before.event_kind != after.event_kind
        || before.collaborators != after.collaborators
        || before.event_types != after.event_types
        || before.offset_days != after.offset_days
        || before.template_id != after.template_id
}

/// What the rules do for one event.
enum Decision {
    Broken(AutomationRow),
    Refused(AutomationRow, RuleReason),
    /// A new reminder or follow-up (the event has none).
    Create(AutomationRow, Box<NewMessage>),
    /// The event's pending message of that kind, from another rule, becomes this rule's: one
    /// reminder and one follow-up per event, the one closest to the event (see [`closer`]).
    TakeOver(AutomationRow, Box<EventMessage>, Box<NewMessage>),
    /// The changed rule's own pending message follows its new definition: `time`, a new
    /// planned time (new delay); `text`, a new text (new template).
    Update {
        rule: AutomationRow,
        prev: Box<EventMessage>,
        message: Box<NewMessage>,
        time: bool,
        text: bool,
    },
    /// The changed rule's own pending message has no place any more (no rule gives the event
    /// that message): cancelled, with the reason.
    Cancel(Box<EventMessage>, RuleReason),
}

/// What a changed rule offers for its own pending message.
enum Own {
    /// It stays as it is (same delay and template, or the rule is now broken).
    Keep,
    /// It follows the new definition: the message as it would now be, and what changes.
    Update(Box<NewMessage>, bool, bool),
    /// The rule no longer sends it: why.
    Gone(RuleReason),
}

/// What rule `before.id`, changed from `before` to `after` (`None`: not among the rules
/// given), makes of its pending message `cur` of `kind`: moved when the delay changed (planned
/// like a new one, window included), re-rendered when the template changed, gone when the
/// event no longer matches or no time or text is left.
#[allow(clippy::too_many_arguments)]
fn own_offer(
    conn: Db<'_>,
    settings: &Settings,
    event: &EventDetail,
    kind: MessageKind,
    before: &AutomationRow,
    after: Option<&AutomationRow>,
    cur: &EventMessage,
    created_by: &str,
    now: DateTime<Utc>,
) -> CoreResult<Own> {
    let Some(rule) = after.filter(|r| rule_matches(r, event)) else {
        return Ok(Own::Gone(RuleReason::RuleChangedAway {
            rule: before.name.clone(),
        }));
    };
    if kind_of(rule) != kind {
        let rule_name = rule.name.clone();
        return Ok(Own::Gone(if kind == MessageKind::Reminder {
            RuleReason::NowSendsFollowUps {
                rule: rule_name,
                days_after: rule.offset_days,
            }
        } else {
            RuleReason::NowSendsReminders {
                rule: rule_name,
                days_before: -rule.offset_days,
            }
        }));
    }
    let new_time = rule.offset_days != before.offset_days;
    let new_text = rule.template_id != before.template_id;
    if !new_time && !new_text {
        return Ok(Own::Keep);
    }
    let fixed = (!new_time).then(|| from_ts(cur.planned_at));
    Ok(
        match evaluate(conn, settings, event, rule, created_by, now, fixed)? {
            // A rule whose template is inactive creates nothing and changes nothing.
            Evaluation::Broken => Own::Keep,
            Evaluation::Refused(reason) => Own::Gone(reason),
            // The new delay's moment has passed (or the event has started).
            Evaluation::Nothing => Own::Gone(
                reminders::plan_offset(settings, event, rule.offset_days, now)
                    .err()
                    .unwrap_or(RuleReason::NewTimePassed),
            ),
            Evaluation::Ready(m) => {
                let time = new_time && m.planned_at != from_ts(cur.planned_at);
                let text =
                    new_text && (m.text != cur.text || cur.template_id != Some(rule.template_id));
                if time || text {
                    Own::Update(m, time, text)
                } else {
                    Own::Keep
                }
            }
        },
    )
}

/// Decides what `rules` (taken as active) do for one event's message of `kind`, given its
/// messages. The event has one reminder and one follow-up: none yet, the rule whose message
/// would be closest to the event ([`closer`]) creates it; a pending one from another rule, not
/// edited by hand, is taken over by a rule strictly closer; one set or edited by hand, sent, or
/// cancelled by an operator stays the event's and blocks every rule.
///
/// With `changed` (the previous definition of a rule whose new one is among `rules`), that
/// rule's own pending message is decided again from scratch: it follows the new definition
/// ([`own_offer`]) unless another rule is now closer (which takes it over); when no rule gives
/// the event that message any more, it is cancelled with the reason.
#[allow(clippy::too_many_arguments)]
fn decide_kind(
    conn: Db<'_>,
    settings: &Settings,
    event: &EventDetail,
    kind: MessageKind,
    rules: &[AutomationRow],
    existing: &[EventMessage],
    created_by: &str,
    now: DateTime<Utc>,
    changed: Option<&AutomationRow>,
    out: &mut Vec<Decision>,
) -> CoreResult<()> {
    if event.cancelled {
        return Ok(());
    }
    let current = current_of(existing, kind);
    let replaceable = current.filter(|m| replaceable(m));
    if current.is_some() && replaceable.is_none() {
        return Ok(());
    }
    let own = match (changed, replaceable) {
        (Some(before), Some(cur)) if cur.automation_id == Some(before.id) => {
            let after = rules.iter().find(|r| r.id == before.id);
            Some(own_offer(
                conn, settings, event, kind, before, after, cur, created_by, now,
            )?)
        }
        _ => None,
    };
    let mut best: Option<(&AutomationRow, Box<NewMessage>)> = None;
    for rule in rules
        .iter()
        .filter(|r| kind_of(r) == kind && rule_matches(r, event))
    {
        // A rule does not compete with its own message: kept, or decided by `own_offer`.
        if replaceable.is_some_and(|m| m.automation_id == Some(rule.id)) {
            continue;
        }
        match evaluate(conn, settings, event, rule, created_by, now, None)? {
            Evaluation::Nothing => {}
            Evaluation::Broken if current.is_none() => out.push(Decision::Broken(rule.clone())),
            Evaluation::Refused(r) if current.is_none() => {
                out.push(Decision::Refused(rule.clone(), r))
            }
            Evaluation::Broken | Evaluation::Refused(_) => {}
            Evaluation::Ready(m) => {
                let better = best.as_ref().is_none_or(|(r, b)| {
                    closer(kind, m.planned_at, b.planned_at)
                        || (m.planned_at == b.planned_at && rule.id < r.id)
                });
                if better {
                    best = Some((rule, m));
                }
            }
        }
    }
    let Some(cur) = replaceable else {
        if let Some((rule, m)) = best {
            out.push(Decision::Create(rule.clone(), m));
        }
        return Ok(());
    };
    // The message in place keeps its event unless another rule is strictly closer (a tie
    // leaves it where it is: nothing moves for nothing).
    let held_at = match &own {
        None | Some(Own::Keep) => Some(from_ts(cur.planned_at)),
        Some(Own::Update(m, _, _)) => Some(m.planned_at),
        Some(Own::Gone(_)) => None,
    };
    match best {
        Some((rule, m)) if held_at.is_none_or(|at| closer(kind, m.planned_at, at)) => {
            out.push(Decision::TakeOver(rule.clone(), Box::new(cur.clone()), m));
        }
        _ => match own {
            Some(Own::Update(message, time, text)) => {
                if let Some(rule) = rules.iter().find(|r| Some(r.id) == cur.automation_id) {
                    out.push(Decision::Update {
                        rule: rule.clone(),
                        prev: Box::new(cur.clone()),
                        message,
                        time,
                        text,
                    });
                }
            }
            Some(Own::Gone(reason)) => out.push(Decision::Cancel(Box::new(cur.clone()), reason)),
            None | Some(Own::Keep) => {}
        },
    }
    Ok(())
}

/// Decides what `rules` (taken as active) do for one event: its one reminder and its one
/// follow-up (see [`decide_kind`]).
fn decide(
    conn: Db<'_>,
    settings: &Settings,
    event: &EventDetail,
    rules: &[AutomationRow],
    existing: &[EventMessage],
    created_by: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<Decision>> {
    let mut out = Vec::new();
    for kind in [MessageKind::Reminder, MessageKind::FollowUp] {
        decide_kind(
            conn, settings, event, kind, rules, existing, created_by, now, None, &mut out,
        )?;
    }
    Ok(out)
}

/// How a decision changes the messages waiting to leave, as the confirmation of a rule change
/// counts it: the same comparison as the [`ReminderChange`] [`carry_out`] reports.
fn effect(d: &Decision) -> Option<Effect> {
    match d {
        Decision::Broken(_) | Decision::Refused(..) => None,
        Decision::Create(..) => Some(Effect::Created),
        Decision::TakeOver(_, prev, m) => {
            if m.planned_at != from_ts(prev.planned_at) {
                Some(Effect::Moved)
            } else if m.text != prev.text {
                Some(Effect::Rewritten)
            } else {
                None
            }
        }
        Decision::Update { time, text, .. } => {
            if *time {
                Some(Effect::Moved)
            } else if *text {
                Some(Effect::Rewritten)
            } else {
                None
            }
        }
        Decision::Cancel(..) => Some(Effect::Cancelled),
    }
}

/// What happens to one message waiting to leave (or one created).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    Created,
    Moved,
    Rewritten,
    Cancelled,
}

/// Where [`carry_out`] writes: one event's messages, in the caller's transaction; created (and
/// taken over) in the name of `created_by`, re-planned and cancelled by `actor`.
#[derive(Clone, Copy)]
struct Writes<'a> {
    tx: Db<'a>,
    settings: &'a Settings,
    event_id: i64,
    created_by: &'a str,
    actor: &'a str,
    now: DateTime<Utc>,
}

impl Writes<'_> {
    /// Audits a write on message `message_id`, in the name of `who`.
    fn audit(
        &self,
        who: &str,
        action: AuditAction,
        message_id: i64,
        detail: &str,
    ) -> CoreResult<()> {
        let stamp = Stamp {
            by: who,
            at: self.now,
        };
        audit::record(self.tx, stamp, action, message_id, detail)?;
        Ok(())
    }

    /// A new message of a rule.
    fn create(
        &self,
        rule: AutomationRow,
        m: Box<NewMessage>,
        changes: &mut Vec<ReminderChange>,
    ) -> CoreResult<()> {
        let id = messages::insert(self.tx, &m)?;
        let detail = format!(
            "automation #{} \"{}\", event #{}",
            rule.id, rule.name, self.event_id
        );
        self.audit(
            self.created_by,
            AuditAction::ReminderAutomation,
            id,
            &detail,
        )?;
        changes.push(ReminderChange::Created {
            message_id: id,
            kind: m.kind,
            planned_at: m.planned_at,
            planned_local: reminders::to_local(self.settings, m.planned_at),
            automation: Some(rule.rule.name),
        });
        Ok(())
    }

    /// Another rule's pending message becomes this rule's.
    fn take_over(
        &self,
        rule: AutomationRow,
        prev: &EventMessage,
        m: Box<NewMessage>,
        changes: &mut Vec<ReminderChange>,
    ) -> CoreResult<()> {
        pending::take_over(self.tx, prev.id, &m)?;
        let detail = format!(
            "automation #{} \"{}\" takes over the {} of automation #{}, event #{}",
            rule.id,
            rule.name,
            prev.kind.as_str(),
            prev.automation_id.unwrap_or_default(),
            self.event_id
        );
        self.audit(
            self.created_by,
            AuditAction::ReminderAutomation,
            prev.id,
            &detail,
        )?;
        changes.push(ReminderChange::Replanned {
            message_id: prev.id,
            planned_at: m.planned_at,
            planned_local: reminders::to_local(self.settings, m.planned_at),
            time_changed: m.planned_at != from_ts(prev.planned_at),
            text_rerendered: m.text != prev.text,
            manual_edit_dropped: false,
        });
        Ok(())
    }

    /// A changed rule's own pending message re-planned and/or rewritten.
    fn update(
        &self,
        rule: AutomationRow,
        prev: &EventMessage,
        m: Box<NewMessage>,
        (time, text): (bool, bool),
        changes: &mut Vec<ReminderChange>,
    ) -> CoreResult<()> {
        if time {
            pending::rule_replan(self.tx, prev.id, &m)?;
        }
        if text {
            pending::rule_rewrite(self.tx, prev.id, &m)?;
        }
        let change = ReminderChange::Replanned {
            message_id: prev.id,
            planned_at: m.planned_at,
            planned_local: reminders::to_local(self.settings, m.planned_at),
            time_changed: time,
            text_rerendered: text,
            manual_edit_dropped: false,
        };
        let detail = format!(
            "automation #{} \"{}\" changed, event #{}: {change}",
            rule.id, rule.name, self.event_id
        );
        self.audit(self.actor, AuditAction::ReminderReplan, prev.id, &detail)?;
        changes.push(change);
        Ok(())
    }

    /// A changed rule's own pending message cancelled, with the reason.
    fn cancel(
        &self,
        prev: &EventMessage,
        reason: RuleReason,
        changes: &mut Vec<ReminderChange>,
    ) -> CoreResult<()> {
        let Writes {
            tx,
            event_id,
            actor,
            now,
            ..
        } = *self;
        let note = |reason| StatusNote::RuleChanged { reason };
        changes.extend(cancel_with_reason(
            tx, prev.id, event_id, actor, reason, note, now,
        )?);
        Ok(())
    }
}

/// Cancels a pending message of event `event_id` because the event or its rule changed, with
/// the `note` of `reason` in its history; audits it and says it to the operator. `None` when
/// the message had left the pending state meanwhile.
pub(crate) fn cancel_with_reason(
    tx: Db<'_>,
    message_id: i64,
    event_id: i64,
    actor: &str,
    reason: RuleReason,
    note: fn(RuleReason) -> StatusNote,
    now: DateTime<Utc>,
) -> CoreResult<Option<ReminderChange>> {
    let note = note(reason.clone());
    // The audit keeps the English sentence.
    let detail = note.to_string();
    if !messages::transition(
        tx,
        message_id,
        MessageStatus::Cancelled,
        now,
        actor,
        Some(note),
    )? {
        return Ok(None);
    }
    audit::record(
        tx,
        Stamp { by: actor, at: now },
        AuditAction::ReminderCancel,
        message_id,
        &format!("{detail}; event #{event_id}"),
    )?;
    Ok(Some(ReminderChange::Cancelled { message_id, reason }))
}

/// Writes what [`decide`] chose for one event. Messages are created (and taken over) in the
/// name of `created_by`; `actor` re-plans and cancels. Each write is audited.
fn carry_out(
    tx: Db<'_>,
    settings: &Settings,
    event_id: i64,
    decisions: Vec<Decision>,
    created_by: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<ReminderChange>> {
    let w = Writes {
        tx,
        settings,
        event_id,
        created_by,
        actor,
        now,
    };
    let mut changes = Vec::new();
    for d in decisions {
        match d {
            Decision::Broken(rule) => changes.push(ReminderChange::Broken {
                rule: NamedRule {
                    id: rule.id,
                    name: rule.rule.name,
                },
            }),
            Decision::Refused(rule, reason) => changes.push(ReminderChange::Skipped {
                rule: NamedRule {
                    id: rule.id,
                    name: rule.rule.name,
                },
                reason,
            }),
            Decision::Create(rule, m) => w.create(rule, m, &mut changes)?,
            Decision::TakeOver(rule, prev, m) => w.take_over(rule, &prev, m, &mut changes)?,
            Decision::Update {
                rule,
                prev,
                message,
                time,
                text,
            } => w.update(rule, &prev, message, (time, text), &mut changes)?,
            Decision::Cancel(prev, reason) => w.cancel(&prev, reason, &mut changes)?,
        }
    }
    Ok(changes)
}

/// Applies the active rules to one event inside the caller's transaction; the messages are
/// created by `created_by` (the operator whose action triggered the rules).
pub(crate) fn apply_in(
    tx: Db<'_>,
    settings: &Settings,
    event_id: i64,
    created_by: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<ReminderChange>> {
    let event = events::detail(tx, event_id)?;
    if event.cancelled {
        return Ok(Vec::new());
    }
    let rules = rules::active_for_kind(tx, event.kind)?;
    let existing = events::reminder_messages(tx, event_id)?;
    let decisions = decide(tx, settings, &event, &rules, &existing, created_by, now)?;
    carry_out(
        tx, settings, event_id, decisions, created_by, created_by, now,
    )
}

/// The future events a rule may act on: of its kind, not cancelled, starting after now (or,
/// for a follow-up rule, recently enough for the follow-up to be still to come).
fn agenda_of(conn: Db<'_>, rule: &AutomationRow, now: DateTime<Utc>) -> CoreResult<Vec<i64>> {
    let from = now
        .checked_sub_signed(Duration::days(rule.offset_days.max(0)))
        .unwrap_or(now);
    let kind = rule.event_kind;
    Ok(events::active_ids_of_kind_from(
        conn,
        kind,
        crate::store::ts(from),
    )?)
}

/// Decides, event by event, what rule `rule` (just created, switched on, or saved — taken as
/// active) does to the agenda, and hands each event's decisions to `each` (which writes them,
/// or counts them for a preview): every matching future event gets its message when it has
/// none (or takes over one from a rule farther from the event). With `before`, the rule's
/// previous definition, and when the delay, template, kind, collaborators or types changed,
/// the rule's pending messages are decided again too (found through its index): moved,
/// re-rendered, handed to a closer rule, or cancelled (see [`decide_kind`]). Reads only.
fn plan_rule(
    conn: Db<'_>,
    settings: &Settings,
    rule: &AutomationRow,
    before: Option<&AutomationRow>,
    now: DateTime<Utc>,
    mut each: impl FnMut(&EventDetail, Vec<Decision>) -> CoreResult<()>,
) -> CoreResult<()> {
    let changed = before.filter(|b| b.id == rule.id && redefined(b, rule));
    let mut ids = agenda_of(conn, rule, now)?;
    let mut active = Vec::new();
    if changed.is_some() {
        ids.extend(rules::pending_events(conn, rule.id)?);
        ids.sort_unstable();
        ids.dedup();
        active = rules::list(conn)?
            .into_iter()
            .filter(|r| r.active && r.id != rule.id)
            .collect();
        active.push(rule.clone());
    }
    let one = std::slice::from_ref(rule);
    for event_id in ids {
        let event = events::detail(conn, event_id)?;
        if event.cancelled {
            continue;
        }
        let existing = events::reminder_messages(conn, event_id)?;
        let mut decisions = Vec::new();
        for kind in [MessageKind::Reminder, MessageKind::FollowUp] {
            // Where the changed rule holds the event's message, every rule competes for it
            // again; elsewhere, only the rule (the others already had their say).
            let holds = changed.is_some_and(|b| {
                current_of(&existing, kind)
                    .is_some_and(|m| replaceable(m) && m.automation_id == Some(b.id))
            });
            let (competing, ch) = if holds {
                (&active[..], changed)
            } else {
                (one, None)
            };
            decide_kind(
                conn,
                settings,
                &event,
                kind,
                competing,
                &existing,
                &event.created_by,
                now,
                ch,
                &mut decisions,
            )?;
        }
        each(&event, decisions)?;
    }
    Ok(())
}

/// Applies rule `rule` (just created, changed or switched on; see [`plan_rule`]) to the
/// agenda inside the caller's transaction. Each message is created in the name of its event's
/// creator (so they may change it); `actor` re-plans and cancels.
fn apply_rule_in(
    tx: Db<'_>,
    settings: &Settings,
    rule: &AutomationRow,
    before: Option<&AutomationRow>,
    actor: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<(i64, ReminderChange)>> {
    let mut out = Vec::new();
    plan_rule(tx, settings, rule, before, now, |event, decisions| {
        for c in carry_out(
            tx,
            settings,
            event.id,
            decisions,
            &event.created_by,
            actor,
            now,
        )? {
            out.push((event.id, c));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Applies every active rule matching the event (kind, collaborator set, type set): the event
/// gets one reminder (see [`decide`]) and each follow-up rule its follow-up. Rules whose
/// template is inactive are reported as broken; rules that cannot create their message (no
/// mobile, no time left…) are reported with the reason. Works on a store connection or inside
/// a transaction; the messages are created in the name of the event's creator.
pub fn apply_automations(
    conn: Db<'_>,
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
    pub event_kind: EventKind,
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
    /// The rule's pending follow-up that its condition would stop when it is due (a reply or
    /// an outcome came since it was planned); `error` says why.
    pub skips: Option<i64>,
    pub planned_at: Option<DateTime<Utc>>,
    pub planned_local: Option<NaiveDateTime>,
    pub text: Option<String>,
    pub segments: Option<usize>,
    /// Why the rule would create nothing (broken rule, no mobile, no time left…).
    pub error: Option<RuleReason>,
}

/// The dry-run rows of [`decide`]'s decisions for one event.
fn rows_of(
    conn: Db<'_>,
    settings: &Settings,
    event: &EventDetail,
    decisions: Vec<Decision>,
    rule_active: bool,
) -> CoreResult<Vec<PlannedReminder>> {
    // Re-plans and cancels of a rule's own messages are counted, not listed.
    let listed = |d: &Decision| !matches!(d, Decision::Update { .. } | Decision::Cancel(..));
    if !decisions.iter().any(listed) {
        return Ok(Vec::new());
    }
    let name = crate::store::participants::get(conn, event.participant_id)?.full_name();
    let row = |rule: &AutomationRow| PlannedReminder {
        event_id: event.id,
        event_kind: event.kind,
        event_start_local: event.starts_local.clone(),
        participant_id: event.participant_id,
        participant_name: name.clone(),
        automation_id: rule.id,
        rule: rule.name.clone(),
        rule_active,
        delay: rule.delay_label(),
        kind: kind_of(rule),
        takes_over: None,
        skips: None,
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
                let e = RuleReason::Broken {
                    template: rule.template_name.clone(),
                };
                (rule, None, None, Some(e))
            }
            Decision::Refused(rule, reason) => (rule, None, None, Some(reason)),
            Decision::Create(rule, m) => (rule, Some(m), None, None),
            Decision::TakeOver(rule, prev, m) => (rule, Some(m), Some(prev.id), None),
            Decision::Update { .. } | Decision::Cancel(..) => continue,
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

/// What saving `input` would do, writing nothing: what the confirmation announces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RulePreview {
    /// The messages the rule would create or take over, and the ones it could not create
    /// (with the reason), as the dry run lists them.
    pub rows: Vec<PlannedReminder>,
    /// Every message created, moved, rewritten or cancelled; the rule's messages edited by
    /// hand, kept. Equal to [`RuleOutcome::counts`] of the save.
    pub counts: ChangeCounts,
}

/// What saving `input` (a new rule, or rule `id` changed) would do over the whole agenda,
/// writing nothing: the messages created for the events already there and, for a rule whose
/// delay, template, kind, collaborators or types changed, its pending messages moved,
/// rewritten or cancelled (see [`save_automation`]). Nothing for an inactive rule.
pub fn preview_save(
    store: &Store,
    actor: &Actor,
    id: Option<i64>,
    input: &AutomationRule,
    now: DateTime<Utc>,
) -> CoreResult<RulePreview> {
    let conn = store.db();
    let a = prepare(conn, actor, input, now)?.rule;
    if !a.active {
        return Ok(RulePreview::default());
    }
    let template = templates::get(conn, a.template_id)?;
    let before = id.map(|id| rules::get(conn, id)).transpose()?;
    let rule = AutomationRow {
        // A new rule has no id yet: 0 is never one.
        id: id.unwrap_or(0),
        template_name: template.name,
        template_active: template.active,
        condition_template: match a.condition {
            Condition::NoReply { template_id } => templates::get(conn, template_id)?.name,
            _ => String::new(),
        },
        rule: a,
    };
    let mut out = RulePreview::default();
    if let Some(b) = before.as_ref().filter(|b| redefined(b, &rule)) {
        out.counts.kept = rules::pending_hand_edited(conn, b.id)?;
    }
    rule_preview(conn, &rule, before.as_ref(), now, &mut out)?;
    Ok(out)
}

/// What saving `input` would create (or take over) over the whole future agenda, writing
/// nothing: the rows of [`preview_save`].
pub fn preview_automation(
    store: &Store,
    actor: &Actor,
    id: Option<i64>,
    input: &AutomationRule,
    now: DateTime<Utc>,
) -> CoreResult<Vec<PlannedReminder>> {
    Ok(preview_save(store, actor, id, input, now)?.rows)
}

/// What activating rule `id` would create over the whole future agenda (for an active rule:
/// what applying it again would still create), writing nothing.
pub fn dry_run_rule(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
) -> CoreResult<Vec<PlannedReminder>> {
    let rule = rules::get(store.db(), id)?;
    let mut out = RulePreview::default();
    rule_preview(store.db(), &rule, None, now, &mut out)?;
    Ok(out.rows)
}

/// Runs [`plan_rule`] for `rule` writing nothing, its decisions listed and counted in `out`.
fn rule_preview(
    conn: Db<'_>,
    rule: &AutomationRow,
    before: Option<&AutomationRow>,
    now: DateTime<Utc>,
    out: &mut RulePreview,
) -> CoreResult<()> {
    let settings = Settings::load(conn)?;
    plan_rule(conn, &settings, rule, before, now, |event, decisions| {
        for e in decisions.iter().filter_map(effect) {
            out.counts.add(e);
        }
        out.rows
            .extend(rows_of(conn, &settings, event, decisions, rule.active)?);
        Ok(())
    })
}

/// `now` plus `days` days; a number of days no calendar reaches is refused, not a panic.
fn horizon(now: DateTime<Utc>, days: u32) -> CoreResult<DateTime<Utc>> {
    // Ten years is already far beyond any event a reminder is written for.
    const MAX_DAYS: u32 = 3660;
    if days > MAX_DAYS {
        return Err(super::Refusal::DaysTooFar {
            days,
            max: MAX_DAYS,
        }
        .into());
    }
    now.checked_add_signed(Duration::days(i64::from(days)))
        .ok_or_else(|| CoreError::Invalid(super::Refusal::DaysPastCalendar { days }))
}

/// Lists, for the events (not cancelled) starting in the next `days` days, what the active
/// rules would still create, and what activating each inactive rule would create (rows marked
/// `rule_active: false`), writing nothing. Events that have their reminder are left out;
/// broken rules and refusals are listed with their reason.
pub fn dry_run(store: &Store, days: u32, now: DateTime<Utc>) -> CoreResult<Vec<PlannedReminder>> {
    let conn = store.db();
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
    for rule in active.iter().chain(inactive.iter()) {
        out.extend(skipped_rows(conn, &settings, rule, to)?);
    }
    Ok(out)
}

/// The dry-run rows of rule `rule`'s pending messages planned before `to` that its condition
/// would stop when they are due (a reply or an outcome came since they were planned), with
/// the reason. Nothing for a rule without a condition.
fn skipped_rows(
    conn: Db<'_>,
    settings: &Settings,
    rule: &AutomationRow,
    to: DateTime<Utc>,
) -> CoreResult<Vec<PlannedReminder>> {
    let mut out = Vec::new();
    if rule.condition == Condition::None {
        return Ok(out);
    }
    let pending = rules::pending_planned_before(conn, rule.id, crate::store::ts(to))?;
    for (message_id, event_id, planned_at, text, segments) in pending {
        let Some(reason) = rule_condition_unmet(conn, rule, event_id)? else {
            continue;
        };
        let event = events::detail(conn, event_id)?;
        let planned = from_ts(planned_at);
        out.push(PlannedReminder {
            event_id,
            event_kind: event.kind,
            event_start_local: event.starts_local.clone(),
            participant_id: event.participant_id,
            participant_name: crate::store::participants::get(conn, event.participant_id)?
                .full_name(),
            automation_id: rule.id,
            rule: rule.name.clone(),
            rule_active: rule.active,
            delay: rule.delay_label(),
            kind: kind_of(rule),
            takes_over: None,
            skips: Some(message_id),
            planned_at: Some(planned),
            planned_local: Some(reminders::to_local(settings, planned)),
            text: Some(text),
            segments: usize::try_from(segments).ok(),
            error: Some(reason),
        });
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
    actor.require_admin(super::Action::RunAutomations)?;
    let settings = Settings::load(store.db())?;
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
            actor.stamp(now),
            AuditAction::AutomationRun,
            "",
            &format!("{created} message(s) created for the next {days} day(s)"),
        )?;
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(replied: bool, outcome: &str) -> ConditionFacts {
        ConditionFacts {
            replied,
            outcome: outcome.to_string(),
        }
    }

    #[test]
    fn a_condition_lets_the_follow_up_go_only_without_a_reply_or_an_outcome() {
        let reply = Condition::NoReply { template_id: 7 };
        let replied = Some(RuleReason::Replied {
            template: "Rappel".into(),
        });
        let has = |o: &str| {
            Some(RuleReason::OutcomeSet {
                outcome: o.to_string(),
            })
        };
        // (condition, facts, verdict)
        let cases = [
            (Condition::None, facts(false, ""), None),
            (Condition::None, facts(true, "confirmé"), None),
            (reply, facts(false, ""), None),
            // An outcome set by hand is not a reply.
            (reply, facts(false, "venu"), None),
            (reply, facts(true, ""), replied.clone()),
            (reply, facts(true, "confirmé"), replied),
            (Condition::NoOutcome, facts(false, ""), None),
            // Blanks are no outcome.
            (Condition::NoOutcome, facts(false, "  "), None),
            // A reply that set no outcome (under review) still leaves it to send.
            (Condition::NoOutcome, facts(true, ""), None),
            (
                Condition::NoOutcome,
                facts(false, " confirmé par SMS "),
                has("confirmé par SMS"),
            ),
        ];
        for (i, (condition, f, want)) in cases.into_iter().enumerate() {
            assert_eq!(
                condition_verdict(condition, "Rappel", &f),
                want,
                "case {i}: {condition:?} {f:?}"
            );
        }
    }
}
