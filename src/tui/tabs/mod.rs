//! One module per tab, behind one small trait, plus the table helpers they share.

pub mod admin;
pub mod agenda;
pub mod batch;
pub mod contacts;
pub mod contacts_import;
pub mod dashboard;
pub mod export;
pub mod free;
pub mod lists;
pub mod message_edit;
pub mod messages;
pub mod settings;
pub mod templates;
pub mod users;

use super::fmt::{Fmt, truncate};
use super::pager::{Pager, Source};
use super::theme::Theme;
use crate::core::Actor;
use crate::i18n::{Describe, Lang};
use crate::keymap::{Keymap, ListAction};
use crate::store::Db;
use crate::store::{Result, Store};
use crate::tui::jobs::{JobId, JobUpdate, Jobs};
use crate::tui::widgets::form::EditHints;
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

/// What a tab needs to read and show its data.
pub struct Ctx<'a> {
    pub conn: Db<'a>,
    pub fmt: Fmt,
    pub theme: Theme,
    pub now: DateTime<Utc>,
    /// Default country of phone numbers (`FR`), for display.
    pub region: &'a str,
    /// Low-credit threshold (SMS units).
    pub low_credit: i64,
    /// Who is using the screen: editing actions are shown only to those with the right.
    pub actor: &'a Actor,
}

impl Ctx<'_> {
    pub fn lang(&self) -> Lang {
        self.fmt.lang
    }

    pub fn tr<'k>(&self, key: &'k str) -> &'k str {
        crate::i18n::tr(self.fmt.lang, key)
    }
}

/// What a tab may use to change things: the store (through the core use cases, which check
/// rights and audit), who acts and when. Reading goes through [`Act::ctx`].
pub struct Act<'a> {
    pub store: &'a mut Store,
    pub actor: &'a Actor,
    /// The live bindings, for editors resolving their own keys (`Editor`, `Dialog`).
    pub keymap: &'a Keymap,
    pub fmt: Fmt,
    pub theme: Theme,
    pub now: DateTime<Utc>,
    pub region: &'a str,
    pub low_credit: i64,
    /// Starts work off the UI thread for this tab.
    pub jobs: Jobs,
}

impl Act<'_> {
    /// A read-only view of the same context.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            conn: self.store.db(),
            fmt: self.fmt,
            theme: self.theme,
            now: self.now,
            region: self.region,
            low_credit: self.low_credit,
            actor: self.actor,
        }
    }

    pub fn lang(&self) -> Lang {
        self.fmt.lang
    }

    pub fn tr<'k>(&self, key: &'k str) -> &'k str {
        crate::i18n::tr(self.fmt.lang, key)
    }
}

