//! Contacts created and edited one at a time (the Contacts screen, `smsdesk contact`), checked
//! by the same rules as a row of a contacts import ([`check_contact`] is the import's check
//! too): names, kind, mobile(s) normalised with the default country, consent, collaborator;
//! then what only a single contact has — its opt-out with date and source, its free
//! attributes typed `key=value` — and archiving. Every change is audited with who made it.
//!
//! The phone snapshot rule holds: a message already queued keeps the number it was queued
//! with; only messages created after a change go to the new number.

use super::import::Collaborators;
use super::{Action, Actor, CoreError, CoreResult, Refusal};
use crate::io::contacts::{
    ContactField, normalise_civility, parse_kind, parse_yes_no, plausible_email,
};
use crate::io::import::CellIssue;
use crate::io::issue::{ContactWarning, IssueReason};
use crate::sms::phone::{self, LineKind};
use crate::sms::status::ParticipantKind;
use crate::store::audit::AuditAction;
use crate::store::card::{self, ContactDetail};
use crate::store::participants::{self, NewParticipant};
use crate::store::settings::Settings;
use crate::store::{Db, Store, audit};
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use serde::Serialize;

/// One problem of one field: the field, its value as given, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: ContactField,
    pub value: String,
    pub reason: IssueReason,
}

impl FieldIssue {
    fn new(field: ContactField, value: &str, reason: IssueReason) -> FieldIssue {
        FieldIssue {
            field,
            value: crate::text::sanitize(value).into_owned(),
            reason,
        }
    }

    /// The refusal naming the field (the command line's one-line reason).
    pub fn refusal(&self) -> Refusal {
        if self.value.is_empty() {
            Refusal::ContactFieldEmpty {
                field: self.field,
                reason: self.reason.clone(),
            }
        } else {
            Refusal::ContactField {
                field: self.field,
                value: self.value.clone(),
                reason: self.reason.clone(),
            }
        }
    }
}

/// The fields of one contact as typed (or as read from a file's cells), trimmed.
#[derive(Clone, Debug, Default)]
pub struct ContactTexts {
    pub kind: String,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile: String,
    pub mobile2: String,
    pub landline: String,
    pub email: String,
    /// `None`: consent recorded nowhere (a file without a consent column): given.
    pub consent: Option<String>,
    pub programme: String,
}

/// A checked contact: the participant to store, what the operator should know, and every
/// problem found (the participant is only meaningful when there is none).
pub struct Checked {
    pub participant: NewParticipant,
    pub warnings: Vec<ContactWarning>,
    pub issues: Vec<FieldIssue>,
}

