//! The other paged tabs: Agenda, Inbox, and the Batch / Free send histories.

use super::Cell;
use super::modal_outcome;
use super::{
    Act, Col, Ctx, Outcome, TabView, body_height, cell, draw_empty, draw_table, info_line,
    more_marks, move_pager, split_info, styled,
};
use crate::keymap::ListAction;
use crate::store::{Db, Result};
use crate::tui::fmt::{clean, thousands, truncate};
use crate::tui::pager::{Page, Pager, Source};
use crate::tui::pending::Pending;
use crate::tui::problem::Problem;
use crate::tui::queries::{BatchesSource, EventsSource};
use crate::tui::widgets::confirm::Confirm;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use std::collections::BTreeSet;

use crate::core::reminders::{self, When};
use crate::core::send::Body;
use crate::i18n::{Describe, Lang, tr, trf};
use crate::store::events::EventDetail;
use crate::store::settings::Settings;
use crate::tui::widgets::ask::Answers;
use crate::tui::widgets::composer::{Composer, ComposerSetup, TemplateChoice};
use crate::tui::widgets::form::{Form, FormField, form_hints, lost_in, modal_in};
use crossterm::event::KeyEvent;
use ratatui::text::Line;

pub(super) const PAGE: usize = 60;

/// Layout of a paged list drawn by [`draw_paged`] in `area`: scrolls the pager to keep its
/// selection in view; returns the rows the table shows.
pub(super) fn layout_paged<S: Source>(area: Rect, pager: &mut Pager<S>) -> usize {
    let (_, table) = split_info(area);
    let height = body_height(table);
    pager.viewport(height);
    height
}

/// How a paged list looks: the left part of its info line, what to say instead of the table
/// when it is empty (`None`: a filter emptied it, the info line says so), and its columns.
pub(super) struct Look<'a> {
    pub left: Vec<Span<'static>>,
    pub empty: Option<String>,
    pub cols: &'a [Col],
}

impl<'a> Look<'a> {
    pub fn new(left: Vec<Span<'static>>, empty: Option<String>, cols: &'a [Col]) -> Self {
        Look { left, empty, cols }
    }
}

/// Shared drawing of a paged list: info line (title, filter, marks) and the table, as
/// [`layout_paged`] scrolled it.
pub(super) fn draw_paged<S: Source>(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    pager: &Pager<S>,
    look: Look,
    cells: impl Fn(usize, &S::Row, usize) -> Vec<Cell>,
) {
    let Look {
        mut left,
        empty,
        cols,
    } = look;
    let (info, table) = split_info(area);
    let height = body_height(table);
    let offset = pager.offset();
    if pager.rows().is_empty() && pager.is_loaded() {
        left.push(Span::styled(
            format!("  {}", ctx.tr("ui.empty")),
            ctx.theme.dim(),
        ));
    }
    let marks = more_marks(pager, offset, height, ctx);
    // Only the rows on screen are built.
    let rows = pager
        .rows()
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, r)| cells(i, r, offset))
        .collect();
    let selected =
        (!pager.rows().is_empty()).then(|| pager.selected_index().saturating_sub(offset));
    // An empty list says how to fill it rather than showing bare column titles.
    let notes = match empty.filter(|_| pager.rows().is_empty() && pager.is_loaded()) {
        Some(text) => {
            draw_empty(frame, table, ctx, &text);
            Vec::new()
        }
        None => draw_table(frame, table, ctx, cols, rows, selected, 0),
    };
    for note in notes {
        left.push(Span::styled(format!("  {note}"), ctx.theme.dim()));
    }
    info_line(frame, info, ctx, left, marks);
}

/// The notes after a list's title on its info line: the filter typed, how many rows are
/// picked, and what a background job (import, export) last said (`true`: it went well).
pub(super) fn push_list_notes(
    left: &mut Vec<Span<'static>>,
    ctx: &Ctx,
    filter: &str,
    picked: usize,
    job_note: Option<(String, bool)>,
) {
    if !filter.is_empty() {
        left.push(Span::raw(format!(
            "  {} « {} »",
            ctx.tr("ui.filter"),
            truncate(&clean(filter), 30)
        )));
    }
    if picked > 0 {
        left.push(Span::styled(
            format!(
                "  {}",
                trf(ctx.lang(), "send.picked", &[("n", &picked.to_string())])
            ),
            ctx.theme.ok(),
        ));
    }
    if let Some((note, ok)) = job_note {
        let style = if ok {
            ctx.theme.ok()
        } else {
            ctx.theme.error()
        };
        left.push(Span::styled(format!("  {note}"), style));
    }
}

