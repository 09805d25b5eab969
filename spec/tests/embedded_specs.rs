//! Specs held in memory (what an installed binary embeds) load exactly as the same files on disk.

use std::path::Path;

fn embedded() -> Vec<(&'static str, &'static str)> {
    snapbi_specs::FILES.iter().map(|f| (f.path, f.text)).collect()
}

#[test]
fn the_embedded_specs_lower_to_the_same_api_as_the_directory() {
    let shown = Path::new("specs");
    let from_disk = snapbi_spec::load(Path::new(snapbi_specs::DIR), shown).expect("the shipped specs are valid");
    let from_memory = snapbi_spec::load_files(&embedded(), shown).expect("the embedded specs are valid");
    assert_eq!(format!("{:?}", from_memory.api), format!("{:?}", from_disk.api));
    assert!(from_memory.files.is_empty(), "nothing on disk to track");
    assert!(!from_disk.files.is_empty());
}

#[test]
fn a_mistake_in_an_embedded_file_is_located_in_it() {
    let provider = snapbi_specs::file("doku/provider.yaml").expect("DOKU's provider file");
    let broken = provider.text.replacen("\nname: doku", "\nname: Doku Bank", 1);
    assert_ne!(broken, provider.text, "the file names its provider");
    let files: Vec<(&str, &str)> = embedded()
        .into_iter()
        .map(|(path, text)| (path, if path == provider.path { broken.as_str() } else { text }))
        .collect();
    let diagnostics = snapbi_spec::load_files(&files, Path::new("specs")).expect_err("a bad provider name");
    let located: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{}:{}", d.file.display(), d.line))
        .collect();
    assert!(
        located.iter().any(|l| l.starts_with("specs/doku/provider.yaml:")),
        "{located:?}"
    );
}
