//! Sent and Upcoming: keyset-paged message lists with a filter bar, a detail popup, and in
//! Upcoming a selection to cancel and a time to edit.
//!
//! The filter bar takes words and `key:value` terms, in French or English:
//! `period:7d` (`période:7j`, `today`/`aujourdhui`, `yesterday`/`hier`, `week`/`semaine`,
//! `month`/`mois`, a day `25/03/2026`, a range `01/03..15/03`), `status:delivered,failed`
//! (`statut:délivré,échec` — names as shown in the list), `batch:yes|no` (`lot:oui|non`),
//! `context:interview` (`contexte:entretien`), `collab:Durand` (`collaborateur:`); quotes
//! group words (`collab:"Marie Durand"`). Everything else is searched in name, phone and text.

use super::lists::{
    Look, draw_paged, layout_paged, push_list_notes, title, toggle_pick, toggle_pick_all,
};
use super::message_edit::TextEdit;
use super::modal_outcome;
use super::{Act, Col, Ctx, Outcome, TabView, cell, move_pager, styled};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::ListAction;
use crate::sms::status::{MessageKind, MessageStatus};
use crate::store::Result;
use crate::store::messages::{self, ListKind, MessageFilter, MessageRow};
use crate::text::sanitize_multiline;
use crate::tui::filter_terms::{Reach, collaborator, folded, names, period, read_terms};
use crate::tui::fmt::{Fmt, clean, phone, thousands, truncate};
use crate::tui::jobs::{JobId, JobUpdate};
use crate::tui::pager::Pager;
use crate::tui::pending::Pending;
use crate::tui::problem::{Problem, TermProblem};
use crate::tui::queries::{MessagesSource, collaborator_names};
use crate::tui::widgets::ask::Answers;
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::form::{EditHints, form_hints, lost_in, modal_in};
use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::collections::BTreeSet;

/// Rows fetched per page: a little more than a tall screen.
const PAGE: usize = 60;

pub struct MessagesTab {
    pager: Pager<MessagesSource>,
    height: usize,
    /// The filter bar's text as typed (the parsed form is in the pager's source).
    filter_text: String,
    /// The count of what the filter matches: the job counting, then its figure.
    counted: (Option<JobId>, Option<i64>),
    /// Upcoming: ids of the selected messages (Space, select all).
    picked: BTreeSet<i64>,
    /// The last export of this list (running or finished).
    export: super::export::ExportJob,
    /// Upcoming: the text of one message being rewritten.
    text_edit: Option<TextEdit>,
    /// One batch opened from its history, until Esc.
    scope: Option<Scope>,
    lang: Lang,
}

/// A list narrowed to one batch or free send: what the title says, and the list as it was
/// before, given back when the operator leaves.
struct Scope {
    /// `batch « Réunion avril »`, in the interface language.
    label: String,
    /// What the scoped list holds (`all its messages`, `not yet sent`).
    note: &'static str,
    before: (ListKind, MessageFilter, String),
}

impl MessagesTab {
    pub fn new(kind: ListKind) -> Self {
        MessagesTab {
            pager: Pager::new(
                MessagesSource {
                    kind,
                    filter: MessageFilter::default(),
                },
                PAGE,
            ),
            height: 10,
            filter_text: String::new(),
            counted: (None, None),
            picked: BTreeSet::new(),
            export: super::export::ExportJob::default(),
            text_edit: None,
            scope: None,
            lang: Lang::En,
        }
    }

    fn kind(&self) -> ListKind {
        self.pager.source.kind
    }

