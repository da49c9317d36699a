//! Follow-up rules with a condition (issue 14): "D+1 after the reminder of template X, only
//! when no answer came". The condition is checked when the rule would create its follow-up
//! and again when the follow-up is due to leave; the dry run says which would be skipped and
//! why. Temporary store, fixed clock, the real scheduler with the simulator; the command line
//! and, at 80×24 in tmux, the administrator's journey.

mod support;
mod tui_fixture;

use chrono::{DateTime, NaiveDateTime, Utc};
use smsdesk::clock::Clock;
use smsdesk::core::automations::{self, AutomationRule};
use smsdesk::core::events::{self, EventKind, NewEventInput, ReminderChange};
use smsdesk::core::{Actor, CoreError, replies};
use smsdesk::gateway::InboundSms;
use smsdesk::scheduler::{self, Options};
use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::sms::template::TemplateContext;
use smsdesk::store::automations::Condition;
use smsdesk::store::notes::{RuleReason, StatusNote};
use smsdesk::store::participants::NewParticipant;
use smsdesk::store::templates::NewTemplate;
use smsdesk::store::{Store, credit, messages, participants, settings, templates};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Monday 2026-03-23 11:00 in Paris.
fn now() -> DateTime<Utc> {
    utc("2026-03-23T10:00:00Z")
}

struct World {
    dir: tempfile::TempDir,
    store: Store,
    admin: Actor,
    /// The D-1 reminder's template: asks OUI / NON.
    t_rappel: i64,
    /// The follow-up's template.
    t_relance: i64,
    /// A template that asks nothing.
    t_info: i64,
    people: Vec<(i64, &'static str)>,
}

fn template(name: &str, body: &str, reply: bool) -> NewTemplate {
    NewTemplate {
        name: name.into(),
        context: TemplateContext::Interview,
        body: body.into(),
        active: true,
        locked: false,
        reply_expected: reply,
        keywords: if reply {
            vec![
                ("OUI".into(), "confirmé par SMS".into()),
                ("NON".into(), "ne viendra pas".into()),
            ]
        } else {
            vec![]
        },
        created_by: "admin".into(),
        created_at: now(),
    }
}

/// Anna, Bruno and Chloé, each with an interview on Wednesday 25 at 10:00 (Paris), a D-1
/// reminder rule on template "Rappel"; the window open every day, credit for all.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let admin = Actor::identify(&mut store, "admin", now()).unwrap();
    for (k, v) in [
        ("grace_seconds", "0"),
        ("window", "08:00-20:00"),
        ("window_days", "mon-sun"),
    ] {
        settings::set(store.conn(), k, v, "admin", now()).unwrap();
    }
    credit::add_pack(
        store.conn(),
        100,
        "test",
        now().date_naive(),
        "admin",
        now(),
    )
    .unwrap();
    let people = [
        ("Anna", "+33612345601"),
        ("Bruno", "+33612345602"),
        ("Chloé", "+33612345603"),
    ];
    let (t_rappel, t_relance, t_info, ids) = store
        .write(|tx: smsdesk::store::Db<'_>| {
            let r = templates::insert_template(
                tx,
                &template(
                    "Rappel",
                    "Bonjour {{participant.first_name}}, RDV demain. Répondez OUI ou NON",
                    true,
                ),
            )?;
            let f = templates::insert_template(
                tx,
                &template(
                    "Relance",
                    "Bonjour {{participant.first_name}}, vous n'avez pas répondu.",
                    false,
                ),
            )?;
            let i = templates::insert_template(tx, &template("Info", "Bonjour", false))?;
            let mut ids = Vec::new();
            for (first, mobile) in people {
                let p = NewParticipant {
                    kind: smsdesk::sms::status::ParticipantKind::Participant,
                    first_name: first.into(),
                    last_name: "Test".into(),
                    mobile: Some(mobile.into()),
                    sms_consent: true,
                    ..Default::default()
                };
                ids.push(participants::insert_participant(tx, &p, now())?);
            }
            Ok::<_, smsdesk::store::StoreError>((r, f, i, ids))
        })
        .unwrap();
    let mut w = World {
        dir,
        store,
        admin,
        t_rappel,
        t_relance,
        t_info,
        people: ids.into_iter().zip(people.iter().map(|p| p.1)).collect(),
    };
    for i in 0..3 {
        let admin = w.admin.clone();
        events::create_event(
            &mut w.store,
            &admin,
            NewEventInput {
                participant_id: w.people[i].0,
                kind: EventKind::Interview,
                event_type: "diagnostic".into(),
                starts_local: NaiveDateTime::parse_from_str("2026-03-25 10:00", "%Y-%m-%d %H:%M")
                    .unwrap(),
                collaborator_id: None,
                location: String::new(),
                notes: String::new(),
                reminder: None,
            },
            now(),
        )
        .unwrap();
    }
    let reminder = w.rule("Rappel J-1", -1, w.t_rappel, Condition::None);
    automations::create_automation(&mut w.store, &w.admin, &reminder, now()).unwrap();
    w
}

