package global.nuvera.signing;

/** A public object backed by a native one (see {@link NativeHandle}), which {@link #close()} frees. */
abstract class NativeObject implements AutoCloseable {
    final NativeHandle handle;

    NativeObject(long pointer) {
        this.handle = new NativeHandle(this, pointer);
    }

    /**
     * Frees the native object (idempotent); later calls fail with {@code OBJECT_CLOSED}, running
     * calls finish first. Objects made from this one (a signer from its key) keep working.
     */
    @Override
    public void close() {
        handle.close();
    }

    /** The class name only: never key material, an API key or a token. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + (handle.isClosed() ? "[closed]" : "[]");
    }
}
