//! The administration side driven headless: template editor with the composer, settings form,
//! automations, users, dashboard packs. Each journey checks the store afterwards, and each
//! screen and dialog is snapshotted at 80×24 in French and English.

mod tui_fixture;

use crossterm::event::KeyCode;
use smsdesk::i18n::Lang;
use smsdesk::store::templates;
use smsdesk::tui::App;
use tui_fixture::*;

fn demo_store() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 2026, "admin", now()).unwrap();
    let store = smsdesk::store::Store::open(&path).unwrap();
    Fixture { dir, store }
}

fn typing(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(key(c));
    }
}

fn snap(app: &mut App, name: &str, lang: Lang) -> String {
    let screen = render(app, 80, 24);
    assert!(!screen.contains('\u{1b}'));
    insta::assert_snapshot!(format!("{name}_{}", lang.as_str()), screen);
    screen
}

#[test]
fn a_template_with_merge_fields_and_a_reply_keyword_is_created_from_the_keyboard() {
    let f = demo_store();
    let path = f.dir.path().join("demo.db");
    let mut app = app(f.store, Lang::En);
    press(&mut app, "3");
    press(&mut app, "n");
    assert!(app.is_editing(), "the editor has the keyboard");
    // Letters are text, not tab shortcuts ("a" is the agenda, "q" quits).
    typing(&mut app, "Quick reminder");
    app.handle_key(code(KeyCode::Tab)); // context
    app.handle_key(code(KeyCode::Tab)); // active
    app.handle_key(code(KeyCode::Tab)); // locked
    app.handle_key(code(KeyCode::Tab)); // reply expected
    app.handle_key(key(' '));
    app.handle_key(code(KeyCode::Tab)); // keywords
    typing(&mut app, "oui=confirmed by SMS; non=will not attend");
    app.handle_key(code(KeyCode::Tab)); // text
    typing(&mut app, "Hello ");
    app.handle_key(ctrl('f'));
    app.handle_key(code(KeyCode::Down));
    app.handle_key(code(KeyCode::Enter));
    typing(&mut app, ", see you {{event.date}}. Reply OUI or NON");
    snap(&mut app, "template_editor", Lang::En);
    app.handle_key(ctrl('s'));
    assert!(
        !app.is_editing(),
        "saved and closed: {:?}",
        app.status_message()
    );
    let store = smsdesk::store::Store::open(&path).unwrap();
    let t = templates::list(store.db())
        .unwrap()
        .into_iter()
        .find(|t| t.name == "Quick reminder")
        .expect("template saved");
    assert!(t.reply_expected);
    assert!(t.body.starts_with("Hello {{"), "{}", t.body);
    assert!(t.body.contains("{{event.date}}"));
    let kw = templates::keywords(store.db(), t.id).unwrap();
    assert_eq!(kw.len(), 2);
    assert_eq!(kw[1].0, "OUI");
}

#[test]
fn settings_are_validated_as_typed_and_saved_after_confirmation() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let path = f.dir.path().join("demo.db");
        let mut app = app(f.store, lang);
        press(&mut app, "2");
        app.handle_key(code(KeyCode::Enter));
        assert!(app.is_editing());
        app.handle_key(code(KeyCode::Tab)); // sender
        app.handle_key(ctrl('u'));
        typing(&mut app, "MY SENDER");
        let screen = snap(&mut app, "settings_form_invalid", lang);
        assert!(
            screen.contains('✖'),
            "the reason is shown inline:\n{screen}"
        );
        app.handle_key(ctrl('s'));
        assert!(app.is_editing(), "not saved while a value is refused");
        app.handle_key(ctrl('u'));
        typing(&mut app, "MLLYON");
        for _ in 0..3 {
            app.handle_key(code(KeyCode::Tab));
        }
        app.handle_key(ctrl('u'));
        typing(&mut app, "08:30-18:00");
        app.handle_key(code(KeyCode::Tab)); // days
        app.handle_key(code(KeyCode::Tab)); // timezone
        app.handle_key(code(KeyCode::Right)); // first overseas zone offered
        app.handle_key(ctrl('s'));
        snap(&mut app, "settings_confirm", lang);
        app.handle_key(code(KeyCode::Enter));
        assert!(!app.is_editing(), "{:?}", app.status_message());
        let store = smsdesk::store::Store::open(&path).unwrap();
        let s = smsdesk::store::settings::Settings::load(store.conn()).unwrap();
        assert_eq!(s.sender, "MLLYON");
        assert_eq!(s.window_start.to_string(), "08:30:00");
        assert_eq!(s.window_end.to_string(), "18:00:00");
        assert_eq!(s.timezone, chrono_tz::America::Guadeloupe);
        let audited: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'settings.set' AND actor = 'admin'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(audited >= 3);
    }
}

