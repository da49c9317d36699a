//! `run`, `send`, `free`, `list`, `cancel`, `simulate reply`.

use super::{CliResult, Env, Failure, print_json};
use crate::core::send::{self, Body, FreeSend, IndividualSend};
use crate::core::{outbox, replies};
use crate::gateway::{InboundSms, ProviderKind};
use crate::scheduler;
use crate::sms::status::{MessageStatus, WaitReason};
use crate::store::messages::{self, ListKind, MessageFilter};
use crate::store::page::Page;
use crate::store::settings::Settings;
use serde_json::json;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Headless scheduler until SIGTERM / SIGINT: in-flight sends finish, the lease is released.
pub fn run(env: &Env) -> CliResult {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, stop.clone())
            .map_err(|e| Failure::System(format!("signal handler: {e}")))?;
    }
    // Refuse a bad store before starting (newer version, not a store); a store locked by
    // another process is waited for.
    let mut said = false;
    loop {
        match open_for_run(env) {
            Ok(()) => break,
            Err(Opening::Busy) => {
                if !said {
                    eprintln!(
                        "smsdesk: store busy (another process holds its write lock), waiting"
                    );
                    said = true;
                }
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return Ok(());
                }
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            Err(Opening::Refused(e)) => return Err(e),
        }
    }
    let options = scheduler::Options::new(env.db.clone(), env.clock.clone());
    eprintln!(
        "smsdesk: scheduler {} running on {}",
        options.holder,
        env.db.display()
    );
    scheduler::run_blocking(options, stop).map_err(|e| Failure::System(e.to_string()))?;
    eprintln!("smsdesk: scheduler stopped");
    Ok(())
}

enum Opening {
    Busy,
    Refused(Failure),
}

/// Opens the store and identifies the operator, telling a busy store from a bad one.
fn open_for_run(env: &Env) -> Result<(), Opening> {
    let mut store = crate::store::Store::open(&env.db).map_err(|e| {
        if e.is_busy() {
            Opening::Busy
        } else {
            Opening::Refused(e.into())
        }
    })?;
    crate::core::Actor::identify(&mut store, &env.user, env.clock.now()).map_err(|e| match e {
        crate::core::CoreError::Store(s) if s.is_busy() => Opening::Busy,
        other => Opening::Refused(other.into()),
    })?;
    Ok(())
}

pub fn send_cmd(
    to: &str,
    text: Option<String>,
    template: Option<i64>,
    at: Option<String>,
    env: &Env,
) -> CliResult {
    let (mut store, actor) = env.open()?;
    let body = match (text, template) {
        (Some(t), None) => Body::Text(t),
        (None, Some(id)) => Body::Template(id),
        _ => return Err(Failure::BadInput("give either --text or --template".into())),
    };
    let at = at.as_deref().map(outbox::parse_local).transpose()?;
    let req = IndividualSend {
        to: to
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        body,
        at,
    };
    let ids = send::send_individual(&mut store, &actor, &req, env.clock.now())?;
    print_queued(&store, &ids, env)
}

fn print_queued(store: &crate::store::Store, ids: &[i64], env: &Env) -> CliResult {
    let settings = Settings::load(store.db())?;
    let rows: Vec<_> = ids
        .iter()
        .map(|id| messages::get(store.db(), *id))
        .collect::<Result<_, _>>()?;
    if env.json {
        print_json(
            &json!({"queued": rows.iter().map(|m| row_json(m, &settings)).collect::<Vec<_>>()}),
        );
    } else {
        for m in &rows {
            println!(
                "#{} → {} at {} ({} segment(s))",
                m.id,
                m.phone,
                shown(m.planned_at, &settings),
                m.segments
            );
        }
    }
    Ok(())
}

/// As people read it (the human output): `10/03/2026 11:00`, seconds when not zero.
fn shown(secs: i64, settings: &Settings) -> String {
    let t = crate::store::from_ts(secs)
        .with_timezone(&settings.timezone)
        .naive_local();
    format!(
        "{} {}",
        crate::i18n::dates::day(t.date()),
        crate::i18n::dates::time_exact(t.time())
    )
}

