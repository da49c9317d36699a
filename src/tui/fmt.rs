//! Turning stored values into what the operator reads: times in the organisation's timezone,
//! translated statuses, formatted phone numbers, neutralised outside text.
//!
//! Dates and times have one format on every screen, the one fields take
//! ([`crate::tui::dates`]): `25/03/2026 14:30` (day first, slashes, four-digit year, 24-hour
//! clock), a weekday in the interface language may lead (`mardi 25/03/2026 14:30`). Dense table
//! columns ([`Fmt::time`], [`Fmt::day`]) drop the year only when it is the current one (`25/03
//! 14:30`); a date of another year always shows it (`02/12/2025 09:00`). Seconds only in
//! histories ([`Fmt::full_time`]). Everything goes through [`crate::i18n::dates`], which the
//! messages of the core (refusals, notices, status reasons) use too.

use crate::i18n::{Lang, dates, tr};
use crate::text::sanitize;
use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Formatting context: interface language, organisation timezone and its current year.
#[derive(Clone, Copy, Debug)]
pub struct Fmt {
    pub lang: Lang,
    pub tz: Tz,
    /// The organisation's current year: dates in it may drop their year in dense columns.
    pub year: i32,
}

impl Fmt {
    /// The context at `now` (its year taken in `tz`).
    pub fn at(lang: Lang, tz: Tz, now: DateTime<Utc>) -> Fmt {
        Fmt {
            lang,
            tz,
            year: now.with_timezone(&tz).year(),
        }
    }

    fn local(&self, secs: i64) -> Option<DateTime<Tz>> {
        DateTime::from_timestamp(secs, 0).map(|t| t.with_timezone(&self.tz))
    }

    /// `secs` in the organisation's time zone as `f` writes it; empty when out of range.
    fn local_with(&self, secs: i64, f: impl Fn(chrono::NaiveDateTime) -> String) -> String {
        self.local(secs)
            .map(|t| f(t.naive_local()))
            .unwrap_or_default()
    }

    /// `29/03 14:30` this year, `29/03/2025 14:30` another year (dense columns; day/month in
    /// both languages: the product's users are French).
    pub fn time(&self, secs: i64) -> String {
        self.local_with(secs, |t| dates::short_day_time(t, self.year))
    }

    /// `29/03/2026 14:30`, the year always shown (forms, dialogs, sentences).
    pub fn date_time(&self, secs: i64) -> String {
        self.local_with(secs, dates::day_time)
    }

    /// `29/03/2026 14:30:05`, for histories where seconds and the year matter.
    pub fn full_time(&self, secs: i64) -> String {
        self.local_with(secs, dates::day_time_seconds)
    }

    /// `14:30`.
    pub fn hour(&self, secs: i64) -> String {
        self.local_with(secs, |t| dates::time(t.time()))
    }

    /// `14:30:05`.
    pub fn clock(&self, secs: i64) -> String {
        self.local_with(secs, |t| t.format("%H:%M:%S").to_string())
    }

    /// `lun. 30/03` / `Mon 30/03` this year, `lun. 30/03/2025` another year.
    pub fn day(&self, secs: i64) -> String {
        self.local_with(secs, |t| {
            dates::short_named_day(t.date(), self.lang, self.year)
        })
    }

    /// `30/03/2026`, the day of an instant.
    pub fn date_at(&self, secs: i64) -> String {
        self.local_with(secs, |t| dates::day(t.date()))
    }

    /// `30/03/2026`.
    pub fn date(&self, d: NaiveDate) -> String {
        dates::day(d)
    }

    /// `30/03` this year, `30/03/2025` another year (chart axes).
    pub fn short_date(&self, d: NaiveDate) -> String {
        dates::short_day(d, self.year)
    }

    /// The organisation's calendar day of an instant.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// Seconds to add to UTC to get the organisation's wall clock at `t`.
    pub fn utc_offset(&self, t: DateTime<Utc>) -> i64 {
        i64::from(
            self.tz
                .offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    }

    /// Unix seconds of local midnight starting the day of `t` (the first instant of that day
    /// when midnight does not exist because of a DST change).
    pub fn start_of_day(&self, t: DateTime<Utc>) -> i64 {
        let day = self.local_date(t);
        let mut probe = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        for _ in 0..4 {
            if let Some(start) = self.tz.from_local_datetime(&probe).earliest() {
                return start.timestamp();
            }
            probe += chrono::Duration::minutes(30);
        }
        t.timestamp()
    }

    /// A message's or template's context (free text: `interview`, `batch`, an event type…) in
    /// the interface language, as the `[kind]` labels name it. (Statuses, kinds and states
    /// are read typed and name themselves: [`crate::i18n::Describe`].)
    pub fn context(&self, context: &str) -> String {
        translated(self.lang, "kind", context)
    }

    /// A provider kind's name (`simulator` → Simulateur / Simulator).
    pub fn provider(&self, kind: &str) -> String {
        translated(self.lang, "provider", kind)
    }

    /// Who changed a message: an operator's login as is, the scheduler and the providers
    /// (which report deliveries) by their names.
    pub fn actor(&self, actor: &str) -> String {
        match actor {
            "scheduler" => tr(self.lang, "word.scheduler").to_string(),
            "simulator" | "kannel" | "twilio" | "ovh" => self.provider(actor),
            other => clean(other),
        }
    }

    pub fn yes_no(&self, b: bool) -> &'static str {
        tr(self.lang, if b { "word.yes" } else { "word.no" })
    }
}

