package global.nuvera.signing;

/**
 * The one exception of this library: a stable {@linkplain #getCode() code} and a human message.
 *
 * <p>Codes are those of the Rust core ({@code INVALID_PRIVATE_KEY}, {@code WRONG_PASSPHRASE},
 * {@code INVALID_URL}, {@code INVALID_LIFETIME}, {@code MULTIPART_MALFORMED}, {@code IO_ERROR}, …),
 * the {@code AUTH_*} codes of a refused request ({@link VerificationException}), and a few raised
 * by this package: {@code OBJECT_CLOSED} (a closed object used again), {@code UNSUPPORTED_BODY},
 * {@code REDIRECT_CROSS_ORIGIN}, {@code TOO_MANY_REDIRECTS} and {@code INTERNAL_ERROR} (a failure
 * inside the native core, never expected). Messages never contain a key, an API key or a token.
 */
public class NuveraSigningException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;

    /** An exception with {@code code} and {@code message}. */
    public NuveraSigningException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** An exception with {@code code} and {@code message}, caused by {@code cause}. */
    public NuveraSigningException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The stable code: compare this, never the message. */
    public String getCode() {
        return code;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + code + "]: " + getMessage();
    }
}
