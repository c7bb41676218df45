//! The Python types the generated stub (`_native.pyi`, written by `maturin build
//! --generate-stubs` from pyo3's `experimental-inspect` data) states where a Rust type says less
//! than the Python API takes or returns: a [`Typed`] value converts as its Rust type does and
//! carries the hint of its marker. Hints made of builtins only are written in the `signature`
//! attributes instead; these need an import, which only a structured hint gives the stub.

use std::marker::PhantomData;

use pyo3::inspect::PyStaticExpr;
use pyo3::prelude::*;
use pyo3::type_hint_identifier as name;
use pyo3::type_hint_subscript as subscript;
use pyo3::type_hint_union as union;
// `type_hint_union!` calls itself by its own name.
use pyo3::type_hint_union;

/// A type hint for the stub.
pub trait Hint {
    /// The hint, as pyo3's introspection writes it.
    const HINT: PyStaticExpr;
}

/// `T`, converted as `T` is, with the stub's hint `H`.
pub struct Typed<T, H>(pub T, PhantomData<H>);

impl<T, H> Typed<T, H> {
    /// `value` with the hint `H`.
    pub fn new(value: T) -> Self {
        Typed(value, PhantomData)
    }
}

impl<'a, 'py, T: FromPyObject<'a, 'py>, H: Hint> FromPyObject<'a, 'py> for Typed<T, H> {
    type Error = T::Error;
    const INPUT_TYPE: PyStaticExpr = H::HINT;

    fn extract(value: Borrowed<'a, 'py, PyAny>) -> Result<Self, Self::Error> {
        T::extract(value).map(Typed::new)
    }
}

impl<'py, T: IntoPyObject<'py>, H: Hint> IntoPyObject<'py> for Typed<T, H> {
    type Target = T::Target;
    type Output = T::Output;
    type Error = T::Error;
    const OUTPUT_TYPE: PyStaticExpr = H::HINT;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        self.0.into_pyobject(py)
    }
}

/// One marker type per hint.
macro_rules! hints {
    ($($(#[doc = $doc:literal])* $marker:ident = $hint:expr;)*) => {$(
        $(#[doc = $doc])*
        pub enum $marker {}

        impl Hint for $marker {
            const HINT: PyStaticExpr = $hint;
        }
    )*};
}

const BYTES: PyStaticExpr = name!("builtins", "bytes");
const STR: PyStaticExpr = name!("builtins", "str");
/// What a signing callable may return.
const SIGNATURE: PyStaticExpr = union!(
    BYTES,
    name!("builtins", "bytearray"),
    name!("builtins", "memoryview")
);
/// `_typeshed.SupportsRead[bytes]`: a binary file object, of which only `read(n)` is used.
pub const BINARY_READER: PyStaticExpr = subscript!(name!("_typeshed", "SupportsRead"), BYTES);
/// `str`, or a `bytes`-like object.
pub const BYTES_OR_STR: PyStaticExpr = union!(SIGNATURE, STR);
/// A mapping of header names to values, or `(name, value)` pairs.
pub const HEADERS: PyStaticExpr = union!(
    subscript!(name!("collections.abc", "Mapping"), STR, STR),
    subscript!(
        name!("collections.abc", "Iterable"),
        subscript!(name!("builtins", "tuple"), STR, STR)
    )
);

hints! {
    /// A JSON object the core wrote: `dict[str, typing.Any]`.
    JsonObject = subscript!(name!("builtins", "dict"), STR, name!("typing", "Any"));
    /// `dict[str, str]`: HTTP headers.
    StrDict = subscript!(name!("builtins", "dict"), STR, STR);
    /// The exception `error_for_code` returns.
    ErrorClass = name!("nuvera_signing.errors", "NuveraSigningError");
    /// What a `RemoteKey`'s callable is given.
    InputName = subscript!(
        name!("typing", "Literal"),
        PyStaticExpr::Tuple {
            elts: &[
                PyStaticExpr::Constant { value: pyo3::inspect::PyStaticConstant::Str("digest") },
                PyStaticExpr::Constant { value: pyo3::inspect::PyStaticConstant::Str("message") },
            ]
        }
    );
    /// A `RemoteKey`'s signing callable, plain or `async`.
    SignCallable = subscript!(
        name!("collections.abc", "Callable"),
        PyStaticExpr::List { elts: &[BYTES] },
        union!(SIGNATURE, subscript!(name!("collections.abc", "Awaitable"), SIGNATURE))
    );
    /// The loop an `async` signing callable runs on.
    EventLoop = name!("asyncio", "AbstractEventLoop");
    /// What `Signer.sign_async` returns.
    FutureSigned = subscript!(
        name!("asyncio", "Future"),
        <crate::signing::SignedRequest as pyo3::PyTypeInfo>::TYPE_HINT
    );
    /// A binary file object.
    BinaryReader = BINARY_READER;
}
