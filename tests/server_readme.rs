//! The README's "Running it on a server" followed step by step: its shell blocks run as
//! written, with the server's paths moved under a temporary root, `sudo` dropped (the account
//! running the test plays the `smsdesk` service account), `useradd` and `systemctl` left out;
//! its `sshd_config` block configures a real OpenSSH server on 127.0.0.1; the operator's
//! command then runs over SSH. A README step that stops working fails this test.
//!
//! Skipped with a message when sshd is not installed, unless `CI=true`.

mod support;

use std::path::Path;
use std::process::Command;
use support::openssh::{self, Sshd};

const BIN: &str = env!("CARGO_BIN_EXE_smsdesk");

/// The fenced blocks of the README's server section: (info string, body).
fn server_blocks() -> Vec<(String, String)> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("## Running it on a server")
        .expect("README has a server section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut blocks = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.trim().strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            blocks.push((info.to_string(), body.join("\n")));
        }
    }
    blocks
}

/// A server path moved under `root`; everything else as written.
fn moved(line: &str, root: &Path) -> String {
    let r = root.display();
    line.replace("/usr/local/bin/", &format!("{r}/usr/local/bin/"))
        .replace("/var/lib/smsdesk", &format!("{r}/var/lib/smsdesk"))
        .replace("/etc/", &format!("{r}/etc/"))
}

/// Whether sshd's path check would accept a program below `dir`: it and every directory above
/// it belong to root or to us and are not writable by group or others.
fn safe_for_sshd(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    let Ok(dir) = dir.canonicalize() else {
        return false;
    };
    dir.ancestors().all(|d| {
        std::fs::metadata(d).is_ok_and(|m| (m.uid() == 0 || m.uid() == me) && m.mode() & 0o022 == 0)
    })
}

#[test]
fn the_server_section_of_the_readme_works_as_written() {
    let ci = std::env::var("CI").as_deref() == Ok("true");
    if !openssh::available() {
        return;
    }
    let has_systemd_analyze = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok();
    assert!(
        has_systemd_analyze || !ci,
        "systemd-analyze is required in CI"
    );

    // sshd runs the AuthorizedKeysCommand only from a path whose every directory is root's (or
    // the caller's) and not writable by others: the cargo target directory usually is, /tmp
    // never; /run is root's on a machine where the tests run as root.
    let parent = [env!("CARGO_TARGET_TMPDIR"), "/run"]
        .into_iter()
        .map(Path::new)
        .find(|p| safe_for_sshd(p))
        .expect("a directory sshd accepts for the AuthorizedKeysCommand");
    let root = tempfile::tempdir_in(parent).unwrap();
    let root_path = root.path().to_path_buf();
    std::fs::set_permissions(
        &root_path,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    for dir in [
        "usr/local/bin",
        "var/lib/smsdesk",
        "etc/systemd/system",
        "etc/ssh/sshd_config.d",
    ] {
        std::fs::create_dir_all(root_path.join(dir)).unwrap();
    }
    for name in ["alice", "bob"] {
        openssh::keygen(work.path(), name);
    }
    let me = openssh::me();
    let mut sshd: Option<Sshd> = None;
    let mut operator_output = String::new();
    let blocks = server_blocks();
    assert_eq!(
        blocks.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
        ["sh", "sh", "sshd_config", "sh", "sh"]
    );
    for (info, body) in &blocks {
        if info == "sshd_config" {
            let lines: Vec<String> = body
                .lines()
                .map(|l| {
                    moved(l.trim(), &root_path)
                        .replace("Match User smsdesk", &format!("Match User {me}"))
                        .replace(
                            "AuthorizedKeysCommandUser smsdesk",
                            &format!("AuthorizedKeysCommandUser {me}"),
                        )
                })
                .collect();
            sshd = Some(Sshd::start(&work.path().join("sshd"), &lines));
            continue;
        }
        let mut script = String::from("set -euo pipefail\n");
        for line in body.lines() {
            let line = line.trim();
            if line.starts_with("sudo useradd") || line.starts_with("sudo systemctl") {
                continue; // the test's own account is the service account; no systemd here
            }
            if line.starts_with("ssh -t ") {
                continue; // the TUI over SSH: tests/ssh_e2e.rs drives it in tmux
            }
            if line.starts_with("sudo systemd-analyze") && !has_systemd_analyze {
                continue;
            }
            let mut l = moved(line, &root_path)
                .replace("sudo -u smsdesk ", "")
                .replace("sudo ", "")
                .replace("target/release/smsdesk", BIN)
                .replace(
                    "assets/systemd/",
                    &format!("{}/assets/systemd/", env!("CARGO_MANIFEST_DIR")),
                );
            if let Some(rest) = l.strip_prefix("ssh smsdesk@server") {
                let sshd = sshd
                    .as_ref()
                    .expect("sshd configured before operators log in");
                let alice = sshd.client_args(&work.path().join("alice")).join(" ");
                l = format!("ssh {alice}{rest}");
            }
            script.push_str(&l);
            script.push('\n');
            // The unit as installed names the real binary; the moved copy names the moved one.
            if l.contains("install -m 0644") && l.contains("smsdesk.service") {
                let unit = root_path.join("etc/systemd/system/smsdesk.service");
                script.push_str(&format!(
                    "sed -i 's#/usr/local/bin/smsdesk#{}/usr/local/bin/smsdesk#' '{}'\n",
                    root_path.display(),
                    unit.display()
                ));
            }
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(work.path())
            .env(
                "PATH",
                format!(
                    "{}/usr/local/bin:{}",
                    root_path.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("SMSDESK_LOG_DIR", work.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README step failed:\n{script}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        operator_output = String::from_utf8_lossy(&out.stdout).into_owned();
    }
    // The last step ran a sub-command over SSH as alice: her (empty) upcoming list as JSON.
    let listed: serde_json::Value = serde_json::from_str(operator_output.trim())
        .unwrap_or_else(|e| panic!("{e}: {operator_output:?}"));
    assert_eq!(listed, serde_json::json!([]));
    // What the steps set up is in the store: alice administers, bob reads English.
    let users = Command::new(BIN)
        .arg("--db")
        .arg(root_path.join("var/lib/smsdesk/smsdesk.db"))
        .args(["--user", "alice", "--json", "user", "list"])
        .output()
        .unwrap();
    let users: serde_json::Value = serde_json::from_slice(&users.stdout).unwrap();
    assert_eq!(users[0]["login"], "alice");
    assert_eq!(users[0]["rights"]["admin"], true);
    assert_eq!(users[1]["login"], "bob");
    assert_eq!(users[1]["language"], "en");
}
