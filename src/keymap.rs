//! Key bindings as data. Defaults ship in `keymap.toml` (embedded); the user's own
//! `keymap.toml` overlays them binding by binding: a user entry replaces the default entry with
//! the same key in the same context. Bad user entries are reported (file, line, reason) and
//! skipped; the valid ones still apply.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

pub const DEFAULT_KEYMAP: &str = include_str!("../keymap.toml");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    List,
    Editor,
    Dialog,
}

impl Context {
    pub const ALL: [Context; 4] = [
        Context::Global,
        Context::List,
        Context::Editor,
        Context::Dialog,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Editor => "editor",
            Context::Dialog => "dialog",
        }
    }

    /// Names a binding in this context may give as its action (for the refusal of a bad one).
    pub fn action_names(self) -> Vec<&'static str> {
        match self {
            Context::Global => GlobalAction::ALL.iter().map(|a| a.name()).collect(),
            Context::List => ListAction::ALL.iter().map(|a| a.name()).collect(),
            Context::Editor => EditorAction::ALL.iter().map(|a| a.name()).collect(),
            Context::Dialog => DialogAction::ALL.iter().map(|a| a.name()).collect(),
        }
    }

    /// The action `name` stands for in this context, read through its enum's serde names.
    pub fn parse_action(self, name: &str) -> Option<Action> {
        use serde::de::IntoDeserializer;
        fn de<A: for<'de> Deserialize<'de>>(name: &str) -> Option<A> {
            let d: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
                name.into_deserializer();
            A::deserialize(d).ok()
        }
        match self {
            Context::Global => de::<GlobalAction>(name).map(Action::Global),
            Context::List => de::<ListAction>(name).map(Action::List),
            Context::Editor => de::<EditorAction>(name).map(Action::Editor),
            Context::Dialog => de::<DialogAction>(name).map(Action::Dialog),
        }
    }
}

/// One enum per context: the serde name is the one written in `keymap.toml` (and the
/// `action.NAME` catalogue key), so a typo in a tab is a compile error, not a dead key.
macro_rules! actions {
    ($(#[$doc:meta])* $name:ident, $wrap:ident, { $($variant:ident => $s:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $s)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name written in `keymap.toml`.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $s,)*
                }
            }
        }

        impl From<$name> for Action {
            fn from(a: $name) -> Action {
                Action::$wrap(a)
            }
        }

        impl ContextAction for $name {
            const CONTEXT: Context = Context::$wrap;
            fn of(action: Action) -> Option<$name> {
                match action {
                    Action::$wrap(a) => Some(a),
                    _ => None,
                }
            }
        }
    };
}

/// An action of one context, as the key map looks it up.
pub trait ContextAction: Copy + Into<Action> {
    const CONTEXT: Context;
    fn of(action: Action) -> Option<Self>;
}

actions!(
    /// Keys that work on every tab.
    GlobalAction, Global, {
    Quit => "quit",
    Help => "help",
    NextTab => "next_tab",
    PrevTab => "prev_tab",
    TabDashboard => "tab_dashboard",
    TabSettings => "tab_settings",
    TabTemplates => "tab_templates",
    TabAutomations => "tab_automations",
    TabUsers => "tab_users",
    TabSent => "tab_sent",
    TabUpcoming => "tab_upcoming",
    TabBatch => "tab_batch",
    TabFree => "tab_free",
    TabAgenda => "tab_agenda",
    TabContacts => "tab_contacts",
    TabInbox => "tab_inbox",
    Refresh => "refresh",
    Language => "language",
    Log => "log",
});

actions!(
    /// Keys of a tab's list.
    ListAction, List, {
    Down => "down",
    Up => "up",
    PageDown => "page_down",
    PageUp => "page_up",
    First => "first",
    Last => "last",
    Open => "open",
    Filter => "filter",
    Select => "select",
    SelectAll => "select_all",
    CancelSelected => "cancel_selected",
    Export => "export",
    New => "new",
    Edit => "edit",
    Delete => "delete",
    Toggle => "toggle",
    DryRun => "dry_run",
    OpenEvent => "open_event",
    OpenContact => "open_contact",
    EditText => "edit_text",
    PickList => "pick_list",
    SaveList => "save_list",
    AddToList => "add_to_list",
    RemoveFromList => "remove_from_list",
    RenameList => "rename_list",
    DeleteList => "delete_list",
    Import => "import",
    Back => "back",
    Keys => "keys",
    AddKey => "add_key",
    NewContact => "new_contact",
});

