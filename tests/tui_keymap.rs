//! The key-map test: in every tab and mode (list, form field by field, composer, question,
//! filter bar), every footer hint and every line of the `?` window names keys that, pressed
//! there, run what the hint says. A hint whose key has no handler fails.

mod tui_fixture;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::i18n::Lang;
use smsdesk::keymap::{Action, KeyChord};
use smsdesk::tui::hints::Hint;
use smsdesk::tui::{App, Tab};
use std::path::{Path, PathBuf};
use tui_fixture::*;

/// The demo store, built once and copied for every fresh app (each hint is pressed on an
/// app of its own, in the mode under test).
struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        smsdesk::demo::create(&dir.path().join("demo.db"), 2026, "admin", now()).unwrap();
        Demo { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("demo.db")
    }
}

/// A fresh app on a copy of the demo store (the copy's directory lives as long as the app).
fn fresh(demo: &Path, lang: Lang) -> (tempfile::TempDir, App) {
    fresh_as(demo, lang, "admin")
}

/// The same, used by `login` (an operator without the administrator's right sees fewer keys).
fn fresh_as(demo: &Path, lang: Lang, login: &str) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    std::fs::copy(demo, &path).unwrap();
    let mut store = smsdesk::store::Store::open(&path).unwrap();
    let actor = smsdesk::core::Actor::identify(&mut store, login, now()).unwrap();
    let clock = smsdesk::clock::Clock::fixed(now());
    let app = App::new(
        store,
        actor,
        lang,
        smsdesk::keymap::Keymap::defaults(),
        clock,
    );
    (dir, app)
}

fn event(chord: KeyChord) -> KeyEvent {
    KeyEvent::new(chord.code, chord.mods)
}

/// A tab and the keys that bring it to the mode under test.
#[derive(Clone)]
struct Mode {
    name: String,
    tab: Tab,
    keys: Vec<KeyEvent>,
    /// A form or editor has the keyboard in this mode (checked: a mode that did not open
    /// would test the list again).
    editing: bool,
    login: &'static str,
}

impl Mode {
    fn new(name: &str, tab: Tab, keys: &str) -> Mode {
        Mode {
            name: name.into(),
            tab,
            // `\n` stands for Enter.
            keys: keys
                .chars()
                .map(|c| match c {
                    '\n' => code(KeyCode::Enter),
                    c => key(c),
                })
                .collect(),
            editing: false,
            login: "admin",
        }
    }

    fn then(&self, name: &str, more: &[KeyEvent]) -> Mode {
        let mut m = self.clone();
        m.name = format!("{} / {name}", self.name);
        m.keys.extend_from_slice(more);
        m
    }

    fn enter(&self, demo: &Path, lang: Lang) -> (tempfile::TempDir, App) {
        let (dir, mut app) = fresh_as(demo, lang, self.login);
        app.switch_to(self.tab);
        for k in &self.keys {
            app.handle_key(*k);
        }
        render(&mut app, 100, 30);
        (dir, app)
    }
}

/// Everything a key can change that a hint may promise: the screen, the tab, a window.
fn state(app: &mut App) -> (String, Tab, bool, bool) {
    (
        render(app, 100, 30),
        app.tab(),
        app.has_popup(),
        app.is_editing(),
    )
}

/// Presses `hint` in `mode` on a fresh app; the failure, if any, says why.
fn press_hint(demo: &Path, mode: &Mode, hint: &Hint) -> Result<(), String> {
    if hint.chords.is_empty() {
        return Err(format!("names no key: {hint:?}"));
    }
    // A pair of directions (`← →`, `↑↓`) acts as long as one of them moves something (at
    // the top of a list ↑ has nowhere to go); any other key must act every time.
    let pair = hint.chords.len() > 1;
    let mut moved = false;
    let mut last_err = String::new();
    for chord in &hint.chords {
        let (_dir, mut app) = mode.enter(demo, Lang::En);
        let through_keymap = !app.has_popup() && !app.is_editing();
        let before = state(&mut app);
        app.handle_key(event(*chord));
        let after = state(&mut app);
        let run = app.last_run();
        match (hint.action, run) {
            // A bound list or global key: the same dispatch ran this action, and the tab's
            // handler answered it.
            (Some(a @ (Action::List(_) | Action::Global(_))), _) if through_keymap => match run {
                Some((ran, true)) if ran == a => moved = true,
                other => last_err = format!("{chord:?} ran {other:?}, hint says {a:?}"),
            },
            // Keys of a form, a window or a field: they must do something visible.
            _ if before == after => last_err = format!("{chord:?} changed nothing"),
            _ => moved = true,
        }
        if !last_err.is_empty() && !pair {
            return Err(last_err);
        }
    }
    if moved { Ok(()) } else { Err(last_err) }
}

