//! Spreadsheet imports: each bad file gives a clear message (what and where) and imports
//! nothing; the phone column of a free send is read whatever the spreadsheet did to it; the
//! contacts and events imports preview every row and write all valid rows at once, or none.
//!
//! Spreadsheets are generated here with rust_xlsxwriter rather than committed.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_xlsxwriter::{Format, Formula, Workbook};
use smsdesk::core::Actor;
use smsdesk::core::import::{
    check_phone_cells, import_contacts, import_events, preview_contacts, preview_events,
};
use smsdesk::core::send::check_free_list;
use smsdesk::i18n::{Describe, Lang};
use smsdesk::io::contacts::{RowIssue, read_contacts};
use smsdesk::io::events::read_events;
use smsdesk::io::import::{ImportError, Progress, phone_column, read_phone_column};
use smsdesk::io::issue::{ContactWarning, IssueReason};
use smsdesk::sms::phone::PhoneError;
use smsdesk::store::Store;
use std::path::{Path, PathBuf};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 14, 13, 7, 21)
        .single()
        .unwrap()
}

fn store_in(dir: &Path) -> Store {
    Store::open(&dir.join("store.db")).unwrap()
}

fn actor(store: &mut Store) -> Actor {
    Actor::identify(store, "mlegall", now()).unwrap()
}

/// A one-sheet workbook from rows of strings; cells starting with `#` are numbers.
fn xlsx(path: &Path, rows: &[&[&str]]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Some(n) = cell.strip_prefix('#') {
                ws.write_number(r as u32, c as u16, n.parse::<f64>().unwrap())
                    .unwrap();
            } else if !cell.is_empty() {
                ws.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

/// `phone` said STOP.
fn stop(store: &Store, phone: &str) {
    smsdesk::store::participants::opt_out(store.db(), phone, "operator", None, "mlegall", now())
        .unwrap();
}

fn participants(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT count(*) FROM participants", [], |r| r.get(0))
        .unwrap()
}

fn message(e: ImportError) -> String {
    e.to_string()
}

// ---------------------------------------------------------------------------------------------
// Bad files

#[test]
fn no_telephone_column_lists_the_columns_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liste.xlsx");
    xlsx(
        &path,
        &[
            &["Nom", "Prénom", "Portable"],
            &["Dupont", "Léa", "0612345678"],
        ],
    );
    let err = message(phone_column(&path).unwrap_err());
    assert!(err.contains("liste.xlsx"), "{err}");
    assert!(err.contains("no TELEPHONE column"), "{err}");
    assert!(err.contains("row 1"), "{err}");
    for col in ["\"Nom\"", "\"Prénom\"", "\"Portable\""] {
        assert!(err.contains(col), "{err} should list {col}");
    }
}

#[test]
fn empty_files_sheets_and_headers_without_rows_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A file of zero bytes.
    let zero = dir.path().join("zero.xlsx");
    std::fs::write(&zero, b"").unwrap();
    let err = message(phone_column(&zero).unwrap_err());
    assert!(err.contains("zero.xlsx") && err.contains("empty"), "{err}");
    // A workbook whose only sheet is blank.
    let blank = dir.path().join("blank.xlsx");
    xlsx(&blank, &[]);
    let err = message(phone_column(&blank).unwrap_err());
    assert!(err.contains("blank.xlsx") && err.contains("empty"), "{err}");
    // A header and nothing under it.
    let header_only = dir.path().join("header.xlsx");
    xlsx(&header_only, &[&["Téléphone", "Nom"]]);
    let err = message(phone_column(&header_only).unwrap_err());
    assert!(
        err.contains("row 1") && err.contains("no row below it holds data"),
        "{err}"
    );
    // An empty CSV.
    let csv = dir.path().join("vide.csv");
    std::fs::write(&csv, "\u{feff}\r\n\r\n").unwrap();
    assert!(message(phone_column(&csv).unwrap_err()).contains("empty"));
}

