//! A keyset-paged window over a list that may hold a million rows.
//!
//! Only a window of rows around the selection is in memory (at most [`Pager::capacity`]).
//! Moving the selection past the window's edge fetches the next (or previous) page *by key*
//! from the row at the edge, and drops rows from the far side — never `OFFSET`, so the end of
//! the list costs what its beginning costs.

use crate::store::Db;
use crate::store::Result;
pub use crate::store::page::Page;
use std::collections::HashSet;

/// Where a list's rows come from.
pub trait Source {
    type Row: Clone + PartialEq;
    type Key: Key;

    /// The keyset position of a row.
    fn key(&self, row: &Self::Row) -> Self::Key;
    /// A stable identity, to keep the selection on the same row across refreshes.
    fn id(&self, row: &Self::Row) -> i64 {
        self.key(row).id()
    }
    /// The rows `page` asks for, in list order.
    fn fetch(&self, conn: Db<'_>, page: Page<'_, Self::Key>) -> Result<Vec<Self::Row>>;
}

/// A keyset position. Every list orders by the row id last, to break ties: the key carries it.
pub trait Key: Clone {
    fn id(&self) -> i64;
}

impl Key for crate::store::messages::Cursor {
    fn id(&self) -> i64 {
        self.id
    }
}

impl Key for (i64, i64) {
    fn id(&self) -> i64 {
        self.1
    }
}

impl Key for (String, String, i64) {
    fn id(&self) -> i64 {
        self.2
    }
}

pub struct Pager<S: Source> {
    pub source: S,
    rows: Vec<S::Row>,
    selected: usize,
    more_before: bool,
    more_after: bool,
    page: usize,
    capacity: usize,
    loaded: bool,
    /// First row shown on screen (index into `rows`).
    offset: usize,
    /// Rows the screen showed at the last draw.
    height: usize,
    /// Key of the list's first row when the operator last had it in the window: rows before
    /// it arrived since (shown as "N new ↑" while the view is elsewhere).
    top: Option<S::Key>,
    /// Rows before `top`, up to [`NEW_CAP`].
    ahead: usize,
    /// Rows that went into the loaded window above the view since the view left the top.
    arrived: usize,
}

/// New rows are counted up to this (one indexed page read, never a full count).
pub const NEW_CAP: usize = 99;

impl<S: Source> Pager<S> {
    pub fn new(source: S, page: usize) -> Self {
        let page = page.max(1);
        Pager {
            source,
            rows: Vec::new(),
            selected: 0,
            more_before: false,
            more_after: false,
            page,
            capacity: page * 3,
            loaded: false,
            offset: 0,
            height: page,
            top: None,
            ahead: 0,
            arrived: 0,
        }
    }

    /// Rows that arrived before the loaded window since the list's first row was last in it
    /// (at most [`NEW_CAP`]: that many or more).
    pub fn new_above(&self) -> usize {
        (self.ahead + self.arrived).min(NEW_CAP)
    }

    /// Whether the screen shows the list's first row: such a list follows rows arriving in
    /// front of it.
    fn shows_top(&self) -> bool {
        self.loaded && !self.more_before && self.offset == 0
    }

    pub fn rows(&self) -> &[S::Row] {
        &self.rows
    }

    pub fn selected_index(&self) -> usize {
        self.selected
    }

    pub fn selected(&self) -> Option<&S::Row> {
        self.rows.get(self.selected)
    }

    /// Whether rows exist before the loaded window (shown as "more above").
    pub fn more_before(&self) -> bool {
        self.more_before
    }

    pub fn more_after(&self) -> bool {
        self.more_after
    }

    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// The most rows ever held at once.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Reads the list's first `want` rows for a window that starts there: nothing before it
    /// is unseen.
    fn read_top(&mut self, conn: Db<'_>, want: usize) -> Result<Vec<S::Row>> {
        let rows = self.source.fetch(conn, Page::forward(None, want))?;
        self.more_after = rows.len() == want;
        self.more_before = false;
        self.top = rows.first().map(|r| self.source.key(r));
        self.ahead = 0;
        self.arrived = 0;
        Ok(rows)
    }

    /// Loads the first page and selects its first row.
    pub fn first(&mut self, conn: Db<'_>) -> Result<()> {
        self.rows = self.read_top(conn, self.page)?;
        self.selected = 0;
        self.offset = 0;
        self.loaded = true;
        Ok(())
    }

    /// Loads the last page and selects its last row.
    pub fn last(&mut self, conn: Db<'_>) -> Result<()> {
        let rows = self.source.fetch(conn, Page::backward(None, self.page))?;
        self.more_before = rows.len() == self.page;
        self.more_after = false;
        self.rows = rows;
        self.selected = self.rows.len().saturating_sub(1);
        self.offset = self.rows.len();
        self.loaded = true;
        if self.top.is_none() {
            // Rows arriving in front from now on are new to the operator.
            self.top = self
                .source
                .fetch(conn, Page::forward(None, 1))?
                .first()
                .map(|r| self.source.key(r));
        }
        Ok(())
    }

