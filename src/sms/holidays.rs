//! French public holidays (jours fériés) by year and territory.
//!
//! Information campaigns may never leave on a public holiday of the organisation's territory
//! (SPEC §3 "Information campaigns"). The territory is derived from the organisation's IANA
//! timezone, which is the only geographic setting smsdesk has.
//!
//! Rules implemented:
//! - the 11 national holidays (Code du travail, art. L3133-1): 1 January, Easter Monday,
//!   1 May, 8 May, Ascension (Easter + 39 days), Whit Monday (Easter + 50 days), 14 July,
//!   15 August, 1 November, 11 November, 25 December;
//! - Easter Sunday by the Gregorian computus (anonymous Gregorian / Meeus–Jones–Butcher);
//! - the commemoration of the abolition of slavery, a public holiday in each territory on its
//!   own date (loi 83-550 and décret 83-1003, as amended; Saint-Martin moved to 28 May in 2018):
//!   Mayotte 27 April, Martinique 22 May, Guadeloupe 27 May, Saint-Martin 28 May,
//!   Guyane 10 June, Saint-Barthélemy 9 October, Réunion 20 December.
//!
//! Not implemented, on purpose:
//! - Alsace-Moselle's extra days (Good Friday, 26 December): the Bas-Rhin, Haut-Rhin and
//!   Moselle share `Europe/Paris` with the rest of metropolitan France, so they cannot be
//!   derived from the timezone.
//! - the local holidays of the Pacific collectivities (New Caledonia, French Polynesia,
//!   Wallis-and-Futuna) are set by their own governments; only the national list applies here,
//!   as the product specification asks ("the metropolitan list, plus each overseas
//!   department's own").

use chrono::{Datelike, Days, NaiveDate};
use chrono_tz::Tz;

/// A French territory whose public holiday list differs, as far as the timezone can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Territory {
    /// Metropolitan France (Europe/Paris). Also the fallback for zones outside French
    /// territory: smsdesk serves French organisations, so the national list still applies.
    Metropolitan,
    Guadeloupe,
    Martinique,
    /// French Guiana (America/Cayenne).
    Guyane,
    Reunion,
    Mayotte,
    SaintMartin,
    SaintBarthelemy,
    SaintPierreEtMiquelon,
    NouvelleCaledonie,
    Polynesie,
    WallisEtFutuna,
}

impl Territory {
    /// The territory of an IANA timezone. Each overseas territory has its own zone name (even
    /// where the zone is a link to another country's rules, e.g. America/Marigot), so the name
    /// is what decides. Unknown zones fall back to [`Territory::Metropolitan`].
    pub fn from_tz(tz: Tz) -> Territory {
        match tz.name() {
            "America/Guadeloupe" => Territory::Guadeloupe,
            "America/Martinique" => Territory::Martinique,
            "America/Cayenne" => Territory::Guyane,
            "Indian/Reunion" => Territory::Reunion,
            "Indian/Mayotte" => Territory::Mayotte,
            "America/Marigot" => Territory::SaintMartin,
            "America/St_Barthelemy" => Territory::SaintBarthelemy,
            "America/Miquelon" => Territory::SaintPierreEtMiquelon,
            "Pacific/Noumea" => Territory::NouvelleCaledonie,
            "Pacific/Tahiti" | "Pacific/Marquesas" | "Pacific/Gambier" => Territory::Polynesie,
            "Pacific/Wallis" => Territory::WallisEtFutuna,
            _ => Territory::Metropolitan,
        }
    }

