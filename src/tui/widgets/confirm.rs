//! A confirmation window that owns the keyboard: a question, optionally one line the operator
//! types (a new time, a number), and the change to run when confirmed. It fits any screen:
//! the head lines, the typed line, the refusal and the answer keys always show; the rest
//! scrolls (↑↓, PgUp/PgDn, Home/End).
//!
//! A `Confirm` carries the change as data ([`Pending`]); the app runs it with the store and
//! the acting operator, so every destructive action goes through the core use cases after a
//! "yes".

use super::ask::{Answers, Ask, AskKey};
use crate::i18n::{Describe, Lang, tr};
use crate::keymap::{DialogAction, Keymap};
use crate::tui::fmt::{clean, wrap};
use crate::tui::pending::{Done, Pending, RunCtx};
use crate::tui::problem::Problem;
use crate::tui::theme::Theme;
use crate::tui::widgets::centred;
use crate::tui::widgets::titled_block;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// One line of typed input inside the window.
pub struct Input {
    pub label: String,
    pub text: String,
}

pub struct Confirm {
    pub title: String,
    /// Lines always on screen, above the others (what a send costs and when it leaves).
    pub head: Vec<Line<'static>>,
    /// Lines that scroll when the window is too small for them.
    pub lines: Vec<Line<'static>>,
    pub input: Option<Input>,
    /// The last refusal of `run`, shown under the question (boxed: the core's errors are
    /// large and a window is moved around as a value).
    pub error: Option<Box<Problem>>,
    pub pending: Pending,
    /// A destructive question (cancel, delete, archive): buttons whose default, Enter, is
    /// the safe answer; only `y` / `o` or moving to "yes" confirms.
    pub ask: Option<Box<(Ask, Answers)>>,
    /// A send: its buttons start on "back" (Enter goes back to the form); `y` / `o` sends.
    pub sends: bool,
    /// A send whose text travels in Unicode and that the tab can transliterate for everyone
    /// from here (`Ctrl-t`, [`crate::tui::tabs::TabView::transliterate_send`]).
    pub transliterates: bool,
    /// First scrolled line shown; clamped by [`Confirm::layout`].
    scroll: usize,
    /// Scrolled lines that do not fit, as of the last layout.
    hidden: usize,
}

/// Where the window's parts go for one screen size.
struct Geometry {
    rect: Rect,
    head: Vec<Line<'static>>,
    body: Vec<Line<'static>>,
    tail: Vec<Line<'static>>,
    /// Rows left for `body`.
    body_rows: usize,
}

/// What a key did to the window.
#[derive(Debug, PartialEq, Eq)]
pub enum ConfirmKey {
    /// The operator said yes: run the change.
    Confirmed,
    /// The operator said no: close, change nothing.
    Closed,
    /// Typed into the input, or ignored.
    Stay,
}

impl Confirm {
    pub fn new(title: String, lines: Vec<Line<'static>>, pending: Pending) -> Confirm {
        Confirm {
            title,
            head: Vec::new(),
            lines,
            input: None,
            error: None,
            pending,
            ask: None,
            sends: false,
            transliterates: false,
            scroll: 0,
            hidden: 0,
        }
    }

    /// Makes the question destructive: Enter gives the safe answer (`answers.no`).
    pub fn destructive(mut self, answers: Answers) -> Confirm {
        self.ask = Some(Box::new((Ask::default(), answers)));
        self
    }

    /// Takes the live keys that say yes (for the hints); the app calls it when it shows the
    /// window.
    pub fn arm(&mut self, keymap: &Keymap) {
        if let Some((ask, _)) = self.ask.as_deref_mut() {
            *ask = Ask::new(keymap);
        }
    }

    /// The answer keys of a destructive question (`None`: the plain dialog keys answer).
    pub fn hints(&self, lang: Lang) -> Vec<(String, String)> {
        self.ask
            .as_deref()
            .map(|(ask, answers)| ask.hints(answers, lang))
            .unwrap_or_default()
    }

    /// Lines that stay on screen above the scrolled ones.
    pub fn with_head(mut self, head: Vec<Line<'static>>) -> Confirm {
        self.head = head;
        self
    }

    /// Whether some lines do not fit and the window scrolls.
    pub fn scrolls(&self) -> bool {
        self.hidden > 0
    }

    /// Moves the scrolled lines for the keys that scroll; `false` for any other key.
    fn scroll_key(&mut self, key: &KeyEvent) -> bool {
        let page = 5;
        self.scroll = match key.code {
            KeyCode::Down => self.scroll + 1,
            KeyCode::Up => self.scroll.saturating_sub(1),
            KeyCode::PageDown => self.scroll + page,
            KeyCode::PageUp => self.scroll.saturating_sub(page),
            KeyCode::Home => 0,
            KeyCode::End => usize::MAX,
            _ => return false,
        }
        .min(self.hidden);
        true
    }

