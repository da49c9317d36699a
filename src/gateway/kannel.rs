//! Kannel: any operator reachable by SMPP through a self-hosted Kannel gateway, driven by its
//! `sendsms` HTTP interface. Kannel gives no message id, so our reference travels in the
//! `dlr-url`, and delivery reports and replies come back on smsdesk's callback listener
//! ([`start_listener`]): nothing is polled.
//!
//! Submission answers (the status rules shared by every provider are
//! [`http::submission_status`]; a request that may have left and got no usable answer is
//! ambiguous, see the HTTP client):
//!
//! | Kannel answer | outcome |
//! |---|---|
//! | 2xx saying `0: Accepted for delivery`, `3: Queued for later delivery` (or `Sent.`) | accepted, `provider_id` = our reference |
//! | 2xx with any other body (empty, HTML, cut) | ambiguous: Kannel may have queued it |
//! | 401/403 `Authorization failed…` | configuration error (username/password) |
//! | 403 `Not routable…`, 400 and the other 4xx | rejected (no retry) |
//! | 408, 425, 429, 5xx except 504 (with `Retry-After`), connection refused | transient (retried later) |
//! | 504, time-out or broken connection after the request left | ambiguous (never retried blindly) |
//!
//! Delivery reports (`%d` of the dlr-url), see [`dlr_status`]: 1 delivered, 2 not delivered
//! (or expired / failed when the SMSC answer says `stat:EXPIRED` / `stat:REJECTD`), 4 buffered and
//! 8 accepted by the SMSC are in transit, 16 rejected by the SMSC is failed.

use super::http::{self, HttpAnswer, HttpClient};
use super::{
    CallbackEvent, ConfigProblem, FieldRule, InboundSms, KannelConfig, OutgoingSms, PendingStatus,
    Provider, ProviderError, ProviderKind, ProviderProblem, ReportedStatus, Shown, StatusReport,
    SubmitOutcome,
};
use chrono::{DateTime, Utc};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// Kannel's `sendsms` client.
pub struct Kannel {
    sendsms_url: String,
    username: String,
    password: String,
    /// Base URL Kannel uses to reach our listener, without a trailing `/`.
    callback_url: String,
    /// Carried by every dlr-url as `key=`, checked by the listener (empty: none).
    callback_secret: String,
    http: HttpClient,
}

/// Never prints the password (nor the sendsms URL's query, which could hold one).
impl std::fmt::Debug for Kannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kannel")
            .field("sendsms_url", &http::host_of(&self.sendsms_url))
            .field("username", &self.username)
            .field("password", &super::REDACTED)
            .field("callback_url", &self.callback_url)
            .finish()
    }
}

impl Kannel {
    /// From a [`KannelConfig`]; a missing mandatory field is a configuration error naming it.
    pub fn new(cfg: &KannelConfig, timeout: Duration) -> Result<Self, ProviderError> {
        super::require(ProviderKind::Kannel, "sendsms_url", &cfg.sendsms_url)?;
        super::require(ProviderKind::Kannel, "username", &cfg.username)?;
        check_callback_secret(&cfg.callback_secret).map_err(secret_problem)?;
        let callback = if cfg.callback_url.trim().is_empty() {
            super::require(
                ProviderKind::Kannel,
                "callback_listen",
                &cfg.callback_listen,
            )?;
            format!("http://{}", cfg.callback_listen.trim())
        } else {
            cfg.callback_url.trim().to_string()
        };
        Ok(Kannel {
            sendsms_url: cfg.sendsms_url.trim().to_string(),
            username: cfg.username.clone(),
            password: cfg.password.clone(),
            callback_url: callback.trim_end_matches('/').to_string(),
            callback_secret: cfg.callback_secret.trim().to_string(),
            http: HttpClient::new("Kannel", timeout, cfg.secrets()),
        })
    }

