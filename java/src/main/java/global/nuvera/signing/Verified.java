package global.nuvera.signing;

import java.util.Arrays;

/** A request accepted by a {@link Verifier}: who sent it, what was signed, and which key verified it. */
public final class Verified {
    /** The native side's {@code [application, permission, keyFingerprint, claims…]}. */
    private final String[] v;
    private final Claims claims;

    Verified(String[] v) {
        this.v = v;
        this.claims = new Claims(Arrays.copyOfRange(v, 3, v.length));
    }

    /** The application's name in the registry. */
    public String getApplication() {
        return v[0];
    }

    /** The verified claims. */
    public Claims getClaims() {
        return claims;
    }

    /**
     * The permission the route needed, e.g. {@code CUSTOMERS_WRITE}: every accepted request has one
     * (a target that names no area is refused).
     */
    public String getPermission() {
        return v[1];
    }

    /** {@code SHA256:…} of the public key that verified the signature. */
    public String getKeyFingerprint() {
        return v[2];
    }

    @Override
    public String toString() {
        return "Verified[" + v[0] + ", " + claims.getMethod() + " " + claims.getUri() + "]";
    }
}
