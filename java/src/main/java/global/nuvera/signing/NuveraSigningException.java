package global.nuvera.signing;

import org.jspecify.annotations.Nullable;

/**
 * The one exception of this library: a stable code from the core's one list
 * ({@link NuveraSigning#errorCodesJson()}), its family and HTTP status, and a message free of secrets.
 */
public class NuveraSigningException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String family;
    private final int httpStatus;

    /** An exception with one of the core's codes ({@code IllegalArgumentException} for another). */
    public NuveraSigningException(String code, String message) {
        this(code, message, null);
    }

    /** An exception with {@code code}, {@code message} and {@code cause}. */
    public NuveraSigningException(String code, String message, @Nullable Throwable cause) {
        super(message, cause);
        @Nullable String[] info = Native.errorInfo(code);
        if (info[0] == null) {
            throw new IllegalArgumentException("not a nuvera-signing error code: " + code);
        }
        this.code = code;
        this.family = info[0];
        this.httpStatus = Integer.parseInt(info[1]);
    }

    /** What the native side throws: a {@link VerificationException} for a refusal (it has a response body). */
    static NuveraSigningException fromCore(String code, String message, @Nullable String responseBody) {
        return responseBody == null ? new NuveraSigningException(code, message)
                : new VerificationException(code, message, responseBody);
    }

    /** The stable code: compare this, never the message. */
    public String getCode() {
        return code;
    }

    /** The code's family ({@code key}, {@code request}, {@code auth}, …). */
    public String getFamily() {
        return family;
    }

    /** The HTTP status a server answers with for an {@code AUTH_*} code (401 or 403); 0 for the others. */
    public int getHttpStatus() {
        return httpStatus;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + code + "]: " + getMessage();
    }
}
