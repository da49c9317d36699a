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
        ChangeSettings = "change_settings",
        AddOperators = "add_operators",
        ChangeRights = "change_rights",
        AddCreditPacks = "add_credit_packs",
        CreateAutomations = "create_automations",
        ChangeAutomations = "change_automations",
        SwitchAutomations = "switch_automations",
        DeleteAutomations = "delete_automations",
        RunAutomations = "run_automations",
        CreateTemplates = "create_templates",
        EditTemplates = "edit_templates",
        ChangeTemplates = "change_templates",
        SwitchTemplates = "switch_templates",
        DeleteTemplates = "delete_templates",
        CreateEvents = "create_events",
        ChangeEvents = "change_events",
        CancelEvents = "cancel_events",
        ImportContacts = "import_contacts",
        ImportEvents = "import_events",
        CreateList = "create_list",
        ChangeList = "change_list",
        RenameList = "rename_list",
        DeleteList = "delete_list",
        AddKeys = "add_keys",
        RemoveKeys = "remove_keys",
        SeeKeys = "see_keys",
        ChangeLanguage = "change_language",
        SettleReplies = "settle_replies",
        TypeOutcome = "type_outcome",
        EditContacts = "edit_contacts",
        ArchiveContacts = "archive_contacts",
    }
}

crate::typed_messages! {
    /// A right the operator lacks (texts: `[forbidden]`). The command line exits with 2.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Forbidden in "forbidden" {
        NotAdmin { login: String, action: Action } = "not_admin",
        NotAdminFor { login: String, action: Action, of: String } = "not_admin_for",
        NotActiveOperator { login: String, action: Action } = "not_active_operator",
        NoRightAtAll { login: String, action: Action } = "no_right_at_all",
        NoBatchRight { login: String } = "no_batch_right",
        TemplatesOnly { login: String } = "templates_only",
        TemplatesOnlyChoose { login: String } = "templates_only_choose",
        TemplatesOnlyNoEdit { login: String } = "templates_only_no_edit",
        TemplatesOnlyFree { login: String } = "templates_only_free",
        NoFreeSends { login: String } = "no_free_sends",
        NoScheduleIndividual { login: String } = "no_schedule_individual",
        NoSendIndividual { login: String } = "no_send_individual",
        NoPlanAtTime { login: String } = "no_plan_at_time",
        NoScheduleReminders { login: String } = "no_schedule_reminders",
        NoEditReminders { login: String } = "no_edit_reminders",
        NoMoveReminders { login: String } = "no_move_reminders",
        NoEditKind { login: String, kind: MessageKind, right: Context } = "no_edit_kind",
        LockedTemplate { template: String } = "locked_template",
        NotAuthorEdit { id: i64, created_by: String } = "not_author_edit",
        NotAuthorMove { id: i64, created_by: String } = "not_author_move",
    }
}

