package global.nuvera.signing;

/** An encoded multipart body: its bytes, Content-Type, canonical object and {@code bodyHash}. */
public final class EncodedForm {
    private final byte[] body;
    /** The native encoding's {@code [byte[] body, contentType, canonicalJson, bodyHash]}. */
    private final Object[] e;

    EncodedForm(Object[] e) {
        this.body = (byte[]) e[0];
        this.e = e;
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
        return (String) e[1];
    }

    /** The canonical object of exactly these bytes, compact JSON. */
    public String getCanonicalJson() {
        return (String) e[2];
    }

    /** Its {@code bodyHash}. */
    public String getBodyHash() {
        return (String) e[3];
    }

    byte[] bytes() {
        return body;
    }

    @Override
    public String toString() {
        return "EncodedForm[" + body.length + " bytes, " + e[1] + "]";
    }
}
