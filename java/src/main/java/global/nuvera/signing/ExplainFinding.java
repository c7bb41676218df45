package global.nuvera.signing;

import java.util.Optional;

/** One broken rule found by {@link NuveraSigning#explain}: its code, area, both values, why and the fix. */
public final class ExplainFinding {
    private final String code;
    private final String area;
    private final String signed;
    private final String sent;
    private final String diagnosis;
    private final String fix;

    ExplainFinding(global.nuvera.signing.ffi.ExplainFinding f) {
        this.code = f.getCode();
        this.area = f.getArea();
        this.signed = f.getSigned();
        this.sent = f.getSent();
        this.diagnosis = f.getDiagnosis();
        this.fix = f.getFix();
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
