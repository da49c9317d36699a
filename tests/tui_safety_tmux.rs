//! Never lose work by mistake, in a real terminal at 80×24 (issue 13, points 1, 5, 11): Esc on
//! a changed form asks and names what would be lost, Enter keeps editing; Ctrl-c asks before
//! quitting and says this window is the one sending; `x` names the message it would cancel and
//! Enter after select-all cancels nothing (checked through the command line).
//!
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::smsdesk::{cli, demo};
use support::tmux::{Tmux, smsdesk_command};

/// The TUI on a fresh demo store in `lang` (`en` / `fr`); `None` when tmux is missing.
fn start(dir: &Path, lang: &str, name: &str) -> Option<(Tmux, PathBuf)> {
    let db = demo(dir);
    let locale = if lang == "fr" {
        "fr_FR.UTF-8"
    } else {
        "en_US.UTF-8"
    };
    let cmd = smsdesk_command(locale, dir, &format!("--db {} --user admin", db.display()));
    let t = Tmux::start(
        &format!("smsdesk-{name}-{lang}-{}", std::process::id()),
        &cmd,
    )?;
    t.wait_for(if lang == "fr" {
        "Tableau de bord"
    } else {
        "Dashboard"
    });
    Some((t, db))
}

/// What the screens say, per language.
struct Words {
    lang: &'static str,
    discard_title: &'static str,
    lost: &'static str,
    keep: &'static str,
    typed: &'static str,
    yes: &'static str,
    form_title: &'static str,
}

const EN: Words = Words {
    lang: "en",
    discard_title: "Discard your changes?",
    lost: "Will be lost: Recipients and Text.",
    keep: "[ Keep editing ]",
    typed: "0612345678",
    yes: "y",
    form_title: "New free send",
};

const FR: Words = Words {
    lang: "fr",
    discard_title: "Abandonner la saisie ?",
    lost: "Sera perdu : Destinataires et Texte.",
    keep: "[ Continuer la saisie ]",
    typed: "0612345678",
    yes: "o",
    form_title: "Nouvel envoi libre",
};

/// Free `9 n`: a number and a text typed, then Esc asks, Enter keeps the form with what was
/// typed, Esc then `y` / `o` throws it away; a form without changes closes on Esc at once.
fn esc_on_a_changed_form_asks(w: &Words) {
    let dir = tempfile::tempdir().unwrap();
    let Some((t, _db)) = start(dir.path(), w.lang, "esc") else {
        return;
    };
    t.keys(&["9", "n"]);
    t.wait_for(w.form_title);
    // Unchanged: Esc closes at once.
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    let screen = t.screen();
    assert!(
        !screen.contains(w.form_title) && !screen.contains(w.discard_title),
        "{screen}"
    );
    t.keys(&["n"]);
    t.wait_for(w.form_title);
    t.type_text(w.typed);
    t.keys(&["Tab", "Tab", "Tab"]);
    t.type_text("Bonjour à tous");
    t.keys(&["Escape"]);
    let screen = t.wait_for(w.discard_title);
    assert!(screen.contains(w.form_title), "{screen}");
    assert!(screen.contains(w.lost), "{screen}");
    assert!(screen.contains(w.keep), "{screen}");
    // Enter is the safe answer: the form stays with what was typed.
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    let screen = t.screen();
    assert!(!screen.contains(w.discard_title), "{screen}");
    assert!(
        screen.contains(w.typed) && screen.contains("Bonjour à tous"),
        "{screen}"
    );
    // Confirming discards.
    t.keys(&["Escape"]);
    t.wait_for(w.discard_title);
    t.keys(&[w.yes]);
    std::thread::sleep(Duration::from_millis(300));
    let screen = t.screen();
    assert!(
        !screen.contains(w.form_title) && !screen.contains(w.typed),
        "{screen}"
    );
}

#[test]
fn esc_on_a_changed_form_asks_names_the_fields_and_enter_keeps_editing_en() {
    esc_on_a_changed_form_asks(&EN);
}

#[test]
fn esc_on_a_changed_form_asks_names_the_fields_and_enter_keeps_editing_fr() {
    esc_on_a_changed_form_asks(&FR);
}

fn session_gone(t: &Tmux) -> bool {
    !t.tmux(&["list-sessions"]).contains("j:")
}

