//! Messages, their status history, and the keyset-paged lists of the Sent and Upcoming tabs.

use super::codes::{code, wait_reason};
use super::notes::StatusNote;
use super::page::{Direction, Page};
use super::{Record, Result, StoreError, flag, ts};
use crate::sms::encoding::Encoding;
use crate::sms::status::{MessageKind, MessageStatus, WaitReason};
use crate::store::Db;
use crate::text::{Search, parse_search};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params, params_from_iter};
use serde::Serialize;

/// Everything needed to queue one message. Texts are final (rendered, signature and STOP
/// mention included); the phone is a snapshot.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub kind: MessageKind,
    pub context: String,
    pub participant_id: Option<i64>,
    pub event_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub template_id: Option<i64>,
    pub automation_id: Option<i64>,
    pub collaborator_id: Option<i64>,
    pub phone: String,
    pub recipient_name: String,
    pub text: String,
    pub manual_edit: bool,
    pub encoding: Encoding,
    pub chars: i64,
    pub segments: i64,
    pub sender: String,
    pub expects_reply: bool,
    pub campaign: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub planned_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
}

/// Inserts a pending message and its first history row.
pub fn insert<'c>(conn: impl Into<Db<'c>>, m: &NewMessage) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO messages(kind, context, status, participant_id, event_id, batch_id, template_id, automation_id,
            collaborator_id, phone, recipient_name, text, manual_edit, encoding, chars, segments, sender, expects_reply,
            campaign, created_by, created_at, planned_at, deadline, next_attempt_at, status_at)
         VALUES (?1,?2,'pending',?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?21,?20)",
    )?;
    stmt.execute(params![
        m.kind,
        m.context,
        m.participant_id,
        m.event_id,
        m.batch_id,
        m.template_id,
        m.automation_id,
        m.collaborator_id,
        m.phone,
        m.recipient_name,
        m.text,
        flag(m.manual_edit),
        m.encoding,
        m.chars,
        m.segments,
        m.sender,
        flag(m.expects_reply),
        flag(m.campaign),
        m.created_by,
        ts(m.created_at),
        ts(m.planned_at),
        ts(m.deadline),
    ])?;
    let id = conn.last_insert_rowid();
    add_history(
        conn,
        id,
        MessageStatus::Pending,
        m.created_at,
        &m.created_by,
        None,
    )?;
    Ok(id)
}

pub fn add_history<'c>(
    conn: impl Into<Db<'c>>,
    message_id: i64,
    status: MessageStatus,
    at: DateTime<Utc>,
    actor: &str,
    note: Option<&StatusNote>,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    let detail = note.map(StatusNote::to_stored).unwrap_or_default();
    conn.prepare_cached(
        "INSERT INTO message_status_history(message_id, status, at, actor, detail) VALUES (?1,?2,?3,?4,?5)",
    )?
    .execute(params![message_id, status, ts(at), actor, detail])?;
    Ok(())
}

pub fn status_of(conn: Db<'_>, id: i64) -> Result<MessageStatus> {
    conn.query_row("SELECT status FROM messages WHERE id = ?1", [id], |r| {
        code(r, 0)
    })
    .optional()?
    .ok_or(StoreError::NotFound {
        what: Record::Message,
        id,
    })
}

