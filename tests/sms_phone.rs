//! Phone number rules (SPEC §3 "Phone numbers", §7 `smsdesk phone`).
//!
//! Expected values come from the numbering plans, not from running the code:
//! - ARCEP's French plan: 0 + 9 digits; 01–05 geographic, 06 and 073–079 mobile, 08 special
//!   rate (080x free), 09 non-geographic (VoIP "box" lines); the overseas departments share
//!   the plan with their own prefixes: Guadeloupe, Saint-Barthélemy, Saint-Martin 0590 / 0690
//!   0691 (+590), Martinique 0596 / 0696 0697 (+596), Guyane 0594 / 0694 (+594), Réunion
//!   0262 0263 / 0692 0693 (+262), Mayotte 0269 / 0639 (+262).
//! - ITU E.164 assignments for the collectivities dialled internationally: Saint-Pierre-et-
//!   Miquelon +508 (6 digits, 41 fixed, 55 mobile), New Caledonia +687 (6 digits, 2x fixed, 7x
//!   mobile), French Polynesia +689 (8 digits, 40 fixed, 87/89 mobile), Wallis-et-Futuna +681
//!   (6 digits, 82 mobile).
//! - Foreign plans: UK 07 mobiles (07911 1x allocated in Guernsey), Belgium 04 mobiles,
//!   Germany 015x mobiles, North America (mobile and fixed share ranges).

use smsdesk::sms::phone::{
    LineKind, Phone, PhoneError, check, format_for_region, format_national, parse_phone,
    parse_recipient,
};

fn ok(input: &str, region: &str) -> Phone {
    match parse_phone(input, region) {
        Ok(phone) => phone,
        Err(err) => panic!("{input:?} (default {region}) refused: {err}"),
    }
}

fn assert_phone(input: &str, region: &str, e164: &str, number_region: &str, kind: LineKind) {
    let phone = ok(input, region);
    assert_eq!(phone.e164, e164, "{input:?} (default {region})");
    assert_eq!(phone.region, number_region, "{input:?} (default {region})");
    assert_eq!(phone.kind, kind, "{input:?} (default {region})");
}

// ---------------------------------------------------------------------------------------------
// What people type

#[test]
fn every_written_form_of_a_french_mobile_gives_the_same_e164() {
    let forms = [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "06/12/34/56/78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "+33(0)612345678",
        "+33 ( 0 ) 6 12 34 56 78",
        "+33 06 12 34 56 78",
        "0033 6 12 34 56 78",
        "00 33 6 12 34 56 78",
        "0033612345678",
        "33 6 12 34 56 78",
        "612345678",
        "612345678.0",
        "612345678,0",
        "6.12345678E8",
        "6.12345678e+08",
        "6,12345678E+08",
        "  06 12 34 56 78  ",
        "\u{a0}06\u{a0}12\u{a0}34\u{a0}56\u{a0}78\u{a0}",
        "06\u{202f}12\u{202f}34\u{202f}56\u{202f}78",
        "\t06 12 34 56 78\t",
        "\u{feff}06 12 34 56 78",
        "06 12 34 56 78\r\n",
        "tel:+33-6-12-34-56-78",
        "TEL:+33612345678",
        "(06) 12 34 56 78",
        "06 – 12 – 34 – 56 – 78",
        "+\u{ff13}\u{ff13} \u{ff16} 12 34 56 78",
    ];
    for form in forms {
        assert_phone(form, "FR", "+33612345678", "FR", LineKind::Mobile);
    }
}

#[test]
fn metropolitan_mobiles_06_and_07() {
    assert_phone(
        "06 98 76 54 32",
        "FR",
        "+33698765432",
        "FR",
        LineKind::Mobile,
    );
    assert_phone(
        "07 56 78 90 12",
        "FR",
        "+33756789012",
        "FR",
        LineKind::Mobile,
    );
    assert_phone(
        "07 81 23 45 67",
        "FR",
        "+33781234567",
        "FR",
        LineKind::Mobile,
    );
    assert_phone(
        "+33 7 56 78 90 12",
        "FR",
        "+33756789012",
        "FR",
        LineKind::Mobile,
    );
}

