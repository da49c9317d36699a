//! Templates: the list (context, active, reply expected, times used) and, for administrators,
//! the editor — name, context, flags, reply keywords → outcomes, and the text in the composer
//! with a live sample preview. Saving, deactivating and deleting go through
//! `core::templates`, which checks the right, validates and audits.

use super::admin::{active_cell, admin_header, replace};
use super::modal_outcome;
use super::{Act, Col, Ctx, Outcome, Selection, TabView, cell};
use crate::core::templates::{self as core_templates, TemplateInput};
use crate::i18n::{Lang, tr, trf};
use crate::keymap::ListAction;
use crate::sms::template::TemplateContext;
use crate::store::Db;
use crate::store::Result;
use crate::store::settings::Settings;
use crate::store::templates::{self, TemplateRow};
use crate::tui::fmt::{clean, mark};
use crate::tui::widgets::ask::{Answers, Ask, AskKey, Question, draw_ask};
use crate::tui::widgets::composer::{Composer, ComposerSetup, TemplateChoice};
use crate::tui::widgets::form::{
    COMPOSER, EditHints, Form, FormField, checked_in, form_hints, lost_in,
};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

/// A question waiting for its answer.
enum Confirm {
    /// Deleting defaults to "no": Enter keeps the template.
    Delete { id: i64, name: String, ask: Ask },
    /// Switching off a template automation rules use stops them planning reminders: asked,
    /// "no" by default.
    SwitchOff {
        id: i64,
        name: String,
        automations: i64,
        ask: Ask,
    },
}

impl Confirm {
    fn ask(&mut self) -> &mut Ask {
        match self {
            Confirm::Delete { ask, .. } | Confirm::SwitchOff { ask, .. } => ask,
        }
    }

    fn asking(&self) -> &Ask {
        match self {
            Confirm::Delete { ask, .. } | Confirm::SwitchOff { ask, .. } => ask,
        }
    }

    /// The question's title and its line, in `lang`.
    fn words(&self, lang: Lang) -> (String, String) {
        match self {
            Confirm::Delete { name, .. } => (
                tr(lang, "admin.tpl_delete_title").to_string(),
                trf(lang, "admin.tpl_delete_question", &[("name", name)]),
            ),
            Confirm::SwitchOff {
                name, automations, ..
            } => (
                tr(lang, "admin.tpl_switch_off_title").to_string(),
                trf(
                    lang,
                    "admin.tpl_switch_off_question",
                    &[("name", name), ("automations", &automations.to_string())],
                ),
            ),
        }
    }
}

struct Editor {
    /// `None`: a new template.
    id: Option<i64>,
    form: Form,
}

/// Templates with their use; the editor for administrators.
#[derive(Default)]
pub struct TemplatesTab {
    rows: Vec<TemplateRow>,
    sel: Selection,
    admin: bool,
    editor: Option<Editor>,
    confirm: Option<Confirm>,
    /// Interface language, known from the last draw (for the footer's free hints).
    lang: Option<Lang>,
}

fn context_options(lang: Lang) -> Vec<(String, String)> {
    TemplateContext::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.label(lang).to_string()))
        .collect()
}

impl TemplatesTab {
    /// Switches template `id` on or off; what the status line says.
    fn switch(act: &mut Act, id: i64, name: &str, on: bool) -> Outcome {
        match core_templates::set_template_active(act.store, act.actor, id, on, act.now) {
            Ok(()) => {
                let key = if on {
                    "admin.tpl_activated"
                } else {
                    "admin.tpl_deactivated"
                };
                Outcome::Info(trf(act.lang(), key, &[("name", name)]))
            }
            Err(e) => Outcome::failed(&e, act.lang()),
        }
    }

    fn lang_hint(&self) -> Lang {
        self.lang.unwrap_or(Lang::En)
    }

    fn selected(&self) -> Option<&TemplateRow> {
        self.rows.get(self.sel.selected)
    }

