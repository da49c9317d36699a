//! Individual and free sends, cancelling, opt-outs, and settling "unknown — check" messages.

use super::outbox::{self, MessageContext, Recipient, Timing};
use super::{Actor, CoreError, CoreResult, Forbidden, Refusal, merge};
use crate::sms::encoding::Encoding;
use crate::sms::status::{MessageKind, MessageStatus};
use crate::sms::template::TemplateContext;
use crate::sms::{phone, window};
use crate::store::Db;
use crate::store::audit::AuditAction;
use crate::store::notes::StatusNote;
use crate::store::pending::NewText;
use crate::store::settings::Settings;
use crate::store::{Store, audit, batches, messages, participants, pending, templates, ts};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// What the operator wrote: a template, or a text of their own.
#[derive(Clone, Debug)]
pub enum Body {
    Template(i64),
    Text(String),
    /// A template's text changed by the operator before sending: that text leaves, and the
    /// template still links the message (its reply keywords set the event's outcome).
    Edited {
        template: i64,
        text: String,
    },
}

/// Whether `actor` may send `t`'s text changed: not a locked (imposed) text, and not an
/// operator restricted to templates.
pub(crate) fn check_edit(actor: &Actor, t: &templates::TemplateRow) -> CoreResult<()> {
    if t.locked {
        return Err(Refusal::TemplateLockedAsWritten {
            template: t.name.clone(),
        }
        .into());
    }
    if !actor.rights.can_write_text() {
        return Err(Forbidden::TemplatesOnly {
            login: actor.login.clone(),
        }
        .into());
    }
    Ok(())
}

/// An individual message to one or more numbers, now or at a local time.
#[derive(Clone, Debug)]
pub struct IndividualSend {
    pub to: Vec<String>,
    pub body: Body,
    pub at: Option<chrono::NaiveDateTime>,
}

/// Checks rights for a body: operators restricted to templates may not write their own text,
/// and only active templates may be used.
fn resolve_body(
    store: &Store,
    actor: &Actor,
    body: &Body,
) -> CoreResult<(Option<i64>, String, bool)> {
    match body {
        Body::Template(id) => {
            let t = templates::get(store.db(), *id)?;
            if !t.active {
                return Err(Refusal::TemplateInactive { template: t.name }.into());
            }
            Ok((Some(t.id), t.body, t.reply_expected))
        }
        Body::Text(text) => {
            if !actor.rights.can_write_text() {
                return Err(Forbidden::TemplatesOnly {
                    login: actor.login.clone(),
                }
                .into());
            }
            Ok((None, text.clone(), false))
        }
        Body::Edited { template, text } => {
            let (id, _, reply) = resolve_body(store, actor, &Body::Template(*template))?;
            check_edit(actor, &templates::get(store.db(), *template)?)?;
            Ok((id, text.clone(), reply))
        }
    }
}

/// Queues an individual message to each number. All numbers are checked first: one bad
/// number refuses the whole request, with the reason, and nothing is queued.
pub fn send_individual(
    store: &mut Store,
    actor: &Actor,
    req: &IndividualSend,
    now: DateTime<Utc>,
) -> CoreResult<Vec<i64>> {
    let scheduled = req.at.is_some();
    if scheduled && !actor.rights.can_scheduled() {
        return Err(Forbidden::NoScheduleIndividual {
            login: actor.login.clone(),
        }
        .into());
    }
    if !scheduled && !actor.rights.can_instant() {
        return Err(Forbidden::NoSendIndividual {
            login: actor.login.clone(),
        }
        .into());
    }
    if req.to.is_empty() {
        return Err(Refusal::NoRecipient.into());
    }
    let settings = Settings::load(store.db())?;
    let (template_id, body, expects_reply) = resolve_body(store, actor, &req.body)?;
    // Individual texts may carry participant fields (rendered per recipient), never event ones.
    let parsed = merge::parse(&body, TemplateContext::Batch)?;
    let timing = match req.at {
        Some(at) => outbox::timing_at(&settings, now, at, false, None)?,
        None => outbox::timing_now(&settings, now),
    };
    let kind = if scheduled {
        MessageKind::Scheduled
    } else {
        MessageKind::Instant
    };
    let sending = outbox::Sending {
        settings: &settings,
        kind,
        context: MessageContext::Individual,
        timing,
        stamp: actor.stamp(now),
    };
    let mut prepared = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for input in &req.to {
        let r = outbox::check_number(store.db(), &settings, input)?;
        if !seen.insert(r.e164.clone()) {
            continue;
        }
        let data = merge::merge_data(store.db(), &settings, r.participant_id, None)?;
        let who = if r.name.is_empty() {
            r.e164.clone()
        } else {
            r.name.clone()
        };
        let rendered = merge::render(&parsed, &data, &settings, &who)?;
        let text = outbox::final_text(&settings, &rendered, false);
        let info = outbox::check_length(&settings, &text).map_err(|e| outbox::prefixed(&who, e))?;
        let mut m = sending.message(&r, text, &info);
        m.template_id = template_id;
        m.expects_reply = expects_reply;
        prepared.push(m);
    }
    store.write(|tx: Db<'_>| {
        let mut ids = Vec::new();
        for m in &prepared {
            let id = messages::insert(tx, m)?;
            audit::record(
                tx,
                actor.stamp(now),
                AuditAction::MessageCreate,
                id,
                kind.as_str(),
            )?;
            ids.push(id);
        }
        Ok::<_, CoreError>(ids)
    })
}

