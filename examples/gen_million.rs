//! Creates a demo store with a large message history, for benchmarks and for trying the lists
//! at scale:
//!
//! ```text
//! cargo run --release --example gen_million -- PATH [N]
//! ```
//!
//! `PATH` must not exist yet (or be an empty store); `N` defaults to 1,000,000 messages.

use smsdesk::store::Store;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: gen_million PATH [N]");
        return ExitCode::from(2);
    };
    let n = match args.next().map(|s| s.replace('_', "").parse::<usize>()) {
        None => 1_000_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("gen_million: N must be a whole number of messages");
            return ExitCode::from(2);
        }
    };
    match run(&path, n) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_million: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(path: &std::path::Path, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let now = chrono::Utc::now();
    let started = Instant::now();
    let demo = smsdesk::demo::create(path, 2026, "admin", now)?;
    eprintln!(
        "demo store created in {:.1} s ({} participants, {} messages)",
        started.elapsed().as_secs_f64(),
        demo.participants,
        demo.messages_history + demo.messages_pending
    );
    let store = Store::open(path)?;
    // A big page cache keeps the million-row transaction from spilling to the WAL half-way.
    store.conn().pragma_update(None, "cache_size", -262_144)?;
    let started = Instant::now();
    let summary = smsdesk::demo::million::add_history(store.db(), n, 2026, now)?;
    eprintln!(
        "{} messages, {} status changes, {} replies, {} batches and free sends, {} participants added over {} working days in {:.1} s",
        summary.messages,
        summary.status_changes,
        summary.replies,
        summary.batches,
        summary.participants,
        summary.days,
        started.elapsed().as_secs_f64()
    );
    store
        .conn()
        .execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);")?;
    println!("{}", path.display());
    Ok(())
}
