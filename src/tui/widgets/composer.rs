//! The SMS composer: one text editor used wherever a text is written (templates, reminders,
//! batch, free sends). At every key it recounts the text *as it will leave* — merge fields
//! rendered (sample data for templates, the recipient's data for a message), signature and
//! STOP mention appended — and shows encoding, characters, segments used / allowed and units
//! left. Characters that force Unicode are highlighted; one key transliterates them (undoable);
//! a picker inserts the merge fields of the context at the cursor; another picks a saved text
//! (template) by name, which fills the box (editable unless the template is locked or the
//! operator may only send templates). What is in the box is what leaves: [`Composer::body`]
//! is the template itself while its text is untouched, the typed text once edited.
//!
//! The counting rules are not here: `sms::encoding::analyse`, `sms::template`,
//! `sms::sender::compose` decide; this widget only shows what they say.

use super::picker::{Picker, PickerKey};
use crate::core::send::Body;
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::{Action, EditorAction, Keymap};
use crate::sms::encoding::{self, SegmentInfo};
use crate::sms::template::{self, FieldSpec, MergeData, TemplateContext};
use crate::sms::transliterate;
use crate::store::Db;
use crate::tui::fmt::{clean, truncate};
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};
use std::sync::OnceLock;

/// What the composer counts around the typed body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComposerSetup {
    /// Which merge fields exist (`Free`: plain text, no field at all).
    pub context: TemplateContext,
    /// The "maximum segments" setting.
    pub max_segments: usize,
    /// Appended to every message (empty: none).
    pub signature: String,
    /// STOP mention, for batch and free sends.
    pub stop: Option<String>,
    /// A template is never refused for its length (its fields are unknown until sent); a
    /// message is.
    pub template: bool,
}

impl ComposerSetup {
    /// The setup for `context` under the organisation's settings.
    pub fn from_settings(
        settings: &crate::store::settings::Settings,
        context: TemplateContext,
        with_stop: bool,
        template: bool,
    ) -> ComposerSetup {
        ComposerSetup {
            context,
            max_segments: settings.max_segments as usize,
            signature: settings.signature.clone(),
            stop: with_stop.then(|| settings.stop_mention.clone()),
            template,
        }
    }
}

/// The live counts of the text as it will leave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComposerStats {
    /// Counts of the final text (rendered, signature and STOP included).
    pub info: SegmentInfo,
    /// Characters of the typed body that force Unicode, in order of first appearance.
    pub non_gsm: Vec<char>,
    /// Merge-field errors of the body (`line L, column C: …`).
    pub errors: Vec<template::FieldError>,
    /// Why the text could not be rendered for the recipient (a missing value).
    pub render_error: Option<template::RenderError>,
    /// More segments than allowed.
    pub too_long: bool,
    /// The final text (what the preview shows).
    pub final_text: String,
}

/// What the composer did with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComposerKey {
    /// The composer used it (typing, moving, transliterating, the picker…).
    Handled,
    /// Not for the composer: the form around it decides (Esc, Tab, save…).
    Ignored,
}

/// A saved text the template picker offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateChoice {
    pub id: i64,
    pub name: String,
    pub body: String,
    /// Imposed text: shown, not editable.
    pub locked: bool,
}

impl TemplateChoice {
    /// The active templates whose text fits one of `contexts`, by name.
    pub fn active(
        conn: Db<'_>,
        contexts: &[TemplateContext],
    ) -> crate::store::Result<Vec<TemplateChoice>> {
        Ok(crate::store::templates::list(conn)?
            .into_iter()
            .filter(|t| t.active && contexts.iter().any(|c| c.as_str() == t.context))
            .map(|t| TemplateChoice {
                id: t.id,
                name: t.name,
                body: t.body,
                locked: t.locked,
            })
            .collect())
    }
}

