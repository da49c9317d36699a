//! `templates` and `automations`: what the administrator configured, for scripts and checks.

use super::{CliResult, Env, print_json};
use crate::store::{automations, templates};
use serde_json::json;

pub fn templates(env: &Env) -> CliResult {
    let (store, _) = env.open()?;
    let list = templates::list(store.db())?;
    if env.json {
        let mut out = Vec::new();
        for t in &list {
            let keywords: Vec<_> = templates::keywords(store.db(), t.id)?
                .into_iter()
                .map(|(k, o)| json!({"keyword": k, "outcome": o}))
                .collect();
            let mut v = serde_json::to_value(t).unwrap_or_default();
            v["keywords"] = json!(keywords);
            out.push(v);
        }
        print_json(&json!(out));
    } else {
        for t in &list {
            println!(
                "#{:<4} {:<30} {:<12} {:<8} {:<15} used {}",
                t.id,
                crate::text::sanitize(&t.name),
                t.context,
                if t.active { "active" } else { "inactive" },
                if t.reply_expected {
                    "reply expected"
                } else {
                    ""
                },
                t.used
            );
        }
    }
    Ok(())
}

pub fn automations(dry_run: Option<u32>, env: &Env) -> CliResult {
    let (store, _) = env.open()?;
    if let Some(days) = dry_run {
        let planned = crate::core::automations::dry_run(&store, days, env.clock.now())?;
        let rows: Vec<_> = planned
            .iter()
            .map(|p| {
                json!({
                    "event_id": p.event_id,
                    "participant": p.participant_name,
                    "rule": p.rule,
                    "rule_active": p.rule_active,
                    "delay": p.delay,
                    "planned_local": p.planned_local.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
                    "text": p.text,
                    "kind": p.kind.as_str(),
                    // Why the rule would create nothing, or why its pending follow-up would
                    // not leave (`skips`: that message).
                    "reason": p.error.as_ref().map(|e| e.to_string()),
                    "reason_code": p
                        .error
                        .as_ref()
                        .and_then(|e| serde_json::to_value(e).ok())
                        .and_then(|v| v.get("code").cloned()),
                    "skips": p.skips,
                })
            })
            .collect();
        if env.json {
            print_json(&json!(rows));
        } else {
            for p in &planned {
                let why = p
                    .error
                    .as_ref()
                    .map(|e| {
                        let e = e.to_string();
                        match p.skips {
                            Some(id) => format!("  skips #{id}: {}", crate::text::sanitize(&e)),
                            None => format!("  not created: {}", crate::text::sanitize(&e)),
                        }
                    })
                    .unwrap_or_default();
                println!(
                    "{} {:<6} {:<24} {}{why}",
                    p.planned_local
                        .map(crate::i18n::dates::day_time)
                        .unwrap_or_else(|| "—".into()),
                    p.delay,
                    crate::text::sanitize(&p.participant_name),
                    crate::text::sanitize(&p.rule)
                );
            }
        }
        return Ok(());
    }
    let list = automations::list(store.db())?;
    if env.json {
        print_json(&serde_json::to_value(&list).unwrap_or_default());
    } else {
        for a in &list {
            println!(
                "#{:<4} {:<28} {:<12} {:<5} {}{}",
                a.id,
                crate::text::sanitize(&a.name),
                a.event_kind,
                a.delay_label(),
                crate::text::sanitize(&a.template_name),
                if a.is_broken() {
                    " (broken: template inactive)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}

/// Saved lists with their member counts; with `members`, that list's participants.
pub fn saved_lists(members: Option<i64>, env: &Env) -> CliResult {
    let (store, _) = env.open()?;
    let conn = store.db();
    if let Some(id) = members {
        crate::store::lists::get(conn, id)?;
        let people = crate::store::participants::list_members(conn, id)?;
        if env.json {
            print_json(&json!(people));
        } else {
            for p in &people {
                println!(
                    "#{:<6} {:<40} {}",
                    p.id,
                    crate::text::sanitize(&p.full_name()),
                    p.mobile.as_deref().unwrap_or("no mobile")
                );
            }
        }
        return Ok(());
    }
    let lists = crate::store::participants::saved_lists(conn)?;
    if env.json {
        print_json(&json!(lists));
    } else {
        for l in &lists {
            println!(
                "#{:<4} {:<40} {:>7} member(s)  by {}",
                l.id,
                crate::text::sanitize(&l.name),
                l.members,
                crate::text::sanitize(&l.created_by)
            );
        }
    }
    Ok(())
}
