//! The built-in simulator: no network, so a newcomer (`smsdesk --demo`) and the tests see every
//! status a real provider can give.
//!
//! It accepts every message (`provider_id` = `sim-<reference>`) and plays an outcome chosen by
//! the **last two digits** of the recipient's number:
//!
//! | last two digits | outcome |
//! |---|---|
//! | `00`–`79` | delivered |
//! | `80`–`84` | not delivered (unknown number) |
//! | `85`–`89` | expired (phone unreachable) |
//! | `90`–`94` | failed: refused at submission (`submit` answers `Rejected`) |
//! | `95`–`97` | STOP (the recipient opted out at the operator) |
//! | `98` | stays in transit forever (no final report ever comes) |
//! | `99` | provider down: `submit` fails with a transient error, so the message is retried |
//!
//! Final statuses are reported by [`Provider::poll_statuses`] once `submitted_at + delay` has
//! passed (default 3 s, field [`Simulator::delay`]); before that the message is reported in
//! transit. The simulator keeps no state: the outcome depends only on the number and the
//! submission time, so every smsdesk process sharing a store sees the same story.
//!
//! Replies are not produced here: `smsdesk simulate reply` records one directly.

use super::{
    OutgoingSms, PendingStatus, Provider, ProviderError, ProviderKind, ProviderProblem,
    ReportedStatus, StatusReport, SubmitOutcome,
};
use crate::clock::Clock;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Delay before the simulator reports a final status.
pub const DEFAULT_DELAY: Duration = Duration::from_secs(3);

/// What the simulator does with a number (see the module table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimOutcome {
    Delivered,
    NotDelivered,
    Expired,
    /// Refused at submission.
    Rejected,
    Stop,
    /// Accepted, never a final report.
    InTransitForever,
    /// Submission fails with a transient error every time.
    ProviderDown,
}

impl SimOutcome {
    /// Outcome for a number, from its last two digits (non-digits are ignored; a number with
    /// fewer than two digits is delivered).
    pub fn for_number(number: &str) -> SimOutcome {
        let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
        let n = match digits.as_slice() {
            [.., a, b] => a * 10 + b,
            _ => return SimOutcome::Delivered,
        };
        match n {
            0..=79 => SimOutcome::Delivered,
            80..=84 => SimOutcome::NotDelivered,
            85..=89 => SimOutcome::Expired,
            90..=94 => SimOutcome::Rejected,
            95..=97 => SimOutcome::Stop,
            98 => SimOutcome::InTransitForever,
            _ => SimOutcome::ProviderDown,
        }
    }

    /// The final status reported after the delay, if any.
    fn final_status(self) -> Option<ReportedStatus> {
        match self {
            SimOutcome::Delivered => Some(ReportedStatus::Delivered),
            SimOutcome::NotDelivered => Some(ReportedStatus::NotDelivered),
            SimOutcome::Expired => Some(ReportedStatus::Expired),
            SimOutcome::Stop => Some(ReportedStatus::Stop),
            // Never accepted, so never pending; if asked anyway the honest answer is failure.
            SimOutcome::Rejected | SimOutcome::ProviderDown => Some(ReportedStatus::Failed),
            SimOutcome::InTransitForever => None,
        }
    }

    fn detail(self) -> &'static str {
        match self {
            SimOutcome::Delivered => "simulated: delivered (number ends in 00-79)",
            SimOutcome::NotDelivered => "simulated: unknown number (number ends in 80-84)",
            SimOutcome::Expired => "simulated: phone unreachable, expired (number ends in 85-89)",
            SimOutcome::Rejected => "simulated: refused by the provider (number ends in 90-94)",
            SimOutcome::Stop => "simulated: recipient opted out, STOP (number ends in 95-97)",
            SimOutcome::InTransitForever => {
                "simulated: in transit, no report will come (number ends in 98)"
            }
            SimOutcome::ProviderDown => "simulated: provider unavailable (number ends in 99)",
        }
    }
}

/// The simulator provider.
#[derive(Clone, Debug)]
pub struct Simulator {
    /// Time between submission and the final status.
    pub delay: Duration,
    clock: Clock,
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Simulator {
    /// Default delay (3 s), system clock.
    pub fn new() -> Self {
        Simulator {
            delay: DEFAULT_DELAY,
            clock: Clock::system(),
        }
    }

    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Reads "now" from `clock` (tests and `SMSDESK_NOW` replays).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn due(&self, submitted_at: DateTime<Utc>) -> DateTime<Utc> {
        let delay = chrono::Duration::from_std(self.delay).unwrap_or(chrono::Duration::MAX);
        submitted_at
            .checked_add_signed(delay)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

impl Provider for Simulator {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Simulator
    }

    fn submit(&self, sms: &OutgoingSms) -> Result<SubmitOutcome, ProviderError> {
        match SimOutcome::for_number(&sms.to_e164) {
            SimOutcome::Rejected => Ok(SubmitOutcome::Rejected {
                reason: ProviderProblem::SimulatedRefusal,
            }),
            SimOutcome::ProviderDown => Err(ProviderError::Transient {
                reason: ProviderProblem::SimulatedOutage,
                retry_after: None,
            }),
            _ => Ok(SubmitOutcome::Accepted {
                provider_id: format!("sim-{}", sms.reference),
            }),
        }
    }

    fn needs_polling(&self) -> bool {
        true
    }

    fn poll_statuses(&self, pending: &[PendingStatus]) -> Result<Vec<StatusReport>, ProviderError> {
        let now = self.clock.now();
        Ok(pending
            .iter()
            .map(|p| {
                let outcome = SimOutcome::for_number(&p.to_e164);
                let due = self.due(p.submitted_at);
                let (status, at) = match outcome.final_status() {
                    Some(s) if now >= due => (s, due),
                    _ => (ReportedStatus::InTransit, p.submitted_at),
                };
                let detail = if status == ReportedStatus::InTransit
                    && outcome != SimOutcome::InTransitForever
                {
                    "simulated: in transit".to_string()
                } else {
                    outcome.detail().to_string()
                };
                StatusReport {
                    reference: p.reference.clone(),
                    provider_id: p.provider_id.clone(),
                    status,
                    detail,
                    at,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_of_each_class() {
        use SimOutcome::*;
        let cases = [
            ("+33612345600", Delivered),
            ("+33612345679", Delivered),
            ("+33612345680", NotDelivered),
            ("+33612345684", NotDelivered),
            ("+33612345685", Expired),
            ("+33612345689", Expired),
            ("+33612345690", Rejected),
            ("+33612345694", Rejected),
            ("+33612345695", Stop),
            ("+33612345697", Stop),
            ("+33612345698", InTransitForever),
            ("+33612345699", ProviderDown),
            ("7", Delivered),
        ];
        for (n, o) in cases {
            assert_eq!(SimOutcome::for_number(n), o, "{n}");
        }
    }
}
