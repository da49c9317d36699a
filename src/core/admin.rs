//! Administration: settings, operators, credit packs.

use super::{Actor, CoreError, CoreResult};
use crate::store::Db;
use crate::store::operators::Rights;
use crate::store::{Store, audit, credit, operators, settings};
use chrono::{DateTime, Utc};

/// Validates and stores a setting (administrators only). Returns the value as shown.
pub fn set_setting(
    store: &mut Store,
    actor: &Actor,
    key: &str,
    value: &str,
    now: DateTime<Utc>,
) -> CoreResult<String> {
    actor.require_admin(super::Action::ChangeSettings)?;
    store.write(|tx: Db<'_>| Ok(settings::set(tx, key, value, &actor.login, now)?))
}

/// Saves several settings at once: every value is validated and written in one transaction,
/// so a form's changes land together or not at all. Returns how many were saved.
pub fn set_settings(
    store: &mut Store,
    actor: &Actor,
    changes: &[(String, String)],
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    actor.require_admin(super::Action::ChangeSettings)?;
    store.write(|tx: Db<'_>| {
        for (key, value) in changes {
            settings::set(tx, key, value, &actor.login, now)?;
        }
        Ok::<_, CoreError>(changes.len())
    })
}

pub fn add_user(
    store: &mut Store,
    actor: &Actor,
    login: &str,
    rights: Rights,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_admin(super::Action::AddOperators)?;
    store.write(|tx: Db<'_>| {
        operators::add(tx, login, login, rights, now)?;
        audit::record(
            tx,
            now,
            &actor.login,
            "user.add",
            "operator",
            login,
            &rights.to_string(),
        )?;
        Ok::<_, CoreError>(())
    })
}

pub fn set_user(
    store: &mut Store,
    actor: &Actor,
    login: &str,
    rights: Rights,
    active: bool,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_admin(super::Action::ChangeRights)?;
    store.write(|tx| {
        operators::set(tx, login, rights, active)?;
        let detail = format!("{rights}{}", if active { "" } else { " (inactive)" });
        audit::record(
            tx,
            now,
            &actor.login,
            "user.set",
            "operator",
            login,
            &detail,
        )?;
        Ok::<_, CoreError>(())
    })
}

pub fn add_credit(
    store: &mut Store,
    actor: &Actor,
    units: i64,
    label: &str,
    bought_on: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    actor.require_admin(super::Action::AddCreditPacks)?;
    store.write(|tx: Db<'_>| {
        let id = credit::add_pack(tx, units, label, bought_on, &actor.login, now)?;
        audit::record(
            tx,
            now,
            &actor.login,
            "credit.add",
            "pack",
            &id.to_string(),
            &format!("{units} SMS {label}"),
        )?;
        Ok::<_, CoreError>(id)
    })
}
