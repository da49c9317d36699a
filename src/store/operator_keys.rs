//! Operators' SSH public keys (schema 4). sshd learns who may log in from these rows at each
//! login, through `smsdesk ssh authorized-keys`.

use super::{Result, StoreProblem, ts};
use crate::access::keys::{PublicKey, same_fingerprint};
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// One stored key, as listed to an administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredKey {
    pub login: String,
    pub kind: String,
    pub fingerprint: String,
    pub comment: String,
    pub added_at: i64,
    pub added_by: String,
    /// The key line without options (`ssh-ed25519 AAAA… comment`).
    #[serde(skip)]
    pub key: PublicKey,
}

const COLUMNS: &str = "o.login, k.kind, k.blob, k.comment, k.fingerprint, k.added_at, k.added_by";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<StoredKey> {
    let kind: String = r.get(1)?;
    let comment: String = r.get(3)?;
    Ok(StoredKey {
        login: r.get(0)?,
        kind: kind.clone(),
        fingerprint: r.get(4)?,
        comment: comment.clone(),
        added_at: r.get(5)?,
        added_by: r.get(6)?,
        key: PublicKey {
            kind,
            blob: r.get(2)?,
            comment,
        },
    })
}

fn operator_id(conn: Db<'_>, login: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM operators WHERE login = ?1", [login], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| super::operators::no_operator(login))
}

/// Stores a key for `login`. A key already given to anyone is refused: one key, one person.
pub fn add(
    conn: Db<'_>,
    login: &str,
    key: &PublicKey,
    by: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = operator_id(conn, login)?;
    let fingerprint = key.fingerprint();
    let holder: Option<String> = conn
        .query_row(
            "SELECT o.login FROM operator_keys k JOIN operators o ON o.id = k.operator_id WHERE k.fingerprint = ?1",
            [&fingerprint],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(holder) = holder {
        return Err(if holder == login {
            StoreProblem::KeyAlreadyTheirs {
                login: login.to_string(),
                fingerprint,
            }
        } else {
            StoreProblem::KeyTaken {
                fingerprint,
                holder,
            }
        }
        .into());
    }
    conn.execute(
        "INSERT INTO operator_keys(operator_id, kind, blob, comment, fingerprint, added_at, added_by)
         VALUES (?1,?2,?3,?4,?5,?6,?7)",
        params![id, key.kind, key.blob, key.comment, fingerprint, ts(now), by],
    )?;
    Ok(fingerprint)
}

/// The keys of one operator, oldest first.
pub fn of(conn: Db<'_>, login: &str) -> Result<Vec<StoredKey>> {
    let id = operator_id(conn, login)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM operator_keys k JOIN operators o ON o.id = k.operator_id
         WHERE k.operator_id = ?1 ORDER BY k.id"
    ))?;
    let rows = stmt.query_map([id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many keys each operator has, by login (operators without a key are absent).
pub fn counts(conn: Db<'_>) -> Result<std::collections::HashMap<String, usize>> {
    let mut stmt = conn.prepare(
        "SELECT o.login, count(*) FROM operator_keys k JOIN operators o ON o.id = k.operator_id
         GROUP BY o.login",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes the key of `login` whose fingerprint is `fingerprint` (with or without `SHA256:`).
/// Returns the fingerprint removed.
pub fn remove(conn: Db<'_>, login: &str, fingerprint: &str) -> Result<String> {
    let Some(found) = of(conn, login)?
        .into_iter()
        .find(|k| same_fingerprint(&k.fingerprint, fingerprint))
    else {
        return Err(StoreProblem::NoSuchKey {
            login: login.to_string(),
            fingerprint: fingerprint.to_string(),
        }
        .into());
    };
    conn.execute(
        "DELETE FROM operator_keys WHERE fingerprint = ?1",
        [&found.fingerprint],
    )?;
    Ok(found.fingerprint)
}

/// The keys that may log in now: those of active operators. With `only`, the one key sshd
/// asks about (its type and blob), so a login costs one indexed lookup.
pub fn usable(conn: Db<'_>, only: Option<(&str, &str)>) -> Result<Vec<StoredKey>> {
    let base = format!(
        "SELECT {COLUMNS} FROM operator_keys k JOIN operators o ON o.id = k.operator_id
         WHERE o.active = 1"
    );
    let keys = match only {
        Some((kind, blob)) => {
            let mut stmt = conn.prepare(&format!("{base} AND k.kind = ?1 AND k.blob = ?2"))?;
            stmt.query_map([kind, blob], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
        None => {
            let mut stmt = conn.prepare(&format!("{base} ORDER BY o.login, k.id"))?;
            stmt.query_map([], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(keys)
}
