//! A real terminal for journeys: a program runs in `tmux` at a given size, keys are sent as a
//! person types them, the screen is read back with `capture-pane`. One tmux server per test
//! (its own socket), killed when dropped.
//!
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The command a tmux window runs for smsdesk: the server's `LANG` (`en_US.UTF-8`), the
/// configuration and logs in `dir` (away from the developer's own), then `args`
/// (`--db … --user …`).
pub fn smsdesk_command(lang: &str, dir: &Path, args: &str) -> String {
    format!(
        "env LANG={lang} SMSDESK_CONFIG_DIR={cfg} SMSDESK_LOG_DIR={cfg} {bin} {args}",
        cfg = dir.display(),
        bin = env!("CARGO_BIN_EXE_smsdesk"),
    )
}

/// `smsdesk --demo --user admin` as [`smsdesk_command`] runs it, with a `TMPDIR` of its own
/// (`dir/tmp`, made here) for the demo store: the command and that directory.
pub fn demo_command(lang: &str, dir: &Path) -> (String, PathBuf) {
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let cmd = format!(
        "env TMPDIR={} {}",
        tmp.display(),
        smsdesk_command(lang, dir, "--demo --user admin")
    );
    (cmd, tmp)
}

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server on `socket` with one 80×24 session `j` running `cmd`; `None` (skip) when
    /// tmux is not installed outside CI.
    pub fn start(socket: &str, cmd: &str) -> Option<Tmux> {
        let t = Tmux::server(socket)?;
        t.open("j", cmd);
        Some(t)
    }

    /// A tmux server without sessions yet.
    pub fn server(socket: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "tmux is required in CI"
            );
            eprintln!("SKIP tmux journey: tmux is not installed");
            return None;
        }
        let t = Tmux {
            socket: socket.into(),
        };
        let _ = t.tmux(&["kill-server"]);
        Some(t)
    }

    /// Another 80×24 session named `name` running `cmd`.
    pub fn open(&self, name: &str, cmd: &str) {
        self.tmux(&["new-session", "-d", "-s", name, "-x", "80", "-y", "24", cmd]);
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Named keys (`Enter`, `Tab`, `C-s`) to session `j`, one at a time, so `Escape` + a
    /// letter never reads as Alt.
    pub fn keys(&self, keys: &[&str]) {
        self.keys_to("j", keys);
    }

    pub fn keys_to(&self, session: &str, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", session, k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    pub fn type_text(&self, text: &str) {
        self.type_text_to("j", text);
    }

    pub fn type_text_to(&self, session: &str, text: &str) {
        self.tmux(&["send-keys", "-t", session, "-l", "--", text]);
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Text pasted as a terminal pastes it: bracketed, since the application asked for it.
    pub fn paste(&self, text: &str) {
        self.tmux(&["set-buffer", "-b", "paste", "--", text]);
        self.tmux(&["paste-buffer", "-p", "-b", "paste", "-t", "j"]);
        std::thread::sleep(Duration::from_millis(100));
    }

    /// `q`, answering yes when smsdesk asks first (it does while it is the one sending and
    /// messages are queued, as in the demo store).
    pub fn quit(&self) {
        self.keys(&["q"]);
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            let s = self.screen();
            if s.contains("[ Quit ]") || s.contains("[ Quitter ]") {
                let yes = if s.contains("[ Quitter ]") { "o" } else { "y" };
                self.keys(&[yes]);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn screen(&self) -> String {
        self.screen_of("j")
    }

    pub fn screen_of(&self, session: &str) -> String {
        self.tmux(&["capture-pane", "-p", "-t", session])
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_in("j", Duration::from_secs(10), |s| s.contains(needle), needle)
    }

    /// Waits until the dashboard names the scheduler lease that this TUI's scheduler takes on
    /// its first pass (`Scheduler: HH:MM:SS holder`): from then on, this window is the one
    /// sending.
    pub fn wait_for_lease(&self) -> String {
        self.wait_in(
            "j",
            Duration::from_secs(20),
            |s| {
                s.lines().any(|l| {
                    l.split_once("Scheduler: ").is_some_and(|(_, rest)| {
                        rest.chars().take(8).filter(|c| *c == ':').count() == 2
                    })
                })
            },
            "the scheduler line naming this window's lease",
        )
    }

    /// Waits until session's screen satisfies `ok`, at most `limit`; panics with the screen.
    pub fn wait_in(
        &self,
        session: &str,
        limit: Duration,
        ok: impl Fn(&str) -> bool,
        what: &str,
    ) -> String {
        let until = Instant::now() + limit;
        loop {
            let s = self.screen_of(session);
            // Twice, a moment apart: a frame is written row by row, and a capture can hold
            // its top rows before the rest.
            if ok(&s) {
                std::thread::sleep(Duration::from_millis(50));
                let again = self.screen_of(session);
                if ok(&again) {
                    return again;
                }
            }
            assert!(
                Instant::now() < until,
                "{session}: never saw {what:?} on screen within {limit:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}
