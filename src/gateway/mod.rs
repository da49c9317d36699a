//! Providers: how messages reach phones. Each provider is a module behind [`Provider`]; the
//! scheduler only speaks this trait. Providers never touch the store: they take what to send
//! and give back what happened, so they are tested against loopback HTTP servers alone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub mod http;
pub mod kannel;
pub mod listener;
pub mod ovh;
pub mod simulator;
pub mod twilio;

/// One message handed to a provider.
#[derive(Clone, Debug)]
pub struct OutgoingSms {
    /// Our own reference for the message (e.g. `"m42"`); providers carry it where their API
    /// allows (Kannel dlr-url, OVH tag) so reports and reconciliation find the message again.
    pub reference: String,
    pub to_e164: String,
    /// Sender name, or the provider's reply number for messages that expect a reply.
    pub from: String,
    pub text: String,
    pub ucs2: bool,
    pub segments: u32,
    pub expects_reply: bool,
}

/// What a provider said about one submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Taken by the provider; `provider_id` is its own id for the message.
    Accepted { provider_id: String },
    /// Refused for good (bad number, no route, content refused): the message fails, no retry.
    Rejected { reason: ProviderProblem },
}

/// A duration in seconds as a provider problem says it (`5`, `0.5`; `0,5` in French).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seconds(pub f64);

impl Eq for Seconds {}

impl crate::i18n::Describe for Seconds {
    fn describe(&self, lang: crate::i18n::Lang) -> String {
        let s = self.0.to_string();
        match lang {
            crate::i18n::Lang::Fr => s.replace('.', ","),
            crate::i18n::Lang::En => s,
        }
    }
}

crate::typed_messages! {
    /// Which provider carries the messages: the `kind` of a stored configuration (texts, the
    /// provider's name on screens: `[provider]`). Its code is [`ProviderKind::as_str`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ProviderKind in "provider" {
        Simulator,
        Kannel,
        Twilio,
        Ovh,
    }
}

impl ProviderKind {
    /// Every provider, in the order screens offer them.
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::Simulator,
        ProviderKind::Kannel,
        ProviderKind::Twilio,
        ProviderKind::Ovh,
    ];

    /// The code written in the settings and the store (`simulator`, `kannel`…).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Simulator => "simulator",
            ProviderKind::Kannel => "kannel",
            ProviderKind::Twilio => "twilio",
            ProviderKind::Ovh => "ovh",
        }
    }

    /// The provider of a code, case and spaces ignored.
    pub fn parse(code: &str) -> Option<ProviderKind> {
        let code = code.trim();
        ProviderKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(code))
    }
}

/// A character a rule refuses, written as Rust writes it (`'\n'`, `' '`) so that an invisible
/// one can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Shown(pub char);

impl crate::i18n::Describe for Shown {
    fn describe(&self, _: crate::i18n::Lang) -> String {
        format!("{:?}", self.0)
    }
}

crate::typed_messages! {
    /// Why one provider field cannot work, said without the field's name (texts:
    /// `[gateway_field]`): the same rules for the command line, the Settings form and `doctor`.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "rule", rename_all = "snake_case")]
    pub enum FieldRule in "gateway_field" {
        ControlCharacter { found: Shown },
        NotAField { kind: ProviderKind },
        Required,
        /// `***` typed back: the mask a screen shows, not the value.
        Mask,
        NoSpaces,
        DigitsOnly,
        SecretTooShort { length: usize, min: usize },
        SecretCharacters { found: Shown },
        /// Required by a listener other machines can reach.
        SecretRequired { listen: String },
        UrlSpace { found: Shown },
        OnlyHttp { scheme: String },
        /// Its credentials are masked ([`redact_url`]).
        NotUrl { url: String },
        NoHost,
        BadHost { host: String },
        BadPort { port: String },
        NotListenAddress { addr: String },
    }
}

crate::typed_messages! {
    /// Credentials or configuration a provider cannot work with (texts: `[gateway_config]`):
    /// retrying will not help until an operator acts. What the provider answered stays
    /// verbatim in a field, secrets scrubbed ([`ConfigProblem::scrubbed`]).
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "code", rename_all = "snake_case")]
    pub enum ConfigProblem in "gateway_config" {
        /// A provider module was handed another provider's configuration. No longer made
        /// (each client takes its own configuration type); kept so notes stored with it read.
        WrongKind { provider: ProviderKind, given: ProviderKind },
        /// A mandatory setting is empty.
        Missing { provider: ProviderKind, field: String },
        /// A setting that cannot work.
        Field { provider: ProviderKind, field: String, rule: FieldRule },
        /// The provider's address is not a URL its HTTP client can use.
        BadAddress { provider: String, host: String },
        /// It answered with a redirection: the API's own address is wanted.
        Redirected { provider: String, status: u16 },
        KannelLogin { status: u16, body: String },
        /// The callback listener is reachable from other machines and has no secret.
        ListenerOpen { addr: String },
        CannotListen { addr: String, error: String },
        TwilioLogin { activity: Activity, status: u16, detail: String },
        TwilioAccount { account: String, base: String, activity: Activity, detail: String },
        OvhKeys { activity: Activity, status: u16, said: String },
        OvhService { service: String, activity: Activity, said: String },
        /// The sender name or number is refused, with the provider's own words.
        SenderRefused { provider: ProviderKind, sender: String, said: String },
    }
}

impl ConfigProblem {
    /// The text that came from outside (the provider's answer, the system's error), for
    /// scrubbing.
    fn outside_text(&mut self) -> Option<&mut String> {
        use ConfigProblem::*;
        match self {
            KannelLogin { body: t, .. }
            | CannotListen { error: t, .. }
            | TwilioLogin { detail: t, .. }
            | TwilioAccount { detail: t, .. }
            | OvhKeys { said: t, .. }
            | OvhService { said: t, .. }
            | SenderRefused { said: t, .. } => Some(t),
            _ => None,
        }
    }

