//! What the demo plans in memory before writing it: people, events, batches, messages with
//! their fate and story, replies, opt-outs and audit entries. Indexes point into the vectors of
//! `Demo`; store ids are only known once written.

use super::agenda::Kind;
use crate::sms::status::{MessageKind, MessageStatus, ReplyState};
use crate::sms::template::ParsedTemplate;
use crate::store::audit::AuditAction;
use crate::store::notes::StatusNote;
use chrono::{DateTime, NaiveDateTime, Utc};

#[derive(Clone, Debug)]
pub(super) struct Person {
    pub(super) id: i64,
    pub(super) kind: crate::sms::status::ParticipantKind,
    pub(super) civility: String,
    pub(super) first: String,
    pub(super) last: String,
    pub(super) mobile: Option<String>,
    pub(super) consent: bool,
    pub(super) programme: String,
    pub(super) collaborator: usize,
}

impl Person {
    pub(super) fn reachable(&self) -> bool {
        self.kind == crate::sms::status::ParticipantKind::Participant
            && self.consent
            && self.mobile.is_some()
    }

    pub(super) fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last).trim().to_string()
    }
}

pub(super) struct Collab {
    pub(super) id: i64,
    pub(super) first: &'static str,
    pub(super) last: &'static str,
    pub(super) phone: String,
    pub(super) login: Option<&'static str>,
}

pub(super) struct Tpl {
    pub(super) id: i64,
    pub(super) parsed: ParsedTemplate,
}

pub(super) struct EventPlan {
    pub(super) participant: usize,
    pub(super) kind: Kind,
    pub(super) event_type: &'static str,
    pub(super) local: NaiveDateTime,
    pub(super) start: DateTime<Utc>,
    pub(super) collaborator: usize,
    pub(super) location: &'static str,
    pub(super) theme: String,
    pub(super) channel: String,
    pub(super) summary: String,
    pub(super) outcome: String,
    pub(super) notes: String,
    pub(super) cancelled: bool,
    pub(super) batch: Option<usize>,
    pub(super) reminder_enabled: bool,
    pub(super) reminder_days: Option<i64>,
    pub(super) reminder_template: Option<usize>,
    pub(super) reply_text: Option<String>,
    pub(super) reply_at: Option<DateTime<Utc>>,
    pub(super) created_by: String,
    pub(super) created_at: DateTime<Utc>,
}

pub(super) struct BatchPlan {
    pub(super) kind: &'static str,
    pub(super) name: String,
    pub(super) template: Option<usize>,
    pub(super) text: String,
    pub(super) campaign: bool,
    pub(super) interview: serde_json::Value,
    pub(super) source: String,
    pub(super) recipients: usize,
    pub(super) planned_at: DateTime<Utc>,
    pub(super) created_by: String,
    pub(super) created_at: DateTime<Utc>,
}

/// What happens to a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Fate {
    #[default]
    Pending,
    Delivered,
    NotDelivered,
    /// Phone unreachable for 48 h after submission.
    Unreachable,
    /// Refused by the provider at submission.
    Refused,
    /// The provider reported the recipient opted out.
    StopAtOperator,
    /// The number was already on the opt-out list: never sent.
    StopUnsent,
    CancelledByOperator,
    CancelledWithEvent,
    /// Found in `sending` after a crash.
    Unknown,
    /// The provider stayed unreachable until the retry deadline.
    RetryExpired,
    /// Submitted, no final report yet.
    InFlight,
}

pub(super) struct MsgPlan {
    pub(super) kind: MessageKind,
    pub(super) context: &'static str,
    pub(super) participant: Option<usize>,
    pub(super) event: Option<usize>,
    pub(super) batch: Option<usize>,
    pub(super) template: Option<usize>,
    pub(super) automation: Option<usize>,
    pub(super) collaborator: Option<usize>,
    pub(super) phone: String,
    pub(super) recipient_name: String,
    pub(super) text: String,
    pub(super) expects_reply: bool,
    pub(super) campaign: bool,
    pub(super) created_by: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) planned_at: DateTime<Utc>,
    pub(super) deadline: DateTime<Utc>,
    /// Position inside its batch (later ones leave a little later).
    pub(super) seq: usize,
    /// What became of it: every plan starts pending, the history tells the rest.
    pub(super) outcome: Outcome,
}

/// A planned message's fate and the story of it the history tells.
#[derive(Default)]
pub(super) struct Outcome {
    pub(super) fate: Fate,
    pub(super) story: Vec<Step>,
    pub(super) attempts: i64,
    pub(super) last_error: Option<StatusNote>,
    pub(super) submitted_at: Option<DateTime<Utc>>,
    pub(super) reply: Option<usize>,
}

pub(super) struct Step {
    pub(super) status: MessageStatus,
    pub(super) at: DateTime<Utc>,
    pub(super) actor: String,
    pub(super) note: Option<StatusNote>,
}

pub(super) struct ReplyPlan {
    pub(super) message: Option<usize>,
    pub(super) event: Option<usize>,
    pub(super) from: String,
    pub(super) text: String,
    pub(super) at: DateTime<Utc>,
    pub(super) keyword: String,
    pub(super) outcome: String,
    pub(super) state: ReplyState,
    pub(super) review_reason: Option<crate::store::replies::ReviewReason>,
    pub(super) reviewed_by: Option<String>,
    pub(super) reviewed_at: Option<DateTime<Utc>>,
}

pub(super) struct OptOut {
    pub(super) at: DateTime<Utc>,
    pub(super) source: &'static str,
    pub(super) reply: Option<usize>,
    pub(super) by: String,
}

pub(super) struct AuditPlan {
    pub(super) at: DateTime<Utc>,
    pub(super) actor: String,
    pub(super) action: AuditAction,
    /// The object's id when known now; else `link` names the row whose id it will be.
    pub(super) object_id: String,
    pub(super) link: Link,
    pub(super) detail: String,
}

/// A row an audit entry refers to, whose id is only known once written.
#[derive(Clone, Copy)]
pub(super) enum Link {
    None,
    Message(usize),
    Reply(usize),
    Batch(usize),
}
