//! Batch sends: one text (a template or the operator's own, with participant fields) to a list
//! of participants, with the STOP mention; an interview batch (job seekers) also records one
//! interview in each recipient's history, a plain campaign (a shop, a network) none. The
//! preview shows one row per recipient with its rendered text, counts and error; queuing
//! writes everything in one transaction, fast enough for 10,000 recipients.

use super::outbox::{self, Recipient};
use super::refusal::{Context, InterviewField};
use super::send::{Body, free_timing};
use super::{Actor, CoreError, CoreResult, Forbidden, Refusal, merge};
use crate::sms::status::{EventKind, MessageKind};
use crate::sms::template::{MergeData, ParsedTemplate, ParticipantData, TemplateContext};
use crate::sms::window;
use crate::store::Db;
use crate::store::audit::AuditAction;
use crate::store::events::{self, NewEvent};
use crate::store::participants::{self, Participant, ParticipantFilter, ParticipantKind};
use crate::store::settings::Settings;
use crate::store::{Store, audit, batches, credit, messages, templates, ts};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use std::collections::HashSet;

/// The interview recorded in each recipient's history (an interview batch only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InterviewInput {
    /// Required: local date-time in the organisation's timezone.
    pub starts_local: Option<NaiveDateTime>,
    /// Required.
    pub collaborator_id: Option<i64>,
    /// Required: the interview type.
    pub interview_type: String,
    /// Required.
    pub theme: String,
    /// Required: what the interview achieved (e.g. "information sent").
    pub outcome: String,
    pub location: String,
    pub channel: String,
    pub programme: String,
    pub summary: String,
}

/// A batch as the operator fills it in.
#[derive(Clone, Debug)]
pub struct BatchInput {
    /// Name shown in the history of batches.
    pub name: String,
    /// Participants chosen one by one.
    pub participants: Vec<i64>,
    /// Saved lists whose members are added (duplicates are sent once).
    pub lists: Vec<i64>,
    /// The interview recorded for each recipient; `None` for a plain campaign, which records
    /// none and so needs no interview field.
    pub interview: Option<InterviewInput>,
    pub body: Body,
    /// An information (marketing) campaign: the stricter legal window applies.
    pub campaign: bool,
}

/// One recipient in the preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchRow {
    pub participant_id: i64,
    pub name: String,
    pub phone: Option<String>,
    /// The final text (STOP mention included), when it could be rendered.
    pub text: Option<String>,
    pub chars: usize,
    pub segments: usize,
    pub encoding: Option<crate::sms::encoding::Encoding>,
    /// Why this recipient cannot be sent to; `None` when sendable (English in JSON).
    pub error: Option<Refusal>,
}

impl BatchRow {
    pub fn is_sendable(&self) -> bool {
        self.error.is_none()
    }
}

/// Totals over the sendable rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchTotals {
    pub recipients: usize,
    pub messages: usize,
    pub errors: usize,
    pub segments: usize,
    pub balance: i64,
    /// Credit left once every message is sent (negative: the balance will not suffice).
    pub balance_after: i64,
    /// What the sendable rows cost and the credit left after them are worth, when the packs'
    /// prices say (see [`crate::money`]).
    pub cost_money: Option<crate::money::Money>,
    pub balance_after_money: Option<crate::money::Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchPreview {
    pub rows: Vec<BatchRow>,
    pub totals: BatchTotals,
}

/// What queuing created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedBatch {
    pub batch_id: i64,
    pub message_ids: Vec<i64>,
    /// One interview per queued recipient (none for a plain campaign).
    pub event_ids: Vec<i64>,
    pub planned_at: DateTime<Utc>,
    /// Recipients left out: unticked by the operator, or with an error (and its reason).
    pub left_out: Vec<(i64, String)>,
}

fn require_batch(actor: &Actor) -> CoreResult<()> {
    if actor.rights.can_batch() {
        Ok(())
    } else {
        Err(Forbidden::NoBatchRight {
            login: actor.login.clone(),
        }
        .into())
    }
}

