//! Phone numbers: from what people type (or what a spreadsheet left) to E.164.
//!
//! Three layers:
//! - a cleaning pass for what back-office staff actually paste: dotted, dashed and spaced
//!   forms, `+33 (0)6…`, NBSP and zero-width characters, `tel:` URIs, spreadsheet floats such
//!   as `612345678.0` or `6.12345678E8`; letters and stray punctuation are refused here;
//! - libphonenumber's own rules (`parse`, `isValidNumber`, `getRegionCodeForNumber`,
//!   `getNumberType`, `format`) re-implemented on the metadata of the `phonenumber` crate
//!   (libphonenumber 9.0.33). The crate's parser strips national prefixes twice and its
//!   validators match pattern prefixes only, so its answers differ from Google's for some
//!   countries; these follow Google's Java code step by step;
//! - the French plan on top: a 9-digit number is a French number that lost its leading zero,
//!   and a national number is read in every territory of the plan (metropolitan France and
//!   the overseas departments share `0` + 9 digits, libphonenumber splits them by calling
//!   code), so `0690…` typed in Paris is a Guadeloupe mobile.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// Regions that share the French ten-digit national format (`0` + 9 digits): a number typed
/// in national form in any of them may belong to any other, so a failed parse is retried in
/// the others. Saint-Barthélemy and Saint-Martin parse exactly like Guadeloupe (+590, same
/// national prefix); libphonenumber tells them apart afterwards.
const FRENCH_PLAN_RETRY: [&str; 6] = ["FR", "GP", "MQ", "GF", "RE", "YT"];

/// Default regions whose operators type numbers in the French national format.
const FRENCH_PLAN_REGIONS: [&str; 8] = ["FR", "GP", "MQ", "GF", "RE", "YT", "BL", "MF"];

/// Country calling codes of the French ten-digit plan (metropolitan France and the overseas
/// departments): numbers under them are shown in national form to French operators.
const FRENCH_PLAN_CODES: [u16; 5] = [33, 262, 590, 594, 596];

/// Longest digit run worth handing to the parser: E.164 allows 15 digits, an international
/// prefix adds up to 4 more.
const MAX_DIGITS: usize = 19;

/// Most zeros a spreadsheet float may need appended to become a whole number. Exact float
/// renderings (`6.1234567E8` for 612345670) drop trailing zeros, but so does a spreadsheet
/// showing a long number rounded (`3.36123E+10`), which would text a stranger: three or more
/// missing digits are taken for rounding (a real number ending in 000 is refused too, rarely).
const MAX_PADDING_ZEROS: usize = 2;

/// What a number is for sending purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// Can receive SMS: a mobile, or a number whose plan cannot tell mobile from fixed line
    /// (North America) while its mobile ranges cover it.
    Mobile,
    /// A fixed line.
    Landline,
    /// VoIP (French 09), toll-free, premium rate, shared cost, personal numbers, pagers…
    Other,
}

impl LineKind {
    fn key(self) -> &'static str {
        match self {
            LineKind::Mobile => "line_kind.mobile",
            LineKind::Landline => "line_kind.landline",
            LineKind::Other => "line_kind.other",
        }
    }
}

impl crate::i18n::Describe for LineKind {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, self.key()).to_string()
    }
}

impl fmt::Display for LineKind {
    /// English: logs and the command line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::Describe::describe(
            self,
            crate::i18n::Lang::En,
        ))
    }
}

/// A valid phone number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    /// `+` followed by the country calling code and the national significant number.
    pub e164: String,
    /// ISO 3166 region the number belongs to according to libphonenumber (`FR`, `GP`, `BL`…),
    /// or `001` for non-geographic numbers such as +800.
    pub region: String,
    /// Mobile, landline or other.
    pub kind: LineKind,
}

impl Phone {
    /// Whether SMS can be sent to this number.
    pub fn is_mobile(&self) -> bool {
        self.kind == LineKind::Mobile
    }
}

crate::typed_messages! {
    /// Why a number was refused. Messages are meant for the operator, who sees them next to
    /// the row or field they came from (texts: `[phone_error]` in the catalogues).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum PhoneError in "phone_error" {
        /// Nothing but spaces.
        Empty,
        /// The default country setting is not an ISO region libphonenumber knows.
        UnknownRegion {
            /// The region as given.
            region: String,
        },
        /// A letter where a digit was expected (e.g. `06 12 AB 56 78`).
        Letters {
            /// The first letter found.
            letter: char,
        },
        /// Punctuation that is not part of a phone number (`,`, `;`, `*`, `#`, a `+` in the
        /// middle…), often two numbers glued in one cell.
        InvalidCharacter {
            /// The offending character.
            character: char,
        },
        /// Punctuation but no digit at all (`+`, `--`).
        NoDigits,
        /// Fewer digits than any number of that country.
        TooShort {
            /// Digits typed.
            digits: usize,
        },
        /// More digits than any number of that country.
        TooLong {
            /// Digits typed.
            digits: usize,
        },
        /// `+` or `00` followed by a code no country uses.
        UnknownCountryCode,
        /// A spreadsheet number with decimals (`6.1234E3`), which no phone number is.
        NotInteger,
        /// A spreadsheet number shown rounded (`6.12346E+08`): its last digits are lost.
        RoundedNumber,
        /// Right length, but a prefix no operator was assigned.
        InvalidNumber,
        /// Valid, but SMS cannot reach it.
        NotMobile {
            /// The number, normalised.
            e164: String,
            /// What it is instead.
            kind: LineKind,
        },
    }
}

impl std::error::Error for PhoneError {}

/// Normalises `input` to E.164, taking national forms as dialled in `default_region` (an ISO
/// region such as `FR`; any case).
pub fn parse_phone(input: &str, default_region: &str) -> Result<Phone, PhoneError> {
    parse_phone_taking(input, default_region, true)
}

/// [`parse_phone`], its shortcut for French numbers taken or not (`false`: every number
/// through the whole of libphonenumber's rules, the reference the shortcut is tested against).
fn parse_phone_taking(
    input: &str,
    default_region: &str,
    shortcut: bool,
) -> Result<Phone, PhoneError> {
    let region = resolve_region(default_region)?;
    let cleaned = clean(input)?;
    let french = FRENCH_PLAN_REGIONS.contains(&region.id());
    let digits = if french && !cleaned.plus && is_spreadsheet_french(&cleaned.digits) {
        // A spreadsheet stored 0612345678 as the number 612345678.
        format!("0{}", cleaned.digits)
    } else {
        cleaned.digits.clone()
    };
    if shortcut && let Some(phone) = french_shortcut(&digits, cleaned.plus, region) {
        return Ok(phone);
    }
    parse_cleaned(&cleaned, digits, region, french)
}

