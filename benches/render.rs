//! Rendering a typical two-line reminder for 10,000 recipients (budget: < 20 ms in total).

use std::hint::black_box;

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use smsdesk::sms::template::{Lang, MergeData, TemplateContext, parse, render};

const TEMPLATE: &str = "Bonjour {{participant.civility}} {{participant.last_name}}, rappel : \
    {{event.kind}} le {{event.date}} à {{event.time}} avec {{collaborator.full_name}}.\n\
    Lieu : {{event.location}}. {{organisation.signature}}";

const WITH_FORMAT: &str = "Bonjour {{participant.first_name}}, RDV le {{event.date|%A %d %B}} \
    à {{event.time|%Hh%M}}.\n{{organisation.signature}}";

/// 10,000 distinct recipients with events spread over a year.
fn recipients() -> Vec<MergeData> {
    let base = NaiveDate::from_ymd_opt(2026, 1, 5)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .expect("valid date");
    (0..10_000)
        .map(|i| {
            let mut d = MergeData::sample(Lang::Fr);
            if let Some(p) = d.participant.as_mut() {
                p.first_name = Some(format!("Prénom{i}"));
                p.last_name = Some(format!("Nom{i}"));
            }
            if let Some(e) = d.event.as_mut() {
                e.start = Some(base + Duration::minutes(i64::from(i) * 53));
            }
            d
        })
        .collect()
}

fn bench_render(c: &mut Criterion) {
    let people = recipients();
    for (name, text) in [
        ("default_formats", TEMPLATE),
        ("strftime_formats", WITH_FORMAT),
    ] {
        let t = parse(text, TemplateContext::Interview).expect("template parses");
        c.bench_function(&format!("render_10k_{name}"), |b| {
            b.iter(|| {
                let mut total = 0;
                for d in &people {
                    total += render(black_box(&t), black_box(d), Lang::Fr)
                        .expect("renders")
                        .len();
                }
                total
            })
        });
    }
    c.bench_function("parse_typical", |b| {
        b.iter(|| parse(black_box(TEMPLATE), TemplateContext::Interview))
    });
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
