//! Free: one plain text to many numbers, from a spreadsheet's `TELEPHONE` column or typed /
//! pasted. The form (`n`) takes the recipients, the time and the campaign flag, the composer
//! the text; saving shows the preview (valid, duplicates removed, invalid rows with their
//! reason, totals) in a confirmation, and "yes" queues it through `core::send::queue_free`.
//! Below, the history of free sends.

use super::lists::HistoryTab;
use super::{Act, Ctx, Outcome, TabView};
use crate::core::send::{self, FreeSend};
use crate::i18n::{Lang, tr, trf};
use crate::keymap::Context;
use crate::sms::template::TemplateContext;
use crate::store::Result;
use crate::store::settings::Settings;
use crate::tui::fmt::{clean, phone, thousands};
use crate::tui::tabs::messages::parse_local_time;
use crate::tui::widgets::composer::{Composer, ComposerSetup};
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::form::{Form, FormField, FormKey};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::path::Path;

/// Invalid rows listed in the preview before "and N more".
const SHOWN_INVALID: usize = 8;

pub struct FreeTab {
    history: HistoryTab,
    form: Option<Form>,
    lang: Lang,
}

impl FreeTab {
    pub fn new() -> Self {
        FreeTab {
            history: HistoryTab::new("free"),
            form: None,
            lang: Lang::En,
        }
    }

    fn open_form(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        if !act.actor.rights.can_free() {
            return Ok(Outcome::Error(tr(lang, "free.no_right").to_string()));
        }
        let settings = Settings::load(act.store.conn())?;
        let fields = vec![
            FormField::text("recipients", tr(lang, "free.recipients"), "")
                .with_help(tr(lang, "free.recipients_help")),
            FormField::text("at", tr(lang, "free.at"), "").with_help(tr(lang, "free.at_help")),
            FormField::toggle("campaign", tr(lang, "free.campaign"), false)
                .with_help(tr(lang, "free.campaign_help")),
        ];
        let composer = Composer::new(
            ComposerSetup::from_settings(&settings, TemplateContext::Free, true, false),
            lang,
            act.theme,
        );
        self.form = Some(Form::new(tr(lang, "free.title"), fields).with_composer(composer));
        Ok(Outcome::Handled)
    }

