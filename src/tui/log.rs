//! The session's messages: what the status line and the forms said, with the time, kept so
//! that one key shows them all again (as lazygit's command log). The status line shows only
//! the last one, on up to three lines.

use super::fmt::{Fmt, clean, wrap};
use super::theme::Theme;
use chrono::{DateTime, Utc};
use ratatui::text::{Line, Span};

/// Entries kept before the oldest go (a session left open for days stays small).
const KEPT: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Info,
    Error,
}

#[derive(Default)]
pub struct SessionLog {
    entries: Vec<(DateTime<Utc>, Kind, String)>,
}

impl SessionLog {
    pub fn push(&mut self, at: DateTime<Utc>, kind: Kind, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        if self.entries.len() >= KEPT {
            self.entries.remove(0);
        }
        self.entries.push((at, kind, clean(text)));
    }

    /// Entries kept.
    pub fn count(&self) -> usize {
        self.entries.len()
    }

    /// Every entry, oldest first, each wrapped at `width` under its time (errors marked ✖).
    pub fn lines(&self, fmt: Fmt, theme: Theme, width: usize, empty: &str) -> Vec<Line<'static>> {
        if self.entries.is_empty() {
            return vec![Line::from(Span::styled(empty.to_string(), theme.dim()))];
        }
        let mut lines = Vec::new();
        for (at, kind, text) in &self.entries {
            let (mark, style) = match kind {
                Kind::Info => ("  ", theme.base()),
                Kind::Error => ("✖ ", theme.error()),
            };
            let stamp = format!("{} {mark}", fmt.clock(at.timestamp()));
            let indent = unicode_width::UnicodeWidthStr::width(stamp.as_str());
            for (i, part) in wrap(text, width.saturating_sub(indent), usize::MAX)
                .into_iter()
                .enumerate()
            {
                let head = if i == 0 {
                    Span::styled(stamp.clone(), theme.dim())
                } else {
                    Span::raw(" ".repeat(indent))
                };
                lines.push(Line::from(vec![head, Span::styled(part, style)]));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_message_is_kept_whole_with_its_time_newest_last() {
        let mut log = SessionLog::default();
        let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 30, 8, 0, 5).unwrap();
        let long = "le 29/03/2026 14:00 tombe un dimanche, hors des jours d'envoi (lun-ven)";
        log.push(t, Kind::Info, "premier");
        log.push(t, Kind::Error, long);
        log.push(t, Kind::Info, "  ");
        assert_eq!(log.count(), 2);
        let fmt = Fmt {
            lang: Lang::Fr,
            tz: chrono_tz::Europe::Paris,
            year: 2026,
        };
        let text: Vec<String> = log
            .lines(fmt, Theme::monochrome(), 40, "")
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(text[0].starts_with("10:00:05") && text[0].ends_with("premier"));
        assert!(text[1].contains("✖"));
        let joined: String = text[1..]
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(joined.contains("tombe un dimanche, hors des jours d'envoi (lun-ven)"));
        assert!(
            text.iter()
                .all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) <= 40)
        );
    }
}
