//! Credit: packs bought and the ledger of units consumed. Balance = packs − ledger; a message
//! is charged once at most (a unique index on the ledger enforces it).

use super::{Result, StoreProblem, ts};
use crate::store::Db;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pack {
    pub id: i64,
    pub bought_on: String,
    pub units: i64,
    pub label: String,
    pub created_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreditSummary {
    pub bought: i64,
    pub consumed: i64,
    pub balance: i64,
}

pub fn summary<'c>(conn: impl Into<Db<'c>>) -> Result<CreditSummary> {
    let conn: Db<'c> = conn.into();
    let bought: i64 =
        conn.query_row("SELECT COALESCE(SUM(units),0) FROM credit_packs", [], |r| {
            r.get(0)
        })?;
    let consumed: i64 = conn.query_row(
        "SELECT COALESCE(SUM(units),0) FROM credit_ledger",
        [],
        |r| r.get(0),
    )?;
    Ok(CreditSummary {
        bought,
        consumed,
        balance: bought - consumed,
    })
}

pub fn balance(conn: Db<'_>) -> Result<i64> {
    Ok(summary(conn)?.balance)
}

pub fn packs(conn: Db<'_>) -> Result<Vec<Pack>> {
    let mut stmt = conn.prepare(
        "SELECT id, bought_on, units, label, created_by FROM credit_packs ORDER BY bought_on DESC, id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Pack {
            id: r.get(0)?,
            bought_on: r.get(1)?,
            units: r.get(2)?,
            label: r.get(3)?,
            created_by: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a pack of `units` SMS bought on `bought_on`.
pub fn add_pack<'c>(
    conn: impl Into<Db<'c>>,
    units: i64,
    label: &str,
    bought_on: NaiveDate,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    if units <= 0 || units > 10_000_000 {
        return Err(StoreProblem::PackUnits { units }.into());
    }
    conn.execute(
        "INSERT INTO credit_packs(bought_on, units, label, created_by, created_at) VALUES (?1,?2,?3,?4,?5)",
        params![bought_on.to_string(), units, label, actor, ts(now)],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Charges a submitted message once. Returns false when it was already charged (a retry of
/// the same record after a crash), so the unit count never doubles.
pub fn charge_message<'c>(
    conn: impl Into<Db<'c>>,
    message_id: i64,
    units: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let conn: Db<'c> = conn.into();
    let n = conn.execute(
        "INSERT INTO credit_ledger(message_id, units, at, kind) VALUES (?1,?2,?3,'send')
         ON CONFLICT DO NOTHING",
        params![message_id, units, ts(at)],
    )?;
    Ok(n == 1)
}

/// Units consumed per day over `days` days ending today (local days, given the UTC offset of
/// the organisation's timezone in seconds). Oldest first.
pub fn daily_consumption(
    conn: Db<'_>,
    now: DateTime<Utc>,
    days: i64,
    utc_offset_secs: i64,
) -> Result<Vec<(NaiveDate, i64)>> {
    let local_today = (ts(now) + utc_offset_secs).div_euclid(86_400);
    let first_day = local_today - days + 1;
    let from = first_day * 86_400 - utc_offset_secs;
    let mut stmt = conn.prepare_cached(
        "SELECT (at + ?2) / 86400 AS day, SUM(units) FROM credit_ledger
         WHERE at >= ?1 GROUP BY day ORDER BY day",
    )?;
    let mut per_day = vec![0i64; days.max(0) as usize];
    let rows = stmt.query_map(params![from, utc_offset_secs], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (day, units) = row?;
        let index = day - first_day;
        if (0..days).contains(&index) {
            per_day[index as usize] = units;
        }
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    Ok(per_day
        .into_iter()
        .enumerate()
        .map(|(i, units)| {
            (
                epoch + chrono::Days::new((first_day + i as i64) as u64),
                units,
            )
        })
        .collect())
}
