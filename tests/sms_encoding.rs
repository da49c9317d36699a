//! Segment counting, transliteration and sender rules through the public API.
//!
//! Expected figures come from 3GPP TS 23.038/23.040 (160/153 septets, 70/67 UTF-16 units,
//! escape and surrogate pairs never split), worked out by hand in each comment.

use proptest::prelude::*;
use smsdesk::sms::encoding::{
    Encoding, SegmentInfo, analyse, gsm7_cost, is_gsm7_char, report_json, split_segments,
};
use smsdesk::sms::sender::{
    DEFAULT_STOP_MENTION, SenderError, compose, is_stop_reply, normalize_keyword, validate_sender,
};
use smsdesk::sms::transliterate::{replacement, to_gsm7};

fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

/// (text, encoding, chars, units, segments, per_segment, remaining, splits)
type Row = (
    String,
    Encoding,
    usize,
    usize,
    usize,
    usize,
    usize,
    Vec<usize>,
);

fn check(rows: Vec<Row>) {
    for (text, enc, chars, units, segments, per, remaining, splits) in rows {
        let info = analyse(&text);
        let label = format!(
            "text of {chars} chars starting {:?}",
            text.chars().take(12).collect::<String>()
        );
        assert_eq!(info.encoding, enc, "encoding, {label}");
        assert_eq!(info.chars, chars, "chars, {label}");
        assert_eq!(info.units, units, "units, {label}");
        assert_eq!(info.segments, segments, "segments, {label}");
        assert_eq!(info.per_segment, per, "per_segment, {label}");
        assert_eq!(info.remaining, remaining, "remaining, {label}");
        assert_eq!(info.splits, splits, "splits, {label}");
        assert_eq!(
            split_segments(&text).len(),
            segments,
            "split_segments, {label}"
        );
    }
}

#[test]
fn empty_text_costs_nothing() {
    let info = analyse("");
    assert_eq!(
        info,
        SegmentInfo {
            encoding: Encoding::Gsm7,
            chars: 0,
            units: 0,
            segments: 0,
            per_segment: 160,
            remaining: 160,
            non_gsm: vec![],
            splits: vec![],
        }
    );
    assert!(split_segments("").is_empty());
}

#[test]
fn gsm7_length_boundaries() {
    use Encoding::Gsm7;
    check(vec![
        ("a".into(), Gsm7, 1, 1, 1, 160, 159, vec![]),
        (rep("a", 160), Gsm7, 160, 160, 1, 160, 0, vec![]),
        // 161 = 153 + 8.
        (rep("a", 161), Gsm7, 161, 161, 2, 153, 145, vec![153]),
        (rep("a", 306), Gsm7, 306, 306, 2, 153, 0, vec![153]),
        (rep("a", 307), Gsm7, 307, 307, 3, 153, 152, vec![153, 306]),
        (rep("a", 459), Gsm7, 459, 459, 3, 153, 0, vec![153, 306]),
        (
            rep("a", 460),
            Gsm7,
            460,
            460,
            4,
            153,
            152,
            vec![153, 306, 459],
        ),
        // Line breaks and the whole basic alphabet count one septet.
        (rep("\n", 160), Gsm7, 160, 160, 1, 160, 0, vec![]),
        // 42 distinct letters and signs × 4 = 168 = 153 + 15.
        (
            rep("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", 4),
            Gsm7,
            168,
            168,
            2,
            153,
            138,
            vec![153],
        ),
    ]);
}

