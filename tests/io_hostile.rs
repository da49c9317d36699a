//! Hostile and badly encoded files, through the real binary: a spreadsheet never takes the
//! process down (no abort, even under a 1 GiB address-space limit), memory follows the cells
//! present, and a CSV is decoded right or refused with its line — exit 2 with a one-line
//! reason, nothing imported.
//!
//! Every file is generated here, small on disk (the bombs are a few KB to a few MB).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use zip::write::SimpleFileOptions;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_smsdesk")
}

fn command(db: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--db")
        .arg(db)
        .args(["--user", "admin"])
        .env("SMSDESK_NOW", "2026-03-10T10:00:00Z")
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .env("LANG", "fr_FR.UTF-8")
        .env_remove("SMSDESK_DB");
    c
}

fn smsdesk(db: &Path, args: &[&str]) -> Output {
    command(db).args(args).output().expect("run smsdesk")
}

/// The binary under `ulimit -v` (KiB): an allocation the limit refuses aborts it (134).
fn smsdesk_limited(db: &Path, kib: u64, args: &[&str]) -> Output {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!("ulimit -v {kib}; exec \"$0\" \"$@\""))
        .arg(bin())
        .arg("--db")
        .arg(db)
        .args(["--user", "admin"])
        .args(args)
        .env("SMSDESK_NOW", "2026-03-10T10:00:00Z")
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .env("LANG", "fr_FR.UTF-8")
        .env_remove("SMSDESK_DB");
    c.output().expect("run smsdesk under ulimit")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// Exit 2 and a one-line reason on stderr, which is returned.
fn refused(out: &Output) -> String {
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "should be refused (exit 2), got {:?}: stdout {} stderr {err}",
        out.status,
        text(&out.stdout)
    );
    assert_eq!(err.trim().lines().count(), 1, "one-line reason: {err}");
    err
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn participants(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    let store = smsdesk::store::Store::open(db).unwrap();
    store
        .conn()
        .query_row("SELECT count(*) FROM participants", [], |r| r.get(0))
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Hand-made xlsx files

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

fn inline(cell: &str, s: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{s}</t></is></c>"#)
}

/// A one-sheet xlsx whose sheet XML is written by `sheet` (streamed into the zip, so it may
/// be far larger than memory should hold), with optional shared strings.
fn xlsx_with(path: &Path, shared_strings: Option<&str>, sheet: &mut dyn FnMut(&mut dyn Write)) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let deflate = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, deflate).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    if let Some(sst) = shared_strings {
        zip.start_file("xl/sharedStrings.xml", deflate).unwrap();
        zip.write_all(sst.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", deflate).unwrap();
    sheet(&mut zip);
    zip.finish().unwrap();
}

fn xlsx(path: &Path, dimension: &str, body: &str) {
    xlsx_with(path, None, &mut |w| {
        write!(
            w,
            r#"{SHEET_START}<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>"#
        )
        .unwrap();
    });
}

/// The header and two numbers of a free send.
fn phones() -> String {
    format!(
        r#"<row r="1">{}</row><row r="2"><c r="A2"><v>612345678</v></c></row><row r="3">{}</row>"#,
        inline("A1", "TELEPHONE"),
        inline("A3", "06 98 76 54 32")
    )
}

fn dimension_bomb(dir: &Path) -> PathBuf {
    let path = dir.join("grille.xlsx");
    // Declares a 1,000,000 × 16,384 grid; a far cell holds an empty string, which makes the
    // grid reader span the whole declared area.
    let body = format!(
        "{}<row r=\"1000000\">{}</row>",
        phones(),
        inline("XFD1000000", "")
    );
    xlsx(&path, "A1:XFD1000000", &body);
    path
}

fn far_cell_bomb(dir: &Path) -> PathBuf {
    let path = dir.join("loin.xlsx");
    let body = format!(
        "{}<row r=\"1000000\">{}</row>",
        phones(),
        inline("XFD1000000", "x")
    );
    xlsx(&path, "A1", &body);
    path
}

/// About 1 GiB of sheet XML (real cells: 38 million) in a file of about 7 MB.
fn inflation_bomb(dir: &Path) -> PathBuf {
    let path = dir.join("gonfle.xlsx");
    xlsx_with(&path, None, &mut |w| {
        write!(w, "{SHEET_START}<sheetData>{}", phones()).unwrap();
        // Rows without a row number repeat the same bytes, which deflate squeezes ~150 times.
        let row = "<row><c><v>612345678</v></c><c><v>612345678</v></c></row>".repeat(1 << 12);
        let mut written = 0usize;
        while written < (1 << 30) {
            w.write_all(row.as_bytes()).unwrap();
            written += row.len();
        }
        write!(w, "</sheetData></worksheet>").unwrap();
    });
    path
}

fn shared_strings_bomb(dir: &Path) -> PathBuf {
    let path = dir.join("chaines.xlsx");
    let sst = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>TELEPHONE</t></si></sst>"#;
    xlsx_with(&path, Some(sst), &mut |w| {
        write!(
            w,
            r#"{SHEET_START}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>612345678</v></c></row></sheetData></worksheet>"#
        )
        .unwrap();
    });
    path
}

/// An OpenDocument spreadsheet whose one table is `rows` (content.xml table rows).
fn ods(path: &Path, rows: &str) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflate = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", deflate).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .unwrap();
    zip.start_file("content.xml", deflate).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Feuille1">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
    .unwrap();
    zip.finish().unwrap();
}

