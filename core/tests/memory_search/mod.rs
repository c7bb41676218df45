//! Where a private key's bytes are: the secret numbers of the test key as byte strings, and a
//! search of a process's readable memory (`/proc/<pid>/mem`) for them. Shared by the core's and
//! the CLI's remote-key proofs (`#[path]`).
#![allow(dead_code)]

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use der::Decode;

fn key_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/keys/test-rsa2048-pkcs8.pem")
}

/// Named byte strings that only the private key contains.
pub fn secret_needles() -> Vec<(String, Vec<u8>)> {
    let text = std::fs::read_to_string(key_file()).unwrap();
    let pkcs8_der = pem::parse(&text).unwrap().into_contents();
    let info = pkcs8::PrivateKeyInfoRef::from_der(&pkcs8_der).unwrap();
    let pkcs1_der = info.private_key.as_bytes().to_vec();
    let rsa = pkcs1::RsaPrivateKeyRef::from_der(&pkcs1_der).unwrap();
    let mut needles = Vec::new();
    for (name, value) in [
        ("d", rsa.private_exponent.as_bytes()),
        ("p", rsa.prime1.as_bytes()),
        ("q", rsa.prime2.as_bytes()),
        ("dP", rsa.exponent1.as_bytes()),
        ("dQ", rsa.exponent2.as_bytes()),
        ("qInv", rsa.coefficient.as_bytes()),
    ] {
        // 24 bytes from inside the number: long enough never to match by chance, short enough
        // to be found whatever the limb alignment.
        let window = value[16..40].to_vec();
        let mut reversed = value.to_vec();
        reversed.reverse();
        needles.push((format!("{name} (big-endian)"), window));
        needles.push((format!("{name} (little-endian)"), reversed[16..40].to_vec()));
    }
    // The encodings' tails (they end with the secret components; their heads hold the public
    // modulus, which may be anywhere).
    needles.push((
        "PKCS#1 DER".to_owned(),
        pkcs1_der[pkcs1_der.len() - 32..].to_vec(),
    ));
    needles.push((
        "PKCS#8 DER".to_owned(),
        pkcs8_der[pkcs8_der.len() - 32..].to_vec(),
    ));
    needles
}

/// Every readable mapping of `pid`, searched for `needles`: (what was found, bytes read).
pub fn search_process_memory(pid: u32, needles: &[(String, Vec<u8>)]) -> (Vec<String>, u64) {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mem = File::open(format!("/proc/{pid}/mem")).unwrap();
    let finders: Vec<_> = needles
        .iter()
        .map(|(name, bytes)| (name, memchr::memmem::Finder::new(bytes)))
        .collect();
    let mut found = Vec::new();
    let mut scanned = 0u64;
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (range, perms) = (fields.next().unwrap(), fields.next().unwrap());
        let region = line.split_whitespace().nth(5).unwrap_or("[anonymous]");
        if !perms.starts_with('r') || region == "[vvar]" || region == "[vsyscall]" {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let start = u64::from_str_radix(start, 16).unwrap();
        let end = u64::from_str_radix(end, 16).unwrap();
        let mut buf = vec![0u8; (end - start) as usize];
        // A mapping can shrink between reading the map and reading it; what is readable counts.
        let Ok(n) = mem.read_at(&mut buf, start) else {
            continue;
        };
        scanned += n as u64;
        for (name, finder) in &finders {
            if finder.find(&buf[..n]).is_some() {
                found.push(format!("{name} in {region}"));
            }
        }
    }
    (found, scanned)
}
