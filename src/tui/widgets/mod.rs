//! Reusable editing widgets: the SMS composer, the keyboard form, the confirmation window,
//! the quick-selection picker.

pub mod composer;
pub mod confirm;
pub mod form;
pub mod named;
pub mod picker;

use crate::tui::fmt::truncate;
use crate::tui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

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