/// The rules of [`parse_phone`] on an input cleaned to its `digits` (a spreadsheet's lost
/// zero put back).
fn parse_cleaned(
    cleaned: &Cleaned,
    digits: String,
    region: &'static Metadata,
    french: bool,
) -> Result<Phone, PhoneError> {
    let parsed = parse_digits(&digits, cleaned.plus, Some(region));
    let national = matches!(
        parsed,
        Ok(Parsed {
            source: Source::Default,
            ..
        })
    );
    let first = parsed.and_then(|p| validate(&p));
    if french && national {
        return french_plan(&digits, region, first);
    }
    if first.is_ok() {
        return first;
    }
    if cleaned.trunk_zero {
        // `+39 (0)2…`: in Italy that zero is part of the number, not a trunk prefix.
        let kept = with_trunk_zero(cleaned);
        if let Ok(phone) =
            parse_digits(&kept.digits, kept.plus, Some(region)).and_then(|p| validate(&p))
        {
            return Ok(phone);
        }
    }
    first
}

/// What makes [`french_shortcut`] give the answer of the whole parse: checked once on the
/// metadata, so that a new release of it that breaks an assumption turns the shortcut off
/// rather than wrong.
struct Shortcut {
    france: &'static Metadata,
    /// Which first [`PREFIX_DIGITS`] digits may start a match of one of France's descriptions
    /// other than its mobiles' (fixed lines, special rates…): where none may, the number's
    /// type is its mobile test alone (see [`french_type`]).
    not_mobile: Vec<bool>,
}

static SHORTCUT: std::sync::LazyLock<Option<Shortcut>> = std::sync::LazyLock::new(|| {
    let db: &'static phonenumber::metadata::Database = &DATABASE;
    let france = db.by_id("FR")?;
    // +33 is France's alone, and no calling code is `3`: `+33…` reads as France.
    let alone = db
        .by_code(&33)
        .is_some_and(|m| m.len() == 1 && m[0].id() == "FR");
    // The trunk prefix is a plain `0`, stripped as such (no rule rewrites the number), and the
    // international prefix is `00`.
    let plain_trunk = france.national_prefix_for_parsing().is_none()
        && france.national_prefix() == Some("0")
        && france.international_prefix().map(|p| p.as_str()) == Some("00");
    // Nine digits is a national length, not a local-only or too-short one.
    let nine = test_length("600000000", france) == Length::Possible;
    let d = france.descriptors();
    let others: Vec<&str> = type_descriptors(france)
        .into_iter()
        .flatten()
        .filter(|desc| d.mobile().is_none_or(|m| !std::ptr::eq(*desc, m)))
        .map(|desc| desc.national_number().as_str())
        .collect();
    let not_mobile = pattern_starts(&others)?;
    (alone && main_metadata(3).is_none() && plain_trunk && nine)
        .then_some(Shortcut { france, not_mobile })
});

/// [`number_type`] in France of a national significant number `nsn` (ASCII digits), the
/// descriptions that cannot match it (by [`Shortcut::not_mobile`]) left untried: when only
/// the mobiles' may, the special rates and fixed lines are known not to match.
fn french_type(shortcut: &Shortcut, nsn: &str) -> NumberType {
    let meta = shortcut.france;
    let head = nsn
        .get(..PREFIX_DIGITS)
        .and_then(|h| h.parse::<usize>().ok());
    let others_may = head.is_none_or(|i| shortcut.not_mobile.get(i).copied().unwrap_or(true));
    number_type_among(meta, nsn, others_may)
}

/// The common case of a file, taken without the whole parse: `digits` (cleaned, a
/// spreadsheet's lost zero put back) typed in France as `0` + 9 digits or `+33` + 9 digits
/// (not starting with 0). `None` sends the number through the whole parse, whose answer this
/// is (the unit tests compare both on every prefix and on numbers of every kind); the steps
/// it skips are those that cannot change it:
/// - `0` then a digit other than 0 is not France's international prefix (`00`), nor `33`
///   written without `+`: the number is national, read in France (`Source::Default`), its
///   trunk `0` stripped (a plain `0`, see [`Shortcut`]); with `+33` the country is France and
///   no trunk `0` follows;
/// - nine digits is a possible length, so the stripped number is kept, and it is kept as well
///   by [`strip_national_prefix`] when France's description recognises it (its general
///   pattern is part of [`number_type`]);
/// - typed nationally, the overseas reading comes first ([`overseas_reading`], as
///   [`french_plan`] asks it, France's reading being `+33` whenever valid); otherwise, and
///   with `+33`, the answer is France's reading ([`number_type`], as [`validate`] asks it)
///   when valid.
fn french_shortcut(digits: &str, plus: bool, region: &'static Metadata) -> Option<Phone> {
    let shortcut = SHORTCUT.as_ref()?;
    if region.id() != "FR" {
        return None;
    }
    let nsn = if plus {
        digits.strip_prefix("33")?
    } else {
        digits.strip_prefix('0')?
    };
    if nsn.len() != 9 || nsn.starts_with('0') || !nsn.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !plus && let Some(phone) = overseas_reading(digits, region) {
        return Some(phone);
    }
    let kind = match french_type(shortcut, nsn) {
        NumberType::Unknown => return None,
        ty => ty.kind(),
    };
    let mut e164 = String::with_capacity(12);
    e164.push_str("+33");
    e164.push_str(nsn);
    Some(Phone {
        e164,
        region: "FR".to_string(),
        kind,
    })
}

/// `digits` typed in national form, read in the department `id` of the French plan.
fn department_reading(id: &str, digits: &str) -> Option<Phone> {
    DATABASE
        .by_id(id)
        .and_then(|meta| parse_digits(digits, false, Some(meta)).ok())
        .and_then(|parsed| validate(&parsed).ok())
}

/// The first department of the French plan (other than `region`'s) that recognises `digits`,
/// typed in national form, as one of its landlines or mobiles. Only the departments whose
/// ranges can start as this number does are tried (a table look-up): a metropolitan number
/// is tried against none.
fn overseas_reading(digits: &str, region: &'static Metadata) -> Option<Phone> {
    FRENCH_PLAN_RETRY
        .iter()
        .filter(|id| **id != "FR" && **id != region.id())
        .filter(|id| may_be_geographic(id, digits))
        .filter_map(|id| department_reading(id, digits))
        .find(|phone| phone.kind != LineKind::Other)
}

