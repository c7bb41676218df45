//! `nuvera-sign curl`: the curl command that sends exactly the signed bytes.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use clap::Args;
use nuvera_signing::sendable_url;

use crate::error::{CliError, CliResult};
use crate::request::{Payload, RequestArgs};

#[derive(Args, Debug)]
pub struct CurlArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// Run curl instead of printing the command.
    #[arg(long)]
    pub exec: bool,
    /// Where to write an encoded multipart body for a printed command (default: a new file in
    /// the temp directory).
    #[arg(long, value_name = "FILE")]
    pub multipart_out: Option<PathBuf>,
    /// Extra curl arguments, after `--` (e.g. `-- -i -v`).
    #[arg(last = true, value_name = "CURL_ARGS")]
    pub curl_args: Vec<String>,
}

/// The body argument given to curl.
enum DataArg {
    None,
    Raw(String),
    File(PathBuf),
}

pub fn run(args: CurlArgs) -> CliResult {
    let request = &args.request;
    if request.url.starts_with('/') {
        return Err(CliError::new(
            "INVALID_URL",
            "curl needs an absolute URL (e.g. https://api.nuvera.global/api/v1/customers), not a request target",
        ));
    }
    // curl sends a normalized URL unchanged (with --path-as-is), so the target on the wire is the
    // signed `uri` byte for byte.
    let url = sendable_url(&request.url)?;
    let mut payload = request.payload()?;
    let mut content_type = request.content_type.clone();
    let data = match &payload {
        Payload::None => DataArg::None,
        Payload::Text(text) => DataArg::Raw(text.clone()),
        Payload::File(path) => DataArg::File(path.clone()),
        Payload::Multipart(form) => {
            content_type = Some(form.content_type());
            DataArg::File(match &args.multipart_out {
                Some(p) => p.clone(),
                None => std::env::temp_dir().join(format!(
                    "nuvera-multipart-{}.bin",
                    form.boundary().trim_start_matches('-')
                )),
            })
        }
    };
    let multipart_file = match (&payload, &data) {
        (Payload::Multipart(_), DataArg::File(path)) => Some(path.clone()),
        _ => None,
    };
    let signed = match &multipart_file {
        Some(path) => {
            // Encode and hash in one pass, so the file on disk is exactly what was signed.
            let mut file = std::fs::File::create(path)
                .map_err(|e| CliError::io(&format!("cannot create {}", path.display()), e))?;
            let signed = request.sign(&mut payload, Some(&mut file))?;
            file.flush()
                .map_err(|e| CliError::io("cannot write the multipart body", e))?;
            signed
        }
        None => request.sign(&mut payload, None)?,
    };
    let temp_body = multipart_file.filter(|_| args.exec && args.multipart_out.is_none());
    if !matches!(data, DataArg::None) && content_type.is_none() {
        content_type = Some("application/json".to_owned());
    }

    let mut curl: Vec<String> = ["--silent", "--show-error", "--globoff", "--path-as-is"]
        .map(String::from)
        .to_vec();
    curl.extend(["--request".into(), signed.claims().method.clone(), url]);
    for (name, value) in signed.headers() {
        curl.extend(["--header".into(), format!("{name}: {value}")]);
    }
    if let Some(ct) = &content_type {
        curl.extend(["--header".into(), format!("Content-Type: {ct}")]);
    }
    match &data {
        DataArg::None => {}
        // --data-raw: no `@file` interpretation of the text.
        DataArg::Raw(text) => curl.extend(["--data-raw".into(), text.clone()]),
        DataArg::File(path) => {
            curl.extend(["--data-binary".into(), format!("@{}", path.display())])
        }
    }
    curl.extend(args.curl_args.iter().cloned());

    if !args.exec {
        let quoted: Vec<String> = curl.iter().map(|a| shell_quote(a)).collect();
        crate::emit(&format!("curl {}\n", quoted.join(" ")))?;
        return Ok(());
    }
    let status = Command::new("curl")
        .args(&curl)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| CliError::io("cannot run curl (is it installed?)", e));
    if let Some(path) = temp_body {
        let _ = std::fs::remove_file(path);
    }
    let status = status?;
    if !status.success() {
        return Err(CliError::new(
            "CURL_FAILED",
            format!("curl exited with {status}"),
        ));
    }
    Ok(())
}

/// POSIX single-quoting; plain words stay bare for readability.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@=,+%".contains(&b));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quoting_survives_a_shell_round_trip() {
        assert_eq!(shell_quote("--request"), "--request");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote(""), "''");
    }
}
