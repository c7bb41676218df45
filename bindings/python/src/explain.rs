//! `explain` (why a token does or does not fit a request, rule by rule) and support bundles
//! (contract §7). Neither needs the private key.

use nuvera_signing as core;
use nuvera_signing::Clock;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::boundary::{self, optional_data};
use crate::verify::header_pairs;

/// One broken rule: its code and area, the signed and the sent value, why, and the fix.
#[pyclass(frozen, eq, hash, module = "nuvera_signing")]
#[derive(PartialEq, Hash)]
pub struct Finding {
    /// The ``AUTH_*`` code Nuvera answers with.
    #[pyo3(get)]
    code: &'static str,
    /// ``api-key``, ``jwt-claims``, ``permission`` or ``body-hash``.
    #[pyo3(get)]
    area: &'static str,
    /// The value in the token, if there is one.
    #[pyo3(get)]
    signed: Option<String>,
    /// The value derived from the request as sent, if there is one.
    #[pyo3(get)]
    sent: Option<String>,
    /// What went wrong.
    #[pyo3(get)]
    diagnosis: String,
    /// What to change.
    #[pyo3(get)]
    fix: String,
}

#[pymethods]
impl Finding {
    fn __repr__(&self) -> String {
        format!(
            "Finding(code={:?}, area={:?}, signed={:?}, sent={:?})",
            self.code, self.area, self.signed, self.sent
        )
    }
}

/// What :func:`explain` found. ``verdict`` is the code Nuvera would answer with, if any;
/// ``str(report)`` is the text for humans.
#[pyclass(frozen, module = "nuvera_signing")]
pub struct Report {
    /// True when no rule fails.
    #[pyo3(get)]
    ok: bool,
    /// The code Nuvera would answer with, if any rule fails.
    #[pyo3(get)]
    verdict: Option<&'static str>,
    /// Broken rules, in the order Nuvera checks them.
    #[pyo3(get)]
    findings: Vec<Py<Finding>>,
    /// Remarks that are not failures.
    #[pyo3(get)]
    notes: Vec<String>,
    /// The report for humans.
    #[pyo3(get)]
    text: String,
    /// The report as JSON (claims with ``sub`` masked).
    #[pyo3(get)]
    json: String,
}

#[pymethods]
impl Report {
    fn __str__(&self) -> &str {
        &self.text
    }

    fn __repr__(&self) -> String {
        format!(
            "Report(ok={}, verdict={:?}, findings={})",
            if self.ok { "True" } else { "False" },
            self.verdict,
            self.findings.len()
        )
    }
}

fn public_key(pem: Option<&str>) -> core::Result<Option<core::PublicKey>> {
    pem.map(core::PublicKey::from_pem).transpose()
}

/// Explains why ``token`` does (not) fit the request as sent, rule by rule.
///
/// Never needs the private key; given ``public_key_pem`` it checks the signature too; given
/// ``now`` it checks ``iat``/``exp``.
#[pyfunction]
#[pyo3(signature = (method, url, *, token, api_key=None, content_type=None, body=None, public_key_pem=None, now=None))]
#[allow(clippy::too_many_arguments)]
fn explain(
    py: Python<'_>,
    method: PyBackedStr,
    url: PyBackedStr,
    token: PyBackedStr,
    api_key: Option<PyBackedStr>,
    content_type: Option<PyBackedStr>,
    body: Option<&Bound<'_, PyAny>>,
    public_key_pem: Option<PyBackedStr>,
    now: Option<i64>,
) -> PyResult<Report> {
    let body = optional_data(body, "body")?;
    let body = body.as_ref().map_or(&[][..], |b| b.as_slice());
    let report = boundary::detached(py, || {
        let options = core::ExplainOptions {
            public_key: public_key(public_key_pem.as_deref())?,
            now: now.map(|n| boundary::unsigned(n, "now")).transpose()?,
            ..Default::default()
        };
        let mut reader = body;
        let sent = core::SentRequest {
            method: &method,
            url: &url,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &mut reader,
        };
        core::explain(sent, &token, &options)
    })?;
    let json = report.to_json_pretty();
    let findings = report
        .findings
        .iter()
        .map(|f| {
            Py::new(
                py,
                Finding {
                    code: f.code.as_str(),
                    area: f.area.as_str(),
                    signed: f.signed.clone(),
                    sent: f.sent.clone(),
                    diagnosis: f.diagnosis.clone(),
                    fix: f.fix.clone(),
                },
            )
        })
        .collect::<PyResult<_>>()?;
    Ok(Report {
        ok: report.ok(),
        verdict: report.verdict.map(|c| c.as_str()),
        findings,
        notes: report.notes.clone(),
        text: report.to_text(),
        json,
    })
}

