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
use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
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
    let job = Job {
        tmp: &tmp.path,
        file: &shown,
        labels: &labels,
        pages: Pages::new(conn, kind, filter, Costs::new(credit::pricing(conn)?, lang)),
        progress,
    };
    let rows = match format {
        Format::Xlsx => write_xlsx(job)?,
        Format::Csv => write_csv(job)?,
    };
    drop(snapshot);
    tmp.commit(path)?;
    Ok(rows)
}

/// What a file's writer is given: the temporary file it writes, the name the operator chose
/// (for messages), how values are shown, the rows, and whom to tell how many are written.
struct Job<'a, 'p> {
    tmp: &'a Path,
    file: &'a str,
    labels: &'a Labels,
    pages: Pages<'a>,
    progress: &'p mut dyn FnMut(u64),
}

/// The rows of a list, read by one statement ([`messages::for_each_exported`]).
struct Pages<'a> {
    conn: Db<'a>,
    kind: ListKind,
    filter: &'a MessageFilter,
    /// What each charged message cost.
    costs: Costs,
}

impl<'a> Pages<'a> {
    fn new(conn: Db<'a>, kind: ListKind, filter: &'a MessageFilter, costs: Costs) -> Self {
        Pages {
            conn,
            kind,
            filter,
            costs,
        }
    }

