//! The administrator's journey in a real terminal: the binary runs in `tmux` at 80×24, keys
//! are sent as a person types them, the screen is read back with `capture-pane`, and every
//! change is checked afterwards through the command line on the same store.
//!
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

mod support;

use std::time::{Duration, Instant};
use support::smsdesk::{cli, demo};
use support::tmux::{Tmux, demo_command, smsdesk_command};

#[test]
fn an_administrator_configures_the_service_from_the_keyboard() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let cmd = smsdesk_command(
        "en_US.UTF-8",
        dir.path(),
        &format!("--db {} --user admin", db.display()),
    );
    let Some(t) = Tmux::start(&format!("smsdesk-admin-{}", std::process::id()), &cmd) else {
        return;
    };
    t.wait_for("Dashboard");

    // A template with merge fields and a reply keyword.
    t.keys(&["3"]);
    t.wait_for("Templates");
    t.keys(&["n"]);
    t.wait_for("Name");
    t.type_text("Rappel express");
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Space", "Tab"]);
    t.type_text("OUI=confirmé par SMS; NON=ne viendra pas");
    t.keys(&["Tab"]);
    t.type_text("Bonjour {{participant.first_name}}, RDV {{event.date}} à {{event.time}}. Répondez OUI ou NON");
    let screen = t.wait_for("GSM-7");
    assert!(screen.contains("Rappel express"), "{screen}");
    t.keys(&["C-s"]);
    t.wait_for("Rappel express");

    // An automation using it, D-2, and its dry run.
    t.keys(&["4"]);
    t.wait_for("Automations");
    t.keys(&["n"]);
    t.type_text("Confirmation J-2");
    t.keys(&["Tab", "Tab", "Tab", "Tab", "C-u"]);
    t.type_text("-2");
    t.keys(&["Tab"]);
    let mut tries = 0;
    while !t
        .screen()
        .lines()
        .any(|l| l.contains("Template") && l.contains("Rappel express"))
    {
        t.keys(&["Right"]);
        tries += 1;
        assert!(
            tries < 20,
            "the new template is not offered:\n{}",
            t.screen()
        );
    }
    t.keys(&["C-s"]);
    // It acts on the interviews already in the agenda: asked first, with the count.
    t.wait_for("reminders will be");
    t.keys(&["Enter"]);
    t.wait_for("reminder(s) created");
    let before = cli(&db, &["list", "upcoming", "--limit", "1000"])
        .as_array()
        .unwrap()
        .len();
    t.keys(&["r"]);
    let dry = t.wait_for("Dry run — nothing is sent");
    assert!(dry.contains("reminder(s) the rules would create"), "{dry}");
    let after = cli(&db, &["list", "upcoming", "--limit", "1000"])
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "the dry run queues nothing");
    t.keys(&["Escape"]);

    // Window and timezone.
    t.keys(&["2"]);
    t.wait_for("Settings");
    t.keys(&["Enter", "Tab", "Tab", "Tab", "Tab", "C-u"]);
    t.type_text("08:30-18:00");
    t.keys(&["Tab", "Tab", "Right", "C-s"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));

    // The batch right for karim.benali (the last operator).
    t.keys(&["5"]);
    t.wait_for("karim.benali");
    t.keys(&["End", "Enter", "Tab", "Tab", "Space", "C-s"]);
    std::thread::sleep(Duration::from_millis(300));

    // A credit pack from the dashboard.
    t.keys(&["1"]);
    t.wait_for("Dashboard");
    t.keys(&["n"]);
    t.type_text("2000");
    t.keys(&["Tab"]);
    t.type_text("Pack avril");
    t.keys(&["C-s"]);
    std::thread::sleep(Duration::from_millis(300));
    t.quit();
    std::thread::sleep(Duration::from_millis(800));

    // Everything is in the store, as the command line sees it.
    let templates = cli(&db, &["templates"]);
    let tpl = templates
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Rappel express")
        .expect("template saved");
    assert_eq!(tpl["reply_expected"], true);
    assert!(
        tpl["body"]
            .as_str()
            .unwrap()
            .contains("{{participant.first_name}}")
    );
    assert!(
        tpl["keywords"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["keyword"] == "OUI" && k["outcome"] == "confirmé par SMS")
    );
    let autos = cli(&db, &["automations"]);
    let rule = autos
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Confirmation J-2")
        .expect("automation saved");
    assert_eq!(rule["offset_days"], -2);
    assert_eq!(rule["template_name"], "Rappel express");
    assert_eq!(
        cli(&db, &["settings", "get", "window"])["value"],
        "08:30-18:00"
    );
    assert_eq!(
        cli(&db, &["settings", "get", "timezone"])["value"],
        "America/Guadeloupe"
    );
    let users = cli(&db, &["user", "list"]);
    let karim = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "karim.benali")
        .unwrap();
    assert_eq!(karim["rights"]["batch"], true);
    let credit = cli(&db, &["credit"]);
    assert!(
        credit["packs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["units"] == 2000 && p["label"] == "Pack avril")
    );
}

