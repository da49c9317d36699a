//! Replacement of characters that force UCS-2 by their closest GSM-7 equivalents.
//!
//! One foreign character (a curly apostrophe pasted from a word processor, a `ê`) halves the
//! room of every segment, so the editor offers one key that rewrites the text in GSM-7.
//! Characters of the GSM-7 alphabet are always kept (`é è à ù ì ò É Ç Ä Ö Ñ Ü ä ö ñ ü Å å
//! Ø ø Æ æ ß`…); the others are replaced from a table (typography, French accents missing
//! from GSM-7, ligatures) or, failing that, by their base letter once accents are stripped.
//! Characters with no GSM-7 equivalent (emoji, other scripts) are left as they are, so the
//! result may still need UCS-2: check it with [`crate::sms::encoding::analyse`].

use unicode_normalization::char::{
    compose, decompose_canonical, decompose_compatible, is_combining_mark,
};

use crate::sms::encoding::is_gsm7_char;

/// Every GSM-7 character once, so that a replacement computed from Unicode decompositions can
/// still be returned as a `&'static str`.
const GSM7_CHARS: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[]~|€\u{000C}";

/// Replacements that decompositions alone do not give (typography, ligatures, letters
/// without a decomposition). Checked before the generic accent stripping.
fn table(c: char) -> Option<&'static str> {
    let r = match c {
        // Apostrophes, single quotes, primes.
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2035}' | '`'
        | '\u{00B4}' | '\u{02BC}' | '\u{02B9}' => "'",
        // Double quotes and guillemets (French « » and single ‹ › alike).
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{2036}'
        | '\u{00AB}' | '\u{00BB}' | '\u{2039}' | '\u{203A}' | '\u{02BA}' => "\"",
        // Non-breaking, thin, figure and other fixed-width spaces (French typography puts
        // them inside guillemets and before ; : ! ?), and the tab.
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\t' => " ",
        // Hyphens, dashes, minus sign.
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2043}' | '\u{FE58}' | '\u{FE63}' => "-",
        '\u{2026}' => "...",
        // Invisible characters: zero-width space / (non-)joiner, word joiner, byte-order mark,
        // direction marks, soft hyphen.
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => "",
        '\u{2028}' | '\u{2029}' => "\n",
        // Ligatures and letters with no canonical decomposition.
        'œ' => "oe",
        'Œ' => "OE",
        '\u{FB00}' => "ff",
        '\u{FB01}' => "fi",
        '\u{FB02}' => "fl",
        '\u{FB03}' => "ffi",
        '\u{FB04}' => "ffl",
        'Đ' | 'Ð' => "D",
        'đ' | 'ð' => "d",
        'Ł' => "L",
        'ł' => "l",
        'ı' => "i",
        'Ħ' => "H",
        'ħ' => "h",
        'Ŧ' => "T",
        'ŧ' => "t",
        // Signs common in French office texts.
        '°' | 'º' => "o",
        'ª' => "a",
        '№' => "No",
        '·' | '\u{2022}' | '\u{2027}' => ".",
        '×' => "x",
        '÷' => "/",
        '¦' => "|",
        '½' => "1/2",
        '¼' => "1/4",
        '¾' => "3/4",
        '™' => "TM",
        '©' => "(c)",
        '®' => "(R)",
        '→' => "->",
        '←' => "<-",
        // Spacing accents on their own.
        '\u{02C6}' => "^",
        '\u{02DC}' => "~",
        '\u{00A8}' | '\u{00AF}' | '\u{00B8}' | '\u{02D8}' | '\u{02D9}' | '\u{02DA}'
        | '\u{02DB}' | '\u{02DD}' => "",
        _ => return None,
    };
    Some(r)
}

/// `c` as a `&'static str` when it is a GSM-7 character.
fn gsm7_static(c: char) -> Option<&'static str> {
    GSM7_CHARS
        .char_indices()
        .find(|&(_, g)| g == c)
        .map(|(i, g)| &GSM7_CHARS[i..i + g.len_utf8()])
}

