//! Merge fields and template rendering.
//!
//! A template is a text with merge fields such as `{{participant.first_name}}` or
//! `{{event.date|%A %d %B}}`. It is parsed once for a [`TemplateContext`] (which decides the
//! fields it may use) into a [`ParsedTemplate`], then rendered many times, once per recipient,
//! with [`render`]. Rendering never leaves an empty hole: a missing value is an error naming
//! the field, so a batch preview can show it before anything is sent.
//!
//! Syntax rules:
//! - `{{ key }}` or `{{ key | strftime format }}`; whitespace inside the braces is ignored.
//! - A lone `{` or `}` is plain text; `{{{x}}}` is a `{`, the field `x`, then a `}`.
//! - `{{` without a closing `}}` on the same line is an error with its position.
//! - A format is only accepted on date/time fields (`event.date`, `event.time`,
//!   `event.datetime`); it uses chrono's strftime codes with French or English names.
//! - Free sends take no merge field at all: any `{{` is refused.

use std::fmt;
use std::str::FromStr;

use chrono::format::{DelayedFormat, Item, StrftimeItems};
use chrono::{Datelike, Locale, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Interface language: defined in `crate::i18n`.
// ---------------------------------------------------------------------------------------------

pub use crate::i18n::{Lang, LangParseError};

// ---------------------------------------------------------------------------------------------
// Contexts
// ---------------------------------------------------------------------------------------------

/// Where a template is used; it decides which merge fields are available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateContext {
    /// Reminder of an interview (appointment).
    Interview,
    /// Reminder of a programme step.
    Step,
    /// Reminder of an orientation (referral).
    Orientation,
    /// One text sent to a list of participants (no event of their own).
    Batch,
    /// Plain text sent to phone numbers: no merge fields at all.
    Free,
}

impl TemplateContext {
    /// Every context, in the order a picker shows them.
    pub const ALL: [TemplateContext; 5] = [
        TemplateContext::Interview,
        TemplateContext::Step,
        TemplateContext::Orientation,
        TemplateContext::Batch,
        TemplateContext::Free,
    ];

    /// Stable identifier (as stored and as serialised): `interview`, `step`, …
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateContext::Interview => "interview",
            TemplateContext::Step => "step",
            TemplateContext::Orientation => "orientation",
            TemplateContext::Batch => "batch",
            TemplateContext::Free => "free",
        }
    }

    /// Label shown to the operator.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (TemplateContext::Interview, Lang::Fr) => "Entretien",
            (TemplateContext::Interview, Lang::En) => "Interview",
            (TemplateContext::Step, Lang::Fr) => "Étape",
            (TemplateContext::Step, Lang::En) => "Step",
            (TemplateContext::Orientation, Lang::Fr) => "Orientation",
            (TemplateContext::Orientation, Lang::En) => "Orientation",
            (TemplateContext::Batch, Lang::Fr) => "Envoi par lot",
            (TemplateContext::Batch, Lang::En) => "Batch",
            (TemplateContext::Free, Lang::Fr) => "Envoi libre",
            (TemplateContext::Free, Lang::En) => "Free send",
        }
    }

    /// Whether messages of this context belong to an event (interview, step, orientation),
    /// so that `event.*` fields have a value.
    pub fn has_event(self) -> bool {
        matches!(
            self,
            TemplateContext::Interview | TemplateContext::Step | TemplateContext::Orientation
        )
    }
}

impl fmt::Display for TemplateContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl crate::i18n::Describe for TemplateContext {
    /// The context as messages name it (`batch`, `groupé`): `[kind]` in the catalogues.
    fn describe(&self, lang: Lang) -> String {
        crate::i18n::tr(lang, &format!("kind.{}", self.as_str())).to_string()
    }
}

/// `Display` in English (logs and the command line) for a type that is [`Describe`]d.
///
/// [`Describe`]: crate::i18n::Describe
macro_rules! english_display {
    ($($t:ty),*) => {
        $(impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&crate::i18n::Describe::describe(self, Lang::En))
            }
        }

        impl std::error::Error for $t {})*
    };
}

/// A context name that matches none of the known contexts (text:
/// `[template_context_error]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextParseError(pub String);

impl ContextParseError {
    /// Its catalogue key and placeholders (checked in both languages).
    pub const KEYS: crate::i18n::MessageKeys = &[("template_context_error.unknown", &["context"])];
}

impl crate::i18n::Describe for ContextParseError {
    fn describe(&self, lang: Lang) -> String {
        crate::i18n::fill(
            lang,
            "template_context_error.unknown",
            &[("context", self.0.clone())],
        )
    }
}

english_display!(ContextParseError);

