//! The demo store: what a newcomer sees must be complete, consistent with the rules, and the
//! same for the same seed.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Utc, Weekday};
use rusqlite::{Connection, OpenFlags};
use smsdesk::sms::encoding;
use smsdesk::sms::status::MessageStatus;
use smsdesk::sms::template::{self, Lang, MergeData, TemplateContext};
use smsdesk::sms::window::{self, SendWindow};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

/// A Tuesday afternoon in April, Paris summer time.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 14, 13, 7, 21)
        .single()
        .unwrap()
}

const ADMIN: &str = "mlegall";

struct Demo {
    _dir: tempfile::TempDir,
    conn: Connection,
    summary: smsdesk::demo::DemoSummary,
    seconds: f64,
}

/// One demo store shared by the read-only tests (creating it is the slow part).
fn demo() -> &'static std::sync::Mutex<Demo> {
    static DEMO: OnceLock<std::sync::Mutex<Demo>> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let started = std::time::Instant::now();
        let summary = smsdesk::demo::create(&path, 2026, ADMIN, now()).unwrap();
        let seconds = started.elapsed().as_secs_f64();
        let conn = open_ro(&path);
        std::sync::Mutex::new(Demo {
            _dir: dir,
            conn,
            summary,
            seconds,
        })
    })
}

fn open_ro(path: &Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn paris() -> chrono_tz::Tz {
    chrono_tz::Europe::Paris
}

fn local(secs: i64) -> NaiveDateTime {
    DateTime::from_timestamp(secs, 0)
        .unwrap()
        .with_timezone(&paris())
        .naive_local()
}

#[test]
fn creation_is_fast_enough_and_reports_what_it_made() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    eprintln!("demo::create took {:.3} s", d.seconds);
    eprintln!("{}", d.summary);
    assert_eq!(d.summary.participants, 200);
    assert_eq!(d.summary.messages_history, 5_000);
    assert_eq!(d.summary.messages_pending, 50);
    assert_eq!(d.summary.admin, ADMIN);
    let text = d.summary.to_string();
    assert!(text.contains("200 participants"), "{text}");
    let json = serde_json::to_value(&d.summary).unwrap();
    assert_eq!(json["messages_pending"], 50);
}

#[test]
fn settings_describe_a_breton_agency_on_the_simulator() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let s = smsdesk::store::settings::Settings::load(c).unwrap();
    assert!(s.organisation.contains("Bretagne"), "{}", s.organisation);
    assert!(smsdesk::sms::sender::validate_sender(&s.sender).is_ok());
    assert!(!s.signature.is_empty());
    assert_eq!(s.stop_mention, "STOP au 36608");
    assert_eq!(s.timezone, paris());
    assert_eq!(
        s.window(),
        SendWindow::parse("09:00-19:00", "mon-sat").unwrap()
    );
    assert!(matches!(
        s.provider,
        smsdesk::gateway::ProviderConfig::Simulator
    ));
    // Nothing stored fails validation (doctor would complain).
    assert!(
        smsdesk::store::settings::Settings::invalid_stored(c.into())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn four_operators_with_different_rights_and_the_caller_is_administrator() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let ops = smsdesk::store::operators::list((&d.conn).into()).unwrap();
    assert_eq!(ops.len(), 4);
    let admin = ops
        .iter()
        .find(|o| o.login == ADMIN)
        .expect("the given login is an operator");
    assert_eq!(admin.rights, smsdesk::store::operators::Rights::all());
    let admins = ops.iter().filter(|o| o.rights.admin).count();
    assert_eq!(admins, 1, "only the caller administers the demo");
    let distinct: BTreeSet<String> = ops.iter().map(|o| o.rights.to_string()).collect();
    assert_eq!(
        distinct.len(),
        4,
        "each operator has different rights: {distinct:?}"
    );
    assert!(
        ops.iter().any(|o| o.rights.templates_only),
        "someone may only send templates"
    );
}

#[test]
fn admin_login_colliding_with_a_demo_operator_still_gives_four_operators() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 1, "claire.martin", now()).unwrap();
    let conn = open_ro(&path);
    let ops = smsdesk::store::operators::list((&conn).into()).unwrap();
    assert_eq!(ops.len(), 4);
    let claire = ops.iter().find(|o| o.login == "claire.martin").unwrap();
    assert!(claire.rights.admin);
}

#[test]
fn collaborators_are_named_counsellors_with_phones() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let collabs = smsdesk::store::participants::collaborators((&d.conn).into()).unwrap();
    assert!((6..=10).contains(&collabs.len()), "{}", collabs.len());
    for c in &collabs {
        assert!(!c.first_name.is_empty() && !c.last_name.is_empty());
        let phone = c.phone.as_deref().expect("a counsellor has a phone");
        assert!(phone.starts_with("+33"), "{phone}");
    }
}

fn is_mobile(e164: &str) -> bool {
    let Ok(n) = phonenumber::parse(None, e164) else {
        return false;
    };
    n.is_valid()
        && matches!(
            n.number_type(&phonenumber::metadata::DATABASE),
            phonenumber::Type::Mobile | phonenumber::Type::FixedLineOrMobile
        )
        && n.format().mode(phonenumber::Mode::E164).to_string() == e164
}

