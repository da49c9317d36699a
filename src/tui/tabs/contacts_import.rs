//! Contacts import from a spreadsheet (`.xlsx`, `.xls`, `.ods`, `.csv`): the operator types a
//! path; the file is read and checked against the store by a job with its own connection
//! (the info line counts the rows read, from the job's events), then the preview the CLI prints
//! (`smsdesk import contacts FILE`) opens over the list: counts, notices, every invalid row
//! with its row number, column and reason. Enter imports every valid row through
//! `core::import::import_contacts` (one transaction, in a job too); Esc leaves with nothing
//! imported. A file that cannot be read gives io's message and imports nothing.

use crate::core::Actor;
use crate::core::import::{self, ContactsPreview, ImportOutcome};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::io::contacts::RowIssue;
use crate::io::import::{ImportError, ReadPanic};
use crate::store::Store;
use crate::tui::fmt::{clean, thousands, truncate};
use crate::tui::jobs::{JobUpdate, Jobs};
use crate::tui::pending::Pending;
use crate::tui::problem::Problem;
use crate::tui::theme::Theme;
use crate::tui::widgets::centred;
use crate::tui::widgets::confirm::Confirm;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::path::PathBuf;

/// Where an import stands, from its jobs' events.
#[derive(Debug, Default)]
pub enum Stage {
    #[default]
    Idle,
    /// Reading the file: data rows read so far.
    Reading { rows: usize },
    /// The operator confirmed: creating the contacts.
    Importing { rows: usize },
    /// Done: how many were created (and skipped as found meanwhile).
    Imported { created: usize, skipped: usize },
    /// The file could not be read, or the import was refused: why (nothing was imported).
    Failed(Problem),
}

/// One import at a time: its file, and where it stands.
#[derive(Debug, Default)]
pub struct ImportJob {
    file: String,
    stage: Stage,
}

impl ImportJob {
    pub fn busy(&self) -> bool {
        matches!(self.stage, Stage::Reading { .. } | Stage::Importing { .. })
    }

