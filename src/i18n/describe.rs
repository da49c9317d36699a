//! Typed messages: what the core, the rules and the readers say is an enum value with fields,
//! rendered in the reader's language from `assets/i18n/{fr,en}.toml`, keyed by variant.
//!
//! [`typed_messages!`](crate::typed_messages) declares such an enum: each variant's catalogue
//! key is its name in snake case (or the key it names), its fields are the text's placeholders. The macro writes `Display` (English:
//! logs and the command line), [`Describe`] and the list of keys and placeholders that the
//! catalogue test checks in both languages.

use super::{Lang, tr};

/// Something that can be said to an operator in their language.
pub trait Describe {
    fn describe(&self, lang: Lang) -> String;
}

/// A value placed in a message's text, written in the reader's language.
pub trait Arg {
    fn render(&self, lang: Lang) -> String;
}

impl<T: Describe + ?Sized> Arg for T {
    fn render(&self, lang: Lang) -> String {
        self.describe(lang)
    }
}

/// Values written the same in every language.
macro_rules! plain_args {
    ($($t:ty),*) => {
        $(impl Describe for $t {
            fn describe(&self, _: Lang) -> String {
                self.to_string()
            }
        })*
    };
}
plain_args!(String, str, char, i64, i32, u64, u32, u16, u8, usize);

impl<T: Describe> Describe for Option<T> {
    /// Nothing renders as an empty text: the catalogue's sentence says what it means.
    fn describe(&self, lang: Lang) -> String {
        self.as_ref().map(|v| v.describe(lang)).unwrap_or_default()
    }
}

impl<T: Describe + ?Sized> Describe for Box<T> {
    fn describe(&self, lang: Lang) -> String {
        (**self).describe(lang)
    }
}

impl<T: Describe + ?Sized> Describe for &T {
    fn describe(&self, lang: Lang) -> String {
        (**self).describe(lang)
    }
}

