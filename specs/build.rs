//! With the `embed` feature, lists every `*.yaml` under this crate as `OUT_DIR/files.rs`: an array of
//! `File`s whose text is `include_str!`-ed, so a binary carries the specs and works from any directory.

use std::path::{Path, PathBuf};

fn main() {
    // Without `embed` nothing here depends on the files, so they are not tracked: editing one must not
    // rebuild this crate and what depends on it (see the crate docs).
    if std::env::var_os("CARGO_FEATURE_EMBED").is_none() {
        println!("cargo::rerun-if-changed=build.rs");
        return;
    }
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("files.rs");
    let mut files = Vec::new();
    if let Err(e) = collect(&root, &root, &mut files) {
        println!("cargo::error=cannot read {}: {e}", root.display());
        return;
    }
    files.sort();
    let mut code = String::from("&[\n");
    for relative in &files {
        let absolute = root.join(relative);
        println!("cargo::rerun-if-changed={}", absolute.display());
        code += &format!(
            "    File {{ path: {:?}, text: include_str!({:?}) }},\n",
            relative.replace('\\', "/"),
            absolute.display().to_string()
        );
    }
    code += "]\n";
    // A new file in a directory changes the directory: list them again.
    println!("cargo::rerun-if-changed={}", root.display());
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo::error=cannot write {}: {e}", out.display());
    }
}

/// Every `*.yaml` below `dir`, as paths relative to `root`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            out.push(relative.display().to_string());
        }
    }
    Ok(())
}
