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
//! zero (`612345678`), CSV in UTF-8 (with or without BOM), UTF-16 with BOM or — said in the
//! preview — Windows-1252, with `;`, `,` or tab.
//!
//! A hostile or broken file is refused, never allowed to exhaust memory: see [`limits`].

use calamine::Data;
use chrono::{NaiveDate, NaiveDateTime};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

mod sheets;
mod text;
mod xls;

pub use text::{CsvEncoding, EncodingProblem, csv_encoding, decode_csv};

/// The header that names the phone column, normalised.
pub const PHONE_HEADER: &str = "TELEPHONE";

/// A file larger than this many rows is refused rather than read half-way.
pub const MAX_ROWS: usize = limits::MAX_ROWS;

/// What a file may hold before it is refused, whatever it declares: memory must follow the data
/// present and stay bounded (an allocation failure aborts the process, it cannot be caught).
pub mod limits {
    /// Data rows (below the header) of any file, `.csv` or spreadsheet.
    pub const MAX_ROWS: usize = 1_000_000;
    /// Non-empty cells kept (in columns with a header), all rows together.
    pub const MAX_CELLS: usize = 16_000_000;
    /// Cells in one row of a sheet (the widest an `.xlsx` can be).
    pub const MAX_ROW_CELLS: usize = 16_384;
    /// Uncompressed size of one part of an `.xlsx`/`.ods` zip (a sheet's XML).
    pub const MAX_PART_BYTES: u64 = 512 << 20;
    /// Uncompressed size of the shared strings, all held in memory by the reader.
    pub const MAX_SHARED_STRINGS_BYTES: u64 = 128 << 20;
    /// Uncompressed size of all the parts together.
    pub const MAX_ZIP_BYTES: u64 = 1 << 30;
    /// Compression ratio beyond which a part is a zip bomb, not a spreadsheet (checked on
    /// parts over [`RATIO_FLOOR`] bytes; real sheets compress 5 to 50 times).
    pub const MAX_RATIO: u64 = 400;
    pub const RATIO_FLOOR: u64 = 8 << 20;
    /// Cells an `.ods` expands to (its reader builds the whole grid, repeated rows and columns
    /// included).
    pub const MAX_ODS_CELLS: u64 = 5_000_000;
    /// Size of a `.csv` file (it is read whole to decide its encoding).
    pub const MAX_CSV_BYTES: u64 = 256 << 20;
}

/// How many non-empty rows may come before the header (titles, dates, notes above a table).
pub const HEADER_SEARCH_ROWS: usize = 20;

/// At most this many problems are spelled out in one message; the rest are counted.
const SHOWN_PROBLEMS: usize = 10;

crate::typed_messages! {
    /// Why a file cannot be imported at all, naming it (texts: `[import_error]`).
    #[derive(Debug)]
    pub enum ImportError in "import_error" {
        Open { file: String, reason: ReadFailure },
        UnsupportedType { file: String },
        NotASpreadsheet {
            file: String,
            named: String,
            looks_like: FileKind,
        },
        NoSheet { file: String },
        Empty { file: String },
        NoData { file: String, header_row: usize },
        NoPhoneColumn {
            file: String,
            row: usize,
            found: FoundColumns,
        },
        MissingColumn {
            file: String,
            row: usize,
            wanted: WantedColumns,
            found: FoundColumns,
        },
        Merged {
            file: String,
            column: Column,
            ranges: Vec<String>,
            more: Option<AndMore>,
        },
        Cells {
            file: String,
            count: usize,
            problems: Vec<CellAt>,
            more: Option<AndMore>,
        },
        Row {
            file: String,
            row: usize,
            problem: Box<RowProblem>,
        },
        TooManyRows { file: String, limit: usize },
        /// The file is larger, or would grow larger in memory, than any import needs.
        TooLarge { file: String, what: TooLarge },
        /// The spreadsheet reader failed on the file (a panic caught).
        Crashed { file: String, reason: String },
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    /// The system refused to open or read `file` (what it said is kept, in English).
    pub(crate) fn system(file: &str, e: &std::io::Error) -> ImportError {
        ImportError::Open {
            file: file.to_string(),
            reason: ReadFailure::System {
                error: e.to_string(),
            },
        }
    }
}

crate::typed_messages! {
    /// Why a file could not be opened or read (texts: `[read_failure]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ReadFailure in "read_failure" {
        /// What the system said (English, as the system wrote it).
        System { error: String },
        /// A spreadsheet named `.csv` or `.txt`.
        SpreadsheetNamedText { ext: String },
        NotReadable { error: String },
        Sheet { sheet: String, error: String },
        Encoding { problem: EncodingProblem },
    }
}

