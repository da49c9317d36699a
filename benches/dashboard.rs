//! The dashboard and the first frame on the 10⁶-message store (issue 15). Goals: the refresh
//! the tick runs ≤ 5 ms, an idle TUI < 1 % of a core, TUI start → first frame ≤ 40 ms.
//!
//! What is measured is what the binary runs: [`App::on_tick`] (the 2-second tick) with
//! nothing written since the last tick, with one message sent since (written by another
//! connection, as the scheduler's thread writes), and with only the minute changed; the idle
//! cost per tick over ten simulated minutes of ticks at the real period, the scheduler's
//! heartbeat written every 5 s meanwhile, as % of a core; and [`smsdesk::tui::prepare`] (open
//! the store, identify the operator, build the app) followed by the first frame on an 80×24
//! `TestBackend`, beside a minimal ratatui frame on the same backend (the limit).
//!
//! The bench writes a few messages into the store it is given: run it on your own copy
//! (`SMSDESK_BENCH_DB=/work/bench/million-<name>.db`).

use chrono::{DateTime, Duration, Offset, Utc};
use criterion::{BatchSize, Criterion};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::{Block, Borders, Paragraph};
use smsdesk::clock::Clock;
use smsdesk::config::UserConfig;
use smsdesk::sms::encoding::Encoding;
use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::store::messages::{self, NewMessage};
use smsdesk::store::settings::Settings;
use smsdesk::store::{Store, credit, lease, stats};
use smsdesk::tui::App;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

mod support;

/// CPU time of the calling thread (the UI thread's cost, not the machine's), in seconds.
fn thread_cpu() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

fn start(path: &Path, clock: &Clock) -> App {
    smsdesk::tui::prepare(path, "admin", clock.clone(), &UserConfig::default(), None)
        .expect("the TUI starts")
}

fn first_frame(path: &Path, clock: &Clock) -> Terminal<TestBackend> {
    let mut app = start(path, clock);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
    terminal.draw(|f| app.draw(f)).expect("draw");
    terminal
}

fn minimal_frame() -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
    terminal
        .draw(|f| {
            f.render_widget(
                Paragraph::new("smsdesk").block(Block::default().borders(Borders::ALL)),
                f.area(),
            )
        })
        .expect("draw");
    terminal
}

/// One message sent, as the scheduler records it: queued, claimed, submitted and charged.
fn send_one(writer: &Store, at: DateTime<Utc>) {
    let conn = writer.conn();
    let id = messages::insert(
        conn,
        &NewMessage {
            kind: MessageKind::Instant,
            context: "free".into(),
            participant_id: None,
            event_id: None,
            batch_id: None,
            template_id: None,
            automation_id: None,
            collaborator_id: None,
            phone: "+33612345678".into(),
            recipient_name: "Bench".into(),
            text: "Bonjour".into(),
            manual_edit: false,
            encoding: Encoding::Gsm7,
            chars: 7,
            segments: 1,
            sender: "SMSDESK".into(),
            expects_reply: false,
            campaign: false,
            created_by: "admin".into(),
            created_at: at,
            planned_at: at,
            deadline: at + Duration::hours(24),
        },
    )
    .expect("insert");
    for s in [MessageStatus::Sending, MessageStatus::Submitted] {
        messages::transition(conn.into(), id, s, at, "scheduler", None).expect("transition");
    }
    credit::charge_message(conn, id, 1, at).expect("charge");
}

