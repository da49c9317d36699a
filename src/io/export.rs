//! Export of the Sent and Upcoming lists (with their filters) to `.xlsx` and `.csv`.
//!
//! The list is streamed by one statement, so a million rows never sit in memory at once; the
//! workbook is written in rust_xlsxwriter's constant-memory mode (rows go straight to a temp
//! file). Times are shown in the organisation's timezone, phone numbers are written as text
//! (Excel would otherwise turn `+33612345678` into 33612345678). The file is written under a
//! temporary name and renamed at the end: a failed or interrupted export leaves nothing
//! half-written under the name the operator chose.

use crate::i18n::{self, Lang};
use crate::money::{Money, Pricing};
use crate::sms::status::MessageStatus;
use crate::store::Db;
use crate::store::messages::{self, ExportRow, ListKind, MessageFilter};
use crate::store::settings::Settings;
use crate::store::{StoreError, credit, from_ts};
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use rust_xlsxwriter::{Format as XFormat, Workbook, Worksheet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Rows between two calls of the progress callback.
const PAGE: u64 = 1_000;

/// Excel's last row is 1,048,576; one is the header.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// The file formats an export can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    /// `xlsx` or `csv` (any case).
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The format a file name asks for by its extension, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::parse)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// Why an export failed (texts: `[export_error]`).
#[derive(Debug)]
pub enum ExportError {
    Write {
        file: String,
        reason: WriteFailure,
    },
    TooManyRows {
        file: String,
        max: u64,
    },
    /// The store failed while reading the messages (its message is still English).
    Store(StoreError),
}

impl ExportError {
    /// Every text's catalogue key and placeholders (checked in both languages).
    pub const KEYS: crate::i18n::MessageKeys = &[
        ("export_error.write", &["file", "reason"]),
        ("export_error.too_many_rows", &["file", "max"]),
        ("export_error.store", &["error"]),
    ];
}

impl crate::i18n::Describe for ExportError {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::fill;
        match self {
            ExportError::Write { file, reason } => fill(
                lang,
                "export_error.write",
                &[("file", file.clone()), ("reason", reason.describe(lang))],
            ),
            ExportError::TooManyRows { file, max } => fill(
                lang,
                "export_error.too_many_rows",
                &[("file", file.clone()), ("max", max.to_string())],
            ),
            ExportError::Store(e) => {
                fill(lang, "export_error.store", &[("error", e.describe(lang))])
            }
        }
    }
}

impl std::fmt::Display for ExportError {
    /// English: logs and the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::i18n::Describe::describe(
            self,
            crate::i18n::Lang::En,
        ))
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExportError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        ExportError::Store(e)
    }
}

crate::typed_messages! {
    /// Why the export file could not be written (texts: `[write_failure]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum WriteFailure in "write_failure" {
        /// What the system or the writer said (English, as they wrote it).
        System { error: String },
        NotAFileName,
        NoFolder { folder: String },
        IsAFolder,
    }
}

/// The columns of the Sent and Upcoming lists, in order.
pub const COLUMNS: [&str; 13] = [
    "planned",
    "sent",
    "recipient",
    "phone",
    "context",
    "collaborator",
    "created_by",
    "text",
    "segments",
    "status",
    "reply",
    "cost",
    "currency",
];

/// Column titles in the interface language.
pub fn headers(lang: Lang) -> [&'static str; 13] {
    match lang {
        Lang::Fr => [
            "Prévu le",
            "Envoyé le",
            "Destinataire",
            "Téléphone",
            "Contexte",
            "Conseiller",
            "Programmé par",
            "Texte",
            "Segments",
            "Statut",
            "Réponse",
            "Coût",
            "Devise",
        ],
        Lang::En => [
            "Planned",
            "Sent",
            "Recipient",
            "Phone",
            "Context",
            "Counsellor",
            "Programmed by",
            "Text",
            "Segments",
            "Status",
            "Reply",
            "Cost",
            "Currency",
        ],
    }
}