    /// The same problem with `scrub` applied to the text that came from outside.
    pub fn scrubbed(mut self, scrub: impl Fn(&str) -> String) -> ConfigProblem {
        if let Some(t) = self.outside_text() {
            *t = scrub(t);
        }
        self
    }
}

crate::typed_messages! {
    /// What went wrong with a provider, or why it refused a message (texts:
    /// `[provider_problem]` in the catalogues). What the provider itself wrote (an answer's
    /// excerpt, its error text) stays verbatim in a field; hosts never carry a query string and
    /// secrets are scrubbed ([`ProviderProblem::scrubbed`]). Stored inside the status notes.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "code", rename_all = "snake_case")]
    pub enum ProviderProblem in "provider_problem" {
        /// It said it cannot take the message now (408, 425, 429, 5xx but 504).
        Unavailable { provider: String, status: u16, body: String },
        /// A gateway in front of it gave up waiting for it (504).
        GatewayTimeout { provider: String, body: String },
        /// The request left, no answer came in time.
        NoAnswerWithin { provider: String, host: String, secs: Seconds },
        /// The request left, then the connection was dropped.
        Dropped { provider: String, host: String, error: String },
        /// The request left, what came back was not HTTP.
        NoReadableAnswer { provider: String, host: String, error: String },
        /// A success status whose body could not be read: it may hold the message.
        AnswerUnreadable { provider: String, host: String, status: u16, error: String },
        /// Another status whose body could not be read.
        BodyUnreadable { provider: String, host: String, status: u16, error: String },
        /// Not reached in time (nothing left).
        Unreachable { provider: String, host: String, secs: Seconds },
        /// Its host name does not resolve.
        CannotResolve { provider: String, host: String },
        /// No connection could be made.
        CannotConnect { provider: String, host: String },
        /// The connection was refused.
        ConnectionRefused { provider: String, host: String },
        /// Connecting failed otherwise.
        ConnectFailed { provider: String, host: String, error: String },
        /// It refused the message with an HTTP status, its answer's excerpt verbatim.
        RefusedMessage { provider: String, status: u16, body: String },
        /// A success status that does not say the message was taken.
        NotTaken { provider: String, status: u16, body: String },
        /// A status the provider's API does not use.
        UnexpectedStatus { provider: String, status: u16, body: String },
        /// It cannot take requests now, said while doing `activity` (with its own message).
        UnavailableWhile { provider: String, activity: Activity, status: u16, body: String },
        /// Its answer was not the JSON its API documents.
        UnreadableWhile { provider: String, activity: Activity, status: u16, body: String },
        /// Its answer lacked what was asked (a status, a list, an amount, a time).
        IncompleteAnswer { provider: String, activity: Activity, body: String },
        /// It says our request's time is wrong: the clock difference is read again.
        ClockSkew { provider: String, activity: Activity, said: String },
        /// It took the request but gave no id for the message.
        NoMessageId { provider: String, body: String },
        /// It refused the message with its own error code and message.
        CodedRefusal { provider: String, number: String, said: String },
        /// It refused the message, in its own words.
        RefusedSaying { provider: String, said: String },
        /// The recipient unsubscribed (replied STOP) at the provider.
        Unsubscribed { provider: String, said: String },
        /// Not enough credit at the provider.
        NoCredit { provider: String, said: String },
        /// It refused these receivers as invalid.
        InvalidReceivers { provider: String, numbers: String },
        /// The simulator refuses numbers ending in 90–94.
        SimulatedRefusal,
        /// The simulator is down for numbers ending in 99.
        SimulatedOutage,
        /// Its configuration or credentials are wrong.
        Config { problem: ConfigProblem },
        /// Written in English by a provider module not yet typed, or recorded before problems
        /// had codes: shown as is.
        Text { text: String },
    }
}

crate::typed_messages! {
    /// What smsdesk was asking a provider when a problem came (texts: `[provider_activity]`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Activity in "provider_activity" {
        Sending,
        ReadingStatus,
        ReadingReplies,
        ReadingBalance,
        ReadingClock,
        LookingUp,
    }
}

impl Activity {
    /// Every activity.
    pub const ALL: [Activity; 6] = [
        Activity::Sending,
        Activity::ReadingStatus,
        Activity::ReadingReplies,
        Activity::ReadingBalance,
        Activity::ReadingClock,
        Activity::LookingUp,
    ];
}

impl From<String> for ProviderProblem {
    fn from(text: String) -> Self {
        ProviderProblem::Text { text }
    }
}

impl From<&str> for ProviderProblem {
    fn from(text: &str) -> Self {
        ProviderProblem::Text {
            text: text.to_string(),
        }
    }
}

impl ProviderProblem {
    /// The text that came from outside (the provider's answer, the system's error), for
    /// scrubbing; none for what smsdesk wrote itself (names, hosts, statuses).
    fn outside_text(&mut self) -> Option<&mut String> {
        use ProviderProblem::*;
        match self {
            Unavailable { body: t, .. }
            | GatewayTimeout { body: t, .. }
            | RefusedMessage { body: t, .. }
            | NotTaken { body: t, .. }
            | UnexpectedStatus { body: t, .. }
            | UnavailableWhile { body: t, .. }
            | UnreadableWhile { body: t, .. }
            | IncompleteAnswer { body: t, .. }
            | NoMessageId { body: t, .. }
            | Dropped { error: t, .. }
            | NoReadableAnswer { error: t, .. }
            | AnswerUnreadable { error: t, .. }
            | BodyUnreadable { error: t, .. }
            | ConnectFailed { error: t, .. }
            | ClockSkew { said: t, .. }
            | CodedRefusal { said: t, .. }
            | RefusedSaying { said: t, .. }
            | Unsubscribed { said: t, .. }
            | NoCredit { said: t, .. }
            | InvalidReceivers { numbers: t, .. }
            | Text { text: t } => Some(t),
            Config { problem } => problem.outside_text(),
            NoAnswerWithin { .. }
            | Unreachable { .. }
            | CannotResolve { .. }
            | CannotConnect { .. }
            | ConnectionRefused { .. }
            | SimulatedRefusal
            | SimulatedOutage => None,
        }
    }

