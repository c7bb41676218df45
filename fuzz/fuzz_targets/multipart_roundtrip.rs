#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| nuvera_signing::fuzzing::multipart_roundtrip(data));