/// The rules of a contact, shared by the import (one row) and the single contact: a kind,
/// a name (not too long; `name_cells` adds what a file's cells say, such as a number in a name
/// column), mobiles that SMS can reach normalised to E.164 with the default `region` (a landline
/// typed as the mobile is kept as the landline, with a warning), an e-mail that looks like one,
/// consent yes or no. `collaborator` is the collaborator already looked up. Issues come in the
/// order of the fields; `earlier` says whether the caller already found some (then a missing
/// name is not reported on its own).
pub fn check_contact(
    t: &ContactTexts,
    region: &str,
    earlier: bool,
    name_cells: &mut dyn FnMut(ContactField) -> Option<(String, IssueReason)>,
    collaborator: (&str, Result<Option<i64>, IssueReason>),
) -> Checked {
    let mut issues: Vec<FieldIssue> = Vec::new();
    let mut warnings = Vec::new();
    let kind = parse_kind(&t.kind).unwrap_or_else(|| {
        issues.push(FieldIssue::new(
            ContactField::Kind,
            &t.kind,
            IssueReason::NotContactType,
        ));
        // Never written: the row has an issue.
        ParticipantKind::default()
    });
    if t.first_name.is_empty() && t.last_name.is_empty() && issues.is_empty() && !earlier {
        issues.push(FieldIssue::new(
            ContactField::LastName,
            "",
            IssueReason::NoName,
        ));
    }
    for (field, value) in [
        (ContactField::FirstName, &t.first_name),
        (ContactField::LastName, &t.last_name),
    ] {
        if value.chars().count() > 100 {
            issues.push(FieldIssue::new(
                field,
                value,
                IssueReason::TooLong { max: 100 },
            ));
        }
    }
    for field in [ContactField::FirstName, ContactField::LastName] {
        if let Some((value, reason)) = name_cells(field) {
            issues.push(FieldIssue::new(field, &value, reason));
        }
    }
    let (mobile, mobile2, landline) = check_phones(t, region, &mut issues, &mut warnings);
    let email = if t.email.is_empty() {
        None
    } else if plausible_email(&t.email) {
        Some(t.email.to_string())
    } else {
        issues.push(FieldIssue::new(
            ContactField::Email,
            &t.email,
            IssueReason::NotEmail,
        ));
        None
    };
    let sms_consent = match t.consent.as_deref() {
        None => true,
        // A consent left blank: consent was not recorded, so it is not assumed.
        Some("") => {
            warnings.push(ContactWarning::ConsentEmpty);
            false
        }
        Some(c) => parse_yes_no(c).unwrap_or_else(|| {
            issues.push(FieldIssue::new(
                ContactField::Consent,
                c,
                IssueReason::NotYesNo,
            ));
            false
        }),
    };
    let (collaborator_in, collaborator) = collaborator;
    let collaborator_id = collaborator.unwrap_or_else(|reason| {
        issues.push(FieldIssue::new(
            ContactField::Collaborator,
            collaborator_in,
            reason,
        ));
        None
    });
    Checked {
        participant: NewParticipant {
            kind,
            civility: normalise_civility(&t.civility),
            first_name: t.first_name.to_string(),
            last_name: t.last_name.to_string(),
            mobile,
            mobile2,
            landline,
            email,
            sms_consent,
            programme: t.programme.to_string(),
            collaborator_id,
            attributes: serde_json::Map::new(),
        },
        warnings,
        issues,
    }
}

/// The mobile, second mobile and landline (E.164): a landline typed as the mobile is kept as
/// the landline, with a warning.
fn check_phones(
    t: &ContactTexts,
    region: &str,
    issues: &mut Vec<FieldIssue>,
    warnings: &mut Vec<ContactWarning>,
) -> (Option<String>, Option<String>, Option<String>) {
    let mut landline = None;
    if !t.landline.is_empty() {
        match phone::parse_phone(&t.landline, region) {
            Ok(p) => landline = Some(p.e164),
            Err(error) => issues.push(FieldIssue::new(
                ContactField::Landline,
                &t.landline,
                IssueReason::Phone { error },
            )),
        }
    }
    let mut mobile = None;
    if !t.mobile.is_empty() {
        match phone::parse_phone(&t.mobile, region) {
            Ok(p) if p.is_mobile() => mobile = Some(p.e164),
            Ok(p) if landline.is_none() && p.kind == LineKind::Landline => {
                warnings.push(ContactWarning::LandlineAsMobile {
                    number: phone::format_national(&p.e164),
                });
                landline = Some(p.e164);
            }
            Ok(p) => issues.push(FieldIssue::new(
                ContactField::Mobile,
                &t.mobile,
                IssueReason::Unreachable {
                    e164: p.e164,
                    kind: p.kind,
                },
            )),
            Err(error) => issues.push(FieldIssue::new(
                ContactField::Mobile,
                &t.mobile,
                IssueReason::Phone { error },
            )),
        }
    }
    let mut mobile2 = None;
    if !t.mobile2.is_empty() {
        match phone::parse_recipient(&t.mobile2, region) {
            Ok(p) => mobile2 = Some(p.e164),
            Err(error) => issues.push(FieldIssue::new(
                ContactField::Mobile2,
                &t.mobile2,
                IssueReason::Phone { error },
            )),
        }
    }
    (mobile, mobile2, landline)
}

// ---------------------------------------------------------------------------------------------
// One contact

/// Where an opt-out recorded by hand came from.
pub const OPT_OUT_SOURCES: [&str; 5] = ["operator", "phone", "written", "reply", "provider"];

