//! Batch, free and individual sends, the reminders of events, and the messages still waiting
//! to leave.

use super::agenda::Kind;
use super::plan::{AuditPlan, BatchPlan, EventPlan, Link, MsgPlan, Outcome};
use super::setup::{
    AUTO_STEP_TYPES, T_CV_WORKSHOP, T_DOCUMENTS, T_INTERVIEW_REPLY, T_STEP, TEMPLATES,
};
use super::texts::{TYPED_TEXTS, national};
use super::{A_INTERVIEW, A_STEP, Demo, DemoError, HISTORY_DAYS, PENDING_MESSAGES, Result, secs};
use crate::sms::status::MessageKind;
use crate::sms::template::{self, Lang, TemplateContext};
use crate::sms::window;
use crate::store::audit::AuditAction;
use crate::store::operators::Rights;
use chrono::{DateTime, Duration, Utc};

/// A batch or free send of the history.
struct GroupDef {
    /// Batch or free.
    kind: MessageKind,
    name: &'static str,
    template: Option<usize>,
    text: &'static str,
    campaign: bool,
    days_ago: i64,
    /// The list, filter or file its recipients came from.
    source: &'static str,
}

static GROUPS: [GroupDef; 9] = [
    GroupDef {
        kind: MessageKind::Batch,
        name: "Atelier CV - relance des inscrits",
        template: Some(T_CV_WORKSHOP),
        text: "",
        campaign: false,
        days_ago: 52,
        source: "Atelier CV - inscrits",
    },
    GroupDef {
        kind: MessageKind::Free,
        name: "Forum entreprises - fichier CCI",
        template: None,
        text: "Forum de l'emploi et de l'alternance samedi de 9h à 13h, CCI de Lorient, 21 quai des Indes. Entrée libre.",
        campaign: true,
        days_ago: 47,
        source: "contacts_forum_cci.xlsx",
    },
    GroupDef {
        kind: MessageKind::Batch,
        name: "Pièces à fournir - jeunes",
        template: Some(T_DOCUMENTS),
        text: "",
        campaign: false,
        days_ago: 41,
        source: "Jeunes (GJ et CEJ)",
    },
    GroupDef {
        kind: MessageKind::Batch,
        name: "Information collective création d'entreprise",
        template: None,
        text: "Bonjour {{participant.first_name}}, information collective sur la création d'entreprise jeudi à 14h, MEBS Vannes. Inscription auprès de {{collaborator.first_name}}.",
        campaign: false,
        days_ago: 33,
        source: "filtre : Création d'entreprise",
    },
    GroupDef {
        kind: MessageKind::Free,
        name: "Job dating saisonniers",
        template: None,
        text: "Job dating emplois saisonniers mercredi de 10h à 16h, Palais des congrès de Lorient. Venez avec votre CV !",
        campaign: true,
        days_ago: 26,
        source: "saisonniers.csv",
    },
    GroupDef {
        kind: MessageKind::Batch,
        name: "Partenaires : réunion trimestrielle",
        template: None,
        text: "Bonjour, la réunion trimestrielle des partenaires a lieu mardi à 9h30, MEBS Lorient, 2 rue de Carnel. Merci de confirmer par mail.",
        campaign: false,
        days_ago: 19,
        source: "Partenaires et entreprises",
    },
    GroupDef {
        kind: MessageKind::Batch,
        name: "Pièces à fournir - accompagnement global",
        template: Some(T_DOCUMENTS),
        text: "",
        campaign: false,
        days_ago: 12,
        source: "filtre : Accompagnement global",
    },
    GroupDef {
        kind: MessageKind::Free,
        name: "Offres de la semaine",
        template: None,
        text: "Nouvelles offres d'emploi cette semaine dans le pays de Lorient : consultez-les à l'accueil de la MEBS ou sur notre site.",
        campaign: true,
        days_ago: 5,
        source: "abonnes_offres.ods",
    },
    GroupDef {
        kind: MessageKind::Batch,
        name: "Forum de l'emploi - invitation",
        template: None,
        text: "Bonjour {{participant.first_name}}, le forum de l'emploi a lieu samedi de 9h à 13h à la CCI de Lorient. Venez avec votre CV !",
        campaign: true,
        days_ago: 9,
        source: "filtre : tous les participants",
    },
];

/// A batch or free send being planned: its definition, index in `batches`, author, the
/// counsellor of its recorded interview, and when it was created and leaves.
struct Group<'d> {
    def: &'d GroupDef,
    index: usize,
    author: String,
    collaborator: usize,
    created_at: DateTime<Utc>,
    planned_at: DateTime<Utc>,
}

