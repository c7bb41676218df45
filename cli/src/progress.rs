//! A progress bar on stderr for large files, only when stderr is a terminal (scripts and CI logs
//! get nothing).

use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use crate::error::{CliError, CliResult};

/// Files smaller than this hash faster than a bar can be drawn.
const MIN_BYTES_FOR_BAR: u64 = 16 * 1024 * 1024;

/// Opens `path` for streaming, wrapped in a progress bar when that is useful.
pub fn open(path: &Path) -> CliResult<Box<dyn Read + Send>> {
    let file = File::open(path)
        .map_err(|e| CliError::io(&format!("cannot open {}", path.display()), e))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok(wrap(Box::new(file), len, &path.display().to_string()))
}

/// Wraps `reader` of `len` bytes in a progress bar when stderr is a terminal.
pub fn wrap(reader: Box<dyn Read + Send>, len: u64, label: &str) -> Box<dyn Read + Send> {
    if len < MIN_BYTES_FOR_BAR || !std::io::stderr().is_terminal() {
        return reader;
    }
    let bar = ProgressBar::new(len).with_message(label.to_owned());
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    Box::new(bar.wrap_read(reader))
}
