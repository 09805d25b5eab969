//! Where input comes from: the specs directory, body files or stdin, and PEM key files.

use std::io::Read;
use std::path::{Path, PathBuf};

use snapbi_runtime::keys::{PrivateKey, PublicKey};
use snapbi_spec::Loaded;

use crate::error::Error;

/// The workspace's own specs, used when `--specs` is not given.
const DEFAULT_SPECS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs");

/// The specs to read and how diagnostics name them.
pub struct Specs {
    dir: PathBuf,
    display: PathBuf,
}

impl Specs {
    /// `--specs DIR` as given (shown as given), or the workspace's specs (shown as `specs/…`).
    pub fn new(dir: Option<PathBuf>) -> Specs {
        match dir {
            Some(dir) => Specs {
                display: dir.clone(),
                dir,
            },
            None => Specs {
                dir: PathBuf::from(DEFAULT_SPECS),
                display: PathBuf::from("specs"),
            },
        }
    }

    /// The directory to read.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The name diagnostics give the directory.
    pub fn display(&self) -> &Path {
        &self.display
    }

    /// Loads and checks the specs; diagnostics become [`Error::Specs`].
    pub fn load(&self) -> Result<Loaded, Error> {
        snapbi_spec::load(&self.dir, &self.display).map_err(Error::Specs)
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