/// Moves a message to `next` if the lifecycle allows it, recording the change. Returns false
/// (and changes nothing) when the message is already in a status that may not become `next` —
/// e.g. a late delivery report for a message already final. `note` says why, when something
/// needs saying (stored as its code and arguments, see [`StatusNote`]).
pub fn transition(
    conn: Db<'_>,
    id: i64,
    next: MessageStatus,
    at: DateTime<Utc>,
    actor: &str,
    note: Option<StatusNote>,
) -> Result<bool> {
    let current = status_of(conn, id)?;
    if current == next || !current.can_become(next) {
        return Ok(false);
    }
    let t = ts(at);
    let (sent_at, final_at) = match next {
        MessageStatus::Submitted => (Some(t), None),
        s if s.is_final() => (None, Some(t)),
        _ => (None, None),
    };
    conn.prepare_cached(
        "UPDATE messages SET status = ?2, status_at = ?3,
            sent_at = COALESCE(sent_at, ?4),
            final_at = COALESCE(final_at, ?5),
            listed_at = CASE WHEN ?2 IN ('pending','sending') THEN NULL ELSE COALESCE(sent_at, ?4, ?5, listed_at, ?3) END
         WHERE id = ?1",
    )?
    .execute(params![id, next, t, sent_at, final_at])?;
    add_history(conn, id, next, at, actor, note.as_ref())?;
    if next.proves_acceptance() {
        // Charged here, in the same transaction as the status, so no path can skip it.
        let segments: i64 = conn
            .prepare_cached("SELECT segments FROM messages WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        super::credit::charge_message(conn, id, segments, at)?;
    }
    Ok(true)
}

/// One row of the Sent / Upcoming lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageRow {
    pub id: i64,
    pub kind: MessageKind,
    pub context: String,
    pub status: MessageStatus,
    pub planned_at: i64,
    pub sent_at: Option<i64>,
    pub listed_at: Option<i64>,
    pub recipient_name: String,
    pub phone: String,
    pub collaborator: String,
    pub created_by: String,
    pub text: String,
    pub segments: i64,
    pub batch_id: Option<i64>,
    pub event_id: Option<i64>,
    pub reply: Option<String>,
    /// When that reply came (Unix seconds).
    pub reply_at: Option<i64>,
    /// The outcome it set (matched, or chosen by an operator), empty while none.
    pub reply_outcome: Option<String>,
    /// The contact it was sent to (none for a free send).
    pub participant_id: Option<i64>,
    /// Why a due message is still pending, if it is held back.
    pub wait_reason: Option<WaitReason>,
    /// What went wrong last (a refusal, a retry, missing credit), if anything.
    #[serde(skip)]
    pub last_error: Option<StatusNote>,
}

/// Which list: Sent (everything that left or ended, newest first), Upcoming (not yet sent,
/// soonest first), or Batch: every message of batch and free sends whatever its status (one
/// batch with the filter's `batch_id`), in the order they were queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Sent,
    Upcoming,
    Batch,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Inclusive lower bound on the list's time (sent time / planned time), Unix seconds.
    pub from: Option<i64>,
    /// Exclusive upper bound.
    pub to: Option<i64>,
    pub statuses: Vec<MessageStatus>,
    /// Some(true): only batch and free sends; Some(false): only the others.
    pub batch: Option<bool>,
    pub context: Option<String>,
    pub collaborator_id: Option<i64>,
    pub batch_id: Option<i64>,
    /// Words that must each begin a word of the recipient's name, number or text, without
    /// case or accents, or a number as shown ([`crate::text::parse_search`]).
    pub text: Option<String>,
}

/// A position in a list: the sort key and id of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: i64,
}

const ROW_COLUMNS: &str = "m.id, m.kind, m.context, m.status, m.planned_at, m.sent_at, m.listed_at, m.recipient_name, m.phone,
    COALESCE(c.first_name || ' ' || c.last_name, ''), m.created_by, m.text, m.segments, m.batch_id, m.event_id,
    rp.text, m.wait_reason, m.last_error, rp.received_at, rp.outcome, m.participant_id";

/// The tables [`ROW_COLUMNS`] reads: the message, its counsellor and the reply it got (both
/// by primary key).
const ROW_FROM: &str = "messages m LEFT JOIN collaborators c ON c.id = m.collaborator_id
    LEFT JOIN replies rp ON rp.id = m.reply_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        kind: code(r, 1)?,
        context: r.get(2)?,
        status: code(r, 3)?,
        planned_at: r.get(4)?,
        sent_at: r.get(5)?,
        listed_at: r.get(6)?,
        recipient_name: r.get(7)?,
        phone: r.get(8)?,
        collaborator: r.get(9)?,
        created_by: r.get(10)?,
        text: r.get(11)?,
        segments: r.get(12)?,
        batch_id: r.get(13)?,
        event_id: r.get(14)?,
        reply: r.get(15)?,
        wait_reason: wait_reason(r, 16)?,
        last_error: StatusNote::from_stored(&r.get::<_, String>(17)?),
        reply_at: r.get(18)?,
        reply_outcome: r.get(19)?,
        participant_id: r.get(20)?,
    })
}

