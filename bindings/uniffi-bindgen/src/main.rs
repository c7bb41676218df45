//! `uniffi-bindgen` built from the workspace's pinned uniffi, so the generator matches the
//! scaffolding exactly (PyPI's `uniffi-bindgen` lags behind).

fn main() {
    uniffi::uniffi_bindgen_main()
}
