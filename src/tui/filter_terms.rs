//! The words of the filter bars (Sent, Upcoming, Agenda): terms with quotes, names compared
//! without case or accents in either language, periods relative to now, collaborators by name.

use crate::i18n::{Lang, tr};
use crate::sms::sender::normalize_keyword;
use crate::sms::window;
use crate::tui::dates::parse_day_in_year;
use crate::tui::fmt::{Fmt, clean};
use crate::tui::problem::{Problem, TermProblem};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

/// Splits the filter bar into terms; double quotes group words (`collab:"Marie Durand"`).
fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The form words are compared in: no case, accents, spaces or punctuation.
pub fn folded(s: &str) -> String {
    normalize_keyword(&s.replace('_', " ")).replace(' ', "")
}

/// Whether `word` names `value` of `section`: its stored name or its label in either language.
pub fn names(section: &str, value: &str, word: &str) -> bool {
    let w = folded(word);
    w == folded(value)
        || [Lang::Fr, Lang::En].iter().any(|&l| {
            let key = format!("{section}.{value}");
            let t = tr(l, &key);
            t != key && folded(t) == w
        })
}

/// Unix seconds of the local midnight that starts `day`.
pub fn day_start(tz: Tz, day: NaiveDate) -> i64 {
    window::resolve_local(tz, day.and_time(NaiveTime::MIN)).timestamp()
}

/// Which way lengths (`7d`) and `week` / `month` reach from now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The last N days (Sent).
    Back,
    /// The next N days (Upcoming).
    Ahead,
    /// `week` and `month` are the calendar week (Monday–Sunday) and month around today;
    /// lengths reach ahead (Agenda).
    Calendar,
}

/// `[from, to)` of a period word, relative to `now`.
pub fn period(
    word: &str,
    reach: Reach,
    fmt: &Fmt,
    now: DateTime<Utc>,
) -> Option<(Option<i64>, Option<i64>)> {
    let tz = fmt.tz;
    let today = now.with_timezone(&tz).date_naive();
    let day = |d: NaiveDate| day_start(tz, d);
    let next = |d: NaiveDate| d.succ_opt().map(day);
    let span = |days: i64| {
        let days = Duration::days(days);
        match reach {
            Reach::Back => (Some((now - days).timestamp()), None),
            Reach::Ahead | Reach::Calendar => (None, Some((now + days).timestamp())),
        }
    };
    let w = folded(word);
    match w.as_str() {
        "TODAY" | "AUJOURDHUI" | "AUJ" => return Some((Some(day(today)), next(today))),
        "YESTERDAY" | "HIER" => {
            let y = today.pred_opt()?;
            return Some((Some(day(y)), Some(day(today))));
        }
        "TOMORROW" | "DEMAIN" => {
            let t = today.succ_opt()?;
            return Some((Some(day(t)), next(t)));
        }
        "WEEK" | "SEMAINE" if reach == Reach::Calendar => {
            let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
            return Some((Some(day(monday)), Some(day(monday + Duration::days(7)))));
        }
        "MONTH" | "MOIS" if reach == Reach::Calendar => {
            let first = today.with_day(1)?;
            let next_first = first.checked_add_months(chrono::Months::new(1))?;
            return Some((Some(day(first)), Some(day(next_first))));
        }
        "WEEK" | "SEMAINE" => return Some(span(7)),
        "MONTH" | "MOIS" => return Some(span(30)),
        _ => {}
    }
    // `7d`, `7j`, `30d`.
    if let Some(n) = w
        .strip_suffix('D')
        .or_else(|| w.strip_suffix('J'))
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| (1..=3660).contains(n))
    {
        return Some(span(n));
    }
    // A day, or a range of days `a..b` (either side may be empty).
    if let Some((a, b)) = word.split_once("..") {
        let from = if a.is_empty() {
            None
        } else {
            Some(day(parse_day_in_year(a, today)?))
        };
        let to = if b.is_empty() {
            None
        } else {
            Some(next(parse_day_in_year(b, today)?)?)
        };
        return Some((from, to));
    }
    let d = parse_day_in_year(word, today)?;
    Some((Some(day(d)), next(d)))
}

