//! `smsdesk export` and `smsdesk import` as a script uses them: exit 0 on success, 2 with a
//! one-line reason on bad input, nothing written until `--yes`.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// As the administrator on Tuesday 10 March 2026, 11:00 in Paris, in French.
fn smsdesk(db: &Path, args: &[&str]) -> Output {
    let env = [
        ("SMSDESK_NOW", "2026-03-10T10:00:00Z"),
        ("LANG", "fr_FR.UTF-8"),
    ];
    support::smsdesk::output(db, "admin", &env, args)
}

fn bad_input(db: &Path, args: &[&str]) -> String {
    support::smsdesk::refusal(&smsdesk(db, args), args)
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn export_writes_the_filtered_list_and_refuses_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(smsdesk(&db, &["demo"]).status.success());
    let listed = json(&smsdesk(
        &db,
        &[
            "--json", "list", "sent", "--status", "failed", "--limit", "100000",
        ],
    ));
    let expected = listed.as_array().unwrap().len();
    assert!(expected > 0);

    let out = dir.path().join("echecs.csv");
    let res = json(&smsdesk(
        &db,
        &[
            "--json",
            "export",
            "sent",
            "--status",
            "failed",
            "-o",
            out.to_str().unwrap(),
        ],
    ));
    assert_eq!(res["rows"].as_u64().unwrap() as usize, expected);
    let text = std::fs::read_to_string(&out).unwrap();
    // Header + one line per message (texts may hold line breaks: count records, not lines).
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.records().count(), expected);

    let xlsx = dir.path().join("tout.xlsx");
    assert!(
        smsdesk(
            &db,
            &[
                "export",
                "upcoming",
                "--format",
                "xlsx",
                "-o",
                xlsx.to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    assert!(xlsx.exists());

    // A format that contradicts the file name, no format at all, a bad status, a missing folder.
    let err = bad_input(
        &db,
        &[
            "export",
            "sent",
            "--format",
            "xlsx",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(err.contains(".xlsx"), "{err}");
    let err = bad_input(&db, &["export", "sent", "-o", "liste.txt"]);
    assert!(err.contains("--format"), "{err}");
    let err = bad_input(
        &db,
        &[
            "export",
            "sent",
            "--status",
            "sent",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(err.contains("unknown status"), "{err}");
    let nowhere = dir.path().join("absent/x.csv");
    let err = bad_input(&db, &["export", "sent", "-o", nowhere.to_str().unwrap()]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn import_contacts_previews_then_imports_with_yes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let file = dir.path().join("contacts.csv");
    std::fs::write(
        &file,
        "Civilité;Prénom;Nom;Mobile;Consentement SMS\r\n\
         Mme;Léa;Le Gall;06 12 34 56 78;oui\r\n\
         M.;Hugo;Tanguy;06 98 76 54 32;oui\r\n\
         M.;Rémi;Riou;06 12;oui\r\n",
    )
    .unwrap();
    let preview = json(&smsdesk(
        &db,
        &["--json", "import", "contacts", file.to_str().unwrap()],
    ));
    assert_eq!(preview["preview"]["valid"].as_array().unwrap().len(), 2);
    assert_eq!(preview["preview"]["invalid_rows"], 1);
    assert_eq!(preview["preview"]["invalid"][0]["row"], 4);
    // Reasons, columns and notices are English texts, as scripts have always read them.
    assert_eq!(preview["preview"]["invalid"][0]["column"], "Mobile");
    assert_eq!(
        preview["preview"]["invalid"][0]["reason"],
        "too short to be a phone number (4 digits)"
    );
    assert_eq!(preview["preview"]["columns"][3]["column"], "Mobile");
    assert_eq!(preview["preview"]["notices"], serde_json::json!([]));
    assert!(preview["imported"].is_null());
    // The text preview is English too, whatever the locale.
    let text = smsdesk(&db, &["import", "contacts", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("  row 4, Mobile: \"06 12\" too short to be a phone number (4 digits)"),
        "{text}"
    );
    let listed = json(&smsdesk(
        &db,
        &["--json", "import", "contacts", file.to_str().unwrap()],
    ));
    assert_eq!(
        listed["preview"]["duplicates"].as_array().unwrap().len(),
        0,
        "the preview imported nothing"
    );

    let done = json(&smsdesk(
        &db,
        &[
            "--json",
            "import",
            "contacts",
            file.to_str().unwrap(),
            "--yes",
        ],
    ));
    assert_eq!(done["imported"]["created"].as_array().unwrap().len(), 2);
    let again = json(&smsdesk(
        &db,
        &["--json", "import", "contacts", file.to_str().unwrap()],
    ));
    assert_eq!(again["preview"]["duplicates"].as_array().unwrap().len(), 2);
    // Nothing left to import: refused with the reason.
    let err = bad_input(
        &db,
        &["import", "contacts", file.to_str().unwrap(), "--yes"],
    );
    assert!(err.contains("no valid contact"), "{err}");

    // A text file renamed .xlsx.
    let fake = dir.path().join("contacts.xlsx");
    std::fs::copy(&file, &fake).unwrap();
    let err = bad_input(&db, &["import", "contacts", fake.to_str().unwrap()]);
    assert!(err.contains("text file"), "{err}");
}