actions!(
    /// Keys of a form or editor.
    EditorAction, Editor, {
    Save => "save",
    Transliterate => "transliterate",
    InsertField => "insert_field",
    PickTemplate => "pick_template",
    Preview => "preview",
    Close => "close",
    Send => "send",
    SaveList => "save_list",
    Help => "help",
});

actions!(
    /// Keys of a question window.
    DialogAction, Dialog, {
    Confirm => "confirm",
    Close => "close",
});

/// An action of any context (what a binding holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Global(GlobalAction),
    List(ListAction),
    Editor(EditorAction),
    Dialog(DialogAction),
}

impl Action {
    pub fn context(self) -> Context {
        match self {
            Action::Global(_) => Context::Global,
            Action::List(_) => Context::List,
            Action::Editor(_) => Context::Editor,
            Action::Dialog(_) => Context::Dialog,
        }
    }

    /// The name written in `keymap.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Global(a) => a.name(),
            Action::List(a) => a.name(),
            Action::Editor(a) => a.name(),
            Action::Dialog(a) => a.name(),
        }
    }
}

crate::typed_messages! {
    /// A key name `keymap.toml` cannot bind (texts: `[key_chord]`).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum KeyChordError in "key_chord" {
        NotAKey { given: String },
    }
}

/// A key with its modifiers, normalised (Shift folded into upper-case letters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyChord {
    pub fn from_event(ev: &KeyEvent) -> KeyChord {
        normalise(ev.code, ev.modifiers)
    }

    /// Parses `q`, `?`, `Ctrl-s`, `Alt-Enter`, `PageDown`, `F5`, `Shift-Tab`, `Space`.
    pub fn parse(s: &str) -> Result<KeyChord, KeyChordError> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let step = if lower.starts_with("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                5
            } else if lower.starts_with("alt-") {
                mods |= KeyModifiers::ALT;
                4
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                mods |= KeyModifiers::SHIFT;
                6
            } else {
                break;
            };
            rest = &rest[step..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "delete" | "del" => KeyCode::Delete,
            "backspace" => KeyCode::Backspace,
            "insert" => KeyCode::Insert,
            f if f.len() >= 2
                && f.starts_with('f')
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => KeyCode::Char(c),
                    _ => {
                        return Err(KeyChordError::NotAKey {
                            given: s.to_string(),
                        });
                    }
                }
            }
        };
        Ok(normalise(code, mods))
    }

    /// How the key is written in hints: `q`, `^S`, `Enter`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            out.push_str("Shift-");
        }
        out.push_str(&base);
        out
    }
}

/// Shift + letter arrives as either `Shift+a` or `Shift+A` depending on the terminal: both
/// become `A` without Shift. Ctrl letters are lower-cased.
fn normalise(code: KeyCode, mut mods: KeyModifiers) -> KeyChord {
    let code = match code {
        KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) && c.is_alphabetic() => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::Char(c.to_uppercase().next().unwrap_or(c))
        }
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
            KeyCode::Char(c.to_ascii_lowercase())
        }
        KeyCode::Char(c) => {
            // Symbols like `?` come with Shift on some terminals; the character says it all.
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::Char(c)
        }
        KeyCode::BackTab => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        other => other,
    };
    KeyChord { code, mods }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub key: KeyChord,
    pub action: Action,
    pub desc: String,
}

/// A user entry that could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeymapProblem {
    pub file: String,
    pub line: usize,
    pub reason: KeymapReason,
}

crate::typed_messages! {
    /// Why a user's key-map entry is not used (texts: `[keymap_problem]`). TOML's own words
    /// stay as the parser wrote them.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum KeymapReason in "keymap_problem" {
        CannotRead { error: String },
        NotToml { error: String },
        NotSections { error: String },
        UnknownSection { name: String },
        BadBinding { error: String },
        BadKey { problem: KeyChordError },
        UnknownAction { action: String, section: String, known: String },
    }
}

impl std::fmt::Display for KeymapProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

impl crate::i18n::Describe for KeymapProblem {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        format!(
            "{}:{}: {}",
            self.file,
            self.line,
            self.reason.describe(lang)
        )
    }
}

#[derive(Clone, Debug, Default)]
pub struct Keymap {
    sections: HashMap<Context, Vec<Binding>>,
}

#[derive(Deserialize)]
struct RawBinding {
    on: String,
    action: String,
    #[serde(default)]
    desc: String,
}

