//! The administration side driven headless: template editor with the composer, settings form,
//! automations, users, dashboard packs. Each journey checks the store afterwards, and each
//! screen and dialog is snapshotted at 80×24 in French and English.

mod tui_fixture;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::i18n::Lang;
use smsdesk::store::templates;
use smsdesk::tui::App;
use tui_fixture::*;

fn demo_store() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 2026, "admin", now()).unwrap();
    let store = smsdesk::store::Store::open(&path).unwrap();
    Fixture { dir, store }
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typing(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(key(c));
    }
}

fn snap(app: &mut App, name: &str, lang: Lang) -> String {
    let screen = render(app, 80, 24);
    assert!(!screen.contains('\u{1b}'));
    insta::assert_snapshot!(format!("{name}_{}", lang.as_str()), screen);
    screen
}

#[test]
fn a_template_with_merge_fields_and_a_reply_keyword_is_created_from_the_keyboard() {
    let f = demo_store();
    let path = f.dir.path().join("demo.db");
    let mut app = app(f.store, Lang::En);
    press(&mut app, "3");
    press(&mut app, "n");
    assert!(app.is_editing(), "the editor has the keyboard");
    // Letters are text, not tab shortcuts ("a" is the agenda, "q" quits).
    typing(&mut app, "Quick reminder");
    app.handle_key(code(KeyCode::Tab)); // context
    app.handle_key(code(KeyCode::Tab)); // active
    app.handle_key(code(KeyCode::Tab)); // locked
    app.handle_key(code(KeyCode::Tab)); // reply expected
    app.handle_key(key(' '));
    app.handle_key(code(KeyCode::Tab)); // keywords
    typing(&mut app, "oui=confirmed by SMS; non=will not attend");
    app.handle_key(code(KeyCode::Tab)); // text
    typing(&mut app, "Hello ");
    app.handle_key(ctrl('f'));
    app.handle_key(code(KeyCode::Down));
    app.handle_key(code(KeyCode::Enter));
    typing(&mut app, ", see you {{event.date}}. Reply OUI or NON");
    snap(&mut app, "template_editor", Lang::En);
    app.handle_key(ctrl('s'));
    assert!(
        !app.is_editing(),
        "saved and closed: {:?}",
        app.status_message()
    );
    let store = smsdesk::store::Store::open(&path).unwrap();
    let t = templates::list(store.conn())
        .unwrap()
        .into_iter()
        .find(|t| t.name == "Quick reminder")
        .expect("template saved");
    assert!(t.reply_expected);
    assert!(t.body.starts_with("Hello {{"), "{}", t.body);
    assert!(t.body.contains("{{event.date}}"));
    let kw = templates::keywords(store.conn(), t.id).unwrap();
    assert_eq!(kw.len(), 2);
    assert_eq!(kw[1].0, "OUI");
}
