//! How the rules' codes are stored: statuses, kinds and wait reasons as their text codes.
//! (Written here so that only the store names the database driver.)

use crate::gateway::ProviderKind;
use crate::sms::status::{MessageKind, MessageStatus, WaitReason};

/// Stored as its code ([`MessageStatus::as_str`]).
impl rusqlite::ToSql for MessageStatus {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for MessageStatus {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let code = value.as_str()?;
        MessageStatus::parse(code).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown message status {code:?}").into())
        })
    }
}

/// Stored as its code ([`MessageKind::as_str`]).
impl rusqlite::ToSql for MessageKind {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for MessageKind {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let code = value.as_str()?;
        MessageKind::parse(code).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown message kind {code:?}").into())
        })
    }
}

impl rusqlite::ToSql for WaitReason {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for WaitReason {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let code = value.as_str()?;
        WaitReason::parse(code).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown wait reason {code:?}").into())
        })
    }
}

/// Stored as its code ([`ProviderKind::as_str`]): the `provider` of messages and replies.
impl rusqlite::ToSql for ProviderKind {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for ProviderKind {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let code = value.as_str()?;
        ProviderKind::parse(code).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown provider {code:?}").into())
        })
    }
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
}
