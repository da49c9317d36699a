//! Every list's search ignores case and accents, and finds a number typed as the screens show
//! it (issue 15): the same table of typed searches runs against Contacts, a saved list's
//! members (both ways of reading it), the Agenda, Sent, Upcoming and the template picker.

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use smsdesk::sms::encoding::Encoding;
use smsdesk::sms::status::{EventKind, MessageKind, MessageStatus};
use smsdesk::store::events::{self, EventFilter, NewEvent};
use smsdesk::store::lists::{self, MemberPlan};
use smsdesk::store::messages::{self, ListKind, MessageFilter, NewMessage};
use smsdesk::store::page::Page;
use smsdesk::store::participants::{self, NewParticipant, NewSavedList};
use smsdesk::store::{Db, Store, StoreError};
use smsdesk::tui::widgets::picker::Picker;

/// The people of the table: (first name, last name, mobile).
const PEOPLE: [(&str, &str, &str); 4] = [
    ("Benoît", "Lefèvre", "+33612345678"),
    ("Gwénolé", "Le Goff", "+33698765432"),
    ("Lætitia", "Cœurdevey", "+262692123456"),
    ("Zoé", "Martin", "+33711223344"),
];

/// What is typed, and whom it finds (first names); `numbers`: a number case, not asked of the
/// lists that do not show numbers (Agenda, the template picker).
struct Case {
    typed: &'static str,
    finds: &'static [&'static str],
    number: bool,
}

const fn name(typed: &'static str, finds: &'static [&'static str]) -> Case {
    Case {
        typed,
        finds,
        number: false,
    }
}

const fn number(typed: &'static str, finds: &'static [&'static str]) -> Case {
    Case {
        typed,
        finds,
        number: true,
    }
}

const CASES: &[Case] = &[
    name("benoit", &["Benoît"]),
    name("BENOIT", &["Benoît"]),
    name("Benoît", &["Benoît"]),
    name("benoît lefevre", &["Benoît"]),
    name("gweno", &["Gwénolé"]),
    name("GWÉNOLÉ", &["Gwénolé"]),
    name("laetitia", &["Lætitia"]),
    name("LÆTITIA", &["Lætitia"]),
    name("coeurdevey", &["Lætitia"]),
    name("zoe", &["Zoé"]),
    name("zwxq", &[]),
    number("06 12 34 56 78", &["Benoît"]),
    number("0612", &["Benoît"]),
    number("+33 6 12 34", &["Benoît"]),
    number("06.98.76", &["Gwénolé"]),
    number("0692 12 34", &["Lætitia"]),
    number("+262 692", &["Lætitia"]),
    number("07 11", &["Zoé"]),
];

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

struct Fixture {
    store: Store,
    list: i64,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("s.db")).expect("store");
    let now = at("2026-03-23T10:00:00Z");
    let list = store
        .write(|tx: Db<'_>| {
            let mut ids = Vec::new();
            for (i, (first, last, mobile)) in PEOPLE.iter().enumerate() {
                let id = participants::insert_participant(
                    tx,
                    &NewParticipant {
                        kind: smsdesk::sms::status::ParticipantKind::Participant,
                        civility: "M.".into(),
                        first_name: first.to_string(),
                        last_name: last.to_string(),
                        mobile: Some(mobile.to_string()),
                        sms_consent: true,
                        ..Default::default()
                    },
                    now,
                )?;
                ids.push(id);
                let starts = now + Duration::days(1 + i as i64);
                events::insert_event(
                    tx,
                    &NewEvent::planned(
                        id,
                        EventKind::Interview,
                        "entretien".into(),
                        (starts, starts.naive_utc()),
                        "admin",
                        now,
                    ),
                )?;
                // One message already sent (Sent) and one still to send (Upcoming) each.
                for (planned, sent) in [(now - Duration::hours(1), true), (starts, false)] {
                    let text = format!("Bonjour {first}, rendez-vous à l'agence."); // the name in the text too
                    let m = messages::insert(
                        tx,
                        &NewMessage {
                            kind: MessageKind::Instant,
                            context: "individual".into(),
                            participant_id: Some(id),
                            event_id: None,
                            batch_id: None,
                            template_id: None,
                            automation_id: None,
                            collaborator_id: None,
                            phone: mobile.to_string(),
                            recipient_name: format!("{first} {last}"),
                            chars: text.chars().count() as i64,
                            text,
                            manual_edit: false,
                            encoding: Encoding::Gsm7,
                            segments: 1,
                            sender: "AGENCE".into(),
                            expects_reply: false,
                            campaign: false,
                            created_by: "admin".into(),
                            created_at: now - Duration::hours(2),
                            planned_at: planned,
                            deadline: planned + Duration::hours(4),
                        },
                    )?;
                    if sent {
                        messages::transition(tx, m, MessageStatus::Failed, now, "test", None)?;
                    }
                }
            }
            participants::insert_saved_list(
                tx,
                &NewSavedList {
                    name: "Tous".into(),
                    created_by: "admin".into(),
                    created_at: now,
                    members: ids,
                },
            )
        })
        .map_err(|e: StoreError| e)
        .expect("fixture");
    Fixture {
        store,
        list,
        _dir: dir,
    }
}

