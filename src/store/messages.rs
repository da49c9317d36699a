//! Messages, their status history, and the keyset-paged lists of the Sent and Upcoming tabs.

use super::search::{self, Search};
use super::{Result, StoreError, flag, ts};
use crate::sms::status::{MessageKind, MessageStatus};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
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
    pub encoding: String,
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
pub fn insert(conn: &Connection, m: &NewMessage) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO messages(kind, context, status, participant_id, event_id, batch_id, template_id, automation_id,
            collaborator_id, phone, recipient_name, text, manual_edit, encoding, chars, segments, sender, expects_reply,
            campaign, created_by, created_at, planned_at, deadline, next_attempt_at, status_at)
         VALUES (?1,?2,'pending',?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?21,?20)",
    )?;
    stmt.execute(params![
        m.kind.as_str(),
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
        "",
    )?;
    Ok(id)
}

pub fn add_history(
    conn: &Connection,
    message_id: i64,
    status: MessageStatus,
    at: DateTime<Utc>,
    actor: &str,
    detail: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO message_status_history(message_id, status, at, actor, detail) VALUES (?1,?2,?3,?4,?5)",
    )?
    .execute(params![message_id, status.as_str(), ts(at), actor, detail])?;
    Ok(())
}

pub fn status_of(conn: &Connection, id: i64) -> Result<MessageStatus> {
    let s: Option<String> = conn
        .query_row("SELECT status FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let s = s.ok_or(StoreError::NotFound {
        what: "message",
        id,
    })?;
    MessageStatus::parse(&s)
        .ok_or_else(|| StoreError::Invalid(format!("message #{id} has unknown status {s:?}")))
}

/// Moves a message to `next` if the lifecycle allows it, recording the change. Returns false
/// (and changes nothing) when the message is already in a status that may not become `next` —
/// e.g. a late delivery report for a message already final.
pub fn transition(
    conn: &Connection,
    id: i64,
    next: MessageStatus,
    at: DateTime<Utc>,
    actor: &str,
    detail: &str,
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
    .execute(params![id, next.as_str(), t, sent_at, final_at])?;
    add_history(conn, id, next, at, actor, detail)?;
    Ok(true)
}

/// One row of the Sent / Upcoming lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageRow {
    pub id: i64,
    pub kind: String,
    pub context: String,
    pub status: String,
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
    pub wait_reason: String,
}

/// Which list: Sent (everything that left or ended, newest first) or Upcoming (not yet sent,
/// soonest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    Sent,
    Upcoming,
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
    /// Words (double quotes group a phrase), each found in the name, phone or text of the
    /// message, without case; words of 3+ characters also without accents, through the
    /// trigram index. A phone number as typed (`06 12 34 56 78`) also finds the stored
    /// `+33612345678`.
    pub text: Option<String>,
}

/// A position in a list: the sort key and id of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Rows after the cursor, in list order.
    Forward,
    /// Rows before the cursor (returned in list order too).
    Backward,
}

const ROW_COLUMNS: &str = "m.id, m.kind, m.context, m.status, m.planned_at, m.sent_at, m.listed_at, m.recipient_name, m.phone,
    COALESCE(c.first_name || ' ' || c.last_name, ''), m.created_by, m.text, m.segments, m.batch_id, m.event_id,
    (SELECT r.text FROM replies r WHERE r.id = m.reply_id), m.wait_reason";

fn row(r: &rusqlite::Row) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        context: r.get(2)?,
        status: r.get(3)?,
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
        wait_reason: r.get(16)?,
    })
}

impl ListKind {
    fn sort_column(self) -> &'static str {
        match self {
            ListKind::Sent => "m.listed_at",
            ListKind::Upcoming => "m.planned_at",
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
        };
        Cursor { at, id: row.id }
    }
}

/// How the words of a search are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextBy {
    /// No indexed word (none, or only short ones).
    Nothing,
    /// The hits of the index, joined by the query itself (`FROM hits CROSS JOIN messages`).
    Hits,
    /// `m.id IN (hits)`: for counting, where every hit is read anyway.
    InHits,
    /// `smsdesk_contains` on each row of the list walked in its order.
    Rows,
}

