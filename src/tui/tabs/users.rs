//! Users: operators and their rights as ✓ columns, with how many SSH keys each has and their
//! language; for administrators, a form of toggles per operator (and one to add an operator),
//! and a window listing one operator's SSH keys where keys are added (typed or pasted) and
//! removed. `core::admin::{add_user, set_user}` and `core::keys` check the right, refuse what
//! breaks a rule (the last administrator, a key with options, a key someone already has…) with
//! a reason shown as is, and audit.

use super::admin::{active_cell, admin_header, replace};
use super::modal_outcome;
use super::{Act, Col, Ctx, Outcome, Selection, TabView, body_height, cell};
use crate::core::admin::{add_user, set_user};
use crate::core::keys::{add_key, list_keys, set_language};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::{Action, EditorAction, ListAction};
use crate::store::Result;
use crate::store::operator_keys::{self, StoredKey};
use crate::store::operators::{self, Operator, Rights};
use crate::tui::fmt::{clean, mark, truncate};
use crate::tui::widgets::ask::{Answers, Ask, AskKey, Question, draw_ask};
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::form::{EditHints, Form, FormField, form_hints, lost_in, modal_in};
use crate::tui::widgets::titled_block;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Longest key text taken: an RSA 16384-bit `.pub` line is under 3 KiB; more is not a key.
const MAX_KEY_TEXT: usize = 16 * 1024;

/// The choices of an operator's language: `auto` follows the store's setting.
pub fn language_options(lang: Lang) -> Vec<(String, String)> {
    vec![
        ("auto".into(), tr(lang, "users.lang_auto").to_string()),
        ("fr".into(), tr(lang, "language.fr").to_string()),
        ("en".into(), tr(lang, "language.en").to_string()),
    ]
}

/// How a stored language shows: `fr`, `en` or `auto`.
pub fn language_code(language: Option<&str>) -> &str {
    language.unwrap_or("auto")
}

crate::typed_messages! {
    /// An operator's own language as the list shows it (texts: `[language_choice]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum LanguageChoice in "language_choice" {
        /// None chosen: the store's setting (or `$LANG`).
        Auto,
        French = "fr",
        English = "en",
    }
}

impl LanguageChoice {
    /// The stored choice (`None`: none; an unknown code, never stored, shows as none).
    pub fn of(language: Option<&str>) -> LanguageChoice {
        match language.and_then(Lang::parse) {
            Some(Lang::Fr) => LanguageChoice::French,
            Some(Lang::En) => LanguageChoice::English,
            None => LanguageChoice::Auto,
        }
    }
}

struct Editor {
    /// `None`: a new operator (the login is a field).
    login: Option<String>,
    /// The language when the form opened (`auto`, `fr`, `en`): stored again only if changed.
    language: String,
    form: Form,
}

/// Keys bound to the keys window's actions, read from the live keymap when it opens.
struct KeyLabels {
    add: String,
    remove: String,
    close: String,
    save: String,
}

/// One operator's SSH keys, over the operators table.
struct KeysWindow {
    login: String,
    keys: Vec<StoredKey>,
    sel: Selection,
    /// The key text being typed or pasted (`None`: the list has the keyboard).
    adding: Option<String>,
    /// Why the last key was refused (the core's reason, in the interface's language).
    error: Option<String>,
    /// "Drop the key typed?" is being asked (Enter keeps it).
    discard: Option<Ask>,
    labels: KeyLabels,
}

