//! Reusable editing widgets: the SMS composer and the keyboard form.

pub mod composer;
pub mod form;
