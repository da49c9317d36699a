//! Spreadsheet imports, checked against the store: the numbers of a free send, contacts
//! (participants, partners, companies) and events.
//!
//! Each import is a preview first — every valid row, every duplicate and every invalid row with
//! its row, column and reason — and nothing is written until the operator confirms. On
//! confirmation all valid rows are written in one transaction: a failure on any row leaves the
//! store as it was.

use super::contacts::{ContactTexts, check_contact};
use super::events::EventKind;
use super::send::{CheckedLine, FreeList, check_free_list};
use super::{Actor, CoreError, CoreResult, Refusal, automations};
use crate::io::contacts::{ContactField, ContactSheet, RowIssue};
use crate::io::events::{EventField, EventSheet};
use crate::io::import::{
    Cell, Column, PhoneCells, get_str, get_varint, normalise_header, put_str, put_varint,
};
use crate::io::issue::{ContactWarning, ImportNotice, IssueReason, ParticipantRef, QuotedHeader};
use crate::sms::phone;
use crate::sms::status::ParticipantKind;
use crate::sms::window;
use crate::store::audit::AuditAction;
use crate::store::events::{self, NewEvent};
use crate::store::import as store_import;
use crate::store::participants::{self, NewParticipant};
use crate::store::settings::Settings;
use crate::store::{Db, StoreError};
use crate::store::{Store, audit};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Checks the phone column of a free-send file: valid numbers (duplicates removed), and every
/// refused row — a bad number, or a cell that held no usable text — with its row and reason,
/// in row order.
pub fn check_phone_cells(store: &Store, cells: &PhoneCells) -> CoreResult<FreeList> {
    let mut list = check_free_list(store, &cells.numbers)?;
    list.invalid
        .extend(cells.problems.iter().map(|p| CheckedLine {
            row: p.row,
            input: p.input.clone(),
            e164: None,
            error: Some(super::send::LineProblem::Cell {
                problem: p.reason.clone(),
            }),
        }));
    list.invalid.sort_by_key(|l| l.row);
    Ok(list)
}

/// A collaborator as import files name them.
pub(crate) struct Collaborators {
    /// Normalised names ("PRENOMNOM", "NOMPRENOM", login, and last name when unique) → id.
    by_key: HashMap<String, Vec<(i64, bool)>>,
    names: Vec<String>,
}

impl Collaborators {
    pub(crate) fn load(conn: Db<'_>) -> CoreResult<Collaborators> {
        let rows = store_import::collaborators(conn)?;
        let mut by_key: HashMap<String, Vec<(i64, bool)>> = HashMap::new();
        let mut names = Vec::new();
        for (id, first, last, login, active) in rows {
            let mut keys = vec![
                normalise_header(&format!("{first}{last}")),
                normalise_header(&format!("{last}{first}")),
                normalise_header(&last),
            ];
            if !login.is_empty() {
                keys.push(normalise_header(&login));
            }
            keys.dedup();
            for k in keys.into_iter().filter(|k| !k.is_empty()) {
                let ids = by_key.entry(k).or_default();
                if !ids.iter().any(|(i, _)| *i == id) {
                    ids.push((id, active));
                }
            }
            if active {
                names.push(format!("{first} {last}").trim().to_string());
            }
        }
        Ok(Collaborators { by_key, names })
    }

    /// The collaborator a cell names, or why none.
    fn find(&self, name: &str) -> Result<i64, Refusal> {
        let shown = crate::text::sanitize(name).into_owned();
        match self.by_key.get(&normalise_header(name)).map(Vec::as_slice) {
            Some([(id, true)]) => Ok(*id),
            Some([(_, false)]) => Err(Refusal::CollaboratorInactive { name: shown }),
            Some([]) | None => {
                let mut known = self
                    .names
                    .iter()
                    .take(8)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if self.names.len() > 8 {
                    known.push_str(", …");
                }
                Err(if known.is_empty() {
                    Refusal::NoCollaboratorAtAll { name: shown }
                } else {
                    Refusal::NoSuchCollaborator { name: shown, known }
                })
            }
            Some(_) => Err(Refusal::SeveralCollaborators { name: shown }),
        }
    }

    /// The collaborator a cell names (`None` when empty), or the row's issue.
    pub(crate) fn lookup(&self, name: &str) -> Result<Option<i64>, IssueReason> {
        if name.is_empty() {
            return Ok(None);
        }
        self.find(name)
            .map(Some)
            .map_err(|reason| IssueReason::Collaborator {
                refusal: Box::new(reason),
            })
    }
}

// ---------------------------------------------------------------------------------------------
// Contacts

