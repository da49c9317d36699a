//! Charging follows acceptance on every path the scheduler records: an answer, a report that
//! overtakes it, a report for a message left "unknown — check" by a crash.

use super::*;
use crate::core::Actor;
use crate::core::send::{self, Body, IndividualSend};
use crate::store::settings;

fn store_with_one_message() -> (tempfile::TempDir, Store, i64, DateTime<Utc>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 10, 9, 0, 0).unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).expect("store");
    let admin = Actor::identify(&mut store, "admin", now).expect("admin");
    for (k, v) in [
        ("grace_seconds", "0"),
        ("window", "08:00-20:00"),
        ("window_days", "mon-sun"),
    ] {
        settings::set(store.db(), k, v, "admin", now).expect("setting");
    }
    credit::add_pack(store.db(), 100, "test", now.date_naive(), "admin", now).expect("pack");
    let req = IndividualSend {
        to: vec!["06 12 34 56 78".into()],
        // Two segments, so a charge of 1 by mistake would show.
        body: Body::Text("Bonjour ".repeat(25)),
        at: None,
    };
    let id = send::send_individual(&mut store, &admin, &req, now).expect("queued")[0];
    (dir, store, id, now)
}

fn ledger(store: &Store, id: i64) -> (i64, i64) {
    store
        .conn()
        .query_row(
            "SELECT count(*), COALESCE(SUM(units),0) FROM credit_ledger WHERE message_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("ledger")
}

fn segments(store: &Store, id: i64) -> i64 {
    store
        .conn()
        .query_row("SELECT segments FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("segments")
}

fn delivered_report(id: i64, at: DateTime<Utc>) -> StatusReport {
    StatusReport {
        reference: reference(id),
        provider_id: String::new(),
        status: ReportedStatus::Delivered,
        detail: "DELIVRD".into(),
        at,
    }
}

#[test]
fn a_report_for_a_message_left_unknown_charges_it_once() {
    let (_dir, mut store, id, now) = store_with_one_message();
    assert_eq!(segments(&store, id), 2);
    store
        .write(|tx| -> Result<(), StoreError> {
            messages::transition(tx, id, MessageStatus::Sending, now, "dead", None)?;
            let crash = crate::store::notes::StatusNote::Text {
                text: "crash".into(),
            };
            settle(tx, id, MessageStatus::Unknown, now, crash)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(ledger(&store, id), (0, 0), "unknown: not charged yet");
    let report = delivered_report(id, now);
    store
        .write(|tx| apply_report(tx, "kannel", &report, now))
        .unwrap();
    // The same report again (Kannel retries until it gets a 200): nothing changes.
    store
        .write(|tx| apply_report(tx, "kannel", &report, now))
        .unwrap();
    assert_eq!(
        messages::status_of(store.db(), id).unwrap(),
        MessageStatus::Delivered
    );
    assert_eq!(ledger(&store, id), (1, 2), "charged once, all its segments");
}

#[test]
fn a_report_that_overtakes_the_answer_charges_once() {
    let (_dir, mut store, id, now) = store_with_one_message();
    store
        .write(|tx| messages::transition(tx, id, MessageStatus::Sending, now, "a", None))
        .unwrap();
    let report = delivered_report(id, now);
    store
        .write(|tx| apply_report(tx, "kannel", &report, now))
        .unwrap();
    assert_eq!(ledger(&store, id), (1, 2), "the report proves acceptance");
    let accepted = Ok(SubmitOutcome::Accepted {
        provider_id: "k1".into(),
    });
    store
        .write(|tx| record_submission(tx, id, "kannel", accepted, now))
        .unwrap();
    assert_eq!(
        messages::status_of(store.db(), id).unwrap(),
        MessageStatus::Delivered
    );
    assert_eq!(
        ledger(&store, id),
        (1, 2),
        "the late answer charges nothing more"
    );
}

#[test]
fn a_failed_submission_is_not_charged() {
    let (_dir, mut store, id, now) = store_with_one_message();
    store
        .write(|tx| messages::transition(tx, id, MessageStatus::Sending, now, "a", None))
        .unwrap();
    let refused = Ok(SubmitOutcome::Rejected {
        reason: "bad number".into(),
    });
    store
        .write(|tx| record_submission(tx, id, "kannel", refused, now))
        .unwrap();
    assert_eq!(
        messages::status_of(store.db(), id).unwrap(),
        MessageStatus::Failed
    );
    assert_eq!(ledger(&store, id), (0, 0));
}
