//! Reading `.xlsx`, `.xls`, `.ods` and `.csv` files: recipient numbers for free sends (the
//! column headed `TELEPHONE`, whatever its case, accents or spacing) and whole tables for the
//! contacts and events imports.
//!
//! Nothing is imported when the file cannot be read as a whole, and the error says what and
//! where: a file that is not what its name says (a text file renamed `.xlsx`, an HTML page
//! saved as `.xls`), an empty sheet, a header row without the wanted column (the columns found
//! are listed), cells merged across rows in a column that is read (each row must hold its own
//! value), formulas saved without their computed value, error cells (`#N/A`…). Spreadsheet
//! quirks are absorbed: title rows above the header, numeric cells that lost their leading
//! zero (`612345678`), CSV in UTF-8 (with or without BOM) or Windows-1252 with `;`, `,` or tab.

use calamine::{Data, Dimensions, Ods, Range, Reader, Sheets, Xls, Xlsx, open_workbook};
use chrono::{NaiveDate, NaiveDateTime};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// The header that names the phone column, normalised.
pub const PHONE_HEADER: &str = "TELEPHONE";

/// A file larger than this many rows is refused rather than read half-way.
pub const MAX_ROWS: usize = 1_000_000;

/// How many non-empty rows may come before the header (titles, dates, notes above a table).
pub const HEADER_SEARCH_ROWS: usize = 20;

/// At most this many problems are spelled out in one message; the rest are counted.
const SHOWN_PROBLEMS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {reason}")]
    Open { file: String, reason: String },
    #[error("{file}: unsupported file type (use .xlsx, .xls, .ods or .csv)")]
    UnsupportedType { file: String },
    #[error(
        "{file}: named .{named} but it is {looks_like}, not a spreadsheet; save it from your spreadsheet program as .xlsx (or .csv), then import that file"
    )]
    NotASpreadsheet {
        file: String,
        named: String,
        looks_like: String,
    },
    #[error("{file}: the file has no sheet")]
    NoSheet { file: String },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: the header is on row {header_row} but no row below it holds data")]
    NoData { file: String, header_row: usize },
    #[error("{file}: no TELEPHONE column in the header row (row {row}); columns found: {found}")]
    NoPhoneColumn {
        file: String,
        row: usize,
        found: String,
    },
    #[error("{file}: no {wanted} column in the header row (row {row}); columns found: {found}")]
    MissingColumn {
        file: String,
        row: usize,
        wanted: String,
        found: String,
    },
    #[error(
        "{file}: column {column} has cells merged across rows ({ranges}); unmerge them so that each row holds its own value — nothing was imported"
    )]
    Merged {
        file: String,
        column: String,
        ranges: String,
    },
    #[error("{file}: {count} cell(s) cannot be read — {problems}; nothing was imported")]
    Cells {
        file: String,
        count: usize,
        problems: String,
    },
    #[error("{file}: row {row}: {reason}")]
    Row {
        file: String,
        row: usize,
        reason: String,
    },
    #[error("{file}: more than {limit} rows; split the file")]
    TooManyRows { file: String, limit: usize },
}

/// Upper case, accents and everything but letters and digits removed: `Téléphone ` → `TELEPHONE`.
pub fn normalise_header(s: &str) -> String {
    s.nfkd()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A numeric cell as the digits a person typed: `612345678.0` → `612345678`.
pub fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
            return Err("a date, not a phone number".into());
        }
        Data::Error(e) => return Err(format!("the cell holds an error ({e})")),
    })
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Tables

/// One cell of an imported table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date or date-time cell, as shown in the sheet (no timezone).
    DateTime(NaiveDateTime),
    /// A cell with no usable value (an error such as `#N/A`, a formula saved without its
    /// result), with the reason.
    Problem(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text: trimmed, numbers as typed (`612345678`, not `612345678.0`), dates as
    /// `YYYY-MM-DD HH:MM`. A problem cell gives its reason as the error.
    pub fn text(&self) -> Result<String, String> {
        match self {
            Cell::Empty => Ok(String::new()),
            Cell::Text(s) => Ok(s.trim().to_string()),
            Cell::Number(f) => Ok(number_text(*f)),
            Cell::Bool(b) => Ok(if *b { "oui" } else { "non" }.to_string()),
            Cell::DateTime(t) => Ok(t.format("%Y-%m-%d %H:%M").to_string()),
            Cell::Problem(reason) => Err(reason.clone()),
        }
    }

    fn from_data(d: &Data) -> Cell {
        match d {
            Data::Empty => Cell::Empty,
            Data::String(s) if s.trim().is_empty() => Cell::Empty,
            Data::String(s) => Cell::Text(s.clone()),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) => {
                let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
                if dt.is_duration() {
                    return Cell::Problem("a duration, not a value this column expects".into());
                }
                NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
                    .and_then(|day| day.and_hms_opt(u32::from(h), u32::from(mi), u32::from(s)))
                    .map(Cell::DateTime)
                    .unwrap_or_else(|| Cell::Problem("a date outside the calendar".into()))
            }
            Data::DateTimeIso(s) => parse_iso(s)
                .map(Cell::DateTime)
                .unwrap_or_else(|| Cell::Text(s.clone())),
            Data::DurationIso(_) => {
                Cell::Problem("a duration, not a value this column expects".into())
            }
            Data::Error(e) => Cell::Problem(format!("the cell holds an error ({e})")),
        }
    }
}

