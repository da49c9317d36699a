//! A small store with a bit of everything, and helpers to drive the App headless.
#![allow(dead_code, clippy::type_complexity)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rusqlite::params;
use smsdesk::clock::Clock;
use smsdesk::core::Actor;
use smsdesk::i18n::Lang;
use smsdesk::keymap::Keymap;
use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::store::messages::{self, NewMessage};
use smsdesk::store::operators::{self, Rights};
use smsdesk::store::{Store, credit};
use smsdesk::tui::App;
use unicode_width::UnicodeWidthStr;

/// Monday 30 March 2026, 10:00 in Paris (summer time).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 30, 8, 0, 0).unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

impl Fixture {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("t.db")
    }
}

pub fn empty_store() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    Fixture { dir, store }
}

pub struct Msg<'a> {
    pub kind: MessageKind,
    pub context: &'a str,
    pub participant: Option<i64>,
    pub event: Option<i64>,
    pub batch: Option<i64>,
    pub template: Option<i64>,
    pub collaborator: Option<i64>,
    pub phone: &'a str,
    pub name: &'a str,
    pub text: &'a str,
    pub segments: i64,
    pub planned: DateTime<Utc>,
    /// Statuses it goes through after pending, each one minute after the previous.
    pub path: &'a [MessageStatus],
}

impl<'a> Msg<'a> {
    /// An instant message of one segment to `phone` (no contact, event, batch, template or
    /// collaborator).
    pub fn instant(
        phone: &'a str,
        name: &'a str,
        text: &'a str,
        planned: DateTime<Utc>,
        path: &'a [MessageStatus],
    ) -> Msg<'a> {
        Msg {
            kind: MessageKind::Instant,
            context: "individual",
            participant: None,
            event: None,
            batch: None,
            template: None,
            collaborator: None,
            phone,
            name,
            text,
            segments: 1,
            planned,
            path,
        }
    }
}

/// Five instant messages waiting, one per hour from tomorrow (Tuesday 31 March) 10:00 Paris,
/// to Anna 1 … Anna 5 (+33612345670 … +33612345674).
pub fn add_anna_queue(store: &Store) {
    let base = Utc.with_ymd_and_hms(2026, 3, 31, 8, 0, 0).unwrap();
    for i in 0..5 {
        add_message(
            store,
            &Msg::instant(
                &format!("+3361234567{i}"),
                &format!("Anna {}", i + 1),
                "Bonjour",
                base + Duration::hours(i),
                &[],
            ),
        );
    }
}

pub fn add_message(store: &Store, m: &Msg) -> i64 {
    let conn = store.conn();
    let created = m.planned - Duration::hours(1);
    let id = messages::insert(
        conn,
        &NewMessage {
            kind: m.kind,
            context: m.context.into(),
            participant_id: m.participant,
            event_id: m.event,
            batch_id: m.batch,
            template_id: m.template,
            automation_id: None,
            collaborator_id: m.collaborator,
            phone: m.phone.into(),
            recipient_name: m.name.into(),
            text: m.text.into(),
            manual_edit: false,
            encoding: smsdesk::sms::encoding::Encoding::Gsm7,
            chars: m.text.chars().count() as i64,
            segments: m.segments,
            sender: "SMSDESK".into(),
            expects_reply: false,
            campaign: false,
            created_by: "admin".into(),
            created_at: created,
            planned_at: m.planned,
            deadline: m.planned + Duration::hours(24),
        },
    )
    .unwrap();
    let mut at = m.planned;
    for s in m.path {
        assert!(
            messages::transition(conn.into(), id, *s, at, "scheduler", None).unwrap(),
            "{s}"
        );
        if *s == MessageStatus::Submitted {
            credit::charge_message(conn, id, m.segments, at).unwrap();
        }
        at += Duration::minutes(1);
    }
    id
}

pub const DELIVERED: &[MessageStatus] = &[
    MessageStatus::Sending,
    MessageStatus::Submitted,
    MessageStatus::Delivered,
];

