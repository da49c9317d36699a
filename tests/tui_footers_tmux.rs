//! Footers in a real terminal at 80×24, French and English: every tab's list, the main forms,
//! the filter bar, the help and a read-only window. Each footer's `key label` hints are read
//! off the screen and checked against the live key map (the shipped `keymap.toml` overlaid by
//! the operator's own, loaded through `smsdesk::keymap` as the binary loads it): the key is
//! bound in that screen's context (or globally) and the label is the one the key map gives
//! it, or the screen's own meaning of that action (`hint.*`), or a field key that no binding
//! of the form shadows. A cut footer ends with "… ? aide" / "… ? help".
//!
//! The in-process `tui_keymap` test presses every hint; this one checks what a terminal shows.
//! Skipped with a message when tmux is missing, unless `CI=true` (CI installs it).

mod support;

use smsdesk::i18n::{Lang, tr};
use smsdesk::keymap::{Action, Context, EditorAction, GlobalAction, Keymap, ListAction};
use smsdesk::tui::Tab;
use smsdesk::tui::hints::{Hint, Hints};
use std::time::{Duration, Instant};
use support::smsdesk::demo;
use support::tmux::{Tmux, smsdesk_command};

/// The operator's own key map: export described in their words, to show that footers follow
/// the live map (a binding the operator described is shown as written, in both languages).
const USER_KEYMAP: &str = r#"
[[list]]
on = "e"
action = "export"
desc = "CSV"
"#;

/// What has the keyboard in a mode, for the contexts its hints may come from.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// A tab's list: list and global bindings; the footer ends with the help key.
    List,
    /// A form or editor: editor bindings, the help key on a choice, field keys.
    Form,
    /// The filter bar: editor bindings and Enter to apply.
    Filter,
    /// A window over the screen (help, a message, a dry run): dialog and movement keys, and
    /// the help key that ends its footer.
    Window,
}

/// Where a screen gives an action its own meaning (`Tab` × action × catalogue key), as the
/// tabs declare it; any other bound key carries the key map's label.
const OWN_MEANINGS: &[(Option<Tab>, Action, &str)] = &[
    (
        Some(Tab::Dashboard),
        Action::List(ListAction::New),
        "hint.dashboard_pack",
    ),
    (
        Some(Tab::Dashboard),
        Action::List(ListAction::Open),
        "hint.dashboard_unknown",
    ),
    (
        Some(Tab::Dashboard),
        Action::List(ListAction::Edit),
        "hint.dashboard_unknown",
    ),
    (
        Some(Tab::Agenda),
        Action::List(ListAction::New),
        "hint.agenda_new",
    ),
    (
        Some(Tab::Agenda),
        Action::List(ListAction::Edit),
        "hint.agenda_edit",
    ),
    (
        Some(Tab::Agenda),
        Action::List(ListAction::Open),
        "hint.agenda_reminder",
    ),
    (
        Some(Tab::Agenda),
        Action::List(ListAction::Toggle),
        "hint.agenda_reminder",
    ),
    (
        Some(Tab::Agenda),
        Action::List(ListAction::Delete),
        "hint.agenda_cancel",
    ),
    (
        Some(Tab::Inbox),
        Action::List(ListAction::Open),
        "hint.inbox_open",
    ),
    (
        Some(Tab::Inbox),
        Action::List(ListAction::Toggle),
        "hint.inbox_review",
    ),
    (
        Some(Tab::Inbox),
        Action::List(ListAction::Filter),
        "hint.inbox_review",
    ),
    (
        Some(Tab::Inbox),
        Action::List(ListAction::Edit),
        "hint.inbox_settle",
    ),
    (
        Some(Tab::Inbox),
        Action::List(ListAction::DryRun),
        "hint.inbox_answer",
    ),
    (
        Some(Tab::Inbox),
        Action::List(ListAction::NewContact),
        "hint.inbox_new_contact",
    ),
    (
        Some(Tab::Contacts),
        Action::List(ListAction::New),
        "hint.contacts_new",
    ),
    (
        Some(Tab::Contacts),
        Action::List(ListAction::Toggle),
        "hint.contacts_optout",
    ),
    (
        Some(Tab::Contacts),
        Action::List(ListAction::Open),
        "hint.contacts_card",
    ),
    (
        Some(Tab::Contacts),
        Action::List(ListAction::Edit),
        "hint.contacts_edit",
    ),
    (
        Some(Tab::Contacts),
        Action::List(ListAction::Delete),
        "hint.contacts_archive",
    ),
    (
        Some(Tab::Upcoming),
        Action::List(ListAction::CancelSelected),
        "hint.upcoming_cancel",
    ),
    (
        Some(Tab::Upcoming),
        Action::List(ListAction::Edit),
        "hint.upcoming_time",
    ),
    (
        Some(Tab::Batch),
        Action::List(ListAction::Open),
        "hint.history_open",
    ),
    (
        Some(Tab::Free),
        Action::List(ListAction::Open),
        "hint.history_open",
    ),
    // Rows arrived above: the first-row key shows them, on any list.
    (None, Action::List(ListAction::First), "ui.show_new"),
    // The save key of a form that sends.
    (None, Action::Editor(EditorAction::Save), "action.send"),
];

