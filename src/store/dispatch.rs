//! The scheduler's queries: messages due, claimed, accepted or rejected by the provider, and
//! found again by a status report. The rules (window, credit, STOP, retries) stay in the
//! scheduler; each function here is one statement.

use super::codes::code;
use super::notes::StatusNote;
use super::{Result, from_ts, ts};
use crate::sms::encoding::Encoding;
use crate::sms::status::WaitReason;
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// When the next pending message is due: the first entry of `messages_due`.
const NEXT_DUE: &str =
    "SELECT min(next_attempt_at) FROM messages INDEXED BY messages_due WHERE status = 'pending'";

/// Pending messages due, oldest first: read along `messages_due` (named: without statistics,
/// SQLite would rather read every pending message by status and sort them).
const DUE: &str = "SELECT m.id, m.phone, m.text, m.segments, m.encoding, m.deadline, m.campaign,
                m.expects_reply, m.sender, m.automation_id, m.event_id,
                COALESCE(a.condition_kind, 'none') <> 'none'
             FROM messages m INDEXED BY messages_due
        LEFT JOIN automations a ON a.id = m.automation_id
             WHERE m.status = 'pending' AND m.next_attempt_at <= ?1
             ORDER BY m.next_attempt_at, m.id LIMIT ?2";

/// Pending messages past their deadline: read along `messages_overdue`.
const OVERDUE: &str = "SELECT id FROM messages INDEXED BY messages_overdue
          WHERE status = 'pending' AND deadline < ?1 ORDER BY deadline, id LIMIT 500";

/// Messages left unknown lately: read along `messages_unknown`.
const RECENT_UNKNOWN: &str = "SELECT id, phone FROM messages INDEXED BY messages_unknown
          WHERE status = 'unknown' AND status_at >= ?1 ORDER BY status_at DESC, id DESC LIMIT 50";

/// A report's message by the provider's id: `messages_by_provider_id`.
const BY_PROVIDER_ID: &str = "SELECT id FROM messages WHERE provider = ?1 AND provider_id = ?2";

/// A pending message whose time has come, as the claim needs it.
pub struct DueMessage {
    pub id: i64,
    pub phone: String,
    pub text: String,
    pub segments: i64,
    pub ucs2: bool,
    pub deadline: DateTime<Utc>,
    pub campaign: bool,
    pub expects_reply: bool,
    pub sender: String,
    /// The rule that created it and its event: a follow-up rule's condition is checked again
    /// before it leaves.
    pub automation_id: Option<i64>,
    pub event_id: Option<i64>,
    /// Whether that rule has a condition to check again (read with the message: a rule without
    /// one is not read again for each of its messages).
    pub conditional: bool,
}

/// A submitted message still waiting for its report.
pub struct AwaitingReport {
    pub id: i64,
    pub provider_id: String,
    pub phone: String,
    pub sent_at: Option<i64>,
}

/// Pages the scheduler's connection keeps in memory, in KiB (SQLite's default is 2 MiB).
const SCHEDULER_CACHE_KIB: i64 = 32 * 1024;
/// Pages the write-ahead log may hold before the scheduler's commits copy it back into the
/// store (SQLite's default is 1,000).
const SCHEDULER_CHECKPOINT_PAGES: i64 = 4_000;

/// Tunes the scheduler's connection for a store of 10⁶ messages: a page cache that holds the
/// index pages each message updates (status, lists, phone, provider id…), deeper there than
/// the default cache; and fewer, larger checkpoints, so the pages every message rewrites (the
/// credit row, the ends of the indexes) are copied back into the file once per checkpoint, not
/// once per thousand pages. Only pages read take memory.
pub fn tune_scheduler_connection(conn: Db<'_>) -> Result<()> {
    let conn = conn.conn();
    conn.pragma_update(None, "cache_size", -SCHEDULER_CACHE_KIB)?;
    conn.pragma_update(None, "wal_autocheckpoint", SCHEDULER_CHECKPOINT_PAGES)?;
    Ok(())
}

/// When the next pending message is due (Unix seconds), if any.
pub fn next_due(conn: Db<'_>) -> Result<Option<i64>> {
    Ok(conn.query_row(NEXT_DUE, [], |r| r.get(0))?)
}

