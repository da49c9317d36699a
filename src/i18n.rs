//! Interface language. Passed explicitly (never a global), so tests in parallel stay
//! deterministic. Catalogues live in `assets/i18n/*.toml`, embedded in the binary.

pub mod dates;
mod describe;

#[cfg(test)]
pub use describe::assert_says;
pub use describe::{
    Arg, Describe, MessageKeys, fill, key_len, key_text, placeholders, variant_key,
};

/// Every typed message enum's keys, for the catalogue test: a new enum is added here.
pub fn typed_message_keys() -> Vec<(&'static str, MessageKeys)> {
    use crate::io::import;
    use crate::sms::{template, window};
    vec![
        ("PhoneError", crate::sms::phone::PhoneError::KEYS),
        ("WindowError", window::WindowError::KEYS),
        ("PlanError", window::PlanError::KEYS),
        ("PlannedSlot", window::PlannedSlot::KEYS),
        ("SlotSearch", window::SlotSearch::KEYS),
        ("SenderError", crate::sms::sender::SenderError::KEYS),
        ("ContextParseError", template::ContextParseError::KEYS),
        ("FieldErrorKind", template::FieldErrorKind::KEYS),
        ("FieldError", template::FieldError::KEYS),
        ("RenderError", template::RenderError::KEYS),
        ("ImportError", import::ImportError::KEYS),
        ("ReadFailure", import::ReadFailure::KEYS),
        ("FileKind", import::FileKind::KEYS),
        ("WantedColumns", import::WantedColumns::KEYS),
        ("FoundColumns", import::FoundColumns::KEYS),
        ("Column", import::Column::KEYS),
        ("AndMore", import::AndMore::KEYS),
        ("RowProblem", import::RowProblem::KEYS),
        ("EncodingProblem", import::EncodingProblem::KEYS),
        ("CellIssue", import::CellIssue::KEYS),
        ("CellAt", import::CellAt::KEYS),
        ("TooLarge", import::TooLarge::KEYS),
        ("ReadPanic", import::ReadPanic::KEYS),
        ("FileNotice", import::FileNotice::KEYS),
        ("IssueReason", crate::io::issue::IssueReason::KEYS),
        ("ParticipantRef", crate::io::issue::ParticipantRef::KEYS),
        ("ContactWarning", crate::io::issue::ContactWarning::KEYS),
        ("ImportNotice", crate::io::issue::ImportNotice::KEYS),
        ("QuotedHeader", crate::io::issue::QuotedHeader::KEYS),
        ("ExportError", crate::io::export::ExportError::KEYS),
        ("WriteFailure", crate::io::export::WriteFailure::KEYS),
        ("StatusNote", crate::store::notes::StatusNote::KEYS),
        ("RuleReason", crate::store::notes::RuleReason::KEYS),
        ("ProviderProblem", crate::gateway::ProviderProblem::KEYS),
        ("Activity", crate::gateway::Activity::KEYS),
        ("SchedulerProblem", crate::scheduler::SchedulerProblem::KEYS),
        ("Action", crate::core::refusal::Action::KEYS),
        ("Forbidden", crate::core::refusal::Forbidden::KEYS),
        ("Refusal", crate::core::refusal::Refusal::KEYS),
        ("LineProblem", crate::core::send::LineProblem::KEYS),
        ("InterviewField", crate::core::refusal::InterviewField::KEYS),
        ("ContactFieldName", crate::io::contacts::ContactField::KEYS),
        ("Notice", crate::core::refusal::Notice::KEYS),
        ("EditDropped", crate::core::refusal::EditDropped::KEYS),
        (
            "SettingProblem",
            crate::store::settings::SettingProblem::KEYS,
        ),
        ("ReviewReason", crate::store::replies::ReviewReason::KEYS),
        ("RightsError", crate::store::operators::RightsError::KEYS),
        ("ProviderKind", crate::gateway::ProviderKind::KEYS),
        ("FieldRule", crate::gateway::FieldRule::KEYS),
        ("ConfigProblem", crate::gateway::ConfigProblem::KEYS),
        ("KeyProblem", crate::access::keys::KeyProblem::KEYS),
        ("KeyChordError", crate::keymap::KeyChordError::KEYS),
        ("StoreError", crate::store::StoreError::KEYS),
        ("StoreProblem", crate::store::StoreProblem::KEYS),
        ("Record", crate::store::Record::KEYS),
        ("PhoneField", crate::store::PhoneField::KEYS),
        ("UnusableReason", crate::store::UnusableReason::KEYS),
        ("Problem", crate::tui::problem::Problem::KEYS),
        ("KeymapReason", crate::keymap::KeymapReason::KEYS),
        ("ConfigFileProblem", crate::config::ConfigFileProblem::KEYS),
        ("TermProblem", crate::tui::problem::TermProblem::KEYS),
        ("LanguageChoice", crate::tui::LanguageChoice::KEYS),
    ]
}

use std::collections::HashMap;
use std::sync::OnceLock;