    /// Why the last import failed, if it did.
    pub fn failure(&self) -> Option<&Problem> {
        match &self.stage {
            Stage::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Takes the news of a job: the preview to show once the file is read (a failure is kept,
    /// see [`ImportJob::failure`]). `None`: nothing more to do than redraw.
    pub fn update(&mut self, update: JobUpdate) -> Option<ContactsPreview> {
        match update {
            JobUpdate::ImportReading { file, rows } => {
                self.file = file;
                self.stage = Stage::Reading { rows };
            }
            JobUpdate::ImportRead(Ok(preview)) => {
                self.stage = Stage::Idle;
                return Some(*preview);
            }
            JobUpdate::ImportDone(Ok((created, skipped))) => {
                self.stage = Stage::Imported { created, skipped };
            }
            JobUpdate::ImportRead(Err(e)) | JobUpdate::ImportDone(Err(e)) => {
                self.stage = Stage::Failed(e);
            }
            _ => {}
        }
        None
    }

    /// The words for the info line, and whether they are good news.
    pub fn note(&self, lang: Lang) -> Option<(String, bool)> {
        let file = clean(&short_name(&self.file));
        Some(match &self.stage {
            Stage::Idle => return None,
            Stage::Reading { rows } | Stage::Importing { rows } => {
                let key = match self.stage {
                    Stage::Reading { .. } => "contacts.import_reading",
                    _ => "contacts.import_running",
                };
                let rows = thousands(*rows as i64);
                (trf(lang, key, &[("file", &file), ("rows", &rows)]), true)
            }
            Stage::Imported { created, skipped } => {
                let mut t = trf(
                    lang,
                    "contacts.imported",
                    &[("n", &thousands(*created as i64)), ("file", &file)],
                );
                if *skipped > 0 {
                    t.push_str(&trf(
                        lang,
                        "contacts.import_skipped",
                        &[("n", &thousands(*skipped as i64))],
                    ));
                }
                (t, true)
            }
            Stage::Failed(e) => (clean(&e.describe(lang)), false),
        })
    }

    /// Starts creating the preview's valid contacts in a job with its own connection.
    pub fn start_import(
        &mut self,
        jobs: &Jobs,
        db: PathBuf,
        actor: Actor,
        preview: ContactsPreview,
        now: DateTime<Utc>,
    ) {
        self.file = preview.file.clone();
        self.stage = Stage::Importing {
            rows: preview.all_valid.len(),
        };
        jobs.spawn(move |_| {
            // A panic becomes a failure shown in the tab (the transaction rolls back).
            let result: Result<ImportOutcome, Problem> = crate::io::import::catch_read(|| {
                let mut store = Store::open(&db)?;
                Ok(import::import_contacts(&mut store, &actor, &preview, now)?)
            })
            .unwrap_or_else(|ReadPanic::Panicked { reason }| {
                Err(Problem::ImportStopped {
                    file: preview.file.clone(),
                    reason,
                })
            });
            JobUpdate::ImportDone(result.map(|out| (out.created.len(), out.skipped.len())))
        });
    }
}

/// `/a/b/contacts.xlsx` → `contacts.xlsx` (the info line is short).
fn short_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| file.to_string())
}

/// `~/x` → `$HOME/x`.
fn expand(typed: &str) -> PathBuf {
    let typed = typed.trim();
    if let Some(rest) = typed.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(typed)
}

/// Asks for the file ([`start`] reads it once confirmed; nothing is written).
pub fn ask(lang: Lang, theme: Theme) -> Confirm {
    let lines = vec![
        Line::from(tr(lang, "contacts.import_question").to_string()),
        Line::from(Span::styled(
            tr(lang, "contacts.import_formats").to_string(),
            theme.dim(),
        )),
    ];
    Confirm::new(
        tr(lang, "contacts.import_title").to_string(),
        lines,
        Pending::ImportContacts,
    )
    .with_input(tr(lang, "contacts.import_path").to_string(), String::new())
}

/// Reads and checks the `typed` file as a job reporting to the tab; the sentence for the
/// status line, or why nothing starts.
pub fn start(jobs: &Jobs, store: &Store, typed: &str, lang: Lang) -> Result<String, Problem> {
    if typed.trim().is_empty() {
        return Err(Problem::NoImportPath);
    }
    let db = store.path().to_path_buf();
    if db.as_os_str() == ":memory:" {
        return Err(Problem::ImportNeedsFile);
    }
    let path = expand(typed);
    let file = path.display().to_string();
    jobs.spawn(move |report| {
        report.progress(JobUpdate::ImportReading {
            file: file.clone(),
            rows: 0,
        });
        let mut progress = |p: crate::io::import::Progress| {
            report.progress(JobUpdate::ImportReading {
                file: file.clone(),
                rows: p.rows_read,
            })
        };
        // A panic while reading or checking becomes a message: the TUI and its
        // scheduler live on.
        let result = crate::io::import::catch_read(|| -> Result<ContactsPreview, Problem> {
            let sheet = crate::io::contacts::read_contacts(&path, &mut progress)?;
            let store = Store::open(&db)?;
            Ok(import::preview_contacts(&store, &sheet)?)
        })
        .unwrap_or_else(|ReadPanic::Panicked { reason }| {
            Err(ImportError::Crashed {
                file: path.display().to_string(),
                reason,
            }
            .into())
        });
        JobUpdate::ImportRead(result.map(Box::new))
    });
    Ok(trf(
        lang,
        "contacts.import_started",
        &[("file", &clean(&short_name(typed)))],
    ))
}

/// The preview window: what the import would do, scrolled with the list keys.
pub struct PreviewView {
    pub preview: ContactsPreview,
    pub scroll: usize,
    /// A refusal when Enter was pressed (e.g. nothing valid to import).
    pub error: Option<String>,
    /// The width details were last wrapped to (scrolling counts wrapped lines).
    width: std::cell::Cell<usize>,
}

/// Cuts `text` into lines of at most `width` columns at spaces (a word longer than a line is
/// cut); lines after the first are indented by four spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let indent = if lines.is_empty() { "" } else { "    " };
        let candidate = if line.is_empty() {
            format!("{indent}{word}")
        } else {
            format!("{line} {word}")
        };
        if candidate.width() <= width || line.trim().is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = format!("    {word}");
        }
        while line.width() > width {
            let cut = truncate(&line, width);
            let kept = cut.trim_end_matches('…').to_string();
            let rest = line[kept.len()..].to_string();
            lines.push(kept);
            line = format!("    {rest}");
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn issue_line(i: &RowIssue, lang: Lang) -> String {
    let mut out = trf(lang, "contacts.import_row", &[("row", &i.row.to_string())]);
    if let Some(column) = &i.column {
        out.push_str(&format!(", {}", clean(&column.describe(lang))));
    }
    let mut out = crate::i18n::label(lang, &out);
    if !i.value.is_empty() {
        out.push_str(&format!("« {} » ", truncate(&clean(&i.value), 24)));
    }
    out.push_str(&clean(&i.reason.describe(lang)));
    out
}

impl PreviewView {
    pub fn new(preview: ContactsPreview) -> PreviewView {
        PreviewView {
            preview,
            scroll: 0,
            error: None,
            width: std::cell::Cell::new(72),
        }
    }

    /// Lines below the counts, wrapped to the window: notices, invalid rows, then rows
    /// already in the store.
    fn detail_lines(&self, lang: Lang, theme: Theme) -> Vec<Line<'static>> {
        let width = self.width.get();
        self.details(lang, theme)
            .into_iter()
            .flat_map(|l| {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                let style = l.spans.first().map(|s| s.style).unwrap_or_default();
                wrap(&text, width)
                    .into_iter()
                    .map(move |t| Line::from(Span::styled(t, style)))
            })
            .collect()
    }

    fn details(&self, lang: Lang, theme: Theme) -> Vec<Line<'static>> {
        let p = &self.preview;
        let mut lines = Vec::new();
        for n in &p.notices {
            lines.push(Line::from(Span::styled(
                format!(
                    "{} {}",
                    tr(lang, "contacts.import_note"),
                    clean(&n.describe(lang))
                ),
                theme.dim(),
            )));
        }
        if !p.invalid.is_empty() {
            lines.push(Line::from(Span::styled(
                tr(lang, "contacts.import_invalid_title").to_string(),
                theme.error(),
            )));
            for i in &p.invalid {
                lines.push(Line::from(format!("  {}", issue_line(i, lang))));
            }
        }
        if !p.duplicates.is_empty() {
            lines.push(Line::from(Span::styled(
                tr(lang, "contacts.import_known_title").to_string(),
                theme.warn(),
            )));
            for i in &p.duplicates {
                lines.push(Line::from(format!("  {}", issue_line(i, lang))));
            }
        }
        lines
    }

    /// How far the details can scroll in a window `rows` high.
    pub fn scroll_by(&mut self, delta: isize, lang: Lang, theme: Theme) {
        let total = self.detail_lines(lang, theme).len();
        let next = self.scroll.saturating_add_signed(delta);
        self.scroll = next.min(total.saturating_sub(1));
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: Theme, lang: Lang, keys: &str) {
        let width = area.width.saturating_sub(4).clamp(20, 76).min(area.width);
        let height = area.height.saturating_sub(2).max(5).min(area.height);
        let rect = centred(area, width, height);
        let p = &self.preview;
        let inner_w = usize::from(width.saturating_sub(2));
        let mut head = vec![
            Line::from(Span::styled(
                truncate(
                    &trf(
                        lang,
                        "contacts.import_file",
                        &[
                            ("file", &clean(&short_name(&p.file))),
                            ("row", &p.header_row.to_string()),
                        ],
                    ),
                    inner_w,
                ),
                theme.dim(),
            )),
            Line::from(vec![
                Span::styled(
                    trf(
                        lang,
                        "contacts.import_new",
                        &[("n", &thousands(p.all_valid.len() as i64))],
                    ),
                    theme.ok(),
                ),
                Span::raw("  "),
                Span::styled(
                    trf(
                        lang,
                        "contacts.import_known",
                        &[("n", &thousands(p.duplicates.len() as i64))],
                    ),
                    theme.warn(),
                ),
                Span::raw("  "),
                Span::styled(
                    trf(
                        lang,
                        "contacts.import_invalid",
                        &[("n", &thousands(p.invalid_rows as i64))],
                    ),
                    if p.invalid_rows > 0 {
                        theme.error()
                    } else {
                        theme.base()
                    },
                ),
            ]),
            Line::from(""),
        ];
        let mut foot = Vec::new();
        if let Some(e) = &self.error {
            foot.push(Line::from(Span::styled(
                truncate(&format!("✖ {}", clean(e)), inner_w),
                theme.error(),
            )));
        }
        foot.push(Line::from(Span::styled(keys.to_string(), theme.dim())));
        let room = usize::from(height.saturating_sub(2))
            .saturating_sub(head.len() + foot.len())
            .max(1);
        self.width.set(inner_w);
        let details = self.detail_lines(lang, theme);
        let shown: Vec<Line> = details
            .iter()
            .skip(self.scroll)
            .take(room)
            .cloned()
            .collect();
        let more = details.len() > self.scroll + room;
        head.extend(shown);
        while head.len() < usize::from(height.saturating_sub(2)).saturating_sub(foot.len()) {
            head.push(Line::from(""));
        }
        head.extend(foot);
        frame.render_widget(Clear, rect);
        let mut title = format!(" {} ", tr(lang, "contacts.import_preview_title"));
        if more || self.scroll > 0 {
            title.push_str(&format!(
                "({}/{}) ",
                (self.scroll + 1).min(details.len()),
                details.len()
            ));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(title, theme.title()));
        frame.render_widget(Paragraph::new(head).block(block), rect);
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_reasons_wrap_at_spaces_and_nothing_is_lost() {
        let text = "row 5, Portable (column C): « 12345 » too short to be a phone number";
        let lines = wrap(text, 30);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert!(
            lines[1..].iter().all(|l| l.starts_with("    ")),
            "{lines:?}"
        );
        let joined: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(joined, text.split_whitespace().collect::<Vec<_>>());
        // A word longer than a line is cut, not dropped.
        let long = "x".repeat(50);
        let cut = wrap(&long, 20);
        assert_eq!(cut.concat().replace(' ', ""), long);
        assert_eq!(wrap("", 20), [""]);
    }
}
