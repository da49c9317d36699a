//! The screen snapshots (tests/snapshots/*.snap) as the typography, date and language checks
//! walk them: each one's name, language and screen (insta's header left out).

use std::path::Path;

/// The language a snapshot's name says (`…_fr`, `…_fr_…`, `…_en`, `…_en_…`), if one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    French,
    English,
}

pub struct Snapshot {
    /// The file name, `tui_snapshots__fr_detail.snap`.
    pub name: String,
    pub language: Option<Language>,
    /// The whole file.
    pub text: String,
}

impl Snapshot {
    /// The screen: what follows insta's header.
    pub fn screen(&self) -> &str {
        let text = self.text.as_str();
        text.strip_prefix("---")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map_or(text, |(_, screen)| screen)
    }
}

/// Every snapshot, in name order.
pub fn all() -> Vec<Snapshot> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("snapshots readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "snap"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let stem = name.trim_end_matches(".snap");
            let says = |code: &str| {
                stem.ends_with(&format!("_{code}")) || stem.contains(&format!("_{code}_"))
            };
            let language = match (says("fr"), says("en")) {
                (true, false) => Some(Language::French),
                (false, true) => Some(Language::English),
                _ => None,
            };
            let text = std::fs::read_to_string(&path).expect("snapshot readable");
            Snapshot {
                name,
                language,
                text,
            }
        })
        .collect()
}
