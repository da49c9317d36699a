//! The Sent list on a store of a million messages. Budgets (issue 6): first page ≤ 50 ms,
//! filter change ≤ 150 ms, page down ≤ 5 ms. Issue 15: any Sent / Upcoming filter ≤ 50 ms,
//! words that match nothing included, each measured beside its limit (the same statement run
//! by SQLite alone, through rusqlite), and the share of the store the word index takes. The
//! export of the list is measured by `benches/export.rs`.
//!
//! The store is generated on the first run and reused by the next ones (see `support`).

use criterion::Criterion;
use smsdesk::sms::status::MessageStatus;
use smsdesk::store::Store;
use smsdesk::store::messages::{self, Cursor, ListKind, MessageFilter};
use smsdesk::store::page::Page;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::types::Value;

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
            messages::page(conn.into(), ListKind::Sent, &all, Page::forward(None, 50))
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
                Page::forward(None, 50),
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
                Page::forward(None, 50),
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
                Page::forward(None, 50),
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
                Page::forward(None, 50),
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
            Page::forward(cursor.as_ref(), 500),
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
                Page::forward(black_box(cursor.as_ref()), 50),
            )
            .expect("page")
        })
    });
    group.bench_function("page_down_filtered_50", |b| {
        let first = messages::page(
            conn.into(),
            ListKind::Sent,
            &status_only,
            Page::forward(None, 50),
        )
        .expect("page");
        let after = first.last().map(|m| ListKind::Sent.cursor_of(m));
        b.iter(|| {
            messages::page(
                conn.into(),
                ListKind::Sent,
                &status_only,
                Page::forward(black_box(after.as_ref()), 50),
            )
            .expect("page")
        })
    });
    group.finish();
}

/// One filter of the Sent / Upcoming benches.
struct FilterCase {
    name: &'static str,
    kind: ListKind,
    filter: MessageFilter,
}

fn filter_cases(conn: &rusqlite::Connection) -> Vec<FilterCase> {
    // A real recipient's number, typed as the list shows it (`06 12 34 56 78`): a rare search.
    let phone: String = conn
        .query_row(
            "SELECT phone FROM messages WHERE listed_at IS NOT NULL AND phone LIKE '+336%' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a number");
    let shown = smsdesk::sms::phone::format_national(&phone);
    let text = |t: &str| MessageFilter {
        text: Some(t.to_string()),
        ..Default::default()
    };
    let with_status = |t: &str| MessageFilter {
        statuses: vec![MessageStatus::NotDelivered, MessageStatus::Failed],
        text: Some(t.to_string()),
        ..Default::default()
    };
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let shown: &'static str = leak(shown);
    vec![
        FilterCase {
            name: "sent_rare_number",
            kind: ListKind::Sent,
            filter: text(shown),
        },
        FilterCase {
            name: "sent_rare_words",
            kind: ListKind::Sent,
            filter: text("gwenaelle attestation"),
        },
        FilterCase {
            name: "sent_medium_zoe",
            kind: ListKind::Sent,
            filter: text("zoe"),
        },
        FilterCase {
            name: "sent_frequent_bonjour",
            kind: ListKind::Sent,
            filter: text("bonjour"),
        },
        FilterCase {
            name: "sent_no_match",
            kind: ListKind::Sent,
            filter: text("zwxq"),
        },
        FilterCase {
            name: "sent_status_rare_number",
            kind: ListKind::Sent,
            filter: with_status(shown),
        },
        FilterCase {
            name: "sent_status_frequent_bonjour",
            kind: ListKind::Sent,
            filter: with_status("bonjour"),
        },
        FilterCase {
            name: "sent_status_no_match",
            kind: ListKind::Sent,
            filter: with_status("zwxq"),
        },
        FilterCase {
            name: "upcoming_frequent_bonjour",
            kind: ListKind::Upcoming,
            filter: text("bonjour"),
        },
        FilterCase {
            name: "upcoming_no_match",
            kind: ListKind::Upcoming,
            filter: text("zwxq"),
        },
    ]
}

/// The limit program: `sql` run by SQLite alone (prepared once, every column read).
fn run_sql(conn: &rusqlite::Connection, sql: &str, args: &[Value]) -> usize {
    let mut stmt = conn.prepare_cached(sql).expect("prepare");
    let n = stmt.column_count();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(args.iter()))
        .expect("query");
    let mut count = 0;
    while let Some(r) = rows.next().expect("row") {
        for i in 0..n {
            black_box(r.get_ref(i).expect("column"));
        }
        count += 1;
    }
    count
}

/// Median of `n` timings of `f`, in milliseconds.
fn median_ms(n: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[n / 2]
}

