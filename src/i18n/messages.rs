//! The rules' messages in the interface language, gettext-style.
//!
//! The core, the SMS rules and the spreadsheet readers explain refusals in English sentences
//! built with `format!` (the command line shows them as they are). The French interface passes
//! them through [`say`], which finds the English *template* they were written from in
//! `assets/i18n/messages_fr.toml` and writes its French template with the same values.
//!
//! A template is written exactly as in the Rust source, format-string syntax included: `{name}`,
//! `{}` and `{field:?}` are placeholders, `{{` and `}}` literal braces. Each becomes an anchored
//! regular expression where placeholders are lazy captures. When several templates match, the
//! one with the most literal characters wins (`{name}: has not consented to receive SMS` beats
//! `{who}: {e}`). The captured values are translated in turn, so a message embedding another
//! one (`Camille Martin: too long: 3 segments…`) comes out French throughout.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

use super::Lang;

/// The French catalogue: English template → French template.
pub(crate) const FR_MESSAGES: &str = include_str!("../../assets/i18n/messages_fr.toml");

/// How deep messages nest inside each other's values.
const MAX_DEPTH: usize = 4;

/// The hidden placeholder holding what precedes a fragment (no real placeholder has a space).
const FRAGMENT_HEAD: &str = " head";

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// Text written as is.
    Literal(String),
    /// A placeholder, by what is between its braces: `name`, `name:?`, or empty for `{}`.
    Hole(String),
}

/// Splits a format string into literal text and placeholders; `None` when a brace is unpaired.
pub(crate) fn parse_template(template: &str) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut hole = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') | None => return None,
                        Some(ch) => hole.push(ch),
                    }
                }
                if !text.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut text)));
                }
                parts.push(Part::Hole(hole));
            }
            '}' => return None,
            _ => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Literal(text));
    }
    Some(parts)
}

/// The placeholders of a template, sorted (to compare an English template with its French one).
#[cfg(test)]
pub(crate) fn holes(parts: &[Part]) -> Vec<&str> {
    let mut out: Vec<&str> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Hole(h) => Some(h.as_str()),
            Part::Literal(_) => None,
        })
        .collect();
    out.sort_unstable();
    out
}

/// French output: text, or the value captured by the English placeholder at this index.
enum Piece {
    Text(String),
    Capture(usize),
}

struct Entry {
    regex: Regex,
    french: Vec<Piece>,
    literal_chars: usize,
}

struct Catalogue {
    set: RegexSet,
    entries: Vec<Entry>,
}

/// The English → French pairs of the catalogue, as written (`None` if it does not parse).
pub(crate) fn pairs() -> Option<Vec<(String, String)>> {
    let table = FR_MESSAGES.parse::<toml::Table>().ok()?;
    Some(
        table
            .into_iter()
            .filter_map(|(en, fr)| match fr {
                toml::Value::String(fr) => Some((en, fr)),
                _ => None,
            })
            .collect(),
    )
}

