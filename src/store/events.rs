//! Events in participants' futures: interviews, steps, orientations.

use super::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub participant_id: i64,
    pub participant_name: String,
    pub kind: String,
    pub event_type: String,
    pub starts_at: i64,
    pub starts_local: String,
    pub collaborator_id: Option<i64>,
    pub collaborator: String,
    pub location: String,
    pub outcome: String,
    pub cancelled: bool,
    pub reminder_enabled: bool,
    pub reminder_days_before: Option<i64>,
    pub reply_text: Option<String>,
}

const COLUMNS: &str = "e.id, e.participant_id, p.first_name || ' ' || p.last_name, e.kind, e.type, e.starts_at, e.starts_local,
    e.collaborator_id, COALESCE(c.first_name || ' ' || c.last_name, ''), e.location, e.outcome, e.cancelled,
    e.reminder_enabled, e.reminder_days_before, e.reply_text";

const FROM: &str = "events e JOIN participants p ON p.id = e.participant_id LEFT JOIN collaborators c ON c.id = e.collaborator_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        participant_id: r.get(1)?,
        participant_name: r.get(2)?,
        kind: r.get(3)?,
        event_type: r.get(4)?,
        starts_at: r.get(5)?,
        starts_local: r.get(6)?,
        collaborator_id: r.get(7)?,
        collaborator: r.get(8)?,
        location: r.get(9)?,
        outcome: r.get(10)?,
        cancelled: r.get(11)?,
        reminder_enabled: r.get(12)?,
        reminder_days_before: r.get(13)?,
        reply_text: r.get(14)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<EventRow> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE e.id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(StoreError::NotFound { what: "event", id })
}

/// Events starting at or after `from` (Unix seconds), in time order, after the keyset cursor.
pub fn page(
    conn: &Connection,
    from: i64,
    outcome: Option<&str>,
    after: Option<(i64, i64)>,
    limit: usize,
) -> Result<Vec<EventRow>> {
    let (at, id) = after.unwrap_or((from, -1));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM {FROM}
         WHERE e.starts_at >= ?1 AND (e.starts_at, e.id) > (?2, ?3) AND (?4 IS NULL OR e.outcome = ?4)
         ORDER BY e.starts_at, e.id LIMIT ?5"
    ))?;
    let rows = stmt.query_map(params![from, at, id, outcome, limit as i64], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
