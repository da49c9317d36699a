//! A confirmation window that owns the keyboard: a question, optionally one line the operator
//! types (a new time, a number), and the change to run when confirmed.
//!
//! A `Confirm` carries the change as data ([`Pending`]); the app runs it with the store and
//! the acting operator, so every destructive action goes through the core use cases after a
//! "yes".

use crate::i18n::{Describe, Lang, tr};
use crate::keymap::DialogAction;
use crate::tui::fmt::clean;
use crate::tui::pending::{Done, Pending, RunCtx};
use crate::tui::problem::Problem;
use crate::tui::theme::Theme;
use crate::tui::widgets::titled_block;
use crate::tui::widgets::{boxed_height, centred};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// One line of typed input inside the window.
pub struct Input {
    pub label: String,
    pub text: String,
}

pub struct Confirm {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    pub input: Option<Input>,
    /// The last refusal of `run`, shown under the question (boxed: the core's errors are
    /// large and a window is moved around as a value).
    pub error: Option<Box<Problem>>,
    pub pending: Pending,
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
            lines,
            input: None,
            error: None,
            pending,
        }
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

    /// The window's text: question, input line, last refusal, key hints.
    fn body(&self, theme: Theme, lang: Lang, hint: &str) -> Vec<Line<'static>> {
        let mut lines = self.lines.clone();
        if let Some(input) = &self.input {
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                // "fichier : " in French, "file: " in English.
                Span::styled(
                    format!("{}{}", clean(&input.label), tr(lang, "ui.colon")),
                    theme.title(),
                ),
                Span::raw(input.text.clone()),
                Span::styled("█", theme.dim()),
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
        lines.push(Line::from(Span::styled(hint.to_string(), theme.dim())));
        lines
    }

    /// Draws the window centred in `area`, sized to its text. `hint` says which keys answer.
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: Theme, lang: Lang, hint: &str) {
        let width = (area.width.saturating_mul(7) / 10).max(30).min(area.width);
        let inner_width = usize::from(width.saturating_sub(2)).max(1);
        let lines = self.body(theme, lang, hint);
        let height = boxed_height(lines.iter().map(Line::width), inner_width, area.height);
        let rect = centred(area, width, height);
        frame.render_widget(Clear, rect);
        let block = titled_block(&self.title, width, theme);
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            rect,
        );
    }
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
