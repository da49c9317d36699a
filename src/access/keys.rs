//! Operators' SSH public keys: what a pasted key line must be before smsdesk hands it to sshd.
//!
//! A key is stored as its type and base64 blob only; the options of the line sshd reads
//! (`command=…,restrict,pty`) are always written by smsdesk, never taken from the operator, so
//! a key line carrying options of its own (`command="sh" ssh-ed25519 …`) is refused.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};

/// Key types OpenSSH accepts for user authentication.
pub const KEY_TYPES: [&str; 8] = [
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
];

/// A public key as sshd will be given it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub kind: String,
    /// The base64 of the key blob, exactly as in the `.pub` file.
    pub blob: String,
    /// The free text after the key (`alice@laptop`), printable characters only.
    pub comment: String,
}

/// The key types OpenSSH accepts, as a refusal lists them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyTypes;

impl crate::i18n::Describe for KeyTypes {
    fn describe(&self, _: crate::i18n::Lang) -> String {
        KEY_TYPES.join(", ")
    }
}

crate::typed_messages! {
    /// Why a key line cannot be used (texts: `[key_problem]`).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum KeyProblem in "key_problem" {
        Empty,
        SeveralLines { lines: usize },
        /// sshd would read what comes before the type as options (`command=…`).
        Options { start: String },
        UnknownType { given: String, types: KeyTypes },
        NoData { kind: String },
        NotBase64,
        /// The blob is another type's, or cut.
        Mismatch { kind: String },
        ControlInComment,
    }
}

impl std::error::Error for KeyProblem {}

impl PublicKey {
    /// Parses one `.pub` line: `TYPE BASE64 [COMMENT]`.
    pub fn parse(text: &str) -> Result<PublicKey, KeyProblem> {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let line = match lines.as_slice() {
            [] => return Err(KeyProblem::Empty),
            [one] => *one,
            many => return Err(KeyProblem::SeveralLines { lines: many.len() }),
        };
        let mut parts = line.splitn(3, [' ', '\t']);
        let kind = parts.next().unwrap_or_default();
        if !KEY_TYPES.contains(&kind) {
            // sshd reads anything before a known type as options (command=, from=, …).
            if kind.contains('=') || kind.contains(',') || kind.contains('"') || line_has_type(line)
            {
                return Err(KeyProblem::Options { start: short(kind) });
            }
            return Err(KeyProblem::UnknownType {
                given: short(kind),
                types: KeyTypes,
            });
        }
        let blob = parts.next().map(str::trim).unwrap_or_default();
        if blob.is_empty() {
            return Err(KeyProblem::NoData {
                kind: kind.to_string(),
            });
        }
        let bytes = STANDARD.decode(blob).map_err(|_| KeyProblem::NotBase64)?;
        // The blob starts with the key type as an SSH string (u32 length, then the name).
        if blob_type(&bytes) != Some(kind.as_bytes()) {
            return Err(KeyProblem::Mismatch {
                kind: kind.to_string(),
            });
        }
        let comment = parts.next().unwrap_or_default().trim().to_string();
        if comment.chars().any(char::is_control) {
            return Err(KeyProblem::ControlInComment);
        }
        Ok(PublicKey {
            kind: kind.to_string(),
            blob: blob.to_string(),
            comment,
        })
    }

    /// The fingerprint `ssh-keygen -l` prints: `SHA256:` and the unpadded base64 of the
    /// SHA-256 of the key blob.
    pub fn fingerprint(&self) -> String {
        let bytes = STANDARD.decode(&self.blob).unwrap_or_default();
        format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&bytes)))
    }
}

fn line_has_type(line: &str) -> bool {
    line.split_whitespace().any(|w| KEY_TYPES.contains(&w))
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

fn blob_type(bytes: &[u8]) -> Option<&[u8]> {
    let len = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    bytes.get(4..4usize.checked_add(len)?)
}

/// Whether `fingerprint` names a key, as typed by a person: with or without `SHA256:`.
pub fn same_fingerprint(stored: &str, typed: &str) -> bool {
    let typed = typed.trim();
    stored == typed || stored.strip_prefix("SHA256:") == Some(typed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3UjOYGvB+lgNxynKpqH7WylSPrAT9xOCSvVCfAp5rA alice@laptop";

    #[test]
    fn a_pub_line_is_read_with_its_fingerprint() {
        let k = PublicKey::parse(ED).unwrap();
        assert_eq!(k.kind, "ssh-ed25519");
        assert_eq!(k.comment, "alice@laptop");
        // As `ssh-keygen -lf` prints it for this key.
        assert_eq!(
            k.fingerprint(),
            "SHA256:Cmx/dD6un//JpyaZaUJaP55K/Sto1+mUuqLkCMia31Y"
        );
    }

    #[test]
    fn options_before_the_key_are_refused() {
        let line = format!("command=\"/bin/sh\",no-pty {ED}");
        assert!(matches!(
            PublicKey::parse(&line),
            Err(KeyProblem::Options { .. })
        ));
        let line = format!("restrict {ED}");
        assert!(matches!(
            PublicKey::parse(&line),
            Err(KeyProblem::Options { .. })
        ));
    }

    #[test]
    fn a_blob_of_another_type_or_cut_is_refused() {
        let line = ED.replace("ssh-ed25519", "ssh-rsa");
        assert_eq!(
            PublicKey::parse(&line),
            Err(KeyProblem::Mismatch {
                kind: "ssh-rsa".into()
            })
        );
        assert_eq!(
            PublicKey::parse("ssh-ed25519 AAAAC3Nza"),
            Err(KeyProblem::NotBase64)
        );
        assert_eq!(
            PublicKey::parse("ssh-ed25519 AAAA"),
            Err(KeyProblem::Mismatch {
                kind: "ssh-ed25519".into()
            })
        );
        assert_eq!(
            PublicKey::parse(&format!("{ED}\n{ED}")),
            Err(KeyProblem::SeveralLines { lines: 2 })
        );
        assert_eq!(
            PublicKey::parse(&format!("{ED}\u{1b}[2J")),
            Err(KeyProblem::ControlInComment)
        );
    }

    #[test]
    fn key_problems_are_said_in_both_languages() {
        use crate::i18n::{Describe, Lang};
        let e = PublicKey::parse("ssh-foo AAAA").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown key type \"ssh-foo\" (expected one of: ssh-ed25519, "),
            "{e}"
        );
        assert!(
            e.describe(Lang::Fr)
                .starts_with("type de clé inconnu « ssh-foo » (attendu l'un de : ssh-ed25519, ")
        );
        let e = PublicKey::parse("a\nb").unwrap_err();
        assert_eq!(
            e.describe(Lang::Fr),
            "une clé par ligne : le texte compte 2 lignes"
        );
    }
}
