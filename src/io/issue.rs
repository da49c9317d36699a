//! What the contacts and events imports say about a file and its rows: why a row is left out,
//! what the operator should know about a valid contact, and notes about the file as a whole.
//! Each is a typed message, shown in the reader's language (texts: `[import_issue]`,
//! `[import_warning]`, `[import_notice]`…); the command line and `--json` write them in English.

use super::import::{CellIssue, Column, FileNotice};
use crate::core::changes::EventKind;
use crate::core::refusal::{Notice, Refusal};
use crate::i18n::{Describe, Lang};
use crate::sms::phone::{LineKind, PhoneError};

/// Serialised as their English text, as the command line shows them: scripts reading `--json`
/// get the same strings as before these messages were typed.
macro_rules! serialize_as_english {
    ($($t:ty),*) => {
        $(impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_string())
            }
        })*
    };
}

serialize_as_english!(IssueReason, ContactWarning, ImportNotice);

crate::typed_messages! {
    /// Why a row of a contacts or events file is left out: invalid, or a duplicate
    /// (texts: `[import_issue]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum IssueReason in "import_issue" {
        /// A cell that holds no usable value.
        Cell { problem: CellIssue },
        Phone { error: PhoneError },
        /// The collaborator a cell names is not one (boxed: rows with problems may be many).
        Collaborator { refusal: Box<Refusal> },
        NotContactType,
        NoName,
        TooLong { max: usize },
        /// A number or a date in a name column: the columns are probably shifted.
        NumberNotName,
        /// A valid number that SMS cannot reach, given as the mobile.
        Unreachable { e164: String, kind: LineKind },
        NotEmail,
        NotYesNo,
        SameContact { row: usize },
        MobileTaken { id: i64, name: String },
        NameTaken { id: i64, name: String },
        NoMobile,
        SharedNumber { count: usize, participants: Vec<ParticipantRef> },
        UnknownNumber { e164: String },
        NotEventKind,
        InThePast,
        SameEvent { row: usize },
        EventExists { name: String, kind: KindOfEvent, id: i64 },
        CreatedMeanwhile { id: i64 },
        // A contact typed by hand
        NotAttribute,
        InTheFuture,
        NotOptOutSource,
        OptOutKept,
        OptOutNoMobile,
    }
}

/// An event kind named in a sentence, from the `[kind]` section (a copy, not a text: row
/// issues stay small, a file may have many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindOfEvent(pub EventKind);

impl Describe for KindOfEvent {
    fn describe(&self, lang: Lang) -> String {
        crate::i18n::tr(lang, &format!("kind.{}", self.0.as_str())).to_string()
    }
}

crate::typed_messages! {
    /// A participant named in a list (texts: `[import_participant]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ParticipantRef in "import_participant" {
        Named { id: i64, name: String },
    }
}

crate::typed_messages! {
    /// What the operator should know about a valid contact, that does not stop it
    /// (texts: `[import_warning]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ContactWarning in "import_warning" {
        NoMobile,
        OptedOut,
        ConsentEmpty,
        /// A landline given as the mobile, kept as the landline (`number` in national form).
        LandlineAsMobile { number: String },
    }
}

impl ContactWarning {
    /// Packed with a contact: a code and the text it holds.
    pub fn code(&self) -> (u8, &str) {
        match self {
            ContactWarning::NoMobile => (0, ""),
            ContactWarning::OptedOut => (1, ""),
            ContactWarning::ConsentEmpty => (2, ""),
            ContactWarning::LandlineAsMobile { number } => (3, number),
        }
    }

    pub fn from_code(code: u8, text: String) -> ContactWarning {
        match code {
            0 => ContactWarning::NoMobile,
            1 => ContactWarning::OptedOut,
            2 => ContactWarning::ConsentEmpty,
            _ => ContactWarning::LandlineAsMobile { number: text },
        }
    }
}

crate::typed_messages! {
    /// About a contacts or events file as a whole, shown with its preview, or about what its
    /// import did (texts: `[import_notice]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ImportNotice in "import_notice" {
        /// How the file was read (its encoding…).
        File { notice: FileNotice },
        NoMobileColumn,
        NoConsentColumn,
        FreeAttributes { columns: Vec<QuotedHeader> },
        NoKindColumn,
        NoCollaboratorColumn,
        /// What the automations did to the reminders of an imported event.
        Reminder { row: usize, id: i64, change: Notice },
    }
}

crate::typed_messages! {
    /// A column quoted in a sentence (texts: `[import_header]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum QuotedHeader in "import_header" {
        Quoted { column: Column },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_in_english_on_the_command_line_and_in_french_in_the_interface() {
        let r = IssueReason::MobileTaken {
            id: 1,
            name: "Élodie Martin".into(),
        };
        crate::i18n::assert_says(
            &r,
            "this mobile number already belongs to participant #1 Élodie Martin",
            "ce numéro de mobile appartient déjà au participant n°1 Élodie Martin",
        );
        let e = IssueReason::EventExists {
            name: "Léa".into(),
            kind: KindOfEvent(EventKind::Interview),
            id: 4,
        };
        assert_eq!(
            e.to_string(),
            "Léa already has this interview at this time (event #4)"
        );
        assert!(e.describe(Lang::Fr).contains("entretien"), "{e:?}");
        let n = ImportNotice::FreeAttributes {
            columns: vec![
                QuotedHeader::Quoted {
                    column: Column::Named {
                        header: "Ville".into(),
                    },
                },
                QuotedHeader::Quoted {
                    column: Column::Lettered {
                        header: "Né le".into(),
                        letter: "E".into(),
                    },
                },
            ],
        };
        crate::i18n::assert_says(
            &n,
            "kept as free attributes of each contact: \"Ville\", \"Né le (column E)\"",
            "gardées comme attributs libres de chaque contact : « Ville », « Né le (colonne E) »",
        );
        assert_eq!(
            serde_json::to_value(IssueReason::TooLong { max: 100 }).unwrap(),
            "longer than 100 characters"
        );
        // Kept small: a file may have as many issues as rows (clippy bounds `Result<_, RowIssue>`).
        assert!(std::mem::size_of::<crate::io::contacts::RowIssue>() <= 120);
    }

    #[test]
    fn warnings_come_back_from_their_code() {
        for w in [
            ContactWarning::NoMobile,
            ContactWarning::OptedOut,
            ContactWarning::ConsentEmpty,
            ContactWarning::LandlineAsMobile {
                number: "02 97 00 00 00".into(),
            },
        ] {
            let (code, text) = w.code();
            assert_eq!(ContactWarning::from_code(code, text.to_string()), w);
        }
    }
}
