//! Every screen snapshot (tests/snapshots, every tab and dialog in French and English) speaks
//! one language: no internal code or English word on a French screen, no French on an English
//! one. Data from the store (names, SMS texts, which are French in the demo) is not interface
//! text, so the lists hold interface words that the data does not use.
//!
//! Three kinds of findings:
//! - codes, in both languages: identifiers with an underscore (`window_days`), codes shown in a
//!   choice widget (`‹ interview ›`, `‹ 918 ›`, a code beside its label `‹ yes › oui`),
//!   settings keys as row names or in a list, raw JSON, weekday codes (`mon,tue,wed`);
//! - English interface words (and key names: `Enter`, `Esc`) on a French screen;
//! - French interface words (and key names: `Entrée`, `Échap`) on an English screen.
//!
//! The status history is stored as codes with their arguments, so its notes are checked like
//! any other interface text.

mod support;

use regex::Regex;
use smsdesk::store::settings::SPECS;
use support::snapshots::Language;

/// Internal codes that a screen must show as their translated label (word match, case
/// sensitive: `Interview` may be a label, `interview` beside a label or in a choice is a code).
const CODES: &[&str] = &[
    "not_delivered",
    "follow_up",
    "window_days",
    "window_start",
    "window_end",
    "mark_delivered",
    "UCS-2",
    "max_in_flight",
    "default_country",
    "provider_kind",
    "wait_reason",
];

/// Codes that are also words (English, or French like `orientation`): flagged only where a
/// code shows, alone in a choice widget (`‹ resend ›`, `‹ simulator ›`).
const CHOICE_CODES: &[&str] = &[
    "interview",
    "orientation",
    "step",
    "batch",
    "free",
    "instant",
    "scheduled",
    "reminder",
    "resend",
    "delivered",
    "failed",
    "simulator",
    "kannel",
    "twilio",
    "ovh",
    "yes",
    "no",
    "auto",
    "fr",
    "en",
    "participant",
    "partner",
    "company",
    "individual",
];

/// English interface words that must not reach a French screen.
const ENGLISH: &[&str] = &[
    "accepted by the provider",
    "delivered by the provider",
    "handset reported",
    "typed",
    "No such file",
    "not yet sent",
    "pending",
    "submitted",
    "delivered",
    "cancelled",
    "failed",
    "expired",
    "unknown",
    "reminder",
    "scheduled",
    "instant",
    "batch",
    "days",
    "error",
    "warning",
    "refused",
    "invalid",
    "must",
    "should",
    "cannot",
    "the",
    "of",
    "and",
    "with",
    "when",
    "to",
    "is",
    "not",
    "this",
    "already",
    "belongs",
    "column",
    "row",
    "short",
    "number",
    "yes",
    "ambiguous",
    "scheduler",
    "simulator",
    "Press",
    "press",
    "Save",
    "Cancel",
    "Yes",
    // Key names: French says Entrée, Échap, Espace, Suppr…
    "Enter",
    "Esc",
    "Space",
    "Del",
    "Bksp",
    "PgDn",
    "PgUp",
    "Home",
    "Shift",
    "S-Tab",
];

/// French interface words that must not reach an English screen (none of them is used by the
/// demo's or the fixtures' data: batch names like "Atelier CV - relance" stay French).
const FRENCH: &[&str] = &[
    "métropolitaine",
    "envoyé",
    "annulé",
    "délivré",
    "échec",
    "expiré",
    "programmé",
    "jours",
    "aucun",
    "Aucun",
    "enregistrer",
    "annuler",
    "supprimer",
    "modifier",
    "valider",
    "erreur",
    "appuyez",
    "réglage",
    "Réglage",
    "Modèle",
    "expéditeur",
    "fenêtre",
    "crédit",
    "Crédit",
    "inconnu",
    "à vérifier",
    "tous",
    // Key names.
    "Entrée",
    "Échap",
    "Espace",
    "Suppr",
];

/// Whether `word` occurs in `line` as a word (not inside a longer word: "pending" in
/// "dépendant" or "instant" in "instantané" is not English).
fn has_word(line: &str, word: &str) -> bool {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        let starts =
            word.starts_with(|c: char| !is_word_char(c)) || before.is_none_or(|c| !is_word_char(c));
        let ends =
            word.ends_with(|c: char| !is_word_char(c)) || after.is_none_or(|c| !is_word_char(c));
        starts && ends
    })
}

/// A line without the SMS merge fields it may quote (`{{participant.first_name}}` is what
/// the operator types, not a code shown to them).
fn without_merge_fields(line: &str) -> String {
    let merge = Regex::new(r"\{\{[^}]*\}\}").expect("regex");
    merge.replace_all(line, "{{…}}").into_owned()
}

