//! Diagnostics that never need the private key: `explain` a token against the request as sent,
//! and support bundles (contract §7).

use nuvera::explain::{OptionalExplainOptions, OptionalSupportBundle};
use nuvera::{ExplainOptions, SentRequest, SupportBundle};

use crate::boundary::*;
use crate::verify::{headers, nuvera_header};

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
        now: *const u64 as Option<i64>,
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
        let given = OptionalExplainOptions {
            public_key_pem,
            now,
            ..Default::default()
        };
        let report = nuvera::explain(sent, token, &ExplainOptions::from_optional(given)?)?;
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
        now: *const u64 as Option<i64>,
    ) -> *mut c_char {
        let bundle = SupportBundle::from_optional(OptionalSupportBundle {
            method,
            url,
            headers: &self::headers(headers, header_count)?,
            api_key,
            content_type,
            body: req_bytes(body, body_len, "body")?,
            token,
            status: status.into(),
            response_body: req_bytes(response_body, response_len, "response_body")?,
            application,
            public_key_pem,
            now,
        })?;
        bundle.to_json_pretty()
    }
}
