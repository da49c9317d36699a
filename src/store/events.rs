//! Events in participants' futures: interviews, steps, orientations.

use super::codes::{code, read_in_order};
use super::page::{Direction, Page};
use super::{Record, Result, StoreError, StoreProblem};
use crate::sms::status::{EventKind, MessageKind, MessageStatus};
use crate::store::Db;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub participant_id: i64,
    pub participant_name: String,
    pub kind: EventKind,
    pub event_type: String,
    pub starts_at: i64,
    pub starts_local: String,
    pub collaborator_id: Option<i64>,
    pub collaborator: String,
    pub location: String,
    pub outcome: String,
    pub cancelled: bool,
    pub reminder_enabled: bool,
    pub reminder_days_before: Option<i64>,
    pub reply_text: Option<String>,
    /// The rule behind the event's reminder, when a rule created it (the reminder then shows
    /// on the event even though the operator set none).
    pub reminder_rule: Option<String>,
    /// That rule's delay (`-2` for D-2).
    pub reminder_rule_offset: Option<i64>,
}

/// The event's reminder: its latest reminder message not cancelled (one per event).
const CURRENT_REMINDER: &str =
    "SELECT m.automation_id FROM messages m WHERE m.event_id = e.id AND m.kind = 'reminder'
    AND m.status <> 'cancelled' ORDER BY m.id DESC LIMIT 1";

const COLUMNS: &str = "e.id, e.participant_id, p.first_name || ' ' || p.last_name, e.kind, e.type, e.starts_at, e.starts_local,
    e.collaborator_id, COALESCE(c.first_name || ' ' || c.last_name, ''), e.location, e.outcome, e.cancelled,
    e.reminder_enabled, e.reminder_days_before, e.reply_text";

/// The rule name of [`EventRow::reminder_rule`], looked up through `messages_by_event`.
fn columns() -> String {
    format!(
        "{COLUMNS}, (SELECT a.name FROM automations a WHERE a.id = ({CURRENT_REMINDER})),
        (SELECT a.offset_days FROM automations a WHERE a.id = ({CURRENT_REMINDER}))"
    )
}

const FROM: &str = "events e JOIN participants p ON p.id = e.participant_id LEFT JOIN collaborators c ON c.id = e.collaborator_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<EventRow> {
    Ok(read_in_order!(
        r,
        EventRow {
            id,
            participant_id,
            participant_name,
            kind,
            event_type,
            starts_at,
            starts_local,
            collaborator_id,
            collaborator,
            location,
            outcome,
            cancelled,
            reminder_enabled,
            reminder_days_before,
            reply_text,
            reminder_rule,
            reminder_rule_offset,
        }
    ))
}

pub fn get(conn: Db<'_>, id: i64) -> Result<EventRow> {
    conn.query_row(
        &format!("SELECT {} FROM {FROM} WHERE e.id = ?1", columns()),
        [id],
        row,
    )
    .optional()?
    .ok_or(StoreError::NotFound {
        what: Record::Event,
        id,
    })
}

/// What the Agenda shows: events starting in `[from, to)`, narrowed by outcome, kind,
/// collaborator and words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Unix seconds, inclusive.
    pub from: i64,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
    /// Any of these, each matched as a part of the outcome without ASCII case (`""`: events
    /// without an outcome). Empty: every outcome.
    pub outcomes: Vec<String>,
    pub kind: Option<EventKind>,
    pub collaborator_id: Option<i64>,
    /// Words found in the participant's name, the type or the location.
    pub text: Option<String>,
}