/// Under this many hits, reading every hit then sorting them is cheapest; above, walking the
/// list in its order fills a page sooner. Measured on 10⁶ messages: ≈ 2 µs a hit read, ≈ 3 µs
/// a row walked and checked; a page of 50 from h hits spread over 10⁶ rows walks 50·10⁶/h rows,
/// so both cost about the same near 9,000 hits (≈ 15 ms).
const SPARSE_HITS: i64 = 8_000;

/// How many rows of the list a page of many hits walks before giving up on walking and reading
/// the hits instead (words common overall but rare among these rows): ≈ 30 ms.
const WALK_ROWS: i64 = 10_000;

/// The conditions of the filter other than its words, on `m`. `status_by_order`: the statuses
/// are checked on each row rather than read from their index, so that a walk in list order
/// keeps using the list's own index and stops as soon as the page is full.
fn list_clauses(
    kind: ListKind,
    f: &MessageFilter,
    status_by_order: bool,
    args: &mut Vec<Value>,
) -> Vec<String> {
    let col = kind.sort_column();
    let mut clauses = vec![match kind {
        ListKind::Sent => "m.listed_at IS NOT NULL".to_string(),
        ListKind::Upcoming => "m.status = 'pending'".to_string(),
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
        let plus = if status_by_order { "+" } else { "" };
        clauses.push(format!("{plus}m.status IN ({})", marks.join(",")));
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
    clauses
}

/// The conditions of the words on `m`. With [`TextBy::Hits`] the indexed words are left to the
/// caller's join; short words are always LIKE patterns.
fn text_clauses(search: &Search, by: TextBy, args: &mut Vec<Value>) -> Vec<String> {
    let mut clauses = Vec::new();
    match by {
        TextBy::Nothing | TextBy::Hits => {}
        TextBy::InHits => {
            if let Some(expr) = search.fts_expression() {
                args.push(Value::Text(expr));
                clauses.push(format!(
                    "m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?{})",
                    args.len()
                ));
            }
        }
        TextBy::Rows => {
            for group in &search.indexed {
                let mut alts = Vec::new();
                for a in group {
                    args.push(Value::Text(search::fold(&a.needle)));
                    let n = args.len();
                    let columns: &[&str] = if a.phone_only {
                        &["m.phone"]
                    } else {
                        &["m.recipient_name", "m.phone", "m.text"]
                    };
                    for c in columns {
                        alts.push(format!("{}({c}, ?{n})", search::CONTAINS));
                    }
                }
                clauses.push(format!("({})", alts.join(" OR ")));
            }
        }
    }
    for word in &search.short {
        args.push(Value::Text(search::like_pattern(word)));
        let n = args.len();
        clauses.push(format!(
            "(m.recipient_name LIKE ?{n} ESCAPE '\\' OR m.phone LIKE ?{n} ESCAPE '\\' OR m.text LIKE ?{n} ESCAPE '\\')"
        ));
    }
    clauses
}

thread_local! {
    /// The last search counted by [`hits_up_to`]: its expression, hits, and when.
    static LAST: std::cell::RefCell<Option<(String, i64, std::time::Instant)>> =
        const { std::cell::RefCell::new(None) };
}

/// Forgets the hits counted for the last search, so that the next page counts them again (as
/// the first page of a new filter does). For benchmarks.
#[doc(hidden)]
pub fn forget_search_hits() {
    LAST.with_borrow_mut(|last| *last = None);
}

/// How many messages the indexed words find, counting no further than `cap`. Only the plan
/// depends on it (both give the same rows), so the last answer is kept for a minute: the pages
/// after the first one of a search do not count again.
fn hits_up_to(conn: &Connection, expr: &str, cap: i64) -> Result<i64> {
    let kept = LAST.with_borrow(|last| match last {
        Some((e, n, at)) if e == expr && at.elapsed() < std::time::Duration::from_secs(60) => {
            Some(*n)
        }
        _ => None,
    });
    if let Some(n) = kept {
        return Ok(n);
    }
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 LIMIT ?2)",
        )?
        .query_row(params![expr, cap], |r| r.get(0))?;
    LAST.with_borrow_mut(|last| *last = Some((expr.to_string(), n, std::time::Instant::now())));
    Ok(n)
}