    /// Moves the selection by `delta` rows, fetching pages by key as it crosses the window's
    /// edges. Stops at the list's ends.
    pub fn move_by(&mut self, conn: Db<'_>, delta: isize) -> Result<()> {
        if !self.loaded {
            self.first(conn)?;
        }
        let mut target = self.selected as isize + delta;
        while target >= self.rows.len() as isize && self.more_after {
            let dropped = self.fetch_after(conn)?;
            target -= dropped as isize;
        }
        while target < 0 && self.more_before {
            let added = self.fetch_before(conn)?;
            target += added as isize;
        }
        let max = self.rows.len().saturating_sub(1) as isize;
        self.selected = target.clamp(0, max.max(0)) as usize;
        Ok(())
    }

    /// Appends the next page; returns how many rows were dropped from the front.
    fn fetch_after(&mut self, conn: Db<'_>) -> Result<usize> {
        let Some(last) = self.rows.last() else {
            self.first(conn)?;
            return Ok(0);
        };
        let key = self.source.key(last);
        let more = self
            .source
            .fetch(conn, Page::forward(Some(&key), self.page))?;
        self.more_after = more.len() == self.page;
        if more.is_empty() {
            return Ok(0);
        }
        self.rows.extend(more);
        let excess = self.rows.len().saturating_sub(self.capacity);
        if excess > 0 {
            self.rows.drain(..excess);
            self.selected = self.selected.saturating_sub(excess);
            self.offset = self.offset.saturating_sub(excess);
            self.more_before = true;
        }
        Ok(excess)
    }

    /// Prepends the previous page; returns how many rows were added in front.
    fn fetch_before(&mut self, conn: Db<'_>) -> Result<usize> {
        let Some(first) = self.rows.first() else {
            self.last(conn)?;
            return Ok(0);
        };
        let key = self.source.key(first);
        let mut more = self
            .source
            .fetch(conn, Page::backward(Some(&key), self.page))?;
        self.more_before = more.len() == self.page;
        let added = more.len();
        if added == 0 {
            return Ok(0);
        }
        if !self.more_before {
            // Walked up to the list's first row: the rows in front are in the window now.
            self.top = more.first().map(|r| self.source.key(r));
            self.ahead = 0;
        }
        more.append(&mut self.rows);
        self.rows = more;
        self.selected += added;
        self.offset += added;
        if self.rows.len() > self.capacity {
            self.rows.truncate(self.capacity);
            self.more_after = true;
        }
        Ok(added)
    }

    /// Re-reads the loaded window from the store (rows may have arrived, changed status or
    /// left the list), keeping the selection on the same row when it is still there. A view
    /// showing the list's first row stays at the top, so rows arriving in front show; a view
    /// further down stays where it is and counts them ([`Pager::new_above`]). Returns whether
    /// anything visible changed.
    pub fn refresh(&mut self, conn: Db<'_>) -> Result<bool> {
        if !self.loaded || self.rows.is_empty() || self.shows_top() {
            return self.reload_from_top(conn);
        }
        let new_before = self.new_above();
        self.ahead = match &self.top {
            Some(top) => self
                .source
                .fetch(conn, Page::backward(Some(top), NEW_CAP))?
                .len(),
            None => 0,
        };
        let selected_id = self.selected().map(|r| self.source.id(r));
        let shown_id = self.rows.get(self.offset).map(|r| self.source.id(r));
        let known: HashSet<i64> = self.rows.iter().map(|r| self.source.id(r)).collect();
        let first_key = self.rows.first().map(|r| self.source.key(r));
        // The row just before the window is the anchor the window starts after.
        let anchor = match &first_key {
            Some(k) => self.source.fetch(conn, Page::backward(Some(k), 1))?.pop(),
            None => None,
        };
        let anchor_key = anchor.as_ref().map(|r| self.source.key(r));
        let want = self.rows.len().max(self.page);
        let rows = self
            .source
            .fetch(conn, Page::forward(anchor_key.as_ref(), want))?;
        self.more_before = anchor.is_some();
        self.more_after = rows.len() == want;
        if !self.more_before {
            // The window starts at the list's first row: nothing before it is unseen.
            self.top = rows.first().map(|r| self.source.key(r));
            self.ahead = 0;
        }
        let last = rows.len().saturating_sub(1);
        // The view keeps its first row; rows new to the window before it went in above.
        let offset = shown_id
            .and_then(|id| rows.iter().position(|r| self.source.id(r) == id))
            .unwrap_or(self.offset.min(last));
        self.arrived += rows[..offset]
            .iter()
            .filter(|r| !known.contains(&self.source.id(r)))
            .count();
        self.offset = offset;
        let changed = rows != self.rows || new_before != self.new_above();
        let old_index = self.selected;
        self.rows = rows;
        self.selected = selected_id
            .and_then(|id| self.rows.iter().position(|r| self.source.id(r) == id))
            .unwrap_or_else(|| old_index.min(last));
        Ok(changed)
    }