/// The store `smsdesk demo` makes, at the fixtures' clock.
pub fn demo_store() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 2026, "admin", now()).unwrap();
    let store = smsdesk::store::Store::open(&path).unwrap();
    Fixture { dir, store }
}

/// The demo-like store used by the snapshots and most App tests.
pub fn sample_store() -> Fixture {
    let f = empty_store();
    let t0 = now();
    let conn = f.store.conn();
    let ts = |t: DateTime<Utc>| t.timestamp();
    operators::add(conn, "admin", "Admin", Rights::all(), t0).unwrap();
    operators::add(
        conn,
        "marie",
        "Marie",
        Rights {
            instant: true,
            scheduled: true,
            ..Rights::default()
        },
        t0,
    )
    .unwrap();
    operators::add(
        conn,
        "paul",
        "Paul",
        Rights {
            batch: true,
            templates_only: true,
            ..Rights::default()
        },
        t0,
    )
    .unwrap();
    operators::set(
        conn.into(),
        "paul",
        Rights {
            batch: true,
            templates_only: true,
            ..Rights::default()
        },
        false,
    )
    .unwrap();

    for (first, last) in [("Claire", "Durand"), ("Marc", "Petit")] {
        conn.execute(
            "INSERT INTO collaborators(first_name, last_name, active) VALUES (?1, ?2, 1)",
            params![first, last],
        )
        .unwrap();
    }
    let people: &[(&str, &str, &str, &str, bool, &str)] = &[
        (
            "Mme",
            "Élodie",
            "Martin",
            "+33612345678",
            true,
            "participant",
        ),
        ("M.", "Karim", "Benali", "+33698765432", true, "participant"),
        ("M.", "Jean", "Leroy", "+590690123456", true, "participant"),
        (
            "Mme",
            "Sophie",
            "Moreau",
            "+33611111111",
            false,
            "participant",
        ),
        ("M.", "Luc", "Garnier", "+33622222222", true, "participant"),
        ("", "Boulangerie", "Dupain", "+33633333333", true, "company"),
        (
            "M.",
            "Evil\u{1b}[2J",
            "Hacker",
            "+33644444444",
            true,
            "participant",
        ),
    ];
    for (i, (civ, first, last, mobile, consent, kind)) in people.iter().enumerate() {
        conn.execute(
            "INSERT INTO participants(kind, civility, first_name, last_name, mobile, sms_consent, programme, collaborator_id, created_at, updated_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?9)",
            params![kind, civ, first, last, mobile, consent, if i % 2 == 0 { "PLIE" } else { "Garantie jeunes" }, 1 + (i as i64 % 2), ts(t0)],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO opt_outs(phone, at, source, created_by) VALUES ('+33622222222', ?1, 'reply', 'scheduler')",
        [ts(t0 - Duration::days(3))],
    )
    .unwrap();

    let templates: &[(&str, &str, &str, bool, bool, bool)] = &[
        (
            "Rappel entretien",
            "interview",
            "Bonjour {prenom}, RDV le {date_rdv}. Repondez OUI ou NON.",
            true,
            true,
            true,
        ),
        (
            "Atelier CV",
            "step",
            "Atelier CV le {date_etape}.",
            true,
            false,
            false,
        ),
        (
            "Info collective",
            "batch",
            "Réunion d'information jeudi.",
            false,
            false,
            false,
        ),
    ];
    for (name, ctx, body, active, locked, reply) in templates {
        conn.execute(
            "INSERT INTO templates(name, context, body, active, locked, reply_expected, created_by, created_at, updated_at)
             VALUES (?1,?2,?3,?4,?5,?6,'admin',?7,?7)",
            params![name, ctx, body, active, locked, reply, ts(t0)],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO template_keywords(template_id, keyword, outcome) VALUES (1,'OUI','confirmé par SMS'), (1,'NON','ne viendra pas')",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO automations(name, event_kind, collaborators, event_types, offset_days, template_id, active, created_by, created_at, updated_at)
         VALUES ('Rappel J-1', 'interview', '[]', '[\"diagnostic\"]', -1, 1, 1, 'admin', ?1, ?1),
                ('Relance atelier', 'step', '[2]', '[]', 2, 3, 1, 'admin', ?1, ?1)",
        [ts(t0)],
    )
    .unwrap();

    // Events: today, tomorrow, later; one cancelled; one with an outcome from a reply.
    let events: &[(i64, &str, &str, i64, i64, &str, bool, bool)] = &[
        (1, "interview", "diagnostic", 0, 14, "", false, true),
        (2, "step", "atelier CV", 0, 16, "", false, false),
        (
            3,
            "interview",
            "suivi",
            1,
            9,
            "confirmé par SMS",
            false,
            true,
        ),
        (4, "orientation", "formation", 1, 11, "", true, false),
        (
            5,
            "interview",
            "suivi",
            3,
            10,
            "ne viendra pas",
            false,
            true,
        ),
        (7, "interview", "diagnostic", 4, 15, "", false, false),
    ];
    for (p, kind, ty, day, hour, outcome, cancelled, reminder) in events {
        let starts = Utc
            .with_ymd_and_hms(2026, 3, 30, *hour as u32 - 2, 0, 0)
            .unwrap()
            + Duration::days(*day);
        let local = starts
            .with_timezone(&chrono_tz::Europe::Paris)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        conn.execute(
            "INSERT INTO events(participant_id, kind, type, starts_at, starts_local, collaborator_id, outcome, cancelled,
                reminder_enabled, reminder_days_before, created_by, created_at, updated_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,'admin',?11,?11)",
            params![p, kind, ty, ts(starts), local, 1 + (p % 2), outcome, cancelled, reminder, reminder.then_some(1), ts(t0)],
        )
        .unwrap();
    }

    credit::add_pack(
        conn,
        1000,
        "Pack hiver",
        NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        "admin",
        t0,
    )
    .unwrap();
    credit::add_pack(
        conn,
        500,
        "Pack printemps",
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        "admin",
        t0,
    )
    .unwrap();

    // A batch with three messages.
    conn.execute(
        "INSERT INTO batches(kind, name, text, source, recipients, created_by, created_at)
         VALUES ('batch', 'Réunion avril', 'Réunion jeudi 9h. STOP au 36608', 'liste PLIE', 3, 'admin', ?1),
                ('free', '', 'Fermeture exceptionnelle lundi. STOP au 36608', 'clients.xlsx', 2, 'marie', ?2)",
        params![ts(t0 - Duration::days(2)), ts(t0 - Duration::days(5))],
    )
    .unwrap();

    let sent: &[(i64, &str, &str, &str, i64, i64, &[MessageStatus])] = &[
        (
            1,
            "Élodie Martin",
            "+33612345678",
            "Bonjour Élodie, RDV demain 14h avec Claire Durand. Repondez OUI ou NON.",
            1,
            26,
            DELIVERED,
        ),
        (
            2,
            "Karim Benali",
            "+33698765432",
            "Bonjour Karim, atelier CV lundi 16h.",
            1,
            50,
            &[
                MessageStatus::Sending,
                MessageStatus::Submitted,
                MessageStatus::Failed,
            ],
        ),
        (
            3,
            "Jean Leroy",
            "+590690123456",
            "Bonjour Jean, votre RDV de suivi est confirmé mardi 9h.",
            2,
            70,
            DELIVERED,
        ),
        (
            5,
            "Luc Garnier",
            "+33622222222",
            "Bonjour Luc, votre atelier est reporté.",
            1,
            100,
            &[MessageStatus::Stop],
        ),
        (
            7,
            "Evil\u{1b}[2J Hacker",
            "+33644444444",
            "Texte \u{1b}[31mrouge",
            1,
            120,
            &[MessageStatus::Sending, MessageStatus::Submitted],
        ),
    ];
    for (p, name, phone, text, seg, hours_ago, path) in sent {
        add_message(
            &f.store,
            &Msg {
                kind: MessageKind::Reminder,
                context: "interview",
                participant: Some(*p),
                event: Some(1).filter(|_| *p == 1),
                batch: None,
                template: Some(1),
                collaborator: Some(1),
                phone,
                name,
                text,
                segments: *seg,
                planned: t0 - Duration::hours(*hours_ago),
                path,
            },
        );
    }
    for (i, (name, phone)) in [
        ("Élodie Martin", "+33612345678"),
        ("Karim Benali", "+33698765432"),
        ("Jean Leroy", "+590690123456"),
    ]
    .iter()
    .enumerate()
    {
        add_message(
            &f.store,
            &Msg {
                kind: MessageKind::Batch,
                context: "batch",
                participant: Some(i as i64 + 1),
                event: None,
                batch: Some(1),
                template: None,
                collaborator: None,
                phone,
                name,
                text: "Réunion jeudi 9h. STOP au 36608",
                segments: 1,
                planned: t0 - Duration::days(2),
                path: if i == 2 {
                    &[MessageStatus::Sending, MessageStatus::Submitted]
                } else {
                    DELIVERED
                },
            },
        );
    }
    // Upcoming: one due but waiting for the window, two later.
    let upcoming: &[(i64, &str, &str, &str, i64)] = &[
        (
            1,
            "Élodie Martin",
            "+33612345678",
            "Rappel : RDV aujourd'hui 14h.",
            0,
        ),
        (
            3,
            "Jean Leroy",
            "+590690123456",
            "Rappel : RDV demain 9h.",
            6,
        ),
        (
            5,
            "Luc Garnier",
            "+33622222222",
            "Rappel : RDV jeudi 10h.",
            30,
        ),
    ];
    for (p, name, phone, text, hours) in upcoming {
        add_message(
            &f.store,
            &Msg {
                kind: MessageKind::Reminder,
                context: "interview",
                participant: Some(*p),
                event: None,
                batch: None,
                template: Some(1),
                collaborator: Some(2),
                phone,
                name,
                text,
                segments: 1,
                planned: t0 + Duration::hours(*hours),
                path: &[],
            },
        );
    }
    conn.execute(
        "UPDATE messages SET wait_reason = 'window', next_attempt_at = ?1 WHERE status = 'pending' AND planned_at <= ?1",
        [ts(t0)],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO replies(from_phone, text, received_at, message_id, keyword, outcome, state, review_reason)
         VALUES ('+33612345678', 'OUI', ?1, 1, 'OUI', 'confirmé par SMS', 'matched', ''),
                ('+33698765432', 'oui mais à 15h', ?2, 2, '', '', 'review', 'no keyword recognised'),
                ('+33622222222', 'STOP', ?3, NULL, 'STOP', '', 'stop', '')",
        params![ts(t0 - Duration::hours(20)), ts(t0 - Duration::hours(40)), ts(t0 - Duration::hours(90))],
    )
    .unwrap();
    // The matched reply is the first answer to message 1.
    conn.execute(
        "UPDATE messages SET reply_id = (SELECT id FROM replies WHERE text = 'OUI') WHERE id = 1",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO scheduler_lease(id, holder, acquired_at, heartbeat_at, expires_at) VALUES (1, 'tui:admin@desk:4242', ?1, ?2, ?3)",
        params![ts(t0 - Duration::hours(1)), ts(t0 - Duration::seconds(5)), ts(t0 + Duration::seconds(25))],
    )
    .unwrap();
    f
}

/// A participant with a mobile, `consent` to SMS or not; returns its id.
pub fn add_participant(store: &Store, first: &str, last: &str, mobile: &str, consent: bool) -> i64 {
    smsdesk::store::participants::insert_participant(
        store.conn(),
        &smsdesk::store::participants::NewParticipant {
            kind: smsdesk::sms::status::ParticipantKind::Participant,
            first_name: first.into(),
            last_name: last.into(),
            mobile: Some(mobile.into()),
            sms_consent: consent,
            ..Default::default()
        },
        now(),
    )
    .unwrap()
}

/// An active collaborator; returns its id.
pub fn add_collaborator(store: &Store, first: &str, last: &str) -> i64 {
    smsdesk::store::participants::insert_collaborator(
        store.conn(),
        &smsdesk::store::participants::NewCollaborator {
            first_name: first.into(),
            last_name: last.into(),
            active: true,
            ..Default::default()
        },
    )
    .unwrap()
}

/// An active, unlocked template by admin; `reply_expected` when it asks for an answer.
pub fn add_template(store: &Store, name: &str, context: &str, body: &str, reply_expected: bool) {
    store
        .conn()
        .execute(
            "INSERT INTO templates(name, context, body, active, locked, reply_expected, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, 1, 0, ?4, 'admin', ?5, ?5)",
            params![name, context, body, reply_expected, now().timestamp()],
        )
        .unwrap();
}

/// `day`/`month`/2026 at `hour`:00, Paris time.
pub fn local(day: u32, month: u32, hour: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, month, day)
        .unwrap()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
}

