//! The smsdesk binary as the terminal journeys drive it: its command line on a store, as the
//! administrator, and a demo store to start from.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `smsdesk --db DB --user admin ARGS…` (logs beside the store) and returns its
/// standard output; panics with standard error when it fails.
pub fn run(db: &Path, args: &[&str]) -> Vec<u8> {
    run_as(db, "admin", &[], args)
}

/// Runs `smsdesk --db DB --user USER ARGS…` with the variables `env` set (`SMSDESK_NOW`…;
/// logs beside the store, `SMSDESK_DB` unset) and returns its standard output; panics with
/// standard error when it fails.
pub fn run_as(db: &Path, user: &str, env: &[(&str, &str)], args: &[&str]) -> Vec<u8> {
    let out = output(db, user, env, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// What `smsdesk --db DB --user USER ARGS…` did, as [`run_as`] starts it, whether it
/// succeeded or not (for the tests of exit codes and refusals).
pub fn output(db: &Path, user: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(db)
        .args(["--user", user])
        .args(args)
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .envs(env.iter().copied())
        .env_remove("SMSDESK_DB")
        .output()
        .unwrap()
}

/// The one-line reason of a run refused as bad input (exit 2); panics otherwise.
#[track_caller]
pub fn refusal(out: &Output, args: &[&str]) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should be refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.trim().lines().count(), 1, "one-line reason: {err}");
    err
}

/// The command line's `--json` answer.
pub fn cli(db: &Path, args: &[&str]) -> serde_json::Value {
    let json: Vec<&str> = std::iter::once("--json")
        .chain(args.iter().copied())
        .collect();
    serde_json::from_slice(&run(db, &json)).unwrap()
}

/// A demo store `demo.db` in `dir`.
pub fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    run(&db, &["demo"]);
    db
}
