//! The sending engine with a controllable clock and an in-process provider: lifecycle, window,
//! retries and expiry, credit, STOP, ambiguous answers and crash leftovers.

mod support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use smsdesk::core::send::{self, Body, IndividualSend};
use smsdesk::gateway::{
    Balance, InboundSms, Lookup, OutgoingSms, PendingStatus, Provider, ProviderError,
    ReportedStatus, StatusReport, SubmitOutcome,
};
use smsdesk::scheduler::{self, Options};
use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::store::{Store, credit, messages, participants, settings};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Accept,
    Down,
    Ambiguous,
    /// Answers after 6 s, like a stalled provider (the HTTP client's time-out ends it).
    Stall,
}

/// A provider that counts submissions per reference and answers as told.
struct FakeProvider {
    mode: Mutex<Mode>,
    submits: Mutex<HashMap<String, usize>>,
    lookup: Mutex<Lookup>,
}

impl FakeProvider {
    fn new(mode: Mode) -> Arc<FakeProvider> {
        Arc::new(FakeProvider {
            mode: Mutex::new(mode),
            submits: Mutex::new(HashMap::new()),
            lookup: Mutex::new(Lookup::Unsupported),
        })
    }
    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }
    fn count(&self, id: i64) -> usize {
        self.submits
            .lock()
            .unwrap()
            .get(&scheduler::reference(id))
            .copied()
            .unwrap_or(0)
    }
    fn total(&self) -> usize {
        self.submits.lock().unwrap().values().sum()
    }
}

impl Provider for FakeProvider {
    /// Any real provider but the simulator (polled every 2 s) and Kannel (whose callback
    /// listener the settings would start) behaves as this one is meant to.
    fn kind(&self) -> smsdesk::gateway::ProviderKind {
        smsdesk::gateway::ProviderKind::Twilio
    }
    fn submit(&self, sms: &OutgoingSms) -> Result<SubmitOutcome, ProviderError> {
        *self
            .submits
            .lock()
            .unwrap()
            .entry(sms.reference.clone())
            .or_default() += 1;
        match *self.mode.lock().unwrap() {
            Mode::Accept => Ok(SubmitOutcome::Accepted {
                provider_id: format!("p-{}", sms.reference),
            }),
            Mode::Down => Err(ProviderError::Transient {
                reason: "HTTP 503".into(),
                retry_after: None,
            }),
            Mode::Ambiguous => Err(ProviderError::Ambiguous {
                reason: "no answer within 10 s".into(),
            }),
            Mode::Stall => {
                std::thread::sleep(std::time::Duration::from_secs(6));
                Err(ProviderError::Ambiguous {
                    reason: "no answer within 6 s".into(),
                })
            }
        }
    }
    fn needs_polling(&self) -> bool {
        true
    }
    fn poll_statuses(&self, pending: &[PendingStatus]) -> Result<Vec<StatusReport>, ProviderError> {
        Ok(support::engine::all_delivered(pending))
    }
    fn fetch_replies(&self, _: DateTime<Utc>) -> Result<Vec<InboundSms>, ProviderError> {
        Ok(Vec::new())
    }
    fn lookup(&self, _: &str, _: &str) -> Result<Lookup, ProviderError> {
        Ok(self.lookup.lock().unwrap().clone())
    }
    fn balance(&self) -> Result<Option<Balance>, ProviderError> {
        Ok(None)
    }
}

/// The store, its administrator and the clock of one test.
type Fixture = support::engine::Bench;

/// A store with an open window all week (unless changed), 1,000 credits, no grace period.
/// The clock starts on Tuesday 10 March 2026, 10:00 in Paris.
fn fixture() -> Fixture {
    support::engine::bench("08:00-20:00", &[]).with_thousand_credits()
}

impl Fixture {
    fn start(&self, provider: Arc<FakeProvider>, holder: &str) -> scheduler::Handle {
        let mut o = Options::new(self.db.clone(), self.clock.clone());
        o.holder = holder.into();
        o.provider = Some(provider);
        scheduler::spawn(o, None)
    }