/// A "diagnostic" interview of participant `who` at `starts_local` (Paris), with no
/// collaborator, place, notes or reminder of its own, created by `actor`; returns the event.
pub fn add_interview(
    store: &mut Store,
    actor: &Actor,
    who: i64,
    starts_local: chrono::NaiveDateTime,
) -> i64 {
    use smsdesk::core::events::{EventKind, NewEventInput, create_event};
    create_event(
        store,
        actor,
        NewEventInput {
            participant_id: who,
            kind: EventKind::Interview,
            event_type: "diagnostic".into(),
            starts_local,
            collaborator_id: None,
            location: String::new(),
            notes: String::new(),
            reminder: None,
        },
        now(),
    )
    .unwrap()
    .event_id
}

/// Élodie Martin (consenting, mobile), the template « Rappel RDV » (`RDV le
/// {{event.datetime}}`), then her interview on Friday 3 April 2026 at 14:00 Paris with no
/// reminder, created by `actor`; returns the event.
pub fn elodie_rappel_interview(store: &mut Store, actor: &Actor) -> i64 {
    let who = add_participant(store, "Élodie", "Martin", "+33612345678", true);
    add_template(
        store,
        "Rappel RDV",
        "interview",
        "Bonjour {{participant.first_name}}, RDV le {{event.datetime}}.",
        false,
    );
    add_interview(store, actor, who, local(3, 4, 14))
}

