//! Where input comes from: the specs directory, body files or stdin, and PEM key files.

use std::io::Read;
use std::path::{Path, PathBuf};

use snapbi_runtime::keys::{PrivateKey, PublicKey};
use snapbi_spec::Loaded;

use crate::error::Error;

/// The specs to read and how diagnostics name them.
pub struct Specs {
    /// `--specs DIR`; without it, the specs embedded in this binary.
    dir: Option<PathBuf>,
    display: PathBuf,
}

impl Specs {
    /// `--specs DIR` as given (shown as given), or the shipped specs this binary embeds (shown as `specs/…`),
    /// so an installed `snapbi` works from any directory. A directory without a `common/` of its own stands on
    /// the shipped specs ([`snapbi_spec::load_standing`]).
    pub fn new(dir: Option<PathBuf>) -> Specs {
        let display = dir.clone().unwrap_or_else(|| PathBuf::from("specs"));
        Specs { dir, display }
    }

    /// The name diagnostics give the specs directory.
    pub fn display(&self) -> &Path {
        &self.display
    }

    /// The files `loaded` was read from, as diagnostics show them (for generated-code banners).
    pub fn files_shown(&self, loaded: &Loaded) -> Vec<String> {
        let shown: Vec<PathBuf> = match &self.dir {
            Some(dir) => loaded
                .files
                .iter()
                .map(|f| self.display.join(f.strip_prefix(dir).unwrap_or(f)))
                .collect(),
            None => snapbi_specs::FILES.iter().map(|f| self.display.join(f.path)).collect(),
        };
        shown
            .iter()
            .map(|p| p.display().to_string().replace('\\', "/"))
            .collect()
    }

    /// Loads and checks the specs; diagnostics become [`Error::Specs`].
    pub fn load(&self) -> Result<Loaded, Error> {
        match &self.dir {
            Some(dir) => snapbi_spec::load_standing(dir, &self.display),
            None => {
                let files: Vec<(&str, &str)> = snapbi_specs::FILES.iter().map(|f| (f.path, f.text)).collect();
                snapbi_spec::load_files(&files, &self.display)
            }
        }
        .map_err(Error::Specs)
    }
}

/// The bytes of `path`, or of stdin for `-`; `what` names the file in errors (`body file`).
pub fn read(path: &Path, what: &str) -> Result<Vec<u8>, Error> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        return std::io::stdin()
            .read_to_end(&mut bytes)
            .map(|_| bytes)
            .map_err(|e| Error::Input(format!("cannot read {what} from stdin: {e}")));
    }
    std::fs::read(path).map_err(|e| Error::Input(format!("cannot read {what} {}: {e}", path.display())))
}

/// A request body to sign: the file's bytes, or the empty body when there is none.
pub fn body_or_empty(path: Option<&Path>) -> Result<Vec<u8>, Error> {
    path.map_or(Ok(Vec::new()), |p| read(p, "body file"))
}

fn read_pem(path: &Path, what: &str) -> Result<String, Error> {
    let bytes = read(path, what)?;
    String::from_utf8(bytes).map_err(|_| Error::Input(format!("{what} {} is not UTF-8 text (PEM)", path.display())))
}

/// The RSA private key in the PEM file at `path`.
pub fn private_key(path: &Path) -> Result<PrivateKey, Error> {
    let pem = read_pem(path, "private key file")?;
    PrivateKey::from_pem(&pem).map_err(|e| Error::Input(format!("private key file {}: {e}", path.display())))
}

/// The RSA public key in the PEM file at `path`.
pub fn public_key(path: &Path) -> Result<PublicKey, Error> {
    let pem = read_pem(path, "public key file")?;
    PublicKey::from_pem(&pem).map_err(|e| Error::Input(format!("public key file {}: {e}", path.display())))
}