/// What a tab did with an action.
pub enum Outcome {
    /// Not for this tab: try the global bindings.
    Ignored,
    Handled,
    /// Show this popup (title, body lines).
    Popup(String, Vec<Line<'static>>),
    /// Give the keyboard to the filter bar.
    EditFilter,
    /// Show the messages of this batch / free send (in Sent, or Upcoming while none left).
    ShowBatch(i64),
    /// A narrowed list was given back: return to the tab the operator came from.
    Back,
    /// A known action this version does not offer yet (the status line says so).
    NotYet,
    /// Ask before a change; the app runs it with the store when the operator says yes.
    Confirm(crate::tui::widgets::confirm::Confirm),
    /// Something was done: say so in the status line.
    Info(String),
    /// Something was refused or failed: say why in the status line.
    Error(String),
    /// The acting operator's own language was stored (`None`: follow the store's setting):
    /// the screen switches to it.
    OwnLanguage(Option<String>),
}

impl Outcome {
    /// Something failed: its reason, in the operator's language, for the status line.
    pub fn failed(why: &impl Describe, lang: Lang) -> Outcome {
        Outcome::Error(why.describe(lang))
    }
}

pub trait TabView {
    /// Re-reads what the tab shows; returns whether anything changed.
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool>;
    /// A list-context action (`down`, `open`, `filter`…).
    fn action(&mut self, action: ListAction, ctx: &Ctx) -> Result<Outcome>;
    /// Before drawing: records what the screen gives the tab (visible rows, the language)
    /// and scrolls its lists and windows to keep their selection in view. Drawing itself
    /// then only reads ([`TabView::draw`] takes `&self`).
    fn layout(&mut self, _area: Rect, _ctx: &Ctx) {}
    /// Draws the tab as [`TabView::layout`] left it, given the same `area`.
    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx);
    /// List actions worth a hint in the footer, most useful first.
    fn hints(&self) -> &'static [ListAction] {
        &[
            ListAction::Open,
            ListAction::Filter,
            ListAction::PageDown,
            ListAction::First,
            ListAction::Last,
        ]
    }
    /// The catalogue key naming what `action` does in this tab, when the key map's generic
    /// description would not say it (Agenda's `t` opens the reminder, not "on / off").
    fn hint_label(&self, _action: ListAction) -> Option<&'static str> {
        None
    }
    /// Whether the list movement keys (↓ ↑ PgDn Home…) move something in this tab (the
    /// help names them only then).
    fn moves(&self) -> bool {
        true
    }
    /// The filter text in force, when the tab can be filtered.
    fn filter(&self) -> Option<&str> {
        None
    }
    /// Applies a new filter text (only called when `filter()` is `Some`); a term it does not
    /// understand is the problem shown.
    fn set_filter(
        &mut self,
        _text: &str,
        _ctx: &Ctx,
    ) -> std::result::Result<(), crate::tui::problem::Problem> {
        Ok(())
    }
    /// Restricts the list to one batch's messages (`None`: all messages).
    fn show_batch(&mut self, _batch: Option<i64>, _ctx: &Ctx) -> Result<()> {
        Ok(())
    }
    /// Rows that arrived in front of a list scrolled away from its top (the footer then says
    /// what the first-row key does).
    fn new_above(&self) -> usize {
        0
    }
    /// A confirmed change of this tab was made (before [`TabView::after_change`]).
    fn confirmed(&mut self, _done: &crate::tui::pending::Done) {}
    /// A confirmed change was made: re-read (and forget a selection that is now done).
    fn after_change(&mut self, ctx: &Ctx) -> Result<()> {
        self.refresh(ctx).map(|_| ())
    }
    /// Rows currently held in memory (diagnostics and tests: paging must stay bounded).
    fn loaded_rows(&self) -> usize {
        0
    }
    /// A list action that changes something (`new`, `edit`, `delete`, `toggle`…), given the
    /// store to write to. Called before [`TabView::action`]; `Ignored` falls through to it.
    fn command(&mut self, _action: ListAction, _act: &mut Act) -> Result<Outcome> {
        Ok(Outcome::Ignored)
    }
    /// Whether a form, editor or modal of this tab has the keyboard: every key, letters
    /// included, then goes to [`TabView::key`] before (and instead of) any binding.
    fn editing(&self) -> bool {
        false
    }
    /// A key while [`TabView::editing`]. The tab resolves its own bindings (`Editor` and
    /// `Dialog` contexts of the keymap); `Ignored` means the key does nothing.
    fn key(&mut self, _key: &KeyEvent, _act: &mut Act) -> Result<Outcome> {
        Ok(Outcome::Ignored)
    }
    /// Text pasted (bracketed paste) while [`TabView::editing`].
    fn paste(&mut self, _text: &str, _act: &mut Act) {}
    /// Key hints while [`TabView::editing`]: `(context, action)` pairs, resolved through the
    /// live keymap; plus free `(key, description)` pairs for keys that are not bindings
    /// (Tab between fields, Space to toggle).
    fn edit_hints(&self) -> EditHints {
        (Vec::new(), Vec::new())
    }
    /// The refusal the open form shows (kept in the session's log too).
    fn notice(&self) -> Option<String> {
        None
    }
    /// What typed in this tab quitting would lose, by the labels the operator sees (the
    /// changed fields of an open form, `3 recipients`…); empty: nothing.
    fn unsaved(&self, _lang: Lang) -> Vec<String> {
        Vec::new()
    }
    /// A job this tab started (reading a large file, an import, an export) got further or
    /// ended: the tab shows its progress or what comes of it (a confirmation…).
    fn on_job(&mut self, _id: JobId, _update: JobUpdate, _act: &mut Act) -> Result<Outcome> {
        Ok(Outcome::Ignored)
    }
}