/// Refuses an interview missing a required field, naming every missing one.
fn check_interview(i: &InterviewInput) -> CoreResult<NaiveDateTime> {
    let mut missing = Vec::new();
    if i.starts_local.is_none() {
        missing.push(InterviewField::DateTime);
    }
    if i.collaborator_id.is_none() {
        missing.push(InterviewField::Collaborator);
    }
    if i.interview_type.trim().is_empty() {
        missing.push(InterviewField::InterviewType);
    }
    if i.theme.trim().is_empty() {
        missing.push(InterviewField::Theme);
    }
    if i.outcome.trim().is_empty() {
        missing.push(InterviewField::Outcome);
    }
    match i.starts_local {
        Some(start) if missing.is_empty() => Ok(start),
        _ => Err(Refusal::InterviewMissing { fields: missing }.into()),
    }
}

/// Everything the rows share, prepared once: the parsed text, merge data of the collaborator
/// and organisation, and the template's links.
struct Prepared {
    settings: Settings,
    parsed: ParsedTemplate,
    base: MergeData,
    template_id: Option<i64>,
    expects_reply: bool,
    source_text: String,
    /// When the interview recorded for each recipient starts (none for a plain campaign).
    start_local: Option<NaiveDateTime>,
    recipients: Vec<i64>,
    source: String,
}

/// An active batch template: its id, text and whether it expects a reply.
fn batch_template(conn: Db<'_>, id: i64) -> CoreResult<(Option<i64>, String, bool)> {
    let t = templates::get(conn, id)?;
    if !t.active {
        return Err(Refusal::TemplateInactive { template: t.name }.into());
    }
    if t.context != TemplateContext::Batch.as_str() {
        return Err(Refusal::TemplateNotForBatch {
            template: t.name,
            context: Context(t.context),
        }
        .into());
    }
    Ok((Some(t.id), t.body, t.reply_expected))
}

fn prepare(conn: Db<'_>, actor: &Actor, input: &BatchInput) -> CoreResult<Prepared> {
    require_batch(actor)?;
    let start_local = input.interview.as_ref().map(check_interview).transpose()?;
    let settings = Settings::load(conn)?;
    let (template_id, source_text, expects_reply) = match &input.body {
        Body::Template(id) => batch_template(conn, *id)?,
        Body::Text(text) => {
            if !actor.rights.can_write_text() {
                return Err(Forbidden::TemplatesOnlyChoose {
                    login: actor.login.clone(),
                }
                .into());
            }
            (None, text.clone(), false)
        }
        Body::Edited { template, text } => {
            let (id, _, reply) = batch_template(conn, *template)?;
            super::send::check_edit(actor, &templates::get(conn, *template)?)?;
            (id, text.clone(), reply)
        }
    };
    if source_text.trim().is_empty() {
        return Err(Refusal::MessageEmpty.into());
    }
    let parsed = merge::parse(&source_text, TemplateContext::Batch)?;
    let mut base = MergeData {
        organisation: merge::organisation(&settings),
        ..MergeData::default()
    };
    if let Some(cid) = input.interview.as_ref().and_then(|i| i.collaborator_id) {
        base.collaborator = Some(merge::collaborator_data(conn, cid)?.ok_or(CoreError::Store(
            crate::store::StoreError::NotFound {
                what: crate::store::Record::Collaborator,
                id: cid,
            },
        ))?);
    }
    // Recipients: chosen ones first, then list members; each once.
    let mut seen = HashSet::new();
    let mut recipients = Vec::new();
    let mut list_names = Vec::new();
    for &p in &input.participants {
        if seen.insert(p) {
            recipients.push(p);
        }
    }
    for &l in &input.lists {
        let name = crate::store::lists::name_of(conn, l)?;
        let Some(name) = name else {
            return Err(CoreError::Store(crate::store::StoreError::NotFound {
                what: crate::store::Record::SavedList,
                id: l,
            }));
        };
        list_names.push(name);
        for p in participants::list_member_ids(conn, l)? {
            if seen.insert(p) {
                recipients.push(p);
            }
        }
    }
    if recipients.is_empty() {
        return Err(Refusal::NoRecipientChoose.into());
    }
    let mut source = list_names.join(", ");
    if !input.participants.is_empty() {
        if !source.is_empty() {
            source.push_str(" + ");
        }
        source.push_str(&format!("{} chosen", input.participants.len()));
    }
    Ok(Prepared {
        settings,
        parsed,
        base,
        template_id,
        expects_reply,
        source_text,
        start_local,
        recipients,
        source,
    })
}

