//! Keystroke → rendered frame in the SMS composer, 80×24 `TestBackend`, with a 1,000-character
//! French text holding accents and an emoji (goal: ≤ 2 ms per keystroke).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use smsdesk::i18n::Lang;
use smsdesk::keymap::Keymap;
use smsdesk::sms::template::TemplateContext;
use smsdesk::tui::Theme;
use smsdesk::tui::widgets::composer::{Composer, ComposerSetup};

fn text() -> String {
    let sentence =
        "Bonjour, votre rendez-vous est confirmé à 9h à l'agence : pensez à votre CV ! 😀 ";
    sentence.chars().cycle().take(1000).collect()
}

fn bench_keystroke(c: &mut Criterion) {
    let keymap = Keymap::defaults();
    for (name, context) in [
        ("plain_1000_chars", TemplateContext::Free),
        ("template_1000_chars", TemplateContext::Interview),
    ] {
        let setup = ComposerSetup {
            context,
            max_segments: 10,
            signature: "Mission locale - 04 78 00 00 00".into(),
            stop: Some("STOP au 36608".into()),
            template: context != TemplateContext::Free,
        };
        let mut composer = Composer::new(setup, Lang::Fr, Theme::monochrome());
        composer.set_text(&text());
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
        let typed = KeyEvent::new(KeyCode::Char('ê'), KeyModifiers::NONE);
        let erase = KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE);
        let mut flip = false;
        c.bench_function(&format!("composer_keystroke_{name}"), |b| {
            b.iter(|| {
                // Alternate typing and erasing so the text stays 1,000 characters long.
                flip = !flip;
                composer.key(if flip { &typed } else { &erase }, &keymap);
                terminal
                    .draw(|f| {
                        composer.layout(Theme::monochrome(), true);
                        composer.draw(f, f.area(), Theme::monochrome(), "Texte", true);
                    })
                    .expect("draw");
                black_box(composer.stats().info.segments);
            });
        });
    }
}

criterion_group!(benches, bench_keystroke);
criterion_main!(benches);
