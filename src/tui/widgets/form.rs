//! A keyboard form: one field per line (text, secret, toggle, choice with free text), Tab /
//! Shift-Tab / ↑ ↓ between fields, the reason a value is refused shown inline under it, and
//! optionally the SMS composer as the last field. The form knows no rule: its owner validates
//! each change (through the store's or the core's validation) and sets the field's error.

use super::ask::{Answers, Ask, AskKey, Question, draw_ask, join_items};
use super::composer::{Composer, ComposerKey};
use super::titled_block;
use super::{boxed_height, centred};
use crate::i18n::{Lang, tr, trf};
use crate::keymap::{Action, DialogAction, EditorAction, GlobalAction, Keymap};
use crate::tui::fmt::{clean, truncate, wrap};
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

/// How a field is edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text on one line.
    Text,
    /// Free text shown masked (credentials); empty means "unchanged".
    Secret,
    /// On / off with Space (or ← →).
    Toggle,
    /// ← → cycle through `(value, label)` suggestions; with `free`, typing any value is allowed
    /// too (a timezone outside the list).
    Choice {
        options: Vec<(String, String)>,
        free: bool,
    },
    /// Read-only: a line the owner writes (a count, a summary); keys do not change it.
    Info,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormField {
    /// The owner's name for it (a setting key, `name`, `context`…).
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    /// The value as typed (`yes` / `no` for toggles).
    pub value: String,
    /// Why the value is refused, shown under it: already in the screen's language (the owner
    /// validates and describes).
    pub error: Option<String>,
    /// A short help shown when the field has the focus.
    pub help: String,
}

impl FormField {
    pub fn text(key: &str, label: &str, value: &str) -> FormField {
        FormField {
            key: key.into(),
            label: label.into(),
            kind: FieldKind::Text,
            value: value.into(),
            error: None,
            help: String::new(),
        }
    }

    pub fn secret(key: &str, label: &str) -> FormField {
        FormField {
            kind: FieldKind::Secret,
            ..FormField::text(key, label, "")
        }
    }

    pub fn toggle(key: &str, label: &str, on: bool) -> FormField {
        FormField {
            kind: FieldKind::Toggle,
            ..FormField::text(key, label, if on { "yes" } else { "no" })
        }
    }

    pub fn choice(
        key: &str,
        label: &str,
        value: &str,
        options: Vec<(String, String)>,
        free: bool,
    ) -> FormField {
        FormField {
            kind: FieldKind::Choice { options, free },
            ..FormField::text(key, label, value)
        }
    }

    pub fn info(key: &str, label: &str, value: &str) -> FormField {
        FormField {
            kind: FieldKind::Info,
            ..FormField::text(key, label, value)
        }
    }

    pub fn with_help(mut self, help: &str) -> FormField {
        self.help = help.into();
        self
    }

    pub fn is_on(&self) -> bool {
        self.value == "yes"
    }
}

/// Footer hints of an editor: `(context, action)` pairs resolved through the keymap, and
/// free `(key, description)` pairs for keys that are not bindings.
pub type EditHints = (Vec<Action>, Vec<(String, String)>);

/// What the form did with a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKey {
    Handled,
    /// The value of field `i` changed (`usize::MAX`: the composer's text): validate it.
    Changed(usize),
    /// The save key.
    Save,
    /// The close key (Esc).
    Close,
}

/// What a form that checks its values only when saved asks of its tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modal {
    Save,
    Close,
    /// The form used the key (a change clears the last refusal shown under it).
    Stay,
}

/// What a key did to the modal form held in `slot`: `None` when no form is open there. Esc
/// (once answered) closes the form and empties the slot; `Some(true)`: the operator asked to
/// save, which is the caller's; `Some(false)`: the form used the key.
pub fn modal_in<T>(
    slot: &mut Option<T>,
    form: impl Fn(&mut T) -> &mut Form,
    key: &KeyEvent,
    keymap: &Keymap,
) -> Option<bool> {
    checked_in(slot, form, key, keymap, |_, _| {})
}

