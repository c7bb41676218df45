package global.nuvera.signing;

import global.nuvera.signing.ffi.Disposable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One generated object owned by one public object: {@link #get()} refuses once closed, and the
 * native memory is freed exactly once. A call already running when {@code close()} happens still
 * completes (the generated layer counts calls in flight).
 */
final class Handle<T extends Disposable> {
    private final T inner;
    private final String what;
    private final AtomicBoolean closed = new AtomicBoolean();

    Handle(T inner, String what) {
        this.inner = inner;
        this.what = what;
    }

    T get() throws NuveraSigningException {
        if (closed.get()) {
            throw Ffi.closed(what);
        }
        return inner;
    }

    boolean isClosed() {
        return closed.get();
    }

    void close() {
        if (closed.compareAndSet(false, true)) {
            inner.destroy();
        }
    }
}