/// Issue 11 at 80×24: an operator's SSH key added by pasting its `.pub` line, seen with its
/// fingerprint, a bad key refused with the reason, the key removed after the confirmation, and
/// the operator's language set in the rights form; the command line sees each change.
#[test]
fn an_administrator_manages_an_operators_keys_and_language() {
    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3UjOYGvB+lgNxynKpqH7WylSPrAT9xOCSvVCfAp5rA claire@laptop\n";
    const FP: &str = "SHA256:Cmx/dD6un//JpyaZaUJaP55K/Sto1+mUuqLkCMia31Y";
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let cmd = smsdesk_command(
        "en_US.UTF-8",
        dir.path(),
        &format!("--db {} --user admin", db.display()),
    );
    let Some(t) = Tmux::start(&format!("smsdesk-keys-{}", std::process::id()), &cmd) else {
        return;
    };
    let keys = || cli(&db, &["user", "key", "list", "claire.martin"]);
    t.wait_for("Dashboard");
    t.keys(&["5"]);
    t.wait_for("karim.benali");
    let screen = t.wait_for("K SSH keys");
    assert!(screen.contains("Keys Lang"), "{screen}");
    t.keys(&["Down", "K"]);
    t.wait_for("SSH keys of claire.martin");

    // A key line carrying options of its own is refused, with the reason.
    t.keys(&["a"]);
    t.paste(&format!("command=\"/bin/sh\" {KEY}"));
    t.keys(&["Enter"]);
    t.wait_for("starts with options");
    assert_eq!(keys().as_array().unwrap().len(), 0);

    // The .pub line pasted as is, in the list (a paste starts a key; typed, its letters would
    // be commands): listed with its fingerprint, in the store.
    t.keys(&["C-u", "Escape"]);
    std::thread::sleep(Duration::from_millis(200));
    t.paste(KEY);
    t.keys(&["Enter"]);
    let screen = t.wait_for(FP);
    assert!(screen.contains("claire@laptop"), "{screen}");
    assert!(screen.contains("Key added to claire.martin"), "{screen}");
    let stored = keys();
    assert_eq!(stored.as_array().unwrap().len(), 1, "{stored}");
    assert_eq!(stored[0]["fingerprint"], FP);
    assert_eq!(stored[0]["added_by"], "admin");

    // Removed after the confirmation naming the key and the operator.
    t.keys(&["d"]);
    let question = t.wait_for("Remove this SSH key of claire.martin?");
    assert!(question.contains(FP), "{question}");
    t.keys(&["y"]);
    t.wait_for("Key removed from claire.martin");
    assert_eq!(keys().as_array().unwrap().len(), 0);
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(200));

    // The language in the rights form (its last field): auto → fr, named in the table.
    t.keys(&["Enter"]);
    t.wait_for("Rights of claire.martin");
    t.keys(&["Up", "Right", "C-s"]);
    let until = Instant::now() + Duration::from_secs(10);
    while !t
        .screen()
        .lines()
        .any(|l| l.starts_with("claire.martin") && l.trim_end().ends_with(" French"))
    {
        assert!(Instant::now() < until, "French not shown:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    t.quit();
    std::thread::sleep(Duration::from_millis(500));
    let users = cli(&db, &["user", "list"]);
    let claire = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "claire.martin")
        .unwrap();
    assert_eq!(claire["language"], "fr");
    drop(t);

    // Claire's next start is in French whatever the server's LANG; `L` switches her screen.
    let cmd = smsdesk_command(
        "en_US.UTF-8",
        dir.path(),
        &format!("--db {} --user claire.martin", db.display()),
    );
    let Some(t) = Tmux::start(&format!("smsdesk-lang-{}", std::process::id()), &cmd) else {
        return;
    };
    // The footer is drawn last: waiting for it means the whole first frame is on screen.
    let screen = t.wait_for("L ma langue");
    assert!(screen.contains("Tableau de bord"), "{screen}");
    t.keys(&["L"]);
    t.wait_for("Ma langue");
    t.keys(&["Right", "Enter"]); // fr → en
    let screen = t.wait_for("Dashboard");
    assert!(
        screen.contains("Your language: English, from now on"),
        "{screen}"
    );
    t.quit();
    std::thread::sleep(Duration::from_millis(500));
    let users = cli(&db, &["user", "list"]);
    let claire = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == "claire.martin")
        .unwrap();
    assert_eq!(claire["language"], "en");
}

