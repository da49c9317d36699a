//! The sending engine's test bench: a store with a manual clock for the scheduler tests, the
//! send they queue, and what a polled provider reports.

use chrono::{DateTime, TimeZone, Utc};
use smsdesk::clock::Clock;
use smsdesk::core::Actor;
use smsdesk::core::send::{self, Body, IndividualSend};
use smsdesk::gateway::{PendingStatus, ReportedStatus, StatusReport};
use smsdesk::scheduler;
use smsdesk::store::{Store, credit, settings};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A store and its administrator, with a clock that stands still until a test moves it.
pub struct Bench {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub clock: Clock,
    pub store: Store,
    pub admin: Actor,
    /// Where the clock starts: Tuesday 10 March 2026, 10:00 in Paris.
    pub start: DateTime<Utc>,
}

/// A store `s.db` in a temporary directory, no grace period, the window `window` every day of
/// the week, then the `extra` settings, all set by admin; the clock at [`Bench::start`].
pub fn bench(window: &str, extra: &[(&str, &str)]) -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let start = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
    let clock = Clock::manual(start);
    let mut store = Store::open(&db).unwrap();
    let admin = Actor::identify(&mut store, "admin", start).unwrap();
    let week = [
        ("grace_seconds", "0"),
        ("window", window),
        ("window_days", "mon-sun"),
    ];
    for (k, v) in week.iter().chain(extra) {
        settings::set(store.conn(), k, v, "admin", start).unwrap();
    }
    Bench {
        dir,
        db,
        clock,
        store,
        admin,
        start,
    }
}

impl Bench {
    /// A pack of 1,000 credits ("test"), bought at the start.
    pub fn with_thousand_credits(self) -> Bench {
        credit::add_pack(
            self.store.conn(),
            1000,
            "test",
            self.start.date_naive(),
            "admin",
            self.start,
        )
        .unwrap();
        self
    }

    /// The admin sends "Bonjour, votre rendez-vous est confirmé." to `to` now; returns the
    /// message.
    pub fn send_now(&mut self, to: &str) -> i64 {
        let req = IndividualSend {
            to: vec![to.into()],
            body: Body::Text("Bonjour, votre rendez-vous est confirmé.".into()),
            at: None,
        };
        send::send_individual(&mut self.store, &self.admin, &req, self.clock.now()).unwrap()[0]
    }
}

/// What a polled provider that delivers everything reports: each message delivered when it
/// was submitted.
pub fn all_delivered(pending: &[PendingStatus]) -> Vec<StatusReport> {
    pending
        .iter()
        .map(|p| StatusReport {
            reference: p.reference.clone(),
            provider_id: p.provider_id.clone(),
            status: ReportedStatus::Delivered,
            detail: "DELIVRD".into(),
            at: p.submitted_at,
        })
        .collect()
}

/// Credit units charged for message `id`, summed over the ledger.
pub fn charged(store: &Store, id: i64) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT COALESCE(SUM(units), 0) FROM credit_ledger WHERE message_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

/// How long a test waits on the scheduler (real time).
pub struct Waits {
    /// The most [`Waits::eventually`] waits.
    pub patience: Duration,
    /// Between two looks.
    pub pause: Duration,
    /// The passes [`Waits::settle`] lets run.
    pub passes: usize,
    pub settle_pause: Duration,
}

impl Waits {
    /// `patience_s` seconds at most, a look every `pause_ms`; `passes` passes `settle_ms` apart.
    pub const fn new(patience_s: u64, pause_ms: u64, passes: usize, settle_ms: u64) -> Waits {
        Waits {
            patience: Duration::from_secs(patience_s),
            pause: Duration::from_millis(pause_ms),
            passes,
            settle_pause: Duration::from_millis(settle_ms),
        }
    }

    /// Waits until `cond` holds, waking the scheduler meanwhile; panics naming `what` after
    /// `patience`.
    pub fn eventually(&self, h: &scheduler::Handle, what: &str, mut cond: impl FnMut() -> bool) {
        let until = Instant::now() + self.patience;
        while Instant::now() < until {
            if cond() {
                return;
            }
            h.wake();
            std::thread::sleep(self.pause);
        }
        panic!("timed out waiting for: {what}");
    }

    /// Lets the scheduler run its passes, for checking that something does NOT happen.
    pub fn settle(&self, h: &scheduler::Handle) {
        for _ in 0..self.passes {
            h.wake();
            std::thread::sleep(self.settle_pause);
        }
    }
}
