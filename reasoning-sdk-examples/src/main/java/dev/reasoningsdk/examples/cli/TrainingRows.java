package dev.reasoningsdk.examples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The one rule for which rows of a problems file training reads ({@code verifier sample}, which draws a verifier's
 * training chains, and {@code step-reward train}): never a row that {@code bench aggregate --live} scores on that
 * file by default ({@value BenchAggregateCommand#DEFAULT_LIVE_LIMIT} rows, evenly spaced), whatever the file, so a
 * head or verifier trained on a file can be measured on it. A file of
 * {@value BenchAggregateCommand#DEFAULT_LIVE_LIMIT} rows or fewer is read in full: the bench scores every row of it,
 * so nothing trained on it can be measured on it either way, and refusing it would leave a user with a small file no
 * way to train at all. The bench refuses a head or verifier trained on any problem it selects (on such a file, or
 * with another {@code --limit}).
 */
final class TrainingRows {

    /** The rule as the {@code --problems} help of the commands that follow it says it. */
    static final String OPTION_HELP = "The rows the live bench selects by default ("
            + BenchAggregateCommand.DEFAULT_LIVE_LIMIT + ", evenly spaced) are never read; a file of that many or "
            + "fewer is read in full.";

    private TrainingRows() {
    }

    /** The 0-based rows of a file of {@code rows} problems that {@code bench aggregate --live} scores by default. */
    static List<Integer> benchRows(int rows) {
        return JsonlRows.evenlySpacedRows(rows, BenchAggregateCommand.DEFAULT_LIVE_LIMIT);
    }

    /**
     * The 0-based rows of {@code file}, of {@code rows} problems, that training may read, in file order: all but the
     * {@link #benchRows}, or all of a file of {@value BenchAggregateCommand#DEFAULT_LIVE_LIMIT} rows or fewer.
     *
     * @param atLeast the fewest the command can train on
     * @param need    why it needs that many, for the message ("the 5 folds")
     * @throws IllegalArgumentException naming the file and how many rows the bench's leave, before any model loads
     */
    static List<Integer> allowed(Path file, int rows, int atLeast, String need) {
        Set<Integer> bench = rows <= BenchAggregateCommand.DEFAULT_LIVE_LIMIT ? Set.of()
                : new TreeSet<>(benchRows(rows));
        List<Integer> allowed = IntStream.range(0, rows).filter(row -> !bench.contains(row)).boxed().toList();
        if (allowed.size() < atLeast && bench.isEmpty()) {
            throw new IllegalArgumentException(file + " has " + rows + " problems, fewer than " + need);
        }
        if (allowed.size() < atLeast) {
            throw new IllegalArgumentException(file + " has " + rows + " problems and " + bench.size() + " of them "
                    + "are the rows bench aggregate --live reads by default, which training never reads: "
                    + allowed.size() + " are left, fewer than " + need + " (give a file of at least "
                    + (BenchAggregateCommand.DEFAULT_LIVE_LIMIT + atLeast) + " problems)");
        }
        return allowed;
    }
}
