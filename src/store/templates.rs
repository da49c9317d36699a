//! Templates and their reply keywords.

use super::codes::read_in_order;
use super::{Record, Result, StoreError};
use crate::core::refusal::{KeywordProblem, Refusal};
use crate::store::Db;
use rusqlite::OptionalExtension;
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
    Ok(read_in_order!(
        r,
        TemplateRow {
            id,
            name,
            context,
            body,
            active,
            locked,
            reply_expected,
            used,
            automations
        }
    ))
}

pub fn list(conn: Db<'_>) -> Result<Vec<TemplateRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM templates t ORDER BY t.context, t.name"
    ))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: Db<'_>, id: i64) -> Result<TemplateRow> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM templates t WHERE t.id = ?1"),
        [id],
        row,
    )
    .optional()?
    .ok_or(StoreError::NotFound {
        what: Record::Template,
        id,
    })
}

/// Keyword → outcome pairs of a reply template, keywords normalised.
pub fn keywords(conn: Db<'_>, template_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT keyword, outcome FROM template_keywords WHERE template_id = ?1 ORDER BY keyword",
    )?;
    let rows = stmt.query_map([template_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Inserts (template editor, demo store)

/// A template to create. Keywords are given as typed; they are stored normalised (upper case,
/// no accent, no punctuation) so replies are compared the same way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTemplate {
    pub name: String,
    pub context: crate::sms::template::TemplateContext,
    pub body: String,
    pub active: bool,
    pub locked: bool,
    pub reply_expected: bool,
    /// Reply keyword → event outcome, e.g. `("oui", "confirmé par SMS")`.
    pub keywords: Vec<(String, String)>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Creates a template and its keywords (checked by [`checked_keywords`]); returns its id.
pub fn insert_template<'c>(conn: impl Into<Db<'c>>, t: &NewTemplate) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    let name = t.name.trim();
    let keywords = checked_keywords(
        conn,
        None,
        name,
        &t.body,
        t.context,
        t.reply_expected,
        &t.keywords,
    )?;
    let at = super::ts(t.created_at);
    conn.prepare_cached(
        "INSERT INTO templates(name, context, body, active, locked, reply_expected, created_by, created_at, updated_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?8)",
    )?
    .execute(rusqlite::params![
        name,
        t.context.as_str(),
        t.body,
        super::flag(t.active),
        super::flag(t.locked),
        super::flag(t.reply_expected),
        t.created_by,
        at,
    ])?;
    let id = conn.last_insert_rowid();
    let mut add = conn.prepare_cached(
        "INSERT INTO template_keywords(template_id, keyword, outcome) VALUES (?1,?2,?3)",
    )?;
    for (keyword, outcome) in &keywords {
        add.execute(rusqlite::params![id, keyword, outcome])?;
    }
    Ok(id)
}

/// The keywords of a template the store keeps, normalised (upper case, no accent, no
/// punctuation, so replies are compared the same way). Refuses a template without a name, a
/// body whose merge fields do not parse for its context, a name another template than `id`
/// has, keywords on a template that expects no reply, and keywords that are blank, without
/// outcome or collide once normalised. Creating and changing a template both check with it.
pub fn checked_keywords(
    conn: Db<'_>,
    id: Option<i64>,
    name: &str,
    body: &str,
    context: crate::sms::template::TemplateContext,
    reply_expected: bool,
    keywords: &[(String, String)],
) -> Result<Vec<(String, String)>> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::TemplateNameMissing.into());
    }
    if let Err(errors) = crate::sms::template::parse(body, context)
        && let Some(problem) = errors.into_iter().next()
    {
        return Err(Refusal::TemplateProblem {
            name: name.to_string(),
            problem,
        }
        .into());
    }
    let other = id_named(conn, name)?;
    if other.is_some() && other != id {
        return Err(Refusal::TemplateExists {
            name: name.to_string(),
        }
        .into());
    }
    if !reply_expected && !keywords.is_empty() {
        return Err(Refusal::KeywordsNeedReply {
            name: name.to_string(),
        }
        .into());
    }
    let mut checked: Vec<(String, String)> = Vec::with_capacity(keywords.len());
    for (keyword, outcome) in keywords {
        let normalised = crate::sms::sender::normalize_keyword(keyword);
        let refused = |keyword: &str, problem| -> Result<_> {
            Err(Refusal::Keyword {
                name: name.to_string(),
                keyword: keyword.to_string(),
                problem,
            }
            .into())
        };
        if normalised.is_empty() {
            return refused(keyword, KeywordProblem::Empty);
        }
        if outcome.trim().is_empty() {
            return refused(&normalised, KeywordProblem::NoOutcome);
        }
        if checked.iter().any(|(k, _)| *k == normalised) {
            return refused(&normalised, KeywordProblem::Twice);
        }
        checked.push((normalised, outcome.trim().to_string()));
    }
    Ok(checked)
}

/// The template named `name`, if any.
pub fn id_named(conn: Db<'_>, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM templates WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Rewrites a template (its keywords apart: [`replace_keywords`]).
#[allow(clippy::too_many_arguments)]
pub fn update(
    conn: Db<'_>,
    id: i64,
    name: &str,
    context: &str,
    body: &str,
    active: bool,
    locked: bool,
    reply_expected: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE templates SET name = ?2, context = ?3, body = ?4, active = ?5, locked = ?6,
                reply_expected = ?7, updated_at = ?8 WHERE id = ?1",
        rusqlite::params![
            id,
            name,
            context,
            body,
            super::flag(active),
            super::flag(locked),
            super::flag(reply_expected),
            super::ts(now),
        ],
    )?;
    Ok(())
}

/// Replaces a template's reply keywords (keyword → outcome).
pub fn replace_keywords(conn: Db<'_>, id: i64, keywords: &[(String, String)]) -> Result<()> {
    conn.execute("DELETE FROM template_keywords WHERE template_id = ?1", [id])?;
    for (k, o) in keywords {
        conn.execute(
            "INSERT INTO template_keywords(template_id, keyword, outcome) VALUES (?1,?2,?3)",
            rusqlite::params![id, k, o],
        )?;
    }
    Ok(())
}

/// Switches a template on or off.
pub fn set_active(
    conn: Db<'_>,
    id: i64,
    active: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE templates SET active = ?2, updated_at = ?3 WHERE id = ?1",
        rusqlite::params![id, super::flag(active), super::ts(now)],
    )?;
    Ok(())
}

/// Deletes a template and its keywords.
pub fn delete(conn: Db<'_>, id: i64) -> Result<()> {
    conn.execute("DELETE FROM template_keywords WHERE template_id = ?1", [id])?;
    conn.execute("DELETE FROM templates WHERE id = ?1", [id])?;
    Ok(())
}