crate::typed_messages! {
    /// What a file that is not a spreadsheet looks like (texts: `[file_kind]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum FileKind in "file_kind" {
        Spreadsheet,
        Pdf,
        Html,
        Text,
        Binary,
    }
}

crate::typed_messages! {
    /// The columns a header row shows, in a refusal that did not find the wanted one (texts:
    /// `[found_columns]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum FoundColumns in "found_columns" {
        Listed { columns: String },
        Nothing,
    }
}

crate::typed_messages! {
    /// The header a reader looks for (texts: `[wanted_columns]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum WantedColumns in "wanted_columns" {
        Name,
        PhoneAndDate,
    }
}

crate::typed_messages! {
    /// A column as messages name it: its header, and its letter in spreadsheets (texts:
    /// `[column]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Column in "column" {
        Named { header: String },
        Lettered { header: String, letter: String },
    }
}

impl serde::Serialize for Column {
    /// In English, as the command line shows it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

crate::typed_messages! {
    /// The end of a list cut short (texts: `[and_more]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum AndMore in "and_more" {
        More { count: usize },
    }
}

crate::typed_messages! {
    /// A problem with one row of a file as a whole (texts: `[row_problem]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum RowProblem in "row_problem" {
        NotValidCsv { error: String },
        Encoding { problem: EncodingProblem },
    }
}

crate::typed_messages! {
    /// Why a cell holds no usable value (texts: `[cell_problem]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CellIssue in "cell_problem" {
        DateNotPhone,
        ErrorValue { error: String },
        Duration,
        OutsideCalendar,
        /// A formula saved without its computed value.
        Uncomputed { formula: String },
        ControlCharacters,
        NoDate,
        NotADate,
        BadDate,
        BadTime,
        NoTime,
    }
}

impl serde::Serialize for FileNotice {
    /// In English, as the command line shows it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl serde::Serialize for CellIssue {
    /// In English, as the command line shows it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl CellIssue {
    /// Packed in [`Rows`]: a code and the text it holds.
    fn code(&self) -> (u64, &str) {
        match self {
            CellIssue::DateNotPhone => (0, ""),
            CellIssue::ErrorValue { error } => (1, error),
            CellIssue::Duration => (2, ""),
            CellIssue::OutsideCalendar => (3, ""),
            CellIssue::Uncomputed { formula } => (4, formula),
            CellIssue::ControlCharacters => (5, ""),
            CellIssue::NoDate => (6, ""),
            CellIssue::NotADate => (7, ""),
            CellIssue::BadDate => (8, ""),
            CellIssue::BadTime => (9, ""),
            CellIssue::NoTime => (10, ""),
        }
    }

    fn from_code(code: u64, text: String) -> CellIssue {
        match code {
            0 => CellIssue::DateNotPhone,
            1 => CellIssue::ErrorValue { error: text },
            2 => CellIssue::Duration,
            4 => CellIssue::Uncomputed { formula: text },
            5 => CellIssue::ControlCharacters,
            6 => CellIssue::NoDate,
            7 => CellIssue::NotADate,
            8 => CellIssue::BadDate,
            9 => CellIssue::BadTime,
            10 => CellIssue::NoTime,
            _ => CellIssue::OutsideCalendar,
        }
    }
}

