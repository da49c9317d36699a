//! CSV files: the encoding decided once for the whole file, the delimiter and the header row
//! found among the first lines (title lines above the header are skipped, as in sheets).

use super::limits::{MAX_CSV_BYTES, MAX_ROW_CELLS};
use super::sheets::{Builder, Step};
use super::{
    Cell, HEADER_SEARCH_ROWS, ImportError, Progress, ReadFailure, RowProblem, Table, TooLarge,
};
use std::borrow::Cow;
use std::path::Path;

/// How a CSV file's bytes are decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8,
    /// UTF-8 starting with a byte-order mark (as Excel writes "CSV UTF-8").
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// No byte of the file reads as UTF-8 beyond ASCII: an old Windows export, decoded as
    /// Windows-1252 (Latin-1 and `€`, `œ`, curly quotes), and said so in the preview.
    Windows1252,
}

/// Why a CSV file's bytes cannot be decoded with confidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodingProblem {
    /// UTF-8 text with bytes that are not UTF-8 (two encodings in one file): decoding either
    /// way would damage some names.
    Mixed { line: usize, byte: u8 },
    /// UTF-16 that cannot be decoded (a lone surrogate, an odd number of bytes).
    BadUtf16 { line: usize },
    /// UTF-16 without a byte-order mark: its byte order is a guess.
    Utf16WithoutBom,
}

impl EncodingProblem {
    /// The line concerned (1-based), when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            EncodingProblem::Mixed { line, .. } | EncodingProblem::BadUtf16 { line } => Some(*line),
            EncodingProblem::Utf16WithoutBom => None,
        }
    }

    /// Every text's catalogue key and placeholders (checked in both languages; the line is
    /// said by the message around it).
    pub const KEYS: crate::i18n::MessageKeys = &[
        ("encoding_problem.mixed", &["byte"]),
        ("encoding_problem.bad_utf16", &[]),
        ("encoding_problem.utf16_without_bom", &[]),
    ];
}

impl crate::i18n::Describe for EncodingProblem {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::fill;
        match self {
            EncodingProblem::Mixed { byte, .. } => fill(
                lang,
                "encoding_problem.mixed",
                &[("byte", format!("0x{byte:02X}"))],
            ),
            EncodingProblem::BadUtf16 { .. } => fill(lang, "encoding_problem.bad_utf16", &[]),
            EncodingProblem::Utf16WithoutBom => {
                fill(lang, "encoding_problem.utf16_without_bom", &[])
            }
        }
    }
}

impl std::fmt::Display for EncodingProblem {
    /// English: logs and the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::i18n::Describe::describe(
            self,
            crate::i18n::Lang::En,
        ))
    }
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Decides how to decode a whole CSV file: UTF-8 (with or without BOM), UTF-16 with a BOM,
/// or Windows-1252 when nothing in the file is UTF-8 beyond ASCII. A UTF-8 file with some
/// bytes that are not UTF-8 is refused at the first of them, never decoded half right.
pub fn csv_encoding(bytes: &[u8]) -> Result<CsvEncoding, EncodingProblem> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(_) => Ok(CsvEncoding::Utf8Bom),
            Err(e) => Err(EncodingProblem::Mixed {
                line: line_of(rest, e.valid_up_to()),
                byte: rest[e.valid_up_to()],
            }),
        };
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return Ok(CsvEncoding::Utf16Le);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Ok(CsvEncoding::Utf16Be);
    }
    // ASCII text in UTF-16 is every other byte zero; no text file holds that many.
    let zeros = bytes.iter().filter(|&&b| b == 0).count();
    if bytes.len() >= 4 && zeros * 4 >= bytes.len() {
        return Err(EncodingProblem::Utf16WithoutBom);
    }
    let mut multibyte = false;
    let mut first_invalid = None;
    let mut offset = 0;
    for chunk in bytes.utf8_chunks() {
        multibyte |= !chunk.valid().is_ascii();
        offset += chunk.valid().len();
        if first_invalid.is_none() && !chunk.invalid().is_empty() {
            first_invalid = Some(offset);
        }
        offset += chunk.invalid().len();
    }
    match first_invalid {
        None => Ok(CsvEncoding::Utf8),
        Some(at) if multibyte => Err(EncodingProblem::Mixed {
            line: line_of(bytes, at),
            byte: bytes[at],
        }),
        Some(_) => Ok(CsvEncoding::Windows1252),
    }
}

