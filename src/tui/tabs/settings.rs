//! Settings: every setting with its value (credentials masked) and, for administrators, one
//! form to change them — each value validated as typed by the store's own validation (the
//! reason shown under the field), a timezone picker that offers metropolitan France and the
//! overseas zones first and accepts any IANA name, the provider and its credentials (masked,
//! never shown back; left empty they stay as they are). Saving asks for confirmation and goes
//! through `core::admin::set_settings` (right checked, audited, one transaction).

use super::admin::{admin_header, replace};
use super::modal_outcome;
use super::{Act, Col, Ctx, Outcome, Selection, TabView, cell, styled};
use crate::core::admin::set_settings;
use crate::gateway::{ProviderConfig, ProviderKind, check_field, redact_url, unmask_url};
use crate::i18n::{Describe, Lang, tr, trf};
use crate::keymap::{DialogAction, ListAction};
use crate::store::Result;
use crate::store::settings::{self, SettingKey};
use crate::tui::fmt::clean;
use crate::tui::problem::Problem;
use crate::tui::widgets::form::{
    EditHints, Form, FormField, checked_in, draw_question, lost_in, question_or_form_hints,
};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

/// Provider fields that are credentials: typed masked, never shown back.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "auth_token",
    "application_key",
    "application_secret",
    "consumer_key",
    "callback_secret",
];

/// The suggested timezones, each named by its territory in `lang` with its IANA name.
fn timezone_options(lang: Lang) -> Vec<(String, String)> {
    crate::sms::window::suggested_timezones()
        .iter()
        .map(|(tz, _)| {
            let territory = tz
                .parse::<chrono_tz::Tz>()
                .map(crate::sms::holidays::Territory::from_tz)
                .map_or(String::new(), |t| t.name(lang));
            (tz.to_string(), format!("{territory} ({tz})"))
        })
        .collect()
}

/// Week days in the reader's language: `lun, mar, mer` / `Mon, Tue, Wed` (the validation
/// reads both, and the codes).
fn weekdays(value: &str, lang: Lang) -> String {
    match value.parse::<crate::sms::window::WeekdaySet>() {
        Ok(set) => crate::i18n::Describe::describe(&set, lang),
        Err(_) => value.to_string(),
    }
}

/// A setting's value as the reader reads it: week days, yes / no, the language and the
/// provider named in `lang`; the rest as stored.
fn shown_value(key: SettingKey, value: &str, lang: Lang) -> String {
    match key {
        SettingKey::WindowDays => weekdays(value, lang),
        SettingKey::BatchInterview => tr(
            lang,
            if value == "yes" {
                "word.yes"
            } else {
                "word.no"
            },
        )
        .to_string(),
        SettingKey::Language => match value.parse::<Lang>() {
            Ok(l) => tr(lang, &format!("language.{l}")).to_string(),
            Err(_) => tr(lang, "admin.set_language_auto").to_string(),
        },
        SettingKey::Provider => {
            let config: ProviderConfig = serde_json::from_str(value).unwrap_or_default();
            config.kind().describe(lang)
        }
        // A suggested zone by its territory (the form shows its IANA name too).
        SettingKey::Timezone => crate::sms::window::suggested_timezones()
            .iter()
            .find(|(tz, _)| *tz == value)
            .and_then(|(tz, _)| tz.parse::<chrono_tz::Tz>().ok())
            .map_or_else(
                || value.to_string(),
                |tz| crate::sms::holidays::Territory::from_tz(tz).name(lang),
            ),
        _ => value.to_string(),
    }
}

struct Editor {
    form: Form,
    /// Stored values when the form opened (provider as raw JSON, never shown).
    original: Vec<(String, String)>,
}

/// Every setting with its value (secrets masked) and its help; the form for administrators.
#[derive(Default)]
pub struct SettingsTab {
    rows: Vec<(SettingKey, String)>,
    sel: Selection,
    admin: bool,
    editor: Option<Editor>,
    /// Changes waiting for the confirmation: `(key, value)`.
    confirm: Option<Vec<(String, String)>>,
    lang: Option<Lang>,
}

/// The provider's fields from its JSON configuration: text fields, secrets masked and empty,
/// credentials inside URLs shown as `***` (saved back, they keep the stored value).
fn provider_fields(json: &str, lang: Lang) -> Vec<FormField> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let Some(map) = value.as_object() else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| k.as_str() != "kind")
        .map(|(k, v)| {
            let key = format!("provider.{k}");
            // Named in `lang`; a field the catalogue does not know by its JSON name.
            let name_key = format!("provider_field.{k}");
            let name = tr(lang, &name_key);
            let label = if name == name_key {
                format!("  {}", clean(k))
            } else {
                format!("  {name}")
            };
            if SECRET_FIELDS.contains(&k.as_str()) {
                FormField::secret(&key, &label).with_help(tr(lang, "admin.set_secret_help"))
            } else {
                FormField::text(&key, &label, &redact_url(v.as_str().unwrap_or("")))
            }
        })
        .collect()
}

