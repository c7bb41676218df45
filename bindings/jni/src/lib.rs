//! JNI bindings of `nuvera-signing`: the native library inside the Java/Kotlin jar
//! (`java/`, package `global.nuvera.signing`).
//!
//! Glue only: every rule is in the core crate. Each `native` method of the Java class
//! `global.nuvera.signing.Native` has one `extern "system"` function here, grouped by domain
//! (`keys`, `signing`, `multipart`, `verify`, `explain`, `errors`); `boundary` is the one place
//! that runs an entry point (panics caught, core errors thrown as Java exceptions with their code)
//! and the one handle-ownership scheme (a Java `long` holding an `Arc`, freed once by Java).
//!
//! Why JNI and not a generator: see java/README.md ("Why JNI").

mod body;
mod boundary;
mod client;
mod convert;
mod errors;
mod explain;
mod keys;
mod multipart;
mod remote;
mod signing;
mod verify;
