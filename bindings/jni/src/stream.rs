//! A Java `InputStream` as a Rust `Read`, pulled by the core in chunks through one reused
//! `byte[]`, so a stream of any size crosses in 64 KiB steps and memory stays flat.

use std::io::Read;

use jni::errors::Error as JniError;
use jni::objects::{JByteArray, JObject, JValue};
use jni::refs::Global;
use jni::sys::jint;
use jni::{jni_sig, jni_str, Env, JavaVM};

use crate::convert::FromJava;
use crate::errors::{java_failure_text, Failure};

/// The stream and the buffer it reads into; read on the thread of the Java call that hashes,
/// encodes or signs with it (the core never keeps it past that call's own use).
pub(crate) struct JavaInputStream {
    vm: JavaVM,
    stream: Global<JObject<'static>>,
    buffer: Global<JByteArray<'static>>,
}

impl JavaInputStream {
    /// Chunk size: large enough to amortize the JNI call, small enough to keep memory flat.
    const CHUNK: usize = 64 * 1024;
}

/// A non-null `java.io.InputStream` argument.
impl<'local> FromJava<'local> for JavaInputStream {
    type Java = JObject<'local>;
    const JAVA: &'static str = "InputStream";
    fn from_java(env: &mut Env<'local>, value: JObject<'local>) -> Result<Self, Failure> {
        let stream = Global::<JObject<'static>>::from_java(env, value)?;
        let buffer = JByteArray::new(env, Self::CHUNK)?;
        Ok(JavaInputStream {
            vm: env.get_java_vm()?,
            stream,
            buffer: env.new_global_ref(&buffer)?,
        })
    }
}

impl Read for JavaInputStream {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let want = out.len().min(Self::CHUNK);
        if want == 0 {
            return Ok(0);
        }
        let result = self
            .vm
            .attach_current_thread(|env| -> jni::errors::Result<usize> {
                let args = [
                    JValue::Object(&self.buffer),
                    JValue::Int(0),
                    JValue::Int(jint::try_from(want).unwrap_or(jint::MAX)),
                ];
                let n = match env.call_method(
                    &self.stream,
                    jni_str!("read"),
                    jni_sig!("([BII)I"),
                    &args,
                ) {
                    // Taken and cleared here, so that its name and message reach the core's error.
                    Err(JniError::JavaException) => return env.exception_catch().map(|()| 0),
                    other => other?.i()?,
                };
                let n = usize::try_from(n).map_or(0, |n| n.min(want));
                let mut chunk = vec![0i8; n];
                self.buffer.get_region(env, 0, &mut chunk)?;
                for (o, c) in out.iter_mut().zip(&chunk) {
                    *o = *c as u8;
                }
                Ok(n)
            });
        result.map_err(|e| std::io::Error::other(java_failure_text(e, "the InputStream failed")))
    }
}
