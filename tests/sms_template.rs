//! Acceptance tests for merge fields and template rendering (SPEC §2 Templates / Composing).

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use smsdesk::sms::template::{
    EventData, Field, FieldErrorKind, Lang, MergeData, OrgData, ParticipantData, PersonData,
    RenderError, TemplateContext, catalogue, fields_used, missing_fields, parse, render,
};

const EVENT_CONTEXTS: [TemplateContext; 3] = [
    TemplateContext::Interview,
    TemplateContext::Step,
    TemplateContext::Orientation,
];

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn data_at(start: NaiveDateTime) -> MergeData {
    let mut d = MergeData::sample(Lang::Fr);
    d.event.as_mut().unwrap().start = Some(start);
    d
}

fn render_text(text: &str, ctx: TemplateContext, data: &MergeData, lang: Lang) -> String {
    let t = parse(text, ctx).unwrap_or_else(|e| panic!("{text:?} should parse: {e:?}"));
    render(&t, data, lang).unwrap_or_else(|e| panic!("{text:?} should render: {e}"))
}

fn errors(text: &str, ctx: TemplateContext) -> Vec<smsdesk::sms::template::FieldError> {
    match parse(text, ctx) {
        Ok(t) => panic!("{text:?} should be refused in {ctx}, parsed as {t:?}"),
        Err(e) => e,
    }
}

// ---- catalogue and contexts -----------------------------------------------------------------

const ALL_KEYS: [&str; 18] = [
    "participant.civility",
    "participant.first_name",
    "participant.last_name",
    "participant.full_name",
    "participant.programme",
    "event.date",
    "event.time",
    "event.datetime",
    "event.type",
    "event.location",
    "event.kind",
    "collaborator.first_name",
    "collaborator.last_name",
    "collaborator.full_name",
    "collaborator.phone",
    "organisation.name",
    "organisation.sender",
    "organisation.signature",
];

#[test]
fn every_field_is_usable_in_event_contexts_and_renders_its_sample() {
    for ctx in EVENT_CONTEXTS {
        let keys: Vec<&str> = catalogue(ctx).iter().map(|s| s.key).collect();
        assert_eq!(keys, ALL_KEYS, "catalogue of {ctx}");
        for lang in Lang::ALL {
            let data = MergeData::sample(lang);
            for spec in catalogue(ctx) {
                let text = spec.placeholder();
                assert_eq!(text, format!("{{{{{}}}}}", spec.key));
                let out = render_text(&text, ctx, &data, lang);
                assert_eq!(out, spec.sample(lang), "{} in {ctx} ({lang})", spec.key);
                assert!(!out.is_empty());
            }
        }
    }
}

#[test]
fn batch_has_no_event_fields() {
    let keys: Vec<&str> = catalogue(TemplateContext::Batch)
        .iter()
        .map(|s| s.key)
        .collect();
    let expected: Vec<&str> = ALL_KEYS
        .iter()
        .copied()
        .filter(|k| !k.starts_with("event."))
        .collect();
    assert_eq!(keys, expected);
    let data = MergeData::sample(Lang::Fr);
    for key in expected {
        let out = render_text(
            &format!("{{{{{key}}}}}"),
            TemplateContext::Batch,
            &data,
            Lang::Fr,
        );
        assert!(!out.is_empty(), "{key}");
    }
    for key in ALL_KEYS.iter().filter(|k| k.starts_with("event.")) {
        let errs = errors(&format!("Rdv {{{{{key}}}}}"), TemplateContext::Batch);
        assert_eq!(errs.len(), 1);
        assert!(
            matches!(errs[0].kind, FieldErrorKind::NotInContext { field, context: TemplateContext::Batch } if field == *key),
            "{key}: {:?}",
            errs[0].kind
        );
        assert_eq!((errs[0].line, errs[0].column, errs[0].offset), (1, 5, 4));
        let msg = errs[0].to_string();
        assert!(msg.contains(key) && msg.contains("batch"), "{msg}");
    }
}

