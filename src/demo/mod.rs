//! The demo store (`smsdesk demo --db PATH`, `smsdesk --demo`): a fictional employment agency
//! in southern Brittany with its operators, counsellors, 200 participants, events, templates,
//! automations, credit packs, 60 days of message history and 50 messages waiting to leave.
//!
//! Everything is derived from the seed and `now` through a small PRNG of our own (splitmix64,
//! in `rng`, shared with [`million`]), never from the clock or a hash map's order: the same seed
//! and instant give the same store byte for byte, so a demo can be replayed and tests can
//! compare two stores.
//!
//! The data goes through the same rules as real use: texts are rendered from the templates with
//! [`crate::sms::template::render`] and composed with the signature (and the STOP mention for
//! batch and free sends), counted by [`crate::sms::encoding::analyse`], reminders are planned
//! with [`crate::sms::window::plan_reminder`], statuses follow the lifecycle rules
//! (`MessageStatus::can_become`), outcomes of sent messages follow the simulator's rule on the
//! number's last two digits, and every submitted message is charged once. It is written in one
//! transaction, so a failure leaves nothing.
//!
//! The work is split by concern: `setup` (settings, operators, templates, automations, credit),
//! `people` (counsellors, participants, lists, opt-outs), `agenda` (events and their
//! reminders), `texts` (merge data, composition), `sends` (batch, free and individual
//! messages), `history` and `replies` (what became of each message), `write` (the rows, through
//! the store; raw SQL only in [`crate::store::seed`]). [`million`] adds a large history on top
//! of a demo store.

mod agenda;
mod history;
pub mod million;
mod people;
mod plan;
mod replies;
mod rng;
mod sends;
mod setup;
mod texts;
mod write;

use crate::sms::status::MessageKind;
use crate::sms::window::SendWindow;
use crate::store::operators::Rights;
use crate::store::seed::{self, Conn};
use crate::store::settings::Settings;
use crate::store::{Store, StoreError, credit};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use plan::{AuditPlan, BatchPlan, Collab, EventPlan, MsgPlan, OptOut, Person, ReplyPlan, Tpl};
use rng::Rng;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How many participants, upcoming events, history and pending messages the demo holds.
pub const PARTICIPANTS: usize = 200;
pub const UPCOMING_EVENTS: usize = 300;
/// Upcoming events fall within this many days from `now`.
pub const UPCOMING_DAYS: i64 = 30;
pub const HISTORY_MESSAGES: usize = 5_000;
/// History messages were sent within this many days before `now`.
pub const HISTORY_DAYS: i64 = 60;
pub const PENDING_MESSAGES: usize = 50;

/// The outcome set by a reply keyword `OUI`.
pub const OUTCOME_CONFIRMED: &str = "confirmé par SMS";
/// The outcome set by a reply keyword `NON`.
pub const OUTCOME_DECLINED: &str = "ne viendra pas";

/// Why the demo store could not be created.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "{path}: this smsdesk store already holds data ({what}); a demo is only written into a new or empty store, so nothing was changed — choose another --db path"
    )]
    NotEmpty { path: String, what: String },
    #[error("demo store: {0}")]
    Store(#[from] StoreError),
    /// A bug in the generator (a template that does not render, a text too long…): the
    /// transaction is rolled back.
    #[error("demo store: generated data broke a rule: {0}")]
    Generator(String),
}

type Result<T, E = DemoError> = std::result::Result<T, E>;

/// What the demo store holds, printed by `smsdesk demo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub organisation: String,
    pub admin: String,
    pub operators: usize,
    pub collaborators: usize,
    pub participants: usize,
    pub saved_lists: usize,
    pub templates: usize,
    pub automations: usize,
    pub events_upcoming: usize,
    pub events_total: usize,
    pub batches: usize,
    pub messages_history: usize,
    pub messages_pending: usize,
    pub replies: usize,
    pub opt_outs: usize,
    pub credit_bought: i64,
    pub credit_balance: i64,
}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "organisation: {} (administrator: {})",
            self.organisation, self.admin
        )?;
        writeln!(
            f,
            "{} operators, {} counsellors, {} participants, {} saved lists",
            self.operators, self.collaborators, self.participants, self.saved_lists
        )?;
        writeln!(
            f,
            "{} templates, {} automations, {} events ({} in the next {} days)",
            self.templates,
            self.automations,
            self.events_total,
            self.events_upcoming,
            UPCOMING_DAYS
        )?;
        writeln!(
            f,
            "{} messages sent or ended ({} batch and free sends), {} waiting to leave, {} replies, {} opted-out numbers",
            self.messages_history, self.batches, self.messages_pending, self.replies, self.opt_outs
        )?;
        write!(
            f,
            "credit: {} SMS bought, {} left",
            self.credit_bought, self.credit_balance
        )
    }
}