/// Writes the list `kind`, filtered by `filter`, to `path` in `format`; `progress` is called
/// with the number of rows written so far after each page. Returns the number of rows.
pub fn export_messages(
    conn: Db<'_>,
    kind: ListKind,
    filter: &MessageFilter,
    format: Format,
    path: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    let settings = Settings::load(conn)?;
    let lang = Lang::resolve(&settings.language);
    let shown = path.display().to_string();
    let tmp = TempTarget::new(path)?;
    // One read transaction: every page sees the same snapshot, so a message the scheduler
    // sends meanwhile is neither missed nor exported twice.
    let snapshot = conn.snapshot()?;
    let labels = Labels::new(settings.timezone, lang);
    let pages = Pages::new(conn, kind, filter, credit::pricing(conn)?);
    let rows = match format {
        Format::Xlsx => write_xlsx(&tmp.path, &shown, &labels, pages, progress)?,
        Format::Csv => write_csv(&tmp.path, &shown, &labels, pages, progress)?,
    };
    drop(snapshot);
    tmp.commit(path)?;
    Ok(rows)
}

/// The rows of a list, read by one statement ([`messages::for_each_exported`]).
struct Pages<'a> {
    conn: Db<'a>,
    kind: ListKind,
    filter: &'a MessageFilter,
    /// The packs' prices: what each charged message cost (first in, first out).
    pricing: Pricing,
}

impl<'a> Pages<'a> {
    fn new(conn: Db<'a>, kind: ListKind, filter: &'a MessageFilter, pricing: Pricing) -> Self {
        Pages {
            conn,
            kind,
            filter,
            pricing,
        }
    }

    /// Gives `write` every row with the number of rows written before it and what it cost
    /// when it was charged and its units' price is known; `progress` hears the count after
    /// every [`PAGE`] rows and at the end. The number of rows written.
    fn write_all(
        self,
        progress: &mut dyn FnMut(u64),
        mut write: impl FnMut(u64, &ExportRow<'_>, Option<&Money>) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError> {
        let priced = self.pricing.packs.iter().any(|p| p.unit_price.is_some());
        let mut rows: u64 = 0;
        messages::for_each_exported(self.conn, self.kind, self.filter, |m| {
            let cost = match m.charge {
                Some((units, running)) if priced => self.pricing.value(running - units, running),
                _ => None,
            };
            write(rows, m, cost.as_ref())?;
            rows += 1;
            if rows.is_multiple_of(PAGE) {
                progress(rows);
            }
            Ok::<(), ExportError>(())
        })?;
        progress(rows);
        Ok(rows)
    }
}

/// How values are shown: times in the organisation's timezone, statuses and contexts in the
/// interface language. Each word is looked up in the catalogue once per export, not per row.
struct Labels {
    tz: Tz,
    lang: Lang,
    /// Each status's word, in [`MessageStatus::ALL`]'s order.
    statuses: Vec<String>,
    /// The words of the contexts met so far (a handful).
    contexts: std::cell::RefCell<Vec<(String, std::rc::Rc<str>)>>,
    /// The timezone's offset (seconds) over the last quarter of an hour met, when it held for
    /// the whole quarter: consecutive rows' times fall in few quarters, so the zone's
    /// transitions are searched about once per quarter rather than once per date.
    quarter_offset: std::cell::Cell<Option<(i64, i64)>>,
}

/// A quarter of an hour, in seconds: every timezone changes its offset on one's edge today.
const QUARTER: i64 = 900;

impl Labels {
    fn new(tz: Tz, lang: Lang) -> Labels {
        Labels {
            tz,
            lang,
            statuses: MessageStatus::ALL
                .iter()
                .map(|s| translated(lang, "status", s.as_str()))
                .collect(),
            contexts: Default::default(),
            quarter_offset: Default::default(),
        }
    }

    fn local(&self, secs: i64) -> NaiveDateTime {
        from_ts(self.local_secs(secs)).naive_utc()
    }

    /// The wall-clock time of the instant `secs` in the organisation's timezone, as seconds
    /// since 1970-01-01 00:00 of that wall clock (an instant out of range is 1970's first).
    fn local_secs(&self, secs: i64) -> i64 {
        let secs = if chrono::DateTime::from_timestamp(secs, 0).is_some() {
            secs
        } else {
            0
        };
        let quarter = secs.div_euclid(QUARTER);
        if let Some((q, offset)) = self.quarter_offset.get()
            && q == quarter
        {
            return secs + offset;
        }
        let offset = |at: i64| -> i64 {
            use chrono::Offset;
            i64::from(
                from_ts(at)
                    .with_timezone(&self.tz)
                    .offset()
                    .fix()
                    .local_minus_utc(),
            )
        };
        let here = offset(secs);
        let start = quarter * QUARTER;
        if offset(start) == here && offset(start + QUARTER - 1) == here {
            self.quarter_offset.set(Some((quarter, here)));
        }
        secs + here
    }

