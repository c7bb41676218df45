package global.nuvera.signing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Redirects, retries and clock correction of the HTTP integrations (contract §8), decided by the
 * core; immutable; the getters show the core's defaults for what you leave unset.
 */
public final class ClientPolicy {
    // What the caller gave (null: the core's default), as ClientExchange hands it to the core.
    final @Nullable Integer maxRedirects;
    final @Nullable RetryPolicy retry;
    private final @Nullable Boolean correctClock;

    private ClientPolicy(@Nullable Integer maxRedirects, @Nullable RetryPolicy retry, @Nullable Boolean correctClock) {
        this.maxRedirects = maxRedirects;
        this.retry = retry;
        this.correctClock = correctClock;
    }

    /** The core's defaults: 10 redirects, no retries, clock correction on. */
    public static ClientPolicy defaults() {
        return new ClientPolicy(null, null, null);
    }

    /** The defaults with retries on, with the {@link RetryPolicy#defaults() retry defaults}. */
    public static ClientPolicy withRetries() {
        return new ClientPolicy(null, RetryPolicy.defaults(), null);
    }

    /** This policy following at most {@code max} redirects (0: none; a redirect is returned to you). */
    public ClientPolicy maxRedirects(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0");
        }
        return new ClientPolicy(max, retry, correctClock);
    }

    /** This policy retrying under {@code retry} ({@code null}: no retries). */
    public ClientPolicy retry(@Nullable RetryPolicy retry) {
        return new ClientPolicy(maxRedirects, retry, correctClock);
    }

    /** This policy with clock correction on or off. */
    public ClientPolicy correctClock(boolean on) {
        return new ClientPolicy(maxRedirects, retry, on);
    }

    /** Redirect hops followed (the core's default: 10). */
    public int maxRedirects() {
        return maxRedirects != null ? maxRedirects : (int) Native.clientDefaults()[0];
    }

    /** Whether a clock refusal corrects the signer's clock offset and re-sends once (default on). */
    public boolean correctsClock() {
        return correctClock != null ? correctClock : Native.clientDefaults()[1] != 0;
    }

    /** The retry policy, or {@code null}: no retries (the default). */
    public @Nullable RetryPolicy retryPolicy() {
        return retry;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ClientPolicy p && maxRedirects() == p.maxRedirects() && correctsClock() == p.correctsClock()
                && Objects.equals(retry, p.retry);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxRedirects(), correctsClock(), retry);
    }

    @Override
    public String toString() {
        return "ClientPolicy[maxRedirects=" + maxRedirects() + ", retry=" + retry + ", correctClock=" + correctsClock() + "]";
    }
}
