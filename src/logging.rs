//! Log files: one a day in the log directory (`SMSDESK_LOG_DIR`, else the data directory's
//! `logs/`), `smsdesk.log.YYYY-MM-DD`, readable by their owner only — they name numbers,
//! operators and provider errors. The TUI and `smsdesk run` log the same way.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

const PREFIX: &str = "smsdesk.log";

/// A log file that moves to a new file when the (UTC) day changes, each created with mode 0600.
struct DailyFile {
    dir: PathBuf,
    day: chrono::NaiveDate,
    file: File,
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The file of `day` in `dir`.
pub fn file_for(dir: &Path, day: chrono::NaiveDate) -> PathBuf {
    dir.join(format!("{PREFIX}.{}", day.format("%Y-%m-%d")))
}

fn open_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // A file left by an older smsdesk (created world-readable) is made private too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

impl DailyFile {
    fn open(dir: &Path) -> std::io::Result<DailyFile> {
        let day = today();
        let file = open_private(&file_for(dir, day))?;
        Ok(DailyFile {
            dir: dir.to_path_buf(),
            day,
            file,
        })
    }
}

impl Write for DailyFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let day = today();
        if day != self.day {
            self.file = open_private(&file_for(&self.dir, day))?;
            self.day = day;
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Where logging goes, and what keeps it flowing (drop it last: it flushes the queue).
pub struct Logging {
    pub file: PathBuf,
    pub guard: tracing_appender::non_blocking::WorkerGuard,
}

/// Why logging to a file could not be set up (English: logs and standard error).
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{}: {source}", dir.display())]
    Unwritable {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    AlreadySet(String),
}

/// Sends `tracing` events (level from `SMSDESK_LOG`, `info` by default) to today's file in the
/// log directory, creating it private. Fails with the reason when the directory or the file
/// cannot be written, or when logging is already set up.
pub fn init() -> Result<Logging, LogError> {
    init_in(&crate::config::log_dir())
}

/// [`init`] in a given directory.
pub fn init_in(dir: &Path) -> Result<Logging, LogError> {
    let unwritable = |source| LogError::Unwritable {
        dir: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(unwritable)?;
    let daily = DailyFile::open(dir).map_err(unwritable)?;
    let file = file_for(dir, daily.day);
    let (writer, guard) = tracing_appender::non_blocking(daily);
    let filter = tracing_subscriber::EnvFilter::try_from_env("SMSDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| LogError::AlreadySet(e.to_string()))?;
    Ok(Logging { file, guard })
}
