//! Dates and times as operators type them, the same in every field: `25/03/2026 14:30`,
//! `25/03 14:30`, `14:30`, `2026-03-25 14:30`.

use crate::sms::window;
use crate::tui::problem::Problem;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// A time field that may stay empty (`None`); whatever is typed must read as a time.
pub fn parse_optional_time(
    input: &str,
    today: NaiveDate,
) -> Result<Option<NaiveDateTime>, Problem> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    parse_local_time(input, today)
        .map(Some)
        .ok_or_else(|| Problem::bad_time(input))
}

/// A local date-time typed by an operator: `25/03/2026 14:30`, `25/03 14:30` (this year, or
/// next year when that day has passed), `14:30` (today), `2026-03-25 14:30`.
pub fn parse_local_time(input: &str, today: NaiveDate) -> Option<NaiveDateTime> {
    let input = input.trim();
    if let Ok(t) = window::parse_local_datetime(input) {
        return Some(t);
    }
    let mut parts = input.split_whitespace();
    let first = parts.next()?;
    let second = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let (day, time) = match second {
        Some(time) => (parse_day(first, today)?, time),
        None => (today, first),
    };
    let time = NaiveTime::parse_from_str(time, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time, "%Hh%M"))
        .or_else(|_| NaiveTime::parse_from_str(&format!("{time}00"), "%Hh%M"))
        .ok()?;
    Some(day.and_time(time))
}

/// `25/03/2026`, `25/03/26`, `2026-03-25`, or `25/03` (the next such day from `today`).
pub fn parse_day(s: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(d) = parse_full_day(s) {
        return Some(d);
    }
    let (d, m) = s.trim().split_once('/')?;
    let (d, m): (u32, u32) = (d.trim().parse().ok()?, m.trim().parse().ok()?);
    let this_year = NaiveDate::from_ymd_opt(today.year(), m, d);
    match this_year {
        Some(day) if day >= today => Some(day),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, m, d).or(this_year),
    }
}

/// A day that is as often past as coming (a filter, a pack bought): like [`parse_day`], but
/// `25/03` is this year's.
pub fn parse_day_in_year(s: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(d) = parse_full_day(s) {
        return Some(d);
    }
    let (d, m) = s.trim().split_once('/')?;
    NaiveDate::from_ymd_opt(today.year(), m.trim().parse().ok()?, d.trim().parse().ok()?)
}

/// A day with its year: `25/03/2026`, `25/03/26`, `2026-03-25`, `25.03.2026`.
fn parse_full_day(s: &str) -> Option<NaiveDate> {
    // Two-digit years first: `%Y` would read `26` as the year 26.
    ["%d/%m/%y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s.trim(), f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
    }

    /// Every form a date field takes, read the same way by every field.
    #[test]
    fn days_read_in_every_form() {
        let today = ymd(2026, 6, 15);
        for (typed, coming, in_year) in [
            ("25/03/2026", Some(ymd(2026, 3, 25)), Some(ymd(2026, 3, 25))),
            ("25/03/26", Some(ymd(2026, 3, 25)), Some(ymd(2026, 3, 25))),
            ("2026-03-25", Some(ymd(2026, 3, 25)), Some(ymd(2026, 3, 25))),
            ("25.03.2026", Some(ymd(2026, 3, 25)), Some(ymd(2026, 3, 25))),
            (
                " 25/03/2026 ",
                Some(ymd(2026, 3, 25)),
                Some(ymd(2026, 3, 25)),
            ),
            ("25/03", Some(ymd(2027, 3, 25)), Some(ymd(2026, 3, 25))),
            ("20/06", Some(ymd(2026, 6, 20)), Some(ymd(2026, 6, 20))),
            ("31/02/2026", None, None),
            ("demain", None, None),
            ("", None, None),
        ] {
            assert_eq!(parse_day(typed, today), coming, "{typed:?}");
            assert_eq!(parse_day_in_year(typed, today), in_year, "{typed:?}");
        }
    }

    #[test]
    fn date_times_read_in_every_form() {
        let today = ymd(2026, 6, 15);
        let at = |d: NaiveDate, h, m| d.and_hms_opt(h, m, 0);
        for (typed, want) in [
            ("25/07/2026 14:30", at(ymd(2026, 7, 25), 14, 30)),
            ("25/07/26 14:30", at(ymd(2026, 7, 25), 14, 30)),
            ("25/07 14:30", at(ymd(2026, 7, 25), 14, 30)),
            ("2026-07-25 14:30", at(ymd(2026, 7, 25), 14, 30)),
            ("14:30", at(today, 14, 30)),
            ("14h30", at(today, 14, 30)),
            ("25/07/2026 25:00", None),
        ] {
            assert_eq!(parse_local_time(typed, today), want, "{typed:?}");
        }
    }
}
