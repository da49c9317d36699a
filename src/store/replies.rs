//! Replies (inbound SMS). Every reply is kept.

use super::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplyRow {
    pub id: i64,
    pub from_phone: String,
    pub participant_name: String,
    pub text: String,
    pub received_at: i64,
    pub state: String,
    pub outcome: String,
    pub message_id: Option<i64>,
    pub event_id: Option<i64>,
    pub review_reason: String,
}

const COLUMNS: &str = "r.id, r.from_phone,
    COALESCE((SELECT p.first_name || ' ' || p.last_name FROM participants p WHERE p.mobile = r.from_phone LIMIT 1), ''),
    r.text, r.received_at, r.state, r.outcome, r.message_id, r.event_id, r.review_reason";

fn row(r: &rusqlite::Row) -> rusqlite::Result<ReplyRow> {
    Ok(ReplyRow {
        id: r.get(0)?,
        from_phone: r.get(1)?,
        participant_name: r.get(2)?,
        text: r.get(3)?,
        received_at: r.get(4)?,
        state: r.get(5)?,
        outcome: r.get(6)?,
        message_id: r.get(7)?,
        event_id: r.get(8)?,
        review_reason: r.get(9)?,
    })
}

/// Replies newest first, optionally only those in `state`, after the keyset `(received_at, id)`.
pub fn page(
    conn: &Connection,
    state: Option<&str>,
    after: Option<(i64, i64)>,
    limit: usize,
) -> Result<Vec<ReplyRow>> {
    let (at, id) = after.unwrap_or((i64::MAX, i64::MAX));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM replies r
         WHERE (?1 IS NULL OR r.state = ?1) AND (r.received_at, r.id) < (?2, ?3)
         ORDER BY r.received_at DESC, r.id DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![state, at, id, limit as i64], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The page just before `before` in the same newest-first order (scrolling back up), returned
/// newest first too.
pub fn page_before(
    conn: &Connection,
    state: Option<&str>,
    before: Option<(i64, i64)>,
    limit: usize,
) -> Result<Vec<ReplyRow>> {
    let (at, id) = before.unwrap_or((i64::MIN, i64::MIN));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM replies r
         WHERE (?1 IS NULL OR r.state = ?1) AND (r.received_at, r.id) > (?2, ?3)
         ORDER BY r.received_at ASC, r.id ASC LIMIT ?4"
    ))?;
    let mut rows: Vec<ReplyRow> = stmt
        .query_map(params![state, at, id, limit as i64], row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.reverse();
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Inserts (reply intake, simulator, demo store)

/// The states a reply may be in (see the schema).
pub const REPLY_STATES: [&str; 5] = ["matched", "stop", "review", "resolved", "kept"];

/// A reply to record. Only the insert: matching it to a message, setting the event's outcome
/// and the opt-out are the caller's (they happen in the same transaction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReply {
    /// E.164 number it came from.
    pub from_phone: String,
    /// Our number it was sent to (the reply number).
    pub to_number: String,
    pub text: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub provider: String,
    /// The provider's id, unique per provider: a reply fetched twice is stored once.
    pub provider_id: Option<String>,
    pub message_id: Option<i64>,
    pub event_id: Option<i64>,
    /// Normalised keyword that matched, if any.
    pub keyword: String,
    pub outcome: String,
    /// One of [`REPLY_STATES`].
    pub state: String,
    pub review_reason: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Records a reply; returns its id, or `None` when the provider already gave a reply with the
/// same provider id (fetched twice).
pub fn insert_reply(conn: &Connection, r: &NewReply) -> Result<Option<i64>> {
    if !REPLY_STATES.contains(&r.state.as_str()) {
        return Err(super::StoreError::Invalid(format!(
            "reply state {:?} is not one of {}",
            r.state,
            REPLY_STATES.join(", ")
        )));
    }
    let t = super::ts;
    let n = conn
        .prepare_cached(
            "INSERT INTO replies(from_phone, to_number, text, received_at, provider, provider_id, message_id, event_id,
                keyword, outcome, state, review_reason, reviewed_by, reviewed_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            r.from_phone,
            r.to_number,
            r.text,
            t(r.received_at),
            r.provider,
            r.provider_id,
            r.message_id,
            r.event_id,
            r.keyword,
            r.outcome,
            r.state,
            r.review_reason,
            r.reviewed_by,
            r.reviewed_at.map(t),
        ])?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}
