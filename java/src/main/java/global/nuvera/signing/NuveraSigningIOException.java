package global.nuvera.signing;

import java.io.IOException;

/** A {@link NuveraSigningException} (the cause) inside an OkHttp call, which may only throw {@code IOException}. */
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
