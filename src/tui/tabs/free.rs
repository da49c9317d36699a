//! Free: one plain text to many numbers, from a spreadsheet's `TELEPHONE` column or typed /
//! pasted. The form (`n`) takes the recipients, the time and the campaign flag, the composer
//! the text; saving shows the preview (valid, duplicates removed, invalid rows with their
//! reason, totals) in a confirmation, and "yes" queues it through `core::send::queue_free`.
//! Below, the history of free sends.

use super::lists::HistoryTab;
use super::{Act, Ctx, Outcome, TabView};
use crate::core::import::check_phone_cells;
use crate::core::send::{self, FreeList, FreeSend};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::io::import::{FileNotice, ImportError, ReadPanic, read_phone_column};
use crate::keymap::ListAction;
use crate::sms::template::TemplateContext;
use crate::store::settings::Settings;
use crate::store::{Result, Store};
use crate::tui::dates::parse_optional_time;
use crate::tui::fmt::{clean, expand_home, phone, thousands};
use crate::tui::jobs::{JobId, JobUpdate, Jobs};
use crate::tui::pending::Pending;
use crate::tui::problem::Problem;
use crate::tui::widgets::composer::{Composer, ComposerSetup, TemplateChoice};
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::form::{Form, FormField, FormKey, form_hints, lost_in};
use crate::tui::widgets::send_confirm::{SendFacts, SendMoney, departure};
use chrono::NaiveDateTime;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::path::PathBuf;

/// Invalid rows listed in the preview before "and N more" (the list scrolls).
const SHOWN_INVALID: usize = 500;

pub struct FreeTab {
    history: HistoryTab,
    form: Option<Form>,
    /// The recipients file being read, when there is one.
    reading: Option<ReadJob>,
    lang: Lang,
}

impl FreeTab {
    pub fn new() -> Self {
        FreeTab {
            history: HistoryTab::new("free"),
            form: None,
            reading: None,
            lang: Lang::En,
        }
    }

    fn open_form(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        if !act.actor.rights.can_free() {
            return Ok(Outcome::Error(tr(lang, "free.no_right").to_string()));
        }
        let settings = Settings::load(act.store.db())?;
        let fields = vec![
            FormField::text("recipients", tr(lang, "free.recipients"), "")
                .with_help(tr(lang, "free.recipients_help")),
            FormField::text("at", tr(lang, "free.at"), "").with_help(tr(lang, "free.at_help")),
            FormField::toggle("campaign", tr(lang, "free.campaign"), false)
                .with_help(tr(lang, "free.campaign_help")),
        ];
        let mut composer = Composer::new(
            ComposerSetup::from_settings(&settings, TemplateContext::Free, true, false),
            lang,
            act.theme,
        );
        // Saved plain texts fill the box; it leaves as typed (a free send takes no template).
        composer.set_templates(
            TemplateChoice::active(act.store.db(), &[TemplateContext::Free])?,
            act.actor.rights.can_write_text(),
        );
        self.form = Some(
            Form::new(tr(lang, "free.title"), fields)
                .with_composer(composer)
                .sending(),
        );
        Ok(Outcome::Handled)
    }

    /// Reads and checks the recipients, counts the cost, and asks before queuing. A file is
    /// read on its own thread (a large one takes seconds); [`TabView::poll`] shows its
    /// progress and then the same preview.
    fn preview(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(form) = &mut self.form else {
            return Ok(Outcome::Handled);
        };
        let lang = act.lang();
        if self.reading.is_some() {
            return Ok(Outcome::Handled);
        }
        let input = form.value("recipients").trim().to_string();
        let at = match parse_optional_time(form.value("at"), act.fmt.local_date(act.now)) {
            Ok(at) => at,
            Err(why) => {
                form.message = Some(why.describe(lang));
                return Ok(Outcome::Handled);
            }
        };
        let draft = Draft {
            text: form.composer.as_ref().map(|c| c.text()).unwrap_or_default(),
            at,
            campaign: form.value("campaign") == "yes",
        };
        match recipients_source(&input) {
            Source::File(path, name) => {
                form.message = Some(trf(lang, "free.reading", &[("file", &clean(&name))]));
                self.reading = Some(ReadJob::start(&act.jobs, act.store, path, name, draft));
                Ok(Outcome::Handled)
            }
            Source::Typed(lines) => match send::check_free_list(act.store, &lines) {
                Ok(checked) => self.confirm(act, draft, checked, "typed".to_string(), &[]),
                Err(e) => {
                    form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                    Ok(Outcome::Handled)
                }
            },
        }
    }

