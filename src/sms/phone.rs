//! Phone numbers: from what people type (or what a spreadsheet left) to E.164.
//!
//! Parsing is delegated to the `phonenumber` crate (Google's libphonenumber metadata), with a
//! cleaning pass in front for what back-office staff actually paste — dotted and dashed French
//! forms, `+33 (0)6…`, spreadsheet floats such as `6.12345678E8` — and a retry for French
//! overseas numbers typed in national form, which the French plan shares with metropolitan
//! France (`0690…` is dialled as is from Paris, but libphonenumber files it under +590).
//!
//! Validity, region and line type are decided here from the crate's metadata with the exact
//! rules of libphonenumber (whole-number pattern matches, region chosen among those sharing a
//! calling code), because the crate's own helpers match pattern prefixes only and drop the
//! leading zeros of Italian-style national numbers.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
use phonenumber::{Mode, PhoneNumber, country};
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

impl fmt::Display for LineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineKind::Mobile => "mobile",
            LineKind::Landline => "landline",
            LineKind::Other => "special (VoIP, toll-free, premium or shared-cost) number",
        })
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

/// Why a number was refused. Messages are meant for the operator, who sees them next to the
/// row or field they came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but spaces.
    #[error("no phone number given")]
    Empty,
    /// The default country setting is not an ISO region libphonenumber knows.
    #[error("unknown default country {region:?} (expected a two-letter code such as FR)")]
    UnknownRegion {
        /// The region as given.
        region: String,
    },
    /// A letter where a digit was expected (e.g. `06 12 AB 56 78`).
    #[error(
        "contains a letter ({letter:?}): a phone number has only digits, spaces, dots, dashes and a leading +"
    )]
    Letters {
        /// The first letter found.
        letter: char,
    },
    /// Punctuation that is not part of a phone number (`,`, `;`, `*`, `#`, a `+` in the
    /// middle…), often two numbers glued in one cell.
    #[error("unexpected character {character:?} in a phone number (one number per line or cell)")]
    InvalidCharacter {
        /// The offending character.
        character: char,
    },
    /// Punctuation but no digit at all (`+`, `--`).
    #[error("no digits in the phone number")]
    NoDigits,
    /// Fewer digits than any number of that country.
    #[error("too short to be a phone number ({digits} digits)")]
    TooShort {
        /// Digits typed.
        digits: usize,
    },
    /// More digits than any number of that country.
    #[error("too long to be a phone number ({digits} digits)")]
    TooLong {
        /// Digits typed.
        digits: usize,
    },
    /// `+` or `00` followed by a code no country uses.
    #[error("unknown country calling code")]
    UnknownCountryCode,
    /// A spreadsheet number with decimals (`6.1234E3`), which no phone number is.
    #[error("a decimal number, not a phone number")]
    NotInteger,
    /// Right length, but a prefix no operator was assigned.
    #[error("not a valid phone number (unknown prefix or wrong length for that country)")]
    InvalidNumber,
    /// Valid, but SMS cannot reach it.
    #[error("not a mobile number: {e164} is a {kind}")]
    NotMobile {
        /// The number, normalised.
        e164: String,
        /// What it is instead.
        kind: LineKind,
    },
}

