//! Spreadsheet and CSV import and export.

pub mod import;
