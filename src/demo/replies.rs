//! Replies to the messages that asked for one: confirmations, refusals, answers a counsellor
//! had to read, a STOP, and the odd thank-you.

use super::plan::{AuditPlan, Link, OptOut, ReplyPlan};
use super::setup::TEMPLATES;
use super::{Demo, OUTCOME_CONFIRMED, OUTCOME_DECLINED, Result, secs};
use crate::gateway::simulator::SimOutcome;
use crate::sms::status::ReplyState;
use crate::store::audit::AuditAction;
use chrono::{DateTime, Duration, Utc};

const OUI_REPLIES: [&str; 9] = [
    "Oui",
    "OUI",
    "oui",
    "Oui.",
    "oui !",
    "Oui 👍",
    "Oui !",
    "Oui merci",
    "OUI merci beaucoup",
];
const NON_REPLIES: [&str; 6] = ["Non", "NON", "non", "Non.", "non !", "Non merci"];
/// Replies that need a person (no clear keyword), and the outcome a counsellor chose for them.
const REVIEW_REPLIES: [(&str, &str); 5] = [
    ("Oui mais je serai en retard de 10 min", OUTCOME_CONFIRMED),
    ("oui mais à 15h", OUTCOME_DECLINED),
    ("Je ne sais pas encore, je vous rappelle", OUTCOME_DECLINED),
    ("C'est à quelle adresse ?", OUTCOME_CONFIRMED),
    ("Pouvez-vous décaler à jeudi ?", OUTCOME_DECLINED),
];
const THANKS_REPLIES: [&str; 3] = ["Merci !", "Merci, à bientôt", "ok merci"];

/// A reply to a message about an event, before it is read.
struct Answer {
    message: usize,
    event: usize,
    template: usize,
    text: String,
    at: DateTime<Utc>,
    /// The outcome a counsellor gives it if it needs review.
    settled_outcome: &'static str,
}

