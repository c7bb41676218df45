package global.nuvera.signing;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** One broken rule found by {@link NuveraSigning#explain}: its code, area, both values, why and the fix. */
public final class ExplainFinding {
    private final String code;
    private final String area;
    private final @Nullable String signed;
    private final @Nullable String sent;
    private final String diagnosis;
    private final String fix;

    /** From six of the native side's texts from {@code i}: code, area, signed, sent, diagnosis, fix. */
    ExplainFinding(@Nullable String[] f, int i) {
        this.code = Objects.requireNonNull(f[i]);
        this.area = Objects.requireNonNull(f[i + 1]);
        this.signed = f[i + 2];
        this.sent = f[i + 3];
        this.diagnosis = Objects.requireNonNull(f[i + 4]);
        this.fix = Objects.requireNonNull(f[i + 5]);
    }

    /** The {@code AUTH_*} code Nuvera would answer with for this rule. */
    public String getCode() {
        return code;
    }

    /** {@code api-key}, {@code jwt-claims}, {@code permission} or {@code body-hash}. */
    public String getArea() {
        return area;
    }

    /** The value in the token, when there is one. */
    public Optional<String> getSigned() {
        return Optional.ofNullable(signed);
    }

    /** The value derived from the request as sent, when there is one. */
    public Optional<String> getSent() {
        return Optional.ofNullable(sent);
    }

    /** Why the rule fails. */
    public String getDiagnosis() {
        return diagnosis;
    }

    /** What to change. */
    public String getFix() {
        return fix;
    }

    @Override
    public String toString() {
        return code + ": " + diagnosis;
    }
}
