//! Replies (inbound SMS). Every reply is kept.

use super::codes::code;
use super::page::{NewestFirst, Page};
use super::{Result, ts};
use crate::gateway::ProviderKind;
use crate::sms::status::ReplyState;
use crate::store::Db;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

crate::typed_messages! {
    /// Why a reply waits for an operator's review (texts: `[review_reason]`). Stored with the
    /// reply as its JSON (the serde tag `code` is the catalogue key), an empty text when it
    /// needs no review; shown in the reader's language.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "code", rename_all = "snake_case")]
    pub enum ReviewReason in "review_reason" {
        EmptyReply,
        SaysMore { text: String, keyword: String },
        NotAlone { keyword: String, text: String },
        NoKeyword,
        SeveralKeywords,
        StopAmongOtherWords,
        SeveralAppointments { count: usize },
        /// A reason recorded before reasons had codes, recognised as none of them: shown as is.
        Text { text: String },
    }
}

/// Reads an English review reason's values back into its reason.
type ReviewParse = fn(&[String]) -> Option<ReviewReason>;

/// The English review reasons with values written before they had codes (as their catalogue
/// templates), each with how its values become the reason's fields.
const REVIEW_ENGLISH: &[(&str, ReviewParse)] = &[
    ("\"{text}\" says more than the keyword {keyword}", |v| {
        Some(ReviewReason::SaysMore {
            text: v.first()?.clone(),
            keyword: v.get(1)?.clone(),
        })
    }),
    ("keyword {keyword} is not alone in \"{text}\"", |v| {
        Some(ReviewReason::NotAlone {
            keyword: v.first()?.clone(),
            text: v.get(1)?.clone(),
        })
    }),
    (
        "{count} appointments are waiting for an answer from this number",
        |v| {
            Some(ReviewReason::SeveralAppointments {
                count: v.first()?.parse().ok()?,
            })
        },
    ),
];

impl ReviewReason {
    /// The stored form: the reason's JSON.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored reason: `None` for an empty text; a text that is not a reason's JSON
    /// (written by a build that did not know its code) is read as English
    /// ([`ReviewReason::from_english`]).
    pub fn from_stored(stored: &str) -> Option<ReviewReason> {
        if stored.is_empty() {
            return None;
        }
        Some(serde_json::from_str(stored).unwrap_or_else(|_| ReviewReason::from_english(stored)))
    }