const ODS_PHONES: &str = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>TELEPHONE</text:p></table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>0612345678</text:p></table:table-cell></table:table-row>"#;

/// One row of 16,384 filled cells repeated 6,000 times: 98 million cells (just under the grid
/// reader's own limit), some 5 GB once expanded, in a file of a few hundred bytes.
fn ods_bomb(dir: &Path) -> PathBuf {
    let path = dir.join("repete.ods");
    let rows = format!(
        r#"{ODS_PHONES}<table:table-row table:number-rows-repeated="6000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#
    );
    ods(&path, &rows);
    path
}

fn free(db: &Path, file: &Path) -> Output {
    smsdesk(
        db,
        &[
            "free",
            "--file",
            file.to_str().unwrap(),
            "--text",
            "Bonjour",
        ],
    )
}

#[test]
fn a_declared_grid_of_10e6_rows_by_16384_columns_is_read_by_its_cells() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let path = dimension_bomb(dir.path());
    assert!(std::fs::metadata(&path).unwrap().len() < 4096);
    let out = ok(&free(&db, &path));
    assert!(out.contains("2 valid number(s)"), "{out}");
}

#[test]
fn one_cell_at_xfd1000000_costs_one_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let path = far_cell_bomb(dir.path());
    let out = ok(&free(&db, &path));
    // The far cell has no header: it is not a number to send to.
    assert!(out.contains("2 valid number(s)"), "{out}");
    assert!(out.contains("0 invalid"), "{out}");
}

#[test]
fn an_inflation_bomb_is_refused_before_it_is_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let path = inflation_bomb(dir.path());
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 8 << 20, "{size} bytes");
    let err = refused(&free(&db, &path));
    assert!(err.contains("gonfle.xlsx"), "{err}");
    assert!(err.contains("xl/worksheets/sheet1.xml"), "{err}");
    assert!(err.contains("MiB"), "names the limit: {err}");
    // The contacts import refuses it the same way, and imports nothing.
    let err = refused(&smsdesk(
        &db,
        &["import", "contacts", path.to_str().unwrap(), "--yes"],
    ));
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(participants(&db), 0);
}

#[test]
fn shared_strings_declaring_billions_of_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let err = refused(&free(&db, &shared_strings_bomb(dir.path())));
    assert!(err.contains("4000000000"), "{err}");
}

#[test]
fn an_ods_whose_repeated_rows_expand_to_billions_of_cells_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    // Under a 1 GiB address-space limit: the expansion must be refused, not attempted.
    let bomb = ods_bomb(dir.path());
    let err = refused(&smsdesk_limited(
        &db,
        1 << 20,
        &[
            "free",
            "--file",
            bomb.to_str().unwrap(),
            "--text",
            "Bonjour",
        ],
    ));
    assert!(err.contains("repete.ods"), "{err}");
    assert!(err.contains("cells"), "{err}");
    // The empty rows and columns a spreadsheet program repeats to the sheet's end are no
    // reason to refuse a file.
    let path = dir.path().join("normal.ods");
    ods(
        &path,
        &format!(
            r#"{ODS_PHONES}<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
        ),
    );
    let out = ok(&free(&db, &path));
    assert!(out.contains("1 valid number(s)"), "{out}");
}