    fn columns(&self, ctx: &Ctx) -> Vec<Col> {
        let sent = self.kind() != ListKind::Upcoming;
        let mut cols = Vec::new();
        if !sent {
            cols.push(Col::new("", 1, 0));
        }
        // One batch's messages are not all sent: the planned time, which every one has, goes
        // first there.
        let (planned, sent_at) = match self.kind() {
            ListKind::Sent => (5, 0),
            ListKind::Upcoming => (0, 0),
            ListKind::Batch => (0, 5),
        };
        cols.push(Col::new(ctx.tr("col.planned"), 11, planned));
        if sent {
            cols.push(Col::new(ctx.tr("col.sent"), 11, sent_at));
        }
        cols.extend([
            Col::new(ctx.tr("col.recipient"), 15, 1),
            Col::new(ctx.tr("col.phone"), 17, 4),
            Col::new(ctx.tr("col.context"), 10, 6),
            Col::new(ctx.tr("col.collaborator"), 14, 7),
            // Who programmed it (Viesion's "programmé par"), beside the event's counsellor.
            Col::new(ctx.tr("col.programmed_by"), 13, 7),
            Col::fill(ctx.tr("col.text"), 16, 3),
            // A reply came: a mark beside the text at every width, the reply itself at the
            // end when there is room.
            Col::new(ctx.tr("col.replied"), 1, 2).folding_blank(),
            Col::new(ctx.tr("col.segments"), 3, 8),
            Col::new(ctx.tr("col.status"), 17, 2).folding(),
            Col::new(ctx.tr("col.reply"), 10, 9).folding(),
        ]);
        cols
    }

    fn cells(&self, row: &MessageRow, ctx: &Ctx) -> Vec<super::Cell> {
        let sent = self.kind() != ListKind::Upcoming;
        let mut out = Vec::new();
        if !sent {
            let mark = if self.picked.contains(&row.id) {
                "✓"
            } else {
                ""
            };
            out.push(styled(mark, ctx.theme.ok()));
        }
        out.push(cell(ctx.fmt.time(row.planned_at)));
        if sent {
            out.push(cell(
                row.sent_at
                    .or(row.listed_at)
                    .map(|t| ctx.fmt.time(t))
                    .unwrap_or_default(),
            ));
        }
        // A message that is due but held back says why instead of "not yet sent".
        let status = match (row.status, row.wait_reason) {
            (MessageStatus::Pending, Some(reason)) => reason.label(ctx.lang()),
            (status, _) => status.describe(ctx.lang()),
        };
        out.extend([
            cell(clean(&row.recipient_name)),
            cell(phone(&row.phone, ctx.region)),
            cell(ctx.fmt.context(&row.context)),
            cell(clean(&row.collaborator)),
            cell(clean(&row.created_by)),
            cell(clean(&row.text)),
            cell(if row.reply.is_some() {
                ctx.tr("col.replied")
            } else {
                ""
            }),
            cell(row.segments.to_string()),
            styled(status, ctx.theme.status(row.status)),
            cell(row.reply.as_deref().map(clean).unwrap_or_default()),
        ]);
        out
    }

