//! What a status change says: a code and its arguments, stored with the history row and
//! rendered in the reader's language (texts: `[status_note]` in the catalogues).
//!
//! Storage: the note is kept in `message_status_history.detail` as the JSON of
//! [`StatusNote`] (`{"code":"will_retry","reason":"…"}`), an empty text when the change says
//! nothing. One column written and read by serde: no schema change beyond the rewrite of the old
//! English rows (migration 5), the history index `(message_id, at, id)` is untouched (no query
//! filters on the note but `events::reminder_messages`, which reads `json_extract(detail,
//! '$.code')` of one message's rows found through that index), and a variant that gains a field
//! needs no new column.

use super::{Db, Result};
use crate::gateway::ProviderProblem;
use crate::i18n::{Describe, Lang};
use serde::{Deserialize, Serialize};

/// A text written in English by the rules of the core (why an event change cancelled a
/// reminder…), carried in a note until those reasons are typed too. Shown translated through
/// [`crate::i18n::say`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleText(pub String);

impl Describe for RuleText {
    fn describe(&self, lang: Lang) -> String {
        crate::i18n::say(lang, &self.0)
    }
}

impl From<String> for RuleText {
    fn from(s: String) -> Self {
        RuleText(s)
    }
}

crate::typed_messages! {
    /// What a status change says, beside its status, time and actor. The serde tag `code` is
    /// the catalogue key; fields are the text's placeholders. Texts a provider wrote (its
    /// reasons and reports) stay verbatim in their field.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "code", rename_all = "snake_case")]
    pub enum StatusNote in "status_note" {
        /// The provider took the message.
        Accepted = "accepted",
        /// After a restart, the provider knew the message and its final status.
        Reconciled = "reconciled",
        /// Left `unknown`, then found at the provider by our reference.
        FoundByReference = "found_by_reference",
        /// After a restart, the provider said it never received the message: sent again.
        NeverReceived = "never_received",
        /// After a restart, asking the provider failed.
        InterruptedUnasked {
            /// The provider's failure.
            error: ProviderProblem,
        } = "interrupted_unasked",
        /// After a restart, the provider cannot be asked at all.
        InterruptedCannotAsk = "interrupted_cannot_ask",
        /// Still pending when its deadline passed.
        DeadlinePassed = "deadline_passed",
        /// The number is on the opt-out list: not sent.
        OptedOut = "opted_out",
        /// The sending window does not open again before the deadline.
        WindowClosed = "window_closed",
        /// The provider refused the message for good.
        Refused {
            /// The provider's reason.
            reason: ProviderProblem,
        } = "refused",
        /// No usable answer from the provider: the message may have been sent.
        NoUsableAnswer {
            /// What went wrong.
            reason: ProviderProblem,
        } = "no_usable_answer",
        /// Not enough credit left: waits for credit.
        CreditShort {
            /// Segments the message needs.
            needed: i64,
            /// Segments the credit holds (not promised to messages being sent).
            available: i64,
        } = "credit_short",
        /// The provider could not take it now: tried again later.
        WillRetry {
            /// What went wrong.
            reason: ProviderProblem,
        } = "will_retry",
        /// The next try would come after the deadline.
        RetryWindowOver = "retry_window_over",
        /// A delivery report proved the provider had the message.
        ReportArrived = "report_arrived",
        /// A status report, with the provider's own words.
        Reported {
            /// What the provider said (its error code, its wording), verbatim.
            said: String,
        } = "reported",
        /// An operator cancelled it.
        CancelledByOperator = "cancelled_by_operator",
        /// An operator decided to send again a message left unknown.
        ResendDecided = "resend_decided",
        /// An operator closed a message left unknown as delivered.
        ClosedDelivered = "closed_delivered",
        /// An operator closed a message left unknown as failed.
        ClosedFailed = "closed_failed",
        /// A new reminder for the same event replaced it.
        Replaced = "replaced",
        /// Its event was cancelled.
        EventCancelled = "event_cancelled",
        /// A change of its event left it no possible time or text.
        EventChanged {
            /// Why.
            reason: RuleText,
        } = "event_changed",
        /// The rule that created it was switched off or deleted.
        RuleSwitchedOff {
            /// The rule's name.
            rule: String,
        } = "rule_switched_off",
        /// A change of the rule that created it left it no place.
        RuleChanged {
            /// Why.
            reason: RuleText,
        } = "rule_changed",
        /// A text recorded before notes had codes, and recognised as none of them: shown as is.
        Text {
            /// The recorded text, verbatim.
            text: String,
        } = "text",
    }
}

