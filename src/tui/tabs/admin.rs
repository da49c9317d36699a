//! The administration tabs, read-only in this version: Settings, Templates, Automations,
//! Users. Their lists are short by nature (tens of rows), so they are read whole.

use super::Act;
use super::{
    Col, Ctx, Outcome, Selection, TabView, body_height, cell, draw_table, info_line, split_info,
    styled,
};
use crate::core::automations::{
    AutomationInput, create_automation, delete_automation, dry_run, set_automation_active,
    update_automation,
};
use crate::i18n::Lang;
use crate::keymap::Context as KeyContext;
use crate::store::Result;
use crate::store::automations::{self, AutomationRow};
use crate::tui::fmt::clean;
use crate::tui::queries::collaborator_names;
use crate::tui::widgets::form::EditHints;
use crate::tui::widgets::form::{Form, FormField, FormKey, draw_question};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::text::Span;
use std::collections::HashMap;

/// The info line of an administration list: title, a note, the row count.
pub(super) fn header_with(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    title_key: &str,
    count: usize,
    note: &str,
) -> Rect {
    let (info, table) = split_info(area);
    let left = vec![
        Span::styled(ctx.tr(title_key).to_string(), ctx.theme.title()),
        Span::styled(format!("  {note}"), ctx.theme.dim()),
    ];
    info_line(frame, info, ctx, left, count.to_string());
    table
}

pub(super) fn replace<T: PartialEq>(slot: &mut Vec<T>, fresh: Vec<T>) -> bool {
    let changed = *slot != fresh;
    *slot = fresh;
    changed
}

/// Automation rules; a rule whose template is inactive is flagged broken. Administrators edit
/// them in a form, switch them on or off, delete them, and see a dry run of the coming week.
#[derive(Default)]
pub struct AutomationsTab {
    rows: Vec<AutomationRow>,
    names: HashMap<i64, String>,
    sel: Selection,
    admin: bool,
    /// The rule being edited (`None` id: a new rule).
    editor: Option<(Option<i64>, Form)>,
    /// A rule waiting for the delete confirmation.
    confirm_delete: Option<(i64, String)>,
    lang: Option<Lang>,
}

/// Days the dry run looks ahead.
const DRY_RUN_DAYS: u32 = 7;