/// [`modal_in`] for a form whose owner checks each field as it changes: `check` is given the
/// open item and the changed field's index.
pub fn checked_in<T>(
    slot: &mut Option<T>,
    form: impl Fn(&mut T) -> &mut Form,
    key: &KeyEvent,
    keymap: &Keymap,
    check: impl FnOnce(&mut T, usize),
) -> Option<bool> {
    let open = slot.as_mut()?;
    match form(open).key(key, keymap) {
        FormKey::Save => Some(true),
        FormKey::Close => {
            *slot = None;
            Some(false)
        }
        FormKey::Changed(i) => {
            // A change clears the last refusal shown under the form.
            form(open).message = None;
            check(open, i);
            Some(false)
        }
        FormKey::Handled => Some(false),
    }
}

/// What closing the open ones of `forms` would lose, one form after the other ([`Form::lost`]).
pub fn lost_in<'f>(forms: impl IntoIterator<Item = Option<&'f Form>>, lang: Lang) -> Vec<String> {
    forms
        .into_iter()
        .flatten()
        .flat_map(|f| f.lost(lang))
        .collect()
}

/// Index [`FormKey::Changed`] gives for the composer.
pub const COMPOSER: usize = usize::MAX;

pub struct Form {
    pub title: String,
    pub fields: Vec<FormField>,
    /// The text editor after the fields, if the form has one.
    pub composer: Option<Composer>,
    /// Focused field; `fields.len()` is the composer.
    pub focus: usize,
    /// A line under the form (the last refusal of a save), in the screen's language.
    pub message: Option<String>,
    /// What the owner holds outside the fields and Esc would lose too (`3 recipients`),
    /// already in the screen's language.
    pub extra_loss: Vec<String>,
    /// Each field's value before its first change, by key: a field typed back to it is not
    /// a loss.
    originals: std::collections::HashMap<String, String>,
    /// "Abandon? … will be lost" is being asked (Esc on a form with changes).
    asking: Option<Ask>,
    offset: usize,
    /// Saving sends (after a confirmation): the save key is shown as "send…".
    sends: bool,
}

impl Form {
    /// Transliterates the composer's text to GSM-7 (`Ctrl-t`); false when the form has no
    /// composer or nothing changed.
    pub fn transliterate(&mut self) -> bool {
        self.composer.as_mut().is_some_and(Composer::transliterate)
    }

    pub fn new(title: &str, fields: Vec<FormField>) -> Form {
        Form {
            title: title.into(),
            fields,
            composer: None,
            focus: 0,
            message: None,
            extra_loss: Vec::new(),
            originals: std::collections::HashMap::new(),
            asking: None,
            offset: 0,
            sends: false,
        }
    }

    /// A form whose save key sends: its hint says so, and the cursor starts in the first
    /// field or, when the form has only a time before the text, in the text.
    pub fn sending(mut self) -> Form {
        self.sends = true;
        self
    }

    /// Puts the cursor in the text box.
    pub fn focus_text(mut self) -> Form {
        if self.composer.is_some() {
            self.focus = self.fields.len();
        }
        self
    }

    pub fn with_composer(mut self, composer: Composer) -> Form {
        self.composer = Some(composer);
        self
    }

    /// Whether something typed since the form opened would be lost by closing it.
    pub fn is_changed(&self) -> bool {
        self.fields.iter().any(|f| self.field_changed(f))
            || self.composer.as_ref().is_some_and(Composer::is_changed)
            || !self.extra_loss.is_empty()
    }

    fn field_changed(&self, f: &FormField) -> bool {
        self.originals.get(&f.key).is_some_and(|v| *v != f.value)
    }

    /// What closing would lose, by the labels the operator sees: the changed fields, the
    /// text, then what the owner holds ([`Form::extra_loss`]). Empty: nothing.
    pub fn lost(&self, lang: Lang) -> Vec<String> {
        let mut v: Vec<String> = self
            .fields
            .iter()
            .filter(|f| self.field_changed(f))
            .map(|f| clean(f.label.trim()))
            .collect();
        if self.composer.as_ref().is_some_and(Composer::is_changed) {
            v.push(tr(lang, "form.text").to_string());
        }
        v.extend(self.extra_loss.iter().cloned());
        v
    }

    /// Whether the "abandon?" question is open (the owner then leaves every key to the form).
    pub fn asking(&self) -> bool {
        self.asking.is_some()
    }

    fn answers(lang: Lang) -> Answers {
        Answers::new(lang, "form.keep_editing", "form.discard")
    }

