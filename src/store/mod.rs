//! SQLite persistence. One connection per thread (the TUI, the scheduler, each CLI command);
//! WAL lets them read while another writes. Every list query is indexed and keyset-paged:
//! nothing here loads a whole table.

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod audit;
pub mod automations;
pub mod batches;
pub mod card;
mod codes;
pub mod credit;
pub mod dispatch;
pub mod events;
pub mod import;
pub mod lease;
pub mod lists;
pub mod merge;
pub mod messages;
mod migrations;
pub mod notes;
pub mod operator_keys;
pub mod operators;
pub mod page;
pub mod participants;
pub mod pending;
mod problem;
pub mod replies;
pub mod screens;
pub mod seed;
pub mod settings;
pub mod stats;
pub mod templates;

pub use problem::{PhoneField, Record, StoreProblem, UnusableReason};

/// What a migration does beyond its SQL, in its transaction, after it: conversions SQL cannot
/// write (parsing old English notes).
fn convert(version: i64, conn: &Connection) -> Result<()> {
    match version {
        5 => notes::convert_english_notes(Db { conn }),
        6 => notes::convert_english_reasons(Db { conn }),
        _ => Ok(()),
    }
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = migrations::COUNT as i64;

/// Why the store failed or refused. Its English `Display` is what the command line prints;
/// [`Describe`](crate::i18n::Describe) says it in the reader's language (texts:
/// `[store_error]`). What the system or SQLite says is kept verbatim.
#[derive(Debug)]
pub enum StoreError {
    NewerVersion {
        path: String,
        found: i64,
        supported: i64,
    },
    Unusable {
        path: String,
        reason: UnusableReason,
    },
    /// No room left to write the store or the files SQLite keeps beside it: the system's
    /// failure, not a bad store.
    DiskFull {
        path: String,
        reason: String,
    },
    /// The store is fine but the system failed reading or writing it (I/O error, permission).
    System {
        path: String,
        reason: String,
    },
    Io {
        path: String,
        source: std::io::Error,
    },
    Sqlite(rusqlite::Error),
    Invalid(StoreProblem),
    NotFound {
        what: Record,
        id: i64,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Every variant's catalogue key and placeholders (checked in both languages).
    pub const KEYS: crate::i18n::MessageKeys = &[
        ("store_error.newer_version", &["found", "path", "supported"]),
        ("store_error.unusable", &["path", "reason"]),
        ("store_error.disk_full", &["path", "reason"]),
        ("store_error.system", &["path", "reason"]),
        ("store_error.io", &["error", "path"]),
        ("store_error.sqlite", &["error"]),
        ("store_error.not_found", &["id", "what"]),
    ];
}

impl crate::i18n::Describe for StoreError {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{Arg, fill};
        match self {
            StoreError::NewerVersion {
                path,
                found,
                supported,
            } => fill(
                lang,
                "store_error.newer_version",
                &[
                    ("path", path.clone()),
                    ("found", found.to_string()),
                    ("supported", supported.to_string()),
                ],
            ),
            StoreError::Unusable { path, reason } => fill(
                lang,
                "store_error.unusable",
                &[("path", path.clone()), ("reason", reason.render(lang))],
            ),
            StoreError::DiskFull { path, reason } => fill(
                lang,
                "store_error.disk_full",
                &[("path", path.clone()), ("reason", reason.clone())],
            ),
            StoreError::System { path, reason } => fill(
                lang,
                "store_error.system",
                &[("path", path.clone()), ("reason", reason.clone())],
            ),
            StoreError::Io { path, source } => fill(
                lang,
                "store_error.io",
                &[("path", path.clone()), ("error", source.to_string())],
            ),
            StoreError::Sqlite(e) => fill(lang, "store_error.sqlite", &[("error", e.to_string())]),
            StoreError::Invalid(problem) => problem.describe(lang),
            StoreError::NotFound { what, id } => fill(
                lang,
                "store_error.not_found",
                &[("what", what.render(lang)), ("id", id.to_string())],
            ),
        }
    }
}

impl std::fmt::Display for StoreError {
    /// English: logs and the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::i18n::Describe::describe(
            self,
            crate::i18n::Lang::En,
        ))
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Io { source, .. } => Some(source),
            StoreError::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        // A code this build does not know is the store's content, not the driver failing.
        match codes::unknown_code(&e) {
            Some(u) => StoreError::Invalid(StoreProblem::UnknownCode {
                column: u.column.unwrap_or_default(),
                code: u.code,
            }),
            None => StoreError::Sqlite(e),
        }
    }
}

impl From<StoreProblem> for StoreError {
    fn from(p: StoreProblem) -> StoreError {
        StoreError::Invalid(p)
    }
}

