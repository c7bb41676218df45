package global.nuvera.signing;

/** An encoded multipart body: its bytes, Content-Type, canonical object and {@code bodyHash}. */
public final class EncodedForm {
    private final byte[] body;
    private final String contentType;
    private final String canonicalJson;
    private final String bodyHash;

    /** From the native encoding: {@code [byte[] body, contentType, canonicalJson, bodyHash]}. */
    EncodedForm(Object[] e) {
        this.body = (byte[]) e[0];
        this.contentType = (String) e[1];
        this.canonicalJson = (String) e[2];
        this.bodyHash = (String) e[3];
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
