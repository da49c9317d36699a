//! The one HTTP client every networked provider uses, so that time-outs, error wording and
//! secret scrubbing are the same everywhere. Also small URL helpers (percent-encoding and query
//! parsing) shared by the providers and the Kannel callback listener.

use super::{ConfigProblem, ProviderError, ProviderProblem, Seconds};
use std::cell::Cell;
use std::time::Duration;
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport,
};

/// Default limit for a whole HTTP exchange (connect, send, headers and body): an SMS API that
/// has not answered in 10 s is treated as down, and the message is retried later.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Answers larger than this are cut: no SMS API answers megabytes, and a runaway body must not
/// fill the memory of a long-running scheduler.
const MAX_BODY: u64 = 2 * 1024 * 1024;

/// Longest `Retry-After` honoured: a provider asking for hours (or by mistake for years) must
/// not push a message past its deadline in one step; it is asked again after this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

thread_local! {
    /// Set as soon as a byte of the current request is handed to the connection. ureq does all
    /// the I/O of a call on the calling thread, so this tells, for the call this thread just
    /// made, whether a failure happened before anything left (safe to retry) or after (the
    /// provider may have acted on it).
    static REQUEST_LEFT: Cell<bool> = const { Cell::new(false) };
}

/// The last link of the connector chain: wraps every connection (plain or TLS, new or pooled)
/// so that writing the request marks [`REQUEST_LEFT`]. The TLS handshake happens inside the
/// chain, below this wrapper, so it does not count as the request leaving.
#[derive(Debug)]
struct MarkRequestWrites;

impl<In: Transport> Connector<In> for MarkRequestWrites {
    type Out = MarkedTransport<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(MarkedTransport))
    }
}

#[derive(Debug)]
struct MarkedTransport<T>(T);

