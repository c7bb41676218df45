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
    // Only the token is read eagerly: each read crosses the FFI (a few µs through JNA), and most
    // callers need the headers but not the claims. The others are read once, on first use.
    private final global.nuvera.signing.ffi.SignedRequest inner;
    private final String token;
    private volatile Map<String, String> headers;
    private volatile Claims claims;

    SignedRequest(global.nuvera.signing.ffi.SignedRequest inner) {
        this(inner, inner.token());
    }

    SignedRequest(global.nuvera.signing.ffi.SignedRequest inner, String token) {
        this.inner = inner;
        this.token = token;
    }

    /** {@code x-api-key} then {@code Authorization}, in that order; set both on the request. */
    public Map<String, String> getHeaders() {
        Map<String, String> h = headers;
        if (h == null) {
            Map<String, String> read = new LinkedHashMap<>();
            for (global.nuvera.signing.ffi.Header header : inner.headers()) {
                read.put(header.getName(), header.getValue());
            }
            h = Collections.unmodifiableMap(read);
            headers = h;
        }
        return h;
    }

    /** The compact JWT. A secret until it expires: do not log it. */
    public String getToken() {
        return token;
    }

    /** {@code Bearer <token>}. */
    public String getAuthorization() {
        return getHeaders().get("Authorization");
    }

    /** The API key sent as {@code x-api-key}. */
    public String getApiKey() {
        return getHeaders().get("x-api-key");
    }

    /** The signed claims. */
    public Claims getClaims() {
        Claims c = claims;
        if (c == null) {
            c = new Claims(inner.claims());
            claims = c;
        }
        return c;
    }

    /** The proof artifact (contract §7) as pretty JSON: what was signed, with no secret in it. */
    public String proofJson() {
        return inner.proofJson();
    }

    @Override
    public String toString() {
        Claims c = getClaims();
        return "SignedRequest[" + c.getMethod() + " " + c.getUri() + ", jti=" + c.getJti() + "]";
    }
}