/// Why `line` shows an internal code, if it does.
fn codes_in(line: &str, first_line: bool) -> Vec<String> {
    let line = without_merge_fields(line);
    let mut found = Vec::new();
    for code in CODES {
        if has_word(&line, code) {
            found.push(format!("code “{code}”"));
        }
    }
    let underscore = Regex::new(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b").expect("regex");
    for m in underscore.find_iter(&line) {
        if !CODES.contains(&m.as_str()) {
            found.push(format!("code “{}”", m.as_str()));
        }
    }
    if line.contains("{\"") {
        found.push("raw JSON".into());
    }
    let days = "(?:mon|tue|wed|thu|fri|sat|sun)";
    let weekdays = Regex::new(&format!(r"\b{days}(?:\s?[,-]\s?{days})+\b")).expect("regex");
    if let Some(m) = weekdays.find(&line) {
        found.push(format!("weekday codes “{}”", m.as_str()));
    }
    let keys: Vec<&str> = SPECS.iter().map(|s| s.key).collect();
    let row = Regex::new(&format!(r"^(?:{})\s{{2,}}", keys.join("|"))).expect("regex");
    if let Some(m) = row.find(&line) {
        found.push(format!(
            "settings key as a row name “{}”",
            m.as_str().trim()
        ));
    }
    let key_list =
        Regex::new(&format!(r"\b(?:{k})(?:, (?:{k}))+\b", k = keys.join("|"))).expect("regex");
    if let Some(m) = key_list.find(&line) {
        found.push(format!("settings keys “{}”", m.as_str()));
    }
    // The tab bar scrolls between ‹ and ›: not a choice.
    if !first_line {
        let choice = Regex::new(r"‹ ([^›]*?) ›( \S)?").expect("regex");
        for c in choice.captures_iter(&line) {
            let inner = c.get(1).map_or("", |m| m.as_str());
            if c.get(2).is_some() {
                found.push(format!("code beside its label “{}”", c[0].trim_end()));
            } else if !inner.is_empty() && inner.chars().all(|ch| ch.is_ascii_digit()) {
                found.push(format!("raw id in a choice “{}”", &c[0]));
            } else if CHOICE_CODES.contains(&inner) {
                found.push(format!("code in a choice “{}”", &c[0]));
            }
        }
    }
    found
}

#[derive(Default)]
struct Report {
    wrong: Vec<String>,
}

fn check(name: &str, screen: &str, french: bool, report: &mut Report) {
    let words = if french { ENGLISH } else { FRENCH };
    for (n, line) in screen.lines().enumerate() {
        let at = format!("{name}:{}", n + 1);
        for why in codes_in(line, n == 0) {
            report.wrong.push(format!("{at}: {why} in {line:?}"));
        }
        let plain = without_merge_fields(line);
        for word in words {
            if has_word(&plain, word) {
                let what = if french { "English" } else { "French" };
                report
                    .wrong
                    .push(format!("{at}: {what} “{word}” in {line:?}"));
            }
        }
    }
}

#[test]
fn every_snapshot_speaks_only_its_language() {
    let mut report = Report::default();
    let mut seen = [0usize; 2];
    for snapshot in support::snapshots::all() {
        let Some(language) = snapshot.language else {
            continue;
        };
        let french = language == Language::French;
        seen[usize::from(!french)] += 1;
        check(&snapshot.name, snapshot.screen(), french, &mut report);
    }
    assert!(
        seen[0] > 20 && seen[1] > 20,
        "too few snapshots found: {seen:?}"
    );
    let mut message = String::new();
    if !report.wrong.is_empty() {
        message.push_str(&format!(
            "{} lines in the wrong language or showing a code:\n{}\n",
            report.wrong.len(),
            report.wrong.join("\n")
        ));
    }
    assert!(message.is_empty(), "{message}");
}

#[test]
fn the_word_test_ignores_words_inside_longer_words() {
    assert!(has_word("état : pending", "pending"));
    assert!(!has_word("dépendant", "pending"));
    assert!(!has_word("instantané", "instant"));
    assert!(has_word("‹ interview ›", "interview"));
}

#[test]
fn codes_are_found_where_they_show() {
    let found = |line: &str| codes_in(line, false);
    assert!(!found("│  Décision  ‹ resend › renvoyer").is_empty());
    assert!(!found("│  Décision  ‹ resend ›").is_empty());
    assert!(!found("│  Message   ‹ 918 ›").is_empty());
    assert!(!found("│  Fournisseur  ‹ simulator ›").is_empty());
    assert!(!found("window_days     mon,tue,wed").is_empty());
    assert!(!found("provider        {\"kind\":\"simulator\"}").is_empty());
    assert!(!found("sender          SMSDESK").is_empty());
    assert!(!found("Enregistrer 3 modification(s) : sender, window, timezone ?").is_empty());
    assert!(!found("  Plage (jours)  mon-sat").is_empty());
    // Labels, merge fields, the tab bar and French words are not codes.
    assert!(found("│  Décision  ‹ renvoyer ›").is_empty());
    assert!(found("│  Contexte  ‹ Entretien ›").is_empty());
    assert!(found("Bonjour {{participant.first_name}}, atelier CV jeudi.").is_empty());
    assert!(found("‹ 3 Modèles  4 Automatismes  5 Utilisateurs ›").is_empty());
    assert!(codes_in("‹ 2 Settings  3 Templates ›", true).is_empty());
    assert!(found("Mon organisation").is_empty());
    assert!(found("Plage (jours)  lun, mar, mer").is_empty());
}
