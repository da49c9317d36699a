//! Upcoming: the text of one message not yet sent, rewritten in the composer (`w`). The
//! composer counts exactly what is typed — the complete text as it will leave, signature and
//! STOP mention included — and saving goes through the core: reminders through
//! `core::reminders::edit_reminder_text` (their event's fields), other messages through
//! `core::send::edit_message_text` (rights, author, "templates only", locked template, STOP
//! mention kept, length re-checked there).

use super::Act;
use super::Outcome;
use crate::core::{merge, reminders, send};
use crate::i18n::{Describe, trf};
use crate::sms::status::MessageKind;
use crate::sms::template::TemplateContext;
use crate::store::Result;
use crate::store::messages::MessageRow;
use crate::store::settings::Settings;
use crate::tui::fmt::{clean, phone};
use crate::tui::problem::Problem;
use crate::tui::widgets::composer::{Composer, ComposerSetup, TemplateChoice};
use crate::tui::widgets::form::Form;

/// One message's text being edited.
pub struct TextEdit {
    pub id: i64,
    tied_to_event: bool,
    pub form: Form,
}

/// The merge fields an edited text may use: its event's for a reminder, a participant's for
/// other messages to participants, none for a free send.
fn context_of(kind: MessageKind, context: &str) -> TemplateContext {
    match kind {
        MessageKind::Free => TemplateContext::Free,
        k if k.is_tied_to_event() => {
            reminders::event_context(context).unwrap_or(TemplateContext::Interview)
        }
        _ => TemplateContext::Batch,
    }
}

impl TextEdit {
    /// The composer on the message's current text, or why it cannot be edited.
    pub fn open(row: &MessageRow, act: &mut Act) -> Result<std::result::Result<TextEdit, Problem>> {
        let lang = act.lang();
        let Some(kind) = MessageKind::parse(&row.kind) else {
            return Ok(Err(Problem::TextKindUnknown));
        };
        if !act.actor.rights.can_write_text() {
            return Ok(Err(Problem::TextTemplatesOnly));
        }
        let conn = act.store.db();
        let settings = Settings::load(conn)?;
        let setup = ComposerSetup {
            context: context_of(kind, &row.context),
            max_segments: settings.max_segments as usize,
            // The stored text is final: nothing is added around it.
            signature: String::new(),
            stop: None,
            template: false,
        };
        let mut composer = Composer::new(setup, lang, act.theme);
        let participant = crate::store::screens::participant_of(conn, row.id)?;
        if let Ok(data) = merge::merge_data(conn, &settings, participant, row.event_id) {
            composer.set_data(data);
        }
        composer.set_text(&row.text);
        // A saved text may replace the message's; it is saved as typed.
        let context = context_of(kind, &row.context);
        let fits: &[TemplateContext] = match context {
            TemplateContext::Batch => &[TemplateContext::Batch, TemplateContext::Free],
            _ => std::slice::from_ref(&context),
        };
        composer.set_templates(TemplateChoice::active(conn, fits)?, true);
        let who = if row.recipient_name.is_empty() {
            phone(&row.phone, act.region)
        } else {
            format!(
                "{} ({})",
                clean(&row.recipient_name),
                phone(&row.phone, act.region)
            )
        };
        let title = trf(
            lang,
            "edit_text.title",
            &[("id", &row.id.to_string()), ("who", &who)],
        );
        Ok(Ok(TextEdit {
            id: row.id,
            tied_to_event: kind.is_tied_to_event(),
            form: Form::new(&title, Vec::new()).with_composer(composer),
        }))
    }

    /// Saves through the core. `Ok(Info)` when saved (the editor closes); otherwise the reason
    /// stays under the form.
    pub fn save(&mut self, act: &mut Act) -> Outcome {
        let lang = act.lang();
        let text = self
            .form
            .composer
            .as_ref()
            .map(Composer::text)
            .unwrap_or_default();
        let saved = if self.tied_to_event {
            reminders::edit_reminder_text(act.store, act.actor, self.id, &text, act.now)
        } else {
            send::edit_message_text(act.store, act.actor, self.id, &text, act.now)
        };
        match saved {
            Ok(edited) => Outcome::Info(trf(
                lang,
                "edit_text.saved",
                &[
                    ("id", &self.id.to_string()),
                    ("chars", &edited.chars.to_string()),
                    ("segments", &edited.segments.to_string()),
                    ("encoding", &edited.encoding),
                ],
            )),
            Err(e) => {
                self.form.message = Some(clean(&e.describe(lang)));
                Outcome::Handled
            }
        }
    }
}
