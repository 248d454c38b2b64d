package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learned verifier for the user's own model: {@code verifier sample} draws the model's chains on questions with gold
 * answers (the real tiny reasoner, in process and served over real HTTP), {@code verifier train} trains on them, and
 * {@code bench aggregate --live --learned-verifier} judges with it, refusing weights trained on the problems it would
 * be measured on.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VerifierSampleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Path evalProblems() {
        return ProjectData.require(BenchReasonerCommand.EVAL_FILE);
    }

    private static JsonNode succeed(String... args) throws IOException {
        CliRun run = CliRun.of(args);
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json();
    }

    @Test
    void samplesTheDefaultProblemsWithoutTheLiveBenchsRowsAndTrainsAVerifierTheLiveBenchJudgesWith()
            throws IOException {
        Path chains = dir.resolve("chains.jsonl");
        JsonNode sampled = succeed("verifier", "sample", "--out", chains.toString(), "--max-problems", "40",
                "--samples", "4", "--json");

        assertThat(sampled.path("bench_rows_excluded").asInt()).isEqualTo(BenchAggregateCommand.DEFAULT_LIVE_LIMIT);
        assertThat(sampled.path("questions").asInt()).isEqualTo(40);
        assertThat(sampled.path("chains").asInt()).isEqualTo(160);
        assertThat(sampled.path("usage").path("samples").asInt()).isEqualTo(160);
        assertThat(sampled.path("chains_right").asDouble()).isBetween(0.0, 1.0);
        List<VerifierTrainer.LabelledChains> read = LabelledChainsFile.read(chains);
        assertThat(read).hasSize(40).allSatisfy(question -> assertThat(question.chains()).hasSize(4));
        List<String> benchQuestions = TrainingRows.benchRows(JsonlRows.read(evalProblems()).size()).stream()
                .map(row -> readQuestion(row)).toList();
        assertThat(read).extracting(VerifierTrainer.LabelledChains::question)
                .doesNotContainAnyElementsOf(benchQuestions);

        JsonNode trained = succeed("verifier", "train", "--data", chains.toString(), "--out", dir.toString(),
                "--feature-sets", "chain,chain+agreement", "--cv-repeats", "1", "--json");
        assertThat(trained.path("train_questions").asInt()).isEqualTo(32);
        // One sample's accuracy, not a count of right chains per question.
        assertThat(trained.path("held_out").path("best_single_model").asDouble()).isBetween(0.0, 1.0);
        Path weights = dir.resolve(VerifierCommand.WEIGHTS_FILE);

        JsonNode live = succeed("bench", "aggregate", "--live", "--max-problems", "3", "--json", "--learned-verifier",
                weights.toString()).path("live");
        assertThat(live.path("learned_verifier").path("weights").asText()).isEqualTo(weights.toString());
        assertThat(live.path("aor_lean").path("learned_verifier").path("accuracy").isNumber()).isTrue();
        assertThat(live.path("aor").path("learned_verifier").path("mean_samples").asDouble()).isPositive();
    }

    @Test
    void aVerifierTrainedOnTheSelectedProblemsIsRefused() throws IOException {
        // The rows --max-problems 3 selects from the eval file (0, 200 and 400) and nine hard ones, where training
        // reads a file of the user's; one question of the ten is held out, so the verifier is trained on at least two
        // of the three.
        List<String> all = Files.readAllLines(evalProblems());
        List<String> rows = new ArrayList<>(List.of(all.get(0), all.get(200), all.get(400)));
        rows.addAll(all.subList(580, 589));
        Path problems = TrainingRowsTest.problemsTrainingReads(dir.resolve("some.jsonl"), rows,
                all.stream().filter(row -> !rows.contains(row)).toList());
        Path chains = dir.resolve("chains.jsonl");
        succeed("verifier", "sample", "--problems", problems.toString(), "--out", chains.toString(), "--samples",
                "3", "--json");
        succeed("verifier", "train", "--data", chains.toString(), "--out", dir.toString(), "--feature-sets",
                "chain", "--cv-repeats", "1", "--held-out", "0.1", "--json");

        CliRun.of("bench", "aggregate", "--live", "--max-problems", "3", "--json", "--learned-verifier",
                dir.resolve(VerifierCommand.WEIGHTS_FILE).toString()).assertBadInput("was trained on");
    }

    @Test
    void theServedModelGivesTheSameChainsAsTheModelInProcess() throws IOException {
        List<String> eval = Files.readAllLines(evalProblems());
        Path problems = TrainingRowsTest.problemsTrainingReads(dir.resolve("some.jsonl"), eval.subList(300, 306),
                eval.subList(0, 200));
        Path local = dir.resolve("local.jsonl");
        Path served = dir.resolve("served.jsonl");
        succeed("verifier", "sample", "--problems", problems.toString(), "--out", local.toString(), "--samples", "3",
                "--json");
        Path cache = dir.resolve("calls.sqlite");
        try (HuggingFaceOnnxModel model = TinyReasoner.create();
             LocalOpenAiServer server = LocalOpenAiServer.start(model)) {
            List<String> args = List.of("verifier", "sample", "--problems", problems.toString(), "--out",
                    served.toString(), "--samples", "3", "--json", "--provider", "openai", "--base-url",
                    server.baseUrl(), "--model", server.modelName(), "--cache", cache.toString());
            JsonNode report = succeed(args.toArray(String[]::new));
            // One call per sample through the protected path, each sent its own seed.
            assertThat(report.path("usage").path("model_calls").asInt()).isEqualTo(18);
            assertThat(report.path("usage").path("failed_calls").asInt()).isZero();
            assertThat(report.path("cache").path("misses").asInt()).isEqualTo(18);
            // A second run replays every call from the cache.
            assertThat(succeed(args.toArray(String[]::new)).path("cache").path("hits").asInt()).isEqualTo(18);
        }
        List<VerifierTrainer.LabelledChains> inProcess = LabelledChainsFile.read(local);
        List<VerifierTrainer.LabelledChains> overHttp = LabelledChainsFile.read(served);
        assertThat(overHttp).hasSameSizeAs(inProcess);
        for (int i = 0; i < inProcess.size(); i++) {
            assertThat(overHttp.get(i).chains()).extracting(chain -> chain.text().strip())
                    .containsExactlyElementsOf(inProcess.get(i).chains().stream().map(c -> c.text().strip()).toList());
            assertThat(overHttp.get(i).chains()).allSatisfy(chain -> assertThat(chain.source())
                    .isEqualTo("tiny-reasoner@1"));
        }
    }

    @Test
    void badInputExitsTwoWithOneLine() throws IOException {
        Path out = dir.resolve("out.jsonl");
        CliRun.of("verifier", "sample", "--out", out.toString(), "--samples", "0").assertBadInput("--samples");
        CliRun.of("verifier", "sample", "--out", dir.toString(), "--max-problems", "1")
                .assertBadInput("is a directory");
        CliRun.of("verifier", "sample", "--out", out.toString(), "--cache", dir.resolve("c.sqlite").toString())
                .assertBadInput("--cache");
        CliRun.of("verifier", "sample", "--out", out.toString(), "--temperature", "NaN").assertBadInput("temperature");
        Path noAnswer = Files.writeString(dir.resolve("no-answer.jsonl"), "{\"question\": \"What is 2+2?\"}\n");
        CliRun.of("verifier", "sample", "--problems", noAnswer.toString(), "--out", out.toString())
                .assertBadInput("no-answer.jsonl:1");
        // Chains are judged by the number they end on: a gold answer that is not one number would count every one
        // of them wrong.
        Path wordAnswer = Files.writeString(dir.resolve("word-answer.jsonl"), "{\"question\": \"What is 2+2?\", "
                + "\"answer\": 4}\n{\"question\": \"What is 9+9?\", \"answer\": \"eighteen\"}\n");
        CliRun.of("verifier", "sample", "--problems", wordAnswer.toString(), "--out", out.toString())
                .assertBadInput("word-answer.jsonl:2");
        assertThat(out).doesNotExist();
        // verifier train refuses the chains of a repeated question: they were sampled first, for nothing.
        Path repeated = Files.writeString(dir.resolve("repeated.jsonl"), "{\"question\": \"What is 2+2?\", "
                + "\"answer\": 4}\n{\"question\": \"What is 9+9?\", \"answer\": 18}\n{\"question\": \"what is "
                + "2 + 2\", \"answer\": 4}\n");
        CliRun.of("verifier", "sample", "--problems", repeated.toString(), "--out", out.toString())
                .assertBadInput("repeated.jsonl: lines 1 and 3 hold the same question");
        assertThat(out).doesNotExist();
        Path broken = Files.writeString(dir.resolve("broken.jsonl"), "{\"question\": \"q\", \"answer\": \"1\", "
                + "\"chains\": [{\"text\": \"1\"}]}\n{\"question\": \"q2\", \"answer\": \"2\", \"chains\": []}\n");
        CliRun.of("verifier", "train", "--data", broken.toString()).assertBadInput("line 2");
        CliRun.of("bench", "aggregate", "--live", "--max-problems", "1", "--learned-verifier",
                dir.resolve("missing.json").toString()).assertBadInput("missing.json");
    }

    private static String readQuestion(int row) {
        try {
            return JsonlRows.read(evalProblems()).get(row).path("question").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void labelledChainsRoundTripWithTheirSources() throws IOException {
        Path file = dir.resolve("round.jsonl");
        List<VerifierTrainer.LabelledChains> written = new ArrayList<>(List.of(new VerifierTrainer.LabelledChains(
                "What is 6 times 7?", "42", List.of(dev.reasoningsdk.api.ReasoningChain.of("6*7=42. The answer is 42.",
                        "a"), dev.reasoningsdk.api.ReasoningChain.of("6+7=13. The answer is 13.", "b")))));
        LabelledChainsFile.write(file, written);

        assertThat(LabelledChainsFile.read(file)).isEqualTo(written);
        JsonNode row = JSON.readTree(Files.readAllLines(file).get(0));
        assertThat(row.path("chains").get(1).path("source").asText()).isEqualTo("b");
        // A chain without a source is the default's.
        Path bare = Files.writeString(dir.resolve("bare.jsonl"), "{\"question\": \"q\", \"answer\": 3, "
                + "\"chains\": [{\"text\": \"The answer is 3.\"}]}\n");
        assertThat(LabelledChainsFile.read(bare).get(0).chains().get(0).source())
                .isEqualTo(LabelledChainsFile.DEFAULT_SOURCE);
        assertThat(LabelledChainsFile.read(bare).get(0).gold()).isEqualTo("3");
    }

    @Test
    void aGoldAnswerIsReadAsTheNumberItIsAndOneThatIsNoNumberIsRefused() throws IOException {
        for (String written : List.of("\"1,600\"", "\"$1,600.00\"", "\" 1600 \"", "1600", "1600.0")) {
            Path file = Files.writeString(dir.resolve("gold.jsonl"), "{\"question\": \"q\", \"answer\": " + written
                    + ", \"chains\": [{\"text\": \"The answer is 1600.\"}]}\n");
            assertThat(LabelledChainsFile.read(file).get(0).gold()).as(written).isEqualTo("1600");
            // verifier sample's problems, read once: the gold answer the chains it writes are labelled by.
            Path problems = Files.writeString(dir.resolve("problems.jsonl"), "{\"question\": \"q\", \"answer\": "
                    + written + "}\n");
            assertThat(JsonlRows.goldProblems(problems)).as(written)
                    .containsExactly(new JsonlRows.GoldProblem("q", "1600"));
        }
        for (String written : List.of("\"eighteen\"", "\"3/4\"", "\"18 or 19\"", "\"1e3\"", "\" \"", "true")) {
            Path file = Files.writeString(dir.resolve("gold.jsonl"), "{\"question\": \"q\", \"answer\": 1, "
                    + "\"chains\": [{\"text\": \"1\"}]}\n{\"question\": \"q\", \"answer\": " + written
                    + ", \"chains\": [{\"text\": \"The answer is 18.\"}]}\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LabelledChainsFile.read(file)).as(written)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2: no gold answer");
        }
    }
}
