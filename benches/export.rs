//! Export of the whole Sent list of the 10⁶-message store (issue 15), beside its limits in the
//! same run:
//! - csv: smsdesk's export vs SQLite (rusqlite) reading the same rows and columns by one
//!   statement, as the export does, and writing their values as they are to a file synced once
//!   at the end, as the export syncs the user's file (the same work a user's file needs, minus
//!   the export's own: local times, labels, costs, quoting) — goal ≤ 1.3×;
//! - xlsx: smsdesk's export vs rust_xlsxwriter alone (constant memory, same workbook settings)
//!   writing the same cells, read beforehand into memory — goal ≤ 1.5×.
//!
//! Criterion first measures each export beside its limit (`export/…`, ten samples each; skipped
//! with `--table-only`). Then the table: each figure is the best of `SMSDESK_EXPORT_RUNS` runs
//! (default 2), timed by hand with its peak memory; each export and its limit run in turn (the csv ones after a warm-up
//! read, so that both find the store's pages in the system's cache alike), and each pair's
//! ratio is printed as it is measured. Peak resident memory is read
//! from `/proc/self/status` after resetting the peak. `cargo bench --bench export -- csv` (or `xlsx`) runs one format.

use chrono::{NaiveDate, NaiveDateTime};
use criterion::{Criterion, SamplingMode};
use rust_xlsxwriter::{Format as XFormat, Workbook};
use smsdesk::i18n::Lang;
use smsdesk::io::export::{Format, export_messages, headers};
use smsdesk::store::Store;
use smsdesk::store::credit;
use smsdesk::store::messages::{self, ListKind, MessageFilter};
use smsdesk::store::settings::Settings;
use std::path::Path;
use std::time::{Duration, Instant};

mod support;
use support::{current_rss_mb, peak_rss_mb, reset_peak};

