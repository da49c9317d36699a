//! Batch: one text to a list of participants; an interview batch (job seekers) records one
//! interview in each one's history, a plain campaign (a shop, a network) none.
//!
//! `n` opens the form: recipients from a saved list and / or one by one (a search field that
//! matches as you type; Enter adds the first match), the context (interview or campaign, its
//! default from the `batch_interview` setting), the interview to record when the context says
//! so (required and optional fields of the spec, hidden for a campaign), a template or the
//! operator's own text in the composer, the campaign flag and the time. Saving asks the core
//! for the preview (`core::batch::preview_batch`): one row per recipient with the rendered
//! text, its counts and any error; Space unticks a row; the totals follow. Validating asks
//! once more, then queues through `core::batch::queue_batch`. Below, the history of batches.

use super::lists::HistoryTab;
use super::{Act, Col, Ctx, Outcome, Selection, TabView, body_height, draw_table, styled};
use crate::core::batch::{self, BatchInput, BatchRow, ConsentFilter, FilterInput, InterviewInput};
use crate::core::send::Body;
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::{Action, EditorAction, ListAction};
use crate::sms::encoding::Encoding;
use crate::sms::template::TemplateContext;
use crate::store::Db;
use crate::store::Result;
use crate::store::participants::{self, Participant};
use crate::store::settings::Settings;
use crate::store::templates;
use crate::tui::dates::parse_optional_time;
use crate::tui::fmt::{clean, phone, thousands, unicode_cause};
use crate::tui::pending::{Done, Pending};
use crate::tui::problem::Problem;
use crate::tui::widgets::composer::{Composer, ComposerSetup, TemplateChoice};
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::form::{FieldKind, Form, FormField, FormKey, lost_in};
use crate::tui::widgets::named::Named;
use crate::tui::widgets::send_confirm::{SendFacts, SendMoney, departure};
use crate::tui::widgets::titled_block;
use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::collections::{HashMap, HashSet};

/// Matches of the participant search shown under the field.
const MATCHES: usize = 4;

/// The fields of the interview a batch records, shown only when its context is an interview.
const INTERVIEW_FIELDS: [&str; 9] = [
    "starts",
    "collaborator",
    "type",
    "theme",
    "outcome",
    "location",
    "channel",
    "programme",
    "summary",
];

pub struct BatchTab {
    history: HistoryTab,
    form: Option<Form>,
    /// Participants chosen one by one: id and the name shown.
    chosen: Vec<(i64, String)>,
    /// What the search field matches now (id, label), best first (Enter adds the first).
    matches: Vec<(i64, String)>,
    /// The preview of the filled form, while shown.
    preview: Option<Preview>,
    /// Ids behind the names of the choice fields.
    named: Named,
    /// Values behind the labels of the filter choices (programme, type…).
    texts: Texts,
    /// Participants added by filters (in the order added), and the same as a set.
    added: Vec<i64>,
    added_set: HashSet<i64>,
    /// Members of the saved list chosen in the form.
    list_ids: Vec<i64>,
    /// The interview fields, kept with what was typed in them while a campaign hides them.
    hidden_interview: Vec<FormField>,
    /// Set by the "save the selection as a list" confirmation when it saved: the form then
    /// stays open (see [`TabView::after_change`]).
    list_saved: Option<i64>,
    lang: Lang,
}

