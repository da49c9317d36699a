//! The Sent list on a store of a million messages. Budgets (issue 6): first page ≤ 50 ms,
//! filter change ≤ 150 ms, page down ≤ 5 ms, export of 10⁶ rows to .xlsx ≤ 30 s with ≤ 100 MB
//! resident.
//!
//! The store is generated on the first run and reused by the next ones (see `support`). The export is timed once,
//! outside criterion; its peak resident memory is read from `/proc/self/status` (VmHWM) after
//! resetting the peak, so the generation does not count.

use criterion::Criterion;
use smsdesk::io::export::{Format, export_messages};
use smsdesk::sms::status::MessageStatus;
use smsdesk::store::Store;
use smsdesk::store::messages::{self, Cursor, Direction, ListKind, MessageFilter};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

mod support;
use support::{current_rss_mb, peak_rss_mb, reset_peak};

fn lists(c: &mut Criterion, path: &Path) {
    let store = Store::open(path).expect("store");
    let conn = store.conn();
    let total =
        messages::count(conn.into(), ListKind::Sent, &MessageFilter::default()).expect("count");
    eprintln!("Sent list: {total} messages");

    let mut group = c.benchmark_group("sent_list");
    group.measurement_time(Duration::from_secs(5));

    let all = MessageFilter::default();
    group.bench_function("first_page_50", |b| {
        b.iter(|| {
            messages::page(
                conn.into(),
                ListKind::Sent,
                &all,
                None,
                Direction::Forward,
                50,
            )
            .expect("page")
        })
    });

    // Filter changes: what the list shows right after the operator applies a filter.
    let status_and_text = MessageFilter {
        statuses: vec![MessageStatus::NotDelivered, MessageStatus::Failed],
        text: Some("martin".into()),
        ..Default::default()
    };
    group.bench_function("filter_status_and_text", |b| {
        b.iter(|| {
            messages::page(
                conn.into(),
                ListKind::Sent,
                black_box(&status_and_text),
                None,
                Direction::Forward,
                50,
            )
            .expect("page")
        })
    });
    let status_only = MessageFilter {
        statuses: vec![MessageStatus::Expired],
        ..Default::default()
    };
    group.bench_function("filter_status", |b| {
        b.iter(|| {
            messages::page(
                conn.into(),
                ListKind::Sent,
                &status_only,
                None,
                Direction::Forward,
                50,
            )
            .expect("page")
        })
    });
    let text_only = MessageFilter {
        text: Some("Le Floch".into()),
        ..Default::default()
    };
    group.bench_function("filter_text", |b| {
        b.iter(|| {
            messages::page(
                conn.into(),
                ListKind::Sent,
                &text_only,
                None,
                Direction::Forward,
                50,
            )
            .expect("page")
        })
    });

    // The worst case: a search that matches nothing scans the whole list.
    let no_match = MessageFilter {
        text: Some("Zwxq".into()),
        ..Default::default()
    };
    group.bench_function("filter_text_no_match", |b| {
        b.iter(|| {
            messages::page(
                conn.into(),
                ListKind::Sent,
                &no_match,
                None,
                Direction::Forward,
                50,
            )
            .expect("page")
        })
    });
    group.bench_function("count_status_and_text", |b| {
        b.iter(|| messages::count(conn.into(), ListKind::Sent, &status_and_text).expect("count"))
    });

    // Page down from deep in the list (the 20,000th row): keyset paging costs the same there.
    let mut cursor: Option<Cursor> = None;
    for _ in 0..40 {
        let page = messages::page(
            conn.into(),
            ListKind::Sent,
            &all,
            cursor,
            Direction::Forward,
            500,
        )
        .expect("page");
        cursor = page.last().map(|m| ListKind::Sent.cursor_of(m));
    }
    group.bench_function("page_down_50", |b| {
        b.iter(|| {
            messages::page(
                conn.into(),
                ListKind::Sent,
                &all,
                black_box(cursor),
                Direction::Forward,
                50,
            )
            .expect("page")
        })
    });
    group.bench_function("page_down_filtered_50", |b| {
        let first = messages::page(
            conn.into(),
            ListKind::Sent,
            &status_only,
            None,
            Direction::Forward,
            50,
        )
        .expect("page");
        let after = first.last().map(|m| ListKind::Sent.cursor_of(m));
        b.iter(|| {
            messages::page(
                conn.into(),
                ListKind::Sent,
                &status_only,
                black_box(after),
                Direction::Forward,
                50,
            )
            .expect("page")
        })
    });
    group.finish();
}

/// Exports the whole Sent list once, reporting time and peak memory.
fn export_once(path: &Path) {
    let store = Store::open(path).expect("store");
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = out_dir.path().join("sent.xlsx");
    let reset = reset_peak();
    let before = current_rss_mb();
    let started = Instant::now();
    let rows = export_messages(
        store.db(),
        ListKind::Sent,
        &MessageFilter::default(),
        Format::Xlsx,
        &out,
        &mut |_| {},
    )
    .expect("export");
    let seconds = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "export_xlsx: {rows} rows in {seconds:.1} s, {:.0} MB file; resident memory before {:.0} MB, peak {:.0} MB{}",
        size as f64 / 1e6,
        before.unwrap_or(f64::NAN),
        peak_rss_mb().unwrap_or(f64::NAN),
        if reset {
            ""
        } else {
            " (peak not reset: includes the generation)"
        }
    );
    let started = Instant::now();
    let out = out_dir.path().join("sent.csv");
    let rows = export_messages(
        store.db(),
        ListKind::Sent,
        &MessageFilter::default(),
        Format::Csv,
        &out,
        &mut |_| {},
    )
    .expect("export");
    eprintln!(
        "export_csv: {rows} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let path = support::million_store();
    let mut c = Criterion::default().configure_from_args();
    lists(&mut c, &path);
    c.final_summary();
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench -- NAME` filters criterion; the export runs unless filtered out.
    let filtered = args
        .iter()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"export".contains(a.as_str()));
    if !filtered && !args.iter().any(|a| a == "--list") {
        export_once(&path);
    }
}
