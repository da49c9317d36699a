//! Operators over SSH, against a real OpenSSH server started on 127.0.0.1 (`shared/openssh/
//! start.sh`: its own host key and sshd_config in a temporary directory). sshd asks smsdesk
//! which keys may log in (`AuthorizedKeysCommand … ssh authorized-keys %t %k`) and runs the
//! forced command naming the key's operator; the server's sessions get `LANG=fr_FR.UTF-8`.
//!
//! Skipped with a message when sshd is not installed, unless `CI=true` (CI installs
//! openssh-server and openssh-client).

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;
use support::openssh::{self, Sshd};
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_smsdesk");

/// smsdesk run directly on the server, as the account owning the store.
fn admin(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["--user", "admin"])
        .args(args)
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .output()
        .unwrap()
}

fn admin_ok(db: &Path, args: &[&str]) -> String {
    let out = admin(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Server {
    sshd: Sshd,
    dir: PathBuf,
    db: PathBuf,
    _tmp: tempfile::TempDir,
}

/// A demo store with operators alice (instant, scheduled), bob (no right) and carol, each
/// with a key `DIR/NAME`, and an sshd asking smsdesk for keys.
fn server() -> Option<Server> {
    if !openssh::available() {
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let db = dir.join("s.db");
    admin_ok(&db, &["demo"]);
    admin_ok(
        &db,
        &["user", "add", "alice", "--rights", "instant,scheduled"],
    );
    admin_ok(&db, &["user", "add", "bob", "--rights", "none"]);
    admin_ok(&db, &["user", "add", "carol", "--rights", "instant"]);
    for name in ["alice", "bob", "carol"] {
        let key = openssh::keygen(&dir, name);
        admin_ok(
            &db,
            &[
                "user",
                "key",
                "add",
                name,
                "--file",
                &format!("{}.pub", key.display()),
            ],
        );
    }
    let lines = [
        // /usr/bin/env is root's and safe for sshd's path check; the binary may live anywhere.
        format!(
            "AuthorizedKeysCommand /usr/bin/env SMSDESK_DB={} {BIN} ssh authorized-keys %t %k",
            db.display()
        ),
        format!("AuthorizedKeysCommandUser {}", openssh::me()),
        "SetEnv LANG=fr_FR.UTF-8".to_string(),
        format!("SetEnv SMSDESK_LOG_DIR={}", dir.display()),
    ];
    let sshd = Sshd::start(&dir.join("sshd"), &lines);
    Some(Server {
        sshd,
        dir,
        db,
        _tmp: tmp,
    })
}

impl Server {
    fn ssh_args(&self, who: &str) -> Vec<String> {
        self.sshd.client_args(&self.dir.join(who))
    }

    /// `ssh … -- ARGS` as `who`.
    fn ssh(&self, who: &str, args: &[&str]) -> Output {
        Command::new("ssh")
            .args(self.ssh_args(who))
            .arg("--")
            .args(args)
            .output()
            .expect("ssh")
    }

    /// `ssh … -- ARGS` as `who`, with `input` on standard input.
    fn ssh_with_input(&self, who: &str, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new("ssh")
            .args(self.ssh_args(who))
            .arg("--")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("ssh");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn tui_command(&self, who: &str) -> String {
        format!("ssh -tt {}", self.ssh_args(who).join(" "))
    }

    fn audit(&self, action: &str) -> Vec<(String, String)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT actor, detail FROM audit_log WHERE action = ?1 ORDER BY id")
            .unwrap();
        stmt.query_map([action], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_key_runs_commands_as_its_operator_and_nothing_the_client_sends_borrows_another() {
    let Some(s) = server() else { return };

    // Her view: what she would see on the server herself.
    let out = s.ssh("alice", &["--json", "list", "upcoming", "--limit", "5"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let over_ssh: Value = serde_json::from_slice(&out.stdout).unwrap();
    let direct: Value = serde_json::from_str(&admin_ok(
        &s.db,
        &["--json", "list", "upcoming", "--limit", "5"],
    ))
    .unwrap();
    assert_eq!(over_ssh, direct);
    assert_eq!(over_ssh.as_array().unwrap().len(), 5);

    // What alice sends is hers.
    let out = s.ssh(
        "alice",
        &[
            "--json",
            "send",
            "--to",
            "0611223344",
            "--text",
            "'Bonjour de la part d alice'",
            "--at",
            "2030-03-04T10:00",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sent: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Value = serde_json::from_str(&admin_ok(
        &s.db,
        &[
            "--json",
            "list",
            "upcoming",
            "--from",
            "2030-03-04",
            "--to",
            "2030-03-04",
        ],
    ))
    .unwrap();
    assert_eq!(listed[0]["created_by"], "alice", "{sent} / {listed}");
    assert_eq!(
        listed[0]["text"].as_str().unwrap().lines().next(),
        Some("Bonjour de la part d alice")
    );

    // --user, --db and an administrator's command are refused, and the attempt is audited.
    let sender_before = admin_ok(&s.db, &["settings", "get", "sender"]);
    let out = s.ssh(
        "alice",
        &["--user", "root", "settings", "set", "sender", "X"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--user cannot be used over SSH: you are alice"));
    let out = s.ssh("alice", &["--db", "/tmp/other.db", "list", "upcoming"]);
    assert_eq!(out.status.code(), Some(2));
    let out = s.ssh("alice", &["settings", "set", "sender", "X"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("administrator right required"));
    assert_eq!(
        admin_ok(&s.db, &["settings", "get", "sender"]),
        sender_before
    );
    let refused = s.audit("ssh.refused");
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused.iter().all(|(actor, _)| actor == "alice"));
    assert!(
        refused[0].1.contains("--user root settings set sender X"),
        "{refused:?}"
    );

    // The client's words are never run by a shell.
    let out = s.ssh("alice", &["list", "upcoming;", "id"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stdout).contains("uid="));
    let out = s.ssh("alice", &["/bin/sh", "-c", "id"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stdout).contains("uid="));
    // Her own keys are hers to manage, from standard input; nobody else's.
    let second = support::openssh::keygen(&s.dir, "alice-phone");
    let line = std::fs::read_to_string(second.with_extension("pub")).unwrap();
    let out = s.ssh_with_input(
        "alice",
        &["user", "key", "add", "alice", "--file", "-"],
        &line,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = s.ssh_with_input(
        "alice",
        &["user", "key", "add", "bob", "--file", "-"],
        &line,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("administrator right required"),
        "{}",
        text(&out.stderr)
    );
    let keys: Value = serde_json::from_str(&admin_ok(
        &s.db,
        &["--json", "user", "key", "list", "alice"],
    ))
    .unwrap();
    assert_eq!(keys.as_array().unwrap().len(), 2);
    // The new key opens her session too.
    let out = Command::new("ssh")
        .args(s.sshd.client_args(&second))
        .args(["--", "--json", "credit"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Files on the server are out of reach.
    let out = s.ssh("alice", &["export", "sent", "-o", "/tmp/x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not available over SSH"));
}

#[test]
fn a_removed_key_and_an_inactive_operators_key_are_refused_by_sshd_at_once() {
    let Some(s) = server() else { return };
    for who in ["bob", "carol"] {
        let out = s.ssh(who, &["--json", "credit"]);
        assert!(out.status.success(), "{who}: {}", text(&out.stderr));
    }

    let fingerprint = {
        let keys: Value =
            serde_json::from_str(&admin_ok(&s.db, &["--json", "user", "key", "list", "bob"]))
                .unwrap();
        keys[0]["fingerprint"].as_str().unwrap().to_string()
    };
    admin_ok(&s.db, &["user", "key", "remove", "bob", &fingerprint]);
    admin_ok(
        &s.db,
        &["user", "set", "carol", "--rights", "instant", "--inactive"],
    );

    for who in ["bob", "carol"] {
        let out = s.ssh(who, &["--json", "credit"]);
        assert_eq!(out.status.code(), Some(255), "{who} still gets in");
        assert!(
            text(&out.stderr).contains("Permission denied"),
            "{who}: {}",
            text(&out.stderr)
        );
    }
    // alice is untouched.
    assert!(s.ssh("alice", &["--json", "credit"]).status.success());
    let removed = s.audit("user.key.remove");
    assert_eq!(removed, [("admin".to_string(), fingerprint)]);
}

#[test]
fn a_key_opens_the_tui_as_its_operator_with_her_tabs_and_her_language() {
    let Some(s) = server() else { return };
    let Some(t) = Tmux::server("smsdesk-ssh-e2e") else {
        return;
    };

    // bob follows the server: French.
    t.open("bob", &s.tui_command("bob"));
    let screen = t.wait_in(
        "bob",
        Duration::from_secs(15),
        |s| s.contains("bob ·"),
        "bob ·",
    );
    assert!(screen.contains("Tableau de bord"), "{screen}");
    // No right: neither the administrator's tabs nor the batch and free screens.
    // No right: neither the administrator's tabs nor the batch and free screens. The tab bar
    // is read at every tab, since 80 columns show only a window of it.
    let mut bars = String::new();
    for _ in 0..8 {
        bars.push_str(t.screen_of("bob").lines().next().unwrap_or_default());
        t.keys_to("bob", &["Tab"]);
    }
    for tab in ["Envoyés", "À venir", "Agenda", "Contacts", "Réponses"] {
        assert!(bars.contains(tab), "{tab} missing: {bars}");
    }
    for tab in [
        "Paramètres",
        "Modèles",
        "Automatismes",
        "Utilisateurs",
        "Groupé",
        "Libre",
    ] {
        assert!(!bars.contains(tab), "{tab} shown to bob: {bars}");
    }
    // The number of a tab he does not have does nothing.
    t.keys_to("bob", &["1", "2"]);
    assert!(t.screen_of("bob").contains("Tableau de bord"));
    t.keys_to("bob", &["q"]);

    // alice chose English; the server's LANG is French.
    admin_ok(&s.db, &["user", "language", "alice", "en"]);
    t.open("alice", &s.tui_command("alice"));
    let screen = t.wait_in(
        "alice",
        Duration::from_secs(15),
        |s| s.contains("alice ·"),
        "alice ·",
    );
    assert!(screen.contains("Dashboard"), "{screen}");
    assert!(
        !screen.contains("Settings") && !screen.contains("Users"),
        "{screen}"
    );
    assert!(!screen.contains("Tableau de bord"), "{screen}");
    t.keys_to("alice", &["q"]);
}