#[test]
fn extension_characters_count_two_and_never_straddle() {
    use Encoding::Gsm7;
    check(vec![
        ("€".into(), Gsm7, 1, 2, 1, 160, 158, vec![]),
        (
            "{}[]~|^\\\u{000C}€".into(),
            Gsm7,
            10,
            20,
            1,
            160,
            140,
            vec![],
        ),
        // 158 + 2 = 160: still one segment.
        (rep("a", 158) + "€", Gsm7, 159, 160, 1, 160, 0, vec![]),
        // € as the 160th character: 159 + 2 = 161 septets, two segments (153 | 6 + 2).
        (rep("a", 159) + "€", Gsm7, 160, 161, 2, 153, 145, vec![153]),
        // € at position 152: 151 + 2 = 153 fills segment 1 exactly.
        (
            rep("a", 151) + "€" + &rep("a", 50),
            Gsm7,
            202,
            203,
            2,
            153,
            103,
            vec![152],
        ),
        // € at position 153: 152 + 2 = 154 > 153, the pair moves whole to segment 2,
        // which then holds 2 + 50.
        (
            rep("a", 152) + "€" + &rep("a", 50),
            Gsm7,
            203,
            204,
            2,
            153,
            101,
            vec![152],
        ),
        // € at position 154: segment 1 is 153 letters, segment 2 starts with the pair.
        (
            rep("a", 153) + "€" + &rep("a", 50),
            Gsm7,
            204,
            205,
            2,
            153,
            101,
            vec![153],
        ),
        // € at position 160 in a longer text: segment 2 holds letters 154..159 then the pair.
        (
            rep("a", 159) + "€" + "a",
            Gsm7,
            161,
            162,
            2,
            153,
            144,
            vec![153],
        ),
        // 80 € = 160 septets, one segment; 81 € = 162: 76 pairs (152) per segment.
        (rep("€", 80), Gsm7, 80, 160, 1, 160, 0, vec![]),
        (rep("€", 81), Gsm7, 81, 162, 2, 153, 143, vec![76]),
        // 153 € = 306 septets, which would fill two segments if pairs could be cut; they
        // cannot, so 76 + 76 + 1.
        (rep("€", 153), Gsm7, 153, 306, 3, 153, 151, vec![76, 152]),
        // A pair pushed at both boundaries: 152 | € + 150 (152) | € + 2 (4).
        (
            rep("a", 152) + "€" + &rep("a", 150) + "€" + "aa",
            Gsm7,
            306,
            308,
            3,
            153,
            149,
            vec![152, 303],
        ),
    ]);
}

#[test]
fn french_accents_in_and_out_of_gsm7() {
    let gsm = analyse("Rendez-vous à l'agence. Réunion très tôt? Non: où ça... Déjà vu, Ça va");
    // `ô` and `ç` are not GSM-7.
    assert_eq!(gsm.encoding, Encoding::Ucs2);
    assert_eq!(gsm.non_gsm, vec!['ô', 'ç']);

    for ok in [
        "é", "è", "à", "ù", "ì", "ò", "É", "Ç", "Ä", "Ö", "Ñ", "Ü", "ä", "ö", "ñ", "ü",
    ] {
        assert_eq!(analyse(ok).encoding, Encoding::Gsm7, "{ok}");
    }
    for ko in [
        "ê", "ç", "œ", "ô", "â", "î", "û", "ë", "ï", "È", "À", "Ê", "’", "«", "\u{A0}", "`", "\t",
    ] {
        let info = analyse(ko);
        assert_eq!(info.encoding, Encoding::Ucs2, "{ko:?}");
        assert_eq!(info.non_gsm, ko.chars().collect::<Vec<_>>());
        assert_eq!((info.units, info.remaining), (1, 69));
    }

    let info = analyse("Votre rdv de 10h à l'agence est confirmé, merci de venir à l'heure.");
    assert_eq!(info.encoding, Encoding::Gsm7);
    assert_eq!(
        (info.chars, info.units, info.segments, info.remaining),
        (67, 67, 1, 93)
    );

    // Distinct, in order of first appearance.
    let info = analyse("œuf, fête, garçon, cœur, tête");
    assert_eq!(info.non_gsm, vec!['œ', 'ê', 'ç']);
    assert_eq!(info.units, 29);
}

#[test]
fn ucs2_length_boundaries() {
    use Encoding::Ucs2;
    check(vec![
        (rep("ê", 70), Ucs2, 70, 70, 1, 70, 0, vec![]),
        (rep("ê", 71), Ucs2, 71, 71, 2, 67, 63, vec![67]),
        (rep("ê", 134), Ucs2, 134, 134, 2, 67, 0, vec![67]),
        (rep("ê", 135), Ucs2, 135, 135, 3, 67, 66, vec![67, 134]),
        // A GSM text plus one foreign character: everything becomes UCS-2, and the
        // extension characters cost one unit like any BMP character.
        (rep("a", 69) + "ê", Ucs2, 70, 70, 1, 70, 0, vec![]),
        (rep("€", 69) + "ç", Ucs2, 70, 70, 1, 70, 0, vec![]),
        (
            rep("a", 159) + "ç",
            Ucs2,
            160,
            160,
            3,
            67,
            41,
            vec![67, 134],
        ),
    ]);
}

