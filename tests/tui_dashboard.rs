//! The dashboard's figures stay right while the TUI stays open: what another process sends,
//! a pack bought, a day that passes and a ledger correction show on the next tick, although an
//! idle tick re-reads nothing and the month's consumption is read from per-quarter aggregates
//! (issue 15).

mod tui_fixture;

use chrono::{DateTime, Duration, Offset, Utc};
use smsdesk::clock::Clock;
use smsdesk::core::Actor;
use smsdesk::i18n::Lang;
use smsdesk::keymap::Keymap;
use smsdesk::sms::status::MessageStatus;
use smsdesk::store::{Store, credit};
use smsdesk::tui::App;
use tui_fixture::*;

/// The sample store's app on a clock the test moves, and a second connection to the same
/// store: the scheduler's thread or another operator's process.
fn open(lang: Lang) -> (Fixture, App, Clock, Store) {
    let f = sample_store();
    let clock = Clock::manual(now());
    let mut store = Store::open(&f.path()).unwrap();
    let actor = Actor::identify(&mut store, "admin", now()).unwrap();
    let app = App::new(store, actor, lang, Keymap::defaults(), clock.clone());
    let other = Store::open(&f.path()).unwrap();
    (f, app, clock, other)
}

/// The consumption chart's title: ` Consumption — 30 days: 8 SMS, max 3/day `.
fn chart_title(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains("30 days"))
        .unwrap_or_else(|| panic!("no chart title in\n{screen}"))
        .to_string()
}

/// A message sent now by another connection: queued, submitted, charged `units`.
fn send_elsewhere(other: &Store, at: DateTime<Utc>, units: i64) -> i64 {
    let mut m = Msg::instant(
        "+33612345678",
        "Élodie Martin",
        "Bonjour",
        at,
        &[MessageStatus::Sending, MessageStatus::Submitted],
    );
    m.segments = units;
    add_message(other, &m)
}

#[test]
fn a_message_sent_by_another_process_shows_on_the_next_tick_within_the_same_minute() {
    let (_f, mut app, _clock, other) = open(Lang::En);
    let before = render(&mut app, 80, 24);
    assert!(before.contains("consumed 8"), "{before}");
    assert!(chart_title(&before).contains(": 8 SMS"), "{before}");
    // An idle tick: nothing changed, nothing to redraw.
    assert!(!app.on_tick());

    send_elsewhere(&other, now(), 5);
    assert!(app.on_tick(), "the send must redraw the dashboard");
    let after = render(&mut app, 80, 24);
    assert!(after.contains("consumed 13"), "{after}");
    assert!(chart_title(&after).contains(": 13 SMS"), "{after}");
    assert!(chart_title(&after).contains("max 5/day"), "{after}");
}

#[test]
fn a_pack_bought_elsewhere_shows_on_the_next_tick() {
    let (_f, mut app, _clock, other) = open(Lang::En);
    assert!(render(&mut app, 80, 24).contains("bought 1 500"));
    app.on_tick();
    credit::add_pack(
        other.conn(),
        2_000,
        "renewal",
        now().date_naive(),
        "admin",
        now(),
    )
    .unwrap();
    app.on_tick();
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("bought 3 500"), "{screen}");
    assert!(screen.contains("renewal"), "{screen}");
}

/// Units charged since local midnight (Paris) 29 days before `at`'s day, read from the ledger
/// itself: what the chart's title must say.
fn month_from_ledger(other: &Store, at: DateTime<Utc>) -> i64 {
    let offset = i64::from(
        at.with_timezone(&chrono_tz::Europe::Paris)
            .offset()
            .fix()
            .local_minus_utc(),
    );
    let from = ((at.timestamp() + offset).div_euclid(86_400) - 29) * 86_400 - offset;
    other
        .conn()
        .query_row(
            "SELECT COALESCE(SUM(units), 0) FROM credit_ledger WHERE at >= ?1",
            [from],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn days_passing_move_the_month_of_consumption_without_any_write() {
    let (_f, mut app, clock, other) = open(Lang::En);
    let mut seen = Vec::new();
    for day in 0..=31 {
        if day > 0 {
            clock.advance(Duration::days(1));
            assert!(app.on_tick(), "day {day}: a new day redraws");
        }
        let want = month_from_ledger(&other, clock.now());
        let screen = render(&mut app, 80, 24);
        assert!(
            chart_title(&screen).contains(&format!(": {want} SMS")),
            "day {day}: {want} expected\n{screen}"
        );
        // The ledger itself did not change.
        assert!(screen.contains("consumed 8"), "{screen}");
        seen.push(want);
    }
    assert_eq!(seen.first(), Some(&8));
    assert_eq!(seen.last(), Some(&0));
    // The week's statuses moved with the clock too: nothing left in the last 7 days.
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Delivery rate: —"), "{screen}");
    assert!(screen.contains("nothing sent"), "{screen}");
}

#[test]
fn a_ledger_correction_elsewhere_is_not_hidden_by_the_aggregates() {
    let (_f, mut app, _clock, other) = open(Lang::En);
    let id = send_elsewhere(&other, now(), 5);
    app.on_tick();
    assert!(chart_title(&render(&mut app, 80, 24)).contains(": 13 SMS"));
    // The charge is corrected to 2 units, then another is moved to 40 days ago.
    other
        .conn()
        .execute(
            "UPDATE credit_ledger SET units = 2, running = running - 3 WHERE message_id = ?1",
            [id],
        )
        .unwrap();
    app.on_tick();
    let screen = render(&mut app, 80, 24);
    assert!(chart_title(&screen).contains(": 10 SMS"), "{screen}");
    other
        .conn()
        .execute(
            "UPDATE credit_ledger SET at = at - 40 * 86400 WHERE message_id = ?1",
            [id],
        )
        .unwrap();
    app.on_tick();
    let screen = render(&mut app, 80, 24);
    assert!(chart_title(&screen).contains(": 8 SMS"), "{screen}");
    other
        .conn()
        .execute("DELETE FROM credit_ledger WHERE message_id = ?1", [id])
        .unwrap();
    app.on_tick();
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("consumed 8"), "{screen}");
    assert!(chart_title(&screen).contains(": 8 SMS"), "{screen}");
}

/// Credit held for messages left "unknown — check" (they may have left) is not available to
/// the next ones: the dashboard says how much of the balance is held, in both languages, and
/// the queue's "enough credit" compares with what is left.
#[test]
fn the_dashboard_says_how_much_credit_unknown_messages_hold() {
    for (lang, words) in [(Lang::En, "of which"), (Lang::Fr, "dont")] {
        let f = demo_store();
        let held = smsdesk::store::dispatch::reserved_segments(f.store.db()).unwrap();
        assert!(held > 0, "the demo has messages left unknown");
        let mut app = app(f.store, lang);
        let screen = render(&mut app, 120, 30);
        let line = screen
            .lines()
            .find(|l| l.contains(words) && l.contains("SMS"))
            .unwrap_or_else(|| panic!("no held-credit line:\n{screen}"));
        let digits: String = line
            .split(words)
            .nth(1)
            .unwrap_or_default()
            .chars()
            .take_while(|c| !c.is_alphabetic())
            .filter(char::is_ascii_digit)
            .collect();
        assert_eq!(digits, held.to_string(), "{line}");
    }
}
