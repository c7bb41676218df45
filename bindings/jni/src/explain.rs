//! `explain` and support bundles (contract §7): diagnosis of a token against a request as sent.

use jni::objects::{JObject, JObjectArray, JValue};
use jni::sys::jint;
use jni::{jni_sig, jni_str, Env};
use nuvera_signing::explain::{BundleResponse, OptionalExplainOptions};
use nuvera_signing::{
    explain, Clock, Error, ErrorCode, ExplainOptions, Report, SentRequest, SupportBundle,
    SystemClock,
};

use crate::boundary::native;
use crate::convert::{nullable_string, Headers, IntoJava};
use crate::errors::Failure;

/// The core's explain options from what Java passed (absent values take the core's defaults).
fn options(public_key_pem: Option<&str>, now: Option<i64>) -> Result<ExplainOptions, Failure> {
    Ok(ExplainOptions::from_optional(OptionalExplainOptions {
        public_key_pem: public_key_pem.map(str::as_bytes),
        now,
        ..Default::default()
    })?)
}

/// The Java `ExplainReport` of a report (its findings as `ExplainFinding`s).
impl<'local> IntoJava<'local> for Report {
    type Java = JObject<'local>;
    fn into_java(self, env: &mut Env<'local>) -> Result<JObject<'local>, Failure> {
        let findings = JObjectArray::<JObject>::new(env, self.findings.len(), JObject::null())?;
        for (i, f) in self.findings.iter().enumerate() {
            let texts = [
                Some(f.code.as_str()),
                Some(f.area.as_str()),
                f.signed.as_deref(),
                f.sent.as_deref(),
                Some(f.diagnosis.as_str()),
                Some(f.fix.as_str()),
            ];
            let mut values = Vec::with_capacity(texts.len());
            for t in texts {
                values.push(nullable_string(env, t)?);
            }
            let finding = env.new_object(
                jni_str!("global/nuvera/signing/ExplainFinding"),
                jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"),
                &values.iter().map(JValue::Object).collect::<Vec<_>>(),
            )?;
            findings.set_element(env, i, &finding)?;
        }
        let notes = self.notes.clone().into_java(env)?;
        let verdict = nullable_string(env, self.verdict.map(|c| c.as_str()))?;
        let text = env.new_string(self.to_text())?;
        let json = env.new_string(self.to_json_pretty())?;
        Ok(env.new_object(
            jni_str!("global/nuvera/signing/ExplainReport"),
            jni_sig!("(ZLjava/lang/String;[Ljava/lang/Object;[Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"),
            &[
                JValue::Bool(self.ok()),
                JValue::Object(&verdict),
                JValue::Object(&findings),
                JValue::Object(&notes),
                JValue::Object(&text),
                JValue::Object(&json),
            ],
        )?)
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
        // `now` is checked by the core with the options, then used as the bundle's time only
        // (as every binding does: the diagnosis inside a bundle does not apply the time rules).
        let mut options = options(public_key_pem.as_deref(), now)?;
        let now = match options.now.take() {
            Some(n) => n,
            None => SystemClock.now_unix()?,
        };
        let status = u16::try_from(status).map_err(|_| {
            Error::new(ErrorCode::InvalidArgument, format!("HTTP status {status} is out of range"))
        })?;
        let header_refs: Vec<(&str, &str)> = headers.pairs().collect();
        let sent = SentRequest {
            method: &method,
            url: &url,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &mut body.as_slice(),
        };
        SupportBundle::build(
            sent,
            &header_refs,
            &token,
            BundleResponse::new(status, &response_body),
            application.as_deref(),
            &options,
            now,
        )?
        .to_json_pretty()
    }
}
