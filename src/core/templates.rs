//! Templates: create, change, switch on or off, delete (administrators only, audited). A
//! template that a message or an automation uses is never deleted — the history must keep
//! saying which text a message came from — it can be deactivated instead.

use super::{Actor, CoreError, CoreResult, Refusal};
use crate::sms::template::TemplateContext;
use crate::store::Db;
use crate::store::audit::AuditAction;
use crate::store::templates::{self as rows, NewTemplate};
use crate::store::{Store, audit};
use chrono::{DateTime, Utc};

/// A template as the editor submits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateInput {
    pub name: String,
    pub context: TemplateContext,
    pub body: String,
    pub active: bool,
    pub locked: bool,
    pub reply_expected: bool,
    /// Reply keyword → event outcome, as typed.
    pub keywords: Vec<(String, String)>,
}

/// Reads the keyword list the editor shows on one line: `OUI=confirmé par SMS; NON=ne
/// viendra pas`. Pairs are separated by `;` (or new lines), keyword and outcome by `=`.
pub fn parse_keywords(text: &str) -> CoreResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (i, part) in text.split([';', '\n']).enumerate() {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((keyword, outcome)) = part.split_once('=') else {
            return Err(Refusal::KeywordSyntax {
                n: i + 1,
                part: part.to_string(),
            }
            .into());
        };
        out.push((keyword.trim().to_string(), outcome.trim().to_string()));
    }
    Ok(out)
}

/// The keyword list written back on one line, for the editor.
pub fn format_keywords(keywords: &[(String, String)]) -> String {
    keywords
        .iter()
        .map(|(k, o)| format!("{k}={o}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn describe(t: &TemplateInput) -> String {
    format!(
        "{} ({}{}{}{})",
        t.name.trim(),
        t.context.as_str(),
        if t.active { "" } else { ", inactive" },
        if t.locked { ", locked" } else { "" },
        if t.reply_expected {
            format!(", reply: {}", format_keywords(&t.keywords))
        } else {
            String::new()
        }
    )
}

/// Creates a template (administrators only, audited); returns its id.
pub fn create_template(
    store: &mut Store,
    actor: &Actor,
    input: &TemplateInput,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    actor.require_admin(super::Action::CreateTemplates)?;
    store.write(|tx: Db<'_>| {
        let id = rows::insert_template(
            tx,
            &NewTemplate {
                name: input.name.clone(),
                context: input.context,
                body: input.body.clone(),
                active: input.active,
                locked: input.locked,
                reply_expected: input.reply_expected,
                keywords: input.keywords.clone(),
                created_by: actor.login.clone(),
                created_at: now,
            },
        )?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::TemplateCreate,
            id,
            &describe(input),
        )?;
        Ok::<_, CoreError>(id)
    })
}

/// Changes a template (administrators only, audited). Messages already created keep their
/// text; reminders not yet sent are not rewritten.
pub fn update_template(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    input: &TemplateInput,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_admin(super::Action::ChangeTemplates)?;
    store.write(|tx| {
        let before = rows::get(tx, id)?;
        let keywords = rows::checked_keywords(
            tx,
            Some(id),
            &input.name,
            &input.body,
            input.context,
            input.reply_expected,
            &input.keywords,
        )?;
        if before.automations > 0 && !input.context.has_event() {
            return Err(Refusal::TemplateContextInUse {
                name: before.name.clone(),
                automations: before.automations,
            }
            .into());
        }
        rows::update(
            tx,
            id,
            input.name.trim(),
            input.context.as_str(),
            &input.body,
            input.active,
            input.locked,
            input.reply_expected,
            now,
        )?;
        rows::replace_keywords(tx, id, &keywords)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::TemplateUpdate,
            id,
            &describe(input),
        )?;
        Ok(())
    })
}

/// Switches a template on or off (administrators only, audited). Automations using an
/// inactive template are shown as broken.
pub fn set_template_active(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    active: bool,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_admin(super::Action::SwitchTemplates)?;
    store.write(|tx| {
        let t = rows::get(tx, id)?;
        rows::set_active(tx, id, active, now)?;
        let action = if active {
            AuditAction::TemplateActivate
        } else {
            AuditAction::TemplateDeactivate
        };
        audit::record(tx, actor.stamp(now), action, id, &t.name)?;
        Ok(())
    })
}

