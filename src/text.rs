//! Text coming from outside (names, replies, spreadsheet cells) is shown through
//! [`sanitize`], so a terminal control sequence can never reach the operator's terminal.

use std::borrow::Cow;

/// Replaces control characters (C0, DEL, C1) by visible stand-ins: newline and tab become a
/// space in one-line contexts, everything else becomes `�`. Bidi overrides are dropped too,
/// since they can make a line read differently from what it contains.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_neutralising) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if needs_neutralising(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// A whole number as operators type it and as the screens show it: `15000`, `15 000`, with
/// thin or non-breaking spaces (a copied `15 000`), a sign allowed. One parser for every
/// numeric field, so a number displayed can always be typed back.
pub fn parse_whole_number(s: &str) -> Option<i64> {
    let digits: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    digits.parse().ok()
}

/// The form every search compares in, on both sides (what is typed and what is stored):
/// lower case, accents and other combining marks dropped, ligatures spelled out (`œ` → `oe`,
/// `æ` → `ae`, `ß` → `ss`), compatibility forms reduced (`ﬁ` → `fi`, full-width letters).
/// Spaces and punctuation are kept, so a folded text still splits into the same words.
/// "Benoît", "BENOIT" and "benoit" all fold to `benoit`; "Gwénolé" to `gwenole`.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' | 'ẞ' => out.push_str("ss"),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' => out.push('d'),
            'ł' | 'Ł' => out.push('l'),
            c => out.extend(c.to_lowercase().filter(|l| !is_combining_mark(*l))),
        }
    }
    out
}

/// The words of a search as the full-text index splits them: runs of letters and digits of
/// the folded text ([`fold`]); everything else separates.
pub fn search_words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a typed search of the message lists looks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Search {
    /// A number typed as shown (`06 12 34 56 78`, `+33 6 12…`, `0612`): digits a number of
    /// the message begins with, in one of the forms given (international without `+`,
    /// national with its 0).
    Number(Vec<String>),
    /// Words (folded), each the beginning of a word of the name, number or text; a word of
    /// one or two letters is matched whole (as a beginning it would be in most messages).
    Words(Vec<String>),
}

/// Reads a search typed in a message list's filter; `None` when nothing searchable was typed.
pub fn parse_search(text: &str) -> Option<Search> {
    let text = text.trim();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || " .-+()/".contains(c) || c.is_whitespace());
    if phone_like && digits.len() >= 4 {
        let forms = if let Some(intl) = digits.strip_prefix("00").filter(|_| !text.starts_with('+'))
        {
            vec![intl.to_string()]
        } else if text.starts_with('+') || digits.starts_with('0') {
            vec![digits]
        } else {
            vec![digits.clone(), format!("0{digits}")]
        };
        return Some(Search::Number(forms));
    }
    let words = search_words(text);
    (!words.is_empty()).then_some(Search::Words(words))
}

/// The number forms a message's number is found by: its international digits (`33612345678`)
/// and, for the French ten-digit plan, its national form (`0612345678`). The word index
/// (migration 012) indexes the same.
pub fn number_forms(e164: &str) -> Vec<String> {
    let intl: String = e164.chars().filter(char::is_ascii_digit).collect();
    let mut forms = vec![intl.clone()];
    if e164.starts_with('+') {
        for code in ["33", "262", "590", "594", "596"] {
            if let Some(rest) = intl.strip_prefix(code) {
                forms.push(format!("0{rest}"));
                break;
            }
        }
    }
    forms
}

/// Whether a message (recipient name, number, text) is found by `search`: the rule the word
/// index applies, for rows read in list order. One folded copy of the message, no other
/// allocation: it runs on every row walked.
pub fn search_matches(search: &Search, name: &str, phone: &str, text: &str) -> bool {
    let mut all = String::with_capacity(name.len() + text.len() + 40);
    all.push_str(name);
    for form in number_forms(phone) {
        all.push(' ');
        all.push_str(&form);
    }
    all.push(' ');
    all.push_str(text);
    let folded = fold(&all);
    let words = || {
        folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    };
    match search {
        Search::Number(wanted) => words().any(|w| wanted.iter().any(|d| w.starts_with(d.as_str()))),
        Search::Words(wanted) => wanted.iter().all(|want| {
            if want.chars().count() <= 2 {
                words().any(|w| w == want)
            } else {
                words().any(|w| w.starts_with(want.as_str()))
            }
        }),
    }
}

/// Like [`sanitize`] but keeps line breaks, for multi-line views (message detail).
pub fn sanitize_multiline(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && needs_neutralising(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\n' => '\n',
                '\t' | '\r' => ' ',
                c if needs_neutralising(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

fn needs_neutralising(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn folding_drops_case_accents_and_ligatures() {
        use super::fold;
        for (typed, want) in [
            ("Benoît", "benoit"),
            ("BENOIT", "benoit"),
            ("Gwénolé", "gwenole"),
            ("GWÉNOLÉ", "gwenole"),
            ("Cœur", "coeur"),
            ("Lætitia", "laetitia"),
            ("Straße", "strasse"),
            ("Çà et là", "ca et la"),
            ("ﬁn", "fin"),
            ("Zoë N'Diaye", "zoe n'diaye"),
            ("06 12 34 56 78", "06 12 34 56 78"),
            ("", ""),
        ] {
            assert_eq!(fold(typed), want, "{typed:?}");
        }
        assert_eq!(
            super::search_words("Rendez-vous l'après-midi, 10h"),
            ["rendez", "vous", "l", "apres", "midi", "10h"]
        );
    }

    #[test]
    fn whole_numbers_read_with_or_without_spaces() {
        use super::parse_whole_number as n;
        for (typed, want) in [
            ("1000", Some(1000)),
            ("1 000", Some(1000)),
            ("15 000", Some(15_000)),
            ("15\u{a0}000", Some(15_000)),
            ("15\u{202f}000", Some(15_000)),
            ("1\u{2009}000\u{2009}000", Some(1_000_000)),
            ("  42 ", Some(42)),
            ("-3", Some(-3)),
            ("+3", Some(3)),
            ("", None),
            ("   ", None),
            ("1.000", None),
            ("1,5", None),
            ("douze", None),
            ("--3", None),
        ] {
            assert_eq!(n(typed), want, "{typed:?}");
        }
    }

    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        let evil = "Dupont\u{1b}[2J\u{7}\u{9b}31m";
        let shown = sanitize(evil);
        assert!(!shown.chars().any(|c| c.is_control()));
        assert!(shown.starts_with("Dupont\u{FFFD}[2J"));
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(sanitize("Élodie Martin"), Cow::Borrowed(_)));
    }

    #[test]
    fn multiline_keeps_newlines() {
        assert_eq!(sanitize_multiline("a\nb\u{1b}"), "a\nb\u{FFFD}");
    }
}