/// Every hint of the footer (its full list, before the width cuts it) and every line of the
/// `?` window, pressed one by one in `mode`.
fn check_mode(demo: &Path, mode: &Mode, failures: &mut Vec<String>) {
    let (_dir, app) = mode.enter(demo, Lang::En);
    if app.is_editing() != mode.editing {
        failures.push(format!("{}: not in the mode under test", mode.name));
        return;
    }
    let mut hints = app.context_hints();
    // Under a window, the window's keys are the ones that work.
    if !app.has_popup() {
        for (_, section) in app.help_sections() {
            hints.extend(section);
        }
    }
    let mut seen = Vec::new();
    for hint in hints {
        if seen.contains(&(hint.chords.clone(), hint.action)) {
            continue;
        }
        seen.push((hint.chords.clone(), hint.action));
        if let Err(why) = press_hint(demo, mode, &hint) {
            failures.push(format!("{}: {} {}: {why}", mode.name, hint.key, hint.desc));
        }
    }
}

/// The modes of a form: its first field, then each next field (Tab), up to `fields`.
fn form_modes(base: Mode, fields: usize) -> Vec<Mode> {
    (0..fields)
        .map(|i| {
            let tabs = vec![KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE); i];
            base.then(&format!("field {i}"), &tabs)
        })
        .collect()
}

fn all_modes() -> Vec<Mode> {
    let mut modes: Vec<Mode> = Tab::ALL
        .iter()
        .map(|t| Mode::new(&format!("{t:?} list"), *t, ""))
        .collect();
    // An operator without the administrator's right: fewer tabs, fewer keys.
    for t in Tab::ALL {
        let mut m = Mode::new(&format!("{t:?} list (operator)"), t, "");
        m.login = "claire.martin";
        modes.push(m);
    }
    modes.push(Mode::new("Upcoming question", Tab::Upcoming, "x"));
    // Windows over a tab: the help, the own-language chooser, a question with a text.
    modes.push(Mode::new("Upcoming help", Tab::Upcoming, "?j"));
    modes.push(Mode::new("Language window", Tab::Sent, "L"));
    modes.push(Mode::new("Contacts save list", Tab::Contacts, " s"));
    // A batch's messages, narrowed from its history (Esc goes back).
    for tab in [Tab::Batch, Tab::Free] {
        let mut m = Mode::new(&format!("{tab:?} → its messages"), tab, "");
        m.keys.push(code(KeyCode::Enter));
        modes.push(m);
    }
    modes.push(Mode {
        name: "Sent filter bar".into(),
        tab: Tab::Sent,
        keys: vec![key('/')],
        editing: false,
        login: "admin",
    });
    let forms = [
        (Mode::new("Dashboard pack", Tab::Dashboard, "n"), 4),
        (Mode::new("Settings form", Tab::Settings, "m"), 12),
        (Mode::new("Template editor", Tab::Templates, "n"), 7),
        (Mode::new("Automation editor", Tab::Automations, "n"), 8),
        (Mode::new("User form", Tab::Users, "n"), 4),
        (Mode::new("Batch form", Tab::Batch, "n"), 12),
        (Mode::new("Free form", Tab::Free, "n"), 3),
        (Mode::new("Agenda event", Tab::Agenda, "n"), 4),
        (Mode::new("Agenda reminder", Tab::Agenda, "t"), 3),
        (Mode::new("Dashboard unknown", Tab::Dashboard, "\n"), 3),
        (Mode::new("Contacts lists", Tab::Contacts, "l"), 1),
        (Mode::new("Contacts composer", Tab::Contacts, "jn"), 3),
        (Mode::new("Inbox answer", Tab::Inbox, "r"), 3),
        (Mode::new("Inbox outcome", Tab::Inbox, "tm"), 3),
        (Mode::new("Contacts new contact", Tab::Contacts, "N"), 12),
        (Mode::new("Contacts edit contact", Tab::Contacts, "jm"), 12),
        (Mode::new("Contacts card", Tab::Contacts, "j\n"), 1),
        (
            Mode::new("Contacts card composer", Tab::Contacts, "j\nn"),
            1,
        ),
    ];
    for (mut base, fields) in forms {
        base.editing = true;
        modes.extend(form_modes(base, fields));
    }
    let mut keys = Mode::new("User keys", Tab::Users, "K");
    keys.editing = true;
    modes.push(keys);
    // A composer with a character outside GSM-7, where Ctrl-t has something to do.
    let mut composer = Mode::new("Upcoming text", Tab::Upcoming, "w");
    composer.keys.extend([key('’'), key('a')]);
    composer.editing = true;
    modes.push(composer);
    // The merge-field picker over the composer (two Tabs: the composer of the send form).
    let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
    let mut picker = Mode::new("Contacts composer picker", Tab::Contacts, "jn");
    picker.keys.extend([tab, tab, ctrl('f')]);
    picker.editing = true;
    modes.push(picker);
    modes
}

