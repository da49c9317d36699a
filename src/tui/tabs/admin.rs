//! The administration tabs, read-only in this version: Settings, Templates, Automations,
//! Users. Their lists are short by nature (tens of rows), so they are read whole.

use super::Act;
use super::Cell;
use super::modal_outcome;
use super::{Col, Ctx, Outcome, Selection, TabView, cell, info_line, split_info, styled};
use crate::core::automations::{
    AutomationRule, ChangeCounts, delete_automation, dry_run, dry_run_rule, pending_count,
    preview_automation, preview_save, save_automation, set_automation_active,
};
use crate::i18n::tr;
use crate::i18n::{Describe, Lang};
use crate::keymap::Keymap;
use crate::keymap::{DialogAction, ListAction};
use crate::store::Result;
use crate::store::automations::{self, AutomationRow, Condition};
use crate::tui::fmt::clean;
use crate::tui::queries::collaborator_names;
use crate::tui::widgets::ask::{Answers, Ask, AskKey, Question, draw_ask, no_keys};
use crate::tui::widgets::form::{
    EditHints, Form, FormField, checked_in, draw_question, lost_in, question_hints,
    question_or_form_hints,
};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::text::Span;
use std::collections::HashMap;

/// The info line of an administration list: title, "administrators only" for the others, the
/// row count.
pub(super) fn admin_header(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    title_key: &str,
    count: usize,
) -> Rect {
    let note = if ctx.actor.rights.admin {
        ""
    } else {
        ctx.tr("admin.admin_only")
    };
    let (info, table) = split_info(area);
    let left = vec![
        Span::styled(ctx.tr(title_key).to_string(), ctx.theme.title()),
        Span::styled(format!("  {note}"), ctx.theme.dim()),
    ];
    info_line(frame, info, ctx, left, count.to_string());
    table
}

/// [`TabView::unsaved`] and [`TabView::layout`] of an administration list (`rows`, `sel`)
/// with a form over it (`editor.form`): Settings, Templates.
macro_rules! list_with_form {
    () => {
        fn unsaved(&self, lang: Lang) -> Vec<String> {
            lost_in([self.editor.as_ref().map(|e| &e.form)], lang)
        }

        fn layout(&mut self, area: Rect, ctx: &Ctx) {
            self.lang = Some(ctx.lang());
            self.sel.fit_below_info(area, self.rows.len());
            if let Some(editor) = &mut self.editor {
                editor.form.layout(area, ctx.theme);
            }
        }
    };
}
pub(super) use list_with_form;

/// The "active" column of an administration list: yes in green, no dimmed.
pub(super) fn active_cell(ctx: &Ctx, active: bool) -> Cell {
    let style = if active {
        ctx.theme.ok()
    } else {
        ctx.theme.dim()
    };
    styled(ctx.fmt.yes_no(active), style)
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
    /// A change waiting for the operator's answer, with what it will do to the agenda.
    confirm: Option<Confirm>,
    /// The buttons of the question when it has two ([`Asked::YesNo`]).
    ask: Ask,
    /// The keys that say no (`n`), from the key map when the question was asked.
    no_key: Option<String>,
    lang: Option<Lang>,
}

/// A rule change that acts on the agenda, asked first with its count.
#[derive(Clone)]
enum Confirm {
    /// Saving the editor's rule creates `created` reminders.
    Save(Option<i64>, AutomationRule, usize),
    /// Saving a change of an active rule: what it does to the messages waiting to leave
    /// (moved, rewritten, cancelled, created; kept as edited by hand).
    Change(i64, AutomationRule, ChangeCounts),
    /// Saving the editor's rule switched off: cancel its `pending` reminders (y) or keep them (n)?
    SaveOff(i64, AutomationRule, usize),
    /// Switching a rule on creates `created` reminders.
    Activate(i64, String, usize),
    /// Switching a rule off: cancel its `pending` reminders (y) or keep them (n)?
    Deactivate(i64, String, usize),
    /// Deleting a rule, and cancelling its `pending` reminders (y) or keeping them (n).
    Delete(i64, String, usize),
}

