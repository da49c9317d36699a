//! The change behind a confirmation, as data: a tab asks, the app runs the pending action with
//! the store, the acting operator and the clock once the operator says yes, and the sentence
//! it shows is written once, in the screen's language.

use crate::core::batch::{self, BatchInput};
use crate::core::send::{self, FreeSend, IndividualSend};
use crate::core::{Actor, events, keys, lists, reminders};
use crate::i18n::{Describe, trf};
use crate::store::Store;
use crate::store::messages::{ListKind, MessageFilter};
use crate::tui::dates::parse_local_time;
use crate::tui::fmt::{Fmt, clean, thousands};
use crate::tui::jobs::Jobs;
use crate::tui::problem::Problem;
use crate::tui::tabs::{contacts_import, export};
use chrono::{DateTime, NaiveDateTime, Utc};

/// What a confirmation does when the operator says yes.
#[derive(Clone, Debug)]
pub enum Pending {
    /// Cancel these queued messages.
    CancelMessages { ids: Vec<i64> },
    /// Move a message (through the reminder rules when `tied` to an event) to the typed time.
    MoveMessage { id: i64, tied: bool },
    /// Cancel an event and its reminders.
    CancelEvent { id: i64 },
    /// Export the list to the typed path, as a job.
    Export {
        kind: ListKind,
        filter: Box<MessageFilter>,
    },
    /// Read and check the typed contacts file, as a job.
    ImportContacts,
    /// Queue an individual message.
    SendIndividual(Box<IndividualSend>),
    /// Queue a free send.
    SendFree(Box<FreeSend>),
    /// Queue a batch, less the unticked participants.
    SendBatch {
        input: Box<BatchInput>,
        unticked: Vec<i64>,
        at: Option<NaiveDateTime>,
    },
    /// Save these participants as a list named as typed; `saved` is the catalogue key of
    /// the sentence (it differs between the batch form and Contacts).
    SaveList { ids: Vec<i64>, saved: &'static str },
    /// Take these participants out of a list.
    RemoveFromList {
        list: i64,
        ids: Vec<i64>,
        name: String,
    },
    /// Rename a list as typed.
    RenameList { id: i64, old: String },
    /// Delete a list (its members stay).
    DeleteList { id: i64, name: String },
    /// Put a number on the STOP list.
    OptOut { mobile: String },
    /// Archive a contact (their history stays).
    /// Archive a contact (`archive`), or bring an archived one back.
    ArchiveContact {
        id: i64,
        name: String,
        archive: bool,
    },
    /// Remove an operator's SSH key.
    RemoveKey { login: String, fingerprint: String },
}

/// What a confirmed change did.
#[derive(Clone, Debug, Default)]
pub struct Done {
    /// The sentence for the status line.
    pub text: String,
    /// The list a `SaveList` created.
    pub list: Option<i64>,
}

impl From<String> for Done {
    fn from(text: String) -> Done {
        Done { text, list: None }
    }
}

/// The app's side of a confirmation: store, operator, clock, and where jobs report.
pub struct RunCtx<'a> {
    pub store: &'a mut Store,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
    pub fmt: Fmt,
    pub jobs: &'a Jobs,
}

