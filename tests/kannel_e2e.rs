//! End to end through a real Kannel with a fake SMSC (`shared/kannel/`): a reminder expecting
//! a reply leaves through the scheduler, the fake SMSC receives it, the delivery report and the
//! participant's `OUI` arrive on smsdesk's callback listener and set the event's outcome; a
//! `STOP` opts the number out and the next message to it ends as STOP, uncharged.
//!
//! Skipped with a message when Kannel cannot be started, unless `SMSDESK_REQUIRE_KANNEL=1`.

use chrono::{Duration, Utc};
use smsdesk::clock::Clock;
use smsdesk::core::Actor;
use smsdesk::core::send::{self, Body, IndividualSend};
use smsdesk::scheduler::{self, Options};
use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::store::{Store, credit, events, messages, participants, settings, templates};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn kannel_dir() -> PathBuf {
    if let Ok(d) = std::env::var("SMSDESK_KANNEL_DIR") {
        return PathBuf::from(d);
    }
    let rel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/kannel");
    if rel.join("start.sh").exists() {
        rel
    } else {
        PathBuf::from("/work/shared/kannel")
    }
}

/// Starts Kannel with its MO URL pointing at `mo_port`; None (skip) when it cannot start.
/// Shared by smsdesk's listener, its dlr-urls and the MO get-url of kannel.conf.
const SECRET: &str = "e2e-Callback-Secret-42";