/// Up to `limit` pending messages due at `now`, oldest due first.
pub fn due(conn: Db<'_>, now: DateTime<Utc>, limit: i64) -> Result<Vec<DueMessage>> {
    let mut stmt = conn.prepare_cached(DUE)?;
    let due = stmt
        .query_map(params![ts(now), limit], |r| {
            Ok(DueMessage {
                id: r.get(0)?,
                phone: r.get(1)?,
                text: r.get(2)?,
                segments: r.get(3)?,
                ucs2: code::<Encoding>(r, 4)? == Encoding::Ucs2,
                deadline: from_ts(r.get(5)?),
                campaign: r.get(6)?,
                expects_reply: r.get(7)?,
                sender: r.get(8)?,
                automation_id: r.get(9)?,
                event_id: r.get(10)?,
                conditional: r.get(11)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(due)
}

/// Credit not yet charged but already promised: the segments of messages being sent or left
/// "unknown — check" (they may have left). Kept up to date by the store's triggers (migration
/// 010): one look-up, whatever the history.
pub fn reserved_segments(conn: Db<'_>) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT reserved FROM credit_state WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// The same figure summed from the messages themselves (tests compare the two).
pub fn reserved_segments_recomputed(conn: Db<'_>) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(SUM(segments),0) FROM messages WHERE status IN ('sending','unknown')",
        [],
        |r| r.get(0),
    )?)
}

/// Marks a message as taken by `holder` for one more attempt (its status changes apart).
pub fn claim(conn: Db<'_>, id: i64, holder: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE messages SET claimed_by = ?2, attempts = attempts + 1, wait_reason = '' WHERE id = ?1",
    )?
    .execute(params![id, holder])?;
    Ok(())
}

/// Leaves a message pending until `until`, saying why: `reason` is what it waits for, `error` what went wrong, if anything (stored as the note's JSON, like
/// the history's notes).
pub fn wait(
    conn: Db<'_>,
    id: i64,
    until: DateTime<Utc>,
    reason: WaitReason,
    error: Option<&StatusNote>,
) -> Result<()> {
    let error = error.map(StatusNote::to_stored).unwrap_or_default();
    conn.prepare_cached(
        "UPDATE messages SET next_attempt_at = ?2, wait_reason = ?3, last_error = ?4 WHERE id = ?1",
    )?
    .execute(params![id, ts(until), reason, error])?;
    Ok(())
}

/// Makes a pending message due at `now` (the provider never received it).
pub fn due_now(conn: Db<'_>, id: i64, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE messages SET next_attempt_at = ?2 WHERE id = ?1",
        params![id, ts(now)],
    )?;
    Ok(())
}

/// Records the provider's refusal (or ambiguous answer) on the message.
pub fn reject(conn: Db<'_>, id: i64, note: &StatusNote, provider: &str) -> Result<()> {
    conn.execute(
        "UPDATE messages SET last_error = ?2, provider = ?3 WHERE id = ?1",
        params![id, note.to_stored(), provider],
    )?;
    Ok(())
}

/// How many attempts a message had, and its deadline (Unix seconds).
pub fn attempts_and_deadline(conn: Db<'_>, id: i64) -> Result<(u32, i64)> {
    Ok(conn.query_row(
        "SELECT attempts, deadline FROM messages WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Remembers the provider and its id for an accepted message, and when it left.
pub fn accept(
    conn: Db<'_>,
    id: i64,
    provider: &str,
    provider_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE messages SET provider = ?2, provider_id = ?3, sent_at = COALESCE(sent_at, ?4),
            listed_at = COALESCE(sent_at, ?4), last_error = '' WHERE id = ?1",
    )?
    .execute(params![id, provider, provider_id, ts(now)])?;
    Ok(())
}

/// The message a report names by the provider's id.
pub fn by_provider_id(conn: Db<'_>, provider: &str, provider_id: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(BY_PROVIDER_ID, params![provider, provider_id], |row| {
            row.get(0)
        })
        .optional()?)
}

/// The number a message went to.
pub fn phone_of(conn: Db<'_>, id: i64) -> Result<String> {
    Ok(
        conn.query_row("SELECT phone FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

/// Messages left in `sending` (by a process that died), by id.
pub fn stuck_sending(conn: Db<'_>) -> Result<Vec<(i64, String)>> {
    let mut stmt =
        conn.prepare("SELECT id, phone FROM messages WHERE status = 'sending' ORDER BY id")?;
    let stuck = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(stuck)
}

/// Up to 500 pending messages whose deadline is over.
pub fn overdue(conn: Db<'_>, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(OVERDUE)?;
    let overdue = stmt
        .query_map([ts(now)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(overdue)
}

/// Up to 200 messages submitted through `provider` still waiting for a report, oldest first.
pub fn awaiting_report(conn: Db<'_>, provider: &str) -> Result<Vec<AwaitingReport>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, COALESCE(provider_id,''), phone, sent_at FROM messages
                 WHERE status = 'submitted' AND provider = ?1 ORDER BY sent_at LIMIT 200",
    )?;
    let pending = stmt
        .query_map([provider], |r| {
            Ok(AwaitingReport {
                id: r.get(0)?,
                provider_id: r.get(1)?,
                phone: r.get(2)?,
                sent_at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(pending)
}

/// Up to 50 messages left `unknown` since `since`, newest first.
pub fn recent_unknown(conn: Db<'_>, since: DateTime<Utc>) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(RECENT_UNKNOWN)?;
    let unknown = stmt
        .query_map([ts(since)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(unknown)
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    /// Each statement the scheduler runs for every claim or pass reads an index (or a primary
    /// key), never the whole table nor a sort of what it found: its cost does not grow with
    /// the history.
    #[test]
    fn the_scheduler_statements_read_indexes_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let statements = [
            super::NEXT_DUE,
            super::DUE,
            super::OVERDUE,
            super::RECENT_UNKNOWN,
            super::BY_PROVIDER_ID,
            "SELECT reserved FROM credit_state WHERE id = 1",
            "SELECT bought, consumed FROM credit_state WHERE id = 1",
        ];
        for sql in statements {
            let mut stmt = store
                .conn()
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let nulls = std::iter::repeat_n(rusqlite::types::Null, stmt.parameter_count());
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(!plan.is_empty(), "{sql}");
            for step in &plan {
                assert!(
                    step.starts_with("SEARCH")
                        && (step.contains("INDEX") || step.contains("PRIMARY KEY")),
                    "{sql}\n  reads: {plan:?}"
                );
            }
        }
    }
}
