//! Message lifecycle: not yet sent → sending → submitted → final; cancelled by an operator.
//! Pure rules: which status may follow which. A final status never changes.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Not yet sent: waiting for its time, the window, credit or a retry.
    Pending,
    /// Claimed by a scheduler, being handed to the provider.
    Sending,
    /// Accepted by the provider / operator, no final report yet.
    Submitted,
    Delivered,
    NotDelivered,
    Expired,
    Failed,
    Stop,
    Cancelled,
    /// Found in `sending` after a crash and the provider cannot be asked: an operator decides.
    Unknown,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 10] = [
        MessageStatus::Pending,
        MessageStatus::Sending,
        MessageStatus::Submitted,
        MessageStatus::Delivered,
        MessageStatus::NotDelivered,
        MessageStatus::Expired,
        MessageStatus::Failed,
        MessageStatus::Stop,
        MessageStatus::Cancelled,
        MessageStatus::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sending => "sending",
            MessageStatus::Submitted => "submitted",
            MessageStatus::Delivered => "delivered",
            MessageStatus::NotDelivered => "not_delivered",
            MessageStatus::Expired => "expired",
            MessageStatus::Failed => "failed",
            MessageStatus::Stop => "stop",
            MessageStatus::Cancelled => "cancelled",
            MessageStatus::Unknown => "unknown",
        }
    }

    /// A status from its code, or as a person may type it (`not yet sent`, `Undelivered`…).
    pub fn parse(s: &str) -> Option<MessageStatus> {
        // A stored code: every status read from the store, without allocating.
        if let Some(status) = MessageStatus::ALL.into_iter().find(|st| st.as_str() == s) {
            return Some(status);
        }
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let s = match s.as_str() {
            "not_yet_sent" | "queued" | "upcoming" => "pending",
            "undelivered" => "not_delivered",
            "canceled" => "cancelled",
            other => other,
        };
        MessageStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Final statuses never change.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            MessageStatus::Delivered
                | MessageStatus::NotDelivered
                | MessageStatus::Expired
                | MessageStatus::Failed
                | MessageStatus::Stop
                | MessageStatus::Cancelled
        )
    }

    /// Statuses a message only reaches once the provider took it: entering one charges the
    /// message (once, whatever the path: an answer, a late report, a reconciliation or an
    /// operator closing an "unknown — check" as delivered).
    pub fn proves_acceptance(self) -> bool {
        matches!(
            self,
            MessageStatus::Submitted | MessageStatus::Delivered | MessageStatus::NotDelivered
        )
    }

    /// Whether a message in `self` may move to `next`.
    pub fn can_become(self, next: MessageStatus) -> bool {
        use MessageStatus::*;
        match self {
            Pending => matches!(next, Sending | Cancelled | Expired | Stop | Failed),
            // A send that failed transiently goes back to pending for a retry.
            Sending => {
                matches!(
                    next,
                    Submitted | Pending | Failed | Stop | Unknown | Expired
                ) || next.is_final() && next != Cancelled
            }
            Submitted => next.is_final() && next != Cancelled,
            // An operator resolves an unknown: resend (pending), or close it with what they know.
            Unknown => matches!(
                next,
                Pending | Submitted | Delivered | NotDelivered | Failed | Cancelled | Expired
            ),
            _ => false,
        }
    }
}

impl MessageStatus {
    /// The status as screens name it, in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, &format!("status.{}", self.as_str())).to_string()
    }
}

/// Why a due message is still pending (`messages.wait_reason`; empty: it is not held back).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// The sending window is closed: it leaves when it opens.
    Window,
    /// Not enough credit for its segments.
    Credit,
    /// The provider refused for now: tried again later.
    Provider,
}

impl WaitReason {
    pub const ALL: [WaitReason; 3] = [WaitReason::Window, WaitReason::Credit, WaitReason::Provider];

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::Window => "window",
            WaitReason::Credit => "credit",
            WaitReason::Provider => "provider",
        }
    }

    pub fn parse(s: &str) -> Option<WaitReason> {
        WaitReason::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// The reason as screens say it, in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, &format!("wait.{}", self.as_str())).to_string()
    }
}

impl std::fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status in the reader's language: its `[status]` label ("not yet sent", "unknown — check").
impl crate::i18n::Describe for MessageStatus {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, &format!("status.{}", self.as_str())).to_string()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Instant,
    Scheduled,
    Reminder,
    FollowUp,
    Batch,
    Free,
}