impl ListKind {
    fn sort_column(self) -> &'static str {
        match self {
            ListKind::Sent => "m.listed_at",
            ListKind::Upcoming => "m.planned_at",
            // Pending rows have no sent time: queue order, read through the per-batch index.
            ListKind::Batch => "m.id",
        }
    }

    /// The time a period filter bounds.
    fn time_column(self) -> &'static str {
        match self {
            ListKind::Sent => "m.listed_at",
            ListKind::Upcoming | ListKind::Batch => "m.planned_at",
        }
    }

    /// Sent: newest first. Upcoming: soonest first.
    fn descending(self) -> bool {
        matches!(self, ListKind::Sent)
    }

    pub fn cursor_of(self, row: &MessageRow) -> Cursor {
        let at = match self {
            ListKind::Sent => row.listed_at.unwrap_or(0),
            ListKind::Upcoming => row.planned_at,
            ListKind::Batch => row.id,
        };
        Cursor { at, id: row.id }
    }
}

/// At most this many messages found by the word index are read and sorted; a search finding
/// more walks the list in its own order instead, checking each row, and finds a page within a
/// few thousand rows.
const RARE_MATCHES: i64 = 8000;

/// A word typed is looked up as the words of the index it begins (`bonj` → `bonjour`), read
/// one by one as the list needs them; above this many words, as a beginning (the index reads
/// all their messages first).
const MAX_TERMS: usize = 64;

/// The full-text query (FTS5 syntax) of a typed search ([`crate::text::parse_search`]), with
/// at most how many messages it finds. Each word becomes the index's words it begins, looked up
/// in its vocabulary, so even a word in every message is read lazily: `"bonjour" OR
/// "bonjours"`, never a merged list of a million entries.
fn index_query(conn: Db<'_>, search: &Search) -> Result<(String, i64)> {
    let words = match search {
        Search::Number(forms) => {
            let q: Vec<String> = forms.iter().map(|d| format!("\"{d}\"*")).collect();
            return Ok((format!("({})", q.join(" OR ")), i64::MAX));
        }
        Search::Words(words) => words,
    };
    let mut parts = Vec::new();
    let mut most = i64::MAX;
    for word in words {
        // The index spells ligatures as typed in the message (`cœur`), the search folds
        // them (`coeur`): look for both spellings.
        let mut variants = vec![word.clone()];
        for (plain, ligature) in [("oe", "œ"), ("ae", "æ"), ("ss", "ß")] {
            if word.contains(plain) {
                variants.push(word.replace(plain, ligature));
            }
        }
        let letters = word.chars().count();
        // One or two letters are a whole word: as a beginning they are in most messages.
        let one_letter = letters <= 2;
        let mut terms: Vec<String> = Vec::new();
        let mut docs = 0i64;
        let mut lookup = conn.prepare_cached(
            "SELECT term, doc FROM messages_search_terms WHERE term >= ?1 AND term < ?2",
        )?;
        for v in &variants {
            let end = if one_letter {
                format!("{v}\0")
            } else {
                format!("{v}\u{10FFFF}")
            };
            let mut rows = lookup.query(rusqlite::params![v, end])?;
            while let Some(r) = rows.next()? {
                terms.push(r.get(0)?);
                docs = docs.saturating_add(r.get::<_, i64>(1)?);
            }
        }
        most = most.min(docs);
        let alternatives: Vec<String> = if terms.is_empty() {
            // Found nowhere: the word itself, which the index does not have.
            vec![format!("\"{word}\"")]
        } else if terms.len() > MAX_TERMS {
            variants.iter().map(|v| format!("\"{v}\"*")).collect()
        } else {
            terms
                .iter()
                .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                .collect()
        };
        parts.push(format!("({})", alternatives.join(" OR ")));
    }
    Ok((parts.join(" AND "), most))
}

/// The full-text query a typed search becomes, as [`page`] runs it (for tests and benches).
pub fn search_query(conn: Db<'_>, text: &str) -> Result<Option<String>> {
    match parse_search(text) {
        Some(search) => Ok(Some(index_query(conn, &search)?.0)),
        None => Ok(None),
    }
}

/// How a free-text filter is read: from the word index, its few matches then sorted
/// (`Driven`), or by walking the list and checking each row (`Checked`, the typed text
/// given to the SQL function `search_matches`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum TextSearch {
    Driven(String),
    /// The typed text, and the index's query (which a count still reads: it needs every row).
    Checked(String, String),
}

