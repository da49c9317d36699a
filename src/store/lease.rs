//! The sending lease: exactly one process sends at a time. The holder renews it with
//! heartbeats; when it lapses (process killed), another takes over.

use super::{Result, from_ts, ts};
use crate::store::Db;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub holder: String,
    pub acquired_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub fn current(conn: Db<'_>) -> Result<Option<Lease>> {
    Ok(conn
        .query_row(
            "SELECT holder, acquired_at, heartbeat_at, expires_at FROM scheduler_lease WHERE id = 1",
            [],
            |r| {
                Ok(Lease {
                    holder: r.get(0)?,
                    acquired_at: from_ts(r.get(1)?),
                    heartbeat_at: from_ts(r.get(2)?),
                    expires_at: from_ts(r.get(3)?),
                })
            },
        )
        .optional()?)
}

/// Takes or renews the lease for `holder` if it is free, lapsed, or already ours. Returns
/// whether `holder` holds it now. Must run in an IMMEDIATE transaction (see `Store::write`).
pub fn acquire(conn: Db<'_>, holder: &str, now: DateTime<Utc>, ttl: Duration) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO scheduler_lease(id, holder, acquired_at, heartbeat_at, expires_at) VALUES (1, ?1, ?2, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET
            holder = excluded.holder,
            acquired_at = CASE WHEN scheduler_lease.holder = excluded.holder THEN scheduler_lease.acquired_at ELSE excluded.acquired_at END,
            heartbeat_at = excluded.heartbeat_at,
            expires_at = excluded.expires_at
         WHERE scheduler_lease.holder = excluded.holder OR scheduler_lease.expires_at < ?2",
        params![holder, ts(now), ts(now + ttl)],
    )?;
    Ok(n == 1)
}

/// Gives the lease up (clean shutdown) so another process can take over at once.
pub fn release(conn: Db<'_>, holder: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM scheduler_lease WHERE id = 1 AND holder = ?1",
        [holder],
    )?;
    Ok(())
}
