//! Writes one generated message: its fate and time line, row, status history, charge, reply
//! and opt-out; and the credit packs bought as consumption grows.

use super::data::REPLIES;
use super::{Generator, Msg, PACK_UNITS};
use crate::sms::encoding;
use crate::sms::status::MessageStatus::{self, *};
use crate::store::StoreError;
use crate::store::notes::StatusNote;
use crate::store::replies::ReviewReason;
use crate::store::seed::{self, MessageRow, ReplyRow};
use chrono::{NaiveDate, NaiveTime};

/// How a message ended: its final status and the status changes that led there (Unix seconds).
struct Timeline {
    fate: MessageStatus,
    history: Vec<(MessageStatus, i64, Option<StatusNote>)>,
    sent_at: Option<i64>,
    final_at: Option<i64>,
}

/// The last error of a message the provider refused, as stored.
static REFUSED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    StatusNote::Refused {
        reason: "destination not allowed".into(),
    }
    .to_stored()
});

/// A reply drawn for a message: id, text, keyword, outcome, received at.
type Reply = (i64, &'static str, &'static str, &'static str, i64);

impl Generator<'_> {
    /// Inserts one message with its history, charge and reply.
    pub(super) fn write(&mut self, m: Msg, day: NaiveDate) -> Result<(), StoreError> {
        let id = self.next_message;
        self.next_message += 1;
        let info = encoding::analyse(&m.text);
        let segments = info.segments as i64;
        let t = self.timeline(&m);
        let (last_status, last_at) = t
            .history
            .last()
            .map_or((Pending, m.created_at), |(s, at, _)| (*s, *at));
        let listed_at = t.sent_at.or(t.final_at).unwrap_or(last_at);
        let sent = t.sent_at.is_some() || t.fate == Unknown || t.fate == Failed;
        let reply = self.reply_to(&m, &t, listed_at);
        let sender = if m.expects_reply {
            &self.reply_number
        } else {
            &self.sender
        };
        seed::insert_message(
            self.conn,
            &MessageRow {
                id,
                kind: m.kind,
                context: &m.context,
                status: last_status,
                participant_id: m.participant,
                batch_id: m.batch,
                collaborator_id: m.collaborator,
                phone: &m.phone,
                recipient_name: &m.name,
                text: &m.text,
                encoding: info.encoding.as_str(),
                chars: info.chars as i64,
                segments,
                sender,
                expects_reply: m.expects_reply,
                campaign: m.campaign,
                created_by: &m.created_by,
                created_at: m.created_at,
                planned_at: m.planned_at,
                deadline: m.planned_at + 86_400,
                attempts: i64::from(sent),
                last_error: if t.fate == Failed && t.sent_at.is_none() {
                    &REFUSED
                } else {
                    ""
                },
                claimed_by: sent.then_some("scheduler"),
                provider: if sent { "simulator" } else { "" },
                provider_id: t.sent_at.map(|_| format!("sim-g{id}")),
                sent_at: t.sent_at,
                final_at: t.final_at,
                listed_at,
                status_at: last_at,
                reply_id: reply.map(|r| r.0),
            },
        )?;
        for (status, at, detail) in &t.history {
            let actor = match status {
                Pending | Cancelled => m.created_by.as_str(),
                Sending | Submitted | Unknown => "scheduler",
                _ => "simulator",
            };
            seed::insert_status_change(self.conn, id, *status, *at, actor, detail.as_ref())?;
        }
        self.summary.status_changes += t.history.len();
        if let Some(at) = t.sent_at {
            self.charge(id, segments, at, day)?;
        }
        if let Some(reply) = reply {
            self.write_reply(id, &m, reply)?;
        }
        if t.fate == Stop {
            seed::insert_provider_opt_out(self.conn, &m.phone, m.created_at)?;
        }
        Ok(())
    }

    /// Draws the fate of a message and its time line.
    fn timeline(&mut self, m: &Msg) -> Timeline {
        let recent = self.now.timestamp() - m.planned_at < 2 * 86_400;
        let roll = self.rng.below(1000);
        let fate = match roll {
            0..=39 => Cancelled,
            40..=49 if m.kind == "free" => Stop,
            40..=69 => NotDelivered,
            70..=84 => Expired,
            85..=99 => Failed,
            100..=104 => Unknown,
            105..=124 if recent => Submitted,
            _ => Delivered,
        };
        let mut t = Timeline {
            fate,
            history: vec![(Pending, m.created_at, None)],
            sent_at: None,
            final_at: None,
        };
        let sending_at = m.planned_at + self.rng.range(1, 20);
        match fate {
            Cancelled => {
                let at = m.created_at + (m.planned_at - m.created_at).max(2) / 2;
                t.history
                    .push((Cancelled, at, Some(StatusNote::CancelledByOperator)));
                t.final_at = Some(at);
            }
            Stop => {
                let said = "number opted out (STOP)".to_string();
                t.history
                    .push((Stop, sending_at, Some(StatusNote::Reported { said })));
                t.final_at = Some(sending_at);
            }
            _ => self.sent(&mut t, sending_at),
        }
        t
    }

    /// The time line of a message handed to the provider at `sending_at`.
    fn sent(&mut self, t: &mut Timeline, sending_at: i64) {
        let fate = t.fate;
        let submitted = sending_at + self.rng.range(1, 4);
        t.history.push((Sending, sending_at, None));
        if fate == Unknown {
            let reason = "no answer".into();
            let note = StatusNote::NoUsableAnswer { reason };
            t.history.push((Unknown, submitted + 30, Some(note)));
        } else if fate == Failed && self.rng.chance(500) {
            let reason = "destination not allowed".into();
            t.history
                .push((Failed, submitted, Some(StatusNote::Refused { reason })));
            t.final_at = Some(submitted);
        } else {
            t.history.push((Submitted, submitted, None));
            t.sent_at = Some(submitted);
            let reported = match fate {
                Expired => submitted + 48 * 3_600,
                _ => submitted + self.rng.range(3, 900),
            };
            if fate != Submitted {
                let detail = match fate {
                    NotDelivered => "unknown number",
                    Expired => "phone unreachable for 48 h",
                    Failed => "refused by the operator",
                    _ => "",
                };
                let note = (!detail.is_empty()).then(|| StatusNote::Reported {
                    said: detail.to_string(),
                });
                t.history.push((fate, reported, note));
                t.final_at = Some(reported);
            }
        }
    }

    /// A reply to reminders that asked for one, for a good half of those delivered.
    fn reply_to(&mut self, m: &Msg, t: &Timeline, listed_at: i64) -> Option<Reply> {
        if !(m.expects_reply && t.fate == Delivered && self.rng.chance(550)) {
            return None;
        }
        let (text, keyword, outcome) = *self.rng.pick(&REPLIES);
        let at = t.final_at.unwrap_or(listed_at) + self.rng.range(60, 86_400);
        let id = self.next_reply;
        self.next_reply += 1;
        Some((id, text, keyword, outcome, at))
    }

    /// Charges a submitted message; buys a pack when the last one is used up.
    fn charge(
        &mut self,
        id: i64,
        segments: i64,
        at: i64,
        day: NaiveDate,
    ) -> Result<(), StoreError> {
        seed::insert_charge(self.conn, id, segments, at)?;
        self.summary.credit_units += segments;
        self.since_pack += segments;
        if self.since_pack >= PACK_UNITS {
            self.buy_pack(day, PACK_UNITS)?;
            self.since_pack -= PACK_UNITS;
        }
        Ok(())
    }

    /// A reply without a keyword was settled by the message's author an hour later.
    fn write_reply(&mut self, message_id: i64, m: &Msg, reply: Reply) -> Result<(), StoreError> {
        let (id, text, keyword, outcome, at) = reply;
        let no_keyword = ReviewReason::NoKeyword;
        let (state, reason, reviewer) = if keyword.is_empty() {
            ("resolved", Some(&no_keyword), Some(m.created_by.as_str()))
        } else {
            ("matched", None, None)
        };
        seed::insert_reply(
            self.conn,
            &ReplyRow {
                id,
                from_phone: &m.phone,
                to_number: &self.reply_number,
                text,
                received_at: at,
                provider_id: format!("sim-in-g{id}"),
                message_id,
                keyword,
                outcome,
                state,
                review_reason: reason,
                reviewed_by: reviewer,
                reviewed_at: reviewer.map(|_| at + 3_600),
            },
        )?;
        self.summary.replies += 1;
        Ok(())
    }

    pub(super) fn buy_pack(&mut self, day: NaiveDate, units: i64) -> Result<(), StoreError> {
        let at = self.at_local(
            day,
            NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
        );
        seed::insert_pack(
            self.conn,
            &day.format("%Y-%m-%d").to_string(),
            units,
            &format!("Pack {units} SMS"),
            &self.operators[0],
            at,
        )
    }
}
