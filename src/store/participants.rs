//! Participants (and partner / company contacts), saved lists, opt-outs.

use super::page::{Direction, Page};
use super::{PhoneField, Record, Result, StoreError, StoreProblem, ts};
use crate::core::refusal::Refusal;
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

pub use crate::sms::status::ParticipantKind;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub id: i64,
    pub kind: ParticipantKind,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile: Option<String>,
    pub sms_consent: bool,
    pub opted_out: bool,
    pub programme: String,
    pub collaborator_id: Option<i64>,
    /// Archived: out of the pickers, batches and automations; the history stays.
    pub archived: bool,
}

impl Participant {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_string()
    }
}

pub(crate) const COLUMNS: &str =
    "p.id, p.kind, p.civility, p.first_name, p.last_name, p.mobile, p.sms_consent,
    EXISTS(SELECT 1 FROM opt_outs o WHERE o.phone = p.mobile), p.programme, p.collaborator_id,
    p.archived_at IS NOT NULL";

pub(crate) fn row(r: &rusqlite::Row) -> rusqlite::Result<Participant> {
    Ok(Participant {
        id: r.get(0)?,
        kind: super::codes::code(r, 1)?,
        civility: r.get(2)?,
        first_name: r.get(3)?,
        last_name: r.get(4)?,
        mobile: r.get(5)?,
        sms_consent: r.get(6)?,
        opted_out: r.get(7)?,
        programme: r.get(8)?,
        collaborator_id: r.get(9)?,
        archived: r.get(10)?,
    })
}

pub fn get(conn: Db<'_>, id: i64) -> Result<Participant> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM participants p WHERE p.id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(StoreError::NotFound {
        what: Record::Participant,
        id,
    })
}

/// What a name / phone search looks in: the last name on both sides of the first, so
/// "Benali Karim" and "Karim Benali" both match, then the mobile.
pub(crate) const SEARCH_TEXT: &str =
    "(p.last_name || ' ' || p.first_name || ' ' || p.last_name || ' ' || COALESCE(p.mobile,''))";

/// The LIKE pattern of a typed search, matched against `fold(SEARCH_TEXT)`: folded
/// ([`crate::text::fold`]: no case, accents or ligatures), `%` typed dropped (it would match
/// anything). A number typed as the screen shows it (`06 98 76 54 32`, `06.98…`, `+33 6…`)
/// is searched by its digits, without the national leading 0, in the stored E.164 form.
pub(crate) fn search_pattern(search: &str) -> String {
    let search = search.trim();
    let phone_like = search
        .chars()
        .all(|c| c.is_ascii_digit() || " .-+()".contains(c));
    let digits: String = search.chars().filter(char::is_ascii_digit).collect();
    if phone_like && digits.len() >= 3 {
        let national = digits
            .strip_prefix('0')
            .filter(|rest| !rest.starts_with('0'))
            .unwrap_or(&digits);
        return format!("%{national}%");
    }
    format!("%{}%", crate::text::fold(&search.replace('%', "")))
}

/// How many participants (not archived) a name / phone search finds ([`page`]'s rows).
pub fn search_count(conn: Db<'_>, search: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM participants p WHERE fold({SEARCH_TEXT}) LIKE ?1 AND p.archived_at IS NULL"
        ))?
        .query_row([search_pattern(search)], |r| r.get(0))?)
}

/// Where a participant stands in a list ordered by name: `(last_name, first_name, id)`.
pub type NameKey = (String, String, i64);

