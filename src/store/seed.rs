//! Bulk writes of the generators (the demo store, the large history of `demo::million`): what
//! the ordinary store functions do not offer — a message's whole story in one update, rows with
//! explicit ids, prepared once for a million inserts — and the counts and reads they need. The
//! generators themselves hold no SQL.

use super::{Result, Store, StoreError};
use crate::sms::status::MessageStatus;
use rusqlite::{TransactionBehavior, params};

/// The handle the generators write through.
pub type Conn<'a> = super::Db<'a>;

/// Runs `f` in one IMMEDIATE transaction on `store`, with a page cache of `cache_kib` KiB so a
/// large write does not spill to the WAL half-way; commits only when `f` succeeds.
pub fn write_new<T, E: From<StoreError>>(
    store: &mut Store,
    cache_kib: i64,
    f: impl FnOnce(Conn<'_>) -> Result<T, E>,
) -> Result<T, E> {
    store
        .conn
        .pragma_update(None, "cache_size", -cache_kib)
        .map_err(StoreError::from)?;
    let tx = store
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::from)?;
    let out = f(super::Db::from(&*tx))?;
    tx.commit().map_err(StoreError::from)?;
    Ok(out)
}

/// Runs `f` in one transaction on a shared connection; commits only when `f` succeeds.
pub fn in_transaction<T, E: From<StoreError>>(
    conn: Conn<'_>,
    f: impl FnOnce(Conn<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let tx = conn
        .conn()
        .unchecked_transaction()
        .map_err(StoreError::from)?;
    let out = f(super::Db::from(&*tx))?;
    tx.commit().map_err(StoreError::from)?;
    Ok(out)
}

/// Rows in `table` (a name from the schema, never user input).
pub fn count_rows(conn: Conn<'_>, table: &'static str) -> Result<i64> {
    Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
}

/// Messages still pending (`pending`), or all the others.
pub fn count_messages(conn: Conn<'_>, pending: bool) -> Result<i64> {
    let sql = if pending {
        "SELECT count(*) FROM messages WHERE status = 'pending'"
    } else {
        "SELECT count(*) FROM messages WHERE status <> 'pending'"
    };
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

/// The highest id in `table` (a name from the schema), 0 when empty.
pub fn max_id(conn: Conn<'_>, table: &'static str) -> Result<i64> {
    Ok(conn.query_row(
        &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
        [],
        |r| r.get(0),
    )?)
}

/// Logins of the active operators, oldest first.
pub fn active_operators(conn: Conn<'_>) -> Result<Vec<String>> {
    Ok(conn
        .prepare("SELECT login FROM operators WHERE active = 1 ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Ids of the active collaborators, oldest first.
pub fn active_collaborators(conn: Conn<'_>) -> Result<Vec<i64>> {
    Ok(conn
        .prepare("SELECT id FROM collaborators WHERE active = 1 ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// A participant as the generators write to them.
pub struct Textable {
    pub id: i64,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile: String,
}

/// Participants with a mobile, consent, and a number not opted out, oldest first.
pub fn textable_participants(conn: Conn<'_>) -> Result<Vec<Textable>> {
    Ok(conn
        .prepare(
            "SELECT id, civility, first_name, last_name, mobile FROM participants
             WHERE mobile IS NOT NULL AND sms_consent = 1
               AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = participants.mobile)
             ORDER BY id",
        )?
        .query_map([], |r| {
            Ok(Textable {
                id: r.get(0)?,
                civility: r.get(1)?,
                first_name: r.get(2)?,
                last_name: r.get(3)?,
                mobile: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// A participant with consent and no attributes; returns its id.
pub struct ParticipantRow<'a> {
    pub civility: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub mobile: &'a str,
    pub programme: &'a str,
    pub collaborator_id: Option<i64>,
    pub created_at: i64,
}

pub fn insert_participant(conn: Conn<'_>, p: &ParticipantRow) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO participants(kind, civility, first_name, last_name, mobile, sms_consent, programme,
            collaborator_id, attributes, created_at, updated_at)
         VALUES ('participant', ?1, ?2, ?3, ?4, 1, ?5, ?6, '{}', ?7, ?7)",
    )?
    .execute(params![
        p.civility,
        p.first_name,
        p.last_name,
        p.mobile,
        p.programme,
        p.collaborator_id,
        p.created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A message written at once in its last status, with an explicit id (times in Unix seconds).
/// It has no event, template or automation; its next attempt is its planned time.
pub struct MessageRow<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub context: &'a str,
    pub status: MessageStatus,
    pub participant_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub collaborator_id: Option<i64>,
    pub phone: &'a str,
    pub recipient_name: &'a str,
    pub text: &'a str,
    pub encoding: &'a str,
    pub chars: i64,
    pub segments: i64,
    pub sender: &'a str,
    pub expects_reply: bool,
    pub campaign: bool,
    pub created_by: &'a str,
    pub created_at: i64,
    pub planned_at: i64,
    pub deadline: i64,
    pub attempts: i64,
    pub last_error: &'a str,
    pub claimed_by: Option<&'a str>,
    pub provider: &'a str,
    pub provider_id: Option<String>,
    pub sent_at: Option<i64>,
    pub final_at: Option<i64>,
    pub listed_at: i64,
    pub status_at: i64,
    pub reply_id: Option<i64>,
}

pub fn insert_message(conn: Conn<'_>, m: &MessageRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO messages(id, kind, context, status, participant_id, event_id, batch_id, template_id,
            automation_id, collaborator_id, phone, recipient_name, text, manual_edit, encoding, chars,
            segments, sender, expects_reply, campaign, created_by, created_at, planned_at, deadline,
            next_attempt_at, attempts, wait_reason, last_error, claimed_by, provider, provider_id,
            sent_at, final_at, listed_at, status_at, reply_id)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, NULL, NULL, ?7, ?8, ?9, ?10, 0, ?11, ?12, ?13, ?14, ?15,
            ?16, ?17, ?18, ?19, ?20, ?19, ?21, '', ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
    )?
    .execute(params![
        m.id,
        m.kind,
        m.context,
        m.status.as_str(),
        m.participant_id,
        m.batch_id,
        m.collaborator_id,
        m.phone,
        m.recipient_name,
        m.text,
        m.encoding,
        m.chars,
        m.segments,
        m.sender,
        i64::from(m.expects_reply),
        i64::from(m.campaign),
        m.created_by,
        m.created_at,
        m.planned_at,
        m.deadline,
        m.attempts,
        m.last_error,
        m.claimed_by,
        m.provider,
        m.provider_id,
        m.sent_at,
        m.final_at,
        m.listed_at,
        m.status_at,
        m.reply_id,
    ])?;
    Ok(())
}

/// One status change of a message's history (`at` in Unix seconds).
pub fn insert_status_change(
    conn: Conn<'_>,
    message_id: i64,
    status: MessageStatus,
    at: i64,
    actor: &str,
    note: Option<&super::notes::StatusNote>,
) -> Result<()> {
    let detail = note
        .map(super::notes::StatusNote::to_stored)
        .unwrap_or_default();
    conn.prepare_cached(
        "INSERT INTO message_status_history(message_id, status, at, actor, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![message_id, status.as_str(), at, actor, detail])?;
    Ok(())
}

/// The charge of a submitted message (`at` in Unix seconds).
pub fn insert_charge(conn: Conn<'_>, message_id: i64, units: i64, at: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO credit_ledger(message_id, units, at, kind, running)
         VALUES (?1, ?2, ?3, 'send',
                 COALESCE((SELECT running FROM credit_ledger ORDER BY id DESC LIMIT 1), 0) + ?2)",
    )?
    .execute(params![message_id, units, at])?;
    Ok(())
}

/// A credit pack bought on `bought_on` (`YYYY-MM-DD`; `at` in Unix seconds).
pub fn insert_pack(
    conn: Conn<'_>,
    bought_on: &str,
    units: i64,
    label: &str,
    by: &str,
    at: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO credit_packs(bought_on, units, label, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![bought_on, units, label, by, at])?;
    Ok(())
}

/// A reply from the simulator, with an explicit id, to a message (times in Unix seconds).
pub struct ReplyRow<'a> {
    pub id: i64,
    pub from_phone: &'a str,
    pub to_number: &'a str,
    pub text: &'a str,
    pub received_at: i64,
    pub provider_id: String,
    pub message_id: i64,
    pub keyword: &'a str,
    pub outcome: &'a str,
    pub state: &'a str,
    pub review_reason: Option<&'a super::replies::ReviewReason>,
    pub reviewed_by: Option<&'a str>,
    pub reviewed_at: Option<i64>,
}

pub fn insert_reply(conn: Conn<'_>, r: &ReplyRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO replies(id, from_phone, to_number, text, received_at, provider, provider_id,
            message_id, event_id, keyword, outcome, state, review_reason, reviewed_by, reviewed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'simulator', ?6, ?7, NULL, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        r.id,
        r.from_phone,
        r.to_number,
        r.text,
        r.received_at,
        r.provider_id,
        r.message_id,
        r.keyword,
        r.outcome,
        r.state,
        r.review_reason
            .map(super::replies::ReviewReason::to_stored)
            .unwrap_or_default(),
        r.reviewed_by,
        r.reviewed_at,
    ])?;
    Ok(())
}

/// Opts `phone` out as the provider reported it (`at` in Unix seconds); kept if already out.
pub fn insert_provider_opt_out(conn: Conn<'_>, phone: &str, at: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO opt_outs(phone, at, source, reply_id, created_by) VALUES (?1, ?2, 'provider', NULL, 'simulator')
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![phone, at])?;
    Ok(())
}

/// Links a message to its reply, unless it already has one.
pub fn link_reply(conn: Conn<'_>, message_id: i64, reply_id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE messages SET reply_id = ?2 WHERE id = ?1 AND reply_id IS NULL")?
        .execute(params![message_id, reply_id])?;
    Ok(())
}

/// Where a message's story left it: the columns its status changes set (times in Unix
/// seconds). `next_attempt_at` is kept when `None`.
pub struct MessageOutcome<'a> {
    pub id: i64,
    pub status: MessageStatus,
    pub status_at: i64,
    pub sent_at: Option<i64>,
    pub final_at: Option<i64>,
    pub listed_at: Option<i64>,
    pub attempts: i64,
    pub last_error: &'a str,
    pub provider: &'a str,
    pub provider_id: Option<String>,
    pub claimed_by: Option<&'a str>,
    pub next_attempt_at: Option<i64>,
}

pub fn set_message_outcome(conn: Conn<'_>, m: &MessageOutcome) -> Result<()> {
    conn.prepare_cached(
        "UPDATE messages SET status = ?2, status_at = ?3, sent_at = ?4, final_at = ?5, listed_at = ?6,
            attempts = ?7, last_error = ?8, provider = ?9, provider_id = ?10, claimed_by = ?11,
            next_attempt_at = COALESCE(?12, next_attempt_at)
         WHERE id = ?1",
    )?
    .execute(params![
        m.id,
        m.status.as_str(),
        m.status_at,
        m.sent_at,
        m.final_at,
        m.listed_at,
        m.attempts,
        m.last_error,
        m.provider,
        m.provider_id,
        m.claimed_by,
        m.next_attempt_at,
    ])?;
    Ok(())
}
