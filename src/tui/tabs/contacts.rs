//! Contacts: participants by name, searchable; individual send and opt-out.

use super::lists::{PAGE, draw_paged, title};
use super::{Act, Col, Ctx, Outcome, TabView, cell, move_pager, styled};
use crate::core::send::Body;
use crate::i18n::{tr, trf};
use crate::sms::template::TemplateContext;
use crate::store::Result;
use crate::store::settings::Settings;
use crate::tui::fmt::{clean, phone, truncate};
use crate::tui::pager::Pager;
use crate::tui::queries::ParticipantsSource;
use crate::tui::widgets::composer::{Composer, ComposerSetup};
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::form::{Form, FormField, FormKey};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Contacts: participants by name, searchable; `n` writes an individual SMS to the selected one.
pub struct ContactsTab {
    pager: Pager<ParticipantsSource>,
    height: usize,
    /// The individual-send form: the participant's mobile and the form (time + composer).
    send: Option<(String, Form)>,
    lang: crate::i18n::Lang,
}

impl ContactsTab {
    pub fn new() -> Self {
        ContactsTab {
            pager: Pager::new(
                ParticipantsSource {
                    search: String::new(),
                },
                PAGE,
            ),
            height: 10,
            send: None,
            lang: crate::i18n::Lang::En,
        }
    }

    /// Opens the individual send for the selected participant (instant or scheduled right).
    fn open_send(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        let rights = act.actor.rights;
        if !rights.can_instant() && !rights.can_scheduled() {
            return Ok(Outcome::Error(
                tr(lang, "contacts.no_send_right").to_string(),
            ));
        }
        let Some(p) = self.pager.selected().cloned() else {
            return Ok(Outcome::Handled);
        };
        let Some(mobile) = p.mobile.clone() else {
            return Ok(Outcome::Error(tr(lang, "contacts.no_mobile").to_string()));
        };
        let settings = Settings::load(act.store.conn())?;
        let mut composer = Composer::new(
            ComposerSetup::from_settings(&settings, TemplateContext::Batch, false, false),
            lang,
            act.theme,
        );
        // The preview and the counts use this participant's own values.
        if let Ok(data) =
            crate::core::merge::merge_data(act.store.conn(), &settings, Some(p.id), None)
        {
            composer.set_data(data);
        }
        let name = clean(&format!("{} {}", p.first_name, p.last_name));
        let fields = vec![
            FormField::text("at", tr(lang, "free.at"), "").with_help(tr(lang, "free.at_help")),
        ];
        let title = trf(
            lang,
            "contacts.send_title",
            &[("name", &name), ("phone", &phone(&mobile, act.region))],
        );
        self.send = Some((mobile, Form::new(&title, fields).with_composer(composer)));
        Ok(Outcome::Handled)
    }

    /// Queues the message through the core (rights, consent, STOP, window, length checked there).
    fn queue_send(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang = act.lang();
        let Some((mobile, form)) = &mut self.send else {
            return Ok(Outcome::Handled);
        };
        let at_text = form.value("at").trim().to_string();
        let at = if at_text.is_empty() {
            None
        } else {
            match crate::tui::tabs::messages::parse_local_time(
                &at_text,
                act.fmt.local_date(act.now),
            ) {
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
        let text = form.composer.as_ref().map(|c| c.text()).unwrap_or_default();
        let request = crate::core::send::IndividualSend {
            to: vec![mobile.clone()],
            body: Body::Text(text),
            at,
        };
        match crate::core::send::send_individual(act.store, act.actor, &request, act.now) {
            Ok(ids) => {
                self.send = None;
                Ok(Outcome::Info(trf(
                    lang,
                    "contacts.sent",
                    &[(
                        "id",
                        &ids.first().map(|i| i.to_string()).unwrap_or_default(),
                    )],
                )))
            }
            Err(e) => {
                form.message = Some(e.to_string());
                Ok(Outcome::Handled)
            }
        }
    }
}

impl TabView for ContactsTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.pager.refresh(ctx.conn)
    }