/// `-1`, `D-1`, `J-1` → -1; `+3`, `D+3` → 3.
fn parse_delay(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches(['D', 'd', 'J', 'j']);
    let n: i64 = t.trim_start_matches('+').parse().ok()?;
    ((-7..=30).contains(&n) && n != 0).then_some(n)
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl AutomationsTab {
    fn open(&mut self, act: &mut Act, row: Option<AutomationRow>) -> Result<Outcome> {
        if let Err(e) = act.actor.require_admin("change automations") {
            return Ok(Outcome::Error(e.to_string()));
        }
        let templates = crate::store::templates::list(act.store.conn())?;
        let options: Vec<(String, String)> = templates
            .iter()
            .filter(|t| t.context != "batch" && t.context != "free")
            .map(|t| (t.id.to_string(), clean(&t.name)))
            .collect();
        // A new rule starts on the first active template (an inactive one would be broken).
        let first_template = templates
            .iter()
            .find(|t| t.active && t.context != "batch" && t.context != "free")
            .map(|t| t.id.to_string())
            .or_else(|| options.first().map(|(id, _)| id.clone()))
            .unwrap_or_default();
        let names = |ids: &[i64]| {
            ids.iter()
                .map(|id| {
                    self.names
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| format!("#{id}"))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (id, name, kind, collaborators, types, delay, template, active) = match &row {
            Some(a) => (
                Some(a.id),
                a.name.clone(),
                a.event_kind.clone(),
                names(&a.collaborators),
                a.event_types.join(", "),
                a.offset_days.to_string(),
                a.template_id.to_string(),
                a.active,
            ),
            None => (
                None,
                String::new(),
                "interview".to_string(),
                String::new(),
                String::new(),
                "-1".to_string(),
                first_template,
                true,
            ),
        };
        let kinds = crate::core::events::EventKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), act.fmt.kind(k.as_str())))
            .collect();
        let fields = vec![
            FormField::text("name", act.tr("admin.auto_name"), &name),
            FormField::choice("kind", act.tr("col.kind"), &kind, kinds, false),
            FormField::text("collaborators", act.tr("col.collaborators"), &collaborators)
                .with_help(act.tr("admin.auto_any_help")),
            FormField::text("types", act.tr("col.types"), &types)
                .with_help(act.tr("admin.auto_any_help")),
            FormField::text("delay", act.tr("col.delay"), &delay)
                .with_help(act.tr("admin.auto_delay_help")),
            FormField::choice(
                "template",
                act.tr("col.template"),
                &template,
                options,
                false,
            ),
            FormField::toggle("active", act.tr("col.active"), active),
        ];
        let title = match &row {
            Some(a) => format!("{} — {}", act.tr("tab.automations"), clean(&a.name)),
            None => act.tr("admin.auto_new").to_string(),
        };
        self.editor = Some((id, Form::new(&title, fields)));
        Ok(Outcome::Handled)
    }

    fn save(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some((id, form)) = &mut self.editor else {
            return Ok(Outcome::Handled);
        };
        let Some(offset_days) = parse_delay(form.value("delay")) else {
            form.message = Some(act.tr("admin.auto_delay_help").to_string());
            return Ok(Outcome::Handled);
        };
        let mut collaborators = Vec::new();
        for wanted in split_list(form.value("collaborators")) {
            let found = self
                .names
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(&wanted))
                .map(|(id, _)| *id);
            match found {
                Some(c) => collaborators.push(c),
                None => {
                    form.message = Some(crate::i18n::trf(
                        act.lang(),
                        "admin.auto_unknown_collaborator",
                        &[("name", &wanted)],
                    ));
                    return Ok(Outcome::Handled);
                }
            }
        }
        let event_kind = crate::core::events::EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == form.value("kind"))
            .unwrap_or(crate::core::events::EventKind::Interview);
        let input = AutomationInput {
            name: form.value("name").trim().to_string(),
            event_kind,
            collaborators,
            event_types: split_list(form.value("types")),
            offset_days,
            template_id: form.value("template").parse().unwrap_or_default(),
            active: form.fields.iter().any(|f| f.key == "active" && f.is_on()),
        };
        let result = match id {
            Some(id) => update_automation(act.store, act.actor, *id, &input, act.now),
            None => create_automation(act.store, act.actor, &input, act.now).map(|_| ()),
        };
        match result {
            Ok(()) => {
                self.editor = None;
                self.refresh(&act.ctx())?;
                Ok(Outcome::Info(crate::i18n::trf(
                    act.lang(),
                    "admin.auto_saved",
                    &[("name", &input.name)],
                )))
            }
            Err(e) => {
                form.message = Some(e.to_string());
                Ok(Outcome::Handled)
            }
        }
    }

    /// What the active rules would create over the coming days, nothing written.
    fn dry_run_popup(&self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        let planned = match dry_run(act.store, DRY_RUN_DAYS, act.now) {
            Ok(p) => p,
            Err(e) => return Ok(Outcome::Error(e.to_string())),
        };
        let theme = act.theme;
        let mut lines = vec![Line::from(Span::styled(
            crate::i18n::trf(
                lang,
                "admin.auto_dry_intro",
                &[
                    ("days", &DRY_RUN_DAYS.to_string()),
                    ("count", &planned.len().to_string()),
                ],
            ),
            theme.dim(),
        ))];
        for p in &planned {
            let when = p
                .planned_local
                .map(|t| t.format("%d/%m %H:%M").to_string())
                .unwrap_or_else(|| "--/-- --:--".into());
            let delay = match lang {
                Lang::Fr => p.delay.replacen('D', "J", 1),
                Lang::En => p.delay.clone(),
            };
            let mut spans = vec![
                Span::styled(format!("{when} "), theme.key()),
                Span::raw(format!(
                    "{delay:<4} {} · {} ",
                    clean(&p.participant_name),
                    clean(&p.rule)
                )),
            ];
            match (&p.error, &p.text) {
                (Some(e), _) => spans.push(Span::styled(
                    format!("✖ {}", clean(&crate::i18n::say(lang, e))),
                    theme.error(),
                )),
                (None, Some(t)) => spans.push(Span::styled(
                    format!(
                        "« {} » ({} SMS)",
                        clean(&t.replace('\n', " ")),
                        p.segments.unwrap_or(0)
                    ),
                    theme.dim(),
                )),
                (None, None) => {}
            }
            lines.push(Line::from(spans));
        }
        Ok(Outcome::Popup(
            act.tr("admin.auto_dry_title").to_string(),
            lines,
        ))
    }
}

