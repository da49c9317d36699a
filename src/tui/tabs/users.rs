//! Users: operators and their rights as ✓ columns; for administrators, a form of toggles per
//! operator (and one to add an operator). `core::admin::{add_user, set_user}` check the right,
//! refuse to remove the last administrator (their reason is shown as is) and audit.

use super::admin::{header_with, replace};
use super::{Act, Col, Ctx, Outcome, Selection, TabView, body_height, cell, draw_table, styled};
use crate::core::admin::{add_user, set_user};
use crate::i18n::{Lang, tr, trf};
use crate::store::Result;
use crate::store::operators::{self, Operator, Rights};
use crate::tui::fmt::{clean, mark};
use crate::tui::widgets::form::EditHints;
use crate::tui::widgets::form::{Form, FormField, Modal};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

const RIGHTS: [&str; 6] = [
    "instant",
    "scheduled",
    "batch",
    "free",
    "admin",
    "templates_only",
];

struct Editor {
    /// `None`: a new operator (the login is a field).
    login: Option<String>,
    form: Form,
}

/// Operators and their rights; the rights form for administrators.
#[derive(Default)]
pub struct UsersTab {
    rows: Vec<Operator>,
    sel: Selection,
    admin: bool,
    editor: Option<Editor>,
    lang: Option<Lang>,
}

fn right(r: &Rights, name: &str) -> bool {
    match name {
        "instant" => r.instant,
        "scheduled" => r.scheduled,
        "batch" => r.batch,
        "free" => r.free,
        "admin" => r.admin,
        "templates_only" => r.templates_only,
        _ => false,
    }
}

impl UsersTab {
    fn open(&mut self, act: &mut Act, op: Option<Operator>) -> Outcome {
        if let Err(e) = act.actor.require_admin("change operators' rights") {
            return Outcome::Error(e.to_string());
        }
        let lang = act.lang();
        let rights = op.as_ref().map(|o| o.rights).unwrap_or_default();
        let mut fields = Vec::new();
        if op.is_none() {
            fields.push(FormField::text("login", tr(lang, "col.login"), ""));
        }
        for name in RIGHTS {
            fields.push(FormField::toggle(
                name,
                tr(lang, &format!("right.{name}")),
                right(&rights, name),
            ));
        }
        if op.is_some() {
            fields.push(FormField::toggle(
                "active",
                tr(lang, "col.active"),
                op.as_ref().is_some_and(|o| o.active),
            ));
        }
        let title = match &op {
            Some(o) => trf(lang, "admin.user_title", &[("login", &clean(&o.login))]),
            None => tr(lang, "admin.user_new").to_string(),
        };
        self.editor = Some(Editor {
            login: op.map(|o| o.login),
            form: Form::new(&title, fields),
        });
        Outcome::Handled
    }

    fn save(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(editor) = &mut self.editor else {
            return Ok(Outcome::Handled);
        };
        let form = &editor.form;
        let on = |k: &str| form.fields.iter().any(|f| f.key == k && f.is_on());
        let rights = Rights {
            instant: on("instant"),
            scheduled: on("scheduled"),
            batch: on("batch"),
            free: on("free"),
            admin: on("admin"),
            templates_only: on("templates_only"),
        };
        let (login, result) = match &editor.login {
            Some(login) => (
                login.clone(),
                set_user(act.store, act.actor, login, rights, on("active"), act.now),
            ),
            None => {
                let login = form.value("login").trim().to_string();
                let r = add_user(act.store, act.actor, &login, rights, act.now);
                (login, r)
            }
        };
        match result {
            Ok(()) => {
                self.editor = None;
                self.refresh(&act.ctx())?;
                Ok(Outcome::Info(trf(
                    act.lang(),
                    "admin.user_saved",
                    &[("login", &login)],
                )))
            }
            Err(e) => {
                editor.form.message = Some(e.to_string());
                Ok(Outcome::Handled)
            }
        }
    }
}

impl TabView for UsersTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.admin = ctx.actor.rights.admin;
        Ok(replace(&mut self.rows, operators::list(ctx.conn)?))
    }

    fn action(&mut self, action: &str, _ctx: &Ctx) -> Result<Outcome> {
        Ok(self
            .sel
            .action(action, self.rows.len())
            .unwrap_or(Outcome::Ignored))
    }

    fn command(&mut self, action: &str, act: &mut Act) -> Result<Outcome> {
        Ok(match action {
            "new" => self.open(act, None),
            "open" | "edit" | "toggle" => match self.rows.get(self.sel.selected).cloned() {
                Some(op) => self.open(act, Some(op)),
                None => Outcome::Handled,
            },
            _ => Outcome::Ignored,
        })
    }

    fn editing(&self) -> bool {
        self.editor.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let Some(editor) = &mut self.editor else {
            return Ok(Outcome::Ignored);
        };
        match editor.form.modal_key(key, act.keymap) {
            Modal::Save => self.save(act),
            Modal::Close => {
                self.editor = None;
                Ok(Outcome::Handled)
            }
            Modal::Stay => Ok(Outcome::Handled),
        }
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some(editor) = &mut self.editor {
            editor.form.paste(text);
        }
    }

    fn edit_hints(&self) -> EditHints {
        match &self.editor {
            Some(e) => e.form.hints(self.lang.unwrap_or(Lang::En)),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn unsaved(&self) -> bool {
        self.editor.as_ref().is_some_and(|e| e.form.is_changed())
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.lang = Some(ctx.lang());
        let note = if ctx.actor.rights.admin {
            ""
        } else {
            ctx.tr("admin.admin_only")
        };
        let table = header_with(frame, area, ctx, "tab.users", self.rows.len(), note);
        let offset = self.sel.viewport(body_height(table), self.rows.len());
        let cols = [
            Col::fill(ctx.tr("col.login"), 12, 0),
            Col::new(ctx.tr("right.instant"), 8, 1),
            Col::new(ctx.tr("right.scheduled"), 9, 1),
            Col::new(ctx.tr("right.batch"), 7, 1),
            Col::new(ctx.tr("right.free"), 6, 1),
            Col::new(ctx.tr("right.admin"), 6, 1),
            Col::new(ctx.tr("right.templates_only"), 10, 2),
            Col::new(ctx.tr("col.active"), 7, 0),
        ];
        let cells = self
            .rows
            .iter()
            .map(|o| {
                let r = o.rights;
                let active = if o.active {
                    ctx.theme.ok()
                } else {
                    ctx.theme.dim()
                };
                vec![
                    cell(clean(&o.login)),
                    cell(mark(r.instant)),
                    cell(mark(r.scheduled)),
                    cell(mark(r.batch)),
                    cell(mark(r.free)),
                    cell(mark(r.admin)),
                    cell(mark(r.templates_only)),
                    styled(ctx.fmt.yes_no(o.active), active),
                ]
            })
            .collect();
        let selected = (!self.rows.is_empty()).then_some(self.sel.selected);
        draw_table(frame, table, ctx, &cols, cells, selected, offset);
        if let Some(editor) = &mut self.editor {
            let height = area.height.min(14);
            let rect = Rect {
                y: area.y + (area.height - height) / 2,
                height,
                ..area
            };
            editor.form.draw(frame, rect, ctx.theme, ctx.lang());
        }
    }

    fn hints(&self) -> &'static [&'static str] {
        if self.admin {
            &["edit", "new", "down", "up"]
        } else {
            &["down", "up"]
        }
    }
}
