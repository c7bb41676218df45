//! `explain` (why a token does or does not fit a request, rule by rule) and support bundles
//! (contract §7). Neither needs the private key.

use nuvera_signing as core;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::boundary::{self, Bytes, Headers};

/// One broken rule: its code and area, the signed and the sent value, why, and the fix.
#[pyclass(frozen, eq, hash, get_all, module = "nuvera_signing")]
#[derive(PartialEq, Hash)]
pub struct Finding {
    /// The ``AUTH_*`` code Nuvera answers with.
    code: &'static str,
    /// ``api-key``, ``jwt-claims``, ``permission`` or ``body-hash``.
    area: &'static str,
    /// The value in the token, if there is one.
    signed: Option<String>,
    /// The value derived from the request as sent, if there is one.
    sent: Option<String>,
    /// What went wrong.
    diagnosis: String,
    /// What to change.
    fix: String,
}

#[pymethods]
impl Finding {
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        boundary::repr(slf, &["code", "area", "signed", "sent"])
    }
}

/// What :func:`explain` found. ``verdict`` is the code Nuvera would answer with, if any;
/// ``str(report)`` is the text for humans.
#[pyclass(frozen, get_all, module = "nuvera_signing")]
pub struct Report {
    /// True when no rule fails.
    ok: bool,
    /// The code Nuvera would answer with, if any rule fails.
    verdict: Option<&'static str>,
    /// Broken rules, in the order Nuvera checks them.
    findings: Vec<Py<Finding>>,
    /// Remarks that are not failures.
    notes: Vec<String>,
    /// The report for humans.
    text: String,
    /// The report as JSON (claims with ``sub`` masked).
    json: String,
}

#[pymethods]
impl Report {
    fn __str__(&self) -> &str {
        &self.text
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let findings = format!("findings={}", slf.get().findings.len());
        boundary::repr(slf, &["ok", "verdict", &findings])
    }
}

/// Explains why ``token`` does (not) fit the request as sent, rule by rule.
///
/// Never needs the private key; given ``public_key_pem`` it checks the signature too; given
/// ``now`` it checks ``iat``/``exp``.
#[pyfunction]
#[pyo3(signature = (method, url, *, token, api_key=None, content_type=None, body=None, public_key_pem=None, now=None))]
#[allow(clippy::too_many_arguments)]
pub fn explain(
    py: Python<'_>,
    method: PyBackedStr,
    url: PyBackedStr,
    token: PyBackedStr,
    api_key: Option<PyBackedStr>,
    content_type: Option<PyBackedStr>,
    body: Option<Bytes>,
    public_key_pem: Option<PyBackedStr>,
    now: Option<i64>,
) -> PyResult<Report> {
    let report = boundary::detached(py, || {
        let options = core::ExplainOptions::from_optional(core::explain::OptionalExplainOptions {
            public_key_pem: public_key_pem.as_deref().map(str::as_bytes),
            now,
            ..Default::default()
        })?;
        let sent = core::SentRequest {
            method: &method,
            url: &url,
            api_key: api_key.as_deref(),
            content_type: content_type.as_deref(),
            body: &mut body.as_deref().unwrap_or_default(),
        };
        core::explain(sent, &token, &options)
    })?;
    let findings = report.findings.iter().map(|f| {
        let finding = Finding {
            code: f.code.as_str(),
            area: f.area.as_str(),
            signed: f.signed.clone(),
            sent: f.sent.clone(),
            diagnosis: f.diagnosis.clone(),
            fix: f.fix.clone(),
        };
        Py::new(py, finding)
    });
    Ok(Report {
        ok: report.ok(),
        verdict: report.verdict.map(|c| c.as_str()),
        findings: findings.collect::<PyResult<_>>()?,
        notes: report.notes.clone(),
        text: report.to_text(),
        json: report.to_json_pretty(),
    })
}

/// `support_bundle_json` and `support_bundle` over one signature: `$finish` turns the bundle's
/// JSON text into what the function returns.
macro_rules! support_bundle_functions {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident -> $output:ty = $finish:expr;
    )*) => {$(
        $(#[doc = $doc])*
        #[pyfunction]
        #[pyo3(signature = (method, url, *, token, status, headers=None, api_key=None, content_type=None, body=None, response_body=None, application=None, public_key_pem=None, now=None))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name<'py>(
            py: Python<'py>,
            method: PyBackedStr,
            url: PyBackedStr,
            token: PyBackedStr,
            status: i64,
            headers: Option<Headers>,
            api_key: Option<PyBackedStr>,
            content_type: Option<PyBackedStr>,
            body: Option<Bytes>,
            response_body: Option<Bytes>,
            application: Option<PyBackedStr>,
            public_key_pem: Option<PyBackedStr>,
            now: Option<i64>,
        ) -> PyResult<$output> {
            let json = boundary::detached(py, || {
                let headers: Vec<_> = headers.iter().flat_map(Headers::pairs).collect();
                let given = core::explain::OptionalSupportBundle {
                    method: &method,
                    url: &url,
                    headers: &headers,
                    api_key: api_key.as_deref(),
                    content_type: content_type.as_deref(),
                    body: body.as_deref().unwrap_or_default(),
                    token: &token,
                    status,
                    response_body: response_body.as_deref().unwrap_or_default(),
                    application: application.as_deref(),
                    public_key_pem: public_key_pem.as_deref().map(str::as_bytes),
                    now,
                };
                Ok(core::SupportBundle::from_optional(given)?.to_json_pretty())
            })?;
            ($finish)(py, json)
        }
    )*};
}

support_bundle_functions! {
    /// A support bundle (contract §7) for a request Nuvera refused, as pretty JSON with no
    /// secret: give the request as sent (``headers``; the signing headers missing from them are
    /// completed from ``api_key`` and ``token``), Nuvera's ``status`` and ``response_body``. The
    /// API key is reduced to its last four characters, the token to its header, claims (``sub``
    /// masked) and SHA-256, the body to its size, hash and canonical object. ``now`` pins the
    /// creation time (Unix seconds).
    fn support_bundle_json -> String = |_, json| Ok(json);
    /// :func:`support_bundle_json` as a dict.
    fn support_bundle -> boundary::Json<'py> =
        |py, json: String| boundary::json_loads(py, &json);
}