    fn open_editor(&mut self, act: &mut Act, row: Option<TemplateRow>) -> Result<Outcome> {
        if let Err(e) = act.actor.require_admin(crate::core::Action::EditTemplates) {
            return Ok(Outcome::failed(&e, act.lang()));
        }
        let lang = act.lang();
        let settings = Settings::load(act.store.db())?;
        let (id, name, context, body, active, locked, reply, keywords) = match &row {
            Some(t) => (
                Some(t.id),
                t.name.clone(),
                t.context.parse().unwrap_or(TemplateContext::Interview),
                t.body.clone(),
                t.active,
                t.locked,
                t.reply_expected,
                core_templates::format_keywords(&templates::keywords(act.store.db(), t.id)?),
            ),
            None => (
                None,
                String::new(),
                TemplateContext::Interview,
                String::new(),
                true,
                false,
                false,
                String::new(),
            ),
        };
        let fields = vec![
            FormField::text("name", act.tr("admin.tpl_name"), &name),
            FormField::choice(
                "context",
                act.tr("admin.tpl_context"),
                context.as_str(),
                context_options(lang),
                false,
            ),
            FormField::toggle("active", act.tr("admin.tpl_active"), active),
            FormField::toggle("locked", act.tr("admin.tpl_locked"), locked)
                .with_help(act.tr("admin.tpl_locked_help")),
            FormField::toggle("reply", act.tr("admin.tpl_reply"), reply),
            FormField::text("keywords", act.tr("admin.tpl_keywords"), &keywords)
                .with_help(act.tr("admin.tpl_keywords_help")),
        ];
        let mut composer = Composer::new(setup(&settings, context), lang, act.theme);
        composer.set_text(&body);
        composer.set_templates(starters(act.store.db(), context, id)?, true);
        let title = match &row {
            Some(t) => trf(lang, "admin.tpl_edit_title", &[("name", &clean(&t.name))]),
            None => tr(lang, "admin.tpl_new_title").to_string(),
        };
        let mut form = Form::new(&title, fields).with_composer(composer);
        if row.is_none() {
            form.focus = 0;
        }
        self.editor = Some(Editor { id, form });
        Ok(Outcome::Handled)
    }

    /// Checks the field that changed, with the core's own parser, and shows the reason inline.
    fn validate(form: &mut Form, i: usize, act: &Act) {
        if i == COMPOSER {
            return;
        }
        let Some(key) = form.fields.get(i).map(|f| f.key.clone()) else {
            return;
        };
        match key.as_str() {
            "name" => {
                let empty = form.value("name").trim().is_empty();
                if let Some(f) = form.field_mut("name") {
                    f.error = empty.then(|| act.tr("admin.tpl_name_needed").to_string());
                }
            }
            "context" => {
                let context = form
                    .value("context")
                    .parse()
                    .unwrap_or(TemplateContext::Interview);
                if let Ok(settings) = Settings::load(act.store.db())
                    && let Some(c) = &mut form.composer
                {
                    let text = c.text();
                    *c = Composer::new(setup(&settings, context), act.lang(), act.theme);
                    c.set_text(&text);
                    if let Ok(others) = starters(act.store.db(), context, None) {
                        c.set_templates(others, true);
                    }
                }
            }
            "keywords" | "reply" => {
                let reply = form.fields.iter().any(|f| f.key == "reply" && f.is_on());
                let text = form.value("keywords").to_string();
                let error = match core_templates::parse_keywords(&text) {
                    Err(e) => Some(crate::i18n::Describe::describe(&e, act.lang())),
                    Ok(k) if !k.is_empty() && !reply => {
                        Some(act.tr("admin.tpl_keywords_need_reply").to_string())
                    }
                    Ok(_) => None,
                };
                if let Some(f) = form.field_mut("keywords") {
                    f.error = error;
                }
            }
            _ => {}
        }
    }

