//! Twilio against a fake Messages API on 127.0.0.1 that checks basic auth for real, with
//! faults injected.

mod support;

use base64::Engine;
use chrono::{TimeZone, Utc};
use smsdesk::gateway::twilio::Twilio;
use smsdesk::gateway::{
    Lookup, OutgoingSms, PendingStatus, Provider, ProviderConfig, ProviderError, ReportedStatus,
    SubmitOutcome, TwilioConfig,
};
use std::sync::Arc;
use std::time::Duration;
use support::{FakeServer, Recorded, Reply, dead_address, timed};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "s3cr3t-t0ken-xyz";

fn cfg(base: &str, token: &str, from: &str, reply: &str) -> TwilioConfig {
    TwilioConfig {
        account_sid: SID.into(),
        auth_token: token.into(),
        from: from.into(),
        reply_number: reply.into(),
        base_url: base.into(),
    }
}

fn client(base: &str) -> Twilio {
    client_with(base, TOKEN, Duration::from_secs(2))
}

fn client_with(base: &str, token: &str, timeout: Duration) -> Twilio {
    Twilio::new(&cfg(base, token, "SMSDESK", "+33644556677"), timeout).expect("valid config")
}

fn sms(to: &str) -> OutgoingSms {
    OutgoingSms {
        reference: "m1".into(),
        to_e164: to.into(),
        from: "SMSDESK".into(),
        text: "Bonjour Zoé, RDV lundi 10h & mardi + 5€ ?".into(),
        ucs2: false,
        segments: 1,
        expects_reply: false,
    }
}

fn authorized(r: &Recorded) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    );
    r.header("Authorization") == Some(expected.as_str())
}

fn unauthorized() -> Reply {
    Reply::json(
        401,
        r#"{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}"#,
    )
}

fn messages_path() -> String {
    format!("/2010-04-01/Accounts/{SID}/Messages.json")
}