/// `%` and `_` typed by an operator are literal in a LIKE pattern.
fn like_pattern(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl EventFilter {
    /// The WHERE clause (after the keyset condition, numbered from `?4`) and its values.
    fn clause(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut sql = String::new();
        let mut values: Vec<Value> = Vec::new();
        let mut push = |sql: &mut String, cond: &str, v: Value| {
            values.push(v);
            sql.push_str(&cond.replace('#', &format!("?{}", values.len() + 3)));
        };
        if let Some(to) = self.to {
            push(&mut sql, " AND e.starts_at < #", Value::Integer(to));
        }
        if !self.outcomes.is_empty() {
            sql.push_str(" AND (");
            for (i, o) in self.outcomes.iter().enumerate() {
                if i > 0 {
                    sql.push_str(" OR ");
                }
                if o.is_empty() {
                    sql.push_str("e.outcome = ''");
                } else {
                    push(
                        &mut sql,
                        "fold(e.outcome) LIKE # ESCAPE '\\'",
                        Value::Text(like_pattern(&crate::text::fold(o))),
                    );
                }
            }
            sql.push(')');
        }
        if let Some(kind) = &self.kind {
            push(
                &mut sql,
                " AND e.kind = #",
                Value::Text(kind.as_str().to_string()),
            );
        }
        if let Some(c) = self.collaborator_id {
            push(&mut sql, " AND e.collaborator_id = #", Value::Integer(c));
        }
        if let Some(text) = &self.text {
            for word in text.split_whitespace() {
                push(
                    &mut sql,
                    " AND fold(p.first_name || ' ' || p.last_name || ' ' || e.type || ' ' || e.location) LIKE # ESCAPE '\\'",
                    Value::Text(like_pattern(&crate::text::fold(word))),
                );
            }
        }
        (sql, values)
    }
}

/// Events under `filter`, in time order: up to `limit` after the keyset cursor (`Forward`,
/// from the filter's first day without one), or just before it (`Backward`, scrolling back up;
/// from the end without one), returned in time order.
pub fn page(
    conn: Db<'_>,
    filter: &EventFilter,
    page: Page<'_, (i64, i64)>,
) -> Result<Vec<EventRow>> {
    let forward = page.dir == Direction::Forward;
    let edge = if forward {
        (filter.from, -1)
    } else {
        (i64::MAX, i64::MAX)
    };
    let key = page.after.copied().unwrap_or(edge);
    let rows = keyset(conn, filter, key, forward, page.limit)?;
    Ok(page.in_list_order(rows))
}

/// One keyset page from `cursor`, forward in time or backward (then newest first).
fn keyset(
    conn: Db<'_>,
    filter: &EventFilter,
    (at, id): (i64, i64),
    forward: bool,
    limit: usize,
) -> Result<Vec<EventRow>> {
    let (cmp, order) = if forward { (">", "ASC") } else { ("<", "DESC") };
    let (clause, values) = filter.clause();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM {FROM}
         WHERE e.starts_at >= ?1 AND (e.starts_at, e.id) {cmp} (?2, ?3){clause}
         ORDER BY e.starts_at {order}, e.id {order} LIMIT {limit}",
        columns()
    ))?;
    let mut all: Vec<rusqlite::types::Value> = vec![filter.from.into(), at.into(), id.into()];
    all.extend(values);
    let rows = stmt.query_map(rusqlite::params_from_iter(all), row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Inserts (agenda, import, batch interviews, demo store)

/// An event to create. `starts_at` and `starts_local` are the same instant (UTC, and the
/// organisation's wall-clock time): the caller resolves one from the other with the window
/// rules, because the store does not know the timezone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub participant_id: i64,
    pub kind: EventKind,
    pub event_type: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub starts_local: chrono::NaiveDateTime,
    pub collaborator_id: Option<i64>,
    pub location: String,
    pub theme: String,
    pub channel: String,
    pub programme: String,
    pub summary: String,
    pub outcome: String,
    pub notes: String,
    pub cancelled: bool,
    /// The batch that recorded this interview, if any.
    pub batch_id: Option<i64>,
    pub reminder: ReminderSettings,
    /// The reply that set the outcome, if one did.
    pub reply_text: Option<String>,
    pub reply_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl NewEvent {
    /// A new event as an operator or a file plans it: who, what and when, by whom; empty
    /// otherwise (no place, no outcome, no reminder of its own, no reply, out of any batch,
    /// not cancelled). Callers fill in the rest with struct update.
    pub fn planned(
        participant_id: i64,
        kind: EventKind,
        event_type: String,
        (starts_at, starts_local): (chrono::DateTime<chrono::Utc>, chrono::NaiveDateTime),
        created_by: &str,
        created_at: chrono::DateTime<chrono::Utc>,
    ) -> NewEvent {
        NewEvent {
            participant_id,
            kind,
            event_type,
            starts_at,
            starts_local,
            collaborator_id: None,
            location: String::new(),
            theme: String::new(),
            channel: String::new(),
            programme: String::new(),
            summary: String::new(),
            outcome: String::new(),
            notes: String::new(),
            cancelled: false,
            batch_id: None,
            reminder: ReminderSettings::default(),
            reply_text: None,
            reply_at: None,
            created_by: created_by.to_string(),
            created_at,
        }
    }
}

/// Creates an event; returns its id. Refuses a reminder switched on with neither a delay nor an
/// exact time.
pub fn insert_event<'c>(conn: impl Into<Db<'c>>, e: &NewEvent) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    let reminder = &e.reminder;
    if reminder.enabled && reminder.days_before.is_none() && reminder.at.is_none() {
        return Err(StoreProblem::ReminderWithoutTime.into());
    }
    if let Some(days) = reminder.days_before
        && !(0..=30).contains(&days)
    {
        return Err(StoreProblem::ReminderDays { days }.into());
    }
    let t = super::ts;
    conn.prepare_cached(
        "INSERT INTO events(participant_id, kind, type, starts_at, starts_local, collaborator_id, location, theme,
            channel, programme, summary, outcome, notes, cancelled, batch_id, reminder_enabled, reminder_days_before,
            reminder_at, reminder_template_id, reminder_text, reply_text, reply_at, created_by, created_at, updated_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?24)",
    )?
    .execute(params![
        e.participant_id,
        e.kind,
        e.event_type,
        t(e.starts_at),
        e.starts_local.format("%Y-%m-%d %H:%M:%S").to_string(),
        e.collaborator_id,
        e.location,
        e.theme,
        e.channel,
        e.programme,
        e.summary,
        e.outcome,
        e.notes,
        super::flag(e.cancelled),
        e.batch_id,
        super::flag(reminder.enabled),
        reminder.days_before,
        reminder.at.map(t),
        reminder.template_id,
        reminder.text,
        e.reply_text,
        e.reply_at.map(t),
        e.created_by,
        t(e.created_at),
    ])?;
    Ok(conn.last_insert_rowid())
}