/// A contact ready to be created (one valid row of the file): its row, the participant as the
/// store will create it, and what the operator should know. Serialised flat, as `--json
/// import` has always written it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContactRow {
    pub row: usize,
    #[serde(flatten)]
    pub participant: NewParticipant,
    /// Things the operator should know but that do not stop the row (no mobile, opted out…).
    pub warnings: Vec<ContactWarning>,
}

/// How many valid contacts a preview keeps in full (a screen's worth; all are counted and
/// imported).
pub const SHOWN_VALID: usize = 100;

/// Every valid contact of a preview, packed into one buffer: a million rows cost their text
/// and a few bytes each, not a struct and a dozen strings (the preview of 10⁶ contacts must
/// fit in a few hundred MB). Serialised as a list of [`ContactRow`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedContacts {
    bytes: Vec<u8>,
    len: usize,
}

fn put_opt(out: &mut Vec<u8>, s: &Option<String>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn get_opt(bytes: &[u8], at: &mut usize) -> Option<String> {
    let tag = bytes.get(*at).copied().unwrap_or(0);
    *at += 1;
    (tag == 1).then(|| get_str(bytes, at))
}

impl PackedContacts {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, row: &ContactRow) {
        let b = &mut self.bytes;
        put_varint(b, row.row as u64);
        let c = &row.participant;
        put_str(b, c.kind.as_str());
        for s in [&c.civility, &c.first_name, &c.last_name] {
            put_str(b, s);
        }
        for s in [&c.mobile, &c.mobile2, &c.landline, &c.email] {
            put_opt(b, s);
        }
        b.push(u8::from(c.sms_consent));
        put_str(b, &c.programme);
        match c.collaborator_id {
            None => b.push(0),
            Some(id) => {
                b.push(1);
                b.extend_from_slice(&id.to_le_bytes());
            }
        }
        put_varint(b, c.attributes.len() as u64);
        for (k, v) in &c.attributes {
            put_str(b, k);
            match v {
                serde_json::Value::String(s) => put_str(b, s),
                other => put_str(b, &other.to_string()),
            }
        }
        put_varint(b, row.warnings.len() as u64);
        for w in &row.warnings {
            let (code, text) = w.code();
            b.push(code);
            put_str(b, text);
        }
        self.len += 1;
    }

    /// The contacts in file order, each unpacked as it is reached.
    pub fn iter(&self) -> impl Iterator<Item = ContactRow> + '_ {
        let b = &self.bytes;
        let mut at = 0usize;
        (0..self.len).map(move |_| {
            let row = get_varint(b, &mut at) as usize;
            let kind = ParticipantKind::parse(&get_str(b, &mut at)).unwrap_or_default();
            let civility = get_str(b, &mut at);
            let first_name = get_str(b, &mut at);
            let last_name = get_str(b, &mut at);
            let mobile = get_opt(b, &mut at);
            let mobile2 = get_opt(b, &mut at);
            let landline = get_opt(b, &mut at);
            let email = get_opt(b, &mut at);
            let sms_consent = b.get(at).copied().unwrap_or(0) != 0;
            at += 1;
            let programme = get_str(b, &mut at);
            let collaborator_id = if b.get(at).copied().unwrap_or(0) == 1 {
                let mut id = [0u8; 8];
                if let Some(src) = b.get(at + 1..at + 9) {
                    id.copy_from_slice(src);
                }
                at += 9;
                Some(i64::from_le_bytes(id))
            } else {
                at += 1;
                None
            };
            let mut attributes = serde_json::Map::new();
            for _ in 0..get_varint(b, &mut at) {
                let k = get_str(b, &mut at);
                let v = get_str(b, &mut at);
                attributes.insert(k, serde_json::Value::String(v));
            }
            let warnings = (0..get_varint(b, &mut at))
                .map(|_| {
                    let code = b.get(at).copied().unwrap_or(0);
                    at += 1;
                    ContactWarning::from_code(code, get_str(b, &mut at))
                })
                .collect();
            ContactRow {
                row,
                participant: NewParticipant {
                    kind,
                    civility,
                    first_name,
                    last_name,
                    mobile,
                    mobile2,
                    landline,
                    email,
                    sms_consent,
                    programme,
                    collaborator_id,
                    attributes,
                },
                warnings,
            }
        })
    }
}

impl Serialize for PackedContacts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// How one column of the file is used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnUse {
    /// In JSON, its English text (`Portable (column C)`).
    pub column: Column,
    /// The field it fills, or `attribute` for a free attribute.
    pub field: String,
}

