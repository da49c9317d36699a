//! Faulty provider answers, end to end: messages go through the real scheduler to the real
//! Kannel, Twilio and OVH clients, which talk to a loopback server that misbehaves on purpose
//! (cut or broken bodies, a close or a reset instead of an answer, stalls, throttling, outages).
//!
//! The promise checked: a request that may have reached the provider and got no usable answer
//! leaves its message "unknown — check", submitted exactly once however far the clock moves;
//! only answers proving nothing was taken (429, 5xx, connection refused) are retried, after the
//! provider's `Retry-After` when it gives one.

mod support;

use chrono::{DateTime, Duration, Utc};
use smsdesk::gateway::{
    self, KannelConfig, OvhConfig, Provider, ProviderConfig, ProviderError, TwilioConfig,
};
use smsdesk::scheduler::{self, Options};
use smsdesk::sms::status::MessageStatus;
use smsdesk::store::messages;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use support::{Misbehave, RawServer, Recorded, dead_address};

/// The clients' HTTP time-out in these tests (the real one is 10 s): short, but long enough
/// for a plain loopback answer on a busy machine.
const CLIENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);
/// How long a stalling server keeps quiet: well past the client's time-out.
const STALL: std::time::Duration = std::time::Duration::from_secs(6);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Kannel,
    Twilio,
    Ovh,
}

/// What the server does to the first submission of one message (later ones are accepted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// Success status, body shorter than its `Content-Length`, then close.
    CutBody,
    /// Success status, chunked body cut in the middle of a chunk.
    CutChunked,
    /// Success status, "chunked" body that is not chunked data.
    BadChunked,
    /// 200 with an HTML page.
    HtmlPage,
    /// The provider's success status with an empty body.
    EmptySuccess,
    /// The provider's success status, well-formed, without its message id (Kannel: without
    /// saying it took the message).
    SuccessWithoutId,
    /// Connection closed right after the request was read.
    CloseAfterRequest,
    /// Connection reset right after the request was read.
    ResetAfterRequest,
    /// Not a byte of answer for longer than the client waits.
    StallBeforeAnswer,
    /// Success status and headers, then silence in the middle of the body.
    StallInBody,
    /// 504 from a gateway that gave up waiting for the provider.
    GatewayTimeout,
    /// 429 with `Retry-After: 120`.
    TooManyRetryAfter,
    /// 429 without `Retry-After`.
    TooManyBare,
    /// 429 with `Retry-After: -5` (nonsense: ignored).
    TooManyNegative,
    /// 503 with `Retry-After` as an HTTP date 5 minutes ahead.
    UnavailableUntilDate,
    /// 503 with `Retry-After` as an HTTP date in the past.
    UnavailablePastDate,
    /// 503 with `Retry-After` of about three years.
    UnavailableForYears,
    /// 500.
    ServerError,
}

use Fault::*;

const FAULTS: [Fault; 18] = [
    CutBody,
    CutChunked,
    BadChunked,
    HtmlPage,
    EmptySuccess,
    SuccessWithoutId,
    CloseAfterRequest,
    ResetAfterRequest,
    StallBeforeAnswer,
    StallInBody,
    GatewayTimeout,
    TooManyRetryAfter,
    TooManyBare,
    TooManyNegative,
    UnavailableUntilDate,
    UnavailablePastDate,
    UnavailableForYears,
    ServerError,
];

/// What a user must see after the first answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// "unknown — check", never sent again by itself.
    Unknown,
    /// Still queued, next attempt this many seconds later (a range for date-based answers).
    RetryAfter(i64, i64),
}

fn expected(f: Fault) -> Expect {
    match f {
        CutBody | CutChunked | BadChunked | HtmlPage | EmptySuccess | SuccessWithoutId
        | CloseAfterRequest | ResetAfterRequest | StallBeforeAnswer | StallInBody
        | GatewayTimeout => Expect::Unknown,
        TooManyRetryAfter => Expect::RetryAfter(120, 120),
        // No usable hint: the scheduler's first back-off step.
        TooManyBare | TooManyNegative | UnavailablePastDate | ServerError => {
            Expect::RetryAfter(30, 30)
        }
        // The date is read against the real clock, a moment after the server wrote it.
        UnavailableUntilDate => Expect::RetryAfter(290, 300),
        // Capped at one hour.
        UnavailableForYears => Expect::RetryAfter(3600, 3600),
    }
}

