use clap::Parser;
use smsdesk::cli::{self, Cli, Env, Failure};
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
    let clock = Clock::from_env().map_err(Failure::BadInput)?;
    let (user_config, config_problem) = UserConfig::load();
    let user = args
        .user
        .clone()
        .unwrap_or_else(smsdesk::core::current_login);
    let Some(command) = args.command else {
        let demo_dir;
        let db = if args.demo && args.db.is_none() {
            demo_dir = tempdir_for_demo()?;
            demo_dir.join("demo.db")
        } else {
            config::store_path(args.db.as_deref(), &user_config)
        };
        if args.demo && !db.exists() {
            smsdesk::demo::create(&db, 2026, &user, clock.now())
                .map_err(|e| Failure::BadInput(e.to_string()))?;
        }
        let _log = init_logging();
        return smsdesk::tui::run(smsdesk::tui::Launch {
            db,
            user,
            clock,
            user_config,
            config_problem,
        })
        .map_err(|e| Failure::System(format!("{e:#}")));
    };
    let env = Env {
        db: config::store_path(args.db.as_deref(), &user_config),
        user,
        json: args.json,
        clock,
    };
    cli::run(command, &env)
}

/// A fresh directory for `--demo` without `--db`; kept after exit so the operator can look at
/// the store again (its path is shown in the TUI title).
fn tempdir_for_demo() -> Result<std::path::PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("smsdesk-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::System(format!("{}: {e}", dir.display())))?;
    Ok(dir)
}

/// Logs go to a daily file, never to the terminal the TUI draws on.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = config::log_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::daily(dir, "smsdesk.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("SMSDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
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