crate::typed_messages! {
    /// An unreadable cell in a list of them (texts: `[cell_at]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CellAt in "cell_at" {
        At { row: usize, column: Column, reason: CellIssue },
    }
}

crate::typed_messages! {
    /// What makes a file too large to import (texts: `[too_large]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TooLarge in "too_large" {
        // Every reader
        Cells { limit: usize },
        /// A row wider than a sheet: cells of a spreadsheet, fields of a CSV.
        RowCells { row: u64, limit: usize },
        // Zipped spreadsheets
        Part { part: String, mib: u64, limit_mib: u64 },
        ZipBomb { part: String, ratio: u64, packed: u64, mib: u64, max_ratio: u64 },
        Zip { mib: u64, limit_mib: u64 },
        SharedStrings { declared: u64, size: u64, part: String },
        // One reader's own limits
        OdsCells { limit: u64 },
        XlsBytes { mib: u64, limit_mib: u64 },
        XlsBackwards { first: u64, last: u64 },
        XlsCells { limit: u64, grid: u64 },
        CsvBytes { mib: u64, limit_mib: u64 },
    }
}

crate::typed_messages! {
    /// About a file as a whole, shown with its preview (texts: `[file_notice]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum FileNotice in "file_notice" {
        Windows1252 = "windows_1252",
    }
}

crate::typed_messages! {
    /// A panic of a file reader, caught: its message (texts: `[read_panic]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ReadPanic in "read_panic" {
        Panicked { reason: String },
    }
}

/// Upper case, accents and everything but letters and digits removed: `Téléphone ` → `TELEPHONE`.
pub fn normalise_header(s: &str) -> String {
    if s.is_ascii() {
        // The same result without decomposing: ASCII has no accents to remove.
        return s
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_uppercase()))
            .collect();
    }
    s.nfkd()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A numeric cell as the digits a person typed: `612345678.0` → `612345678`.
pub fn cell_text(cell: &Data) -> Result<String, CellIssue> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
            return Err(CellIssue::DateNotPhone);
        }
        Data::Error(e) => {
            return Err(CellIssue::ErrorValue {
                error: e.to_string(),
            });
        }
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
    Problem(CellIssue),
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
    /// people read and type them (`25/03/2026 14:30`, see [`crate::i18n::dates`]). A problem
    /// cell gives its reason as the error.
    pub fn text(&self) -> Result<String, CellIssue> {
        match self {
            Cell::Empty => Ok(String::new()),
            Cell::Text(s) => Ok(s.trim().to_string()),
            Cell::Number(f) => Ok(number_text(*f)),
            Cell::Bool(b) => Ok(if *b { "oui" } else { "non" }.to_string()),
            Cell::DateTime(t) => Ok(crate::i18n::dates::day_time(*t)),
            Cell::Problem(reason) => Err(reason.clone()),
        }
    }

    /// [`Cell::from_data`] of a value the caller gives away: a text is moved, not copied.
    pub(crate) fn from_owned_data(d: Data) -> Cell {
        match d {
            Data::String(s) if !s.trim().is_empty() => Cell::Text(s),
            other => Cell::from_data(&other),
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
                    return Cell::Problem(CellIssue::Duration);
                }
                NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
                    .and_then(|day| day.and_hms_opt(u32::from(h), u32::from(mi), u32::from(s)))
                    .map(Cell::DateTime)
                    .unwrap_or(Cell::Problem(CellIssue::OutsideCalendar))
            }
            Data::DateTimeIso(s) => parse_iso(s)
                .map(Cell::DateTime)
                .unwrap_or_else(|| Cell::Text(s.clone())),
            Data::DurationIso(_) => Cell::Problem(CellIssue::Duration),
            Data::Error(e) => Cell::Problem(CellIssue::ErrorValue {
                error: e.to_string(),
            }),
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