/// One page of a list, keyset-paged: `after` is the last row the caller has (or the first, when
/// going backward). Never uses OFFSET, so page N costs the same as page 1.
///
/// Words of 3+ characters go through the trigram index: when it finds few messages, the page
/// is read from those; when it finds many, the list is walked in its order, each row checked,
/// and a page fills after a few rows (if it does not within [`WALK_ROWS`] rows, the hits are
/// read after all).
pub fn page(
    conn: &Connection,
    kind: ListKind,
    filter: &MessageFilter,
    after: Option<Cursor>,
    direction: Direction,
    limit: usize,
) -> Result<Vec<MessageRow>> {
    let search = filter.text.as_deref().and_then(Search::of);
    let q = Page {
        kind,
        filter,
        after,
        direction,
        limit,
    };
    let Some((search, expr)) = search
        .as_ref()
        .and_then(|s| s.fts_expression().map(|e| (s, e)))
    else {
        return q.read(conn, search.as_ref(), TextBy::Nothing);
    };
    if hits_up_to(conn, &expr, SPARSE_HITS)? < SPARSE_HITS {
        return q.read(conn, Some(search), TextBy::Hits);
    }
    let rows = q.read(conn, Some(search), TextBy::Rows)?;
    if rows.len() >= limit || q.walkable(conn)? < WALK_ROWS {
        return Ok(rows);
    }
    q.read(conn, Some(search), TextBy::Hits)
}

/// One page asked for.
struct Page<'a> {
    kind: ListKind,
    filter: &'a MessageFilter,
    after: Option<Cursor>,
    direction: Direction,
    limit: usize,
}

impl Page<'_> {
    /// The order of the page (`ASC` / `DESC`) and the cursor's condition.
    fn keyset(&self, args: &mut Vec<Value>) -> (&'static str, Option<String>) {
        let col = self.kind.sort_column();
        // Going forward in a descending list means smaller keys.
        let forward_is_smaller = self.kind.descending();
        let smaller = match self.direction {
            Direction::Forward => forward_is_smaller,
            Direction::Backward => !forward_is_smaller,
        };
        let clause = self.after.map(|c| {
            args.push(Value::Integer(c.at));
            args.push(Value::Integer(c.id));
            let op = if smaller { "<" } else { ">" };
            format!("({col}, m.id) {op} (?{}, ?{})", args.len() - 1, args.len())
        });
        (if smaller { "DESC" } else { "ASC" }, clause)
    }

    /// How many rows of the list (its words aside) lie past the cursor, up to [`WALK_ROWS`].
    fn walkable(&self, conn: &Connection) -> Result<i64> {
        let mut args = Vec::new();
        let mut clauses = list_clauses(self.kind, self.filter, true, &mut args);
        let (order, cursor) = self.keyset(&mut args);
        clauses.extend(cursor);
        args.push(Value::Integer(WALK_ROWS));
        let col = self.kind.sort_column();
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM messages m WHERE {} ORDER BY {col} {order}, m.id {order} LIMIT ?{})",
            clauses.join(" AND "),
            args.len()
        );
        Ok(conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args), |r| r.get(0))?)
    }

    fn read(
        &self,
        conn: &Connection,
        search: Option<&Search>,
        by: TextBy,
    ) -> Result<Vec<MessageRow>> {
        let col = self.kind.sort_column();
        let mut args = Vec::new();
        // Without an indexed word, the short ones are plain conditions of the list.
        let by = match search {
            Some(s) if !s.indexed.is_empty() => by,
            _ => TextBy::Nothing,
        };
        let sql = match (by, search) {
            (TextBy::Hits, Some(search)) => {
                args.push(Value::Text(search.fts_expression().unwrap_or_default()));
                let mut clauses = list_clauses(self.kind, self.filter, false, &mut args);
                let (order, cursor) = self.keyset(&mut args);
                clauses.extend(cursor);
                clauses.extend(text_clauses(search, by, &mut args));
                args.push(Value::Integer(self.limit as i64));
                // The hits first (CROSS JOIN keeps them the outer loop: one rowid lookup
                // each), sorted on the sort key alone; the page's rows read last.
                let ids = format!(
                    "SELECT m.id FROM (SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ?1) hits
                        CROSS JOIN messages m ON m.id = hits.id
                     WHERE {} ORDER BY {col} {order}, m.id {order} LIMIT ?{}",
                    clauses.join(" AND "),
                    args.len()
                );
                format!(
                    "SELECT {ROW_COLUMNS} FROM ({ids}) p CROSS JOIN messages m ON m.id = p.id
                        LEFT JOIN collaborators c ON c.id = m.collaborator_id
                     ORDER BY {col} {order}, m.id {order}"
                )
            }
            (TextBy::Rows, Some(search)) => {
                let mut clauses = list_clauses(self.kind, self.filter, true, &mut args);
                let (order, cursor) = self.keyset(&mut args);
                clauses.extend(cursor);
                let checks = text_clauses(search, by, &mut args);
                args.push(Value::Integer(WALK_ROWS));
                let walk = args.len();
                args.push(Value::Integer(self.limit as i64));
                // The list in its order, WALK_ROWS rows at most, each checked on the way.
                let ids = format!(
                    "SELECT w.id FROM (SELECT m.id, {col} AS at, ({}) AS ok FROM messages m
                        WHERE {} ORDER BY {col} {order}, m.id {order} LIMIT ?{walk}) w
                     WHERE w.ok ORDER BY w.at {order}, w.id {order} LIMIT ?{}",
                    checks.join(" AND "),
                    clauses.join(" AND "),
                    args.len()
                );
                format!(
                    "SELECT {ROW_COLUMNS} FROM ({ids}) p CROSS JOIN messages m ON m.id = p.id
                        LEFT JOIN collaborators c ON c.id = m.collaborator_id
                     ORDER BY {col} {order}, m.id {order}"
                )
            }
            _ => {
                let mut clauses = list_clauses(self.kind, self.filter, false, &mut args);
                let (order, cursor) = self.keyset(&mut args);
                clauses.extend(cursor);
                if let Some(search) = search {
                    clauses.extend(text_clauses(search, TextBy::Nothing, &mut args));
                }
                args.push(Value::Integer(self.limit as i64));
                format!(
                    "SELECT {ROW_COLUMNS} FROM messages m LEFT JOIN collaborators c ON c.id = m.collaborator_id
                     WHERE {} ORDER BY {col} {order}, m.id {order} LIMIT ?{}",
                    clauses.join(" AND "),
                    args.len()
                )
            }
        };
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows: Vec<MessageRow> = stmt
            .query_map(params_from_iter(args), row)?
            .collect::<rusqlite::Result<_>>()?;
        if self.direction == Direction::Backward {
            rows.reverse();
        }
        Ok(rows)
    }
}