impl<T: Describe> Describe for Vec<T> {
    /// A list, comma-separated.
    fn describe(&self, lang: Lang) -> String {
        self.iter()
            .map(|v| v.describe(lang))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The catalogue text of `key` in `lang` with its `{placeholders}` filled, in one pass (a value
/// that contains braces is never filled a second time). `{{` and `}}` write a brace.
pub fn fill(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let template = tr(lang, key);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let brace = &rest[at..];
        if brace.starts_with("{{") || brace.starts_with("}}") {
            out.push_str(&brace[..1]);
            rest = &brace[2..];
            continue;
        }
        if let Some(after) = brace.strip_prefix('}') {
            out.push('}');
            rest = after;
            continue;
        }
        let after = &brace[1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&brace[..close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(brace);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders of a catalogue text, sorted: `{name}` → `name` (`{{` and `}}` are braces).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['{', '}']) {
        let brace = &rest[at..];
        if brace.starts_with("{{") || brace.starts_with("}}") {
            rest = &brace[2..];
            continue;
        }
        let after = &brace[1..];
        if brace.starts_with('}') {
            rest = after;
            continue;
        }
        let Some(close) = after.find('}') else { break };
        out.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    out.sort();
    out.dedup();
    out
}

/// One typed message enum's keys: each variant's catalogue key and the fields its text holds.
pub type MessageKeys = &'static [(&'static str, &'static [&'static str])];

/// A variant's catalogue key, `section.snake_case_name`, as bytes of the length
/// [`key_len`] gives: worked out while compiling, so that the key is written once, as the name.
pub const fn variant_key<const N: usize>(section: &str, variant: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let (section, variant) = (section.as_bytes(), variant.as_bytes());
    let mut at = 0;
    while at < section.len() {
        out[at] = section[at];
        at += 1;
    }
    out[at] = b'.';
    at += 1;
    let mut i = 0;
    while i < variant.len() {
        let c = variant[i];
        if c.is_ascii_uppercase() {
            if i > 0 {
                out[at] = b'_';
                at += 1;
            }
            out[at] = c.to_ascii_lowercase();
        } else {
            out[at] = c;
        }
        at += 1;
        i += 1;
    }
    out
}

/// The length of [`variant_key`]: the section, the dot, the name and an `_` before each
/// capital but the first.
pub const fn key_len(section: &str, variant: &str) -> usize {
    let variant = variant.as_bytes();
    let mut len = section.len() + 1 + variant.len();
    let mut i = 1;
    while i < variant.len() {
        if variant[i].is_ascii_uppercase() {
            len += 1;
        }
        i += 1;
    }
    len
}

/// [`variant_key`]'s bytes as text (they are ASCII when the name is).
pub const fn key_text(bytes: &'static [u8]) -> &'static str {
    match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => panic!("a typed message's variant name is not ASCII"),
    }
}

/// The catalogue key of a [`typed_messages!`](crate::typed_messages) variant: the one it names,
/// or else its name in snake case.
#[doc(hidden)]
#[macro_export]
macro_rules! typed_message_key {
    ($section:literal, $variant:ident, $key:literal) => {
        concat!($section, ".", $key)
    };
    ($section:literal, $variant:ident) => {{
        const LEN: usize = $crate::i18n::key_len($section, stringify!($variant));
        const BYTES: [u8; LEN] = $crate::i18n::variant_key($section, stringify!($variant));
        const KEY: &str = $crate::i18n::key_text(&BYTES);
        KEY
    }};
}

/// Declares a typed message enum. Each variant is `Name { field: Type, … }` (or `Name`), its
/// text being `section.name` in the catalogues, `name` being `Name` in snake case; a variant
/// whose key is otherwise names it: `Name = "key"`. Fields are rendered through
/// [`Arg`]: other typed messages and statuses come out in the reader's language too.
#[macro_export]
macro_rules! typed_messages {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $section:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $({ $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? })? $(= $key:literal)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant $({ $($(#[$fmeta])* $field: $ty),* })?
            ),*
        }

        impl $name {
            /// Every variant's catalogue key and placeholders (checked in both languages).
            pub const KEYS: $crate::i18n::MessageKeys = &[
                $( ($crate::typed_message_key!($section, $variant $(, $key)?), &[ $($(stringify!($field)),*)? ]) ),*
            ];
        }

        impl $crate::i18n::Describe for $name {
            #[allow(unused_variables)]
            fn describe(&self, lang: $crate::i18n::Lang) -> String {
                match self {
                    $(
                        $name::$variant $({ $($field),* })? => $crate::i18n::fill(
                            lang,
                            $crate::typed_message_key!($section, $variant $(, $key)?),
                            &[ $($( (stringify!($field), $crate::i18n::Arg::render($field, lang)) ),*)? ],
                        ),
                    )*
                }
            }
        }

        impl std::fmt::Display for $name {
            /// English: logs and the command line.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::i18n::Describe::describe(self, $crate::i18n::Lang::En))
            }
        }
    };
}

/// Test helper: `message` reads `en` in English (its `Display` too) and `fr` in French.
#[cfg(test)]
#[track_caller]
pub fn assert_says(message: &(impl Describe + std::fmt::Display), en: &str, fr: &str) {
    assert_eq!(message.to_string(), en);
    assert_eq!(message.describe(Lang::En), en);
    assert_eq!(message.describe(Lang::Fr), fr);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_each_placeholder_once_and_keeps_unknown_ones_visible() {
        assert_eq!(placeholders("{a} et {b}, {a}"), vec!["a", "b"]);
        // `tr` falls back to the key itself: a missing text stays visible.
        let s = fill(
            Lang::En,
            "no.such {who} said {what}",
            &[("who", "{what}".into())],
        );
        assert_eq!(s, "no.such {what} said {what}");
    }

    #[test]
    fn a_variant_key_is_its_section_and_its_name_in_snake_case() {
        crate::typed_messages! {
            #[derive(Debug)]
            #[allow(dead_code)] // only its keys are read
            enum Sample in "store_problem" {
                NotE164,
                KeyAlreadyTheirs { login: String },
                Windows1252 = "windows_1252",
            }
        }
        let keys: Vec<&str> = Sample::KEYS.iter().map(|(key, _)| *key).collect();
        assert_eq!(
            keys,
            [
                "store_problem.not_e164",
                "store_problem.key_already_theirs",
                "store_problem.windows_1252"
            ]
        );
        assert_eq!(Sample::KEYS[1].1, ["login"]);
    }

    #[test]
    fn doubled_braces_are_written_once_and_are_no_placeholder() {
        assert_eq!(placeholders("`{{{{` in {name}: `}}}}`"), vec!["name"]);
        let s = fill(
            Lang::En,
            "no.such `{{{{` in {name} `}}}}`",
            &[("name", "x".into())],
        );
        assert_eq!(s, "no.such `{{` in x `}}`");
    }
}