/// One data row: its 1-based row number in the file and its non-empty cells, by column
/// (0-based, `A` = 0; the field's position in a CSV line), in column order. Rows are sparse:
/// a cell far to the right costs one entry, not the whole width.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    pub row: usize,
    pub cells: Vec<(usize, Cell)>,
}

impl TableRow {
    /// The text of the cell in column `col`, as [`Cell::text`] gives it; a text already trimmed
    /// is moved out of the row rather than copied (an empty text is left in its place), other
    /// cells stay as they are.
    pub fn take_text(&mut self, col: usize) -> Result<String, CellIssue> {
        let Ok(i) = self.cells.binary_search_by_key(&col, |(c, _)| *c) else {
            return Ok(String::new());
        };
        match &mut self.cells[i].1 {
            Cell::Text(s) if s.trim().len() == s.len() => Ok(std::mem::take(s)),
            other => other.text(),
        }
    }

    /// The cell in column `col` (empty when the row has none there).
    pub fn get(&self, col: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .map(|i| &self.cells[i].1)
            .unwrap_or(&EMPTY)
    }
}

/// The data rows of a table, packed into one buffer: a million rows cost their text and a few
/// bytes each rather than a vector and a string per cell. Read back with [`Rows::iter`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    bytes: Vec<u8>,
    len: usize,
    cells: usize,
}

const TAG_TEXT: u8 = 1;
const TAG_NUMBER: u8 = 2;
const TAG_BOOL: u8 = 3;
const TAG_DATE: u8 = 4;
const TAG_PROBLEM: u8 = 5;

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn get_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while let Some(&b) = bytes.get(*at) {
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 || shift > 56 {
            break;
        }
        shift += 7;
    }
    v
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

pub(crate) fn get_str(bytes: &[u8], at: &mut usize) -> String {
    let n = get_varint(bytes, at) as usize;
    let end = (*at + n).min(bytes.len());
    let s = String::from_utf8_lossy(&bytes[*at..end]).into_owned();
    *at = end;
    s
}

fn get_8(bytes: &[u8], at: &mut usize) -> [u8; 8] {
    let mut b = [0u8; 8];
    if let Some(src) = bytes.get(*at..*at + 8) {
        b.copy_from_slice(src);
    }
    *at += 8;
    b
}

impl Rows {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Non-empty cells kept, all rows together.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Adds a row (cells in column order; empty cells are not stored).
    pub fn push(&mut self, row: usize, cells: &[(usize, Cell)]) {
        let b = &mut self.bytes;
        put_varint(b, row as u64);
        let kept = cells.iter().filter(|(_, c)| *c != Cell::Empty).count();
        put_varint(b, kept as u64);
        for (col, cell) in cells {
            match cell {
                Cell::Empty => continue,
                Cell::Text(s) => {
                    put_varint(b, *col as u64);
                    b.push(TAG_TEXT);
                    put_str(b, s);
                }
                Cell::Number(f) => {
                    put_varint(b, *col as u64);
                    b.push(TAG_NUMBER);
                    b.extend_from_slice(&f.to_le_bytes());
                }
                Cell::Bool(v) => {
                    put_varint(b, *col as u64);
                    b.push(TAG_BOOL);
                    b.push(u8::from(*v));
                }
                Cell::DateTime(t) => {
                    put_varint(b, *col as u64);
                    b.push(TAG_DATE);
                    b.extend_from_slice(&t.and_utc().timestamp().to_le_bytes());
                }
                Cell::Problem(problem) => {
                    put_varint(b, *col as u64);
                    b.push(TAG_PROBLEM);
                    let (code, text) = problem.code();
                    put_varint(b, code);
                    put_str(b, text);
                }
            }
        }
        self.len += 1;
        self.cells += kept;
    }