impl SettingsTab {
    fn open_editor(&mut self, act: &mut Act) -> Result<Outcome> {
        if let Err(e) = act.actor.require_admin(crate::core::Action::ChangeSettings) {
            return Ok(Outcome::failed(&e, act.lang()));
        }
        let lang = act.lang();
        let conn = act.store.db();
        let mut fields = Vec::new();
        let mut original = Vec::new();
        for setting in SettingKey::ALL {
            let key = setting.as_str();
            let value = settings::get(conn, key)?;
            original.push((key.to_string(), value.clone()));
            let label = setting.label(lang);
            let field = match setting {
                SettingKey::Timezone => {
                    FormField::choice(key, &label, &value, timezone_options(lang), true)
                }
                SettingKey::WindowDays => FormField::text(key, &label, &weekdays(&value, lang)),
                SettingKey::Language => FormField::choice(
                    key,
                    &label,
                    &value,
                    vec![
                        (
                            String::new(),
                            tr(lang, "admin.set_language_auto").to_string(),
                        ),
                        ("fr".into(), tr(lang, "language.fr").to_string()),
                        ("en".into(), tr(lang, "language.en").to_string()),
                    ],
                    false,
                ),
                SettingKey::BatchInterview => FormField::choice(
                    key,
                    &label,
                    &value,
                    vec![
                        (
                            "yes".into(),
                            tr(lang, "admin.set_batch_interview_yes").to_string(),
                        ),
                        (
                            "no".into(),
                            tr(lang, "admin.set_batch_interview_no").to_string(),
                        ),
                    ],
                    false,
                ),
                SettingKey::Provider => {
                    let kind = serde_json::from_str::<serde_json::Value>(&value)
                        .ok()
                        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
                        .unwrap_or_else(|| "simulator".into());
                    FormField::choice(
                        key,
                        &label,
                        &kind,
                        ProviderKind::ALL
                            .iter()
                            .map(|p| (p.as_str().to_string(), p.describe(lang)))
                            .collect(),
                        false,
                    )
                }
                _ => FormField::text(key, &label, &value),
            };
            fields.push(field.with_help(setting.help(lang)));
            if setting == SettingKey::Provider {
                fields.extend(provider_fields(&value, lang));
            }
        }
        let form = Form::new(tr(lang, "admin.set_title"), fields);
        self.editor = Some(Editor { form, original });
        Ok(Outcome::Handled)
    }

    /// The save key: the first field in error says why not; else the changes wait for the
    /// confirmation (none: the form closes).
    fn save(&mut self, lang: Lang) -> Result<Outcome> {
        let Some(editor) = &mut self.editor else {
            return Ok(Outcome::Handled);
        };
        if let Some(f) = editor.form.fields.iter().find(|f| f.error.is_some()) {
            editor.form.message = Some(format!(
                "{}{}",
                crate::i18n::label(lang, f.label.trim()),
                f.error.clone().unwrap_or_default()
            ));
            return Ok(Outcome::Handled);
        }
        match Self::changes(editor) {
            Ok(changes) if changes.is_empty() => {
                self.editor = None;
                Ok(Outcome::Info(tr(lang, "admin.set_nothing").to_string()))
            }
            Ok(changes) => {
                self.confirm = Some(changes);
                Ok(Outcome::Handled)
            }
            Err(e) => {
                editor.form.message = Some(e.describe(lang));
                Ok(Outcome::Handled)
            }
        }
    }

    /// Validates field `i` as typed; a new provider kind brings its own fields.
    fn validate(editor: &mut Editor, i: usize, lang: Lang) {
        let Some(field) = editor.form.fields.get(i) else {
            return;
        };
        let key = field.key.clone();
        let value = field.value.clone();
        if key == "provider" {
            let json = settings::validate("provider", &value).unwrap_or_default();
            editor
                .form
                .fields
                .retain(|f| !f.key.starts_with("provider."));
            let at = editor
                .form
                .fields
                .iter()
                .position(|f| f.key == "provider")
                .map_or(editor.form.fields.len(), |p| p + 1);
            // Keep the stored values when coming back to the stored provider.
            let stored = editor
                .original
                .iter()
                .find(|(k, _)| k == "provider")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let same_kind = serde_json::from_str::<serde_json::Value>(&stored)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
                .is_some_and(|k| k == value);
            let source = if same_kind { stored } else { json };
            for (n, f) in provider_fields(&source, lang).into_iter().enumerate() {
                editor.form.fields.insert(at + n, f);
            }
            return;
        }
        if let Some(name) = key.strip_prefix("provider.") {
            let kind = editor.form.value("provider").to_string();
            let stored = Self::stored_provider_field(editor, &kind, name);
            // A credential left empty keeps the stored one; the whole provider is checked on save.
            let error = match ProviderKind::parse(&kind) {
                Some(_) if SECRET_FIELDS.contains(&name) && value.is_empty() => None,
                Some(kind) => check_field(kind, name, &unmask_url(value.trim(), &stored))
                    .err()
                    .map(|e| e.describe(lang)),
                None => None,
            };
            if let Some(f) = editor.form.fields.get_mut(i) {
                f.error = error;
            }
            return;
        }
        let error = settings::validate(&key, &value)
            .err()
            .map(|e| crate::i18n::Describe::describe(&e.reason, lang));
        if let Some(f) = editor.form.fields.get_mut(i) {
            f.error = error;
        }
    }