    fn status(&self, id: i64) -> MessageStatus {
        messages::status_of(self.store.db(), id).unwrap()
    }

    fn wait_reason(&self, id: i64) -> String {
        self.store
            .conn()
            .query_row(
                "SELECT wait_reason FROM messages WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn history(&self, id: i64) -> Vec<MessageStatus> {
        messages::history(self.store.db(), id)
            .unwrap()
            .into_iter()
            .map(|h| h.status)
            .collect()
    }

    fn ledger_units(&self, id: i64) -> i64 {
        support::engine::charged(&self.store, id)
    }
}

/// Waiting on the scheduler: 15 s at most for something to happen, 10 passes to see that
/// something does not.
const WAITS: support::engine::Waits = support::engine::Waits::new(15, 20, 10, 30);

#[test]
fn a_message_leaves_once_is_charged_once_and_every_status_is_recorded() {
    let mut f = fixture();
    let id = f.send_now("06 12 34 56 78");
    let provider = FakeProvider::new(Mode::Accept);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "submitted", || f.status(id) == MessageStatus::Submitted);
    // Statuses are polled: a later pass brings the delivery report.
    f.clock.advance(Duration::seconds(30));
    WAITS.eventually(&h, "delivered", || f.status(id) == MessageStatus::Delivered);
    WAITS.settle(&h);
    h.stop().unwrap();
    assert_eq!(provider.count(id), 1);
    assert_eq!(f.ledger_units(id), 1);
    assert_eq!(
        f.history(id),
        [
            MessageStatus::Pending,
            MessageStatus::Sending,
            MessageStatus::Submitted,
            MessageStatus::Delivered
        ]
    );
    assert_eq!(credit::balance(f.store.db()).unwrap(), 999);
}

#[test]
fn a_send_now_outside_the_window_waits_for_the_next_opening() {
    let mut f = fixture();
    // 21:30 in Paris: after the 20:00 close.
    f.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 10, 20, 30, 0).unwrap());
    let id = f.send_now("06 12 34 56 78");
    let provider = FakeProvider::new(Mode::Accept);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "waiting for the window", || {
        f.wait_reason(id) == "window"
    });
    WAITS.settle(&h);
    assert_eq!(provider.count(id), 0, "nothing leaves outside the window");
    assert_eq!(f.status(id), MessageStatus::Pending);
    let planned_next: i64 = f
        .store
        .conn()
        .query_row(
            "SELECT next_attempt_at FROM messages WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    // Next opening: Wednesday 08:00 Paris = 07:00 UTC.
    assert_eq!(
        planned_next,
        Utc.with_ymd_and_hms(2026, 3, 11, 7, 0, 0)
            .unwrap()
            .timestamp()
    );
    f.clock
        .set(Utc.with_ymd_and_hms(2026, 3, 11, 7, 0, 5).unwrap());
    WAITS.eventually(&h, "sent at the opening", || {
        f.status(id) == MessageStatus::Submitted
    });
    h.stop().unwrap();
    assert_eq!(provider.count(id), 1);
}

#[test]
fn a_send_now_is_retried_with_back_off_and_expires_24_hours_after_creation() {
    let mut f = fixture();
    let id = f.send_now("06 12 34 56 78");
    let provider = FakeProvider::new(Mode::Down);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "first attempt", || {
        provider.count(id) == 1 && f.wait_reason(id) == "provider"
    });
    assert_eq!(f.status(id), MessageStatus::Pending);
    // Walk the clock forward in half-hour steps: retries happen, none succeeds.
    for _ in 0..50 {
        f.clock.advance(Duration::minutes(30));
        WAITS.settle(&h);
        if f.status(id) == MessageStatus::Expired {
            break;
        }
    }
    WAITS.eventually(&h, "expired", || f.status(id) == MessageStatus::Expired);
    h.stop().unwrap();
    let attempts = provider.count(id);
    assert!(attempts >= 5, "retried several times, got {attempts}");
    assert_eq!(f.ledger_units(id), 0, "nothing charged");
    let final_at: i64 = f
        .store
        .conn()
        .query_row("SELECT final_at FROM messages WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    let created = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
    assert!(final_at >= (created + Duration::hours(24) - Duration::minutes(31)).timestamp());
    assert!(final_at <= (created + Duration::hours(25)).timestamp());
}

