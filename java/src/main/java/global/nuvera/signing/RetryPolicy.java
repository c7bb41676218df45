package global.nuvera.signing;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Opt-in retries of the §8 client policy, each signed afresh; immutable; the getters show the
 * core's defaults for what you leave unset.
 */
public final class RetryPolicy {
    // What the caller gave (null: the core's default), as ClientExchange hands it to the core.
    final int @Nullable [] statuses;
    final String @Nullable [] methods;
    final @Nullable Integer maxAttempts;
    final @Nullable Long baseDelayMs;
    final @Nullable Long maxDelayMs;

    private RetryPolicy(int @Nullable [] statuses, String @Nullable [] methods, @Nullable Integer maxAttempts,
            @Nullable Long baseDelayMs, @Nullable Long maxDelayMs) {
        this.statuses = statuses;
        this.methods = methods;
        this.maxAttempts = maxAttempts;
        this.baseDelayMs = baseDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    /** The core's defaults (see the class docs). */
    public static RetryPolicy defaults() {
        return new RetryPolicy(null, null, null, null, null);
    }

    /** The defaults with POST retried too. */
    public static RetryPolicy includingPost() {
        return new RetryPolicy(null, Native.retryDefaultMethods(true), null, null, null);
    }

    /** This policy retrying these statuses instead. */
    public RetryPolicy statuses(int... statuses) {
        return new RetryPolicy(statuses.clone(), methods, maxAttempts, baseDelayMs, maxDelayMs);
    }

    /** This policy retrying these methods instead (checked and upper-cased by the core). */
    public RetryPolicy methods(String... methods) {
        return new RetryPolicy(statuses, methods.clone(), maxAttempts, baseDelayMs, maxDelayMs);
    }

    /** This policy sending a request at most {@code n} times, the first included (at least 1). */
    public RetryPolicy maxAttempts(int n) {
        return new RetryPolicy(statuses, methods, n, baseDelayMs, maxDelayMs);
    }

    /** This policy with another backoff base. */
    public RetryPolicy baseDelay(Duration base) {
        return new RetryPolicy(statuses, methods, maxAttempts, Objects.requireNonNull(base).toMillis(), maxDelayMs);
    }

    /** This policy with another cap of every wait, {@code Retry-After} included. */
    public RetryPolicy maxDelay(Duration max) {
        return new RetryPolicy(statuses, methods, maxAttempts, baseDelayMs, Objects.requireNonNull(max).toMillis());
    }

    /** The statuses retried. */
    public int[] getStatuses() {
        return statuses != null ? statuses.clone() : Native.retryDefaultStatuses();
    }

    /** The methods retried. */
    public String[] getMethods() {
        return methods != null ? methods.clone() : Native.retryDefaultMethods(false);
    }

    /** Sends of one request at most, the first included. */
    public int getMaxAttempts() {
        return maxAttempts != null ? maxAttempts : (int) Native.clientDefaults()[2];
    }

    /** The backoff base. */
    public Duration getBaseDelay() {
        return Duration.ofMillis(baseDelayMs != null ? baseDelayMs : Native.clientDefaults()[3]);
    }

    /** The cap of every wait. */
    public Duration getMaxDelay() {
        return Duration.ofMillis(maxDelayMs != null ? maxDelayMs : Native.clientDefaults()[4]);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof RetryPolicy r && Arrays.equals(getStatuses(), r.getStatuses())
                && Arrays.equals(getMethods(), r.getMethods()) && getMaxAttempts() == r.getMaxAttempts()
                && getBaseDelay().equals(r.getBaseDelay()) && getMaxDelay().equals(r.getMaxDelay());
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(getStatuses()), Arrays.hashCode(getMethods()), getMaxAttempts(),
                getBaseDelay(), getMaxDelay());
    }

    @Override
    public String toString() {
        return "RetryPolicy[statuses=" + Arrays.toString(getStatuses()) + ", methods=" + Arrays.toString(getMethods())
                + ", maxAttempts=" + getMaxAttempts() + ", baseDelay=" + getBaseDelay() + ", maxDelay=" + getMaxDelay() + "]";
    }
}