    /// Reads and checks the recipients, counts the cost, and asks before queuing.
    fn preview(&mut self, act: &mut Act) -> Result<Outcome> {
        let Some(form) = &mut self.form else {
            return Ok(Outcome::Handled);
        };
        let lang = act.lang();
        let input = form.value("recipients").trim().to_string();
        let at_text = form.value("at").trim().to_string();
        let campaign = form.value("campaign") == "yes";
        let text = form.composer.as_ref().map(|c| c.text()).unwrap_or_default();
        let at = if at_text.is_empty() {
            None
        } else {
            match parse_local_time(&at_text, act.fmt.local_date(act.now)) {
                Some(t) => Some(t),
                None => {
                    form.message = Some(trf(
                        lang,
                        "confirm.bad_time",
                        &[("input", &clean(&at_text))],
                    ));
                    return Ok(Outcome::Handled);
                }
            }
        };
        let (lines, source) = match read_recipients(&input) {
            Ok(r) => r,
            Err(e) => {
                form.message = Some(e);
                return Ok(Outcome::Handled);
            }
        };
        let checked = match send::check_free_list(act.store, &lines) {
            Ok(c) => c,
            Err(e) => {
                form.message = Some(e.to_string());
                return Ok(Outcome::Handled);
            }
        };
        let (final_text, totals) = match send::free_totals(act.store, &text, checked.valid.len()) {
            Ok(t) => t,
            Err(e) => {
                form.message = Some(e.to_string());
                return Ok(Outcome::Handled);
            }
        };
        let mut body = vec![Line::from(trf(
            lang,
            "free.counts",
            &[
                ("valid", &thousands(checked.valid.len() as i64)),
                ("duplicates", &thousands(checked.duplicates.len() as i64)),
                ("invalid", &thousands(checked.invalid.len() as i64)),
            ],
        ))];
        for line in checked.invalid.iter().take(SHOWN_INVALID) {
            body.push(Line::from(Span::styled(
                trf(
                    lang,
                    "free.invalid_row",
                    &[
                        ("row", &line.row.to_string()),
                        ("input", &clean(&line.input)),
                        ("why", &clean(line.error.as_deref().unwrap_or(""))),
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
        body.push(Line::from(trf(
            lang,
            "free.totals",
            &[
                ("messages", &thousands(totals.messages as i64)),
                ("each", &totals.segments_each.to_string()),
                ("segments", &thousands(totals.segments as i64)),
                ("encoding", &totals.encoding),
                ("after", &thousands(totals.balance_after)),
            ],
        )));
        let when = match at {
            Some(t) => t.format("%d/%m/%Y %H:%M").to_string(),
            None => tr(lang, "free.now").to_string(),
        };
        body.push(Line::from(trf(lang, "free.when", &[("when", &when)])));
        body.push(Line::from(Span::styled(
            clean(&final_text),
            act.theme.dim(),
        )));
        if let Some(first) = checked.valid.first().and_then(|l| l.e164.as_deref()) {
            body.push(Line::from(Span::styled(
                trf(lang, "free.first", &[("phone", &phone(first, act.region))]),
                act.theme.dim(),
            )));
        }
        let request = FreeSend {
            text,
            numbers: checked
                .valid
                .iter()
                .filter_map(|l| l.e164.clone())
                .collect(),
            at,
            campaign,
            source,
        };
        Ok(Outcome::Confirm(Confirm::new(
            tr(lang, "free.confirm_title").to_string(),
            body,
            Box::new(move |store, actor, now, _| {
                send::queue_free(store, actor, &request, now)
                    .map(|(_, ids)| trf(lang, "free.queued", &[("n", &ids.len().to_string())]))
                    .map_err(|e| e.to_string())
            }),
        )))
    }
}

/// The recipients field: a path to a spreadsheet or CSV file (its `TELEPHONE` column), or
/// numbers separated by `;`, `,` or new lines. Returns the (row, number) lines and the source
/// name kept in the history.
pub fn read_recipients(input: &str) -> std::result::Result<(Vec<(usize, String)>, String), String> {
    let path = Path::new(input);
    let looks_like_file = path.extension().is_some_and(|e| {
        let e = e.to_string_lossy().to_ascii_lowercase();
        ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt"].contains(&e.as_str())
    });
    if looks_like_file || path.is_file() {
        let lines = crate::io::import::phone_column(path).map_err(|e| e.to_string())?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| input.to_string());
        return Ok((lines, name));
    }
    Ok((send::split_numbers(input), "typed".to_string()))
}

impl TabView for FreeTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.history.refresh(ctx)
    }

    fn action(&mut self, action: &str, ctx: &Ctx) -> Result<Outcome> {
        self.history.action(action, ctx)
    }

    fn command(&mut self, action: &str, act: &mut Act) -> Result<Outcome> {
        match action {
            "new" => self.open_form(act),
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.form.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let Some(form) = &mut self.form else {
            return Ok(Outcome::Ignored);
        };
        match form.key(key, act.keymap) {
            FormKey::Save => self.preview(act),
            FormKey::Close => {
                self.form = None;
                Ok(Outcome::Handled)
            }
            FormKey::Changed(_) => {
                form.message = None;
                Ok(Outcome::Handled)
            }
            FormKey::Handled => Ok(Outcome::Handled),
        }
    }

    fn paste(&mut self, text: &str, _act: &mut Act) {
        if let Some(form) = &mut self.form {
            form.paste(text);
        }
    }

    fn edit_hints(&self) -> (Vec<(Context, &'static str)>, Vec<(String, String)>) {
        match &self.form {
            Some(form) => form.hints(self.lang),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn unsaved(&self) -> bool {
        self.form.as_ref().is_some_and(Form::is_changed)
    }

    /// The send was queued: the form closes and the history shows it.
    fn after_change(&mut self, ctx: &Ctx) -> Result<()> {
        self.form = None;
        self.history.refresh(ctx).map(|_| ())
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.lang = ctx.lang();
        self.history.draw(frame, area, ctx);
        if let Some(form) = &mut self.form {
            form.draw(frame, area, ctx.theme, ctx.lang());
        }
    }

    fn hints(&self) -> &'static [&'static str] {
        &["new", "open", "page_down", "page_up"]
    }

    fn loaded_rows(&self) -> usize {
        self.history.loaded_rows()
    }
}
