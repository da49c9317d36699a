//! Reading spreadsheets without trusting what they declare: zip parts checked before they are
//! inflated, `.xlsx`/`.xlsb` read cell by cell (never as a grid of the declared size), `.ods`
//! measured before its reader expands repeated rows and columns, and only the cells of columns
//! with a header kept.

use super::limits::{
    MAX_CELLS, MAX_ODS_CELLS, MAX_PART_BYTES, MAX_RATIO, MAX_ROW_CELLS, MAX_ROWS,
    MAX_SHARED_STRINGS_BYTES, MAX_ZIP_BYTES, RATIO_FLOOR,
};
use super::{
    Cell, CellIssue, HEADER_SEARCH_ROWS, ImportError, Merge, Progress, ReadFailure, Rows, Table,
    TooLarge, filled,
};
use calamine::{Data, Dimensions, Ods, Reader, Xls, Xlsb, Xlsx, XlsxFormulaMetadata};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

const MIB: u64 = 1 << 20;

fn open_error(file: &str, e: impl std::fmt::Display) -> ImportError {
    ImportError::Open {
        file: file.to_string(),
        reason: ReadFailure::NotReadable {
            error: e.to_string(),
        },
    }
}

fn too_large(file: &str, what: TooLarge) -> ImportError {
    ImportError::TooLarge {
        file: file.to_string(),
        what,
    }
}

