//! A participant as a whole, for the contact card and `smsdesk contact show`: every stored
//! field, the lists and events they are in, and their SMS in and out as one timeline. Every
//! read is indexed by the participant (or the numbers their messages went to); the timeline is
//! keyset-paged, newest first.

use super::codes::{code, read_in_order};
use super::participants::{COLUMNS, Participant, row};
use super::{Record, Result, StoreError, ts};
use crate::sms::status::{EventKind, MessageStatus, ReplyState};
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// A participant with everything the card shows about them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContactDetail {
    #[serde(flatten)]
    pub participant: Participant,
    pub mobile2: Option<String>,
    pub landline: Option<String>,
    pub email: Option<String>,
    /// Free attributes: a JSON object of texts.
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// The collaborator following them, by name.
    pub collaborator: Option<String>,
    /// When the mobile went on the opt-out list and from where (`reply`, `operator`…).
    pub opt_out: Option<OptOut>,
    pub archived_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OptOut {
    /// Unix seconds.
    pub at: i64,
    pub source: String,
    pub by: String,
}

/// One participant in full (archived or not).
pub fn detail(conn: Db<'_>, id: i64) -> Result<ContactDetail> {
    let found = conn
        .query_row(
            &format!(
                "SELECT {COLUMNS}, p.mobile2, p.landline, p.email, p.attributes,
                    (SELECT trim(c.first_name || ' ' || c.last_name) FROM collaborators c WHERE c.id = p.collaborator_id),
                    p.archived_at, p.created_at, p.updated_at
                 FROM participants p WHERE p.id = ?1"
            ),
            [id],
            |r| {
                let attributes: String = r.get(14)?;
                let archived: Option<i64> = r.get(16)?;
                Ok(ContactDetail {
                    participant: row(r)?,
                    mobile2: r.get(11)?,
                    landline: r.get(12)?,
                    email: r.get(13)?,
                    attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                    collaborator: r.get(15)?,
                    opt_out: None,
                    archived_at: archived,
                    created_at: r.get(17)?,
                    updated_at: r.get(18)?,
                })
            },
        )
        .optional()?;
    let mut d = found.ok_or(StoreError::NotFound {
        what: Record::Participant,
        id,
    })?;
    if let Some(m) = d.participant.mobile.clone() {
        d.opt_out = opt_out_of(conn, &m)?;
    }
    Ok(d)
}

/// The opt-out of a number, if it is on the list.
pub fn opt_out_of(conn: Db<'_>, phone: &str) -> Result<Option<OptOut>> {
    Ok(conn
        .prepare_cached("SELECT at, source, created_by FROM opt_outs WHERE phone = ?1")?
        .query_row([phone], |r| {
            Ok(OptOut {
                at: r.get(0)?,
                source: r.get(1)?,
                by: r.get(2)?,
            })
        })
        .optional()?)
}

/// The participant other than `except` whose mobile is `e164` (index on the mobile): id and
/// name.
pub fn holder_of_mobile(conn: Db<'_>, e164: &str, except: i64) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, trim(first_name || ' ' || last_name) FROM participants
             WHERE mobile = ?1 AND id <> ?2 ORDER BY id LIMIT 1",
        )?
        .query_row(params![e164, except], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The participant other than `except` with this name and no mobile (index on the name).
pub fn holder_of_name(
    conn: Db<'_>,
    first: &str,
    last: &str,
    except: i64,
) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, trim(first_name || ' ' || last_name) FROM participants
             WHERE last_name = ?2 COLLATE NOCASE AND first_name = ?1 COLLATE NOCASE
               AND mobile IS NULL AND id <> ?3 ORDER BY id LIMIT 1",
        )?
        .query_row(params![first, last, except], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Replaces every stored field of participant `id` (already checked by the core).
pub fn update_participant(
    conn: Db<'_>,
    id: i64,
    p: &super::participants::NewParticipant,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.change_one(
        Record::Participant,
        id,
        "UPDATE participants SET kind = ?1, civility = ?2, first_name = ?3, last_name = ?4,
                mobile = ?5, mobile2 = ?6, landline = ?7, email = ?8, sms_consent = ?9,
                programme = ?10, collaborator_id = ?11, attributes = ?12, updated_at = ?13
             WHERE id = ?14",
        rusqlite::params_from_iter(
            super::participants::field_values(p)
                .into_iter()
                .chain([Value::from(ts(at)), Value::from(id)]),
        ),
    )
}

/// Archives participant `id` at `at`, or brings them back (`None`).
pub fn set_archived(
    conn: Db<'_>,
    id: i64,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.change_one(
        Record::Participant,
        id,
        "UPDATE participants SET archived_at = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, at.map(ts), ts(now)],
    )
}

/// A saved list a participant is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListRef {
    pub id: i64,
    pub name: String,
}

