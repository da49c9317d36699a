//! The sending loop. One thread owns its own store connection and does all the writing; a
//! small pool of worker threads only talks to the provider. The order of things is what makes
//! sends safe:
//!
//! 1. Only the holder of the lease (a row in the store, renewed by heartbeats) sends.
//! 2. A message is claimed — moved to `sending` and committed — *before* the provider is
//!    called. A message is never claimed twice: the claim is a status change from `pending`
//!    inside an IMMEDIATE transaction.
//! 3. A message found in `sending` when a scheduler takes the lease was being sent by a process
//!    that died. It is never sent again blindly: the provider is asked by our reference where it
//!    can be; otherwise the message becomes `unknown` for an operator to resend or close.
//! 4. An answer that may hide a send (time-out after the request left) is treated the same way.

use crate::clock::Clock;
use crate::gateway::listener::NotStored;
use crate::gateway::{
    self, CallbackEvent, InboundSms, Lookup, OutgoingSms, PendingStatus, Provider, ProviderError,
    ReportedStatus, StatusReport, SubmitOutcome,
};
use crate::sms::status::{MessageStatus, WaitReason};
use crate::sms::window;
use crate::store::Db;
use crate::store::notes::StatusNote;
use crate::store::settings::Settings;
use crate::store::{
    Store, StoreError, StoreProblem, credit, dispatch, from_ts, lease, messages, participants,
    stats, ts,
};
use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// How long a lease lasts without a heartbeat before another process may take over.
pub const LEASE_TTL_SECS: i64 = 20;
/// How often statuses and replies are polled from providers that need it.
const POLL_SECS: i64 = 15;
/// Longest sleep between passes when nothing is due (new work from another process is seen
/// within this delay; work queued in this process wakes the loop at once).
const IDLE_MILLIS: u64 = 1000;
/// Credit shortage: retry after this long.
const CREDIT_RETRY_SECS: i64 = 60;

/// Our reference for a message, carried by providers (Kannel dlr-url, OVH tag).
pub fn reference(id: i64) -> String {
    format!("m{id}")
}

/// The message id in one of our references.
pub fn parse_reference(r: &str) -> Option<i64> {
    r.strip_prefix('m')?.parse().ok()
}

/// Something the scheduler tells whoever watches it (the TUI redraws the visible page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Messages changed status (sent, reports, replies): re-read what is shown.
    QueueChanged,
    /// Sending is held up since `since`: the store is busy (another process holds its write
    /// lock) or an error stopped a pass. The scheduler waits with back-off and resumes.
    Trouble(Trouble),
    /// The trouble is over: sending goes on.
    Recovered,
}

/// Why sending is held up, and since when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trouble {
    pub since: DateTime<Utc>,
    /// The store is locked by another connection (as opposed to any other error).
    pub busy: bool,
    pub reason: SchedulerProblem,
}

crate::typed_messages! {
    /// Why the scheduler is held up, or stopped (texts: `[scheduler_problem]`): shown on the
    /// dashboard in the reader's language, logged and printed by `smsdesk run` in English.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum SchedulerProblem in "scheduler_problem" {
        /// The store failed.
        Store { error: StoreFailure },
        /// The engine stopped on an internal error; it is started again.
        Panicked { what: String },
        /// The scheduler's thread died.
        ThreadPanicked,
        /// The callback listener could not start (`smsdesk run` stops rather than run
        /// without reports).
        Listener { error: String },
    }
}

impl std::error::Error for SchedulerProblem {}

/// A store error held in a [`SchedulerProblem`]: shared, since the trouble is copied for the
/// dashboard, and compared by its English text (the same failure again is not reported twice).
#[derive(Clone, Debug)]
pub struct StoreFailure(pub std::sync::Arc<StoreError>);

impl From<StoreError> for StoreFailure {
    fn from(e: StoreError) -> StoreFailure {
        StoreFailure(std::sync::Arc::new(e))
    }
}

impl PartialEq for StoreFailure {
    fn eq(&self, other: &StoreFailure) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for StoreFailure {}

impl crate::i18n::Describe for StoreFailure {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        self.0.describe(lang)
    }
}

/// The trouble of the scheduler running in this process, if any, for the dashboard.
static TROUBLE: Mutex<Option<Trouble>> = Mutex::new(None);

/// What holds up the scheduler of this process right now (None: all is well).
pub fn current_trouble() -> Option<Trouble> {
    TROUBLE.lock().ok().and_then(|t| t.clone())
}

fn set_trouble(t: Option<Trouble>) {
    if let Ok(mut slot) = TROUBLE.lock() {
        *slot = t;
    }
}

/// Longest wait between two attempts while the store is busy or a pass fails.
const MAX_BACKOFF_MILLIS: u64 = 5_000;

enum Input {
    Wake,
    Done(JobResult),
    /// A report or reply from the callback listener, answered once committed.
    Callback(gateway::listener::Callback),
}

enum Job {
    Submit {
        id: i64,
        sms: OutgoingSms,
    },
    Balance,
    Poll(Vec<PendingStatus>),
    Replies(DateTime<Utc>),
    /// Ask the provider by our reference about messages left "unknown — check": (id, phone).
    Lookup(Vec<(i64, String)>),
}

#[derive(Clone)]
enum JobResult {
    Submitted {
        id: i64,
        outcome: Result<SubmitOutcome, ProviderError>,
    },
    Polled(Result<Vec<StatusReport>, ProviderError>),
    Balance(Result<Option<gateway::Balance>, ProviderError>),
    Replies {
        since: DateTime<Utc>,
        result: Result<Vec<InboundSms>, ProviderError>,
    },
    LookedUp(Vec<(i64, Result<Lookup, ProviderError>)>),
}

/// Options of a scheduler run.
#[derive(Clone)]
pub struct Options {
    pub db: std::path::PathBuf,
    pub clock: Clock,
    /// Unique per process: host, pid and start time.
    pub holder: String,
    /// Use this provider instead of the one in the settings (tests).
    pub provider: Option<Arc<dyn Provider>>,
    pub lease_ttl: Duration,
}

