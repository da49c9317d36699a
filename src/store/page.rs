//! One keyset page of a list, in either direction: what every paged store query takes. Pages
//! are read from a key outwards, never with OFFSET, so page N costs what page 1 does.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Rows after the cursor, in list order.
    Forward,
    /// Rows before the cursor (returned in list order too).
    Backward,
}

/// One keyset page of a list: up to `limit` rows after the row keyed `after` (`Forward`), or
/// just before it (`Backward`); without a key, from the list's start (or its end).
#[derive(Clone, Copy, Debug)]
pub struct Page<'k, K> {
    pub after: Option<&'k K>,
    pub dir: Direction,
    pub limit: usize,
}

impl<'k, K> Page<'k, K> {
    pub fn forward(after: Option<&'k K>, limit: usize) -> Self {
        Page {
            after,
            dir: Direction::Forward,
            limit,
        }
    }

    pub fn backward(after: Option<&'k K>, limit: usize) -> Self {
        Page {
            after,
            dir: Direction::Backward,
            limit,
        }
    }
}

/// How a page of a list shown newest first by `(time, id)` is read: the comparison with the
/// key, the SQL order reading from the key outwards, and the key (the list's edge without one).
/// A `Backward` page comes out oldest first: [`Page::in_list_order`] turns it round.
pub struct NewestFirst {
    pub cmp: &'static str,
    pub order: &'static str,
    pub key: (i64, i64),
}

impl Page<'_, (i64, i64)> {
    pub fn newest_first(&self) -> NewestFirst {
        let (cmp, order, edge) = match self.dir {
            Direction::Forward => ("<", "DESC", i64::MAX),
            Direction::Backward => (">", "ASC", i64::MIN),
        };
        let key = self.after.copied().unwrap_or((edge, edge));
        NewestFirst { cmp, order, key }
    }
}

impl<K> Page<'_, K> {
    /// The rows read for this page, in list order (a `Backward` page is read from the key
    /// outwards, so backwards).
    pub fn in_list_order<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        if self.dir == Direction::Backward {
            rows.reverse();
        }
        rows
    }
}