/// A change to a contact as typed: `None` leaves a field as it is (for a new contact: empty,
/// consent given, kind `participant`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactChange {
    pub kind: Option<String>,
    pub civility: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub mobile: Option<String>,
    pub mobile2: Option<String>,
    pub landline: Option<String>,
    pub email: Option<String>,
    /// `oui` / `non` and their spellings.
    pub consent: Option<String>,
    pub programme: Option<String>,
    /// A collaborator's name (empty: none).
    pub collaborator: Option<String>,
    /// `yes` puts the mobile on the opt-out list; `no` on an opted-out number is refused (only
    /// the person lifts a STOP, by writing again).
    pub opt_out: Option<String>,
    /// The day the person opted out (default: today).
    pub opt_out_date: Option<String>,
    /// One of [`OPT_OUT_SOURCES`] (default: `operator`).
    pub opt_out_source: Option<String>,
    /// `key=value` each; `key=` removes the attribute.
    pub attributes: Vec<String>,
}

impl ContactChange {
    pub fn is_empty(&self) -> bool {
        *self == ContactChange::default()
    }
}

/// What is checked and ready to be written.
struct Plan {
    participant: NewParticipant,
    warnings: Vec<ContactWarning>,
    /// The opt-out to record: number, instant, source.
    opt_out: Option<(String, DateTime<Utc>, String)>,
}

fn clean(s: &Option<String>, current: &str) -> String {
    match s {
        Some(v) => v.split_whitespace().collect::<Vec<_>>().join(" "),
        None => current.to_string(),
    }
}

/// Checks a change against `current` (`None`: a new contact) and the store: every problem of
/// every field, in field order.
fn plan(
    conn: Db<'_>,
    settings: &Settings,
    id: i64,
    current: Option<&ContactDetail>,
    change: &ContactChange,
    now: DateTime<Utc>,
) -> CoreResult<Result<Plan, Vec<FieldIssue>>> {
    let cur = current.map(|c| &c.participant);
    let stored = |v: Option<&Option<String>>| v.and_then(|o| o.clone()).unwrap_or_default();
    let texts = ContactTexts {
        kind: clean(
            &change.kind,
            cur.map_or(ParticipantKind::default(), |p| p.kind).as_str(),
        ),
        civility: clean(&change.civility, cur.map_or("", |p| p.civility.as_str())),
        first_name: clean(
            &change.first_name,
            cur.map_or("", |p| p.first_name.as_str()),
        ),
        last_name: clean(&change.last_name, cur.map_or("", |p| p.last_name.as_str())),
        mobile: clean(&change.mobile, &stored(cur.map(|p| &p.mobile))),
        mobile2: clean(&change.mobile2, &stored(current.map(|c| &c.mobile2))),
        landline: clean(&change.landline, &stored(current.map(|c| &c.landline))),
        email: clean(&change.email, &stored(current.map(|c| &c.email))),
        consent: Some(clean(
            &change.consent,
            if cur.is_none_or(|p| p.sms_consent) {
                "oui"
            } else {
                "non"
            },
        )),
        programme: clean(&change.programme, cur.map_or("", |p| p.programme.as_str())),
    };
    let mut issues = Vec::new();
    // Text typed by hand may hold anything: control characters would reach screens and SMS.
    let typed = [
        (ContactField::Kind, &change.kind),
        (ContactField::Civility, &change.civility),
        (ContactField::FirstName, &change.first_name),
        (ContactField::LastName, &change.last_name),
        (ContactField::Mobile, &change.mobile),
        (ContactField::Mobile2, &change.mobile2),
        (ContactField::Landline, &change.landline),
        (ContactField::Email, &change.email),
        (ContactField::Consent, &change.consent),
        (ContactField::Programme, &change.programme),
        (ContactField::Collaborator, &change.collaborator),
    ];
    for (field, value) in typed {
        if let Some(v) = value
            && v.chars().any(char::is_control)
        {
            issues.push(FieldIssue::new(
                field,
                v,
                IssueReason::Cell {
                    problem: CellIssue::ControlCharacters,
                },
            ));
        }
    }
    for (field, value) in [
        (ContactField::Civility, &texts.civility),
        (ContactField::Programme, &texts.programme),
    ] {
        if value.chars().count() > 100 {
            issues.push(FieldIssue::new(
                field,
                value,
                IssueReason::TooLong { max: 100 },
            ));
        }
    }
    let collaborator = match &change.collaborator {
        None => ("", Ok(cur.and_then(|p| p.collaborator_id))),
        Some(name) => {
            let name = name.trim();
            let found = Collaborators::load(conn)?.lookup(name);
            (name, found)
        }
    };
    let mut checked = check_contact(
        &texts,
        &settings.default_region,
        !issues.is_empty(),
        &mut |_| None,
        collaborator,
    );
    issues.append(&mut checked.issues);
    let mut p = checked.participant;
    // Same contact as another, as the import says it: the same mobile, or the same name
    // without a mobile. A contact whose mobile and names stay is not checked again (two
    // contacts sharing a number from before stay editable).
    let same = cur.is_some_and(|c| {
        c.mobile == p.mobile && c.first_name == p.first_name && c.last_name == p.last_name
    });
    if issues.is_empty() && !same {
        let other = match &p.mobile {
            Some(m) => card::holder_of_mobile(conn, m, id)?.map(|(id, name)| {
                (
                    IssueReason::MobileTaken { id, name },
                    ContactField::Mobile,
                    m.clone(),
                )
            }),
            None => {
                card::holder_of_name(conn, &p.first_name, &p.last_name, id)?.map(|(id, name)| {
                    (
                        IssueReason::NameTaken { id, name },
                        ContactField::LastName,
                        p.last_name.clone(),
                    )
                })
            }
        };
        if let Some((reason, field, value)) = other {
            issues.push(FieldIssue::new(field, &value, reason));
        }
    }
    p.attributes = current.map(|c| c.attributes.clone()).unwrap_or_default();
    for a in &change.attributes {
        match a.split_once('=') {
            Some((k, v))
                if !k.trim().is_empty()
                    && k.trim().chars().count() <= 40
                    && !a.chars().any(char::is_control) =>
            {
                let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
                if v.is_empty() {
                    p.attributes.remove(k.trim());
                } else {
                    p.attributes
                        .insert(k.trim().to_string(), serde_json::Value::String(v));
                }
            }
            _ => issues.push(FieldIssue::new(
                ContactField::Attribute,
                a,
                IssueReason::NotAttribute,
            )),
        }
    }
    let opt_out = opt_out_plan(conn, settings, current, change, &p, now, &mut issues)?;
    if !issues.is_empty() {
        return Ok(Err(issues));
    }
    let mut warnings = checked.warnings;
    match &p.mobile {
        None => warnings.push(ContactWarning::NoMobile),
        Some(m) if opt_out.is_none() && participants::is_opted_out(conn, m)? => {
            warnings.push(ContactWarning::OptedOut);
        }
        Some(_) => {}
    }
    Ok(Ok(Plan {
        participant: p,
        warnings,
        opt_out,
    }))
}