impl Options {
    pub fn new(db: std::path::PathBuf, clock: Clock) -> Options {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".into());
        Options {
            db,
            holder: format!(
                "{host}:{}:{}",
                std::process::id(),
                Utc::now().timestamp_micros()
            ),
            clock,
            provider: None,
            lease_ttl: lease_ttl_from_env(),
        }
    }
}

/// `SMSDESK_LEASE_TTL` (seconds) shortens the lease for tests that kill schedulers on purpose.
fn lease_ttl_from_env() -> Duration {
    std::env::var("SMSDESK_LEASE_TTL")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|s| (1..=3600).contains(s))
        .map_or(Duration::seconds(LEASE_TTL_SECS), Duration::seconds)
}

/// A running scheduler thread.
pub struct Handle {
    wake: Sender<Input>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<(), SchedulerProblem>>>,
}

impl Handle {
    /// New work was queued: look at once instead of waiting for the next pass.
    pub fn wake(&self) {
        let _ = self.wake.send(Input::Wake);
    }

    /// Finishes in-flight sends, releases the lease, and waits for the thread.
    pub fn stop(mut self) -> Result<(), SchedulerProblem> {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.send(Input::Wake);
        match self.thread.take() {
            Some(t) => t.join().unwrap_or(Err(SchedulerProblem::ThreadPanicked)),
            None => Ok(()),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.send(Input::Wake);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the scheduler on its own thread. `notify` is called (from the scheduler thread)
/// whenever messages changed.
pub fn spawn(options: Options, notify: Option<Box<dyn Fn(Notice) + Send>>) -> Handle {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = channel();
    let thread = {
        let stop = stop.clone();
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("scheduler".into())
            .spawn(move || supervise(options, stop, tx, rx, notify, false))
            .ok()
    };
    Handle {
        wake: tx,
        stop,
        thread,
    }
}

/// Runs the scheduler on the calling thread until `stop` is set (`smsdesk run`).
pub fn run_blocking(options: Options, stop: Arc<AtomicBool>) -> Result<(), SchedulerProblem> {
    let (tx, rx) = channel();
    // Wake the loop regularly so a stop request is seen quickly.
    {
        let tx = tx.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            let _ = tx.send(Input::Wake);
        });
    }
    supervise(options, stop, tx, rx, None, true)
}

/// Runs the engine until `stop`, and never lets it die: a busy store at start is waited for,
/// and an engine that fails to start or panics is logged, shown and started again with
/// back-off. Only a store that cannot be used at all on the first start is returned as an
/// error (`smsdesk run` then exits with the reason), and, with `listener_fatal`, a callback
/// listener that cannot start (`smsdesk run`, which would otherwise run without reports;
/// inside the TUI it is shown on the dashboard instead).
fn supervise(
    options: Options,
    stop: Arc<AtomicBool>,
    tx: Sender<Input>,
    rx: Receiver<Input>,
    notify: Option<Box<dyn Fn(Notice) + Send>>,
    listener_fatal: bool,
) -> Result<(), SchedulerProblem> {
    let mut started = false;
    let mut backoff = Backoff::default();
    let mut trouble: Option<Trouble> = None;
    while !stop.load(Ordering::SeqCst) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_engine(
                &options,
                &stop,
                &tx,
                &rx,
                notify.as_deref(),
                listener_fatal,
                &mut started,
            )
        }));
        let (reason, busy) = match outcome {
            Ok(Ok(())) => break,
            Ok(Err(EngineExit::Fatal(why))) => return Err(why),
            Ok(Err(EngineExit::Store(e))) if !started && !e.is_busy() => {
                return Err(SchedulerProblem::Store { error: e.into() });
            }
            Ok(Err(EngineExit::Store(e))) => {
                let busy = e.is_busy();
                (SchedulerProblem::Store { error: e.into() }, busy)
            }
            Err(panic) => (
                SchedulerProblem::Panicked {
                    what: panic_text(&panic),
                },
                false,
            ),
        };
        let now = options.clock.now();
        let t = trouble.get_or_insert_with(|| Trouble {
            since: now,
            busy,
            reason: reason.clone(),
        });
        t.busy = busy;
        t.reason = reason;
        tracing::error!("scheduler: {}; starting again", t.reason);
        report_trouble(t, notify.as_deref());
        backoff.sleep(&stop);
    }
    if trouble.is_some() {
        set_trouble(None);
    }
    Ok(())
}

/// Why an engine stopped before being asked to.
enum EngineExit {
    /// It could not start on the store: tried again (unless the very first start).
    Store(StoreError),
    /// It must not go on (`smsdesk run` without its callback listener).
    Fatal(SchedulerProblem),
}

