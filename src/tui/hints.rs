//! Key hints, built in one place for the footer and the `?` window: each hint carries the
//! keys it names (read from the live key map) and, for a binding, the action those keys run,
//! so a test can press every hint and check that its handler answers.

use super::fmt::{clean, key_names};
use crate::i18n::{Lang, tr};
use crate::keymap::{Action, Binding, EditorAction, GlobalAction, KeyChord, Keymap};
use crossterm::event::{KeyCode, KeyModifiers};
use unicode_width::UnicodeWidthStr;

/// One key hint: how the key is written, what it does, and what pressing it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The key as written in hints (`Ctrl-s`, `Enter`, `← →`), before translation.
    pub key: String,
    /// The keys `key` names (several for `← →`), for tests that press them.
    pub chords: Vec<KeyChord>,
    /// The bound action, when the hint comes from the key map (`None`: a key of a field).
    pub action: Option<Action>,
    /// What it does, in the interface language.
    pub desc: String,
}

impl Hint {
    /// A key that is not a binding (Tab between fields, Space on a toggle).
    pub fn free(key: &str, desc: &str) -> Hint {
        Hint {
            key: key.to_string(),
            chords: parse_keys(key),
            action: None,
            desc: desc.to_string(),
        }
    }

    /// Whether this hint opens the key help (it then closes a cut footer).
    pub fn is_help(&self) -> bool {
        matches!(
            self.action,
            Some(Action::Global(GlobalAction::Help) | Action::Editor(EditorAction::Help))
        )
    }

    /// `(key, description)` as shown: key names in `lang`, control characters neutralised.
    pub fn shown(&self, lang: Lang) -> (String, String) {
        (clean(&key_names(&self.key, lang)), clean(&self.desc))
    }
}

/// The keys a free hint names: `Tab`, `Space`, `Ctrl-u`, `← →`, `↑↓`.
fn parse_keys(keys: &str) -> Vec<KeyChord> {
    let arrow = |c: char| match c {
        '←' => Some(KeyCode::Left),
        '→' => Some(KeyCode::Right),
        '↑' => Some(KeyCode::Up),
        '↓' => Some(KeyCode::Down),
        _ => None,
    };
    let mut out = Vec::new();
    for word in keys.split([' ', '/']).filter(|w| !w.is_empty()) {
        if word.chars().all(|c| arrow(c).is_some()) {
            out.extend(word.chars().filter_map(arrow).map(|code| KeyChord {
                code,
                mods: KeyModifiers::NONE,
            }));
        } else if let Ok(chord) = KeyChord::parse(word) {
            out.push(chord);
        }
    }
    out
}

/// Builds hints from the live key map.
pub struct Hints<'a> {
    pub keymap: &'a Keymap,
    /// The shipped bindings: a binding that kept its shipped description is described in
    /// the interface language; one the operator described is shown as written.
    pub shipped: &'a Keymap,
    pub lang: Lang,
}

