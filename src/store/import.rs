//! What an import reads to check its rows against the store: collaborators by name,
//! participants by number or name, events already recorded, opt-outs. Unlike the paged
//! lists, the collaborator and participant reads return whole tables: an import looks each
//! of its rows up in them, once per import, as the import did before the move.

use super::Result;
use crate::store::Db;
use rusqlite::params;

/// A collaborator: id, first name, last name, operator login ('' when none), active.
pub type CollaboratorKeys = (i64, String, String, String, bool);

/// Every collaborator, by name.
pub fn collaborators(conn: Db<'_>) -> Result<Vec<CollaboratorKeys>> {
    let mut stmt = conn.prepare(
        "SELECT id, first_name, last_name, COALESCE(operator_login, ''), active FROM collaborators ORDER BY last_name, first_name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, bool>(4)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A phone number as a compact key: its E.164 digits as one integer (18 digits at most);
/// `None` for anything else.
pub fn e164_key(e164: &str) -> Option<u64> {
    let digits = e164.strip_prefix('+')?;
    let ok = (1..=18).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit());
    if ok { digits.parse().ok() } else { None }
}

/// Every number that opted out (STOP), read once for a whole file: each row is then looked up
/// in memory (8 bytes a number), not asked of the store one by one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptOuts {
    /// E.164 numbers as [`e164_key`]s, sorted.
    digits: Vec<u64>,
    /// Anything else stored, sorted.
    other: Vec<String>,
}

impl OptOuts {
    pub fn load(conn: Db<'_>) -> Result<OptOuts> {
        let mut out = OptOuts::default();
        let mut stmt = conn.prepare("SELECT phone FROM opt_outs")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let phone = r.get_ref(0)?.as_str().unwrap_or_default();
            match e164_key(phone) {
                Some(k) => out.digits.push(k),
                None => out.other.push(phone.to_string()),
            }
        }
        out.digits.sort_unstable();
        out.other.sort_unstable();
        Ok(out)
    }

    /// Whether `phone` (as stored: E.164) opted out.
    pub fn contains(&self, phone: &str) -> bool {
        match e164_key(phone) {
            // A key stands for one text only: `+` and its digits, as stored.
            Some(k) => self.digits.binary_search(&k).is_ok(),
            None => self
                .other
                .binary_search_by(|o| o.as_str().cmp(phone))
                .is_ok(),
        }
    }
}

/// Which of `phones` opted out, in one query whatever their number.
pub fn opted_out_among(conn: Db<'_>, phones: &[&str]) -> Result<std::collections::HashSet<String>> {
    let list = serde_json::to_string(phones).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT o.phone FROM json_each(?1) AS j JOIN opt_outs o ON o.phone = j.value",
    )?;
    let rows = stmt.query_map([list], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A participant as duplicates are found: id, first name, last name, mobile, second mobile.
pub type ParticipantKeys = (i64, String, String, Option<String>, Option<String>);

/// Every participant's names and numbers.
pub fn participant_keys(conn: Db<'_>) -> Result<Vec<ParticipantKeys>> {
    let mut stmt =
        conn.prepare("SELECT id, first_name, last_name, mobile, mobile2 FROM participants")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A participant's full name.
pub fn participant_name(conn: Db<'_>, id: i64) -> Result<String> {
    Ok(conn
        .prepare_cached(
            "SELECT trim(first_name || ' ' || last_name) FROM participants WHERE id = ?1",
        )?
        .query_row([id], |r| r.get(0))?)
}

/// A participant with a number: id, first name, last name, mobile, second mobile, counsellor.
pub type ParticipantNumbers = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// Every participant with at least one mobile number.
pub fn participants_with_numbers(conn: Db<'_>) -> Result<Vec<ParticipantNumbers>> {
    let mut stmt = conn.prepare(
        "SELECT id, first_name, last_name, mobile, mobile2, collaborator_id FROM participants
         WHERE mobile IS NOT NULL OR mobile2 IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A live event of `kind` for the participant starting at `local`, if any.
pub fn event_at(conn: Db<'_>, participant: i64, kind: &str, local: &str) -> Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM events WHERE participant_id = ?1 AND kind = ?2 AND starts_local = ?3 AND cancelled = 0 LIMIT 1",
    )?;
    let mut rows = stmt.query(params![participant, kind, local])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}