fn first_names(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = names
        .into_iter()
        .map(|n| n.split(' ').next().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn want(case: &Case) -> Vec<String> {
    let mut w: Vec<String> = case.finds.iter().map(|s| s.to_string()).collect();
    w.sort();
    w
}

/// Runs every case against one list's search; returns the failures, each saying what was
/// typed, what was expected and what the list showed.
fn check(list: &str, numbers: bool, search: impl Fn(&str) -> Vec<String>) -> Vec<String> {
    let mut failures = Vec::new();
    for case in CASES.iter().filter(|c| numbers || !c.number) {
        let got = first_names(search(case.typed));
        if got != want(case) {
            failures.push(format!(
                "{list}: {:?} found {got:?}, expected {:?}",
                case.typed,
                want(case)
            ));
        }
    }
    failures
}

#[test]
fn every_list_finds_names_without_case_or_accents_and_numbers_as_shown() {
    let f = fixture();
    let db = f.store.db();
    let mut failures = Vec::new();

    failures.extend(check("contacts", true, |typed| {
        participants::page(db, typed, Page::forward(None, 50))
            .expect("contacts")
            .into_iter()
            .map(|p| p.first_name)
            .collect()
    }));
    for plan in [MemberPlan::WalkNames, MemberPlan::SortMembers] {
        failures.extend(check(&format!("list members ({plan:?})"), true, |typed| {
            lists::member_page(db, f.list, plan, typed, Page::forward(None, 50))
                .expect("members")
                .into_iter()
                .map(|p| p.first_name)
                .collect()
        }));
    }
    failures.extend(check("agenda", false, |typed| {
        let filter = EventFilter {
            from: 0,
            text: Some(typed.to_string()),
            ..Default::default()
        };
        events::page(db, &filter, Page::forward(None, 50))
            .expect("agenda")
            .into_iter()
            .map(|e| e.participant_name)
            .collect()
    }));
    for kind in [ListKind::Sent, ListKind::Upcoming] {
        failures.extend(check(&format!("{kind:?}"), true, |typed| {
            let filter = MessageFilter {
                text: Some(typed.to_string()),
                ..Default::default()
            };
            let rows =
                messages::page(db, kind, &filter, Page::forward(None, 50)).expect("messages");
            // The count shown with the list agrees with the rows.
            let count = messages::count(db, kind, &filter).expect("count");
            assert_eq!(count as usize, rows.len(), "{kind:?} count for {typed:?}");
            // A search found in very many messages walks the list checking each row
            // (`search_matches`) instead of reading the word index: both find the same.
            let mut by_index: Vec<i64> = rows.iter().map(|m| m.id).collect();
            by_index.sort();
            let mut checked: Vec<i64> = f
                .store
                .conn()
                .prepare(&format!(
                    "SELECT id FROM messages WHERE {} AND search_matches(?1, recipient_name, phone, text) ORDER BY id",
                    if kind == ListKind::Sent { "listed_at IS NOT NULL" } else { "status = 'pending'" }
                ))
                .expect("prepare")
                .query_map([typed], |r| r.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            checked.sort();
            assert_eq!(by_index, checked, "{kind:?}: index and row check differ for {typed:?}");
            rows.into_iter().map(|m| m.recipient_name).collect()
        }));
    }
    failures.extend(check("template picker", false, |typed| {
        let names: Vec<String> = PEOPLE
            .iter()
            .map(|(first, last, _)| format!("{first} {last}"))
            .collect();
        let mut picker = Picker::new();
        for c in typed.chars() {
            picker.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), &names);
        }
        // The picker matches the whole text typed; the table's two-word case is a name.
        picker
            .matches(&names)
            .into_iter()
            .map(|i| names[i].clone())
            .collect()
    }));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Message searches are by word beginnings: a word inside another word is not found, and a
/// message is found by any word of its text.
#[test]
fn message_search_finds_word_beginnings_of_name_number_and_text() {
    let f = fixture();
    let db = f.store.db();
    let found = |typed: &str| {
        let filter = MessageFilter {
            text: Some(typed.to_string()),
            ..Default::default()
        };
        first_names(
            messages::page(db, ListKind::Sent, &filter, Page::forward(None, 50))
                .expect("page")
                .into_iter()
                .map(|m| m.recipient_name),
        )
    };
    assert_eq!(found("agence").len(), PEOPLE.len());
    assert_eq!(found("RENDEZ-VOUS AGENCE").len(), PEOPLE.len());
    assert_eq!(found("enoit"), Vec::<String>::new());
    assert_eq!(found("%"), found(""));
    assert_eq!(found("\"benoit"), vec!["Benoît".to_string()]);
    // A word typed later in the filter narrows it further.
    assert_eq!(found("agence gwen"), vec!["Gwénolé".to_string()]);
    // One letter is a whole word (`à`), not every word beginning with it.
    assert_eq!(found("a").len(), PEOPLE.len());
    assert_eq!(found("b"), Vec::<String>::new());
    // Two letters are a whole word too; three a beginning.
    assert_eq!(found("gw"), Vec::<String>::new());
    assert_eq!(found("gwe"), vec!["Gwénolé".to_string()]);
}

/// Editing a message's text or deleting it keeps the search right (the index follows the
/// table through its triggers).
#[test]
fn the_word_index_follows_edits_and_deletions() {
    let f = fixture();
    let search = |db: Db<'_>, typed: &str| {
        let filter = MessageFilter {
            text: Some(typed.to_string()),
            ..Default::default()
        };
        messages::count(db, ListKind::Upcoming, &filter).expect("count")
    };
    assert_eq!(search(f.store.db(), "agence"), 4);
    f.store
        .conn()
        .execute(
            "UPDATE messages SET text = 'Réunion à Quimper' WHERE status = 'pending' AND recipient_name LIKE 'Zo%'",
            [],
        )
        .expect("edit");
    assert_eq!(search(f.store.db(), "agence"), 3);
    assert_eq!(search(f.store.db(), "quimper reunion"), 1);
    f.store
        .conn()
        .execute(
            "DELETE FROM message_status_history WHERE message_id IN (SELECT id FROM messages WHERE text LIKE 'R%union%');
             ",
            [],
        )
        .expect("history");
    f.store
        .conn()
        .execute("DELETE FROM messages WHERE text LIKE 'R%union%'", [])
        .expect("delete");
    assert_eq!(search(f.store.db(), "quimper"), 0);
}

/// A word found in more messages than the word index is read for walks the list instead,
/// checking each row — with several statuses, each status's rows in list order, the pages
/// merged: the pages are the same as reading everything and sorting.
#[test]
fn a_frequent_word_with_several_statuses_pages_in_list_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("s.db")).expect("store");
    let now = at("2026-03-23T10:00:00Z");
    store
        .write(|tx: Db<'_>| {
            for i in 0..9_000i64 {
                let text = if i % 3 == 0 {
                    "Bonjour, rendez-vous à l'agence".to_string()
                } else {
                    format!("Bonjour, votre dossier n°{i}")
                };
                let planned = now - Duration::minutes(10_000 - i);
                let m = messages::insert(
                    tx,
                    &NewMessage {
                        kind: MessageKind::Instant,
                        context: "individual".into(),
                        participant_id: None,
                        event_id: None,
                        batch_id: None,
                        template_id: None,
                        automation_id: None,
                        collaborator_id: None,
                        phone: format!("+336{:08}", i),
                        recipient_name: format!("Personne {i}"),
                        chars: text.chars().count() as i64,
                        text,
                        manual_edit: false,
                        encoding: Encoding::Gsm7,
                        segments: 1,
                        sender: "AGENCE".into(),
                        expects_reply: false,
                        campaign: false,
                        created_by: "admin".into(),
                        created_at: planned,
                        planned_at: planned,
                        deadline: planned + Duration::hours(4),
                    },
                )?;
                // Final at a time that is not the insertion order.
                let status = match i % 4 {
                    0 => MessageStatus::Failed,
                    1 => MessageStatus::Expired,
                    2 => MessageStatus::Cancelled,
                    _ => continue,
                };
                let done = now - Duration::minutes((i * 7919) % 10_000);
                messages::transition(tx, m, status, done, "test", None)?;
            }
            Ok::<_, StoreError>(())
        })
        .expect("fixture");
    let db = store.db();
    for typed in ["bonjour", "agence"] {
        let filter = MessageFilter {
            statuses: vec![MessageStatus::Failed, MessageStatus::Expired],
            text: Some(typed.to_string()),
            ..Default::default()
        };
        let mut want: Vec<(i64, i64)> = store
            .conn()
            .prepare(
                "SELECT listed_at, id FROM messages WHERE status IN ('failed','expired')
                 AND (text LIKE ?1 OR recipient_name LIKE ?1)",
            )
            .expect("prepare")
            .query_map([format!("%{typed}%")], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        want.sort_by(|a, b| b.cmp(a));
        let mut got = Vec::new();
        let mut cursor = None;
        for _ in 0..4 {
            let page = messages::page(
                db,
                ListKind::Sent,
                &filter,
                Page::forward(cursor.as_ref(), 50),
            )
            .expect("page");
            cursor = page.last().map(|m| ListKind::Sent.cursor_of(m));
            got.extend(page.iter().map(|m| (m.listed_at.unwrap_or(0), m.id)));
        }
        assert_eq!(got, want[..200].to_vec(), "{typed}");
        let count = messages::count(db, ListKind::Sent, &filter).expect("count");
        assert_eq!(count as usize, want.len(), "{typed}");
    }
}
