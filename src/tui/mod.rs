//! The terminal interface (being written).

use crate::clock::Clock;
use crate::config::UserConfig;
use std::path::PathBuf;

pub struct Launch {
    pub db: PathBuf,
    pub user: String,
    pub clock: Clock,
    pub user_config: UserConfig,
    pub config_problem: Option<String>,
}

pub fn run(launch: Launch) -> anyhow::Result<()> {
    let _ = crate::store::Store::open(&launch.db)?;
    Ok(())
}
