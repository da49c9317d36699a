//! Participants (and partner / company contacts), saved lists, opt-outs.

use super::{Result, StoreError, ts};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub id: i64,
    pub kind: String,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile: Option<String>,
    pub sms_consent: bool,
    pub opted_out: bool,
    pub programme: String,
    pub collaborator_id: Option<i64>,
}

impl Participant {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_string()
    }
}

const COLUMNS: &str =
    "p.id, p.kind, p.civility, p.first_name, p.last_name, p.mobile, p.sms_consent,
    EXISTS(SELECT 1 FROM opt_outs o WHERE o.phone = p.mobile), p.programme, p.collaborator_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Participant> {
    Ok(Participant {
        id: r.get(0)?,
        kind: r.get(1)?,
        civility: r.get(2)?,
        first_name: r.get(3)?,
        last_name: r.get(4)?,
        mobile: r.get(5)?,
        sms_consent: r.get(6)?,
        opted_out: r.get(7)?,
        programme: r.get(8)?,
        collaborator_id: r.get(9)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Participant> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM participants p WHERE p.id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(StoreError::NotFound {
        what: "participant",
        id,
    })
}

/// A page of participants ordered by name, after the keyset `(last_name, first_name, id)`,
/// optionally filtered by a name / phone substring.
pub fn page(
    conn: &Connection,
    search: &str,
    after: Option<(&str, &str, i64)>,
    limit: usize,
) -> Result<Vec<Participant>> {
    let like = format!("%{}%", search.trim().replace('%', ""));
    let (l, f, id) = after.unwrap_or(("", "", 0));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM participants p
         WHERE (p.last_name || ' ' || p.first_name || ' ' || p.first_name || ' ' || COALESCE(p.mobile,'')) LIKE ?1
           AND (p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id) > (?2, ?3, ?4)
         ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id LIMIT ?5"
    ))?;
    let rows = stmt.query_map(
        params![
            like,
            l,
            f,
            if after.is_some() { id } else { -1 },
            limit as i64
        ],
        row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM participants", [], |r| r.get(0))?)
}

pub fn is_opted_out(conn: &Connection, phone: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM opt_outs WHERE phone = ?1", [phone], |_| {
            Ok(())
        })
        .optional()?
        .is_some())
}

/// Puts a number on the opt-out list (idempotent: the first opt-out is kept).
pub fn opt_out(
    conn: &Connection,
    phone: &str,
    source: &str,
    reply_id: Option<i64>,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
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

pub fn saved_lists(conn: &Connection) -> Result<Vec<SavedList>> {
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

pub fn list_members(conn: &Connection, list_id: i64) -> Result<Vec<Participant>> {
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

pub fn collaborators(conn: &Connection) -> Result<Vec<Collaborator>> {
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
