//! SMS character encoding and segment counting (3GPP TS 23.038 / TS 23.040).
//!
//! A text is sent in the GSM-7 default alphabet when every character belongs to it (the
//! extension-table characters cost two septets: escape + code), and in UCS-2 (UTF-16 units on
//! the wire) otherwise — one foreign character turns the *whole* text into UCS-2.
//!
//! Segment capacities: GSM-7 160 septets alone, 153 per segment once split (the user data
//! header takes the rest); UCS-2 70 units alone, 67 once split. An escape pair and a
//! surrogate pair are never cut between two segments, so a split segment may carry one unit
//! less than its capacity. Segments are filled greedily in order, which is minimal here since
//! every character costs one or two units.
//!
//! Counting is a single allocation-free pass over the text backed by a lookup table, so the
//! editor can recount at every key stroke.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Septets in a lone GSM-7 message.
pub const GSM7_SINGLE: usize = 160;
/// Septets per segment of a split (concatenated) GSM-7 message.
pub const GSM7_MULTI: usize = 153;
/// UTF-16 units in a lone UCS-2 message.
pub const UCS2_SINGLE: usize = 70;
/// UTF-16 units per segment of a split (concatenated) UCS-2 message.
pub const UCS2_MULTI: usize = 67;

/// How a text travels on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// 3GPP TS 23.038 default alphabet, 7 bits per character.
    #[serde(rename = "GSM-7")]
    Gsm7,
    /// UTF-16 (what the standard calls UCS-2), 16 bits per unit.
    #[serde(rename = "UCS-2")]
    Ucs2,
}

impl Encoding {
    /// The name shown to users and printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// The encoding of its code (`GSM-7`, `UCS-2`), as stored and printed.
    pub fn parse(code: &str) -> Option<Encoding> {
        [Encoding::Gsm7, Encoding::Ucs2]
            .into_iter()
            .find(|e| e.as_str() == code)
    }

    /// Units available when the text fits in one segment.
    pub fn single_capacity(self) -> usize {
        match self {
            Encoding::Gsm7 => GSM7_SINGLE,
            Encoding::Ucs2 => UCS2_SINGLE,
        }
    }

    /// Units available per segment once the text is split.
    pub fn multi_capacity(self) -> usize {
        match self {
            Encoding::Gsm7 => GSM7_MULTI,
            Encoding::Ucs2 => UCS2_MULTI,
        }
    }

    /// What one character costs in this encoding (septets or UTF-16 units), or `None` when
    /// the character cannot be written in it (only possible for GSM-7).
    pub fn cost(self, c: char) -> Option<usize> {
        match self {
            Encoding::Gsm7 => gsm7_cost(c),
            Encoding::Ucs2 => Some(c.len_utf16()),
        }
    }
}

/// The encoding as screens name it (`[sms_encoding]`: "Unicode" rather than UCS-2).
impl crate::i18n::Describe for Encoding {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        let key = match self {
            Encoding::Gsm7 => "sms_encoding.gsm7",
            Encoding::Ucs2 => "sms_encoding.ucs2",
        };
        crate::i18n::tr(lang, key).to_string()
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the editor and the previews show about a text's size on the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentInfo {
    /// Encoding the whole text will be sent in.
    pub encoding: Encoding,
    /// Unicode scalar values — what a person calls characters.
    pub chars: usize,
    /// Septets (GSM-7) or UTF-16 units (UCS-2), extension and non-BMP characters counting two.
    pub units: usize,
    /// Segments (credits) the text costs; 0 for the empty text.
    pub segments: usize,
    /// Capacity of one segment: 160/70 while the text fits in one, 153/67 once split.
    pub per_segment: usize,
    /// Units still free in the last segment, after pairs pushed whole to the next segment.
    pub remaining: usize,
    /// Distinct characters that forced UCS-2, in order of first appearance.
    pub non_gsm: Vec<char>,
    /// Char indices (counted in Unicode scalar values) where segments 2.. start.
    pub splits: Vec<usize>,
}

/// Cost table for U+0000..U+00FF: 0 = not GSM-7, 1 = default alphabet, 2 = extension table.
static LATIN1_COST: [u8; 256] = build_latin1_table();

const fn build_latin1_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    // Printable ASCII is in the default alphabet except the backtick and the characters
    // that only exist in the extension table.
    let mut c = 0x20;
    while c < 0x7F {
        t[c] = 1;
        c += 1;
    }
    t[b'`' as usize] = 0;
    let ext = b"^{}\\[]~|";
    let mut i = 0;
    while i < ext.len() {
        t[ext[i] as usize] = 2;
        i += 1;
    }
    t[0x0A] = 1; // line feed
    t[0x0D] = 1; // carriage return
    t[0x0C] = 2; // form feed (extension table, page break)
    // Latin-1 letters and signs of the default alphabet.
    let latin1: [usize; 29] = [
        0xA3, // £
        0xA5, // ¥
        0xE8, // è
        0xE9, // é
        0xF9, // ù
        0xEC, // ì
        0xF2, // ò
        0xC7, // Ç
        0xD8, // Ø
        0xF8, // ø
        0xC5, // Å
        0xE5, // å
        0xC6, // Æ
        0xE6, // æ
        0xDF, // ß
        0xC9, // É
        0xA4, // ¤
        0xA1, // ¡
        0xC4, // Ä
        0xD6, // Ö
        0xD1, // Ñ
        0xDC, // Ü
        0xA7, // §
        0xBF, // ¿
        0xE4, // ä
        0xF6, // ö
        0xF1, // ñ
        0xFC, // ü
        0xE0, // à
    ];
    let mut j = 0;
    while j < latin1.len() {
        t[latin1[j]] = 1;
        j += 1;
    }
    t
}