/// The keyset end of a statement reading a page of participants (`p`) by name, whose other
/// values are already in `args`: the condition on the key (` AND …`, empty without one) and
/// the `ORDER BY … LIMIT` closing it. Pushes the key's values, then the limit, onto `args`.
pub(super) fn by_name(page: &Page<'_, NameKey>, args: &mut Vec<Value>) -> (String, String) {
    let (cmp, order) = match page.dir {
        Direction::Forward => (">", ""),
        Direction::Backward => ("<", " DESC"),
    };
    let mut cond = String::new();
    if let Some((l, f, id)) = page.after {
        args.extend([
            Value::Text(l.clone()),
            Value::Text(f.clone()),
            Value::Integer(*id),
        ]);
        let n = args.len();
        cond = format!(
            " AND (p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id) {cmp} (?{}, ?{}, ?{n})",
            n - 2,
            n - 1
        );
    }
    args.push(Value::Integer(page.limit as i64));
    let order_limit = format!(
        "ORDER BY p.last_name COLLATE NOCASE{order}, p.first_name COLLATE NOCASE{order}, p.id{order}
         LIMIT ?{}",
        args.len()
    );
    (cond, order_limit)
}

/// A keyset page of participants ordered by name `(last_name, first_name, id)`, optionally
/// filtered by a name / phone substring: `Forward` after `page.after`, `Backward` before it
/// (returned in name order).
pub fn page(conn: Db<'_>, search: &str, page: Page<'_, NameKey>) -> Result<Vec<Participant>> {
    let mut args: Vec<Value> = vec![Value::Text(search_pattern(search))];
    let (cond, order_limit) = by_name(&page, &mut args);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM participants p WHERE fold({SEARCH_TEXT}) LIKE ?1 AND p.archived_at IS NULL{cond}
         {order_limit}"
    ))?;
    let rows: Vec<Participant> = stmt
        .query_map(rusqlite::params_from_iter(args), row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page.in_list_order(rows))
}

/// How many participants the Contacts list shows (the archived ones are not).
pub fn count(conn: Db<'_>) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM participants WHERE archived_at IS NULL",
        [],
        |r| r.get(0),
    )?)
}

pub fn is_opted_out(conn: Db<'_>, phone: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM opt_outs WHERE phone = ?1", [phone], |_| {
            Ok(())
        })
        .optional()?
        .is_some())
}

/// Puts a number on the opt-out list (idempotent: the first opt-out is kept).
pub fn opt_out<'c>(
    conn: impl Into<Db<'c>>,
    phone: &str,
    source: &str,
    reply_id: Option<i64>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let n = conn.execute(
        "INSERT INTO opt_outs(phone, at, source, reply_id, created_by) VALUES (?1,?2,?3,?4,?5) ON CONFLICT DO NOTHING",
        params![phone, ts(at), source, reply_id, actor],
    )?;
    Ok(n == 1)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SavedList {
    pub id: i64,
    pub name: String,
    pub members: i64,
    pub created_by: String,
}

