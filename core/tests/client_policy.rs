//! Runs every case of `testdata/client-policy/cases.json` (contract §8) through the core's
//! `Exchange`, and checks the signer side of clock correction: `iat = now + offset`, `exp − iat`
//! unchanged, the offset shared by clones and threads.

mod common;

use std::sync::Arc;

use nuvera_signing::client::{
    Action, Attempt, ClientPolicy, ClockOffset, Exchange, Request, Response, RetryPolicy,
};
use nuvera_signing::{Body, ErrorCode, FixedClock, PrivateKey, Signer};
use serde_json::Value;

fn str_of(v: &Value) -> &str {
    v.as_str().expect("a string")
}

fn policy_of(case: &Value) -> ClientPolicy {
    let mut policy = ClientPolicy::default();
    let Some(p) = case.get("policy") else {
        return policy;
    };
    if let Some(n) = p.get("maxRedirects") {
        policy.max_redirects = n.as_u64().unwrap() as u32;
    }
    if let Some(b) = p.get("correctClock") {
        policy.correct_clock = b.as_bool().unwrap();
    }
    if let Some(r) = p.get("retry") {
        policy.retry = Some(
            RetryPolicy::from_optional(
                r.get("statuses").map(|s| {
                    s.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_u64().unwrap() as u16)
                        .collect()
                }),
                r.get("methods").map(|s| {
                    s.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| str_of(x).to_owned())
                        .collect()
                }),
                r.get("maxAttempts").map(|n| n.as_u64().unwrap() as u32),
                r.get("baseDelayMs").map(|n| n.as_u64().unwrap()),
                r.get("maxDelayMs").map(|n| n.as_u64().unwrap()),
            )
            .unwrap(),
        );
    }
    policy
}

fn attempt_of(v: &Value) -> Attempt {
    Attempt {
        method: str_of(&v["method"]).to_owned(),
        url: str_of(&v["url"]).to_owned(),
        send_body: v["sendBody"].as_bool().unwrap(),
        credentials: v["credentials"].as_bool().unwrap(),
    }
}

fn response_of(v: &Value) -> Response {
    Response {
        status: v["status"].as_u64().unwrap() as u16,
        headers: v["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (str_of(&h[0]).to_owned(), str_of(&h[1]).to_owned()))
            .collect(),
        body: str_of(&v["body"]).as_bytes().to_vec(),
        sent_at_ms: v["sentAtMs"].as_i64().unwrap(),
        received_at_ms: v["receivedAtMs"].as_i64().unwrap(),
    }
}

fn run_case(case: &Value) -> Result<(), String> {
    let offset = ClockOffset::with_secs(case["clockOffset"].as_i64().unwrap()).unwrap();
    let request = &case["request"];
    let started = Exchange::new(
        policy_of(case),
        Request {
            method: str_of(&request["method"]).to_owned(),
            url: str_of(&request["url"]).to_owned(),
            has_body: request["hasBody"].as_bool().unwrap(),
        },
        offset.clone(),
    );
    let mut exchange = match (&case["first"].get("fail"), started) {
        (Some(code), Err(e)) if e.code().as_str() == str_of(code) => return Ok(()),
        (Some(code), other) => return Err(format!("expected {code} at start, got {other:?}")),
        (None, Err(e)) => return Err(format!("refused at start: {e}")),
        (None, Ok(ex)) => ex,
    };
    if let Some(jitter) = case.get("jitter") {
        let fractions = jitter
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_f64().unwrap())
            .collect();
        exchange = exchange.with_jitter_fractions(fractions).unwrap();
    }
    let first = attempt_of(&case["first"]);
    if exchange.first() != &first {
        return Err(format!(
            "first send {:?}, expected {first:?}",
            exchange.first()
        ));
    }
    let steps = case["steps"].as_array().unwrap();
    for (i, step) in steps.iter().enumerate() {
        let expect = &step["expect"];
        let action = exchange.on_response(&response_of(&step["response"]));
        let matches = match (str_of(&expect["action"]), &action) {
            (
                "send",
                Action::Send {
                    attempt,
                    delay_ms,
                    reason,
                },
            ) => {
                *attempt == attempt_of(&expect["attempt"])
                    && *delay_ms == expect["delayMs"].as_u64().unwrap()
                    && reason.as_str() == str_of(&expect["reason"])
            }
            ("done", Action::Done) => true,
            ("fail", Action::Fail(e)) => e.code().as_str() == str_of(&expect["code"]),
            _ => false,
        };
        if !matches {
            return Err(format!("step {i}: got {action:?}, expected {expect}"));
        }
        let want_offset = expect["clockOffset"].as_i64().unwrap();
        if offset.secs() != want_offset {
            return Err(format!(
                "step {i}: clock offset {} s, expected {want_offset} s",
                offset.secs()
            ));
        }
        let last = i + 1 == steps.len();
        if last == matches!(action, Action::Send { .. }) {
            return Err(format!(
                "step {i}: the exchange must end exactly at the last step"
            ));
        }
    }
    // Over is over: a further response is a misuse, not a new decision.
    if let Action::Fail(e) = exchange.on_response(&Response::default()) {
        if e.code() != ErrorCode::ObjectClosed {
            return Err(format!("after the end: {e}"));
        }
    } else {
        return Err("after the end the exchange still decided".to_owned());
    }
    Ok(())
}

