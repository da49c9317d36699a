//! Twilio provider (work in progress).
use super::{ProviderConfig, ProviderError};
use std::time::Duration;

/// Twilio client.
#[derive(Debug)]
pub struct Twilio;

impl Twilio {
    pub fn new(_cfg: &ProviderConfig, _timeout: Duration) -> Result<Self, ProviderError> {
        Err(ProviderError::Config("not implemented yet".into()))
    }
}
