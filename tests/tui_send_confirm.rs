//! Every send asks once, in a window that fits 80×24, and what the screen says can be read in
//! full (status lines wrap, the log keeps everything): the real binary in tmux, French and
//! English, checked through the CLI (`--json list upcoming`) on the same store.

mod support;
mod tui_fixture;

use smsdesk::store::Store;
use std::path::Path;
use support::term::{Launch, Term, cli_json, have_tmux};
use tui_fixture::*;

/// `smsdesk --db DB --user admin` at 80×24 in `lang` ("fr" or "en"), 40 ms after each key.
fn start(name: &str, dir: &Path, db: &Path, lang: &str) -> Term {
    let locale = if lang == "fr" {
        "fr_FR.UTF-8"
    } else {
        "en_GB.UTF-8"
    };
    Term::launch(
        dir,
        db,
        Launch {
            socket: format!("smsdesk-send-{name}-{lang}-{}", std::process::id()),
            locale,
            key_pause: std::time::Duration::from_millis(40),
            ..Launch::english(name)
        },
    )
}

/// Messages not yet sent, through `smsdesk --json list upcoming`.
fn upcoming(db: &Path) -> Vec<serde_json::Value> {
    cli_json(db, &["list", "upcoming"])
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The screen's text with its line breaks and padding gone, to find a wrapped sentence.
fn joined(screen: &str) -> String {
    screen
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn with_participant() -> Fixture {
    let f = empty_store();
    let store = Store::open(&f.path()).unwrap();
    smsdesk::store::participants::insert_participant(
        store.conn(),
        &smsdesk::store::participants::NewParticipant {
            kind: smsdesk::sms::status::ParticipantKind::Participant,
            first_name: "Marie".into(),
            last_name: "Durand".into(),
            mobile: Some("+33612345678".into()),
            sms_consent: true,
            ..Default::default()
        },
        now(),
    )
    .unwrap();
    f
}

/// Words of each language the journeys look for.
struct Words {
    free_title: &'static str,
    cost: &'static str,
    credit: &'static str,
    leaves: &'static str,
    send_key: &'static str,
    back_key: &'static str,
    /// The key that sends (Enter goes back).
    yes: &'static str,
    scroll: &'static str,
    queued: &'static str,
}

const EN: Words = Words {
    free_title: "New free send",
    cost: "Cost: 3 SMS (3 × 1 SMS, GSM-7)",
    credit: "Credit after sending:",
    leaves: "Leaves: now",
    send_key: "y Send",
    back_key: "Enter Back",
    yes: "y",
    scroll: "↑↓ scroll",
    queued: "3 message(s) queued",
};

const FR: Words = Words {
    free_title: "Nouvel envoi libre",
    cost: "Coût : 3 SMS (3 × 1 SMS, GSM-7)",
    credit: "Crédit après l'envoi :",
    leaves: "Départ : maintenant",
    send_key: "o Envoyer",
    back_key: "Entrée Retour",
    yes: "o",
    scroll: "↑↓ défiler",
    queued: "3 message(s) mis en file",
};

/// A file of 3 good numbers and 20 bad rows: before the fix the list pushed the cost, the
/// time, the text and the answer keys off an 80×24 screen while Enter still sent (now Enter
/// goes back and only `y` / `o` sends).
fn free_send_with_bad_rows(lang: &str, w: &Words) {
    if !have_tmux() {
        return;
    }
    let f = empty_store();
    let csv = f.dir.path().join("numeros.csv");
    let mut rows = String::from("TELEPHONE\n06 11 22 33 01\n06 11 22 33 02\n06 11 22 33 03\n");
    for i in 0..20 {
        rows.push_str(&format!("pas un numéro {i}\n"));
    }
    std::fs::write(&csv, rows).unwrap();
    let db = f.path();
    let t = start("free", f.dir.path(), &db, lang);
    t.keys(&["9", "n"]);
    t.wait_for(w.free_title);
    t.typed(&csv.display().to_string());
    t.keys(&["Tab", "Tab", "Tab"]);
    t.typed("Portes ouvertes samedi");
    t.keys(&["C-s"]);
    // The whole window: a capture may hold a frame half written.
    let needles = [w.cost, w.credit, w.leaves, w.send_key, w.back_key, w.scroll];
    let screen = t.wait_until("the send window with its decisive lines and keys", |s| {
        needles.iter().all(|n| s.contains(n))
    });
    assert!(!screen.contains("Portes ouvertes samedi"), "{screen}");
    // The text is at the end of what scrolls.
    t.keys(&["End"]);
    let screen = t.wait_for("Portes ouvertes samedi");
    for needle in [w.cost, w.credit, w.leaves, w.send_key, w.back_key] {
        assert!(
            screen.contains(needle),
            "{needle:?} gone after scrolling:\n{screen}"
        );
    }
    assert!(upcoming(&db).is_empty(), "nothing leaves before the answer");
    t.keys(&[w.yes]);
    t.wait_for(w.queued);
    assert_eq!(upcoming(&db).len(), 3);
}

#[test]
fn a_free_send_with_20_bad_rows_shows_cost_credit_time_and_keys_and_scrolls_to_the_text() {
    free_send_with_bad_rows("en", &EN);
}

#[test]
fn en_francais_un_envoi_libre_avec_20_lignes_fausses_montre_cout_credit_depart_et_touches() {
    free_send_with_bad_rows("fr", &FR);
}

/// Contacts `n`: the cursor is in the text, Ctrl-s is shown as sending, and nothing is queued
/// before the question is answered (before the fix Ctrl-s, shown as "save", queued at once).
fn individual_send_asks(lang: &str) {
    if !have_tmux() {
        return;
    }
    let f = with_participant();
    let db = f.path();
    let t = start("one", f.dir.path(), &db, lang);
    let fr = lang == "fr";
    t.keys(&["c"]);
    t.wait_for("DURAND");
    t.keys(&["n"]);
    let screen = t.wait_for("Marie Durand");
    let (send_hint, at_label) = if fr {
        ("Ctrl-s envoyer…", "Envoi le")
    } else {
        ("Ctrl-s send…", "Send at")
    };
    assert!(screen.contains(send_hint), "{screen}");
    assert!(screen.contains(at_label), "{screen}");
    // Typed straight away: it lands in the text, not in the time.
    t.typed("Bonjour Marie, rendez-vous mardi");
    t.keys(&["C-s"]);
    let screen = t.wait_for(if fr {
        "Destinataire : Marie Durand (06 12 34 56 78)"
    } else {
        "Recipient: Marie Durand (06 12 34 56 78)"
    });
    assert!(
        screen.contains("Bonjour Marie, rendez-vous mardi"),
        "{screen}"
    );
    assert!(
        screen.contains(if fr { "Coût : 1 SMS" } else { "Cost: 1 SMS" }),
        "{screen}"
    );
    assert!(
        upcoming(&db).is_empty(),
        "queued before the answer:\n{screen}"
    );
    // Enter, typed by habit, goes back to the form: nothing leaves.
    let (back, recipient) = if fr {
        ("[ Retour ]", "Destinataire : Marie Durand")
    } else {
        ("[ Back ]", "Recipient: Marie Durand")
    };
    assert!(screen.contains(back), "{screen}");
    t.keys(&["Enter"]);
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert!(upcoming(&db).is_empty(), "Enter sent:\n{}", t.screen());
    assert!(!t.screen().contains(recipient), "{}", t.screen());
    t.keys(&["C-s"]);
    t.wait_for(recipient);
    t.keys(&[if fr { "o" } else { "y" }]);
    t.wait_for(if fr { "mis en file" } else { "queued" });
    let queued = upcoming(&db);
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["phone"].as_str(), Some("+33612345678"));
}

#[test]
fn an_individual_send_from_contacts_asks_before_leaving() {
    individual_send_asks("en");
}

#[test]
fn en_francais_un_sms_individuel_demande_avant_de_partir() {
    individual_send_asks("fr");
}

/// A refusal longer than a line is on screen whole (wrapped), and the log (`M`) has it with
/// the rest of the session's messages, newest last. Before: cut to one line with "…".
fn long_refusal_readable(lang: &str, refusal_words: &str, refusal_end: &str) {
    if !have_tmux() {
        return;
    }
    let f = with_participant();
    let db = f.path();
    let t = start("refusal", f.dir.path(), &db, lang);
    t.keys(&["c"]);
    t.wait_for("DURAND");
    t.keys(&["n"]);
    t.wait_for("Marie Durand");
    t.typed("Bonjour");
    // Back to the time: Sunday 5 April, outside the default days.
    t.keys(&["BTab"]);
    t.typed("05/04/2026 21:30");
    t.keys(&["C-s"]);
    let screen = t.wait_for(refusal_words);
    let refusal = screen
        .lines()
        .skip_while(|l| !l.contains(refusal_words))
        .take_while(|l| !l.starts_with('└'))
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(joined(&refusal).ends_with(refusal_end), "cut:\n{screen}");
    // Now (empty time) it leaves; the form closes.
    t.keys(&["C-u", "C-s"]);
    t.keys(&[if lang == "fr" { "o" } else { "y" }]);
    let sent = if lang == "fr" {
        "n°1 mis en file"
    } else {
        "#1 queued"
    };
    t.wait_for(sent);
    t.keys(&["M"]);
    let log = t.wait_for(if lang == "fr" {
        "Journal des messages"
    } else {
        "Message log"
    });
    let flat = joined(&log);
    assert!(flat.contains(&joined(&refusal)), "{refusal}\n{log}");
    let at_refusal = flat.find(&joined(&refusal)).unwrap();
    let at_sent = flat.find(sent).unwrap();
    assert!(at_refusal < at_sent, "newest last:\n{log}");
}

#[test]
fn a_long_refusal_is_readable_in_full_on_screen_and_in_the_log() {
    long_refusal_readable("en", "Sunday", "(allowed: Mon, Tue, Wed, Thu, Fri, Sat)");
}

#[test]
fn en_francais_un_long_refus_se_lit_en_entier_a_l_ecran_et_dans_le_journal() {
    long_refusal_readable(
        "fr",
        "dimanche",
        "(autorisés : lun, mar, mer, jeu, ven, sam)",
    );
}

/// A free text with `’` travels in Unicode at 2 SMS each: the send window says why and offers
/// the transliteration key first; pressed there, the text is GSM-7 for everyone, the cost drops
/// to 1 SMS each, and what is queued is the transliterated text.
fn free_send_transliterated_from_the_window(lang: &str, w: &Words) {
    if !have_tmux() {
        return;
    }
    let f = empty_store();
    let db = f.path();
    let t = start("translit", f.dir.path(), &db, lang);
    t.keys(&["9", "n"]);
    t.wait_for(w.free_title);
    t.typed("0611223301;0611223302;0611223303");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.typed("Réunion d’information demain à l’accueil du centre, salle 3 : pensez à votre pièce d’identité");
    // All of it typed before the send key (a late letter would answer the window).
    t.wait_for("d’identité");
    t.keys(&["C-s"]);
    let (unicode_cost, key_first) = if lang == "fr" {
        ("Coût : 6 SMS (3 × 2 SMS, Unicode)", "Ctrl-t vers GSM-7")
    } else {
        ("Cost: 6 SMS (3 × 2 SMS, Unicode)", "Ctrl-t to GSM-7")
    };
    // The window says why it costs more, and its footer offers the key first.
    t.wait_until(
        "the Unicode cost with the transliteration key first",
        |screen| {
            screen.contains(unicode_cost)
                && screen
                    .lines()
                    .last()
                    .is_some_and(|footer| footer.starts_with(key_first))
        },
    );
    t.keys(&["C-t"]);
    let screen = t.wait_for(w.cost);
    assert!(!screen.contains("Unicode"), "{screen}");
    assert!(screen.contains(w.send_key), "{screen}");
    assert!(upcoming(&db).is_empty(), "Ctrl-t sends nothing");
    t.keys(&[w.yes]);
    t.wait_for(w.queued);
    let queued = upcoming(&db);
    assert_eq!(queued.len(), 3);
    for m in &queued {
        let text = m["text"].as_str().unwrap_or_default();
        assert!(text.contains("d'information") && !text.contains('’'), "{m}");
    }
}

#[test]
fn a_free_send_in_unicode_is_transliterated_for_everyone_from_its_window() {
    free_send_transliterated_from_the_window("en", &EN);
}

#[test]
fn en_francais_un_envoi_libre_en_unicode_passe_en_gsm7_depuis_sa_fenetre() {
    free_send_transliterated_from_the_window("fr", &FR);
}