#[test]
fn provider_credentials_are_masked_and_kept_when_left_empty() {
    let f = demo_store();
    let path = f.dir.path().join("demo.db");
    let mut app = app(f.store, Lang::En);
    press(&mut app, "2");
    app.handle_key(code(KeyCode::End));
    app.handle_key(code(KeyCode::Enter)); // the provider row
    app.handle_key(code(KeyCode::Right)); // simulator → kannel
    app.handle_key(code(KeyCode::Tab)); // sendsms_url
    app.handle_key(code(KeyCode::Tab)); // username
    typing(&mut app, "desk");
    app.handle_key(code(KeyCode::Tab)); // password
    typing(&mut app, "s3cret-pw");
    let screen = render(&mut app, 80, 24);
    assert!(
        !screen.contains("s3cret-pw"),
        "typed credentials are masked:\n{screen}"
    );
    app.handle_key(ctrl('s'));
    app.handle_key(key('y'));
    assert!(!app.is_editing(), "{:?}", app.status_message());
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("s3cret-pw"), "{screen}");
    let store = smsdesk::store::Store::open(&path).unwrap();
    let s = smsdesk::store::settings::Settings::load(store.conn()).unwrap();
    match s.provider {
        smsdesk::gateway::ProviderConfig::Kannel(smsdesk::gateway::KannelConfig {
            username,
            password,
            ..
        }) => {
            assert_eq!(username, "desk");
            assert_eq!(password, "s3cret-pw");
        }
        _ => panic!("provider not switched"),
    }
}

#[test]
fn an_operator_gets_the_batch_right_and_the_last_administrator_is_protected() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let path = f.dir.path().join("demo.db");
        let mut app = app(f.store, lang);
        press(&mut app, "5");
        // The last row: karim.benali, without the batch right.
        app.handle_key(code(KeyCode::End));
        app.handle_key(code(KeyCode::Enter));
        for _ in 0..2 {
            app.handle_key(code(KeyCode::Tab));
        }
        app.handle_key(key(' ')); // batch
        snap(&mut app, "user_rights", lang);
        app.handle_key(ctrl('s'));
        assert!(!app.is_editing(), "{:?}", app.status_message());
        // The only administrator cannot drop the right.
        app.handle_key(code(KeyCode::Home));
        app.handle_key(code(KeyCode::Enter));
        for _ in 0..4 {
            app.handle_key(code(KeyCode::Tab));
        }
        app.handle_key(key(' ')); // admin off
        app.handle_key(ctrl('s'));
        assert!(app.is_editing(), "refused: the form stays open");
        let screen = snap(&mut app, "user_last_admin", lang);
        // The core's refusal, in the interface's language.
        let refusal = match lang {
            Lang::Fr => "admin est le dernier administrateur",
            Lang::En => "admin is the last administrator",
        };
        assert!(screen.contains(refusal), "{screen}");
        let store = smsdesk::store::Store::open(&path).unwrap();
        let karim = smsdesk::store::operators::find(store.db(), "karim.benali")
            .unwrap()
            .unwrap();
        assert!(karim.rights.batch);
        let admin = smsdesk::store::operators::find(store.db(), "admin")
            .unwrap()
            .unwrap();
        assert!(admin.rights.admin);
    }
}

#[test]
fn an_administrator_adds_a_credit_pack_from_the_dashboard() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let path = f.dir.path().join("demo.db");
        let mut app = app(f.store, lang);
        press(&mut app, "1n");
        assert!(app.is_editing());
        typing(&mut app, "abc");
        app.handle_key(ctrl('s'));
        assert!(app.is_editing(), "refused: not a number");
        app.handle_key(ctrl('u'));
        typing(&mut app, "2000");
        app.handle_key(code(KeyCode::Tab));
        typing(&mut app, "Pack avril");
        // The price per SMS, past the day bought: a point reads as a comma does.
        app.handle_key(code(KeyCode::Tab));
        app.handle_key(code(KeyCode::Tab));
        typing(&mut app, "0.07");
        snap(&mut app, "dashboard_pack", lang);
        app.handle_key(ctrl('s'));
        assert!(!app.is_editing(), "{:?}", app.status_message());
        let store = smsdesk::store::Store::open(&path).unwrap();
        let packs: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM credit_packs WHERE units = 2000 AND label = 'Pack avril'
                   AND unit_price_micros = 70000 AND currency = 'EUR'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(packs, 1);
    }
}

/// The pack form reads numbers and dates as every other field does: `1 000` (spaces, thin or
/// non-breaking), `25/03/2026`, `25/03/26`, `2026-03-25`, `25/03` (this year).
#[test]
fn a_pack_reads_numbers_and_dates_in_every_form() {
    for (units, date, want_units, want_day) in [
        ("1 000", "25/03/2026", 1000, "2026-03-25"),
        ("15\u{202f}000", "25/03/26", 15_000, "2026-03-25"),
        ("2\u{a0}500", "2026-03-01", 2500, "2026-03-01"),
        ("300", "02/03", 300, "2026-03-02"),
        ("7", "25.03.2026", 7, "2026-03-25"),
    ] {
        let f = demo_store();
        let path = f.dir.path().join("demo.db");
        let mut app = app(f.store, Lang::Fr);
        press(&mut app, "1n");
        typing(&mut app, units);
        app.handle_key(code(KeyCode::Tab));
        typing(&mut app, "Pack");
        app.handle_key(code(KeyCode::Tab));
        app.handle_key(ctrl('u'));
        typing(&mut app, date);
        app.handle_key(ctrl('s'));
        assert!(
            !app.is_editing(),
            "{units:?} {date:?}: {:?}",
            app.status_message()
        );
        let store = smsdesk::store::Store::open(&path).unwrap();
        let found: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM credit_packs WHERE units = ?1 AND bought_on = ?2 AND label = 'Pack'",
                rusqlite::params![want_units, want_day],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1, "{units:?} {date:?}");
    }
}