/// How a question answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asked {
    /// Nothing is lost (the rule creates reminders): Enter / `y` says yes, Esc / `n` goes back.
    Plain,
    /// Something is lost: buttons whose default, Enter, is the safe answer; only `y` / `o`
    /// says yes.
    YesNo,
    /// Reminders at stake: `y` / `o` cancels them, `n` keeps them; Enter and Esc do nothing.
    Three,
}

impl Confirm {
    fn asked(&self) -> Asked {
        match self {
            Confirm::Deactivate(_, _, n) | Confirm::Delete(_, _, n) | Confirm::SaveOff(_, _, n)
                if *n > 0 =>
            {
                Asked::Three
            }
            Confirm::Delete(..) => Asked::YesNo,
            Confirm::Change(_, _, n) if n.cancelled > 0 => Asked::YesNo,
            _ => Asked::Plain,
        }
    }

    /// The two buttons of a [`Asked::YesNo`] question.
    fn answers(&self, lang: Lang) -> Answers {
        match self {
            Confirm::Change(..) => Answers::new(lang, "form.keep_editing", "ask.save"),
            _ => Answers::yes_no(lang),
        }
    }

    /// What `y` / `o` and `n` do in a [`Asked::Three`] question.
    fn three_labels(&self) -> (&'static str, &'static str) {
        match self {
            Confirm::Delete(..) => ("admin.auto_delete_cancel", "admin.auto_delete_keep"),
            _ => ("admin.auto_cancel_them", "admin.auto_keep_them"),
        }
    }
}

/// Reminders a dry run would create (its rows without an error).
fn creatable(rows: &[crate::core::automations::PlannedReminder]) -> usize {
    rows.iter().filter(|p| p.error.is_none()).count()
}

/// Days the dry run looks ahead.
const DRY_RUN_DAYS: u32 = 7;

/// `-1`, `D-1`, `J-1` → -1; `+3`, `D+3` → 3.
fn parse_delay(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches(['D', 'd', 'J', 'j']);
    let n = crate::text::parse_whole_number(t)?;
    ((-7..=30).contains(&n) && n != 0).then_some(n)
}

/// A condition as the editor's choice stores it: `none`, `no_outcome`, `reply:ID`.
fn condition_value(c: Condition) -> String {
    match c {
        Condition::None => "none".to_string(),
        Condition::NoOutcome => "no_outcome".to_string(),
        Condition::NoReply { template_id } => format!("reply:{template_id}"),
    }
}