fn runs() -> usize {
    std::env::var("SMSDESK_EXPORT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
        .max(1)
}

/// Best time of `runs()` runs of `f` (its last result kept), and the peak resident memory
/// over them.
fn measure<T>(mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let reset = reset_peak();
    let before = current_rss_mb().unwrap_or(f64::NAN);
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..runs() {
        let started = Instant::now();
        out = Some(f());
        best = best.min(started.elapsed().as_secs_f64());
    }
    let peak = peak_rss_mb().unwrap_or(f64::NAN);
    if !reset {
        eprintln!("(peak not reset: includes what ran before)");
    }
    eprintln!("  resident before {before:.0} MB, peak {peak:.0} MB");
    (best, peak, out.expect("one run"))
}

/// One run of `f`: its time, the peak resident memory over it, its result.
fn measure_once<T>(f: impl FnOnce() -> T) -> (f64, f64, T) {
    reset_peak();
    let started = Instant::now();
    let out = f();
    let t = started.elapsed().as_secs_f64();
    (t, peak_rss_mb().unwrap_or(f64::NAN), out)
}

/// The best time of a program over several runs, its peak resident memory over them, and
/// its last result.
struct Best<T> {
    time: f64,
    peak: f64,
    out: T,
}

/// `runs()` turns of `export` then `limit`, each pair's times and ratio printed as measured:
/// the best of each, and the turns' ratios (`1.08 1.14 …`).
fn in_turn<A, B>(
    export_name: &str,
    mut export: impl FnMut() -> A,
    limit_name: &str,
    mut limit: impl FnMut() -> B,
) -> (Best<A>, Best<B>, String) {
    let mut best: (Option<Best<A>>, Option<Best<B>>) = (None, None);
    let mut ratios = Vec::new();
    for run in 1..=runs() {
        eprintln!("run {run}: {export_name}");
        let (t1, m1, a) = measure_once(&mut export);
        eprintln!("run {run}: {limit_name}");
        let (t2, m2, b) = measure_once(&mut limit);
        eprintln!("  export {t1:.2} s, limit {t2:.2} s: {:.2}", t1 / t2);
        ratios.push(format!("{:.2}", t1 / t2));
        best = (Some(keep(best.0, t1, m1, a)), Some(keep(best.1, t2, m2, b)));
    }
    match best {
        (Some(a), Some(b)) => (a, b, ratios.join(" ")),
        _ => panic!("at least one run"),
    }
}

/// `best` kept or replaced by a run of `time` (the peak memory the higher, the result the last).
fn keep<T>(best: Option<Best<T>>, time: f64, peak: f64, out: T) -> Best<T> {
    match best {
        Some(b) => Best {
            time: b.time.min(time),
            peak: b.peak.max(peak),
            out,
        },
        None => Best { time, peak, out },
    }
}

/// The rows an export wrote and its file's size; the file removed.
fn written(out: &Path, rows: u64) -> (u64, u64) {
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(out);
    (rows, size)
}

fn export(store: &Store, format: Format, out: &Path) -> u64 {
    export_messages(
        store.db(),
        ListKind::Sent,
        &MessageFilter::default(),
        format,
        out,
        &mut |_| {},
    )
    .expect("export")
}

/// What the csv export reads: the columns it writes, the charge of each message joined, in
/// the Sent list's order (the statement `messages::for_each_exported` runs for this list).
const EXPORTED: &str =
    "SELECT m.id, m.context, m.status, m.planned_at, m.sent_at, m.recipient_name, m.phone,
        COALESCE(c.first_name || ' ' || c.last_name, ''), m.created_by, m.text, m.segments,
        rp.text, l.units, l.running
   FROM messages m LEFT JOIN collaborators c ON c.id = m.collaborator_id
   LEFT JOIN replies rp ON rp.id = m.reply_id
   LEFT JOIN credit_ledger l ON l.message_id = m.id AND l.kind = 'send'
  WHERE m.listed_at IS NOT NULL ORDER BY m.listed_at DESC, m.id DESC";

/// The limit of the csv export: SQLite reading the same rows and columns (one statement, as
/// the export reads them) and their values written as they are to a file — each text's
/// bytes, each integer's digits, `;` between, CRLF after each row — synced once at the end,
/// as the export syncs the user's file: the reading and writing a user's file needs, without
/// the export's own work (local times, labels, costs, quoting). Returns (rows, bytes).
fn sqlite_read(path: &Path, out: &Path) -> (u64, u64) {
    use std::io::Write;
    // Opened as the store opens its connections (no mutex: one thread uses it), read-only.
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(path, flags).expect("open");
    let mut stmt = conn.prepare(EXPORTED).expect("prepare");
    let file = std::fs::File::create(out).expect("limit file");
    let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
    let mut rows = 0u64;
    let mut q = stmt.query([]).expect("query");
    while let Some(r) = q.next().expect("row") {
        for i in 0..14 {
            if i > 0 {
                w.write_all(b";").expect("write");
            }
            match r.get_ref(i).expect("value") {
                rusqlite::types::ValueRef::Text(t) => w.write_all(t).expect("write"),
                rusqlite::types::ValueRef::Integer(v) => {
                    write!(w, "{v}").expect("write");
                }
                _ => {}
            }
        }
        w.write_all(b"\r\n").expect("write");
        rows += 1;
    }
    let file = w.into_inner().expect("flush");
    file.sync_all().expect("sync");
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    drop(file);
    let _ = std::fs::remove_file(out);
    (rows, bytes)
}

/// The cells of the xlsx export, read beforehand (not timed): numbers (planned, sent,
/// segments, cost; NaN when none) and texts, packed.
struct Cells {
    numbers: Vec<[f64; 4]>,
    text: String,
    /// Per row, the end of each of its 9 texts in `text`.
    ends: Vec<[u32; 9]>,
}

fn excel_serial(t: NaiveDateTime) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("epoch");
    (t - epoch).num_seconds() as f64 / 86_400.0
}

fn load_cells(store: &Store) -> Cells {
    let conn = store.db();
    let settings = Settings::load(conn).expect("settings");
    let lang = Lang::resolve(&settings.language);
    let tz = settings.timezone;
    let pricing = credit::pricing(conn).expect("pricing");
    let local = |secs: i64| {
        excel_serial(
            chrono::DateTime::from_timestamp(secs, 0)
                .expect("instant")
                .with_timezone(&tz)
                .naive_local(),
        )
    };
    let label = |section: &str, code: &str| {
        let key = format!("{section}.{code}");
        let t = smsdesk::i18n::tr(lang, &key);
        if t == key { code } else { t }.to_string()
    };
    let mut cells = Cells {
        numbers: Vec::new(),
        text: String::new(),
        ends: Vec::new(),
    };
    let priced = pricing.packs.iter().any(|p| p.unit_price.is_some());
    messages::for_each_exported(conn, ListKind::Sent, &MessageFilter::default(), |m| {
        let cost = m
            .charge
            .filter(|_| priced)
            .and_then(|(units, running)| pricing.value(running - units, running));
        cells.numbers.push([
            local(m.planned_at),
            m.sent_at.map(local).unwrap_or(f64::NAN),
            m.segments as f64,
            cost.as_ref().map(|c| c.rounded()).unwrap_or(f64::NAN),
        ]);
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).expect("UTF-8");
        let texts = [
            text(m.recipient_name),
            text(m.phone),
            label("kind", m.context),
            text(m.collaborator),
            text(m.created_by),
            text(m.text),
            label("status", m.status.as_str()),
            text(m.reply.unwrap_or_default()),
            cost.map(|c| c.currency).unwrap_or_default(),
        ];
        let mut ends = [0u32; 9];
        for (i, t) in texts.iter().enumerate() {
            cells.text.push_str(t);
            ends[i] = cells.text.len() as u32;
        }
        cells.ends.push(ends);
        Ok::<(), smsdesk::store::StoreError>(())
    })
    .expect("rows");
    cells
}