#[test]
fn two_hundred_participants_with_every_case_a_batch_must_handle() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    assert_eq!(count(c, "SELECT count(*) FROM participants"), 200);
    let no_mobile = count(c, "SELECT count(*) FROM participants WHERE mobile IS NULL");
    let opted_out = count(
        c,
        "SELECT count(*) FROM participants p WHERE EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = p.mobile)",
    );
    let no_consent = count(c, "SELECT count(*) FROM participants WHERE sms_consent = 0");
    let partners = count(
        c,
        "SELECT count(*) FROM participants WHERE kind = 'partner'",
    );
    let companies = count(
        c,
        "SELECT count(*) FROM participants WHERE kind = 'company'",
    );
    assert!((3..=30).contains(&no_mobile), "without mobile: {no_mobile}");
    assert!((3..=30).contains(&opted_out), "opted out: {opted_out}");
    assert!(
        (3..=30).contains(&no_consent),
        "without consent: {no_consent}"
    );
    assert!(
        partners >= 2 && companies >= 2,
        "{partners} partners, {companies} companies"
    );
    // Overseas mobiles of each department.
    for (prefix, what) in [
        ("+590690", "Guadeloupe"),
        ("+596696", "Martinique"),
        ("+262692", "Réunion"),
        ("+594694", "Guyane"),
        ("+262639", "Mayotte"),
    ] {
        let n = count(
            c,
            &format!("SELECT count(*) FROM participants WHERE mobile LIKE '{prefix}%'"),
        );
        assert!(n >= 1, "no {what} mobile");
    }
    let metro = count(
        c,
        "SELECT count(*) FROM participants WHERE mobile LIKE '+336%' OR mobile LIKE '+337%'",
    );
    assert!(metro >= 150, "{metro}");
    // Every mobile is a real mobile number of the numbering plan, in E.164, and unique.
    let mobiles = strings(
        c,
        "SELECT mobile FROM participants WHERE mobile IS NOT NULL",
    );
    for m in &mobiles {
        assert!(is_mobile(m), "{m} is not a valid mobile number");
    }
    let unique: BTreeSet<&String> = mobiles.iter().collect();
    assert_eq!(unique.len(), mobiles.len(), "a mobile number is shared");
    // French names with accents and apostrophes.
    let names = strings(c, "SELECT first_name || ' ' || last_name FROM participants").join("|");
    assert!(
        names.chars().any(|ch| "éèëïçÉ".contains(ch)),
        "no accent in names"
    );
    assert!(names.contains('\''), "no apostrophe in names");
    let civilities: BTreeSet<String> = strings(
        c,
        "SELECT DISTINCT civility FROM participants WHERE kind = 'participant'",
    )
    .into_iter()
    .collect();
    assert_eq!(
        civilities,
        BTreeSet::from(["M.".to_string(), "Mme".to_string()])
    );
    let programmes = count(
        c,
        "SELECT count(DISTINCT programme) FROM participants WHERE programme <> ''",
    );
    assert!(programmes >= 4, "{programmes}");
    // Attributes are JSON objects.
    for a in strings(c, "SELECT attributes FROM participants") {
        assert!(
            serde_json::from_str::<serde_json::Value>(&a)
                .unwrap()
                .is_object()
        );
    }
}

#[test]
fn three_saved_lists_with_members() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let lists = smsdesk::store::participants::saved_lists((&d.conn).into()).unwrap();
    assert_eq!(lists.len(), 3);
    assert!(lists.iter().all(|l| l.members > 0), "{lists:?}");
}

#[test]
fn three_hundred_events_in_the_next_thirty_days_of_three_kinds() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let from = now().timestamp();
    let to = (now() + Duration::days(30)).timestamp();
    let upcoming = format!("FROM events WHERE starts_at > {from} AND starts_at <= {to}");
    assert_eq!(count(c, &format!("SELECT count(*) {upcoming}")), 300);
    for kind in ["interview", "step", "orientation"] {
        let n = count(
            c,
            &format!("SELECT count(*) {upcoming} AND kind = '{kind}'"),
        );
        assert!(n >= 30, "{kind}: {n}");
        let types = count(
            c,
            &format!("SELECT count(DISTINCT type) {upcoming} AND kind = '{kind}'"),
        );
        assert!(types >= 3, "{kind}: {types} types");
    }
    let with_reminder = count(
        c,
        &format!("SELECT count(*) {upcoming} AND reminder_enabled = 1"),
    );
    assert!(
        with_reminder >= 120,
        "reminders on {with_reminder} upcoming events"
    );
    // Nothing beyond the 30 days.
    assert_eq!(
        count(
            c,
            &format!("SELECT count(*) FROM events WHERE starts_at > {to}")
        ),
        0
    );
    // Past events exist for the history.
    assert!(
        count(
            c,
            &format!("SELECT count(*) FROM events WHERE starts_at < {from}")
        ) > 500
    );
    // starts_local is the Paris wall-clock time of starts_at; appointments are 09:00-17:30.
    let mut stmt = c
        .prepare(&format!(
            "SELECT starts_at, starts_local, location, collaborator_id {upcoming}"
        ))
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (at, text, location, collaborator) = row.unwrap();
        let l = local(at);
        assert_eq!(l.format("%Y-%m-%d %H:%M:%S").to_string(), text);
        let hm = l.format("%H:%M").to_string();
        assert!(("09:00"..="17:30").contains(&hm.as_str()), "event at {hm}");
        assert!(!matches!(l.weekday(), Weekday::Sun), "event on a Sunday");
        assert!(!location.is_empty());
        assert!(collaborator.is_some());
    }
}

#[test]
fn eight_templates_that_parse_two_expect_replies_one_locked_one_inactive() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let list = smsdesk::store::templates::list(c.into()).unwrap();
    assert_eq!(list.len(), 8);
    let contexts: BTreeSet<&str> = list.iter().map(|t| t.context.as_str()).collect();
    for ctx in ["interview", "step", "orientation", "batch"] {
        assert!(contexts.contains(ctx), "no {ctx} template");
    }
    for t in &list {
        let ctx: TemplateContext = t.context.parse().unwrap();
        let parsed = template::parse(&t.body, ctx).unwrap_or_else(|e| panic!("{}: {e:?}", t.name));
        // The live preview renders with sample data.
        template::render(&parsed, &MergeData::sample(Lang::Fr), Lang::Fr).unwrap();
    }
    let reply: Vec<_> = list.iter().filter(|t| t.reply_expected).collect();
    assert_eq!(reply.len(), 2);
    for t in reply {
        let kw = smsdesk::store::templates::keywords(c.into(), t.id).unwrap();
        assert_eq!(
            kw,
            vec![
                ("NON".to_string(), "ne viendra pas".to_string()),
                ("OUI".to_string(), "confirmé par SMS".to_string())
            ]
        );
    }
    assert_eq!(list.iter().filter(|t| t.locked).count(), 1);
    let inactive: Vec<_> = list.iter().filter(|t| !t.active).collect();
    assert_eq!(inactive.len(), 1);
    assert_eq!(
        inactive[0].automations, 0,
        "no automation uses the inactive template"
    );
}