fn parse_iso(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
}

/// One data row: its 1-based row number in the file and its cells, aligned on the headers.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    pub row: usize,
    pub cells: Vec<Cell>,
}

impl TableRow {
    /// The cell in column `col` (empty when the row is shorter).
    pub fn get(&self, col: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.cells.get(col).unwrap_or(&EMPTY)
    }
}

/// A block of cells merged into one: 1-based rows, columns as indexes into the headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Merge {
    pub first_row: usize,
    pub last_row: usize,
    pub first_col: usize,
    pub last_col: usize,
}

/// A sheet (or CSV file) read as a table: the header row found, then every row below it that
/// holds something.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub file: String,
    /// The sheet read (None for CSV).
    pub sheet: Option<String>,
    /// 1-based row of the header.
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    /// Spreadsheet column letter of each header (`A`, `B`… ; `1`, `2`… for CSV).
    pub letters: Vec<String>,
    pub merged: Vec<Merge>,
}

impl Table {
    /// The first column whose normalised header is one of `names` (already normalised, e.g.
    /// `TELEPHONE`), in the order of `names`.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        let normalised: Vec<String> = self.headers.iter().map(|h| normalise_header(h)).collect();
        names
            .iter()
            .find_map(|name| normalised.iter().position(|h| h == name))
    }

    /// How a column is named in messages: `TELEPHONE (column C)`.
    pub fn column_name(&self, col: usize) -> String {
        let header = self
            .headers
            .get(col)
            .map(|h| crate::text::sanitize(h.trim()).to_string())
            .unwrap_or_default();
        match self.letters.get(col) {
            Some(letter) if self.sheet.is_some() => format!("{header} (column {letter})"),
            _ => header,
        }
    }

    /// Refuses cells merged across rows, below the header, in any of the columns `cols`: only
    /// the first row of such a block holds the value, the others would be read as empty.
    pub fn check_merged(&self, cols: &[usize]) -> Result<(), ImportError> {
        for &col in cols {
            let ranges: Vec<String> = self
                .merged
                .iter()
                .filter(|m| {
                    m.last_row > m.first_row
                        && m.last_row > self.header_row
                        && (m.first_col..=m.last_col).contains(&col)
                })
                .map(|m| {
                    let first = self.letters.get(m.first_col).cloned().unwrap_or_default();
                    let last = self.letters.get(m.last_col).cloned().unwrap_or_default();
                    format!("{first}{}:{last}{}", m.first_row, m.last_row)
                })
                .collect();
            if !ranges.is_empty() {
                return Err(ImportError::Merged {
                    file: self.file.clone(),
                    column: self.column_name(col),
                    ranges: shown_list(&ranges),
                });
            }
        }
        Ok(())
    }
}

/// Where a long read stands, for a progress indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Data rows read so far.
    pub rows_read: usize,
    /// Rows in the sheet, once known.
    pub rows_total: Option<usize>,
}