/// A number typed in national form in the French plan, whose prefix tells the territory
/// (ARCEP): 0590/0690 Guadeloupe, 0596/0696 Martinique, 0262/0692 Réunion… libphonenumber
/// files each territory under its own calling code, and its metropolitan description even
/// admits some overseas landlines (0263, 0269, 0596 as +33), so every department is tried:
/// a department that recognises the number as one of its landlines or mobiles wins, since
/// those ranges are assigned per territory. Otherwise the default region's reading stands,
/// then any other reading (a metropolitan number typed in Réunion).
fn french_plan(
    digits: &str,
    region: &'static Metadata,
    first: Result<Phone, PhoneError>,
) -> Result<Phone, PhoneError> {
    // Only a metropolitan (+33) reading may hide an overseas number.
    if first
        .as_ref()
        .is_ok_and(|phone| !phone.e164.starts_with("+33"))
    {
        return first;
    }
    if let Some(phone) = overseas_reading(digits, region) {
        return Ok(phone);
    }
    if first.is_ok() {
        return first;
    }
    FRENCH_PLAN_RETRY
        .iter()
        .filter(|id| **id != region.id())
        .find_map(|id| department_reading(id, digits))
        .ok_or_else(|| first.err().unwrap_or(PhoneError::InvalidNumber))
}

/// How many leading digits of a national significant number [`GEOGRAPHIC`] tells apart.
const PREFIX_DIGITS: usize = 3;

/// Per department of the French plan: which first [`PREFIX_DIGITS`] digits of a national
/// significant number may start one of its landlines or mobiles (those of every region sharing
/// its calling code), or `None` when the table cannot tell and every number is tried. Built
/// once from the metadata: the prefixes every match of the fixed-line and mobile patterns
/// starts with (regex-syntax's literal extraction, which only ever errs on the side of more
/// prefixes), so a number the table rules out is one the department's rules would refuse.
struct Geographic {
    id: &'static str,
    starts: Option<Vec<bool>>,
}

static GEOGRAPHIC: std::sync::LazyLock<Vec<Geographic>> = std::sync::LazyLock::new(|| {
    FRENCH_PLAN_RETRY
        .iter()
        .map(|id| Geographic {
            id,
            starts: geographic_starts(id),
        })
        .collect()
});

/// The table of one department, see [`Geographic`].
fn geographic_starts(id: &str) -> Option<Vec<bool>> {
    let db: &'static phonenumber::metadata::Database = &DATABASE;
    let meta = db.by_id(id)?;
    // The national number must be what the look-up assumes: the typed digits, or them
    // without their leading trunk `0`.
    if meta.national_prefix_for_parsing().is_some() || meta.national_prefix() != Some("0") {
        return None;
    }
    let mut patterns = Vec::new();
    for region in db.by_code(&meta.country_code())? {
        let d = region.descriptors();
        for desc in [d.fixed_line(), d.mobile()].into_iter().flatten() {
            patterns.push(desc.national_number().as_str());
        }
    }
    pattern_starts(&patterns)
}

/// Which first [`PREFIX_DIGITS`] digits a whole match of any of `patterns` (metadata
/// patterns) may start with: the prefixes every match starts with, by regex-syntax's literal
/// extraction, which only ever errs on the side of more prefixes. `None` when it cannot tell.
fn pattern_starts(patterns: &[&str]) -> Option<Vec<bool>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut literals: Vec<Vec<u8>> = Vec::new();
    for pattern in patterns {
        let hir = regex_syntax::ParserBuilder::new()
            .ignore_whitespace(true)
            .unicode(false)
            .build()
            .parse(pattern)
            .ok()?;
        let seq = Extractor::new()
            .kind(ExtractKind::Prefix)
            .limit_class(10)
            .limit_literal_len(PREFIX_DIGITS)
            .extract(&hir);
        // An infinite set: any start is possible.
        literals.extend(seq.literals()?.iter().map(|l| l.as_bytes().to_vec()));
    }
    let mut starts = vec![false; 10usize.pow(PREFIX_DIGITS as u32)];
    for (n, start) in starts.iter_mut().enumerate() {
        let p = format!("{n:0width$}", width = PREFIX_DIGITS);
        let p = p.as_bytes();
        *start = literals
            .iter()
            .any(|l| p.starts_with(l) || l.starts_with(p));
    }
    Some(starts)
}

/// Whether the national number `digits` (as typed, trunk `0` included) may be a landline or a
/// mobile of the department `id`: false only when its table rules it out.
fn may_be_geographic(id: &str, digits: &str) -> bool {
    let Some(starts) = GEOGRAPHIC
        .iter()
        .find(|g| g.id == id)
        .and_then(|g| g.starts.as_ref())
    else {
        return true;
    };
    // An international prefix (`00`) would change the calling code: no look-up.
    if digits.starts_with("00") {
        return true;
    }
    let index = |nsn: &str| -> Option<usize> {
        let head = nsn.get(..PREFIX_DIGITS)?;
        head.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| head.parse().ok())?
    };
    // The national number is the digits without their trunk `0`, or (when stripping it would
    // leave too little) the digits as typed.
    let candidates = [digits.strip_prefix('0'), Some(digits)];
    candidates
        .into_iter()
        .flatten()
        .any(|nsn| index(nsn).is_none_or(|i| starts.get(i).copied().unwrap_or(true)))
}

/// Nine digits not starting with 0: a French number whose leading zero a spreadsheet dropped.
fn is_spreadsheet_french(digits: &str) -> bool {
    digits.len() == 9 && !digits.starts_with('0')
}

/// Like [`parse_phone`], but refuses numbers that cannot receive SMS.
pub fn parse_recipient(input: &str, default_region: &str) -> Result<Phone, PhoneError> {
    let phone = parse_phone(input, default_region)?;
    if phone.is_mobile() {
        Ok(phone)
    } else {
        Err(PhoneError::NotMobile {
            e164: phone.e164,
            kind: phone.kind,
        })
    }
}

/// Display form for French operators: `06 12 34 56 78`, `0690 12 34 56` for numbers of the
/// French ten-digit plan (metropolitan and overseas departments, all dialled that way from
/// any of them), `+44 7911 123456` for the rest. Returns the input unchanged if it is not a
/// number in international form.
pub fn format_national(e164: &str) -> String {
    format_for_region(e164, "FR")
}

/// Display form relative to the organisation's region: national form when the number is
/// dialled that way from `home_region` (same calling code, or both in the French plan),
/// international form otherwise.
pub fn format_for_region(e164: &str, home_region: &str) -> String {
    let Some(parsed) = clean(e164)
        .ok()
        .filter(|c| c.plus)
        .and_then(|c| parse_digits(&c.digits, true, None).ok())
    else {
        return e164.to_string();
    };
    let home = resolve_region(home_region).ok();
    let home_code = home.map(Metadata::country_code);
    let national = home_code == Some(parsed.code)
        || (home.is_some_and(|h| FRENCH_PLAN_REGIONS.contains(&h.id()))
            && FRENCH_PLAN_CODES.contains(&parsed.code));
    format_nsn(parsed.code, &parsed.nsn, national)
}

/// One line of `smsdesk phone --json`: a report, not a refusal — a valid landline has its
/// `e164`, `mobile: false` and no error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneCheck {
    /// The text as given.
    pub input: String,
    /// The normalised number, if valid.
    pub e164: Option<String>,
    /// Whether SMS can be sent to it.
    pub mobile: bool,
    /// Its region, if valid.
    pub region: Option<String>,
    /// Why it is invalid, if it is.
    pub error: Option<String>,
}

