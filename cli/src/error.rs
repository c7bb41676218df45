//! The CLI's one-line errors: `error: CODE: message` on stderr, exit status 1.

use std::fmt;

/// A failure with a stable code: the core's codes, plus the CLI's own for missing settings.
#[derive(Debug)]
pub struct CliError {
    pub code: String,
    pub message: String,
}

impl CliError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CliError {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn io(what: &str, err: std::io::Error) -> Self {
        CliError::new("IO_ERROR", format!("{what}: {err}"))
    }
}

impl From<nuvera_signing::Error> for CliError {
    fn from(e: nuvera_signing::Error) -> Self {
        CliError {
            code: e.code().as_str().to_owned(),
            message: e.message().to_owned(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
