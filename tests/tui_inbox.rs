//! The Inbox (issue 14): a conversation opens at its latest message; `r` answers the number
//! that wrote in the composer, under the individual rights and the templates-only rule; `m`
//! picks the outcome among the template's keywords (free text for an administrator only); a
//! number nobody has is "unknown number", and the new-contact key (`N`, in the list or the
//! conversation) creates its contact from the contact form, the number filled in. Sent marks the messages that got a reply and its
//! detail says when the reply came.
//!
//! The journeys run the real binary in tmux at 80×24 and check the result through the command
//! line's `--json`; they are skipped with a message when tmux is missing, unless `CI=true`.

mod support;
mod tui_fixture;

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::core::Actor;
use smsdesk::gateway::InboundSms;
use smsdesk::i18n::Lang;
use smsdesk::store::Store;
use smsdesk::store::operators::Rights;
use std::path::Path;
use support::smsdesk::cli;
use support::tmux::Tmux;
use tui_fixture::*;

const NUMBER: &str = "+33612345678";

fn reply(store: &mut Store, text: &str, at: DateTime<Utc>) {
    let inbound = InboundSms {
        from_e164: NUMBER.into(),
        to: String::new(),
        text: text.into(),
        received_at: at,
        provider_id: format!("t-{}", at.timestamp()),
    };
    smsdesk::core::replies::record_inbound(
        store,
        smsdesk::gateway::ProviderKind::Simulator,
        &inbound,
        at,
    )
    .unwrap();
}

fn user(store: &mut Store, login: &str, rights: &str) {
    let admin = Actor::identify(store, "admin", now()).unwrap();
    smsdesk::core::admin::add_user(store, &admin, login, Rights::parse(rights).unwrap(), now())
        .unwrap();
}

/// An App on `store` as `login`.
fn app_as(mut store: Store, login: &str, lang: Lang) -> smsdesk::tui::App {
    let actor = Actor::identify(&mut store, login, now()).unwrap();
    let clock = smsdesk::clock::Clock::fixed(now());
    smsdesk::tui::App::new(
        store,
        actor,
        lang,
        smsdesk::keymap::Keymap::defaults(),
        clock,
    )
}

#[test]
fn a_conversation_opens_at_its_latest_message_and_an_unknown_number_says_so() {
    for (lang, unknown, delivered, kept) in [
        (Lang::En, "unknown number", "delivered", "kept"),
        (Lang::Fr, "numéro inconnu", "délivré", "conservée"),
    ] {
        let mut f = empty_store();
        for i in 0..30 {
            add_message(
                &f.store,
                &Msg::instant(
                    NUMBER,
                    "",
                    &format!("message number {i:02}"),
                    now() - Duration::hours(40 - i),
                    DELIVERED,
                ),
            );
        }
        reply(
            &mut f.store,
            "C'est noté, merci",
            now() - Duration::minutes(5),
        );
        let mut app = app(f.store, lang);
        press(&mut app, "i");
        let list = render(&mut app, 80, 24);
        assert!(list.contains(unknown), "{list}");
        app.handle_key(code(KeyCode::Enter));
        let screen = render(&mut app, 80, 24);
        assert!(
            screen.contains(&format!("{unknown} · 06 12 34 56 78")),
            "{screen}"
        );
        // The latest message is on screen, the oldest ones are above it.
        assert!(screen.contains("C'est noté, merci"), "{screen}");
        assert!(screen.contains("message number 29"), "{screen}");
        assert!(!screen.contains("message number 00"), "{screen}");
        // Each SMS says, in the interface language, what became of it.
        let said = |line: &str| screen.lines().any(|l| l.contains(line));
        assert!(said(&format!("← 30/03 09:55  {kept}")), "{screen}");
        assert!(said(&format!("→ 29/03 23:01  {delivered}")), "{screen}");
        // Home goes back to the start of the conversation.
        app.handle_key(code(KeyCode::Home));
        let top = render(&mut app, 80, 24);
        assert!(top.contains("message number 00"), "{top}");
    }
}