    /// The detail popup: everything about one message, then its status history.
    fn detail(&self, id: i64, ctx: &Ctx) -> Result<Outcome> {
        let m = messages::get(ctx.conn, id)?;
        let history = messages::history(ctx.conn, id)?;
        let label = |key: &str| Span::styled(ctx.label(key), ctx.theme.title());
        let mut lines: Vec<Line<'static>> = Vec::new();
        let name = if m.recipient_name.is_empty() {
            "—".to_string()
        } else {
            clean(&m.recipient_name)
        };
        lines.push(Line::from(vec![
            label("col.recipient"),
            Span::raw(format!("{name} · {}", phone(&m.phone, ctx.region))),
        ]));
        lines.push(Line::from(vec![
            label("col.context"),
            Span::raw(format!(
                "{} · {}",
                ctx.fmt.context(&m.context),
                m.kind.describe(ctx.lang())
            )),
        ]));
        if !m.collaborator.is_empty() {
            lines.push(Line::from(vec![
                label("col.collaborator"),
                Span::raw(clean(&m.collaborator)),
            ]));
        }
        lines.push(Line::from(vec![
            label("detail.created_by"),
            Span::raw(clean(&m.created_by)),
        ]));
        lines.push(Line::from(vec![
            label("col.planned"),
            Span::raw(ctx.fmt.date_time(m.planned_at)),
        ]));
        if let Some(t) = m.sent_at {
            lines.push(Line::from(vec![
                label("col.sent"),
                Span::raw(ctx.fmt.date_time(t)),
            ]));
        }
        lines.push(Line::from(vec![
            label("col.status"),
            Span::styled(m.status.describe(ctx.lang()), ctx.theme.status(m.status)),
            Span::raw(format!(" · {} {}", m.segments, ctx.tr("detail.segments"))),
        ]));
        if let Some(error) = &m.last_error {
            lines.push(Line::from(vec![
                label("detail.last_error"),
                Span::raw(clean(&error.describe(ctx.lang()))),
            ]));
        }
        if let Some(event_id) = m.event_id {
            match crate::store::events::get(ctx.conn, event_id) {
                Ok(e) => lines.push(Line::from(vec![
                    label("detail.event"),
                    Span::raw(format!(
                        "{} {} · {} {}",
                        e.kind.describe(ctx.lang()),
                        clean(&e.event_type),
                        ctx.fmt.day(e.starts_at),
                        ctx.fmt.hour(e.starts_at)
                    )),
                ])),
                Err(e) => lines.push(Line::from(Span::styled(
                    clean(&e.describe(ctx.lang())),
                    ctx.theme.error(),
                ))),
            }
        }
        lines.push(Line::from(""));
        lines.push(Line::from(label("col.text")));
        for l in sanitize_multiline(&m.text).lines() {
            lines.push(Line::from(format!("  {l}")));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(label("detail.history")));
        lines.extend(history_lines(&history, ctx));
        lines.push(Line::from(""));
        // The reply, control characters neutralised, with when it came.
        let mut reply = vec![
            label("col.reply"),
            Span::raw(
                m.reply
                    .as_deref()
                    .map(clean)
                    .unwrap_or_else(|| "—".to_string()),
            ),
        ];
        if let Some(at) = m.reply_at {
            reply.push(Span::styled(
                format!(
                    " · {}",
                    trf(
                        ctx.lang(),
                        "detail.reply_at",
                        &[("at", &ctx.fmt.full_time(at))]
                    )
                ),
                ctx.theme.dim(),
            ));
        }
        lines.push(Line::from(reply));
        let title = format!("{} #{}", ctx.tr("detail.title"), m.id);
        Ok(Outcome::Detail(
            title,
            lines,
            super::Links {
                event: m.event_id,
                contact: m.participant_id,
                new_contact: false,
            },
        ))
    }
}

/// A message's status changes, one line each: when, status, who, what was said.
pub(super) fn history_lines(
    history: &[crate::store::messages::HistoryEntry],
    ctx: &Ctx,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for h in history {
        let mut spans = vec![
            Span::raw(format!("  {}  ", ctx.fmt.full_time(h.at))),
            Span::styled(h.status.describe(ctx.lang()), ctx.theme.status(h.status)),
        ];
        if !h.actor.is_empty() {
            spans.push(Span::styled(
                format!("  {}", ctx.fmt.actor(&h.actor)),
                ctx.theme.dim(),
            ));
        }
        if let Some(note) = &h.note {
            spans.push(Span::raw(format!(
                "  {}",
                clean(&note.describe(ctx.lang()))
            )));
        }
        lines.push(Line::from(spans));
    }
    lines
}

impl MessagesTab {
    /// The text editor's save key: saved, it closes and the list shows the new text.
    fn save_text(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(edit) = &mut self.text_edit else {
            return Ok(Outcome::Handled);
        };
        let outcome = edit.save(act);
        if matches!(outcome, Outcome::Info(_)) {
            self.text_edit = None;
            self.pager.refresh(act.store.db())?;
        }
        Ok(outcome)
    }