impl Pending {
    /// Runs the change with the line the operator typed. `Err` is the refusal, shown in the
    /// window (which stays open to fix the typed line).
    pub fn run(&self, cx: RunCtx, typed: &str) -> Result<Done, Problem> {
        let RunCtx {
            store,
            actor,
            now,
            fmt,
            jobs,
        } = cx;
        let lang = fmt.lang;
        Ok(match self {
            Pending::CancelMessages { ids } => {
                let report = send::cancel(store, actor, ids, now)?;
                let mut done = trf(
                    lang,
                    "confirm.cancelled",
                    &[("n", &report.cancelled.len().to_string())],
                );
                if let Some((id, why)) = report.refused.first() {
                    done.push_str(&format!(
                        " · {}",
                        trf(
                            lang,
                            "confirm.refused",
                            &[
                                ("n", &report.refused.len().to_string()),
                                ("first", &format!("#{id} {}", clean(&why.describe(lang)))),
                            ]
                        )
                    ));
                }
                done.into()
            }
            Pending::MoveMessage { id, tied } => {
                let today = now.with_timezone(&fmt.tz).date_naive();
                let at = parse_local_time(typed, today).ok_or_else(|| Problem::bad_time(typed))?;
                let planned = if *tied {
                    reminders::edit_reminder_time(store, actor, *id, at, now)
                } else {
                    send::edit_message_time(store, actor, *id, at, now)
                }?;
                trf(
                    lang,
                    "confirm.moved",
                    &[
                        ("id", &id.to_string()),
                        ("at", &fmt.time(planned.timestamp())),
                    ],
                )
                .into()
            }
            Pending::CancelEvent { id } => {
                let r = events::cancel_event(store, actor, *id, now)?;
                trf(
                    lang,
                    "agenda.cancelled",
                    &[("n", &r.cancelled_messages.len().to_string())],
                )
                .into()
            }
            Pending::Export { kind, filter } => {
                export::start(jobs, store, *kind, (**filter).clone(), typed, lang)?.into()
            }
            Pending::ImportContacts => contacts_import::start(jobs, store, typed, lang)?.into(),
            Pending::SendIndividual(request) => {
                let ids = send::send_individual(store, actor, request, now)?;
                let id = ids.first().map(i64::to_string).unwrap_or_default();
                trf(lang, "contacts.sent", &[("id", &id)]).into()
            }
            Pending::SendFree(request) => {
                let (_, ids) = send::queue_free(store, actor, request, now)?;
                trf(lang, "free.queued", &[("n", &ids.len().to_string())]).into()
            }
            Pending::SendBatch {
                input,
                unticked,
                at,
            } => {
                let q = batch::queue_batch(store, actor, input, unticked, *at, now)?;
                trf(
                    lang,
                    "batch.queued",
                    &[
                        ("n", &q.message_ids.len().to_string()),
                        ("left", &q.left_out.len().to_string()),
                    ],
                )
                .into()
            }
            Pending::SaveList { ids, saved } => {
                let id = lists::create_list(store, actor, typed, ids, now)?;
                Done {
                    text: trf(
                        lang,
                        saved,
                        &[
                            ("name", &clean(typed.trim())),
                            ("n", &thousands(ids.len() as i64)),
                        ],
                    ),
                    list: Some(id),
                }
            }
            Pending::RemoveFromList { list, ids, name } => {
                let removed = lists::change_members(
                    store,
                    actor,
                    *list,
                    ids,
                    lists::Membership::Remove,
                    now,
                )?;
                trf(
                    lang,
                    "contacts.removed",
                    &[("n", &thousands(removed as i64)), ("name", name)],
                )
                .into()
            }
            Pending::RenameList { id, old } => {
                let new = lists::rename_list(store, actor, *id, typed, now)?;
                trf(
                    lang,
                    "contacts.renamed",
                    &[("old", old), ("name", &clean(&new))],
                )
                .into()
            }
            Pending::DeleteList { id, name } => {
                let had = lists::delete_list(store, actor, *id, now)?;
                trf(
                    lang,
                    "contacts.deleted",
                    &[("name", name), ("n", &thousands(had))],
                )
                .into()
            }
            Pending::OptOut { mobile } => {
                let e164 = send::record_opt_out(store, actor, mobile, now)?;
                trf(lang, "contacts.opted_out", &[("phone", &e164)]).into()
            }
            Pending::ArchiveContact { id, name, archive } => {
                crate::core::contacts::archive_contact(store, actor, *id, *archive, now)?;
                let done = if *archive {
                    "contacts.archived"
                } else {
                    "contacts.restored"
                };
                trf(lang, done, &[("name", name)]).into()
            }
            Pending::RemoveKey { login, fingerprint } => {
                let fp = keys::remove_key(store, actor, login, fingerprint, now)?;
                trf(
                    lang,
                    "users.key_removed",
                    &[("fingerprint", &fp), ("login", login)],
                )
                .into()
            }
        })
    }
}
