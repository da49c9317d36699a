//! `segments`, `phone`, `plan`: the pure rules, from the command line.

use super::{CliResult, Env, Failure, print_json};
use crate::sms::{encoding, phone, window};
use crate::store::{Store, settings::Settings};

pub fn segments(text: &str, env: &Env) -> CliResult {
    let info = encoding::analyse(text);
    if env.json {
        print_json(&encoding::report_json(text));
    } else {
        println!(
            "{} · {} characters · {} units · {} segment(s) of {} · {} left",
            info.encoding, info.chars, info.units, info.segments, info.per_segment, info.remaining
        );
        if !info.non_gsm.is_empty() {
            let list: Vec<String> = info.non_gsm.iter().map(|c| c.to_string()).collect();
            println!("not GSM-7: {}", list.join(" "));
        }
    }
    Ok(())
}

/// The default region comes from the store's settings when one exists, else FR.
fn default_region(env: &Env) -> String {
    if env.db.exists()
        && let Ok(store) = Store::open(&env.db)
        && let Ok(s) = Settings::load(store.db())
    {
        return s.default_region;
    }
    "FR".to_string()
}

pub fn phone(numbers: &[String], env: &Env) -> CliResult {
    let region = default_region(env);
    let checks: Vec<phone::PhoneCheck> = numbers.iter().map(|n| phone::check(n, &region)).collect();
    if env.json {
        let value = if checks.len() == 1 {
            serde_json::to_value(&checks[0])
        } else {
            serde_json::to_value(&checks)
        };
        print_json(&value.unwrap_or_default());
    } else {
        for c in &checks {
            match (&c.e164, &c.error) {
                (Some(e164), None) => println!(
                    "{} → {} ({}, {})",
                    crate::text::sanitize(&c.input),
                    e164,
                    c.region.as_deref().unwrap_or("?"),
                    if c.mobile { "mobile" } else { "not a mobile" }
                ),
                (_, Some(err)) => println!("{} → refused: {err}", crate::text::sanitize(&c.input)),
                _ => println!("{} → ?", crate::text::sanitize(&c.input)),
            }
        }
    }
    if checks.iter().any(|c| c.e164.is_none()) {
        let bad: Vec<String> = checks
            .iter()
            .filter(|c| c.e164.is_none())
            .map(|c| {
                format!(
                    "{}: {}",
                    crate::text::sanitize(&c.input),
                    c.error.as_deref().unwrap_or("invalid")
                )
            })
            .collect();
        return Err(Failure::BadInput(bad.join("; ")));
    }
    Ok(())
}

pub fn plan(event: &str, days_before: u32, env: &Env) -> CliResult {
    if !(1..=7).contains(&days_before) {
        return Err(Failure::BadInput(format!(
            "--days-before must be 1 to 7, not {days_before}"
        )));
    }
    let settings = if env.db.exists() {
        Settings::load(Store::open(&env.db)?.db())?
    } else {
        Settings::load(Store::open_defaults()?.db())?
    };
    let report = window::plan_report(event, days_before, settings.timezone, &settings.window())
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    if env.json {
        print_json(&report);
    } else {
        println!(
            "{} (UTC {})",
            report["planned_local"].as_str().unwrap_or_default(),
            report["planned_utc"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}
