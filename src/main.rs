use clap::Parser;
use smsdesk::cli::{self, Cli, Env, Failure, access};
use smsdesk::clock::Clock;
use smsdesk::config::{self, UserConfig};

fn main() {
    restore_default_sigpipe();
    let args = Cli::parse();
    let code = match run(args) {
        Ok(()) => 0,
        Err(f) => {
            eprintln!("smsdesk: {}", f.message());
            f.exit_code()
        }
    };
    std::process::exit(code);
}

fn run(args: Cli) -> Result<(), Failure> {
    let clock = Clock::from_env().map_err(|e| Failure::BadInput(e.to_string()))?;
    let (user_config, config_problem) = UserConfig::load();
    let store_path = config::store_path(args.db.as_deref(), &user_config);
    // Through an operator's SSH key: the key names who acts, whatever the client asked.
    if let Some(operator) = access::is_session(args.command.as_ref()) {
        let original = std::env::var("SSH_ORIGINAL_COMMAND").ok();
        return match access::session(
            operator,
            store_path,
            original.as_deref(),
            args.json,
            clock.clone(),
        )? {
            access::Session::Tui { db, user } => {
                if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                    return Err(Failure::BadInput(
                        "no terminal: connect with ssh -t, or give a command (ssh … -- list upcoming)"
                            .into(),
                    ));
                }
                open_tui(smsdesk::tui::Launch {
                    db,
                    user,
                    clock,
                    user_config,
                    config_problem,
                    throwaway: false,
                })
            }
            access::Session::Command { command, env } => cli::run(command, &env),
            access::Session::Done => Ok(()),
        };
    }
    // `--demo` without `--db`: a fresh store in a new directory, the caller's own.
    let fresh_demo = args.demo && args.db.is_none();
    let user = if fresh_demo {
        args.user
            .clone()
            .unwrap_or_else(smsdesk::access::identity::caller_login)
    } else {
        access::decide_identity(args.user.as_deref(), &store_path, &clock)?
    };
    let Some(command) = args.command else {
        // Held until the TUI returns: dropping it removes the demo store it holds.
        let demo_dir = fresh_demo.then(tempdir_for_demo).transpose()?;
        let db = match &demo_dir {
            Some(dir) => dir.path().join("demo.db"),
            None => store_path,
        };
        if args.demo && !db.exists() {
            smsdesk::demo::create(&db, 2026, &user, clock.now())
                .map_err(|e| Failure::BadInput(e.to_string()))?;
        }
        return open_tui(smsdesk::tui::Launch {
            db,
            user,
            clock,
            user_config,
            config_problem,
            throwaway: demo_dir.is_some(),
        });
    };
    // The headless scheduler logs as the TUI does, and says where once on start.
    let _log = matches!(command, cli::Command::Run).then(log_run);
    let env = Env {
        db: store_path,
        user,
        json: args.json,
        clock,
    };
    cli::run(command, &env)
}

/// The TUI, logging to a file: never to the terminal it draws on.
fn open_tui(launch: smsdesk::tui::Launch) -> Result<(), Failure> {
    let _log = smsdesk::logging::init().ok();
    smsdesk::tui::run(launch).map_err(|e| Failure::System(format!("{e:#}")))
}

/// A fresh directory for `--demo` without `--db`, removed with its store when the TUI quits
/// (`smsdesk demo --db PATH` makes one that stays).
fn tempdir_for_demo() -> Result<tempfile::TempDir, Failure> {
    tempfile::Builder::new()
        .prefix("smsdesk-demo-")
        .tempdir()
        .map_err(|e| Failure::System(format!("{}: {e}", std::env::temp_dir().display())))
}

/// Logging for `smsdesk run`: today's private file in the log directory, else standard error
/// (for a systemd service, the journal) with the reason the file could not be used.
fn log_run() -> Option<smsdesk::logging::Logging> {
    match smsdesk::logging::init() {
        Ok(log) => {
            eprintln!("smsdesk run: logging to {}", log.file.display());
            Some(log)
        }
        Err(e) => {
            eprintln!("smsdesk run: cannot write the log file ({e}); logging to standard error");
            let filter = tracing_subscriber::EnvFilter::try_from_env("SMSDESK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_env_filter(filter)
                .try_init();
            None
        }
    }
}
/// `smsdesk list sent | head` must end quietly when `head` closes the pipe, as every Unix
/// tool does, instead of panicking on a failed write (Rust ignores SIGPIPE by default).
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