/// Drawing only reads: a tab draws through a shared reference (checked at compile time).
const _: fn(&dyn TabView, &mut Frame, Rect, &Ctx) = |view, frame, area, ctx| {
    view.draw(frame, area, ctx);
};

/// One column of a table: preferred width, whether it takes the remaining space, and which
/// columns go first when the terminal is narrow (lower `priority` is kept longer).
pub struct Col {
    pub title: String,
    pub width: u16,
    pub priority: u8,
    pub fill: bool,
}

impl Col {
    pub fn new(title: &str, width: u16, priority: u8) -> Col {
        Col {
            title: title.to_string(),
            width,
            priority,
            fill: false,
        }
    }

    pub fn fill(title: &str, min: u16, priority: u8) -> Col {
        Col {
            fill: true,
            ..Col::new(title, min, priority)
        }
    }
}

/// The columns that fit in `width` (by priority), in their display order.
pub fn fit_columns(cols: &[Col], width: u16) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|&i| (cols[i].priority, i));
    let mut kept = Vec::new();
    let mut used: u32 = 0;
    for i in order {
        let need = u32::from(cols[i].width) + if kept.is_empty() { 0 } else { 1 };
        if used + need <= u32::from(width) {
            used += need;
            kept.push(i);
        }
    }
    kept.sort_unstable();
    kept
}

