//! The free-text search of the Sent / Upcoming lists: the words a user typed, as the trigram
//! index (`messages_fts`, migration 003) and the `smsdesk_contains` SQL function see them.
//!
//! Both compare without case or accents, on substrings: the index finds the messages holding
//! a word among a million quickly when they are few; when they are many, walking the list in
//! its order and checking each row with the function fills a page after a few rows.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Name of the SQL function `smsdesk_contains(haystack, folded_needle)`: 1 when the haystack,
/// folded like the index folds it, holds the needle.
pub const CONTAINS: &str = "smsdesk_contains";

/// Registers the search function on a connection (every connection the store opens).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        CONTAINS,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let hay = ctx.get_raw(0);
            let needle = ctx.get_raw(1);
            let (Ok(hay), Ok(needle)) = (hay.as_str(), needle.as_str()) else {
                return Ok(false);
            };
            Ok(contains_folded(hay, needle))
        },
    )
}

/// The form both sides are compared in: lower case, accents removed (`Hélène` → `helene`),
/// as the index's `trigram remove_diacritics 1` tokenizer folds them.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `hay`, folded, holds `needle` (already folded).
pub fn contains_folded(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let n = needle.as_bytes();
        return hay
            .as_bytes()
            .windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n));
    }
    FOLDED.with_borrow_mut(|buf| {
        buf.clear();
        for c in hay.chars() {
            if c.is_ascii() {
                buf.push(c.to_ascii_lowercase());
            } else {
                buf.extend(
                    std::iter::once(c)
                        .nfd()
                        .filter(|c| !is_combining_mark(*c))
                        .flat_map(char::to_lowercase),
                );
            }
        }
        buf.contains(needle)
    })
}

thread_local! {
    /// The folded haystack, kept between calls so that a walk over many rows allocates once.
    static FOLDED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// One way for a word to be found: in any of the three columns, or in the phone only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alternative {
    pub phone_only: bool,
    pub needle: String,
}

/// A search: every group must be found in the message; a group is found when one of its
/// alternatives is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    /// Words of 3+ characters: the index can find them.
    pub indexed: Vec<Vec<Alternative>>,
    /// Shorter words, which trigrams cannot find: matched with LIKE.
    pub short: Vec<String>,
}

/// The words of a search: split at spaces, double quotes grouping a phrase.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut flush = |cur: &mut String| {
        let w = cur.trim();
        if !w.is_empty() {
            out.push(w.to_string());
        }
        cur.clear();
    };
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => flush(&mut cur),
            c => cur.push(c),
        }
    }
    flush(&mut cur);
    out
}

/// When the whole search is a phone number as people type it (`06 12 34 56 78`,
/// `06.12.34.56.78`, `+33 6 12`, `0033 6…`), the part of a stored E.164 number it stands
/// for: `612345678`, `+33612` — the national leading 0 dropped, `00` read as `+`.
pub fn phone_needle(text: &str) -> Option<String> {
    let text = text.trim();
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let allowed = text
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    if !allowed || digits.len() < 4 {
        return None;
    }
    Some(if text.starts_with('+') {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest.to_string()
    } else {
        digits
    })
}

/// Words of fewer characters than this cannot be found through trigrams.
const TRIGRAM: usize = 3;

impl Search {
    pub fn of(text: &str) -> Option<Search> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        // A phone number: its digits in the phone column, or the text as typed anywhere (a
        // number written in a message).
        if let Some(needle) = phone_needle(text).filter(|n| n.chars().count() >= TRIGRAM) {
            return Some(Search {
                indexed: vec![vec![
                    Alternative {
                        phone_only: true,
                        needle,
                    },
                    Alternative {
                        phone_only: false,
                        needle: text.to_string(),
                    },
                ]],
                short: Vec::new(),
            });
        }
        let (long, short): (Vec<String>, Vec<String>) = words(text)
            .into_iter()
            .partition(|w| w.chars().count() >= TRIGRAM);
        if long.is_empty() && short.is_empty() {
            return None;
        }
        Some(Search {
            indexed: long
                .into_iter()
                .map(|needle| {
                    vec![Alternative {
                        phone_only: false,
                        needle,
                    }]
                })
                .collect(),
            short,
        })
    }

    /// The FTS5 expression of the indexed words, each a quoted string so that quotes and
    /// operators typed by the user stay text; None when every word is short.
    pub fn fts_expression(&self) -> Option<String> {
        if self.indexed.is_empty() {
            return None;
        }
        let group = |alts: &Vec<Alternative>| {
            let parts: Vec<String> = alts
                .iter()
                .map(|a| {
                    let s = fts_string(&a.needle);
                    if a.phone_only {
                        format!("phone : {s}")
                    } else {
                        s
                    }
                })
                .collect();
            format!("({})", parts.join(" OR "))
        };
        Some(
            self.indexed
                .iter()
                .map(group)
                .collect::<Vec<_>>()
                .join(" AND "),
        )
    }
}

/// A word as an FTS5 string: whatever it holds is text, never syntax.
fn fts_string(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// A short word as a LIKE pattern, its `%`, `_` and `\` taken literally (`ESCAPE '\'`).
pub fn like_pattern(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents_like_the_index() {
        assert_eq!(fold("Hélène LE FLOCH"), "helene le floch");
        assert!(contains_folded("Hélène Le Floch", "lene le"));
        assert!(contains_folded("MARTIN", "mart"));
        assert!(!contains_folded("Martin", "marti n"));
        assert!(contains_folded("Réunion à 14h", &fold("REUNION À")));
    }

    #[test]
    fn words_phrases_and_phone_numbers() {
        assert_eq!(words(" rdv  \"Anna 4\" x"), ["rdv", "Anna 4", "x"]);
        assert_eq!(phone_needle("06 12 34 56 78").as_deref(), Some("612345678"));
        assert_eq!(phone_needle("+33 6 12").as_deref(), Some("+33612"));
        assert_eq!(phone_needle("0033612").as_deref(), Some("+33612"));
        assert_eq!(phone_needle("2026").as_deref(), Some("2026"));
        assert_eq!(phone_needle("06"), None);
        assert_eq!(phone_needle("rdv 0612"), None);
        let s = Search::of("rdv \"a\"\"b\" cv").unwrap();
        assert_eq!(s.fts_expression().as_deref(), Some("(\"rdv\")"));
        assert_eq!(s.short, ["ab", "cv"]);
        let s = Search::of("06 12 34").unwrap();
        assert_eq!(
            s.fts_expression().as_deref(),
            Some("(phone : \"61234\" OR \"06 12 34\")")
        );
        assert_eq!(Search::of("  \" "), None);
    }
}
