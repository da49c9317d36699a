//! What the agenda and the automations share: the kinds of event, and what a change of the
//! agenda did to its reminders. Both `core::events` (which calls the automations when an event
//! changes) and `core::automations` (which reports what its rules did) depend on this module,
//! not on each other.

use super::refusal::{EditDropped, LocalTime, Notice};
use crate::sms::status::MessageKind;
use crate::store::notes::RuleReason;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::fmt;

/// What an event is: with the rules, so that the store reads it too.
pub use crate::sms::status::EventKind;

/// What happened to one reminder (or rule) because an event was created or changed: the
/// operator is told each of these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReminderChange {
    /// A reminder or follow-up was created (by the operator's request or by a rule).
    Created {
        message_id: i64,
        kind: MessageKind,
        planned_at: DateTime<Utc>,
        planned_local: NaiveDateTime,
        /// The rule that created it, if one did.
        automation: Option<String>,
    },
    /// A pending reminder was cancelled, with the reason.
    Cancelled { message_id: i64, reason: RuleReason },
    /// A pending reminder was re-planned and/or re-rendered after the event changed.
    Replanned {
        message_id: i64,
        planned_at: DateTime<Utc>,
        planned_local: NaiveDateTime,
        time_changed: bool,
        text_rerendered: bool,
        manual_edit_dropped: bool,
    },
    /// A matching rule could not create its reminder, with the reason.
    Skipped { rule: NamedRule, reason: RuleReason },
    /// A matching rule whose template is inactive: it creates nothing until repaired.
    Broken { rule: NamedRule },
}

/// An automation rule as a change names it: its id, and the name the operator gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedRule {
    pub id: i64,
    pub name: String,
}

impl ReminderChange {
    /// What the operator is told about this change.
    pub fn notice(&self) -> Notice {
        match self {
            ReminderChange::Created {
                message_id,
                kind,
                planned_local,
                automation,
                ..
            } => {
                // Anything not a follow-up is told as a reminder.
                let what = if *kind == MessageKind::FollowUp {
                    MessageKind::FollowUp
                } else {
                    MessageKind::Reminder
                };
                let (id, when) = (*message_id, LocalTime(*planned_local));
                match automation {
                    Some(rule) => Notice::PlannedByRule {
                        what,
                        id,
                        when,
                        rule: rule.clone(),
                    },
                    None => Notice::Planned { what, id, when },
                }
            }
            ReminderChange::Replanned {
                message_id,
                planned_local,
                time_changed,
                text_rerendered,
                manual_edit_dropped,
                ..
            } => {
                let (id, when) = (*message_id, LocalTime(*planned_local));
                let dropped = manual_edit_dropped.then_some(EditDropped::ManualEditDropped);
                match (time_changed, text_rerendered) {
                    (true, true) => Notice::ReplannedRerendered { id, when, dropped },
                    (true, false) => Notice::Replanned { id, when, dropped },
                    (false, _) => Notice::Rerendered { id, when, dropped },
                }
            }
            ReminderChange::Cancelled { message_id, reason } => Notice::ReminderCancelled {
                id: *message_id,
                reason: reason.clone(),
            },
            ReminderChange::Skipped { rule, reason } => Notice::RuleSkipped {
                rule: rule.name.clone(),
                reason: reason.clone(),
            },
            ReminderChange::Broken { rule } => Notice::RuleBroken {
                rule: rule.name.clone(),
            },
        }
    }
}

impl fmt::Display for ReminderChange {
    /// English: logs and the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.notice().fmt(f)
    }
}
