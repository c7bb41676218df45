//! One conversion per type across the boundary: [`FromJava`] turns a `native` method's JNI
//! argument into the Rust value the core takes (nulls checked once, here), [`IntoJava`] turns a
//! Rust result into the JNI value Java receives. [`crate::boundary::native`] applies them, so an
//! entry point is written over Rust types only. Each also spells its type in Java (`JAVA`), so the
//! generated `Native.java` declares exactly what the Rust side reads and returns.

use std::any::Any;
use std::sync::Arc;

use jni::objects::{
    Global, JByteArray, JDoubleArray, JIntArray, JLongArray, JObject, JObjectArray, JString,
};
use jni::sys::{jint, jlong};
use jni::{jni_sig, jni_str, Env};

use crate::boundary::{borrow, into_handle, Handle};
use crate::errors::Failure;

/// A Rust value read from a `native` method's argument of JNI type `Java`.
pub(crate) trait FromJava<'local>: Sized {
    /// The argument's JNI type.
    type Java;
    /// The parameter's type in the Java declaration (JSpecify's `@Nullable` where null is read).
    // Read only where the tests write Native.java.
    #[cfg_attr(not(test), allow(dead_code))]
    const JAVA: &'static str;
    /// Reads `value`; a null where Java promised none fails with `INVALID_ARGUMENT`.
    fn from_java(env: &mut Env<'local>, value: Self::Java) -> Result<Self, Failure>;
}

/// A Rust value returned to Java as JNI type `Java` (its default is what Java receives beside a
/// thrown exception).
pub(crate) trait IntoJava<'local> {
    /// The result's JNI type.
    type Java: Default;
    /// The return type in the Java declaration.
    // Read only where the tests write Native.java.
    #[cfg_attr(not(test), allow(dead_code))]
    const JAVA: &'static str;
    /// Makes the Java value.
    fn into_java(self, env: &mut Env<'local>) -> Result<Self::Java, Failure>;
}

/// Primitives that cross as they are.
macro_rules! same_on_both_sides {
    ($($t:ty => $java:literal),*) => {$(
        impl<'local> FromJava<'local> for $t {
            type Java = $t;
            const JAVA: &'static str = $java;
            fn from_java(_: &mut Env<'local>, value: $t) -> Result<Self, Failure> {
                Ok(value)
            }
        }
        impl<'local> IntoJava<'local> for $t {
            type Java = $t;
            const JAVA: &'static str = $java;
            fn into_java(self, _: &mut Env<'local>) -> Result<$t, Failure> {
                Ok(self)
            }
        }
    )*};
}
same_on_both_sides!(() => "void", bool => "boolean", jint => "int", jlong => "long");

/// A `String[]` in JNI.
pub(crate) type StringArray<'local> = JObjectArray<'local, JString<'local>>;

/// Nullable reference arguments: `Option<T>` is `None` for null, else `read` of the reference.
macro_rules! nullable {
    ($($rust:ty => $java:ident as $spelling:literal: |$env:ident, $value:ident| $read:expr;)*) => {$(
        impl<'local> FromJava<'local> for Option<$rust> {
            type Java = $java<'local>;
            const JAVA: &'static str = $spelling;
            fn from_java($env: &mut Env<'local>, $value: $java<'local>) -> Result<Self, Failure> {
                if $value.is_null() {
                    return Ok(None);
                }
                Ok(Some($read))
            }
        }
    )*};
}
nullable! {
    String => JString as "@Nullable String": |env, value| value.try_to_string(env)?;
    Vec<u8> => JByteArray as "byte @Nullable []": |env, value| env.convert_byte_array(&value)?;
    // A boxed `Long`, `Integer` or `Boolean`: boxed only when present, so a call that leaves the
    // value out (the common path) allocates nothing.
    i64 => JObject as "@Nullable Long": |env, value| {
        env.call_method(&value, jni_str!("longValue"), jni_sig!("()J"), &[])?.j()?
    };
    jint => JObject as "@Nullable Integer": |env, value| {
        env.call_method(&value, jni_str!("intValue"), jni_sig!("()I"), &[])?.i()?
    };
    bool => JObject as "@Nullable Boolean": |env, value| {
        env.call_method(&value, jni_str!("booleanValue"), jni_sig!("()Z"), &[])?.z()?
    };
    Vec<jint> => JIntArray as "int @Nullable []": |env, value| {
        let mut out = vec![0; value.len(env)?];
        value.get_region(env, 0, &mut out)?;
        out
    };
    Vec<f64> => JDoubleArray as "double @Nullable []": |env, value| {
        let mut out = vec![0.0; value.len(env)?];
        value.get_region(env, 0, &mut out)?;
        out
    };
    // No element may be null.
    Vec<String> => StringArray as "String @Nullable []": |env, value| {
        let mut out = Vec::new();
        for i in 0..value.len(env)? {
            let element = value.get_element(env, i)?;
            out.push(String::from_java(env, element)?);
        }
        out
    };
    // A Java object the core keeps using after the call (an `InputStream`, a callback).
    Global<JObject<'static>> => JObject as "@Nullable Object": |env, value| env.new_global_ref(&value)?;
}