/// The single GSM-7 character left once the decomposition of `c` is stripped of its marks
/// (`ê` → `e`, `Ÿ` → `Y`, fullwidth `Ａ` → `A`, `²` → `2`), if there is exactly one.
fn stripped_base(c: char, compatible: bool) -> Option<char> {
    let mut base = None;
    let mut extra = false;
    let mut take = |d: char| {
        if is_combining_mark(d) {
            return;
        }
        if base.is_some() {
            extra = true;
        } else {
            base = Some(d);
        }
    };
    if compatible {
        decompose_compatible(c, &mut take);
    } else {
        decompose_canonical(c, &mut take);
    }
    match base {
        // A spacing accent decomposes to a space plus a mark: that is not an equivalent.
        Some(b) if !extra && b != c && is_gsm7_char(b) && (b != ' ' || c.is_whitespace()) => {
            Some(b)
        }
        _ => None,
    }
}

/// What a character that is not GSM-7 becomes in [`to_gsm7`] (`Some("")` when it is
/// dropped, like zero-width spaces). `None` for GSM-7 characters, which are kept, and for
/// characters with no GSM-7 equivalent (emoji, other scripts), which are kept too.
pub fn replacement(c: char) -> Option<&'static str> {
    if is_gsm7_char(c) {
        return None;
    }
    if let Some(r) = table(c) {
        return Some(r);
    }
    stripped_base(c, false)
        .or_else(|| stripped_base(c, true))
        .and_then(gsm7_static)
}

/// Rewrites the text with GSM-7 characters wherever an equivalent exists: curly quotes and
/// guillemets become `'` / `"`, non-breaking spaces a space, dashes `-`, `…` `...`,
/// zero-width characters disappear, `ê` → `e`, `ç` → `c`, `œ` → `oe`, accents GSM-7 lacks
/// are stripped. GSM-7 characters (`é`, `à`, `Ç`…) are kept unchanged.
///
/// A combining accent typed after a letter (decomposed text, as some systems paste it) is
/// first composed with it, so `e` + U+0301 becomes the GSM-7 `é`; an accent GSM-7 cannot
/// carry on the letter before it is dropped. Emoji and other characters without an
/// equivalent are kept: the result may still be UCS-2.
pub fn to_gsm7(text: &str) -> String {
    if text.chars().all(is_gsm7_char) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    // Whether the last char of `out` was copied from the input (so composing onto it is
    // composing what the author typed, not a replacement we produced).
    let mut last_is_input = false;
    for c in text.chars() {
        if is_gsm7_char(c) {
            out.push(c);
            last_is_input = true;
            continue;
        }
        if is_combining_mark(c)
            && let Some(prev) = out.chars().next_back().filter(|&p| is_gsm7_char(p))
        {
            if last_is_input && let Some(q) = compose(prev, c) {
                out.pop();
                if is_gsm7_char(q) {
                    out.push(q);
                } else {
                    out.push_str(replacement(q).unwrap_or(prev.encode_utf8(&mut [0u8; 4])));
                }
            }
            // Otherwise the accent cannot be written: drop it, keep the letter.
            last_is_input = false;
            continue;
        }
        match replacement(c) {
            Some(r) => {
                out.push_str(r);
                last_is_input = false;
            }
            None => {
                out.push(c);
                last_is_input = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm7_chars_table_matches_the_encoding_rules() {
        assert_eq!(GSM7_CHARS.chars().count(), 137);
        assert!(GSM7_CHARS.chars().all(is_gsm7_char));
    }

    #[test]
    fn decomposition_fallback() {
        assert_eq!(replacement('ŝ'), Some("s"));
        assert_eq!(replacement('Ａ'), Some("A"));
        assert_eq!(replacement('\u{00B4}'), Some("'"));
        assert_eq!(replacement('é'), None);
        assert_eq!(replacement('😀'), None);
        assert_eq!(replacement('Ж'), None);
    }

    #[test]
    fn combining_marks() {
        assert_eq!(to_gsm7("e\u{0301}te"), "éte");
        assert_eq!(to_gsm7("fe\u{0302}te"), "fete");
        assert_eq!(to_gsm7("q\u{0301}"), "q");
    }
}
