//! Quick selection by name: a small popup list filtered as you type (the names containing
//! what is typed, without case or accents), ↑ ↓ to move, Enter to take, Esc to leave.
//! Used by the composer to pick a saved text (template).

use crate::i18n::{Lang, tr};
use crate::tui::fmt::{clean, truncate};
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState};

/// What the picker did with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickerKey {
    /// Typing, moving: the picker stays open.
    Stay,
    /// Enter on the item at this index of the names given.
    Chosen(usize),
    /// Esc: closed without a choice.
    Closed,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Picker {
    /// What was typed to filter the names.
    query: String,
    /// Position in the filtered list.
    selected: usize,
}

impl Picker {
    pub fn new() -> Picker {
        Picker::default()
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    /// Indexes of the names containing the query without case or accents
    /// ([`crate::text::fold`]), in their order.
    pub fn matches(&self, names: &[String]) -> Vec<usize> {
        let q = crate::text::fold(&self.query);
        names
            .iter()
            .enumerate()
            .filter(|(_, n)| crate::text::fold(n).contains(&q))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn key(&mut self, key: &KeyEvent, names: &[String]) -> PickerKey {
        let found = self.matches(names);
        let last = found.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return PickerKey::Closed,
            KeyCode::Enter => {
                return match found.get(self.selected.min(last)) {
                    Some(&i) => PickerKey::Chosen(i),
                    None => PickerKey::Stay,
                };
            }
            KeyCode::Down => self.selected = (self.selected + 1).min(last),
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = last,
            KeyCode::Backspace => {
                self.query.pop();
                self.selected = 0;
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    && !c.is_control() =>
            {
                if self.query.chars().count() < 60 {
                    self.query.push(c);
                }
                self.selected = 0;
            }
            _ => {}
        }
        PickerKey::Stay
    }

    /// Draws the popup at the top of `over`: the query as its title, the matching names.
    pub fn draw(
        &self,
        frame: &mut Frame,
        over: Rect,
        theme: Theme,
        lang: Lang,
        title: &str,
        names: &[String],
    ) {
        if over.width < 10 || over.height < 3 {
            return;
        }
        let found = self.matches(names);
        let width = over.width.clamp(10, 60);
        let rows = u16::try_from(found.len().max(1)).unwrap_or(u16::MAX);
        let height = rows.saturating_add(2).min(over.height);
        let rect = Rect {
            x: over.x + (over.width - width) / 2,
            y: over.y,
            width,
            height,
        };
        let room = usize::from(width.saturating_sub(4));
        let items: Vec<ListItem> = if found.is_empty() {
            vec![ListItem::new(Line::from(Span::styled(
                tr(lang, "picker.none").to_string(),
                theme.dim(),
            )))]
        } else {
            found
                .iter()
                .map(|&i| ListItem::new(truncate(&clean(&names[i]), room)))
                .collect()
        };
        let head = format!(" {title} › {}▏", clean(&self.query));
        let list = List::new(items)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(truncate(&head, room), theme.title())),
            )
            .highlight_style(theme.selected());
        let selected = (!found.is_empty()).then(|| self.selected.min(found.len() - 1));
        let mut state = ListState::default().with_selected(selected);
        frame.render_widget(Clear, rect);
        frame.render_stateful_widget(list, rect, &mut state);
        // The typing goes at the end of the query, on its `▏` (when the title is not cut).
        let head_w = unicode_width::UnicodeWidthStr::width(head.as_str());
        if head_w <= room {
            super::show_cursor(frame, rect, head_w, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["Rappel RDV", "Convocation", "Rappel atelier"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn typing_filters_and_enter_takes_the_highlighted_match() {
        let mut p = Picker::new();
        let n = names();
        for c in "rappel".chars() {
            assert_eq!(
                p.key(&KeyEvent::from(KeyCode::Char(c)), &n),
                PickerKey::Stay
            );
        }
        assert_eq!(p.matches(&n), vec![0, 2]);
        p.key(&KeyEvent::from(KeyCode::Down), &n);
        assert_eq!(
            p.key(&KeyEvent::from(KeyCode::Enter), &n),
            PickerKey::Chosen(2)
        );
        p.key(&KeyEvent::from(KeyCode::Char('x')), &n);
        assert_eq!(p.key(&KeyEvent::from(KeyCode::Enter), &n), PickerKey::Stay);
        assert_eq!(p.key(&KeyEvent::from(KeyCode::Esc), &n), PickerKey::Closed);
    }
}
