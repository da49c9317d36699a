//! Automations: rules that create reminders for matching events.

use super::Result;
use rusqlite::Connection;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AutomationRow {
    pub id: i64,
    pub name: String,
    pub event_kind: String,
    pub collaborators: Vec<i64>,
    pub event_types: Vec<String>,
    /// Negative: days before the event; positive: days after (follow-up).
    pub offset_days: i64,
    pub template_id: i64,
    pub template_name: String,
    pub template_active: bool,
    pub active: bool,
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

pub fn list(conn: &Connection) -> Result<Vec<AutomationRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.name, a.event_kind, a.collaborators, a.event_types, a.offset_days, a.template_id,
                t.name, t.active, a.active
         FROM automations a JOIN templates t ON t.id = a.template_id ORDER BY a.event_kind, a.offset_days, a.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let collaborators: String = r.get(3)?;
        let types: String = r.get(4)?;
        Ok(AutomationRow {
            id: r.get(0)?,
            name: r.get(1)?,
            event_kind: r.get(2)?,
            collaborators: serde_json::from_str(&collaborators).unwrap_or_default(),
            event_types: serde_json::from_str(&types).unwrap_or_default(),
            offset_days: r.get(5)?,
            template_id: r.get(6)?,
            template_name: r.get(7)?,
            template_active: r.get(8)?,
            active: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
