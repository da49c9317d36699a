//! The organisation as set up: settings, operators, templates, automations and credit packs.

use super::agenda::Kind;
use super::plan::{AuditPlan, Link, Tpl};
use super::{Demo, DemoError, OUTCOME_CONFIRMED, OUTCOME_DECLINED, Result, secs};
use crate::sms::sender;
use crate::sms::template::{self, TemplateContext};
use crate::store::audit::{AuditAction, Stamp};
use crate::store::automations::{self, AutomationRule, NewAutomation};
use crate::store::operators::{self, Rights};
use crate::store::settings::{self, Settings};
use crate::store::templates::{self, NewTemplate};
use crate::store::{audit, credit};
use chrono::Duration;

pub(super) const ORGANISATION: &str = "Maison de l'Emploi de Bretagne Sud";
pub(super) const SENDER: &str = "MEBS";
pub(super) const SIGNATURE: &str = "MEBS 02 97 21 40 00";

/// Operators besides the administrator: login, display name, rights. A login equal to the
/// administrator's is skipped and the spare one used instead.
pub(super) fn operator_candidates() -> [(&'static str, &'static str, Rights); 4] {
    let r = |list: &str| Rights::parse(list).unwrap_or_default();
    [
        (
            "claire.martin",
            "Claire Martin",
            r("instant,scheduled,batch"),
        ),
        (
            "karim.benali",
            "Karim Benali",
            r("instant,scheduled,templates_only"),
        ),
        ("julie.roux", "Julie Roux", r("free,batch")),
        ("sophie.tanguy", "Sophie Tanguy", r("instant,scheduled")),
    ]
}

/// Event types the two reminder automations cover (the others get manual reminders).
pub(super) const AUTO_INTERVIEW_TYPES: [&str; 4] = [
    "Diagnostic",
    "Suivi mensuel",
    "Entretien de suivi",
    "Bilan de parcours",
];
pub(super) const AUTO_STEP_TYPES: [&str; 4] = [
    "Atelier CV",
    "Atelier entretien d'embauche",
    "Information collective",
    "Simulation d'entretien",
];

// Template indexes (in `TEMPLATES` order).
pub(super) const T_INTERVIEW_REPLY: usize = 0;
pub(super) const T_STEP: usize = 1;
pub(super) const T_FOLLOW_UP: usize = 2;
pub(super) const T_ORIENTATION_REPLY: usize = 3;
pub(super) const T_INTERVIEW_SIMPLE: usize = 4;
pub(super) const T_DOCUMENTS: usize = 5;
pub(super) const T_CV_WORKSHOP: usize = 6;
pub(super) const T_OLD_INTERVIEW: usize = 7;

pub(super) struct TemplateDef {
    pub(super) name: &'static str,
    pub(super) context: TemplateContext,
    pub(super) body: &'static str,
    pub(super) active: bool,
    pub(super) locked: bool,
    pub(super) reply: bool,
}