impl<T: Transport> Transport for MarkedTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.0.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if amount > 0 {
            // Before the write: a write that fails half-way may still have delivered the request.
            REQUEST_LEFT.with(|c| c.set(true));
        }
        self.0.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.0.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.0.is_open()
    }

    fn is_tls(&self) -> bool {
        self.0.is_tls()
    }
}

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
        let connector = DefaultConnector::new().chain(MarkRequestWrites);
        HttpClient {
            agent: ureq::Agent::with_parts(config, connector, DefaultResolver::default()),
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
            ProviderError::Config(problem) => {
                ProviderError::Config(problem.scrubbed(|t| self.scrub(t)))
            }
            ProviderError::Transient {
                reason,
                retry_after,
            } => ProviderError::Transient {
                reason: reason.scrubbed(|t| self.scrub(t)),
                retry_after,
            },
            ProviderError::Ambiguous { reason } => ProviderError::Ambiguous {
                reason: reason.scrubbed(|t| self.scrub(t)),
            },
        }
    }

    pub fn get(&self, url: &str, headers: &[(&str, String)]) -> Result<HttpAnswer, ProviderError> {
        let mut req = self.agent.get(url);
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        self.finish(url, || req.call())
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
        self.post(url, headers, "application/x-www-form-urlencoded", body)
    }

    /// POST with a JSON body, sent exactly as given (OVH signs the body bytes).
    pub fn post_json(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> Result<HttpAnswer, ProviderError> {
        self.post(url, headers, "application/json", body)
    }

    fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        content_type: &str,
        body: impl ureq::AsSendBody,
    ) -> Result<HttpAnswer, ProviderError> {
        let mut req = self.agent.post(url).header("Content-Type", content_type);
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        self.finish(url, || req.send(body))
    }

    /// A JSON answer, read while doing `what`; one that does not parse is a transient error
    /// quoting its beginning, secrets scrubbed.
    pub fn json(
        &self,
        answer: &HttpAnswer,
        what: super::Activity,
    ) -> Result<serde_json::Value, ProviderError> {
        serde_json::from_str(&answer.body).map_err(|_| ProviderError::Transient {
            reason: ProviderProblem::UnreadableWhile {
                provider: self.provider.to_string(),
                activity: what,
                status: answer.status,
                body: self.scrub(&excerpt(&answer.body)),
            },
            retry_after: None,
        })
    }

    /// Runs one exchange and reads the whole answer. Every failure says whether the request
    /// may have reached the provider: [`ProviderError::Ambiguous`] once a byte of it left (or a
    /// success status came with a body that could not be read), otherwise an error that is safe
    /// to retry or a configuration error.
    fn finish(
        &self,
        url: &str,
        call: impl FnOnce() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<HttpAnswer, ProviderError> {
        REQUEST_LEFT.with(|c| c.set(false));
        let result = call();
        let left = REQUEST_LEFT.with(|c| c.get());
        let mut response = result.map_err(|e| self.transport_error(url, e, left))?;
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
            .map_err(|e| self.unreadable_body(url, status, retry_after, e))?;
        Ok(HttpAnswer {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            retry_after,
        })
    }

    /// The status line came, the body did not (cut, stalled, bad chunking, too long). After a
    /// success status the provider may hold the message; any other status refused it.
    fn unreadable_body(
        &self,
        url: &str,
        status: u16,
        retry_after: Option<Duration>,
        e: ureq::Error,
    ) -> ProviderError {
        let host = host_of(url);
        let provider = self.provider.to_string();
        let error = self.scrub(&e.to_string());
        if (200..300).contains(&status) {
            ProviderError::Ambiguous {
                reason: ProviderProblem::AnswerUnreadable {
                    provider,
                    host,
                    status,
                    error,
                },
            }
        } else {
            ProviderError::Transient {
                reason: ProviderProblem::BodyUnreadable {
                    provider,
                    host,
                    status,
                    error,
                },
                retry_after,
            }
        }
    }

    /// Turns a network failure into an error a user understands, naming the host but never the
    /// query string (Kannel carries the password there). `left`: whether a byte of the request
    /// had been handed to the connection when it failed.
    fn transport_error(&self, url: &str, e: ureq::Error, left: bool) -> ProviderError {
        let host = host_of(url);
        let provider = self.provider;
        let secs = Seconds(self.timeout.as_secs_f64());
        if left {
            // The provider may have received the request and acted on it: never retry blindly,
            // whatever broke afterwards (time-out, reset, close, garbage instead of HTTP).
            let (provider, host) = (provider.to_string(), host);
            let reason = match &e {
                e if timed_out(e) => ProviderProblem::NoAnswerWithin {
                    provider,
                    host,
                    secs,
                },
                ureq::Error::Io(io)
                    if matches!(
                        io.kind(),
                        std::io::ErrorKind::ConnectionReset
                            | std::io::ErrorKind::ConnectionAborted
                            | std::io::ErrorKind::BrokenPipe
                            | std::io::ErrorKind::UnexpectedEof
                    ) =>
                {
                    ProviderProblem::Dropped {
                        provider,
                        host,
                        error: io.to_string(),
                    }
                }
                other => ProviderProblem::NoReadableAnswer {
                    provider,
                    host,
                    error: other.to_string(),
                },
            };
            return ProviderError::Ambiguous {
                reason: reason.scrubbed(|t| self.scrub(t)),
            };
        }
        // Nothing of the request left: whatever happened, the provider cannot have it.
        match e {
            ureq::Error::Timeout(_) => ProviderError::Transient {
                reason: ProviderProblem::Unreachable {
                    provider: provider.to_string(),
                    host,
                    secs,
                },
                retry_after: None,
            },
            ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::RequireHttpsOnly(_) => {
                ProviderError::Config(ConfigProblem::BadAddress {
                    provider: provider.to_string(),
                    host,
                })
            }
            ureq::Error::HostNotFound => ProviderError::Transient {
                reason: ProviderProblem::CannotResolve {
                    provider: provider.to_string(),
                    host,
                },
                retry_after: None,
            },
            ureq::Error::ConnectionFailed => ProviderError::Transient {
                reason: ProviderProblem::CannotConnect {
                    provider: provider.to_string(),
                    host,
                },
                retry_after: None,
            },
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                ProviderError::Transient {
                    reason: ProviderProblem::ConnectionRefused {
                        provider: provider.to_string(),
                        host,
                    },
                    retry_after: None,
                }
            }
            other => ProviderError::Transient {
                reason: ProviderProblem::ConnectFailed {
                    provider: provider.to_string(),
                    host,
                    error: self.scrub(&other.to_string()),
                },
                retry_after: None,
            },
        }
    }
}