#[test]
fn a_text_file_renamed_xlsx_is_named_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numeros.xlsx");
    std::fs::write(&path, "TELEPHONE\n0612345678\n0698765432\n").unwrap();
    let err = message(phone_column(&path).unwrap_err());
    assert!(err.contains("numeros.xlsx"), "{err}");
    assert!(err.contains("text file"), "{err}");
    assert!(err.contains("not a spreadsheet"), "{err}");
    // A web page saved as .xls (what some tools export) too.
    let html = dir.path().join("export.xls");
    std::fs::write(
        &html,
        "<html><body><table><tr><td>TELEPHONE</td></tr></table>",
    )
    .unwrap();
    let err = message(phone_column(&html).unwrap_err());
    assert!(err.contains("web page"), "{err}");
    // And a spreadsheet saved under a .csv name.
    let xl = dir.path().join("vrai.xlsx");
    xlsx(&xl, &[&["TELEPHONE"], &["0612345678"]]);
    let as_csv = dir.path().join("faux.csv");
    std::fs::copy(&xl, &as_csv).unwrap();
    let err = message(phone_column(&as_csv).unwrap_err());
    assert!(err.contains("rename it .xlsx"), "{err}");
}

#[test]
fn a_hundred_thousand_rows_import_quickly_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.write_string(0, 0, "Nom").unwrap();
    ws.write_string(0, 1, "TÉLÉPHONE").unwrap();
    for i in 1..=100_000u32 {
        ws.write_string(i, 0, format!("Personne {i}")).unwrap();
        // Half text, half numbers that lost their leading zero.
        if i % 2 == 0 {
            ws.write_string(
                i,
                1,
                format!(
                    "06 {:02} {:02} {:02} {:02}",
                    i / 1_000_000 % 100,
                    i / 10_000 % 100,
                    i / 100 % 100,
                    i % 100
                ),
            )
            .unwrap();
        } else {
            ws.write_number(i, 1, 612_000_000.0 + f64::from(i)).unwrap();
        }
    }
    wb.save(&path).unwrap();

    let started = std::time::Instant::now();
    let mut seen: Vec<Progress> = Vec::new();
    let cells = read_phone_column(&path, &mut |p| seen.push(p)).unwrap();
    let read = started.elapsed();
    assert_eq!(cells.numbers.len(), 100_000);
    assert!(cells.problems.is_empty());
    assert_eq!(cells.numbers[0], (2, "612000001".to_string()));
    assert_eq!(cells.numbers[99_999].0, 100_001);
    let last = seen.last().unwrap();
    assert_eq!(last.rows_total, Some(100_000));
    assert_eq!(last.rows_read, 100_000);
    assert!(seen.windows(2).all(|w| w[0].rows_read <= w[1].rows_read));
    assert!(
        read.as_secs_f64() < 20.0,
        "reading 10⁵ rows took {read:?} (debug build)"
    );

    let store = store_in(dir.path());
    let started = std::time::Instant::now();
    let list = check_free_list(&store, &cells.numbers).unwrap();
    assert!(started.elapsed().as_secs_f64() < 30.0);
    assert_eq!(list.valid.len(), 100_000, "{:?}", list.invalid.first());
    assert!(
        list.valid
            .iter()
            .any(|l| l.e164.as_deref() == Some("+33612000001"))
    );
}