/// The rows an action of a list with picking applies to: those picked, else the one under
/// the cursor.
pub(super) fn pick_targets<S: Source>(pager: &Pager<S>, picked: &BTreeSet<i64>) -> Vec<i64> {
    if picked.is_empty() {
        pager
            .selected()
            .map(|r| pager.source.id(r))
            .into_iter()
            .collect()
    } else {
        picked.iter().copied().collect()
    }
}

/// Picks or unpicks the row under the cursor and moves down, to pick a run key after key.
pub(super) fn toggle_pick<S: Source>(
    pager: &mut Pager<S>,
    picked: &mut BTreeSet<i64>,
    conn: Db<'_>,
) -> Result<()> {
    if let Some(id) = pager.selected().map(|r| pager.source.id(r)) {
        if !picked.remove(&id) {
            picked.insert(id);
        }
        pager.move_by(conn, 1)?;
    }
    Ok(())
}

/// Picks every row the list shows; pressed again with all of them already picked, unpicks.
pub(super) fn toggle_pick_all<S: Source>(
    source: &S,
    picked: &mut BTreeSet<i64>,
    conn: Db<'_>,
) -> Result<()> {
    let all = all_ids(source, conn)?;
    if !all.is_empty() && all.is_subset(picked) {
        picked.clear();
    } else {
        *picked = all;
    }
    Ok(())
}

/// Ids of every row of `source`, read by key page after page (never more than a page of
/// rows at once).
fn all_ids<S: Source>(source: &S, conn: Db<'_>) -> Result<BTreeSet<i64>> {
    const CHUNK: usize = 2000;
    let mut ids = BTreeSet::new();
    let mut after = None;
    loop {
        let rows = source.fetch(conn, Page::forward(after.as_ref(), CHUNK))?;
        ids.extend(rows.iter().map(|r| source.id(r)));
        match rows.last() {
            Some(last) if rows.len() == CHUNK => after = Some(source.key(last)),
            _ => break,
        }
    }
    Ok(ids)
}

pub(super) fn title(ctx: &Ctx, key: &str) -> Span<'static> {
    Span::styled(ctx.tr(key).to_string(), ctx.theme.title())
}

/// `J` (jour J) in French, `D` (D-day) in English, for delays such as `J-2` / `D-2`.
pub fn day_letter(lang: crate::i18n::Lang) -> char {
    match lang {
        crate::i18n::Lang::Fr => 'J',
        crate::i18n::Lang::En => 'D',
    }
}

/// Agenda: events from today on, grouped by day; the reminder of one event is switched on
/// (delay or exact time, template or text) or off from a form.
pub struct AgendaTab {
    pager: Option<Pager<EventsSource>>,
    height: usize,
    /// The reminder form of one event, while open.
    reminder: Option<(i64, Form)>,
    /// The form creating or editing an event, while open.
    event: Option<super::agenda::EventEditor>,
    /// Ids behind the template names of the reminder form.
    named: crate::tui::widgets::named::Named,
    /// Interface language, for the form's hints (known from the last draw).
    lang: crate::i18n::Lang,
    /// The filter bar's text as typed, and what it means.
    filter_text: String,
    filter: super::agenda::AgendaFilter,
}

impl AgendaTab {
    pub fn new() -> Self {
        AgendaTab {
            pager: None,
            height: 10,
            reminder: None,
            event: None,
            named: crate::tui::widgets::named::Named::default(),
            lang: crate::i18n::Lang::En,
            filter_text: String::new(),
            filter: super::agenda::AgendaFilter::default(),
        }
    }

