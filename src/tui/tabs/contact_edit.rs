//! The contact form of the Contacts tab (`N` new, `m` edit): civility, names, mobiles, type,
//! programme, consent, opt-out with its date and source, free attributes. The core checks it
//! as a row of an import; each refusal shows under its field.

use super::Act;
use crate::core::contacts::{ContactChange, FieldIssue, OPT_OUT_SOURCES, Saved};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::io::contacts::ContactField as Field;
use crate::store::Result;
use crate::store::card::ContactDetail;
use crate::tui::fmt::{Fmt, clean, phone};
use crate::tui::widgets::form::{Form, FormField};
use std::collections::HashMap;

pub struct ContactEditor {
    /// The contact edited (`None`: a new one).
    pub id: Option<i64>,
    pub form: Form,
    /// Each field's value when the form opened: only the fields typed over are changed.
    originals: HashMap<String, String>,
    /// The free attributes as stored (those left out of the text are removed).
    attributes: Vec<String>,
}

/// What saving the form did.
pub enum Saving {
    /// Refused: the reasons show under the fields and the form (it stays open).
    Stay,
    /// An existing contact with nothing typed over: nothing to save.
    Unchanged,
    Saved(Saved),
}

/// The line saying a contact was created (`name` as stored), with what the operator should
/// know about it.
pub fn created_text(lang: Lang, saved: &Saved, name: &str) -> String {
    with_warnings(
        trf(
            lang,
            "contacts.created",
            &[("id", &saved.id.to_string()), ("name", &clean(name))],
        ),
        saved,
        lang,
    )
}

/// `text`, then each warning of the save (no mobile, opted out…).
pub fn with_warnings(mut text: String, saved: &Saved, lang: Lang) -> String {
    for w in &saved.warnings {
        text.push_str(&format!(" · {}", w.describe(lang)));
    }
    text
}

