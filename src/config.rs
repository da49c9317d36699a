//! Where things live, and the operator's own `config.toml` (interface preferences; the
//! organisation's settings are in the store, shared by everyone).

use serde::Deserialize;
use std::path::{Path, PathBuf};

crate::typed_messages! {
    /// Why the operator's `config.toml` was not used (texts: `[config_file]`); TOML's own
    /// words stay as the parser wrote them.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum ConfigFileProblem in "config_file" {
        CannotRead { path: String, error: String },
        BadLanguage { path: String, value: String },
        NotToml { path: String, line: usize, error: String },
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("org", "smsdesk", "smsdesk")
}

/// `--db`, else `SMSDESK_DB`, else `db` in config.toml, else the user data directory.
pub fn store_path(cli: Option<&Path>, config: &UserConfig) -> PathBuf {
    if let Some(p) = cli {
        return p.to_path_buf();
    }
    if let Ok(p) = std::env::var("SMSDESK_DB")
        && !p.is_empty()
    {
        return PathBuf::from(p);
    }
    if let Some(p) = &config.db {
        return p.clone();
    }
    project_dirs()
        .map(|d| d.data_dir().join("smsdesk.db"))
        .unwrap_or_else(|| PathBuf::from("smsdesk.db"))
}

/// The user config directory (`~/.config/smsdesk` on Linux); `SMSDESK_CONFIG_DIR` overrides it.
pub fn config_dir() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("SMSDESK_CONFIG_DIR")
        && !p.is_empty()
    {
        return Some(PathBuf::from(p));
    }
    project_dirs().map(|d| d.config_dir().to_path_buf())
}

/// Where logs go (a TUI cannot log to its terminal).
pub fn log_dir() -> PathBuf {
    if let Ok(p) = std::env::var("SMSDESK_LOG_DIR")
        && !p.is_empty()
    {
        return PathBuf::from(p);
    }
    project_dirs()
        .map(|d| d.data_dir().join("logs"))
        .unwrap_or_else(std::env::temp_dir)
}

/// The operator's preferences.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Store path when neither `--db` nor `SMSDESK_DB` is given.
    pub db: Option<PathBuf>,
    /// `fr` or `en`: overrides the store's language setting for this operator.
    pub language: Option<String>,
    /// The terminal's background, for the colour palette (`COLORFGBG` when absent).
    pub background: Option<Background>,
}

/// A terminal background: the TUI picks colours that read on it.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Background {
    Dark,
    Light,
}

impl UserConfig {
    /// Reads `config.toml` from the config directory; a broken file gives the defaults and a
    /// message for the operator (file, line, reason).
    pub fn load() -> (UserConfig, Option<ConfigFileProblem>) {
        match config_dir().map(|d| d.join("config.toml")) {
            Some(path) if path.exists() => Self::load_from(&path),
            _ => (UserConfig::default(), None),
        }
    }

    pub fn load_from(path: &Path) -> (UserConfig, Option<ConfigFileProblem>) {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                return (
                    UserConfig::default(),
                    Some(ConfigFileProblem::CannotRead {
                        path: shown,
                        error: e.to_string(),
                    }),
                );
            }
        };
        match toml::from_str::<UserConfig>(&text) {
            Ok(c) => {
                if let Some(l) = &c.language
                    && crate::i18n::Lang::parse(l).is_none()
                {
                    return (
                        UserConfig {
                            language: None,
                            ..c
                        },
                        Some(ConfigFileProblem::BadLanguage {
                            path: shown,
                            value: l.clone(),
                        }),
                    );
                }
                (c, None)
            }
            Err(e) => {
                let line = e.span().map_or(0, |s| {
                    text[..s.start.min(text.len())].matches('\n').count() + 1
                });
                (
                    UserConfig::default(),
                    Some(ConfigFileProblem::NotToml {
                        path: shown,
                        line,
                        error: e.message().to_string(),
                    }),
                )
            }
        }
    }

    /// The user's keymap file.
    pub fn keymap_path() -> Option<PathBuf> {
        config_dir().map(|d| d.join("keymap.toml"))
    }
}
