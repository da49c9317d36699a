//! `export sent|upcoming` and `import contacts|events`.

use super::sending::Selection;
use super::{CliResult, Env, Failure, output_failed, print_json};
use crate::core::Actor;
use crate::core::import;
use crate::io::contacts::RowIssue;
use crate::io::export::{self, ExportError, Format};
use crate::store::Store;
use crate::store::messages;
use crate::store::settings::Settings;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// The format asked for, checked against the file name: an `.xlsx` written under a `.csv`
/// name would not open, so a mismatch is refused rather than guessed.
fn export_format(format: Option<&str>, output: &Path) -> Result<Format, Failure> {
    let by_name = Format::from_path(output);
    match (format.and_then(Format::parse), by_name) {
        (Some(f), Some(n)) if f != n => Err(Failure::BadInput(format!(
            "-o {}: the file name does not end in .{} (--format {})",
            output.display(),
            f.extension(),
            f.extension()
        ))),
        (Some(f), _) => Ok(f),
        (None, Some(n)) => Ok(n),
        (None, None) => Err(Failure::BadInput(format!(
            "-o {}: say --format xlsx or --format csv (or name the file .xlsx or .csv)",
            output.display()
        ))),
    }
}

impl From<ExportError> for Failure {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Store(s) => Failure::from(s),
            ExportError::Write { .. } | ExportError::TooManyRows { .. } => {
                Failure::BadInput(e.to_string())
            }
        }
    }
}

pub fn export_cmd(
    selection: Selection,
    format: Option<&str>,
    output: &Path,
    env: &Env,
) -> CliResult {
    let format = export_format(format, output)?;
    let (store, _) = env.open()?;
    let settings = Settings::load(store.db())?;
    let (kind, filter) = selection.resolve(&settings)?;
    let show_progress = std::io::stderr().is_terminal() && !env.json;
    let total = if show_progress {
        messages::count(store.db(), kind, &filter)?
    } else {
        0
    };
    let mut progress = |done: u64| {
        if show_progress && total > 0 {
            eprint!("\rexporting… {done}/{total} rows");
        }
    };
    let rows = export::export_messages(store.db(), kind, &filter, format, output, &mut progress)?;
    if show_progress && total > 0 {
        eprintln!();
    }
    if env.json {
        print_json(&json!({"rows": rows, "file": output.display().to_string()}));
    } else {
        println!("{rows} row(s) exported to {}", output.display());
    }
    Ok(())
}

/// How many valid rows the text preview spells out (all of them in JSON).
const SHOWN_VALID: usize = 20;

/// What `--json import` prints: serialised straight to stdout, row by row (a million rows
/// built as one JSON value would take gigabytes).
#[derive(serde::Serialize)]
struct Report<'a, P: serde::Serialize> {
    preview: &'a P,
    imported: &'a Option<import::ImportOutcome>,
}

fn progress_printer(enabled: bool) -> impl FnMut(crate::io::import::Progress) {
    move |p: crate::io::import::Progress| {
        if enabled && let Some(total) = p.rows_total.filter(|t| *t >= 10_000) {
            eprint!("\rreading… {}/{total} rows", p.rows_read);
            if p.rows_read >= total {
                eprintln!();
            }
        }
    }
}

fn print_issues(out: &mut dyn Write, title: &str, issues: &[RowIssue]) -> std::io::Result<()> {
    if issues.is_empty() {
        return Ok(());
    }
    writeln!(out, "{title}:")?;
    for i in issues {
        let column = match &i.column {
            None => String::new(),
            Some(c) => format!(", {c}"),
        };
        let value = if i.value.is_empty() {
            String::new()
        } else {
            format!(" \"{}\"", crate::text::sanitize(&i.value))
        };
        writeln!(out, "  row {}{column}:{value} {}", i.row, i.reason)?;
    }
    Ok(())
}

/// Preview without `--yes`; with it, every valid row is imported in one transaction.
pub fn import_cmd(what: &str, file: &Path, yes: bool, env: &Env) -> CliResult {
    let (mut store, actor) = env.open()?;
    let show_progress = std::io::stderr().is_terminal() && !env.json;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let done = import_to(
        &mut store,
        &actor,
        Import {
            what,
            file,
            yes,
            json: env.json,
            now: env.clock.now(),
        },
        &mut progress_printer(show_progress),
        &mut out,
    );
    let flushed = out.flush().map_err(output_failed);
    done.and(flushed)
}

