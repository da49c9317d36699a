//! Agenda: the form that creates an event (participant searched as you type, kind, type,
//! local date-time, collaborator, location, notes) or edits one (everything but who and what
//! kind). Saving goes through `core::events::{create_event, update_event}`; what happened to
//! reminders because of it (created by a rule, re-planned, re-rendered with a manual edit
//! dropped, cancelled) comes back as `EventOutcome::notices()`, which the operator is shown.

use super::Act;
use super::batch::{
    NO_COLLABORATOR, collaborator_field, collaborator_options, participant_matches, starts_field,
};
use crate::core::events::{self, EventChange, EventKind, NewEventInput};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::store::Result;
use crate::store::events::EventDetail;
use crate::store::participants;
use crate::tui::dates::parse_local_time;
use crate::tui::fmt::clean;
use crate::tui::problem::{Problem, TermProblem};
use crate::tui::widgets::form::{EditHints, Form, FormField, FormKey};
use crate::tui::widgets::named::Named;
use chrono::NaiveDateTime;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The event form, new or editing one event.
pub struct EventEditor {
    /// The event being edited (`None`: a new one).
    original: Option<EventDetail>,
    pub form: Form,
    /// The participant picked for a new event: id and label.
    participant: Option<(i64, String)>,
    /// What the search field matches now (id, label), best first.
    matches: Vec<(i64, String)>,
    /// Ids behind the collaborators' names.
    named: Named,
    /// Event kinds by their shown name.
    kinds: Vec<(String, EventKind)>,
}

/// What a key did to the editor.
pub enum EditorKey {
    /// Keep the form open.
    Stay,
    /// Closed without saving.
    Closed,
    /// Saved: the sentence for the status line and the reminder notices (may be empty).
    Saved(String, Vec<String>),
}

impl EventEditor {
    /// A new event, starting empty (kind: interview).
    pub fn new_event(act: &Act) -> Result<EventEditor> {
        let lang = act.lang();
        let kinds: Vec<(String, EventKind)> = EventKind::ALL
            .iter()
            .map(|k| (k.describe(lang), *k))
            .collect();
        let kind_options = kinds.iter().map(|(l, _)| (l.clone(), l.clone())).collect();
        let first_kind = kinds.first().map(|(l, _)| l.clone()).unwrap_or_default();
        let mut named = Named::default();
        let collaborators = collaborator_options(act.store.db(), &mut named)?;
        let fields = vec![
            FormField::text("participant", tr(lang, "agenda.participant"), "")
                .with_help(tr(lang, "batch.search_help")),
            FormField::choice(
                "kind",
                tr(lang, "agenda.kind"),
                &first_kind,
                kind_options,
                false,
            ),
            FormField::text("type", tr(lang, "agenda.type"), "")
                .with_help(tr(lang, "agenda.type_help")),
            starts_field(lang, "agenda.starts"),
            collaborator_field(lang, NO_COLLABORATOR, collaborators),
            FormField::text("location", tr(lang, "batch.location"), ""),
            FormField::text("notes", tr(lang, "agenda.notes"), ""),
        ];
        Ok(EventEditor {
            original: None,
            form: Form::new(tr(lang, "agenda.new_title"), fields),
            participant: None,
            matches: Vec::new(),
            named,
            kinds,
        })
    }

    /// Editing event `id`, prefilled with what it has.
    pub fn edit_event(act: &Act, id: i64) -> Result<std::result::Result<EventEditor, Problem>> {
        let lang = act.lang();
        let e = crate::store::events::detail(act.store.db(), id)?;
        if e.cancelled {
            return Ok(Err(Problem::EventCancelled));
        }
        let who = participants::get(act.store.db(), e.participant_id)?;
        let starts = e
            .local_start()
            .map(crate::i18n::dates::day_time)
            .unwrap_or_default();
        let mut named = Named::default();
        let collaborators = collaborator_options(act.store.db(), &mut named)?;
        let collaborator = collaborators
            .iter()
            .find(|(v, _)| {
                e.collaborator_id.is_some() && named.id("collaborator", v) == e.collaborator_id
            })
            .map_or(NO_COLLABORATOR.to_string(), |(v, _)| v.clone());
        let fields = vec![
            FormField::text("type", tr(lang, "agenda.type"), &e.event_type)
                .with_help(tr(lang, "agenda.type_help")),
            FormField::text("starts", tr(lang, "agenda.starts"), &starts)
                .with_help(tr(lang, "agenda.starts_edit_help")),
            collaborator_field(lang, &collaborator, collaborators),
            FormField::text("location", tr(lang, "batch.location"), &e.location),
            FormField::text("notes", tr(lang, "agenda.notes"), &e.notes),
        ];
        let kind = e.kind.describe(act.lang());
        let mut letters = kind.chars();
        let kind = letters
            .next()
            .map(|c| c.to_uppercase().chain(letters).collect::<String>())
            .unwrap_or_default();
        let title = trf(
            lang,
            "agenda.edit_title",
            &[("kind", &kind), ("who", &clean(&who.full_name()))],
        );
        Ok(Ok(EventEditor {
            original: Some(e),
            form: Form::new(&title, fields),
            participant: None,
            matches: Vec::new(),
            named,
            kinds: Vec::new(),
        }))
    }