#[test]
fn three_valid_automations() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let autos = smsdesk::store::automations::list((&d.conn).into()).unwrap();
    assert_eq!(autos.len(), 3);
    assert!(autos.iter().all(|a| a.active && !a.is_broken()));
    let kinds: BTreeSet<&str> = autos.iter().map(|a| a.event_kind.as_str()).collect();
    assert_eq!(kinds.len(), 3);
    assert!(autos.iter().any(|a| a.offset_days < 0) && autos.iter().any(|a| a.offset_days > 0));
    let templates = smsdesk::store::templates::list((&d.conn).into()).unwrap();
    for a in &autos {
        let t = templates.iter().find(|t| t.id == a.template_id).unwrap();
        assert_eq!(t.context, a.event_kind.as_str(), "{}", a.name);
    }
    assert!(
        autos.iter().any(|a| templates
            .iter()
            .any(|t| t.id == a.template_id && t.reply_expected)),
        "the interview reminder asks for a confirmation"
    );
}

#[test]
fn two_packs_and_a_positive_balance_covering_what_is_queued() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let packs = smsdesk::store::credit::packs(c.into()).unwrap();
    assert_eq!(packs.len(), 2);
    let today = now().with_timezone(&paris()).date_naive().to_string();
    assert!(
        packs.iter().all(|p| p.bought_on < today),
        "packs are bought in the past"
    );
    let s = smsdesk::store::credit::summary(c).unwrap();
    let queued = count(
        c,
        "SELECT COALESCE(SUM(segments),0) FROM messages WHERE status = 'pending'",
    );
    assert!(
        s.balance > queued,
        "balance {} vs queued {queued}",
        s.balance
    );
    assert!(s.consumed > 5_000, "consumed {}", s.consumed);
}

#[test]
fn history_has_five_thousand_messages_with_every_status_and_kind() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    assert_eq!(
        count(c, "SELECT count(*) FROM messages WHERE status <> 'pending'"),
        5_000
    );
    let oldest = (now() - Duration::days(60)).timestamp();
    assert_eq!(
        count(
            c,
            &format!("SELECT count(*) FROM messages WHERE listed_at < {oldest}")
        ),
        0,
        "history is within the last 60 days"
    );
    assert_eq!(
        count(
            c,
            &format!(
                "SELECT count(*) FROM messages WHERE listed_at > {}",
                now().timestamp()
            )
        ),
        0,
        "nothing in the future"
    );
    let status = |s: &str| {
        count(
            c,
            &format!("SELECT count(*) FROM messages WHERE status = '{s}'"),
        )
    };
    for s in [
        "delivered",
        "not_delivered",
        "expired",
        "failed",
        "stop",
        "cancelled",
        "unknown",
        "submitted",
    ] {
        assert!(status(s) > 0, "no {s} message");
    }
    assert_eq!(status("sending"), 0, "nothing is stuck being sent");
    assert!(
        status("delivered") > 3_500,
        "most are delivered: {}",
        status("delivered")
    );
    assert!(status("unknown") < 50 && status("submitted") < 150);
    for kind in [
        "reminder",
        "follow_up",
        "instant",
        "scheduled",
        "batch",
        "free",
    ] {
        let n = count(
            c,
            &format!("SELECT count(*) FROM messages WHERE status <> 'pending' AND kind = '{kind}'"),
        );
        assert!(n > 0, "no {kind} message");
    }
    // Both encodings and multi-segment texts appear.
    assert!(count(c, "SELECT count(*) FROM messages WHERE encoding = 'UCS-2'") > 0);
    assert!(count(c, "SELECT count(*) FROM messages WHERE segments > 1") > 0);
    // Free sends have no recipient name; the others do.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE kind = 'free' AND recipient_name <> ''"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE kind <> 'free' AND recipient_name = ''"
        ),
        0
    );
    // Batches and free sends have their batch rows with the right counts.
    assert!(count(c, "SELECT count(*) FROM batches WHERE kind = 'batch'") >= 2);
    assert!(count(c, "SELECT count(*) FROM batches WHERE kind = 'free'") >= 2);
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM batches b WHERE recipients <> (SELECT count(*) FROM messages m WHERE m.batch_id = b.id)"
        ),
        0
    );
    // A batch sent to a saved list went to members of that list.
    assert_eq!(
        count(c, "SELECT count(*) FROM messages m JOIN batches b ON b.id = m.batch_id JOIN saved_lists l ON l.name = b.source
                  WHERE NOT EXISTS (SELECT 1 FROM saved_list_members s WHERE s.list_id = l.id AND s.participant_id = m.participant_id)"),
        0
    );
    assert!(
        count(
            c,
            "SELECT count(*) FROM batches b JOIN saved_lists l ON l.name = b.source"
        ) >= 2
    );
    // One interview recorded per batch recipient.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m WHERE m.kind = 'batch' AND NOT EXISTS (SELECT 1 FROM events e WHERE e.batch_id = m.batch_id AND e.participant_id = m.participant_id)"
        ),
        0
    );
}

