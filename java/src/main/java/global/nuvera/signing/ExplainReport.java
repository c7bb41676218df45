package global.nuvera.signing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** The outcome of {@link NuveraSigning#explain}: the verdict, each broken rule, remarks, text and JSON. */
public final class ExplainReport {
    private final boolean ok;
    private final String verdict;
    private final List<ExplainFinding> findings;
    private final List<String> notes;
    private final String text;
    private final String json;

    ExplainReport(global.nuvera.signing.ffi.ExplainReport r) {
        this.ok = r.getOk();
        this.verdict = r.getVerdict();
        List<ExplainFinding> list = new ArrayList<>();
        for (global.nuvera.signing.ffi.ExplainFinding f : r.getFindings()) {
            list.add(new ExplainFinding(f));
        }
        this.findings = Collections.unmodifiableList(list);
        this.notes = Collections.unmodifiableList(new ArrayList<>(r.getNotes()));
        this.text = r.getText();
        this.json = r.getJson();
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
