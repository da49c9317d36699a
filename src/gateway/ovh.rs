//! Ovh provider (work in progress).
use super::{ProviderConfig, ProviderError};
use std::time::Duration;

/// Ovh client.
#[derive(Debug)]
pub struct Ovh;

impl Ovh {
    pub fn new(_cfg: &ProviderConfig, _timeout: Duration) -> Result<Self, ProviderError> {
        Err(ProviderError::Config("not implemented yet".into()))
    }
}