/// The footer's last line.
fn footer(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

#[test]
fn the_new_contact_key_creates_an_unknown_number_s_contact_from_the_list_or_its_conversation() {
    for (lang, unknown, create, new_contact, title) in [
        (
            Lang::En,
            "unknown number",
            "create its contact",
            "new contact",
            "New contact",
        ),
        (
            Lang::Fr,
            "numéro inconnu",
            "créer son contact",
            "nouveau contact",
            "Nouveau contact",
        ),
    ] {
        let mut f = empty_store();
        reply(&mut f.store, "Bonjour", now() - Duration::minutes(5));
        let mut app = app(f.store, lang);
        press(&mut app, "i");
        let list = render(&mut app, 120, 24);
        assert!(list.contains(unknown), "{list}");
        assert!(footer(&list).contains(&format!("N {create}")), "{list}");
        // From the conversation: the window names the key, which opens the form on the
        // number (the cursor on the first name).
        app.handle_key(code(KeyCode::Enter));
        let window = render(&mut app, 120, 24);
        assert!(
            footer(&window).contains(&format!("N {new_contact}")),
            "{window}"
        );
        press(&mut app, "N");
        let form = render(&mut app, 120, 24);
        assert!(form.contains(title), "{form}");
        assert!(form.contains("06 12 34 56 78"), "{form}");
        press(&mut app, "Amina");
        app.handle_key(code(KeyCode::Tab));
        press(&mut app, "Diallo");
        app.handle_key(ctrl('s'));
        let saved = render(&mut app, 120, 24);
        assert!(saved.contains("Amina Diallo"), "{saved}");
        assert!(!saved.contains(unknown), "{saved}");
        // A known number: no hint, and the key does nothing.
        assert!(!footer(&saved).contains(create), "{saved}");
        press(&mut app, "N");
        let after = render(&mut app, 120, 24);
        assert!(!after.contains(title), "{after}");
        app.handle_key(code(KeyCode::Enter));
        let window = render(&mut app, 120, 24);
        assert!(window.contains("Amina Diallo · 06 12 34 56 78"), "{window}");
        assert!(!footer(&window).contains(new_contact), "{window}");
    }
}

#[test]
fn answering_follows_the_individual_rights_and_the_templates_only_rule() {
    let mut f = empty_store();
    reply(&mut f.store, "Qui est-ce ?", now() - Duration::minutes(5));
    user(&mut f.store, "viewer", "batch");
    user(&mut f.store, "karim", "instant,templates_only");
    f.store
        .conn()
        .execute(
            "INSERT INTO templates(name, context, body, active, locked, reply_expected, created_by, created_at, updated_at)
             VALUES ('Présentation','batch','Bonjour, ici le service RH de la mission locale.',1,0,0,'admin',?1,?1)",
            [now().timestamp()],
        )
        .unwrap();
    let path = f.path();
    drop(f.store);

    // Without the individual right: no `r` in the footer, and `r` says why.
    let mut app = app_as(Store::open(&path).unwrap(), "viewer", Lang::En);
    press(&mut app, "i");
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("r answer"), "{screen}");
    press(&mut app, "r");
    let screen = render(&mut app, 80, 24);
    assert!(!app.is_editing(), "{screen}");
    assert!(
        screen.contains("you may not send individual messages"),
        "{screen}"
    );

    // Templates only: what is typed does not go in; a template does.
    let mut app = app_as(Store::open(&path).unwrap(), "karim", Lang::En);
    press(&mut app, "i");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("r answer"), "{screen}");
    press(&mut app, "r");
    let screen = render(&mut app, 80, 24);
    assert!(app.is_editing(), "{screen}");
    assert!(
        screen.contains("Answer unknown number (06 12 34 56 78)"),
        "{screen}"
    );
    press(&mut app, "xyz");
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(!screen.contains("Send this SMS?"), "{screen}");
    app.handle_key(ctrl('o'));
    press(&mut app, "prés");
    app.handle_key(code(KeyCode::Enter));
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Send this SMS?"), "{screen}");
    press(&mut app, "y");
    let screen = render(&mut app, 80, 24);
    assert!(!app.is_editing(), "{screen}");
    let store = Store::open(&path).unwrap();
    let (phone, text, by): (String, String, String) = store
        .conn()
        .query_row(
            "SELECT phone, text, created_by FROM messages ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(phone, NUMBER);
    assert!(text.starts_with("Bonjour, ici le service RH"), "{text}");
    assert!(!text.contains("xyz"), "{text}");
    assert_eq!(by, "karim");
}