/// Compiles one pair; `None` for a broken one (unpaired brace, a French placeholder the English
/// lacks, no literal text at all), which the catalogue tests report.
fn compile(english: &str, french: &str) -> Option<Entry> {
    let en = parse_template(english)?;
    let fr = parse_template(french)?;
    let mut pattern = String::from("(?s)^");
    let mut literal_chars = 0;
    let mut en_holes = Vec::new();
    // A fragment (` (did you mean …?)`, `; your manual edit was dropped`) is appended to another
    // message: what comes before it is captured and translated on its own.
    let fragment = matches!(en.first(), Some(Part::Literal(t)) if t.starts_with([' ', ';']));
    if fragment {
        en_holes.push(FRAGMENT_HEAD);
        pattern.push_str("(.*?)");
    }
    for (i, part) in en.iter().enumerate() {
        match part {
            Part::Literal(t) => {
                literal_chars += t.chars().count();
                pattern.push_str(&regex::escape(t));
            }
            Part::Hole(h) => {
                en_holes.push(h.as_str());
                // English puts no space before `:` or `;`; French does. A value followed by
                // one may not end with a space, so text already French (`n°3 : …`) is left alone.
                let before_colon =
                    matches!(en.get(i + 1), Some(Part::Literal(t)) if t.starts_with([':', ';']));
                pattern.push_str(if before_colon {
                    "((?:.*?\\S)?)"
                } else {
                    "(.*?)"
                });
            }
        }
    }
    pattern.push('$');
    if literal_chars == 0 {
        return None;
    }
    // Positional `{}` placeholders are taken in order; named ones by name.
    let mut positional_used = 0;
    let mut french_pieces = Vec::new();
    if fragment {
        french_pieces.push(Piece::Capture(0));
    }
    for part in fr {
        match part {
            Part::Literal(t) => french_pieces.push(Piece::Text(t)),
            Part::Hole(h) if h.is_empty() => {
                let index = en_holes
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.is_empty())
                    .nth(positional_used)?
                    .0;
                positional_used += 1;
                french_pieces.push(Piece::Capture(index));
            }
            Part::Hole(h) => {
                let index = en_holes.iter().position(|e| *e == h)?;
                french_pieces.push(Piece::Capture(index));
            }
        }
    }
    Some(Entry {
        regex: Regex::new(&pattern).ok()?,
        french: french_pieces,
        literal_chars,
    })
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        // Typed messages' texts too, while untyped English messages still embed them (a
        // refusal in a batch row, a skipped reminder's reason): their English and French
        // templates come from the catalogues, not from this file.
        let typed = super::typed_message_keys()
            .into_iter()
            .flat_map(|(_, keys)| keys.iter())
            .map(|(key, _)| {
                (
                    super::tr(Lang::En, key).to_string(),
                    super::tr(Lang::Fr, key).to_string(),
                )
            });
        let entries: Vec<Entry> = pairs()
            .unwrap_or_default()
            .into_iter()
            .chain(typed)
            .filter_map(|(en, fr)| compile(&en, &fr))
            .collect();
        let set = RegexSet::new(entries.iter().map(|e| e.regex.as_str()))
            .unwrap_or_else(|_| RegexSet::empty());
        Catalogue { set, entries }
    })
}

/// A message produced by the rules (core, SMS rules, spreadsheets, settings), in `lang`.
/// English and messages the catalogue does not know come back unchanged.
pub fn say(lang: Lang, english: &str) -> String {
    match lang {
        Lang::En => english.to_string(),
        Lang::Fr => translate(english, MAX_DEPTH, true).unwrap_or_else(|| english.to_string()),
    }
}

/// The French of `text`, or `None` when no template matches it. `lists`: whether values may
/// be read as lists of messages (not inside one of those list items, to bound the work).
fn translate(text: &str, depth: usize, lists: bool) -> Option<String> {
    if depth == 0 || text.is_empty() {
        return None;
    }
    let catalogue = catalogue();
    let mut candidates: Vec<usize> = catalogue.set.matches(text).into_iter().collect();
    candidates.sort_by_key(|&i| (std::cmp::Reverse(catalogue.entries[i].literal_chars), i));
    // The most specific template whose values are whole: a value with unbalanced brackets
    // straddles the structure of the message (`B): the cell…` read as a column letter).
    let (entry, captures) = candidates
        .iter()
        .filter_map(|&i| {
            let entry = &catalogue.entries[i];
            entry.regex.captures(text).map(|c| (entry, c))
        })
        .find(|(_, c)| c.iter().skip(1).flatten().all(|m| balanced(m.as_str())))
        .or_else(|| {
            let entry = &catalogue.entries[*candidates.first()?];
            entry.regex.captures(text).map(|c| (entry, c))
        })?;
    let mut out = String::with_capacity(text.len() + 16);
    for piece in &entry.french {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Capture(i) => {
                let value = captures.get(i + 1).map_or("", |m| m.as_str());
                let french = lists
                    .then(|| translate_list(value, depth - 1))
                    .flatten()
                    .or_else(|| translate(value, depth - 1, lists));
                match french {
                    Some(french) => out.push_str(&french),
                    None => out.push_str(&french_dates(value)),
                }
            }
        }
    }
    Some(out)
}

/// Whether every bracket opened in `value` is closed in it, in order.
fn balanced(value: &str) -> bool {
    let mut open = Vec::new();
    for c in value.chars() {
        match c {
            '(' | '[' => open.push(c),
            ')' if open.pop() != Some('(') => return false,
            ']' if open.pop() != Some('[') => return false,
            _ => {}
        }
    }
    open.is_empty()
}

/// Longest list read item by item (`shown_list` shows a few problems, `missing.join`).
const MAX_LIST_PARTS: usize = 24;