// ---------------------------------------------------------------------------------------------
// Reads and updates for the agenda use cases (create / edit / cancel, reminders, automations)

/// Every column of an event the reminder and automation rules need, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDetail {
    pub id: i64,
    pub participant_id: i64,
    pub kind: EventKind,
    pub event_type: String,
    pub starts_at: i64,
    /// `YYYY-MM-DD HH:MM:SS`, the organisation's wall-clock time.
    pub starts_local: String,
    pub collaborator_id: Option<i64>,
    pub location: String,
    pub theme: String,
    pub outcome: String,
    pub notes: String,
    pub cancelled: bool,
    pub batch_id: Option<i64>,
    pub reminder: ReminderSettings,
    pub created_by: String,
}

impl EventDetail {
    /// The local start as a date-time (`None` only if the stored text is corrupt).
    pub fn local_start(&self) -> Option<chrono::NaiveDateTime> {
        chrono::NaiveDateTime::parse_from_str(&self.starts_local, "%Y-%m-%d %H:%M:%S").ok()
    }
}

const DETAIL_COLUMNS: &str =
    "id, participant_id, kind, type, starts_at, starts_local, collaborator_id, location,
    theme, outcome, notes, cancelled, batch_id, created_by, reminder_enabled, reminder_days_before,
    reminder_at, reminder_template_id, reminder_text";