    /// French name, for screens and messages.
    pub fn label(self) -> &'static str {
        match self {
            Territory::Metropolitan => "France métropolitaine",
            Territory::Guadeloupe => "Guadeloupe",
            Territory::Martinique => "Martinique",
            Territory::Guyane => "Guyane",
            Territory::Reunion => "La Réunion",
            Territory::Mayotte => "Mayotte",
            Territory::SaintMartin => "Saint-Martin",
            Territory::SaintBarthelemy => "Saint-Barthélemy",
            Territory::SaintPierreEtMiquelon => "Saint-Pierre-et-Miquelon",
            Territory::NouvelleCaledonie => "Nouvelle-Calédonie",
            Territory::Polynesie => "Polynésie française",
            Territory::WallisEtFutuna => "Wallis-et-Futuna",
        }
    }

    /// The territory's name on screens, in `lang`.
    pub fn name(self, lang: crate::i18n::Lang) -> String {
        let key = match self {
            Territory::Metropolitan => "metropolitan",
            Territory::Guadeloupe => "guadeloupe",
            Territory::Martinique => "martinique",
            Territory::Guyane => "guyane",
            Territory::Reunion => "reunion",
            Territory::Mayotte => "mayotte",
            Territory::SaintMartin => "saint_martin",
            Territory::SaintBarthelemy => "saint_barthelemy",
            Territory::SaintPierreEtMiquelon => "saint_pierre_et_miquelon",
            Territory::NouvelleCaledonie => "nouvelle_caledonie",
            Territory::Polynesie => "polynesie",
            Territory::WallisEtFutuna => "wallis_et_futuna",
        };
        crate::i18n::tr(lang, &format!("territory.{key}")).to_string()
    }

    /// The (month, day) of this territory's abolition-of-slavery holiday, if it has one.
    fn abolition_day(self) -> Option<(u32, u32)> {
        match self {
            Territory::Mayotte => Some((4, 27)),
            Territory::Martinique => Some((5, 22)),
            Territory::Guadeloupe => Some((5, 27)),
            Territory::SaintMartin => Some((5, 28)),
            Territory::Guyane => Some((6, 10)),
            Territory::SaintBarthelemy => Some((10, 9)),
            Territory::Reunion => Some((12, 20)),
            _ => None,
        }
    }
}

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm). `None` only for years
/// outside chrono's range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Every public holiday of `year` in territory `t`, sorted by date, with its French name.
/// Two holidays may share a date (Ascension fell on 1 May in 2008): both are listed.
/// Empty only for years outside chrono's date range.
pub fn holidays(year: i32, t: Territory) -> Vec<(NaiveDate, &'static str)> {
    let mut out = Vec::with_capacity(12);
    let fixed: [(u32, u32, &'static str); 8] = [
        (1, 1, "Jour de l'an"),
        (5, 1, "Fête du Travail"),
        (5, 8, "Victoire 1945"),
        (7, 14, "Fête nationale"),
        (8, 15, "Assomption"),
        (11, 1, "Toussaint"),
        (11, 11, "Armistice 1918"),
        (12, 25, "Noël"),
    ];
    for (month, day, name) in fixed {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            out.push((date, name));
        }
    }
    if let Some(easter) = easter_sunday(year) {
        let movable: [(u64, &'static str); 3] = [
            (1, "Lundi de Pâques"),
            (39, "Ascension"),
            (50, "Lundi de Pentecôte"),
        ];
        for (offset, name) in movable {
            if let Some(date) = easter.checked_add_days(Days::new(offset)) {
                out.push((date, name));
            }
        }
    }
    if let Some((month, day)) = t.abolition_day()
        && let Some(date) = NaiveDate::from_ymd_opt(year, month, day)
    {
        out.push((date, "Abolition de l'esclavage"));
    }
    // Stable sort: on a shared date, the fixed holiday comes first.
    out.sort_by_key(|(date, _)| *date);
    out
}

/// The French name of the holiday on `date` in territory `t`, or `None` on a working day.
pub fn is_holiday(date: NaiveDate, t: Territory) -> Option<&'static str> {
    holidays(date.year(), t)
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_known_years() {
        // Dates from the published Gregorian Easter tables.
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
        assert_eq!(easter_sunday(2285), Some(d(2285, 3, 22)));
        assert_eq!(easter_sunday(1818), Some(d(1818, 3, 22)));
    }

    #[test]
    fn shared_dates_are_both_listed() {
        // 2008: Ascension on 1 May.
        let list = holidays(2008, Territory::Metropolitan);
        assert_eq!(list.len(), 11);
        assert_eq!(
            list.iter()
                .filter(|(date, _)| *date == d(2008, 5, 1))
                .count(),
            2
        );
    }
}