#[test]
fn a_number_that_said_stop_is_not_answered() {
    let mut f = empty_store();
    reply(&mut f.store, "STOP", now() - Duration::minutes(5));
    let mut app = app(f.store, Lang::En);
    press(&mut app, "ir");
    let screen = render(&mut app, 80, 24);
    assert!(!app.is_editing(), "{screen}");
    assert!(screen.contains("opted out"), "{screen}");
}

#[test]
fn only_an_administrator_types_an_outcome_that_is_not_a_keyword() {
    let mut f = empty_store();
    interview_question(&mut f);
    reply(&mut f.store, "oui mais à 15h", now() - Duration::minutes(5));
    user(&mut f.store, "claire", "instant");
    let id: i64 = f
        .store
        .conn()
        .query_row("SELECT id FROM replies", [], |r| r.get(0))
        .unwrap();
    let claire = Actor::identify(&mut f.store, "claire", now()).unwrap();
    let typed = smsdesk::core::replies::resolve(&mut f.store, &claire, id, "maybe", now());
    let why = typed.unwrap_err().to_string();
    assert!(why.contains("administrator right required"), "{why}");
    // The administrator types one in the outcome form.
    let path = f.path();
    let mut app = app(f.store, Lang::Fr);
    press(&mut app, "itm");
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("NON → will not attend"), "{screen}");
    assert!(screen.contains("ou saisissez-en un autre"), "{screen}");
    app.handle_key(ctrl('u'));
    press(&mut app, "rappellera");
    app.handle_key(ctrl('s'));
    let screen = render(&mut app, 80, 24);
    assert!(!app.is_editing(), "{screen}");
    let outcome: String = Store::open(&path)
        .unwrap()
        .conn()
        .query_row("SELECT outcome FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(outcome, "rappellera");
}

#[test]
fn an_outcome_chosen_but_not_saved_is_named_before_quitting() {
    let mut f = empty_store();
    interview_question(&mut f);
    reply(&mut f.store, "oui mais à 15h", now() - Duration::minutes(5));
    let mut app = app(f.store, Lang::En);
    press(&mut app, "itm");
    assert!(!app.has_unsaved(), "{}", render(&mut app, 80, 24));
    // Another keyword's outcome chosen, then quitting: the choice would be lost, so it asks.
    app.handle_key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
    assert!(app.has_unsaved(), "{}", render(&mut app, 80, 24));
    app.handle_key(ctrl('c'));
    let screen = render(&mut app, 80, 24);
    assert!(!app.should_quit(), "{screen}");
    assert!(screen.contains("• Inbox: Outcome"), "{screen}");
}

