//! Read-only windows (a conversation, a message's detail, the help) sized and scrolled on
//! the rows their text really takes once wrapped, so that a conversation opened at its
//! latest message ends on the window's last row, with no blank rows under it.

mod tui_fixture;

use crossterm::event::KeyCode;
use smsdesk::i18n::Lang;
use tui_fixture::*;

/// The rows between a window's top and bottom borders (`┌`/`└` at the same column).
fn window_rows(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines.iter().position(|l| l.contains('┌')).unwrap();
    let bottom = lines.iter().rposition(|l| l.contains('└')).unwrap();
    lines[top + 1..bottom]
        .iter()
        .map(|l| {
            let inside: String = l
                .chars()
                .skip_while(|c| *c != '│')
                .skip(1)
                .take_while(|c| *c != '│')
                .collect();
            inside
        })
        .collect()
}

#[test]
fn a_long_conversation_ends_on_the_windows_last_row() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        press(&mut app, "i");
        // Every reply of the first page: the long conversations are the ones that used to
        // leave blank rows under their latest message.
        for _ in 0..10 {
            app.handle_key(code(KeyCode::Enter));
            let screen = render(&mut app, 80, 24);
            let rows = window_rows(&screen);
            assert!(
                rows.last().is_some_and(|r| !r.trim().is_empty()),
                "the latest message is not on the window's last row:\n{screen}"
            );
            app.handle_key(code(KeyCode::Esc));
            press(&mut app, "j");
        }
    }
}

/// A read-only window offers its scrolling keys only when its text does not fit: a message's
/// detail on a tall screen has nothing to scroll, on a short one it has.
#[test]
fn scrolling_keys_are_offered_only_when_the_text_does_not_fit() {
    for lang in [Lang::Fr, Lang::En] {
        let f = demo_store();
        let mut app = app(f.store, lang);
        press(&mut app, "6");
        app.handle_key(code(KeyCode::Enter));
        let footer = |screen: &str| screen.lines().last().unwrap_or_default().to_string();
        let tall = render(&mut app, 200, 60);
        assert!(tall.contains('┌'), "the detail is open:\n{tall}");
        assert!(
            !footer(&tall).contains('↓'),
            "nothing to scroll, no scrolling keys:\n{tall}"
        );
        let short = render(&mut app, 200, 12);
        assert!(
            footer(&short).contains('↓'),
            "the text does not fit: its scrolling keys are offered:\n{short}"
        );
    }
}