    /// The full sendsms URL for one message, every value URL-encoded (`+` → `%2B`, the
    /// dlr-url's `&` → `%26` and `%d` → `%25d`).
    pub fn sendsms_request_url(&self, sms: &OutgoingSms) -> String {
        let mut params: Vec<(&str, String)> = vec![
            ("username", self.username.clone()),
            ("password", self.password.clone()),
        ];
        if !sms.from.is_empty() {
            params.push(("from", sms.from.clone()));
        }
        params.push(("to", sms.to_e164.clone()));
        params.push(("text", sms.text.clone()));
        params.push(("charset", "UTF-8".into()));
        params.push(("coding", if sms.ucs2 { "2" } else { "0" }.into()));
        params.push(("dlr-mask", "31".into()));
        params.push((
            "dlr-url",
            dlr_url(&self.callback_url, &sms.reference, &self.callback_secret),
        ));
        let query = params
            .iter()
            .map(|(k, v)| format!("{k}={}", http::url_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let sep = if self.sendsms_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}{query}", self.sendsms_url)
    }
}

/// The dlr-url Kannel calls for every report of the message `reference`:
/// `{callback_url}/dlr?ref=<reference>&status=%d&answer=%A&ts=%T`, then `&key=<secret>` when
/// the listener has one.
pub fn dlr_url(callback_url: &str, reference: &str, secret: &str) -> String {
    let mut url = format!(
        "{}/dlr?ref={}&status=%d&answer=%A&ts=%T",
        callback_url.trim_end_matches('/'),
        http::url_encode(reference)
    );
    if !secret.is_empty() {
        url.push_str("&key=");
        url.push_str(&http::url_encode(secret));
    }
    url
}

/// A callback secret travels in URLs Kannel rewrites (`%d`, `%A`…): only unreserved URL
/// characters, and long enough not to be guessed.
pub fn check_callback_secret(secret: &str) -> Result<(), FieldRule> {
    const MIN: usize = 16;
    let s = secret.trim();
    if s.is_empty() {
        return Ok(());
    }
    if s.len() < MIN {
        return Err(FieldRule::SecretTooShort {
            length: s.len(),
            min: MIN,
        });
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')))
    {
        return Err(FieldRule::SecretCharacters { found: Shown(c) });
    }
    Ok(())
}

/// A callback secret that cannot work, as the Config error that names it.
fn secret_problem(rule: FieldRule) -> ProviderError {
    ProviderError::Config(ConfigProblem::Field {
        provider: ProviderKind::Kannel,
        field: "callback_secret".into(),
        rule,
    })
}

/// Whether a callback request carries the listener's secret (`key=`); compared in constant
/// time so the answer's timing does not reveal how much of a guess was right.
pub fn carries_secret(path_and_query: &str, secret: &str) -> bool {
    if secret.is_empty() {
        return true;
    }
    let query = path_and_query.split_once('?').map_or("", |(_, q)| q);
    let q = http::parse_query(query);
    let Some(given) = http::query_value(&q, "key") else {
        return false;
    };
    let (a, b) = (given.as_bytes(), secret.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Maps a sendsms answer to the outcome of the table in the module documentation.
pub fn classify_answer(
    answer: &HttpAnswer,
    reference: &str,
) -> Result<SubmitOutcome, ProviderError> {
    if let Some(e) = http::submission_status("Kannel", answer) {
        return Err(e);
    }
    let status = answer.status;
    let text = http::excerpt(&answer.body);
    match status {
        200..=299 if says_accepted(&answer.body) => Ok(SubmitOutcome::Accepted {
            provider_id: reference.to_string(),
        }),
        // A success status from something that does not speak like Kannel (a proxy page, an
        // empty or cut answer): the message may be queued, so it must not leave twice.
        200..=299 => Err(ProviderError::Ambiguous {
            reason: ProviderProblem::NotTaken {
                provider: "Kannel".into(),
                status,
                body: text,
            },
        }),
        401 | 403
            if text.to_ascii_lowercase().contains("authorization failed") || status == 401 =>
        {
            Err(ProviderError::Config(ConfigProblem::KannelLogin {
                status,
                body: text,
            }))
        }
        400..=499 => Ok(SubmitOutcome::Rejected {
            reason: ProviderProblem::RefusedMessage {
                provider: "Kannel".into(),
                status,
                body: text,
            },
        }),
        _ => Err(ProviderError::Ambiguous {
            reason: ProviderProblem::UnexpectedStatus {
                provider: "Kannel".into(),
                status,
                body: text,
            },
        }),
    }
}

/// Kannel's sendsms acceptance: `0: Accepted for delivery`, `3: Queued for later delivery`, or
/// `Sent.` from older versions.
fn says_accepted(body: &str) -> bool {
    let b = body.trim().to_ascii_lowercase();
    b.starts_with("0:")
        || b.starts_with("3:")
        || b.starts_with("sent")
        || b.contains("accepted for delivery")
        || b.contains("queued for later delivery")
}

impl Provider for Kannel {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Kannel
    }

    fn submit(&self, sms: &OutgoingSms) -> Result<SubmitOutcome, ProviderError> {
        let url = self.sendsms_request_url(sms);
        let answer = self.http.get(&url, &[])?;
        classify_answer(&answer, &sms.reference).map_err(|e| self.http.scrub_error(e))
    }

    fn needs_polling(&self) -> bool {
        false
    }

    /// Reports arrive on the callback listener; there is nothing to poll.
    fn poll_statuses(
        &self,
        _pending: &[PendingStatus],
    ) -> Result<Vec<StatusReport>, ProviderError> {
        Ok(Vec::new())
    }
}

/// Maps a Kannel DLR code (`%d`) and the SMSC answer (`%A`) to a status. `None` for a code
/// Kannel does not define.
pub fn dlr_status(code: u32, answer: &str) -> Option<ReportedStatus> {
    let upper = answer.to_ascii_uppercase();
    Some(match code {
        1 => ReportedStatus::Delivered,
        // SMPP receipts say why in `stat:`; without one, "undelivered" is all we know.
        2 if upper.contains("STAT:EXPIRED") => ReportedStatus::Expired,
        2 if upper.contains("STAT:REJECTD") => ReportedStatus::Failed,
        2 => ReportedStatus::NotDelivered,
        4 | 8 => ReportedStatus::InTransit,
        16 => ReportedStatus::Failed,
        _ => return None,
    })
}

fn dlr_meaning(code: u32) -> &'static str {
    match code {
        1 => "delivered to phone",
        2 => "not delivered to phone",
        4 => "buffered at the SMSC",
        8 => "accepted by the SMSC",
        16 => "rejected by the SMSC",
        _ => "unknown",
    }
}

/// Parses one callback request (path and query, as Kannel calls it) into an event.
/// `/dlr?ref=…&status=…&answer=…&ts=…` gives a status report; `/mo?from=…&to=…&text=…&time=…
/// &coding=…&charset=…&id=…` a reply. The error says what is missing, for the HTTP 400 answer.
pub fn parse_callback(
    path_and_query: &str,
    now: DateTime<Utc>,
) -> Result<CallbackEvent, CallbackError> {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    match path.trim_end_matches('/') {
        "/dlr" => parse_dlr(query, now),
        "/mo" => parse_mo(query, now),
        _ => Err(CallbackError::NotFound),
    }
}

/// Why a callback request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("unknown path (expected /dlr or /mo)")]
    NotFound,
    #[error("bad callback request: {0}")]
    Bad(String),
}

fn unix_time(v: Option<&str>, now: DateTime<Utc>) -> DateTime<Utc> {
    v.and_then(|t| t.trim().parse::<i64>().ok())
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
        .unwrap_or(now)
}

fn parse_dlr(query: &str, now: DateTime<Utc>) -> Result<CallbackEvent, CallbackError> {
    let q = http::parse_query(query);
    let reference = http::query_value(&q, "ref")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| CallbackError::Bad("DLR without `ref`".into()))?;
    let raw = http::query_value(&q, "status")
        .ok_or_else(|| CallbackError::Bad("DLR without `status`".into()))?;
    let code: u32 = raw
        .trim()
        .parse()
        .map_err(|_| CallbackError::Bad(format!("DLR status {raw:?} is not a number")))?;
    let answer = http::query_value(&q, "answer").unwrap_or("");
    let status = dlr_status(code, answer)
        .ok_or_else(|| CallbackError::Bad(format!("unknown Kannel DLR status {code}")))?;
    let mut detail = format!("Kannel DLR {code}: {}", dlr_meaning(code));
    if !answer.trim().is_empty() {
        detail.push_str(&format!(" ({})", http::excerpt(answer)));
    }
    Ok(CallbackEvent::Status(StatusReport {
        reference: reference.to_string(),
        provider_id: reference.to_string(),
        status,
        detail,
        at: unix_time(http::query_value(&q, "ts"), now),
    }))
}

