//! The audit log: who did what and when. Append-only.

use super::codes::read_in_order;
use super::{Result, ts};
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::params;

/// Records one action. Called inside the transaction that performs the action, so an action
/// and its audit row land together or not at all.
pub fn record<'c>(
    conn: impl Into<Db<'c>>,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: &str,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.execute(
        "INSERT INTO audit_log(at, actor, action, object_type, object_id, detail) VALUES (?1,?2,?3,?4,?5,?6)",
        params![ts(at), actor, action, object_type, object_id, detail],
    )?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub detail: String,
}

/// The latest entries, newest first, before the keyset `before_id` when given.
pub fn page(conn: Db<'_>, before_id: Option<i64>, limit: usize) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, object_type, object_id, detail FROM audit_log
         WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![before_id.unwrap_or(i64::MAX), limit as i64], |r| {
        Ok(read_in_order!(
            r,
            AuditEntry {
                id,
                at,
                actor,
                action,
                object_type,
                object_id,
                detail
            }
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