/// Septets one character costs in GSM-7: 1 for the default alphabet, 2 for the extension
/// table (`^ { } \ [ ] ~ | €` and form feed), `None` when it is not GSM-7 at all.
///
/// U+001B (ESC) is refused: it is the escape code itself, not a character anyone types.
#[inline]
pub fn gsm7_cost(c: char) -> Option<usize> {
    match gsm7_cost_raw(c) {
        0 => None,
        n => Some(n),
    }
}

/// [`gsm7_cost`] with 0 for "not GSM-7", branch-light for the counting loop.
#[inline(always)]
fn gsm7_cost_raw(c: char) -> usize {
    let cp = c as u32;
    if cp < 0x100 {
        LATIN1_COST[cp as usize] as usize
    } else {
        match c {
            // Greek capitals of the default alphabet.
            'Δ' | 'Φ' | 'Γ' | 'Λ' | 'Ω' | 'Π' | 'Ψ' | 'Σ' | 'Θ' | 'Ξ' => 1,
            '€' => 2,
            _ => 0,
        }
    }
}

/// Whether the character can be sent in GSM-7 (default alphabet or extension table).
#[inline]
pub fn is_gsm7_char(c: char) -> bool {
    gsm7_cost(c).is_some()
}

/// Whether the whole text can be sent in GSM-7.
pub fn is_gsm7_text(text: &str) -> bool {
    text.chars().all(is_gsm7_char)
}