/// The limit of the xlsx export: rust_xlsxwriter alone, constant memory, writing the same
/// cells with the same workbook settings.
fn xlsxwriter_alone(cells: &Cells, lang: Lang, out: &Path) -> u64 {
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(3);
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .expect("sheet");
    let bold = XFormat::new().set_bold();
    let text = XFormat::new().set_num_format("@");
    let when = XFormat::new().set_num_format("dd/mm/yyyy hh:mm");
    let wrap = XFormat::new().set_text_wrap();
    let amount = XFormat::new().set_num_format("0.00");
    let widths = [
        16.0, 16.0, 24.0, 16.0, 12.0, 20.0, 12.0, 60.0, 9.0, 14.0, 30.0, 9.0, 8.0,
    ];
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *w).expect("width");
    }
    sheet.set_column_format(0, &when).expect("format");
    sheet.set_column_format(1, &when).expect("format");
    sheet.set_column_format(3, &text).expect("format");
    sheet.set_column_format(7, &wrap).expect("format");
    sheet.set_column_format(11, &amount).expect("format");
    for (col, h) in headers(lang).iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *h, &bold)
            .expect("header");
    }
    sheet.set_freeze_panes(1, 0).expect("freeze");
    let mut start = 0usize;
    for (i, (n, ends)) in cells.numbers.iter().zip(&cells.ends).enumerate() {
        let row = i as u32 + 1;
        let t = |k: usize, start: usize| {
            let from = if k == 0 { start } else { ends[k - 1] as usize };
            &cells.text[from..ends[k] as usize]
        };
        sheet.write_number(row, 0, n[0]).expect("cell");
        if !n[1].is_nan() {
            sheet.write_number(row, 1, n[1]).expect("cell");
        }
        sheet.write_string(row, 2, t(0, start)).expect("cell");
        sheet.write_string(row, 3, t(1, start)).expect("cell");
        sheet.write_string(row, 4, t(2, start)).expect("cell");
        sheet.write_string(row, 5, t(3, start)).expect("cell");
        sheet.write_string(row, 6, t(4, start)).expect("cell");
        sheet.write_string(row, 7, t(5, start)).expect("cell");
        sheet.write_number(row, 8, n[2]).expect("cell");
        sheet.write_string(row, 9, t(6, start)).expect("cell");
        let reply = t(7, start);
        if !reply.is_empty() {
            sheet.write_string(row, 10, reply).expect("cell");
        }
        if !n[3].is_nan() {
            sheet.write_number(row, 11, n[3]).expect("cell");
            sheet.write_string(row, 12, t(8, start)).expect("cell");
        }
        start = ends[8] as usize;
    }
    let rows = cells.numbers.len() as u64;
    if rows > 0 {
        sheet.autofilter(0, 0, rows as u32, 12).expect("filter");
    }
    workbook.save(out).expect("save");
    rows
}

/// Criterion's measure of each export beside its limit, in one group so that the report puts
/// them side by side.
fn criterion_cases(path: &Path, store: &Store, dir: &Path, wanted: &dyn Fn(&str) -> bool) {
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(60));
    if wanted("export_csv") {
        let (out, limit_out) = (dir.join("c.csv"), dir.join("c-limit.csv"));
        group.bench_function("csv", |b| b.iter(|| export(store, Format::Csv, &out)));
        group.bench_function("csv_limit_sqlite", |b| {
            b.iter(|| sqlite_read(path, &limit_out))
        });
    }
    if wanted("export_xlsx") {
        let (out, limit_out) = (dir.join("c.xlsx"), dir.join("c-limit.xlsx"));
        let cells = load_cells(store);
        let lang = Lang::resolve(&Settings::load(store.db()).expect("settings").language);
        group.bench_function("xlsx", |b| b.iter(|| export(store, Format::Xlsx, &out)));
        group.bench_function("xlsx_limit_rust_xlsxwriter", |b| {
            b.iter(|| xlsxwriter_alone(&cells, lang, &limit_out))
        });
    }
    group.finish();
    c.final_summary();
}

