//! Automations: rules that create reminders for matching events.

use super::codes::code;
use super::{Record, Result, StoreProblem};
use crate::core::refusal::Context;
use crate::sms::status::EventKind;
use crate::store::Db;
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::Serialize;

/// A stored rule: its definition (read through, `row.offset_days`), and what the store knows
/// of its templates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AutomationRow {
    pub id: i64,
    #[serde(flatten)]
    pub rule: AutomationRule,
    pub template_name: String,
    pub template_active: bool,
    /// The name of the condition's template (`no_reply`), empty otherwise.
    pub condition_template: String,
}

impl std::ops::Deref for AutomationRow {
    type Target = AutomationRule;
    fn deref(&self) -> &AutomationRule {
        &self.rule
    }
}

/// When a follow-up rule sends, checked when it would create its message and again when the
/// message is due to leave. Stored as `condition_kind` and `condition_template_id`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// Always.
    #[default]
    None,
    /// Only when no reply came to a message of this template for the event.
    NoReply { template_id: i64 },
    /// Only when the event has no outcome yet (set by a reply, a review or by hand).
    NoOutcome,
}

impl Condition {
    /// The stored columns: kind code, template.
    fn columns(self) -> (&'static str, Option<i64>) {
        match self {
            Condition::None => ("none", None),
            Condition::NoReply { template_id } => ("no_reply", Some(template_id)),
            Condition::NoOutcome => ("no_outcome", None),
        }
    }

    /// Reads the stored columns back; an unknown kind (or a `no_reply` without its template)
    /// is no condition.
    fn from_columns(kind: &str, template: Option<i64>) -> Condition {
        match (kind, template) {
            ("no_reply", Some(template_id)) => Condition::NoReply { template_id },
            ("no_outcome", _) => Condition::NoOutcome,
            _ => Condition::None,
        }
    }
}

/// What a rule's condition looks at, for one event: whether a message of the condition's
/// template for the event was answered, and the event's outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConditionFacts {
    pub replied: bool,
    pub outcome: String,
}

/// The facts [`Condition`] `condition` looks at for event `event_id` (found through the
/// event's messages index; nothing read for no condition).
pub fn condition_facts(
    conn: Db<'_>,
    event_id: i64,
    condition: Condition,
) -> Result<ConditionFacts> {
    let mut facts = ConditionFacts::default();
    match condition {
        Condition::None => {}
        Condition::NoReply { template_id } => {
            facts.replied = conn
                .prepare_cached(
                    "SELECT EXISTS(SELECT 1 FROM messages WHERE event_id = ?1 AND template_id = ?2
                        AND reply_id IS NOT NULL)",
                )?
                .query_row([event_id, template_id], |r| r.get(0))?;
        }
        Condition::NoOutcome => {
            use rusqlite::OptionalExtension;
            facts.outcome = conn
                .prepare_cached("SELECT outcome FROM events WHERE id = ?1")?
                .query_row([event_id], |r| r.get(0))
                .optional()?
                .unwrap_or_default();
        }
    }
    Ok(facts)
}

/// A rule's pending message as the dry run lists it: id, event, planned at (Unix seconds),
/// text, segments.
pub type PendingOfRule = (i64, i64, i64, String, i64);

/// The rule's pending messages of an event planned before `until` (Unix seconds), by planned
/// time: what the dry run checks against the rule's condition. Found through the rule's index.
pub fn pending_planned_before(conn: Db<'_>, id: i64, until: i64) -> Result<Vec<PendingOfRule>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, event_id, planned_at, text, segments FROM messages
         WHERE automation_id = ?1 AND status = 'pending' AND event_id IS NOT NULL AND planned_at < ?2
         ORDER BY planned_at, id",
    )?;
    let rows = stmt.query_map([id, until], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl AutomationRow {
    /// A rule whose template is inactive creates nothing: shown as broken.
    pub fn is_broken(&self) -> bool {
        !self.template_active
    }

    /// `D-2`, `D+3`.
    pub fn delay_label(&self) -> String {
        if self.offset_days < 0 {
            format!("D{}", self.offset_days)
        } else {
            format!("D+{}", self.offset_days)
        }
    }
}

const SELECT: &str = "SELECT a.id, a.name, a.event_kind, a.collaborators, a.event_types, a.offset_days, a.template_id,
        t.name, t.active, a.active, a.condition_kind, a.condition_template_id, COALESCE(ct.name, '')
     FROM automations a JOIN templates t ON t.id = a.template_id
        LEFT JOIN templates ct ON ct.id = a.condition_template_id";

fn row(r: &rusqlite::Row) -> rusqlite::Result<AutomationRow> {
    let collaborators: String = r.get(3)?;
    let types: String = r.get(4)?;
    Ok(AutomationRow {
        id: r.get(0)?,
        rule: AutomationRule {
            name: r.get(1)?,
            event_kind: code(r, 2)?,
            collaborators: serde_json::from_str(&collaborators).unwrap_or_default(),
            event_types: serde_json::from_str(&types).unwrap_or_default(),
            offset_days: r.get(5)?,
            template_id: r.get(6)?,
            active: r.get(9)?,
            condition: Condition::from_columns(&r.get::<_, String>(10)?, r.get(11)?),
        },
        template_name: r.get(7)?,
        template_active: r.get(8)?,
        condition_template: r.get(12)?,
    })
}

/// Every rule not deleted.
pub fn list(conn: Db<'_>) -> Result<Vec<AutomationRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE a.deleted_at IS NULL ORDER BY a.event_kind, a.offset_days, a.id"
    ))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Inserts (automations screen, demo store)

