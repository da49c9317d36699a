//! Every screen snapshot (tests/snapshots, French and English) writes dates one way, the way
//! fields take them: `25/03/2026 14:30`, or `25/03 14:30` in a dense column for this year
//! (see `smsdesk::i18n::dates`). An ISO date (`2026-03-25`) or a two-digit year (`25/03/26`)
//! shown to the operator fails.

mod support;

use regex::Regex;

/// The dates of `line` not written the one way, with why.
fn wrong_dates(line: &str) -> Vec<String> {
    let iso = Regex::new(r"\d{4}-\d{2}-\d{2}").unwrap();
    let year_first = Regex::new(r"\d{4}/\d{2}/\d{2}").unwrap();
    // dd/mm/yy not followed by more digits (dd/mm/yyyy is the format).
    let short_year = Regex::new(r"(?:^|[^\d/])(\d{1,2}/\d{1,2}/\d{2})(?:[^\d/]|$)").unwrap();
    let mut out = Vec::new();
    out.extend(
        iso.find_iter(line)
            .map(|m| format!("ISO date “{}”", m.as_str())),
    );
    out.extend(
        year_first
            .find_iter(line)
            .map(|m| format!("year first “{}”", m.as_str())),
    );
    out.extend(
        short_year
            .captures_iter(line)
            .map(|c| format!("two-digit year “{}”", &c[1])),
    );
    out
}

#[test]
fn the_checker_finds_what_it_must() {
    assert_eq!(wrong_dates("le 2026-03-25 à 14:30").len(), 1);
    assert_eq!(wrong_dates("│25/03/26 14:30│").len(), 1);
    assert_eq!(wrong_dates("2026/03/25").len(), 1);
    assert!(wrong_dates("mardi 25/03/2026 14:30 · 25/03 14:30 · 06 12 34 56 78").is_empty());
    assert!(wrong_dates("1 457/10 000 · SHA256:Cmx/dD6un//Jpy").is_empty());
}

#[test]
fn every_snapshot_writes_dates_the_one_way() {
    let mut findings = Vec::new();
    let snapshots = support::snapshots::all();
    for snapshot in &snapshots {
        for (i, line) in snapshot.screen().lines().enumerate() {
            for why in wrong_dates(line) {
                findings.push(format!("{}:{}: {why} in {line:?}", snapshot.name, i + 1));
            }
        }
    }
    assert!(snapshots.len() > 100, "only {} snapshots", snapshots.len());
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
