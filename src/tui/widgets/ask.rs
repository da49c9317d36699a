//! A yes / no question whose default is the safe answer: Enter presses the focused button,
//! which starts on "no" (keep editing, keep the messages). Only an explicit `y` / `o` (the
//! dialog's confirm keys other than Enter), or moving the focus to "yes" first, says yes —
//! so an Enter typed by habit never throws work away or cancels messages.
//!
//! Every question that loses something goes through it: the form's "abandon?", the quit
//! question, destructive confirmations (cancel, delete, archive).

use crate::i18n::{Lang, tr};
use crate::keymap::{DialogAction, Keymap};
use crate::tui::fmt::{clean, key_names};
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// The answer a key gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AskKey {
    /// The risky answer (discard, quit, cancel the messages).
    Yes,
    /// The safe answer.
    No,
    /// Focus moved, or the key means nothing here.
    Stay,
}

/// The two answers' labels, already in the screen's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answers {
    pub no: String,
    pub yes: String,
}

impl Answers {
    pub fn new(lang: Lang, no: &str, yes: &str) -> Answers {
        Answers {
            no: tr(lang, no).to_string(),
            yes: tr(lang, yes).to_string(),
        }
    }

    /// Plain "No" / "Yes" (delete, archive, remove).
    pub fn yes_no(lang: Lang) -> Answers {
        Answers::new(lang, "ask.no", "ask.yes")
    }
}

/// The state of one question: which button has the focus, and the keys that say yes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ask {
    pub yes_focused: bool,
    /// The dialog's confirm keys other than Enter (`y`, `o`), for the hints.
    yes_keys: Vec<String>,
}

impl Ask {
    /// A question answered with the live keys of the dialog context.
    pub fn new(keymap: &Keymap) -> Ask {
        Ask {
            yes_focused: false,
            yes_keys: keymap
                .bindings(crate::keymap::Context::Dialog)
                .iter()
                .filter(|b| b.action == DialogAction::Confirm.into())
                .map(|b| b.key.label())
                .filter(|k| k != "Enter")
                .collect(),
        }
    }

    /// Routes a key. `dialog` is its action in the dialog context of the keymap.
    pub fn key(&mut self, key: &KeyEvent, dialog: Option<DialogAction>) -> AskKey {
        match key.code {
            KeyCode::Left | KeyCode::Right | KeyCode::Tab | KeyCode::BackTab => {
                self.yes_focused = !self.yes_focused;
                return AskKey::Stay;
            }
            KeyCode::Enter => {
                return if self.yes_focused {
                    AskKey::Yes
                } else {
                    AskKey::No
                };
            }
            _ => {}
        }
        match dialog {
            Some(DialogAction::Confirm) => AskKey::Yes,
            Some(DialogAction::Close) => AskKey::No,
            // Ctrl-c in a question is "no" (it never confirms a loss by itself).
            None if key.code == KeyCode::Char('c')
                && key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                AskKey::No
            }
            None => AskKey::Stay,
        }
    }

    /// The key that says yes in the hints: the language's own (`o`, `y`) when bound, else the
    /// first confirm key other than Enter.
    pub fn yes_key(&self, lang: Lang) -> Option<String> {
        let preferred = tr(lang, "app.yes_key");
        self.yes_keys
            .iter()
            .find(|k| k.as_str() == preferred)
            .or_else(|| self.yes_keys.first())
            .cloned()
    }

    /// The buttons line: `[ Keep editing ]  [ Discard ]`, the focused one highlighted.
    pub fn buttons(&self, answers: &Answers, theme: Theme) -> Line<'static> {
        let style = |focused: bool| {
            if focused {
                theme.selected()
            } else {
                theme.dim()
            }
        };
        Line::from(vec![
            Span::styled(format!("[ {} ]", answers.no), style(!self.yes_focused)),
            Span::raw("  "),
            Span::styled(format!("[ {} ]", answers.yes), style(self.yes_focused)),
        ])
    }

    /// The keys that answer: `Enter keep editing · y discard · Esc keep editing`, with the
    /// live keys of the dialog context (the first confirm key other than Enter).
    pub fn hints(&self, answers: &Answers, lang: Lang) -> Vec<(String, String)> {
        let focused = if self.yes_focused {
            &answers.yes
        } else {
            &answers.no
        };
        // Key names as the key map writes them (`Enter`); whoever shows them translates.
        let mut v = vec![("Enter".to_string(), focused.clone())];
        if let Some(yes) = self.yes_key(lang) {
            v.push((yes, answers.yes.clone()));
        }
        v.push(("← →".to_string(), tr(lang, "ask.move").to_string()));
        v
    }
}

