//! The core's one list of error codes, as the package exposes it (`ErrorCodes` in main.cjs is
//! built from it at load time, so the package never holds a copy of its own).

use crate::boundary::*;
use nuvera_signing::ErrorCode;

/// One code of the core's list.
#[napi(object, use_nullable = true)]
pub struct ErrorCodeInfo {
    /// The stable code string, e.g. `INVALID_PRIVATE_KEY`.
    pub code: String,
    /// Its family: `key`, `request`, `multipart`, `io`, `registry`, `auth`, `client`, `remote`
    /// or `internal`.
    pub family: String,
    /// The HTTP status a server answers with, for the `AUTH_*` codes; `null` for the others.
    pub http_status: Option<u32>,
}

/// Every error code of the core, in the core's order.
#[napi]
pub fn error_code_list() -> Vec<ErrorCodeInfo> {
    let info = |c: &ErrorCode| ErrorCodeInfo {
        code: c.as_str().to_owned(),
        family: c.family().as_str().to_owned(),
        http_status: c.http_status().map(u32::from),
    };
    ErrorCode::ALL.iter().map(info).collect()
}
