package global.nuvera.signing;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Per-call {@code iat} (default now) and {@code jti} (default a fresh UUID), pinned in tests; immutable. */
public final class SignOptions {
    private static final SignOptions DEFAULTS = new SignOptions(null, null);

    private final @Nullable Long issuedAt;
    private final @Nullable String jti;

    private SignOptions(@Nullable Long issuedAt, @Nullable String jti) {
        this.issuedAt = issuedAt;
        this.jti = jti;
    }

    /** Now and a fresh UUID. */
    public static SignOptions defaults() {
        return DEFAULTS;
    }

    /** These options with {@code iat} pinned to {@code epochSeconds}. */
    public SignOptions withIssuedAt(long epochSeconds) {
        return new SignOptions(epochSeconds, jti);
    }

    /** These options with {@code iat} pinned to {@code instant} (seconds; the fraction is dropped). */
    public SignOptions withIssuedAt(Instant instant) {
        return withIssuedAt(Objects.requireNonNull(instant, "instant").getEpochSecond());
    }

    /** These options with the token id pinned to {@code jti}. */
    public SignOptions withJti(String jti) {
        return new SignOptions(issuedAt, Objects.requireNonNull(jti, "jti"));
    }

    @Nullable Long issuedAt() {
        return issuedAt;
    }

    @Nullable String jti() {
        return jti;
    }

    @Override
    public String toString() {
        return "SignOptions[iat=" + (issuedAt == null ? "now" : issuedAt) + ", jti=" + (jti == null ? "fresh" : jti) + "]";
    }
}
