//! The canonical multipart object of contract §5, whose compact JSON is hashed instead of the raw
//! stream: text fields and file summaries (never file bytes), sorted in JavaScript string order.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::body_hash::BodyHash;
use crate::multipart::media_type::parse_media_type;

/// One text field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanonicalField {
    /// The part's `name`.
    pub name: String,
    /// The decoded UTF-8 value.
    pub value: String,
}

/// One file part, summarized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanonicalFile {
    /// The part's `name`.
    pub field_name: String,
    /// The part's file name as the server reads it: `filename*` wins over `filename`, reduced to
    /// its base name.
    pub file_name: String,
    /// Media type, lower-cased, without parameters; `text/plain` when the part has none or one
    /// that does not parse.
    pub mime_type: String,
    /// Content length in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
}

/// The canonical object. Built only through [`CanonicalForm::new`], which sorts, so that its
/// serialization is the contract's byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanonicalForm {
    fields: Vec<CanonicalField>,
    files: Vec<CanonicalFile>,
}

impl CanonicalForm {
    /// Sorts `fields` by (name, value) and `files` by (fieldName, fileName, size, sha256), with
    /// strings compared by UTF-16 code units as JavaScript does.
    pub fn new(mut fields: Vec<CanonicalField>, mut files: Vec<CanonicalFile>) -> Self {
        fields.sort_by(|a, b| js_cmp(&a.name, &b.name).then_with(|| js_cmp(&a.value, &b.value)));
        files.sort_by(|a, b| {
            js_cmp(&a.field_name, &b.field_name)
                .then_with(|| js_cmp(&a.file_name, &b.file_name))
                .then_with(|| a.size.cmp(&b.size))
                .then_with(|| js_cmp(&a.sha256, &b.sha256))
        });
        CanonicalForm { fields, files }
    }

    /// Text fields, sorted.
    pub fn fields(&self) -> &[CanonicalField] {
        &self.fields
    }

    /// File summaries, sorted.
    pub fn files(&self) -> &[CanonicalFile] {
        &self.files
    }

    /// The compact JSON that is hashed, e.g. `{"fields":[],"files":[]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serializing strings and integers cannot fail")
    }

    /// SHA-256 of [`CanonicalForm::to_json`]: the multipart `bodyHash`.
    pub fn body_hash(&self) -> BodyHash {
        BodyHash::of_bytes(self.to_json().as_bytes())
    }
}

/// JavaScript's default string comparison: lexicographic by UTF-16 code unit.
pub fn js_cmp(a: &str, b: &str) -> Ordering {
    // UTF-8 byte order equals code point order, which differs from UTF-16 order only when a
    // supplementary character meets one in U+E000..=U+FFFF; take the cheap path when neither
    // string can contain one.
    if a.is_ascii() || b.is_ascii() {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A part's media type as the canonical object records it: `type/subtype`, lower-cased,
/// parameters dropped; `text/plain` when absent or when it does not parse as busboy parses it
/// (`foo`, `application/json;`, `a/b/c`, `text / plain`), as RFC 7578 §4.4 and the server say.
pub fn normalize_media_type(content_type: Option<&str>) -> String {
    content_type
        .and_then(|ct| parse_media_type(ct.as_bytes()))
        .map(|m| m.essence)
        .unwrap_or_else(|| "text/plain".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_order_differs_from_code_point_order_above_the_bmp() {
        let supplementary = "\u{1F600}"; // surrogates D83D DE00
        let private_use = "\u{E000}";
        assert_eq!(js_cmp(supplementary, private_use), Ordering::Less);
        assert_eq!(supplementary.cmp(private_use), Ordering::Greater);
        assert_eq!(js_cmp("a", "b"), Ordering::Less);
        assert_eq!(js_cmp("B", "a"), Ordering::Less);
    }

    #[test]
    fn media_type_normalization() {
        assert_eq!(
            normalize_media_type(Some("Text/Plain; charset=UTF-8")),
            "text/plain"
        );
        assert_eq!(normalize_media_type(Some("  ")), "text/plain");
        for odd in ["foo", "application/json;", "a/b/c", "text / plain"] {
            assert_eq!(normalize_media_type(Some(odd)), "text/plain", "{odd}");
        }
        assert_eq!(normalize_media_type(None), "text/plain");
        assert_eq!(
            normalize_media_type(Some("application/PDF")),
            "application/pdf"
        );
    }

    #[test]
    fn empty_form_serializes_as_the_contract_says() {
        assert_eq!(
            CanonicalForm::new(vec![], vec![]).to_json(),
            r#"{"fields":[],"files":[]}"#
        );
    }
}