    /// The reason an English text written before reasons had codes stands for (migration 6),
    /// its values parsed back; anything else kept as [`ReviewReason::Text`].
    pub fn from_english(text: &str) -> ReviewReason {
        use ReviewReason::*;
        let exact = match text {
            "empty reply" => Some(EmptyReply),
            // The second one was written by the demo.
            "no keyword recognised" | "no keyword in the reply" => Some(NoKeyword),
            "several keywords" => Some(SeveralKeywords),
            "\"stop\" among other words: opt the number out from Contacts if that is what they ask" => {
                Some(StopAmongOtherWords)
            }
            _ => None,
        };
        let parsed = || {
            REVIEW_ENGLISH
                .iter()
                .find_map(|(template, parse)| parse(&super::notes::holes(template, text)?))
        };
        exact.or_else(parsed).unwrap_or_else(|| Text {
            text: text.to_string(),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplyRow {
    pub id: i64,
    pub from_phone: String,
    pub participant_name: String,
    pub text: String,
    pub received_at: i64,
    pub state: ReplyState,
    pub outcome: String,
    pub message_id: Option<i64>,
    pub event_id: Option<i64>,
    /// Why it waits for a review, if it does.
    pub review_reason: Option<ReviewReason>,
}

const COLUMNS: &str = "r.id, r.from_phone,
    COALESCE((SELECT p.first_name || ' ' || p.last_name FROM participants p WHERE p.mobile = r.from_phone LIMIT 1), ''),
    r.text, r.received_at, r.state, r.outcome, r.message_id, r.event_id, r.review_reason";

fn row(r: &rusqlite::Row) -> rusqlite::Result<ReplyRow> {
    Ok(ReplyRow {
        id: r.get(0)?,
        from_phone: r.get(1)?,
        participant_name: r.get(2)?,
        text: r.get(3)?,
        received_at: r.get(4)?,
        state: code(r, 5)?,
        outcome: r.get(6)?,
        message_id: r.get(7)?,
        event_id: r.get(8)?,
        review_reason: ReviewReason::from_stored(&r.get::<_, String>(9)?),
    })
}

/// Replies newest first, optionally only those in `state`: up to `limit` after the keyset
/// `(received_at, id)` (`Forward`; from the newest without one), or just before it
/// (`Backward`, scrolling back up; from the oldest without one), returned newest first.
pub fn page(
    conn: Db<'_>,
    state: Option<ReplyState>,
    page: Page<'_, (i64, i64)>,
) -> Result<Vec<ReplyRow>> {
    let NewestFirst { cmp, order, key } = page.newest_first();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM replies r
         WHERE (?1 IS NULL OR r.state = ?1) AND (r.received_at, r.id) {cmp} (?2, ?3)
         ORDER BY r.received_at {order}, r.id {order} LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(params![state, key.0, key.1, page.limit as i64], row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page.in_list_order(rows))
}

// ---------------------------------------------------------------------------------------------
// Inserts (reply intake, simulator, demo store)

/// A reply to record. Only the insert: matching it to a message, setting the event's outcome
/// and the opt-out are the caller's (they happen in the same transaction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReply {
    /// E.164 number it came from.
    pub from_phone: String,
    /// Our number it was sent to (the reply number).
    pub to_number: String,
    pub text: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub provider: ProviderKind,
    /// The provider's id, unique per provider: a reply fetched twice is stored once.
    pub provider_id: Option<String>,
    pub message_id: Option<i64>,
    pub event_id: Option<i64>,
    /// Normalised keyword that matched, if any.
    pub keyword: String,
    pub outcome: String,
    pub state: ReplyState,
    pub review_reason: Option<ReviewReason>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Records a reply; returns its id, or `None` when the provider already gave a reply with the
/// same provider id (fetched twice).
pub fn insert_reply<'c>(conn: impl Into<Db<'c>>, r: &NewReply) -> Result<Option<i64>> {
    let conn: Db<'c> = conn.into();
    let t = super::ts;
    let n = conn
        .prepare_cached(
            "INSERT INTO replies(from_phone, to_number, text, received_at, provider, provider_id, message_id, event_id,
                keyword, outcome, state, review_reason, reviewed_by, reviewed_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            r.from_phone,
            r.to_number,
            r.text,
            t(r.received_at),
            r.provider,
            r.provider_id,
            r.message_id,
            r.event_id,
            r.keyword,
            r.outcome,
            r.state,
            r.review_reason
                .as_ref()
                .map(ReviewReason::to_stored)
                .unwrap_or_default(),
            r.reviewed_by,
            r.reviewed_at.map(t),
        ])?;
    Ok((n == 1).then(|| conn.last_insert_rowid()))
}

/// The reply a provider already gave with this id, if any.
pub fn find_by_provider_id(
    conn: Db<'_>,
    provider: ProviderKind,
    provider_id: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM replies WHERE provider = ?1 AND provider_id = ?2",
            params![provider, provider_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records an inbound SMS as received; returns its id.
#[allow(clippy::too_many_arguments)]
pub fn insert_inbound(
    conn: Db<'_>,
    from_phone: &str,
    to_number: &str,
    text: &str,
    received: DateTime<Utc>,
    provider: ProviderKind,
    provider_id: Option<&str>,
    state: ReplyState,
    reason: Option<&ReviewReason>,
) -> Result<i64> {
    let reason = reason.map(ReviewReason::to_stored).unwrap_or_default();
    conn.execute(
        "INSERT INTO replies(from_phone, to_number, text, received_at, provider, provider_id, state, review_reason)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
        params![from_phone, to_number, text, ts(received), provider, provider_id, state, reason],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A message waiting for a reply: its id, event and template.
pub type OpenQuestion = (i64, Option<i64>, Option<i64>);

/// Messages to `phone` expecting a reply, sent between `since` and `until`, not yet answered,
/// newest first.
pub fn open_questions(
    conn: Db<'_>,
    phone: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OpenQuestion>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, event_id, template_id FROM messages
                 WHERE phone = ?1 AND expects_reply = 1 AND sent_at IS NOT NULL AND sent_at >= ?2 AND sent_at <= ?3
                   AND reply_id IS NULL AND status IN ('submitted','delivered','unknown')
                 ORDER BY sent_at DESC, id DESC",
    )?;
    let open = stmt
        .query_map(params![phone, ts(since), ts(until)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(open)
}

/// Ties a reply to the message (and event) it answers.
pub fn link(conn: Db<'_>, id: i64, message_id: i64, event_id: Option<i64>) -> Result<()> {
    conn.execute(
        "UPDATE replies SET message_id = ?2, event_id = ?3 WHERE id = ?1",
        params![id, message_id, event_id],
    )?;
    Ok(())
}

/// Ties a reply to the message it answers, with the keyword it matched and its outcome.
pub fn link_matched(
    conn: Db<'_>,
    id: i64,
    message_id: i64,
    event_id: Option<i64>,
    keyword: &str,
    outcome: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE replies SET message_id = ?2, event_id = ?3, keyword = ?4, outcome = ?5 WHERE id = ?1",
        params![id, message_id, event_id, keyword, outcome],
    )?;
    Ok(())
}

/// Marks a message as answered by `reply_id`, unless an earlier reply answered it.
pub fn answer_message(conn: Db<'_>, message_id: i64, reply_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE messages SET reply_id = ?2 WHERE id = ?1 AND reply_id IS NULL",
        params![message_id, reply_id],
    )?;
    Ok(())
}

/// A reply as its review needs it: state, event id, text, received at (Unix seconds).
pub type ReviewHead = (ReplyState, Option<i64>, String, i64);

pub fn for_review(conn: Db<'_>, id: i64) -> Result<Option<ReviewHead>> {
    Ok(conn
        .query_row(
            "SELECT state, event_id, text, received_at FROM replies WHERE id = ?1",
            [id],
            |r| Ok((code(r, 0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?)
}

/// Settles a reply under review.
pub fn resolve(
    conn: Db<'_>,
    id: i64,
    outcome: &str,
    reviewed_by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "UPDATE replies SET state = ?5, outcome = ?2, reviewed_by = ?3, reviewed_at = ?4 WHERE id = ?1",
        params![id, outcome, reviewed_by, ts(now), ReplyState::Resolved],
    )?;
    Ok(())
}

/// The reply keywords and their outcomes of the template of the message a reply answers
/// (empty when it answers none, or a text without keywords), by keyword.
pub fn keyword_outcomes(conn: Db<'_>, reply_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.keyword, k.outcome FROM replies r
           JOIN messages m ON m.id = r.message_id
           JOIN template_keywords k ON k.template_id = m.template_id
          WHERE r.id = ?1 ORDER BY k.keyword",
    )?;
    let rows = stmt.query_map([reply_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
