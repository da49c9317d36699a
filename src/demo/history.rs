//! What became of each history message, played in time order: its fate (delivered, refused,
//! cancelled…), and the timed status changes, attempts and charge that fate implies.

use super::plan::{AuditPlan, Fate, Link, OptOut, Step};
use super::{Demo, HISTORY_DAYS, Result, secs};
use crate::gateway::simulator::SimOutcome;
use crate::sms::status::{MessageKind, MessageStatus};
use crate::store::audit::AuditAction;
use crate::store::notes::StatusNote;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Actors of the status changes: the scheduler sends, the simulated provider reports.
const SCHEDULER: &str = "scheduler";
const PROVIDER: &str = "simulator";

/// A message's story being told: its fate (which may turn to in flight when a report is not
/// due yet), the moments it left, its status changes and attempts.
struct Story {
    fate: Fate,
    sending: DateTime<Utc>,
    submitted: DateTime<Utc>,
    steps: Vec<Step>,
    attempts: i64,
    last_error: Option<StatusNote>,
    submitted_at: Option<DateTime<Utc>>,
}

impl Story {
    fn push(
        &mut self,
        status: MessageStatus,
        at: DateTime<Utc>,
        actor: &str,
        note: Option<StatusNote>,
    ) {
        self.steps.push(Step {
            status,
            at,
            actor: actor.to_string(),
            note,
        });
    }

    /// Handed to the provider, which accepted it.
    fn left(&mut self) {
        self.push(MessageStatus::Sending, self.sending, SCHEDULER, None);
        self.push(
            MessageStatus::Submitted,
            self.submitted,
            PROVIDER,
            Some(StatusNote::Accepted),
        );
        self.submitted_at = Some(self.submitted);
    }
}