/// Operators and their rights; the rights form and the keys window for administrators.
#[derive(Default)]
pub struct UsersTab {
    /// Each operator with how many keys they have.
    rows: Vec<(Operator, usize)>,
    sel: Selection,
    admin: bool,
    editor: Option<Editor>,
    keys: Option<KeysWindow>,
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

/// A key type as short as the table needs (`ssh-ed25519` → `ed25519`); the detail shows it whole.
fn short_kind(kind: &str) -> String {
    let k = kind.trim_end_matches("@openssh.com");
    let k = k.replace("ecdsa-sha2-nistp", "ecdsa-").replace("ssh-", "");
    if k == "dss" { "dsa".into() } else { k }
}

fn label(keymap: &crate::keymap::Keymap, action: Action, fallback: &str) -> String {
    keymap
        .key_for(action)
        .unwrap_or_else(|| fallback.to_string())
}

impl UsersTab {
    fn open(&mut self, act: &mut Act, op: Option<Operator>) -> Outcome {
        if let Err(e) = act.actor.require_admin(crate::core::Action::ChangeRights) {
            return Outcome::failed(&e, act.lang());
        }
        let lang = act.lang();
        let rights = op.as_ref().map(|o| o.rights).unwrap_or_default();
        let mut fields = Vec::new();
        if op.is_none() {
            fields.push(FormField::text("login", tr(lang, "col.login"), ""));
        }
        for name in Rights::NAMES {
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
        let language = language_code(op.as_ref().and_then(|o| o.language.as_deref())).to_string();
        fields.push(FormField::choice(
            "language",
            tr(lang, "users.language"),
            &language,
            language_options(lang),
            false,
        ));
        let title = match &op {
            Some(o) => trf(lang, "admin.user_title", &[("login", &clean(&o.login))]),
            None => tr(lang, "admin.user_new").to_string(),
        };
        self.editor = Some(Editor {
            login: op.map(|o| o.login),
            language,
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
        let language = form.value("language").to_string();
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
        // The language is its own audited change, made only when it changed.
        let result = result.and_then(|()| {
            if language == editor.language {
                Ok(None)
            } else {
                set_language(act.store, act.actor, &login, &language, act.now).map(Some)
            }
        });
        match result {
            Ok(changed) => {
                self.editor = None;
                self.refresh(&act.ctx())?;
                if let Some(chosen) = changed.filter(|_| login == act.actor.login) {
                    return Ok(Outcome::OwnLanguage(chosen));
                }
                Ok(Outcome::Info(trf(
                    act.lang(),
                    "admin.user_saved",
                    &[("login", &login)],
                )))
            }
            Err(e) => {
                editor.form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                Ok(Outcome::Handled)
            }
        }
    }

    fn open_keys(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some((op, _)) = self.rows.get(self.sel.selected) else {
            return Ok(Outcome::Handled);
        };
        let login = op.login.clone();
        let keys = match list_keys(act.store, act.actor, &login) {
            Ok(k) => k,
            Err(e) => {
                return Ok(Outcome::failed(&e, act.lang()));
            }
        };
        let km = act.keymap;
        self.keys = Some(KeysWindow {
            login,
            keys,
            sel: Selection::default(),
            adding: None,
            error: None,
            discard: None,
            labels: KeyLabels {
                add: label(km, ListAction::AddKey.into(), "a"),
                remove: label(km, ListAction::Delete.into(), "d"),
                close: label(km, EditorAction::Close.into(), "Esc"),
                save: label(km, EditorAction::Save.into(), "Ctrl-s"),
            },
        });
        Ok(Outcome::Handled)
    }

    /// Hands the typed key to the core; its refusal stays in the window with the text.
    fn submit_key(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(w) = &mut self.keys else {
            return Ok(Outcome::Handled);
        };
        let text = w.adding.clone().unwrap_or_default();
        match add_key(act.store, act.actor, &w.login, &text, act.now) {
            Ok(fingerprint) => {
                w.adding = None;
                w.error = None;
                let login = w.login.clone();
                self.refresh(&act.ctx())?;
                if let Some(w) = &mut self.keys {
                    w.sel.selected = w
                        .keys
                        .iter()
                        .position(|k| k.fingerprint == fingerprint)
                        .unwrap_or(0);
                }
                Ok(Outcome::Info(trf(
                    act.lang(),
                    "users.key_added",
                    &[("fingerprint", &fingerprint), ("login", &login)],
                )))
            }
            Err(e) => {
                w.error = Some(crate::i18n::Describe::describe(&e, act.lang()));
                Ok(Outcome::Handled)
            }
        }
    }

    /// Asks before removing the selected key; the app runs the removal on "yes".
    fn ask_remove(&self, act: &Act) -> Outcome {
        let Some(w) = &self.keys else {
            return Outcome::Handled;
        };
        let Some(key) = w.keys.get(w.sel.selected) else {
            return Outcome::Handled;
        };
        let lang = act.lang();
        let login = w.login.clone();
        let fingerprint = key.fingerprint.clone();
        // One short line each: the fingerprint cannot wrap, a long sentence around it would.
        let comment = clean(&key.comment);
        let lines = vec![
            Line::from(trf(
                lang,
                "users.remove_question",
                &[("login", &clean(&login))],
            )),
            Line::from(fingerprint.clone()),
            Line::from(
                format!("{} {comment}", clean(&key.kind))
                    .trim_end()
                    .to_string(),
            ),
            Line::from(tr(lang, "users.remove_effect").to_string()),
        ];
        Outcome::Confirm(
            Confirm::new(
                tr(lang, "users.remove_title").to_string(),
                lines,
                crate::tui::pending::Pending::RemoveKey { login, fingerprint },
            )
            .destructive(Answers::yes_no(lang)),
        )
    }

    /// A key while the keys window is open.
    fn keys_key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let Some(w) = &mut self.keys else {
            return Ok(Outcome::Ignored);
        };
        if let Some(ask) = &mut w.discard {
            match ask.key(key, act.keymap.dialog(key)) {
                AskKey::Yes => {
                    w.discard = None;
                    w.adding = None;
                    w.error = None;
                }
                AskKey::No => w.discard = None,
                AskKey::Stay => {}
            }
            return Ok(Outcome::Handled);
        }
        let editor = act.keymap.editor(key);
        if let Some(text) = &mut w.adding {
            if editor == Some(EditorAction::Close) {
                // Typed text is never dropped without asking.
                if text.trim().is_empty() {
                    w.adding = None;
                    w.error = None;
                } else {
                    w.discard = Some(Ask::new(act.keymap));
                }
                return Ok(Outcome::Handled);
            }
            if editor == Some(EditorAction::Save) || key.code == KeyCode::Enter {
                return self.submit_key(act);
            }
            let ctrl = key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
            match key.code {
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char('u') if ctrl => text.clear(),
                KeyCode::Char(c) if !ctrl && !c.is_control() && text.len() < MAX_KEY_TEXT => {
                    text.push(c)
                }
                _ => return Ok(Outcome::Handled),
            }
            w.error = None;
            return Ok(Outcome::Handled);
        }
        if editor == Some(EditorAction::Close) {
            self.keys = None;
            return Ok(Outcome::Handled);
        }
        match act.keymap.list(key) {
            Some(ListAction::AddKey) => {
                w.adding = Some(String::new());
                w.error = None;
                Ok(Outcome::Handled)
            }
            Some(ListAction::Delete) => Ok(self.ask_remove(act)),
            Some(a) => {
                w.sel.action(a, w.keys.len());
                Ok(Outcome::Handled)
            }
            None => Ok(Outcome::Handled),
        }
    }

    /// Where the keys window puts its list of keys in `area` (the window's text under it).
    fn keys_list(w: &KeysWindow, area: Rect, ctx: &Ctx) -> Option<(Rect, Vec<Line<'static>>)> {
        let inner = Block::default().borders(Borders::ALL).inner(area);
        if inner.height < 4 || inner.width < 20 {
            return None;
        }
        let width = usize::from(inner.width);
        let below = Self::keys_below(w, width, ctx);
        let below_rows: u16 = below
            .iter()
            .map(|l| u16::try_from(l.width().max(1).div_ceil(width)).unwrap_or(1))
            .sum();
        let list_h = inner.height.saturating_sub(below_rows + 1).max(2);
        let list = Rect {
            height: list_h,
            ..inner
        };
        Some((list, below))
    }

    /// Under the keys window's list: the selected key in full, then the line being typed and
    /// the refusal.
    fn keys_below(w: &KeysWindow, width: usize, ctx: &Ctx) -> Vec<Line<'static>> {
        let lang = ctx.lang();
        let mut below: Vec<Line> = Vec::new();
        if let Some(k) = w
            .keys
            .get(w.sel.selected.min(w.keys.len().saturating_sub(1)))
        {
            below.push(Line::from(Span::styled(
                truncate(&k.fingerprint, width),
                ctx.theme.title(),
            )));
            let comment = clean(&k.comment);
            let what = if comment.is_empty() {
                clean(&k.kind)
            } else {
                format!("{} · {comment}", clean(&k.kind))
            };
            below.push(Line::from(truncate(&what, width)));
            below.push(Line::from(Span::styled(
                truncate(
                    &trf(
                        lang,
                        "users.added",
                        &[
                            ("when", &ctx.fmt.date_time(k.added_at)),
                            ("who", &clean(&k.added_by)),
                        ],
                    ),
                    width,
                ),
                ctx.theme.dim(),
            )));
        }
        if let Some(text) = &w.adding {
            below.push(Line::from(""));
            let label = format!("{}{}", tr(lang, "users.key_line"), tr(lang, "ui.colon"));
            // Line breaks show, so a paste of several lines is seen as such; the end of a
            // long key shows, where the typing happens.
            let shown = clean(&text.trim_end_matches(['\n', '\r']).replace('\n', "⏎"));
            let room =
                width.saturating_sub(unicode_width::UnicodeWidthStr::width(label.as_str()) + 1);
            let chars: Vec<char> = shown.chars().collect();
            let shown = if chars.len() > room {
                let keep = room.saturating_sub(1);
                format!(
                    "…{}",
                    chars[chars.len() - keep..].iter().collect::<String>()
                )
            } else {
                shown
            };
            below.push(Line::from(vec![
                Span::styled(label, ctx.theme.title()),
                Span::raw(shown),
                Span::styled(crate::tui::widgets::MARKER, ctx.theme.dim()),
            ]));
        }
        if let Some(e) = &w.error {
            below.push(Line::from(Span::styled(
                format!("✖ {}", clean(e)),
                ctx.theme.error(),
            )));
        }
        below
    }

    /// Before drawing the keys window: scrolls its list to keep the selection in view.
    fn layout_keys(&mut self, area: Rect, ctx: &Ctx) {
        let Some(w) = &mut self.keys else {
            return;
        };
        if let Some((list, _)) = Self::keys_list(w, area, ctx)
            && !w.keys.is_empty()
        {
            w.sel.viewport(body_height(list), w.keys.len());
        }
    }

    fn draw_keys(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let Some(w) = &self.keys else {
            return;
        };
        let lang = ctx.lang();
        frame.render_widget(Clear, area);
        let title = trf(lang, "users.keys_title", &[("login", &clean(&w.login))]);
        let block = titled_block(&title, area.width, ctx.theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let Some((list, below)) = Self::keys_list(w, area, ctx) else {
            return;
        };
        let list_h = list.height;
        if w.keys.is_empty() {
            let text = trf(
                lang,
                "users.no_keys",
                &[("login", &clean(&w.login)), ("key", &w.labels.add)],
            );
            frame.render_widget(
                Paragraph::new(Span::styled(text, ctx.theme.dim())).wrap(Wrap { trim: false }),
                list,
            );
        } else {
            let cols = [
                Col::new(ctx.tr("users.col_type"), 10, 1),
                Col::fill(ctx.tr("users.col_fingerprint"), 20, 0),
                Col::new(ctx.tr("users.col_comment"), 14, 2),
                Col::new(ctx.tr("users.col_added"), 10, 3),
                Col::new(ctx.tr("users.col_by"), 10, 4),
            ];
            let cells = w
                .keys
                .iter()
                .map(|k| {
                    vec![
                        cell(short_kind(&clean(&k.kind))),
                        cell(k.fingerprint.clone()),
                        cell(clean(&k.comment)),
                        cell(ctx.fmt.date_at(k.added_at)),
                        cell(clean(&k.added_by)),
                    ]
                })
                .collect();
            w.sel.draw_table(frame, list, ctx, &cols, cells);
        }
        let rest = Rect {
            y: inner.y + list_h + 1,
            height: inner.height.saturating_sub(list_h + 1),
            ..inner
        };
        // The typed line comes last but for a refusal; the lines above it take their rows.
        let typed = w
            .adding
            .as_ref()
            .and_then(|_| below.len().checked_sub(1 + usize::from(w.error.is_some())));
        let width = usize::from(inner.width).max(1);
        let cursor = typed.map(|i| {
            let above: usize = below[..i]
                .iter()
                .map(|l| l.width().max(1).div_ceil(width))
                .sum();
            (below[i].width().saturating_sub(1), above)
        });
        frame.render_widget(Paragraph::new(below).wrap(Wrap { trim: false }), rest);
        if let Some((col, row)) = cursor {
            crate::tui::widgets::show_cursor(frame, rest, col, row);
        }
        if let Some(ask) = &w.discard {
            let lines = [ctx.tr("users.discard_question").to_string()];
            let answers = discard_answers(ctx.lang());
            let q = Question {
                title: ctx.tr("form.discard_title"),
                lines: &lines,
                ask,
                answers: &answers,
                lang: ctx.lang(),
            };
            draw_ask(frame, area, ctx.theme, &q);
        }
    }
}

/// "Keep editing" / "Discard" for the key typed and not added.
fn discard_answers(lang: Lang) -> Answers {
    Answers::new(lang, "form.keep_editing", "form.discard")
}

/// The operator form, centred in the tab.
fn editor_rect(area: Rect) -> Rect {
    let height = area.height.min(14);
    Rect {
        y: area.y + (area.height - height) / 2,
        height,
        ..area
    }
}

impl TabView for UsersTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.admin = ctx.actor.rights.admin;
        let counts = operator_keys::counts(ctx.conn)?;
        let rows = operators::list(ctx.conn)?
            .into_iter()
            .map(|o| {
                let n = counts.get(&o.login).copied().unwrap_or(0);
                (o, n)
            })
            .collect();
        let mut changed = replace(&mut self.rows, rows);
        if let Some(w) = &mut self.keys {
            changed |= replace(&mut w.keys, operator_keys::of(ctx.conn, &w.login)?);
        }
        Ok(changed)
    }