pub(super) const TEMPLATES: [TemplateDef; 8] = [
    TemplateDef {
        name: "Rappel d'entretien avec confirmation",
        context: TemplateContext::Interview,
        body: "Bonjour {{participant.civility}} {{participant.last_name}}, RDV {{event.type}} le {{event.datetime}}, {{event.location}}. Répondez OUI pour confirmer, NON sinon.",
        active: true,
        locked: false,
        reply: true,
    },
    TemplateDef {
        name: "Rappel d'étape",
        context: TemplateContext::Step,
        body: "Bonjour {{participant.first_name}}, rappel : {{event.type}} le {{event.datetime}}, {{event.location}}. Bonne journée !",
        active: true,
        locked: false,
        reply: false,
    },
    TemplateDef {
        name: "Suivi après orientation",
        context: TemplateContext::Orientation,
        body: "Bonjour {{participant.first_name}}, avez-vous pu aller à votre RDV {{event.type}} ? Pour en parler, appelez {{collaborator.full_name}} au {{collaborator.phone}}.",
        active: true,
        locked: false,
        reply: false,
    },
    TemplateDef {
        name: "Confirmation d'orientation",
        context: TemplateContext::Orientation,
        body: "Bonjour {{participant.first_name}}, {{event.type}} le {{event.datetime}}, {{event.location}}. Répondez OUI si vous y serez, NON sinon.",
        active: true,
        locked: false,
        reply: true,
    },
    TemplateDef {
        name: "Rappel d'entretien simple",
        context: TemplateContext::Interview,
        body: "{{participant.civility}} {{participant.last_name}}, nous vous rappelons votre RDV avec {{collaborator.full_name}} le {{event.datetime}} ({{event.location}}).",
        active: true,
        locked: false,
        reply: false,
    },
    TemplateDef {
        name: "Pièces à fournir",
        context: TemplateContext::Batch,
        body: "Bonjour {{participant.first_name}}, pour votre dossier merci d'apporter pièce d'identité, justificatif de domicile et CV. {{collaborator.full_name}}",
        active: true,
        locked: false,
        reply: false,
    },
    TemplateDef {
        name: "Atelier CV (texte imposé)",
        context: TemplateContext::Batch,
        body: "Bonjour {{participant.first_name}}, atelier CV et lettre de motivation chaque mardi à 14h, 2 rue de Carnel à Lorient. Inscription auprès de {{collaborator.first_name}}.",
        active: true,
        locked: true,
        reply: false,
    },
    TemplateDef {
        name: "Ancien rappel de rendez-vous",
        context: TemplateContext::Interview,
        body: "Rappel : {{event.kind}} le {{event.date}} à {{event.time}} avec {{collaborator.full_name}}, {{event.location}}.",
        active: false,
        locked: false,
        reply: false,
    },
];