    /// How Excel stores the wall-clock time of the instant `secs`: days since 1899-12-30,
    /// the time of day as the fraction (what [`excel_serial`] gives for [`Labels::local`]).
    fn excel_serial(&self, secs: i64) -> f64 {
        /// 1899-12-30 to 1970-01-01.
        const EXCEL_EPOCH_TO_UNIX: i64 = 25_569 * 86_400;
        (self.local_secs(secs) + EXCEL_EPOCH_TO_UNIX) as f64 / 86_400.0
    }

    fn status(&self, status: MessageStatus) -> &str {
        MessageStatus::ALL
            .iter()
            .position(|s| *s == status)
            .and_then(|i| self.statuses.get(i))
            .map_or(status.as_str(), String::as_str)
    }

    fn context(&self, code: &str) -> std::rc::Rc<str> {
        if let Some((_, word)) = self.contexts.borrow().iter().find(|(c, _)| c == code) {
            return word.clone();
        }
        let word: std::rc::Rc<str> = match (code, self.lang) {
            ("individual", Lang::Fr) => "individuel".into(),
            ("individual", Lang::En) => "individual".into(),
            _ => translated(self.lang, "kind", code).into(),
        };
        self.contexts
            .borrow_mut()
            .push((code.to_string(), word.clone()));
        word
    }
}

/// `2026-03-25 14:30:00` written into `out` (cleared first), without parsing a format.
fn write_date_time(out: &mut String, t: NaiveDateTime) {
    use chrono::{Datelike, Timelike};
    fn two(out: &mut String, n: u32) {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    out.clear();
    let year = t.year();
    if (0..10_000).contains(&year) {
        let y = year as u32;
        two(out, y / 100);
        two(out, y % 100);
    } else {
        use std::fmt::Write as _;
        let _ = write!(out, "{year:04}");
    }
    out.push('-');
    two(out, t.month());
    out.push('-');
    two(out, t.day());
    out.push(' ');
    two(out, t.hour());
    out.push(':');
    two(out, t.minute());
    out.push(':');
    two(out, t.second());
}

/// The catalogue's word for `section.code`, or the code itself when there is none.
fn translated(lang: Lang, section: &str, code: &str) -> String {
    let key = format!("{section}.{code}");
    let t = i18n::tr(lang, &key);
    if t == key { code } else { t }.to_string()
}

/// Days since Excel's epoch (1899-12-30), with the time of day as the fraction: how Excel
/// stores a date-time. (The export computes it from the instant: [`Labels::excel_serial`].)
#[cfg(test)]
fn excel_serial(t: NaiveDateTime) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
        .unwrap_or_default();
    let secs = (t - epoch).num_seconds();
    secs as f64 / 86_400.0
}

/// The system failed writing `file` (an I/O, xlsx or CSV error).
fn write_error(file: &str, e: impl std::fmt::Display) -> ExportError {
    ExportError::Write {
        file: file.to_string(),
        reason: WriteFailure::System {
            error: e.to_string(),
        },
    }
}

/// Rows handed from the reading thread to the writing one at a time, and batches in flight:
/// memory stays flat (a few thousand rows) whatever the list's length.
const XLSX_BATCH: usize = 1_000;
const XLSX_BATCHES_IN_FLIGHT: usize = 4;

/// One message's cells, ready for the sheet: numbers as Excel stores them, texts owned (the
/// sheet takes a `String` per text cell in any case; made here, it is only moved there).
struct XlsxRow {
    planned: f64,
    sent: Option<f64>,
    recipient: String,
    phone: String,
    context: String,
    collaborator: String,
    created_by: String,
    text: String,
    segments: f64,
    status: String,
    reply: Option<String>,
    cost: Option<(f64, String)>,
}

impl XlsxRow {
    fn new(m: &ExportRow<'_>, cost: Option<&Money>, labels: &Labels) -> XlsxRow {
        XlsxRow {
            planned: labels.excel_serial(m.planned_at),
            sent: m.sent_at.map(|t| labels.excel_serial(t)),
            recipient: m.recipient_name.to_string(),
            phone: m.phone.to_string(),
            context: labels.context(m.context).to_string(),
            collaborator: m.collaborator.to_string(),
            created_by: m.created_by.to_string(),
            text: m.text.to_string(),
            segments: m.segments as f64,
            status: labels.status(m.status).to_string(),
            reply: m.reply.map(str::to_string),
            cost: cost.map(|c| (c.rounded(), c.currency.clone())),
        }
    }
}

/// The workbook is written on a thread of its own while this one reads the store and prepares
/// the cells: reading and writing overlap instead of adding up. The batches go through a
/// bounded channel, so neither side runs ahead by more than a few thousand rows.
fn write_xlsx(
    tmp: &Path,
    file: &str,
    labels: &Labels,
    pages: Pages,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    let lang = labels.lang;
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<XlsxRow>>(XLSX_BATCHES_IN_FLIGHT);
    // Set when the reading failed: the writer then stops without saving a workbook for nothing.
    let abandoned = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let abandoned = &abandoned;
        let writer = scope.spawn(move || xlsx_writer(tmp, file, lang, receive, abandoned));
        let mut batch = Vec::with_capacity(XLSX_BATCH);
        // Whether the writer stopped (its error, from `join`, says why).
        let mut writer_gone = false;
        let read = pages.write_all(progress, |before, m, cost| {
            if before >= XLSX_MAX_ROWS {
                return Err(ExportError::TooManyRows {
                    file: file.to_string(),
                    max: XLSX_MAX_ROWS,
                });
            }
            batch.push(XlsxRow::new(m, cost, labels));
            if batch.len() == XLSX_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(XLSX_BATCH));
                if send.send(full).is_err() {
                    writer_gone = true;
                    return Err(write_error(file, "the workbook's writer stopped"));
                }
            }
            Ok(())
        });
        if read.is_ok() && !batch.is_empty() && send.send(batch).is_err() {
            writer_gone = true;
        }
        if read.is_err() {
            abandoned.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        // Closing the channel tells the writer the rows are over.
        drop(send);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(write_error(file, "the workbook's writer panicked")));
        match (read, written) {
            // The writer's own error says more than "it stopped".
            (_, Err(e)) if writer_gone => Err(e),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(e),
            (Ok(rows), Ok(written)) if rows == written => Ok(rows),
            (Ok(_), Ok(_)) => Err(write_error(
                file,
                "rows were lost on their way to the sheet",
            )),
        }
    })
}

