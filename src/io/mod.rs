//! Spreadsheet and CSV import and export, and the generator of large demo histories.

pub mod export;
pub mod import;
pub mod generate;