    /// The same problem with `scrub` applied to the text that came from outside.
    pub fn scrubbed(mut self, scrub: impl Fn(&str) -> String) -> ProviderProblem {
        if let Some(t) = self.outside_text() {
            *t = scrub(t);
        }
        self
    }
}

/// A status reported for a submitted message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportedStatus {
    /// Still in transit (accepted by the SMSC, buffered…): nothing final yet.
    InTransit,
    Delivered,
    NotDelivered,
    Expired,
    Failed,
    /// The recipient opted out at the operator level.
    Stop,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusReport {
    /// Our reference when the provider echoes it, else empty.
    pub reference: String,
    /// The provider's id when known, else empty.
    pub provider_id: String,
    pub status: ReportedStatus,
    /// Provider's own wording (error code…), kept in the status history.
    pub detail: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundSms {
    pub from_e164: String,
    pub to: String,
    pub text: String,
    pub received_at: DateTime<Utc>,
    /// Provider's id of the inbound message, used to never record a reply twice.
    pub provider_id: String,
}

/// A message the scheduler submitted, as needed to poll its status.
#[derive(Clone, Debug)]
pub struct PendingStatus {
    pub reference: String,
    pub provider_id: String,
    pub to_e164: String,
    pub submitted_at: DateTime<Utc>,
}

/// Answer to "did you receive the message with our reference?" after a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The provider cannot be asked by our reference.
    Unsupported,
    NotFound,
    Found {
        provider_id: String,
        status: ReportedStatus,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Balance {
    /// SMS units left, when the provider counts in units.
    pub units: Option<f64>,
    /// Money left and its currency, when the provider reports it.
    pub money: Option<(f64, String)>,
}

/// Something an asynchronous provider pushed to our callback listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackEvent {
    Status(StatusReport),
    Reply(InboundSms),
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum ProviderError {
    /// Nothing was taken and it is worth trying again later: the provider could not be reached
    /// before a byte of the request left (refused, not resolved, time-out while connecting), or
    /// it said so (429, 5xx but 504, …, with its `Retry-After` when it gave one).
    #[error("provider temporarily unavailable: {reason}")]
    Transient {
        reason: ProviderProblem,
        retry_after: Option<Duration>,
    },
    /// Credentials or configuration are wrong: retrying will not help until an operator acts.
    #[error("provider configuration error: {0}")]
    Config(ConfigProblem),
    /// The request may have reached the provider but no usable answer came back (time-out,
    /// close or reset once the request left, a 504 from a gateway, a success status with a cut,
    /// empty or unparsable body or without the message id). Sending again could deliver twice,
    /// so the message is reconciled or left for an operator instead.
    #[error("no usable answer from the provider, the message may have been sent: {reason}")]
    Ambiguous { reason: ProviderProblem },
}

impl ProviderError {
    /// What went wrong, as a status note keeps it.
    pub fn problem(&self) -> ProviderProblem {
        match self {
            ProviderError::Transient { reason, .. } | ProviderError::Ambiguous { reason } => {
                reason.clone()
            }
            ProviderError::Config(problem) => ProviderProblem::Config {
                problem: problem.clone(),
            },
        }
    }
}

/// A way to reach phones. Implementations must be `Send + Sync`: the scheduler calls
/// `submit` from several worker threads at once.
pub trait Provider: Send + Sync {
    /// Which provider this is (its code is the one in the settings and in the store).
    fn kind(&self) -> ProviderKind;
    fn submit(&self, sms: &OutgoingSms) -> Result<SubmitOutcome, ProviderError>;
    /// Whether statuses and replies must be fetched with [`Provider::poll_statuses`] and
    /// [`Provider::fetch_replies`] (otherwise they arrive on the callback listener).
    fn needs_polling(&self) -> bool;
    fn poll_statuses(&self, pending: &[PendingStatus]) -> Result<Vec<StatusReport>, ProviderError>;
    /// Replies received since `since` (inclusive); duplicates are filtered by the caller. None
    /// for a provider whose replies come another way (Kannel's callback listener) or not at
    /// all (the simulator).
    fn fetch_replies(&self, _since: DateTime<Utc>) -> Result<Vec<InboundSms>, ProviderError> {
        Ok(Vec::new())
    }
    /// After a crash: ask whether a message with our reference reached the provider.
    /// `Unsupported` for a provider that cannot be asked about a past message (Kannel's
    /// sendsms, the simulator, which keeps no record): the scheduler then follows its own rules.
    fn lookup(&self, _reference: &str, _to_e164: &str) -> Result<Lookup, ProviderError> {
        Ok(Lookup::Unsupported)
    }
    /// The credit the provider says is left; none where it keeps no balance (Kannel: the SMSC
    /// contract does; the simulator does not charge).
    fn balance(&self) -> Result<Option<Balance>, ProviderError> {
        Ok(None)
    }
}

/// Provider choice and credentials, stored as JSON in the settings: the `kind`, then the fields
/// of the provider's configuration, flat. Secrets are never printed: [`ProviderConfig::redacted`]
/// is what logs and screens show, and `Debug` prints that too.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProviderConfig {
    /// The default: works out of the box, with no network.
    #[default]
    Simulator,
    Kannel(KannelConfig),
    Twilio(TwilioConfig),
    Ovh(OvhConfig),
}

/// Declares a provider's configuration: a struct of text fields, listed once, and with them
/// `fields`/`fields_mut` (every field by name, in declaration order: what masking, checks and
/// the admin form go through), `secrets` and a `Debug` that prints the redacted values.
macro_rules! provider_config {
    ($(#[$meta:meta])* $name:ident { $($(#[$field_meta:meta])* $field:ident,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: String,)*
        }

        impl $name {
            /// Every field as `(name, value)`, in declaration order.
            pub fn fields(&self) -> Vec<(&'static str, &String)> {
                vec![$((stringify!($field), &self.$field)),*]
            }

            /// [`Self::fields`], to change them.
            pub fn fields_mut(&mut self) -> Vec<(&'static str, &mut String)> {
                vec![$((stringify!($field), &mut self.$field)),*]
            }

            /// The secrets of this configuration, for scrubbing error messages: the credential
            /// fields and the credentials written inside its URLs.
            pub fn secrets(&self) -> Vec<String> {
                secrets_of(self.fields())
            }
        }

        /// Prints the redacted form, so a stray `{:?}` in a log never leaks a credential.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                debug_redacted(f, stringify!($name), self.fields())
            }
        }
    };
}