/// Key names in `lang` inside a key label or hint (`Enter` → `Entrée`, `Esc` → `Échap` in
/// French); letters, symbols and names the catalogue does not list stay as they are.
pub fn key_names(keys: &str, lang: Lang) -> String {
    // Shift-Tab is written `S-Tab`: one name, not a letter and a word.
    let keys = keys.replace("S-Tab", tr(lang, "keyname.backtab"));
    let mut out = String::with_capacity(keys.len() + 4);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let key = format!("keyname.{}", word.to_ascii_lowercase());
        let name = tr(lang, &key);
        if word.len() > 1 && name != key {
            out.push_str(name);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in keys.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `section.value` from the catalogue, or the (neutralised) value itself when the catalogue
/// does not know it — a new context or provider must never show as a raw key.
fn translated(lang: Lang, section: &str, value: &str) -> String {
    let key = format!("{section}.{value}");
    let t = tr(lang, &key);
    if t == key {
        clean(value)
    } else {
        t.to_string()
    }
}

/// A ✓ for true, nothing for false (rights and flags in tables).
/// A typed path with `~/` standing for the home directory.
pub fn expand_home(typed: &str) -> std::path::PathBuf {
    let typed = typed.trim();
    if let Some(rest) = typed.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return std::path::PathBuf::from(home).join(rest);
    }
    std::path::PathBuf::from(typed)
}

pub fn mark(b: bool) -> &'static str {
    if b { "✓" } else { "" }
}

/// Outside text made safe for one line of the terminal.
pub fn clean(s: &str) -> String {
    sanitize(s).into_owned()
}