/// E.164 from what Kannel gives as the handset: `33612345678` → `+33612345678`, `0033…` →
/// `+33…`; a number already with `+`, or an alphanumeric sender, is kept as it is.
pub fn normalise_from(raw: &str) -> String {
    let t: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if t.starts_with('+') {
        t
    } else if let Some(rest) = t
        .strip_prefix("00")
        .filter(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
    {
        format!("+{rest}")
    } else if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        format!("+{t}")
    } else {
        t
    }
}

/// Decodes MO text bytes by the charset Kannel announces (`%C`), falling back on the coding
/// (`%c`: 2 is UCS-2).
fn decode_text(bytes: &[u8], charset: &str, coding: &str) -> String {
    let cs = charset.trim().to_ascii_uppercase();
    let utf16 = cs.starts_with("UTF-16")
        || cs == "UCS-2"
        || cs == "UCS2"
        || (cs.is_empty() && coding.trim() == "2");
    if utf16 {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if matches!(
        cs.as_str(),
        "ISO-8859-1" | "ISO8859-1" | "LATIN1" | "WINDOWS-1252" | "CP1252"
    ) {
        return bytes.iter().map(|&b| b as char).collect();
    }
    String::from_utf8_lossy(bytes).into_owned()
}

fn parse_mo(query: &str, now: DateTime<Utc>) -> Result<CallbackEvent, CallbackError> {
    let raw = http::parse_query_raw(query);
    let get = |k: &str| {
        raw.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    let from = get("from")
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| CallbackError::Bad("MO without `from`".into()))?;
    let text_bytes = raw
        .iter()
        .find(|(k, _)| k == "text")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| CallbackError::Bad("MO without `text`".into()))?;
    let charset = get("charset").unwrap_or_default();
    let coding = get("coding").unwrap_or_default();
    let text = decode_text(&text_bytes, &charset, &coding);
    let received_at = unix_time(get("time").as_deref(), now);
    let from_e164 = normalise_from(&from);
    let provider_id = get("id")
        .filter(|i| !i.trim().is_empty())
        // Without Kannel's id, the sender and second are the best identity we have.
        .unwrap_or_else(|| format!("kannel-{}-{}", from_e164, received_at.timestamp()));
    Ok(CallbackEvent::Reply(InboundSms {
        from_e164,
        to: get("to").unwrap_or_default(),
        text,
        received_at,
        provider_id,
    }))
}

