package global.nuvera.signing;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The one ownership scheme of native objects: a public object holds one {@code NativeHandle},
 * which holds the native pointer (an {@code Arc} in Rust) and frees it exactly once — on
 * {@link #close()} or, when the owner is collected without being closed, by a {@link Cleaner} —
 * and never while a call is using it. Calls bracket their use with {@link #acquire()} and
 * {@link #release()}; after close, {@code acquire} fails with {@code OBJECT_CLOSED}, so a closed
 * object can never reach freed memory.
 *
 * <p>State: the number of calls in flight times two, plus one once closed. The pointer is freed
 * by whichever comes last: the close (when no call is running) or the last call's release.
 */
final class NativeHandle implements Runnable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final long pointer;
    private final LongConsumer free;
    private final String what;
    private final AtomicLong state = new AtomicLong();
    private final Cleaner.Cleanable cleanable;

    private NativeHandle(Object owner, long pointer, LongConsumer free, String what) {
        this.pointer = pointer;
        this.free = free;
        this.what = what;
        // The action is this handle, which never refers to the owner (the Cleaner's rule).
        this.cleanable = CLEANER.register(owner, this);
    }

    /** Takes ownership of {@code pointer} for {@code owner}; {@code free} is the type's native free. */
    static NativeHandle own(Object owner, long pointer, LongConsumer free, String what) {
        return new NativeHandle(owner, pointer, free, what);
    }

    /** The pointer, valid until the matching {@link #release()}. */
    long acquire() throws NuveraSigningException {
        while (true) {
            long s = state.get();
            if ((s & 1) != 0) {
                throw new NuveraSigningException(Codes.OBJECT_CLOSED, "this " + what + " is closed; create a new one");
            }
            if (state.compareAndSet(s, s + 2)) {
                return pointer;
            }
        }
    }

    /** Ends a call started by {@link #acquire()}. */
    /** One native call on the pointer. */
    @FunctionalInterface
    interface Call<T> {
        T apply(long pointer) throws NuveraSigningException;
    }

    /**
     * Runs {@code call} with the pointer, which cannot be freed until it returns: the one
     * acquire/release pair every class uses; {@code OBJECT_CLOSED} once closed.
     */
    <T> T with(Call<T> call) throws NuveraSigningException {
        long p = acquire();
        try {
            return call.apply(p);
        } finally {
            release();
        }
    }

    void release() {
        if (state.addAndGet(-2) == 1) {
            free.accept(pointer);
        }
    }

    boolean isClosed() {
        return (state.get() & 1) != 0;
    }

    /** Closes now (idempotent); the pointer is freed when the last running call ends. */
    void close() {
        cleanable.clean();
    }

    /** The close itself, run once by {@link #close()} or by the Cleaner. */
    @Override
    public void run() {
        long s;
        do {
            s = state.get();
            if ((s & 1) != 0) {
                return;
            }
        } while (!state.compareAndSet(s, s | 1));
        if (s == 0) {
            free.accept(pointer);
        }
    }
}