/// Reads the first sheet whose header row (among its first [`HEADER_SEARCH_ROWS`] non-empty
/// rows) satisfies `is_header` (given the header texts). When no sheet has one, `missing`
/// builds the error from the first non-empty row of the first sheet (its number and the
/// columns it shows).
pub fn read_table(
    path: &Path,
    is_header: &dyn Fn(&[String]) -> bool,
    missing: &dyn Fn(usize, String) -> ImportError,
    progress: &mut dyn FnMut(Progress),
) -> Result<Table, ImportError> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    progress(Progress {
        rows_read: 0,
        rows_total: None,
    });
    let head = first_bytes(path, &file)?;
    if head.is_empty() {
        return Err(ImportError::Empty { file });
    }
    let kind = sniff(&head);
    let table = match (ext.as_str(), kind) {
        ("csv" | "txt", Sniffed::Zip | Sniffed::Ole) => {
            return Err(ImportError::Open {
                file,
                reason: format!(
                    "named .{ext} but it is an Excel or OpenDocument file; rename it .xlsx (or .ods) and import it again"
                ),
            });
        }
        ("csv" | "txt", _) => csv_table(path, &file, is_header, missing, progress)?,
        ("xlsx" | "xlsm" | "xls" | "xlsb" | "ods", Sniffed::Zip | Sniffed::Ole) => {
            sheet_table(path, &file, &ext, kind, is_header, missing, progress)?
        }
        ("xlsx" | "xlsm" | "xls" | "xlsb" | "ods", other) => {
            return Err(ImportError::NotASpreadsheet {
                file,
                named: ext,
                looks_like: other.describe().into(),
            });
        }
        _ => return Err(ImportError::UnsupportedType { file }),
    };
    if table.rows.is_empty() {
        return Err(ImportError::NoData {
            file: table.file,
            header_row: table.header_row,
        });
    }
    let total = table.rows.len();
    progress(Progress {
        rows_read: total,
        rows_total: Some(total),
    });
    Ok(table)
}

fn first_bytes(path: &Path, file: &str) -> Result<Vec<u8>, ImportError> {
    let mut f = File::open(path).map_err(|e| ImportError::Open {
        file: file.to_string(),
        reason: e.to_string(),
    })?;
    let mut buf = vec![0u8; 512];
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => {
                return Err(ImportError::Open {
                    file: file.to_string(),
                    reason: e.to_string(),
                });
            }
        }
    }
    buf.truncate(n);
    Ok(buf)
}

/// What the first bytes of a file say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sniffed {
    /// A zip archive: `.xlsx`, `.ods` (or another zip).
    Zip,
    /// An OLE compound file: `.xls`.
    Ole,
    Pdf,
    Html,
    Text,
    Binary,
}

impl Sniffed {
    fn describe(self) -> &'static str {
        match self {
            Sniffed::Zip | Sniffed::Ole => "a spreadsheet",
            Sniffed::Pdf => "a PDF document",
            Sniffed::Html => "a web page (HTML)",
            Sniffed::Text => "a text file",
            Sniffed::Binary => "an unknown binary file",
        }
    }
}

fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(b"PK\x03\x04") {
        return Sniffed::Zip;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Sniffed::Ole;
    }
    if head.starts_with(b"%PDF") {
        return Sniffed::Pdf;
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<')
        && (text.contains("<html") || text.contains("<table") || text.contains("<!doctype"))
    {
        return Sniffed::Html;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'))
        .count();
    if control == 0 {
        Sniffed::Text
    } else {
        Sniffed::Binary
    }
}

fn open_error(file: &str, e: impl std::fmt::Display) -> ImportError {
    ImportError::Open {
        file: file.to_string(),
        reason: format!("not a readable spreadsheet ({e})"),
    }
}

/// Opens by content, not by name: an `.xls` that is really an `.xlsx` (or the reverse) is read
/// all the same.
fn open_sheets(
    path: &Path,
    file: &str,
    ext: &str,
    kind: Sniffed,
) -> Result<Sheets<BufReader<File>>, ImportError> {
    match kind {
        Sniffed::Ole => open_workbook::<Xls<_>, _>(path)
            .map(Sheets::Xls)
            .map_err(|e| open_error(file, e)),
        _ if ext == "ods" => open_workbook::<Ods<_>, _>(path)
            .map(Sheets::Ods)
            .or_else(|e| {
                open_workbook::<Xlsx<_>, _>(path)
                    .map(Sheets::Xlsx)
                    .map_err(|_| open_error(file, e))
            }),
        _ if ext == "xlsb" => open_workbook::<calamine::Xlsb<_>, _>(path)
            .map(Sheets::Xlsb)
            .map_err(|e| open_error(file, e)),
        _ => open_workbook::<Xlsx<_>, _>(path)
            .map(Sheets::Xlsx)
            .or_else(|e| {
                open_workbook::<Ods<_>, _>(path)
                    .map(Sheets::Ods)
                    .map_err(|_| open_error(file, e))
            }),
    }
}

fn merges_of(wb: &mut Sheets<BufReader<File>>, sheet: &str) -> Vec<Dimensions> {
    match wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        Sheets::Xlsb(_) | Sheets::Ods(_) => Vec::new(),
    }
}