#[test]
fn a_reminder_is_retried_until_its_event_starts_then_expires() {
    let f = fixture();
    let now = f.clock.now();
    let event_start = now + Duration::hours(2);
    let info = smsdesk::sms::encoding::analyse("Rappel : rendez-vous à 11h.");
    let id = messages::insert(
        f.store.conn(),
        &messages::NewMessage {
            kind: MessageKind::Reminder,
            context: "interview".into(),
            participant_id: None,
            event_id: None,
            batch_id: None,
            template_id: None,
            automation_id: None,
            collaborator_id: None,
            phone: "+33612345678".into(),
            recipient_name: "Élodie Martin".into(),
            text: "Rappel : rendez-vous à 11h.".into(),
            manual_edit: false,
            encoding: info.encoding,
            chars: info.chars as i64,
            segments: info.segments as i64,
            sender: "MEBS".into(),
            expects_reply: false,
            campaign: false,
            created_by: "admin".into(),
            created_at: now,
            planned_at: now,
            deadline: event_start,
        },
    )
    .unwrap();
    let provider = FakeProvider::new(Mode::Down);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "first attempt", || provider.count(id) >= 1);
    f.clock.advance(Duration::minutes(90));
    WAITS.settle(&h);
    assert_eq!(
        f.status(id),
        MessageStatus::Pending,
        "still before the event: keeps trying"
    );
    f.clock.advance(Duration::minutes(31));
    WAITS.eventually(&h, "expired at the event", || {
        f.status(id) == MessageStatus::Expired
    });
    let tries = provider.count(id);
    f.clock.advance(Duration::hours(5));
    WAITS.settle(&h);
    h.stop().unwrap();
    assert_eq!(
        provider.count(id),
        tries,
        "an expired message is never sent"
    );
}

#[test]
fn an_ambiguous_answer_leaves_the_message_unknown_and_it_is_never_resent_automatically() {
    let mut f = fixture();
    let id = f.send_now("06 12 34 56 78");
    let provider = FakeProvider::new(Mode::Ambiguous);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "unknown", || f.status(id) == MessageStatus::Unknown);
    provider.set(Mode::Accept);
    f.clock.advance(Duration::hours(2));
    WAITS.settle(&h);
    assert_eq!(provider.count(id), 1);
    assert_eq!(f.status(id), MessageStatus::Unknown);
    // The dashboard counts it.
    let q = smsdesk::store::stats::queue(f.store.db(), f.clock.now()).unwrap();
    assert_eq!(q.unknown, 1);
    // An operator decides to resend: it leaves again, once.
    send::settle_unknown(
        &mut f.store,
        &f.admin,
        id,
        send::UnknownDecision::Resend,
        f.clock.now(),
    )
    .unwrap();
    WAITS.eventually(&h, "resent", || f.status(id) == MessageStatus::Submitted);
    h.stop().unwrap();
    assert_eq!(provider.count(id), 2);
}

#[test]
fn an_unknown_closed_as_delivered_by_an_operator_is_charged_once() {
    let mut f = fixture();
    let delivered = f.send_now("06 12 34 56 78");
    let failed = f.send_now("06 12 34 56 79");
    let provider = FakeProvider::new(Mode::Ambiguous);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "unknown", || {
        f.status(delivered) == MessageStatus::Unknown && f.status(failed) == MessageStatus::Unknown
    });
    h.stop().unwrap();
    assert_eq!(f.ledger_units(delivered), 0, "not charged while unknown");
    for (id, decision) in [
        (delivered, send::UnknownDecision::Delivered),
        (failed, send::UnknownDecision::Failed),
    ] {
        send::settle_unknown(&mut f.store, &f.admin, id, decision, f.clock.now()).unwrap();
    }
    assert_eq!(
        f.ledger_units(delivered),
        1,
        "the provider took it: charged once"
    );
    assert_eq!(f.ledger_units(failed), 0, "closed as failed: not charged");
}