#[test]
fn free_accepts_no_field_at_all() {
    assert!(catalogue(TemplateContext::Free).is_empty());
    for key in ALL_KEYS {
        let errs = errors(&format!("Bonjour {{{{{key}}}}}"), TemplateContext::Free);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].kind, FieldErrorKind::FieldsNotAllowed);
        assert_eq!(errs[0].column, 9);
    }
    // Any `{{`, even unknown, empty or unclosed, is refused in a free send.
    for text in ["{{}}", "{{ nimporte }}", "a {{ b", "x {{y|%d}} z", "{{{"] {
        let errs = errors(text, TemplateContext::Free);
        assert!(
            errs.iter()
                .all(|e| e.kind == FieldErrorKind::FieldsNotAllowed),
            "{text}: {errs:?}"
        );
    }
    // Plain text (lone braces included) is fine.
    let t = parse("Fermé le {lundi} } {", TemplateContext::Free).unwrap();
    assert!(t.is_plain());
    assert_eq!(
        render(&t, &MergeData::default(), Lang::Fr).unwrap(),
        "Fermé le {lundi} } {"
    );
}

#[test]
fn context_names_labels_and_serde() {
    for ctx in TemplateContext::ALL {
        assert_eq!(ctx.as_str().parse::<TemplateContext>().unwrap(), ctx);
        let json = serde_json::to_string(&ctx).unwrap();
        assert_eq!(json, format!("\"{}\"", ctx.as_str()));
        assert_eq!(serde_json::from_str::<TemplateContext>(&json).unwrap(), ctx);
        assert!(!ctx.label(Lang::Fr).is_empty() && !ctx.label(Lang::En).is_empty());
    }
    assert_eq!(TemplateContext::Interview.label(Lang::Fr), "Entretien");
    assert_eq!(TemplateContext::Step.label(Lang::Fr), "Étape");
    assert_eq!(
        "Entretien".parse::<TemplateContext>().unwrap(),
        TemplateContext::Interview
    );
    assert!("meeting".parse::<TemplateContext>().is_err());
    assert_eq!("fr_FR.UTF-8".parse::<Lang>().unwrap(), Lang::Fr);
    assert_eq!("en".parse::<Lang>().unwrap(), Lang::En);
    assert!("de".parse::<Lang>().is_err());
    assert_eq!(serde_json::to_string(&Lang::En).unwrap(), "\"en\"");
}

#[test]
fn field_labels_exist_in_both_languages() {
    for spec in catalogue(TemplateContext::Interview) {
        assert!(!spec.label(Lang::Fr).is_empty() && !spec.label(Lang::En).is_empty());
        assert_eq!(
            spec.is_date,
            matches!(spec.key, "event.date" | "event.time" | "event.datetime")
        );
        assert_eq!(Field::from_key(spec.key), Some(spec.field));
    }
}

// ---- parsing errors with positions -------------------------------------------------------------

#[test]
fn unknown_field_is_refused_with_its_position() {
    let errs = errors(
        "Bonjour {{participant.prenom}} !",
        TemplateContext::Interview,
    );
    assert_eq!(errs.len(), 1);
    let e = &errs[0];
    assert!(
        matches!(&e.kind, FieldErrorKind::Unknown { name, .. } if name == "participant.prenom")
    );
    assert_eq!((e.offset, e.line, e.column), (8, 1, 9));
    assert_eq!(e.len, "{{participant.prenom}}".len());
    assert!(e.to_string().contains("participant.prenom"));
    assert!(e.to_string().contains("line 1, column 9"));
}

#[test]
fn positions_are_right_on_multi_line_unicode_text() {
    let text = "Bonjour {{participant.first_name}},\nÉlodie 😀 vous attend le {{event.dte}}\n\
                et {{collaborator.nom}} aussi";
    let errs = errors(text, TemplateContext::Interview);
    assert_eq!(errs.len(), 2, "{errs:?}");
    // Line 2: "Élodie 😀 vous attend le " is 24 characters (the emoji is one).
    assert_eq!((errs[0].line, errs[0].column), (2, 25));
    assert_eq!(errs[0].offset, 36 + 24);
    assert!(
        matches!(&errs[0].kind, FieldErrorKind::Unknown { name, suggestion: Some("event.date") } if name == "event.dte")
    );
    assert_eq!((errs[1].line, errs[1].column), (3, 4));
    assert!(
        matches!(&errs[1].kind, FieldErrorKind::Unknown { name, .. } if name == "collaborator.nom")
    );
    // The offset points at the `{{` in characters.
    let chars: Vec<char> = text.chars().collect();
    for e in &errs {
        assert_eq!(chars[e.offset], '{');
        assert_eq!(chars[e.offset + 1], '{');
    }
}