#[test]
fn merged_cells_in_the_phone_column_are_refused_with_their_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fusion.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let plain = Format::new();
    // A merged title above the table is harmless.
    ws.merge_range(0, 0, 0, 2, "Liste du 30 mars", &plain)
        .unwrap();
    ws.write_string(1, 0, "Nom").unwrap();
    ws.write_string(1, 1, "Telephone").unwrap();
    ws.write_string(2, 0, "Dupont").unwrap();
    ws.write_string(2, 1, "0612345678").unwrap();
    ws.write_string(3, 0, "Martin").unwrap();
    ws.write_string(4, 0, "Martin bis").unwrap();
    ws.merge_range(3, 1, 4, 1, "0698765432", &plain).unwrap();
    wb.save(&path).unwrap();
    let err = message(phone_column(&path).unwrap_err());
    assert!(err.contains("fusion.xlsx"), "{err}");
    assert!(err.contains("merged"), "{err}");
    assert!(err.contains("B4:B5"), "{err}");
    assert!(err.contains("Telephone (column B)"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");

    // The same title without merged data reads fine: the header is found under the title.
    let ok = dir.path().join("titre.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 2, "Liste du 30 mars", &plain)
        .unwrap();
    ws.write_string(2, 0, "Téléphone").unwrap();
    ws.write_string(3, 0, "06 12 34 56 78").unwrap();
    wb.save(&ok).unwrap();
    assert_eq!(
        phone_column(&ok).unwrap(),
        vec![(4, "06 12 34 56 78".to_string())]
    );
}

#[test]
fn formulas_give_their_computed_values_and_uncomputed_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("formules.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Indicatif").unwrap();
    ws.write_string(0, 1, "TELEPHONE").unwrap();
    ws.write_string(1, 0, "06").unwrap();
    // Computed by the spreadsheet when it was saved: the cached value is used.
    ws.write_formula(
        1,
        1,
        Formula::new("=A2&\"12345678\"").set_result("0612345678"),
    )
    .unwrap();
    ws.write_string(2, 1, "0698765432").unwrap();
    wb.save(&path).unwrap();
    let numbers = phone_column(&path).unwrap();
    assert_eq!(numbers.len(), 2);
    let store = store_in(dir.path());
    let list = check_free_list(&store, &numbers).unwrap();
    assert_eq!(
        list.valid
            .iter()
            .map(|l| l.e164.clone().unwrap())
            .collect::<Vec<_>>(),
        ["+33612345678", "+33698765432"]
    );

    // Saved by a program that never computed it: refused with the row and the formula.
    let raw = dir.path().join("brut.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "TELEPHONE").unwrap();
    ws.write_string(1, 0, "0612345678").unwrap();
    ws.write_formula(2, 0, "=CONCAT(\"06\",\"98765432\")")
        .unwrap();
    wb.save(&raw).unwrap();
    let err = message(phone_column(&raw).unwrap_err());
    assert!(err.contains("row 3"), "{err}");
    assert!(err.contains("CONCAT"), "{err}");
    assert!(err.contains("no computed value"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    // The preview variant lists it among the invalid rows instead.
    let cells = read_phone_column(&raw, &mut |_| {}).unwrap();
    let list = check_phone_cells(&store, &cells).unwrap();
    assert_eq!(list.valid.len(), 1);
    assert_eq!(list.invalid.len(), 1);
    assert_eq!(list.invalid[0].row, 3);
}

#[test]
fn error_and_date_cells_are_reported_with_row_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("erreurs.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Téléphone").unwrap();
    ws.write_string(1, 0, "0612345678").unwrap();
    ws.write_formula(2, 0, Formula::new("=VLOOKUP(1,Z:Z,2)").set_result("#N/A"))
        .unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    ws.write_number_with_format(3, 0, 46111.0, &date).unwrap();
    wb.save(&path).unwrap();
    let err = message(phone_column(&path).unwrap_err());
    assert!(err.contains("2 cell(s)"), "{err}");
    assert!(err.contains("row 3") && err.contains("#N/A"), "{err}");
    assert!(err.contains("row 4") && err.contains("a date"), "{err}");
    let cells = read_phone_column(&path, &mut |_| {}).unwrap();
    assert_eq!(cells.numbers, vec![(2, "0612345678".to_string())]);
    assert_eq!(
        cells.problems.iter().map(|p| p.row).collect::<Vec<_>>(),
        [3, 4]
    );
}

/// The same refusal as the operator reads it: in French on a French screen (file, rows and
/// column named in French), in English on the command line.
#[test]
fn unreadable_cells_are_named_in_the_readers_language() {
    use smsdesk::i18n::{Describe, Lang};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("erreurs.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Nom").unwrap();
    ws.write_string(0, 1, "Téléphone").unwrap();
    ws.write_string(1, 1, "0612345678").unwrap();
    ws.write_formula(2, 1, Formula::new("=VLOOKUP(1,Z:Z,2)").set_result("#N/A"))
        .unwrap();
    wb.save(&path).unwrap();
    let err = phone_column(&path).unwrap_err();
    let file = path.display().to_string();
    assert_eq!(
        err.describe(Lang::Fr),
        format!(
            "{file} : 1 cellule(s) illisible(s) — ligne 3, Téléphone (colonne B) : la cellule \
             contient une erreur (#N/A) ; rien n'a été importé"
        )
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{file}: 1 cell(s) cannot be read — row 3, Téléphone (column B): the cell holds an \
             error (#N/A); nothing was imported"
        )
    );
}

#[test]
fn telephone_column_with_numeric_cells_and_duplicates_counts_right() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("libre.xlsx");
    xlsx(
        &path,
        &[
            &["Nom", "Téléphone"],
            &["A", "#612345678"],            // lost its zero → +33612345678
            &["B", "06 12 34 56 78"],        // duplicate of row 2
            &["C", "#33698765432"],          // country code without + → +33698765432
            &["D", "+33 6 98 76 54 32"],     // duplicate of row 4
            &["E", "02 98 76 54 32"],        // landline: refused
            &["F", "#690123456"],            // Guadeloupe mobile without its zero
            &["G", "06 12"],                 // too short
            &["H", ""],                      // empty: skipped, not an error
            &["I", "0612345678;0698765432"], // two numbers in one cell
        ],
    );
    let lines = phone_column(&path).unwrap();
    assert_eq!(lines.len(), 8, "the empty cell is not a line");
    let store = store_in(dir.path());
    let list = check_free_list(&store, &lines).unwrap();
    let valid: Vec<_> = list
        .valid
        .iter()
        .map(|l| (l.row, l.e164.clone().unwrap()))
        .collect();
    assert_eq!(
        valid,
        [
            (2, "+33612345678".to_string()),
            (4, "+33698765432".to_string()),
            (7, "+590690123456".to_string()),
        ]
    );
    assert_eq!(
        list.duplicates.iter().map(|l| l.row).collect::<Vec<_>>(),
        [3, 5]
    );
    assert_eq!(
        list.invalid.iter().map(|l| l.row).collect::<Vec<_>>(),
        [6, 8, 10]
    );
    assert!(list.invalid.iter().all(|l| l.error.is_some()));
}

/// A number that said STOP is refused in a free send, whether the list is a few typed numbers
/// (the store asked about them) or a whole file (every opt-out read once).
#[test]
fn opted_out_numbers_are_refused_in_short_and_long_lists() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    stop(&store, "+33698765432");
    let stopped = (2, "06 98 76 54 32".to_string());
    let short = vec![(1, "0612345678".to_string()), stopped.clone()];
    let mut long: Vec<(usize, String)> = (0..3_000)
        .map(|i| {
            (
                i + 10,
                format!(
                    "06 12 {:02} {:02} {:02}",
                    i / 10_000,
                    i / 100 % 100,
                    i % 100
                ),
            )
        })
        .collect();
    long.insert(1_500, stopped);
    for lines in [short, long] {
        let list = check_free_list(&store, &lines).unwrap();
        let refused: Vec<_> = list
            .invalid
            .iter()
            .map(|l| (l.row, l.error.as_ref().map(ToString::to_string)))
            .collect();
        assert_eq!(
            refused,
            [(2, Some("opted out (STOP)".to_string()))],
            "{} numbers",
            lines.len()
        );
        assert_eq!(list.valid.len(), lines.len() - 1);
    }
}

#[test]
fn windows_csv_with_a_title_line_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    // "Téléphone" in Windows-1252, a title line, semicolons.
    let mut bytes = b"Liste export\xe9e le 30/03;\r\nNom;T\xe9l\xe9phone\r\n".to_vec();
    bytes.extend_from_slice(b"C\x9cur;06 12 34 56 78\r\nB;0698765432\r\n");
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(
        phone_column(&path).unwrap(),
        vec![(3, "06 12 34 56 78".into()), (4, "0698765432".into())]
    );
}