/// Sent / Upcoming filters: the first page of 50 and the count, each beside the same statement
/// run by SQLite alone; then a table of both figures and their ratio (medians of a few runs),
/// and the word index's share of the store.
fn filters(c: &mut Criterion, path: &Path, table: bool) {
    let store = Store::open(path).expect("store");
    let conn = store.conn();
    let cases = filter_cases(conn);
    let mut group = c.benchmark_group("filters");
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(20);
    for case in &cases {
        let (sql, args) = messages::page_sql(
            conn.into(),
            case.kind,
            &case.filter,
            Page::forward(None, 50),
        )
        .expect("sql");
        group.bench_function(format!("{}/page_50", case.name), |b| {
            b.iter(|| {
                messages::page(
                    conn.into(),
                    case.kind,
                    black_box(&case.filter),
                    Page::forward(None, 50),
                )
                .expect("page")
            })
        });
        group.bench_function(format!("{}/page_50_sqlite", case.name), |b| {
            b.iter(|| run_sql(conn, black_box(&sql), &args))
        });
    }
    group.finish();
    // Counts read every match (up to a million): fewer samples.
    let mut group = c.benchmark_group("filters");
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(10);
    for case in cases.iter().filter(|c| c.kind == ListKind::Sent) {
        let (sql, args) = messages::count_sql(conn.into(), case.kind, &case.filter).expect("sql");
        group.bench_function(format!("{}/count", case.name), |b| {
            b.iter(|| {
                messages::count(conn.into(), case.kind, black_box(&case.filter)).expect("count")
            })
        });
        group.bench_function(format!("{}/count_sqlite", case.name), |b| {
            b.iter(|| run_sql(conn, black_box(&sql), &args))
        });
    }
    group.finish();
    if !table {
        return;
    }

    eprintln!(
        "\nfilter (first page of 50 | count)          smsdesk ms   SQLite alone ms   ratio   matches"
    );
    for case in &cases {
        let (sql, args) = messages::page_sql(
            conn.into(),
            case.kind,
            &case.filter,
            Page::forward(None, 50),
        )
        .expect("sql");
        let ours = median_ms(7, || {
            black_box(
                messages::page(
                    conn.into(),
                    case.kind,
                    &case.filter,
                    Page::forward(None, 50),
                )
                .expect("page"),
            );
        });
        let limit = median_ms(7, || {
            black_box(run_sql(conn, &sql, &args));
        });
        let n = messages::count(conn.into(), case.kind, &case.filter).expect("count");
        eprintln!(
            "{:<40} {ours:>10.2} {limit:>17.2} {:>7.2} {n:>9}",
            format!("{} page", case.name),
            ours / limit
        );
        let (sql, args) = messages::count_sql(conn.into(), case.kind, &case.filter).expect("sql");
        let ours = median_ms(3, || {
            black_box(messages::count(conn.into(), case.kind, &case.filter).expect("count"));
        });
        let limit = median_ms(3, || {
            black_box(run_sql(conn, &sql, &args));
        });
        eprintln!(
            "{:<40} {ours:>10.2} {limit:>17.2} {:>7.2}",
            format!("{} count", case.name),
            ours / limit
        );
    }
    // Before the word index: the substring scan the free text used to be (one run).
    let started = Instant::now();
    let scanned: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT m.id FROM messages m WHERE m.listed_at IS NOT NULL
               AND (m.recipient_name LIKE '%zwxq%' OR m.phone LIKE '%zwxq%' OR m.text LIKE '%zwxq%')
             ORDER BY m.listed_at DESC, m.id DESC LIMIT 50)",
            [],
            |r| r.get(0),
        )
        .expect("scan");
    eprintln!(
        "before (LIKE '%zwxq%' scan, Sent first page): {:.0} ms, {scanned} rows",
        started.elapsed().as_secs_f64() * 1e3
    );
    store_growth(conn);
}

/// The word index's share of the store (`dbstat`), and what the store would weigh without it.
fn store_growth(conn: &rusqlite::Connection) {
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("page size");
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("page count");
    let index: i64 = conn
        .query_row(
            "SELECT COALESCE(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'messages_search%'",
            [],
            |r| r.get(0),
        )
        .expect("dbstat");
    let total = page_size * pages;
    let without = total - index;
    eprintln!(
        "store: {:.0} MB with the word index, {:.0} MB without; the index {:.0} MB = +{:.1} %",
        total as f64 / 1e6,
        without as f64 / 1e6,
        index as f64 / 1e6,
        100.0 * index as f64 / without as f64
    );
}

fn main() {
    let path = support::million_store();
    let mut c = Criterion::default().configure_from_args();
    let args: Vec<String> = std::env::args().collect();
    let named: Vec<&String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    lists(&mut c, &path);
    // The table of figures beside their limits runs with the filter benches.
    let table = named.is_empty() || named.iter().any(|a| a.starts_with("filters"));
    filters(&mut c, &path, table && !args.iter().any(|a| a == "--list"));
    c.final_summary();
}