pub use super::listener::{Callback, ListenerHandle};

/// Starts the Kannel callback listener on `addr` (e.g. `127.0.0.1:8089`, or port 0) with the
/// default [`Limits`](super::listener::Limits). Each `/dlr` and `/mo` request becomes a
/// [`Callback`] on `tx` and is answered `200 OK` only once the receiver says it is committed,
/// 503 otherwise (Kannel retries those when `http-request-retry` is set); a request without the
/// `secret` (as `key=`) gets 403, a bad request 400, an unknown path 404. Without a secret the
/// listener only binds to a loopback address: anyone who could reach it could otherwise forge
/// delivery reports and replies.
pub fn start_listener(
    addr: &str,
    secret: &str,
    tx: Sender<Callback>,
) -> Result<ListenerHandle, ProviderError> {
    start_listener_with(addr, secret, super::listener::Limits::default(), tx)
}

/// [`start_listener`] with other bounds (tests shorten the waits).
pub fn start_listener_with(
    addr: &str,
    secret: &str,
    limits: super::listener::Limits,
    tx: Sender<Callback>,
) -> Result<ListenerHandle, ProviderError> {
    check_callback_secret(secret).map_err(secret_problem)?;
    let secret = secret.trim().to_string();
    if secret.is_empty() && !super::is_loopback_listen(addr) {
        return Err(ProviderError::Config(ConfigProblem::ListenerOpen {
            addr: addr.to_string(),
        }));
    }
    super::listener::serve(addr, &secret, limits, tx).map_err(|e| {
        ProviderError::Config(ConfigProblem::CannotListen {
            addr: addr.trim().to_string(),
            error: e.to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlr_url_is_a_template_for_kannel() {
        assert_eq!(
            dlr_url("http://127.0.0.1:8089/", "m42", ""),
            "http://127.0.0.1:8089/dlr?ref=m42&status=%d&answer=%A&ts=%T"
        );
        assert_eq!(
            dlr_url("http://127.0.0.1:8089", "m42", "Zx9-k_2.p~Q7r8s9t0"),
            "http://127.0.0.1:8089/dlr?ref=m42&status=%d&answer=%A&ts=%T&key=Zx9-k_2.p~Q7r8s9t0"
        );
    }

    #[test]
    fn a_callback_must_carry_the_secret_exactly() {
        let secret = "Zx9-k_2.p~Q7r8s9t0";
        let url = dlr_url("", "m1", secret);
        assert!(carries_secret(&url, secret));
        assert!(carries_secret("/dlr?ref=m1&status=1", ""));
        assert!(!carries_secret("/dlr?ref=m1&status=1", secret));
        assert!(!carries_secret(
            "/dlr?ref=m1&key=Zx9-k_2.p~Q7r8s9t1",
            secret
        ));
        assert!(!carries_secret("/dlr?ref=m1&key=Zx9-k_2.p~Q7r8s9t", secret));
    }

    #[test]
    fn a_callback_secret_is_long_and_url_safe() {
        assert!(check_callback_secret("").is_ok());
        assert!(check_callback_secret("Zx9-k_2.p~Q7r8s9t0").is_ok());
        assert!(check_callback_secret("short").is_err());
        assert!(check_callback_secret("has%percent-and-more-chars").is_err());
        assert!(check_callback_secret("has space and more characters").is_err());
    }

    #[test]
    fn from_normalisation() {
        assert_eq!(normalise_from("33612345678"), "+33612345678");
        assert_eq!(normalise_from("+33612345678"), "+33612345678");
        assert_eq!(normalise_from("0033612345678"), "+33612345678");
        assert_eq!(normalise_from("ORANGE"), "ORANGE");
    }

    #[test]
    fn ucs2_and_latin1_texts_are_decoded() {
        assert_eq!(
            decode_text(&[0x00, 0x52, 0x27, 0x05], "UTF-16BE", "2"),
            "R✅"
        );
        assert_eq!(
            decode_text(&[0x63, 0x61, 0x66, 0xE9], "ISO-8859-1", "0"),
            "café"
        );
        assert_eq!(decode_text("é".as_bytes(), "UTF-8", "0"), "é");
    }
}
