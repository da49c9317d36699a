//! What a status change says: a code and its arguments, stored with the history row and
//! rendered in the reader's language (texts: `[status_note]` in the catalogues).
//!
//! Storage: the note is kept in `message_status_history.detail` as the JSON of
//! [`StatusNote`] (`{"code":"will_retry","reason":"…"}`), an empty text when the change says
//! nothing. One column written and read by serde: no schema change beyond the rewrite of the old
//! English rows (migration 5), the history index `(message_id, at, id)` is untouched (no query
//! filters on the note but `events::reminder_messages`, which reads `json_extract(detail,
//! '$.code')` of one message's rows found through that index), and a variant that gains a field
//! needs no new column. Why an event or rule change cancelled a message is typed too
//! ([`RuleReason`], `[rule_reason]`); migration 6 rewrote the reasons stored as English text.

use super::{Db, Result};
use crate::gateway::ProviderProblem;
use serde::{Deserialize, Serialize};

mod reason;

pub use reason::{LocalAt, RuleReason, StoredWindow, Wording};

crate::typed_messages! {
    /// What a status change says, beside its status, time and actor. The serde tag `code` is
    /// the catalogue key; fields are the text's placeholders. Texts a provider wrote (its
    /// reasons and reports) stay verbatim in their field.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "code", rename_all = "snake_case")]
    pub enum StatusNote in "status_note" {
        /// The provider took the message.
        Accepted,
        /// After a restart, the provider knew the message and its final status.
        Reconciled,
        /// Left `unknown`, then found at the provider by our reference.
        FoundByReference,
        /// After a restart, the provider said it never received the message: sent again.
        NeverReceived,
        /// After a restart, asking the provider failed.
        InterruptedUnasked {
            /// The provider's failure.
            error: ProviderProblem,
        },
        /// After a restart, the provider cannot be asked at all.
        InterruptedCannotAsk,
        /// Still pending when its deadline passed.
        DeadlinePassed,
        /// The number is on the opt-out list: not sent.
        OptedOut,
        /// The sending window does not open again before the deadline.
        WindowClosed,
        /// The provider refused the message for good.
        Refused {
            /// The provider's reason.
            reason: ProviderProblem,
        },
        /// No usable answer from the provider: the message may have been sent.
        NoUsableAnswer {
            /// What went wrong.
            reason: ProviderProblem,
        },
        /// Not enough credit left: waits for credit.
        CreditShort {
            /// Segments the message needs.
            needed: i64,
            /// Segments the credit holds (not promised to messages being sent).
            available: i64,
        },
        /// The provider could not take it now: tried again later.
        WillRetry {
            /// What went wrong.
            reason: ProviderProblem,
        },
        /// The next try would come after the deadline.
        RetryWindowOver,
        /// A delivery report proved the provider had the message.
        ReportArrived,
        /// A status report, with the provider's own words.
        Reported {
            /// What the provider said (its error code, its wording), verbatim.
            said: String,
        },
        /// An operator cancelled it.
        CancelledByOperator,
        /// An operator decided to send again a message left unknown.
        ResendDecided,
        /// An operator closed a message left unknown as delivered.
        ClosedDelivered,
        /// An operator closed a message left unknown as failed.
        ClosedFailed,
        /// A new reminder for the same event replaced it.
        Replaced,
        /// Its event was cancelled.
        EventCancelled,
        /// A change of its event left it no possible time or text.
        EventChanged {
            /// Why.
            reason: RuleReason,
        },
        /// The rule that created it was switched off or deleted.
        RuleSwitchedOff {
            /// The rule's name.
            rule: String,
        },
        /// A change of the rule that created it left it no place.
        RuleChanged {
            /// Why.
            reason: RuleReason,
        },
        /// Due to leave, a follow-up whose rule's condition no longer holds (a reply or an
        /// outcome came after it was planned): not sent.
        ConditionUnmet {
            /// Why.
            reason: RuleReason,
        },
        /// A text recorded before notes had codes, and recognised as none of them: shown as is.
        Text {
            /// The recorded text, verbatim.
            text: String,
        },
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
            reason: RuleReason::from_english(reason),
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
            reason: RuleReason::from_english(reason),
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

/// Rewrites a text column of a table, a page of rows at a time in id order (a large store is
/// never held in memory at once): `convert` gets the row's `context` columns and the text, and
/// gives its new text, or `None` to leave the row as it is. Only non-empty texts are read, and
/// only those `LIKE` one of `like` when it is not empty.
pub(super) fn rewrite_column(
    conn: Db<'_>,
    table: &str,
    column: &str,
    context: &[&str],
    like: &[&str],
    mut convert: impl FnMut(&[String], &str) -> Option<String>,
) -> Result<()> {
    let mut columns = vec!["id", column];
    columns.extend_from_slice(context);
    let filter = if like.is_empty() {
        String::new()
    } else {
        let any: Vec<String> = like
            .iter()
            .map(|l| format!("{column} LIKE '{l}'"))
            .collect();
        format!(" AND ({})", any.join(" OR "))
    };
    let mut select = conn.prepare(&format!(
        "SELECT {} FROM {table} WHERE id > ?1 AND {column} <> ''{filter} ORDER BY id LIMIT 5000",
        columns.join(", ")
    ))?;
    let mut update = conn.prepare(&format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"))?;
    let mut last = 0_i64;
    loop {
        let rows: Vec<(i64, String, Vec<String>)> = select
            .query_map([last], |r| {
                let context = (2..columns.len())
                    .map(|i| r.get(i))
                    .collect::<rusqlite::Result<_>>()?;
                Ok((r.get(0)?, r.get(1)?, context))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(end) = rows.last().map(|r| r.0) else {
            return Ok(());
        };
        for (id, text, context) in rows {
            if let Some(new) = convert(&context, &text) {
                update.execute(rusqlite::params![id, new])?;
            }
        }
        last = end;
    }
}

/// Migration 5: rewrites every English detail of the status history, and every English last
/// error of the messages, as its note's JSON ([`from_english`], [`error_from_english`]). Texts
/// already holding a note are left as they are.
pub(super) fn convert_english_notes(conn: Db<'_>) -> Result<()> {
    let is_note = |text: &str| serde_json::from_str::<StatusNote>(text).is_ok();
    rewrite_column(
        conn,
        "message_status_history",
        "detail",
        &["status", "actor"],
        &[],
        |c, detail| {
            (!is_note(detail)).then(|| {
                from_english(&c[0], &c[1], detail)
                    .map(|n| n.to_stored())
                    .unwrap_or_default()
            })
        },
    )?;
    rewrite_column(
        conn,
        "messages",
        "last_error",
        &["status", "wait_reason"],
        &[],
        |c, error| (!is_note(error)).then(|| error_from_english(&c[0], &c[1], error).to_stored()),
    )
}

/// Migration 6: the reasons of the notes migration 5 wrote (and this build's predecessors
/// wrote since) as English text become typed ([`RuleReason::from_english`]), in the status
/// history and the messages' last errors; so do the replies' review reasons.
pub(super) fn convert_english_reasons(conn: Db<'_>) -> Result<()> {
    // The stored form starts with its code (serde writes the tag first).
    let like = [
        r#"{"code":"event_changed",%"#,
        r#"{"code":"rule_changed",%"#,
    ];
    for (table, column) in [
        ("message_status_history", "detail"),
        ("messages", "last_error"),
    ] {
        rewrite_column(conn, table, column, &[], &like, |_, text| {
            typed_reason(text)
        })?;
    }
    rewrite_column(conn, "replies", "review_reason", &[], &[], |_, text| {
        use super::replies::ReviewReason;
        serde_json::from_str::<ReviewReason>(text)
            .is_err()
            .then(|| ReviewReason::from_english(text).to_stored())
    })
}

/// A note whose reason is English text, with that reason typed; `None` for any other text.
fn typed_reason(stored: &str) -> Option<String> {
    let mut note: serde_json::Value = serde_json::from_str(stored).ok()?;
    let english = note.get("reason")?.as_str()?;
    let reason = serde_json::to_value(RuleReason::from_english(english)).ok()?;
    note["reason"] = reason;
    let note: StatusNote = serde_json::from_value(note).ok()?;
    Some(note.to_stored())
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

/// The values of an English provider reason, read back into its problem's fields.
struct Values(Vec<String>);

impl Values {
    fn text(&self, i: usize) -> String {
        self.0.get(i).cloned().unwrap_or_default()
    }

    fn status(&self, i: usize) -> Option<u16> {
        self.0.get(i)?.parse().ok()
    }

    fn secs(&self, i: usize) -> Option<crate::gateway::Seconds> {
        self.0.get(i)?.parse().ok().map(crate::gateway::Seconds)
    }

    /// A body Kannel's module wrote with `{:?}`: its quotes and escapes removed.
    fn debug(&self, i: usize) -> String {
        let s = self.text(i);
        serde_json::from_str::<String>(&s).unwrap_or(s)
    }

    /// What the provider was asked, by its English words (OVH's clock was "reading OVH's
    /// clock").
    fn activity(&self, i: usize) -> Option<crate::gateway::Activity> {
        use crate::gateway::Activity;
        let said = self.0.get(i)?;
        if said == "reading OVH's clock" {
            return Some(Activity::ReadingClock);
        }
        Activity::ALL.into_iter().find(|a| a.to_string() == *said)
    }
}

/// Reads an English provider reason's values back into its problem.
type ProblemParse = fn(&Values) -> Option<ProviderProblem>;

/// Every sentence the provider modules wrote (network and HTTP failures, Kannel's, Twilio's,
/// OVH's answers; `{}` holds a value), with how its values become the problem's fields. The
/// first that matches wins: a more specific sentence comes before a more general one.
const PROVIDER_ENGLISH: &[(&str, ProblemParse)] = {
    use ProviderProblem::*;
    &[
        ("{} is unavailable (HTTP {}: {})", |v| {
            Some(Unavailable {
                provider: v.text(0),
                status: v.status(1)?,
                body: v.text(2),
            })
        }),
        (
            "a gateway in front of {} timed out waiting for it (HTTP 504: {})",
            |v| {
                Some(GatewayTimeout {
                    provider: v.text(0),
                    body: v.text(1),
                })
            },
        ),
        ("{} at {} did not answer within {} s", |v| {
            Some(NoAnswerWithin {
                provider: v.text(0),
                host: v.text(1),
                secs: v.secs(2)?,
            })
        }),
        (
            "{} at {} dropped the connection before answering ({})",
            |v| {
                Some(Dropped {
                    provider: v.text(0),
                    host: v.text(1),
                    error: v.text(2),
                })
            },
        ),
        ("{} at {} gave no readable answer ({})", |v| {
            Some(NoReadableAnswer {
                provider: v.text(0),
                host: v.text(1),
                error: v.text(2),
            })
        }),
        (
            "{} at {} answered HTTP {} but its answer could not be read ({})",
            |v| {
                Some(AnswerUnreadable {
                    provider: v.text(0),
                    host: v.text(1),
                    status: v.status(2)?,
                    error: v.text(3),
                })
            },
        ),
        (
            "{} at {} answered HTTP {} with an unreadable body ({})",
            |v| {
                Some(BodyUnreadable {
                    provider: v.text(0),
                    host: v.text(1),
                    status: v.status(2)?,
                    error: v.text(3),
                })
            },
        ),
        ("{} at {} could not be reached within {} s", |v| {
            Some(Unreachable {
                provider: v.text(0),
                host: v.text(1),
                secs: v.secs(2)?,
            })
        }),
        ("cannot resolve the {} host {}", |v| {
            Some(CannotResolve {
                provider: v.text(0),
                host: v.text(1),
            })
        }),
        ("cannot connect to {} at {}: connection refused", |v| {
            Some(ConnectionRefused {
                provider: v.text(0),
                host: v.text(1),
            })
        }),
        ("cannot connect to {} at {}: {}", |v| {
            Some(ConnectFailed {
                provider: v.text(0),
                host: v.text(1),
                error: v.text(2),
            })
        }),
        ("cannot connect to {} at {}", |v| {
            Some(CannotConnect {
                provider: v.text(0),
                host: v.text(1),
            })
        }),
        ("Kannel refused the message (HTTP {}: {})", |v| {
            Some(RefusedMessage {
                provider: "Kannel".into(),
                status: v.status(0)?,
                body: v.text(1),
            })
        }),
        (
            "Kannel answered HTTP {} without saying it took the message ({})",
            |v| {
                Some(NotTaken {
                    provider: "Kannel".into(),
                    status: v.status(0)?,
                    body: v.debug(1),
                })
            },
        ),
        ("Kannel gave an unexpected HTTP status {} ({})", |v| {
            Some(UnexpectedStatus {
                provider: "Kannel".into(),
                status: v.status(0)?,
                body: v.debug(1),
            })
        }),
        ("{} is unavailable while {} (HTTP {}: {})", |v| {
            Some(UnavailableWhile {
                provider: v.text(0),
                activity: v.activity(1)?,
                status: v.status(2)?,
                body: v.text(3),
            })
        }),
        ("{} gave an unreadable answer while {} (HTTP {}: {})", |v| {
            Some(UnreadableWhile {
                provider: v.text(0),
                activity: v.activity(1)?,
                status: v.status(2)?,
                body: v.text(3),
            })
        }),
        (
            "{} says the request time is wrong while {} ({}); the clock difference will be read again",
            |v| {
                Some(ClockSkew {
                    provider: v.text(0),
                    activity: v.activity(1)?,
                    said: v.text(2),
                })
            },
        ),
        (
            "{} accepted the request but gave no message sid ({})",
            |v| {
                Some(NoMessageId {
                    provider: v.text(0),
                    body: v.text(1),
                })
            },
        ),
        ("{} accepted the request but gave no message id ({})", |v| {
            Some(NoMessageId {
                provider: v.text(0),
                body: v.text(1),
            })
        }),
        (
            "STOP: the recipient has unsubscribed (Twilio error 21610: {})",
            |v| {
                Some(Unsubscribed {
                    provider: "Twilio".into(),
                    said: v.text(0),
                })
            },
        ),
        ("Twilio error {}: {}", |v| {
            Some(CodedRefusal {
                provider: "Twilio".into(),
                number: v.text(0),
                said: v.text(1),
            })
        }),
        ("Twilio refused the message (HTTP {}: {})", |v| {
            Some(RefusedMessage {
                provider: "Twilio".into(),
                status: v.status(0)?,
                body: v.text(1),
            })
        }),
        ("OVH refused the message: {}", |v| {
            Some(RefusedSaying {
                provider: "OVH".into(),
                said: v.text(0),
            })
        }),
        ("OVH has not enough credit ({})", |v| {
            Some(NoCredit {
                provider: "OVH".into(),
                said: v.text(0),
            })
        }),
        ("OVH refused the receiver as invalid: {}", |v| {
            Some(InvalidReceivers {
                provider: "OVH".into(),
                numbers: v.text(0),
            })
        }),
    ]
};

/// The problem an English provider reason stands for (migration 5): every sentence of
/// [`PROVIDER_ENGLISH`] and the simulator's answers, with their values parsed back; anything
/// else kept as text.
pub fn problem_from_english(text: &str) -> ProviderProblem {
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
        "simulated: refused by the provider (number ends in 90-94)" => {
            return ProviderProblem::SimulatedRefusal;
        }
        "simulated: provider unavailable (number ends in 99)" => {
            return ProviderProblem::SimulatedOutage;
        }
        _ => {}
    }
    PROVIDER_ENGLISH
        .iter()
        .find_map(|(template, parse)| parse(&Values(holes(template, text)?)))
        .unwrap_or_else(|| ProviderProblem::from(text))
}

/// The values of a template's holes in `text` (a hole is `{…}`, as in a `format!` string: `{}`,
/// `{e}`, `{:?}`): the first literal is a prefix, the last a suffix; a hole between two
/// literals ends where the next literal first occurs. A hole before ` at ` or `host ` (a
/// provider's name) never holds a space.
pub(super) fn holes(template: &str, text: &str) -> Option<Vec<String>> {
    let mut literals: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        literals.push(&rest[..open]);
        let close = rest[open..].find('}')?;
        rest = &rest[open + close + 1..];
    }
    literals.push(rest);
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
    use crate::i18n::{Describe, Lang};

    /// A store file at schema `version`, as a build of that version left it, opened raw.
    fn old_store(version: usize) -> (tempfile::TempDir, std::path::PathBuf, rusqlite::Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        for sql in crate::store::migrations::up_to(version) {
            conn.execute_batch(&sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        (dir, path, conn)
    }

    /// What the notes say in `lang`, the empty ones left out.
    fn said(notes: &[Option<StatusNote>], lang: Lang) -> Vec<String> {
        notes.iter().flatten().map(|n| n.describe(lang)).collect()
    }

    /// Saturday 2026-03-28 09:00.
    fn saturday_nine() -> LocalAt {
        LocalAt(
            chrono::NaiveDate::from_ymd_opt(2026, 3, 28)
                .and_then(|d| d.and_hms_opt(9, 0, 0))
                .unwrap(),
        )
    }

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
        crate::i18n::assert_says(&n, "accepted by the provider", "accepté par le fournisseur");
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
        let (_dir, path, conn) = old_store(4);
        {
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
                    "event changed: the event of Saturday 2026-03-28 09:00 has already started",
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
        drop(conn);
        let store = crate::store::Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            super::super::SCHEMA_VERSION
        );
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
                    reason: RuleReason::EventStarted {
                        start: saturday_nine()
                    }
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
        let fr = said(&notes, Lang::Fr);
        assert_eq!(
            fr[0],
            "nouvel essai prévu : Kannel est indisponible (HTTP 500 : busy (try later))"
        );
        assert_eq!(fr[2], "retrouvé chez le fournisseur par sa référence");
        assert_eq!(fr[4], "automatisme désactivé : « J-1 »");
        assert_eq!(fr[6], "(texte enregistré) crash");
        let en = said(&notes, Lang::En);
        assert_eq!(en[2], "found at the provider by its reference");
        assert_eq!(en[4], "automation switched off: “J-1”");
    }

    /// A store at schema version 5 holding notes whose reasons are English text, and replies
    /// whose review reasons are, as smsdesk wrote them, opened by this build: each reason is
    /// converted to its code with its arguments, unknown ones kept as recorded text, other
    /// notes left as they are; both languages read them.
    #[test]
    fn migration_6_types_the_english_reasons_of_an_old_store() {
        use super::super::replies::{self, ReviewReason};
        let (_dir, path, conn) = old_store(5);
        let history: &[&str] = &[
            r#"{"code":"event_changed","reason":"automation \"J-1\" no longer applies to this event (its kind, collaborator or type changed)"}"#,
            r#"{"code":"rule_changed","reason":"automation \"J-2\" now sends follow-ups (D+3), not reminders"}"#,
            r#"{"code":"event_changed","reason":"the event of Saturday 2026-03-28 09:00 has already started"}"#,
            r#"{"code":"rule_changed","reason":"something no build wrote"}"#,
            r#"{"code":"accepted"}"#,
            "crash",
        ];
        let old_replies: &[(&str, &str)] = &[
            ("review", "no keyword recognised"),
            ("review", "\"oui mais 15h\" says more than the keyword OUI"),
            (
                "review",
                "2 appointments are waiting for an answer from this number",
            ),
            ("resolved", "no keyword in the reply"),
            ("review", "anything else"),
            ("matched", ""),
        ];
        {
            conn.execute(
                "INSERT INTO messages(id, kind, context, status, phone, text, encoding, chars, segments,
                    created_by, created_at, planned_at, deadline, next_attempt_at, status_at,
                    wait_reason, last_error)
                 VALUES (1, 'reminder', 'interview', 'cancelled', '+33612345678', 'Bonjour', 'GSM-7', 7, 1,
                    'ana', 100, 100, 9999, 100, 100, '', ?1)",
                [r#"{"code":"rule_changed","reason":"its new time has already passed"}"#],
            )
            .unwrap();
            for (i, detail) in history.iter().enumerate() {
                conn.execute(
                    "INSERT INTO message_status_history(message_id, status, at, actor, detail)
                     VALUES (1, 'cancelled', ?1, 'ana', ?2)",
                    rusqlite::params![100 + i as i64, detail],
                )
                .unwrap();
            }
            for (i, (state, reason)) in old_replies.iter().enumerate() {
                conn.execute(
                    "INSERT INTO replies(from_phone, text, received_at, state, review_reason)
                     VALUES ('+33612345678', 'oui mais 15h', ?1, ?2, ?3)",
                    rusqlite::params![100 + i as i64, state, reason],
                )
                .unwrap();
            }
        }
        drop(conn);
        let store = crate::store::Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            crate::store::SCHEMA_VERSION
        );
        let notes: Vec<Option<StatusNote>> = crate::store::messages::history(store.db(), 1)
            .unwrap()
            .into_iter()
            .map(|h| h.note)
            .collect();
        use StatusNote::*;
        assert_eq!(
            notes,
            vec![
                Some(EventChanged {
                    reason: RuleReason::RuleNoLongerMatches { rule: "J-1".into() }
                }),
                Some(RuleChanged {
                    reason: RuleReason::NowSendsFollowUps {
                        rule: "J-2".into(),
                        days_after: 3
                    }
                }),
                Some(EventChanged {
                    reason: RuleReason::EventStarted {
                        start: saturday_nine()
                    }
                }),
                Some(RuleChanged {
                    reason: RuleReason::Text {
                        text: "something no build wrote".into()
                    }
                }),
                Some(Accepted),
                Some(Text {
                    text: "crash".into()
                }),
            ]
        );
        // Stored as codes; the notes without a reason as they were.
        let stored: Vec<String> = store
            .db()
            .prepare("SELECT detail FROM message_status_history ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            stored[0],
            r#"{"code":"event_changed","reason":{"code":"rule_no_longer_matches","rule":"J-1"}}"#
        );
        assert_eq!(&stored[4..], &history[4..]);
        // A message's last error too.
        assert_eq!(
            crate::store::messages::get(store.db(), 1)
                .unwrap()
                .last_error,
            Some(RuleChanged {
                reason: RuleReason::NewTimePassed
            })
        );
        // Read in both languages.
        let fr = said(&notes, Lang::Fr);
        assert_eq!(
            fr[0],
            "l'événement a changé : l'automatisme « J-1 » ne s'applique plus à cet événement (sa nature, son collaborateur ou son type a changé)"
        );
        assert_eq!(
            fr[1],
            "automatisme modifié : l'automatisme « J-2 » envoie désormais des relances (J+3), plus des rappels"
        );
        assert_eq!(
            fr[2],
            "l'événement a changé : l'événement du samedi 28/03/2026 09:00 a déjà commencé"
        );
        assert_eq!(
            fr[3],
            "automatisme modifié : (texte enregistré) something no build wrote"
        );
        let en = said(&notes, Lang::En);
        assert_eq!(
            en[1],
            "automation changed: automation \"J-2\" now sends follow-ups (D+3), not reminders"
        );
        // The replies' review reasons.
        let reasons: Vec<Option<ReviewReason>> = replies::page(
            store.db(),
            None,
            crate::store::page::Page::forward(None, 10),
        )
        .unwrap()
        .into_iter()
        .rev()
        .map(|r| r.review_reason)
        .collect();
        assert_eq!(
            reasons,
            vec![
                Some(ReviewReason::NoKeyword),
                Some(ReviewReason::SaysMore {
                    text: "oui mais 15h".into(),
                    keyword: "OUI".into()
                }),
                Some(ReviewReason::SeveralAppointments { count: 2 }),
                Some(ReviewReason::NoKeyword),
                Some(ReviewReason::Text {
                    text: "anything else".into()
                }),
                None,
            ]
        );
        let stored: String = store
            .db()
            .query_row(
                "SELECT review_reason FROM replies ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, r#"{"code":"no_keyword"}"#);
        let fr: Vec<String> = reasons
            .iter()
            .flatten()
            .map(|r| r.describe(Lang::Fr))
            .collect();
        assert_eq!(fr[0], "aucun mot-clé reconnu");
        assert_eq!(fr[1], "« oui mais 15h » dit plus que le mot-clé OUI");
        assert_eq!(fr[4], "(texte enregistré) anything else");
    }
}