/// The same checks and words as [`outbox::check_participant`], on a participant already read.
fn check_recipient(p: &Participant) -> Result<Recipient, Refusal> {
    let name = p.full_name();
    if p.archived {
        return Err(Refusal::Archived { name });
    }
    let Some(mobile) = p.mobile.clone().filter(|m| !m.is_empty()) else {
        return Err(Refusal::NoMobile { name });
    };
    if !p.sms_consent {
        return Err(Refusal::NoConsent { name });
    }
    if p.opted_out {
        return Err(Refusal::OptedOut { name });
    }
    Ok(Recipient {
        e164: mobile,
        participant_id: Some(p.id),
        name,
    })
}

fn opt(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}

/// Reads one participant with a cached statement (a batch reads thousands).
fn load_participant(conn: Db<'_>, id: i64) -> CoreResult<Option<Participant>> {
    Ok(participants::get_cached(conn, id)?)
}

/// One recipient, rendered and counted, or the reason it cannot be sent to.
struct Rendered {
    row: BatchRow,
    recipient: Option<Recipient>,
    info: Option<crate::sms::encoding::SegmentInfo>,
}

fn render_one(conn: Db<'_>, prep: &Prepared, pid: i64) -> CoreResult<Rendered> {
    let p = match load_participant(conn, pid)? {
        Some(p) => p,
        None => {
            return Ok(Rendered {
                row: BatchRow {
                    participant_id: pid,
                    name: String::new(),
                    phone: None,
                    text: None,
                    chars: 0,
                    segments: 0,
                    encoding: None,
                    error: Some(Refusal::ParticipantNotFound { id: pid }),
                },
                recipient: None,
                info: None,
            });
        }
    };
    let mut row = BatchRow {
        participant_id: pid,
        name: p.full_name(),
        phone: p.mobile.clone(),
        text: None,
        chars: 0,
        segments: 0,
        encoding: None,
        error: None,
    };
    let recipient = match check_recipient(&p) {
        Ok(r) => Some(r),
        Err(e) => {
            row.error = Some(e);
            None
        }
    };
    let mut data = prep.base.clone();
    data.participant = Some(ParticipantData {
        civility: opt(&p.civility),
        first_name: opt(&p.first_name),
        last_name: opt(&p.last_name),
        programme: opt(&p.programme),
    });
    let rendered = match merge::render(&prep.parsed, &data, &prep.settings, &row.name) {
        Ok(r) => r,
        Err(CoreError::Invalid(e)) => {
            row.error.get_or_insert(e);
            return Ok(Rendered {
                row,
                recipient: None,
                info: None,
            });
        }
        Err(e) => return Err(e),
    };
    let text = outbox::final_text(&prep.settings, &rendered, true);
    let info = crate::sms::encoding::analyse(&text);
    row.chars = info.chars;
    row.segments = info.segments;
    row.encoding = Some(info.encoding);
    if let Err(CoreError::Invalid(e)) = outbox::check_length(&prep.settings, &text) {
        row.error.get_or_insert(e.about(&row.name));
    }
    row.text = Some(text);
    let ok = row.error.is_none();
    Ok(Rendered {
        row,
        recipient: recipient.filter(|_| ok),
        info: ok.then_some(info),
    })
}

