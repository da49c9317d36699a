//! Batches and free sends: one row per send, its messages pointing at it; the history lists
//! them newest first with their messages counted by status.

use super::Result;
use super::codes::code;
use super::page::{NewestFirst, Page};
use crate::sms::status::MessageStatus;
use crate::store::Db;
use rusqlite::{OptionalExtension, params};

/// A batch (`kind = "batch"`) or free send (`"free"`) to record. Times are Unix seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewBatch<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub template_id: Option<i64>,
    /// The text as written (fields not filled in) or the final free text.
    pub text: &'a str,
    pub campaign: bool,
    /// JSON of the interview recorded per recipient (`{}` for free sends).
    pub interview: &'a str,
    /// File or list name the recipients came from.
    pub source: &'a str,
    pub recipients: i64,
    pub planned_at: Option<i64>,
    pub created_by: &'a str,
    pub created_at: i64,
}

/// Records a batch or free send; returns its id.
pub fn insert<'c>(conn: impl Into<Db<'c>>, b: &NewBatch) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    conn.prepare_cached(
        "INSERT INTO batches(kind, name, template_id, text, campaign, interview, source, recipients,
            planned_at, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        b.kind,
        b.name,
        b.template_id,
        b.text,
        b.campaign,
        if b.interview.is_empty() {
            "{}"
        } else {
            b.interview
        },
        b.source,
        b.recipients,
        b.planned_at,
        b.created_by,
        b.created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// `(kind, name)` of a batch or free send, the name being its source (file, list) when it
/// has none — as its history row shows it.
pub fn kind_and_name(conn: Db<'_>, id: i64) -> Result<(String, String)> {
    conn.query_row(
        "SELECT kind, CASE WHEN name = '' THEN source ELSE name END FROM batches WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or(super::StoreError::NotFound {
        what: super::Record::Batch,
        id,
    })
}

/// One batch or free send in the history, with its messages counted by status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchSummary {
    pub id: i64,
    pub created_at: i64,
    pub created_by: String,
    pub name: String,
    pub source: String,
    pub recipients: i64,
    pub planned_at: Option<i64>,
    /// `(status, count)`, most frequent first.
    pub counts: Vec<(MessageStatus, i64)>,
}

/// A keyset page of the history of `kind`, newest first: `Forward` goes to older sends after
/// `cursor` (`(created_at, id)`), `Backward` to newer ones before it (returned newest first).
pub fn history_page(
    conn: Db<'_>,
    kind: &str,
    page: Page<'_, (i64, i64)>,
) -> Result<Vec<BatchSummary>> {
    let NewestFirst { cmp, order, key } = page.newest_first();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, created_at, created_by, name, source, recipients, planned_at FROM batches
         WHERE kind = ?1 AND (created_at, id) {cmp} (?2, ?3)
         ORDER BY created_at {order}, id {order} LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(params![kind, key.0, key.1, page.limit as i64], |r| {
            Ok(BatchSummary {
                id: r.get(0)?,
                created_at: r.get(1)?,
                created_by: r.get(2)?,
                name: r.get(3)?,
                source: r.get(4)?,
                recipients: r.get(5)?,
                planned_at: r.get(6)?,
                counts: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows = page.in_list_order(rows);
    // Counts for this page only, through the per-batch index.
    let mut counts = conn.prepare_cached(
        "SELECT status, count(*) FROM messages WHERE batch_id = ?1 GROUP BY status ORDER BY count(*) DESC, status",
    )?;
    for row in &mut rows {
        row.counts = counts
            .query_map([row.id], |r| Ok((code(r, 0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(rows)
}
