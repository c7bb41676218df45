package global.nuvera.signing;

import org.jspecify.annotations.Nullable;

/**
 * One caller's request through the core's §8 exchange: the integrations send {@link #first()}, give
 * each response to {@link #onResponse} and carry out the answer. No decision is taken here.
 */
final class ClientExchange extends NativeObject {
    ClientExchange(ClientPolicy policy, ClockOffset offset, String method, String url, boolean hasBody,
            double @Nullable [] jitter) throws NuveraSigningException {
        super(offset.handle.with(o -> {
            RetryPolicy r = policy.retry;
            return r == null
                    ? Native.exchangeNew(o, policy.maxRedirects, policy.correctsClock(), false, null, null, null, null,
                            null, method, url, hasBody, jitter)
                    : Native.exchangeNew(o, policy.maxRedirects, policy.correctsClock(), true, r.statuses, r.methods,
                            r.maxAttempts, r.baseDelayMs, r.maxDelayMs, method, url, hasBody, jitter);
        }));
    }

    ClientAction first() throws NuveraSigningException {
        return new ClientAction(handle.with(Native::exchangeFirst));
    }

    /** What follows a response; {@code body} matters only for a 401 (null otherwise). */
    ClientAction onResponse(int status, String[] headers, byte @Nullable [] body, long sentAtMs, long receivedAtMs)
            throws NuveraSigningException {
        return new ClientAction(
                handle.with(p -> Native.exchangeOnResponse(p, status, headers, body, sentAtMs, receivedAtMs)));
    }
}