/// The editor widget. Cheap to keep around; recounts only when the text changes.
pub struct Composer {
    area: TextArea<'static>,
    setup: ComposerSetup,
    lang: Lang,
    /// Sample data (templates) or the selected recipient's data.
    data: MergeData,
    stats: ComposerStats,
    /// The field picker, open with the index of the highlighted field.
    picker: Option<usize>,
    /// Show the final text instead of the editor.
    preview: bool,
    /// Undo steps the last transliteration took, while it is the last edit.
    translit_undo: usize,
    changed: bool,
    read_only: bool,
    /// Saved texts offered by the template picker.
    templates: Vec<TemplateChoice>,
    /// The template picker, while open.
    template_picker: Option<Picker>,
    /// The template whose text was last put in the box.
    chosen: Option<TemplateChoice>,
    /// Whether the operator may write their own text ("templates only": no).
    may_write: bool,
}

/// Characters that force Unicode, as a regex class the text area highlights.
fn non_gsm_pattern() -> &'static str {
    static PATTERN: OnceLock<String> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let mut class = String::from("[^");
        let candidates = (0x20u32..0x400).chain([0x20AC]);
        for c in candidates.filter_map(char::from_u32) {
            if encoding::is_gsm7_char(c) {
                class.push_str(&regex::escape(&c.to_string()));
            }
        }
        class.push(']');
        class
    })
}

impl Composer {
    pub fn new(setup: ComposerSetup, lang: Lang, theme: Theme) -> Composer {
        let mut area = TextArea::default();
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.set_cursor_line_style(Style::default());
        area.set_max_histories(200);
        // The pattern is built from the encoding table; it always compiles.
        let _ = area.set_search_pattern(non_gsm_pattern());
        area.set_search_style(non_gsm_style(theme));
        area.set_placeholder_text(tr(lang, "composer.placeholder"));
        area.set_placeholder_style(theme.dim());
        let data = MergeData::sample(lang);
        let mut c = Composer {
            area,
            setup,
            lang,
            data,
            stats: empty_stats(),
            picker: None,
            preview: false,
            translit_undo: 0,
            changed: false,
            read_only: false,
            templates: Vec::new(),
            template_picker: None,
            chosen: None,
            may_write: true,
        };
        c.recount();
        c
    }

    /// Replaces the text (loading a template or a message); not counted as a change.
    pub fn set_text(&mut self, text: &str) {
        let lines: Vec<String> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
            .collect();
        let mut area = TextArea::new(lines);
        area.set_wrap_mode(self.area.wrap_mode());
        area.set_cursor_line_style(Style::default());
        area.set_max_histories(200);
        let _ = area.set_search_pattern(non_gsm_pattern());
        area.set_search_style(self.area.search_style());
        area.set_placeholder_text(self.area.placeholder_text().to_string());
        if let Some(style) = self.area.placeholder_style() {
            area.set_placeholder_style(style);
        }
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        self.area = area;
        self.translit_undo = 0;
        self.changed = false;
        self.recount();
    }

    /// The typed body (lines joined by `\n`).
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn context(&self) -> TemplateContext {
        self.setup.context
    }

    /// Counts and previews with this recipient's data instead of the sample.
    pub fn set_data(&mut self, data: MergeData) {
        self.data = data;
        self.recount();
    }

    /// An imposed text (locked template): shown and counted, not editable.
    pub fn set_read_only(&mut self, read_only: bool) {
        self.read_only = read_only;
    }

    /// The saved texts the template picker offers; without `may_write` ("templates only")
    /// the box is read-only and only a template can fill it.
    pub fn set_templates(&mut self, templates: Vec<TemplateChoice>, may_write: bool) {
        self.templates = templates;
        self.may_write = may_write;
        self.read_only = !may_write || self.chosen.as_ref().is_some_and(|t| t.locked);
    }

    pub fn templates(&self) -> &[TemplateChoice] {
        &self.templates
    }

    /// Puts the text of template `id` in the box (`None`: the operator's own text; the box
    /// keeps what it has unless it held an imposed text). Not counted as a change: for
    /// loading what was saved.
    pub fn load_template(&mut self, id: Option<i64>) {
        let chosen = id.and_then(|id| self.templates.iter().find(|t| t.id == id).cloned());
        match chosen {
            Some(t) => {
                self.set_text(&t.body);
                self.read_only = t.locked || !self.may_write;
                self.chosen = Some(t);
            }
            None => {
                // A locked text may not become the operator's own by switching away.
                if self.chosen.take().is_some_and(|t| t.locked) {
                    self.set_text("");
                }
                self.read_only = !self.may_write;
            }
        }
    }

