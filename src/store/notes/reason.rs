//! Why a rule or a change of its event cancelled a message waiting to leave, or could not give
//! the event its message: a code and its arguments (texts: `[rule_reason]`), carried from the
//! core to the operator's notice and stored inside the status notes.

use crate::i18n::{Describe, Lang};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

crate::typed_messages! {
    /// Why a rule's or an event's message was cancelled or not created. Stored inside
    /// [`super::StatusNote::EventChanged`] and [`super::StatusNote::RuleChanged`] (the serde tag
    /// `code` is the catalogue key).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "code", rename_all = "snake_case")]
    pub enum RuleReason in "rule_reason" {
        /// The rule's template is inactive: the rule cannot write its message.
        Broken { template: String },
        /// A rule was changed and no longer matches the event.
        RuleChangedAway { rule: String },
        /// A reminder rule became a follow-up rule (D+`days_after`).
        NowSendsFollowUps { rule: String, days_after: i64 },
        /// A follow-up rule became a reminder rule (D-`days_before`).
        NowSendsReminders { rule: String, days_before: i64 },
        /// A rule's new delay puts its message in the past.
        NewTimePassed,
        /// The event changed (kind, collaborator or type): its rule no longer matches it.
        RuleNoLongerMatches { rule: String },
        /// The event changed and the message's text can no longer be written.
        TextUnwritable { problem: Wording },
        /// The event's stored start does not read as a date-time.
        StoredStartBad { start: String },
        /// A reminder for an event already started.
        EventStarted { start: LocalAt },
        /// The window does not open again before the event.
        NoTimeLeft { start: LocalAt, window: StoredWindow },
        /// The follow-up's time is already past.
        FollowUpPassed { at: LocalAt },
        /// The participant has no mobile number.
        NoMobile { name: String },
        /// The participant has not consented to receive SMS.
        NoConsent { name: String },
        /// The participant opted out.
        OptedOut { name: String },
        /// The sending window refuses the time or cannot plan one.
        Window { problem: Wording },
        /// The message cannot be written (template, merge field, length…).
        Refused { problem: Wording },
        /// A follow-up rule waiting for no reply: a reply came to a message of its template.
        Replied { template: String },
        /// A follow-up rule waiting for no outcome: the event has one.
        OutcomeSet { outcome: String },
        /// A reason recorded in English before reasons had codes, recognised as none of them.
        Text { text: String },
    }
}

/// What a part whose messages are not stored typed (the sending window's, a template's) said,
/// in both languages as it said it then: its own fields (instants with their zone, static
/// names) do not round-trip through the store. A reason recorded before reasons had codes has
/// its English only, shown to every reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wording {
    pub en: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fr: String,
}

impl Wording {
    /// The message in each language.
    pub fn of(m: &(impl Describe + ?Sized)) -> Wording {
        Wording {
            en: m.describe(Lang::En),
            fr: m.describe(Lang::Fr),
        }
    }

    /// An English text recorded before reasons had codes.
    pub fn english(text: &str) -> Wording {
        Wording {
            en: text.to_string(),
            fr: String::new(),
        }
    }
}

impl Describe for Wording {
    fn describe(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr if !self.fr.is_empty() => self.fr.clone(),
            _ => self.en.clone(),
        }
    }
}

/// How a [`LocalAt`] is stored (as the events' local start).
const STORED: &str = "%Y-%m-%d %H:%M:%S";

/// A wall-clock time of the organisation as a reason names it, the day in the reader's
/// language: `Saturday 28/03/2026 09:00`, `samedi 28/03/2026 09:00` (stored as ISO).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct LocalAt(pub NaiveDateTime);

/// A sending window as the settings write it (`09:00-19:00 mon,tue,…`), kept as stored and
/// shown with its days in the reader's language (`lun, mar, …`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoredWindow(pub String);

impl Describe for StoredWindow {
    fn describe(&self, lang: Lang) -> String {
        match self.0.parse::<crate::sms::window::SendWindow>() {
            Ok(window) => window.describe(lang),
            Err(_) => self.0.clone(),
        }
    }
}

impl From<LocalAt> for String {
    fn from(at: LocalAt) -> String {
        at.0.format(STORED).to_string()
    }
}

