//! The pure layers stay pure: the flows, the model they speak in and the
//! view model import no I/O module of the core and no I/O, clock or
//! randomness of their own. A line that breaks the rule fails here with
//! its file and number, before it can blur the seam the shells rely on.

use std::path::{Path, PathBuf};

/// What a pure file may not name.
const FORBIDDEN: [&str; 15] = [
    "crate::host",
    "crate::journal",
    "crate::reader",
    "crate::app",
    "tokio",
    "reqwest",
    "rusqlite",
    "std::fs",
    "std::net",
    "std::thread",
    "std::time::Instant",
    "SystemTime",
    "OffsetDateTime::now",
    "rand::",
    "std::sync::Mutex",
];

/// Whether `word` occurs in `code` as a path of its own (`rand::` is not `Brand::`).
fn names(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        !code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn flows_model_and_view_do_no_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["flows", "model", "view"] {
        let dir = src.join(layer);
        if dir.exists() {
            rust_files(&dir, &mut files);
        }
    }
    assert!(files.len() >= 15, "the pure layers were found: {files:?}");
    let mut breaches = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable source");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in FORBIDDEN {
                if names(code, word) {
                    breaches.push(format!("{}:{}: {word}", file.display(), number + 1));
                }
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "I/O in a pure layer:\n{}",
        breaches.join("\n")
    );
}