    /// [`Composer::load_template`] as the operator's choice: counted as a change.
    pub fn choose_template(&mut self, id: Option<i64>) {
        let before = self.text();
        self.load_template(id);
        self.changed |= self.text() != before || id.is_some();
    }

    /// The template whose text was last put in the box (it may have been edited since).
    pub fn chosen_template(&self) -> Option<i64> {
        self.chosen.as_ref().map(|t| t.id)
    }

    /// What leaves: the template while the box holds its text untouched; its text as edited,
    /// still linked to the template (whose reply keywords keep setting the outcome); else the
    /// text as typed.
    pub fn body(&self) -> Body {
        let text = self.text();
        match &self.chosen {
            Some(t) if t.body == text => Body::Template(t.id),
            Some(t) if !text.trim().is_empty() => Body::Edited {
                template: t.id,
                text,
            },
            _ => Body::Text(text),
        }
    }

    pub fn template_picker_open(&self) -> bool {
        self.template_picker.is_some()
    }

    pub fn stats(&self) -> &ComposerStats {
        &self.stats
    }

    /// Whether the text changed since it was loaded.
    pub fn is_changed(&self) -> bool {
        self.changed
    }

    /// Whether a popup (merge fields or templates) has the keys.
    pub fn picker_open(&self) -> bool {
        self.picker.is_some() || self.template_picker.is_some()
    }

    /// Why the text cannot be sent (or saved as a template) as it is; `None` when it can.
    pub fn refusal(&self) -> Option<String> {
        let s = &self.stats;
        if self.text().trim().is_empty() {
            return Some(tr(self.lang, "composer.empty").to_string());
        }
        if let Some(first) = s.errors.first() {
            return Some(first.describe(self.lang));
        }
        if self.setup.template {
            return None;
        }
        if let Some(e) = &s.render_error {
            return Some(e.describe(self.lang));
        }
        if s.too_long {
            return Some(self.too_long_text());
        }
        None
    }

    fn too_long_text(&self) -> String {
        trf(
            self.lang,
            "composer.too_long",
            &[
                ("segments", &self.stats.info.segments.to_string()),
                ("max", &self.setup.max_segments.to_string()),
            ],
        )
    }

    /// Replaces every character that forces Unicode by its closest GSM-7 equivalent. One
    /// undo brings the text back.
    /// Whether [`Composer::transliterate`] would change the text.
    pub fn can_transliterate(&self) -> bool {
        let text = self.text();
        !self.read_only && transliterate::to_gsm7(&text) != text
    }

    pub fn transliterate(&mut self) -> bool {
        if self.read_only {
            return false;
        }
        let text = self.text();
        let gsm = transliterate::to_gsm7(&text);
        if gsm == text {
            return false;
        }
        self.area.select_all();
        self.area.cut();
        self.area.insert_str(&gsm);
        self.area.set_yank_text("");
        // cut + insert are two edits in the area's history.
        self.translit_undo = 2;
        self.changed = true;
        self.recount();
        true
    }

    /// Inserts `text` at the cursor (a paste, a merge field), line breaks kept.
    pub fn insert(&mut self, text: &str) {
        if self.read_only {
            return;
        }
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        // Control characters other than line breaks would reach the terminal.
        let text: String = text
            .chars()
            .filter(|c| *c == '\n' || !c.is_control())
            .collect();
        if text.is_empty() {
            return;
        }
        self.area.insert_str(&text);
        self.translit_undo = 0;
        self.changed = true;
        self.recount();
    }

    /// Bracketed paste: inserted as typed text.
    pub fn paste(&mut self, text: &str) {
        self.insert(text);
    }

