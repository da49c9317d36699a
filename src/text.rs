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