fn sheet_error(file: &str, sheet: &str, e: impl std::fmt::Display) -> ImportError {
    ImportError::Open {
        file: file.to_string(),
        reason: ReadFailure::Sheet {
            sheet: crate::text::sanitize(sheet).to_string(),
            error: e.to_string(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The zip container

/// Opens a file as a zip archive (`.xlsx`, `.ods`): its directory read, no part inflated.
fn open_zip(path: &Path, file: &str) -> Result<zip::ZipArchive<BufReader<File>>, ImportError> {
    let f = File::open(path).map_err(|e| ImportError::system(file, &e))?;
    zip::ZipArchive::new(BufReader::new(f)).map_err(|e| open_error(file, e))
}

/// Checks the zip's central directory before any part is inflated: each part's uncompressed
/// size and compression ratio, their total, and the shared-strings count the reader reserves
/// room for. The zip reader fails on a part that inflates beyond its declared size, so the
/// declared sizes bound what is read.
pub(super) fn check_zip(path: &Path, file: &str) -> Result<(), ImportError> {
    let mut zip = open_zip(path, file)?;
    let mut total = 0u64;
    let mut shared_strings = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| open_error(file, e))?;
        let name = entry
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("#{i}"));
        let shown = crate::text::sanitize(&name).to_string();
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        let is_strings = name.ends_with("sharedStrings.xml");
        let limit = if is_strings {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_PART_BYTES
        };
        if size > limit {
            return Err(too_large(
                file,
                TooLarge::Part {
                    part: shown,
                    mib: size.div_ceil(MIB),
                    limit_mib: limit / MIB,
                },
            ));
        }
        if size > RATIO_FLOOR && size / packed.max(1) > MAX_RATIO {
            return Err(too_large(
                file,
                TooLarge::ZipBomb {
                    part: shown,
                    ratio: size / packed.max(1),
                    packed,
                    mib: size.div_ceil(MIB),
                    max_ratio: MAX_RATIO,
                },
            ));
        }
        if is_strings {
            shared_strings.push((name, size));
        }
    }
    if total > MAX_ZIP_BYTES {
        return Err(too_large(
            file,
            TooLarge::Zip {
                mib: total.div_ceil(MIB),
                limit_mib: MAX_ZIP_BYTES / MIB,
            },
        ));
    }
    // The reader reserves room for the count the shared strings declare, before reading them.
    for (name, size) in shared_strings {
        let Ok(entry) = zip.by_name(&name) else {
            continue;
        };
        let mut head = Vec::with_capacity(4096);
        let _ = entry.take(4096).read_to_end(&mut head);
        let declared = declared_count(&head);
        // Each string takes at least `<si/>`: five bytes.
        let room = size / 5 + 16;
        if declared.is_some_and(|n| n > room || n > MAX_CELLS as u64) {
            return Err(too_large(
                file,
                TooLarge::SharedStrings {
                    declared: declared.unwrap_or_default(),
                    size,
                    part: crate::text::sanitize(&name).to_string(),
                },
            ));
        }
    }
    Ok(())
}

/// The `uniqueCount` of an `<sst>` start tag.
fn declared_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let at = text.find("uniqueCount=")? + "uniqueCount=".len();
    let rest = text[at..].trim_start_matches(['"', '\'']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    // More digits than a u64 holds is as absurd as a huge number.
    Some(digits.parse().unwrap_or(u64::MAX))
}

/// Measures the grid the `.ods` reader would build (it expands repeated rows and columns into
/// cells, for every sheet, when the file is opened) and refuses one beyond [`MAX_ODS_CELLS`].
pub(super) fn check_ods(path: &Path, file: &str) -> Result<(), ImportError> {
    use quick_xml::events::Event;
    let mut zip = open_zip(path, file)?;
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    // Per sheet: rows from the first non-empty one to the last, the widest row.
    let (mut rows, mut pending, mut width, mut total) = (0u64, 0u64, 0u64, 0u64);
    // Per row: its repeat count, cells kept so far, empty cells waiting for a value.
    let (mut repeat, mut kept, mut waiting) = (1u64, 0u64, 0u64);
    let max_rows = 1_048_576u64;
    let max_cols = 16_384u64;
    let number = |e: &quick_xml::events::BytesStart<'_>, key: &str| -> u64 {
        e.try_get_attribute(key)
            .ok()
            .flatten()
            .and_then(|a| a.value.trim().parse().ok())
            .unwrap_or(1)
    };
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| open_error(file, e))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let closed = matches!(event, Event::Empty(_));
                match e.name().as_ref() {
                    "table:table" => (rows, pending, width) = (0, 0, 0),
                    "table:table-row" => {
                        repeat = number(e, "table:number-rows-repeated").min(max_rows);
                        (kept, waiting) = (0, 0);
                        if closed {
                            pending = pending.saturating_add(repeat);
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" => {
                        let n = number(e, "table:number-columns-repeated").min(max_cols);
                        let valued = !closed
                            || e.attributes().flatten().any(|a| {
                                let k = a.key.as_ref();
                                k.starts_with("office:") || k == "table:formula"
                            });
                        if valued {
                            kept = (kept + waiting + n).min(max_cols);
                            waiting = 0;
                        } else {
                            waiting = (waiting + n).min(max_cols);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => match e.name().as_ref() {
                "table:table-row" => {
                    if kept > 0 {
                        width = width.max(kept);
                        let before = if rows == 0 { 0 } else { pending };
                        rows = (rows + before + repeat).min(max_rows);
                        pending = 0;
                    } else {
                        pending = pending.saturating_add(repeat);
                    }
                }
                "table:table" => {
                    total = total.saturating_add(rows.saturating_mul(width));
                    (rows, pending, width) = (0, 0, 0);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        if total.saturating_add(rows.saturating_mul(width)) > MAX_ODS_CELLS {
            return Err(too_large(
                file,
                TooLarge::OdsCells {
                    limit: MAX_ODS_CELLS,
                },
            ));
        }
        buf.clear();
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Rows to a table

/// Whether to go on reading a sheet.
pub(super) enum Step {
    More,
    /// No header among the first rows: this sheet is not the table.
    NoHeader,
}

/// Builds a table from rows given one at a time: finds the header among the first non-empty
/// rows, then keeps the cells of the columns that have a header, within the limits.
pub(super) struct Builder<'a> {
    file: &'a str,
    is_header: &'a dyn Fn(&[String]) -> bool,
    /// Which headed columns are kept (all by default).
    pub keep_header: &'a dyn Fn(&str) -> bool,
    progress: &'a mut dyn FnMut(Progress),
    pub total: Option<usize>,
    pub header: Option<(usize, Vec<String>)>,
    keep: Vec<bool>,
    looked: usize,
    /// The fullest row seen where the header was looked for (for the error when none is).
    pub best: Option<(usize, Vec<String>)>,
    pub rows: Rows,
}

impl<'a> Builder<'a> {
    pub fn new(
        file: &'a str,
        is_header: &'a dyn Fn(&[String]) -> bool,
        progress: &'a mut dyn FnMut(Progress),
    ) -> Builder<'a> {
        Builder {
            file,
            is_header,
            keep_header: &any_column,
            progress,
            total: None,
            header: None,
            keep: Vec::new(),
            looked: 0,
            best: None,
            rows: Rows::default(),
        }
    }

    /// Whether a cell of column `col` can be kept: any before the header is found (it may be
    /// in any column), then only those of the columns kept. Readers skip the others before
    /// making a cell of them.
    pub fn wants(&self, col: usize) -> bool {
        self.header.is_none() || self.keep.get(col).copied().unwrap_or(false)
    }

    /// One row (1-based number) and its cells by 0-based column, in any order.
    pub fn row(&mut self, row: usize, mut cells: Vec<(usize, Cell)>) -> Result<Step, ImportError> {
        cells.retain(|(_, c)| !c.is_empty());
        if cells.is_empty() {
            return Ok(Step::More);
        }
        cells.sort_by_key(|(c, _)| *c);
        cells.dedup_by_key(|(c, _)| *c);
        if self.header.is_none() {
            let width = cells.last().map(|(c, _)| c + 1).unwrap_or(0);
            let mut texts = vec![String::new(); width];
            for (c, cell) in &cells {
                texts[*c] = cell.text().unwrap_or_default();
            }
            if (self.is_header)(&texts) {
                self.keep = texts
                    .iter()
                    .map(|t| !t.trim().is_empty() && (self.keep_header)(t))
                    .collect();
                self.header = Some((row, texts));
                (self.progress)(Progress {
                    rows_read: 0,
                    rows_total: self.total,
                });
                return Ok(Step::More);
            }
            if self
                .best
                .as_ref()
                .is_none_or(|(_, best)| filled(&texts) > filled(best))
            {
                self.best = Some((row, texts));
            }
            self.looked += 1;
            return Ok(if self.looked >= HEADER_SEARCH_ROWS {
                Step::NoHeader
            } else {
                Step::More
            });
        }
        cells.retain(|(c, _)| self.keep.get(*c).copied().unwrap_or(false));
        if cells.is_empty() {
            return Ok(Step::More);
        }
        if self.rows.len() >= MAX_ROWS {
            return Err(ImportError::TooManyRows {
                file: self.file.to_string(),
                limit: MAX_ROWS,
            });
        }
        if self.rows.cells() + cells.len() > MAX_CELLS {
            return Err(too_large(self.file, TooLarge::Cells { limit: MAX_CELLS }));
        }
        self.rows.push(row, &cells);
        if self.rows.len().is_multiple_of(10_000) {
            (self.progress)(Progress {
                rows_read: self.rows.len(),
                rows_total: self.total,
            });
        }
        Ok(Step::More)
    }
}

fn any_column(_: &str) -> bool {
    true
}

/// Groups cells given in row order into rows for the builder. Returns whether the header was
/// found (false when the sheet ended, or gave up, without one).
fn feed(
    b: &mut Builder<'_>,
    next: &mut dyn FnMut() -> Result<Option<(u32, u32, Cell)>, ImportError>,
) -> Result<bool, ImportError> {
    let mut current: Option<u32> = None;
    let mut cells: Vec<(usize, Cell)> = Vec::new();
    // The row's non-empty cells, kept or not (the limit is on what the row holds).
    let mut in_row = 0usize;
    loop {
        let item = next()?;
        let row_changes = match &item {
            Some((r, _, _)) => current != Some(*r),
            None => true,
        };
        if row_changes
            && let Some(r) = current
            && let Step::NoHeader = b.row(r as usize + 1, std::mem::take(&mut cells))?
        {
            return Ok(false);
        }
        let Some((r, c, cell)) = item else {
            return Ok(b.header.is_some());
        };
        if row_changes {
            in_row = 0;
        }
        current = Some(r);
        if !cell.is_empty() {
            if in_row >= MAX_ROW_CELLS {
                return Err(too_large(
                    b.file,
                    TooLarge::RowCells {
                        row: u64::from(r) + 1,
                        limit: MAX_ROW_CELLS,
                    },
                ));
            }
            in_row += 1;
            if b.wants(c as usize) {
                cells.push((c as usize, cell));
            }
        }
    }
}

/// A cell whose formula was saved without its computed value.
fn uncomputed(cell: Cell, formula: Option<&str>) -> Cell {
    let empty = match &cell {
        Cell::Empty => true,
        Cell::Number(n) => *n == 0.0,
        _ => false,
    };
    match formula {
        Some(f) if empty && !f.trim().is_empty() => Cell::Problem(CellIssue::Uncomputed {
            formula: crate::text::sanitize(f).to_string(),
        }),
        _ => cell,
    }
}

/// The rows-to-come hint of a declared dimension (never trusted for memory).
fn hint(d: Dimensions) -> Option<usize> {
    let rows = (d.end.0 as usize).saturating_sub(d.start.0 as usize);
    (rows > 0).then_some(rows.min(MAX_ROWS))
}

// ---------------------------------------------------------------------------------------------
// Formats

/// What was read of one sheet.
struct Found {
    sheet: String,
    header_row: usize,
    headers: Vec<String>,
    rows: Rows,
    merged: Vec<Dimensions>,
}

// The reader's wishes (header, columns kept, missing header, progress) as the other readers
// take them.
#[allow(clippy::too_many_arguments)]
pub(super) fn sheet_table(
    path: &Path,
    file: &str,
    ext: &str,
    zip: bool,
    is_header: &dyn Fn(&[String]) -> bool,
    keep: &dyn Fn(&str) -> bool,
    missing: &dyn Fn(usize, super::FoundColumns) -> ImportError,
    progress: &mut dyn FnMut(Progress),
) -> Result<Table, ImportError> {
    if zip {
        check_zip(path, file)?;
    }
    // Opened by content, not by name: an `.xls` that is really an `.xlsx` is read all the same.
    let mut search = Search {
        file,
        is_header,
        keep,
        progress,
        best: None,
    };
    let found = if !zip {
        super::xls::check_xls(path, file)?;
        let mut xls = open_xls(path, file)?;
        first_headed_sheet(&mut xls, &mut search, read_range, range_merges)?
    } else if ext == "xlsb" {
        let mut xlsb: Xlsb<_> = calamine::open_workbook(path).map_err(|e| open_error(file, e))?;
        first_headed_sheet(&mut xlsb, &mut search, read_xlsb, |_, _| Vec::new())?
    } else if is_ods(path) {
        check_ods(path, file)?;
        let ods: Ods<_> = calamine::open_workbook(path).map_err(|e| open_error(file, e))?;
        let mut ods = calamine::Sheets::Ods(ods);
        first_headed_sheet(&mut ods, &mut search, read_range, range_merges)?
    } else {
        let mut xlsx: Xlsx<_> = calamine::open_workbook(path).map_err(|e| open_error(file, e))?;
        first_headed_sheet(&mut xlsx, &mut search, read_xlsx, |wb, name| {
            // calamine finds a sheet's merged cells by parsing its whole XML a second time;
            // most files have none, which a plain search of the inflated parts shows faster.
            if !parts_mention(path, b"mergeCell") {
                return Vec::new();
            }
            wb.merge_cells_by_sheet_name(name).unwrap_or_default()
        })?
    };
    let Some(f) = found else {
        return match search.best {
            Some((row, headers)) => Err(missing(row, super::shown_columns(&headers))),
            None => Err(ImportError::Empty {
                file: file.to_string(),
            }),
        };
    };
    Ok(Table {
        file: file.to_string(),
        sheet: Some(f.sheet),
        header_row: f.header_row,
        headers: f.headers,
        rows: f.rows,
        merged: f
            .merged
            .into_iter()
            .map(|d| Merge {
                first_row: d.start.0 as usize + 1,
                last_row: d.end.0 as usize + 1,
                first_col: d.start.1 as usize,
                last_col: d.end.1 as usize,
            })
            .collect(),
        notices: Vec::new(),
    })
}

/// Whether any part of the zip at `path` but its shared strings (the cells' texts, never a
/// sheet) holds the bytes `word`; true as well when the zip cannot be read through, so that a
/// caller falls back on the full reading.
fn parts_mention(path: &Path, word: &[u8]) -> bool {
    let Ok(mut zip) = open_zip(path, "") else {
        return true;
    };
    for i in 0..zip.len() {
        let Ok(part) = zip.by_index(i) else {
            return true;
        };
        if part
            .name()
            .is_ok_and(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"))
        {
            continue;
        }
        if reader_mentions(part, word, 256 * 1024).unwrap_or(true) {
            return true;
        }
    }
    false
}

/// Whether what `r` gives holds the bytes `word`, read `chunk` bytes at a time (more when the
/// word is longer); the end of each chunk is searched again with the next one, so a word cut
/// in two is found whole.
fn reader_mentions(mut r: impl Read, word: &[u8], chunk: usize) -> std::io::Result<bool> {
    if word.is_empty() {
        return Ok(true);
    }
    let mut buf = vec![0u8; chunk.max(word.len())];
    let keep = word.len() - 1;
    let mut filled = 0usize;
    loop {
        let n = r.read(&mut buf[filled..])?;
        if n == 0 {
            return Ok(false);
        }
        let end = filled + n;
        let hay = &buf[..end];
        if hay
            .iter()
            .enumerate()
            .any(|(i, &b)| b == word[0] && hay[i..].starts_with(word))
        {
            return Ok(true);
        }
        let from = end.saturating_sub(keep);
        buf.copy_within(from..end, 0);
        filled = end - from;
    }
}

/// An OpenDocument zip (its `mimetype` part says so), whatever its name.
fn is_ods(path: &Path) -> bool {
    let Ok(f) = File::open(path) else {
        return false;
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(f)) else {
        return false;
    };
    let Ok(entry) = zip.by_name("mimetype") else {
        return false;
    };
    let mut head = Vec::new();
    let _ = entry.take(100).read_to_end(&mut head);
    head.starts_with(b"application/vnd.oasis.opendocument.spreadsheet")
}

fn open_xls(path: &Path, file: &str) -> Result<calamine::Sheets<BufReader<File>>, ImportError> {
    let xls: Xls<_> = calamine::open_workbook(path).map_err(|e| open_error(file, e))?;
    Ok(calamine::Sheets::Xls(xls))
}

/// What the sheets are searched for, and the fullest row of the first sheet that had one
/// where no header was found (for the missing-header error).
struct Search<'a> {
    file: &'a str,
    is_header: &'a dyn Fn(&[String]) -> bool,
    keep: &'a dyn Fn(&str) -> bool,
    progress: &'a mut dyn FnMut(Progress),
    best: Option<(usize, Vec<String>)>,
}

/// Reads `wb`'s sheets in turn until one has the header: `read` gives a sheet's cells to the
/// builder (true when the header was found), `merges` names a found sheet's merged cells.
fn first_headed_sheet<W: Reader<BufReader<File>>>(
    wb: &mut W,
    search: &mut Search<'_>,
    mut read: impl FnMut(&mut W, &str, &mut Builder<'_>) -> Result<bool, ImportError>,
    merges: impl Fn(&mut W, &str) -> Vec<Dimensions>,
) -> Result<Option<Found>, ImportError> {
    let names = wb.sheet_names();
    if names.is_empty() {
        return Err(ImportError::NoSheet {
            file: search.file.to_string(),
        });
    }
    for name in names {
        let mut b = Builder::new(search.file, search.is_header, &mut *search.progress);
        b.keep_header = search.keep;
        let found = read(wb, &name, &mut b)?;
        if found && let Some((header_row, headers)) = b.header {
            let merged = merges(wb, &name);
            return Ok(Some(Found {
                sheet: name,
                header_row,
                headers,
                rows: b.rows,
                merged,
            }));
        }
        if search.best.is_none() {
            search.best = b.best;
        }
    }
    Ok(None)
}

/// A sheet read cell by cell: `opened` is its reader (or why it could not be opened) with the
/// sheet's declared size, taken as the hint of rows to come; `next` gives each cell in turn.
/// The reader's errors name the sheet.
fn read_cell_by_cell<R, E: std::fmt::Display>(
    b: &mut Builder<'_>,
    name: &str,
    opened: Result<(Dimensions, R), E>,
    mut next: impl FnMut(&mut R) -> Result<Option<(u32, u32, Cell)>, E>,
) -> Result<bool, ImportError> {
    let file = b.file;
    let (dimensions, mut reader) = opened.map_err(|e| sheet_error(file, name, e))?;
    b.total = hint(dimensions);
    feed(b, &mut || {
        next(&mut reader).map_err(|e| sheet_error(file, name, e))
    })
}

/// An `.xlsx` sheet, cell by cell.
fn read_xlsx(
    wb: &mut Xlsx<BufReader<File>>,
    name: &str,
    b: &mut Builder<'_>,
) -> Result<bool, ImportError> {
    // Shared formulas name their text once, on the first cell; later cells refer to it by
    // number. A few thousand are kept, for messages only.
    let mut shared: HashMap<usize, String> = HashMap::new();
    let opened = wb.worksheet_cells_reader(name).map(|r| (r.dimensions(), r));
    read_cell_by_cell(b, name, opened, |reader| {
        let Some(rec) = reader.next_cell_with_formula_metadata()? else {
            return Ok(None);
        };
        let formula = match rec.formula {
            None => None,
            Some(XlsxFormulaMetadata::Normal { formula }) => Some(formula),
            Some(XlsxFormulaMetadata::Shared {
                shared_index,
                formula,
                ..
            }) => {
                if shared.len() < 4096 {
                    shared.insert(shared_index, formula.clone());
                }
                Some(formula)
            }
            Some(XlsxFormulaMetadata::SharedDerived { shared_index }) => Some(
                shared
                    .get(&shared_index)
                    .cloned()
                    .unwrap_or_else(|| "…".into()),
            ),
            Some(_) => Some("…".into()),
        };
        let cell = Cell::from_owned_data(Data::from(rec.value));
        Ok(Some((
            rec.pos.0,
            rec.pos.1,
            uncomputed(cell, formula.as_deref()),
        )))
    })
}

/// An `.xlsb` sheet, cell by cell (its merged cells are not read).
fn read_xlsb(
    wb: &mut Xlsb<BufReader<File>>,
    name: &str,
    b: &mut Builder<'_>,
) -> Result<bool, ImportError> {
    let opened = wb.worksheet_cells_reader(name).map(|r| (r.dimensions(), r));
    read_cell_by_cell(b, name, opened, |reader| {
        let Some(cell) = reader.next_cell()? else {
            return Ok(None);
        };
        let (r, c) = cell.get_position();
        Ok(Some((
            r,
            c,
            Cell::from_owned_data(Data::from(cell.get_value().clone())),
        )))
    })
}

/// An `.ods` or `.xls` sheet: their readers build each sheet's grid when the file is opened
/// (the `.ods` one is measured first by [`check_ods`]); the cells are then taken row by row.
fn read_range(
    wb: &mut calamine::Sheets<BufReader<File>>,
    name: &str,
    b: &mut Builder<'_>,
) -> Result<bool, ImportError> {
    let range = wb
        .worksheet_range(name)
        .map_err(|e| sheet_error(b.file, name, e))?;
    let formulas = wb.worksheet_formula(name).ok();
    let (top, left) = range.start().unwrap_or((0, 0));
    b.total = Some(range.height().min(MAX_ROWS));
    let mut rows = range.rows().enumerate();
    let mut cols = 0..0u32;
    let mut current: Option<(u32, &[Data])> = None;
    feed(b, &mut || {
        loop {
            if let Some((r, cells)) = current
                && let Some(j) = cols.next()
            {
                let Some(d) = cells.get(j as usize) else {
                    continue;
                };
                let pos = (r, left + j);
                let formula = formulas.as_ref().and_then(|f| f.get_value(pos));
                let cell = uncomputed(Cell::from_data(d), formula.map(String::as_str));
                if cell.is_empty() {
                    continue;
                }
                return Ok(Some((pos.0, pos.1, cell)));
            }
            let Some((i, cells)) = rows.next() else {
                return Ok(None);
            };
            current = Some((top + i as u32, cells));
            cols = 0..cells.len() as u32;
        }
    })
}

/// The merged cells of an `.xls` sheet (an `.ods` one's are not read).
fn range_merges(wb: &mut calamine::Sheets<BufReader<File>>, name: &str) -> Vec<Dimensions> {
    match wb {
        calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet's merged cells are looked for only when a part of the file names them, and a
    /// word cut between two chunks of the inflated part is found.
    #[test]
    fn merged_cells_are_searched_only_in_files_that_have_some() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.xlsx");
        let merged = dir.path().join("merged.xlsx");
        for (path, merge) in [(&plain, false), (&merged, true)] {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let sheet = wb.add_worksheet();
            sheet.write_string(0, 0, "Téléphone").unwrap();
            // Enough rows that the sheet spans several chunks.
            for r in 1..40_000u32 {
                sheet
                    .write_string(r, 0, format!("06 12 34 {:02} {:02}", r % 97, r % 89))
                    .unwrap();
            }
            if merge {
                sheet
                    .merge_range(40_001, 0, 40_002, 0, "x", &rust_xlsxwriter::Format::new())
                    .unwrap();
            }
            wb.save(path).unwrap();
        }
        assert!(!parts_mention(&plain, b"mergeCell"));
        assert!(parts_mention(&merged, b"mergeCell"));
        for chunk in 1..12 {
            let found = reader_mentions(
                &br#"<c r="A1"/><mergeCell ref="A1:A2"/>"#[..],
                b"mergeCell",
                chunk,
            );
            assert!(found.unwrap(), "chunks of {chunk}");
            let none = reader_mentions(
                &br#"<c r="A1"/><mergeCel/>mergeCel"#[..],
                b"mergeCell",
                chunk,
            );
            assert!(!none.unwrap(), "chunks of {chunk}");
        }
        assert!(parts_mention(
            &dir.path().join("missing.xlsx"),
            b"mergeCell"
        ));
    }

    #[test]
    fn shared_string_counts_are_read_from_the_start_tag() {
        assert_eq!(
            declared_count(br#"<?xml version="1.0"?><sst xmlns="x" count="3" uniqueCount="2">"#),
            Some(2)
        );
        assert_eq!(declared_count(b"<sst>"), None);
        assert_eq!(
            declared_count(br#"<sst uniqueCount="99999999999999999999999">"#),
            Some(u64::MAX)
        );
    }

    #[test]
    fn rows_are_sparse_and_only_headed_columns_are_kept() {
        let is_header = |h: &[String]| h.iter().any(|t| t == "NOM");
        let mut progress = |_| {};
        let mut b = Builder::new("f.xlsx", &is_header, &mut progress);
        assert!(matches!(
            b.row(1, vec![(0, Cell::Text("NOM".into()))]).unwrap(),
            Step::More
        ));
        b.row(
            2,
            vec![
                (16_383, Cell::Text("far".into())),
                (0, Cell::Text("Riou".into())),
            ],
        )
        .unwrap();
        b.row(3, vec![(9, Cell::Number(1.0))]).unwrap();
        let rows: Vec<_> = b.rows.iter().collect();
        assert_eq!(
            rows.len(),
            1,
            "a row with nothing under a header is not kept"
        );
        assert_eq!(rows[0].cells, vec![(0, Cell::Text("Riou".into()))]);
        assert_eq!(rows[0].get(16_383), &Cell::Empty);
    }
}
