//! The lines sshd is given for operators' keys, and what a client may ask through one.
//!
//! Each key gets a forced command naming its operator:
//! `command="'/usr/local/bin/smsdesk' --db '/var/lib/smsdesk/smsdesk.db' ssh session alice",restrict,pty ssh-ed25519 AAAA…`
//! sshd runs it whatever the client asked; the client's own command arrives in
//! `SSH_ORIGINAL_COMMAND` and is read as smsdesk arguments, never run by a shell.

use crate::store::operator_keys::StoredKey;
use std::path::Path;

/// The `authorized_keys` line for one operator's key.
pub fn authorized_line(exe: &Path, db: &Path, key: &StoredKey) -> String {
    let command = format!(
        "{} --db {} ssh session {}",
        shell_quote(&exe.to_string_lossy()),
        shell_quote(&db.to_string_lossy()),
        shell_quote(&key.login)
    );
    // Inside command="…" sshd unescapes only \" ; a backslash elsewhere stays as it is.
    let command = command.replace('"', "\\\"");
    format!(
        "command=\"{command}\",restrict,pty {} {} smsdesk:{}",
        key.key.kind, key.key.blob, key.login
    )
}

/// Single-quotes a word for `sh -c` (the login shell sshd runs the forced command with).
pub fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// The smsdesk arguments a client asked for (`ssh smsdesk@server -- --json list upcoming`),
/// split with the shell's word rules; a leading `smsdesk` is dropped, as a person may type it.
pub fn client_words(original: &str) -> Result<Vec<String>, String> {
    let mut words = shell_words::split(original)
        .map_err(|e| format!("cannot read the command {original:?}: {e}"))?;
    if words
        .first()
        .is_some_and(|w| w == "smsdesk" || w.ends_with("/smsdesk"))
    {
        words.remove(0);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::keys::PublicKey;

    #[test]
    fn the_forced_command_names_the_operator_and_restricts_the_session() {
        let key = PublicKey::parse(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3UjOYGvB+lgNxynKpqH7WylSPrAT9xOCSvVCfAp5rA x",
        )
        .unwrap();
        let stored = StoredKey {
            login: "alice".into(),
            kind: key.kind.clone(),
            fingerprint: key.fingerprint(),
            comment: key.comment.clone(),
            added_at: 0,
            added_by: "root".into(),
            key,
        };
        let line = authorized_line(
            Path::new("/usr/local/bin/smsdesk"),
            Path::new("/var/lib/it's here/s.db"),
            &stored,
        );
        assert_eq!(
            line,
            "command=\"'/usr/local/bin/smsdesk' --db '/var/lib/it'\\''s here/s.db' ssh session 'alice'\",restrict,pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH3UjOYGvB+lgNxynKpqH7WylSPrAT9xOCSvVCfAp5rA smsdesk:alice"
        );
    }

    #[test]
    fn the_client_command_is_split_as_a_shell_would_without_running_one() {
        assert_eq!(
            client_words("smsdesk --json send --to 0611223344 --text 'Bonjour; rm -rf /'").unwrap(),
            [
                "--json",
                "send",
                "--to",
                "0611223344",
                "--text",
                "Bonjour; rm -rf /"
            ]
        );
        assert!(client_words("send --text 'unclosed").is_err());
    }
}