// ---------------------------------------------------------------------------------------------
// Contacts

fn contacts_file(dir: &Path) -> PathBuf {
    let path = dir.join("contacts.xlsx");
    xlsx(
        &path,
        &[
            &["Import du 14 avril"],
            &[],
            &[
                "Civilité",
                "Prénom",
                "NOM",
                "Téléphone mobile",
                "Consentement SMS",
                "Programme",
                "Ville",
            ],
            &[
                "Madame",
                "Léa",
                "Le Gall",
                "#612345678",
                "oui",
                "Garantie jeunes",
                "Lorient",
            ],
            &["M", "Hugo", "Tanguy", "06 98 76 54 32", "non", "", "Vannes"],
            &["Mme", "Zoé", "Riou", "06 12 34 56 78", "oui", "", ""], // same mobile as row 4
            &["", "", "", "06 11 11 11 11", "oui", "", ""],           // no name
            &["M.", "Rémi", "Kerbrat", "06 12", "peut-être", "", ""], // two problems
            &["Mme", "Anaïs", "Morvan", "", "", "", ""],              // no mobile, blank consent
        ],
    );
    path
}

#[test]
fn contacts_preview_lists_every_row_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(dir.path());
    actor(&mut store);
    let sheet = read_contacts(&contacts_file(dir.path()), &mut |_| {}).unwrap();
    let p = preview_contacts(&store, &sheet).unwrap();
    assert_eq!(p.header_row, 3);
    assert_eq!(p.valid.iter().map(|c| c.row).collect::<Vec<_>>(), [4, 5, 9]);
    let lea = &p.valid[0];
    assert_eq!(
        (
            lea.participant.civility.as_str(),
            lea.participant.mobile.as_deref(),
            lea.participant.sms_consent
        ),
        ("Mme", Some("+33612345678"), true)
    );
    assert_eq!(lea.participant.attributes["Ville"], "Lorient");
    assert_eq!(lea.participant.programme, "Garantie jeunes");
    assert_eq!(p.valid[1].participant.civility, "M.");
    assert!(!p.valid[1].participant.sms_consent, "non means no consent");
    assert!(
        !p.valid[2].participant.sms_consent,
        "a blank consent cell is not consent"
    );
    assert!(p.valid[2].participant.mobile.is_none());
    assert_eq!(
        p.valid[2].warnings,
        [ContactWarning::ConsentEmpty, ContactWarning::NoMobile]
    );
    assert_eq!(
        p.valid[2].warnings[1].describe(Lang::Fr),
        "pas de numéro de mobile : aucun SMS ne peut être envoyé à ce contact"
    );
    assert_eq!(p.duplicates.len(), 1);
    assert_eq!(p.duplicates[0].row, 6);
    assert_eq!(p.duplicates[0].reason, IssueReason::SameContact { row: 4 });
    assert_eq!(p.duplicates[0].reason.to_string(), "same contact as row 4");
    assert_eq!(p.invalid_rows, 2);
    let row8: Vec<_> = p.invalid.iter().filter(|i| i.row == 8).collect();
    assert_eq!(row8.len(), 2, "both problems of row 8 are listed");
    let column = |i: &RowIssue| {
        i.column
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    let mobile = row8
        .iter()
        .find(|i| column(i).contains("Téléphone mobile"))
        .expect("the mobile's problem");
    assert_eq!(column(mobile), "Téléphone mobile (column D)");
    assert!(matches!(
        mobile.reason,
        IssueReason::Phone {
            error: PhoneError::TooShort { .. }
        }
    ));
    assert!(mobile.reason.to_string().contains("too short"));
    // The header is the file's, the rest in the reader's language.
    let in_french = mobile.column.as_ref().unwrap().describe(Lang::Fr);
    assert_eq!(in_french, "Téléphone mobile (colonne D)");
    assert!(row8.iter().any(|i| column(i).contains("Consentement")));
    assert!(
        p.invalid
            .iter()
            .any(|i| i.row == 7 && i.reason == IssueReason::NoName)
    );
    // `--json` keeps the English texts.
    let json = serde_json::to_value(&p).unwrap();
    let invalid = json["invalid"].as_array().unwrap();
    assert!(
        invalid
            .iter()
            .any(|i| i["column"] == "Téléphone mobile (column D)"
                && i["reason"].as_str().unwrap().starts_with("too short"))
    );
    assert!(
        invalid
            .iter()
            .any(|i| i["reason"] == "no name: NOM and PRÉNOM are both empty")
    );
    assert_eq!(
        json["valid"][2]["warnings"],
        serde_json::json!([
            "consent cell empty: recorded as no SMS consent",
            "no mobile number: no SMS can be sent to this contact"
        ])
    );
    assert_eq!(participants(&store), 0, "a preview writes nothing");
}