fn detail_row(r: &rusqlite::Row) -> rusqlite::Result<EventDetail> {
    Ok(read_in_order!(
        r,
        EventDetail {
            id,
            participant_id,
            kind,
            event_type,
            starts_at,
            starts_local,
            collaborator_id,
            location,
            theme,
            outcome,
            notes,
            cancelled,
            batch_id,
            created_by,
        },
        reminder: ReminderSettings::read,
    ))
}

/// One event with its reminder settings.
pub fn detail(conn: Db<'_>, id: i64) -> Result<EventDetail> {
    conn.prepare_cached(&format!(
        "SELECT {DETAIL_COLUMNS} FROM events WHERE id = ?1"
    ))?
    .query_row([id], detail_row)
    .optional()?
    .ok_or(StoreError::NotFound {
        what: Record::Event,
        id,
    })
}

/// Ids of the events not cancelled starting in `[from, to)` (Unix seconds), in time order.
pub fn active_ids_between(conn: Db<'_>, from: i64, to: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM events WHERE starts_at >= ?1 AND starts_at < ?2 AND cancelled = 0 ORDER BY starts_at, id",
    )?;
    let rows = stmt.query_map(params![from, to], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Ids of the events of `kind` not cancelled starting at or after `from` (Unix seconds), in
/// time order: the agenda a rule acts on (read through `events_by_start`).
pub fn active_ids_of_kind_from(conn: Db<'_>, kind: EventKind, from: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM events WHERE starts_at >= ?1 AND kind = ?2 AND cancelled = 0 ORDER BY starts_at, id",
    )?;
    let rows = stmt.query_map(params![from, kind], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The fields of an event an operator may change from the agenda.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFields {
    pub event_type: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub starts_local: chrono::NaiveDateTime,
    pub collaborator_id: Option<i64>,
    pub location: String,
    pub notes: String,
}

impl EventFields {
    /// Writes these as the changeable fields of the event `id`.
    pub fn write(&self, conn: Db<'_>, id: i64, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        conn.change_one(
            Record::Event,
            id,
            "UPDATE events SET type = ?2, starts_at = ?3, starts_local = ?4, collaborator_id = ?5, location = ?6,
                    notes = ?7, updated_at = ?8 WHERE id = ?1",
            params![
                id,
                self.event_type,
                super::ts(self.starts_at),
                self.starts_local.format("%Y-%m-%d %H:%M:%S").to_string(),
                self.collaborator_id,
                self.location,
                self.notes,
                super::ts(at),
            ],
        )
    }
}

/// Marks an event cancelled and switches its reminder off (its history is kept).
pub fn set_cancelled(conn: Db<'_>, id: i64, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
    conn.change_one(
        Record::Event,
        id,
        "UPDATE events SET cancelled = 1, reminder_enabled = 0, updated_at = ?2 WHERE id = ?1",
        params![id, super::ts(at)],
    )
}

/// The reminder an operator chose for an event: a delay or an exact time, a template or a text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReminderSettings {
    pub enabled: bool,
    pub days_before: Option<i64>,
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    pub template_id: Option<i64>,
    pub text: Option<String>,
}

impl ReminderSettings {
    /// Reads the five reminder columns of an event, in their stored order, from column `first`.
    /// `read_in_order!` moves past them.
    fn read(r: &rusqlite::Row, first: usize) -> rusqlite::Result<ReminderSettings> {
        Ok(ReminderSettings {
            enabled: code(r, first)?,
            days_before: code(r, first + 1)?,
            at: code::<Option<i64>>(r, first + 2)?.map(super::from_ts),
            template_id: code(r, first + 3)?,
            text: code(r, first + 4)?,
        })
    }

