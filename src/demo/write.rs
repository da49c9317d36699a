//! Writes the planned demo through the store: batches, events, messages with their stories and
//! charges, replies, opt-outs, audit, each in the order real use would have created them.

use super::plan::{Fate, Link, MsgPlan};
use super::{Demo, DemoError, Result};
use crate::sms::encoding;
use crate::sms::status::MessageStatus;
use crate::store::audit::Stamp;
use crate::store::batches::{self, NewBatch};
use crate::store::events::{self, NewEvent, ReminderSettings};
use crate::store::messages::{self, NewMessage};
use crate::store::notes::StatusNote;
use crate::store::participants;
use crate::store::replies::{self, NewReply};
use crate::store::seed::{self, MessageOutcome};
use crate::store::{audit, credit, ts};

/// Store ids of the rows written, by index in the plan.
struct Ids {
    batches: Vec<i64>,
    events: Vec<i64>,
    messages: Vec<i64>,
    replies: Vec<i64>,
}

impl Demo<'_> {
    pub(super) fn write(&mut self) -> Result<()> {
        let mut ids = Ids {
            batches: self.write_batches()?,
            events: Vec::new(),
            messages: Vec::new(),
            replies: Vec::new(),
        };
        ids.events = self.write_events(&ids)?;
        ids.messages = self.write_messages(&ids)?;
        ids.replies = self.write_replies(&ids)?;
        for (phone, o) in &self.opt_outs {
            participants::opt_out(
                self.conn,
                phone,
                o.source,
                o.reply.map(|r| ids.replies[r]),
                &o.by,
                o.at,
            )?;
        }
        self.write_audit(&ids)
    }

    fn write_batches(&self) -> Result<Vec<i64>> {
        let mut batch_ids = Vec::with_capacity(self.batches.len());
        for b in &self.batches {
            let interview = b.interview.to_string();
            batch_ids.push(batches::insert(
                self.conn,
                &NewBatch {
                    kind: b.kind,
                    name: &b.name,
                    template_id: b.template.map(|t| self.templates[t].id),
                    text: &b.text,
                    campaign: b.campaign,
                    interview: &interview,
                    source: &b.source,
                    recipients: b.recipients as i64,
                    planned_at: Some(ts(b.planned_at)),
                    created_by: &b.created_by,
                    created_at: ts(b.created_at),
                },
            )?);
        }
        Ok(batch_ids)
    }

    /// Events in time order of creation, as they were entered.
    fn write_events(&self, ids: &Ids) -> Result<Vec<i64>> {
        let mut event_order: Vec<usize> = (0..self.events.len()).collect();
        event_order.sort_by_key(|&e| (self.events[e].created_at, e));
        let mut event_ids = vec![0i64; self.events.len()];
        for e in event_order {
            let ev = &self.events[e];
            event_ids[e] = events::insert_event(
                self.conn,
                &NewEvent {
                    participant_id: self.people[ev.participant].id,
                    kind: ev.kind,
                    event_type: ev.event_type.to_string(),
                    starts_at: ev.start,
                    starts_local: ev.local,
                    collaborator_id: Some(self.collabs[ev.collaborator].id),
                    location: ev.location.to_string(),
                    theme: ev.theme.clone(),
                    channel: ev.channel.clone(),
                    programme: self.people[ev.participant].programme.clone(),
                    summary: ev.summary.clone(),
                    outcome: ev.outcome.clone(),
                    notes: ev.notes.clone(),
                    cancelled: ev.cancelled,
                    batch_id: ev.batch.map(|b| ids.batches[b]),
                    reminder: ReminderSettings {
                        enabled: ev.reminder_enabled,
                        days_before: ev.reminder_days,
                        template_id: ev.reminder_template.map(|t| self.templates[t].id),
                        ..ReminderSettings::default()
                    },
                    reply_text: ev.reply_text.clone(),
                    reply_at: ev.reply_at,
                    created_by: ev.created_by.clone(),
                    created_at: ev.created_at,
                },
            )?;
        }
        Ok(event_ids)
    }

    /// Messages in creation order (ids grow with time, as in real use), with their stories
    /// and charges.
    fn write_messages(&self, ids: &Ids) -> Result<Vec<i64>> {
        let mut order: Vec<usize> = (0..self.msgs.len()).collect();
        order.sort_by_key(|&i| (self.msgs[i].created_at, self.msgs[i].planned_at, i));
        let mut msg_ids = vec![0i64; self.msgs.len()];
        for i in order {
            let m = &self.msgs[i];
            let (id, segments) = self.write_message(m, ids)?;
            msg_ids[i] = id;
            if m.outcome.fate != Fate::Pending {
                self.write_story(id, m)?;
            }
            if let Some(at) = m.outcome.submitted_at {
                credit::charge_message(self.conn, id, segments, at)?;
            }
        }
        Ok(msg_ids)
    }

    /// Returns the message's id and segments.
    fn write_message(&self, m: &MsgPlan, ids: &Ids) -> Result<(i64, i64)> {
        let max_segments = i64::from(self.settings.max_segments);
        let info = encoding::analyse(&m.text);
        if info.segments as i64 > max_segments {
            return Err(DemoError::Generator(format!(
                "a {} message of {} segments exceeds the maximum of {max_segments}: {:?}",
                m.kind.as_str(),
                info.segments,
                m.text
            )));
        }
        let id = messages::insert(
            self.conn,
            &NewMessage {
                kind: m.kind,
                context: m.context.to_string(),
                participant_id: m.participant.map(|p| self.people[p].id),
                event_id: m.event.map(|e| ids.events[e]),
                batch_id: m.batch.map(|b| ids.batches[b]),
                template_id: m.template.map(|t| self.templates[t].id),
                automation_id: m.automation.map(|a| self.automations[a]),
                collaborator_id: m.collaborator.map(|c| self.collabs[c].id),
                phone: m.phone.clone(),
                recipient_name: m.recipient_name.clone(),
                text: m.text.clone(),
                manual_edit: false,
                encoding: info.encoding,
                chars: info.chars as i64,
                segments: info.segments as i64,
                sender: self.sender_for(m.expects_reply),
                expects_reply: m.expects_reply,
                campaign: m.campaign,
                created_by: m.created_by.clone(),
                created_at: m.created_at,
                planned_at: m.planned_at,
                deadline: m.deadline,
            },
        )?;
        Ok((id, info.segments as i64))
    }

    /// Replies in arrival order, each linked to the message it answers.
    fn write_replies(&self, ids: &Ids) -> Result<Vec<i64>> {
        let mut reply_order: Vec<usize> = (0..self.replies.len()).collect();
        reply_order.sort_by_key(|&r| (self.replies[r].at, r));
        let mut reply_ids = vec![0i64; self.replies.len()];
        for (n, r) in reply_order.into_iter().enumerate() {
            let rp = &self.replies[r];
            let id = replies::insert_reply(
                self.conn,
                &NewReply {
                    from_phone: rp.from.clone(),
                    to_number: self.settings.reply_number.clone(),
                    text: rp.text.clone(),
                    received_at: rp.at,
                    provider: crate::gateway::ProviderKind::Simulator,
                    provider_id: Some(format!("sim-in-{}", n + 1)),
                    message_id: rp.message.map(|m| ids.messages[m]),
                    event_id: rp.event.map(|e| ids.events[e]),
                    keyword: rp.keyword.clone(),
                    outcome: rp.outcome.clone(),
                    state: rp.state,
                    review_reason: rp.review_reason.clone(),
                    reviewed_by: rp.reviewed_by.clone(),
                    reviewed_at: rp.reviewed_at,
                },
            )?
            .ok_or_else(|| DemoError::Generator("a reply was generated twice".into()))?;
            reply_ids[r] = id;
            if let Some(m) = rp.message {
                seed::link_reply(self.conn, ids.messages[m], id)?;
            }
        }
        Ok(reply_ids)
    }

    /// The audit trail in time order, naming the rows by their ids.
    fn write_audit(&self, ids: &Ids) -> Result<()> {
        let mut audit_order: Vec<usize> = (0..self.audit.len()).collect();
        audit_order.sort_by_key(|&a| (self.audit[a].at, a));
        for a in audit_order {
            let entry = &self.audit[a];
            let object_id = match entry.link {
                Link::None => entry.object_id.clone(),
                Link::Message(m) => ids.messages[m].to_string(),
                Link::Reply(r) => ids.replies[r].to_string(),
                Link::Batch(b) => ids.batches[b].to_string(),
            };
            let stamp = Stamp {
                by: &entry.actor,
                at: entry.at,
            };
            audit::record(self.conn, stamp, entry.action, object_id, &entry.detail)?;
        }
        Ok(())
    }

    /// Records a message's status changes and the columns they set, as
    /// [`messages::transition`] would one by one (same lifecycle check, same `sent_at`,
    /// `final_at`, `listed_at` rules) but in one update: the demo writes 15,000 changes.
    fn write_story(&self, id: i64, m: &MsgPlan) -> Result<()> {
        let mut current = MessageStatus::Pending;
        let (mut sent_at, mut final_at) = (None, None);
        for s in &m.outcome.story {
            if current == s.status || !current.can_become(s.status) {
                return Err(DemoError::Generator(format!(
                    "message #{id}: the lifecycle refuses {current} → {}",
                    s.status
                )));
            }
            match s.status {
                MessageStatus::Submitted => sent_at = sent_at.or(Some(s.at)),
                st if st.is_final() => final_at = final_at.or(Some(s.at)),
                _ => {}
            }
            messages::add_history(self.conn, id, s.status, s.at, &s.actor, s.note.as_ref())?;
            current = s.status;
        }
        let Some(last) = m.outcome.story.last() else {
            return Ok(());
        };
        let listed_at = match current {
            MessageStatus::Pending | MessageStatus::Sending => None,
            _ => Some(sent_at.or(final_at).unwrap_or(last.at)),
        };
        let last_attempt = m
            .outcome
            .story
            .iter()
            .rev()
            .find(|s| matches!(s.status, MessageStatus::Sending | MessageStatus::Pending))
            .map(|s| s.at);
        seed::set_message_outcome(
            self.conn,
            &MessageOutcome {
                id,
                status: current,
                status_at: ts(last.at),
                sent_at: sent_at.map(ts),
                final_at: final_at.map(ts),
                listed_at: listed_at.map(ts),
                attempts: m.outcome.attempts,
                last_error: &m
                    .outcome
                    .last_error
                    .as_ref()
                    .map(StatusNote::to_stored)
                    .unwrap_or_default(),
                provider: if m.outcome.attempts > 0 {
                    "simulator"
                } else {
                    ""
                },
                provider_id: sent_at.map(|_| format!("sim-m{id}")),
                claimed_by: (m.outcome.attempts > 0).then_some("scheduler"),
                next_attempt_at: last_attempt.map(ts),
            },
        )?;
        Ok(())
    }
}
