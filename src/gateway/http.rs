//! The one HTTP client every networked provider uses, so that time-outs, error wording and
//! secret scrubbing are the same everywhere. Also small URL helpers (percent-encoding and query
//! parsing) shared by the providers and the Kannel callback listener.

use super::ProviderError;
use std::time::Duration;

/// Default limit for a whole HTTP exchange (connect, send, headers and body): an SMS API that
/// has not answered in 10 s is treated as down, and the message is retried later.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Answers larger than this are cut: no SMS API answers megabytes, and a runaway body must not
/// fill the memory of a long-running scheduler.
const MAX_BODY: u64 = 2 * 1024 * 1024;

/// An HTTP answer, whatever its status (4xx/5xx bodies carry the provider's reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: String,
    /// `Retry-After` in seconds or as an HTTP date, when the server sent one.
    pub retry_after: Option<Duration>,
}

/// A blocking HTTP client with a hard time-out on every call and secrets scrubbed from every
/// error it produces.
pub struct HttpClient {
    agent: ureq::Agent,
    timeout: Duration,
    /// Provider name used in error messages ("Twilio did not answer…").
    provider: &'static str,
    /// Strings that must never appear in an error (passwords, tokens, keys).
    secrets: Vec<String>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("provider", &self.provider)
            .field("timeout", &self.timeout)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish()
    }
}

impl HttpClient {
    pub fn new(provider: &'static str, timeout: Duration, secrets: Vec<String>) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            // Never follow a redirect: it could carry our credentials to another host.
            .max_redirects(0)
            .user_agent(concat!("smsdesk/", env!("CARGO_PKG_VERSION")))
            .build();
        HttpClient {
            agent: ureq::Agent::new_with_config(config),
            timeout,
            provider,
            secrets: secrets.into_iter().filter(|s| !s.is_empty()).collect(),
        }
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Replaces every secret (raw, URL-encoded, or inside basic auth) by `***`.
    pub fn scrub(&self, text: &str) -> String {
        scrub_secrets(text, &self.secrets)
    }

    /// The same error with every secret scrubbed from its message.
    pub fn scrub_error(&self, e: ProviderError) -> ProviderError {
        match e {
            ProviderError::Config(m) => ProviderError::Config(self.scrub(&m)),
            ProviderError::Transient {
                reason,
                retry_after,
            } => ProviderError::Transient {
                reason: self.scrub(&reason),
                retry_after,
            },
            ProviderError::Ambiguous { reason } => ProviderError::Ambiguous {
                reason: self.scrub(&reason),
            },
        }
    }

    pub fn get(&self, url: &str, headers: &[(&str, String)]) -> Result<HttpAnswer, ProviderError> {
        let mut req = self.agent.get(url);
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        self.finish(url, req.call())
    }

    /// POST with an `application/x-www-form-urlencoded` body.
    pub fn post_form(
        &self,
        url: &str,
        headers: &[(&str, String)],
        form: &[(&str, &str)],
    ) -> Result<HttpAnswer, ProviderError> {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = self
            .agent
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        self.finish(url, req.send(body))
    }

    /// POST with a JSON body, sent exactly as given (OVH signs the body bytes).
    pub fn post_json(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> Result<HttpAnswer, ProviderError> {
        let mut req = self
            .agent
            .post(url)
            .header("Content-Type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        self.finish(url, req.send(body.to_string()))
    }

    fn finish(
        &self,
        url: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<HttpAnswer, ProviderError> {
        let mut response = result.map_err(|e| self.transport_error(url, e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| self.transport_error(url, e))?;
        Ok(HttpAnswer {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            retry_after,
        })
    }

    /// Turns a network failure into an error a user understands, naming the host but never the
    /// query string (Kannel carries the password there).
    fn transport_error(&self, url: &str, e: ureq::Error) -> ProviderError {
        let host = host_of(url);
        let provider = self.provider;
        match e {
            // Nothing left before the connection was made: safe to retry.
            ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => {
                ProviderError::Transient {
                    reason: format!(
                        "{provider} at {host} could not be reached within {} s",
                        self.timeout.as_secs_f64()
                    ),
                    retry_after: None,
                }
            }
            // The request may have been received and acted upon: never retry blindly.
            ureq::Error::Timeout(_) => ProviderError::Ambiguous {
                reason: format!(
                    "{provider} at {host} did not answer within {} s",
                    self.timeout.as_secs_f64()
                ),
            },
            ureq::Error::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                ProviderError::Ambiguous {
                    reason: format!(
                        "{provider} at {host} did not answer within {} s",
                        self.timeout.as_secs_f64()
                    ),
                }
            }
            ureq::Error::BadUri(_) | ureq::Error::Http(_) => ProviderError::Config(format!(
                "the {provider} address {host:?} is not a valid URL; check the provider settings"
            )),
            ureq::Error::HostNotFound => ProviderError::Transient {
                reason: format!("cannot resolve the {provider} host {host}"),
                retry_after: None,
            },
            ureq::Error::ConnectionFailed => ProviderError::Transient {
                reason: format!("cannot connect to {provider} at {host}"),
                retry_after: None,
            },
            other => ProviderError::Transient {
                reason: self.scrub(&format!(
                    "network error talking to {provider} at {host}: {other}"
                )),
                retry_after: None,
            },
        }
    }
}

/// For requests that send nothing (reading a clock, a status, a balance): a time-out there
/// cannot hide a send, so it is an ordinary transient error.
pub fn not_a_submission<T>(r: Result<T, ProviderError>) -> Result<T, ProviderError> {
    r.map_err(|e| match e {
        ProviderError::Ambiguous { reason } => ProviderError::Transient {
            reason,
            retry_after: None,
        },
        other => other,
    })
}

/// `scheme://host:port` of a URL, without user info, path or query (which may hold secrets).
pub fn host_of(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s, r),
        None => ("", url),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if scheme.is_empty() {
        authority.to_string()
    } else {
        format!("{scheme}://{authority}")
    }
}

/// Replaces each secret, in its raw and URL-encoded forms, by `***`.
pub fn scrub_secrets(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "***");
        let enc = url_encode(s);
        if enc != *s {
            out = out.replace(enc.as_str(), "***");
        }
    }
    out
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// Percent-encodes everything but the RFC 3986 unreserved characters, so `+`, `&`, `%`, `=`
/// and spaces survive any query-string parser (a raw `+` would become a space).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a query-string component: `%XX` escapes and `+` as a space (HTML form rules, which
/// Kannel and most servers follow). Malformed escapes are kept as they are.
pub fn url_decode_bytes(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// [`url_decode_bytes`] read as UTF-8 (invalid sequences become U+FFFD).
pub fn url_decode(s: &str) -> String {
    String::from_utf8_lossy(&url_decode_bytes(s)).into_owned()
}

/// Splits `a=1&b=2` into decoded pairs, in order; a key without `=` gets an empty value.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (url_decode(k), url_decode(v)),
            None => (url_decode(p), String::new()),
        })
        .collect()
}

