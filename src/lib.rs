//! smsdesk: send and follow SMS from a terminal.
//!
//! `sms` holds the pure rules (no I/O); `store` the SQLite persistence; `core` the use cases
//! shared by the TUI and the command line; `gateway` the providers; `scheduler` the sending loop;
//! `io` spreadsheet import and export; `tui` the terminal interface.

pub mod access;
pub mod cli;
pub mod clock;
pub mod config;
pub mod core;
pub mod demo;
pub mod gateway;
pub mod i18n;
pub mod io;
pub mod keymap;
pub mod logging;
pub mod money;
pub mod scheduler;
pub mod sms;
pub mod store;
pub mod text;
pub mod tui;