/// Deletes a template no message and no automation uses (administrators only, audited). A
/// used one is refused with the counts, so the history keeps its link.
pub fn delete_template(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    actor.require_admin(super::Action::DeleteTemplates)?;
    store.write(|tx| {
        let t = rows::get(tx, id)?;
        if t.used > 0 || t.automations > 0 {
            return Err(Refusal::TemplateInUse {
                name: t.name.clone(),
                used: t.used,
                automations: t.automations,
            }
            .into());
        }
        rows::delete(tx, id)?;
        audit::record(
            tx,
            actor.stamp(now),
            AuditAction::TemplateDelete,
            id,
            &t.name,
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::operators::Rights;

    fn admin() -> Actor {
        Actor {
            login: "admin".into(),
            rights: Rights::all(),
        }
    }

    fn input(name: &str) -> TemplateInput {
        TemplateInput {
            name: name.into(),
            context: TemplateContext::Interview,
            body: "Bonjour {{participant.first_name}}, RDV le {{event.date}}. OUI/NON".into(),
            active: true,
            locked: false,
            reply_expected: true,
            keywords: parse_keywords("oui = confirmé par SMS; Non=ne viendra pas").unwrap(),
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn keywords_are_read_from_one_line_and_stored_normalised() {
        let (_d, mut s) = store();
        let now = Utc::now();
        let id = create_template(&mut s, &admin(), &input("Confirmation"), now).unwrap();
        let kw = rows::keywords(s.db(), id).unwrap();
        assert_eq!(
            kw,
            vec![
                ("NON".to_string(), "ne viendra pas".to_string()),
                ("OUI".to_string(), "confirmé par SMS".to_string())
            ]
        );
        assert!(parse_keywords("OUI confirmé").is_err());
    }

    #[test]
    fn an_operator_cannot_create_and_updates_keep_names_unique() {
        let (_d, mut s) = store();
        let now = Utc::now();
        let op = Actor {
            login: "op".into(),
            rights: Rights::default(),
        };
        assert!(matches!(
            create_template(&mut s, &op, &input("A"), now),
            Err(CoreError::Forbidden(_))
        ));
        let a = create_template(&mut s, &admin(), &input("A"), now).unwrap();
        create_template(&mut s, &admin(), &input("B"), now).unwrap();
        let mut changed = input("A");
        changed.body = "Rappel {{event.time}}".into();
        update_template(&mut s, &admin(), a, &changed, now).unwrap();
        assert_eq!(rows::get(s.db(), a).unwrap().body, "Rappel {{event.time}}");
        let err = update_template(&mut s, &admin(), a, &input("B"), now).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        let mut bad = input("A");
        bad.body = "Bonjour {{participant.prenom}}".into();
        let err = update_template(&mut s, &admin(), a, &bad, now).unwrap_err();
        assert!(err.to_string().contains("line 1, column 9"), "{err}");
    }

    #[test]
    fn a_used_template_is_not_deleted_an_unused_one_is() {
        let (_d, mut s) = store();
        let now = Utc::now();
        let a = create_template(&mut s, &admin(), &input("A"), now).unwrap();
        s.conn()
            .execute_batch(&format!(
                "INSERT INTO automations(name, event_kind, offset_days, template_id, active, created_by, created_at, updated_at)
                 VALUES ('r', 'interview', -1, {a}, 1, 'admin', 0, 0)"
            ))
            .unwrap();
        let err = delete_template(&mut s, &admin(), a, now).unwrap_err();
        assert!(err.to_string().contains("1 automation(s)"), "{err}");
        assert!(rows::get(s.db(), a).is_ok(), "still there");
        let b = create_template(&mut s, &admin(), &input("B"), now).unwrap();
        delete_template(&mut s, &admin(), b, now).unwrap();
        assert!(rows::get(s.db(), b).is_err());
        let audit: i64 = s
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'template.delete'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audit, 1);
    }
}