    /// The rows in file order, each unpacked as it is reached.
    pub fn iter(&self) -> impl Iterator<Item = TableRow> + '_ {
        let bytes = &self.bytes;
        let mut at = 0usize;
        (0..self.len).map(move |_| {
            let row = get_varint(bytes, &mut at) as usize;
            let n = get_varint(bytes, &mut at) as usize;
            let mut cells = Vec::with_capacity(n.min(64));
            for _ in 0..n {
                let col = get_varint(bytes, &mut at) as usize;
                let tag = bytes.get(at).copied().unwrap_or(0);
                at += 1;
                let cell = match tag {
                    TAG_TEXT => Cell::Text(get_str(bytes, &mut at)),
                    TAG_NUMBER => Cell::Number(f64::from_le_bytes(get_8(bytes, &mut at))),
                    TAG_BOOL => {
                        let v = bytes.get(at).copied().unwrap_or(0) != 0;
                        at += 1;
                        Cell::Bool(v)
                    }
                    TAG_DATE => {
                        let secs = i64::from_le_bytes(get_8(bytes, &mut at));
                        chrono::DateTime::from_timestamp(secs, 0)
                            .map(|t| Cell::DateTime(t.naive_utc()))
                            .unwrap_or(Cell::Problem(CellIssue::OutsideCalendar))
                    }
                    _ => {
                        let code = get_varint(bytes, &mut at);
                        Cell::Problem(CellIssue::from_code(code, get_str(bytes, &mut at)))
                    }
                };
                cells.push((col, cell));
            }
            TableRow { row, cells }
        })
    }
}

/// A block of cells merged into one: 1-based rows, 0-based columns (`A` = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Merge {
    pub first_row: usize,
    pub last_row: usize,
    pub first_col: usize,
    pub last_col: usize,
}

