//! Every tab at 80×24, in French and in English, on the demo store with a fixed clock; plus
//! the help popup and a message detail. (The hand-made sample store of `tui_fixture` keeps its
//! own snapshots: it holds the hostile name and the edge cases the demo does not.)

mod tui_fixture;

use crossterm::event::KeyCode;
use smsdesk::i18n::Lang;
use smsdesk::tui::Tab;
use tui_fixture::*;

fn tab_key(tab: Tab) -> char {
    match tab {
        Tab::Dashboard => '1',
        Tab::Settings => '2',
        Tab::Templates => '3',
        Tab::Automations => '4',
        Tab::Users => '5',
        Tab::Sent => '6',
        Tab::Upcoming => '7',
        Tab::Batch => '8',
        Tab::Free => '9',
        Tab::Agenda => 'a',
        Tab::Contacts => 'c',
        Tab::Inbox => 'i',
    }
}

/// The demo store as it looks at the fixture's fixed instant.
fn snapshot_tabs(f: Fixture, prefix: &str, lang: Lang) {
    let mut app = app(f.store, lang);
    for tab in Tab::ALL {
        press(&mut app, &tab_key(tab).to_string());
        assert_eq!(app.tab(), tab);
        let screen = render(&mut app, 80, 24);
        assert!(
            !screen.contains('\u{1b}'),
            "an escape character reached the screen:\n{screen}"
        );
        insta::assert_snapshot!(format!("{prefix}{}_{}", lang.as_str(), tab.name()), screen);
    }
}

#[test]
fn every_tab_in_french() {
    snapshot_tabs(demo_store(), "demo_", Lang::Fr);
}

#[test]
fn every_tab_in_english() {
    snapshot_tabs(demo_store(), "demo_", Lang::En);
}

#[test]
fn every_tab_of_the_sample_store() {
    snapshot_tabs(sample_store(), "", Lang::Fr);
    snapshot_tabs(sample_store(), "", Lang::En);
}

#[test]
fn help_popup() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        press(&mut app, "?");
        insta::assert_snapshot!(
            format!("demo_{}_help", lang.as_str()),
            render(&mut app, 80, 24)
        );
    }
}

#[test]
fn message_detail() {
    for lang in [Lang::Fr, Lang::En] {
        let f = sample_store();
        let mut app = app(f.store, lang);
        press(&mut app, "6");
        // The oldest sent message (the one with a hostile name), at the bottom of the list.
        app.handle_key(code(KeyCode::End));
        app.handle_key(code(KeyCode::Enter));
        insta::assert_snapshot!(
            format!("{}_detail", lang.as_str()),
            render(&mut app, 80, 24)
        );
    }
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        press(&mut app, "6");
        // The newest sent message of the demo, with its history.
        app.handle_key(code(KeyCode::Enter));
        insta::assert_snapshot!(
            format!("demo_{}_detail", lang.as_str()),
            render(&mut app, 80, 24)
        );
    }
}

/// A time the window refuses, said on screen with its date as every screen writes dates
/// (`mardi 31/03/2026 21:30`), not as the core once did (`2026-03-31`).
#[test]
fn refused_time() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        press(&mut app, "7m");
        assert!(app.has_popup(), "{}", render(&mut app, 80, 24));
        app.handle_key(crossterm::event::KeyEvent::new(
            KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        ));
        // Tuesday evening, after the window closes.
        press(&mut app, "31/03/2026 21:30");
        app.handle_key(code(KeyCode::Enter));
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains("31/03/2026 21:30 +02:00"), "{screen}");
        insta::assert_snapshot!(format!("demo_{}_refused_time", lang.as_str()), screen);
    }
}

#[test]
fn contact_card_and_forms() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        // The second contact of the demo: a programme, a list, events, SMS in and out.
        press(&mut app, "cj");
        app.handle_key(code(KeyCode::Enter));
        insta::assert_snapshot!(
            format!("demo_{}_contact_card", lang.as_str()),
            render(&mut app, 80, 24)
        );
        press(&mut app, "m");
        insta::assert_snapshot!(
            format!("demo_{}_contact_edit", lang.as_str()),
            render(&mut app, 80, 24)
        );
    }
    for lang in [Lang::Fr, Lang::En] {
        let f = sample_store();
        let mut app = app(f.store, lang);
        // Every contact of the sample store, the hostile name included, shows neutralised.
        press(&mut app, "c");
        for _ in 0..6 {
            app.handle_key(code(KeyCode::Enter));
            let screen = render(&mut app, 80, 24);
            assert!(!screen.contains('\u{1b}'), "{screen}");
            app.handle_key(code(KeyCode::Esc));
            press(&mut app, "j");
        }
        press(&mut app, "N");
        insta::assert_snapshot!(
            format!("{}_contact_new", lang.as_str()),
            render(&mut app, 80, 24)
        );
    }
}