    fn action(&mut self, action: ListAction, _ctx: &Ctx) -> Result<Outcome> {
        Ok(self.sel.moved(action, self.rows.len()))
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        Ok(match action {
            ListAction::New => self.open(act, None),
            ListAction::Open | ListAction::Edit | ListAction::Toggle => {
                match self.rows.get(self.sel.selected).cloned() {
                    Some((op, _)) => self.open(act, Some(op)),
                    None => Outcome::Handled,
                }
            }
            ListAction::Keys => return self.open_keys(act),
            _ => Outcome::Ignored,
        })
    }

    fn editing(&self) -> bool {
        self.editor.is_some() || self.keys.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if self.keys.is_some() {
            return self.keys_key(key, act);
        }
        let asked = modal_in(&mut self.editor, |e| &mut e.form, key, act.keymap);
        modal_outcome(asked, || self.save(act)).unwrap_or(Ok(Outcome::Ignored))
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some(w) = &mut self.keys {
            if w.discard.is_some() {
                return;
            }
            // A paste in the list starts a new key with it: the usual way to give one.
            let typed = w.adding.get_or_insert_with(String::new);
            if typed.len() + text.len() > MAX_KEY_TEXT {
                w.error = Some(trf(
                    self.lang.unwrap_or(Lang::En),
                    "users.key_too_long",
                    &[("max", &MAX_KEY_TEXT.to_string())],
                ));
                return;
            }
            // Terminals paste line ends as CR: one `\n` each, so several lines read as such.
            typed.push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
            w.error = None;
            return;
        }
        if let Some(editor) = &mut self.editor {
            editor.form.paste(text);
        }
    }