/// Keys of a field that are not bindings, with what they do (catalogue keys).
const FIELD_KEYS: &[(&str, &str)] = &[
    ("Tab", "form.next_field"),
    ("Space", "form.toggle"),
    ("← →", "form.choose"),
    ("Ctrl-u", "form.clear"),
    ("Ctrl-z", "form.undo"),
    ("↑↓", "form.move"),
    ("Enter", "form.take_template"),
    ("Enter", "form.insert"),
];

struct Checker<'a> {
    lang: Lang,
    map: &'a Keymap,
    shipped: &'a Keymap,
}

impl Checker<'_> {
    fn hints(&self) -> Hints<'_> {
        Hints {
            keymap: self.map,
            shipped: self.shipped,
            lang: self.lang,
        }
    }

    /// Every `(key, label)` the footer of a `kind` screen of `tab` may show, as shown.
    fn allowed(&self, tab: Tab, kind: Kind) -> Vec<(String, String)> {
        let contexts: &[Context] = match kind {
            Kind::List => &[Context::List, Context::Global],
            Kind::Form | Kind::Filter => &[Context::Editor],
            Kind::Window => &[Context::Dialog, Context::List, Context::Global],
        };
        let h = self.hints();
        let mut out = Vec::new();
        let mut bindings: Vec<_> = contexts
            .iter()
            .flat_map(|c| self.map.bindings(*c).iter().cloned())
            .collect();
        if kind == Kind::Form {
            // On a choice nothing is typed: `?` opens the help there.
            bindings.extend(
                self.map
                    .bindings(Context::Global)
                    .iter()
                    .filter(|b| b.action == Action::Global(GlobalAction::Help))
                    .cloned(),
            );
        }
        for b in &bindings {
            let shown = |desc: String| {
                Hint {
                    key: b.key.label(),
                    chords: vec![b.key],
                    action: Some(b.action),
                    desc,
                }
                .shown(self.lang)
            };
            out.push(shown(h.describe(b)));
            for (on, action, label) in OWN_MEANINGS {
                if on.is_none_or(|t| t == tab) && *action == b.action {
                    out.push(shown(tr(self.lang, label).to_string()));
                }
            }
        }
        let free: &[(&str, &str)] = match kind {
            Kind::Form => FIELD_KEYS,
            Kind::Filter => &[("Enter", "ui.apply")],
            Kind::List | Kind::Window => &[],
        };
        for (key, label) in free {
            let hint = Hint::free(key, tr(self.lang, label));
            // A field key is one no binding of the form takes.
            for chord in &hint.chords {
                assert!(
                    !self
                        .map
                        .bindings(Context::Editor)
                        .iter()
                        .any(|b| b.key == *chord),
                    "{key} is a field key and an editor binding"
                );
            }
            out.push(hint.shown(self.lang));
        }
        out
    }

    /// The help hint as a cut footer ends with it (`? aide`, `F1 aide`).
    fn help_keys(&self, kind: Kind) -> Vec<String> {
        let mut actions = vec![Action::Global(GlobalAction::Help)];
        if kind != Kind::List {
            actions.push(Action::Editor(EditorAction::Help));
        }
        actions
            .into_iter()
            .filter_map(|a| self.hints().bound(a, None))
            .map(|h| {
                let (k, d) = h.shown(self.lang);
                format!("{k} {d}")
            })
            .collect()
    }

    /// What is wrong with `footer` on a `kind` screen of `tab`.
    fn check(&self, name: &str, tab: Tab, kind: Kind, footer: &str) -> Vec<String> {
        let allowed = self.allowed(tab, kind);
        let mut wrong = Vec::new();
        let cells: Vec<&str> = footer
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if cells.is_empty() {
            wrong.push(format!("{name}: no footer"));
        }
        for (i, cell) in cells.iter().enumerate() {
            let (cut, hint) = match cell.strip_prefix("… ") {
                Some(rest) => (true, rest),
                None => (*cell == "…", *cell),
            };
            if cut {
                // What was cut is one key away: the help key closes the footer.
                let helps = self.help_keys(kind);
                if i + 1 != cells.len() || !helps.iter().any(|h| h == hint) {
                    wrong.push(format!(
                        "{name}: a cut footer must end with “… {}”: {footer:?}",
                        helps.join("” or “… ")
                    ));
                }
                continue;
            }
            if !allowed.iter().any(|(k, d)| format!("{k} {d}") == hint) {
                wrong.push(format!(
                    "{name}: “{hint}” is not a key of the key map with its label here: {footer:?}"
                ));
            }
        }
        if kind == Kind::List {
            let help = &self.help_keys(Kind::List)[0];
            if !footer.ends_with(help.as_str()) {
                wrong.push(format!(
                    "{name}: a list's footer ends with “{help}”: {footer:?}"
                ));
            }
        }
        wrong
    }
}