    /// The fields the picker offers (those of the context).
    pub fn fields(&self) -> &'static [FieldSpec] {
        template::catalogue(self.setup.context)
    }

    /// Handles a key: the editor bindings (`transliterate`, `insert_field`, `preview`), the
    /// picker when open, else typing and moving.
    pub fn key(&mut self, key: &KeyEvent, keymap: &Keymap) -> ComposerKey {
        if let Some(selected) = self.picker {
            return self.picker_key(key, keymap, selected);
        }
        if self.template_picker.is_some() {
            return self.template_picker_key(key, keymap);
        }
        match keymap.editor(key) {
            Some(EditorAction::PickTemplate) => {
                if !self.templates.is_empty() {
                    self.preview = false;
                    self.template_picker = Some(Picker::new());
                }
                return ComposerKey::Handled;
            }
            Some(EditorAction::Transliterate) => {
                self.transliterate();
                return ComposerKey::Handled;
            }
            Some(EditorAction::InsertField) => {
                if !self.read_only && !self.fields().is_empty() {
                    self.picker = Some(0);
                }
                return ComposerKey::Handled;
            }
            Some(EditorAction::Preview) => {
                self.preview = !self.preview;
                return ComposerKey::Handled;
            }
            Some(_) => return ComposerKey::Ignored,
            None => {}
        }
        if self.preview {
            // Any other key leaves the preview and goes on editing.
            self.preview = false;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc | KeyCode::Tab | KeyCode::BackTab => return ComposerKey::Ignored,
            KeyCode::Char('z' | 'u') if ctrl => {
                self.undo();
                return ComposerKey::Handled;
            }
            KeyCode::Char('y') if ctrl => {
                if !self.read_only && self.area.redo() {
                    self.after_edit();
                }
                return ComposerKey::Handled;
            }
            // Moves (Ctrl-a/e/f/b…) are fine; edits are refused on an imposed text.
            KeyCode::Char(_)
                if (ctrl || key.modifiers.contains(KeyModifiers::ALT)) && self.read_only =>
            {
                return ComposerKey::Handled;
            }
            _ => {}
        }
        let moves = matches!(
            key.code,
            KeyCode::Left
                | KeyCode::Right
                | KeyCode::Up
                | KeyCode::Down
                | KeyCode::Home
                | KeyCode::End
                | KeyCode::PageUp
                | KeyCode::PageDown
        );
        if self.read_only && !moves {
            return ComposerKey::Handled;
        }
        if self.area.input(*key) {
            self.after_edit();
        }
        ComposerKey::Handled
    }

    fn undo(&mut self) {
        if self.read_only {
            return;
        }
        let steps = self.translit_undo.max(1);
        let mut undone = false;
        for _ in 0..steps {
            undone |= self.area.undo();
        }
        self.translit_undo = 0;
        if undone {
            self.changed = true;
            self.recount();
        }
    }

    fn after_edit(&mut self) {
        self.translit_undo = 0;
        self.changed = true;
        self.recount();
    }

    fn picker_key(&mut self, key: &KeyEvent, keymap: &Keymap, selected: usize) -> ComposerKey {
        let len = self.fields().len();
        if matches!(keymap.editor(key), Some(EditorAction::Close))
            || matches!(keymap.editor(key), Some(EditorAction::InsertField))
        {
            self.picker = None;
            return ComposerKey::Handled;
        }
        match key.code {
            KeyCode::Esc => self.picker = None,
            KeyCode::Down => self.picker = Some((selected + 1).min(len.saturating_sub(1))),
            KeyCode::Up => self.picker = Some(selected.saturating_sub(1)),
            KeyCode::Home => self.picker = Some(0),
            KeyCode::End => self.picker = Some(len.saturating_sub(1)),
            KeyCode::Enter => {
                self.picker = None;
                if let Some(f) = self.fields().get(selected) {
                    self.insert(&f.placeholder());
                }
            }
            _ => {}
        }
        ComposerKey::Handled
    }

    fn template_picker_key(&mut self, key: &KeyEvent, keymap: &Keymap) -> ComposerKey {
        if matches!(keymap.editor(key), Some(EditorAction::PickTemplate)) {
            self.template_picker = None;
            return ComposerKey::Handled;
        }
        let names: Vec<String> = self.templates.iter().map(|t| t.name.clone()).collect();
        let Some(picker) = &mut self.template_picker else {
            return ComposerKey::Handled;
        };
        match picker.key(key, &names) {
            PickerKey::Stay => {}
            PickerKey::Closed => self.template_picker = None,
            PickerKey::Chosen(i) => {
                self.template_picker = None;
                let id = self.templates.get(i).map(|t| t.id);
                self.choose_template(id);
            }
        }
        ComposerKey::Handled
    }

    /// Recounts everything from the text; called after every change.
    fn recount(&mut self) {
        let body = self.text();
        let non_gsm = encoding::analyse(&body).non_gsm;
        let mut errors = Vec::new();
        let mut render_error = None;
        let rendered = match template::parse(&body, self.setup.context) {
            Ok(parsed) => match template::render(&parsed, &self.data, self.lang) {
                Ok(text) => text,
                Err(e) => {
                    render_error = Some(e);
                    body.clone()
                }
            },
            Err(errs) => {
                errors = errs;
                body.clone()
            }
        };
        let final_text = if rendered.trim().is_empty() {
            String::new()
        } else {
            crate::sms::sender::compose(
                &rendered,
                Some(self.setup.signature.as_str()).filter(|s| !s.trim().is_empty()),
                self.setup.stop.as_deref().filter(|s| !s.trim().is_empty()),
            )
        };
        let info = encoding::analyse(&final_text);
        let too_long = info.segments > self.setup.max_segments;
        self.stats = ComposerStats {
            info,
            non_gsm,
            errors,
            render_error,
            too_long,
            final_text,
        };
    }

    /// The counts line: `GSM-7 · 45 chars · 1/3 SMS · 115 left`.
    pub fn counts_line(&self) -> String {
        let i = &self.stats.info;
        let enc = i.encoding.describe(self.lang);
        trf(
            self.lang,
            "composer.counts",
            &[
                ("encoding", &enc),
                ("chars", &i.chars.to_string()),
                ("segments", &i.segments.to_string()),
                ("max", &self.setup.max_segments.to_string()),
                ("left", &i.remaining.to_string()),
            ],
        )
    }

    /// Before [`Composer::draw`]: the text area's cursor shows whether it has the keyboard.
    pub fn layout(&mut self, theme: Theme, focused: bool) {
        self.area.set_cursor_style(if focused {
            theme.selected().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        });
    }

    /// Draws the editor (or the preview) with its counts under it, and the picker over it.
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: Theme, title: &str, focused: bool) {
        if area.height < 3 || area.width < 10 {
            return;
        }
        let lang = self.lang;
        let status_rows = 2u16.min(area.height - 2);
        let edit = Rect {
            height: area.height - status_rows,
            ..area
        };
        let status = Rect {
            y: area.y + edit.height,
            height: status_rows,
            ..area
        };
        let border = if focused { theme.title() } else { theme.dim() };
        let title = if self.preview {
            format!(" {} — {} ", title, tr(lang, "composer.preview"))
        } else if self.read_only {
            format!(" {} — {} ", title, tr(lang, "composer.locked"))
        } else {
            format!(" {title} ")
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(Span::styled(
                truncate(&title, usize::from(area.width.saturating_sub(4))),
                border,
            ));
        if self.preview {
            let p = Paragraph::new(clean_keep_lines(&self.stats.final_text))
                .block(block)
                .wrap(Wrap { trim: false });
            frame.render_widget(p, edit);
        } else {
            // The frame first, then the text inside it (what the text area does with a block).
            let inner = block.inner(edit);
            frame.render_widget(block, edit);
            frame.render_widget(&self.area, inner);
            let pickers_open = self.picker.is_some() || self.template_picker.is_some();
            if focused && !self.read_only && !pickers_open {
                // Rendering placed the text area's viewport: the cursor is relative to it.
                let at = self.area.screen_cursor();
                let (top_row, top_col) = self.area.scroll_offset();
                if let (Some(row), Some(col)) = (
                    at.row.checked_sub(usize::from(top_row)),
                    at.col.checked_sub(usize::from(top_col)),
                ) {
                    super::show_cursor(frame, inner, col, row);
                }
            }
        }
        self.draw_status(frame, status, theme);
        if let Some(selected) = self.picker {
            self.draw_picker(frame, edit, theme, selected);
        }
        if let Some(picker) = &self.template_picker {
            let names: Vec<String> = self.templates.iter().map(|t| t.name.clone()).collect();
            picker.draw(
                frame,
                edit,
                theme,
                lang,
                tr(lang, "composer.templates"),
                &names,
            );
        }
    }

    fn draw_status(&self, frame: &mut Frame, area: Rect, theme: Theme) {
        let lang = self.lang;
        let width = usize::from(area.width);
        let s = &self.stats;
        let counts_style = if s.too_long && !self.setup.template {
            theme.error()
        } else {
            theme.base()
        };
        let mut first = vec![Span::styled(self.counts_line(), counts_style)];
        if s.too_long {
            first.push(Span::styled(
                format!("  {}", self.too_long_text()),
                if self.setup.template {
                    theme.warn()
                } else {
                    theme.error()
                },
            ));
        }
        let second = if let Some(e) = s.errors.first() {
            Line::from(Span::styled(
                truncate(&clean(&e.describe(lang)), width),
                theme.error(),
            ))
        } else if let Some(e) = &s.render_error {
            Line::from(Span::styled(
                truncate(&clean(&e.describe(lang)), width),
                theme.error(),
            ))
        } else if !s.non_gsm.is_empty() {
            let chars = crate::tui::fmt::culprits(&s.non_gsm);
            Line::from(vec![
                Span::styled(
                    format!("{} ", tr(lang, "composer.unicode_chars")),
                    theme.warn(),
                ),
                Span::styled(chars, non_gsm_style(theme)),
            ])
        } else {
            Line::from("")
        };
        let lines = vec![Line::from(first), second];
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn draw_picker(&self, frame: &mut Frame, over: Rect, theme: Theme, selected: usize) {
        let fields = self.fields();
        let width = over.width.clamp(10, 60);
        let height = (fields.len() as u16 + 2).min(over.height.max(3));
        let rect = Rect {
            x: over.x + (over.width - width) / 2,
            y: over.y,
            width,
            height,
        };
        // Labels in a column as wide as the longest (within reason), then the sample value.
        let label_width = fields
            .iter()
            .map(|f| unicode_width::UnicodeWidthStr::width(f.label(self.lang)))
            .max()
            .unwrap_or(0)
            .min(usize::from(width.saturating_sub(12)));
        let items: Vec<ListItem> = fields
            .iter()
            .map(|f| {
                let label = super::super::fmt::truncate(f.label(self.lang), label_width);
                let pad = label_width
                    .saturating_sub(unicode_width::UnicodeWidthStr::width(label.as_str()));
                ListItem::new(Line::from(vec![
                    Span::raw(format!("{label}{} ", " ".repeat(pad))),
                    Span::styled(f.sample(self.lang).to_string(), theme.dim()),
                ]))
            })
            .collect();
        let list = List::new(items)
            .block(Block::default().borders(Borders::ALL).title(Span::styled(
                format!(" {} ", tr(self.lang, "composer.fields")),
                theme.title(),
            )))
            .highlight_style(theme.selected());
        let mut state = ListState::default().with_selected(Some(selected));
        frame.render_widget(Clear, rect);
        frame.render_stateful_widget(list, rect, &mut state);
    }

    /// `(context, action)` hints of the composer, for the footer.
    pub fn hints(&self) -> Vec<Action> {
        if self.picker.is_some() || self.template_picker.is_some() {
            return vec![Action::Editor(EditorAction::Close)];
        }
        let mut out = Vec::new();
        // Before anything is written, or where nothing can be typed, picking a template is
        // the likely next step: named first (narrow footers drop the last hints).
        let templates = !self.templates.is_empty();
        let first = self.read_only || self.text().trim().is_empty();
        if templates && first {
            out.push(Action::Editor(EditorAction::PickTemplate));
        }
        if !self.stats.non_gsm.is_empty() {
            out.push(Action::Editor(EditorAction::Transliterate));
        }
        if !self.fields().is_empty() {
            out.push(Action::Editor(EditorAction::InsertField));
        }
        out.push(Action::Editor(EditorAction::Preview));
        if templates && !first {
            out.push(Action::Editor(EditorAction::PickTemplate));
        }
        out
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }
}

fn empty_stats() -> ComposerStats {
    ComposerStats {
        info: encoding::analyse(""),
        non_gsm: Vec::new(),
        errors: Vec::new(),
        render_error: None,
        too_long: false,
        final_text: String::new(),
    }
}

/// How characters that force Unicode stand out: reversed warning colour (bold underline
/// without colour).
fn non_gsm_style(theme: Theme) -> Style {
    theme
        .warn()
        .add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
}

/// Text for the screen: control characters removed, line breaks kept.
fn clean_keep_lines(text: &str) -> Vec<Line<'static>> {
    text.split('\n').map(|l| Line::from(clean(l))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::encoding::Encoding;
    use crossterm::event::KeyEvent;

    fn setup(context: TemplateContext, template: bool) -> ComposerSetup {
        ComposerSetup {
            context,
            max_segments: 3,
            signature: String::new(),
            stop: None,
            template,
        }
    }

    /// A composer for `context` (`template`: editing a template) in monochrome.
    fn composer(context: TemplateContext, template: bool, lang: Lang) -> Composer {
        Composer::new(setup(context, template), lang, Theme::monochrome())
    }

    fn ctrl(letter: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(letter), KeyModifiers::CONTROL)
    }

    fn typed(c: &mut Composer, text: &str) {
        let km = Keymap::defaults();
        for ch in text.chars() {
            c.key(&KeyEvent::from(KeyCode::Char(ch)), &km);
        }
    }

    #[test]
    fn accented_e_flips_to_unicode_and_transliteration_brings_gsm_back() {
        let mut c = composer(TemplateContext::Free, false, Lang::Fr);
        typed(&mut c, "Rendez-vous confirmé à 9h");
        assert_eq!(c.stats().info.encoding, Encoding::Gsm7, "é and à are GSM-7");
        assert_eq!(c.stats().info.chars, 25);
        assert_eq!(c.stats().info.remaining, 160 - 25);
        typed(&mut c, " ê");
        assert_eq!(c.stats().info.encoding, Encoding::Ucs2);
        assert_eq!(c.stats().non_gsm, vec!['ê']);
        assert_eq!(c.stats().info.remaining, 70 - 27);
        let km = Keymap::defaults();
        c.key(&ctrl('t'), &km);
        assert_eq!(c.text(), "Rendez-vous confirmé à 9h e");
        assert_eq!(c.stats().info.encoding, Encoding::Gsm7);
        // One undo restores the accented text.
        c.key(&ctrl('z'), &km);
        assert_eq!(c.text(), "Rendez-vous confirmé à 9h ê");
    }

    #[test]
    fn signature_and_stop_count_and_too_long_is_refused_for_a_message_only() {
        let mut s = setup(TemplateContext::Free, false);
        s.max_segments = 1;
        s.stop = Some("STOP au 36608".into());
        let mut c = Composer::new(s.clone(), Lang::En, Theme::monochrome());
        c.set_text(&"a".repeat(140));
        // 140 + space + "STOP au 36608" (13) = 154 > 160? no: 154 fits in one.
        assert_eq!(c.stats().info.segments, 1);
        c.set_text(&"a".repeat(150));
        assert_eq!(c.stats().info.chars, 164);
        assert!(c.stats().too_long);
        assert!(c.refusal().is_some());
        s.template = true;
        let mut t = Composer::new(s, Lang::En, Theme::monochrome());
        t.set_text(&"a".repeat(150));
        assert!(t.stats().too_long);
        assert_eq!(
            t.refusal(),
            None,
            "a template is not refused for its length"
        );
    }

    #[test]
    fn the_picker_inserts_a_field_of_the_context_at_the_cursor() {
        let mut c = composer(TemplateContext::Interview, true, Lang::Fr);
        typed(&mut c, "Bonjour ");
        let km = Keymap::defaults();
        c.key(&ctrl('f'), &km);
        assert!(c.picker_open());
        let first = c.fields()[0].placeholder();
        c.key(&KeyEvent::from(KeyCode::Enter), &km);
        assert_eq!(c.text(), format!("Bonjour {first}"));
        // Counted on the sample rendering, not the placeholder.
        let rendered = c.stats().final_text.clone();
        assert!(!rendered.contains("{{"), "{rendered}");
    }

    #[test]
    fn free_sends_take_no_merge_field() {
        let mut c = composer(TemplateContext::Free, false, Lang::En);
        c.set_text("Hello {{participant.first_name}}");
        assert!(!c.stats().errors.is_empty());
        assert!(c.refusal().is_some());
        let km = Keymap::defaults();
        c.key(&ctrl('f'), &km);
        assert!(!c.picker_open(), "no field to offer");
    }

    fn choices() -> Vec<TemplateChoice> {
        vec![
            TemplateChoice {
                id: 1,
                name: "Atelier".into(),
                body: "Atelier jeudi".into(),
                locked: false,
            },
            TemplateChoice {
                id: 2,
                name: "Charte".into(),
                body: "Texte imposé".into(),
                locked: true,
            },
        ]
    }

    #[test]
    fn a_picked_template_leaves_as_itself_until_edited_then_as_typed() {
        let km = Keymap::defaults();
        let mut c = composer(TemplateContext::Batch, false, Lang::Fr);
        c.set_templates(choices(), true);
        c.key(&ctrl('o'), &km);
        assert!(c.template_picker_open());
        typed(&mut c, "atel");
        c.key(&KeyEvent::from(KeyCode::Enter), &km);
        assert_eq!(c.text(), "Atelier jeudi");
        assert!(c.is_changed());
        assert!(matches!(c.body(), Body::Template(1)));
        typed(&mut c, " 10h");
        assert!(
            matches!(c.body(), Body::Edited { template: 1, text } if text == "Atelier jeudi 10h")
        );
        // Putting the template's text back makes it the template again.
        for _ in 0..4 {
            c.key(&KeyEvent::from(KeyCode::Backspace), &km);
        }
        assert!(matches!(c.body(), Body::Template(1)));
    }

    #[test]
    fn a_locked_template_is_read_only_and_not_kept_as_own_text() {
        let km = Keymap::defaults();
        let mut c = composer(TemplateContext::Batch, false, Lang::Fr);
        c.set_templates(choices(), true);
        c.choose_template(Some(2));
        typed(&mut c, "x");
        c.key(&KeyEvent::from(KeyCode::Backspace), &km);
        assert_eq!(c.text(), "Texte imposé");
        assert!(matches!(c.body(), Body::Template(2)));
        c.choose_template(None);
        assert_eq!(c.text(), "", "an imposed text does not become one's own");
        typed(&mut c, "Bonjour");
        assert!(matches!(c.body(), Body::Text(t) if t == "Bonjour"));
        // "Templates only": nothing can be typed, a template can be picked.
        c.set_templates(choices(), false);
        typed(&mut c, "!");
        assert_eq!(c.text(), "Bonjour");
        c.choose_template(Some(1));
        typed(&mut c, "!");
        assert!(matches!(c.body(), Body::Template(1)));
    }

    #[test]
    fn a_long_french_paste_with_emoji_counts_surrogates_twice() {
        let mut c = composer(TemplateContext::Free, false, Lang::Fr);
        c.paste("Bonjour 😀\r\nÀ demain");
        assert_eq!(c.text(), "Bonjour 😀\nÀ demain");
        assert_eq!(c.stats().info.encoding, Encoding::Ucs2);
        // 18 characters, the emoji counting two UTF-16 units.
        assert_eq!(c.stats().info.units, 19);
    }
}