/// The dialog keys other than Esc that say no (`n`), as the key map writes them.
pub fn no_keys(keymap: &Keymap) -> Vec<String> {
    keymap
        .bindings(crate::keymap::Context::Dialog)
        .iter()
        .filter(|b| b.action == DialogAction::Close.into())
        .map(|b| b.key.label())
        .filter(|k| k != "Esc")
        .collect()
}

/// What [`draw_ask`] shows.
pub struct Question<'a> {
    pub title: &'a str,
    pub lines: &'a [String],
    pub ask: &'a Ask,
    pub answers: &'a Answers,
    pub lang: Lang,
}

/// A small centred question over `area`: title, the lines, the buttons and the keys.
pub fn draw_ask(frame: &mut Frame, area: Rect, theme: Theme, q: &Question) {
    // A window takes the keyboard: no cursor left in an input behind it.
    super::forget_cursor();
    let Question {
        title,
        lines,
        ask,
        answers,
        lang,
    } = q;
    let keys = ask.hints(answers, *lang);
    let width = area.width.clamp(20, 64).min(area.width);
    let inner_w = usize::from(width.saturating_sub(2)).max(1);
    let mut text: Vec<Line> = lines.iter().map(|l| Line::from(clean(l))).collect();
    text.push(Line::from(""));
    text.push(ask.buttons(answers, theme));
    let keys = keys
        .iter()
        .map(|(k, d)| format!("{} {d}", key_names(k, *lang)))
        .collect::<Vec<_>>()
        .join(" · ");
    text.push(Line::from(Span::styled(clean(&keys), theme.dim())));
    let rows: usize = text
        .iter()
        .map(|l| (l.width() + l.width() / 6).div_ceil(inner_w).max(1))
        .sum();
    let height = (u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2)).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, rect);
    let p = Paragraph::new(text).wrap(Wrap { trim: false }).block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.warn())
            .title(Span::styled(format!(" {} ", clean(title)), theme.title())),
    );
    frame.render_widget(p, rect);
}

/// `Name, Text and 3 recipients`: what would be lost, in the screen's language.
pub fn join_items(items: &[String], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), tr(lang, "ask.and")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn enter_gives_the_safe_answer_until_the_focus_moves() {
        let mut a = Ask::default();
        assert_eq!(
            a.key(&k(KeyCode::Enter), Some(DialogAction::Confirm)),
            AskKey::No
        );
        assert_eq!(a.key(&k(KeyCode::Right), None), AskKey::Stay);
        assert_eq!(
            a.key(&k(KeyCode::Enter), Some(DialogAction::Confirm)),
            AskKey::Yes
        );
    }

    #[test]
    fn only_an_explicit_yes_key_says_yes() {
        let mut a = Ask::default();
        assert_eq!(
            a.key(&k(KeyCode::Char('o')), Some(DialogAction::Confirm)),
            AskKey::Yes
        );
        assert_eq!(
            a.key(&k(KeyCode::Esc), Some(DialogAction::Close)),
            AskKey::No
        );
        assert_eq!(a.key(&k(KeyCode::Char('z')), None), AskKey::Stay);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(a.key(&ctrl_c, None), AskKey::No);
    }

    #[test]
    fn items_are_joined_with_and() {
        let items = vec!["Nom".to_string(), "Texte".into(), "3 destinataires".into()];
        assert_eq!(
            join_items(&items, Lang::Fr),
            "Nom, Texte et 3 destinataires"
        );
        assert_eq!(join_items(&items[..1], Lang::En), "Nom");
    }
}
