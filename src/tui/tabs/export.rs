//! Export of Sent / Upcoming as filtered (`e`): the operator types the file path (its
//! extension, `.xlsx` or `.csv`, chooses the format), and `io::export::export_messages` runs
//! as a job with its own connection, so a million rows never freeze the screen. The list's
//! info line shows the rows written so far, then how many were written and where (or why it
//! failed), as the job's events arrive.

use crate::i18n::{Describe, Lang, tr, trf};
use crate::io::export::{Format, export_messages};
use crate::store::Store;
use crate::store::messages::{ListKind, MessageFilter};
use crate::tui::fmt::{clean, expand_home, thousands};
use crate::tui::jobs::{JobUpdate, Jobs};
use crate::tui::pending::Pending;
use crate::tui::problem::Problem;
use crate::tui::tabs::Ctx;
use crate::tui::widgets::confirm::Confirm;
use ratatui::text::{Line, Span};
use std::path::{Path, PathBuf};

/// Where the list's export stands, from its job's events.
#[derive(Debug, Default)]
pub struct Progress {
    /// Set once the operator confirmed and the thread started.
    pub started: bool,
    pub path: String,
    /// Rows written so far.
    pub rows: u64,
    /// Rows written in the end, or why it failed.
    pub done: Option<Result<u64, Problem>>,
}

/// The list's last export (running or finished).
#[derive(Debug, Default)]
pub struct ExportJob {
    progress: Progress,
}

impl ExportJob {
    pub fn running(&self) -> bool {
        self.progress.started && self.progress.done.is_none()
    }

    /// Takes the news of the export job; `false` when the event is not an export's.
    pub fn update(&mut self, update: JobUpdate) -> bool {
        let p = &mut self.progress;
        match update {
            JobUpdate::ExportStarted(path) => {
                *p = Progress {
                    started: true,
                    path,
                    rows: 0,
                    done: None,
                }
            }
            JobUpdate::ExportRows(n) => p.rows = n,
            JobUpdate::ExportDone(result) => {
                if let Ok(n) = result {
                    p.rows = n;
                }
                p.done = Some(result);
            }
            _ => return false,
        }
        true
    }

    /// The words for the info line: rows so far, then the result.
    pub fn note(&self, lang: Lang) -> Option<(String, bool)> {
        let p = &self.progress;
        if !p.started {
            return None;
        }
        Some(match &p.done {
            None => (
                trf(
                    lang,
                    "export.running",
                    &[("rows", &thousands(p.rows as i64))],
                ),
                true,
            ),
            Some(Ok(n)) => (
                trf(
                    lang,
                    "export.done",
                    &[("rows", &thousands(*n as i64)), ("path", &clean(&p.path))],
                ),
                true,
            ),
            Some(Err(e)) => (clean(&e.describe(lang)), false),
        })
    }
}

/// The file an export goes to unless the operator types another: the home directory,
/// named after the list and the local time.
fn default_path(kind: ListKind, ctx: &Ctx) -> String {
    let list = match kind {
        ListKind::Sent => "sent",
        ListKind::Upcoming => "upcoming",
        ListKind::Batch => "batch",
    };
    let stamp = ctx
        .now
        .with_timezone(&ctx.fmt.tz)
        .format("%Y%m%d-%H%M")
        .to_string();
    let dir = std::env::var_os("HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    dir.join(format!("smsdesk-{list}-{stamp}.xlsx"))
        .display()
        .to_string()
}

/// Checks the typed path before anything starts: a known extension, an existing folder.
fn check_path(typed: &str) -> Result<(PathBuf, Format), Problem> {
    let path = expand_home(typed);
    if typed.trim().is_empty() {
        return Err(Problem::NoExportPath);
    }
    let Some(format) = Format::from_path(&path) else {
        return Err(Problem::ExportExtension { path: clean(typed) });
    };
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Problem::NoFolder {
            folder: clean(&parent.display().to_string()),
        });
    }
    Ok((path, format))
}

/// Starts the export to the `typed` path as a job reporting to the tab; the sentence for the
/// status line, or why the path is refused.
pub fn start(
    jobs: &Jobs,
    store: &Store,
    kind: ListKind,
    filter: MessageFilter,
    typed: &str,
    lang: Lang,
) -> Result<String, Problem> {
    let (path, format) = check_path(typed)?;
    let db = store.path().to_path_buf();
    let shown = path.display().to_string();
    let started = shown.clone();
    jobs.spawn(move |report| {
        report.progress(JobUpdate::ExportStarted(started));
        let result = Store::open(&db).map_err(Problem::from).and_then(|store| {
            export_messages(store.db(), kind, &filter, format, &path, &mut |n| {
                report.progress(JobUpdate::ExportRows(n))
            })
            .map_err(Problem::from)
        });
        JobUpdate::ExportDone(result)
    });
    Ok(trf(lang, "export.started", &[("path", &clean(&shown))]))
}

/// Asks for the path to export `kind` under `filter` to ([`start`] once confirmed). `scope`
/// names the batch the list is narrowed to, so the question says what leaves.
pub fn ask(
    kind: ListKind,
    filter: MessageFilter,
    filter_text: &str,
    scope: Option<&str>,
    ctx: &Ctx,
) -> Confirm {
    let lang = ctx.lang();
    let what = if filter_text.is_empty() {
        tr(lang, "export.everything").to_string()
    } else {
        trf(lang, "export.filtered", &[("filter", &clean(filter_text))])
    };
    let list = match kind {
        ListKind::Sent | ListKind::Batch => tr(lang, "tab.sent"),
        ListKind::Upcoming => tr(lang, "tab.upcoming"),
    };
    let list = match scope {
        Some(scope) => format!("{list} › {scope}"),
        None => list.to_string(),
    };
    let lines = vec![
        Line::from(trf(
            lang,
            "export.question",
            &[("list", &list), ("what", &what)],
        )),
        Line::from(Span::styled(
            tr(lang, "export.formats").to_string(),
            ctx.theme.dim(),
        )),
    ];
    Confirm::new(
        tr(lang, "export.title").to_string(),
        lines,
        Pending::Export {
            kind,
            filter: Box::new(filter),
        },
    )
    .with_input(tr(lang, "export.path").to_string(), default_path(kind, ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_chooses_the_format_and_anything_else_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("a.XLSX");
        assert_eq!(check_path(x.to_str().unwrap()).unwrap().1, Format::Xlsx);
        let c = dir.path().join("a.csv");
        assert_eq!(check_path(c.to_str().unwrap()).unwrap().1, Format::Csv);
        let bad = dir.path().join("a.ods");
        let e = check_path(bad.to_str().unwrap()).unwrap_err();
        assert!(matches!(e, Problem::ExportExtension { .. }), "{e:?}");
        assert!(e.describe(Lang::Fr).contains(".xlsx ou .csv"), "{e}");
        let nowhere = dir.path().join("missing").join("a.csv");
        let e = check_path(nowhere.to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(matches!(check_path("  "), Err(Problem::NoExportPath)));
    }
}
