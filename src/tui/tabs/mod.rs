//! One module per tab, behind one small trait, plus the table helpers they share.

pub mod admin;
pub mod agenda;
pub mod batch;
pub mod contact_card;
pub mod contact_edit;
pub mod contacts;
pub mod contacts_import;
pub mod dashboard;
pub mod export;
pub mod free;
pub mod inbox;
pub mod individual;
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
use ratatui::widgets::{Cell as TableCell, Paragraph, Row, Table, TableState};
use unicode_width::UnicodeWidthStr;

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
    /// The live bindings, for texts that name a key (`I imports a file`).
    pub keymap: &'a Keymap,
}

impl Ctx<'_> {
    pub fn lang(&self) -> Lang {
        self.fmt.lang
    }

    pub fn tr<'k>(&self, key: &'k str) -> &'k str {
        crate::i18n::tr(self.fmt.lang, key)
    }

    /// The catalogue text `key` as a label before its value (`Destinataire : `), see
    /// [`crate::i18n::label`].
    pub fn label(&self, key: &str) -> String {
        crate::i18n::label(self.fmt.lang, self.tr(key))
    }

    /// The key bound to `action`, as the footer names it (`?` when unbound).
    pub fn key(&self, action: impl Into<crate::keymap::Action>) -> String {
        self.keymap.key_for(action).map_or_else(
            || "?".to_string(),
            |k| super::fmt::key_names(&k, self.lang()),
        )
    }

    /// The catalogue text `key` as a dimmed line (a note under a question).
    pub fn dim_line(&self, key: &str) -> Line<'static> {
        Line::from(Span::styled(self.tr(key).to_string(), self.theme.dim()))
    }

    /// The catalogue text `key` with its `{name}` placeholders given keys of the keymap.
    pub fn with_keys(&self, key: &str, keys: &[(&str, crate::keymap::Action)]) -> String {
        let named: Vec<(&str, String)> = keys.iter().map(|&(n, a)| (n, self.key(a))).collect();
        let args: Vec<(&str, &str)> = named.iter().map(|(n, k)| (*n, k.as_str())).collect();
        crate::i18n::trf(self.lang(), key, &args)
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
            keymap: self.keymap,
        }
    }

    pub fn lang(&self) -> Lang {
        self.fmt.lang
    }

    pub fn tr<'k>(&self, key: &'k str) -> &'k str {
        crate::i18n::tr(self.fmt.lang, key)
    }
}

/// Where a read-only window's keys lead: a message's event and recipient, where it has them;
/// an unknown number's new contact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Links {
    pub event: Option<i64>,
    pub contact: Option<i64>,
    /// An unknown number's conversation: the new-contact key closes it and creates the
    /// number's contact (the tab's `NewContact` command, on the row it was opened from).
    pub new_contact: bool,
}