    fn focused(&self) -> &str {
        self.form
            .fields
            .get(self.form.focus)
            .map_or("", |f| f.key.as_str())
    }

    /// The participant field changed: forget the pick and match again.
    fn search(&mut self, act: &Act) -> Result<()> {
        self.participant = None;
        let text = self.form.value("participant").trim().to_string();
        self.matches = participant_matches(act, &text)?;
        let lang = act.lang();
        let help = if text.is_empty() {
            tr(lang, "batch.search_help").to_string()
        } else if self.matches.is_empty() {
            tr(lang, "batch.no_match").to_string()
        } else {
            let names: Vec<&str> = self.matches.iter().map(|(_, l)| l.as_str()).collect();
            trf(
                lang,
                "agenda.matches",
                &[("first", names[0]), ("others", &names[1..].join(" · "))],
            )
        };
        if let Some(f) = self.form.field_mut("participant") {
            f.help = help;
        }
        Ok(())
    }

    /// Enter in the participant field: the first match is the event's participant.
    fn pick_first(&mut self, lang: Lang) {
        let Some((id, name)) = self.matches.first().cloned() else {
            return;
        };
        self.matches.clear();
        if let Some(f) = self.form.field_mut("participant") {
            f.value = name.clone();
            f.help = trf(lang, "agenda.picked", &[("who", &name)]);
            f.error = None;
        }
        self.participant = Some((id, name));
    }

    pub fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<EditorKey> {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if self.focused() == "participant" && key.code == KeyCode::Enter && plain {
            self.pick_first(act.lang());
            return Ok(EditorKey::Stay);
        }
        match self.form.key(key, act.keymap) {
            FormKey::Save => self.save(act),
            FormKey::Close => Ok(EditorKey::Closed),
            FormKey::Changed(i) => {
                self.form.message = None;
                if let Some(f) = self.form.fields.get_mut(i) {
                    f.error = None;
                }
                if self
                    .form
                    .fields
                    .get(i)
                    .is_some_and(|f| f.key == "participant")
                {
                    self.search(act)?;
                }
                Ok(EditorKey::Stay)
            }
            FormKey::Handled => Ok(EditorKey::Stay),
        }
    }

    pub fn paste(&mut self, text: &str, act: &Act) {
        if let Some(i) = self.form.paste(text)
            && self
                .form
                .fields
                .get(i)
                .is_some_and(|f| f.key == "participant")
        {
            let _ = self.search(act);
        }
    }

    /// The local start typed, or the reason it is refused (shown under the field).
    fn starts(&mut self, act: &Act) -> Option<NaiveDateTime> {
        let lang = act.lang();
        let text = self.form.value("starts").trim().to_string();
        let parsed = parse_local_time(&text, act.fmt.local_date(act.now));
        if parsed.is_none()
            && let Some(f) = self.form.field_mut("starts")
        {
            f.error = Some(if text.is_empty() {
                tr(lang, "agenda.starts_needed").to_string()
            } else {
                Problem::bad_time(&text).describe(lang)
            });
        }
        parsed
    }

    fn save(&mut self, act: &mut Act) -> Result<EditorKey> {
        let lang = act.lang();
        let Some(starts_local) = self.starts(act) else {
            return Ok(EditorKey::Stay);
        };
        let collaborator_id = self
            .named
            .id("collaborator", self.form.value("collaborator"));
        let event_type = self.form.value("type").trim().to_string();
        let location = self.form.value("location").trim().to_string();
        let notes = self.form.value("notes").trim().to_string();
        let result = match &self.original {
            None => {
                let Some((participant_id, _)) = self.participant.clone() else {
                    if let Some(f) = self.form.field_mut("participant") {
                        f.error = Some(tr(lang, "agenda.pick_participant").to_string());
                    }
                    return Ok(EditorKey::Stay);
                };
                let shown = self.form.value("kind");
                let kind = self
                    .kinds
                    .iter()
                    .find(|(l, _)| l == shown)
                    .map_or(EventKind::Interview, |(_, k)| *k);
                events::create_event(
                    act.store,
                    act.actor,
                    NewEventInput {
                        participant_id,
                        kind,
                        event_type,
                        starts_local,
                        collaborator_id,
                        location,
                        notes,
                        reminder: None,
                    },
                    act.now,
                )
                .map(|o| (tr(lang, "agenda.created").to_string(), described(&o, lang)))
            }
            Some(old) => {
                // Only what the operator changed: an unchanged field must not re-render a
                // reminder (nor drop its manual edit).
                let change = EventChange {
                    starts_local: (old.local_start() != Some(starts_local)).then_some(starts_local),
                    event_type: (old.event_type != event_type).then_some(event_type),
                    location: (old.location != location).then_some(location),
                    collaborator_id: (old.collaborator_id != collaborator_id)
                        .then_some(collaborator_id),
                    notes: (old.notes != notes).then_some(notes),
                };
                let nothing = change.starts_local.is_none()
                    && change.event_type.is_none()
                    && change.location.is_none()
                    && change.collaborator_id.is_none()
                    && change.notes.is_none();
                if nothing {
                    return Ok(EditorKey::Saved(
                        tr(lang, "agenda.unchanged").to_string(),
                        Vec::new(),
                    ));
                }
                events::update_event(act.store, act.actor, old.id, change, act.now)
                    .map(|o| (tr(lang, "agenda.updated").to_string(), described(&o, lang)))
            }
        };
        match result {
            Ok((done, notices)) => Ok(EditorKey::Saved(done, notices)),
            Err(e) => {
                self.form.message = Some(crate::i18n::Describe::describe(&e, lang));
                Ok(EditorKey::Stay)
            }
        }
    }