/// Writes the workbook of the rows received until the channel closes (rows are numbered from
/// 1, under the header); saves it to `tmp` unless the reading was `abandoned`. The number of
/// rows written.
fn xlsx_writer(
    tmp: &Path,
    file: &str,
    lang: Lang,
    rows_in: std::sync::mpsc::Receiver<Vec<XlsxRow>>,
    abandoned: &std::sync::atomic::AtomicBool,
) -> Result<u64, ExportError> {
    let err = |e: rust_xlsxwriter::XlsxError| write_error(file, e);
    let mut workbook = Workbook::new();
    // Deflate weighs on the save of a large sheet: level 3 saves faster than the default 6,
    // for a slightly bigger file (78 MB instead of 68 MB for a million rows).
    workbook.set_zip_compression_level(3);
    let sheet = workbook.add_worksheet_with_constant_memory().map_err(err)?;
    let bold = XFormat::new().set_bold();
    let text = XFormat::new().set_num_format("@");
    let when = XFormat::new().set_num_format("dd/mm/yyyy hh:mm");
    let wrap = XFormat::new().set_text_wrap();
    let widths = [
        16.0, 16.0, 24.0, 16.0, 12.0, 20.0, 12.0, 60.0, 9.0, 14.0, 30.0, 9.0, 8.0,
    ];
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *w).map_err(err)?;
    }
    // Formats by column rather than by cell: cells written without a format take their
    // column's, which spares hashing a format for each of millions of cells.
    sheet.set_column_format(0, &when).map_err(err)?;
    sheet.set_column_format(1, &when).map_err(err)?;
    sheet.set_column_format(3, &text).map_err(err)?;
    sheet.set_column_format(7, &wrap).map_err(err)?;
    let amount = XFormat::new().set_num_format("0.00");
    sheet.set_column_format(11, &amount).map_err(err)?;
    for (col, h) in headers(lang).iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *h, &bold)
            .map_err(err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    let mut rows: u32 = 0;
    for batch in rows_in {
        for m in batch {
            // The reader stops below XLSX_MAX_ROWS: the row number fits.
            rows += 1;
            write_xlsx_row(sheet, rows, m).map_err(err)?;
        }
    }
    if abandoned.load(std::sync::atomic::Ordering::SeqCst) {
        return Ok(u64::from(rows));
    }
    if rows > 0 {
        sheet.autofilter(0, 0, rows, 12).map_err(err)?;
    }
    workbook.save(tmp).map_err(err)?;
    Ok(u64::from(rows))
}

