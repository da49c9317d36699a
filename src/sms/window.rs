//! The sending window: when messages may leave, in the organisation's timezone.
//!
//! Everything here is pure: the current instant is always a parameter, never read from a clock.
//!
//! Conventions (SPEC §3 "Window", "Information campaigns", "Retries"):
//! - A window is a time range from `start` to the end of its `end` minute, in local wall-clock
//!   time (a window 09:00–19:00 is open from 09:00:00 to 19:00:59: a message planned at 19:00
//!   leaves at 19:00, even when the scheduler looks a few seconds later), on a set of allowed
//!   week days. The default is 09:00–19:00, Monday to Saturday.
//! - Local times are turned into instants by [`resolve_local`] only: a time that does not exist
//!   (spring-forward gap) is moved forward by the length of the gap, an ambiguous one (autumn
//!   fold) takes its first, daylight-saving, occurrence.
//! - An instant is "inside" a window when its local wall-clock time, read in the window's
//!   timezone, is within [`within_hours`] and its local date falls on an allowed week day. The
//!   planner, the scheduler, `plan`, the check of an explicit time and the campaign rule all
//!   use this one rule.
//! - Information campaigns also obey the French rule: Monday to Saturday, 08:00–20:00, never
//!   on a public holiday of the territory of the timezone (see [`crate::sms::holidays`]).

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    SecondsFormat, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;

use crate::sms::holidays::{Territory, is_holiday};

/// How many days ahead (or back) a search for an open day may look before giving up. A week
/// covers every weekday set; the margin covers runs of public holidays next to Sundays.
const SEARCH_DAYS: u64 = 31;

crate::typed_messages! {
    /// Errors in window settings: times, week days, timezone (texts: `[window_error]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum WindowError in "window_error" {
        InvalidTime { input: String },
        InvalidRange { input: String },
        StartNotBeforeEnd { start: String, end: String },
        UnknownDay { input: String },
        NoDays,
        UnknownTimezone { input: String },
    }
}

impl std::error::Error for WindowError {}

crate::typed_messages! {
    /// Why a time could not be planned, or a planned time is refused (texts: `[plan_error]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum PlanError in "plan_error" {
        InvalidDateTime { input: String },
        InvalidWindow { window: WindowError },
        NoSlotBeforeEvent {
            event: LocalTime,
            days_before: u32,
            planned: PlannedSlot,
            window: SendWindow,
        },
        NoSlot { what: SlotSearch, window: SendWindow },
        InThePast { at: LocalTime, now: LocalTime },
        OutsideWindow { at: LocalTime, window: String },
        DayNotAllowed {
            at: LocalTime,
            day: Weekday,
            allowed: WeekdaySet,
        },
        NotBeforeEvent { at: LocalTime, event: LocalTime },
        PublicHoliday {
            date: NaiveDate,
            name: &'static str,
            territory: &'static str,
        },
        CampaignSunday { at: LocalTime },
        OutsideCampaignWindow {
            at: LocalTime,
            window: String,
            org_window: String,
        },
        NoCampaignWindow { window: SendWindow },
    }
}

impl std::error::Error for PlanError {}

impl From<WindowError> for PlanError {
    fn from(window: WindowError) -> Self {
        PlanError::InvalidWindow { window }
    }
}

crate::typed_messages! {
    /// Where a reminder would have left, in [`PlanError::NoSlotBeforeEvent`].
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum PlannedSlot in "planned_slot" {
        At { at: LocalTime },
        BeforeFirstDate,
    }
}

crate::typed_messages! {
    /// What was searched, in [`PlanError::NoSlot`].
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum SlotSearch in "slot_search" {
        AfterEvent { days_after: u32, event: LocalTime },
        Campaign { days: u64, from: LocalTime },
    }
}

/// A local date-time with its offset and zone, for messages: `Saturday 28/03/2026 09:00 +01:00
/// (Europe/Paris)`, the day named in the reader's language (see [`crate::i18n::dates`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTime(pub DateTime<Tz>);

impl LocalTime {
    fn new(at: DateTime<Utc>, tz: Tz) -> LocalTime {
        LocalTime(at.with_timezone(&tz))
    }
}

