//! The clock. `SMSDESK_NOW` sets its starting point (tests, replays); time then advances
//! normally from there. Tests use [`Clock::fixed`] or [`Clock::manual`] to control it exactly.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Clone, Debug)]
enum Source {
    System,
    /// Starts at `start` when the process reads it first, then advances with the monotonic clock.
    Offset {
        start: DateTime<Utc>,
        origin: Instant,
    },
    /// Moves only when told to.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

/// A cheap, cloneable clock shared by the core, the scheduler and the TUI.
#[derive(Clone, Debug)]
pub struct Clock {
    source: Source,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

/// `SMSDESK_NOW` holds no instant (a test or demo setting: English only).
#[derive(Debug, thiserror::Error)]
#[error("SMSDESK_NOW={value:?} is not an RFC 3339 instant: {reason}")]
pub struct ClockError {
    pub value: String,
    pub reason: chrono::ParseError,
}

impl Clock {
    pub fn system() -> Self {
        Clock {
            source: Source::System,
        }
    }

    /// A clock starting at `start` and advancing in real time.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Clock {
            source: Source::Offset {
                start,
                origin: Instant::now(),
            },
        }
    }

    /// A clock that stays at `at` until [`Clock::advance`] or [`Clock::set`] moves it.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Clock {
            source: Source::Manual(Arc::new(Mutex::new(at))),
        }
    }

    /// Alias of [`Clock::manual`], for readability in tests that never move it.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self::manual(at)
    }

    /// Reads `SMSDESK_NOW` (RFC 3339); the system clock when it is absent.
    pub fn from_env() -> Result<Self, ClockError> {
        match std::env::var("SMSDESK_NOW") {
            Ok(v) if !v.trim().is_empty() => DateTime::parse_from_rfc3339(v.trim())
                .map(|t| Self::starting_at(t.with_timezone(&Utc)))
                .map_err(|reason| ClockError { value: v, reason }),
            _ => Ok(Self::system()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.source {
            Source::System => Utc::now(),
            Source::Offset { start, origin } => {
                *start + Duration::from_std(origin.elapsed()).unwrap_or_else(|_| Duration::zero())
            }
            Source::Manual(at) => *at.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a manual clock forward; no effect on the others.
    pub fn advance(&self, by: Duration) {
        if let Source::Manual(at) = &self.source {
            let mut guard = at.lock().unwrap_or_else(|p| p.into_inner());
            *guard += by;
        }
    }

    /// Sets a manual clock; no effect on the others.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Source::Manual(at) = &self.source {
            *at.lock().unwrap_or_else(|p| p.into_inner()) = to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap();
        let c = Clock::manual(t0);
        assert_eq!(c.now(), t0);
        c.advance(Duration::seconds(90));
        assert_eq!(c.now(), t0 + Duration::seconds(90));
    }

    #[test]
    fn offset_clock_starts_at_given_instant() {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap();
        let c = Clock::starting_at(t0);
        let d = c.now() - t0;
        assert!(d >= Duration::zero() && d < Duration::seconds(5));
    }
}