/// What a contacts import would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ContactsPreview {
    pub file: String,
    pub header_row: usize,
    pub columns: Vec<ColumnUse>,
    /// About the file as a whole (a missing consent column, columns kept as attributes, how
    /// a CSV was decoded).
    pub notices: Vec<ImportNotice>,
    /// The first [`SHOWN_VALID`] valid contacts in full, for display; every one of them is in
    /// `all_valid`.
    #[serde(skip)]
    pub valid: Vec<ContactRow>,
    /// Every valid contact — what the import creates — packed (serialised as `valid`); empty
    /// in a preview streamed by [`check_contacts`].
    #[serde(rename = "valid")]
    pub all_valid: PackedContacts,
    /// How many rows are valid.
    #[serde(skip)]
    pub valid_rows: usize,
    /// Rows whose contact exists already (same mobile, or same name without mobile), or
    /// repeat an earlier row of the file.
    pub duplicates: Vec<RowIssue>,
    /// Every problem of every invalid row: row, column, value and reason.
    pub invalid: Vec<RowIssue>,
    /// How many rows are invalid (a row may have several problems).
    pub invalid_rows: usize,
}

fn field_name(f: ContactField) -> &'static str {
    match f {
        ContactField::Civility => "civility",
        ContactField::FirstName => "first_name",
        ContactField::LastName => "last_name",
        ContactField::Mobile => "mobile",
        ContactField::Mobile2 => "mobile2",
        ContactField::Landline => "landline",
        ContactField::Email => "email",
        ContactField::Consent => "sms_consent",
        ContactField::Programme => "programme",
        ContactField::Kind => "kind",
        ContactField::Collaborator => "collaborator",
        ContactField::OptOut => "opt_out",
        ContactField::OptOutDate => "opt_out_date",
        ContactField::OptOutSource => "opt_out_source",
        ContactField::Attribute => "attribute",
    }
}

/// A phone number as a map key: its E.164 digits as one integer (15 digits at most), so that a
/// million numbers cost 8 bytes each rather than a string; anything else keeps its text.
fn phone_key(e164: &str) -> Option<u64> {
    store_import::e164_key(e164)
}

/// Phone numbers to values (the first one kept), compact for E.164 numbers.
struct PhoneMap<V> {
    digits: HashMap<u64, V>,
    other: HashMap<String, V>,
}

impl<V: Copy> PhoneMap<V> {
    fn new() -> PhoneMap<V> {
        PhoneMap {
            digits: HashMap::new(),
            other: HashMap::new(),
        }
    }

    fn get(&self, phone: &str) -> Option<V> {
        match phone_key(phone) {
            Some(k) => self.digits.get(&k).copied(),
            None => self.other.get(phone).copied(),
        }
    }

    fn insert_first(&mut self, phone: &str, v: V) {
        match phone_key(phone) {
            Some(k) => {
                self.digits.entry(k).or_insert(v);
            }
            None => {
                self.other.entry(phone.to_string()).or_insert(v);
            }
        }
    }
}

/// Existing participants by mobile (first and second) and, for those without a mobile, by
/// name: what makes a row a duplicate. Only ids are kept (the name is looked up for a
/// duplicate found): a store of a million participants must not double in memory.
struct Existing {
    by_phone: PhoneMap<i64>,
    by_name: HashMap<String, i64>,
}

fn name_key(first: &str, last: &str) -> String {
    normalise_header(&format!("{first}|{last}"))
}

impl Existing {
    fn load(conn: Db<'_>) -> CoreResult<Existing> {
        let mut e = Existing {
            by_phone: PhoneMap::new(),
            by_name: HashMap::new(),
        };
        for (id, first, last, mobile, mobile2) in store_import::participant_keys(conn)? {
            if mobile.is_none() {
                e.by_name.entry(name_key(&first, &last)).or_insert(id);
            }
            for m in [mobile, mobile2].into_iter().flatten() {
                e.by_phone.insert_first(&m, id);
            }
        }
        Ok(e)
    }

    /// Why `c` duplicates an existing participant, if it does.
    fn duplicate(&self, conn: Db<'_>, c: &NewParticipant) -> CoreResult<Option<IssueReason>> {
        let found = match &c.mobile {
            Some(m) => self.by_phone.get(m).map(|id| (id, true)),
            None => self
                .by_name
                .get(&name_key(&c.first_name, &c.last_name))
                .map(|id| (*id, false)),
        };
        let Some((id, by_phone)) = found else {
            return Ok(None);
        };
        let name = store_import::participant_name(conn, id)?;
        Ok(Some(if by_phone {
            IssueReason::MobileTaken { id, name }
        } else {
            IssueReason::NameTaken { id, name }
        }))
    }
}

/// What the reader said about the file as a whole (how a CSV was decoded).
fn file_notices(table: &crate::io::import::Table) -> Vec<ImportNotice> {
    table
        .notices
        .iter()
        .map(|n| ImportNotice::File { notice: n.clone() })
        .collect()
}

