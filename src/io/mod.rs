//! Spreadsheet and CSV import and export, and the generator of large demo histories.

pub mod contacts;
pub mod events;
pub mod export;
pub mod generate;
pub mod import;