/// One line of a free-send recipient list after checking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckedLine {
    /// 1-based row (file row or line of the typed list).
    pub row: usize,
    pub input: String,
    pub e164: Option<String>,
    pub error: Option<LineProblem>,
}

crate::typed_messages! {
    /// Why a line of a free-send list is refused (texts: `[free_line]`).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum LineProblem in "free_line" {
        Number { problem: crate::sms::phone::PhoneError },
        OptedOut,
        Cell { problem: crate::io::import::CellIssue },
    }
}

/// In JSON (the command line's `--json`), a line's problem is its English text.
impl Serialize for LineProblem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A free-send list, checked: valid numbers (duplicates removed), and every refused line with
/// its row and reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FreeList {
    pub valid: Vec<CheckedLine>,
    pub duplicates: Vec<CheckedLine>,
    pub invalid: Vec<CheckedLine>,
}

impl FreeList {
    /// The valid numbers (E.164), in order: what a [`FreeSend`] queues.
    pub fn numbers(&self) -> Vec<String> {
        self.valid.iter().filter_map(|l| l.e164.clone()).collect()
    }
}

/// Splits typed or pasted numbers on `;`, `,` and new lines, keeping their line positions.
pub fn split_numbers(typed: &str) -> Vec<(usize, String)> {
    typed
        .split(['\n', ';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
        .map(|(i, s)| (i + 1, s.to_string()))
        .collect()
}

/// Up to how many numbers [`check_free_list`] asks the store which opted out, rather than
/// reading every opt-out.
const OPT_OUTS_ASKED: usize = 1_000;

/// Checks each (row, number): normalised, mobile, not opted out; duplicates removed. The
/// opt-outs are asked of the store once for the whole list.
pub fn check_free_list(store: &Store, lines: &[(usize, String)]) -> CoreResult<FreeList> {
    let settings = Settings::load(store.db())?;
    let parsed: Vec<_> = lines
        .iter()
        .map(|(_, input)| phone::parse_recipient(input, &settings.default_region))
        .collect();
    let numbers: Vec<&str> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().map(|p| p.e164.as_str()))
        .collect();
    // A file's list is looked up in every opt-out, read once (8 bytes a number): asking the
    // store about 10⁵ numbers costs more than reading the few thousand that said STOP. A few
    // typed numbers are asked about themselves only.
    let opted_out: Box<dyn Fn(&str) -> bool> = if numbers.len() > OPT_OUTS_ASKED {
        let all = crate::store::import::OptOuts::load(store.db())?;
        Box::new(move |n| all.contains(n))
    } else {
        let among = crate::store::import::opted_out_among(store.db(), &numbers)?;
        Box::new(move |n| among.contains(n))
    };
    let mut out = FreeList::default();
    let mut seen = std::collections::HashSet::new();
    for ((row, input), parsed) in lines.iter().zip(parsed) {
        let mut line = CheckedLine {
            row: *row,
            input: input.clone(),
            e164: None,
            error: None,
        };
        match parsed {
            Err(problem) => line.error = Some(LineProblem::Number { problem }),
            Ok(p) => {
                line.e164 = Some(p.e164.clone());
                if opted_out(&p.e164) {
                    line.error = Some(LineProblem::OptedOut);
                } else if !seen.insert(p.e164) {
                    out.duplicates.push(line);
                    continue;
                }
            }
        }
        if line.error.is_some() {
            out.invalid.push(line);
        } else {
            out.valid.push(line);
        }
    }
    Ok(out)
}

/// A free send: one plain text (no merge fields) to the valid numbers of a checked list.
#[derive(Clone, Debug)]
pub struct FreeSend {
    pub text: String,
    pub numbers: Vec<String>,
    pub at: Option<chrono::NaiveDateTime>,
    pub campaign: bool,
    /// File name or "typed", shown in the batch history.
    pub source: String,
}

/// Totals shown before a free send or a batch is confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SendTotals {
    pub messages: usize,
    pub segments_each: usize,
    pub segments: usize,
    pub encoding: Encoding,
    pub balance_after: i64,
    /// What the send costs and the credit left after it is worth, when the packs' prices
    /// say (see [`crate::money`]).
    pub cost_money: Option<crate::money::Money>,
    pub balance_after_money: Option<crate::money::Money>,
}

