//! Building messages: final text (signature, STOP mention), length rule, recipient checks,
//! planned time and deadline. Every way of queuing a message goes through here, so they all
//! refuse the same things with the same words.

use super::{CoreError, CoreResult, Forbidden, Refusal};
use crate::sms::encoding::{self, Encoding, SegmentInfo};
use crate::sms::phone;
use crate::sms::sender;
use crate::sms::status::{MessageKind, MessageStatus};
use crate::sms::template::TemplateContext;
use crate::sms::window;
use crate::store::Db;
use crate::store::audit::Stamp;
use crate::store::messages::NewMessage;
use crate::store::participants;
use crate::store::settings::Settings;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};

/// The text as it will leave: body, signature, and the STOP mention for batch and free sends.
pub fn final_text(settings: &Settings, body: &str, with_stop: bool) -> String {
    sender::compose(
        body,
        Some(settings.signature.as_str()),
        with_stop.then_some(settings.stop_mention.as_str()),
    )
}

/// Counts a final text and refuses it when it needs more segments than allowed, or when it
/// says nothing: every way of queuing or rewriting a message ends here.
pub fn check_length(settings: &Settings, text: &str) -> CoreResult<SegmentInfo> {
    if is_blank(text) {
        return Err(Refusal::MessageEmpty.into());
    }
    if is_blank(own_text(settings, text)) {
        return Err(Refusal::NoOwnText.into());
    }
    let info = encoding::analyse(text);
    if info.segments > settings.max_segments as usize {
        return Err(Refusal::TooLong {
            segments: info.segments,
            chars: info.chars,
            encoding: info.encoding,
            max: settings.max_segments,
        }
        .into());
    }
    Ok(info)
}

/// Nothing a phone would show: whitespace, control and zero-width characters only.
fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
            )
    })
}

/// A final text without the STOP mentions and signatures at its end (`final_text` puts them
/// there, and an operator may have typed them too).
fn own_text<'a>(settings: &Settings, text: &'a str) -> &'a str {
    let mut rest = text.trim_end();
    loop {
        let before = rest.len();
        for tail in [settings.stop_mention.trim(), settings.signature.trim()] {
            if tail.is_empty() || rest.len() < tail.len() {
                continue;
            }
            let cut = rest.len() - tail.len();
            if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case(tail) {
                rest = rest[..cut].trim_end();
            }
        }
        if rest.len() == before {
            return rest;
        }
    }
}

/// A checked recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub e164: String,
    pub participant_id: Option<i64>,
    pub name: String,
}

/// Normalises a typed number and checks it may receive SMS: a mobile, not opted out, and —
/// when it belongs to a participant — with SMS consent.
pub fn check_number(conn: Db<'_>, settings: &Settings, input: &str) -> CoreResult<Recipient> {
    let number = phone::parse_recipient(input, &settings.default_region).map_err(|problem| {
        CoreError::Invalid(Refusal::BadNumber {
            number: crate::text::sanitize(input).into_owned(),
            problem,
        })
    })?;
    check_e164(conn, &number.e164)
}

/// Checks a number already in E.164 (a participant's stored mobile).
pub fn check_e164(conn: Db<'_>, e164: &str) -> CoreResult<Recipient> {
    if participants::is_opted_out(conn, e164)? {
        return Err(Refusal::NumberOptedOut {
            e164: e164.to_string(),
        }
        .into());
    }
    let owner = participants::owner_of_mobile(conn, e164)?;
    match owner {
        Some((_, name, false)) => Err(Refusal::NumberNoConsent {
            e164: e164.to_string(),
            name,
        }
        .into()),
        Some((id, name, true)) => Ok(Recipient {
            e164: e164.to_string(),
            participant_id: Some(id),
            name,
        }),
        None => Ok(Recipient {
            e164: e164.to_string(),
            participant_id: None,
            name: String::new(),
        }),
    }
}

/// Checks a participant may receive SMS and returns them as a recipient.
pub fn check_participant(conn: Db<'_>, participant_id: i64) -> CoreResult<Recipient> {
    let p = participants::get(conn, participant_id)?;
    let name = p.full_name();
    if p.archived {
        return Err(Refusal::Archived { name }.into());
    }
    let Some(mobile) = p.mobile.filter(|m| !m.is_empty()) else {
        return Err(Refusal::NoMobile { name }.into());
    };
    if !p.sms_consent {
        return Err(Refusal::NoConsent { name }.into());
    }
    if p.opted_out {
        return Err(Refusal::OptedOut { name }.into());
    }
    Ok(Recipient {
        e164: mobile,
        participant_id: Some(participant_id),
        name,
    })
}

/// When a message may leave and until when it may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub planned_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
}

/// A send "now": it waits the grace period in Upcoming (where it can still be cancelled), then
/// leaves at the next opening of the window; retried for 24 h after its creation.
pub fn timing_now(settings: &Settings, now: DateTime<Utc>) -> Timing {
    Timing {
        planned_at: now + Duration::seconds(settings.grace_seconds),
        deadline: window::retry_deadline(false, now, None),
    }
}