/// Filter choices shown by label: each option's value is its (unique) label; the value the
/// store knows is looked up here.
#[derive(Default)]
struct Texts(HashMap<(&'static str, String), String>);

impl Texts {
    /// The options of field `key`: "any" first (no value), then `items` as `(value, label)`.
    fn options(
        &mut self,
        key: &'static str,
        any: &str,
        items: impl IntoIterator<Item = (String, String)>,
    ) -> Vec<(String, String)> {
        self.0.retain(|(k, _), _| *k != key);
        let mut out = vec![(any.to_string(), any.to_string())];
        for (value, label) in items {
            let mut label = label;
            let mut n = 1;
            while out.iter().any(|(v, _)| *v == label) {
                n += 1;
                label = format!("{label} ({n})");
            }
            self.0.insert((key, label.clone()), value);
            out.push((label.clone(), label));
        }
        out
    }

    /// The value behind the label shown in field `key` (`None`: "any").
    fn value(&self, key: &'static str, label: &str) -> Option<String> {
        self.0.get(&(key, label.to_string())).cloned()
    }
}

/// The filter fields: a change in one recounts the participants they match.
const FILTER_FIELDS: [&str; 7] = [
    "f_kind",
    "f_programme",
    "f_collaborator",
    "f_event_type",
    "f_from",
    "f_to",
    "f_consent",
];

/// The preview: the core's rows, what the operator unticked, the time asked for.
struct Preview {
    input: BatchInput,
    at: Option<NaiveDateTime>,
    rows: Vec<BatchRow>,
    balance: i64,
    /// The packs' prices, for the money worth of what is ticked.
    pricing: crate::money::Pricing,
    unticked: HashSet<i64>,
    sel: Selection,
}

/// Totals over the rows still ticked and sendable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ticked {
    messages: usize,
    segments: usize,
    unticked: usize,
    errors: usize,
    balance_after: i64,
}

impl Preview {
    fn ticked(&self) -> Ticked {
        let mut t = Ticked {
            messages: 0,
            segments: 0,
            unticked: 0,
            errors: 0,
            balance_after: self.balance,
        };
        for r in &self.rows {
            if !r.is_sendable() {
                t.errors += 1;
            } else if self.unticked.contains(&r.participant_id) {
                t.unticked += 1;
            } else {
                t.messages += 1;
                t.segments += r.segments;
            }
        }
        t.balance_after = self.balance - t.segments as i64;
        t
    }
}

/// The error of a row in `lang`, without the recipient's name the core puts in front of it
/// (the name is in its own column).
fn row_error(r: &BatchRow, lang: Lang) -> String {
    let e = r
        .error
        .as_ref()
        .map(|e| crate::i18n::Describe::describe(e, lang))
        .unwrap_or_default();
    let shown = [format!("{}: ", r.name), format!("{} : ", r.name)]
        .iter()
        .find_map(|prefix| e.strip_prefix(prefix.as_str()))
        .unwrap_or(&e);
    clean(shown)
}

impl Default for BatchTab {
    fn default() -> Self {
        Self::new()
    }
}

impl BatchTab {
    /// Forgets who the last form chose (one by one, by filter, by list) and what it matched.
    fn forget_recipients(&mut self) {
        self.chosen.clear();
        self.matches.clear();
        self.added.clear();
        self.added_set.clear();
        self.list_ids.clear();
        self.hidden_interview.clear();
    }

    pub fn new() -> Self {
        BatchTab {
            history: HistoryTab::new("batch"),
            form: None,
            chosen: Vec::new(),
            matches: Vec::new(),
            preview: None,
            named: Named::default(),
            texts: Texts::default(),
            added: Vec::new(),
            added_set: HashSet::new(),
            list_ids: Vec::new(),
            hidden_interview: Vec::new(),
            list_saved: None,
            lang: Lang::En,
        }
    }

    /// The choices of the "saved list" field: none, then every list with its size.
    fn list_options(&mut self, conn: Db<'_>, lang: Lang) -> Result<Vec<(String, String)>> {
        Ok(self.named.options(
            "list",
            Some(tr(lang, "batch.no_list")),
            participants::saved_lists(conn)?.into_iter().map(|l| {
                (
                    l.id,
                    format!("{} ({})", clean(&l.name), thousands(l.members)),
                )
            }),
        ))
    }

    fn open_form(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        self.lang = lang;
        if !act.actor.rights.can_batch() {
            return Ok(Outcome::Error(tr(lang, "batch.no_right").to_string()));
        }
        let conn = act.store.db();
        let settings = Settings::load(conn)?;
        let no_list = tr(lang, "batch.no_list");
        let list_options = self.list_options(conn, lang)?;
        let collab_options = collaborator_options(conn, &mut self.named)?;
        let may_write = act.actor.rights.can_write_text();
        let template_options = self.named.options(
            "template",
            may_write.then(|| tr(lang, "agenda.own_text")),
            templates::list(conn)?
                .into_iter()
                .filter(|t| t.active && t.context == TemplateContext::Batch.as_str())
                .map(|t| (t.id, clean(&t.name))),
        );
        let template = template_options
            .first()
            .map(|(v, _)| v.clone())
            .unwrap_or_default();
        let context_options = self.named.options(
            "context",
            None,
            [
                (1, tr(lang, "batch.context_interview").to_string()),
                (0, tr(lang, "batch.context_no_interview").to_string()),
            ],
        );
        let context = context_options
            .get(usize::from(!settings.batch_interview))
            .map(|(v, _)| v.clone())
            .unwrap_or_default();
        let fields = vec![
            FormField::text("name", tr(lang, "batch.name"), "")
                .with_help(tr(lang, "batch.name_help")),
            FormField::choice("list", tr(lang, "batch.list"), no_list, list_options, false)
                .with_help(tr(lang, "batch.list_help")),
        ];
        let mut fields = [fields, self.filter_fields(act)?].concat();
        fields.extend([
            FormField::text("search", tr(lang, "batch.search"), "")
                .with_help(tr(lang, "batch.search_help")),
            FormField::choice("chosen", tr(lang, "batch.chosen"), "", Vec::new(), false)
                .with_help(tr(lang, "batch.chosen_help")),
            FormField::choice(
                "context",
                tr(lang, "batch.context"),
                &context,
                context_options,
                false,
            )
            .with_help(tr(lang, "batch.context_help")),
            starts_field(lang, "batch.starts"),
            collaborator_field(lang, NO_COLLABORATOR, collab_options),
            FormField::text("type", tr(lang, "batch.type"), ""),
            FormField::text("theme", tr(lang, "batch.theme"), ""),
            FormField::text("outcome", tr(lang, "batch.outcome"), "")
                .with_help(tr(lang, "batch.outcome_help")),
            FormField::text("location", tr(lang, "batch.location"), ""),
            FormField::text("channel", tr(lang, "batch.channel"), ""),
            FormField::text("programme", tr(lang, "batch.programme"), ""),
            FormField::text("summary", tr(lang, "batch.summary"), ""),
            template_field(lang, &template, template_options),
            FormField::toggle("campaign", tr(lang, "free.campaign"), false)
                .with_help(tr(lang, "free.campaign_help")),
            FormField::text("at", tr(lang, "free.at"), "").with_help(tr(lang, "free.at_help")),
        ]);
        let composer = Composer::new(
            ComposerSetup::from_settings(&settings, TemplateContext::Batch, true, false),
            lang,
            act.theme,
        );
        self.forget_recipients();
        self.preview = None;
        let mut form = Form::new(tr(lang, "batch.title"), fields)
            .with_composer(composer)
            .sending();
        if let Some(c) = form.composer.as_mut() {
            c.set_templates(
                TemplateChoice::active(conn, &[TemplateContext::Batch])?,
                may_write,
            );
            c.load_template(self.named.id("template", &template));
        }
        self.form = Some(form);
        self.sync_context();
        self.recount(act)?;
        Ok(Outcome::Handled)
    }

    /// Whether the form's context is an interview batch (else a plain campaign).
    fn records_interview(&self) -> bool {
        self.form
            .as_ref()
            .is_some_and(|f| self.named.id("context", f.value("context")) == Some(1))
    }

    /// Shows the interview fields under the context when it is an interview batch; hides them
    /// for a campaign, keeping what was typed for a change of mind.
    fn sync_context(&mut self) {
        let interview = self.records_interview();
        let Some(form) = &mut self.form else {
            return;
        };
        let shown = form.fields.iter().any(|f| f.key == "starts");
        if interview && !shown {
            let at = form
                .fields
                .iter()
                .position(|f| f.key == "context")
                .map_or(form.fields.len(), |p| p + 1);
            let fields = std::mem::take(&mut self.hidden_interview);
            // Fields after the focused context move down: keep the focus on the same field.
            if form.focus >= at {
                form.focus += fields.len();
            }
            form.fields.splice(at..at, fields);
        } else if !interview && shown {
            let focus_key = form.fields.get(form.focus).map(|f| f.key.clone());
            let (hidden, kept): (Vec<FormField>, Vec<FormField>) = std::mem::take(&mut form.fields)
                .into_iter()
                .partition(|f| INTERVIEW_FIELDS.contains(&f.key.as_str()));
            form.fields = kept;
            self.hidden_interview = hidden;
            form.focus = focus_key
                .and_then(|k| form.fields.iter().position(|f| f.key == k))
                .unwrap_or(form.fields.len());
        }
    }

    /// The filter fields, their choices listing what exists in the store, and the line
    /// saying how many participants they match.
    fn filter_fields(&mut self, act: &Act) -> Result<Vec<FormField>> {
        let lang = act.lang();
        let conn = act.store.db();
        let any = tr(lang, "word.any");
        let kinds = self.texts.options(
            "f_kind",
            any,
            participants::ParticipantKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), k.describe(lang))),
        );
        let programmes = self.texts.options(
            "f_programme",
            any,
            participants::programmes(conn)?
                .into_iter()
                .map(|p| (p.clone(), clean(&p))),
        );
        let collaborators = self.named.options(
            "f_collaborator",
            Some(any),
            participants::collaborators(conn)?
                .into_iter()
                .map(|c| (c.id, clean(&c.full_name()))),
        );
        let event_types = self.texts.options(
            "f_event_type",
            any,
            participants::event_types(conn)?
                .into_iter()
                .map(|t| (t.clone(), clean(&t))),
        );
        let consent = self.texts.options(
            "f_consent",
            any,
            [
                ("yes".to_string(), tr(lang, "word.yes").to_string()),
                ("no".to_string(), tr(lang, "word.no").to_string()),
            ],
        );
        let choice = |key: &str, options: Vec<(String, String)>| {
            FormField::choice(key, tr(lang, &format!("batch.{key}")), any, options, false)
        };
        Ok(vec![
            choice("f_kind", kinds),
            choice("f_programme", programmes),
            choice("f_collaborator", collaborators)
                .with_help(tr(lang, "batch.f_collaborator_help")),
            choice("f_event_type", event_types).with_help(tr(lang, "batch.f_event_type_help")),
            FormField::text("f_from", tr(lang, "batch.f_from"), "")
                .with_help(tr(lang, "batch.f_from_help")),
            FormField::text("f_to", tr(lang, "batch.f_to"), "")
                .with_help(tr(lang, "batch.f_to_help")),
            choice("f_consent", consent),
            FormField::info("matching", tr(lang, "batch.matching"), "")
                .with_help(tr(lang, "batch.matching_help")),
        ])
    }

    /// Reads the filter fields; `Err` names the field refused and why.
    fn read_filter(&self, act: &Act) -> std::result::Result<FilterInput, (&'static str, String)> {
        let Some(form) = &self.form else {
            return Ok(FilterInput::default());
        };
        let today = act.fmt.local_date(act.now);
        let date =
            |key: &'static str| -> std::result::Result<Option<NaiveDate>, (&'static str, String)> {
                let text = form.value(key).trim();
                if text.is_empty() {
                    return Ok(None);
                }
                crate::tui::dates::parse_day_in_year(text, today)
                    .map(Some)
                    .ok_or_else(|| {
                        (
                            key,
                            trf(act.lang(), "batch.bad_date", &[("input", &clean(text))]),
                        )
                    })
            };
        let (from, to) = (date("f_from")?, date("f_to")?);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err((
                "f_to",
                trf(
                    act.lang(),
                    "batch.bad_period",
                    &[("from", &act.fmt.date(f))],
                ),
            ));
        }
        Ok(FilterInput {
            kind: self.texts.value("f_kind", form.value("f_kind")),
            programme: self.texts.value("f_programme", form.value("f_programme")),
            collaborator_id: self
                .named
                .id("f_collaborator", form.value("f_collaborator")),
            event_type: self.texts.value("f_event_type", form.value("f_event_type")),
            from,
            to,
            consent: match self
                .texts
                .value("f_consent", form.value("f_consent"))
                .as_deref()
            {
                Some("yes") => ConsentFilter::Yes,
                Some("no") => ConsentFilter::No,
                _ => ConsentFilter::Any,
            },
        })
    }

    /// A filter changed: counts the participants it matches (the line under the filters),
    /// or says which date is not understood.
    fn recount(&mut self, act: &mut Act) -> Result<()> {
        let read = self.read_filter(act);
        let lang = act.lang();
        let (line, error) = match read {
            Err((key, e)) => (
                tr(lang, "batch.matching_unknown").to_string(),
                Some((key, e)),
            ),
            Ok(input) => match batch::count_filtered(act.store, &input) {
                Ok(n) => {
                    let key = if input.is_empty() {
                        "batch.matching_none"
                    } else {
                        "batch.matching_count"
                    };
                    (trf(lang, key, &[("n", &thousands(n))]), None)
                }
                Err(crate::core::CoreError::Store(e)) => return Err(e),
                Err(e) => (
                    tr(lang, "batch.matching_unknown").to_string(),
                    Some(("f_to", crate::i18n::Describe::describe(&e, lang))),
                ),
            },
        };
        let Some(form) = &mut self.form else {
            return Ok(());
        };
        for key in ["f_from", "f_to"] {
            if let Some(f) = form.field_mut(key) {
                f.error = None;
            }
        }
        if let Some((key, e)) = error
            && let Some(f) = form.field_mut(key)
        {
            f.error = Some(e);
        }
        if let Some(f) = form.field_mut("matching") {
            f.value = line;
        }
        Ok(())
    }

    /// Enter on the count line: the participants the filters match join the recipients
    /// (each once, whatever else chose them).
    fn add_filtered(&mut self, act: &mut Act) -> Outcome {
        let lang = act.lang();
        let input = match self.read_filter(act) {
            Ok(i) => i,
            Err((_, e)) => return Outcome::Error(e),
        };
        let ids = match batch::filter_participants(act.store, act.actor, &input) {
            Ok(ids) => ids,
            Err(e) => return Outcome::failed(&e, act.lang()),
        };
        let mut new = 0usize;
        for id in ids {
            if self.added_set.insert(id) {
                self.added.push(id);
                new += 1;
            }
        }
        let total = self.sync_title();
        Outcome::Info(trf(
            lang,
            "batch.filter_added",
            &[
                ("n", &thousands(new as i64)),
                ("total", &thousands(total as i64)),
            ],
        ))
    }

    /// Del on the count line: forgets the participants the filters added.
    fn forget_filtered(&mut self) -> Outcome {
        let n = self.added.len();
        self.added.clear();
        self.added_set.clear();
        self.sync_title();
        Outcome::Info(trf(
            self.lang,
            "batch.filter_forgotten",
            &[("n", &thousands(n as i64))],
        ))
    }

    /// The chosen saved list changed: reads its members (for the count of recipients).
    fn load_list(&mut self, act: &Act) -> Result<()> {
        let list = self
            .form
            .as_ref()
            .and_then(|f| self.named.id("list", f.value("list")));
        self.list_ids = match list {
            Some(id) => participants::list_member_ids(act.store.db(), id)?,
            None => Vec::new(),
        };
        self.sync_title();
        Ok(())
    }

    /// Every recipient chosen so far, each once: one by one, by filters, then the saved
    /// list's members.
    fn selection(&self) -> Vec<i64> {
        let mut seen = HashSet::new();
        self.chosen
            .iter()
            .map(|(id, _)| *id)
            .chain(self.added.iter().copied())
            .chain(self.list_ids.iter().copied())
            .filter(|id| seen.insert(*id))
            .collect()
    }

    /// Recipients chosen one by one or by filters are lost with the form too: it names them
    /// when Esc or quitting asks (the saved list is a field of its own).
    fn sync_loss(&mut self) {
        let n = self
            .chosen
            .iter()
            .map(|(id, _)| *id)
            .chain(self.added.iter().copied())
            .collect::<HashSet<_>>()
            .len();
        let lang = self.lang;
        if let Some(form) = &mut self.form {
            form.extra_loss = if n == 0 {
                Vec::new()
            } else {
                vec![trf(lang, "batch.lost_recipients", &[("n", &n.to_string())])]
            };
        }
    }

    fn has_selection(&self) -> bool {
        !(self.chosen.is_empty() && self.added.is_empty() && self.list_ids.is_empty())
    }

    /// The form's title says how many recipients are chosen; returns that number.
    fn sync_title(&mut self) -> usize {
        let n = self.selection().len();
        if let Some(form) = &mut self.form {
            form.title = if n == 0 {
                tr(self.lang, "batch.title").to_string()
            } else {
                trf(
                    self.lang,
                    "batch.title_count",
                    &[("n", &thousands(n as i64))],
                )
            };
        }
        n
    }

    /// The search field changed: match participants by name or number as the operator types.
    fn search(&mut self, act: &mut Act) -> Result<()> {
        let Some(form) = &mut self.form else {
            return Ok(());
        };
        let text = form.value("search").trim().to_string();
        self.matches = participant_matches(act, &text)?;
        let help = if text.is_empty() {
            tr(act.lang(), "batch.search_help").to_string()
        } else if self.matches.is_empty() {
            tr(act.lang(), "batch.no_match").to_string()
        } else {
            let names: Vec<String> = self.matches.iter().map(|(_, l)| l.clone()).collect();
            trf(
                act.lang(),
                "batch.matches",
                &[("first", &names[0]), ("others", &names[1..].join(" · "))],
            )
        };
        if let Some(f) = form.field_mut("search") {
            f.help = help;
        }
        Ok(())
    }

    /// Enter in the search field: the first match joins the chosen recipients.
    fn add_first_match(&mut self) {
        let Some((first, label)) = self.matches.first().cloned() else {
            return;
        };
        if !self.chosen.iter().any(|(id, _)| *id == first) {
            self.chosen.push((first, label));
        }
        self.matches.clear();
        self.sync_chosen(Some(first));
        self.sync_title();
        if let Some(form) = &mut self.form
            && let Some(f) = form.field_mut("search")
        {
            f.value.clear();
            f.help = tr(self.lang, "batch.search_help").to_string();
        }
    }

    /// Removes the chosen recipient shown in the "chosen" field.
    fn remove_shown(&mut self) {
        let Some(form) = &self.form else {
            return;
        };
        let shown = self.named.id("chosen", form.value("chosen"));
        self.chosen.retain(|(id, _)| Some(*id) != shown);
        let next = self.chosen.last().map(|(id, _)| *id);
        self.sync_chosen(next);
        self.sync_title();
    }

    /// The "chosen" field lists the chosen recipients (← → to look through them).
    fn sync_chosen(&mut self, show: Option<i64>) {
        let n = self.chosen.len();
        let options = self.named.options(
            "chosen",
            None,
            self.chosen
                .iter()
                .enumerate()
                .map(|(i, (id, name))| (*id, format!("{}/{n} {name}", i + 1))),
        );
        let shown = show
            .and_then(|id| self.chosen.iter().position(|(c, _)| *c == id))
            .and_then(|i| options.get(i))
            .map(|(v, _)| v.clone())
            .unwrap_or_default();
        if let Some(form) = &mut self.form
            && let Some(f) = form.field_mut("chosen")
        {
            f.kind = crate::tui::widgets::form::FieldKind::Choice {
                options,
                free: false,
            };
            f.value = shown;
        }
    }

    /// The save-as-list key: asks a name, then the core saves every recipient chosen so far
    /// (list members, filter matches, one-by-one picks, each once) as a new saved list. The
    /// form stays open.
    fn ask_save_list(&self, act: &Act) -> Outcome {
        let lang = act.lang();
        let ids = self.selection();
        if ids.is_empty() {
            return Outcome::Error(tr(lang, "batch.save_list_empty").to_string());
        }
        let n = thousands(ids.len() as i64);
        let initial = self
            .form
            .as_ref()
            .map(|f| f.value("name").trim().to_string())
            .unwrap_or_default();
        let lines = vec![Line::from(trf(
            lang,
            "batch.save_list_question",
            &[("n", &n)],
        ))];
        Outcome::Confirm(
            Confirm::new(
                tr(lang, "batch.save_list_title").to_string(),
                lines,
                Pending::SaveList {
                    ids,
                    saved: "batch.list_saved",
                },
            )
            .with_input(tr(lang, "batch.list_name").to_string(), initial),
        )
    }

    /// Reads `form` into the core's input; `Err` is the message shown under the form.
    fn read_form(
        &self,
        form: &Form,
        act: &Act,
    ) -> std::result::Result<(BatchInput, Option<NaiveDateTime>, String), Problem> {
        let today = act.fmt.local_date(act.now);
        let parse = |key: &str| parse_optional_time(form.value(key), today);
        let at = parse("at")?;
        // What is in the box leaves: the template untouched, else the text as typed.
        let body = form
            .composer
            .as_ref()
            .map_or(Body::Text(String::new()), Composer::body);
        let input = BatchInput {
            name: form.value("name").trim().to_string(),
            participants: self
                .chosen
                .iter()
                .map(|(id, _)| *id)
                .chain(self.added.iter().copied())
                .collect(),
            lists: self
                .named
                .id("list", form.value("list"))
                .into_iter()
                .collect(),
            // A campaign records no interview: its fields are neither shown nor asked.
            interview: if self.records_interview() {
                Some(InterviewInput {
                    starts_local: parse("starts")?,
                    collaborator_id: self.named.id("collaborator", form.value("collaborator")),
                    interview_type: form.value("type").to_string(),
                    theme: form.value("theme").to_string(),
                    outcome: form.value("outcome").to_string(),
                    location: form.value("location").to_string(),
                    channel: form.value("channel").to_string(),
                    programme: form.value("programme").to_string(),
                    summary: form.value("summary").to_string(),
                })
            } else {
                None
            },
            body,
            campaign: form.value("campaign") == "yes",
        };
        Ok((input, at, form.value("at").trim().to_string()))
    }

    /// Saving the form: the core previews the batch (or says what is missing).
    fn show_preview(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(form) = &self.form else {
            return Ok(Outcome::Handled);
        };
        let read = self.read_form(form, act);
        let Some(form) = &mut self.form else {
            return Ok(Outcome::Handled);
        };
        let (input, at, _) = match read {
            Ok(r) => r,
            Err(e) => {
                form.message = Some(e.describe(act.lang()));
                return Ok(Outcome::Handled);
            }
        };
        match batch::preview_batch(act.store, act.actor, &input) {
            Ok(p) => {
                self.preview = Some(Preview {
                    input,
                    at,
                    rows: p.rows,
                    balance: p.totals.balance,
                    pricing: crate::store::credit::pricing(act.store.db())?,
                    unticked: HashSet::new(),
                    sel: Selection::default(),
                });
                Ok(Outcome::Handled)
            }
            Err(e) => {
                form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                Ok(Outcome::Handled)
            }
        }
    }

    /// `Ctrl-t` in the preview: the composer's transliteration of the text every recipient
    /// gets, then the preview again, with what was unticked and the cursor kept.
    fn transliterate_for_all(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        let changed = self.form.as_mut().is_some_and(Form::transliterate);
        if !changed {
            return Ok(Outcome::Info(
                tr(lang, "composer.transliterate_nothing").to_string(),
            ));
        }
        let kept = self.preview.take().map(|p| (p.unticked, p.sel));
        self.show_preview(act)?;
        if let (Some(p), Some((unticked, sel))) = (&mut self.preview, kept) {
            p.unticked = unticked;
            p.sel = sel;
        }
        if self.preview.is_none() {
            // The form says why the new text cannot be previewed.
            return Ok(Outcome::Handled);
        }
        Ok(Outcome::Info(
            tr(lang, "composer.transliterated_all").to_string(),
        ))
    }

    /// Validating the preview: one more question, then the core queues it.
    fn ask_queue(&self, act: &Act) -> Outcome {
        let Some(p) = &self.preview else {
            return Outcome::Handled;
        };
        let lang = act.lang();
        let t = p.ticked();
        if t.messages == 0 {
            return Outcome::Error(tr(lang, "batch.nothing").to_string());
        }
        let settings = match Settings::load(act.store.db()) {
            Ok(s) => s,
            Err(e) => return Outcome::Error(e.describe(lang)),
        };
        let when = match departure(&settings, act.now, p.at, p.input.campaign, act.fmt) {
            Ok(when) => when,
            Err(e) => return Outcome::Error(e.describe(lang)),
        };
        let sent: Vec<&BatchRow> = p
            .rows
            .iter()
            .filter(|r| r.is_sendable() && !p.unticked.contains(&r.participant_id))
            .collect();
        let (low, high) = sent.iter().fold((usize::MAX, 0), |(lo, hi), r| {
            (lo.min(r.segments), hi.max(r.segments))
        });
        let mut encodings: Vec<String> = sent
            .iter()
            .filter_map(|r| r.encoding.map(|e| e.describe(lang)))
            .collect();
        encodings.dedup();
        encodings.sort();
        encodings.dedup();
        let example = sent.first();
        let facts = SendFacts {
            recipients: t.messages,
            one: example.map_or_else(String::new, |r| {
                let number = r.phone.as_deref().map(|ph| phone(ph, act.region));
                match number {
                    Some(n) => format!("{} ({n})", r.name),
                    None => r.name.clone(),
                }
            }),
            each: if low == high {
                high.to_string()
            } else {
                format!("{low}–{high}")
            },
            segments: t.segments,
            encoding: encodings.join(" / "),
            balance_after: t.balance_after,
            when,
            money: SendMoney::of(&p.pricing, t.segments as i64),
            text: example.and_then(|r| r.text.clone()).unwrap_or_default(),
        };
        let mut lines = vec![Line::from(tr(
            lang,
            if p.input.interview.is_some() {
                "batch.confirm_interviews"
            } else {
                "batch.confirm_no_interview"
            },
        ))];
        lines.push(Line::from(Span::styled(
            trf(
                lang,
                "batch.confirm_left_out",
                &[
                    ("unticked", &t.unticked.to_string()),
                    ("errors", &t.errors.to_string()),
                ],
            ),
            act.theme.dim(),
        )));
        if let Some(r) = example.filter(|_| sent.len() > 1) {
            // Texts differ per recipient: say whose text is shown.
            lines.push(Line::from(Span::styled(
                trf(lang, "batch.confirm_text_of", &[("name", &clean(&r.name))]),
                act.theme.dim(),
            )));
        }
        let input = p.input.clone();
        let unticked: Vec<i64> = p.unticked.iter().copied().collect();
        let at = p.at;
        Outcome::Confirm(Confirm::send(
            tr(lang, "batch.confirm_title").to_string(),
            &facts,
            lines,
            Pending::SendBatch {
                input: Box::new(input),
                unticked,
                at,
            },
            lang,
            act.theme,
        ))
    }

    /// A key while the preview is shown: move, untick, look at one text, validate, go back.
    fn preview_key(&mut self, key: &KeyEvent, act: &mut Act) -> Outcome {
        let editor = act.keymap.editor(key);
        let list = act.keymap.list(key);
        match (editor, list) {
            (Some(EditorAction::Save), _) => return self.ask_queue(act),
            (Some(EditorAction::Close), _) => {
                self.preview = None;
                return Outcome::Handled;
            }
            _ => {}
        }
        let Some(p) = &mut self.preview else {
            return Outcome::Handled;
        };
        let len = p.rows.len();
        match list {
            Some(ListAction::Select) | Some(ListAction::Toggle) => {
                if let Some(r) = p.rows.get(p.sel.selected) {
                    if r.is_sendable() {
                        let id = r.participant_id;
                        if !p.unticked.remove(&id) {
                            p.unticked.insert(id);
                        }
                    }
                    p.sel.selected = (p.sel.selected + 1).min(len.saturating_sub(1));
                }
                Outcome::Handled
            }
            Some(ListAction::Open) => match p.rows.get(p.sel.selected) {
                Some(r) => {
                    let mut lines = Vec::new();
                    if let Some(ph) = &r.phone {
                        lines.push(Line::from(phone(ph, act.region)));
                    }
                    if r.error.is_some() {
                        lines.push(Line::from(Span::styled(
                            format!("✖ {}", row_error(r, act.lang())),
                            act.theme.error(),
                        )));
                    }
                    if let Some(text) = &r.text {
                        lines.push(Line::from(""));
                        for l in crate::text::sanitize_multiline(text).lines() {
                            lines.push(Line::from(l.to_string()));
                        }
                        lines.push(Line::from(""));
                        lines.push(Line::from(Span::styled(
                            format!(
                                "{} · {} · {} SMS",
                                r.encoding
                                    .map(|e| e.describe(act.lang()))
                                    .unwrap_or_default(),
                                r.chars,
                                r.segments
                            ),
                            act.theme.dim(),
                        )));
                        if let Some(cause) = unicode_cause(text, act.lang()) {
                            lines.push(Line::from(Span::styled(cause, act.theme.warn())));
                        }
                    }
                    Outcome::Popup(clean(&r.name), lines)
                }
                None => Outcome::Handled,
            },
            Some(a) => p.sel.action(a, len).unwrap_or(Outcome::Handled),
            None => Outcome::Handled,
        }
    }

    fn draw_preview(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let Some(p) = &self.preview else {
            return;
        };
        frame.render_widget(Clear, area);
        let title = if p.input.name.is_empty() {
            ctx.tr("batch.preview_title").to_string()
        } else {
            format!(
                "{} · {}",
                ctx.tr("batch.preview_title"),
                clean(&p.input.name)
            )
        };
        let block = titled_block(&title, area.width, ctx.theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if inner.height < 3 {
            return;
        }
        let t = p.ticked();
        let after_style = if t.balance_after < 0 {
            ctx.theme.error()
        } else {
            ctx.theme.ok()
        };
        let totals = Line::from(vec![
            Span::raw(trf(
                ctx.lang(),
                "batch.totals",
                &[
                    ("messages", &thousands(t.messages as i64)),
                    ("segments", &thousands(t.segments as i64)),
                ],
            )),
            Span::styled(
                trf(
                    ctx.lang(),
                    "batch.after",
                    &[("after", &thousands(t.balance_after))],
                ),
                after_style,
            ),
            Span::styled(
                trf(
                    ctx.lang(),
                    "batch.left_out",
                    &[
                        ("unticked", &t.unticked.to_string()),
                        ("errors", &t.errors.to_string()),
                    ],
                ),
                ctx.theme.dim(),
            ),
        ]);
        frame.render_widget(Paragraph::new(totals), Rect { height: 1, ..inner });
        // What it costs in money, on a line of its own, where the packs' prices say.
        let money = SendMoney::of(&p.pricing, t.segments as i64);
        let mut top = 1;
        if let Some(cost) = &money.cost {
            let mut spans = vec![Span::styled(
                trf(
                    ctx.lang(),
                    "batch.cost_money",
                    &[("cost", &cost.show(ctx.lang()))],
                ),
                ctx.theme.title(),
            )];
            if let Some(after) = &money.after {
                spans.push(Span::styled(
                    trf(
                        ctx.lang(),
                        "batch.after_money",
                        &[("after", &after.show(ctx.lang()))],
                    ),
                    after_style,
                ));
            }
            frame.render_widget(
                Paragraph::new(Line::from(spans)),
                Rect {
                    y: inner.y + 1,
                    height: 1,
                    ..inner
                },
            );
            top = 2;
        }
        let table = Rect {
            y: inner.y + top,
            height: inner.height - top,
            ..inner
        };
        let cols = [
            Col::new("", 1, 0),
            Col::new(ctx.tr("col.name"), 16, 0),
            Col::fill(ctx.tr("col.text"), 12, 1),
            Col::new(ctx.tr("batch.chars"), 5, 2),
            Col::new(ctx.tr("col.segments"), 3, 0),
            Col::fill(ctx.tr("batch.error"), 14, 0),
        ];
        let height = body_height(table);
        let offset = p.sel.offset;
        // Only the rows on screen are built (a batch may have thousands).
        let cells = p
            .rows
            .iter()
            .skip(offset)
            .take(height)
            .map(|r| {
                let (mark, style) = if !r.is_sendable() {
                    ("✖", ctx.theme.error())
                } else if p.unticked.contains(&r.participant_id) {
                    ("☐", ctx.theme.dim())
                } else {
                    ("✓", ctx.theme.ok())
                };
                let text = r
                    .text
                    .as_deref()
                    .map(|t| clean(&t.replace('\n', " ")))
                    .unwrap_or_default();
                // Why it cannot leave, else why it costs more.
                let note = match (&r.error, r.text.as_deref()) {
                    (None, Some(t)) => unicode_cause(t, ctx.lang())
                        .map(|c| styled(c, ctx.theme.warn()))
                        .unwrap_or_else(|| styled(String::new(), ctx.theme.base())),
                    _ => styled(row_error(r, ctx.lang()), ctx.theme.error()),
                };
                vec![
                    styled(mark, style),
                    styled(clean(&r.name), style),
                    styled(text, ctx.theme.dim()),
                    styled(r.chars.to_string(), ctx.theme.base()),
                    styled(r.segments.to_string(), ctx.theme.base()),
                    note,
                ]
            })
            .collect();
        let selected = (!p.rows.is_empty()).then_some(p.sel.selected.saturating_sub(offset));
        draw_table(frame, table, ctx, &cols, cells, selected, 0);
    }
}