/// Previews a batch: one row per recipient (chosen and from saved lists, each once) with the
/// rendered text, its characters and segments, and any error — no mobile number, opted out, no
/// consent, a merge field without value, too many segments — and the totals of the sendable
/// rows. Refused without the "batch" right, with a required field of the interview to record
/// missing (all named), a typed text from a "templates only" operator, or a template of
/// another context.
pub fn preview_batch(store: &Store, actor: &Actor, input: &BatchInput) -> CoreResult<BatchPreview> {
    let conn = store.db();
    let prep = prepare(conn, actor, input)?;
    let mut rows = Vec::with_capacity(prep.recipients.len());
    for &pid in &prep.recipients {
        rows.push(render_one(conn, &prep, pid)?.row);
    }
    let balance = credit::balance(conn)?;
    let ok: Vec<&BatchRow> = rows.iter().filter(|r| r.is_sendable()).collect();
    let segments: usize = ok.iter().map(|r| r.segments).sum();
    let pricing = credit::pricing(conn)?;
    let totals = BatchTotals {
        recipients: rows.len(),
        messages: ok.len(),
        errors: rows.len() - ok.len(),
        segments,
        balance,
        balance_after: balance - segments as i64,
        cost_money: pricing.next(segments as i64),
        balance_after_money: pricing.after(segments as i64),
    };
    Ok(BatchPreview { rows, totals })
}

/// The interview a batch records, with its start resolved: UTC and local.
type Interview<'a> = (&'a InterviewInput, DateTime<Utc>, NaiveDateTime);

/// The interview as the batch row keeps it (JSON; `{}` for a plain campaign).
fn interview_json(interview: Option<&Interview<'_>>) -> String {
    match interview {
        Some((i, _, starts_local)) => serde_json::json!({
            "starts_local": starts_local.format("%Y-%m-%d %H:%M:%S").to_string(),
            "collaborator_id": i.collaborator_id,
            "type": i.interview_type.trim(),
            "theme": i.theme.trim(),
            "outcome": i.outcome.trim(),
            "location": i.location.trim(),
            "channel": i.channel.trim(),
            "programme": i.programme.trim(),
            "summary": i.summary.trim(),
        })
        .to_string(),
        None => "{}".to_string(),
    }
}

/// A recipient ready to queue: who, the text's segments, the text.
type Ready = (Recipient, crate::sms::encoding::SegmentInfo, String);

/// A recipient left out of a batch, with the reason.
type LeftOut = (i64, String);

/// The recipients of a batch rendered: those ready to queue, and those left out (unticked by
/// the operator, or with an error) with the reason.
fn sendable(
    tx: Db<'_>,
    prep: &Prepared,
    unticked: &HashSet<i64>,
) -> CoreResult<(Vec<Ready>, Vec<LeftOut>)> {
    let mut ready = Vec::with_capacity(prep.recipients.len());
    let mut left_out = Vec::new();
    for &pid in &prep.recipients {
        if unticked.contains(&pid) {
            left_out.push((pid, "unticked".to_string()));
            continue;
        }
        let r = render_one(tx, prep, pid)?;
        match (r.recipient, r.info, r.row.text) {
            (Some(rec), Some(info), Some(text)) if r.row.error.is_none() => {
                ready.push((rec, info, text));
            }
            _ => left_out.push((
                pid,
                r.row
                    .error
                    .map_or_else(|| "cannot be sent to".into(), |e| e.to_string()),
            )),
        }
    }
    Ok((ready, left_out))
}