#[test]
fn counts_and_encodings_are_those_of_the_segment_rules() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let mut stmt = c
        .prepare("SELECT text, encoding, chars, segments FROM messages")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (text, enc, chars, segments) = row.unwrap();
        let info = encoding::analyse(&text);
        assert_eq!(enc, info.encoding.as_str(), "{text}");
        assert_eq!(chars as usize, info.chars, "{text}");
        assert_eq!(segments as usize, info.segments, "{text}");
        assert!((1..=3).contains(&segments), "within max segments: {text}");
    }
}

#[test]
fn every_message_ends_with_signature_and_batch_and_free_with_stop() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE text NOT LIKE '%' || char(10) || 'MEBS 02 97 21 40 00%'"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE kind IN ('batch','free') AND text NOT LIKE '%' || char(10) || 'STOP au 36608'"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE kind NOT IN ('batch','free') AND text LIKE '%STOP au 36608'"
        ),
        0
    );
    // Reply messages come from the reply number, the others from the sender name.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE expects_reply = 1 AND sender <> '36180'"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE expects_reply = 0 AND sender <> 'MEBS'"
        ),
        0
    );
}

/// Rebuilds the merge data of a stored message from its participant, event and collaborator.
fn merge_data_of(
    c: &Connection,
    message_id: i64,
) -> (String, TemplateContext, MergeData, String, String) {
    c.query_row(
        "SELECT t.body, t.context, m.text, m.kind,
                p.civility, p.first_name, p.last_name, p.programme,
                e.starts_local, e.type, e.location, e.kind,
                co.first_name, co.last_name, co.phone
         FROM messages m JOIN templates t ON t.id = m.template_id
         LEFT JOIN participants p ON p.id = m.participant_id
         LEFT JOIN events e ON e.id = m.event_id AND m.kind IN ('reminder','follow_up')
         LEFT JOIN collaborators co ON co.id = m.collaborator_id
         WHERE m.id = ?1",
        [message_id],
        |r| {
            let some = |s: Option<String>| s.filter(|s| !s.is_empty());
            let ctx: String = r.get(1)?;
            let kind: Option<String> = r.get(11)?;
            let event = match r.get::<_, Option<String>>(8)? {
                Some(start) => Some(template::EventData {
                    start: Some(
                        NaiveDateTime::parse_from_str(&start, "%Y-%m-%d %H:%M:%S").unwrap(),
                    ),
                    event_type: some(r.get(9)?),
                    location: some(r.get(10)?),
                    kind: kind.map(|k| match k.as_str() {
                        "interview" => "entretien".to_string(),
                        "step" => "étape".to_string(),
                        other => other.to_string(),
                    }),
                }),
                None => None,
            };
            Ok((
                r.get::<_, String>(0)?,
                ctx.parse().unwrap(),
                MergeData {
                    participant: Some(template::ParticipantData {
                        civility: some(r.get(4)?),
                        first_name: some(r.get(5)?),
                        last_name: some(r.get(6)?),
                        programme: some(r.get(7)?),
                    }),
                    event,
                    collaborator: Some(template::PersonData {
                        first_name: some(r.get(12)?),
                        last_name: some(r.get(13)?),
                        phone: some(r.get(14)?),
                    }),
                    organisation: template::OrgData {
                        name: Some("Maison de l'Emploi de Bretagne Sud".into()),
                        sender: Some("MEBS".into()),
                        signature: Some("MEBS 02 97 21 40 00".into()),
                    },
                },
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )
    .unwrap()
}

#[test]
fn stored_texts_are_their_templates_rendered_for_their_recipient() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    // A spread sample: every 23rd message made from a template, of every kind.
    let ids: Vec<i64> = {
        let mut stmt = c
            .prepare("SELECT id FROM messages WHERE template_id IS NOT NULL ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(
        ids.len() > 2_000,
        "most texts come from templates: {}",
        ids.len()
    );
    let mut kinds = BTreeSet::new();
    for id in ids.iter().step_by(23) {
        let (body, ctx, data, stored, kind) = merge_data_of(c, *id);
        let parsed = template::parse(&body, ctx).unwrap();
        let rendered = template::render(&parsed, &data, Lang::Fr).unwrap();
        let stop = (kind == "batch").then_some("STOP au 36608");
        let expected = smsdesk::sms::sender::compose(&rendered, Some("MEBS 02 97 21 40 00"), stop);
        assert_eq!(stored, expected, "message #{id}");
        kinds.insert(kind);
    }
    for k in ["reminder", "follow_up", "batch"] {
        assert!(kinds.contains(k), "sample missed {k}: {kinds:?}");
    }
}

/// id, status, created, planned, sent, final, listed, status_at.
type MessageTimes = (
    i64,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
);

#[test]
fn status_history_is_complete_ordered_and_consistent_with_the_row() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let mut stmt = c
        .prepare("SELECT id, status, created_at, planned_at, sent_at, final_at, listed_at, status_at FROM messages")
        .unwrap();
    let rows: Vec<MessageTimes> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let now = now().timestamp();
    for (id, status, created, planned, sent, fin, listed, status_at) in rows {
        let st = MessageStatus::parse(&status).unwrap();
        let history = smsdesk::store::messages::history(c.into(), id).unwrap();
        assert_eq!(
            history.first().map(|h| h.status.as_str()),
            Some("pending"),
            "#{id}"
        );
        assert_eq!(history.first().map(|h| h.at), Some(created), "#{id}");
        assert_eq!(
            history.last().map(|h| h.status.as_str()),
            Some(status.as_str()),
            "#{id}"
        );
        assert_eq!(history.last().map(|h| h.at), Some(status_at), "#{id}");
        // Each step is one the lifecycle allows, in time order, none in the future.
        for pair in history.windows(2) {
            let (a, b) = (pair[0].status, pair[1].status);
            assert!(a.can_become(b), "#{id}: {a} → {b}");
            assert!(pair[0].at <= pair[1].at, "#{id}: history out of order");
        }
        assert!(
            history.iter().all(|h| h.at <= now),
            "#{id}: a change in the future"
        );
        assert!(created <= planned, "#{id}");
        let submitted = history
            .iter()
            .find(|h| h.status == MessageStatus::Submitted)
            .map(|h| h.at);
        assert_eq!(sent, submitted, "#{id}: sent_at is the submission");
        if let Some(s) = sent {
            assert!(s >= planned, "#{id}: left before it was planned");
        }
        assert_eq!(fin.is_some(), st.is_final(), "#{id}");
        match st {
            MessageStatus::Pending => {
                assert!(listed.is_none());
                assert!(planned > now, "#{id}: pending messages are planned ahead");
            }
            _ => assert_eq!(listed, sent.or(fin).or(Some(status_at)), "#{id}"),
        }
    }
}

#[test]
fn every_submitted_message_is_charged_once_and_nothing_else() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m WHERE m.sent_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM credit_ledger l WHERE l.message_id = m.id AND l.units = m.segments AND l.at = m.sent_at)"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM credit_ledger l JOIN messages m ON m.id = l.message_id WHERE m.sent_at IS NULL"
        ),
        0
    );
    // Messages to numbers already opted out end as STOP without leaving.
    assert!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE status = 'stop' AND sent_at IS NULL"
        ) > 0
    );
}