/// Median of `runs` timings of `f`, in ms.
fn median_ms(runs: usize, mut f: impl FnMut() -> f64) -> f64 {
    let mut v: Vec<f64> = (0..runs).map(|_| f()).collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn timed(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let path = support::million_store();
    let mut writer = Store::open(&path).expect("a second connection");
    // The minute after the history's last charge: the store's "now" (its generator's clock),
    // so that the month of consumption and the week of statuses are full.
    let last: i64 = writer
        .conn()
        .query_row("SELECT max(at) FROM credit_ledger", [], |r| r.get(0))
        .expect("a history");
    let at = DateTime::from_timestamp((last / 60 + 1) * 60, 0).expect("an instant");
    let clock = Clock::manual(at);
    let tick = smsdesk::tui::TICK.as_secs_f64();

    // Cold: the first start of the process, before anything loaded the phone rules' tables.
    let cold = timed(|| {
        black_box(first_frame(&path, &clock));
    });

    let mut app = start(&path, &clock);
    app.on_tick();

    let mut c = Criterion::default().configure_from_args();
    {
        let mut g = c.benchmark_group("dashboard");
        g.bench_function("tick_nothing_changed", |b| b.iter(|| app.on_tick()));
        let mut flip = false;
        g.bench_function("tick_minute_changed", |b| {
            b.iter(|| {
                // The minute alternates: every tick re-reads the whole dashboard.
                flip = !flip;
                clock.set(at + Duration::minutes(i64::from(flip)));
                app.on_tick()
            })
        });
        clock.set(at);
        g.bench_function("tick_one_message_sent_since", |b| {
            b.iter_batched(
                || send_one(&writer, clock.now()),
                |()| app.on_tick(),
                BatchSize::PerIteration,
            )
        });
        g.finish();
    }
    {
        let mut g = c.benchmark_group("first_frame");
        g.sample_size(20);
        g.bench_function("tui_start_to_first_frame_80x24", |b| {
            b.iter(|| first_frame(&path, &clock))
        });
        g.bench_function("limit_minimal_ratatui_frame_80x24", |b| {
            b.iter(minimal_frame)
        });
        g.finish();
    }

    // The figures for the README, in the same run: medians of our own timings.
    clock.set(at);
    app.on_tick();
    let nothing = median_ms(200, || {
        timed(|| {
            black_box(app.on_tick());
        })
    });
    let mut flip = false;
    let full = median_ms(50, || {
        flip = !flip;
        clock.set(at + Duration::minutes(i64::from(flip)));
        timed(|| {
            black_box(app.on_tick());
        })
    });
    clock.set(at);
    app.on_tick();
    let sent = median_ms(30, || {
        send_one(&writer, clock.now());
        timed(|| {
            black_box(app.on_tick());
        })
    });

    // Idle: ten minutes of ticks at the real period, the scheduler's heartbeat written every
    // 5 s by another connection (as in a TUI whose scheduler holds the lease), the frame drawn
    // whenever the tick says so. Only the UI thread's CPU time counts.
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
    let ticks = (600.0 / tick) as i64;
    let mut cpu = 0.0;
    let mut last_beat = at;
    for i in 0..ticks {
        let now = at + Duration::milliseconds((i as f64 * tick * 1000.0) as i64);
        if now - last_beat >= Duration::seconds(5) {
            writer
                .write(|tx| lease::acquire(tx, "bench", now, Duration::seconds(20)))
                .expect("heartbeat");
            last_beat = now;
        }
        clock.set(now);
        let t = thread_cpu();
        if app.on_tick() {
            terminal.draw(|f| app.draw(f)).expect("draw");
        }
        cpu += thread_cpu() - t;
    }
    let idle_share = cpu / (ticks as f64 * tick) * 100.0;

    let frame = median_ms(15, || {
        timed(|| {
            black_box(first_frame(&path, &clock));
        })
    });
    let limit = median_ms(200, || {
        timed(|| {
            black_box(minimal_frame());
        })
    });

    // What the full refresh is made of: each read the dashboard makes, alone.
    let db = writer.db();
    let tz = Settings::load(db).expect("settings").timezone;
    let offset = i64::from(at.with_timezone(&tz).offset().fix().local_minus_utc());
    let pricing = credit::pricing(db).expect("pricing");
    let parts: Vec<(&str, f64)> = vec![
        (
            "credit::summary (the ledger's sum: O(1) with the dispatch work)",
            median_ms(15, || timed(|| drop(black_box(credit::summary(db))))),
        ),
        (
            "credit::daily_consumption (30 days)",
            median_ms(30, || {
                timed(|| drop(black_box(credit::daily_consumption(db, at, 30, offset))))
            }),
        ),
        (
            "credit::consumption_value (30 days)",
            median_ms(30, || {
                timed(|| {
                    drop(black_box(credit::consumption_value(
                        db, &pricing, at, 30, offset,
                    )))
                })
            }),
        ),
        (
            "credit::pricing + credit::packs",
            median_ms(30, || {
                timed(|| {
                    drop(black_box(credit::pricing(db)));
                    drop(black_box(credit::packs(db)));
                })
            }),
        ),
        (
            "stats::queue",
            median_ms(30, || timed(|| drop(black_box(stats::queue(db, at))))),
        ),
        (
            "stats::by_status_since (7 days)",
            median_ms(30, || {
                timed(|| drop(black_box(stats::by_status_since(db, at, 7))))
            }),
        ),
        (
            "stats::unknown_messages (50 of them)",
            median_ms(30, || {
                timed(|| drop(black_box(stats::unknown_messages(db))))
            }),
        ),
        (
            "stats::started + lease + runtime facts",
            median_ms(30, || {
                timed(|| {
                    drop(black_box(stats::started(db)));
                    drop(black_box(lease::current(db)));
                    drop(black_box(stats::runtime(db, "provider.health")));
                })
            }),
        ),
        (
            "Settings::load (the tick's organisation settings)",
            median_ms(30, || timed(|| drop(black_box(Settings::load(db))))),
        ),
    ];
    let summary_ms = parts[0].1;
    // The same sum on a connection just opened, as at start (SQLite's page cache empty).
    let cold_summary = median_ms(9, || {
        let fresh = Store::open(&path).expect("store");
        timed(|| drop(black_box(credit::summary(fresh.db()))))
    });

    eprintln!();
    eprintln!("what a full refresh reads, each alone (ms):");
    for (name, ms) in &parts {
        eprintln!("  {ms:8.3}  {name}");
    }
    eprintln!("dashboard refresh (App::on_tick), 10⁶ store, goal ≤ 5 ms:");
    eprintln!("  nothing changed since the last tick   {nothing:8.3} ms");
    eprintln!("  one message sent since (other conn.)  {sent:8.3} ms");
    eprintln!("  minute changed, nothing written       {full:8.3} ms");
    eprintln!(
        "  the same without credit::summary      {:8.3} ms (one message sent) · {:8.3} ms \
         (minute changed)",
        sent - summary_ms,
        full - summary_ms
    );
    eprintln!(
        "idle TUI, UI thread, {ticks} ticks of {tick:.0} s with a heartbeat every 5 s: \
         {:.3} ms per tick = {idle_share:.3} % of a core (goal < 1 %)",
        cpu / ticks as f64 * 1e3
    );
    eprintln!(
        "TUI start → first frame 80×24: {frame:.2} ms (first in the process: {cold:.2} ms) · \
         limit, minimal ratatui frame: {limit:.4} ms · ratio {:.0} (goal ≤ 40 ms)",
        frame / limit
    );
    eprintln!(
        "  of which credit::summary on the connection just opened: {cold_summary:.2} ms \
         (start → first frame without it: {:.2} ms)",
        frame - cold_summary
    );
    c.final_summary();
}