    /// The stored value of a provider field, when the form shows the stored provider's kind.
    fn stored_provider_field(editor: &Editor, kind: &str, name: &str) -> String {
        editor
            .original
            .iter()
            .find(|(k, _)| k == "provider")
            .and_then(|(_, v)| serde_json::from_str::<serde_json::Value>(v).ok())
            .filter(|v| v.get("kind").and_then(|k| k.as_str()) == Some(kind))
            .and_then(|v| v.get(name).and_then(|f| f.as_str()).map(str::to_string))
            .unwrap_or_default()
    }

    /// The changes the form holds, each as `set_setting` takes it; the provider as one JSON.
    fn changes(editor: &Editor) -> std::result::Result<Vec<(String, String)>, Problem> {
        let form = &editor.form;
        let original = |key: &str| {
            editor
                .original
                .iter()
                .find(|(k, _)| k == key)
                .map_or("", |(_, v)| v.as_str())
                .to_string()
        };
        let mut out = Vec::new();
        for f in &form.fields {
            if f.key == "provider" || f.key.starts_with("provider.") {
                continue;
            }
            let normalised = settings::validate(&f.key, &f.value)?;
            if normalised != original(&f.key) {
                out.push((f.key.clone(), normalised));
            }
        }
        let stored = original("provider");
        let kind = form.value("provider").to_string();
        let stored_json: serde_json::Value = serde_json::from_str(&stored).unwrap_or_default();
        let same_kind = stored_json.get("kind").and_then(|k| k.as_str()) == Some(kind.as_str());
        let base = if same_kind {
            stored_json
        } else {
            let json = settings::validate("provider", &kind)?;
            serde_json::from_str(&json).unwrap_or_default()
        };
        let mut config = base;
        if let Some(map) = config.as_object_mut() {
            for f in form
                .fields
                .iter()
                .filter(|f| f.key.starts_with("provider."))
            {
                let name = f.key.trim_start_matches("provider.");
                let secret = SECRET_FIELDS.contains(&name);
                if secret && f.value.is_empty() {
                    continue; // unchanged
                }
                map.insert(
                    name.to_string(),
                    serde_json::Value::String(f.value.trim().to_string()),
                );
            }
        }
        let stored_config = serde_json::from_str::<ProviderConfig>(&stored).ok();
        let mut config: ProviderConfig =
            serde_json::from_value(config).map_err(|e| Problem::ProviderUnreadable {
                reason: e.to_string(),
            })?;
        if let Some(old) = &stored_config {
            config.restore_masked(old);
        }
        // Only a changed provider is checked: other settings can be saved while it is incomplete.
        if stored_config.as_ref() != Some(&config) {
            let json = serde_json::to_string(&config).map_err(|e| Problem::ProviderUnreadable {
                reason: e.to_string(),
            })?;
            let normalised = settings::provider_value(&json, Some(&stored))?;
            out.push(("provider".into(), normalised));
        }
        Ok(out)
    }

    fn apply(&mut self, changes: Vec<(String, String)>, act: &mut Act) -> Result<Outcome> {
        // All the form's changes in one transaction: nothing half-saved.
        let done = match set_settings(act.store, act.actor, &changes, act.now) {
            Ok(n) => n,
            Err(e) => {
                if let Some(editor) = &mut self.editor {
                    editor.form.message = Some(crate::i18n::Describe::describe(&e, act.lang()));
                }
                self.refresh(&act.ctx())?;
                return Ok(Outcome::failed(&e, act.lang()));
            }
        };
        self.editor = None;
        self.refresh(&act.ctx())?;
        Ok(Outcome::Info(trf(
            act.lang(),
            "admin.set_saved",
            &[("count", &done.to_string())],
        )))
    }
}

