//! `export sent|upcoming` and `import contacts|events`.

use super::sending::filter_from;
use super::{CliResult, Env, Failure, print_json};
use crate::io::export::{self, ExportError, Format};
use crate::store::messages::{self, ListKind};
use crate::store::settings::Settings;
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub struct ExportArgs {
    pub upcoming: bool,
    pub format: Option<String>,
    pub output: PathBuf,
    pub status: Vec<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

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

pub fn export_cmd(args: ExportArgs, env: &Env) -> CliResult {
    let format = export_format(args.format.as_deref(), &args.output)?;
    let (store, _) = env.open()?;
    let settings = Settings::load(store.conn())?;
    let filter = filter_from(
        &args.status,
        args.from.as_deref(),
        args.to.as_deref(),
        &settings,
    )?;
    let kind = if args.upcoming {
        ListKind::Upcoming
    } else {
        ListKind::Sent
    };
    let show_progress = std::io::stderr().is_terminal() && !env.json;
    let total = if show_progress {
        messages::count(store.conn(), kind, &filter)?
    } else {
        0
    };
    let mut progress = |done: u64| {
        if show_progress && total > 0 {
            eprint!("\rexporting… {done}/{total} rows");
        }
    };
    let rows = export::export_messages(
        store.conn(),
        kind,
        &filter,
        format,
        &args.output,
        &mut progress,
    )?;
    if show_progress && total > 0 {
        eprintln!();
    }
    if env.json {
        print_json(&json!({"rows": rows, "file": args.output.display().to_string()}));
    } else {
        println!("{rows} row(s) exported to {}", args.output.display());
    }
    Ok(())
}

pub fn import_cmd(what: &str, file: &Path, yes: bool, env: &Env) -> CliResult {
    let _ = (what, file, yes, env);
    Err(Failure::BadInput("import is not available yet".into()))
}
