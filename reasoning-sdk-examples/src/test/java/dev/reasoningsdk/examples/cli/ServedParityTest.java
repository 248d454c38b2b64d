package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live benches give the same figures in process and through the real OpenAI client against the tiny reasoner
 * served by {@link LocalOpenAiServer} with the same seeds: aggregation accuracies and every problem's answers equal,
 * AoR's likelihood judge reading the served log-probabilities; confidence AUROCs (token probability and R-Tuning's
 * P(sure) from served top log-probabilities) within 0.01. A few problems each, so the test stays quick.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ServedParityTest {

    private static HuggingFaceOnnxModel model;
    private static LocalOpenAiServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void serve() {
        model = TinyReasoner.create();
        // As reasoning serve does: the whole vocabulary as top log-probabilities, where "sure" and "unsure" are.
        server = LocalOpenAiServer.builder().model(model).maxTopLogprobs(model.vocabularySize()).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    /** The CLI's JSON report of a run that must succeed. */
    private static JsonNode run(String... args) throws IOException {
        CliRun run = CliRun.of(args);
        assertThat(run.exit()).as(run.err()).isZero();
        return run.json();
    }

    private List<String> remote() {
        return List.of("--provider", "openai", "--base-url", server.baseUrl(), "--model", server.modelName(),
                "--top-logprobs", String.valueOf(model.vocabularySize()));
    }

    /** Four GSM8K rows, so the offline half of each bench is quick. */
    private Path solutions() throws IOException {
        return solutions(dir, 4);
    }

    /** {@code count} GSM8K rows in {@code dir}, so the offline half of a bench is quick. */
    static Path solutions(Path dir, int count) throws IOException {
        List<String> rows = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            StringBuilder row = new StringBuilder("{\"question\": \"What is " + i + " times 7?\", \"ground_truth\": "
                    + "\"#### " + 7 * i + "\"");
            for (String source : ModelSolutions.SOURCES) {
                row.append(", \"").append(source).append("\": {\"solution\": \"The answer is ").append(7 * i)
                        .append(".\"}");
            }
            rows.add(row + "}");
        }
        return Files.write(dir.resolve("solutions.jsonl"), rows);
    }

    @Test
    void aggregationOnTheServedModelEqualsTheInProcessRunQuestionByQuestion() throws IOException {
        List<String> args = new ArrayList<>(List.of("bench", "aggregate", "--live", "--json", "--max-problems", "3",
                "--data", solutions().toString()));
        JsonNode inProcess = run(args.toArray(String[]::new)).path("live");
        args.addAll(remote());
        JsonNode served = run(args.toArray(String[]::new)).path("live");

        assertThat(served.path("n_problems").asInt()).isEqualTo(3);
        for (String field : List.of("majority_at_k", "aor", "aor_lean", "answers", "aor_without_chains",
                "truncated_samples")) {
            assertThat(served.path(field)).as(field).isEqualTo(inProcess.path(field));
        }
        // The likelihood judge ran on the served log-probabilities, not skipped.
        assertThat(served.at("/aor/likelihood/accuracy").isNumber()).isTrue();
        assertThat(served.at("/answers/aor_likelihood")).hasSize(3);
        // Step search runs on the served model through the gateway, one call per row continuing the partial chain:
        // the same answers, tokens and expansions as in process (where one call decodes a beam's rows together).
        long searchCalls = 0;
        for (String search : List.of("beam", "best_first", "mcts", "best_first_without_calculator")) {
            JsonNode figures = served.at("/step_search/" + search);
            for (String field : List.of("accuracy", "generated_tokens", "mean_expansions")) {
                assertThat(figures.path(field)).as(search + " " + field).isEqualTo(
                        inProcess.at("/step_search/" + search + "/" + field));
            }
            assertThat(served.at("/step_search_answers/" + search)).as(search).isEqualTo(
                    inProcess.at("/step_search_answers/" + search)).hasSize(3);
            assertThat(figures.path("failed_calls").asInt()).isZero();
            searchCalls += Math.round(figures.path("mean_calls").asDouble() * 3);
        }
        assertThat(searchCalls).isPositive();
        // The learned process reward reads the local model's hidden state, and --max-problems 3 takes rows 0, 200 and
        // 400, two of which it was trained on: in process it is skipped, and says why.
        assertThat(inProcess.at("/step_search/best_first_learned/skipped").asText())
                .startsWith("2 of the 3 selected problems are among the learned process reward's training problems");
        assertThat(served.at("/step_search").has("best_first_learned")).isFalse();
        JsonNode usage = served.at("/endpoint/usage");
        assertThat(usage.path("model_calls").asLong()).isEqualTo(120 + searchCalls)
                .isEqualTo(usage.path("calls_sent").asLong());
        assertThat(usage.path("failed_calls").asInt()).isZero();
    }

    @Test
    void confidenceOnTheServedModelMatchesTheInProcessFiguresWithinOneHundredth() throws IOException {
        List<String> args = new ArrayList<>(List.of("bench", "confidence", "--live", "--json", "--max-problems", "12",
                "--samples", "3", "--data", solutions().toString()));
        JsonNode inProcess = run(args.toArray(String[]::new)).path("live_tiny_reasoner");
        args.addAll(remote());
        JsonNode served = run(args.toArray(String[]::new)).path("live");

        assertThat(served.path("problems").asInt()).isEqualTo(inProcess.path("problems").asInt()).isEqualTo(12);
        assertThat(served.at("/consistency/auroc")).isEqualTo(inProcess.at("/consistency/auroc"));
        for (String score : List.of("mean_token_probability", "p_sure")) {
            assertThat(served.path(score).has("auroc")).as(score + " in " + served).isTrue();
            double expected = inProcess.path(score).path("auroc").asDouble();
            assertThat(served.path(score).path("auroc").asDouble()).as(score)
                    .isCloseTo(expected, within(0.01));
        }
        assertThat(served.path("p_sure_unavailable").asInt()).isEqualTo(inProcess.path("p_sure_unavailable").asInt());
    }
}
