//! The command line as a script would use it: outputs, JSON shapes and exit codes.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// As the administrator on Tuesday 10 March 2026, 11:00 in Paris.
fn smsdesk(db: &Path, args: &[&str]) -> Output {
    support::smsdesk::output(
        db,
        "admin",
        &[("SMSDESK_NOW", "2026-03-10T10:00:00Z")],
        args,
    )
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
    support::smsdesk::refusal(&smsdesk(db, args), args)
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
    assert!(err.contains("sender") && err.contains("“ ”"), "{err}");
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
    // The human output writes times as every screen does; `--json` above stays ISO.
    let listed = smsdesk(&db, &["list", "upcoming"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains(" 10/03/2026 11:00:30 "), "{listed}");
    assert!(!listed.contains("2026-03-10"), "{listed}");
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

#[test]
fn automations_dry_run_refuses_a_horizon_no_calendar_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(smsdesk(&db, &["demo"]).status.success());
    for days in ["4294967295", "3661"] {
        let err = bad_input(&db, &["automations", "--dry-run", days]);
        assert!(
            err.contains(days) && err.contains("at most 3660 days"),
            "{days}: {err}"
        );
    }
    let planned = ok_json(&db, &["--json", "automations", "--dry-run", "3660"]);
    assert!(planned.is_array());
}

#[test]
fn a_free_send_of_nothing_but_the_stop_mention_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(smsdesk(&db, &["credit", "add", "100"]).status.success());
    for text in ["", "  ", "STOP au 36608"] {
        for yes in [true, false] {
            let mut args = vec!["free", "--numbers", "0612345601,0612345602", "--text", text];
            if yes {
                args.push("--yes");
            }
            let err = bad_input(&db, &args);
            assert!(
                err.contains("empty") || err.contains("no text of its own"),
                "{text:?}: {err}"
            );
        }
    }
    let upcoming = ok_json(&db, &["--json", "list", "upcoming"]);
    assert_eq!(upcoming.as_array().unwrap().len(), 0, "nothing queued");
}

#[test]
fn a_store_that_cannot_be_opened_for_lack_of_room_is_a_system_failure() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(smsdesk(&db, &["credit", "add", "100"]).status.success());
    // Opening a WAL store writes its shared-memory index beside it; with a file size limit of
    // one block that write fails (SIGXFSZ ignored, so the write returns EFBIG).
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 1 && trap '' XFSZ && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(&db)
        .args(["--user", "admin", "credit"])
        .env("SMSDESK_LOG_DIR", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains("not a usable"), "{err}");
    assert!(
        smsdesk(&db, &["credit"]).status.success(),
        "the store is fine"
    );
}

#[test]
fn a_full_disk_is_a_system_failure_saying_disk_full() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(
        smsdesk(&db, &["settings", "set", "sender", "MAIRIE"])
            .status
            .success()
    );
    let mnt = dir.path().join("full");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&mnt).unwrap();
    std::fs::create_dir(&out_dir).unwrap();
    // A real full file system: a small tmpfs in a user namespace of our own, filled up. First
    // every page is taken (opening needs room for SQLite's index beside the store), then 40 KiB
    // are given back: enough to open, not to write the journal.
    let script = r#"mount -t tmpfs -o size=2m tmpfs "$1" || exit 77