    /// The close key: closes at once without changes, else asks (Enter keeps editing).
    fn close(&mut self, keymap: &Keymap) -> FormKey {
        if self.is_changed() {
            self.asking = Some(Ask::new(keymap));
            FormKey::Handled
        } else {
            FormKey::Close
        }
    }

    pub fn value(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or("", |f| f.value.as_str())
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut FormField> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    fn slots(&self) -> usize {
        self.fields.len() + usize::from(self.composer.is_some())
    }

    pub fn composer_focused(&self) -> bool {
        self.composer.is_some() && self.focus == self.fields.len()
    }

    /// [`Form::key`] for forms checked only when saved.
    pub fn modal_key(&mut self, key: &KeyEvent, keymap: &Keymap) -> Modal {
        match self.key(key, keymap) {
            FormKey::Save => Modal::Save,
            FormKey::Close => Modal::Close,
            FormKey::Changed(_) => {
                self.message = None;
                Modal::Stay
            }
            FormKey::Handled => Modal::Stay,
        }
    }

    pub fn key(&mut self, key: &KeyEvent, keymap: &Keymap) -> FormKey {
        if let Some(ask) = &mut self.asking {
            return match ask.key(key, keymap.dialog(key)) {
                AskKey::Yes => {
                    self.asking = None;
                    FormKey::Close
                }
                AskKey::No => {
                    self.asking = None;
                    FormKey::Handled
                }
                AskKey::Stay => FormKey::Handled,
            };
        }
        let action = keymap.editor(key);
        if action == Some(EditorAction::Save) || (self.sends && action == Some(EditorAction::Send))
        {
            return FormKey::Save;
        }
        // The template picker opens from any field: it fills the box.
        if action == Some(EditorAction::PickTemplate)
            && self
                .composer
                .as_ref()
                .is_some_and(|c| !c.templates().is_empty())
        {
            self.focus = self.fields.len();
        }
        if self.composer_focused()
            && let Some(c) = &mut self.composer
        {
            {
                let picker = c.picker_open();
                let before = c.text();
                if c.key(key, keymap) == ComposerKey::Handled {
                    return if c.text() != before {
                        FormKey::Changed(COMPOSER)
                    } else {
                        FormKey::Handled
                    };
                }
                if picker {
                    return FormKey::Handled;
                }
            }
        }
        if action == Some(EditorAction::Close) {
            return self.close(keymap);
        }
        let slots = self.slots();
        match key.code {
            KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1) % slots.max(1);
                return FormKey::Handled;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + slots.max(1) - 1) % slots.max(1);
                return FormKey::Handled;
            }
            _ => {}
        }
        let i = self.focus;
        let Some(field) = self.fields.get_mut(i) else {
            return FormKey::Handled;
        };
        let typing = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let before = field.value.clone();
        let changed = match (&field.kind, key.code) {
            (FieldKind::Toggle, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                field.value = if field.is_on() { "no" } else { "yes" }.into();
                true
            }
            (FieldKind::Toggle | FieldKind::Info, _) => false,
            (FieldKind::Choice { options, .. }, KeyCode::Left | KeyCode::Right)
                if !options.is_empty() =>
            {
                let pos = options.iter().position(|(v, _)| *v == field.value);
                let n = options.len();
                let next = match (pos, key.code) {
                    (None, _) => 0,
                    (Some(p), KeyCode::Right) => (p + 1) % n,
                    (Some(p), _) => (p + n - 1) % n,
                };
                field.value = options[next].0.clone();
                true
            }
            (FieldKind::Choice { free: false, .. }, _) => false,
            (_, KeyCode::Backspace) => field.value.pop().is_some(),
            (_, KeyCode::Char('u')) if !typing => {
                field.value.clear();
                true
            }
            (_, KeyCode::Char(c)) if typing && !c.is_control() => {
                if field.value.chars().count() < 500 {
                    field.value.push(c);
                }
                true
            }
            _ => false,
        };
        if changed {
            let k = field.key.clone();
            self.originals.entry(k).or_insert(before);
            FormKey::Changed(i)
        } else {
            FormKey::Handled
        }
    }

    /// Pasted text: into the composer when it has the focus, else into a text field (first
    /// line only).
    pub fn paste(&mut self, text: &str) -> Option<usize> {
        if self.composer_focused() {
            if let Some(c) = &mut self.composer {
                c.paste(text);
            }
            return Some(COMPOSER);
        }
        let i = self.focus;
        let field = self.fields.get_mut(i)?;
        match field.kind {
            FieldKind::Text | FieldKind::Secret | FieldKind::Choice { free: true, .. } => {
                let line = text.lines().next().unwrap_or("");
                self.originals
                    .entry(field.key.clone())
                    .or_insert_with(|| field.value.clone());
                field.value.push_str(&clean(line));
                Some(i)
            }
            _ => None,
        }
    }

    /// Footer hints: `(context, action)` through the keymap, plus the keys of the fields.
    pub fn hints(&self, lang: Lang) -> EditHints {
        if let Some(ask) = &self.asking {
            return (Vec::new(), ask.hints(&Form::answers(lang), lang));
        }
        let save = if self.sends {
            EditorAction::Send
        } else {
            EditorAction::Save
        };
        let mut bound = vec![Action::Editor(save), Action::Editor(EditorAction::Close)];
        let mut free = vec![("Tab".to_string(), tr(lang, "form.next_field").to_string())];
        if let Some(c) = self.composer.as_ref().filter(|_| self.composer_focused()) {
            if c.template_picker_open() {
                return (
                    c.hints(),
                    vec![
                        ("↑↓".into(), tr(lang, "form.move").into()),
                        ("Enter".into(), tr(lang, "form.take_template").into()),
                    ],
                );
            }
            if c.picker_open() {
                return (
                    c.hints(),
                    vec![("Enter".into(), tr(lang, "form.insert").into())],
                );
            }
            bound.extend(c.hints());
            free.clear();
            // Something typed can be undone (Ctrl-u does the same in the composer).
            if !c.is_read_only() && !c.text().is_empty() {
                free.push(("Ctrl-z".into(), tr(lang, "form.undo").into()));
            }
        } else if let Some(f) = self.fields.get(self.focus) {
            if self
                .composer
                .as_ref()
                .is_some_and(|c| !c.templates().is_empty())
            {
                bound.push(Action::Editor(EditorAction::PickTemplate));
            }
            match f.kind {
                FieldKind::Toggle => {
                    free.push(("Space".into(), tr(lang, "form.toggle").into()));
                }
                FieldKind::Choice { ref options, .. } if !options.is_empty() => {
                    free.push(("← →".into(), tr(lang, "form.choose").into()));
                }
                _ => {}
            }
            if matches!(
                f.kind,
                FieldKind::Text | FieldKind::Secret | FieldKind::Choice { free: true, .. }
            ) {
                if !f.value.is_empty() {
                    free.push(("Ctrl-u".into(), tr(lang, "form.clear").into()));
                }
            } else {
                // Nothing is typed here: `?` may open the help (F1 works everywhere).
                bound.push(Action::Global(GlobalAction::Help));
            }
        }
        (bound, free)
    }

    /// Lines the fields take (each field, then its error or, when focused, its help) and the
    /// line of the focused field.
    fn field_lines(&self) -> (usize, usize) {
        let mut lines = 0;
        let mut focus_line = 0;
        for (i, f) in self.fields.iter().enumerate() {
            let focused = i == self.focus;
            if focused {
                focus_line = lines;
            }
            lines += 1;
            if f.error.is_some() || (focused && !f.help.is_empty()) {
                lines += 1;
            }
        }
        (lines, focus_line)
    }

    /// The form's message as it shows under the fields: a refusal wraps on up to three lines
    /// (the log keeps it whole).
    fn message_lines(&self, inner: Rect) -> Vec<String> {
        self.message
            .as_ref()
            .map(|m| wrap(&clean(m), usize::from(inner.width), 3))
            .unwrap_or_default()
    }

    /// Rows of `inner` the fields take; the composer takes the rest (at least 6 rows) but
    /// the message's row.
    fn field_rows(&self, inner: Rect, lines: usize) -> u16 {
        let message_rows = u16::try_from(self.message_lines(inner).len()).unwrap_or(3);
        let avail = inner.height.saturating_sub(message_rows);
        let needed = u16::try_from(lines).unwrap_or(u16::MAX);
        if self.composer.is_some() {
            needed.min(avail.saturating_sub(6)).max(1)
        } else {
            avail.max(1)
        }
    }

    /// Before [`Form::draw`] in the same `area`: scrolls the fields to keep the focus visible.
    pub fn layout(&mut self, area: Rect, theme: Theme) {
        let inner = Block::default().borders(Borders::ALL).inner(area);
        if inner.height == 0 || inner.width < 10 {
            return;
        }
        let (lines, focus_line) = self.field_lines();
        let rows = usize::from(self.field_rows(inner, lines));
        if focus_line < self.offset {
            self.offset = focus_line;
        } else if focus_line + 2 > self.offset + rows {
            self.offset = (focus_line + 2).saturating_sub(rows);
        }
        self.offset = self.offset.min(lines.saturating_sub(rows));
        let composer_focused = self.composer_focused();
        if let Some(c) = &mut self.composer {
            c.layout(theme, composer_focused);
        }
    }

    /// Draws the form filling `area`: fields (label, value, inline error) scrolled by
    /// [`Form::layout`], then the composer in the remaining rows.
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: Theme, lang: Lang) {
        frame.render_widget(Clear, area);
        let block = titled_block(&self.title, area.width, theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height == 0 || inner.width < 10 {
            return;
        }
        let label_w = self
            .fields
            .iter()
            .map(|f| f.label.width())
            .max()
            .unwrap_or(0)
            .min(usize::from(inner.width / 3))
            + 1;
        let mut lines: Vec<Line> = Vec::new();
        let mut cursor = None;
        for (i, f) in self.fields.iter().enumerate() {
            let focused = i == self.focus;
            let line = field_line(f, focused, label_w, theme, lang, inner.width);
            if focused && is_typed(f) {
                // On the block that marks the end of the value: the next character goes there.
                let width: usize = line.spans.iter().map(|s| s.width()).sum();
                cursor = Some((width.saturating_sub(1), lines.len()));
            }
            lines.push(line);
            if let Some(e) = &f.error {
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(label_w + 2)),
                    Span::styled(
                        truncate(
                            &format!("✖ {}", clean(e)),
                            usize::from(inner.width) - label_w - 2,
                        ),
                        theme.error(),
                    ),
                ]));
            } else if focused && !f.help.is_empty() {
                lines.push(Line::from(vec![
                    Span::raw(" ".repeat(label_w + 2)),
                    Span::styled(
                        truncate(&clean(&f.help), usize::from(inner.width) - label_w - 2),
                        theme.dim(),
                    ),
                ]));
            }
        }
        let message = self.message_lines(inner);
        let message_rows = u16::try_from(message.len()).unwrap_or(3);
        let field_rows = self.field_rows(inner, lines.len());
        let fields_area = Rect {
            height: field_rows.min(inner.height),
            ..inner
        };
        frame.render_widget(
            Paragraph::new(lines).scroll((u16::try_from(self.offset).unwrap_or(0), 0)),
            fields_area,
        );
        if let Some((col, line)) = cursor
            && let Some(row) = line.checked_sub(self.offset)
        {
            super::show_cursor(frame, fields_area, col, row);
        }
        let mut y = inner.y + fields_area.height;
        let composer_focused = self.composer_focused();
        if let Some(c) = &self.composer {
            let h = inner
                .height
                .saturating_sub(fields_area.height + message_rows);
            let rect = Rect {
                y,
                height: h,
                ..inner
            };
            c.draw(frame, rect, theme, tr(lang, "form.text"), composer_focused);
            y += h;
        }
        if !message.is_empty() {
            let rect = Rect {
                y,
                height: message_rows.min((inner.y + inner.height).saturating_sub(y)),
                ..inner
            };
            let lines: Vec<Line> = message
                .into_iter()
                .map(|l| Line::from(Span::styled(l, theme.error())))
                .collect();
            frame.render_widget(Paragraph::new(lines), rect);
        }
        if let Some(ask) = &self.asking {
            self.draw_discard(frame, area, theme, lang, ask);
        }
    }

    /// "Abandon «New batch»? What will be lost: Name, Text and 3 recipients."
    fn draw_discard(&self, frame: &mut Frame, area: Rect, theme: Theme, lang: Lang, ask: &Ask) {
        let lines = vec![
            trf(
                lang,
                "form.discard_question",
                &[("form", self.title.trim())],
            ),
            trf(
                lang,
                "form.discard_lost",
                &[("fields", &join_items(&self.lost(lang), lang))],
            ),
        ];
        let answers = Form::answers(lang);
        let q = Question {
            title: tr(lang, "form.discard_title"),
            lines: &lines,
            ask,
            answers: &answers,
            lang,
        };
        draw_ask(frame, area, theme, &q);
    }
}