pub fn saved_lists(conn: Db<'_>) -> Result<Vec<SavedList>> {
    let mut stmt = conn.prepare(
        "SELECT l.id, l.name, (SELECT count(*) FROM saved_list_members m WHERE m.list_id = l.id), l.created_by
         FROM saved_lists l ORDER BY l.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SavedList {
            id: r.get(0)?,
            name: r.get(1)?,
            members: r.get(2)?,
            created_by: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list_members(conn: Db<'_>, list_id: i64) -> Result<Vec<Participant>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM participants p JOIN saved_list_members m ON m.participant_id = p.id
         WHERE m.list_id = ?1 ORDER BY p.last_name, p.first_name, p.id"
    ))?;
    let rows = stmt.query_map([list_id], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Collaborator {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
}

impl Collaborator {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

pub fn collaborators(conn: Db<'_>) -> Result<Vec<Collaborator>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, first_name, last_name, phone FROM collaborators WHERE active = 1 ORDER BY last_name, first_name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Collaborator {
            id: r.get(0)?,
            first_name: r.get(1)?,
            last_name: r.get(2)?,
            phone: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Inserts (contacts screen, spreadsheet import, demo store)

/// A participant (or partner / company contact) to create. Phone numbers must already be
/// normalised to E.164 by the phone rules: the store keeps what it is given. Also what a
/// valid row of an import shows (serialised, for `--json import`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NewParticipant {
    pub kind: ParticipantKind,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile: Option<String>,
    pub mobile2: Option<String>,
    pub landline: Option<String>,
    pub email: Option<String>,
    pub sms_consent: bool,
    pub programme: String,
    pub collaborator_id: Option<i64>,
    /// Free attributes: a JSON object.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// `+` then 8 to 15 digits: the shape of an E.164 number (the phone rules decide validity).
fn is_e164_shaped(phone: &str) -> bool {
    phone
        .strip_prefix('+')
        .is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

fn check_phone(field: PhoneField, who: &str, phone: Option<&str>) -> Result<()> {
    match phone {
        Some(p) if !is_e164_shaped(p) => Err(StoreProblem::NotE164 {
            who: who.to_string(),
            field,
            phone: p.to_string(),
        }
        .into()),
        _ => Ok(()),
    }
}

/// The twelve stored fields of `p` in the order the insert and the update bind them (`?1` to
/// `?12`: kind, civility, first and last name, mobile, second mobile, landline, email,
/// consent, programme, collaborator, free attributes as JSON).
pub(crate) fn field_values(p: &NewParticipant) -> [Value; 12] {
    [
        Value::from(p.kind.as_str().to_string()),
        Value::from(p.civility.clone()),
        Value::from(p.first_name.clone()),
        Value::from(p.last_name.clone()),
        Value::from(p.mobile.clone()),
        Value::from(p.mobile2.clone()),
        Value::from(p.landline.clone()),
        Value::from(p.email.clone()),
        Value::from(super::flag(p.sms_consent)),
        Value::from(p.programme.clone()),
        Value::from(p.collaborator_id),
        Value::from(serde_json::Value::Object(p.attributes.clone()).to_string()),
    ]
}

/// Creates a participant; returns its id. Refuses a nameless contact, or a phone number not in
/// E.164 form, saying which.
pub fn insert_participant<'c>(
    conn: impl Into<Db<'c>>,
    p: &NewParticipant,
    created_at: DateTime<Utc>,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    let who = format!(
        "participant {:?}",
        format!("{} {}", p.first_name, p.last_name).trim()
    );
    if p.first_name.trim().is_empty() && p.last_name.trim().is_empty() {
        return Err(StoreProblem::ParticipantNameMissing.into());
    }
    check_phone(PhoneField::Mobile, &who, p.mobile.as_deref())?;
    check_phone(PhoneField::SecondMobile, &who, p.mobile2.as_deref())?;
    check_phone(PhoneField::Landline, &who, p.landline.as_deref())?;
    conn.prepare_cached(
        "INSERT INTO participants(kind, civility, first_name, last_name, mobile, mobile2, landline, email,
            sms_consent, programme, collaborator_id, attributes, created_at, updated_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?13)",
    )?
    .execute(rusqlite::params_from_iter(
        field_values(p).into_iter().chain([Value::from(ts(created_at))]),
    ))?;
    Ok(conn.last_insert_rowid())
}

/// A counsellor events belong to (not necessarily an smsdesk operator).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewCollaborator {
    pub first_name: String,
    pub last_name: String,
    /// E.164; shown to participants through the `collaborator.phone` merge field.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The operator login of this counsellor, when they use smsdesk themselves.
    pub operator_login: Option<String>,
    pub active: bool,
}

/// Creates a collaborator; returns its id.
pub fn insert_collaborator<'c>(conn: impl Into<Db<'c>>, c: &NewCollaborator) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    let who = format!(
        "collaborator {:?}",
        format!("{} {}", c.first_name, c.last_name).trim()
    );
    if c.first_name.trim().is_empty() && c.last_name.trim().is_empty() {
        return Err(StoreProblem::CollaboratorNameMissing.into());
    }
    check_phone(PhoneField::Phone, &who, c.phone.as_deref())?;
    conn.prepare_cached(
        "INSERT INTO collaborators(first_name, last_name, phone, email, operator_login, active)
         VALUES (?1,?2,?3,?4,?5,?6)",
    )?
    .execute(params![
        c.first_name,
        c.last_name,
        c.phone,
        c.email,
        c.operator_login,
        super::flag(c.active)
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A named selection of participants, reused by batch sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSavedList {
    pub name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Participant ids; duplicates are ignored.
    pub members: Vec<i64>,
}

/// Creates a saved list with its members; returns its id. Refuses an empty name or one already
/// used (names are unique so operators can tell lists apart).
pub fn insert_saved_list<'c>(conn: impl Into<Db<'c>>, l: &NewSavedList) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    let name = l.name.trim();
    if name.is_empty() {
        return Err(Refusal::ListNameMissing.into());
    }
    let exists = conn
        .query_row("SELECT 1 FROM saved_lists WHERE name = ?1", [name], |_| {
            Ok(())
        })
        .optional()?
        .is_some();
    if exists {
        let name = name.to_string();
        return Err(Refusal::ListExists { name }.into());
    }
    let id = super::lists::insert(conn, name, &l.created_by, l.created_at)?;
    super::lists::add_members(conn, id, &l.members).map_err(|e| match e {
        StoreError::Invalid(problem) => Refusal::ListProblem {
            name: name.to_string(),
            problem: Box::new(problem),
        }
        .into(),
        other => other,
    })?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// Selection by filters (Batch tab)

/// Which participants a batch selects by filter. Every criterion given must hold; the event
/// criteria (collaborator, type, period) must all hold on one same event that is not
/// cancelled. Built by `core::batch::build_filter` from what the operator chose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParticipantFilter {
    pub kind: Option<ParticipantKind>,
    pub programme: Option<String>,
    /// SMS consent given (`Some(true)`) or not (`Some(false)`).
    pub consent: Option<bool>,
    /// The collaborator of one of their events.
    pub event_collaborator: Option<i64>,
    /// The type of one of their events (`diagnosis`, `workshop`…).
    pub event_type: Option<String>,
    /// One of their events starts at or after this instant…
    pub event_from: Option<DateTime<Utc>>,
    /// …and before this one (exclusive).
    pub event_until: Option<DateTime<Utc>>,
}

impl ParticipantFilter {
    /// Whether no criterion is set (every participant matches).
    pub fn is_empty(&self) -> bool {
        *self == ParticipantFilter::default()
    }

    fn has_event_criteria(&self) -> bool {
        self.event_collaborator.is_some()
            || self.event_type.is_some()
            || self.event_from.is_some()
            || self.event_until.is_some()
    }

    /// `FROM … WHERE …` and its parameters. With event criteria, the events are found first
    /// through their indexes (collaborator, type or start) and the participants by id.
    fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut params: Vec<Value> = Vec::new();
        let mut wheres: Vec<String> = Vec::new();
        let mut param = |v: Value| {
            params.push(v);
            format!("?{}", params.len())
        };
        if let Some(k) = &self.kind {
            wheres.push(format!(
                "p.kind = {}",
                param(Value::Text(k.as_str().to_string()))
            ));
        }
        if let Some(pr) = &self.programme {
            wheres.push(format!("p.programme = {}", param(Value::Text(pr.clone()))));
        }
        if let Some(c) = self.consent {
            wheres.push(format!(
                "p.sms_consent = {}",
                param(Value::Integer(super::flag(c)))
            ));
        }
        if self.has_event_criteria() {
            let mut ev = vec!["e.cancelled = 0".to_string()];
            if let Some(c) = self.event_collaborator {
                ev.push(format!("e.collaborator_id = {}", param(Value::Integer(c))));
            }
            if let Some(t) = &self.event_type {
                ev.push(format!("e.type = {}", param(Value::Text(t.clone()))));
            }
            if let Some(f) = self.event_from {
                ev.push(format!("e.starts_at >= {}", param(Value::Integer(ts(f)))));
            }
            if let Some(u) = self.event_until {
                ev.push(format!("e.starts_at < {}", param(Value::Integer(ts(u)))));
            }
            wheres.push(format!(
                "p.id IN (SELECT e.participant_id FROM events e WHERE {})",
                ev.join(" AND ")
            ));
        }
        // Archived participants are never chosen.
        wheres.push("p.archived_at IS NULL".to_string());
        let sql = format!("FROM participants p WHERE {}", wheres.join(" AND "));
        (sql, params)
    }
}

/// The ids of the participants `filter` selects, in id order.
pub fn matching_ids(conn: Db<'_>, filter: &ParticipantFilter) -> Result<Vec<i64>> {
    let (from, params) = filter.sql();
    let mut stmt = conn.prepare_cached(&format!("SELECT p.id {from} ORDER BY p.id"))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many participants `filter` selects.
pub fn count_matching(conn: Db<'_>, filter: &ParticipantFilter) -> Result<i64> {
    let (from, params) = filter.sql();
    let mut stmt = conn.prepare_cached(&format!("SELECT count(*) {from}"))?;
    Ok(stmt.query_row(rusqlite::params_from_iter(params), |r| r.get(0))?)
}

/// At most this many distinct values are offered in a filter's choices.
pub const MAX_CHOICES: usize = 200;

/// The distinct non-empty values of an indexed column, in order, one index seek per value
/// (never a scan of the table: a million participants share a few dozen programmes).
fn distinct_values(conn: Db<'_>, table: &str, column: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(&format!(
        "WITH RECURSIVE v(x) AS (
             SELECT (SELECT min({column}) FROM {table} WHERE {column} > '')
             UNION ALL
             SELECT (SELECT min({column}) FROM {table} WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL
         )
         SELECT x FROM v WHERE x IS NOT NULL LIMIT ?1"
    ))?;
    let rows = stmt.query_map([MAX_CHOICES as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The programmes participants are in (first [`MAX_CHOICES`], in order).
pub fn programmes(conn: Db<'_>) -> Result<Vec<String>> {
    distinct_values(conn, "participants", "programme")
}

/// The types events have (first [`MAX_CHOICES`], in order).
pub fn event_types(conn: Db<'_>) -> Result<Vec<String>> {
    distinct_values(conn, "events", "type")
}

/// The participant ids of the members of saved list `list_id`, in id order.
pub fn list_member_ids(conn: Db<'_>, list_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.participant_id FROM saved_list_members m JOIN participants p ON p.id = m.participant_id
         WHERE m.list_id = ?1 AND p.archived_at IS NULL ORDER BY m.participant_id",
    )?;
    let rows = stmt.query_map([list_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How SQLite runs [`matching_ids`] for `filter` (the `EXPLAIN QUERY PLAN` details): for
/// checking that every filter is served by an index.
pub fn matching_plan(conn: Db<'_>, filter: &ParticipantFilter) -> Result<Vec<String>> {
    let (from, params) = filter.sql();
    let mut stmt = conn.prepare(&format!(
        "EXPLAIN QUERY PLAN SELECT p.id {from} ORDER BY p.id"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get(3))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first participant (by id) whose mobile is `e164`: id, full name, SMS consent.
pub fn owner_of_mobile(conn: Db<'_>, e164: &str) -> Result<Option<(i64, String, bool)>> {
    Ok(conn
        .query_row(
            "SELECT id, trim(first_name || ' ' || last_name), sms_consent FROM participants WHERE mobile = ?1 ORDER BY id LIMIT 1",
            [e164],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}

/// Reads one participant with a cached statement (a batch reads thousands).
pub fn get_cached(conn: Db<'_>, id: i64) -> Result<Option<Participant>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM participants p WHERE p.id = ?1"
    ))?;
    Ok(stmt.query_row([id], row).optional()?)
}

/// Whether collaborator `id` exists.
pub fn collaborator_exists(conn: Db<'_>, id: i64) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM collaborators WHERE id = ?1",
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