/// `A`, `B`, … `Z`, `AA`… for a 0-based column.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The header candidate rows of a sheet: (index in the range, texts).
fn header_candidates(range: &Range<Data>) -> Vec<(usize, Vec<String>)> {
    range
        .rows()
        .enumerate()
        .filter(|(_, cells)| cells.iter().any(|c| !Cell::from_data(c).is_empty()))
        .take(HEADER_SEARCH_ROWS)
        .map(|(i, cells)| {
            (
                i,
                cells
                    .iter()
                    .map(|c| Cell::from_data(c).text().unwrap_or_default())
                    .collect(),
            )
        })
        .collect()
}

fn sheet_table(
    path: &Path,
    file: &str,
    ext: &str,
    kind: Sniffed,
    is_header: &dyn Fn(&[String]) -> bool,
    missing: &dyn Fn(usize, String) -> ImportError,
    progress: &mut dyn FnMut(Progress),
) -> Result<Table, ImportError> {
    let mut wb = open_sheets(path, file, ext, kind)?;
    let names = wb.sheet_names();
    if names.is_empty() {
        return Err(ImportError::NoSheet {
            file: file.to_string(),
        });
    }
    // The first non-empty row of the first sheet with data, for the error message.
    let mut first_seen: Option<(usize, Vec<String>)> = None;
    for name in &names {
        let range = wb.worksheet_range(name).map_err(|e| ImportError::Open {
            file: file.to_string(),
            reason: format!("sheet \"{}\": {e}", crate::text::sanitize(name)),
        })?;
        if range.height() > MAX_ROWS {
            return Err(ImportError::TooManyRows {
                file: file.to_string(),
                limit: MAX_ROWS,
            });
        }
        let (first_row, first_col) = range
            .start()
            .map(|(r, c)| (r as usize, c as usize))
            .unwrap_or((0, 0));
        let candidates = header_candidates(&range);
        let Some((index, headers)) = candidates.iter().find(|(_, h)| is_header(h)).cloned() else {
            // The row that looks most like a header: the one with the most cells filled.
            if first_seen.is_none()
                && let Some((i, h)) = candidates.iter().rev().max_by_key(|(_, h)| filled(h))
            {
                first_seen = Some((first_row + i + 1, h.clone()));
            }
            continue;
        };
        let total = range.height().saturating_sub(index + 1);
        progress(Progress {
            rows_read: 0,
            rows_total: Some(total),
        });
        let formulas = wb.worksheet_formula(name).ok();
        let merged = merges_of(&mut wb, name)
            .into_iter()
            .filter(|d| d.end.1 as usize >= first_col)
            .map(|d| Merge {
                first_row: d.start.0 as usize + 1,
                last_row: d.end.0 as usize + 1,
                first_col: (d.start.1 as usize).saturating_sub(first_col),
                last_col: d.end.1 as usize - first_col,
            })
            .collect();
        let width = range.width();
        let mut rows = Vec::new();
        for (i, cells) in range.rows().enumerate().skip(index + 1) {
            let row = first_row + i + 1;
            let mut out: Vec<Cell> = cells.iter().map(Cell::from_data).collect();
            if let Some(f) = &formulas {
                for (j, cell) in out.iter_mut().enumerate() {
                    let pos = ((first_row + i) as u32, (first_col + j) as u32);
                    let uncomputed = match cell {
                        Cell::Empty => true,
                        Cell::Number(n) => *n == 0.0,
                        _ => false,
                    };
                    if uncomputed
                        && let Some(formula) = f.get_value(pos).filter(|s| !s.trim().is_empty())
                    {
                        *cell = Cell::Problem(format!(
                            "the formula ={} has no computed value (the file was saved without calculating it: open it in a spreadsheet program and save it again)",
                            crate::text::sanitize(formula)
                        ));
                    }
                }
            }
            if out.iter().any(|c| !c.is_empty()) {
                rows.push(TableRow { row, cells: out });
            }
            if i % 10_000 == 0 {
                progress(Progress {
                    rows_read: i - index,
                    rows_total: Some(total),
                });
            }
        }
        let letters = (0..width.max(headers.len()))
            .map(|j| column_letter(first_col + j))
            .collect();
        return Ok(Table {
            file: file.to_string(),
            sheet: Some(name.clone()),
            header_row: first_row + index + 1,
            headers,
            rows,
            letters,
            merged,
        });
    }
    match first_seen {
        Some((row, headers)) => Err(missing(row, shown_columns(&headers))),
        None => Err(ImportError::Empty {
            file: file.to_string(),
        }),
    }
}

