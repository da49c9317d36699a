//! One read boundary (issue 12 point 3): SQL and `rusqlite` live under `src/store/` only, so the
//! rest of the program talks to the store through its functions and the store can later move
//! to a server database. Test code (`#[cfg(test)]` modules, `tests.rs` files) may assert with
//! raw SQL.

use std::path::{Path, PathBuf};

/// What only the store may write: the driver, its raw connection, and SQL calls.
const FORBIDDEN: &[&str] = &[
    "rusqlite",
    ".conn()",
    ".execute(",
    ".prepare(",
    ".prepare_cached(",
    ".query_row(",
    ".query_map(",
    "execute_batch",
    "params!",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `file:line: text` for each forbidden use in `src/` outside `src/store/`.
fn violations(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("src/store/") || rel.ends_with("/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable source");
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            // A file's unit tests sit at its end: a top-level `#[cfg(test)] mod`.
            if line.starts_with("#[cfg(test)]")
                && lines
                    .get(n + 1)
                    .is_some_and(|next| next.starts_with("mod "))
            {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            if let Some(word) = FORBIDDEN.iter().find(|w| line.contains(*w)) {
                found.push(format!("{rel}:{}: `{word}` in: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn sql_and_rusqlite_stay_under_src_store() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = violations(root);
    assert!(
        found.is_empty(),
        "{} uses of the database outside src/store (move them into a store function):\n{}",
        found.len(),
        found.join("\n")
    );
}