/// `Élodie MARTIN (06 12 34 56 78)`: enough to tell two homonyms apart.
/// What a participant search field offers under it: the first participants matching `text`
/// by name or number, as (id, label); none for an empty text.
pub(super) fn participant_matches(act: &Act, text: &str) -> Result<Vec<(i64, String)>> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let found = participants::page(
        act.store.db(),
        text,
        crate::store::page::Page::forward(None, MATCHES),
    )?;
    Ok(found
        .iter()
        .map(|p| (p.id, participant_label(p, act.region)))
        .collect())
}

fn participant_label(p: &Participant, region: &str) -> String {
    let name = clean(format!("{} {}", p.first_name, p.last_name.to_uppercase()).trim());
    match &p.mobile {
        Some(m) => format!("{name} ({})", phone(m, region)),
        None => name,
    }
}

/// The "no collaborator" choice.
pub(super) const NO_COLLABORATOR: &str = "—";

/// The collaborators by name ("—": none), their ids kept in `named`.
pub(super) fn collaborator_options(
    conn: Db<'_>,
    named: &mut Named,
) -> Result<Vec<(String, String)>> {
    Ok(named.options(
        "collaborator",
        Some(NO_COLLABORATOR),
        participants::collaborators(conn)?
            .into_iter()
            .map(|c| (c.id, clean(&c.full_name()))),
    ))
}