impl World {
    fn rule(&self, name: &str, offset: i64, template: i64, condition: Condition) -> AutomationRule {
        AutomationRule {
            name: name.into(),
            event_kind: EventKind::Interview,
            collaborators: vec![],
            event_types: vec![],
            offset_days: offset,
            template_id: template,
            active: true,
            condition,
        }
    }

    fn no_reply_rule(&self) -> AutomationRule {
        self.rule(
            "Relance J+1",
            1,
            self.t_relance,
            Condition::NoReply {
                template_id: self.t_rappel,
            },
        )
    }

    /// The messages of `kind` of person `i`'s event: (id, status).
    fn of(&self, i: usize, kind: MessageKind) -> Vec<(i64, MessageStatus)> {
        let mut stmt = self
            .store
            .conn()
            .prepare(
                "SELECT m.id FROM messages m JOIN events e ON e.id = m.event_id
                 WHERE e.participant_id = ?1 AND m.kind = ?2 ORDER BY m.id",
            )
            .unwrap();
        let ids: Vec<i64> = stmt
            .query_map(rusqlite::params![self.people[i].0, kind.as_str()], |r| {
                r.get(0)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        ids.into_iter()
            .map(|id| (id, messages::status_of(self.store.db(), id).unwrap()))
            .collect()
    }

    fn event_of(&self, i: usize) -> i64 {
        self.store
            .conn()
            .query_row(
                "SELECT id FROM events WHERE participant_id = ?1",
                [self.people[i].0],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// Runs the scheduler with the simulator at `at` until `done` holds.
    fn run_scheduler(&self, at: DateTime<Utc>, what: &str, done: impl Fn(&World) -> bool) {
        let o = Options::new(self.dir.path().join("t.db"), Clock::manual(at));
        let handle = scheduler::spawn(o, None);
        let until = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while !done(self) {
            assert!(std::time::Instant::now() < until, "timed out: {what}");
            handle.wake();
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        handle.stop().unwrap();
    }

    /// Every reminder leaves on Tuesday (D-1, 10:00 in Paris).
    fn send_reminders(&self) {
        self.run_scheduler(utc("2026-03-24T09:01:00Z"), "the reminders leave", |w| {
            (0..3).all(|i| {
                w.of(i, MessageKind::Reminder)
                    .iter()
                    .all(|(_, s)| *s != MessageStatus::Pending && *s != MessageStatus::Sending)
            })
        });
    }

    fn reply(&mut self, i: usize, text: &str, at: DateTime<Utc>) -> replies::ReplyOutcome {
        let inbound = InboundSms {
            from_e164: self.people[i].1.into(),
            to: String::new(),
            text: text.into(),
            received_at: at,
            provider_id: format!("in-{i}-{}", at.timestamp()),
        };
        replies::record_inbound(
            &mut self.store,
            smsdesk::gateway::ProviderKind::Simulator,
            &inbound,
            at,
        )
        .unwrap()
    }
}

#[test]
fn a_follow_up_rule_waiting_for_no_reply_skips_those_who_answered_when_it_is_created() {
    let mut w = world();
    w.send_reminders();
    let tuesday = utc("2026-03-24T12:00:00Z");
    assert!(matches!(
        w.reply(0, "oui merci", tuesday),
        replies::ReplyOutcome::Matched { .. }
    ));
    let rule = w.no_reply_rule();
    // What saving announces: one follow-up each for Bruno and Chloé, Anna skipped with why.
    let preview =
        automations::preview_automation(&w.store, &w.admin, None, &rule, tuesday).unwrap();
    let anna = w.event_of(0);
    let skipped: Vec<_> = preview.iter().filter(|p| p.error.is_some()).collect();
    assert_eq!(skipped.len(), 1, "{preview:?}");
    assert_eq!(skipped[0].event_id, anna);
    assert_eq!(
        skipped[0].error,
        Some(RuleReason::Replied {
            template: "Rappel".into()
        })
    );
    assert_eq!(preview.iter().filter(|p| p.error.is_none()).count(), 2);

    let out = automations::save_automation(&mut w.store, &w.admin, None, &rule, tuesday).unwrap();
    assert_eq!(out.created(), 2);
    assert!(out.changes.iter().any(|(e, c)| *e == anna
        && matches!(
            c,
            ReminderChange::Skipped {
                reason: RuleReason::Replied { .. },
                ..
            }
        )));
    assert!(w.of(0, MessageKind::FollowUp).is_empty(), "Anna answered");
    assert_eq!(w.of(1, MessageKind::FollowUp).len(), 1);
    assert_eq!(w.of(2, MessageKind::FollowUp).len(), 1);
}

#[test]
fn a_reply_after_the_follow_up_was_queued_stops_it_when_it_is_due_and_the_dry_run_says_so() {
    let mut w = world();
    let rule = w.no_reply_rule();
    automations::create_automation(&mut w.store, &w.admin, &rule, now()).unwrap();
    for i in 0..3 {
        assert_eq!(
            w.of(i, MessageKind::FollowUp).len(),
            1,
            "queued for everyone"
        );
    }
    w.send_reminders();
    // Chloé answers after the follow-ups were queued; Bruno says nothing; Anna writes
    // something unclear: a reply all the same (it waits for a review).
    let tuesday = utc("2026-03-24T15:00:00Z");
    assert!(matches!(
        w.reply(2, "NON", tuesday),
        replies::ReplyOutcome::Matched { .. }
    ));
    assert!(matches!(
        w.reply(0, "peut-être, je vous rappelle", tuesday),
        replies::ReplyOutcome::Review { .. }
    ));

    // The dry run names the follow-ups that would not leave, and why; it writes nothing.
    let dry = automations::dry_run(&w.store, 7, tuesday).unwrap();
    let skips: Vec<(Option<i64>, Option<RuleReason>)> = dry
        .iter()
        .filter(|p| p.skips.is_some())
        .map(|p| (p.skips, p.error.clone()))
        .collect();
    let replied = Some(RuleReason::Replied {
        template: "Rappel".into(),
    });
    assert_eq!(
        skips,
        vec![
            (Some(w.of(0, MessageKind::FollowUp)[0].0), replied.clone()),
            (Some(w.of(2, MessageKind::FollowUp)[0].0), replied.clone()),
        ]
    );
    assert_eq!(w.of(0, MessageKind::FollowUp)[0].1, MessageStatus::Pending);

    // Thursday, D+1: only Bruno's follow-up leaves; the others are cancelled with the reason.
    w.run_scheduler(utc("2026-03-26T09:01:00Z"), "the follow-ups are due", |w| {
        (0..3).all(|i| w.of(i, MessageKind::FollowUp)[0].1 != MessageStatus::Pending)
    });
    assert_ne!(
        w.of(1, MessageKind::FollowUp)[0].1,
        MessageStatus::Cancelled
    );
    for i in [0, 2] {
        let (id, status) = w.of(i, MessageKind::FollowUp)[0];
        assert_eq!(status, MessageStatus::Cancelled, "person {i}");
        let last = messages::history(w.store.db(), id).unwrap().pop().unwrap();
        assert_eq!(
            last.note,
            Some(StatusNote::ConditionUnmet {
                reason: replied.clone().unwrap()
            })
        );
        assert_eq!(last.actor, "scheduler");
    }
    // A follow-up skipped stays the event's: applying the rules again creates no other one.
    let anna = w.event_of(0);
    automations::apply_automations(w.store.db(), anna, utc("2026-03-26T09:05:00Z")).unwrap();
    assert_eq!(w.of(0, MessageKind::FollowUp).len(), 1);
}

#[test]
fn a_follow_up_rule_waiting_for_no_outcome_skips_events_that_have_one() {
    let mut w = world();
    let rule = w.rule(
        "Relance sans résultat",
        1,
        w.t_relance,
        Condition::NoOutcome,
    );
    automations::create_automation(&mut w.store, &w.admin, &rule, now()).unwrap();
    w.send_reminders();
    // Bruno's answer sets his event's outcome; Anna's unclear answer sets none.
    w.reply(1, "OUI", utc("2026-03-24T15:00:00Z"));
    w.reply(0, "je ne sais pas", utc("2026-03-24T15:00:00Z"));
    let dry = automations::dry_run(&w.store, 7, utc("2026-03-24T16:00:00Z")).unwrap();
    let skipped: Vec<_> = dry.iter().filter(|p| p.skips.is_some()).collect();
    assert_eq!(skipped.len(), 1, "{dry:?}");
    assert_eq!(
        skipped[0].error,
        Some(RuleReason::OutcomeSet {
            outcome: "confirmé par SMS".into()
        })
    );
    w.run_scheduler(utc("2026-03-26T09:01:00Z"), "the follow-ups are due", |w| {
        (0..3).all(|i| w.of(i, MessageKind::FollowUp)[0].1 != MessageStatus::Pending)
    });
    let statuses: Vec<bool> = (0..3)
        .map(|i| w.of(i, MessageKind::FollowUp)[0].1 == MessageStatus::Cancelled)
        .collect();
    assert_eq!(statuses, vec![false, true, false]);
}

#[test]
fn a_condition_is_refused_on_a_reminder_rule_and_on_a_template_that_asks_nothing() {
    let mut w = world();
    let refusal = |e: CoreError| e.to_string();
    let on_reminder = w.rule("Rappel J-2", -2, w.t_rappel, Condition::NoOutcome);
    let e =
        automations::create_automation(&mut w.store, &w.admin, &on_reminder, now()).unwrap_err();
    assert!(refusal(e).contains("only a follow-up rule"));
    let no_question = w.rule(
        "Relance",
        2,
        w.t_relance,
        Condition::NoReply {
            template_id: w.t_info,
        },
    );
    let e =
        automations::create_automation(&mut w.store, &w.admin, &no_question, now()).unwrap_err();
    assert!(refusal(e).contains("expects no reply"));
    // Saved and read back with its condition.
    let ok = w.no_reply_rule();
    let id = automations::create_automation(&mut w.store, &w.admin, &ok, now()).unwrap();
    let row = smsdesk::store::automations::get(w.store.db(), id).unwrap();
    assert_eq!(
        row.condition,
        Condition::NoReply {
            template_id: w.t_rappel
        }
    );
    assert_eq!(row.condition_template, "Rappel");
}

/// `smsdesk --db DB --user admin ARGS…` at `at` (SMSDESK_NOW); its standard output.
fn smsdesk_at(w: &World, at: &str, args: &[&str]) -> Vec<u8> {
    let dir = w.dir.path().to_str().unwrap();
    support::smsdesk::run_as(
        &w.dir.path().join("t.db"),
        "admin",
        &[("SMSDESK_NOW", at), ("SMSDESK_CONFIG_DIR", dir)],
        args,
    )
}

fn json_at(w: &World, at: &str, args: &[&str]) -> serde_json::Value {
    let args: Vec<&str> = std::iter::once("--json")
        .chain(args.iter().copied())
        .collect();
    serde_json::from_slice(&smsdesk_at(w, at, &args)).unwrap()
}

#[test]
fn the_command_line_shows_a_rules_condition_and_the_follow_ups_its_dry_run_would_skip() {
    let mut w = world();
    let rule = w.no_reply_rule();
    let id = automations::create_automation(&mut w.store, &w.admin, &rule, now()).unwrap();
    w.send_reminders();
    w.reply(1, "OUI", utc("2026-03-24T15:00:00Z"));
    let at = "2026-03-24T16:00:00Z";
    let rules = json_at(&w, at, &["automations"]);
    let row = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert_eq!(row["condition"]["kind"], "no_reply");
    assert_eq!(row["condition"]["template_id"], w.t_rappel);
    assert_eq!(row["condition_template"], "Rappel");
    let dry = json_at(&w, at, &["automations", "--dry-run", "7"]);
    let skipped: Vec<&serde_json::Value> = dry
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["skips"].is_null())
        .collect();
    assert_eq!(skipped.len(), 1, "{dry}");
    assert_eq!(skipped[0]["participant"], "Bruno Test");
    assert_eq!(skipped[0]["kind"], "follow_up");
    assert_eq!(skipped[0]["reason_code"], "replied");
    assert_eq!(skipped[0]["reason"], "a reply came to “Rappel”");
    let text = String::from_utf8(smsdesk_at(&w, at, &["automations", "--dry-run", "7"])).unwrap();
    assert!(
        text.lines().any(|l| l.contains("Bruno Test")
            && l.contains("skips #")
            && l.contains("a reply came")),
        "{text}"
    );
}

/// Issue 14's acceptance at 80×24: the administrator creates "D+1 after the reminder, only
/// when no answer came" in the Automations form; Anna had answered before (no follow-up is
/// created for her), Chloé answers after it was queued (the dry run says hers would not leave);
/// on Thursday only Bruno, who never answered, gets the follow-up, as `--json` shows.
#[test]
fn a_follow_up_rule_sends_only_to_those_who_did_not_answer() {
    let w = world();
    w.send_reminders();
    let tuesday = "2026-03-24T12:00:00Z";
    smsdesk_at(
        &w,
        tuesday,
        &[
            "simulate",
            "reply",
            "--from",
            w.people[0].1,
            "--text",
            "OUI",
        ],
    );
    let cmd = format!(
        "env SMSDESK_NOW={tuesday} LANG=en_US.UTF-8 LC_ALL= LC_MESSAGES= SMSDESK_CONFIG_DIR={dir} \
         SMSDESK_LOG_DIR={dir} {bin} --db {db} --user admin",
        dir = w.dir.path().display(),
        bin = env!("CARGO_BIN_EXE_smsdesk"),
        db = w.dir.path().join("t.db").display()
    );
    let Some(t) =
        support::tmux::Tmux::start(&format!("smsdesk-followup-{}", std::process::id()), &cmd)
    else {
        return;
    };
    t.wait_for("Dashboard");
    t.keys(&["4"]);
    t.wait_for("Only if");
    t.keys(&["n"]);
    t.wait_for("New automation");
    t.type_text("Relance J+1");
    t.keys(&["Tab", "Tab", "Tab", "Tab", "C-u"]);
    t.type_text("1");
    t.keys(&["Tab"]);
    let chosen = |label: &str, wanted: &str| {
        let mut tries = 0;
        while !t
            .screen()
            .lines()
            .any(|l| l.contains(label) && l.contains(wanted))
        {
            t.keys(&["Right"]);
            tries += 1;
            assert!(tries < 10, "{wanted} is not offered:\n{}", t.screen());
        }
    };
    chosen("Template", "‹ Relance ›");
    t.keys(&["Tab"]);
    let help = t.wait_for("checked again just before it leaves");
    assert!(help.contains("Sends"), "{help}");
    chosen("Sends", "only if no reply to “Rappel”");
    t.keys(&["C-s"]);
    // Bruno and Chloé get a follow-up; Anna answered already.
    t.wait_for("2 reminders will be created");
    t.keys(&["Enter"]);
    t.wait_for("2 reminder(s) created");
    let screen = t.wait_for("no reply");
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Relance") && l.contains("no reply")),
        "the list shows the condition:\n{screen}"
    );

    // Chloé answers after her follow-up was queued: the dry run says it will not leave.
    smsdesk_at(
        &w,
        "2026-03-24T12:05:00Z",
        &[
            "simulate",
            "reply",
            "--from",
            w.people[2].1,
            "--text",
            "NON",
        ],
    );
    t.keys(&["r"]);
    let dry = t.wait_for("Dry run — nothing is sent");
    assert!(
        dry.contains("2 not created or held back (✖ says why)"),
        "{dry}"
    );
    assert!(
        dry.contains("0 reminder(s) the rules would create"),
        "{dry}"
    );
    for name in ["Anna Test", "Chloé Test"] {
        assert!(
            dry.lines()
                .any(|l| l.contains(name) && l.contains("a reply came to")),
            "{name}:\n{dry}"
        );
    }
    assert!(
        !dry.lines()
            .any(|l| l.contains("Bruno Test") && l.contains("✖")),
        "{dry}"
    );
    t.keys(&["Escape"]);
    t.quit();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    drop(t);

    // Thursday, D+1, the scheduler runs: through the command line, only Bruno's follow-up
    // left; Chloé's was cancelled with the reason; Anna never had one.
    w.run_scheduler(utc("2026-03-26T09:01:00Z"), "the follow-ups are due", |w| {
        [1, 2].iter().all(|&i| {
            w.of(i, MessageKind::FollowUp)
                .iter()
                .all(|(_, s)| *s != MessageStatus::Pending && *s != MessageStatus::Sending)
        })
    });
    let sent = json_at(
        &w,
        "2026-03-26T10:00:00Z",
        &["list", "sent", "--limit", "100"],
    );
    let follow_ups: Vec<(String, String)> = sent
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "follow_up")
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let left: Vec<&str> = follow_ups
        .iter()
        .filter(|(_, s)| s != "cancelled")
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(left, vec!["Bruno Test"], "{follow_ups:?}");
    assert!(
        follow_ups
            .iter()
            .any(|(n, s)| n == "Chloé Test" && s == "cancelled"),
        "{follow_ups:?}"
    );
    assert!(!follow_ups.iter().any(|(n, _)| n == "Anna Test"));
    let rules = json_at(&w, "2026-03-26T10:00:00Z", &["automations"]);
    let rule = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Relance J+1")
        .unwrap();
    assert_eq!(rule["offset_days"], 1);
    assert_eq!(rule["condition"]["kind"], "no_reply");
    assert_eq!(rule["condition_template"], "Rappel");
}

/// Issue 14, Sent as in Viesion: who programmed the message and the event's counsellor are both
/// columns (shown as the width allows), and from a message's detail `o` opens its event in the
/// Agenda, on its day, the event selected.
#[test]
fn sent_shows_who_programmed_a_message_and_its_detail_opens_the_event_in_the_agenda() {
    use crossterm::event::KeyCode;
    use smsdesk::i18n::Lang;
    use smsdesk::tui::Tab;
    use tui_fixture::{app, code, press, render};
    for lang in [Lang::En, Lang::Fr] {
        let w = world();
        w.send_reminders();
        let World {
            store, dir: _dir, ..
        } = w;
        let mut app = app(store, lang);
        press(&mut app, "6");
        let wide = render(&mut app, 200, 20);
        let (programmed, counsellor) = match lang {
            Lang::En => ("Programmed by", "Counsellor"),
            Lang::Fr => ("Programmé par", "Conseiller"),
        };
        let header = wide
            .lines()
            .find(|l| l.contains(programmed))
            .unwrap_or_default();
        assert!(header.contains(counsellor), "{wide}");
        assert!(
            wide.lines()
                .any(|l| l.contains("Chloé Test") && l.contains("admin")),
            "{wide}"
        );
        // The newest message first: Chloé's reminder. Its detail names the key.
        app.handle_key(code(KeyCode::Enter));
        let detail = render(&mut app, 80, 24);
        let hint = match lang {
            Lang::En => "o its event in the Agenda",
            Lang::Fr => "o son événement dans l'Agenda",
        };
        assert!(detail.contains("Chloé Test"), "{detail}");
        assert!(detail.contains(hint), "{detail}");
        press(&mut app, "o");
        assert_eq!(app.tab(), Tab::Agenda);
        assert!(!app.has_popup());
        let agenda = render(&mut app, 80, 24);
        let term = match lang {
            Lang::En => "period:25/03/2026",
            Lang::Fr => "période:25/03/2026",
        };
        assert!(agenda.contains(term), "{agenda}");
        for name in ["Anna Test", "Bruno Test", "Chloé Test"] {
            assert!(agenda.contains(name), "{agenda}");
        }
        // The event selected is Chloé's (the third of the day): its editor opens on it.
        press(&mut app, "m");
        let editor = render(&mut app, 80, 24);
        assert!(editor.contains("Chloé Test"), "{editor}");
        assert!(!editor.contains("Anna Test"), "{editor}");
        app.handle_key(code(KeyCode::Esc));

        // From the same detail, `f` opens Chloé's contact card, where the message is listed.
        press(&mut app, "6");
        app.handle_key(code(KeyCode::Enter));
        let detail = render(&mut app, 80, 24);
        let hint = match lang {
            Lang::En => "f their contact card",
            Lang::Fr => "f sa fiche contact",
        };
        assert!(detail.contains(hint), "{detail}");
        press(&mut app, "f");
        assert_eq!(app.tab(), Tab::Contacts);
        assert!(!app.has_popup());
        let card = render(&mut app, 80, 24);
        let title = match lang {
            Lang::En => "Contact card",
            Lang::Fr => "Fiche contact",
        };
        assert!(card.contains(title), "{card}");
        assert!(card.contains("Chloé"), "{card}");
        assert!(!card.contains("Anna"), "{card}");
    }
}
