//! Ten operators' TUIs (each in tmux at 80×24, each with its scheduler competing for the lease)
//! and one `smsdesk run` on the same store: the service keeps the sending lease, every TUI shows
//! a message cancelled elsewhere as gone within 3 s, and no "database is locked" reaches a
//! screen or the service's log.
//!
//! Skipped with a message when tmux is missing, unless `CI=true`.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_smsdesk");
const OPERATORS: usize = 10;
/// The shared message's row, as the Upcoming list shows its number.
const ROW: &str = "06 11 22 33 44";

fn cli(db: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&support::smsdesk::run(db, args)).into_owned()
}

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn lease_holder(db: &Path) -> Option<String> {
    let conn = rusqlite::Connection::open(db).ok()?;
    conn.busy_timeout(Duration::from_secs(5)).ok()?;
    conn.query_row("SELECT holder FROM scheduler_lease", [], |r| r.get(0))
        .ok()
}

#[test]
fn ten_tuis_and_the_service_share_one_store_one_sender_and_see_each_others_changes() {
    let Some(t) = Tmux::server("smsdesk-many-operators") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("s.db");
    cli(&db, &["demo"]);
    for i in 0..OPERATORS {
        cli(
            &db,
            &[
                "user",
                "add",
                &format!("op{i}"),
                "--rights",
                "instant,scheduled",
            ],
        );
    }
    let queued = cli(
        &db,
        &[
            "--json",
            "send",
            "--to",
            "0611223344",
            "--text",
            "Marqueur commun",
            "--at",
            "2030-01-15T10:00",
        ],
    );
    let queued: serde_json::Value = serde_json::from_str(&queued).unwrap();
    let id = queued["queued"][0]["id"].as_i64().unwrap();

    let service = Service(
        Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["--user", "admin", "run"])
            .env("SMSDESK_LOG_DIR", tmp.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = service.0.id().to_string();
    let until = Instant::now() + Duration::from_secs(20);
    while !lease_holder(&db).is_some_and(|h| h.contains(&format!(":{pid}:"))) {
        assert!(Instant::now() < until, "the service never took the lease");
        std::thread::sleep(Duration::from_millis(100));
    }

    for i in 0..OPERATORS {
        t.open(
            &format!("op{i}"),
            &format!(
                "SMSDESK_LOG_DIR={} {BIN} --db {} --user op{i}",
                tmp.path().display(),
                db.display()
            ),
        );
    }
    for i in 0..OPERATORS {
        let s = format!("op{i}");
        t.wait_in(
            &s,
            Duration::from_secs(20),
            |x| x.contains(&format!("op{i} ·")),
            "status line",
        );
        // Upcoming, filtered on the shared message.
        t.keys_to(&s, &["7", "/"]);
        t.type_text_to(&s, "Marqueur");
        t.keys_to(&s, &["Enter"]);
        t.wait_in(
            &s,
            Duration::from_secs(10),
            |x| x.contains(ROW),
            "the message",
        );
    }

    // Another operator's change: the message is cancelled from the command line.
    cli(&db, &["cancel", &id.to_string()]);
    let cancelled_at = Instant::now();
    let mut pending: Vec<usize> = (0..OPERATORS).collect();
    while !pending.is_empty() {
        pending.retain(|i| t.screen_of(&format!("op{i}")).contains(ROW));
        if cancelled_at.elapsed() > Duration::from_secs(3) {
            let shown = pending
                .first()
                .map(|i| t.screen_of(&format!("op{i}")))
                .unwrap_or_default();
            assert!(
                pending.is_empty(),
                "still shown after 3 s in {pending:?}:\n{shown}"
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }

    // One sender all along: the service.
    let holder = lease_holder(&db).unwrap();
    assert!(holder.contains(&format!(":{pid}:")), "{holder}");
    for i in 0..OPERATORS {
        let screen = t.screen_of(&format!("op{i}"));
        assert!(
            !screen.contains("locked") && !screen.contains("verrouill"),
            "op{i}:\n{screen}"
        );
        // Their dashboards name the service as the scheduler.
        t.keys_to(&format!("op{i}"), &["1"]);
    }
    for i in 0..OPERATORS {
        let s = format!("op{i}");
        let screen = t.wait_in(
            &s,
            Duration::from_secs(10),
            |x| x.contains("Planificateur"),
            "dashboard",
        );
        assert!(screen.contains(&format!(":{pid}:")), "op{i}:\n{screen}");
    }
    let logs: String = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("smsdesk.log"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    assert!(!logs.is_empty(), "no log written");
    assert!(!logs.contains("database is locked"), "{logs}");
    drop(service);
}
