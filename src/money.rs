//! Money for credit: prices of SMS units and what a balance or a send is worth. Pure (no I/O).
//!
//! Amounts are whole millionths of the currency unit ("micros": 0,07 € = 70 000), never floats;
//! they are rounded to the currency's smallest coin (cents for the euro) only when shown.
//!
//! Valuation is first in, first out: credit is spent in the order the packs were bought (the
//! oldest pack with units left first), so a unit is worth the price of the pack it comes from.
//! Units beyond every pack (a send the balance does not cover) are valued at the price of the
//! newest pack, what the next one will likely cost. A range with a unit of unknown price, or
//! spanning two currencies, has no money value: screens then show units only.

use crate::i18n::Lang;
use serde::Serialize;

/// Millionths of a currency unit in one unit.
pub const MICROS: i64 = 1_000_000;

/// The currency when none is set.
pub const DEFAULT_CURRENCY: &str = "EUR";

/// An amount of money in one currency. In JSON: `{"amount": 576.31, "currency": "EUR",
/// "micros": 576310000}` (the amount rounded to the cent, the millionths exact).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    /// Millionths of the currency unit.
    pub micros: i64,
    /// ISO 4217 code (`EUR`).
    pub currency: String,
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Money", 3)?;
        m.serialize_field("amount", &self.rounded())?;
        m.serialize_field("currency", &self.currency)?;
        m.serialize_field("micros", &self.micros)?;
        m.end()
    }
}

impl Money {
    pub fn new(micros: i64, currency: &str) -> Money {
        Money {
            micros,
            currency: currency.to_string(),
        }
    }

    /// `self − other`, when both are in the same currency.
    pub fn minus(&self, other: &Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| Money::new(self.micros - other.micros, &self.currency))
    }

    /// The amount rounded to the currency's smallest coin, as a decimal number (`576.31`),
    /// for JSON and spreadsheets.
    pub fn rounded(&self) -> f64 {
        let digits = minor_digits(&self.currency);
        let coins = round_div(self.micros, MICROS / 10i64.pow(digits));
        coins as f64 / 10f64.powi(digits as i32)
    }

    /// The amount alone, to the cent, as a spreadsheet reads it in `lang` (`576,31` in
    /// French, `576.31` in English: no grouping, no sign of the currency).
    pub fn plain(&self, lang: Lang) -> String {
        let digits = minor_digits(&self.currency);
        let coins = round_div(self.micros, MICROS / 10i64.pow(digits));
        let sign = if coins < 0 { "-" } else { "" };
        let coins = coins.unsigned_abs();
        let unit = 10u64.pow(digits);
        if digits == 0 {
            return format!("{sign}{coins}");
        }
        let decimal = if lang == Lang::Fr { ',' } else { '.' };
        format!(
            "{sign}{}{decimal}{:0width$}",
            coins / unit,
            coins % unit,
            width = digits as usize
        )
    }

    /// As people read it: `576,31 €` in French, `€576.31` in English (thousands grouped as
    /// the SMS counts are); a currency without a sign by its code (`12,00 CHF`, `CHF 12.00`).
    pub fn show(&self, lang: Lang) -> String {
        let digits = minor_digits(&self.currency);
        let coins = round_div(self.micros, MICROS / 10i64.pow(digits));
        let negative = coins < 0;
        self.lay_out(lang, negative, coins.unsigned_abs(), digits)
    }

    /// `magnitude` read with `digits` decimals, grouped, signed and marked with the
    /// currency as people read it in `lang` (shared by [`Money::show`] and
    /// [`Money::show_unit`]).
    fn lay_out(&self, lang: Lang, negative: bool, magnitude: u64, digits: u32) -> String {
        let unit = 10u64.pow(digits);
        let whole = group(magnitude / unit);
        let decimal = if lang == Lang::Fr { ',' } else { '.' };
        let number = if digits == 0 {
            whole
        } else {
            format!(
                "{whole}{decimal}{:0width$}",
                magnitude % unit,
                width = digits as usize
            )
        };
        let sign = if negative { "-" } else { "" };
        let code = self.currency.as_str();
        match (lang, symbol(code)) {
            (Lang::Fr, Some(s)) => format!("{sign}{number} {s}"),
            (Lang::Fr, None) => format!("{sign}{number} {code}"),
            (Lang::En, Some(s)) => format!("{sign}{s}{number}"),
            (Lang::En, None) => format!("{sign}{code} {number}"),
        }
    }
}

