//! What the benches share: the 10⁶-message store, generated once and reused by later runs, and
//! the process's memory figures.
//!
//! The store is kept in Cargo's bench scratch folder (`target/tmp`), named after its size and the
//! schema version, so a new migration or size makes a new one. `SMSDESK_BENCH_DB=PATH` uses (and
//! on first use generates) another file; `SMSDESK_BENCH_MESSAGES=N` changes the size (default
//! 1,000,000). Generating takes about a minute in release mode.
#![allow(dead_code)] // each bench uses part of it

use chrono::{DateTime, Utc};
use smsdesk::store::{SCHEMA_VERSION, Store};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The instant the generated history ends at: fixed, so every run measures the same store.
pub fn generated_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-23T10:00:00Z")
        .expect("valid instant")
        .with_timezone(&Utc)
}

pub fn messages_wanted() -> usize {
    std::env::var("SMSDESK_BENCH_MESSAGES")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

/// The large store, generated on first use. Read-only benches open it as it is; benches that
/// write use [`writable_copy`].
pub fn million_store() -> PathBuf {
    let n = messages_wanted();
    let path = match std::env::var("SMSDESK_BENCH_DB") {
        Ok(p) => PathBuf::from(p),
        Err(_) => Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("smsdesk-bench-{n}-schema{SCHEMA_VERSION}.db")),
    };
    if !path.exists() {
        // Generated beside, then renamed: an interrupted run leaves no half store behind.
        let partial = path.with_extension("partial.db");
        for leftover in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{leftover}", partial.display()));
        }
        generate(&partial, n);
        std::fs::rename(&partial, &path).expect("rename the generated store");
    }
    path
}

fn generate(path: &Path, n: usize) {
    let started = Instant::now();
    eprintln!("generating a store of {n} messages at {} …", path.display());
    smsdesk::demo::create(path, 2026, "admin", generated_at()).expect("demo store");
    let store = Store::open(path).expect("store");
    store
        .conn()
        .pragma_update(None, "cache_size", -262_144)
        .expect("pragma");
    smsdesk::demo::million::add_history(store.db(), n, 2026, generated_at()).expect("history");
    store
        .conn()
        .execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    eprintln!(
        "generated {n} messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A copy of the large store in `dir`, for a bench that writes to it.
pub fn writable_copy(dir: &Path) -> PathBuf {
    let from = million_store();
    let to = dir.join("million-copy.db");
    std::fs::copy(&from, &to).expect("copy the large store");
    to
}

fn status_kb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Peak resident memory of this process since the last [`reset_peak`], in MB.
pub fn peak_rss_mb() -> Option<f64> {
    status_kb("VmHWM:").map(|kb| kb / 1024.0)
}

pub fn current_rss_mb() -> Option<f64> {
    status_kb("VmRSS:").map(|kb| kb / 1024.0)
}

/// Resets the peak to the current resident size (Linux: 5 written to `clear_refs`); false when
/// the system does not allow it, and the peak then includes what came before.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
