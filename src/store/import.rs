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

/// Whether a number opted out (STOP), with a statement prepared once for all rows; a failed
/// read counts as not opted out.
pub fn opted_out(conn: Db<'_>, phone: &str) -> bool {
    conn.prepare_cached("SELECT 1 FROM opt_outs WHERE phone = ?1")
        .and_then(|mut stmt| stmt.exists([phone]))
        .unwrap_or(false)
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