#[test]
fn a_message_that_would_overdraw_waits_for_credit() {
    let mut f = fixture();
    // Spend the balance down to nothing.
    f.store
        .conn()
        .execute(
            "INSERT INTO credit_ledger(units, at, kind, note) VALUES (1000, 0, 'adjust', 'test')",
            [],
        )
        .unwrap();
    let id = f.send_now("06 12 34 56 78");
    let provider = FakeProvider::new(Mode::Accept);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "waiting for credit", || f.wait_reason(id) == "credit");
    assert_eq!(provider.count(id), 0);
    let q =
        smsdesk::store::stats::queue(f.store.db(), f.clock.now() + Duration::seconds(61)).unwrap();
    assert_eq!(q.waiting_credit, 1, "the dashboard says why it waits");
    credit::add_pack(
        f.store.conn(),
        10,
        "top-up",
        f.clock.now().date_naive(),
        "admin",
        f.clock.now(),
    )
    .unwrap();
    f.clock.advance(Duration::seconds(61));
    WAITS.eventually(&h, "sent after the top-up", || {
        f.status(id) == MessageStatus::Submitted
    });
    h.stop().unwrap();
}

#[test]
fn a_number_opted_out_after_queuing_ends_as_stop_without_being_sent_or_charged() {
    let mut f = fixture();
    let id = f.send_now("06 12 34 56 78");
    participants::opt_out(
        f.store.conn(),
        "+33612345678",
        "reply",
        None,
        "test",
        f.clock.now(),
    )
    .unwrap();
    let provider = FakeProvider::new(Mode::Accept);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "STOP", || f.status(id) == MessageStatus::Stop);
    h.stop().unwrap();
    assert_eq!(provider.count(id), 0);
    assert_eq!(f.ledger_units(id), 0);
}

/// Leaves a message in `sending`, as a scheduler killed mid-send would.
fn crash_leftover(f: &mut Fixture) -> i64 {
    let id = f.send_now("06 12 34 56 78");
    messages::transition(
        f.store.db(),
        id,
        MessageStatus::Sending,
        f.clock.now(),
        "dead",
        None,
    )
    .unwrap();
    id
}

#[test]
fn a_crash_leftover_is_not_resent_blindly() {
    let mut f = fixture();
    let id = crash_leftover(&mut f);
    let provider = FakeProvider::new(Mode::Accept);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "unknown", || f.status(id) == MessageStatus::Unknown);
    WAITS.settle(&h);
    h.stop().unwrap();
    assert_eq!(provider.count(id), 0);
}

#[test]
fn a_crash_leftover_is_reconciled_when_the_provider_can_be_asked() {
    let mut f = fixture();
    let found = crash_leftover(&mut f);
    let provider = FakeProvider::new(Mode::Accept);
    *provider.lookup.lock().unwrap() = Lookup::Found {
        provider_id: "ovh-1".into(),
        status: ReportedStatus::Delivered,
    };
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "reconciled", || {
        f.status(found) == MessageStatus::Delivered
    });
    h.stop().unwrap();
    assert_eq!(
        provider.count(found),
        0,
        "found at the provider: not sent again"
    );
    assert_eq!(f.ledger_units(found), 1, "charged once");

    let not_found = crash_leftover(&mut f);
    let provider = FakeProvider::new(Mode::Accept);
    *provider.lookup.lock().unwrap() = Lookup::NotFound;
    let h = f.start(provider.clone(), "b");
    WAITS.eventually(&h, "sent after reconciliation", || {
        f.status(not_found) == MessageStatus::Submitted
    });
    h.stop().unwrap();
    assert_eq!(provider.count(not_found), 1);
}