/// The encoding the text will be sent in.
pub fn encoding_of(text: &str) -> Encoding {
    if is_gsm7_text(text) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

/// Cost of `c` in `enc`, for a text already known to fit `enc` (a UCS-2 text accepts all).
#[inline]
fn unit_cost(enc: Encoding, c: char) -> usize {
    match enc {
        Encoding::Gsm7 => gsm7_cost(c).unwrap_or(1),
        Encoding::Ucs2 => c.len_utf16(),
    }
}

/// Greedy segmentation of a text already known to need splitting in `enc`. Calls
/// `on_split(char_index, byte_index)` at the start of every segment after the first and
/// returns (segments, units used in the last segment).
#[inline]
fn fill_segments(
    text: &str,
    enc: Encoding,
    mut on_split: impl FnMut(usize, usize),
) -> (usize, usize) {
    let cap = enc.multi_capacity();
    let mut segments = 1;
    let mut used = 0;
    for (i, (byte, c)) in text.char_indices().enumerate() {
        let cost = unit_cost(enc, c);
        if used + cost > cap {
            on_split(i, byte);
            segments += 1;
            used = 0;
        }
        used += cost;
    }
    (segments, used)
}

/// Distinct foreign characters below this count are looked up by a linear scan, cheaper
/// than anything else for the usual handful (accents, curly quotes, an emoji).
const LINEAR_LOOKUP_MAX: usize = 16;

/// Records `c` in `non_gsm` (order of first appearance) unless already there. Beyond a few
/// distinct characters (a text in another script) a sorted copy keeps the lookup logarithmic.
#[inline]
fn note_foreign(non_gsm: &mut Vec<char>, sorted: &mut Vec<char>, c: char) {
    if non_gsm.len() <= LINEAR_LOOKUP_MAX {
        if !non_gsm.contains(&c) {
            non_gsm.push(c);
            if non_gsm.len() > LINEAR_LOOKUP_MAX {
                sorted.extend_from_slice(non_gsm);
                sorted.sort_unstable();
            }
        }
    } else if let Err(pos) = sorted.binary_search(&c) {
        sorted.insert(pos, c);
        non_gsm.push(c);
    }
}

/// Greedy filling of split segments of one capacity, fed one character cost at a time.
struct Greedy {
    cap: usize,
    used: usize,
    segments: usize,
    splits: Vec<usize>,
}

impl Greedy {
    fn new(cap: usize, expected_splits: usize) -> Self {
        Greedy {
            cap,
            used: 0,
            segments: 1,
            splits: Vec::with_capacity(expected_splits),
        }
    }

    #[inline(always)]
    fn push(&mut self, index: usize, cost: usize) {
        if self.used + cost > self.cap {
            self.splits.push(index);
            self.segments += 1;
            self.used = 0;
        }
        self.used += cost;
    }
}

/// Counts everything about a text: encoding, characters, units, segments, room left, the
/// characters that force UCS-2 and where the segments split.
///
/// One pass: the greedy split is followed for both encodings at once, since whether the text
/// is GSM-7 is only known at its end.
pub fn analyse(text: &str) -> SegmentInfo {
    let mut chars = 0usize;
    let mut septets = 0usize;
    let mut utf16 = 0usize;
    let mut non_gsm: Vec<char> = Vec::new();
    let mut sorted: Vec<char> = Vec::new();
    // Split positions are only needed beyond one segment; sizing them from the byte length
    // avoids regrowing (and allocates nothing for short texts).
    let long = text.len() > UCS2_SINGLE;
    let mut gsm = Greedy::new(
        GSM7_MULTI,
        if long { text.len() / GSM7_MULTI + 1 } else { 0 },
    );
    let mut ucs = Greedy::new(
        UCS2_MULTI,
        if long { text.len() / UCS2_MULTI + 1 } else { 0 },
    );
    for c in text.chars() {
        let u = c.len_utf16();
        utf16 += u;
        ucs.push(chars, u);
        let g = gsm7_cost_raw(c);
        if g == 0 {
            note_foreign(&mut non_gsm, &mut sorted, c);
        } else {
            septets += g;
            gsm.push(chars, g);
        }
        chars += 1;
    }
    let (encoding, units, greedy) = if non_gsm.is_empty() {
        (Encoding::Gsm7, septets, gsm)
    } else {
        (Encoding::Ucs2, utf16, ucs)
    };
    let single = encoding.single_capacity();
    if units <= single {
        let segments = usize::from(units > 0);
        return SegmentInfo {
            encoding,
            chars,
            units,
            segments,
            per_segment: single,
            remaining: single - units,
            non_gsm,
            splits: Vec::new(),
        };
    }
    SegmentInfo {
        encoding,
        chars,
        units,
        segments: greedy.segments,
        per_segment: greedy.cap,
        remaining: greedy.cap - greedy.used,
        non_gsm,
        splits: greedy.splits,
    }
}

/// Cuts the text into the parts that travel as separate segments (one part when it fits in
/// one segment, none for the empty text). Joining the parts gives back the text.
pub fn split_segments(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    let encoding = encoding_of(text);
    let units: usize = text.chars().map(|c| unit_cost(encoding, c)).sum();
    if units <= encoding.single_capacity() {
        return vec![text];
    }
    let mut parts = Vec::with_capacity(units / encoding.multi_capacity() + 1);
    let mut start = 0;
    fill_segments(text, encoding, |_, byte| {
        parts.push(&text[start..byte]);
        start = byte;
    });
    parts.push(&text[start..]);
    parts
}

/// The `smsdesk segments --json` answer (SPEC §7): [`analyse`]'s figures, fields in the
/// documented order (`serde_json` is built with `preserve_order`, so they keep it when
/// printed); each character forcing UCS-2 as a one-character string.
pub fn report_json(text: &str) -> serde_json::Value {
    let r = analyse(text);
    serde_json::json!({
        "encoding": r.encoding.as_str(),
        "chars": r.chars,
        "units": r.units,
        "segments": r.segments,
        "per_segment": r.per_segment,
        "remaining": r.remaining,
        "non_gsm": r.non_gsm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 128 characters of the default alphabet in code order (ESC at 0x1B excluded).
    const DEFAULT_ALPHABET: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    #[test]
    fn default_alphabet_is_exactly_127_typable_chars_costing_one() {
        assert_eq!(DEFAULT_ALPHABET.chars().count(), 127);
        for c in DEFAULT_ALPHABET.chars() {
            assert_eq!(gsm7_cost(c), Some(1), "{c:?}");
        }
        for c in "^{}\\[]~|€\u{000C}".chars() {
            assert_eq!(gsm7_cost(c), Some(2), "{c:?}");
        }
        // Everything else in Unicode is foreign.
        let known: Vec<char> = DEFAULT_ALPHABET
            .chars()
            .chain("^{}\\[]~|€\u{000C}".chars())
            .collect();
        let mut count = 0;
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if is_gsm7_char(c) {
                count += 1;
                assert!(known.contains(&c), "{c:?} wrongly GSM-7");
            }
        }
        assert_eq!(count, 127 + 10);
    }

    #[test]
    fn lookalikes_are_not_gsm() {
        for c in ['ç', '\u{1B}', '`', '\t', 'ê', 'œ', '’', '\u{A0}', 'Α', 'Β'] {
            assert!(!is_gsm7_char(c), "{c:?}");
        }
    }

    #[test]
    fn many_distinct_foreign_chars_listed_once_in_order() {
        let cjk: Vec<char> = (0x4E00..0x4E00 + 100)
            .rev()
            .filter_map(char::from_u32)
            .collect();
        let text: String = cjk.iter().chain(cjk.iter()).collect();
        let info = analyse(&text);
        assert_eq!(info.non_gsm, cjk);
        assert_eq!(
            (info.units, info.segments, info.remaining),
            (200, 3, 67 - 66)
        );
    }

    #[test]
    fn encoding_names() {
        assert_eq!(Encoding::Gsm7.to_string(), "GSM-7");
        assert_eq!(
            serde_json::to_string(&Encoding::Ucs2).ok().as_deref(),
            Some("\"UCS-2\"")
        );
    }
}