    /// The preview of a checked list: counts, invalid rows, totals, time; "yes" queues.
    fn confirm(
        &mut self,
        act: &mut Act,
        draft: Draft,
        checked: FreeList,
        source: String,
        notices: &[FileNotice],
    ) -> Result<Outcome> {
        let Some(form) = &mut self.form else {
            return Ok(Outcome::Handled);
        };
        let lang = act.lang();
        let (final_text, totals) =
            match send::free_totals(act.store, &draft.text, checked.valid.len()) {
                Ok(t) => t,
                Err(e) => {
                    form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                    return Ok(Outcome::Handled);
                }
            };
        let settings = Settings::load(act.store.db())?;
        let when = match departure(&settings, act.now, draft.at, draft.campaign, act.fmt) {
            Ok(when) => when,
            Err(e) => {
                form.message = Some(e.describe(lang));
                return Ok(Outcome::Handled);
            }
        };
        form.message = None;
        let mut body = vec![Line::from(trf(
            lang,
            "free.counts",
            &[
                ("valid", &thousands(checked.valid.len() as i64)),
                ("duplicates", &thousands(checked.duplicates.len() as i64)),
                ("invalid", &thousands(checked.invalid.len() as i64)),
            ],
        ))];
        // About the file as a whole (e.g. a CSV read as Windows-1252): before the rows.
        for n in notices {
            body.push(Line::from(Span::styled(
                clean(&n.describe(lang)),
                act.theme.warn(),
            )));
        }
        for line in checked.invalid.iter().take(SHOWN_INVALID) {
            body.push(Line::from(Span::styled(
                trf(
                    lang,
                    "free.invalid_row",
                    &[
                        ("row", &line.row.to_string()),
                        ("input", &clean(&line.input)),
                        ("why", &clean(&line.error.describe(lang))),
                    ],
                ),
                act.theme.warn(),
            )));
        }
        if checked.invalid.len() > SHOWN_INVALID {
            body.push(Line::from(trf(
                lang,
                "free.more_invalid",
                &[("n", &(checked.invalid.len() - SHOWN_INVALID).to_string())],
            )));
        }
        // Why it costs more, and how to fix it from here: its transliteration key.
        let can_fix = form
            .composer
            .as_ref()
            .is_some_and(Composer::can_transliterate);
        let unicode = crate::tui::fmt::unicode_cause(&final_text, lang);
        if let Some(cause) = &unicode {
            let mut spans = vec![Span::styled(cause.clone(), act.theme.warn())];
            let key = act
                .keymap
                .key_for(crate::keymap::EditorAction::Transliterate);
            if let Some(key) = key.filter(|_| can_fix) {
                spans.push(Span::styled(
                    trf(lang, "free.transliterate_hint", &[("key", &key)]),
                    act.theme.dim(),
                ));
            }
            body.push(Line::from(spans));
        }
        let first = checked
            .valid
            .first()
            .and_then(|l| l.e164.as_deref())
            .map(|p| phone(p, act.region))
            .unwrap_or_default();
        let facts = SendFacts {
            recipients: totals.messages,
            one: first,
            each: totals.segments_each.to_string(),
            segments: totals.segments,
            encoding: totals.encoding.describe(lang),
            balance_after: totals.balance_after,
            when,
            text: final_text,
            money: SendMoney {
                cost: totals.cost_money.clone(),
                after: totals.balance_after_money.clone(),
            },
        };
        let request = FreeSend {
            text: draft.text,
            numbers: checked.numbers(),
            at: draft.at,
            campaign: draft.campaign,
            source,
        };
        let mut c = Confirm::send(
            tr(lang, "free.confirm_title").to_string(),
            &facts,
            body,
            Pending::SendFree(Box::new(request)),
            lang,
            act.theme,
        );
        c.transliterates = unicode.is_some() && can_fix;
        Ok(Outcome::Confirm(c))
    }
}

/// What the operator asked for besides the recipients.
struct Draft {
    text: String,
    at: Option<NaiveDateTime>,
    campaign: bool,
}

/// Where the recipients come from.
enum Source {
    /// A spreadsheet or CSV file (its `TELEPHONE` column), and the name kept in the history.
    File(PathBuf, String),
    /// Numbers typed or pasted, with their line positions.
    Typed(Vec<(usize, String)>),
}

/// The recipients field: a path to a spreadsheet or CSV file, or numbers separated by `;`,
/// `,` or new lines.
fn recipients_source(input: &str) -> Source {
    let path = expand_home(input);
    let looks_like_file = path.extension().is_some_and(|e| {
        let e = e.to_string_lossy().to_ascii_lowercase();
        ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt"].contains(&e.as_str())
    });
    if looks_like_file || path.is_file() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| input.to_string());
        return Source::File(path, name);
    }
    Source::Typed(send::split_numbers(input))
}

/// A recipients file being read and checked by a job with its own connection.
struct ReadJob {
    id: JobId,
    name: String,
    draft: Draft,
}