#[test]
fn bombs_do_not_abort_under_a_1_gib_address_space_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    // The store exists before the limit applies (creating it is not what is measured).
    ok(&smsdesk(&db, &["--json", "list", "sent"]));
    let cases = [
        (dimension_bomb(dir.path()), Some(0)),
        (far_cell_bomb(dir.path()), Some(0)),
        (inflation_bomb(dir.path()), Some(2)),
        (shared_strings_bomb(dir.path()), Some(2)),
        (ods_bomb(dir.path()), Some(2)),
    ];
    for (path, expected) in cases {
        let out = smsdesk_limited(
            &db,
            1 << 20,
            &[
                "free",
                "--file",
                path.to_str().unwrap(),
                "--text",
                "Bonjour",
            ],
        );
        assert_eq!(
            out.status.code(),
            expected,
            "{}: {:?} (134 is an abort): {}",
            path.display(),
            out.status,
            text(&out.stderr)
        );
        if expected == Some(2) {
            refused(&out);
        }
    }
}

#[test]
fn a_damaged_sheet_that_makes_the_reader_panic_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let path = dir.path().join("abime.xlsx");
    // A reversed dimension: the reader subtracts its ends (a panic in debug builds).
    xlsx(&path, "B2:A1", &phones());
    let out = free(&db, &path);
    assert_ne!(out.status.code(), Some(101), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
    if out.status.code() == Some(2) {
        let err = refused(&out);
        assert!(err.contains("abime.xlsx"), "{err}");
    } else {
        ok(&out);
    }
}

// ---------------------------------------------------------------------------------------------
// CSV encodings

const CONTACTS: &str = "Civilité;Prénom;Nom;Mobile;Consentement SMS\r\n\
                        Mme;Léa;Le Gall;06 12 34 56 78;oui\r\n\
                        M.;Rémi;Kerbrat;06 98 76 54 32;oui\r\n";

fn import(db: &Path, file: &Path, yes: bool) -> Output {
    let mut args = vec!["import", "contacts", file.to_str().unwrap()];
    if yes {
        args.push("--yes");
    }
    smsdesk(db, &args)
}

fn latin1(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect()
}

#[test]
fn a_latin1_csv_is_read_as_windows_1252_and_the_preview_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let file = dir.path().join("latin1.csv");
    std::fs::write(&file, latin1(CONTACTS)).unwrap();
    let out = ok(&import(&db, &file, false));
    assert!(out.contains("Windows-1252"), "{out}");
    assert!(out.contains("check accents"), "{out}");
    assert!(out.contains("Léa Le Gall"), "{out}");
    assert!(out.contains("2 valid contact(s)"), "{out}");
    ok(&import(&db, &file, true));
    assert_eq!(participants(&db), 2);
}