/// Normalises `input` to E.164, taking national forms as dialled in `default_region` (an ISO
/// region such as `FR`; any case).
pub fn parse_phone(input: &str, default_region: &str) -> Result<Phone, PhoneError> {
    let region = resolve_region(default_region)?;
    let cleaned = clean(input)?;
    let region_meta = DATABASE.by_id(region.as_ref());

    // International form: `+`, or the default region's international prefix (`00` in France).
    if let Some(rest) = international_digits(&cleaned, region_meta) {
        let attempt = parse_international(&rest);
        if attempt.is_err() && cleaned.trunk_zero {
            // `+39 (0)2…`: in Italy that zero is part of the number, not a trunk prefix.
            let kept = with_trunk_zero(&cleaned);
            if let Some(kept_rest) = international_digits(&kept, region_meta)
                && let Ok(phone) = parse_international(&kept_rest)
            {
                return Ok(phone);
            }
        }
        return attempt;
    }

    let french = FRENCH_PLAN_REGIONS.contains(&region.as_ref());
    let digits = if french && cleaned.digits.len() == 9 && !cleaned.digits.starts_with('0') {
        // A spreadsheet stored 0612345678 as the number 612345678.
        format!("0{}", cleaned.digits)
    } else {
        cleaned.digits.clone()
    };

    let first = parse_national(&digits, region);
    if first.is_ok() || !french {
        return first;
    }
    // 0690… typed in Paris is a Guadeloupe mobile; 06… typed in Réunion a metropolitan one.
    FRENCH_PLAN_RETRY
        .iter()
        .filter(|other| **other != region.as_ref())
        .filter_map(|other| resolve_region(other).ok())
        .find_map(|other| parse_national(&digits, other).ok())
        .ok_or_else(|| first.err().unwrap_or(PhoneError::InvalidNumber))
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
/// number libphonenumber can read.
pub fn format_national(e164: &str) -> String {
    let Ok(number) = phonenumber::parse(None, e164) else {
        return e164.to_string();
    };
    let mode = if FRENCH_PLAN_CODES.contains(&number.code().value()) {
        Mode::National
    } else {
        Mode::International
    };
    format_number(&number, mode).unwrap_or_else(|| e164.to_string())
}

/// Display form relative to the organisation's region: national form when the number is
/// dialled that way from `home_region` (same calling code, or both in the French plan),
/// international form otherwise.
pub fn format_for_region(e164: &str, home_region: &str) -> String {
    let Ok(number) = phonenumber::parse(None, e164) else {
        return e164.to_string();
    };
    let code = number.code().value();
    let home_code = resolve_region(home_region)
        .ok()
        .and_then(|r| DATABASE.by_id(r.as_ref()))
        .map(Metadata::country_code);
    let national = home_code == Some(code)
        || (FRENCH_PLAN_REGIONS.contains(&home_region.trim().to_ascii_uppercase().as_str())
            && FRENCH_PLAN_CODES.contains(&code));
    let mode = if national {
        Mode::National
    } else {
        Mode::International
    };
    format_number(&number, mode).unwrap_or_else(|| e164.to_string())
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
    /// A `(0)` trunk prefix was dropped, at this position in `digits`.
    trunk_zero: bool,
    trunk_zero_at: usize,
}

fn resolve_region(region: &str) -> Result<country::Id, PhoneError> {
    let upper = region.trim().to_ascii_uppercase();
    country::Id::from_str(&upper)
        .ok()
        .filter(|id| DATABASE.by_id(id.as_ref()).is_some())
        .ok_or_else(|| PhoneError::UnknownRegion {
            region: region.to_string(),
        })
}

/// Characters that separate digit groups in what people type.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '.' | '-' | '/' | '(' | ')' | '[' | ']' | '\u{2010}'
                ..='\u{2015}' | '\u{2212}' | '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}'
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
    let mut digits = String::with_capacity(int.len() + exponent);
    digits.push_str(int);
    digits.push_str(frac);
    digits.extend(std::iter::repeat_n('0', exponent - frac.len()));
    Ok(Some(digits))
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// The digits after `+` or after the region's international prefix, if the number is written
/// in international form.
fn international_digits(cleaned: &Cleaned, region_meta: Option<&Metadata>) -> Option<String> {
    if cleaned.plus {
        return Some(cleaned.digits.clone());
    }
    let idd = region_meta?.international_prefix()?;
    let found = idd.find(&cleaned.digits)?;
    let rest = &cleaned.digits[found.end()..];
    // libphonenumber: no country code starts with 0, so `000…` is not an IDD.
    (found.start() == 0 && !rest.is_empty() && !rest.starts_with('0')).then(|| rest.to_string())
}

fn parse_international(digits: &str) -> Result<Phone, PhoneError> {
    let number =
        phonenumber::parse(None, format!("+{digits}")).map_err(|e| parse_error(e, digits))?;
    classify(&number, digits)
}

fn parse_national(digits: &str, region: country::Id) -> Result<Phone, PhoneError> {
    let number = phonenumber::parse(Some(region), digits).map_err(|e| parse_error(e, digits))?;
    classify(&number, digits)
}

fn parse_error(err: phonenumber::ParseError, digits: &str) -> PhoneError {
    use phonenumber::ParseError as P;
    match err {
        P::InvalidCountryCode => PhoneError::UnknownCountryCode,
        P::TooLong => PhoneError::TooLong {
            digits: digits.len(),
        },
        P::NoNumber | P::TooShortNsn | P::TooShortAfterIdd => PhoneError::TooShort {
            digits: digits.len(),
        },
        P::MalformedInteger(_) => PhoneError::InvalidNumber,
    }
}

/// Validity, region and kind of a parsed number, the libphonenumber way.
fn classify(number: &PhoneNumber, digits: &str) -> Result<Phone, PhoneError> {
    let code = number.code().value();
    let nsn = number.national().to_string();
    let Some(metas) = DATABASE.by_code(&code) else {
        return Err(PhoneError::UnknownCountryCode);
    };
    let Some((meta, ty)) = region_for_number(&metas, &nsn) else {
        return Err(length_error(&metas, &nsn, digits));
    };
    Ok(Phone {
        e164: format!("+{code}{nsn}"),
        region: meta.id().to_string(),
        kind: ty.kind(),
    })
}

/// libphonenumber's `getRegionCodeForNumber`: among the regions sharing the calling code
/// (main region first), the first whose leading digits match, or — for regions without
/// leading digits — whose patterns recognise the number. Returns it with the number's type.
fn region_for_number<'a>(metas: &[&'a Metadata], nsn: &str) -> Option<(&'a Metadata, NumberType)> {
    if let [only] = metas {
        let ty = number_type(only, nsn);
        return (ty != NumberType::Unknown).then_some((*only, ty));
    }
    for meta in metas {
        match leading_digits_match(meta, nsn) {
            Some(true) => {
                let ty = number_type(meta, nsn);
                return (ty != NumberType::Unknown).then_some((*meta, ty));
            }
            Some(false) => {}
            None => {
                let ty = number_type(meta, nsn);
                if ty != NumberType::Unknown {
                    return Some((*meta, ty));
                }
            }
        }
    }
    None
}

