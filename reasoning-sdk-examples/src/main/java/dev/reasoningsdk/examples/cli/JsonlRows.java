package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.internal.JsonLines;
import dev.reasoningsdk.impl.internal.QuestionDigests;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.IntStream;

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
        return checkedRows(file, problemCheck(file));
    }

    /**
     * As {@link #problems(Path)}, refusing a question that repeats an earlier one ({@link #requireDistinctQuestions}):
     * for a bench, which would score it twice.
     *
     * @throws IllegalArgumentException as {@link #problems(Path)} does, or naming the file and the lines of the first
     *                                  repeated question
     */
    static List<JsonNode> distinctProblems(Path file) throws IOException {
        return distinctProblems(file, "a bench would score it twice");
    }

    /**
     * As {@link #distinctProblems(Path)}, for a command a repeat harms in another way.
     *
     * @param harm what the repeat would do, for the message
     */
    static List<JsonNode> distinctProblems(Path file, String harm) throws IOException {
        List<String> questions = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<JsonNode> rows = checkedRows(file, row -> {
            problemCheck(file).accept(row);
            questions.add(row.node().path("question").asText());
            lines.add(row.line());
        });
        requireDistinctQuestions(file, questions, lines, harm);
        return rows;
    }

    /**
     * Refuses a file that holds a question twice, compared as {@link QuestionDigests} compares a head's training
     * questions (case, white space and punctuation aside): a bench would score it twice, weighing it double in every
     * figure, as {@code verifier train} refuses it for cross-validation.
     *
     * @param questions the file's questions, in file order
     * @param lines     each question's line in the file
     * @param harm      what the repeat would do, for the message
     * @throws IllegalArgumentException naming the file and the lines of the first question that repeats an earlier one
     */
    static void requireDistinctQuestions(Path file, List<String> questions, List<Integer> lines, String harm) {
        QuestionDigests.firstRepeat(questions).ifPresent(repeat -> {
            throw new IllegalArgumentException(file + ": lines " + lines.get(repeat.first()) + " and "
                    + lines.get(repeat.second()) + " hold the same question (case, white space and punctuation "
                    + "aside): " + harm + ", so remove one");
        });
    }

    /**
     * The rows of a problems file of questions of any kind (a user's own, for {@code verifier sample}), each read
     * once: its {@code question} as text and its {@code answer} as the gold answer the chains' answers are compared
     * with, any one number, as JSON or as text ({@link LabelledChainsFile#numericGold}: {@code "1,600"} is 1600).
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws dev.reasoningsdk.impl.DataFileException if it is a directory or not UTF-8
     * @throws IllegalArgumentException naming the file and line of a row that is not JSON or lacks either field, the
     *                                  file if it holds no rows, or the file and the lines of a question that repeats
     *                                  an earlier one ({@code verifier train} refuses the chains of a repeated
     *                                  question, so they would be sampled for nothing)
     */
    static List<GoldProblem> goldProblems(Path file) throws IOException {
        List<Integer> lines = new ArrayList<>();
        List<GoldProblem> problems = readRows(file, row -> {
            JsonNode question = row.node().path("question");
            Optional<String> gold = LabelledChainsFile.numericGold(row.node().path("answer"));
            if (!question.isTextual() || gold.isEmpty()) {
                throw problemNeeds(file, row, "one number, as JSON or text");
            }
            lines.add(row.line());
            return new GoldProblem(question.asText(), gold.get());
        });
        requireDistinctQuestions(file, problems.stream().map(GoldProblem::question).toList(), lines,
                "verifier train refuses the chains of a repeated question, so they would be sampled for nothing");
        return problems;
    }

    /**
     * A question and its gold answer, as {@link #goldProblems} reads them.
     *
     * @param question the question
     * @param gold     the gold answer, as the numeric extractor gives the chains' answers
     */
    record GoldProblem(String question, String gold) {
    }

    /** The check of one row of {@link #problems}: a question as text, an answer as an integer. */
    private static Consumer<JsonLines.Row> problemCheck(Path file) {
        return row -> {
            if (!row.node().path("question").isTextual() || !row.node().path("answer").isIntegralNumber()) {
                throw problemNeeds(file, row, "an integer");
            }
        };
    }

    /** The refusal of a problem row without its question or answer; {@code answer} says what the answer must be. */
    private static IllegalArgumentException problemNeeds(Path file, JsonLines.Row row, String answer) {
        return new IllegalArgumentException(file + ":" + row.line() + ": a problem needs 'question' (text) and "
                + "'answer' (" + answer + ")");
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
        return readRows(file, row -> {
            check.accept(row);
            return row.node();
        });
    }

    /**
     * Every row of {@code file} as {@code read} reads it (which throws to refuse it), in file order.
     *
     * @throws IllegalArgumentException if {@code read} refuses a row, or the file holds no rows
     */
    private static <T> List<T> readRows(Path file, Function<JsonLines.Row, T> read) throws IOException {
        List<T> rows = new ArrayList<>();
        for (JsonLines.Row row : JsonLines.read(file)) {
            rows.add(read.apply(row));
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

    /** The 0-based positions {@link #evenlySpaced} picks among {@code size} rows. */
    static List<Integer> evenlySpacedRows(int size, int count) {
        return evenlySpaced(IntStream.range(0, size).boxed().toList(), count);
    }
}