/// ISO 8601 with the offset (the `--json` output).
fn local(secs: i64, settings: &Settings) -> String {
    crate::store::from_ts(secs)
        .with_timezone(&settings.timezone)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn row_json(m: &messages::MessageRow, settings: &Settings) -> serde_json::Value {
    json!({
        "id": m.id,
        "kind": m.kind.as_str(),
        "context": m.context,
        "status": m.status,
        "phone": m.phone,
        "name": m.recipient_name,
        "planned": local(m.planned_at, settings),
        "sent": m.sent_at.map(|t| local(t, settings)),
        "segments": m.segments,
        "text": m.text,
        "created_by": m.created_by,
        "reply": m.reply,
        "reply_at": m.reply_at.map(|t| local(t, settings)),
        "reply_outcome": m.reply_outcome,
        // The code, or "" when it is not held back (as before the reason was typed).
        "waiting_for": m.wait_reason.map_or("", WaitReason::as_str),
    })
}

/// What `free` is given.
#[derive(Debug, clap::Args)]
pub struct FreeArgs {
    /// .xlsx, .xls, .ods or .csv file with a TELEPHONE column
    #[arg(long, value_name = "FILE", conflicts_with = "numbers")]
    pub file: Option<std::path::PathBuf>,
    /// Numbers separated by ; , or new lines
    #[arg(long, value_name = "LIST")]
    pub numbers: Option<String>,
    #[arg(long)]
    pub text: String,
    #[arg(long, value_name = "LOCAL_DATETIME")]
    pub at: Option<String>,
    /// Information campaign: Monday-Saturday 08:00-20:00, no public holiday
    #[arg(long)]
    pub campaign: bool,
    /// Queue the messages (without it, only the preview is shown)
    #[arg(long)]
    pub yes: bool,
}

/// Preview without `--yes`; queue with it. Invalid lines are listed with their row and reason;
/// the valid ones are sent only on confirmation.
pub fn free_cmd(args: FreeArgs, env: &Env) -> CliResult {
    let (mut store, actor) = env.open()?;
    let checked = {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let checked = free_preview(&store, &args, env.json, &mut out)?;
        out.flush().map_err(super::output_failed)?;
        checked
    };
    let source = match &args.file {
        Some(path) => path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        None => "typed".to_string(),
    };
    let at = args.at.as_deref().map(outbox::parse_local).transpose()?;
    if !args.yes {
        if !env.json {
            println!("preview only: add --yes to queue");
        }
        return Ok(());
    }
    let req = FreeSend {
        text: args.text,
        numbers: checked.numbers(),
        at,
        campaign: args.campaign,
        source,
    };
    let (batch, ids) = send::queue_free(&mut store, &actor, &req, env.clock.now())?;
    if env.json {
        print_json(
            &json!({"batch": batch, "queued": ids.len(), "invalid": checked.invalid, "duplicates": checked.duplicates.len()}),
        );
    } else {
        println!("free send #{batch}: {} message(s) queued", ids.len());
    }
    Ok(())
}

/// Checks the numbers of a free send (`--file` or `--numbers`) and writes the preview the
/// command shows to `out` (as JSON when `json`, unless `--yes` is given: then only text, as
/// the queueing prints its own JSON): valid, duplicate and invalid numbers with their rows and
/// reasons, and what the send costs. Returns the checked list.
pub fn free_preview(
    store: &crate::store::Store,
    args: &FreeArgs,
    json: bool,
    out: &mut dyn Write,
) -> Result<send::FreeList, Failure> {
    let w = super::output_failed;
    // Cells that cannot be numbers (errors, dates) are listed with the invalid rows, not fatal.
    let mut notices = Vec::new();
    let checked = match (&args.file, &args.numbers) {
        (Some(path), None) => {
            let cells = crate::io::import::read_phone_column(path, &mut |_| {})
                .map_err(|e| Failure::BadInput(e.to_string()))?;
            notices.clone_from(&cells.notices);
            crate::core::import::check_phone_cells(store, &cells)?
        }
        (None, Some(list)) => send::check_free_list(store, &send::split_numbers(list))?,
        _ => return Err(Failure::BadInput("give either --file or --numbers".into())),
    };
    let (_, totals) = send::free_totals(store, &args.text, checked.valid.len())?;
    args.at.as_deref().map(outbox::parse_local).transpose()?;
    if json && !args.yes {
        serde_json::to_writer(
            &mut *out,
            &json!({"valid": checked.valid.len(), "duplicates": checked.duplicates, "invalid": checked.invalid, "totals": totals, "notices": notices}),
        )
        .map_err(|e| w(e.into()))?;
        writeln!(out).map_err(w)?;
    } else if !json {
        for n in &notices {
            writeln!(out, "note: {n}").map_err(w)?;
        }
        writeln!(
            out,
            "{} valid number(s), {} duplicate(s) removed, {} invalid",
            checked.valid.len(),
            checked.duplicates.len(),
            checked.invalid.len()
        )
        .map_err(w)?;
        for bad in &checked.invalid {
            writeln!(
                out,
                "  row {}: {}: {}",
                bad.row,
                crate::text::sanitize(&bad.input),
                bad.error
                    .as_ref()
                    .map_or_else(|| "invalid".to_string(), ToString::to_string)
            )
            .map_err(w)?;
        }
        let en = crate::i18n::Lang::En;
        let money = |m: &Option<crate::money::Money>| {
            m.as_ref()
                .map(|m| format!(" · {}", m.show(en)))
                .unwrap_or_default()
        };
        writeln!(
            out,
            "{} message(s) × {} segment(s) = {} credit(s){} ({}); balance after: {}{}",
            totals.messages,
            totals.segments_each,
            totals.segments,
            money(&totals.cost_money),
            totals.encoding,
            totals.balance_after,
            money(&totals.balance_after_money)
        )
        .map_err(w)?;
    }
    Ok(checked)
}

/// Which messages `list` and `export` are asked for: sent or upcoming, by status and time.
pub struct Selection {
    pub upcoming: bool,
    pub filters: Filters,
}

/// The options of `list` and `export` that narrow the messages down.
#[derive(Debug, clap::Args)]
pub struct Filters {
    /// Statuses, comma-separated (e.g. delivered,failed)
    #[arg(long)]
    pub status: Vec<String>,
    /// From this local date (YYYY-MM-DD) or date-time
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this local date (inclusive) or date-time
    #[arg(long)]
    pub to: Option<String>,
}

/// Parses a `--from`/`--to` value: a local date (`2026-03-30`) or date-time.
pub fn parse_bound(s: &str, settings: &Settings, end_of_day: bool) -> Result<i64, Failure> {
    let naive = if let Ok(d) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        let d = if end_of_day {
            d.succ_opt().unwrap_or(d)
        } else {
            d
        };
        d.and_time(chrono::NaiveTime::MIN)
    } else {
        outbox::parse_local(s)?
    };
    Ok(crate::sms::window::resolve_local(settings.timezone, naive).timestamp())
}