/// Reference arguments Java declares non-null: a null fails with `INVALID_ARGUMENT`.
macro_rules! required {
    ($($rust:ty: $java:literal),*) => {$(
        impl<'local> FromJava<'local> for $rust {
            type Java = <Option<$rust> as FromJava<'local>>::Java;
            const JAVA: &'static str = $java;
            fn from_java(env: &mut Env<'local>, value: Self::Java) -> Result<Self, Failure> {
                Option::<$rust>::from_java(env, value)?.ok_or_else(|| {
                    Failure::argument(concat!("a required ", $java, " argument is null"))
                })
            }
        }
    )*};
}
required!(String: "String", Vec<u8>: "byte[]", Global<JObject<'static>>: "Object");

/// Headers as Java passes them: a flat `String[]` `[name, value, name, value, …]` (null: none).
pub(crate) struct Headers(pub(crate) Vec<(String, String)>);

impl Headers {
    /// The pairs as the core takes them.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// Java always passes an array; a null reads as no headers.
impl<'local> FromJava<'local> for Headers {
    type Java = StringArray<'local>;
    const JAVA: &'static str = "String[]";
    fn from_java(env: &mut Env<'local>, value: StringArray<'local>) -> Result<Self, Failure> {
        let flat = Option::<Vec<String>>::from_java(env, value)?.unwrap_or_default();
        let mut flat = flat.into_iter();
        let mut pairs = Vec::with_capacity(flat.len() / 2);
        while let (Some(name), Some(value)) = (flat.next(), flat.next()) {
            pairs.push((name, value));
        }
        Ok(Headers(pairs))
    }
}

/// A live handle, borrowed for the call (see [`crate::boundary`]).
impl<'local, T: Any> FromJava<'local> for Handle<T> {
    type Java = jlong;
    const JAVA: &'static str = "long";
    fn from_java(_: &mut Env<'local>, value: jlong) -> Result<Self, Failure> {
        borrow(value)
    }
}

/// A new native object, given to Java as a handle that Java frees once.
impl<'local, T: Any + Send + Sync> IntoJava<'local> for Arc<T> {
    type Java = jlong;
    const JAVA: &'static str = "long";
    fn into_java(self, _: &mut Env<'local>) -> Result<jlong, Failure> {
        Ok(into_handle(self))
    }
}

impl<'local> IntoJava<'local> for String {
    type Java = JString<'local>;
    const JAVA: &'static str = "String";
    fn into_java(self, env: &mut Env<'local>) -> Result<JString<'local>, Failure> {
        Ok(env.new_string(self)?)
    }
}

/// A `String[]` whose `None`s are nulls.
impl<'local> IntoJava<'local> for Vec<Option<String>> {
    type Java = StringArray<'local>;
    const JAVA: &'static str = "@Nullable String[]";
    fn into_java(self, env: &mut Env<'local>) -> Result<Self::Java, Failure> {
        let array = JObjectArray::<JString>::new(env, self.len(), JString::null())?;
        for (i, value) in self.into_iter().enumerate() {
            if let Some(value) = value {
                let s = env.new_string(value)?;
                array.set_element(env, i, &s)?;
                env.delete_local_ref(s);
            }
        }
        Ok(array)
    }
}

impl<'local> IntoJava<'local> for Vec<String> {
    type Java = StringArray<'local>;
    const JAVA: &'static str = "String[]";
    fn into_java(self, env: &mut Env<'local>) -> Result<Self::Java, Failure> {
        self.into_iter()
            .map(Some)
            .collect::<Vec<_>>()
            .into_java(env)
    }
}

/// Arrays of primitives.
macro_rules! into_primitive_array {
    ($($t:ty => $java:ident as $spelling:literal, $new:ident);*) => {$(
        impl<'local> IntoJava<'local> for Vec<$t> {
            type Java = $java<'local>;
            const JAVA: &'static str = $spelling;
            fn into_java(self, env: &mut Env<'local>) -> Result<Self::Java, Failure> {
                let array = env.$new(self.len())?;
                array.set_region(env, 0, &self)?;
                Ok(array)
            }
        }
    )*};
}
into_primitive_array!(
    jint => JIntArray as "int[]", new_int_array;
    jlong => JLongArray as "long[]", new_long_array
);