/// The pack's date field shows today as every screen writes a day, and a bad date names that
/// form.
#[test]
fn the_pack_date_is_offered_and_explained_as_dd_mm_yyyy() {
    for (lang, help, error) in [
        (Lang::Fr, "JJ/MM/AAAA", "la date s'écrit JJ/MM/AAAA"),
        (
            Lang::En,
            "DD/MM/YYYY",
            "the date must be written DD/MM/YYYY",
        ),
    ] {
        let mut app = app(demo_store().store, lang);
        press(&mut app, "1n");
        typing(&mut app, "10");
        app.handle_key(code(KeyCode::Tab));
        app.handle_key(code(KeyCode::Tab));
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains("30/03/2026"), "{screen}");
        assert!(screen.contains(help), "{screen}");
        assert!(!screen.contains("2026-03-30"), "{screen}");
        app.handle_key(ctrl('u'));
        typing(&mut app, "hier");
        app.handle_key(ctrl('s'));
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains(error), "{screen}");
    }
}

#[test]
fn an_unknown_message_is_closed_from_the_dashboard() {
    let f = demo_store();
    let path = f.dir.path().join("demo.db");
    let count = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM messages WHERE status = 'unknown'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = count(f.store.conn());
    assert!(before > 0, "the demo has messages to check");
    let mut app = app(f.store, Lang::En);
    press(&mut app, "1");
    app.handle_key(code(KeyCode::Enter));
    app.handle_key(code(KeyCode::Tab));
    app.handle_key(code(KeyCode::Right)); // close as delivered
    snap(&mut app, "dashboard_unknown", Lang::En);
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{:?}", app.status_message());
    let store = smsdesk::store::Store::open(&path).unwrap();
    assert_eq!(count(store.conn()), before - 1);
}

#[test]
fn an_automation_is_created_and_its_dry_run_lists_reminders_without_sending() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let path = f.dir.path().join("demo.db");
        let queued = |conn: &rusqlite::Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
                .unwrap()
        };
        let before = queued(f.store.conn());
        let mut app = app(f.store, lang);
        press(&mut app, "4n");
        typing(&mut app, "Rappel J-2");
        for _ in 0..4 {
            app.handle_key(code(KeyCode::Tab));
        }
        app.handle_key(ctrl('u'));
        typing(&mut app, "-2");
        snap(&mut app, "automation_editor", lang);
        app.handle_key(ctrl('s'));
        // The rule acts on the agenda already there: asked first, with how many reminders.
        assert!(app.is_editing(), "the confirmation waits for an answer");
        let question = snap(&mut app, "automation_save_question", lang);
        app.handle_key(code(KeyCode::Enter));
        assert!(!app.is_editing(), "{:?}", app.status_message());
        let status = app.status_message().unwrap_or_default().to_string();
        let store = smsdesk::store::Store::open(&path).unwrap();
        let rules = smsdesk::store::automations::list(store.db()).unwrap();
        let rule = rules
            .iter()
            .find(|r| r.name == "Rappel J-2")
            .expect("saved");
        assert_eq!(rule.offset_days, -2);
        assert!(rule.collaborators.is_empty() && rule.event_types.is_empty());
        let created: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM messages WHERE automation_id = ?1",
                [rule.id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(created > 0, "the demo has interviews without a reminder");
        assert_eq!(queued(store.conn()), before + created);
        let announced = match lang {
            Lang::Fr => format!("{created} rappels seront créés"),
            Lang::En => format!("{created} reminders will be created"),
        };
        assert!(
            question
                .replace('\n', " ")
                .replace('│', "")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains(&announced),
            "{question}"
        );
        assert!(status.contains(&created.to_string()), "{status}");
        press(&mut app, "r");
        assert!(app.has_popup(), "the dry run shows in a popup");
        snap(&mut app, "automation_dry_run", lang);
        assert_eq!(
            queued(store.conn()),
            before + created,
            "the dry run sends nothing"
        );
    }
}

/// Every dialog of the template editor, in both languages: the editor, the field picker, the
/// preview with sample data, and the delete confirmation.
#[test]
fn template_dialogs_in_both_languages() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        press(&mut app, "3n");
        typing(&mut app, "Essai");
        for _ in 0..6 {
            app.handle_key(code(KeyCode::Tab));
        }
        typing(&mut app, "Bonjour ");
        snap(&mut app, "dlg_template_editor", lang);
        app.handle_key(ctrl('f'));
        let picker = snap(&mut app, "dlg_field_picker", lang);
        assert!(
            picker.contains("Camille"),
            "sample values are shown:\n{picker}"
        );
        app.handle_key(code(KeyCode::Enter));
        typing(&mut app, ", RDV le {{event.date}}");
        app.handle_key(ctrl('p'));
        let preview = snap(&mut app, "dlg_preview", lang);
        assert!(
            preview.contains("14"),
            "rendered with the sample date:\n{preview}"
        );
        app.handle_key(code(KeyCode::Esc));
        app.handle_key(code(KeyCode::Esc));
        // Discarding asks first; answer no, then leave with yes.
        if app.is_editing() {
            app.handle_key(code(KeyCode::Esc));
        }
        let mut app = {
            let f = demo_store();
            self::app(f.store, lang)
        };
        press(&mut app, "3");
        app.handle_key(code(KeyCode::End));
        press(&mut app, "d");
        snap(&mut app, "dlg_template_delete", lang);
    }
}