fn start_kannel(mo_port: u16) -> Option<HashMap<String, String>> {
    let required = std::env::var("SMSDESK_REQUIRE_KANNEL").as_deref() == Ok("1");
    let out = std::process::Command::new(kannel_dir().join("start.sh"))
        .arg(std::env::temp_dir().join("kannel-test"))
        .env("KANNEL_MO_PORT", mo_port.to_string())
        // Replies come back with the listener's secret, as an administrator configures it.
        .env(
            "KANNEL_MO_URL",
            format!(
                "http://127.0.0.1:{mo_port}/mo?key={SECRET}&from=%p&to=%P&text=%b&time=%T&coding=%c&charset=%C&smsc=%i&id=%I"
            ),
        )
        .output();
    let failure = match &out {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .join(" | "),
        ),
        Err(e) => Some(e.to_string()),
    };
    if let Some(why) = failure {
        assert!(
            !required,
            "SMSDESK_REQUIRE_KANNEL=1 but Kannel could not be started: {why}"
        );
        eprintln!("SKIP Kannel end-to-end test: {why}");
        return None;
    }
    let out = out.ok()?;
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn script(env: &HashMap<String, String>, name: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(kannel_dir().join(name))
        .args(args)
        .env("KANNEL_STATE_DIR", &env["KANNEL_STATE_DIR"])
        .output()
        .expect("run kannel script");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let until = Instant::now() + std::time::Duration::from_secs(20);
    while Instant::now() < until {
        if cond() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("timed out waiting for: {what}");
}

fn status(db: &Path, id: i64) -> MessageStatus {
    messages::status_of(Store::open(db).unwrap().db(), id).unwrap()
}

#[test]
fn reminder_reply_and_stop_through_a_real_kannel() {
    let mo_port = free_port();
    let Some(k) = start_kannel(mo_port) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let now = Utc::now();
    let mut store = Store::open(&db).unwrap();
    let admin = Actor::identify(&mut store, "admin", now).unwrap();
    let provider = serde_json::json!({
        "kind": "kannel",
        "sendsms_url": k["KANNEL_SENDSMS_URL"],
        "username": k["KANNEL_USER"],
        "password": k["KANNEL_PASSWORD"],
        "callback_listen": format!("127.0.0.1:{mo_port}"),
        "callback_secret": SECRET,
    });
    for (key, value) in [
        ("grace_seconds", "0".to_string()),
        ("window", "00:00-23:59".into()),
        ("window_days", "mon-sun".into()),
        ("sender", "MEBS".into()),
        ("reply_number", "36180".into()),
        ("provider", provider.to_string()),
    ] {
        settings::set(store.conn(), key, &value, "admin", now).unwrap();
    }
    credit::add_pack(store.conn(), 100, "test", now.date_naive(), "admin", now).unwrap();

    // A participant with an interview tomorrow, reminded with a template that expects OUI / NON.
    let phone = "+33612349876";
    let pid = participants::insert_participant(
        store.conn(),
        &participants::NewParticipant {
            kind: smsdesk::sms::status::ParticipantKind::Participant,
            civility: "Mme".into(),
            first_name: "Élodie".into(),
            last_name: "Martin".into(),
            mobile: Some(phone.into()),
            mobile2: None,
            landline: None,
            email: None,
            sms_consent: true,
            programme: String::new(),
            collaborator_id: None,
            attributes: Default::default(),
        },
        now,
    )
    .unwrap();
    let tid = templates::insert_template(
        store.conn(),
        &templates::NewTemplate {
            name: "Confirmation entretien".into(),
            context: smsdesk::sms::template::TemplateContext::Interview,
            body:
                "Bonjour {{participant.first_name}}, confirmez-vous votre RDV ? Répondez OUI ou NON"
                    .into(),
            active: true,
            locked: false,
            reply_expected: true,
            keywords: vec![
                ("OUI".into(), "confirmé par SMS".into()),
                ("NON".into(), "ne viendra pas".into()),
            ],
            created_by: "admin".into(),
            created_at: now,
        },
    )
    .unwrap();
    let start = now + Duration::days(1);
    let eid = events::insert_event(
        store.conn(),
        &events::NewEvent {
            reminder: events::ReminderSettings {
                enabled: true,
                days_before: Some(1),
                ..Default::default()
            },
            ..events::NewEvent::planned(
                pid,
                smsdesk::sms::status::EventKind::Interview,
                "Diagnostic".into(),
                (start, start.naive_utc()),
                "admin",
                now,
            )
        },
    )
    .unwrap();
    let text = "Bonjour Élodie, confirmez-vous votre RDV ? Répondez OUI ou NON";
    let info = smsdesk::sms::encoding::analyse(text);
    let mid = messages::insert(
        store.conn(),
        &messages::NewMessage {
            kind: MessageKind::Reminder,
            context: "interview".into(),
            participant_id: Some(pid),
            event_id: Some(eid),
            batch_id: None,
            template_id: Some(tid),
            automation_id: None,
            collaborator_id: None,
            phone: phone.into(),
            recipient_name: "Élodie Martin".into(),
            text: text.into(),
            manual_edit: false,
            encoding: info.encoding,
            chars: info.chars as i64,
            segments: info.segments as i64,
            sender: "MEBS".into(),
            expects_reply: true,
            campaign: false,
            created_by: "admin".into(),
            created_at: now,
            planned_at: now,
            deadline: start,
        },
    )
    .unwrap();

    let handle = scheduler::spawn(Options::new(db.clone(), Clock::system()), None);
    eventually("delivery report on the callback listener", || {
        status(&db, mid) == MessageStatus::Delivered
    });
    // The fake SMSC got it, from the reply number, in UCS-2 (é is GSM-7, but the text is checked decoded).
    eventually("MT in the fake SMSC log", || {
        script(&k, "mt.sh", &["--decode"]).lines().any(|l| {
            l.contains("36180") && l.contains("33612349876") && l.contains("confirmez-vous")
        })
    });

    // The participant answers OUI: the event's outcome is set.
    script(&k, "mo.sh", &["33612349876", "36180", "Oui !"]);
    eventually("outcome from the reply", || {
        events::get(Store::open(&db).unwrap().db(), eid)
            .unwrap()
            .outcome
            == "confirmé par SMS"
    });

    // STOP: the number is opted out, and the next message to it ends as STOP, uncharged.
    script(&k, "mo.sh", &["33612349876", "36180", "STOP"]);
    eventually("opt-out", || {
        participants::is_opted_out(Store::open(&db).unwrap().db(), phone).unwrap()
    });
    // Queued behind the opt-out's back (as a message created just before the STOP would be).
    let next = {
        let mut s = Store::open(&db).unwrap();
        s.conn()
            .execute("DELETE FROM opt_outs WHERE phone = ?1", [phone])
            .unwrap();
        let ids = send::send_individual(
            &mut s,
            &admin,
            &IndividualSend {
                to: vec![phone.into()],
                body: Body::Text("Votre atelier CV est reporté.".into()),
                at: None,
            },
            Utc::now(),
        )
        .unwrap();
        participants::opt_out(s.conn(), phone, "reply", None, "test", Utc::now()).unwrap();
        ids[0]
    };
    handle.wake();
    eventually("STOP without sending", || {
        status(&db, next) == MessageStatus::Stop
    });
    handle.stop().unwrap();
    let store = Store::open(&db).unwrap();
    let charged: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM credit_ledger WHERE message_id = ?1",
            [next],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(charged, 0);
    assert_eq!(
        credit::summary(store.conn()).unwrap().consumed,
        1,
        "only the reminder was charged"
    );
    assert!(
        !script(&k, "mt.sh", &["--decode"]).contains("reporté"),
        "the STOPped message never reached the SMSC"
    );
}