    /// Writes these as the reminder columns of the event `id`.
    pub fn write(&self, conn: Db<'_>, id: i64, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        conn.change_one(
            Record::Event,
            id,
            "UPDATE events SET reminder_enabled = ?2, reminder_days_before = ?3, reminder_at = ?4,
                    reminder_template_id = ?5, reminder_text = ?6, updated_at = ?7 WHERE id = ?1",
            params![
                id,
                super::flag(self.enabled),
                self.days_before,
                self.at.map(super::ts),
                self.template_id,
                self.text,
                super::ts(at),
            ],
        )
    }
}

/// A reminder or follow-up message of an event, in any status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventMessage {
    pub id: i64,
    /// [`MessageKind::Reminder`] or [`MessageKind::FollowUp`].
    pub kind: MessageKind,
    pub status: MessageStatus,
    pub automation_id: Option<i64>,
    pub template_id: Option<i64>,
    pub planned_at: i64,
    pub text: String,
    pub manual_edit: bool,
    pub created_by: String,
    /// Whether it was cancelled because re-planning it after a change of the event failed, or
    /// because its rule was switched off, deleted or changed (rather than by an operator
    /// cancelling it): such a reminder does not keep a rule from creating the event's reminder again.
    pub cancelled_by_replan: bool,
}

/// Why a change of the event, or of its rule, cancelled a reminder: the codes
/// [`EventMessage::cancelled_by_replan`] recognises in the history (event changed, rule switched
/// off or deleted, rule changed).
pub use super::notes::REPLAN_CANCEL_CODES;

/// The rule behind the event's pending reminder, when a rule created it: what the reminder
/// window starts from when the operator set none.
pub fn pending_rule_reminder(conn: Db<'_>, event_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT automation_id FROM messages WHERE event_id = ?1 AND kind = 'reminder' AND status = 'pending'
             AND automation_id IS NOT NULL ORDER BY id DESC LIMIT 1",
        )?
        .query_row([event_id], |r| r.get(0))
        .optional()?)
}

/// Reminders and follow-ups of an event, oldest first.
pub fn reminder_messages(conn: Db<'_>, event_id: i64) -> Result<Vec<EventMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.kind, m.status, m.automation_id, m.template_id, m.planned_at, m.text, m.manual_edit, m.created_by,
            m.status = 'cancelled' AND EXISTS(SELECT 1 FROM message_status_history h
                WHERE h.message_id = m.id AND h.status = 'cancelled'
                    AND CASE WHEN json_valid(h.detail) THEN json_extract(h.detail, '$.code') END IN (?2, ?3, ?4))
         FROM messages m WHERE m.event_id = ?1 AND m.kind IN ('reminder','follow_up') ORDER BY m.id",
    )?;
    let rows = stmt.query_map(
        params![
            event_id,
            REPLAN_CANCEL_CODES[0],
            REPLAN_CANCEL_CODES[1],
            REPLAN_CANCEL_CODES[2],
        ],
        |r| {
            Ok(EventMessage {
                id: r.get(0)?,
                kind: code(r, 1)?,
                status: code(r, 2)?,
                automation_id: r.get(3)?,
                template_id: r.get(4)?,
                planned_at: r.get(5)?,
                text: r.get(6)?,
                manual_edit: r.get(7)?,
                created_by: r.get(8)?,
                cancelled_by_replan: r.get(9)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets an event's outcome from the reply that answered it (`reply_at` in Unix seconds).
pub fn set_reply_outcome(
    conn: Db<'_>,
    id: i64,
    outcome: &str,
    reply_text: &str,
    reply_at: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE events SET outcome = ?2, reply_text = ?3, reply_at = ?4, updated_at = ?5 WHERE id = ?1",
        params![id, outcome, reply_text, reply_at, super::ts(now)],
    )?;
    Ok(())
}

/// Stops an event's reminders (its reminder was cancelled by hand).
pub fn disable_reminder(conn: Db<'_>, id: i64, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    conn.execute(
        "UPDATE events SET reminder_enabled = 0, updated_at = ?2 WHERE id = ?1",
        params![id, super::ts(now)],
    )?;
    Ok(())
}