/// A counsellor without the administrator right sees the lists, not the editing actions.
#[test]
fn a_non_administrator_sees_no_editing_action() {
    for lang in [Lang::Fr, Lang::En] {
        let mut f = demo_store();
        let actor = smsdesk::core::Actor::identify(&mut f.store, "claire.martin", now()).unwrap();
        assert!(!actor.rights.admin);
        let mut app = App::new(
            f.store,
            actor,
            lang,
            smsdesk::keymap::Keymap::defaults(),
            smsdesk::clock::Clock::fixed(now()),
        );
        app.set_location("demo.db".into());
        for tab in ["3", "4", "5"] {
            press(&mut app, tab);
            let screen = render(&mut app, 80, 24);
            let footer = screen.lines().last().unwrap_or_default().to_string();
            assert!(
                !footer.contains("n new") && !footer.contains("n nouveau"),
                "{footer}"
            );
        }
        // The administration tabs are not open to them (tabs by rights): the keys do nothing.
        press(&mut app, "3");
        assert_eq!(app.tab(), smsdesk::tui::Tab::Dashboard);
        snap(&mut app, "non_admin_no_admin_tabs", lang);
        press(&mut app, "n");
        assert!(!app.is_editing(), "the core refuses; no editor opens");
    }
}

/// The remaining dialogs, in both languages: settling an "unknown — check" message, deleting
/// an automation, adding an operator, the settings form as it opens.
#[test]
fn other_admin_dialogs_in_both_languages() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        press(&mut app, "1");
        app.handle_key(code(KeyCode::Enter));
        assert!(app.is_editing(), "the unknown-message form opens");
        snap(&mut app, "dlg_unknown", lang);
        app.handle_key(code(KeyCode::Esc));
        if app.is_editing() {
            press(&mut app, "y");
        }
        press(&mut app, "4d");
        snap(&mut app, "dlg_automation_delete", lang);
        app.handle_key(code(KeyCode::Esc));
        press(&mut app, "5n");
        assert!(app.is_editing(), "the new-operator form opens");
        snap(&mut app, "dlg_user_new", lang);
        app.handle_key(code(KeyCode::Esc));
        if app.is_editing() {
            press(&mut app, "y");
        }
        press(&mut app, "2");
        app.handle_key(code(KeyCode::Enter));
        snap(&mut app, "dlg_settings_form", lang);
    }
}

