//! `smsdesk contact add|set|show|archive`: one contact, checked like a row of an import; every
//! refusal exits 2 with one line naming the field; a queued message keeps the number it was
//! queued with; archiving takes a contact out of batches and automations, audited with who.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// As `user` on Tuesday 10 March 2026, 11:00 in Paris.
fn smsdesk(db: &Path, user: &str, args: &[&str]) -> Output {
    support::smsdesk::output(db, user, &[("SMSDESK_NOW", "2026-03-10T10:00:00Z")], args)
}

fn ok_json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = smsdesk(db, "admin", &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// `contact add` with `fields`, which must succeed; the new contact's id.
fn add_contact(db: &Path, fields: &[&str]) -> i64 {
    let mut args = vec!["contact", "add"];
    args.extend_from_slice(fields);
    let id = ok_json(db, &args)["id"].as_i64();
    id.unwrap_or_else(|| panic!("{args:?}: no id"))
}

fn bad_input(db: &Path, args: &[&str]) -> String {
    support::smsdesk::refusal(&smsdesk(db, "admin", args), args)
}

fn store(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("s.db");
    // The first login to use a store becomes its administrator.
    let out = smsdesk(&db, "admin", &["credit", "add", "100"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

#[test]
fn bad_input_to_add_and_set_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let cases: &[(&[&str], &str)] = &[
        (
            &["--last-name", "Roux", "--mobile", "06 12 34"],
            "mobile \"06 12 34\"",
        ),
        (
            &[
                "--last-name",
                "Roux",
                "--mobile",
                "01 45 45 45 45",
                "--landline",
                "01 45 45 45 46",
            ],
            "mobile \"01 45 45 45 45\"",
        ),
        (
            &["--last-name", "Roux", "--mobile2", "abc"],
            "second mobile \"abc\"",
        ),
        (
            &["--last-name", "Roux", "--consent", "peut-être"],
            "SMS consent \"peut-être\"",
        ),
        (
            &["--last-name", "Roux", "--type", "fournisseur"],
            "type \"fournisseur\"",
        ),
        (&["--first-name", ""], "last name: no name"),
        (
            &["--last-name", "Roux", "--email", "roux@"],
            "e-mail \"roux@\"",
        ),
        (
            &["--last-name", "Roux", "--attr", "sans signe égal"],
            "attribute \"sans signe égal\"",
        ),
        (
            &["--last-name", "Roux", "--collaborator", "Personne"],
            "collaborator \"Personne\"",
        ),
        (
            &[
                "--last-name",
                "Roux",
                "--mobile",
                "0612345601",
                "--opt-out",
                "oui",
                "--opt-out-date",
                "31/12/2030",
            ],
            "opt-out date \"31/12/2030\": in the future",
        ),
        (
            &[
                "--last-name",
                "Roux",
                "--mobile",
                "0612345601",
                "--opt-out",
                "oui",
                "--opt-out-source",
                "pigeon",
            ],
            "opt-out source \"pigeon\"",
        ),
        (
            &["--last-name", "Roux", "--opt-out", "oui"],
            "opt-out \"oui\": no mobile",
        ),
        (&["--last-name", "Roux\u{7}"], "last name"),
    ];
    for (fields, named) in cases {
        let mut args = vec!["contact", "add"];
        args.extend_from_slice(fields);
        let err = bad_input(&db, &args);
        assert!(err.contains(named), "{args:?}: {err}");
        // The bell is never written back to a terminal.
        assert!(!err.contains('\u{7}'), "{err}");
    }
    // Nothing was created by a refused add.
    assert_eq!(
        smsdesk(&db, "admin", &["contact", "show", "1"])
            .status
            .code(),
        Some(2)
    );

    let id = add_contact(
        &db,
        &[
            "--first-name",
            "Léa",
            "--last-name",
            "Roux",
            "--mobile",
            "06 12 34 56 01",
        ],
    )
    .to_string();
    // The same mobile twice is the import's duplicate, named by the field.
    let err = bad_input(
        &db,
        &[
            "contact",
            "add",
            "--last-name",
            "Autre",
            "--mobile",
            "+33612345601",
        ],
    );
    assert!(
        err.contains("mobile \"+33612345601\"") && err.contains("Léa Roux"),
        "{err}"
    );
    for (fields, named) in [
        (vec!["--mobile", "12"], "mobile \"12\""),
        (
            vec!["--first-name", "", "--last-name", ""],
            "last name: no name",
        ),
        (vec!["--consent", "bof"], "SMS consent \"bof\""),
        (vec!["--opt-out", "peut-être"], "opt-out \"peut-être\""),
    ] {
        let mut args = vec!["contact", "set", id.as_str()];
        args.extend_from_slice(&fields);
        let err = bad_input(&db, &args);
        assert!(err.contains(named), "{args:?}: {err}");
    }
    let err = bad_input(&db, &["contact", "set", &id]);
    assert!(err.contains("nothing to change"), "{err}");
    let err = bad_input(&db, &["contact", "set", "999", "--first-name", "X"]);
    assert!(err.contains("participant #999"), "{err}");
    let err = bad_input(&db, &["contact", "show", "--mobile", "06 99"]);
    assert!(err.contains("mobile \"06 99\""), "{err}");
    // The refused changes left the contact as it was.
    let shown = ok_json(&db, &["contact", "show", &id]);
    assert_eq!(shown["mobile"], "+33612345601");
    assert_eq!(shown["first_name"], "Léa");
    assert_eq!(shown["sms_consent"], true);
}

#[test]
fn a_contact_is_created_edited_field_by_field_and_shown_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let c = ok_json(
        &db,
        &[
            "contact",
            "add",
            "--civility",
            "madame",
            "--first-name",
            "  Léa ",
            "--last-name",
            "Roux",
            "--mobile",
            "06 12 34 56 01",
            "--type",
            "entreprise",
            "--programme",
            "Atelier",
            "--consent",
            "non",
            "--attr",
            "Ville=Lyon",
            "--attr",
            "Vélo=VTT rouge",
        ],
    );
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["civility"], "Mme");
    assert_eq!(c["first_name"], "Léa");
    assert_eq!(c["mobile"], "+33612345601");
    assert_eq!(c["kind"], "company");
    assert_eq!(c["sms_consent"], false);
    assert_eq!(c["attributes"]["Vélo"], "VTT rouge");

    // Only the fields given change; `KEY=` removes an attribute.
    let c = ok_json(
        &db,
        &[
            "contact",
            "set",
            &id.to_string(),
            "--mobile",
            "07 81 23 45 67",
            "--consent",
            "oui",
            "--attr",
            "Ville=",
            "--opt-out",
            "oui",
            "--opt-out-date",
            "01/03/2026",
            "--opt-out-source",
            "téléphone",
        ],
    );
    assert_eq!(c["mobile"], "+33781234567");
    assert_eq!(c["sms_consent"], true);
    assert_eq!(c["programme"], "Atelier");
    assert_eq!(c["civility"], "Mme");
    assert!(c["attributes"].get("Ville").is_none());
    assert_eq!(c["attributes"]["Vélo"], "VTT rouge");
    assert_eq!(c["opted_out"], true);
    assert_eq!(c["opt_out"]["source"], "phone");
    assert_eq!(c["opt_out"]["by"], "admin");
    // 1 March 2026, midnight in Paris.
    assert_eq!(c["opt_out"]["at"], 1_772_319_600);
    assert_eq!(
        c["changed"],
        serde_json::json!(["mobile", "sms_consent", "attributes", "opt_out"])
    );
    // A STOP is not lifted by an operator.
    let err = bad_input(
        &db,
        &["contact", "set", &id.to_string(), "--opt-out", "non"],
    );
    assert!(err.contains("opt-out \"non\""), "{err}");

    let shown = ok_json(&db, &["contact", "show", "--mobile", "07 81 23 45 67"]);
    assert_eq!(shown["id"], id);
    assert_eq!(shown["timeline"], serde_json::json!([]));
    let text =
        String::from_utf8(smsdesk(&db, "admin", &["contact", "show", &id.to_string()]).stdout)
            .unwrap();
    assert!(text.contains("Mme Léa Roux (company)"), "{text}");
    assert!(
        text.contains("opted out: 2026-02-28T23:00:00+00:00 (phone, by admin)"),
        "{text}"
    );
}

#[test]
fn a_queued_message_keeps_its_number_when_the_contact_changes_and_the_card_shows_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let id = add_contact(
        &db,
        &[
            "--first-name",
            "Marc",
            "--last-name",
            "Petit",
            "--mobile",
            "06 12 34 56 01",
        ],
    )
    .to_string();
    let sent = smsdesk(
        &db,
        "admin",
        &[
            "send",
            "--to",
            "0612345601",
            "--text",
            "Votre vélo est prêt",
            "--at",
            "2026-03-11T10:00",
        ],
    );
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let reply = smsdesk(
        &db,
        "admin",
        &[
            "simulate",
            "reply",
            "--from",
            "0612345601",
            "--text",
            "Merci, je passe demain",
        ],
    );
    assert!(
        reply.status.success(),
        "{}",
        String::from_utf8_lossy(&reply.stderr)
    );

    ok_json(&db, &["contact", "set", &id, "--mobile", "06 98 76 54 32"]);
    let upcoming = ok_json(&db, &["list", "upcoming"]);
    let queued = upcoming.as_array().unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["phone"], "+33612345601", "{queued:?}");

    // A programme step of theirs, listed with its kind.
    let step = {
        use smsdesk::store::events::{NewEvent, insert_event};
        let store = smsdesk::store::Store::open(&db).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-20T09:00:00Z")
            .unwrap()
            .to_utc();
        let step = NewEvent::planned(
            id.parse().unwrap(),
            smsdesk::sms::status::EventKind::Step,
            "Atelier CV".into(),
            (at, at.naive_utc()),
            "admin",
            at,
        );
        insert_event(store.conn(), &step).unwrap()
    };

    // The card: the message out (to the old number) and the reply in, newest first.
    let card = ok_json(&db, &["contact", "show", &id]);
    assert_eq!(card["mobile"], "+33698765432");
    assert_eq!(card["events"][0]["id"], step);
    assert_eq!(card["events"][0]["kind"], "step");
    let text = String::from_utf8(smsdesk(&db, "admin", &["contact", "show", &id]).stdout).unwrap();
    assert!(
        text.contains(&format!("event #{step} step 2026-03-20 09:00:00")),
        "{text}"
    );
    assert!(text.contains("[pending] Votre vélo est prêt"), "{text}");
    assert!(text.contains("[kept] Merci, je passe demain"), "{text}");
    let timeline = card["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2, "{timeline:?}");
    let dirs: Vec<&str> = timeline
        .iter()
        .map(|t| t["direction"].as_str().unwrap())
        .collect();
    // By when they leave: the message planned for tomorrow above today's reply.
    assert_eq!(dirs, ["out", "in"]);
    assert_eq!(timeline[1]["text"], "Merci, je passe demain");
    assert_eq!(timeline[0]["phone"], "+33612345601");
    assert_eq!(timeline[0]["status"], "pending");
    // In: what the reply did, as its stored code.
    assert_eq!(timeline[1]["status"], "kept", "{timeline:?}");
    // A message sent after the change goes to the new number.
    ok_json(
        &db,
        &[
            "send",
            "--to",
            "0698765432",
            "--text",
            "Nouveau numéro noté",
        ],
    );
    let card = ok_json(&db, &["contact", "show", &id, "--limit", "3"]);
    let out: Vec<&Value> = card["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["direction"] == "out")
        .collect();
    assert_eq!(out.len(), 2);
    let new = out
        .iter()
        .find(|t| {
            t["text"]
                .as_str()
                .unwrap()
                .starts_with("Nouveau numéro noté")
        })
        .unwrap();
    assert_eq!(new["phone"], "+33698765432");
    let first = out
        .iter()
        .find(|t| {
            t["text"]
                .as_str()
                .unwrap()
                .starts_with("Votre vélo est prêt")
        })
        .unwrap();
    assert_eq!(first["phone"], "+33612345601");
    // Paged: one at a time, newest first.
    let card = ok_json(&db, &["contact", "show", &id, "--limit", "1"]);
    assert_eq!(card["timeline"].as_array().unwrap().len(), 1);
}

#[test]
fn an_archived_contact_leaves_batches_and_comes_back_audited_with_who() {
    use smsdesk::store::participants::{self, ParticipantFilter};
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let a = add_contact(&db, &["--last-name", "Archivé", "--mobile", "0612345601"]);
    let b = add_contact(&db, &["--last-name", "Gardé", "--mobile", "0612345602"]);
    let archived = ok_json(&db, &["contact", "archive", &a.to_string()]);
    assert_eq!(archived["archived"], true);
    let err = bad_input(&db, &["contact", "archive", &a.to_string()]);
    assert!(err.contains("already archived"), "{err}");
    {
        let store = smsdesk::store::Store::open(&db).unwrap();
        let ids = participants::matching_ids(store.db(), &ParticipantFilter::default()).unwrap();
        assert_eq!(ids, vec![b]);
        let page = participants::page(
            store.db(),
            "",
            smsdesk::store::page::Page::forward(None, 10),
        )
        .unwrap();
        assert_eq!(page.iter().map(|p| p.id).collect::<Vec<_>>(), vec![b]);
        // Their history stays: the card still opens.
        assert!(
            smsdesk::store::card::detail(store.db(), a)
                .unwrap()
                .archived_at
                .is_some()
        );
        let audit = smsdesk::store::audit::page(store.db(), None, 1).unwrap();
        assert_eq!(audit[0].action, "participant.archive");
        assert_eq!(audit[0].actor, "admin");
        assert_eq!(audit[0].object_id, a.to_string());
    }
    // An individual send by number still reaches an archived contact's number, but the
    // rules that pick participants (automations) refuse them.
    {
        let store = smsdesk::store::Store::open(&db).unwrap();
        let refused = smsdesk::core::outbox::check_participant(store.db(), a).unwrap_err();
        assert!(
            refused.to_string().contains("archived contact"),
            "{refused}"
        );
    }
    let back = ok_json(&db, &["contact", "archive", &a.to_string(), "--undo"]);
    assert_eq!(back["archived"], false);
    let store = smsdesk::store::Store::open(&db).unwrap();
    let ids = participants::matching_ids(store.db(), &ParticipantFilter::default()).unwrap();
    assert_eq!(ids, vec![a, b]);
}

#[test]
fn an_operator_without_any_right_cannot_edit_contacts() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    assert!(
        smsdesk(&db, "admin", &["user", "add", "lecteur"])
            .status
            .success()
    );
    let out = smsdesk(&db, "lecteur", &["contact", "add", "--last-name", "X"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("create or edit contacts"), "{err}");
}

#[test]
fn the_timeline_is_read_by_keyset_pages_through_indexes() {
    use smsdesk::store::card;
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let id = add_contact(&db, &["--last-name", "Page", "--mobile", "0612345601"]);
    for (i, at) in ["2026-03-11T10:00", "2026-03-12T10:00", "2026-03-13T10:00"]
        .iter()
        .enumerate()
    {
        let text = format!("Message {i}");
        ok_json(
            &db,
            &["send", "--to", "0612345601", "--text", &text, "--at", at],
        );
    }
    for text in ["Réponse A", "Réponse B"] {
        ok_json(
            &db,
            &["simulate", "reply", "--from", "0612345601", "--text", text],
        );
    }
    let store = smsdesk::store::Store::open(&db).unwrap();
    let numbers = card::numbers_of(store.db(), id).unwrap();
    let whole = card::timeline(store.db(), id, &numbers, None, 100).unwrap();
    assert_eq!(whole.len(), 5);
    // Newest first: the three messages planned later, then the two replies of today.
    assert!(whole.windows(2).all(|w| w[0].at >= w[1].at), "{whole:?}");
    assert_eq!(whole[0].text.split('\n').next(), Some("Message 2"));
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = card::timeline(store.db(), id, &numbers, before, 2).unwrap();
        if page.is_empty() {
            break;
        }
        before = page.last().map(card::TimelineItem::key);
        paged.extend(page);
    }
    assert_eq!(paged, whole);
    let plan = card::timeline_plan(store.db()).unwrap().join("\n");
    assert!(plan.contains("messages_by_participant_time"), "{plan}");
    assert!(plan.contains("replies_by_phone"), "{plan}");
    assert!(!plan.contains("SCAN"), "{plan}");
}

#[test]
fn two_contacts_sharing_a_number_from_an_import_stay_editable() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let a = add_contact(&db, &["--last-name", "Mère", "--mobile", "0612345601"]);
    // A second contact on the same number, as an older store may hold (a family's phone).
    let b = add_contact(&db, &["--last-name", "Fils"]);
    {
        let store = smsdesk::store::Store::open(&db).unwrap();
        store
            .conn()
            .execute(
                "UPDATE participants SET mobile = '+33612345601' WHERE id = ?1",
                [b],
            )
            .unwrap();
    }
    let c = ok_json(
        &db,
        &["contact", "set", &b.to_string(), "--programme", "Atelier"],
    );
    assert_eq!(c["programme"], "Atelier");
    // Giving the number to a third one is still refused, naming the holder.
    let err = bad_input(
        &db,
        &[
            "contact",
            "add",
            "--last-name",
            "Autre",
            "--mobile",
            "06 12 34 56 01",
        ],
    );
    assert!(err.contains(&format!("#{a}")), "{err}");
}
