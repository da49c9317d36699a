//! The terminal interface: one event loop, one `App` owned by the main thread.
//!
//! Input (key presses, pastes, coalesced resizes), a slow tick, the scheduler thread and the
//! jobs of the tabs ([`jobs`]) all feed one channel of small [`AppEvent`]s; the main thread
//! applies them to the [`App`] and redraws only when something changed. The `App` itself never touches the
//! terminal, so tests drive it headless with a `TestBackend`.

mod app;
mod dates;
mod filter_terms;
mod fmt;
pub mod hints;
pub mod jobs;
mod log;
mod pager;
mod pending;
pub(crate) mod problem;
mod queries;
mod tabs;

/// For the catalogue test, which lists every typed message.
pub(crate) use tabs::users::LanguageChoice;
pub mod theme;
pub mod widgets;

pub use app::{App, Tab};
pub use theme::Theme;

use crate::clock::Clock;
use crate::config::UserConfig;
use crate::core::Actor;
use crate::i18n::{Describe, Lang};
use crate::keymap::Keymap;
use crate::store::Store;
use crate::store::settings::Settings;
use crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEvent, KeyEventKind,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use std::io::{Stdout, stdout};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// What the launcher (the `smsdesk` binary) hands to the TUI.
pub struct Launch {
    pub db: PathBuf,
    pub user: String,
    pub clock: Clock,
    pub user_config: UserConfig,
    pub config_problem: Option<crate::config::ConfigFileProblem>,
    /// The store is a `--demo` one, removed when the TUI quits.
    pub throwaway: bool,
}

/// Everything that can wake the main loop. Kept tiny: workers say *that* something changed,
/// the `App` re-reads only what it shows.
#[derive(Debug)]
pub enum AppEvent {
    /// A key was pressed (releases and repeats are filtered out by the input thread).
    Key(KeyEvent),
    /// Text pasted in one go (bracketed paste).
    Paste(String),
    /// The terminal was resized (a burst of resizes arrives as one).
    Resize,
    /// The slow tick: refresh the visible page.
    Tick,
    /// Typing in the filter bar paused: the list follows what is typed so far.
    FilterDue,
    /// The scheduler queued, sent or updated messages.
    QueueChanged,
    /// The scheduler is held up (store busy, failing pass) or goes on again: the dashboard's
    /// scheduler line changes although no data did.
    SchedulerChanged,
    /// A job (file read, import, export) got further or ended.
    Job(jobs::JobEvent),
    /// The input thread could not read the terminal any more.
    InputClosed(String),
    /// The terminal hung up (the SSH connection dropped) or the process was asked to stop:
    /// leave at once, without a question nobody can answer, but cleanly (in-flight sends
    /// finish, the lease is released, a `--demo` store is removed).
    Hangup,
}

/// How often the visible page is refreshed when nothing else happens.
pub const TICK: Duration = Duration::from_secs(2);
/// Resize events closer together than this are merged into one redraw.
const RESIZE_SETTLE: Duration = Duration::from_millis(40);

/// Everything the TUI does before its first frame: the store opened, the operator identified,
/// the settings, language and key map read, the app built on its first tab. Nothing here grows
/// with the store's history (the dashboard reads aggregates and indexes) and nothing loads the
/// phone rules' tables: those load on a thread of their own once the first frame is drawn.
/// The benches draw the app this returns on a `TestBackend`, as [`run`] draws it on the
/// terminal.
pub fn prepare(
    db: &std::path::Path,
    user: &str,
    clock: Clock,
    user_config: &UserConfig,
    config_problem: Option<crate::config::ConfigFileProblem>,
) -> anyhow::Result<App> {
    let mut store = Store::open(db)?;
    let actor = Actor::identify(&mut store, user, clock.now())?;
    let settings = Settings::load(store.db())?;
    // The operator's own choice first: over SSH every operator shares the service account's
    // configuration and the server's LANG.
    let own_language =
        crate::store::operators::find(store.db(), &actor.login)?.and_then(|op| op.language);
    let lang_setting = own_language
        .or_else(|| user_config.language.clone())
        .unwrap_or_else(|| settings.language.clone());
    let lang = Lang::resolve(&lang_setting);
    let (keymap, keymap_problems) = Keymap::load(UserConfig::keymap_path().as_deref());

    let mut problems: Vec<String> = keymap_problems.iter().map(|p| p.describe(lang)).collect();
    problems.extend(config_problem.map(|p| p.describe(lang)));

    let mut app = App::new(store, actor, lang, keymap, clock);
    app.set_location(db.display().to_string());
    app.set_config_language(user_config.language.clone());
    app.set_theme(Theme::from_env(user_config.background));
    app.show_problems(problems);
    Ok(app)
}

