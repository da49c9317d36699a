//! The store's migrations and refusals, the key map overlay and the user config file.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::config::UserConfig;
use smsdesk::keymap::{GlobalAction, Keymap, ListAction};
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
    assert_eq!(settings::get(store.db(), "sender").unwrap(), "MAIRIE75");
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
    assert_no_siblings(dir.path(), "newer.db");
    // The command line refuses it the same way (exit 2), and leaves nothing beside it either.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(&path)
        .args(["--user", "admin", "doctor"])
        .env("SMSDESK_LOG_DIR", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("newer smsdesk"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "bytes changed");
    assert_no_siblings(dir.path(), "newer.db");
}

/// Nothing but the store itself in `dir`: no `-wal`, `-shm` or journal left beside it.
fn assert_no_siblings(dir: &std::path::Path, name: &str) {
    let files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|f| f.starts_with(name))
        .collect();
    assert_eq!(files, vec![name.to_string()], "files beside the store");
}

#[test]
fn an_sqlite_database_of_another_program_is_refused_with_nothing_left_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE notes(x); INSERT INTO notes VALUES (1);",
        )
        .unwrap();
    }
    assert_no_siblings(dir.path(), "other.db");
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Unusable { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_no_siblings(dir.path(), "other.db");
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
        map.global(&key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
        Some(GlobalAction::Quit)
    );
    // Defaults not overridden still work.
    assert_eq!(
        map.global(&key(KeyCode::Char('q'), KeyModifiers::NONE)),
        Some(GlobalAction::Quit)
    );
    assert_eq!(
        map.list(&key(KeyCode::Char('o'), KeyModifiers::NONE)),
        Some(ListAction::Open)
    );
    assert_eq!(
        map.list(&key(KeyCode::Enter, KeyModifiers::NONE)),
        Some(ListAction::Open)
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
    assert!(
        problems[0].reason.to_string().contains("Hyper-x"),
        "{}",
        problems[0]
    );
    assert!(
        problems
            .iter()
            .any(|p| p.reason.to_string().contains("explode"))
    );
    assert!(
        problems
            .iter()
            .any(|p| p.reason.to_string().contains("nonsense"))
    );
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
        map.global(&key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
        Some(GlobalAction::Quit)
    );
    assert_eq!(
        map.list(&key(KeyCode::Char('o'), KeyModifiers::NONE)),
        Some(ListAction::Open)
    );
}

#[test]
fn a_broken_config_file_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "language = \"fr\"\ndb = 42\n").unwrap();
    let (config, problem) = UserConfig::load_from(&path);
    assert_eq!(config, UserConfig::default());
    let problem = problem.unwrap().to_string();
    assert!(problem.contains("config.toml:2"), "{problem}");
    std::fs::write(&path, "language = \"de\"\n").unwrap();
    let (_, problem) = UserConfig::load_from(&path);
    assert!(
        problem
            .unwrap()
            .to_string()
            .contains("expected \"fr\" or \"en\"")
    );
}

#[test]
fn the_background_of_config_toml_chooses_the_palette_and_a_wrong_one_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "background = \"light\"\n").unwrap();
    let (config, problem) = UserConfig::load_from(&path);
    assert_eq!(problem, None);
    assert_eq!(config.background, Some(smsdesk::config::Background::Light));
    std::fs::write(&path, "language = \"fr\"\nbackground = \"blue\"\n").unwrap();
    let (config, problem) = UserConfig::load_from(&path);
    assert_eq!(config, UserConfig::default());
    let problem = problem.unwrap().to_string();
    assert!(problem.contains("config.toml:2"), "{problem}");
}