impl FromStr for TemplateContext {
    type Err = ContextParseError;

    /// Accepts the identifiers (`interview`…) and the French words (`entretien`, `étape`,
    /// `lot`, `libre`), in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "interview" | "entretien" => Ok(TemplateContext::Interview),
            "step" | "étape" | "etape" => Ok(TemplateContext::Step),
            "orientation" => Ok(TemplateContext::Orientation),
            "batch" | "lot" | "envoi par lot" => Ok(TemplateContext::Batch),
            "free" | "libre" | "envoi libre" | "free send" => Ok(TemplateContext::Free),
            _ => Err(ContextParseError(s.to_string())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Field catalogue
// ---------------------------------------------------------------------------------------------

/// One merge field. The order is the catalogue order (and indexes [`FieldSpec`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    ParticipantCivility,
    ParticipantFirstName,
    ParticipantLastName,
    ParticipantFullName,
    ParticipantProgramme,
    EventDate,
    EventTime,
    EventDatetime,
    EventType,
    EventLocation,
    EventKind,
    CollaboratorFirstName,
    CollaboratorLastName,
    CollaboratorFullName,
    CollaboratorPhone,
    OrganisationName,
    OrganisationSender,
    OrganisationSignature,
}

impl Field {
    /// Its description in the catalogue.
    pub fn spec(self) -> &'static FieldSpec {
        &ALL_FIELDS[self as usize]
    }

    /// The key written between braces, e.g. `participant.first_name`.
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// Whether the field is a date or time (and so accepts a `|format`).
    pub fn is_date(self) -> bool {
        self.spec().is_date
    }

    /// Whether the field belongs to the event (its value changes when the event does).
    pub fn is_event(self) -> bool {
        self.key().starts_with("event.")
    }

    /// Finds a field by its exact key.
    pub fn from_key(key: &str) -> Option<Field> {
        ALL_FIELDS.iter().find(|s| s.key == key).map(|s| s.field)
    }

    /// Whether a template of this context may use the field.
    pub fn allowed_in(self, ctx: TemplateContext) -> bool {
        match ctx {
            TemplateContext::Free => false,
            TemplateContext::Batch => !self.is_event(),
            _ => true,
        }
    }
}

/// A merge field as a picker lists it: key to insert, labels, and a sample value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The field itself.
    pub field: Field,
    /// Key written between braces, e.g. `participant.first_name`.
    pub key: &'static str,
    /// French label.
    pub label_fr: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// The value [`MergeData::sample`]`(Lang::Fr)` renders for this field.
    pub sample_fr: &'static str,
    /// The value [`MergeData::sample`]`(Lang::En)` renders for this field.
    pub sample_en: &'static str,
    /// Date or time field: accepts a strftime format after `|`.
    pub is_date: bool,
}

impl FieldSpec {
    /// Label in the given language.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => self.label_fr,
            Lang::En => self.label_en,
        }
    }

    /// Sample value in the given language (as rendered from [`MergeData::sample`]).
    pub fn sample(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => self.sample_fr,
            Lang::En => self.sample_en,
        }
    }

    /// Text a picker inserts into the editor: `{{participant.first_name}}`.
    pub fn placeholder(&self) -> String {
        format!("{{{{{}}}}}", self.key)
    }
}

/// Shorthand to keep the catalogue table readable.
const fn spec(
    field: Field,
    key: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
    sample_fr: &'static str,
    sample_en: &'static str,
    is_date: bool,
) -> FieldSpec {
    FieldSpec {
        field,
        key,
        label_fr,
        label_en,
        sample_fr,
        sample_en,
        is_date,
    }
}