impl TryFrom<String> for LocalAt {
    type Error = chrono::ParseError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        NaiveDateTime::parse_from_str(&s, STORED).map(LocalAt)
    }
}

impl Describe for LocalAt {
    fn describe(&self, lang: Lang) -> String {
        // Wall-clock fields as they are (no zone is printed).
        crate::i18n::dates::named_day_time(self.0, lang)
    }
}

impl LocalAt {
    /// `Saturday 2026-03-28 09:00`, as English reasons wrote it.
    fn from_english(text: &str) -> Option<LocalAt> {
        let (_, at) = text.split_once(' ')?;
        NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M")
            .ok()
            .map(LocalAt)
    }
}

/// Reads an English reason's values back into its reason.
type Parse = fn(&[String]) -> Option<RuleReason>;

/// The sentences smsdesk wrote as reasons before they had codes (as their `format!` strings:
/// `{}`, `{e}`, `{:?}` hold a value), each
/// with how its values become the reason's fields.
const ENGLISH: &[(&str, Parse)] = &[
    (
        "automation \"{}\" was changed and no longer applies to this event",
        |v| Some(RuleReason::RuleChangedAway { rule: v[0].clone() }),
    ),
    (
        "automation \"{}\" now sends follow-ups ({}), not reminders",
        |v| {
            Some(RuleReason::NowSendsFollowUps {
                rule: v[0].clone(),
                days_after: v[1].strip_prefix("D+")?.parse().ok()?,
            })
        },
    ),
    (
        "automation \"{}\" now sends reminders ({}), not follow-ups",
        |v| {
            Some(RuleReason::NowSendsReminders {
                rule: v[0].clone(),
                days_before: v[1].strip_prefix("D-")?.parse().ok()?,
            })
        },
    ),
    (
        "automation \"{}\" no longer applies to this event (its kind, collaborator or type changed)",
        |v| Some(RuleReason::RuleNoLongerMatches { rule: v[0].clone() }),
    ),
    ("its text can no longer be written: {e}", |v| {
        Some(RuleReason::TextUnwritable {
            problem: Wording::english(&v[0]),
        })
    }),
    // The start was written with `{:?}`: its quotes and escapes removed.
    ("stored start {:?} is not a date-time", |v| {
        Some(RuleReason::StoredStartBad {
            start: serde_json::from_str(&v[0]).unwrap_or_else(|_| v[0].clone()),
        })
    }),
    ("the event of {} has already started", |v| {
        Some(RuleReason::EventStarted {
            start: LocalAt::from_english(&v[0])?,
        })
    }),
    (
        "no sending time is left before the event of {}: the window {} does not open again before it",
        |v| {
            Some(RuleReason::NoTimeLeft {
                start: LocalAt::from_english(&v[0])?,
                window: StoredWindow(v[1].clone()),
            })
        },
    ),
    ("the follow-up time {} has already passed", |v| {
        Some(RuleReason::FollowUpPassed {
            at: LocalAt::from_english(&v[0])?,
        })
    }),
    ("{}: no mobile number", |v| {
        Some(RuleReason::NoMobile { name: v[0].clone() })
    }),
    ("{}: has not consented to receive SMS", |v| {
        Some(RuleReason::NoConsent { name: v[0].clone() })
    }),
    ("{}: opted out (STOP)", |v| {
        Some(RuleReason::OptedOut { name: v[0].clone() })
    }),
];

