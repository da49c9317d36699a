//! Imports at 10⁵ rows (issue 15): the preview of `free --file` and of `import contacts`, in
//! text and in JSON, beside the limit — calamine opening the same `.xlsx` and reading the same
//! column (the `csv` crate for the `.csv`). Goal: each preview ≤ 2× its limit, ≤ 150 MB peak
//! resident.
//!
//! The files are generated once in Cargo's bench scratch folder (`target/tmp`) and reused:
//! 10⁵ contacts with phones in every form people type (spaced, `+33`, overseas `0690…`, numeric
//! cells that lost their zero), accented names, and a few bad rows (a number too short, a
//! landline, an e-mail without a domain, a repeated mobile). The previews are the functions the
//! command line calls, writing to a sink; they run against the 10⁶-message store
//! (`support::million_store`, or `SMSDESK_BENCH_DB`).
//!
//! Timings: criterion (`imports/…`), then a table where each case runs in a process of its own
//! (`SMSDESK_IMPORTS_CASE`): its best time over a few runs, and its peak resident memory
//! (VmHWM) — the whole process, as the command would use it — with the ratio to its limit.

use criterion::Criterion;
use smsdesk::cli::io::{Import, import_to};
use smsdesk::cli::sending::{FreeArgs, free_preview};
use smsdesk::core::Actor;
use smsdesk::store::Store;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod support;

const ROWS: usize = 100_000;

fn now() -> chrono::DateTime<chrono::Utc> {
    support::generated_at()
}

const FIRST: [&str; 12] = [
    "Benoît",
    "Gwénolé",
    "Zoé",
    "Hélène",
    "Anaïs",
    "Loïc",
    "Maëlle",
    "Jérôme",
    "Léa",
    "Noël",
    "Françoise",
    "Yann",
];
const LAST: [&str; 10] = [
    "Le Floch",
    "Lemaître",
    "Kerouédan",
    "Martin",
    "Le Gall",
    "Guéguen",
    "Dupré",
    "Morvan",
    "Cœur",
    "Le Bihan",
];
const HEADERS: [&str; 7] = [
    "Civilité",
    "Prénom",
    "Nom",
    "Téléphone",
    "Email",
    "Consentement SMS",
    "Programme",
];

/// One row of the generated file: its cells as text, and whether the phone is written as a
/// number (a spreadsheet that dropped the leading zero).
fn row(i: usize) -> ([String; 7], bool) {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / 7) % LAST.len()];
    let n = 10_000_000 + (i * 7_919) % 89_999_999;
    let mut numeric = false;
    let phone = match i % 10 {
        _ if i % 997 == 5 => "12345".to_string(),
        _ if i % 1_499 == 7 => format!("01 45 {:02} {:02} {:02}", i % 100, i % 89, i % 97),
        _ if i % 500 == 499 => row(i - 1).0[3].clone(),
        0..=2 => format!(
            "06 {:02} {:02} {:02} {:02}",
            n / 1_000_000,
            n / 10_000 % 100,
            n / 100 % 100,
            n % 100
        ),
        3 | 4 => format!("+33 7 {n:08}").replace(' ', ""),
        5 => format!(
            "07.{:02}.{:02}.{:02}.{:02}",
            n / 1_000_000,
            n / 10_000 % 100,
            n / 100 % 100,
            n % 100
        ),
        6 => {
            numeric = true;
            format!("6{n:08}")
        }
        7 => format!(
            "0690 {:02} {:02} {:02}",
            n / 10_000 % 100,
            n / 100 % 100,
            n % 100
        ),
        8 => format!("0692{:06}", n % 1_000_000),
        _ => format!("0696{:06}", n % 1_000_000),
    };
    let email = if i % 1_999 == 11 {
        format!("{}@exemple", i)
    } else {
        format!("contact{i}@exemple.fr")
    };
    let consent = if i.is_multiple_of(13) { "non" } else { "oui" };
    let civility = if i.is_multiple_of(2) { "Mme" } else { "M." };
    (
        [
            civility.to_string(),
            first.to_string(),
            last.to_string(),
            phone,
            email,
            consent.to_string(),
            "Parcours emploi".to_string(),
        ],
        numeric,
    )
}