impl Money {
    /// A unit price: to the cent, or finer when the price has more decimals (`0,0725 €`),
    /// at most six.
    pub fn show_unit(&self, lang: Lang) -> String {
        let coins = minor_digits(&self.currency);
        let mut digits = 6u32;
        while digits > coins && self.micros % 10i64.pow(6 - digits + 1) == 0 {
            digits -= 1;
        }
        if digits <= coins {
            return self.show(lang);
        }
        let scaled = self.micros / 10i64.pow(6 - digits);
        self.lay_out(lang, scaled < 0, scaled.unsigned_abs(), digits)
    }
}

/// Thousands grouped by a space, as the SMS counts are shown.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The sign written for a currency, when it has a common one.
fn symbol(code: &str) -> Option<&'static str> {
    match code {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    }
}

/// Digits after the decimal point of the currency's smallest coin (0 for the CFP franc of
/// New Caledonia, French Polynesia, Wallis and Futuna).
pub fn minor_digits(code: &str) -> u32 {
    match code {
        "XPF" | "XOF" | "XAF" | "JPY" | "KRW" => 0,
        _ => 2,
    }
}

/// `n / d` rounded to the nearest, halves away from zero (`d` > 0).
pub fn round_div(n: i64, d: i64) -> i64 {
    let q = n / d;
    let r = n % d;
    if r.abs() * 2 >= d { q + n.signum() } else { q }
}

/// A currency code as typed (`eur` → `EUR`): three ASCII letters.
pub fn parse_currency(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic())).then(|| s.to_ascii_uppercase())
}

/// A price as people type it, in millionths: `0,07`, `0.07`, `1 250,50`, `12`, a currency
/// sign or code around it ignored (`0,07 €`, `€0.07`, `0.07 EUR`). At most six decimals; no
/// sign; one decimal separator, a comma or a point.
pub fn parse_amount(s: &str) -> Option<i64> {
    let t = s.trim();
    let t = t.trim_start_matches(['€', '$', '£']);
    let t = t.trim_end_matches(['€', '$', '£']);
    let t = t.trim();
    // A trailing or leading currency code.
    let t = match t.rsplit_once(|c: char| c.is_whitespace()) {
        Some((number, code)) if parse_currency(code).is_some() => number,
        _ => t,
    };
    let t = match t.split_once(|c: char| c.is_whitespace()) {
        Some((code, number)) if parse_currency(code).is_some() => number,
        _ => t,
    };
    let t: String = t
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    let (whole, fraction) = match t.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (t.as_str(), ""),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 6
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let padded = format!("{fraction:0<6}");
    let fraction: i64 = padded.parse().ok()?;
    whole.checked_mul(MICROS)?.checked_add(fraction)
}

/// The price of one unit of a pack of `units` bought for `total` (millionths), rounded to the
/// millionth.
pub fn unit_price_of_total(total: i64, units: i64) -> Option<i64> {
    (units > 0).then(|| round_div(total, units))
}

/// One pack as valuation sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackPrice {
    pub units: i64,
    /// Price of one unit in millionths; `None` when the pack was entered without a price.
    pub unit_price: Option<i64>,
    pub currency: String,
}

/// The packs in the order their units are spent, and how many units were spent so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pricing {
    /// Oldest first (date bought, then order of entry).
    pub packs: Vec<PackPrice>,
    /// Units consumed in all (the ledger's total).
    pub consumed: i64,
}

impl Pricing {
    /// Units bought in all.
    pub fn bought(&self) -> i64 {
        self.packs.iter().map(|p| p.units).sum()
    }

