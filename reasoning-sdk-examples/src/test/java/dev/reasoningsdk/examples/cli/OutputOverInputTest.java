package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code --out} that names one of the command's inputs, however spelled (a link, {@code ..}), is refused with
 * exit 2 before the command samples or trains, and the input is left as it was. Before, {@code verifier sample
 * --problems p.jsonl --out p.jsonl} sampled and then replaced the user's problems with the chains, exiting 0.
 */
class OutputOverInputTest {

    private static final String PROBLEM = "{\"question\": \"Sam has 3 apples and buys 4 more. How many apples does"
            + " Sam have?\", \"answer\": \"7\"}\n";

    @TempDir
    Path dir;

    @Test
    void verifierSampleRefusesToWriteItsProblemsFile() throws IOException {
        Path problems = Files.writeString(dir.resolve("problems.jsonl"), PROBLEM);
        CliRun.of("verifier", "sample", "--problems", problems.toString(), "--out", problems.toString(),
                "--samples", "1", "--max-problems", "1").assertBadInput("is the input " + problems);
        Path spelledOtherwise = dir.resolve("sub/../problems.jsonl");
        Files.createDirectory(dir.resolve("sub"));
        CliRun.of("verifier", "sample", "--problems", problems.toString(), "--out", spelledOtherwise.toString(),
                "--samples", "1", "--max-problems", "1").assertBadInput("is the input " + problems);
        Path link = dir.resolve("chains.jsonl");
        try {
            Files.createSymbolicLink(link, problems);
        } catch (UnsupportedOperationException | FileSystemException refused) {
            Assumptions.abort("this file system refuses symbolic links: " + refused);
        }
        CliRun.of("verifier", "sample", "--problems", problems.toString(), "--out", link.toString(),
                "--samples", "1", "--max-problems", "1").assertBadInput("is the input " + problems);
        assertThat(problems).hasContent(PROBLEM.strip());
    }

    @Test
    void verifierSampleRefusesToWriteItsCacheFile() throws IOException {
        Path problems = Files.writeString(dir.resolve("problems.jsonl"), PROBLEM);
        Path cache = dir.resolve("calls.sqlite");
        CliRun.of("verifier", "sample", "--problems", problems.toString(), "--out", cache.toString(),
                "--cache", cache.toString(), "--provider", "openai", "--base-url", "http://127.0.0.1:9/v1",
                "--model", "m").assertBadInput("--out " + cache);
        // Not touched either: nothing was opened.
        assertThat(cache).doesNotExist();
    }

    @Test
    void trainingRefusesToWriteOverItsData() throws IOException {
        Path data = Files.writeString(dir.resolve(VerifierCommand.WEIGHTS_FILE), PROBLEM);
        CliRun.of("verifier", "train", "--data", data.toString(), "--out", dir.toString())
                .assertBadInput("is the input " + data);
        CliRun.of("judge", "train", "--criterion", "intent", "--data", data.toString(), "--out", data.toString())
                .assertBadInput("is the input " + data);
        assertThat(data).hasContent(PROBLEM.strip());
    }

    /** A head may be saved beside its model, but never over one of the model's files. */
    @Test
    void stepRewardTrainRefusesToReplaceAFileOfItsModelFolder() throws IOException {
        Path model = Files.createDirectory(dir.resolve("model"));
        Path existing = Files.writeString(model.resolve("tiny-reasoner-step-reward.json"), "{}");
        Path problems = Files.writeString(dir.resolve("problems.jsonl"), PROBLEM);
        CliRun.of("step-reward", "train", "--problems", problems.toString(), "--model", model.toString(), "--out",
                model.toString()).assertBadInput("is a file of the input folder " + model);
        assertThat(existing).hasContent("{}");
        try (Stream<Path> files = Files.list(model)) {
            assertThat(files).containsExactly(existing);
        }
    }
}
