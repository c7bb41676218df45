package global.nuvera.signing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The outcome of {@link NuveraSigning#explain}: the verdict, each broken rule, remarks, text and JSON. */
public final class ExplainReport {
    private final boolean ok;
    private final @Nullable String verdict;
    private final List<ExplainFinding> findings;
    private final List<String> notes;
    private final String text;
    private final String json;

    /** Made by the native side ({@code findings} holds {@link ExplainFinding}s). */
    ExplainReport(boolean ok, @Nullable String verdict, Object[] findings, String[] notes, String text, String json) {
        this.ok = ok;
        this.verdict = verdict;
        List<ExplainFinding> list = new ArrayList<>(findings.length);
        for (Object f : findings) {
            list.add((ExplainFinding) f);
        }
        this.findings = Collections.unmodifiableList(list);
        this.notes = List.of(notes);
        this.text = text;
        this.json = json;
    }

    /** True when no rule fails. */
    public boolean isOk() {
        return ok;
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