    fn save(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(editor) = &mut self.editor else {
            return Ok(Outcome::Handled);
        };
        let form = &mut editor.form;
        let body = form
            .composer
            .as_ref()
            .map(Composer::text)
            .unwrap_or_default();
        if let Some(reason) = form.composer.as_ref().and_then(Composer::refusal) {
            form.message = Some(reason);
            return Ok(Outcome::Handled);
        }
        let keywords = match core_templates::parse_keywords(form.value("keywords")) {
            Ok(k) => k,
            Err(e) => {
                form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                return Ok(Outcome::Handled);
            }
        };
        let on = |key: &str| form.fields.iter().any(|f| f.key == key && f.is_on());
        let input = TemplateInput {
            name: form.value("name").trim().to_string(),
            context: form
                .value("context")
                .parse()
                .unwrap_or(TemplateContext::Interview),
            body,
            active: on("active"),
            locked: on("locked"),
            reply_expected: on("reply"),
            keywords,
        };
        let result = match editor.id {
            Some(id) => core_templates::update_template(act.store, act.actor, id, &input, act.now)
                .map(|()| id),
            None => core_templates::create_template(act.store, act.actor, &input, act.now),
        };
        match result {
            Ok(id) => {
                self.editor = None;
                self.refresh(&act.ctx())?;
                if let Some(pos) = self.rows.iter().position(|r| r.id == id) {
                    self.sel.selected = pos;
                }
                Ok(Outcome::Info(trf(
                    act.lang(),
                    "admin.tpl_saved",
                    &[("name", &input.name)],
                )))
            }
            Err(e) => {
                form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                Ok(Outcome::Handled)
            }
        }
    }
}

/// Templates are counted with sample data and the signature; batch and free ones with the STOP
/// mention too. They are never refused for their length.
fn setup(settings: &Settings, context: TemplateContext) -> ComposerSetup {
    let with_stop = matches!(context, TemplateContext::Batch | TemplateContext::Free);
    ComposerSetup::from_settings(settings, context, with_stop, true)
}

