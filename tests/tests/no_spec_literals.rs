//! No SNAP fact as a Rust literal: outside tests, `runtime/src` and `sandbox/src` hold no seven-digit response code,
//! no two-digit case or status code in quotes and no 900-second token lifetime. Those live in
//! `specs/common/codes.yaml` and `specs/common/standard.yaml` and reach the code as data (ARCHITECTURE.md, "Where
//! each kind of fact lives").

use std::path::{Path, PathBuf};

/// The crates whose non-test code must read SNAP facts from the specs.
const SOURCES: [&str; 2] = ["runtime/src", "sandbox/src"];

#[test]
fn runtime_and_sandbox_hold_no_snap_code_or_status_literal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for dir in SOURCES {
        for file in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&file).expect("readable source");
            for (line, hit) in literals(non_test_code(&text)) {
                found.push(format!("{}:{line}: {hit}", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "SNAP facts as Rust literals:\n{}", found.join("\n"));
}

#[test]
fn the_scan_sees_each_kind_of_literal() {
    let code = "let a = \"4017301\";\nlet b = refuse(400, \"02\");\nlet c = Duration::from_secs(900);\n// \"00\" in a comment\n";
    let hits: Vec<String> = literals(code).into_iter().map(|(_, hit)| hit).collect();
    assert_eq!(hits, ["\"4017301\"", "\"02\"", "900"]);
    assert!(
        literals(non_test_code(
            "fn f() {}\n#[cfg(test)]\nmod tests { const X: &str = \"00\"; }\n"
        ))
        .is_empty()
    );
}

/// The code before the file's `#[cfg(test)]` module (each file keeps its tests at the end).
fn non_test_code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// Each literal of a SNAP code or status (`"4017301"`, `"01"`) or of the standard token lifetime, by line number;
/// comments are skipped.
fn literals(code: &str) -> Vec<(usize, String)> {
    let mut hits = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        hits.extend(quoted_digits(code).into_iter().map(|hit| (i + 1, hit)));
        if code
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == "900")
        {
            hits.push((i + 1, "900".to_owned()));
        }
    }
    hits
}

/// Quoted runs of digits of length 7 (a response code) or 2 starting with 0 (a case or status code).
fn quoted_digits(code: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut rest = code;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let closed = after[digits..].starts_with('"');
        if closed && (digits == 7 || (digits == 2 && after.starts_with('0'))) {
            hits.push(format!("\"{}\"", &after[..digits]));
        }
        rest = &after[digits..];
    }
    hits
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}