/// Windows-1252 bytes 0x80–0x9F (the rest of the range is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The text of a CSV file decoded as [`csv_encoding`] decided (BOM removed).
pub fn decode_csv(bytes: &[u8], encoding: CsvEncoding) -> Result<Cow<'_, str>, EncodingProblem> {
    let mixed = |e: std::str::Utf8Error, b: &[u8]| EncodingProblem::Mixed {
        line: line_of(b, e.valid_up_to()),
        byte: b[e.valid_up_to()],
    };
    match encoding {
        CsvEncoding::Utf8 => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|e| mixed(e, bytes)),
        CsvEncoding::Utf8Bom => {
            let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            std::str::from_utf8(rest)
                .map(Cow::Borrowed)
                .map_err(|e| mixed(e, rest))
        }
        CsvEncoding::Windows1252 => Ok(Cow::Owned(
            bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                    _ => char::from(b),
                })
                .collect(),
        )),
        CsvEncoding::Utf16Le | CsvEncoding::Utf16Be => {
            let body = &bytes[2.min(bytes.len())..];
            let le = encoding == CsvEncoding::Utf16Le;
            let units = body.chunks(2).map(|p| match p {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0xDC00, // a lone trailing byte: reported as undecodable
            });
            let mut out = String::with_capacity(body.len() / 2);
            let mut line = 1;
            for c in char::decode_utf16(units) {
                match c {
                    Ok(c) => {
                        if c == '\n' {
                            line += 1;
                        }
                        out.push(c);
                    }
                    Err(_) => return Err(EncodingProblem::BadUtf16 { line }),
                }
            }
            Ok(Cow::Owned(out))
        }
    }
}

const DELIMITERS: [u8; 3] = [b';', b',', b'\t'];

/// The delimiter under which one of the first lines reads as the header (the earliest such
/// line, then the most fields); without one, the delimiter most used on those lines.
fn pick_delimiter(text: &str, is_header: &dyn Fn(&[String]) -> bool) -> u8 {
    // The first lines that hold something, where the header is looked for.
    let mut end = 0;
    let mut seen = 0;
    for line in text.split_inclusive('\n') {
        end += line.len();
        if !line.trim().is_empty() {
            seen += 1;
            if seen >= HEADER_SEARCH_ROWS {
                break;
            }
        }
    }
    let head = &text[..end];
    let mut found: Option<(usize, usize, u8)> = None;
    for d in DELIMITERS {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(head.as_bytes());
        for (i, record) in reader.records().enumerate() {
            let Ok(record) = record else { break };
            let cells: Vec<String> = record.iter().map(str::to_string).collect();
            if is_header(&cells) {
                let better = found.is_none_or(|(at, n, _)| i < at || (i == at && cells.len() > n));
                if better {
                    found = Some((i, cells.len(), d));
                }
                break;
            }
        }
    }
    if let Some((_, _, d)) = found {
        return d;
    }
    DELIMITERS
        .into_iter()
        .max_by_key(|d| head.matches(char::from(*d)).count())
        .unwrap_or(b';')
}