#[test]
fn confirmed_contacts_are_created_together_and_duplicates_of_existing_ones_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(dir.path());
    let who = actor(&mut store);
    let path = contacts_file(dir.path());
    let sheet = read_contacts(&path, &mut |_| {}).unwrap();
    let p = preview_contacts(&store, &sheet).unwrap();
    let out = import_contacts(&mut store, &who, &p, now()).unwrap();
    assert_eq!(out.created.len(), 3);
    assert_eq!(participants(&store), 3);
    let (first, last, mobile): (String, String, String) = store
        .conn()
        .query_row(
            "SELECT first_name, last_name, mobile FROM participants WHERE id = ?1",
            [out.created[0]],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((first.as_str(), last.as_str()), ("Léa", "Le Gall"));
    assert_eq!(mobile, "+33612345678");
    let audited: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'participants.import' AND actor = 'mlegall'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);

    // The same file again: every contact is now a duplicate of an existing participant.
    let again = preview_contacts(&store, &read_contacts(&path, &mut |_| {}).unwrap()).unwrap();
    assert!(again.valid.is_empty());
    assert_eq!(again.duplicates.len(), 4);
    assert!(again.duplicates.iter().any(|d| {
        d.row == 4
            && d.reason
                .to_string()
                .contains("already belongs to participant")
    }));
    assert!(import_contacts(&mut store, &who, &again, now()).is_err());
    assert_eq!(participants(&store), 3);
}