/// Élodie Martin (Mme, PLIE, consenting, mobile) with an interview on Friday 3 April 2026 at
/// 14:00 Paris, no reminder; before the interview, the active `templates` (name, context,
/// body), ids from 1 in that order.
pub fn elodie_with_interview(templates: &[(&str, &str, &str)]) -> Fixture {
    let mut f = empty_store();
    let actor = Actor::identify(&mut f.store, "admin", now()).unwrap();
    f.store
        .conn()
        .execute(
            "INSERT INTO participants(kind, civility, first_name, last_name, mobile, sms_consent, programme, created_at, updated_at)
             VALUES ('participant','Mme','Élodie','Martin','+33612345678',1,'PLIE',?1,?1)",
            [now().timestamp()],
        )
        .unwrap();
    for (name, context, body) in templates {
        add_template(&f.store, name, context, body, false);
    }
    add_interview(&mut f.store, &actor, 1, local(3, 4, 14));
    f
}

/// A question to Élodie Martin (+33612345678) with the template « Confirmez » (OUI / NON), sent and delivered an
/// hour ago for an interview tomorrow; returns the event.
pub fn interview_question(f: &mut Fixture) -> i64 {
    let actor = Actor::identify(&mut f.store, "admin", now()).unwrap();
    let who = add_participant(&f.store, "Élodie", "Martin", "+33612345678", true);
    add_template(
        &f.store,
        "Confirmez",
        "interview",
        "RDV demain, répondez OUI ou NON",
        true,
    );
    f.store
        .conn()
        .execute(
            "INSERT INTO template_keywords(template_id, keyword, outcome)
             VALUES (1,'OUI','confirmed by SMS'), (1,'NON','will not attend')",
            [],
        )
        .unwrap();
    let event = add_interview(&mut f.store, &actor, who, local(31, 3, 14));
    let id = add_message(
        &f.store,
        &Msg {
            kind: MessageKind::Reminder,
            context: "interview",
            participant: Some(who),
            event: Some(event),
            batch: None,
            template: Some(1),
            collaborator: None,
            phone: "+33612345678",
            name: "Élodie Martin",
            text: "RDV demain, répondez OUI ou NON",
            segments: 1,
            planned: now() - Duration::hours(1),
            path: DELIVERED,
        },
    );
    f.store
        .conn()
        .execute("UPDATE messages SET expects_reply = 1 WHERE id = ?1", [id])
        .unwrap();
    event
}