/// The editor's choice read back ([`condition_value`]); anything else is no condition.
fn parse_condition(value: &str) -> Condition {
    match value {
        "no_outcome" => Condition::NoOutcome,
        v => v
            .strip_prefix("reply:")
            .and_then(|id| id.parse().ok())
            .map_or(Condition::None, |template_id| Condition::NoReply {
                template_id,
            }),
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl AutomationsTab {
    /// Puts a question over the tab, its keys taken from the live key map.
    fn ask(&mut self, c: Confirm, keymap: &Keymap) {
        self.confirm = Some(c);
        self.ask = Ask::new(keymap);
        self.no_key = no_keys(keymap).into_iter().next();
    }

    /// The footer of a question: its answer keys, named by what they do.
    fn question_hints(&self, c: &Confirm, lang: Lang) -> EditHints {
        match c.asked() {
            Asked::Plain => question_hints(),
            Asked::YesNo => (Vec::new(), self.ask.hints(&c.answers(lang), lang)),
            Asked::Three => {
                let nothing = tr(lang, "admin.auto_nothing").to_string();
                let (yes, no) = c.three_labels();
                let mut v = vec![("Enter".to_string(), nothing.clone())];
                if let Some(k) = self.ask.yes_key(lang) {
                    v.push((k, tr(lang, yes).to_string()));
                }
                if let Some(k) = &self.no_key {
                    v.push((k.clone(), tr(lang, no).to_string()));
                }
                v.push(("Esc".to_string(), nothing));
                (Vec::new(), v)
            }
        }
    }

    fn open(&mut self, act: &mut Act, row: Option<AutomationRow>) -> Result<Outcome> {
        if let Err(e) = act
            .actor
            .require_admin(crate::core::Action::ChangeAutomations)
        {
            return Ok(Outcome::failed(&e, act.lang()));
        }
        let templates = crate::store::templates::list(act.store.db())?;
        // Rules send for events: their templates have an event context.
        let for_events = |t: &&crate::store::templates::TemplateRow| {
            t.context
                .parse::<crate::sms::template::TemplateContext>()
                .is_ok_and(|c| c.has_event())
        };
        let options: Vec<(String, String)> = templates
            .iter()
            .filter(for_events)
            .map(|t| (t.id.to_string(), clean(&t.name)))
            .collect();
        // A new rule starts on the first active template (an inactive one would be broken).
        let first_template = templates
            .iter()
            .filter(for_events)
            .find(|t| t.active)
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
        // A follow-up may wait for the absence of a reply to a template that asks for one, or
        // of an outcome.
        let mut conditions = vec![
            (
                "none".to_string(),
                act.tr("admin.auto_condition_none").to_string(),
            ),
            (
                "no_outcome".to_string(),
                act.tr("admin.auto_condition_no_outcome").to_string(),
            ),
        ];
        conditions.extend(
            templates
                .iter()
                .filter(for_events)
                .filter(|t| t.reply_expected)
                .map(|t| {
                    (
                        format!("reply:{}", t.id),
                        crate::i18n::trf(
                            act.lang(),
                            "admin.auto_condition_no_reply",
                            &[("template", &clean(&t.name))],
                        ),
                    )
                }),
        );
        let condition = condition_value(row.as_ref().map(|a| a.condition).unwrap_or_default());
        let (id, name, kind, collaborators, types, delay, template, active) = match &row {
            Some(a) => (
                Some(a.id),
                a.name.clone(),
                a.event_kind.as_str().to_string(),
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
            .map(|k| {
                // Named as the template contexts of the same name are in their editor.
                let label = k
                    .as_str()
                    .parse::<crate::sms::template::TemplateContext>()
                    .map_or_else(|_| k.describe(act.lang()), |c| c.label(act.lang()).into());
                (k.as_str().to_string(), label)
            })
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
            FormField::choice(
                "condition",
                act.tr("admin.auto_condition"),
                &condition,
                conditions,
                false,
            )
            .with_help(act.tr("admin.auto_condition_help")),
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
        let input = AutomationRule {
            name: form.value("name").trim().to_string(),
            event_kind,
            collaborators,
            event_types: split_list(form.value("types")),
            offset_days,
            template_id: form.value("template").parse().unwrap_or_default(),
            active: form.fields.iter().any(|f| f.key == "active" && f.is_on()),
            condition: parse_condition(form.value("condition")),
        };
        // Switched off in the editor: asked like the on / off key, when reminders are pending.
        let was_on = id.is_some_and(|rid| self.rows.iter().any(|r| r.id == rid && r.active));
        if let (Some(rid), true, false) = (*id, was_on, input.active) {
            match pending_count(act.store, rid) {
                Ok(0) => {}
                Ok(n) => {
                    self.ask(Confirm::SaveOff(rid, input, n), act.keymap);
                    return Ok(Outcome::Handled);
                }
                Err(e) => {
                    form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                    return Ok(Outcome::Handled);
                }
            }
        }
        // A changed rule also changes what it planned: say what moves, is rewritten, is
        // cancelled and is created first.
        if let Some(rid) = *id {
            return match preview_save(act.store, act.actor, Some(rid), &input, act.now) {
                Ok(p) if p.counts.any() => {
                    self.ask(Confirm::Change(rid, input, p.counts), act.keymap);
                    Ok(Outcome::Handled)
                }
                Ok(_) => self.commit_save(act, Some(rid), input),
                Err(e) => {
                    form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                    Ok(Outcome::Handled)
                }
            };
        }
        // A rule acts on the events already in the agenda: say how many reminders first.
        match preview_automation(act.store, act.actor, *id, &input, act.now) {
            Ok(rows) if creatable(&rows) > 0 => {
                let c = Confirm::Save(*id, input, creatable(&rows));
                self.ask(c, act.keymap);
                Ok(Outcome::Handled)
            }
            Ok(_) => {
                let id = *id;
                self.commit_save(act, id, input)
            }
            Err(e) => {
                form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                Ok(Outcome::Handled)
            }
        }
    }

    /// Saves the rule (after the confirmation when it creates reminders).
    fn commit_save(
        &mut self,
        act: &mut Act,
        id: Option<i64>,
        input: AutomationRule,
    ) -> Result<Outcome> {
        match save_automation(act.store, act.actor, id, &input, act.now) {
            Ok(out) => {
                self.editor = None;
                self.refresh(&act.ctx())?;
                let text = if id.is_some() {
                    let n = out.counts();
                    crate::i18n::trf(
                        act.lang(),
                        "admin.auto_saved_changed",
                        &[
                            ("name", &input.name),
                            ("moved", &n.moved.to_string()),
                            ("rewritten", &n.rewritten.to_string()),
                            ("cancelled", &n.cancelled.to_string()),
                            ("created", &n.created.to_string()),
                        ],
                    )
                } else {
                    crate::i18n::trf(
                        act.lang(),
                        "admin.auto_saved_created",
                        &[("name", &input.name), ("count", &out.created().to_string())],
                    )
                };
                Ok(Outcome::Info(text))
            }
            Err(e) => {
                let message = crate::i18n::Describe::describe(&e, act.lang());
                match &mut self.editor {
                    Some((_, form)) => {
                        form.message = Some(message);
                        Ok(Outcome::Handled)
                    }
                    None => Ok(Outcome::Error(message)),
                }
            }
        }
    }

    /// Carries out a confirmed change; `cancel` is the answer about pending reminders.
    fn answer(&mut self, act: &mut Act, c: Confirm, cancel: bool) -> Result<Outcome> {
        let lang = act.lang();
        let done = match c {
            Confirm::Save(id, input, _) => return self.commit_save(act, id, input),
            Confirm::Change(id, input, _) => return self.commit_save(act, Some(id), input),
            Confirm::SaveOff(id, input, _) => {
                let saved = save_automation(act.store, act.actor, Some(id), &input, act.now)
                    .and_then(|_| {
                        set_automation_active(act.store, act.actor, id, false, cancel, act.now)
                    });
                if saved.is_ok() {
                    self.editor = None;
                }
                saved.map(|o| {
                    crate::i18n::trf(
                        lang,
                        "admin.auto_deactivated",
                        &[
                            ("name", &input.name),
                            ("count", &o.cancelled.len().to_string()),
                        ],
                    )
                })
            }
            Confirm::Activate(id, name, _) => {
                set_automation_active(act.store, act.actor, id, true, false, act.now).map(|o| {
                    crate::i18n::trf(
                        lang,
                        "admin.auto_activated",
                        &[("name", &name), ("count", &o.created().to_string())],
                    )
                })
            }
            Confirm::Deactivate(id, name, _) => {
                set_automation_active(act.store, act.actor, id, false, cancel, act.now).map(|o| {
                    crate::i18n::trf(
                        lang,
                        "admin.auto_deactivated",
                        &[("name", &name), ("count", &o.cancelled.len().to_string())],
                    )
                })
            }
            Confirm::Delete(id, name, _) => {
                delete_automation(act.store, act.actor, id, cancel, act.now).map(|o| {
                    crate::i18n::trf(
                        lang,
                        "admin.auto_deleted_cancelled",
                        &[("name", &name), ("count", &o.cancelled.len().to_string())],
                    )
                })
            }
        };
        self.refresh(&act.ctx())?;
        Ok(match done {
            Ok(text) => Outcome::Info(text),
            Err(e) => Outcome::failed(&e, lang),
        })
    }

    /// What the active rules would create over the coming days, nothing written.
    fn dry_run_popup(&self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        let planned = match dry_run(act.store, DRY_RUN_DAYS, act.now) {
            Ok(p) => p,
            Err(e) => {
                return Ok(Outcome::failed(&e, act.lang()));
            }
        };
        let theme = act.theme;
        let mut lines = vec![Line::from(Span::styled(
            crate::i18n::trf(
                lang,
                "admin.auto_dry_intro",
                &[
                    ("days", &DRY_RUN_DAYS.to_string()),
                    ("count", &creatable(&planned).to_string()),
                ],
            ),
            theme.dim(),
        ))];
        // Rules that would create nothing, and follow-ups their condition would hold back.
        let held = planned.len() - creatable(&planned);
        if held > 0 {
            lines.push(Line::from(Span::styled(
                crate::i18n::trf(lang, "admin.auto_dry_held", &[("count", &held.to_string())]),
                theme.dim(),
            )));
        }
        for p in &planned {
            let when = p
                .planned_local
                .map(|t| crate::i18n::dates::short_day_time(t, act.fmt.year))
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
            if !p.rule_active {
                spans.push(Span::styled(
                    format!("{} ", act.tr("admin.auto_dry_inactive")),
                    theme.dim(),
                ));
            }
            match (&p.error, &p.text) {
                (Some(e), _) => spans.push(Span::styled(
                    format!("✖ {}", clean(&crate::i18n::Describe::describe(e, lang))),
                    theme.error(),
                )),
                (None, Some(t)) => {
                    spans.push(Span::styled(
                        format!(
                            "« {} » ({} SMS)",
                            clean(&t.replace('\n', " ")),
                            p.segments.unwrap_or(0)
                        ),
                        theme.dim(),
                    ));
                    // Why it costs more (the rule's template fixes it, Ctrl-t in its editor).
                    if let Some(cause) = crate::tui::fmt::unicode_cause(t, lang) {
                        spans.push(Span::styled(format!(" {cause}"), theme.warn()));
                    }
                }
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

    fn action(&mut self, action: ListAction, _ctx: &Ctx) -> Result<Outcome> {
        Ok(self.sel.moved(action, self.rows.len()))
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        let selected = self.rows.get(self.sel.selected).cloned();
        match action {
            ListAction::New => self.open(act, None),
            ListAction::Open | ListAction::Edit => match selected {
                Some(a) => self.open(act, Some(a)),
                None => Ok(Outcome::Handled),
            },
            ListAction::DryRun => self.dry_run_popup(act),
            ListAction::Toggle => {
                let Some(a) = selected else {
                    return Ok(Outcome::Handled);
                };
                if let Err(e) = act
                    .actor
                    .require_admin(crate::core::Action::SwitchAutomations)
                {
                    return Ok(Outcome::failed(&e, act.lang()));
                }
                // Switching on acts on the agenda, switching off may take reminders with it:
                // both are asked with their count; nothing to count, nothing to ask.
                let count = if a.active {
                    pending_count(act.store, a.id)
                } else {
                    dry_run_rule(act.store, a.id, act.now).map(|rows| creatable(&rows))
                };
                let count = match count {
                    Ok(n) => n,
                    Err(e) => {
                        return Ok(Outcome::failed(&e, act.lang()));
                    }
                };
                let c = if a.active {
                    Confirm::Deactivate(a.id, a.rule.name, count)
                } else {
                    Confirm::Activate(a.id, a.rule.name, count)
                };
                if count == 0 {
                    return self.answer(act, c, false);
                }
                self.ask(c, act.keymap);
                Ok(Outcome::Handled)
            }
            ListAction::Delete => {
                let Some(a) = selected else {
                    return Ok(Outcome::Handled);
                };
                if let Err(e) = act
                    .actor
                    .require_admin(crate::core::Action::DeleteAutomations)
                {
                    return Ok(Outcome::failed(&e, act.lang()));
                }
                let pending = match pending_count(act.store, a.id) {
                    Ok(n) => n,
                    Err(e) => {
                        return Ok(Outcome::failed(&e, act.lang()));
                    }
                };
                self.ask(Confirm::Delete(a.id, a.rule.name, pending), act.keymap);
                Ok(Outcome::Handled)
            }
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.editor.is_some() || self.confirm.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if let Some(c) = self.confirm.clone() {
            let dialog = act.keymap.dialog(key);
            match c.asked() {
                Asked::Plain => match dialog {
                    _ if key.code == KeyCode::Esc => self.confirm = None,
                    Some(DialogAction::Confirm) => {
                        self.confirm = None;
                        return self.answer(act, c, true);
                    }
                    Some(DialogAction::Close) => self.confirm = None,
                    None => {}
                },
                // Enter gives the focused button, "no" until moved: nothing changes.
                Asked::YesNo => match self.ask.key(key, dialog) {
                    AskKey::Yes => {
                        self.confirm = None;
                        return self.answer(act, c, true);
                    }
                    AskKey::No => self.confirm = None,
                    AskKey::Stay => {}
                },
                // With reminders at stake `y` cancels them and `n` keeps them; Enter, typed by
                // habit, and Esc do nothing.
                Asked::Three => match dialog {
                    _ if matches!(key.code, KeyCode::Enter | KeyCode::Esc) => {
                        self.confirm = None;
                    }
                    Some(DialogAction::Confirm) => {
                        self.confirm = None;
                        return self.answer(act, c, true);
                    }
                    Some(DialogAction::Close) => {
                        self.confirm = None;
                        return self.answer(act, c, false);
                    }
                    None => {}
                },
            }
            return Ok(Outcome::Handled);
        }
        let reason = act.tr("admin.auto_delay_help").to_string();
        let check = |(_, form): &mut (Option<i64>, Form), i: usize| {
            if form.fields.get(i).is_some_and(|f| f.key == "delay") {
                let bad = parse_delay(form.value("delay")).is_none();
                if let Some(f) = form.field_mut("delay") {
                    f.error = bad.then_some(reason);
                }
            }
        };
        let asked = checked_in(&mut self.editor, |(_, f)| f, key, act.keymap, check);
        modal_outcome(asked, || self.save(act)).unwrap_or(Ok(Outcome::Ignored))
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some((_, form)) = &mut self.editor {
            form.paste(text);
        }
    }

    fn edit_hints(&self) -> EditHints {
        let lang = self.lang.unwrap_or(Lang::En);
        if let Some(c) = &self.confirm {
            return self.question_hints(c, lang);
        }
        question_or_form_hints(false, self.editor.as_ref().map(|(_, form)| form), lang)
    }

    /// A question that loses nothing: Enter / `y` saves or switches on, Esc / `n` goes back.
    fn edit_hint_label(&self, action: crate::keymap::Action) -> Option<&'static str> {
        let c = self
            .confirm
            .as_ref()
            .filter(|c| c.asked() == Asked::Plain)?;
        let back = if self.editor.is_some() {
            "admin.set_back"
        } else {
            "confirm.back_key"
        };
        match action {
            crate::keymap::Action::Dialog(DialogAction::Confirm) => Some(match c {
                Confirm::Activate(..) => "admin.auto_switch_on",
                _ => "action.save",
            }),
            crate::keymap::Action::Dialog(DialogAction::Close) => Some(back),
            _ => None,
        }
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        lost_in([self.editor.as_ref().map(|(_, f)| f)], lang)
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = Some(ctx.lang());
        self.sel.fit_below_info(area, self.rows.len());
        if let Some((_, form)) = &mut self.editor {
            form.layout(area, ctx.theme);
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let table = admin_header(frame, area, ctx, "tab.automations", self.rows.len());
        let cols = [
            Col::new(ctx.tr("col.kind"), 11, 0),
            Col::new(ctx.tr("col.delay"), 5, 0),
            Col::new(ctx.tr("col.types"), 14, 2),
            Col::new(ctx.tr("col.collaborators"), 14, 3),
            Col::fill(ctx.tr("col.template"), 14, 1),
            Col::new(ctx.tr("col.only_if"), 13, 2),
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
                vec![
                    cell(a.event_kind.describe(ctx.lang())),
                    cell(delay_label(a, ctx.lang())),
                    cell(types),
                    cell(collaborators),
                    cell(clean(&a.template_name)),
                    cell(match a.condition {
                        Condition::None => String::new(),
                        Condition::NoReply { .. } => ctx.tr("admin.auto_only_no_reply").to_string(),
                        Condition::NoOutcome => ctx.tr("admin.auto_only_no_outcome").to_string(),
                    }),
                    active_cell(ctx, a.active),
                    state,
                ]
            })
            .collect();
        self.sel.draw_table(frame, table, ctx, &cols, cells);
        if let Some((_, form)) = &self.editor {
            form.draw(frame, area, ctx.theme, ctx.lang());
        }
        if let Some(c) = &self.confirm {
            let lang = ctx.lang();
            let (title, lines) = question(c, lang);
            if c.asked() == Asked::YesNo {
                let q = Question {
                    title: ctx.tr(title),
                    lines: &lines,
                    ask: &self.ask,
                    answers: &c.answers(lang),
                    lang,
                };
                draw_ask(frame, area, ctx.theme, &q);
            } else {
                draw_question(frame, area, ctx.theme, ctx.tr(title), &lines);
            }
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        if self.admin {
            &[
                ListAction::Edit,
                ListAction::New,
                ListAction::DryRun,
                ListAction::Toggle,
                ListAction::Delete,
            ]
        } else {
            &[ListAction::DryRun, ListAction::Down, ListAction::Up]
        }
    }
}

/// The title key and the lines of a rule change's question.
fn question(c: &Confirm, lang: Lang) -> (&'static str, Vec<String>) {
    let (title, key, name, count) = match c {
        Confirm::Change(_, input, n) => return ("action.save", change_lines(input, n, lang)),
        Confirm::Save(_, input, n) => (
            "action.save",
            "admin.auto_save_question",
            input.name.as_str(),
            *n,
        ),
        Confirm::Activate(_, name, n) => (
            "action.toggle",
            "admin.auto_activate_question",
            name.as_str(),
            *n,
        ),
        Confirm::SaveOff(_, input, n) => (
            "action.save",
            "admin.auto_deactivate_question",
            input.name.as_str(),
            *n,
        ),
        Confirm::Deactivate(_, name, n) => (
            "action.toggle",
            "admin.auto_deactivate_question",
            name.as_str(),
            *n,
        ),
        Confirm::Delete(_, name, 0) => (
            "action.delete",
            "admin.auto_delete_question",
            name.as_str(),
            0,
        ),
        Confirm::Delete(_, name, n) => (
            "action.delete",
            "admin.auto_delete_pending_question",
            name.as_str(),
            *n,
        ),
    };
    let lines = vec![crate::i18n::trf(
        lang,
        key,
        &[("name", name), ("count", &count.to_string())],
    )];
    (title, lines)
}

/// What saving a changed rule does to the messages it planned.
fn change_lines(input: &AutomationRule, n: &ChangeCounts, lang: Lang) -> Vec<String> {
    let key = if input.offset_days > 0 {
        "admin.auto_change_question_follow_up"
    } else {
        "admin.auto_change_question"
    };
    let mut lines = vec![crate::i18n::trf(
        lang,
        key,
        &[
            ("name", input.name.as_str()),
            ("moved", &n.moved.to_string()),
            ("rewritten", &n.rewritten.to_string()),
            ("cancelled", &n.cancelled.to_string()),
            ("created", &n.created.to_string()),
        ],
    )];
    if n.kept > 0 {
        lines.push(crate::i18n::trf(
            lang,
            "admin.auto_change_kept",
            &[("kept", &n.kept.to_string())],
        ));
    }
    lines
}

/// `D-2` / `D+3` in English, `J-2` / `J+3` in French (jour J).
fn delay_label(a: &AutomationRow, lang: Lang) -> String {
    let label = a.delay_label();
    match lang {
        Lang::Fr => label.replacen('D', "J", 1),
        Lang::En => label,
    }
}
