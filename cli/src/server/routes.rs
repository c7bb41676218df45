//! A small in-memory stand-in for Nuvera's resources, reached only after verification.

use std::collections::VecDeque;
use std::sync::Mutex;

use hyper::StatusCode;
use nuvera_signing::verify::ReceivedBody;
use nuvera_signing::Verified;
use serde_json::{json, Value};

use super::{error_response, json_response, AppState, Outcome};

/// Entries kept per collection; the oldest go first, so no client can grow the store.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct Store {
    inner: Mutex<Collections>,
}

#[derive(Default)]
struct Collections {
    customers: VecDeque<Value>,
    documents: VecDeque<Value>,
    next_id: u64,
}

impl Collections {
    fn insert(&mut self, prefix: &str, mut record: Value, documents: bool) -> Value {
        self.next_id += 1;
        record["id"] = json!(format!("{prefix}_{}", self.next_id));
        let collection = if documents {
            &mut self.documents
        } else {
            &mut self.customers
        };
        if collection.len() == MAX_ENTRIES {
            collection.pop_front();
        }
        collection.push_back(record.clone());
        record
    }
}

/// The routes under `/api/v1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    CreateCustomer,
    ListCustomers,
    GetCustomer(String),
    UploadDocument,
    /// A path under `/api/v1` that exists nowhere: still authenticated, then 404/405.
    Unknown {
        known_path: bool,
    },
}

impl Route {
    pub fn parse(method: &str, path: &str) -> Option<Route> {
        let rest = path.strip_prefix("/api/v1/")?;
        // The first two segments name a route; a third names none (no `Vec` per request).
        let mut segments = rest.split('/');
        let first = segments.next().unwrap_or("");
        let second = segments.next();
        if segments.next().is_some() {
            return Some(Route::Unknown { known_path: false });
        }
        Some(match (method, first, second) {
            ("POST", "customers", None) => Route::CreateCustomer,
            ("GET", "customers", None) => Route::ListCustomers,
            ("GET", "customers", Some(id)) if !id.is_empty() => Route::GetCustomer(id.to_owned()),
            ("POST", "documents", None) => Route::UploadDocument,
            (_, "customers", _) | (_, "documents", None) => Route::Unknown { known_path: true },
            _ => Route::Unknown { known_path: false },
        })
    }

    /// JSON bodies are parsed, so their bytes are kept (bounded by the body limit); multipart
    /// bodies are only summarized.
    pub fn needs_body_bytes(&self) -> bool {
        matches!(self, Route::CreateCustomer)
    }
}

fn ok(status: StatusCode, body: Value) -> Outcome {
    Outcome {
        response: json_response(status, &body),
        code: None,
    }
}

pub fn dispatch(
    state: &AppState,
    route: Route,
    verified: &Verified,
    body: Option<&[u8]>,
    received: ReceivedBody,
) -> Outcome {
    let mut store = state.store.inner.lock().unwrap_or_else(|p| p.into_inner());
    match route {
        // A record too large to keep (the body was hashed as it streamed, not held): stored as
        // its summary, so a verified upload of any size is still answered 201.
        Route::CreateCustomer if body.is_none() => {
            let record = json!({
                "createdBy": verified.application,
                "size": received.size,
                "bodyHash": received.hash.as_str(),
                "note": format!("the record is over {} bytes: kept as this summary", super::MAX_KEPT_BODY_BYTES),
            });
            ok(StatusCode::CREATED, store.insert("c", record, false))
        }
        Route::CreateCustomer => {
            let body = body.unwrap_or_default();
            let Ok(record @ Value::Object(_)) = serde_json::from_slice::<Value>(body) else {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    "VALIDATION_ERROR",
                    "the body must be a JSON object",
                );
            };
            let mut record = record;
            record["createdBy"] = json!(verified.application);
            ok(StatusCode::CREATED, store.insert("c", record, false))
        }
        Route::ListCustomers => {
            let query = verified
                .claims
                .uri
                .split_once('?')
                .map(|(_, q)| q)
                .unwrap_or("");
            let param = |name: &str, default: usize| {
                query
                    .split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .find(|(k, _)| *k == name)
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(default)
            };
            let (limit, offset) = (param("limit", 20).min(100), param("offset", 0));
            let data: Vec<Value> = store
                .customers
                .iter()
                .skip(offset)
                .take(limit)
                .cloned()
                .collect();
            ok(
                StatusCode::OK,
                json!({"data": data, "limit": limit, "offset": offset, "total": store.customers.len()}),
            )
        }
        Route::GetCustomer(id) => match store.customers.iter().find(|c| c["id"] == json!(id)) {
            Some(customer) => ok(StatusCode::OK, customer.clone()),
            None => error_response(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "no customer with this id",
            ),
        },
        Route::UploadDocument => {
            let Some(canonical) = received.multipart else {
                return error_response(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "VALIDATION_ERROR",
                    "send multipart/form-data",
                );
            };
            let record = json!({"fields": canonical.fields(), "files": canonical.files(), "size": received.size});
            ok(StatusCode::CREATED, store.insert("d", record, true))
        }
        Route::Unknown { known_path: true } => error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "this route does not take that method",
        ),
        Route::Unknown { known_path: false } => {
            error_response(StatusCode::NOT_FOUND, "NOT_FOUND", "no such route")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            Route::parse("POST", "/api/v1/customers"),
            Some(Route::CreateCustomer)
        );
        assert_eq!(
            Route::parse("GET", "/api/v1/customers/c_1"),
            Some(Route::GetCustomer("c_1".into()))
        );
        assert_eq!(
            Route::parse("DELETE", "/api/v1/customers/c_1"),
            Some(Route::Unknown { known_path: true })
        );
        assert_eq!(
            Route::parse("GET", "/api/v1/nothing"),
            Some(Route::Unknown { known_path: false })
        );
        assert_eq!(Route::parse("GET", "/elsewhere"), None);
        assert_eq!(
            Route::parse("GET", "/api/v1/customers/"),
            Some(Route::Unknown { known_path: true })
        );
        assert_eq!(
            Route::parse("POST", "/api/v1/documents/d_1"),
            Some(Route::Unknown { known_path: false })
        );
        assert_eq!(
            Route::parse("GET", "/api/v1/customers/c_1/x"),
            Some(Route::Unknown { known_path: false })
        );
        assert_eq!(
            Route::parse("GET", "/api/v1/"),
            Some(Route::Unknown { known_path: false })
        );
    }
}
