//! `analyse` must keep up with typing: counting a 1,000-character text has to stay well
//! under 5 µs so the editor can recount at every key stroke.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use smsdesk::sms::encoding::analyse;
use smsdesk::sms::transliterate::to_gsm7;

/// A realistic French reminder repeated to exactly `n` characters.
fn sample(n: usize, base: &str) -> String {
    base.chars().cycle().take(n).collect()
}

fn bench_segments(c: &mut Criterion) {
    let gsm = sample(
        1000,
        "Bonjour, votre rendez-vous à l'agence est prévu le 12/03 à 10h. Merci de répondre OUI ou NON. 12€ {ok} ",
    );
    let ucs2 = sample(
        1000,
        "Bonjour, n’oubliez pas la fête de l’été à 18h – entrée libre… Répondez « oui » 😀 ",
    );
    assert_eq!(analyse(&gsm).encoding.to_string(), "GSM-7");
    assert_eq!(analyse(&ucs2).encoding.to_string(), "UCS-2");
    c.bench_function("analyse 1000 chars GSM-7", |b| {
        b.iter(|| analyse(black_box(&gsm)))
    });
    c.bench_function("analyse 1000 chars UCS-2", |b| {
        b.iter(|| analyse(black_box(&ucs2)))
    });
    c.bench_function("to_gsm7 1000 chars", |b| {
        b.iter(|| to_gsm7(black_box(&ucs2)))
    });
}

criterion_group!(benches, bench_segments);
criterion_main!(benches);
