//! Nothing to link: this library target exists so that `nuvera-signing-uniffi` can name this
//! crate as a path dev-dependency, which is how maturin puts the generator into the Python sdist
//! (building from the sdist runs the workspace `uniffi-bindgen` binary).