#[test]
fn metropolitan_landlines_01_to_05() {
    for (input, e164) in [
        ("01 42 68 53 00", "+33142685300"),
        ("02 99 12 34 56", "+33299123456"),
        ("03 88 12 34 56", "+33388123456"),
        ("04 91 12 34 56", "+33491123456"),
        ("05 61 12 34 56", "+33561123456"),
        ("+33 1 42 68 53 00", "+33142685300"),
        ("142685300", "+33142685300"),
    ] {
        assert_phone(input, "FR", e164, "FR", LineKind::Landline);
    }
}

#[test]
fn french_09_numbers_are_valid_but_not_mobiles() {
    // 09 is ARCEP's non-geographic range used by internet boxes (VoIP): a fixed line in
    // practice, no SMS.
    let phone = ok("09 72 12 34 56", "FR");
    assert_eq!(phone.e164, "+33972123456");
    assert_eq!(phone.region, "FR");
    assert_eq!(phone.kind, LineKind::Other);
    assert!(!phone.is_mobile());
}

#[test]
fn french_special_rate_numbers_are_other() {
    // 0800–0805 free phone, 081x shared cost, 089x premium rate.
    for (input, e164) in [
        ("0800 123 456", "+33800123456"),
        ("0 800 12 34 56", "+33800123456"),
        ("0810 12 34 56", "+33810123456"),
        ("0891 12 34 56", "+33891123456"),
    ] {
        assert_phone(input, "FR", e164, "FR", LineKind::Other);
    }
}