#[test]
fn a_failure_on_one_contact_imports_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(dir.path());
    let who = actor(&mut store);
    let sheet = read_contacts(&contacts_file(dir.path()), &mut |_| {}).unwrap();
    let p = preview_contacts(&store, &sheet).unwrap();
    // The disk, a constraint, anything: the third insert fails.
    store
        .conn()
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON participants WHEN new.last_name = 'Morvan'
             BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
        )
        .unwrap();
    let err = import_contacts(&mut store, &who, &p, now()).unwrap_err();
    assert!(err.to_string().contains("simulated failure"), "{err}");
    assert_eq!(participants(&store), 0, "nothing half-done");
}

#[test]
fn a_contacts_file_without_a_name_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sans_nom.xlsx");
    xlsx(
        &path,
        &[&["Téléphone", "Ville"], &["0612345678", "Lorient"]],
    );
    let err = message(read_contacts(&path, &mut |_| {}).unwrap_err());
    assert!(err.contains("no NOM (or PRÉNOM) column"), "{err}");
    assert!(err.contains("\"Téléphone\", \"Ville\""), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Events

#[test]
fn events_are_previewed_then_created_with_their_reminders() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    smsdesk::demo::create(&db, 3, "mlegall", now()).unwrap();
    let mut store = Store::open(&db).unwrap();
    let who = actor(&mut store);
    let mobile: String = store
        .conn()
        .query_row(
            "SELECT mobile FROM participants p WHERE mobile LIKE '+336%' AND sms_consent = 1
               AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = p.mobile)
               AND (SELECT count(*) FROM participants q WHERE q.mobile = p.mobile) = 1
             ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let national = format!("0{}", &mobile[3..]);
    let in_a_week = (now() + Duration::days(7))
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    let day = in_a_week.format("%d/%m/%Y").to_string();
    let path = dir.path().join("rdv.xlsx");
    xlsx(
        &path,
        &[
            &["Téléphone", "Nature", "Type", "Date", "Heure", "Lieu"],
            &[
                &national,
                "Entretien",
                "Diagnostic",
                &day,
                "14h30",
                "Antenne Lanester",
            ],
            &[
                &national,
                "Entretien",
                "Diagnostic",
                &day,
                "14:30",
                "Antenne Lanester",
            ], // repeat
            &[&national, "Étape", "Atelier CV", "01/01/2020", "10:00", ""], // past
            &["06 00 00 00 01", "Entretien", "Suivi", &day, "09:00", ""],   // unknown
            &[&national, "Réunion", "", &day, "11:00", ""],                 // bad kind
            &[&national, "Entretien", "", "bientôt", "", ""],               // bad date
        ],
    );
    let sheet = read_events(&path, &mut |_| {}).unwrap();
    let events_before: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    let p = preview_events(&store, &sheet, now()).unwrap();
    assert_eq!(p.valid.len(), 1, "{:?}", p.invalid);
    assert_eq!(
        p.valid[0].starts_local,
        format!("{} 14:30", in_a_week.format("%Y-%m-%d"))
    );
    assert_eq!(p.duplicates.len(), 1);
    assert_eq!(p.duplicates[0].row, 3);
    assert_eq!(p.invalid_rows, 4);
    let reason = |row: usize| {
        p.invalid
            .iter()
            .find(|i| i.row == row)
            .map(|i| i.reason.to_string())
            .unwrap_or_default()
    };
    assert!(reason(4).contains("past"), "{}", reason(4));
    assert!(reason(5).contains("no participant"), "{}", reason(5));
    assert!(reason(6).contains("not an event kind"), "{}", reason(6));
    assert!(reason(7).contains("not a date"), "{}", reason(7));

    let out = import_events(&mut store, &who, &p, now()).unwrap();
    assert_eq!(out.created.len(), 1);
    let events_after: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events_after, events_before + 1);
    let (kind, local, location): (String, String, String) = store
        .conn()
        .query_row(
            "SELECT kind, starts_local, location FROM events WHERE id = ?1",
            [out.created[0]],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(kind, "interview");
    assert_eq!(local, format!("{} 14:30:00", in_a_week.format("%Y-%m-%d")));
    assert_eq!(location, "Antenne Lanester");
    // Importing the same file again creates nothing more.
    let again = preview_events(&store, &read_events(&path, &mut |_| {}).unwrap(), now()).unwrap();
    assert!(again.valid.is_empty());
    assert_eq!(again.duplicates.len(), 2);
}