/// A spreadsheet of phone numbers under « Téléphone »: 06 11 22 33 44 whose leading zero the
/// spreadsheet dropped (a number cell), twice (a duplicate), then a text cell (07 55 66 77 88)
/// and a landline (01 44 55 66 77).
pub fn numbers_xlsx(path: &std::path::Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Nom").unwrap();
    sheet.write_string(0, 1, "Téléphone").unwrap();
    sheet.write_number(1, 1, 611223344.0).unwrap();
    sheet.write_number(2, 1, 611223344.0).unwrap();
    sheet.write_string(3, 1, "07 55 66 77 88").unwrap();
    sheet.write_string(4, 1, "01 44 55 66 77").unwrap();
    book.save(path).unwrap();
}

/// An App on `store` as `admin`, with the shipped key bindings and a fixed clock.
pub fn app(store: Store, lang: Lang) -> App {
    app_with_keymap(store, lang, Keymap::defaults())
}

pub fn app_with_keymap(mut store: Store, lang: Lang, keymap: Keymap) -> App {
    let clock = Clock::fixed(now());
    let actor = Actor::identify(&mut store, "admin", now()).unwrap();
    let mut app = App::new(store, actor, lang, keymap, clock);
    app.set_location("demo.db".into());
    app
}

pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// `Tab`, `n` times.
pub fn tab(app: &mut App, n: usize) {
    for _ in 0..n {
        app.handle_key(code(KeyCode::Tab));
    }
}