/// Reads a filter bar: each `key:value` term goes to `on_term` with the key folded
/// ([`folded`]) and a function naming the term in a refusal; `on_term` answers whether it
/// knew the key. Unknown keys and plain words are the free text, returned joined.
pub fn read_terms(
    text: &str,
    mut on_term: impl FnMut(&str, &str, &dyn Fn(TermProblem) -> Problem) -> Result<bool, Problem>,
) -> Result<Option<String>, Problem> {
    let mut words = Vec::new();
    for term in terms(text) {
        let Some((key, value)) = term.split_once(':').filter(|(k, _)| !k.is_empty()) else {
            words.push(term);
            continue;
        };
        let bad = |why| Problem::BadTerm {
            term: clean(&term),
            why,
        };
        if !on_term(&folded(key), value, &bad)? {
            words.push(term.clone());
        }
    }
    let free = words.join(" ");
    Ok((!free.is_empty()).then_some(free))
}

/// The collaborator a filter names: a part of the name, or the exact full name when several
/// contain it; otherwise why not (none, or the names that match).
pub fn collaborator(value: &str, collaborators: &HashMap<i64, String>) -> Result<i64, TermProblem> {
    let want = folded(value);
    let mut found: Vec<(&i64, &String)> = collaborators
        .iter()
        .filter(|(_, n)| !want.is_empty() && folded(n).contains(&want))
        .collect();
    // An exact full name wins over names that merely contain it.
    if found.len() > 1 {
        let exact: Vec<_> = found
            .iter()
            .copied()
            .filter(|(_, n)| folded(n) == want)
            .collect();
        if exact.len() == 1 {
            found = exact;
        }
    }
    match found.as_slice() {
        [(id, _)] => Ok(**id),
        [] => Err(TermProblem::NoCollaborator),
        many => {
            let mut names: Vec<String> = many.iter().map(|(_, n)| clean(n)).collect();
            names.sort();
            Err(TermProblem::ManyCollaborators { names })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> Fmt {
        Fmt {
            lang: Lang::Fr,
            tz: chrono_tz::Europe::Paris,
            year: 2026,
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_calendar_week_runs_monday_to_monday_in_local_time_even_across_dst() {
        // Sunday 29 March 2026, the day clocks go forward: the week began Monday 23 (CET).
        let now = at("2026-03-29T18:00:00Z");
        assert_eq!(
            period("semaine", Reach::Calendar, &paris(), now),
            Some((
                Some(at("2026-03-22T23:00:00Z").timestamp()),
                Some(at("2026-03-29T22:00:00Z").timestamp())
            ))
        );
        // Sent and Upcoming keep "week" as the last / next seven days.
        assert_eq!(
            period("week", Reach::Back, &paris(), now),
            Some((Some((now - Duration::days(7)).timestamp()), None))
        );
        // The month of 31 October 2026 ends at the first of November, local midnight (CET).
        let now = at("2026-10-31T12:00:00Z");
        assert_eq!(
            period("mois", Reach::Calendar, &paris(), now),
            Some((
                Some(at("2026-09-30T22:00:00Z").timestamp()),
                Some(at("2026-10-31T23:00:00Z").timestamp())
            ))
        );
        assert_eq!(period("bientôt", Reach::Calendar, &paris(), now), None);
    }

    #[test]
    fn a_collaborator_is_found_by_part_of_a_name_or_exactly_when_several_match() {
        let names: HashMap<i64, String> = [
            (1, "Marie Durand".to_string()),
            (2, "Marie Duranton".to_string()),
            (3, "Marc Petit".to_string()),
        ]
        .into();
        assert_eq!(collaborator("petit", &names), Ok(3));
        assert_eq!(collaborator("Marie Durand", &names), Ok(1));
        assert_eq!(
            collaborator("duran", &names),
            Err(TermProblem::ManyCollaborators {
                names: vec!["Marie Durand".into(), "Marie Duranton".into()]
            })
        );
        assert_eq!(
            collaborator("Zoé", &names),
            Err(TermProblem::NoCollaborator)
        );
    }
}