impl crate::i18n::Describe for LocalTime {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        let local = &self.0;
        format!(
            "{} {} {} ({})",
            crate::i18n::dates::named_day(local.date_naive(), lang),
            crate::i18n::dates::time_exact(local.time()),
            local.format("%:z"),
            local.timezone().name()
        )
    }
}

impl fmt::Display for LocalTime {
    /// English: logs and the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::Describe::describe(
            self,
            crate::i18n::Lang::En,
        ))
    }
}

impl crate::i18n::Describe for Weekday {
    /// The day's name in the reader's language (`Sunday`, `dimanche`).
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        // 2024-01-01 is a Monday.
        NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|monday| {
                monday.checked_add_days(Days::new(u64::from(self.num_days_from_monday())))
            })
            .map(|d| d.format_localized("%A", lang.locale()).to_string())
            .unwrap_or_default()
    }
}

impl crate::i18n::Describe for NaiveDate {
    /// `25/03/2026`.
    fn describe(&self, _: crate::i18n::Lang) -> String {
        crate::i18n::dates::day(*self)
    }
}

impl crate::i18n::Describe for WeekdaySet {
    /// The days in the reader's language, Monday first: `lun, mar, mer` / `Mon, Tue, Wed`
    /// (the settings' short names, `weekday.N`). The stored value keeps the codes
    /// (`mon,tue,wed`, [`fmt::Display`]).
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        self.iter()
            .map(|d| {
                crate::i18n::tr(lang, &format!("weekday.{}", d.num_days_from_monday())).to_string()
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

// ---------------------------------------------------------------------------------------------
// Week days

/// A set of week days, Monday to Sunday, as a bitmask (bit 0 = Monday).
///
/// Parsed from and displayed as a comma list like `mon,tue,wed,thu,fri,sat`. Parsing also
/// accepts full English names, French names or abbreviations (`lun`, `lundi`…), ranges
/// (`mon-fri`, wrapping like `sat-mon`), any case, and spaces or `;` as separators.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WeekdaySet(u8);

const DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl WeekdaySet {
    pub const EMPTY: WeekdaySet = WeekdaySet(0);
    pub const ALL: WeekdaySet = WeekdaySet(0b111_1111);
    /// Monday to Saturday: the default window's days and the legal days of campaigns.
    pub const MON_SAT: WeekdaySet = WeekdaySet(0b011_1111);
    pub const MON_FRI: WeekdaySet = WeekdaySet(0b001_1111);

    pub fn from_days(days: &[Weekday]) -> WeekdaySet {
        let mut set = WeekdaySet::EMPTY;
        for day in days {
            set.insert(*day);
        }
        set
    }

    fn bit(day: Weekday) -> u8 {
        1 << day.num_days_from_monday()
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }

    pub fn insert(&mut self, day: Weekday) {
        self.0 |= Self::bit(day);
    }

    pub fn remove(&mut self, day: Weekday) {
        self.0 &= !Self::bit(day);
    }

    pub fn is_empty(self) -> bool {
        self.0 & Self::ALL.0 == 0
    }

    pub fn len(self) -> usize {
        (self.0 & Self::ALL.0).count_ones() as usize
    }

    pub fn intersection(self, other: WeekdaySet) -> WeekdaySet {
        WeekdaySet(self.0 & other.0)
    }

    /// The days in the set, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        DAYS.into_iter().filter(move |d| self.contains(*d))
    }

    /// The raw bitmask (bit 0 = Monday … bit 6 = Sunday), for storage.
    pub fn bits(self) -> u8 {
        self.0 & Self::ALL.0
    }

    /// From a raw bitmask; bits above Sunday are ignored.
    pub fn from_bits(bits: u8) -> WeekdaySet {
        WeekdaySet(bits & Self::ALL.0)
    }
}

fn parse_day(token: &str) -> Option<Weekday> {
    let t = token.trim().to_lowercase();
    let t = t.trim_end_matches('.');
    Some(match t {
        "mon" | "monday" | "lun" | "lundi" => Weekday::Mon,
        "tue" | "tues" | "tuesday" | "mar" | "mardi" => Weekday::Tue,
        "wed" | "wednesday" | "mer" | "mercredi" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" | "jeu" | "jeudi" => Weekday::Thu,
        "fri" | "friday" | "ven" | "vendredi" => Weekday::Fri,
        "sat" | "saturday" | "sam" | "samedi" => Weekday::Sat,
        "sun" | "sunday" | "dim" | "dimanche" => Weekday::Sun,
        _ => return None,
    })
}

impl FromStr for WeekdaySet {
    type Err = WindowError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut set = WeekdaySet::EMPTY;
        for token in s
            .split([',', ';', ' ', '\t'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let unknown = || WindowError::UnknownDay {
                input: token.to_string(),
            };
            if let Some((from, to)) = token.split_once(['-', '–']) {
                let from = parse_day(from).ok_or_else(unknown)?;
                let to = parse_day(to).ok_or_else(unknown)?;
                let mut day = from;
                set.insert(day);
                while day != to {
                    day = day.succ();
                    set.insert(day);
                }
            } else {
                set.insert(parse_day(token).ok_or_else(unknown)?);
            }
        }
        if set.is_empty() {
            return Err(WindowError::NoDays);
        }
        Ok(set)
    }
}

fn day_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

impl fmt::Display for WeekdaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codes: Vec<&str> = self.iter().map(day_code).collect();
        f.write_str(&codes.join(","))
    }
}