impl RuleReason {
    /// The reason an English text written before reasons had codes stands for (migrations 5
    /// and 6): every sentence of [`ENGLISH`] with its values; anything else kept as
    /// [`RuleReason::Text`].
    pub fn from_english(text: &str) -> RuleReason {
        if text == "its new time has already passed" {
            return RuleReason::NewTimePassed;
        }
        ENGLISH
            .iter()
            .find_map(|(template, parse)| parse(&super::holes(template, text)?))
            .unwrap_or_else(|| RuleReason::Text {
                text: text.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> LocalAt {
        LocalAt(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
    }

    /// The window a reason stored with the settings' day codes reads in the reader's words.
    #[test]
    fn a_stored_window_names_its_days_in_the_readers_language() {
        let reason = RuleReason::NoTimeLeft {
            start: at("2026-03-24 08:00"),
            window: StoredWindow("09:00-19:00 mon,tue,sat".into()),
        };
        let fr = reason.describe(Lang::Fr);
        assert!(fr.contains("09:00-19:00 lun, mar, sam"), "{fr}");
        let en = reason.describe(Lang::En);
        assert!(en.contains("09:00-19:00 Mon, Tue, Sat"), "{en}");
        assert!(!fr.contains("mon,") && !en.contains("mon,"), "{fr} / {en}");
    }

    #[test]
    fn every_english_reason_is_recognised_with_its_values() {
        let cases = [
            (
                "automation \"J-1 \"x\"\" was changed and no longer applies to this event",
                RuleReason::RuleChangedAway {
                    rule: "J-1 \"x\"".into(),
                },
            ),
            (
                "automation \"J-2\" now sends follow-ups (D+3), not reminders",
                RuleReason::NowSendsFollowUps {
                    rule: "J-2".into(),
                    days_after: 3,
                },
            ),
            (
                "automation \"J+3\" now sends reminders (D-2), not follow-ups",
                RuleReason::NowSendsReminders {
                    rule: "J+3".into(),
                    days_before: 2,
                },
            ),
            ("its new time has already passed", RuleReason::NewTimePassed),
            (
                "automation \"J-1\" no longer applies to this event (its kind, collaborator or type changed)",
                RuleReason::RuleNoLongerMatches { rule: "J-1".into() },
            ),
            (
                "its text can no longer be written: Camille Martin: no value for prénom",
                RuleReason::TextUnwritable {
                    problem: Wording::english("Camille Martin: no value for prénom"),
                },
            ),
            (
                "stored start \"2026-13-01\" is not a date-time",
                RuleReason::StoredStartBad {
                    start: "2026-13-01".into(),
                },
            ),
            (
                "the event of Saturday 2026-03-28 09:00 has already started",
                RuleReason::EventStarted {
                    start: at("2026-03-28 09:00"),
                },
            ),
            (
                "no sending time is left before the event of Tuesday 2026-03-24 08:00: the window 09:00-19:00 mon,tue,wed,thu,fri,sat does not open again before it",
                RuleReason::NoTimeLeft {
                    start: at("2026-03-24 08:00"),
                    window: StoredWindow("09:00-19:00 mon,tue,wed,thu,fri,sat".into()),
                },
            ),
            (
                "the follow-up time Monday 2026-03-23 10:00 has already passed",
                RuleReason::FollowUpPassed {
                    at: at("2026-03-23 10:00"),
                },
            ),
            (
                "Camille Martin: no mobile number",
                RuleReason::NoMobile {
                    name: "Camille Martin".into(),
                },
            ),
            (
                "Camille Martin: has not consented to receive SMS",
                RuleReason::NoConsent {
                    name: "Camille Martin".into(),
                },
            ),
            (
                "Camille Martin: opted out (STOP)",
                RuleReason::OptedOut {
                    name: "Camille Martin".into(),
                },
            ),
            (
                "the event of someday has already started",
                RuleReason::Text {
                    text: "the event of someday has already started".into(),
                },
            ),
        ];
        for (english, reason) in cases {
            assert_eq!(RuleReason::from_english(english), reason, "{english}");
        }
    }

    #[test]
    fn a_reason_reads_in_both_languages_and_is_stored_as_its_code() {
        let r = RuleReason::EventStarted {
            start: at("2026-03-28 09:00"),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"code":"event_started","start":"2026-03-28 09:00:00"}"#
        );
        crate::i18n::assert_says(
            &r,
            "the event of Saturday 28/03/2026 09:00 has already started",
            "l'événement du samedi 28/03/2026 09:00 a déjà commencé",
        );
        let w = RuleReason::Window {
            problem: Wording {
                en: "closed".into(),
                fr: "fermé".into(),
            },
        };
        let back: RuleReason = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back, w);
        assert_eq!(
            RuleReason::TextUnwritable {
                problem: Wording::english("x")
            }
            .describe(Lang::Fr),
            "son texte ne peut plus être écrit : x"
        );
    }
}