impl Selection {
    /// `which` is `sent` or `upcoming`.
    pub fn new(which: &str, filters: Filters) -> Selection {
        Selection {
            upcoming: which == "upcoming",
            filters,
        }
    }

    /// The list and the filter selected, `--from`/`--to` read in the settings' time zone.
    pub fn resolve(&self, settings: &Settings) -> Result<(ListKind, MessageFilter), Failure> {
        let mut f = MessageFilter::default();
        for s in self.filters.status.iter().flat_map(|s| s.split(',')) {
            let st = MessageStatus::parse(s).ok_or_else(|| {
                let known: Vec<&str> = MessageStatus::ALL.iter().map(|s| s.as_str()).collect();
                Failure::BadInput(format!(
                    "unknown status {s:?} (known: {})",
                    known.join(", ")
                ))
            })?;
            f.statuses.push(st);
        }
        let bound = |s: &Option<String>, end_of_day| {
            s.as_deref()
                .map(|s| parse_bound(s, settings, end_of_day))
                .transpose()
        };
        f.from = bound(&self.filters.from, false)?;
        f.to = bound(&self.filters.to, true)?;
        let kind = if self.upcoming {
            ListKind::Upcoming
        } else {
            ListKind::Sent
        };
        Ok((kind, f))
    }
}