impl Hints<'_> {
    /// The first binding of `action`, described by catalogue key `label` when the screen
    /// gives the action its own meaning (Agenda's `t` opens the reminder), else by the
    /// binding. `None` when nothing is bound to it: no hint for a key that does not exist.
    pub fn bound(&self, action: Action, label: Option<&str>) -> Option<Hint> {
        let find = |wanted: Action| {
            self.keymap
                .bindings(wanted.context())
                .iter()
                .find(|b| b.action == wanted)
        };
        let send = Action::Editor(EditorAction::Send);
        if action == send && find(send).is_none() {
            // Unless bound on its own, "send" is the save key of a form that sends.
            let save = find(Action::Editor(EditorAction::Save))?;
            return Some(Hint {
                key: save.key.label(),
                chords: vec![save.key],
                action: Some(save.action),
                desc: tr(self.lang, "action.send").to_string(),
            });
        }
        let b = find(action)?;
        let desc = match label {
            Some(key) if self.kept_shipped_desc(b) => tr(self.lang, key).to_string(),
            _ => self.describe(b),
        };
        Some(Hint {
            key: b.key.label(),
            chords: vec![b.key],
            action: Some(action),
            desc,
        })
    }

    /// Hints for `actions` in order, each with its label when the screen gives one.
    pub fn all(&self, actions: &[(Action, Option<&str>)]) -> Vec<Hint> {
        actions
            .iter()
            .filter_map(|(a, label)| self.bound(*a, *label))
            .collect()
    }

    fn kept_shipped_desc(&self, b: &Binding) -> bool {
        self.shipped
            .bindings(b.action.context())
            .iter()
            .any(|d| d.action == b.action && d.desc == b.desc)
    }

    /// How a binding is described: in the interface language when it kept the shipped
    /// description, as the operator wrote it otherwise.
    pub fn describe(&self, b: &Binding) -> String {
        if self.kept_shipped_desc(b) {
            let key = format!("action.{}", b.action.name());
            let t = tr(self.lang, &key);
            if t != key {
                return t.to_string();
            }
        }
        clean(&b.desc)
    }

    /// The hints that fit in `width` columns. When some do not, the line ends with `…` and
    /// the help key (the hint that opens the help, wherever it was in the list), so that
    /// what is cut is one key away.
    pub fn fit(&self, hints: &[Hint], width: usize) -> Vec<(String, String)> {
        let cell = |h: &Hint| {
            let (k, d) = h.shown(self.lang);
            let w = k.width() + d.width() + 3;
            ((k, d), w)
        };
        let total: usize = hints.iter().map(|h| cell(h).1).sum();
        let help = hints.iter().rev().find(|h| h.is_help());
        if total <= width {
            // The help key last, where a cut footer has it too.
            let rest = hints.iter().filter(|h| !h.is_help());
            return rest.chain(help).map(|h| cell(h).0).collect();
        }
        let tail = help.map(|h| {
            let ((k, d), w) = cell(h);
            ((format!("… {k}"), d), w + 2)
        });
        let room = width.saturating_sub(tail.as_ref().map_or(2, |t| t.1));
        let mut out = Vec::new();
        let mut used = 0;
        for h in hints.iter().filter(|h| !h.is_help()) {
            let (shown, w) = cell(h);
            if used + w > room {
                break;
            }
            used += w;
            out.push(shown);
        }
        match tail {
            Some((shown, w)) if w <= width => out.push(shown),
            _ => out.push(("…".into(), String::new())),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_keys_are_read_back_as_chords() {
        let keys = |s: &str| Hint::free(s, "").chords;
        assert_eq!(keys("Tab"), vec![KeyChord::parse("Tab").unwrap()]);
        assert_eq!(keys("Ctrl-u"), vec![KeyChord::parse("Ctrl-u").unwrap()]);
        assert_eq!(keys("← →").len(), 2);
        assert_eq!(keys("↑↓").len(), 2);
        assert_eq!(keys("Space"), vec![KeyChord::parse("Space").unwrap()]);
    }

    #[test]
    fn a_cut_footer_ends_with_an_ellipsis_and_the_help_key() {
        let map = Keymap::defaults();
        let h = Hints {
            keymap: &map,
            shipped: &map,
            lang: Lang::Fr,
        };
        let mut hints: Vec<Hint> = (0..20).map(|i| Hint::free("x", &format!("n{i}"))).collect();
        hints.insert(3, h.bound(GlobalAction::Help.into(), None).unwrap());
        let shown = h.fit(&hints, 40);
        let last = shown.last().unwrap();
        assert_eq!(last, &("… ?".to_string(), "aide".to_string()));
        let width: usize = shown.iter().map(|(k, d)| k.width() + d.width() + 3).sum();
        assert!(width <= 40, "{shown:?}");
        // Everything fits: nothing is cut, the help goes last.
        let few = &hints[..5];
        assert_eq!(h.fit(few, 200).len(), 5);
        assert_eq!(h.fit(few, 200)[4].0, "?");
    }
}
