//! Use cases shared by the TUI and the command line. Rights are checked here — the TUI hiding
//! an action is a courtesy, this is the guard — and every change is audited in the same
//! transaction as the change itself.

use crate::store::audit::{AuditAction, Stamp};
use crate::store::operators::{self, Rights};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};

pub mod admin;
pub mod automations;
pub mod batch;
pub mod changes;
pub mod contacts;
pub mod events;
pub mod import;
pub mod keys;
pub mod lists;
pub mod merge;
pub mod outbox;
pub mod refusal;
pub mod reminders;
pub mod replies;
pub mod send;
pub mod templates;

pub use refusal::{Action, CancelledEventChange, Forbidden, Refusal};

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The operator lacks the right; the message says which.
    #[error("{0}")]
    Forbidden(Forbidden),
    /// The input breaks a rule; the message says which and where.
    #[error("{0}")]
    Invalid(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Forbidden> for CoreError {
    fn from(f: Forbidden) -> CoreError {
        CoreError::Forbidden(f)
    }
}

impl From<Refusal> for CoreError {
    fn from(r: Refusal) -> CoreError {
        CoreError::Invalid(r)
    }
}

impl crate::i18n::Describe for CoreError {
    /// Refusals and the store's errors in the reader's language.
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        match self {
            CoreError::Forbidden(f) => f.describe(lang),
            CoreError::Invalid(r) => r.describe(lang),
            CoreError::Store(e) => e.describe(lang),
        }
    }
}

impl CoreError {
    /// Whether the caller gave bad input (CLI exit code 2) rather than the system failing.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            CoreError::Forbidden(_)
                | CoreError::Invalid(_)
                | CoreError::Store(StoreError::Invalid(_))
                | CoreError::Store(StoreError::NotFound { .. })
        )
    }
}

pub type CoreResult<T> = Result<T, CoreError>;

/// Who is acting. Operators are identified by their login on the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub login: String,
    pub rights: Rights,
}

impl Actor {
    /// The actor acting at `at`, as the audit log and new messages record it.
    pub fn stamp(&self, at: DateTime<Utc>) -> Stamp<'_> {
        Stamp {
            by: &self.login,
            at,
        }
    }

    /// Loads the operator `login`. On a store with no operator at all, the first login to use
    /// it becomes its administrator (someone has to be able to configure it).
    pub fn identify(store: &mut Store, login: &str, now: DateTime<Utc>) -> CoreResult<Actor> {
        let login = login.trim();
        if login.is_empty() {
            return Err(Refusal::NoOperatorName.into());
        }
        store.write(|tx| {
            if let Some(op) = operators::find(tx, login)? {
                return Ok(Actor {
                    login: op.login,
                    rights: if op.active {
                        op.rights
                    } else {
                        Rights::default()
                    },
                });
            }
            if operators::count(tx)? == 0 {
                operators::add(tx, login, login, Rights::all(), now)?;
                crate::store::audit::record(
                    tx,
                    Stamp { by: login, at: now },
                    AuditAction::UserBootstrap,
                    login,
                    "first operator becomes administrator",
                )?;
                return Ok(Actor {
                    login: login.to_string(),
                    rights: Rights::all(),
                });
            }
            // Unknown logins may look, not act.
            Ok(Actor {
                login: login.to_string(),
                rights: Rights::default(),
            })
        })
    }

    /// Only operators (someone with at least one right) may change the agenda or import;
    /// unknown logins may look, not act.
    pub fn require_operator(&self, action: Action) -> CoreResult<()> {
        let r = self.rights;
        if r.admin || r.instant || r.scheduled || r.batch || r.free {
            Ok(())
        } else {
            Err(Forbidden::NoRightAtAll {
                login: self.login.clone(),
                action,
            }
            .into())
        }
    }

    pub fn require_admin(&self, action: Action) -> CoreResult<()> {
        if self.rights.admin {
            Ok(())
        } else {
            Err(Forbidden::NotAdmin {
                login: self.login.clone(),
                action,
            }
            .into())
        }
    }
}