pub fn list_cmd(selection: Selection, limit: usize, env: &Env) -> CliResult {
    let (store, _) = env.open()?;
    let settings = Settings::load(store.db())?;
    let (kind, filter) = selection.resolve(&settings)?;
    let mut rows = Vec::new();
    let mut cursor = None;
    while rows.len() < limit {
        let page = messages::page(
            store.db(),
            kind,
            &filter,
            Page::forward(cursor.as_ref(), (limit - rows.len()).min(500)),
        )?;
        let Some(last) = page.last() else { break };
        cursor = Some(kind.cursor_of(last));
        rows.extend(page);
    }
    if env.json {
        print_json(&serde_json::Value::Array(
            rows.iter().map(|m| row_json(m, &settings)).collect(),
        ));
    } else {
        for m in &rows {
            let when = if selection.upcoming {
                m.planned_at
            } else {
                m.listed_at.unwrap_or(m.planned_at)
            };
            println!(
                "#{:<7} {}  {:<14} {:<13} {:<20} {}",
                m.id,
                shown(when, &settings),
                m.status,
                m.phone,
                crate::text::sanitize(&m.recipient_name),
                crate::text::sanitize(&m.text.chars().take(40).collect::<String>())
            );
        }
    }
    Ok(())
}

pub fn cancel_cmd(ids: &[i64], env: &Env) -> CliResult {
    let (mut store, actor) = env.open()?;
    let report = send::cancel(&mut store, &actor, ids, env.clock.now())?;
    if env.json {
        print_json(&json!({"cancelled": report.cancelled, "refused": report.refused}));
    } else {
        if !report.cancelled.is_empty() {
            println!(
                "cancelled: {}",
                report
                    .cancelled
                    .iter()
                    .map(|i| format!("#{i}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        for (id, why) in &report.refused {
            println!("#{id} not cancelled: {why}");
        }
    }
    if report.cancelled.is_empty() && !report.refused.is_empty() {
        let (id, why) = &report.refused[0];
        return Err(Failure::BadInput(format!("#{id}: {why}")));
    }
    Ok(())
}

/// A reply arrives from a number, as the simulator provider would bring it.
pub fn simulate_reply(from: &str, text: &str, env: &Env) -> CliResult {
    let (mut store, _) = env.open()?;
    let settings = Settings::load(store.db())?;
    if settings.provider.kind() != ProviderKind::Simulator {
        return Err(Failure::BadInput(format!(
            "simulate reply works with the simulator provider only (this store uses {})",
            settings.provider.kind().as_str()
        )));
    }
    let number = crate::sms::phone::parse_phone(from, &settings.default_region)
        .map_err(|e| Failure::BadInput(format!("--from {}: {e}", crate::text::sanitize(from))))?;
    let now = env.clock.now();
    let inbound = InboundSms {
        from_e164: number.e164,
        to: settings.reply_number.clone(),
        text: text.to_string(),
        received_at: now,
        provider_id: format!("sim-in-{}", now.timestamp_micros()),
    };
    let outcome = replies::record_inbound(&mut store, ProviderKind::Simulator, &inbound, now)?;
    if env.json {
        print_json(&serde_json::to_value(&outcome).unwrap_or_default());
    } else {
        match outcome {
            replies::ReplyOutcome::Matched {
                message_id,
                keyword,
                outcome,
                ..
            } => {
                println!("reply matched message #{message_id}: {keyword} → {outcome}")
            }
            replies::ReplyOutcome::Stop => {
                println!("{} is now opted out (STOP)", inbound.from_e164)
            }
            replies::ReplyOutcome::Review { reason } => println!("reply kept for review: {reason}"),
            replies::ReplyOutcome::Kept => {
                println!("reply kept (no question waiting for an answer)")
            }
            replies::ReplyOutcome::Duplicate => println!("reply already recorded"),
        }
    }
    Ok(())
}