impl Demo<'_> {
    pub(super) fn opted_out_before(&self, phone: &str, at: DateTime<Utc>) -> bool {
        self.opt_outs.get(phone).is_some_and(|o| o.at <= at)
    }

    /// Plays the history in time order: statuses, charges, replies, opt-outs, outcomes.
    pub(super) fn play_history(&mut self) -> Result<()> {
        let mut order: Vec<usize> = (0..self.msgs.len()).collect();
        order.sort_by_key(|&i| (self.msgs[i].planned_at, i));
        // The last few sends have no delivery report yet.
        let in_flight: Vec<usize> = order.iter().rev().take(6).copied().collect();
        let mut questions: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, m) in self.msgs.iter().enumerate() {
            if m.expects_reply {
                questions.entry(m.phone.clone()).or_default().push(i);
            }
        }
        let mut played = vec![false; self.msgs.len()];
        let mut stop_reply_done = false;
        for &i in &order {
            let fate = self.choose_fate(i, in_flight.contains(&i));
            self.msgs[i].outcome.fate = fate;
            self.tell_story(i)?;
            played[i] = true;
            if self.msgs[i].outcome.fate == Fate::Delivered && self.msgs[i].expects_reply {
                let others = questions
                    .get(&self.msgs[i].phone)
                    .cloned()
                    .unwrap_or_default();
                self.maybe_reply(i, &others, &played, &mut stop_reply_done)?;
            }
        }
        Ok(())
    }

    /// Whether a message other than `except` to the same number still waits for an answer at
    /// `at`, as the core's reply rules see it (sent in the last 7 days, submitted, delivered or
    /// unknown, not yet answered). A message not yet played that may have left by then counts
    /// as waiting: a reply then would not be this message's.
    pub(super) fn another_question_open(
        &self,
        questions: &[usize],
        except: Option<usize>,
        at: DateTime<Utc>,
        played: &[bool],
    ) -> bool {
        let window = Duration::days(crate::core::replies::REPLY_WINDOW_DAYS);
        questions.iter().filter(|&&j| Some(j) != except).any(|&j| {
            let m = &self.msgs[j];
            if !played[j] {
                return m.planned_at <= at;
            }
            let answered = m.outcome.reply.is_some_and(|r| self.replies[r].at <= at);
            let status = m
                .outcome
                .story
                .iter()
                .rev()
                .find(|s| s.at <= at)
                .map(|s| s.status);
            let sent_recently = m
                .outcome
                .submitted_at
                .is_some_and(|t| t <= at && t >= at - window);
            !answered
                && sent_recently
                && matches!(
                    status,
                    Some(
                        MessageStatus::Submitted
                            | MessageStatus::Delivered
                            | MessageStatus::Unknown
                    )
                )
        })
    }

    pub(super) fn choose_fate(&mut self, i: usize, forced_in_flight: bool) -> Fate {
        let m = &self.msgs[i];
        if self.opted_out_before(&m.phone, m.planned_at) {
            return Fate::StopUnsent;
        }
        let is_reminder = m.kind == MessageKind::Reminder;
        let deadline_passed = m.deadline < self.now - Duration::minutes(1);
        let roll = self.rng.below(1000);
        let operator_cancel_possible = m.planned_at > m.created_at + secs(20);
        if roll < 25 && operator_cancel_possible {
            return if is_reminder && self.rng.chance(400) {
                Fate::CancelledWithEvent
            } else {
                Fate::CancelledByOperator
            };
        }
        if (25..28).contains(&roll) {
            return Fate::Unknown;
        }
        if (28..36).contains(&roll) && is_reminder && deadline_passed {
            return Fate::RetryExpired;
        }
        match SimOutcome::for_number(&m.phone) {
            SimOutcome::Delivered if forced_in_flight => Fate::InFlight,
            SimOutcome::Delivered => Fate::Delivered,
            SimOutcome::NotDelivered => Fate::NotDelivered,
            SimOutcome::Expired => Fate::Unreachable,
            SimOutcome::Rejected => Fate::Refused,
            SimOutcome::Stop => Fate::StopAtOperator,
            SimOutcome::InTransitForever => Fate::InFlight,
            SimOutcome::ProviderDown if deadline_passed => Fate::RetryExpired,
            SimOutcome::ProviderDown => Fate::InFlight,
        }
    }

    /// Turns a fate into timed status changes, attempts and charge.
    pub(super) fn tell_story(&mut self, i: usize) -> Result<()> {
        let (planned, seq) = (self.msgs[i].planned_at, self.msgs[i].seq as i64);
        let sending = planned + secs(1 + seq / 4 + self.rng.range(0, 9));
        let submitted = sending + secs(self.rng.range(1, 3));
        let mut story = Story {
            fate: self.msgs[i].outcome.fate,
            sending,
            submitted,
            steps: Vec::new(),
            attempts: 1,
            last_error: None,
            submitted_at: None,
        };
        match story.fate {
            Fate::Pending => {}
            Fate::Delivered | Fate::NotDelivered | Fate::Unreachable | Fate::StopAtOperator => {
                self.reported(i, &mut story);
            }
            Fate::InFlight => story.left(),
            Fate::Refused => {
                story.push(MessageStatus::Sending, sending, SCHEDULER, None);
                let note = StatusNote::Refused {
                    reason: "destination not allowed".into(),
                };
                story.last_error = Some(note.clone());
                story.push(MessageStatus::Failed, submitted, PROVIDER, Some(note));
            }
            Fate::StopUnsent => {
                story.attempts = 0;
                story.push(
                    MessageStatus::Stop,
                    planned,
                    SCHEDULER,
                    Some(StatusNote::OptedOut),
                );
            }
            Fate::CancelledByOperator | Fate::CancelledWithEvent => self.cancelled(i, &mut story),
            Fate::Unknown => {
                story.push(MessageStatus::Sending, sending, SCHEDULER, None);
                let at = sending + Duration::minutes(self.rng.range(3, 30));
                story.push(
                    MessageStatus::Unknown,
                    at.min(self.now),
                    SCHEDULER,
                    Some(StatusNote::InterruptedCannotAsk),
                );
            }
            Fate::RetryExpired => self.retry_expired(i, &mut story),
        }
        let m = &mut self.msgs[i];
        m.outcome.fate = story.fate;
        m.outcome.story = story.steps;
        m.outcome.attempts = story.attempts;
        m.outcome.last_error = story.last_error;
        m.outcome.submitted_at = story.submitted_at;
        Ok(())
    }

    /// A message accepted by the provider whose final report came (or is still due: then it
    /// stays in flight). A STOP reported by the provider opts the number out.
    fn reported(&mut self, i: usize, story: &mut Story) {
        let (delay, status, detail) = match story.fate {
            Fate::Delivered => {
                let delay = if self.rng.chance(900) {
                    self.rng.range(3, 40)
                } else {
                    self.rng.range(60, 1800)
                };
                (
                    secs(delay),
                    MessageStatus::Delivered,
                    "delivered to the handset",
                )
            }
            Fate::NotDelivered => (
                secs(self.rng.range(10, 120)),
                MessageStatus::NotDelivered,
                "unknown number (not allocated)",
            ),
            Fate::Unreachable => (
                Duration::hours(48),
                MessageStatus::Expired,
                "phone unreachable for 48 h",
            ),
            _ => (
                secs(self.rng.range(5, 60)),
                MessageStatus::Stop,
                "the recipient opted out (STOP) at the operator",
            ),
        };
        story.left();
        let at = story.submitted + delay;
        if at <= self.now {
            let note = StatusNote::Reported {
                said: detail.to_string(),
            };
            story.push(status, at, PROVIDER, Some(note));
        } else {
            story.fate = Fate::InFlight;
        }
        if story.fate == Fate::StopAtOperator {
            let phone = self.msgs[i].phone.clone();
            self.opt_outs.entry(phone).or_insert(OptOut {
                at,
                source: "provider",
                reply: None,
                by: PROVIDER.to_string(),
            });
        }
    }

    /// Cancelled by its author between its creation and its planned time, within the last two
    /// days before it (so it stays in the 60 days of history); the event too, sometimes.
    fn cancelled(&mut self, i: usize, story: &mut Story) {
        story.attempts = 0;
        let (planned, created) = (self.msgs[i].planned_at, self.msgs[i].created_at);
        let oldest = self.now - Duration::days(HISTORY_DAYS);
        let span = (planned - created.max(oldest))
            .num_seconds()
            .clamp(2, 2 * 86_400);
        let at = planned - secs(self.rng.range(1, span - 1));
        let with_event = story.fate == Fate::CancelledWithEvent;
        let (detail, note) = if with_event {
            ("the event was cancelled", StatusNote::EventCancelled)
        } else {
            ("cancelled by an operator", StatusNote::CancelledByOperator)
        };
        let actor = self.msgs[i].created_by.clone();
        story.push(MessageStatus::Cancelled, at, &actor, Some(note));
        self.audit.push(AuditPlan {
            at,
            actor,
            action: AuditAction::MessageCancel,
            object_id: String::new(),
            link: Link::Message(i),
            detail: detail.to_string(),
        });
        if let Some(e) = self.msgs[i].event {
            let ev = &mut self.events[e];
            ev.reminder_enabled = false;
            if with_event {
                ev.cancelled = true;
                ev.notes = "Annulé par le participant (appel)".into();
            }
        }
    }

    /// The provider stayed unreachable: retried every half hour until the deadline passed.
    fn retry_expired(&mut self, i: usize, story: &mut Story) {
        let (planned, deadline) = (self.msgs[i].planned_at, self.msgs[i].deadline);
        story.push(MessageStatus::Sending, story.sending, SCHEDULER, None);
        let note = StatusNote::WillRetry {
            reason: "provider unreachable: connection refused".into(),
        };
        story.last_error = Some(note.clone());
        story.push(
            MessageStatus::Pending,
            story.submitted,
            PROVIDER,
            Some(note),
        );
        story.attempts = 1 + ((deadline - planned).num_minutes() / 30).clamp(1, 40);
        let at = (deadline + secs(self.rng.range(1, 50))).min(self.now);
        story.push(
            MessageStatus::Expired,
            at,
            SCHEDULER,
            Some(StatusNote::DeadlinePassed),
        );
    }
}