/// Same as [`parse_query`] but keeps the raw value bytes, for texts whose charset is not UTF-8.
pub fn parse_query_raw(query: &str) -> Vec<(String, Vec<u8>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (url_decode(k), url_decode_bytes(v)),
            None => (url_decode(p), Vec::new()),
        })
        .collect()
}

/// First value of `key` in parsed pairs.
pub fn query_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A short, printable excerpt of a provider's answer for error messages (bodies can be HTML
/// pages or binary garbage).
pub fn excerpt(body: &str) -> String {
    let clean: String = body
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() > 120 {
        let cut: String = clean.chars().take(120).collect();
        format!("{cut}…")
    } else {
        clean.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_and_ampersand_are_encoded() {
        assert_eq!(url_encode("+33612345678"), "%2B33612345678");
        assert_eq!(url_encode("a b&c=d%"), "a%20b%26c%3Dd%25");
        assert_eq!(url_encode("é"), "%C3%A9");
    }

    #[test]
    fn decoding_handles_plus_escapes_and_bad_escapes() {
        assert_eq!(url_decode("Bonjour+%C3%A0+tous"), "Bonjour à tous");
        assert_eq!(url_decode("%2B33"), "+33");
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%zz"), "%zz");
        assert_eq!(url_decode("a%2"), "a%2");
    }

    #[test]
    fn query_round_trip() {
        let q = format!(
            "to={}&text={}&flag",
            url_encode("+336"),
            url_encode("a&b=c")
        );
        let pairs = parse_query(&q);
        assert_eq!(query_value(&pairs, "to"), Some("+336"));
        assert_eq!(query_value(&pairs, "text"), Some("a&b=c"));
        assert_eq!(query_value(&pairs, "flag"), Some(""));
        assert_eq!(query_value(&pairs, "none"), None);
    }

    #[test]
    fn host_of_drops_credentials_path_and_query() {
        assert_eq!(
            host_of("http://user:pw@127.0.0.1:13013/cgi-bin/sendsms?password=x"),
            "http://127.0.0.1:13013"
        );
        assert_eq!(host_of("https://api.twilio.com"), "https://api.twilio.com");
    }

    #[test]
    fn scrub_removes_raw_and_encoded_secrets() {
        let s = vec!["p@ss word".to_string()];
        let t = scrub_secrets("a p@ss word b p%40ss%20word c", &s);
        assert!(!t.contains("p@ss"));
        assert!(!t.contains("p%40ss"));
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
