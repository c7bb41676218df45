//! Diagnostics that never need the private key: `explain` a token against the request as sent,
//! and support bundles (contract §7).

use nuvera::explain::{BundleResponse, OptionalExplainOptions};
use nuvera::{ExplainOptions, SentRequest, SupportBundle};

use crate::boundary::*;
use crate::verify::{headers, nuvera_header};

/// Options with the public key to check the signature against and the time, when given.
fn options(public_key_pem: Option<&[u8]>, now: Option<u64>) -> FfiResult<ExplainOptions> {
    let given = OptionalExplainOptions {
        public_key_pem,
        ..Default::default()
    };
    let mut options = ExplainOptions::from_optional(given)?;
    // C's `now` is already unsigned: it is the core's type, no check to make.
    options.now = now;
    Ok(options)
}

c_api! {
    /// Explains why Nuvera would accept or refuse `token` for the request as sent (`api_key` and
    /// `content_type` NULL when none): each finding has its `AUTH_*` code and fix. `public_key_pem`
    /// (may be NULL) also checks the signature, `now` (may be NULL: the system clock) the time.
    /// `*report_json` receives the report as JSON (`sub` masked), `report_text` (may be NULL) the same
    /// for humans, `ok` (may be NULL) whether no rule fails.
    fn nuvera_explain(
        method: *const c_char as &str,
        url: *const c_char as &str,
        api_key: *const c_char as Option<&str>,
        content_type: *const c_char as Option<&str>,
        body: *const u8,
        body_len: usize,
        token: *const c_char as &str,
        public_key_pem: *const c_char as Option<&[u8]>,
        now: *const u64 as Option<&u64>,
        report_json: *mut *mut c_char,
        report_text: *mut *mut c_char,
        ok: *mut bool,
    ) {
        req_out(report_json, "report_json")?;
        let mut body = req_bytes(body, body_len, "body")?;
        let sent = SentRequest {
            method,
            url,
            api_key,
            content_type,
            body: &mut body,
        };
        let options = options(public_key_pem, now.copied())?;
        let report = nuvera::explain(sent, token, &options)?;
        put_opt(ok, report.ok());
        put_opt(report_text, report.to_text());
        put(report_json, report.to_json_pretty())
    }

    /// A support bundle (contract §7) as pretty JSON: the request as sent (`headers`, `header_count`
    /// of them; the signing headers completed from `api_key` and `token`, masked), Nuvera's answer
    /// (`status`, `response_body`) and the diagnosis; no secret or body bytes. `api_key`,
    /// `content_type`, `application`, `public_key_pem` and `now` (the system clock) may be NULL.
    fn nuvera_support_bundle(
        method: *const c_char as &str,
        url: *const c_char as &str,
        headers: *const nuvera_header,
        header_count: usize,
        api_key: *const c_char as Option<&str>,
        content_type: *const c_char as Option<&str>,
        body: *const u8,
        body_len: usize,
        token: *const c_char as &str,
        status: u16,
        response_body: *const u8,
        response_len: usize,
        application: *const c_char as Option<&str>,
        public_key_pem: *const c_char as Option<&[u8]>,
        now: *const u64 as Option<&u64>,
    ) -> *mut c_char {
        let mut body = req_bytes(body, body_len, "body")?;
        let sent = SentRequest {
            method,
            url,
            api_key,
            content_type,
            body: &mut body,
        };
        let headers = self::headers(headers, header_count)?;
        let response = req_bytes(response_body, response_len, "response_body")?;
        let response = BundleResponse::new(status, response);
        let options = options(public_key_pem, None)?;
        // C's `now` is already unsigned; only its absence needs the core's default (now).
        let now = now.map_or_else(|| SupportBundle::created_at(None), |now| Ok(*now))?;
        let bundle =
            SupportBundle::build(sent, &headers, token, response, application, &options, now)?;
        bundle.to_json_pretty()
    }
}