/// Every field, in [`Field`] order: the catalogue of the event contexts.
static ALL_FIELDS: [FieldSpec; 18] = [
    spec(
        Field::ParticipantCivility,
        "participant.civility",
        "Civilité du participant",
        "Participant's title",
        "Mme",
        "Mme",
        false,
    ),
    spec(
        Field::ParticipantFirstName,
        "participant.first_name",
        "Prénom du participant",
        "Participant's first name",
        "Camille",
        "Camille",
        false,
    ),
    spec(
        Field::ParticipantLastName,
        "participant.last_name",
        "Nom du participant",
        "Participant's last name",
        "Martin",
        "Martin",
        false,
    ),
    spec(
        Field::ParticipantFullName,
        "participant.full_name",
        "Prénom et nom du participant",
        "Participant's full name",
        "Camille Martin",
        "Camille Martin",
        false,
    ),
    spec(
        Field::ParticipantProgramme,
        "participant.programme",
        "Dispositif du participant",
        "Participant's programme",
        "Contrat d'engagement jeune",
        "Contrat d'engagement jeune",
        false,
    ),
    spec(
        Field::EventDate,
        "event.date",
        "Date du rendez-vous",
        "Event date",
        "mardi 14 avril",
        "Tuesday 14 April",
        true,
    ),
    spec(
        Field::EventTime,
        "event.time",
        "Heure du rendez-vous",
        "Event time",
        "14h30",
        "2:30 pm",
        true,
    ),
    spec(
        Field::EventDatetime,
        "event.datetime",
        "Date et heure du rendez-vous",
        "Event date and time",
        "mardi 14 avril à 14h30",
        "Tuesday 14 April at 2:30 pm",
        true,
    ),
    spec(
        Field::EventType,
        "event.type",
        "Type de rendez-vous",
        "Event type",
        "Diagnostic",
        "Diagnosis",
        false,
    ),
    spec(
        Field::EventLocation,
        "event.location",
        "Lieu du rendez-vous",
        "Event location",
        "12 rue de la République, Lyon",
        "12 rue de la République, Lyon",
        false,
    ),
    spec(
        Field::EventKind,
        "event.kind",
        "Nature (entretien, étape, orientation)",
        "Kind (interview, step, orientation)",
        "entretien",
        "interview",
        false,
    ),
    spec(
        Field::CollaboratorFirstName,
        "collaborator.first_name",
        "Prénom du conseiller",
        "Counsellor's first name",
        "Julien",
        "Julien",
        false,
    ),
    spec(
        Field::CollaboratorLastName,
        "collaborator.last_name",
        "Nom du conseiller",
        "Counsellor's last name",
        "Dubois",
        "Dubois",
        false,
    ),
    spec(
        Field::CollaboratorFullName,
        "collaborator.full_name",
        "Prénom et nom du conseiller",
        "Counsellor's full name",
        "Julien Dubois",
        "Julien Dubois",
        false,
    ),
    spec(
        Field::CollaboratorPhone,
        "collaborator.phone",
        "Téléphone du conseiller",
        "Counsellor's phone",
        "06 12 34 56 78",
        "06 12 34 56 78",
        false,
    ),
    spec(
        Field::OrganisationName,
        "organisation.name",
        "Nom de la structure",
        "Organisation name",
        "Mission locale de Lyon",
        "Mission locale de Lyon",
        false,
    ),
    spec(
        Field::OrganisationSender,
        "organisation.sender",
        "Expéditeur des SMS",
        "SMS sender name",
        "MLLYON",
        "MLLYON",
        false,
    ),
    spec(
        Field::OrganisationSignature,
        "organisation.signature",
        "Signature",
        "Signature",
        "Mission locale de Lyon - 04 78 00 00 00",
        "Mission locale de Lyon - 04 78 00 00 00",
        false,
    ),
];

/// Batch messages have no event of their own: participant, collaborator and organisation only.
static BATCH_FIELDS: [FieldSpec; 12] = [
    ALL_FIELDS[0],
    ALL_FIELDS[1],
    ALL_FIELDS[2],
    ALL_FIELDS[3],
    ALL_FIELDS[4],
    ALL_FIELDS[11],
    ALL_FIELDS[12],
    ALL_FIELDS[13],
    ALL_FIELDS[14],
    ALL_FIELDS[15],
    ALL_FIELDS[16],
    ALL_FIELDS[17],
];

/// The fields a template of this context may use, in picker order. Empty for free sends.
pub fn catalogue(ctx: TemplateContext) -> &'static [FieldSpec] {
    match ctx {
        TemplateContext::Interview | TemplateContext::Step | TemplateContext::Orientation => {
            &ALL_FIELDS
        }
        TemplateContext::Batch => &BATCH_FIELDS,
        TemplateContext::Free => &[],
    }
}

// ---------------------------------------------------------------------------------------------
// Merge data
// ---------------------------------------------------------------------------------------------

/// The participant a message is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantData {
    pub civility: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub programme: Option<String>,
}

/// The event a reminder is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventData {
    /// Start, in the organisation's local time (what the participant reads on a clock).
    pub start: Option<NaiveDateTime>,
    /// Type of the event, e.g. "Diagnostic", "Atelier CV".
    pub event_type: Option<String>,
    pub location: Option<String>,
    /// Kind as the recipient should read it, e.g. "entretien", "étape", "orientation".
    pub kind: Option<String>,
}

/// A person with a phone: the counsellor (collaborator) of the event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonData {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Preferably E.164; French numbers are rendered in the national form `06 12 34 56 78`.
    pub phone: Option<String>,
}

/// The organisation sending the messages (from the settings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgData {
    pub name: Option<String>,
    pub sender: Option<String>,
    pub signature: Option<String>,
}