cp "$2" "$1/x.db" || exit 78
run() { name=$1; shift; "$SMSDESK" --db "$MNT/x.db" --user admin "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.code"; }
SMSDESK=$3 MNT=$1 OUT=$4
cat /dev/zero > "$1/filler" 2>/dev/null
run open credit
truncate -s -40K "$1/filler"
run write settings set sender LYON
rm "$1/filler"
run after settings get sender
"#;
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", script, "sh"])
        .arg(&mnt)
        .arg(&db)
        .arg(env!("CARGO_BIN_EXE_smsdesk"))
        .arg(&out_dir)
        .env("SMSDESK_LOG_DIR", dir.path())
        .env_remove("SMSDESK_DB")
        .output();
    let ran = |name: &str| {
        let code = std::fs::read_to_string(out_dir.join(format!("{name}.code"))).ok()?;
        let err = std::fs::read_to_string(out_dir.join(format!("{name}.err"))).ok()?;
        let out = std::fs::read_to_string(out_dir.join(format!("{name}.out"))).ok()?;
        Some((code.trim().parse::<i32>().ok()?, err, out))
    };
    // Where user namespaces are not allowed (some containers), the `ulimit -f` test above
    // still covers the same code path.
    let Some(open) = ran("open") else {
        eprintln!("skipped: no user namespace to mount a small tmpfs in ({out:?})");
        return;
    };
    for (what, (code, err, _)) in [("open", open), ("write", ran("write").unwrap())] {
        assert_eq!(code, 1, "{what}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{what}: one line: {err}");
        assert!(err.contains("disk full"), "{what}: {err}");
        assert!(!err.contains("not a usable"), "{what}: {err}");
    }
    let (code, err, out) = ran("after").unwrap();
    assert_eq!(
        (code, out.trim()),
        (0, "MAIRIE"),
        "the store is fine: {err}"
    );
}

#[test]
fn run_logs_to_a_private_file_and_says_where_on_start() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(smsdesk(&db, &["credit"]).status.success());
    let logs = dir.path().join("logs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(&db)
        .args(["--user", "admin", "run"])
        .env("SMSDESK_LOG_DIR", &logs)
        .env_remove("SMSDESK_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("a line on start");
    let file = first
        .strip_prefix("smsdesk run: logging to ")
        .unwrap_or_else(|| panic!("first line says where the log goes: {first}"));
    let file = std::path::PathBuf::from(file);
    assert!(file.starts_with(&logs), "{}", file.display());
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let text = loop {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.contains("holds the sending lease") {
            break text;
        }
        assert!(std::time::Instant::now() < until, "nothing logged: {text}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(text.contains("INFO"), "{text}");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "log file mode {mode:o}");
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn a_bad_send_time_is_named_as_the_time_to_send_not_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(smsdesk(&db, &["demo"]).status.success());
    let err = bad_input(
        &db,
        &[
            "send",
            "--to",
            "0611223344",
            "--text",
            "Bonjour",
            "--at",
            "demain 10h",
        ],
    );
    assert!(err.contains("invalid date-time “demain 10h”"), "{err}");
    assert!(!err.contains("event"), "{err}");
}

/// A core refusal is one typed value: the command line says it in English (whatever the
/// locale), a French screen in French, from the same catalogue entry.
#[test]
fn a_refusal_reads_in_english_on_the_command_line_and_in_french_on_a_french_screen() {
    use smsdesk::i18n::{Describe, Lang};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert!(smsdesk(&db, &["credit", "add", "100"]).status.success());
    assert!(
        smsdesk(&db, &["user", "add", "claire", "--rights", "instant"])
            .status
            .success()
    );
    let queued = ok_json(
        &db,
        &["--json", "send", "--to", "0612345678", "--text", "Bonjour."],
    );
    let id = queued["queued"][0]["id"].as_i64().unwrap();

    // Claire is no administrator: she may not cancel the administrator's message.
    let out = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(&db)
        .args(["--user", "claire", "cancel", &id.to_string()])
        .env("SMSDESK_NOW", "2026-03-10T10:00:00Z")
        .env("SMSDESK_LOG_DIR", dir.path())
        .env("LANG", "fr_FR.UTF-8")
        .env_remove("SMSDESK_DB")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "#{id}: created by admin: only an administrator may cancel it"
        )),
        "{err}"
    );

    // The same refusal on a French screen (the TUI shows `describe` in the operator's language).
    let mut store = smsdesk::store::Store::open(&db).unwrap();
    let now = "2026-03-10T10:00:00Z".parse().unwrap();
    let claire = smsdesk::core::Actor::identify(&mut store, "claire", now).unwrap();
    let report = smsdesk::core::send::cancel(&mut store, &claire, &[id], now).unwrap();
    let (_, why) = &report.refused[0];
    assert_eq!(
        why.describe(Lang::Fr),
        "créé par admin : seul un administrateur peut l'annuler"
    );
    assert_eq!(
        why.to_string(),
        "created by admin: only an administrator may cancel it"
    );
    // A rule broken rather than a right: the status is named by its label in each language.
    let admin = smsdesk::core::Actor::identify(&mut store, "admin", now).unwrap();
    smsdesk::core::send::cancel(&mut store, &admin, &[id], now).unwrap();
    let report = smsdesk::core::send::cancel(&mut store, &admin, &[id], now).unwrap();
    let (_, why) = &report.refused[0];
    assert_eq!(
        why.describe(Lang::Fr),
        "déjà annulé : seuls les messages pas encore envoyés peuvent être annulés"
    );
    assert_eq!(
        why.to_string(),
        "already cancelled: only messages not yet sent can be cancelled"
    );
}