impl StatusNote {
    /// The catalogue code (the serde tag), as stored.
    pub fn code(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
            .unwrap_or_default()
    }

    /// The stored form: the note's JSON.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored note: `None` for an empty detail; a detail that is not a note's JSON
    /// (written by a build that did not know its code) is kept as [`StatusNote::Text`].
    pub fn from_stored(detail: &str) -> Option<StatusNote> {
        if detail.is_empty() {
            return None;
        }
        Some(
            serde_json::from_str(detail).unwrap_or_else(|_| StatusNote::Text {
                text: detail.to_string(),
            }),
        )
    }
}

/// The codes of the cancellations that do not keep a rule from creating the event's reminder
/// again (see `events::EventMessage::cancelled_by_replan`).
pub const REPLAN_CANCEL_CODES: [&str; 3] = ["event_changed", "rule_switched_off", "rule_changed"];

/// Provider names, as they appear as actors of the history.
const PROVIDERS: [&str; 4] = ["simulator", "kannel", "twilio", "ovh"];

/// The note an English detail written before notes had codes stands for (migration 5):
/// every sentence smsdesk ever wrote maps to its code with its arguments parsed back; a
/// provider's own words become its reason or report by the status and actor of the change;
/// anything else is kept verbatim as [`StatusNote::Text`].
pub fn from_english(status: &str, actor: &str, detail: &str) -> Option<StatusNote> {
    use StatusNote::*;
    if detail.is_empty() {
        return None;
    }
    let exact = match detail {
        "accepted by the provider" => Some(Accepted),
        "reconciled after restart" => Some(Reconciled),
        "found at the provider by its reference" => Some(FoundByReference),
        "the provider never received it: it will be sent" => Some(NeverReceived),
        "interrupted while sending; the provider cannot be asked whether it received it" => {
            Some(InterruptedCannotAsk)
        }
        "not sent before its deadline" => Some(DeadlinePassed),
        "number on the opt-out list: not sent, not charged" => Some(OptedOut),
        "the sending window does not open again before its deadline" => Some(WindowClosed),
        "retry window over" => Some(RetryWindowOver),
        "a report arrived" => Some(ReportArrived),
        "cancelled by an operator" => Some(CancelledByOperator),
        "resend decided by an operator" => Some(ResendDecided),
        "closed as delivered by an operator" => Some(ClosedDelivered),
        "closed as failed by an operator" => Some(ClosedFailed),
        "replaced by a new reminder for the same event" => Some(Replaced),
        // The second one was written by the demo.
        "event cancelled" | "the event was cancelled" => Some(EventCancelled),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    if let Some(error) = detail
        .strip_prefix("interrupted while sending; the provider could not be asked (")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return Some(InterruptedUnasked {
            error: problem_from_english(error),
        });
    }
    if let Some(reason) = detail.strip_prefix("will retry: ") {
        return Some(WillRetry {
            reason: problem_from_english(reason),
        });
    }
    if let Some(reason) = detail.strip_prefix("event changed: ") {
        return Some(EventChanged {
            reason: RuleText(reason.to_string()),
        });
    }
    if let Some(rule) = detail
        .strip_prefix("automation switched off: \"")
        .and_then(|rest| rest.strip_suffix('"'))
    {
        return Some(RuleSwitchedOff {
            rule: rule.to_string(),
        });
    }
    if let Some(reason) = detail.strip_prefix("automation changed: ") {
        return Some(RuleChanged {
            reason: RuleText(reason.to_string()),
        });
    }
    // A provider's own words: a refusal (failed at once), an answer that proves nothing
    // (unknown) or a report (a final status). Reports name themselves where the provider's
    // module wrote them.
    if PROVIDERS.contains(&actor) {
        let report = ["Kannel DLR ", "Twilio status ", "OVH ", "simulated: "]
            .iter()
            .any(|p| detail.starts_with(p))
            && !detail.starts_with("simulated: refused")
            && !detail.starts_with("simulated: provider unavailable");
        let said = detail.to_string();
        return Some(match status {
            "failed" if !report => Refused {
                reason: problem_from_english(detail),
            },
            "unknown" => NoUsableAnswer {
                reason: problem_from_english(detail),
            },
            _ => Reported { said },
        });
    }
    Some(Text {
        text: detail.to_string(),
    })
}

