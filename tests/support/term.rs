//! The real binary in a real terminal for the journeys: `tmux` runs `smsdesk` at 80×24 on one
//! store, keys are sent as an operator types them, the screen is read back with
//! `capture-pane`; the result is checked through the CLI (`--json …`) on the same store.
//!
//! Each terminal has its own tmux server (`-L`) and config directory, and a fixed start of the
//! clock (`SMSDESK_NOW`). Without `tmux` the journeys say so and pass, unless `CI=true`.

use super::tmux::Tmux;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_smsdesk");
/// Monday 30 March 2026, 10:00 in Paris: the same instant as the headless tests.
pub const NOW: &str = "2026-03-30T08:00:00Z";

/// Whether tmux is installed; says the journey is skipped when it is not (fails on CI).
pub fn have_tmux() -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tmux is required on CI"
        );
        eprintln!("tmux not found: journey skipped");
    }
    found
}

/// How a journey's terminal is started and driven.
pub struct Launch {
    /// The tmux server's socket, unique to the test.
    pub socket: String,
    /// Who signs in (`--user`).
    pub user: &'static str,
    /// `LANG` of the program (`en_GB.UTF-8`, `fr_FR.UTF-8`): the terminal is ready once the
    /// dashboard shows in that language.
    pub locale: &'static str,
    /// How long a screen may take to show what is expected.
    pub patience: Duration,
    /// A pause after each named key (none by default).
    pub key_pause: Duration,
}

impl Launch {
    /// `smsdesk --user admin` in English, on socket `smsdesk-NAME-PID`, 10 s of patience.
    pub fn english(name: &str) -> Launch {
        Launch {
            socket: format!("smsdesk-{name}-{}", std::process::id()),
            user: "admin",
            locale: "en_GB.UTF-8",
            patience: Duration::from_secs(10),
            key_pause: Duration::ZERO,
        }
    }
}

/// A tmux server running `smsdesk` on one store; killed on drop.
pub struct Term {
    tmux: Tmux,
    patience: Duration,
    key_pause: Duration,
}

impl Term {
    /// Starts `smsdesk --db DB --user admin` in English at 80×24.
    pub fn start(name: &str, dir: &Path, db: &Path) -> Term {
        Term::launch(dir, db, Launch::english(name))
    }

    /// Starts `smsdesk --db DB --user USER` as `how` says, at 80×24, the config and logs in
    /// `dir`; returns once the dashboard shows.
    pub fn launch(dir: &Path, db: &Path, how: Launch) -> Term {
        // Killed on drop from here on, even when the session does not start.
        let tmux = Tmux::server(&how.socket).expect("tmux is installed");
        let config = dir.join("config");
        std::fs::create_dir_all(&config).unwrap();
        let command = format!(
            "env SMSDESK_NOW={NOW} LANG={} LC_ALL= LC_MESSAGES= SMSDESK_CONFIG_DIR='{}' \
             SMSDESK_LOG_DIR='{}' NO_COLOR=1 '{BIN}' --db '{}' --user {}",
            how.locale,
            config.display(),
            dir.display(),
            db.display(),
            how.user
        );
        let ok = Command::new("tmux")
            .args(["-L", &how.socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-s", "main", "-x", "80", "-y", "24", &command])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        let term = Term {
            tmux,
            patience: how.patience,
            key_pause: how.key_pause,
        };
        term.wait_for(if how.locale.starts_with("fr") {
            "Tableau de bord"
        } else {
            "Dashboard"
        });
        term
    }

    /// Named keys (`Tab`, `C-s`, `Space`, `Right`…), one after the other.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux.tmux(&["send-keys", "-t", "main", k]);
            if !self.key_pause.is_zero() {
                std::thread::sleep(self.key_pause);
            }
        }
    }

    /// `Tab`, `n` times.
    pub fn tabs(&self, n: usize) {
        for _ in 0..n {
            self.keys(&["Tab"]);
        }
    }

    /// Text typed as is.
    pub fn typed(&self, text: &str) {
        self.tmux.tmux(&["send-keys", "-t", "main", "-l", text]);
    }

    pub fn screen(&self) -> String {
        self.tmux.screen_of("main")
    }

    /// Polls the screen until it shows `needle`; fails with the screen otherwise.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |screen| screen.contains(needle))
    }

    /// Waits for a screen that satisfies `ok`: a frame is written row by row, so a capture
    /// may hold its top rows before its footer.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            // Twice, a moment apart: a capture can hold a half-written frame.
            if ok(&screen) {
                std::thread::sleep(Duration::from_millis(50));
                let again = self.screen();
                if ok(&again) {
                    return again;
                }
            }
            assert!(
                start.elapsed() < self.patience,
                "the screen never showed {what:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// `smsdesk --db DB --user admin ARGS…` at the journeys' clock, its config beside the store
/// (`DB.cfg`): its standard output; fails with its standard error.
pub fn cli(db: &Path, args: &[&str]) -> Vec<u8> {
    let config = db.with_extension("cfg");
    let env = [
        ("SMSDESK_NOW", NOW),
        ("SMSDESK_CONFIG_DIR", config.to_str().unwrap()),
    ];
    super::smsdesk::run_as(db, "admin", &env, args)
}

/// `smsdesk --db DB --user admin --json ARGS…` as [`cli`] runs it, parsed.
pub fn cli_json(db: &Path, args: &[&str]) -> serde_json::Value {
    let json: Vec<&str> = std::iter::once("--json")
        .chain(args.iter().copied())
        .collect();
    serde_json::from_slice(&cli(db, &json)).unwrap()
}