/// `key=value; key=value`, in stored order.
fn attributes_text(a: &serde_json::Map<String, serde_json::Value>) -> String {
    a.iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.as_str().map_or_else(|| v.to_string(), str::to_string)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn entries(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

impl ContactEditor {
    fn fields(fmt: &Fmt, d: Option<&ContactDetail>, region: &str) -> Vec<FormField> {
        let lang = fmt.lang;
        let t = |k: &'static str| tr(lang, k);
        let p = d.map(|d| &d.participant);
        let kinds = ["participant", "partner", "company"]
            .iter()
            .map(|k| {
                let label = tr(lang, &format!("contacts.kind_{k}")).to_string();
                (k.to_string(), label)
            })
            .collect();
        let sources = OPT_OUT_SOURCES
            .iter()
            .map(|s| {
                (
                    s.to_string(),
                    tr(lang, &format!("contacts.src_{s}")).to_string(),
                )
            })
            .collect();
        let shown = |m: &Option<String>| m.as_deref().map(|m| phone(m, region)).unwrap_or_default();
        let opted_out = p.is_some_and(|p| p.opted_out);
        let source = d
            .and_then(|d| d.opt_out.as_ref())
            .map_or("operator".to_string(), |o| o.source.clone());
        let date = d
            .and_then(|d| d.opt_out.as_ref())
            .map(|o| fmt.date(fmt.local_date(crate::store::from_ts(o.at))))
            .unwrap_or_default();
        vec![
            FormField::text(
                "civility",
                t("contacts.f_civility"),
                p.map_or("", |p| p.civility.as_str()),
            )
            .with_help(t("contacts.f_civility_help")),
            FormField::text(
                "first_name",
                t("contacts.f_first_name"),
                p.map_or("", |p| p.first_name.as_str()),
            )
            .with_help(t("contacts.f_names_help")),
            FormField::text(
                "last_name",
                t("contacts.f_last_name"),
                p.map_or("", |p| p.last_name.as_str()),
            )
            .with_help(t("contacts.f_names_help")),
            FormField::text(
                "mobile",
                t("contacts.f_mobile"),
                &shown(&p.and_then(|p| p.mobile.clone())),
            )
            .with_help(t("contacts.f_mobile_help")),
            FormField::text(
                "mobile2",
                t("contacts.f_mobile2"),
                &shown(&d.and_then(|d| d.mobile2.clone())),
            ),
            FormField::text(
                "landline",
                t("contacts.f_landline"),
                &shown(&d.and_then(|d| d.landline.clone())),
            )
            .with_help(t("contacts.f_landline_help")),
            FormField::text(
                "email",
                t("contacts.f_email"),
                d.and_then(|d| d.email.as_deref()).unwrap_or_default(),
            ),
            FormField::choice(
                "kind",
                t("contacts.f_kind"),
                p.map_or("participant", |p| p.kind.as_str()),
                kinds,
                false,
            ),
            FormField::text(
                "programme",
                t("contacts.f_programme"),
                p.map_or("", |p| p.programme.as_str()),
            ),
            FormField::text(
                "collaborator",
                t("contacts.f_collaborator"),
                d.and_then(|d| d.collaborator.as_deref())
                    .unwrap_or_default(),
            )
            .with_help(t("contacts.f_collaborator_help")),
            FormField::toggle(
                "consent",
                t("contacts.f_consent"),
                p.is_none_or(|p| p.sms_consent),
            ),
            FormField::toggle("opt_out", t("contacts.f_opt_out"), opted_out)
                .with_help(t("contacts.f_opt_out_help")),
            FormField::text("opt_out_date", t("contacts.f_opt_out_date"), &date)
                .with_help(t("contacts.f_opt_out_date_help")),
            FormField::choice(
                "opt_out_source",
                t("contacts.f_opt_out_source"),
                &source,
                sources,
                false,
            ),
            FormField::text(
                "attributes",
                t("contacts.f_attributes"),
                &d.map(|d| attributes_text(&d.attributes))
                    .unwrap_or_default(),
            )
            .with_help(t("contacts.f_attributes_help")),
        ]
    }

    /// An empty form for a new contact (consent given, as an import without a consent column).
    pub fn new_contact(fmt: &Fmt, region: &str) -> ContactEditor {
        let fields = ContactEditor::fields(fmt, None, region);
        ContactEditor {
            id: None,
            originals: HashMap::new(),
            form: Form::new(tr(fmt.lang, "contacts.new_title"), fields),
            attributes: Vec::new(),
        }
    }

    /// A new contact for a number that wrote (the Inbox): its mobile filled in, the cursor on
    /// the first name.
    pub fn for_number(fmt: &Fmt, mobile: &str, region: &str) -> ContactEditor {
        let mut ed = ContactEditor::new_contact(fmt, region);
        let form = &mut ed.form;
        if let Some(f) = form.fields.iter_mut().find(|f| f.key == "mobile") {
            f.value = phone(mobile, region);
        }
        form.focus = form
            .fields
            .iter()
            .position(|f| f.key == "first_name")
            .unwrap_or(0);
        ed
    }

    /// Saves through the core (which checks the form as a row of an import and audits the
    /// change): every refused field shows its reason under it.
    pub fn save(&mut self, act: &mut Act) -> Result<Saving> {
        let lang = act.lang();
        let change = self.change();
        if self.id.is_some() && change.is_empty() {
            return Ok(Saving::Unchanged);
        }
        let issues = match crate::core::contacts::check(act.store, self.id, &change, act.now) {
            Ok(issues) => issues,
            Err(e) => {
                self.form.message = Some(clean(&e.describe(lang)));
                return Ok(Saving::Stay);
            }
        };
        if !issues.is_empty() {
            self.show_issues(&issues, lang);
            return Ok(Saving::Stay);
        }
        let result = match self.id {
            None => crate::core::contacts::add_contact(act.store, act.actor, &change, act.now),
            Some(id) => {
                crate::core::contacts::update_contact(act.store, act.actor, id, &change, act.now)
            }
        };
        Ok(match result {
            Ok(saved) => Saving::Saved(saved),
            Err(e) => {
                self.form.message = Some(clean(&e.describe(lang)));
                Saving::Stay
            }
        })
    }

    /// The form of an existing contact, filled with what is stored.
    pub fn edit(fmt: &Fmt, d: &ContactDetail, region: &str) -> ContactEditor {
        let fields = ContactEditor::fields(fmt, Some(d), region);
        let originals = fields
            .iter()
            .map(|f| (f.key.clone(), f.value.clone()))
            .collect();
        let name = clean(&d.participant.full_name());
        ContactEditor {
            id: Some(d.participant.id),
            originals,
            form: Form::new(
                &trf(fmt.lang, "contacts.edit_title", &[("name", &name)]),
                fields,
            ),
            attributes: d.attributes.keys().cloned().collect(),
        }
    }

    /// What the form asks to change: every field for a new contact, the fields typed over for
    /// an existing one.
    pub fn change(&self) -> ContactChange {
        let form = &self.form;
        let new = self.id.is_none();
        let get = |key: &str| -> Option<String> {
            let v = form.value(key);
            let changed = self.originals.get(key).is_none_or(|o| o != v);
            (new || changed).then(|| v.to_string())
        };
        let yes_no =
            |key: &str| get(key).map(|v| if v == "yes" { "oui" } else { "non" }.to_string());
        let opting_out = form.value("opt_out") == "yes" && get("opt_out").is_some();
        let mut attributes = Vec::new();
        if let Some(text) = get("attributes") {
            let typed = entries(&text);
            let keys: Vec<String> = typed
                .iter()
                .filter_map(|e| e.split_once('=').map(|(k, _)| k.trim().to_string()))
                .collect();
            for gone in self.attributes.iter().filter(|k| !keys.contains(k)) {
                attributes.push(format!("{gone}="));
            }
            attributes.extend(typed);
        }
        ContactChange {
            kind: get("kind"),
            civility: get("civility"),
            first_name: get("first_name"),
            last_name: get("last_name"),
            mobile: get("mobile"),
            mobile2: get("mobile2"),
            landline: get("landline"),
            email: get("email"),
            consent: yes_no("consent"),
            programme: get("programme"),
            collaborator: get("collaborator"),
            opt_out: if new && form.value("opt_out") != "yes" {
                None
            } else {
                yes_no("opt_out")
            },
            opt_out_date: opting_out.then(|| form.value("opt_out_date").to_string()),
            opt_out_source: opting_out.then(|| form.value("opt_out_source").to_string()),
            attributes,
        }
    }

    /// Shows each problem under its field (the first one of a field), and the first one
    /// under the form.
    pub fn show_issues(&mut self, issues: &[FieldIssue], lang: Lang) {
        for f in &mut self.form.fields {
            f.error = None;
        }
        for issue in issues.iter().rev() {
            let key = match issue.field {
                Field::Kind => "kind",
                Field::Civility => "civility",
                Field::FirstName => "first_name",
                Field::LastName => "last_name",
                Field::Mobile => "mobile",
                Field::Mobile2 => "mobile2",
                Field::Consent => "consent",
                Field::Programme => "programme",
                Field::OptOut => "opt_out",
                Field::OptOutDate => "opt_out_date",
                Field::OptOutSource => "opt_out_source",
                Field::Attribute => "attributes",
                Field::Landline => "landline",
                Field::Email => "email",
                Field::Collaborator => "collaborator",
            };
            if let Some(f) = self.form.field_mut(key) {
                f.error = Some(clean(&issue.reason.describe(lang)));
            }
        }
        self.form.message = issues.first().map(|i| clean(&i.refusal().describe(lang)));
    }
}
