//! Provider settings that cannot work are refused as typed — on the command line, as one JSON,
//! and in the TUI form — `doctor` names them, and credentials written inside URLs are never
//! shown back in clear.

mod tui_fixture;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::gateway::{KannelConfig, ProviderConfig};
use smsdesk::i18n::Lang;
use smsdesk::store::Store;
use smsdesk::store::settings::Settings;
use std::path::Path;
use std::process::{Command, Output};
use tui_fixture::*;

fn smsdesk(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .arg("--db")
        .arg(db)
        .args(["--user", "admin"])
        .args(args)
        .env("SMSDESK_NOW", "2026-03-10T10:00:00Z")
        .env("SMSDESK_LOG_DIR", db.parent().unwrap())
        .env("SMSDESK_CONFIG_DIR", db.parent().unwrap())
        .env_remove("SMSDESK_DB")
        .output()
        .expect("run smsdesk")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = smsdesk(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Exit 2 with a one-line reason; returns it.
fn refused(db: &Path, args: &[&str]) -> String {
    let out = smsdesk(db, args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should be refused: {}{err}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(err.trim().lines().count(), 1, "one-line reason: {err}");
    err
}

fn stored_provider(db: &Path) -> ProviderConfig {
    let store = Store::open(db).unwrap();
    Settings::load(store.conn()).unwrap().provider
}

#[test]
fn provider_fields_that_cannot_work_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ok(&db, &["settings", "set", "provider", "kannel"]);
    for (field, value, words) in [
        ("callback_secret", "short", "16"),
        (
            "callback_secret",
            "a secret with spaces!",
            "letters, digits",
        ),
        ("callback_listen", "not an address", "address to listen on"),
        ("callback_listen", "127.0.0.1", "address to listen on"),
        ("callback_listen", "127.0.0.1:99999", "address to listen on"),
        ("sendsms_url", "javascript:alert(1)", "http://"),
        ("sendsms_url", "ftp://127.0.0.1/cgi-bin/sendsms", "http://"),
        ("sendsms_url", "http:///cgi-bin/sendsms", "no host"),
        ("sendsms_url", "http://127.0.0.1:0/cgi-bin/sendsms", "port"),
        ("sendsms_url", "http://bad host/x", "spaces"),
        ("sendsms_url", "", "required"),
        ("callback_url", "file:///etc/passwd", "http://"),
        ("username", "", "required"),
        ("username", "   ", "required"),
        ("password", "", "required"),
        ("password", "***", "mask"),
        ("username", "desk\nX-Injected: 1", "control character"),
    ] {
        let err = refused(
            &db,
            &["settings", "set", &format!("provider.{field}"), value],
        );
        assert!(
            err.contains(&format!("provider.{field}")) && err.contains(words),
            "{field} = {value:?}: {err}"
        );
    }
    // A listener other machines can reach needs the secret first.
    let err = refused(
        &db,
        &[
            "settings",
            "set",
            "provider.callback_listen",
            "0.0.0.0:8089",
        ],
    );
    assert!(err.contains("provider.callback_secret"), "{err}");
    // What can work is accepted, field by field.
    for (field, value) in [
        (
            "sendsms_url",
            "https://sms.example.org:13013/cgi-bin/sendsms",
        ),
        ("username", "desk"),
        ("password", "pa55-word"),
        ("callback_secret", "0123456789abcdef-_.~"),
        ("callback_listen", "0.0.0.0:8089"),
        ("callback_url", "http://[::1]:8089"),
    ] {
        ok(
            &db,
            &["settings", "set", &format!("provider.{field}"), value],
        );
    }
    // The secret cannot be removed while the listener is reachable from elsewhere.
    let err = refused(&db, &["settings", "set", "provider.callback_secret", ""]);
    assert!(err.contains("provider.callback_secret"), "{err}");
    match stored_provider(&db) {
        ProviderConfig::Kannel(KannelConfig {
            callback_secret,
            username,
            ..
        }) => {
            assert_eq!(callback_secret, "0123456789abcdef-_.~");
            assert_eq!(username, "desk");
        }
        other => panic!("{other:?}"),
    }

    // Twilio and OVH: credentials required, URLs checked.
    ok(&db, &["settings", "set", "provider", "twilio"]);
    for (field, value, words) in [
        ("account_sid", "", "required"),
        ("auth_token", " ", "required"),
        ("from", "", "required"),
        ("base_url", "javascript:alert(1)", "http://"),
        ("reply_number", "call me", "digits"),
        ("callback_secret", "0123456789abcdef", "not a field"),
    ] {
        let err = refused(
            &db,
            &["settings", "set", &format!("provider.{field}"), value],
        );
        assert!(
            err.contains(&format!("provider.{field}")) && err.contains(words),
            "{field} = {value:?}: {err}"
        );
    }
    ok(&db, &["settings", "set", "provider", "ovh"]);
    for (field, value, words) in [
        ("endpoint", "eu.api.ovh.com/1.0", "http://"),
        ("application_key", "", "required"),
        ("application_secret", "", "required"),
        ("consumer_key", "", "required"),
        ("service_name", "", "required"),
    ] {
        let err = refused(
            &db,
            &["settings", "set", &format!("provider.{field}"), value],
        );
        assert!(
            err.contains(&format!("provider.{field}")) && err.contains(words),
            "{field} = {value:?}: {err}"
        );
    }
    ok(&db, &["settings", "set", "provider", "simulator"]);
    let err = refused(
        &db,
        &["settings", "set", "provider.callback_url", "http://x/"],
    );
    assert!(err.contains("provider.callback_url"), "{err}");
}

#[test]
fn a_whole_provider_json_is_checked_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let good = serde_json::json!({
        "kind": "kannel",
        "sendsms_url": "http://127.0.0.1:13013/cgi-bin/sendsms",
        "username": "desk",
        "password": "pw",
        "callback_listen": "127.0.0.1:8089",
    });
    for (field, value, words) in [
        ("callback_secret", "short", "16"),
        ("callback_listen", "not an address", "address to listen on"),
        ("sendsms_url", "javascript:alert(1)", "http://"),
        ("username", "", "required"),
        ("password", "", "required"),
    ] {
        let mut json = good.clone();
        json[field] = serde_json::json!(value);
        let err = refused(&db, &["settings", "set", "provider", &json.to_string()]);
        assert!(
            err.contains(&format!("provider.{field}")) && err.contains(words),
            "{field} = {value:?}: {err}"
        );
    }
    let mut misspelt = good.clone();
    misspelt["callback_secert"] = serde_json::json!("0123456789abcdef");
    let err = refused(&db, &["settings", "set", "provider", &misspelt.to_string()]);
    assert!(
        err.contains("provider.callback_secert") && err.contains("not a field"),
        "{err}"
    );
    let twilio =
        serde_json::json!({"kind": "twilio", "account_sid": "AC1", "auth_token": "", "from": "X"});
    let err = refused(&db, &["settings", "set", "provider", &twilio.to_string()]);
    assert!(err.contains("provider.auth_token"), "{err}");
    ok(&db, &["settings", "set", "provider", &good.to_string()]);
    assert!(matches!(stored_provider(&db), ProviderConfig::Kannel(_)));
}

const URL_WITH_CREDENTIALS: &str = "http://desk:pa55word@127.0.0.1:13013/cgi-bin/sendsms?user=desk&password=hunter22&api_token=t0k3n&x=1";

fn kannel_with_url_credentials(db: &Path) {
    ok(db, &["settings", "set", "provider", "kannel"]);
    for (field, value) in [
        ("sendsms_url", URL_WITH_CREDENTIALS),
        ("username", "desk"),
        ("password", "s3cr3t-pw"),
    ] {
        ok(
            db,
            &["settings", "set", &format!("provider.{field}"), value],
        );
    }
}

fn assert_masked(what: &str, text: &str) {
    for secret in ["pa55word", "hunter22", "t0k3n", "s3cr3t-pw"] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

#[test]
fn credentials_inside_urls_are_masked_wherever_they_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    kannel_with_url_credentials(&db);
    for args in [
        &["settings", "get"][..],
        &["settings", "get", "provider"],
        &["--json", "settings", "get"],
        &["--json", "settings", "get", "provider"],
        &["settings", "set", "provider.username", "desk2"],
    ] {
        let out = ok(&db, args);
        assert_masked(&format!("{args:?}"), &out);
        assert!(
            out.contains("desk:***@127.0.0.1:13013") && out.contains("password=***"),
            "{args:?}: {out}"
        );
    }
    for args in [&["doctor"][..], &["--json", "doctor"]] {
        let out = smsdesk(&db, args);
        assert_masked(&format!("{args:?}"), &String::from_utf8_lossy(&out.stdout));
        assert_masked(&format!("{args:?}"), &String::from_utf8_lossy(&out.stderr));
    }
    let store = Store::open(&db).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT detail FROM audit_log WHERE action = 'settings.set'")
        .unwrap();
    let audited: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(!audited.is_empty());
    for a in &audited {
        assert_masked("audit log", a);
    }
    let cfg = Settings::load(store.conn()).unwrap().provider;
    assert_masked("Debug", &format!("{cfg:?}"));
    // Stored as typed.
    match cfg {
        ProviderConfig::Kannel(KannelConfig { sendsms_url, .. }) => {
            assert_eq!(sendsms_url, URL_WITH_CREDENTIALS)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn what_settings_get_printed_can_be_set_back_without_losing_the_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    kannel_with_url_credentials(&db);
    let shown = ok(&db, &["settings", "get", "provider"]);
    assert!(shown.contains("***"), "{shown}");
    ok(&db, &["settings", "set", "provider", shown.trim()]);
    // The masked URL with another path keeps its password and secret parameters.
    ok(
        &db,
        &[
            "settings",
            "set",
            "provider.sendsms_url",
            "http://desk:***@127.0.0.1:13014/sendsms?user=desk&password=***&api_token=***&x=2",
        ],
    );
    match stored_provider(&db) {
        ProviderConfig::Kannel(KannelConfig {
            sendsms_url,
            password,
            ..
        }) => {
            assert_eq!(password, "s3cr3t-pw");
            assert_eq!(
                sendsms_url,
                "http://desk:pa55word@127.0.0.1:13014/sendsms?user=desk&password=hunter22&api_token=t0k3n&x=2"
            );
        }
        other => panic!("{other:?}"),
    }
    // A mask with nothing stored behind it is not a value.
    let err = refused(
        &db,
        &[
            "settings",
            "set",
            "provider.callback_url",
            "http://127.0.0.1:8089/?key=***",
        ],
    );
    assert!(err.contains("provider.callback_url"), "{err}");
}

/// Whether batches record an interview (job seekers) or are plain campaigns (a shop, a
/// network): yes by default, yes or no in English or French, anything else refused.
#[test]
fn batch_interview_is_yes_by_default_and_takes_yes_or_no() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    assert_eq!(
        ok(&db, &["settings", "get", "batch_interview"]).trim(),
        "yes"
    );
    assert_eq!(
        ok(&db, &["settings", "set", "batch_interview", "Non"]).trim(),
        "batch_interview = no"
    );
    assert!(
        !Settings::load(Store::open(&db).unwrap().conn())
            .unwrap()
            .batch_interview
    );
    let err = refused(&db, &["settings", "set", "batch_interview", "sometimes"]);
    assert!(err.contains("batch_interview: yes or no"), "{err}");
    assert_eq!(
        ok(&db, &["settings", "get", "batch_interview"]).trim(),
        "no"
    );
    ok(&db, &["settings", "set", "batch_interview", "oui"]);
    assert!(
        Settings::load(Store::open(&db).unwrap().conn())
            .unwrap()
            .batch_interview
    );
}

#[test]
fn doctor_names_each_provider_field_that_cannot_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ok(&db, &["credit", "add", "1000"]);
    let out = smsdesk(&db, &["doctor"]);
    assert!(
        out.status.success(),
        "a fresh store is fine: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A provider chosen by name starts empty: its credentials are still to be typed.
    ok(&db, &["settings", "set", "provider", "kannel"]);
    // A value stored by an older smsdesk, which accepted anything.
    {
        let store = Store::open(&db).unwrap();
        let raw: String = store
            .conn()
            .query_row("SELECT value FROM settings WHERE key='provider'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&raw).unwrap();
        json["callback_secret"] = "short".into();
        json["sendsms_url"] = "javascript:alert(1)".into();
        store
            .conn()
            .execute(
                "UPDATE settings SET value = ?1 WHERE key = 'provider'",
                [json.to_string()],
            )
            .unwrap();
    }
    let out = smsdesk(&db, &["doctor"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    for (field, words) in [
        ("sendsms_url", "http://"),
        ("username", "required"),
        ("password", "required"),
        ("callback_secret", "16"),
    ] {
        assert!(
            text.lines().any(|l| l.starts_with("PROBLEM: provider.")
                && l.contains(&format!("provider.{field}:"))
                && l.contains(words)),
            "{field}: {text}"
        );
    }
    assert!(!text.contains("no problem found"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&smsdesk(&db, &["--json", "doctor"]).stdout).unwrap();
    assert_eq!(json["ok"], false);
    // The provider is still the one configured, not silently the simulator.
    assert!(matches!(stored_provider(&db), ProviderConfig::Kannel(_)));
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typing(app: &mut smsdesk::tui::App, text: &str) {
    for c in text.chars() {
        app.handle_key(key(c));
    }
}

#[test]
fn the_settings_form_refuses_provider_fields_as_typed() {
    let f = empty_store();
    let path = f.path();
    let mut app = app(f.store, Lang::En);
    press(&mut app, "2");
    app.handle_key(code(KeyCode::End));
    app.handle_key(code(KeyCode::Enter)); // the provider row
    app.handle_key(code(KeyCode::Right)); // simulator → kannel
    let screen = render(&mut app, 100, 40);
    assert!(
        screen.contains("‹ Kannel ›")
            && screen.contains("  sendsms URL")
            && screen.contains("  Report secret")
            && !screen.contains("sendsms_url")
            && !screen.contains("callback_secret"),
        "the provider and its fields are named by their labels:\n{screen}"
    );
    app.handle_key(code(KeyCode::Tab)); // sendsms_url
    app.handle_key(ctrl('u'));
    typing(&mut app, "javascript:alert(1)");
    let screen = render(&mut app, 100, 40);
    assert!(
        screen.contains("✖ only http:// and https://"),
        "the reason is shown under the field:\n{screen}"
    );
    app.handle_key(ctrl('u'));
    typing(&mut app, "http://127.0.0.1:13013/cgi-bin/sendsms");
    let screen = render(&mut app, 100, 40);
    assert!(!screen.contains('✖'), "{screen}");
    app.handle_key(code(KeyCode::Tab)); // username
    typing(&mut app, "desk");
    app.handle_key(code(KeyCode::Tab)); // password
    typing(&mut app, "pw");
    app.handle_key(code(KeyCode::Tab)); // callback_listen
    app.handle_key(ctrl('u'));
    typing(&mut app, "not an address");
    let screen = render(&mut app, 100, 40);
    assert!(screen.contains("not an address to listen on"), "{screen}");
    app.handle_key(ctrl('u'));
    typing(&mut app, "127.0.0.1:8089");
    app.handle_key(code(KeyCode::Tab)); // callback_url
    app.handle_key(code(KeyCode::Tab)); // callback_secret
    typing(&mut app, "short");
    let screen = render(&mut app, 100, 40);
    assert!(
        screen.contains("✖ is 5 characters long; use at least 16"),
        "{screen}"
    );
    app.handle_key(ctrl('s'));
    assert!(app.is_editing(), "not saved while a field is refused");
    app.handle_key(ctrl('u'));
    typing(&mut app, "0123456789abcdef");
    app.handle_key(ctrl('s'));
    app.handle_key(key('y'));
    assert!(!app.is_editing(), "{:?}", app.status_message());
    drop(app);
    match stored_provider(&path) {
        ProviderConfig::Kannel(KannelConfig {
            callback_secret,
            sendsms_url,
            ..
        }) => {
            assert_eq!(callback_secret, "0123456789abcdef");
            assert_eq!(sendsms_url, "http://127.0.0.1:13013/cgi-bin/sendsms");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_settings_form_masks_credentials_in_urls_and_keeps_them_when_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    kannel_with_url_credentials(&db);
    let store = Store::open(&db).unwrap();
    let mut app = app(store, Lang::En);
    press(&mut app, "2");
    let screen = render(&mut app, 120, 40);
    assert_masked("Settings tab", &screen);
    app.handle_key(code(KeyCode::End));
    app.handle_key(code(KeyCode::Enter)); // the provider row
    let screen = render(&mut app, 120, 40);
    assert_masked("Settings form", &screen);
    assert!(screen.contains("desk:***@127.0.0.1:13013"), "{screen}");
    app.handle_key(code(KeyCode::Tab)); // sendsms_url, shown masked
    app.handle_key(code(KeyCode::Tab)); // username
    app.handle_key(ctrl('u'));
    typing(&mut app, "desk2");
    app.handle_key(ctrl('s'));
    app.handle_key(key('y'));
    assert!(!app.is_editing(), "{:?}", app.status_message());
    drop(app);
    match stored_provider(&db) {
        ProviderConfig::Kannel(KannelConfig {
            sendsms_url,
            username,
            password,
            ..
        }) => {
            assert_eq!(username, "desk2");
            assert_eq!(password, "s3cr3t-pw");
            assert_eq!(sendsms_url, URL_WITH_CREDENTIALS);
        }
        other => panic!("{other:?}"),
    }
}

/// Every setting key is typed, in the order of the specs, with the stored key unchanged, a
/// label and a help in both languages; the language setting reads the languages' names.
#[test]
fn setting_keys_are_typed_and_named_in_both_languages() {
    use smsdesk::store::settings::{SPECS, SettingKey, validate};
    let keys: Vec<&str> = SettingKey::ALL.iter().map(|k| k.as_str()).collect();
    let specs: Vec<&str> = SPECS.iter().map(|s| s.key).collect();
    assert_eq!(keys, specs);
    for key in SettingKey::ALL {
        assert_eq!(key.as_str().parse::<SettingKey>(), Ok(key));
        for lang in Lang::ALL {
            let label = key.label(lang);
            assert!(!label.is_empty() && label != key.as_str(), "{key}: {label}");
            assert!(!label.starts_with("admin."), "{key} has no label in {lang}");
            assert!(!key.help(lang).is_empty());
        }
    }
    assert!("window_day".parse::<SettingKey>().is_err());
    assert_eq!(validate("language", "français"), Ok("fr".to_string()));
    assert_eq!(validate("language", "English"), Ok("en".to_string()));
    assert_eq!(validate("language", ""), Ok(String::new()));
    assert!(validate("language", "de").is_err());
    assert_eq!(
        validate("window_days", "lun, mar, mer"),
        Ok("mon,tue,wed".to_string())
    );
}

/// The Settings form shows a refused value's reason next to its field, in the operator's
/// language; the command line says it in English.
#[test]
fn a_refused_setting_says_why_in_the_readers_language() {
    use smsdesk::i18n::{Describe, Lang};
    use smsdesk::store::settings::validate;
    let e = validate("max_segments", "11").unwrap_err();
    assert_eq!(
        e.reason.describe(Lang::Fr),
        "un nombre entier de 1 à 10, pas « 11 »"
    );
    assert_eq!(
        e.to_string(),
        "max_segments: a whole number from 1 to 10, not \"11\""
    );
    let e = validate("batch_interview", "peut-être").unwrap_err();
    assert_eq!(e.reason.describe(Lang::Fr), "yes (oui) ou no (non)");
    assert_eq!(e.reason.describe(Lang::En), "yes or no");
}

/// Every numeric setting reads `1 000` as the screens write it (spaces, thin or non-breaking).
#[test]
fn numeric_settings_accept_grouped_digits() {
    use smsdesk::store::settings::validate;
    for (key, typed, want) in [
        ("low_credit", "1 000", "1000"),
        ("low_credit", "15\u{202f}000", "15000"),
        ("low_credit", "15\u{a0}000", "15000"),
        ("low_credit", "15000", "15000"),
        ("grace_seconds", " 30 ", "30"),
        ("rate_per_second", "1 000", "1000"),
    ] {
        assert_eq!(validate(key, typed).as_deref(), Ok(want), "{key} {typed:?}");
    }
    assert!(validate("low_credit", "1.000").is_err());
    assert!(validate("low_credit", "mille").is_err());
}
