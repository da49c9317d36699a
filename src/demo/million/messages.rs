//! The messages of a working day: reminders, individual messages, batches and free sends.

use super::data::{BATCH_TEXTS, FREE_TEXTS, INDIVIDUAL_TEXTS, INTERVIEW_TYPES, PLACES, STEP_TYPES};
use super::{Generator, Msg};
use crate::store::StoreError;
use crate::store::batches::{self, NewBatch};
use chrono::{Duration, NaiveDate};

impl Generator<'_> {
    pub(super) fn signed(&self, body: &str, stop: bool) -> String {
        let mut text = format!("{body}\nMEBS 02 97 21 40 00");
        if stop {
            text.push_str(" STOP au 36608");
        }
        text
    }

    pub(super) fn reminder(&mut self, day: NaiveDate) -> Msg {
        let p = self.person();
        let days_before = self.rng.range(1, 3);
        let event_day = day + Duration::days(days_before);
        let slot = self.office_time();
        let interview = self.rng.chance(700);
        let (context, kind_type) = if interview {
            ("interview", *self.rng.pick(&INTERVIEW_TYPES))
        } else {
            ("step", *self.rng.pick(&STEP_TYPES))
        };
        let place = *self.rng.pick(&PLACES);
        let expects_reply = interview && self.rng.chance(600);
        let collaborator = self.collaborator();
        let person = &self.people[p];
        let who = if self.rng.chance(500) {
            person.first.clone()
        } else {
            format!("{} {}", person.civility, person.last)
        };
        let when = format!(
            "le {} à {}h{:02}",
            Self::fr_date(event_day),
            slot.format("%H"),
            slot.format("%M")
        );
        let body = if expects_reply {
            format!(
                "Bonjour {who}, RDV {kind_type} {when}, {place}. Répondez OUI pour confirmer, NON sinon."
            )
        } else {
            format!("Bonjour {who}, rappel : {kind_type} {when}, {place}. Bonne journée !")
        };
        let planned_at = self.at_local(day, slot);
        let created_at = planned_at - self.rng.range(3_600, 10 * 86_400);
        Msg {
            kind: "reminder",
            context: context.into(),
            participant: person.id,
            batch: None,
            collaborator,
            phone: person.mobile.clone(),
            name: format!("{} {}", person.first, person.last),
            text: self.signed(&body, false),
            expects_reply,
            campaign: false,
            created_by: self.rng.pick(&self.operators).clone(),
            created_at,
            planned_at,
        }
    }

    pub(super) fn individual(&mut self, day: NaiveDate) -> Msg {
        let p = self.person();
        let slot = self.office_time();
        let planned_at = self.at_local(day, slot);
        let person = &self.people[p];
        let name = format!("{} {}", person.civility, person.last);
        let body = self.rng.pick(&INDIVIDUAL_TEXTS).replace("{name}", &name);
        let scheduled = self.rng.chance(300);
        let created_at = if scheduled {
            planned_at - self.rng.range(3_600, 5 * 86_400)
        } else {
            planned_at - 30
        };
        Msg {
            kind: if scheduled { "scheduled" } else { "instant" },
            context: "individual".into(),
            participant: person.id,
            batch: None,
            collaborator: None,
            phone: person.mobile.clone(),
            name: format!("{} {}", person.first, person.last),
            text: self.signed(&body, false),
            expects_reply: false,
            campaign: false,
            created_by: self.rng.pick(&self.operators).clone(),
            created_at,
            planned_at,
        }
    }

    /// A batch (to participants) or a free send (to numbers from a file) of `size` messages.
    pub(super) fn group(
        &mut self,
        day: NaiveDate,
        size: usize,
        free: bool,
    ) -> Result<(), StoreError> {
        let author = self.rng.pick(&self.operators).clone();
        let slot = self.office_time();
        let planned_at = self.at_local(day, slot);
        let created_at = planned_at - self.rng.range(60, 2 * 86_400);
        let later = day + Duration::days(self.rng.range(3, 20));
        let template = if free {
            *self.rng.pick(&FREE_TEXTS)
        } else {
            *self.rng.pick(&BATCH_TEXTS)
        };
        let body = template.replace("{date}", &Self::fr_date(later));
        let text = self.signed(&body, true);
        let campaign = self.rng.chance(500);
        let (kind, name, source) = if free {
            (
                "free",
                String::new(),
                format!("contacts-{}.xlsx", day.format("%Y%m%d")),
            )
        } else {
            (
                "batch",
                format!("Information {}", Self::fr_date(day)),
                "Liste : tous les participants".to_string(),
            )
        };
        let batch = batches::insert(
            self.conn,
            &NewBatch {
                kind,
                name: &name,
                text: &text,
                campaign,
                source: &source,
                recipients: size as i64,
                planned_at: Some(planned_at),
                created_by: &author,
                created_at,
                ..Default::default()
            },
        )?;
        self.summary.batches += 1;
        for _ in 0..size {
            let (participant, phone, name) = if free {
                (None, self.free_number(), String::new())
            } else {
                let p = self.person();
                let person = &self.people[p];
                (
                    person.id,
                    person.mobile.clone(),
                    format!("{} {}", person.first, person.last),
                )
            };
            let msg = Msg {
                kind,
                context: kind.into(),
                participant,
                batch: Some(batch),
                collaborator: None,
                phone,
                name,
                text: text.clone(),
                expects_reply: false,
                campaign,
                created_by: author.clone(),
                created_at,
                planned_at,
            };
            self.write(msg, day)?;
        }
        Ok(())
    }

    pub(super) fn free_number(&mut self) -> String {
        format!(
            "+33{}{:08}",
            if self.rng.chance(700) { 6 } else { 7 },
            self.rng.below(100_000_000)
        )
        .replacen("+3370", "+3376", 1)
        .replacen("+3371", "+3377", 1)
        .replacen("+3372", "+3378", 1)
    }
}
