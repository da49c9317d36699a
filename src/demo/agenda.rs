//! Events in the agenda, past and upcoming, with the reminders they get, and the office-hours
//! clock the demo's moments are drawn from.

use super::plan::EventPlan;
use super::setup::{
    AUTO_INTERVIEW_TYPES, AUTO_STEP_TYPES, T_FOLLOW_UP, T_INTERVIEW_REPLY, T_INTERVIEW_SIMPLE,
    T_OLD_INTERVIEW, T_ORIENTATION_REPLY, T_STEP,
};
use super::{
    A_FOLLOW_UP, A_INTERVIEW, A_STEP, Demo, DemoError, HISTORY_DAYS, HISTORY_MESSAGES, Result,
    UPCOMING_DAYS, UPCOMING_EVENTS,
};
use crate::sms::status::MessageKind;
use crate::sms::window;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};

pub(super) const LOCATIONS: [&str; 8] = [
    "MEBS Lorient, 2 rue de Carnel",
    "MEBS Vannes, 27 rue du Commerce",
    "Antenne Lanester, 8 rue Jean Jaurès",
    "Antenne Hennebont, place Foch",
    "Espace Emploi, 5 rue Thiers, Lorient",
    "Antenne Auray, 12 rue Clemenceau",
    "CCI, 21 quai des Indes, Lorient",
    "Visioconférence (lien par mail)",
];

/// The demo's event kinds are the product's.
pub(super) use crate::sms::status::EventKind as Kind;

/// What the demo writes about a kind: its word in a text and the event types it invents.
pub(super) trait KindWords {
    fn label(self) -> &'static str;
    fn types(self) -> &'static [&'static str];
}

impl KindWords for Kind {
    /// As a participant reads it in a text (`event.kind`).
    fn label(self) -> &'static str {
        match self {
            Kind::Interview => "entretien",
            Kind::Step => "étape",
            Kind::Orientation => "orientation",
        }
    }

    fn types(self) -> &'static [&'static str] {
        match self {
            Kind::Interview => &[
                "Diagnostic",
                "Suivi mensuel",
                "Entretien de suivi",
                "Bilan de parcours",
                "Point CV",
            ],
            Kind::Step => &[
                "Atelier CV",
                "Atelier entretien d'embauche",
                "Information collective",
                "Simulation d'entretien",
                "Visite d'entreprise",
            ],
            Kind::Orientation => &[
                "Orientation formation",
                "Orientation santé",
                "Orientation logement",
                "Orientation mobilité",
                "Orientation création",
            ],
        }
    }
}