#[test]
fn typos_get_a_suggestion() {
    let errs = errors("{{first_name}}", TemplateContext::Batch);
    assert!(matches!(
        &errs[0].kind,
        FieldErrorKind::Unknown {
            suggestion: Some("participant.first_name"),
            ..
        }
    ));
    assert!(
        errs[0]
            .to_string()
            .contains("did you mean `participant.first_name`")
    );
    let errs = errors("{{xyzzy}}", TemplateContext::Interview);
    assert!(matches!(
        &errs[0].kind,
        FieldErrorKind::Unknown {
            suggestion: None,
            ..
        }
    ));
}

#[test]
fn unclosed_braces_are_errors_with_position() {
    let cases: [(&str, usize, usize); 5] = [
        ("Bonjour {{participant.first_name", 1, 9),
        ("Bonjour {{participant.first_name}", 1, 9),
        ("Ligne 1\nà {{event.date\n}} demain", 2, 3),
        ("{{", 1, 1),
        (
            "é {{ participant.first_name {{participant.last_name}}",
            1,
            3,
        ),
    ];
    for (text, line, column) in cases {
        let errs = errors(text, TemplateContext::Interview);
        assert_eq!(errs[0].kind, FieldErrorKind::Unclosed, "{text}");
        assert_eq!((errs[0].line, errs[0].column), (line, column), "{text}");
        assert!(errs[0].to_string().contains("}}"));
    }
    // The last case: the inner field is fine, only the first `{{` is reported.
    let errs = errors(
        "é {{ participant.first_name {{participant.last_name}}",
        TemplateContext::Interview,
    );
    assert_eq!(errs.len(), 1);
}

#[test]
fn empty_field_is_refused() {
    for text in ["{{}}", "a {{   }} b", "{{ | %d }}"] {
        let errs = errors(text, TemplateContext::Interview);
        assert_eq!(errs[0].kind, FieldErrorKind::Empty, "{text}");
    }
}

#[test]
fn format_errors() {
    let errs = errors("{{participant.first_name|%A}}", TemplateContext::Interview);
    assert_eq!(
        errs[0].kind,
        FieldErrorKind::FormatOnText {
            field: "participant.first_name"
        }
    );
    let errs = errors("{{event.date|}}", TemplateContext::Interview);
    assert_eq!(
        errs[0].kind,
        FieldErrorKind::EmptyFormat {
            field: "event.date"
        }
    );
    for bad in ["%Q", "%", "%A %", "%E"] {
        let errs = errors(
            &format!("le {{{{event.date|{bad}}}}}"),
            TemplateContext::Step,
        );
        assert!(
            matches!(&errs[0].kind, FieldErrorKind::InvalidFormat { field: "event.date", format } if format == bad),
            "{bad}: {:?}",
            errs[0].kind
        );
        assert_eq!(errs[0].column, 4);
    }
    for tz in ["%Z", "%z", "%H:%M %:z", "%c"] {
        let errs = errors(
            &format!("{{{{event.time|{tz}}}}}"),
            TemplateContext::Orientation,
        );
        assert!(
            matches!(&errs[0].kind, FieldErrorKind::FormatNeedsTimezone { .. }),
            "{tz}: {:?}",
            errs[0].kind
        );
    }
}

#[test]
fn every_error_is_reported_at_once() {
    let text = "{{a}} {{event.date|%Q}}\n{{participant.first_name|%d}} {{";
    let errs = errors(text, TemplateContext::Interview);
    assert_eq!(errs.len(), 4, "{errs:?}");
    let pos: Vec<(usize, usize)> = errs.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(pos, [(1, 1), (1, 7), (2, 1), (2, 31)]);
}

// ---- dates and times --------------------------------------------------------------------------