#[test]
fn unassigned_french_ranges_are_invalid() {
    // 070–072 are not mobile ranges (mobiles are 073–079 in 07); 00 is no area.
    for input in ["07 12 34 56 78", "07 00 12 34 56"] {
        assert_eq!(
            parse_phone(input, "FR"),
            Err(PhoneError::InvalidNumber),
            "{input}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Overseas

#[test]
fn overseas_mobiles_in_national_form_go_to_their_department() {
    for (input, e164, region) in [
        ("0690 12 34 56", "+590690123456", "GP"),
        ("0691 28 12 34", "+590691281234", "GP"),
        ("0696 12 34 56", "+596696123456", "MQ"),
        ("0697 12 34 56", "+596697123456", "MQ"),
        ("0694 20 12 34", "+594694201234", "GF"),
        ("0692 12 34 56", "+262692123456", "RE"),
        ("0693 12 34 56", "+262693123456", "RE"),
        ("0639 69 12 34", "+262639691234", "YT"),
    ] {
        assert_phone(input, "FR", e164, region, LineKind::Mobile);
    }
}

#[test]
fn overseas_landlines_in_national_form_go_to_their_department() {
    for (input, e164, region) in [
        ("0590 82 12 34", "+590590821234", "GP"),
        ("0596 71 23 45", "+596596712345", "MQ"),
        ("0594 30 12 34", "+594594301234", "GF"),
        ("0262 41 23 45", "+262262412345", "RE"),
        ("0263 01 23 45", "+262263012345", "RE"),
        ("0269 61 12 34", "+262269611234", "YT"),
    ] {
        assert_phone(input, "FR", e164, region, LineKind::Landline);
    }
}

#[test]
fn saint_barthelemy_and_saint_martin_share_plus_590() {
    // 0590 27 is Saint-Barthélemy, 0590 77 Saint-Martin.
    assert_phone(
        "0590 27 12 34",
        "FR",
        "+590590271234",
        "BL",
        LineKind::Landline,
    );
    assert_phone(
        "0590 77 12 34",
        "FR",
        "+590590771234",
        "MF",
        LineKind::Landline,
    );
    assert_phone(
        "+590 590 27 12 34",
        "FR",
        "+590590271234",
        "BL",
        LineKind::Landline,
    );
}

#[test]
fn overseas_numbers_in_international_form() {
    for (input, e164, region, kind) in [
        ("+590 690 12 34 56", "+590690123456", "GP", LineKind::Mobile),
        (
            "+590 (0)690 12 34 56",
            "+590690123456",
            "GP",
            LineKind::Mobile,
        ),
        (
            "00590 690 12 34 56",
            "+590690123456",
            "GP",
            LineKind::Mobile,
        ),
        ("+596 696 12 34 56", "+596696123456", "MQ", LineKind::Mobile),
        ("+594 694 20 12 34", "+594694201234", "GF", LineKind::Mobile),
        ("+262 692 12 34 56", "+262692123456", "RE", LineKind::Mobile),
        ("+262 639 69 12 34", "+262639691234", "YT", LineKind::Mobile),
        (
            "00 262 639 69 12 34",
            "+262639691234",
            "YT",
            LineKind::Mobile,
        ),
        (
            "+590 590 82 12 34",
            "+590590821234",
            "GP",
            LineKind::Landline,
        ),
        (
            "+596 596 71 23 45",
            "+596596712345",
            "MQ",
            LineKind::Landline,
        ),
        (
            "+594 594 30 12 34",
            "+594594301234",
            "GF",
            LineKind::Landline,
        ),
        (
            "+262 262 41 23 45",
            "+262262412345",
            "RE",
            LineKind::Landline,
        ),
        (
            "+262 269 61 12 34",
            "+262269611234",
            "YT",
            LineKind::Landline,
        ),
    ] {
        assert_phone(input, "FR", e164, region, kind);
    }
}

#[test]
fn overseas_numbers_in_spreadsheet_nine_digit_form() {
    for (input, e164, region, kind) in [
        ("690123456", "+590690123456", "GP", LineKind::Mobile),
        ("696123456", "+596696123456", "MQ", LineKind::Mobile),
        ("694201234", "+594694201234", "GF", LineKind::Mobile),
        ("692123456", "+262692123456", "RE", LineKind::Mobile),
        ("639691234", "+262639691234", "YT", LineKind::Mobile),
        ("590821234", "+590590821234", "GP", LineKind::Landline),
        ("262412345", "+262262412345", "RE", LineKind::Landline),
        ("690123456.0", "+590690123456", "GP", LineKind::Mobile),
        ("6.90123456E8", "+590690123456", "GP", LineKind::Mobile),
    ] {
        assert_phone(input, "FR", e164, region, kind);
    }
}

#[test]
fn an_overseas_default_region_still_reads_the_whole_french_plan() {
    // An organisation in Guadeloupe or Réunion dials metropolitan numbers as 0X… too.
    assert_phone(
        "06 12 34 56 78",
        "GP",
        "+33612345678",
        "FR",
        LineKind::Mobile,
    );
    assert_phone(
        "0690 12 34 56",
        "GP",
        "+590690123456",
        "GP",
        LineKind::Mobile,
    );
    assert_phone(
        "0692 12 34 56",
        "RE",
        "+262692123456",
        "RE",
        LineKind::Mobile,
    );
    assert_phone(
        "0639 69 12 34",
        "RE",
        "+262639691234",
        "YT",
        LineKind::Mobile,
    );
    assert_phone(
        "0696 12 34 56",
        "re",
        "+596696123456",
        "MQ",
        LineKind::Mobile,
    );
    assert_phone(
        "01 42 68 53 00",
        "YT",
        "+33142685300",
        "FR",
        LineKind::Landline,
    );
    assert_phone("612345678", "MQ", "+33612345678", "FR", LineKind::Mobile);
}

#[test]
fn collectivities_dialled_internationally() {
    for (input, e164, region, kind) in [
        ("+508 55 12 34", "+508551234", "PM", LineKind::Mobile),
        ("+508 41 12 34", "+508411234", "PM", LineKind::Landline),
        ("00508 55 12 34", "+508551234", "PM", LineKind::Mobile),
        ("+687 75 12 34", "+687751234", "NC", LineKind::Mobile),
        ("+687 27 12 34", "+687271234", "NC", LineKind::Landline),
        ("+689 87 12 34 56", "+68987123456", "PF", LineKind::Mobile),
        ("+689 89 12 34 56", "+68989123456", "PF", LineKind::Mobile),
        ("+689 40 50 12 34", "+68940501234", "PF", LineKind::Landline),
        ("+681 82 12 34", "+681821234", "WF", LineKind::Mobile),
        ("00681 82 12 34", "+681821234", "WF", LineKind::Mobile),
    ] {
        assert_phone(input, "FR", e164, region, kind);
    }
}

// ---------------------------------------------------------------------------------------------
// Foreign numbers

#[test]
fn foreign_mobiles() {
    // 07911 1x is a Guernsey allocation inside the UK plan.
    assert_phone(
        "+44 7911 123456",
        "FR",
        "+447911123456",
        "GG",
        LineKind::Mobile,
    );
    assert_phone(
        "0044 7911 123456",
        "FR",
        "+447911123456",
        "GG",
        LineKind::Mobile,
    );
    assert_phone(
        "+44 7400 123456",
        "FR",
        "+447400123456",
        "GB",
        LineKind::Mobile,
    );
    assert_phone(
        "+32 470 12 34 56",
        "FR",
        "+32470123456",
        "BE",
        LineKind::Mobile,
    );
    assert_phone(
        "+49 1512 3456789",
        "FR",
        "+4915123456789",
        "DE",
        LineKind::Mobile,
    );
    assert_phone(
        "+49 (0)1512 3456789",
        "FR",
        "+4915123456789",
        "DE",
        LineKind::Mobile,
    );
}

#[test]
fn north_american_numbers_count_as_mobiles() {
    // The NANP does not separate mobile and fixed ranges: an SMS may reach any of them.
    assert_phone(
        "+1 650 253 0000",
        "FR",
        "+16502530000",
        "US",
        LineKind::Mobile,
    );
    assert_phone(
        "+1 (650) 253-0000",
        "FR",
        "+16502530000",
        "US",
        LineKind::Mobile,
    );
    assert_phone(
        "(650) 253-0000",
        "US",
        "+16502530000",
        "US",
        LineKind::Mobile,
    );
    assert_phone(
        "011 33 6 12 34 56 78",
        "US",
        "+33612345678",
        "FR",
        LineKind::Mobile,
    );
    assert!(parse_recipient("+1 650 253 0000", "FR").is_ok());
}

#[test]
fn foreign_landlines() {
    assert_phone(
        "+44 20 7946 0000",
        "FR",
        "+442079460000",
        "GB",
        LineKind::Landline,
    );
    assert_phone(
        "+44 (0)20 7946 0000",
        "FR",
        "+442079460000",
        "GB",
        LineKind::Landline,
    );
    assert_phone(
        "+32 2 555 12 12",
        "FR",
        "+3225551212",
        "BE",
        LineKind::Landline,
    );
    assert_phone(
        "+49 30 12345678",
        "FR",
        "+493012345678",
        "DE",
        LineKind::Landline,
    );
    // Italy keeps the 0 of its area codes after +39.
    assert_phone(
        "+39 02 3661 8300",
        "FR",
        "+390236618300",
        "IT",
        LineKind::Landline,
    );
    assert_phone(
        "+39 (0)2 3661 8300",
        "FR",
        "+390236618300",
        "IT",
        LineKind::Landline,
    );
}

#[test]
fn national_forms_follow_the_default_region() {
    assert_phone(
        "0470 12 34 56",
        "BE",
        "+32470123456",
        "BE",
        LineKind::Mobile,
    );
    assert_phone(
        "07400 123456",
        "GB",
        "+447400123456",
        "GB",
        LineKind::Mobile,
    );
    assert_phone(
        "01512 3456789",
        "de",
        "+4915123456789",
        "DE",
        LineKind::Mobile,
    );
    assert_phone(
        " 06 12 34 56 78",
        " fr ",
        "+33612345678",
        "FR",
        LineKind::Mobile,
    );
}

#[test]
fn the_nine_digit_rule_is_french_only() {
    // In Belgium, 612345678 and 06 12 34 56 78 are Belgian-form numbers, not French ones.
    assert!(parse_phone("612345678", "BE").is_err());
    assert!(parse_phone("06 12 34 56 78", "BE").is_err());
}

// ---------------------------------------------------------------------------------------------
// Refusals

#[test]
fn refusals_say_why() {
    let cases: [(&str, PhoneError); 12] = [
        ("", PhoneError::Empty),
        ("  \u{a0}\t ", PhoneError::Empty),
        ("abc", PhoneError::Letters { letter: 'a' }),
        ("06 12 AB 56 78", PhoneError::Letters { letter: 'A' }),
        (
            "06 12 34 56 78 poste 12",
            PhoneError::Letters { letter: 'p' },
        ),
        ("+", PhoneError::NoDigits),
        ("--", PhoneError::NoDigits),
        ("0612", PhoneError::TooShort { digits: 4 }),
        ("06123456789012", PhoneError::TooLong { digits: 14 }),
        (
            "06 12 34 56 78; 06 98 76 54 32",
            PhoneError::InvalidCharacter { character: ';' },
        ),
        (
            "06 12 34 56 78, 07 56 78 90 12",
            PhoneError::InvalidCharacter { character: ',' },
        ),
        ("+999 123 456 789", PhoneError::UnknownCountryCode),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_phone(input, "FR"), Err(expected), "{input:?}");
    }
}

#[test]
fn a_plus_in_the_middle_or_twice_is_refused() {
    assert_eq!(
        parse_phone("06 12 +34 56 78", "FR"),
        Err(PhoneError::InvalidCharacter { character: '+' })
    );
    assert_eq!(
        parse_phone("++33 6 12 34 56 78", "FR"),
        Err(PhoneError::InvalidCharacter { character: '+' })
    );
}

#[test]
fn spreadsheet_decimals_and_rounded_floats_are_refused() {
    assert_eq!(
        parse_phone("6.1234567891E3", "FR"),
        Err(PhoneError::NotInteger)
    );
    // 33612345678 shown rounded by a spreadsheet: texting 33612300000 would reach a stranger.
    assert_eq!(
        parse_phone("3.36123E+10", "FR"),
        Err(PhoneError::RoundedNumber)
    );
}

#[test]
fn unknown_default_region_is_reported() {
    assert_eq!(
        parse_phone("06 12 34 56 78", "XX"),
        Err(PhoneError::UnknownRegion {
            region: "XX".to_string()
        })
    );
    assert!(parse_phone("06 12 34 56 78", "").is_err());
    assert!(parse_phone("06 12 34 56 78", "001").is_err());
}

#[test]
fn error_messages_are_plain_english() {
    let message = |input: &str| parse_phone(input, "FR").err().map(|e| e.to_string());
    assert_eq!(message(""), Some("no phone number given".to_string()));
    assert!(message("06 12 AB 56 78").is_some_and(|m| m.contains("letter")));
    assert!(message("0612").is_some_and(|m| m.starts_with("too short")));
    assert!(message("06123456789012").is_some_and(|m| m.starts_with("too long")));
    assert!(message("07 12 34 56 78").is_some_and(|m| m.contains("not a valid phone number")));
    assert!(message("+999 123 456 789").is_some_and(|m| m.contains("country calling code")));
}

// ---------------------------------------------------------------------------------------------
// Recipients

#[test]
fn recipients_must_be_mobiles() {
    assert_eq!(
        parse_recipient("06 12 34 56 78", "FR").map(|p| p.e164),
        Ok("+33612345678".to_string())
    );
    assert_eq!(
        parse_recipient("0690 12 34 56", "FR").map(|p| p.e164),
        Ok("+590690123456".to_string())
    );
    assert_eq!(
        parse_recipient("01 42 68 53 00", "FR"),
        Err(PhoneError::NotMobile {
            e164: "+33142685300".to_string(),
            kind: LineKind::Landline
        })
    );
    assert_eq!(
        parse_recipient("0800 123 456", "FR"),
        Err(PhoneError::NotMobile {
            e164: "+33800123456".to_string(),
            kind: LineKind::Other
        })
    );
    assert!(matches!(
        parse_recipient("09 72 12 34 56", "FR"),
        Err(PhoneError::NotMobile { .. })
    ));
    assert!(matches!(
        parse_recipient("0596 71 23 45", "FR"),
        Err(PhoneError::NotMobile { .. })
    ));
    let message = parse_recipient("01 42 68 53 00", "FR")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(message.starts_with("not a mobile number"), "{message}");
    assert!(message.contains("+33142685300"), "{message}");
    // Invalid input keeps its own reason rather than "not a mobile".
    assert_eq!(
        parse_recipient("0612", "FR"),
        Err(PhoneError::TooShort { digits: 4 })
    );
}

// ---------------------------------------------------------------------------------------------
// Display

#[test]
fn national_display_for_the_french_plan_international_for_the_rest() {
    assert_eq!(format_national("+33612345678"), "06 12 34 56 78");
    assert_eq!(format_national("+33142685300"), "01 42 68 53 00");
    assert_eq!(format_national("+590690123456"), "0690 12 34 56");
    assert_eq!(format_national("+262639691234"), "0639 69 12 34");
    assert_eq!(format_national("+596596712345"), "0596 71 23 45");
    assert_eq!(format_national("+447911123456"), "+44 7911 123456");
    assert_eq!(format_national("+32470123456"), "+32 470 12 34 56");
    assert_eq!(format_national("+16502530000"), "+1 650-253-0000");
    assert_eq!(format_national("+4915123456789"), "+49 1512 3456789");
    assert_eq!(format_national("+68987123456"), "+689 87 12 34 56");
    // Not an E.164 number: shown as it is.
    assert_eq!(format_national("hello"), "hello");
    assert_eq!(format_national("+999123"), "+999123");
}

#[test]
fn display_relative_to_another_home_region() {
    assert_eq!(format_for_region("+32470123456", "BE"), "0470 12 34 56");
    assert_eq!(format_for_region("+33612345678", "BE"), "+33 6 12 34 56 78");
    assert_eq!(format_for_region("+33612345678", "RE"), "06 12 34 56 78");
    assert_eq!(format_for_region("+447400123456", "GB"), "07400 123456");
}

#[test]
fn displayed_form_parses_back_to_the_same_number() {
    for e164 in [
        "+33612345678",
        "+33142685300",
        "+590690123456",
        "+596696123456",
        "+594694201234",
        "+262692123456",
        "+262639691234",
        "+590590271234",
        "+447911123456",
        "+16502530000",
        "+68987123456",
    ] {
        let shown = format_national(e164);
        assert_eq!(ok(&shown, "FR").e164, e164, "{shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// `smsdesk phone --json`

#[test]
fn check_serialises_exactly_as_the_spec_says() {
    let json = |input: &str| serde_json::to_string(&check(input, "FR")).unwrap_or_default();
    assert_eq!(
        json("06 12 34 56 78"),
        r#"{"input":"06 12 34 56 78","e164":"+33612345678","mobile":true,"region":"FR","error":null}"#
    );
    assert_eq!(
        json("0690 12 34 56"),
        r#"{"input":"0690 12 34 56","e164":"+590690123456","mobile":true,"region":"GP","error":null}"#
    );
    // A landline is reported, not refused.
    assert_eq!(
        json("01 42 68 53 00"),
        r#"{"input":"01 42 68 53 00","e164":"+33142685300","mobile":false,"region":"FR","error":null}"#
    );
    assert_eq!(
        json(""),
        r#"{"input":"","e164":null,"mobile":false,"region":null,"error":"no phone number given"}"#
    );
}

#[test]
fn check_reports_the_reason_for_garbage() {
    for input in ["abc", "+", "0612", "06123456789012", "07 12 34 56 78"] {
        let report = check(input, "FR");
        assert_eq!(report.input, input);
        assert_eq!(report.e164, None, "{input}");
        assert!(!report.mobile, "{input}");
        assert_eq!(report.region, None, "{input}");
        assert!(
            report.error.as_deref().is_some_and(|e| !e.is_empty()),
            "{input}"
        );
    }
}

#[test]
fn check_keeps_the_input_as_typed() {
    let report = check("  +33 (0)6 12 34 56 78 ", "FR");
    assert_eq!(report.input, "  +33 (0)6 12 34 56 78 ");
    assert_eq!(report.e164.as_deref(), Some("+33612345678"));
}

// ---------------------------------------------------------------------------------------------
// Properties

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Writes ten national digits the ways people do.
    fn written(digits: &str, style: usize) -> String {
        let pairs: Vec<&str> = (0..5).map(|i| &digits[2 * i..2 * i + 2]).collect();
        match style {
            0 => pairs.join(" "),
            1 => pairs.join("."),
            2 => pairs.join("-"),
            3 => digits.to_string(),
            4 => format!("+33 {}", &digits[1..]),
            5 => format!("+33 (0){}", &digits[1..]),
            6 => format!("0033 {}", &digits[1..]),
            _ => format!("\u{a0}{}\t", pairs.join("\u{a0}")),
        }
    }

    proptest! {
        #[test]
        fn the_written_form_never_changes_the_outcome(
            rest in "[1-9][0-9]{8}",
            style in 0usize..8,
        ) {
            let digits = format!("0{rest}");
            let reference = parse_phone(&digits, "FR");
            let other = parse_phone(&written(&digits, style), "FR");
            // +33 forms do not go through the overseas retry: compare where both are French.
            let both_metropolitan = reference.as_ref().is_ok_and(|p| p.e164.starts_with("+33"));
            if style < 4 || style == 7 || both_metropolitan {
                prop_assert_eq!(reference.ok().map(|p| p.e164), other.ok().map(|p| p.e164));
            }
        }

        #[test]
        fn a_normalised_number_parses_to_itself(rest in "[1-9][0-9]{8}", region in "(FR|GP|RE|BE|DE|US)") {
            if let Ok(phone) = parse_phone(&format!("0{rest}"), &region) {
                prop_assert_eq!(parse_phone(&phone.e164, "FR"), Ok(phone.clone()));
                prop_assert_eq!(parse_phone(&phone.e164, "US"), Ok(phone));
            }
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(input in "\\PC{0,30}", region in "[A-Z]{2}") {
            let _ = parse_phone(&input, &region);
            let _ = check(&input, "FR");
            let _ = format_national(&input);
        }

        #[test]
        fn a_recipient_is_always_a_valid_mobile(rest in "[1-9][0-9]{8}") {
            let input = format!("0{rest}");
            match (parse_recipient(&input, "FR"), parse_phone(&input, "FR")) {
                (Ok(recipient), Ok(phone)) => {
                    prop_assert!(phone.is_mobile());
                    prop_assert_eq!(recipient, phone);
                }
                (Err(PhoneError::NotMobile { e164, .. }), Ok(phone)) => {
                    prop_assert!(!phone.is_mobile());
                    prop_assert_eq!(e164, phone.e164);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b),
                (a, b) => prop_assert!(false, "recipient {:?} vs phone {:?}", a, b),
            }
        }
    }
}
