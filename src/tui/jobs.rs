//! Work off the UI thread (reading a file, importing, exporting): a job runs on its own thread
//! and reports its progress and its end as [`AppEvent::Job`] on the app's event channel; the
//! app hands each event to the tab that started the job. Nothing is shared or polled.

use super::AppEvent;
use super::app::Tab;
use crate::core::import::ContactsPreview;
use crate::core::send::FreeList;
use crate::tui::problem::Problem;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// Progress events closer together than this are dropped: a million-row export would
/// otherwise flood the channel with redraws.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Tells one job from another (a tab keeps the id of the job it waits for).
pub type JobId = u64;

/// What a job said, for the tab that started it.
#[derive(Debug)]
pub struct JobEvent {
    pub tab: Tab,
    pub id: JobId,
    pub update: JobUpdate,
}

/// Progress or end of a job.
#[derive(Debug)]
pub enum JobUpdate {
    /// Export: the file it writes (sent first).
    ExportStarted(String),
    /// Export: rows written so far.
    ExportRows(u64),
    /// Export: rows written in the end, or why it failed.
    ExportDone(Result<u64, Problem>),
    /// Contacts import: data rows of `file` read so far.
    ImportReading { file: String, rows: usize },
    /// Contacts import: the file read and checked, or why not.
    ImportRead(Result<Box<ContactsPreview>, Problem>),
    /// Contacts import: contacts created and skipped, or why nothing was.
    ImportDone(Result<(usize, usize), Problem>),
    /// Free send: recipients file read so far.
    FreeRows(crate::io::import::Progress),
    /// Free send: the checked list and the file's notices, or why the file could not be read.
    FreeRead(Result<(FreeList, Vec<crate::io::import::FileNotice>), Problem>),
    /// A list's filter: how many rows it matches, or why they could not be counted.
    Counted(Result<i64, Problem>),
}

/// Starts jobs for one tab; cheap to clone.
#[derive(Clone, Debug)]
pub struct Jobs {
    tx: Sender<AppEvent>,
    next: Arc<AtomicU64>,
    tab: Tab,
}

impl Jobs {
    pub fn new(tx: Sender<AppEvent>, tab: Tab) -> Jobs {
        Jobs {
            tx,
            next: Arc::new(AtomicU64::new(1)),
            tab,
        }
    }

    /// The same channel and numbering, for another tab.
    pub fn for_tab(&self, tab: Tab) -> Jobs {
        Jobs {
            tab,
            ..self.clone()
        }
    }

    /// Sends `event` to the app after `delay` (the filter bar's pause in typing).
    pub fn wake_after(&self, delay: Duration, event: AppEvent) {
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            // The screen is gone: nobody waits.
            let _ = tx.send(event);
        });
    }

    /// Runs `work` on its own thread; what it returns is sent as the job's last event.
    pub fn spawn(&self, work: impl FnOnce(&mut Reporter) -> JobUpdate + Send + 'static) -> JobId {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut reporter = Reporter {
            tx: self.tx.clone(),
            tab: self.tab,
            id,
            last: None,
        };
        std::thread::spawn(move || {
            let done = work(&mut reporter);
            reporter.send(done);
        });
        id
    }
}

/// A job's way to say how far it got.
pub struct Reporter {
    tx: Sender<AppEvent>,
    tab: Tab,
    id: JobId,
    last: Option<Instant>,
}

impl Reporter {
    /// Sends progress, at most every [`PROGRESS_EVERY`].
    pub fn progress(&mut self, update: JobUpdate) {
        if self.last.is_some_and(|t| t.elapsed() < PROGRESS_EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        self.send(update);
    }

    fn send(&self, update: JobUpdate) {
        // The screen is gone (the operator quit): nobody waits for the result.
        let _ = self.tx.send(AppEvent::Job(JobEvent {
            tab: self.tab,
            id: self.id,
            update,
        }));
    }
}
