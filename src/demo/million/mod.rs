//! A large message history on top of a demo store, for benchmarks and for trying the lists at
//! scale (`cargo run --release --example gen_million -- PATH [N]`).
//!
//! Messages are spread over working days before `now`, inside office hours in the
//! organisation's timezone, with the kinds, statuses and replies a busy agency sees: reminders
//! (some expecting an answer, many answered), batches and free sends of a few hundred, individual
//! messages; most delivered, some not delivered, expired, failed, cancelled or opted out.
//! Each message has a status history that follows the lifecycle, each submitted one is charged
//! once, and credit packs are bought as consumption grows, so the dashboard stays coherent.
//! Reminders carry no event (the history would otherwise need as many past events).
//!
//! Everything is derived from the seed and `now` (no clock, no hash order) through the demo's
//! PRNG, written in one transaction with prepared statements and explicit ids.

mod data;
mod messages;
mod write;

use super::rng::Rng;
use crate::sms::template::{DAYS_FR, MONTHS_FR};
use crate::store::audit::{AuditAction, Stamp};
use crate::store::seed::{self, Conn, ParticipantRow};
use crate::store::settings::Settings;
use crate::store::{StoreError, StoreProblem, ts};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use data::{FIRST, LAST};
use serde::Serialize;

/// What was added.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HistorySummary {
    pub messages: usize,
    pub participants: usize,
    pub batches: usize,
    pub replies: usize,
    pub status_changes: usize,
    pub credit_units: i64,
    pub days: i64,
}

struct Person {
    id: Option<i64>,
    civility: String,
    first: String,
    last: String,
    mobile: String,
}

/// The message being written, before its rows are inserted.
struct Msg {
    kind: &'static str,
    context: String,
    participant: Option<i64>,
    batch: Option<i64>,
    collaborator: Option<i64>,
    phone: String,
    name: String,
    text: String,
    expects_reply: bool,
    campaign: bool,
    created_by: String,
    created_at: i64,
    planned_at: i64,
}

/// Adds `n` history messages (and the participants, batches, replies and credit they imply) to
/// the store behind `conn`, which must already hold a demo store (operators, collaborators,
/// settings). Runs in one transaction: on error nothing is added.
pub fn add_history(
    conn: Conn<'_>,
    n: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<HistorySummary, StoreError> {
    seed::in_transaction(conn, |tx| Generator::new(tx, seed, now)?.run(n))
}

struct Generator<'c> {
    conn: Conn<'c>,
    rng: Rng,
    now: DateTime<Utc>,
    tz: Tz,
    sender: String,
    reply_number: String,
    operators: Vec<String>,
    /// Ids of the active collaborators.
    collaborators: Vec<i64>,
    people: Vec<Person>,
    next_message: i64,
    next_reply: i64,
    summary: HistorySummary,
    /// Units consumed since the last pack; a pack is bought when it nears the last one's size.
    since_pack: i64,
}

const PACK_UNITS: i64 = 50_000;

impl<'c> Generator<'c> {
    fn new(conn: Conn<'c>, seed: u64, now: DateTime<Utc>) -> Result<Self, StoreError> {
        let settings = Settings::load(conn)?;
        let operators = seed::active_operators(conn)?;
        if operators.is_empty() {
            return Err(StoreProblem::DemoNoOperator.into());
        }
        let people = seed::textable_participants(conn)?
            .into_iter()
            .map(|p| Person {
                id: Some(p.id),
                civility: p.civility,
                first: p.first_name,
                last: p.last_name,
                mobile: p.mobile,
            })
            .collect();
        Ok(Generator {
            conn,
            rng: Rng::new(seed ^ 0x0005_EED0_FA11_u64),
            now,
            tz: settings.timezone,
            sender: settings.sender,
            reply_number: settings.reply_number,
            operators,
            collaborators: seed::active_collaborators(conn)?,
            people,
            next_message: seed::max_id(conn, "messages")? + 1,
            next_reply: seed::max_id(conn, "replies")? + 1,
            summary: HistorySummary::default(),
            since_pack: 0,
        })
    }

