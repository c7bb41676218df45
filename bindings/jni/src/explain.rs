//! `explain` and support bundles (contract §7): diagnosis of a token against a request as sent.

use jni::sys::jint;
use jni::Env;
use nuvera_signing::explain::{OptionalExplainOptions, OptionalSupportBundle};
use nuvera_signing::{explain, ExplainOptions, Report, SentRequest, SupportBundle};

use crate::boundary::native;
use crate::convert::{Headers, IntoJava, StringArray};
use crate::errors::Failure;

/// The core's explain options from what Java passed (absent values take the core's defaults).
fn options(public_key_pem: Option<&str>, now: Option<i64>) -> Result<ExplainOptions, Failure> {
    Ok(ExplainOptions::from_optional(OptionalExplainOptions {
        public_key_pem: public_key_pem.map(str::as_bytes),
        now,
        ..Default::default()
    })?)
}

/// The Java `ExplainReport` of a report: `[verdict, text, json, notes count, notes…, then six
/// texts per finding: code, area, signed, sent, diagnosis, fix]`.
impl<'local> IntoJava<'local> for Report {
    type Java = StringArray<'local>;
    const JAVA: &'static str = "@Nullable String[]";
    fn into_java(self, env: &mut Env<'local>) -> Result<Self::Java, Failure> {
        let mut texts = vec![
            self.verdict.map(|c| c.as_str().to_owned()),
            Some(self.to_text()),
            Some(self.to_json_pretty()),
            Some(self.notes.len().to_string()),
        ];
        texts.extend(self.notes.into_iter().map(Some));
        for f in self.findings {
            texts.extend([
                Some(f.code.as_str().to_owned()),
                Some(f.area.as_str().to_owned()),
            ]);
            texts.extend([f.signed, f.sent, Some(f.diagnosis), Some(f.fix)]);
        }
        texts.into_java(env)
    }
}

native! {
    fn explain(method: String, url: String, api_key: Option<String>,
        content_type: Option<String>, body: Vec<u8>, token: String,
        public_key_pem: Option<String>, now: Option<i64>) -> Report {
        let options = options(public_key_pem.as_deref(), now)?;
        let sent = SentRequest {
            method: &method,
            url: &url,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &mut body.as_slice(),
        };
        explain(sent, &token, &options)?
    }

    fn supportBundle(method: String, url: String, headers: Headers, api_key: Option<String>,
        content_type: Option<String>, body: Vec<u8>, token: String, status: jint,
        response_body: Vec<u8>, application: Option<String>, public_key_pem: Option<String>,
        now: Option<i64>) -> String {
        let headers: Vec<(&str, &str)> = headers.pairs().collect();
        SupportBundle::from_optional(OptionalSupportBundle {
            method: &method,
            url: &url,
            headers: &headers,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &body,
            token: &token,
            status: i64::from(status),
            response_body: &response_body,
            application: application.as_deref(),
            public_key_pem: public_key_pem.as_deref().map(str::as_bytes),
            now,
        })?
        .to_json_pretty()
    }
}
