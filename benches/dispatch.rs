//! Dispatch throughput: the scheduler sending a queue of messages to a loopback provider that
//! speaks Kannel's sendsms protocol (HTTP on 127.0.0.1), with 8 messages in flight.
//! Goal: ≥ 1,000 messages/s on 2 cores.

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smsdesk::clock::Clock;
use smsdesk::core::Actor;
use smsdesk::core::send::{self, FreeSend};
use smsdesk::scheduler::{self, Options};
use smsdesk::store::{Store, credit, settings};
use std::time::{Duration, Instant};

const MESSAGES: usize = 2_000;

/// A sendsms endpoint answering at once, on its own threads.
fn loopback_sendsms() -> String {
    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
    let addr = server.server_addr().to_ip().expect("ip");
    for _ in 0..8 {
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

fn queued_store(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    let db = dir.join(format!("b{}.db", Utc::now().timestamp_micros()));
    let now = Utc::now();
    let mut store = Store::open(&db).expect("store");
    let admin = Actor::identify(&mut store, "admin", now).expect("admin");
    let provider = serde_json::json!({"kind": "kannel", "sendsms_url": url, "username": "u", "password": "p", "callback_listen": "127.0.0.1:0"});
    for (k, v) in [
        ("grace_seconds", "0".to_string()),
        ("window", "00:00-23:59".into()),
        ("window_days", "mon-sun".into()),
        ("max_in_flight", "8".into()),
        ("provider", provider.to_string()),
    ] {
        settings::set(store.conn(), k, &v, "admin", now).expect("setting");
    }
    credit::add_pack(
        store.conn(),
        10_000_000,
        "bench",
        now.date_naive(),
        "admin",
        now,
    )
    .expect("pack");
    let numbers = (0..MESSAGES)
        .map(|i| format!("+336{:08}", 10_000_000 + i))
        .collect();
    send::queue_free(
        &mut store,
        &admin,
        &FreeSend {
            text: "Information : atelier CV jeudi 14h".into(),
            numbers,
            at: None,
            campaign: false,
            source: "bench".into(),
        },
        now,
    )
    .expect("queue");
    db
}

fn pending(db: &std::path::Path) -> i64 {
    Store::open(db)
        .expect("store")
        .conn()
        .query_row(
            "SELECT count(*) FROM messages WHERE status IN ('pending','sending')",
            [],
            |r| r.get(0),
        )
        .expect("count")
}

fn dispatch(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = loopback_sendsms();
    let mut group = c.benchmark_group("dispatch");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("2000 messages, 8 in flight, loopback HTTP", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let db = queued_store(dir.path(), &url);
                let start = Instant::now();
                let handle = scheduler::spawn(Options::new(db.clone(), Clock::system()), None);
                while pending(&db) > 0 {
                    std::thread::sleep(Duration::from_millis(5));
                }
                total += start.elapsed();
                handle.stop().expect("stop");
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