impl fmt::Debug for WeekdaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeekdaySet({self})")
    }
}

// ---------------------------------------------------------------------------------------------
// The window

/// When messages may leave: local wall-clock `start..=end` (both included) on allowed `days`.
///
/// Build it with [`SendWindow::new`] (or parse it) so that `start < end` and `days` is not
/// empty; the planning functions refuse a window that breaks those rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SendWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub days: WeekdaySet,
}

impl Default for SendWindow {
    /// 09:00–19:00, Monday to Saturday: office hours of the products smsdesk replaces, and
    /// inside the legal campaign hours.
    fn default() -> Self {
        SendWindow {
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(19, 0, 0).unwrap_or(NaiveTime::MIN),
            days: WeekdaySet::MON_SAT,
        }
    }
}

/// Parses a local time of day: `HH:MM` (also `H:MM`, `HHhMM`, `HHh`, `HH:MM:SS`).
pub fn parse_time(s: &str) -> Result<NaiveTime, WindowError> {
    let input = s.trim();
    let err = || WindowError::InvalidTime {
        input: s.to_string(),
    };
    let lower = input.to_lowercase();
    let (h, rest) = lower.split_once([':', 'h']).ok_or_else(err)?;
    let (m, sec) = match rest.split_once(':') {
        Some((m, sec)) => (m, Some(sec)),
        None if rest.is_empty() && lower.ends_with('h') => ("00", None),
        None => (rest, None),
    };
    let two_digits = |x: &str| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit());
    let hour_ok = (1..=2).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_digit());
    if !hour_ok || !two_digits(m) || sec.is_some_and(|x| !two_digits(x)) {
        return Err(err());
    }
    let num = |x: &str| x.parse::<u32>().map_err(|_| err());
    let sec = match sec {
        Some(x) => num(x)?,
        None => 0,
    };
    NaiveTime::from_hms_opt(num(h)?, num(m)?, sec).ok_or_else(err)
}

impl SendWindow {
    /// A validated window: `start` strictly before `end`, at least one day.
    pub fn new(
        start: NaiveTime,
        end: NaiveTime,
        days: WeekdaySet,
    ) -> Result<SendWindow, WindowError> {
        if start >= end {
            return Err(WindowError::StartNotBeforeEnd {
                start: crate::i18n::dates::time_exact(start),
                end: crate::i18n::dates::time_exact(end),
            });
        }
        if days.is_empty() {
            return Err(WindowError::NoDays);
        }
        Ok(SendWindow { start, end, days })
    }

    /// From settings text: hours `"HH:MM-HH:MM"` and days `"mon,tue,…"`.
    pub fn parse(hours: &str, days: &str) -> Result<SendWindow, WindowError> {
        let (start, end) = parse_range(hours)?;
        SendWindow::new(start, end, days.parse()?)
    }

    /// Checks the invariants `new` enforces, for windows built field by field.
    pub fn validate(&self) -> Result<(), WindowError> {
        SendWindow::new(self.start, self.end, self.days).map(|_| ())
    }

    /// The hours as `HH:MM-HH:MM`.
    pub fn hours(&self) -> String {
        format!(
            "{}-{}",
            crate::i18n::dates::time_exact(self.start),
            crate::i18n::dates::time_exact(self.end)
        )
    }