/// Checks one number for the command line (SPEC §7).
pub fn check(input: &str, default_region: &str) -> PhoneCheck {
    match parse_phone(input, default_region) {
        Ok(phone) => PhoneCheck {
            input: input.to_string(),
            mobile: phone.is_mobile(),
            e164: Some(phone.e164),
            region: Some(phone.region),
            error: None,
        },
        Err(err) => PhoneCheck {
            input: input.to_string(),
            e164: None,
            mobile: false,
            region: None,
            error: Some(err.to_string()),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Cleaning

/// The digits of an input, with what the punctuation told us.
#[derive(Debug, Clone)]
struct Cleaned {
    /// Started with `+`.
    plus: bool,
    /// Every digit, in order, without the dropped `(0)`.
    digits: String,
    /// A `(0)` trunk prefix was dropped…
    trunk_zero: bool,
    /// …at this position in `digits`.
    trunk_zero_at: usize,
}

/// Characters that separate digit groups in what people type.
fn is_separator(c: char) -> bool {
    // libphonenumber's VALID_PUNCTUATION, less `x` (an extension marker).
    c.is_whitespace()
        || is_invisible(c)
        || matches!(
            c,
            '.' | '-' | '/' | '(' | ')' | '[' | ']' | '~' | '\u{00AD}' | '\u{2053}' | '\u{223C}'
        )
        || matches!(
            c,
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF5E}'
        )
        || matches!(
            c,
            '\u{FF08}' | '\u{FF09}' | '\u{FF0D}'..='\u{FF0F}' | '\u{FF3B}' | '\u{FF3D}'
        )
}

/// Reduces the input to its digits, refusing letters and stray punctuation.
fn clean(input: &str) -> Result<Cleaned, PhoneError> {
    let trimmed = input.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    // RFC 3966 `tel:` URIs, as copied from a web page or a vCard.
    let body = match trimmed.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("tel:") => trimmed[4..].trim_start(),
        _ => trimmed,
    };
    if let Some(digits) = spreadsheet_float(body)? {
        return Ok(Cleaned {
            plus: false,
            digits,
            trunk_zero: false,
            trunk_zero_at: 0,
        });
    }

    let mut cleaned = Cleaned {
        plus: false,
        digits: String::with_capacity(body.len()),
        trunk_zero: false,
        trunk_zero_at: 0,
    };
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(d) = ascii_digit(c) {
            cleaned.digits.push(d);
        } else if c == '+' || c == '\u{FF0B}' {
            if !cleaned.digits.is_empty() || cleaned.plus {
                return Err(PhoneError::InvalidCharacter { character: c });
            }
            cleaned.plus = true;
        } else if c == '(' && is_trunk_zero(&chars[i..]) && !cleaned.digits.is_empty() {
            // `+33 (0)6…`: the zero is the national trunk prefix, not dialled from abroad.
            cleaned.trunk_zero = true;
            cleaned.trunk_zero_at = cleaned.digits.len();
            i += chars[i..].iter().position(|&c| c == ')').unwrap_or(0) + 1;
            continue;
        } else if is_separator(c) || is_invisible(c) {
        } else if c.is_alphabetic() {
            return Err(PhoneError::Letters { letter: c });
        } else {
            return Err(PhoneError::InvalidCharacter { character: c });
        }
        i += 1;
    }
    if cleaned.digits.is_empty() {
        return Err(PhoneError::NoDigits);
    }
    if cleaned.trunk_zero && !cleaned.plus && !cleaned.digits.starts_with("00") {
        // National form `(0)6 12…` cannot happen here (digits precede the parenthesis), but a
        // `(0)` inside a national number is not a trunk prefix: keep it.
        cleaned = with_trunk_zero(&cleaned);
    }
    if cleaned.digits.len() > MAX_DIGITS {
        return Err(PhoneError::TooLong {
            digits: cleaned.digits.len(),
        });
    }
    Ok(cleaned)
}

/// Zero-width characters that spreadsheets and web pages leave around numbers.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// ASCII and full-width digits (the latter come from Asian input methods).
fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{FF10}'..='\u{FF19}' => char::from_digit(c as u32 - 0xFF10, 10),
        _ => None,
    }
}

/// Whether `chars` starts with `(0)`, spaces allowed inside.
fn is_trunk_zero(chars: &[char]) -> bool {
    let mut inner = chars
        .iter()
        .skip(1)
        .take_while(|&&c| c != ')')
        .filter(|c| !c.is_whitespace());
    let closed = chars.iter().skip(1).any(|&c| c == ')');
    closed && inner.next() == Some(&'0') && inner.next().is_none()
}

/// The same number with its `(0)` put back as a digit.
fn with_trunk_zero(cleaned: &Cleaned) -> Cleaned {
    let mut kept = cleaned.clone();
    if kept.trunk_zero {
        kept.digits.insert(kept.trunk_zero_at, '0');
        kept.trunk_zero = false;
    }
    kept
}

/// A numeric cell written as a float by a spreadsheet: `612345678.0`, `6.12345678E8`,
/// `6,12345678E+08` (French locale). Returns its integer digits; `None` if `s` is not such a
/// float, an error if it is one with a fractional part.
fn spreadsheet_float(s: &str) -> Result<Option<String>, PhoneError> {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => {
            let exp = s[at + 1..].strip_prefix('+').unwrap_or(&s[at + 1..]);
            if exp.is_empty() || !exp.bytes().all(|b| b.is_ascii_digit()) || exp.len() > 2 {
                return Ok(None);
            }
            (&s[..at], exp.parse::<usize>().unwrap_or(0))
        }
        None => (s, 0),
    };
    let Some(sep) = mantissa.find(['.', ',']) else {
        return Ok(None);
    };
    let (int, frac) = (&mantissa[..sep], &mantissa[sep + 1..]);
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !all_digits(frac) {
        return Ok(None);
    }
    let has_exponent = s.len() != mantissa.len();
    if !has_exponent && !frac.bytes().all(|b| b == b'0') {
        // `06.12` or `612345678.5`: let the separator rules decide (dots are separators).
        return Ok(None);
    }
    if has_exponent && int.len() != 1 {
        // Spreadsheets write one digit before the point in scientific notation.
        return Ok(None);
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > exponent {
        return Err(PhoneError::NotInteger);
    }
    if exponent - frac.len() > MAX_PADDING_ZEROS {
        return Err(PhoneError::RoundedNumber);
    }
    let mut digits = String::with_capacity(int.len() + exponent);
    digits.push_str(int);
    digits.push_str(frac);
    digits.extend(std::iter::repeat_n('0', exponent - frac.len()));
    Ok(Some(digits))
}