/// `s` cut to `width` terminal columns, with `…` when something was cut.
pub fn truncate(s: &str, width: usize) -> String {
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `s` cut into lines of at most `width` columns, at spaces where possible (a word longer than
/// a line is cut hard); at most `max` lines, the last ending in "…" when text was left out.
pub fn wrap(s: &str, width: usize, max: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in s.split(' ') {
        let w = word.width();
        let gap = usize::from(!line.is_empty());
        if used + gap + w <= width {
            if gap == 1 {
                line.push(' ');
            }
            line.push_str(word);
            used += gap + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        // A word wider than a line: cut it at the width.
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > width {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    lines.push(line);
    if lines.len() > max {
        lines.truncate(max.max(1));
        if let Some(last) = lines.last_mut() {
            if last.width() < width {
                last.push('…');
            } else {
                // One column short so that the mark always shows.
                *last = truncate(&format!("{last}…"), width);
            }
        }
    }
    lines
}

/// Loads the phone rules' tables (~60 ms the first time a number is read or formatted) on a
/// thread of their own: started once the first frame is drawn, so that neither that frame nor
/// the first list of numbers waits for them on the screen's thread.
pub fn load_phone_rules_in_background() {
    std::thread::spawn(|| {
        let _ = phonenumber::metadata::DATABASE.by_id("FR");
    });
}

/// A stored E.164 number as people write it: national form for the default country
/// (`06 12 34 56 78`), international form for others (`+590 690 12 34 56`). Anything the
/// phone rules cannot read is shown as stored, neutralised.
pub fn phone(e164: &str, default_region: &str) -> String {
    let Ok(number) = phonenumber::parse(None, e164) else {
        return clean(e164);
    };
    let home = default_region.parse::<phonenumber::country::Id>().ok();
    let mode = if home.is_some() && number.country().id() == home {
        phonenumber::Mode::National
    } else {
        phonenumber::Mode::International
    };
    number.format().mode(mode).to_string()
}

/// Thousands separated by a space, as in French (`12 480`).
/// The characters that force Unicode, as the composer lists them (invisible ones named), at
/// most 12.
pub fn culprits(non_gsm: &[char]) -> String {
    let shown: Vec<String> = non_gsm.iter().map(|c| printable(*c)).take(12).collect();
    shown.join(" ")
}

/// A character as shown in the list of Unicode ones (invisible spaces named).
fn printable(c: char) -> String {
    match c {
        '\u{a0}' => "⍽(nbsp)".into(),
        '\u{202f}' => "⍽(nnbsp)".into(),
        '\t' => "⇥(tab)".into(),
        c if c.is_control() => format!("U+{:04X}", u32::from(c)),
        c => c.to_string(),
    }
}

/// Why a rendered text costs more, for a preview row: `Unicode : ï ’` (the encoding as the
/// composer names it, then the characters forcing it); `None` for a GSM-7 text.
pub fn unicode_cause(text: &str, lang: Lang) -> Option<String> {
    let non_gsm = crate::sms::encoding::analyse(text).non_gsm;
    (!non_gsm.is_empty()).then(|| {
        crate::i18n::trf(
            lang,
            "composer.unicode_cause",
            &[("chars", &clean(&culprits(&non_gsm)))],
        )
    })
}

pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_cuts_long_words_and_marks_what_is_left_out() {
        assert_eq!(
            wrap("le 29/03 tombe un dimanche", 12, 3),
            vec!["le 29/03", "tombe un", "dimanche"]
        );
        assert_eq!(wrap("abcdefghij", 4, 5), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("un deux trois quatre", 5, 2), vec!["un", "deux…"]);
        assert_eq!(wrap("court", 20, 1), vec!["court"]);
        assert!(wrap("aaaa bbbb cccc", 4, 2)[1].ends_with('…'));
        assert_eq!(wrap("aaaa bbbb cccc", 4, 2)[1].width(), 4);
    }

    fn fr() -> Fmt {
        Fmt {
            lang: Lang::Fr,
            tz: chrono_tz::Europe::Paris,
            year: 2026,
        }
    }

    #[test]
    fn times_are_shown_in_the_organisation_timezone() {
        // 2026-03-29 12:30 UTC is 14:30 in Paris (summer time started that night).
        let t = Utc
            .with_ymd_and_hms(2026, 3, 29, 12, 30, 0)
            .unwrap()
            .timestamp();
        assert_eq!(fr().time(t), "29/03 14:30");
        let reunion = Fmt {
            lang: Lang::Fr,
            tz: chrono_tz::Indian::Reunion,
            year: 2026,
        };
        assert_eq!(reunion.time(t), "29/03 16:30");
    }

    /// Dense columns drop the year of this year only; forms and histories always show it.
    #[test]
    fn another_year_is_always_written() {
        let t = Utc
            .with_ymd_and_hms(2025, 12, 2, 8, 0, 0)
            .unwrap()
            .timestamp();
        assert_eq!(fr().time(t), "02/12/2025 09:00");
        assert_eq!(fr().day(t), "mar. 02/12/2025");
        assert_eq!(Fmt { year: 2025, ..fr() }.time(t), "02/12 09:00");
        assert_eq!(fr().date_time(t), "02/12/2025 09:00");
        assert_eq!(fr().full_time(t), "02/12/2025 09:00:00");
        let new_year = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        // 00:30 on 1 January in Paris: the organisation's year, not UTC's.
        assert_eq!(
            Fmt::at(Lang::Fr, chrono_tz::Europe::Paris, new_year).year,
            2027
        );
    }

    #[test]
    fn key_names_follow_the_language() {
        assert_eq!(key_names("Enter / Esc", Lang::Fr), "Entrée / Échap");
        assert_eq!(key_names("Ctrl-s", Lang::Fr), "Ctrl-s");
        assert_eq!(key_names("S-Tab", Lang::Fr), "Maj-Tab");
        assert_eq!(key_names("Shift-PgDn", Lang::Fr), "Maj-PgSuiv");
        assert_eq!(key_names("Enter", Lang::En), "Enter");
        assert_eq!(key_names("S-Tab", Lang::En), "S-Tab");
        assert_eq!(key_names("q", Lang::Fr), "q");
    }

    #[test]
    fn days_are_named_in_the_interface_language() {
        let t = Utc
            .with_ymd_and_hms(2026, 3, 30, 8, 0, 0)
            .unwrap()
            .timestamp();
        assert_eq!(fr().day(t), "lun. 30/03");
        let en = Fmt {
            lang: Lang::En,
            ..fr()
        };
        assert_eq!(en.day(t), "Mon 30/03");
    }

    #[test]
    fn start_of_day_is_local_midnight() {
        let t = Utc.with_ymd_and_hms(2026, 3, 29, 23, 30, 0).unwrap(); // 01:30 on the 30th in Paris
        let start = fr().start_of_day(t);
        assert_eq!(
            start,
            Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0)
                .unwrap()
                .timestamp()
        );
    }

    #[test]
    fn phones_are_formatted_nationally_at_home() {
        assert_eq!(phone("+33612345678", "FR"), "06 12 34 56 78");
        assert!(phone("+590690123456", "FR").starts_with("+590 690"));
        assert_eq!(phone("garbage\u{1b}", "FR"), "garbage\u{FFFD}");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("Bonjour Élodie", 8), "Bonjour…");
        assert_eq!(truncate("court", 8), "court");
        assert_eq!(thousands(12480), "12 480");
        assert_eq!(thousands(-1000), "-1 000");
    }

    #[test]
    fn unknown_contexts_are_shown_neutralised() {
        assert_eq!(fr().context("interview"), "entretien");
        assert_eq!(fr().context("weird\u{1b}"), "weird\u{FFFD}");
    }
}
