package global.nuvera.signing;

import java.util.Arrays;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** One broken rule found by {@link NuveraSigning#explain}: its code, area, both values, why and the fix. */
public final class ExplainFinding {
    /** The core's six texts: code, area, signed, sent (these two may be null), diagnosis, fix. */
    private final @Nullable String[] f;

    ExplainFinding(@Nullable String[] texts, int from) {
        this.f = Arrays.copyOfRange(texts, from, from + 6);
    }

    /** The {@code AUTH_*} code Nuvera would answer with for this rule. */
    public String getCode() {
        return f[0];
    }

    /** {@code api-key}, {@code jwt-claims}, {@code permission} or {@code body-hash}. */
    public String getArea() {
        return f[1];
    }

    /** The value in the token, when there is one. */
    public Optional<String> getSigned() {
        return Optional.ofNullable(f[2]);
    }

    /** The value derived from the request as sent, when there is one. */
    public Optional<String> getSent() {
        return Optional.ofNullable(f[3]);
    }

    /** Why the rule fails. */
    public String getDiagnosis() {
        return f[4];
    }

    /** What to change. */
    public String getFix() {
        return f[5];
    }

    @Override
    public String toString() {
        return f[0] + ": " + f[4];
    }
}