/// A value listing messages joined by `, ` (`date-time, collaborator`; `row 3, TELEPHONE
/// (column B): …, row 4, …`), when it splits into at least two items that each translate.
/// Items may hold `, ` themselves: the split keeping the most items wins.
fn translate_list(value: &str, depth: usize) -> Option<String> {
    if !value.contains(", ") {
        return None;
    }
    let parts: Vec<&str> = value.split(", ").collect();
    if parts.len() > MAX_LIST_PARTS {
        return None;
    }
    // best[i]: the most items parts[..i] splits into, with their French.
    let mut best: Vec<Option<(usize, String)>> = vec![None; parts.len() + 1];
    best[0] = Some((0, String::new()));
    for end in 1..=parts.len() {
        for start in 0..end {
            let Some((items, head)) = &best[start] else {
                continue;
            };
            if best[end].as_ref().is_some_and(|(n, _)| *n > *items) {
                continue;
            }
            if let Some(french) = translate(&parts[start..end].join(", "), depth, false) {
                let joined = if head.is_empty() {
                    french
                } else {
                    format!("{head}, {french}")
                };
                best[end] = Some((items + 1, joined));
            }
        }
    }
    best.pop()
        .flatten()
        .filter(|(items, _)| *items >= 2)
        .map(|(_, french)| french)
}

