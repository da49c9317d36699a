//! Reading an events spreadsheet (interviews, steps, orientations to create): the participant
//! by mobile number, kind, type, local date and time, collaborator, location, notes.

use super::contacts::{Read, RowIssue, Sheet};
use super::import::{Cell, CellIssue, ImportError, Progress, TableRow, normalise_header};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::Serialize;
use std::path::Path;

/// What a column of an events file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventField {
    Mobile,
    Kind,
    Type,
    Date,
    Time,
    Collaborator,
    Location,
    Notes,
}

/// Accepted headers of each field, normalised, most specific first.
pub const EVENT_HEADERS: &[(EventField, &[&str])] = &[
    (
        EventField::Mobile,
        &[
            "MOBILE",
            "PORTABLE",
            "TELEPHONEMOBILE",
            "TELEPHONEPORTABLE",
            "TELEPHONE",
            "TEL",
            "GSM",
            "PHONE",
            "MOBILEDUPARTICIPANT",
            "TELEPHONEDUPARTICIPANT",
        ],
    ),
    (
        EventField::Kind,
        &[
            "NATURE",
            "GENRE",
            "KIND",
            "EVENEMENT",
            "TYPEDEVENEMENT",
            "CATEGORIE",
        ],
    ),
    (
        EventField::Type,
        &[
            "TYPE",
            "TYPEDENTRETIEN",
            "TYPEDEVENEMENTPRECIS",
            "MOTIF",
            "OBJET",
            "INTITULE",
        ],
    ),
    (
        EventField::Date,
        &[
            "DATEETHEURE",
            "DATEHEURE",
            "DATE",
            "JOUR",
            "DATEDEBUT",
            "DEBUT",
            "START",
            "QUAND",
        ],
    ),
    (
        EventField::Time,
        &["HEURE", "HORAIRE", "HEUREDEBUT", "HEUREDEDEBUT", "TIME"],
    ),
    (
        EventField::Collaborator,
        super::contacts::COLLABORATOR_HEADERS,
    ),
    (
        EventField::Location,
        &["LIEU", "ADRESSE", "LOCATION", "SALLE", "ANTENNE"],
    ),
    (
        EventField::Notes,
        &[
            "NOTES",
            "NOTE",
            "COMMENTAIRE",
            "COMMENTAIRES",
            "REMARQUES",
            "OBSERVATIONS",
        ],
    ),
];

/// An events file, read.
pub type EventSheet = Sheet<EventField>;

fn names(field: EventField) -> &'static [&'static str] {
    EVENT_HEADERS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, n)| *n)
        .unwrap_or(&[])
}

