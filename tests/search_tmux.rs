//! Typing in a filter bar narrows the list as you type (no Enter), says how many rows match,
//! and Esc gives the whole list back — in the real binary, in tmux (issue 15).

mod support;

use chrono::{Duration, Utc};
use smsdesk::sms::encoding::Encoding;
use smsdesk::sms::status::{MessageKind, MessageStatus};
use smsdesk::store::messages::{self, NewMessage};
use smsdesk::store::{Db, Store, StoreError};
use support::smsdesk::demo;
use support::tmux::{Tmux, smsdesk_command};

/// Adds one message that left (failed) to `name`, saying `text`, to the demo store.
fn add_sent(db: &std::path::Path, name: &str, phone: &str, text: &str) {
    let mut store = Store::open(db).expect("store");
    let now = Utc::now();
    store
        .write(|tx: Db<'_>| {
            let id = messages::insert(
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
                    phone: phone.into(),
                    recipient_name: name.into(),
                    text: text.into(),
                    manual_edit: false,
                    encoding: Encoding::Gsm7,
                    chars: text.chars().count() as i64,
                    segments: 1,
                    sender: "AGENCE".into(),
                    expects_reply: false,
                    campaign: false,
                    created_by: "admin".into(),
                    created_at: now - Duration::minutes(5),
                    planned_at: now - Duration::minutes(5),
                    deadline: now + Duration::hours(1),
                },
            )?;
            messages::transition(tx, id, MessageStatus::Failed, now, "test", None)?;
            Ok::<_, StoreError>(())
        })
        .expect("message");
}

#[test]
fn typing_in_the_sent_filter_narrows_the_list_without_accents_and_esc_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    add_sent(
        &db,
        "Gwénolé Zyxkwé",
        "+33612345678",
        "Bonjour Gwénolé, à jeudi.",
    );
    add_sent(
        &db,
        "Benoît Qwyzé",
        "+33698765432",
        "Bonjour Benoît, à vendredi.",
    );
    let cmd = smsdesk_command(
        "en_US.UTF-8",
        dir.path(),
        &format!("--db {} --user admin", db.display()),
    );
    let Some(t) = Tmux::start(&format!("smsdesk-search-{}", std::process::id()), &cmd) else {
        return;
    };
    t.wait_for("Dashboard");
    t.keys(&["6"]);
    t.wait_for("Benoît Qwyzé");
    t.keys(&["/"]);
    // Without accents, in capitals, and no Enter: the list follows the typing.
    t.type_text("ZYXKWE");
    let s = t.wait_in(
        "j",
        std::time::Duration::from_secs(10),
        |s| s.contains("Gwénolé Zyxkwé") && !s.contains("Benoît Qwyzé") && s.contains("1 found"),
        "the list narrowed to Gwénolé Zyxkwé, with its count",
    );
    assert!(s.contains("/ ZYXKWE"), "the filter bar stays open:\n{s}");
    // Esc clears the filter: the whole list is back, no count.
    t.keys(&["Escape"]);
    let s = t.wait_in(
        "j",
        std::time::Duration::from_secs(10),
        |s| s.contains("Benoît Qwyzé") && s.contains("Gwénolé Zyxkwé"),
        "the whole list back",
    );
    assert!(!s.contains("found"), "no count without a filter:\n{s}");
    t.quit();
}

#[test]
fn typing_in_the_contacts_filter_finds_names_without_accents() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let first_shown = {
        let mut store = Store::open(&db).expect("store");
        store
            .write(|tx: Db<'_>| {
                smsdesk::store::participants::insert_participant(
                    tx,
                    &smsdesk::store::participants::NewParticipant {
                        kind: smsdesk::sms::status::ParticipantKind::Participant,
                        civility: "M.".into(),
                        first_name: "Gwénolé".into(),
                        last_name: "Zyxkwé".into(),
                        mobile: Some("+33612345678".into()),
                        sms_consent: true,
                        ..Default::default()
                    },
                    Utc::now(),
                )
            })
            .expect("contact");
        smsdesk::store::participants::page(
            store.db(),
            "",
            smsdesk::store::page::Page::forward(None, 1),
        )
        .expect("contacts")
        .remove(0)
    };
    let cmd = smsdesk_command(
        "fr_FR.UTF-8",
        dir.path(),
        &format!("--db {} --user admin", db.display()),
    );
    let Some(t) = Tmux::start(
        &format!("smsdesk-search-contacts-{}", std::process::id()),
        &cmd,
    ) else {
        return;
    };
    t.wait_for("Tableau de bord");
    t.keys(&["c"]);
    t.wait_for(&first_shown.first_name);
    t.keys(&["/"]);
    t.type_text("zyxkwe");
    let s = t.wait_in(
        "j",
        std::time::Duration::from_secs(10),
        |s| {
            s.contains("Gwénolé")
                && !s.contains(&first_shown.first_name)
                && s.contains("1 trouvé(s)")
        },
        "the contacts narrowed to Gwénolé Zyxkwé as typed",
    );
    assert!(s.contains("/ zyxkwe"), "the filter bar stays open:\n{s}");
    t.keys(&["Escape"]);
    t.wait_for(&first_shown.first_name);
    t.quit();
}
