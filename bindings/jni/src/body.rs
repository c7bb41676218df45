//! Body hashes (bytes, file, a Java `InputStream`), the `uri` claim and the URL to send: the
//! contract's free functions.

use nuvera_signing::verify::is_multipart_form_data;

use crate::boundary::native;
use crate::stream::JavaInputStream;

native! {
    #[native(infallible)]
    fn bodyHash(body: Vec<u8>) -> String {
        nuvera_signing::body_hash(&body).as_str().to_owned()
    }

    fn bodyHashFile(path: String) -> String {
        nuvera_signing::body_hash_file(&path)?.0.as_str().to_owned()
    }

    /// Of the stream's bytes (`contentType` null), or of the encoded multipart body sent with
    /// `contentType` (contract §5).
    fn bodyHashStream(content_type: Option<String>, stream: JavaInputStream) -> String {
        match content_type {
            None => nuvera_signing::body_hash_reader(stream)?.0,
            Some(ct) => nuvera_signing::multipart_body_hash_reader(&ct, stream)?,
        }
        .as_str()
        .to_owned()
    }

    fn receivedBodyHash(content_type: Option<String>, body: Vec<u8>) -> String {
        nuvera_signing::received_body_hash(content_type.as_deref(), &body)?.as_str().to_owned()
    }

    #[native(infallible)]
    fn isMultipartFormData(content_type: String) -> bool {
        is_multipart_form_data(&content_type)
    }

    fn requestUri(url: String) -> String {
        nuvera_signing::request_uri(&url)?
    }

    fn sendableUrl(url: String) -> String {
        nuvera_signing::sendable_url(&url)?
    }
}
