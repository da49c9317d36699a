//! The fields a template's merge data is read from: a participant, an event, a collaborator.

use super::Result;
use crate::store::Db;
use rusqlite::OptionalExtension;

/// A participant's civility, first name, last name and programme.
pub fn participant_fields(conn: Db<'_>, id: i64) -> Result<Option<[String; 4]>> {
    Ok(conn
        .query_row(
            "SELECT civility, first_name, last_name, programme FROM participants WHERE id = ?1",
            [id],
            |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
        )
        .optional()?)
}

/// An event's local start, type, location, kind and collaborator.
pub type EventFields = (String, String, String, String, Option<i64>);

pub fn event_fields(conn: Db<'_>, id: i64) -> Result<Option<EventFields>> {
    Ok(conn
        .query_row(
            "SELECT starts_local, type, location, kind, collaborator_id FROM events WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?)
}

/// A collaborator's first name, last name and phone.
pub fn collaborator_fields(
    conn: Db<'_>,
    id: i64,
) -> Result<Option<(String, String, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT first_name, last_name, phone FROM collaborators WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}
