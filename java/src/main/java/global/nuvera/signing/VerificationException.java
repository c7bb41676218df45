package global.nuvera.signing;

/**
 * A request refused by a {@link Verifier}: an {@code AUTH_*} code, the HTTP status to answer with
 * (401, or 403 for {@code AUTH_PERMISSION_DENIED}) and the JSON error body Nuvera answers with.
 */
public final class VerificationException extends NuveraSigningException {
    private static final long serialVersionUID = 1L;

    private final String responseBody;

    /** Made by the native side. */
    VerificationException(String code, String family, int httpStatus, String message, String responseBody) {
        super(code, family, httpStatus, message);
        this.responseBody = responseBody;
    }

    /** {@code {"errors":[{"code":…,"message":…}]}}, as Nuvera answers. */
    public String getResponseBody() {
        return responseBody;
    }
}
