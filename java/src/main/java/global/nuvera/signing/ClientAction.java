package global.nuvera.signing;

import org.jspecify.annotations.Nullable;

/**
 * What the core's exchange answers (contract §8): send (a method, URL, whether to send the body and
 * the credentials, after a delay, for a reason) or done ({@code method == null}). A failure is
 * thrown by the native side instead. Built only by {@code bindings/jni/src/client.rs}.
 */
final class ClientAction {
    final @Nullable String method;
    final @Nullable String url;
    final boolean sendBody;
    final boolean credentials;
    final long delayMs;
    /** {@code redirect}, {@code retry}, {@code clock-correction}; {@code null} for the first send and done. */
    final @Nullable String reason;

    ClientAction(@Nullable String method, @Nullable String url, boolean sendBody, boolean credentials, long delayMs,
            @Nullable String reason) {
        this.method = method;
        this.url = url;
        this.sendBody = sendBody;
        this.credentials = credentials;
        this.delayMs = delayMs;
        this.reason = reason;
    }

    boolean isDone() {
        return method == null;
    }

    @Override
    public String toString() {
        return isDone() ? "ClientAction[done]"
                : "ClientAction[" + method + " " + url + ", body=" + sendBody + ", credentials=" + credentials
                        + ", delayMs=" + delayMs + ", reason=" + reason + "]";
    }
}
