//! The Kannel callback listener as the scheduler runs it, over raw TCP on 127.0.0.1: a report
//! or reply is answered 200 only once it is in the store, 503 when it cannot be stored; slow
//! clients and `Expect: 100-continue` never delay a real report; oversized requests are refused
//! without growing the process; a wrong key is refused before any body is read; a callback
//! port already taken stops `smsdesk run` with the reason and shows on the dashboard.

mod tui_fixture;

use chrono::Utc;
use smsdesk::clock::Clock;
use smsdesk::core::Actor;
use smsdesk::core::send::{self, FreeSend};
use smsdesk::i18n::Lang;
use smsdesk::scheduler::{self, Options};
use smsdesk::sms::status::MessageStatus;
use smsdesk::store::{Store, credit, messages, participants, settings};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "Kb7-listener_secret.01";

struct Setup {
    _dir: tempfile::TempDir,
    db: PathBuf,
    port: u16,
    /// Messages in `submitted`, waiting for their reports.
    ids: Vec<i64>,
    phones: Vec<String>,
}

/// A port nobody listens on (bound then released: the scheduler binds it next).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A store whose provider is Kannel with its callback listener on `port`, and `n` messages
/// already submitted to Kannel.
fn setup_on(port: u16, n: usize, secret: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let now = Utc::now();
    let mut store = Store::open(&db).unwrap();
    let admin = Actor::identify(&mut store, "admin", now).unwrap();
    let provider = serde_json::json!({
        "kind": "kannel",
        // Never called: every message is already at Kannel.
        "sendsms_url": "http://127.0.0.1:9/cgi-bin/sendsms",
        "username": "tester",
        "password": "secret",
        "callback_listen": format!("127.0.0.1:{port}"),
        "callback_secret": secret,
    });
    settings::set(
        store.conn(),
        "provider",
        &provider.to_string(),
        "admin",
        now,
    )
    .unwrap();
    credit::add_pack(store.conn(), 1000, "test", now.date_naive(), "admin", now).unwrap();
    let phones: Vec<String> = (0..n).map(|i| format!("+3361234{:04}", 1000 + i)).collect();
    let (_, ids) = send::queue_free(
        &mut store,
        &admin,
        &FreeSend {
            text: "Information : réunion lundi 9h".into(),
            numbers: phones.clone(),
            at: None,
            campaign: false,
            source: "test".into(),
        },
        now,
    )
    .unwrap();
    for &id in &ids {
        for s in [MessageStatus::Sending, MessageStatus::Submitted] {
            messages::transition(store.db(), id, s, now, "test", None).unwrap();
        }
    }
    Setup {
        _dir: dir,
        db,
        port,
        ids,
        phones,
    }
}

fn setup(n: usize, secret: &str) -> Setup {
    setup_on(free_port(), n, secret)
}

fn scheduler_on(db: &Path) -> scheduler::Handle {
    scheduler::spawn(Options::new(db.to_path_buf(), Clock::system()), None)
}

