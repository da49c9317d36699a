//! Dates and times as operators type them, the same in every field: `25/03/2026 14:30`,
//! `25/03 14:30`, `14:30`, `2026-03-25 14:30`.

use crate::sms::window;
use crate::tui::fmt::clean;
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
        .ok_or_else(|| Problem::BadTime {
            input: clean(input),
        })
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
    for f in ["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d/%m/%y") {
        return Some(d);
    }
    let (d, m) = s.split_once('/')?;
    let (d, m): (u32, u32) = (d.parse().ok()?, m.parse().ok()?);
    let this_year = NaiveDate::from_ymd_opt(today.year(), m, d);
    match this_year {
        Some(day) if day >= today => Some(day),
        _ => NaiveDate::from_ymd_opt(today.year() + 1, m, d).or(this_year),
    }
}
