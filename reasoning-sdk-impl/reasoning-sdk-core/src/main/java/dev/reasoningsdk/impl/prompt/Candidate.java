package dev.reasoningsdk.impl.prompt;

import java.util.List;

/**
 * A candidate prompt of a search: its units, the units deleted along its lineage (what {@code add} may re-insert),
 * and the edit that made it.
 */
record Candidate(EditUnits units, List<String> deleted, String edit, String prompt) {

    Candidate {
        deleted = List.copyOf(deleted);
    }

    static Candidate of(EditUnits units, List<String> deleted, String edit) {
        return new Candidate(units, deleted, edit, units.text());
    }

    /** A candidate with a scored text given verbatim (the caller's initial prompt). */
    static Candidate initial(String prompt, EditUnitSplitter splitter) {
        List<List<String>> lines = prompt.lines().map(splitter::split).toList();
        return new Candidate(new EditUnits(lines), List.of(), "initial", prompt);
    }

    /** A scored candidate. */
    record Scored(Candidate candidate, double score) {
        String prompt() {
            return candidate.prompt();
        }
    }
}
