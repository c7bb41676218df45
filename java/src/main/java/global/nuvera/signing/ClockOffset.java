package global.nuvera.signing;

/**
 * A clock offset in the core: a signer's (shared by its copies, corrected by the §8 policy from a
 * server's {@code Date}) or one of its own for the table of cases.
 */
final class ClockOffset extends NativeObject {
    private ClockOffset(long pointer) {
        super(pointer);
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
}