/// Opens the store and runs one engine until `stop` (Ok) or until it cannot go on (Err).
fn run_engine(
    options: &Options,
    stop: &AtomicBool,
    tx: &Sender<Input>,
    rx: &Receiver<Input>,
    notify: Option<&(dyn Fn(Notice) + Send)>,
    listener_fatal: bool,
    started: &mut bool,
) -> Result<(), EngineExit> {
    let store = Store::open(&options.db).map_err(EngineExit::Store)?;
    dispatch::tune_scheduler_connection(store.db()).map_err(EngineExit::Store)?;
    let mut engine =
        Engine::new(store, options.clone(), tx.clone(), notify).map_err(EngineExit::Store)?;
    engine.listener_fatal = listener_fatal;
    *started = true;
    let outcome = engine.run(stop, rx);
    engine.shutdown(rx);
    outcome.map_err(EngineExit::Fatal)
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// Logs and shows a trouble ("store busy since 18:02").
fn report_trouble(t: &Trouble, notify: Option<&(dyn Fn(Notice) + Send)>) {
    set_trouble(Some(t.clone()));
    if let Some(n) = notify {
        n(Notice::Trouble(t.clone()));
    }
}

/// Waits growing from 200 ms to [`MAX_BACKOFF_MILLIS`] between attempts.
#[derive(Default)]
struct Backoff {
    attempts: u32,
}

impl Backoff {
    fn next(&mut self) -> std::time::Duration {
        let millis = 200u64.saturating_mul(1 << self.attempts.min(5));
        self.attempts += 1;
        std::time::Duration::from_millis(millis.min(MAX_BACKOFF_MILLIS))
    }

    /// Sleeps the next delay in small steps, so a stop request is seen at once.
    fn sleep(&mut self, stop: &AtomicBool) {
        let until = std::time::Instant::now() + self.next();
        while std::time::Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    fn reset(&mut self) {
        self.attempts = 0;
    }
}

/// The scheduler's state, owned by its thread.
struct Engine<'n> {
    store: Store,
    clock: Clock,
    holder: String,
    lease_ttl: Duration,
    provider: Arc<dyn Provider>,
    provider_kind: gateway::ProviderKind,
    /// The configuration `provider` was built from (None: given by the caller, never rebuilt).
    provider_config: Option<gateway::ProviderConfig>,
    settings: Settings,
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
    tx: Sender<Input>,
    notify: Option<&'n (dyn Fn(Notice) + Send)>,
    /// Results whose recording failed (store busy): recorded first on the next turn, so an
    /// answer of the provider is never lost.
    held: std::collections::VecDeque<JobResult>,
    /// What holds sending up since when (None: all is well).
    trouble: Option<Trouble>,
    backoff: Backoff,
    /// Set when the engine must stop for good (see [`EngineExit::Fatal`]).
    fatal: Option<SchedulerProblem>,
    /// Submissions handed to workers and not yet answered.
    in_flight: usize,
    polling: bool,
    holding: bool,
    last_heartbeat: Option<DateTime<Utc>>,
    last_poll: Option<DateTime<Utc>>,
    last_balance: Option<DateTime<Utc>>,
    /// Whether the provider can be asked by our reference (false once it says it cannot).
    can_look_up: bool,
    looking_up: bool,
    last_lookup: Option<DateTime<Utc>>,
    listener: Option<gateway::kannel::ListenerHandle>,
    listener_fatal: bool,
    rate_window_start: DateTime<Utc>,
    rate_sent: u32,
    changed: bool,
}

impl<'n> Engine<'n> {
    fn new(
        store: Store,
        options: Options,
        tx: Sender<Input>,
        notify: Option<&'n (dyn Fn(Notice) + Send)>,
    ) -> Result<Engine<'n>, StoreError> {
        let settings = Settings::load(store.db())?;
        let (provider, provider_config) = match &options.provider {
            Some(p) => (p.clone(), None),
            None => (
                build_provider(&settings.provider, &options.clock),
                Some(settings.provider.clone()),
            ),
        };
        let provider_kind = provider.kind();
        let now = options.clock.now();
        let mut engine = Engine {
            store,
            clock: options.clock,
            holder: options.holder,
            lease_ttl: options.lease_ttl,
            provider,
            provider_kind,
            provider_config,
            settings,
            jobs: None,
            workers: Vec::new(),
            tx,
            notify,
            held: std::collections::VecDeque::new(),
            trouble: None,
            backoff: Backoff::default(),
            fatal: None,
            in_flight: 0,
            polling: false,
            holding: false,
            last_heartbeat: None,
            last_poll: None,
            last_balance: None,
            can_look_up: true,
            looking_up: false,
            last_lookup: None,
            listener: None,
            listener_fatal: false,
            rate_window_start: now,
            rate_sent: 0,
            changed: false,
        };
        engine.start_workers();
        Ok(engine)
    }

    fn start_workers(&mut self) {
        let (jobs_tx, jobs_rx) = channel::<Job>();
        let jobs_rx = Arc::new(Mutex::new(jobs_rx));
        // One more worker than submissions in flight, so polling never waits behind sends.
        for n in 0..self.settings.max_in_flight.max(1) + 1 {
            let rx = jobs_rx.clone();
            let out = self.tx.clone();
            let provider = self.provider.clone();
            if let Ok(h) = std::thread::Builder::new()
                .name(format!("sender-{n}"))
                .spawn(move || worker(rx, out, provider))
            {
                self.workers.push(h);
            }
        }
        self.jobs = Some(jobs_tx);
    }

    /// Turns until `stop`. A turn that fails (store busy or locked, any other store error) is
    /// logged and shown, then tried again with back-off: the loop never ends on an error.
    fn run(&mut self, stop: &AtomicBool, rx: &Receiver<Input>) -> Result<(), SchedulerProblem> {
        while !stop.load(Ordering::SeqCst) {
            if let Some(why) = self.fatal.take() {
                return Err(why);
            }
            match self.turn(rx) {
                Ok(true) => self.recovered(),
                Ok(false) => break,
                Err(e) => {
                    self.troubled(e);
                    self.backoff.sleep(stop);
                }
            }
            self.flush_notice();
        }
        Ok(())
    }

    /// One turn: what could not be recorded before, a pass, then waiting for inputs. Returns
    /// false when every sender of inputs is gone.
    fn turn(&mut self, rx: &Receiver<Input>) -> Result<bool, StoreError> {
        while let Some(result) = self.held.pop_front() {
            if let Err(e) = self.record(result.clone()) {
                self.held.push_front(result);
                return Err(e);
            }
        }
        self.pass()?;
        let wait = self.sleep_for()?;
        match rx.recv_timeout(wait) {
            Ok(input) => {
                // Drain whatever else arrived, then do a pass. Answers to submissions that
                // arrived together are recorded together, in one transaction, in their order
                // among the other inputs.
                let mut answers = Vec::new();
                let mut next = Some(input);
                while let Some(input) = next.take().or_else(|| rx.try_recv().ok()) {
                    match input {
                        Input::Done(JobResult::Submitted { id, outcome }) => {
                            answers.push((id, outcome));
                        }
                        other => {
                            self.record_submissions(std::mem::take(&mut answers))?;
                            self.handle(other)?;
                        }
                    }
                }
                self.record_submissions(answers)?;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Ok(false),
        }
        Ok(true)
    }

    /// A turn failed: say so once (log, dashboard), with the time it started.
    fn troubled(&mut self, e: StoreError) {
        let now = self.clock.now();
        let busy = e.is_busy();
        let reason = SchedulerProblem::Store { error: e.into() };
        let first = self
            .trouble
            .as_ref()
            .is_none_or(|t| t.busy != busy || t.reason != reason);
        let since = self.trouble.as_ref().map_or(now, |t| t.since);
        let t = Trouble {
            since,
            busy,
            reason,
        };
        if first {
            if busy {
                tracing::warn!(
                    "store busy since {} (another process holds its write lock): sending waits and resumes by itself",
                    since.format("%H:%M:%S UTC")
                );
            } else {
                tracing::error!("scheduler: {}; trying again", t.reason);
            }
            report_trouble(&t, self.notify);
        }
        self.trouble = Some(t);
    }

    /// A turn went through after a trouble: log it, clear the dashboard's line.
    fn recovered(&mut self) {
        self.backoff.reset();
        if let Some(t) = self.trouble.take() {
            tracing::info!(
                "store available again (held up since {}): sending resumes",
                t.since.format("%H:%M:%S UTC")
            );
            set_trouble(None);
            if let Some(n) = self.notify {
                n(Notice::Recovered);
            }
        }
    }

    /// Lets in-flight sends finish and records them, then gives the lease up.
    fn shutdown(&mut self, rx: &Receiver<Input>) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while (self.in_flight > 0 || self.polling) && std::time::Instant::now() < deadline {
            match rx.recv_timeout(std::time::Duration::from_millis(200)) {
                Ok(input) => {
                    if let Err(e) = self.handle(input) {
                        tracing::error!("while stopping: {e}");
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        // Answers held by a busy store: one last try, so they are not left to reconciliation.
        while let Some(result) = self.held.pop_front() {
            if let Err(e) = self.record(result) {
                tracing::error!("while stopping, a provider answer could not be recorded: {e}");
            }
        }
        self.jobs = None;
        if let Some(mut l) = self.listener.take() {
            l.stop();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        if self.holding {
            let holder = self.holder.clone();
            if let Err(e) = self.store.write(|tx| lease::release(tx, &holder)) {
                tracing::error!("releasing the lease: {e}");
            }
        }
        self.flush_notice();
    }

    fn flush_notice(&mut self) {
        if self.changed {
            self.changed = false;
            if let Some(n) = &self.notify {
                n(Notice::QueueChanged);
            }
        }
    }

    fn handle(&mut self, input: Input) -> Result<(), StoreError> {
        match input {
            Input::Wake => Ok(()),
            Input::Done(result) => {
                // Kept until recorded: a busy store must not lose what the provider said.
                let copy = result.clone();
                self.record(result)
                    .inspect_err(|_| self.held.push_back(copy))
            }
            Input::Callback(callback) => self.apply_callback(callback),
        }
    }

    /// How long to sleep: until the next due message, at most the idle period.
    fn sleep_for(&self) -> Result<std::time::Duration, StoreError> {
        let idle = std::time::Duration::from_millis(IDLE_MILLIS);
        if !self.holding {
            return Ok(idle);
        }
        let next = dispatch::next_due(self.store.db())?;
        let now = self.clock.now();
        Ok(match next {
            Some(t) if t <= ts(now) && self.in_flight < self.settings.max_in_flight => {
                std::time::Duration::from_millis(10)
            }
            Some(t) => {
                let wait = (t - ts(now)).clamp(0, 1) as u64;
                idle.min(std::time::Duration::from_secs(wait))
                    .max(std::time::Duration::from_millis(50))
            }
            None => idle,
        })
    }

    /// One pass: keep the lease, then expire, claim and dispatch, poll.
    fn pass(&mut self) -> Result<(), StoreError> {
        let now = self.clock.now();
        if self
            .last_heartbeat
            .is_none_or(|t| now - t >= self.lease_ttl / 4 || !self.holding)
        {
            self.heartbeat(now)?;
        }
        if !self.holding {
            return Ok(());
        }
        self.expire_overdue(now)?;
        self.dispatch(now)?;
        self.poll(now)?;
        Ok(())
    }

    fn heartbeat(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let holder = self.holder.clone();
        let ttl = self.lease_ttl;
        let held = self
            .store
            .write(|tx| lease::acquire(tx, &holder, now, ttl))?;
        self.last_heartbeat = Some(now);
        let was_holding = self.holding;
        self.holding = held;
        // Settings may have changed in the TUI or the CLI.
        self.settings = Settings::load(self.store.db())?;
        if self
            .provider_config
            .as_ref()
            .is_some_and(|c| *c != self.settings.provider)
        {
            self.switch_provider();
        }
        if held {
            stats::set_runtime(self.store.db(), "scheduler.heartbeat", &self.holder, now)?;
        }
        if !held && let Some(mut l) = self.listener.take() {
            // The new holder listens on the same port.
            l.stop();
        }
        if held && !was_holding {
            tracing::info!("scheduler {} holds the sending lease", self.holder);
            self.recover(now)?;
            self.start_listener()?;
        }
        Ok(())
    }

    /// The operator chose another provider or changed its credentials: new workers use the
    /// new one; submissions already handed out finish with the old one.
    fn switch_provider(&mut self) {
        tracing::info!(
            "provider configuration changed: {}",
            self.settings.provider.kind()
        );
        self.provider = build_provider(&self.settings.provider, &self.clock);
        self.provider_kind = self.provider.kind();
        self.provider_config = Some(self.settings.provider.clone());
        self.can_look_up = true;
        self.jobs = None;
        // Old workers exit once their channel is dropped; they are not waited for here.
        self.workers.clear();
        self.start_workers();
        if let Some(mut l) = self.listener.take() {
            l.stop();
        }
        if self.holding
            && let Err(e) = self.start_listener()
        {
            tracing::error!("{e}");
        }
    }

    /// Kannel pushes reports and replies to our callback listener, started by the lease holder.
    /// A listener that cannot start is an error for `smsdesk run`, and shown on the dashboard
    /// (`listener.error`) inside the TUI.
    fn start_listener(&mut self) -> Result<(), StoreError> {
        if self.listener.is_some() {
            return Ok(());
        }
        if let gateway::ProviderConfig::Kannel(gateway::KannelConfig {
            callback_listen,
            callback_secret,
            ..
        }) = &self.settings.provider
            && self.provider_kind == gateway::ProviderKind::Kannel
        {
            let (tx, rx) = channel::<gateway::listener::Callback>();
            let forward = self.tx.clone();
            std::thread::spawn(move || {
                for callback in rx {
                    // A callback that cannot be forwarded is dropped: its request gets 503.
                    if forward.send(Input::Callback(callback)).is_err() {
                        break;
                    }
                }
            });
            let now = self.clock.now();
            match gateway::kannel::start_listener(callback_listen, callback_secret, tx) {
                Ok(h) => {
                    self.listener = Some(h);
                    stats::set_runtime(self.store.db(), "listener.error", "", now)?;
                }
                Err(e) => {
                    let why = match e {
                        ProviderError::Config(problem) => problem.to_string(),
                        other => other.to_string(),
                    };
                    let why = SchedulerProblem::Listener { error: why };
                    tracing::error!("{why}");
                    // English: the dashboard shows the OS's words, after the address.
                    stats::set_runtime(self.store.db(), "listener.error", &why.to_string(), now)?;
                    if self.listener_fatal {
                        self.fatal = Some(why);
                    }
                }
            }
        }
        Ok(())
    }

    /// Messages left in `sending` by a process that died: ask the provider, never resend blindly.
    fn recover(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let stuck = dispatch::stuck_sending(self.store.db())?;
        for (id, phone) in stuck {
            let answer = self.provider.lookup(&reference(id), &phone);
            let provider = self.provider_kind.as_str();
            self.store.write(|tx| -> Result<(), StoreError> {
                match answer {
                    Ok(Lookup::Found {
                        provider_id,
                        status,
                    }) => {
                        let note = StatusNote::Reconciled;
                        accept_found(tx, id, (provider, &provider_id), status, now, note)?;
                    }
                    Ok(Lookup::NotFound) => {
                        settle(
                            tx,
                            id,
                            MessageStatus::Pending,
                            now,
                            StatusNote::NeverReceived,
                        )?;
                        dispatch::due_now(tx, id, now)?;
                    }
                    Ok(Lookup::Unsupported) | Err(_) => {
                        let why = match &answer {
                            Err(e) => StatusNote::InterruptedUnasked { error: e.problem() },
                            _ => StatusNote::InterruptedCannotAsk,
                        };
                        settle(tx, id, MessageStatus::Unknown, now, why)?;
                    }
                }
                Ok(())
            })?;
            self.changed = true;
        }
        Ok(())
    }

    /// Pending messages whose retry window is over become expired, never sent.
    fn expire_overdue(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let overdue = dispatch::overdue(self.store.db(), now)?;
        if overdue.is_empty() {
            return Ok(());
        }
        self.store.write(|tx| -> Result<(), StoreError> {
            for id in &overdue {
                settle(
                    tx,
                    *id,
                    MessageStatus::Expired,
                    now,
                    StatusNote::DeadlinePassed,
                )?;
            }
            Ok(())
        })?;
        self.changed = true;
        Ok(())
    }

    /// Claims due messages (committed before any provider call) and hands them to workers.
    fn dispatch(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let max = self.settings.max_in_flight.max(1);
        if self.in_flight >= max {
            return Ok(());
        }
        let mut room = max - self.in_flight;
        if self.settings.rate_per_second > 0 {
            if now - self.rate_window_start >= Duration::seconds(1) {
                self.rate_window_start = now;
                self.rate_sent = 0;
            }
            let left = self.settings.rate_per_second.saturating_sub(self.rate_sent) as usize;
            room = room.min(left);
        }
        if room == 0 {
            return Ok(());
        }
        let settings = self.settings.clone();
        let holder = self.holder.clone();
        let claimed = self
            .store
            .write(|tx| claim(tx, &settings, &holder, now, room))?;
        if claimed.changed {
            self.changed = true;
        }
        for job in claimed.jobs {
            self.in_flight += 1;
            self.rate_sent += 1;
            if let Some(jobs) = &self.jobs
                && jobs.send(job).is_err()
            {
                self.in_flight -= 1;
            }
        }
        Ok(())
    }

    fn poll(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        // The provider's own balance (money and/or units), for the dashboard, every 10 minutes.
        if self
            .last_balance
            .is_none_or(|t| now - t >= Duration::minutes(10))
        {
            self.last_balance = Some(now);
            if let Some(jobs) = &self.jobs {
                let _ = jobs.send(Job::Balance);
            }
        }
        self.look_up_unknowns(now)?;
        if !self.provider.needs_polling() || self.polling {
            return Ok(());
        }
        if self
            .last_poll
            .is_some_and(|t| now - t < Duration::seconds(POLL_SECS.min(self.poll_period())))
        {
            return Ok(());
        }
        self.last_poll = Some(now);
        let pending: Vec<PendingStatus> =
            dispatch::awaiting_report(self.store.db(), self.provider_kind.as_str())?
                .into_iter()
                .map(|m| PendingStatus {
                    reference: reference(m.id),
                    provider_id: m.provider_id,
                    to_e164: m.phone,
                    submitted_at: from_ts(m.sent_at.unwrap_or(0)),
                })
                .collect();
        let since = stats::runtime(self.store.db(), "replies.cursor")?
            .and_then(|(v, _)| v.parse::<i64>().ok())
            .map(from_ts)
            .unwrap_or(now - Duration::days(7));
        if let Some(jobs) = &self.jobs {
            if !pending.is_empty() && jobs.send(Job::Poll(pending)).is_ok() {
                self.polling = true;
            }
            let _ = jobs.send(Job::Replies(since));
        }
        Ok(())
    }

    /// Messages left "unknown — check" (an ambiguous answer, a crash) in the last day are asked
    /// about by our reference every poll period, where the provider can be asked (OVH): one
    /// found there is reconciled without an operator, never sent again.
    fn look_up_unknowns(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        if !self.can_look_up
            || self.looking_up
            || self
                .last_lookup
                .is_some_and(|t| now - t < Duration::seconds(POLL_SECS))
        {
            return Ok(());
        }
        self.last_lookup = Some(now);
        let unknown = dispatch::recent_unknown(self.store.db(), now - Duration::days(1))?;
        if !unknown.is_empty()
            && let Some(jobs) = &self.jobs
            && jobs.send(Job::Lookup(unknown)).is_ok()
        {
            self.looking_up = true;
        }
        Ok(())
    }

    /// The simulator reports within seconds: poll it more often than real providers.
    fn poll_period(&self) -> i64 {
        if self.provider_kind == gateway::ProviderKind::Simulator {
            2
        } else {
            POLL_SECS
        }
    }

    /// Records the provider's answers to several submissions in one transaction, with the
    /// provider's health after the last one: one commit for all. When the store refuses, they
    /// are all kept to be recorded first on the next turn.
    fn record_submissions(
        &mut self,
        answers: Vec<(i64, Result<SubmitOutcome, ProviderError>)>,
    ) -> Result<(), StoreError> {
        let Some((_, last)) = answers.last() else {
            return Ok(());
        };
        let health = match last {
            Ok(_) => "ok".to_string(),
            Err(e) => health_of(e),
        };
        let now = self.clock.now();
        let provider = self.provider_kind.as_str();
        self.changed = true;
        self.in_flight = self.in_flight.saturating_sub(answers.len());
        let written = self.store.write(|tx| -> Result<(), StoreError> {
            for (id, outcome) in &answers {
                record_submission(tx, *id, provider, outcome.clone(), now)?;
            }
            stats::set_runtime(tx, "provider.health", &health, now)
        });
        if written.is_err() {
            self.held.extend(
                answers
                    .into_iter()
                    .map(|(id, outcome)| JobResult::Submitted { id, outcome }),
            );
        }
        written
    }

    fn record(&mut self, result: JobResult) -> Result<(), StoreError> {
        let now = self.clock.now();
        let provider = self.provider_kind.as_str();
        self.changed = true;
        match result {
            JobResult::Submitted { id, outcome } => {
                self.in_flight = self.in_flight.saturating_sub(1);
                let health = match &outcome {
                    Ok(_) => "ok".to_string(),
                    Err(e) => health_of(e),
                };
                self.store.write(|tx| -> Result<(), StoreError> {
                    record_submission(tx, id, provider, outcome, now)?;
                    stats::set_runtime(tx, "provider.health", &health, now)
                })?;
            }
            JobResult::Polled(result) => {
                self.polling = false;
                match result {
                    Ok(reports) => {
                        self.store.write(|tx| -> Result<(), StoreError> {
                            for r in &reports {
                                apply_report(tx, provider, r, now)?;
                            }
                            Ok(())
                        })?;
                        stats::set_runtime(self.store.db(), "provider.health", "ok", now)?;
                    }
                    Err(e) => {
                        stats::set_runtime(self.store.db(), "provider.health", &health_of(&e), now)?
                    }
                }
            }
            JobResult::LookedUp(answers) => {
                self.looking_up = false;
                for (id, answer) in answers {
                    match answer {
                        Ok(Lookup::Found {
                            provider_id,
                            status,
                        }) => self.store.write(|tx| -> Result<(), StoreError> {
                            if messages::status_of(tx, id)? != MessageStatus::Unknown {
                                return Ok(());
                            }
                            let note = StatusNote::FoundByReference;
                            accept_found(tx, id, (provider, &provider_id), status, now, note)?;
                            Ok(())
                        })?,
                        Ok(Lookup::Unsupported) => self.can_look_up = false,
                        // Not found (yet) or not asked: it stays for an operator to decide.
                        Ok(Lookup::NotFound) | Err(_) => {}
                    }
                }
            }
            JobResult::Balance(result) => match result {
                Ok(Some(b)) => {
                    let value = serde_json::json!({
                        "units": b.units,
                        "money": b.money.as_ref().map(|(amount, _)| amount),
                        "currency": b.money.as_ref().map(|(_, currency)| currency),
                    });
                    stats::set_runtime(
                        self.store.db(),
                        "provider.balance",
                        &value.to_string(),
                        now,
                    )?;
                }
                Ok(None) => {}
                Err(e) => {
                    stats::set_runtime(self.store.db(), "provider.health", &health_of(&e), now)?
                }
            },
            JobResult::Replies { since, result } => match result {
                Ok(replies) => {
                    let mut newest = since;
                    for inbound in &replies {
                        newest = newest.max(inbound.received_at);
                        crate::core::replies::record_inbound(
                            &mut self.store,
                            self.provider_kind,
                            inbound,
                            now,
                        )
                        .map_err(into_store_error)?;
                    }
                    stats::set_runtime(
                        self.store.db(),
                        "replies.cursor",
                        &ts(newest).to_string(),
                        now,
                    )?;
                }
                Err(e) => {
                    stats::set_runtime(self.store.db(), "provider.health", &health_of(&e), now)?
                }
            },
        }
        Ok(())
    }

    /// Commits a report or reply, then answers the listener, which answers Kannel: 200 only
    /// once it is stored. A duplicate changes nothing and is a success; a failure is answered
    /// (503, Kannel retries) without stopping the scheduler.
    fn apply_callback(&mut self, callback: gateway::listener::Callback) -> Result<(), StoreError> {
        let now = self.clock.now();
        let provider = self.provider_kind.as_str();
        self.changed = true;
        let stored = match callback.event {
            CallbackEvent::Status(report) => self
                .store
                .write(|tx| apply_report(tx, provider, &report, now))
                .map_err(NotStored::logged),
            CallbackEvent::Reply(inbound) => crate::core::replies::record_inbound(
                &mut self.store,
                self.provider_kind,
                &inbound,
                now,
            )
            .map(|_| ())
            .map_err(NotStored::logged),
        };
        callback.answer.send(stored);
        Ok(())
    }
}

/// Builds the provider of the settings; a broken configuration gives a stand-in whose sends
/// wait with the reason (shown on the dashboard) rather than stopping the scheduler.
fn build_provider(config: &gateway::ProviderConfig, clock: &Clock) -> Arc<dyn Provider> {
    match gateway::build_with(config, gateway::http::DEFAULT_TIMEOUT, clock.clone()) {
        Ok(p) => Arc::from(p),
        Err(e) => {
            tracing::error!("provider configuration: {e}");
            Arc::new(Unconfigured {
                kind: config.kind(),
                error: e,
            })
        }
    }
}

fn worker(jobs: Arc<Mutex<Receiver<Job>>>, out: Sender<Input>, provider: Arc<dyn Provider>) {
    loop {
        let job = {
            let Ok(rx) = jobs.lock() else { return };
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let result = match job {
            Job::Submit { id, sms } => JobResult::Submitted {
                id,
                outcome: provider.submit(&sms),
            },
            Job::Poll(pending) => JobResult::Polled(provider.poll_statuses(&pending)),
            Job::Balance => JobResult::Balance(provider.balance()),
            Job::Lookup(unknown) => JobResult::LookedUp(
                unknown
                    .into_iter()
                    .map(|(id, phone)| (id, provider.lookup(&reference(id), &phone)))
                    .collect(),
            ),
            Job::Replies(since) => JobResult::Replies {
                since,
                result: provider.fetch_replies(since),
            },
        };
        if out.send(Input::Done(result)).is_err() {
            return;
        }
    }
}

struct Claimed {
    jobs: Vec<Job>,
    changed: bool,
}

/// Picks due messages and decides, for each, whether it leaves now: expired, STOP, waiting for
/// the window or for credit, or claimed (`sending`). Runs in one IMMEDIATE transaction.
fn claim(
    tx: Db<'_>,
    settings: &Settings,
    holder: &str,
    now: DateTime<Utc>,
    room: usize,
) -> Result<Claimed, StoreError> {
    let mut out = Claimed {
        jobs: Vec::new(),
        changed: false,
    };
    let due = dispatch::due(tx, now, (room * 4) as i64)?;
    if due.is_empty() {
        return Ok(out);
    }
    // Credit not yet charged but already promised to messages being sent or left unknown
    // (both figures kept up to date by the store: no sum over the history).
    let reserved = dispatch::reserved_segments(tx)?;
    let mut available = credit::balance(tx)? - reserved;
    let tz = settings.timezone;
    let w = settings.window();
    for m in due {
        if out.jobs.len() >= room {
            break;
        }
        out.changed = true;
        if now > m.deadline {
            settle(
                tx,
                m.id,
                MessageStatus::Expired,
                now,
                StatusNote::DeadlinePassed,
            )?;
            continue;
        }
        if participants::is_opted_out(tx, &m.phone)? {
            settle(tx, m.id, MessageStatus::Stop, now, StatusNote::OptedOut)?;
            continue;
        }
        // A follow-up waiting for no reply (or no outcome) that got one since it was planned.
        if let (true, Some(rule), Some(event)) = (m.conditional, m.automation_id, m.event_id)
            && let Some(reason) = crate::core::automations::unmet_condition(tx, rule, event)?
        {
            settle(
                tx,
                m.id,
                MessageStatus::Cancelled,
                now,
                StatusNote::ConditionUnmet { reason },
            )?;
            continue;
        }
        let opening = if m.campaign {
            window::campaign_next_opening(now, tz, &w).ok()
        } else {
            Some(window::next_opening(now, tz, &w))
        };
        match opening {
            Some(open) if open <= now => {}
            Some(open) if open <= m.deadline => {
                wait(tx, m.id, open, WaitReason::Window, None)?;
                continue;
            }
            _ => {
                settle(
                    tx,
                    m.id,
                    MessageStatus::Expired,
                    now,
                    StatusNote::WindowClosed,
                )?;
                continue;
            }
        }
        if available < m.segments {
            let retry = (now + Duration::seconds(CREDIT_RETRY_SECS)).min(m.deadline);
            wait(
                tx,
                m.id,
                retry,
                WaitReason::Credit,
                Some(&StatusNote::CreditShort {
                    needed: m.segments,
                    available: available.max(0),
                }),
            )?;
            continue;
        }
        available -= m.segments;
        dispatch::claim(tx, m.id, holder)?;
        if !messages::transition(tx, m.id, MessageStatus::Sending, now, "scheduler", None)? {
            continue;
        }
        let from = if m.expects_reply && !settings.reply_number.is_empty() {
            settings.reply_number.clone()
        } else if m.sender.is_empty() {
            settings.sender.clone()
        } else {
            m.sender.clone()
        };
        out.jobs.push(Job::Submit {
            id: m.id,
            sms: OutgoingSms {
                reference: reference(m.id),
                to_e164: m.phone,
                from,
                text: m.text,
                ucs2: m.ucs2,
                segments: u32::try_from(m.segments).unwrap_or(1),
                expects_reply: m.expects_reply,
            },
        });
    }
    Ok(out)
}

/// A status change the scheduler makes on its own, with why (see [`messages::transition`]).
fn settle(
    tx: Db<'_>,
    id: i64,
    next: MessageStatus,
    now: DateTime<Utc>,
    why: StatusNote,
) -> Result<bool, StoreError> {
    messages::transition(tx, id, next, now, "scheduler", Some(why))
}

/// Leaves a message pending until `until`, saying why (shown on the dashboard and in Upcoming).
fn wait(
    tx: Db<'_>,
    id: i64,
    until: DateTime<Utc>,
    reason: WaitReason,
    error: Option<&StatusNote>,
) -> Result<(), StoreError> {
    dispatch::wait(tx, id, until, reason, error)
}

/// How the last exchange with the provider went, as the dashboard reads it: `ok`, or the
/// problem's JSON (rendered in the reader's language).
fn health_of(e: &ProviderError) -> String {
    serde_json::to_string(&e.problem()).unwrap_or_default()
}

/// Records what the provider said about one submission.
fn record_submission(
    tx: Db<'_>,
    id: i64,
    provider: &str,
    outcome: Result<SubmitOutcome, ProviderError>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match outcome {
        Ok(SubmitOutcome::Accepted { provider_id }) => accept(tx, id, provider, &provider_id, now),
        Ok(SubmitOutcome::Rejected { reason }) => {
            let note = StatusNote::Refused { reason };
            dispatch::reject(tx, id, &note, provider)?;
            messages::transition(tx, id, MessageStatus::Failed, now, provider, Some(note))?;
            Ok(())
        }
        Err(ProviderError::Ambiguous { reason }) => {
            let note = StatusNote::NoUsableAnswer { reason };
            dispatch::reject(tx, id, &note, provider)?;
            messages::transition(tx, id, MessageStatus::Unknown, now, provider, Some(note))?;
            Ok(())
        }
        Err(e) => {
            let (reason, retry_after) = match &e {
                ProviderError::Transient {
                    reason,
                    retry_after,
                } => (reason.clone(), *retry_after),
                other => (other.problem(), None),
            };
            let (attempts, deadline) = dispatch::attempts_and_deadline(tx, id)?;
            let mut delay = window::backoff(attempts);
            if let Some(after) = retry_after.and_then(|d| Duration::from_std(d).ok()) {
                delay = delay.max(after);
            }
            let next = now + delay;
            messages::transition(
                tx,
                id,
                MessageStatus::Pending,
                now,
                provider,
                Some(StatusNote::WillRetry {
                    reason: reason.clone(),
                }),
            )?;
            if ts(next) > deadline {
                settle(
                    tx,
                    id,
                    MessageStatus::Expired,
                    now,
                    StatusNote::RetryWindowOver,
                )?;
            } else {
                wait(
                    tx,
                    id,
                    next,
                    WaitReason::Provider,
                    Some(&StatusNote::WillRetry { reason }),
                )?;
            }
            Ok(())
        }
    }
}

/// The provider took the message: charge it once, remember its id, mark it submitted (unless
/// a delivery report already overtook this answer).
fn accept(
    tx: Db<'_>,
    id: i64,
    provider: &str,
    provider_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    dispatch::accept(tx, id, provider, provider_id, now)?;
    submitted(tx, id, provider, now, StatusNote::Accepted)?;
    Ok(())
}

/// The provider has the message: it becomes submitted, which charges it once (see
/// `messages::transition`).
fn submitted(
    tx: Db<'_>,
    id: i64,
    provider: &str,
    now: DateTime<Utc>,
    why: StatusNote,
) -> Result<bool, StoreError> {
    messages::transition(tx, id, MessageStatus::Submitted, now, provider, Some(why))
}

/// A message the provider found (asked after a crash or a lost answer): accepted, then moved
/// on to the final status it reports, if any, with `note` saying how it was found.
fn accept_found(
    tx: Db<'_>,
    id: i64,
    (provider, provider_id): (&str, &str),
    status: ReportedStatus,
    now: DateTime<Utc>,
    note: StatusNote,
) -> Result<(), StoreError> {
    accept(tx, id, provider, provider_id, now)?;
    if let Some(next) = final_status(status) {
        messages::transition(tx, id, next, now, provider, Some(note))?;
    }
    Ok(())
}

fn final_status(s: ReportedStatus) -> Option<MessageStatus> {
    match s {
        ReportedStatus::InTransit => None,
        ReportedStatus::Delivered => Some(MessageStatus::Delivered),
        ReportedStatus::NotDelivered => Some(MessageStatus::NotDelivered),
        ReportedStatus::Expired => Some(MessageStatus::Expired),
        ReportedStatus::Failed => Some(MessageStatus::Failed),
        ReportedStatus::Stop => Some(MessageStatus::Stop),
    }
}

/// Applies a status report, found by our reference or the provider's id. Reports for unknown
/// messages and reports that would change a final status are ignored (logged).
fn apply_report(
    tx: Db<'_>,
    provider: &str,
    r: &StatusReport,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id = match parse_reference(&r.reference) {
        Some(id) => Some(id),
        None if !r.provider_id.is_empty() => {
            dispatch::by_provider_id(tx, provider, &r.provider_id)?
        }
        None => None,
    };
    let Some(id) = id else {
        tracing::warn!("status report for an unknown message: {:?}", r.reference);
        return Ok(());
    };
    let Some(next) = final_status(r.status) else {
        return Ok(());
    };
    let current = match messages::status_of(tx, id) {
        Ok(s) => s,
        Err(StoreError::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    // A report proves the provider had it: a message left `unknown` by a crash, or still
    // `sending` because the report overtook the provider's answer, becomes submitted first
    // (which charges it).
    if matches!(current, MessageStatus::Unknown | MessageStatus::Sending) {
        submitted(tx, id, provider, now, StatusNote::ReportArrived)?;
    }
    let at = if r.at.timestamp() > 0 {
        r.at.min(now)
    } else {
        now
    };
    let note = (!r.detail.is_empty()).then(|| StatusNote::Reported {
        said: r.detail.clone(),
    });
    messages::transition(tx, id, next, at, provider, note)?;
    if next == MessageStatus::Stop {
        let phone = dispatch::phone_of(tx, id)?;
        participants::opt_out(tx, &phone, "provider", None, provider, now)?;
    }
    Ok(())
}

/// Stands in for a provider whose configuration is broken: every send waits, and the
/// dashboard shows why.
struct Unconfigured {
    /// The provider the settings name: the one the sends wait for.
    kind: gateway::ProviderKind,
    error: ProviderError,
}

impl Provider for Unconfigured {
    fn kind(&self) -> gateway::ProviderKind {
        self.kind
    }
    fn submit(&self, _: &OutgoingSms) -> Result<SubmitOutcome, ProviderError> {
        Err(self.error.clone())
    }
    fn needs_polling(&self) -> bool {
        false
    }
    fn poll_statuses(&self, _: &[PendingStatus]) -> Result<Vec<StatusReport>, ProviderError> {
        Ok(Vec::new())
    }
    fn fetch_replies(&self, _: DateTime<Utc>) -> Result<Vec<InboundSms>, ProviderError> {
        Ok(Vec::new())
    }
    fn lookup(&self, _: &str, _: &str) -> Result<Lookup, ProviderError> {
        Ok(Lookup::Unsupported)
    }
    fn balance(&self) -> Result<Option<gateway::Balance>, ProviderError> {
        Ok(None)
    }
}

/// A core error in the scheduler's terms, keeping a store error as it is (a busy store is
/// waited for, not reported as a refusal).
fn into_store_error(e: crate::core::CoreError) -> StoreError {
    match e {
        crate::core::CoreError::Store(e) => e,
        crate::core::CoreError::Invalid(refusal) => StoreProblem::Refused {
            refusal: Box::new(refusal),
        }
        .into(),
        crate::core::CoreError::Forbidden(forbidden) => {
            StoreProblem::Forbidden { forbidden }.into()
        }
    }
}

#[cfg(test)]
mod tests;