/// The opt-out a change asks for, checked.
fn opt_out_plan(
    conn: Db<'_>,
    settings: &Settings,
    current: Option<&ContactDetail>,
    change: &ContactChange,
    p: &NewParticipant,
    now: DateTime<Utc>,
    issues: &mut Vec<FieldIssue>,
) -> CoreResult<Option<(String, DateTime<Utc>, String)>> {
    let wanted = match change.opt_out.as_deref().map(str::trim) {
        None => change.opt_out_date.is_some() || change.opt_out_source.is_some(),
        Some(v) => match parse_yes_no(v) {
            Some(b) => b,
            None => {
                issues.push(FieldIssue::new(
                    ContactField::OptOut,
                    v,
                    IssueReason::NotYesNo,
                ));
                return Ok(None);
            }
        },
    };
    let already = match &p.mobile {
        Some(m) => participants::is_opted_out(conn, m)?,
        None => false,
    };
    if !wanted {
        // Only the person lifts a STOP (by writing again): nobody takes a number off the list.
        if change.opt_out.is_some() && already {
            issues.push(FieldIssue::new(
                ContactField::OptOut,
                change.opt_out.as_deref().unwrap_or_default(),
                IssueReason::OptOutKept,
            ));
        }
        return Ok(None);
    }
    let Some(mobile) = p.mobile.clone() else {
        issues.push(FieldIssue::new(
            ContactField::OptOut,
            change.opt_out.as_deref().unwrap_or("oui"),
            IssueReason::OptOutNoMobile,
        ));
        return Ok(None);
    };
    let tz = settings.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let at = match change.opt_out_date.as_deref().map(str::trim) {
        None | Some("") => Some(now),
        Some(d) => match crate::io::events::parse_date_time(d) {
            None => {
                issues.push(FieldIssue::new(
                    ContactField::OptOutDate,
                    d,
                    IssueReason::Cell {
                        problem: CellIssue::NotADate,
                    },
                ));
                None
            }
            Some((day, _)) if day > today => {
                issues.push(FieldIssue::new(
                    ContactField::OptOutDate,
                    d,
                    IssueReason::InTheFuture,
                ));
                None
            }
            Some((day, time)) => tz
                .from_local_datetime(&day.and_time(time.unwrap_or(NaiveTime::MIN)))
                .earliest()
                .map(|t| t.with_timezone(&Utc).min(now)),
        },
    };
    let source = match change.opt_out_source.as_deref().map(str::trim) {
        None | Some("") => "operator".to_string(),
        Some(s) => match source_code(s) {
            Some(code) => code.to_string(),
            None => {
                issues.push(FieldIssue::new(
                    ContactField::OptOutSource,
                    s,
                    IssueReason::NotOptOutSource,
                ));
                return Ok(None);
            }
        },
    };
    // Already out: the first opt-out is kept (with its date and source).
    let first = current.and_then(|c| c.opt_out.as_ref()).is_some() || already;
    Ok(at.filter(|_| !first).map(|at| (mobile, at, source)))
}

