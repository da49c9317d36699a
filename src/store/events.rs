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

// ---------------------------------------------------------------------------------------------
// Inserts (agenda, import, batch interviews, demo store)

/// The event kinds the schema accepts.
pub const EVENT_KINDS: [&str; 3] = ["interview", "step", "orientation"];

/// An event to create. `starts_at` and `starts_local` are the same instant (UTC, and the
/// organisation's wall-clock time): the caller resolves one from the other with the window
/// rules, because the store does not know the timezone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub participant_id: i64,
    /// `interview`, `step` or `orientation`.
    pub kind: String,
    pub event_type: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub starts_local: chrono::NaiveDateTime,
    pub collaborator_id: Option<i64>,
    pub location: String,
    pub theme: String,
    pub channel: String,
    pub programme: String,
    pub summary: String,
    pub outcome: String,
    pub notes: String,
    pub cancelled: bool,
    /// The batch that recorded this interview, if any.
    pub batch_id: Option<i64>,
    pub reminder_enabled: bool,
    pub reminder_days_before: Option<i64>,
    /// An exact reminder time chosen instead of a delay.
    pub reminder_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reminder_template_id: Option<i64>,
    pub reminder_text: Option<String>,
    /// The reply that set the outcome, if one did.
    pub reply_text: Option<String>,
    pub reply_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Creates an event; returns its id. Refuses an unknown kind, or a reminder switched on with
/// neither a delay nor an exact time.
pub fn insert_event(conn: &Connection, e: &NewEvent) -> Result<i64> {
    if !EVENT_KINDS.contains(&e.kind.as_str()) {
        return Err(StoreError::Invalid(format!(
            "event kind {:?} is not one of interview, step, orientation",
            e.kind
        )));
    }
    if e.reminder_enabled && e.reminder_days_before.is_none() && e.reminder_at.is_none() {
        return Err(StoreError::Invalid(
            "the event's reminder is on but has neither a delay (days before) nor an exact time"
                .into(),
        ));
    }
    if let Some(days) = e.reminder_days_before
        && !(0..=30).contains(&days)
    {
        return Err(StoreError::Invalid(format!(
            "a reminder is sent 0 to 30 days before its event, not {days}"
        )));
    }
    let t = super::ts;
    conn.prepare_cached(
        "INSERT INTO events(participant_id, kind, type, starts_at, starts_local, collaborator_id, location, theme,
            channel, programme, summary, outcome, notes, cancelled, batch_id, reminder_enabled, reminder_days_before,
            reminder_at, reminder_template_id, reminder_text, reply_text, reply_at, created_by, created_at, updated_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?24)",
    )?
    .execute(params![
        e.participant_id,
        e.kind,
        e.event_type,
        t(e.starts_at),
        e.starts_local.format("%Y-%m-%d %H:%M:%S").to_string(),
        e.collaborator_id,
        e.location,
        e.theme,
        e.channel,
        e.programme,
        e.summary,
        e.outcome,
        e.notes,
        super::flag(e.cancelled),
        e.batch_id,
        super::flag(e.reminder_enabled),
        e.reminder_days_before,
        e.reminder_at.map(t),
        e.reminder_template_id,
        e.reminder_text,
        e.reply_text,
        e.reply_at.map(t),
        e.created_by,
        t(e.created_at),
    ])?;
    Ok(conn.last_insert_rowid())
}