/// Checks the text of a free send and counts what it will cost.
pub fn free_totals(
    store: &Store,
    text: &str,
    recipients: usize,
) -> CoreResult<(String, SendTotals)> {
    let settings = Settings::load(store.db())?;
    merge::parse(text, TemplateContext::Free)?;
    let final_text = outbox::final_text(&settings, text, true);
    let info = outbox::check_length(&settings, &final_text)?;
    let balance = crate::store::credit::balance(store.db())?;
    let pricing = crate::store::credit::pricing(store.db())?;
    let segments = (info.segments * recipients) as i64;
    Ok((
        final_text,
        SendTotals {
            messages: recipients,
            segments_each: info.segments,
            segments: info.segments * recipients,
            encoding: info.encoding,
            balance_after: balance - segments,
            cost_money: pricing.next(segments),
            balance_after_money: pricing.after(segments),
        },
    ))
}

/// Queues a free send as one batch row and one message per number.
pub fn queue_free(
    store: &mut Store,
    actor: &Actor,
    req: &FreeSend,
    now: DateTime<Utc>,
) -> CoreResult<(i64, Vec<i64>)> {
    if !actor.rights.can_free() {
        return Err(Forbidden::NoFreeSends {
            login: actor.login.clone(),
        }
        .into());
    }
    if !actor.rights.can_write_text() {
        return Err(Forbidden::TemplatesOnlyFree {
            login: actor.login.clone(),
        }
        .into());
    }
    if req.numbers.is_empty() {
        return Err(Refusal::NoValidNumber.into());
    }
    let settings = Settings::load(store.db())?;
    let (text, _) = free_totals(store, &req.text, req.numbers.len())?;
    let info = outbox::check_length(&settings, &text)?;
    let timing = free_timing(&settings, now, req.at, req.campaign)?;
    store.write(|tx: Db<'_>| {
        let batch_id = batches::insert(
            tx,
            &batches::NewBatch {
                kind: "free",
                name: &req.source,
                text: &text,
                campaign: req.campaign,
                source: &req.source,
                recipients: req.numbers.len() as i64,
                planned_at: Some(ts(timing.planned_at)),
                created_by: &actor.login,
                created_at: ts(now),
                ..Default::default()
            },
        )?;
        let sending = outbox::Sending {
            settings: &settings,
            kind: MessageKind::Free,
            context: TemplateContext::Free.into(),
            timing,
            stamp: actor.stamp(now),
        };
        let mut ids = Vec::with_capacity(req.numbers.len());
        for number in &req.numbers {
            let r = Recipient {
                e164: number.clone(),
                participant_id: None,
                name: String::new(),
            };
            let mut m = sending.message(&r, text.clone(), &info);
            m.batch_id = Some(batch_id);
            m.campaign = req.campaign;
            ids.push(messages::insert(tx, &m)?);
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::FreeQueue,
            batch_id,
            &format!("{} messages", ids.len()),
        )?;
        Ok::<_, CoreError>((batch_id, ids))
    })
}

/// Planned time of a batch or free send: now (after the grace period, at the next opening of
/// the right window) or an explicit local time checked against the window or campaign rules.
pub fn free_timing(
    settings: &Settings,
    now: DateTime<Utc>,
    at: Option<chrono::NaiveDateTime>,
    campaign: bool,
) -> CoreResult<Timing> {
    match at {
        Some(at) => outbox::timing_at(settings, now, at, campaign, None),
        None => {
            let mut t = outbox::timing_now(settings, now);
            if campaign {
                let open = window::campaign_next_opening(
                    t.planned_at,
                    settings.timezone,
                    &settings.window(),
                )
                .map_err(|problem| {
                    CoreError::Invalid(Refusal::Plan {
                        problem: Box::new(problem),
                    })
                })?;
                t.planned_at = open;
            }
            Ok(t)
        }
    }
}

