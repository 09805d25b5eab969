//! Writes `OUT_DIR/facts.md`, the fact sheet with a link definition for each source of `common/sources.yaml`, so
//! that its `[S4]` citations open the source in rustdoc as in the generated code (the links have one home: that
//! file). With the `embed` feature, also lists every `*.yaml` under this crate as `OUT_DIR/files.rs`: an array of
//! `File`s whose text is `include_str!`-ed, so a binary carries the specs and works from any directory.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("files.rs");
    println!("cargo::rerun-if-changed=build.rs");
    if let Err(e) = write_facts(&root, &out.with_file_name("facts.md")) {
        println!("cargo::error=cannot write the fact sheet: {e}");
    }
    // Without `embed` nothing else here depends on the spec files, so they are not tracked: editing an endpoint
    // must not rebuild this crate and what depends on it (see the crate docs). The fact sheet and the sources it
    // links are tracked; they change rarely.
    if std::env::var_os("CARGO_FEATURE_EMBED").is_none() {
        return;
    }
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

/// The cited documents, as `common/sources.yaml` declares them.
#[derive(serde::Deserialize)]
struct SourcesFile {
    sources: std::collections::BTreeMap<String, Source>,
}

#[derive(serde::Deserialize)]
struct Source {
    url: String,
}

fn write_facts(root: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed={}", root.join("facts.md").display());
    println!("cargo::rerun-if-changed={}", root.join("common/sources.yaml").display());
    let mut facts = std::fs::read_to_string(root.join("facts.md"))?;
    let sources: SourcesFile = serde_yaml::from_str(&std::fs::read_to_string(root.join("common/sources.yaml"))?)?;
    facts.push('\n');
    for (key, source) in &sources.sources {
        facts += &format!("[{key}]: {}\n", source.url);
    }
    std::fs::write(out, facts)?;
    Ok(())
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
