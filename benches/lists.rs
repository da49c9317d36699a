//! The Sent list on a store of a million messages. Budgets (issue 6): first page ≤ 50 ms,
//! filter change ≤ 150 ms, page down ≤ 5 ms. The export of the list is measured by
//! `benches/export.rs`.
//!
//! The store is generated on the first run and reused by the next ones (see `support`).

use criterion::Criterion;
use smsdesk::sms::status::MessageStatus;
use smsdesk::store::Store;
use smsdesk::store::messages::{self, Cursor, Direction, ListKind, MessageFilter};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

mod support;

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

fn main() {
    let path = support::million_store();
    let mut c = Criterion::default().configure_from_args();
    lists(&mut c, &path);
    c.final_summary();
}