/// Windows-1252 bytes 0x80–0x9F (the rest of the range is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

fn decode_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e
            .into_bytes()
            .iter()
            .map(|&b| match b {
                0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect(),
    }
}

fn csv_table(
    path: &Path,
    file: &str,
    is_header: &dyn Fn(&[String]) -> bool,
    missing: &dyn Fn(usize, String) -> ImportError,
    progress: &mut dyn FnMut(Progress),
) -> Result<Table, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::Open {
        file: file.to_string(),
        reason: e.to_string(),
    })?;
    // Spreadsheets export CSV in UTF-8 (with or without BOM) or Windows-1252; accept both.
    let text = decode_text(bytes);
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.matches(*d as char).count())
        .unwrap_or(b';');
    let lines_total = text.lines().count();
    progress(Progress {
        rows_read: 0,
        rows_total: Some(lines_total),
    });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<(usize, Vec<String>)> = None;
    let mut first_seen: Option<(usize, Vec<String>)> = None;
    let mut seen = 0usize;
    let mut rows = Vec::new();
    // Row numbers are the file's line numbers where each record starts (a quoted cell may
    // span lines), counted from byte offsets.
    let bytes = text.as_bytes();
    let (mut counted_to, mut line) = (0usize, 1usize);
    let mut line_at = |mut byte: usize| {
        // The reader counts a CRLF's `\n` as the start of the next record: skip line ends.
        while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte > counted_to {
            line += bytes[counted_to..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            counted_to = byte;
        }
        line
    };
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Row {
            file: file.to_string(),
            row: e.position().map(|p| p.line() as usize).unwrap_or(0),
            reason: format!("not valid CSV ({e})"),
        })?;
        let row = record
            .position()
            .map(|p| line_at(p.byte() as usize))
            .unwrap_or(0);
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        let blank = cells.iter().all(|c| c.trim().is_empty());
        if header.is_none() {
            if blank {
                continue;
            }
            if is_header(&cells) {
                header = Some((row, cells));
            } else {
                if first_seen
                    .as_ref()
                    .is_none_or(|(_, best)| filled(&cells) > filled(best))
                {
                    first_seen = Some((row, cells));
                }
                seen += 1;
                if seen >= HEADER_SEARCH_ROWS {
                    break;
                }
            }
            continue;
        }
        if blank {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(ImportError::TooManyRows {
                file: file.to_string(),
                limit: MAX_ROWS,
            });
        }
        rows.push(TableRow {
            row,
            cells: cells
                .into_iter()
                .map(|c| {
                    if c.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(c)
                    }
                })
                .collect(),
        });
        if rows.len() % 10_000 == 0 {
            progress(Progress {
                rows_read: row,
                rows_total: Some(lines_total),
            });
        }
    }
    let Some((header_row, headers)) = header else {
        return match first_seen {
            Some((row, h)) => Err(missing(row, shown_columns(&h))),
            None => Err(ImportError::Empty {
                file: file.to_string(),
            }),
        };
    };
    let letters = (1..=headers.len()).map(|i| i.to_string()).collect();
    Ok(Table {
        file: file.to_string(),
        sheet: None,
        header_row,
        headers,
        rows,
        letters,
        merged: Vec::new(),
    })
}

fn filled(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

fn shown_columns(names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| format!("\"{}\"", crate::text::sanitize(n.trim())))
        .collect();
    if shown.is_empty() {
        "none".into()
    } else {
        shown.join(", ")
    }
}

