//! Templates and their reply keywords.

use super::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TemplateRow {
    pub id: i64,
    pub name: String,
    pub context: String,
    pub body: String,
    pub active: bool,
    pub locked: bool,
    pub reply_expected: bool,
    /// Messages created from it.
    pub used: i64,
    /// Automations pointing at it.
    pub automations: i64,
}

const COLUMNS: &str = "t.id, t.name, t.context, t.body, t.active, t.locked, t.reply_expected,
    (SELECT count(*) FROM messages m WHERE m.template_id = t.id),
    (SELECT count(*) FROM automations a WHERE a.template_id = t.id)";

fn row(r: &rusqlite::Row) -> rusqlite::Result<TemplateRow> {
    Ok(TemplateRow {
        id: r.get(0)?,
        name: r.get(1)?,
        context: r.get(2)?,
        body: r.get(3)?,
        active: r.get(4)?,
        locked: r.get(5)?,
        reply_expected: r.get(6)?,
        used: r.get(7)?,
        automations: r.get(8)?,
    })
}

pub fn list(conn: &Connection) -> Result<Vec<TemplateRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM templates t ORDER BY t.context, t.name"
    ))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<TemplateRow> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM templates t WHERE t.id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(StoreError::NotFound {
        what: "template",
        id,
    })
}

/// Keyword → outcome pairs of a reply template, keywords normalised.
pub fn keywords(conn: &Connection, template_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT keyword, outcome FROM template_keywords WHERE template_id = ?1 ORDER BY keyword",
    )?;
    let rows = stmt.query_map([template_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
