//! Layout in a real terminal at 80×24: tables fill the width and mark their cuts, the tab bar
//! follows the current tab, the terminal's cursor sits where text is typed, and a new store
//! says what to do first.
//!
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

mod support;

use std::path::Path;
use support::smsdesk::{demo, run as smsdesk};
use support::tmux::{Tmux, smsdesk_command};

/// The TUI on `db` in language `lang` (`en_US`, `fr_FR`), in an 80×24 tmux.
fn open(dir: &Path, db: &Path, lang: &str, name: &str) -> Option<Tmux> {
    let cmd = smsdesk_command(
        &format!("{lang}.UTF-8"),
        dir,
        &format!("--db {} --user admin", db.display()),
    );
    Tmux::start(&format!("smsdesk-{name}-{}", std::process::id()), &cmd)
}

/// `(x, y, shown)` of the terminal's cursor.
fn cursor(t: &Tmux) -> (usize, usize, bool) {
    let out = t.tmux(&[
        "display",
        "-p",
        "-t",
        "j",
        "#{cursor_x} #{cursor_y} #{cursor_flag}",
    ]);
    let v: Vec<usize> = out.split_whitespace().map(|n| n.parse().unwrap()).collect();
    (v[0], v[1], v[2] == 1)
}

/// Types `text` and checks the terminal's cursor is shown right after it.
fn type_and_check_cursor(t: &Tmux, text: &str) {
    t.type_text(text);
    let s = t.wait_for(text);
    let (x, y, shown) = cursor(t);
    assert!(shown, "cursor shown after {text:?}:\n{s}");
    let line = s.lines().nth(y).unwrap();
    let end = line.find(text).map(|i| i + text.len());
    assert_eq!(
        end.map(|e| unicode_width::UnicodeWidthStr::width(&line[..e])),
        Some(x),
        "cursor right after {text:?}:\n{s}"
    );
}

fn width(line: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(line.trim_end())
}

#[test]
fn sent_fills_the_width_and_marks_cut_texts() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let Some(t) = open(dir.path(), &db, "en_US", "cols") else {
        return;
    };
    t.wait_for("Dashboard");
    t.keys(&["6"]);
    let s = t.wait_for("Recipient");
    let lines: Vec<&str> = s.lines().collect();
    let header = lines.iter().position(|l| l.contains("Recipient")).unwrap();
    // The table's rows: down to the status line and the footer.
    let rows = &lines[header + 1..lines.len() - 2];
    // The last column ends at the right edge, on its title or its widest row (a column of
    // short numbers ends with its title): no free columns left, whatever the page holds.
    assert_eq!(
        lines[header..lines.len() - 2]
            .iter()
            .map(|l| width(l))
            .max(),
        Some(80),
        "the table spans the width:\n{s}"
    );
    // The text column: from its title to the next one (titles are ASCII here).
    let head = lines[header];
    let text_at = head.find("Text").unwrap();
    let next_at = text_at + 4 + head[text_at + 4..].find(|c: char| c != ' ').unwrap();
    assert!(
        next_at - text_at > 16,
        "wider than the 13 columns it had:\n{s}"
    );
    let mut cut = 0;
    for row in rows {
        let text: String = row.chars().skip(text_at).take(next_at - text_at).collect();
        let text = text.trim_end();
        // A text filling its column was cut: it says so.
        if text.chars().count() == next_at - text_at - 1 {
            assert!(text.ends_with('…'), "silent cut {text:?}:\n{s}");
            cut += 1;
        }
    }
    assert!(cut > 0, "long texts are cut with …:\n{s}");
    t.keys(&["7"]);
    let s = t.wait_for("Status: not yet sent");
    assert!(
        !s.lines().skip(3).any(|l| l.contains("not yet sent")),
        "the same status is not repeated on every row:\n{s}"
    );
    t.quit();
}

#[test]
fn the_tab_bar_shows_the_tab_each_key_opens() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    for (lang, labels) in [
        (
            "en_US",
            [
                "Dashboard",
                "Settings",
                "Templates",
                "Automations",
                "Users",
                "Sent",
                "Upcoming",
                "Batch",
                "Free",
                "Agenda",
                "Contacts",
                "Inbox",
            ],
        ),
        (
            "fr_FR",
            [
                "Tableau de bord",
                "Paramètres",
                "Modèles",
                "Automatismes",
                "Utilisateurs",
                "Envoyés",
                "À venir",
                "Groupé",
                "Libre",
                "Agenda",
                "Contacts",
                "Réponses",
            ],
        ),
    ] {
        let Some(t) = open(dir.path(), &db, lang, "tabs") else {
            return;
        };
        t.wait_for(labels[0]);
        let keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "c", "i"];
        for (key, label) in keys.iter().zip(labels) {
            t.keys(&[key]);
            let want = format!("{key} {label}");
            t.wait_in(
                "j",
                std::time::Duration::from_secs(5),
                |s| s.lines().next().is_some_and(|l| l.contains(&want)),
                &want,
            );
        }
        t.quit();
    }
}