/// The recipient whose messages get fault `i`: `+336123456` and two digits.
fn number(i: usize) -> String {
    format!("+336123456{:02}", 10 + i)
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The provider's success status and accepted answer, and the same status without an id.
fn success(kind: Kind) -> (u16, &'static str, &'static str) {
    match kind {
        Kind::Kannel => (202, "0: Accepted for delivery", "Accepted"),
        Kind::Twilio => (
            201,
            r#"{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}"#,
            r#"{"status": "queued", "to": "+33612345610"}"#,
        ),
        Kind::Ovh => (
            200,
            r#"{"ids": [987654321], "invalidReceivers": [], "totalCreditsRemoved": 1, "validReceivers": ["+33612345610"]}"#,
            r#"{"totalCreditsRemoved": 1, "invalidReceivers": []}"#,
        ),
    }
}

fn misbehave(kind: Kind, fault: Fault) -> Misbehave {
    let (ok, body, without_id) = success(kind);
    match fault {
        CutBody => Misbehave::cut_body(ok, body),
        CutChunked => Misbehave::cut_chunked(ok, body),
        BadChunked => Misbehave::bad_chunked(ok),
        HtmlPage => Misbehave::answer(
            200,
            &[("Content-Type", "text/html")],
            "<html><body><h1>Welcome to nginx!</h1></body></html>",
        ),
        EmptySuccess => Misbehave::answer(ok, &[], ""),
        SuccessWithoutId => Misbehave::answer(ok, &[], without_id),
        CloseAfterRequest => Misbehave::Close,
        ResetAfterRequest => Misbehave::Reset,
        StallBeforeAnswer => Misbehave::StallAfter(Vec::new(), STALL),
        StallInBody => Misbehave::stall_in_body(ok, STALL),
        GatewayTimeout => Misbehave::answer(504, &[], "<html>504 Gateway Time-out</html>"),
        TooManyRetryAfter => Misbehave::answer(429, &[("Retry-After", "120")], "slow down"),
        TooManyBare => Misbehave::answer(429, &[], "slow down"),
        TooManyNegative => Misbehave::answer(429, &[("Retry-After", "-5")], "slow down"),
        UnavailableUntilDate => Misbehave::answer(
            503,
            &[(
                "Retry-After",
                &http_date(Utc::now() + Duration::seconds(300)),
            )],
            "maintenance",
        ),
        UnavailablePastDate => Misbehave::answer(
            503,
            &[("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")],
            "maintenance",
        ),
        UnavailableForYears => {
            Misbehave::answer(503, &[("Retry-After", "100000000")], "maintenance")
        }
        ServerError => Misbehave::answer(500, &[], "Internal Server Error"),
    }
}

/// The recipient of a submission, or `None` for any other request (clock, status, balance…).
fn submitted_to(kind: Kind, r: &Recorded) -> Option<String> {
    match kind {
        Kind::Kannel if r.path() == "/cgi-bin/sendsms" => r.query_value("to"),
        Kind::Twilio if r.method == "POST" && r.path().ends_with("/Messages.json") => {
            r.form_value("To")
        }
        Kind::Ovh if r.method == "POST" && r.path().ends_with("/jobs") => {
            let v: serde_json::Value = serde_json::from_str(&r.body).ok()?;
            v["receivers"][0].as_str().map(str::to_string)
        }
        _ => None,
    }
}

/// A provider that misbehaves on the first submission of each message as its number says,
/// accepts every later one, and answers everything else plainly.
fn provider_server(kind: Kind) -> RawServer {
    let attempts: Mutex<HashMap<String, usize>> = Mutex::new(HashMap::new());
    RawServer::start(move |r| {
        let Some(to) = submitted_to(kind, r) else {
            if r.path().ends_with("/auth/time") {
                return Misbehave::answer(200, &[], &Utc::now().timestamp().to_string());
            }
            return Misbehave::answer(404, &[], "{}");
        };
        let n = {
            let mut a = attempts.lock().unwrap();
            let n = a.entry(to.clone()).or_default();
            *n += 1;
            *n
        };
        let fault = (0..FAULTS.len()).find(|i| number(*i) == to);
        match fault {
            Some(i) if n == 1 => misbehave(kind, FAULTS[i]),
            _ => {
                let (ok, body, _) = success(kind);
                Misbehave::answer(ok, &[], body)
            }
        }
    })
}

fn config(kind: Kind, base: &str) -> ProviderConfig {
    match kind {
        Kind::Kannel => ProviderConfig::Kannel(KannelConfig {
            sendsms_url: format!("{base}/cgi-bin/sendsms"),
            username: "tester".into(),
            password: "pa+ss".into(),
            callback_listen: "127.0.0.1:0".into(),
            callback_url: String::new(),
            callback_secret: String::new(),
        }),
        Kind::Twilio => ProviderConfig::Twilio(TwilioConfig {
            account_sid: "AC0123456789abcdef0123456789abcdef".into(),
            auth_token: "tok3n".into(),
            from: "MAIRIE".into(),
            reply_number: String::new(),
            base_url: base.into(),
        }),
        Kind::Ovh => ProviderConfig::Ovh(OvhConfig {
            endpoint: base.into(),
            application_key: "AK".into(),
            application_secret: "AS".into(),
            consumer_key: "CK".into(),
            service_name: "sms-ab12345-1".into(),
        }),
    }
}

fn build(kind: Kind, base: &str) -> Arc<dyn Provider> {
    Arc::from(gateway::build_with_timeout(&config(kind, base), CLIENT_TIMEOUT).unwrap())
}

/// The store, its administrator and the clock of one test.
type Fixture = support::engine::Bench;

/// A store with the window open, 1,000 credits, no grace period; the clock stands still on
/// Tuesday 10 March 2026, 10:00 in Paris, until a test moves it.
fn fixture() -> Fixture {
    support::engine::bench("08:00-20:00", &[("max_in_flight", "8")]).with_thousand_credits()
}

impl Fixture {
    fn run(&self, provider: Arc<dyn Provider>) -> scheduler::Handle {
        let mut o = Options::new(self.db.clone(), self.clock.clone());
        o.holder = "faults".into();
        o.provider = Some(provider);
        scheduler::spawn(o, None)
    }

    fn status(&self, id: i64) -> MessageStatus {
        messages::status_of(self.store.db(), id).unwrap()
    }

    /// `(attempts, next_attempt_at, wait_reason)`.
    fn attempt(&self, id: i64) -> (i64, Option<i64>, String) {
        self.store
            .conn()
            .query_row(
                "SELECT attempts, next_attempt_at, COALESCE(wait_reason, '') FROM messages WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    }

    fn charged(&self, id: i64) -> i64 {
        support::engine::charged(&self.store, id)
    }
}

/// Waiting on the scheduler: 40 s at most for something to happen, 15 passes to see that
/// something does not.
const WAITS: support::engine::Waits = support::engine::Waits::new(40, 25, 15, 40);

fn submissions(kind: Kind, server: &RawServer, to: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| submitted_to(kind, r).as_deref() == Some(to))
        .count()
}

/// Queues one message per fault, runs the scheduler, then walks the clock forward: every
/// ambiguous answer leaves its message unknown with one submission, every "try later" is
/// retried once its `Retry-After` (or back-off) is over, and not before.
fn faults_through_the_scheduler(kind: Kind) {
    let server = provider_server(kind);
    let mut f = fixture();
    let ids: Vec<(Fault, String, i64)> = FAULTS
        .iter()
        .enumerate()
        .map(|(i, fault)| {
            let to = number(i);
            let id = f.send_now(&to);
            (*fault, to, id)
        })
        .collect();
    let h = f.run(build(kind, &server.base));
    WAITS.eventually(&h, "a first answer for every message", || {
        ids.iter().all(|(_, _, id)| {
            let (attempts, _, reason) = f.attempt(*id);
            let status = f.status(*id);
            attempts >= 1
                && (!matches!(status, MessageStatus::Sending | MessageStatus::Pending)
                    || reason == "provider")
        })
    });
    WAITS.settle(&h);

    let t0 = f.start.timestamp();
    let mut wrong = Vec::new();
    for (fault, to, id) in &ids {
        let sent = submissions(kind, &server, to);
        let status = f.status(*id);
        let (_, next, reason) = f.attempt(*id);
        let ok = match expected(*fault) {
            Expect::Unknown => status == MessageStatus::Unknown,
            Expect::RetryAfter(lo, hi) => {
                status == MessageStatus::Pending
                    && reason == "provider"
                    && next.is_some_and(|n| (t0 + lo..=t0 + hi).contains(&n))
            }
        };
        if !ok || sent != 1 {
            wrong.push(format!(
                "{kind:?} {fault:?}: expected {:?} after 1 submission, got {status:?} after {sent} (next attempt {:?} s after the answer, wait reason {reason:?})",
                expected(*fault),
                next.map(|n| n - t0),
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));

    // 31 s later: the 30-s back-offs have left again (accepted now), nothing else has.
    f.clock.advance(Duration::seconds(31));
    let due = |fault: Fault, elapsed: i64| matches!(expected(fault), Expect::RetryAfter(_, hi) if hi <= elapsed);
    WAITS.eventually(&h, "the 30-second retries", || {
        ids.iter()
            .filter(|(fault, _, _)| due(*fault, 31))
            .all(|(_, _, id)| f.status(*id) == MessageStatus::Submitted)
    });
    WAITS.settle(&h);
    for (fault, to, id) in &ids {
        let want = if due(*fault, 31) { 2 } else { 1 };
        assert_eq!(
            submissions(kind, &server, to),
            want,
            "{kind:?} {fault:?} 31 s after its first answer ({:?})",
            f.status(*id)
        );
    }

    // Two hours later: every retry has gone through once more; the unknown ones never left again.
    f.clock.advance(Duration::hours(2));
    WAITS.eventually(&h, "every retry", || {
        ids.iter()
            .filter(|(fault, _, _)| expected(*fault) != Expect::Unknown)
            .all(|(_, _, id)| f.status(*id) == MessageStatus::Submitted)
    });
    WAITS.settle(&h);
    h.stop().unwrap();
    for (fault, to, id) in &ids {
        let (want, status) = match expected(*fault) {
            Expect::Unknown => (1, MessageStatus::Unknown),
            Expect::RetryAfter(..) => (2, MessageStatus::Submitted),
        };
        assert_eq!(
            (submissions(kind, &server, to), f.status(*id)),
            (want, status),
            "{kind:?} {fault:?} two hours later"
        );
        if status == MessageStatus::Submitted {
            assert_eq!(f.charged(*id), 1, "{kind:?} {fault:?} charged once");
        }
    }
}

#[test]
fn kannel_faults_never_lead_to_a_blind_resend() {
    faults_through_the_scheduler(Kind::Kannel);
}

#[test]
fn twilio_faults_never_lead_to_a_blind_resend() {
    faults_through_the_scheduler(Kind::Twilio);
}

#[test]
fn ovh_faults_never_lead_to_a_blind_resend() {
    faults_through_the_scheduler(Kind::Ovh);
}

/// The other side of the rule: when nothing can have left (no server listening), it is an
/// ordinary "try later", not an "unknown — check", for every provider.
#[test]
fn a_provider_nobody_answers_at_is_retried_not_unknown() {
    for kind in [Kind::Kannel, Kind::Twilio, Kind::Ovh] {
        let base = dead_address();
        let provider = build(kind, &base);
        let sms = gateway::OutgoingSms {
            reference: "m1".into(),
            to_e164: number(0),
            from: "MAIRIE".into(),
            text: "x".into(),
            ucs2: false,
            segments: 1,
            expects_reply: false,
        };
        let res = provider.submit(&sms);
        assert!(
            matches!(res, Err(ProviderError::Transient { .. })),
            "{kind:?}: {res:?}"
        );
    }
}
