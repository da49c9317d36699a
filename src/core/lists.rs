//! Saved lists: named selections of participants, made from the Contacts tab or a batch
//! selection and reused by batch sends. Any active operator may create, fill, rename or delete
//! them; every change is audited in its own transaction. Names are unique without regard to
//! case or surrounding spaces, so two operators cannot make "Atelier CV" and "atelier cv ".

use super::{Actor, CoreError, CoreResult, Refusal};
use crate::store::Db;
use crate::store::audit::AuditAction;
use crate::store::lists as rows;
use crate::store::{Store, StoreError, audit, operators};
use chrono::{DateTime, Utc};

/// The longest list name accepted (it is shown in a tab title).
pub const NAME_MAX: usize = 60;

/// Only registered, active operators change lists (an unknown login may look, not act).
fn require_operator(conn: Db<'_>, actor: &Actor, action: super::Action) -> CoreResult<()> {
    match operators::find(conn, &actor.login)? {
        Some(op) if op.active => Ok(()),
        _ => Err(super::Forbidden::NotActiveOperator {
            login: actor.login.clone(),
            action,
        }
        .into()),
    }
}

/// The trimmed name, refused when empty, too long, holding control characters, or already
/// used by another list (compared without case).
fn check_name(conn: Db<'_>, name: &str, own: Option<i64>) -> CoreResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::ListNameMissing.into());
    }
    if name.chars().count() > NAME_MAX {
        return Err(Refusal::ListNameTooLong {
            max: NAME_MAX,
            given: name.chars().count(),
        }
        .into());
    }
    if name.chars().any(char::is_control) {
        return Err(Refusal::ListNameControl.into());
    }
    let wanted = name.to_lowercase();
    if let Some((_, other)) = rows::names(conn)?
        .into_iter()
        .find(|(id, n)| Some(*id) != own && n.trim().to_lowercase() == wanted)
    {
        return Err(Refusal::ListExists { name: other }.into());
    }
    Ok(name.to_string())
}

fn list_name(conn: Db<'_>, list_id: i64) -> CoreResult<String> {
    Ok(rows::get(conn, list_id)?.name)
}

/// Creates the list `name` holding `participant_ids` (duplicates ignored); returns its id.
pub fn create_list(
    store: &mut Store,
    actor: &Actor,
    name: &str,
    participant_ids: &[i64],
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    store.write(|tx| {
        require_operator(tx, actor, super::Action::CreateList)?;
        let name = check_name(tx, name, None)?;
        let id = rows::insert(tx, &name, &actor.login, now)?;
        let members = rows::add_members(tx, id, participant_ids).map_err(|e| in_list(&name, e))?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ListCreate,
            id,
            &format!("{name:?}: {members} members"),
        )?;
        Ok(id)
    })
}

fn in_list(name: &str, e: StoreError) -> CoreError {
    match e {
        StoreError::Invalid(m) => CoreError::Invalid(Refusal::ListProblem {
            name: name.to_string(),
            problem: Box::new(m),
        }),
        other => CoreError::Store(other),
    }
}

/// What to do with participants and a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    /// Add them (those already members are left as they are).
    Add,
    /// Take them out (never deletes them).
    Remove,
}

/// Adds participants to a list or takes them out, audited; returns how many were not members
/// yet (added) or were (removed).
pub fn change_members(
    store: &mut Store,
    actor: &Actor,
    list_id: i64,
    participant_ids: &[i64],
    change: Membership,
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    store.write(|tx| {
        require_operator(tx, actor, super::Action::ChangeList)?;
        let name = list_name(tx, list_id)?;
        let (n, action, verb) = match change {
            Membership::Add => (
                rows::add_members(tx, list_id, participant_ids).map_err(|e| in_list(&name, e))?,
                AuditAction::ListAdd,
                "added",
            ),
            Membership::Remove => (
                rows::remove_members(tx, list_id, participant_ids)?,
                AuditAction::ListRemove,
                "removed",
            ),
        };
        audit::record(
            tx,
            actor.stamp(now),
            action,
            list_id,
            &format!("{name:?}: {n} {verb}"),
        )?;
        Ok(n)
    })
}