/// What a contacts preview says before its rows: the file, its header row, how each column is
/// used, and the notices about the file as a whole (no store needed).
pub fn contacts_preview_head(sheet: &ContactSheet) -> ContactsPreview {
    let table = &sheet.table;
    let mut p = ContactsPreview {
        file: table.file.clone(),
        header_row: table.header_row,
        notices: file_notices(table),
        ..Default::default()
    };
    for (field, col) in &sheet.columns.fields {
        p.columns.push(ColumnUse {
            column: table.column_named(*col),
            field: field_name(*field).into(),
        });
    }
    for col in &sheet.columns.others {
        p.columns.push(ColumnUse {
            column: table.column_named(*col),
            field: "attribute".into(),
        });
    }
    if !sheet.has(ContactField::Mobile) {
        p.notices.push(ImportNotice::NoMobileColumn);
    }
    if !sheet.has(ContactField::Consent) {
        p.notices.push(ImportNotice::NoConsentColumn);
    }
    if !sheet.columns.others.is_empty() {
        let columns = sheet
            .columns
            .others
            .iter()
            .map(|c| QuotedHeader::Quoted {
                column: table.column_named(*c),
            })
            .collect();
        p.notices.push(ImportNotice::FreeAttributes { columns });
    }
    p
}

/// Checks every row of a contacts file against the rules and the store; writes nothing. The
/// preview holds every valid contact (packed in `all_valid`), what an import creates.
pub fn preview_contacts(store: &Store, sheet: &ContactSheet) -> CoreResult<ContactsPreview> {
    let mut all = PackedContacts::default();
    let mut p = check_contacts(store, sheet, &mut |c| all.push(c))?;
    p.all_valid = all;
    Ok(p)
}

/// [`preview_contacts`] that hands each valid contact to `valid` as soon as its row is
/// checked, in file order, and keeps only the first [`SHOWN_VALID`] (`all_valid` stays empty;
/// `valid_rows` counts them): a preview streamed to its reader, whatever the file's size.
pub fn check_contacts(
    store: &Store,
    sheet: &ContactSheet,
    valid: &mut dyn FnMut(&ContactRow),
) -> CoreResult<ContactsPreview> {
    let conn = store.db();
    let settings = Settings::load(conn)?;
    let collaborators = Collaborators::load(conn)?;
    let existing = Existing::load(conn)?;
    // Read once: each row's mobile is then looked up in memory.
    let opt_outs = store_import::OptOuts::load(conn)?;
    let table = &sheet.table;
    let mut p = contacts_preview_head(sheet);
    // Rows of the file already taken, by mobile or by name: a later row repeating one is a
    // duplicate.
    let mut seen_phone: PhoneMap<usize> = PhoneMap::new();
    let mut seen_name: HashMap<String, usize> = HashMap::new();
    for mut r in table.rows.iter() {
        match contact_row(
            sheet,
            &mut r,
            &settings.default_region,
            &collaborators,
            &opt_outs,
        ) {
            Err(issues) => {
                p.invalid_rows += 1;
                p.invalid.extend(issues);
            }
            Ok(c) => {
                let person = &c.participant;
                let earlier = match &person.mobile {
                    Some(m) => seen_phone.get(m),
                    None => seen_name
                        .get(&name_key(&person.first_name, &person.last_name))
                        .copied(),
                };
                let reason = match earlier {
                    Some(first_row) => Some(IssueReason::SameContact { row: first_row }),
                    None => existing.duplicate(conn, person)?,
                };
                if let Some(reason) = reason {
                    let column = if person.mobile.is_some() {
                        sheet.column_name(ContactField::Mobile)
                    } else {
                        None
                    };
                    let value = person.mobile.clone().unwrap_or_else(|| {
                        format!("{} {}", person.first_name, person.last_name)
                            .trim()
                            .into()
                    });
                    p.duplicates.push(RowIssue {
                        row: c.row,
                        column,
                        value,
                        reason,
                    });
                    continue;
                }
                match &person.mobile {
                    Some(m) => seen_phone.insert_first(m, c.row),
                    None => {
                        seen_name
                            .entry(name_key(&person.first_name, &person.last_name))
                            .or_insert(c.row);
                    }
                };
                valid(&c);
                p.valid_rows += 1;
                if p.valid.len() < SHOWN_VALID {
                    p.valid.push(c);
                }
            }
        }
    }
    Ok(p)
}

