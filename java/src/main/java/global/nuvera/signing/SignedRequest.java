package global.nuvera.signing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A signed request: the two headers to send ({@code x-api-key} and {@code Authorization}), the
 * token, its claims and, on demand, the proof artifact. Immutable; {@link #toString()} shows no
 * secret.
 */
public final class SignedRequest {
    private final global.nuvera.signing.ffi.SignedRequest inner;
    private final String token;
    private final Map<String, String> headers;
    private final Claims claims;

    SignedRequest(global.nuvera.signing.ffi.SignedRequest inner) {
        this.inner = inner;
        this.token = inner.token();
        Map<String, String> h = new LinkedHashMap<>();
        for (global.nuvera.signing.ffi.Header header : inner.headers()) {
            h.put(header.getName(), header.getValue());
        }
        this.headers = Collections.unmodifiableMap(h);
        this.claims = new Claims(inner.claims());
    }

    /** {@code x-api-key} then {@code Authorization}, in that order; set both on the request. */
    public Map<String, String> getHeaders() {
        return headers;
    }

    /** The compact JWT. A secret until it expires: do not log it. */
    public String getToken() {
        return token;
    }

    /** {@code Bearer <token>}. */
    public String getAuthorization() {
        return headers.get("Authorization");
    }

    /** The API key sent as {@code x-api-key}. */
    public String getApiKey() {
        return headers.get("x-api-key");
    }

    /** The signed claims. */
    public Claims getClaims() {
        return claims;
    }

    /** The proof artifact (contract §7) as pretty JSON: what was signed, with no secret in it. */
    public String proofJson() {
        return inner.proofJson();
    }

    @Override
    public String toString() {
        return "SignedRequest[" + claims.getMethod() + " " + claims.getUri() + ", jti=" + claims.getJti() + "]";
    }
}
