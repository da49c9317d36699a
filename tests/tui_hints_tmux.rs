//! Footers and help in a real terminal at 80×24: a footer cut by the width ends with
//! "… ? aide", and `?` (or F1) inside a form shows the form's keys first.
//!
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

mod support;

use support::smsdesk::demo;
use support::tmux::{Tmux, smsdesk_command};

/// The last non-empty line of the screen: the footer.
fn footer(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_end()
}

#[test]
fn cut_footers_end_with_the_help_key_and_help_in_a_form_starts_with_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let cmd = smsdesk_command(
        "fr_FR.UTF-8",
        dir.path(),
        &format!("--db {} --user admin", db.display()),
    );
    let Some(t) = Tmux::start(&format!("smsdesk-hints-{}", std::process::id()), &cmd) else {
        return;
    };
    t.wait_for("Tableau de bord");

    // Upcoming's footer does not fit in 80 columns: it says so and where the rest is.
    t.keys(&["7"]);
    let screen = t.wait_for("? aide");
    assert!(footer(&screen).ends_with("… ? aide"), "{screen}");
    // And the help lists what the footer had to leave out.
    t.keys(&["?"]);
    let screen = t.wait_for("Ici : À venir");
    for hidden in [
        "annuler les messages",
        "changer l'heure",
        "modifier le texte",
        "exporter",
        "filtrer",
    ] {
        assert!(screen.contains(hidden), "{hidden}:\n{screen}");
    }
    t.keys(&["Escape"]);

    // In the template editor, on a choice (nothing is typed there), `?` opens the help on
    // the form's own keys, before anything else.
    t.keys(&["3"]);
    t.wait_for("Modèles");
    t.keys(&["n"]);
    t.wait_for("Nom");
    t.keys(&["Tab"]);
    let screen = t.wait_for("choisir");
    assert!(footer(&screen).contains("? aide"), "{screen}");
    t.keys(&["?"]);
    let screen = t.wait_for("Raccourcis clavier");
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("Ici : Modèles"))
        .unwrap_or_else(|| panic!("no form section first:\n{screen}"));
    let next = lines[at + 1];
    assert!(
        next.contains("Ctrl-s") && next.contains("enregistrer"),
        "{screen}"
    );
    assert!(screen.contains("← →"), "{screen}");
    assert!(
        !screen.contains("Partout"),
        "global keys are typed in a form:\n{screen}"
    );
    t.keys(&["Escape"]);

    // On a text field `?` is typed; F1 opens the same help.
    t.keys(&["BTab"]);
    t.type_text("Rappel ?");
    let screen = t.wait_for("Rappel ?");
    assert!(footer(&screen).contains("F1 aide"), "{screen}");
    t.keys(&["F1"]);
    let screen = t.wait_for("Raccourcis clavier");
    assert!(screen.contains("effacer le champ"), "{screen}");
}