#[test]
fn a_priced_pack_gives_the_balance_and_a_free_send_their_money() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    // No price: units only, no "0 €".
    let unpriced = ok_json(&db, &["--json", "credit", "add", "100"]);
    assert_eq!(unpriced["balance_money"], Value::Null);
    let text = smsdesk(&db, &["credit"]);
    assert!(!String::from_utf8_lossy(&text.stdout).contains('€'));

    // Every price field refused names itself.
    let err = bad_input(&db, &["credit", "add", "1000", "--price", "sept"]);
    assert!(
        err.contains("price per SMS") && err.contains("sept"),
        "{err}"
    );
    let err = bad_input(&db, &["credit", "add", "1000", "--price-total", "70,0,0"]);
    assert!(err.contains("total price"), "{err}");
    let err = bad_input(
        &db,
        &[
            "credit",
            "add",
            "1000",
            "--price",
            "1",
            "--price-total",
            "2",
        ],
    );
    assert!(err.contains("not both"), "{err}");
    let err = bad_input(
        &db,
        &[
            "credit",
            "add",
            "1000",
            "--price",
            "1",
            "--currency",
            "euro",
        ],
    );
    assert!(err.contains("currency") && err.contains("euro"), "{err}");
    assert_eq!(
        ok_json(&db, &["--json", "credit"])["packs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A second store, priced from the start: 0,07 € an SMS, written with a comma.
    let db = dir.path().join("priced.db");
    let credit = ok_json(&db, &["--json", "credit", "add", "1000", "--price", "0,07"]);
    assert_eq!(credit["balance_money"]["amount"], 70.0);
    assert_eq!(credit["balance_money"]["currency"], "EUR");
    assert_eq!(credit["packs"][0]["unit_price"], 0.07);
    // A total price, written with a point, gives the same unit price.
    let credit = ok_json(
        &db,
        &["--json", "credit", "add", "500", "--price-total", "35.00"],
    );
    assert_eq!(credit["packs"][0]["unit_price"], 0.07);
    assert_eq!(credit["balance_money"]["amount"], 105.0);
    let text = String::from_utf8_lossy(&smsdesk(&db, &["credit"]).stdout).to_string();
    assert!(text.contains("1500 SMS · €105.00"), "{text}");
    assert!(text.contains("€0.07/SMS"), "{text}");

    // A free send's preview: 2 SMS cost 0,14 €.
    let preview = ok_json(
        &db,
        &[
            "--json",
            "free",
            "--numbers",
            "06 12 34 56 78;06 12 34 56 79",
            "--text",
            "Soldes ce week-end",
        ],
    );
    assert_eq!(preview["totals"]["segments"], 2);
    assert_eq!(preview["totals"]["cost_money"]["amount"], 0.14);
    assert_eq!(preview["totals"]["balance_after_money"]["amount"], 104.86);
}