impl Demo<'_> {
    pub(super) fn settings_and_operators(&mut self) -> Result<()> {
        let admin = self.admin.clone();
        let at = self.setup;
        operators::add(self.conn, &admin, &admin, Rights::all(), at)?;
        audit::record(
            self.conn,
            Stamp { by: &admin, at },
            AuditAction::UserBootstrap,
            &admin,
            "first operator becomes administrator",
        )?;
        let values = [
            ("organisation", ORGANISATION),
            ("sender", SENDER),
            ("signature", SIGNATURE),
            ("stop_mention", sender::DEFAULT_STOP_MENTION),
            ("timezone", "Europe/Paris"),
            ("window", "09:00-19:00"),
            ("window_days", "mon,tue,wed,thu,fri,sat"),
            ("max_segments", "3"),
            ("low_credit", "500"),
            ("provider", "simulator"),
        ];
        for (i, (key, value)) in values.into_iter().enumerate() {
            settings::set(self.conn, key, value, &admin, at + secs(60 + i as i64 * 20))?;
        }
        self.settings = Settings::load(self.conn)?;
        self.tz = self.settings.timezone;
        self.window = self.settings.window();
        self.operators.push((admin.clone(), Rights::all()));
        let mut added = 0;
        for (i, (login, name, rights)) in operator_candidates().into_iter().enumerate() {
            if added == 3 || login == admin {
                continue;
            }
            let when = at + Duration::minutes(30 + i as i64 * 3);
            operators::add(self.conn, login, name, rights, when)?;
            self.audit.push(AuditPlan {
                at: when,
                actor: admin.clone(),
                action: AuditAction::UserAdd,
                object_id: login.to_string(),
                link: Link::None,
                detail: rights.to_string(),
            });
            self.operators.push((login.to_string(), rights));
            added += 1;
        }
        Ok(())
    }

    /// Logins of operators holding a right (the administrator holds them all).
    pub(super) fn operators_with(&self, right: impl Fn(&Rights) -> bool) -> Vec<String> {
        self.operators
            .iter()
            .filter(|(_, r)| right(r))
            .map(|(l, _)| l.clone())
            .collect()
    }

    /// `login` if it is an operator of the demo, else the administrator.
    pub(super) fn existing_operator(&self, login: &str) -> String {
        if self.operators.iter().any(|(o, _)| o == login) {
            login.to_string()
        } else {
            self.admin.clone()
        }
    }

    pub(super) fn pick_operator(&mut self, right: impl Fn(&Rights) -> bool) -> String {
        let ops = self.operators_with(right);
        if ops.is_empty() {
            self.admin.clone()
        } else {
            self.rng.pick(&ops).clone()
        }
    }

    pub(super) fn templates(&mut self) -> Result<()> {
        let admin = self.admin.clone();
        for (i, def) in TEMPLATES.iter().enumerate() {
            let at = self.setup + Duration::hours(2) + Duration::minutes(i as i64 * 7);
            let keywords = if def.reply {
                vec![
                    ("Oui".to_string(), OUTCOME_CONFIRMED.to_string()),
                    ("non".to_string(), OUTCOME_DECLINED.to_string()),
                ]
            } else {
                Vec::new()
            };
            let id = templates::insert_template(
                self.conn,
                &NewTemplate {
                    name: def.name.to_string(),
                    context: def.context,
                    body: def.body.to_string(),
                    active: def.active,
                    locked: def.locked,
                    reply_expected: def.reply,
                    keywords,
                    created_by: admin.clone(),
                    created_at: at,
                },
            )?;
            let parsed = template::parse(def.body, def.context).map_err(|e| {
                DemoError::Generator(format!("template {:?} does not parse: {e:?}", def.name))
            })?;
            self.audit.push(AuditPlan {
                at,
                actor: admin.clone(),
                action: AuditAction::TemplateCreate,
                object_id: id.to_string(),
                link: Link::None,
                detail: def.name.to_string(),
            });
            self.templates.push(Tpl { id, parsed });
        }
        Ok(())
    }

    pub(super) fn automations(&mut self) -> Result<()> {
        let admin = self.admin.clone();
        let rules: [(&str, Kind, &[&str], i64, usize); 3] = [
            (
                "Entretiens : rappel J-2 avec confirmation",
                Kind::Interview,
                &AUTO_INTERVIEW_TYPES,
                -2,
                T_INTERVIEW_REPLY,
            ),
            (
                "Étapes : rappel J-1",
                Kind::Step,
                &AUTO_STEP_TYPES,
                -1,
                T_STEP,
            ),
            (
                "Orientations : suivi J+3",
                Kind::Orientation,
                &[],
                3,
                T_FOLLOW_UP,
            ),
        ];
        for (i, (name, kind, types, offset, tpl)) in rules.into_iter().enumerate() {
            let at = self.setup + Duration::hours(3) + Duration::minutes(i as i64 * 5);
            let id = automations::insert_automation(
                self.conn,
                &NewAutomation {
                    rule: AutomationRule {
                        name: name.to_string(),
                        event_kind: kind,
                        collaborators: Vec::new(),
                        event_types: types.iter().map(|t| t.to_string()).collect(),
                        offset_days: offset,
                        template_id: self.templates[tpl].id,
                        active: true,
                        condition: Default::default(),
                    },
                    created_by: admin.clone(),
                    created_at: at,
                },
            )?;
            self.audit.push(AuditPlan {
                at,
                actor: admin.clone(),
                action: AuditAction::AutomationCreate,
                object_id: id.to_string(),
                link: Link::None,
                detail: name.to_string(),
            });
            self.automations.push(id);
        }
        Ok(())
    }

    pub(super) fn packs(&mut self) -> Result<()> {
        let admin = self.admin.clone();
        // Priced per SMS unit (millionths of a euro), so the demo shows money too.
        for (days_ago, units, label, price) in [
            (118, 5_000, "Pack 5 000 SMS", 75_000),
            (35, 10_000, "Pack 10 000 SMS", 68_000),
        ] {
            let at = self.now - Duration::days(days_ago);
            let bought_on = at.with_timezone(&self.tz).date_naive();
            let pack = credit::NewPack {
                units,
                label: label.to_string(),
                bought_on,
                unit_price_micros: Some(price),
                currency: Some(crate::money::DEFAULT_CURRENCY.to_string()),
            };
            let id = credit::add_priced_pack(self.conn, &pack, &admin, at)?;
            self.audit.push(AuditPlan {
                at,
                actor: admin.clone(),
                action: AuditAction::CreditAdd,
                object_id: id.to_string(),
                link: Link::None,
                detail: format!("{units} SMS {label}"),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_for_its_context() {
        for def in &TEMPLATES {
            assert!(
                template::parse(def.body, def.context).is_ok(),
                "{}",
                def.name
            );
        }
    }
}
