package global.nuvera.signing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A signed request: the two headers to send, the token, its claims and the proof; immutable. */
public final class SignedRequest {
    // The token and headers are read at once, in one call (every caller needs them); claims and
    // proof on first use, from the native request.
    private final NativeHandle handle;
    private final String token;
    private final Map<String, String> headers;
    private volatile @Nullable Claims claims;

    SignedRequest(long pointer) {
        this.handle = new NativeHandle(this, pointer);
        String[] texts = Native.signedTokenAndHeaders(pointer);
        this.token = texts[0];
        Map<String, String> h = new LinkedHashMap<>();
        h.put(texts[1], texts[2]);
        h.put(texts[3], texts[4]);
        this.headers = Collections.unmodifiableMap(h);
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
        return "Bearer " + token;
    }

    /** The API key sent as {@code x-api-key}. A secret: do not log it. */
    public String getApiKey() {
        return getHeaders().values().iterator().next();
    }

    /** The signed claims. */
    public Claims getClaims() {
        Claims c = claims;
        if (c == null) {
            c = new Claims(read(Native::signedClaims));
            claims = c;
        }
        return c;
    }

    /** The proof artifact (contract §7) as pretty JSON: what was signed, with no secret in it. */
    public String proofJson() {
        return read(Native::signedProofJson);
    }

    private <T> T read(NativeHandle.Call<T> call) {
        try {
            return handle.with(call);
        } catch (NuveraSigningException e) {
            // Never closed while reachable: only the Cleaner closes it, once this object is gone.
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        Claims c = getClaims();
        return "SignedRequest[" + c.getMethod() + " " + c.getUri() + ", jti=" + c.getJti() + "]";
    }
}