    /// Adds a line to type, prefilled with `initial`.
    pub fn with_input(mut self, label: String, initial: String) -> Confirm {
        self.input = Some(Input {
            label,
            text: initial,
        });
        self
    }

    /// Routes one key. `dialog` is the key's action in the dialog context (`confirm`,
    /// `close`). While a line is being typed, letters are text (so `y`, `n`, `o` type
    /// themselves); only Enter confirms and Esc closes.
    pub fn key(&mut self, key: KeyEvent, dialog: Option<DialogAction>) -> ConfirmKey {
        if self.scroll_key(&key) {
            return ConfirmKey::Stay;
        }
        if let (None, Some((ask, _))) = (&self.input, self.ask.as_deref_mut()) {
            return match ask.key(&key, dialog) {
                AskKey::Yes => ConfirmKey::Confirmed,
                AskKey::No => ConfirmKey::Closed,
                AskKey::Stay => ConfirmKey::Stay,
            };
        }
        let Some(input) = &mut self.input else {
            return match dialog {
                Some(DialogAction::Confirm) => ConfirmKey::Confirmed,
                Some(DialogAction::Close) => ConfirmKey::Closed,
                _ => ConfirmKey::Stay,
            };
        };
        match key.code {
            KeyCode::Enter => ConfirmKey::Confirmed,
            KeyCode::Esc => ConfirmKey::Closed,
            KeyCode::Backspace => {
                input.text.pop();
                ConfirmKey::Stay
            }
            // Ctrl-u empties the line (a prefilled path or time is replaced in one key).
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.text.clear();
                ConfirmKey::Stay
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && !c.is_control()
                    && input.text.chars().count() < 200 =>
            {
                input.text.push(c);
                self.error = None;
                ConfirmKey::Stay
            }
            _ => ConfirmKey::Stay,
        }
    }

    /// Pasted text goes to the input line (never runs anything).
    pub fn paste(&mut self, text: &str) {
        if let Some(input) = &mut self.input {
            input.text.push_str(&clean(text));
        }
    }

    /// Runs the change with the typed line; `None` when refused, the reason kept for display.
    pub fn run(&mut self, cx: RunCtx) -> Option<Done> {
        let typed = self
            .input
            .as_ref()
            .map(|i| i.text.clone())
            .unwrap_or_default();
        match self.pending.run(cx, &typed) {
            Ok(done) => Some(done),
            Err(e) => {
                self.error = Some(Box::new(e));
                None
            }
        }
    }

    /// The lines under the scrolled ones: input line, last refusal, key hints.
    fn tail(&self, theme: Theme, lang: Lang, hint: &str) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        if let Some(input) = &self.input {
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                // "fichier : " in French, "file: " in English.
                Span::styled(
                    format!("{}{}", clean(&input.label), tr(lang, "ui.colon")),
                    theme.title(),
                ),
                Span::raw(input.text.clone()),
                Span::styled(super::MARKER, theme.dim()),
            ]));
        }
        if let Some(e) = &self.error {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                format!("✖ {}", clean(&e.describe(lang))),
                theme.error(),
            )));
        }
        lines.push(Line::from(""));
        if let Some((ask, answers)) = self.ask.as_deref() {
            lines.push(ask.buttons(answers, theme));
        }
        lines.push(Line::from(Span::styled(hint.to_string(), theme.dim())));
        lines
    }

    /// The window's place and parts in `area`, every line already wrapped to its width.
    fn geometry(&self, area: Rect, theme: Theme, lang: Lang, hint: &str) -> Geometry {
        // A send has more to say: it takes more of the width.
        let percent = if self.sends { 9 } else { 7 };
        let width = (area.width.saturating_mul(percent) / 10)
            .max(30)
            .min(area.width);
        let inner = usize::from(width.saturating_sub(2)).max(1);
        let head = wrap_lines(&self.head, inner);
        let mut body = wrap_lines(&self.lines, inner);
        let tail = wrap_lines(&self.tail(theme, lang, hint), inner);
        if !head.is_empty() && !body.is_empty() {
            body.insert(0, Line::from(""));
        }
        let room = usize::from(area.height.saturating_sub(2));
        let body_rows = room.saturating_sub(head.len() + tail.len()).min(body.len());
        let rows = head.len() + body_rows + tail.len();
        let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).min(area.height);
        let rect = centred(area, width, height);
        Geometry {
            rect,
            head,
            body,
            tail,
            body_rows,
        }
    }

    /// Before [`Confirm::draw`] in the same `area`: how many lines do not fit, and the scroll
    /// kept within them.
    pub fn layout(&mut self, area: Rect, theme: Theme, lang: Lang, hint: &str) {
        let g = self.geometry(area, theme, lang, hint);
        self.hidden = g.body.len().saturating_sub(g.body_rows);
        self.scroll = self.scroll.min(self.hidden);
    }

    /// Draws the window centred in `area`, sized to its text. `hint` says which keys answer;
    /// a window that scrolls adds its own keys and where it stands.
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: Theme, lang: Lang, hint: &str) {
        // A window takes the keyboard: no cursor left in an input behind it.
        super::forget_cursor();
        let g = self.geometry(area, theme, lang, hint);
        let Geometry {
            rect,
            head,
            body,
            mut tail,
            body_rows,
        } = g;
        if self.hidden > 0
            && let Some(last) = tail.last_mut()
        {
            // The answer keys, then ↑↓ and where the view stands (lines below / above).
            let below = self.hidden - self.scroll.min(self.hidden);
            let mark = match (self.scroll > 0, below > 0) {
                (_, true) => format!("▼ {below}"),
                (true, false) => "▲".to_string(),
                _ => String::new(),
            };
            *last = Line::from(vec![
                Span::styled(format!("{hint}  "), theme.dim()),
                Span::styled(
                    format!("↑↓ {}", tr(lang, "confirm.scroll_key")),
                    theme.dim(),
                ),
                Span::styled(format!("  {mark}"), theme.key()),
            ]);
        }
        let mut lines = head;
        lines.extend(body.into_iter().skip(self.scroll).take(body_rows));
        // The typed line ends with its `█`, where the typing goes (one line, one row).
        let cursor = self.input.as_ref().and_then(|_| {
            let at = tail.iter().position(|l| {
                l.spans
                    .last()
                    .is_some_and(|s| s.content.ends_with(super::MARKER))
            })?;
            Some((tail[at].width().saturating_sub(1), lines.len() + at))
        });
        lines.extend(tail);
        frame.render_widget(Clear, rect);
        let block = titled_block(&self.title, rect.width, theme);
        let inner = block.inner(rect);
        // Lines are wrapped already: one line, one row, so the counts above hold.
        frame.render_widget(Paragraph::new(lines).block(block), rect);
        if let Some((col, row)) = cursor {
            super::show_cursor(frame, inner, col, row);
        }
    }
}

