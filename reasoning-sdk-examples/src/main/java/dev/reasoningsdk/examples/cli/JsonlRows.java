package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.internal.JsonLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Reads the benches' JSON-lines files and picks evenly spaced rows from them. */
final class JsonlRows {

    private JsonlRows() {
    }

    /**
     * Every non-blank line of {@code file} as JSON.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws dev.reasoningsdk.impl.DataFileException if it is a directory or not UTF-8
     * @throws IllegalArgumentException if it holds no rows or a line is not JSON
     */
    static List<JsonNode> read(Path file) throws IOException {
        return checkedRows(file, row -> { });
    }

    /**
     * The rows of a problems file (the tiny reasoner's eval format), each with its {@code question} as text and its
     * {@code answer} as an integer: a row without them would be scored against an empty question or a gold answer
     * of 0.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws dev.reasoningsdk.impl.DataFileException if it is a directory or not UTF-8
     * @throws IllegalArgumentException naming the file and line of a row that is not JSON or lacks either field, or
     *                                  the file if it holds no rows
     */
    static List<JsonNode> problems(Path file) throws IOException {
        return problems(file, true);
    }

    /**
     * As {@link #problems(Path)}, with {@code integerAnswers} false for questions of any kind (a user's own, for
     * {@code verifier sample}): the answer may then be any one number, as JSON or as text
     * ({@link LabelledChainsFile#numericGold}), as the chains' answers are read as numbers.
     */
    static List<JsonNode> problems(Path file, boolean integerAnswers) throws IOException {
        return checkedRows(file, row -> {
            JsonNode answer = row.node().path("answer");
            boolean answered = integerAnswers ? answer.isIntegralNumber()
                    : LabelledChainsFile.numericGold(answer).isPresent();
            if (!row.node().path("question").isTextual() || !answered) {
                throw new IllegalArgumentException(file + ":" + row.line() + ": a problem needs 'question' (text) "
                        + "and 'answer' (" + (integerAnswers ? "an integer" : "one number, as JSON or text") + ")");
            }
        });
    }

    /**
     * The gold answer of a row {@link #problems} accepted, as written: read with {@code asLong()}, an integer past a
     * {@code long}'s range wrapped around (2^64 + 21 became 21), and a chain answering 21 was scored right.
     */
    static String gold(JsonNode problem) {
        return LabelledChainsFile.numericGold(problem.path("answer")).orElseThrow();
    }

    /** A field every row of a file must hold: its name, what it must be (in words) and the test of that. */
    record Field(String name, String kind, Predicate<JsonNode> test) {
    }

    /**
     * Every non-blank line of {@code file} as JSON, each holding every one of {@code fields}: a bench that reads a
     * field of each row would otherwise stop on a NullPointerException (exit 1) or read a missing number as 0.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws dev.reasoningsdk.impl.DataFileException if it is a directory or not UTF-8
     * @throws IllegalArgumentException naming the file, line and field of the first row without a field as it must
     *                                  be, or the file if it holds no rows
     */
    static List<JsonNode> withFields(Path file, List<Field> fields) throws IOException {
        return checkedRows(file, row -> {
            for (Field field : fields) {
                if (!field.test().test(row.node().path(field.name()))) {
                    throw new IllegalArgumentException(file + ":" + row.line() + ": '" + field.name() + "' must be "
                            + field.kind() + ", was " + row.node().path(field.name()));
                }
            }
        });
    }

    /**
     * Every row of {@code file}, each passed to {@code check} (which throws to refuse it) in file order.
     *
     * @throws IllegalArgumentException if {@code check} refuses a row, or the file holds no rows
     */
    private static List<JsonNode> checkedRows(Path file, Consumer<JsonLines.Row> check) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (JsonLines.Row row : JsonLines.read(file)) {
            check.accept(row);
            rows.add(row.node());
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows in " + file);
        }
        return rows;
    }

    /**
     * {@code count} rows at evenly spaced positions (all of them when {@code count} is at least the size). The eval
     * files are ordered by step count, so a spread covers every step count.
     */
    static <T> List<T> evenlySpaced(List<T> all, int count) {
        int n = Math.min(count, all.size());
        List<T> picked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            picked.add(all.get((int) ((long) i * all.size() / n)));
        }
        return picked;
    }
}
