//! The store's migrations and refusals, the key map overlay and the user config file.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::config::UserConfig;
use smsdesk::keymap::{Context, Keymap};
use smsdesk::store::{SCHEMA_VERSION, Store, StoreError, settings};

#[test]
fn a_fresh_store_is_migrated_to_the_current_version_with_private_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/dir/store.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(perms, 0o600, "the store holds phone numbers: owner only");
    }
}

#[test]
fn reopening_keeps_data_and_does_not_migrate_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap();
    {
        let store = Store::open(&path).unwrap();
        settings::set(store.conn(), "sender", "MAIRIE75", "admin", now).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(settings::get(store.conn(), "sender").unwrap(), "MAIRIE75");
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_store_from_a_newer_smsdesk_is_refused_and_left_byte_for_byte_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let store = Store::open(&path).unwrap();
        store
            .conn()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        // Fold the WAL into the main file so the file alone is the whole store.
        store
            .conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let _ = std::fs::remove_file(dir.path().join("newer.db-wal"));
    let _ = std::fs::remove_file(dir.path().join("newer.db-shm"));
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NewerVersion { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("newer smsdesk") && msg.contains("newer.db"),
        "{msg}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before, "bytes changed");
}

#[test]
fn a_file_that_is_not_a_store_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "Ceci n'est pas une base de données.\n".repeat(200)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Unusable { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn a_valid_user_keymap_overlays_the_defaults_key_by_key() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keymap_valid.toml");
    let (map, problems) = Keymap::load(Some(&path));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        map.action(
            Context::Global,
            &key(KeyCode::Char('q'), KeyModifiers::CONTROL)
        ),
        Some("quit")
    );
    // Defaults not overridden still work.
    assert_eq!(
        map.action(
            Context::Global,
            &key(KeyCode::Char('q'), KeyModifiers::NONE)
        ),
        Some("quit")
    );
    assert_eq!(
        map.action(Context::List, &key(KeyCode::Char('o'), KeyModifiers::NONE)),
        Some("open")
    );
    assert_eq!(
        map.action(Context::List, &key(KeyCode::Enter, KeyModifiers::NONE)),
        Some("open")
    );
}

#[test]
fn bad_user_entries_are_reported_with_file_line_and_reason_and_good_ones_still_apply() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keymap_invalid.toml");
    let (map, problems) = Keymap::load(Some(&path));
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems
            .iter()
            .all(|p| p.file.ends_with("keymap_invalid.toml"))
    );
    assert!(problems[0].reason.contains("Hyper-x"), "{}", problems[0]);
    assert!(problems.iter().any(|p| p.reason.contains("explode")));
    assert!(problems.iter().any(|p| p.reason.contains("nonsense")));
    // Lines point at the offending entries.
    let text = std::fs::read_to_string(&path).unwrap();
    for (p, line) in problems.iter().zip(lines) {
        let around: String = text
            .lines()
            .skip(line.saturating_sub(1))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            around.contains("Hyper-x") || around.contains("explode") || around.contains("nonsense"),
            "line {line} of {p}: {around}"
        );
    }
    assert_eq!(
        map.action(
            Context::Global,
            &key(KeyCode::Char('q'), KeyModifiers::CONTROL)
        ),
        Some("quit")
    );
    assert_eq!(
        map.action(Context::List, &key(KeyCode::Char('o'), KeyModifiers::NONE)),
        Some("open")
    );
}

#[test]
fn a_broken_config_file_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "language = \"fr\"\ndb = 42\n").unwrap();
    let (config, problem) = UserConfig::load_from(&path);
    assert_eq!(config, UserConfig::default());
    let problem = problem.unwrap();
    assert!(problem.contains("config.toml:2"), "{problem}");
    std::fs::write(&path, "language = \"de\"\n").unwrap();
    let (_, problem) = UserConfig::load_from(&path);
    assert!(problem.unwrap().contains("expected \"fr\" or \"en\""));
}

// --- Free-text search of Sent / Upcoming (trigram index, migration 003) ---

use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::store::messages::{self, Direction, ListKind, MessageFilter, NewMessage};

fn queue(conn: &rusqlite::Connection, name: &str, phone: &str, text: &str) -> i64 {
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    messages::insert(
        conn,
        &NewMessage {
            kind: MessageKind::Instant,
            context: "individual".into(),
            participant_id: None,
            event_id: None,
            batch_id: None,
            template_id: None,
            automation_id: None,
            collaborator_id: None,
            phone: phone.into(),
            recipient_name: name.into(),
            text: text.into(),
            manual_edit: false,
            encoding: "UCS-2".into(),
            chars: text.chars().count() as i64,
            segments: 1,
            sender: "MEBS".into(),
            expects_reply: false,
            campaign: false,
            created_by: "admin".into(),
            created_at: now,
            planned_at: now,
            deadline: now + chrono::Duration::days(1),
        },
    )
    .unwrap()
}

/// The Upcoming messages a search shows (ids, in list order), checked against its count.
fn found(conn: &rusqlite::Connection, text: &str) -> Vec<i64> {
    let filter = MessageFilter {
        text: Some(text.into()),
        ..Default::default()
    };
    let ids: Vec<i64> = messages::page(
        conn,
        ListKind::Upcoming,
        &filter,
        None,
        Direction::Forward,
        50,
    )
    .unwrap_or_else(|e| panic!("search {text:?}: {e}"))
    .iter()
    .map(|m| m.id)
    .collect();
    let count = messages::count(conn, ListKind::Upcoming, &filter).unwrap();
    assert_eq!(count, ids.len() as i64, "count of {text:?}");
    ids
}