impl ReadJob {
    fn start(jobs: &Jobs, store: &Store, path: PathBuf, name: String, draft: Draft) -> ReadJob {
        let db = store.path().to_path_buf();
        let id = jobs.spawn(move |report| {
            let shown = path.display().to_string();
            // A panic while reading or checking becomes a message: the TUI and its scheduler
            // live on.
            let result = crate::io::import::catch_read(|| -> Result<_, Problem> {
                let cells =
                    read_phone_column(&path, &mut |p| report.progress(JobUpdate::FreeRows(p)))?;
                let store = Store::open(&db)?;
                let list = check_phone_cells(&store, &cells)?;
                Ok((list, cells.notices))
            })
            .unwrap_or_else(|ReadPanic::Panicked { reason }| {
                Err(ImportError::Crashed {
                    file: shown,
                    reason,
                }
                .into())
            });
            JobUpdate::FreeRead(result)
        });
        ReadJob { id, name, draft }
    }
}

impl TabView for FreeTab {
    super::lists::history_with_form!();

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let Some(form) = &mut self.form else {
            return Ok(Outcome::Ignored);
        };
        match form.key(key, act.keymap) {
            FormKey::Save => self.preview(act),
            FormKey::Close => {
                self.form = None;
                self.reading = None;
                Ok(Outcome::Handled)
            }
            FormKey::Changed(_) => {
                // What is being read no longer matches the form.
                form.message = None;
                self.reading = None;
                Ok(Outcome::Handled)
            }
            FormKey::Handled => Ok(Outcome::Handled),
        }
    }

    /// `Ctrl-t` in the send window: the composer's transliteration, then the window again
    /// (a file is read again) with the new cost.
    fn transliterate_send(&mut self, act: &mut Act) -> Result<Outcome> {
        let changed = self.form.as_mut().is_some_and(Form::transliterate);
        if !changed {
            return Ok(Outcome::Ignored);
        }
        self.preview(act)
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some(form) = &mut self.form {
            form.paste(text);
            self.reading = None;
        }
    }

    fn on_job(&mut self, id: JobId, update: JobUpdate, act: &mut Act) -> Result<Outcome> {
        // A job the form no longer waits for (closed, changed) is forgotten.
        if self.reading.as_ref().is_none_or(|job| job.id != id) {
            return Ok(Outcome::Ignored);
        }
        let lang = act.lang();
        match update {
            JobUpdate::FreeRead(result) => {
                let Some(job) = self.reading.take() else {
                    return Ok(Outcome::Ignored);
                };
                match result {
                    Ok((checked, notices)) => {
                        self.confirm(act, job.draft, checked, job.name, &notices)
                    }
                    Err(e) => {
                        if let Some(form) = &mut self.form {
                            form.message = Some(clean(&e.describe(lang)));
                        }
                        Ok(Outcome::Handled)
                    }
                }
            }
            JobUpdate::FreeRows(progress) => {
                let Some(job) = &self.reading else {
                    return Ok(Outcome::Ignored);
                };
                let rows = progress.rows_read;
                let text = match progress.rows_total {
                    Some(total) => trf(
                        lang,
                        "free.read_progress_of",
                        &[
                            ("file", &clean(&job.name)),
                            ("rows", &thousands(rows as i64)),
                            ("total", &thousands(total as i64)),
                        ],
                    ),
                    None => trf(
                        lang,
                        "free.read_progress",
                        &[
                            ("file", &clean(&job.name)),
                            ("rows", &thousands(rows as i64)),
                        ],
                    ),
                };
                if let Some(form) = &mut self.form {
                    form.message = Some(text);
                }
                Ok(Outcome::Handled)
            }
            _ => Ok(Outcome::Ignored),
        }
    }

    fn edit_hints(&self) -> super::EditHints {
        form_hints(self.form.as_ref(), self.lang)
    }

    fn unsaved(&self, lang: Lang) -> Vec<String> {
        lost_in([self.form.as_ref()], lang)
    }

    fn notice(&self) -> Option<String> {
        // While a file is read the line says how far it got: not a message to keep.
        if self.reading.is_some() {
            return None;
        }
        self.form.as_ref().and_then(|f| f.message.clone())
    }

    /// The send was queued: the form closes and the history shows it.
    fn after_change(&mut self, ctx: &Ctx) -> Result<()> {
        self.form = None;
        self.history.refresh(ctx).map(|_| ())
    }

    fn layout(&mut self, area: Rect, ctx: &Ctx) {
        self.lang = ctx.lang();
        self.history.layout(area, ctx);
        if let Some(form) = &mut self.form {
            form.layout(area, ctx.theme);
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.history.draw(frame, area, ctx);
        if let Some(form) = &self.form {
            form.draw(frame, area, ctx.theme, ctx.lang());
        }
    }
}