/// A fake Twilio that checks auth then answers submissions with `on_submit`.
fn twilio(on_submit: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> FakeServer {
    let on_submit = Arc::new(on_submit);
    FakeServer::start(move |r| {
        if !authorized(r) {
            return unauthorized();
        }
        if r.method == "POST" && r.path() == messages_path() {
            return on_submit(r);
        }
        Reply::json(
            404,
            r#"{"code": 20404, "message": "The requested resource was not found", "status": 404}"#,
        )
    })
}

fn created(sid: &str) -> Reply {
    Reply::json(
        201,
        format!(
            r#"{{"sid": "{sid}", "status": "queued", "direction": "outbound-api", "error_code": null}}"#
        ),
    )
}

#[test]
fn submit_posts_the_form_with_basic_auth() {
    let server = twilio(|_| created("SM11111111111111111111111111111111"));
    let out = client(&server.base).submit(&sms("+33612345678")).unwrap();
    assert_eq!(
        out,
        SubmitOutcome::Accepted {
            provider_id: "SM11111111111111111111111111111111".into()
        }
    );
    let r = server.last();
    assert_eq!(r.method, "POST");
    assert!(
        r.header("Content-Type")
            .unwrap_or("")
            .starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(r.form_value("To").as_deref(), Some("+33612345678"));
    assert_eq!(r.form_value("From").as_deref(), Some("SMSDESK"));
    assert_eq!(
        r.form_value("Body").as_deref(),
        Some("Bonjour Zoé, RDV lundi 10h & mardi + 5€ ?")
    );
    assert_eq!(r.form_value("MessagingServiceSid"), None);
}

#[test]
fn messaging_service_sid_replaces_from() {
    let server = twilio(|_| created("SM2"));
    let mg = "MG0123456789abcdef0123456789abcdef";
    let tw = Twilio::new(&cfg(&server.base, TOKEN, mg, ""), Duration::from_secs(2)).unwrap();
    let mut m = sms("+33612345678");
    m.from = mg.into();
    tw.submit(&m).unwrap();
    let r = server.last();
    assert_eq!(r.form_value("MessagingServiceSid").as_deref(), Some(mg));
    assert_eq!(r.form_value("From"), None);
}

#[test]
fn messages_expecting_a_reply_leave_from_the_reply_number() {
    let server = twilio(|_| created("SM3"));
    let mut m = sms("+33612345678");
    m.expects_reply = true;
    client(&server.base).submit(&m).unwrap();
    assert_eq!(
        server.last().form_value("From").as_deref(),
        Some("+33644556677")
    );
}

#[test]
fn invalid_to_is_rejected() {
    let server = twilio(|_| {
        Reply::json(
            400,
            r#"{"code": 21211, "message": "The 'To' number +3361 is not a valid phone number.", "status": 400}"#,
        )
    });
    match client(&server.base).submit(&sms("+3361")).unwrap() {
        SubmitOutcome::Rejected { reason } => {
            assert!(reason.to_string().contains("21211"), "{reason}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn unsubscribed_recipient_is_rejected_as_stop() {
    let server = twilio(|_| {
        Reply::json(
            400,
            r#"{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}"#,
        )
    });
    match client(&server.base).submit(&sms("+33612345678")).unwrap() {
        SubmitOutcome::Rejected { reason } => {
            assert!(reason.to_string().starts_with("STOP:"), "{reason}")
        }
        other => panic!("expected a STOP rejection, got {other:?}"),
    }
}

#[test]
fn wrong_sender_is_a_configuration_error() {
    let server = twilio(|_| {
        Reply::json(
            400,
            r#"{"code": 21606, "message": "The From phone number is not a valid, SMS-capable inbound phone number or short code for your account.", "status": 400}"#,
        )
    });
    assert!(matches!(
        client(&server.base).submit(&sms("+33612345678")),
        Err(ProviderError::Config(_))
    ));
}

#[test]
fn wrong_token_is_a_configuration_error_without_the_token() {
    let server = twilio(|_| created("SM4"));
    let wrong = "wr0ng-t0ken-123";
    let err = client_with(&server.base, wrong, Duration::from_secs(2))
        .submit(&sms("+33612345678"))
        .unwrap_err();
    let ProviderError::Config(problem) = &err else {
        panic!("expected Config, got {err:?}");
    };
    let msg = format!("{problem:?} {problem}");
    assert!(msg.contains("401"), "{msg}");
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{wrong}"));
    for text in [msg.clone(), err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(wrong) && !text.contains(&b64), "{text}");
    }
}

#[test]
fn throttling_is_transient_and_honours_retry_after() {
    let server = twilio(|_| {
        Reply::json(
            429,
            r#"{"code": 20429, "message": "Too Many Requests", "status": 429}"#,
        )
        .header("Retry-After", "7")
    });
    match client(&server.base).submit(&sms("+33612345678")) {
        Err(ProviderError::Transient { retry_after, .. }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("expected a transient error, got {other:?}"),
    }
}

#[test]
fn server_error_is_transient() {
    for status in [500, 502, 503] {
        let server = twilio(move |_| Reply::new(status, "Internal Server Error"));
        assert!(
            matches!(
                client(&server.base).submit(&sms("+33612345678")),
                Err(ProviderError::Transient { .. })
            ),
            "{status}"
        );
    }
}

#[test]
fn garbage_after_a_success_status_is_ambiguous() {
    // 201 means Twilio may have queued it: retrying could send twice.
    let server = twilio(|_| Reply::new(201, vec![0xff, 0xfe, b'<', b'h', b't', 0x00, 0x01]));
    assert!(matches!(
        client(&server.base).submit(&sms("+33612345678")),
        Err(ProviderError::Ambiguous { .. })
    ));
    let server = twilio(|_| Reply::json(201, r#"{"status": "queued"}"#));
    assert!(matches!(
        client(&server.base).submit(&sms("+33612345678")),
        Err(ProviderError::Ambiguous { .. })
    ));
}

#[test]
fn slow_server_times_out_as_ambiguous() {
    let server = twilio(|_| created("SM5").delayed(Duration::from_secs(3)));
    let tw = client_with(&server.base, TOKEN, Duration::from_millis(400));
    let (res, took) = timed(|| tw.submit(&sms("+33612345678")));
    assert!(
        matches!(res, Err(ProviderError::Ambiguous { .. })),
        "{res:?}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn thirty_second_stall_ends_within_the_client_timeout() {
    let server = twilio(|_| created("SM6").stalled(Duration::from_secs(30)));
    let tw = client_with(&server.base, TOKEN, Duration::from_millis(500));
    let (res, took) = timed(|| tw.submit(&sms("+33612345678")));
    assert!(
        matches!(res, Err(ProviderError::Ambiguous { .. })),
        "{res:?}"
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn connection_refused_is_transient() {
    let tw = client(&dead_address());
    assert!(matches!(
        tw.submit(&sms("+33612345678")),
        Err(ProviderError::Transient { .. })
    ));
}

fn message_json(sid: &str, status: &str, code: Option<u32>) -> String {
    let code = code.map(|c| c.to_string()).unwrap_or_else(|| "null".into());
    format!(
        r#"{{"sid": "{sid}", "status": "{status}", "error_code": {code}, "error_message": null, "direction": "outbound-api", "date_updated": "Mon, 02 Mar 2026 09:00:05 +0000"}}"#
    )
}

#[test]
fn polled_statuses_are_mapped() {
    // sid → (twilio status, error code)
    let table: Vec<(&str, &str, Option<u32>, ReportedStatus)> = vec![
        ("SMa", "queued", None, ReportedStatus::InTransit),
        ("SMb", "sent", None, ReportedStatus::InTransit),
        ("SMc", "delivered", None, ReportedStatus::Delivered),
        ("SMd", "undelivered", Some(30003), ReportedStatus::Expired),
        (
            "SMe",
            "undelivered",
            Some(30005),
            ReportedStatus::NotDelivered,
        ),
        ("SMf", "failed", Some(21610), ReportedStatus::Stop),
        ("SMg", "undelivered", Some(30004), ReportedStatus::Stop),
        ("SMh", "failed", Some(30008), ReportedStatus::Failed),
    ];
    let answers: Vec<(String, String)> = table
        .iter()
        .map(|(sid, st, code, _)| {
            (
                format!("/2010-04-01/Accounts/{SID}/Messages/{sid}.json"),
                message_json(sid, st, *code),
            )
        })
        .collect();
    let server = FakeServer::start(move |r| {
        if !authorized(r) {
            return unauthorized();
        }
        match answers.iter().find(|(p, _)| p == r.path()) {
            Some((_, body)) if r.method == "GET" => Reply::json(200, body.clone()),
            _ => Reply::json(404, r#"{"code": 20404, "message": "not found"}"#),
        }
    });
    let pending: Vec<PendingStatus> = table
        .iter()
        .enumerate()
        .map(|(i, (sid, ..))| PendingStatus {
            reference: format!("m{i}"),
            provider_id: sid.to_string(),
            to_e164: "+33612345678".into(),
            submitted_at: Utc::now(),
        })
        .collect();
    let reports = client(&server.base).poll_statuses(&pending).unwrap();
    assert_eq!(reports.len(), table.len());
    for (report, (sid, _, _, expected)) in reports.iter().zip(&table) {
        assert_eq!(report.provider_id, *sid);
        assert_eq!(report.status, *expected, "{sid}: {}", report.detail);
    }
    assert_eq!(
        reports[2].at,
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 5).unwrap()
    );
}

#[test]
fn polling_while_down_is_transient() {
    let server = FakeServer::start(|_| Reply::new(503, "down"));
    let res = client(&server.base).poll_statuses(&[PendingStatus {
        reference: "m1".into(),
        provider_id: "SM1".into(),
        to_e164: "+33612345678".into(),
        submitted_at: Utc::now(),
    }]);
    assert!(matches!(res, Err(ProviderError::Transient { .. })));
}

#[test]
fn replies_are_the_inbound_messages_across_pages() {
    let page1 = format!(
        r#"{{"messages": [
            {{"sid": "SMin1", "direction": "inbound", "from": "+33612345678", "to": "+33644556677", "body": "OUI", "date_sent": "Mon, 02 Mar 2026 10:00:00 +0000"}},
            {{"sid": "SMout", "direction": "outbound-api", "from": "+33644556677", "to": "+33612345678", "body": "Rappel", "date_sent": "Mon, 02 Mar 2026 09:00:00 +0000"}}
        ], "next_page_uri": "/2010-04-01/Accounts/{SID}/Messages.json?To=%2B33644556677&PageSize=100&Page=1&PageToken=PAxyz", "page": 0}}"#
    );
    let page2 = r#"{"messages": [
            {"sid": "SMin2", "direction": "inbound", "from": "+590690123456", "to": "+33644556677", "body": "Non merci, à bientôt", "date_sent": "Mon, 02 Mar 2026 11:30:00 +0000"},
            {"sid": "SMold", "direction": "inbound", "from": "+33611111111", "to": "+33644556677", "body": "old", "date_sent": "Sun, 01 Mar 2026 11:30:00 +0000"}
        ], "next_page_uri": null, "page": 1}"#;
    let server = FakeServer::start(move |r| {
        if !authorized(r) {
            return unauthorized();
        }
        if r.path() != messages_path() || r.method != "GET" {
            return Reply::json(404, "{}");
        }
        if r.query_value("PageToken").is_some() {
            Reply::json(200, page2)
        } else {
            Reply::json(200, page1.clone())
        }
    });
    let since = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
    let replies = client(&server.base).fetch_replies(since).unwrap();
    let first = &server.requests()[0];
    assert_eq!(first.query_value("To").as_deref(), Some("+33644556677"));
    assert_eq!(
        first.query_value("DateSent>").as_deref(),
        Some("2026-03-02")
    );
    assert_eq!(
        server.requests().len(),
        2,
        "the second page was not followed"
    );
    let ids: Vec<&str> = replies.iter().map(|m| m.provider_id.as_str()).collect();
    assert_eq!(ids, ["SMin1", "SMin2"]);
    assert_eq!(replies[1].from_e164, "+590690123456");
    assert_eq!(replies[1].text, "Non merci, à bientôt");
    assert_eq!(
        replies[0].received_at,
        Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
    );
}

#[test]
fn balance_is_money() {
    let path = format!("/2010-04-01/Accounts/{SID}/Balance.json");
    let server = FakeServer::start(move |r| {
        if !authorized(r) {
            return unauthorized();
        }
        if r.path() == path {
            Reply::json(
                200,
                format!(r#"{{"currency": "EUR", "balance": "12.34", "account_sid": "{SID}"}}"#),
            )
        } else {
            Reply::json(404, "{}")
        }
    });
    let b = client(&server.base).balance().unwrap().unwrap();
    assert_eq!(b.units, None);
    assert_eq!(b.money, Some((12.34, "EUR".to_string())));
}

#[test]
fn lookup_is_unsupported() {
    let server = twilio(|_| created("SM7"));
    assert_eq!(
        client(&server.base).lookup("m1", "+33612345678").unwrap(),
        Lookup::Unsupported
    );
}

#[test]
fn debug_output_never_shows_the_token() {
    let c = cfg("http://127.0.0.1:1", TOKEN, "SMSDESK", "");
    let tw = Twilio::new(&c, Duration::from_secs(1)).unwrap();
    let provider = ProviderConfig::Twilio(c.clone());
    for text in [
        format!("{tw:?}"),
        format!("{c:?}"),
        format!("{provider:?}"),
        format!("{:?}", provider.redacted()),
    ] {
        assert!(!text.contains(TOKEN), "{text}");
    }
    let built = smsdesk::gateway::build(&provider).unwrap();
    assert_eq!(built.kind(), smsdesk::gateway::ProviderKind::Twilio);
}
