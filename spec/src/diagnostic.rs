//! Located spec problems, printed the way rustc prints errors: `file:line:col: error: path: message`.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a spec file, pointing at the offending value itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file, as the user named it (relative to the specs root's parent when possible).
    pub file: PathBuf,
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column of the offending value.
    pub col: usize,
    /// Dotted spec path of the offending value, e.g. `request.partnerReferenceNo.max_length`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we can tell (e.g. "did you mean `Amount`?").
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: error: ", self.file.display(), self.line, self.col)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Prints every diagnostic on its own line(s), in the order given.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    out
}

/// The closest known name to `unknown`, for "did you mean" hints.
pub fn did_you_mean<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(unknown, known).map(|candidate| format!("did you mean `{candidate}`?"))
}

/// The known name closest to `unknown`, if any is close enough to be what was meant.
pub fn closest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}
