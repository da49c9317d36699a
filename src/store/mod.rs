//! SQLite persistence. One connection per thread (the TUI, the scheduler, each CLI command);
//! WAL lets them read while another writes. Every list query is indexed and keyset-paged:
//! nothing here loads a whole table.

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod audit;
pub mod automations;
pub mod batches;
pub mod credit;
pub mod events;
pub mod lease;
pub mod lists;
pub mod messages;
pub mod operators;
pub mod participants;
pub mod replies;
pub mod settings;
pub mod stats;
pub mod templates;

/// Migrations in order; `user_version` is the number applied. Never edit a shipped one:
/// append a new file.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_participant_filters.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "{path}: this store was written by a newer smsdesk (schema version {found}, this build knows up to {supported}); it was left untouched — upgrade smsdesk"
    )]
    NewerVersion {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("{path}: not a usable smsdesk store: {reason}")]
    Unusable { path: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("{what} #{id} not found")]
    NotFound { what: &'static str, id: i64 },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Another connection holds the store's lock (SQLITE_BUSY / SQLITE_LOCKED): waiting and
    /// trying again will do, nothing is wrong with the store.
    pub fn is_busy(&self) -> bool {
        let e = match self {
            StoreError::Sqlite(e) => e,
            StoreError::Unusable { reason, .. } => {
                return reason.contains("database is locked");
            }
            _ => return false,
        };
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// An open store: one SQLite connection.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed, mode 0600) and migrates the store at `path`. A store from a
    /// newer smsdesk, or a file that is not an SQLite database, is refused before anything is
    /// written to it.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display().to_string();
        if path.exists() {
            check_version_read_only(path)?;
        } else {
            create_private_file(path)?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| unusable(&shown, e))?;
        configure(&conn).map_err(|e| unusable(&shown, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// A store in memory with the default settings, for rules that need settings when no store
    /// file is given (`smsdesk plan` without `--db`) and for tests.
    pub fn open_defaults() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Another connection on the same file (for the scheduler thread).
    pub fn reopen(&self) -> Result<Store> {
        Store::open(&self.path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Runs `f` in an IMMEDIATE transaction (takes the write lock first, so two processes
    /// never both read-then-write the same rows), committing only when `f` succeeds.
    pub fn write<T, E>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<()> {
        let current = self.schema_version()?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::NewerVersion {
                path: self.path.display().to_string(),
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let version = index as i64 + 1;
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // Another process may have migrated while we waited for the lock.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if now >= version {
                continue;
            }
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
        }
        Ok(())
    }
}

fn unusable(path: &str, e: rusqlite::Error) -> StoreError {
    StoreError::Unusable {
        path: path.to_string(),
        reason: e.to_string(),
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Reads the schema version without writing a byte: read-only open, one pragma.
fn check_version_read_only(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| unusable(&shown, e))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| unusable(&shown, e))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerVersion {
            path: shown,
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    // A non-empty file must be an smsdesk store (or an empty SQLite file being created).
    if version == 0 {
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| unusable(&shown, e))?;
        if tables > 0 {
            return Err(StoreError::Unusable {
                path: shown,
                reason: "it is an SQLite database, but not an smsdesk store".into(),
            });
        }
    } else {
        let has_messages: Option<String> = conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='messages'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| unusable(&shown, e))?;
        if has_messages.is_none() {
            return Err(StoreError::Unusable {
                path: shown,
                reason: "it is an SQLite database, but not an smsdesk store".into(),
            });
        }
    }
    Ok(())
}

/// Creates the store file readable by its owner only: it holds phone numbers and credentials.
fn create_private_file(path: &Path) -> Result<()> {
    let io = |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(|_| ()).map_err(io)
}

/// Current time as stored: Unix seconds.
pub fn ts(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp()
}

/// Stored Unix seconds back to a UTC instant.
pub fn from_ts(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Boolean flag columns are INTEGER 0/1.
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}
