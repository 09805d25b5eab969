//! Diagnostics goldens: each broken spec in `diagnostics/cases/` is dropped into a copy of the valid
//! fixture set `diagnostics/base/` (at the path its first line names; a case of several files names each)
//! and must produce exactly the diagnostics in its `.diag` file: every problem, each at the `file:line:col`
//! of the offending value, and nothing that only follows from another problem.

mod support;

use std::path::Path;

use support::{TempDir, assert_golden, copy_dir, crate_dir};

/// Loads the base fixtures with `case` written over the file its `# file:` line names. A case may hold several
/// files, each starting with its own `# file:` line (a mistake in one file and what another file says of it).
fn diagnostics_of(case: &Path) -> String {
    let source = std::fs::read_to_string(case).expect("case file");
    assert!(
        source.starts_with("# file: "),
        "{} must start with `# file: <path in the spec set>`",
        case.display()
    );
    let dir = TempDir::new("diag");
    copy_dir(&crate_dir().join("tests/diagnostics/base"), &dir.0);
    for file in source
        .split_inclusive('\n')
        .fold(Vec::<String>::new(), |mut files, line| {
            match files.last_mut() {
                Some(file) if !line.starts_with("# file: ") => file.push_str(line),
                _ => files.push(line.to_owned()),
            }
            files
        })
    {
        let target = file
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# file: "))
            .expect("file line");
        let path = dir.0.join(target);
        // A case may add a provider of its own (a folder the base lacks).
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("case folder");
        }
        std::fs::write(path, &file).expect("write case");
    }
    match snapbi_spec::load(&dir.0, Path::new("specs")) {
        Ok(_) => panic!("{} was accepted, but it is broken", case.display()),
        Err(diagnostics) => snapbi_spec::diagnostic::render_all(&diagnostics),
    }
}

#[test]
fn the_base_fixture_is_valid() {
    let loaded = snapbi_spec::load(&crate_dir().join("tests/diagnostics/base"), Path::new("specs"));
    assert!(loaded.is_ok(), "{:?}", loaded.err());
}

#[test]
fn every_broken_spec_gives_its_located_diagnostics() {
    let cases_dir = crate_dir().join("tests/diagnostics/cases");
    let mut cases: Vec<_> = std::fs::read_dir(&cases_dir)
        .expect("cases dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 10,
        "expected the diagnostics cases, found {}",
        cases.len()
    );
    for case in cases {
        let rendered = diagnostics_of(&case);
        assert_golden(&case.with_extension("diag"), &rendered);
    }
}

#[test]
fn a_min_greater_than_max_points_at_the_max_value() {
    let rendered = diagnostics_of(&crate_dir().join("tests/diagnostics/cases/min_greater_than_max.yaml"));
    assert_eq!(
        rendered.trim(),
        "specs/acme/pay.yaml:10:83: error: request.partnerReferenceNo.max_length: min_length 10 is greater than max_length 5"
    );
}
