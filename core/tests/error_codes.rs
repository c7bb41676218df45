//! `testdata/error-codes.json` is the core's one list of error codes, in a form every binding's
//! tests read to check their own list against. It must equal `ErrorCode::ALL`; regenerate it with
//! `NUVERA_UPDATE_ERROR_CODES=1 cargo test -p nuvera-signing --test error_codes`.

use nuvera_signing::ErrorCode;

#[test]
fn testdata_error_codes_json_is_the_core_list() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/error-codes.json");
    let expected = ErrorCode::list_json();
    if std::env::var_os("NUVERA_UPDATE_ERROR_CODES").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == expected,
        "testdata/error-codes.json differs from ErrorCode::ALL; regenerate it with \
         NUVERA_UPDATE_ERROR_CODES=1 cargo test -p nuvera-signing --test error_codes"
    );
}