impl Demo<'_> {
    pub(super) fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        window::resolve_local(self.tz, local).with_timezone(&Utc)
    }

    pub(super) fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.tz).naive_local()
    }

    pub(super) fn today(&self) -> NaiveDate {
        self.local(self.now).date()
    }

    /// A week day (Monday–Friday) `days_back` days before today, or the closest one before.
    pub(super) fn workday_back(&self, days_back: i64) -> NaiveDate {
        let mut d = self.today() - Duration::days(days_back);
        while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            d -= Duration::days(1);
        }
        d
    }

    /// An appointment slot: 09:00 to 17:30 every half hour.
    pub(super) fn slot(&mut self) -> NaiveTime {
        let k = self.rng.range(0, 17) as u32;
        NaiveTime::from_hms_opt(9 + k / 2, (k % 2) * 30, 0).unwrap_or(NaiveTime::MIN)
    }

    /// An office moment: 09:00 to 17:59.
    pub(super) fn office_time(&mut self) -> NaiveTime {
        let h = self.rng.range(9, 17) as u32;
        let m = self.rng.range(0, 59) as u32;
        let s = self.rng.range(0, 59) as u32;
        NaiveTime::from_hms_opt(h, m, s).unwrap_or(NaiveTime::MIN)
    }

    /// An office moment on `day`, as an instant.
    pub(super) fn office_at(&mut self, day: NaiveDate) -> DateTime<Utc> {
        let t = self.office_time();
        self.utc(day.and_time(t))
    }

    /// Picks the reminder an event gets: an automation's, a manual one, or none.
    /// Returns (days before, template, automation).
    pub(super) fn reminder_choice(
        &mut self,
        kind: Kind,
        event_type: &str,
        reachable: bool,
    ) -> Option<(i64, usize, Option<usize>)> {
        if !reachable || self.rng.chance(100) {
            return None;
        }
        match kind {
            Kind::Interview if AUTO_INTERVIEW_TYPES.contains(&event_type) => {
                Some((2, T_INTERVIEW_REPLY, Some(A_INTERVIEW)))
            }
            Kind::Interview => self
                .rng
                .chance(700)
                .then_some((1, T_INTERVIEW_SIMPLE, None)),
            Kind::Step if AUTO_STEP_TYPES.contains(&event_type) => Some((1, T_STEP, Some(A_STEP))),
            Kind::Step => self
                .rng
                .chance(500)
                .then(|| (self.rng.range(1, 2), T_STEP, None)),
            Kind::Orientation => self
                .rng
                .chance(650)
                .then(|| (self.rng.range(1, 3), T_ORIENTATION_REPLY, None)),
        }
    }

    pub(super) fn pick_kind(&mut self) -> Kind {
        match self.rng.below(10) {
            0..=4 => Kind::Interview,
            5..=7 => Kind::Step,
            _ => Kind::Orientation,
        }
    }

    /// A new event for `person` at `local`, created some days before its reminder.
    pub(super) fn new_event(
        &mut self,
        person: usize,
        kind: Kind,
        local: NaiveDateTime,
        created_at: DateTime<Utc>,
    ) -> EventPlan {
        let event_type = *self.rng.pick(kind.types());
        let p = &self.people[person];
        let collaborator = if self.rng.chance(850) {
            p.collaborator
        } else {
            self.rng.index(self.collabs.len())
        };
        let location = if event_type == "Information collective" {
            LOCATIONS[0]
        } else {
            *self.rng.pick(&LOCATIONS)
        };
        let programme = p.programme.clone();
        let created_by = self.pick_operator(|r| r.admin || r.instant || r.scheduled);
        EventPlan {
            participant: person,
            kind,
            event_type,
            local,
            start: self.utc(local),
            collaborator,
            location,
            theme: programme,
            channel: if location.starts_with("Visio") {
                "visio".into()
            } else {
                "présentiel".into()
            },
            summary: String::new(),
            outcome: String::new(),
            notes: String::new(),
            cancelled: false,
            batch: None,
            reminder_enabled: false,
            reminder_days: None,
            reminder_template: None,
            reply_text: None,
            reply_at: None,
            created_by,
            created_at,
        }
    }

    /// The 300 events of the next 30 days; returns the pending reminder candidates (event,
    /// planned time) and queues the reminders already due as history.
    pub(super) fn upcoming(&mut self) -> Result<Vec<(usize, DateTime<Utc>)>> {
        let mut candidates = Vec::new();
        let participants: Vec<usize> = (0..self.people.len())
            .filter(|&i| self.people[i].kind == crate::sms::status::ParticipantKind::Participant)
            .collect();
        let horizon = self.now + Duration::days(UPCOMING_DAYS);
        let mut made = 0;
        while made < UPCOMING_EVENTS {
            let day = self.today() + Duration::days(self.rng.range(0, UPCOMING_DAYS));
            if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                continue;
            }
            let local = day.and_time(self.slot());
            let start = self.utc(local);
            if start <= self.now + Duration::minutes(30) || start > horizon {
                continue;
            }
            let person = *self.rng.pick(&participants);
            let kind = self.pick_kind();
            // Entered before any of its reminders could leave (D-3 at most, moved back over a
            // Sunday: less than five days before).
            let created_at = (self.now - Duration::hours(self.rng.range(2, 24 * 20)))
                .min(start - Duration::days(5));
            let mut ev = self.new_event(person, kind, local, created_at);
            let reachable = self.people[person].reachable();
            if let Some((days, tpl, auto)) = self.reminder_choice(kind, ev.event_type, reachable) {
                ev.reminder_enabled = true;
                ev.reminder_days = Some(days);
                ev.reminder_template = Some(tpl);
                self.events.push(ev);
                let e = self.events.len() - 1;
                if let Ok(planned) =
                    window::plan_reminder(local, days as u32, self.tz, &self.window)
                {
                    if planned > self.now {
                        candidates.push((e, planned));
                    } else if planned <= self.now - Duration::minutes(5) {
                        let m = self.event_message(e, MessageKind::Reminder, tpl, auto, planned)?;
                        self.msgs.push(m);
                    }
                }
            } else {
                if self.rng.chance(25) {
                    ev.cancelled = true;
                    ev.notes = "Annulé à la demande du participant".into();
                }
                self.events.push(ev);
            }
            made += 1;
        }
        self.upcoming_events = made;
        Ok(candidates)
    }

    /// Past events with their reminders (and orientation follow-ups) until the history holds
    /// exactly [`HISTORY_MESSAGES`] messages.
    pub(super) fn past_events(&mut self) -> Result<()> {
        let people = self.reachable_people();
        if people.is_empty() {
            return Err(DemoError::Generator(
                "no participant can receive SMS".into(),
            ));
        }
        let oldest = self.now - Duration::days(HISTORY_DAYS);
        let latest = self.now - Duration::minutes(10);
        while self.msgs.len() < HISTORY_MESSAGES {
            let back = self.rng.range(0, HISTORY_DAYS - 2);
            let day = self.workday_back(back);
            let local = day.and_time(self.slot());
            let start = self.utc(local);
            if start >= self.now - Duration::hours(1) {
                continue;
            }
            let person = *self.rng.pick(&people);
            let kind = self.pick_kind();
            let mut ev = self.new_event(person, kind, local, start);
            let Some((days, mut tpl, auto)) = self.reminder_choice(kind, ev.event_type, true)
            else {
                continue;
            };
            let Ok(planned) = window::plan_reminder(local, days as u32, self.tz, &self.window)
            else {
                continue;
            };
            if planned < oldest || planned > latest {
                continue;
            }
            // The old template was switched off 40 days ago; it served manual reminders before.
            if tpl == T_INTERVIEW_SIMPLE
                && planned < self.now - Duration::days(40)
                && self.rng.chance(600)
            {
                tpl = T_OLD_INTERVIEW;
            }
            let created_day = self.local(planned).date() - Duration::days(self.rng.range(1, 15));
            let created = self.office_at(created_day);
            ev.created_at = created.min(planned - Duration::hours(1));
            ev.reminder_enabled = true;
            ev.reminder_days = Some(days);
            ev.reminder_template = Some(tpl);
            self.events.push(ev);
            let e = self.events.len() - 1;
            let m = self.event_message(e, MessageKind::Reminder, tpl, auto, planned)?;
            self.msgs.push(m);
            if kind == Kind::Orientation
                && self.msgs.len() < HISTORY_MESSAGES
                && let Ok(follow) = window::plan_follow_up(local, 3, self.tz, &self.window)
                && follow <= latest
            {
                let m = self.event_message(
                    e,
                    MessageKind::FollowUp,
                    T_FOLLOW_UP,
                    Some(A_FOLLOW_UP),
                    follow,
                )?;
                self.msgs.push(m);
            }
        }
        Ok(())
    }
}