provider_config! {
    /// [`ProviderConfig::Kannel`]: a self-hosted Kannel's `sendsms` and our callback listener.
    KannelConfig {
        /// e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`
        sendsms_url,
        username,
        password,
        /// Where smsdesk's callback listener binds, e.g. `127.0.0.1:8089`.
        callback_listen,
        /// Base URL Kannel uses to reach the listener (defaults to `http://{callback_listen}`).
        #[serde(default)]
        callback_url,
        /// Shared with Kannel: every callback must carry it as `key=` (the dlr-url does; the
        /// MO `get-url` of kannel.conf must too). Required when the listener is reachable from
        /// other machines.
        #[serde(default)]
        callback_secret,
    }
}

provider_config! {
    /// [`ProviderConfig::Twilio`]: the account and its senders.
    TwilioConfig {
        account_sid,
        auth_token,
        /// Sender: a phone number or alphanumeric id; or a messaging service SID `MG…`.
        from,
        /// Reply number (messages that expect a reply are sent from it).
        #[serde(default)]
        reply_number,
        /// API base, `https://api.twilio.com` unless testing.
        #[serde(default)]
        base_url,
    }
}

provider_config! {
    /// [`ProviderConfig::Ovh`]: the API application, its consumer key and the SMS service.
    OvhConfig {
        /// API base, e.g. `https://eu.api.ovh.com/1.0`.
        endpoint,
        application_key,
        application_secret,
        consumer_key,
        service_name,
    }
}

/// What secrets are replaced by in [`ProviderConfig::redacted`].
pub const REDACTED: &str = "***";

/// The redacted value of the field `name`: a credential ([`is_secret_field`]) becomes `***`
/// (an empty one stays empty, so a screen can still tell "not set"), a URL
/// ([`is_url_field`]) has the credentials written inside it masked ([`redact_url`]); the rest
/// is kept.
fn redacted_field(name: &str, value: &str) -> String {
    if is_secret_field(name) {
        if value.is_empty() {
            String::new()
        } else {
            REDACTED.to_string()
        }
    } else if is_url_field(name) {
        redact_url(value)
    } else {
        value.to_string()
    }
}

/// The secrets among `fields`: the credential fields and the credentials inside the URLs.
fn secrets_of(fields: Vec<(&'static str, &String)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (name, value) in fields {
        if is_secret_field(name) {
            out.push(value.clone());
        } else if is_url_field(name) {
            // A very short value inside a URL (`?auth=1`) would scrub every "1" from messages.
            out.extend(
                url_secrets(value)
                    .into_iter()
                    .filter(|s| s.chars().count() >= 4),
            );
        }
    }
    out.retain(|s| !s.is_empty() && s != REDACTED);
    out.sort();
    out.dedup();
    out
}

/// `name { field: value, … }` with every value redacted, and the sendsms URL as its host only.
fn debug_redacted(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    fields: Vec<(&'static str, &String)>,
) -> std::fmt::Result {
    let mut out = f.debug_struct(name);
    for (field, value) in fields {
        let shown = redacted_field(field, value);
        if field == "sendsms_url" {
            out.field(field, &http::host_of(&shown));
        } else {
            out.field(field, &shown);
        }
    }
    out.finish()
}

impl ProviderConfig {
    /// Short name of the provider, as in the settings.
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderConfig::Simulator => ProviderKind::Simulator,
            ProviderConfig::Kannel(_) => ProviderKind::Kannel,
            ProviderConfig::Twilio(_) => ProviderKind::Twilio,
            ProviderConfig::Ovh(_) => ProviderKind::Ovh,
        }
    }

    /// A copy safe to log or show: passwords, tokens and secrets are replaced by `***` (an empty
    /// secret stays empty, so a screen can still tell "not set"), and so are credentials written
    /// inside a URL ([`redact_url`]). Identifiers that are not secret (usernames, account SID,
    /// application key) are kept so an operator can check them.
    pub fn redacted(&self) -> ProviderConfig {
        let mut c = self.clone();
        for (name, value) in c.fields_mut() {
            *value = redacted_field(name, value);
        }
        c
    }

    /// The secrets of this configuration, for scrubbing error messages: the credential fields
    /// and the credentials written inside its URLs.
    pub fn secrets(&self) -> Vec<String> {
        secrets_of(self.fields())
    }

    /// Every field as `(name, value)`, in declaration order (`kind` left out).
    pub fn fields(&self) -> Vec<(&'static str, &String)> {
        match self {
            ProviderConfig::Simulator => vec![],
            ProviderConfig::Kannel(c) => c.fields(),
            ProviderConfig::Twilio(c) => c.fields(),
            ProviderConfig::Ovh(c) => c.fields(),
        }
    }

    fn fields_mut(&mut self) -> Vec<(&'static str, &mut String)> {
        match self {
            ProviderConfig::Simulator => vec![],
            ProviderConfig::Kannel(c) => c.fields_mut(),
            ProviderConfig::Twilio(c) => c.fields_mut(),
            ProviderConfig::Ovh(c) => c.fields_mut(),
        }
    }

    /// Puts back the stored values behind the masks a screen showed: a credential left as `***`
    /// and a URL whose password or secret parameters read `***` take the value `stored` has
    /// (same provider only). What an operator saves back from `settings get` or a form then
    /// keeps the secrets instead of storing the mask.
    pub fn restore_masked(&mut self, stored: &ProviderConfig) {
        if self.kind() != stored.kind() {
            return;
        }
        let old: Vec<(&'static str, String)> = stored
            .fields()
            .into_iter()
            .map(|(k, v)| (k, v.clone()))
            .collect();
        for (name, value) in self.fields_mut() {
            let Some((_, before)) = old.iter().find(|(k, _)| *k == name) else {
                continue;
            };
            if value.trim() == REDACTED {
                *value = before.clone();
            } else if value.contains(REDACTED) && is_url_field(name) {
                *value = unmask_url(value, before);
            }
        }
    }

    /// Every field that cannot work, with the reason, in field order: the rules of
    /// [`check_field`] plus those that tie two fields together.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let kind = self.kind();
        let mut out: Vec<FieldProblem> = self
            .fields()
            .into_iter()
            .filter_map(|(name, value)| {
                check_field(kind, name, value)
                    .err()
                    .map(|reason| FieldProblem {
                        field: name,
                        reason,
                    })
            })
            .collect();
        if let ProviderConfig::Kannel(k) = self
            && k.callback_secret.trim().is_empty()
            && check_listen(&k.callback_listen).is_ok()
            && !is_loopback_listen(&k.callback_listen)
        {
            out.push(FieldProblem {
                field: "callback_secret",
                reason: FieldRule::SecretRequired {
                    listen: k.callback_listen.trim().to_string(),
                },
            });
        }
        out
    }
}

