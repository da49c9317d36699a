//! Reusable editing widgets: the SMS composer, the keyboard form, the confirmation window.

pub mod composer;
pub mod confirm;
pub mod form;
