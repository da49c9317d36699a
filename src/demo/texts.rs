//! The texts of messages as the core composes them: merge data, templates, signature and STOP
//! mention, sender and retry deadline.

use super::agenda::KindWords;
use super::setup::TEMPLATES;
use super::{Demo, DemoError, Result};
use crate::sms::sender;
use crate::sms::status::MessageKind;
use crate::sms::template::{
    self, EventData, Lang, MergeData, OrgData, ParticipantData, PersonData,
};
use crate::sms::window;
use chrono::{DateTime, Utc};

/// Texts operators typed for individual messages: `{first}` is the participant's first name,
/// `{counsellor}` the counsellor's first name, `{phone}` their phone.
pub(super) const TYPED_TEXTS: [&str; 8] = [
    "Bonjour {first}, pouvez-vous me rappeler au {phone} ? Merci, {counsellor}",
    "Bonjour {first}, votre dossier est complet. Bonne journée !",
    "Bonjour {first}, merci de m'envoyer votre attestation France Travail par mail.",
    "Bonjour {first}, une offre d'emploi pourrait vous intéresser, je vous l’envoie par mail. {counsellor}",
    "Bonjour {first}, n'oubliez pas votre pièce d'identité pour notre prochain RDV.",
    "Bonjour {first}, votre inscription à la formation est validée. {counsellor}",
    "{first}, le forum de l'emploi a lieu jeudi au Palais des congrès. Venez avec des CV !",
    "Bonjour {first}, je n'arrive pas à vous joindre, rappelez-moi au {phone}. {counsellor}",
];

impl Demo<'_> {
    pub(super) fn merge_data(
        &self,
        person: Option<usize>,
        event: Option<usize>,
        collab: Option<usize>,
    ) -> MergeData {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        MergeData {
            participant: person.map(|i| {
                let p = &self.people[i];
                ParticipantData {
                    civility: some(&p.civility),
                    first_name: some(&p.first),
                    last_name: some(&p.last),
                    programme: some(&p.programme),
                }
            }),
            event: event.map(|i| {
                let e = &self.events[i];
                EventData {
                    start: Some(e.local),
                    event_type: some(e.event_type),
                    location: some(e.location),
                    kind: some(e.kind.label()),
                }
            }),
            collaborator: collab.map(|i| {
                let c = &self.collabs[i];
                PersonData {
                    first_name: some(c.first),
                    last_name: some(c.last),
                    phone: some(&c.phone),
                }
            }),
            organisation: OrgData {
                name: some(&self.settings.organisation),
                sender: some(&self.settings.sender),
                signature: some(&self.settings.signature),
            },
        }
    }

    /// The final text of a message from template `tpl`, as the core composes it.
    pub(super) fn render(
        &self,
        tpl: usize,
        person: Option<usize>,
        event: Option<usize>,
        collab: Option<usize>,
        stop: bool,
    ) -> Result<String> {
        let data = self.merge_data(person, event, collab);
        let body = template::render(&self.templates[tpl].parsed, &data, Lang::Fr).map_err(|e| {
            DemoError::Generator(format!("template {:?}: {e}", TEMPLATES[tpl].name))
        })?;
        Ok(self.compose(&body, stop))
    }

    pub(super) fn compose(&self, body: &str, stop: bool) -> String {
        sender::compose(
            body,
            Some(&self.settings.signature),
            stop.then_some(self.settings.stop_mention.as_str()),
        )
    }

    pub(super) fn sender_for(&self, expects_reply: bool) -> String {
        if expects_reply {
            self.settings.reply_number.clone()
        } else {
            self.settings.sender.clone()
        }
    }

    /// The last instant a message may still leave (SPEC §3 "Retries"): a reminder until its
    /// event starts, anything else 24 h after it was due.
    pub(super) fn deadline(
        &self,
        kind: MessageKind,
        created: DateTime<Utc>,
        planned: DateTime<Utc>,
        event: Option<usize>,
    ) -> DateTime<Utc> {
        match (kind, event) {
            (MessageKind::Reminder, Some(e)) => {
                window::retry_deadline(true, created, Some(self.events[e].start))
            }
            _ => window::retry_deadline(false, created.max(planned), None),
        }
    }
}

/// `+33297214010` → `02 97 21 40 10`, as a counsellor types their number.
pub(super) fn national(e164: &str) -> String {
    match e164.strip_prefix("+33") {
        Some(rest) if rest.len() == 9 => {
            let digits = format!("0{rest}");
            digits
                .as_bytes()
                .chunks(2)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        }
        _ => e164.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_form_of_a_direct_line() {
        assert_eq!(national("+33297214010"), "02 97 21 40 10");
    }
}