/// Records the interview of a batch for one recipient (linked to the batch); returns its id.
fn record_interview(
    tx: Db<'_>,
    actor: &Actor,
    (i, starts_at, starts_local): &Interview<'_>,
    pid: i64,
    batch_id: i64,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    Ok(events::insert_event(
        tx,
        &NewEvent {
            collaborator_id: i.collaborator_id,
            location: i.location.trim().to_string(),
            theme: i.theme.trim().to_string(),
            channel: i.channel.trim().to_string(),
            programme: i.programme.trim().to_string(),
            summary: i.summary.trim().to_string(),
            outcome: i.outcome.trim().to_string(),
            batch_id: Some(batch_id),
            ..NewEvent::planned(
                pid,
                EventKind::Interview,
                i.interview_type.trim().to_string(),
                (*starts_at, *starts_local),
                &actor.login,
                now,
            )
        },
    )?)
}

/// Queues a batch: one `batches` row, one message per ticked recipient without error, and for
/// an interview batch one interview recorded per queued recipient (kind interview, linked to
/// the batch and to its message), all in one transaction, audited. Leaves at `at` (local
/// time, checked against the window or the campaign rules) or now, after the grace period, at
/// the next opening. Refused when nothing is sendable.
pub fn queue_batch(
    store: &mut Store,
    actor: &Actor,
    input: &BatchInput,
    unticked: &[i64],
    at: Option<NaiveDateTime>,
    now: DateTime<Utc>,
) -> CoreResult<QueuedBatch> {
    let prep = prepare(store.db(), actor, input)?;
    let timing = free_timing(&prep.settings, now, at, input.campaign)?;
    let unticked: HashSet<i64> = unticked.iter().copied().collect();
    let tz = prep.settings.timezone;
    // The interview with its start resolved in the organisation's timezone.
    let interview = match (&input.interview, prep.start_local) {
        (Some(i), Some(start)) => {
            let resolved = window::resolve_local(tz, start);
            Some((i, resolved.with_timezone(&Utc), resolved.naive_local()))
        }
        _ => None,
    };
    let interview_json = interview_json(interview.as_ref());
    store.write(|tx| {
        // Render inside the transaction: what is checked is what is written.
        let (ready, left_out) = sendable(tx, &prep, &unticked)?;
        if ready.is_empty() {
            return Err(Refusal::NothingToSend.into());
        }
        let batch_id = batches::insert(
            tx,
            &batches::NewBatch {
                kind: "batch",
                name: input.name.trim(),
                template_id: prep.template_id,
                text: &prep.source_text,
                campaign: input.campaign,
                interview: &interview_json,
                source: &prep.source,
                recipients: ready.len() as i64,
                planned_at: Some(ts(timing.planned_at)),
                created_by: &actor.login,
                created_at: ts(now),
            },
        )?;
        let sending = outbox::Sending {
            settings: &prep.settings,
            kind: MessageKind::Batch,
            context: TemplateContext::Batch.into(),
            timing,
            stamp: actor.stamp(now),
        };
        let mut message_ids = Vec::with_capacity(ready.len());
        let mut event_ids = Vec::with_capacity(ready.len());
        for (rec, info, text) in ready {
            let Some(pid) = rec.participant_id else {
                continue;
            };
            let event_id = match &interview {
                Some(i) => Some(record_interview(tx, actor, i, pid, batch_id, now)?),
                None => None,
            };
            let mut m = sending.message(&rec, text, &info);
            m.batch_id = Some(batch_id);
            m.event_id = event_id;
            m.template_id = prep.template_id;
            m.collaborator_id = interview.as_ref().and_then(|(i, _, _)| i.collaborator_id);
            m.expects_reply = prep.expects_reply;
            m.campaign = input.campaign;
            message_ids.push(messages::insert(tx, &m)?);
            event_ids.extend(event_id);
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::BatchQueue,
            batch_id,
            &format!(
                "{} messages, {} interviews recorded, {} left out",
                message_ids.len(),
                event_ids.len(),
                left_out.len()
            ),
        )?;
        Ok(QueuedBatch {
            batch_id,
            message_ids,
            event_ids,
            planned_at: timing.planned_at,
            left_out,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Choosing recipients by filters

/// SMS consent asked of the participants a filter selects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConsentFilter {
    #[default]
    Any,
    Yes,
    No,
}

/// The filters as the operator chooses them in the Batch form: `None` (or `Any`) means "any".
/// The period is in local dates of the organisation, both days included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterInput {
    /// Participant type: `participant`, `partner` or `company`.
    pub kind: Option<String>,
    pub programme: Option<String>,
    /// The collaborator of one of their events.
    pub collaborator_id: Option<i64>,
    /// The type of one of their events.
    pub event_type: Option<String>,
    /// One of their events on or after this day…
    pub from: Option<NaiveDate>,
    /// …and on or before this one.
    pub to: Option<NaiveDate>,
    pub consent: ConsentFilter,
}

impl FilterInput {
    /// Whether nothing is chosen (every participant would match).
    pub fn is_empty(&self) -> bool {
        build_filter(chrono_tz::UTC, self).is_ok_and(|f| f.is_empty())
    }
}

/// Builds the store's filter from the operator's choices: the period's local days become
/// instants in the organisation's timezone `tz` (from the first day's midnight to the midnight
/// after the last day, whatever the daylight-saving changes between). Refuses an unknown
/// participant type or a period that ends before it starts. Pure: reads nothing.
pub fn build_filter(tz: chrono_tz::Tz, input: &FilterInput) -> CoreResult<ParticipantFilter> {
    fn text(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let kind = match text(&input.kind) {
        None => None,
        Some(k) => {
            Some(
                ParticipantKind::parse(k).ok_or_else(|| Refusal::ParticipantKindUnknown {
                    kind: k.to_string(),
                })?,
            )
        }
    };
    if let (Some(from), Some(to)) = (input.from, input.to)
        && to < from
    {
        return Err(Refusal::PeriodReversed {
            from: crate::i18n::dates::day(from),
            to: crate::i18n::dates::day(to),
        }
        .into());
    }
    let midnight = |day: NaiveDate| {
        window::resolve_local(tz, day.and_time(chrono::NaiveTime::MIN)).with_timezone(&Utc)
    };
    Ok(ParticipantFilter {
        kind,
        programme: text(&input.programme).map(str::to_string),
        consent: match input.consent {
            ConsentFilter::Any => None,
            ConsentFilter::Yes => Some(true),
            ConsentFilter::No => Some(false),
        },
        event_collaborator: input.collaborator_id,
        event_type: text(&input.event_type).map(str::to_string),
        event_from: input.from.map(midnight),
        event_until: input.to.and_then(|d| d.succ_opt()).map(midnight),
    })
}

/// The participants the filters select (ids in order), for a batch: refused without the
/// "batch" right, or on an empty filter (every participant: choose at least one filter).
pub fn filter_participants(
    store: &Store,
    actor: &Actor,
    input: &FilterInput,
) -> CoreResult<Vec<i64>> {
    require_batch(actor)?;
    let filter = build_filter(Settings::load(store.db())?.timezone, input)?;
    if filter.is_empty() {
        return Err(Refusal::NoFilter.into());
    }
    Ok(participants::matching_ids(store.db(), &filter)?)
}

/// How many participants the filters select (every participant when none is chosen).
pub fn count_filtered(store: &Store, input: &FilterInput) -> CoreResult<i64> {
    let filter = build_filter(Settings::load(store.db())?.timezone, input)?;
    Ok(participants::count_matching(store.db(), &filter)?)
}

#[cfg(test)]
mod filter_tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn nothing_chosen_is_the_empty_filter() {
        let f = build_filter(chrono_tz::Europe::Paris, &FilterInput::default()).unwrap();
        assert!(f.is_empty());
        let blank = FilterInput {
            kind: Some(" ".into()),
            programme: Some(String::new()),
            event_type: Some("  ".into()),
            ..Default::default()
        };
        assert!(
            build_filter(chrono_tz::Europe::Paris, &blank)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn the_period_is_from_local_midnight_to_the_midnight_after_the_last_day() {
        // 29 March 2026: Paris goes from +01:00 to +02:00 during the period.
        let input = FilterInput {
            from: Some(day(2026, 3, 28)),
            to: Some(day(2026, 3, 29)),
            ..Default::default()
        };
        let f = build_filter(chrono_tz::Europe::Paris, &input).unwrap();
        assert_eq!(
            f.event_from,
            Some(Utc.with_ymd_and_hms(2026, 3, 27, 23, 0, 0).unwrap())
        );
        assert_eq!(
            f.event_until,
            Some(Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0).unwrap())
        );
        // The same days in Réunion (+04:00, no daylight saving).
        let f = build_filter(chrono_tz::Indian::Reunion, &input).unwrap();
        assert_eq!(
            f.event_from,
            Some(Utc.with_ymd_and_hms(2026, 3, 27, 20, 0, 0).unwrap())
        );
        assert_eq!(
            f.event_until,
            Some(Utc.with_ymd_and_hms(2026, 3, 29, 20, 0, 0).unwrap())
        );
    }

    #[test]
    fn one_sided_periods_stay_open() {
        let from_only = FilterInput {
            from: Some(day(2026, 4, 1)),
            ..Default::default()
        };
        let f = build_filter(chrono_tz::Europe::Paris, &from_only).unwrap();
        assert!(f.event_from.is_some() && f.event_until.is_none());
        let to_only = FilterInput {
            to: Some(day(2026, 4, 1)),
            ..Default::default()
        };
        let f = build_filter(chrono_tz::Europe::Paris, &to_only).unwrap();
        assert_eq!(
            (f.event_from, f.event_until),
            (
                None,
                Some(Utc.with_ymd_and_hms(2026, 4, 1, 22, 0, 0).unwrap())
            )
        );
    }

    #[test]
    fn choices_carry_over_trimmed_and_consent_maps_to_yes_no_or_none() {
        let input = FilterInput {
            kind: Some("partner".into()),
            programme: Some(" PLIE ".into()),
            collaborator_id: Some(7),
            event_type: Some("workshop".into()),
            consent: ConsentFilter::No,
            ..Default::default()
        };
        let f = build_filter(chrono_tz::Europe::Paris, &input).unwrap();
        assert_eq!(
            f,
            ParticipantFilter {
                kind: Some(ParticipantKind::Partner),
                programme: Some("PLIE".into()),
                consent: Some(false),
                event_collaborator: Some(7),
                event_type: Some("workshop".into()),
                event_from: None,
                event_until: None,
            }
        );
        let yes = FilterInput {
            consent: ConsentFilter::Yes,
            ..Default::default()
        };
        assert_eq!(
            build_filter(chrono_tz::Europe::Paris, &yes)
                .unwrap()
                .consent,
            Some(true)
        );
    }

    #[test]
    fn a_backward_period_or_an_unknown_type_is_refused_saying_why() {
        let backward = FilterInput {
            from: Some(day(2026, 4, 10)),
            to: Some(day(2026, 4, 1)),
            ..Default::default()
        };
        let e = build_filter(chrono_tz::Europe::Paris, &backward).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the period ends (01/04/2026) before it starts (10/04/2026)"
        );
        let unknown = FilterInput {
            kind: Some("customer".into()),
            ..Default::default()
        };
        let e = build_filter(chrono_tz::Europe::Paris, &unknown).unwrap_err();
        assert!(e.to_string().contains("\"customer\""), "{e}");
        // One day is a valid period.
        let one = FilterInput {
            from: Some(day(2026, 4, 1)),
            to: Some(day(2026, 4, 1)),
            ..Default::default()
        };
        assert!(build_filter(chrono_tz::Europe::Paris, &one).is_ok());
    }
}
