//! Administration: settings, operators, credit packs.

use super::{Actor, CoreError, CoreResult};
use crate::store::Db;
use crate::store::audit::AuditAction;
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
            actor.stamp(now),
            AuditAction::UserAdd,
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
        audit::record(tx, actor.stamp(now), AuditAction::UserSet, login, &detail)?;
        Ok::<_, CoreError>(())
    })
}

/// Adds a credit pack without a price (administrators only).
pub fn add_credit(
    store: &mut Store,
    actor: &Actor,
    units: i64,
    label: &str,
    bought_on: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    let pack = credit::NewPack {
        units,
        label: label.to_string(),
        bought_on,
        unit_price_micros: None,
        currency: None,
    };
    add_priced_credit(store, actor, &pack, now)
}

/// Adds a credit pack, with its price when known (administrators only).
pub fn add_priced_credit(
    store: &mut Store,
    actor: &Actor,
    pack: &credit::NewPack,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    actor.require_admin(super::Action::AddCreditPacks)?;
    store.write(|tx: Db<'_>| {
        let currency = match &pack.currency {
            Some(c) => c.clone(),
            None => credit::default_currency(tx)?,
        };
        let pack = credit::NewPack {
            currency: Some(currency.clone()),
            ..pack.clone()
        };
        let id = credit::add_priced_pack(tx, &pack, &actor.login, now)?;
        // The audit trail is English, as the command line's.
        let price = match pack.unit_price_micros {
            Some(p) => format!(
                " · {}/SMS",
                crate::money::Money::new(p, &currency).show(crate::i18n::Lang::En)
            ),
            None => String::new(),
        };
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::CreditAdd,
            id,
            &format!("{} SMS {}{price}", pack.units, pack.label),
        )?;
        Ok::<_, CoreError>(id)
    })
}

/// The price of a pack of `units` as typed: a price per SMS unit or a total price (at most
/// one of them; both empty: no price), in `currency` (empty: the newest pack's). Amounts read
/// with a comma or a point (`0,07`, `0.07`). Returns the unit price in millionths and the
/// currency; a refusal names the field that cannot be read.
pub fn read_pack_price(
    units: i64,
    unit: &str,
    total: &str,
    currency: &str,
) -> CoreResult<(Option<i64>, Option<String>)> {
    use super::refusal::PriceField;
    let read = |field: PriceField, typed: &str| -> CoreResult<Option<i64>> {
        if typed.trim().is_empty() {
            return Ok(None);
        }
        crate::money::parse_amount(typed).map(Some).ok_or_else(|| {
            super::Refusal::PackPriceBad {
                field,
                given: typed.trim().to_string(),
            }
            .into()
        })
    };
    let unit = read(PriceField::Unit, unit)?;
    let total = read(PriceField::Total, total)?;
    let currency = if currency.trim().is_empty() {
        None
    } else {
        Some(crate::money::parse_currency(currency).ok_or_else(|| {
            super::Refusal::PackCurrencyBad {
                given: currency.trim().to_string(),
            }
        })?)
    };
    let price = match (unit, total) {
        (Some(_), Some(_)) => return Err(super::Refusal::PackPriceTwice.into()),
        (Some(u), None) => Some(u),
        (None, Some(t)) => crate::money::unit_price_of_total(t, units.max(1)),
        (None, None) => None,
    };
    Ok((price, currency))
}
