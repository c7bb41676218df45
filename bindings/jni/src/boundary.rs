//! The one boundary every entry point goes through, and the one handle-ownership scheme.
//!
//! - [`native!`] exports Rust functions over Rust types as the `native` methods of
//!   `global.nuvera.signing.Native`, converting with [`crate::convert`] inside [`run`], where a
//!   panic becomes `INTERNAL_ERROR` and a [`Failure`] the Java exception with its code.
//! - A native object is an `Arc<T>` boxed as `Arc<dyn Any>`, so one `free` serves every type and
//!   each use checks the type; Java's `NativeHandle` frees it once, never while a call runs.
//!
//! The shape follows signalapp/libsignal's `rust/bridge`, with a declarative macro in place of its
//! procedural one: this crate has a single language to serve.

use std::any::Any;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};

use jni::errors::ErrorPolicy;
use jni::sys::jlong;
use jni::{Env, EnvUnowned};
use nuvera_signing::{Error, ErrorCode};

use crate::errors::{throw_failure, Failure};

/// Declares `native` entry points: `fn javaName(arg: RustType, …) -> RustType { body }`, or
/// `fn javaName[env](…)` for a body that also uses the JNI `Env`.
///
/// The body may use `?`, and Java declares the method `throws NuveraSigningException`. Marked
/// `#[native(infallible)]`, the body is compiled where `?` does not exist, and Java declares no
/// `throws`: only a bug of the Java layer (a null, a closed handle) or a panic can fail it.
///
/// Each invocation also lists its methods' Java declarations as `NATIVES` (tests only), from
/// which `java_decl` writes `Native.java`: the Java side of an entry point is never written by
/// hand, so it cannot disagree with the Rust side.
macro_rules! native {
    (@body $body:block) => { $body };
    (@body infallible $body:block) => { $crate::boundary::infallible(|| $body) };
    (@throws) => { true };
    (@throws infallible) => { false };
    ($(
        $(#[doc = $doc:literal])*
        $(#[native($infallible:ident)])?
        fn $name:ident $([$env:ident])? ($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block
    )*) => {
        $(
            // An anonymous block, so the exported function's Rust name collides with nothing.
            const _: () = {
                $(#[doc = $doc])*
                #[export_name = concat!("Java_global_nuvera_signing_Native_", stringify!($name))]
                #[allow(clippy::too_many_arguments, clippy::unused_unit)]
                extern "system" fn entry<'local>(
                    env: ::jni::EnvUnowned<'local>,
                    _class: ::jni::objects::JClass<'local>,
                    $($arg: <$ty as $crate::convert::FromJava<'local>>::Java,)*
                ) -> <$ret as $crate::convert::IntoJava<'local>>::Java {
                    $crate::boundary::run(env, |env| {
                        $(let $arg = <$ty as $crate::convert::FromJava<'local>>::from_java(env, $arg)?;)*
                        $(let $env = &mut *env;)?
                        let value: $ret = $crate::boundary::native!(@body $($infallible)? $body);
                        $crate::convert::IntoJava::into_java(value, env)
                    })
                }
            };
        )*

        /// This module's entry points as Java declares them.
        #[cfg(test)]
        pub(crate) const NATIVES: $crate::java_decl::Module = $crate::java_decl::Module {
            path: module_path!(),
            methods: &[$(
                $crate::java_decl::Method {
                    name: stringify!($name),
                    doc: &[$($doc),*],
                    params: &[$(
                        (stringify!($arg), <$ty as $crate::convert::FromJava<'static>>::JAVA),
                    )*],
                    returns: <$ret as $crate::convert::IntoJava<'static>>::JAVA,
                    throws: $crate::boundary::native!(@throws $($infallible)?),
                },
            )*],
        };
    };
}
pub(crate) use native;

/// The value of an `#[native(infallible)]` body: inside a closure that returns it, so a `?` in
/// the body does not compile.
pub(crate) fn infallible<T>(body: impl FnOnce() -> T) -> T {
    body()
}

/// Runs `body` as a native method's implementation: Java sees its value or a pending exception.
pub(crate) fn run<'local, T, F>(mut env: EnvUnowned<'local>, body: F) -> T
where
    T: Default,
    F: FnOnce(&mut Env<'local>) -> Result<T, Failure>,
{
    env.with_env(body).resolve::<ThrowWithCode>()
}

/// The error policy of [`run`]: every failure and panic is thrown as a `NuveraSigningException`.
struct ThrowWithCode;

impl<T: Default> ErrorPolicy<T, Failure> for ThrowWithCode {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _: &mut (),
        err: Failure,
    ) -> jni::errors::Result<T> {
        throw_failure(env, err)?;
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _: &mut (),
        payload: Box<dyn std::any::Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        throw_failure(env, Failure::Core(Error::from_panic(payload.as_ref())))?;
        Ok(T::default())
    }
}

/// Locks the `Mutex` of an object whose core type is `&mut` to use (a form, an exchange), so
/// calls on one object are serialized. A poisoned lock only means another call panicked, which
/// was reported then; the core never leaves its objects half-updated, so the value is used.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a handle points to: any native object, so that one `free` serves every type and a
/// handle of the wrong type fails with `INTERNAL_ERROR` instead of being misread.
type AnyObject = Arc<dyn Any + Send + Sync>;

/// Gives `value` to Java as a handle; Java frees it once with `Native.free`.
pub(crate) fn into_handle<T: Any + Send + Sync>(value: Arc<T>) -> jlong {
    Box::into_raw(Box::new(value as AnyObject)) as jlong
}

/// The object behind a live handle, borrowed for one native call.
///
/// Java guarantees (`NativeHandle`) that the handle came from [`into_handle`] and is not freed
/// before the native call that received it returns; a `Handle` is neither `Send` nor returned to
/// Java, so it does not outlive that call.
pub(crate) struct Handle<T>(*const T);

impl<T> Deref for Handle<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: see the type docs: it points into a live `AnyObject`, kept alive for this call.
        unsafe { &*self.0 }
    }
}

/// The object behind a live handle (0 is a closed object).
fn object<'a>(handle: jlong) -> Result<&'a AnyObject, Failure> {
    if handle == 0 {
        return Err(Failure::closed());
    }
    // SAFETY: a live handle made by `into_handle` (see `Handle`).
    Ok(unsafe { &*(handle as *const AnyObject) })
}

/// The failure of a handle that is not a `T` (a bug in the Java layer, never a user's error).
fn wrong_type<T>() -> Failure {
    let message = format!("a handle is not a {}", std::any::type_name::<T>());
    Failure::Core(Error::new(ErrorCode::InternalError, message))
}

/// Borrows the object behind a live handle of type `T` (see [`Handle`]).
pub(crate) fn borrow<T: Any>(handle: jlong) -> Result<Handle<T>, Failure> {
    let value = object(handle)?
        .downcast_ref::<T>()
        .ok_or_else(wrong_type::<T>)?;
    Ok(Handle(value))
}

/// A new strong reference to the object behind a live handle of type `T`.
pub(crate) fn clone_arc<T: Any + Send + Sync>(handle: jlong) -> Result<Arc<T>, Failure> {
    Arc::clone(object(handle)?)
        .downcast::<T>()
        .map_err(|_| wrong_type::<T>())
}

/// Frees a handle made by [`into_handle`]; `NativeHandle` calls this once, after the last call.
fn free(handle: jlong) {
    if handle != 0 {
        // SAFETY: the handle is an `AnyObject` box given up by Java exactly once.
        drop(unsafe { Box::from_raw(handle as *mut AnyObject) });
    }
}

native! {
    /// Frees any handle, once (`NativeHandle`).
    #[native(infallible)]
    fn free(handle: jlong) -> () {
        free(handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caught(f: impl FnOnce() + std::panic::UnwindSafe) -> Error {
        let payload = std::panic::catch_unwind(f).expect_err("the closure panics");
        Error::from_panic(payload.as_ref())
    }

    #[test]
    fn panics_become_internal_error_with_their_message() {
        let literal = caught(|| panic!("a literal message"));
        assert_eq!(literal.code(), ErrorCode::InternalError);
        assert!(literal.message().ends_with(": a literal message"));
        let value = 42;
        let formatted = caught(move || panic!("formatted {value}"));
        assert_eq!(formatted.code(), ErrorCode::InternalError);
        assert!(formatted.message().ends_with(": formatted 42"));
        let other = caught(|| std::panic::panic_any(7_u8));
        assert!(other.message().ends_with(": a panic without a message"));
    }

    #[test]
    fn a_handle_lives_until_freed_once() {
        let value = Arc::new(String::from("kept"));
        let handle = into_handle(Arc::clone(&value));
        assert_eq!(Arc::strong_count(&value), 2);
        let borrowed = borrow::<String>(handle).ok();
        assert_eq!(borrowed.as_deref().map(String::as_str), Some("kept"));
        let extra = clone_arc::<String>(handle).ok();
        assert_eq!(Arc::strong_count(&value), 3);
        drop(extra);
        assert!(
            matches!(borrow::<u8>(handle), Err(Failure::Core(e)) if e.code() == ErrorCode::InternalError)
        );
        free(handle);
        assert_eq!(Arc::strong_count(&value), 1);
        assert!(
            matches!(borrow::<String>(0), Err(Failure::Core(e)) if e.code() == ErrorCode::ObjectClosed)
        );
    }
}