/// Whether the field's value is typed (it shows where the typing goes).
fn is_typed(f: &FormField) -> bool {
    matches!(
        f.kind,
        FieldKind::Text | FieldKind::Secret | FieldKind::Choice { free: true, .. }
    )
}

fn field_line(
    f: &FormField,
    focused: bool,
    label_w: usize,
    theme: Theme,
    lang: Lang,
    width: u16,
) -> Line<'static> {
    let marker = if focused { "▸ " } else { "  " };
    let label = format!("{:<w$}", truncate(&f.label, label_w), w = label_w);
    let room = usize::from(width).saturating_sub(label_w + 3);
    let value = match &f.kind {
        FieldKind::Toggle => {
            if f.is_on() {
                format!("[✓] {}", tr(lang, "word.yes"))
            } else {
                format!("[ ] {}", tr(lang, "word.no"))
            }
        }
        FieldKind::Secret => {
            if f.value.is_empty() {
                format!("({})", tr(lang, "form.unchanged"))
            } else {
                "•".repeat(f.value.chars().count().min(24))
            }
        }
        // The option's label only: its value is a code (a typed value outside the list, a
        // timezone, shows as typed).
        FieldKind::Choice { options, .. } => {
            let label = options
                .iter()
                .find(|(v, _)| *v == f.value)
                .map(|(_, l)| l.as_str())
                .filter(|l| !l.is_empty());
            format!("‹ {} ›", clean(label.unwrap_or(&f.value)))
        }
        FieldKind::Text | FieldKind::Info => clean(&f.value),
    };
    let value_style = if f.error.is_some() {
        theme.error()
    } else if focused {
        theme.selected()
    } else {
        theme.base()
    };
    let mut spans = vec![
        Span::styled(marker.to_string(), theme.key()),
        Span::styled(label, if focused { theme.title() } else { theme.dim() }),
        Span::raw(" "),
    ];
    let editable_text = is_typed(f);
    // Long values show their end, where the typing happens.
    let value = if value.width() > room.saturating_sub(1) {
        let chars: Vec<char> = value.chars().collect();
        let keep = room.saturating_sub(2);
        let start = chars.len().saturating_sub(keep);
        format!("…{}", chars[start..].iter().collect::<String>())
    } else {
        value
    };
    spans.push(Span::styled(value, value_style));
    if focused && editable_text {
        spans.push(Span::styled(super::MARKER, theme.dim()));
    }
    Line::from(spans)
}

