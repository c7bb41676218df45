package global.nuvera.signing;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A request accepted by a {@link Verifier}: who sent it, what was signed, and which key verified it. */
public final class Verified {
    private final String application;
    private final Claims claims;
    private final @Nullable String permission;
    private final String keyFingerprint;

    /** Made by the native side. */
    Verified(String application, String[] claims, @Nullable String permission, String keyFingerprint) {
        this.application = application;
        this.claims = new Claims(claims);
        this.permission = permission;
        this.keyFingerprint = keyFingerprint;
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
        return Optional.ofNullable(permission);
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