/// Values that are local date-times (`Saturday 2026-03-28 09:00`) carry an English day name:
/// it becomes French; the rest of the value stays as it is.
fn french_dates(value: &str) -> std::borrow::Cow<'_, str> {
    static DAY: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(day) = DAY
        .get_or_init(|| {
            Regex::new(
                r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)( \d{4}-\d{2}-\d{2})",
            )
            .ok()
        })
        .as_ref()
    else {
        return value.into();
    };
    day.replace_all(value, |c: &regex::Captures<'_>| {
        let name = match &c[1] {
            "Monday" => "lundi",
            "Tuesday" => "mardi",
            "Wednesday" => "mercredi",
            "Thursday" => "jeudi",
            "Friday" => "vendredi",
            "Saturday" => "samedi",
            _ => "dimanche",
        };
        format!("{name}{}", &c[2])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_into_text_and_placeholders() {
        assert_eq!(
            parse_template("`{{{{` in {name:?}: {}"),
            Some(vec![
                Part::Literal("`{{` in ".into()),
                Part::Hole("name:?".into()),
                Part::Literal(": ".into()),
                Part::Hole(String::new()),
            ])
        );
        assert_eq!(parse_template("a { b"), None);
        assert_eq!(parse_template("a } b"), None);
    }

    #[test]
    fn every_catalogue_pair_compiles() {
        let pairs = pairs().expect("messages_fr.toml parses as a table of strings");
        assert!(pairs.len() > 100, "only {} messages", pairs.len());
        let broken: Vec<_> = pairs
            .iter()
            .filter(|(en, fr)| compile(en, fr).is_none())
            .collect();
        assert!(broken.is_empty(), "pairs that do not compile: {broken:#?}");
        // Typed messages' texts come on top; those without literal text ("{problem}") are left
        // out.
        assert!(catalogue().entries.len() >= pairs.len());
    }

    /// The string literals of a Rust source, unescaped (`\"`, `\n`, line continuations),
    /// raw strings included; comments and char literals skipped.
    fn string_literals(src: &str) -> Vec<String> {
        let b: Vec<char> = src.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let rest = |k: usize| b.get(i + k).copied();
            if b[i] == '/' && rest(1) == Some('/') {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            } else if b[i] == '/' && rest(1) == Some('*') {
                i += 2;
                while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            } else if b[i] == '\'' {
                // 'x', '\'', '"' … or a lifetime: step over a char literal only.
                if rest(1) == Some('\\') {
                    let close = (i + 2..b.len().min(i + 12)).find(|&k| b[k] == '\'');
                    i = close.map_or(i + 1, |k| k + 1);
                } else if rest(2) == Some('\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            } else if b[i] == 'r'
                && (rest(1) == Some('"') || rest(1) == Some('#'))
                && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
            {
                let mut k = i + 1;
                let mut hashes = 0;
                while b.get(k) == Some(&'#') {
                    hashes += 1;
                    k += 1;
                }
                if b.get(k) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let start = k + 1;
                let mut end = start;
                while end < b.len()
                    && !(b[end] == '"' && (0..hashes).all(|h| b.get(end + 1 + h) == Some(&'#')))
                {
                    end += 1;
                }
                out.push(b[start..end.min(b.len())].iter().collect());
                i = end + 1 + hashes;
            } else if b[i] == '"' {
                let mut text = String::new();
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' && i + 1 < b.len() {
                        let e = b[i + 1];
                        i += 2;
                        match e {
                            'n' => text.push('\n'),
                            't' => text.push('\t'),
                            '\n' => {
                                while i < b.len() && b[i].is_whitespace() {
                                    i += 1;
                                }
                            }
                            other => text.push(other),
                        }
                    } else {
                        text.push(b[i]);
                        i += 1;
                    }
                }
                out.push(text);
                i += 1;
            } else {
                i += 1;
            }
        }
        out
    }

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_english_template_is_written_in_the_source_and_keeps_its_placeholders() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut literals: Vec<String> = files
            .iter()
            .filter(|f| !f.ends_with("i18n/messages.rs"))
            .flat_map(|f| string_literals(&std::fs::read_to_string(f).expect("source reads")))
            .collect();
        // Typed messages' English texts: other messages still embed them until they are typed.
        literals.extend(
            crate::i18n::typed_message_keys()
                .iter()
                .flat_map(|(_, keys)| keys.iter())
                .map(|(key, _)| crate::i18n::tr(Lang::En, key).to_string()),
        );
        literals.extend(
            ["line_kind.mobile", "line_kind.landline", "line_kind.other"]
                .map(|k| crate::i18n::tr(Lang::En, k).to_string()),
        );
        assert!(
            literals.len() > 1000,
            "only {} literals found",
            literals.len()
        );
        let mut missing = Vec::new();
        let mut mismatched = Vec::new();
        for (en, fr) in pairs().expect("catalogue parses") {
            if !literals.iter().any(|l| l.contains(en.as_str())) {
                missing.push(en.clone());
            }
            let (Some(e), Some(f)) = (parse_template(&en), parse_template(&fr)) else {
                mismatched.push((en, fr));
                continue;
            };
            if holes(&e) != holes(&f) {
                mismatched.push((en, fr));
            }
        }
        assert!(
            missing.is_empty(),
            "not in any src/**/*.rs string: {missing:#?}"
        );
        assert!(
            mismatched.is_empty(),
            "placeholders differ: {mismatched:#?}"
        );
    }

    #[test]
    fn the_lexer_reads_escapes_continuations_and_raw_strings() {
        let src = "let c = '\"'; // \"not this\"\n let s = \"a \\\"b\\\" \\\n     c\"; let r = r#\"x \"y\"\"#;";
        assert_eq!(string_literals(src), vec!["a \"b\" c", "x \"y\""]);
    }

    #[test]
    fn english_and_unknown_texts_stay_as_they_are() {
        let text = "Camille Martin: has not consented to receive SMS";
        assert_eq!(say(Lang::En, text), text);
        assert_eq!(say(Lang::Fr, "rien à traduire"), "rien à traduire");
        assert_eq!(say(Lang::Fr, ""), "");
        let french = "message n°3 : nouveau texte enregistré";
        assert_eq!(say(Lang::Fr, french), french);
    }

    #[test]
    fn the_most_specific_template_wins_and_values_are_translated_too() {
        assert_eq!(
            say(Lang::Fr, "Camille Martin: has not consented to receive SMS"),
            "Camille Martin : n'a pas donné son accord SMS"
        );
        assert_eq!(
            say(Lang::Fr, "06 12: too short to be a phone number (4 digits)"),
            "06 12 : trop court pour un numéro de téléphone (4 chiffres)"
        );
    }

    #[test]
    fn lists_of_messages_are_translated_item_by_item() {
        assert_eq!(
            say(
                Lang::Fr,
                "the interview to record is missing required field(s): date-time, collaborator"
            ),
            "il manque à l'entretien à enregistrer des champs obligatoires : date et heure, collaborateur"
        );
    }

    #[test]
    fn english_day_names_of_local_times_become_french() {
        assert_eq!(
            french_dates("Saturday 2026-03-28 21:00 +01:00 (Europe/Paris)"),
            "samedi 2026-03-28 21:00 +01:00 (Europe/Paris)"
        );
        assert_eq!(french_dates("Sunday"), "Sunday");
    }
}
