package global.nuvera.signing;

import org.jspecify.annotations.Nullable;

/**
 * One caller's request through the core's §8 exchange: the integrations send {@link #first()}, give
 * each response to {@link #onResponse} and carry out the answer. No decision is taken here.
 */
final class ClientExchange extends NativeObject {
    /** {@code clock}: the signer whose clock offset the exchange reads and corrects (tests: an offset of their own). */
    ClientExchange(ClientPolicy policy, NativeObject clock, String method, String url, boolean hasBody,
            double @Nullable [] jitter) throws NuveraSigningException {
        super(clock.handle.with(c -> {
            // Without retries the core reads none of the retry values.
            RetryPolicy r = policy.retry != null ? policy.retry : RetryPolicy.defaults();
            return Native.exchangeNew(c, policy.maxRedirects, policy.correctsClock(), policy.retry != null, r.statuses,
                    r.methods, r.maxAttempts, r.baseDelayMs, r.maxDelayMs, method, url, hasBody, jitter);
        }));
    }

    ClientAction first() throws NuveraSigningException {
        return ClientAction.of(handle.with(Native::exchangeFirst));
    }

    /** What follows a response; {@code body} matters only for a 401 (null otherwise). */
    ClientAction onResponse(int status, String[] headers, byte @Nullable [] body, long sentAtMs, long receivedAtMs)
            throws NuveraSigningException {
        return ClientAction.of(
                handle.with(p -> Native.exchangeOnResponse(p, status, headers, body, sentAtMs, receivedAtMs)));
    }
}
