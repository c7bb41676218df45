package global.nuvera.signing;

import java.util.Arrays;
import java.util.Optional;

/** A request accepted by a {@link Verifier}: who sent it, what was signed, and which key verified it. */
public final class Verified {
    private final String application;
    private final String permission;
    private final String keyFingerprint;
    private final Claims claims;

    /** From the native side's {@code [application, permission, keyFingerprint, claims…]}. */
    Verified(String[] v) {
        this.application = v[0];
        this.permission = v[1];
        this.keyFingerprint = v[2];
        this.claims = new Claims(Arrays.copyOfRange(v, 3, v.length));
    }

    /** The application's name in the registry. */
    public String getApplication() {
        return application;
    }

    /** The verified claims. */
    public Claims getClaims() {
        return claims;
    }

    /** The permission the route needed, if any. */
    public Optional<String> getPermission() {
        return Optional.of(permission);
    }

    /** {@code SHA256:…} of the public key that verified the signature. */
    public String getKeyFingerprint() {
        return keyFingerprint;
    }

    @Override
    public String toString() {
        return "Verified[" + application + ", " + claims.getMethod() + " " + claims.getUri() + "]";
    }
}