/// One row, checked by the rules of a contact ([`super::contacts::check_contact`], shared with
/// the contacts created one at a time): the contact, or every problem it has.
fn contact_row(
    sheet: &ContactSheet,
    r: &mut crate::io::import::TableRow,
    region: &str,
    collaborators: &Collaborators,
    opt_outs: &store_import::OptOuts,
) -> Result<ContactRow, Vec<RowIssue>> {
    let mut issues = Vec::new();
    // Each field's text is taken out of the row, not copied; the cells are read, and their
    // issues noted, in this order.
    let mut text = |field: ContactField| sheet.take_text_noting(r, field, &mut issues);
    let texts = ContactTexts {
        civility: text(ContactField::Civility),
        first_name: text(ContactField::FirstName),
        last_name: text(ContactField::LastName),
        mobile: text(ContactField::Mobile),
        mobile2: text(ContactField::Mobile2),
        landline: text(ContactField::Landline),
        email: text(ContactField::Email),
        // A file without a consent column: consent given.
        consent: Some(text(ContactField::Consent)).filter(|_| sheet.has(ContactField::Consent)),
        programme: text(ContactField::Programme),
        kind: text(ContactField::Kind),
    };
    let collaborator_in = text(ContactField::Collaborator);
    // A date typed into a name column is a shifted column, not a name.
    let mut name_cells = |field: ContactField| {
        let col = sheet.columns.col(field)?;
        matches!(r.get(col), Cell::DateTime(_) | Cell::Number(_)).then(|| {
            (
                r.get(col).text().unwrap_or_default(),
                IssueReason::NumberNotName,
            )
        })
    };
    let checked = check_contact(
        &texts,
        region,
        !issues.is_empty(),
        &mut name_cells,
        (&collaborator_in, collaborators.lookup(&collaborator_in)),
    );
    for i in checked.issues {
        let field = sheet_field(i.field);
        issues.push(sheet.issue(r, field, &i.value, i.reason));
    }
    let mut participant = checked.participant;
    let mut warnings = checked.warnings;
    participant.attributes = contact_attributes(sheet, r, &mut issues);
    if !issues.is_empty() {
        return Err(issues);
    }
    match &participant.mobile {
        None => warnings.push(ContactWarning::NoMobile),
        Some(m) => {
            if opt_outs.contains(m) {
                warnings.push(ContactWarning::OptedOut);
            }
        }
    }
    Ok(ContactRow {
        row: r.row,
        participant,
        warnings,
    })
}

/// The column of a field a row's issue names: a field no file has (a single contact's
/// opt-out, attributes) is named in the last name's column.
fn sheet_field(f: ContactField) -> ContactField {
    match f {
        ContactField::OptOut
        | ContactField::OptOutDate
        | ContactField::OptOutSource
        | ContactField::Attribute => ContactField::LastName,
        f => f,
    }
}

/// The columns the import does not know, kept as free attributes of the contact.
fn contact_attributes(
    sheet: &ContactSheet,
    r: &crate::io::import::TableRow,
    issues: &mut Vec<RowIssue>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut attributes = serde_json::Map::new();
    for &col in &sheet.columns.others {
        let key = sheet.table.headers[col].trim().to_string();
        match crate::io::contacts::cell_text(&sheet.table, r, col) {
            Ok(v) if v.is_empty() => {}
            Ok(v) => {
                attributes.insert(key, serde_json::Value::String(v));
            }
            Err(i) => issues.push(i),
        }
    }
    attributes
}

/// What a confirmed import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub created: Vec<i64>,
    /// Rows found to be duplicates at write time (added by someone since the preview).
    pub skipped: Vec<RowIssue>,
    /// Reminders the automations created for imported events, and what they could not do.
    pub notices: Vec<ImportNotice>,
}

/// Creates every valid contact of the preview, in one transaction; duplicates (checked again,
/// since the store may have changed since the preview) are skipped and reported.
pub fn import_contacts(
    store: &mut Store,
    actor: &Actor,
    preview: &ContactsPreview,
    now: DateTime<Utc>,
) -> CoreResult<ImportOutcome> {
    actor.require_operator(super::Action::ImportContacts)?;
    if preview.all_valid.is_empty() {
        return Err(super::Refusal::NoValidContact {
            file: preview.file.clone(),
        }
        .into());
    }
    store.write(|tx| {
        let existing = Existing::load(tx)?;
        let mut out = ImportOutcome::default();
        for c in preview.all_valid.iter() {
            let c = &c;
            if let Some(reason) = existing.duplicate(tx, &c.participant)? {
                out.skipped.push(RowIssue {
                    row: c.row,
                    column: None,
                    value: c.participant.mobile.clone().unwrap_or_default(),
                    reason,
                });
                continue;
            }
            let id = participants::insert_participant(tx, &c.participant, now)
                .map_err(|e| import_row_refused(&preview.file, c.row, e))?;
            out.created.push(id);
        }
        let range = match (out.created.first(), out.created.last()) {
            (Some(a), Some(b)) => format!(" (#{a}–#{b})"),
            _ => String::new(),
        };
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ParticipantsImport,
            &preview.file,
            &format!(
                "{} contact(s) created{range}, {} duplicate(s) and {} invalid row(s) left out",
                out.created.len(),
                preview.duplicates.len() + out.skipped.len(),
                preview.invalid_rows
            ),
        )?;
        Ok(out)
    })
}

