package dev.reasoningsdk.examples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The one rule for which rows of a problems file training reads ({@code verifier sample}, which draws a verifier's
 * training chains, and {@code step-reward train}): never a row that {@code bench aggregate --live} scores on that
 * file by default ({@value BenchAggregateCommand#DEFAULT_LIVE_LIMIT} rows, evenly spaced; every row of a file of that
 * many or fewer), whatever the file, so a head or verifier trained on a file can be measured on it. The bench still
 * refuses one trained on any problem it selects (another {@code --limit} selects other rows).
 */
final class TrainingRows {

    private TrainingRows() {
    }

    /** The 0-based rows of a file of {@code rows} problems that {@code bench aggregate --live} scores by default. */
    static List<Integer> benchRows(int rows) {
        return JsonlRows.evenlySpacedRows(rows, BenchAggregateCommand.DEFAULT_LIVE_LIMIT);
    }

    /**
     * The 0-based rows of {@code file}, of {@code rows} problems, that training may read: all but the
     * {@link #benchRows}, in file order.
     *
     * @param atLeast the fewest the command can train on
     * @param need    why it needs that many, for the message ("the 5 folds")
     * @throws IllegalArgumentException naming the file and how many rows the bench's leave, before any model loads
     */
    static List<Integer> allowed(Path file, int rows, int atLeast, String need) {
        Set<Integer> bench = new TreeSet<>(benchRows(rows));
        List<Integer> allowed = IntStream.range(0, rows).filter(row -> !bench.contains(row)).boxed().toList();
        if (allowed.size() < atLeast) {
            throw new IllegalArgumentException(file + " has " + rows + " problems and " + bench.size() + " of them "
                    + "are the rows bench aggregate --live reads by default, which training never reads: "
                    + allowed.size() + " are left, fewer than " + need + " (give a file of at least "
                    + (BenchAggregateCommand.DEFAULT_LIVE_LIMIT + atLeast) + " problems)");
        }
        return allowed;
    }
}
