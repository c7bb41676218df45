//! `bodyHash` of `multipart/form-data` bodies (contract §5), from structured parts or from the
//! encoded wire body; both give the same canonical object for the same request.

mod canonical;
mod charset;
mod disposition;
mod form;
mod media_type;
mod reading;
mod syntax;
mod wire;

pub use canonical::{js_cmp, normalize_media_type, CanonicalField, CanonicalFile, CanonicalForm};
pub use form::{FileSource, MultipartForm, DEFAULT_FILE_MEDIA_TYPE};
pub use reading::ReadingNote;
pub use wire::{
    boundary_from_content_type, canonicalize_wire, canonicalize_wire_reader, multipart_body_hash,
    multipart_body_hash_file, multipart_body_hash_reader, MultipartLimits, WireCanonicalizer,
};
