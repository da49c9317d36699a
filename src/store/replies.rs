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

/// Replies newest first, optionally only those in `state`, after the keyset `(received_at, id)`.
pub fn page(
    conn: &Connection,
    state: Option<&str>,
    after: Option<(i64, i64)>,
    limit: usize,
) -> Result<Vec<ReplyRow>> {
    let (at, id) = after.unwrap_or((i64::MAX, i64::MAX));
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.from_phone,
                COALESCE((SELECT p.first_name || ' ' || p.last_name FROM participants p WHERE p.mobile = r.from_phone LIMIT 1), ''),
                r.text, r.received_at, r.state, r.outcome, r.message_id, r.event_id, r.review_reason
         FROM replies r
         WHERE (?1 IS NULL OR r.state = ?1) AND (r.received_at, r.id) < (?2, ?3)
         ORDER BY r.received_at DESC, r.id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![state, at, id, limit as i64], |r| {
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
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