pub(super) fn csv_table(
    path: &Path,
    file: &str,
    is_header: &dyn Fn(&[String]) -> bool,
    keep: &dyn Fn(&str) -> bool,
    missing: &dyn Fn(usize, super::FoundColumns) -> ImportError,
    progress: &mut dyn FnMut(Progress),
) -> Result<Table, ImportError> {
    let open = |e: std::io::Error| ImportError::system(file, &e);
    let size = std::fs::metadata(path).map_err(open)?.len();
    if size > MAX_CSV_BYTES {
        return Err(ImportError::TooLarge {
            file: file.to_string(),
            what: TooLarge::CsvBytes {
                mib: size.div_ceil(1 << 20),
                limit_mib: MAX_CSV_BYTES >> 20,
            },
        });
    }
    let bytes = std::fs::read(path).map_err(open)?;
    let problem = |p: EncodingProblem| match p.line() {
        Some(row) => ImportError::Row {
            file: file.to_string(),
            row,
            problem: Box::new(RowProblem::Encoding { problem: p }),
        },
        None => ImportError::Open {
            file: file.to_string(),
            reason: ReadFailure::Encoding { problem: p },
        },
    };
    let encoding = csv_encoding(&bytes).map_err(problem)?;
    let text = decode_csv(&bytes, encoding).map_err(problem)?;
    let mut notices = Vec::new();
    if encoding == CsvEncoding::Windows1252 {
        notices.push(super::FileNotice::Windows1252);
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    let delimiter = pick_delimiter(&text, is_header);
    let lines_total = text.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut b = Builder::new(file, is_header, progress);
    b.keep_header = keep;
    b.total = Some(lines_total);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
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
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(ImportError::Row {
                    file: file.to_string(),
                    row: e.position().map(|p| p.line() as usize).unwrap_or(0),
                    problem: Box::new(RowProblem::NotValidCsv {
                        error: e.to_string(),
                    }),
                });
            }
        }
        let row = record
            .position()
            .map(|p| line_at(p.byte() as usize))
            .unwrap_or(0);
        if record.len() > MAX_ROW_CELLS {
            return Err(ImportError::TooLarge {
                file: file.to_string(),
                what: TooLarge::RowCells {
                    row: row as u64,
                    limit: MAX_ROW_CELLS,
                },
            });
        }
        let cells = record
            .iter()
            .enumerate()
            .filter(|(i, c)| b.wants(*i) && !c.trim().is_empty())
            .map(|(i, c)| (i, Cell::Text(c.to_string())))
            .collect();
        if let Step::NoHeader = b.row(row, cells)? {
            break;
        }
    }
    let Some((header_row, headers)) = b.header else {
        return match b.best {
            Some((row, h)) => Err(missing(row, super::shown_columns(&h))),
            None => Err(ImportError::Empty {
                file: file.to_string(),
            }),
        };
    };
    Ok(Table {
        file: file.to_string(),
        sheet: None,
        header_row,
        headers,
        rows: b.rows,
        merged: Vec::new(),
        notices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_is_utf8() {
        assert_eq!(
            csv_encoding("Nom;Prénom\n".as_bytes()),
            Ok(CsvEncoding::Utf8)
        );
        assert_eq!(csv_encoding(b"Nom;Tel\n"), Ok(CsvEncoding::Utf8));
        assert_eq!(
            csv_encoding("\u{feff}Nom;Prénom\n".as_bytes()),
            Ok(CsvEncoding::Utf8Bom)
        );
        assert_eq!(
            decode_csv("\u{feff}Léa".as_bytes(), CsvEncoding::Utf8Bom).unwrap(),
            "Léa"
        );
    }

    #[test]
    fn a_file_with_no_utf8_at_all_is_windows_1252() {
        // "Cœur" and a curly apostrophe as a French Windows spreadsheet writes them.
        let bytes = b"Nom\nC\x9cur l\x92\xe9t\xe9\n";
        assert_eq!(csv_encoding(bytes), Ok(CsvEncoding::Windows1252));
        assert_eq!(
            decode_csv(bytes, CsvEncoding::Windows1252).unwrap(),
            "Nom\nCœur l’été\n"
        );
    }

    #[test]
    fn utf8_with_a_stray_latin1_byte_is_refused_at_its_line() {
        let bytes = "Nom;Prénom\nRiou;Zoé\nLe Gall;L".as_bytes().to_vec();
        let mut bytes = bytes;
        bytes.extend_from_slice(b"\xe9a\n");
        assert_eq!(
            csv_encoding(&bytes),
            Err(EncodingProblem::Mixed {
                line: 3,
                byte: 0xE9
            })
        );
        // After a BOM too.
        let mut bom = b"\xEF\xBB\xBFNom\n".to_vec();
        bom.extend_from_slice(b"\xe9\n");
        assert_eq!(
            csv_encoding(&bom),
            Err(EncodingProblem::Mixed {
                line: 2,
                byte: 0xE9
            })
        );
    }

    #[test]
    fn utf16_is_decoded_by_its_bom_and_refused_without_one() {
        let text = "Nom;Prénom\nRiou;Zoé\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        let mut bare = Vec::new();
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
            bare.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(csv_encoding(&le), Ok(CsvEncoding::Utf16Le));
        assert_eq!(csv_encoding(&be), Ok(CsvEncoding::Utf16Be));
        assert_eq!(decode_csv(&le, CsvEncoding::Utf16Le).unwrap(), text);
        assert_eq!(decode_csv(&be, CsvEncoding::Utf16Be).unwrap(), text);
        assert_eq!(csv_encoding(&bare), Err(EncodingProblem::Utf16WithoutBom));
        // A lone surrogate on line 2.
        let mut bad = vec![0xFF, 0xFE];
        for u in "a\nb".encode_utf16().chain([0xD800u16]) {
            bad.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            decode_csv(&bad, CsvEncoding::Utf16Le),
            Err(EncodingProblem::BadUtf16 { line: 2 })
        );
    }

    #[test]
    fn the_delimiter_is_the_one_that_shows_the_header_below_title_lines() {
        let is_header = |h: &[String]| h.iter().any(|t| t.trim() == "Nom");
        // The title holds commas, the table semicolons.
        let text = "Export du 14 avril, agence de Lorient, service emploi\n\nNom;Prénom;Mobile\nRiou;Zoé;0612345678\n";
        assert_eq!(pick_delimiter(text, &is_header), b';');
        let text = "Liste; version 2\nNom,Prénom,Mobile\nRiou,Zoé,0612345678\n";
        assert_eq!(pick_delimiter(text, &is_header), b',');
        let text = "Nom\tPrénom\nRiou\tZoé\n";
        assert_eq!(pick_delimiter(text, &is_header), b'\t');
    }
}
