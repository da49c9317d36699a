//! Acceptance tests for the sending window, DST handling, campaigns and French public holidays.
//!
//! Expected instants are worked out by hand from the IANA rules (Europe/Paris: EU rules,
//! +01:00 / +02:00, changes at 01:00 UTC on the last Sundays of March and October;
//! America/Miquelon: -03:00 / -02:00, Canadian rules, 2nd Sunday of March / 1st Sunday of
//! November at 02:00 local) and from the French Code du travail for holidays.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike,
    Utc, Weekday,
};
use chrono_tz::Tz;
use proptest::prelude::*;
use smsdesk::sms::holidays::{Territory, holidays, is_holiday};
use smsdesk::sms::window::*;

const PARIS: Tz = Tz::Europe__Paris;

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 09:00-19:00 every day, to test DST without the week-day rule interfering.
fn every_day() -> SendWindow {
    SendWindow::new(t(9, 0), t(19, 0), WeekdaySet::ALL).unwrap()
}

/// A window covering the small hours, to see the DST gap rule at work.
fn night_and_day() -> SendWindow {
    SendWindow::new(t(0, 0), t(23, 59), WeekdaySet::ALL).unwrap()
}

fn offset_secs(at: DateTime<Utc>, tz: Tz) -> i32 {
    at.with_timezone(&tz).offset().fix().local_minus_utc()
}

// ---------------------------------------------------------------------------------------------
// Window settings

#[test]
fn default_window_is_nine_to_seven_monday_to_saturday() {
    let w = SendWindow::default();
    assert_eq!((w.start, w.end), (t(9, 0), t(19, 0)));
    assert_eq!(w.days.to_string(), "mon,tue,wed,thu,fri,sat");
    assert!(!w.days.contains(Weekday::Sun));
}

#[test]
fn the_end_minute_of_the_window_is_inside_it() {
    let w = SendWindow::default();
    let tz = Tz::Europe__Paris;
    // Saturday 5 December 2026, Paris (UTC+1).
    assert!(w.is_open(utc("2026-12-05T18:00:00Z"), tz), "19:00:00");
    assert!(w.is_open(utc("2026-12-05T18:00:30Z"), tz), "19:00:30");
    assert!(w.is_open(utc("2026-12-05T18:00:59.9Z"), tz), "19:00:59.9");
    assert!(!w.is_open(utc("2026-12-05T18:01:00Z"), tz), "19:01:00");
    assert!(!w.is_open(utc("2026-12-05T07:59:59Z"), tz), "08:59:59");
    // The scheduler looking a moment after 19:00 finds the window still open.
    let late = utc("2026-12-05T18:00:00.4Z");
    assert_eq!(next_opening(late, tz, &w), late);
    // Without the end minute, 23:59 would close a whole-day window a minute early.
    let all_day = SendWindow::new(t(0, 0), t(23, 59), WeekdaySet::ALL).unwrap();
    assert!(all_day.is_open(utc("2026-12-05T22:59:59Z"), tz), "23:59:59");
}

#[test]
fn a_d1_reminder_of_a_monday_9_oclock_appointment_leaves_on_saturday_at_19() {
    let w = SendWindow::default();
    let tz = Tz::Europe__Paris;
    let planned = plan_reminder(local("2026-12-07T09:00"), 1, tz, &w).unwrap();
    assert_eq!(
        planned,
        utc("2026-12-05T18:00:00Z"),
        "Saturday 19:00, Sunday is closed"
    );
    for tick in [0, 400, 999, 30_000] {
        let at = planned + Duration::milliseconds(tick);
        assert_eq!(
            next_opening(at, tz, &w),
            at,
            "the scheduler at 19:00 + {tick} ms sends"
        );
    }
}

#[test]
fn window_parsing_and_validation() {
    let w: SendWindow = "08:30-18:00".parse().unwrap();
    assert_eq!(
        (w.start, w.end, w.days),
        (t(8, 30), t(18, 0), WeekdaySet::MON_SAT)
    );
    let w = SendWindow::parse("10:00-12:00", "mon,wed").unwrap();
    assert!(w.days.contains(Weekday::Wed) && !w.days.contains(Weekday::Tue));
    assert_eq!(w.to_string().parse::<SendWindow>().unwrap(), w);
    assert!(matches!(
        SendWindow::new(t(19, 0), t(9, 0), WeekdaySet::ALL),
        Err(WindowError::StartNotBeforeEnd { .. })
    ));
    assert!(SendWindow::new(t(9, 0), t(9, 0), WeekdaySet::ALL).is_err());
    assert_eq!(
        SendWindow::new(t(9, 0), t(19, 0), WeekdaySet::EMPTY),
        Err(WindowError::NoDays)
    );
    assert!("9-19".parse::<SendWindow>().is_err());
    assert!("09:00".parse::<SendWindow>().is_err());
    let err = "mon,funday".parse::<WeekdaySet>().unwrap_err().to_string();
    assert!(err.contains("funday"), "{err}");
}