/// Creates a demo store at `path` (a new file, or an smsdesk store without data) for the
/// administrator `admin`, as it would look at `now`. Deterministic for a given `seed` and `now`.
pub fn create(
    path: &Path,
    seed: u64,
    admin: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<DemoSummary> {
    Ok(create_store(path, seed, admin, now)?)
}

fn create_store(path: &Path, seed: u64, admin: &str, now: DateTime<Utc>) -> Result<DemoSummary> {
    let mut store = Store::open(path)?;
    let shown = path.display().to_string();
    // The whole demo (~10 MB) is one transaction: a page cache that holds it avoids spilling
    // pages to the WAL half-way.
    seed::write_new(&mut store, 32_000, |conn| {
        refuse_if_not_empty(conn, &shown)?;
        let mut demo = Demo::new(conn, seed, admin.trim(), now)?;
        demo.build()
    })
}

/// Tables whose rows mean someone already uses the store.
const DATA_TABLES: [&str; 8] = [
    "settings",
    "operators",
    "participants",
    "collaborators",
    "templates",
    "events",
    "messages",
    "credit_packs",
];

fn refuse_if_not_empty(conn: Conn<'_>, path: &str) -> Result<()> {
    let mut found = Vec::new();
    for table in DATA_TABLES {
        let n = seed::count_rows(conn, table)?;
        if n > 0 {
            found.push(format!("{n} {table}"));
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(DemoError::NotEmpty {
            path: path.to_string(),
            what: found.join(", "),
        })
    }
}

/// Index of an automation in creation order.
const A_INTERVIEW: usize = 0;
const A_STEP: usize = 1;
const A_FOLLOW_UP: usize = 2;

struct Demo<'c> {
    conn: Conn<'c>,
    rng: Rng,
    now: DateTime<Utc>,
    admin: String,
    settings: Settings,
    tz: Tz,
    window: SendWindow,
    /// When the organisation set smsdesk up.
    setup: DateTime<Utc>,
    operators: Vec<(String, Rights)>,
    collabs: Vec<Collab>,
    people: Vec<Person>,
    templates: Vec<Tpl>,
    automations: Vec<i64>,
    events: Vec<EventPlan>,
    batches: Vec<BatchPlan>,
    msgs: Vec<MsgPlan>,
    replies: Vec<ReplyPlan>,
    opt_outs: BTreeMap<String, OptOut>,
    audit: Vec<AuditPlan>,
    saved_lists: usize,
    /// Members of the saved list "Atelier CV - inscrits" (indexes in `people`).
    cv_workshop: Vec<usize>,
    upcoming_events: usize,
    used_phones: BTreeSet<String>,
}

fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

impl<'c> Demo<'c> {
    fn new(conn: Conn<'c>, seed: u64, admin: &str, now: DateTime<Utc>) -> Result<Demo<'c>> {
        // Whole seconds: the store keeps seconds, and equal inputs must give equal stores.
        let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        let setup = now - Duration::days(120);
        Ok(Demo {
            conn,
            rng: Rng::new(seed ^ 0x5D5D_E5C0_0000_0001),
            now,
            admin: admin.to_string(),
            settings: Settings::load(conn)?,
            tz: chrono_tz::Europe::Paris,
            window: SendWindow::default(),
            setup,
            operators: Vec::new(),
            collabs: Vec::new(),
            people: Vec::new(),
            templates: Vec::new(),
            automations: Vec::new(),
            events: Vec::new(),
            batches: Vec::new(),
            msgs: Vec::new(),
            replies: Vec::new(),
            opt_outs: BTreeMap::new(),
            audit: Vec::new(),
            saved_lists: 0,
            cv_workshop: Vec::new(),
            upcoming_events: 0,
            used_phones: BTreeSet::new(),
        })
    }

    fn build(&mut self) -> Result<DemoSummary> {
        self.settings_and_operators()?;
        self.collaborators()?;
        self.participants()?;
        self.saved_lists()?;
        self.templates()?;
        self.automations()?;
        self.packs()?;
        self.manual_opt_outs();
        let candidates = self.upcoming()?;
        self.batches_and_free()?;
        self.individual(MessageKind::Instant, 450)?;
        self.individual(MessageKind::Scheduled, 250)?;
        self.past_events()?;
        self.play_history()?;
        self.pending(candidates)?;
        self.write()?;
        self.summary()
    }

    // -- reference data ----------------------------------------------------------------------

    fn summary(&self) -> Result<DemoSummary> {
        let count = |table: &'static str| -> Result<usize> {
            Ok(seed::count_rows(self.conn, table)? as usize)
        };
        let credit = credit::summary(self.conn)?;
        Ok(DemoSummary {
            organisation: self.settings.organisation.clone(),
            admin: self.admin.clone(),
            operators: count("operators")?,
            collaborators: count("collaborators")?,
            participants: count("participants")?,
            saved_lists: self.saved_lists,
            templates: count("templates")?,
            automations: count("automations")?,
            events_upcoming: self.upcoming_events,
            events_total: count("events")?,
            batches: count("batches")?,
            messages_history: seed::count_messages(self.conn, false)? as usize,
            messages_pending: seed::count_messages(self.conn, true)? as usize,
            replies: count("replies")?,
            opt_outs: count("opt_outs")?,
            credit_bought: credit.bought,
            credit_balance: credit.balance,
        })
    }
}
