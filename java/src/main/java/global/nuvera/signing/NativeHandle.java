package global.nuvera.signing;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one ownership scheme of native objects: a Java object holds one {@code NativeHandle}, which
 * holds the native handle and frees it exactly once with {@link Native#free} — on
 * {@link #close()} or, when the owner is collected without being closed, by a {@link Cleaner} —
 * and never while a call is using it: after close, {@link #with} fails with {@code OBJECT_CLOSED},
 * so a closed object can never reach freed memory.
 *
 * <p>State: the number of calls in flight times two, plus one once closed. The handle is freed
 * by whichever comes last: the close (when no call is running) or the last call's end.
 */
final class NativeHandle implements Runnable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final long pointer;
    private final String what;
    private final AtomicLong state = new AtomicLong();
    private final Cleaner.Cleanable cleanable;

    /** Takes ownership of {@code pointer} for {@code owner}. */
    NativeHandle(Object owner, long pointer) {
        this.pointer = pointer;
        this.what = owner.getClass().getSimpleName();
        // The action is this handle, which never refers to the owner (the Cleaner's rule).
        this.cleanable = CLEANER.register(owner, this);
    }

    /** One native call on the handle. */
    @FunctionalInterface
    interface Call<T> {
        T apply(long pointer) throws NuveraSigningException;
    }

    /** Runs {@code call} with the handle, which cannot be freed until it returns. */
    <T> T with(Call<T> call) throws NuveraSigningException {
        long s;
        do {
            s = state.get();
            if ((s & 1) != 0) {
                throw new NuveraSigningException(Codes.OBJECT_CLOSED, "this " + what + " is closed; create a new one");
            }
        } while (!state.compareAndSet(s, s + 2));
        try {
            return call.apply(pointer);
        } finally {
            if (state.addAndGet(-2) == 1) {
                Native.free(pointer);
            }
        }
    }

    boolean isClosed() {
        return (state.get() & 1) != 0;
    }

    /** Closes now (idempotent); the handle is freed when the last running call ends. */
    void close() {
        cleanable.clean();
    }

    /** The close itself, run once by {@link #close()} or by the Cleaner. */
    @Override
    public void run() {
        if ((state.getAndUpdate(s -> s | 1)) == 0) {
            Native.free(pointer);
        }
    }
}