/// A send at an explicit local time: refused outside the window (or the campaign rules), in
/// the past, or not before the event it belongs to; retried for 24 h after that time (or until
/// the event starts).
pub fn timing_at(
    settings: &Settings,
    now: DateTime<Utc>,
    at_local: NaiveDateTime,
    campaign: bool,
    event_start: Option<DateTime<Utc>>,
) -> CoreResult<Timing> {
    let tz = settings.timezone;
    let at = window::resolve_local(tz, at_local).with_timezone(&Utc);
    let w = settings.window();
    if campaign {
        window::validate_campaign(at, now, tz, &w)
    } else {
        window::validate_planned(at, now, event_start, tz, &w)
    }
    .map_err(|problem| {
        CoreError::Invalid(Refusal::Plan {
            problem: Box::new(problem),
        })
    })?;
    Ok(Timing {
        planned_at: at,
        deadline: match event_start {
            Some(start) => start,
            None => window::retry_deadline(false, at, None),
        },
    })
}

/// What a message is written for, as `messages.context` stores it: a template's context, or a
/// text typed for a few numbers (`individual`, parsed like a batch's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageContext {
    Template(TemplateContext),
    Individual,
}

impl MessageContext {
    /// As stored: a template context's code, or `individual`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageContext::Template(context) => context.as_str(),
            MessageContext::Individual => "individual",
        }
    }
}

impl From<TemplateContext> for MessageContext {
    fn from(context: TemplateContext) -> Self {
        MessageContext::Template(context)
    }
}

/// What the messages of one send share: their kind and context, when they leave, and who
/// queues them when.
#[derive(Clone, Copy)]
pub struct Sending<'a> {
    pub settings: &'a Settings,
    pub kind: MessageKind,
    pub context: MessageContext,
    pub timing: Timing,
    pub stamp: Stamp<'a>,
}

impl Sending<'_> {
    /// The message of this send to `recipient`; the use case fills in the links.
    pub fn message(&self, recipient: &Recipient, text: String, info: &SegmentInfo) -> NewMessage {
        NewMessage {
            kind: self.kind,
            context: self.context.as_str().to_string(),
            participant_id: recipient.participant_id,
            event_id: None,
            batch_id: None,
            template_id: None,
            automation_id: None,
            collaborator_id: None,
            phone: recipient.e164.clone(),
            recipient_name: recipient.name.clone(),
            text,
            manual_edit: false,
            encoding: info.encoding,
            chars: info.chars as i64,
            segments: info.segments as i64,
            sender: self.settings.sender.clone(),
            expects_reply: false,
            campaign: false,
            created_by: self.stamp.by.to_string(),
            created_at: self.stamp.at,
            planned_at: self.timing.planned_at,
            deadline: self.timing.deadline,
        }
    }
}

/// Parses an operator's local date-time (`2026-03-30T14:00`, `2026-03-30 14:00`).
pub fn parse_local(s: &str) -> CoreResult<NaiveDateTime> {
    window::parse_local_datetime(s).map_err(|problem| {
        CoreError::Invalid(Refusal::Plan {
            problem: Box::new(problem),
        })
    })
}

/// What an operator does to a message not yet sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Edit,
    Move,
}

/// The head of message `id`, which must exist.
pub fn head_of(
    conn: crate::store::Db<'_>,
    id: i64,
) -> CoreResult<crate::store::pending::MessageHead> {
    crate::store::pending::head(conn, id)?.ok_or(CoreError::Store(
        crate::store::StoreError::NotFound {
            what: crate::store::Record::Message,
            id,
        },
    ))
}

/// A message may be edited or moved only while not yet sent, and only by its author or an
/// administrator.
pub fn require_pending_by(
    actor: &super::Actor,
    id: i64,
    status: MessageStatus,
    created_by: &str,
    change: Change,
) -> CoreResult<()> {
    if status != MessageStatus::Pending {
        return Err(CoreError::Invalid(match change {
            Change::Edit => Refusal::AlreadyFinalEdit { id, status },
            Change::Move => Refusal::AlreadyFinalMove { id, status },
        }));
    }
    if !actor.rights.admin && created_by != actor.login {
        let created_by = created_by.to_string();
        return Err(CoreError::Forbidden(match change {
            Change::Edit => Forbidden::NotAuthorEdit { id, created_by },
            Change::Move => Forbidden::NotAuthorMove { id, created_by },
        }));
    }
    Ok(())
}

/// Puts who or what an error concerns in front of it.
pub(crate) fn prefixed(who: &str, e: CoreError) -> CoreError {
    match e {
        CoreError::Invalid(m) => CoreError::Invalid(m.about(who)),
        other => other,
    }
}

/// The text of a pending message after an edit (a reminder, or a message of its own).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EditedText {
    pub text: String,
    pub chars: usize,
    pub segments: usize,
    pub encoding: Encoding,
}
