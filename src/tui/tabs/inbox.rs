//! Inbox: every reply, newest first (`t`: the review list alone). Enter opens the
//! conversation with the number at its latest message; `r` answers it in the composer (to the
//! number that wrote, under the individual rights and the templates-only rule); `m` settles a
//! reply under review with one of the outcomes of its template's keywords (an administrator
//! may type another); a number nobody in the store has is shown as such, and the new-contact
//! key (`N`, in the list or its conversation) opens the contact form with that number.

use super::contact_edit::{ContactEditor, Saving, created_text};
use super::individual::{IndividualForm, may_send};
use super::lists::{Look, PAGE, draw_paged, layout_paged, title};
use super::modal_outcome;
use super::{Act, Col, Ctx, Outcome, TabView, cell, move_pager, styled};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::ListAction;
use crate::sms::status::ReplyState;
use crate::store::replies::ReplyRow;
use crate::store::{Result, screens};
use crate::tui::fmt::{clean, phone};
use crate::tui::pager::Pager;
use crate::tui::queries::RepliesSource;
use crate::tui::widgets::form::{EditHints, Form, FormField, lost_in, modal_in};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The reply being settled and the form choosing its outcome.
struct Settle {
    id: i64,
    form: Form,
}

pub struct InboxTab {
    pager: Pager<RepliesSource>,
    height: usize,
    /// The answer being written to the selected reply's number.
    reply: Option<IndividualForm>,
    /// The outcome being chosen for a reply under review.
    settle: Option<Settle>,
    /// The contact being created for the selected reply's unknown number.
    create: Option<ContactEditor>,
    /// Whether the operator may answer (individual instant or scheduled right), as the last
    /// refresh or layout read it: the `r` hint is shown only then.
    may_answer: bool,
    lang: Lang,
}

impl Default for InboxTab {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether nobody in the store has the number that wrote.
fn unknown(r: &ReplyRow) -> bool {
    r.participant_name.trim().is_empty()
}

/// Who wrote, as the list and the conversation name them: the participant with this number,
/// else "unknown number".
fn sender(r: &ReplyRow, lang: Lang) -> String {
    if unknown(r) {
        tr(lang, "inbox.unknown_number").to_string()
    } else {
        clean(r.participant_name.trim())
    }
}

impl InboxTab {
    pub fn new() -> Self {
        InboxTab {
            pager: Pager::new(RepliesSource { state: None }, PAGE),
            height: 10,
            reply: None,
            settle: None,
            create: None,
            may_answer: false,
            lang: Lang::En,
        }
    }