/// What a status says by itself about a submission, the same for every provider; `None` when
/// the provider's own answer must be read (2xx, and the 4xx it documents). `provider` names it
/// in the reason; the caller scrubs secrets.
///
/// * 408, 425, 429, 500–503, 505…: the provider says it did not take the message; retried,
///   after its `Retry-After` when it gives one.
/// * 504: a gateway in front of the provider gave up waiting for it, exactly like our own
///   time-out: the provider may have the message.
/// * 3xx: redirections are never followed (they could carry credentials elsewhere), so the
///   address in the settings is not the API's own.
pub fn submission_status(provider: &str, answer: &HttpAnswer) -> Option<ProviderError> {
    let status = answer.status;
    let text = excerpt(&answer.body);
    match status {
        504 => Some(ProviderError::Ambiguous {
            reason: ProviderProblem::GatewayTimeout {
                provider: provider.to_string(),
                body: text,
            },
        }),
        408 | 425 | 429 | 500..=599 => Some(ProviderError::Transient {
            reason: ProviderProblem::Unavailable {
                provider: provider.to_string(),
                status,
                body: text,
            },
            retry_after: answer.retry_after,
        }),
        300..=399 => Some(ProviderError::Config(ConfigProblem::Redirected {
            provider: provider.to_string(),
            status,
        })),
        _ => None,
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

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3: IMF-fixdate, or the obsolete
/// RFC 850 and asctime forms), capped at [`MAX_RETRY_AFTER`]. A date in the past means "now";
/// a negative or unreadable value is ignored (the usual back-off applies).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    parse_retry_after_at(v, chrono::Utc::now())
}

/// [`parse_retry_after`] against a given "now" (the date form is relative to it).
pub fn parse_retry_after_at(v: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still "a very long time".
        let secs = v.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v)
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            let naive = v.trim_end_matches(" GMT").trim_end_matches(" UTC");
            ["%A, %d-%b-%y %H:%M:%S", "%a %b %e %H:%M:%S %Y"]
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(naive, f).ok())
                .map(|t| t.and_utc())
        })?;
    Some(
        (at - now)
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
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

/// ureq's own time-out, or the socket's (a read that waited too long).
fn timed_out(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ),
        _ => false,
    }
}

/// [`url_decode_bytes`] read as UTF-8 (invalid sequences become U+FFFD).
pub fn url_decode(s: &str) -> String {
    String::from_utf8_lossy(&url_decode_bytes(s)).into_owned()
}

/// Splits `a=1&b=2` into decoded pairs, in order; a key without `=` gets an empty value.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    split_query(query, url_decode)
}

/// Same as [`parse_query`] but keeps the raw value bytes, for texts whose charset is not UTF-8.
pub fn parse_query_raw(query: &str) -> Vec<(String, Vec<u8>)> {
    split_query(query, url_decode_bytes)
}

/// The pairs of a query, keys decoded as text and values by `value`.
fn split_query<V: Default>(query: &str, value: fn(&str) -> V) -> Vec<(String, V)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (url_decode(k), value(v)),
            None => (url_decode(p), V::default()),
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
        assert_eq!(parse_retry_after("-5"), None);
        assert_eq!(parse_retry_after("1.5"), None);
        assert_eq!(parse_retry_after("86400"), Some(MAX_RETRY_AFTER));
        assert_eq!(
            parse_retry_after("99999999999999999999999"),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn retry_after_dates_in_every_http_form() {
        let now = chrono::DateTime::parse_from_rfc3339("1994-11-06T08:47:37Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let two_minutes = Some(Duration::from_secs(120));
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_retry_after_at(form, now), two_minutes, "{form}");
        }
        assert_eq!(
            parse_retry_after_at("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(
            parse_retry_after_at("Sat, 06 Nov 2094 08:00:00 GMT", now),
            Some(MAX_RETRY_AFTER)
        );
    }
}