/// Waits until something accepts connections on `port`.
fn wait_listening(port: u16) {
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends `request` as it is and reads the whole answer (the listener closes after it).
fn exchange(port: u16, request: &[u8]) -> String {
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn get(port: u16, target: &str) -> String {
    exchange(
        port,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

fn dlr(id: i64, code: u32, secret: &str) -> String {
    let mut t = format!("/dlr?ref=m{id}&status={code}&answer=&ts=1772442000");
    if !secret.is_empty() {
        t.push_str(&format!("&key={secret}"));
    }
    t
}

/// A plain read-only connection: it reads what is committed now, without waiting for locks.
fn reader(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn status(db: &Path, id: i64) -> MessageStatus {
    messages::status_of((&reader(db)).into(), id).unwrap()
}

fn history_len(db: &Path, id: i64) -> i64 {
    reader(db)
        .query_row(
            "SELECT count(*) FROM message_status_history WHERE message_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

/// Holds the store's write lock from another connection for `d`, as another process would.
fn lock_store_for(db: &Path, d: Duration) -> std::thread::JoinHandle<()> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(d);
        conn.execute_batch("COMMIT").unwrap();
    })
}

#[test]
fn slow_and_expect_continue_clients_do_not_delay_a_delivery_report() {
    let s = setup(1, "");
    let _h = scheduler_on(&s.db);
    wait_listening(s.port);
    let mut held = Vec::new();
    for i in 0..50 {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        let part = if i % 2 == 0 {
            // Half a request line, the rest never comes.
            "GET /dlr?ref=m999999&sta".to_string()
        } else {
            // A body announced, awaited with Expect, never sent.
            "POST /dlr?ref=m999999&status=1 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n".to_string()
        };
        c.write_all(part.as_bytes()).unwrap();
        held.push(c);
    }
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let answer = get(s.port, &dlr(s.ids[0], 1, ""));
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The bound is 1 s; the margin is for a loaded machine (the old listener took 5 s or more).
    assert!(
        took < Duration::from_secs(3),
        "a real report waited {took:?} behind slow clients"
    );
    assert_eq!(status(&s.db, s.ids[0]), MessageStatus::Delivered);
    drop(held);
}

#[test]
fn a_report_or_reply_answered_200_is_already_in_the_store() {
    let s = setup(2, "");
    let _h = scheduler_on(&s.db);
    wait_listening(s.port);
    // Another process holds the store for a moment: the answer must wait for the commit.
    let unlock = lock_store_for(&s.db, Duration::from_millis(1500));
    let answer = get(s.port, &dlr(s.ids[0], 1, ""));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(
        status(&s.db, s.ids[0]),
        MessageStatus::Delivered,
        "answered 200 before the report was stored"
    );
    unlock.join().unwrap();

    let unlock = lock_store_for(&s.db, Duration::from_millis(1500));
    let from = s.phones[1].trim_start_matches('+');
    let answer = get(
        s.port,
        &format!("/mo?from={from}&to=36180&text=STOP&time=1772442000&id=mo-41"),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        participants::is_opted_out((&reader(&s.db)).into(), &s.phones[1]).unwrap(),
        "answered 200 before the STOP was stored"
    );
    unlock.join().unwrap();
}

#[test]
fn a_report_that_cannot_be_stored_gets_503_and_is_taken_when_kannel_retries() {
    let s = setup(1, "");
    let id = s.ids[0];
    let _h = scheduler_on(&s.db);
    wait_listening(s.port);
    // Storing this message's next status fails, as on a full disk.
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    conn.execute_batch(&format!(
        "CREATE TRIGGER test_refuse BEFORE INSERT ON message_status_history
         WHEN NEW.message_id = {id} BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END"
    ))
    .unwrap();
    let answer = get(s.port, &dlr(id, 1, ""));
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert_eq!(status(&s.db, id), MessageStatus::Submitted);

    // The disk has room again; Kannel retries.
    conn.execute_batch("DROP TRIGGER test_refuse").unwrap();
    let answer = get(s.port, &dlr(id, 1, ""));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(status(&s.db, id), MessageStatus::Delivered);
    let history = history_len(&s.db, id);
    // The same report again (Kannel retried one we answered): 200, nothing changes.
    let answer = get(s.port, &dlr(id, 1, ""));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(history_len(&s.db, id), history);
    assert_eq!(status(&s.db, id), MessageStatus::Delivered);
    // A reply received twice: 200 both times, recorded once.
    for _ in 0..2 {
        let answer = get(
            s.port,
            "/mo?from=33612349999&to=36180&text=Bonjour&time=1772442000&id=mo-dup",
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let replies: i64 = conn
        .query_row(
            "SELECT count(*) FROM replies WHERE provider_id = 'mo-dup'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(replies, 1);
}

#[test]
fn a_wrong_key_is_refused_before_the_body_is_read() {
    let s = setup(1, SECRET);
    let _h = scheduler_on(&s.db);
    wait_listening(s.port);
    // With Expect, without (a small body was read before the key by the old listener), large.
    for (expect, length) in [("Expect: 100-continue\r\n", 500), ("", 500), ("", 60000)] {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        // The body is announced and never sent: only an answer without reading it can come.
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: x\r\n{expect}Content-Length: {length}\r\n\r\n",
            dlr(s.ids[0], 1, "wrong-key-of-22-chars-")
        );
        c.write_all(head.as_bytes()).unwrap();
        let mut first = [0u8; 12];
        c.read_exact(&mut first)
            .unwrap_or_else(|e| panic!("no answer without the body ({expect:?} {length}): {e}"));
        assert_eq!(&first, b"HTTP/1.1 403", "{expect:?} {length}");
    }
    assert_eq!(status(&s.db, s.ids[0]), MessageStatus::Submitted);
    // The right key is accepted.
    let answer = get(s.port, &dlr(s.ids[0], 1, SECRET));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(status(&s.db, s.ids[0]), MessageStatus::Delivered);
}

fn spawn_run(db: &Path, stderr: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["--db", db.to_str().unwrap(), "--user", "admin", "run"])
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start smsdesk run")
}

/// Peak resident memory of a process, in kB.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

fn stop_child(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let until = Instant::now() + Duration::from_secs(30);
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > until {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.wait();
}

#[test]
fn oversized_requests_are_refused_and_smsdesk_run_stays_small() {
    let s = setup(1, "");
    let child = spawn_run(&s.db, Stdio::null());
    let pid = child.id();
    wait_listening(s.port);

    // A 200 MB request line, streamed.
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut w = c.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 64 * 1024];
        if w.write_all(b"GET /dlr?ref=m1&pad=").is_err() {
            return;
        }
        for _ in 0..(200 * 16) {
            if w.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = w.write_all(b" HTTP/1.1\r\n\r\n");
    });
    let mut answer = Vec::new();
    let _ = c.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    drop(c);
    writer.join().unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "200 MB request line: {answer:?}"
    );

    // Headers over 8 KiB.
    let headers =
        "X-Pad: 0123456789012345678901234567890123456789012345678901234567890123456789\r\n"
            .repeat(150);
    let answer = exchange(
        s.port,
        format!("GET /dlr?ref=m1&status=1 HTTP/1.1\r\n{headers}\r\n").as_bytes(),
    );
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "8 KiB of headers: {answer:?}"
    );
    // A body over 64 KiB, announced (nothing sent) or chunked.
    let answer = exchange(
        s.port,
        b"POST /dlr?ref=m1&status=1 HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "10 MB body: {answer:?}");
    let chunk = format!("4000\r\n{}\r\n", "b".repeat(0x4000));
    let answer = exchange(
        s.port,
        format!(
            "POST /dlr?ref=m1&status=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{}0\r\n\r\n",
            chunk.repeat(5)
        )
        .as_bytes(),
    );
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "80 KiB chunked body: {answer:?}"
    );

    // Still serving real reports.
    let answer = get(s.port, &dlr(s.ids[0], 1, ""));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(status(&s.db, s.ids[0]), MessageStatus::Delivered);
    let peak = peak_rss_kb(pid);
    stop_child(child);
    assert!(
        peak < 50 * 1024,
        "smsdesk run grew to {} MB reading oversized requests",
        peak / 1024
    );
}

#[test]
fn smsdesk_run_exits_1_when_its_callback_port_is_taken() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let s = setup_on(port, 1, "");
    let mut child = spawn_run(&s.db, Stdio::piped());
    let until = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("smsdesk run kept running without its callback listener");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(code, Some(1), "{err}");
    let last = err.lines().last().unwrap_or("");
    assert!(
        last.contains(&format!("127.0.0.1:{port}")) && last.contains("in use"),
        "one line naming the address and the reason: {err}"
    );
    drop(taken);
}

#[test]
fn inside_the_tui_a_taken_callback_port_shows_on_the_dashboard() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let s = setup_on(port, 1, "");
    let h = scheduler_on(&s.db);
    let until = Instant::now() + Duration::from_secs(20);
    let error = loop {
        let store = Store::open(&s.db).unwrap();
        let value = smsdesk::store::stats::runtime(store.db(), "listener.error").unwrap();
        if let Some((v, _)) = value.filter(|(v, _)| !v.is_empty()) {
            break v;
        }
        assert!(
            Instant::now() < until,
            "the listener's failure was never recorded"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    h.stop().unwrap();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    for (lang, label) in [(Lang::En, "Kannel callbacks"), (Lang::Fr, "Retours Kannel")] {
        let mut app = tui_fixture::app(Store::open(&s.db).unwrap(), lang);
        tui_fixture::press(&mut app, "1");
        let screen = tui_fixture::render(&mut app, 80, 24);
        let line = screen
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("no {label:?} line:\n{screen}"));
        assert!(line.contains(&format!("127.0.0.1:{port}")), "{screen}");
        assert!(line.contains('✖'), "{screen}");
    }
    drop(taken);
}
