//! Settings: one validated value per key. The same validation serves the CLI
//! (`smsdesk settings set`) and the TUI form, so both refuse the same things with the same words.

use super::audit::{AuditAction, Stamp};
use super::{Result, StoreError, StoreProblem, audit, ts};
use crate::gateway::ProviderConfig;
use crate::store::Db;
use chrono::{DateTime, NaiveTime, Utc};
use rusqlite::{OptionalExtension, params};

/// A setting the operator can read and change.
#[derive(Debug)]
pub struct SettingSpec {
    pub key: &'static str,
    pub default: &'static str,
    pub help_en: &'static str,
    pub help_fr: &'static str,
    /// Never shown back in clear.
    pub secret: bool,
}

macro_rules! spec {
    ($key:literal, $default:literal, $en:literal, $fr:literal) => {
        SettingSpec {
            key: $key,
            default: $default,
            help_en: $en,
            help_fr: $fr,
            secret: false,
        }
    };
}

pub const SPECS: &[SettingSpec] = &[
    spec!(
        "organisation",
        "Mon organisation",
        "organisation name, shown in merge fields",
        "nom de l'organisation (champ de fusion)"
    ),
    spec!(
        "sender",
        "SMSDESK",
        "sender name: 3-11 ASCII letters/digits, at least one letter",
        "nom d'expéditeur : 3 à 11 lettres/chiffres ASCII, au moins une lettre"
    ),
    spec!(
        "reply_number",
        "36180",
        "number replies come back to (messages expecting a reply are sent from it)",
        "numéro de réponse (les messages attendant une réponse partent de ce numéro)"
    ),
    spec!(
        "max_segments",
        "3",
        "maximum segments per message (1-10)",
        "nombre maximal de segments par message (1 à 10)"
    ),
    spec!(
        "window",
        "09:00-19:00",
        "sending window HH:MM-HH:MM (start before end)",
        "plage d'envoi HH:MM-HH:MM (début avant fin)"
    ),
    spec!(
        "window_days",
        "mon,tue,wed,thu,fri,sat",
        "week days messages may leave",
        "jours d'envoi autorisés"
    ),
    spec!(
        "timezone",
        "Europe/Paris",
        "organisation timezone (IANA name)",
        "fuseau horaire de l'organisation (nom IANA)"
    ),
    spec!(
        "signature",
        "",
        "signature appended to every message",
        "signature ajoutée à chaque message"
    ),
    spec!(
        "stop_mention",
        "STOP au 36608",
        "STOP mention appended to batch and free sends",
        "mention STOP ajoutée aux envois groupés et libres"
    ),
    spec!(
        "batch_interview",
        "yes",
        "new batches record an interview per recipient: yes (job seekers), no (a shop's or a network's campaigns)",
        "les nouveaux envois groupés enregistrent un entretien par destinataire : oui (demandeurs d'emploi), non (campagnes d'un commerce ou d'un réseau)"
    ),
    spec!(
        "default_region",
        "FR",
        "default country for phone numbers (ISO code)",
        "pays par défaut des numéros (code ISO)"
    ),
    spec!(
        "low_credit",
        "100",
        "low credit warning threshold (SMS units)",
        "seuil d'alerte de crédit bas (SMS)"
    ),
    spec!(
        "grace_seconds",
        "30",
        "seconds a send \"now\" waits in Upcoming (0-600)",
        "délai de grâce d'un envoi immédiat, en secondes (0 à 600)"
    ),
    spec!(
        "max_in_flight",
        "4",
        "messages submitted at once (1-64)",
        "envois simultanés (1 à 64)"
    ),
    spec!(
        "rate_per_second",
        "0",
        "maximum submissions per second, 0 = no limit",
        "envois maximum par seconde, 0 = sans limite"
    ),
    spec!(
        "language",
        "",
        "interface language: French, English, or empty for $LANG",
        "langue de l'interface : français, anglais, ou vide pour $LANG"
    ),
    SettingSpec {
        key: "provider",
        default: "{\"kind\":\"simulator\"}",
        help_en: "provider: Simulator, Kannel, Twilio or OVH (or its JSON configuration); fields with provider.FIELD",
        help_fr: "fournisseur : simulateur, Kannel, Twilio ou OVH (ou sa configuration JSON) ; champs avec provider.CHAMP",
        secret: true,
    },
];

