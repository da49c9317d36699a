//! What the core's rules read and change on messages not yet sent: replanning, re-rendering,
//! an operator's edit, a rule taking a reminder over. Who may do it, and the audit, stay in
//! the core.

use super::messages::NewMessage;
use super::{Result, ts};
use crate::sms::encoding::SegmentInfo;
use crate::sms::status::{MessageKind, MessageStatus};
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, ToSql, params, params_from_iter};

/// What the core's rules check of a message before an operator changes or cancels it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageHead {
    /// A status this build does not know (a newer one's) reads as `Unknown`: "unknown — check".
    pub status: MessageStatus,
    /// The kind, or the code this build does not know.
    pub kind: std::result::Result<MessageKind, String>,
    pub created_by: String,
    pub participant_id: Option<i64>,
    pub event_id: Option<i64>,
    pub template_id: Option<i64>,
    pub automation_id: Option<i64>,
    pub campaign: bool,
}

/// The [`MessageHead`] of message `id`, if there is one.
pub fn head(conn: Db<'_>, id: i64) -> Result<Option<MessageHead>> {
    Ok(conn
        .query_row(
            "SELECT status, kind, created_by, participant_id, event_id, template_id, automation_id,
                    campaign
               FROM messages WHERE id = ?1",
            [id],
            |r| {
                let status: String = r.get(0)?;
                let kind: String = r.get(1)?;
                Ok(MessageHead {
                    status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Unknown),
                    kind: MessageKind::parse(&kind).ok_or(kind),
                    created_by: r.get(2)?,
                    participant_id: r.get(3)?,
                    event_id: r.get(4)?,
                    template_id: r.get(5)?,
                    automation_id: r.get(6)?,
                    campaign: r.get(7)?,
                })
            },
        )
        .optional()?)
}

/// The event a message reminds of, if any.
pub fn event_of(conn: Db<'_>, id: i64) -> Result<Option<i64>> {
    Ok(
        conn.query_row("SELECT event_id FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

/// Moves a message's planned time and deadline; it waits for nothing else.
pub fn replan(
    conn: Db<'_>,
    id: i64,
    planned_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> Result<()> {
    set_times(conn, id, (planned_at, deadline), "", "")
}

/// Moves a message's planned time and deadline as the operator chose (a manual edit).
pub fn replan_by_hand(
    conn: Db<'_>,
    id: i64,
    planned_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> Result<()> {
    set_times(conn, id, (planned_at, deadline), ", manual_edit = 1", "")
}

/// Gives message `id` its planned time (when it is next tried, too) and deadline, waiting for
/// nothing else, and sets `more_set`, where `only_if` holds.
fn set_times(
    conn: Db<'_>,
    id: i64,
    (planned_at, deadline): (DateTime<Utc>, DateTime<Utc>),
    more_set: &str,
    only_if: &str,
) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE messages SET planned_at = ?2, next_attempt_at = ?2, deadline = ?3, wait_reason = ''{more_set}
          WHERE id = ?1{only_if}"
    ))?
    .execute(params![id, ts(planned_at), ts(deadline)])?;
    Ok(())
}

/// Makes a message due now, its deadline at least `deadline`.
pub fn due_now(conn: Db<'_>, id: i64, now: DateTime<Utc>, deadline: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE messages SET next_attempt_at = ?2, deadline = max(deadline, ?3), wait_reason = '' WHERE id = ?1",
        params![id, ts(now), ts(deadline)],
    )?;
    Ok(())
}

/// Whose a message's new text is, and whether it may still be sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewText {
    /// Rendered again from its template: no manual edit left.
    Rendered,
    /// The operator's own.
    Edited,
    /// The operator's own, only while the message is still pending.
    EditedIfPending,
}

/// Replaces a message's text and its measures; false when no row changed (with
/// [`NewText::EditedIfPending`]: the message is no longer pending, being sent).
pub fn set_text(
    conn: Db<'_>,
    id: i64,
    text: &str,
    info: &SegmentInfo,
    how: NewText,
) -> Result<bool> {
    let manual_edit = how != NewText::Rendered;
    let only_pending = how == NewText::EditedIfPending;
    let changed = conn.execute(
        "UPDATE messages SET text = ?2, chars = ?3, segments = ?4, encoding = ?5, manual_edit = ?6
             WHERE id = ?1 AND (?7 = 0 OR status = 'pending')",
        params![
            id,
            text,
            info.chars as i64,
            info.segments as i64,
            info.encoding.as_str(),
            manual_edit,
            only_pending
        ],
    )?;
    Ok(changed > 0)
}

/// Rewrites an operator's pending reminder from `m` (no rule, no manual edit left).
pub fn rewrite_reminder(conn: Db<'_>, id: i64, m: &NewMessage) -> Result<()> {
    set_body(
        conn,
        id,
        m,
        ", automation_id = NULL, planned_at = ?8, next_attempt_at = ?8, deadline = ?9,
           wait_reason = '', manual_edit = 0, created_by = ?10, phone = ?11, recipient_name = ?12",
        "",
        &[
            &ts(m.planned_at),
            &ts(m.deadline),
            &m.created_by,
            &m.phone,
            &m.recipient_name,
        ],
    )
}

/// A rule takes a pending reminder over: its rule, template, text and times become `m`'s.
pub fn take_over(conn: Db<'_>, id: i64, m: &NewMessage) -> Result<()> {
    set_body(
        conn,
        id,
        m,
        ", automation_id = ?8, planned_at = ?9, next_attempt_at = ?9, deadline = ?10, wait_reason = ''",
        PENDING,
        &[&m.automation_id, &ts(m.planned_at), &ts(m.deadline)],
    )
}

/// A rule moves its pending reminder to `m`'s times.
pub fn rule_replan(conn: Db<'_>, id: i64, m: &NewMessage) -> Result<()> {
    set_times(conn, id, (m.planned_at, m.deadline), "", PENDING)
}

/// A rule gives its pending reminder `m`'s template and text.
pub fn rule_rewrite(conn: Db<'_>, id: i64, m: &NewMessage) -> Result<()> {
    set_body(conn, id, m, "", PENDING, &[])
}

/// Only while the message waits to leave.
const PENDING: &str = " AND status = 'pending'";

/// Gives message `id` (`?1`) the body of `m` — template, text, its length and encoding,
/// whether it expects a reply (`?2`…`?7`) — and sets `more_set` from `more` (`?8`…), where
/// `id` and `only_if` hold.
fn set_body(
    conn: Db<'_>,
    id: i64,
    m: &NewMessage,
    more_set: &str,
    only_if: &str,
    more: &[&dyn ToSql],
) -> Result<()> {
    let body: [&dyn ToSql; 7] = [
        &id,
        &m.template_id,
        &m.text,
        &m.chars,
        &m.segments,
        &m.encoding,
        &m.expects_reply,
    ];
    conn.prepare_cached(&format!(
        "UPDATE messages SET template_id = ?2, text = ?3, chars = ?4, segments = ?5, encoding = ?6,
            expects_reply = ?7{more_set} WHERE id = ?1{only_if}"
    ))?
    .execute(params_from_iter(body.iter().chain(more)))?;
    Ok(())
}
