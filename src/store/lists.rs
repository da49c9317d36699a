//! Saved lists: named selections of participants (the rules live in `core::lists`).
//!
//! A list may hold 10⁵ participants: its members are read a keyset page at a time, in name
//! order, through [`member_page`].

use super::page::Page;
use super::participants::{NameKey, Participant, SavedList};
use super::{Record, Result, StoreError, ts};
use crate::core::refusal::Refusal;
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};

/// One saved list with its member count.
pub fn get(conn: Db<'_>, id: i64) -> Result<SavedList> {
    conn.query_row(
        "SELECT l.id, l.name, (SELECT count(*) FROM saved_list_members m WHERE m.list_id = l.id), l.created_by
         FROM saved_lists l WHERE l.id = ?1",
        [id],
        |r| {
            Ok(SavedList {
                id: r.get(0)?,
                name: r.get(1)?,
                members: r.get(2)?,
                created_by: r.get(3)?,
            })
        },
    )
    .optional()?
    .ok_or(StoreError::NotFound {
        what: Record::SavedList,
        id,
    })
}

/// Every list's id and name (lists are few; members are not read).
pub fn names(conn: Db<'_>) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM saved_lists ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many participants list `id` holds.
pub fn member_count(conn: Db<'_>, id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM saved_list_members WHERE list_id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// Creates an empty list; the caller has checked the name.
pub fn insert(conn: Db<'_>, name: &str, created_by: &str, at: DateTime<Utc>) -> Result<i64> {
    conn.prepare_cached("INSERT INTO saved_lists(name, created_by, created_at) VALUES (?1,?2,?3)")?
        .execute(params![name, created_by, ts(at)])?;
    Ok(conn.last_insert_rowid())
}

/// Adds participants to list `id`; returns how many were not members yet. An unknown
/// participant id is refused (saying which), so call it inside the transaction of the change.
pub fn add_members(conn: Db<'_>, id: i64, members: &[i64]) -> Result<usize> {
    let mut add = conn.prepare_cached(
        "INSERT INTO saved_list_members(list_id, participant_id) VALUES (?1,?2) ON CONFLICT DO NOTHING",
    )?;
    let mut added = 0;
    for member in members {
        added += add.execute(params![id, member]).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Refusal::ParticipantNotFound { id: *member }.into()
            }
            other => StoreError::Sqlite(other),
        })?;
    }
    Ok(added)
}

/// Takes participants out of list `id`; returns how many were members.
pub fn remove_members(conn: Db<'_>, id: i64, members: &[i64]) -> Result<usize> {
    let mut remove = conn.prepare_cached(
        "DELETE FROM saved_list_members WHERE list_id = ?1 AND participant_id = ?2",
    )?;
    let mut removed = 0;
    for member in members {
        removed += remove.execute(params![id, member])?;
    }
    Ok(removed)
}

pub fn rename(conn: Db<'_>, id: i64, name: &str) -> Result<()> {
    conn.prepare_cached("UPDATE saved_lists SET name = ?2 WHERE id = ?1")?
        .execute(params![id, name])?;
    Ok(())
}

/// Deletes list `id` and its memberships (never the participants).
pub fn delete(conn: Db<'_>, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM saved_list_members WHERE list_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM saved_lists WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// How to read a list's members in name order. Measured on 10⁶ participants (debug build):
/// a 10⁵-member list pages in ~2 ms walking names (60 ms sorting members); a 50-member list in
/// under 1 ms sorting members (2 s walking names) — hence [`MemberPlan::choose`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberPlan {
    /// Walk the participants' name index and keep members (cheap when the list holds a good
    /// share of everyone: about `page × participants / members` probes per page).
    WalkNames,
    /// Read the list's memberships and sort them by name (cheap when the list is small:
    /// about `members` rows per page, whatever the number of participants).
    SortMembers,
}

impl MemberPlan {
    /// The cheaper plan for a list of `members` among `participants`, by pages of `page`.
    pub fn choose(members: i64, participants: i64, page: usize) -> MemberPlan {
        let (m, n, p) = (
            members.max(1) as f64,
            participants.max(1) as f64,
            page as f64,
        );
        if p * n / m < m {
            MemberPlan::WalkNames
        } else {
            MemberPlan::SortMembers
        }
    }

    /// The FROM clause (list id in `?1`); CROSS JOIN fixes the loop order SQLite would
    /// otherwise guess.
    fn from(self) -> &'static str {
        match self {
            MemberPlan::WalkNames => {
                "participants p CROSS JOIN saved_list_members m ON m.list_id = ?1 AND m.participant_id = p.id"
            }
            MemberPlan::SortMembers => {
                "saved_list_members m CROSS JOIN participants p ON p.id = m.participant_id AND m.list_id = ?1"
            }
        }
    }
}

