package global.nuvera.signing;

/**
 * A clock offset in the core: a signer's (shared by its copies, corrected by the §8 policy from a
 * server's {@code Date}) or one of its own for the table of cases.
 */
final class ClockOffset implements AutoCloseable {
    private final NativeHandle handle;

    private ClockOffset(long pointer) {
        this.handle = NativeHandle.own(this, pointer, Native::clockOffsetFree, "ClockOffset");
    }

    /** An offset of its own, {@code secs} seconds. */
    static ClockOffset ofSeconds(long secs) throws NuveraSigningException {
        return new ClockOffset(Native.clockOffsetNew(secs));
    }

    /** The offset of the signer behind {@code signerPointer}. */
    static ClockOffset ofSigner(long signerPointer) throws NuveraSigningException {
        return new ClockOffset(Native.signerClockOffset(signerPointer));
    }

    /** The offset now, in seconds. */
    long seconds() throws NuveraSigningException {
        return handle.with(Native::clockOffsetSecs);
    }

    NativeHandle handle() {
        return handle;
    }

    @Override
    public void close() {
        handle.close();
    }
}