/// An opt-out source typed in French or English.
pub fn source_code(s: &str) -> Option<&'static str> {
    match crate::io::import::normalise_header(s).as_str() {
        "OPERATOR" | "OPERATEUR" | "OPERATRICE" | "ACCUEIL" | "DESK" => Some("operator"),
        "PHONE" | "TELEPHONE" | "CALL" | "APPEL" => Some("phone"),
        "WRITTEN" | "ECRIT" | "COURRIER" | "LETTER" | "EMAIL" | "MAIL" | "COURRIEL" => {
            Some("written")
        }
        "REPLY" | "REPONSE" | "SMS" => Some("reply"),
        "PROVIDER" | "FOURNISSEUR" | "OPERATEURSMS" => Some("provider"),
        _ => None,
    }
}

/// Every problem of a change, for a form to show under each field (nothing is written).
pub fn check(
    store: &Store,
    id: Option<i64>,
    change: &ContactChange,
    now: DateTime<Utc>,
) -> CoreResult<Vec<FieldIssue>> {
    let conn = store.db();
    let settings = Settings::load(conn)?;
    let current = id.map(|id| card::detail(conn, id)).transpose()?;
    Ok(plan(
        conn,
        &settings,
        id.unwrap_or(0),
        current.as_ref(),
        change,
        now,
    )?
    .err()
    .unwrap_or_default())
}

/// What a saved contact change did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Saved {
    pub id: i64,
    /// Things the operator should know (no mobile, opted out…).
    pub warnings: Vec<ContactWarning>,
    /// The fields that changed (`mobile`, `first_name`…); every field for a new contact.
    pub changed: Vec<&'static str>,
}

/// Creates a contact. Any operator may (audited with who). Refused, naming the first field
/// in trouble, when a field breaks the import's rules.
pub fn add_contact(
    store: &mut Store,
    actor: &Actor,
    change: &ContactChange,
    now: DateTime<Utc>,
) -> CoreResult<Saved> {
    actor.require_operator(Action::EditContacts)?;
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        let plan = plan(tx, &settings, 0, None, change, now)?.map_err(first_refusal)?;
        let id = participants::insert_participant(tx, &plan.participant, now)?;
        if let Some((phone, at, source)) = &plan.opt_out {
            participants::opt_out(tx, phone, source, None, &actor.login, *at)?;
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ParticipantCreate,
            id,
            &describe_new(&plan.participant),
        )?;
        Ok(Saved {
            id,
            warnings: plan.warnings,
            changed: vec!["*"],
        })
    })
}

