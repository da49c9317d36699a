//! Figures for the dashboard. Each query is served by an index (status / time ranges).

use super::codes::code;
use super::{Result, ts};
use crate::sms::status::{MessageStatus, WaitReason};
use crate::store::Db;
use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QueueFigures {
    /// Messages not yet sent.
    pub pending: i64,
    /// Segments everything queued will cost.
    pub pending_segments: i64,
    /// Due now but waiting for the window to open.
    pub waiting_window: i64,
    /// Due now but waiting for credit.
    pub waiting_credit: i64,
    /// Crash leftovers an operator must resend or close.
    pub unknown: i64,
}

pub fn queue(conn: Db<'_>, now: DateTime<Utc>) -> Result<QueueFigures> {
    let (pending, pending_segments) = conn.query_row(
        "SELECT count(*), COALESCE(SUM(segments),0) FROM messages WHERE status = 'pending'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let waiting = |reason: WaitReason| -> Result<i64> {
        Ok(conn.query_row(
            "SELECT count(*) FROM messages WHERE status = 'pending' AND next_attempt_at <= ?1 AND wait_reason = ?2",
            params![ts(now), reason],
            |r| r.get(0),
        )?)
    };
    let unknown = conn.query_row(
        "SELECT count(*) FROM messages WHERE status = 'unknown'",
        [],
        |r| r.get(0),
    )?;
    Ok(QueueFigures {
        pending,
        pending_segments,
        waiting_window: waiting(WaitReason::Window)?,
        waiting_credit: waiting(WaitReason::Credit)?,
        unknown,
    })
}

/// Messages that left in the last `days` days, counted by their current status.
///
/// Counted in `messages_by_status` (status, listed_at, id), one range of the index per
/// status: the count reads index entries only, never the messages' rows (a week is ~10⁴ rows
/// at 10⁶ messages).
pub fn by_status_since(
    conn: Db<'_>,
    now: DateTime<Utc>,
    days: i64,
) -> Result<Vec<(MessageStatus, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, count(*) FROM messages INDEXED BY messages_by_status
          WHERE status IN ('pending','sending','submitted','delivered','not_delivered',
                           'expired','failed','stop','cancelled','unknown')
            AND listed_at >= ?1
          GROUP BY status ORDER BY count(*) DESC, status",
    )?;
    let rows = stmt.query_map([ts(now - Duration::days(days))], |r| {
        Ok((code(r, 0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What tells whether the store changed: SQLite's `data_version` (moves when another
/// connection, of this process or another, commits a change) and the changes this connection
/// made itself. Equal stamps: nothing was written in between, every figure read then is still
/// right (only the clock may have moved).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataStamp {
    data_version: i64,
    own_changes: u64,
}

pub fn data_stamp(conn: Db<'_>) -> Result<DataStamp> {
    Ok(DataStamp {
        data_version: conn.query_row("PRAGMA data_version", [], |r| r.get(0))?,
        own_changes: conn.conn().total_changes(),
    })
}

/// Messages left "unknown — check", oldest first, at most 50: id, recipient name (empty for a
/// free send), phone, planned at. Read in their own partial index (migration 011), whatever
/// the number of them: never a sort of every unknown message.
pub fn unknown_messages(conn: Db<'_>) -> Result<Vec<(i64, String, String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, recipient_name, phone, planned_at FROM messages INDEXED BY messages_unknown_by_plan
          WHERE status = 'unknown' ORDER BY planned_at, id LIMIT 50",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Share delivered among messages with a final delivery outcome (ignores cancelled and those
/// still in transit). None when nothing was sent.
pub fn delivery_rate(by_status: &[(MessageStatus, i64)]) -> Option<f64> {
    use MessageStatus::*;
    let count = |s: MessageStatus| {
        by_status
            .iter()
            .find(|(k, _)| *k == s)
            .map_or(0, |(_, n)| *n)
    };
    let delivered = count(Delivered);
    let outcome = delivered + count(NotDelivered) + count(Expired) + count(Failed) + count(Stop);
    (outcome > 0).then(|| delivered as f64 / outcome as f64)
}

/// Runtime facts (last scheduler pass, provider health…).
/// What a store holds so far, for the dashboard's first steps on a new store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Started {
    pub contacts: bool,
    pub templates: bool,
    pub credit: bool,
    pub messages: bool,
}

pub fn started(conn: Db<'_>) -> Result<Started> {
    // EXISTS stops at the first row: cheap on a store of millions of messages.
    let any = |table: &str| -> Result<bool> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
        Ok(conn.query_row(&sql, [], |r| r.get(0))?)
    };
    Ok(Started {
        contacts: any("participants")?,
        templates: any("templates")?,
        credit: any("credit_packs")?,
        messages: any("messages")?,
    })
}

pub fn runtime(conn: Db<'_>, key: &str) -> Result<Option<(String, i64)>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT value, updated_at FROM runtime_state WHERE key = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn set_runtime(conn: Db<'_>, key: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "INSERT INTO runtime_state(key, value, updated_at) VALUES (?1,?2,?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, value, ts(now)],
    )?;
    Ok(())
}

/// The day the balance runs out at the average pace of the last `days` days (None when
/// nothing was consumed or the balance is already empty).
pub fn runs_out_on(
    balance: i64,
    consumed_last_days: i64,
    days: i64,
    today: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    if consumed_last_days <= 0 || days <= 0 || balance <= 0 {
        return None;
    }
    let per_day = consumed_last_days as f64 / days as f64;
    let days_left = (balance as f64 / per_day).floor() as u64;
    today.checked_add_days(chrono::Days::new(days_left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_rate_counts_only_outcomes() {
        let s = vec![
            (MessageStatus::Delivered, 90),
            (MessageStatus::Failed, 10),
            (MessageStatus::Cancelled, 50),
        ];
        assert_eq!(delivery_rate(&s), Some(0.9));
        assert_eq!(delivery_rate(&[]), None);
    }

    #[test]
    fn balance_runs_out_at_current_pace() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        // 300 units over 30 days = 10/day; 95 left → 9 full days.
        assert_eq!(
            runs_out_on(95, 300, 30, today),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        );
        assert_eq!(runs_out_on(95, 0, 30, today), None);
    }
}
