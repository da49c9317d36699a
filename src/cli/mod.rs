//! The command line (SPEC §7): scriptable, stable. Exit 0 on success, 2 on bad input with a
//! one-line reason on stderr, 1 when the system fails (store unreadable, disk full…).

use crate::clock::Clock;
use crate::core::{Actor, CoreError, admin};
use crate::store::operators::Rights;
use crate::store::{Store, StoreError, credit, operators, settings};
use clap::{Parser, Subcommand};
use serde_json::json;
use std::path::PathBuf;

pub mod access;
mod contacts;
pub mod io;
mod rules;
mod rules_lists;
pub mod sending;

#[derive(Debug, Parser)]
#[command(name = "smsdesk", version, about = "Send and follow SMS from the terminal", long_about = None)]
pub struct Cli {
    /// Store file (else $SMSDESK_DB, else the user data directory)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Operator name (default: $USER)
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// Print JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// Open the TUI on a fresh demo store (in a temporary directory unless --db is given)
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a demo store (realistic French data, simulator provider)
    Demo {
        /// Seed of the generator: the same seed gives the same store
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Read or change a setting (validated as in the TUI)
    Settings {
        #[command(subcommand)]
        action: SettingsAction,
    },
    /// Add an operator or change their rights
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Credit balance and packs; `credit add N` adds a pack
    Credit {
        #[command(subcommand)]
        action: Option<CreditAction>,
    },
    /// Count characters, encoding and segments of a text
    Segments {
        /// The text (use quotes)
        text: String,
    },
    /// Normalise phone numbers to E.164 and tell mobiles from landlines
    Phone {
        #[arg(required = true)]
        numbers: Vec<String>,
    },
    /// When a reminder would leave, under the current settings
    Plan {
        /// Event local date-time, e.g. 2026-03-30T08:00
        #[arg(long, value_name = "LOCAL_DATETIME")]
        event: String,
        /// Days before the event (1-7)
        #[arg(long, value_name = "N")]
        days_before: u32,
    },
    /// Check the store, settings and provider, and say what is wrong
    Doctor,
    /// List templates (name, context, active, reply expected, keywords, times used)
    Templates,
    /// List saved lists (name, members, author); with --members ID, the members of one list
    Lists {
        #[arg(long, value_name = "LIST_ID")]
        members: Option<i64>,
    },
    /// List automations; with --dry-run N, the reminders they would create in the next N days
    Automations {
        #[arg(long, value_name = "DAYS")]
        dry_run: Option<u32>,
    },
    /// Run the scheduler headless (for a systemd service) until SIGTERM
    Run,
    /// Send an individual message now or at a local time
    Send {
        /// Numbers, comma-separated
        #[arg(long, value_name = "N[,N…]")]
        to: String,
        #[arg(long, value_name = "TEXT")]
        text: Option<String>,
        /// Use a template (its id, see the Templates tab)
        #[arg(long, value_name = "ID")]
        template: Option<i64>,
        /// Local date-time, e.g. 2026-03-30T14:00 (default: now)
        #[arg(long, value_name = "LOCAL_DATETIME")]
        at: Option<String>,
    },
    /// Free send of one text to many numbers: preview, then queue with --yes
    Free(sending::FreeArgs),
    /// List upcoming or sent messages
    List {
        #[arg(value_parser = ["upcoming", "sent"])]
        which: String,
        #[command(flatten)]
        filters: sending::Filters,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Export the Sent or Upcoming list (filtered) to .xlsx or .csv
    Export {
        #[arg(value_parser = ["sent", "upcoming"])]
        which: String,
        /// xlsx or csv (default: from the file name)
        #[arg(long, value_parser = ["xlsx", "csv"])]
        format: Option<String>,
        /// The file to write
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        filters: sending::Filters,
    },
    /// Import contacts or events from a spreadsheet: preview, then import with --yes
    Import {
        #[arg(value_parser = ["contacts", "events"])]
        what: String,
        /// .xlsx, .xls, .ods or .csv file with a header row
        file: PathBuf,
        /// Import the valid rows (without it, only the preview is shown)
        #[arg(long)]
        yes: bool,
    },
    /// Create, change, show or archive one contact (`contact add --last-name … --mobile …`)
    Contact {
        #[command(subcommand)]
        action: contacts::ContactAction,
    },
    /// Cancel messages not yet sent
    Cancel {
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Simulator only: make a reply arrive
    Simulate {
        #[command(subcommand)]
        action: SimulateAction,
    },
    /// Operators' access over SSH (see the README, "Running it on a server")
    Ssh {
        #[command(subcommand)]
        action: SshAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum SshAction {
    /// Print the authorized_keys lines of active operators' keys, for sshd's
    /// AuthorizedKeysCommand (`%t %k`: only the line of that key)
    AuthorizedKeys {
        /// Key type sshd offers (%t)
        kind: Option<String>,
        /// Key data sshd offers (%k)
        blob: Option<String>,
    },
    /// The forced command of an operator's key: the TUI as that operator, or the smsdesk
    /// command the client asked for ($SSH_ORIGINAL_COMMAND)
    Session {
        /// The operator the key belongs to
        operator: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SimulateAction {
    /// A reply arrives from a number
    Reply {
        #[arg(long)]
        from: String,
        #[arg(long)]
        text: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Print one setting, or all of them
    Get { key: Option<String> },
    /// Change a setting
    Set { key: String, value: String },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Add an operator
    Add {
        name: String,
        /// Comma-separated: instant,scheduled,batch,free,admin,templates_only
        #[arg(long, default_value = "")]
        rights: String,
    },
    /// Change an operator's rights
    Set {
        name: String,
        #[arg(long)]
        rights: String,
        /// Deactivate the operator (keeps their history)
        #[arg(long)]
        inactive: bool,
    },
    /// List operators and their rights
    List,
    /// An operator's SSH keys: add, list, remove
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// The language of an operator's screens: fr, en, or auto (the store's setting)
    Language { name: String, language: String },
}

#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// Add a public key: the line of a .pub file, or --file F (- for standard input)
    Add {
        name: String,
        #[arg(long, value_name = "FILE", conflicts_with = "key")]
        file: Option<PathBuf>,
        /// ssh-ed25519 AAAA… comment
        #[arg(num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
        key: Vec<String>,
    },
    /// List an operator's keys with their fingerprints
    List { name: String },
    /// Remove a key by its fingerprint (SHA256:…)
    Remove { name: String, fingerprint: String },
}

#[derive(Debug, Subcommand)]
pub enum CreditAction {
    /// Add a pack of N SMS
    Add {
        units: i64,
        #[arg(long, default_value = "")]
        label: String,
        /// Price of one SMS unit, e.g. 0,07 or 0.07
        #[arg(long, value_name = "AMOUNT", default_value = "")]
        price: String,
        /// Price of the whole pack, e.g. 576,31 (instead of --price)
        #[arg(long, value_name = "AMOUNT", default_value = "")]
        price_total: String,
        /// Currency of the price (ISO code; default: the newest pack's, else EUR)
        #[arg(long, value_name = "CODE", default_value = "")]
        currency: String,
    },
}

/// How a command failed: bad input (exit 2) or the system (exit 1).
#[derive(Debug)]
pub enum Failure {
    BadInput(String),
    System(String),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::BadInput(_) => 2,
            Failure::System(_) => 1,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::BadInput(m) | Failure::System(m) => m,
        }
    }
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        if e.is_bad_input() {
            Failure::BadInput(e.to_string())
        } else if let CoreError::Store(s) = e {
            Failure::from(s)
        } else {
            Failure::System(e.to_string())
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            // A store we refuse to open is the caller's input being wrong.
            StoreError::NewerVersion { .. }
            | StoreError::Unusable { .. }
            | StoreError::Invalid(_)
            | StoreError::NotFound { .. } => Failure::BadInput(e.to_string()),
            // The store is fine: the machine has no room left to write it.
            StoreError::Sqlite(ref s) if e.is_disk_full() => {
                Failure::System(format!("disk full: the store could not be written ({s})"))
            }
            StoreError::Io { .. } if e.is_disk_full() => Failure::System(format!("disk full: {e}")),
            other => Failure::System(other.to_string()),
        }
    }
}

pub type CliResult = Result<(), Failure>;

/// Everything a command needs: where the store is, who acts, what time it is.
pub struct Env {
    pub db: PathBuf,
    pub user: String,
    pub json: bool,
    pub clock: Clock,
}

impl Env {
    pub fn open(&self) -> Result<(Store, Actor), Failure> {
        let mut store = Store::open(&self.db)?;
        let actor = Actor::identify(&mut store, &self.user, self.clock.now())?;
        Ok((store, actor))
    }
}

/// Standard output could not be written (closed pipe, full disk).
pub(crate) fn output_failed(e: std::io::Error) -> Failure {
    Failure::System(format!("standard output: {e}"))
}

fn print_json(value: &serde_json::Value) {
    println!("{}", serde_json::to_string(value).unwrap_or_default());
}

/// Runs a non-TUI command.
pub fn run(command: Command, env: &Env) -> CliResult {
    match command {
        Command::Demo { seed } => {
            let summary = crate::demo::create(&env.db, seed, &env.user, env.clock.now())
                .map_err(|e| Failure::BadInput(e.to_string()))?;
            if env.json {
                print_json(&serde_json::to_value(&summary).unwrap_or_default());
            } else {
                println!("demo store created: {}", env.db.display());
                println!("{summary}");
            }
            Ok(())
        }
        Command::Settings { action } => settings_cmd(action, env),
        Command::User { action } => user_cmd(action, env),
        Command::Credit { action } => credit_cmd(action, env),
        Command::Segments { text } => rules::segments(&text, env),
        Command::Phone { numbers } => rules::phone(&numbers, env),
        Command::Plan { event, days_before } => rules::plan(&event, days_before, env),
        Command::Doctor => doctor(env),
        Command::Templates => rules_lists::templates(env),
        Command::Lists { members } => rules_lists::saved_lists(members, env),
        Command::Automations { dry_run } => rules_lists::automations(dry_run, env),
        Command::Run => sending::run(env),
        Command::Send {
            to,
            text,
            template,
            at,
        } => sending::send_cmd(&to, text, template, at, env),
        Command::Free(args) => sending::free_cmd(args, env),
        Command::List {
            which,
            filters,
            limit,
        } => sending::list_cmd(sending::Selection::new(&which, filters), limit, env),
        Command::Export {
            which,
            format,
            output,
            filters,
        } => {
            let selection = sending::Selection::new(&which, filters);
            io::export_cmd(selection, format.as_deref(), &output, env)
        }
        Command::Import { what, file, yes } => io::import_cmd(&what, &file, yes, env),
        Command::Contact { action } => contacts::contact_cmd(action, env),
        Command::Cancel { ids } => sending::cancel_cmd(&ids, env),
        Command::Simulate {
            action: SimulateAction::Reply { from, text },
        } => sending::simulate_reply(&from, &text, env),
        Command::Ssh {
            action: SshAction::AuthorizedKeys { kind, blob },
        } => access::authorized_keys(kind.as_deref(), blob.as_deref(), env),
        // The forced command is started by main, which decides who acts before anything else.
        Command::Ssh {
            action: SshAction::Session { .. },
        } => Err(Failure::BadInput(
            "ssh session is the forced command of an operator's key; sshd runs it".into(),
        )),
    }
}

fn settings_cmd(action: SettingsAction, env: &Env) -> CliResult {
    match action {
        SettingsAction::Get { key } => {
            let (store, _) = env.open()?;
            let keys: Vec<&str> = match &key {
                Some(k) => {
                    if settings::spec(k).is_none() {
                        // Same wording as `set` for an unknown key.
                        return Err(Failure::BadInput(
                            settings::validate(k, "")
                                .err()
                                .map(|e| e.to_string())
                                .unwrap_or_default(),
                        ));
                    }
                    vec![k.as_str()]
                }
                None => settings::SPECS.iter().map(|s| s.key).collect(),
            };
            let mut out = serde_json::Map::new();
            for k in &keys {
                out.insert(k.to_string(), json!(settings::shown(store.db(), k)?));
            }
            if env.json {
                if key.is_some() {
                    print_json(&json!({"key": keys[0], "value": out[keys[0]]}));
                } else {
                    print_json(&serde_json::Value::Object(out));
                }
            } else if key.is_some() {
                println!("{}", out[keys[0]].as_str().unwrap_or_default());
            } else {
                for k in keys {
                    println!("{k} = {}", out[k].as_str().unwrap_or_default());
                }
            }
            Ok(())
        }
        SettingsAction::Set { key, value } => {
            let (mut store, actor) = env.open()?;
            let shown = admin::set_setting(&mut store, &actor, &key, &value, env.clock.now())?;
            if env.json {
                print_json(&json!({"key": key, "value": shown}));
            } else {
                println!("{key} = {shown}");
            }
            Ok(())
        }
    }
}

fn user_cmd(action: UserAction, env: &Env) -> CliResult {
    let parse = |r: &str| Rights::parse(r).map_err(|e| Failure::BadInput(e.to_string()));
    let action = match action {
        UserAction::Key { action } => return access::key_cmd(action, env),
        UserAction::Language { name, language } => {
            return access::language_cmd(&name, &language, env);
        }
        other => other,
    };
    let (mut store, actor) = env.open()?;
    let now = env.clock.now();
    match action {
        UserAction::Add { name, rights } => {
            admin::add_user(&mut store, &actor, &name, parse(&rights)?, now)?;
            if !env.json {
                println!("operator {name} added");
            }
        }
        UserAction::Set {
            name,
            rights,
            inactive,
        } => {
            admin::set_user(&mut store, &actor, &name, parse(&rights)?, !inactive, now)?;
            if !env.json {
                println!("operator {name} updated");
            }
        }
        UserAction::List => {
            let ops = operators::list(store.db())?;
            if env.json {
                print_json(&serde_json::to_value(&ops).unwrap_or_default());
            } else {
                for op in ops {
                    println!(
                        "{:<16} {}{}",
                        op.login,
                        op.rights,
                        if op.active { "" } else { " (inactive)" }
                    );
                }
            }
            return Ok(());
        }
        UserAction::Key { .. } | UserAction::Language { .. } => {}
    }
    if env.json {
        let ops = operators::list(store.db())?;
        print_json(&serde_json::to_value(&ops).unwrap_or_default());
    }
    Ok(())
}

fn credit_cmd(action: Option<CreditAction>, env: &Env) -> CliResult {
    let (mut store, actor) = env.open()?;
    let now = env.clock.now();
    if let Some(CreditAction::Add {
        units,
        label,
        price,
        price_total,
        currency,
    }) = action
    {
        let tz = settings::Settings::load(store.db())?.timezone;
        let today = now.with_timezone(&tz).date_naive();
        let (unit_price_micros, currency) =
            admin::read_pack_price(units, &price, &price_total, &currency)?;
        let pack = credit::NewPack {
            units,
            label,
            bought_on: today,
            unit_price_micros,
            currency,
        };
        admin::add_priced_credit(&mut store, &actor, &pack, now)?;
    }
    let summary = credit::summary(store.db())?;
    let packs = credit::packs(store.db())?;
    let pricing = credit::pricing(store.db())?;
    let balance_money = pricing.balance();
    let en = crate::i18n::Lang::En;
    if env.json {
        let packs: Vec<serde_json::Value> = packs
            .iter()
            .map(|p| {
                json!({
                    "id": p.id,
                    "bought_on": p.bought_on,
                    "units": p.units,
                    "label": p.label,
                    "created_by": p.created_by,
                    "unit_price": p.unit_price_micros.map(|m| m as f64 / crate::money::MICROS as f64),
                    "currency": p.currency,
                })
            })
            .collect();
        print_json(&json!({
            "balance": summary.balance,
            "bought": summary.bought,
            "consumed": summary.consumed,
            "balance_money": balance_money,
            "packs": packs,
        }));
    } else {
        let money = balance_money
            .map(|m| format!(" · {}", m.show(en)))
            .unwrap_or_default();
        println!(
            "balance: {} SMS{money} ({} bought, {} consumed)",
            summary.balance, summary.bought, summary.consumed
        );
        for p in packs {
            let price = p
                .unit_price_micros
                .map(|m| {
                    format!(
                        "  {}/SMS",
                        crate::money::Money::new(m, &p.currency).show_unit(en)
                    )
                })
                .unwrap_or_default();
            println!("  {}  {:>8} SMS  {}{price}", p.bought_on, p.units, p.label);
        }
    }
    Ok(())
}

fn doctor(env: &Env) -> CliResult {
    let mut problems: Vec<String> = Vec::new();
    let mut facts: Vec<String> = vec![format!("store: {}", env.db.display())];
    let (store, actor) = env.open()?;
    facts.push(format!("schema version: {}", store.schema_version()?));
    facts.push(format!("operator: {} ({})", actor.login, actor.rights));
    let integrity: String = store
        .db()
        .quick_check()
        .map_err(|e| Failure::System(e.to_string()))?;
    if integrity != "ok" {
        problems.push(format!("store integrity: {integrity}"));
    }
    for bad in settings::Settings::invalid_stored(store.db())? {
        problems.push(format!("setting {bad} (the default is used)"));
    }
    let s = settings::Settings::load(store.db())?;
    facts.push(format!("provider: {}", settings::redact(&s.provider)));
    // Each provider field that cannot work: nothing would leave until it is fixed.
    problems.extend(s.provider_problems().iter().map(|p| p.to_string()));
    let balance = credit::balance(store.db())?;
    facts.push(format!("credit: {balance} SMS"));
    if balance <= s.low_credit {
        problems.push(format!(
            "credit is low: {balance} SMS left (threshold {})",
            s.low_credit
        ));
    }
    if operators::list(store.db())?
        .iter()
        .all(|o| !o.rights.admin || !o.active)
    {
        problems.push("no active administrator".into());
    }
    if let Some(dir) = crate::config::config_dir() {
        facts.push(format!("config directory: {}", dir.display()));
    }
    let (_, keymap_problems) =
        crate::keymap::Keymap::load(crate::config::UserConfig::keymap_path().as_deref());
    problems.extend(keymap_problems.iter().map(|p| format!("keymap {p}")));
    if env.json {
        print_json(&json!({"ok": problems.is_empty(), "facts": facts, "problems": problems}));
    } else {
        for f in &facts {
            println!("{f}");
        }
        if problems.is_empty() {
            println!("no problem found");
        } else {
            for p in &problems {
                println!("PROBLEM: {p}");
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(format!(
            "{} problem(s) found",
            problems.len()
        )))
    }
}
