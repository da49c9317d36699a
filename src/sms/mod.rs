//! Pure SMS rules: no I/O, no clock, no store. Everything here is deterministic.

pub mod encoding;
pub mod holidays;
pub mod phone;
pub mod sender;
pub mod status;
pub mod template;
pub mod transliterate;
pub mod window;