impl StoreError {
    /// Another connection holds the store's lock (SQLITE_BUSY / SQLITE_LOCKED): waiting and
    /// trying again will do, nothing is wrong with the store.
    pub fn is_busy(&self) -> bool {
        let e = match self {
            StoreError::Sqlite(e) => e,
            StoreError::Unusable {
                reason: UnusableReason::Sqlite { error },
                ..
            } => {
                return error.contains("database is locked");
            }
            _ => return false,
        };
        matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// A handle on the store, for reading or, inside [`Store::write`], for writing in its
/// transaction. Only `crate::store` sees the connection behind it, so SQL stays here.
#[derive(Clone, Copy)]
pub struct Db<'a> {
    conn: &'a Connection,
}

impl<'a> Db<'a> {
    pub(in crate::store) fn conn(self) -> &'a Connection {
        self.conn
    }

    /// Runs one statement, kept parsed in the connection's cache (as [`Db::query_row`]): the
    /// same few statements run for every message sent, opt-out checked or state saved.
    pub(in crate::store) fn execute<P: rusqlite::Params>(
        self,
        sql: &str,
        params: P,
    ) -> rusqlite::Result<usize> {
        self.conn.prepare_cached(sql)?.execute(params)
    }

    pub(in crate::store) fn prepare(self, sql: &str) -> rusqlite::Result<rusqlite::Statement<'a>> {
        self.conn.prepare(sql)
    }

    pub(in crate::store) fn prepare_cached(
        self,
        sql: &str,
    ) -> rusqlite::Result<rusqlite::CachedStatement<'a>> {
        self.conn.prepare_cached(sql)
    }

    pub(in crate::store) fn query_row<T, P, F>(
        self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.conn.prepare_cached(sql)?.query_row(params, f)
    }

    /// Runs `sql`, which changes the row `id` of `what`: [`StoreError::NotFound`] when it
    /// changed none.
    pub(in crate::store) fn change_one<P: rusqlite::Params>(
        self,
        what: Record,
        id: i64,
        sql: &str,
        params: P,
    ) -> Result<()> {
        found(self.prepare_cached(sql)?.execute(params)?, what, id)
    }

    pub(in crate::store) fn last_insert_rowid(self) -> i64 {
        self.conn.last_insert_rowid()
    }

    /// SQLite's `PRAGMA quick_check`: "ok", or what is wrong.
    pub fn quick_check(self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))?)
    }

    /// A read transaction, so that several reads see one state of the store until it is
    /// dropped; `None` when a transaction is already open (it gives that state).
    pub fn snapshot(self) -> Result<Option<Snapshot<'a>>> {
        if !self.conn().is_autocommit() {
            return Ok(None);
        }
        Ok(Some(Snapshot {
            _tx: self.conn().unchecked_transaction()?,
        }))
    }
}

/// See [`Db::snapshot`]: rolled back (nothing was written) when dropped.
pub struct Snapshot<'a> {
    _tx: rusqlite::Transaction<'a>,
}

/// For tests that hold a raw connection (src/ outside the store never does: see
/// tests/read_boundary.rs).
#[doc(hidden)]
impl<'a> From<&'a Connection> for Db<'a> {
    fn from(conn: &'a Connection) -> Db<'a> {
        Db { conn }
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
        if path.is_dir() {
            return Err(StoreError::Unusable {
                path: shown,
                reason: UnusableReason::Folder,
            });
        }
        if path.exists() {
            check_version_read_only(path)?;
        } else {
            create_private_file(path)?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(&shown, None, e))?;
        configure(&conn).map_err(|e| classify(&shown, Some(&conn), e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        match store.migrate() {
            Ok(()) => Ok(store),
            Err(StoreError::Sqlite(e)) => Err(classify(&shown, Some(&store.conn), e)),
            Err(e) => Err(e),
        }
    }

    /// A store in memory with the default settings, for rules that need settings when no store
    /// file is given (`smsdesk plan` without `--db`) and for tests.
    pub fn open_defaults() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.pragma_update(None, "foreign_keys", "ON")?;
        register_functions(&conn)?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A read handle: what the rest of the program passes to the store's functions.
    pub fn db(&self) -> Db<'_> {
        Db { conn: &self.conn }
    }

    /// The raw connection. Escape hatch for tests, benches, examples and the demo and history
    /// only; tests/read_boundary.rs keeps it out of `src/` outside the store.
    #[doc(hidden)]
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in an IMMEDIATE transaction (takes the write lock first, so two processes
    /// never both read-then-write the same rows), committing only when `f` succeeds. `f` gets
    /// a [`Db`] over the transaction.
    pub fn write<'s, T, E>(&'s mut self, f: impl FnOnce(Db<'s>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let conn: &'s Connection = &self.conn;
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
        let out = f(Db { conn })?;
        tx.commit().map_err(StoreError::from)?;
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
        for version in current + 1..=SCHEMA_VERSION {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // Another process may have migrated while we waited for the lock.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if now >= version {
                continue;
            }
            tx.execute_batch(&migrations::sql(version as usize))?;
            convert(version, &tx)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
        }
        Ok(())
    }
}

impl StoreError {
    /// Whether the disk is full (SQLite's SQLITE_FULL, or ENOSPC behind an I/O error).
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::DiskFull { .. } => true,
            StoreError::Sqlite(e) => e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
            StoreError::Io { source, .. } => is_enospc(source),
            _ => false,
        }
    }
}