    pub fn hints(&self, lang: Lang) -> EditHints {
        let (bound, mut free) = self.form.hints(lang);
        // Enter picks the first match: offered only when there is one.
        if self.focused() == "participant" && !self.matches.is_empty() {
            free.push(("Enter".into(), tr(lang, "agenda.pick").into()));
        }
        (bound, free)
    }

    pub fn layout(&mut self, area: Rect, theme: crate::tui::theme::Theme) {
        self.form.layout(area, theme);
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: crate::tui::theme::Theme, lang: Lang) {
        self.form.draw(frame, area, theme, lang);
    }
}

/// The popup shown after a save that changed reminders: one line per notice.
pub fn notices_popup(
    lang: Lang,
    theme: crate::tui::theme::Theme,
    notices: &[String],
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        tr(lang, "agenda.notices_intro").to_string(),
        theme.title(),
    ))];
    lines.push(Line::from(""));
    for n in notices {
        lines.push(Line::from(format!("• {}", clean(n))));
    }
    lines
}

/// The core's notices about an event's reminders, in the interface's language.
fn described(o: &crate::core::events::EventOutcome, lang: Lang) -> Vec<String> {
    o.notices()
        .iter()
        .map(|n| crate::i18n::Describe::describe(n, lang))
        .collect()
}

/// The Agenda's filter bar: a period (`période:semaine` is this calendar week, Monday to
/// Sunday; `mois` this month; `7j` the next seven days; a day or a range), outcomes
/// (`résultat:confirmé,"ne viendra pas"`, each a part of the outcome; `aucun` for events
/// without one), the event kind (`nature:entretien`), the collaborator (`collab:Durand`);
/// other words are looked for in the participant's name, the type and the location.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgendaFilter {
    /// `[from, to)` of a period term; without one the Agenda starts today.
    pub period: Option<(Option<i64>, Option<i64>)>,
    pub events: crate::store::events::EventFilter,
}

impl AgendaFilter {
    /// The store filter in force at `now`: a period's bounds, else from the start of today.
    pub fn at(
        &self,
        fmt: &crate::tui::fmt::Fmt,
        now: chrono::DateTime<chrono::Utc>,
    ) -> crate::store::events::EventFilter {
        let today = fmt.start_of_day(now);
        let (from, to) = self.period.unwrap_or((None, None));
        crate::store::events::EventFilter {
            from: from.unwrap_or(today),
            to,
            ..self.events.clone()
        }
    }
}

/// Parses the Agenda's filter bar, or says which term is wrong and why.
pub fn parse_filter(
    text: &str,
    fmt: &crate::tui::fmt::Fmt,
    now: chrono::DateTime<chrono::Utc>,
    collaborators: &std::collections::HashMap<i64, String>,
) -> std::result::Result<AgendaFilter, Problem> {
    use crate::tui::filter_terms::{Reach, collaborator, folded, names, period, read_terms};
    let mut f = AgendaFilter::default();
    f.events.text = read_terms(text, |key, value, bad| {
        match key {
            "PERIOD" | "PERIODE" | "DATE" => {
                f.period = Some(
                    period(value, Reach::Calendar, fmt, now)
                        .ok_or_else(|| bad(TermProblem::Period))?,
                );
            }
            "OUTCOME" | "OUTCOMES" | "RESULT" | "RESULTAT" | "RESULTATS" | "ISSUE" => {
                for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    let v = match folded(v).as_str() {
                        "NONE" | "AUCUN" | "-" => String::new(),
                        _ => v.to_string(),
                    };
                    if !f.events.outcomes.contains(&v) {
                        f.events.outcomes.push(v);
                    }
                }
            }
            "KIND" | "NATURE" | "CONTEXT" | "CONTEXTE" => {
                let k = EventKind::ALL
                    .into_iter()
                    .find(|k| names("kind", k.as_str(), value))
                    .ok_or_else(|| bad(TermProblem::EventKind))?;
                f.events.kind = Some(k);
            }
            "COLLAB" | "COLLABORATOR" | "COLLABORATEUR" | "COLLABORATRICE" => {
                f.events.collaborator_id = Some(collaborator(value, collaborators).map_err(bad)?);
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(f)
}