impl TabView for TemplatesTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.admin = ctx.actor.rights.admin;
        Ok(replace(&mut self.rows, templates::list(ctx.conn)?))
    }

    fn action(&mut self, action: ListAction, _ctx: &Ctx) -> Result<Outcome> {
        Ok(self.sel.moved(action, self.rows.len()))
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        match action {
            ListAction::New => self.open_editor(act, None),
            ListAction::Open | ListAction::Edit => match self.selected().cloned() {
                Some(row) => self.open_editor(act, Some(row)),
                None => Ok(Outcome::Handled),
            },
            ListAction::Toggle => {
                let Some(t) = self.selected().cloned() else {
                    return Ok(Outcome::Handled);
                };
                if t.active && t.automations > 0 {
                    self.confirm = Some(Confirm::SwitchOff {
                        id: t.id,
                        name: t.name,
                        automations: t.automations,
                        ask: Ask::new(act.keymap),
                    });
                    return Ok(Outcome::Handled);
                }
                let outcome = Self::switch(act, t.id, &t.name, !t.active);
                self.refresh(&act.ctx())?;
                Ok(outcome)
            }
            ListAction::Delete => {
                let Some(t) = self.selected() else {
                    return Ok(Outcome::Handled);
                };
                if let Err(e) = act
                    .actor
                    .require_admin(crate::core::Action::DeleteTemplates)
                {
                    return Ok(Outcome::failed(&e, act.lang()));
                }
                if t.used > 0 || t.automations > 0 {
                    // Said before asking: the core would refuse it anyway.
                    return Ok(Outcome::Error(trf(
                        act.lang(),
                        "admin.tpl_delete_refused",
                        &[
                            ("name", &t.name),
                            ("messages", &t.used.to_string()),
                            ("automations", &t.automations.to_string()),
                        ],
                    )));
                }
                self.confirm = Some(Confirm::Delete {
                    id: t.id,
                    name: t.name.clone(),
                    ask: Ask::new(act.keymap),
                });
                Ok(Outcome::Handled)
            }
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.editor.is_some() || self.confirm.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if let Some(confirm) = &mut self.confirm {
            match confirm.ask().key(key, act.keymap.dialog(key)) {
                AskKey::Yes => {
                    let outcome = match confirm {
                        Confirm::SwitchOff { id, name, .. } => {
                            let (id, name) = (*id, name.clone());
                            Self::switch(act, id, &name, false)
                        }
                        Confirm::Delete { id, name, .. } => {
                            let name = name.clone();
                            match core_templates::delete_template(
                                act.store, act.actor, *id, act.now,
                            ) {
                                Ok(()) => Outcome::Info(trf(
                                    act.lang(),
                                    "admin.tpl_deleted",
                                    &[("name", &name)],
                                )),
                                Err(e) => Outcome::failed(&e, act.lang()),
                            }
                        }
                    };
                    self.confirm = None;
                    self.refresh(&act.ctx())?;
                    return Ok(outcome);
                }
                AskKey::No => self.confirm = None,
                AskKey::Stay => {}
            }
            return Ok(Outcome::Handled);
        }
        let check = |e: &mut Editor, i| Self::validate(&mut e.form, i, act);
        let asked = checked_in(&mut self.editor, |e| &mut e.form, key, act.keymap, check);
        modal_outcome(asked, || self.save(act)).unwrap_or(Ok(Outcome::Ignored))
    }

    fn paste(&mut self, text: &str, act: &mut Act) {
        if self.confirm.is_some() {
            return;
        }
        if let Some(editor) = &mut self.editor
            && let Some(i) = editor.form.paste(text)
        {
            Self::validate(&mut editor.form, i, act);
        }
    }

    fn edit_hints(&self) -> EditHints {
        if let Some(confirm) = &self.confirm {
            let lang = self.lang_hint();
            return (
                Vec::new(),
                confirm.asking().hints(&Answers::yes_no(lang), lang),
            );
        }
        // The language only names the free keys; the tab has no context here.
        form_hints(self.editor.as_ref().map(|e| &e.form), self.lang_hint())
    }

    super::admin::list_with_form!();

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let table = admin_header(frame, area, ctx, "tab.templates", self.rows.len());
        let cols = [
            Col::fill(ctx.tr("col.name"), 20, 0),
            Col::new(ctx.tr("col.context"), 11, 1),
            Col::new(ctx.tr("col.active"), 7, 2),
            Col::new(ctx.tr("col.locked"), 7, 4),
            Col::new(ctx.tr("col.reply_expected"), 9, 3),
            Col::new(ctx.tr("col.used"), 7, 2),
        ];
        let cells = self
            .rows
            .iter()
            .map(|t| {
                vec![
                    cell(clean(&t.name)),
                    cell(ctx.fmt.context(&t.context)),
                    active_cell(ctx, t.active),
                    cell(mark(t.locked)),
                    cell(mark(t.reply_expected)),
                    cell(t.used.to_string()),
                ]
            })
            .collect();
        if self.rows.is_empty() {
            let text = ctx.with_keys("start.empty_templates", &[("new", ListAction::New.into())]);
            super::draw_empty(frame, table, ctx, &text);
        } else {
            self.sel.draw_table(frame, table, ctx, &cols, cells);
        }
        if let Some(editor) = &self.editor {
            editor.form.draw(frame, area, ctx.theme, ctx.lang());
        }
        if let Some(confirm) = &self.confirm {
            let (title, line) = confirm.words(ctx.lang());
            let lines = vec![line];
            let answers = Answers::yes_no(ctx.lang());
            let q = Question {
                title: &title,
                lines: &lines,
                ask: confirm.asking(),
                answers: &answers,
                lang: ctx.lang(),
            };
            draw_ask(frame, area, ctx.theme, &q);
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        if self.admin {
            &[
                ListAction::Edit,
                ListAction::New,
                ListAction::Toggle,
                ListAction::Delete,
            ]
        } else {
            &[ListAction::Down, ListAction::Up]
        }
    }
}

/// Templates of `context` a new text may start from (Ctrl-o), the one edited aside. Their
/// text is a starting point here: editable even when they are locked.
fn starters(
    conn: Db<'_>,
    context: TemplateContext,
    except: Option<i64>,
) -> Result<Vec<TemplateChoice>> {
    Ok(TemplateChoice::active(conn, &[context])?
        .into_iter()
        .filter(|t| Some(t.id) != except)
        .map(|t| TemplateChoice { locked: false, ..t })
        .collect())
}