/// A sheet (or CSV file) read as a table: the header row found, then every row below it that
/// holds something in a column with a header (other columns are not kept).
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub file: String,
    /// The sheet read (None for CSV).
    pub sheet: Option<String>,
    /// 1-based row of the header.
    pub header_row: usize,
    /// The header row by column (`A` = 0; the field's position in a CSV line), empty where a
    /// column has no header.
    pub headers: Vec<String>,
    pub rows: Rows,
    pub merged: Vec<Merge>,
    /// About the file as a whole, to show with its preview (e.g. how a CSV was decoded).
    pub notices: Vec<FileNotice>,
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

    /// How a column is named in messages: `TELEPHONE (column C)`, in English.
    pub fn column_name(&self, col: usize) -> String {
        self.column_named(col).to_string()
    }

    /// How a column is named in messages, in the reader's language.
    pub fn column_named(&self, col: usize) -> Column {
        let header = self
            .headers
            .get(col)
            .map(|h| crate::text::sanitize(h.trim()).to_string())
            .unwrap_or_default();
        if self.sheet.is_some() {
            Column::Lettered {
                header,
                letter: column_letter(col),
            }
        } else {
            Column::Named { header }
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
                    format!(
                        "{}{}:{}{}",
                        column_letter(m.first_col),
                        m.first_row,
                        column_letter(m.last_col),
                        m.last_row
                    )
                })
                .collect();
            if !ranges.is_empty() {
                let (ranges, more) = shown_list(ranges);
                return Err(ImportError::Merged {
                    file: self.file.clone(),
                    column: self.column_named(col),
                    ranges,
                    more,
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
///
/// Memory follows the cells present, not the size a sheet declares: `.xlsx` and `.xlsb` are
/// read cell by cell, zip parts are checked before they are inflated, and the rows, cells and
/// bytes read are bounded (see [`limits`]). A panic of the spreadsheet reader on a damaged file
/// becomes an error naming the file.
pub fn read_table(
    path: &Path,
    is_header: &dyn Fn(&[String]) -> bool,
    missing: &dyn Fn(usize, FoundColumns) -> ImportError,
    progress: &mut dyn FnMut(Progress),
) -> Result<Table, ImportError> {
    read_table_keeping(path, is_header, &|_| true, missing, progress)
}

/// [`read_table`] keeping only the cells of the columns whose header `keep` accepts (the
/// header row is kept whole, for messages).
pub fn read_table_keeping(
    path: &Path,
    is_header: &dyn Fn(&[String]) -> bool,
    keep: &dyn Fn(&str) -> bool,
    missing: &dyn Fn(usize, FoundColumns) -> ImportError,
    progress: &mut dyn FnMut(Progress),
) -> Result<Table, ImportError> {
    let shown = path.display().to_string();
    guarded(&shown, || {
        let file = shown.clone();
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
                    reason: ReadFailure::SpreadsheetNamedText { ext },
                });
            }
            ("csv" | "txt", _) => text::csv_table(path, &file, is_header, keep, missing, progress)?,
            ("xlsx" | "xlsm" | "xls" | "xlsb" | "ods", Sniffed::Zip | Sniffed::Ole) => {
                let zip = kind == Sniffed::Zip;
                sheets::sheet_table(path, &file, &ext, zip, is_header, keep, missing, progress)?
            }
            ("xlsx" | "xlsm" | "xls" | "xlsb" | "ods", other) => {
                return Err(ImportError::NotASpreadsheet {
                    file,
                    named: ext,
                    looks_like: other.kind(),
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
    })
}

thread_local! {
    /// Set while this thread runs a guarded read: a panic there is reported as an error, so the
    /// panic hooks stay quiet (and the TUI's does not restore the terminal under itself).
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the current thread is inside [`catch_read`] (for panic hooks).
pub fn reading_in_guard() -> bool {
    GUARDED.with(|g| g.get())
}

/// Runs `f`, turning a panic into `Err` with the panic's message: a damaged file must not take
/// the process (or the TUI and its scheduler) down. An allocation failure aborts and cannot be
/// caught: the limits of [`limits`] are what prevent it.
pub fn catch_read<T>(f: impl FnOnce() -> T) -> Result<T, ReadPanic> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if reading_in_guard() {
                tracing::error!("file reader panicked: {info}");
            } else {
                previous(info);
            }
        }));
    });
    let was = GUARDED.with(|g| g.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    out.map_err(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown error".into());
        ReadPanic::Panicked {
            reason: crate::text::sanitize(&what).to_string(),
        }
    })
}

fn guarded<T>(file: &str, f: impl FnOnce() -> Result<T, ImportError>) -> Result<T, ImportError> {
    catch_read(f).unwrap_or_else(|ReadPanic::Panicked { reason }| {
        Err(ImportError::Crashed {
            file: file.to_string(),
            reason,
        })
    })
}

