//! Replies: every inbound SMS is kept; a STOP opts the number out; the first reply to a
//! message expecting one (within 7 days) sets its event's outcome when its keyword is clear;
//! anything unclear goes to the review list of the Inbox.

use super::refusal::ReviewReason;
use super::{CoreError, CoreResult};
use crate::gateway::{InboundSms, ProviderKind};
use crate::sms::sender::{OptOutReply, classify_opt_out, normalize_keyword};
use crate::sms::status::ReplyState;
use crate::store::audit::{AuditAction, Stamp};
use crate::store::{Store, audit, events, participants, replies, templates, ts};
use chrono::{DateTime, Duration, Utc};

/// A reply is matched to a question asked at most this long before it.
pub const REPLY_WINDOW_DAYS: i64 = 7;

/// Words that may follow a keyword without making the reply unclear ("Oui merci").
const COURTESY: &[&str] = &[
    "MERCI",
    "BEAUCOUP",
    "OK",
    "BIEN",
    "SUR",
    "BONNE",
    "JOURNEE",
    "SOIREE",
    "CORDIALEMENT",
    "BONJOUR",
    "THANKS",
    "THANK",
    "YOU",
    "DACCORD",
    "PARFAIT",
    "A",
    "BIENTOT",
    "MADAME",
    "MONSIEUR",
];

/// What happened to a reply.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReplyOutcome {
    /// Already recorded (same provider id): nothing done.
    Duplicate,
    /// The number is now on the opt-out list.
    Stop,
    /// Set the outcome of an event.
    Matched {
        message_id: i64,
        event_id: Option<i64>,
        keyword: String,
        outcome: String,
    },
    /// Waits for an operator in the Inbox.
    Review { reason: ReviewReason },
    /// Kept in the conversation; changes nothing.
    Kept,
}

/// Where the keyword of a reply points, given the keywords of the template it answers.
/// `None` when no keyword is clear.
pub fn match_keyword<'a>(
    text: &str,
    keywords: &'a [(String, String)],
) -> Result<&'a (String, String), ReviewReason> {
    let normalised = normalize_keyword(text).replace('\'', "");
    let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Err(ReviewReason::EmptyReply);
    }
    let mut found: Vec<&(String, String)> = Vec::new();
    for pair in keywords {
        let kw: Vec<&str> = pair.0.split(' ').filter(|w| !w.is_empty()).collect();
        if !kw.is_empty() && words.starts_with(&kw) {
            let rest = &words[kw.len()..];
            if rest.iter().all(|w| COURTESY.contains(w)) {
                found.push(pair);
            } else {
                return Err(ReviewReason::SaysMore {
                    text: text.trim().to_string(),
                    keyword: pair.0.clone(),
                });
            }
        } else if words.iter().any(|w| kw.len() == 1 && *w == kw[0]) {
            return Err(ReviewReason::NotAlone {
                keyword: pair.0.clone(),
                text: text.trim().to_string(),
            });
        }
    }
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(ReviewReason::NoKeyword),
        _ => Err(ReviewReason::SeveralKeywords),
    }
}