/// `a, b, c and 4 more`.
fn shown_list(items: &[String]) -> String {
    let mut s = items
        .iter()
        .take(SHOWN_PROBLEMS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN_PROBLEMS {
        s.push_str(&format!(" and {} more", items.len() - SHOWN_PROBLEMS));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// The phone column of a free send

/// A cell that cannot be used, with where it is and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CellProblem {
    pub row: usize,
    pub column: String,
    pub input: String,
    pub reason: String,
}

/// The phone column of a file: the numbers as typed with their rows, and the cells that hold
/// no usable text (errors, dates, formulas without a value).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PhoneCells {
    pub file: String,
    /// The header as written in the file (e.g. `Téléphone`).
    pub header: String,
    pub header_row: usize,
    pub numbers: Vec<(usize, String)>,
    pub problems: Vec<CellProblem>,
}

fn has_phone_header(headers: &[String]) -> bool {
    headers.iter().any(|h| normalise_header(h) == PHONE_HEADER)
}

/// Reads the phone column with a progress callback (large files take a few seconds).
pub fn read_phone_column(
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<PhoneCells, ImportError> {
    let file = path.display().to_string();
    let missing = |row: usize, found: String| ImportError::NoPhoneColumn {
        file: file.clone(),
        row,
        found,
    };
    let table = read_table(path, &has_phone_header, &missing, progress)?;
    let col = table.column(&[PHONE_HEADER]).unwrap_or(0);
    table.check_merged(&[col])?;
    let column = table.column_name(col);
    let mut out = PhoneCells {
        file: table.file.clone(),
        header: table.headers.get(col).cloned().unwrap_or_default(),
        header_row: table.header_row,
        ..Default::default()
    };
    for r in &table.rows {
        let cell = r.get(col);
        let problem = match cell {
            Cell::DateTime(t) => Some((
                t.format("%d/%m/%Y").to_string(),
                "a date, not a phone number".to_string(),
            )),
            Cell::Problem(reason) => Some((String::new(), reason.clone())),
            _ => None,
        };
        if let Some((input, reason)) = problem {
            out.problems.push(CellProblem {
                row: r.row,
                column: column.clone(),
                input,
                reason,
            });
            continue;
        }
        match cell.text() {
            Ok(t) if t.is_empty() => {}
            Ok(t) => out.numbers.push((r.row, t)),
            Err(reason) => out.problems.push(CellProblem {
                row: r.row,
                column: column.clone(),
                input: String::new(),
                reason,
            }),
        }
    }
    if out.numbers.is_empty() && out.problems.is_empty() {
        return Err(ImportError::NoData {
            file: out.file,
            header_row: out.header_row,
        });
    }
    Ok(out)
}

/// The non-empty cells of the phone column, with their 1-based row numbers in the file. A
/// file whose phone column holds unreadable cells (errors, dates, formulas without a value) is
/// refused with each row and reason: nothing is imported half-way.
pub fn phone_column(path: &Path) -> Result<Vec<(usize, String)>, ImportError> {
    phone_column_with_progress(path, &mut |_| {})
}

/// [`phone_column`] with a progress callback.
pub fn phone_column_with_progress(
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<(usize, String)>, ImportError> {
    let cells = read_phone_column(path, progress)?;
    if !cells.problems.is_empty() {
        return Err(cells_error(&cells.file, &cells.problems));
    }
    Ok(cells.numbers)
}

/// One error naming every unreadable cell (the first few spelled out).
pub fn cells_error(file: &str, problems: &[CellProblem]) -> ImportError {
    let listed: Vec<String> = problems
        .iter()
        .map(|p| format!("row {}, {}: {}", p.row, p.column, p.reason))
        .collect();
    ImportError::Cells {
        file: file.to_string(),
        count: problems.len(),
        problems: shown_list(&listed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_whatever_their_case_accents_and_spacing() {
        for h in [
            "TELEPHONE",
            "Téléphone",
            " télé phone ",
            "TÉLÉPHONE",
            "telephone:",
        ] {
            assert_eq!(normalise_header(h), PHONE_HEADER, "{h}");
        }
        assert_ne!(normalise_header("Mobile"), PHONE_HEADER);
    }

    #[test]
    fn numeric_cells_keep_their_digits() {
        assert_eq!(cell_text(&Data::Float(612345678.0)).unwrap(), "612345678");
        assert_eq!(cell_text(&Data::Int(33612345678)).unwrap(), "33612345678");
        assert_eq!(Cell::Number(612345678.0).text().unwrap(), "612345678");
    }

    #[test]
    fn column_letters_follow_the_spreadsheet() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn files_are_recognised_by_their_first_bytes() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Zip);
        assert_eq!(sniff(b"TELEPHONE;NOM\n0612345678;Dupont\n"), Sniffed::Text);
        assert_eq!(sniff(b"<html><table>"), Sniffed::Html);
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Pdf);
        assert_eq!(sniff(&[0, 1, 2, 3]), Sniffed::Binary);
    }

    #[test]
    fn windows_1252_text_is_decoded() {
        // "Cœur" and a curly apostrophe as a French Windows spreadsheet writes them.
        assert_eq!(
            decode_text(b"C\x9cur l\x92\xe9t\xe9".to_vec()),
            "Cœur l’été"
        );
    }
}
