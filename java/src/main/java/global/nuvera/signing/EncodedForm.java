package global.nuvera.signing;

/** An encoded multipart body: its bytes, Content-Type, canonical object and {@code bodyHash}. */
public final class EncodedForm {
    private final byte[] body;
    private final String contentType;
    private final String canonicalJson;
    private final String bodyHash;

    EncodedForm(global.nuvera.signing.ffi.EncodedForm e) {
        this.body = e.getBody();
        this.contentType = e.getContentType();
        this.canonicalJson = e.getCanonicalJson();
        this.bodyHash = e.getBodyHash();
    }

    /** The wire bytes (a copy). */
    public byte[] getBody() {
        return body.clone();
    }

    /** Their length. */
    public int size() {
        return body.length;
    }

    /** {@code multipart/form-data; boundary=…}. */
    public String getContentType() {
        return contentType;
    }

    /** The canonical object of exactly these bytes, compact JSON. */
    public String getCanonicalJson() {
        return canonicalJson;
    }

    /** Its {@code bodyHash}. */
    public String getBodyHash() {
        return bodyHash;
    }

    byte[] bytes() {
        return body;
    }

    @Override
    public String toString() {
        return "EncodedForm[" + body.length + " bytes, " + contentType + "]";
    }
}
