//! `smsdesk run` as real processes against a loopback provider speaking Kannel's sendsms
//! protocol, which counts submissions per message reference: killed at random moments, or two
//! at once on one store, no message is ever submitted twice.

mod support;

use chrono::Utc;
use smsdesk::core::Actor;
use smsdesk::core::send::{self, FreeSend};
use smsdesk::store::{Store, credit, settings};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{FakeServer, Reply};

/// A store with `n` free-send messages due now, a window open all day, and the Kannel provider
/// pointing at `sendsms_url`.
fn store_with_messages(dir: &Path, n: usize, sendsms_url: &str) -> PathBuf {
    store_with_kannel(dir, n, sendsms_url, "127.0.0.1:0")
}

/// [`store_with_messages`] with the callback listener on `callback_listen`.
fn store_with_kannel(dir: &Path, n: usize, sendsms_url: &str, callback_listen: &str) -> PathBuf {
    let db = dir.join("s.db");
    let now = Utc::now();
    let mut store = Store::open(&db).unwrap();
    let admin = Actor::identify(&mut store, "admin", now).unwrap();
    for (k, v) in [
        ("grace_seconds", "0"),
        ("window", "00:00-23:59"),
        ("window_days", "mon-sun"),
        ("max_in_flight", "8"),
    ] {
        settings::set(store.conn(), k, v, "admin", now).unwrap();
    }
    let provider = serde_json::json!({
        "kind": "kannel",
        "sendsms_url": sendsms_url,
        "username": "tester",
        "password": "secret",
        "callback_listen": callback_listen,
    });
    settings::set(
        store.conn(),
        "provider",
        &provider.to_string(),
        "admin",
        now,
    )
    .unwrap();
    credit::add_pack(
        store.conn(),
        1_000_000,
        "test",
        now.date_naive(),
        "admin",
        now,
    )
    .unwrap();
    let numbers: Vec<String> = (0..n)
        .map(|i| format!("+336{:08}", 10_000_000 + i))
        .collect();
    send::queue_free(
        &mut store,
        &admin,
        &FreeSend {
            text: "Information : réunion d'accueil lundi 9h".into(),
            numbers,
            at: None,
            campaign: false,
            source: "test".into(),
        },
        now,
    )
    .unwrap();
    db
}

/// A Kannel-like sendsms endpoint: 202 "0: Accepted for delivery", a little slow so that kills
/// often land while messages are in flight.
fn kannel_like(delay: Duration) -> FakeServer {
    FakeServer::start(move |_| Reply::new(202, "0: Accepted for delivery").delayed(delay))
}

/// Submissions per message reference (the `ref` inside the dlr-url of each request).
fn submissions(server: &FakeServer) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in server.requests() {
        let dlr = r.query_value("dlr-url").unwrap_or_default();
        let reference = dlr
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("ref="))
            .unwrap_or("")
            .to_string();
        assert!(
            !reference.is_empty(),
            "request without a reference: {}",
            r.url
        );
        *counts.entry(reference).or_insert(0) += 1;
    }
    counts
}

fn spawn_run(db: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["--db", db.to_str().unwrap(), "--user", "admin", "run"])
        .env("SMSDESK_LEASE_TTL", "1")
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start smsdesk run")
}

