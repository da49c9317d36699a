//! Reads only a screen of the terminal interface makes: small, bounded lists for a popup or
//! a panel. Paged lists live with their tables.

use super::Result;
use super::codes::code;
use crate::sms::status::{MessageStatus, ReplyState};
use crate::store::Db;
use rusqlite::OptionalExtension;

/// Collaborator names by id (automations store ids).
pub fn collaborator_names(conn: Db<'_>) -> Result<std::collections::HashMap<i64, String>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, first_name || ' ' || last_name FROM collaborators")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The last 200 messages to a number, newest first: when, text, status.
pub fn sent_to(conn: Db<'_>, phone_e164: &str) -> Result<Vec<(i64, String, MessageStatus)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(sent_at, planned_at), text, status FROM messages WHERE phone = ?1
             ORDER BY COALESCE(sent_at, planned_at) DESC LIMIT 200",
    )?;
    let sent = stmt.query_map([phone_e164], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            code(row, 2)?,
        ))
    })?;
    Ok(sent.collect::<rusqlite::Result<_>>()?)
}

/// The last 200 replies from a number, newest first: when, text, state, outcome.
pub fn replies_from(
    conn: Db<'_>,
    phone_e164: &str,
) -> Result<Vec<(i64, String, ReplyState, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT received_at, text, state, outcome FROM replies WHERE from_phone = ?1
             ORDER BY received_at DESC LIMIT 200",
    )?;
    let got = stmt.query_map([phone_e164], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            code(row, 2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    Ok(got.collect::<rusqlite::Result<_>>()?)
}

/// The reply keywords of a message's template and their outcomes, by keyword.
pub fn keyword_outcomes(conn: Db<'_>, message_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.keyword, k.outcome FROM template_keywords k
                 JOIN messages m ON m.template_id = k.template_id WHERE m.id = ?1 ORDER BY k.keyword",
    )?;
    let rows = stmt.query_map([message_id], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The participant a message went to, if any.
pub fn participant_of(conn: Db<'_>, message_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT participant_id FROM messages WHERE id = ?1",
            [message_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}
