//! `snapbi init PROVIDER`: write a starter provider (provider file, B2B token, one endpoint) for a
//! maintainer to edit, modelled on the example provider (examples/own-provider) and standing on the
//! shipped specs.

use std::path::{Path, PathBuf};

use crate::error::{Error, Outcome, Status, print, print_err};

/// The starter's files: (path below the provider's folder, template). The templates are the one home of the
/// starter's text; `{{name}}` and `{{title}}` are replaced. A test keeps them equal to the example provider's
/// files, comments, titles and top-level docs aside.
const FILES: [(&str, &str); 3] = [
    ("provider.yaml", include_str!("../templates/provider.yaml")),
    ("token/b2b.yaml", include_str!("../templates/token/b2b.yaml")),
    (
        "balance-inquiry.yaml",
        include_str!("../templates/balance-inquiry.yaml"),
    ),
];

#[derive(clap::Args)]
pub struct Args {
    /// The provider's name: lowercase snake_case (`bank_xyz`), its folder and the first segment of its ids.
    #[arg(value_name = "PROVIDER")]
    provider: String,
    /// The specs directory the provider's folder is written into.
    #[arg(long, value_name = "DIR", default_value = "specs")]
    dir: PathBuf,
    /// Overwrite the starter's files where they exist.
    #[arg(long)]
    force: bool,
}

/// Writes `DIR/PROVIDER/{provider.yaml, token/b2b.yaml, balance-inquiry.yaml}`, then prints them and the
/// next commands. Exit 2 for a name the spec loader would refuse, a provider snapbi ships (unless DIR stands
/// alone, with a common/ of its own), or a file that exists (without `--force`); nothing is written then.
pub fn run(args: &Args) -> Outcome {
    let name = args.provider.as_str();
    if !is_provider_name(name) {
        return Err(Error::Input(format!(
            "provider name `{name}` is not a snake_case identifier: lowercase letters, digits and `_`, \
             beginning with a letter (e.g. `bank_xyz`)"
        )));
    }
    // A folder with a common/ of its own stands alone (the loader's rule): the shipped providers are not there.
    let stands_alone = args.dir.join("common/codes.yaml").is_file();
    if !stands_alone && snapbi_specs::providers().any(|p| p == name) {
        // Standing on the shipped specs, a folder of the same name replaces the shipped provider's files at the
        // same paths (provider.yaml, token/b2b.yaml) under the shipped endpoints written for them, which then
        // fail to check (records, envelopes, types the starter lacks).
        return Err(Error::Input(format!(
            "`{name}` is a provider snapbi ships: {}/{name}/ would replace the shipped provider's files under \
             its shipped endpoints. Choose another name (e.g. `{name}_own`)",
            shown(&args.dir)
        )));
    }
    let folder = args.dir.join(name);
    let targets: Vec<(PathBuf, String)> = FILES
        .iter()
        .map(|(path, template)| (folder.join(path), render(template, name)))
        .collect();
    let existing: Vec<String> = targets
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| shown(path))
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(Error::Input(format!(
            "{} already {}; nothing written (--force overwrites)",
            existing.join(", "),
            if existing.len() == 1 { "exists" } else { "exist" }
        )));
    }
    let mut written = String::new();
    for (path, text) in &targets {
        write(path, text)?;
        written += &format!("wrote {}\n", shown(path));
    }
    if stands_alone {
        print_err(&format!(
            "note: {} has a common/ of its own: the specs there stand alone instead of on the shipped specs\n",
            shown(&args.dir)
        ));
    }
    let dir = shown(&args.dir);
    print(&format!(
        "{written}\n\
         Edit them (base URLs, headers, signature recipes, fields, codes: the comments say what); no common/ \
         is needed, the shipped specs are used. Then:\n\
         \x20 snapbi check --specs {dir}\n\
         \x20 snapbi list --specs {dir}\n\
         \x20 snapbi sandbox --specs {dir} --provider {name}\n\
         and in your crate's build.rs: snapbi_build::generate(\"{dir}\");\n"
    ))?;
    Ok(Status::Pass)
}

/// A provider name as the spec loader accepts it (`is_snake` in snapbi-spec's lowering, which it does not
/// export): a lowercase ASCII letter, then lowercase letters, digits and `_`.
fn is_provider_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The display title of a provider name: its words capitalised (`bank_xyz` → `Bank Xyz`).
fn title(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map_or(String::new(), |c| c.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A template with the provider's name and title in.
fn render(template: &str, name: &str) -> String {
    template.replace("{{name}}", name).replace("{{title}}", &title(name))
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    let fail = |e: std::io::Error| Error::Input(format!("cannot write {}: {e}", shown(path)));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    std::fs::write(path, text).map_err(fail)
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_titles() {
        for ok in ["nusantara", "bank_xyz", "b2", "a_"] {
            assert!(is_provider_name(ok), "{ok}");
        }
        for bad in ["", "Bank", "2bank", "_bank", "bank-xyz", "bank.xyz", "bänk", "bank xyz"] {
            assert!(!is_provider_name(bad), "{bad}");
        }
        assert_eq!(title("nusantara"), "Nusantara");
        assert_eq!(title("bank_xyz_2"), "Bank Xyz 2");
        assert_eq!(title("a__b_"), "A B");
    }

    #[test]
    fn every_placeholder_is_replaced() {
        for (path, template) in FILES {
            let text = render(template, "bank_xyz");
            assert!(!text.contains("{{") && !text.contains("}}"), "{path}");
            assert!(!text.contains("nusantara"), "{path}");
        }
    }

    /// The starter rendered for `nusantara` is the example provider's files, once comments, blank lines,
    /// `title:` and the top-level `doc:` (the example's prose, the starter's TODO) are left out of both.
    #[test]
    fn the_starter_is_the_example_provider() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/own-provider/specs/nusantara");
        for (path, template) in FILES {
            let Ok(file) = std::fs::read_to_string(example.join(path)) else {
                // Built from a package without the repository around it.
                return;
            };
            assert_eq!(skeleton(&render(template, "nusantara")), skeleton(&file), "{path}");
        }
    }

    fn skeleton(yaml: &str) -> Vec<&str> {
        let mut kept = Vec::new();
        let mut in_top_doc = false;
        for line in yaml.lines() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let top_level = trimmed.len() == line.len();
            if in_top_doc && !top_level {
                continue;
            }
            in_top_doc = line.starts_with("doc:");
            if !(in_top_doc || line.starts_with("title:")) {
                kept.push(line.trim_end());
            }
        }
        kept
    }
}