    /// `n`: a new event; `m`: the selected one.
    fn open_event(&mut self, act: &mut Act, new: bool) -> Result<Outcome> {
        use super::agenda::EventEditor;
        if new {
            self.event = Some(EventEditor::new_event(act)?);
            return Ok(Outcome::Handled);
        }
        let Some(id) = self.pager.as_ref().and_then(|p| p.selected()).map(|e| e.id) else {
            return Ok(Outcome::Handled);
        };
        Ok(match EventEditor::edit_event(act, id)? {
            Ok(editor) => {
                self.event = Some(editor);
                Outcome::Handled
            }
            Err(why) => Outcome::Error(why.describe(act.lang())),
        })
    }

    /// A key for the event form: saved, the list is re-read and the reminder notices shown.
    fn event_key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        use super::agenda::{EditorKey, notices_popup};
        let Some(editor) = &mut self.event else {
            return Ok(Outcome::Ignored);
        };
        Ok(match editor.key(key, act)? {
            EditorKey::Stay => Outcome::Handled,
            EditorKey::Closed => {
                self.event = None;
                Outcome::Handled
            }
            EditorKey::Saved(done, notices) => {
                self.event = None;
                let ctx = act.ctx();
                if let Some(p) = self.pager.as_mut() {
                    p.refresh(ctx.conn)?;
                }
                if notices.is_empty() {
                    Outcome::Info(done)
                } else {
                    Outcome::Popup(done, notices_popup(act.lang(), act.theme, &notices))
                }
            }
        })
    }

    /// Opens the reminder form of the selected event, prefilled from what the event has.
    fn open_reminder(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(id) = self.pager.as_ref().and_then(|p| p.selected()).map(|e| e.id) else {
            return Ok(Outcome::Handled);
        };
        let lang = act.lang();
        let conn = act.store.db();
        let e: EventDetail = crate::store::events::detail(conn, id)?;
        if e.cancelled {
            return Ok(Outcome::Error(Problem::EventCancelled.describe(lang)));
        }
        let settings = Settings::load(conn)?;
        let context = reminders::event_context(e.kind);
        let own_text = tr(lang, "agenda.own_text");
        let choices = TemplateChoice::active(conn, &[context])?;
        let may_write = act.actor.rights.can_write_text();
        let template_options = self.named.options(
            "template",
            may_write.then_some(own_text),
            choices.iter().map(|t| (t.id, clean(&t.name))),
        );
        // Shown and kept by name (J-2 / D-2, "exact time"), read back in `save_reminder`.
        let letter = day_letter(lang);
        let exact = tr(lang, "agenda.exact_time").to_string();
        let mut when_options: Vec<(String, String)> = (1..=reminders::MAX_DAYS_BEFORE)
            .map(|d| (format!("{letter}-{d}"), format!("{letter}-{d}")))
            .collect();
        when_options.push((exact.clone(), exact.clone()));
        // A rule's pending reminder is the event's: the window opens on it (its delay, its
        // template), and saving edits that message.
        let rule = match crate::store::events::pending_rule_reminder(conn, id)? {
            Some(a) => Some(crate::store::automations::get(conn, a)?),
            None => None,
        };
        let mut e = e;
        if let Some(r) = rule.as_ref().filter(|_| e.reminder.days_before.is_none()) {
            e.reminder.days_before = Some(-r.offset_days);
            e.reminder.template_id = Some(r.template_id);
        }
        let when = match (e.reminder.days_before, e.reminder.at) {
            (Some(d), _) => format!("{letter}-{d}"),
            (None, Some(_)) => exact,
            (None, None) => format!("{letter}-1"),
        };
        let at = e
            .reminder
            .at
            .map(|t| act.fmt.date_time(t.timestamp()))
            .unwrap_or_default();
        let named = &self.named;
        // What will leave: the saved template, else the saved own text, else (a new
        // reminder) the first template.
        let saved_template = template_options
            .iter()
            .find(|(v, _)| {
                e.reminder.template_id.is_some()
                    && named.id("template", v) == e.reminder.template_id
            })
            .map(|(v, _)| v.clone());
        let own = e.reminder.template_id.is_none() && e.reminder.text.is_some() && may_write;
        let template = saved_template
            .or_else(|| own.then(|| own_text.to_string()))
            .or_else(|| {
                template_options
                    .iter()
                    .find(|(v, _)| named.id("template", v).is_some())
                    .map(|(v, _)| v.clone())
            })
            .or_else(|| template_options.first().map(|(v, _)| v.clone()))
            .unwrap_or_default();
        let template_id = named.id("template", &template);
        let fields = vec![
            FormField::toggle("on", tr(lang, "agenda.reminder_on"), true),
            FormField::choice("when", tr(lang, "agenda.when"), &when, when_options, false),
            FormField::text("at", tr(lang, "agenda.at"), &at).with_help(tr(lang, "agenda.at_help")),
            super::batch::template_field(lang, &template, template_options),
        ];
        let mut composer = Composer::new(
            ComposerSetup::from_settings(&settings, context, false, false),
            lang,
            act.theme,
        );
        composer.set_templates(choices, may_write);
        match template_id {
            Some(t) => {
                composer.load_template(Some(t));
                // A template's text edited when saved: the box shows what will leave, still
                // linked to the template.
                if e.reminder.template_id == Some(t)
                    && let Some(text) = e.reminder.text.as_deref()
                {
                    composer.set_text(text);
                }
            }
            None => composer.set_text(e.reminder.text.as_deref().unwrap_or("")),
        }
        let mut title = format!(
            "{} · {} {}",
            tr(lang, "agenda.reminder_title"),
            act.fmt.day(e.starts_at),
            act.fmt.hour(e.starts_at)
        );
        if let Some(r) = &rule {
            title.push_str(&crate::i18n::trf(
                lang,
                "agenda.reminder_by_rule",
                &[("rule", &clean(&r.name))],
            ));
        }
        self.reminder = Some((id, Form::new(&title, fields).with_composer(composer)));
        Ok(Outcome::Handled)
    }

    /// Saves the reminder form through the core: switched off, or scheduled.
    fn save_reminder(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some((id, form)) = &mut self.reminder else {
            return Ok(Outcome::Handled);
        };
        let id = *id;
        let lang = act.lang();
        let result = if form.value("on") != "yes" {
            reminders::switch_off_reminder(act.store, act.actor, id, act.now).map(|r| {
                trf(
                    lang,
                    "agenda.switched_off",
                    &[("n", &r.cancelled.len().to_string())],
                )
            })
        } else {
            let exact = tr(lang, "agenda.exact_time");
            let when = match form.value("when") {
                w if w == exact => {
                    let today = act.fmt.local_date(act.now);
                    match crate::tui::dates::parse_local_time(form.value("at"), today) {
                        Some(t) => When::At(t),
                        None => {
                            form.message = Some(Problem::bad_time(form.value("at")).describe(lang));
                            return Ok(Outcome::Handled);
                        }
                    }
                }
                d => When::DaysBefore(d.get(2..).and_then(|n| n.parse().ok()).unwrap_or(1)),
            };
            // What is in the box leaves: the template untouched, else the text as typed.
            let body = form
                .composer
                .as_ref()
                .map_or(Body::Text(String::new()), Composer::body);
            reminders::schedule_reminder(act.store, act.actor, id, when, body, act.now).map(|r| {
                trf(
                    lang,
                    "agenda.scheduled",
                    &[
                        ("at", &act.fmt.time(r.planned_at.timestamp())),
                        ("segments", &r.segments.to_string()),
                    ],
                )
            })
        };
        match result {
            Ok(done) => {
                self.reminder = None;
                let ctx = act.ctx();
                if let Some(p) = self.pager.as_mut() {
                    p.refresh(ctx.conn)?;
                }
                Ok(Outcome::Info(done))
            }
            Err(e) => {
                form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                Ok(Outcome::Handled)
            }
        }
    }

    /// "Cancel this event?" — its unsent reminders are cancelled with it.
    fn ask_cancel_event(&self, ctx: &Ctx) -> Outcome {
        let Some(e) = self.pager.as_ref().and_then(|p| p.selected()) else {
            return Outcome::Handled;
        };
        if e.cancelled {
            return Outcome::Error(Problem::EventCancelled.describe(ctx.lang()));
        }
        let lang = ctx.lang();
        let id = e.id;
        let lines = vec![
            Line::from(trf(
                lang,
                "agenda.cancel_question",
                &[(
                    "what",
                    &format!(
                        "{} {} · {} {}",
                        e.kind.describe(ctx.lang()),
                        clean(&e.participant_name),
                        ctx.fmt.day(e.starts_at),
                        ctx.fmt.hour(e.starts_at)
                    ),
                )],
            )),
            ctx.dim_line("agenda.cancel_reminders"),
        ];
        Outcome::Confirm(
            Confirm::new(
                ctx.tr("agenda.cancel_title").to_string(),
                lines,
                Pending::CancelEvent { id },
            )
            .destructive(Answers::yes_no(lang)),
        )
    }

    /// Without a period the list starts at the beginning of the organisation's today (a new
    /// day moves it); a new filter starts a new list.
    fn pager(&mut self, ctx: &Ctx) -> &mut Pager<EventsSource> {
        let filter = self.filter.at(&ctx.fmt, ctx.now);
        if self
            .pager
            .as_ref()
            .is_none_or(|p| p.source.filter != filter)
        {
            self.pager = None;
        }
        self.pager
            .get_or_insert_with(|| Pager::new(EventsSource { filter }, PAGE))
    }
}

