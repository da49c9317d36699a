//! Counsellors, the 200 participants (with partners and companies among them), saved lists and
//! the numbers that asked to stop the texts.

use super::plan::{AuditPlan, Collab, Link, OptOut, Person};
use super::{Demo, PARTICIPANTS, Result};
use crate::sms::status::ParticipantKind;
use crate::store::audit::AuditAction;
use crate::store::participants::{self, NewCollaborator, NewParticipant, NewSavedList};
use chrono::Duration;

/// Counsellors: first name, last name, operator login (when they use smsdesk).
const COLLABORATORS: [(&str, &str, Option<&str>); 8] = [
    ("Claire", "Martin", Some("claire.martin")),
    ("Karim", "Benali", Some("karim.benali")),
    ("Julie", "Roux", Some("julie.roux")),
    ("Yannick", "Le Bihan", None),
    ("Sophie", "Tanguy", None),
    ("Mickaël", "Guillou", None),
    ("Nadia", "Haddad", None),
    ("Pierre-Yves", "Le Floch", None),
];

const PROGRAMMES: [&str; 7] = [
    "Garantie jeunes",
    "Accompagnement global",
    "Création d'entreprise",
    "Contrat d'engagement jeune",
    "PLIE",
    "Accompagnement intensif",
    "Reconversion",
];

const TOWNS: [&str; 10] = [
    "Lorient",
    "Lanester",
    "Vannes",
    "Hennebont",
    "Ploemeur",
    "Auray",
    "Quimperlé",
    "Larmor-Plage",
    "Séné",
    "Quéven",
];

const COMPANIES: [&str; 7] = [
    "Boulangerie Le Goff",
    "SARL Ker Avel",
    "Chantiers du Blavet",
    "Conserverie de Lorient",
    "Transports Kervella",
    "Hôtel de la Rade",
    "Garage Tanguy",
];

const PARTNERS: [&str; 8] = [
    "CCAS de Lanester",
    "Mission locale",
    "AFPA Lorient",
    "Pôle Santé Bretagne Sud",
    "Résidence Habitat Jeunes",
    "Maison des familles",
    "Auto-école solidaire",
    "CIDFF Morbihan",
];

/// Towns of the overseas territories 1–5 of `Demo::mobile`.
const OVERSEAS_TOWNS: [&str; 5] = [
    "Pointe-à-Pitre",
    "Fort-de-France",
    "Saint-Denis",
    "Cayenne",
    "Mamoudzou",
];

/// The embedded name lists: (civility, first name) and last names.
struct Names {
    first: Vec<(&'static str, &'static str)>,
    last: Vec<&'static str>,
}

/// Who a contact is, before their numbers are drawn.
struct Identity {
    kind: ParticipantKind,
    civility: String,
    first: String,
    last: String,
    programme: String,
    /// The `type` attribute of partners and companies.
    extra: &'static str,
}