#[test]
fn the_cursor_is_where_text_is_typed_and_hidden_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let Some(t) = open(dir.path(), &db, "en_US", "cursor") else {
        return;
    };
    t.wait_for("Dashboard");
    t.keys(&["6"]);
    t.wait_for("Recipient");
    assert!(!cursor(&t).2, "no cursor on a list");
    // The filter bar: after "/ abc".
    t.keys(&["/"]);
    t.type_text("abc");
    let s = t.wait_for("/ abc");
    let (x, y, shown) = cursor(&t);
    assert!(shown, "cursor shown in the filter bar:\n{s}");
    assert_eq!((x, y), (5, 1), "after `/ abc`:\n{s}");
    t.keys(&["Escape"]);
    // A question with a line to type (the export's file): after the text.
    t.keys(&["e"]);
    t.wait_for("File: ");
    type_and_check_cursor(&t, "-1.csv");
    t.keys(&["Escape"]);
    // A form's text field: right after the typed name.
    t.keys(&["3", "n"]);
    t.wait_for("New template");
    type_and_check_cursor(&t, "Reminder");
    // The composer: after the text typed in it.
    let mut found = false;
    for _ in 0..8 {
        t.keys(&["Tab"]);
        std::thread::sleep(std::time::Duration::from_millis(150));
        let (_, y, shown) = cursor(&t);
        if shown && y > 8 {
            found = true;
            break;
        }
    }
    assert!(found, "the composer takes the keyboard:\n{}", t.screen());
    type_and_check_cursor(&t, "Hello");
    // A question over the form takes the keyboard: no cursor behind it.
    t.keys(&["Escape"]);
    let s = t.wait_for("Keep editing");
    assert!(!cursor(&t).2, "no cursor behind the question:\n{s}");
}

#[test]
fn a_new_store_names_its_first_steps() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    smsdesk(&db, &["list", "sent"]);
    let Some(t) = open(dir.path(), &db, "en_US", "empty") else {
        return;
    };
    let s = t.wait_for("First steps");
    for step in [
        "Import your contacts: key c (Contacts), then I",
        "Write a message template: key 3 (Templates), then n",
        "Configure the SMS provider: key 2 (Settings)",
        "Add a credit pack: key n here",
    ] {
        assert!(s.contains(step), "{step:?} missing:\n{s}");
    }
    t.keys(&["c"]);
    t.wait_for("No contacts yet. I imports a CSV or Excel file");
    t.keys(&["6"]);
    t.wait_for("Nothing sent yet. To send: c (Contacts)");
    t.keys(&["3"]);
    t.wait_for("No templates. n writes one");
    t.quit();
    let Some(t) = open(dir.path(), &db, "fr_FR", "empty-fr") else {
        return;
    };
    let s = t.wait_for("Premiers pas");
    assert!(
        s.contains("Importez vos contacts : touche c (Contacts), puis I"),
        "{s}"
    );
    t.quit();
}

/// At 40×12 Sent and Upcoming still show the text (at least ten cells of it, cut with "…"),
/// the lesser columns giving way first.
fn narrow_lists_keep_their_text(lang: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let Some(t) = Tmux::server(&format!("smsdesk-narrow-{lang}-{}", std::process::id())) else {
        return;
    };
    let cmd = smsdesk_command(
        &format!("{lang}.UTF-8"),
        dir.path(),
        &format!("--db {} --user admin", db.display()),
    );
    t.tmux(&["new-session", "-d", "-s", "j", "-x", "40", "-y", "12", &cmd]);
    let fr = lang == "fr_FR";
    let (text, time) = if fr {
        ("Texte", "Envoyé")
    } else {
        ("Text", "Sent")
    };
    for (key, first) in [("6", time), ("7", if fr { "Prévu" } else { "Planned" })] {
        t.keys(&[key]);
        let s = t.wait_in(
            "j",
            std::time::Duration::from_secs(10),
            |s| s.lines().any(|l| l.contains(first) && l.contains(text)),
            "the text column's title",
        );
        let lines: Vec<&str> = s.lines().collect();
        let header = lines
            .iter()
            .position(|l| l.contains(first) && l.contains(text))
            .unwrap();
        let at = lines[header].find(text).unwrap();
        let at = unicode_width::UnicodeWidthStr::width(&lines[header][..at]);
        let row = lines[header + 1];
        let cell: String = row.chars().skip(at).collect();
        assert!(
            cell.trim_end().chars().count() >= 10 && cell.trim_end().ends_with('…'),
            "ten cells of text at least, cut with …: {cell:?}\n{s}"
        );
        assert!(lines.iter().all(|l| width(l) <= 40), "{s}");
    }
}

#[test]
fn sent_and_upcoming_keep_a_text_column_at_40_columns() {
    narrow_lists_keep_their_text("en_US");
}

#[test]
fn envoyes_et_a_venir_gardent_le_texte_sur_40_colonnes() {
    narrow_lists_keep_their_text("fr_FR");
}

/// Where the terminal's cursor stands, no drawn block `█` sits on it: in a form's field, in
/// the composer and in the filter bar, only the real cursor, right after the typed text.
#[test]
fn the_real_cursor_replaces_the_drawn_block_where_text_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let Some(t) = open(dir.path(), &db, "fr_FR", "block") else {
        return;
    };
    t.wait_for("Tableau de bord");
    t.keys(&["9", "n"]);
    t.wait_for("Nouvel envoi libre");
    type_and_check_cursor(&t, "0612345678");
    assert!(
        !t.screen().contains('█'),
        "a block on the cursor:\n{}",
        t.screen()
    );
    t.keys(&["Tab", "Tab", "Tab"]);
    type_and_check_cursor(&t, "Bonjour");
    assert!(
        !t.screen().contains('█'),
        "a block on the cursor:\n{}",
        t.screen()
    );
    t.keys(&["Escape", "o"]);
    t.keys(&["6", "/"]);
    type_and_check_cursor(&t, "abc");
    assert!(
        !t.screen().contains('█'),
        "a block on the cursor:\n{}",
        t.screen()
    );
}
