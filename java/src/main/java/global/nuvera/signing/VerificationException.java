package global.nuvera.signing;

/** A request refused by a {@link Verifier}: an {@code AUTH_*} code, its HTTP status and response body. */
public final class VerificationException extends NuveraSigningException {
    private static final long serialVersionUID = 1L;

    private final String responseBody;

    VerificationException(String code, String message, String responseBody) {
        super(code, message);
        this.responseBody = responseBody;
    }

    /** {@code {"errors":[{"code":…,"message":…}]}}, as Nuvera answers. */
    public String getResponseBody() {
        return responseBody;
    }
}