pub fn spec(key: &str) -> Option<&'static SettingSpec> {
    SPECS.iter().find(|s| s.key == key)
}

/// A setting's key, typed: screens name it by [`SettingKey::label`], never by its code. The
/// stored key strings ([`SettingKey::as_str`]) are those of [`SPECS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SettingKey {
    Organisation,
    Sender,
    ReplyNumber,
    MaxSegments,
    Window,
    WindowDays,
    Timezone,
    Signature,
    StopMention,
    BatchInterview,
    DefaultRegion,
    LowCredit,
    GraceSeconds,
    MaxInFlight,
    RatePerSecond,
    Language,
    Provider,
}

impl SettingKey {
    /// Every setting, in the order of [`SPECS`].
    pub const ALL: [SettingKey; 17] = [
        SettingKey::Organisation,
        SettingKey::Sender,
        SettingKey::ReplyNumber,
        SettingKey::MaxSegments,
        SettingKey::Window,
        SettingKey::WindowDays,
        SettingKey::Timezone,
        SettingKey::Signature,
        SettingKey::StopMention,
        SettingKey::BatchInterview,
        SettingKey::DefaultRegion,
        SettingKey::LowCredit,
        SettingKey::GraceSeconds,
        SettingKey::MaxInFlight,
        SettingKey::RatePerSecond,
        SettingKey::Language,
        SettingKey::Provider,
    ];

    /// The key as stored and as the command line takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SettingKey::Organisation => "organisation",
            SettingKey::Sender => "sender",
            SettingKey::ReplyNumber => "reply_number",
            SettingKey::MaxSegments => "max_segments",
            SettingKey::Window => "window",
            SettingKey::WindowDays => "window_days",
            SettingKey::Timezone => "timezone",
            SettingKey::Signature => "signature",
            SettingKey::StopMention => "stop_mention",
            SettingKey::BatchInterview => "batch_interview",
            SettingKey::DefaultRegion => "default_region",
            SettingKey::LowCredit => "low_credit",
            SettingKey::GraceSeconds => "grace_seconds",
            SettingKey::MaxInFlight => "max_in_flight",
            SettingKey::RatePerSecond => "rate_per_second",
            SettingKey::Language => "language",
            SettingKey::Provider => "provider",
        }
    }

    pub fn spec(self) -> &'static SettingSpec {
        spec(self.as_str()).unwrap_or(&SPECS[0])
    }

    /// The setting's name on screens.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        crate::i18n::tr(lang, &format!("admin.set_{}", self.as_str())).to_string()
    }

    /// What the setting is for, in `lang`.
    pub fn help(self, lang: crate::i18n::Lang) -> &'static str {
        let spec = self.spec();
        match lang {
            crate::i18n::Lang::Fr => spec.help_fr,
            crate::i18n::Lang::En => spec.help_en,
        }
    }
}

impl std::fmt::Display for SettingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SettingKey {
    type Err = SettingError;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        SettingKey::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| unknown_key(s))
    }
}