/// A provider field that cannot work, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub reason: FieldRule,
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "provider.{}: {}", self.field, self.reason)
    }
}

/// The fields of each provider kind that are credentials (never shown back in clear).
pub fn is_secret_field(field: &str) -> bool {
    matches!(
        field,
        "password" | "auth_token" | "application_secret" | "consumer_key" | "callback_secret"
    )
}

fn is_url_field(field: &str) -> bool {
    matches!(
        field,
        "sendsms_url" | "callback_url" | "base_url" | "endpoint"
    )
}

/// Checks one provider field as typed, alone: the same rule for the command line, the
/// Settings form and `doctor`. `Err` holds the reason, without the field's name.
pub fn check_field(kind: ProviderKind, field: &str, value: &str) -> Result<(), FieldRule> {
    use ProviderKind::*;
    let v = value.trim();
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        // A line break in a credential would end up in an HTTP header or URL.
        return Err(FieldRule::ControlCharacter { found: Shown(c) });
    }
    let required = match (kind, field) {
        (Kannel, "sendsms_url" | "username" | "password" | "callback_listen") => true,
        (Kannel, "callback_url" | "callback_secret") => false,
        (Twilio, "account_sid" | "auth_token" | "from") => true,
        (Twilio, "reply_number" | "base_url") => false,
        (
            Ovh,
            "endpoint" | "application_key" | "application_secret" | "consumer_key" | "service_name",
        ) => true,
        _ => return Err(FieldRule::NotAField { kind }),
    };
    if v.is_empty() {
        return if required {
            Err(FieldRule::Required)
        } else {
            Ok(())
        };
    }
    if v == REDACTED || v.contains(&format!(":{REDACTED}@")) || v.contains(&format!("={REDACTED}"))
    {
        return Err(FieldRule::Mask);
    }
    match field {
        "sendsms_url" | "callback_url" | "base_url" | "endpoint" => check_url(v),
        "callback_listen" => check_listen(v),
        "callback_secret" => kannel::check_callback_secret(v),
        // Sent in a URL query or an HTTP header: no spaces around or inside identifiers.
        "username" | "account_sid" | "application_key" | "service_name" | "from"
            if v.chars().any(char::is_whitespace) =>
        {
            Err(FieldRule::NoSpaces)
        }
        "reply_number" if !v.chars().all(|c| c.is_ascii_digit() || c == '+') => {
            Err(FieldRule::DigitsOnly)
        }
        _ => Ok(()),
    }
}

/// An `http://` or `https://` URL with a host (and a port from 1 to 65535 when given).
pub fn check_url(url: &str) -> Result<(), FieldRule> {
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(FieldRule::UrlSpace { found: Shown(c) });
    }
    let only_http = |scheme: &str| FieldRule::OnlyHttp {
        scheme: scheme.to_string(),
    };
    let Some(parts) = UrlParts::parse(url) else {
        // `javascript:…`, `mailto:…`: another scheme (`host:port` is not one).
        if let Some((scheme, rest)) = url.split_once(':')
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !rest.starts_with(|c: char| c.is_ascii_digit())
            && !scheme.eq_ignore_ascii_case("http")
            && !scheme.eq_ignore_ascii_case("https")
        {
            return Err(only_http(scheme));
        }
        return Err(FieldRule::NotUrl {
            url: redact_url(url),
        });
    };
    if !parts.scheme.eq_ignore_ascii_case("http") && !parts.scheme.eq_ignore_ascii_case("https") {
        return Err(only_http(parts.scheme));
    }
    let (host, port) = split_host_port(parts.host_port);
    if host.is_empty() {
        return Err(FieldRule::NoHost);
    }
    let host_ok = if let Some(ip6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        ip6.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        host.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            && !host.starts_with(['.', '-'])
    };
    if !host_ok {
        return Err(FieldRule::BadHost {
            host: host.to_string(),
        });
    }
    if let Some(p) = port
        && !matches!(p.parse::<u16>(), Ok(n) if n > 0)
    {
        return Err(FieldRule::BadPort {
            port: p.to_string(),
        });
    }
    Ok(())
}

/// Where a listener binds: `IP:PORT` (`127.0.0.1:8089`, `[::1]:8089`, `0.0.0.0:8089`) or
/// `localhost:PORT`.
pub fn check_listen(addr: &str) -> Result<(), FieldRule> {
    let a = addr.trim();
    if a.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(());
    }
    if let Some(port) = a.strip_prefix("localhost:")
        && port.parse::<u16>().is_ok()
    {
        return Ok(());
    }
    Err(FieldRule::NotListenAddress {
        addr: a.to_string(),
    })
}