/// What a tab did with an action.
pub enum Outcome {
    /// Not for this tab: try the global bindings.
    Ignored,
    Handled,
    /// Show this popup (title, body lines).
    Popup(String, Vec<Line<'static>>),
    /// The same, scrolled to its last line (a conversation opens at its latest message), and
    /// where its keys lead.
    PopupAtEnd(String, Vec<Line<'static>>, Links),
    /// A message's detail: a popup from which `o` opens the message's event in the Agenda
    /// and `f` its recipient's contact card (each if it has one).
    Detail(String, Vec<Line<'static>>, Links),
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

/// A tab's answer to a key given to one of its modal forms (`asked`, from
/// [`crate::tui::widgets::form::modal_in`]): `save` on the save key, handled otherwise; `None`
/// when no form was open there (the key goes on).
pub fn modal_outcome(
    asked: Option<bool>,
    save: impl FnOnce() -> Result<Outcome>,
) -> Option<Result<Outcome>> {
    asked.map(|asked| if asked { save() } else { Ok(Outcome::Handled) })
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
    /// The filter changed: count the rows it matches, off the UI thread, for the list's title.
    fn count_filtered(&mut self, _act: &mut Act) {}
    /// Shows event `event_id` (the Agenda: its day, the event selected); whether it did.
    fn show_event(&mut self, _event_id: i64, _ctx: &Ctx) -> Result<bool> {
        Ok(false)
    }
    /// Opens the contact card of participant `id` (Contacts); false when this tab cannot.
    fn show_contact(&mut self, _id: i64, _ctx: &Ctx) -> Result<bool> {
        Ok(false)
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
    /// The transliteration key in this tab's send window (one marked
    /// [`Confirm::transliterates`](crate::tui::widgets::confirm::Confirm)): the text to GSM-7
    /// for every recipient, and the window again with its new totals; `Ignored` when nothing
    /// changes (the window stays).
    fn transliterate_send(&mut self, _act: &mut Act) -> Result<Outcome> {
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
    /// The i18n key naming what a bound key of [`TabView::edit_hints`] does here, when its
    /// key map description is not precise enough ("save" rather than "confirm").
    fn edit_hint_label(&self, _action: crate::keymap::Action) -> Option<&'static str> {
        None
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
    /// The most a fixed column takes (its cells are cut with `…` past it); the least a fill
    /// column needs to be shown.
    pub width: u16,
    pub priority: u8,
    pub fill: bool,
    /// Shown once above the table instead of on every row when all visible rows say the same.
    pub folds: bool,
    /// Folds only when every visible row leaves it blank (a mark: "all marked" is no note).
    pub folds_blank: bool,
}

impl Col {
    pub fn new(title: &str, width: u16, priority: u8) -> Col {
        Col {
            title: title.to_string(),
            width,
            priority,
            fill: false,
            folds: false,
            folds_blank: false,
        }
    }

    pub fn fill(title: &str, min: u16, priority: u8) -> Col {
        Col {
            fill: true,
            ..Col::new(title, min, priority)
        }
    }

    /// This column folds into a note when every visible row says the same (see [`Col::folds`]).
    pub fn folding(self) -> Col {
        Col {
            folds: true,
            ..self
        }
    }

    /// This column goes when no visible row has anything in it (see [`Col::folds_blank`]).
    pub fn folding_blank(self) -> Col {
        Col {
            folds: true,
            folds_blank: true,
            ..self
        }
    }
}

/// The fewest cells a fill column (a message's text) is given before other columns are kept.
pub const FILL_FLOOR: u16 = 10;

/// One cell of a table: its whole text (cut to the column by [`draw_table`]) and its style.
pub struct Cell {
    pub text: String,
    pub style: Style,
}

/// The columns that fit in `width`, in display order, each with its width. `natural[i]` is
/// the widest visible cell of column `i`. Columns are kept by priority at the width their
/// cells need (at most their preferred width); the space left goes to the fill columns up to
/// their widest cell, then to the cut fixed columns, then to the fill columns again: the
/// table always spans `width` when it has a fill column.
pub fn fit_columns(cols: &[Col], natural: &[usize], width: u16) -> Vec<(usize, u16)> {
    let natural_of = |i: usize| {
        let title = cols[i].title.width().min(usize::from(cols[i].width));
        u16::try_from(natural.get(i).copied().unwrap_or(0).max(title)).unwrap_or(u16::MAX)
    };
    let need = |i: usize| natural_of(i).clamp(1, cols[i].width.max(1));
    // A fill column (the text) is kept at [`FILL_FLOOR`] cells at least: room for it is set
    // aside until its turn, so that narrow screens drop other columns rather than the text.
    let floor = |i: usize| need(i).min(FILL_FLOOR);
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|&i| (cols[i].priority, i));
    let mut reserved: u32 = (0..cols.len())
        .filter(|&i| cols[i].fill)
        .map(|i| u32::from(floor(i)) + 1)
        .sum();
    let mut kept: Vec<(usize, u16)> = Vec::new();
    let mut used: u32 = 0;
    for i in order {
        let gap = u32::from(!kept.is_empty());
        if cols[i].fill {
            reserved = reserved.saturating_sub(u32::from(floor(i)) + 1);
        }
        let room = u32::from(width).saturating_sub(used + reserved + gap);
        let take = if cols[i].fill {
            // Cut to the room left, but never under its floor.
            u16::try_from(room.min(u32::from(need(i))))
                .unwrap_or(u16::MAX)
                .max(floor(i))
        } else {
            need(i)
        };
        if u32::from(take) <= room {
            used += u32::from(take) + gap;
            kept.push((i, take));
        }
    }
    kept.sort_unstable();
    let mut spare = u32::from(width).saturating_sub(used);
    let fills: Vec<usize> = (0..kept.len()).filter(|&k| cols[kept[k].0].fill).collect();
    let fixed: Vec<usize> = (0..kept.len()).filter(|&k| !cols[kept[k].0].fill).collect();
    let natural_w: Vec<u16> = kept.iter().map(|&(i, _)| natural_of(i)).collect();
    share(&mut kept, &fills, &natural_w, &mut spare);
    share(&mut kept, &fixed, &natural_w, &mut spare);
    let unbounded = vec![u16::MAX; kept.len()];
    share(&mut kept, &fills, &unbounded, &mut spare);
    kept
}

/// Gives `spare` columns one at a time, in turn, to the columns `among` until each reaches
/// `target`.
fn share(kept: &mut [(usize, u16)], among: &[usize], target: &[u16], spare: &mut u32) {
    loop {
        let mut grew = false;
        for &k in among {
            if *spare > 0 && kept[k].1 < target[k] {
                kept[k].1 += 1;
                *spare -= 1;
                grew = true;
            }
        }
        if !grew {
            return;
        }
    }
}

/// What a table shows at one width: the kept columns with their widths (display order),
/// each visible row's texts cut to them, and the columns folded away with their one value.
pub struct Fitted {
    pub cols: Vec<(usize, u16)>,
    pub rows: Vec<Vec<String>>,
    pub folded: Vec<(usize, String)>,
}

/// The text of column `i` in `row` (empty when the row is short).
fn text(row: &[Cell], i: usize) -> &str {
    row.get(i).map_or("", |c| c.text.as_str())
}

/// Fits `rows` (the visible ones) to `width`: a folding column whose rows all say the same
/// goes (noted when not empty), the others are fitted by [`fit_columns`], and every cut text
/// ends in `…`.
pub fn fit_table(cols: &[Col], rows: &[Vec<Cell>], width: u16) -> Fitted {
    let mut folded = Vec::new();
    let mut natural = Vec::with_capacity(cols.len());
    let mut shown = Vec::with_capacity(cols.len());
    for (i, col) in cols.iter().enumerate() {
        let first = rows.first().map(|r| text(r, i));
        let same = first.is_some_and(|f| {
            (!col.folds_blank || f.is_empty()) && rows.iter().all(|r| text(r, i) == f)
        });
        if col.folds && same {
            let value = first.unwrap_or_default();
            if !value.is_empty() {
                folded.push((i, value.to_string()));
            }
        }
        let on = !(col.folds && same);
        shown.push(Col {
            title: col.title.clone(),
            // A folded column needs more than any width, so it is never kept.
            width: if on { col.width } else { u16::MAX },
            priority: col.priority,
            fill: col.fill && on,
            folds: col.folds,
            folds_blank: col.folds_blank,
        });
        natural.push(if on {
            rows.iter().map(|r| text(r, i).width()).max().unwrap_or(0)
        } else {
            usize::MAX
        });
    }
    let kept = fit_columns(&shown, &natural, width);
    let rows = rows
        .iter()
        .map(|r| {
            kept.iter()
                .map(|&(i, w)| truncate(text(r, i), usize::from(w)))
                .collect()
        })
        .collect();
    Fitted {
        cols: kept,
        rows,
        folded,
    }
}

/// A table that shows `cells[row][col]` from row `offset` (only the rows that fit are
/// drawn), fitted to the width (see [`fit_table`]), with the selected row highlighted.
/// Returns the notes of the folded columns (`Status: not yet sent`), for the line above.
pub fn draw_table(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    cols: &[Col],
    cells: Vec<Vec<Cell>>,
    selected: Option<usize>,
    offset: usize,
) -> Vec<String> {
    if area.width == 0 || area.height == 0 {
        return Vec::new();
    }
    let visible: Vec<Vec<Cell>> = cells
        .into_iter()
        .skip(offset)
        .take(body_height(area))
        .collect();
    let fitted = fit_table(cols, &visible, area.width);
    let header = Row::new(
        fitted
            .cols
            .iter()
            .map(|&(i, w)| TableCell::new(truncate(&cols[i].title, usize::from(w))))
            .collect::<Vec<_>>(),
    )
    .style(ctx.theme.header());
    let widths: Vec<Constraint> = fitted
        .cols
        .iter()
        .map(|&(_, w)| Constraint::Length(w))
        .collect();
    let rows: Vec<Row> = fitted
        .rows
        .into_iter()
        .zip(&visible)
        .map(|(texts, row)| {
            Row::new(texts.into_iter().zip(&fitted.cols).map(|(t, &(i, _))| {
                TableCell::new(t).style(row.get(i).map_or_else(Style::default, |c| c.style))
            }))
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(ctx.theme.selected());
    let mut state = TableState::new().with_selected(selected.and_then(|s| s.checked_sub(offset)));
    frame.render_stateful_widget(table, area, &mut state);
    fitted
        .folded
        .into_iter()
        .map(|(i, value)| format!("{}{}{value}", cols[i].title, ctx.tr("ui.colon")))
        .collect()
}

/// In place of an empty table: what fills it and which key does it (`text`), wrapped.
pub fn draw_empty(frame: &mut Frame, area: Rect, ctx: &Ctx, text: &str) {
    let p = Paragraph::new(Line::from(Span::styled(text.to_string(), ctx.theme.dim())))
        .wrap(ratatui::widgets::Wrap { trim: true });
    frame.render_widget(p, area);
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

    /// [`Selection::action`] as a tab answers it: a movement is handled, anything else ignored.
    pub fn moved(&mut self, action: ListAction, len: usize) -> Outcome {
        self.action(action, len).unwrap_or(Outcome::Ignored)
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
        cells: Vec<Vec<Cell>>,
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
pub fn styled(text: impl Into<String>, style: Style) -> Cell {
    Cell {
        text: text.into(),
        style,
    }
}

/// A plain cell.
pub fn cell(text: impl Into<String>) -> Cell {
    styled(text, Style::default())
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
        let wide = [10, 10, 10];
        let kept = |w| {
            fit_columns(&cols, &wide, w)
                .into_iter()
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        assert_eq!(kept(80), vec![0, 1, 2]);
        assert_eq!(kept(21), vec![0, 2], "b goes first");
        assert_eq!(kept(10), vec![2], "the text outlives the others");
        assert_eq!(kept(3), Vec::<usize>::new());
    }

    #[test]
    fn at_40_columns_sent_still_shows_at_least_ten_cells_of_text() {
        let (cols, rows) = sent();
        for width in [30u16, 40, 50] {
            let fitted = fit_table(&cols, &rows, width);
            let text = fitted.cols.iter().find(|(i, _)| *i == 4);
            assert!(
                text.is_some_and(|(_, w)| *w >= FILL_FLOOR),
                "{width}: {:?}",
                fitted.cols
            );
            // The time and the recipient stay; what does not fit goes, lowest first.
            let kept: Vec<usize> = fitted.cols.iter().map(|(i, _)| *i).collect();
            assert!(kept.contains(&0), "{width}: {kept:?}");
            assert!(width < 40 || kept.contains(&1), "{width}: {kept:?}");
            let used: u16 = fitted.cols.iter().map(|(_, w)| w + 1).sum::<u16>() - 1;
            assert!(used <= width, "{width}: {:?}", fitted.cols);
        }
    }

    /// Sent's columns, with rows as the demo store shows them.
    fn sent() -> (Vec<Col>, Vec<Vec<Cell>>) {
        let cols = vec![
            Col::new("Sent", 11, 0),
            Col::new("Recipient", 15, 1),
            Col::new("Phone", 17, 4),
            Col::new("Context", 10, 6),
            Col::fill("Text", 16, 3),
            Col::new("Seg", 3, 8),
            Col::new("Status", 17, 2).folding(),
            Col::new("Reply", 10, 9).folding(),
        ];
        let row = |name: &str, text: &str, status: &str| {
            [
                "04/12 17:30",
                name,
                "06 65 89 31 70",
                "interview",
                text,
                "1",
                status,
                "",
            ]
            .map(cell)
            .into_iter()
            .collect::<Vec<_>>()
        };
        let long = "Bonjour Grégory, pour rappel votre rendez-vous avec Claire Martin est \
                    demain à 10:00 au 12 rue de la Paix, merci de confirmer par OUI ou NON.";
        let rows = vec![
            row("Grégory Martin", long, "delivered"),
            row("Aïcha Saint-Martin-Duval", "Short", "not delivered"),
            row("Louis Dubois", long, "delivered"),
        ];
        (cols, rows)
    }

    #[test]
    fn the_text_column_takes_the_spare_space_and_cut_cells_end_in_an_ellipsis() {
        let (cols, rows) = sent();
        let mut last_text = 0;
        for width in [60u16, 80, 100, 200] {
            let f = fit_table(&cols, &rows, width);
            let used: u32 = f.cols.iter().map(|&(_, w)| u32::from(w)).sum::<u32>()
                + u32::try_from(f.cols.len().saturating_sub(1)).unwrap();
            assert_eq!(used, u32::from(width), "{width}: the table spans the width");
            let text = f.cols.iter().position(|&(i, _)| i == 4).expect("text kept");
            let text_w = f.cols[text].1;
            assert!(text_w >= 16 && text_w > last_text, "{width}: text {text_w}");
            last_text = text_w;
            for (r, row) in f.rows.iter().enumerate() {
                for (k, shown) in row.iter().enumerate() {
                    let (i, w) = f.cols[k];
                    assert!(shown.width() <= usize::from(w), "{width}: overflow {shown}");
                    let whole = &rows[r][i].text;
                    if shown != whole {
                        assert!(shown.ends_with('…'), "{width}: silent cut {shown:?}");
                    }
                }
            }
            // Fixed columns take what their cells need, not their preferred width.
            if let Some(&(_, w)) = f.cols.iter().find(|&&(i, _)| i == 6) {
                assert_eq!(w, 13, "{width}: status as wide as `not delivered`");
            }
        }
        // Once the texts fit, what is left goes to the fixed columns that were cut.
        let short: Vec<Vec<Cell>> = rows
            .into_iter()
            .map(|mut r| {
                r[4] = cell("Short");
                r
            })
            .collect();
        let f = fit_table(&cols, &short, 200);
        assert!(f.rows[1].contains(&"Aïcha Saint-Martin-Duval".to_string()));
    }

    #[test]
    fn a_mark_column_goes_when_no_row_is_marked_and_stays_when_all_are() {
        let cols = vec![
            Col::fill("Text", 10, 0),
            Col::new("↩", 1, 1).folding_blank(),
        ];
        let rows = |mark: &str| vec![vec![cell("a"), cell(mark)], vec![cell("b"), cell(mark)]];
        let f = fit_table(&cols, &rows(""), 40);
        assert!(f.cols.iter().all(|&(i, _)| i != 1) && f.folded.is_empty());
        let f = fit_table(&cols, &rows("↩"), 40);
        assert!(
            f.cols.iter().any(|&(i, _)| i == 1),
            "every row marked: shown"
        );
        assert!(f.folded.is_empty(), "no « ↩: ↩ » note");
    }

    #[test]
    fn a_column_saying_the_same_on_every_row_folds_into_a_note() {
        let (cols, mut rows) = sent();
        for r in &mut rows {
            r[6] = cell("not yet sent");
        }
        let f = fit_table(&cols, &rows, 80);
        assert!(f.cols.iter().all(|&(i, _)| i != 6 && i != 7));
        assert_eq!(
            f.folded,
            vec![(6, "not yet sent".to_string())],
            "empty replies: no note"
        );
        let (_, rows) = sent();
        let f = fit_table(&cols, &rows, 200);
        assert!(
            f.cols.iter().any(|&(i, _)| i == 6),
            "statuses differ: shown"
        );
    }
}