/// The start of the event an agenda or batch form records, labelled by `label` (a catalogue
/// key), with the accepted date formats as help.
pub(super) fn starts_field(lang: Lang, label: &str) -> FormField {
    FormField::text("starts", tr(lang, label), "").with_help(tr(lang, "batch.starts_help"))
}

/// The collaborator choice of an event or batch form, set to `value`.
pub(super) fn collaborator_field(
    lang: Lang,
    value: &str,
    options: Vec<(String, String)>,
) -> FormField {
    FormField::choice(
        "collaborator",
        tr(lang, "batch.collaborator"),
        value,
        options,
        false,
    )
}

/// The template choice of a form with a composer (kept with it by [`sync_template`]).
pub(super) fn template_field(lang: Lang, value: &str, options: Vec<(String, String)>) -> FormField {
    FormField::choice(
        "template",
        tr(lang, "agenda.template"),
        value,
        options,
        false,
    )
    .with_help(tr(lang, "agenda.template_help"))
}

/// Keeps a form's template field and its box together: a template chosen in the field fills
/// the box (editable unless locked or "templates only"); one picked from the box (Ctrl-o)
/// shows in the field.
pub(super) fn sync_template(form: &mut Form, named: &Named) {
    let field = named.id("template", form.value("template"));
    let box_focused = form.composer_focused();
    let Some(c) = form.composer.as_mut() else {
        return;
    };
    let picked = c.chosen_template();
    if field == picked {
        return;
    }
    if !box_focused {
        c.choose_template(field);
        return;
    }
    let Some(f) = form.field_mut("template") else {
        return;
    };
    if let (Some(id), FieldKind::Choice { options, .. }) = (picked, &f.kind)
        && let Some((v, _)) = options
            .iter()
            .find(|(v, _)| named.id("template", v) == Some(id))
    {
        f.value = v.clone();
    }
}

