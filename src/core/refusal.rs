//! What the core says: refusals (a right missing, a rule broken) and their fields, rendered in
//! the reader's language from `assets/i18n/{fr,en}.toml` (`[right_action]`, `[forbidden]`,
//! `[refusal]`); the command line shows their English `Display`.

use crate::i18n::{Describe, Lang};
use crate::sms::phone::PhoneError;
use crate::sms::status::{MessageKind, MessageStatus};
use crate::sms::template::{FieldError, RenderError};
use crate::sms::window::PlanError;
use crate::store::notes::RuleReason;

/// Every error of a template that does not parse, `; `-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateErrors(pub Vec<FieldError>);

impl Describe for TemplateErrors {
    fn describe(&self, lang: Lang) -> String {
        self.0
            .iter()
            .map(|e| e.describe(lang))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A message or template context as stored (`interview`, `batch`…), named from the `[kind]`
/// section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context(pub String);

impl Describe for Context {
    fn describe(&self, lang: Lang) -> String {
        let key = format!("kind.{}", self.0);
        match crate::i18n::tr(lang, &key) {
            t if t == key => self.0.clone(),
            t => t.to_string(),
        }
    }
}

crate::typed_messages! {
    /// What an operator wanted to do when a right was checked (texts: `[right_action]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Action in "right_action" {
        ChangeSettings,
        AddOperators,
        ChangeRights,
        AddCreditPacks,
        CreateAutomations,
        ChangeAutomations,
        SwitchAutomations,
        DeleteAutomations,
        RunAutomations,
        CreateTemplates,
        EditTemplates,
        ChangeTemplates,
        SwitchTemplates,
        DeleteTemplates,
        CreateEvents,
        ChangeEvents,
        CancelEvents,
        ImportContacts,
        ImportEvents,
        CreateList,
        ChangeList,
        RenameList,
        DeleteList,
        AddKeys,
        RemoveKeys,
        SeeKeys,
        ChangeLanguage,
        SettleReplies,
        TypeOutcome,
        EditContacts,
        ArchiveContacts,
    }
}

crate::typed_messages! {
    /// A right the operator lacks (texts: `[forbidden]`). The command line exits with 2.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Forbidden in "forbidden" {
        NotAdmin { login: String, action: Action },
        NotAdminFor { login: String, action: Action, of: String },
        NotActiveOperator { login: String, action: Action },
        NoRightAtAll { login: String, action: Action },
        NoBatchRight { login: String },
        TemplatesOnly { login: String },
        TemplatesOnlyChoose { login: String },
        TemplatesOnlyNoEdit { login: String },
        TemplatesOnlyFree { login: String },
        NoFreeSends { login: String },
        NoScheduleIndividual { login: String },
        NoSendIndividual { login: String },
        NoPlanAtTime { login: String },
        NoScheduleReminders { login: String },
        NoEditReminders { login: String },
        NoMoveReminders { login: String },
        NoEditKind { login: String, kind: MessageKind, right: Context },
        LockedTemplate { template: String },
        NotAuthorEdit { id: i64, created_by: String },
        NotAuthorMove { id: i64, created_by: String },
    }
}

