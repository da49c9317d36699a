//! Credit in money, in a real terminal at 80×24: a shop adds a pack of SMS priced 0,07 €, the
//! dashboard shows the balance in SMS and in euros, a batch preview and its send question show
//! what it costs; the command line's `--json` agrees.
//!
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

mod support;

use std::path::Path;
use support::smsdesk::{cli, run};
use support::tmux::{Tmux, smsdesk_command};

fn command(dir: &Path, db: &Path, lang: &str) -> String {
    smsdesk_command(lang, dir, &format!("--db {} --user admin", db.display()))
}

/// Presses Tab until the screen satisfies `ok` (at most 20 times).
fn tab_until(t: &Tmux, what: &str, ok: impl Fn(&str) -> bool) {
    for _ in 0..20 {
        if ok(&t.screen()) {
            return;
        }
        t.keys(&["Tab"]);
    }
    panic!("never reached {what}:\n{}", t.screen());
}

#[test]
fn a_pack_priced_7_cents_shows_money_on_the_dashboard_and_in_a_batch_preview() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let file = dir.path().join("clients.csv");
    std::fs::write(
        &file,
        "Civilité;Prénom;Nom;Mobile;Consentement SMS\r\n\
         Mme;Léa;Le Gall;06 12 34 56 78;oui\r\n\
         M.;Hugo;Tanguy;06 98 76 54 32;oui\r\n\
         Mme;Nina;Riou;06 11 22 33 44;oui\r\n",
    )
    .unwrap();
    run(
        &db,
        &["import", "contacts", file.to_str().unwrap(), "--yes"],
    );
    // A shop's campaign records no interview.
    run(&db, &["settings", "set", "batch_interview", "no"]);
    // Units only while no pack has a price.
    assert!(cli(&db, &["credit"])["balance_money"].is_null());

    let Some(t) = Tmux::start(
        &format!("smsdesk-money-{}", std::process::id()),
        &command(dir.path(), &db, "fr_FR.UTF-8"),
    ) else {
        return;
    };
    t.wait_for("Tableau de bord");

    // A pack of 1 000 SMS at 0,07 € each, typed with a decimal comma.
    t.keys(&["n"]);
    t.wait_for("Ajouter un pack de crédit");
    t.type_text("1000");
    t.keys(&["Tab"]);
    t.type_text("Pack juin");
    // Past the day bought (today), the price per SMS.
    t.keys(&["Tab", "Tab"]);
    // A price that is not an amount is refused, naming the field.
    t.type_text("sept");
    t.keys(&["C-s"]);
    t.wait_for("prix par SMS : « sept » n'est pas un montant");
    t.keys(&["C-u"]);
    t.type_text("0,07");
    t.keys(&["C-s"]);
    t.wait_for("Pack de 1 000 SMS ajouté");
    let dashboard = t.wait_for("SMS · 70,00 €");
    assert!(
        !dashboard.contains("0 SMS · 0,00 €"),
        "no money for nothing queued:\n{dashboard}"
    );

    // The command line reads the same pack and balance.
    let credit = cli(&db, &["credit"]);
    assert_eq!(credit["balance"], 1000);
    assert_eq!(credit["packs"][0]["unit_price"], 0.07);
    assert_eq!(credit["packs"][0]["currency"], "EUR");
    assert_eq!(credit["balance_money"]["amount"], 70.0);
    assert_eq!(credit["balance_money"]["currency"], "EUR");

    // A batch to the three clients who agreed to SMS.
    t.keys(&["8"]);
    t.wait_for("Groupé");
    t.keys(&["n"]);
    t.wait_for("Nouvel envoi groupé");
    t.type_text("Soldes");
    tab_until(&t, "the consent filter", |s| s.contains("▸ Par accord SMS"));
    t.keys(&["Right"]);
    tab_until(&t, "the matching participants", |s| {
        s.contains("▸ Correspondent")
    });
    t.keys(&["Enter"]);
    t.wait_for("3 destinataire(s)");
    tab_until(&t, "the text", |s| s.contains("insérer un champ"));
    t.type_text("Soldes ce week-end");
    t.keys(&["C-s"]);
    let preview = t.wait_for("Aperçu");
    assert!(preview.contains("3 message(s) · 3 SMS"), "{preview}");
    assert!(
        preview.contains("Coût : 0,21 € · crédit après : 69,79 €"),
        "{preview}"
    );

    // The send question states the cost and the credit after in money too.
    t.keys(&["C-s"]);
    let ask = t.wait_for("Envoyer le groupé ?");
    assert!(
        ask.contains("Coût : 3 SMS (3 × 1 SMS, GSM-7) · 0,21 €"),
        "{ask}"
    );
    assert!(
        ask.contains("Crédit après l'envoi : 997 SMS · 69,79 €"),
        "{ask}"
    );
    t.keys(&["Escape"]);

    // In English, the same money is written the English way.
    t.open("en", &command(dir.path(), &db, "en_US.UTF-8"));
    t.wait_in(
        "en",
        std::time::Duration::from_secs(10),
        |s| s.contains("Dashboard") && s.contains("SMS · €70.00"),
        "the English dashboard with €70.00",
    );
    // Nothing was queued by the preview.
    assert_eq!(cli(&db, &["list", "upcoming"]).as_array().unwrap().len(), 0);
}
