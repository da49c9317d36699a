//! How the rules' codes are stored: statuses, kinds and wait reasons as their text codes.
//! (Written here so that only the store names the database driver.)

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
