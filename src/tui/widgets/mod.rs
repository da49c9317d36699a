//! Reusable editing widgets: the SMS composer, the keyboard form, the confirmation window,
//! the quick-selection picker.

pub mod ask;
pub mod composer;
pub mod confirm;
pub mod form;
pub mod named;
pub mod picker;
pub mod send_confirm;

use crate::tui::fmt::truncate;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};
use std::cell::RefCell;

thread_local! {
    /// Where an input asked for the cursor in the frame being drawn, and the cell it drew
    /// there (see [`place_cursor`]).
    static CURSOR: RefCell<Option<(Position, buffer::Cell)>> = const { RefCell::new(None) };
}

/// Asks for the terminal's own cursor where the next typed character goes: `col`, `row`
/// from the top-left of `area`, after the input is drawn; nowhere when outside `area`.
pub fn show_cursor(frame: &mut Frame, area: Rect, col: usize, row: usize) {
    let (Ok(x), Ok(y)) = (u16::try_from(col), u16::try_from(row)) else {
        return;
    };
    if x < area.width && y < area.height {
        let at = Position::new(area.x + x, area.y + y);
        if let Some(cell) = frame.buffer_mut().cell(at) {
            let cell = cell.clone();
            CURSOR.with(|c| c.replace(Some((at, cell))));
        }
    }
}

/// The block an input draws where the typing goes, for when the terminal's own cursor
/// cannot be placed there.
pub const MARKER: &str = "█";

/// At the end of a frame: shows the cursor where an input asked for it, unless a window was
/// drawn over that place since (the cell is no longer the input's). Ratatui hides the
/// cursor on frames that do not place it. The input's [`MARKER`] under it is blanked: the
/// real cursor says where the typing goes, and no second block sits on it.
pub fn place_cursor(frame: &mut Frame) {
    if let Some((at, cell)) = CURSOR.with(RefCell::take)
        && frame.buffer_mut().cell(at) == Some(&cell)
    {
        frame.set_cursor_position(at);
        if let Some(cell) = frame.buffer_mut().cell_mut(at)
            && cell.symbol() == MARKER
        {
            cell.set_symbol(" ");
        }
    }
}

/// Forgets the cursor asked for so far in this frame: a window now takes the keyboard (or a
/// new frame starts).
pub fn forget_cursor() {
    CURSOR.with(RefCell::take);
}

/// A `width` × `height` window centred in `area` (never larger than it).
pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// The height of a bordered window whose lines, of these display widths, wrap at
/// `inner_width` (an empty line still takes a row); at most `max`.
pub fn boxed_height(line_widths: impl Iterator<Item = usize>, inner_width: usize, max: u16) -> u16 {
    let rows: usize = line_widths.map(|w| w.max(1).div_ceil(inner_width)).sum();
    u16::try_from(rows.saturating_add(2))
        .unwrap_or(u16::MAX)
        .min(max)
}

/// The border of a window `width` columns wide, its title cut to fit.
pub fn titled_block(title: &str, width: u16, theme: Theme) -> Block<'static> {
    Block::default().borders(Borders::ALL).title(Span::styled(
        format!(
            " {} ",
            truncate(title, usize::from(width.saturating_sub(4)))
        ),
        theme.title(),
    ))
}
