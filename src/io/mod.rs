//! Spreadsheet and CSV import and export.

pub mod contacts;
pub mod events;
pub mod export;
pub mod import;
pub mod issue;