fn terminate(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let until = Instant::now() + Duration::from_secs(40);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(
                status.success(),
                "smsdesk run exits 0 on SIGTERM, got {status}"
            );
            return;
        }
        assert!(
            Instant::now() < until,
            "smsdesk run did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn count_status(db: &Path) -> HashMap<String, i64> {
    let store = Store::open(db).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT status, count(*) FROM messages GROUP BY status")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn wait_until_no_pending(db: &Path, limit: Duration) {
    let until = Instant::now() + limit;
    loop {
        let s = count_status(db);
        if s.get("pending").copied().unwrap_or(0) == 0
            && s.get("sending").copied().unwrap_or(0) == 0
        {
            return;
        }
        assert!(Instant::now() < until, "messages still queued: {s:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Statuses and submission counts must tell the same story for every message.
fn assert_consistent(db: &Path, counts: &HashMap<String, usize>) {
    let store = Store::open(db).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT id, status FROM messages")
        .unwrap();
    let rows: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    for (id, status) in rows {
        let n = counts.get(&format!("m{id}")).copied().unwrap_or(0);
        assert!(n <= 1, "message {id} submitted {n} times");
        match status.as_str() {
            "submitted" | "delivered" => {
                assert_eq!(n, 1, "message {id} is {status} but was submitted {n} times")
            }
            "pending" => assert_eq!(n, 0, "message {id} waits but was already submitted"),
            "unknown" => {}
            other => panic!("message {id} ended {other}: expected submitted, queued or unknown"),
        }
    }
}

#[test]
fn killed_at_random_moments_no_message_is_submitted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let server = kannel_like(Duration::from_millis(80));
    let db = store_with_messages(
        dir.path(),
        2000,
        &format!("{}/cgi-bin/sendsms", server.base),
    );
    // A small deterministic generator for the kill moments.
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut kills = 0;
    while kills < 24 {
        let mut child = spawn_run(&db);
        // The lease of the killed predecessor lapses after 1 s; then this one sends for a while.
        let pause = 1_100 + next() % 700;
        std::thread::sleep(Duration::from_millis(pause));
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        let s = count_status(&db);
        if s.get("pending").copied().unwrap_or(0) == 0 {
            break;
        }
    }
    // A last, clean run finishes what is left (crash leftovers become "unknown").
    let last = spawn_run(&db);
    // Let it take the lease and settle the leftovers of the last kill.
    std::thread::sleep(Duration::from_millis(2500));
    wait_until_no_pending(&db, Duration::from_secs(120));
    terminate(last);
    let counts = submissions(&server);
    assert_consistent(&db, &counts);
    let statuses = count_status(&db);
    let submitted = statuses.get("submitted").copied().unwrap_or(0);
    assert!(submitted > 1500, "most messages left: {statuses:?}");
    assert!(
        kills >= 20,
        "the process was killed {kills} times (at least 20 wanted)"
    );
}

#[test]
fn two_processes_on_one_store_dispatch_10000_messages_without_a_double_submission() {
    let dir = tempfile::tempdir().unwrap();
    let server = kannel_like(Duration::ZERO);
    let db = store_with_messages(
        dir.path(),
        10_000,
        &format!("{}/cgi-bin/sendsms", server.base),
    );
    let a = spawn_run(&db);
    let b = spawn_run(&db);
    wait_until_no_pending(&db, Duration::from_secs(600));
    terminate(a);
    terminate(b);
    let counts = submissions(&server);
    assert_eq!(counts.len(), 10_000, "every message submitted");
    assert!(
        counts.values().all(|n| *n == 1),
        "a message was submitted twice"
    );
    assert_consistent(&db, &counts);
}

/// Delivery reports as Kannel sends them: each one to its dlr-url, retried until it gets a
/// 200 (Kannel's `http-request-retry`), on its own thread so the sendsms answers never wait.
struct ReportSender {
    queue: Arc<Mutex<Vec<String>>>,
    /// Reports not yet answered 200 (queued or being sent).
    outstanding: Arc<std::sync::atomic::AtomicUsize>,
}

impl ReportSender {
    fn start() -> ReportSender {
        let queue: Arc<Mutex<Vec<String>>> = Arc::default();
        let outstanding: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
        let (q, left) = (queue.clone(), outstanding.clone());
        std::thread::spawn(move || {
            loop {
                let batch: Vec<String> = std::mem::take(&mut *q.lock().unwrap());
                let mut again = Vec::new();
                for url in batch {
                    if http_get_status(&url) == Some(200) {
                        left.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    } else {
                        again.push(url);
                    }
                }
                q.lock().unwrap().extend(again);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        ReportSender { queue, outstanding }
    }

    /// Queues the "delivered" report for a sendsms request, filling the dlr-url's escapes.
    fn report_for(&self, request: &support::Recorded) {
        let Some(template) = request.query_value("dlr-url") else {
            return;
        };
        let url = template
            .replace("%d", "1")
            .replace("%A", "ACK%2Fdelivered")
            .replace("%T", &Utc::now().timestamp().to_string());
        self.outstanding
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.queue.lock().unwrap().push(url);
    }

    fn waiting(&self) -> usize {
        self.outstanding.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// GET over a plain TCP connection; the status code, or None when the listener is not there.
fn http_get_status(url: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_at(rest.find('/')?);
    let mut conn = std::net::TcpStream::connect(host).ok()?;
    conn.set_read_timeout(Some(Duration::from_secs(15))).ok()?;
    write!(conn, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut answer = String::new();
    conn.read_to_string(&mut answer).ok()?;
    answer.split_whitespace().nth(1)?.parse().ok()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn killed_while_reports_arrive_every_accepted_message_is_delivered_and_charged_once() {
    let dir = tempfile::tempdir().unwrap();
    let reports = Arc::new(ReportSender::start());
    let server = {
        let reports = reports.clone();
        FakeServer::start(move |r| {
            reports.report_for(r);
            Reply::new(202, "0: Accepted for delivery").delayed(Duration::from_millis(60))
        })
    };
    let listen = format!("127.0.0.1:{}", free_port());
    let db = store_with_kannel(
        dir.path(),
        2000,
        &format!("{}/cgi-bin/sendsms", server.base),
        &listen,
    );
    let mut seed: u64 = 0x5eed_4321_dcba_0002;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut kills = 0;
    while kills < 24 {
        let mut child = spawn_run(&db);
        std::thread::sleep(Duration::from_millis(1_100 + next() % 700));
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        if count_status(&db).get("pending").copied().unwrap_or(0) == 0 {
            break;
        }
    }
    assert!(kills >= 20, "killed {kills} times (at least 20 wanted)");
    // A last, clean run sends what is left and takes every report still being retried.
    let last = spawn_run(&db);
    std::thread::sleep(Duration::from_millis(2500));
    wait_until_no_pending(&db, Duration::from_secs(120));
    let until = Instant::now() + Duration::from_secs(60);
    while reports.waiting() > 0 {
        assert!(
            Instant::now() < until,
            "reports still refused: {}",
            reports.waiting()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    terminate(last);

    let counts = submissions(&server);
    assert!(
        counts.values().all(|n| *n == 1),
        "a message was submitted twice"
    );
    let store = Store::open(&db).unwrap();
    let rows: Vec<(i64, String, i64, i64)> = store
        .conn()
        .prepare(
            "SELECT m.id, m.status, m.segments,
                    (SELECT COALESCE(SUM(units), 0) FROM credit_ledger l WHERE l.message_id = m.id)
             FROM messages m",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let (mut accepted, mut charged, mut owed) = (0, 0, 0);
    for (id, status, segments, units) in rows {
        let seen = counts.get(&format!("m{id}")).copied().unwrap_or(0);
        if seen == 1 {
            accepted += 1;
            owed += segments;
            let history: Vec<String> = store
                .conn()
                .prepare("SELECT status || ' ' || at || ' ' || actor || ' ' || detail FROM message_status_history WHERE message_id = ?1 ORDER BY id")
                .unwrap()
                .query_map([id], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            assert_eq!(
                status, "delivered",
                "message {id} was accepted and its report answered 200, but it is {status}: {history:?}"
            );
        } else {
            assert_eq!(status, "unknown", "message {id} never reached the provider");
        }
        charged += units;
        assert_eq!(
            units,
            if seen == 1 { segments } else { 0 },
            "message {id} ({status}, submitted {seen} times) charged {units} units"
        );
    }
    assert_eq!(
        charged, owed,
        "ledger units = segments of every accepted message"
    );
    assert!(accepted > 1500, "most messages left: {accepted}");
}

#[test]
fn a_store_locked_for_30_s_by_another_process_does_not_stop_run_and_sending_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let server = kannel_like(Duration::from_millis(50));
    let db = store_with_messages(
        dir.path(),
        2000,
        &format!("{}/cgi-bin/sendsms", server.base),
    );
    let mut child = spawn_run(&db);
    let until = Instant::now() + Duration::from_secs(60);
    while server.requests().len() < 100 {
        assert!(Instant::now() < until, "smsdesk run did not start sending");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Another process takes the write lock while messages are due, and keeps it 30 s.
    let locker = Store::open(&db).unwrap();
    locker.conn().execute_batch("BEGIN IMMEDIATE").unwrap();
    let locked_at = Instant::now();
    let sent_at_lock = server.requests().len();
    while locked_at.elapsed() < Duration::from_secs(30) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("smsdesk run exited while the store was locked: {status}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let during = server.requests().len() - sent_at_lock;
    assert!(
        during <= 8,
        "only what was already claimed may leave during the lock (8 in flight), {during} did"
    );
    locker.conn().execute_batch("ROLLBACK").unwrap();
    drop(locker);
    wait_until_no_pending(&db, Duration::from_secs(120));
    terminate(child);
    let counts = submissions(&server);
    assert_eq!(
        counts.len(),
        2000,
        "every message left once the lock was gone"
    );
    assert!(
        counts.values().all(|n| *n == 1),
        "a message was submitted twice"
    );
    assert_consistent(&db, &counts);
    let statuses = count_status(&db);
    // On failure, say why each message that is not `submitted` ended where it did.
    let why: Vec<(i64, String, String)> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT m.id, m.status, COALESCE((SELECT h.detail FROM message_status_history h
                  WHERE h.message_id = m.id ORDER BY h.id DESC LIMIT 1), '')
                 FROM messages m WHERE m.status != 'submitted' LIMIT 10",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        statuses.get("submitted"),
        Some(&2000),
        "{statuses:?}: {why:?}"
    );
    let log = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".log"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(log.contains("store busy since"), "the log says it: {log}");
}
