//! What the store says when it refuses a write or cannot find a row: typed values rendered in
//! the reader's language from `assets/i18n/{fr,en}.toml` (`[store_problem]`, `[store_record]`,
//! `[store_phone_field]`, `[store_unusable]`); the command line shows their English `Display`.
//! The store checks again, where the data is written, rules the core checks first.

use crate::core::refusal::{Context, Forbidden, Refusal};
use crate::sms::template::FieldError;

use super::settings::SettingProblem;

crate::typed_messages! {
    /// A kind of stored record, as a "not found" names it (texts: `[store_record]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Record in "store_record" {
        SavedList = "saved_list",
        Template = "template",
        Message = "message",
        Batch = "batch",
        Event = "event",
        Participant = "participant",
        Automation = "automation",
        Collaborator = "collaborator",
    }
}

crate::typed_messages! {
    /// A contact's phone number, as a refusal names it (texts: `[store_phone_field]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum PhoneField in "store_phone_field" {
        Mobile = "mobile",
        SecondMobile = "second_mobile",
        Landline = "landline",
        Phone = "phone",
    }
}

crate::typed_messages! {
    /// Why a file is not a usable store (texts: `[store_unusable]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum UnusableReason in "store_unusable" {
        Folder = "folder",
        NotSqlite = "not_sqlite",
        NotSmsdesk = "not_smsdesk",
        /// SQLite's own words (not a database, corrupt…), verbatim.
        Sqlite { error: String } = "sqlite",
    }
}

crate::typed_messages! {
    /// A write the store refuses, or a stored value it cannot read (texts: `[store_problem]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum StoreProblem in "store_problem" {
        // Operators and their keys
        OperatorExists { login: String } = "operator_exists",
        NoOperator { login: String } = "no_operator",
        LastAdministrator { login: String } = "last_administrator",
        BadLogin { login: String } = "bad_login",
        KeyAlreadyTheirs { login: String, fingerprint: String } = "key_already_theirs",
        KeyTaken { fingerprint: String, holder: String } = "key_taken",
        NoSuchKey { login: String, fingerprint: String } = "no_such_key",
        // Templates
        TemplateNameMissing = "template_name_missing",
        TemplateText { name: String, problem: FieldError } = "template_text",
        TemplateExists { name: String } = "template_exists",
        KeywordsNeedReply { name: String } = "keywords_need_reply",
        KeywordEmpty { name: String, keyword: String } = "keyword_empty",
        KeywordNoOutcome { name: String, keyword: String } = "keyword_no_outcome",
        KeywordTwice { name: String, keyword: String } = "keyword_twice",
        // Stored codes
        /// A status, kind, state… no variant has, read from a column.
        UnknownCode { column: String, code: String } = "unknown_code",
        // Events
        ReminderWithoutTime = "reminder_without_time",
        ReminderDays { days: i64 } = "reminder_days",
        // Contacts and saved lists
        NotE164 { who: String, field: PhoneField, phone: String } = "not_e164",
        ParticipantNameMissing = "participant_name_missing",
        CollaboratorNameMissing = "collaborator_name_missing",
        NoSuchParticipant { id: i64 } = "no_such_participant",
        ListNameMissing = "list_name_missing",
        ListExists { name: String } = "list_exists",
        ListNoSuchParticipant { name: String, id: i64 } = "list_no_such_participant",
        // Automations
        AutomationNameMissing = "automation_name_missing",
        AutomationDelay { name: String, days: i64 } = "automation_delay",
        AutomationContext { name: String, template: i64, context: Context, kind: Context } = "automation_context",
        AutomationConditionReminder { name: String } = "automation_condition_reminder",
        AutomationConditionNoReply { name: String, template: i64 } = "automation_condition_no_reply",
        // Credit
        PackUnits { units: i64 } = "pack_units",
        // Settings
        Setting { key: String, problem: SettingProblem } = "setting",
        ProviderNotObject = "provider_not_object",
        NotProviderField { field: String, known: String } = "not_provider_field",
        /// The gateway's rule for a provider field.
        ProviderField { field: String, problem: crate::gateway::FieldRule } = "provider_field",
        /// serde_json's words on a provider configuration, verbatim.
        ProviderJson { field: String, error: String } = "provider_json",
        ProviderNotWritten { error: String } = "provider_not_written",
        // The demo's history generator
        DemoNoOperator = "demo_no_operator",
        DemoNoMobile = "demo_no_mobile",
        /// A core rule refused what the scheduler recorded (an inbound reply…).
        Refused { refusal: Box<Refusal> } = "refused",
        Forbidden { forbidden: Forbidden } = "forbidden",
    }
}