impl Demo<'_> {
    /// A reminder (or follow-up) message for event `e` from template `tpl`.
    pub(super) fn event_message(
        &self,
        e: usize,
        kind: MessageKind,
        tpl: usize,
        automation: Option<usize>,
        planned: DateTime<Utc>,
    ) -> Result<MsgPlan> {
        let ev = &self.events[e];
        let p = &self.people[ev.participant];
        let phone = p.mobile.clone().ok_or_else(|| {
            DemoError::Generator("reminder to a participant without mobile".into())
        })?;
        let text = self.render(
            tpl,
            Some(ev.participant),
            Some(e),
            Some(ev.collaborator),
            false,
        )?;
        let expects_reply = TEMPLATES[tpl].reply;
        let created_at = ev.created_at.min(planned);
        Ok(MsgPlan {
            kind,
            context: ev.kind.as_str(),
            participant: Some(ev.participant),
            event: Some(e),
            batch: None,
            template: Some(tpl),
            automation,
            collaborator: Some(ev.collaborator),
            phone,
            recipient_name: p.full_name(),
            text,
            expects_reply,
            campaign: false,
            created_by: ev.created_by.clone(),
            created_at,
            planned_at: planned,
            deadline: self.deadline(kind, created_at, planned, Some(e)),
            seq: 0,
            outcome: Outcome::default(),
        })
    }

    /// The batch and free sends of the history, oldest first.
    pub(super) fn batches_and_free(&mut self) -> Result<()> {
        let mut defs: Vec<&GroupDef> = GROUPS.iter().collect();
        defs.sort_by_key(|d| std::cmp::Reverse(d.days_ago));
        for def in defs {
            self.group(def)?;
        }
        Ok(())
    }

    /// One batch or free send with its messages (and, for a batch, the interview recorded for
    /// each recipient); skipped when it would leave within the last hour.
    fn group(&mut self, def: &GroupDef) -> Result<()> {
        let author = if def.kind == MessageKind::Free {
            self.pick_operator(|r| r.admin || r.free)
        } else {
            self.pick_operator(|r| r.admin || r.batch)
        };
        let day = self.workday_back(def.days_ago);
        let created_at = self.office_at(day);
        let after_grace = created_at + secs(self.settings.grace_seconds);
        let planned_at = if def.campaign {
            window::campaign_next_opening(after_grace, self.tz, &self.window)
                .map_err(|e| DemoError::Generator(format!("campaign {}: {e}", def.name)))?
        } else {
            window::next_opening(after_grace, self.tz, &self.window)
        };
        if planned_at > self.now - Duration::hours(1) {
            return Ok(());
        }
        let collaborator = self.collab_of_operator(&author).unwrap_or(0);
        let g = Group {
            def,
            index: self.batches.len(),
            author,
            collaborator,
            created_at,
            planned_at,
        };
        let interview = if def.kind == MessageKind::Batch {
            serde_json::json!({
                "datetime": self.local(planned_at).format("%Y-%m-%d %H:%M").to_string(),
                "collaborator_id": self.collabs[collaborator].id,
                "type": "Envoi groupé",
                "theme": def.name,
                "outcome": "Information transmise",
                "channel": "SMS",
            })
        } else {
            serde_json::json!({})
        };
        let count = if def.kind == MessageKind::Free {
            self.free_messages(&g)
        } else {
            let recipients = self.recipients(def.source);
            self.batch_messages(&g, &recipients)?
        };
        self.audit.push(AuditPlan {
            at: created_at,
            actor: g.author.clone(),
            action: if def.kind == MessageKind::Free {
                AuditAction::FreeQueue
            } else {
                AuditAction::BatchQueue
            },
            object_id: String::new(),
            link: Link::Batch(g.index),
            detail: format!("{}: {count} recipients", def.name),
        });
        self.batches.push(BatchPlan {
            kind: def.kind.as_str(),
            name: def.name.to_string(),
            template: def.template,
            text: match def.template {
                Some(t) => TEMPLATES[t].body.to_string(),
                None => def.text.to_string(),
            },
            campaign: def.campaign,
            interview,
            source: def.source.to_string(),
            recipients: count,
            planned_at,
            created_by: g.author,
            created_at,
        });
        Ok(())
    }

    /// The people a batch goes to, from the list or filter it names.
    fn recipients(&self, source: &str) -> Vec<usize> {
        match source {
            s if s.starts_with("Partenaires") => (0..self.people.len())
                .filter(|&i| {
                    self.people[i].kind != crate::sms::status::ParticipantKind::Participant
                        && self.people[i].mobile.is_some()
                        && self.people[i].consent
                })
                .collect(),
            "Atelier CV - inscrits" => self
                .cv_workshop
                .iter()
                .copied()
                .filter(|&i| self.people[i].reachable())
                .collect(),
            "filtre : tous les participants" => self.reachable_people(),
            "Jeunes (GJ et CEJ)" => self
                .reachable_people()
                .into_iter()
                .filter(|&i| {
                    matches!(
                        self.people[i].programme.as_str(),
                        "Garantie jeunes" | "Contrat d'engagement jeune"
                    )
                })
                .collect(),
            s if s.starts_with("filtre : ") => {
                let programme = &s["filtre : ".len()..];
                self.reachable_people()
                    .into_iter()
                    .filter(|&i| self.people[i].programme == programme)
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// A free send: 80 to 220 numbers from an imported file, nobody known. Returns the count.
    fn free_messages(&mut self, g: &Group) -> usize {
        let n = self.rng.range(80, 220) as usize;
        for seq in 0..n {
            let phone = self.mobile(0, None);
            let text = self.compose(g.def.text, true);
            let m = self.group_message(g, None, phone, String::new(), text, seq);
            self.msgs.push(m);
        }
        n
    }

    /// A batch: a message and a recorded interview per recipient. Returns the count.
    fn batch_messages(&mut self, g: &Group, recipients: &[usize]) -> Result<usize> {
        let def = g.def;
        let typed = match def.template {
            None => Some(
                template::parse(def.text, TemplateContext::Batch).map_err(|e| {
                    DemoError::Generator(format!("batch text {:?} does not parse: {e:?}", def.name))
                })?,
            ),
            Some(_) => None,
        };
        for (seq, &person) in recipients.iter().enumerate() {
            // The merge fields take the counsellor of the recorded interview.
            let text = match (def.template, &typed) {
                (Some(t), _) => self.render(t, Some(person), None, Some(g.collaborator), true)?,
                (None, Some(parsed)) => {
                    let data = self.merge_data(Some(person), None, Some(g.collaborator));
                    let body = template::render(parsed, &data, Lang::Fr)
                        .map_err(|e| DemoError::Generator(format!("batch {:?}: {e}", def.name)))?;
                    self.compose(&body, true)
                }
                (None, None) => self.compose(def.text, true),
            };
            let phone = self.people[person].mobile.clone().unwrap_or_default();
            let name = self.people[person].full_name();
            let ev = self.group_event(g, person);
            self.events.push(ev);
            let mut m = self.group_message(g, Some(person), phone, name, text, seq);
            m.event = Some(self.events.len() - 1);
            self.msgs.push(m);
        }
        Ok(recipients.len())
    }

    /// The interview a batch records for each recipient.
    fn group_event(&self, g: &Group, person: usize) -> EventPlan {
        EventPlan {
            participant: person,
            kind: Kind::Interview,
            event_type: "Envoi groupé",
            local: self.local(g.planned_at),
            start: g.planned_at,
            collaborator: g.collaborator,
            location: "",
            theme: g.def.name.to_string(),
            channel: "SMS".into(),
            summary: String::new(),
            outcome: "Information transmise".into(),
            notes: String::new(),
            cancelled: false,
            batch: Some(g.index),
            reminder_enabled: false,
            reminder_days: None,
            reminder_template: None,
            reply_text: None,
            reply_at: None,
            created_by: g.author.clone(),
            created_at: g.created_at,
        }
    }

    /// A message of a batch (to `person`) or of a free send (to a number only).
    fn group_message(
        &self,
        g: &Group,
        person: Option<usize>,
        phone: String,
        recipient_name: String,
        text: String,
        seq: usize,
    ) -> MsgPlan {
        let free = g.def.kind == MessageKind::Free;
        let kind = if free {
            MessageKind::Free
        } else {
            MessageKind::Batch
        };
        MsgPlan {
            kind,
            context: if free { "free" } else { "batch" },
            participant: person,
            event: None,
            batch: Some(g.index),
            template: if free { None } else { g.def.template },
            automation: None,
            collaborator: (!free).then_some(g.collaborator),
            phone,
            recipient_name,
            text,
            expects_reply: false,
            campaign: g.def.campaign,
            created_by: g.author.clone(),
            created_at: g.created_at,
            planned_at: g.planned_at,
            deadline: self.deadline(kind, g.created_at, g.planned_at, None),
            seq,
            outcome: Outcome::default(),
        }
    }

    /// An individual message (instant or scheduled) to a participant: typed by the operator, or
    /// the documents template for operators restricted to templates.
    pub(super) fn individual_message(
        &mut self,
        kind: MessageKind,
        person: usize,
        author: &str,
        created_at: DateTime<Utc>,
        planned_at: DateTime<Utc>,
    ) -> Result<MsgPlan> {
        let rights = self
            .operators
            .iter()
            .find(|(o, _)| o == author)
            .map(|(_, r)| *r)
            .unwrap_or_default();
        let p_collab = self.people[person].collaborator;
        let collab = self.collab_of_operator(author).unwrap_or(p_collab);
        let (text, template) = if !rights.can_write_text() || self.rng.chance(150) {
            (
                self.render(T_DOCUMENTS, Some(person), None, Some(collab), false)?,
                Some(T_DOCUMENTS),
            )
        } else {
            let c = &self.collabs[collab];
            let body = self
                .rng
                .pick(&TYPED_TEXTS)
                .replace("{first}", &self.people[person].first)
                .replace("{counsellor}", c.first)
                .replace("{phone}", &national(&c.phone));
            (self.compose(&body, false), None)
        };
        let p = &self.people[person];
        Ok(MsgPlan {
            kind,
            context: "individual",
            participant: Some(person),
            event: None,
            batch: None,
            template,
            automation: None,
            collaborator: Some(collab),
            phone: p.mobile.clone().unwrap_or_default(),
            recipient_name: p.full_name(),
            text,
            expects_reply: false,
            campaign: false,
            created_by: author.to_string(),
            created_at,
            planned_at,
            deadline: self.deadline(kind, created_at, planned_at, None),
            seq: 0,
            outcome: Outcome::default(),
        })
    }

    /// `count` past instant or scheduled messages.
    pub(super) fn individual(&mut self, kind: MessageKind, count: usize) -> Result<()> {
        let people = self.reachable_people();
        let latest = self.now - Duration::minutes(10);
        let mut made = 0;
        while made < count {
            let person = *self.rng.pick(&people);
            let back = self.rng.range(0, HISTORY_DAYS - 1);
            let day = self.workday_back(back);
            let created_at = self.office_at(day);
            let (author, planned_at) = if kind == MessageKind::Instant {
                let author = self.pick_operator(Rights::can_instant);
                let planned = window::next_opening(
                    created_at + secs(self.settings.grace_seconds),
                    self.tz,
                    &self.window,
                );
                (author, planned)
            } else {
                let author = self.pick_operator(Rights::can_scheduled);
                let later = day + Duration::days(self.rng.range(1, 5));
                let at = self.office_at(later);
                if window::validate_planned(at, created_at, None, self.tz, &self.window).is_err() {
                    continue;
                }
                (author, at)
            };
            if planned_at > latest || created_at < self.now - Duration::days(HISTORY_DAYS) {
                continue;
            }
            let m = self.individual_message(kind, person, &author, created_at, planned_at)?;
            self.msgs.push(m);
            made += 1;
        }
        Ok(())
    }

    /// The messages waiting to leave: the next reminders of upcoming events, then scheduled
    /// individual messages, [`PENDING_MESSAGES`] in all.
    pub(super) fn pending(&mut self, mut candidates: Vec<(usize, DateTime<Utc>)>) -> Result<()> {
        candidates.sort_by_key(|&(e, at)| (at, e));
        let want_reminders = PENDING_MESSAGES - 5;
        let mut made = 0;
        for (e, planned) in candidates {
            if made == want_reminders {
                break;
            }
            let ev = &self.events[e];
            let Some(phone) = self.people[ev.participant].mobile.clone() else {
                continue;
            };
            if self.opted_out_before(&phone, self.now) || ev.cancelled {
                continue;
            }
            let (Some(tpl), Some(days)) = (ev.reminder_template, ev.reminder_days) else {
                continue;
            };
            let auto = match (ev.kind, tpl, days) {
                (Kind::Interview, T_INTERVIEW_REPLY, 2) => Some(A_INTERVIEW),
                (Kind::Step, T_STEP, 1) if AUTO_STEP_TYPES.contains(&ev.event_type) => Some(A_STEP),
                _ => None,
            };
            let m = self.event_message(e, MessageKind::Reminder, tpl, auto, planned)?;
            self.msgs.push(m);
            made += 1;
        }
        let people: Vec<usize> = self
            .reachable_people()
            .into_iter()
            .filter(|&i| {
                self.people[i]
                    .mobile
                    .as_deref()
                    .is_some_and(|m| !self.opted_out_before(m, self.now))
            })
            .collect();
        while made < PENDING_MESSAGES {
            let person = *self.rng.pick(&people);
            let author = self.pick_operator(Rights::can_scheduled);
            let day = self.today() + Duration::days(self.rng.range(1, 6));
            let at = self.office_at(day);
            if window::validate_planned(at, self.now, None, self.tz, &self.window).is_err() {
                continue;
            }
            // Written during office hours on one of the last working days.
            let back = self.rng.range(0, 3);
            let created = self
                .office_at(self.workday_back(back))
                .min(self.now - Duration::minutes(20));
            let m =
                self.individual_message(MessageKind::Scheduled, person, &author, created, at)?;
            self.msgs.push(m);
            made += 1;
        }
        Ok(())
    }
}