/// Number of rows a filter matches (for the list header; may scan, run it off the UI thread).
pub fn count(conn: &Connection, kind: ListKind, filter: &MessageFilter) -> Result<i64> {
    let search = filter.text.as_deref().and_then(Search::of);
    let mut args = Vec::new();
    let mut clauses = list_clauses(kind, filter, false, &mut args);
    if let Some(search) = &search {
        clauses.extend(text_clauses(search, TextBy::InHits, &mut args));
    }
    let sql = format!(
        "SELECT count(*) FROM messages m WHERE {}",
        clauses.join(" AND ")
    );
    Ok(conn.query_row(&sql, params_from_iter(args), |r| r.get(0))?)
}

pub fn get(conn: &Connection, id: i64) -> Result<MessageRow> {
    conn.query_row(
        &format!("SELECT {ROW_COLUMNS} FROM messages m LEFT JOIN collaborators c ON c.id = m.collaborator_id WHERE m.id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(StoreError::NotFound { what: "message", id })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub status: String,
    pub at: i64,
    pub actor: String,
    pub detail: String,
}

pub fn history(conn: &Connection, id: i64) -> Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, at, actor, detail FROM message_status_history WHERE message_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(HistoryEntry {
            status: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            detail: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use chrono::TimeZone;

    fn queue(conn: &Connection, name: &str, phone: &str, text: &str, minute: u32) -> i64 {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, minute, 0).unwrap();
        insert(
            conn,
            &NewMessage {
                kind: MessageKind::Instant,
                context: "individual".into(),
                participant_id: None,
                event_id: None,
                batch_id: None,
                template_id: None,
                automation_id: None,
                collaborator_id: None,
                phone: phone.into(),
                recipient_name: name.into(),
                text: text.into(),
                manual_edit: false,
                encoding: "UCS-2".into(),
                chars: 1,
                segments: 1,
                sender: String::new(),
                expects_reply: false,
                campaign: false,
                created_by: "admin".into(),
                created_at: at,
                planned_at: at,
                deadline: at + chrono::Duration::days(1),
            },
        )
        .unwrap()
    }

    /// Every id of the list read two at a time with `by`, forward then backward.
    fn read_all(conn: &Connection, kind: ListKind, f: &MessageFilter, by: TextBy) -> Vec<i64> {
        let search = f.text.as_deref().and_then(Search::of);
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let q = Page {
                kind,
                filter: f,
                after,
                direction: Direction::Forward,
                limit: 2,
            };
            let rows = q.read(conn, search.as_ref(), by).unwrap();
            out.extend(rows.iter().map(|r| r.id));
            match rows.last() {
                Some(r) if rows.len() == 2 => after = Some(kind.cursor_of(r)),
                _ => break,
            }
        }
        // Back from the end, the same rows.
        if let Some(last) = out.last() {
            let row = get(conn, *last).unwrap();
            let q = Page {
                kind,
                filter: f,
                after: Some(kind.cursor_of(&row)),
                direction: Direction::Backward,
                limit: 100,
            };
            let back: Vec<i64> = q
                .read(conn, search.as_ref(), by)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(back, out[..out.len() - 1], "backward, {by:?}");
        }
        out
    }

    #[test]
    fn the_index_and_the_row_by_row_check_find_the_same_messages_in_the_same_order() {
        let store = Store::open_defaults().unwrap();
        let c = store.conn();
        let people = [
            (
                "Hélène Le Floch",
                "+33612345678",
                "Bonjour, RDV atelier CV à 14h.",
            ),
            (
                "HELENE MARTIN",
                "+33698765432",
                "Réunion d'information, 100 % gratuite.",
            ),
            (
                "Marc Martin",
                "+33611111111",
                "Rappel : entretien diagnostic.",
            ),
            (
                "",
                "+33700000001",
                "Bonjour ! Œuvre, élève, Ça va ? 06 12 34 56 78",
            ),
            ("Zoé Riou", "+33612349999", "rdv atelier numérique."),
        ];
        for round in 0..3u32 {
            for (i, (name, phone, text)) in people.iter().enumerate() {
                // Same times for some rows: the id breaks ties.
                queue(c, name, phone, text, round * 5 + (i as u32 % 3));
            }
        }
        // Some sent, some cancelled: both lists hold rows.
        for id in [1, 4, 7, 8, 12] {
            let at = Utc.with_ymd_and_hms(2026, 3, 2, 10, id as u32, 0).unwrap();
            transition(c, id, MessageStatus::Sending, at, "t", "").unwrap();
            transition(c, id, MessageStatus::Submitted, at, "t", "").unwrap();
        }
        transition(c, 2, MessageStatus::Cancelled, Utc::now(), "t", "").unwrap();
        let searches = [
            "helene",
            "HÉLÈNE",
            "martin",
            "bonjour",
            "atelier rdv",
            "\"rdv atelier\"",
            "réunion",
            "œuvre",
            "ELEVE",
            "ça va",
            "\"ÇA VA\"",
            "06 12 34",
            "0612345678",
            "+33 6 12",
            "cv atelier",
            "%",
            "zwxq",
        ];
        for kind in [ListKind::Sent, ListKind::Upcoming] {
            for text in searches {
                for statuses in [vec![], vec![MessageStatus::Submitted]] {
                    let f = MessageFilter {
                        text: Some(text.into()),
                        statuses,
                        ..Default::default()
                    };
                    let hits = read_all(c, kind, &f, TextBy::Hits);
                    let rows = read_all(c, kind, &f, TextBy::Rows);
                    assert_eq!(hits, rows, "{kind:?} {text:?} {:?}", f.statuses);
                    assert_eq!(count(c, kind, &f).unwrap(), hits.len() as i64);
                    let whole = page(c, kind, &f, None, Direction::Forward, 100).unwrap();
                    let whole: Vec<i64> = whole.iter().map(|r| r.id).collect();
                    assert_eq!(whole, hits, "{kind:?} {text:?}");
                }
            }
        }
        // The searches do find something: the comparison is not between two empty lists.
        let f = |t: &str| MessageFilter {
            text: Some(t.into()),
            ..Default::default()
        };
        assert_eq!(
            read_all(c, ListKind::Upcoming, &f("\"ÇA VA\""), TextBy::Rows).len(),
            2
        );
        assert_eq!(
            read_all(c, ListKind::Sent, &f("helene"), TextBy::Rows).len(),
            4
        );
        assert_eq!(
            read_all(c, ListKind::Upcoming, &f("0612345678"), TextBy::Rows).len(),
            2
        );
    }
}