#[test]
fn emoji_cost_two_units_and_never_straddle() {
    use Encoding::Ucs2;
    check(vec![
        ("😀".into(), Ucs2, 1, 2, 1, 70, 68, vec![]),
        // 68 + 2 = 70: one segment.
        (rep("ê", 68) + "😀", Ucs2, 69, 70, 1, 70, 0, vec![]),
        // Emoji as the 70th character: 69 + 2 = 71 units, split 67 | 2 + 2.
        (rep("ê", 69) + "😀", Ucs2, 70, 71, 2, 67, 63, vec![67]),
        // Emoji at position 67: 66 + 2 = 68 > 67, the pair moves whole to segment 2.
        (
            rep("ê", 66) + "😀" + &rep("ê", 10),
            Ucs2,
            77,
            78,
            2,
            67,
            55,
            vec![66],
        ),
        // Emoji at position 66: 65 + 2 = 67 fills segment 1 exactly.
        (
            rep("ê", 65) + "😀" + &rep("ê", 10),
            Ucs2,
            76,
            77,
            2,
            67,
            57,
            vec![66],
        ),
        // 35 emoji = 70 units, one segment; 36 = 72: 33 emoji (66 units) per segment.
        (rep("😀", 35), Ucs2, 35, 70, 1, 70, 0, vec![]),
        (rep("😀", 36), Ucs2, 36, 72, 2, 67, 61, vec![33]),
        // 67 emoji = 134 units, which would fill two segments if pairs could be cut.
        (rep("😀", 67), Ucs2, 67, 134, 3, 67, 65, vec![33, 66]),
        // Emoji straddling the second boundary (unit 134/135).
        (
            rep("ê", 67) + &rep("ê", 66) + "👍" + "ê",
            Ucs2,
            135,
            136,
            3,
            67,
            64,
            vec![67, 133],
        ),
    ]);
    // An emoji with a text-style GSM letter: chars and units differ.
    let info = analyse("ok 👍");
    assert_eq!(
        (info.chars, info.units, info.non_gsm.clone()),
        (4, 5, vec!['👍'])
    );
}

#[test]
fn split_parts_join_back_and_respect_pairs() {
    // 152 + 2 + 100 = 254 septets: two segments, the pair opening the second.
    let text = rep("a", 152) + "€" + &rep("b", 100);
    let parts = split_segments(&text);
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0], rep("a", 152));
    assert!(parts[1].starts_with('€'));
    assert_eq!(parts.concat(), text);

    let text = rep("ê", 66) + "😀" + "fin";
    let parts = split_segments(&text);
    assert_eq!(parts, vec![rep("ê", 66).as_str(), "😀fin"]);

    assert_eq!(split_segments("Bonjour"), vec!["Bonjour"]);
}

#[test]
fn segments_report_json_is_exactly_as_documented() {
    let json = serde_json::to_string(&report_json("Fête à 10h")).unwrap();
    assert_eq!(
        json,
        r#"{"encoding":"UCS-2","chars":10,"units":10,"segments":1,"per_segment":70,"remaining":60,"non_gsm":["ê"]}"#
    );
    let json = serde_json::to_string(&report_json(&(rep("a", 159) + "€"))).unwrap();
    assert_eq!(
        json,
        r#"{"encoding":"GSM-7","chars":160,"units":161,"segments":2,"per_segment":153,"remaining":145,"non_gsm":[]}"#
    );
    let json = serde_json::to_string(&report_json("")).unwrap();
    assert_eq!(
        json,
        r#"{"encoding":"GSM-7","chars":0,"units":0,"segments":0,"per_segment":160,"remaining":160,"non_gsm":[]}"#
    );
    let json = serde_json::to_string(&report_json("😀 ç😀")).unwrap();
    assert_eq!(
        json,
        r#"{"encoding":"UCS-2","chars":4,"units":6,"segments":1,"per_segment":70,"remaining":64,"non_gsm":["😀","ç"]}"#
    );
}