impl MessageKind {
    pub const ALL: [MessageKind; 6] = [
        MessageKind::Instant,
        MessageKind::Scheduled,
        MessageKind::Reminder,
        MessageKind::FollowUp,
        MessageKind::Batch,
        MessageKind::Free,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Instant => "instant",
            MessageKind::Scheduled => "scheduled",
            MessageKind::Reminder => "reminder",
            MessageKind::FollowUp => "follow_up",
            MessageKind::Batch => "batch",
            MessageKind::Free => "free",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Sends "now" (instant, batch, free) are retried for 24 h; tied to an event, until it starts.
    pub fn is_tied_to_event(self) -> bool {
        matches!(self, MessageKind::Reminder | MessageKind::FollowUp)
    }
}

/// A kind in the reader's language: its `[kind]` label ("follow-up", "relance").
impl crate::i18n::Describe for MessageKind {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, &format!("kind.{}", self.as_str())).to_string()
    }
}

/// Where a reply stands (`replies.state`): matched to a message, an opt-out, waiting for an
/// operator's review, settled by one, or only kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyState {
    /// Tied to the message it answers (and its keyword, if one matched).
    Matched,
    /// The number opted out.
    Stop,
    /// Waits for an operator.
    Review,
    /// An operator settled it.
    Resolved,
    /// Answers nothing we sent: kept, nothing to do.
    Kept,
}

impl ReplyState {
    pub const ALL: [ReplyState; 5] = [
        ReplyState::Matched,
        ReplyState::Stop,
        ReplyState::Review,
        ReplyState::Resolved,
        ReplyState::Kept,
    ];

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyState::Matched => "matched",
            ReplyState::Stop => "stop",
            ReplyState::Review => "review",
            ReplyState::Resolved => "resolved",
            ReplyState::Kept => "kept",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyState> {
        ReplyState::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for ReplyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reply state in the reader's language: its `[reply_state]` label ("to review").
impl crate::i18n::Describe for ReplyState {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, &format!("reply_state.{}", self.as_str())).to_string()
    }
}

/// What an event is (`events.kind`). Here rather than in the core so that the store reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An appointment.
    Interview,
    /// A step of a programme.
    Step,
    /// A referral.
    Orientation,
}

impl EventKind {
    pub const ALL: [EventKind; 3] = [
        EventKind::Interview,
        EventKind::Step,
        EventKind::Orientation,
    ];

    /// As stored: `interview`, `step`, `orientation`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Interview => "interview",
            EventKind::Step => "step",
            EventKind::Orientation => "orientation",
        }
    }

    /// Accepts the stored names and the French words (`entretien`, `étape`).
    pub fn parse(s: &str) -> Option<EventKind> {
        match s.trim().to_lowercase().as_str() {
            "interview" | "entretien" => Some(EventKind::Interview),
            "step" | "étape" | "etape" => Some(EventKind::Step),
            "orientation" => Some(EventKind::Orientation),
            _ => None,
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event kind in the reader's language: its `[kind]` label ("entretien").
impl crate::i18n::Describe for EventKind {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, &format!("kind.{}", self.as_str())).to_string()
    }
}

/// What a contact is (`participants.kind`): a person followed, a partner's or a company's
/// contact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantKind {
    /// A person followed (job-seeker, customer, entrepreneur).
    #[default]
    Participant,
    Partner,
    Company,
}

impl ParticipantKind {
    pub const ALL: [ParticipantKind; 3] = [
        ParticipantKind::Participant,
        ParticipantKind::Partner,
        ParticipantKind::Company,
    ];

    /// As stored: `participant`, `partner`, `company`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantKind::Participant => "participant",
            ParticipantKind::Partner => "partner",
            ParticipantKind::Company => "company",
        }
    }

    /// The stored code (what a filter or the command line takes).
    pub fn parse(s: &str) -> Option<ParticipantKind> {
        ParticipantKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim().to_lowercase())
    }
}

impl std::fmt::Display for ParticipantKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A contact's kind in the reader's language, short as a column holds it: its `[kind]` label
/// ("partenaire"; the contact form spells them out).
impl crate::i18n::Describe for ParticipantKind {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, &format!("kind.{}", self.as_str())).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_never_change() {
        for from in MessageStatus::ALL.into_iter().filter(|s| s.is_final()) {
            for to in MessageStatus::ALL {
                assert!(!from.can_become(to), "{from} must not become {to}");
            }
        }
    }

    #[test]
    fn the_normal_path_is_allowed() {
        use MessageStatus::*;
        assert!(Pending.can_become(Sending));
        assert!(Sending.can_become(Submitted));
        assert!(Submitted.can_become(Delivered));
        assert!(Pending.can_become(Cancelled));
        assert!(
            !Submitted.can_become(Cancelled),
            "what left cannot be cancelled"
        );
        assert!(
            !Submitted.can_become(Pending),
            "what left is never sent again"
        );
    }

    #[test]
    fn reply_states_and_event_kinds_round_trip_through_text() {
        for s in ReplyState::ALL {
            assert_eq!(ReplyState::parse(s.as_str()), Some(s));
        }
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            MessageStatus::parse("not yet sent"),
            Some(MessageStatus::Pending)
        );
    }
}
