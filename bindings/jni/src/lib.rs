//! JNI bindings of `nuvera-signing`: the native library inside the Java/Kotlin jar
//! (`java/`, package `global.nuvera.signing`).
//!
//! Glue only: every rule is in the core crate. Each `native` method of the Java class
//! `global.nuvera.signing.Native` is one Rust function, declared with `boundary::native!` in the
//! module of its domain; `convert` holds the one conversion of each type across the boundary.
//! `Native.java` is generated from those entry points (`java_decl`), never written by hand.
//!
//! Why JNI and not a generator: see java/README.md ("Why JNI").

mod body;
mod boundary;
mod client;
mod convert;
mod errors;
mod explain;
mod java_decl;
mod keys;
mod multipart;
mod remote;
mod signing;
mod stream;
mod verify;
