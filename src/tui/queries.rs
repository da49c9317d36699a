//! The list sources of the paged tabs: each hands the pager's keyset `Page` (forward, or
//! backward when scrolling up past the loaded window or on `End`) to the store's own query for
//! its list — same keys, same indexes, never `OFFSET`.

use super::pager::{Page, Source};
use crate::store::Db;
use crate::store::Result;
use crate::store::batches;
use crate::store::events::{self, EventRow};
use crate::store::messages::{self, Cursor, ListKind, MessageFilter, MessageRow};
use crate::store::participants::{self, NameKey, Participant};
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
    fn fetch(&self, conn: Db<'_>, at: Page<'_, Cursor>) -> Result<Vec<MessageRow>> {
        messages::page(conn, self.kind, &self.filter, at)
    }
}

/// Participants by name, with a name / phone search.
pub struct ParticipantsSource {
    pub search: String,
    /// Only the members of this saved list (and how to read them), when set.
    pub list: Option<(i64, crate::store::lists::MemberPlan)>,
}

impl Source for ParticipantsSource {
    type Row = Participant;
    type Key = NameKey;

    fn key(&self, row: &Participant) -> NameKey {
        (row.last_name.clone(), row.first_name.clone(), row.id)
    }
    fn fetch(&self, conn: Db<'_>, at: Page<'_, NameKey>) -> Result<Vec<Participant>> {
        match self.list {
            Some((list, plan)) => {
                crate::store::lists::member_page(conn, list, plan, &self.search, at)
            }
            None => participants::page(conn, &self.search, at),
        }
    }
}

/// The [`Source`] of a list ordered by one of its rows' times then id, whose page is read by
/// `$page` (given the source and the page as the names between the bars).
macro_rules! by_time {
    ($source:ty, $row:ty, $time:ident, |$s:ident, $conn:ident, $at:ident| $page:expr) => {
        impl Source for $source {
            type Row = $row;
            type Key = (i64, i64);

            fn key(&self, row: &$row) -> (i64, i64) {
                (row.$time, row.id)
            }
            fn fetch(&self, conn: Db<'_>, at: Page<'_, (i64, i64)>) -> Result<Vec<$row>> {
                let ($s, $conn, $at) = (self, conn, at);
                $page
            }
        }
    };
}

/// Events from a day on, in time order.
pub struct EventsSource {
    pub filter: events::EventFilter,
}

by_time!(EventsSource, EventRow, starts_at, |s, conn, at| {
    events::page(conn, &s.filter, at)
});

/// Replies, newest first; with `state`, only those in it (review: the review list).
pub struct RepliesSource {
    pub state: Option<crate::sms::status::ReplyState>,
}

by_time!(RepliesSource, ReplyRow, received_at, |s, conn, at| {
    replies::page(conn, s.state, at)
});

pub use crate::store::batches::BatchSummary as BatchRow;

/// The history of batches (`kind = "batch"`) or free sends (`"free"`), newest first.
pub struct BatchesSource {
    pub kind: &'static str,
}

by_time!(BatchesSource, BatchRow, created_at, |s, conn, at| {
    batches::history_page(conn, s.kind, at)
});

/// Collaborator names by id (automations store ids).
pub fn collaborator_names(conn: Db<'_>) -> Result<std::collections::HashMap<i64, String>> {
    crate::store::screens::collaborator_names(conn)
}
