//! Issue 14, Contacts, in a real terminal at 80×24: a shop assistant creates a walk-in
//! customer, sends them the "repair ready" template from their card, fixes their number; the
//! card shows the SMS sent (to the number it was sent to) and the customer's reply. Checked
//! through the command line's `--json` on the same store.
//!
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

mod support;

use std::path::Path;
use std::time::Duration;
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_smsdesk");
/// Tuesday 10 March 2026, 10:00 in Paris.
const NOW: &str = "2026-03-10T09:00:00Z";

/// `smsdesk --db DB --user USER --json ARGS…` at `now`.
fn cli_at(db: &Path, user: &str, now: &str, args: &[&str]) -> serde_json::Value {
    let json: Vec<&str> = std::iter::once("--json")
        .chain(args.iter().copied())
        .collect();
    let out = support::smsdesk::run_as(db, user, &[("SMSDESK_NOW", now)], &json);
    serde_json::from_slice(&out).unwrap_or(serde_json::Value::Null)
}

/// A shop's store: open every day all day, no grace period, credit, the "repair ready"
/// template, and a shop assistant who may send individual messages now.
fn shop(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("shop.db");
    let admin = |args: &[&str]| cli_at(&db, "admin", NOW, args);
    admin(&["credit", "add", "100"]);
    admin(&["settings", "set", "window", "00:00-23:59"]);
    admin(&[
        "settings",
        "set",
        "window_days",
        "mon,tue,wed,thu,fri,sat,sun",
    ]);
    admin(&["settings", "set", "grace_seconds", "0"]);
    admin(&["settings", "set", "sender", "VELOSHOP"]);
    admin(&["user", "add", "vendeur", "--rights", "instant"]);
    let store = smsdesk::store::Store::open(&db).unwrap();
    smsdesk::store::templates::insert_template(
        store.db(),
        &smsdesk::store::templates::NewTemplate {
            name: "Réparation prête".into(),
            context: smsdesk::sms::template::TemplateContext::Batch,
            body: "Bonjour {{participant.first_name}}, votre vélo est réparé : il vous attend au magasin."
                .into(),
            active: true,
            locked: false,
            reply_expected: false,
            keywords: Vec::new(),
            created_by: "admin".into(),
            created_at: chrono::Utc::now(),
        },
    )
    .unwrap();
    db
}

#[test]
fn a_shop_assistant_creates_a_customer_sends_repair_ready_fixes_the_number_and_sees_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let cmd = format!(
        "env SMSDESK_NOW={NOW} LANG=fr_FR.UTF-8 SMSDESK_CONFIG_DIR={cfg} SMSDESK_LOG_DIR={cfg} NO_COLOR=1 {BIN} --db {db} --user vendeur",
        cfg = dir.path().display(),
        db = db.display()
    );
    let Some(t) = Tmux::start(&format!("smsdesk-contacts-{}", std::process::id()), &cmd) else {
        return;
    };
    t.wait_for("Tableau de bord");
    t.keys(&["c"]);
    // An empty store: its contacts list offers the import, the footer the new contact.
    t.wait_for("N nouveau contact");

    // A new customer: a mistyped number is refused under its field, naming why.
    t.keys(&["N"]);
    t.wait_for("Nouveau contact");
    t.type_text("Mme");
    t.keys(&["Tab"]);
    t.type_text("Chloé");
    t.keys(&["Tab"]);
    t.type_text("Lemoine");
    t.keys(&["Tab"]);
    t.type_text("06 12 34");
    t.keys(&["C-s"]);
    t.wait_for("trop court pour un numéro");
    t.keys(&["C-u"]);
    t.type_text("06 12 34 56 01");
    t.keys(&["C-s"]);
    // Saved, the card opens on them.
    let card = t.wait_for("Fiche contact · Mme Chloé LEMOINE");
    assert!(card.contains("06 12 34 56 01"), "{card}");
    assert!(card.contains("Aucun SMS envoyé ni reçu"), "{card}");

    // `n` writes to them from the card; Ctrl-o picks the template by part of its name.
    t.keys(&["n"]);
    t.wait_for("SMS à Chloé Lemoine");
    t.keys(&["C-o"]);
    t.type_text("répar");
    t.keys(&["Enter"]);
    t.wait_for("votre vélo est réparé");
    t.keys(&["C-s"]);
    t.wait_for("Texte exact");
    // Enter is the safe answer (back to the text); `o` sends.
    t.keys(&["o"]);
    t.wait_for("mis en file");
    // The scheduler of this window sends it; the card follows its status.
    let card = t.wait_in(
        "j",
        Duration::from_secs(30),
        |s| s.contains("délivré"),
        "the SMS delivered on the card",
    );
    assert!(
        card.contains("Bonjour Chloé, votre vélo est réparé"),
        "{card}"
    );

    // The customer gives another number: `m` on the card, the mobile fixed.
    t.keys(&["m"]);
    t.wait_for("Modifier Chloé Lemoine");
    t.keys(&["Tab", "Tab", "Tab", "C-u"]);
    t.type_text("06 12 34 56 02");
    t.keys(&["C-s"]);
    let card = t.wait_for("enregistré : mobile");
    assert!(card.contains("Mobile : 06 12 34 56 02"), "{card}");
    // The message sent keeps the number it went to, named on the card.
    assert!(card.contains("(06 12 34 56 01)"), "{card}");

    // She answers from the number the SMS reached; the card shows it above.
    cli_at(
        &db,
        "admin",
        "2026-03-10T09:30:00Z",
        &[
            "simulate",
            "reply",
            "--from",
            "0612345601",
            "--text",
            "Super, je passe ce soir",
        ],
    );
    let card = t.wait_in(
        "j",
        Duration::from_secs(15),
        |s| s.contains("Super, je passe ce soir"),
        "the reply on the card",
    );
    let reply = card.lines().position(|l| l.contains("Super, je passe"));
    let sent = card
        .lines()
        .position(|l| l.contains("Bonjour Chloé, votre vélo"));
    assert!(
        reply.is_some() && sent.is_some() && reply < sent,
        "newest first:\n{card}"
    );
    assert!(card.contains("réponse"), "{card}");
    assert!(card.lines().count() <= 24, "{card}");

    // The same through the command line.
    let c = cli_at(
        &db,
        "admin",
        NOW,
        &["contact", "show", "--mobile", "06 12 34 56 02"],
    );
    assert_eq!(c["first_name"], "Chloé");
    assert_eq!(c["civility"], "Mme");
    assert_eq!(c["mobile"], "+33612345602");
    let timeline = c["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2, "{timeline:?}");
    assert_eq!(timeline[0]["direction"], "in");
    assert_eq!(timeline[0]["text"], "Super, je passe ce soir");
    assert_eq!(timeline[1]["direction"], "out");
    assert_eq!(timeline[1]["status"], "delivered");
    assert_eq!(timeline[1]["phone"], "+33612345601");
    let sent = cli_at(&db, "admin", NOW, &["list", "sent"]);
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["phone"], "+33612345601");
    assert_eq!(sent[0]["created_by"], "vendeur");
    t.quit();
}