/// `lines` cut to `width` columns: a line that fits stays as it is (its colours kept); a longer
/// one is wrapped at spaces in the style of its first part.
fn wrap_lines(lines: &[Line<'static>], width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= width {
            out.push(line.clone());
            continue;
        }
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let style = line
            .spans
            .first()
            .map_or(line.style, |s| line.style.patch(s.style));
        for part in wrap(&text, width, usize::MAX) {
            out.push(Line::from(Span::styled(part, style)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn noop() -> Pending {
        Pending::CancelMessages { ids: Vec::new() }
    }

    #[test]
    fn without_input_the_dialog_keys_answer() {
        let mut c = Confirm::new("t".into(), vec![], noop());
        assert_eq!(
            c.key(k(KeyCode::Char('y')), Some(DialogAction::Confirm)),
            ConfirmKey::Confirmed
        );
        assert_eq!(
            c.key(k(KeyCode::Char('n')), Some(DialogAction::Close)),
            ConfirmKey::Closed
        );
        assert_eq!(c.key(k(KeyCode::Char('z')), None), ConfirmKey::Stay);
    }

    #[test]
    fn a_destructive_question_keeps_everything_on_enter() {
        let mut c = Confirm::new("t".into(), vec![], noop())
            .destructive(Answers::yes_no(crate::i18n::Lang::En));
        assert_eq!(
            c.key(k(KeyCode::Enter), Some(DialogAction::Confirm)),
            ConfirmKey::Closed
        );
        assert_eq!(
            c.key(k(KeyCode::Char('y')), Some(DialogAction::Confirm)),
            ConfirmKey::Confirmed
        );
        c.key(k(KeyCode::Right), None);
        assert_eq!(
            c.key(k(KeyCode::Enter), Some(DialogAction::Confirm)),
            ConfirmKey::Confirmed
        );
    }

    #[test]
    fn with_input_letters_are_text_and_only_enter_confirms() {
        let mut c = Confirm::new("t".into(), vec![], noop()).with_input("at".into(), "12".into());
        // `n` would close a plain dialog; here it is typed.
        assert_eq!(
            c.key(k(KeyCode::Char('n')), Some(DialogAction::Close)),
            ConfirmKey::Stay
        );
        assert_eq!(c.key(k(KeyCode::Backspace), None), ConfirmKey::Stay);
        assert_eq!(c.input.as_ref().map(|i| i.text.as_str()), Some("12"));
        c.key(k(KeyCode::Char('3')), None);
        c.key(
            KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
            None,
        );
        assert_eq!(c.input.as_ref().map(|i| i.text.as_str()), Some(""));
        c.key(k(KeyCode::Char('3')), None);
        assert_eq!(
            c.key(k(KeyCode::Enter), Some(DialogAction::Confirm)),
            ConfirmKey::Confirmed
        );
        assert_eq!(
            c.key(k(KeyCode::Esc), Some(DialogAction::Close)),
            ConfirmKey::Closed
        );
    }
}