/// Everything a template may draw from for one recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeData {
    pub participant: Option<ParticipantData>,
    pub event: Option<EventData>,
    pub collaborator: Option<PersonData>,
    pub organisation: OrgData,
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

impl MergeData {
    /// Realistic French sample data for live previews: every field has a value, and rendering
    /// field `f` gives `f.spec().sample(lang)`.
    pub fn sample(lang: Lang) -> MergeData {
        let start = NaiveDate::from_ymd_opt(2026, 4, 14).and_then(|d| d.and_hms_opt(14, 30, 0));
        let (event_type, kind) = match lang {
            Lang::Fr => ("Diagnostic", "entretien"),
            Lang::En => ("Diagnosis", "interview"),
        };
        MergeData {
            participant: Some(ParticipantData {
                civility: some("Mme"),
                first_name: some("Camille"),
                last_name: some("Martin"),
                programme: some("Contrat d'engagement jeune"),
            }),
            event: Some(EventData {
                start,
                event_type: some(event_type),
                location: some("12 rue de la République, Lyon"),
                kind: some(kind),
            }),
            collaborator: Some(PersonData {
                first_name: some("Julien"),
                last_name: some("Dubois"),
                phone: some("+33612345678"),
            }),
            organisation: OrgData {
                name: some("Mission locale de Lyon"),
                sender: some("MLLYON"),
                signature: some("Mission locale de Lyon - 04 78 00 00 00"),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// A strftime format checked once at parse time and kept as chrono items for both languages,
/// so rendering never re-parses the format string.
#[derive(Debug, Clone, PartialEq)]
pub struct DateFormat {
    source: String,
    items_fr: Vec<Item<'static>>,
    items_en: Vec<Item<'static>>,
}

impl DateFormat {
    /// The format as written in the template.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn items(&self, lang: Lang) -> &[Item<'static>] {
        match lang {
            Lang::Fr => &self.items_fr,
            Lang::En => &self.items_en,
        }
    }
}

/// One merge field occurrence in a parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef {
    /// The field.
    pub field: Field,
    /// Explicit format (date/time fields only); `None` means the default for the language.
    pub format: Option<DateFormat>,
}

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Text copied as is.
    Literal(String),
    /// A merge field replaced by its value.
    Field(FieldRef),
}

/// A template checked for its context and split into pieces, ready to render many times.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedTemplate {
    context: TemplateContext,
    pieces: Vec<Piece>,
    literal_len: usize,
}

impl ParsedTemplate {
    /// The context it was checked for.
    pub fn context(&self) -> TemplateContext {
        self.context
    }

    /// Literal and field pieces, in text order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Whether the template has no merge field (renders to the same text for everyone).
    pub fn is_plain(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Literal(_)))
    }

    /// Whether some field comes from the event (re-render when the event changes).
    pub fn uses_event_fields(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Field(f) if f.field.is_event()))
    }
}

/// What is wrong with a template at one place (texts: `[template_error]`; an unknown field
/// with a suggestion and a field out of a context without event have their own text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldErrorKind {
    Unclosed,
    Empty,
    Unknown {
        name: String,
        suggestion: Option<&'static str>,
    },
    NotInContext {
        field: &'static str,
        context: TemplateContext,
    },
    FieldsNotAllowed,
    FormatOnText {
        field: &'static str,
    },
    EmptyFormat {
        field: &'static str,
    },
    InvalidFormat {
        field: &'static str,
        format: String,
    },
    FormatNeedsTimezone {
        field: &'static str,
        format: String,
    },
}

impl FieldErrorKind {
    /// Every text's catalogue key and placeholders (checked in both languages).
    pub const KEYS: crate::i18n::MessageKeys = &[
        ("template_error.unclosed", &[]),
        ("template_error.empty", &[]),
        ("template_error.unknown", &["name"]),
        (
            "template_error.unknown_did_you_mean",
            &["name", "suggestion"],
        ),
        ("template_error.not_in_context", &["field", "context"]),
        (
            "template_error.not_in_context_no_event",
            &["field", "context"],
        ),
        ("template_error.fields_not_allowed", &[]),
        ("template_error.format_on_text", &["field"]),
        ("template_error.empty_format", &["field"]),
        ("template_error.invalid_format", &["field", "format"]),
        ("template_error.format_needs_timezone", &["field", "format"]),
    ];
}