/// A rule's definition, as the administrator writes it: for events of `event_kind` (and, when
/// non-empty, of these collaborators and types), a message from `template_id` `offset_days`
/// from the event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AutomationRule {
    pub name: String,
    pub event_kind: EventKind,
    /// Collaborator ids; empty = any collaborator.
    pub collaborators: Vec<i64>,
    /// Event types; empty = any type.
    pub event_types: Vec<String>,
    /// -7 … -1: reminder N days before; 1 … 30: follow-up N days after.
    pub offset_days: i64,
    pub template_id: i64,
    pub active: bool,
    /// Follow-up rules only: send only when no reply came to a template's message for the
    /// event, or only when the event has no outcome.
    pub condition: Condition,
}

/// A rule to write, with who writes it and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAutomation {
    pub rule: AutomationRule,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Creates an automation; returns its id. Refuses a delay outside D-7 … D+30 (or D0), an
/// unknown kind, a missing template, or a template written for another context (its merge
/// fields would not fit the event).
pub fn insert_automation<'c>(conn: impl Into<Db<'c>>, a: &NewAutomation) -> Result<i64> {
    let conn: Db<'c> = conn.into();
    validate(conn, &a.rule)?;
    let at = super::ts(a.created_at);
    let after = [Value::from(a.created_by.clone()), Value::from(at)];
    conn.prepare_cached(
        "INSERT INTO automations(name, event_kind, collaborators, event_types, offset_days, template_id, active,
            condition_kind, condition_template_id, created_by, created_at, updated_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?11)",
    )?
    .execute(params_from_iter(a.definition().into_iter().chain(after)))?;
    Ok(conn.last_insert_rowid())
}

impl NewAutomation {
    /// The rule's definition as its columns store it, in the order both writes name them:
    /// name (trimmed), event kind, collaborators and types (JSON), delay, template, active,
    /// condition (kind, template).
    fn definition(&self) -> [Value; 9] {
        let json = |v: Result<String, serde_json::Error>| v.unwrap_or_else(|_| "[]".into());
        let r = &self.rule;
        let (condition, condition_template) = r.condition.columns();
        [
            Value::from(r.name.trim().to_string()),
            Value::from(r.event_kind.as_str().to_string()),
            Value::from(json(serde_json::to_string(&r.collaborators))),
            Value::from(json(serde_json::to_string(&r.event_types))),
            Value::from(r.offset_days),
            Value::from(r.template_id),
            Value::from(super::flag(r.active)),
            Value::from(condition.to_string()),
            Value::from(condition_template),
        ]
    }
}

// ---------------------------------------------------------------------------------------------
// Reads and changes (automations screen, rule engine)

/// One rule with its template's state, a deleted one included (its messages still name it).
pub fn get(conn: Db<'_>, id: i64) -> Result<AutomationRow> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or(super::StoreError::NotFound {
            what: Record::Automation,
            id,
        })
}

/// The active rules for events of `kind`, broken ones included (the caller reports them).
pub fn active_for_kind(conn: Db<'_>, kind: EventKind) -> Result<Vec<AutomationRow>> {
    Ok(list(conn)?
        .into_iter()
        .filter(|a| a.active && a.event_kind == kind)
        .collect())
}