/// Issue 10 point 3: a rule's reminder is the event's reminder — shown in the Agenda, opened in
/// the reminder window naming the rule, and setting it there edits that message.
#[test]
fn a_rules_reminder_shows_on_its_event_and_is_edited_in_the_reminder_window() {
    use chrono::TimeZone;
    use smsdesk::core::automations::{AutomationRule, create_automation};
    use smsdesk::core::events::EventKind;
    let mut f = empty_store();
    let path = f.path();
    let actor = smsdesk::core::Actor::identify(&mut f.store, "admin", now()).unwrap();
    // Friday 3 April 14:00; the rule comes after the event and gives it its D-2 reminder.
    let event = elodie_rappel_interview(&mut f.store, &actor);
    create_automation(
        &mut f.store,
        &actor,
        &AutomationRule {
            name: "Rappel auto".into(),
            event_kind: EventKind::Interview,
            collaborators: vec![],
            event_types: vec![],
            offset_days: -2,
            template_id: 1,
            active: true,
            condition: Default::default(),
        },
        now(),
    )
    .unwrap();
    let messages = |store: &smsdesk::store::Store| -> Vec<(i64, Option<i64>, i64)> {
        let mut stmt = store
            .conn()
            .prepare("SELECT id, automation_id, planned_at FROM messages WHERE event_id = ?1")
            .unwrap();
        stmt.query_map([event], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = messages(&f.store);
    assert_eq!(before.len(), 1);
    let mut app = app(f.store, Lang::En);
    press(&mut app, "a");
    let agenda = render(&mut app, 80, 24);
    let row = agenda
        .lines()
        .find(|l| l.contains("Martin"))
        .expect("the event is listed");
    assert!(
        row.contains("✓ D-2"),
        "the rule's reminder shows:\n{agenda}"
    );
    press(&mut app, "t");
    let window = render(&mut app, 80, 24);
    assert!(
        window.contains("Rappel auto") && window.contains("D-2"),
        "the window opens on the rule's reminder:\n{window}"
    );
    // D-2 → D-1, saved: the same message moves, no second one.
    app.handle_key(code(KeyCode::Tab));
    app.handle_key(code(KeyCode::Left));
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{:?}", app.status_message());
    let store = smsdesk::store::Store::open(&path).unwrap();
    let after = messages(&store);
    assert_eq!(after.len(), 1, "one reminder for the event");
    assert_eq!(after[0].0, before[0].0, "the same message, edited");
    // Thursday 2 April 14:00 in Paris (summer time).
    assert_eq!(
        after[0].2,
        chrono::Utc
            .with_ymd_and_hms(2026, 4, 2, 12, 0, 0)
            .unwrap()
            .timestamp()
    );
}

/// Switching a rule off in its editor asks, like the on / off key, whether to cancel its
/// reminders not sent yet, with their count; `y` cancels them.
#[test]
fn a_rule_switched_off_in_its_editor_cancels_its_pending_reminders_on_request() {
    let f = demo_store();
    let path = f.dir.path().join("demo.db");
    let first = smsdesk::store::automations::list(f.store.db()).unwrap()[0].clone();
    assert!(first.active);
    let pending = |store: &smsdesk::store::Store| -> i64 {
        store
            .conn()
            .query_row(
                "SELECT count(*) FROM messages WHERE automation_id = ?1 AND status = 'pending'",
                [first.id],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = pending(&f.store);
    assert!(before > 0, "the demo rule has reminders to leave");
    let mut app = app(f.store, Lang::En);
    press(&mut app, "4");
    app.handle_key(code(KeyCode::Enter));
    // Name, kind, counsellors, types, delay, template, condition: then "active".
    for _ in 0..7 {
        app.handle_key(code(KeyCode::Tab));
    }
    app.handle_key(key(' '));
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    let flat = screen
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains(&format!("cancel its {before} reminders not sent yet")),
        "{screen}"
    );
    press(&mut app, "y");
    assert!(!app.is_editing(), "{:?}", app.status_message());
    let store = smsdesk::store::Store::open(&path).unwrap();
    assert_eq!(pending(&store), 0);
    assert!(
        !smsdesk::store::automations::get(store.db(), first.id)
            .unwrap()
            .active
    );
}

/// A key as `ssh-keygen` writes it in a `.pub` file (with its newline), and its fingerprint as
/// `ssh-keygen -lf` prints it.
const CLAIRE_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3UjOYGvB+lgNxynKpqH7WylSPrAT9xOCSvVCfAp5rA claire@laptop\n";
const CLAIRE_FP: &str = "SHA256:Cmx/dD6un//JpyaZaUJaP55K/Sto1+mUuqLkCMia31Y";

fn keys_of(path: &std::path::Path, login: &str) -> Vec<smsdesk::store::operator_keys::StoredKey> {
    let store = smsdesk::store::Store::open(path).unwrap();
    smsdesk::store::operator_keys::of(store.db(), login).unwrap()
}

/// Issue 11: an administrator opens an operator's SSH keys from the Users tab, adds one by
/// pasting its `.pub` line, sees a bad key refused with the core's reason, and removes the key
/// after a confirmation naming it and its operator; the store follows each step.
#[test]
fn an_administrator_adds_and_removes_an_operators_ssh_key_from_the_users_tab() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let path = f.dir.path().join("demo.db");
        let mut app = app(f.store, lang);
        press(&mut app, "5");
        app.handle_key(code(KeyCode::Down)); // claire.martin
        let footer = render(&mut app, 80, 24).lines().last().unwrap().to_string();
        let keys_hint = match lang {
            Lang::Fr => "K clés SSH",
            Lang::En => "K SSH keys",
        };
        assert!(footer.contains(keys_hint), "{footer}");
        press(&mut app, "K");
        assert!(app.is_editing(), "the keys window has the keyboard");
        snap(&mut app, "user_keys_empty", lang);

        // Options smuggled in front of the key: refused with the reason, the text kept.
        press(&mut app, "a");
        app.handle_paste(&format!("command=\"/bin/sh\",no-pty {CLAIRE_KEY}"));
        app.handle_key(code(KeyCode::Enter));
        let screen = snap(&mut app, "user_key_refused", lang);
        let reason = match lang {
            Lang::Fr => "commence par des options",
            Lang::En => "starts with options",
        };
        assert!(screen.contains(reason), "{screen}");
        assert!(keys_of(&path, "claire.martin").is_empty());

        // Two keys in one paste (line ends as a terminal sends them): one key per line.
        app.handle_key(ctrl('u'));
        app.handle_paste(&format!("{}\r{CLAIRE_KEY}", CLAIRE_KEY.trim_end()));
        app.handle_key(code(KeyCode::Enter));
        let screen = render(&mut app, 80, 24);
        let reason = match lang {
            Lang::Fr => "une clé par ligne : le texte compte 2 lignes",
            Lang::En => "one key per line: the text holds 2 lines",
        };
        assert!(screen.contains(reason), "{screen}");

        // Bad base64, then the right line pasted (bracketed paste, newline included).
        app.handle_key(ctrl('u'));
        typing(&mut app, "ssh-ed25519 AAAA!!!!");
        app.handle_key(code(KeyCode::Enter));
        let screen = render(&mut app, 80, 24);
        let reason = match lang {
            Lang::Fr => "pas du base64 valide",
            Lang::En => "not valid base64",
        };
        assert!(screen.contains(reason), "{screen}");
        app.handle_key(ctrl('u'));
        app.handle_paste(CLAIRE_KEY);
        app.handle_key(code(KeyCode::Enter));
        let screen = snap(&mut app, "user_keys_list", lang);
        assert!(
            screen.contains(CLAIRE_FP),
            "the fingerprint in full:\n{screen}"
        );
        assert!(screen.contains("claire@laptop"), "{screen}");
        let stored = keys_of(&path, "claire.martin");
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].fingerprint, CLAIRE_FP);
        assert_eq!(stored[0].added_by, "admin");

        // The same key again: one key identifies one operator.
        press(&mut app, "a");
        app.handle_paste(CLAIRE_KEY);
        app.handle_key(code(KeyCode::Enter));
        let screen = render(&mut app, 80, 24);
        let reason = match lang {
            Lang::Fr => "a déjà la clé",
            Lang::En => "already has the key",
        };
        assert!(screen.contains(reason), "{screen}");
        app.handle_key(ctrl('u'));
        app.handle_key(code(KeyCode::Esc)); // nothing typed: leaves the line without asking

        // Removal: asked first, naming the key and the operator; "no" keeps it.
        press(&mut app, "d");
        let screen = snap(&mut app, "user_key_remove", lang);
        assert!(screen.contains("SHA256:Cmx/dD6un"), "{screen}");
        assert!(screen.contains("claire.martin"), "{screen}");
        press(&mut app, "n");
        assert_eq!(keys_of(&path, "claire.martin").len(), 1, "n keeps the key");
        press(&mut app, "d");
        press(&mut app, "y");
        assert!(keys_of(&path, "claire.martin").is_empty(), "removed");
        let status = app.status_message().unwrap_or_default().to_string();
        assert!(status.contains(CLAIRE_FP), "{status}");
        let audited: i64 = smsdesk::store::Store::open(&path)
            .unwrap()
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE actor = 'admin' AND action IN ('user.key.add', 'user.key.remove')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, 2);
        app.handle_key(code(KeyCode::Esc));
        assert!(!app.is_editing(), "Esc closes the keys window");
    }
}

