//! Dispatch throughput (issue 15): the scheduler sending 2,000 queued messages to a loopback
//! provider that speaks Kannel's sendsms protocol (HTTP on 127.0.0.1), 8 messages in flight —
//! on a fresh store and on a writable copy of the 10⁶-message store — beside its limit, a plain
//! HTTP client loop (ureq, 8 threads) sending the same 2,000 sendsms requests to the same
//! server. Goal: ≥ 2,500 msg/s on the 10⁶ store, within 5 % of the fresh store.
//!
//! Each timed run starts a scheduler on a store where the 2,000 messages are queued (not timed)
//! and ends when none is pending or sending any more. After the criterion output, the medians
//! and their ratios are printed (and written to `target/tmp/dispatch-figures.txt`).

mod support;

use chrono::Utc;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use smsdesk::clock::Clock;
use smsdesk::core::Actor;
use smsdesk::core::send::{self, FreeSend};
use smsdesk::gateway::{OutgoingSms, ProviderConfig, kannel::Kannel};
use smsdesk::scheduler::{self, Options};
use smsdesk::store::{Store, credit, settings};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const MESSAGES: usize = 2_000;
const IN_FLIGHT: usize = 8;
const TEXT: &str = "Information : atelier CV jeudi 14h";

/// A sendsms endpoint answering at once, on its own threads.
fn loopback_sendsms() -> String {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
    let addr = server.server_addr().to_ip().expect("ip");
    for _ in 0..IN_FLIGHT {
        let server = server.clone();
        std::thread::spawn(move || {
            for rq in server.incoming_requests() {
                let _ = rq.respond(
                    tiny_http::Response::from_string("0: Accepted for delivery")
                        .with_status_code(202),
                );
            }
        });
    }
    format!("http://{addr}/cgi-bin/sendsms")
}

fn provider(url: &str) -> serde_json::Value {
    serde_json::json!({"kind": "kannel", "sendsms_url": url, "username": "u", "password": "p", "callback_listen": "127.0.0.1:0"})
}

fn number(i: usize) -> String {
    format!("+336{:08}", 10_000_000 + i)
}

/// Sets the store up for sending to the loopback server at any hour, with credit to spare.
fn configure(store: &mut Store, url: &str) {
    let now = Utc::now();
    Actor::identify(store, "admin", now).expect("admin");
    for (k, v) in [
        ("grace_seconds", "0".to_string()),
        ("window", "00:00-23:59".into()),
        ("window_days", "mon-sun".into()),
        ("max_in_flight", IN_FLIGHT.to_string()),
        ("rate_per_second", "0".into()),
        ("provider", provider(url).to_string()),
    ] {
        settings::set(store.db(), k, &v, "admin", now).expect("setting");
    }
    credit::add_pack(
        store.db(),
        10_000_000,
        "bench",
        now.date_naive(),
        "admin",
        now,
    )
    .expect("pack");
}

/// Queues the 2,000 messages (due now); returns the first one's id.
fn queue(db: &Path) -> i64 {
    let now = Utc::now();
    let mut store = Store::open(db).expect("store");
    let admin = Actor::identify(&mut store, "admin", now).expect("admin");
    let (_, ids) = send::queue_free(
        &mut store,
        &admin,
        &FreeSend {
            text: TEXT.into(),
            numbers: (0..MESSAGES).map(number).collect(),
            at: None,
            campaign: false,
            source: "bench".into(),
        },
        now,
    )
    .expect("queue");
    assert_eq!(ids.len(), MESSAGES, "every message queued");
    ids.into_iter().min().expect("queued")
}

/// How many of the messages from `first` on are still pending or sending.
fn left(conn: &rusqlite::Connection, first: i64) -> i64 {
    conn.prepare_cached(
        "SELECT count(*) FROM messages WHERE id >= ?1 AND status IN ('pending','sending')",
    )
    .expect("prepare")
    .query_row([first], |r| r.get(0))
    .expect("count")
}

/// Runs a scheduler on `db` until the messages from `first` on have all left: the time taken.
fn send_all(db: &Path, first: i64) -> Duration {
    let watch = rusqlite::Connection::open(db).expect("watch");
    let start = Instant::now();
    let handle = scheduler::spawn(Options::new(db.to_path_buf(), Clock::system()), None);
    while left(&watch, first) > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the messages never left"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = start.elapsed();
    handle.stop().expect("stop");
    took
}