#[test]
fn every_case_of_the_table_holds() {
    let text = std::fs::read_to_string(common::testdata("client-policy/cases.json")).unwrap();
    let table: Value = serde_json::from_str(&text).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 70, "the table lost cases");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(case)
                .err()
                .map(|e| format!("{}: {e}", str_of(&case["name"])))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_covers_what_the_contract_names() {
    let text = std::fs::read_to_string(common::testdata("client-policy/cases.json")).unwrap();
    for needle in [
        "TOO_MANY_REDIRECTS",
        "INSECURE_REDIRECT",
        "CLOCK_SKEW_TOO_LARGE",
        "\"clock-correction\"",
        "Retry-After",
        "\"credentials\": false",
    ] {
        assert!(text.contains(needle), "no case with {needle}");
    }
}

fn signer(now: u64) -> Signer {
    let pem = common::key_pem("test-rsa2048-pkcs8.pem");
    let key = PrivateKey::from_pem(std::str::from_utf8(&pem).unwrap(), None).unwrap();
    Signer::new(key, "nv_live_3f9a2c7d1e")
        .unwrap()
        .with_clock(Arc::new(FixedClock(now)))
}

#[test]
fn a_correction_moves_iat_for_every_clone_and_thread_and_keeps_the_lifetime() {
    let now = 1_800_000_000;
    let signer = signer(now);
    let before = signer
        .sign("GET", "/api/v1/customers", Body::Empty)
        .unwrap();
    assert_eq!(before.claims().iat, now);
    let mut exchange = Exchange::new(
        ClientPolicy::default(),
        Request {
            method: "GET".into(),
            url: "https://api.nuvera.test/api/v1/customers".into(),
            has_body: false,
        },
        signer.clock_offset().clone(),
    )
    .unwrap();
    let refusal = Response {
        status: 401,
        headers: vec![("date".into(), "Fri, 15 Jan 2027 08:10:00 GMT".into())],
        body: br#"{"errors":[{"code":"AUTH_TOKEN_EXPIRED","message":"m"}]}"#.to_vec(),
        // 2027-01-15T08:00:00Z, ten minutes before the server's Date.
        sent_at_ms: 1_800_000_000_000,
        received_at_ms: 1_800_000_000_000,
    };
    assert!(matches!(
        exchange.on_response(&refusal),
        Action::Send { .. }
    ));
    let clone = signer.clone();
    let after =
        std::thread::spawn(move || clone.sign("GET", "/api/v1/customers", Body::Empty).unwrap())
            .join()
            .unwrap();
    assert_eq!(signer.clock_offset().secs(), 600);
    assert_eq!(after.claims().iat, now + 600);
    assert_eq!(
        after.claims().exp - after.claims().iat,
        before.claims().exp - before.claims().iat
    );
    assert_ne!(after.claims().jti, before.claims().jti);
}

#[test]
fn a_signer_starts_from_a_given_offset_within_24_hours() {
    let now = 1_800_000_000;
    let behind = signer(now).with_clock_offset(-600).unwrap();
    assert_eq!(
        behind
            .sign("GET", "/api/v1/customers", Body::Empty)
            .unwrap()
            .claims()
            .iat,
        now - 600
    );
    assert_eq!(
        signer(now)
            .with_clock_offset(2 * 86_400)
            .unwrap_err()
            .code(),
        ErrorCode::ClockSkewTooLarge
    );
    assert_eq!(
        signer(100)
            .with_clock_offset(-200)
            .unwrap()
            .sign("GET", "/", Body::Empty)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidClaim
    );
}

#[test]
fn bad_policies_and_fractions_are_refused() {
    let request = || Request {
        method: "GET".into(),
        url: "https://api.nuvera.test/".into(),
        has_body: false,
    };
    let zero = RetryPolicy {
        max_attempts: 0,
        ..RetryPolicy::default()
    };
    let policy = ClientPolicy {
        retry: Some(zero),
        ..ClientPolicy::default()
    };
    assert_eq!(
        Exchange::new(policy, request(), ClockOffset::new())
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        RetryPolicy::from_optional(None, None, None, Some(20_000), None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        RetryPolicy::from_optional(None, Some(vec!["GE T".into()]), None, None, None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidMethod
    );
    assert_eq!(
        Exchange::new(ClientPolicy::with_retries(), request(), ClockOffset::new())
            .unwrap()
            .with_jitter_fractions(vec![1.5])
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert!(RetryPolicy::including_post()
        .methods
        .contains(&"POST".to_owned()));
}