/// Changes the fields a change gives of contact `id` (the others stay). Messages already
/// queued keep the number they were queued with.
pub fn update_contact(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    change: &ContactChange,
    now: DateTime<Utc>,
) -> CoreResult<Saved> {
    actor.require_operator(Action::EditContacts)?;
    if change.is_empty() {
        return Err(Refusal::NothingToChange.into());
    }
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        let current = card::detail(tx, id)?;
        let plan = plan(tx, &settings, id, Some(&current), change, now)?.map_err(first_refusal)?;
        let changed = differences(&current, &plan);
        if !changed.is_empty() {
            card::update_participant(tx, id, &plan.participant, now)?;
        }
        if let Some((phone, at, source)) = &plan.opt_out {
            participants::opt_out(tx, phone, source, None, &actor.login, *at)?;
        }
        let mut detail: Vec<String> = changed
            .iter()
            .map(|(f, old, new)| format!("{f}: {old:?} → {new:?}"))
            .collect();
        if let Some((phone, at, source)) = &plan.opt_out {
            detail.push(format!("opt-out {phone} on {} ({source})", at.to_rfc3339()));
        }
        if detail.is_empty() {
            return Ok(Saved {
                id,
                warnings: plan.warnings,
                changed: Vec::new(),
            });
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ParticipantUpdate,
            id,
            &detail.join("; "),
        )?;
        let mut names: Vec<&'static str> = changed.iter().map(|(f, ..)| *f).collect();
        if plan.opt_out.is_some() {
            names.push("opt_out");
        }
        Ok(Saved {
            id,
            warnings: plan.warnings,
            changed: names,
        })
    })
}

/// Archives contact `id` (`archive`), or brings them back: an archived contact leaves the
/// contacts list, the batches and the automations; their history stays. Audited.
pub fn archive_contact(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    archive: bool,
    now: DateTime<Utc>,
) -> CoreResult<String> {
    actor.require_operator(Action::ArchiveContacts)?;
    store.write(|tx| {
        let p = participants::get(tx, id)?;
        let name = p.full_name();
        match (p.archived, archive) {
            (true, true) => return Err(Refusal::AlreadyArchived { name }.into()),
            (false, false) => return Err(Refusal::NotArchived { name }.into()),
            _ => {}
        }
        card::set_archived(tx, id, archive.then_some(now), now)?;
        let action = if archive {
            AuditAction::ParticipantArchive
        } else {
            AuditAction::ParticipantUnarchive
        };
        audit::record(tx, actor.stamp(now), action, id, &name)?;
        Ok::<_, CoreError>(name)
    })
}

fn first_refusal(issues: Vec<FieldIssue>) -> CoreError {
    match issues.first() {
        Some(i) => CoreError::Invalid(i.refusal()),
        None => CoreError::Invalid(Refusal::NothingToChange),
    }
}

fn describe_new(p: &NewParticipant) -> String {
    format!(
        "{} {} {} ({}), mobile {}, consent {}",
        p.civility,
        p.first_name,
        p.last_name,
        p.kind,
        p.mobile.as_deref().unwrap_or("none"),
        if p.sms_consent { "yes" } else { "no" }
    )
    .trim()
    .to_string()
}

/// The stored fields a plan changes: name, old and new value (for the audit).
fn differences(c: &ContactDetail, plan: &Plan) -> Vec<(&'static str, String, String)> {
    let n = &plan.participant;
    let o = &c.participant;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let pairs: Vec<(&'static str, String, String)> = vec![
        ("kind", o.kind.to_string(), n.kind.to_string()),
        ("civility", o.civility.clone(), n.civility.clone()),
        ("first_name", o.first_name.clone(), n.first_name.clone()),
        ("last_name", o.last_name.clone(), n.last_name.clone()),
        ("mobile", opt(&o.mobile), opt(&n.mobile)),
        ("mobile2", opt(&c.mobile2), opt(&n.mobile2)),
        ("landline", opt(&c.landline), opt(&n.landline)),
        ("email", opt(&c.email), opt(&n.email)),
        (
            "sms_consent",
            o.sms_consent.to_string(),
            n.sms_consent.to_string(),
        ),
        ("programme", o.programme.clone(), n.programme.clone()),
        (
            "collaborator",
            o.collaborator_id.map(|i| i.to_string()).unwrap_or_default(),
            n.collaborator_id.map(|i| i.to_string()).unwrap_or_default(),
        ),
        (
            "attributes",
            serde_json::Value::Object(c.attributes.clone()).to_string(),
            serde_json::Value::Object(n.attributes.clone()).to_string(),
        ),
    ];
    pairs.into_iter().filter(|(_, a, b)| a != b).collect()
}