impl crate::i18n::Describe for FieldErrorKind {
    fn describe(&self, lang: Lang) -> String {
        use crate::i18n::fill;
        let field = |f: &str| ("field", f.to_string());
        match self {
            FieldErrorKind::Unclosed => fill(lang, "template_error.unclosed", &[]),
            FieldErrorKind::Empty => fill(lang, "template_error.empty", &[]),
            FieldErrorKind::Unknown {
                name,
                suggestion: None,
            } => fill(lang, "template_error.unknown", &[("name", name.clone())]),
            FieldErrorKind::Unknown {
                name,
                suggestion: Some(s),
            } => fill(
                lang,
                "template_error.unknown_did_you_mean",
                &[("name", name.clone()), ("suggestion", s.to_string())],
            ),
            FieldErrorKind::NotInContext { field: f, context } => fill(
                lang,
                if context.has_event() {
                    "template_error.not_in_context"
                } else {
                    "template_error.not_in_context_no_event"
                },
                &[field(f), ("context", context.describe(lang))],
            ),
            FieldErrorKind::FieldsNotAllowed => {
                fill(lang, "template_error.fields_not_allowed", &[])
            }
            FieldErrorKind::FormatOnText { field: f } => {
                fill(lang, "template_error.format_on_text", &[field(f)])
            }
            FieldErrorKind::EmptyFormat { field: f } => {
                fill(lang, "template_error.empty_format", &[field(f)])
            }
            FieldErrorKind::InvalidFormat { field: f, format } => fill(
                lang,
                "template_error.invalid_format",
                &[field(f), ("format", format.clone())],
            ),
            FieldErrorKind::FormatNeedsTimezone { field: f, format } => fill(
                lang,
                "template_error.format_needs_timezone",
                &[field(f), ("format", format.clone())],
            ),
        }
    }
}

/// An error in a template, with where it is: the opening `{{` of the faulty field (text:
/// `[field_error]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// What is wrong.
    pub kind: FieldErrorKind,
    /// Offset of the opening `{{`, in characters from the start of the text (0-based).
    pub offset: usize,
    /// Line of the opening `{{`, 1-based.
    pub line: usize,
    /// Column of the opening `{{`, in characters, 1-based.
    pub column: usize,
    /// Length of the faulty part in characters (to highlight it).
    pub len: usize,
}

impl FieldError {
    /// Its catalogue key and placeholders (checked in both languages).
    pub const KEYS: crate::i18n::MessageKeys = &[("field_error.at", &["line", "column", "kind"])];
}

impl crate::i18n::Describe for FieldError {
    fn describe(&self, lang: Lang) -> String {
        crate::i18n::fill(
            lang,
            "field_error.at",
            &[
                ("line", self.line.to_string()),
                ("column", self.column.to_string()),
                ("kind", self.kind.describe(lang)),
            ],
        )
    }
}

english_display!(FieldErrorKind, FieldError);

/// Byte range of one `{{…}}` in the source, for error positions.
struct Span {
    start: usize,
    end: usize,
}

/// Checks `text` for the fields allowed in `ctx` and splits it into pieces.
///
/// Every problem is reported (not only the first), each with its position, so the editor can
/// mark them all at once.
pub fn parse(text: &str, ctx: TemplateContext) -> Result<ParsedTemplate, Vec<FieldError>> {
    let bytes = text.as_bytes();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut errors: Vec<(Span, FieldErrorKind)> = Vec::new();
    let mut literal = String::new();
    let mut literal_len = 0;
    let mut i = 0;

    while let Some(rel) = text[i..].find("{{") {
        let mut open = i + rel;
        // In `{{{x}}}` the field starts at the last `{{`; earlier braces are plain text.
        while bytes.get(open + 2) == Some(&b'{') {
            open += 1;
        }
        literal.push_str(&text[i..open]);
        let inner_start = open + 2;
        let rest = &text[inner_start..];
        // A field ends at the first `}}`, on the same line and with no other `{{` before it.
        let close = rest
            .find("}}")
            .filter(|&c| !rest[..c].contains('\n') && !rest[..c].contains("{{"));
        let close = match close {
            Some(c) => inner_start + c,
            None => {
                let kind = if ctx == TemplateContext::Free {
                    FieldErrorKind::FieldsNotAllowed
                } else {
                    FieldErrorKind::Unclosed
                };
                errors.push((
                    Span {
                        start: open,
                        end: inner_start,
                    },
                    kind,
                ));
                i = inner_start;
                continue;
            }
        };
        let span = Span {
            start: open,
            end: close + 2,
        };
        i = close + 2;
        if ctx == TemplateContext::Free {
            errors.push((span, FieldErrorKind::FieldsNotAllowed));
            continue;
        }
        match parse_field(&text[inner_start..close], ctx) {
            Ok(field) => {
                if !literal.is_empty() {
                    literal_len += literal.len();
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Field(field));
            }
            Err(kind) => errors.push((span, kind)),
        }
    }
    literal.push_str(&text[i..]);
    if !literal.is_empty() {
        literal_len += literal.len();
        pieces.push(Piece::Literal(literal));
    }

    if errors.is_empty() {
        Ok(ParsedTemplate {
            context: ctx,
            pieces,
            literal_len,
        })
    } else {
        Err(errors
            .into_iter()
            .map(|(span, kind)| locate(text, span, kind))
            .collect())
    }
}

