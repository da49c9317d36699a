//! Replies read for opt-out through the store: "STOP merci" opts the number out, "stop" among
//! other words goes to the review list — with the real CLI on a simulator store.

use std::path::Path;
use std::process::Command;

fn smsdesk(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(db)
        .args(["--user", "admin"])
        .args(args)
        .output()
        .expect("run smsdesk")
}

fn reply_state(db: &Path, from: &str) -> (String, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT state, review_reason FROM replies WHERE from_phone = ?1 ORDER BY id DESC LIMIT 1",
        [from],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn opted_out(db: &Path, phone: &str) -> bool {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*) FROM opt_outs WHERE phone = ?1",
        [phone],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        > 0
}

#[test]
fn stop_with_politeness_opts_out_and_stop_among_other_words_goes_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    // A store with no messages: the replies answer nothing, only opt-out is at stake.
    assert!(smsdesk(&db, &["credit"]).status.success());
    let cases = [
        ("+33611000001", "STOP merci", true),
        ("+33611000002", "Stop svp", true),
        ("+33611000003", "stop.", true),
        ("+33611000004", "Arrêt s'il vous plaît", true),
        (
            "+33611000005",
            "je ne veux plus mais stop si vous changez l'heure",
            false,
        ),
    ];
    for (from, text, opts_out) in cases {
        let out = smsdesk(&db, &["simulate", "reply", "--from", from, "--text", text]);
        assert!(
            out.status.success(),
            "{text}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (state, reason) = reply_state(&db, from);
        if opts_out {
            assert!(opted_out(&db, from), "{text:?} opts {from} out");
            assert_eq!(state, "stop", "{text:?}");
        } else {
            assert!(!opted_out(&db, from), "{text:?} does not opt out by itself");
            assert_eq!(state, "review", "{text:?} goes to review");
            assert!(reason.contains("stop"), "the reason says why: {reason}");
        }
    }
}