impl Demo<'_> {
    /// A delivered message that expects a reply may get one before its event starts. The reply
    /// is read as the core reads it ([`crate::core::replies::match_keyword`]): a clear keyword
    /// sets the event's outcome, anything else waits for review (settled by a counsellor when
    /// older than a few days), a STOP opts the number out.
    pub(super) fn maybe_reply(
        &mut self,
        i: usize,
        questions: &[usize],
        played: &[bool],
        stop_done: &mut bool,
    ) -> Result<()> {
        let Some(delivered) = self.msgs[i].outcome.story.last().map(|s| s.at) else {
            return Ok(());
        };
        let (Some(e), Some(tpl)) = (self.msgs[i].event, self.msgs[i].template) else {
            return Ok(());
        };
        let limit =
            (self.events[e].start - Duration::minutes(5)).min(self.now - Duration::minutes(1));
        let room = (limit - delivered).num_seconds();
        if room < 180 {
            return Ok(());
        }
        let at = delivered + secs(self.rng.range(120, room.min(6 * 3600)));
        let phone = self.msgs[i].phone.clone();
        let roll = self.rng.below(1000);
        let stop_candidate = at > self.now - Duration::days(30)
            && SimOutcome::for_number(&phone) == SimOutcome::Delivered;
        if !*stop_done && stop_candidate && roll < 150 {
            *stop_done = true;
            self.stop_reply(phone, at);
            return Ok(());
        }
        let (text, settled_outcome) = if roll < 530 {
            (self.rng.pick(&OUI_REPLIES).to_string(), OUTCOME_CONFIRMED)
        } else if roll < 660 {
            (self.rng.pick(&NON_REPLIES).to_string(), OUTCOME_DECLINED)
        } else if roll < 790 {
            let (text, outcome) = *self.rng.pick(&REVIEW_REPLIES);
            (text.to_string(), outcome)
        } else {
            return Ok(());
        };
        // Another open question from this number would make the core file this reply
        // elsewhere; such a participant simply did not answer.
        if self.another_question_open(questions, Some(i), at, played) {
            return Ok(());
        }
        let reply = Answer {
            message: i,
            event: e,
            template: tpl,
            text,
            at,
            settled_outcome,
        };
        if self.answer(reply) {
            self.maybe_thanks(phone, at, questions, played);
        }
        Ok(())
    }

    /// A STOP reply: the number is opted out, nothing else changes.
    fn stop_reply(&mut self, phone: String, at: DateTime<Utc>) {
        let r = self.replies.len();
        self.replies.push(ReplyPlan {
            message: None,
            event: None,
            from: phone.clone(),
            text: "Stop".into(),
            at,
            keyword: String::new(),
            outcome: String::new(),
            state: ReplyState::Stop,
            review_reason: None,
            reviewed_by: None,
            reviewed_at: None,
        });
        self.opt_outs.entry(phone.clone()).or_insert(OptOut {
            at,
            source: "reply",
            reply: Some(r),
            by: "simulator".into(),
        });
        self.audit.push(AuditPlan {
            at,
            actor: "simulator".into(),
            action: AuditAction::OptoutReply,
            object_id: phone,
            link: Link::None,
            detail: "Stop".into(),
        });
    }

    /// Records the answer to message `a.message`, matched on the template's keywords; one
    /// without a clear keyword waits for review, or was settled by a counsellor when older.
    /// Returns whether it matched a keyword.
    fn answer(&mut self, a: Answer) -> bool {
        let r = self.replies.len();
        let keywords: Vec<(String, String)> = if TEMPLATES[a.template].reply {
            vec![
                ("NON".to_string(), OUTCOME_DECLINED.to_string()),
                ("OUI".to_string(), OUTCOME_CONFIRMED.to_string()),
            ]
        } else {
            Vec::new()
        };
        let mut reply = ReplyPlan {
            message: Some(a.message),
            event: Some(a.event),
            from: self.msgs[a.message].phone.clone(),
            text: a.text.clone(),
            at: a.at,
            keyword: String::new(),
            outcome: String::new(),
            state: ReplyState::Matched,
            review_reason: None,
            reviewed_by: None,
            reviewed_at: None,
        };
        match crate::core::replies::match_keyword(&a.text, &keywords) {
            Ok((keyword, outcome)) => {
                reply.keyword = keyword.clone();
                reply.outcome = outcome.clone();
            }
            Err(reason) => {
                reply.state = ReplyState::Review;
                reply.review_reason = Some(reason);
                self.maybe_settle(&mut reply, r, a.settled_outcome);
            }
        }
        if !reply.outcome.is_empty() {
            let ev = &mut self.events[a.event];
            ev.outcome = reply.outcome.clone();
            ev.reply_text = Some(a.text);
            ev.reply_at = Some(a.at);
        }
        self.msgs[a.message].outcome.reply = Some(r);
        let matched = reply.state == ReplyState::Matched;
        self.replies.push(reply);
        matched
    }

    /// Replies waiting for review older than a few days were settled by a counsellor.
    fn maybe_settle(&mut self, reply: &mut ReplyPlan, r: usize, outcome: &str) {
        let reviewed = reply.at + Duration::minutes(self.rng.range(10, 600));
        if reviewed >= self.now - Duration::days(6) {
            return;
        }
        let by = self.pick_operator(|r| r.admin || r.instant);
        reply.state = ReplyState::Resolved;
        reply.outcome = outcome.into();
        reply.reviewed_by = Some(by.clone());
        reply.reviewed_at = Some(reviewed);
        self.audit.push(AuditPlan {
            at: reviewed,
            actor: by,
            action: AuditAction::ReplyResolve,
            object_id: String::new(),
            link: Link::Reply(r),
            detail: outcome.into(),
        });
    }

    /// Sometimes a thank-you follows: with no question open it is kept and changes nothing.
    fn maybe_thanks(
        &mut self,
        phone: String,
        at: DateTime<Utc>,
        questions: &[usize],
        played: &[bool],
    ) {
        if !self.rng.chance(80) {
            return;
        }
        let later = at + Duration::minutes(self.rng.range(1, 40));
        if later < self.now && !self.another_question_open(questions, None, later, played) {
            let text = self.rng.pick(&THANKS_REPLIES).to_string();
            self.replies.push(ReplyPlan {
                message: None,
                event: None,
                from: phone,
                text,
                at: later,
                keyword: String::new(),
                outcome: String::new(),
                state: ReplyState::Kept,
                review_reason: None,
                reviewed_by: None,
                reviewed_at: None,
            });
        }
    }
}
