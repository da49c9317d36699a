//! Credit: packs bought and the ledger of units consumed. Balance = packs − ledger; a message
//! is charged once at most (a unique index on the ledger enforces it).

use super::{Result, StoreProblem, ts};
use crate::money::{Money, PackPrice, Pricing};
use crate::store::Db;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pack {
    pub id: i64,
    pub bought_on: String,
    pub units: i64,
    pub label: String,
    pub created_by: String,
    /// Price of one SMS unit in millionths of `currency`; `None` when entered without a price.
    pub unit_price_micros: Option<i64>,
    pub currency: String,
}

/// A pack to add: its units, label, day bought and, when known, its price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPack {
    pub units: i64,
    pub label: String,
    pub bought_on: NaiveDate,
    /// Price of one SMS unit in millionths of the currency.
    pub unit_price_micros: Option<i64>,
    /// ISO code; `None`: the newest pack's, else euros.
    pub currency: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreditSummary {
    pub bought: i64,
    pub consumed: i64,
    pub balance: i64,
}

/// Units bought, consumed and left: one row kept up to date by the store's triggers as packs
/// and charges are written (migration 010), so reading it costs the same at any history size.
pub fn summary<'c>(conn: impl Into<Db<'c>>) -> Result<CreditSummary> {
    let conn: Db<'c> = conn.into();
    let (bought, consumed): (i64, i64) = conn
        .prepare_cached("SELECT bought, consumed FROM credit_state WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0));
    Ok(CreditSummary {
        bought,
        consumed,
        balance: bought - consumed,
    })
}

/// Units left to send: what was bought less what was consumed (see [`summary`]).
pub fn balance(conn: Db<'_>) -> Result<i64> {
    Ok(summary(conn)?.balance)
}

/// The same figures summed from the packs and the whole ledger, ignoring the kept totals: a
/// scan of the ledger, for checking [`summary`] (tests), never on a hot path.
pub fn recomputed_summary(conn: Db<'_>) -> Result<CreditSummary> {
    let (bought, consumed): (i64, i64) = conn.query_row(
        "SELECT (SELECT COALESCE(SUM(units), 0) FROM credit_packs),
                (SELECT COALESCE(SUM(units), 0) FROM credit_ledger)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(CreditSummary {
        bought,
        consumed,
        balance: bought - consumed,
    })
}

pub fn packs(conn: Db<'_>) -> Result<Vec<Pack>> {
    let mut stmt = conn.prepare(
        "SELECT id, bought_on, units, label, created_by, unit_price_micros, currency
           FROM credit_packs ORDER BY bought_on DESC, id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Pack {
            id: r.get(0)?,
            bought_on: r.get(1)?,
            units: r.get(2)?,
            label: r.get(3)?,
            created_by: r.get(4)?,
            unit_price_micros: r.get(5)?,
            currency: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The packs in the order their units are spent (oldest bought first) and the units spent:
/// what [`Pricing`] values balances and costs with.
pub fn pricing(conn: Db<'_>) -> Result<Pricing> {
    let mut stmt = conn.prepare_cached(
        "SELECT units, unit_price_micros, currency FROM credit_packs ORDER BY bought_on, id",
    )?;
    let packs = stmt
        .query_map([], |r| {
            Ok(PackPrice {
                units: r.get(0)?,
                unit_price: r.get(1)?,
                currency: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // The last row's running total is the ledger's sum: one look-up, not a scan.
    let last: Option<Option<i64>> = conn
        .prepare_cached("SELECT running FROM credit_ledger ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let consumed = match last {
        None => 0,
        Some(Some(running)) => running,
        Some(None) => summary(conn)?.consumed,
    };
    Ok(Pricing { packs, consumed })
}

/// The currency of the newest pack, else euros: what a new pack is priced in by default.
pub fn default_currency(conn: Db<'_>) -> Result<String> {
    Ok(conn
        .query_row(
            "SELECT currency FROM credit_packs ORDER BY bought_on DESC, id DESC LIMIT 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .unwrap_or_else(|| crate::money::DEFAULT_CURRENCY.to_string()))
}

/// Adds a pack of `units` SMS bought on `bought_on`, without a price.
pub fn add_pack<'c>(
    conn: impl Into<Db<'c>>,
    units: i64,
    label: &str,
    bought_on: NaiveDate,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let pack = NewPack {
        units,
        label: label.to_string(),
        bought_on,
        unit_price_micros: None,
        currency: None,
    };
    add_priced_pack(conn, &pack, actor, now)
}

/// Adds a pack, with its price when known.
pub fn add_priced_pack<'c>(
    conn: impl Into<Db<'c>>,
    pack: &NewPack,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    let units = pack.units;
    if units <= 0 || units > 10_000_000 {
        return Err(StoreProblem::PackUnits { units }.into());
    }
    let currency = match &pack.currency {
        Some(c) => c.clone(),
        None => default_currency(conn)?,
    };
    conn.execute(
        "INSERT INTO credit_packs(bought_on, units, label, created_by, created_at,
                                  unit_price_micros, currency)
         VALUES (?1,?2,?3,?4,?5,?6,?7)",
        params![
            pack.bought_on.to_string(),
            units,
            pack.label,
            actor,
            ts(now),
            pack.unit_price_micros,
            currency
        ],
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
    // The running total continues the last row's: one indexed look-up, not a sum.
    let n = conn
        .prepare_cached(
            "INSERT INTO credit_ledger(message_id, units, at, kind, running)
             VALUES (?1, ?2, ?3, 'send',
                     COALESCE((SELECT running FROM credit_ledger ORDER BY id DESC LIMIT 1), 0) + ?2)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![message_id, units, ts(at)])?;
    Ok(n == 1)
}

/// What the charges of `message_ids` are worth, by message id: each charge valued at the
/// packs its units came from (first in, first out); messages not charged are absent, and so
/// are those whose units have no known price.
pub fn charge_values(
    conn: Db<'_>,
    pricing: &Pricing,
    message_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Money>> {
    let mut out = std::collections::HashMap::new();
    if pricing.packs.iter().all(|p| p.unit_price.is_none()) {
        return Ok(out);
    }
    // One statement per page: the ids as a JSON array, each looked up by the unique index.
    let ids = serde_json::to_string(message_ids).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT l.message_id, l.units, l.running FROM json_each(?1) AS j
           JOIN credit_ledger l ON l.message_id = j.value AND l.kind = 'send'",
    )?;
    let rows = stmt.query_map([ids], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<i64>>(2)?,
        ))
    })?;
    for row in rows {
        if let (id, units, Some(running)) = row?
            && let Some(value) = pricing.value(running - units, running)
        {
            out.insert(id, value);
        }
    }
    Ok(out)
}

/// What the units consumed over `days` days ending today are worth (the days of
/// [`daily_consumption`]). The ledger is written in the order of consumption, so those units
/// are the positions between the first and the last of them; a history written out of order
/// (the demo's) is valued at that stretch's average. Read from the quarters of an hour
/// (`credit_quarters`, migration 011), not from the month's ledger rows.
pub fn consumption_value(
    conn: Db<'_>,
    pricing: &Pricing,
    now: DateTime<Utc>,
    days: i64,
    utc_offset_secs: i64,
) -> Result<Option<Money>> {
    let local_today = (ts(now) + utc_offset_secs).div_euclid(86_400);
    let from = (local_today - days + 1) * 86_400 - utc_offset_secs;
    let sql = if from % QUARTER == 0 {
        "SELECT MIN(low), MAX(high), COALESCE(SUM(units), 0)
           FROM credit_quarters WHERE quarter >= ?1 / 900"
    } else {
        // An offset that is no whole number of quarters (none today): the ledger itself.
        "SELECT MIN(running - units), MAX(running), COALESCE(SUM(units), 0)
           FROM credit_ledger WHERE at >= ?1"
    };
    let (low, high, units): (Option<i64>, Option<i64>, i64) = conn
        .prepare_cached(sql)?
        .query_row([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok(pricing.value(0, 0));
    };
    let Some(value) = pricing.value(low, high) else {
        return Ok(None);
    };
    let span = high - low;
    if span == units || span <= 0 {
        return Ok(Some(value));
    }
    let micros = i128::from(value.micros) * i128::from(units) / i128::from(span);
    Ok(i64::try_from(micros)
        .ok()
        .map(|m| Money::new(m, &value.currency)))
}

/// Seconds in the ledger's aggregation step (`credit_quarters`).
const QUARTER: i64 = 900;

/// Units consumed per day over `days` days ending today (local days, given the UTC offset of
/// the organisation's timezone in seconds). Oldest first. Read from the quarters of an hour
/// (`credit_quarters`, at most 96 rows a day), which the ledger's triggers keep up to date.
pub fn daily_consumption(
    conn: Db<'_>,
    now: DateTime<Utc>,
    days: i64,
    utc_offset_secs: i64,
) -> Result<Vec<(NaiveDate, i64)>> {
    let local_today = (ts(now) + utc_offset_secs).div_euclid(86_400);
    let first_day = local_today - days + 1;
    let from = first_day * 86_400 - utc_offset_secs;
    let sql = if from % QUARTER == 0 {
        "SELECT (quarter * 900 + ?2) / 86400 AS day, SUM(units) FROM credit_quarters
         WHERE quarter >= ?1 / 900 GROUP BY day ORDER BY day"
    } else {
        // An offset that is no whole number of quarters (none today): the ledger itself.
        "SELECT (at + ?2) / 86400 AS day, SUM(units) FROM credit_ledger
         WHERE at >= ?1 GROUP BY day ORDER BY day"
    };
    let mut stmt = conn.prepare_cached(sql)?;
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

#[cfg(test)]
mod tests {
    use crate::store::Store;

    /// The quarters as the ledger gives them: `(quarter, units, low, high)`.
    fn quarters(
        conn: &rusqlite::Connection,
        from_ledger: bool,
    ) -> Vec<(i64, i64, Option<i64>, Option<i64>)> {
        let sql = if from_ledger {
            "SELECT at / 900, SUM(units), MIN(running - units), MAX(running) FROM credit_ledger
              GROUP BY at / 900 ORDER BY 1"
        } else {
            "SELECT quarter, units, low, high FROM credit_quarters ORDER BY quarter"
        };
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// Charges, corrections and deletions in any order, by any connection: the per-quarter
    /// aggregates the dashboard reads never differ from the ledger, and the month's
    /// consumption read from them is the ledger's.
    #[test]
    fn the_quarters_follow_every_ledger_write() {
        let store = Store::open_defaults().unwrap();
        let conn = store.conn();
        // Charges of messages the test does not write.
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        let mut seed = 0x5eed_u64;
        let mut next = move |n: i64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) as i64).rem_euclid(n)
        };
        let now = chrono::DateTime::from_timestamp(1_774_000_000, 0).unwrap();
        for step in 0..600 {
            let any_id = "(SELECT id FROM credit_ledger ORDER BY id LIMIT 1 OFFSET ?1 %
                           max(1, (SELECT count(*) FROM credit_ledger)))";
            match next(12) {
                0 => {
                    conn.execute(
                        &format!("DELETE FROM credit_ledger WHERE id = {any_id}"),
                        [next(1000)],
                    )
                    .unwrap();
                }
                1 => {
                    conn.execute(
                        &format!("UPDATE credit_ledger SET units = ?2 WHERE id = {any_id}"),
                        [next(1000), 1 + next(9)],
                    )
                    .unwrap();
                }
                2 => {
                    conn.execute(
                        &format!("UPDATE credit_ledger SET at = at - ?2 WHERE id = {any_id}"),
                        [next(1000), next(5 * 86_400)],
                    )
                    .unwrap();
                }
                3 => {
                    // A correction written without a running total (an older store's rows).
                    conn.execute(
                        "INSERT INTO credit_ledger(units, at, kind) VALUES (?1, ?2, 'adjust')",
                        [1 + next(3), now.timestamp() - next(40 * 86_400)],
                    )
                    .unwrap();
                }
                _ => {
                    let at = now - chrono::Duration::seconds(next(40 * 86_400));
                    super::charge_message(conn, step, 1 + next(4), at).unwrap();
                }
            }
            assert_eq!(quarters(conn, false), quarters(conn, true), "step {step}");
        }
        for offset in [0, 3_600, 7_200, -18_000, 19_800, 20_700, 1_000] {
            let got = super::daily_consumption(store.db(), now, 30, offset).unwrap();
            let local_today = (now.timestamp() + offset).div_euclid(86_400);
            let from = (local_today - 29) * 86_400 - offset;
            let mut want = vec![0i64; 30];
            let mut stmt = conn
                .prepare("SELECT at, units FROM credit_ledger WHERE at >= ?1")
                .unwrap();
            let rows = stmt
                .query_map([from], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                .unwrap();
            for row in rows {
                let (at, units) = row.unwrap();
                let day = (at + offset).div_euclid(86_400) - (local_today - 29);
                if let Ok(day) = usize::try_from(day)
                    && day < 30
                {
                    want[day] += units;
                }
            }
            let got: Vec<i64> = got.into_iter().map(|(_, n)| n).collect();
            assert_eq!(got, want, "offset {offset}");
            assert!(want.iter().sum::<i64>() > 0);
        }
    }

    #[test]
    fn an_older_store_gets_running_totals_and_unit_prices() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in crate::store::migrations::up_to(6) {
                conn.execute_batch(&sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 6).unwrap();
            conn.execute_batch(
                "INSERT INTO credit_packs(bought_on, units, label, price_cents, created_by, created_at)
                   VALUES ('2026-01-05', 1000, 'priced', 7000, 'admin', 0),
                          ('2026-02-05', 500, 'unpriced', NULL, 'admin', 0);
                 INSERT INTO credit_ledger(message_id, units, at, kind) VALUES
                   (NULL, 2, 10, 'adjust'), (NULL, 3, 20, 'adjust'), (NULL, 1, 30, 'adjust');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let running: Vec<i64> = store
            .conn()
            .prepare("SELECT running FROM credit_ledger ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(running, [2, 5, 6]);
        let packs = super::packs(store.db()).unwrap();
        // Newest first: the unpriced pack, then 70,00 € for 1 000 SMS = 0,07 € each.
        assert_eq!(packs[0].unit_price_micros, None);
        assert_eq!(packs[1].unit_price_micros, Some(70_000));
        assert_eq!(packs[1].currency, "EUR");
        let pricing = super::pricing(store.db()).unwrap();
        assert_eq!(pricing.consumed, 6);
        // What is left includes units of the unpriced pack: no money shown.
        assert_eq!(pricing.balance(), None);
        assert_eq!(
            pricing.next(10).map(|m| m.micros),
            Some(700_000),
            "the next 10 come from the priced pack"
        );
    }

    /// A store written before migration 010 gets its kept totals from its rows, and a ledger
    /// row written without a running total (direct SQL) gets one, so later charges continue it.
    #[test]
    fn an_older_store_gets_its_kept_totals_from_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for sql in crate::store::migrations::up_to(9) {
                conn.execute_batch(&sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 9).unwrap();
            conn.execute_batch(
                "INSERT INTO credit_packs(bought_on, units, label, created_by, created_at)
                   VALUES ('2026-01-05', 1000, 'a', 'admin', 0), ('2026-02-05', 500, 'b', 'admin', 0);
                 INSERT INTO credit_ledger(message_id, units, at, kind, running) VALUES
                   (NULL, 2, 10, 'adjust', 2), (NULL, 3, 20, 'adjust', 5);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let kept = super::summary(store.db()).unwrap();
        assert_eq!((kept.bought, kept.consumed, kept.balance), (1500, 5, 1495));
        assert_eq!(kept, super::recomputed_summary(store.db()).unwrap());
        assert_eq!(
            crate::store::dispatch::reserved_segments(store.db()).unwrap(),
            0
        );
        store
            .conn()
            .execute(
                "INSERT INTO credit_ledger(units, at, kind) VALUES (4, 30, 'adjust')",
                [],
            )
            .unwrap();
        let now = chrono::Utc::now();
        super::add_pack(store.db(), 10, "c", now.date_naive(), "admin", now).unwrap();
        let kept = super::summary(store.db()).unwrap();
        assert_eq!((kept.bought, kept.consumed, kept.balance), (1510, 9, 1501));
        assert_eq!(super::pricing(store.db()).unwrap().consumed, 9);
    }
}