/// Turns a byte span into character offset, line and column.
fn locate(text: &str, span: Span, kind: FieldErrorKind) -> FieldError {
    let before = &text[..span.start];
    let offset = before.chars().count();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let column = before[line_start..].chars().count() + 1;
    let len = text[span.start..span.end].chars().count();
    FieldError {
        kind,
        offset,
        line,
        column,
        len,
    }
}

/// Checks what lies between `{{` and `}}`: a key, optionally `| format`.
fn parse_field(inner: &str, ctx: TemplateContext) -> Result<FieldRef, FieldErrorKind> {
    let (key, format) = match inner.split_once('|') {
        Some((k, f)) => (k.trim(), Some(f.trim())),
        None => (inner.trim(), None),
    };
    if key.is_empty() {
        return Err(FieldErrorKind::Empty);
    }
    let field = Field::from_key(key).ok_or_else(|| FieldErrorKind::Unknown {
        name: key.to_string(),
        suggestion: suggest(key, ctx),
    })?;
    if !field.allowed_in(ctx) {
        return Err(FieldErrorKind::NotInContext {
            field: field.key(),
            context: ctx,
        });
    }
    let format = match format {
        None => None,
        Some(_) if !field.is_date() => {
            return Err(FieldErrorKind::FormatOnText { field: field.key() });
        }
        Some("") => return Err(FieldErrorKind::EmptyFormat { field: field.key() }),
        Some(f) => Some(compile_format(field, f)?),
    };
    Ok(FieldRef { field, format })
}

/// Compiles a strftime format for both languages and proves it can format an event time.
fn compile_format(field: Field, format: &str) -> Result<DateFormat, FieldErrorKind> {
    let invalid = || FieldErrorKind::InvalidFormat {
        field: field.key(),
        format: format.to_string(),
    };
    let items_fr = StrftimeItems::new_with_locale(format, Locale::fr_FR)
        .parse_to_owned()
        .map_err(|_| invalid())?;
    let items_en = StrftimeItems::new_with_locale(format, Locale::en_GB)
        .parse_to_owned()
        .map_err(|_| invalid())?;
    let compiled = DateFormat {
        source: format.to_string(),
        items_fr,
        items_en,
    };
    // A format can be well-formed yet need an offset (%z, %Z, or %c which includes %Z):
    // a local event time has none, so it would fail for every recipient. Refuse it now.
    let probe = NaiveDate::from_ymd_opt(2026, 3, 28).and_then(|d| d.and_hms_opt(14, 30, 0));
    if let Some(probe) = probe {
        for lang in Lang::ALL {
            let mut out = String::new();
            if write_formatted(&mut out, probe, &compiled, lang).is_err() {
                return Err(FieldErrorKind::FormatNeedsTimezone {
                    field: field.key(),
                    format: format.to_string(),
                });
            }
        }
    }
    Ok(compiled)
}

/// The closest known key, to help with typos: first a key with the same last part
/// (`first_name` → `participant.first_name`), else one within a small edit distance.
/// Fields of the template's context are preferred.
fn suggest(name: &str, ctx: TemplateContext) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let candidates = || {
        let allowed = catalogue(ctx);
        allowed.iter().chain(ALL_FIELDS.iter())
    };
    if let Some(s) = candidates().find(|s| s.key == lower) {
        return Some(s.key);
    }
    if let Some(s) = candidates().find(|s| s.key.rsplit('.').next() == Some(lower.as_str())) {
        return Some(s.key);
    }
    let mut best: Option<(usize, &'static str)> = None;
    for s in candidates() {
        let d = edit_distance(&lower, s.key);
        if d <= 3 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, s.key));
        }
    }
    best.map(|(_, k)| k)
}

