//! A real OpenSSH server on 127.0.0.1 for the tests of operators' access
//! (`shared/openssh/start.sh`: its own host key and sshd_config in a temporary directory),
//! stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

fn kit() -> PathBuf {
    let rel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/openssh");
    if rel.join("start.sh").exists() {
        rel
    } else {
        PathBuf::from("/work/shared/openssh")
    }
}

/// Whether the tests can run: sshd is installed, or CI (which installs it) demands them.
pub fn available() -> bool {
    if Path::new("/usr/sbin/sshd").exists() || std::env::var("CI").as_deref() == Ok("true") {
        return true;
    }
    eprintln!("SKIP ssh tests: OpenSSH server (/usr/sbin/sshd) is not installed");
    false
}

/// The account running the tests: the one sshd lets in (root: by forced commands only).
pub fn me() -> String {
    String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string()
}

pub struct Sshd {
    dir: PathBuf,
    pub port: String,
}

impl Sshd {
    /// Starts sshd with its files in `dir` and these extra `sshd_config` lines.
    pub fn start(dir: &Path, lines: &[String]) -> Sshd {
        let out = Command::new(kit().join("start.sh"))
            .arg(dir)
            .arg("--")
            .args(lines)
            .output()
            .expect("start.sh");
        assert!(
            out.status.success(),
            "sshd did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Sshd {
            dir: dir.to_path_buf(),
            port: String::from_utf8_lossy(&out.stdout).trim().to_string(),
        }
    }

    /// The client's options to log in with `key`, then the destination.
    pub fn client_args(&self, key: &Path) -> Vec<String> {
        [
            "-i",
            &key.display().to_string(),
            "-p",
            &self.port,
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "LogLevel=ERROR",
            &format!("{}@127.0.0.1", me()),
        ]
        .map(String::from)
        .to_vec()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = Command::new(kit().join("stop.sh")).arg(&self.dir).output();
    }
}

/// A new ed25519 key `dir/name` (and `name.pub`), commented `name@laptop`.
pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C"])
        .arg(format!("{name}@laptop"))
        .arg("-f")
        .arg(&key)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    key
}