#[test]
fn opted_out_numbers_get_nothing_after_their_opt_out() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN opt_outs o ON o.phone = m.phone WHERE m.sent_at > o.at"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN opt_outs o ON o.phone = m.phone WHERE m.status = 'pending'"
        ),
        0
    );
    let sources: BTreeSet<String> = strings(c, "SELECT DISTINCT source FROM opt_outs")
        .into_iter()
        .collect();
    assert!(
        sources.contains("reply") && sources.contains("operator"),
        "{sources:?}"
    );
}

#[test]
fn replies_match_reply_messages_and_set_event_outcomes() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let state = |s: &str| {
        count(
            c,
            &format!("SELECT count(*) FROM replies WHERE state = '{s}'"),
        )
    };
    assert!(state("matched") > 50, "matched: {}", state("matched"));
    assert_eq!(state("stop"), 1, "one STOP reply");
    assert!(state("review") > 0, "the inbox has replies to review");
    assert!(state("resolved") > 0, "older reviews were settled");
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM replies WHERE state = 'resolved' AND (reviewed_by IS NULL OR reviewed_at < received_at OR outcome = '')"
        ),
        0
    );
    // A matched reply answers a delivered message that expected one, before its event.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM replies r JOIN messages m ON m.id = r.message_id WHERE r.state = 'matched' AND (m.expects_reply = 0 OR m.status <> 'delivered' OR r.received_at < m.final_at)"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM replies r JOIN events e ON e.id = r.event_id WHERE r.received_at >= e.starts_at"
        ),
        0
    );
    // The keyword decides the outcome, recorded on the event.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM replies r JOIN events e ON e.id = r.event_id WHERE r.state IN ('matched','resolved') AND (e.outcome <> r.outcome OR e.reply_text <> r.text)"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM replies WHERE state = 'matched' AND NOT ((keyword = 'OUI' AND outcome = 'confirmé par SMS') OR (keyword = 'NON' AND outcome = 'ne viendra pas'))"
        ),
        0
    );
    // The core's keyword rule agrees with every stored state.
    let kw = vec![
        ("NON".to_string(), "ne viendra pas".to_string()),
        ("OUI".to_string(), "confirmé par SMS".to_string()),
    ];
    let mut stmt = c
        .prepare("SELECT text, state, keyword, outcome FROM replies WHERE message_id IS NOT NULL")
        .unwrap();
    let rows: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (text, state, keyword, outcome) in rows {
        match smsdesk::core::replies::match_keyword(&text, &kw) {
            Ok((k, o)) => assert_eq!(
                (state.as_str(), k, o),
                ("matched", &keyword, &outcome),
                "{text:?}"
            ),
            Err(_) => assert!(
                state == "review" || state == "resolved",
                "{text:?} is {state}"
            ),
        }
    }
    assert!(
        count(
            c,
            "SELECT count(*) FROM events WHERE outcome = 'confirmé par SMS'"
        ) > 0
    );
    assert!(
        count(
            c,
            "SELECT count(*) FROM events WHERE outcome = 'ne viendra pas'"
        ) > 0
    );
    // The message points to its first reply.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM replies r WHERE r.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = r.message_id AND m.reply_id = r.id)"
        ),
        0
    );
    let stop_phone = strings(c, "SELECT from_phone FROM replies WHERE state = 'stop'");
    assert_eq!(
        count(
            c,
            &format!(
                "SELECT count(*) FROM opt_outs WHERE phone = '{}' AND source = 'reply' AND reply_id IS NOT NULL",
                stop_phone[0]
            )
        ),
        1
    );
    assert!(smsdesk::sms::sender::is_stop_reply(
        &strings(c, "SELECT text FROM replies WHERE state = 'stop'")[0]
    ));
}

/// kind, planned, deadline, event start (local), reminder days, event start (UTC).
type PendingRow = (String, i64, i64, Option<String>, Option<i64>, Option<i64>);

#[test]
fn fifty_pending_messages_inside_the_window_before_their_events() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let w = SendWindow::parse("09:00-19:00", "mon-sat").unwrap();
    let mut stmt = c
        .prepare(
            "SELECT m.kind, m.planned_at, m.deadline, e.starts_local, e.reminder_days_before, e.starts_at
             FROM messages m LEFT JOIN events e ON e.id = m.event_id WHERE m.status = 'pending'",
        )
        .unwrap();
    let rows: Vec<PendingRow> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 50);
    let mut reminders = 0;
    let mut scheduled = 0;
    for (kind, planned, deadline, start_local, days, starts_at) in rows {
        let at = DateTime::from_timestamp(planned, 0).unwrap();
        assert!(
            w.is_open(at, paris()),
            "pending {kind} at {} is outside the window",
            local(planned)
        );
        assert!(at > now() && at < now() + Duration::days(30));
        match kind.as_str() {
            "reminder" => {
                reminders += 1;
                let start =
                    NaiveDateTime::parse_from_str(&start_local.unwrap(), "%Y-%m-%d %H:%M:%S")
                        .unwrap();
                let expected =
                    window::plan_reminder(start, days.unwrap() as u32, paris(), &w).unwrap();
                assert_eq!(at, expected, "a reminder is planned by the reminder rule");
                assert_eq!(
                    Some(deadline),
                    starts_at,
                    "a reminder may be retried until its event"
                );
            }
            "scheduled" => scheduled += 1,
            other => panic!("unexpected pending {other}"),
        }
    }
    assert!(
        reminders >= 40 && scheduled >= 1,
        "{reminders} reminders, {scheduled} scheduled"
    );
}