/// Whether a listen address is reachable from this machine only.
pub(crate) fn is_loopback_listen(addr: &str) -> bool {
    let a = addr.trim();
    a.parse::<std::net::SocketAddr>()
        .map(|s| s.ip().is_loopback())
        .unwrap_or_else(|_| a.starts_with("localhost:"))
}

/// A URL cut in the pieces redaction needs; `None` when it has no `scheme://`.
struct UrlParts<'a> {
    scheme: &'a str,
    /// `user` or `user:password`, without the `@`.
    userinfo: Option<&'a str>,
    host_port: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    fn parse(url: &'a str) -> Option<UrlParts<'a>> {
        let (scheme, rest) = url.split_once("://")?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            return None;
        }
        let (rest, fragment) = match rest.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (rest, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        Some(UrlParts {
            scheme,
            userinfo,
            host_port,
            path,
            query,
            fragment,
        })
    }

    fn build(&self, userinfo: Option<&str>, query: Option<&str>) -> String {
        let mut out = format!("{}://", self.scheme);
        if let Some(u) = userinfo {
            out.push_str(u);
            out.push('@');
        }
        out.push_str(self.host_port);
        out.push_str(self.path);
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        if let Some(f) = self.fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }
}

fn split_host_port(host_port: &str) -> (&str, Option<&str>) {
    if host_port.starts_with('[') {
        return match host_port.find(']') {
            Some(i) => {
                let (h, rest) = host_port.split_at(i + 1);
                (h, rest.strip_prefix(':'))
            }
            None => (host_port, None),
        };
    }
    match host_port.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    }
}

/// Whether a query parameter's name says it carries a credential (`password`, `pwd`, `token`,
/// `api_key`, `secret`, `auth`, `sig`…), percent-encoding and case ignored.
pub fn is_secret_param(name: &str) -> bool {
    let n: String = http::url_decode(name)
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    const PARTS: &[&str] = &[
        "pass",
        "pwd",
        "token",
        "secret",
        "auth",
        "key",
        "credential",
        "signature",
        "session",
    ];
    PARTS.iter().any(|p| n.contains(p)) || matches!(n.as_str(), "pw" | "sig")
}