impl Demo<'_> {
    pub(super) fn collaborators(&mut self) -> Result<()> {
        for (i, (first, last, login)) in COLLABORATORS.into_iter().enumerate() {
            // Direct lines of the agency: 02 97 21 40 1x.
            let phone = format!("+332972140{}", 10 + i);
            let login = login.filter(|l| self.operators.iter().any(|(o, _)| o == l));
            let id = participants::insert_collaborator(
                self.conn,
                &NewCollaborator {
                    first_name: first.to_string(),
                    last_name: last.to_string(),
                    phone: Some(phone.clone()),
                    email: Some(format!(
                        "{}.{}@example.org",
                        ascii_slug(first),
                        ascii_slug(last)
                    )),
                    operator_login: login.map(str::to_string),
                    active: true,
                },
            )?;
            self.collabs.push(Collab {
                id,
                first,
                last,
                phone,
                login,
            });
        }
        Ok(())
    }

    /// A mobile number whose last two digits pick the simulator's outcome (`00`–`97`: never
    /// `98`, in transit forever, nor `99`, provider down, which would make odd demo data).
    /// Metropolitan, or overseas for `territory` 1–5. Unique in the store.
    pub(super) fn mobile(&mut self, territory: usize, suffix: Option<u64>) -> String {
        loop {
            let tail = suffix.unwrap_or_else(|| self.rng.below(98));
            let number = match territory {
                // Guadeloupe 0690, Martinique 0696 (not 06965x), Réunion 0692, Guyane 0694
                // (0694[0-249]), Mayotte 06392: the mobile ranges of the numbering plan.
                1 => format!("+590690{}{:02}", self.rng.digits(4), tail),
                2 => format!(
                    "+596696{}{}{:02}",
                    self.rng
                        .pick(&['0', '1', '2', '3', '4', '6', '7', '8', '9']),
                    self.rng.digits(3),
                    tail
                ),
                3 => format!("+262692{}{:02}", self.rng.digits(4), tail),
                4 => format!(
                    "+594694{}{}{:02}",
                    self.rng.pick(&['0', '1', '2', '4', '9']),
                    self.rng.digits(3),
                    tail
                ),
                5 => format!("+2626392{}{:02}", self.rng.digits(3), tail),
                _ => {
                    // 06 (not 063x / 069x, partly unassigned) or 073–079.
                    let prefix = if self.rng.chance(700) {
                        format!(
                            "6{}",
                            self.rng.pick(&['0', '1', '2', '4', '5', '6', '7', '8'])
                        )
                    } else {
                        format!("7{}", self.rng.pick(&['3', '4', '5', '6', '7', '8', '9']))
                    };
                    format!("+33{prefix}{}{:02}", self.rng.digits(5), tail)
                }
            };
            if self.used_phones.insert(number.clone()) {
                return number;
            }
        }
    }

    pub(super) fn participants(&mut self) -> Result<()> {
        let names = Names {
            first: data_lines(include_str!("../../assets/demo/first_names.txt"))
                .filter_map(|l| l.split_once('|'))
                .collect(),
            last: data_lines(include_str!("../../assets/demo/last_names.txt")).collect(),
        };
        // Indexes forced to show the simulator's outcomes: not delivered, expired, refused, STOP.
        let forced: [(usize, u64); 4] = [(5, 81), (6, 86), (8, 92), (9, 96)];
        let mut file_no = 0;
        for i in 0..PARTICIPANTS {
            let forced_suffix = forced.iter().find(|(f, _)| *f == i).map(|(_, s)| *s);
            let who = self.identity(i, forced_suffix.is_some(), &names);
            self.participant(i, who, forced_suffix, &mut file_no)?;
        }
        Ok(())
    }

    /// Contact `i`: a participant, or every 25th a partner and every 33rd a company (the
    /// forced ones are participants).
    fn identity(&mut self, i: usize, forced: bool, names: &Names) -> Identity {
        let kind = if forced {
            ParticipantKind::Participant
        } else if i % 25 == 24 {
            ParticipantKind::Partner
        } else if i % 33 == 32 {
            ParticipantKind::Company
        } else {
            ParticipantKind::Participant
        };
        if kind == ParticipantKind::Company {
            return Identity {
                kind,
                civility: String::new(),
                first: String::new(),
                last: COMPANIES[(i / 33) % COMPANIES.len()].to_string(),
                programme: String::new(),
                extra: "entreprise",
            };
        }
        let (civ, first) = *self.rng.pick(&names.first);
        let last = *self.rng.pick(&names.last);
        if kind == ParticipantKind::Partner {
            let org = PARTNERS[(i / 25) % PARTNERS.len()];
            Identity {
                kind,
                civility: civ.to_string(),
                first: first.to_string(),
                last: format!("{last} ({org})"),
                programme: String::new(),
                extra: "partenaire",
            }
        } else {
            Identity {
                kind,
                civility: civ.to_string(),
                first: first.to_string(),
                last: last.to_string(),
                programme: self.rng.pick(&PROGRAMMES).to_string(),
                extra: "",
            }
        }
    }

    /// Draws contact `i`'s numbers, consent, counsellor and details, and writes it.
    fn participant(
        &mut self,
        i: usize,
        who: Identity,
        forced_suffix: Option<u64>,
        file_no: &mut usize,
    ) -> Result<()> {
        let kind = who.kind;
        let no_mobile = forced_suffix.is_none() && (i % 50 == 7 || self.rng.chance(60));
        let territory = if i % 16 == 3 { 1 + (i / 16) % 5 } else { 0 };
        let mobile = (!no_mobile).then(|| self.mobile(territory, forced_suffix));
        let consent = forced_suffix.is_some() || !(i % 45 == 11 || self.rng.chance(50));
        let collaborator = self.rng.index(self.collabs.len());
        let attributes = self.attributes(&who, territory, file_no);
        // Registered before the history starts.
        let created_at = self.setup + Duration::hours(self.rng.range(24, 24 * 40));
        let email = (kind != ParticipantKind::Participant || self.rng.chance(550)).then(|| {
            if kind == ParticipantKind::Company {
                format!("contact@{}.example.org", ascii_slug(&who.last))
            } else {
                format!(
                    "{}.{}@example.org",
                    ascii_slug(&who.first),
                    ascii_slug(&who.last)
                )
            }
        });
        let landline = (kind != ParticipantKind::Participant || no_mobile && self.rng.chance(600))
            .then(|| format!("+3329{}", self.rng.digits(7)));
        let mobile2 =
            (kind == ParticipantKind::Participant && mobile.is_some() && self.rng.chance(40))
                .then(|| self.mobile(0, None));
        let id = participants::insert_participant(
            self.conn,
            &NewParticipant {
                kind,
                civility: who.civility.clone(),
                first_name: who.first.clone(),
                last_name: who.last.clone(),
                mobile: mobile.clone(),
                mobile2,
                landline,
                email,
                sms_consent: consent,
                programme: who.programme.clone(),
                collaborator_id: Some(self.collabs[collaborator].id),
                attributes,
            },
            created_at,
        )?;
        self.people.push(Person {
            id,
            kind,
            civility: who.civility,
            first: who.first,
            last: who.last,
            mobile,
            consent,
            programme: who.programme,
            collaborator,
        });
        Ok(())
    }

    /// The free attributes of a contact: file number or type, town, sometimes a diploma.
    fn attributes(
        &mut self,
        who: &Identity,
        territory: usize,
        file_no: &mut usize,
    ) -> serde_json::Map<String, serde_json::Value> {
        let town = if territory == 0 {
            self.rng.pick(&TOWNS).to_string()
        } else {
            OVERSEAS_TOWNS[territory - 1].to_string()
        };
        let mut attributes = serde_json::Map::new();
        if who.kind == ParticipantKind::Participant {
            *file_no += 1;
            attributes.insert(
                "dossier".into(),
                format!("MEBS-{:05}", 1000 + *file_no * 7).into(),
            );
        } else {
            attributes.insert("type".into(), who.extra.into());
        }
        attributes.insert("ville".into(), town.into());
        if who.kind == ParticipantKind::Participant && self.rng.chance(500) {
            let level =
                *self
                    .rng
                    .pick(&["CAP", "Bac", "Bac pro", "BTS", "Licence", "Sans diplôme"]);
            attributes.insert("niveau".into(), level.into());
        }
        attributes
    }

    pub(super) fn saved_lists(&mut self) -> Result<()> {
        let gj: Vec<i64> = self
            .people
            .iter()
            .filter(|p| {
                p.programme == "Garantie jeunes" || p.programme == "Contrat d'engagement jeune"
            })
            .map(|p| p.id)
            .collect();
        let mut cv: Vec<i64> = Vec::new();
        for i in 0..self.people.len() {
            if self.people[i].kind == ParticipantKind::Participant && self.rng.chance(300) {
                cv.push(self.people[i].id);
                self.cv_workshop.push(i);
            }
        }
        let partners: Vec<i64> = self
            .people
            .iter()
            .filter(|p| p.kind != ParticipantKind::Participant)
            .map(|p| p.id)
            .collect();
        let lists = [
            ("Jeunes (GJ et CEJ)", gj, "claire.martin"),
            ("Atelier CV - inscrits", cv, "julie.roux"),
            ("Partenaires et entreprises", partners, ""),
        ];
        for (i, (name, members, by)) in lists.into_iter().enumerate() {
            let by = self.existing_operator(by);
            let at = self.setup + Duration::days(20 + 15 * i as i64);
            participants::insert_saved_list(
                self.conn,
                &NewSavedList {
                    name: name.to_string(),
                    created_by: by.clone(),
                    created_at: at,
                    members,
                },
            )?;
            self.audit.push(AuditPlan {
                at,
                actor: by,
                action: AuditAction::ListCreate,
                object_id: name.to_string(),
                link: Link::None,
                detail: String::new(),
            });
            self.saved_lists += 1;
        }
        Ok(())
    }

    /// A few people asked the agency (by phone, or in an imported file) to stop the texts.
    pub(super) fn manual_opt_outs(&mut self) {
        let mut chosen = 0;
        for i in (0..self.people.len()).rev() {
            if chosen == 3 {
                break;
            }
            let p = &self.people[i];
            if !p.reachable() || i % 7 != 2 {
                continue;
            }
            let Some(phone) = p.mobile.clone() else {
                continue;
            };
            let at = self.now - Duration::days(10 + 12 * chosen) - Duration::hours(3);
            let (source, by) = if chosen == 2 {
                ("import", self.admin.clone())
            } else {
                ("operator", self.existing_operator("claire.martin"))
            };
            self.audit.push(AuditPlan {
                at,
                actor: by.clone(),
                action: AuditAction::OptoutOperator,
                object_id: phone.clone(),
                link: Link::None,
                detail: format!("{source}: participant #{}", p.id),
            });
            self.opt_outs.insert(
                phone,
                OptOut {
                    at,
                    source,
                    reply: None,
                    by,
                },
            );
            chosen += 1;
        }
    }

    /// The collaborator record of an operator, if the operator is also a counsellor.
    pub(super) fn collab_of_operator(&self, login: &str) -> Option<usize> {
        self.collabs.iter().position(|c| c.login == Some(login))
    }

    pub(super) fn reachable_people(&self) -> Vec<usize> {
        (0..self.people.len())
            .filter(|&i| self.people[i].reachable())
            .collect()
    }
}

/// Lines of an embedded data file, without blanks and `#` comments.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// `Le Hénanff` → `lehenanff`, for e-mail addresses.
fn ascii_slug(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkd()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_slug_of_a_breton_name() {
        assert_eq!(ascii_slug("Le Hénanff"), "lehenanff");
    }
}