/// The number types that matter here (libphonenumber's `PhoneNumberType`, folded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberType {
    FixedLine,
    Mobile,
    /// Fixed-line and mobile ranges overlap (North America): SMS-capable, since the mobile
    /// ranges of the plan include it — refusing them would refuse every US/Canadian mobile.
    FixedLineOrMobile,
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

/// libphonenumber's `getNumberTypeHelper`, with whole-number matches.
fn number_type(meta: &Metadata, nsn: &str) -> NumberType {
    let d = meta.descriptors();
    if !full_match(Some(d.general()), nsn, true) {
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
    if special.into_iter().any(|desc| full_match(desc, nsn, false)) {
        return NumberType::Special;
    }
    let same_pattern = match (d.fixed_line(), d.mobile()) {
        (Some(f), Some(m)) => f.national_number().as_str() == m.national_number().as_str(),
        _ => false,
    };
    if full_match(d.fixed_line(), nsn, false) {
        // FixedLineOrMobile only when the mobile description also admits the number (its
        // pattern and its possible lengths): then an SMS can reach it.
        return if same_pattern || full_match(d.mobile(), nsn, false) {
            NumberType::FixedLineOrMobile
        } else {
            NumberType::FixedLine
        };
    }
    if !same_pattern && full_match(d.mobile(), nsn, false) {
        return NumberType::Mobile;
    }
    NumberType::Unknown
}

/// Why an unrecognised number is refused: its length against every length the country uses.
fn length_error(metas: &[&Metadata], nsn: &str, digits: &str) -> PhoneError {
    let lengths = metas.iter().flat_map(|m| {
        let d = m.descriptors();
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
        .into_iter()
        .flatten()
        .filter(|desc| is_assigned(desc))
        .flat_map(|desc| desc.possible_length().iter().copied())
        .collect::<Vec<_>>()
    });
    let (min, max) = lengths.fold((u16::MAX, 0), |(lo, hi), l| (lo.min(l), hi.max(l)));
    let len = u16::try_from(nsn.len()).unwrap_or(u16::MAX);
    let digits = digits.len();
    if min != u16::MAX && len < min {
        PhoneError::TooShort { digits }
    } else if len > max && max != 0 {
        PhoneError::TooLong { digits }
    } else {
        PhoneError::InvalidNumber
    }
}

/// A descriptor of a type the region does not use has the pattern `NA` (or nothing).
fn is_assigned(desc: &Descriptor) -> bool {
    let pattern = desc.national_number().as_str().trim();
    !pattern.is_empty() && pattern != "NA"
}

// ---------------------------------------------------------------------------------------------
// Whole-number pattern matching

thread_local! {
    /// Anchored versions of the metadata patterns, compiled on first use. Keyed by the
    /// address of the pattern inside the crate's static database, which never moves.
    /// Thread-local: no lock on the hot path, and nothing shared to get wrong.
    static ANCHORED: RefCell<HashMap<(usize, bool), Option<Regex>>> = RefCell::new(HashMap::new());
}

/// Whether the whole of `nsn` matches the descriptor (lengths, then pattern), as
/// libphonenumber's `isNumberMatchingDesc`. The general description carries no lengths in
/// this crate, so only its pattern is checked.
fn full_match(desc: Option<&Descriptor>, nsn: &str, general: bool) -> bool {
    let Some(desc) = desc else {
        return false;
    };
    let lengths = desc.possible_length();
    if !general && !lengths.is_empty() {
        let len = u16::try_from(nsn.len()).unwrap_or(u16::MAX);
        if !lengths.contains(&len) {
            return false;
        }
    }
    let pattern = desc.national_number();
    anchored_match(
        std::ptr::from_ref(pattern) as usize,
        pattern.as_str(),
        nsn,
        true,
    )
}

/// Whether `nsn` starts with a match of the region's leading digits (libphonenumber's
/// `lookingAt`).
fn leading_digits_match(meta: &Metadata, nsn: &str) -> Option<bool> {
    let pattern = meta.leading_digits()?;
    Some(anchored_match(
        std::ptr::from_ref(pattern) as usize,
        pattern.as_str(),
        nsn,
        false,
    ))
}

/// Matches `text` against the metadata pattern `source` (found at address `key`), anchored at
/// both ends (`whole`) or at the start only.
fn anchored_match(key: usize, source: &str, text: &str, whole: bool) -> bool {
    ANCHORED.with(|cache| {
        let mut cache = cache.borrow_mut();
        let regex = cache.entry((key, whole)).or_insert_with(|| {
            let anchored = if whole {
                format!("^(?:{source})$")
            } else {
                format!("^(?:{source})")
            };
            RegexBuilder::new(&anchored)
                .ignore_whitespace(true)
                .build()
                .ok()
        });
        regex.as_ref().is_some_and(|re| re.is_match(text))
    })
}

fn format_number(number: &PhoneNumber, mode: Mode) -> Option<String> {
    use fmt::Write;
    let mut out = String::new();
    write!(out, "{}", number.format().mode(mode)).ok()?;
    Some(out)
}
