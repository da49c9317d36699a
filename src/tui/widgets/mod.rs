//! Reusable editing widgets: the SMS composer, the keyboard form, the confirmation window,
//! the quick-selection picker.

pub mod composer;
pub mod confirm;
pub mod form;
pub mod named;
pub mod picker;
pub mod send_confirm;
