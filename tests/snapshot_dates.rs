//! Every screen snapshot (tests/snapshots, French and English) writes dates one way, the way
//! fields take them: `25/03/2026 14:30`, or `25/03 14:30` in a dense column for this year
//! (see `smsdesk::i18n::dates`). An ISO date (`2026-03-25`) or a two-digit year (`25/03/26`)
//! shown to the operator fails.

use regex::Regex;
use std::path::Path;

/// The screen of a snapshot: what follows insta's header.
fn screen(text: &str) -> &str {
    text.strip_prefix("---")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(text, |(_, screen)| screen)
}

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
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut findings = Vec::new();
    let mut walked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "snap") {
            continue;
        }
        walked += 1;
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in screen(&text).lines().enumerate() {
            for why in wrong_dates(line) {
                findings.push(format!("{name}:{}: {why} in {line:?}", i + 1));
            }
        }
    }
    assert!(walked > 100, "only {walked} snapshots in {}", dir.display());
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
