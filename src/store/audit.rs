//! The audit log: who did what and when. Append-only.

use super::codes::read_in_order;
use super::{Result, ts};
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::params;

/// Who acts and when: the actor's login and the moment travel together into every audit row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp<'a> {
    pub by: &'a str,
    pub at: DateTime<Utc>,
}

/// Every action the audit log records. Its code and its object's type are stored as text
/// (`audit_log.action`, `audit_log.object_type`) that existing stores and readers rely on:
/// they never change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    SshRefused,
    ImpersonationRefused,
    SettingsSet,
    UserBootstrap,
    UserAdd,
    UserSet,
    UserKeyAdd,
    UserKeyRemove,
    UserLanguage,
    CreditAdd,
    ListCreate,
    ListAdd,
    ListRemove,
    ListRename,
    ListDelete,
    TemplateCreate,
    TemplateUpdate,
    TemplateActivate,
    TemplateDeactivate,
    TemplateDelete,
    ParticipantCreate,
    ParticipantUpdate,
    ParticipantArchive,
    ParticipantUnarchive,
    ParticipantsImport,
    EventCreate,
    EventUpdate,
    EventCancel,
    EventsImport,
    AutomationCreate,
    AutomationUpdate,
    AutomationActivate,
    AutomationDeactivate,
    AutomationDelete,
    AutomationRun,
    ReminderSchedule,
    ReminderEditText,
    ReminderEditTime,
    ReminderReplan,
    ReminderAutomation,
    ReminderCancel,
    ReminderSwitchOff,
    MessageCreate,
    MessageCancel,
    MessageSettleUnknown,
    MessageEditTime,
    MessageEditText,
    BatchQueue,
    FreeQueue,
    OptoutOperator,
    OptoutReply,
    ReplyMatched,
    ReplyResolve,
    /// Written by the 10⁶ generator.
    DemoHistory,
}

impl AuditAction {
    /// The code stored in `audit_log.action`.
    pub fn code(self) -> &'static str {
        use AuditAction::*;
        match self {
            SshRefused => "ssh.refused",
            ImpersonationRefused => "user.impersonation_refused",
            SettingsSet => "settings.set",
            UserBootstrap => "user.bootstrap",
            UserAdd => "user.add",
            UserSet => "user.set",
            UserKeyAdd => "user.key.add",
            UserKeyRemove => "user.key.remove",
            UserLanguage => "user.language",
            CreditAdd => "credit.add",
            ListCreate => "list.create",
            ListAdd => "list.add",
            ListRemove => "list.remove",
            ListRename => "list.rename",
            ListDelete => "list.delete",
            TemplateCreate => "template.create",
            TemplateUpdate => "template.update",
            TemplateActivate => "template.activate",
            TemplateDeactivate => "template.deactivate",
            TemplateDelete => "template.delete",
            ParticipantCreate => "participant.create",
            ParticipantUpdate => "participant.update",
            ParticipantArchive => "participant.archive",
            ParticipantUnarchive => "participant.unarchive",
            ParticipantsImport => "participants.import",
            EventCreate => "event.create",
            EventUpdate => "event.update",
            EventCancel => "event.cancel",
            EventsImport => "events.import",
            AutomationCreate => "automation.create",
            AutomationUpdate => "automation.update",
            AutomationActivate => "automation.activate",
            AutomationDeactivate => "automation.deactivate",
            AutomationDelete => "automation.delete",
            AutomationRun => "automation.run",
            ReminderSchedule => "reminder.schedule",
            ReminderEditText => "reminder.edit_text",
            ReminderEditTime => "reminder.edit_time",
            ReminderReplan => "reminder.replan",
            ReminderAutomation => "reminder.automation",
            ReminderCancel => "reminder.cancel",
            ReminderSwitchOff => "reminder.switch_off",
            MessageCreate => "message.create",
            MessageCancel => "message.cancel",
            MessageSettleUnknown => "message.settle_unknown",
            MessageEditTime => "message.edit_time",
            MessageEditText => "message.edit_text",
            BatchQueue => "batch.queue",
            FreeQueue => "free.queue",
            OptoutOperator => "optout.operator",
            OptoutReply => "optout.reply",
            ReplyMatched => "reply.matched",
            ReplyResolve => "reply.resolve",
            DemoHistory => "demo.history",
        }
    }

    /// The type of object the action is about, stored in `audit_log.object_type`.
    pub fn object_type(self) -> &'static str {
        use AuditAction::*;
        match self {
            SshRefused | ImpersonationRefused | UserBootstrap | UserAdd | UserSet | UserKeyAdd
            | UserKeyRemove | UserLanguage => "operator",
            SettingsSet => "setting",
            CreditAdd => "pack",
            ListCreate | ListAdd | ListRemove | ListRename | ListDelete => "saved_list",
            TemplateCreate | TemplateUpdate | TemplateActivate | TemplateDeactivate
            | TemplateDelete => "template",
            ParticipantCreate | ParticipantUpdate | ParticipantArchive | ParticipantUnarchive => {
                "participant"
            }
            ParticipantsImport | EventsImport => "file",
            EventCreate | EventUpdate | EventCancel | ReminderSwitchOff => "event",
            AutomationCreate | AutomationUpdate | AutomationActivate | AutomationDeactivate
            | AutomationDelete | AutomationRun => "automation",
            ReminderSchedule | ReminderEditText | ReminderEditTime | ReminderReplan
            | ReminderAutomation | ReminderCancel | MessageCreate | MessageCancel
            | MessageSettleUnknown | MessageEditTime | MessageEditText | ReplyMatched => "message",
            BatchQueue | FreeQueue => "batch",
            OptoutOperator | OptoutReply => "phone",
            ReplyResolve => "reply",
            DemoHistory => "messages",
        }
    }
}