    /// Whether a local date-time is inside the window (allowed day, [`within_hours`]).
    pub fn contains_local(&self, local: NaiveDateTime) -> bool {
        self.days.contains(local.weekday()) && within_hours(self.start, self.end, local.time())
    }

    /// Whether an instant is inside the window, read in `tz`.
    pub fn is_open(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        self.contains_local(at.with_timezone(&tz).naive_local())
    }
}

/// Whether a local time of day is inside the hours `start`–`end`: from `start` to the last
/// second of the `end` minute (the end minute is inside the window).
pub fn within_hours(start: NaiveTime, end: NaiveTime, time: NaiveTime) -> bool {
    let minute = time
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(time);
    start <= time && minute <= end
}

/// Parses `"HH:MM-HH:MM"` (an en dash is accepted too) into its two times.
pub fn parse_range(s: &str) -> Result<(NaiveTime, NaiveTime), WindowError> {
    let (a, b) = s
        .trim()
        .split_once(['-', '–'])
        .ok_or_else(|| WindowError::InvalidRange {
            input: s.to_string(),
        })?;
    Ok((parse_time(a)?, parse_time(b)?))
}

impl fmt::Display for SendWindow {
    /// `09:00-19:00 mon,tue,wed,thu,fri,sat`, which [`FromStr`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.hours(), self.days)
    }
}

impl crate::i18n::Describe for SendWindow {
    /// `09:00-19:00 lun, mar, mer` / `09:00-19:00 Mon, Tue, Wed`: the days in the reader's
    /// language ([`WeekdaySet`]'s description); the settings keep the codes ([`fmt::Display`]).
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        format!("{} {}", self.hours(), self.days.describe(lang))
    }
}

impl FromStr for SendWindow {
    type Err = WindowError;

    /// `HH:MM-HH:MM`, optionally followed by a space and week days (default Monday–Saturday).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        match s.split_once(char::is_whitespace) {
            Some((hours, days)) => SendWindow::parse(hours, days),
            None => SendWindow::parse(s, "mon-sat"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Timezones

/// Parses an IANA timezone name (exact spelling first, then ignoring case).
pub fn parse_timezone(s: &str) -> Result<Tz, WindowError> {
    let name = s.trim();
    if let Ok(tz) = name.parse::<Tz>() {
        return Ok(tz);
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(name))
        .copied()
        .ok_or_else(|| WindowError::UnknownTimezone {
            input: s.to_string(),
        })
}

/// Timezones offered first in the settings: metropolitan France, then the overseas
/// territories, as `(IANA name, French label)`. Any other IANA zone is accepted too.
pub fn suggested_timezones() -> &'static [(&'static str, &'static str)] {
    &[
        ("Europe/Paris", "France métropolitaine"),
        ("America/Guadeloupe", "Guadeloupe"),
        ("America/Martinique", "Martinique"),
        ("America/Cayenne", "Guyane"),
        ("Indian/Reunion", "Réunion"),
        ("Indian/Mayotte", "Mayotte"),
        ("America/Miquelon", "Saint-Pierre-et-Miquelon"),
        ("Pacific/Noumea", "Nouvelle-Calédonie"),
        ("Pacific/Tahiti", "Polynésie"),
        ("Pacific/Wallis", "Wallis-et-Futuna"),
    ]
}

/// The instant of a local wall-clock time in `tz`.
///
/// A time in a spring-forward gap moves forward by the gap's length (02:30 on a 02:00→03:00
/// night becomes 03:30): it is read with the offset in force just before the gap. An ambiguous
/// time (autumn fold) takes its first occurrence, still on daylight-saving time.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => dt,
        LocalResult::Ambiguous(first, second) => first.min(second),
        LocalResult::None => {
            let shifted = offset_before_gap(tz, local)
                .and_then(|offset| local.checked_sub_signed(Duration::seconds(i64::from(offset))));
            // Unreachable in practice (every gap is shorter than two days); reading the time as
            // UTC keeps this total without panicking.
            tz.from_utc_datetime(&shifted.unwrap_or(local))
        }
    }
}