// ---------------------------------------------------------------------------------------------
// Parsing: libphonenumber's `parse` on the cleaned digits (PhoneNumberUtil.parseHelper and
// maybeExtractCountryCode), on the crate's metadata. The crate's own parser strips national
// prefixes twice (`+375 80…`, `+7 800…` come out wrong), hence this.

/// Where the country calling code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Plus,
    Idd,
    /// The default region's code written without `+` (`33 6 12…` in France).
    NumberWithoutPlus,
    /// National form: the default region's code is implied.
    Default,
}

/// A number split into country calling code and national significant number.
#[derive(Debug, Clone)]
struct Parsed {
    code: u16,
    nsn: String,
    source: Source,
    /// Digits typed, for error messages.
    typed: usize,
}

/// Shortest national significant number libphonenumber accepts.
const MIN_NSN: usize = 2;
/// Longest national significant number libphonenumber accepts.
const MAX_NSN: usize = 17;

/// The metadata of an ISO region code given in any case (`fr`, ` FR `).
fn resolve_region(region: &str) -> Result<&'static Metadata, PhoneError> {
    let db: &'static phonenumber::metadata::Database = &DATABASE;
    // Two ASCII letters upper-cased in place: no allocation, it is asked for every number.
    let upper = match region.trim().as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => None,
    };
    upper
        .as_ref()
        .and_then(|r| std::str::from_utf8(r).ok())
        .and_then(|r| db.by_id(r))
        .ok_or_else(|| PhoneError::UnknownRegion {
            region: region.to_string(),
        })
}

/// The main region's metadata for a calling code (GB for +44, US for +1, `001` entries for
/// non-geographic codes), used for national prefixes and formats as libphonenumber does.
fn main_metadata(code: u16) -> Option<&'static Metadata> {
    let db: &'static phonenumber::metadata::Database = &DATABASE;
    db.by_code(&code)?.into_iter().next()
}

/// libphonenumber's `parseHelper` on cleaned digits: country code (from `+`, the default
/// region's international prefix, or the default region itself), then the national prefix.
fn parse_digits(
    digits: &str,
    plus: bool,
    default: Option<&'static Metadata>,
) -> Result<Parsed, PhoneError> {
    let typed = digits.len();
    if typed < MIN_NSN {
        return Err(PhoneError::TooShort { digits: typed });
    }
    let (code, national, source) = extract_country_code(digits, plus, default)?;
    let meta = match source {
        Source::Default => default,
        _ => main_metadata(code),
    };
    let mut nsn = national;
    if nsn.len() < MIN_NSN {
        return Err(PhoneError::TooShort { digits: typed });
    }
    if let Some(meta) = meta {
        let potential = strip_national_prefix(&nsn, meta);
        if !matches!(
            test_length(&potential, meta),
            Length::TooShort | Length::LocalOnly
        ) {
            nsn = potential;
        }
    }
    if nsn.len() < MIN_NSN {
        return Err(PhoneError::TooShort { digits: typed });
    }
    if nsn.len() > MAX_NSN {
        return Err(PhoneError::TooLong { digits: typed });
    }
    Ok(Parsed {
        code,
        nsn,
        source,
        typed,
    })
}

/// libphonenumber's `maybeExtractCountryCode`.
fn extract_country_code(
    digits: &str,
    plus: bool,
    default: Option<&'static Metadata>,
) -> Result<(u16, String, Source), PhoneError> {
    let typed = digits.len();
    let international = if plus {
        Some((digits, Source::Plus))
    } else {
        default
            .and_then(|meta| strip_idd(digits, meta))
            .map(|rest| (rest, Source::Idd))
    };
    if let Some((full, source)) = international {
        if full.len() <= MIN_NSN {
            return Err(PhoneError::TooShort { digits: typed });
        }
        if full.starts_with('0') {
            return Err(PhoneError::UnknownCountryCode);
        }
        for len in 1..=3.min(full.len()) {
            if let Ok(code) = full[..len].parse::<u16>()
                && main_metadata(code).is_some()
            {
                return Ok((code, full[len..].to_string(), source));
            }
        }
        return Err(PhoneError::UnknownCountryCode);
    }
    let Some(meta) = default else {
        return Err(PhoneError::UnknownCountryCode);
    };
    let code = meta.country_code();
    let code_text = code.to_string();
    if let Some(rest) = digits.strip_prefix(code_text.as_str()) {
        let potential = strip_national_prefix(rest, meta);
        let general = meta.descriptors().general();
        if (!pattern_match(general, digits) && pattern_match(general, &potential))
            || test_length(digits, meta) == Length::TooLong
        {
            return Ok((code, potential, Source::NumberWithoutPlus));
        }
    }
    Ok((code, digits.to_string(), Source::Default))
}

/// libphonenumber's `parsePrefixAsIdd`: the digits after the region's international prefix,
/// unless a 0 follows it (no country code starts with 0).
fn strip_idd<'d>(digits: &'d str, meta: &Metadata) -> Option<&'d str> {
    let idd = meta.international_prefix()?;
    let end = with_regex(addr(idd), idd.as_str(), Anchor::Start, |re| {
        re.find(digits).map(|m| m.end())
    })??;
    let rest = &digits[end..];
    (!rest.starts_with('0')).then_some(rest)
}

/// libphonenumber's `maybeStripNationalPrefixAndCarrierCode`: drops the national (trunk)
/// prefix, or applies the region's transform rule (Argentina, Mexico…), unless the number
/// only made sense with it.
fn strip_national_prefix(number: &str, meta: &Metadata) -> String {
    if number.is_empty() {
        return String::new();
    }
    let (key, source) = match (meta.national_prefix_for_parsing(), meta.national_prefix()) {
        (Some(re), _) => (addr(re), re.as_str().to_string()),
        (None, Some(prefix)) if !prefix.is_empty() => {
            (prefix.as_ptr() as usize, regex::escape(prefix))
        }
        _ => return number.to_string(),
    };
    let general = meta.descriptors().general();
    let transform = meta
        .national_prefix_transform_rule()
        .filter(|t| !t.is_empty());
    let stripped = with_regex(key, &source, Anchor::Start, |re| {
        let caps = re.captures(number)?;
        let whole = caps.get(0)?;
        let groups = caps.len() - 1;
        let last_group = (groups > 0).then(|| caps.get(groups)).flatten();
        match (transform, last_group) {
            (Some(rule), Some(_)) => {
                let mut out = String::new();
                caps.expand(&java_replacement(rule), &mut out);
                out.push_str(&number[whole.end()..]);
                Some(out)
            }
            _ => Some(number[whole.end()..].to_string()),
        }
    })
    .flatten();
    match stripped {
        // A number valid as written keeps its prefix if stripping it would make it invalid.
        Some(candidate)
            if !pattern_match(general, number) || pattern_match(general, &candidate) =>
        {
            candidate
        }
        _ => number.to_string(),
    }
}