crate::typed_messages! {
    /// A rule the input breaks (texts: `[refusal]`). The command line exits with 2.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Refusal in "refusal" {
        /// A refusal about someone or something: `Camille Martin: no mobile number`.
        About { who: String, refusal: Box<Refusal> } = "about",
        /// A time the sending window refuses or cannot plan.
        Plan { problem: Box<PlanError> } = "plan",
        /// A template or text that does not parse: every error, `; `-separated.
        Template { problems: TemplateErrors } = "template",
        /// A template that cannot be written for one recipient.
        Render { problem: RenderError } = "render",
        BadNumber { number: String, problem: PhoneError } = "bad_number",
        NoOperatorName = "no_operator_name",
        // Saved lists
        ListNameMissing = "list_name_missing",
        ListNameTooLong { max: usize, given: usize } = "list_name_too_long",
        ListNameControl = "list_name_control",
        ListExists { name: String } = "list_exists",
        ListProblem { name: String, problem: Box<crate::store::StoreProblem> } = "list_problem",
        // Batches
        InterviewMissing { fields: Vec<InterviewField> } = "interview_missing",
        NoRecipientChoose = "no_recipient_choose",
        NothingToSend = "nothing_to_send",
        ParticipantNotFound { id: i64 } = "participant_not_found",
        ParticipantKindUnknown { kind: String } = "participant_kind_unknown",
        PeriodReversed { from: String, to: String } = "period_reversed",
        NoFilter = "no_filter",
        // Templates as used by a message
        TemplateInactive { template: String } = "template_inactive",
        TemplateLockedAsWritten { template: String } = "template_locked_as_written",
        TemplateNotForBatch { template: String, context: Context } = "template_not_for_batch",
        TemplateNotForReminder { template: String, context: Context, wanted: Context } = "template_not_for_reminder",
        // Texts and recipients
        MessageEmpty = "message_empty",
        NoOwnText = "no_own_text",
        TooLong { segments: usize, chars: usize, encoding: crate::sms::encoding::Encoding, max: u32 } = "too_long",
        NumberOptedOut { e164: String } = "number_opted_out",
        NumberNoConsent { e164: String, name: String } = "number_no_consent",
        NoMobile { name: String } = "no_mobile",
        NoConsent { name: String } = "no_consent",
        OptedOut { name: String } = "opted_out",
        NoRecipient = "no_recipient",
        NoValidNumber = "no_valid_number",
        // Messages not yet sent
        AlreadyFinalEdit { id: i64, status: MessageStatus } = "already_final_edit",
        AlreadyFinalMove { id: i64, status: MessageStatus } = "already_final_move",
        AlreadyFinalCancel { status: MessageStatus } = "already_final_cancel",
        /// Only an administrator cancels someone else's message.
        NotAuthorCancel { created_by: String } = "not_author_cancel",
        NoSuchMessage = "no_such_message",
        NotUnknown { id: i64, status: MessageStatus } = "not_unknown",
        MoveAsReminder { id: i64, kind: MessageKind } = "move_as_reminder",
        EditAsReminder { id: i64, kind: MessageKind } = "edit_as_reminder",
        UnknownKind { id: i64, kind: String } = "unknown_kind",
        StopMentionMissing { kind: MessageKind, stop: String } = "stop_mention_missing",
        BeingSent { id: i64 } = "being_sent",
        // Events and reminders
        StoredStartBad { event: i64, start: String } = "stored_start_bad",
        EventCancelledNoReminder { event: i64 } = "event_cancelled_no_reminder",
        EventStarted { start: LocalTime } = "event_started",
        ReminderDays { max: i64, days: i64 } = "reminder_days",
        ReminderTooLate { days: i64, start: LocalTime, leaves: LocalTime } = "reminder_too_late",
        NotAReminder { id: i64, kind: Context } = "not_a_reminder",
        NotTiedToEvent { id: i64 } = "not_tied_to_event",
        FollowUpBeforeEvent { start: LocalTime, planned: LocalTime } = "follow_up_before_event",
        EventCancelledNoChange { event: i64 } = "event_cancelled_no_change",
        EventAlreadyCancelled { event: i64 } = "event_already_cancelled",
        // Replies
        ChooseOutcome = "choose_outcome",
        NoReply { reply: i64 } = "no_reply",
        ReplyNotInReview { reply: i64 } = "reply_not_in_review",
        // Templates
        KeywordSyntax { n: usize, part: String } = "keyword_syntax",
        TemplateNameMissing = "template_name_missing",
        TemplateProblem { name: String, problem: FieldError } = "template_problem",
        TemplateExists { name: String } = "template_exists",
        KeywordsNeedReply { name: String } = "keywords_need_reply",
        KeywordEmpty { name: String, keyword: String } = "keyword_empty",
        KeywordNoOutcome { name: String, keyword: String } = "keyword_no_outcome",
        KeywordTwice { name: String, keyword: String } = "keyword_twice",
        TemplateContextInUse { name: String, automations: i64 } = "template_context_in_use",
        TemplateInUse { name: String, used: i64, automations: i64 } = "template_in_use",
        // Automations
        CollaboratorMissing { name: String, id: i64 } = "collaborator_missing",
        EventTypeBlank { name: String } = "event_type_blank",
        DaysTooFar { days: u32, max: u32 } = "days_too_far",
        DaysPastCalendar { days: u32 } = "days_past_calendar",
        // Operators and keys
        LanguageUnknown { given: String } = "language_unknown",
        /// A public key line that cannot be used.
        Key { problem: crate::access::keys::KeyProblem } = "key",
        // Credit packs
        PackUnitsBad = "pack_units_bad",
        PackDateBad = "pack_date_bad",
        PackPriceBad { field: PriceField, given: String } = "pack_price_bad",
        PackPriceTwice = "pack_price_twice",
        PackCurrencyBad { given: String } = "pack_currency_bad",
        // Imports
        NoValidContact { file: String } = "no_valid_contact",
        NoValidEvent { file: String } = "no_valid_event",
        ImportRow { file: String, row: usize, problem: Box<crate::store::StoreProblem> } = "import_row",
        CollaboratorInactive { name: String } = "collaborator_inactive",
        NoSuchCollaborator { name: String, known: String } = "no_such_collaborator",
        NoCollaboratorAtAll { name: String } = "no_collaborator_at_all",
        SeveralCollaborators { name: String } = "several_collaborators",
        // Contacts created and edited one at a time
        ContactField { field: crate::core::contacts::Field, value: String, reason: crate::io::issue::IssueReason } = "contact_field",
        ContactFieldEmpty { field: crate::core::contacts::Field, reason: crate::io::issue::IssueReason } = "contact_field_empty",
        NothingToChange = "nothing_to_change",
        AlreadyArchived { name: String } = "already_archived",
        NotArchived { name: String } = "not_archived",
        Archived { name: String } = "archived",
    }
}

crate::typed_messages! {
    /// A required field of the interview a batch records (texts: `[interview_field]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum InterviewField in "interview_field" {
        DateTime = "date_time",
        Collaborator = "collaborator",
        InterviewType = "interview_type",
        Theme = "theme",
        Outcome = "outcome",
    }
}

crate::typed_messages! {
    /// The price field of a credit pack a refusal names (texts: `[price_field]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum PriceField in "price_field" {
        Unit = "unit",
        Total = "total",
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
        Planned { what: MessageKind, id: i64, when: LocalTime } = "planned",
        PlannedByRule { what: MessageKind, id: i64, when: LocalTime, rule: String } = "planned_by_rule",
        ReplannedRerendered { id: i64, when: LocalTime, dropped: Option<EditDropped> } = "replanned_rerendered",
        Replanned { id: i64, when: LocalTime, dropped: Option<EditDropped> } = "replanned",
        Rerendered { id: i64, when: LocalTime, dropped: Option<EditDropped> } = "rerendered",
        ReminderCancelled { id: i64, reason: RuleReason } = "reminder_cancelled",
        RuleSkipped { rule: String, reason: RuleReason } = "rule_skipped",
        RuleBroken { rule: String } = "rule_broken",
    }
}

crate::typed_messages! {
    /// Added to a re-rendered reminder's notice when the operator's own text was dropped.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum EditDropped in "notice_part" {
        ManualEditDropped = "manual_edit_dropped",
    }
}

/// Why a reply waits for a review: stored with the reply, so it lives with the store.
pub use crate::store::replies::ReviewReason;
