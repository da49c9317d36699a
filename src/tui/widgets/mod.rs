//! Windows and editors that own the keyboard while open.

pub mod confirm;
