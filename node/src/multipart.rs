//! Multipart forms (contract §5): built from parts, or read back from an encoded wire body.

use std::path::PathBuf;

use napi::bindgen_prelude::{Buffer, Either};
use napi::Result;
use napi_derive::napi;
use nuvera_signing as core;

use crate::boundary::{bytes_of, guard, Code};

/// Fields and files of a multipart/form-data request. Encodes itself (`toBuffer`), so what is
/// signed is what is sent; file parts added by path are streamed when hashed.
#[napi]
pub struct MultipartForm {
    pub(crate) inner: core::MultipartForm,
}

#[napi]
impl MultipartForm {
    /// An empty form, with a random boundary unless one is given.
    #[napi(constructor)]
    pub fn new(boundary: Option<String>) -> Result<Self, Code> {
        guard(|| match boundary {
            None => Ok(core::MultipartForm::new()),
            Some(b) => core::MultipartForm::with_boundary(&b),
        })
        .map(|inner| MultipartForm { inner })
    }

    /// `multipart/form-data; boundary=…`, the Content-Type to send with `toBuffer()`.
    #[napi(getter)]
    pub fn content_type(&self) -> String {
        self.inner.content_type()
    }

    /// The boundary.
    #[napi(getter)]
    pub fn boundary(&self) -> String {
        self.inner.boundary().to_owned()
    }

    /// Adds a text field.
    #[napi]
    pub fn add_field(&mut self, name: String, value: String) -> Result<(), Code> {
        guard(|| self.inner.add_field(&name, &value).map(drop))
    }

    /// Adds a file from memory (`mimeType` defaults to application/octet-stream).
    #[napi]
    pub fn add_file_bytes(
        &mut self,
        field_name: String,
        file_name: String,
        bytes: Either<Buffer, String>,
        mime_type: Option<String>,
    ) -> Result<(), Code> {
        let content = bytes_of(&bytes).to_vec();
        guard(|| {
            self.inner
                .add_file_bytes(&field_name, &file_name, content, mime_type.as_deref())
                .map(drop)
        })
    }

    /// Adds a file by path (`fileName` defaults to the path's last component); its content is
    /// streamed when hashed or encoded.
    #[napi]
    pub fn add_file_path(
        &mut self,
        field_name: String,
        path: String,
        file_name: Option<String>,
        mime_type: Option<String>,
    ) -> Result<(), Code> {
        guard(|| {
            self.inner
                .add_file_path(
                    &field_name,
                    PathBuf::from(path),
                    file_name.as_deref(),
                    mime_type.as_deref(),
                )
                .map(drop)
        })
    }

    /// The encoded body.
    #[napi]
    pub fn to_buffer(&mut self) -> Result<Buffer, Code> {
        guard(|| Ok(self.inner.to_bytes()?.0.into()))
    }

    /// The canonical object (contract §5) as compact JSON.
    #[napi]
    pub fn canonical(&mut self) -> Result<String, Code> {
        guard(|| Ok(self.inner.canonical()?.to_json()))
    }

    /// The multipart `bodyHash`.
    #[napi]
    pub fn body_hash(&mut self) -> Result<String, Code> {
        guard(|| Ok(self.inner.body_hash()?.as_str().to_owned()))
    }
}

/// The multipart `bodyHash` of an encoded body and its Content-Type: the same as the structured
/// form's for the same request.
#[napi]
pub fn multipart_body_hash(content_type: String, body: Buffer) -> Result<String, Code> {
    guard(|| {
        Ok(core::multipart_body_hash(&content_type, &body)?
            .as_str()
            .to_owned())
    })
}

/// The canonical object (contract §5) of an encoded multipart body, as compact JSON: what a
/// server derives from the bytes it received (names, sizes and hashes; no file bytes).
#[napi]
pub fn multipart_canonical(content_type: String, body: Buffer) -> Result<String, Code> {
    guard(|| Ok(core::multipart::canonicalize_wire(&content_type, &body)?.to_json()))
}
