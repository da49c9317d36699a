//! Operators and their rights.

use super::{Result, StoreError, StoreProblem, flag, ts};
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};
use serde::Serialize;

/// What an operator may do. An administrator may do everything.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rights {
    pub instant: bool,
    pub scheduled: bool,
    pub batch: bool,
    pub free: bool,
    pub admin: bool,
    /// May only send template texts, never a text of their own.
    pub templates_only: bool,
}

crate::typed_messages! {
    /// Why a list of rights is refused (texts: `[rights_error]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum RightsError in "rights_error" {
        UnknownRight { given: String, known: String },
    }
}

impl Rights {
    pub const NAMES: [&'static str; 6] = [
        "instant",
        "scheduled",
        "batch",
        "free",
        "admin",
        "templates_only",
    ];

    pub fn all() -> Rights {
        Rights {
            instant: true,
            scheduled: true,
            batch: true,
            free: true,
            admin: true,
            templates_only: false,
        }
    }

    /// Each right on or off, in the order of [`Rights::NAMES`] (which is also the order of
    /// the operators table's right columns).
    fn flags(self) -> [bool; 6] {
        [
            self.instant,
            self.scheduled,
            self.batch,
            self.free,
            self.admin,
            self.templates_only,
        ]
    }

    /// The rights as their columns store them (0/1), in the order the writes name them.
    fn columns(self) -> [Value; 6] {
        self.flags().map(|b| Value::from(flag(b)))
    }

    /// Parses `instant,scheduled,batch,free,admin[,templates_only]`; `none` or empty gives no right.
    pub fn parse(list: &str) -> std::result::Result<Rights, RightsError> {
        let mut r = Rights::default();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.to_ascii_lowercase().replace('-', "_").as_str() {
                "instant" => r.instant = true,
                "scheduled" => r.scheduled = true,
                "batch" => r.batch = true,
                "free" => r.free = true,
                "admin" => r.admin = true,
                "templates_only" => r.templates_only = true,
                "none" => {}
                other => {
                    return Err(RightsError::UnknownRight {
                        given: other.to_string(),
                        known: Rights::NAMES.join(", "),
                    });
                }
            }
        }
        Ok(r)
    }

    pub fn can_instant(&self) -> bool {
        self.admin || self.instant
    }
    pub fn can_scheduled(&self) -> bool {
        self.admin || self.scheduled
    }
    pub fn can_batch(&self) -> bool {
        self.admin || self.batch
    }
    pub fn can_free(&self) -> bool {
        self.admin || self.free
    }
    /// Whether the operator may type a text of their own rather than use a template.
    pub fn can_write_text(&self) -> bool {
        self.admin || !self.templates_only
    }
}

impl std::fmt::Display for Rights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = Rights::NAMES
            .iter()
            .zip(self.flags())
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect();
        if names.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&names.join(","))
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub rights: Rights,
    pub active: bool,
    /// `fr` or `en` chosen for this operator; `None` follows the store's setting.
    pub language: Option<String>,
}

const COLUMNS: &str = "id, login, display_name, right_instant, right_scheduled, right_batch, right_free, right_admin, templates_only, active, language";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Operator> {
    Ok(Operator {
        id: r.get(0)?,
        login: r.get(1)?,
        display_name: r.get(2)?,
        rights: Rights {
            instant: r.get(3)?,
            scheduled: r.get(4)?,
            batch: r.get(5)?,
            free: r.get(6)?,
            admin: r.get(7)?,
            templates_only: r.get(8)?,
        },
        active: r.get(9)?,
        language: r.get(10)?,
    })
}

pub fn find(conn: Db<'_>, login: &str) -> Result<Option<Operator>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM operators WHERE login = ?1"),
            [login],
            from_row,
        )
        .optional()?)
}

pub fn list(conn: Db<'_>) -> Result<Vec<Operator>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM operators ORDER BY login"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: Db<'_>) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM operators", [], |r| r.get(0))?)
}

fn active_admins(conn: Db<'_>) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM operators WHERE right_admin = 1 AND active = 1",
        [],
        |r| r.get(0),
    )?)
}

/// Adds an operator. Refuses a login that exists or is not a plausible login name.
pub fn add<'c>(
    conn: impl Into<Db<'c>>,
    login: &str,
    display_name: &str,
    rights: Rights,
    now: DateTime<Utc>,
) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    validate_login(login)?;
    if find(conn, login)?.is_some() {
        return Err(StoreProblem::OperatorExists {
            login: login.to_string(),
        }
        .into());
    }
    conn.execute(
        "INSERT INTO operators(login, display_name, right_instant, right_scheduled, right_batch, right_free, right_admin, templates_only, active, created_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,1,?9)",
        params_from_iter(
            [Value::from(login.to_string()), Value::from(display_name.to_string())]
                .into_iter()
                .chain(rights.columns())
                .chain([Value::from(ts(now))]),
        ),
    )?;
    Ok(conn.last_insert_rowid())
}

/// Changes an operator's rights and active flag; never leaves the store without an active
/// administrator.
pub fn set(conn: Db<'_>, login: &str, rights: Rights, active: bool) -> Result<()> {
    let Some(before) = find(conn, login)? else {
        return Err(no_operator(login));
    };
    let loses_admin = before.rights.admin && before.active && (!rights.admin || !active);
    if loses_admin && active_admins(conn)? <= 1 {
        return Err(StoreProblem::LastAdministrator {
            login: login.to_string(),
        }
        .into());
    }
    conn.execute(
        "UPDATE operators SET right_instant=?2, right_scheduled=?3, right_batch=?4, right_free=?5, right_admin=?6, templates_only=?7, active=?8 WHERE login=?1",
        params_from_iter(
            std::iter::once(Value::from(login.to_string()))
                .chain(rights.columns())
                .chain([Value::from(flag(active))]),
        ),
    )?;
    Ok(())
}

/// Sets the language an operator's screens use (`fr`, `en`), or `None` to follow the store.
pub fn set_language(conn: Db<'_>, login: &str, language: Option<&str>) -> Result<()> {
    let changed = conn.execute(
        "UPDATE operators SET language = ?2 WHERE login = ?1",
        params![login, language],
    )?;
    if changed == 0 {
        return Err(no_operator(login));
    }
    Ok(())
}

fn validate_login(login: &str) -> Result<()> {
    let ok = !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(StoreProblem::BadLogin {
            login: login.to_string(),
        }
        .into())
    }
}

/// No operator has this login.
pub(crate) fn no_operator(login: &str) -> StoreError {
    StoreProblem::NoOperator {
        login: login.to_string(),
    }
    .into()
}