    /// The conversation with one number: every message sent to it and every reply from it,
    /// in time order (through the per-phone indexes), opened at the latest one.
    fn conversation(&self, ctx: &Ctx) -> Result<Outcome> {
        let Some(r) = self.pager.selected() else {
            return Ok(Outcome::Handled);
        };
        let phone_e164 = r.from_phone.clone();
        let mut items: Vec<(i64, bool, String, String)> = Vec::new();
        for (at, text, status) in screens::sent_to(ctx.conn, &phone_e164)? {
            items.push((at, true, text, status.describe(ctx.lang())));
        }
        for (at, text, state, outcome) in screens::replies_from(ctx.conn, &phone_e164)? {
            let note = if outcome.is_empty() {
                state.describe(ctx.lang())
            } else {
                format!("{} · {}", state.describe(ctx.lang()), clean(&outcome))
            };
            items.push((at, false, text, note));
        }
        items.sort_by_key(|i| i.0);
        let mut lines: Vec<Line<'static>> = Vec::new();
        for (at, outgoing, text, note) in items {
            let (arrow, style) = if outgoing {
                ("→", ctx.theme.dim())
            } else {
                ("←", ctx.theme.title())
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{arrow} {}  ", ctx.fmt.time(at)), style),
                Span::styled(note, ctx.theme.dim()),
            ]));
            for l in crate::text::sanitize_multiline(&text).lines() {
                lines.push(Line::from(format!("   {l}")));
            }
        }
        let name = format!(
            "{} · {}",
            sender(r, ctx.lang()),
            phone(&r.from_phone, ctx.region)
        );
        Ok(Outcome::PopupAtEnd(
            name,
            lines,
            super::Links {
                new_contact: unknown(r),
                ..Default::default()
            },
        ))
    }

    /// `r`: the composer, addressed to the number that wrote (its participant when the store
    /// has one).
    fn open_reply(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(r) = self.pager.selected() else {
            return Ok(Outcome::Handled);
        };
        let mobile = r.from_phone.clone();
        // A number that said STOP, or whose contact did not consent, is refused before
        // anything is typed (the core checks again when the answer is queued).
        let to = match crate::core::outbox::check_e164(act.store.db(), &mobile) {
            Ok(to) => to,
            Err(e) => return Ok(Outcome::Error(e.describe(act.lang()))),
        };
        let title = "inbox.reply_title";
        IndividualForm::open_in(
            &mut self.reply,
            act,
            &mobile,
            to.participant_id,
            &to.name,
            title,
        )
    }

    /// `m`: settling a reply of the review list. The outcome is picked among the keyword
    /// outcomes of the template the reply answers; an administrator may also type one.
    fn open_settle(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(r) = self.pager.selected() else {
            return Ok(Outcome::Handled);
        };
        let lang = act.lang();
        if r.state != ReplyState::Review {
            return Ok(Outcome::Error(tr(lang, "inbox.not_review").to_string()));
        }
        let admin = act.actor.rights.admin;
        let keywords = crate::store::replies::keyword_outcomes(act.store.db(), r.id)?;
        if keywords.is_empty() && !admin {
            return Ok(Outcome::Error(tr(lang, "inbox.no_keywords").to_string()));
        }
        let mut options: Vec<(String, String)> = Vec::new();
        for (keyword, outcome) in &keywords {
            if !options.iter().any(|(o, _)| o == outcome) {
                options.push((outcome.clone(), clean(&format!("{keyword} → {outcome}"))));
            }
        }
        let first = options.first().map(|o| o.0.clone()).unwrap_or_default();
        let help = match (admin, options.is_empty()) {
            (true, true) => "inbox.outcome_help_typed",
            (true, false) => "inbox.outcome_help_admin",
            (false, _) => "inbox.outcome_help",
        };
        let reason = r
            .review_reason
            .as_ref()
            .map(|why| clean(&why.describe(lang)))
            .unwrap_or_default();
        let fields = vec![
            FormField::choice("outcome", tr(lang, "col.outcome"), &first, options, admin)
                .with_help(tr(lang, help)),
            FormField::info("text", tr(lang, "inbox.reply_text"), &clean(&r.text)),
            FormField::info("reason", tr(lang, "inbox.reason"), &reason),
        ];
        let form = Form::new(tr(lang, "inbox.resolve_title"), fields);
        self.settle = Some(Settle { id: r.id, form });
        Ok(Outcome::Handled)
    }

    /// The outcome form saved: set through the core (which checks it is one of the
    /// template's, or that an administrator typed it, and audits it).
    fn save_settle(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(settle) = &mut self.settle else {
            return Ok(Outcome::Handled);
        };
        let outcome = settle.form.value("outcome").trim().to_string();
        match crate::core::replies::resolve(act.store, act.actor, settle.id, &outcome, act.now) {
            Ok(()) => {
                self.settle = None;
                self.pager.refresh(act.store.db())?;
                Ok(Outcome::Info(trf(
                    act.lang(),
                    "inbox.resolved",
                    &[("outcome", &clean(&outcome))],
                )))
            }
            Err(e) => {
                settle.form.message = Some(e.describe(act.lang()));
                Ok(Outcome::Handled)
            }
        }
    }

    /// `N` on a reply from an unknown number: the contact form, with that number as mobile.
    fn open_contact(&mut self, act: &mut Act) -> Outcome {
        match self.pager.selected() {
            Some(r) if unknown(r) => {
                let ed = ContactEditor::for_number(&act.fmt, &r.from_phone, act.region);
                self.create = Some(ed);
                Outcome::Handled
            }
            _ => Outcome::Ignored,
        }
    }

    /// The contact form saved: created through the core (checked and audited there); the
    /// row then shows the contact's name.
    fn save_contact(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(ed) = &mut self.create else {
            return Ok(Outcome::Handled);
        };
        let saved = match ed.save(act)? {
            Saving::Stay => return Ok(Outcome::Handled),
            Saving::Unchanged => {
                self.create = None;
                return Ok(Outcome::Handled);
            }
            Saving::Saved(saved) => saved,
        };
        self.create = None;
        self.pager.refresh(act.store.db())?;
        let name = crate::store::card::detail(act.store.db(), saved.id)?
            .participant
            .full_name();
        Ok(Outcome::Info(created_text(act.lang(), &saved, &name)))
    }

    fn open_form(&self) -> Option<&Form> {
        match (&self.reply, &self.settle, &self.create) {
            (Some(r), _, _) => Some(&r.form),
            (None, Some(s), _) => Some(&s.form),
            (None, None, Some(c)) => Some(&c.form),
            (None, None, None) => None,
        }
    }
}

