//! French typography on every French screen snapshot (tests/snapshots, `_fr` in the name): a
//! colon is preceded by a space (`Destinataire : Dupont`, as the catalogue writes it, built in
//! code through `smsdesk::i18n::label`). `Destinataire: Dupont` fails.
//!
//! What is not French prose is allowed: a time (`14:30`, digits around the colon), an address
//! or a key (`http://`, `0.0.0.0:8080`, `SHA256:…`, `key=value`; no space after the colon), and
//! user data where the operator wrote the colon (a message text, a file name) — none of the
//! fixtures' data has "word: " so no exception is needed for it yet.

mod support;

use regex::Regex;
use support::snapshots::Language;

/// The places of `line` where a word runs into its colon (`Texte: `).
fn glued_colons(line: &str) -> Vec<String> {
    // A letter (or a closing bracket or quote), the colon, then a space or the end of the line:
    // a label. A colon followed by a letter or a digit is a time, an address, a key.
    let glued = Regex::new(r"[\p{L})»”]:(?: |$)").unwrap();
    glued
        .find_iter(line)
        .map(|m| {
            let start = line[..m.start()]
                .char_indices()
                .rev()
                .nth(12)
                .map_or(0, |(i, _)| i);
            format!("“{}”", &line[start..m.end()])
        })
        .collect()
}

#[test]
fn the_checker_finds_what_it_must() {
    assert_eq!(glued_colons("│Destinataire: Dupont│").len(), 1);
    assert_eq!(glued_colons("inconnu — à vérifier: 10").len(), 1);
    assert_eq!(glued_colons("(autorisés: lun.)").len(), 1);
    assert!(glued_colons("Destinataire : Dupont · 14:30 · http://x:8080/a").is_empty());
    assert!(glued_colons("SHA256:Cmx/dD6un · Ctrl-t · kind=ovh · 25/03 14:30").is_empty());
}

#[test]
fn french_screens_put_a_space_before_a_colon() {
    let mut findings = Vec::new();
    let french: Vec<_> = support::snapshots::all()
        .into_iter()
        .filter(|s| s.language == Some(Language::French))
        .collect();
    for snapshot in &french {
        for (i, line) in snapshot.screen().lines().enumerate() {
            for at in glued_colons(line) {
                findings.push(format!(
                    "{}:{}: colon glued to its word {at}",
                    snapshot.name,
                    i + 1
                ));
            }
        }
    }
    assert!(french.len() > 50, "only {} French snapshots", french.len());
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
