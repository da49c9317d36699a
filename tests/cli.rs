//! The command line as a script would use it: outputs, JSON shapes and exit codes.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn smsdesk(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(db)
        .args(["--user", "admin"])
        .args(args)
        // Tuesday 10 March 2026, 11:00 in Paris.
        .env("SMSDESK_NOW", "2026-03-10T10:00:00Z")
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .env_remove("SMSDESK_DB")
        .output()
        .expect("run smsdesk")
}

fn ok_json(db: &Path, args: &[&str]) -> Value {
    let out = smsdesk(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn bad_input(db: &Path, args: &[&str]) -> String {
    let out = smsdesk(db, args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should be refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.trim().lines().count(), 1, "one-line reason: {err}");
    err
}

#[test]
fn demo_store_credit_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(smsdesk(&db, &["demo"]).status.success());
    let credit = ok_json(&db, &["--json", "credit"]);
    assert!(credit["balance"].as_i64().unwrap() > 0);
    assert_eq!(credit["packs"].as_array().unwrap().len(), 2);

    let err = bad_input(&db, &["settings", "set", "sender", "MY SHOP"]);
    assert!(err.contains("sender") && err.contains("' '"), "{err}");
    assert!(
        smsdesk(&db, &["settings", "set", "sender", "MAIRIE75"])
            .status
            .success()
    );
    let out = smsdesk(&db, &["settings", "get", "sender"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "MAIRIE75");

    for (key, value) in [
        ("window", "19:00-09:00"),
        ("window", "9h"),
        ("timezone", "Europe/Pariss"),
        ("max_segments", "11"),
        ("max_segments", "0"),
        ("sender", "12345"),
        ("sender", "AB"),
        ("sender", "ÉCOLE"),
        ("nope", "1"),
    ] {
        bad_input(&db, &["settings", "set", key, value]);
    }
    assert!(
        smsdesk(&db, &["settings", "set", "timezone", "America/Guadeloupe"])
            .status
            .success()
    );
    assert!(
        smsdesk(&db, &["settings", "set", "window", "08:30-18:00"])
            .status
            .success()
    );
    assert!(
        smsdesk(&db, &["credit", "add", "500", "--label", "Pack test"])
            .status
            .success()
    );
    let after = ok_json(&db, &["--json", "credit"]);
    assert_eq!(
        after["balance"].as_i64().unwrap(),
        credit["balance"].as_i64().unwrap() + 500
    );
}

#[test]
fn rights_are_checked_for_operators() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(
        smsdesk(&db, &["credit"]).status.success(),
        "first login becomes administrator"
    );
    assert!(
        smsdesk(&db, &["user", "add", "claire", "--rights", "instant"])
            .status
            .success()
    );
    bad_input(&db, &["user", "add", "bob", "--rights", "instant,fly"]);
    let out = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(&db)
        .args(["--user", "claire", "settings", "set", "sender", "HACK"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("administrator"));
    let err = bad_input(&db, &["user", "set", "admin", "--rights", "instant"]);
    assert!(err.contains("last administrator"), "{err}");
}

#[test]
fn segments_phone_and_plan_print_the_documented_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let out = smsdesk(&db, &["--json", "segments", "Rendez-vous confirmé à 9h ê"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"encoding":"UCS-2","chars":27,"units":27,"segments":1,"per_segment":70,"remaining":43,"non_gsm":["ê"]}"#
    );
    let v = ok_json(&db, &["--json", "phone", "06 12 34 56 78"]);
    assert_eq!(
        v,
        serde_json::json!({"input":"06 12 34 56 78","e164":"+33612345678","mobile":true,"region":"FR","error":null})
    );
    let v = ok_json(&db, &["--json", "phone", "0690 12 34 56", "01 42 68 53 00"]);
    assert_eq!(v[0]["e164"], "+590690123456");
    assert_eq!(v[0]["region"], "GP");
    assert_eq!(v[1]["mobile"], false);
    bad_input(&db, &["phone", "06 12 AB 56 78"]);

    // Spec example: an 08:00 interview with a window opening at 09:00 → D-1 at 09:00.
    let v = ok_json(
        &db,
        &[
            "--json",
            "plan",
            "--event",
            "2026-03-31T08:00",
            "--days-before",
            "1",
        ],
    );
    assert_eq!(
        v,
        serde_json::json!({"planned_local":"2026-03-30T09:00:00+02:00","planned_utc":"2026-03-30T07:00:00Z"})
    );
    bad_input(
        &db,
        &["plan", "--event", "31/03/2026", "--days-before", "1"],
    );
    bad_input(
        &db,
        &["plan", "--event", "2026-03-31T08:00", "--days-before", "9"],
    );
    assert!(!db.exists(), "read-only commands create no store");
}

#[test]
fn send_list_cancel_free_and_simulated_reply() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(smsdesk(&db, &["credit", "add", "100"]).status.success());
    let queued = ok_json(
        &db,
        &[
            "--json",
            "send",
            "--to",
            "06 12 34 56 78,0690123456",
            "--text",
            "Votre dossier est prêt.",
        ],
    );
    let ids: Vec<i64> = queued["queued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    // 11:00 + 30 s grace, in Paris.
    assert_eq!(queued["queued"][0]["planned"], "2026-03-10T11:00:30+01:00");
    let err = bad_input(&db, &["send", "--to", "01 42 68 53 00", "--text", "x"]);
    assert!(err.contains("not a mobile"), "{err}");
    bad_input(
        &db,
        &[
            "send",
            "--to",
            "0612345678",
            "--text",
            "x",
            "--at",
            "2026-03-10T22:00",
        ],
    );

    let upcoming = ok_json(&db, &["--json", "list", "upcoming"]);
    assert_eq!(upcoming.as_array().unwrap().len(), 2);
    let cancelled = ok_json(&db, &["--json", "cancel", &ids[0].to_string()]);
    assert_eq!(cancelled["cancelled"], serde_json::json!([ids[0]]));
    let err = bad_input(&db, &["cancel", &ids[0].to_string()]);
    assert!(err.contains("only messages not yet sent"), "{err}");
    let sent = ok_json(&db, &["--json", "list", "sent", "--status", "cancelled"]);
    assert_eq!(sent.as_array().unwrap().len(), 1);

    let preview = ok_json(
        &db,
        &[
            "--json",
            "free",
            "--numbers",
            "0612345601;06 12 34 56 01\n0099, 0612345602",
            "--text",
            "Atelier CV jeudi",
        ],
    );
    assert_eq!(preview["valid"], 2);
    assert_eq!(preview["duplicates"].as_array().unwrap().len(), 1);
    assert_eq!(preview["invalid"][0]["row"], 3);
    assert_eq!(
        ok_json(&db, &["--json", "list", "upcoming"])
            .as_array()
            .unwrap()
            .len(),
        1,
        "preview queues nothing"
    );
    let done = ok_json(
        &db,
        &[
            "--json",
            "free",
            "--numbers",
            "0612345601;0612345602",
            "--text",
            "Atelier CV jeudi",
            "--yes",
        ],
    );
    assert_eq!(done["queued"], 2);
    bad_input(
        &db,
        &[
            "free",
            "--numbers",
            "0612345601",
            "--text",
            "Bonjour {{participant.first_name}}",
            "--yes",
        ],
    );

    let stop = ok_json(
        &db,
        &[
            "--json",
            "simulate",
            "reply",
            "--from",
            "0612345602",
            "--text",
            "Stop !",
        ],
    );
    assert_eq!(stop["state"], "stop");
    let err = bad_input(&db, &["send", "--to", "0612345602", "--text", "encore"]);
    assert!(err.contains("opted out"), "{err}");
}