/// The keys column counts each operator's keys; a comment's control characters are neutralised.
#[test]
fn the_users_table_counts_keys_and_a_keys_comment_is_shown_neutralised() {
    let mut f = demo_store();
    let actor = smsdesk::core::Actor::identify(&mut f.store, "admin", now()).unwrap();
    // A bidi override is not a control character for the key parser: the screen neutralises it.
    let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g \u{202E}evil";
    smsdesk::core::keys::add_key(&mut f.store, &actor, "julie.roux", line, now()).unwrap();
    smsdesk::core::keys::add_key(&mut f.store, &actor, "julie.roux", CLAIRE_KEY, now()).unwrap();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "5");
    let screen = render(&mut app, 80, 24);
    let julie = screen
        .lines()
        .find(|l| l.starts_with("julie.roux"))
        .unwrap();
    assert!(julie.contains(" 2 "), "two keys: {julie}");
    for l in screen.lines().filter(|l| l.starts_with("claire.martin")) {
        assert!(l.contains(" 0 "), "no key: {l}");
    }
    app.handle_key(code(KeyCode::Down));
    app.handle_key(code(KeyCode::Down)); // julie.roux
    press(&mut app, "K");
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains('\u{202E}'), "{screen}");
    assert!(screen.contains("\u{FFFD}evil"), "{screen}");
    assert!(
        screen.contains("SHA256:mKqU+0K8OhKmA8bBQi9Rz0Q5l7/g160hIP+rJYSTNj4"),
        "{screen}"
    );
    assert!(screen.contains("30/03/2026 10:00"), "added when: {screen}");
    // A key someone else has is refused for another operator: one key, one person.
    app.handle_key(code(KeyCode::Esc));
    app.handle_key(code(KeyCode::Up)); // claire.martin
    press(&mut app, "K");
    app.handle_paste(CLAIRE_KEY);
    app.handle_key(code(KeyCode::Enter));
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("julie.roux's: one key identifies one operator"),
        "{screen}"
    );
}

/// Esc with a key typed and not added asks before dropping it, like the template editor.
#[test]
fn a_typed_key_is_not_dropped_without_asking() {
    let f = demo_store();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "5K");
    press(&mut app, "a");
    typing(&mut app, "ssh-ed25519 AAAA");
    assert!(app.has_unsaved(), "quitting would ask too");
    app.handle_key(code(KeyCode::Esc));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Drop the key typed"), "{screen}");
    press(&mut app, "n");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("ssh-ed25519 AAAA"), "kept: {screen}");
    app.handle_key(code(KeyCode::Esc));
    press(&mut app, "y");
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("ssh-ed25519 AAAA"), "dropped: {screen}");
    assert!(app.is_editing(), "the keys window stays open");
    app.handle_key(code(KeyCode::Esc));
    assert!(!app.is_editing());
    // Out of the window, `a` is the agenda again.
    press(&mut app, "a");
    assert_eq!(app.tab(), smsdesk::tui::Tab::Agenda);
}