    fn run(mut self, n: usize) -> Result<HistorySummary, StoreError> {
        self.add_participants((n / 50).min(200_000))?;
        if self.people.is_empty() {
            return Err(StoreProblem::DemoNoMobile.into());
        }
        // About 1,500 messages a working day, at least two months.
        let working_days = ((n / 1_500) as i64).max(45);
        let days = self.working_days_back(working_days);
        self.summary.days = days.len() as i64;
        let per_day = n.div_ceil(days.len().max(1));
        let mut written = 0usize;
        for (i, day) in days.iter().enumerate() {
            let target = (per_day * (i + 1)).min(n);
            self.day(*day, target - written)?;
            written = target;
        }
        self.summary.messages = written;
        // What is still unpaid since the last pack is covered by a final one.
        if self.since_pack > 0 {
            let today = self.now.with_timezone(&self.tz).date_naive();
            self.buy_pack(today, self.since_pack.max(PACK_UNITS))?;
        }
        crate::store::audit::record(
            self.conn,
            Stamp {
                by: &self.operators[0],
                at: self.now,
            },
            AuditAction::DemoHistory,
            "",
            &format!("{written} generated history messages"),
        )?;
        Ok(self.summary)
    }

    /// The last `count` working days before today, oldest first.
    fn working_days_back(&self, count: i64) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut d = self.now.with_timezone(&self.tz).date_naive();
        while (out.len() as i64) < count {
            d = d.pred_opt().unwrap_or(d);
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                out.push(d);
            }
        }
        out.reverse();
        out
    }

    fn add_participants(&mut self, count: usize) -> Result<(), StoreError> {
        let created = ts(self.now - Duration::days(800));
        for _ in 0..count {
            let first = self.rng.pick(&FIRST).to_string();
            let last = self.rng.pick(&LAST).to_string();
            let civility = if self.rng.chance(500) { "Mme" } else { "M." }.to_string();
            // +33 6 / +33 7 mobiles; 9 digits after the country code.
            let mobile = format!(
                "+33{}{:08}",
                if self.rng.chance(700) { 6 } else { 7 },
                self.rng.below(100_000_000)
            );
            let mobile = if mobile.starts_with("+337") && mobile.as_bytes()[4] < b'3' {
                // 07 0x / 07 1x / 07 2x are not mobile ranges.
                format!("+3375{}", &mobile[5..])
            } else {
                mobile
            };
            let collab = self.collaborator();
            let programme = *self
                .rng
                .pick(&["Accompagnement renforcé", "Garantie jeunes", ""]);
            let id = seed::insert_participant(
                self.conn,
                &ParticipantRow {
                    civility: &civility,
                    first_name: &first,
                    last_name: &last,
                    mobile: &mobile,
                    programme,
                    collaborator_id: collab,
                    created_at: created,
                },
            )?;
            self.people.push(Person {
                id: Some(id),
                civility,
                first,
                last,
                mobile,
            });
        }
        self.summary.participants = count;
        Ok(())
    }

    fn at_local(&self, day: NaiveDate, time: NaiveTime) -> i64 {
        let local = day.and_time(time);
        match self.tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.timestamp(),
            // Office hours never fall in a DST gap; an hour later if one did.
            chrono::LocalResult::None => self
                .tz
                .from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
                .map(|t| t.timestamp())
                .unwrap_or_else(|| local.and_utc().timestamp()),
        }
    }

    fn office_time(&mut self) -> NaiveTime {
        let minutes = self.rng.range(9 * 60, 18 * 60 + 45);
        NaiveTime::from_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0)
            .unwrap_or(NaiveTime::MIN)
    }

    fn fr_date(day: NaiveDate) -> String {
        format!(
            "{} {} {}",
            DAYS_FR[day.weekday().num_days_from_monday() as usize],
            day.day(),
            MONTHS_FR[day.month0() as usize]
        )
    }

    /// One working day's messages: sometimes a batch and a free send, the rest reminders and
    /// individual messages.
    fn day(&mut self, day: NaiveDate, count: usize) -> Result<(), StoreError> {
        let mut left = count;
        if left > 200 && self.rng.chance(250) {
            let size = (self.rng.range(100, 500) as usize).min(left / 2);
            self.group(day, size, false)?;
            left -= size;
        }
        if left > 100 && self.rng.chance(120) {
            let size = (self.rng.range(50, 300) as usize).min(left / 2);
            self.group(day, size, true)?;
            left -= size;
        }
        for _ in 0..left {
            let msg = if self.rng.chance(700) {
                self.reminder(day)
            } else {
                self.individual(day)
            };
            self.write(msg, day)?;
        }
        Ok(())
    }

    fn person(&mut self) -> usize {
        self.rng.below(self.people.len() as u64) as usize
    }

    fn collaborator(&mut self) -> Option<i64> {
        if self.collaborators.is_empty() {
            None
        } else {
            Some(*self.rng.pick(&self.collaborators))
        }
    }
}