#[test]
fn default_date_and_time_formats() {
    // (start, French date, English date, French time, English time)
    let cases = [
        (
            at(2026, 3, 28, 14, 30),
            "samedi 28 mars",
            "Saturday 28 March",
            "14h30",
            "2:30 pm",
        ),
        (
            at(2026, 3, 1, 8, 5),
            "dimanche 1er mars",
            "Sunday 1 March",
            "08h05",
            "8:05 am",
        ),
        (
            at(2026, 8, 15, 0, 0),
            "samedi 15 août",
            "Saturday 15 August",
            "00h00",
            "12:00 am",
        ),
        (
            at(2025, 12, 25, 12, 0),
            "jeudi 25 décembre",
            "Thursday 25 December",
            "12h00",
            "12:00 pm",
        ),
        (
            at(2026, 2, 2, 23, 59),
            "lundi 2 février",
            "Monday 2 February",
            "23h59",
            "11:59 pm",
        ),
        (
            at(2024, 2, 29, 9, 0),
            "jeudi 29 février",
            "Thursday 29 February",
            "09h00",
            "9:00 am",
        ),
    ];
    let ctx = TemplateContext::Interview;
    for (start, date_fr, date_en, time_fr, time_en) in cases {
        let d = data_at(start);
        assert_eq!(render_text("{{event.date}}", ctx, &d, Lang::Fr), date_fr);
        assert_eq!(render_text("{{event.date}}", ctx, &d, Lang::En), date_en);
        assert_eq!(render_text("{{event.time}}", ctx, &d, Lang::Fr), time_fr);
        assert_eq!(render_text("{{event.time}}", ctx, &d, Lang::En), time_en);
        assert_eq!(
            render_text("{{event.datetime}}", ctx, &d, Lang::Fr),
            format!("{date_fr} à {time_fr}")
        );
        assert_eq!(
            render_text("{{event.datetime}}", ctx, &d, Lang::En),
            format!("{date_en} at {time_en}")
        );
    }
}

#[test]
fn explicit_formats_use_french_or_english_names() {
    let d = data_at(at(2026, 3, 28, 9, 5));
    let ctx = TemplateContext::Interview;
    let cases = [
        (
            "{{event.date|%A %d %B}}",
            "samedi 28 mars",
            "Saturday 28 March",
        ),
        (
            "{{ event.date | %A %-d %B %Y }}",
            "samedi 28 mars 2026",
            "Saturday 28 March 2026",
        ),
        ("{{event.date|%a %d %b}}", "sam. 28 mars", "Sat 28 Mar"),
        ("{{event.date|%d/%m/%Y}}", "28/03/2026", "28/03/2026"),
        ("{{event.time|%Hh%M}}", "09h05", "09h05"),
        ("{{event.time|%H:%M}}", "09:05", "09:05"),
        (
            "{{event.datetime|le %d/%m à %Hh%M}}",
            "le 28/03 à 09h05",
            "le 28/03 à 09h05",
        ),
        (
            "{{event.date|%d %B | %Y}}",
            "28 mars | 2026",
            "28 March | 2026",
        ),
    ];
    for (text, fr, en) in cases {
        assert_eq!(render_text(text, ctx, &d, Lang::Fr), fr, "{text}");
        assert_eq!(render_text(text, ctx, &d, Lang::En), en, "{text}");
    }
    assert_eq!(
        render_text("{{event.time|%-I:%M %P}}", ctx, &d, Lang::En),
        "9:05 am"
    );
    let d = data_at(at(2026, 8, 1, 18, 0));
    assert_eq!(
        render_text("{{event.date|%A %d %B}}", ctx, &d, Lang::Fr),
        "samedi 01 août"
    );
    let d = data_at(at(2026, 12, 7, 18, 0));
    assert_eq!(
        render_text("{{event.date|%A %-d %B}}", ctx, &d, Lang::Fr),
        "lundi 7 décembre"
    );
}

// ---- rendering ---------------------------------------------------------------------------------

#[test]
fn typical_reminder_renders_in_full() {
    let text = "Bonjour {{participant.civility}} {{participant.last_name}}, rappel de votre \
                {{event.kind}} le {{event.date}} à {{event.time}} avec \
                {{collaborator.full_name}} ({{collaborator.phone}}).\n{{organisation.signature}}";
    let mut d = data_at(at(2026, 3, 28, 14, 30));
    d.collaborator.as_mut().unwrap().phone = Some("+262692123456".into());
    assert_eq!(
        render_text(text, TemplateContext::Interview, &d, Lang::Fr),
        "Bonjour Mme Martin, rappel de votre entretien le samedi 28 mars à 14h30 avec \
         Julien Dubois (0692 12 34 56).\nMission locale de Lyon - 04 78 00 00 00"
    );
}