/// The pages of the full-text index, to see whether a write touched it.
fn index_pages(conn: &rusqlite::Connection) -> Vec<(i64, Vec<u8>)> {
    let mut stmt = conn
        .prepare("SELECT id, block FROM messages_fts_data ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn index_is_consistent(conn: &rusqlite::Connection) {
    // With rank 1, FTS5 also compares the index with the content of `messages`.
    conn.execute(
        "INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .expect("the search index matches the messages");
}

#[test]
fn search_finds_parts_of_names_phones_and_texts_without_case_or_accents() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let c = store.conn();
    let helene = queue(
        c,
        "Hélène Le Floch",
        "+33612345678",
        "Bonjour, RDV atelier CV le 12/03 à 14h.",
    );
    let marc = queue(
        c,
        "Marc Martin",
        "+33698765432",
        "Rappel : entretien diagnostic demain.",
    );
    let free = queue(c, "", "+33700000001", "Réunion 100% gratuite, code_promo.");

    // Part of a name, with or without case and accents.
    assert_eq!(found(c, "helene"), [helene]);
    assert_eq!(found(c, "HÉLÈNE"), [helene]);
    assert_eq!(found(c, "lène"), [helene]);
    assert_eq!(found(c, "floch"), [helene]);
    assert_eq!(found(c, "mart"), [marc]);
    // Part of a phone, stored or as people type it.
    assert_eq!(found(c, "98765"), [marc]);
    assert_eq!(found(c, "06 12 34 56 78"), [helene]);
    assert_eq!(found(c, "0612345678"), [helene]);
    assert_eq!(found(c, "06.98.76"), [marc]);
    assert_eq!(found(c, "+33 7 00"), [free]);
    assert_eq!(found(c, "0033612345678"), [helene]);
    // Part of the text; every word in the same message, in any order; quotes keep a phrase.
    assert_eq!(found(c, "reunion"), [free]);
    assert_eq!(found(c, "atelier cv"), [helene]);
    assert_eq!(found(c, "cv ATELIER"), [helene]);
    assert_eq!(found(c, "\"rdv atelier\""), [helene]);
    assert!(found(c, "\"atelier rdv\"").is_empty());
    assert!(found(c, "atelier diagnostic").is_empty());
    assert_eq!(found(c, "12/03"), [helene]);
    // Short words (under three characters) are still found, and mixed with long ones.
    assert_eq!(found(c, "cv"), [helene]);
    assert_eq!(found(c, "14h rdv"), [helene]);
    assert_eq!(found(c, "rdv cv"), [helene]);
    // What SQL LIKE or FTS5 would read as syntax stays text.
    assert_eq!(found(c, "100%"), [free]);
    assert_eq!(found(c, "%"), [free]);
    assert_eq!(found(c, "_"), [free]);
    assert_eq!(found(c, "code_promo"), [free]);
    for odd in [
        "NEAR(rdv atelier)",
        "rdv OR diagnostic",
        "phone:612",
        "recipient_name : hel*",
        "a\"b",
        "-rdv",
        "^bon",
    ] {
        assert!(found(c, odd).is_empty(), "{odd:?} is text, not syntax");
    }
    assert!(found(c, "zwxq").is_empty());

    // The text rewritten: found by its new words, not by the old ones.
    c.execute(
        "UPDATE messages SET text = 'Visite entreprise jeudi.' WHERE id = ?1",
        [marc],
    )
    .unwrap();
    assert_eq!(found(c, "entreprise"), [marc]);
    assert!(found(c, "diagnostic").is_empty());
    assert_eq!(found(c, "martin"), [marc]);

    // A status change (the scheduler's writes) leaves the index untouched…
    let before = index_pages(c);
    messages::transition(
        c,
        helene,
        MessageStatus::Sending,
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 1, 0).unwrap(),
        "scheduler",
        "",
    )
    .unwrap();
    c.execute(
        "UPDATE messages SET provider = 'simulator', attempts = attempts + 1 WHERE id = ?1",
        [helene],
    )
    .unwrap();
    assert_eq!(index_pages(c), before, "a status update rewrote the index");
    // …while a text change does write to it.
    c.execute(
        "UPDATE messages SET text = text || ' Merci.' WHERE id = ?1",
        [marc],
    )
    .unwrap();
    assert_ne!(index_pages(c), before);

    // A deleted message is no longer found.
    c.execute(
        "DELETE FROM message_status_history WHERE message_id = ?1",
        [free],
    )
    .unwrap();
    c.execute("DELETE FROM messages WHERE id = ?1", [free])
        .unwrap();
    assert!(found(c, "reunion").is_empty());
    assert!(found(c, "+33 7 00").is_empty());
    index_is_consistent(c);
}

#[test]
fn a_version_2_store_is_migrated_and_its_messages_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    let id = {
        // The store as smsdesk wrote it before the search index.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../src/store/migrations/001_initial.sql"))
            .unwrap();
        conn.execute_batch(include_str!(
            "../src/store/migrations/002_participant_filters.sql"
        ))
        .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        let id = queue(
            &conn,
            "Zoé Kerbrat",
            "+33611223344",
            "Atelier numérique lundi.",
        );
        queue(&conn, "Yann Riou", "+33655667788", "Entretien mardi.");
        id
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let c = store.conn();
    assert_eq!(found(c, "zoe kerb"), [id]);
    assert_eq!(found(c, "numerique"), [id]);
    assert_eq!(found(c, "06 11 22 33 44"), [id]);
    index_is_consistent(c);
    // Messages queued after the migration are indexed too.
    let later = queue(c, "Zoé Le Gall", "+33699887766", "Atelier CV.");
    assert_eq!(found(c, "zoé"), [id, later]);
}