#[test]
fn history_reminders_follow_the_reminder_rule_too() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let w = SendWindow::parse("09:00-19:00", "mon-sat").unwrap();
    let mut stmt = c
        .prepare(
            "SELECT m.planned_at, e.starts_local, e.reminder_days_before FROM messages m JOIN events e ON e.id = m.event_id
             WHERE m.kind = 'reminder' ORDER BY m.id",
        )
        .unwrap();
    let rows: Vec<(i64, String, Option<i64>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(rows.len() > 1_000);
    for (planned, start, days) in rows.iter().step_by(7) {
        let start = NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M:%S").unwrap();
        let expected = window::plan_reminder(start, days.unwrap() as u32, paris(), &w).unwrap();
        assert_eq!(*planned, expected.timestamp());
    }
    // Every message that left did so inside the window.
    let mut stmt = c
        .prepare("SELECT sent_at FROM messages WHERE sent_at IS NOT NULL")
        .unwrap();
    for at in stmt.query_map([], |r| r.get::<_, i64>(0)).unwrap() {
        let at = DateTime::from_timestamp(at.unwrap(), 0).unwrap();
        assert!(
            w.is_open(at, paris()) || w.is_open(at - Duration::minutes(2), paris()),
            "sent at {} outside the window",
            local(at.timestamp())
        );
    }
}

#[test]
fn things_happen_in_a_plausible_order() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    // People are registered before their events and messages; events before their reminders.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM events e JOIN participants p ON p.id = e.participant_id WHERE e.created_at < p.created_at"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN participants p ON p.id = m.participant_id WHERE m.created_at < p.created_at"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN events e ON e.id = m.event_id WHERE m.kind IN ('reminder','follow_up') AND m.created_at < e.created_at"
        ),
        0
    );
    // Reminders leave before their event, follow-ups after it.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN events e ON e.id = m.event_id WHERE m.kind = 'reminder' AND m.planned_at >= e.starts_at"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN events e ON e.id = m.event_id WHERE m.kind = 'follow_up' AND m.planned_at <= e.starts_at"
        ),
        0
    );
    // Nobody without consent or without a mobile gets a message; free sends go to non-participants.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN participants p ON p.id = m.participant_id WHERE p.sms_consent = 0 OR p.mobile IS NULL OR p.mobile <> m.phone"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE kind = 'free' AND participant_id IS NOT NULL"
        ),
        0
    );
    // Operators only did what their rights allow: free sends by free-right holders, typed texts
    // by operators who may write.
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN operators o ON o.login = m.created_by WHERE m.kind = 'free' AND o.right_free = 0 AND o.right_admin = 0"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN operators o ON o.login = m.created_by WHERE m.kind = 'batch' AND o.right_batch = 0 AND o.right_admin = 0"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages m JOIN operators o ON o.login = m.created_by WHERE m.kind IN ('instant','scheduled') AND m.template_id IS NULL AND o.templates_only = 1 AND o.right_admin = 0"
        ),
        0
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM messages WHERE created_by NOT IN (SELECT login FROM operators)"
        ),
        0
    );
}

#[test]
fn a_few_audit_rows_say_who_did_what() {
    let d = demo().lock().unwrap_or_else(|e| e.into_inner());
    let c = &d.conn;
    let actions: BTreeSet<String> = strings(c, "SELECT DISTINCT action FROM audit_log")
        .into_iter()
        .collect();
    for a in [
        "settings.set",
        "user.add",
        "template.create",
        "automation.create",
        "credit.add",
        "message.cancel",
    ] {
        assert!(actions.contains(a), "no {a} in {actions:?}");
    }
    let unknown_actor = count(
        c,
        "SELECT count(*) FROM audit_log WHERE actor NOT IN (SELECT login FROM operators) AND actor NOT IN ('scheduler', 'simulator')",
    );
    assert_eq!(unknown_actor, 0);
}

/// Every row of every table, in a stable order.
fn dump(path: &Path) -> Vec<String> {
    let conn = open_ro(path);
    let tables = strings(
        &conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    );
    let mut out = Vec::new();
    for t in tables {
        // Every column in the order (a table of one column too: the search index's own).
        let n = conn
            .prepare(&format!("SELECT * FROM {t}"))
            .unwrap()
            .column_count();
        let order: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {t} ORDER BY {}", order.join(", ")))
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                let mut line = format!("{t}:");
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push_str(&format!("{v:?}|"));
                }
                Ok(line)
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

#[test]
fn same_seed_and_instant_give_the_same_store_other_seeds_differ() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let b = dir.path().join("b.db");
    let other = dir.path().join("c.db");
    smsdesk::demo::create(&a, 7, "admin", now()).unwrap();
    smsdesk::demo::create(&b, 7, "admin", now()).unwrap();
    smsdesk::demo::create(&other, 8, "admin", now()).unwrap();
    let (da, db) = (dump(&a), dump(&b));
    assert!(da.len() > 20_000);
    assert!(da == db, "two demo stores of the same seed differ");
    assert!(da != dump(&other), "another seed gives the same store");
}