    /// "Cancel N messages?" for the selection; for the row under the cursor when nothing is
    /// selected, naming it (recipient, time, start of the text) so that the operator sees
    /// which one goes. Enter keeps the messages: only `y` / `o` cancels.
    fn ask_cancel(&self, ctx: &Ctx) -> Outcome {
        let lang = ctx.lang();
        let (ids, mut lines, answers) = if self.picked.is_empty() {
            let Some(row) = self.pager.selected() else {
                return Outcome::Handled;
            };
            let answers = Answers::new(lang, "confirm.keep_it", "confirm.cancel_it");
            (vec![row.id], one_message_lines(row, ctx), answers)
        } else {
            let n = thousands(self.picked.len() as i64);
            let question = trf(lang, "confirm.cancel_question", &[("n", &n)]);
            let answers = Answers::new(lang, "confirm.keep_them", "confirm.cancel_them");
            (
                self.picked.iter().copied().collect(),
                vec![Line::from(question)],
                answers,
            )
        };
        lines.push(ctx.dim_line("confirm.cancel_reminders"));
        Outcome::Confirm(
            Confirm::new(
                ctx.tr("confirm.cancel_title").to_string(),
                lines,
                Pending::CancelMessages { ids },
            )
            .destructive(answers),
        )
    }
}

/// The one message `x` would cancel: to whom, when, and the start of its text.
fn one_message_lines(row: &MessageRow, ctx: &Ctx) -> Vec<Line<'static>> {
    let number = phone(&row.phone, ctx.region);
    let name = clean(&row.recipient_name);
    let who = if name.trim().is_empty() {
        number
    } else {
        format!("{name} ({number})")
    };
    let at = format!(
        "{} {}",
        ctx.fmt.day(row.planned_at),
        ctx.fmt.hour(row.planned_at)
    );
    let text = clean(&sanitize_multiline(&row.text).replace('\n', " "));
    vec![
        Line::from(trf(
            ctx.lang(),
            "confirm.cancel_one",
            &[("who", &who), ("at", &at)],
        )),
        Line::from(Span::styled(
            trf(
                ctx.lang(),
                "confirm.quoted",
                &[("text", &truncate(&text, 60))],
            ),
            ctx.theme.dim(),
        )),
    ]
}

/// "Move message #N to…" with the planned local time prefilled; reminders move through the
/// reminder rules (not after their event), other messages through the window rules.
fn ask_time(row: &MessageRow, ctx: &Ctx) -> Outcome {
    let lang = ctx.lang();
    let fmt = ctx.fmt;
    let id = row.id;
    let tied = row.kind.is_tied_to_event();
    let initial = fmt.date_time(row.planned_at);
    let lines = vec![
        Line::from(format!(
            "#{id} · {} · {}",
            clean(&row.recipient_name),
            phone(&row.phone, ctx.region)
        )),
        ctx.dim_line("confirm.time_help"),
    ];
    Outcome::Confirm(
        Confirm::new(
            tr(lang, "confirm.time_title").to_string(),
            lines,
            Pending::MoveMessage { id, tied },
        )
        .with_input(tr(lang, "confirm.time_label").to_string(), initial),
    )
}

/// Upcoming's footer: narrowed to one batch, from the way back to the export; else from
/// opening to paging.
const UPCOMING_HINTS: [ListAction; 10] = [
    ListAction::Back,
    ListAction::Open,
    ListAction::Select,
    ListAction::SelectAll,
    ListAction::CancelSelected,
    ListAction::Edit,
    ListAction::Filter,
    ListAction::EditText,
    ListAction::Export,
    ListAction::PageDown,
];

const CONTEXTS: [&str; 6] = [
    "interview",
    "step",
    "orientation",
    "batch",
    "free",
    "individual",
];

/// Sent (and one batch's messages, mostly sent) looks back from now, Upcoming ahead.
fn reach_of(kind: ListKind) -> Reach {
    match kind {
        ListKind::Sent | ListKind::Batch => Reach::Back,
        ListKind::Upcoming => Reach::Ahead,
    }
}

