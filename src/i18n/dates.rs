//! Dates and times as people read them — one format everywhere, the one they type
//! (`src/tui/dates.rs` reads it back): day first, slashes, four-digit year, 24-hour clock.
//!
//! - `25/03/2026` a day, `25/03/2026 14:30` a moment;
//! - seconds only where they matter (status histories, key lists): `25/03/2026 14:30:05`;
//! - a weekday may lead, in the reader's language: `mardi 25/03/2026 14:30`;
//! - dense table columns may drop the year **only when it is the current one** (`25/03 14:30`,
//!   `mar. 25/03`); any other year is always written (`02/12/2025 09:00`).
//!
//! Machine output (`--json`, stored values, logs read by tools) stays ISO 8601 and does not use
//! this module. Pure: no clock is read here, the current year is given.

use super::Lang;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// `25/03/2026`.
pub fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `14:30`.
pub fn time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// `14:30`, or `14:30:05` when the seconds are not zero.
pub fn time_exact(t: NaiveTime) -> String {
    if t.second() == 0 && t.nanosecond() == 0 {
        time(t)
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

/// `25/03/2026 14:30`.
pub fn day_time(t: NaiveDateTime) -> String {
    format!("{} {}", day(t.date()), time(t.time()))
}

/// `25/03/2026 14:30:05`, for histories where the second matters.
pub fn day_time_seconds(t: NaiveDateTime) -> String {
    t.format("%d/%m/%Y %H:%M:%S").to_string()
}

/// The weekday's full name in `lang` (`mardi`, `Tuesday`).
pub fn weekday(d: NaiveDate, lang: Lang) -> String {
    d.and_time(NaiveTime::MIN)
        .and_utc()
        .format_localized("%A", lang.locale())
        .to_string()
}

/// `mardi 25/03/2026` / `Tuesday 25/03/2026`.
pub fn named_day(d: NaiveDate, lang: Lang) -> String {
    format!("{} {}", weekday(d, lang), day(d))
}

/// `mardi 25/03/2026 14:30` / `Tuesday 25/03/2026 14:30`.
pub fn named_day_time(t: NaiveDateTime, lang: Lang) -> String {
    format!("{} {}", named_day(t.date(), lang), time(t.time()))
}

/// `25/03` in `this_year`, `25/03/2025` otherwise (dense columns).
pub fn short_day(d: NaiveDate, this_year: i32) -> String {
    if d.year() == this_year {
        d.format("%d/%m").to_string()
    } else {
        day(d)
    }
}

/// `25/03 14:30` in `this_year`, `25/03/2025 14:30` otherwise (dense columns).
pub fn short_day_time(t: NaiveDateTime, this_year: i32) -> String {
    format!("{} {}", short_day(t.date(), this_year), time(t.time()))
}

/// `mar. 25/03` / `Tue 25/03` in `this_year`, with the year otherwise (agenda headings).
pub fn short_named_day(d: NaiveDate, lang: Lang, this_year: i32) -> String {
    let name = d
        .and_time(NaiveTime::MIN)
        .and_utc()
        .format_localized("%a", lang.locale())
        .to_string();
    format!("{name} {}", short_day(d, this_year))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, s))
            .unwrap()
    }

    #[test]
    fn one_format_day_first_with_the_year() {
        let t = at(2026, 3, 24, 9, 5, 0);
        assert_eq!(day(t.date()), "24/03/2026");
        assert_eq!(day_time(t), "24/03/2026 09:05");
        assert_eq!(
            day_time_seconds(at(2026, 3, 24, 9, 5, 7)),
            "24/03/2026 09:05:07"
        );
        assert_eq!(named_day_time(t, Lang::Fr), "mardi 24/03/2026 09:05");
        assert_eq!(named_day_time(t, Lang::En), "Tuesday 24/03/2026 09:05");
        assert_eq!(time_exact(at(2026, 3, 24, 9, 5, 7).time()), "09:05:07");
        assert_eq!(time_exact(t.time()), "09:05");
    }

    #[test]
    fn short_forms_drop_only_the_current_year() {
        let t = at(2026, 3, 24, 9, 5, 0);
        assert_eq!(short_day_time(t, 2026), "24/03 09:05");
        assert_eq!(short_day_time(t, 2027), "24/03/2026 09:05");
        assert_eq!(short_named_day(t.date(), Lang::Fr, 2026), "mar. 24/03");
        assert_eq!(short_named_day(t.date(), Lang::En, 2025), "Tue 24/03/2026");
    }
}