/// Renames a list; returns the name as kept (trimmed).
pub fn rename_list(
    store: &mut Store,
    actor: &Actor,
    list_id: i64,
    new_name: &str,
    now: DateTime<Utc>,
) -> CoreResult<String> {
    store.write(|tx| {
        require_operator(tx, actor, super::Action::RenameList)?;
        let old = list_name(tx, list_id)?;
        let name = check_name(tx, new_name, Some(list_id))?;
        rows::rename(tx, list_id, &name)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ListRename,
            list_id,
            &format!("{old:?} → {name:?}"),
        )?;
        Ok(name)
    })
}

/// How many members list `list_id` holds (what a delete confirmation says).
pub fn member_count(store: &Store, list_id: i64) -> CoreResult<i64> {
    rows::get(store.db(), list_id)?;
    Ok(rows::member_count(store.db(), list_id)?)
}

/// Deletes a list (its participants stay); returns how many members it held.
pub fn delete_list(
    store: &mut Store,
    actor: &Actor,
    list_id: i64,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    store.write(|tx| {
        require_operator(tx, actor, super::Action::DeleteList)?;
        let list = rows::get(tx, list_id)?;
        rows::delete(tx, list_id)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::ListDelete,
            list_id,
            &format!("{:?}: {} members", list.name, list.members),
        )?;
        Ok(list.members)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::operators::Rights;
    use crate::store::participants::{NewParticipant, insert_participant, saved_lists};

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-23T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A store with an administrator, a plain operator (no sending right) and three people.
    fn world() -> (Store, Actor, Actor, Vec<i64>) {
        let mut store = Store::open_defaults().unwrap();
        let admin = Actor::identify(&mut store, "admin", now()).unwrap();
        let ids = store
            .write(|tx: crate::store::Db<'_>| {
                operators::add(tx, "lea", "Léa", Rights::default(), now())?;
                ["Martin", "Durand", "Petit"]
                    .iter()
                    .map(|n| {
                        insert_participant(
                            tx,
                            &NewParticipant {
                                kind: crate::sms::status::ParticipantKind::Participant,
                                first_name: "X".into(),
                                last_name: n.to_string(),
                                ..Default::default()
                            },
                            Default::default(),
                        )
                    })
                    .collect::<crate::store::Result<Vec<i64>>>()
            })
            .unwrap();
        let lea = Actor::identify(&mut store, "lea", now()).unwrap();
        (store, admin, lea, ids)
    }

    fn audit_actions(store: &Store) -> Vec<(String, String, String)> {
        let mut rows = audit::page(store.db(), None, 50).unwrap();
        rows.reverse();
        rows.into_iter()
            .filter(|e| e.action.starts_with("list."))
            .map(|e| (e.actor, e.action, e.detail))
            .collect()
    }

    #[test]
    fn an_operator_without_sending_rights_manages_lists_and_each_change_is_audited() {
        let (mut store, _, lea, ids) = world();
        let id = create_list(&mut store, &lea, "  Atelier CV ", &ids[..2], now()).unwrap();
        let lists = saved_lists(store.db()).unwrap();
        assert_eq!(lists.len(), 1);
        assert_eq!(lists[0].name, "Atelier CV");
        assert_eq!(lists[0].members, 2);
        assert_eq!(lists[0].created_by, "lea");

        // Adding members already there counts only the new one.
        assert_eq!(
            change_members(&mut store, &lea, id, &ids, Membership::Add, now()).unwrap(),
            1
        );
        assert_eq!(member_count(&store, id).unwrap(), 3);
        assert_eq!(
            change_members(
                &mut store,
                &lea,
                id,
                &[ids[0], ids[0]],
                Membership::Remove,
                now()
            )
            .unwrap(),
            1
        );
        assert_eq!(member_count(&store, id).unwrap(), 2);
        assert_eq!(
            rename_list(&mut store, &lea, id, " Atelier CV mars ", now()).unwrap(),
            "Atelier CV mars"
        );
        assert_eq!(delete_list(&mut store, &lea, id, now()).unwrap(), 2);
        assert!(saved_lists(store.db()).unwrap().is_empty());
        // The participants stay.
        assert_eq!(crate::store::participants::count(store.db()).unwrap(), 3);
        let lea_s = "lea".to_string();
        assert_eq!(
            audit_actions(&store),
            vec![
                (
                    lea_s.clone(),
                    "list.create".into(),
                    "\"Atelier CV\": 2 members".into()
                ),
                (
                    lea_s.clone(),
                    "list.add".into(),
                    "\"Atelier CV\": 1 added".into()
                ),
                (
                    lea_s.clone(),
                    "list.remove".into(),
                    "\"Atelier CV\": 1 removed".into()
                ),
                (
                    lea_s.clone(),
                    "list.rename".into(),
                    "\"Atelier CV\" → \"Atelier CV mars\"".into()
                ),
                (
                    lea_s,
                    "list.delete".into(),
                    "\"Atelier CV mars\": 2 members".into()
                ),
            ]
        );
    }

    #[test]
    fn names_are_unique_without_case_or_spaces_and_never_empty() {
        let (mut store, admin, _, ids) = world();
        let id = create_list(&mut store, &admin, "Élèves", &ids, now()).unwrap();
        let other = create_list(&mut store, &admin, "Autres", &[], now()).unwrap();
        for bad in ["élèves", " ÉLÈVES  "] {
            let err = create_list(&mut store, &admin, bad, &[], now()).unwrap_err();
            assert_eq!(
                err.to_string(),
                "a saved list named \"Élèves\" already exists"
            );
            let err = rename_list(&mut store, &admin, other, bad, now()).unwrap_err();
            assert_eq!(
                err.to_string(),
                "a saved list named \"Élèves\" already exists"
            );
        }
        // A list may change the case of its own name.
        rename_list(&mut store, &admin, id, "ÉLÈVES", now()).unwrap();
        for empty in ["", "   "] {
            let err = create_list(&mut store, &admin, empty, &[], now()).unwrap_err();
            assert_eq!(err.to_string(), "a saved list needs a name");
            assert!(err.is_bad_input());
        }
        let err = create_list(&mut store, &admin, "a\tb", &[], now()).unwrap_err();
        assert!(err.to_string().contains("control characters"), "{err}");
        let long = "x".repeat(NAME_MAX + 1);
        let err = create_list(&mut store, &admin, &long, &[], now()).unwrap_err();
        assert!(err.to_string().contains("at most 60"), "{err}");
        assert_eq!(saved_lists(store.db()).unwrap().len(), 2);
    }

    #[test]
    fn unknown_participants_and_unknown_operators_change_nothing() {
        let (mut store, admin, _, ids) = world();
        let err = create_list(&mut store, &admin, "L", &[ids[0], 999], now()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "saved list \"L\": participant #999 does not exist"
        );
        assert!(saved_lists(store.db()).unwrap().is_empty());

        let id = create_list(&mut store, &admin, "L", &[ids[0]], now()).unwrap();
        let stranger = Actor::identify(&mut store, "stranger", now()).unwrap();
        let err = create_list(&mut store, &stranger, "M", &[], now()).unwrap_err();
        assert!(matches!(err, CoreError::Forbidden(_)), "{err}");
        assert!(change_members(&mut store, &stranger, id, &ids, Membership::Add, now()).is_err());
        assert!(delete_list(&mut store, &stranger, id, now()).is_err());
        assert_eq!(member_count(&store, id).unwrap(), 1);
        let err = delete_list(&mut store, &admin, 4242, now()).unwrap_err();
        assert!(err.is_bad_input(), "{err}");
        assert_eq!(audit_actions(&store).len(), 1);
    }
}