impl TabView for InboxTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.may_answer = may_send(&ctx.actor.rights);
        self.pager.refresh(ctx.conn)
    }

    fn action(&mut self, action: ListAction, ctx: &Ctx) -> Result<Outcome> {
        if let Some(done) = move_pager(&mut self.pager, action, ctx.conn, self.height)? {
            return Ok(done);
        }
        Ok(match action {
            ListAction::Open => self.conversation(ctx)?,
            // The review list alone, or every reply.
            ListAction::Toggle | ListAction::Filter => {
                self.pager.source.state = match self.pager.source.state {
                    None => Some(ReplyState::Review),
                    Some(_) => None,
                };
                self.pager.reset();
                self.pager.first(ctx.conn)?;
                Outcome::Handled
            }
            _ => Outcome::Ignored,
        })
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        match action {
            ListAction::DryRun => self.open_reply(act),
            ListAction::Edit => self.open_settle(act),
            ListAction::NewContact => Ok(self.open_contact(act)),
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.open_form().is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if let Some(done) = IndividualForm::key_in(&mut self.reply, key, act) {
            return done;
        }
        let asked = modal_in(&mut self.settle, |s| &mut s.form, key, act.keymap);
        if let Some(done) = modal_outcome(asked, || self.save_settle(act)) {
            return done;
        }
        let asked = modal_in(&mut self.create, |c| &mut c.form, key, act.keymap);
        modal_outcome(asked, || self.save_contact(act)).unwrap_or(Ok(Outcome::Ignored))
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some(r) = &mut self.reply {
            r.form.paste(text);
        } else if let Some(s) = &mut self.settle {
            s.form.paste(text);
        } else if let Some(c) = &mut self.create {
            c.form.paste(text);
        }
    }

    fn edit_hints(&self) -> EditHints {
        self.open_form()
            .map(|f| f.hints(self.lang))
            .unwrap_or_default()
    }

    fn notice(&self) -> Option<String> {
        self.open_form().and_then(|f| f.message.clone())
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        lost_in(
            [
                self.reply.as_ref().map(|r| &r.form),
                self.settle.as_ref().map(|s| &s.form),
                self.create.as_ref().map(|c| &c.form),
            ],
            lang,
        )
    }

    fn confirmed(&mut self, _done: &crate::tui::pending::Done) {
        // Only the send question can be answered while the answer form is open.
        self.reply = None;
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = ctx.lang();
        self.may_answer = may_send(&ctx.actor.rights);
        self.height = layout_paged(area, &mut self.pager);
        if let Some(r) = &mut self.reply {
            r.form.layout(area, ctx.theme);
        }
        if let Some(s) = &mut self.settle {
            s.form.layout(area, ctx.theme);
        }
        if let Some(c) = &mut self.create {
            c.form.layout(area, ctx.theme);
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let cols = [
            Col::new(ctx.tr("col.received"), 11, 0),
            Col::new(ctx.tr("col.from"), 16, 1),
            Col::new(ctx.tr("col.phone"), 14, 4),
            Col::fill(ctx.tr("col.text"), 14, 0),
            Col::new(ctx.tr("col.state"), 12, 2).folding(),
            Col::new(ctx.tr("col.outcome"), 16, 3).folding(),
        ];
        let mut left = vec![title(ctx, "tab.inbox")];
        if self.pager.source.state.is_some() {
            left.push(Span::styled(
                format!("  {}", ctx.tr("inbox.review_only")),
                ctx.theme.warn(),
            ));
        }
        let empty = self
            .pager
            .source
            .state
            .is_none()
            .then(|| ctx.tr("start.empty_inbox").to_string());
        let look = Look::new(left, empty, &cols);
        draw_paged(frame, area, ctx, &self.pager, look, |_, r, _| {
            let state_style = if r.state == ReplyState::Review {
                ctx.theme.warn()
            } else {
                ctx.theme.base()
            };
            let outcome = match &r.review_reason {
                Some(reason) if r.state == ReplyState::Review => {
                    clean(&reason.describe(ctx.lang()))
                }
                _ => clean(&r.outcome),
            };
            let from = if unknown(r) {
                styled(sender(r, ctx.lang()), ctx.theme.dim())
            } else {
                cell(sender(r, ctx.lang()))
            };
            vec![
                cell(ctx.fmt.time(r.received_at)),
                from,
                cell(phone(&r.from_phone, ctx.region)),
                cell(clean(&r.text)),
                styled(r.state.describe(ctx.lang()), state_style),
                cell(outcome),
            ]
        });
        if let Some(form) = self.open_form() {
            form.draw(frame, area, ctx.theme, ctx.lang());
        }
    }

    fn hint_label(&self, action: ListAction) -> Option<&'static str> {
        match action {
            ListAction::Open => Some("hint.inbox_open"),
            ListAction::DryRun => Some("hint.inbox_answer"),
            ListAction::Toggle | ListAction::Filter => Some("hint.inbox_review"),
            ListAction::Edit => Some("hint.inbox_settle"),
            ListAction::NewContact => Some("hint.inbox_new_contact"),
            _ => None,
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        use ListAction::*;
        // `N` only while the selected reply's number is unknown.
        let unknown = self.pager.selected().is_some_and(unknown);
        match (self.may_answer, unknown) {
            (true, true) => &[Open, DryRun, NewContact, Toggle, Edit, PageDown, PageUp],
            (true, false) => &[Open, DryRun, Toggle, Edit, PageDown, PageUp],
            (false, true) => &[Open, NewContact, Toggle, Edit, PageDown, PageUp],
            (false, false) => &[Open, Toggle, Edit, PageDown, PageUp],
        }
    }

    fn loaded_rows(&self) -> usize {
        self.pager.rows().len()
    }

    fn new_above(&self) -> usize {
        self.pager.new_above()
    }
}
