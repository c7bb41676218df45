//! Replays every input under `fuzz/regressions/<target>/` (crashes the fuzzers found, and seeds)
//! through the same harness the fuzzers run.

use std::path::PathBuf;

fn replay(target: &str, harness: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_file() {
            harness(&std::fs::read(&path).unwrap());
            count += 1;
        }
    }
    assert!(count > 0, "no inputs in {}", dir.display());
}

#[test]
fn multipart_wire_regressions() {
    replay("multipart_wire", nuvera_signing::fuzzing::multipart_wire);
}

#[test]
fn multipart_roundtrip_regressions() {
    replay(
        "multipart_roundtrip",
        nuvera_signing::fuzzing::multipart_roundtrip,
    );
}

#[test]
fn token_regressions() {
    replay("token", nuvera_signing::fuzzing::token);
}

#[test]
fn pem_regressions() {
    replay("pem", nuvera_signing::fuzzing::pem);
}

#[test]
fn inline_fuzzing_key_is_the_testdata_key() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/keys/test-rsa2048-public.pem");
    let file = std::fs::read_to_string(&path).unwrap();
    assert_eq!(nuvera_signing::fuzzing::PUBLIC_PEM, file);
}