#[test]
fn every_hint_and_help_line_runs_what_it_names_in_every_tab_and_mode() {
    let demo = Demo::new();
    let mut failures = Vec::new();
    for mode in all_modes() {
        check_mode(&demo.path(), &mode, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The hints that used to lie (Agenda `t` "on / off" opened the reminder, `d` "delete"
/// cancelled the event, Inbox `t` / `m`, Contacts `t`, Upcoming `x` read as "clear the
/// selection") now name what happens, and the key does it.
#[test]
fn hints_name_what_their_key_does_in_french_and_english() {
    // (tab, keys before, key, French label, English label, French screen, English screen)
    let cases: &[(Tab, &str, char, &str, &str, &str, &str)] = &[
        // "" : the key opens a form (the reminder window).
        (Tab::Agenda, "", 't', "rappel SMS", "SMS reminder", "", ""),
        (
            Tab::Agenda,
            "",
            'd',
            "annuler l'événement",
            "cancel event",
            "Annuler l'événement",
            "Cancel the event",
        ),
        (
            Tab::Inbox,
            "",
            't',
            "à vérifier / toutes",
            "to review / all",
            "à vérifier seulement",
            "review list only",
        ),
        // "" : the key opens a form (the composer, to the number that wrote).
        (Tab::Inbox, "", 'r', "répondre", "answer", "", ""),
        (
            Tab::Inbox,
            "t",
            'm',
            "résultat",
            "outcome",
            "Choisir le résultat",
            "Choose the outcome",
        ),
        (
            Tab::Contacts,
            "j",
            't',
            "STOP (désinscrire)",
            "STOP (opt out)",
            "Opposition (STOP)",
            "Opt-out (STOP)",
        ),
        (
            Tab::Contacts,
            "j",
            'm',
            "modifier le contact",
            "edit contact",
            "",
            "",
        ),
        (
            Tab::Contacts,
            "",
            'N',
            "nouveau contact",
            "new contact",
            "",
            "",
        ),
        (
            Tab::Contacts,
            "j",
            'd',
            "archiver",
            "archive",
            "Archiver le contact",
            "Archive the contact",
        ),
        (
            Tab::Upcoming,
            "",
            'x',
            "annuler les messages",
            "cancel messages",
            "Annuler des messages",
            "Cancel messages",
        ),
    ];
    let demo = Demo::new();
    for &(tab, before, k, fr, en, fr_screen, en_screen) in cases {
        for (lang, label, shown) in [(Lang::Fr, fr, fr_screen), (Lang::En, en, en_screen)] {
            let (_dir, mut app) = fresh(&demo.path(), lang);
            app.switch_to(tab);
            press(&mut app, before);
            let hint = app
                .context_hints()
                .into_iter()
                .find(|h| h.key == k.to_string())
                .unwrap_or_else(|| panic!("{tab:?}: no hint for {k}"));
            assert_eq!(hint.desc, label, "{tab:?} {k}");
            let before_screen = render(&mut app, 100, 30);
            app.handle_key(key(k));
            let screen = render(&mut app, 100, 30);
            if shown.is_empty() {
                assert!(app.is_editing(), "{tab:?} {k} ({lang:?}):\n{screen}");
            } else {
                assert!(!before_screen.contains(shown), "{before_screen}");
                assert!(screen.contains(shown), "{tab:?} {k} ({lang:?}):\n{screen}");
            }
        }
    }
}
