package global.nuvera.signing;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/** The outcome of {@link NuveraSigning#explain}: the verdict, each broken rule, remarks, text and JSON. */
public final class ExplainReport {
    /** The native side's {@code [verdict, text, json, notes count, notes…, findings (six texts each)…]}. */
    private final @Nullable String[] r;
    private final List<String> notes;
    private final List<ExplainFinding> findings;

    ExplainReport(@Nullable String[] r) {
        this.r = r;
        int firstFinding = 4 + Integer.parseInt(r[3]);
        this.notes = List.of(Arrays.copyOfRange(r, 4, firstFinding));
        this.findings = IntStream.iterate(firstFinding, i -> i < r.length, i -> i + 6)
                .mapToObj(i -> new ExplainFinding(r, i))
                .toList();
    }

    /** True when no rule fails. */
    public boolean isOk() {
        return findings.isEmpty();
    }

    /** The code Nuvera would answer with, if any. */
    public Optional<String> getVerdict() {
        return Optional.ofNullable(r[0]);
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
        return r[2];
    }

    /** The report for humans. */
    @Override
    public String toString() {
        return r[1];
    }
}
