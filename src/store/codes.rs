//! How the rules' codes are stored: statuses, kinds, states, encodings and wait reasons as
//! their text codes. (Written here so that only the store names the database driver.)
//!
//! A code this build does not know (written by a newer one, or by hand) is read as an
//! [`UnknownCode`]; [`code`] names the column it came from, and the store's error says both
//! ([`StoreProblem::UnknownCode`](super::StoreProblem::UnknownCode)) rather than panicking.

use crate::gateway::ProviderKind;
use crate::sms::encoding::Encoding;
use crate::sms::status::{
    EventKind, MessageKind, MessageStatus, ParticipantKind, ReplyState, WaitReason,
};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};

/// A stored code no variant has: what it should have been, the code, and (once [`code`] read
/// it) the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    /// What the column holds ("message status").
    pub what: &'static str,
    pub code: String,
    pub column: Option<String>,
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}", self.what, self.code)?;
        if let Some(column) = &self.column {
            write!(f, " in column {column}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownCode {}

/// Reads the code in column `idx`; an unknown one names its column (`m.status` → `status`).
pub(crate) fn code<T: FromSql>(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T> {
    r.get(idx).map_err(|e| match e {
        rusqlite::Error::FromSqlConversionFailure(i, ty, inner) => {
            match inner.downcast::<UnknownCode>() {
                Ok(mut unknown) => {
                    unknown.column = r.as_ref().column_name(idx).ok().map(str::to_string);
                    rusqlite::Error::FromSqlConversionFailure(i, ty, unknown)
                }
                Err(inner) => rusqlite::Error::FromSqlConversionFailure(i, ty, inner),
            }
        }
        other => other,
    })
}

/// Builds a `$row` from the columns of `r` taken in order, one field each (the SELECT names
/// them in the struct's order); each read with [`code`], so a bad one names its column. One last
/// field may take the remaining columns: `field: read` is given the first of them.
macro_rules! read_in_order {
    ($r:expr, $row:ident { $($field:ident),+ $(,)? } $(, $more:ident: $read:path)? $(,)?) => {{
        let mut column = 0usize;
        let mut next = || {
            column += 1;
            column - 1
        };
        $row {
            $($field: $crate::store::codes::code($r, next())?,)+
            $($more: $read($r, next())?,)?
        }
    }};
}
pub(super) use read_in_order;

/// The [`UnknownCode`] inside a driver error, if that is what it is.
pub(super) fn unknown_code(e: &rusqlite::Error) -> Option<UnknownCode> {
    match e {
        rusqlite::Error::FromSqlConversionFailure(i, _, inner) => {
            inner.downcast_ref::<UnknownCode>().map(|u| UnknownCode {
                column: u.column.clone().or_else(|| Some(format!("#{i}"))),
                ..u.clone()
            })
        }
        _ => None,
    }
}

/// `ToSql` as the code, `FromSql` through `parse` (an unknown code is an [`UnknownCode`]).
macro_rules! stored_as_code {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl rusqlite::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let code = value.as_str()?;
                <$ty>::parse(code).ok_or_else(|| {
                    FromSqlError::Other(Box::new(UnknownCode {
                        what: $what,
                        code: code.to_string(),
                        column: None,
                    }))
                })
            }
        }
    )*};
}

stored_as_code! {
    MessageStatus => "message status",
    MessageKind => "message kind",
    WaitReason => "wait reason",
    // The `provider` of messages and replies.
    ProviderKind => "provider",
    ReplyState => "reply state",
    EventKind => "event kind",
    ParticipantKind => "participant kind",
    Encoding => "encoding",
}

/// `messages.wait_reason`: empty when the message is not held back.
pub(super) fn wait_reason(
    r: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<WaitReason>> {
    let stored: String = r.get(idx)?;
    if stored.is_empty() {
        return Ok(None);
    }
    WaitReason::parse(&stored).map(Some).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            Box::new(UnknownCode {
                what: "wait reason",
                code: stored,
                column: r.as_ref().column_name(idx).ok().map(str::to_string),
            }),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_kind_is_stored_as_its_code_and_read_back() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        for kind in ProviderKind::ALL {
            let (code, back): (String, ProviderKind) = db
                .query_row("SELECT ?1, ?1", [kind], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap();
            assert_eq!((code.as_str(), back), (kind.as_str(), kind));
        }
        let bad: rusqlite::Result<ProviderKind> = db.query_row("SELECT 'smpp'", [], |r| r.get(0));
        assert!(bad.is_err());
    }

    #[test]
    fn every_code_is_read_back_and_an_unknown_one_names_its_column() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        let back = |code: &str| -> (ReplyState, EventKind, Encoding) {
            db.query_row("SELECT ?1, 'step', 'UCS-2'", [code], |r| {
                Ok((code_of(r, 0)?, code_of(r, 1)?, code_of(r, 2)?))
            })
            .unwrap()
        };
        fn code_of<T: FromSql>(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<T> {
            code(r, i)
        }
        assert_eq!(
            back("review"),
            (ReplyState::Review, EventKind::Step, Encoding::Ucs2)
        );
        let err = db
            .query_row("SELECT 'later' AS state", [], |r| code::<ReplyState>(r, 0))
            .unwrap_err();
        let unknown = unknown_code(&err).unwrap();
        assert_eq!(
            unknown,
            UnknownCode {
                what: "reply state",
                code: "later".into(),
                column: Some("state".into()),
            }
        );
        let store: super::super::StoreError = err.into();
        assert!(store.to_string().contains("\"later\""), "{store}");
        assert!(store.to_string().contains("state"), "{store}");
    }
}