/// What a cancel request did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CancelReport {
    pub cancelled: Vec<i64>,
    /// Messages that could not be cancelled, with the reason.
    pub refused: Vec<(i64, Refusal)>,
}

/// Cancels messages not yet sent. Administrators may cancel any; operators their own. The
/// reminder of a cancelled reminder's event is switched off, so it is not created again.
pub fn cancel(
    store: &mut Store,
    actor: &Actor,
    ids: &[i64],
    now: DateTime<Utc>,
) -> CoreResult<CancelReport> {
    store.write(|tx: Db<'_>| {
        let mut report = CancelReport::default();
        for &id in ids {
            let Some(pending::MessageHead {
                status,
                created_by,
                event_id,
                ..
            }) = pending::head(tx, id)?
            else {
                report.refused.push((id, Refusal::NoSuchMessage));
                continue;
            };
            if !actor.rights.admin && created_by != actor.login {
                report
                    .refused
                    .push((id, Refusal::NotAuthorCancel { created_by }));
                continue;
            }
            if status != MessageStatus::Pending {
                report
                    .refused
                    .push((id, Refusal::AlreadyFinalCancel { status }));
                continue;
            }
            messages::transition(
                tx,
                id,
                MessageStatus::Cancelled,
                now,
                &actor.login,
                Some(StatusNote::CancelledByOperator),
            )?;
            if let Some(e) = event_id {
                crate::store::events::disable_reminder(tx, e, now)?;
            }
            audit::record(tx, actor.stamp(now), AuditAction::MessageCancel, id, "")?;
            report.cancelled.push(id);
        }
        Ok::<_, CoreError>(report)
    })
}

/// An operator's decision about a message left "unknown — check" by a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownDecision {
    /// Send it again (the operator accepts the risk of a double send).
    Resend,
    /// It reached the phone: close it as delivered.
    Delivered,
    /// Close it as failed, not sent again.
    Failed,
}

pub fn settle_unknown(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    decision: UnknownDecision,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    store.write(|tx| {
        let status = messages::status_of(tx, id)?;
        if status != MessageStatus::Unknown {
            return Err(Refusal::NotUnknown { id, status }.into());
        }
        let (next, detail) = match decision {
            UnknownDecision::Resend => (MessageStatus::Pending, StatusNote::ResendDecided),
            UnknownDecision::Delivered => (MessageStatus::Delivered, StatusNote::ClosedDelivered),
            UnknownDecision::Failed => (MessageStatus::Failed, StatusNote::ClosedFailed),
        };
        messages::transition(tx, id, next, now, &actor.login, Some(detail.clone()))?;
        if decision == UnknownDecision::Resend {
            pending::due_now(tx, id, now, now + Duration::hours(24))?;
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::MessageSettleUnknown,
            id,
            &detail.to_string(),
        )?;
        Ok(())
    })
}

/// An operator puts a number on the opt-out list (a participant asked by phone, say).
pub fn record_opt_out(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    now: DateTime<Utc>,
) -> CoreResult<String> {
    let settings = Settings::load(store.db())?;
    let p = phone::parse_phone(number, &settings.default_region).map_err(|problem| {
        CoreError::Invalid(Refusal::BadNumber {
            number: crate::text::sanitize(number).into_owned(),
            problem,
        })
    })?;
    store.write(|tx: Db<'_>| {
        participants::opt_out(tx, &p.e164, "operator", None, &actor.login, now)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::OptoutOperator,
            &p.e164,
            "",
        )?;
        Ok::<_, CoreError>(p.e164.clone())
    })
}