fn is_enospc(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull
        || matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
}

/// The OS error behind SQLite's last failure on `conn` (0 when none).
fn system_errno(conn: &Connection) -> i32 {
    // SAFETY: the handle is valid while `conn` is borrowed, and sqlite3_system_errno only reads
    // the connection's last error number.
    unsafe { rusqlite::ffi::sqlite3_system_errno(conn.handle()) }
}

/// Why SQLite failed on the store at `path`: a file that is not a usable store (the caller's
/// input, exit 2) only when SQLite says so (not a database, corrupt); anything else — a full
/// disk, an I/O error, a permission — is the system failing (exit 1).
fn classify(path: &str, conn: Option<&Connection>, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    let errno = conn.map_or(0, system_errno);
    let os = (errno != 0).then(|| std::io::Error::from_raw_os_error(errno));
    let reason = match &os {
        Some(os) => format!("{e} ({os})"),
        None => e.to_string(),
    };
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Unusable {
            path: path.to_string(),
            reason: UnusableReason::Sqlite { error: reason },
        },
        Some(ErrorCode::DiskFull) => StoreError::DiskFull {
            path: path.to_string(),
            reason,
        },
        _ if os.as_ref().is_some_and(is_enospc) => StoreError::DiskFull {
            path: path.to_string(),
            reason,
        },
        _ => StoreError::System {
            path: path.to_string(),
            reason,
        },
    }
}

/// Parsed statements a connection keeps: every statement the store runs more than once fits.
const STATEMENT_CACHE: usize = 128;

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    register_functions(conn)?;
    Ok(())
}

/// SQL functions the queries use: `search_matches(…)` (below) and `fold(text)`, the searched form of a text
/// ([`crate::text::fold`]: no case, accents or ligatures), for the smaller tables' searches
/// (contacts, agenda, lists, templates). Not used by the schema (triggers, indexes), so the
/// store stays readable and writable by any SQLite tool.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            use rusqlite::types::ValueRef;
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(t) => Some(crate::text::fold(&String::from_utf8_lossy(t))),
                ValueRef::Integer(i) => Some(i.to_string()),
                ValueRef::Real(f) => Some(f.to_string()),
                ValueRef::Null | ValueRef::Blob(_) => None,
            })
        },
    )?;
    // `search_matches(typed, name, phone, text)`: whether a message is found by a search of the
    // Sent / Upcoming lists ([`crate::text::search_matches`]), for a search found in so many
    // messages that walking the list finds a page sooner than the word index.
    conn.create_scalar_function(
        "search_matches",
        4,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            // The search is read once per statement, not once per row.
            let search = ctx.get_or_create_aux(0, |v| -> Result<_, rusqlite::Error> {
                Ok(crate::text::parse_search(v.as_str().unwrap_or_default()))
            })?;
            let Some(search) = search.as_ref() else {
                return Ok(true);
            };
            let text = |i: usize| match ctx.get_raw(i) {
                rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or_default(),
                _ => "",
            };
            Ok(crate::text::search_matches(
                search,
                text(1),
                text(2),
                text(3),
            ))
        },
    )
}

/// The schema version as the file's header says (`PRAGMA user_version` is stored at byte 60),
/// read without SQLite so that refusing a newer store leaves nothing beside it: a read-only
/// SQLite connection on a WAL store creates `-wal` and `-shm` files it never removes. `None`
/// for an empty file (a store being created).
fn header_version(path: &Path) -> Result<Option<i64>> {
    use std::io::Read;
    let shown = path.display().to_string();
    let io = |source: std::io::Error| {
        if is_enospc(&source) {
            StoreError::DiskFull {
                path: shown.clone(),
                reason: source.to_string(),
            }
        } else {
            StoreError::Io {
                path: shown.clone(),
                source,
            }
        }
    };
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .map_err(io)?
        .take(100)
        .read_to_end(&mut header)
        .map_err(io)?;
    if header.is_empty() {
        return Ok(None);
    }
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        return Err(StoreError::Unusable {
            path: shown,
            reason: UnusableReason::NotSqlite,
        });
    }
    let mut version = [0u8; 4];
    version.copy_from_slice(&header[60..64]);
    Ok(Some(i64::from(i32::from_be_bytes(version))))
}

