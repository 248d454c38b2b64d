package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepRewardCommandTest {

    @Test
    void badInputExitsTwoWithOneLine(@TempDir Path dir) {
        CliRun.of("step-reward", "train", "--problems", dir.resolve("missing.jsonl").toString())
                .assertBadInput("missing.jsonl");
        CliRun.of("step-reward", "train", "--max-problems", "3").assertBadInput("--max-problems");
    }

    @Test
    void aProblemWithoutItsQuestionOrIntegerAnswerIsRefusedNamingItsLine(@TempDir Path dir) throws IOException {
        String good = "{\"question\": \"Ana has 7 shells. She sells 4. How many shells now?\", \"steps\": 1, "
                + "\"answer\": 3}";
        for (String bad : List.of(
                "{\"question\": \"Ana has 7 shells. She sells 4. How many shells now?\", \"anwser\": 3}",
                "{\"question\": \"Ana has 7 shells. She halves them. How many shells now?\", \"answer\": 3.5}",
                "{\"prompt\": \"Q: Ana has 7 shells.\", \"answer\": 3}")) {
            Path problems = Files.write(dir.resolve("problems.jsonl"), List.of(good, bad));
            // Scored against a gold answer of 0 (or 3), or with an empty question, the row would count silently.
            CliRun.of("bench", "aggregate", "--live", "--json", "--max-problems", "2", "--data",
                    solutions(dir).toString(), "--problems", problems.toString()).assertBadInput("problems.jsonl:2");
            CliRun.of("step-reward", "train", "--problems", problems.toString()).assertBadInput("problems.jsonl:2");
        }
    }

    @Test
    void aGoldAnswerPastALongIsScoredAsWrittenNotWrappedAround(@TempDir Path dir) throws IOException {
        // The model answers 21 here; 2^64 + 21 read as a long wraps around to 21, which scored every method right.
        Path problems = Files.writeString(dir.resolve("problems.jsonl"), "{\"question\": \"Owen has 7 stones. He "
                + "triples them. How many stones does Owen have?\", \"steps\": 1, \"answer\": 18446744073709551637}\n");
        CliRun run = CliRun.of("bench", "aggregate", "--live", "--json", "--max-problems", "1", "--data",
                solutions(dir).toString(), "--problems", problems.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode live = run.json().path("live");
        assertThat(live.path("answers").path("majority_at_40").get(0).asText()).isEqualTo("21");
        assertThat(live.path("majority_at_k").path("40").path("accuracy").asDouble()).isZero();
        assertThat(live.path("step_search_answers").path("best_first").get(0).asText()).isEqualTo("21");
        assertThat(live.path("step_search").path("best_first").path("accuracy").asDouble()).isZero();
    }

    @Test
    void aProblemTheModelCannotReadIsRefusedNamingItBeforeAnyProblemRuns(@TempDir Path dir) throws IOException {
        String good = "{\"question\": \"Ana has 7 shells. She sells 4. How many shells now?\", \"steps\": 1, "
                + "\"answer\": 3}";
        // A character outside the tiny reasoner's vocabulary, and a prompt longer than its context of 320.
        for (String question : List.of("Zo\u00eb has 7 shells. She sells 4. How many shells now?",
                "Ana has 7 shells. She sells 4. ".repeat(12) + "How many shells now?")) {
            Path problems = Files.write(dir.resolve("problems.jsonl"), List.of(good, "{\"question\": \"" + question
                    + "\", \"steps\": 1, \"answer\": 3}"));
            // The step searches stopped on it once they reached it, naming neither the row nor its question.
            CliRun.of("bench", "aggregate", "--live", "--json", "--max-problems", "2", "--data",
                    solutions(dir).toString(), "--problems", problems.toString())
                    .assertBadInput("cannot read row 1 (0-based) of problems.jsonl (\"" + question.substring(0, 20));
        }
    }

    @Test
    void aRepeatedQuestionIsRefusedNamingBothLinesBeforeTheModelLoads(@TempDir Path dir) throws IOException {
        // verifier sample and the benches refused a repeated question; step-reward train trained on both copies.
        List<String> rows = new ArrayList<>(IntStream.range(0, 20).mapToObj(i -> "{\"question\": \"Ana has " + i
                + " shells. She finds 1 more. How many shells now?\", \"steps\": 1, \"answer\": " + (i + 1) + "}")
                .toList());
        rows.set(12, "{\"question\": \"ana has 3 shells; she finds 1 more -- how many shells now\", \"answer\": 4}");
        Path problems = Files.write(dir.resolve("own.jsonl"), rows);
        CliRun.of("step-reward", "train", "--problems", problems.toString(), "--samples", "1", "--completions", "1")
                .assertBadInput("own.jsonl: lines 4 and 13 hold the same question");
    }

    @Test
    void aTrainingProblemTheModelCannotReadIsRefusedNamingItsRowBeforeTheRollouts(@TempDir Path dir)
            throws IOException {
        // 210 rows: the bench's 200 are never read, and the last of the 10 left holds a character outside the
        // vocabulary. The rollouts stopped on it only once they reached it, with the tokenizer's message alone.
        List<String> rows = new ArrayList<>(IntStream.range(0, 210).mapToObj(i -> "{\"question\": \"Ana has " + i
                + " shells. She finds 1 more. How many shells now?\", \"steps\": 1, \"answer\": " + (i + 1) + "}")
                .toList());
        int last = IntStream.range(0, 210).filter(r -> !TrainingRows.benchRows(210).contains(r)).max()
                .orElseThrow();
        rows.set(last, "{\"question\": \"Zo\u00eb has 7 shells. She sells 4. How many shells now?\", \"answer\": 3}");
        Path problems = Files.write(dir.resolve("own.jsonl"), rows);
        CliRun.of("step-reward", "train", "--problems", problems.toString(), "--samples", "1", "--completions", "1")
                .assertBadInput("cannot read row " + last + " (0-based) of own.jsonl (\"Zo\u00eb has 7 shells");
    }

    @Test
    void aProblemsFileWhoseBenchRowsLeaveTooFewIsRefusedSayingSo(@TempDir Path dir) throws IOException {
        List<String> rows = IntStream.range(0, 203).mapToObj(i -> "{\"question\": \"Ana has " + i + " shells. She "
                + "finds 1 more. How many shells now?\", \"steps\": 1, \"answer\": " + (i + 1) + "}").toList();
        Path problems = Files.write(dir.resolve("own.jsonl"), rows);
        CliRun.of("step-reward", "train", "--problems", problems.toString())
                .assertBadInput("own.jsonl has 203 problems and 200 of them are the rows bench aggregate --live reads "
                        + "by default, which training never reads: 3 are left, fewer than the 5 folds");
    }

    /** One GSM8K row, for the offline half of {@code bench aggregate}. */
    private static Path solutions(Path dir) throws IOException {
        StringBuilder row = new StringBuilder("{\"question\": \"What is 6 times 7?\", \"ground_truth\": \"#### 42\"");
        for (String source : ModelSolutions.SOURCES) {
            row.append(", \"").append(source).append("\": {\"solution\": \"6 * 7 = 42. The answer is 42.\"}");
        }
        return Files.writeString(dir.resolve("solutions.jsonl"), row + "}\n");
    }

    @Test
    void aUsersOwnExportFolderGetsAHeadUnderItsNameThatOnlyThatModelLoads(@TempDir Path dir) throws IOException {
        // The tiny reasoner's own export folder, copied under another name: any Hugging Face decoder-with-past export.
        Path folder = OwnModelFolderTest.copyOfTinyReasoner(dir.resolve("my-model"));
        Path out = dir.resolve("head");
        CliRun run = CliRun.of("step-reward", "train", "--model", folder.toString(), "--max-problems", "8",
                "--samples", "4", "--completions", "1", "--out", out.toString(), "--json");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.json().path("model").asText()).isEqualTo("my-model");
        HiddenStateStepReward.Weights head = HiddenStateStepReward.Weights.read(
                out.resolve(HiddenStateStepReward.SHIPPED_RESOURCE));
        assertThat(head.modelId()).isEqualTo("my-model");
        try (HuggingFaceOnnxModel model = HuggingFaceOnnxModel.of(folder)) {
            assertThat(HiddenStateStepReward.builder().model(model).weights(head).build().weights()).isEqualTo(head);
        }
        // The embedded model is another model id: the head is refused rather than read on the wrong states.
        try (HuggingFaceOnnxModel embedded = TinyReasoner.create()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> HiddenStateStepReward.builder().model(embedded).weights(head).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("my-model");
        }
        CliRun.of("step-reward", "train", "--model", dir.resolve("missing").toString(), "--max-problems", "5")
                .assertBadInput("missing");
    }

    @Test
    void anOutFolderThatIsAFileIsRefusedBeforeTrainingAndLeftAlone(@TempDir Path dir) throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("notes.txt"), "keep me");
        CliRun.of("step-reward", "train", "--max-problems", "5", "--samples", "2", "--completions", "1",
                "--out", notAFolder.toString()).assertBadInput("--out " + notAFolder);
        assertThat(Files.readString(notAFolder)).isEqualTo("keep me");
    }
}