/// `Shift+Tab`, `n` times.
pub fn back(app: &mut App, n: usize) {
    for _ in 0..n {
        app.handle_key(code(KeyCode::BackTab));
    }
}

pub fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle_key(key(c));
    }
}

/// Fills a batch's interview (outcome `outcome`) and an own text, from the "Interview
/// date-time" field.
pub fn fill_interview_and_text(app: &mut App, outcome: &str) {
    press(app, "02/04/2026 10:00");
    tab(app, 1);
    app.handle_key(code(KeyCode::Right));
    tab(app, 1);
    press(app, "atelier");
    tab(app, 1);
    press(app, "CV");
    tab(app, 1);
    press(app, outcome);
    // location, channel, programme, summary, template (own text), campaign, at → composer.
    tab(app, 8);
    press(app, "Bonjour {{participant.first_name}}, atelier CV jeudi.");
}

/// The screen as text, one line per row (wide characters take their two columns).
pub fn render(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| app.draw(f)).unwrap();
    buffer_text(terminal.backend().buffer())
}

pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in 0..area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            line.push_str(symbol);
            skip = symbol.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Ticks until a popup opens (work done off the UI thread, e.g. reading a file, has
/// finished); panics with the screen after 20 s.
pub fn tick_until_popup(app: &mut App) {
    for _ in 0..2000 {
        app.on_tick();
        if app.has_popup() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("no popup after 20 s:\n{}", render(app, 80, 24));
}

/// Ticks until `text` is on the screen; panics with the screen after 20 s.
pub fn tick_until_shown(app: &mut App, text: &str) -> String {
    for _ in 0..2000 {
        app.on_tick();
        let screen = render(app, 80, 24);
        if screen.contains(text) {
            return screen;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{text:?} not shown after 20 s:\n{}", render(app, 80, 24));
}