/// Replaces a rule's definition, with the checks of [`insert_automation`].
pub fn update_automation(conn: Db<'_>, id: i64, a: &NewAutomation) -> Result<()> {
    validate(conn, &a.rule)?;
    let columns = std::iter::once(Value::from(id))
        .chain(a.definition())
        .chain([Value::from(super::ts(a.created_at))]);
    conn.change_one(
        Record::Automation,
        id,
        "UPDATE automations SET name = ?2, event_kind = ?3, collaborators = ?4, event_types = ?5, offset_days = ?6,
                template_id = ?7, active = ?8, condition_kind = ?9, condition_template_id = ?10, updated_at = ?11
             WHERE id = ?1 AND deleted_at IS NULL",
        params_from_iter(columns),
    )
}

/// Switches a rule on or off.
pub fn set_active(
    conn: Db<'_>,
    id: i64,
    active: bool,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    conn.change_one(
        Record::Automation,
        id,
        "UPDATE automations SET active = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL",
        rusqlite::params![id, super::flag(active), super::ts(at)],
    )
}

/// Messages created by a rule, in any status.
pub fn messages_created(conn: Db<'_>, id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM messages WHERE automation_id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// The rule's messages not sent yet (what switching it off may cancel), oldest first.
pub fn pending_messages(conn: Db<'_>, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM messages WHERE automation_id = ?1 AND status = 'pending' ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The events of the rule's messages not sent yet (what changing the rule re-plans), in id
/// order; found through the rule's index, not by reading every message.
pub fn pending_events(conn: Db<'_>, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT event_id FROM messages WHERE automation_id = ?1 AND status = 'pending'
            AND event_id IS NOT NULL ORDER BY event_id",
    )?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many of the rule's messages not sent yet an operator edited by hand (text or time):
/// a change of the rule leaves them as they are.
pub fn pending_hand_edited(conn: Db<'_>, id: i64) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM messages WHERE automation_id = ?1 AND status = 'pending' AND manual_edit = 1",
        [id],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or_default())
}

/// Deletes a rule. One that created messages stays in the table, marked deleted and
/// inactive, so those messages keep naming it (the foreign key); it is no longer listed.
pub fn delete_automation(conn: Db<'_>, id: i64, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let n = if messages_created(conn, id)? > 0 {
        conn.execute(
            "UPDATE automations SET deleted_at = ?2, active = 0, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            rusqlite::params![id, super::ts(at)],
        )?
    } else {
        conn.execute("DELETE FROM automations WHERE id = ?1", [id])?
    };
    super::found(n, Record::Automation, id)
}

/// The checks shared by creating and changing a rule: a name, a known kind, a delay within
/// D-7 … D+30 (not D0), an existing template written for that kind, and a condition only on
/// a follow-up rule, naming an existing template that expects a reply.
fn validate(conn: Db<'_>, a: &AutomationRule) -> Result<()> {
    use rusqlite::OptionalExtension;
    let name = a.name.trim();
    if name.is_empty() {
        return Err(StoreProblem::AutomationNameMissing.into());
    }
    if a.offset_days == 0 || !(-7..=30).contains(&a.offset_days) {
        return Err(StoreProblem::AutomationDelay {
            name: name.to_string(),
            days: a.offset_days,
        }
        .into());
    }
    let context: Option<String> = conn
        .query_row(
            "SELECT context FROM templates WHERE id = ?1",
            [a.template_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(context) = context else {
        return Err(super::StoreError::NotFound {
            what: Record::Template,
            id: a.template_id,
        });
    };
    if context != a.event_kind.as_str() {
        return Err(StoreProblem::AutomationContext {
            name: name.to_string(),
            template: a.template_id,
            context: Context(context),
            kind: Context(a.event_kind.as_str().to_string()),
        }
        .into());
    }
    if a.condition != Condition::None && a.offset_days < 0 {
        return Err(StoreProblem::AutomationConditionReminder {
            name: name.to_string(),
        }
        .into());
    }
    if let Condition::NoReply { template_id } = a.condition {
        let expects: Option<bool> = conn
            .query_row(
                "SELECT reply_expected FROM templates WHERE id = ?1",
                [template_id],
                |r| r.get(0),
            )
            .optional()?;
        match expects {
            None => {
                return Err(super::StoreError::NotFound {
                    what: Record::Template,
                    id: template_id,
                });
            }
            Some(false) => {
                return Err(StoreProblem::AutomationConditionNoReply {
                    name: name.to_string(),
                    template: template_id,
                }
                .into());
            }
            Some(true) => {}
        }
    }
    Ok(())
}