crate::typed_messages! {
    /// A rule the input breaks (texts: `[refusal]`). The command line exits with 2.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Refusal in "refusal" {
        /// A refusal about someone or something: `Camille Martin: no mobile number`.
        About { who: String, refusal: Box<Refusal> },
        /// A time the sending window refuses or cannot plan.
        Plan { problem: Box<PlanError> },
        /// A template or text that does not parse: every error, `; `-separated.
        Template { problems: TemplateErrors },
        /// A template that cannot be written for one recipient.
        Render { problem: RenderError },
        BadNumber { number: String, problem: PhoneError },
        NoOperatorName,
        // Saved lists
        ListNameMissing,
        ListNameTooLong { max: usize, given: usize },
        ListNameControl,
        ListExists { name: String },
        ListProblem { name: String, problem: Box<crate::store::StoreProblem> },
        // Batches
        InterviewMissing { fields: Vec<InterviewField> },
        NoRecipientChoose,
        NothingToSend,
        ParticipantNotFound { id: i64 },
        ParticipantKindUnknown { kind: String },
        PeriodReversed { from: String, to: String },
        NoFilter,
        // Templates as used by a message
        TemplateInactive { template: String },
        TemplateLockedAsWritten { template: String },
        TemplateNotForBatch { template: String, context: Context },
        TemplateNotForReminder { template: String, context: Context, wanted: Context },
        // Texts and recipients
        MessageEmpty,
        NoOwnText,
        TooLong { segments: usize, chars: usize, encoding: crate::sms::encoding::Encoding, max: u32 },
        NumberOptedOut { e164: String },
        NumberNoConsent { e164: String, name: String },
        NoMobile { name: String },
        NoConsent { name: String },
        OptedOut { name: String },
        NoRecipient,
        NoValidNumber,
        // Messages not yet sent
        AlreadyFinalEdit { id: i64, status: MessageStatus },
        AlreadyFinalMove { id: i64, status: MessageStatus },
        AlreadyFinalCancel { status: MessageStatus },
        /// Only an administrator cancels someone else's message.
        NotAuthorCancel { created_by: String },
        NoSuchMessage,
        NotUnknown { id: i64, status: MessageStatus },
        MoveAsReminder { id: i64, kind: MessageKind },
        EditAsReminder { id: i64, kind: MessageKind },
        UnknownKind { id: i64, kind: String },
        StopMentionMissing { kind: MessageKind, stop: String },
        BeingSent { id: i64 },
        // Events and reminders
        StoredStartBad { event: i64, start: String },
        /// The event is cancelled: what was asked of it is refused.
        EventCancelled { event: i64, refused: CancelledEventChange },
        EventStarted { start: LocalTime },
        ReminderDays { max: i64, days: i64 },
        ReminderTooLate { days: i64, start: LocalTime, leaves: LocalTime },
        NotAReminder { id: i64, kind: Context },
        NotTiedToEvent { id: i64 },
        FollowUpBeforeEvent { start: LocalTime, planned: LocalTime },
        // Replies
        NoReply { reply: i64 },
        ReplyNotInReview { reply: i64 },
        ChooseOutcome,
        // Templates
        KeywordSyntax { n: usize, part: String },
        TemplateNameMissing,
        TemplateProblem { name: String, problem: FieldError },
        TemplateExists { name: String },
        KeywordsNeedReply { name: String },
        /// A reply keyword of the template `name` that cannot be kept.
        Keyword { name: String, keyword: String, problem: KeywordProblem },
        TemplateContextInUse { name: String, automations: i64 },
        TemplateInUse { name: String, used: i64, automations: i64 },
        // Automations
        EventTypeBlank { name: String },
        CollaboratorMissing { name: String, id: i64 },
        DaysTooFar { days: u32, max: u32 },
        DaysPastCalendar { days: u32 },
        // Operators and keys
        LanguageUnknown { given: String },
        /// A public key line that cannot be used.
        Key { problem: crate::access::keys::KeyProblem },
        // Credit packs
        PackUnitsBad,
        PackDateBad,
        PackPriceBad { field: PriceField, given: String },
        PackPriceTwice,
        PackCurrencyBad { given: String },
        // Imports
        NoValidContact { file: String },
        NoValidEvent { file: String },
        ImportRow { file: String, row: usize, problem: Box<crate::store::StoreProblem> },
        CollaboratorInactive { name: String },
        NoSuchCollaborator { name: String, known: String },
        NoCollaboratorAtAll { name: String },
        SeveralCollaborators { name: String },
        // Contacts created and edited one at a time
        ContactField { field: crate::io::contacts::ContactField, value: String, reason: crate::io::issue::IssueReason },
        ContactFieldEmpty { field: crate::io::contacts::ContactField, reason: crate::io::issue::IssueReason },
        NothingToChange,
        AlreadyArchived { name: String },
        NotArchived { name: String },
        Archived { name: String },
    }
}

crate::typed_messages! {
    /// What is refused of a cancelled event, in [`Refusal::EventCancelled`] (texts:
    /// `[cancelled_event_change]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum CancelledEventChange in "cancelled_event_change" {
        Reminder,
        Change,
        Cancel,
    }
}

crate::typed_messages! {
    /// What is wrong with a reply keyword, in [`Refusal::Keyword`] (texts: `[keyword_problem]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum KeywordProblem in "keyword_problem" {
        /// Nothing is left once accents and punctuation are removed.
        Empty,
        NoOutcome,
        Twice,
    }
}

crate::typed_messages! {
    /// A required field of the interview a batch records (texts: `[interview_field]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum InterviewField in "interview_field" {
        DateTime,
        Collaborator,
        InterviewType,
        Theme,
        Outcome,
    }
}

crate::typed_messages! {
    /// The price field of a credit pack a refusal names (texts: `[price_field]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum PriceField in "price_field" {
        Unit,
        Total,
    }
}

/// In JSON (the command line's `--json`), a refusal is its English text.
impl serde::Serialize for Refusal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Refusal {
    /// This refusal about `who` (nothing added when `who` is empty).
    pub fn about(self, who: &str) -> Refusal {
        if who.is_empty() {
            self
        } else {
            Refusal::About {
                who: who.to_string(),
                refusal: Box::new(self),
            }
        }
    }
}

/// A local date-time as operators read it, the day named in their language:
/// `Saturday 28/03/2026 09:00`, `samedi 28/03/2026 09:00` (see [`crate::i18n::dates`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime(pub chrono::NaiveDateTime);

impl Describe for LocalTime {
    fn describe(&self, lang: Lang) -> String {
        // Wall-clock fields as they are (no zone is printed).
        crate::i18n::dates::named_day_time(self.0, lang)
    }
}

crate::typed_messages! {
    /// What a change of the agenda did to its reminders, for the operator (texts: `[notice]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Notice in "notice" {
        Planned { what: MessageKind, id: i64, when: LocalTime },
        PlannedByRule { what: MessageKind, id: i64, when: LocalTime, rule: String },
        ReplannedRerendered { id: i64, when: LocalTime, dropped: Option<EditDropped> },
        Replanned { id: i64, when: LocalTime, dropped: Option<EditDropped> },
        Rerendered { id: i64, when: LocalTime, dropped: Option<EditDropped> },
        ReminderCancelled { id: i64, reason: RuleReason },
        RuleSkipped { rule: String, reason: RuleReason },
        RuleBroken { rule: String },
    }
}

crate::typed_messages! {
    /// Added to a re-rendered reminder's notice when the operator's own text was dropped.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum EditDropped in "notice_part" {
        ManualEditDropped,
    }
}

/// Why a reply waits for a review: stored with the reply, so it lives with the store.
pub use crate::store::replies::ReviewReason;
