//! Sender name rules, the final text (body + signature + STOP mention) and STOP replies.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The opt-out mention French law requires at the end of batch and free sends (36608 is the
/// free short number operators provide for it).
pub const DEFAULT_STOP_MENTION: &str = "STOP au 36608";

/// Shortest sender name operators accept.
pub const SENDER_MIN_LEN: usize = 3;
/// Longest sender name (alphanumeric originator address, 11 characters).
pub const SENDER_MAX_LEN: usize = 11;

crate::typed_messages! {
    /// Why a sender name is refused (texts: `[sender_error]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum SenderError in "sender_error" {
        TooShort { len: usize },
        TooLong { len: usize },
        InvalidChar {
            ch: char,
            /// 1-based position, counted in characters.
            position: usize,
        },
        NoLetter,
    }
}

impl std::error::Error for SenderError {}

/// Checks a sender name: 3 to 11 characters, ASCII letters and digits only, at least one
/// letter. Length is checked first, then each character, then the letter.
pub fn validate_sender(s: &str) -> Result<(), SenderError> {
    let len = s.chars().count();
    if len < SENDER_MIN_LEN {
        return Err(SenderError::TooShort { len });
    }
    if len > SENDER_MAX_LEN {
        return Err(SenderError::TooLong { len });
    }
    if let Some((i, ch)) = s
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(SenderError::InvalidChar {
            ch,
            position: i + 1,
        });
    }
    if !s.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(SenderError::NoLetter);
    }
    Ok(())
}

/// The text actually counted and sent: the body (trailing whitespace removed), then the
/// signature on its own line, then the STOP mention on its own line. A missing or blank
/// signature or mention adds nothing; surrounding whitespace of each is trimmed. The STOP
/// mention is not added twice when the body already ends with it (a template that carries
/// it), since the rule is only that the message ends with it.
pub fn compose(body: &str, signature: Option<&str>, stop_mention: Option<&str>) -> String {
    let body = body.trim_end();
    let signature = signature.map(str::trim).filter(|s| !s.is_empty());
    let stop = stop_mention.map(str::trim).filter(|s| !s.is_empty());
    let mut out = String::with_capacity(
        body.len() + signature.map_or(0, |s| s.len() + 1) + stop.map_or(0, |s| s.len() + 1),
    );
    out.push_str(body);
    let mut push_line = |line: &str| {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    };
    if let Some(sig) = signature {
        push_line(sig);
    }
    if let Some(stop) = stop {
        let already = signature.is_none() && ends_with_ignoring_case(body, stop);
        if !already {
            push_line(stop);
        }
    }
    out
}