/// `--demo` without `--db` works on a store of its own in the temporary directory; quitting
/// the TUI removes it, so trying the demo leaves nothing behind.
#[test]
fn the_demo_store_is_removed_when_the_tui_quits() {
    let dir = tempfile::tempdir().unwrap();
    let (cmd, tmp) = demo_command("en_US.UTF-8", dir.path());
    // The window stays open after smsdesk quits, so a failure can still show its screen.
    let cmd = format!("{cmd}; sleep 30");
    let Some(t) = Tmux::start(&format!("smsdesk-demo-{}", std::process::id()), &cmd) else {
        return;
    };
    t.wait_for("Dashboard");
    let stores: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
    assert_eq!(stores.len(), 1, "the demo store is made in TMPDIR");
    assert!(stores[0].path().join("demo.db").exists());

    // This window sends the demo's queue (once its scheduler holds the lease, as the
    // dashboard shows): quitting says the store goes with it.
    t.wait_for_lease();
    t.keys(&["q"]);
    t.wait_for("This demo store is removed on quitting");
    t.keys(&["y"]);
    let until = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(&tmp).unwrap().next().is_some() {
        assert!(
            Instant::now() < until,
            "the demo store is still there after quitting:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The "unknown — check" decision in a real terminal at 80×24, French and English: the
/// dialog names the person, shows the text and the status history, and offers translated
/// choices (never the internal `resend`).
#[test]
fn the_unknown_check_decision_shows_who_what_and_translated_choices() {
    for (lang, resend, delivered, history) in [
        ("fr_FR.UTF-8", "Renvoyer", "Clore comme remis", "Historique"),
        ("en_US.UTF-8", "Send again", "Close as delivered", "History"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = demo(dir.path());
        let (name, text): (String, String) = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT recipient_name, text FROM messages WHERE status = 'unknown'
                 ORDER BY planned_at, id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let cmd = smsdesk_command(
            lang,
            dir.path(),
            &format!("--db {} --user admin", db.display()),
        );
        let socket = format!("smsdesk-unknown-{}-{}", &lang[..2], std::process::id());
        let Some(t) = Tmux::start(&socket, &cmd) else {
            return;
        };
        t.wait_for("SMS");
        t.keys(&["Enter"]);
        let screen = t.wait_for(resend);
        assert!(screen.contains(&name), "{name} not named:\n{screen}");
        let start: String = text.chars().take(30).collect();
        assert!(screen.contains(&start), "{start:?} not shown:\n{screen}");
        assert!(screen.contains(history), "{screen}");
        assert!(!screen.contains("resend"), "{screen}");
        t.keys(&["Tab", "Right"]);
        let screen = t.wait_for(delivered);
        assert!(screen.contains(&format!("‹ {delivered} ›")), "{screen}");
        t.keys(&["Escape"]);
        t.quit();
    }
}
