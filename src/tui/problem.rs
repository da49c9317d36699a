//! What the screen refuses or fails at, as typed messages (texts: `[tui_problem]`,
//! `[filter_term]`). The core's, the store's and the readers' errors keep their own type
//! inside and are described in the reader's language when shown, never as English first.

use crate::core::CoreError;
use crate::io::export::ExportError;
use crate::io::import::ImportError;
use crate::store::StoreError;
use crate::store::settings::SettingProblem;

crate::typed_messages! {
    /// Why something the operator asked for on the screen did not happen.
    #[derive(Debug)]
    pub enum Problem in "tui_problem" {
        /// A refusal or failure of the core.
        Core { error: CoreError },
        /// The store failed (reading a screen, or opening its own connection in a job).
        Store { error: StoreError },
        /// A file that cannot be imported.
        Import { error: ImportError },
        /// An export that failed.
        Export { error: ExportError },
        /// A setting the store refuses, named by its key.
        Setting { key: String, problem: SettingProblem },
        /// The provider's settings could not be put together (never expected: a JSON error).
        ProviderUnreadable { reason: String },
        /// A filter bar term that does not read.
        BadTerm { term: String, why: TermProblem },
        /// Built by [`Problem::bad_time`], which shortens what is quoted.
        BadTime { input: String },
        NoExportPath,
        ExportExtension { path: String },
        NoFolder { folder: String },
        NoImportPath,
        ImportNeedsFile,
        /// The import stopped on a panic: its transaction rolled back.
        ImportStopped { file: String, reason: String },
        EventCancelled,
        TextTemplatesOnly,
    }
}

crate::typed_messages! {
    /// Why a filter term is refused: what it accepts.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TermProblem in "filter_term" {
        Period,
        Status,
        YesNo,
        Context,
        EventKind,
        NoCollaborator,
        /// Several collaborators' names contain the typed part.
        ManyCollaborators { names: Vec<String> },
    }
}

/// Typed input quoted back in a refusal: enough to recognise it, never a whole paragraph
/// (a text typed in the date field by mistake).
const QUOTED: usize = 24;

impl Problem {
    /// "« … » is not a date and time", quoting at most [`QUOTED`] columns of `input`.
    pub fn bad_time(input: &str) -> Problem {
        Problem::BadTime {
            input: crate::tui::fmt::truncate(&crate::tui::fmt::clean(input.trim()), QUOTED),
        }
    }
}

impl From<CoreError> for Problem {
    fn from(error: CoreError) -> Problem {
        Problem::Core { error }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Problem {
        Problem::Store { error }
    }
}

impl From<ImportError> for Problem {
    fn from(error: ImportError) -> Problem {
        Problem::Import { error }
    }
}

impl From<ExportError> for Problem {
    fn from(error: ExportError) -> Problem {
        Problem::Export { error }
    }
}

impl From<crate::store::settings::SettingError> for Problem {
    fn from(e: crate::store::settings::SettingError) -> Problem {
        Problem::Setting {
            key: e.key,
            problem: e.reason,
        }
    }
}
