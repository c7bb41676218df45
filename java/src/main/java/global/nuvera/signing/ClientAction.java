package global.nuvera.signing;

import org.jspecify.annotations.Nullable;

/**
 * What the core's exchange answers (contract §8): send (a method, URL, whether to send the body and
 * the credentials, after a delay, for a reason: {@code redirect}, {@code retry},
 * {@code clock-correction}, null for the first send) or done ({@code method == null}).
 */
record ClientAction(@Nullable String method, @Nullable String url, boolean sendBody, boolean credentials,
        long delayMs, @Nullable String reason) {
    /** From the native side's texts {@code [method, url, sendBody, credentials, delayMs, reason]} (all null: done). */
    static ClientAction of(@Nullable String[] a) {
        return new ClientAction(a[0], a[1], Boolean.parseBoolean(a[2]), Boolean.parseBoolean(a[3]),
                a[4] == null ? 0 : Long.parseLong(a[4]), a[5]);
    }

    boolean isDone() {
        return method == null;
    }
}