/// Language of the interface and of the rendered dates (day and month names).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (the default: the organisations are French).
    #[default]
    Fr,
    /// English.
    En,
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A language name that is neither French nor English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`: expected `fr` (French) or `en` (English)")]
pub struct LangParseError(pub String);

impl std::str::FromStr for Lang {
    type Err = LangParseError;

    /// Accepts `fr`, `en`, their names, and `LANG`-style values such as `fr_FR.UTF-8`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let code = lower.split(['_', '-', '.', '@']).next().unwrap_or("");
        match code {
            "fr" | "french" | "francais" | "français" => Ok(Lang::Fr),
            "en" | "english" | "anglais" => Ok(Lang::En),
            _ => Err(LangParseError(s.to_string())),
        }
    }
}

impl Lang {
    /// Both languages, French first.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// Two-letter code: `fr` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The setting wins (`fr` / `en`); otherwise `LC_ALL`, `LC_MESSAGES`, `LANG`; French by default.
    pub fn resolve(setting: &str) -> Lang {
        if let Some(lang) = Lang::parse(setting) {
            return lang;
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                return Lang::from_locale(&v);
            }
        }
        Lang::Fr
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// `en_US.UTF-8` → English, `fr_FR` → French; anything else not English → French (the
    /// product's home language).
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    /// The chrono locale used for day and month names.
    pub fn locale(self) -> chrono::Locale {
        match self {
            Lang::Fr => chrono::Locale::fr_FR,
            Lang::En => chrono::Locale::en_GB,
        }
    }
}

const FR: &str = include_str!("../assets/i18n/fr.toml");
const EN: &str = include_str!("../assets/i18n/en.toml");

fn catalogue(lang: Lang) -> &'static HashMap<String, String> {
    static CATALOGUES: OnceLock<[HashMap<String, String>; 2]> = OnceLock::new();
    let all = CATALOGUES.get_or_init(|| [flatten(FR), flatten(EN)]);
    match lang {
        Lang::Fr => &all[0],
        Lang::En => &all[1],
    }
}

/// Parses a catalogue into `section.key → text`. A broken catalogue is a build defect caught
/// by the tests below; at run time it degrades to showing keys.
fn flatten(source: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Ok(table) = source.parse::<toml::Table>() {
        walk(&table, "", &mut out);
    }
    out
}

fn walk(table: &toml::Table, prefix: &str, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => walk(t, &key, out),
            _ => {}
        }
    }
}

/// The text for `key` in `lang`; the key itself when missing (visible, never a panic).
pub fn tr(lang: Lang, key: &str) -> &str {
    catalogue(lang).get(key).map(String::as_str).unwrap_or(key)
}

/// `text` as a label before its value: `Destinataire : ` in French (a space before the colon,
/// as the catalogue writes it), `Recipient: ` in English (`ui.colon`). Every label built in
/// code goes through here so French typography holds on every screen.
pub fn label(lang: Lang, text: &str) -> String {
    format!("{}{}", text.trim_end(), tr(lang, "ui.colon"))
}

/// [`tr`] with `{name}` placeholders replaced.
pub fn trf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_parse_and_have_the_same_keys() {
        assert!(FR.parse::<toml::Table>().is_ok(), "fr.toml does not parse");
        assert!(EN.parse::<toml::Table>().is_ok(), "en.toml does not parse");
        let fr = catalogue(Lang::Fr);
        let en = catalogue(Lang::En);
        let mut missing: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !fr.contains_key(*k)));
        assert!(
            missing.is_empty(),
            "keys missing in one language: {missing:?}"
        );
        assert!(fr.len() > 20);
    }

    /// Every variant of every typed message has its text in both languages, with exactly its
    /// fields as placeholders; and no text in their sections is left without a variant.
    #[test]
    fn every_typed_message_has_a_french_and_an_english_text_with_its_fields() {
        let mut problems = Vec::new();
        let mut sections = std::collections::HashSet::new();
        let mut known = std::collections::HashSet::new();
        for (name, keys) in typed_message_keys() {
            for (key, fields) in keys {
                sections.insert(key.split('.').next().unwrap_or(key));
                known.insert(*key);
                let mut fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
                fields.sort();
                for lang in Lang::ALL {
                    match catalogue(lang).get(*key) {
                        None => problems.push(format!("{name}: no {lang} text for {key}")),
                        Some(text) if placeholders(text) != fields => problems.push(format!(
                            "{name}: {lang} text of {key} has placeholders {:?}, the variant has {fields:?}",
                            placeholders(text)
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
        for lang in Lang::ALL {
            for key in catalogue(lang).keys() {
                let section = key.split('.').next().unwrap_or(key);
                if sections.contains(section) && !known.contains(key.as_str()) {
                    problems.push(format!("{lang}: {key} belongs to no variant"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn a_typed_message_is_written_in_the_readers_language() {
        use crate::sms::phone::{LineKind, PhoneError};
        let e = PhoneError::NotMobile {
            e164: "+33140000000".into(),
            kind: LineKind::Landline,
        };
        assert_eq!(
            e.describe(Lang::Fr),
            "pas un numéro de mobile : +33140000000 (ligne fixe)"
        );
        assert_eq!(
            e.to_string(),
            "not a mobile number: +33140000000 is a landline"
        );
    }

    #[test]
    fn locale_names_pick_the_language() {
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("fr_FR.UTF-8"), Lang::Fr);
        assert_eq!(Lang::from_locale("C"), Lang::Fr);
        assert_eq!(Lang::resolve("en"), Lang::En);
    }

    #[test]
    fn tabs_are_translated() {
        assert_eq!(tr(Lang::Fr, "tab.sent"), "Envoyés");
        assert_eq!(tr(Lang::En, "tab.sent"), "Sent");
        assert_eq!(tr(Lang::En, "no.such.key"), "no.such.key");
    }
}
