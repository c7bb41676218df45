//! `nuvera-sign curl`: the curl command that sends exactly the signed bytes; with `--exec` it runs
//! it under the core's client policy (contract §8): redirects followed and signed afresh, a clock
//! refusal corrected from the server's `Date` and re-sent once.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use clap::Args;
use nuvera_signing::client::{
    now_unix_ms, Action, ClientPolicy, Exchange, Request, Response, SendReason,
    MAX_REFUSAL_BODY_BYTES,
};
use nuvera_signing::{sendable_url, Body, SignedRequest, Signer};

use crate::error::{CliError, CliResult};
use crate::request::{Payload, RequestArgs};

#[derive(Args, Debug)]
pub struct CurlArgs {
    #[command(flatten)]
    pub request: RequestArgs,
    /// Run curl instead of printing the command: redirects are followed and every send signed
    /// afresh; on AUTH_TOKEN_EXPIRED/NOT_YET_VALID with a Date the clock offset is learnt
    /// (printed on stderr) and the request re-sent once.
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

/// What every send of the request carries besides its method, URL and credentials.
struct Fixed {
    content_type: Option<String>,
    data: DataArg,
    extra: Vec<String>,
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
    let signer = request.signer()?;
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
            let signed = request.sign(&signer, &mut payload, Some(&mut file))?;
            file.flush()
                .map_err(|e| CliError::io("cannot write the multipart body", e))?;
            signed
        }
        None => request.sign(&signer, &mut payload, None)?,
    };
    let temp_body = multipart_file.filter(|_| args.exec && args.multipart_out.is_none());
    if !matches!(data, DataArg::None) && content_type.is_none() {
        content_type = Some("application/json".to_owned());
    }
    let fixed = Fixed {
        content_type,
        data,
        extra: args.curl_args.clone(),
    };

    if !args.exec {
        let curl = curl_args(&signed.claims().method, &url, Some(&signed), true, &fixed);
        let quoted: Vec<String> = curl.iter().map(|a| shell_quote(a)).collect();
        crate::emit(&format!("curl {}\n", quoted.join(" ")))?;
        return Ok(());
    }
    let result = exec(&signer, signed, url, &fixed);
    if let Some(path) = temp_body {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn curl_args(
    method: &str,
    url: &str,
    signed: Option<&SignedRequest>,
    send_body: bool,
    fixed: &Fixed,
) -> Vec<String> {
    let mut curl: Vec<String> = ["--silent", "--show-error", "--globoff", "--path-as-is"]
        .map(String::from)
        .to_vec();
    curl.extend(["--request".into(), method.to_owned(), url.to_owned()]);
    if let Some(signed) = signed {
        for (name, value) in signed.headers() {
            curl.extend(["--header".into(), format!("{name}: {value}")]);
        }
    }
    if send_body {
        if let Some(ct) = &fixed.content_type {
            curl.extend(["--header".into(), format!("Content-Type: {ct}")]);
        }
        match &fixed.data {
            DataArg::None => {}
            // --data-raw: no `@file` interpretation of the text.
            DataArg::Raw(text) => curl.extend(["--data-raw".into(), text.clone()]),
            DataArg::File(path) => {
                curl.extend(["--data-binary".into(), format!("@{}", path.display())])
            }
        }
    }
    curl.extend(fixed.extra.iter().cloned());
    curl
}

/// curl's own redirect following would resend the first token to every hop.
fn check_no_location_flag(extra: &[String]) -> CliResult {
    let follows = extra.iter().any(|a| {
        matches!(a.as_str(), "--location" | "--location-trusted")
            || (a.starts_with('-')
                && !a.starts_with("--")
                && a[1..].chars().all(|c| c.is_ascii_alphabetic())
                && a.contains('L'))
    });
    if follows {
        return Err(CliError::new(
            "USAGE",
            "do not pass -L/--location: `curl --exec` follows redirects itself, signing each hop afresh (contract §8)",
        ));
    }
    Ok(())
}

/// Temp files curl writes each response's headers and body to; removed when dropped.
struct Scratch {
    head: PathBuf,
    body: PathBuf,
}

impl Scratch {
    fn new() -> Self {
        let base = std::env::temp_dir().join(format!("nuvera-curl-{}", std::process::id()));
        Scratch {
            head: base.with_extension("head"),
            body: base.with_extension("body"),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.head);
        let _ = std::fs::remove_file(&self.body);
    }
}

/// Runs the exchange: each send through curl, each response through the core's policy.
fn exec(signer: &Signer, first: SignedRequest, url: String, fixed: &Fixed) -> CliResult {
    check_no_location_flag(&fixed.extra)?;
    let body_hash = first.body().hash.clone();
    let mut exchange = Exchange::new(
        ClientPolicy::default(),
        Request {
            method: first.claims().method.clone(),
            url,
            has_body: !matches!(fixed.data, DataArg::None),
        },
        signer.clock_offset().clone(),
    )?;
    let mut attempt = exchange.first().clone();
    let mut first = Some(first);
    let scratch = Scratch::new();
    loop {
        let signed = match first.take() {
            Some(signed) => Some(signed),
            None if attempt.credentials => {
                let body = if attempt.send_body {
                    Body::Precomputed(body_hash.clone())
                } else {
                    Body::Empty
                };
                Some(signer.sign(&attempt.method, &attempt.url, body)?)
            }
            None => None,
        };
        let mut curl = curl_args(
            &attempt.method,
            &attempt.url,
            signed.as_ref(),
            attempt.send_body,
            fixed,
        );
        curl.extend(["--dump-header".into(), path_arg(&scratch.head)]);
        curl.extend(["--output".into(), path_arg(&scratch.body)]);
        let _ = std::fs::remove_file(&scratch.head);
        let _ = std::fs::remove_file(&scratch.body);
        let sent_at_ms = now_unix_ms();
        let status = Command::new("curl")
            .args(&curl)
            .stdin(Stdio::null())
            .status()
            .map_err(|e| CliError::io("cannot run curl (is it installed?)", e))?;
        let received_at_ms = now_unix_ms();
        let head = std::fs::read(&scratch.head).unwrap_or_default();
        let Some((code, headers)) = parse_head(&head) else {
            return Err(CliError::new(
                "CURL_FAILED",
                format!("curl exited with {status} and no response"),
            ));
        };
        let body = if code == 401 {
            refusal_body(&scratch.body, head.len())?
        } else {
            Vec::new()
        };
        let response = Response {
            status: code,
            headers,
            body,
            sent_at_ms,
            received_at_ms,
        };
        match exchange.on_response(&response) {
            Action::Send {
                attempt: next,
                delay_ms,
                reason,
            } => {
                match reason {
                    SendReason::ClockCorrection => eprintln!(
                        "clock offset: {:+} s (learnt from the server's Date; signing again)",
                        signer.clock_offset().secs()
                    ),
                    SendReason::Redirect => eprintln!(
                        "redirect {code} to {} ({})",
                        next.url,
                        if next.credentials {
                            "signed afresh"
                        } else {
                            "another origin: sent without credentials"
                        }
                    ),
                    SendReason::Retry => eprintln!("retry after {code}, in {delay_ms} ms"),
                }
                std::thread::sleep(Duration::from_millis(delay_ms));
                attempt = next;
            }
            Action::Done => {
                copy_to_stdout(&scratch.body)?;
                if !status.success() {
                    return Err(CliError::new(
                        "CURL_FAILED",
                        format!("curl exited with {status}"),
                    ));
                }
                return Ok(());
            }
            Action::Fail(e) => return Err(e.into()),
        }
    }
}

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

/// Status and headers of the last response in curl's header dump (after any `100 Continue`).
fn parse_head(head: &[u8]) -> Option<(u16, Vec<(String, String)>)> {
    let text = String::from_utf8_lossy(head);
    let lines: Vec<&str> = text.split("\r\n").collect();
    let start = lines.iter().rposition(|l| l.starts_with("HTTP/"))?;
    let status = lines[start].split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines[start + 1..]
        .iter()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some((status, headers))
}

/// The start of a 401's body for the policy to read; with `-i` curl also writes the headers into
/// the output, before the body.
fn refusal_body(path: &Path, head_len: usize) -> CliResult<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            f.take((head_len + MAX_REFUSAL_BODY_BYTES + 1) as u64)
                .read_to_end(&mut bytes)
        })
        .map_err(|e| CliError::io("cannot read curl's output", e))?;
    if bytes.starts_with(b"HTTP/") && bytes.len() >= head_len {
        bytes.drain(..head_len);
    }
    Ok(bytes)
}

fn copy_to_stdout(path: &Path) -> CliResult {
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(()); // curl wrote no body (HEAD, 204)
    };
    let mut out = std::io::stdout().lock();
    match std::io::copy(&mut file, &mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(CliError::io("cannot write to stdout", e)),
    }
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
    use super::*;

    #[test]
    fn quoting_survives_a_shell_round_trip() {
        assert_eq!(shell_quote("--request"), "--request");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_last_response_of_a_header_dump_is_read() {
        let head = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nDate: Mon, 30 Nov 2026 22:58:58 GMT\r\ncontent-type: application/json\r\n\r\n";
        let (status, headers) = parse_head(head).unwrap();
        assert_eq!(status, 401);
        assert_eq!(
            headers[0],
            (
                "Date".to_owned(),
                "Mon, 30 Nov 2026 22:58:58 GMT".to_owned()
            )
        );
        assert_eq!(parse_head(b""), None);
    }

    #[test]
    fn curl_may_not_follow_redirects_itself() {
        for bad in ["-L", "--location", "-sL", "--location-trusted"] {
            assert!(check_no_location_flag(&[bad.to_owned()]).is_err(), "{bad}");
        }
        assert!(check_no_location_flag(&["-i".into(), "-v".into()]).is_ok());
    }
}