/// Checks the store is one this build can open, without writing a byte: the header's schema
/// version first, then a read-only connection for what only SQLite can tell. A refused file is
/// left as it was, with no `-wal` / `-shm` beside it.
fn check_version_read_only(path: &Path) -> Result<()> {
    if let Some(found) = header_version(path)?
        && found > SCHEMA_VERSION
    {
        return Err(StoreError::NewerVersion {
            path: path.display().to_string(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let siblings: Vec<PathBuf> = ["-wal", "-shm"]
        .iter()
        .map(|s| {
            let mut p = path.as_os_str().to_owned();
            p.push(s);
            PathBuf::from(p)
        })
        .collect();
    let absent: Vec<&PathBuf> = siblings.iter().filter(|p| !p.exists()).collect();
    let checked = check_with_sqlite(path);
    if checked.is_err() {
        // What the read-only connection created is ours to remove: the `-shm` index, and the
        // `-wal` while it holds nothing.
        for p in absent {
            let is_wal = p.to_string_lossy().ends_with("-wal");
            if std::fs::metadata(p).is_ok_and(|m| !is_wal || m.len() == 0) {
                let _ = std::fs::remove_file(p);
            }
        }
    }
    checked
}

fn check_with_sqlite(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify(&shown, None, e))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| classify(&shown, Some(&conn), e))?;
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
            .map_err(|e| classify(&shown, Some(&conn), e))?;
        if tables > 0 {
            return Err(StoreError::Unusable {
                path: shown,
                reason: UnusableReason::NotSmsdesk,
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
            .map_err(|e| classify(&shown, Some(&conn), e))?;
        if has_messages.is_none() {
            return Err(StoreError::Unusable {
                path: shown,
                reason: UnusableReason::NotSmsdesk,
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

/// Checks that a write by id found its row: `NotFound` (`what` #`id`) when it changed none.
pub(crate) fn found(changed: usize, what: Record, id: i64) -> Result<()> {
    if changed == 0 {
        return Err(StoreError::NotFound { what, id });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn store_errors_are_said_in_both_languages_and_english_stays_the_command_line_s() {
        use crate::i18n::{Describe, Lang};
        let missing = StoreError::NotFound {
            what: Record::Template,
            id: 3,
        };
        crate::i18n::assert_says(&missing, "template #3 not found", "modèle n°3 introuvable");
        let folder = StoreError::Unusable {
            path: "s.db".into(),
            reason: UnusableReason::Folder,
        };
        crate::i18n::assert_says(
            &folder,
            "s.db: not a usable smsdesk store: it is a folder, not a file",
            "s.db : pas une base smsdesk utilisable : c'est un dossier, pas un fichier",
        );
        // A refusal that holds another typed value says it in the same language.
        let setting = StoreError::Invalid(StoreProblem::Setting {
            key: "language".into(),
            problem: settings::SettingProblem::Language,
        });
        crate::i18n::assert_says(
            &setting,
            "language: fr, en, or empty to follow $LANG",
            "language : fr, en, ou vide pour suivre $LANG",
        );
        // What SQLite says stays as it said it.
        let sqlite = StoreError::Sqlite(failure(rusqlite::ffi::SQLITE_FULL));
        assert!(
            sqlite
                .describe(Lang::Fr)
                .starts_with("erreur de la base de données : ")
        );
        assert!(sqlite.to_string().starts_with("database error: "));
    }

    #[test]
    fn only_a_file_sqlite_cannot_read_is_an_unusable_store() {
        use rusqlite::ffi;
        assert!(matches!(
            classify("s.db", None, failure(ffi::SQLITE_NOTADB)),
            StoreError::Unusable { .. }
        ));
        assert!(matches!(
            classify("s.db", None, failure(ffi::SQLITE_CORRUPT)),
            StoreError::Unusable { .. }
        ));
        let full = classify("s.db", None, failure(ffi::SQLITE_FULL));
        assert!(matches!(full, StoreError::DiskFull { .. }), "{full}");
        assert!(full.to_string().contains("disk full"), "{full}");
        for code in [
            ffi::SQLITE_IOERR_SHMSIZE,
            ffi::SQLITE_IOERR_WRITE,
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_PERM,
            ffi::SQLITE_READONLY,
            ffi::SQLITE_BUSY,
        ] {
            let e = classify("s.db", None, failure(code));
            assert!(matches!(e, StoreError::System { .. }), "{code}: {e}");
        }
        assert!(StoreError::Sqlite(failure(ffi::SQLITE_FULL)).is_disk_full());
        assert!(
            StoreError::Io {
                path: "s.db".into(),
                source: std::io::Error::from_raw_os_error(libc::ENOSPC),
            }
            .is_disk_full()
        );
    }
}