impl TextSearch {
    /// Chooses by how many messages match: a few thousand at most are cheaper to read and
    /// sort; more, and a page of the list is found after a few of its rows.
    fn of(conn: Db<'_>, f: &MessageFilter) -> Result<Option<TextSearch>> {
        let Some(typed) = f.text.as_deref() else {
            return Ok(None);
        };
        let Some(search) = parse_search(typed) else {
            return Ok(None);
        };
        let (query, most) = index_query(conn, &search)?;
        let found = if most < RARE_MATCHES {
            most
        } else {
            // Words found often each may still be rare together.
            conn.prepare_cached(&format!(
                "SELECT count(*) FROM (SELECT rowid FROM messages_search WHERE messages_search MATCH ?1 LIMIT {RARE_MATCHES})"
            ))?
            .query_row([&query], |r| r.get(0))?
        };
        Ok(Some(if found < RARE_MATCHES {
            TextSearch::Driven(query)
        } else {
            TextSearch::Checked(typed.to_string(), query)
        }))
    }

    /// What comes before the list's tables in FROM.
    fn from(this: Option<&TextSearch>) -> &'static str {
        match this {
            Some(TextSearch::Driven(_)) => "messages_search CROSS JOIN ",
            _ => "",
        }
    }
}

fn where_clause(
    kind: ListKind,
    f: &MessageFilter,
    search: Option<&TextSearch>,
    args: &mut Vec<Value>,
) -> String {
    let col = kind.time_column();
    let mut clauses = vec![match kind {
        ListKind::Sent => "m.listed_at IS NOT NULL".to_string(),
        ListKind::Upcoming => "m.status = 'pending'".to_string(),
        ListKind::Batch => "m.batch_id IS NOT NULL".to_string(),
    }];
    if let Some(from) = f.from {
        args.push(Value::Integer(from));
        clauses.push(format!("{col} >= ?{}", args.len()));
    }
    if let Some(to) = f.to {
        args.push(Value::Integer(to));
        clauses.push(format!("{col} < ?{}", args.len()));
    }
    if !f.statuses.is_empty() {
        let mut marks = Vec::new();
        for s in &f.statuses {
            args.push(Value::Text(s.as_str().to_string()));
            marks.push(format!("?{}", args.len()));
        }
        clauses.push(format!("m.status IN ({})", marks.join(",")));
    }
    match f.batch {
        Some(true) => clauses.push("m.batch_id IS NOT NULL".into()),
        Some(false) => clauses.push("m.batch_id IS NULL".into()),
        None => {}
    }
    if let Some(b) = f.batch_id {
        args.push(Value::Integer(b));
        clauses.push(format!("m.batch_id = ?{}", args.len()));
    }
    if let Some(c) = &f.context {
        args.push(Value::Text(c.clone()));
        clauses.push(format!("m.context = ?{}", args.len()));
    }
    if let Some(c) = f.collaborator_id {
        args.push(Value::Integer(c));
        clauses.push(format!("m.collaborator_id = ?{}", args.len()));
    }
    match search {
        Some(TextSearch::Driven(q)) => {
            args.push(Value::Text(q.clone()));
            clauses.push(format!(
                "messages_search MATCH ?{} AND m.id = messages_search.rowid",
                args.len()
            ));
        }
        Some(TextSearch::Checked(typed, _)) => {
            args.push(Value::Text(typed.clone()));
            clauses.push(format!(
                "search_matches(?{}, m.recipient_name, m.phone, m.text)",
                args.len()
            ));
        }
        None => {}
    }
    clauses.join(" AND ")
}

/// One page of a list, keyset-paged: `page.after` is the last row the caller has (or the first,
/// when going backward). Never uses OFFSET, so page N costs the same as page 1.
pub fn page(
    conn: Db<'_>,
    kind: ListKind,
    filter: &MessageFilter,
    page: Page<'_, Cursor>,
) -> Result<Vec<MessageRow>> {
    let (sql, args) = page_sql(conn, kind, filter, page)?;
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows: Vec<MessageRow> = stmt
        .query_map(params_from_iter(args), row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page.in_list_order(rows))
}

