//! OVH against a fake SMS API on 127.0.0.1 that recomputes every request signature, runs its
//! clock one hour ahead of ours (so `/auth/time` must be used), and injects faults.

mod support;

use chrono::{TimeZone, Utc};
use serde_json::Value;
use smsdesk::gateway::ovh::Ovh;
use smsdesk::gateway::{
    Lookup, OutgoingSms, OvhConfig, PendingStatus, Provider, ProviderConfig, ProviderError,
    ReportedStatus, SubmitOutcome,
};
use std::sync::Arc;
use std::time::Duration;
use support::{FakeServer, Recorded, Reply, dead_address, sha1_hex, timed};

const AK: &str = "akPublic7F3q";
const AS: &str = "asSecretZ9x2LmN0";
const CK: &str = "ckSecretQ4w8Rt6Y";
const SERVICE: &str = "sms-ab12345-1";
/// The fake OVH clock runs this far ahead of ours.
const SKEW: i64 = 3600;

fn cfg(endpoint: &str, secret: &str) -> OvhConfig {
    OvhConfig {
        endpoint: endpoint.into(),
        application_key: AK.into(),
        application_secret: secret.into(),
        consumer_key: CK.into(),
        service_name: SERVICE.into(),
    }
}

fn client(server: &FakeServer) -> Ovh {
    client_with(&format!("{}/1.0", server.base), AS, Duration::from_secs(2))
}

fn client_with(endpoint: &str, secret: &str, timeout: Duration) -> Ovh {
    Ovh::new(&cfg(endpoint, secret), timeout).expect("valid config")
}

fn sms(to: &str) -> OutgoingSms {
    OutgoingSms {
        reference: "m1".into(),
        to_e164: to.into(),
        from: "MAIRIE".into(),
        text: "Rappel : atelier CV jeudi 14h, salle 2 + café".into(),
        ucs2: false,
        segments: 1,
        expects_reply: false,
    }
}

fn svc(rest: &str) -> String {
    format!("/1.0/sms/{SERVICE}{rest}")
}

/// Checks the OVH authentication headers the way OVH does; `None` when they are right.
fn check_auth(base: &str, r: &Recorded) -> Option<Reply> {
    if r.header("X-Ovh-Application") != Some(AK) {
        return Some(Reply::json(
            403,
            r#"{"errorCode": "INVALID_KEY", "httpCode": "403 Forbidden", "message": "Invalid application key"}"#,
        ));
    }
    if r.header("X-Ovh-Consumer") != Some(CK) {
        return Some(Reply::json(
            403,
            r#"{"errorCode": "INVALID_CREDENTIAL", "httpCode": "403 Forbidden", "message": "This credential does not exist"}"#,
        ));
    }
    let ts: i64 = r.header("X-Ovh-Timestamp")?.parse().ok()?;
    let server_now = Utc::now().timestamp() + SKEW;
    if (ts - server_now).abs() > 30 {
        return Some(Reply::json(
            400,
            r#"{"errorCode": "QUERY_TIME_OUT", "httpCode": "400 Bad Request", "message": "Query out of time"}"#,
        ));
    }
    let expected = format!(
        "$1${}",
        sha1_hex(&format!(
            "{AS}+{CK}+{}+{base}{}+{}+{ts}",
            r.method, r.url, r.body
        ))
    );
    if r.header("X-Ovh-Signature") != Some(expected.as_str()) {
        return Some(Reply::json(
            400,
            r#"{"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request", "message": "Invalid signature"}"#,
        ));
    }
    None
}