    /// The first row shown, as [`Pager::viewport`] last scrolled it.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The first row to show in a viewport of `height` rows, scrolled just enough to keep the
    /// selection visible.
    pub fn viewport(&mut self, height: usize) -> usize {
        let height = height.max(1);
        self.height = height;
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        // Never leave blank rows at the bottom while earlier rows could fill them (End).
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
        self.offset
    }

    /// Re-reads the window from the list's first row, keeping the view at the top: the cursor
    /// stays on its row while that row is still on screen, else on the same screen line.
    fn reload_from_top(&mut self, conn: Db<'_>) -> Result<bool> {
        let before = std::mem::take(&mut self.rows);
        let selected_id = before.get(self.selected).map(|r| self.source.id(r));
        let want = before.len().max(self.page);
        let rows = self.read_top(conn, want)?;
        let last = rows.len().saturating_sub(1);
        self.selected = selected_id
            .and_then(|id| rows.iter().position(|r| self.source.id(r) == id))
            .filter(|i| *i < self.height.max(1))
            .unwrap_or(self.selected.min(last));
        self.offset = 0;
        self.loaded = true;
        self.rows = rows;
        Ok(before != self.rows)
    }

    /// Drops everything: the next access reloads from the first page (a new filter).
    pub fn reset(&mut self) {
        self.rows.clear();
        self.selected = 0;
        self.offset = 0;
        self.loaded = false;
        self.more_after = false;
        self.more_before = false;
        self.top = None;
        self.ahead = 0;
        self.arrived = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::page::Direction;

    /// Numbers 0..n as a list, keyed by themselves, counting the rows each fetch returns.
    struct Numbers {
        n: i64,
        fetched: std::cell::Cell<usize>,
    }

    /// The test lists are of numbers, each its own key and id.
    impl Key for i64 {
        fn id(&self) -> i64 {
            *self
        }
    }

    impl Source for Numbers {
        type Row = i64;
        type Key = i64;
        fn key(&self, row: &i64) -> i64 {
            *row
        }
        fn fetch(&self, _: Db<'_>, page: Page<'_, i64>) -> Result<Vec<i64>> {
            let limit = page.limit;
            let rows: Vec<i64> = match (page.dir, page.after) {
                (Direction::Forward, a) => {
                    let start = a.map_or(0, |k| k + 1);
                    (start..self.n).take(limit).collect()
                }
                (Direction::Backward, a) => {
                    let end = a.copied().unwrap_or(self.n);
                    let start = (end - limit as i64).max(0);
                    (start..end).collect()
                }
            };
            self.fetched.set(self.fetched.get() + rows.len());
            Ok(rows)
        }
    }

    /// The pager only passes the handle to its source: an empty store will do.
    fn conn() -> crate::store::Store {
        crate::store::Store::open_defaults().unwrap()
    }

    #[test]
    fn walking_down_reaches_the_end_with_a_bounded_window() {
        let c = conn();
        let mut p = Pager::new(
            Numbers {
                n: 2000,
                fetched: 0.into(),
            },
            20,
        );
        p.first(c.db()).unwrap();
        for _ in 0..300 {
            p.move_by(c.db(), 10).unwrap();
            assert!(p.rows().len() <= p.capacity());
        }
        assert_eq!(p.selected(), Some(&1999));
        assert!(!p.more_after());
        // And back up to the top, page by page.
        for _ in 0..300 {
            p.move_by(c.db(), -10).unwrap();
        }
        assert_eq!(p.selected(), Some(&0));
        assert!(!p.more_before());
    }

    #[test]
    fn last_then_first_jump_without_walking() {
        let c = conn();
        let mut p = Pager::new(
            Numbers {
                n: 1_000_000,
                fetched: 0.into(),
            },
            20,
        );
        p.last(c.db()).unwrap();
        assert_eq!(p.selected(), Some(&999_999));
        p.move_by(c.db(), -25).unwrap();
        assert_eq!(p.selected(), Some(&999_974));
        p.first(c.db()).unwrap();
        assert_eq!(p.selected(), Some(&0));
        assert!(
            p.source.fetched.get() < 100,
            "only pages near the selection are read"
        );
    }

    /// A newest-first list another writer adds to (like Sent): rows 10, 20, 30… larger ones
    /// in front, room between them for rows going in further down.
    struct Live {
        rows: std::cell::RefCell<Vec<i64>>,
    }

    impl Live {
        fn new(n: i64) -> Live {
            Live {
                rows: (1..=n).rev().map(|i| i * 10).collect::<Vec<_>>().into(),
            }
        }
        /// `n` rows in front of the list.
        fn arrive(&self, n: i64) {
            let top = self.rows.borrow().first().copied().unwrap_or(0);
            for k in 1..=n {
                self.put(top + k * 10);
            }
        }
        fn put(&self, row: i64) {
            let mut rows = self.rows.borrow_mut();
            let at = rows.iter().position(|r| *r < row).unwrap_or(rows.len());
            rows.insert(at, row);
        }
    }

    impl Source for Live {
        type Row = i64;
        type Key = i64;
        fn key(&self, row: &i64) -> i64 {
            *row
        }
        fn fetch(&self, _: Db<'_>, page: Page<'_, i64>) -> Result<Vec<i64>> {
            let (rows, limit) = (self.rows.borrow(), page.limit);
            Ok(match (page.dir, page.after) {
                (Direction::Forward, None) => rows.iter().copied().take(limit).collect(),
                (Direction::Forward, Some(k)) => {
                    rows.iter().copied().filter(|r| r < k).take(limit).collect()
                }
                (Direction::Backward, a) => {
                    let before: Vec<i64> = rows
                        .iter()
                        .copied()
                        .filter(|r| a.is_none_or(|k| r > k))
                        .collect();
                    before[before.len().saturating_sub(limit)..].to_vec()
                }
            })
        }
    }

    #[test]
    fn a_list_showing_its_top_follows_rows_arriving_in_front() {
        let c = conn();
        let mut p = Pager::new(Live::new(100), 20);
        p.first(c.db()).unwrap();
        p.viewport(10);
        p.move_by(c.db(), 2).unwrap();
        assert_eq!(p.selected(), Some(&980));
        p.source.arrive(3);
        assert!(p.refresh(c.db()).unwrap());
        assert_eq!(p.viewport(10), 0, "the view stays at the top");
        assert_eq!(&p.rows()[..4], &[1030, 1020, 1010, 1000]);
        assert_eq!(p.selected(), Some(&980), "the cursor stays on its row");
        assert_eq!(p.new_above(), 0);
        // So many arrive that the cursor's row would leave the screen: the view stays at
        // the top, the cursor on the same screen line.
        p.source.arrive(20);
        p.refresh(c.db()).unwrap();
        assert_eq!(p.viewport(10), 0);
        assert_eq!(p.rows()[0], 1230);
        assert_eq!(p.selected_index(), 5);
    }

    #[test]
    fn a_list_scrolled_down_counts_rows_arriving_above_the_view_until_first() {
        let c = conn();
        let mut p = Pager::new(Live::new(1000), 20);
        p.first(c.db()).unwrap();
        p.viewport(10);
        p.move_by(c.db(), 15).unwrap();
        let offset = p.viewport(10);
        let shown = p.rows()[offset];
        p.source.arrive(3);
        p.refresh(c.db()).unwrap();
        let offset = p.viewport(10);
        assert_eq!(p.rows()[offset], shown, "the view stays where it is");
        assert_eq!(p.selected(), Some(&9850));
        assert_eq!(p.new_above(), 3);
        // Between rows above the view, not in front: counted too, the view still put.
        p.source.put(9995);
        p.refresh(c.db()).unwrap();
        let offset = p.viewport(10);
        assert_eq!(p.rows()[offset], shown);
        assert_eq!(p.new_above(), 4);
        // Further down, past the loaded window: rows in front still counted, by key.
        for _ in 0..20 {
            p.move_by(c.db(), 10).unwrap();
            p.viewport(10);
        }
        assert!(p.more_before());
        p.source.arrive(2);
        p.refresh(c.db()).unwrap();
        assert_eq!(p.new_above(), 6);
        // The count is bounded (one page read), whatever arrives.
        p.source.arrive(500);
        p.refresh(c.db()).unwrap();
        assert_eq!(p.new_above(), NEW_CAP);
        p.first(c.db()).unwrap();
        assert_eq!(p.selected(), Some(&15050));
        assert_eq!(p.new_above(), 0);
    }

    #[test]
    fn refresh_keeps_the_selected_row() {
        let c = conn();
        let mut p = Pager::new(
            Numbers {
                n: 100,
                fetched: 0.into(),
            },
            10,
        );
        p.first(c.db()).unwrap();
        p.move_by(c.db(), 35).unwrap();
        assert_eq!(p.selected(), Some(&35));
        assert!(!p.refresh(c.db()).unwrap());
        assert_eq!(p.selected(), Some(&35));
    }
}