/// A keyset page of list `list`'s members (optionally filtered by a name / phone substring),
/// ordered by `(last_name, first_name, id)` without case, strictly after (`Forward`) or before
/// (`Backward`) the key `page.after`, returned in list order.
pub fn member_page(
    conn: Db<'_>,
    list: i64,
    plan: MemberPlan,
    search: &str,
    page: Page<'_, NameKey>,
) -> Result<Vec<Participant>> {
    let like = super::participants::search_pattern(search);
    let mut args: Vec<Value> = vec![Value::Integer(list), Value::Text(like)];
    let (cond, order_limit) = super::participants::by_name(&page, &mut args);
    let columns = super::participants::COLUMNS;
    let from = plan.from();
    let search = super::participants::SEARCH_TEXT;
    let sql = format!(
        "SELECT {columns} FROM {from}
         WHERE m.list_id = ?1 AND p.archived_at IS NULL
           AND fold({search}) LIKE ?2{cond}
         {order_limit}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows: Vec<Participant> = stmt
        .query_map(params_from_iter(args), super::participants::row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page.in_list_order(rows))
}

/// A saved list's name, if it exists.
pub fn name_of(conn: Db<'_>, id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT name FROM saved_lists WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::participants::{NewParticipant, insert_participant};

    fn person(conn: Db<'_>, last: &str) -> i64 {
        insert_participant(
            conn,
            &NewParticipant {
                kind: crate::sms::status::ParticipantKind::Participant,
                first_name: "A".into(),
                last_name: last.into(),
                ..Default::default()
            },
            Default::default(),
        )
        .unwrap()
    }

    #[test]
    fn both_plans_page_members_in_name_order_both_ways() {
        let store = Store::open_defaults().unwrap();
        let conn = store.db();
        let ids: Vec<i64> = ["d", "B", "a", "c", "E", "f"]
            .iter()
            .map(|n| person(conn, n))
            .collect();
        let list = insert(conn, "L", "me", chrono::Utc::now()).unwrap();
        // Everyone but "c".
        add_members(conn, list, &[ids[0], ids[1], ids[2], ids[4], ids[5]]).unwrap();
        for plan in [MemberPlan::WalkNames, MemberPlan::SortMembers] {
            let names = |rows: Vec<Participant>| -> Vec<String> {
                rows.into_iter().map(|p| p.last_name).collect()
            };
            let first = member_page(conn, list, plan, "", Page::forward(None, 2)).unwrap();
            assert_eq!(names(first.clone()), ["a", "B"], "{plan:?}");
            let b = &first[1];
            let b = (b.last_name.clone(), b.first_name.clone(), b.id);
            let next = member_page(conn, list, plan, "", Page::forward(Some(&b), 2)).unwrap();
            assert_eq!(names(next.clone()), ["d", "E"], "{plan:?}");
            let d = &next[0];
            let d = (d.last_name.clone(), d.first_name.clone(), d.id);
            let back = member_page(conn, list, plan, "", Page::backward(Some(&d), 5)).unwrap();
            assert_eq!(names(back), ["a", "B"], "{plan:?}");
            let last = member_page(conn, list, plan, "", Page::backward(None, 2)).unwrap();
            assert_eq!(names(last), ["E", "f"], "{plan:?}");
            let found = member_page(conn, list, plan, "f", Page::forward(None, 9)).unwrap();
            assert_eq!(names(found), ["f"], "{plan:?}");
        }
    }

    #[test]
    fn plan_follows_the_share_of_members() {
        assert_eq!(
            MemberPlan::choose(100_000, 1_000_000, 60),
            MemberPlan::WalkNames
        );
        assert_eq!(
            MemberPlan::choose(50, 1_000_000, 60),
            MemberPlan::SortMembers
        );
    }

    #[test]
    fn plans_use_the_intended_indexes() {
        let store = Store::open_defaults().unwrap();
        let conn = store.db();
        for (plan, outer) in [
            (MemberPlan::WalkNames, "participants_by_name"),
            (MemberPlan::SortMembers, "SEARCH m USING PRIMARY KEY"),
        ] {
            let sql = format!(
                "EXPLAIN QUERY PLAN SELECT p.id FROM {} WHERE m.list_id = ?1
                 ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE, p.id LIMIT 60",
                plan.from()
            );
            let mut stmt = conn.prepare(&sql).unwrap();
            let plan_text: Vec<String> = stmt
                .query_map([1], |r| r.get::<_, String>(3))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let first = plan_text.first().cloned().unwrap_or_default();
            assert!(first.contains(outer), "{plan:?}: {plan_text:?}");
            if plan == MemberPlan::WalkNames {
                assert!(
                    !plan_text.iter().any(|l| l.contains("TEMP B-TREE")),
                    "walking names needs no sort: {plan_text:?}"
                );
            }
        }
    }
}
