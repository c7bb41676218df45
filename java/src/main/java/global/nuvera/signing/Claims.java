package global.nuvera.signing;

/** The nine signed claims of a token; {@link #getSub()} is the API key ({@link #toString()} omits it). */
public final class Claims {
    /** The core's nine values in contract order ({@code iat} and {@code exp} in decimal). */
    private final String[] c;

    Claims(String[] c) {
        this.c = c;
    }

    /** Issuer ({@code nuvera-api} by default). */
    public String getIss() {
        return c[0];
    }

    /** Audience ({@code nuvera-rest-api} by default). */
    public String getAud() {
        return c[1];
    }

    /** The API key. A secret: do not log it. */
    public String getSub() {
        return c[2];
    }

    /** The upper-cased HTTP method. */
    public String getMethod() {
        return c[3];
    }

    /** The request target that was signed (path and query). */
    public String getUri() {
        return c[4];
    }

    /** The body hash that was signed. */
    public String getBodyHash() {
        return c[5];
    }

    /** Issued at, Unix seconds. */
    public long getIat() {
        return Long.parseLong(c[6]);
    }

    /** Expiry, Unix seconds. */
    public long getExp() {
        return Long.parseLong(c[7]);
    }

    /** The token id (a UUID v4 unless pinned). */
    public String getJti() {
        return c[8];
    }

    /** Every claim but {@code sub}. */
    @Override
    public String toString() {
        return "Claims[iss=" + c[0] + ", aud=" + c[1] + ", method=" + c[3] + ", uri=" + c[4] + ", bodyHash=" + c[5]
                + ", iat=" + c[6] + ", exp=" + c[7] + ", jti=" + c[8] + "]";
    }
}