impl TabView for AgendaTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.pager(ctx).refresh(ctx.conn)
    }

    fn action(&mut self, action: ListAction, ctx: &Ctx) -> Result<Outcome> {
        let height = self.height;
        if let Some(done) = move_pager(self.pager(ctx), action, ctx.conn, height)? {
            return Ok(done);
        }
        Ok(match action {
            ListAction::Delete => self.ask_cancel_event(ctx),
            ListAction::Filter => Outcome::EditFilter,
            _ => Outcome::Ignored,
        })
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        match action {
            ListAction::Open | ListAction::Toggle => self.open_reminder(act),
            ListAction::New => self.open_event(act, true),
            ListAction::Edit => self.open_event(act, false),
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.reminder.is_some() || self.event.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if self.event.is_some() {
            return self.event_key(key, act);
        }
        let asked = modal_in(&mut self.reminder, |(_, f)| f, key, act.keymap);
        if let Some((_, form)) = &mut self.reminder {
            super::batch::sync_template(form, &self.named);
        }
        modal_outcome(asked, || self.save_reminder(act)).unwrap_or(Ok(Outcome::Ignored))
    }

    fn paste(&mut self, text: &str, act: &mut Act) {
        if let Some(editor) = &mut self.event {
            editor.paste(text, act);
        } else if let Some((_, form)) = &mut self.reminder {
            form.paste(text);
        }
    }

    fn edit_hints(&self) -> super::EditHints {
        if let Some(editor) = &self.event {
            return editor.hints(self.lang);
        }
        form_hints(self.reminder.as_ref().map(|(_, f)| f), self.lang)
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        let reminder = self.reminder.as_ref().map(|(_, f)| f);
        lost_in([self.event.as_ref().map(|e| &e.form), reminder], lang)
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = ctx.lang();
        let Some(pager) = self.pager.as_mut() else {
            return;
        };
        self.height = layout_paged(area, pager);
        if let Some((_, form)) = &mut self.reminder {
            form.layout(area, ctx.theme);
        }
        if let Some(editor) = &mut self.event {
            editor.layout(area, ctx.theme);
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let cols = [
            Col::new(ctx.tr("col.day"), 10, 0),
            Col::new(ctx.tr("col.time"), 5, 0),
            Col::fill(ctx.tr("col.participant"), 14, 0),
            Col::new(ctx.tr("col.kind"), 11, 5).folding(),
            Col::new(ctx.tr("col.type"), 12, 4),
            Col::new(ctx.tr("col.collaborator"), 14, 3),
            Col::new(ctx.tr("col.outcome"), 13, 1).folding(),
            Col::new(ctx.tr("col.reminder"), 6, 2),
        ];
        let mut left = vec![title(ctx, "tab.agenda")];
        if !self.filter_text.is_empty() {
            left.push(Span::raw(format!(
                "  {} « {} »",
                ctx.tr("ui.filter"),
                crate::tui::fmt::truncate(&clean(&self.filter_text), 40)
            )));
        }
        let Some(pager) = &self.pager else {
            return;
        };
        // Day of the previous row, so a day is written once (and again at the top of the screen).
        let days: Vec<String> = pager
            .rows()
            .iter()
            .map(|e| ctx.fmt.day(e.starts_at))
            .collect();
        let empty = self
            .filter_text
            .is_empty()
            .then(|| ctx.with_keys("start.empty_agenda", &[("new", ListAction::New.into())]));
        let look = Look::new(left, empty, &cols);
        draw_paged(frame, area, ctx, pager, look, |i, e, offset| {
            let day = if i == offset || i == 0 || days.get(i.wrapping_sub(1)) != days.get(i) {
                days.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            };
            let dim = if e.cancelled {
                ctx.theme.dim()
            } else {
                ctx.theme.base()
            };
            let outcome = if e.cancelled {
                ctx.tr("word.cancelled").to_string()
            } else {
                clean(&e.outcome)
            };
            // A rule's reminder is the event's reminder too (its rule named in the window).
            let reminder = match (e.reminder_rule_offset, e.reminder_enabled) {
                (Some(d), _) => format!("✓ {}{d}", day_letter(ctx.lang())),
                (None, true) => match e.reminder_days_before {
                    Some(d) => format!("✓ {}-{d}", day_letter(ctx.lang())),
                    None => "✓".to_string(),
                },
                (None, false) => ctx.tr("word.off").to_string(),
            };
            vec![
                styled(day, ctx.theme.title()),
                styled(ctx.fmt.hour(e.starts_at), dim),
                styled(clean(&e.participant_name), dim),
                styled(e.kind.describe(ctx.lang()), dim),
                styled(clean(&e.event_type), dim),
                styled(clean(&e.collaborator), dim),
                styled(outcome, dim),
                styled(reminder, dim),
            ]
        });
        if let Some((_, form)) = &self.reminder {
            form.draw(frame, area, ctx.theme, ctx.lang());
        }
        if let Some(editor) = &self.event {
            editor.draw(frame, area, ctx.theme, ctx.lang());
        }
    }

    fn hint_label(&self, action: ListAction) -> Option<&'static str> {
        match action {
            ListAction::New => Some("hint.agenda_new"),
            ListAction::Edit => Some("hint.agenda_edit"),
            // Enter and `t` open the event's reminder window; `d` cancels the event.
            ListAction::Open | ListAction::Toggle => Some("hint.agenda_reminder"),
            ListAction::Delete => Some("hint.agenda_cancel"),
            _ => None,
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        &[
            ListAction::New,
            ListAction::Edit,
            ListAction::Toggle,
            ListAction::Delete,
            ListAction::Filter,
            ListAction::PageDown,
            ListAction::PageUp,
        ]
    }

    fn loaded_rows(&self) -> usize {
        self.pager.as_ref().map_or(0, |p| p.rows().len())
    }

    fn new_above(&self) -> usize {
        self.pager.as_ref().map_or(0, Pager::new_above)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.filter_text)
    }

    /// The event's day (a period term in the bar, in the operator's language), the event
    /// selected.
    fn show_event(&mut self, event_id: i64, ctx: &Ctx) -> Result<bool> {
        let e = crate::store::events::get(ctx.conn, event_id)?;
        let Some(start) = chrono::DateTime::from_timestamp(e.starts_at, 0) else {
            return Ok(false);
        };
        let day = start.with_timezone(&ctx.fmt.tz).format("%d/%m/%Y");
        let word = match ctx.lang() {
            Lang::Fr => "période",
            Lang::En => "period",
        };
        if self.set_filter(&format!("{word}:{day}"), ctx).is_err() {
            return Ok(false);
        }
        let conn = ctx.conn;
        let pager = self.pager(ctx);
        // One day's events: a few pages at most.
        for _ in 0..(PAGE * 4) {
            match pager.selected().map(|r| r.id) {
                Some(id) if id == event_id => return Ok(true),
                None => break,
                Some(_) => {}
            }
            let before = pager.selected_index();
            pager.move_by(conn, 1)?;
            if pager.selected_index() == before {
                break;
            }
        }
        Ok(true)
    }

    /// A term the bar does not understand leaves the list as it was and says why.
    fn set_filter(
        &mut self,
        text: &str,
        ctx: &Ctx,
    ) -> std::result::Result<(), crate::tui::problem::Problem> {
        let text = text.trim();
        let names = crate::tui::queries::collaborator_names(ctx.conn)?;
        self.filter = super::agenda::parse_filter(text, &ctx.fmt, ctx.now, &names)?;
        self.filter_text = text.to_string();
        Ok(self.pager(ctx).first(ctx.conn)?)
    }
}

