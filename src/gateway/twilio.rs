//! Twilio's Messages REST API (`/2010-04-01`), basic auth (account SID : auth token), form
//! posts. Statuses and replies are polled, so no public URL is needed.
//!
//! Submission (`POST …/Accounts/{sid}/Messages.json` with `To`, `From` or
//! `MessagingServiceSid`, `Body`):
//!
//! | answer | outcome |
//! |---|---|
//! | 200/201 with a `sid` | accepted, `provider_id` = the `SM…` sid |
//! | 400 code 21610 (recipient replied STOP) | rejected, reason starts with `STOP:` |
//! | 400 codes 21212, 21603, 21606, 21659 (our sender is wrong) | configuration error |
//! | 400 codes 20429, 21611 (too many requests, queue full) | transient |
//! | any other 400/4xx (e.g. 21211 invalid `To`) | rejected |
//! | 401, 403 | configuration error (SID or token) |
//! | 404 | configuration error (unknown account or wrong base URL) |
//! | 408, 425, 429, 5xx except 504 (with `Retry-After`), connection refused, time-out before connecting | transient |
//! | 504, time-out or broken connection after the request left, unreadable 2xx answer, 2xx without a sid | ambiguous (never retried blindly) |
//!
//! Statuses (`GET …/Messages/{sid}.json`), see [`map_status`]:
//!
//! | Twilio `status` / `error_code` | status |
//! |---|---|
//! | `queued`, `accepted`, `scheduled`, `sending`, `sent` | in transit (`sent` = handed to the carrier, no receipt yet) |
//! | `delivered` (or `read`) | delivered |
//! | `undelivered` with 30003 (handset unreachable / off) | expired |
//! | `undelivered` with 30004 (blocked) or 21610 (unsubscribed) | STOP |
//! | `undelivered`, other codes (30005 unknown handset, 30006 landline…) | not delivered |
//! | `failed` with 21610 / 30004 | STOP |
//! | `failed`, `canceled`, other codes | failed |
//!
//! Replies: inbound messages to our reply number (`GET …/Messages.json?To=…&DateSent>=…`),
//! following `next_page_uri`. Balance: `GET …/Balance.json`, in money. `lookup` is unsupported:
//! Twilio stores no client reference with a message, so a lost submission cannot be found again.

use super::Activity;
use super::http::{self, HttpAnswer, HttpClient};
use super::{
    Balance, ConfigProblem, InboundSms, Lookup, OutgoingSms, PendingStatus, Provider,
    ProviderError, ProviderKind, ProviderProblem, ReportedStatus, StatusReport, SubmitOutcome,
    TwilioConfig,
};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::time::Duration;

/// Public Twilio API.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// Pages of inbound messages followed at most in one [`Provider::fetch_replies`] call.
const MAX_PAGES: usize = 50;
const PAGE_SIZE: u32 = 100;

/// Twilio client.
pub struct Twilio {
    base: String,
    account_sid: String,
    from: String,
    reply_number: String,
    /// `Basic …` header value (holds the token: never printed).
    authorization: String,
    http: HttpClient,
}

/// Never prints the auth token.
impl std::fmt::Debug for Twilio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Twilio")
            .field("base", &self.base)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &super::REDACTED)
            .field("from", &self.from)
            .field("reply_number", &self.reply_number)
            .finish()
    }
}

/// A messaging service SID: `MG` and 32 hexadecimal digits (a sender name can start with "MG").
fn is_messaging_service(s: &str) -> bool {
    s.len() == 34 && s.starts_with("MG") && s[2..].chars().all(|c| c.is_ascii_hexdigit())
}

