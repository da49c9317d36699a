//! What the store says when it refuses a write or cannot find a row: typed values rendered in
//! the reader's language from `assets/i18n/{fr,en}.toml` (`[store_problem]`, `[store_record]`,
//! `[store_phone_field]`, `[store_unusable]`); the command line shows their English `Display`.
//! The store checks again, where the data is written, rules the core checks first.

use crate::core::refusal::{Context, Forbidden, Refusal};

use super::settings::SettingProblem;

crate::typed_messages! {
    /// A kind of stored record, as a "not found" names it (texts: `[store_record]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Record in "store_record" {
        SavedList,
        Template,
        Message,
        Batch,
        Event,
        Participant,
        Automation,
        Collaborator,
    }
}

crate::typed_messages! {
    /// A contact's phone number, as a refusal names it (texts: `[store_phone_field]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum PhoneField in "store_phone_field" {
        Mobile,
        SecondMobile,
        Landline,
        Phone,
    }
}

crate::typed_messages! {
    /// Why a file is not a usable store (texts: `[store_unusable]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum UnusableReason in "store_unusable" {
        Folder,
        NotSqlite,
        NotSmsdesk,
        /// SQLite's own words (not a database, corrupt…), verbatim.
        Sqlite { error: String },
    }
}

crate::typed_messages! {
    /// A write the store refuses, or a stored value it cannot read (texts: `[store_problem]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum StoreProblem in "store_problem" {
        // Operators and their keys
        OperatorExists { login: String },
        NoOperator { login: String },
        LastAdministrator { login: String },
        BadLogin { login: String },
        KeyAlreadyTheirs { login: String, fingerprint: String },
        KeyTaken { fingerprint: String, holder: String },
        NoSuchKey { login: String, fingerprint: String },
        // Stored codes
        /// A status, kind, state… no variant has, read from a column.
        UnknownCode { column: String, code: String },
        // Events
        ReminderWithoutTime,
        ReminderDays { days: i64 },
        // Contacts and saved lists
        NotE164 { who: String, field: PhoneField, phone: String },
        ParticipantNameMissing,
        CollaboratorNameMissing,
        // Automations
        AutomationNameMissing,
        AutomationDelay { name: String, days: i64 },
        AutomationContext { name: String, template: i64, context: Context, kind: Context },
        AutomationConditionReminder { name: String },
        AutomationConditionNoReply { name: String, template: i64 },
        // Credit
        PackUnits { units: i64 },
        // Settings
        Setting { key: String, problem: SettingProblem },
        ProviderNotObject,
        NotProviderField { field: String, known: String },
        /// The gateway's rule for a provider field.
        ProviderField { field: String, problem: crate::gateway::FieldRule },
        /// serde_json's words on a provider configuration, verbatim.
        ProviderJson { field: String, error: String },
        ProviderNotWritten { error: String },
        // The demo's history generator
        DemoNoOperator,
        DemoNoMobile,
        /// A core rule refused what the scheduler recorded (an inbound reply…), or a rule the
        /// store checks with the core's words (a template's name and keywords).
        Refused { refusal: Box<Refusal> },
        Forbidden { forbidden: Forbidden },
    }
}

impl From<Refusal> for super::StoreError {
    fn from(refusal: Refusal) -> super::StoreError {
        StoreProblem::Refused {
            refusal: Box::new(refusal),
        }
        .into()
    }
}
