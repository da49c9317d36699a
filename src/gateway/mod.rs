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
    /// The request may have reached the provider but no usable answer came back (time-out
    /// while waiting for the answer, garbage after a success status). Sending again could
    /// deliver twice, so the message is reconciled or left for an operator instead.
    #[error("no usable answer from the provider, the message may have been sent: {reason}")]
    Ambiguous { reason: String },
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
/// [`ProviderConfig::redacted`] is what logs and screens show, and `Debug` prints that too.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProviderConfig {
    /// The default: works out of the box, with no network.
    #[default]
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
        /// Shared with Kannel: every callback must carry it as `key=` (the dlr-url does; the
        /// MO `get-url` of kannel.conf must too). Required when the listener is reachable from
        /// other machines.
        #[serde(default)]
        callback_secret: String,
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

/// What secrets are replaced by in [`ProviderConfig::redacted`].
pub const REDACTED: &str = "***";

impl ProviderConfig {
    /// Short name of the provider, as in the settings.
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderConfig::Simulator => "simulator",
            ProviderConfig::Kannel { .. } => "kannel",
            ProviderConfig::Twilio { .. } => "twilio",
            ProviderConfig::Ovh { .. } => "ovh",
        }
    }

    /// A copy safe to log or show: passwords, tokens and secrets are replaced by `***` (an empty
    /// secret stays empty, so a screen can still tell "not set"). Identifiers that are not
    /// secret (usernames, account SID, application key) are kept so an operator can check them.
    pub fn redacted(&self) -> ProviderConfig {
        fn hide(s: &str) -> String {
            if s.is_empty() {
                String::new()
            } else {
                REDACTED.to_string()
            }
        }
        let mut c = self.clone();
        match &mut c {
            ProviderConfig::Simulator => {}
            ProviderConfig::Kannel {
                password,
                callback_secret,
                ..
            } => {
                *password = hide(password);
                *callback_secret = hide(callback_secret);
            }
            ProviderConfig::Twilio { auth_token, .. } => *auth_token = hide(auth_token),
            ProviderConfig::Ovh {
                application_secret,
                consumer_key,
                ..
            } => {
                *application_secret = hide(application_secret);
                *consumer_key = hide(consumer_key);
            }
        }
        c
    }

    /// The secrets of this configuration, for scrubbing error messages.
    pub fn secrets(&self) -> Vec<String> {
        let v: Vec<&String> = match self {
            ProviderConfig::Simulator => vec![],
            ProviderConfig::Kannel {
                password,
                callback_secret,
                ..
            } => vec![password, callback_secret],
            ProviderConfig::Twilio { auth_token, .. } => vec![auth_token],
            ProviderConfig::Ovh {
                application_secret,
                consumer_key,
                ..
            } => vec![application_secret, consumer_key],
        };
        v.into_iter().filter(|s| !s.is_empty()).cloned().collect()
    }
}

/// Prints the redacted form, so a stray `{:?}` in a log never leaks a credential.
impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.redacted() {
            ProviderConfig::Simulator => f.write_str("Simulator"),
            ProviderConfig::Kannel {
                sendsms_url,
                username,
                password,
                callback_listen,
                callback_url,
                callback_secret,
            } => f
                .debug_struct("Kannel")
                .field("sendsms_url", &http::host_of(&sendsms_url))
                .field("username", &username)
                .field("password", &password)
                .field("callback_listen", &callback_listen)
                .field("callback_url", &callback_url)
                .field("callback_secret", &callback_secret)
                .finish(),
            ProviderConfig::Twilio {
                account_sid,
                auth_token,
                from,
                reply_number,
                base_url,
            } => f
                .debug_struct("Twilio")
                .field("account_sid", &account_sid)
                .field("auth_token", &auth_token)
                .field("from", &from)
                .field("reply_number", &reply_number)
                .field("base_url", &base_url)
                .finish(),
            ProviderConfig::Ovh {
                endpoint,
                application_key,
                application_secret,
                consumer_key,
                service_name,
            } => f
                .debug_struct("Ovh")
                .field("endpoint", &endpoint)
                .field("application_key", &application_key)
                .field("application_secret", &application_secret)
                .field("consumer_key", &consumer_key)
                .field("service_name", &service_name)
                .finish(),
        }
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
        ProviderConfig::Kannel { .. } => Box::new(kannel::Kannel::new(cfg, timeout)?),
        ProviderConfig::Twilio { .. } => Box::new(twilio::Twilio::new(cfg, timeout)?),
        ProviderConfig::Ovh { .. } => Box::new(ovh::Ovh::new(cfg, timeout)?),
    })
}

/// Fails with a Config error naming `field` when `value` is blank.
pub(crate) fn require(provider: &str, field: &str, value: &str) -> Result<(), ProviderError> {
    if value.trim().is_empty() {
        Err(ProviderError::Config(format!(
            "{provider}: the setting `{field}` is empty; set it in Settings > Provider"
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_and_debug_hide_secrets() {
        let cfg = ProviderConfig::Ovh {
            endpoint: "https://eu.api.ovh.com/1.0".into(),
            application_key: "AKpublic".into(),
            application_secret: "S3cr3tAS".into(),
            consumer_key: "S3cr3tCK".into(),
            service_name: "sms-ab12345-1".into(),
        };
        let dbg = format!("{cfg:?}");
        assert!(
            !dbg.contains("S3cr3tAS") && !dbg.contains("S3cr3tCK"),
            "{dbg}"
        );
        assert!(dbg.contains("sms-ab12345-1"));
        let json = serde_json::to_string(&cfg.redacted()).unwrap_or_default();
        assert!(!json.contains("S3cr3t"), "{json}");
        let tw = ProviderConfig::Twilio {
            account_sid: "AC1".into(),
            auth_token: "tok3n".into(),
            from: "SMSDESK".into(),
            reply_number: String::new(),
            base_url: String::new(),
        };
        assert!(!format!("{tw:?}").contains("tok3n"));
        let k = ProviderConfig::Kannel {
            sendsms_url: "http://127.0.0.1:13013/cgi-bin/sendsms?password=pw1".into(),
            username: "u".into(),
            password: "pw1".into(),
            callback_listen: "127.0.0.1:0".into(),
            callback_url: String::new(),
            callback_secret: "s3cr3t-k3y".into(),
        };
        assert!(!format!("{k:?}").contains("pw1"));
        assert!(!format!("{k:?}").contains("s3cr3t-k3y"));
    }

    #[test]
    fn simulator_is_the_default_and_builds() {
        let p = build(&ProviderConfig::default());
        assert!(matches!(p, Ok(ref p) if p.name() == "simulator"));
    }

    #[test]
    fn missing_setting_is_a_config_error_naming_it() {
        let cfg = ProviderConfig::Twilio {
            account_sid: String::new(),
            auth_token: "t".into(),
            from: "X".into(),
            reply_number: String::new(),
            base_url: String::new(),
        };
        match build(&cfg) {
            Err(ProviderError::Config(m)) => assert!(m.contains("account_sid"), "{m}"),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("built without account_sid"),
        }
    }
}