/// The generated `.xlsx` and `.csv`, made once and reused.
fn files() -> (PathBuf, PathBuf) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("smsdesk-imports");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let xlsx = dir.join(format!("contacts-{ROWS}.xlsx"));
    let csv = dir.join(format!("contacts-{ROWS}.csv"));
    if !xlsx.exists() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let sheet = wb.add_worksheet();
        sheet
            .write_string(0, 0, "Liste des inscrits")
            .expect("cell");
        for (c, h) in HEADERS.iter().enumerate() {
            sheet.write_string(2, c as u16, *h).expect("cell");
        }
        for i in 0..ROWS {
            let (cells, numeric) = row(i);
            let r = (i + 3) as u32;
            for (c, v) in cells.iter().enumerate() {
                if c == 3 && numeric {
                    sheet
                        .write_number(r, 3, v.parse::<f64>().expect("digits"))
                        .expect("cell");
                } else {
                    sheet.write_string(r, c as u16, v).expect("cell");
                }
            }
        }
        let partial = xlsx.with_extension("partial.xlsx");
        wb.save(&partial).expect("save xlsx");
        std::fs::rename(&partial, &xlsx).expect("rename");
    }
    if !csv.exists() {
        let partial = csv.with_extension("partial.csv");
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_path(&partial)
            .expect("csv");
        w.write_record(HEADERS).expect("row");
        for i in 0..ROWS {
            w.write_record(row(i).0).expect("row");
        }
        w.flush().expect("flush");
        drop(w);
        std::fs::rename(&partial, &csv).expect("rename");
    }
    (xlsx, csv)
}

/// What is measured: a preview as the command line writes it, or a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    FreeText,
    FreeJson,
    ContactsText,
    ContactsJson,
    /// calamine opening the `.xlsx` and reading the phone column.
    Calamine,
    /// The `csv` crate reading the phone column of the `.csv`.
    CsvColumn,
}