/// The rights form sets an operator's language; the table shows it and the store keeps it.
/// An administrator changing their own language sees the screen switch at once.
#[test]
fn an_administrator_sets_an_operators_language_in_the_rights_form() {
    let f = demo_store();
    let path = f.dir.path().join("demo.db");
    let mut app = app(f.store, Lang::Fr);
    press(&mut app, "5");
    app.handle_key(code(KeyCode::End)); // karim.benali
    app.handle_key(code(KeyCode::Enter));
    app.handle_key(code(KeyCode::Up)); // the last field: the language
    app.handle_key(code(KeyCode::Left)); // auto → en
    snap(&mut app, "user_language", Lang::Fr);
    app.handle_key(ctrl('s'));
    assert!(!app.is_editing(), "{:?}", app.status_message());
    let screen = render(&mut app, 80, 24);
    let karim = screen
        .lines()
        .find(|l| l.starts_with("karim.benali"))
        .unwrap();
    // The language is named in the screen's language.
    assert!(karim.trim_end().ends_with("anglais"), "{karim}");
    let language = |login: &str| {
        let store = smsdesk::store::Store::open(&path).unwrap();
        smsdesk::store::operators::find(store.db(), login)
            .unwrap()
            .unwrap()
            .language
    };
    assert_eq!(language("karim.benali").as_deref(), Some("en"));
    assert_eq!(
        app.lang(),
        Lang::Fr,
        "another operator's language: no switch"
    );

    // Their own row: the screen speaks English at once.
    app.handle_key(code(KeyCode::Home));
    app.handle_key(code(KeyCode::Enter));
    app.handle_key(code(KeyCode::Up));
    app.handle_key(code(KeyCode::Left));
    app.handle_key(ctrl('s'));
    assert_eq!(app.lang(), Lang::En);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Users"), "{screen}");
    assert!(
        app.status_message().unwrap_or_default().contains("English"),
        "{:?}",
        app.status_message()
    );
    assert_eq!(language("admin").as_deref(), Some("en"));
}

/// Any operator, administrator or not, sets their own language with `L` from any tab.
#[test]
fn an_operator_without_the_users_tab_changes_their_own_language() {
    let mut f = demo_store();
    let path = f.dir.path().join("demo.db");
    let actor = smsdesk::core::Actor::identify(&mut f.store, "claire.martin", now()).unwrap();
    assert!(!actor.rights.admin);
    let mut app = App::new(
        f.store,
        actor,
        Lang::Fr,
        smsdesk::keymap::Keymap::defaults(),
        smsdesk::clock::Clock::fixed(now()),
    );
    app.set_location("demo.db".into());
    press(&mut app, "5");
    assert_eq!(
        app.tab(),
        smsdesk::tui::Tab::Dashboard,
        "no Users tab for them"
    );
    let footer = render(&mut app, 80, 24).lines().last().unwrap().to_string();
    assert!(
        footer.contains("L ma langue"),
        "the dashboard says where: {footer}"
    );
    press(&mut app, "L");
    let screen = snap(&mut app, "own_language", Lang::Fr);
    assert!(screen.contains("Ma langue"), "{screen}");
    app.handle_key(code(KeyCode::Left)); // auto → en
    app.handle_key(code(KeyCode::Enter));
    assert!(!app.has_popup());
    assert_eq!(app.lang(), Lang::En, "the screen switches at once");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Dashboard"), "{screen}");
    let store = smsdesk::store::Store::open(&path).unwrap();
    let claire = smsdesk::store::operators::find(store.db(), "claire.martin")
        .unwrap()
        .unwrap();
    assert_eq!(claire.language.as_deref(), Some("en"));
    // Back to auto: the store forgets the choice.
    press(&mut app, "L");
    app.handle_key(code(KeyCode::Left)); // en → fr
    app.handle_key(code(KeyCode::Left)); // fr → auto
    app.handle_key(code(KeyCode::Enter));
    let claire = smsdesk::store::operators::find(store.db(), "claire.martin")
        .unwrap()
        .unwrap();
    assert_eq!(claire.language, None);
    assert!(
        app.status_message().unwrap_or_default().contains("auto"),
        "{:?}",
        app.status_message()
    );
}

/// `?` lists the keys of the screen it is pressed on, then the global ones: the Users tab
/// names its SSH keys, the keys window (F1: letters are its own keys there) how to add one,
/// and every list the language key.
#[test]
fn help_lists_the_keys_and_language_bindings() {
    for (lang, keys, add, language) in [
        (Lang::En, "SSH keys", "add a key", "my language"),
        (Lang::Fr, "clés SSH", "ajouter une clé", "ma langue"),
    ] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        press(&mut app, "5?");
        let screen = render(&mut app, 80, 120);
        for w in [keys, language] {
            assert!(screen.contains(w), "{w}:\n{screen}");
        }
        app.handle_key(code(KeyCode::Esc));
        press(&mut app, "K");
        app.handle_key(code(KeyCode::F(1)));
        let screen = render(&mut app, 80, 120);
        assert!(screen.contains(add), "{add}:\n{screen}");
    }
}

