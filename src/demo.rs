//! The demo store (being written).

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct DemoSummary {
    pub participants: usize,
}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} participants", self.participants)
    }
}

pub fn create(
    path: &Path,
    _seed: u64,
    _admin: &str,
    _now: DateTime<Utc>,
) -> anyhow::Result<DemoSummary> {
    crate::store::Store::open(path)?;
    Ok(DemoSummary { participants: 0 })
}