    fn command(&mut self, action: &str, act: &mut Act) -> Result<Outcome> {
        match action {
            "new" => self.open_send(act),
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.send.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        let Some((_, form)) = &mut self.send else {
            return Ok(Outcome::Ignored);
        };
        match form.key(key, act.keymap) {
            FormKey::Save => self.queue_send(act),
            FormKey::Close => {
                self.send = None;
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
        if let Some((_, form)) = &mut self.send {
            form.paste(text);
        }
    }

    fn edit_hints(
        &self,
    ) -> (
        Vec<(crate::keymap::Context, &'static str)>,
        Vec<(String, String)>,
    ) {
        match &self.send {
            Some((_, form)) => form.hints(self.lang),
            None => (Vec::new(), Vec::new()),
        }
    }

    fn unsaved(&self) -> bool {
        self.send.as_ref().is_some_and(|(_, f)| f.is_changed())
    }

    fn action(&mut self, action: &str, ctx: &Ctx) -> Result<Outcome> {
        if let Some(done) = move_pager(&mut self.pager, action, ctx.conn, self.height)? {
            return Ok(done);
        }
        Ok(match action {
            "filter" => Outcome::EditFilter,
            // Opt-out: the number goes on the STOP list (asked first; never undone here).
            "toggle" => match self.pager.selected() {
                Some(p) if p.opted_out => {
                    Outcome::Error(ctx.tr("contacts.already_out").to_string())
                }
                Some(p) => match p.mobile.clone() {
                    Some(mobile) => {
                        let lang = ctx.lang();
                        let name = clean(&format!("{} {}", p.first_name, p.last_name));
                        Outcome::Confirm(Confirm::new(
                            ctx.tr("contacts.optout_title").to_string(),
                            vec![Line::from(trf(
                                lang,
                                "contacts.optout_question",
                                &[("name", &name), ("phone", &phone(&mobile, ctx.region))],
                            ))],
                            Box::new(move |store, actor, now, _| {
                                crate::core::send::record_opt_out(store, actor, &mobile, now)
                                    .map(|e164| {
                                        trf(lang, "contacts.opted_out", &[("phone", &e164)])
                                    })
                                    .map_err(|e| e.to_string())
                            }),
                        ))
                    }
                    None => Outcome::Error(ctx.tr("contacts.no_mobile").to_string()),
                },
                None => Outcome::Handled,
            },
            "open" | "edit" | "select" | "select_all" | "export" => Outcome::NotYet,
            _ => Outcome::Ignored,
        })
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        self.lang = ctx.lang();
        self.draw_list(frame, area, ctx);
        if let Some((_, form)) = &mut self.send {
            form.draw(frame, area, ctx.theme, ctx.lang());
        }
    }

    fn hints(&self) -> &'static [&'static str] {
        &[
            "new",
            "filter",
            "toggle",
            "page_down",
            "page_up",
            "first",
            "last",
        ]
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.pager.source.search)
    }

    fn set_filter(&mut self, text: &str, ctx: &Ctx) -> Result<()> {
        self.pager.source.search = text.trim().to_string();
        self.pager.reset();
        self.pager.first(ctx.conn)
    }

    fn loaded_rows(&self) -> usize {
        self.pager.rows().len()
    }
}

impl ContactsTab {
    fn draw_list(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let cols = [
            Col::fill(ctx.tr("col.name"), 18, 0),
            Col::new(ctx.tr("col.mobile"), 17, 1),
            Col::new(ctx.tr("col.consent"), 8, 2),
            Col::new(ctx.tr("col.opted_out"), 6, 2),
            Col::new(ctx.tr("col.kind"), 11, 4),
            Col::new(ctx.tr("col.programme"), 14, 3),
        ];
        let mut left = vec![title(ctx, "tab.contacts")];
        if !self.pager.source.search.is_empty() {
            left.push(Span::raw(format!(
                "  {} « {} »",
                ctx.tr("ui.filter"),
                truncate(&clean(&self.pager.source.search), 30)
            )));
        }
        self.height = draw_paged(frame, area, ctx, &mut self.pager, left, &cols, |_, p, _| {
            let name = format!(
                "{} {} {}",
                p.civility,
                p.last_name.to_uppercase(),
                p.first_name
            );
            let consent = if p.sms_consent {
                ctx.theme.ok()
            } else {
                ctx.theme.warn()
            };
            vec![
                cell(clean(name.trim())),
                cell(
                    p.mobile
                        .as_deref()
                        .map(|m| phone(m, ctx.region))
                        .unwrap_or_else(|| "—".into()),
                ),
                styled(ctx.fmt.yes_no(p.sms_consent), consent),
                styled(if p.opted_out { "STOP" } else { "" }, ctx.theme.error()),
                cell(ctx.fmt.kind(&p.kind)),
                cell(clean(&p.programme)),
            ]
        });
    }
}
