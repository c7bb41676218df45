package global.nuvera.signing;

/**
 * The nine signed claims of a token, in contract order. {@link #getSub()} is the API key: do not
 * log it ({@link #toString()} leaves it out).
 */
public final class Claims {
    private final String iss;
    private final String aud;
    private final String sub;
    private final String method;
    private final String uri;
    private final String bodyHash;
    private final long iat;
    private final long exp;
    private final String jti;

    /** From the core's nine values in contract order ({@code iat} and {@code exp} in decimal). */
    Claims(String[] c) {
        this.iss = c[0];
        this.aud = c[1];
        this.sub = c[2];
        this.method = c[3];
        this.uri = c[4];
        this.bodyHash = c[5];
        this.iat = Long.parseLong(c[6]);
        this.exp = Long.parseLong(c[7]);
        this.jti = c[8];
    }

    /** Issuer ({@code nuvera-api} by default). */
    public String getIss() {
        return iss;
    }

    /** Audience ({@code nuvera-rest-api} by default). */
    public String getAud() {
        return aud;
    }

    /** The API key. A secret: do not log it. */
    public String getSub() {
        return sub;
    }

    /** The upper-cased HTTP method. */
    public String getMethod() {
        return method;
    }

    /** The request target that was signed (path and query). */
    public String getUri() {
        return uri;
    }

    /** The body hash that was signed. */
    public String getBodyHash() {
        return bodyHash;
    }

    /** Issued at, Unix seconds. */
    public long getIat() {
        return iat;
    }

    /** Expiry, Unix seconds. */
    public long getExp() {
        return exp;
    }

    /** The token id (a UUID v4 unless pinned). */
    public String getJti() {
        return jti;
    }

    /** Every claim but {@code sub}. */
    @Override
    public String toString() {
        return "Claims[iss=" + iss + ", aud=" + aud + ", method=" + method + ", uri=" + uri + ", bodyHash="
                + bodyHash + ", iat=" + iat + ", exp=" + exp + ", jti=" + jti + "]";
    }
}
