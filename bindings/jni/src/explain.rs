//! `explain` and support bundles (contract §7): diagnosis of a token against a request as sent.

use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString, JValue};
use jni::sys::{jint, jlong};
use jni::{jni_sig, jni_str, Env, EnvUnowned};
use nuvera_signing::explain::{BundleResponse, OptionalExplainOptions};
use nuvera_signing::{
    explain, Clock, Error, ErrorCode, ExplainOptions, Report, SentRequest, SupportBundle,
    SystemClock,
};

use crate::boundary::{bytes, optional_long, optional_string, run, string};
use crate::errors::Failure;
use crate::signing::string_array;
use crate::verify::header_pairs;

/// The core's explain options from what Java passed (absent values take the core's defaults).
fn options(public_key_pem: Option<&str>, now: Option<i64>) -> Result<ExplainOptions, Failure> {
    Ok(ExplainOptions::from_optional(OptionalExplainOptions {
        public_key_pem: public_key_pem.map(str::as_bytes),
        now,
        ..Default::default()
    })?)
}

/// The Java `ExplainReport` of `report`.
fn report_object<'local>(
    env: &mut Env<'local>,
    report: &Report,
) -> Result<JObject<'local>, Failure> {
    let json = report.to_json_pretty();
    let findings = JObjectArray::<JObject>::new(env, report.findings.len(), JObject::null())?;
    for (i, f) in report.findings.iter().enumerate() {
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
            values.push(match t {
                Some(t) => JObject::from(env.new_string(t)?),
                None => JObject::null(),
            });
        }
        let finding = env.new_object(
            jni_str!("global/nuvera/signing/ExplainFinding"),
            jni_sig!("(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"),
            &values.iter().map(JValue::Object).collect::<Vec<_>>(),
        )?;
        findings.set_element(env, i, &finding)?;
    }
    let notes: Vec<&str> = report.notes.iter().map(String::as_str).collect();
    let notes = string_array(env, &notes)?;
    let verdict = match report.verdict {
        Some(c) => JObject::from(env.new_string(c.as_str())?),
        None => JObject::null(),
    };
    let text = env.new_string(report.to_text())?;
    let json = env.new_string(json)?;
    Ok(env.new_object(
        jni_str!("global/nuvera/signing/ExplainReport"),
        jni_sig!("(ZLjava/lang/String;[Ljava/lang/Object;[Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;)V"),
        &[
            JValue::Bool(report.ok()),
            JValue::Object(&verdict),
            JValue::Object(&findings),
            JValue::Object(&notes),
            JValue::Object(&text),
            JValue::Object(&json),
        ],
    )?)
}

/// `Native.explain(method, url, apiKey, contentType, body, token, publicKeyPem, hasNow, now)`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_explain<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    method: JString<'local>,
    url: JString<'local>,
    api_key: JString<'local>,
    content_type: JString<'local>,
    body: JByteArray<'local>,
    token: JString<'local>,
    public_key_pem: JString<'local>,
    has_now: bool,
    now: jlong,
) -> JObject<'local> {
    run(env, |env| {
        let (method, url) = (string(env, &method)?, string(env, &url)?);
        let api_key = optional_string(env, &api_key)?;
        let content_type = optional_string(env, &content_type)?;
        let body = bytes(env, &body)?;
        let token = string(env, &token)?;
        let public_key_pem = optional_string(env, &public_key_pem)?;
        let options = options(public_key_pem.as_deref(), optional_long(has_now, now))?;
        let mut reader: &[u8] = &body;
        let sent = SentRequest {
            method: &method,
            url: &url,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &mut reader,
        };
        let report = explain(sent, &token, &options)?;
        report_object(env, &report)
    })
}

/// `Native.supportBundle(method, url, headers, apiKey, contentType, body, token, status,
/// responseBody, application, publicKeyPem, hasNow, now)`: pretty JSON with no secret in it.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_global_nuvera_signing_Native_supportBundle<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    method: JString<'local>,
    url: JString<'local>,
    headers: JObjectArray<'local, JString<'local>>,
    api_key: JString<'local>,
    content_type: JString<'local>,
    body: JByteArray<'local>,
    token: JString<'local>,
    status: jint,
    response_body: JByteArray<'local>,
    application: JString<'local>,
    public_key_pem: JString<'local>,
    has_now: bool,
    now: jlong,
) -> JString<'local> {
    run(env, |env| {
        let (method, url) = (string(env, &method)?, string(env, &url)?);
        let headers = header_pairs(env, &headers)?;
        let api_key = optional_string(env, &api_key)?;
        let content_type = optional_string(env, &content_type)?;
        let body = bytes(env, &body)?;
        let token = string(env, &token)?;
        let response_body = bytes(env, &response_body)?;
        let application = optional_string(env, &application)?;
        let public_key_pem = optional_string(env, &public_key_pem)?;
        // `now` is checked by the core with the options, then used as the bundle's time only
        // (as every binding does: the diagnosis inside a bundle does not apply the time rules).
        let mut options = options(public_key_pem.as_deref(), optional_long(has_now, now))?;
        let now = match options.now.take() {
            Some(n) => n,
            None => SystemClock.now_unix()?,
        };
        let status = u16::try_from(status).map_err(|_| {
            Failure::Core(Error::new(
                ErrorCode::InvalidArgument,
                format!("HTTP status {status} is out of range"),
            ))
        })?;
        let header_refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut reader: &[u8] = &body;
        let sent = SentRequest {
            method: &method,
            url: &url,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &mut reader,
        };
        let bundle = SupportBundle::build(
            sent,
            &header_refs,
            &token,
            BundleResponse::new(status, &response_body),
            application.as_deref(),
            &options,
            now,
        )?;
        Ok(env.new_string(bundle.to_json_pretty())?)
    })
}