/// Batch / Free: the history of sends of that kind (the composing forms come later).
pub struct HistoryTab {
    pager: Pager<BatchesSource>,
    height: usize,
}

impl HistoryTab {
    pub fn new(kind: &'static str) -> Self {
        HistoryTab {
            pager: Pager::new(BatchesSource { kind }, PAGE),
            height: 10,
        }
    }
}

impl TabView for HistoryTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.pager.refresh(ctx.conn)
    }

    fn action(&mut self, action: ListAction, ctx: &Ctx) -> Result<Outcome> {
        if let Some(done) = move_pager(&mut self.pager, action, ctx.conn, self.height)? {
            return Ok(done);
        }
        Ok(match action {
            ListAction::Open => match self.pager.selected() {
                Some(b) => Outcome::ShowBatch(b.id),
                None => Outcome::Handled,
            },
            ListAction::New | ListAction::Filter | ListAction::Export => Outcome::NotYet,
            _ => Outcome::Ignored,
        })
    }

    fn layout(&mut self, area: Rect, _ctx: &Ctx) {
        self.height = layout_paged(area, &mut self.pager);
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let batch = self.pager.source.kind == "batch";
        let cols = [
            Col::new(ctx.tr("col.date"), 11, 0),
            Col::new(ctx.tr("col.author"), 10, 3),
            Col::fill(ctx.tr("col.name"), 14, 1),
            Col::new(ctx.tr("col.recipients"), 5, 2),
            Col::new(ctx.tr("col.by_status"), 30, 0),
        ];
        let (title_key, note_key) = if batch {
            ("tab.batch", "batch.history_note")
        } else {
            ("tab.free", "free.history_note")
        };
        let left = vec![
            title(ctx, title_key),
            Span::styled(format!("  {}", ctx.tr(note_key)), ctx.theme.dim()),
        ];
        let empty = Some(ctx.with_keys("start.empty_history", &[("new", ListAction::New.into())]));
        let look = Look::new(left, empty, &cols);
        draw_paged(frame, area, ctx, &self.pager, look, |_, b, _| {
            let name = if b.name.is_empty() {
                &b.source
            } else {
                &b.name
            };
            let counts: Vec<String> = b
                .counts
                .iter()
                .map(|(status, n)| format!("{} {}", thousands(*n), status.describe(ctx.lang())))
                .collect();
            vec![
                cell(ctx.fmt.time(b.created_at)),
                cell(clean(&b.created_by)),
                cell(clean(name)),
                cell(thousands(b.recipients)),
                cell(counts.join(", ")),
            ]
        });
    }

    fn hint_label(&self, action: ListAction) -> Option<&'static str> {
        (action == ListAction::Open).then_some("hint.history_open")
    }

    fn hints(&self) -> &'static [ListAction] {
        &[
            ListAction::Open,
            ListAction::PageDown,
            ListAction::PageUp,
            ListAction::First,
            ListAction::Last,
        ]
    }

    fn loaded_rows(&self) -> usize {
        self.pager.rows().len()
    }

    fn new_above(&self) -> usize {
        self.pager.new_above()
    }
}

/// The [`TabView`] methods of a tab made of a [`HistoryTab`] (its `history`) and a form over it
/// (its `form`, opened by its `open_form`): Batch and Free.
macro_rules! history_with_form {
    () => {
        fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
            self.history.refresh(ctx)
        }

        fn action(&mut self, action: ListAction, ctx: &Ctx) -> Result<Outcome> {
            self.history.action(action, ctx)
        }

        fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
            match action {
                ListAction::New => self.open_form(act),
                _ => Ok(Outcome::Ignored),
            }
        }

        fn editing(&self) -> bool {
            self.form.is_some()
        }

        fn hint_label(&self, action: ListAction) -> Option<&'static str> {
            self.history.hint_label(action)
        }

        fn hints(&self) -> &'static [ListAction] {
            &[
                ListAction::New,
                ListAction::Open,
                ListAction::PageDown,
                ListAction::PageUp,
            ]
        }

        fn loaded_rows(&self) -> usize {
            self.history.loaded_rows()
        }

        fn new_above(&self) -> usize {
            self.history.new_above()
        }
    };
}
pub(super) use history_with_form;