/// Records one action on the object `object_id` (empty when it has none). Called inside the
/// transaction that performs the action, so an action and its audit row land together or not
/// at all.
pub fn record<'c>(
    conn: impl Into<Db<'c>>,
    stamp: Stamp<'_>,
    action: AuditAction,
    object_id: impl std::fmt::Display,
    detail: &str,
) -> Result<()> {
    let conn: Db<'c> = conn.into();
    conn.execute(
        "INSERT INTO audit_log(at, actor, action, object_type, object_id, detail) VALUES (?1,?2,?3,?4,?5,?6)",
        params![
            ts(stamp.at),
            stamp.by,
            action.code(),
            action.object_type(),
            object_id.to_string(),
            detail
        ],
    )?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub detail: String,
}

/// The latest entries, newest first, before the keyset `before_id` when given.
pub fn page(conn: Db<'_>, before_id: Option<i64>, limit: usize) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, action, object_type, object_id, detail FROM audit_log
         WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![before_id.unwrap_or(i64::MAX), limit as i64], |r| {
        Ok(read_in_order!(
            r,
            AuditEntry {
                id,
                at,
                actor,
                action,
                object_type,
                object_id,
                detail
            }
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::AuditAction::{self, *};

    /// The text each action has always been stored as: a change here breaks the reading of
    /// existing stores.
    const STORED: [(AuditAction, &str, &str); 54] = [
        (SshRefused, "ssh.refused", "operator"),
        (
            ImpersonationRefused,
            "user.impersonation_refused",
            "operator",
        ),
        (SettingsSet, "settings.set", "setting"),
        (UserBootstrap, "user.bootstrap", "operator"),
        (UserAdd, "user.add", "operator"),
        (UserSet, "user.set", "operator"),
        (UserKeyAdd, "user.key.add", "operator"),
        (UserKeyRemove, "user.key.remove", "operator"),
        (UserLanguage, "user.language", "operator"),
        (CreditAdd, "credit.add", "pack"),
        (ListCreate, "list.create", "saved_list"),
        (ListAdd, "list.add", "saved_list"),
        (ListRemove, "list.remove", "saved_list"),
        (ListRename, "list.rename", "saved_list"),
        (ListDelete, "list.delete", "saved_list"),
        (TemplateCreate, "template.create", "template"),
        (TemplateUpdate, "template.update", "template"),
        (TemplateActivate, "template.activate", "template"),
        (TemplateDeactivate, "template.deactivate", "template"),
        (TemplateDelete, "template.delete", "template"),
        (ParticipantCreate, "participant.create", "participant"),
        (ParticipantUpdate, "participant.update", "participant"),
        (ParticipantArchive, "participant.archive", "participant"),
        (ParticipantUnarchive, "participant.unarchive", "participant"),
        (ParticipantsImport, "participants.import", "file"),
        (EventCreate, "event.create", "event"),
        (EventUpdate, "event.update", "event"),
        (EventCancel, "event.cancel", "event"),
        (EventsImport, "events.import", "file"),
        (AutomationCreate, "automation.create", "automation"),
        (AutomationUpdate, "automation.update", "automation"),
        (AutomationActivate, "automation.activate", "automation"),
        (AutomationDeactivate, "automation.deactivate", "automation"),
        (AutomationDelete, "automation.delete", "automation"),
        (AutomationRun, "automation.run", "automation"),
        (ReminderSchedule, "reminder.schedule", "message"),
        (ReminderEditText, "reminder.edit_text", "message"),
        (ReminderEditTime, "reminder.edit_time", "message"),
        (ReminderReplan, "reminder.replan", "message"),
        (ReminderAutomation, "reminder.automation", "message"),
        (ReminderCancel, "reminder.cancel", "message"),
        (ReminderSwitchOff, "reminder.switch_off", "event"),
        (MessageCreate, "message.create", "message"),
        (MessageCancel, "message.cancel", "message"),
        (MessageSettleUnknown, "message.settle_unknown", "message"),
        (MessageEditTime, "message.edit_time", "message"),
        (MessageEditText, "message.edit_text", "message"),
        (BatchQueue, "batch.queue", "batch"),
        (FreeQueue, "free.queue", "batch"),
        (OptoutOperator, "optout.operator", "phone"),
        (OptoutReply, "optout.reply", "phone"),
        (ReplyMatched, "reply.matched", "message"),
        (ReplyResolve, "reply.resolve", "reply"),
        (DemoHistory, "demo.history", "messages"),
    ];

    #[test]
    fn every_action_keeps_the_text_it_was_stored_as() {
        for (action, code, object_type) in STORED {
            assert_eq!(
                (action.code(), action.object_type()),
                (code, object_type),
                "{action:?}"
            );
        }
        let mut codes: Vec<&str> = STORED.iter().map(|(_, code, _)| *code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), STORED.len(), "two actions share a code");
    }
}
