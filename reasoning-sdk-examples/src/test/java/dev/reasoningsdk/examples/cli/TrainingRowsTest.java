package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One rule for the rows training reads ({@link TrainingRows}), in {@code verifier sample} as in {@code step-reward
 * train}: never a row {@code bench aggregate --live} scores on that file by default, whatever the file, except in a
 * file the bench reads in full. {@code verifier sample} applied it to the shipped file only, and sampled a user's
 * file's bench rows.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TrainingRowsTest {

    @TempDir
    Path dir;

    /**
     * A problems file of {@code 200 + trainingRows.size()} lines whose rows training reads are {@code trainingRows},
     * in order, the bench's rows taken from {@code benchRows} in order (at least 200 of them).
     */
    static Path problemsTrainingReads(Path file, List<String> trainingRows, List<String> benchRows)
            throws IOException {
        int size = BenchAggregateCommand.DEFAULT_LIVE_LIMIT + trainingRows.size();
        Set<Integer> bench = new TreeSet<>(TrainingRows.benchRows(size));
        Iterator<String> training = trainingRows.iterator();
        Iterator<String> scored = benchRows.iterator();
        List<String> lines = new ArrayList<>();
        for (int row = 0; row < size; row++) {
            lines.add(bench.contains(row) ? scored.next() : training.next());
        }
        return Files.write(file, lines);
    }

    /** The 0-based rows of a file of {@code size} problems that training reads. */
    static List<Integer> trainingRowsOf(int size) {
        Set<Integer> bench = new TreeSet<>(TrainingRows.benchRows(size));
        return IntStream.range(0, size).filter(row -> !bench.contains(row)).boxed().toList();
    }

    private static List<String> problems(String name, int count) {
        return IntStream.range(0, count).mapToObj(i -> "{\"question\": \"" + name + " has " + (i + 5) + " shells. "
                + "She sells 4. How many shells now?\", \"steps\": 1, \"answer\": " + (i + 1) + "}").toList();
    }

    @Test
    void theBenchRowsAreTheLiveBenchDefaultSelectionAndTrainingGetsTheRest() {
        List<Integer> all = IntStream.range(0, 600).boxed().toList();
        assertThat(TrainingRows.benchRows(600))
                .isEqualTo(JsonlRows.evenlySpaced(all, BenchAggregateCommand.DEFAULT_LIVE_LIMIT)).hasSize(200);
        assertThat(TrainingRows.allowed(dir, 600, 5, "the 5 folds")).hasSize(400)
                .doesNotContainAnyElementsOf(TrainingRows.benchRows(600)).isSorted();
        assertThat(TrainingRows.allowed(dir, 203, 3, "three")).isEqualTo(trainingRowsOf(203)).hasSize(3);
        assertThatThrownBy(() -> TrainingRows.allowed(dir.resolve("own.jsonl"), 203, 4, "four"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("own.jsonl has 203 problems and 200 of them are the rows bench aggregate --live "
                        + "reads by default, which training never reads: 3 are left, fewer than four (give a file of "
                        + "at least 204 problems)");
    }

    @Test
    void verifierSampleNeverSamplesARowTheLiveBenchScoresOnAUsersFile() throws IOException {
        Path problems = problemsTrainingReads(dir.resolve("own.jsonl"), problems("Ana", 10), problems("Omar", 200));
        Path chains = dir.resolve("chains.jsonl");
        CliRun run = CliRun.of("verifier", "sample", "--problems", problems.toString(), "--out", chains.toString(),
                "--samples", "1", "--max-problems", "5", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode report = run.json();

        assertThat(report.path("bench_rows_excluded").asInt()).isEqualTo(200);
        assertThat(report.path("questions").asInt()).isEqualTo(5);
        // Every sampled question is one of the rows training reads; before, they were spread over the whole file.
        assertThat(LabelledChainsFile.read(chains)).extracting(VerifierTrainer.LabelledChains::question)
                .allSatisfy(question -> assertThat(question).startsWith("Ana has"));
    }

    @Test
    void aFileTheBenchReadsInFullIsReadInFullByTraining() throws IOException {
        // The bench scores every row of a file of 200 or fewer, so leaving them out left nothing: such a file was
        // refused, and a user with 150 questions could not train on them at all.
        assertThat(TrainingRows.allowed(dir, 150, 5, "the 5 folds"))
                .isEqualTo(IntStream.range(0, 150).boxed().toList());
        assertThat(TrainingRows.allowed(dir, 200, 5, "the 5 folds")).hasSize(200);
        assertThatThrownBy(() -> TrainingRows.allowed(dir.resolve("own.jsonl"), 4, 5, "the 5 folds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("own.jsonl has 4 problems, fewer than the 5 folds");

        Path problems = Files.write(dir.resolve("own.jsonl"), problems("Ana", 150));
        Path chains = dir.resolve("chains.jsonl");
        CliRun run = CliRun.of("verifier", "sample", "--problems", problems.toString(), "--out", chains.toString(),
                "--samples", "1", "--max-problems", "10", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.json().path("bench_rows_excluded").asInt()).isZero();
        assertThat(run.json().path("questions").asInt()).isEqualTo(10);
    }
}