    fn edit_hints(&self) -> EditHints {
        let lang = self.lang.unwrap_or(Lang::En);
        if let Some(w) = &self.keys {
            if let Some(ask) = &w.discard {
                return (Vec::new(), ask.hints(&discard_answers(lang), lang));
            }
            let l = &w.labels;
            let free = if w.adding.is_some() {
                vec![
                    (
                        format!("Enter/{}", l.save),
                        tr(lang, "users.hint_submit").to_string(),
                    ),
                    ("Ctrl-u".into(), tr(lang, "users.hint_clear").to_string()),
                    (l.close.clone(), tr(lang, "users.hint_cancel").to_string()),
                ]
            } else {
                let mut v = vec![(l.add.clone(), tr(lang, "users.hint_add").to_string())];
                if !w.keys.is_empty() {
                    v.push((l.remove.clone(), tr(lang, "users.hint_remove").to_string()));
                    v.push(("↑↓".into(), tr(lang, "form.move").to_string()));
                }
                v.push((l.close.clone(), tr(lang, "users.hint_close").to_string()));
                v
            };
            return (Vec::new(), free);
        }
        form_hints(self.editor.as_ref().map(|e| &e.form), lang)
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        let mut v = lost_in([self.editor.as_ref().map(|e| &e.form)], lang);
        let typed_key = self
            .keys
            .as_ref()
            .and_then(|w| w.adding.as_deref())
            .is_some_and(|t| !t.trim().is_empty());
        if typed_key {
            v.push(tr(lang, "users.lost_key").to_string());
        }
        v
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = Some(ctx.lang());
        self.sel.fit_below_info(area, self.rows.len());
        if let Some(editor) = &mut self.editor {
            editor.form.layout(editor_rect(area), ctx.theme);
        }
        self.layout_keys(area, ctx);
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let table = admin_header(frame, area, ctx, "tab.users", self.rows.len());
        let cols = [
            Col::fill(ctx.tr("col.login"), 12, 0),
            Col::new(ctx.tr("right.instant"), 8, 1),
            Col::new(ctx.tr("right.scheduled"), 9, 1),
            Col::new(ctx.tr("right.batch"), 6, 1),
            Col::new(ctx.tr("right.free"), 5, 1),
            Col::new(ctx.tr("right.admin"), 5, 1),
            Col::new(ctx.tr("right.templates_only"), 7, 2),
            Col::new(ctx.tr("col.active"), 6, 0),
            Col::new(ctx.tr("users.col_keys"), 4, 1),
            Col::new(ctx.tr("users.col_lang"), 8, 1),
        ];
        let cells = self
            .rows
            .iter()
            .map(|(o, keys)| {
                let r = o.rights;
                vec![
                    cell(clean(&o.login)),
                    cell(mark(r.instant)),
                    cell(mark(r.scheduled)),
                    cell(mark(r.batch)),
                    cell(mark(r.free)),
                    cell(mark(r.admin)),
                    cell(mark(r.templates_only)),
                    active_cell(ctx, o.active),
                    cell(keys.to_string()),
                    cell(LanguageChoice::of(o.language.as_deref()).describe(ctx.lang())),
                ]
            })
            .collect();
        self.sel.draw_table(frame, table, ctx, &cols, cells);
        if let Some(editor) = &self.editor {
            editor
                .form
                .draw(frame, editor_rect(area), ctx.theme, ctx.lang());
        }
        if self.keys.is_some() {
            self.draw_keys(frame, area, ctx);
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        if self.admin {
            &[
                ListAction::Edit,
                ListAction::New,
                ListAction::Keys,
                ListAction::Down,
                ListAction::Up,
            ]
        } else {
            &[ListAction::Down, ListAction::Up]
        }
    }
}