#[test]
fn two_schedulers_on_one_store_never_send_a_message_twice() {
    let mut f = fixture();
    let numbers: Vec<String> = (0..300).map(|i| format!("+3361234{i:04}")).collect();
    let (_, ids) = send::queue_free(
        &mut f.store,
        &f.admin,
        &send::FreeSend {
            text: "Information : atelier CV jeudi".into(),
            numbers,
            at: None,
            campaign: false,
            source: "test".into(),
        },
        f.clock.now(),
    )
    .unwrap();
    let provider = FakeProvider::new(Mode::Accept);
    let a = f.start(provider.clone(), "a");
    let b = f.start(provider.clone(), "b");
    WAITS.eventually(&a, "all submitted", || {
        ids.iter().all(|id| {
            f.status(*id) != MessageStatus::Pending && f.status(*id) != MessageStatus::Sending
        })
    });
    a.stop().unwrap();
    b.stop().unwrap();
    for id in &ids {
        assert_eq!(provider.count(*id), 1, "message {id}");
    }
    assert_eq!(provider.total(), ids.len());
}

#[test]
fn a_stalled_provider_never_blocks_the_operator() {
    let mut f = fixture();
    let first = f.send_now("06 12 34 56 78");
    let provider = FakeProvider::new(Mode::Stall);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "the provider is being called", || {
        provider.count(first) == 1
    });
    // While the provider hangs, the store stays writable and the scheduler answers at once.
    let t = std::time::Instant::now();
    let second = f.send_now("06 12 34 56 79");
    h.wake();
    let rows = messages::page(
        f.store.db(),
        messages::ListKind::Upcoming,
        &messages::MessageFilter::default(),
        smsdesk::store::page::Page::forward(None, 50),
    )
    .unwrap();
    // Blocking would mean waiting for the 6 s stall; allow for a loaded machine.
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "blocked {:?}",
        t.elapsed()
    );
    // The new message is queued (or already claimed: the scheduler had room for it).
    assert!(rows.iter().any(|r| r.id == second) || f.status(second) == MessageStatus::Sending);
    assert_eq!(f.status(first), MessageStatus::Sending);
    WAITS.eventually(&h, "the stalled send ends as unknown", || {
        f.status(first) == MessageStatus::Unknown
    });
    h.stop().unwrap();
}

/// Waits (real time, up to `secs`) until `cond` holds, waking the scheduler meanwhile.
fn within(secs: u64, handle: &scheduler::Handle, what: &str, mut cond: impl FnMut() -> bool) {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if cond() {
            return;
        }
        handle.wake();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("timed out waiting for: {what}");
}