/// One message; dates, phone (text) and message text take their column's format.
fn write_xlsx_row(
    sheet: &mut Worksheet,
    row: u32,
    m: XlsxRow,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    sheet.write_number(row, 0, m.planned)?;
    if let Some(sent) = m.sent {
        sheet.write_number(row, 1, sent)?;
    }
    sheet.write_string(row, 2, m.recipient)?;
    sheet.write_string(row, 3, m.phone)?;
    sheet.write_string(row, 4, m.context)?;
    sheet.write_string(row, 5, m.collaborator)?;
    sheet.write_string(row, 6, m.created_by)?;
    sheet.write_string(row, 7, m.text)?;
    sheet.write_number(row, 8, m.segments)?;
    sheet.write_string(row, 9, m.status)?;
    if let Some(reply) = m.reply {
        sheet.write_string(row, 10, reply)?;
    }
    if let Some((amount, currency)) = m.cost {
        sheet.write_number(row, 11, amount)?;
        sheet.write_string(row, 12, currency)?;
    }
    Ok(())
}

/// Text cells a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, CR at the
/// start) get a leading apostrophe in CSV, so a name or reply typed by an outsider can never
/// run as a formula when the file is opened. Phone numbers are ours (E.164) and kept as they
/// are.
fn csv_safe(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

fn write_csv(
    tmp: &Path,
    file: &str,
    labels: &Labels,
    pages: Pages,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    let io_err = |e: std::io::Error| write_error(file, e);
    let csv_err = |e: csv::Error| write_error(file, e);
    let out = File::options().write(true).open(tmp).map_err(io_err)?;
    let mut out = BufWriter::with_capacity(256 * 1024, out);
    // The UTF-8 byte order mark makes Excel read accents right.
    out.write_all("\u{feff}".as_bytes()).map_err(io_err)?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(headers(labels.lang)).map_err(csv_err)?;
    // Buffers reused from row to row.
    let (mut planned, mut sent) = (String::new(), String::new());
    let mut segments = itoa_buffer();
    let rows = pages.write_all(progress, |_, m, cost| {
        let amount = cost.map(|c| c.plain(labels.lang)).unwrap_or_default();
        let currency = cost.map(|c| c.currency.as_str()).unwrap_or_default();
        write_date_time(&mut planned, labels.local(m.planned_at));
        match m.sent_at {
            Some(t) => write_date_time(&mut sent, labels.local(t)),
            None => sent.clear(),
        }
        let context = labels.context(m.context);
        w.write_record([
            planned.as_bytes(),
            sent.as_bytes(),
            csv_safe(m.recipient_name).as_bytes(),
            m.phone.as_bytes(),
            context.as_bytes(),
            csv_safe(m.collaborator).as_bytes(),
            csv_safe(m.created_by).as_bytes(),
            csv_safe(m.text).as_bytes(),
            integer(&mut segments, m.segments),
            labels.status(m.status).as_bytes(),
            csv_safe(m.reply.unwrap_or("")).as_bytes(),
            amount.as_bytes(),
            currency.as_bytes(),
        ])
        .map_err(csv_err)
    })?;
    let out = w.into_inner().map_err(|e| io_err(e.into_error()))?;
    let file_handle = out.into_inner().map_err(|e| io_err(e.into_error()))?;
    file_handle.sync_all().map_err(io_err)?;
    Ok(rows)
}

/// Room for any `i64` in decimal.
fn itoa_buffer() -> [u8; 20] {
    [0; 20]
}

/// `n` in decimal, written at the end of `buf`.
fn integer(buf: &mut [u8; 20], n: i64) -> &[u8] {
    let mut at = buf.len();
    let mut v = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// A temporary file next to the target, removed unless [`TempTarget::commit`] renames it over
/// the target.
struct TempTarget {
    path: PathBuf,
    committed: bool,
}

impl TempTarget {
    fn new(target: &Path) -> Result<TempTarget, ExportError> {
        let file = target.display().to_string();
        let fail = |reason: WriteFailure| ExportError::Write {
            file: file.clone(),
            reason,
        };
        let name = target
            .file_name()
            .ok_or_else(|| fail(WriteFailure::NotAFileName))?
            .to_string_lossy()
            .to_string();
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(fail(WriteFailure::NoFolder {
                folder: dir.display().to_string(),
            }));
        }
        if target.is_dir() {
            return Err(fail(WriteFailure::IsAFolder));
        }
        let path = dir.join(format!(".{name}.part-{}", std::process::id()));
        // Readable by its owner only, like the store: it holds phone numbers.
        let mut options = File::options();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(&path).map_err(|e| {
            fail(WriteFailure::System {
                error: e.to_string(),
            })
        })?;
        Ok(TempTarget {
            path,
            committed: false,
        })
    }

    fn commit(mut self, target: &Path) -> Result<(), ExportError> {
        std::fs::rename(&self.path, target).map_err(|e| ExportError::Write {
            file: target.display().to_string(),
            reason: WriteFailure::System {
                error: e.to_string(),
            },
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempTarget {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn excel_serials_match_excel() {
        // Excel shows 45658 as 01/01/2025, and 0.5 as noon.
        let t = NaiveDate::from_ymd_opt(2025, 1, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert_eq!(excel_serial(t), 45658.5);
    }

    /// The offsets kept per quarter of an hour give every instant the wall-clock time and
    /// Excel serial the timezone gives it directly, across daylight-saving changes, in zones
    /// whose offsets or changes are not whole hours, and in any order of instants.
    #[test]
    fn cached_offsets_give_the_timezones_local_times() {
        let zones: [Tz; 4] = [
            chrono_tz::Europe::Paris,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Kathmandu,
            chrono_tz::America::St_Johns,
        ];
        // 2026-03-29 00:00 UTC (Paris springs forward at 01:00 UTC) and 2026-10-04 (Lord Howe
        // moves half an hour on 04-05 and 10-04), each walked by 7 min 13 s over two days,
        // then back and forth; plus instants out of chrono's range.
        let starts = [1_774_742_400i64, 1_775_174_400, 1_791_072_000];
        for tz in zones {
            let labels = Labels::new(tz, Lang::Fr);
            let mut instants: Vec<i64> = Vec::new();
            for start in starts {
                instants.extend((0..400).map(|i| start - 86_400 + i * 433));
                instants.extend((0..400).rev().map(|i| start - 86_400 + i * 433 + 17));
            }
            instants.extend([i64::MIN, i64::MAX, 0, -1]);
            for secs in instants {
                let direct = from_ts(secs).with_timezone(&tz).naive_local();
                assert_eq!(labels.local(secs), direct, "{tz} {secs}");
                assert_eq!(
                    labels.excel_serial(secs),
                    excel_serial(direct),
                    "{tz} {secs}"
                );
            }
        }
    }

    #[test]
    fn dates_and_numbers_are_written_as_before() {
        let mut out = String::from("left over");
        for (y, mo, d, h, mi, sec) in [
            (2026, 3, 25, 14, 30, 5),
            (1999, 12, 31, 23, 59, 59),
            (2026, 1, 1, 0, 0, 0),
            (987, 7, 4, 9, 8, 7),
        ] {
            let t = NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, sec)
                .unwrap();
            write_date_time(&mut out, t);
            assert_eq!(out, t.format("%Y-%m-%d %H:%M:%S").to_string());
        }
        let mut buf = itoa_buffer();
        for n in [0, 7, 10, 1234567, -42, i64::MIN, i64::MAX] {
            assert_eq!(integer(&mut buf, n), n.to_string().as_bytes());
        }
    }

    #[test]
    fn formula_looking_cells_are_defused_in_csv() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_safe("Bonjour"), "Bonjour");
    }

    #[test]
    fn formats_come_from_names_and_extensions() {
        assert_eq!(Format::parse("XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::from_path(Path::new("a/b.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("a/b.ods")), None);
    }
}
