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

    /** From the native side's texts {@code [method, url, sendBody, credentials, delayMs, reason]} (all null: done). */
    ClientAction(@Nullable String[] a) {
        this.method = a[0];
        this.url = a[1];
        this.sendBody = Boolean.parseBoolean(a[2]);
        this.credentials = Boolean.parseBoolean(a[3]);
        this.delayMs = a[4] == null ? 0 : Long.parseLong(a[4]);
        this.reason = a[5];
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