/// The URL with its user-info password and the values of its secret-named query parameters
/// replaced by `***` (`http://u:pw@h/x?password=pw&to=1` → `http://u:***@h/x?password=***&to=1`).
/// Text that is not a URL comes back unchanged.
pub fn redact_url(url: &str) -> String {
    let Some(parts) = UrlParts::parse(url) else {
        return url.to_string();
    };
    let userinfo = parts.userinfo.map(|u| match u.split_once(':') {
        Some((user, _)) => format!("{user}:{REDACTED}"),
        None => u.to_string(),
    });
    let query = parts.query.map(|q| {
        q.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if is_secret_param(k) && !v.is_empty() => format!("{k}={REDACTED}"),
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    parts.build(userinfo.as_deref(), query.as_deref())
}

/// The credentials written inside a URL (user-info password, secret-named parameters), raw
/// and percent-decoded, for scrubbing messages.
fn url_secrets(url: &str) -> Vec<String> {
    let Some(parts) = UrlParts::parse(url) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some((_, pw)) = parts.userinfo.and_then(|u| u.split_once(':')) {
        out.push(pw.to_string());
        out.push(http::url_decode(pw));
    }
    for pair in parts.query.unwrap_or("").split('&') {
        if let Some((k, v)) = pair.split_once('=')
            && is_secret_param(k)
        {
            out.push(v.to_string());
            out.push(http::url_decode(v));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// `new` (as a screen or `settings get` showed it, possibly edited) with each `***` that
/// [`redact_url`] put in taken back from `stored`: the user-info password, and each secret
/// parameter by name.
pub fn unmask_url(new: &str, stored: &str) -> String {
    let (Some(n), Some(s)) = (UrlParts::parse(new), UrlParts::parse(stored)) else {
        return new.to_string();
    };
    let userinfo = n.userinfo.map(|u| match u.split_once(':') {
        Some((user, pw)) if pw == REDACTED => match s.userinfo.and_then(|su| su.split_once(':')) {
            Some((_, old)) => format!("{user}:{old}"),
            None => u.to_string(),
        },
        _ => u.to_string(),
    });
    let stored_params: Vec<(&str, &str)> = s
        .query
        .unwrap_or("")
        .split('&')
        .filter_map(|p| p.split_once('='))
        .collect();
    let query = n.query.map(|q| {
        q.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if v == REDACTED => {
                    match stored_params.iter().find(|(sk, _)| *sk == k) {
                        Some((_, old)) => format!("{k}={old}"),
                        None => pair.to_string(),
                    }
                }
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    n.build(userinfo.as_deref(), query.as_deref())
}

/// Prints the redacted form, so a stray `{:?}` in a log never leaks a credential.
impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The variant's name, as `derive(Debug)` would write it: the kinds are named alike.
        debug_redacted(f, &format!("{:?}", self.kind()), self.fields())
    }
}

/// Builds the provider a configuration names, with the default HTTP time-out
/// ([`http::DEFAULT_TIMEOUT`]) and the clock of `SMSDESK_NOW` (system clock without it). Missing mandatory settings are a [`ProviderError::Config`]
/// naming the field. The Kannel callback listener is started separately with
/// [`kannel::start_listener`] (it needs the scheduler's channel).
pub fn build(cfg: &ProviderConfig) -> Result<Box<dyn Provider>, ProviderError> {
    build_with_timeout(cfg, http::DEFAULT_TIMEOUT)
}

/// [`build`] with another HTTP time-out (tests use a short one).
pub fn build_with_timeout(
    cfg: &ProviderConfig,
    timeout: Duration,
) -> Result<Box<dyn Provider>, ProviderError> {
    build_with(
        cfg,
        timeout,
        crate::clock::Clock::from_env().unwrap_or_default(),
    )
}

/// [`build`] with an HTTP time-out and the clock the simulator reads "now" from. The scheduler
/// passes its own clock, so simulated statuses follow `SMSDESK_NOW` and test clocks exactly.
pub fn build_with(
    cfg: &ProviderConfig,
    timeout: Duration,
    clock: crate::clock::Clock,
) -> Result<Box<dyn Provider>, ProviderError> {
    Ok(match cfg {
        ProviderConfig::Simulator => Box::new(simulator::Simulator::new().with_clock(clock)),
        ProviderConfig::Kannel(c) => Box::new(kannel::Kannel::new(c, timeout)?),
        ProviderConfig::Twilio(c) => Box::new(twilio::Twilio::new(c, timeout)?),
        ProviderConfig::Ovh(c) => Box::new(ovh::Ovh::new(c, timeout)?),
    })
}

/// Fails with a Config error naming `field` when `value` is blank.
pub(crate) fn require(
    provider: ProviderKind,
    field: &str,
    value: &str,
) -> Result<(), ProviderError> {
    if value.trim().is_empty() {
        Err(ProviderError::Config(ConfigProblem::Missing {
            provider,
            field: field.to_string(),
        }))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_and_debug_hide_secrets() {
        let cfg = ProviderConfig::Ovh(OvhConfig {
            endpoint: "https://eu.api.ovh.com/1.0".into(),
            application_key: "AKpublic".into(),
            application_secret: "S3cr3tAS".into(),
            consumer_key: "S3cr3tCK".into(),
            service_name: "sms-ab12345-1".into(),
        });
        let dbg = format!("{cfg:?}");
        assert!(
            !dbg.contains("S3cr3tAS") && !dbg.contains("S3cr3tCK"),
            "{dbg}"
        );
        assert!(dbg.contains("sms-ab12345-1"));
        let json = serde_json::to_string(&cfg.redacted()).unwrap_or_default();
        assert!(!json.contains("S3cr3t"), "{json}");
        let tw = ProviderConfig::Twilio(TwilioConfig {
            account_sid: "AC1".into(),
            auth_token: "tok3n".into(),
            from: "SMSDESK".into(),
            reply_number: String::new(),
            base_url: String::new(),
        });
        assert!(!format!("{tw:?}").contains("tok3n"));
        let k = ProviderConfig::Kannel(KannelConfig {
            sendsms_url: "http://127.0.0.1:13013/cgi-bin/sendsms?password=pw1".into(),
            username: "u".into(),
            password: "pw1".into(),
            callback_listen: "127.0.0.1:0".into(),
            callback_url: String::new(),
            callback_secret: "s3cr3t-k3y".into(),
        });
        assert!(!format!("{k:?}").contains("pw1"));
        assert!(!format!("{k:?}").contains("s3cr3t-k3y"));
    }

    #[test]
    fn credentials_inside_urls_are_masked_and_taken_back() {
        let url = "https://u:p%40ss@h.example:8443/x?user=u&password=pw1&api_key=k1&to=1#f";
        let shown = redact_url(url);
        assert_eq!(
            shown,
            "https://u:***@h.example:8443/x?user=u&password=***&api_key=***&to=1#f"
        );
        assert_eq!(unmask_url(&shown, url), url);
        let moved = shown.replace("8443", "9443");
        assert_eq!(unmask_url(&moved, url), url.replace("8443", "9443"));
        assert_eq!(redact_url("not a url"), "not a url");
        let k = ProviderConfig::Kannel(KannelConfig {
            sendsms_url: url.into(),
            username: "u".into(),
            password: "x".into(),
            callback_listen: "127.0.0.1:8089".into(),
            callback_url: String::new(),
            callback_secret: String::new(),
        });
        let secrets = k.secrets();
        for s in ["p%40ss", "p@ss", "x"] {
            assert!(secrets.contains(&s.to_string()), "{s}: {secrets:?}");
        }
        assert!(!secrets.contains(&"u".to_string()));
        assert!(!secrets.contains(&"pw1".to_string()), "too short to scrub");
    }

    #[test]
    fn urls_and_listen_addresses_are_checked() {
        for ok in [
            "http://127.0.0.1:13013/cgi-bin/sendsms",
            "https://eu.api.ovh.com/1.0",
            "HTTPS://[::1]:8443",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "ftp://h/x",
            "http://",
            "http:///x",
            "http://h:0/",
            "http://h:65536/",
            "http://h x/",
            "http://bad!host/",
            "//h/x",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        for ok in [
            "127.0.0.1:8089",
            "[::1]:8089",
            "0.0.0.0:0",
            "localhost:8089",
        ] {
            assert_eq!(check_listen(ok), Ok(()), "{ok}");
        }
        for bad in ["", "8089", "127.0.0.1", "host:8089", "127.0.0.1:99999"] {
            assert!(check_listen(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn field_rules_and_config_problems_are_said_in_both_languages() {
        use crate::i18n::{Describe, Lang};
        let rule = check_field(ProviderKind::Kannel, "callback_secret", "short");
        let Err(rule) = rule else {
            panic!("a short secret is refused: {rule:?}");
        };
        crate::i18n::assert_says(
            &rule,
            "is 5 characters long; use at least 16",
            "fait 5 caractères ; il en faut au moins 16",
        );
        let rule = check_field(ProviderKind::Kannel, "username", "desk\nX");
        assert_eq!(
            rule.map_err(|r| r.describe(Lang::Fr)),
            Err("caractère de contrôle '\\n' interdit".into())
        );
        assert_eq!(
            check_listen("nowhere").map_err(|r| r.describe(Lang::Fr)),
            Err(
                "« nowhere » n'est pas une adresse d'écoute : IP:PORT, par ex. 127.0.0.1:8089"
                    .into()
            )
        );
        let missing = ConfigProblem::Missing {
            provider: ProviderKind::Ovh,
            field: "consumer_key".into(),
        };
        assert_eq!(
            missing.to_string(),
            "OVH: the setting `consumer_key` is empty; set it in Settings > Provider"
        );
        assert!(
            missing
                .describe(Lang::Fr)
                .starts_with("OVH : le réglage `consumer_key` est vide")
        );
        // As a status note keeps it: typed, read back the same.
        let problem = ProviderError::Config(missing).problem();
        let json = serde_json::to_string(&problem).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<ProviderProblem>(&json).ok(),
            Some(problem.clone()),
            "{json}"
        );
        assert!(
            problem
                .describe(Lang::Fr)
                .starts_with("erreur de configuration du fournisseur : OVH : "),
            "{problem}"
        );
    }

    #[test]
    fn provider_kinds_are_named_on_screens_and_coded_in_settings() {
        use crate::i18n::{Describe, Lang};
        for kind in ProviderKind::ALL {
            assert_eq!(ProviderKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(ProviderKind::parse(" Kannel "), Some(ProviderKind::Kannel));
        assert_eq!(ProviderKind::parse("smpp"), None);
        assert_eq!(ProviderKind::Simulator.describe(Lang::Fr), "Simulateur");
        assert_eq!(ProviderConfig::default().kind(), ProviderKind::Simulator);
    }

    #[test]
    fn scrubbing_reaches_what_the_provider_said_and_nothing_else() {
        let scrub = |t: &str| t.replace("s3cr3t", REDACTED);
        let p = ProviderProblem::UnavailableWhile {
            provider: "OVH".into(),
            activity: Activity::Sending,
            status: 503,
            body: "bad s3cr3t".into(),
        }
        .scrubbed(scrub);
        assert!(matches!(&p, ProviderProblem::UnavailableWhile { body, .. } if body == "bad ***"));
        let c = ConfigProblem::OvhService {
            service: "s3cr3t-service".into(),
            activity: Activity::Sending,
            said: "no s3cr3t".into(),
        };
        let p = ProviderError::Config(c).problem().scrubbed(scrub);
        let ProviderProblem::Config {
            problem: ConfigProblem::OvhService { service, said, .. },
        } = p
        else {
            panic!("{p:?}");
        };
        assert_eq!(
            (service.as_str(), said.as_str()),
            ("s3cr3t-service", "no ***")
        );
    }

    /// Stored configurations are read back and written again to the letter, and a broken
    /// one is refused with the same words: settings in the field keep working.
    #[test]
    fn stored_provider_json_reads_and_writes_back_the_same() {
        for stored in [
            r#"{"kind":"simulator"}"#,
            r#"{"kind":"kannel","sendsms_url":"http://127.0.0.1:13013/cgi-bin/sendsms","username":"desk","password":"pa+ss","callback_listen":"127.0.0.1:8089","callback_url":"http://10.0.0.2:8089","callback_secret":"0123456789abcdefXY"}"#,
            r#"{"kind":"twilio","account_sid":"AC123","auth_token":"tok3n","from":"SMSDESK","reply_number":"+33644556677","base_url":"https://api.twilio.com"}"#,
            r#"{"kind":"ovh","endpoint":"https://eu.api.ovh.com/1.0","application_key":"AK","application_secret":"AS","consumer_key":"CK","service_name":"sms-ab12345-1"}"#,
        ] {
            let config: ProviderConfig = serde_json::from_str(stored).unwrap();
            assert_eq!(serde_json::to_string(&config).unwrap(), stored);
            let value = serde_json::to_value(&config).unwrap();
            assert_eq!(value.to_string(), stored);
        }
        // Written before the optional fields existed: they come back empty, after the others.
        let old = r#"{"kind":"kannel","sendsms_url":"http://h:13013/cgi-bin/sendsms","username":"u","password":"p","callback_listen":"127.0.0.1:8089","extra":1}"#;
        let config: ProviderConfig = serde_json::from_str(old).unwrap();
        assert_eq!(
            serde_json::to_string(&config).unwrap(),
            r#"{"kind":"kannel","sendsms_url":"http://h:13013/cgi-bin/sendsms","username":"u","password":"p","callback_listen":"127.0.0.1:8089","callback_url":"","callback_secret":""}"#
        );
        let old = r#"{"from":"X","kind":"twilio","account_sid":"AC1","auth_token":"t"}"#;
        let config: ProviderConfig = serde_json::from_str(old).unwrap();
        assert_eq!(
            serde_json::to_string(&config).unwrap(),
            r#"{"kind":"twilio","account_sid":"AC1","auth_token":"t","from":"X","reply_number":"","base_url":""}"#
        );
        for (bad, said) in [
            (
                r#"{"kind":"kannel","sendsms_url":"http://h/x","username":"u"}"#,
                "missing field `password`",
            ),
            (
                r#"{"kind":"ovh","endpoint":5}"#,
                "invalid type: integer `5`, expected a string",
            ),
            (
                r#"{"kind":"smpp"}"#,
                "unknown variant `smpp`, expected one of `simulator`, `kannel`, `twilio`, `ovh` at line 1 column 14",
            ),
            (
                r#"{"username":"u"}"#,
                "missing field `kind` at line 1 column 16",
            ),
        ] {
            let e = serde_json::from_str::<ProviderConfig>(bad).map(|_| ());
            assert_eq!(e.map_err(|e| e.to_string()), Err(said.to_string()), "{bad}");
        }
    }

    #[test]
    fn simulator_is_the_default_and_builds() {
        let p = build(&ProviderConfig::default());
        assert!(matches!(p, Ok(ref p) if p.kind() == ProviderKind::Simulator));
    }

    #[test]
    fn missing_setting_is_a_config_error_naming_it() {
        let cfg = ProviderConfig::Twilio(TwilioConfig {
            account_sid: String::new(),
            auth_token: "t".into(),
            from: "X".into(),
            reply_number: String::new(),
            base_url: String::new(),
        });
        match build(&cfg) {
            Err(ProviderError::Config(m)) => assert!(m.to_string().contains("account_sid"), "{m}"),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("built without account_sid"),
        }
    }
}