/// The footer of a question drawn by [`draw_question`]: its answer keys.
pub fn question_hints() -> EditHints {
    (
        vec![
            Action::Dialog(DialogAction::Confirm),
            Action::Dialog(DialogAction::Close),
        ],
        Vec::new(),
    )
}

/// The footer of a form that may have a question over it: the question's keys while it is
/// asked, else the form's (none without a form).
pub fn question_or_form_hints(asking: bool, form: Option<&Form>, lang: Lang) -> EditHints {
    if asking {
        return question_hints();
    }
    form_hints(form, lang)
}

/// The footer of the open form, if any (none without a form).
pub fn form_hints(form: Option<&Form>, lang: Lang) -> EditHints {
    form.map_or_else(|| (Vec::new(), Vec::new()), |f| f.hints(lang))
}

/// A small centred question over `area` (a confirmation): title, the lines, and the answer
/// keys in the footer (the owner resolves them with the `Dialog` context of the keymap).
pub fn draw_question(frame: &mut Frame, area: Rect, theme: Theme, title: &str, lines: &[String]) {
    // A window takes the keyboard: no cursor left in an input behind it.
    super::forget_cursor();
    let width = area.width.clamp(20, 64).min(area.width);
    let inner_w = usize::from(width.saturating_sub(2)).max(1);
    let height = boxed_height(lines.iter().map(|l| l.width()), inner_w, area.height);
    let rect = centred(area, width, height);
    frame.render_widget(Clear, rect);
    let text: Vec<Line> = lines.iter().map(|l| Line::from(clean(l))).collect();
    let p = Paragraph::new(text)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.warn())
                .title(Span::styled(format!(" {} ", clean(title)), theme.title())),
        );
    frame.render_widget(p, rect);
}