// ---------------------------------------------------------------------------------------------
// Events

/// An event ready to be created (one valid row of the file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub row: usize,
    pub participant_id: i64,
    pub participant: String,
    pub mobile: String,
    pub kind: EventKind,
    pub event_type: String,
    /// Local start, `YYYY-MM-DD HH:MM` (machine output; people read [`crate::i18n::dates`]).
    pub starts_local: String,
    #[serde(skip)]
    pub start: NaiveDateTime,
    pub collaborator_id: Option<i64>,
    pub location: String,
    pub notes: String,
}

/// What an events import would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventsPreview {
    pub file: String,
    pub header_row: usize,
    pub notices: Vec<ImportNotice>,
    pub valid: Vec<EventRow>,
    pub duplicates: Vec<RowIssue>,
    pub invalid: Vec<RowIssue>,
    pub invalid_rows: usize,
}

/// A participant an events file may name: id, name, counsellor.
type Known = (i64, String, Option<i64>);

/// Participants by mobile number (first and second).
fn participants_by_phone(conn: Db<'_>) -> CoreResult<HashMap<String, Vec<Known>>> {
    let mut out: HashMap<String, Vec<Known>> = HashMap::new();
    for (id, first, last, mobile, mobile2, collab) in store_import::participants_with_numbers(conn)?
    {
        let name = format!("{first} {last}").trim().to_string();
        for m in [mobile, mobile2].into_iter().flatten() {
            let list = out.entry(m).or_default();
            if !list.iter().any(|(i, _, _)| *i == id) {
                list.push((id, name.clone(), collab));
            }
        }
    }
    Ok(out)
}

fn parse_event_kind(s: &str) -> Option<EventKind> {
    if let Some(k) = EventKind::parse(s) {
        return Some(k);
    }
    match normalise_header(s).as_str() {
        "" | "RDV" | "RENDEZVOUS" | "ENTRETIEN" | "ENTRETIENS" | "INTERVIEW" => {
            Some(EventKind::Interview)
        }
        "ETAPE" | "STEP" => Some(EventKind::Step),
        "ORIENTATION" | "PRESCRIPTION" => Some(EventKind::Orientation),
        _ => None,
    }
}

fn event_exists(
    conn: Db<'_>,
    participant: i64,
    kind: EventKind,
    local: &str,
) -> CoreResult<Option<i64>> {
    Ok(store_import::event_at(
        conn,
        participant,
        kind.as_str(),
        local,
    )?)
}

/// The participant an events row is for, found by its mobile number (with that number in
/// E.164); `None` when no single participant has it. Problems go to `issues`.
fn event_participant(
    sheet: &EventSheet,
    r: &crate::io::import::TableRow,
    mobile_in: &str,
    region: &str,
    people: &HashMap<String, Vec<Known>>,
    issues: &mut Vec<RowIssue>,
) -> Option<(Known, String)> {
    let issue = |field, value: &str, reason| sheet.issue(r, field, value, reason);
    let mut participant = None;
    if mobile_in.is_empty() {
        issues.push(issue(EventField::Mobile, "", IssueReason::NoMobile));
    } else {
        match phone::parse_phone(mobile_in, region) {
            Err(error) => issues.push(issue(
                EventField::Mobile,
                mobile_in,
                IssueReason::Phone { error },
            )),
            Ok(ph) => match people.get(&ph.e164).map(Vec::as_slice) {
                Some([one]) => participant = Some((one.clone(), ph.e164)),
                Some(several) if several.len() > 1 => issues.push(issue(
                    EventField::Mobile,
                    mobile_in,
                    IssueReason::SharedNumber {
                        count: several.len(),
                        participants: several
                            .iter()
                            .map(|(id, n, _)| ParticipantRef::Named {
                                id: *id,
                                name: n.clone(),
                            })
                            .collect(),
                    },
                )),
                _ => issues.push(issue(
                    EventField::Mobile,
                    mobile_in,
                    IssueReason::UnknownNumber { e164: ph.e164 },
                )),
            },
        }
    }
    participant
}

/// The start of an events row in the organisation's time; `None` when unreadable or past
/// (only coming events are imported). Problems go to `issues`.
fn event_start(
    sheet: &EventSheet,
    r: &crate::io::import::TableRow,
    settings: &Settings,
    now: DateTime<Utc>,
    issues: &mut Vec<RowIssue>,
) -> Option<NaiveDateTime> {
    let issue = |field, value: &str, reason| sheet.issue(r, field, value, reason);
    match sheet.start(r) {
        Ok(s) => {
            let resolved = window::resolve_local(settings.timezone, s);
            if resolved.with_timezone(&Utc) <= now {
                issues.push(issue(
                    EventField::Date,
                    &crate::i18n::dates::day_time(s),
                    IssueReason::InThePast,
                ));
                None
            } else {
                Some(resolved.naive_local())
            }
        }
        Err(i) => {
            issues.push(i);
            None
        }
    }
}