/// Turns the filter bar's text into a [`MessageFilter`], or says which term is wrong.
pub fn parse_filter(
    text: &str,
    kind: ListKind,
    fmt: &Fmt,
    now: DateTime<Utc>,
    collaborators: &std::collections::HashMap<i64, String>,
) -> std::result::Result<MessageFilter, Problem> {
    let mut f = MessageFilter::default();
    f.text = read_terms(text, |key, value, bad| {
        match key {
            "PERIOD" | "PERIODE" | "DATE" => {
                let (from, to) = period(value, reach_of(kind), fmt, now)
                    .ok_or_else(|| bad(TermProblem::Period))?;
                f.from = from;
                f.to = to;
            }
            "STATUS" | "STATUT" | "STATUSES" | "STATUTS" => {
                for v in value.split(',').filter(|v| !v.trim().is_empty()) {
                    let s = MessageStatus::ALL
                        .iter()
                        .find(|s| names("status", s.as_str(), v))
                        .ok_or_else(|| bad(TermProblem::Status))?;
                    if !f.statuses.contains(s) {
                        f.statuses.push(*s);
                    }
                }
            }
            "BATCH" | "LOT" | "GROUPE" => {
                f.batch = match folded(value).as_str() {
                    "YES" | "OUI" | "Y" | "O" | "1" => Some(true),
                    "NO" | "NON" | "N" | "0" => Some(false),
                    _ => return Err(bad(TermProblem::YesNo)),
                }
            }
            "CONTEXT" | "CONTEXTE" => {
                let c = CONTEXTS
                    .iter()
                    .find(|c| names("kind", c, value))
                    .ok_or_else(|| bad(TermProblem::Context))?;
                f.context = Some((*c).to_string());
            }
            "COLLAB" | "COLLABORATOR" | "COLLABORATEUR" | "COLLABORATRICE" => {
                f.collaborator_id = Some(collaborator(value, collaborators).map_err(bad)?);
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(f)
}

impl TabView for MessagesTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.pager.refresh(ctx.conn)
    }

    fn on_job(&mut self, id: JobId, update: JobUpdate, _act: &mut Act) -> Result<Outcome> {
        if let JobUpdate::Counted(n) = update {
            if self.counted.0 == Some(id) {
                self.counted = (None, n.ok());
            }
            return Ok(Outcome::Handled);
        }
        Ok(if self.export.update(update) {
            Outcome::Handled
        } else {
            Outcome::Ignored
        })
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        if action != ListAction::EditText || self.kind() != ListKind::Upcoming {
            return Ok(Outcome::Ignored);
        }
        let Some(row) = self.pager.selected().cloned() else {
            return Ok(Outcome::Handled);
        };
        Ok(match TextEdit::open(&row, act)? {
            Ok(edit) => {
                self.text_edit = Some(edit);
                Outcome::Handled
            }
            Err(why) => Outcome::Error(why.describe(act.lang())),
        })
    }

    fn editing(&self) -> bool {
        self.text_edit.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let asked = modal_in(&mut self.text_edit, |e| &mut e.form, key, act.keymap);
        modal_outcome(asked, || self.save_text(act)).unwrap_or(Ok(Outcome::Ignored))
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some(edit) = &mut self.text_edit {
            edit.form.paste(text);
        }
    }

    fn edit_hints(&self) -> EditHints {
        form_hints(self.text_edit.as_ref().map(|e| &e.form), self.lang)
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        lost_in([self.text_edit.as_ref().map(|e| &e.form)], lang)
    }

    fn action(&mut self, action: ListAction, ctx: &Ctx) -> Result<Outcome> {
        if let Some(done) = move_pager(&mut self.pager, action, ctx.conn, self.height)? {
            return Ok(done);
        }
        Ok(match action {
            ListAction::Back if self.scope.is_some() => {
                self.show_batch(None, ctx)?;
                Outcome::Back
            }
            ListAction::Open => match self.pager.selected().map(|r| r.id) {
                Some(id) => self.detail(id, ctx)?,
                None => Outcome::Handled,
            },
            ListAction::Filter => Outcome::EditFilter,
            ListAction::Select if self.kind() == ListKind::Upcoming => {
                toggle_pick(&mut self.pager, &mut self.picked, ctx.conn)?;
                Outcome::Handled
            }
            ListAction::SelectAll if self.kind() == ListKind::Upcoming => {
                toggle_pick_all(&self.pager.source, &mut self.picked, ctx.conn)?;
                Outcome::Handled
            }
            ListAction::CancelSelected if self.kind() == ListKind::Upcoming => self.ask_cancel(ctx),
            ListAction::Edit if self.kind() == ListKind::Upcoming => match self.pager.selected() {
                Some(row) => ask_time(row, ctx),
                None => Outcome::Handled,
            },
            ListAction::Select
            | ListAction::SelectAll
            | ListAction::CancelSelected
            | ListAction::Edit
            | ListAction::EditText => Outcome::Ignored,
            ListAction::Export if self.export.running() => {
                Outcome::Error(ctx.tr("export.busy").to_string())
            }
            ListAction::Export => {
                self.export = super::export::ExportJob::default();
                Outcome::Confirm(super::export::ask(
                    self.kind(),
                    self.pager.source.filter.clone(),
                    &self.filter_text,
                    self.scope.as_ref().map(|s| s.label.as_str()),
                    ctx,
                ))
            }
            _ => Outcome::Ignored,
        })
    }

    fn after_change(&mut self, ctx: &Ctx) -> Result<()> {
        self.picked.clear();
        self.pager.refresh(ctx.conn).map(|_| ())
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = ctx.lang();
        self.height = layout_paged(area, &mut self.pager);
        if let Some(edit) = &mut self.text_edit {
            edit.form.layout(area, ctx.theme);
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let title_key = if self.kind() == ListKind::Upcoming {
            "tab.upcoming"
        } else {
            "tab.sent"
        };
        let mut left = vec![title(ctx, title_key)];
        if let Some(scope) = &self.scope {
            left.push(Span::styled(
                format!(" › {} · {}", scope.label, ctx.tr(scope.note)),
                ctx.theme.title(),
            ));
        }
        push_list_notes(
            &mut left,
            ctx,
            &self.filter_text,
            self.picked.len(),
            self.export.note(ctx.lang()),
        );
        if let Some(n) = self.counted.1.filter(|_| !self.filter_text.is_empty()) {
            left.push(Span::styled(
                format!(
                    "  {}",
                    trf(ctx.lang(), "ui.filter_count", &[("n", &thousands(n))])
                ),
                ctx.theme.dim(),
            ));
        }
        let cols = self.columns(ctx);
        let key = if self.kind() == ListKind::Upcoming {
            "start.empty_upcoming"
        } else {
            "start.empty_sent"
        };
        let keys = [
            ("contacts", crate::keymap::GlobalAction::TabContacts.into()),
            ("new", ListAction::New.into()),
            ("batch", crate::keymap::GlobalAction::TabBatch.into()),
        ];
        let unfiltered = self.filter_text.is_empty() && self.scope.is_none();
        let empty = unfiltered.then(|| ctx.with_keys(key, &keys));
        let look = Look::new(left, empty, &cols);
        draw_paged(frame, area, ctx, &self.pager, look, |_, r, _| {
            self.cells(r, ctx)
        });
        if let Some(edit) = &self.text_edit {
            edit.form.draw(frame, area, ctx.theme, ctx.lang());
        }
    }

    fn hint_label(&self, action: ListAction) -> Option<&'static str> {
        match action {
            ListAction::CancelSelected => Some("hint.upcoming_cancel"),
            ListAction::Edit => Some("hint.upcoming_time"),
            _ => None,
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        let scoped = self.scope.is_some();
        match (self.kind(), scoped) {
            // Narrowed to one batch, the way back comes first.
            (ListKind::Upcoming, true) => &UPCOMING_HINTS[..UPCOMING_HINTS.len() - 1],
            (ListKind::Upcoming, false) => &UPCOMING_HINTS[1..],
            (_, true) => &[
                ListAction::Back,
                ListAction::Open,
                ListAction::Filter,
                ListAction::Export,
                ListAction::PageDown,
                ListAction::First,
            ],
            (_, false) => &[
                ListAction::Open,
                ListAction::Filter,
                ListAction::Export,
                ListAction::PageDown,
                ListAction::PageUp,
                ListAction::First,
                ListAction::Last,
            ],
        }
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.filter_text)
    }

    fn count_filtered(&mut self, act: &mut Act) {
        self.counted = (None, None);
        if self.filter_text.is_empty() {
            return;
        }
        let db = act.store.path().to_path_buf();
        let kind = self.kind();
        let filter = self.pager.source.filter.clone();
        let job = act.jobs.spawn(move |_| {
            JobUpdate::Counted(
                crate::store::Store::open(&db)
                    .and_then(|s| crate::store::messages::count(s.db(), kind, &filter))
                    .map_err(Problem::from),
            )
        });
        self.counted.0 = Some(job);
    }

    /// Parses the filter bar; a term it does not understand leaves the list as it was and
    /// says which term and why. A new filter forgets the selection (it may hide picked rows).
    fn set_filter(&mut self, text: &str, ctx: &Ctx) -> std::result::Result<(), Problem> {
        let text = text.trim();
        let names = collaborator_names(ctx.conn)?;
        let mut filter = parse_filter(text, self.kind(), &ctx.fmt, ctx.now, &names)?;
        filter.batch_id = self.pager.source.filter.batch_id;
        self.pager.source.filter = filter;
        self.filter_text = text.to_string();
        self.picked.clear();
        self.pager.reset();
        Ok(self.pager.first(ctx.conn)?)
    }

    /// A batch opened from its history: Sent shows every message of it whatever its status,
    /// Upcoming those not sent yet; the filter bar starts empty and the title names the
    /// batch. `None` gives back the list as it was before.
    fn show_batch(&mut self, batch: Option<i64>, ctx: &Ctx) -> Result<()> {
        match batch {
            Some(id) => {
                let (kind, name) = crate::store::batches::kind_and_name(ctx.conn, id)?;
                let what = if MessageKind::parse(&kind) == Some(MessageKind::Free) {
                    "send.scope_free"
                } else {
                    "send.scope_batch"
                };
                let label = trf(ctx.lang(), what, &[("name", &truncate(&clean(&name), 24))]);
                let before = match self.scope.take() {
                    // Opening another batch from a scoped list still goes back to the list.
                    Some(scope) => scope.before,
                    None => (
                        self.kind(),
                        std::mem::take(&mut self.pager.source.filter),
                        std::mem::take(&mut self.filter_text),
                    ),
                };
                let upcoming = before.0 == ListKind::Upcoming;
                self.scope = Some(Scope {
                    label,
                    note: if upcoming {
                        "send.scope_pending"
                    } else {
                        "send.scope_all"
                    },
                    before,
                });
                self.pager.source.kind = if upcoming {
                    ListKind::Upcoming
                } else {
                    ListKind::Batch
                };
                self.pager.source.filter = MessageFilter {
                    batch_id: Some(id),
                    ..MessageFilter::default()
                };
                self.filter_text.clear();
            }
            None => {
                let Some(scope) = self.scope.take() else {
                    return Ok(());
                };
                let (kind, filter, text) = scope.before;
                self.pager.source.kind = kind;
                self.pager.source.filter = filter;
                self.filter_text = text;
            }
        }
        self.picked.clear();
        self.pager.reset();
        self.pager.first(ctx.conn)
    }

    fn loaded_rows(&self) -> usize {
        self.pager.rows().len()
    }

    fn new_above(&self) -> usize {
        self.pager.new_above()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::dates::parse_local_time;
    use chrono::NaiveDate;
    use chrono::{Duration, TimeZone};
    use std::collections::HashMap;

    fn fmt(lang: Lang) -> Fmt {
        Fmt {
            lang,
            tz: chrono_tz::Europe::Paris,
            year: 2026,
        }
    }

    /// Monday 30 March 2026, 10:00 in Paris (the day after the change to summer time).
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 30, 8, 0, 0).unwrap()
    }

    fn collabs() -> HashMap<i64, String> {
        HashMap::from([
            (1, "Claire Durand".to_string()),
            (2, "Marc Durand".to_string()),
            (3, "Marc Petit".to_string()),
        ])
    }

    fn parse(text: &str, kind: ListKind) -> std::result::Result<MessageFilter, Problem> {
        parse_filter(text, kind, &fmt(Lang::En), now(), &collabs())
    }

    #[test]
    fn free_words_search_and_terms_filter() {
        let f = parse("Dupont status:delivered,échec batch:no", ListKind::Sent).unwrap();
        assert_eq!(f.text.as_deref(), Some("Dupont"));
        assert_eq!(
            f.statuses,
            vec![MessageStatus::Delivered, MessageStatus::Failed]
        );
        assert_eq!(f.batch, Some(false));
        let f = parse("lot:oui contexte:entretien", ListKind::Sent).unwrap();
        assert_eq!(f.batch, Some(true));
        assert_eq!(f.context.as_deref(), Some("interview"));
        // Translated labels with spaces, accents and case ignored.
        let f = parse("statut:\"non délivré\",stop", ListKind::Sent).unwrap();
        assert_eq!(
            f.statuses,
            vec![MessageStatus::NotDelivered, MessageStatus::Stop]
        );
        // A colon that is not a known term stays in the search (a time, a link).
        let f = parse("rdv 14:30", ListKind::Sent).unwrap();
        assert_eq!(f.text.as_deref(), Some("rdv 14:30"));
    }

    #[test]
    fn a_day_is_local_midnight_to_midnight_across_daylight_saving() {
        // Sunday 29 March 2026 is 23 hours long in Paris.
        let f = parse("period:29/03/2026", ListKind::Sent).unwrap();
        let from = Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 3, 29, 22, 0, 0).unwrap();
        assert_eq!(
            (f.from, f.to),
            (Some(from.timestamp()), Some(to.timestamp()))
        );
        let f = parse("période:hier", ListKind::Sent).unwrap();
        assert_eq!(
            (f.from, f.to),
            (Some(from.timestamp()), Some(to.timestamp()))
        );
        // A range includes its last day.
        let f = parse("period:28/03..29/03", ListKind::Sent).unwrap();
        assert_eq!(f.to, Some(to.timestamp()));
    }

    #[test]
    fn lengths_look_back_in_sent_and_ahead_in_upcoming() {
        let week = Duration::days(7);
        let f = parse("period:7d", ListKind::Sent).unwrap();
        assert_eq!((f.from, f.to), (Some((now() - week).timestamp()), None));
        let f = parse("periode:7j", ListKind::Upcoming).unwrap();
        assert_eq!((f.from, f.to), (None, Some((now() + week).timestamp())));
    }

    #[test]
    fn collaborators_are_found_by_a_unique_part_of_their_name() {
        assert_eq!(
            parse("collab:petit", ListKind::Sent)
                .unwrap()
                .collaborator_id,
            Some(3)
        );
        assert_eq!(
            parse("collab:\"Claire Durand\"", ListKind::Sent)
                .unwrap()
                .collaborator_id,
            Some(1)
        );
        let e = parse("collab:durand", ListKind::Sent)
            .unwrap_err()
            .describe(Lang::Fr);
        assert!(
            e.contains("« collab:durand »")
                && e.contains(
                    "plusieurs collaborateurs correspondent : Claire Durand, Marc Durand"
                ),
            "{e}"
        );
        assert!(parse("collab:nobody", ListKind::Sent).is_err());
    }

    #[test]
    fn wrong_terms_say_which_term() {
        for bad in [
            "status:lost",
            "batch:maybe",
            "period:someday",
            "context:party",
        ] {
            let e = parse(bad, ListKind::Sent).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn typed_times() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 30).unwrap();
        let at = |y, m, d, h, min| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap()
        };
        let cases = [
            ("31/03/2026 14:30", Some(at(2026, 3, 31, 14, 30))),
            ("14h30", Some(at(2026, 3, 30, 14, 30))),
            ("9h", Some(at(2026, 3, 30, 9, 0))),
            ("2026-04-02 09:00", Some(at(2026, 4, 2, 9, 0))),
            // A day already past this year is next year's.
            ("02/01 09:00", Some(at(2027, 1, 2, 9, 0))),
            ("31/02/2026 09:00", None),
            ("demain", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_local_time(text, today), want, "{text}");
        }
    }
}