/// What `import` is asked to do.
pub struct Import<'a> {
    /// `contacts` or `events`.
    pub what: &'a str,
    pub file: &'a Path,
    /// Import the valid rows (without it, only the preview).
    pub yes: bool,
    /// Report as JSON.
    pub json: bool,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// `import`, its report written to `out` as the command prints it. The preview of contacts
/// in JSON is written as its rows are checked: the document is never held whole in memory.
pub fn import_to(
    store: &mut Store,
    actor: &Actor,
    job: Import<'_>,
    progress: &mut dyn FnMut(crate::io::import::Progress),
    out: &mut dyn Write,
) -> CliResult {
    let Import {
        what,
        file,
        yes,
        json,
        now,
    } = job;
    let bad = |e: crate::io::import::ImportError| Failure::BadInput(e.to_string());
    match what {
        "contacts" => {
            let sheet = crate::io::contacts::read_contacts(file, progress).map_err(bad)?;
            if json && !yes {
                return stream_contacts_json(store, &sheet, out);
            }
            let preview = if yes {
                import::preview_contacts(store, &sheet)?
            } else {
                // Shown as text: the first valid rows only, the others counted.
                import::check_contacts(store, &sheet, &mut |_| {})?
            };
            // The table is no longer needed: the preview holds what is imported.
            drop(sheet);
            let outcome = if yes {
                Some(import::import_contacts(store, actor, &preview, now)?)
            } else {
                None
            };
            report(&preview, outcome, json, out).map_err(output_failed)
        }
        "events" => {
            let sheet = crate::io::events::read_events(file, progress).map_err(bad)?;
            let preview = import::preview_events(store, &sheet, now)?;
            let outcome = if yes {
                Some(import::import_events(store, actor, &preview, now)?)
            } else {
                None
            };
            report(&preview, outcome, json, out).map_err(output_failed)
        }
        other => Err(Failure::BadInput(format!(
            "import {other}: say contacts or events"
        ))),
    }
}