/// Changing an active rule's delay in its editor: before saving, the confirmation says how
/// many of its reminders not sent yet move, are rewritten or cancelled, and how many are
/// created; saving does exactly that, moves them to the day before their event at its local
/// time, and leaves the rule's sent messages as they were.
#[test]
fn changing_a_rules_delay_in_its_editor_says_what_moves_then_moves_it() {
    use chrono::{Datelike, NaiveDateTime, TimeZone, Weekday};
    type Row = (i64, String, i64, String, Option<i64>, String);
    // Every message of the rule, and every message it holds now: (id, status, planned_at,
    // text, event, event start local).
    let messages = |store: &smsdesk::store::Store, rule: i64| -> Vec<Row> {
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT m.id, m.status, m.planned_at, m.text, m.event_id, e.starts_local FROM messages m
                 JOIN events e ON e.id = m.event_id WHERE m.automation_id = ?1 ORDER BY m.id",
            )
            .unwrap();
        stmt.query_map([rule], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let path = f.dir.path().join("demo.db");
        let rule = smsdesk::store::automations::list(f.store.db()).unwrap()[0].clone();
        assert_eq!(
            (rule.event_kind.as_str(), rule.offset_days),
            ("interview", -2)
        );
        let before = messages(&f.store, rule.id);
        let mut app = app(f.store, lang);
        press(&mut app, "4");
        app.handle_key(code(KeyCode::Enter));
        for _ in 0..4 {
            app.handle_key(code(KeyCode::Tab));
        }
        app.handle_key(ctrl('u'));
        typing(&mut app, "-1");
        app.handle_key(ctrl('s'));
        assert!(app.is_editing(), "the confirmation waits for an answer");
        let question = snap(&mut app, "automation_change_question", lang);
        app.handle_key(code(KeyCode::Enter));
        assert!(!app.is_editing(), "{:?}", app.status_message());
        let status = app.status_message().unwrap_or_default().to_string();
        let store = smsdesk::store::Store::open(&path).unwrap();
        let after = messages(&store, rule.id);
        // What happened, message by message.
        let (mut moved, mut rewritten, mut cancelled, mut checked) = (0, 0, 0, 0);
        for b in &before {
            let a = after.iter().find(|a| a.0 == b.0).expect("still the rule's");
            if b.1 != "pending" {
                assert_eq!(a, b, "a message already sent does not change");
                continue;
            }
            match a.1.as_str() {
                "cancelled" => cancelled += 1,
                "pending" if a.2 != b.2 => {
                    moved += 1;
                    // D-1 at the event's local time, when that is a sending day and the time
                    // is inside the window (09:00-19:00, Monday to Saturday).
                    let start = NaiveDateTime::parse_from_str(&a.5, "%Y-%m-%d %H:%M:%S").unwrap();
                    let in_window = (9..19).contains(&chrono::Timelike::hour(&start));
                    if in_window && start.weekday() != Weekday::Mon {
                        let planned = chrono::Utc
                            .timestamp_opt(a.2, 0)
                            .unwrap()
                            .with_timezone(&chrono_tz::Europe::Paris)
                            .naive_local();
                        assert_eq!(
                            planned,
                            start - chrono::Duration::days(1),
                            "event {:?}",
                            a.4
                        );
                        checked += 1;
                    }
                }
                "pending" if a.3 != b.3 => rewritten += 1,
                _ => {}
            }
        }
        let created = after
            .iter()
            .filter(|a| !before.iter().any(|b| b.0 == a.0))
            .count();
        assert!(
            moved > 0 && checked > 0,
            "the demo rule has reminders to move"
        );
        let announced = match lang {
            Lang::Fr => format!(
                "{moved} rappels seront déplacés, {rewritten} réécrits, {cancelled} annulés, {created} créés"
            ),
            Lang::En => format!(
                "{moved} reminders will be moved, {rewritten} rewritten, {cancelled} cancelled, {created} created"
            ),
        };
        let flat = question
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains(&announced), "{announced}\n{question}");
        let done = match lang {
            Lang::Fr => format!("{moved} déplacé(s)"),
            Lang::En => format!("{moved} moved"),
        };
        assert!(status.contains(&done), "{status}");
        // One reminder per event still.
        let doubled: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM (SELECT event_id FROM messages WHERE status = 'pending'
                    AND kind = 'reminder' GROUP BY event_id HAVING count(*) > 1)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(doubled, 0);
    }
}

/// Switching off a template that automation rules use stops them planning reminders: `t` asks
/// first, naming how many rules use it; Enter keeps it on, `y` switches it off. One no rule
/// uses switches at once, as before.
#[test]
fn switching_off_a_template_rules_use_asks_first_in_both_languages() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let path = f.dir.path().join("demo.db");
        let rows = templates::list(f.store.db()).unwrap();
        let (at, used) = rows
            .iter()
            .enumerate()
            .find(|(_, t)| t.active && t.automations > 0)
            .map(|(i, t)| (i, t.clone()))
            .expect("the demo has a template a rule uses");
        let mut app = app(f.store, lang);
        press(&mut app, "3");
        for _ in 0..at {
            app.handle_key(code(KeyCode::Down));
        }
        press(&mut app, "t");
        let screen = snap(&mut app, "dlg_template_switch_off", lang);
        assert!(
            screen.contains(&used.automations.to_string()),
            "the question says how many rules use it:\n{screen}"
        );
        let active = |path: &std::path::Path| {
            let store = smsdesk::store::Store::open(path).unwrap();
            templates::list(store.db())
                .unwrap()
                .into_iter()
                .find(|t| t.id == used.id)
                .unwrap()
                .active
        };
        app.handle_key(code(KeyCode::Enter));
        assert!(
            !app.is_editing(),
            "Enter answers no and closes the question"
        );
        assert!(active(&path), "Enter keeps the template on");
        press(&mut app, "t");
        assert!(app.is_editing(), "asked again");
        press(&mut app, "y");
        assert!(!active(&path), "y switches it off");
        // Back on: nothing stops because of that, so no question.
        press(&mut app, "t");
        assert!(!app.is_editing());
        assert!(active(&path));
    }
}