/// Reads an events file. Its header row names a phone column and a date column.
pub fn read_events(
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<EventSheet, ImportError> {
    let is_header = |h: &[String]| {
        let n: Vec<String> = h.iter().map(|s| normalise_header(s)).collect();
        let has = |f| names(f).iter().any(|name| n.iter().any(|x| x == name));
        has(EventField::Mobile) && has(EventField::Date)
    };
    let wanted = super::import::WantedColumns::PhoneAndDate;
    Sheet::read(
        path,
        EVENT_HEADERS,
        &is_header,
        wanted,
        Read::Fields,
        progress,
    )
}

impl EventSheet {
    /// The local start of the event in row `r`: a date-time cell or text in the date column,
    /// completed by the time column when there is one.
    pub fn start(&self, r: &TableRow) -> Result<NaiveDateTime, RowIssue> {
        let date_col = self.columns.col(EventField::Date).unwrap_or(0);
        let issue = |col: usize, value: String, problem: &CellIssue| RowIssue {
            row: r.row,
            column: Some(self.table.column_named(col)),
            value,
            reason: super::issue::IssueReason::Cell {
                problem: problem.clone(),
            },
        };
        let date_cell = r.get(date_col);
        let shown = date_cell.text().unwrap_or_default();
        let (day, time_in_date) = match date_cell {
            Cell::Empty => return Err(issue(date_col, shown, &CellIssue::NoDate)),
            Cell::Problem(reason) => return Err(issue(date_col, String::new(), reason)),
            Cell::DateTime(t) => (t.date(), (t.time() != NaiveTime::MIN).then_some(t.time())),
            Cell::Number(serial) => match excel_serial(*serial) {
                Some(t) => (t.date(), (t.time() != NaiveTime::MIN).then_some(t.time())),
                None => return Err(issue(date_col, shown, &CellIssue::NotADate)),
            },
            Cell::Text(_) | Cell::Bool(_) => match parse_date_time(&shown) {
                Some(x) => x,
                None => {
                    return Err(issue(date_col, shown, &CellIssue::BadDate));
                }
            },
        };
        let time = match self.columns.col(EventField::Time) {
            Some(col) => match r.get(col) {
                Cell::Empty => time_in_date,
                Cell::DateTime(t) => Some(t.time()),
                Cell::Number(f) if (0.0..1.0).contains(f) => {
                    NaiveTime::from_num_seconds_from_midnight_opt((f * 86_400.0).round() as u32, 0)
                }
                Cell::Problem(reason) => return Err(issue(col, String::new(), reason)),
                other => {
                    let t = other.text().unwrap_or_default();
                    match parse_time(&t) {
                        Some(x) => Some(x),
                        None => {
                            return Err(issue(col, t, &CellIssue::BadTime));
                        }
                    }
                }
            },
            None => time_in_date,
        };
        let Some(time) = time else {
            return Err(issue(date_col, shown, &CellIssue::NoTime));
        };
        Ok(day.and_time(time.with_nanosecond(0).unwrap_or(time)))
    }
}

/// An Excel serial day number (a date cell that lost its format), within 1982–2119.
fn excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(30_000.0..80_000.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    let secs = (serial * 86_400.0).round() as i64;
    Some(epoch + chrono::Duration::seconds(secs))
}

/// `14:00`, `14h00`, `14h`, `14:00:00`, `9h30`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim().to_ascii_lowercase().replace(' ', "");
    let s = s.trim_end_matches('h');
    let (h, rest) = s.split_once([':', 'h']).unwrap_or((s, ""));
    let mut parts = rest.split(':');
    let m = parts.next().filter(|m| !m.is_empty()).unwrap_or("0");
    let sec = parts.next().unwrap_or("0");
    let (h, m, sec): (u32, u32, u32) = (h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?);
    NaiveTime::from_hms_opt(h, m, sec)
}

/// `30/03/2026`, `30-03-2026`, `30.03.2026`, `2026-03-30`, optionally followed by a time
/// (`14:00`, `14h00`, `à 14h`, `T14:00`).
pub fn parse_date_time(s: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let s = s.trim();
    let (date_part, time_part) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let date = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(date_part, f).ok())?;
    let time_part = time_part
        .trim_start_matches('à')
        .trim_start_matches("a ")
        .trim();
    if time_part.is_empty() {
        return Some((date, None));
    }
    Some((date, Some(parse_time(time_part)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn french_and_iso_dates_and_times() {
        assert_eq!(
            parse_date_time("30/03/2026 14:00"),
            Some((d(2026, 3, 30), Some(t(14, 0))))
        );
        assert_eq!(
            parse_date_time("30/03/2026 à 9h30"),
            Some((d(2026, 3, 30), Some(t(9, 30))))
        );
        assert_eq!(
            parse_date_time("2026-03-30T08:15"),
            Some((d(2026, 3, 30), Some(t(8, 15))))
        );
        assert_eq!(parse_date_time("30.03.2026"), Some((d(2026, 3, 30), None)));
        assert_eq!(parse_date_time("31/02/2026"), None);
        assert_eq!(parse_date_time("demain"), None);
        assert_eq!(parse_time("14h"), Some(t(14, 0)));
        assert_eq!(parse_time("14 h 05"), Some(t(14, 5)));
        assert_eq!(parse_time("25:00"), None);
    }

    #[test]
    fn excel_serials_become_dates() {
        // 46111 is 30/03/2026 in Excel; .5 is noon.
        assert_eq!(
            excel_serial(46111.5),
            Some(d(2026, 3, 30).and_time(t(12, 0)))
        );
        assert_eq!(excel_serial(612345678.0), None);
    }
}