impl rusqlite::ToSql for SettingKey {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for SettingKey {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{key}: {reason}")]
pub struct SettingError {
    pub key: String,
    /// Shown next to the field in the Settings form, in the operator's language.
    pub reason: SettingProblem,
}

crate::typed_messages! {
    /// Why a setting's value is refused (texts: `[setting_problem]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum SettingProblem in "setting_problem" {
        /// A provider field the gateway's rules refuse.
        Rule { problem: crate::gateway::FieldRule },
        /// A window, week days or timezone the window rules refuse.
        Window { problem: crate::sms::window::WindowError },
        Sender { problem: crate::sms::sender::SenderError },
        ControlCharacters,
        TooLong,
        DigitsOnly,
        UnknownRegion { value: String },
        YesOrNo,
        Language,
        UnknownSetting { known: String },
        WholeNumber { min: i64, max: i64, value: String },
        /// serde_json's words, verbatim.
        BadProviderConfig { problem: String },
        UnknownProvider { given: String },
        NotProviderField { kind: String },
    }
}

impl SettingProblem {
    /// serde_json's words on a provider configuration, kept verbatim.
    fn bad_json(e: serde_json::Error) -> SettingProblem {
        SettingProblem::BadProviderConfig {
            problem: e.to_string(),
        }
    }
}

impl From<SettingError> for StoreError {
    fn from(e: SettingError) -> StoreError {
        StoreProblem::Setting {
            key: e.key,
            problem: e.reason,
        }
        .into()
    }
}

fn refuse(key: &str, reason: SettingProblem) -> SettingError {
    SettingError {
        key: key.to_string(),
        reason,
    }
}

/// Checks a value for `key` and returns its normalised form (what will be stored).
pub fn validate(key: &str, value: &str) -> std::result::Result<String, SettingError> {
    let v = value.trim();
    match key {
        "sender" => crate::sms::sender::validate_sender(v)
            .map(|_| v.to_string())
            .map_err(|problem| refuse(key, SettingProblem::Sender { problem })),
        "max_segments" => int_in(key, v, 1, 10),
        "low_credit" => int_in(key, v, 0, 10_000_000),
        "grace_seconds" => int_in(key, v, 0, 600),
        "max_in_flight" => int_in(key, v, 1, 64),
        "rate_per_second" => int_in(key, v, 0, 1000),
        "window" => parse_window(v)
            .map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")))
            .map_err(|r| refuse(key, r)),
        "window_days" => v
            .parse::<crate::sms::window::WeekdaySet>()
            .map(|d| d.to_string())
            .map_err(|problem| refuse(key, SettingProblem::Window { problem })),
        "timezone" => crate::sms::window::parse_timezone(v)
            .map(|tz| tz.name().to_string())
            .map_err(|problem| refuse(key, SettingProblem::Window { problem })),
        "signature" | "stop_mention" | "organisation" => {
            if v.chars().any(char::is_control) {
                Err(refuse(key, SettingProblem::ControlCharacters))
            } else if v.chars().count() > 160 {
                Err(refuse(key, SettingProblem::TooLong))
            } else {
                Ok(v.to_string())
            }
        }
        "reply_number" => {
            if v.is_empty() || (v.len() <= 15 && v.chars().all(|c| c.is_ascii_digit() || c == '+'))
            {
                Ok(v.to_string())
            } else {
                Err(refuse(key, SettingProblem::DigitsOnly))
            }
        }
        "default_region" => {
            let up = v.to_ascii_uppercase();
            if up.len() == 2 && up.parse::<phonenumber::country::Id>().is_ok() {
                Ok(up)
            } else {
                Err(refuse(
                    key,
                    SettingProblem::UnknownRegion {
                        value: v.to_string(),
                    },
                ))
            }
        }
        "batch_interview" => match v.to_lowercase().as_str() {
            "yes" | "oui" | "true" | "1" => Ok("yes".into()),
            "no" | "non" | "false" | "0" => Ok("no".into()),
            _ => Err(refuse(key, SettingProblem::YesOrNo)),
        },
        "language" if v.is_empty() => Ok(String::new()),
        "language" => v
            .parse::<crate::i18n::Lang>()
            .map(|l| l.as_str().to_string())
            .map_err(|_| refuse(key, SettingProblem::Language)),
        "provider" => provider_value(v, None),
        _ => Err(unknown_key(key)),
    }
}

fn unknown_key(key: &str) -> SettingError {
    let keys: Vec<&str> = SPECS.iter().map(|s| s.key).collect();
    refuse(
        key,
        SettingProblem::UnknownSetting {
            known: keys.join(", "),
        },
    )
}

fn int_in(key: &str, v: &str, min: i64, max: i64) -> std::result::Result<String, SettingError> {
    match crate::text::parse_whole_number(v) {
        Some(n) if (min..=max).contains(&n) => Ok(n.to_string()),
        _ => Err(refuse(
            key,
            SettingProblem::WholeNumber {
                min,
                max,
                value: v.to_string(),
            },
        )),
    }
}

/// `HH:MM-HH:MM`, start strictly before end (the window rules' own parser).
pub fn parse_window(v: &str) -> std::result::Result<(NaiveTime, NaiveTime), SettingProblem> {
    let w = crate::sms::window::SendWindow::parse(v, "mon-sun")
        .map_err(|problem| SettingProblem::Window { problem })?;
    Ok((w.start, w.end))
}

/// Checks a whole provider configuration (JSON, or a bare provider name that starts an empty
/// configuration of that kind to fill field by field) and returns it as stored. Masks a screen
/// showed (`***`) take back the values of `stored` first; then every field of a JSON value must
/// be able to work ([`ProviderConfig::problems`]), the first that cannot is refused by name.
pub fn provider_value(
    value: &str,
    stored: Option<&str>,
) -> std::result::Result<String, SettingError> {
    let v = value.trim();
    let mut config = parse_provider(v).map_err(|r| refuse("provider", r))?;
    if v.starts_with('{') {
        // A misspelt field would be dropped silently, and its value with it.
        let typed: serde_json::Value = serde_json::from_str(v).unwrap_or_default();
        let known: Vec<&str> = config.fields().into_iter().map(|(k, _)| k).collect();
        if let Some(unknown) = typed.as_object().and_then(|m| {
            m.keys()
                .find(|k| *k != "kind" && !known.contains(&k.as_str()))
        }) {
            return Err(refuse(
                &format!("provider.{unknown}"),
                SettingProblem::NotProviderField {
                    kind: config.kind().to_string(),
                },
            ));
        }
        if let Some(old) = stored.and_then(|s| serde_json::from_str::<ProviderConfig>(s).ok()) {
            config.restore_masked(&old);
        }
        if let Some(p) = config.problems().into_iter().next() {
            return Err(refuse(
                &format!("provider.{}", p.field),
                SettingProblem::Rule { problem: p.reason },
            ));
        }
    }
    serde_json::to_string(&config).map_err(|e| refuse("provider", SettingProblem::bad_json(e)))
}

fn parse_provider(v: &str) -> std::result::Result<ProviderConfig, SettingProblem> {
    if v.starts_with('{') {
        return serde_json::from_str(v).map_err(|e| SettingProblem::BadProviderConfig {
            problem: e.to_string(),
        });
    }
    let json = match v {
        "simulator" => "{\"kind\":\"simulator\"}",
        "kannel" => {
            "{\"kind\":\"kannel\",\"sendsms_url\":\"http://127.0.0.1:13013/cgi-bin/sendsms\",\"username\":\"\",\"password\":\"\",\"callback_listen\":\"127.0.0.1:8089\",\"callback_secret\":\"\"}"
        }
        "twilio" => "{\"kind\":\"twilio\",\"account_sid\":\"\",\"auth_token\":\"\",\"from\":\"\"}",
        "ovh" => {
            "{\"kind\":\"ovh\",\"endpoint\":\"https://eu.api.ovh.com/1.0\",\"application_key\":\"\",\"application_secret\":\"\",\"consumer_key\":\"\",\"service_name\":\"\"}"
        }
        other => {
            return Err(SettingProblem::UnknownProvider {
                given: other.to_string(),
            });
        }
    };
    serde_json::from_str(json).map_err(SettingProblem::bad_json)
}

/// The stored value of `key`, or its default.
pub fn get(conn: Db<'_>, key: &str) -> Result<String> {
    let Some(spec) = spec(key) else {
        return Err(unknown_key(key).into());
    };
    let stored: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(stored.unwrap_or_else(|| spec.default.to_string()))
}

/// What may be shown of a setting: secrets are masked, inside URLs too.
pub fn shown(conn: Db<'_>, key: &str) -> Result<String> {
    let value = get(conn, key)?;
    if key == "provider" {
        let config: ProviderConfig = serde_json::from_str(&value).unwrap_or_default();
        return Ok(redact(&config));
    }
    Ok(value)
}

/// The provider configuration as JSON with every credential masked (never shown in clear).
pub fn redact(config: &ProviderConfig) -> String {
    serde_json::to_string(&config.redacted()).unwrap_or_default()
}

/// Validates and stores `value` for `key`, with an audit row. `provider.FIELD` keys change one
/// field of the provider configuration.
pub fn set<'c>(
    conn: impl Into<Db<'c>>,
    key: &str,
    value: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let conn: Db<'c> = conn.into();
    let (key, normalised) = if let Some(field) = key.strip_prefix("provider.") {
        ("provider", set_provider_field(conn, field, value)?)
    } else if key == "provider" {
        let stored = get(conn, "provider")?;
        (key, provider_value(value, Some(&stored))?)
    } else {
        (key, validate(key, value)?)
    };
    conn.execute(
        "INSERT INTO settings(key, value, updated_at, updated_by) VALUES (?1,?2,?3,?4)
         ON CONFLICT(key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at, updated_by=excluded.updated_by",
        params![key, normalised, ts(now), actor],
    )?;
    let shown_value = if spec(key).is_some_and(|s| s.secret) {
        shown(conn, key)?
    } else {
        normalised.clone()
    };
    audit::record(
        conn,
        Stamp { by: actor, at: now },
        AuditAction::SettingsSet,
        key,
        &shown_value,
    )?;
    Ok(shown_value)
}

fn set_provider_field(conn: Db<'_>, field: &str, value: &str) -> Result<String> {
    let current = get(conn, "provider")?;
    let mut json: serde_json::Value = serde_json::from_str(&current).unwrap_or_default();
    let Some(map) = json.as_object_mut() else {
        return Err(StoreProblem::ProviderNotObject.into());
    };
    if field == "kind"
        || !map.contains_key(field)
            && !matches!(
                field,
                "callback_url" | "callback_secret" | "reply_number" | "base_url"
            )
    {
        let known: Vec<&str> = map
            .keys()
            .filter(|k| *k != "kind")
            .map(String::as_str)
            .collect();
        return Err(StoreProblem::NotProviderField {
            field: field.to_string(),
            known: known.join(", "),
        }
        .into());
    }
    let before: ProviderConfig = serde_json::from_value(json.clone()).unwrap_or_default();
    let Some(map) = json.as_object_mut() else {
        return Err(StoreProblem::ProviderNotObject.into());
    };
    // A URL copied from `settings get` keeps the credentials its masks stand for.
    let old = map.get(field).and_then(|v| v.as_str()).unwrap_or_default();
    let typed = crate::gateway::unmask_url(value.trim(), old);
    if let Err(problem) = crate::gateway::check_field(before.kind(), field, &typed) {
        return Err(StoreProblem::ProviderField {
            field: field.to_string(),
            problem,
        }
        .into());
    }
    map.insert(field.to_string(), serde_json::Value::String(typed));
    let config: ProviderConfig =
        serde_json::from_value(json).map_err(|e| StoreProblem::ProviderJson {
            field: field.to_string(),
            error: e.to_string(),
        })?;
    // Fields still empty may be filled one by one; what this change breaks is refused.
    let was = before.problems();
    if let Some(p) = config.problems().into_iter().find(|p| !was.contains(p)) {
        return Err(StoreProblem::ProviderField {
            field: p.field.to_string(),
            problem: p.reason,
        }
        .into());
    }
    serde_json::to_string(&config).map_err(|e| {
        StoreProblem::ProviderNotWritten {
            error: e.to_string(),
        }
        .into()
    })
}

/// Every setting, typed, as the core and the scheduler use them.
#[derive(Clone, Debug)]
pub struct Settings {
    pub organisation: String,
    pub sender: String,
    pub reply_number: String,
    pub max_segments: u32,
    pub window_start: NaiveTime,
    pub window_end: NaiveTime,
    pub window_days: crate::sms::window::WeekdaySet,
    pub timezone: chrono_tz::Tz,
    pub signature: String,
    pub stop_mention: String,
    /// Whether a new batch starts as an interview batch (job seekers) rather than a plain
    /// campaign: the form's default, each batch may choose otherwise.
    pub batch_interview: bool,
    pub default_region: String,
    pub low_credit: i64,
    pub grace_seconds: i64,
    pub max_in_flight: usize,
    pub rate_per_second: u32,
    pub language: String,
    pub provider: ProviderConfig,
}

impl Settings {
    /// Loads every setting; a stored value that no longer validates falls back to its default
    /// (and `doctor` reports it).
    pub fn load<'c>(conn: impl Into<Db<'c>>) -> Result<Settings> {
        let conn: Db<'c> = conn.into();
        let mut values = std::collections::HashMap::new();
        let mut stmt = conn.prepare_cached("SELECT key, value FROM settings")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (k, v) = row?;
            values.insert(k, v);
        }
        // The provider is read as stored even when a field cannot work: falling back to the
        // simulator would "send" nothing; `doctor` and the dashboard say what is wrong.
        let provider = values
            .get("provider")
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        let get = |key: &str| -> String {
            let default = spec(key).map(|s| s.default).unwrap_or_default();
            values
                .get(key)
                .and_then(|v| validate(key, v).ok())
                .unwrap_or_else(|| default.to_string())
        };
        let (window_start, window_end) =
            parse_window(&get("window")).unwrap_or((NaiveTime::MIN, NaiveTime::MIN));
        Ok(Settings {
            organisation: get("organisation"),
            sender: get("sender"),
            reply_number: get("reply_number"),
            max_segments: get("max_segments").parse().unwrap_or(3),
            window_start,
            window_end,
            window_days: get("window_days").parse().unwrap_or_default(),
            timezone: get("timezone").parse().unwrap_or(chrono_tz::Europe::Paris),
            signature: get("signature"),
            stop_mention: get("stop_mention"),
            batch_interview: get("batch_interview") == "yes",
            default_region: get("default_region"),
            low_credit: get("low_credit").parse().unwrap_or(100),
            grace_seconds: get("grace_seconds").parse().unwrap_or(30),
            max_in_flight: get("max_in_flight").parse().unwrap_or(4),
            rate_per_second: get("rate_per_second").parse().unwrap_or(0),
            language: get("language"),
            provider,
        })
    }

    /// Stored values that no longer validate (reported by `doctor`).
    pub fn invalid_stored(conn: Db<'_>) -> Result<Vec<SettingError>> {
        let mut stmt = conn.prepare("SELECT key, value FROM settings ORDER BY key")?;
        let mut bad = Vec::new();
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (k, v) = row?;
            // A readable provider is checked field by field by `provider_problems`.
            if k == "provider" && serde_json::from_str::<ProviderConfig>(&v).is_ok() {
                continue;
            }
            if let Err(e) = validate(&k, &v) {
                bad.push(e);
            }
        }
        Ok(bad)
    }

    /// The provider fields that cannot work, with the reason (reported by `doctor`).
    pub fn provider_problems(&self) -> Vec<crate::gateway::FieldProblem> {
        self.provider.problems()
    }

    pub fn window(&self) -> crate::sms::window::SendWindow {
        crate::sms::window::SendWindow {
            start: self.window_start,
            end: self.window_end,
            days: self.window_days,
        }
    }
}
