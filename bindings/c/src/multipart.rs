//! Multipart forms to encode and sign, and encoded multipart bodies to hash.

use nuvera::MultipartForm;

use crate::boundary::*;

/// A multipart/form-data body described by fields and files. Once encoded, and until a part is
/// added, its hash and signature cover exactly the encoded bytes (the core remembers them).
pub struct nuvera_multipart_form(pub(crate) MultipartForm);

c_api! {
    /// An empty form with a fresh random boundary. Free it with `nuvera_multipart_form_free`.
    fn nuvera_multipart_form_new() -> *mut nuvera_multipart_form {
        nuvera_multipart_form(MultipartForm::new())
    }

    /// An empty form with a chosen boundary (1 to 70 RFC 2046 characters), for reproducible bodies.
    fn nuvera_multipart_form_new_with_boundary(
        boundary: *const c_char as &str,
    ) -> *mut nuvera_multipart_form {
        nuvera_multipart_form(MultipartForm::with_boundary(boundary)?)
    }

    /// Adds a text field. Repeated names are kept as separate fields.
    fn nuvera_multipart_form_add_field(
        form: *mut nuvera_multipart_form as &mut _,
        name: *const c_char as &str,
        value: *const c_char as &str,
    ) {
        form.0.add_field(name, value)?
    }

    /// Adds a file by path; it is read whenever the form is hashed or encoded (a missing file is
    /// reported then, as `IO_ERROR`). `file_name` may be NULL (the path's last component);
    /// `mime_type` may be NULL (`application/octet-stream`).
    fn nuvera_multipart_form_add_file_path(
        form: *mut nuvera_multipart_form as &mut _,
        field_name: *const c_char as &str,
        path: *const c_char as PathBuf,
        file_name: *const c_char as Option<&str>,
        mime_type: *const c_char as Option<&str>,
    ) {
        MultipartForm::add_file_path(&mut form.0, field_name, path, file_name, mime_type)?
    }

    /// Adds a file from memory (the bytes are copied). `mime_type` may be NULL
    /// (`application/octet-stream`).
    fn nuvera_multipart_form_add_file_bytes(
        form: *mut nuvera_multipart_form as &mut _,
        field_name: *const c_char as &str,
        file_name: *const c_char as &str,
        bytes: *const u8,
        len: usize,
        mime_type: *const c_char as Option<&str>,
    ) {
        let bytes = req_bytes(bytes, len, "bytes")?.to_vec();
        MultipartForm::add_file_bytes(&mut form.0, field_name, file_name, bytes, mime_type)?
    }

    /// Adds a file read from `read` (as in `nuvera_signer_sign_reader`), streamed when the form is
    /// hashed or encoded. A reader can be read once: encode the form (which also hashes it) and
    /// sign after, or hash it once. `read` and `ctx` must stay valid until the form is freed or
    /// encoded. `mime_type` may be NULL (`application/octet-stream`).
    fn nuvera_multipart_form_add_file_reader(
        form: *mut nuvera_multipart_form as &mut _,
        field_name: *const c_char as &str,
        file_name: *const c_char as &str,
        read: nuvera_read_fn,
        ctx: *mut c_void,
        mime_type: *const c_char as Option<&str>,
    ) {
        let reader = Box::new(CallbackReader::new(read, ctx, "read")?);
        MultipartForm::add_file_reader(&mut form.0, field_name, file_name, reader, mime_type)?
    }
}

/// True when `content_type` is `multipart/form-data` (any case, parameters ignored): the
/// bodies the core hashes through their canonical object. NULL is false.
#[no_mangle]
pub unsafe extern "C" fn nuvera_is_multipart_form_data(content_type: *const c_char) -> bool {
    // Not UTF-8 is not multipart: this call has no error to report.
    let content_type = <Option<&str>>::from_c(content_type, "content_type").unwrap_or(None);
    no_unwind(false, || {
        content_type.is_some_and(nuvera::is_multipart_form_data)
    })
}

c_api! {
    /// `multipart/form-data; boundary=...`, the Content-Type to send with the encoded body.
    fn nuvera_multipart_form_content_type(form: *const nuvera_multipart_form as &_) -> *mut c_char {
        form.0.content_type()
    }

    /// Encodes the whole body in memory. Free `*out` with `nuvera_bytes_free(*out, *out_len)`.
    fn nuvera_multipart_form_encode(
        form: *mut nuvera_multipart_form as &mut _,
        out: *mut *mut u8,
        out_len: *mut usize,
    ) {
        req_out(out, "out")?;
        req_out(out_len, "out_len")?;
        let (bytes, _) = form.0.to_bytes()?;
        let bytes = Box::into_raw(bytes.into_boxed_slice());
        put(out_len, bytes.len());
        put(out, bytes.cast::<u8>())
    }

    /// Encodes the body into a file (created or truncated), streaming file parts.
    fn nuvera_multipart_form_encode_to_file(
        form: *mut nuvera_multipart_form as &mut _,
        path: *const c_char as PathBuf,
    ) {
        form.0.write_to_file(&path)?
    }

    /// The form's `bodyHash` (64 lowercase hex digits): of the last encoding if the form was encoded
    /// and not changed since, else computed now. Free `*out` with `nuvera_string_free`.
    fn nuvera_multipart_form_body_hash(form: *mut nuvera_multipart_form as &mut _) -> *mut c_char {
        form.0.body_hash()?
    }

    /// The form's canonical object (contract §5) as compact JSON, of the last encoding as
    /// `nuvera_multipart_form_body_hash`. Free `*out` with `nuvera_string_free`.
    fn nuvera_multipart_form_canonical_json(
        form: *mut nuvera_multipart_form as &mut _,
    ) -> *mut c_char {
        form.0.canonical()?.to_json()
    }

    /// Frees a form. NULL is allowed.
    free fn nuvera_multipart_form_free(form: *mut nuvera_multipart_form);

    /// The `bodyHash` of an encoded multipart body sent with `content_type`, read from `read` (as
    /// in `nuvera_signer_sign_reader`; streamed: file parts are hashed as they pass). Free `*out`
    /// with `nuvera_string_free`.
    fn nuvera_multipart_body_hash_reader(
        content_type: *const c_char as &str,
        read: nuvera_read_fn,
        ctx: *mut c_void,
    ) -> *mut c_char {
        nuvera::multipart_body_hash_reader(content_type, CallbackReader::new(read, ctx, "read")?)?
    }

    /// The `bodyHash` of an encoded multipart body sent with `content_type`
    /// (`multipart/form-data; boundary=...`). Free `*out` with `nuvera_string_free`.
    fn nuvera_multipart_body_hash(
        content_type: *const c_char as &str,
        body: *const u8,
        len: usize,
    ) -> *mut c_char {
        nuvera::multipart_body_hash(content_type, req_bytes(body, len, "body")?)?
    }

    /// The canonical object (contract §5, compact JSON) of an encoded multipart body.
    fn nuvera_multipart_canonical_json(
        content_type: *const c_char as &str,
        body: *const u8,
        len: usize,
    ) -> *mut c_char {
        let body = req_bytes(body, len, "body")?;
        nuvera::multipart::canonicalize_wire(content_type, body)?.to_json()
    }
}
