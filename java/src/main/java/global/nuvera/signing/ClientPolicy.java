package global.nuvera.signing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link NuveraHttpClient} and {@link NuveraOkHttpInterceptor} do between sending a request
 * and handing you its response (contract §8). Every decision is the Rust core's; this object only
 * carries your choices to it. Immutable; what you leave unset takes the core's default, which the
 * getters show:
 *
 * <ul>
 *   <li>redirects: up to {@link #maxRedirects()} hops (10), each signed afresh; 301/302 after a
 *       POST and 303 become a GET without body, 307/308 keep method and body; a hop to another
 *       origin goes without {@code x-api-key} and {@code Authorization} (and stays so); https to
 *       http fails with {@code INSECURE_REDIRECT}; one hop more fails with {@code TOO_MANY_REDIRECTS};
 *   <li>retries: off unless you give a {@link RetryPolicy};
 *   <li>clock correction: on ({@link #correctsClock()}); a 401 {@code AUTH_TOKEN_EXPIRED} or
 *       {@code AUTH_TOKEN_NOT_YET_VALID} with a {@code Date} header sets the signer's clock offset
 *       and re-sends once with a fresh {@code jti} (the token's lifetime unchanged).
 * </ul>
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
        return o instanceof ClientPolicy && maxRedirects() == ((ClientPolicy) o).maxRedirects()
                && correctsClock() == ((ClientPolicy) o).correctsClock()
                && Objects.equals(retry, ((ClientPolicy) o).retry);
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