/// The JSON preview of a contacts import, the same document as [`Report`] with nothing
/// imported, written row by row as the rows are checked.
fn stream_contacts_json(
    store: &Store,
    sheet: &crate::io::contacts::ContactSheet,
    sink: &mut dyn Write,
) -> CliResult {
    // Many small writes (a token each): gathered before they reach the output.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, sink);
    let out: &mut dyn Write = &mut buffered;
    let json_err = |e: serde_json::Error| output_failed(e.into());
    let head = import::contacts_preview_head(sheet);
    let field = |out: &mut dyn Write, name: &str, value: &dyn erased::Json| {
        write!(out, ",\"{name}\":").map_err(output_failed)?;
        value.write(out).map_err(json_err)
    };
    out.write_all(b"{\"preview\":{\"file\":")
        .map_err(output_failed)?;
    serde_json::to_writer(&mut *out, &head.file).map_err(json_err)?;
    field(out, "header_row", &head.header_row)?;
    field(out, "columns", &head.columns)?;
    field(out, "notices", &head.notices)?;
    out.write_all(b",\"valid\":[").map_err(output_failed)?;
    let mut rows = 0usize;
    let mut failed: Option<serde_json::Error> = None;
    // Each row is serialised into a buffer of its own (its tokens written without a call
    // through `dyn Write` each), then handed over at once.
    let mut row = Vec::with_capacity(512);
    let p = import::check_contacts(store, sheet, &mut |c| {
        if failed.is_some() {
            return;
        }
        row.clear();
        if rows > 0 {
            row.push(b',');
        }
        rows += 1;
        if let Err(e) = serde_json::to_writer(&mut row, c)
            .and_then(|()| out.write_all(&row).map_err(serde_json::Error::io))
        {
            failed = Some(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(json_err(e));
    }
    out.write_all(b"]").map_err(output_failed)?;
    field(out, "duplicates", &p.duplicates)?;
    field(out, "invalid", &p.invalid)?;
    field(out, "invalid_rows", &p.invalid_rows)?;
    out.write_all(b"},\"imported\":null}\n")
        .and_then(|()| out.flush())
        .map_err(output_failed)
}

/// A value written as JSON behind a `dyn` reference.
mod erased {
    pub trait Json {
        fn write(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()>;
    }

    impl<T: serde::Serialize> Json for T {
        fn write(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
            serde_json::to_writer(out, self)
        }
    }
}

/// What the report of an import shows of its preview.
trait Previewed: serde::Serialize {
    /// What is imported, plural: `contact(s)`.
    const WHAT: &'static str;
    fn file(&self) -> &str;
    fn header_row(&self) -> usize;
    fn notices(&self) -> &[crate::io::issue::ImportNotice];
    fn duplicates(&self) -> &[RowIssue];
    fn invalid(&self) -> &[RowIssue];
    fn invalid_rows(&self) -> usize;
    /// How many rows are valid.
    fn valid_count(&self) -> usize;
    /// The first `n` valid rows, a line each.
    fn valid_lines(&self, n: usize) -> Vec<String>;
}

/// The [`Previewed`] methods that read a field both previews have under the same name.
macro_rules! shared_fields {
    () => {
        fn file(&self) -> &str {
            &self.file
        }
        fn header_row(&self) -> usize {
            self.header_row
        }
        fn notices(&self) -> &[crate::io::issue::ImportNotice] {
            &self.notices
        }
        fn duplicates(&self) -> &[RowIssue] {
            &self.duplicates
        }
        fn invalid(&self) -> &[RowIssue] {
            &self.invalid
        }
        fn invalid_rows(&self) -> usize {
            self.invalid_rows
        }
    };
}

impl Previewed for import::ContactsPreview {
    const WHAT: &'static str = "contact(s)";
    shared_fields!();
    fn valid_count(&self) -> usize {
        self.valid_rows
    }
    fn valid_lines(&self, n: usize) -> Vec<String> {
        self.valid
            .iter()
            .take(n)
            .map(|c| {
                let p = &c.participant;
                let name = format!("{} {} {}", p.civility, p.first_name, p.last_name);
                format!(
                    "  row {}: {} {} (SMS consent: {}){}",
                    c.row,
                    crate::text::sanitize(name.trim()),
                    p.mobile.as_deref().unwrap_or("no mobile"),
                    if p.sms_consent { "yes" } else { "no" },
                    if c.warnings.is_empty() {
                        String::new()
                    } else {
                        let warnings: Vec<String> =
                            c.warnings.iter().map(ToString::to_string).collect();
                        format!(" — {}", warnings.join("; "))
                    }
                )
            })
            .collect()
    }
}

impl Previewed for import::EventsPreview {
    const WHAT: &'static str = "event(s)";
    shared_fields!();
    fn valid_count(&self) -> usize {
        self.valid.len()
    }
    fn valid_lines(&self, n: usize) -> Vec<String> {
        self.valid
            .iter()
            .take(n)
            .map(|e| {
                format!(
                    "  row {}: {} {} {} — {} ({})",
                    e.row,
                    crate::i18n::dates::day_time(e.start),
                    e.kind,
                    crate::text::sanitize(&e.event_type),
                    crate::text::sanitize(&e.participant),
                    e.mobile
                )
            })
            .collect()
    }
}

/// Prints an import's preview and what was imported: as JSON, or as text with the first
/// valid rows spelled out when nothing was imported yet.
fn report<P: Previewed>(
    preview: &P,
    outcome: Option<import::ImportOutcome>,
    json: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if json {
        serde_json::to_writer(
            &mut *out,
            &Report {
                preview,
                imported: &outcome,
            },
        )?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{}: header on row {}; {} valid {}, {} duplicate(s), {} invalid row(s)",
        crate::text::sanitize(preview.file()),
        preview.header_row(),
        preview.valid_count(),
        P::WHAT,
        preview.duplicates().len(),
        preview.invalid_rows()
    )?;
    for n in preview.notices() {
        writeln!(out, "note: {n}")?;
    }
    print_issues(out, "invalid", preview.invalid())?;
    print_issues(out, "duplicates (not imported)", preview.duplicates())?;
    if outcome.is_none() {
        writeln!(out, "valid:")?;
        for line in preview.valid_lines(SHOWN_VALID) {
            writeln!(out, "{line}")?;
        }
        if preview.valid_count() > SHOWN_VALID {
            writeln!(out, "  … and {} more", preview.valid_count() - SHOWN_VALID)?;
        }
    }
    finish(outcome, P::WHAT, out)
}

fn finish(
    outcome: Option<import::ImportOutcome>,
    what: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match outcome {
        None => {
            writeln!(out, "preview only: add --yes to import the valid rows")?;
        }
        Some(o) => {
            for n in &o.notices {
                writeln!(out, "  {n}")?;
            }
            print_issues(
                out,
                "skipped (created by someone else since the preview)",
                &o.skipped,
            )?;
            let range = match (o.created.first(), o.created.last()) {
                (Some(a), Some(b)) => format!(" (#{a}–#{b})"),
                _ => String::new(),
            };
            writeln!(out, "{} {what} imported{range}", o.created.len())?;
        }
    }
    Ok(())
}