/// Runs the TUI until the operator quits.
pub fn run(launch: Launch) -> anyhow::Result<()> {
    let Launch {
        db,
        user,
        clock,
        user_config,
        config_problem,
        throwaway,
    } = launch;
    let mut app = prepare(&db, &user, clock.clone(), &user_config, config_problem)?;

    // The terminal is set up before the input thread starts: crossterm answers queries such
    // as the cursor position through the same event reader, which that thread would hold.
    let guard = TerminalGuard::enter()?;
    let backend = ratatui::backend::CrosstermBackend::new(stdout());
    let mut terminal = ratatui::Terminal::new(backend)?;
    terminal.clear()?;
    // The first frame before anything else starts: the scheduler's first pass and the phone
    // rules' tables would otherwise compete with it.
    terminal.draw(|frame| app.draw(frame))?;
    fmt::load_phone_rules_in_background();

    let (tx, rx) = mpsc::channel();
    app.set_events(tx.clone());
    spawn_input(tx.clone());
    spawn_tick(tx.clone());
    spawn_hangup_watch(tx.clone())?;
    // The scheduler runs inside the TUI (one process holds the sending lease at a time; a
    // `smsdesk run` service may hold it instead). It tells the screen when messages changed.
    let notify = tx.clone();
    let options = crate::scheduler::Options::new(db.clone(), clock);
    app.set_scheduler_holder(options.holder.clone());
    app.set_throwaway(throwaway);
    let scheduler = crate::scheduler::spawn(
        options,
        Some(Box::new(move |notice| {
            let event = match notice {
                crate::scheduler::Notice::QueueChanged => AppEvent::QueueChanged,
                crate::scheduler::Notice::Trouble(_) | crate::scheduler::Notice::Recovered => {
                    AppEvent::SchedulerChanged
                }
            };
            let _ = notify.send(event);
        })),
    );
    drop(tx);

    let outcome = event_loop(&mut terminal, &mut app, &rx);
    drop(terminal);
    drop(guard);
    // After the terminal is restored: in-flight sends finish and the lease is released.
    if let Err(e) = scheduler.stop() {
        eprintln!("smsdesk: scheduler: {e}");
    }
    outcome
}

fn event_loop(
    terminal: &mut ratatui::Terminal<ratatui::backend::CrosstermBackend<Stdout>>,
    app: &mut App,
    rx: &Receiver<AppEvent>,
) -> anyhow::Result<()> {
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| app.draw(frame))?;
            dirty = false;
        }
        let Ok(first) = rx.recv() else {
            return Ok(());
        };
        // Apply everything already waiting before drawing once.
        let mut next = Some(first);
        while let Some(ev) = next {
            if matches!(ev, AppEvent::Hangup) {
                return Ok(());
            }
            dirty |= apply(app, ev)?;
            if app.should_quit() {
                return Ok(());
            }
            next = rx.try_recv().ok();
        }
    }
}

/// Applies one event; returns whether the screen must be redrawn.
fn apply(app: &mut App, ev: AppEvent) -> anyhow::Result<bool> {
    Ok(match ev {
        AppEvent::Key(key) => {
            app.handle_key(key);
            true
        }
        AppEvent::Paste(text) => {
            app.handle_paste(&text);
            true
        }
        AppEvent::Resize => true,
        AppEvent::Tick => app.on_tick(),
        AppEvent::FilterDue => app.on_filter_due(),
        AppEvent::QueueChanged => app.on_queue_changed(),
        AppEvent::SchedulerChanged => true,
        AppEvent::Job(job) => app.on_job(job),
        AppEvent::InputClosed(reason) => {
            anyhow::bail!("cannot read the terminal any more: {reason}")
        }
        AppEvent::Hangup => false,
    })
}

/// Reads the terminal on its own thread: key presses only, resize bursts coalesced.
fn spawn_input(tx: Sender<AppEvent>) {
    std::thread::spawn(move || {
        loop {
            let ev = match event::read() {
                Ok(ev) => ev,
                Err(e) => {
                    let _ = tx.send(AppEvent::InputClosed(e.to_string()));
                    return;
                }
            };
            let out = match ev {
                Event::Key(key) if key.kind == KeyEventKind::Press => Some(AppEvent::Key(key)),
                Event::Paste(text) => Some(AppEvent::Paste(text)),
                Event::Resize(..) => {
                    // Swallow the rest of the burst; keep anything else that arrives meanwhile.
                    let mut pending = Vec::new();
                    while let Ok(true) = event::poll(RESIZE_SETTLE) {
                        match event::read() {
                            Ok(Event::Resize(..)) => {}
                            Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => {
                                pending.push(AppEvent::Key(k))
                            }
                            Ok(Event::Paste(p)) => pending.push(AppEvent::Paste(p)),
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                    if tx.send(AppEvent::Resize).is_err() {
                        return;
                    }
                    for p in pending {
                        if tx.send(p).is_err() {
                            return;
                        }
                    }
                    None
                }
                _ => None,
            };
            if let Some(out) = out
                && tx.send(out).is_err()
            {
                return;
            }
        }
    });
}

/// SIGHUP (the SSH connection or the terminal went away) and SIGTERM (a shutdown) would
/// otherwise kill the process where it stands: the lease would stay held until it lapses and
/// a `--demo` store would be left behind. They become an event that ends the loop cleanly.
fn spawn_hangup_watch(tx: Sender<AppEvent>) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM])?;
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(AppEvent::Hangup);
        }
    });
    Ok(())
}

fn spawn_tick(tx: Sender<AppEvent>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(TICK);
            if tx.send(AppEvent::Tick).is_err() {
                return;
            }
        }
    });
}

/// Raw mode, alternate screen and bracketed paste for as long as it lives; restored on drop
/// and by the panic hook *before* the panic message prints, so a crash never leaves the
/// operator's terminal unusable or the message hidden on the alternate screen.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> anyhow::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        let guard = TerminalGuard;
        execute!(
            stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A file reader's panic is caught and shown as a message: the TUI goes on.
        if !crate::io::import::reading_in_guard() {
            restore_terminal();
        }
        previous(info);
    }));
}