fn parse_time(v: &Value) -> Option<DateTime<Utc>> {
    let s = v.as_str()?;
    DateTime::parse_from_rfc2822(s)
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn error_code(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Twilio `status` and `error_code` → our status (table in the module documentation).
pub fn map_status(status: &str, error: Option<i64>) -> ReportedStatus {
    let blocked = matches!(error, Some(21610) | Some(30004));
    match status {
        "delivered" | "read" => ReportedStatus::Delivered,
        "undelivered" if blocked => ReportedStatus::Stop,
        "undelivered" if error == Some(30003) => ReportedStatus::Expired,
        "undelivered" => ReportedStatus::NotDelivered,
        "failed" if blocked => ReportedStatus::Stop,
        "failed" | "canceled" => ReportedStatus::Failed,
        // queued, accepted, scheduled, sending, sent, and anything new Twilio may add.
        _ => ReportedStatus::InTransit,
    }
}

impl Twilio {
    /// From a [`TwilioConfig`]; an empty `base_url` means the public API.
    pub fn new(cfg: &TwilioConfig, timeout: Duration) -> Result<Self, ProviderError> {
        let TwilioConfig {
            account_sid,
            auth_token,
            from,
            reply_number,
            base_url,
        } = cfg;
        super::require(ProviderKind::Twilio, "account_sid", account_sid)?;
        super::require(ProviderKind::Twilio, "auth_token", auth_token)?;
        if from.trim().is_empty() && reply_number.trim().is_empty() {
            super::require(ProviderKind::Twilio, "from", from)?;
        }
        let base = if base_url.trim().is_empty() {
            DEFAULT_BASE_URL.to_string()
        } else {
            base_url.trim().trim_end_matches('/').to_string()
        };
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            account_sid.trim(),
            auth_token
        ));
        let mut secrets = cfg.secrets();
        secrets.push(credentials.clone());
        Ok(Twilio {
            base,
            account_sid: account_sid.trim().to_string(),
            from: from.trim().to_string(),
            reply_number: reply_number.trim().to_string(),
            authorization: format!("Basic {credentials}"),
            http: HttpClient::new("Twilio", timeout, secrets),
        })
    }

    fn account_url(&self, rest: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}{rest}",
            self.base,
            http::url_encode(&self.account_sid)
        )
    }

    fn auth(&self) -> [(&'static str, String); 2] {
        [
            ("Authorization", self.authorization.clone()),
            ("Accept", "application/json".to_string()),
        ]
    }

    /// A GET sends nothing: a lost answer there is an ordinary transient error.
    fn get(&self, url: &str) -> Result<HttpAnswer, ProviderError> {
        http::not_a_submission(self.http.get(url, &self.auth()))
            .map_err(|e| self.http.scrub_error(e))
    }

    /// The sender for a message: the reply number when a reply is expected (and one is set),
    /// else the message's own sender, else the configured one.
    fn sender_for(&self, sms: &OutgoingSms) -> String {
        if sms.expects_reply && !self.reply_number.is_empty() {
            self.reply_number.clone()
        } else if !sms.from.trim().is_empty() {
            sms.from.trim().to_string()
        } else if !self.from.is_empty() {
            self.from.clone()
        } else {
            self.reply_number.clone()
        }
    }

    /// The number replies arrive on, when we know one.
    fn inbound_number(&self) -> Option<&str> {
        if !self.reply_number.is_empty() {
            Some(&self.reply_number)
        } else if self.from.starts_with('+') {
            Some(&self.from)
        } else {
            None
        }
    }

    /// Errors common to every call: authentication, throttling, outages.
    fn common_error(&self, answer: &HttpAnswer, what: Activity) -> ProviderError {
        let (code, message) = parse_error(&answer.body);
        let detail = match code {
            Some(c) => format!("Twilio error {c}: {message}"),
            None => message,
        };
        let e = match answer.status {
            401 | 403 => ProviderError::Config(ConfigProblem::TwilioLogin {
                activity: what,
                status: answer.status,
                detail,
            }),
            404 => ProviderError::Config(ConfigProblem::TwilioAccount {
                account: self.account_sid.clone(),
                base: self.base.clone(),
                activity: what,
                detail,
            }),
            _ => ProviderError::Transient {
                reason: ProviderProblem::UnavailableWhile {
                    provider: "Twilio".into(),
                    activity: what,
                    status: answer.status,
                    body: detail,
                },
                retry_after: answer.retry_after,
            },
        };
        self.http.scrub_error(e)
    }

    fn poll_one(&self, p: &PendingStatus) -> Result<Option<StatusReport>, ProviderError> {
        let url = self.account_url(&format!(
            "/Messages/{}.json",
            http::url_encode(&p.provider_id)
        ));
        let answer = self.get(&url)?;
        if answer.status == 404 {
            // Not (yet) known to this account: nothing to report.
            return Ok(None);
        }
        if !(200..300).contains(&answer.status) {
            return Err(self.common_error(&answer, Activity::ReadingStatus));
        }
        let v = self.http.json(&answer, Activity::ReadingStatus)?;
        let status = v["status"].as_str().unwrap_or("").to_string();
        if status.is_empty() {
            return Err(ProviderError::Transient {
                reason: ProviderProblem::IncompleteAnswer {
                    provider: "Twilio".into(),
                    activity: Activity::ReadingStatus,
                    body: http::excerpt(&answer.body),
                },
                retry_after: None,
            });
        }
        let code = error_code(&v["error_code"]);
        let mut detail = format!("Twilio status {status}");
        if let Some(c) = code {
            detail.push_str(&format!(", error {c}"));
            if let Some(m) = v["error_message"].as_str() {
                detail.push_str(&format!(": {m}"));
            }
        }
        Ok(Some(StatusReport {
            reference: p.reference.clone(),
            provider_id: p.provider_id.clone(),
            status: map_status(&status, code),
            detail,
            at: parse_time(&v["date_updated"]).unwrap_or_else(Utc::now),
        }))
    }

    /// Follows `next_page_uri` only on the configured API host, so the credentials never go
    /// elsewhere.
    fn next_page(&self, v: &Value) -> Option<String> {
        let uri = v["next_page_uri"].as_str()?.trim();
        if uri.is_empty() {
            None
        } else if uri.starts_with('/') {
            Some(format!("{}{uri}", self.base))
        } else if uri.starts_with(&format!("{}/", self.base)) {
            Some(uri.to_string())
        } else {
            None
        }
    }
}

