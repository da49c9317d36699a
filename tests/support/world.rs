//! The core tests' temporary store at a fixed clock: the instants they speak in, the
//! administrator, a credit pack, collaborators and participants.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use smsdesk::core::{Actor, CoreError, admin};
use smsdesk::store::participants::{self, NewCollaborator, NewParticipant};
use smsdesk::store::{Db, Store, StoreError};

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// `YYYY-MM-DD HH:MM`, local time.
pub fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// Monday 2026-03-23 11:00 in Paris (CET, UTC+1).
pub fn now() -> DateTime<Utc> {
    utc("2026-03-23T10:00:00Z")
}

/// A store `file` in a new temporary directory, and its administrator identified at [`now`].
pub fn open_store(file: &str) -> (tempfile::TempDir, Store, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join(file)).unwrap();
    let admin = Actor::identify(&mut store, "admin", now()).unwrap();
    (dir, store, admin)
}

/// `units` of credit, a "pack" bought on 1 March 2026, added by `actor` at [`now`].
pub fn add_pack(store: &mut Store, actor: &Actor, units: i64) {
    admin::add_credit(
        store,
        actor,
        units,
        "pack",
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        now(),
    )
    .unwrap();
}

/// An active collaborator; returns its id.
pub fn add_collaborator(tx: Db<'_>, first: &str, last: &str) -> Result<i64, StoreError> {
    participants::insert_collaborator(
        tx,
        &NewCollaborator {
            first_name: first.into(),
            last_name: last.into(),
            active: true,
            ..Default::default()
        },
    )
}

/// A participant `FIRST Test` who consents to SMS, with `mobile` or none.
pub fn person(first: &str, mobile: Option<&str>) -> NewParticipant {
    NewParticipant {
        kind: smsdesk::sms::status::ParticipantKind::Participant,
        first_name: first.into(),
        last_name: "Test".into(),
        mobile: mobile.map(Into::into),
        sms_consent: true,
        ..Default::default()
    }
}

/// The reason of a refusal for bad input; panics on any other error.
pub fn invalid(e: CoreError) -> String {
    match e {
        CoreError::Invalid(m) => m.to_string(),
        other => panic!("expected a refusal for bad input, got {other:?}"),
    }
}

/// The reason of a refusal for a missing right; panics on any other error.
pub fn forbidden(e: CoreError) -> String {
    match e {
        CoreError::Forbidden(m) => m.to_string(),
        other => panic!("expected a missing right, got {other:?}"),
    }
}