#[test]
fn a_store_locked_for_30_s_by_another_process_holds_sending_up_and_it_resumes_by_itself() {
    let mut f = fixture();
    // Due five minutes from now, so it is queued before the lock and due during it.
    let req = IndividualSend {
        to: vec!["06 12 34 56 78".into()],
        body: Body::Text("Bonjour, votre rendez-vous est confirmé.".into()),
        at: Some(
            chrono::NaiveDate::from_ymd_opt(2026, 3, 10)
                .unwrap()
                .and_hms_opt(10, 5, 0)
                .unwrap(),
        ),
    };
    let id = send::send_individual(&mut f.store, &f.admin, &req, f.clock.now()).unwrap()[0];
    let provider = FakeProvider::new(Mode::Accept);
    let notices: Arc<Mutex<Vec<scheduler::Notice>>> = Arc::default();
    let mut o = Options::new(f.db.clone(), f.clock.clone());
    o.holder = "tui".into();
    o.provider = Some(provider.clone());
    let seen = notices.clone();
    let h = scheduler::spawn(o, Some(Box::new(move |n| seen.lock().unwrap().push(n))));
    within(15, &h, "the scheduler holds the lease", || {
        smsdesk::store::lease::current(f.store.db())
            .unwrap()
            .is_some_and(|l| l.holder == "tui")
    });

    // Another process takes the write lock and keeps it for 30 s; the message falls due.
    let locker = Store::open(&f.db).unwrap();
    locker.conn().execute_batch("BEGIN IMMEDIATE").unwrap();
    f.clock.advance(Duration::minutes(10));
    let locked_at = std::time::Instant::now();
    within(25, &h, "the dashboard says the store is busy", || {
        scheduler::current_trouble().is_some_and(|t| t.busy)
    });
    while locked_at.elapsed() < std::time::Duration::from_secs(30) {
        h.wake();
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(
        provider.count(id),
        0,
        "nothing can be claimed while the store is locked"
    );
    assert_eq!(f.status(id), MessageStatus::Pending);
    assert!(
        notices
            .lock()
            .unwrap()
            .iter()
            .any(|n| matches!(n, scheduler::Notice::Trouble(t) if t.busy)),
        "the screen was told"
    );
    locker.conn().execute_batch("ROLLBACK").unwrap();

    // The lock is gone: the same scheduler sends it, without a restart.
    within(40, &h, "sent after the lock", || {
        f.status(id) == MessageStatus::Submitted
    });
    within(10, &h, "the trouble is cleared", || {
        scheduler::current_trouble().is_none()
    });
    assert!(
        notices
            .lock()
            .unwrap()
            .contains(&scheduler::Notice::Recovered)
    );
    h.stop().unwrap();
    assert_eq!(provider.count(id), 1);
}

#[test]
fn a_message_planned_at_the_closing_minute_of_the_window_leaves_at_that_minute() {
    let mut f = fixture();
    settings::set(
        f.store.conn(),
        "window",
        "09:00-19:00",
        "admin",
        f.clock.now(),
    )
    .unwrap();
    // Tuesday 10 March 2026, 19:00 in Paris (18:00 UTC).
    let req = IndividualSend {
        to: vec!["06 12 34 56 78".into()],
        body: Body::Text("Rappel : rendez-vous demain 9h.".into()),
        at: Some(
            chrono::NaiveDate::from_ymd_opt(2026, 3, 10)
                .unwrap()
                .and_hms_opt(19, 0, 0)
                .unwrap(),
        ),
    };
    let id = send::send_individual(&mut f.store, &f.admin, &req, f.clock.now()).unwrap()[0];
    let provider = FakeProvider::new(Mode::Accept);
    let h = f.start(provider.clone(), "a");
    WAITS.settle(&h);
    assert_eq!(provider.count(id), 0, "not before its time");
    // The scheduler looks a little after 19:00:00, as its tick does.
    f.clock.advance(
        Utc.with_ymd_and_hms(2026, 3, 10, 18, 0, 0).unwrap() - f.clock.now()
            + Duration::milliseconds(700),
    );
    WAITS.eventually(&h, "sent at 19:00", || {
        f.status(id) == MessageStatus::Submitted
    });
    h.stop().unwrap();
    assert_eq!(provider.count(id), 1);
}

#[test]
fn an_ambiguous_answer_is_reconciled_when_the_provider_can_be_asked_and_never_resent() {
    let mut f = fixture();
    let id = f.send_now("06 12 34 56 78");
    let provider = FakeProvider::new(Mode::Ambiguous);
    let h = f.start(provider.clone(), "a");
    WAITS.eventually(&h, "unknown", || f.status(id) == MessageStatus::Unknown);
    // The provider had it after all, and can be asked by our reference (OVH's tag).
    *provider.lookup.lock().unwrap() = Lookup::Found {
        provider_id: "ovh-7".into(),
        status: ReportedStatus::Delivered,
    };
    provider.set(Mode::Accept);
    f.clock.advance(Duration::seconds(20));
    WAITS.eventually(&h, "reconciled", || {
        f.status(id) == MessageStatus::Delivered
    });
    h.stop().unwrap();
    assert_eq!(
        provider.count(id),
        1,
        "found at the provider: never sent again"
    );
    assert_eq!(f.ledger_units(id), 1, "charged once");
    assert!(
        f.history(id).contains(&MessageStatus::Unknown),
        "{:?}",
        f.history(id)
    );
}
