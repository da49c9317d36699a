//! Run directly on the server, smsdesk acts as the account running it: `--user` naming
//! someone else is for the account owning the store (administration, scripts), and `$USER`
//! cannot stand in for it. A refused attempt is audited.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_smsdesk");

fn smsdesk(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .envs(env.iter().copied())
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn only_the_account_owning_the_store_may_act_as_another_operator() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("s.db");
    // The owner (whoever creates the store) may name anyone: here the first administrator.
    let out = smsdesk(&db, &["--user", "admin", "demo"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = smsdesk(
        &db,
        &["--user", "admin", "settings", "set", "sender", "OWNER"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIP the non-owner half: giving the store to another account needs root");
        return;
    }
    // The store now belongs to another account (the service account of a real server).
    std::os::unix::fs::chown(&db, Some(65534), Some(65534)).unwrap();
    assert_eq!(std::fs::metadata(&db).unwrap().uid(), 65534);

    let out = smsdesk(
        &db,
        &["--user", "admin", "settings", "set", "sender", "BORROWED"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--user admin: you are root; only the account owning the store may act as another operator"),
        "{}",
        stderr(&out)
    );
    // $USER is no way round it: root is who runs the command, and root is no operator.
    let out = smsdesk(
        &db,
        &["settings", "set", "sender", "BORROWED"],
        &[("USER", "admin")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("root may not change settings"),
        "{}",
        stderr(&out)
    );
    // Naming oneself is fine.
    let out = smsdesk(&db, &["--user", "root", "--json", "credit"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let conn = rusqlite::Connection::open(&db).unwrap();
    let sender: String = conn
        .query_row("SELECT value FROM settings WHERE key = 'sender'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(sender, "OWNER");
    let (actor, detail): (String, String) = conn
        .query_row(
            "SELECT actor, detail FROM audit_log WHERE action = 'user.impersonation_refused'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (actor.as_str(), detail.as_str()),
        ("root", "root asked to act as admin")
    );
}