/// Java's `$1` group references in Rust's `${1}` syntax, so `$1534` stays group 1 then text.
fn java_replacement(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len() + 4);
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('$', Some(d)) if d.is_ascii_digit() => {
                out.push_str("${");
                out.push(*d);
                out.push('}');
                chars.next();
            }
            ('$', _) => out.push_str("$$"),
            _ => out.push(c),
        }
    }
    out
}

/// libphonenumber's `ValidationResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    Possible,
    LocalOnly,
    TooShort,
    TooLong,
    Invalid,
}

/// libphonenumber's `testNumberLength` for an unknown type: against every length the
/// region's numbers have (the union libphonenumber stores in its general description).
fn test_length(number: &str, meta: &Metadata) -> Length {
    let len = u16::try_from(number.len()).unwrap_or(u16::MAX);
    // The national lengths' bounds, and whether `len` is among them or the local ones.
    let (mut min, mut max) = (u16::MAX, u16::MIN);
    let (mut national, mut local) = (false, false);
    for desc in type_descriptors(meta).into_iter().flatten() {
        for &l in desc.possible_length() {
            min = min.min(l);
            max = max.max(l);
            national |= l == len;
        }
        local |= desc.possible_local_length().contains(&len);
    }
    if min > max {
        return Length::Invalid;
    }
    if local && !national {
        Length::LocalOnly
    } else if len < min {
        Length::TooShort
    } else if len > max {
        Length::TooLong
    } else if national {
        Length::Possible
    } else {
        Length::Invalid
    }
}

/// Every number-type description of a region (what libphonenumber unions for lengths).
fn type_descriptors(meta: &Metadata) -> [Option<&Descriptor>; 10] {
    let d = meta.descriptors();
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
}

/// Validity, region and kind of a parsed number, the libphonenumber way (`isValidNumber`,
/// `getRegionCodeForNumber`, `getNumberType`).
fn validate(parsed: &Parsed) -> Result<Phone, PhoneError> {
    let db: &'static phonenumber::metadata::Database = &DATABASE;
    let Some(metas) = db.by_code(&parsed.code) else {
        return Err(PhoneError::UnknownCountryCode);
    };
    let nsn = parsed.nsn.as_str();
    let Some((meta, ty)) = region_for_number(&metas, nsn) else {
        let main = main_metadata(parsed.code);
        let digits = parsed.typed;
        return Err(match main.map(|m| test_length(nsn, m)) {
            Some(Length::TooShort) => PhoneError::TooShort { digits },
            Some(Length::TooLong) => PhoneError::TooLong { digits },
            _ => PhoneError::InvalidNumber,
        });
    };
    Ok(Phone {
        e164: format!("+{}{}", parsed.code, nsn),
        region: meta.id().to_string(),
        kind: ty.kind(),
    })
}

/// libphonenumber's `getRegionCodeForNumber` followed by its validity check: among the
/// regions sharing the calling code (main region first), the first whose leading digits match
/// or — for regions without leading digits — whose patterns recognise the number. Returns it
/// with the number's type, or `None` if the number is not valid.
fn region_for_number<'a>(metas: &[&'a Metadata], nsn: &str) -> Option<(&'a Metadata, NumberType)> {
    let chosen = if let [only] = metas {
        Some(*only)
    } else {
        metas
            .iter()
            .copied()
            .find(|meta| match meta.leading_digits() {
                Some(leading) => with_regex(addr(leading), leading.as_str(), Anchor::Start, |re| {
                    re.is_match(nsn)
                })
                .unwrap_or(false),
                None => number_type(meta, nsn) != NumberType::Unknown,
            })
    }?;
    let ty = number_type(chosen, nsn);
    (ty != NumberType::Unknown).then_some((chosen, ty))
}

/// The number types that matter here (libphonenumber's `PhoneNumberType`, folded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberType {
    FixedLine,
    Mobile,
    /// Fixed-line and mobile ranges overlap (North America): counted as mobile, because the
    /// plan's mobile ranges include the number — refusing these would refuse every US or
    /// Canadian mobile — and a landline that cannot take SMS is reported by the provider.
    FixedLineOrMobile,
    /// VoIP, toll-free, premium, shared cost, personal, pager, UAN, voicemail.
    Special,
    Unknown,
}

impl NumberType {
    fn kind(self) -> LineKind {
        match self {
            NumberType::Mobile | NumberType::FixedLineOrMobile => LineKind::Mobile,
            NumberType::FixedLine => LineKind::Landline,
            NumberType::Special | NumberType::Unknown => LineKind::Other,
        }
    }
}

/// libphonenumber's `getNumberTypeHelper`: whole-number matches, special services first.
fn number_type(meta: &Metadata, nsn: &str) -> NumberType {
    number_type_among(meta, nsn, true)
}

/// [`number_type`], the special-rate and fixed-line descriptions tried only when `others`:
/// false when they are known not to match (see [`french_type`]).
fn number_type_among(meta: &Metadata, nsn: &str, others: bool) -> NumberType {
    let d = meta.descriptors();
    // The general description admits every length of every type and its own pattern.
    let len = u16::try_from(nsn.len()).unwrap_or(u16::MAX);
    let mut listed = type_descriptors(meta)
        .into_iter()
        .flatten()
        .map(Descriptor::possible_length)
        .filter(|l| !l.is_empty())
        .peekable();
    let length_ok = listed.peek().is_none() || listed.any(|l| l.contains(&len));
    if !length_ok || !pattern_match(d.general(), nsn) {
        return NumberType::Unknown;
    }
    let special = [
        d.premium_rate(),
        d.toll_free(),
        d.shared_cost(),
        d.voip(),
        d.personal_number(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ];
    if others
        && special
            .into_iter()
            .flatten()
            .any(|desc| desc_match(desc, nsn))
    {
        return NumberType::Special;
    }
    let same_pattern = match (d.fixed_line(), d.mobile()) {
        (Some(f), Some(m)) => f.national_number().as_str() == m.national_number().as_str(),
        _ => false,
    };
    if others && d.fixed_line().is_some_and(|f| desc_match(f, nsn)) {
        // Fixed line or mobile only when the mobile description admits the number too, its
        // pattern and its lengths (libphonenumber skips the lengths when both patterns are
        // the same; here a number the mobile lengths exclude stays a landline).
        return if d.mobile().is_some_and(|m| desc_match(m, nsn)) {
            NumberType::FixedLineOrMobile
        } else {
            NumberType::FixedLine
        };
    }
    if !same_pattern && d.mobile().is_some_and(|m| desc_match(m, nsn)) {
        return NumberType::Mobile;
    }
    NumberType::Unknown
}

// ---------------------------------------------------------------------------------------------
// Formatting: libphonenumber's `format` in NATIONAL and INTERNATIONAL modes.

/// Formats a national significant number with the first of the main region's formats whose
/// leading digits and pattern fit; unformatted if none does.
fn format_nsn(code: u16, nsn: &str, national: bool) -> String {
    let formatted = main_metadata(code).and_then(|meta| {
        let formats = if national || meta.international_formats().is_empty() {
            meta.formats()
        } else {
            meta.international_formats()
        };
        let format = formats.iter().find(|f| {
            let leading_ok = f.leading_digits().last().is_none_or(|leading| {
                with_regex(addr(leading), leading.as_str(), Anchor::Start, |re| {
                    re.is_match(nsn)
                })
                .unwrap_or(false)
            });
            leading_ok
                && with_regex(
                    addr(f.pattern()),
                    f.pattern().as_str(),
                    Anchor::Both,
                    |re| re.is_match(nsn),
                )
                .unwrap_or(false)
        })?;
        let mut rule = format.format().to_string();
        if national
            && let Some(np_rule) = format.national_prefix().filter(|r| !r.is_empty())
            && let Some(at) = rule
                .find('$')
                .filter(|&at| rule[at + 1..].starts_with(|c: char| c.is_ascii_digit()))
        {
            // `$NP$FG` → national prefix then the format's first group, whatever its number
            // (Argentina's mobiles start with `$2`), as libphonenumber does.
            let first_group = rule[at..at + 2].to_string();
            let with_prefix = np_rule
                .replacen("$NP", meta.national_prefix().unwrap_or(""), 1)
                .replacen("$FG", &first_group, 1);
            rule.replace_range(at..at + 2, &with_prefix);
        }
        let rule = java_replacement(&rule);
        with_regex(
            addr(format.pattern()),
            format.pattern().as_str(),
            Anchor::Both,
            |re| re.replace(nsn, rule.as_str()).into_owned(),
        )
    });
    let body = formatted.unwrap_or_else(|| nsn.to_string());
    if national {
        body
    } else {
        format!("+{code} {body}")
    }
}

// ---------------------------------------------------------------------------------------------
// Anchored pattern matching

/// How a metadata pattern is anchored: `Start` is Java's `lookingAt`, `Both` its `matches`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Anchor {
    Start,
    Both,
}