fn ends_with_ignoring_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.is_char_boundary(text.len() - suffix.len())
        && text[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Puts a reply in the form keywords are compared in: compatibility-decomposed, accents
/// removed, upper case, punctuation and symbols removed, whitespace collapsed to single
/// spaces and trimmed. `" Arrêt ! "` → `"ARRET"`, `"oui, merci"` → `"OUI MERCI"`.
pub fn normalize_keyword(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkd() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_combining_mark(c) {
            continue;
        }
        let mut buf = [0u8; 4];
        let expanded: &str = match c {
            'œ' | 'Œ' => "OE",
            'æ' | 'Æ' => "AE",
            c if c.is_alphanumeric() => c.encode_utf8(&mut buf),
            // Punctuation, symbols, emoji, control characters.
            _ => continue,
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        for u in expanded.chars().flat_map(char::to_uppercase) {
            // Upper-casing may decompose again (e.g. `ǰ` → `J` + caron).
            if !is_combining_mark(u) {
                out.push(u);
            }
        }
    }
    out
}

/// Opt-out requests, once normalised by [`normalize_keyword`]: a reply made of these (and
/// politeness) puts the number on the opt-out list.
const STOP_KEYWORDS: &[&str] = &[
    "STOP",
    "ARRET",
    "STOP SMS",
    "STOPSMS",
    "ARRET SMS",
    "DESABONNER",
    "DESINSCRIRE",
    "UNSUBSCRIBE",
];

/// Words that say "stop" in some form: in a reply with other content, a person decides.
const STOP_WORDS: &[&str] = &[
    "STOP",
    "STOPSMS",
    "ARRET",
    "ARRETER",
    "ARRETEZ",
    "STOPPER",
    "STOPPEZ",
    "DESABONNER",
    "DESABONNEZ",
    "DESABONNEMENT",
    "DESINSCRIRE",
    "DESINSCRIVEZ",
    "DESINSCRIPTION",
    "UNSUBSCRIBE",
];

/// Politeness and greetings that may surround an opt-out word without changing its meaning
/// ("STOP merci", "Stop svp", "arrêt s'il vous plaît", "Bonjour, STOP").
const POLITENESS: &[&str] = &[
    "MERCI",
    "MERCIII",
    "MRC",
    "MCI",
    "BEAUCOUP",
    "SVP",
    "STP",
    "SIL",
    "VOUS",
    "TE",
    "PLAIT",
    "BONJOUR",
    "BONSOIR",
    "SALUT",
    "MADAME",
    "MONSIEUR",
    "CORDIALEMENT",
    "CDT",
    "CDLT",
    "PLEASE",
    "PLZ",
    "PLS",
    "THANKS",
    "THANK",
    "YOU",
    "THX",
];

/// What a reply says about opting out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptOutReply {
    /// Nothing but opt-out words, politeness and punctuation: the number opts out.
    OptOut,
    /// A "stop" word among other content ("stop le rdv de demain ?", "je veux arrêter"): a
    /// person must read it.
    Unclear,
    /// No opt-out word.
    No,
}

/// Reads a reply for an opt-out request (case, accents and punctuation ignored): made only of
/// `STOP`, `ARRET`, `STOP SMS`, `STOPSMS`, `ARRET SMS`, `DESABONNER`, `DESINSCRIRE`,
/// `UNSUBSCRIBE`, repeated or not, with politeness around them ("STOP merci", "Stop svp",
/// "Bonjour, STOP") → [`OptOutReply::OptOut`]; a stop word mixed with anything else →
/// [`OptOutReply::Unclear`], for human review.
pub fn classify_opt_out(text: &str) -> OptOutReply {
    let normalized = normalize_keyword(text);
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    let content: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !POLITENESS.contains(w))
        .collect();
    if !content.is_empty() && only_stop_keywords(&content) {
        OptOutReply::OptOut
    } else if words.iter().any(|w| STOP_WORDS.contains(w)) {
        OptOutReply::Unclear
    } else {
        OptOutReply::No
    }
}

/// Whether `words` is a sequence of [`STOP_KEYWORDS`] (one or two words each).
fn only_stop_keywords(words: &[&str]) -> bool {
    let mut rest = words;
    while !rest.is_empty() {
        let two =
            rest.len() >= 2 && STOP_KEYWORDS.contains(&format!("{} {}", rest[0], rest[1]).as_str());
        if two {
            rest = &rest[2..];
        } else if STOP_KEYWORDS.contains(&rest[0]) {
            rest = &rest[1..];
        } else {
            return false;
        }
    }
    true
}

/// Whether a reply is an unambiguous opt-out request (see [`classify_opt_out`]).
pub fn is_stop_reply(text: &str) -> bool {
    classify_opt_out(text) == OptOutReply::OptOut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_is_wrong() {
        let e = validate_sender("Mairie de Lyon")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("sender name is too long: 14 characters, at most 11 are allowed")
        );
        let e = validate_sender("Agé").err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.to_string().contains("“é” at position 3"))
        );
        // As a French screen says it.
        assert!(e.is_some_and(|e| {
            crate::i18n::Describe::describe(&e, crate::i18n::Lang::Fr)
                .starts_with("le nom d'expéditeur contient « é » en position 3 :")
        }));
    }

    #[test]
    fn stop_not_doubled() {
        assert_eq!(
            compose("Bonjour. STOP au 36608", None, Some(DEFAULT_STOP_MENTION)),
            "Bonjour. STOP au 36608"
        );
        assert_eq!(
            compose("", None, Some(DEFAULT_STOP_MENTION)),
            "STOP au 36608"
        );
    }
}
