//! Operators' SSH keys and their own preferences: an administrator manages anyone's, an
//! operator their own. Every change is audited.

use super::{Actor, CoreError, CoreResult};
use crate::access::keys::PublicKey;
use crate::store::audit::AuditAction;
use crate::store::operator_keys::{self, StoredKey};
use crate::store::{Store, audit, operators};
use chrono::{DateTime, Utc};

fn require_self_or_admin(actor: &Actor, login: &str, action: super::Action) -> CoreResult<()> {
    if actor.login == login || actor.rights.admin {
        Ok(())
    } else {
        Err(super::Forbidden::NotAdminFor {
            login: actor.login.clone(),
            action,
            of: login.to_string(),
        }
        .into())
    }
}

/// Adds a key (one `.pub` line) to `login`. Returns its fingerprint.
pub fn add_key(
    store: &mut Store,
    actor: &Actor,
    login: &str,
    line: &str,
    now: DateTime<Utc>,
) -> CoreResult<String> {
    require_self_or_admin(actor, login, super::Action::AddKeys)?;
    let key = PublicKey::parse(line).map_err(|problem| super::Refusal::Key { problem })?;
    store.write(|tx| {
        let fingerprint = operator_keys::add(tx, login, &key, &actor.login, now)?;
        let detail = format!("{} {fingerprint} {}", key.kind, key.comment);
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::UserKeyAdd,
            login,
            detail.trim(),
        )?;
        Ok::<_, CoreError>(fingerprint)
    })
}

/// Removes one of `login`'s keys by its fingerprint. Returns the fingerprint removed.
pub fn remove_key(
    store: &mut Store,
    actor: &Actor,
    login: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> CoreResult<String> {
    require_self_or_admin(actor, login, super::Action::RemoveKeys)?;
    store.write(|tx| {
        let removed = operator_keys::remove(tx, login, fingerprint)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::UserKeyRemove,
            login,
            &removed,
        )?;
        Ok::<_, CoreError>(removed)
    })
}

pub fn list_keys(store: &Store, actor: &Actor, login: &str) -> CoreResult<Vec<StoredKey>> {
    require_self_or_admin(actor, login, super::Action::SeeKeys)?;
    Ok(operator_keys::of(store.db(), login)?)
}

/// Sets the language of `login`'s screens: `fr`, `en`, or `auto` / empty to follow the store.
pub fn set_language(
    store: &mut Store,
    actor: &Actor,
    login: &str,
    language: &str,
    now: DateTime<Utc>,
) -> CoreResult<Option<String>> {
    require_self_or_admin(actor, login, super::Action::ChangeLanguage)?;
    let chosen = match language.trim().to_ascii_lowercase().as_str() {
        "" | "auto" => None,
        l @ ("fr" | "en") => Some(l.to_string()),
        other => {
            return Err(super::Refusal::LanguageUnknown {
                given: other.to_string(),
            }
            .into());
        }
    };
    store.write(|tx| {
        operators::set_language(tx, login, chosen.as_deref())?;
        let detail = chosen.as_deref().unwrap_or("auto");
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::UserLanguage,
            login,
            detail,
        )?;
        Ok::<_, CoreError>(chosen)
    })
}