/// `(code, message)` of a Twilio error body; the raw excerpt when it is not JSON.
fn parse_error(body: &str) -> (Option<i64>, String) {
    match serde_json::from_str::<Value>(body) {
        Ok(v) => (
            error_code(&v["code"]),
            v["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| http::excerpt(body)),
        ),
        Err(_) => (None, http::excerpt(body)),
    }
}

impl Provider for Twilio {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Twilio
    }

    fn submit(&self, sms: &OutgoingSms) -> Result<SubmitOutcome, ProviderError> {
        let sender = self.sender_for(sms);
        let sender_field = if is_messaging_service(&sender) {
            "MessagingServiceSid"
        } else {
            "From"
        };
        let form = [
            ("To", sms.to_e164.as_str()),
            (sender_field, sender.as_str()),
            ("Body", sms.text.as_str()),
        ];
        let answer = self
            .http
            .post_form(&self.account_url("/Messages.json"), &self.auth(), &form)
            .map_err(|e| self.http.scrub_error(e))?;
        let what = Activity::Sending;
        if let Some(e) = http::submission_status("Twilio", &answer) {
            return Err(self.http.scrub_error(e));
        }
        match answer.status {
            // A success status means Twilio may have queued the message: an unreadable
            // answer must not lead to a second send.
            200..=299 => {
                let sid = self.http.json(&answer, what).ok().and_then(|v| {
                    v["sid"]
                        .as_str()
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                });
                match sid {
                    Some(sid) => Ok(SubmitOutcome::Accepted { provider_id: sid }),
                    None => Err(ProviderError::Ambiguous {
                        reason: ProviderProblem::NoMessageId {
                            provider: "Twilio".into(),
                            body: self.http.scrub(&http::excerpt(&answer.body)),
                        },
                    }),
                }
            }
            // 408, 425 and 429 were answered above.
            400 | 402 | 405..=499 => {
                let (code, message) = parse_error(&answer.body);
                let reason = match code {
                    Some(c) => ProviderProblem::CodedRefusal {
                        provider: "Twilio".into(),
                        number: c.to_string(),
                        said: message.clone(),
                    },
                    None => ProviderProblem::RefusedMessage {
                        provider: "Twilio".into(),
                        status: answer.status,
                        body: message.clone(),
                    },
                };
                match code {
                    Some(21610) => Ok(SubmitOutcome::Rejected {
                        reason: ProviderProblem::Unsubscribed {
                            provider: "Twilio".into(),
                            said: message,
                        },
                    }),
                    Some(c @ (21212 | 21603 | 21606 | 21659)) => Err(self.http.scrub_error(
                        ProviderError::Config(ConfigProblem::SenderRefused {
                            provider: ProviderKind::Twilio,
                            sender: sender.to_string(),
                            said: format!("{c}: {message}"),
                        }),
                    )),
                    Some(20429 | 21611) => Err(ProviderError::Transient {
                        reason,
                        retry_after: answer.retry_after,
                    }),
                    _ => Ok(SubmitOutcome::Rejected { reason }),
                }
            }
            _ => Err(self.common_error(&answer, what)),
        }
    }

    fn needs_polling(&self) -> bool {
        true
    }

    /// One request per message. A configuration error stops at once; a transient one stops
    /// the round but keeps the reports already read (the rest are asked next time).
    fn poll_statuses(&self, pending: &[PendingStatus]) -> Result<Vec<StatusReport>, ProviderError> {
        let mut out = Vec::new();
        for p in pending.iter().filter(|p| !p.provider_id.is_empty()) {
            match self.poll_one(p) {
                Ok(Some(r)) => out.push(r),
                Ok(None) => {}
                Err(e @ ProviderError::Config(_)) => return Err(e),
                Err(e) if out.is_empty() => return Err(e),
                Err(_) => break,
            }
        }
        Ok(out)
    }

    fn fetch_replies(&self, since: DateTime<Utc>) -> Result<Vec<InboundSms>, ProviderError> {
        let mut query = format!(
            "DateSent%3E={}&PageSize={PAGE_SIZE}",
            since.format("%Y-%m-%d")
        );
        if let Some(n) = self.inbound_number() {
            query = format!("To={}&{query}", http::url_encode(n));
        }
        let mut url = Some(self.account_url(&format!("/Messages.json?{query}")));
        let mut out = Vec::new();
        let mut pages = 0;
        while let Some(u) = url.take() {
            pages += 1;
            let answer = self.get(&u)?;
            if !(200..300).contains(&answer.status) {
                return Err(self.common_error(&answer, Activity::ReadingReplies));
            }
            let v = self.http.json(&answer, Activity::ReadingReplies)?;
            let Some(messages) = v["messages"].as_array() else {
                return Err(ProviderError::Transient {
                    reason: ProviderProblem::IncompleteAnswer {
                        provider: "Twilio".into(),
                        activity: Activity::ReadingReplies,
                        body: http::excerpt(&answer.body),
                    },
                    retry_after: None,
                });
            };
            for m in messages {
                if m["direction"].as_str() != Some("inbound") {
                    continue;
                }
                let received_at = parse_time(&m["date_sent"])
                    .or_else(|| parse_time(&m["date_created"]))
                    .unwrap_or_else(Utc::now);
                if received_at < since {
                    continue;
                }
                let (Some(sid), Some(from)) = (m["sid"].as_str(), m["from"].as_str()) else {
                    continue;
                };
                out.push(InboundSms {
                    from_e164: from.to_string(),
                    to: m["to"].as_str().unwrap_or("").to_string(),
                    text: m["body"].as_str().unwrap_or("").to_string(),
                    received_at,
                    provider_id: sid.to_string(),
                });
            }
            if pages < MAX_PAGES {
                url = self.next_page(&v);
            }
        }
        out.sort_by_key(|m| m.received_at);
        Ok(out)
    }

    /// Unsupported: Twilio keeps no client reference with a message (see module docs).
    fn lookup(&self, _reference: &str, _to_e164: &str) -> Result<Lookup, ProviderError> {
        Ok(Lookup::Unsupported)
    }

    fn balance(&self) -> Result<Option<Balance>, ProviderError> {
        let answer = self.get(&self.account_url("/Balance.json"))?;
        if !(200..300).contains(&answer.status) {
            return Err(self.common_error(&answer, Activity::ReadingBalance));
        }
        let v = self.http.json(&answer, Activity::ReadingBalance)?;
        let amount = match &v["balance"] {
            Value::String(s) => s.trim().parse::<f64>().ok(),
            Value::Number(n) => n.as_f64(),
            _ => None,
        };
        let currency = v["currency"].as_str().unwrap_or("").to_string();
        match amount {
            Some(a) => Ok(Some(Balance {
                units: None,
                money: Some((a, currency)),
            })),
            None => Err(ProviderError::Transient {
                reason: ProviderProblem::IncompleteAnswer {
                    provider: "Twilio".into(),
                    activity: Activity::ReadingBalance,
                    body: http::excerpt(&answer.body),
                },
                retry_after: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mapping() {
        use ReportedStatus::*;
        for s in ["queued", "accepted", "scheduled", "sending", "sent"] {
            assert_eq!(map_status(s, None), InTransit, "{s}");
        }
        assert_eq!(map_status("delivered", None), Delivered);
        assert_eq!(map_status("undelivered", Some(30003)), Expired);
        assert_eq!(map_status("undelivered", Some(30005)), NotDelivered);
        assert_eq!(map_status("undelivered", Some(30004)), Stop);
        assert_eq!(map_status("failed", Some(21610)), Stop);
        assert_eq!(map_status("failed", Some(30008)), Failed);
        assert_eq!(map_status("canceled", None), Failed);
    }

    #[test]
    fn messaging_service_detection() {
        assert!(is_messaging_service("MG0123456789abcdef0123456789abcdef"));
        assert!(!is_messaging_service("MGARAGE"));
        assert!(!is_messaging_service("+33612345678"));
    }
}