fn main() {
    let path = support::million_store();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let named: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    let wanted = |what: &str| named.is_empty() || named.iter().any(|n| what.contains(n));
    let store = Store::open(&path).expect("store");
    let dir = tempfile::tempdir().expect("temp dir");
    if !args.iter().any(|a| a == "--table-only") {
        criterion_cases(&path, &store, dir.path(), &wanted);
    }
    let mut table: Vec<String> = Vec::new();
    // SQLite's reading of the rows, once measured: the xlsx export reads them too.
    let mut sqlite_time: Option<f64> = None;

    if wanted("export_csv") {
        // The store's pages in the system's cache first, then the export and its limit in
        // turn: both read the same pages, neither profits from the other's reads.
        let limit_out = dir.path().join("limit.csv");
        eprintln!("warm-up, SQLite reading the rows once:");
        let (w, _, _) = measure(|| sqlite_read(&path, &limit_out));
        eprintln!("  {w:.2} s");
        let out = dir.path().join("sent.csv");
        let (export, limit, ratios) = in_turn(
            "export csv",
            || written(&out, export(&store, Format::Csv, &out)),
            "limit, SQLite reading the same rows, written to a file",
            || sqlite_read(&path, &limit_out),
        );
        let ((rows, size), (lrows, limit_size)) = (export.out, limit.out);
        assert_eq!(rows, lrows, "the limit reads the rows exported");
        sqlite_time = Some(limit.time);
        table.push(format!(
            "export_csv   {rows} rows, {:.0} MB: {:.2} s, {:.0} MB | SQLite reading them, values written to a file ({:.0} MB) and synced: {:.2} s, {:.0} MB | ratio {:.2} (goal ≤ 1.3); each turn's: {ratios}",
            size as f64 / 1e6,
            export.time,
            export.peak,
            limit_size as f64 / 1e6,
            limit.time,
            limit.peak,
            export.time / limit.time
        ));
    }
    if wanted("export_xlsx") {
        // The export's peak memory, before the limit's cells are read into memory; then the
        // cells the limit writes, read once, and the export and its limit in turn, so that a
        // change of the machine's load weighs on both alike.
        let out = dir.path().join("sent.xlsx");
        eprintln!("export xlsx, before the limit's cells are read (its peak memory):");
        let (t0, m, _) = measure_once(|| export(&store, Format::Xlsx, &out));
        eprintln!("  {t0:.2} s, peak {m:.0} MB");
        let _ = std::fs::remove_file(&out);
        let cells = load_cells(&store);
        let lang = Lang::resolve(&Settings::load(store.db()).expect("settings").language);
        let limit_out = dir.path().join("limit.xlsx");
        let (export, limit, ratios) = in_turn(
            "export xlsx",
            || written(&out, export(&store, Format::Xlsx, &out)),
            "limit, rust_xlsxwriter alone writing the same cells (read beforehand)",
            || {
                let rows = xlsxwriter_alone(&cells, lang, &limit_out);
                let _ = std::fs::remove_file(&limit_out);
                rows
            },
        );
        let ((rows, size), lrows) = (export.out, limit.out);
        assert_eq!(rows, lrows, "the limit writes the rows exported");
        let (t, lt) = (export.time, limit.time);
        table.push(format!(
            "export_xlsx  {rows} rows, {:.0} MB: {t:.2} s, {m:.0} MB | rust_xlsxwriter alone: {lt:.2} s, {:.0} MB (cells held in memory) | ratio {:.2} (goal ≤ 1.5); each turn's: {ratios}",
            size as f64 / 1e6,
            limit.peak,
            t / lt
        ));
        if let Some(read) = sqlite_time {
            table.push(format!(
                "             beside the csv limit (SQLite reading the rows) then rust_xlsxwriter writing them: {:.2} s, ratio {:.2}",
                read + lt,
                t / (read + lt)
            ));
        }
    }
    eprintln!("\nexport of the Sent list, best of {} run(s):", runs());
    for line in table {
        eprintln!("{line}");
    }
}