/// Levenshtein distance on characters (keys are short; only used when reporting an error).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let v = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            cur.push(v);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The distinct field keys a template uses, in order of first appearance.
pub fn fields_used(t: &ParsedTemplate) -> Vec<&str> {
    let mut keys: Vec<&str> = Vec::new();
    for piece in &t.pieces {
        if let Piece::Field(f) = piece {
            let key = f.field.key();
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

crate::typed_messages! {
    /// Why a template could not be rendered for one recipient (texts: `[render_error]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum RenderError in "render_error" {
        /// The recipient has no value for a field the template uses; nothing is sent with a
        /// hole.
        MissingValue { field: &'static str },
        /// The date could not be written with the template's format.
        Format { field: &'static str, format: String },
    }
}

impl std::error::Error for RenderError {}

/// Renders a parsed template for one recipient. Values are trimmed and their line breaks
/// and control characters turned into spaces; a missing or blank value is an error.
pub fn render(t: &ParsedTemplate, data: &MergeData, lang: Lang) -> Result<String, RenderError> {
    let mut out = String::with_capacity(t.literal_len + 24 * t.pieces.len());
    for piece in &t.pieces {
        match piece {
            Piece::Literal(s) => out.push_str(s),
            Piece::Field(f) => render_field(&mut out, f, data, lang)?,
        }
    }
    Ok(out)
}

/// The fields of `t` that have no value in `data`, in order of first appearance (so a preview
/// can list every problem of a recipient, not just the first).
pub fn missing_fields(t: &ParsedTemplate, data: &MergeData) -> Vec<&'static str> {
    let mut missing: Vec<&'static str> = Vec::new();
    let mut scratch = String::new();
    for piece in &t.pieces {
        if let Piece::Field(f) = piece {
            scratch.clear();
            if let Err(RenderError::MissingValue { field }) =
                render_field(&mut scratch, f, data, Lang::Fr)
                && !missing.contains(&field)
            {
                missing.push(field);
            }
        }
    }
    missing
}

fn render_field(
    out: &mut String,
    f: &FieldRef,
    data: &MergeData,
    lang: Lang,
) -> Result<(), RenderError> {
    let field = f.field;
    let missing = || RenderError::MissingValue { field: field.key() };
    let p = data.participant.as_ref();
    let e = data.event.as_ref();
    let c = data.collaborator.as_ref();
    let o = &data.organisation;
    let text: Option<&Option<String>> = match field {
        Field::ParticipantCivility => p.map(|p| &p.civility),
        Field::ParticipantFirstName => p.map(|p| &p.first_name),
        Field::ParticipantLastName => p.map(|p| &p.last_name),
        Field::ParticipantProgramme => p.map(|p| &p.programme),
        Field::EventType => e.map(|e| &e.event_type),
        Field::EventLocation => e.map(|e| &e.location),
        Field::EventKind => e.map(|e| &e.kind),
        Field::CollaboratorFirstName => c.map(|c| &c.first_name),
        Field::CollaboratorLastName => c.map(|c| &c.last_name),
        Field::OrganisationName => Some(&o.name),
        Field::OrganisationSender => Some(&o.sender),
        Field::OrganisationSignature => Some(&o.signature),
        Field::ParticipantFullName => {
            let p = p.ok_or_else(missing)?;
            return push_full_name(out, &p.first_name, &p.last_name).ok_or_else(missing);
        }
        Field::CollaboratorFullName => {
            let c = c.ok_or_else(missing)?;
            return push_full_name(out, &c.first_name, &c.last_name).ok_or_else(missing);
        }
        Field::CollaboratorPhone => {
            let phone = c.and_then(|c| c.phone.as_deref()).ok_or_else(missing)?;
            return push_phone(out, phone).ok_or_else(missing);
        }
        Field::EventDate | Field::EventTime | Field::EventDatetime => {
            let start = e.and_then(|e| e.start).ok_or_else(missing)?;
            return match &f.format {
                Some(format) => {
                    write_formatted(out, start, format, lang).map_err(|_| RenderError::Format {
                        field: field.key(),
                        format: format.source.clone(),
                    })
                }
                None => {
                    push_default_date(out, field, start, lang);
                    Ok(())
                }
            };
        }
    };
    let value = text.and_then(|v| v.as_deref()).ok_or_else(missing)?;
    if push_clean(out, value) {
        Ok(())
    } else {
        Err(missing())
    }
}

/// Appends `value` trimmed, with line breaks and control characters folded into single
/// spaces (a name from a spreadsheet must not break the SMS). Returns false if blank.
fn push_clean(out: &mut String, value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    if !value.chars().any(char::is_control) {
        out.push_str(value);
        return true;
    }
    let mut pending_space = false;
    for ch in value.chars() {
        if ch.is_control() || ch.is_whitespace() {
            pending_space = true;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(ch);
        }
    }
    true
}

/// "First Last", or whichever of the two is known; `None` if neither is.
fn push_full_name(out: &mut String, first: &Option<String>, last: &Option<String>) -> Option<()> {
    let start = out.len();
    let has_first = first.as_deref().is_some_and(|f| push_clean(out, f));
    if let Some(last) = last.as_deref().filter(|l| !l.trim().is_empty()) {
        if has_first {
            out.push(' ');
        }
        push_clean(out, last);
    }
    (out.len() > start).then_some(())
}

/// French numbers in the national form a recipient dials (`06 12 34 56 78`, and
/// `0690 12 34 56` for the overseas departments, which share the French plan); any other
/// value is written as stored.
fn push_phone(out: &mut String, phone: &str) -> Option<()> {
    let phone = phone.trim();
    if phone.is_empty() {
        return None;
    }
    let national = phone.strip_prefix('+').and_then(|digits| {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if let Some(n) = digits.strip_prefix("33").filter(|n| n.len() == 9) {
            // 0X XX XX XX XX
            let mut s = String::with_capacity(14);
            s.push('0');
            s.push_str(&n[..1]);
            for pair in n.as_bytes()[1..].chunks(2) {
                s.push(' ');
                s.push_str(std::str::from_utf8(pair).ok()?);
            }
            return Some(s);
        }
        ["262", "590", "594", "596"]
            .iter()
            .find_map(|cc| digits.strip_prefix(cc).filter(|n| n.len() == 9))
            .and_then(|n| {
                // 0XXX XX XX XX
                let mut s = String::with_capacity(13);
                s.push('0');
                s.push_str(&n[..3]);
                for pair in n.as_bytes()[3..].chunks(2) {
                    s.push(' ');
                    s.push_str(std::str::from_utf8(pair).ok()?);
                }
                Some(s)
            })
    });
    match national {
        Some(n) => out.push_str(&n),
        None => {
            push_clean(out, phone);
        }
    }
    Some(())
}

fn write_formatted(
    out: &mut String,
    dt: NaiveDateTime,
    format: &DateFormat,
    lang: Lang,
) -> fmt::Result {
    DelayedFormat::new_with_locale(
        Some(dt.date()),
        Some(dt.time()),
        format.items(lang).iter(),
        lang.locale(),
    )
    .write_to(out)
}

/// French weekday names, Monday first.
pub(crate) const DAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// French month names, January first.
pub(crate) const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Default formats, written by hand (no format parsing per recipient):
/// date `lundi 12 mars` / `Monday 12 March` (French `1er` for the first of the month),
/// time `14h30` / `2:30 pm`, date-time `lundi 12 mars à 14h30` / `Monday 12 March at 2:30 pm`.
fn push_default_date(out: &mut String, field: Field, dt: NaiveDateTime, lang: Lang) {
    let with_date = matches!(field, Field::EventDate | Field::EventDatetime);
    let with_time = matches!(field, Field::EventTime | Field::EventDatetime);
    if with_date {
        let weekday = dt.weekday().num_days_from_monday() as usize;
        let month = dt.month0() as usize;
        let (days, months) = match lang {
            Lang::Fr => (&DAYS_FR, &MONTHS_FR),
            Lang::En => (&DAYS_EN, &MONTHS_EN),
        };
        out.push_str(days[weekday]);
        out.push(' ');
        push_number(out, dt.day(), false);
        if lang == Lang::Fr && dt.day() == 1 {
            out.push_str("er");
        }
        out.push(' ');
        out.push_str(months[month]);
    }
    if with_date && with_time {
        out.push_str(match lang {
            Lang::Fr => " à ",
            Lang::En => " at ",
        });
    }
    if with_time {
        match lang {
            Lang::Fr => {
                push_number(out, dt.hour(), true);
                out.push('h');
                push_number(out, dt.minute(), true);
            }
            Lang::En => {
                let (pm, hour12) = dt.hour12();
                push_number(out, hour12, false);
                out.push(':');
                push_number(out, dt.minute(), true);
                out.push_str(if pm { " pm" } else { " am" });
            }
        }
    }
}

/// Writes a number below 100, optionally zero-padded to two digits.
fn push_number(out: &mut String, n: u32, pad: bool) {
    let n = n % 100;
    if n >= 10 || pad {
        out.push(char::from(b'0' + (n / 10) as u8));
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_in_field_order() {
        for (i, s) in ALL_FIELDS.iter().enumerate() {
            assert_eq!(s.field as usize, i, "{}", s.key);
        }
        assert!(BATCH_FIELDS.iter().all(|s| !s.field.is_event()));
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("abc", "abd"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn phone_national_forms() {
        let mut s = String::new();
        push_phone(&mut s, "+33612345678");
        assert_eq!(s, "06 12 34 56 78");
        s.clear();
        push_phone(&mut s, "+590690123456");
        assert_eq!(s, "0690 12 34 56");
        s.clear();
        push_phone(&mut s, "+447700900123");
        assert_eq!(s, "+447700900123");
    }
}