#[test]
fn missing_or_empty_value_is_an_error_naming_the_field() {
    let ctx = TemplateContext::Interview;
    let sample = MergeData::sample(Lang::Fr);
    let mut cases: Vec<(MergeData, &str)> = Vec::new();

    let mut d = sample.clone();
    d.participant = None;
    cases.push((d, "participant.first_name"));
    let mut d = sample.clone();
    d.participant.as_mut().unwrap().first_name = None;
    cases.push((d, "participant.first_name"));
    let mut d = sample.clone();
    d.participant.as_mut().unwrap().first_name = Some("   ".into());
    cases.push((d, "participant.first_name"));
    let mut d = sample.clone();
    d.event.as_mut().unwrap().start = None;
    cases.push((d, "event.date"));
    let mut d = sample.clone();
    d.event = None;
    cases.push((d, "event.date"));
    let mut d = sample.clone();
    d.organisation = OrgData::default();
    cases.push((d, "organisation.signature"));
    let mut d = sample.clone();
    d.collaborator.as_mut().unwrap().phone = Some(String::new());
    cases.push((d, "collaborator.phone"));

    let t = parse(
        "Bonjour {{participant.first_name}}, le {{event.date}} appelez {{collaborator.phone}}. {{organisation.signature}}",
        ctx,
    )
    .unwrap();
    for (data, field) in cases {
        let err = render(&t, &data, Lang::Fr).unwrap_err();
        assert_eq!(err, RenderError::MissingValue { field });
        assert!(err.to_string().contains(field));
        assert!(missing_fields(&t, &data).contains(&field));
    }
    assert!(missing_fields(&t, &sample).is_empty());
}

#[test]
fn full_names_use_what_is_known() {
    let ctx = TemplateContext::Batch;
    let mut d = MergeData::sample(Lang::Fr);
    d.participant = Some(ParticipantData {
        last_name: Some("Nguyễn".into()),
        ..Default::default()
    });
    d.collaborator = Some(PersonData {
        first_name: Some(" Zoé ".into()),
        ..Default::default()
    });
    assert_eq!(
        render_text(
            "{{participant.full_name}}/{{collaborator.full_name}}",
            ctx,
            &d,
            Lang::Fr
        ),
        "Nguyễn/Zoé"
    );
    d.participant = Some(ParticipantData::default());
    let t = parse("{{participant.full_name}}", ctx).unwrap();
    assert_eq!(
        render(&t, &d, Lang::Fr),
        Err(RenderError::MissingValue {
            field: "participant.full_name"
        })
    );
}

#[test]
fn values_cannot_break_the_message() {
    let mut d = MergeData::sample(Lang::Fr);
    d.participant.as_mut().unwrap().first_name = Some(" Jean\n\tPierre\u{7} ".into());
    assert_eq!(
        render_text(
            "Bonjour {{participant.first_name}} !",
            TemplateContext::Batch,
            &d,
            Lang::Fr
        ),
        "Bonjour Jean Pierre !"
    );
}

#[test]
fn braces_edge_cases() {
    let d = MergeData::sample(Lang::Fr);
    let ctx = TemplateContext::Interview;
    let cases = [
        ("{participant.first_name}", "{participant.first_name}"),
        ("a } b { c", "a } b { c"),
        ("}}", "}}"),
        ("}}{{participant.first_name}}", "}}Camille"),
        (
            "{ {participant.first_name} }",
            "{ {participant.first_name} }",
        ),
        ("{{{participant.first_name}}}", "{Camille}"),
        ("{{participant.first_name}}}", "Camille}"),
        (
            "{{participant.first_name}}{{participant.last_name}}",
            "CamilleMartin",
        ),
        ("{{  participant.first_name\t}}", "Camille"),
        (
            "«{{participant.first_name}}» 😀 ça va ?",
            "«Camille» 😀 ça va ?",
        ),
        ("", ""),
    ];
    for (text, expected) in cases {
        assert_eq!(render_text(text, ctx, &d, Lang::Fr), expected, "{text:?}");
    }
}

#[test]
fn fields_used_lists_distinct_keys_in_order() {
    let t = parse(
        "{{event.date}} {{participant.first_name}} {{event.date|%d}} {{organisation.name}}",
        TemplateContext::Step,
    )
    .unwrap();
    assert_eq!(
        fields_used(&t),
        ["event.date", "participant.first_name", "organisation.name"]
    );
    assert!(t.uses_event_fields());
    let t = parse("Bonjour {{participant.first_name}}", TemplateContext::Step).unwrap();
    assert!(!t.uses_event_fields());
    let t = parse("Texte simple", TemplateContext::Step).unwrap();
    assert!(fields_used(&t).is_empty());
    assert!(t.is_plain());
}