    /// What the units spent at positions `from..to` of the whole consumption are worth (the
    /// first unit ever spent is position 0); `None` when a unit of it has no known price or
    /// two currencies meet in it.
    pub fn value(&self, from: i64, to: i64) -> Option<Money> {
        let last = self.packs.last()?;
        let from = from.max(0);
        if to <= from {
            return Some(Money::new(0, &last.currency));
        }
        // (units, pack) pieces of the range, then beyond every pack at the newest price.
        let mut pieces: Vec<(i64, &PackPrice)> = Vec::new();
        let mut start = 0i64;
        for pack in &self.packs {
            let end = start + pack.units;
            pieces.push((to.min(end) - from.max(start), pack));
            start = end;
        }
        pieces.push((to - from.max(start), last));
        let mut currency: Option<&str> = None;
        let mut total: i64 = 0;
        for (units, pack) in pieces.into_iter().filter(|(units, _)| *units > 0) {
            let price = pack.unit_price?;
            match currency {
                Some(c) if c != pack.currency => return None,
                _ => currency = Some(&pack.currency),
            }
            total = total.checked_add(units.checked_mul(price)?)?;
        }
        Some(Money::new(total, currency.unwrap_or(&last.currency)))
    }

    /// What the credit left is worth.
    pub fn balance(&self) -> Option<Money> {
        self.value(self.consumed, self.bought())
    }

    /// What the next `units` spent will cost.
    pub fn next(&self, units: i64) -> Option<Money> {
        self.value(self.consumed, self.consumed + units.max(0))
    }