#[test]
fn utf16_csv_with_a_bom_is_decoded_in_either_byte_order() {
    for (name, bom, le) in [
        ("le.csv", [0xFF, 0xFE], true),
        ("be.csv", [0xFE, 0xFF], false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store.db");
        let file = dir.path().join(name);
        let mut bytes = bom.to_vec();
        for u in CONTACTS.encode_utf16() {
            bytes.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        std::fs::write(&file, bytes).unwrap();
        let out = ok(&import(&db, &file, false));
        assert!(out.contains("2 valid contact(s)"), "{name}: {out}");
        assert!(
            out.contains("Mme Léa Le Gall +33612345678"),
            "{name}: {out}"
        );
        assert!(
            out.contains("M. Rémi Kerbrat +33698765432"),
            "{name}: {out}"
        );
        assert!(!out.contains("Windows-1252"), "{name}: {out}");
    }
}

#[test]
fn a_utf8_csv_with_a_stray_latin1_byte_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let file = dir.path().join("melange.csv");
    let mut bytes = CONTACTS.as_bytes().to_vec();
    // Line 4: "Zoé" typed on a Latin-1 keyboard into a UTF-8 file.
    bytes.extend_from_slice(b"Mme;Zo\xe9;Riou;06 11 22 33 44;oui\r\n");
    std::fs::write(&file, &bytes).unwrap();
    for yes in [false, true] {
        let err = refused(&import(&db, &file, yes));
        assert!(err.contains("melange.csv"), "{err}");
        assert!(err.contains("row 4"), "{err}");
        assert!(err.contains("UTF-8"), "{err}");
    }
    assert_eq!(participants(&db), 0, "nothing imported");
    // The same for a free send.
    let numbers = dir.path().join("numeros.csv");
    std::fs::write(
        &numbers,
        b"TELEPHONE;Nom\n0612345678;L\xc3\xa9a\n0698765432;Zo\xe9\n",
    )
    .unwrap();
    let err = refused(&free(&db, &numbers));
    assert!(err.contains("row 3"), "{err}");
}

#[test]
fn a_title_line_above_the_csv_header_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let file = dir.path().join("titre.csv");
    std::fs::write(
        &file,
        format!("Export du 14 avril, agence de Lorient, service emploi\r\n\r\n{CONTACTS}"),
    )
    .unwrap();
    let out = ok(&import(&db, &file, false));
    assert!(out.contains("header on row 3"), "{out}");
    assert!(out.contains("2 valid contact(s)"), "{out}");
    // With commas as delimiter and a title holding semicolons.
    let numbers = dir.path().join("liste.csv");
    std::fs::write(
        &numbers,
        "Liste; version 2\nNom,TELEPHONE\nRiou,0612345678\nLe Gall,0698765432\n",
    )
    .unwrap();
    let out = ok(&free(&db, &numbers));
    assert!(out.contains("2 valid number(s)"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// A million contacts

/// Runs the command and returns its output and the child's peak resident memory in bytes.
// The child is reaped by `wait4`, which also gives its resource usage.
#[allow(clippy::zombie_processes)]
fn run_measured(mut c: Command) -> (Output, u64) {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t = std::thread::spawn(move || {
        let mut e = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut e).unwrap();
        e
    });
    std::io::Read::read_to_end(&mut so, &mut out).unwrap();
    err.extend(t.join().unwrap());
    let mut status = 0;
    // SAFETY: rusage is plain data, written by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    use std::os::unix::process::ExitStatusExt;
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out,
        stderr: err,
    };
    (output, usage.ru_maxrss as u64 * 1024)
}

#[test]
fn a_million_contacts_import_within_300_mb() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let file = dir.path().join("million.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    writeln!(w, "Civilité;Prénom;Nom;Mobile;Consentement SMS;Programme").unwrap();
    // International numbers: in a debug build, parsing national ones takes twice as long.
    for i in 0..1_000_000u32 {
        writeln!(
            w,
            "{};Prénom{i};Nom{i};+336{:08};oui;Programme {}",
            if i % 2 == 0 { "Mme" } else { "M." },
            i,
            i % 7
        )
        .unwrap();
    }
    w.flush().unwrap();
    drop(w);
    ok(&smsdesk(&db, &["--json", "list", "sent"]));
    let started = std::time::Instant::now();
    let mut c = command(&db);
    c.args(["import", "contacts", file.to_str().unwrap(), "--yes"]);
    let (out, peak) = run_measured(c);
    let stdout = ok(&out);
    assert!(stdout.contains("1000000 contact(s) imported"), "{stdout}");
    assert_eq!(participants(&db), 1_000_000);
    eprintln!(
        "10^6 contacts: peak {} MB in {:?}",
        peak / 1_000_000,
        started.elapsed()
    );
    assert!(
        peak <= 300_000_000,
        "peak resident memory {} MB",
        peak / 1_000_000
    );
}

#[test]
fn a_csv_line_wider_than_a_sheet_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let file = dir.path().join("large.csv");
    let wide = vec!["x"; 20_000].join(";");
    std::fs::write(&file, format!("TELEPHONE;Nom\n0612345678;Riou\n{wide}\n")).unwrap();
    let err = refused(&free(&db, &file));
    assert!(err.contains("row 3"), "{err}");
    assert!(err.contains("16384"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// A hand-made .xls (an OLE compound file holding a BIFF8 workbook stream)

fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

/// A one-sheet `.xls` whose sheet declares `rows` rows × 256 columns in its DIMENSIONS record
/// and holds one number.
fn xls(path: &Path, rows: u32) {
    let bof = |dt: u16| {
        let mut d = vec![0u8; 16];
        d[0..2].copy_from_slice(&0x0600u16.to_le_bytes());
        d[2..4].copy_from_slice(&dt.to_le_bytes());
        d
    };
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    let sheet_name = b"Feuil1";
    let boundsheet_len = 4 + 8 + sheet_name.len();
    let sheet_at = (globals.len() + boundsheet_len + 4) as u32;
    let mut bs = sheet_at.to_le_bytes().to_vec();
    bs.extend_from_slice(&[0, 0, sheet_name.len() as u8, 0]);
    bs.extend_from_slice(sheet_name);
    record(&mut globals, 0x0085, &bs);
    record(&mut globals, 0x000A, &[]);
    let mut stream = globals;
    record(&mut stream, 0x0809, &bof(0x0010));
    let mut dim = Vec::new();
    dim.extend_from_slice(&0u32.to_le_bytes());
    dim.extend_from_slice(&rows.to_le_bytes());
    dim.extend_from_slice(&0u16.to_le_bytes());
    dim.extend_from_slice(&256u16.to_le_bytes());
    dim.extend_from_slice(&0u16.to_le_bytes());
    record(&mut stream, 0x0200, &dim);
    let mut number = vec![0u8; 6];
    number.extend_from_slice(&612345678f64.to_le_bytes());
    record(&mut stream, 0x0203, &number);
    record(&mut stream, 0x000A, &[]);
    // Over 4096 bytes, so that the stream lives in ordinary sectors, not the mini stream.
    while stream.len() < 4608 {
        record(&mut stream, 0x00E1, &[0u8; 100]);
    }
    let sectors = stream.len().div_ceil(512);
    stream.resize(sectors * 512, 0);
    // Header, then sector 0 the FAT, sector 1 the directory, sectors 2… the stream.
    let mut file = vec![0u8; 512];
    file[0..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put16 =
        |f: &mut Vec<u8>, at: usize, v: u16| f[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |f: &mut Vec<u8>, at: usize, v: u32| f[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut file, 0x18, 0x003E);
    put16(&mut file, 0x1A, 0x0003);
    put16(&mut file, 0x1C, 0xFFFE);
    put16(&mut file, 0x1E, 9);
    put16(&mut file, 0x20, 6);
    put32(&mut file, 0x2C, 1);
    put32(&mut file, 0x30, 1);
    put32(&mut file, 0x38, 4096);
    put32(&mut file, 0x3C, 0xFFFF_FFFE);
    put32(&mut file, 0x44, 0xFFFF_FFFE);
    put32(&mut file, 0x4C, 0);
    for i in 1..109 {
        put32(&mut file, 0x4C + 4 * i, 0xFFFF_FFFF);
    }
    let mut fat = vec![0xFFFF_FFFFu32; 128];
    fat[0] = 0xFFFF_FFFD;
    fat[1] = 0xFFFF_FFFE;
    for s in 0..sectors {
        fat[2 + s] = if s + 1 == sectors {
            0xFFFF_FFFE
        } else {
            (3 + s) as u32
        };
    }
    for v in fat {
        file.extend_from_slice(&v.to_le_bytes());
    }
    let entry = |name: &str, typ: u8, child: u32, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().collect();
        for (i, u) in units.iter().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[64..66].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
        e[66] = typ;
        e[67] = 1;
        e[68..72].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        e[72..76].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
        e
    };
    file.extend(entry("Root Entry", 5, 1, 0xFFFF_FFFE, 0));
    file.extend(entry("Workbook", 2, 0xFFFF_FFFF, 2, (sectors * 512) as u32));
    file.extend(vec![0u8; 256]);
    file.extend(stream);
    std::fs::write(path, file).unwrap();
}

#[test]
fn an_xls_declaring_a_huge_sheet_is_refused_before_its_reader_reserves_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let path = dir.path().join("vieux.xls");
    // 4·10⁹ rows × 256 columns declared: the reader would reserve 10¹² cells.
    xls(&path, u32::MAX);
    assert!(std::fs::metadata(&path).unwrap().len() < 8192);
    let err = refused(&smsdesk_limited(
        &db,
        1 << 20,
        &[
            "free",
            "--file",
            path.to_str().unwrap(),
            "--text",
            "Bonjour",
        ],
    ));
    assert!(err.contains("vieux.xls"), "{err}");
    assert!(err.contains("more than 8000000 cells"), "{err}");
    // A sheet declaring what it holds goes on to the reader (which finds no header here).
    xls(&path, 1);
    let out = free(&db, &path);
    assert!(
        !text(&out.stderr).contains("cells"),
        "{}",
        text(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(134));
}
