//! `snapbi-specs`: the specs snapbi ships, as data. One crate holds them so that every package that
//! generates from them, and every binary that reads them, gets the same files from crates.io.
//!
//! - [`DIR`] is where the files are on disk while this crate is built (in the workspace, or in cargo's
//!   registry cache for a dependency): a build script generates from it and reports spec mistakes at their
//!   real `file:line:col`.
//! - `FILES` (feature `embed`) carries the same files inside the binary (an installed `snapbi` CLI has
//!   them without a checkout). Paths are relative to [`DIR`], with `/` separators, sorted.
//!
//! Build scripts read [`DIR`] and leave `embed` off. Then nothing compiled here depends on what the files
//! say, so editing a spec reruns the build script that generates from it (which tracks the files it reads)
//! without rebuilding this crate and the generator above it (`snapbi-spec`, `snapbi-codegen`,
//! `snapbi-build`): about 1.3 s of every rebuild after a spec edit.
//!
//! - [`facts`] is the fact sheet the specs cite as `[facts] §N`: what the SNAP standard and the providers'
//!   public documents say, each fact with its source.
//!
//! The layout and the meaning of each key are in `README.md` beside the files.

#![forbid(unsafe_code)]

#[doc = include_str!(concat!(env!("OUT_DIR"), "/facts.md"))]
pub mod facts {}

/// One spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct File {
    /// Path below the specs directory, `/`-separated: `doku/provider.yaml`.
    pub path: &'static str,
    /// The YAML text.
    pub text: &'static str,
}

/// The directory holding the files, as it was when this crate was built.
pub const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Every shipped spec file, sorted by path.
#[cfg(feature = "embed")]
pub static FILES: &[File] = include!(concat!(env!("OUT_DIR"), "/files.rs"));

/// The shipped file at `path` (`common/codes.yaml`).
#[cfg(feature = "embed")]
pub fn file(path: &str) -> Option<&'static File> {
    FILES.iter().find(|f| f.path == path)
}

/// The providers the specs ship: the directories that hold a `provider.yaml`, sorted.
#[cfg(feature = "embed")]
pub fn providers() -> impl Iterator<Item = &'static str> {
    FILES
        .iter()
        .filter_map(|f| f.path.strip_suffix("/provider.yaml"))
        .filter(|dir| !dir.contains('/'))
}

/// The providers the specs ship: the directories that hold a `provider.yaml`, sorted (read from [`DIR`]
/// once; none if it cannot be read).
#[cfg(not(feature = "embed"))]
pub fn providers() -> impl Iterator<Item = &'static str> {
    static FOUND: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    FOUND.get_or_init(providers_on_disk).iter().map(String::as_str)
}

#[cfg(not(feature = "embed"))]
fn providers_on_disk() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(DIR) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("provider.yaml").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "embed")]
    fn the_embedded_files_are_the_files_on_disk() {
        let mut on_disk = 0;
        for file in FILES {
            let path = std::path::Path::new(DIR).join(file.path);
            let text = std::fs::read_to_string(&path).expect("an embedded file exists on disk");
            assert_eq!(text, file.text, "{}", file.path);
            on_disk += 1;
        }
        assert!(file("common/codes.yaml").is_some() && file("common/standard.yaml").is_some());
        assert!(on_disk > 30, "only {on_disk} files");
        assert!(FILES.windows(2).all(|w| w[0].path < w[1].path), "sorted");
    }

    #[test]
    fn the_shipped_providers_are_listed() {
        assert_eq!(
            providers().collect::<Vec<_>>(),
            ["dana", "doku", "doku_nonsnap", "wooshpay"]
        );
    }
}
