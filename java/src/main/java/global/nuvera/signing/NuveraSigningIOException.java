package global.nuvera.signing;

import java.io.IOException;

/**
 * A signing failure inside an OkHttp call: OkHttp interceptors may only throw
 * {@code IOException}, so {@link NuveraOkHttpInterceptor} wraps the {@link NuveraSigningException}
 * (its {@linkplain #getCause() cause}) in this one, with the same {@linkplain #getCode() code}.
 */
public final class NuveraSigningIOException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String code;

    NuveraSigningIOException(NuveraSigningException cause) {
        super(cause.getCode() + ": " + cause.getMessage(), cause);
        this.code = cause.getCode();
    }

    /** The stable code of the cause. */
    public String getCode() {
        return code;
    }
}