impl TabView for AutomationsTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.admin = ctx.actor.rights.admin;
        self.names = collaborator_names(ctx.conn)?;
        Ok(replace(&mut self.rows, automations::list(ctx.conn)?))
    }

    fn action(&mut self, action: &str, _ctx: &Ctx) -> Result<Outcome> {
        Ok(self
            .sel
            .action(action, self.rows.len())
            .unwrap_or(Outcome::Ignored))
    }

    fn command(&mut self, action: &str, act: &mut Act) -> Result<Outcome> {
        let selected = self.rows.get(self.sel.selected).cloned();
        match action {
            "new" => self.open(act, None),
            "open" | "edit" => match selected {
                Some(a) => self.open(act, Some(a)),
                None => Ok(Outcome::Handled),
            },
            "dry_run" => self.dry_run_popup(act),
            "toggle" => {
                let Some(a) = selected else {
                    return Ok(Outcome::Handled);
                };
                match set_automation_active(act.store, act.actor, a.id, !a.active, act.now) {
                    Ok(()) => {
                        self.refresh(&act.ctx())?;
                        Ok(Outcome::Handled)
                    }
                    Err(e) => Ok(Outcome::Error(e.to_string())),
                }
            }
            "delete" => {
                let Some(a) = selected else {
                    return Ok(Outcome::Handled);
                };
                if let Err(e) = act.actor.require_admin("delete automations") {
                    return Ok(Outcome::Error(e.to_string()));
                }
                self.confirm_delete = Some((a.id, a.name));
                Ok(Outcome::Handled)
            }
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.editor.is_some() || self.confirm_delete.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if let Some((id, name)) = self.confirm_delete.clone() {
            match act.keymap.action(KeyContext::Dialog, key) {
                Some("confirm") => {
                    self.confirm_delete = None;
                    let outcome = match delete_automation(act.store, act.actor, id, act.now) {
                        Ok(()) => Outcome::Info(crate::i18n::trf(
                            act.lang(),
                            "admin.auto_deleted",
                            &[("name", &name)],
                        )),
                        Err(e) => Outcome::Error(e.to_string()),
                    };
                    self.refresh(&act.ctx())?;
                    return Ok(outcome);
                }
                Some("close") => self.confirm_delete = None,
                _ => {}
            }
            return Ok(Outcome::Handled);
        }
        let Some((_, form)) = &mut self.editor else {
            return Ok(Outcome::Ignored);
        };
        match form.key(key, act.keymap) {
            FormKey::Save => self.save(act),
            FormKey::Close => {
                self.editor = None;
                Ok(Outcome::Handled)
            }
            FormKey::Changed(i) => {
                form.message = None;
                if form.fields.get(i).is_some_and(|f| f.key == "delay") {
                    let bad = parse_delay(form.value("delay")).is_none();
                    let reason = act.tr("admin.auto_delay_help").to_string();
                    if let Some(f) = form.field_mut("delay") {
                        f.error = bad.then_some(reason);
                    }
                }
                Ok(Outcome::Handled)
            }
            FormKey::Handled => Ok(Outcome::Handled),
        }
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some((_, form)) = &mut self.editor {
            form.paste(text);
        }
    }

    fn edit_hints(&self) -> EditHints {
        if self.confirm_delete.is_some() {
            return (
                vec![
                    (KeyContext::Dialog, "confirm"),
                    (KeyContext::Dialog, "close"),
                ],
                Vec::new(),
            );
        }
        match &self.editor {
            Some((_, form)) => form.hints(self.lang.unwrap_or(Lang::En)),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn unsaved(&self) -> bool {
        self.editor.as_ref().is_some_and(|(_, f)| f.is_changed())
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.lang = Some(ctx.lang());
        let note = if ctx.actor.rights.admin {
            ""
        } else {
            ctx.tr("admin.admin_only")
        };
        let table = header_with(frame, area, ctx, "tab.automations", self.rows.len(), note);
        let offset = self.sel.viewport(body_height(table), self.rows.len());
        let cols = [
            Col::new(ctx.tr("col.kind"), 11, 0),
            Col::new(ctx.tr("col.delay"), 5, 0),
            Col::new(ctx.tr("col.types"), 14, 2),
            Col::new(ctx.tr("col.collaborators"), 14, 3),
            Col::fill(ctx.tr("col.template"), 14, 1),
            Col::new(ctx.tr("col.active"), 7, 1),
            Col::new(ctx.tr("col.state"), 7, 0),
        ];
        let any = ctx.tr("word.any");
        let cells = self
            .rows
            .iter()
            .map(|a| {
                let types = if a.event_types.is_empty() {
                    any.to_string()
                } else {
                    clean(&a.event_types.join(", "))
                };
                let collaborators = if a.collaborators.is_empty() {
                    any.to_string()
                } else {
                    let names: Vec<String> = a
                        .collaborators
                        .iter()
                        .map(|id| {
                            self.names
                                .get(id)
                                .map_or_else(|| format!("#{id}"), |n| clean(n))
                        })
                        .collect();
                    names.join(", ")
                };
                let state = if a.is_broken() {
                    styled(ctx.tr("word.broken"), ctx.theme.error())
                } else {
                    styled(ctx.tr("word.ok"), ctx.theme.ok())
                };
                let active = if a.active {
                    ctx.theme.ok()
                } else {
                    ctx.theme.dim()
                };
                vec![
                    cell(ctx.fmt.kind(&a.event_kind)),
                    cell(delay_label(a, ctx.lang())),
                    cell(types),
                    cell(collaborators),
                    cell(clean(&a.template_name)),
                    styled(ctx.fmt.yes_no(a.active), active),
                    state,
                ]
            })
            .collect();
        let selected = (!self.rows.is_empty()).then_some(self.sel.selected);
        draw_table(frame, table, ctx, &cols, cells, selected, offset);
        if let Some((_, form)) = &mut self.editor {
            form.draw(frame, area, ctx.theme, ctx.lang());
        }
        if let Some((_, name)) = &self.confirm_delete {
            let lines = vec![crate::i18n::trf(
                ctx.lang(),
                "admin.auto_delete_question",
                &[("name", name)],
            )];
            draw_question(frame, area, ctx.theme, ctx.tr("action.delete"), &lines);
        }
    }

    fn hints(&self) -> &'static [&'static str] {
        if self.admin {
            &["edit", "new", "dry_run", "toggle", "delete"]
        } else {
            &["dry_run", "down", "up"]
        }
    }
}

/// `D-2` / `D+3` in English, `J-2` / `J+3` in French (jour J).
fn delay_label(a: &AutomationRow, lang: Lang) -> String {
    let label = a.delay_label();
    match lang {
        Lang::Fr => label.replacen('D', "J", 1),
        Lang::En => label,
    }
}
