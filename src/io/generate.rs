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
//! Everything is derived from the seed and `now` (no clock, no hash order), written in one
//! transaction with prepared statements and explicit ids.

use crate::sms::encoding;
use crate::sms::status::MessageStatus;
use crate::store::settings::Settings;
use crate::store::{StoreError, ts};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rusqlite::{Connection, params};
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

/// splitmix64, as in the demo: the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below((hi - lo + 1) as u64) as i64
        }
    }

    fn chance(&mut self, permille: u64) -> bool {
        self.below(1000) < permille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: [&str; 40] = [
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Inès",
    "Théo",
    "Manon",
    "Nathan",
    "Camille",
    "Enzo",
    "Océane",
    "Mathéo",
    "Élodie",
    "Yanis",
    "Anaïs",
    "Loïc",
    "Maëlle",
    "Gaël",
    "Solène",
    "Jérôme",
    "Agnès",
    "Hélène",
    "François",
    "Noémie",
    "Cédric",
    "Zoé",
    "Rémi",
    "Gwenaëlle",
    "Aurélien",
    "Bérénice",
    "Karim",
    "Fatou",
    "Mamadou",
    "Aïcha",
    "Nguyen",
    "Sofia",
    "Mehdi",
    "Ludivine",
    "Yannick",
    "Morgane",
];
const LAST: [&str; 40] = [
    "Le Gall",
    "Le Goff",
    "Tanguy",
    "Le Floch",
    "Kerbrat",
    "Guégan",
    "Le Corre",
    "Morvan",
    "Riou",
    "Le Bras",
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Lefèvre",
    "Moreau",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Müller",
    "Lefèbvre",
    "Faure",
    "Chevalier",
    "Benali",
    "Diallo",
    "Traoré",
    "Ngô",
    "Da Silva",
    "Ferreira",
    "Le Pennec",
    "Cadiou",
];
const PLACES: [&str; 6] = [
    "MEBS Lorient, 2 rue de Carnel",
    "Antenne Lanester, 8 rue Jean Jaurès",
    "Antenne Hennebont, 5 place Foch",
    "Antenne Quimperlé, 12 rue Savary",
    "Maison des services, Ploemeur",
    "Espace emploi, Auray",
];
const INTERVIEW_TYPES: [&str; 5] = [
    "Diagnostic",
    "Suivi",
    "Bilan à 3 mois",
    "Point d'étape",
    "Entretien d'embauche",
];
const STEP_TYPES: [&str; 4] = [
    "Atelier CV",
    "Atelier entretien",
    "Forum de l'emploi",
    "Visite d'entreprise",
];
const DAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const BATCH_TEXTS: [&str; 5] = [
    "Bonjour, la MEBS organise un forum de l'emploi le {date} de 9h à 17h, salle Carnel. Venez avec votre CV !",
    "Bonjour, nouvelles offres d'emploi dans la logistique cette semaine : passez à l'accueil ou appelez-nous.",
    "Bonjour, l'atelier numérique du {date} est ouvert à tous. Inscription à l'accueil de votre antenne.",
    "Rappel : pensez à actualiser votre situation avant le 15 du mois. Besoin d'aide ? Venez nous voir.",
    "Bonjour, la MEBS sera fermée le {date}. Réouverture le lendemain à 9h. Bonne journée !",
];
const FREE_TEXTS: [&str; 3] = [
    "Info MEBS : job dating restauration le {date} à 14h, 2 rue de Carnel à Lorient. Entrée libre.",
    "Info MEBS : permanence exceptionnelle le {date} de 9h à 12h à Lanester.",
    "Info MEBS : recrutement saisonnier, réunion d'information le {date} à 10h.",
];
const INDIVIDUAL_TEXTS: [&str; 4] = [
    "Bonjour {name}, merci de rappeler votre conseiller au 02 97 21 40 00.",
    "Bonjour {name}, votre dossier est complet. Nous revenons vers vous très vite.",
    "Bonjour {name}, pouvez-vous nous apporter une copie de votre pièce d’identité ?",
    "Bonjour {name}, votre attestation est prête, vous pouvez passer la chercher 🙂",
];
const REPLIES: [(&str, &str, &str); 8] = [
    ("OUI", "OUI", "confirmé par SMS"),
    ("Oui merci", "OUI", "confirmé par SMS"),
    ("oui", "OUI", "confirmé par SMS"),
    ("NON", "NON", "ne viendra pas"),
    ("Non je ne pourrai pas", "NON", "ne viendra pas"),
    ("ok", "", ""),
    ("Oui 👍", "OUI", "confirmé par SMS"),
    ("c'est à quelle heure ?", "", ""),
];

struct Person {
    id: Option<i64>,
    civility: String,
    first: String,
    last: String,
    mobile: String,
}

struct Collab {
    id: i64,
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
    conn: &Connection,
    n: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<HistorySummary, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let summary = Generator::new(&tx, seed, now)?.run(n)?;
    tx.commit()?;
    Ok(summary)
}

struct Generator<'c> {
    conn: &'c Connection,
    rng: Rng,
    now: DateTime<Utc>,
    tz: Tz,
    sender: String,
    reply_number: String,
    operators: Vec<String>,
    collaborators: Vec<Collab>,
    people: Vec<Person>,
    next_message: i64,
    next_reply: i64,
    summary: HistorySummary,
    /// Units consumed since the last pack; a pack is bought when it nears the last one's size.
    since_pack: i64,
}