thread_local! {
    /// Anchored versions of the metadata patterns, compiled on first use. Keyed by the
    /// address of the pattern inside the crate's static database, which never moves.
    /// Thread-local: no lock on the hot path, and nothing shared to get wrong.
    static ANCHORED: RefCell<HashMap<(usize, Anchor), Option<Regex>, AddressHash>> =
        RefCell::new(HashMap::default());
}

/// Hashes the cache's keys (addresses, trusted: no attacker chooses them) with a multiply
/// rather than SipHash: the cache is asked several times for every number checked.
#[derive(Clone, Copy, Default)]
struct AddressHash;

impl std::hash::BuildHasher for AddressHash {
    type Hasher = AddressHasher;
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

#[derive(Clone, Copy, Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// The address identifying a pattern of the static database.
fn addr<T>(pattern: &T) -> usize {
    std::ptr::from_ref(pattern) as usize
}

/// Runs `f` with the anchored regex for `source` (identified by `key`); `None` if the
/// metadata pattern does not compile, which the caller treats as no match.
fn with_regex<R>(
    key: usize,
    source: &str,
    anchor: Anchor,
    f: impl FnOnce(&Regex) -> R,
) -> Option<R> {
    ANCHORED.with(|cache| {
        let mut cache = cache.borrow_mut();
        let regex = cache.entry((key, anchor)).or_insert_with(|| {
            let anchored = match anchor {
                Anchor::Start => format!("^(?:{source})"),
                Anchor::Both => format!("^(?:{source})$"),
            };
            RegexBuilder::new(&anchored)
                .ignore_whitespace(true)
                .build()
                .ok()
        });
        regex.as_ref().map(f)
    })
}

/// The whole of `nsn` matches the description's pattern.
fn pattern_match(desc: &Descriptor, nsn: &str) -> bool {
    let pattern = desc.national_number();
    with_regex(addr(pattern), pattern.as_str(), Anchor::Both, |re| {
        re.is_match(nsn)
    })
    .unwrap_or(false)
}

/// `nsn` has one of the description's lengths (any length if it lists none).
fn length_match(desc: &Descriptor, nsn: &str) -> bool {
    let lengths = desc.possible_length();
    lengths.is_empty() || u16::try_from(nsn.len()).is_ok_and(|len| lengths.contains(&len))
}

/// libphonenumber's `isNumberMatchingDesc`: lengths, then the whole pattern.
fn desc_match(desc: &Descriptor, nsn: &str) -> bool {
    length_match(desc, nsn) && pattern_match(desc, nsn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of overseas prefixes is a shortcut, never a rule of its own: a number any
    /// department recognises as one of its landlines or mobiles is always tried there.
    #[test]
    fn the_overseas_table_never_rules_out_a_number_a_department_recognises() {
        let mut ruled_out = 0;
        for id in FRENCH_PLAN_RETRY.iter().filter(|id| **id != "FR") {
            let meta = DATABASE.by_id(*id).unwrap();
            for head in 0..10_000 {
                for digits in [
                    format!("0{head:04}12345"),
                    format!("0{head:04}90817"),
                    format!("0{head:04}00000"),
                    format!("{head:04}12345"),
                ] {
                    let geographic = parse_digits(&digits, false, Some(meta))
                        .and_then(|p| validate(&p))
                        .is_ok_and(|p| p.kind != LineKind::Other);
                    let tried = may_be_geographic(id, &digits);
                    assert!(tried || !geographic, "{id}: {digits} ruled out");
                    ruled_out += usize::from(!tried);
                }
            }
        }
        // And it does rule out: metropolitan mobiles are tried against no department.
        assert!(ruled_out > 150_000, "{ruled_out}");
        for id in ["GP", "MQ", "GF", "RE", "YT"] {
            assert!(!may_be_geographic(id, "0612345678"), "{id}");
            assert!(!may_be_geographic(id, "0745454545"), "{id}");
        }
        assert!(may_be_geographic("GP", "0690123456"));
        assert!(may_be_geographic("RE", "0262123456"));
        assert!(may_be_geographic("YT", "0639123456"));
    }

    /// The ways a file writes one French number of ten digits (`0` + 9).
    fn written_forms(ten: &str) -> Vec<String> {
        let nine = &ten[1..];
        let pairs = |s: &str, sep: &str| {
            s.as_bytes()
                .chunks(2)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(sep)
        };
        vec![
            ten.to_string(),
            pairs(ten, " "),
            pairs(ten, "."),
            pairs(ten, "-"),
            format!("+33{nine}"),
            format!("+33 {} {}", &nine[..1], pairs(&nine[1..], " ")),
            format!("+33 (0){nine}"),
            format!("+33 0{nine}"),
            format!("0033{nine}"),
            format!("33{nine}"),
            nine.to_string(),
            format!("{nine}.0"),
            format!("{}.{}E8", &nine[..1], &nine[1..]),
            format!(" \u{a0}{ten}\u{200b}"),
            format!("tel:+33{nine}"),
        ]
    }

    fn same_answer(input: &str, region: &str) -> Result<(), String> {
        let fast = parse_phone(input, region);
        let full = parse_phone_taking(input, region, false);
        if fast == full {
            Ok(())
        } else {
            Err(format!("{input:?} in {region}: {fast:?} ≠ {full:?}"))
        }
    }

    /// The shortcut for French numbers gives the whole parse's answer on every prefix of the
    /// plan (mobiles, landlines, Mayotte's 0639, the overseas 0590/069x, unassigned ranges…),
    /// written every way, from France and from elsewhere.
    #[test]
    fn the_french_shortcut_answers_as_the_whole_parse_on_every_prefix() {
        let fr = resolve_region("FR").ok();
        let mut taken = 0;
        for head in 100..1000 {
            for tail in [
                "000000", "123456", "999999", "505050", "080808", "390000", "012345",
            ] {
                let ten = format!("0{head}{tail}");
                for form in written_forms(&ten) {
                    // Every prefix from France; the mobiles' and overseas' from elsewhere too.
                    let regions: &[&str] = if (600..800).contains(&head) || tail == "123456" {
                        &["FR", "fr", " FR ", "GP", "RE", "YT", "BE", "GB", "US"]
                    } else {
                        &["FR"]
                    };
                    for region in regions {
                        if let Err(e) = same_answer(&form, region) {
                            panic!("{e}");
                        }
                    }
                    if let (Ok(c), Some(fr)) = (clean(&form), fr)
                        && french_shortcut(&c.digits, c.plus, fr).is_some()
                    {
                        taken += 1;
                    }
                }
            }
        }
        // The shortcut is really taken.
        assert!(taken > 40_000, "{taken}");
        for (digits, plus) in [
            ("0612345678", false),
            ("33745454545", true),
            ("0690123456", false),
            ("0262123456", false),
            ("0298765432", false),
        ] {
            assert!(
                fr.and_then(|fr| french_shortcut(digits, plus, fr))
                    .is_some(),
                "{digits}"
            );
        }
        for (digits, plus) in [("0700123456", false), ("0033612345678", false)] {
            assert!(
                fr.and_then(|fr| french_shortcut(digits, plus, fr))
                    .is_none(),
                "{digits}"
            );
        }
    }

    /// France's number types, the descriptions that cannot match left untried, are those of
    /// the whole test on every start of a national number (and the table does leave some out).
    #[test]
    fn french_types_by_the_table_are_the_whole_tests() {
        let shortcut = SHORTCUT.as_ref().expect("the shortcut holds for France");
        let mut skipped = 0;
        for head in 0..1000 {
            for tail in ["000000", "123456", "999999", "505050", "380000", "912345"] {
                let nsn = format!("{head:03}{tail}");
                assert_eq!(
                    french_type(shortcut, &nsn),
                    number_type(shortcut.france, &nsn),
                    "{nsn}"
                );
            }
            skipped += usize::from(!shortcut.not_mobile[head]);
        }
        assert!(skipped >= 100, "{skipped}");
        assert!(!shortcut.not_mobile[612] && shortcut.not_mobile[145]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]

        /// Numbers of every kind, written every way: the shortcut never changes the answer.
        #[test]
        fn the_french_shortcut_never_changes_an_answer(
            kind in 0usize..8,
            digits in "[0-9]{12}",
            prefix in proptest::sample::select(vec![
                "06", "07", "01", "02", "03", "04", "05", "08", "09", "0590", "0690", "0691",
                "0594", "0694", "0596", "0696", "0697", "0262", "0263", "0692", "0693",
                "0269", "0639", "070", "071", "072", "073", "079",
            ]),
            form in 0usize..15,
            junk in proptest::sample::select(vec!["", "a", ";", "+", "x12", " 0", "00", ","]),
            region in proptest::sample::select(vec!["FR", "GP", "RE", "MQ", "BE", "CH", "XX"]),
        ) {
            let input = match kind {
                // French numbers of ten digits, every prefix of the plan.
                0..=3 => {
                    let ten = format!("{prefix}{}", &digits[..10 - prefix.len()]);
                    written_forms(&ten)[form].clone()
                }
                // Foreign numbers.
                4 => format!("+{}", &digits[..2 + form % 10]),
                // Digits of any length, with or without a trunk zero.
                5 => digits[..1 + form % 12].to_string(),
                // Junk around or inside a mobile.
                6 => {
                    let ten = format!("06{}", &digits[..8]);
                    let w = written_forms(&ten)[form].clone();
                    let half = w.chars().count() / 2;
                    let at = w.char_indices().nth(half).map_or(w.len(), |(i, _)| i);
                    format!("{}{junk}{}", &w[..at], &w[at..])
                }
                _ => format!("{junk}+33{}{junk}", &digits[..form % 12]),
            };
            if let Err(e) = same_answer(&input, region) {
                proptest::prop_assert!(false, "{}", e);
            }
        }
    }

    #[test]
    fn java_group_references_become_rust_ones() {
        assert_eq!(java_replacement("1534$1"), "1534${1}");
        assert_eq!(java_replacement("$1 $2-$3"), "${1} ${2}-${3}");
        assert_eq!(java_replacement("9$1"), "9${1}");
    }

    #[test]
    fn spreadsheet_floats() {
        assert_eq!(
            spreadsheet_float("612345678.0"),
            Ok(Some("612345678".into()))
        );
        assert_eq!(
            spreadsheet_float("6.1234567E8"),
            Ok(Some("612345670".into()))
        );
        assert_eq!(spreadsheet_float("06.12.34.56.78"), Ok(None));
        assert_eq!(spreadsheet_float("0612345678"), Ok(None));
        assert_eq!(spreadsheet_float("6.5E0"), Err(PhoneError::NotInteger));
        assert_eq!(spreadsheet_float("6.12E8"), Err(PhoneError::RoundedNumber));
    }

    #[test]
    fn national_prefix_rules_follow_libphonenumber() {
        let fr = resolve_region("FR").ok();
        let ar = resolve_region("AR").ok();
        let by = resolve_region("BY").ok();
        // France: a plain trunk 0.
        assert_eq!(
            fr.map(|m| strip_national_prefix("0612345678", m)),
            Some("612345678".into())
        );
        // Argentina: 0 11 15 xxxx xxxx becomes the international mobile form 9 11 xxxx xxxx.
        assert_eq!(
            ar.map(|m| strip_national_prefix("01115 2345 6789".replace(' ', "").as_str(), m)),
            Some("91123456789".into())
        );
        // Belarus: 8 is the trunk prefix, but 801… is a valid number as written.
        assert_eq!(
            by.map(|m| strip_national_prefix("8011234567", m)),
            Some("8011234567".into())
        );
    }
}