/// A fake OVH: `/1.0/auth/time` (unsigned), then signed routes answered by `route`.
fn ovh(route: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> FakeServer {
    let route = Arc::new(route);
    let base = Arc::new(std::sync::Mutex::new(String::new()));
    let base2 = Arc::clone(&base);
    let server = FakeServer::start(move |r| {
        if r.path() == "/1.0/auth/time" {
            return Reply::json(200, (Utc::now().timestamp() + SKEW).to_string());
        }
        let base = base2.lock().unwrap().clone();
        if let Some(refusal) = check_auth(&base, r) {
            return refusal;
        }
        route(r)
    });
    *base.lock().unwrap() = server.base.clone();
    server
}

fn not_found() -> Reply {
    Reply::json(404, r#"{"message": "The requested object does not exist"}"#)
}

fn job_ok() -> Reply {
    Reply::json(
        200,
        r#"{"totalCreditsRemoved": 1, "invalidReceivers": [], "ids": [412345678], "validReceivers": ["+33612345678"], "tag": "m1"}"#,
    )
}

#[test]
fn submit_sends_a_signed_job() {
    let server = ovh(|r| {
        if r.method == "POST" && r.path() == svc("/jobs") {
            job_ok()
        } else {
            not_found()
        }
    });
    let o = client(&server);
    assert_eq!(
        o.submit(&sms("+33612345678")).unwrap(),
        SubmitOutcome::Accepted {
            provider_id: "412345678".into()
        }
    );
    let r = server.last();
    let body: Value = serde_json::from_str(&r.body).expect("JSON body");
    assert_eq!(
        body["message"],
        "Rappel : atelier CV jeudi 14h, salle 2 + café"
    );
    assert_eq!(body["receivers"], serde_json::json!(["+33612345678"]));
    assert_eq!(body["sender"], "MAIRIE");
    assert_ne!(body["senderForResponse"], true);
    assert_eq!(body["charset"], "UTF-8");
    assert_eq!(body["coding"], "7bit");
    // The text leaves exactly as smsdesk counted it: OVH adds no STOP line of its own.
    assert_eq!(body["noStopClause"], true);
    assert_eq!(body["tag"], "m1");
    // A second call reuses the clock difference.
    o.submit(&sms("+33612345678")).unwrap();
    let time_calls = server
        .requests()
        .iter()
        .filter(|r| r.path() == "/1.0/auth/time")
        .count();
    assert_eq!(time_calls, 1);
}

#[test]
fn unicode_and_reply_expected_messages() {
    let server = ovh(|_| job_ok());
    let mut m = sms("+33612345678");
    m.ucs2 = true;
    m.expects_reply = true;
    m.text = "Confirmez-vous ? Répondez OUI ✅".into();
    client(&server).submit(&m).unwrap();
    let body: Value = serde_json::from_str(&server.last().body).unwrap();
    assert_eq!(body["coding"], "8bit");
    assert_eq!(body["senderForResponse"], true);
    assert!(body.get("sender").is_none(), "{body}");
    assert_eq!(body["message"], "Confirmez-vous ? Répondez OUI ✅");
}

#[test]
fn invalid_receiver_is_rejected() {
    let server = ovh(|_| {
        Reply::json(
            200,
            r#"{"totalCreditsRemoved": 0, "invalidReceivers": ["+3361234"], "ids": [], "validReceivers": []}"#,
        )
    });
    match client(&server).submit(&sms("+3361234")).unwrap() {
        SubmitOutcome::Rejected { reason } => {
            assert!(reason.to_string().contains("+3361234"), "{reason}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn bad_request_is_rejected_but_a_bad_sender_is_configuration() {
    let server = ovh(|_| Reply::json(400, r#"{"message": "Message too long"}"#));
    assert!(matches!(
        client(&server).submit(&sms("+33612345678")),
        Ok(SubmitOutcome::Rejected { .. })
    ));
    let server = ovh(|_| Reply::json(400, r#"{"message": "Invalid sender MAIRIE"}"#));
    assert!(matches!(
        client(&server).submit(&sms("+33612345678")),
        Err(ProviderError::Config(_))
    ));
}

#[test]
fn wrong_secret_gives_a_configuration_error_without_secrets() {
    let server = ovh(|_| job_ok());
    let wrong = "asWrongSecret000";
    let o = client_with(
        &format!("{}/1.0", server.base),
        wrong,
        Duration::from_secs(2),
    );
    let err = o.submit(&sms("+33612345678")).unwrap_err();
    let ProviderError::Config(problem) = &err else {
        panic!("expected Config, got {err:?}");
    };
    let msg = format!("{problem:?} {problem}");
    assert!(msg.to_lowercase().contains("signature"), "{msg}");
    for text in [err.to_string(), format!("{err:?}"), format!("{o:?}")] {
        for secret in [wrong, AS, CK] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}

#[test]
fn refused_keys_are_a_configuration_error() {
    let server = FakeServer::start(|r| {
        if r.path() == "/1.0/auth/time" {
            Reply::json(200, (Utc::now().timestamp() + SKEW).to_string())
        } else {
            Reply::json(
                403,
                r#"{"errorCode": "INVALID_CREDENTIAL", "message": "This credential is not valid"}"#,
            )
        }
    });
    assert!(matches!(
        client(&server).submit(&sms("+33612345678")),
        Err(ProviderError::Config(_))
    ));
    assert!(matches!(
        client(&server).balance(),
        Err(ProviderError::Config(_))
    ));
}

#[test]
fn throttling_honours_retry_after() {
    let server = ovh(|_| {
        Reply::json(429, r#"{"message": "Too many requests"}"#).header("Retry-After", "12")
    });
    match client(&server).submit(&sms("+33612345678")) {
        Err(ProviderError::Transient { retry_after, .. }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(12)))
        }
        other => panic!("expected transient, got {other:?}"),
    }
}

#[test]
fn server_errors_are_transient_and_unreadable_successes_ambiguous() {
    let errors: Vec<fn() -> Reply> = vec![|| Reply::new(500, "Internal Server Error"), || {
        Reply::new(503, "<html>maintenance</html>")
    }];
    for make in errors {
        let server = ovh(move |_| make());
        let res = client(&server).submit(&sms("+33612345678"));
        assert!(
            matches!(res, Err(ProviderError::Transient { .. })),
            "{res:?}"
        );
    }
    // A 2xx may mean the job exists: never "retry", let the lookup by tag tell.
    let successes: Vec<fn() -> Reply> = vec![|| Reply::new(200, "<html>not json</html>"), || {
        Reply::json(200, r#"{"ids": [], "invalidReceivers": []}"#)
    }];
    for make in successes {
        let server = ovh(move |_| make());
        let res = client(&server).submit(&sms("+33612345678"));
        assert!(
            matches!(res, Err(ProviderError::Ambiguous { .. })),
            "{res:?}"
        );
    }
}

#[test]
fn unreachable_clock_is_transient() {
    let server = FakeServer::start(|_| Reply::new(502, "Bad Gateway"));
    assert!(matches!(
        client(&server).submit(&sms("+33612345678")),
        Err(ProviderError::Transient { .. })
    ));
}

#[test]
fn slow_answer_times_out_as_ambiguous() {
    let server = ovh(|_| job_ok().delayed(Duration::from_secs(3)));
    let o = client_with(
        &format!("{}/1.0", server.base),
        AS,
        Duration::from_millis(400),
    );
    let (res, took) = timed(|| o.submit(&sms("+33612345678")));
    assert!(
        matches!(res, Err(ProviderError::Ambiguous { .. })),
        "{res:?}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn thirty_second_stall_ends_within_the_client_timeout() {
    let server = ovh(|_| job_ok().stalled(Duration::from_secs(30)));
    let o = client_with(
        &format!("{}/1.0", server.base),
        AS,
        Duration::from_millis(500),
    );
    let (res, took) = timed(|| o.submit(&sms("+33612345678")));
    assert!(
        matches!(res, Err(ProviderError::Ambiguous { .. })),
        "{res:?}"
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn connection_refused_is_transient() {
    let o = client_with(
        &format!("{}/1.0", dead_address()),
        AS,
        Duration::from_secs(1),
    );
    assert!(matches!(
        o.submit(&sms("+33612345678")),
        Err(ProviderError::Transient { .. })
    ));
}

#[test]
fn statuses_follow_the_delivery_receipt() {
    let server = ovh(|r| {
        let dr = match r.path().rsplit('/').next() {
            Some("101") => 1,
            Some("102") => 2,
            Some("103") => 16,
            Some("104") => 8,
            Some("105") => 4,
            _ => return not_found(),
        };
        Reply::json(
            200,
            format!(
                r#"{{"id": 1, "deliveryReceipt": {dr}, "ptt": 13, "receiver": "+33612345678", "tag": "m1", "creationDatetime": "2026-03-02T10:00:00+01:00", "sentAt": "2026-03-02T10:00:01+01:00"}}"#
            ),
        )
    });
    let ids = ["101", "102", "103", "104", "105", "106"];
    let pending: Vec<PendingStatus> = ids
        .iter()
        .map(|id| PendingStatus {
            reference: format!("m{id}"),
            provider_id: id.to_string(),
            to_e164: "+33612345678".into(),
            submitted_at: Utc::now(),
        })
        .collect();
    let reports = client(&server).poll_statuses(&pending).unwrap();
    let got: Vec<ReportedStatus> = reports.iter().map(|r| r.status).collect();
    assert_eq!(
        got,
        [
            ReportedStatus::Delivered,
            ReportedStatus::NotDelivered,
            ReportedStatus::Failed,
            ReportedStatus::InTransit,
            ReportedStatus::InTransit,
            // Not in outgoing yet: still a job.
            ReportedStatus::InTransit,
        ]
    );
    assert!(
        reports[0].detail.contains("ptt 13"),
        "{}",
        reports[0].detail
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path() == svc("/outgoing/101") && r.method == "GET")
    );
}

#[test]
fn replies_are_read_one_by_one() {
    let server = ovh(|r| match r.path() {
        p if p == svc("/incoming") => Reply::json(200, "[9001, 9002]"),
        p if p == svc("/incoming/9001") => Reply::json(
            200,
            r#"{"id": 9001, "sender": "+33612345678", "message": "OUI", "creationDatetime": "2026-03-02T11:00:00+01:00", "credits": 0, "tag": ""}"#,
        ),
        p if p == svc("/incoming/9002") => Reply::json(
            200,
            r#"{"id": 9002, "sender": "+262692123456", "message": "Non, je serai absent", "creationDatetime": "2026-03-02T12:30:00+01:00", "credits": 0, "tag": ""}"#,
        ),
        _ => not_found(),
    });
    let since = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
    let replies = client(&server).fetch_replies(since).unwrap();
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0].provider_id, "9001");
    assert_eq!(replies[0].from_e164, "+33612345678");
    assert_eq!(replies[0].text, "OUI");
    assert_eq!(
        replies[0].received_at,
        Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
    );
    assert_eq!(replies[1].text, "Non, je serai absent");
    let list = server
        .requests()
        .into_iter()
        .find(|r| r.path() == svc("/incoming"))
        .unwrap();
    assert_eq!(
        list.query_value("creationDatetime.from").as_deref(),
        Some("2026-03-02T08:00:00Z")
    );
}

#[test]
fn lookup_by_reference_tag_then_pending_jobs() {
    let server = ovh(|r| {
        let p = r.path();
        if p == svc("/outgoing") {
            match r.query_value("tag").as_deref() {
                Some("m77") => Reply::json(200, "[555]"),
                _ => Reply::json(200, "[]"),
            }
        } else if p == svc("/outgoing/555") {
            Reply::json(
                200,
                r#"{"id": 555, "deliveryReceipt": 1, "ptt": 13, "tag": "m77"}"#,
            )
        } else if p == svc("/jobs") {
            Reply::json(200, "[701, 702]")
        } else if p == svc("/jobs/701") {
            Reply::json(
                200,
                r#"{"id": 701, "receiver": "+33611111111", "message": "a"}"#,
            )
        } else if p == svc("/jobs/702") {
            Reply::json(
                200,
                r#"{"id": 702, "receiver": "+33622222222", "message": "b"}"#,
            )
        } else {
            not_found()
        }
    });
    let o = client(&server);
    assert_eq!(
        o.lookup("m77", "+33612345678").unwrap(),
        Lookup::Found {
            provider_id: "555".into(),
            status: ReportedStatus::Delivered
        }
    );
    // Not sent yet but queued as a job to the same number: found, so it is not sent twice.
    assert_eq!(
        o.lookup("m79", "+33622222222").unwrap(),
        Lookup::Found {
            provider_id: "702".into(),
            status: ReportedStatus::InTransit
        }
    );
    assert_eq!(o.lookup("m78", "+33612345678").unwrap(), Lookup::NotFound);
}

#[test]
fn balance_is_in_units() {
    let server = ovh(|r| {
        if r.path() == svc("") {
            Reply::json(
                200,
                format!(r#"{{"name": "{SERVICE}", "creditsLeft": 42.5, "status": "enable"}}"#),
            )
        } else {
            not_found()
        }
    });
    let b = client(&server).balance().unwrap().unwrap();
    assert_eq!(b.units, Some(42.5));
    assert_eq!(b.money, None);
}

#[test]
fn debug_and_config_never_show_keys() {
    let c = cfg("https://eu.api.ovh.com/1.0", AS);
    let o = Ovh::new(&c, Duration::from_secs(1)).unwrap();
    let provider = ProviderConfig::Ovh(c.clone());
    for text in [format!("{o:?}"), format!("{c:?}"), format!("{provider:?}")] {
        assert!(!text.contains(AS) && !text.contains(CK), "{text}");
    }
    assert_eq!(
        smsdesk::gateway::build(&provider).unwrap().kind(),
        smsdesk::gateway::ProviderKind::Ovh
    );
}
