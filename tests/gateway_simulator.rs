//! The simulator plays every outcome class by the number's last two digits, after its delay.

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use smsdesk::clock::Clock;
use smsdesk::gateway::simulator::Simulator;
use smsdesk::gateway::{
    Lookup, OutgoingSms, PendingStatus, Provider, ProviderError, ReportedStatus, SubmitOutcome,
};
use std::time::Duration;

fn sms(reference: &str, to: &str) -> OutgoingSms {
    OutgoingSms {
        reference: reference.into(),
        to_e164: to.into(),
        from: "MAIRIE".into(),
        text: "Rappel : rendez-vous demain à 9h".into(),
        ucs2: false,
        segments: 1,
        expects_reply: false,
    }
}

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// Submits, then polls once at `t0 + after` with a simulator of `delay`.
fn play(to: &str, delay: Duration, after: ChronoDuration) -> Option<ReportedStatus> {
    let clock = Clock::manual(t0());
    let sim = Simulator::new().with_delay(delay).with_clock(clock.clone());
    let provider_id = match sim.submit(&sms("m1", to)) {
        Ok(SubmitOutcome::Accepted { provider_id }) => provider_id,
        _ => return None,
    };
    clock.advance(after);
    let reports = sim
        .poll_statuses(&[PendingStatus {
            reference: "m1".into(),
            provider_id,
            to_e164: to.into(),
            submitted_at: t0(),
        }])
        .expect("the simulator never fails to poll");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].reference, "m1");
    Some(reports[0].status)
}

#[test]
fn accepts_with_a_sim_prefixed_id() {
    let sim = Simulator::new();
    assert_eq!(
        sim.submit(&sms("m42", "+33612345678")).unwrap(),
        SubmitOutcome::Accepted {
            provider_id: "sim-m42".into()
        }
    );
    assert_eq!(sim.kind(), smsdesk::gateway::ProviderKind::Simulator);
    assert!(sim.needs_polling());
}

#[test]
fn every_final_class_after_the_delay() {
    let d = Duration::from_secs(3);
    let later = ChronoDuration::seconds(3);
    let cases = [
        ("+33612345600", ReportedStatus::Delivered),
        ("+33612345642", ReportedStatus::Delivered),
        ("+33612345679", ReportedStatus::Delivered),
        ("+33612345680", ReportedStatus::NotDelivered),
        ("+33612345684", ReportedStatus::NotDelivered),
        ("+33612345685", ReportedStatus::Expired),
        ("+33612345689", ReportedStatus::Expired),
        ("+33612345695", ReportedStatus::Stop),
        ("+33612345697", ReportedStatus::Stop),
        // Overseas numbers follow the same rule.
        ("+590690123481", ReportedStatus::NotDelivered),
        ("+262692123456", ReportedStatus::Delivered),
    ];
    for (to, expected) in cases {
        assert_eq!(play(to, d, later), Some(expected), "{to}");
    }
}

#[test]
fn in_transit_before_the_delay() {
    for to in [
        "+33612345601",
        "+33612345682",
        "+33612345687",
        "+33612345696",
    ] {
        assert_eq!(
            play(
                to,
                Duration::from_secs(3),
                ChronoDuration::milliseconds(2999)
            ),
            Some(ReportedStatus::InTransit),
            "{to}"
        );
    }
}

#[test]
fn configurable_delay_is_honoured() {
    let d = Duration::from_secs(60);
    assert_eq!(
        play("+33612345601", d, ChronoDuration::seconds(59)),
        Some(ReportedStatus::InTransit)
    );
    assert_eq!(
        play("+33612345601", d, ChronoDuration::seconds(60)),
        Some(ReportedStatus::Delivered)
    );
    // Default delay is 3 s.
    assert_eq!(Simulator::new().delay, Duration::from_secs(3));
}

#[test]
fn final_report_is_dated_at_submission_plus_delay() {
    let clock = Clock::manual(t0() + ChronoDuration::hours(5));
    let sim = Simulator::new().with_clock(clock);
    let r = sim
        .poll_statuses(&[PendingStatus {
            reference: "m9".into(),
            provider_id: "sim-m9".into(),
            to_e164: "+33612345610".into(),
            submitted_at: t0(),
        }])
        .unwrap();
    assert_eq!(r[0].status, ReportedStatus::Delivered);
    assert_eq!(r[0].at, t0() + ChronoDuration::seconds(3));
}

#[test]
fn ninety_to_ninety_four_are_rejected_at_submission() {
    let sim = Simulator::new();
    for to in ["+33612345690", "+33612345692", "+33612345694"] {
        assert!(
            matches!(
                sim.submit(&sms("m1", to)),
                Ok(SubmitOutcome::Rejected { .. })
            ),
            "{to}"
        );
    }
}

#[test]
fn ninety_eight_stays_in_transit_forever() {
    assert_eq!(
        play(
            "+33612345698",
            Duration::from_secs(3),
            ChronoDuration::days(30)
        ),
        Some(ReportedStatus::InTransit)
    );
}

#[test]
fn ninety_nine_is_a_transient_provider_error() {
    let sim = Simulator::new();
    for _ in 0..3 {
        assert!(matches!(
            sim.submit(&sms("m1", "+33612345699")),
            Err(ProviderError::Transient { .. })
        ));
    }
}

#[test]
fn stateless_across_instances() {
    // A second process (another Simulator) gives the same answer for the same message.
    let clock = Clock::manual(t0() + ChronoDuration::seconds(10));
    let pending = [PendingStatus {
        reference: "m7".into(),
        provider_id: "sim-m7".into(),
        to_e164: "+33612345686".into(),
        submitted_at: t0(),
    }];
    let a = Simulator::new()
        .with_clock(clock.clone())
        .poll_statuses(&pending)
        .unwrap();
    let b = Simulator::new()
        .with_clock(clock)
        .poll_statuses(&pending)
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(a[0].status, ReportedStatus::Expired);
}

#[test]
fn no_lookup_no_balance_no_replies() {
    let sim = Simulator::new();
    assert_eq!(
        sim.lookup("m1", "+33612345678").unwrap(),
        Lookup::Unsupported
    );
    assert_eq!(sim.balance().unwrap(), None);
    assert!(sim.fetch_replies(t0()).unwrap().is_empty());
}