/// Migration 5: rewrites every English detail of the status history as its note's JSON
/// ([`from_english`]). Rows already holding a note are left as they are.
pub(super) fn convert_english_history(conn: Db<'_>) -> Result<()> {
    // By pages of rows in id order: a large store is never held in memory at once.
    let mut select = conn.prepare(
        "SELECT id, status, actor, detail FROM message_status_history
         WHERE id > ?1 AND detail <> '' ORDER BY id LIMIT 5000",
    )?;
    let mut update = conn.prepare("UPDATE message_status_history SET detail = ?2 WHERE id = ?1")?;
    let mut last = 0_i64;
    loop {
        let rows: Vec<(i64, String, String, String)> = select
            .query_map([last], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let Some(end) = rows.last().map(|r| r.0) else {
            return Ok(());
        };
        for (id, status, actor, detail) in rows {
            if serde_json::from_str::<StatusNote>(&detail).is_ok() {
                continue;
            }
            let stored = from_english(&status, &actor, &detail)
                .map(|n| n.to_stored())
                .unwrap_or_default();
            update.execute(rusqlite::params![id, stored])?;
        }
        last = end;
    }
}

/// Migration 5, for messages: their last error becomes a note too, by what the message waits
/// for or how it ended.
pub(super) fn convert_english_last_errors(conn: Db<'_>) -> Result<()> {
    let mut select = conn.prepare(
        "SELECT id, status, wait_reason, last_error FROM messages
         WHERE id > ?1 AND last_error <> '' ORDER BY id LIMIT 5000",
    )?;
    let mut update = conn.prepare("UPDATE messages SET last_error = ?2 WHERE id = ?1")?;
    let mut last = 0_i64;
    loop {
        let rows: Vec<(i64, String, String, String)> = select
            .query_map([last], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let Some(end) = rows.last().map(|r| r.0) else {
            return Ok(());
        };
        for (id, status, wait_reason, error) in rows {
            if serde_json::from_str::<StatusNote>(&error).is_ok() {
                continue;
            }
            let note = error_from_english(&status, &wait_reason, &error);
            update.execute(rusqlite::params![id, note.to_stored()])?;
        }
        last = end;
    }
}

/// The note an English `last_error` stands for (migration 5).
pub fn error_from_english(status: &str, wait_reason: &str, error: &str) -> StatusNote {
    let credit = error
        .strip_suffix(" available")
        .and_then(|rest| rest.split_once(" segment(s) needed, "))
        .and_then(|(n, a)| Some((n.parse().ok()?, a.parse().ok()?)));
    if let Some((needed, available)) = credit {
        return StatusNote::CreditShort { needed, available };
    }
    let reason = problem_from_english(error);
    match (status, wait_reason) {
        ("pending", "provider") => StatusNote::WillRetry { reason },
        ("failed", _) => StatusNote::Refused {
            reason: problem_from_english(
                error
                    .strip_prefix("refused by the provider: ")
                    .unwrap_or(error),
            ),
        },
        ("unknown", _) => StatusNote::NoUsableAnswer { reason },
        _ => StatusNote::Text {
            text: error.to_string(),
        },
    }
}

/// The problem an English provider reason stands for (migration 5): every sentence the
/// provider modules wrote (network and HTTP failures, Kannel's, Twilio's, OVH's and the
/// simulator's answers), with their values parsed back; anything else kept as text.
pub fn problem_from_english(text: &str) -> ProviderProblem {
    use crate::gateway::{Activity, Seconds};
    use ProviderProblem::*;
    // What `ProviderError` wrote around a reason (a failed lookup after a restart).
    let text = text
        .strip_prefix("provider temporarily unavailable: ")
        .or_else(|| {
            text.strip_prefix(
                "no usable answer from the provider, the message may have been sent: ",
            )
        })
        .unwrap_or(text);
    match text {
        "simulated: refused by the provider (number ends in 90-94)" => return SimulatedRefusal,
        "simulated: provider unavailable (number ends in 99)" => return SimulatedOutage,
        _ => {}
    }
    let get = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
    let status = |v: &[String], i: usize| v.get(i).and_then(|s| s.parse::<u16>().ok());
    let secs = |v: &[String], i: usize| v.get(i).and_then(|s| s.parse::<f64>().ok()).map(Seconds);
    // A body Kannel's module wrote with `{:?}`: its quotes and escapes removed.
    let debug = |s: String| -> String { serde_json::from_str::<String>(&s).unwrap_or(s) };
    // What the provider was asked, by its English words (OVH's clock was "reading OVH's clock").
    let activity = |v: &[String], i: usize| -> Option<Activity> {
        let said = v.get(i)?;
        if said == "reading OVH's clock" {
            return Some(Activity::ReadingClock);
        }
        Activity::ALL.into_iter().find(|a| a.to_string() == *said)
    };
    let templates: &[&str] = &[
        "{} is unavailable (HTTP {}: {})",
        "a gateway in front of {} timed out waiting for it (HTTP 504: {})",
        "{} at {} did not answer within {} s",
        "{} at {} dropped the connection before answering ({})",
        "{} at {} gave no readable answer ({})",
        "{} at {} answered HTTP {} but its answer could not be read ({})",
        "{} at {} answered HTTP {} with an unreadable body ({})",
        "{} at {} could not be reached within {} s",
        "cannot resolve the {} host {}",
        "cannot connect to {} at {}: connection refused",
        "cannot connect to {} at {}: {}",
        "cannot connect to {} at {}",
        "Kannel refused the message (HTTP {}: {})",
        "Kannel answered HTTP {} without saying it took the message ({})",
        "Kannel gave an unexpected HTTP status {} ({})",
        "{} is unavailable while {} (HTTP {}: {})",
        "{} gave an unreadable answer while {} (HTTP {}: {})",
        "{} says the request time is wrong while {} ({}); the clock difference will be read again",
        "{} accepted the request but gave no message sid ({})",
        "{} accepted the request but gave no message id ({})",
        "STOP: the recipient has unsubscribed (Twilio error 21610: {})",
        "Twilio error {}: {}",
        "Twilio refused the message (HTTP {}: {})",
        "OVH refused the message: {}",
        "OVH has not enough credit ({})",
        "OVH refused the receiver as invalid: {}",
    ];
    for (n, template) in templates.iter().enumerate() {
        let Some(v) = holes(template, text) else {
            continue;
        };
        let kannel = || "Kannel".to_string();
        let found = match n {
            0 => status(&v, 1).map(|status| Unavailable {
                provider: get(&v, 0),
                status,
                body: get(&v, 2),
            }),
            1 => Some(GatewayTimeout {
                provider: get(&v, 0),
                body: get(&v, 1),
            }),
            2 => secs(&v, 2).map(|secs| NoAnswerWithin {
                provider: get(&v, 0),
                host: get(&v, 1),
                secs,
            }),
            3 => Some(Dropped {
                provider: get(&v, 0),
                host: get(&v, 1),
                error: get(&v, 2),
            }),
            4 => Some(NoReadableAnswer {
                provider: get(&v, 0),
                host: get(&v, 1),
                error: get(&v, 2),
            }),
            5 => status(&v, 2).map(|status| AnswerUnreadable {
                provider: get(&v, 0),
                host: get(&v, 1),
                status,
                error: get(&v, 3),
            }),
            6 => status(&v, 2).map(|status| BodyUnreadable {
                provider: get(&v, 0),
                host: get(&v, 1),
                status,
                error: get(&v, 3),
            }),
            7 => secs(&v, 2).map(|secs| Unreachable {
                provider: get(&v, 0),
                host: get(&v, 1),
                secs,
            }),
            8 => Some(CannotResolve {
                provider: get(&v, 0),
                host: get(&v, 1),
            }),
            9 => Some(ConnectionRefused {
                provider: get(&v, 0),
                host: get(&v, 1),
            }),
            10 => Some(ConnectFailed {
                provider: get(&v, 0),
                host: get(&v, 1),
                error: get(&v, 2),
            }),
            11 => Some(CannotConnect {
                provider: get(&v, 0),
                host: get(&v, 1),
            }),
            12 => status(&v, 0).map(|status| RefusedMessage {
                provider: kannel(),
                status,
                body: get(&v, 1),
            }),
            13 => status(&v, 0).map(|status| NotTaken {
                provider: kannel(),
                status,
                body: debug(get(&v, 1)),
            }),
            14 => status(&v, 0).map(|status| UnexpectedStatus {
                provider: kannel(),
                status,
                body: debug(get(&v, 1)),
            }),
            15 => match (activity(&v, 1), status(&v, 2)) {
                (Some(activity), Some(status)) => Some(UnavailableWhile {
                    provider: get(&v, 0),
                    activity,
                    status,
                    body: get(&v, 3),
                }),
                _ => None,
            },
            16 => match (activity(&v, 1), status(&v, 2)) {
                (Some(activity), Some(status)) => Some(UnreadableWhile {
                    provider: get(&v, 0),
                    activity,
                    status,
                    body: get(&v, 3),
                }),
                _ => None,
            },
            17 => activity(&v, 1).map(|activity| ClockSkew {
                provider: get(&v, 0),
                activity,
                said: get(&v, 2),
            }),
            18 | 19 => Some(NoMessageId {
                provider: get(&v, 0),
                body: get(&v, 1),
            }),
            20 => Some(Unsubscribed {
                provider: "Twilio".into(),
                said: get(&v, 0),
            }),
            21 => Some(CodedRefusal {
                provider: "Twilio".into(),
                number: get(&v, 0),
                said: get(&v, 1),
            }),
            22 => status(&v, 0).map(|status| RefusedMessage {
                provider: "Twilio".into(),
                status,
                body: get(&v, 1),
            }),
            23 => Some(RefusedSaying {
                provider: "OVH".into(),
                said: get(&v, 0),
            }),
            24 => Some(NoCredit {
                provider: "OVH".into(),
                said: get(&v, 0),
            }),
            25 => Some(InvalidReceivers {
                provider: "OVH".into(),
                numbers: get(&v, 0),
            }),
            _ => None,
        };
        if let Some(problem) = found {
            return problem;
        }
    }
    ProviderProblem::from(text)
}

/// The values of a `{}` template's holes in `text`: the first literal is a prefix, the last a
/// suffix; a hole between two literals ends where the next literal first occurs. A hole before
/// ` at ` or `host ` (a provider's name) never holds a space.
fn holes(template: &str, text: &str) -> Option<Vec<String>> {
    let literals: Vec<&str> = template.split("{}").collect();
    let (first, rest) = literals.split_first()?;
    let (last, middle) = rest.split_last()?;
    let mut body = text.strip_prefix(first)?.strip_suffix(last)?;
    let mut out = Vec::new();
    for literal in middle {
        let at = body.find(literal)?;
        out.push(body[..at].to_string());
        body = &body[at + literal.len()..];
    }
    out.push(body.to_string());
    let one_word = ["{} at ", "the {} host"];
    if one_word.iter().any(|w| template.contains(w)) && out[0].contains(' ') {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_stored_as_its_code_and_fields_and_read_back() {
        let n = StatusNote::WillRetry {
            reason: ProviderProblem::Unavailable {
                provider: "Kannel".into(),
                status: 500,
                body: "busy".into(),
            },
        };
        let s = n.to_stored();
        assert_eq!(
            s,
            r#"{"code":"will_retry","reason":{"code":"unavailable","provider":"Kannel","status":500,"body":"busy"}}"#
        );
        assert_eq!(
            n.describe(Lang::Fr),
            "nouvel essai prévu : Kannel est indisponible (HTTP 500 : busy)"
        );
        assert_eq!(
            n.to_string(),
            "will retry: Kannel is unavailable (HTTP 500: busy)"
        );
        assert_eq!(StatusNote::from_stored(&s), Some(n));
        assert_eq!(StatusNote::Accepted.to_stored(), r#"{"code":"accepted"}"#);
        assert_eq!(StatusNote::Accepted.code(), "accepted");
        assert_eq!(StatusNote::from_stored(""), None);
        assert_eq!(
            StatusNote::from_stored("crash"),
            Some(StatusNote::Text {
                text: "crash".into()
            })
        );
    }

    #[test]
    fn the_code_is_the_catalogue_key() {
        for (key, _) in StatusNote::KEYS {
            assert!(key.starts_with("status_note."), "{key}");
        }
        let n = StatusNote::RuleSwitchedOff { rule: "J-1".into() };
        assert!(
            StatusNote::KEYS
                .iter()
                .any(|(k, _)| *k == format!("status_note.{}", n.code()))
        );
    }

    #[test]
    fn a_note_reads_in_both_languages() {
        let n = StatusNote::Accepted;
        assert_eq!(n.to_string(), "accepted by the provider");
        assert_eq!(n.describe(Lang::Fr), "accepté par le fournisseur");
    }

    #[test]
    fn english_provider_reasons_are_recognised_with_their_values() {
        use crate::gateway::Seconds;
        assert_eq!(
            problem_from_english("Twilio at https://api.twilio.com did not answer within 0.5 s"),
            ProviderProblem::NoAnswerWithin {
                provider: "Twilio".into(),
                host: "https://api.twilio.com".into(),
                secs: Seconds(0.5)
            }
        );
        assert_eq!(
            problem_from_english(
                "Kannel answered HTTP 200 without saying it took the message (\"<html>\")"
            ),
            ProviderProblem::NotTaken {
                provider: "Kannel".into(),
                status: 200,
                body: "<html>".into()
            }
        );
        assert_eq!(
            problem_from_english("simulated: provider unavailable (number ends in 99)"),
            ProviderProblem::SimulatedOutage
        );
        assert_eq!(
            problem_from_english("OVH refused the message: bad sender"),
            ProviderProblem::RefusedSaying {
                provider: "OVH".into(),
                said: "bad sender".into()
            }
        );
        assert_eq!(
            problem_from_english(
                "Twilio is unavailable while reading replies (HTTP 503: Twilio error 20500: down)"
            ),
            ProviderProblem::UnavailableWhile {
                provider: "Twilio".into(),
                activity: crate::gateway::Activity::ReadingReplies,
                status: 503,
                body: "Twilio error 20500: down".into()
            }
        );
        assert_eq!(
            problem_from_english("something no build wrote"),
            ProviderProblem::Text {
                text: "something no build wrote".into()
            }
        );
        assert_eq!(
            ProviderProblem::NoAnswerWithin {
                provider: "Twilio".into(),
                host: "https://api.twilio.com".into(),
                secs: Seconds(0.5)
            }
            .describe(Lang::Fr),
            "Twilio (https://api.twilio.com) n'a pas répondu en 0,5 s"
        );
    }

    #[test]
    fn english_details_are_recognised_with_their_arguments() {
        assert_eq!(
            from_english("submitted", "kannel", "accepted by the provider"),
            Some(StatusNote::Accepted)
        );
        assert_eq!(
            from_english(
                "cancelled",
                "ana",
                "automation switched off: \"J-1 \"quoted\"\""
            ),
            Some(StatusNote::RuleSwitchedOff {
                rule: "J-1 \"quoted\"".into()
            })
        );
        assert_eq!(
            from_english(
                "unknown",
                "scheduler",
                "interrupted while sending; the provider could not be asked (provider temporarily unavailable: x)"
            ),
            Some(StatusNote::InterruptedUnasked { error: "x".into() })
        );
        assert_eq!(
            from_english(
                "failed",
                "kannel",
                "Kannel refused the message (HTTP 400: no)"
            ),
            Some(StatusNote::Refused {
                reason: ProviderProblem::RefusedMessage {
                    provider: "Kannel".into(),
                    status: 400,
                    body: "no".into()
                }
            })
        );
        assert_eq!(
            from_english("failed", "kannel", "Kannel DLR 2: not delivered"),
            Some(StatusNote::Reported {
                said: "Kannel DLR 2: not delivered".into()
            })
        );
        assert_eq!(
            from_english("unknown", "scheduler", "crash"),
            Some(StatusNote::Text {
                text: "crash".into()
            })
        );
        assert_eq!(from_english("sending", "scheduler", ""), None);
    }

    /// A store at schema version 4 holding English notes, as smsdesk wrote them, opened by
    /// this build: each note is converted to its code with its arguments, unknown ones kept as
    /// recorded text, and the detail screen's reading gives them in both languages.
    #[test]
    fn migration_5_converts_the_english_history_of_an_old_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in &super::super::MIGRATIONS[..4] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 4).unwrap();
            conn.execute_batch(
                "INSERT INTO messages(id, kind, context, status, phone, text, encoding, chars, segments,
                    created_by, created_at, planned_at, deadline, next_attempt_at, status_at,
                    wait_reason, last_error)
                 VALUES (1, 'instant', 'general', 'pending', '+33612345678', 'Bonjour', 'GSM-7', 7, 1,
                    'ana', 100, 100, 9999, 100, 100, 'credit', '2 segment(s) needed, 0 available'),
                 (2, 'instant', 'general', 'failed', '+33612345690', 'Bonjour', 'GSM-7', 7, 1,
                    'ana', 100, 100, 9999, 100, 100, '',
                    'refused by the provider: destination not allowed');",
            )
            .unwrap();
            let rows: &[(&str, &str, &str)] = &[
                ("pending", "ana", ""),
                ("sending", "scheduler", ""),
                (
                    "pending",
                    "kannel",
                    "will retry: Kannel is unavailable (HTTP 500: busy (try later))",
                ),
                ("sending", "scheduler", ""),
                (
                    "unknown",
                    "scheduler",
                    "interrupted while sending; the provider could not be asked (provider temporarily unavailable: cannot connect to Kannel at http://127.0.0.1:13013)",
                ),
                (
                    "submitted",
                    "kannel",
                    "found at the provider by its reference",
                ),
                (
                    "delivered",
                    "kannel",
                    "Kannel DLR 1: delivered to the phone",
                ),
                ("cancelled", "ana", "automation switched off: \"J-1\""),
                (
                    "cancelled",
                    "ana",
                    "event changed: no sending time is left before the event",
                ),
                ("unknown", "scheduler", "crash"),
            ];
            for (i, (status, actor, detail)) in rows.iter().enumerate() {
                conn.execute(
                    "INSERT INTO message_status_history(message_id, status, at, actor, detail)
                     VALUES (1, ?1, ?2, ?3, ?4)",
                    rusqlite::params![status, 100 + i as i64, actor, detail],
                )
                .unwrap();
            }
        }
        let store = crate::store::Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 5);
        let history = crate::store::messages::history(store.db(), 1).unwrap();
        let notes: Vec<Option<StatusNote>> = history.iter().map(|h| h.note.clone()).collect();
        use StatusNote::*;
        assert_eq!(
            notes,
            vec![
                None,
                None,
                Some(WillRetry {
                    reason: ProviderProblem::Unavailable {
                        provider: "Kannel".into(),
                        status: 500,
                        body: "busy (try later)".into()
                    }
                }),
                None,
                Some(InterruptedUnasked {
                    error: ProviderProblem::CannotConnect {
                        provider: "Kannel".into(),
                        host: "http://127.0.0.1:13013".into()
                    }
                }),
                Some(FoundByReference),
                Some(Reported {
                    said: "Kannel DLR 1: delivered to the phone".into()
                }),
                Some(RuleSwitchedOff { rule: "J-1".into() }),
                Some(EventChanged {
                    reason: RuleText("no sending time is left before the event".into())
                }),
                Some(Text {
                    text: "crash".into()
                }),
            ]
        );
        // A message's last error too.
        let error = |id| {
            crate::store::messages::get(store.db(), id)
                .unwrap()
                .last_error
        };
        assert_eq!(
            error(1),
            Some(CreditShort {
                needed: 2,
                available: 0
            })
        );
        assert_eq!(
            error(2),
            Some(Refused {
                reason: "destination not allowed".into()
            })
        );
        assert_eq!(
            error(1).unwrap().describe(Lang::Fr),
            "2 segment(s) nécessaire(s), 0 disponible(s)"
        );
        // Stored as codes.
        let stored: String = store
            .db()
            .query_row(
                "SELECT detail FROM message_status_history WHERE status = 'submitted'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, r#"{"code":"found_by_reference"}"#);
        // Read in both languages.
        let said = |lang| {
            notes
                .iter()
                .flatten()
                .map(|n| n.describe(lang))
                .collect::<Vec<_>>()
        };
        let fr = said(Lang::Fr);
        assert_eq!(
            fr[0],
            "nouvel essai prévu : Kannel est indisponible (HTTP 500 : busy (try later))"
        );
        assert_eq!(fr[2], "retrouvé chez le fournisseur par sa référence");
        assert_eq!(fr[4], "automatisme désactivé : « J-1 »");
        assert_eq!(fr[6], "(texte enregistré) crash");
        let en = said(Lang::En);
        assert_eq!(en[2], "found at the provider by its reference");
        assert_eq!(en[4], "automation switched off: “J-1”");
    }
}