/// `import contacts --json` writes its preview as the rows are checked (issue 15): the
/// document is the same as the whole preview serialised at once — valid rows with their
/// warnings (an opted-out number), duplicates and invalid rows with row, column and reason.
#[test]
fn the_streamed_json_preview_is_the_whole_preview_document() {
    #[derive(serde::Serialize)]
    struct Document<'a> {
        preview: &'a smsdesk::core::import::ContactsPreview,
        imported: Option<()>,
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(dir.path());
    let actor = actor(&mut store);
    stop(&store, "+33698765432");
    let path = contacts_file(dir.path());
    let whole = preview_contacts(&store, &read_contacts(&path, &mut |_| {}).unwrap()).unwrap();
    assert!(!whole.duplicates.is_empty() && !whole.invalid.is_empty());
    assert!(
        whole.valid[1].warnings.contains(&ContactWarning::OptedOut),
        "{:?}",
        whole.valid[1]
    );
    let mut expected = serde_json::to_string(&Document {
        preview: &whole,
        imported: None,
    })
    .unwrap();
    expected.push('\n');
    let mut streamed = Vec::new();
    smsdesk::cli::io::import_to(
        &mut store,
        &actor,
        smsdesk::cli::io::Import {
            what: "contacts",
            file: &path,
            yes: false,
            json: true,
            now: now(),
        },
        &mut |_| {},
        &mut streamed,
    )
    .unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), expected);
}