#[test]
fn gsm7_membership_and_costs() {
    // The 3GPP TS 23.038 default alphabet in code order, ESC (0x1B) left out.
    let alphabet = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                    ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    assert_eq!(alphabet.chars().count(), 127);
    for c in alphabet.chars() {
        assert_eq!(gsm7_cost(c), Some(1), "{c:?}");
    }
    for c in "^{}\\[]~|€\u{000C}".chars() {
        assert_eq!(gsm7_cost(c), Some(2), "{c:?}");
    }
    for c in [
        '\u{1B}', 'ç', '`', '\t', '\0', 'ÿ', 'Α', 'µ', '¢', '°', '«', '•', '😀', '\u{7F}',
    ] {
        assert!(!is_gsm7_char(c), "{c:?}");
        assert_eq!(gsm7_cost(c), None);
    }
}

#[test]
fn transliteration_of_french_typography() {
    let cases = [
        ("« Bonjour »", "\" Bonjour \""),
        ("«\u{202F}Bonjour\u{202F}»", "\" Bonjour \""),
        ("l’agence", "l'agence"),
        ("‘a’ ‚b‛ “c” „d‟ 5′ 6″", "'a' 'b' \"c\" \"d\" 5' 6\""),
        ("‹ oui ›", "\" oui \""),
        ("10h–12h — fin ― ‐‑‒", "10h-12h - fin - ---"),
        ("Merci…", "Merci..."),
        ("Prix\u{00A0}:\u{2009}5\u{2007}€", "Prix : 5 €"),
        ("zé\u{200B}ro\u{200C}\u{200D}\u{2060}\u{FEFF}", "zéro"),
        (
            "fête, être, château, île, hôtel, sûr",
            "fete, etre, chateau, ile, hotel, sur",
        ),
        ("Noël, naïf, L'Haÿ-les-Roses", "Noel, naif, L'Hay-les-Roses"),
        ("garçon, leçon", "garcon, lecon"),
        ("cœur, Œuvre, sœur", "coeur, OEuvre, soeur"),
        ("á í ó ú ã õ", "a i o u a o"),
        ("ÀÂÈÊËÎÏÔÙÛÁÍÓÚŸ", "AAEEEIIOUUAIOUY"),
        ("æ Æ ß", "æ Æ ß"),
        (
            "é è à ù ì ò É Ç Ä Ö Ñ Ü ä ö ñ ü Å å Ø ø",
            "é è à ù ì ò É Ç Ä Ö Ñ Ü ä ö ñ ü Å å Ø ø",
        ),
        (
            "Déjà prévu: 12€ {ok} [x] ~ | ^ \\",
            "Déjà prévu: 12€ {ok} [x] ~ | ^ \\",
        ),
        ("RDV n° 3", "RDV no 3"),
        // Decomposed input (as macOS pastes it): e + combining acute is the GSM-7 é.
        ("Cre\u{0301}teil, fe\u{0302}te", "Créteil, fete"),
    ];
    for (input, expected) in cases {
        assert_eq!(to_gsm7(input), expected, "{input:?}");
    }
}

#[test]
fn transliteration_keeps_what_has_no_equivalent() {
    assert_eq!(to_gsm7("Merci 😀"), "Merci 😀");
    assert_eq!(analyse(&to_gsm7("Merci 😀")).encoding, Encoding::Ucs2);
    assert_eq!(to_gsm7("Привет"), "Привет");
    assert_eq!(replacement('😀'), None);
    assert_eq!(
        replacement('é'),
        None,
        "GSM-7 characters need no replacement"
    );
    assert_eq!(replacement('ê'), Some("e"));
    assert_eq!(replacement('œ'), Some("oe"));
    assert_eq!(replacement('\u{00A0}'), Some(" "));
    assert_eq!(replacement('\u{200B}'), Some(""));
    assert_eq!(replacement('…'), Some("..."));
}

#[test]
fn transliteration_saves_segments() {
    // 100 characters with curly apostrophes: UCS-2 (2 segments) before, GSM-7 (1) after.
    let text = rep("l’été ", 16) + "fin.";
    assert_eq!(analyse(&text).segments, 2);
    let fixed = to_gsm7(&text);
    let info = analyse(&fixed);
    assert_eq!(
        (info.encoding, info.segments, info.chars),
        (Encoding::Gsm7, 1, 100)
    );
}