/// The statement [`page`] runs and its values (for benches comparing it with SQLite alone).
/// Choosing how to read a free-text filter asks the word index how often its words occur.
pub fn page_sql(
    conn: Db<'_>,
    kind: ListKind,
    filter: &MessageFilter,
    page: Page<'_, Cursor>,
) -> Result<(String, Vec<Value>)> {
    let Page { after, dir, limit } = page;
    let mut args = Vec::new();
    let search = TextSearch::of(conn, filter)?;
    let col = kind.sort_column();
    // Going forward in a descending list means smaller keys.
    let forward_is_smaller = kind.descending();
    let smaller = match dir {
        Direction::Forward => forward_is_smaller,
        Direction::Backward => !forward_is_smaller,
    };
    let order = if smaller { "DESC" } else { "ASC" };
    let arm = |f: &MessageFilter, args: &mut Vec<Value>| {
        let mut sql_where = where_clause(kind, f, search.as_ref(), args);
        if let Some(c) = after {
            args.push(Value::Integer(c.at));
            args.push(Value::Integer(c.id));
            let op = if smaller { "<" } else { ">" };
            sql_where.push_str(&format!(
                " AND ({col}, m.id) {op} (?{}, ?{})",
                args.len() - 1,
                args.len()
            ));
        }
        args.push(Value::Integer(limit as i64));
        format!(
            "SELECT {ROW_COLUMNS} FROM {}{ROW_FROM}
             WHERE {sql_where} ORDER BY {col} {order}, m.id {order} LIMIT ?{}",
            TextSearch::from(search.as_ref()),
            args.len()
        )
    };
    // A frequent word with several statuses: each status's rows are walked in list order
    // (its index) until a page is found, then the pages merged; one walk of all their rows,
    // sorted after, would check every one of them.
    let per_status = kind == ListKind::Sent
        && filter.statuses.len() > 1
        && matches!(search, Some(TextSearch::Checked(..)));
    let sql = if per_status {
        let arms: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| {
                let one = MessageFilter {
                    statuses: vec![*s],
                    ..filter.clone()
                };
                format!("SELECT * FROM ({})", arm(&one, &mut args))
            })
            .collect();
        args.push(Value::Integer(limit as i64));
        // Columns 7 and 1 of ROW_COLUMNS: the list time and the id.
        format!(
            "{} ORDER BY 7 {order}, 1 {order} LIMIT ?{}",
            arms.join(" UNION ALL "),
            args.len()
        )
    } else {
        arm(filter, &mut args)
    };
    Ok((sql, args))
}

/// Whether any message of this batch has left the queue (sent, or ended unsent): a batch with
/// none only has messages in Upcoming.
pub fn batch_has_left(conn: Db<'_>, batch_id: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM messages WHERE batch_id = ?1 AND status <> 'pending')",
        [batch_id],
        |r| r.get(0),
    )?)
}

/// Number of rows a filter matches (for the list header; may scan, run it off the UI thread).
pub fn count(conn: Db<'_>, kind: ListKind, filter: &MessageFilter) -> Result<i64> {
    let (sql, args) = count_sql(conn, kind, filter)?;
    Ok(conn.query_row(&sql, params_from_iter(args), |r| r.get(0))?)
}

/// The statement [`count`] runs and its values.
pub fn count_sql(
    conn: Db<'_>,
    kind: ListKind,
    filter: &MessageFilter,
) -> Result<(String, Vec<Value>)> {
    let mut args = Vec::new();
    // Counting reads every match: from the word index, even for a frequent word (checking
    // each row of the list would read them all).
    let search = TextSearch::of(conn, filter)?.map(|s| match s {
        TextSearch::Checked(_, query) => TextSearch::Driven(query),
        driven => driven,
    });
    let sql_where = where_clause(kind, filter, search.as_ref(), &mut args);
    let sql = format!(
        "SELECT count(*) FROM {}messages m WHERE {sql_where}",
        TextSearch::from(search.as_ref())
    );
    Ok((sql, args))
}