fn first_bytes(path: &Path, file: &str) -> Result<Vec<u8>, ImportError> {
    let mut f = File::open(path).map_err(|e| ImportError::system(file, &e))?;
    let mut buf = vec![0u8; 512];
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(ImportError::system(file, &e)),
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
    fn kind(self) -> FileKind {
        match self {
            Sniffed::Zip | Sniffed::Ole => FileKind::Spreadsheet,
            Sniffed::Pdf => FileKind::Pdf,
            Sniffed::Html => FileKind::Html,
            Sniffed::Text => FileKind::Text,
            Sniffed::Binary => FileKind::Binary,
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

fn filled(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

fn shown_columns(names: &[String]) -> FoundColumns {
    let shown: Vec<String> = names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| format!("\"{}\"", crate::text::sanitize(n.trim())))
        .collect();
    if shown.is_empty() {
        FoundColumns::Nothing
    } else {
        FoundColumns::Listed {
            columns: shown.join(", "),
        }
    }
}

/// The first few items, and how many more there are: `a, b, c and 4 more`.
fn shown_list<T>(mut items: Vec<T>) -> (Vec<T>, Option<AndMore>) {
    let more = (items.len() > SHOWN_PROBLEMS).then(|| AndMore::More {
        count: items.len() - SHOWN_PROBLEMS,
    });
    items.truncate(SHOWN_PROBLEMS);
    (items, more)
}

// ---------------------------------------------------------------------------------------------
// The phone column of a free send

/// A cell that cannot be used, with where it is and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CellProblem {
    pub row: usize,
    pub column: Column,
    pub input: String,
    pub reason: CellIssue,
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
    /// About the file as a whole, to show with the preview (e.g. how a CSV was decoded).
    pub notices: Vec<FileNotice>,
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
    let missing = |row: usize, found: FoundColumns| ImportError::NoPhoneColumn {
        file: file.clone(),
        row,
        found,
    };
    // Only the phone column is kept: the other cells are not needed.
    let is_phone = |h: &str| normalise_header(h) == PHONE_HEADER;
    let table = read_table_keeping(path, &has_phone_header, &is_phone, &missing, progress)?;
    let col = table.column(&[PHONE_HEADER]).unwrap_or(0);
    table.check_merged(&[col])?;
    let column = table.column_named(col);
    let mut out = PhoneCells {
        file: table.file.clone(),
        header: table.headers.get(col).cloned().unwrap_or_default(),
        header_row: table.header_row,
        notices: table.notices.clone(),
        ..Default::default()
    };
    for r in table.rows.iter() {
        let cell = r.get(col);
        let problem = match cell {
            Cell::DateTime(t) => Some((crate::i18n::dates::day(t.date()), CellIssue::DateNotPhone)),
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
    let listed: Vec<CellAt> = problems
        .iter()
        .map(|p| CellAt::At {
            row: p.row,
            column: p.column.clone(),
            reason: p.reason.clone(),
        })
        .collect();
    let (problems_shown, more) = shown_list(listed);
    ImportError::Cells {
        file: file.to_string(),
        count: problems.len(),
        problems: problems_shown,
        more,
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
        // ASCII texts take a shortcut with the same result.
        for h in [
            "Nom de famille",
            "e-mail",
            "TEL:2",
            "  oui ",
            "M.",
            "x_y-z 09",
            "",
        ] {
            let decomposed: String = h
                .nfkd()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_uppercase)
                .filter(char::is_ascii_alphanumeric)
                .collect();
            assert_eq!(normalise_header(h), decomposed, "{h}");
        }
    }

    #[test]
    fn numeric_cells_keep_their_digits() {
        assert_eq!(cell_text(&Data::Float(612345678.0)).unwrap(), "612345678");
        assert_eq!(cell_text(&Data::Int(33612345678)).unwrap(), "33612345678");
        assert_eq!(Cell::Number(612345678.0).text().unwrap(), "612345678");
    }

    /// A date cell reads as people write dates (a date in a name column is shown so).
    #[test]
    fn date_cells_read_day_first() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 3, 25)
            .and_then(|d| d.and_hms_opt(14, 30, 0))
            .unwrap();
        assert_eq!(Cell::DateTime(t).text().unwrap(), "25/03/2026 14:30");
    }

    /// A date-time for the cells of the tests: 30/03/2026 14:05.
    fn afternoon() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 30)
            .and_then(|d| d.and_hms_opt(14, 5, 0))
            .unwrap()
    }

    /// A text taken out of a row is the text [`Cell::text`] gives, whatever the cell.
    #[test]
    fn texts_taken_out_of_a_row_are_the_cells_texts() {
        let day = afternoon();
        let cells = vec![
            (0, Cell::Text("Léa".into())),
            (1, Cell::Text("  Le Floch\u{a0}".into())),
            (2, Cell::Number(612345678.0)),
            (3, Cell::Bool(true)),
            (4, Cell::DateTime(day)),
            (5, Cell::Problem(CellIssue::Duration)),
        ];
        let mut row = TableRow { row: 4, cells };
        let kept = row.clone();
        for col in 0..8 {
            assert_eq!(row.take_text(col), kept.get(col).text(), "{col}");
        }
        // What is not a text stays: a number in a name column is still seen as one.
        assert_eq!(row.get(2), &Cell::Number(612345678.0));
        assert_eq!(row.get(4), &Cell::DateTime(day));
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
    fn packed_rows_give_back_every_kind_of_cell() {
        let day = afternoon();
        let cells = vec![
            (0, Cell::Text("Léa".into())),
            (2, Cell::Number(612345678.0)),
            (3, Cell::Bool(true)),
            (700, Cell::DateTime(day)),
            (
                16_383,
                Cell::Problem(CellIssue::ErrorValue {
                    error: "#N/A".into(),
                }),
            ),
        ];
        let mut rows = Rows::default();
        rows.push(4, &cells);
        rows.push(1_000_000, &[(1, Cell::Text(String::new()))]);
        let back: Vec<TableRow> = rows.iter().collect();
        assert_eq!(back[0], TableRow { row: 4, cells });
        assert_eq!(back[0].get(1), &Cell::Empty);
        assert_eq!(back[0].get(700), &Cell::DateTime(day));
        assert_eq!(back[1].row, 1_000_000);
        assert_eq!((rows.len(), rows.cells()), (2, 6));
    }

    #[test]
    fn a_panic_while_reading_becomes_an_error_with_its_message() {
        assert!(!reading_in_guard());
        let out: Result<(), ReadPanic> = catch_read(|| {
            assert!(reading_in_guard());
            panic!("attempt to subtract with overflow")
        });
        assert_eq!(
            out,
            Err(ReadPanic::Panicked {
                reason: "attempt to subtract with overflow".to_string()
            })
        );
        assert!(!reading_in_guard(), "the guard ends with the read");
        assert_eq!(catch_read(|| 7), Ok(7));
    }

    #[test]
    fn refusals_read_in_french_and_in_english() {
        use crate::i18n::{Describe, Lang};
        let row = ImportError::Row {
            file: "liste.csv".into(),
            row: 7,
            problem: Box::new(RowProblem::Encoding {
                problem: EncodingProblem::Mixed {
                    line: 7,
                    byte: 0xE9,
                },
            }),
        };
        assert_eq!(
            row.describe(Lang::Fr),
            "liste.csv : ligne 7 : l'octet 0xE9 n'est pas de l'UTF-8 alors que le reste du \
             fichier l'est : le fichier mélange deux encodages et des noms seraient abîmés ; \
             enregistrez-le de nouveau en « CSV UTF-8 »"
        );
        assert_eq!(
            row.to_string(),
            "liste.csv: row 7: byte 0xE9 is not UTF-8 while the rest of the file is: the file \
             mixes two encodings and names would be damaged; save it again as \"CSV UTF-8\""
        );
        let large = ImportError::TooLarge {
            file: "x.csv".into(),
            what: TooLarge::CsvBytes {
                mib: 300,
                limit_mib: 256,
            },
        };
        assert_eq!(
            large.describe(Lang::Fr),
            "x.csv : 300 Mio, au-delà de la limite de 256 Mio pour un fichier CSV ; découpez \
             le fichier ; rien n'a été importé"
        );
        assert_eq!(
            large.to_string(),
            "x.csv: 300 MiB, over the 256 MiB limit for a CSV file; split the file; nothing was \
             imported"
        );
    }

    #[test]
    fn files_are_recognised_by_their_first_bytes() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Zip);
        assert_eq!(sniff(b"TELEPHONE;NOM\n0612345678;Dupont\n"), Sniffed::Text);
        assert_eq!(sniff(b"<html><table>"), Sniffed::Html);
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Pdf);
        assert_eq!(sniff(&[0, 1, 2, 3]), Sniffed::Binary);
    }
}
