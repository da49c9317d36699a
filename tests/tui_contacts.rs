//! Contacts: an individual SMS to the selected participant, written in the composer.

mod tui_fixture;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::i18n::Lang;
use tui_fixture::*;

#[test]
fn an_individual_sms_is_sent_to_the_selected_contact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 2026, "admin", now()).unwrap();
    let store = smsdesk::store::Store::open(&path).unwrap();
    // The first contact (in list order) who may receive SMS, and its row index.
    let people = smsdesk::store::participants::page(store.conn(), "", None, 500).unwrap();
    let (index, target) = people
        .iter()
        .enumerate()
        .find(|(_, p)| p.mobile.is_some() && p.sms_consent && !p.opted_out)
        .map(|(i, p)| (i, p.clone()))
        .unwrap();
    let mut app = app(store, Lang::En);
    press(&mut app, "c");
    for _ in 0..index {
        app.handle_key(code(KeyCode::Down));
    }
    press(&mut app, "n");
    assert!(
        app.is_editing(),
        "the send form opens: {:?}",
        app.status_message()
    );
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("SMS to"), "{screen}");
    app.handle_key(code(KeyCode::Tab));
    for c in "Bonjour {{participant.first_name}}, votre dossier est prêt.".chars() {
        app.handle_key(key(c));
    }
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(!app.is_editing(), "{:?}", app.status_message());
    let store = smsdesk::store::Store::open(&path).unwrap();
    let (phone, text, kind): (String, String, String) = store
        .conn()
        .query_row(
            "SELECT phone, text, kind FROM messages WHERE created_by = 'admin' ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(Some(phone), target.mobile);
    assert_eq!(kind, "instant");
    assert!(
        text.starts_with(&format!(
            "Bonjour {}, votre dossier est prêt.",
            target.first_name
        )),
        "{text}"
    );
}
