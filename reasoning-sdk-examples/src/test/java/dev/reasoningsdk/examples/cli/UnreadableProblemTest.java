package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A problem the model cannot read (here a character outside the tiny reasoner's small vocabulary) is refused before
 * any problem runs, naming its row of the file and why, by every command that runs problems through a model in
 * process: the embedded tiny reasoner, and a user's own export folder ({@code --model DIR}, the tiny reasoner's export
 * files copied under another name), which is served on loopback and whose calls on such a problem failed one by one
 * instead.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class UnreadableProblemTest {

    private static final String UNREADABLE = "Zo\u00eb has 7 shells. She sells 4. How many shells now?";

    @TempDir
    static Path shared;

    private static Path folder;

    @TempDir
    Path dir;

    @BeforeAll
    static void exportFolder() throws IOException {
        folder = OwnModelFolderTest.copyOfTinyReasoner(shared.resolve("my-reasoner"));
    }

    /** {@code count} readable problems, the one on row {@code unreadableRow} replaced by {@link #UNREADABLE}. */
    private Path problems(int count, int unreadableRow) throws IOException {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add("{\"question\": \"" + (i == unreadableRow ? UNREADABLE : "Ana has " + (i + 5) + " shells. She "
                    + "sells 4. How many shells now?") + "\", \"steps\": 1, \"answer\": " + (i + 1) + "}");
        }
        return Files.write(dir.resolve("problems.jsonl"), rows);
    }

    private static String refusal(String model, int row) {
        return "--problems: " + model + " cannot read row " + row + " (0-based) of problems.jsonl (\"Zo\u00eb has 7";
    }

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void benchAggregateRefusesItOnTheFolderAndTheEmbeddedModel() throws IOException {
        List<String> args = List.of("bench", "aggregate", "--live", "--json", "--max-problems", "2", "--data",
                ServedParityTest.solutions(dir, 1).toString(), "--problems", problems(2, 1).toString());
        CliRun.of(with(args, "--model", folder.toString()).toArray(String[]::new))
                .assertBadInput(refusal("my-reasoner", 1));
        CliRun.of(args.toArray(String[]::new)).assertBadInput(refusal("tiny-reasoner@1", 1));
    }

    @Test
    void benchConfidenceRefusesItOnTheFolderAndTheEmbeddedModel() throws IOException {
        List<String> args = List.of("bench", "confidence", "--live", "--json", "--max-problems", "4", "--samples", "2",
                "--data", ServedParityTest.solutions(dir, 4).toString(), "--problems", problems(4, 2).toString());
        CliRun.of(with(args, "--model", folder.toString()).toArray(String[]::new))
                .assertBadInput(refusal("my-reasoner", 2));
        CliRun.of(args.toArray(String[]::new)).assertBadInput(refusal("tiny-reasoner@1", 2));
    }

    @Test
    void verifierSampleRefusesItOnTheFolderAndTheEmbeddedModelAndWritesNothing() throws IOException {
        // The rows training reads are the 4 the bench does not score; the third of them cannot be read.
        List<String> training = Files.readAllLines(problems(4, 2));
        List<String> bench = Files.readAllLines(problems(204, -1)).subList(4, 204);
        Path problems = TrainingRowsTest.problemsTrainingReads(dir.resolve("problems.jsonl"), training, bench);
        int row = TrainingRowsTest.trainingRowsOf(204).get(2);
        Path out = dir.resolve("chains.jsonl");
        List<String> args = List.of("verifier", "sample", "--json", "--samples", "2", "--problems",
                problems.toString(), "--out", out.toString());
        CliRun.of(with(args, "--model", folder.toString()).toArray(String[]::new))
                .assertBadInput(refusal("my-reasoner", row));
        CliRun.of(args.toArray(String[]::new)).assertBadInput(refusal("tiny-reasoner@1", row));
        assertThat(out).doesNotExist();
    }
}
