//! The list sources of the paged tabs. Forward pages come from the store's own queries; the
//! backward pages (scrolling up past the loaded window, `End`) and the batch history are
//! written here until the store grows them — same keys, same indexes, never `OFFSET`.

use super::pager::Source;
use crate::store::Db;
use crate::store::Result;
use crate::store::events::{self, EventRow};
use crate::store::messages::{self, Cursor, Direction, ListKind, MessageFilter, MessageRow};
use crate::store::participants::{self, Participant};
use crate::store::replies::{self, ReplyRow};

/// Sent or Upcoming, with the operator's filter.
pub struct MessagesSource {
    pub kind: ListKind,
    pub filter: MessageFilter,
}

impl Source for MessagesSource {
    type Row = MessageRow;
    type Key = Cursor;

    fn key(&self, row: &MessageRow) -> Cursor {
        self.kind.cursor_of(row)
    }
    fn id(&self, row: &MessageRow) -> i64 {
        row.id
    }
    fn fetch(
        &self,
        conn: Db<'_>,
        after: Option<&Cursor>,
        dir: Direction,
        limit: usize,
    ) -> Result<Vec<MessageRow>> {
        messages::page(conn, self.kind, &self.filter, after.copied(), dir, limit)
    }
}

/// Participants by name, with a name / phone search.
pub struct ParticipantsSource {
    pub search: String,
    /// Only the members of this saved list (and how to read them), when set.
    pub list: Option<(i64, crate::store::lists::MemberPlan)>,
}

type NameKey = (String, String, i64);

impl Source for ParticipantsSource {
    type Row = Participant;
    type Key = NameKey;

    fn key(&self, row: &Participant) -> NameKey {
        (row.last_name.clone(), row.first_name.clone(), row.id)
    }
    fn id(&self, row: &Participant) -> i64 {
        row.id
    }
    fn fetch(
        &self,
        conn: Db<'_>,
        after: Option<&NameKey>,
        dir: Direction,
        limit: usize,
    ) -> Result<Vec<Participant>> {
        let after = after.map(|(l, f, id)| (l.as_str(), f.as_str(), *id));
        match self.list {
            Some((list, plan)) => {
                crate::store::lists::member_page(conn, list, plan, &self.search, after, dir, limit)
            }
            None => participants::page(conn, &self.search, after, dir, limit),
        }
    }
}

/// Events from a day on, in time order.
pub struct EventsSource {
    pub filter: events::EventFilter,
}

impl Source for EventsSource {
    type Row = EventRow;
    type Key = (i64, i64);

    fn key(&self, row: &EventRow) -> (i64, i64) {
        (row.starts_at, row.id)
    }
    fn id(&self, row: &EventRow) -> i64 {
        row.id
    }
    fn fetch(
        &self,
        conn: Db<'_>,
        after: Option<&(i64, i64)>,
        dir: Direction,
        limit: usize,
    ) -> Result<Vec<EventRow>> {
        events::page(conn, &self.filter, after.copied(), dir, limit)
    }
}

/// Replies, newest first; with `state`, only those in it (review: the review list).
pub struct RepliesSource {
    pub state: Option<crate::sms::status::ReplyState>,
}

impl Source for RepliesSource {
    type Row = ReplyRow;
    type Key = (i64, i64);

    fn key(&self, row: &ReplyRow) -> (i64, i64) {
        (row.received_at, row.id)
    }
    fn id(&self, row: &ReplyRow) -> i64 {
        row.id
    }
    fn fetch(
        &self,
        conn: Db<'_>,
        after: Option<&(i64, i64)>,
        dir: Direction,
        limit: usize,
    ) -> Result<Vec<ReplyRow>> {
        replies::page(conn, self.state, after.copied(), dir, limit)
    }
}

pub use crate::store::batches::BatchSummary as BatchRow;

/// The history of batches (`kind = "batch"`) or free sends (`"free"`), newest first.
pub struct BatchesSource {
    pub kind: &'static str,
}

impl Source for BatchesSource {
    type Row = BatchRow;
    type Key = (i64, i64);

    fn key(&self, row: &BatchRow) -> (i64, i64) {
        (row.created_at, row.id)
    }
    fn id(&self, row: &BatchRow) -> i64 {
        row.id
    }
    fn fetch(
        &self,
        conn: Db<'_>,
        after: Option<&(i64, i64)>,
        dir: Direction,
        limit: usize,
    ) -> Result<Vec<BatchRow>> {
        crate::store::batches::history_page(conn, self.kind, after.copied(), dir, limit)
    }
}

/// Collaborator names by id (automations store ids).
pub fn collaborator_names(conn: Db<'_>) -> Result<std::collections::HashMap<i64, String>> {
    crate::store::screens::collaborator_names(conn)
}
