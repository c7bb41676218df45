package global.nuvera.signing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The outcome of {@link NuveraSigning#explain}: the verdict, each broken rule, remarks, text and JSON. */
public final class ExplainReport {
    private final @Nullable String verdict;
    private final List<ExplainFinding> findings;
    private final List<String> notes;
    private final String text;
    private final String json;

    /** From the native side's {@code [verdict, text, json, notes count, notes…, findings (six texts each)…]}. */
    ExplainReport(@Nullable String[] r) {
        this.verdict = r[0];
        this.text = Objects.requireNonNull(r[1]);
        this.json = Objects.requireNonNull(r[2]);
        int firstFinding = 4 + Integer.parseInt(Objects.requireNonNull(r[3]));
        this.notes = List.of(Arrays.copyOfRange(r, 4, firstFinding));
        List<ExplainFinding> list = new ArrayList<>();
        for (int i = firstFinding; i < r.length; i += 6) {
            list.add(new ExplainFinding(r, i));
        }
        this.findings = List.copyOf(list);
    }

    /** True when no rule fails. */
    public boolean isOk() {
        return findings.isEmpty();
    }

    /** The code Nuvera would answer with, if any. */
    public Optional<String> getVerdict() {
        return Optional.ofNullable(verdict);
    }

    /** Broken rules, in the order Nuvera checks them. */
    public List<ExplainFinding> getFindings() {
        return findings;
    }

    /** Remarks that are not failures. */
    public List<String> getNotes() {
        return notes;
    }

    /** The report as JSON (claims with {@code sub} masked). */
    public String toJson() {
        return json;
    }

    /** The report for humans. */
    @Override
    public String toString() {
        return text;
    }
}