#[test]
fn timezones_parse_and_suggestions_put_metropolitan_france_first() {
    assert_eq!(parse_timezone("Europe/Paris").unwrap(), PARIS);
    assert_eq!(
        parse_timezone("america/guadeloupe").unwrap(),
        Tz::America__Guadeloupe
    );
    assert_eq!(parse_timezone("Asia/Tokyo").unwrap(), Tz::Asia__Tokyo);
    assert!(parse_timezone("Europe/Lyon").is_err());
    let list = suggested_timezones();
    assert_eq!(list[0].0, "Europe/Paris");
    let names: Vec<&str> = list.iter().map(|(iana, _)| *iana).collect();
    assert_eq!(
        &names[1..],
        [
            "America/Guadeloupe",
            "America/Martinique",
            "America/Cayenne",
            "Indian/Reunion",
            "Indian/Mayotte",
            "America/Miquelon",
            "Pacific/Noumea",
            "Pacific/Tahiti",
            "Pacific/Wallis"
        ]
    );
    for (iana, label) in list {
        assert!(parse_timezone(iana).is_ok(), "{iana}");
        assert!(!label.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// The spec example and the CLI report

#[test]
fn spec_example_eight_oclock_interview_gets_nine_oclock_reminder_the_day_before() {
    let report = plan_report("2026-03-29T08:00", 1, PARIS, &SendWindow::default()).unwrap();
    assert_eq!(
        report,
        serde_json::json!({
            "planned_local": "2026-03-28T09:00:00+01:00",
            "planned_utc": "2026-03-28T08:00:00Z"
        })
    );
    // Same answer with a space and with seconds.
    assert_eq!(
        plan_report("2026-03-29 08:00:00", 1, PARIS, &SendWindow::default()).unwrap(),
        report
    );
}

#[test]
fn plan_report_rejects_bad_input_with_a_clear_message() {
    for bad in [
        "29/03/2026 08:00",
        "2026-03-29",
        "2026-02-30T08:00",
        "tomorrow",
    ] {
        let err = plan_report(bad, 1, PARIS, &SendWindow::default()).unwrap_err();
        assert!(matches!(err, PlanError::InvalidDateTime { .. }), "{bad}");
        assert!(err.to_string().contains(bad), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Paris DST, 2026 and 2027

#[test]
fn reminders_across_spring_forward_keep_local_time() {
    // Monday 30 March 2026 10:00 CEST (08:00Z), D-2 is Saturday 28 March 10:00 CET (09:00Z):
    // 47 hours earlier, not 48.
    let r = plan_reminder(local("2026-03-30T10:00"), 2, PARIS, &every_day()).unwrap();
    assert_eq!(r, utc("2026-03-28T09:00:00Z"));
    // 2027: Monday 29 March 10:00 CEST, D-1 is the change day itself, already on CEST.
    let r = plan_reminder(local("2027-03-29T10:00"), 1, PARIS, &every_day()).unwrap();
    assert_eq!(r, utc("2027-03-28T08:00:00Z"));
    // D-3 from 2027-03-30 crosses the change: Saturday 27 March 10:00 CET.
    let r = plan_reminder(local("2027-03-30T10:00"), 3, PARIS, &every_day()).unwrap();
    assert_eq!(r, utc("2027-03-27T09:00:00Z"));
}

#[test]
fn reminders_across_fall_back_keep_local_time() {
    // Monday 26 October 2026 10:00 CET (09:00Z), D-2 is Saturday 24 October 10:00 CEST (08:00Z).
    let r = plan_reminder(local("2026-10-26T10:00"), 2, PARIS, &every_day()).unwrap();
    assert_eq!(r, utc("2026-10-24T08:00:00Z"));
    // 2027: Monday 1 November 10:00 CET, D-1 is Sunday 31 October 10:00 CET (after 03:00).
    let r = plan_reminder(local("2027-11-01T10:00"), 1, PARIS, &every_day()).unwrap();
    assert_eq!(r, utc("2027-10-31T09:00:00Z"));
    // With the default Monday-Saturday window that Sunday is closed: the closest earlier
    // allowed day, Saturday 30 October, at the window's end, 19:00 CEST.
    let r = plan_reminder(local("2027-11-01T10:00"), 1, PARIS, &SendWindow::default()).unwrap();
    assert_eq!(r, utc("2027-10-30T17:00:00Z"));
}

#[test]
fn event_at_half_past_two_on_the_spring_forward_night() {
    // 02:30 does not exist on 29 March 2026: the event is at 03:30 CEST (01:30Z).
    let event = resolve_local(PARIS, local("2026-03-29T02:30"));
    assert_eq!(event.with_timezone(&Utc), utc("2026-03-29T01:30:00Z"));
    assert_eq!(event.naive_local(), local("2026-03-29T03:30"));
    // Its D-1 reminder keeps the written time, 02:30, which exists on the 28th (CET).
    let r = plan_reminder(local("2026-03-29T02:30"), 1, PARIS, &night_and_day()).unwrap();
    assert_eq!(r, utc("2026-03-28T01:30:00Z"));
    // 2027 spring-forward night is 28 March.
    let event = resolve_local(PARIS, local("2027-03-28T02:30"));
    assert_eq!(event.with_timezone(&Utc), utc("2027-03-28T01:30:00Z"));
}

#[test]
fn reminder_landing_in_the_gap_moves_forward_by_the_gap() {
    // Event Monday 30 March 2026 02:30; D-1 is 29 March 02:30, inside the 02:00->03:00 gap:
    // it leaves at 03:30 CEST = 01:30Z.
    let r = plan_reminder(local("2026-03-30T02:30"), 1, PARIS, &night_and_day()).unwrap();
    assert_eq!(r, utc("2026-03-29T01:30:00Z"));
    assert_eq!(
        r.with_timezone(&PARIS).naive_local(),
        local("2026-03-29T03:30")
    );
    // 2027 likewise on 28 March.
    let r = plan_reminder(local("2027-03-29T02:00"), 1, PARIS, &night_and_day()).unwrap();
    assert_eq!(r, utc("2027-03-28T01:00:00Z"));
    assert_eq!(
        r.with_timezone(&PARIS).naive_local(),
        local("2027-03-28T03:00")
    );
}

#[test]
fn ambiguous_autumn_time_takes_the_first_occurrence() {
    // 02:30 happens twice on 25 October 2026: first at +02:00 (00:30Z), then +01:00 (01:30Z).
    let r = plan_reminder(local("2026-10-26T02:30"), 1, PARIS, &night_and_day()).unwrap();
    assert_eq!(r, utc("2026-10-25T00:30:00Z"));
    let r = plan_reminder(local("2027-11-01T02:30"), 1, PARIS, &night_and_day()).unwrap();
    assert_eq!(r, utc("2027-10-31T00:30:00Z"));
    let first = resolve_local(PARIS, local("2027-10-31T02:00"));
    assert_eq!(first.with_timezone(&Utc), utc("2027-10-31T00:00:00Z"));
}

#[test]
fn window_start_in_the_gap_opens_after_the_gap() {
    // A 02:30-05:00 window on the night of 29 March 2026: 02:30 is moved to 03:30 CEST.
    let w = SendWindow::new(t(2, 30), t(5, 0), WeekdaySet::ALL).unwrap();
    let now = utc("2026-03-28T23:30:00Z"); // 00:30 CET
    assert_eq!(next_opening(now, PARIS, &w), utc("2026-03-29T01:30:00Z"));
    // A window lying wholly inside the gap has no opening that day: the next day's 02:30 CEST.
    let w = SendWindow::new(t(2, 10), t(2, 50), WeekdaySet::ALL).unwrap();
    assert_eq!(next_opening(now, PARIS, &w), utc("2026-03-30T00:10:00Z"));
}

#[test]
fn window_reopens_when_the_clocks_go_back_into_it() {
    // Sundays 00:23-02:01 on 25 October 2026: 02:01 CEST passes at 00:01 UTC; at 01:00 UTC the
    // clocks go back from 03:00 CEST to 02:00 CET, inside the window again until 02:01 CET.
    let w = SendWindow::new(t(0, 23), t(2, 1), WeekdaySet::from_bits(1 << 6)).unwrap();
    let now = utc("2026-10-25T00:59:59Z"); // 02:59:59 CEST, closed
    assert_eq!(next_opening(now, PARIS, &w), utc("2026-10-25T01:00:00Z"));
    // Once that minute has passed, the next Sunday.
    let now = utc("2026-10-25T01:02:00Z");
    assert_eq!(next_opening(now, PARIS, &w), utc("2026-10-31T23:23:00Z"));
    // A window starting inside the repeated hour opens at its first occurrence, and again at
    // its second once the first has passed.
    let w = SendWindow::new(t(2, 30), t(2, 45), WeekdaySet::ALL).unwrap();
    assert_eq!(
        next_opening(utc("2026-10-24T23:00:00Z"), PARIS, &w),
        utc("2026-10-25T00:30:00Z")
    );
    assert_eq!(
        next_opening(utc("2026-10-25T00:50:00Z"), PARIS, &w),
        utc("2026-10-25T01:30:00Z")
    );
}

// ---------------------------------------------------------------------------------------------
// Zones without DST, and Saint-Pierre-et-Miquelon

#[test]
fn zones_without_dst_keep_a_fixed_offset() {
    // (zone, UTC offset in hours) all year round.
    let zones = [
        (Tz::America__Guadeloupe, -4),
        (Tz::Indian__Reunion, 4),
        (Tz::Pacific__Noumea, 11),
        (Tz::America__Cayenne, -3),
    ];
    for (tz, hours) in zones {
        for event in ["2026-03-30T10:00", "2026-10-26T10:00", "2027-01-15T10:00"] {
            let ev = local(event);
            let r = plan_reminder(ev, 2, tz, &every_day()).unwrap();
            let expected = (ev - Duration::days(2)) - Duration::hours(hours);
            assert_eq!(r.naive_utc(), expected, "{tz} {event}");
            assert_eq!(offset_secs(r, tz), hours as i32 * 3600);
        }
    }
    // Nouméa crosses the date line in UTC: Tuesday 14 July 10:00 local is 13 July 23:00Z.
    let r = plan_reminder(
        local("2026-07-15T10:00"),
        1,
        Tz::Pacific__Noumea,
        &every_day(),
    )
    .unwrap();
    assert_eq!(r, utc("2026-07-13T23:00:00Z"));
}

#[test]
fn saint_pierre_et_miquelon_follows_north_american_dst() {
    let spm = Tz::America__Miquelon;
    // Spring forward Sunday 8 March 2026 02:00 -> 03:00 (-03:00 -> -02:00).
    // Event Monday 9 March 10:00 (-02:00), D-2 Saturday 7 March 10:00 (-03:00).
    let r = plan_reminder(local("2026-03-09T10:00"), 2, spm, &every_day()).unwrap();
    assert_eq!(r, utc("2026-03-07T13:00:00Z"));
    let gap = resolve_local(spm, local("2026-03-08T02:30"));
    assert_eq!(gap.naive_local(), local("2026-03-08T03:30"));
    assert_eq!(gap.with_timezone(&Utc), utc("2026-03-08T05:30:00Z"));
    // Fall back Sunday 1 November 2026 02:00 -> 01:00: 01:30 is ambiguous, first is -02:00.
    let fold = resolve_local(spm, local("2026-11-01T01:30"));
    assert_eq!(fold.with_timezone(&Utc), utc("2026-11-01T03:30:00Z"));
    // Event Monday 2 November 10:00 (-03:00), D-2 Saturday 31 October 10:00 (-02:00).
    let r = plan_reminder(local("2026-11-02T10:00"), 2, spm, &every_day()).unwrap();
    assert_eq!(r, utc("2026-10-31T12:00:00Z"));
    // Paris has not changed yet on 8 March: same local time, different rules.
    let r = plan_reminder(local("2026-03-09T10:00"), 1, spm, &every_day()).unwrap();
    assert_eq!(r, utc("2026-03-08T12:00:00Z"));
}

// ---------------------------------------------------------------------------------------------
// Reminder and follow-up rules

#[test]
fn reminder_is_moved_into_the_window_of_its_day() {
    let w = SendWindow::default();
    // 21:00 on Wednesday -> D-1 Tuesday at 19:00 (end included).
    let r = plan_reminder(local("2026-06-10T21:00"), 1, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-06-09T17:00:00Z"));
    // 14:15 stays 14:15.
    let r = plan_reminder(local("2026-06-10T14:15"), 1, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-06-09T12:15:00Z"));
    // D-7 is a calendar week: Wednesday 3 June 14:15.
    let r = plan_reminder(local("2026-06-10T14:15"), 7, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-06-03T12:15:00Z"));
    // Monday interview, D-1 is Sunday (closed): Saturday 19:00.
    let r = plan_reminder(local("2026-06-15T08:00"), 1, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-06-13T17:00:00Z"));
    // Monday-Friday window, Monday interview with D-1: Friday 19:00.
    let w5 = SendWindow::new(t(9, 0), t(19, 0), WeekdaySet::MON_FRI).unwrap();
    let r = plan_reminder(local("2026-06-15T08:00"), 1, PARIS, &w5).unwrap();
    assert_eq!(r, utc("2026-06-12T17:00:00Z"));
}

#[test]
fn reminder_must_precede_its_event() {
    let w = SendWindow::default();
    // Same-day reminder of an 08:00 event with a 09:00 opening: impossible.
    let err = plan_reminder(local("2026-06-10T08:00"), 0, PARIS, &w).unwrap_err();
    assert!(matches!(err, PlanError::NoSlotBeforeEvent { .. }), "{err}");
    // Same-day reminder of a 20:00 event: 19:00 that day is fine.
    let r = plan_reminder(local("2026-06-10T20:00"), 0, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-06-10T17:00:00Z"));
}

#[test]
fn follow_up_goes_forward() {
    let w = SendWindow::default();
    // Friday 10:00 interview, D+1 Saturday 10:00.
    let r = plan_follow_up(local("2026-06-12T10:00"), 1, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-06-13T08:00:00Z"));
    // Saturday 10:00, D+1 is Sunday (closed): Monday at 09:00.
    let r = plan_follow_up(local("2026-06-13T10:00"), 1, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-06-15T07:00:00Z"));
    // 07:00 event, D+2 at 09:00.
    let r = plan_follow_up(local("2026-06-10T07:00"), 2, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-06-12T07:00:00Z"));
    // Across the autumn change: Friday 23 Oct 2026 10:00 CEST, D+3 Monday 26 Oct 10:00 CET.
    let r = plan_follow_up(local("2026-10-23T10:00"), 3, PARIS, &w).unwrap();
    assert_eq!(r, utc("2026-10-26T09:00:00Z"));
}

// ---------------------------------------------------------------------------------------------
// next_opening and validate_planned

#[test]
fn next_opening_waits_for_the_window() {
    let w = SendWindow::default();
    // Inside: now.
    let now = utc("2026-06-10T10:00:00Z"); // Wednesday 12:00 CEST
    assert_eq!(next_opening(now, PARIS, &w), now);
    // Exactly at the end: still open.
    let now = utc("2026-06-10T17:00:00Z");
    assert_eq!(next_opening(now, PARIS, &w), now);
    // Later in the end minute: still open (the scheduler looks a moment after 19:00).
    let now = utc("2026-06-10T17:00:59Z");
    assert_eq!(next_opening(now, PARIS, &w), now);
    // Once the end minute is over: tomorrow 09:00.
    let now = utc("2026-06-10T17:01:00Z");
    assert_eq!(next_opening(now, PARIS, &w), utc("2026-06-11T07:00:00Z"));
    // Early morning: today 09:00.
    let now = utc("2026-06-10T04:00:00Z");
    assert_eq!(next_opening(now, PARIS, &w), utc("2026-06-10T07:00:00Z"));
    // Saturday 20:00: Monday 09:00 (Sunday closed).
    let now = utc("2026-06-13T18:00:00Z");
    assert_eq!(next_opening(now, PARIS, &w), utc("2026-06-15T07:00:00Z"));
    // Saturday night before the spring change: Monday 30 March 09:00 CEST.
    let now = utc("2026-03-28T20:00:00Z");
    assert_eq!(next_opening(now, PARIS, &w), utc("2026-03-30T07:00:00Z"));
    // Réunion (UTC+4): 06:00Z is 10:00 local, open.
    let now = utc("2026-06-10T06:00:00Z");
    assert_eq!(next_opening(now, Tz::Indian__Reunion, &w), now);
}

#[test]
fn validate_planned_gives_reasons() {
    let w = SendWindow::default();
    let now = utc("2026-06-10T08:00:00Z");
    assert_eq!(
        validate_planned(utc("2026-06-11T08:00:00Z"), now, None, PARIS, &w),
        Ok(())
    );
    // Exactly 19:00 is accepted.
    assert_eq!(
        validate_planned(utc("2026-06-11T17:00:00Z"), now, None, PARIS, &w),
        Ok(())
    );

    let past = validate_planned(utc("2026-06-10T07:59:00Z"), now, None, PARIS, &w).unwrap_err();
    assert!(matches!(past, PlanError::InThePast { .. }), "{past}");

    let late = validate_planned(utc("2026-06-11T19:30:00Z"), now, None, PARIS, &w).unwrap_err();
    assert!(matches!(late, PlanError::OutsideWindow { .. }), "{late}");
    let msg = late.to_string();
    assert!(
        msg.contains("09:00-19:00") && msg.contains("21:30"),
        "{msg}"
    );

    let sunday = validate_planned(utc("2026-06-14T08:00:00Z"), now, None, PARIS, &w).unwrap_err();
    assert!(
        matches!(sunday, PlanError::DayNotAllowed { .. }),
        "{sunday}"
    );
    assert!(sunday.to_string().contains("Sunday"), "{sunday}");

    let event = utc("2026-06-11T08:00:00Z");
    let after = validate_planned(event, now, Some(event), PARIS, &w).unwrap_err();
    assert!(matches!(after, PlanError::NotBeforeEvent { .. }), "{after}");
    assert_eq!(
        validate_planned(utc("2026-06-11T07:59:00Z"), now, Some(event), PARIS, &w),
        Ok(())
    );
}

// ---------------------------------------------------------------------------------------------
// Public holidays

fn names(list: &[(NaiveDate, &str)]) -> Vec<NaiveDate> {
    list.iter().map(|(d, _)| *d).collect()
}

#[test]
fn metropolitan_holidays_2026_and_2027() {
    let h2026 = holidays(2026, Territory::Metropolitan);
    assert_eq!(
        names(&h2026),
        vec![
            date(2026, 1, 1),
            date(2026, 4, 6), // Easter Monday (Easter 5 April)
            date(2026, 5, 1),
            date(2026, 5, 8),
            date(2026, 5, 14), // Ascension, a Thursday
            date(2026, 5, 25), // Whit Monday
            date(2026, 7, 14),
            date(2026, 8, 15),
            date(2026, 11, 1),
            date(2026, 11, 11),
            date(2026, 12, 25),
        ]
    );
    let h2027 = holidays(2027, Territory::Metropolitan);
    assert_eq!(
        names(&h2027),
        vec![
            date(2027, 1, 1),
            date(2027, 3, 29), // Easter Monday (Easter 28 March)
            date(2027, 5, 1),
            date(2027, 5, 6), // Ascension
            date(2027, 5, 8),
            date(2027, 5, 17), // Whit Monday
            date(2027, 7, 14),
            date(2027, 8, 15),
            date(2027, 11, 1),
            date(2027, 11, 11),
            date(2027, 12, 25),
        ]
    );
    for year in 2000..2100 {
        let list = holidays(year, Territory::Metropolitan);
        let by_name = |n: &str| list.iter().find(|(_, name)| *name == n).unwrap().0;
        assert_eq!(by_name("Lundi de Pâques").weekday(), Weekday::Mon, "{year}");
        assert_eq!(by_name("Ascension").weekday(), Weekday::Thu, "{year}");
        assert_eq!(
            by_name("Lundi de Pentecôte").weekday(),
            Weekday::Mon,
            "{year}"
        );
    }
    assert_eq!(
        is_holiday(date(2026, 7, 14), Territory::Metropolitan),
        Some("Fête nationale")
    );
    assert_eq!(is_holiday(date(2026, 7, 15), Territory::Metropolitan), None);
    assert_eq!(is_holiday(date(2026, 5, 27), Territory::Metropolitan), None);
}

#[test]
fn overseas_abolition_days() {
    let cases = [
        (Tz::Indian__Mayotte, Territory::Mayotte, (4, 27)),
        (Tz::America__Martinique, Territory::Martinique, (5, 22)),
        (Tz::America__Guadeloupe, Territory::Guadeloupe, (5, 27)),
        (Tz::America__Marigot, Territory::SaintMartin, (5, 28)),
        (Tz::America__Cayenne, Territory::Guyane, (6, 10)),
        (
            Tz::America__St_Barthelemy,
            Territory::SaintBarthelemy,
            (10, 9),
        ),
        (Tz::Indian__Reunion, Territory::Reunion, (12, 20)),
    ];
    for (tz, territory, (m, d)) in cases {
        assert_eq!(Territory::from_tz(tz), territory);
        for year in [2026, 2027] {
            assert_eq!(holidays(year, territory).len(), 12, "{territory:?}");
            assert!(
                is_holiday(date(year, m, d), territory).is_some(),
                "{territory:?}"
            );
            assert_eq!(is_holiday(date(year, m, d), Territory::Metropolitan), None);
        }
    }
    // The Pacific and Saint-Pierre-et-Miquelon have the national list only.
    for tz in [
        Tz::Pacific__Noumea,
        Tz::Pacific__Tahiti,
        Tz::Pacific__Wallis,
        Tz::America__Miquelon,
    ] {
        assert_eq!(holidays(2026, Territory::from_tz(tz)).len(), 11, "{tz}");
    }
    assert_eq!(Territory::from_tz(PARIS), Territory::Metropolitan);
}

// ---------------------------------------------------------------------------------------------
// Information campaigns

#[test]
fn campaign_refused_on_sunday_holiday_and_outside_legal_hours() {
    let all_day = SendWindow::new(t(7, 0), t(22, 0), WeekdaySet::ALL).unwrap();
    let now = utc("2026-01-01T00:00:00Z");
    // Sunday 14 June 2026 10:00 in Paris, even with an organisation open on Sundays.
    let err = validate_campaign(utc("2026-06-14T08:00:00Z"), now, PARIS, &all_day).unwrap_err();
    assert!(matches!(err, PlanError::CampaignSunday { .. }), "{err}");
    // Tuesday 14 July 2026.
    let err = validate_campaign(utc("2026-07-14T08:00:00Z"), now, PARIS, &all_day).unwrap_err();
    assert!(
        matches!(
            err,
            PlanError::PublicHoliday {
                name: "Fête nationale",
                ..
            }
        ),
        "{err}"
    );
    // 21:00 is inside the organisation's window but after the legal 20:00.
    let err = validate_campaign(utc("2026-06-10T19:00:00Z"), now, PARIS, &all_day).unwrap_err();
    assert!(
        matches!(err, PlanError::OutsideCampaignWindow { .. }),
        "{err}"
    );
    // 20:00 exactly and 08:00 exactly are allowed.
    assert_eq!(
        validate_campaign(utc("2026-06-10T18:00:00Z"), now, PARIS, &all_day),
        Ok(())
    );
    assert_eq!(
        validate_campaign(utc("2026-06-10T06:00:00Z"), now, PARIS, &all_day),
        Ok(())
    );
    // 07:30 is refused.
    assert!(validate_campaign(utc("2026-06-10T05:30:00Z"), now, PARIS, &all_day).is_err());
    // The organisation's own window still applies: 08:30 is before its 09:00 opening.
    let err = validate_campaign(
        utc("2026-06-10T06:30:00Z"),
        now,
        PARIS,
        &SendWindow::default(),
    )
    .unwrap_err();
    assert!(matches!(err, PlanError::OutsideWindow { .. }), "{err}");
}

#[test]
fn campaign_on_27_may_refused_in_guadeloupe_not_in_paris() {
    let w = SendWindow::default();
    let now = utc("2026-01-01T00:00:00Z");
    // Wednesday 27 May 2026, 10:00 local.
    let paris = PARIS
        .with_ymd_and_hms(2026, 5, 27, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(validate_campaign(paris, now, PARIS, &w), Ok(()));
    let gp = Tz::America__Guadeloupe;
    let at = gp
        .with_ymd_and_hms(2026, 5, 27, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let err = validate_campaign(at, now, gp, &w).unwrap_err();
    assert!(matches!(err, PlanError::PublicHoliday { .. }), "{err}");
    assert!(err.to_string().contains("27/05/2026"), "{err}");
    // The next opening in Guadeloupe is Thursday 28 May at 09:00 local.
    let from = gp
        .with_ymd_and_hms(2026, 5, 26, 20, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        campaign_next_opening(from, gp, &w).unwrap(),
        gp.with_ymd_and_hms(2026, 5, 28, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    );
    // In Paris the next opening after Tuesday 20:00 is Wednesday 27 May 09:00.
    let from = PARIS
        .with_ymd_and_hms(2026, 5, 26, 20, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        campaign_next_opening(from, PARIS, &w).unwrap(),
        PARIS
            .with_ymd_and_hms(2026, 5, 27, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    );
}

#[test]
fn campaign_next_opening_skips_sundays_and_holidays() {
    let w = SendWindow::new(t(7, 0), t(22, 0), WeekdaySet::ALL).unwrap();
    // Saturday 4 April 2026 21:00: Sunday is closed, Easter Monday 6 April too: Tuesday 08:00.
    let now = PARIS
        .with_ymd_and_hms(2026, 4, 4, 21, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        campaign_next_opening(now, PARIS, &w).unwrap(),
        PARIS
            .with_ymd_and_hms(2026, 4, 7, 8, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    );
    // A window with nothing in common with 08:00-20:00 cannot hold campaigns.
    let evening = SendWindow::new(t(20, 30), t(22, 0), WeekdaySet::ALL).unwrap();
    assert!(matches!(
        campaign_next_opening(now, PARIS, &evening),
        Err(PlanError::NoCampaignWindow { .. })
    ));
    // Sunday only: no campaign day.
    let sunday =
        SendWindow::new(t(9, 0), t(19, 0), WeekdaySet::from_days(&[Weekday::Sun])).unwrap();
    assert!(campaign_next_opening(now, PARIS, &sunday).is_err());
}

// ---------------------------------------------------------------------------------------------
// Retries

#[test]
fn retry_deadlines_and_backoff() {
    let created = utc("2026-06-10T10:00:00Z");
    let event = utc("2026-06-12T08:00:00Z");
    assert_eq!(
        retry_deadline(false, created, None),
        utc("2026-06-11T10:00:00Z")
    );
    assert_eq!(
        retry_deadline(false, created, Some(event)),
        utc("2026-06-11T10:00:00Z")
    );
    assert_eq!(retry_deadline(true, created, Some(event)), event);
    assert_eq!(backoff(1), Duration::seconds(30));
    let mut previous = Duration::zero();
    for attempt in 1..50 {
        let wait = backoff(attempt);
        assert!(wait >= previous, "back-off never shrinks");
        assert!(wait <= Duration::minutes(30), "capped at 30 minutes");
        previous = wait;
    }
    assert_eq!(backoff(1000), Duration::minutes(30));
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Zones with DST in both hemispheres, a 30-minute DST (Lord Howe), a midnight change
/// (Santiago), and zones without DST.
const ZONES: [Tz; 8] = [
    Tz::Europe__Paris,
    Tz::America__Miquelon,
    Tz::America__Guadeloupe,
    Tz::Pacific__Noumea,
    Tz::Indian__Reunion,
    Tz::Australia__Lord_Howe,
    Tz::America__Santiago,
    Tz::America__New_York,
];

prop_compose! {
    fn any_window()(start in 0u32..1439, len in 1u32..1440, days in 1u8..128) -> SendWindow {
        let end = (start + len).min(1439);
        let start_t = NaiveTime::from_hms_opt(start / 60, start % 60, 0).unwrap();
        let end_t = NaiveTime::from_hms_opt(end / 60, end % 60, 0).unwrap();
        SendWindow::new(start_t, end_t, WeekdaySet::from_bits(days)).unwrap()
    }
}

prop_compose! {
    /// A local date-time between 2020 and 2035, minute resolution.
    fn any_local()(days in 0i64..(16 * 365), minute in 0i64..1440) -> NaiveDateTime {
        date(2020, 1, 1).and_hms_opt(0, 0, 0).unwrap() + Duration::days(days) + Duration::minutes(minute)
    }
}

/// The window rule, written independently: from `start` to the last second of the `end`
/// minute, on an allowed day.
fn inside(at: DateTime<Utc>, tz: Tz, w: &SendWindow) -> bool {
    let l = at.with_timezone(&tz).naive_local();
    let secs = i64::from(l.time().num_seconds_from_midnight());
    let (start, end) = (
        i64::from(w.start.num_seconds_from_midnight()),
        i64::from(w.end.num_seconds_from_midnight()),
    );
    w.days.contains(l.weekday()) && start <= secs && secs < end + 60
}

/// The documented exception to "nothing opens before next_opening": on a day whose window
/// start does not exist (DST gap), the start is resolved forward by the gap, while wall-clock
/// times between the gap's end and that resolved start already read as inside the window.
fn start_in_gap(at: DateTime<Utc>, tz: Tz, w: &SendWindow) -> bool {
    let day = at.with_timezone(&tz).date_naive();
    tz.from_local_datetime(&day.and_time(w.start)) == chrono::LocalResult::None
}

/// `PROPTEST_CASES` when set (to search harder on a developer's machine), else `default`.
fn cases_or(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases_or(512)))]

    #[test]
    fn reminder_is_inside_window_and_before_event(
        zone in 0usize..ZONES.len(), w in any_window(), ev in any_local(), n in 1u32..8,
    ) {
        let tz = ZONES[zone];
        let planned = plan_reminder(ev, n, tz, &w);
        let event = resolve_local(tz, ev).with_timezone(&Utc);
        // At least one day before, a slot always exists.
        let planned = planned.unwrap();
        prop_assert!(inside(planned, tz, &w), "{planned} {w}");
        prop_assert!(planned < event);
        // Never earlier than needed: at most a week plus a day before the D-N date.
        let earliest = ev.date() - Duration::days(i64::from(n) + 8);
        prop_assert!(planned.with_timezone(&tz).date_naive() > earliest);
    }

    #[test]
    fn follow_up_is_inside_window_and_after_event(
        zone in 0usize..ZONES.len(), w in any_window(), ev in any_local(), n in 0u32..8,
    ) {
        let tz = ZONES[zone];
        let planned = plan_follow_up(ev, n, tz, &w).unwrap();
        prop_assert!(inside(planned, tz, &w));
        prop_assert!(planned > resolve_local(tz, ev).with_timezone(&Utc));
    }

    #[test]
    fn next_opening_is_not_before_now_and_inside(
        zone in 0usize..ZONES.len(), w in any_window(), secs in 1_577_836_800i64..2_082_758_400,
    ) {
        let tz = ZONES[zone];
        let now = DateTime::from_timestamp(secs, 0).unwrap();
        let open = next_opening(now, tz, &w);
        prop_assert!(open >= now);
        prop_assert!(inside(open, tz, &w), "{open} {w}");
        prop_assert!(open - now <= Duration::days(8));
        // Nothing between now and the opening is inside the window (checked per minute
        // over the first hours, which is where an off-by-a-gap error would show).
        let mut probe = now;
        while probe < open && probe < now + Duration::hours(6) {
            prop_assert!(!inside(probe, tz, &w) || start_in_gap(probe, tz, &w));
            probe += Duration::minutes(1);
        }
        // An instant that is open is accepted as planned.
        prop_assert_eq!(validate_planned(open, now, None, tz, &w), Ok(()));
    }

    #[test]
    fn campaign_opening_obeys_the_legal_rule(
        zone in 0usize..ZONES.len(), w in any_window(), secs in 1_577_836_800i64..2_082_758_400,
    ) {
        let tz = ZONES[zone];
        let now = DateTime::from_timestamp(secs, 0).unwrap();
        if let Ok(open) = campaign_next_opening(now, tz, &w) {
            prop_assert!(open >= now);
            prop_assert!(inside(open, tz, &w));
            let l = open.with_timezone(&tz).naive_local();
            prop_assert!(l.weekday() != Weekday::Sun);
            // 08:00 to the 20:00 minute, as every window's end minute is inside it.
            prop_assert!(l.time() >= t(8, 0) && l.time() < t(20, 1), "legal hours: {l}");
            prop_assert!(is_holiday(l.date(), Territory::from_tz(tz)).is_none());
            prop_assert_eq!(validate_campaign(open, now, tz, &w), Ok(()));
        }
    }

    /// Without DST and on an allowed day, a reminder inside the window keeps the exact local
    /// time N calendar days earlier.
    #[test]
    fn reminder_without_dst_is_same_local_time(ev in any_local(), n in 1u32..8) {
        let tz = Tz::America__Guadeloupe;
        let w = SendWindow::new(t(0, 0), t(23, 59), WeekdaySet::ALL).unwrap();
        prop_assume!(ev.time().minute() + ev.time().hour() * 60 <= 23 * 60 + 59);
        let planned = plan_reminder(ev, n, tz, &w).unwrap();
        prop_assert_eq!(
            planned.with_timezone(&tz).naive_local(),
            ev - Duration::days(i64::from(n))
        );
    }
}

/// (zone, a local date on which its clocks change): spring and autumn, both hemispheres,
/// a 30-minute change (Lord Howe) and changes at midnight (Santiago).
const CHANGES: [(Tz, (i32, u32, u32)); 10] = [
    (Tz::Europe__Paris, (2026, 3, 29)),
    (Tz::Europe__Paris, (2026, 10, 25)),
    (Tz::Europe__Paris, (2027, 3, 28)),
    (Tz::Europe__Paris, (2027, 10, 31)),
    (Tz::America__Miquelon, (2026, 3, 8)),
    (Tz::America__Miquelon, (2026, 11, 1)),
    (Tz::Australia__Lord_Howe, (2026, 4, 5)),
    (Tz::Australia__Lord_Howe, (2026, 10, 4)),
    (Tz::America__Santiago, (2026, 4, 5)),
    (Tz::America__Santiago, (2026, 9, 6)),
];

prop_compose! {
    /// Windows that start and often end in the small hours, where the clocks change.
    fn night_window()(start in 0u32..300, len in 1u32..600, days in 1u8..128) -> SendWindow {
        let end = (start + len).min(1439);
        let start_t = NaiveTime::from_hms_opt(start / 60, start % 60, 0).unwrap();
        let end_t = NaiveTime::from_hms_opt(end / 60, end % 60, 0).unwrap();
        SendWindow::new(start_t, end_t, WeekdaySet::from_bits(days)).unwrap()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases_or(1024)))]

    #[test]
    fn around_clock_changes_plans_stay_inside(
        change in 0usize..CHANGES.len(), w in night_window(),
        k in -2i64..9, minute in 0i64..1440, n in 1u32..8, secs in -172_800i64..172_800,
    ) {
        let (tz, (y, m, d)) = CHANGES[change];
        let day = date(y, m, d);
        let ev = day.and_hms_opt(0, 0, 0).unwrap() + Duration::days(k) + Duration::minutes(minute);
        let event = resolve_local(tz, ev).with_timezone(&Utc);
        let planned = plan_reminder(ev, n, tz, &w).unwrap();
        prop_assert!(inside(planned, tz, &w), "reminder {planned} {w}");
        prop_assert!(planned < event);
        let follow = plan_follow_up(ev, n, tz, &w).unwrap();
        prop_assert!(inside(follow, tz, &w), "follow-up {follow} {w}");
        prop_assert!(follow > event);

        let now = resolve_local(tz, day.and_hms_opt(12, 0, 0).unwrap()).with_timezone(&Utc)
            + Duration::seconds(secs);
        let open = next_opening(now, tz, &w);
        prop_assert!(open >= now);
        prop_assert!(inside(open, tz, &w), "opening {open} {w}");
        let mut probe = now;
        while probe < open {
            prop_assert!(
                !inside(probe, tz, &w) || start_in_gap(probe, tz, &w),
                "{probe} open before {open}"
            );
            probe += Duration::minutes(1);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases_or(512)))]

    /// What the planner produces, and any explicit time the checks accept, is sent by the
    /// scheduler at that instant: its rule (`next_opening`) finds the window open then and
    /// during the scheduler's tick after it.
    #[test]
    fn what_the_planner_or_the_checks_accept_leaves_at_that_instant(
        zone in 0usize..ZONES.len(), w in any_window(), ev in any_local(), n in 1u32..8,
        tick_ms in 0i64..1000, secs in 1_577_836_800i64..2_082_758_400,
    ) {
        let tz = ZONES[zone];
        let tick = Duration::milliseconds(tick_ms);
        let planned = plan_reminder(ev, n, tz, &w).unwrap();
        prop_assert_eq!(next_opening(planned + tick, tz, &w), planned + tick, "reminder {} {}", planned, w);
        let follow = plan_follow_up(ev, n, tz, &w).unwrap();
        prop_assert_eq!(next_opening(follow + tick, tz, &w), follow + tick, "follow-up {} {}", follow, w);
        // An explicit time, to the minute, as typed in the composer or `send --at`.
        let now = DateTime::from_timestamp(secs, 0).unwrap();
        let explicit = resolve_local(tz, ev).with_timezone(&Utc);
        if validate_planned(explicit, now, None, tz, &w).is_ok() {
            prop_assert_eq!(next_opening(explicit + tick, tz, &w), explicit + tick);
        }
        // A campaign that waits for its opening leaves when it opens.
        if let Ok(open) = campaign_next_opening(now, tz, &w)
            && open > now
        {
            prop_assert_eq!(campaign_next_opening(open + tick, tz, &w), Ok(open + tick));
        }
    }
}

/// Allowed days are shown in the reader's language, Monday first; the stored value keeps the
/// codes the settings take.
#[test]
fn allowed_days_read_in_french_and_in_english() {
    use smsdesk::i18n::{Describe, Lang};
    let set: WeekdaySet = "sun,mon,wed".parse().unwrap();
    assert_eq!(set.describe(Lang::Fr), "lun, mer, dim");
    assert_eq!(set.describe(Lang::En), "Mon, Wed, Sun");
    assert_eq!(set.to_string(), "mon,wed,sun");
    assert_eq!(
        WeekdaySet::MON_SAT.describe(Lang::Fr),
        "lun, mar, mer, jeu, ven, sam"
    );
}

/// A refusal naming the window writes its days in the reader's language, not the settings'
/// codes (`mon,tue`).
#[test]
fn a_refusal_names_the_window_days_in_the_readers_language() {
    use smsdesk::i18n::{Describe, Lang};
    let now = utc("2026-06-10T08:00:00Z");
    let evening = SendWindow::new(t(20, 30), t(22, 0), "sat,sun".parse().unwrap()).unwrap();
    let err = campaign_next_opening(now, PARIS, &evening).unwrap_err();
    let fr = err.describe(Lang::Fr);
    assert!(fr.contains("la plage 20:30-22:00 sam, dim n'a"), "{fr}");
    let en = err.describe(Lang::En);
    assert!(en.contains("the window 20:30-22:00 Sat, Sun has"), "{en}");
}

/// A refused time reads in the operator's language, the day names included; the command line
/// keeps English.
#[test]
fn a_refused_time_reads_in_french_and_in_english() {
    use smsdesk::i18n::{Describe, Lang};
    let w = SendWindow::default();
    let now = utc("2026-06-10T08:00:00Z");
    let sunday = validate_planned(utc("2026-06-14T08:00:00Z"), now, None, PARIS, &w).unwrap_err();
    assert_eq!(
        sunday.describe(Lang::Fr),
        "l'heure prévue, dimanche 14/06/2026 10:00 +02:00 (Europe/Paris), tombe un dimanche, \
         qui n'est pas un jour d'envoi autorisé (autorisés : lun, mar, mer, jeu, ven, sam)"
    );
    assert_eq!(
        sunday.to_string(),
        "the planned time Sunday 14/06/2026 10:00 +02:00 (Europe/Paris) falls on a Sunday, \
         which is not an allowed sending day (allowed: Mon, Tue, Wed, Thu, Fri, Sat)"
    );
    let bad = "9h-25h".parse::<SendWindow>().unwrap_err();
    assert_eq!(
        PlanError::from(bad.clone()).describe(Lang::Fr),
        format!("plage d'envoi non valide : {}", bad.describe(Lang::Fr))
    );
}
