//! Typed messages: what the core, the rules and the readers say is an enum value with fields,
//! rendered in the reader's language from `assets/i18n/{fr,en}.toml`, keyed by variant.
//!
//! [`typed_messages!`](crate::typed_messages) declares such an enum: each variant names its
//! catalogue key, its fields are the text's placeholders. The macro writes `Display` (English:
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

/// Declares a typed message enum. Each variant is `Name { field: Type, … } = "key"` (or
/// `Name = "key"`), its text being `section.key` in the catalogues. Fields are rendered through
/// [`Arg`]: other typed messages and statuses come out in the reader's language too.
#[macro_export]
macro_rules! typed_messages {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $section:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $({ $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? })? = $key:literal
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
                $( (concat!($section, ".", $key), &[ $($(stringify!($field)),*)? ]) ),*
            ];
        }

        impl $crate::i18n::Describe for $name {
            #[allow(unused_variables)]
            fn describe(&self, lang: $crate::i18n::Lang) -> String {
                match self {
                    $(
                        $name::$variant $({ $($field),* })? => $crate::i18n::fill(
                            lang,
                            concat!($section, ".", $key),
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