#[test]
fn sender_names() {
    for ok in [
        "ABC",
        "Mairie",
        "MairieLyon",
        "A1234567890",
        "Agence13",
        "CCAS",
    ] {
        assert_eq!(validate_sender(ok), Ok(()), "{ok}");
    }
    let cases = [
        ("", SenderError::TooShort { len: 0 }),
        ("AB", SenderError::TooShort { len: 2 }),
        ("ABCDEFGHIJKL", SenderError::TooLong { len: 12 }),
        ("Mairie de Lyon", SenderError::TooLong { len: 14 }),
        (
            "Mairie 13",
            SenderError::InvalidChar {
                ch: ' ',
                position: 7,
            },
        ),
        (
            "Café",
            SenderError::InvalidChar {
                ch: 'é',
                position: 4,
            },
        ),
        (
            "Pole-Emploi",
            SenderError::InvalidChar {
                ch: '-',
                position: 5,
            },
        ),
        (
            "Agence_1",
            SenderError::InvalidChar {
                ch: '_',
                position: 7,
            },
        ),
        (
            "Éco",
            SenderError::InvalidChar {
                ch: 'É',
                position: 1,
            },
        ),
        ("12345", SenderError::NoLetter),
        ("36608", SenderError::NoLetter),
    ];
    for (input, err) in cases {
        assert_eq!(validate_sender(input), Err(err), "{input:?}");
    }
    // Length counts characters, not bytes: 11 accented characters are too... accented.
    assert_eq!(
        validate_sender("ééééééééééé"),
        Err(SenderError::InvalidChar {
            ch: 'é',
            position: 1
        })
    );
    let msg = SenderError::InvalidChar {
        ch: ' ',
        position: 7,
    }
    .to_string();
    assert!(msg.contains("position 7"), "{msg}");
}

#[test]
fn composed_text_is_what_gets_counted() {
    assert_eq!(
        compose(
            "Bonjour  \n",
            Some("Mairie de Lyon"),
            Some(DEFAULT_STOP_MENTION)
        ),
        "Bonjour\nMairie de Lyon\nSTOP au 36608"
    );
    assert_eq!(compose("Bonjour", None, None), "Bonjour");
    assert_eq!(compose("Bonjour", Some(""), Some("  ")), "Bonjour");
    assert_eq!(
        compose("Bonjour", None, Some(DEFAULT_STOP_MENTION)),
        "Bonjour\nSTOP au 36608"
    );
    assert_eq!(compose("Bonjour", Some("CCAS"), None), "Bonjour\nCCAS");

    // 146 + 1 + 13 = 160 septets: one segment; one more character makes two.
    let fits = compose(&rep("a", 146), None, Some(DEFAULT_STOP_MENTION));
    assert_eq!(analyse(&fits).segments, 1);
    let over = compose(&rep("a", 147), None, Some(DEFAULT_STOP_MENTION));
    assert_eq!(analyse(&over).segments, 2);
}

#[test]
fn stop_replies() {
    use smsdesk::sms::sender::{OptOutReply, classify_opt_out};
    let opt_out = [
        "STOP",
        "stop",
        "Stop",
        " Stop ! ",
        "stop.",
        "STOP\n",
        "ARRET",
        "arrêt",
        "Arrêt !!",
        "STOP SMS",
        "stop  sms",
        "Stop-SMS",
        "STOPSMS",
        "désabonner",
        "Unsubscribe",
        "«STOP»",
        "ＳＴＯＰ",
        "STOP merci",
        "Stop svp",
        "stop SVP !",
        "arrêt SVP",
        "Arrêt s'il vous plaît",
        "STOP s'il vous plait merci",
        "Stop merci beaucoup",
        "Merci, stop.",
        "Bonjour, STOP",
        "Bonjour STOP merci",
        "stop stp",
        "STOP STOP STOP",
        "Stop!!!",
        "STOP 🙏",
        "stop merci 😊",
        "Stop please",
        "unsubscribe thanks",
        "Désinscrire svp",
        "STOP SMS merci",
        "Arret sms svp",
        "stop, cordialement",
        "Bonsoir madame, stop",
        "stop thx",
    ];
    for text in opt_out {
        assert_eq!(
            classify_opt_out(text),
            OptOutReply::OptOut,
            "{text:?} opts out"
        );
        assert!(is_stop_reply(text), "{text:?} opts out");
    }
    let review = [
        "stop le rdv de demain?",
        "non stop",
        "je veux arrêter",
        "stopper",
        "je ne veux plus mais stop si vous changez l'heure",
        "Stop, je serai en retard de 10 minutes",
        "oui stop",
        "STOP ou pas je viendrai",
        "arrêtez de m'écrire",
        "Merci de me désinscrire",
        "je souhaite me désabonner",
        "stop pour jeudi",
    ];
    for text in review {
        assert_eq!(
            classify_opt_out(text),
            OptOutReply::Unclear,
            "{text:?} goes to review"
        );
        assert!(!is_stop_reply(text), "{text:?} does not opt out by itself");
    }
    let ordinary = [
        "",
        "   ",
        "OK",
        "oui",
        "Oui merci",
        "merci",
        "S T O P",
        "à demain",
        "Non je ne viendrai pas",
        "STOPPING", // not a French or English stop word
    ];
    for text in ordinary {
        assert_eq!(
            classify_opt_out(text),
            OptOutReply::No,
            "{text:?} is an ordinary reply"
        );
    }
}