#[test]
fn sent_marks_the_messages_that_got_a_reply_and_the_detail_says_when() {
    let mut f = empty_store();
    interview_question(&mut f);
    reply(
        &mut f.store,
        "Oui\u{1b}[31m !",
        now() - Duration::minutes(5),
    );
    let mut app = app(f.store, Lang::En);
    press(&mut app, "6");
    let screen = render(&mut app, 80, 24);
    let row = screen
        .lines()
        .find(|l| l.contains("Élodie Martin"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains('↩'), "{screen}");
    app.handle_key(code(KeyCode::Enter));
    app.handle_key(code(KeyCode::End));
    let detail = render(&mut app, 80, 24);
    assert!(detail.contains("received 30/03/2026 09:55"), "{detail}");
    assert!(!detail.contains('\u{1b}'), "{detail}");
}

// ---------------------------------------------------------------------------------------------
// Journeys in a real terminal

/// `smsdesk` as `user` on `db` at 80×24 in English, the clock at the fixture's instant.
fn start(dir: &Path, db: &Path, user: &str, name: &str) -> Option<Tmux> {
    let cmd = format!(
        "env SMSDESK_NOW={now} LANG=en_GB.UTF-8 LC_ALL= LC_MESSAGES= NO_COLOR=1 \
         SMSDESK_CONFIG_DIR={cfg} SMSDESK_LOG_DIR={cfg} {bin} --db {db} --user {user}",
        now = now().to_rfc3339(),
        cfg = dir.display(),
        bin = env!("CARGO_BIN_EXE_smsdesk"),
        db = db.display()
    );
    let t = Tmux::start(
        &format!("smsdesk-inbox-{name}-{}", std::process::id()),
        &cmd,
    )?;
    t.wait_for("Dashboard");
    Some(t)
}

/// The command line as the journeys use it, at the fixture's instant.
fn simulate(db: &Path, from: &str, text: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .env("SMSDESK_NOW", now().to_rfc3339())
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .args(["--db", db.to_str().unwrap(), "--user", "admin"])
        .args(["simulate", "reply", "--from", from, "--text", text])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_operator_answers_a_reply_from_the_inbox_and_the_answer_leaves() {
    let mut f = empty_store();
    user(&mut f.store, "karim", "instant");
    let db = f.path();
    drop(f.store);
    simulate(&db, "06 99 88 77 66", "Bonjour, qui m'écrit ?");
    let Some(t) = start(f.dir.path(), &db, "karim", "answer") else {
        return;
    };
    t.keys(&["i"]);
    t.wait_for("unknown number");
    t.keys(&["r"]);
    t.wait_for("Answer unknown number (06 99 88 77 66)");
    t.type_text("Bonjour, ici le service RH.");
    t.keys(&["C-s"]);
    t.wait_for("Send this SMS?");
    // Enter is the safe answer (back to the text); `y` sends.
    t.keys(&["y"]);
    t.wait_for("queued");
    let mut all = cli(&db, &["list", "upcoming"]).as_array().unwrap().clone();
    all.extend(
        cli(&db, &["list", "sent"])
            .as_array()
            .unwrap()
            .iter()
            .cloned(),
    );
    let answers: Vec<_> = all
        .iter()
        .filter(|m| m["phone"] == "+33699887766")
        .collect();
    assert_eq!(answers.len(), 1, "{all:?}");
    assert_eq!(answers[0]["text"], "Bonjour, ici le service RH.", "{all:?}");
    assert_eq!(answers[0]["created_by"], "karim", "{all:?}");
}

#[test]
fn an_operator_picks_the_outcome_among_the_template_keywords() {
    let mut f = empty_store();
    let event = interview_question(&mut f);
    user(&mut f.store, "claire", "instant");
    let db = f.path();
    drop(f.store);
    simulate(&db, "06 12 34 56 78", "oui mais à 15h");
    let Some(t) = start(f.dir.path(), &db, "claire", "outcome") else {
        return;
    };
    t.keys(&["i"]);
    t.wait_for("oui mais à 15h");
    t.keys(&["m"]);
    t.wait_for("NON → will not attend");
    // The keywords' outcomes are the choice; letters type nothing for an operator.
    t.keys(&["Right"]);
    t.wait_for("OUI → confirmed by SMS");
    t.type_text("x");
    t.keys(&["C-s"]);
    t.wait_for("outcome « confirmed by SMS » set");
    let sent = cli(&db, &["list", "sent"]);
    let question = sent
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["phone"] == NUMBER)
        .unwrap_or_else(|| panic!("{sent}"));
    assert_eq!(question["reply"], "oui mais à 15h", "{sent}");
    assert_eq!(question["reply_outcome"], "confirmed by SMS", "{sent}");
    let outcome: String = Store::open(&db)
        .unwrap()
        .conn()
        .query_row("SELECT outcome FROM events WHERE id = ?1", [event], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(outcome, "confirmed by SMS");
}

#[test]
fn an_operator_creates_the_contact_of_an_unknown_number_from_the_inbox() {
    let mut f = empty_store();
    user(&mut f.store, "karim", "instant");
    let db = f.path();
    drop(f.store);
    simulate(&db, "06 99 88 77 66", "Bonjour, qui m'écrit ?");
    let Some(t) = start(f.dir.path(), &db, "karim", "contact") else {
        return;
    };
    t.keys(&["i"]);
    t.wait_for("create its contact");
    t.keys(&["N"]);
    t.wait_for("New contact");
    t.type_text("Amina");
    t.keys(&["Tab"]);
    t.type_text("Diallo");
    t.keys(&["C-s"]);
    t.wait_for("Amina Diallo created");
    let shown = cli(&db, &["contact", "show", "--mobile", "06 99 88 77 66"]);
    assert_eq!(shown["first_name"], "Amina", "{shown}");
    assert_eq!(shown["last_name"], "Diallo", "{shown}");
    assert_eq!(shown["mobile"], "+33699887766", "{shown}");
    // The Inbox row now names the contact.
    let screen = t.wait_for("Amina Diallo 06 99 88 77 66");
    assert!(!screen.contains("unknown number"), "{screen}");
}
