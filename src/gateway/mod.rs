//! Providers: how messages reach phones. Each provider is a module behind [`Provider`]; the
//! scheduler only speaks this trait. Providers never touch the store: they take what to send
//! and give back what happened, so they are tested against loopback HTTP servers alone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub mod kannel;
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
    Rejected { reason: String },
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
    Found { provider_id: String, status: ReportedStatus },
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

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Worth retrying later (network, 5xx, 429, time-out, garbage answer).
    #[error("provider temporarily unavailable: {reason}")]
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Credentials or configuration are wrong: retrying will not help until an operator acts.
    #[error("provider configuration error: {0}")]
    Config(String),
}

/// A way to reach phones. Implementations must be `Send + Sync`: the scheduler calls
/// `submit` from several worker threads at once.
pub trait Provider: Send + Sync {
    /// Short name, as in the settings (`simulator`, `kannel`, `twilio`, `ovh`).
    fn name(&self) -> &'static str;
    fn submit(&self, sms: &OutgoingSms) -> Result<SubmitOutcome, ProviderError>;
    /// Whether statuses and replies must be fetched with [`Provider::poll_statuses`] and
    /// [`Provider::fetch_replies`] (otherwise they arrive on the callback listener).
    fn needs_polling(&self) -> bool;
    fn poll_statuses(&self, pending: &[PendingStatus]) -> Result<Vec<StatusReport>, ProviderError>;
    /// Replies received since `since` (inclusive); duplicates are filtered by the caller.
    fn fetch_replies(&self, since: DateTime<Utc>) -> Result<Vec<InboundSms>, ProviderError>;
    /// After a crash: ask whether a message with our reference reached the provider.
    fn lookup(&self, reference: &str, to_e164: &str) -> Result<Lookup, ProviderError>;
    fn balance(&self) -> Result<Option<Balance>, ProviderError>;
}

/// Provider choice and credentials, stored as JSON in the settings. Secrets are never printed:
/// [`ProviderConfig::redacted`] is what logs and screens show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProviderConfig {
    Simulator,
    Kannel {
        /// e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`
        sendsms_url: String,
        username: String,
        password: String,
        /// Where smsdesk's callback listener binds, e.g. `127.0.0.1:8089`.
        callback_listen: String,
        /// Base URL Kannel uses to reach the listener (defaults to `http://{callback_listen}`).
        #[serde(default)]
        callback_url: String,
    },
    Twilio {
        account_sid: String,
        auth_token: String,
        /// Sender: a phone number or alphanumeric id; or a messaging service SID `MG…`.
        from: String,
        /// Reply number (messages that expect a reply are sent from it).
        #[serde(default)]
        reply_number: String,
        /// API base, `https://api.twilio.com` unless testing.
        #[serde(default)]
        base_url: String,
    },
    Ovh {
        /// API base, e.g. `https://eu.api.ovh.com/1.0`.
        endpoint: String,
        application_key: String,
        application_secret: String,
        consumer_key: String,
        service_name: String,
    },
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig::Simulator
    }
}
