package global.nuvera.signing;

/**
 * The core's codes that the Java layer raises itself (the native side raises the others). Each
 * must be in the core's list: {@code ErrorCodesTest} compares these with
 * {@code testdata/error-codes.json}, and {@link NuveraSigningException} refuses a code the core
 * does not know.
 */
final class Codes {
    static final String OBJECT_CLOSED = "OBJECT_CLOSED";
    static final String IO_ERROR = "IO_ERROR";
    static final String INVALID_URL = "INVALID_URL";
    static final String STREAMING_BODY = "STREAMING_BODY";
    static final String UNSUPPORTED = "UNSUPPORTED";

    /** Every constant above, for the test. */
    static final String[] ALL = {OBJECT_CLOSED, IO_ERROR, INVALID_URL, STREAMING_BODY, UNSUPPORTED};

    private Codes() {}
}
