//! The SSH connection drops under an open TUI: the terminal hangs up (SIGHUP), as when tmux
//! kills the window. smsdesk must leave cleanly all the same: the sending lease released at
//! once (not held until it lapses) and a `--demo` store removed.
//!
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use support::smsdesk::demo;
use support::tmux::{Tmux, demo_command, smsdesk_command};

/// Who holds the sending lease, read straight from the store.
fn lease_holder(db: &Path) -> Option<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("SELECT holder FROM scheduler_lease WHERE id = 1", [], |r| {
        r.get(0)
    })
    .ok()
}

fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let until = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < until, "{what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_hangup_releases_the_sending_lease_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let cmd = smsdesk_command(
        "en_US.UTF-8",
        dir.path(),
        &format!("--db {} --user admin", db.display()),
    );
    let Some(t) = Tmux::start(&format!("smsdesk-hup-{}", std::process::id()), &cmd) else {
        return;
    };
    t.wait_for_lease();
    assert!(lease_holder(&db).is_some(), "this window holds the lease");

    t.tmux(&["kill-session", "-t", "j"]);
    wait_until(
        "the lease is still held after the terminal hung up: the next smsdesk would wait for it to lapse",
        || lease_holder(&db).is_none(),
    );
}

#[test]
fn a_hangup_removes_the_demo_store() {
    let dir = tempfile::tempdir().unwrap();
    let (cmd, tmp) = demo_command("fr_FR.UTF-8", dir.path());
    let Some(t) = Tmux::start(&format!("smsdesk-hup-demo-{}", std::process::id()), &cmd) else {
        return;
    };
    t.wait_for("Tableau de bord");
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        1,
        "the demo store"
    );

    t.tmux(&["kill-session", "-t", "j"]);
    wait_until(
        "the demo store is left behind after the terminal hung up",
        || std::fs::read_dir(&tmp).unwrap().next().is_none(),
    );
}