pub fn get(conn: Db<'_>, id: i64) -> Result<MessageRow> {
    conn.query_row(
        &format!("SELECT {ROW_COLUMNS} FROM {ROW_FROM} WHERE m.id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(StoreError::NotFound {
        what: Record::Message,
        id,
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub status: MessageStatus,
    pub at: i64,
    pub actor: String,
    /// What the change said, if anything.
    pub note: Option<StatusNote>,
}

pub fn history(conn: Db<'_>, id: i64) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, at, actor, detail FROM message_status_history WHERE message_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(HistoryEntry {
            status: code(r, 0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            note: StatusNote::from_stored(&r.get::<_, String>(3)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One row of an export: only the columns a file shows, borrowed from the statement's row
/// (nothing allocated per row), with the ledger's charge of the message when it was charged.
/// Texts from people (names, phone, message, reply) are their stored bytes, UTF-8 as the
/// store writes them, not checked again here: a CSV file takes them as they are, a workbook
/// checks them as it makes its cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportRow<'r> {
    pub id: i64,
    pub context: &'r str,
    pub status: MessageStatus,
    pub planned_at: i64,
    pub sent_at: Option<i64>,
    pub recipient_name: &'r [u8],
    pub phone: &'r [u8],
    pub collaborator: &'r [u8],
    pub created_by: &'r [u8],
    pub text: &'r [u8],
    pub segments: i64,
    pub reply: Option<&'r [u8]>,
    /// The charge's units and the ledger's running total after it (first in, first out: what
    /// it cost follows from the packs' prices), when the message was charged.
    pub charge: Option<(i64, i64)>,
}

/// Every row of the list `kind` filtered by `filter`, in the list's order, handed to `each`
/// one at a time: one statement read to its end (the costs joined in it, by the ledger's
/// unique index per message), so a million rows are neither held in memory nor re-queried by
/// pages. Run it inside one read transaction for a consistent snapshot. Stops at the first
/// error `each` returns. The number of rows handed.
pub fn for_each_exported<E: From<StoreError>>(
    conn: Db<'_>,
    kind: ListKind,
    filter: &MessageFilter,
    mut each: impl FnMut(&ExportRow<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<u64, E> {
    let mut args = Vec::new();
    // A free-text filter is read as a page reads it: a rare word from the word index, a
    // frequent one by checking the rows along the list.
    let search = TextSearch::of(conn, filter)?;
    let sql_where = where_clause(kind, filter, search.as_ref(), &mut args);
    let col = kind.sort_column();
    let order = if kind.descending() { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT m.id, m.context, m.status, m.planned_at, m.sent_at, m.recipient_name, m.phone,
                COALESCE(c.first_name || ' ' || c.last_name, ''), m.created_by, m.text, m.segments,
                rp.text, l.units, l.running
           FROM {}{ROW_FROM}
           LEFT JOIN credit_ledger l ON l.message_id = m.id AND l.kind = 'send'
          WHERE {sql_where} ORDER BY {col} {order}, m.id {order}",
        TextSearch::from(search.as_ref())
    );
    let mut stmt = conn.prepare(&sql).map_err(StoreError::from)?;
    let mut rows = stmt
        .query(params_from_iter(args))
        .map_err(StoreError::from)?;
    let mut n: u64 = 0;
    while let Some(r) = rows.next().map_err(StoreError::from)? {
        each(&export_row(r).map_err(StoreError::from)?)?;
        n += 1;
    }
    Ok(n)
}

/// Text column `i` of `r`, its bytes borrowed; `None` when it is NULL.
fn borrowed_bytes<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r [u8]>> {
    use rusqlite::types::ValueRef;
    match r.get_ref(i)? {
        ValueRef::Text(t) => Ok(Some(t)),
        ValueRef::Null => Ok(None),
        other => Err(rusqlite::Error::InvalidColumnType(
            i,
            String::new(),
            other.data_type(),
        )),
    }
}

/// Text column `i` of `r`, its bytes borrowed (never NULL).
fn borrowed_text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r [u8]> {
    borrowed_bytes(r, i)?.ok_or_else(|| {
        rusqlite::Error::InvalidColumnType(i, String::new(), rusqlite::types::Type::Null)
    })
}

/// The status in column `i`: its stored code compared as it is (the store writes each
/// status's own code), else read as any code is ([`code`]: its other spellings, or the error
/// of an unknown one).
fn stored_status(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<MessageStatus> {
    let stored = r.get_ref(i)?.as_bytes().ok();
    match MessageStatus::ALL
        .into_iter()
        .find(|s| Some(s.as_str().as_bytes()) == stored)
    {
        Some(status) => Ok(status),
        None => code(r, i),
    }
}

fn export_row<'r>(r: &'r rusqlite::Row<'_>) -> rusqlite::Result<ExportRow<'r>> {
    let units: Option<i64> = r.get(12)?;
    let running: Option<i64> = r.get(13)?;
    Ok(ExportRow {
        id: r.get(0)?,
        context: r.get_ref(1)?.as_str()?,
        status: stored_status(r, 2)?,
        planned_at: r.get(3)?,
        sent_at: r.get(4)?,
        recipient_name: borrowed_text(r, 5)?,
        phone: borrowed_text(r, 6)?,
        collaborator: borrowed_text(r, 7)?,
        created_by: borrowed_text(r, 8)?,
        text: borrowed_text(r, 9)?,
        segments: r.get(10)?,
        reply: borrowed_bytes(r, 11)?,
        charge: units.zip(running),
    })
}

#[cfg(test)]
mod export_tests {
    use super::*;
    use crate::store::{Store, credit};
    use chrono::TimeZone;

    /// What a file shows of a row: (row fields, cost in micros and currency).
    type Shown = (
        (i64, String, MessageStatus, i64, Option<i64>, String, String),
        (String, String, String, i64, Option<String>),
        Option<(i64, String)>,
    );

    /// What a file shows of `m`, charged `cost` (micros, currency).
    fn shown(m: &ExportRow<'_>, cost: Option<(i64, String)>) -> Shown {
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
        (
            (
                m.id,
                m.context.to_string(),
                m.status,
                m.planned_at,
                m.sent_at,
                text(m.recipient_name),
                text(m.phone),
            ),
            (
                text(m.collaborator),
                text(m.created_by),
                text(m.text),
                m.segments,
                m.reply.map(text),
            ),
            cost,
        )
    }

    fn by_pages(conn: Db<'_>, kind: ListKind, filter: &MessageFilter) -> Vec<Shown> {
        let pricing = credit::pricing(conn).unwrap();
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let rows = page(conn, kind, filter, Page::forward(after.as_ref(), 7)).unwrap();
            let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
            let costs = credit::charge_values(conn, &pricing, &ids).unwrap();
            for m in &rows {
                // The page's row seen through the export's (the charge aside: its cost is
                // the list's own).
                let seen = ExportRow {
                    id: m.id,
                    context: &m.context,
                    status: m.status,
                    planned_at: m.planned_at,
                    sent_at: m.sent_at,
                    recipient_name: m.recipient_name.as_bytes(),
                    phone: m.phone.as_bytes(),
                    collaborator: m.collaborator.as_bytes(),
                    created_by: m.created_by.as_bytes(),
                    text: m.text.as_bytes(),
                    segments: m.segments,
                    reply: m.reply.as_deref().map(str::as_bytes),
                    charge: None,
                };
                let cost = costs.get(&m.id).map(|c| (c.micros, c.currency.clone()));
                out.push(shown(&seen, cost));
            }
            match rows.last() {
                Some(last) if rows.len() == 7 => after = Some(kind.cursor_of(last)),
                _ => return out,
            }
        }
    }

    fn streamed(conn: Db<'_>, kind: ListKind, filter: &MessageFilter) -> Vec<Shown> {
        let pricing = credit::pricing(conn).unwrap();
        let mut out = Vec::new();
        let n = for_each_exported(conn, kind, filter, |m| {
            let cost = m
                .charge
                .and_then(|(units, running)| pricing.value(running - units, running))
                .filter(|_| pricing.packs.iter().any(|p| p.unit_price.is_some()));
            out.push(shown(m, cost.map(|c| (c.micros, c.currency))));
            Ok::<(), StoreError>(())
        })
        .unwrap();
        assert_eq!(n as usize, out.len());
        out
    }

    /// The export's one-statement read gives the rows the lists' keyset pages give, in the
    /// same order, with the same costs: an export holds exactly what the list shows.
    #[test]
    fn the_export_reads_what_the_list_pages_show() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let now = Utc.with_ymd_and_hms(2026, 4, 14, 13, 7, 21).unwrap();
        crate::demo::create(&path, 7, "mlegall", now).unwrap();
        let store = Store::open(&path).unwrap();
        let conn = store.db();
        let sent = MessageFilter::default();
        let delivered = MessageFilter {
            statuses: vec![MessageStatus::Delivered, MessageStatus::Failed],
            ..Default::default()
        };
        let words = MessageFilter {
            text: Some("a".into()),
            batch: Some(false),
            ..Default::default()
        };
        let mut charged = 0;
        for (kind, filter) in [
            (ListKind::Sent, &sent),
            (ListKind::Sent, &delivered),
            (ListKind::Sent, &words),
            (ListKind::Upcoming, &sent),
            (ListKind::Batch, &sent),
        ] {
            let expected = by_pages(conn, kind, filter);
            assert!(!expected.is_empty(), "{kind:?} {filter:?}");
            charged += expected.iter().filter(|r| r.2.is_some()).count();
            assert_eq!(
                streamed(conn, kind, filter),
                expected,
                "{kind:?} {filter:?}"
            );
        }
        assert!(charged > 0, "some rows carry a cost");
    }
}