    /// What the credit left after spending `units` more is worth (negative when it does not
    /// cover them).
    pub fn after(&self, units: i64) -> Option<Money> {
        self.balance()?.minus(&self.next(units)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(units: i64, price: Option<i64>) -> PackPrice {
        PackPrice {
            units,
            unit_price: price,
            currency: "EUR".into(),
        }
    }

    #[test]
    fn money_is_shown_to_the_cent_in_each_language() {
        let m = Money::new(576_305_000, "EUR");
        assert_eq!(m.show(Lang::Fr), "576,31 €");
        assert_eq!(m.show(Lang::En), "€576.31");
        assert_eq!(
            Money::new(1_234_567_890, "EUR").show(Lang::Fr),
            "1 234,57 €"
        );
        assert_eq!(Money::new(-12_500_000, "EUR").show(Lang::En), "-€12.50");
        assert_eq!(Money::new(70_000, "EUR").show(Lang::Fr), "0,07 €");
        assert_eq!(Money::new(4_999, "EUR").show(Lang::Fr), "0,00 €");
        assert_eq!(Money::new(5_000, "EUR").show(Lang::Fr), "0,01 €");
        assert_eq!(Money::new(-5_000, "EUR").show(Lang::Fr), "-0,01 €");
        assert_eq!(Money::new(12_000_000, "CHF").show(Lang::Fr), "12,00 CHF");
        assert_eq!(Money::new(12_000_000, "CHF").show(Lang::En), "CHF 12.00");
        assert_eq!(Money::new(1_500_600_000, "XPF").show(Lang::Fr), "1 501 XPF");
        assert_eq!(Money::new(576_305_000, "EUR").rounded(), 576.31);
        assert_eq!(Money::new(1_234_567_890, "EUR").plain(Lang::Fr), "1234,57");
        assert_eq!(Money::new(-70_000, "EUR").plain(Lang::En), "-0.07");
        assert_eq!(Money::new(70_000, "EUR").show_unit(Lang::Fr), "0,07 €");
        assert_eq!(Money::new(72_500, "EUR").show_unit(Lang::Fr), "0,0725 €");
        assert_eq!(Money::new(33_333, "EUR").show_unit(Lang::En), "€0.033333");
        assert_eq!(Money::new(2_000_000, "XPF").show_unit(Lang::Fr), "2 XPF");
    }

    #[test]
    fn rounding_goes_half_away_from_zero() {
        assert_eq!(round_div(15, 10), 2);
        assert_eq!(round_div(14, 10), 1);
        assert_eq!(round_div(-15, 10), -2);
        assert_eq!(round_div(-14, 10), -1);
        assert_eq!(round_div(0, 10), 0);
    }

    #[test]
    fn prices_read_with_a_comma_or_a_point() {
        for (typed, want) in [
            ("0,07", Some(70_000)),
            ("0.07", Some(70_000)),
            (" 0,07 € ", Some(70_000)),
            ("€0.07", Some(70_000)),
            ("0,07 EUR", Some(70_000)),
            ("1 250,5", Some(1_250_500_000)),
            ("12", Some(12_000_000)),
            (",5", Some(500_000)),
            ("0,0725", Some(72_500)),
            ("0,1234567", None),
            ("1,2,3", None),
            ("1.000,50", None),
            ("-1", None),
            ("", None),
            ("abc", None),
            ("0,07x", None),
        ] {
            assert_eq!(parse_amount(typed), want, "{typed:?}");
        }
        assert_eq!(parse_currency("eur").as_deref(), Some("EUR"));
        assert_eq!(parse_currency("euro"), None);
        assert_eq!(unit_price_of_total(100_000_000, 3_000), Some(33_333));
        assert_eq!(unit_price_of_total(1, 0), None);
    }

    #[test]
    fn units_are_valued_at_the_pack_they_are_spent_from_oldest_first() {
        // 1 000 at 0,05 € then 1 000 at 0,07 €; 800 spent.
        let p = Pricing {
            packs: vec![pack(1_000, Some(50_000)), pack(1_000, Some(70_000))],
            consumed: 800,
        };
        // Left: 200 × 0,05 + 1 000 × 0,07 = 80 €.
        assert_eq!(p.balance(), Some(Money::new(80_000_000, "EUR")));
        // The next 300: 200 × 0,05 + 100 × 0,07 = 17 €.
        assert_eq!(p.next(300), Some(Money::new(17_000_000, "EUR")));
        assert_eq!(p.after(300), Some(Money::new(63_000_000, "EUR")));
        // Beyond the packs: the newest pack's price; the balance goes negative.
        assert_eq!(p.next(1_300), Some(Money::new(87_000_000, "EUR")));
        assert_eq!(p.after(1_300), Some(Money::new(-7_000_000, "EUR")));
        // Spent long ago: the first pack's price.
        assert_eq!(p.value(0, 10), Some(Money::new(500_000, "EUR")));
    }

    #[test]
    fn a_unit_without_a_price_leaves_money_unknown() {
        let p = Pricing {
            packs: vec![pack(500, None), pack(1_000, Some(70_000))],
            consumed: 400,
        };
        // 100 unpriced units are left in the first pack.
        assert_eq!(p.balance(), None);
        assert_eq!(p.next(50), None);
        // Once they are spent, what is left is known.
        let later = Pricing {
            consumed: 500,
            ..p.clone()
        };
        assert_eq!(later.balance(), Some(Money::new(70_000_000, "EUR")));
        assert_eq!(Pricing::default().balance(), None);
        assert_eq!(Pricing::default().next(3), None);
    }

    #[test]
    fn two_currencies_in_one_range_have_no_total() {
        let p = Pricing {
            packs: vec![
                pack(100, Some(50_000)),
                PackPrice {
                    units: 100,
                    unit_price: Some(60_000),
                    currency: "XPF".into(),
                },
            ],
            consumed: 0,
        };
        assert_eq!(p.balance(), None);
        assert_eq!(p.next(100), Some(Money::new(5_000_000, "EUR")));
        assert_eq!(p.value(150, 160), Some(Money::new(600_000, "XPF")));
    }

    #[test]
    fn cents_add_up_from_exact_millionths() {
        // 8 233 units at 0,07 € = 576,31 €, never 576,309999.
        let p = Pricing {
            packs: vec![pack(10_000, Some(70_000))],
            consumed: 1_767,
        };
        let balance = p.balance().map(|m| m.show(Lang::Fr));
        assert_eq!(balance.as_deref(), Some("576,31 €"));
        // A third of a cent per unit adds up before rounding.
        let third = Pricing {
            packs: vec![pack(3, Some(3_333))],
            consumed: 0,
        };
        assert_eq!(
            third.balance().map(|m| m.show(Lang::En)).as_deref(),
            Some("€0.01")
        );
    }
}