#[test]
fn keyword_normalisation() {
    assert_eq!(normalize_keyword(" Arrêt ! "), "ARRET");
    assert_eq!(normalize_keyword("oui,  merci\n"), "OUI MERCI");
    assert_eq!(normalize_keyword("Oui !!! 👍"), "OUI");
    assert_eq!(normalize_keyword("cœur ÇA"), "COEUR CA");
    assert_eq!(normalize_keyword("12h30"), "12H30");
    assert_eq!(normalize_keyword("NON."), "NON");
    assert_eq!(normalize_keyword(""), "");
}

// ---------------------------------------------------------------------------------------
// Properties, checked against a reference model written from the standard.

/// Cost of a char in the encoding the whole text uses (reference model).
fn ref_cost(text: &str, c: char) -> usize {
    let gsm = text.chars().all(is_gsm7_char);
    if gsm {
        if "^{}\\[]~|€\u{000C}".contains(c) {
            2
        } else {
            1
        }
    } else {
        c.len_utf16()
    }
}

/// Fewest segments any cut of the text into contiguous parts can achieve (dynamic
/// programming over prefixes, independent of the greedy implementation).
fn min_segments(text: &str) -> usize {
    let costs: Vec<usize> = text.chars().map(|c| ref_cost(text, c)).collect();
    let total: usize = costs.iter().sum();
    if total == 0 {
        return 0;
    }
    let gsm = text.chars().all(is_gsm7_char);
    let (single, multi) = if gsm { (160, 153) } else { (70, 67) };
    if total <= single {
        return 1;
    }
    let n = costs.len();
    let mut best = vec![usize::MAX; n + 1];
    best[0] = 0;
    for end in 1..=n {
        let mut sum = 0;
        for start in (0..end).rev() {
            sum += costs[start];
            if sum > multi {
                break;
            }
            if best[start] != usize::MAX {
                best[end] = best[end].min(best[start] + 1);
            }
        }
    }
    best[n]
}

fn text_from(pool: &'static [char], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(pool), 0..max).prop_map(|v| v.into_iter().collect())
}

const GSM_POOL: &[char] = &[
    'a', 'b', ' ', 'é', '\n', '€', '{', '^', '|', 'Ç', '@', '\u{000C}',
];
const UCS_POOL: &[char] = &['a', 'ê', '€', '😀', '👍', 'ç', ' ', '𝄞', '\u{A0}', 'é'];
const FRENCH_POOL: &[char] = &[
    'a', 'b', 'c', 'z', 'A', 'Z', '0', '9', ' ', '\n', 'à', 'â', 'ä', 'ç', 'é', 'è', 'ê', 'ë', 'î',
    'ï', 'ô', 'ö', 'ù', 'û', 'ü', 'ÿ', 'æ', 'œ', 'À', 'Â', 'Ä', 'Ç', 'É', 'È', 'Ê', 'Ë', 'Î', 'Ï',
    'Ô', 'Ö', 'Ù', 'Û', 'Ü', 'Ÿ', 'Æ', 'Œ', '.', ',', ';', ':', '!', '?', '\'', '"', '(', ')', '-',
    '/', '%', '€', '&', '+', '=', '@', '*', '’', '‘', '“', '”', '«', '»', '–', '—', '…', '\u{A0}',
    '\u{202F}', '\u{2009}', '\u{2007}', '°', '\u{200B}', '\u{FEFF}', '‹', '›', '$', '_', '#', '[',
    ']',
];