/// The last non-empty line of the screen: the footer.
fn footer(screen: &str) -> String {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_end()
        .to_string()
}

/// The screen once it stopped changing (two equal captures in a row), at most 5 s.
fn settled(t: &Tmux) -> String {
    let until = Instant::now() + Duration::from_secs(5);
    let mut last = t.screen();
    loop {
        std::thread::sleep(Duration::from_millis(150));
        let now = t.screen();
        if footer(&now) == footer(&last) || Instant::now() > until {
            return now;
        }
        last = now;
    }
}

/// One language's walk: every tab's list, then its main modes, each footer checked.
fn walk(lang: Lang, locale: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let cfg = dir.path().join("config");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("keymap.toml"), USER_KEYMAP).unwrap();
    // The key map the binary loads, from the same file.
    let (map, problems) = Keymap::load(Some(&cfg.join("keymap.toml")));
    assert!(problems.is_empty(), "{problems:?}");
    let shipped = Keymap::defaults();
    let checker = Checker {
        lang,
        map: &map,
        shipped: &shipped,
    };
    let cmd = smsdesk_command(
        &format!("{locale}.UTF-8"),
        &cfg,
        &format!("--db {} --user admin", db.display()),
    );
    let socket = format!("smsdesk-footers-{}-{}", lang.as_str(), std::process::id());
    let Some(t) = Tmux::start(&socket, &cmd) else {
        return;
    };
    let close = checker
        .hints()
        .bound(EditorAction::Close.into(), None)
        .map(|h| {
            let (k, d) = h.shown(lang);
            format!("{k} {d}")
        })
        .unwrap();
    let dashboard = tr(lang, "dash.balance");
    t.wait_for(dashboard);

    let mut wrong = Vec::new();
    let mut seen = Vec::new();
    let mut check = |name: String, tab: Tab, kind: Kind, screen: &str| {
        let f = footer(screen);
        wrong.extend(checker.check(&name, tab, kind, &f));
        seen.push((name, f));
    };
    // Waits until a list (no Close hint in the footer) of `tab` shows.
    let on_list = |tab: Tab| {
        let label = tab.label(lang);
        t.wait_in(
            "j",
            Duration::from_secs(10),
            |s| {
                let second = s.lines().nth(1).unwrap_or("");
                let here = if tab == Tab::Dashboard {
                    second.contains(dashboard)
                } else {
                    second.starts_with(&label)
                };
                here && !footer(s).contains(&close)
            },
            &format!("the list of {label}"),
        );
        settled(&t)
    };
    // Waits until something with a Close key (a form, a window, the filter bar) shows.
    let in_mode = |what: &str| {
        t.wait_in(
            "j",
            Duration::from_secs(10),
            |s| footer(s).contains(&close),
            what,
        );
        settled(&t)
    };

    for tab in Tab::ALL {
        let action = Context::Global
            .parse_action(&format!("tab_{}", tab.name()))
            .unwrap();
        let key = map
            .bindings(Context::Global)
            .iter()
            .find(|b| b.action == action)
            .map(|b| b.key.label())
            .unwrap();
        t.type_text(&key);
        let screen = on_list(tab);
        check(format!("{tab:?} list"), tab, Kind::List, &screen);

        // The main modes reachable from this list, each closed with Esc before the next.
        let modes: &[(&str, &[&str], Kind)] = match tab {
            Tab::Dashboard => &[("help", &["?"], Kind::Window)],
            Tab::Settings => &[
                ("form", &["m"], Kind::Form),
                ("form, 2nd field", &["m", "Tab"], Kind::Form),
            ],
            Tab::Templates => &[
                ("editor", &["n"], Kind::Form),
                ("editor, a choice", &["n", "Tab"], Kind::Form),
            ],
            Tab::Automations => &[
                ("editor", &["n"], Kind::Form),
                ("dry run", &["r"], Kind::Window),
            ],
            Tab::Users => &[("form", &["n"], Kind::Form)],
            Tab::Sent => &[
                ("filter bar", &["/"], Kind::Filter),
                ("message", &["Enter"], Kind::Window),
            ],
            Tab::Batch | Tab::Free | Tab::Agenda => &[("form", &["n"], Kind::Form)],
            // The demo's first contact has no mobile: the composer opens on the second.
            Tab::Contacts => &[("composer", &["Down", "n"], Kind::Form)],
            Tab::Upcoming | Tab::Inbox => &[],
        };
        for (what, keys, kind) in modes {
            t.keys(keys);
            let screen = in_mode(&format!("{tab:?} {what}"));
            check(format!("{tab:?} {what}"), tab, *kind, &screen);
            t.keys(&["Escape"]);
            on_list(tab);
        }
    }
    t.quit();

    let report = seen
        .iter()
        .map(|(n, f)| format!("{n}: {f}"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        wrong.is_empty(),
        "{}\n\nfooters seen:\n{report}",
        wrong.join("\n")
    );
    // The walk saw what it is about: cut footers, the operator's own label, forms.
    assert!(seen.iter().any(|(_, f)| f.contains("… ")), "{report}");
    assert!(
        seen.iter()
            .any(|(n, f)| n == "Sent list" && f.contains("e CSV")),
        "the operator's label for export:\n{report}"
    );
    assert!(seen.len() >= Tab::ALL.len() + 10, "{report}");
}

#[test]
fn every_footer_in_french_matches_the_key_map() {
    walk(Lang::Fr, "fr_FR");
}

#[test]
fn every_footer_in_english_matches_the_key_map() {
    walk(Lang::En, "en_US");
}
