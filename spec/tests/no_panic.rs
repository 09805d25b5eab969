//! Broken specs give diagnostics, never a panic: random edits of the fixture spec set (truncations,
//! replaced characters, duplicated and dropped lines) must all load to `Ok` or to located diagnostics.

mod support;

use std::path::Path;

use proptest::prelude::*;
use support::{TempDir, copy_dir, crate_dir};

const FILES: [&str; 6] = [
    "common/codes.yaml",
    "common/standard.yaml",
    "common/types.yaml",
    "acme/provider.yaml",
    "acme/token.yaml",
    "acme/pay.yaml",
];
const NOISE: [&str; 12] = [
    ":",
    "{",
    "}",
    "[",
    "]",
    "- ",
    "\"",
    "'",
    "\n",
    "\t",
    "0",
    "type: Amount",
];

#[derive(Debug, Clone)]
enum Edit {
    Truncate(usize),
    Replace(usize, usize),
    DuplicateLine(usize),
    DropLine(usize),
}

fn apply(text: &str, edit: &Edit) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match edit {
        Edit::Truncate(at) => text.chars().take(at % (text.chars().count() + 1)).collect(),
        Edit::Replace(at, noise) => {
            let at = at % text.chars().count().max(1);
            text.chars()
                .take(at)
                .chain(NOISE[noise % NOISE.len()].chars())
                .chain(text.chars().skip(at + 1))
                .collect()
        }
        Edit::DuplicateLine(i) => {
            let i = i % lines.len().max(1);
            lines
                .iter()
                .take(i + 1)
                .chain(lines.iter().skip(i))
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        }
        Edit::DropLine(i) => {
            let i = i % lines.len().max(1);
            lines
                .iter()
                .enumerate()
                .filter(|(n, _)| *n != i)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Replace(a, b)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        any::<usize>().prop_map(Edit::DropLine),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("SNAPBI_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(96), ..ProptestConfig::default() })]

    #[test]
    fn edited_specs_load_or_report_never_panic(file in 0..FILES.len(), edits in proptest::collection::vec(edit(), 1..4)) {
        let dir = TempDir::new("no-panic");
        copy_dir(&crate_dir().join("tests/diagnostics/base"), &dir.0);
        let path = dir.0.join(FILES[file]);
        let mut text = std::fs::read_to_string(&path).expect("fixture");
        for e in &edits {
            text = apply(&text, e);
        }
        std::fs::write(&path, &text).expect("write");
        if let Err(diagnostics) = snapbi_spec::load(&dir.0, Path::new("specs")) {
            prop_assert!(!diagnostics.is_empty());
            for d in &diagnostics {
                // Every diagnostic points into a real file at a 1-based position.
                prop_assert!(d.line >= 1 && d.col >= 1, "{d}");
                prop_assert!(d.file.starts_with("specs"), "{d}");
            }
        }
    }
}