fn mixed_text() -> impl Strategy<Value = String> {
    prop_oneof![
        text_from(GSM_POOL, 700),
        text_from(UCS_POOL, 300),
        // Mostly GSM with rare foreign characters, around the boundaries.
        (
            150usize..480,
            any::<prop::sample::Index>(),
            prop::sample::select(UCS_POOL)
        )
            .prop_map(|(n, at, c)| {
                let mut v: Vec<char> = (0..n).map(|i| if i % 7 == 3 { '€' } else { 'x' }).collect();
                v.insert(at.index(n + 1), c);
                v.into_iter().collect()
            }),
        any::<String>(),
    ]
}

/// `PROPTEST_CASES` when set (to search harder on a developer's machine), else `default`.
fn cases_or(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases_or(400)))]

    #[test]
    fn segmentation_is_sound_and_minimal(text in mixed_text()) {
        let info = analyse(&text);
        let parts = split_segments(&text);
        let gsm = text.chars().all(is_gsm7_char);
        prop_assert_eq!(info.encoding, if gsm { Encoding::Gsm7 } else { Encoding::Ucs2 });
        prop_assert_eq!(info.chars, text.chars().count());
        let units: usize = text.chars().map(|c| ref_cost(&text, c)).sum();
        prop_assert_eq!(info.units, units);

        // Joining the parts gives the text back; one part per segment, none empty.
        prop_assert_eq!(parts.concat(), text.clone());
        prop_assert_eq!(parts.len(), info.segments);
        prop_assert!(parts.iter().all(|p| !p.is_empty()));

        // Every part fits its segment (so no escape or surrogate pair is cut: parts are
        // made of whole characters and their costs include the whole pair).
        let cap = info.per_segment;
        let part_cost = |p: &str| p.chars().map(|c| ref_cost(&text, c)).sum::<usize>();
        for p in &parts {
            prop_assert!(part_cost(p) <= cap, "part of {} units > {}", part_cost(p), cap);
        }
        // Greedy: a part ends only because the next character would not fit.
        for w in parts.windows(2) {
            let next = w[1].chars().next().map(|c| ref_cost(&text, c)).unwrap_or(0);
            prop_assert!(part_cost(w[0]) + next > cap);
        }
        // And greedy is minimal.
        prop_assert_eq!(info.segments, min_segments(&text));

        // Capacities and room left.
        let (single, multi) = if gsm { (160, 153) } else { (70, 67) };
        prop_assert_eq!(info.per_segment, if info.segments > 1 { multi } else { single });
        let last = parts.last().map(|p| part_cost(p)).unwrap_or(0);
        prop_assert_eq!(info.remaining, info.per_segment - last);

        // Split indices are where parts 2.. start, in characters.
        let mut starts = Vec::new();
        let mut acc = 0;
        for p in &parts {
            if acc > 0 { starts.push(acc); }
            acc += p.chars().count();
        }
        prop_assert_eq!(&info.splits, &starts);

        // Distinct foreign characters, in order of first appearance.
        let mut expected: Vec<char> = Vec::new();
        for c in text.chars() {
            if !is_gsm7_char(c) && !expected.contains(&c) { expected.push(c); }
        }
        prop_assert_eq!(&info.non_gsm, &expected);
    }

    #[test]
    fn french_text_becomes_gsm7(text in text_from(FRENCH_POOL, 400)) {
        let out = to_gsm7(&text);
        prop_assert!(out.chars().all(is_gsm7_char), "{:?} -> {:?}", text, out);
        prop_assert_eq!(analyse(&out).encoding, Encoding::Gsm7);
        // Applying it twice changes nothing more.
        prop_assert_eq!(to_gsm7(&out), out.clone());
    }

    #[test]
    fn gsm7_text_is_left_unchanged(text in text_from(GSM_POOL, 300)) {
        prop_assert_eq!(to_gsm7(&text), text);
    }

    #[test]
    fn transliteration_never_adds_foreign_characters(text in any::<String>()) {
        let out = to_gsm7(&text);
        let before = analyse(&text).non_gsm.len();
        let after = analyse(&out).non_gsm.len();
        prop_assert!(after <= before, "{:?} -> {:?}", text, out);
    }

    #[test]
    fn valid_senders_match_the_rule(s in "[A-Za-z0-9 éè_.-]{0,14}") {
        let ok = (3..=11).contains(&s.chars().count())
            && s.chars().all(|c| c.is_ascii_alphanumeric())
            && s.chars().any(|c| c.is_ascii_alphabetic());
        prop_assert_eq!(validate_sender(&s).is_ok(), ok, "{:?}", s);
    }
}