impl Case {
    const ALL: [Case; 6] = [
        Case::FreeText,
        Case::FreeJson,
        Case::ContactsText,
        Case::ContactsJson,
        Case::Calamine,
        Case::CsvColumn,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::FreeText => "free_file_text",
            Case::FreeJson => "free_file_json",
            Case::ContactsText => "import_contacts_text",
            Case::ContactsJson => "import_contacts_json",
            Case::Calamine => "limit_calamine_column",
            Case::CsvColumn => "limit_csv_column",
        }
    }

    fn parse(s: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// What a case needs, opened once.
struct Setup {
    store: Store,
    actor: Actor,
}

fn setup() -> Setup {
    let path = support::million_store();
    let mut store = Store::open(&path).expect("store");
    let actor = Actor::identify(&mut store, "admin", now()).expect("admin");
    Setup { store, actor }
}

/// Runs one case on `file`; returns how many bytes it wrote (or values it read), so nothing is
/// optimised away.
fn run(case: Case, file: &Path, s: &mut Setup) -> usize {
    let mut sink = Counting(0);
    match case {
        Case::FreeText | Case::FreeJson => {
            let args = FreeArgs {
                file: Some(file.to_path_buf()),
                numbers: None,
                text: "Bonjour, votre rendez-vous est confirmé.".into(),
                at: None,
                campaign: false,
                yes: false,
            };
            let list =
                free_preview(&s.store, &args, case == Case::FreeJson, &mut sink).expect("free");
            black_box(list.valid.len());
        }
        Case::ContactsText | Case::ContactsJson => {
            let job = Import {
                what: "contacts",
                file,
                yes: false,
                json: case == Case::ContactsJson,
                now: now(),
            };
            import_to(&mut s.store, &s.actor, job, &mut |_| {}, &mut sink).expect("import");
        }
        Case::Calamine => {
            use calamine::{Reader, Xlsx, open_workbook};
            let mut wb: Xlsx<_> = open_workbook(file).expect("xlsx");
            let name = wb.sheet_names()[0].clone();
            let range = wb.worksheet_range(&name).expect("sheet");
            let mut phones: Vec<String> = Vec::new();
            for r in range.rows().skip(3) {
                if let Some(cell) = r.get(3) {
                    phones.push(cell.to_string());
                }
            }
            sink.0 = phones.len();
        }
        Case::CsvColumn => {
            let mut r = csv::ReaderBuilder::new()
                .delimiter(b';')
                .from_path(file)
                .expect("csv");
            let mut phones: Vec<String> = Vec::new();
            for rec in r.records() {
                let rec = rec.expect("record");
                phones.push(rec.get(3).unwrap_or_default().to_string());
            }
            sink.0 = phones.len();
        }
    }
    sink.0
}

/// A sink that counts what it is given.
struct Counting(usize);

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The previews and their limits, on the `.xlsx` and the `.csv`.
fn cases() -> Vec<(Case, &'static str)> {
    vec![
        (Case::FreeText, "xlsx"),
        (Case::FreeJson, "xlsx"),
        (Case::ContactsText, "xlsx"),
        (Case::ContactsJson, "xlsx"),
        (Case::Calamine, "xlsx"),
        (Case::FreeText, "csv"),
        (Case::ContactsJson, "csv"),
        (Case::CsvColumn, "csv"),
    ]
}

fn file_for(ext: &str) -> PathBuf {
    let (xlsx, csv) = files();
    if ext == "csv" { csv } else { xlsx }
}

/// In a child process: one case, its best time over `SMSDESK_IMPORTS_RUNS` runs (default 3),
/// and the process's peak resident memory.
fn child(case: Case, ext: &str) {
    let file = file_for(ext);
    let mut s = setup();
    let runs: usize = std::env::var("SMSDESK_IMPORTS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut out = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let cpu = thread_cpu_s();
        out = run(case, &file, &mut s);
        best = best.min(started.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(thread_cpu_s() - cpu);
    }
    println!(
        "RESULT {best} {} {out} {best_cpu}",
        support::peak_rss_mb().unwrap_or(f64::NAN)
    );
}

/// The time this thread has spent on a CPU, in seconds (NaN where Linux does not say): on a
/// machine shared with other work, a steadier figure than the time on the clock.
fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split(' ').next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// Runs each case in a process of its own and prints the table of times, memory and ratios.
fn table() {
    let exe = std::env::current_exe().expect("this bench");
    // Case, file, best time, peak memory, best CPU time.
    let mut figures: Vec<(Case, &str, f64, f64, f64)> = Vec::new();
    for (case, ext) in cases() {
        let out = std::process::Command::new(&exe)
            .env("SMSDESK_IMPORTS_CASE", format!("{}:{ext}", case.name()))
            .output()
            .expect("run a case");
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
            eprintln!(
                "{} ({ext}) failed: {}",
                case.name(),
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        };
        let v: Vec<f64> = line
            .split(' ')
            .map(|x| x.parse().unwrap_or(f64::NAN))
            .collect();
        figures.push((case, ext, v[0], v[1], v.get(3).copied().unwrap_or(f64::NAN)));
    }
    let limit = |ext: &str| {
        let want = if ext == "csv" {
            Case::CsvColumn
        } else {
            Case::Calamine
        };
        figures
            .iter()
            .find(|(c, e, ..)| *c == want && *e == ext)
            .map(|(_, _, t, m, cpu)| (*t, *m, *cpu))
    };
    eprintln!(
        "\nimports, {ROWS} rows — each case in its own process, best time, peak resident, best \
         CPU time (steadier on a busy machine):"
    );
    eprintln!(
        "{:<24} {:>5} {:>9} {:>9} {:>10} {:>10} {:>7} {:>7} {:>7} {:>9}",
        "case",
        "file",
        "time s",
        "peak MB",
        "limit s",
        "limit MB",
        "ratio",
        "cpu s",
        "limit",
        "cpu ratio"
    );
    for (case, ext, t, m, cpu) in &figures {
        let (lt, lm, lcpu) = limit(ext).unwrap_or((f64::NAN, f64::NAN, f64::NAN));
        eprintln!(
            "{:<24} {:>5} {:>9.3} {:>9.0} {:>10.3} {:>10.0} {:>7.2} {:>7.3} {:>7.3} {:>9.2}",
            case.name(),
            ext,
            t,
            m,
            lt,
            lm,
            t / lt,
            cpu,
            lcpu,
            cpu / lcpu
        );
    }
}

fn criterion_cases(c: &mut Criterion) {
    let mut s = setup();
    let mut group = c.benchmark_group("imports");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (case, ext) in cases() {
        let file = file_for(ext);
        group.bench_function(format!("{}_{ext}", case.name()), |b| {
            b.iter(|| run(case, &file, &mut s))
        });
    }
    group.finish();
}

fn main() {
    if let Ok(spec) = std::env::var("SMSDESK_IMPORTS_CASE") {
        let (name, ext) = spec.split_once(':').unwrap_or((spec.as_str(), "xlsx"));
        let case = Case::parse(name).expect("a known case");
        child(case, ext);
        return;
    }
    files();
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // `--table-only`: only the per-process table (quick).
    if !args.iter().any(|a| a == "--table-only") {
        let mut c = Criterion::default().configure_from_args();
        criterion_cases(&mut c);
        c.final_summary();
    }
    table();
}