const PACK_UNITS: i64 = 50_000;

impl<'c> Generator<'c> {
    fn new(conn: &'c Connection, seed: u64, now: DateTime<Utc>) -> Result<Self, StoreError> {
        let settings = Settings::load(conn)?;
        let operators: Vec<String> = conn
            .prepare("SELECT login FROM operators WHERE active = 1 ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if operators.is_empty() {
            return Err(StoreError::Invalid(
                "the store has no operator: create a demo store first (smsdesk demo --db PATH)"
                    .into(),
            ));
        }
        let collaborators: Vec<Collab> = conn
            .prepare("SELECT id FROM collaborators WHERE active = 1 ORDER BY id")?
            .query_map([], |r| Ok(Collab { id: r.get(0)? }))?
            .collect::<rusqlite::Result<_>>()?;
        let people: Vec<Person> = conn
            .prepare(
                "SELECT id, civility, first_name, last_name, mobile FROM participants
                 WHERE mobile IS NOT NULL AND sms_consent = 1
                   AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = participants.mobile)
                 ORDER BY id",
            )?
            .query_map([], |r| {
                Ok(Person {
                    id: Some(r.get(0)?),
                    civility: r.get(1)?,
                    first: r.get(2)?,
                    last: r.get(3)?,
                    mobile: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let max = |table: &str| -> rusqlite::Result<i64> {
            conn.query_row(
                &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
                [],
                |r| r.get(0),
            )
        };
        Ok(Generator {
            conn,
            rng: Rng(seed ^ 0x0005_EED0_FA11_u64),
            now,
            tz: settings.timezone,
            sender: settings.sender,
            reply_number: settings.reply_number,
            operators,
            collaborators,
            people,
            next_message: max("messages")? + 1,
            next_reply: max("replies")? + 1,
            summary: HistorySummary::default(),
            since_pack: 0,
        })
    }

    fn run(mut self, n: usize) -> Result<HistorySummary, StoreError> {
        self.add_participants((n / 50).min(200_000))?;
        if self.people.is_empty() {
            return Err(StoreError::Invalid(
                "the store has no participant with a mobile number to write to".into(),
            ));
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
            self.now,
            &self.operators[0],
            "demo.history",
            "messages",
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
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO participants(kind, civility, first_name, last_name, mobile, sms_consent, programme,
                collaborator_id, attributes, created_at, updated_at)
             VALUES ('participant', ?1, ?2, ?3, ?4, 1, ?5, ?6, '{}', ?7, ?7)",
        )?;
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
            let collab = if self.collaborators.is_empty() {
                None
            } else {
                Some(self.rng.pick(&self.collaborators).id)
            };
            let programme = *self
                .rng
                .pick(&["Accompagnement renforcé", "Garantie jeunes", ""]);
            stmt.execute(params![
                civility, first, last, mobile, programme, collab, created
            ])?;
            let id = self.conn.last_insert_rowid();
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

    fn signed(&self, body: &str, stop: bool) -> String {
        let mut text = format!("{body}\nMEBS 02 97 21 40 00");
        if stop {
            text.push_str(" STOP au 36608");
        }
        text
    }

    fn reminder(&mut self, day: NaiveDate) -> Msg {
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

    fn individual(&mut self, day: NaiveDate) -> Msg {
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

    fn collaborator(&mut self) -> Option<i64> {
        if self.collaborators.is_empty() {
            None
        } else {
            Some(self.rng.pick(&self.collaborators).id)
        }
    }

    /// A batch (to participants) or a free send (to numbers from a file) of `size` messages.
    fn group(&mut self, day: NaiveDate, size: usize, free: bool) -> Result<(), StoreError> {
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
        let batch = crate::store::batches::insert(
            self.conn,
            &crate::store::batches::NewBatch {
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

    fn free_number(&mut self) -> String {
        format!(
            "+33{}{:08}",
            if self.rng.chance(700) { 6 } else { 7 },
            self.rng.below(100_000_000)
        )
        .replacen("+3370", "+3376", 1)
        .replacen("+3371", "+3377", 1)
        .replacen("+3372", "+3378", 1)
    }

    /// Inserts one message with its history, charge and reply.
    fn write(&mut self, m: Msg, day: NaiveDate) -> Result<(), StoreError> {
        use MessageStatus::*;
        let id = self.next_message;
        self.next_message += 1;
        let info = encoding::analyse(&m.text);
        let segments = info.segments as i64;
        let recent = self.now.timestamp() - m.planned_at < 2 * 86_400;
        // The fate of the message, with its time line.
        let roll = self.rng.below(1000);
        let fate = match roll {
            0..=39 => Cancelled,
            40..=49 if m.kind == "free" => Stop,
            40..=69 => NotDelivered,
            70..=84 => Expired,
            85..=99 => Failed,
            100..=104 => Unknown,
            105..=124 if recent => Submitted,
            _ => Delivered,
        };
        let mut history: Vec<(MessageStatus, i64, &str)> = vec![(Pending, m.created_at, "")];
        let (mut sent_at, mut final_at) = (None, None);
        let sending_at = m.planned_at + self.rng.range(1, 20);
        match fate {
            Cancelled => {
                let at = m.created_at + (m.planned_at - m.created_at).max(2) / 2;
                history.push((Cancelled, at, "cancelled by an operator"));
                final_at = Some(at);
            }
            Stop => {
                history.push((Stop, sending_at, "number opted out (STOP)"));
                final_at = Some(sending_at);
            }
            _ => {
                let submitted = sending_at + self.rng.range(1, 4);
                history.push((Sending, sending_at, ""));
                if fate == Unknown {
                    history.push((Unknown, submitted + 30, "no answer from the provider"));
                } else if fate == Failed && self.rng.chance(500) {
                    history.push((Failed, submitted, "refused by the provider"));
                    final_at = Some(submitted);
                } else {
                    history.push((Submitted, submitted, ""));
                    sent_at = Some(submitted);
                    let reported = match fate {
                        Expired => submitted + 48 * 3_600,
                        _ => submitted + self.rng.range(3, 900),
                    };
                    if fate != Submitted {
                        let detail = match fate {
                            NotDelivered => "unknown number",
                            Expired => "phone unreachable for 48 h",
                            Failed => "refused by the operator",
                            _ => "",
                        };
                        history.push((fate, reported, detail));
                        final_at = Some(reported);
                    }
                }
            }
        }
        let (last_status, last_at, _) = *history.last().unwrap_or(&(Pending, m.created_at, ""));
        let listed_at = sent_at.or(final_at).unwrap_or(last_at);
        let sent = sent_at.is_some() || fate == Unknown || fate == Failed;
        // A reply to reminders that asked for one, for a good half of those delivered.
        let reply = if m.expects_reply && fate == Delivered && self.rng.chance(550) {
            let (text, keyword, outcome) = *self.rng.pick(&REPLIES);
            let at = final_at.unwrap_or(listed_at) + self.rng.range(60, 86_400);
            Some((self.next_reply, text, keyword, outcome, at))
        } else {
            None
        };
        if reply.is_some() {
            self.next_reply += 1;
        }
        let sender = if m.expects_reply {
            &self.reply_number
        } else {
            &self.sender
        };
        self.conn
            .prepare_cached(
                "INSERT INTO messages(id, kind, context, status, participant_id, event_id, batch_id, template_id,
                    automation_id, collaborator_id, phone, recipient_name, text, manual_edit, encoding, chars,
                    segments, sender, expects_reply, campaign, created_by, created_at, planned_at, deadline,
                    next_attempt_at, attempts, wait_reason, last_error, claimed_by, provider, provider_id,
                    sent_at, final_at, listed_at, status_at, reply_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, NULL, NULL, ?7, ?8, ?9, ?10, 0, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17, ?18, ?19, ?20, ?19, ?21, '', ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
            )?
            .execute(params![
                id,
                m.kind,
                m.context,
                last_status.as_str(),
                m.participant,
                m.batch,
                m.collaborator,
                m.phone,
                m.name,
                m.text,
                info.encoding.as_str(),
                info.chars as i64,
                segments,
                sender,
                i64::from(m.expects_reply),
                i64::from(m.campaign),
                m.created_by,
                m.created_at,
                m.planned_at,
                m.planned_at + 86_400,
                i64::from(sent),
                if fate == Failed && sent_at.is_none() {
                    "refused by the provider"
                } else {
                    ""
                },
                sent.then_some("scheduler"),
                if sent { "simulator" } else { "" },
                sent_at.map(|_| format!("sim-g{id}")),
                sent_at,
                final_at,
                listed_at,
                last_at,
                reply.map(|r| r.0),
            ])?;
        let mut hist = self.conn.prepare_cached(
            "INSERT INTO message_status_history(message_id, status, at, actor, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (status, at, detail) in &history {
            let actor = match status {
                Pending | Cancelled => m.created_by.as_str(),
                Sending | Submitted | Unknown => "scheduler",
                _ => "simulator",
            };
            hist.execute(params![id, status.as_str(), at, actor, detail])?;
        }
        self.summary.status_changes += history.len();
        if let Some(at) = sent_at {
            self.conn
                .prepare_cached(
                    "INSERT INTO credit_ledger(message_id, units, at, kind) VALUES (?1, ?2, ?3, 'send')",
                )?
                .execute(params![id, segments, at])?;
            self.summary.credit_units += segments;
            self.since_pack += segments;
            if self.since_pack >= PACK_UNITS {
                self.buy_pack(day, PACK_UNITS)?;
                self.since_pack -= PACK_UNITS;
            }
        }
        if let Some((reply_id, text, keyword, outcome, at)) = reply {
            let (state, reason, reviewer) = if keyword.is_empty() {
                (
                    "resolved",
                    "no keyword in the reply",
                    Some(m.created_by.as_str()),
                )
            } else {
                ("matched", "", None)
            };
            self.conn
                .prepare_cached(
                    "INSERT INTO replies(id, from_phone, to_number, text, received_at, provider, provider_id,
                        message_id, event_id, keyword, outcome, state, review_reason, reviewed_by, reviewed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'simulator', ?6, ?7, NULL, ?8, ?9, ?10, ?11, ?12, ?13)",
                )?
                .execute(params![
                    reply_id,
                    m.phone,
                    self.reply_number,
                    text,
                    at,
                    format!("sim-in-g{reply_id}"),
                    id,
                    keyword,
                    outcome,
                    state,
                    reason,
                    reviewer,
                    reviewer.map(|_| at + 3_600),
                ])?;
            self.summary.replies += 1;
        }
        if fate == Stop {
            self.conn
                .prepare_cached(
                    "INSERT INTO opt_outs(phone, at, source, reply_id, created_by) VALUES (?1, ?2, 'provider', NULL, 'simulator')
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![m.phone, m.created_at])?;
        }
        Ok(())
    }

    fn buy_pack(&mut self, day: NaiveDate, units: i64) -> Result<(), StoreError> {
        let at = self.at_local(
            day,
            NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
        );
        self.conn
            .prepare_cached(
                "INSERT INTO credit_packs(bought_on, units, label, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                day.format("%Y-%m-%d").to_string(),
                units,
                format!("Pack {units} SMS"),
                self.operators[0],
                at
            ])?;
        Ok(())
    }
}