/// Checks every row of an events file against the rules and the store; writes nothing.
/// Events must start after `now`; the participant is found by mobile number.
pub fn preview_events(
    store: &Store,
    sheet: &EventSheet,
    now: DateTime<Utc>,
) -> CoreResult<EventsPreview> {
    let conn = store.db();
    let settings = Settings::load(conn)?;
    let collaborators = Collaborators::load(conn)?;
    let people = participants_by_phone(conn)?;
    let table = &sheet.table;
    let mut p = EventsPreview {
        file: table.file.clone(),
        header_row: table.header_row,
        notices: file_notices(table),
        ..Default::default()
    };
    if sheet.columns.col(EventField::Kind).is_none() {
        p.notices.push(ImportNotice::NoKindColumn);
    }
    if sheet.columns.col(EventField::Collaborator).is_none() {
        p.notices.push(ImportNotice::NoCollaboratorColumn);
    }
    let mut seen: HashMap<(i64, EventKind, String), usize> = HashMap::new();
    for r in table.rows.iter() {
        let r = &r;
        let mut issues: Vec<RowIssue> = Vec::new();
        let mut text = |field: EventField| sheet.text_noting(r, field, &mut issues);
        let mobile_in = text(EventField::Mobile);
        let kind_in = text(EventField::Kind);
        let event_type = text(EventField::Type);
        let collaborator_in = text(EventField::Collaborator);
        let location = text(EventField::Location);
        let notes = text(EventField::Notes);
        let issue = |field, value: &str, reason| sheet.issue(r, field, value, reason);
        let participant = event_participant(
            sheet,
            r,
            &mobile_in,
            &settings.default_region,
            &people,
            &mut issues,
        );
        let kind = match parse_event_kind(&kind_in) {
            Some(k) => Some(k),
            None => {
                issues.push(issue(EventField::Kind, &kind_in, IssueReason::NotEventKind));
                None
            }
        };
        let start = event_start(sheet, r, &settings, now, &mut issues);
        // No collaborator named: the participant's own.
        let collaborator_id = match collaborators.lookup(&collaborator_in) {
            Ok(None) => participant.as_ref().and_then(|((_, _, c), _)| *c),
            Ok(found) => found,
            Err(reason) => {
                issues.push(issue(EventField::Collaborator, &collaborator_in, reason));
                None
            }
        };
        for (field, value) in [
            (EventField::Type, &event_type),
            (EventField::Location, &location),
        ] {
            if value.chars().count() > 200 {
                issues.push(issue(field, value, IssueReason::TooLong { max: 200 }));
            }
        }
        let (Some(((pid, name, _), e164)), Some(kind), Some(start), true) =
            (participant, kind, start, issues.is_empty())
        else {
            p.invalid_rows += 1;
            p.invalid.extend(issues);
            continue;
        };
        let stored_local = start.format("%Y-%m-%d %H:%M:%S").to_string();
        let shown_local = crate::i18n::dates::day_time(start);
        let dup_issue = |reason: IssueReason| RowIssue {
            row: r.row,
            column: sheet.column_name(EventField::Date),
            value: shown_local.clone(),
            reason,
        };
        if let Some(first_row) = seen.get(&(pid, kind, stored_local.clone())) {
            p.duplicates
                .push(dup_issue(IssueReason::SameEvent { row: *first_row }));
            continue;
        }
        if let Some(id) = event_exists(conn, pid, kind, &stored_local)? {
            p.duplicates.push(dup_issue(IssueReason::EventExists {
                name,
                kind: crate::io::issue::KindOfEvent(kind),
                id,
            }));
            continue;
        }
        seen.insert((pid, kind, stored_local), r.row);
        p.valid.push(EventRow {
            row: r.row,
            participant_id: pid,
            participant: name,
            mobile: e164,
            kind,
            event_type,
            starts_local: start.format("%Y-%m-%d %H:%M").to_string(),
            start,
            collaborator_id,
            location,
            notes,
        });
    }
    Ok(p)
}