/// The UTC offset (seconds) in force just before the gap that contains `local`.
fn offset_before_gap(tz: Tz, local: NaiveDateTime) -> Option<i32> {
    (1..=48 * 4).find_map(|step| {
        let earlier = local.checked_sub_signed(Duration::minutes(15 * step))?;
        match tz.from_local_datetime(&earlier) {
            LocalResult::Single(dt) => Some(dt.offset().fix().local_minus_utc()),
            LocalResult::Ambiguous(a, b) => Some(a.max(b).offset().fix().local_minus_utc()),
            LocalResult::None => None,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Planning

/// A window rule: hours, week days and, for campaigns, the territory whose holidays close it.
#[derive(Clone, Copy)]
struct Rule {
    start: NaiveTime,
    end: NaiveTime,
    days: WeekdaySet,
    holidays: Option<Territory>,
}

impl Rule {
    fn org(w: &SendWindow) -> Rule {
        Rule {
            start: w.start,
            end: w.end,
            days: w.days,
            holidays: None,
        }
    }

    /// The organisation's window intersected with the legal campaign rule; `None` if empty.
    fn campaign(w: &SendWindow, tz: Tz) -> Option<Rule> {
        let (legal_start, legal_end) = campaign_legal_hours();
        let rule = Rule {
            start: w.start.max(legal_start),
            end: w.end.min(legal_end),
            days: w.days.intersection(WeekdaySet::MON_SAT),
            holidays: Some(Territory::from_tz(tz)),
        };
        (rule.start <= rule.end && !rule.days.is_empty()).then_some(rule)
    }

    fn day_ok(&self, date: NaiveDate) -> bool {
        self.days.contains(date.weekday())
            && self.holidays.is_none_or(|t| is_holiday(date, t).is_none())
    }

    fn contains(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        let local = at.with_timezone(&tz).naive_local();
        self.day_ok(local.date()) && within_hours(self.start, self.end, local.time())
    }

    fn hours(&self) -> String {
        format!(
            "{}-{}",
            crate::i18n::dates::time_exact(self.start),
            crate::i18n::dates::time_exact(self.end)
        )
    }

    /// The first instant `>= now` inside the rule, looking up to [`SEARCH_DAYS`] ahead.
    fn next_opening(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        if self.contains(now, tz) {
            return Some(now);
        }
        let today = now.with_timezone(&tz).date_naive();
        (0..=SEARCH_DAYS).find_map(|i| {
            let date = today.checked_add_days(Days::new(i))?;
            if !self.day_ok(date) {
                return None;
            }
            // A start inside a DST gap resolves forward; if that leaves the window (the whole
            // window is in the gap), the day has no opening. A start in the autumn fold occurs
            // twice: the second occurrence still opens the window when the first has passed.
            let local = date.and_time(self.start);
            let first = resolve_local(tz, local).with_timezone(&Utc);
            let second = match tz.from_local_datetime(&local) {
                chrono::LocalResult::Ambiguous(_, later) => later.with_timezone(&Utc),
                _ => first,
            };
            // When the clocks go back, the local time falls back into the window once more:
            // the window reopens at that very instant, before any second start.
            [Some(first), fall_back_instant(tz, date), Some(second)]
                .into_iter()
                .flatten()
                .filter(|open| *open >= now && self.contains(*open, tz))
                .min()
        })
    }
}

/// The instant during local `date` at which the clocks of `tz` go back, if they do that day.
fn fall_back_instant(tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    let offset_at = |secs: i64| {
        DateTime::<Utc>::from_timestamp(secs, 0).map(|at| {
            tz.offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc()
        })
    };
    let mut lo = resolve_local(tz, date.and_time(NaiveTime::MIN)).timestamp();
    let mut hi = resolve_local(tz, date.succ_opt()?.and_time(NaiveTime::MIN)).timestamp();
    let before = offset_at(lo)?;
    if offset_at(hi)? >= before {
        return None;
    }
    // Invariant: `lo` still has the old offset, `hi` already the new one (whole seconds).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if offset_at(mid)? == before {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    DateTime::<Utc>::from_timestamp(hi, 0)
}

/// 08:00 and 20:00, the legal hours of information campaigns ("de 8h à 20h"); like every
/// window's end, the 20:00 minute is inside, so a campaign planned at 20:00 leaves then.
fn campaign_legal_hours() -> (NaiveTime, NaiveTime) {
    (
        NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
        NaiveTime::from_hms_opt(20, 0, 0).unwrap_or(NaiveTime::MIN),
    )
}

/// The closest allowed day on or before `date`.
fn allowed_on_or_before(date: NaiveDate, days: WeekdaySet) -> Option<NaiveDate> {
    (0..7).find_map(|i| {
        let d = date.checked_sub_days(Days::new(i))?;
        days.contains(d.weekday()).then_some(d)
    })
}

/// The closest allowed day on or after `date`.
fn allowed_on_or_after(date: NaiveDate, days: WeekdaySet) -> Option<NaiveDate> {
    (0..7).find_map(|i| {
        let d = date.checked_add_days(Days::new(i))?;
        days.contains(d.weekday()).then_some(d)
    })
}

/// When a reminder `days_before` days before an event leaves.
///
/// Same local time of day, N calendar days earlier (not N×24 h: the time is kept across DST
/// changes), moved into that day's window (before start → start, after end → end). If that day
/// is not an allowed week day, the reminder moves to the closest earlier allowed day at the
/// window's end, because a reminder must precede its event. (If a DST gap pushes the time past
/// the window's end, the same fallback applies.) The result must be strictly before the event
/// instant, else [`PlanError::NoSlotBeforeEvent`].
pub fn plan_reminder(
    event_local: NaiveDateTime,
    days_before: u32,
    tz: Tz,
    w: &SendWindow,
) -> Result<DateTime<Utc>, PlanError> {
    w.validate()?;
    let event = resolve_local(tz, event_local).with_timezone(&Utc);
    let no_slot = |planned: PlannedSlot| PlanError::NoSlotBeforeEvent {
        event: LocalTime::new(event, tz),
        days_before,
        planned,
        window: *w,
    };
    let overflow = || no_slot(PlannedSlot::BeforeFirstDate);
    let day = event_local
        .date()
        .checked_sub_days(Days::new(u64::from(days_before)))
        .ok_or_else(overflow)?;
    let mut local = if w.days.contains(day.weekday()) {
        day.and_time(event_local.time().clamp(w.start, w.end))
    } else {
        allowed_on_or_before(day, w.days)
            .ok_or_else(overflow)?
            .and_time(w.end)
    };
    for _ in 0..SEARCH_DAYS {
        let planned = resolve_local(tz, local).with_timezone(&Utc);
        if w.is_open(planned, tz) {
            return if planned < event {
                Ok(planned)
            } else {
                Err(no_slot(PlannedSlot::At {
                    at: LocalTime::new(planned, tz),
                }))
            };
        }
        let previous = local
            .date()
            .checked_sub_days(Days::new(1))
            .and_then(|d| allowed_on_or_before(d, w.days))
            .ok_or_else(overflow)?;
        local = previous.and_time(w.end);
    }
    Err(overflow())
}

/// When a follow-up `days_after` days after an event (D+N) leaves.
///
/// Same local time of day, N calendar days later, moved into that day's window (before start →
/// start, after end → end); on a day that is not allowed, the next allowed day at the window's
/// start. A follow-up must come after its event: if the slot is not strictly after it (only
/// possible with N = 0), the next allowed day's start is taken.
pub fn plan_follow_up(
    event_local: NaiveDateTime,
    days_after: u32,
    tz: Tz,
    w: &SendWindow,
) -> Result<DateTime<Utc>, PlanError> {
    w.validate()?;
    let event = resolve_local(tz, event_local).with_timezone(&Utc);
    let overflow = || PlanError::NoSlot {
        what: SlotSearch::AfterEvent {
            days_after,
            event: LocalTime::new(event, tz),
        },
        window: *w,
    };
    let day = event_local
        .date()
        .checked_add_days(Days::new(u64::from(days_after)))
        .ok_or_else(overflow)?;
    let mut local = if w.days.contains(day.weekday()) {
        day.and_time(event_local.time().clamp(w.start, w.end))
    } else {
        allowed_on_or_after(day, w.days)
            .ok_or_else(overflow)?
            .and_time(w.start)
    };
    for _ in 0..SEARCH_DAYS {
        let planned = resolve_local(tz, local).with_timezone(&Utc);
        if w.is_open(planned, tz) && planned > event {
            return Ok(planned);
        }
        let next = local
            .date()
            .checked_add_days(Days::new(1))
            .and_then(|d| allowed_on_or_after(d, w.days))
            .ok_or_else(overflow)?;
        local = next.and_time(w.start);
    }
    Err(overflow())
}

/// When a message sent "now" may leave: `now` itself if inside the window on an allowed day,
/// else the next window start on an allowed day.
///
/// A start that falls in a DST gap is resolved forward like any local time (a 02:30 start on a
/// 02:00→03:00 night opens at 03:30); a day whose whole window lies in the gap is skipped. On
/// such a night, an instant between the gap's end and the resolved start (03:10) already reads
/// as inside the window on the wall clock, so `next_opening` returns it unchanged. A window with no allowed day (refused by
/// [`SendWindow::new`]) has no opening: `now` is returned unchanged.
pub fn next_opening(now: DateTime<Utc>, tz: Tz, w: &SendWindow) -> DateTime<Utc> {
    Rule::org(w).next_opening(now, tz).unwrap_or(now)
}

/// Checks an explicitly planned time: refused if in the past, on a day that is not allowed,
/// outside the window's hours, or (for a reminder) not before its event.
pub fn validate_planned(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    event: Option<DateTime<Utc>>,
    tz: Tz,
    w: &SendWindow,
) -> Result<(), PlanError> {
    w.validate()?;
    if at < now {
        return Err(PlanError::InThePast {
            at: LocalTime::new(at, tz),
            now: LocalTime::new(now, tz),
        });
    }
    check_org_window(at, tz, w)?;
    if let Some(event) = event
        && at >= event
    {
        return Err(PlanError::NotBeforeEvent {
            at: LocalTime::new(at, tz),
            event: LocalTime::new(event, tz),
        });
    }
    Ok(())
}

fn check_org_window(at: DateTime<Utc>, tz: Tz, w: &SendWindow) -> Result<(), PlanError> {
    let local = at.with_timezone(&tz);
    if !w.days.contains(local.weekday()) {
        return Err(PlanError::DayNotAllowed {
            at: LocalTime::new(at, tz),
            day: local.weekday(),
            allowed: w.days,
        });
    }
    if !w.is_open(at, tz) {
        return Err(PlanError::OutsideWindow {
            at: LocalTime::new(at, tz),
            window: w.hours(),
        });
    }
    Ok(())
}

/// The next instant an information campaign may leave: inside the organisation's window and
/// the legal rule (Monday–Saturday 08:00–20:00, no public holiday of the territory of `tz`).
/// Refused when the two have nothing in common.
pub fn campaign_next_opening(
    now: DateTime<Utc>,
    tz: Tz,
    w: &SendWindow,
) -> Result<DateTime<Utc>, PlanError> {
    w.validate()?;
    let rule = Rule::campaign(w, tz).ok_or(PlanError::NoCampaignWindow { window: *w })?;
    rule.next_opening(now, tz).ok_or_else(|| PlanError::NoSlot {
        what: SlotSearch::Campaign {
            days: SEARCH_DAYS,
            from: LocalTime::new(now, tz),
        },
        window: *w,
    })
}

/// Checks a planned time for an information campaign: the checks of [`validate_planned`]
/// plus the legal rule (no Sunday, no public holiday of the territory, 08:00–20:00).
pub fn validate_campaign(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: Tz,
    w: &SendWindow,
) -> Result<(), PlanError> {
    w.validate()?;
    let rule = Rule::campaign(w, tz).ok_or(PlanError::NoCampaignWindow { window: *w })?;
    if at < now {
        return Err(PlanError::InThePast {
            at: LocalTime::new(at, tz),
            now: LocalTime::new(now, tz),
        });
    }
    let local = at.with_timezone(&tz);
    let territory = Territory::from_tz(tz);
    if let Some(name) = is_holiday(local.date_naive(), territory) {
        return Err(PlanError::PublicHoliday {
            date: local.date_naive(),
            name,
            territory: territory.label(),
        });
    }
    if local.weekday() == Weekday::Sun {
        return Err(PlanError::CampaignSunday {
            at: LocalTime::new(at, tz),
        });
    }
    check_org_window(at, tz, w)?;
    if !rule.contains(at, tz) {
        return Err(PlanError::OutsideCampaignWindow {
            at: LocalTime::new(at, tz),
            window: rule.hours(),
            org_window: w.hours(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Retries

/// The last instant a message may still be retried (SPEC §3 "Retries"): a reminder until its
/// event starts; a send "now" (instant, batch, free) for 24 hours after its creation. A reminder
/// without a known event start falls back to the 24-hour rule.
pub fn retry_deadline(
    kind_is_reminder: bool,
    created: DateTime<Utc>,
    event_start: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    let day_after = created
        .checked_add_signed(Duration::hours(24))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    match (kind_is_reminder, event_start) {
        (true, Some(start)) => start,
        _ => day_after,
    }
}

/// Wait before retry number `attempt` (1 = the first retry; 0 is treated as 1):
/// 30 s, 1 min, 2 min, 5 min, 10 min, then 30 min for every later attempt. Short at first
/// (a provider hiccup), capped so that a long outage still retries twice an hour.
pub fn backoff(attempt: u32) -> Duration {
    match attempt {
        0 | 1 => Duration::seconds(30),
        2 => Duration::minutes(1),
        3 => Duration::minutes(2),
        4 => Duration::minutes(5),
        5 => Duration::minutes(10),
        _ => Duration::minutes(30),
    }
}

// ---------------------------------------------------------------------------------------------
// Command line

/// Parses an event's local date-time: `YYYY-MM-DDTHH:MM` or `YYYY-MM-DD HH:MM`, seconds optional.
pub fn parse_local_datetime(s: &str) -> Result<NaiveDateTime, PlanError> {
    let input = s.trim().replacen(['t', ' '], "T", 1);
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(&input, fmt).ok())
        .ok_or_else(|| PlanError::InvalidDateTime {
            input: s.to_string(),
        })
}

/// For `smsdesk plan`: when a reminder `days_before` days before the event would leave, as
/// `{"planned_local":"2026-03-28T09:00:00+01:00","planned_utc":"2026-03-28T08:00:00Z"}`.
pub fn plan_report(
    event_local: &str,
    days_before: u32,
    tz: Tz,
    w: &SendWindow,
) -> Result<serde_json::Value, PlanError> {
    let event = parse_local_datetime(event_local)?;
    let planned = plan_reminder(event, days_before, tz, w)?;
    Ok(serde_json::json!({
        "planned_local": planned
            .with_timezone(&tz)
            .fixed_offset()
            .to_rfc3339_opts(SecondsFormat::Secs, false),
        "planned_utc": planned.to_rfc3339_opts(SecondsFormat::Secs, true),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ndt(s: &str) -> NaiveDateTime {
        parse_local_datetime(s).unwrap()
    }

    #[test]
    fn parse_time_forms() {
        assert_eq!(
            parse_time("09:00").unwrap(),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        );
        assert_eq!(
            parse_time("9:05").unwrap(),
            NaiveTime::from_hms_opt(9, 5, 0).unwrap()
        );
        assert_eq!(
            parse_time("18h30").unwrap(),
            NaiveTime::from_hms_opt(18, 30, 0).unwrap()
        );
        assert_eq!(
            parse_time("18h").unwrap(),
            NaiveTime::from_hms_opt(18, 0, 0).unwrap()
        );
        for bad in [
            "24:00", "9", "09:5", "09:60", "", "ab:cd", "-1:00", "09:00:",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekday_set_round_trip() {
        let set: WeekdaySet = "mon,tue,wed,thu,fri,sat".parse().unwrap();
        assert_eq!(set, WeekdaySet::MON_SAT);
        assert_eq!(set.to_string(), "mon,tue,wed,thu,fri,sat");
        assert_eq!(
            "Lundi-Vendredi".parse::<WeekdaySet>().unwrap(),
            WeekdaySet::MON_FRI
        );
        assert_eq!(
            "sat-mon".parse::<WeekdaySet>().unwrap().to_string(),
            "mon,sat,sun"
        );
        assert_eq!("".parse::<WeekdaySet>(), Err(WindowError::NoDays));
        assert!(matches!(
            "mon,xyz".parse::<WeekdaySet>(),
            Err(WindowError::UnknownDay { .. })
        ));
    }

    #[test]
    fn gap_moves_forward_and_fold_takes_first() {
        let tz = Tz::Europe__Paris;
        let gap = resolve_local(tz, ndt("2026-03-29T02:30"));
        assert_eq!(gap.naive_local(), ndt("2026-03-29T03:30"));
        let fold = resolve_local(tz, ndt("2026-10-25T02:30"));
        assert_eq!(fold.offset().fix().local_minus_utc(), 7200);
    }
}