/// A support bundle (contract §7) for a request Nuvera refused, as pretty JSON: what Nuvera
/// support asks for, and no secret.
///
/// Give the request as sent (``headers`` as sent; ``x-api-key`` from ``api_key`` and
/// ``Authorization`` from ``token`` are added when missing), the ``token`` sent, Nuvera's HTTP
/// ``status`` and ``response_body``. The API key is reduced to its last four characters, the
/// token to its decoded header and claims (``sub`` masked) and a SHA-256, and the body to its
/// size, hash and (multipart) canonical object: no API key, token, private key or file bytes.
/// ``now`` pins the creation time (Unix seconds).
#[pyfunction]
#[pyo3(signature = (method, url, *, token, status, headers=None, api_key=None, content_type=None, body=None, response_body=None, application=None, public_key_pem=None, now=None))]
#[allow(clippy::too_many_arguments)]
fn support_bundle_json(
    py: Python<'_>,
    method: PyBackedStr,
    url: PyBackedStr,
    token: PyBackedStr,
    status: i64,
    headers: Option<&Bound<'_, PyAny>>,
    api_key: Option<PyBackedStr>,
    content_type: Option<PyBackedStr>,
    body: Option<&Bound<'_, PyAny>>,
    response_body: Option<&Bound<'_, PyAny>>,
    application: Option<PyBackedStr>,
    public_key_pem: Option<PyBackedStr>,
    now: Option<i64>,
) -> PyResult<String> {
    let headers = match headers {
        Some(h) if !h.is_none() => header_pairs(h)?,
        _ => Vec::new(),
    };
    let body = optional_data(body, "body")?;
    let body = body.as_ref().map_or(&[][..], |b| b.as_slice());
    let response_body = optional_data(response_body, "response_body")?;
    let response_body = response_body.as_ref().map_or(&[][..], |b| b.as_slice());
    boundary::detached(py, || {
        let options = core::ExplainOptions {
            public_key: public_key(public_key_pem.as_deref())?,
            ..Default::default()
        };
        let now = match now {
            Some(n) => boundary::unsigned(n, "now")?,
            None => core::SystemClock.now_unix()?,
        };
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (&**n, &**v)).collect();
        let mut reader = body;
        let sent = core::SentRequest {
            method: &method,
            url: &url,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &mut reader,
        };
        let bundle = core::SupportBundle::build(
            sent,
            &pairs,
            &token,
            core::explain::BundleResponse::new(
                boundary::unsigned(status, "status")?,
                response_body,
            ),
            application.as_deref(),
            &options,
            now,
        )?;
        Ok(bundle.to_json_pretty())
    })
}

/// :func:`support_bundle_json` as a dict.
#[pyfunction]
#[pyo3(signature = (method, url, *, token, status, headers=None, api_key=None, content_type=None, body=None, response_body=None, application=None, public_key_pem=None, now=None))]
#[allow(clippy::too_many_arguments)]
fn support_bundle<'py>(
    py: Python<'py>,
    method: PyBackedStr,
    url: PyBackedStr,
    token: PyBackedStr,
    status: i64,
    headers: Option<&Bound<'py, PyAny>>,
    api_key: Option<PyBackedStr>,
    content_type: Option<PyBackedStr>,
    body: Option<&Bound<'py, PyAny>>,
    response_body: Option<&Bound<'py, PyAny>>,
    application: Option<PyBackedStr>,
    public_key_pem: Option<PyBackedStr>,
    now: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let text = support_bundle_json(
        py,
        method,
        url,
        token,
        status,
        headers,
        api_key,
        content_type,
        body,
        response_body,
        application,
        public_key_pem,
        now,
    )?;
    py.import("json")?.call_method1("loads", (text,))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Finding>()?;
    m.add_class::<Report>()?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(support_bundle_json, m)?)?;
    m.add_function(wrap_pyfunction!(support_bundle, m)?)?;
    Ok(())
}