/// Creates every valid event of the preview in one transaction, as the agenda does (audited,
/// the automations applied to each: their reminders are created with it). Events that became
/// duplicates since the preview are skipped and reported.
pub fn import_events(
    store: &mut Store,
    actor: &Actor,
    preview: &EventsPreview,
    now: DateTime<Utc>,
) -> CoreResult<ImportOutcome> {
    actor.require_operator(super::Action::ImportEvents)?;
    if preview.valid.is_empty() {
        return Err(super::Refusal::NoValidEvent {
            file: preview.file.clone(),
        }
        .into());
    }
    let settings = Settings::load(store.db())?;
    store.write(|tx| {
        let mut out = ImportOutcome::default();
        for e in &preview.valid {
            let start = super::events::resolve_start(&settings, e.start);
            let (_, stored_local) = start;
            if let Some(id) = event_exists(
                tx,
                e.participant_id,
                e.kind,
                &stored_local.format("%Y-%m-%d %H:%M:%S").to_string(),
            )? {
                out.skipped.push(RowIssue {
                    row: e.row,
                    column: None,
                    value: e.starts_local.clone(),
                    reason: IssueReason::CreatedMeanwhile { id },
                });
                continue;
            }
            let id = events::insert_event(
                tx,
                &NewEvent {
                    collaborator_id: e.collaborator_id,
                    location: e.location.clone(),
                    notes: e.notes.clone(),
                    ..NewEvent::planned(
                        e.participant_id,
                        e.kind,
                        e.event_type.clone(),
                        start,
                        &actor.login,
                        now,
                    )
                },
            )
            .map_err(|err| import_row_refused(&preview.file, e.row, err))?;
            audit::record(
                tx,
                actor.stamp(now),
                AuditAction::EventCreate,
                id,
                &format!(
                    "{} {} for participant #{} (import of {}, row {})",
                    e.kind, e.starts_local, e.participant_id, preview.file, e.row
                ),
            )?;
            for change in automations::apply_in(tx, &settings, id, &actor.login, now)? {
                out.notices.push(ImportNotice::Reminder {
                    row: e.row,
                    id,
                    change: change.notice(),
                });
            }
            out.created.push(id);
        }
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::EventsImport,
            &preview.file,
            &format!(
                "{} event(s) created, {} duplicate(s) and {} invalid row(s) left out",
                out.created.len(),
                preview.duplicates.len() + out.skipped.len(),
                preview.invalid_rows
            ),
        )?;
        Ok(out)
    })
}

/// A row the store refuses to write is the file's fault, named by its row; any other failure is
/// the system's.
fn import_row_refused(file: &str, row: usize, e: StoreError) -> CoreError {
    match e {
        StoreError::Invalid(problem) => CoreError::Invalid(super::Refusal::ImportRow {
            file: file.to_string(),
            row,
            problem: Box::new(problem),
        }),
        other => CoreError::Store(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_contacts_give_back_every_field() {
        let mut attributes = serde_json::Map::new();
        attributes.insert("Ville".into(), serde_json::Value::String("Lorient".into()));
        let full = ContactRow {
            row: 1_000_001,
            participant: NewParticipant {
                kind: crate::sms::status::ParticipantKind::Partner,
                civility: "Mme".into(),
                first_name: "Léa".into(),
                last_name: "Le Gall".into(),
                mobile: Some("+33612345678".into()),
                mobile2: None,
                landline: Some("+33297000000".into()),
                email: Some("lea@example.fr".into()),
                sms_consent: true,
                programme: "Garantie jeunes".into(),
                collaborator_id: Some(-3),
                attributes,
            },
            warnings: vec![
                ContactWarning::OptedOut,
                ContactWarning::LandlineAsMobile {
                    number: "02 97 00 00 00".into(),
                },
            ],
        };
        let bare = ContactRow {
            row: 2,
            participant: NewParticipant {
                kind: crate::sms::status::ParticipantKind::Participant,
                civility: String::new(),
                first_name: String::new(),
                last_name: "Riou".into(),
                mobile: None,
                mobile2: None,
                landline: None,
                email: None,
                sms_consent: false,
                programme: String::new(),
                collaborator_id: None,
                attributes: serde_json::Map::new(),
            },
            warnings: Vec::new(),
        };
        let mut packed = PackedContacts::default();
        packed.push(&full);
        packed.push(&bare);
        assert_eq!(packed.len(), 2);
        assert_eq!(packed.iter().collect::<Vec<_>>(), vec![full.clone(), bare]);
        // Serialised as the list of rows it holds.
        let json = serde_json::to_value(&packed).unwrap();
        assert_eq!(json[0], serde_json::to_value(&full).unwrap());
    }

    #[test]
    fn phone_keys_are_e164_digits_only() {
        assert_eq!(phone_key("+33612345678"), Some(33_612_345_678));
        assert_eq!(phone_key("0612345678"), None);
        assert_eq!(phone_key("+0612"), None);
        assert_eq!(phone_key("+33 6"), None);
        let mut seen = PhoneMap::new();
        seen.insert_first("+33612345678", 4usize);
        seen.insert_first("+33612345678", 9);
        seen.insert_first("not e164", 5);
        assert_eq!(seen.get("+33612345678"), Some(4), "the first row is kept");
        assert_eq!(seen.get("not e164"), Some(5));
        assert_eq!(seen.get("+33698765432"), None);
    }
}