#[test]
fn event_data_can_be_filled_by_hand() {
    let d = MergeData {
        participant: Some(ParticipantData {
            civility: Some("M.".into()),
            first_name: Some("Ahmed".into()),
            last_name: Some("Benali".into()),
            programme: Some("PLIE".into()),
        }),
        event: Some(EventData {
            start: Some(at(2026, 4, 6, 10, 0)),
            event_type: Some("Atelier CV".into()),
            location: Some("Agence Nord".into()),
            kind: Some("étape".into()),
        }),
        collaborator: Some(PersonData {
            first_name: Some("Léa".into()),
            last_name: Some("Roux".into()),
            phone: Some("0478000000".into()),
        }),
        organisation: OrgData {
            name: Some("PLIE Nord".into()),
            sender: Some("PLIENORD".into()),
            signature: Some("PLIE Nord".into()),
        },
    };
    assert_eq!(
        render_text(
            "{{event.type}} ({{event.kind}}, {{participant.programme}}) {{event.datetime}}, {{event.location}}. Tél {{collaborator.phone}}",
            TemplateContext::Step,
            &d,
            Lang::Fr
        ),
        "Atelier CV (étape, PLIE) lundi 6 avril à 10h00, Agence Nord. Tél 0478000000"
    );
}

proptest! {
    #[test]
    fn text_without_double_brace_renders_to_itself(
        text in proptest::collection::vec(
            prop_oneof![
                Just('{'), Just('}'), Just('|'), Just('\n'), Just('%'), Just('é'), Just('😀'),
                any::<char>(),
            ],
            0..80,
        ).prop_map(|v| v.into_iter().collect::<String>()),
        ctx_index in 0usize..5,
        en in any::<bool>(),
    ) {
        prop_assume!(!text.contains("{{"));
        let ctx = TemplateContext::ALL[ctx_index];
        let lang = if en { Lang::En } else { Lang::Fr };
        let t = parse(&text, ctx).unwrap();
        prop_assert!(t.is_plain());
        prop_assert_eq!(render(&t, &MergeData::default(), lang).unwrap(), text);
    }

    #[test]
    fn any_date_renders_with_names_of_the_language(
        days in 0i64..20_000,
        minutes in 0u32..1440,
    ) {
        let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(days as u64);
        let start = date.and_hms_opt(minutes / 60, minutes % 60, 0).unwrap();
        let d = data_at(start);
        let t = parse("{{event.datetime}}", TemplateContext::Interview).unwrap();
        let fr = render(&t, &d, Lang::Fr).unwrap();
        let en = render(&t, &d, Lang::En).unwrap();
        // Cross-check against chrono's own locale tables.
        let fr_day = start.date().format_localized("%A", chrono::Locale::fr_FR).to_string();
        let fr_month = start.date().format_localized("%B", chrono::Locale::fr_FR).to_string();
        prop_assert!(fr.starts_with(&format!("{fr_day} ")), "{}", fr);
        prop_assert!(fr.contains(&format!(" {fr_month} à ")), "{}", fr);
        prop_assert!(fr.ends_with(&start.format("%Hh%M").to_string()), "{}", fr);
        prop_assert!(en.starts_with(&start.format("%A %-d %B at ").to_string()), "{}", en);
        prop_assert!(en.ends_with(&start.format("%-I:%M %P").to_string()), "{}", en);
    }
}

/// A template error says where and what in the operator's language; English on the command line.
#[test]
fn a_template_error_reads_in_french_and_in_english() {
    use smsdesk::i18n::Describe;
    let errs = errors("Bonjour {{event.dte}}", TemplateContext::Interview);
    assert_eq!(
        errs[0].describe(Lang::Fr),
        "ligne 1, colonne 9 : champ de fusion inconnu `event.dte` (vouliez-vous dire `event.date` ?)"
    );
    assert_eq!(
        errs[0].to_string(),
        "line 1, column 9: unknown merge field `event.dte` (did you mean `event.date`?)"
    );
    let errs = errors("{{event.date}}", TemplateContext::Batch);
    assert_eq!(
        errs[0].kind.describe(Lang::Fr),
        "le champ de fusion `event.date` n'est pas disponible dans les modèles de type groupé \
         (il n'y a pas d'événement)"
    );
    let errs = errors("{{ participant.first_name", TemplateContext::Interview);
    assert_eq!(
        errs[0].kind.to_string(),
        "`{{` is not closed by `}}` on the same line"
    );
}