    /// Gives `write` every row with the number of rows written before it and what it cost
    /// when it was charged and its units' price is known; `progress` hears the count after
    /// every [`PAGE`] rows and at the end. The number of rows written.
    fn write_all(
        self,
        progress: &mut dyn FnMut(u64),
        mut write: impl FnMut(u64, &ExportRow<'_>, Option<&Cost>) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError> {
        let mut costs = self.costs;
        let mut rows: u64 = 0;
        messages::for_each_exported(self.conn, self.kind, self.filter, |m| {
            write(rows, m, costs.of(m.charge))?;
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

/// What a charged message cost, as the files show it.
#[derive(Debug, PartialEq)]
struct Cost {
    micros: i64,
    currency: String,
    /// The amount to the cent as a spreadsheet reads it ([`Money::plain`]).
    plain: String,
    /// The amount as a number ([`Money::rounded`]).
    rounded: f64,
}

impl Cost {
    fn new(money: Money, lang: Lang) -> Cost {
        Cost {
            micros: money.micros,
            plain: money.plain(lang),
            rounded: money.rounded(),
            currency: money.currency,
        }
    }
}

/// The positions `start..end` of the whole consumption whose units one pack priced; after the
/// packs, a last span runs on at the newest pack's price (as [`Pricing::value`] counts units
/// spent beyond every pack).
struct Span {
    start: i64,
    end: i64,
    unit_price: Option<i64>,
    currency: String,
}

/// The amounts kept with their texts: a handful in practice (a few prices times a few
/// segment counts).
const COSTS_KEPT: usize = 64;

/// What each charged message cost ([`Pricing::value`] of the positions of its units), without
/// allocating per row: a charge whose units all lie in one span costs its units times that
/// span's price, in its currency — what `Pricing::value` gives, the other spans adding no unit
/// — and a charge across spans asks `Pricing::value`. The amounts met are kept with their
/// texts.
struct Costs {
    pricing: Pricing,
    /// Whether any pack has a price (else no message shows a cost).
    priced: bool,
    lang: Lang,
    /// In the order the units are spent; none when a pack's units are negative or their sum
    /// overflows (every charge then asks `Pricing::value`).
    spans: Vec<Span>,
    /// The span the last charge fell in: consecutive rows' charges mostly share one.
    last_span: usize,
    /// The amounts met, at most [`COSTS_KEPT`].
    kept: Vec<Cost>,
    /// An amount met when `kept` is full.
    other: Option<Cost>,
}

impl Costs {
    fn new(pricing: Pricing, lang: Lang) -> Costs {
        let priced = pricing.packs.iter().any(|p| p.unit_price.is_some());
        let mut spans = Vec::new();
        let mut start = 0i64;
        for pack in &pricing.packs {
            let Some(end) = start.checked_add(pack.units).filter(|_| pack.units >= 0) else {
                spans.clear();
                break;
            };
            spans.push(Span {
                start,
                end,
                unit_price: pack.unit_price,
                currency: pack.currency.clone(),
            });
            start = end;
        }
        if let (Some(last), false) = (pricing.packs.last(), spans.is_empty()) {
            spans.push(Span {
                start,
                end: i64::MAX,
                unit_price: last.unit_price,
                currency: last.currency.clone(),
            });
        }
        Costs {
            pricing,
            priced,
            lang,
            spans,
            last_span: 0,
            kept: Vec::new(),
            other: None,
        }
    }

    /// What the message of ledger charge `charge` (units, running total after it) cost, when
    /// it was charged and its units' price is known.
    fn of(&mut self, charge: Option<(i64, i64)>) -> Option<&Cost> {
        let (units, running) = charge.filter(|_| self.priced)?;
        let (from, to) = (running - units, running);
        let found = match self.span_of(from, to).and_then(|i| self.spans.get(i)) {
            Some(span) => {
                let micros = (to - from).checked_mul(span.unit_price?)?;
                let currency = span.currency.as_str();
                self.kept
                    .iter()
                    .position(|c| c.micros == micros && c.currency == currency)
                    .ok_or_else(|| Money::new(micros, currency))
            }
            None => {
                let money = self.pricing.value(from, to)?;
                self.kept
                    .iter()
                    .position(|c| c.micros == money.micros && c.currency == money.currency)
                    .ok_or(money)
            }
        };
        match found {
            Ok(i) => self.kept.get(i),
            Err(money) => {
                let cost = Cost::new(money, self.lang);
                if self.kept.len() < COSTS_KEPT {
                    self.kept.push(cost);
                    self.kept.last()
                } else {
                    Some(self.other.insert(cost))
                }
            }
        }
    }

    /// The index of the span holding every position of `from..to`, when there is one and `from..to` is not
    /// empty (`Pricing::value` counts an empty or negative range apart).
    fn span_of(&mut self, from: i64, to: i64) -> Option<usize> {
        if from < 0 || to <= from {
            return None;
        }
        let holds = |s: &Span| s.start <= from && to <= s.end;
        if !self.spans.get(self.last_span).is_some_and(holds) {
            self.last_span = self.spans.iter().position(holds)?;
        }
        Some(self.last_span)
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

    #[cfg(test)]
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
    use chrono::Timelike;
    out.clear();
    write_date(out, t.date());
    out.push(' ');
    write_time(out, t.hour(), t.minute(), t.second());
}

/// `2026-03-25` added to `out`.
fn write_date(out: &mut String, d: chrono::NaiveDate) {
    use chrono::Datelike;
    let year = d.year();
    if (0..10_000).contains(&year) {
        let y = year as u32;
        two_digits(out, y / 100);
        two_digits(out, y % 100);
    } else {
        use std::fmt::Write as _;
        let _ = write!(out, "{year:04}");
    }
    out.push('-');
    two_digits(out, d.month());
    out.push('-');
    two_digits(out, d.day());
}

/// `14:30:00` added to `out`.
fn write_time(out: &mut String, hour: u32, minute: u32, second: u32) {
    two_digits(out, hour);
    out.push(':');
    two_digits(out, minute);
    out.push(':');
    two_digits(out, second);
}

/// The last two digits of `n` added to `out`.
fn two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Wall-clock times written as [`write_date_time`] writes them, the date worked out once per
/// day met rather than once per time: consecutive rows' times fall on few days.
#[derive(Default)]
struct DateTimes {
    /// The last day met (days since 1970-01-01 of the wall clock) and its date's text.
    day: Option<(i64, String)>,
}

impl DateTimes {
    /// Writes into `out` (cleared first) the wall-clock time `local`, in seconds since
    /// 1970-01-01 00:00 of the wall clock ([`Labels::local_secs`]), as
    /// `write_date_time(out, from_ts(local).naive_utc())` writes it.
    fn write(&mut self, out: &mut String, local: i64) {
        let day = local.div_euclid(DAY);
        let known = matches!(&self.day, Some((d, _)) if *d == day);
        if !known {
            // Out of chrono's range, the time is 1970's first, as `from_ts` makes it.
            let Some(t) = chrono::DateTime::from_timestamp(local, 0) else {
                write_date_time(out, from_ts(local).naive_utc());
                return;
            };
            let mut date = String::with_capacity(10);
            write_date(&mut date, t.date_naive());
            self.day = Some((day, date));
        }
        out.clear();
        if let Some((_, date)) = &self.day {
            out.push_str(date);
        }
        out.push(' ');
        let second = local.rem_euclid(DAY) as u32;
        write_time(out, second / 3_600, second / 60 % 60, second % 60);
    }
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

/// Rows handed from the reading thread to the writing one at a time (fewer when their texts
/// pass [`XLSX_BATCH_TEXT`] bytes), and batches in flight: memory stays flat (a few thousand
/// rows) whatever the list's length.
const XLSX_BATCH: usize = 1_000;
const XLSX_BATCH_TEXT: usize = 1 << 20;
const XLSX_BATCHES_IN_FLIGHT: usize = 4;

/// The cells of a few messages, ready for the sheet: numbers as Excel stores them, the texts'
/// stored bytes one after the other in one buffer (checked to be UTF-8 once for the whole
/// batch, by the writer: [`XlsxBatch::texts`]). The writer hands each batch back once written,
/// and the reader fills it again: past the first batches, preparing a row allocates nothing.
struct XlsxBatch {
    rows: Vec<XlsxRow>,
    texts: Vec<u8>,
}

/// One message's numbers, and where each of its [`XlsxRow::TEXTS`] texts ends in its batch's
/// `texts` (each starts where the one before ends).
struct XlsxRow {
    planned: f64,
    sent: Option<f64>,
    segments: f64,
    /// The cost's amount, when the message shows one.
    amount: Option<f64>,
    ends: [usize; XlsxRow::TEXTS],
}

impl XlsxRow {
    /// Recipient, phone, context, collaborator, created by, text, status, reply, currency: an
    /// absent reply or cost is an empty text, and the sheet leaves the cell of an empty text
    /// blank (`write_string` writes nothing for it).
    const TEXTS: usize = 9;
}

impl XlsxBatch {
    fn new() -> XlsxBatch {
        XlsxBatch {
            rows: Vec::with_capacity(XLSX_BATCH),
            texts: Vec::new(),
        }
    }

    /// The batch's texts as one `str` when they are UTF-8 and every text ends on a character's
    /// boundary — always, as the store writes them — else their bytes.
    fn texts(&self) -> Result<&str, &[u8]> {
        match std::str::from_utf8(&self.texts) {
            Ok(t)
                if self
                    .rows
                    .iter()
                    .all(|r| r.ends.iter().all(|&e| t.is_char_boundary(e))) =>
            {
                Ok(t)
            }
            _ => Err(&self.texts),
        }
    }

    fn is_full(&self) -> bool {
        self.rows.len() >= XLSX_BATCH || self.texts.len() >= XLSX_BATCH_TEXT
    }

    fn push(&mut self, m: &ExportRow<'_>, cost: Option<&Cost>, labels: &Labels) {
        let context = labels.context(m.context);
        let texts: [&[u8]; XlsxRow::TEXTS] = [
            m.recipient_name,
            m.phone,
            context.as_bytes(),
            m.collaborator,
            m.created_by,
            m.text,
            labels.status(m.status).as_bytes(),
            m.reply.unwrap_or_default(),
            cost.map_or(&b""[..], |c| c.currency.as_bytes()),
        ];
        let mut ends = [0; XlsxRow::TEXTS];
        for (end, text) in ends.iter_mut().zip(texts) {
            self.texts.extend_from_slice(text);
            *end = self.texts.len();
        }
        self.rows.push(XlsxRow {
            planned: labels.excel_serial(m.planned_at),
            sent: m.sent_at.map(|t| labels.excel_serial(t)),
            segments: m.segments as f64,
            amount: cost.map(|c| c.rounded),
            ends,
        });
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.texts.clear();
    }
}

/// The workbook is written on a thread of its own while this one reads the store and prepares
/// the cells: reading and writing overlap instead of adding up. The batches go through a
/// bounded channel, so neither side runs ahead by more than a few thousand rows, and come back
/// emptied through another.
fn write_xlsx(job: Job<'_, '_>) -> Result<u64, ExportError> {
    let (tmp, file, labels) = (job.tmp, job.file, job.labels);
    let lang = labels.lang;
    let (send, receive) = std::sync::mpsc::sync_channel::<XlsxBatch>(XLSX_BATCHES_IN_FLIGHT);
    // Room for every batch there is: the writer never waits to give one back.
    let (give_back, returned) =
        std::sync::mpsc::sync_channel::<XlsxBatch>(XLSX_BATCHES_IN_FLIGHT + 2);
    // Set when the reading failed: the writer then stops without saving a workbook for nothing.
    let abandoned = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let abandoned = &abandoned;
        let writer =
            scope.spawn(move || xlsx_writer(tmp, file, lang, receive, give_back, abandoned));
        let mut batch = XlsxBatch::new();
        // Whether the writer stopped (its error, from `join`, says why).
        let mut writer_gone = false;
        let read = job.pages.write_all(job.progress, |before, m, cost| {
            if before >= XLSX_MAX_ROWS {
                return Err(ExportError::TooManyRows {
                    file: file.to_string(),
                    max: XLSX_MAX_ROWS,
                });
            }
            batch.push(m, cost, labels);
            if batch.is_full() {
                let next = returned.try_recv().unwrap_or_else(|_| XlsxBatch::new());
                if send.send(std::mem::replace(&mut batch, next)).is_err() {
                    writer_gone = true;
                    return Err(write_error(file, "the workbook's writer stopped"));
                }
            }
            Ok(())
        });
        if read.is_ok() && !batch.rows.is_empty() && send.send(batch).is_err() {
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
/// 1, under the header), giving each batch back once written; saves it to `tmp` unless the
/// reading was `abandoned`. The number of rows written.
fn xlsx_writer(
    tmp: &Path,
    file: &str,
    lang: Lang,
    rows_in: std::sync::mpsc::Receiver<XlsxBatch>,
    give_back: std::sync::mpsc::SyncSender<XlsxBatch>,
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
    for mut batch in rows_in {
        let texts = batch.texts();
        let mut start = 0;
        for m in &batch.rows {
            // The reader stops below XLSX_MAX_ROWS: the row number fits.
            rows += 1;
            write_xlsx_row(sheet, rows, m, texts, start).map_err(err)?;
            start = m.ends[XlsxRow::TEXTS - 1];
        }
        batch.clear();
        // The reader makes a new batch if this one is not back in time.
        let _ = give_back.try_send(batch);
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

/// The text at `from..to` of a batch's texts ([`XlsxBatch::texts`]); when they are not UTF-8,
/// its invalid bytes shown as `�`.
fn cell_text<'t>(texts: Result<&'t str, &'t [u8]>, from: usize, to: usize) -> Cow<'t, str> {
    match texts {
        Ok(t) => Cow::Borrowed(t.get(from..to).unwrap_or_default()),
        Err(bytes) => String::from_utf8_lossy(bytes.get(from..to).unwrap_or_default()),
    }
}

/// One message, its texts in `texts` from `start`; dates, phone (text) and message text take
/// their column's format.
fn write_xlsx_row(
    sheet: &mut Worksheet,
    row: u32,
    m: &XlsxRow,
    texts: Result<&str, &[u8]>,
    start: usize,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let text = |k: usize| {
        let from = if k == 0 { start } else { m.ends[k - 1] };
        cell_text(texts, from, m.ends[k])
    };
    sheet.write_number(row, 0, m.planned)?;
    if let Some(sent) = m.sent {
        sheet.write_number(row, 1, sent)?;
    }
    sheet.write_string(row, 2, text(0))?;
    sheet.write_string(row, 3, text(1))?;
    sheet.write_string(row, 4, text(2))?;
    sheet.write_string(row, 5, text(3))?;
    sheet.write_string(row, 6, text(4))?;
    sheet.write_string(row, 7, text(5))?;
    sheet.write_number(row, 8, m.segments)?;
    sheet.write_string(row, 9, text(6))?;
    sheet.write_string(row, 10, text(7))?;
    if let Some(amount) = m.amount {
        sheet.write_number(row, 11, amount)?;
        sheet.write_string(row, 12, text(8))?;
    }
    Ok(())
}

/// Bytes gathered before they are written to the CSV file.
const CSV_BUFFER: usize = 256 * 1024;

/// The bytes of a CSV file as the `csv` crate writes them with `;` between fields, CRLF after
/// each row and quotes where needed (a test compares them): a field holding `;`, `"`, CR or
/// LF is quoted, its quotes doubled. Gathered in a buffer written to the file in large pieces.
struct CsvOut {
    file: File,
    buf: Vec<u8>,
    /// Fields in the current row so far.
    fields: usize,
}

impl CsvOut {
    fn new(file: File) -> CsvOut {
        CsvOut {
            file,
            buf: Vec::with_capacity(CSV_BUFFER + 64 * 1024),
            fields: 0,
        }
    }

    /// A field written as it is.
    fn field(&mut self, value: &[u8]) {
        self.put(None, value);
    }

    /// A text from outside (a name, a message, a reply): when a spreadsheet would take it for
    /// a formula (`=`, `+`, `-`, `@`, tab, CR at the start) it gets a leading apostrophe, so
    /// that it can never run as one when the file is opened. Phone numbers are ours (E.164)
    /// and written as they are.
    fn text(&mut self, value: &[u8]) {
        let defused = matches!(
            value.first(),
            Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
        );
        self.put(defused.then_some(b'\''), value);
    }

    /// `value` after `prefix`, quoted when needed.
    fn put(&mut self, prefix: Option<u8>, value: &[u8]) {
        if self.fields > 0 {
            self.buf.push(b';');
        }
        self.fields += 1;
        let (quoted, quotes) = needs_quotes(value);
        if quoted {
            self.buf.push(b'"');
        }
        self.buf.extend(prefix);
        if quotes {
            let mut parts = value.split(|&b| b == b'"');
            if let Some(first) = parts.next() {
                self.buf.extend_from_slice(first);
            }
            for part in parts {
                self.buf.extend_from_slice(b"\"\"");
                self.buf.extend_from_slice(part);
            }
        } else {
            self.buf.extend_from_slice(value);
        }
        if quoted {
            self.buf.push(b'"');
        }
    }

    fn end_row(&mut self) -> std::io::Result<()> {
        self.buf.extend_from_slice(b"\r\n");
        self.fields = 0;
        if self.buf.len() >= CSV_BUFFER {
            self.file.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes what is left and gives the file back.
    fn finish(mut self) -> std::io::Result<File> {
        self.file.write_all(&self.buf)?;
        Ok(self.file)
    }
}

/// Whether a CSV field must be quoted — it holds `;`, `"`, CR or LF — and whether it holds
/// `"` (to double). Looked for eight bytes at a time, in one `u64`.
fn needs_quotes(value: &[u8]) -> (bool, bool) {
    /// Whether a byte of `word` is `b`: a byte of `word ^ [b; 8]` is zero.
    fn holds(word: u64, b: u8) -> bool {
        const ONES: u64 = u64::from_ne_bytes([1; 8]);
        const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    }
    let words = value.chunks_exact(8);
    let rest = words.remainder();
    let (mut special, mut quote) = (false, false);
    for chunk in words {
        let word = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_ne_bytes);
        quote |= holds(word, b'"');
        special |= holds(word, b';') | holds(word, b'\r') | holds(word, b'\n');
    }
    for &b in rest {
        quote |= b == b'"';
        special |= (b == b';') | (b == b'\r') | (b == b'\n');
    }
    (special | quote, quote)
}

fn write_csv(job: Job<'_, '_>) -> Result<u64, ExportError> {
    let labels = job.labels;
    let io_err = |e: std::io::Error| write_error(job.file, e);
    let out = File::options().write(true).open(job.tmp).map_err(io_err)?;
    let mut out = CsvOut::new(out);
    // The UTF-8 byte order mark makes Excel read accents right.
    out.buf.extend_from_slice("\u{feff}".as_bytes());
    for h in headers(labels.lang) {
        out.field(h.as_bytes());
    }
    out.end_row().map_err(io_err)?;
    // Buffers reused from row to row.
    let (mut planned, mut sent) = (String::new(), String::new());
    let mut dates = DateTimes::default();
    let mut segments = itoa_buffer();
    let rows = job.pages.write_all(job.progress, |_, m, cost| {
        dates.write(&mut planned, labels.local_secs(m.planned_at));
        match m.sent_at {
            Some(t) => dates.write(&mut sent, labels.local_secs(t)),
            None => sent.clear(),
        }
        out.field(planned.as_bytes());
        out.field(sent.as_bytes());
        out.text(m.recipient_name);
        out.field(m.phone);
        out.field(labels.context(m.context).as_bytes());
        out.text(m.collaborator);
        out.text(m.created_by);
        out.text(m.text);
        out.field(integer(&mut segments, m.segments));
        out.field(labels.status(m.status).as_bytes());
        out.text(m.reply.unwrap_or_default());
        out.field(cost.map_or(&b""[..], |c| c.plain.as_bytes()));
        out.field(cost.map_or(&b""[..], |c| c.currency.as_bytes()));
        out.end_row().map_err(io_err)
    })?;
    let file_handle = out.finish().map_err(io_err)?;
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

    /// What the `csv` crate writes for `rows` with the export's settings, formula-looking texts
    /// given an apostrophe first (what the export wrote before it wrote its own bytes).
    fn by_the_csv_crate(rows: &[Vec<(bool, &str)>]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for row in rows {
            w.write_record(row.iter().map(|(outside, v)| match v.chars().next() {
                Some('=' | '+' | '-' | '@' | '\t' | '\r') if *outside => format!("'{v}"),
                _ => v.to_string(),
            }))
            .unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn csv_bytes_are_the_csv_crates_and_formulas_are_defused() {
        let long = "x".repeat(40);
        let tricky = [
            "",
            "Bonjour",
            "=HYPERLINK(\"x\")",
            "@SUM(A1)",
            "+33612345678",
            "-1",
            "\tTab",
            "\rCR first",
            "a;b",
            "say \"hi\"",
            "\"",
            "\"\"",
            "line\r\nnext",
            "only\nLF",
            "Benoît; \"Gwénolé\"\r\n=1",
            "ends with quote\"",
            long.as_str(),
            "long text with a ; far after the sixteenth byte",
            "a text longer than sixteen bytes with \"a quote\" later",
            "seventeen bytes:\"",
            "sixteen + newline 0123456789\n",
        ];
        let mut rows: Vec<Vec<(bool, &str)>> = Vec::new();
        for (i, a) in tricky.iter().enumerate() {
            let b = tricky[(i * 7 + 3) % tricky.len()];
            rows.push(vec![
                (false, *a),
                (true, *a),
                (true, b),
                (false, b),
                (true, ""),
            ]);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut out = CsvOut::new(File::create(&path).unwrap());
        for row in &rows {
            for (outside, v) in row {
                if *outside {
                    out.text(v.as_bytes());
                } else {
                    out.field(v.as_bytes());
                }
            }
            out.end_row().unwrap();
        }
        drop(out.finish().unwrap());
        let written = std::fs::read(&path).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&by_the_csv_crate(&rows))
        );
        assert!(
            written.starts_with(b";;'@SUM(A1);@SUM(A1);\r\n"),
            "{}",
            String::from_utf8_lossy(&written)
        );
        assert!(
            String::from_utf8_lossy(&written).contains(";\"'=HYPERLINK(\"\"x\"\")\";"),
            "a formula gets its apostrophe inside the quotes"
        );
    }

    /// Every byte at every place of fields up to 24 bytes long, among others.
    #[test]
    fn quotes_are_found_wherever_they_are() {
        for len in 1..24 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut field = vec![b'a'; len];
                    field[at] = b;
                    field[(at + 5) % len] ^= 0x80;
                    let special = field.iter().any(|c| b";\"\r\n".contains(c));
                    let quote = field.contains(&b'"');
                    assert_eq!(needs_quotes(&field), (special, quote), "{field:?}");
                }
            }
        }
        assert_eq!(needs_quotes(b""), (false, false));
    }

    /// The dates kept per day give every wall-clock time the text chrono's does, in any order,
    /// across days, before 1970 and out of chrono's range.
    #[test]
    fn dates_kept_per_day_are_written_as_each_time_alone() {
        let mut dates = DateTimes::default();
        let (mut out, mut alone) = (String::new(), String::new());
        let mut times: Vec<i64> = (0..3_000).map(|i| 1_774_742_400 + i * 1_031).collect();
        times.extend((0..500).rev().map(|i| 1_774_742_400 + i * 7_919 - 17));
        times.extend((0..200).map(|i| -86_400 * 3 + i * 2_003));
        times.extend([
            i64::MIN,
            i64::MAX,
            0,
            -1,
            86_399,
            86_400,
            253_402_300_799,
            253_402_300_800,
        ]);
        times.extend([-62_167_219_200, -62_167_219_201, 1_774_742_400]);
        for local in times {
            dates.write(&mut out, local);
            write_date_time(&mut alone, from_ts(local).naive_utc());
            assert_eq!(out, alone, "{local}");
        }
    }

    /// What the costs kept per span give each charge is what `Pricing::value` gives it, for
    /// charges within a pack, across packs, beyond them, empty or before the first unit.
    #[test]
    fn costs_are_the_pricing_values() {
        use crate::money::PackPrice;
        let pack = |units: i64, unit_price: Option<i64>, currency: &str| PackPrice {
            units,
            unit_price,
            currency: currency.into(),
        };
        let pricings = [
            vec![pack(1_000, Some(70_000), "EUR")],
            vec![
                pack(100, Some(70_000), "EUR"),
                pack(50, None, "EUR"),
                pack(200, Some(65_500), "EUR"),
                pack(0, Some(1), "EUR"),
                pack(30, Some(80_000), "CHF"),
                pack(20, Some(3), "XPF"),
            ],
            vec![pack(10, None, "EUR")],
            vec![pack(10, Some(5), "EUR"), pack(-5, Some(7), "EUR")],
            vec![],
        ];
        for packs in pricings {
            let pricing = Pricing { packs, consumed: 0 };
            let priced = pricing.packs.iter().any(|p| p.unit_price.is_some());
            for lang in [Lang::Fr, Lang::En] {
                let mut costs = Costs::new(pricing.clone(), lang);
                let mut charges = vec![None, Some((1, 0)), Some((0, 5)), Some((-2, 5))];
                for running in (1..460).chain([i64::MAX, i64::MAX - 3]) {
                    for units in [1, 2, 3, 7, 60] {
                        charges.push(Some((units, running)));
                    }
                }
                charges.extend((0..200).map(|i| Some((1 + i % 3, 500 - i))));
                for charge in charges {
                    let expected = charge
                        .filter(|_| priced)
                        .and_then(|(units, running)| pricing.value(running - units, running))
                        .map(|m| Cost::new(m, lang));
                    assert_eq!(
                        costs.of(charge),
                        expected.as_ref(),
                        "{charge:?} {pricing:?}"
                    );
                }
            }
        }
    }

    /// A batch's texts are checked once for all its rows: a character cut between two texts,
    /// or bytes that are not UTF-8, make each text shown apart, its invalid bytes as `�`.
    #[test]
    fn a_batchs_texts_are_each_rows_texts() {
        let row = |ends: [usize; XlsxRow::TEXTS]| XlsxRow {
            planned: 0.0,
            sent: None,
            segments: 1.0,
            amount: None,
            ends,
        };
        let mut batch = XlsxBatch::new();
        batch.texts.extend_from_slice("Benoîtxé".as_bytes());
        batch.rows.push(row([7, 7, 7, 7, 7, 7, 7, 7, 7]));
        batch.rows.push(row([8, 10, 10, 10, 10, 10, 10, 10, 10]));
        let texts = batch.texts();
        assert_eq!(texts, Ok("Benoîtxé"));
        assert_eq!(cell_text(texts, 0, 7), "Benoît");
        assert_eq!(cell_text(texts, 8, 10), "é");
        // "î" cut between two texts.
        batch.rows[0].ends[0] = 5;
        let texts = batch.texts();
        assert!(texts.is_err());
        assert_eq!(cell_text(texts, 0, 5), "Beno�");
        assert_eq!(cell_text(texts, 5, 7), "�t");
        assert_eq!(cell_text(texts, 8, 10), "é");
        batch.rows[0].ends[0] = 7;
        batch.texts[7] = 0xff;
        let texts = batch.texts();
        assert_eq!(cell_text(texts, 0, 7), "Benoît");
        assert_eq!(cell_text(texts, 7, 8), "�");
    }

    #[test]
    fn formats_come_from_names_and_extensions() {
        assert_eq!(Format::parse("XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::from_path(Path::new("a/b.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("a/b.ods")), None);
    }
}