impl Keymap {
    /// The shipped defaults.
    pub fn defaults() -> Keymap {
        let mut map = Keymap::default();
        // The shipped file is tested to load without problems.
        let _ = map.overlay(DEFAULT_KEYMAP, "keymap.toml (built in)");
        map
    }

    /// Defaults overlaid by the user's file when it exists.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Vec<KeymapProblem>) {
        let mut map = Keymap::defaults();
        let mut problems = Vec::new();
        if let Some(path) = user_file.filter(|p| p.exists()) {
            let shown = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => problems = map.overlay(&text, &shown),
                Err(e) => problems.push(KeymapProblem {
                    file: shown,
                    line: 0,
                    reason: KeymapReason::CannotRead {
                        error: e.to_string(),
                    },
                }),
            }
        }
        (map, problems)
    }

    /// Applies the bindings of `source` on top of this map; returns the entries refused.
    pub fn overlay(&mut self, source: &str, file: &str) -> Vec<KeymapProblem> {
        let mut problems = Vec::new();
        let line_of = |offset: usize| source[..offset.min(source.len())].matches('\n').count() + 1;
        let table: toml::Table = match source.parse() {
            Ok(t) => t,
            Err(e) => {
                let line = e.span().map_or(0, |s| line_of(s.start));
                problems.push(KeymapProblem {
                    file: file.into(),
                    line,
                    reason: KeymapReason::NotToml {
                        error: e.message().to_string(),
                    },
                });
                return problems;
            }
        };
        // Re-read with spans, section by section, so every problem names its line.
        // (Spans survive only when deserialized directly, not through `#[serde(flatten)]`.)
        type Sections = HashMap<String, toml::Spanned<Vec<toml::Spanned<toml::Table>>>>;
        let spanned: Sections = match toml::from_str(source) {
            Ok(s) => s,
            Err(e) => {
                let line = e.span().map_or(0, |s| line_of(s.start));
                problems.push(KeymapProblem {
                    file: file.into(),
                    line,
                    reason: KeymapReason::NotSections {
                        error: e.message().to_string(),
                    },
                });
                return problems;
            }
        };
        let _ = table;
        let mut names: Vec<_> = spanned.into_iter().collect();
        names.sort_by_key(|(_, v)| v.span().start);
        for (name, entries) in names {
            let Some(context) = Context::ALL.into_iter().find(|c| c.name() == name) else {
                problems.push(KeymapProblem {
                    file: file.into(),
                    line: line_of(entries.span().start),
                    reason: KeymapReason::UnknownSection { name },
                });
                continue;
            };
            for entry in entries.into_inner() {
                let line = line_of(entry.span().start);
                let raw: RawBinding = match toml::Value::Table(entry.into_inner()).try_into() {
                    Ok(r) => r,
                    Err(e) => {
                        problems.push(KeymapProblem {
                            file: file.into(),
                            line,
                            reason: KeymapReason::BadBinding {
                                error: e.message().to_string(),
                            },
                        });
                        continue;
                    }
                };
                let key = match KeyChord::parse(&raw.on) {
                    Ok(k) => k,
                    Err(e) => {
                        problems.push(KeymapProblem {
                            file: file.into(),
                            line,
                            reason: KeymapReason::BadKey { problem: e },
                        });
                        continue;
                    }
                };
                let Some(action) = context.parse_action(&raw.action) else {
                    problems.push(KeymapProblem {
                        file: file.into(),
                        line,
                        reason: KeymapReason::UnknownAction {
                            action: raw.action.clone(),
                            section: name.clone(),
                            known: context.action_names().join(", "),
                        },
                    });
                    continue;
                };
                let desc = if raw.desc.is_empty() {
                    action.name().replace('_', " ")
                } else {
                    raw.desc
                };
                let list = self.sections.entry(context).or_default();
                list.retain(|b| b.key != key);
                list.push(Binding { key, action, desc });
            }
        }
        problems
    }

    /// The action bound to this key in `A`'s context, if any.
    pub fn action<A: ContextAction>(&self, ev: &KeyEvent) -> Option<A> {
        let chord = KeyChord::from_event(ev);
        self.sections
            .get(&A::CONTEXT)?
            .iter()
            .find(|b| b.key == chord)
            .and_then(|b| A::of(b.action))
    }

    pub fn global(&self, ev: &KeyEvent) -> Option<GlobalAction> {
        self.action(ev)
    }

    pub fn list(&self, ev: &KeyEvent) -> Option<ListAction> {
        self.action(ev)
    }

    pub fn editor(&self, ev: &KeyEvent) -> Option<EditorAction> {
        self.action(ev)
    }

    pub fn dialog(&self, ev: &KeyEvent) -> Option<DialogAction> {
        self.action(ev)
    }

    pub fn bindings(&self, context: Context) -> &[Binding] {
        self.sections
            .get(&context)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The first key bound to `action`, for hints (`q quit`).
    pub fn key_for(&self, action: impl Into<Action>) -> Option<String> {
        let action = action.into();
        self.bindings(action.context())
            .iter()
            .find(|b| b.action == action)
            .map(|b| b.key.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn shipped_keymap_loads_without_problems() {
        let mut map = Keymap::default();
        assert_eq!(map.overlay(DEFAULT_KEYMAP, "keymap.toml"), vec![]);
        assert_eq!(map.global(&key('q')), Some(GlobalAction::Quit));
    }

    #[test]
    fn shift_letters_are_normalised() {
        let a = KeyChord::from_event(&KeyEvent::new(KeyCode::Char('a'), KeyModifiers::SHIFT));
        let b = KeyChord::from_event(&KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT));
        assert_eq!(a, b);
        assert_eq!(a, KeyChord::parse("A").unwrap());
        let e = KeyChord::parse("Ctrl-Hyper").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"Ctrl-Hyper\" is not a key (e.g. q, Ctrl-s, Enter, PageDown, F5)"
        );
        assert!(
            crate::i18n::Describe::describe(&e, crate::i18n::Lang::Fr)
                .starts_with("« Ctrl-Hyper » n'est pas une touche")
        );
        assert_eq!(
            KeyChord::parse("Shift-Tab").unwrap(),
            KeyChord::parse("BackTab").unwrap()
        );
    }

    #[test]
    fn every_shipped_action_name_reads_into_its_context_enum() {
        let raw: HashMap<String, Vec<RawBinding>> = toml::from_str(DEFAULT_KEYMAP).unwrap();
        let mut seen = 0;
        for (section, entries) in raw {
            let context = Context::ALL
                .into_iter()
                .find(|c| c.name() == section)
                .unwrap();
            for entry in entries {
                let action = context.parse_action(&entry.action);
                assert_eq!(
                    action.map(Action::name),
                    Some(entry.action.as_str()),
                    "[[{section}]] {}",
                    entry.action
                );
                assert_eq!(action.map(Action::context), Some(context));
                seen += 1;
            }
        }
        assert!(seen > 50, "{seen} bindings read");
        // And every variant is written the way serde reads it (no name drifts from its enum).
        for context in Context::ALL {
            for name in context.action_names() {
                assert_eq!(context.parse_action(name).map(Action::name), Some(name));
            }
        }
    }

    #[test]
    fn a_key_map_problem_is_said_in_the_readers_language() {
        use crate::i18n::{Describe, Lang};
        let mut map = Keymap::defaults();
        let problems = map.overlay("[[list]]\non = \"j\"\naction = \"dwon\"\n", "k.toml");
        let fr = problems[0].describe(Lang::Fr);
        assert!(
            fr.starts_with("k.toml:1: action « dwon » inconnue dans [[list]]"),
            "{fr}"
        );
        let problems = map.overlay("[[lits]]\non = \"j\"\naction = \"down\"\n", "k.toml");
        assert_eq!(
            problems[0].describe(Lang::Fr),
            "k.toml:1: section [[lits]] inconnue (connues : global, list, editor, dialog)"
        );
    }

    #[test]
    fn an_unknown_action_in_a_user_file_is_reported_and_the_rest_applies() {
        let mut map = Keymap::defaults();
        let user = "[[list]]\non = \"j\"\naction = \"dwon\"\n\n[[global]]\non = \"x\"\naction = \"quit\"\n";
        let problems = map.overlay(user, "keymap.toml");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 1);
        assert!(
            problems[0].to_string().starts_with(
                "keymap.toml:1: unknown action \"dwon\" in [[list]] (known: down, up,"
            ),
            "{}",
            problems[0]
        );
        // An action of another context is unknown here too.
        let problems = map.overlay("[[dialog]]\non = \"x\"\naction = \"down\"\n", "k.toml");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(map.global(&key('x')), Some(GlobalAction::Quit));
        assert_eq!(
            map.list(&key('j')),
            Some(ListAction::Down),
            "the default stays"
        );
    }
}