#[test]
fn other_seeds_and_instants_still_meet_the_counts() {
    // A Sunday night in winter and a Saturday evening across the autumn DST change.
    for (seed, at) in [
        (
            3,
            Utc.with_ymd_and_hms(2026, 1, 4, 22, 30, 0)
                .single()
                .unwrap(),
        ),
        (
            99,
            Utc.with_ymd_and_hms(2025, 10, 25, 18, 45, 0)
                .single()
                .unwrap(),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let s = smsdesk::demo::create(&path, seed, "admin", at).unwrap();
        assert_eq!(
            (s.participants, s.messages_history, s.messages_pending),
            (200, 5_000, 50)
        );
        let conn = open_ro(&path);
        let from = at.timestamp();
        let to = (at + Duration::days(30)).timestamp();
        assert_eq!(
            count(
                &conn,
                &format!(
                    "SELECT count(*) FROM events WHERE starts_at > {from} AND starts_at <= {to}"
                )
            ),
            300
        );
        for st in [
            "delivered",
            "not_delivered",
            "expired",
            "failed",
            "stop",
            "cancelled",
            "unknown",
            "submitted",
        ] {
            assert!(
                count(
                    &conn,
                    &format!("SELECT count(*) FROM messages WHERE status = '{st}'")
                ) > 0,
                "seed {seed}: no {st}"
            );
        }
        assert!(s.credit_balance > 0);
    }
}

#[test]
fn refuses_to_overwrite_a_store_that_holds_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    smsdesk::demo::create(&path, 1, "admin", now()).unwrap();
    let before = dump(&path);
    let err = smsdesk::demo::create(&path, 2, "admin", now())
        .unwrap_err()
        .to_string();
    assert!(err.contains("already holds data"), "{err}");
    assert!(
        err.contains(&path.display().to_string()),
        "the message names the file: {err}"
    );
    assert!(before == dump(&path), "the store was modified");

    // A store someone started using (one operator) is refused too.
    let used = dir.path().join("used.db");
    {
        let mut store = smsdesk::store::Store::open(&used).unwrap();
        store
            .write(|tx: smsdesk::store::Db<'_>| {
                smsdesk::store::operators::add(tx, "jdoe", "J. Doe", Default::default(), now())?;
                Ok::<_, smsdesk::store::StoreError>(())
            })
            .unwrap();
    }
    let err = smsdesk::demo::create(&used, 1, "admin", now())
        .unwrap_err()
        .to_string();
    assert!(err.contains("1 operators"), "{err}");
}

#[test]
fn an_empty_store_or_an_empty_file_is_fine_and_a_foreign_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty_store = dir.path().join("empty.db");
    drop(smsdesk::store::Store::open(&empty_store).unwrap());
    smsdesk::demo::create(&empty_store, 1, "admin", now()).unwrap();

    let empty_file = dir.path().join("zero.db");
    std::fs::write(&empty_file, b"").unwrap();
    smsdesk::demo::create(&empty_file, 1, "admin", now()).unwrap();

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database, just some notes that must survive").unwrap();
    assert!(smsdesk::demo::create(&text, 1, "admin", now()).is_err());
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "not a database, just some notes that must survive"
    );
}

#[test]
fn a_bad_admin_login_is_refused_and_leaves_no_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let err = smsdesk::demo::create(&path, 1, "Jean Dupont", now())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a valid login"), "{err}");
    // Nothing half-done: the same path then takes a demo.
    smsdesk::demo::create(&path, 1, "jdupont", now()).unwrap();
}

// ---------------------------------------------------------------------------------------------
// The store insert functions the demo uses (and the core reuses) refuse bad input clearly.

fn fresh_store() -> (tempfile::TempDir, smsdesk::store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = smsdesk::store::Store::open(&dir.path().join("s.db")).unwrap();
    (dir, store)
}

fn new_template(
    name: &str,
    body: &str,
    reply: bool,
    keywords: &[(&str, &str)],
) -> smsdesk::store::templates::NewTemplate {
    smsdesk::store::templates::NewTemplate {
        name: name.into(),
        context: TemplateContext::Interview,
        body: body.into(),
        active: true,
        locked: false,
        reply_expected: reply,
        keywords: keywords
            .iter()
            .map(|(k, o)| (k.to_string(), o.to_string()))
            .collect(),
        created_by: "admin".into(),
        created_at: now(),
    }
}

#[test]
fn insert_template_normalises_keywords_and_refuses_what_cannot_work() {
    use smsdesk::store::templates::{insert_template, keywords};
    let (_dir, store) = fresh_store();
    let c = store.conn();
    let id = insert_template(
        c,
        &new_template(
            "RDV",
            "RDV le {{event.date}}. OUI ou NON ?",
            true,
            &[(" oui ! ", "confirmé"), ("Arrêt", "annulé")],
        ),
    )
    .unwrap();
    assert_eq!(
        keywords(c.into(), id).unwrap(),
        vec![
            ("ARRET".to_string(), "annulé".to_string()),
            ("OUI".to_string(), "confirmé".to_string())
        ]
    );
    let err = |t| insert_template(c, &t).unwrap_err().to_string();
    assert!(err(new_template("RDV", "x", false, &[])).contains("already exists"));
    let e = err(new_template(
        "Bad",
        "Bonjour {{participant.prenom}}",
        false,
        &[],
    ));
    assert!(e.contains("line 1") && e.contains("Bad"), "{e}");
    assert!(err(new_template("K", "x", false, &[("OUI", "ok")])).contains("reply expected"));
    // Each keyword refused is named, quoted, with what is wrong with it.
    assert_eq!(
        err(new_template("D", "x", true, &[("oui", "a"), ("OUI!", "b")])),
        "template \"D\": keyword \"OUI\" is given twice"
    );
    assert_eq!(
        err(new_template("E", "x", true, &[("?!", "a")])),
        "template \"E\": keyword \"?!\" is empty once accents and punctuation are removed"
    );
    assert_eq!(
        err(new_template("N", "x", true, &[("non", " ")])),
        "template \"N\": keyword \"NON\" needs an outcome"
    );
}