/// Lets a scheduler do on the copy what a running one would have done already (expire what
/// was pending when the history was generated): the timed runs then only send their own.
fn settle(db: &Path) {
    let watch = rusqlite::Connection::open(db).expect("watch");
    let due = || -> i64 {
        watch
            .query_row(
                "SELECT count(*) FROM messages WHERE status IN ('pending','sending')
                   AND next_attempt_at <= ?1",
                [Utc::now().timestamp()],
                |r| r.get(0),
            )
            .expect("count")
    };
    let handle = scheduler::spawn(Options::new(db.to_path_buf(), Clock::system()), None);
    let start = Instant::now();
    while due() > 0 && start.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(50));
    }
    handle.stop().expect("stop");
}

/// The limit: the same 2,000 sendsms requests the scheduler makes, sent by 8 threads sharing
/// one ureq agent, each taking the next request until none is left.
fn plain_client(urls: &Arc<Vec<String>>) -> Duration {
    let agent = ureq::Agent::new_with_defaults();
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (agent, next, urls) = (agent.clone(), next.clone(), urls.clone());
            std::thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(url) = urls.get(i) else { break };
                    let mut answer = agent.get(url).call().expect("request");
                    let body = answer.body_mut().read_to_string().expect("body");
                    assert!(body.starts_with("0:"), "accepted");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    start.elapsed()
}

/// The sendsms URLs the scheduler's Kannel provider builds for the 2,000 messages.
fn sendsms_urls(url: &str) -> Arc<Vec<String>> {
    let cfg: ProviderConfig = serde_json::from_value(provider(url)).expect("config");
    let ProviderConfig::Kannel(cfg) = cfg else {
        panic!("not a Kannel configuration: {cfg:?}")
    };
    let kannel = Kannel::new(&cfg, Duration::from_secs(10)).expect("kannel");
    Arc::new(
        (0..MESSAGES)
            .map(|i| {
                kannel.sendsms_request_url(&OutgoingSms {
                    reference: format!("m{}", 1_000_000 + i),
                    to_e164: number(i),
                    from: "MISSION".into(),
                    text: TEXT.into(),
                    ucs2: false,
                    segments: 1,
                    expects_reply: false,
                })
            })
            .collect(),
    )
}

/// Messages per second of each timed run, by bench.
#[derive(Default)]
struct Figures(Vec<(&'static str, Vec<f64>)>);

impl Figures {
    fn add(&mut self, name: &'static str, took: Duration) {
        let rate = MESSAGES as f64 / took.as_secs_f64();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, rates)) => rates.push(rate),
            None => self.0.push((name, vec![rate])),
        }
    }

    fn median(&self, name: &str) -> f64 {
        let Some((_, rates)) = self.0.iter().find(|(n, _)| *n == name) else {
            return f64::NAN;
        };
        let mut rates = rates.clone();
        rates.sort_by(f64::total_cmp);
        rates[rates.len() / 2]
    }
}

fn dispatch(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = loopback_sendsms();
    let urls = sendsms_urls(&url);
    let figures = RefCell::new(Figures::default());

    // The 10⁶ copy, made once per run, settled, then queued into before each timed run.
    eprintln!("copying the 10⁶-message store …");
    let million = support::writable_copy(dir.path());
    {
        let mut store = Store::open(&million).expect("million store");
        configure(&mut store, &url);
    }
    settle(&million);

    let mut group = c.benchmark_group("dispatch");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("limit: plain HTTP client, 8 threads, same requests", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let took = plain_client(&urls);
                figures.borrow_mut().add("limit", took);
                total += took;
            }
            total
        })
    });
    group.bench_function("fresh store, 2000 messages, 8 in flight", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let db: PathBuf = dir
                    .path()
                    .join(format!("fresh{}.db", Utc::now().timestamp_micros()));
                let mut store = Store::open(&db).expect("fresh store");
                configure(&mut store, &url);
                drop(store);
                let first = queue(&db);
                let took = send_all(&db, first);
                figures.borrow_mut().add("fresh", took);
                total += took;
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
                }
            }
            total
        })
    });
    group.bench_function("10⁶ store, 2000 messages, 8 in flight", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let first = queue(&million);
                let took = send_all(&million, first);
                figures.borrow_mut().add("million", took);
                total += took;
            }
            total
        })
    });
    group.finish();

    let f = figures.borrow();
    let (limit, fresh, big) = (f.median("limit"), f.median("fresh"), f.median("million"));
    let report = format!(
        "dispatch medians, msg/s (2,000 messages, 8 in flight, loopback Kannel sendsms):\n\
         \x20 limit (plain ureq loop, 8 threads): {limit:.0}\n\
         \x20 fresh store:  {fresh:.0}  (limit / fresh = {:.2})\n\
         \x20 10⁶ store:    {big:.0}  (limit / 10⁶ = {:.2}; 10⁶ / fresh = {:.3})\n",
        limit / fresh,
        limit / big,
        big / fresh,
    );
    eprint!("{report}");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dispatch-figures.txt");
    let _ = std::fs::write(out, report);
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