impl TabView for SettingsTab {
    fn refresh(&mut self, ctx: &Ctx) -> Result<bool> {
        self.admin = ctx.actor.rights.admin;
        let mut fresh = Vec::with_capacity(SettingKey::ALL.len());
        for key in SettingKey::ALL {
            fresh.push((key, settings::shown(ctx.conn, key.as_str())?));
        }
        Ok(replace(&mut self.rows, fresh))
    }

    fn action(&mut self, action: ListAction, _ctx: &Ctx) -> Result<Outcome> {
        Ok(self.sel.moved(action, self.rows.len()))
    }

    fn command(&mut self, action: ListAction, act: &mut Act) -> Result<Outcome> {
        match action {
            ListAction::Open | ListAction::Edit => {
                let selected = self.rows.get(self.sel.selected).map(|(k, _)| k.as_str());
                let outcome = self.open_editor(act)?;
                if let (Some(editor), Some(key)) = (&mut self.editor, selected) {
                    editor.form.focus = editor
                        .form
                        .fields
                        .iter()
                        .position(|f| f.key == key)
                        .unwrap_or(0);
                }
                Ok(outcome)
            }
            _ => Ok(Outcome::Ignored),
        }
    }

    fn editing(&self) -> bool {
        self.editor.is_some()
    }

    fn key(&mut self, key: &KeyEvent, act: &mut Act) -> Result<Outcome> {
        if let Some(changes) = &self.confirm {
            match act.keymap.dialog(key) {
                Some(DialogAction::Confirm) => {
                    let changes = changes.clone();
                    self.confirm = None;
                    return self.apply(changes, act);
                }
                Some(DialogAction::Close) => self.confirm = None,
                _ => {}
            }
            return Ok(Outcome::Handled);
        }
        let lang = act.lang();
        let check = |e: &mut Editor, i| Self::validate(e, i, lang);
        let asked = checked_in(&mut self.editor, |e| &mut e.form, key, act.keymap, check);
        modal_outcome(asked, || self.save(lang)).unwrap_or(Ok(Outcome::Ignored))
    }

    fn paste(&mut self, text: &str, act: &mut Act) {
        if self.confirm.is_some() {
            return;
        }
        if let Some(editor) = &mut self.editor
            && let Some(i) = editor.form.paste(text)
        {
            Self::validate(editor, i, act.lang());
        }
    }

    fn edit_hints(&self) -> EditHints {
        question_or_form_hints(
            self.confirm.is_some(),
            self.editor.as_ref().map(|e| &e.form),
            self.lang.unwrap_or(Lang::En),
        )
    }

    super::admin::list_with_form!();

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let table = admin_header(frame, area, ctx, "tab.settings", self.rows.len());
        let cols = [
            Col::new(ctx.tr("col.setting"), 20, 0),
            Col::new(ctx.tr("col.value"), 30, 0),
            Col::fill(ctx.tr("col.help"), 20, 1),
        ];
        let cells = self
            .rows
            .iter()
            .map(|(key, value)| {
                let value = if value.is_empty() && *key != SettingKey::Language {
                    styled(format!("({})", ctx.tr("word.empty")), ctx.theme.dim())
                } else {
                    cell(clean(&shown_value(*key, value, ctx.lang())))
                };
                vec![
                    styled(key.label(ctx.lang()), ctx.theme.key()),
                    value,
                    styled(key.help(ctx.lang()), ctx.theme.dim()),
                ]
            })
            .collect();
        self.sel.draw_table(frame, table, ctx, &cols, cells);
        if let Some(editor) = &self.editor {
            editor.form.draw(frame, area, ctx.theme, ctx.lang());
        }
        if let Some(changes) = &self.confirm {
            let keys: Vec<String> = changes
                .iter()
                .map(|(k, _)| {
                    k.parse::<SettingKey>()
                        .map_or_else(|_| clean(k), |k| k.label(ctx.lang()))
                })
                .collect();
            let lines = vec![trf(
                ctx.lang(),
                "admin.set_confirm",
                &[
                    ("count", &changes.len().to_string()),
                    ("keys", &keys.join(", ")),
                ],
            )];
            draw_question(frame, area, ctx.theme, ctx.tr("admin.set_title"), &lines);
        }
    }

    /// The question before saving: Enter / `y` saves (nothing is lost), Esc / `n` goes back to
    /// the form with what was typed.
    fn edit_hint_label(&self, action: crate::keymap::Action) -> Option<&'static str> {
        self.confirm.as_ref()?;
        match action {
            crate::keymap::Action::Dialog(DialogAction::Confirm) => Some("action.save"),
            crate::keymap::Action::Dialog(DialogAction::Close) => Some("admin.set_back"),
            _ => None,
        }
    }

    fn hints(&self) -> &'static [ListAction] {
        if self.admin {
            &[ListAction::Edit, ListAction::Down, ListAction::Up]
        } else {
            &[ListAction::Down, ListAction::Up]
        }
    }
}
