//! French typography on every French screen snapshot (tests/snapshots, `_fr` in the name): a
//! colon is preceded by a space (`Destinataire : Dupont`, as the catalogue writes it, built in
//! code through `smsdesk::i18n::label`). `Destinataire: Dupont` fails.
//!
//! What is not French prose is allowed: a time (`14:30`, digits around the colon), an address
//! or a key (`http://`, `0.0.0.0:8080`, `SHA256:…`, `key=value`; no space after the colon), and
//! user data where the operator wrote the colon (a message text, a file name) — none of the
//! fixtures' data has "word: " so no exception is needed for it yet.

use regex::Regex;
use std::path::Path;

/// The screen of a snapshot: what follows insta's header.
fn screen(text: &str) -> &str {
    text.strip_prefix("---")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(text, |(_, screen)| screen)
}

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
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut findings = Vec::new();
    let mut walked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "snap") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if !(stem.ends_with("_fr") || stem.contains("_fr_")) {
            continue;
        }
        walked += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in screen(&text).lines().enumerate() {
            for at in glued_colons(line) {
                findings.push(format!("{stem}:{}: colon glued to its word {at}", i + 1));
            }
        }
    }
    assert!(
        walked > 50,
        "only {walked} French snapshots in {}",
        dir.display()
    );
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}