/// The saved lists participant `id` is in, by name.
pub fn lists_of(conn: Db<'_>, id: i64) -> Result<Vec<ListRef>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.name FROM saved_list_members m JOIN saved_lists l ON l.id = m.list_id
         WHERE m.participant_id = ?1 ORDER BY l.name",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(ListRef {
            id: r.get(0)?,
            name: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One event of a participant, as the card lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventRef {
    pub id: i64,
    pub kind: EventKind,
    #[serde(rename = "type")]
    pub event_type: String,
    pub starts_local: String,
    pub outcome: String,
    pub cancelled: bool,
}

/// The latest `limit` events of participant `id`, latest first.
pub fn events_of(conn: Db<'_>, id: i64, limit: usize) -> Result<Vec<EventRef>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, type, starts_local, outcome, cancelled FROM events
         WHERE participant_id = ?1 ORDER BY starts_at DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![id, limit as i64], |r| {
        Ok(read_in_order!(
            r,
            EventRef {
                id,
                kind,
                event_type,
                starts_local,
                outcome,
                cancelled
            }
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One SMS of a participant's history: out (a message, with its status) or in (a reply).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineItem {
    /// Out: its status (`delivered`…); in: what the reply did (`matched`, `stop`…). Written
    /// as two fields, `direction` (`out`, `in`) and `status` (the bare code).
    #[serde(flatten)]
    pub status: TimelineStatus,
    /// The message's or the reply's id.
    pub id: i64,
    /// Out: when it left, else when it is (or was) planned to; in: when it arrived (Unix
    /// seconds). The order of the timeline.
    pub at: i64,
    /// The number it went to or came from.
    pub phone: String,
    pub text: String,
    /// Out: when it left (submitted), if it did.
    pub sent_at: Option<i64>,
}

/// Where a timeline SMS stands, by direction: serialised as `"direction": "out"` and its bare
/// code, `"status": "delivered"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "direction", content = "status", rename_all = "snake_case")]
pub enum TimelineStatus {
    /// A message's status.
    Out(MessageStatus),
    /// What a reply did.
    In(ReplyState),
}

impl std::fmt::Display for TimelineStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimelineStatus::Out(status) => status.fmt(f),
            TimelineStatus::In(state) => state.fmt(f),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Out,
    In,
}

/// Where a timeline page ends: the next page starts strictly after it (older).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimelineKey {
    pub at: i64,
    pub direction: Direction,
    pub id: i64,
}

impl TimelineItem {
    /// Out (a message) or in (a reply), as its status says.
    pub fn direction(&self) -> Direction {
        match self.status {
            TimelineStatus::Out(_) => Direction::Out,
            TimelineStatus::In(_) => Direction::In,
        }
    }

    pub fn key(&self) -> TimelineKey {
        TimelineKey {
            at: self.at,
            direction: self.direction(),
            id: self.id,
        }
    }
}

/// The numbers a participant's SMS came from or went to: their mobiles now and every number
/// their messages were sent to (a changed number keeps its replies in the history).
pub fn numbers_of(conn: Db<'_>, id: i64) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let (m1, m2): (Option<String>, Option<String>) = conn
        .prepare_cached("SELECT mobile, mobile2 FROM participants WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_default();
    out.extend(m1);
    out.extend(m2);
    // One index seek per distinct number (messages_by_participant), never the whole history.
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE n(x) AS (
             SELECT (SELECT min(phone) FROM messages WHERE participant_id = ?1)
             UNION ALL
             SELECT (SELECT min(phone) FROM messages WHERE participant_id = ?1 AND phone > n.x) FROM n WHERE n.x IS NOT NULL
         )
         SELECT x FROM n WHERE x IS NOT NULL LIMIT 20",
    )?;
    for phone in stmt.query_map([id], |r| r.get::<_, String>(0))? {
        let phone = phone?;
        if !out.contains(&phone) {
            out.push(phone);
        }
    }
    Ok(out)
}

/// A page of participant `id`'s timeline, newest first, strictly older than `before`: their
/// messages (by participant) and the replies from `numbers`.
pub fn timeline(
    conn: Db<'_>,
    id: i64,
    numbers: &[String],
    before: Option<TimelineKey>,
    limit: usize,
) -> Result<Vec<TimelineItem>> {
    let (t, d, k) = match before {
        Some(b) => (b.at, b.direction as i64, b.id),
        None => (i64::MAX, i64::MAX, i64::MAX),
    };
    let mut items: Vec<TimelineItem> = Vec::new();
    // Out = 0 ranks before In = 1 at the same second: an older key has a smaller tuple.
    let mut out = conn.prepare_cached(
        "SELECT id, COALESCE(sent_at, planned_at) AS t, phone, text, status, sent_at FROM messages
         WHERE participant_id = ?1 AND participant_id IS NOT NULL
           AND (COALESCE(sent_at, planned_at) < ?2
                OR (COALESCE(sent_at, planned_at) = ?2 AND (0 < ?3 OR (0 = ?3 AND id < ?4))))
         ORDER BY COALESCE(sent_at, planned_at) DESC, id DESC LIMIT ?5",
    )?;
    let rows = out.query_map(params![id, t, d, k, limit as i64], |r| {
        timeline_item(Direction::Out, r)
    })?;
    for item in rows {
        items.push(item?);
    }
    let mut inc = conn.prepare_cached(
        "SELECT id, received_at, from_phone, text, state, NULL FROM replies
         WHERE from_phone = ?1
           AND (received_at < ?2 OR (received_at = ?2 AND (1 < ?3 OR (1 = ?3 AND id < ?4))))
         ORDER BY received_at DESC, id DESC LIMIT ?5",
    )?;
    for phone in numbers {
        let rows = inc.query_map(params![phone, t, d, k, limit as i64], |r| {
            timeline_item(Direction::In, r)
        })?;
        for item in rows {
            items.push(item?);
        }
    }
    items.sort_by(|a, b| {
        let (ka, kb) = (a.key(), b.key());
        (kb.at, kb.direction, kb.id).cmp(&(ka.at, ka.direction, ka.id))
    });
    items.dedup_by_key(|i| (i.direction(), i.id));
    items.truncate(limit);
    Ok(items)
}

/// A timeline row of either half: id, at, phone, text, status, sent_at.
fn timeline_item(direction: Direction, r: &rusqlite::Row<'_>) -> rusqlite::Result<TimelineItem> {
    Ok(TimelineItem {
        id: r.get(0)?,
        at: r.get(1)?,
        phone: r.get(2)?,
        text: r.get(3)?,
        status: match direction {
            Direction::Out => TimelineStatus::Out(code(r, 4)?),
            Direction::In => TimelineStatus::In(code(r, 4)?),
        },
        sent_at: r.get(5)?,
    })
}

/// How SQLite reads a timeline page (`EXPLAIN QUERY PLAN` details), for checking that both
/// halves are served by an index.
pub fn timeline_plan(conn: Db<'_>) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for sql in [
        "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE participant_id = 1 AND participant_id IS NOT NULL
           AND COALESCE(sent_at, planned_at) < 5 ORDER BY COALESCE(sent_at, planned_at) DESC, id DESC LIMIT 10",
        "EXPLAIN QUERY PLAN SELECT id FROM replies WHERE from_phone = '+33612345678' AND received_at < 5
           ORDER BY received_at DESC, id DESC LIMIT 10",
    ] {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
        for r in rows {
            out.push(r?);
        }
    }
    Ok(out)
}