#[test]
fn insert_automation_checks_delay_kind_and_template_context() {
    use smsdesk::store::automations::{NewAutomation, insert_automation, list};
    let (_dir, store) = fresh_store();
    let c = store.conn();
    let t = smsdesk::store::templates::insert_template(
        c,
        &new_template("RDV", "RDV le {{event.date}}", false, &[]),
    )
    .unwrap();
    let rule = |kind: smsdesk::sms::status::EventKind, offset| NewAutomation {
        rule: smsdesk::store::automations::AutomationRule {
            name: "R".into(),
            event_kind: kind,
            collaborators: vec![3, 1],
            event_types: vec!["Diagnostic".into()],
            offset_days: offset,
            template_id: t,
            active: true,
            condition: Default::default(),
        },
        created_by: "admin".into(),
        created_at: now(),
    };
    insert_automation(c, &rule(smsdesk::sms::status::EventKind::Interview, -2)).unwrap();
    let a = &list(c.into()).unwrap()[0];
    assert_eq!(
        (
            a.collaborators.clone(),
            a.event_types.clone(),
            a.delay_label()
        ),
        (
            vec![3, 1],
            vec!["Diagnostic".to_string()],
            "D-2".to_string()
        )
    );
    for bad in [0, -8, 31] {
        assert!(
            insert_automation(c, &rule(smsdesk::sms::status::EventKind::Interview, bad))
                .unwrap_err()
                .to_string()
                .contains("delay")
        );
    }
    assert!(
        insert_automation(c, &rule(smsdesk::sms::status::EventKind::Step, -1))
            .unwrap_err()
            .to_string()
            .contains("written for interview")
    );
}

#[test]
fn insert_participant_event_list_and_reply_refuse_bad_rows() {
    use smsdesk::store::participants::{
        NewParticipant, NewSavedList, insert_participant, insert_saved_list,
    };
    let (_dir, store) = fresh_store();
    let c = store.conn();
    let person = |mobile: Option<&str>| NewParticipant {
        first_name: "Élodie".into(),
        last_name: "N'Diaye".into(),
        mobile: mobile.map(str::to_string),
        sms_consent: true,
        ..Default::default()
    };
    let id = insert_participant(c, &person(Some("+33612345678")), now()).unwrap();
    let p = smsdesk::store::participants::get(c.into(), id).unwrap();
    assert_eq!(
        (p.full_name(), p.mobile.as_deref()),
        ("Élodie N'Diaye".to_string(), Some("+33612345678"))
    );
    let e = insert_participant(c, &person(Some("06 12 34 56 78")), now())
        .unwrap_err()
        .to_string();
    assert!(e.contains("E.164") && e.contains("Élodie"), "{e}");

    let list = |name: &str, members: Vec<i64>| NewSavedList {
        name: name.into(),
        created_by: "admin".into(),
        created_at: now(),
        members,
    };
    insert_saved_list(c, &list("Atelier", vec![id, id])).unwrap();
    assert_eq!(
        smsdesk::store::participants::saved_lists(c.into()).unwrap()[0].members,
        1
    );
    assert!(
        insert_saved_list(c, &list("Atelier", vec![]))
            .unwrap_err()
            .to_string()
            .contains("already exists")
    );
    assert_eq!(
        insert_saved_list(c, &list("Autre", vec![999]))
            .unwrap_err()
            .to_string(),
        "saved list \"Autre\": participant #999 does not exist"
    );

    let at = now() + Duration::days(2);
    let local_at = at.with_timezone(&paris()).naive_local();
    let event = |kind: smsdesk::sms::status::EventKind, enabled: bool, days: Option<i64>| {
        smsdesk::store::events::NewEvent {
            reminder: smsdesk::store::events::ReminderSettings {
                enabled,
                days_before: days,
                ..Default::default()
            },
            ..smsdesk::store::events::NewEvent::planned(
                id,
                kind,
                "Diagnostic".into(),
                (at, local_at),
                "admin",
                now(),
            )
        }
    };
    let e_id = smsdesk::store::events::insert_event(
        c,
        &event(smsdesk::sms::status::EventKind::Interview, true, Some(1)),
    )
    .unwrap();
    let row = smsdesk::store::events::get(c.into(), e_id).unwrap();
    assert_eq!(
        row.starts_local,
        local_at.format("%Y-%m-%d %H:%M:%S").to_string()
    );
    assert!(row.reminder_enabled);
    assert!(
        smsdesk::store::events::insert_event(
            c,
            &event(smsdesk::sms::status::EventKind::Step, true, None)
        )
        .unwrap_err()
        .to_string()
        .contains("neither")
    );

    use smsdesk::sms::status::ReplyState;
    let reply = |state: ReplyState, provider_id: Option<&str>| smsdesk::store::replies::NewReply {
        from_phone: "+33612345678".into(),
        to_number: "36180".into(),
        text: "Oui".into(),
        received_at: now(),
        provider: smsdesk::gateway::ProviderKind::Simulator,
        provider_id: provider_id.map(str::to_string),
        message_id: None,
        event_id: Some(e_id),
        keyword: "OUI".into(),
        outcome: "confirmé par SMS".into(),
        state,
        review_reason: None,
        reviewed_by: None,
        reviewed_at: None,
    };
    assert!(
        smsdesk::store::replies::insert_reply(c, &reply(ReplyState::Matched, Some("in-1")))
            .unwrap()
            .is_some()
    );
    assert_eq!(
        smsdesk::store::replies::insert_reply(c, &reply(ReplyState::Matched, Some("in-1")))
            .unwrap(),
        None,
        "fetched twice, stored once"
    );
    // An unknown state cannot be written: `state` is a `ReplyState`.
}