impl TabView for BatchTab {
    super::lists::history_with_form!();

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if self.preview.is_some() {
            if act.keymap.editor(key) == Some(EditorAction::Transliterate) {
                return self.transliterate_for_all(act);
            }
            return Ok(self.preview_key(key, act));
        }
        self.sync_loss();
        let asking = self.form.as_ref().is_some_and(Form::asking);
        if self.form.is_some() && !asking && act.keymap.editor(key) == Some(EditorAction::SaveList)
        {
            return Ok(self.ask_save_list(act));
        }
        let Some(form) = &mut self.form else {
            return Ok(Outcome::Ignored);
        };
        let focused = form
            .fields
            .get(form.focus)
            .map(|f| f.key.clone())
            .unwrap_or_default();
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        // While the form asks "abandon?", every key answers it.
        let focused = if asking { "" } else { focused.as_str() };
        match (focused, key.code) {
            ("search", KeyCode::Enter) if plain => {
                self.add_first_match();
                return Ok(Outcome::Handled);
            }
            ("chosen", KeyCode::Backspace | KeyCode::Delete) if plain => {
                self.remove_shown();
                return Ok(Outcome::Handled);
            }
            ("matching", KeyCode::Enter) if plain => {
                return Ok(self.add_filtered(act));
            }
            ("matching", KeyCode::Backspace | KeyCode::Delete) if plain => {
                return Ok(self.forget_filtered());
            }
            _ => {}
        }
        let Some(form) = &mut self.form else {
            return Ok(Outcome::Ignored);
        };
        match form.key(key, act.keymap) {
            FormKey::Save => self.show_preview(act),
            FormKey::Close => {
                self.form = None;
                self.preview = None;
                Ok(Outcome::Handled)
            }
            FormKey::Changed(i) => {
                form.message = None;
                let changed = form.fields.get(i).map(|f| f.key.clone());
                match changed.as_deref() {
                    Some("search") => self.search(act)?,
                    Some("list") => self.load_list(act)?,
                    Some("context") => self.sync_context(),
                    Some(k) if FILTER_FIELDS.contains(&k) => self.recount(act)?,
                    _ => {}
                }
                if let Some(form) = &mut self.form {
                    sync_template(form, &self.named);
                }
                Ok(Outcome::Handled)
            }
            FormKey::Handled => {
                sync_template(form, &self.named);
                Ok(Outcome::Handled)
            }
        }
    }

    fn paste(&mut self, text: &str, act: &mut Act) {
        if self.preview.is_some() {
            return;
        }
        if let Some(form) = &mut self.form
            && let Some(i) = form.paste(text)
            && form.fields.get(i).is_some_and(|f| f.key == "search")
        {
            let _ = self.search(act);
        }
    }

    fn edit_hints(&self) -> super::EditHints {
        if let Some(p) = &self.preview {
            let mut bound = vec![
                Action::List(ListAction::Select),
                Action::List(ListAction::Open),
                Action::Editor(EditorAction::Send),
            ];
            // Offered where it helps, first with the send key so that a cut footer keeps
            // both: some row travels in Unicode.
            if p.rows.iter().any(|r| r.encoding == Some(Encoding::Ucs2)) {
                bound = vec![
                    Action::Editor(EditorAction::Transliterate),
                    Action::Editor(EditorAction::Send),
                    Action::List(ListAction::Select),
                    Action::List(ListAction::Open),
                ];
            }
            bound.push(Action::Editor(EditorAction::Close));
            return (bound, Vec::new());
        }
        match &self.form {
            Some(form) => {
                let (mut bound, mut free) = form.hints(self.lang);
                // Where the footer has room: on a text field, once something is chosen.
                let on_text = form.fields.get(form.focus).is_some_and(|f| {
                    f.kind == crate::tui::widgets::form::FieldKind::Text && f.key != "search"
                });
                if on_text && self.has_selection() {
                    bound.push(Action::Editor(EditorAction::SaveList));
                }
                // Enter and Del are offered when they have something to add or remove.
                match form.fields.get(form.focus).map(|f| f.key.as_str()) {
                    Some("search") if !self.matches.is_empty() => {
                        free.push(("Enter".into(), tr(self.lang, "batch.add").into()));
                    }
                    Some("chosen") if !self.chosen.is_empty() => {
                        free.push(("Del".into(), tr(self.lang, "batch.remove").into()));
                    }
                    Some("matching") => {
                        free.push(("Enter".into(), tr(self.lang, "batch.add_all").into()));
                        free.push(("Del".into(), tr(self.lang, "batch.forget").into()));
                    }
                    _ => {}
                }
                (bound, free)
            }
            None => (Vec::new(), Vec::new()),
        }
    }

    fn notice(&self) -> Option<String> {
        self.form.as_ref().and_then(|f| f.message.clone())
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        lost_in([self.form.as_ref()], lang)
    }

    /// The batch was queued: the form closes and the history shows it. The selection was
    /// saved as a list: the form stays, its list choice offering the new one.
    fn after_change(&mut self, ctx: &Ctx) -> Result<()> {
        if self.list_saved.take().is_some() {
            let options = self.list_options(ctx.conn, ctx.lang())?;
            if let Some(form) = &mut self.form
                && let Some(f) = form.field_mut("list")
            {
                if !options.iter().any(|(v, _)| *v == f.value) {
                    f.value = tr(ctx.lang(), "batch.no_list").to_string();
                }
                f.kind = crate::tui::widgets::form::FieldKind::Choice {
                    options,
                    free: false,
                };
            }
            return Ok(());
        }
        self.form = None;
        self.preview = None;
        self.forget_recipients();
        self.history.refresh(ctx).map(|_| ())
    }

    fn confirmed(&mut self, done: &Done) {
        if done.list.is_some() {
            self.list_saved = done.list;
        }
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = ctx.lang();
        self.sync_loss();
        self.history.layout(area, ctx);
        if let Some(p) = &mut self.preview {
            // The table under the totals line, inside the border (see `draw_preview`).
            let inner = Block::default().borders(Borders::ALL).inner(area);
            if inner.height >= 3 {
                let table = Rect {
                    y: inner.y + 1,
                    height: inner.height - 1,
                    ..inner
                };
                p.sel.viewport(body_height(table), p.rows.len());
            }
        } else if let Some(form) = &mut self.form {
            form.layout(area, ctx.theme);
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.history.draw(frame, area, ctx);
        if self.preview.is_some() {
            self.draw_preview(frame, area, ctx);
        } else if let Some(form) = &self.form {
            form.draw(frame, area, ctx.theme, ctx.lang());
        }
    }
}