/// Moves one message not yet sent that is not tied to an event (instant, scheduled, batch,
/// free) to a local time. Refused outside the window — a campaign message keeps the stricter
/// campaign rules — or in the past; retried for 24 hours after the new time. Reminders and
/// follow-ups move through `reminders::edit_reminder_time`, which knows their event.
pub fn edit_message_time(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    at: chrono::NaiveDateTime,
    now: DateTime<Utc>,
) -> CoreResult<DateTime<Utc>> {
    let settings = Settings::load(store.db())?;
    store.write(|tx: Db<'_>| {
        let head = outbox::head_of(tx, id)?;
        if let Ok(kind) = head.kind
            && kind.is_tied_to_event()
        {
            return Err(Refusal::MoveAsReminder { id, kind }.into());
        }
        outbox::require_pending_by(
            actor,
            id,
            head.status,
            &head.created_by,
            outbox::Change::Move,
        )?;
        let campaign = head.campaign;
        if !actor.rights.can_scheduled() {
            return Err(Forbidden::NoPlanAtTime {
                login: actor.login.clone(),
            }
            .into());
        }
        let timing = outbox::timing_at(&settings, now, at, campaign, None)?;
        pending::replan(tx, id, timing.planned_at, timing.deadline)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::MessageEditTime,
            id,
            &at.format("%Y-%m-%d %H:%M").to_string(),
        )?;
        Ok(timing.planned_at)
    })
}

/// Status, kind, author, participant and template of a message about to be edited.
/// Replaces the text of one message not yet sent that is not tied to an event (instant,
/// scheduled, batch, free) by the operator's own: the complete text as it will leave. A
/// participant's merge fields in it are filled in (free sends accept none); a batch or free
/// send, which must end with the STOP mention, keeps it; the length is checked against
/// "maximum segments". Refused for a "templates only" operator, for a locked template
/// (administrators excepted), without the right of the message's kind, and to anyone but its
/// author or an administrator. Reminders are edited through
/// `reminders::edit_reminder_text`, which knows their event.
pub fn edit_message_text(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> CoreResult<outbox::EditedText> {
    let settings = Settings::load(store.db())?;
    store.write(|tx: Db<'_>| {
        let pending::MessageHead {
            status,
            kind,
            created_by,
            participant_id,
            template_id,
            ..
        } = outbox::head_of(tx, id)?;
        let kind = kind.map_err(|kind| CoreError::Invalid(Refusal::UnknownKind { id, kind }))?;
        if kind.is_tied_to_event() {
            return Err(Refusal::EditAsReminder { id, kind }.into());
        }
        outbox::require_pending_by(actor, id, status, &created_by, outbox::Change::Edit)?;
        let (allowed, right) = match kind {
            MessageKind::Instant => (actor.rights.can_instant(), "instant"),
            MessageKind::Scheduled => (actor.rights.can_scheduled(), "scheduled"),
            MessageKind::Batch => (actor.rights.can_batch(), "batch"),
            _ => (actor.rights.can_free(), "free"),
        };
        if !allowed {
            return Err(Forbidden::NoEditKind {
                login: actor.login.clone(),
                kind,
                right: super::refusal::Context(right.to_string()),
            }
            .into());
        }
        if !actor.rights.can_write_text() {
            return Err(Forbidden::TemplatesOnlyNoEdit {
                login: actor.login.clone(),
            }
            .into());
        }
        if let Some(tid) = template_id {
            let t = templates::get(tx, tid)?;
            if t.locked && !actor.rights.admin {
                return Err(Forbidden::LockedTemplate {
                    template: t.name.clone(),
                }
                .into());
            }
        }
        let context = if kind == MessageKind::Free {
            TemplateContext::Free
        } else {
            TemplateContext::Batch
        };
        let parsed = merge::parse(text, context)?;
        let data = merge::merge_data(tx, &settings, participant_id, None)?;
        let rendered = merge::render(&parsed, &data, &settings, "")?;
        let rendered = rendered.trim_end().to_string();
        let stop = settings.stop_mention.trim();
        if matches!(kind, MessageKind::Batch | MessageKind::Free)
            && !stop.is_empty()
            && !rendered.to_lowercase().ends_with(&stop.to_lowercase())
        {
            return Err(Refusal::StopMentionMissing {
                kind,
                stop: stop.to_string(),
            }
            .into());
        }
        let info = outbox::check_length(&settings, &rendered)?;
        let changed = pending::set_text(tx, id, &rendered, &info, NewText::EditedIfPending)?;
        if !changed {
            return Err(Refusal::BeingSent { id }.into());
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::MessageEditText,
            id,
            &format!("created by {created_by}"),
        )?;
        Ok(outbox::EditedText {
            text: rendered,
            chars: info.chars,
            segments: info.segments,
            encoding: info.encoding,
        })
    })
}
