//! How a command ends: its verdict or its error, the exit code, and writing to stdout and stderr.

use std::io::{self, Write};
use std::process::ExitCode;

use snapbi_spec::Diagnostic;
use snapbi_spec::diagnostic::render_all;

/// The answer of a command that ran to the end.
pub enum Status {
    /// Done, or valid: exit 0.
    Pass,
    /// A negative answer, already printed (violations, "invalid signature"): exit 1.
    Fail,
}

/// Why a command could not give its answer.
pub enum Error {
    /// Input the command cannot use (a bad value, an unreadable file, malformed JSON): `error: …`, exit 2.
    Input(String),
    /// The specs do not load: every diagnostic, exit 1.
    Specs(Vec<Diagnostic>),
}

/// What every command returns.
pub type Outcome = Result<Status, Error>;

/// Reports `result` on stderr when it is an error and turns it into the process exit code.
pub fn finish(result: Outcome) -> ExitCode {
    let (text, code) = match result {
        Ok(Status::Pass) => (String::new(), 0),
        Ok(Status::Fail) => (String::new(), 1),
        Err(Error::Specs(diagnostics)) => (render_all(&diagnostics), 1),
        Err(Error::Input(message)) => (format!("error: {message}\n"), 2),
    };
    // Nothing sensible is left to do if stderr itself is gone.
    let _ = io::stderr().lock().write_all(text.as_bytes());
    ExitCode::from(code)
}

/// Writes `text` to stdout; a closed pipe (`snapbi gen | head`) is not an error.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Input(format!("cannot write to stdout: {e}"))),
        _ => Ok(()),
    }
}

/// Writes `text` to stderr (what a command shows beside its answer); nothing is left to do if stderr is gone.
pub fn print_err(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Writes `value` to stdout as pretty JSON.
pub fn print_json(value: &serde_json::Value) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Input(format!("cannot write JSON: {e}")))?;
    print(&(text + "\n"))
}