/// A table that shows `cells[row][col]`, dropping columns that do not fit, with the selected
/// row highlighted and the viewport starting at `offset`.
pub fn draw_table(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    cols: &[Col],
    cells: Vec<Vec<Cell<'static>>>,
    selected: Option<usize>,
    offset: usize,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let kept = fit_columns(cols, area.width);
    let header = Row::new(
        kept.iter()
            .map(|&i| Cell::new(truncate(&cols[i].title, usize::from(cols[i].width.max(1)))))
            .collect::<Vec<_>>(),
    )
    .style(ctx.theme.header());
    let widths: Vec<Constraint> = kept
        .iter()
        .map(|&i| {
            if cols[i].fill {
                Constraint::Fill(1)
            } else {
                Constraint::Length(cols[i].width)
            }
        })
        .collect();
    let rows: Vec<Row> = cells
        .into_iter()
        .map(|mut row| {
            let mut picked = Vec::with_capacity(kept.len());
            for &i in &kept {
                picked.push(if i < row.len() {
                    std::mem::take(&mut row[i])
                } else {
                    Cell::new("")
                });
            }
            Row::new(picked)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(ctx.theme.selected());
    let mut state = TableState::new()
        .with_offset(offset)
        .with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}

/// Number of table rows that fit under the header in `area`.
pub fn body_height(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(1)).max(1)
}

/// The one-line bar above a list: a title on the left, a note on the right (`↑ ↓` when more
/// rows exist beyond the loaded window).
pub fn info_line(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    left: Vec<Span<'static>>,
    right: String,
) {
    if area.height == 0 {
        return;
    }
    let right_width = right.chars().count() as u16;
    let mut spans = left;
    let left_width: u16 = spans.iter().map(|s| s.width() as u16).sum();
    if area.width > left_width + right_width + 1 {
        let gap = area.width - left_width - right_width;
        spans.push(Span::raw(" ".repeat(usize::from(gap))));
        spans.push(Span::styled(right, ctx.theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `↑` / `↓` marks for rows beyond the loaded window or the screen; `3 new ↑` when rows
/// arrived in front of a list scrolled away from its top.
pub fn more_marks<S: Source>(pager: &Pager<S>, offset: usize, height: usize, ctx: &Ctx) -> String {
    let up = pager.more_before() || offset > 0;
    let down = pager.more_after() || offset + height < pager.rows().len();
    let new = pager.new_above();
    let up = match (new, up) {
        (0, true) => "↑".to_string(),
        (0, false) => String::new(),
        // The count is bounded: "99+" past it.
        (n, _) if n >= super::pager::NEW_CAP => {
            crate::i18n::trf(ctx.lang(), "ui.new_above", &[("n", &format!("{n}+"))])
        }
        (n, _) => crate::i18n::trf(ctx.lang(), "ui.new_above", &[("n", &n.to_string())]),
    };
    format!("{up}{}", if down { "↓" } else { "" })
}

/// Handles the movement actions of a paged list; `None` for other actions.
pub fn move_pager<S: Source>(
    pager: &mut Pager<S>,
    action: ListAction,
    conn: Db<'_>,
    page: usize,
) -> Result<Option<Outcome>> {
    let page = page.max(1) as isize;
    match action {
        ListAction::Down => pager.move_by(conn, 1)?,
        ListAction::Up => pager.move_by(conn, -1)?,
        ListAction::PageDown => pager.move_by(conn, page)?,
        ListAction::PageUp => pager.move_by(conn, -page)?,
        ListAction::First => pager.first(conn)?,
        ListAction::Last => pager.last(conn)?,
        _ => return Ok(None),
    }
    Ok(Some(Outcome::Handled))
}

/// A small list held whole (settings, templates, automations, operators: tens of rows) with
/// a selection and a viewport.
pub struct Selection {
    pub selected: usize,
    pub offset: usize,
    pub height: usize,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            selected: 0,
            offset: 0,
            height: 10,
        }
    }
}

impl Selection {
    /// Handles movement actions over `len` rows; `None` for other actions.
    pub fn action(&mut self, action: ListAction, len: usize) -> Option<Outcome> {
        let last = len.saturating_sub(1);
        let page = self.height.max(1);
        self.selected = match action {
            ListAction::Down => (self.selected + 1).min(last),
            ListAction::Up => self.selected.saturating_sub(1),
            ListAction::PageDown => (self.selected + page).min(last),
            ListAction::PageUp => self.selected.saturating_sub(page),
            ListAction::First => 0,
            ListAction::Last => last,
            _ => return None,
        };
        Some(Outcome::Handled)
    }

    /// Fits the viewport to the table below the info line of `area` (see [`split_info`]).
    pub fn fit_below_info(&mut self, area: Rect, len: usize) {
        let (_, table) = split_info(area);
        self.viewport(body_height(table), len);
    }

    /// Draws `cells` (one row each) in `area` with this selection and viewport.
    pub fn draw_table(
        &self,
        frame: &mut Frame,
        area: Rect,
        ctx: &Ctx,
        cols: &[Col],
        cells: Vec<Vec<Cell<'static>>>,
    ) {
        let selected = (!cells.is_empty()).then_some(self.selected);
        draw_table(frame, area, ctx, cols, cells, selected, self.offset);
    }

    /// Scrolls the viewport to keep the selection visible; returns its first row.
    pub fn viewport(&mut self, height: usize, len: usize) -> usize {
        self.height = height.max(1);
        self.selected = self.selected.min(len.saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + self.height {
            self.offset = self.selected + 1 - self.height;
        }
        self.offset = self.offset.min(len.saturating_sub(self.height));
        self.offset
    }
}

/// A cell with a style.
pub fn styled(text: impl Into<String>, style: Style) -> Cell<'static> {
    Cell::new(text.into()).style(style)
}

/// A plain cell.
pub fn cell(text: impl Into<String>) -> Cell<'static> {
    Cell::new(text.into())
}

/// The vertical split used by list tabs: an info line, then the table.
pub fn split_info(area: Rect) -> (Rect, Rect) {
    let info = Rect {
        height: area.height.min(1),
        ..area
    };
    let rest = Rect {
        y: area.y + info.height,
        height: area.height - info.height,
        ..area
    };
    (info, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_terminals_drop_the_least_important_columns() {
        let cols = vec![
            Col::new("a", 10, 0),
            Col::new("b", 10, 2),
            Col::fill("c", 10, 1),
        ];
        assert_eq!(fit_columns(&cols, 80), vec![0, 1, 2]);
        assert_eq!(fit_columns(&cols, 21), vec![0, 2], "b goes first");
        assert_eq!(fit_columns(&cols, 10), vec![0]);
        assert_eq!(fit_columns(&cols, 3), Vec::<usize>::new());
    }
}