/// Ctrl-c asks (this window sends the demo's queue), Enter stays; inside a form it names the
/// unsaved fields; Ctrl-c Ctrl-c quits.
#[test]
fn ctrl_c_asks_before_quitting_and_says_this_window_is_sending() {
    let dir = tempfile::tempdir().unwrap();
    let Some((t, _db)) = start(dir.path(), "en", "ctrlc") else {
        return;
    };
    // The scheduler takes the sending lease on its first pass; before that, nothing is
    // sent from here and Ctrl-c rightly quits at once. The dashboard names the holder.
    t.wait_for_lease();
    t.keys(&["C-c"]);
    let screen = t.wait_for("This window is the one sending");
    assert!(screen.contains("Quit smsdesk?"), "{screen}");
    assert!(screen.contains("queued message(s)"), "{screen}");
    assert!(screen.contains("[ Stay ]"), "{screen}");
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!t.screen().contains("Quit smsdesk?"), "{}", t.screen());
    assert!(!session_gone(&t));

    // Inside a form, Ctrl-c is not text: it asks, naming the tab and the field.
    t.keys(&["9", "n"]);
    t.wait_for("New free send");
    t.type_text("0612345678");
    t.keys(&["C-c"]);
    let screen = t.wait_for("Quit smsdesk?");
    assert!(screen.contains("Free: Recipients"), "{screen}");
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    let screen = t.screen();
    assert!(
        screen.contains("New free send") && screen.contains("0612345678"),
        "{screen}"
    );
    t.keys(&["C-c", "C-c"]);
    let until = Instant::now() + Duration::from_secs(10);
    while !session_gone(&t) {
        assert!(Instant::now() < until, "still running:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn cancelled(db: &Path) -> usize {
    cli(
        db,
        &["list", "sent", "--status", "cancelled", "--limit", "100000"],
    )
    .as_array()
    .unwrap()
    .len()
}

/// Upcoming: `x` with nothing selected names the message; Enter keeps it; `A x Enter` cancels
/// nothing; `A x y` cancels them all.
fn cancelling_needs_an_explicit_yes(lang: &str) {
    let dir = tempfile::tempdir().unwrap();
    let Some((t, db)) = start(dir.path(), lang, "cancel") else {
        return;
    };
    let (named, keep_it, keep_them, yes) = if lang == "fr" {
        (
            "Annuler le message à",
            "[ Le garder ]",
            "[ Les garder ]",
            "o",
        )
    } else {
        ("Cancel the message to", "[ Keep it ]", "[ Keep them ]", "y")
    };
    let before = cancelled(&db);
    t.keys(&["7"]);
    std::thread::sleep(Duration::from_millis(500));
    t.keys(&["x"]);
    let screen = t.wait_for(named);
    assert!(screen.contains(keep_it), "{screen}");
    // The recipient of the row under the cursor is named.
    let first = screen
        .lines()
        .find(|l| l.contains(named))
        .unwrap_or_default()
        .to_string();
    assert!(first.contains('('), "recipient and number: {screen}");
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(cancelled(&db), before, "Enter cancelled the message");

    t.keys(&["A", "x"]);
    let screen = t.wait_for(keep_them);
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(cancelled(&db), before, "A x Enter cancelled:\n{screen}");
    // The explicit yes does.
    t.keys(&["x", yes]);
    let until = Instant::now() + Duration::from_secs(10);
    while cancelled(&db) == before {
        assert!(Instant::now() < until, "nothing cancelled:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn x_names_the_message_and_enter_after_select_all_cancels_nothing_en() {
    cancelling_needs_an_explicit_yes("en");
}

#[test]
fn x_names_the_message_and_enter_after_select_all_cancels_nothing_fr() {
    cancelling_needs_an_explicit_yes("fr");
}

/// The automations as the command line sees them: (name, active).
fn rules(db: &Path) -> Vec<(String, bool)> {
    cli(db, &["automations"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap_or_default().to_string(),
                a["active"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

/// Automations: deleting a rule, switching it off (its reminders at stake: three answers) and
/// deleting one without reminders (two buttons) all keep everything on Enter; the hints name
/// what Enter does; `n` and `y` / `o` still answer.
fn automations_keep_everything_on_enter(lang: &str) {
    let dir = tempfile::tempdir().unwrap();
    let Some((t, db)) = start(dir.path(), lang, "autos") else {
        return;
    };
    let (tab, nothing_hint, no_button, yes) = if lang == "fr" {
        ("Automatismes", "Entrée ne rien faire", "[ Non ]", "o")
    } else {
        ("Automations", "Enter do nothing", "[ No ]", "y")
    };
    let before = rules(&db);
    assert!(before.iter().all(|(_, on)| *on), "{before:?}");
    let waiting = cancelled(&db);
    t.keys(&["4"]);
    t.wait_for(tab);
    let gone = |t: &Tmux| {
        t.wait_in(
            "j",
            Duration::from_secs(5),
            |s| !s.contains('┌'),
            "the question closed",
        )
    };
    // Delete the first rule, 19 reminders at stake: Enter does nothing.
    t.keys(&["d"]);
    let screen = t.wait_for(nothing_hint);
    t.keys(&["Enter"]);
    gone(&t);
    // Switch it off: Enter does nothing either.
    t.keys(&["t"]);
    t.wait_for(nothing_hint);
    t.keys(&["Enter"]);
    gone(&t);
    // A rule without reminders waiting: two buttons, "No" first.
    t.keys(&["Down", "d"]);
    let buttons = t.wait_for(no_button);
    t.keys(&["Enter"]);
    gone(&t);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        rules(&db),
        before,
        "Enter changed a rule:\n{screen}\n{buttons}"
    );
    assert_eq!(cancelled(&db), waiting, "Enter cancelled reminders");
    // `n` switches the first rule off and keeps its reminders; `y` / `o` deletes the second.
    t.keys(&["Up", "t"]);
    t.wait_for(nothing_hint);
    t.keys(&["n"]);
    gone(&t);
    t.keys(&["Down", "d"]);
    t.wait_for(no_button);
    t.keys(&[yes]);
    let until = Instant::now() + Duration::from_secs(10);
    while rules(&db).len() == before.len() {
        assert!(Instant::now() < until, "not deleted:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(200));
    }
    let after = rules(&db);
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(
        after.iter().any(|(name, on)| *name == before[0].0 && !on),
        "{after:?}"
    );
    assert_eq!(cancelled(&db), waiting, "n cancelled reminders");
}

#[test]
fn automations_delete_and_switch_off_keep_everything_on_enter_en() {
    automations_keep_everything_on_enter("en");
}

#[test]
fn automations_delete_and_switch_off_keep_everything_on_enter_fr() {
    automations_keep_everything_on_enter("fr");
}

/// A changed form keeps the keyboard: Tab, BackTab, a tab's digit and `q` go to the form
/// (typed, or moving between fields), never to another tab or out; Esc then asks. One form of
/// each kind: Batch, Free, Settings, the composer of an individual SMS.
fn tab_keys_stay_in_a_changed_form(w: &Words) {
    let dir = tempfile::tempdir().unwrap();
    let Some((t, _db)) = start(dir.path(), w.lang, "tabkeys") else {
        return;
    };
    let fr = w.lang == "fr";
    let forms: [(&[&str], &str); 4] = [
        (
            &["8", "n"],
            if fr {
                "Nouvel envoi groupé"
            } else {
                "New batch"
            },
        ),
        (&["9", "n"], w.form_title),
        (&["2", "m"], if fr { "Paramètres" } else { "Settings" }),
        (&["c", "j", "n"], if fr { "SMS à " } else { "SMS to " }),
    ];
    for (open, title) in forms {
        t.keys(open);
        t.wait_for(title);
        t.type_text("Rdv");
        t.wait_for("Rdv");
        t.keys(&["Tab", "BTab", "6", "q", "Tab", "7"]);
        std::thread::sleep(Duration::from_millis(300));
        let screen = t.screen();
        let frame = screen.lines().nth(1).unwrap_or_default();
        assert!(
            frame.starts_with('┌') && frame.contains(title),
            "{title}: the form is gone after Tab, BackTab, 6, q:\n{screen}"
        );
        t.keys(&["Escape"]);
        let asked = t.wait_for(w.discard_title);
        assert!(asked.contains(w.keep), "{asked}");
        t.keys(&[w.yes]);
        t.wait_in(
            "j",
            Duration::from_secs(5),
            |s| !s.lines().nth(1).unwrap_or_default().starts_with('┌'),
            "the form closed",
        );
    }
}

#[test]
fn tab_keys_stay_in_a_changed_form_en() {
    tab_keys_stay_in_a_changed_form(&EN);
}

#[test]
fn tab_keys_stay_in_a_changed_form_fr() {
    tab_keys_stay_in_a_changed_form(&FR);
}

/// Settings: the question before saving says Enter saves and Esc goes back to the form; Esc
/// keeps what was typed (nothing is discarded by an answer), Enter then saves it.
#[test]
fn the_settings_question_saves_on_enter_and_esc_keeps_the_typing() {
    let dir = tempfile::tempdir().unwrap();
    let Some((t, db)) = start(dir.path(), "en", "setq") else {
        return;
    };
    t.keys(&["2", "m"]);
    t.wait_for("Bretagne Sud");
    t.type_text(" X");
    t.keys(&["C-s"]);
    let screen = t.wait_for("Enter save  Esc back to the form");
    assert!(screen.contains("(nothing typed is lost)"), "{screen}");
    t.keys(&["Escape"]);
    let screen = t.wait_in(
        "j",
        Duration::from_secs(5),
        |s| !s.contains("Esc back to the form"),
        "the question closed",
    );
    assert!(
        screen.contains("Bretagne Sud X"),
        "the typing stays:\n{screen}"
    );
    t.keys(&["C-s"]);
    t.wait_for("Enter save");
    t.keys(&["Enter"]);
    let until = Instant::now() + Duration::from_secs(10);
    while cli(&db, &["settings", "get", "organisation"])["value"]
        != "Maison de l'Emploi de Bretagne Sud X"
    {
        assert!(Instant::now() < until, "not saved:\n{}", t.screen());
        std::thread::sleep(Duration::from_millis(200));
    }
}
