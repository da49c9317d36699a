//! Reading recipient numbers from `.xlsx`, `.xls`, `.ods` and `.csv` files. The column is
//! found by its header `TELEPHONE`, whatever its case, accents or spacing. Nothing is imported
//! when the file cannot be read as a whole: the error says what and where.

use calamine::{Data, Reader, open_workbook_auto};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// The header that names the phone column, normalised.
pub const PHONE_HEADER: &str = "TELEPHONE";

/// A file larger than this many rows is refused rather than read half-way.
pub const MAX_ROWS: usize = 1_000_000;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: cannot read: {reason}")]
    Open { file: String, reason: String },
    #[error("{file}: unsupported file type (use .xlsx, .xls, .ods or .csv)")]
    UnsupportedType { file: String },
    #[error("{file}: the file has no sheet")]
    NoSheet { file: String },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: no TELEPHONE column in the header row (row {row}); columns found: {found}")]
    NoPhoneColumn {
        file: String,
        row: usize,
        found: String,
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
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
            return Err("a date, not a phone number".into());
        }
        Data::Error(e) => return Err(format!("the cell holds an error ({e})")),
    })
}

/// The non-empty cells of the phone column, with their 1-based row numbers in the file.
pub fn phone_column(path: &Path) -> Result<Vec<(usize, String)>, ImportError> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => csv_column(path, &file),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => sheet_column(path, &file),
        _ => Err(ImportError::UnsupportedType { file }),
    }
}

fn sheet_column(path: &Path, file: &str) -> Result<Vec<(usize, String)>, ImportError> {
    let mut workbook = open_workbook_auto(path).map_err(|e| ImportError::Open {
        file: file.to_string(),
        reason: format!("not a readable spreadsheet ({e})"),
    })?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::NoSheet {
            file: file.to_string(),
        })?
        .map_err(|e| ImportError::Open {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
    let (first_row, first_col) = range
        .start()
        .map(|(r, c)| (r as usize, c as usize))
        .unwrap_or((0, 0));
    if range.height() > MAX_ROWS {
        return Err(ImportError::TooManyRows {
            file: file.to_string(),
            limit: MAX_ROWS,
        });
    }
    let mut rows = range.rows().enumerate();
    // The header is the first row with something in it.
    let (header_index, header) = loop {
        match rows.next() {
            Some((i, cells)) if cells.iter().any(|c| !matches!(c, Data::Empty)) => {
                break (i, cells);
            }
            Some(_) => continue,
            None => {
                return Err(ImportError::Empty {
                    file: file.to_string(),
                });
            }
        }
    };
    let header_row = first_row + header_index + 1;
    let names: Vec<String> = header
        .iter()
        .map(|c| cell_text(c).unwrap_or_default())
        .collect();
    let col = find_phone_column(&names).ok_or_else(|| ImportError::NoPhoneColumn {
        file: file.to_string(),
        row: header_row,
        found: shown_columns(&names),
    })?;
    let _ = first_col;
    let mut out = Vec::new();
    for (i, cells) in rows {
        let row = first_row + i + 1;
        let Some(cell) = cells.get(col) else { continue };
        match cell_text(cell) {
            Ok(t) if t.is_empty() => {}
            Ok(t) => out.push((row, t)),
            // Kept with a marker so the preview lists it with its row and reason.
            Err(reason) => out.push((row, format!("<{reason}>"))),
        }
    }
    if out.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    Ok(out)
}

fn find_phone_column(names: &[String]) -> Option<usize> {
    names
        .iter()
        .position(|n| normalise_header(n) == PHONE_HEADER)
}

fn shown_columns(names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| format!("\"{}\"", crate::text::sanitize(n)))
        .collect();
    if shown.is_empty() {
        "none".into()
    } else {
        shown.join(", ")
    }
}

fn csv_column(path: &Path, file: &str) -> Result<Vec<(usize, String)>, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::Open {
        file: file.to_string(),
        reason: e.to_string(),
    })?;
    // Spreadsheets export CSV in UTF-8 (with or without BOM) or Windows-1252; accept both.
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    };
    let text = text.trim_start_matches('\u{feff}');
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.matches(*d as char).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records().enumerate();
    let (header_index, header) = loop {
        match records.next() {
            Some((i, Ok(r))) if r.iter().any(|c| !c.trim().is_empty()) => break (i, r),
            Some((_, Ok(_))) => continue,
            Some((i, Err(e))) => {
                return Err(ImportError::Row {
                    file: file.to_string(),
                    row: i + 1,
                    reason: e.to_string(),
                });
            }
            None => {
                return Err(ImportError::Empty {
                    file: file.to_string(),
                });
            }
        }
    };
    let names: Vec<String> = header.iter().map(str::to_string).collect();
    let col = find_phone_column(&names).ok_or_else(|| ImportError::NoPhoneColumn {
        file: file.to_string(),
        row: header_index + 1,
        found: shown_columns(&names),
    })?;
    let mut out = Vec::new();
    for (i, record) in records {
        let row = i + 1;
        if row > MAX_ROWS {
            return Err(ImportError::TooManyRows {
                file: file.to_string(),
                limit: MAX_ROWS,
            });
        }
        let record = record.map_err(|e| ImportError::Row {
            file: file.to_string(),
            row,
            reason: e.to_string(),
        })?;
        if let Some(cell) = record.get(col).map(str::trim).filter(|c| !c.is_empty()) {
            out.push((row, cell.to_string()));
        }
    }
    if out.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    Ok(out)
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
    }
}