/// Records an inbound SMS and applies the rules. Idempotent for a provider id.
pub fn record_inbound(
    store: &mut Store,
    provider: ProviderKind,
    inbound: &InboundSms,
    now: DateTime<Utc>,
) -> CoreResult<ReplyOutcome> {
    store.write(|tx| {
        // Who opted the number out, for the list's history.
        let by = provider.as_str();
        let provider_id = (!inbound.provider_id.is_empty()).then_some(inbound.provider_id.as_str());
        if let Some(pid) = provider_id
            && replies::find_by_provider_id(tx, provider, pid)?.is_some()
        {
            return Ok(ReplyOutcome::Duplicate);
        }
        let received = inbound.received_at;
        let insert = |state: ReplyState, reason: Option<&ReviewReason>| -> CoreResult<i64> {
            Ok(replies::insert_inbound(
                tx,
                &inbound.from_e164,
                &inbound.to,
                &inbound.text,
                received,
                provider,
                provider_id,
                state,
                reason,
            )?)
        };
        let opt_out = classify_opt_out(&inbound.text);
        if opt_out == OptOutReply::OptOut {
            let id = insert(ReplyState::Stop, None)?;
            participants::opt_out(tx, &inbound.from_e164, "reply", Some(id), by, now)?;
            audit::record(
                tx,
                Stamp { by, at: now },
                AuditAction::OptoutReply,
                &inbound.from_e164,
                &inbound.text,
            )?;
            return Ok(ReplyOutcome::Stop);
        }
        // "stop" among other words: never matched as a keyword, always read by a person.
        let unclear_stop =
            (opt_out == OptOutReply::Unclear).then_some(ReviewReason::StopAmongOtherWords);
        // Messages to this number expecting a reply, sent in the last 7 days, not yet answered.
        let since = received - Duration::days(REPLY_WINDOW_DAYS);
        let open = replies::open_questions(tx, &inbound.from_e164, since, received)?;
        let Some(&(message_id, event_id, template_id)) = open.first() else {
            if let Some(reason) = unclear_stop {
                insert(ReplyState::Review, Some(&reason))?;
                return Ok(ReplyOutcome::Review { reason });
            }
            insert(ReplyState::Kept, None)?;
            return Ok(ReplyOutcome::Kept);
        };
        let distinct_events: std::collections::BTreeSet<i64> =
            open.iter().filter_map(|m| m.1).collect();
        if distinct_events.len() > 1 {
            let reason = ReviewReason::SeveralAppointments {
                count: distinct_events.len(),
            };
            let id = insert(ReplyState::Review, Some(&reason))?;
            replies::link(tx, id, message_id, event_id)?;
            return Ok(ReplyOutcome::Review { reason });
        }
        let keywords = match template_id {
            Some(t) => templates::keywords(tx, t)?,
            None => Vec::new(),
        };
        let matched = match unclear_stop {
            Some(reason) => Err(reason),
            None => match_keyword(&inbound.text, &keywords),
        };
        match matched {
            Ok((keyword, outcome)) => {
                let id = insert(ReplyState::Matched, None)?;
                replies::link_matched(tx, id, message_id, event_id, keyword, outcome)?;
                // The first reply answers every still-open copy of the question for this event.
                for (mid, _, _) in open.iter().filter(|m| m.1 == event_id) {
                    replies::answer_message(tx, *mid, id)?;
                }
                if let Some(e) = event_id {
                    events::set_reply_outcome(tx, e, outcome, &inbound.text, ts(received), now)?;
                }
                audit::record(
                    tx,
                    Stamp { by, at: now },
                    AuditAction::ReplyMatched,
                    message_id,
                    &format!("{keyword} → {outcome}"),
                )?;
                Ok(ReplyOutcome::Matched {
                    message_id,
                    event_id,
                    keyword: keyword.clone(),
                    outcome: outcome.clone(),
                })
            }
            Err(reason) => {
                let id = insert(ReplyState::Review, Some(&reason))?;
                replies::link(tx, id, message_id, event_id)?;
                // The question is answered, even if unclearly: later replies change nothing.
                replies::answer_message(tx, message_id, id)?;
                Ok::<_, CoreError>(ReplyOutcome::Review { reason })
            }
        }
    })
}

/// An operator settles a reply from the review list: sets the outcome of its event. The
/// outcome is one of the keyword outcomes of the template the reply answers; only an
/// administrator may give another one.
pub fn resolve(
    store: &mut Store,
    actor: &super::Actor,
    reply_id: i64,
    outcome: &str,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_operator(super::Action::SettleReplies)?;
    let outcome = outcome.trim();
    if outcome.is_empty() {
        return Err(super::Refusal::ChooseOutcome.into());
    }
    store.write(|tx| {
        let row = replies::for_review(tx, reply_id)?;
        let Some((state, event_id, text, received_at)) = row else {
            return Err(super::Refusal::NoReply { reply: reply_id }.into());
        };
        if state != ReplyState::Review {
            return Err(super::Refusal::ReplyNotInReview { reply: reply_id }.into());
        }
        let known = replies::keyword_outcomes(tx, reply_id)?;
        if !known.iter().any(|(_, o)| o == outcome) {
            actor.require_admin(super::Action::TypeOutcome)?;
        }
        replies::resolve(tx, reply_id, outcome, &actor.login, now)?;
        if let Some(e) = event_id {
            events::set_reply_outcome(tx, e, outcome, &text, received_at, now)?;
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ReplyResolve,
            reply_id,
            outcome,
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw() -> Vec<(String, String)> {
        vec![
            ("OUI".to_string(), "confirmé par SMS".to_string()),
            ("NON".to_string(), "ne viendra pas".to_string()),
        ]
    }

    #[test]
    fn keywords_ignore_case_accents_and_punctuation() {
        let k = kw();
        assert_eq!(match_keyword("oui", &k).unwrap().0, "OUI");
        assert_eq!(match_keyword("  Oui !", &k).unwrap().0, "OUI");
        assert_eq!(match_keyword("OUI merci", &k).unwrap().0, "OUI");
        assert_eq!(match_keyword("Non.", &k).unwrap().0, "NON");
    }

    #[test]
    fn unclear_replies_go_to_review() {
        let k = kw();
        assert!(match_keyword("oui mais à 15h", &k).is_err());
        assert!(match_keyword("peut-être", &k).is_err());
        assert!(match_keyword("oui non", &k).is_err());
        assert!(match_keyword("", &k).is_err());
    }
}
