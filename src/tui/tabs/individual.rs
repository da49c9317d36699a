//! The individual-send form for one number: an optional time, then the composer; saving asks
//! the one send question ([`Confirm::send`]) and the core queues it (`send::send_individual`,
//! which checks the rights, consent, STOP, window and length again). Used by the Inbox to
//! answer a reply, addressed to the number that wrote, and by Contacts (`n`, list and card).

use super::{Act, Outcome};
use crate::core::send::IndividualSend;
use crate::i18n::{Describe, Lang, tr, trf};
use crate::sms::template::TemplateContext;
use crate::store::Result;
use crate::store::settings::Settings;
use crate::tui::dates::parse_optional_time;
use crate::tui::fmt::{clean, phone};
use crate::tui::pending::Pending;
use crate::tui::widgets::composer::{Composer, ComposerSetup, TemplateChoice};
use crate::tui::widgets::confirm::Confirm;
use crate::tui::widgets::form::{Form, FormField, modal_in};
use crate::tui::widgets::send_confirm::{SendFacts, SendMoney, departure};
use crossterm::event::KeyEvent;

/// Whether an operator with these rights may write to one number at all (now or later).
pub fn may_send(rights: &crate::store::operators::Rights) -> bool {
    rights.can_instant() || rights.can_scheduled()
}

/// An open individual-send form.
pub struct IndividualForm {
    /// The number it goes to (E.164).
    pub mobile: String,
    /// Who it goes to, as shown (the number itself when nobody in the store has it).
    pub name: String,
    pub form: Form,
}

impl IndividualForm {
    /// Opens in `slot` the form to `mobile` (the participant `participant` when known, whose
    /// values the composer counts with), titled by catalogue key `title` (`{name}`,
    /// `{phone}`); an operator who may not send individual messages is told so instead.
    pub fn open_in(
        slot: &mut Option<IndividualForm>,
        act: &mut Act,
        mobile: &str,
        participant: Option<i64>,
        name: &str,
        title: &str,
    ) -> Result<Outcome> {
        if !may_send(&act.actor.rights) {
            let why = tr(act.lang(), "contacts.no_send_right");
            return Ok(Outcome::Error(why.to_string()));
        }
        *slot = Some(Self::new(act, mobile, participant, name, title)?);
        Ok(Outcome::Handled)
    }

    fn new(
        act: &mut Act,
        mobile: &str,
        participant: Option<i64>,
        name: &str,
        title: &str,
    ) -> Result<IndividualForm> {
        let lang = act.lang();
        let rights = act.actor.rights;
        let settings = Settings::load(act.store.db())?;
        let mut composer = Composer::new(
            ComposerSetup::from_settings(&settings, TemplateContext::Batch, false, false),
            lang,
            act.theme,
        );
        if let Some(id) = participant
            && let Ok(data) =
                crate::core::merge::merge_data(act.store.db(), &settings, Some(id), None)
        {
            composer.set_data(data);
        }
        // Individual texts take participant fields: batch templates and plain ones fit. An
        // operator restricted to templates may only pick one.
        composer.set_templates(
            TemplateChoice::active(
                act.store.db(),
                &[TemplateContext::Batch, TemplateContext::Free],
            )?,
            rights.can_write_text(),
        );
        let shown_phone = phone(mobile, act.region);
        let name = if name.trim().is_empty() {
            shown_phone.clone()
        } else {
            clean(name)
        };
        let fields = vec![
            FormField::text("at", tr(lang, "free.at"), "").with_help(tr(lang, "free.at_help")),
        ];
        // A number nobody in the store has: said so, not the number twice.
        let who = if name == shown_phone {
            tr(lang, "inbox.unknown_number").to_string()
        } else {
            name.clone()
        };
        let title = trf(lang, title, &[("name", &who), ("phone", &shown_phone)]);
        let form = Form::new(&title, fields)
            .with_composer(composer)
            .sending()
            .focus_text();
        Ok(IndividualForm {
            mobile: mobile.to_string(),
            name,
            form,
        })
    }

    /// A key for the send form in `slot` ([`modal_in`]): its save key asks the send question.
    /// `None`: no form is open there.
    pub fn key_in(
        slot: &mut Option<Self>,
        key: &KeyEvent,
        act: &mut Act,
    ) -> Option<Result<Outcome>> {
        let save = modal_in(slot, |s| &mut s.form, key, act.keymap)?;
        Some(match slot {
            Some(send) if save => send.ask_send(act),
            _ => Ok(Outcome::Handled),
        })
    }

    /// The send question (who, cost, credit after, when, the exact text), or the refusal
    /// shown under the form.
    pub fn ask_send(&mut self, act: &mut Act) -> Result<Outcome> {
        let lang: Lang = act.lang();
        let form = &mut self.form;
        let at = match parse_optional_time(form.value("at"), act.fmt.local_date(act.now)) {
            Ok(at) => at,
            Err(why) => {
                form.message = Some(why.describe(lang));
                return Ok(Outcome::Handled);
            }
        };
        let Some(composer) = form.composer.as_ref() else {
            return Ok(Outcome::Handled);
        };
        if let Some(why) = composer.refusal() {
            form.message = Some(why);
            return Ok(Outcome::Handled);
        }
        let settings = Settings::load(act.store.db())?;
        let when = match departure(&settings, act.now, at, false, act.fmt) {
            Ok(when) => when,
            Err(e) => {
                form.message = Some(e.describe(lang));
                return Ok(Outcome::Handled);
            }
        };
        let stats = composer.stats();
        let each = stats.info.segments;
        let shown_phone = phone(&self.mobile, act.region);
        let one = if self.name == shown_phone {
            shown_phone
        } else {
            format!("{} ({shown_phone})", self.name)
        };
        let facts = SendFacts {
            recipients: 1,
            one,
            each: each.to_string(),
            segments: each,
            encoding: stats.info.encoding.describe(lang),
            balance_after: crate::store::credit::balance(act.store.db())? - each as i64,
            when,
            text: stats.final_text.clone(),
            money: SendMoney::load(act.store.db(), each as i64)?,
        };
        // What is in the box leaves: the template untouched, else the text as typed.
        let request = IndividualSend {
            to: vec![self.mobile.clone()],
            body: composer.body(),
            at,
        };
        form.message = None;
        Ok(Outcome::Confirm(Confirm::send(
            tr(lang, "contacts.confirm_title").to_string(),
            &facts,
            Vec::new(),
            Pending::SendIndividual(Box::new(request)),
            lang,
            act.theme,
        )))
    }
}
