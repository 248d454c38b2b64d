package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench aggregate --live} on a remote model through the real OpenAI and Ollama clients, against
 * {@link FaultInjectingServer}: with faults on (in front of the tiny reasoner served by {@link LocalOpenAiServer},
 * as {@code reasoning serve --faults} runs it), the run finishes, counts every failed call by kind, never sends more
 * than {@code --max-calls} requests, as counted at the server, and still judges by the served log-probabilities.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchAggregateRemoteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BenchAggregateRemoteTest.class);

    @TempDir
    Path dir;

    /**
     * Three problems; the server's default reply adds the numbers, which is right for the first two and wrong for
     * the third (5 - 2).
     */
    private Path problems() throws IOException {
        List<String> rows = List.of(
                "{\"id\": 0, \"question\": \"Ana has 7 shells. She finds 4 more. How many shells does she have?\", "
                        + "\"answer\": 11}",
                "{\"id\": 1, \"question\": \"Owen has 12 stones. He gets 30 more. How many stones now?\", "
                        + "\"answer\": 42}",
                "{\"id\": 2, \"question\": \"Mia has 5 cards. She loses 2. How many cards now?\", \"answer\": 3}");
        return Files.write(dir.resolve("problems.jsonl"), rows);
    }

    /** One GSM8K row, so the offline half of the bench is quick. */
    private Path solutions() throws IOException {
        StringBuilder row = new StringBuilder("{\"question\": \"What is 6 times 7?\", \"ground_truth\": \"6 * 7 = 42\\n"
                + "#### 42\"");
        for (String source : ModelSolutions.SOURCES) {
            row.append(", \"").append(source).append("\": {\"solution\": \"6 * 7 = 42. The answer is 42.\"}");
        }
        return Files.writeString(dir.resolve("solutions.jsonl"), row + "}\n");
    }

    private CliRun bench(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("--problems", problems().toString()));
        args.addAll(List.of(options));
        return benchOn(args.toArray(String[]::new));
    }

    /** The bench on the given options; the problems are the tiny reasoner's eval file unless they say otherwise. */
    private CliRun benchOn(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("bench", "aggregate", "--live", "--json", "--max-problems", "3",
                "--data", solutions().toString()));
        args.addAll(List.of(options));
        return CliRun.of(args.toArray(String[]::new));
    }

    /**
     * A figure summed over the step searches that ran and over the report's problems: a per-problem mean
     * ({@code mean_calls}, {@code mean_samples}) times the problems, or a total ({@code failed_calls}).
     */
    private static long searchTotal(JsonNode live, String field) {
        int problems = live.path("n_problems").asInt();
        long total = 0;
        for (JsonNode search : live.path("step_search")) {
            if (search.has(field)) {
                double value = search.path(field).asDouble();
                total += Math.round(field.startsWith("mean_") ? value * problems : value);
            }
        }
        return total;
    }

    @Test
    void underFaultsTheRunFinishesCountsFailedCallsAndKeepsToTheBudgetAtTheServer() throws IOException {
        int maxCalls = 150;
        try (HuggingFaceOnnxModel model = TinyReasoner.create();
             LocalOpenAiServer served = LocalOpenAiServer.start(model);
             FaultInjectingServer server = FaultInjectingServer.builder()
                     .random(17, ServeCommand.faultMix(List.of("429=0.2", "500=0.1", "hang=0.05"), 1))
                     .upstream(served.baseUrl()).start()) {
            // Forwarded as sent: the served model's own name, as any OpenAI-compatible server requires.
            CliRun run = benchOn("--provider", "openai", "--base-url", server.openAiBaseUrl(), "--model",
                    served.modelName(), "--max-calls", String.valueOf(maxCalls), "--call-timeout", "5");

            assertThat(run.exit()).as(run.err()).isZero();
            LOG.info("bench aggregate under faults: {}; server: {} requests, faults {}", run.json().path("live"),
                    server.requests(), server.faults());
            JsonNode live = run.json().path("live");
            JsonNode endpoint = live.path("endpoint");
            JsonNode usage = endpoint.path("usage");
            int faulted = server.faults(HttpFault.Kind.RATE_LIMITED) + server.faults(HttpFault.Kind.SERVER_ERROR)
                    + server.faults(HttpFault.Kind.HANG);
            assertThat(endpoint.path("provider").asText()).isEqualTo("openai");
            assertThat(endpoint.path("base_url").asText()).isEqualTo(server.openAiBaseUrl());
            assertThat(endpoint.path("model").asText()).isEqualTo(served.modelName());
            assertThat(server.requests()).isLessThanOrEqualTo(maxCalls).isEqualTo(usage.path("calls_sent").asInt());
            assertThat(faulted).isPositive();
            assertThat(live.path("stop_reason").asText()).isEqualTo(server.requests() == maxCalls
                    ? "budget_exhausted" : "completed");
            // Every model call was sent; a call the budget refused before sending it is no model call.
            assertThat(usage.path("model_calls").asInt()).isEqualTo(usage.path("calls_sent").asInt());
            assertThat(usage.path("failures_by_kind").has("client_error")).isFalse();
            // A sampling call is a sample or a failed call; a step search's call continues a chain or fails.
            assertThat(usage.path("model_calls").asLong() - searchTotal(live, "mean_calls"))
                    .isEqualTo(usage.path("samples").asLong() - searchTotal(live, "mean_samples")
                            + usage.path("failed_calls").asLong() - searchTotal(live, "failed_calls"));
            // Every faulted request is a failed call; an answer that arrives after the call timeout (a loaded
            // machine) is one too, so failures may exceed the faults, never fall short.
            assertThat(usage.path("failed_calls").asInt()).isGreaterThanOrEqualTo(faulted);
            assertThat(usage.path("samples").asInt()).isLessThanOrEqualTo(server.faults(HttpFault.Kind.NONE));
            // Filed by kind: the 429s as rate limited, the 500s as server errors, the hangs as timeouts.
            assertThat(usage.path("failures_by_kind").path("rate_limited").asInt()).isPositive();
            assertThat(usage.path("failures_by_kind").path("server_error").asInt()).isPositive();
            assertThat(live.path("majority_at_k").path("1").path("accuracy").asDouble()).isPositive();
            assertThat(live.path("aor").path("verifier").has("accuracy")).isTrue();
            // The answers came from the real model, with their log-probabilities: the likelihood judge ran.
            assertThat(live.path("aor").path("likelihood").has("accuracy")).isTrue();
        }
    }

    @Test
    void ollamaIsServedTheSameWayAndEveryAnswerCounts() throws IOException {
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            CliRun run = bench("--provider", "ollama", "--base-url", server.ollamaBaseUrl(), "--model", "x");

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode live = run.json().path("live");
            assertThat(live.path("stop_reason").asText()).isEqualTo("completed");
            assertThat(live.path("n_problems").asInt()).isEqualTo(3);
            // 40 samples per problem, and the step searches' calls, each continuing a chain on Ollama's chat API.
            assertThat(searchTotal(live, "mean_calls")).isPositive();
            assertThat(server.requests(FaultInjectingServer.OLLAMA_PATH))
                    .isEqualTo(120 + searchTotal(live, "mean_calls"));
            assertThat(live.path("endpoint").path("usage").path("failed_calls").asInt()).isZero();
            assertThat(live.at("/step_search/best_first/accuracy").isNumber()).isTrue();
            assertThat(live.path("majority_at_k").path("40").path("accuracy").asDouble()).isEqualTo(0.6667);
            // Seeds 0-39 for every problem, as the local bench draws them.
            // The samplers' requests carry no token cap; a search's carry its row's cap of at most 16 (stepTokens).
            List<JsonNode> bodies = server.requestBodies().stream().map(BenchAggregateRemoteTest::read).toList();
            List<JsonNode> sampling = bodies.stream().filter(body -> !body.at("/options/num_predict").isInt())
                    .toList();
            assertThat(sampling).hasSize(120);
            assertThat(sampling.stream().map(body -> body.at("/options/seed").asInt()).distinct().sorted().toList())
                    .hasSize(40).startsWith(0, 1, 2).endsWith(39);
            assertThat(bodies.stream().filter(body -> body.at("/options/num_predict").isInt()))
                    .allSatisfy(body -> assertThat(body.at("/options/num_predict").asInt()).isBetween(1, 16));

        }
    }

    @Test
    void aRunReplayedFromTheCacheReportsTheGeneratedTokensOfTheRecordingForEveryMethod() throws IOException {
        String cache = dir.resolve("calls.sqlite").toString();
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            String[] options = {"--provider", "ollama", "--base-url", server.ollamaBaseUrl(), "--model", "x",
                "--cache", cache};
            CliRun recording = bench(options);
            int recordedRequests = server.requests();
            CliRun replay = bench(options);

            assertThat(recording.exit()).as(recording.err()).isZero();
            assertThat(replay.exit()).as(replay.err()).isZero();
            assertThat(server.requests()).as("the replay sends no request").isEqualTo(recordedRequests);
            JsonNode recorded = recording.json().path("live");
            JsonNode replayed = replay.json().path("live");
            assertThat(replayed.at("/endpoint/usage/cache_hits").asInt()).isEqualTo(recordedRequests);
            assertThat(replayed.at("/endpoint/usage/output_tokens").asLong()).isZero();
            // Methods compare at equal cost: a replay reports what the chains cost to generate when recorded.
            for (String search : List.of("beam", "best_first", "mcts", "best_first_without_calculator")) {
                JsonNode tokens = recorded.at("/step_search/" + search + "/generated_tokens");
                assertThat(tokens.asDouble()).as(search).isPositive();
                assertThat(replayed.at("/step_search/" + search + "/generated_tokens")).as(search).isEqualTo(tokens);
                assertThat(replayed.at("/step_search_answers/" + search)).as(search)
                        .isEqualTo(recorded.at("/step_search_answers/" + search));
            }
            assertThat(replayed.at("/majority_at_k/40/generated_tokens"))
                    .isEqualTo(recorded.at("/majority_at_k/40/generated_tokens"));
            assertThat(replayed.at("/aor/verifier/generated_tokens"))
                    .isEqualTo(recorded.at("/aor/verifier/generated_tokens"));
        }
    }

    @Test
    void aServerWithoutTokenCountsGetsTheStepSearchesSkippedWithTheirReason() throws IOException {
        try (FaultInjectingServer server = FaultInjectingServer.builder().tokenUsage(false).start()) {
            CliRun run = bench("--provider", "ollama", "--base-url", server.ollamaBaseUrl(), "--model", "x");

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode live = run.json().path("live");
            for (String search : List.of("beam", "best_first", "mcts", "best_first_without_calculator")) {
                assertThat(live.at("/step_search/" + search + "/skipped").asText()).as(search)
                        .startsWith("needs token usage").contains("x");
                assertThat(live.at("/step_search_answers/" + search).isMissingNode()).as(search).isTrue();
            }
            // Sampling needs no token counts: its entries are there, their token figures unknown.
            assertThat(live.at("/majority_at_k/40/accuracy").isNumber()).isTrue();
        }
    }

    @Test
    void aServerWithoutLogProbabilitiesGetsTheLikelihoodJudgeSkippedWithItsReason() throws IOException {
        AtomicInteger replies = new AtomicInteger();
        // Answers that disagree, so AoR has to judge its chains (one answer group needs no judge).
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .reply(question -> "The answer is " + replies.getAndIncrement() % 3 + ".").start()) {
            CliRun run = bench("--provider", "openai", "--base-url", server.openAiBaseUrl(), "--model", "x");

            assertThat(run.exit()).as(run.err()).isZero();
            JsonNode live = run.json().path("live");
            assertThat(live.at("/aor/likelihood/skipped").asText()).startsWith("needs log-probabilities")
                    .contains("x");
            assertThat(live.at("/aor_lean/likelihood/skipped").asText()).startsWith("needs log-probabilities");
            assertThat(live.at("/aor/verifier/accuracy").isNumber()).isTrue();
            assertThat(live.path("aor_without_chains").asInt()).isZero();
        }
    }

    @Test
    void aRunWhoseEveryCallFailedEndsAndIsAFailedRunNotAnAccuracyOfZero() throws IOException {
        // Every request fails (a server that is down) and the budget stops the run after the first problem. Before,
        // it exited 0 with every accuracy 0, figures that measured the outage rather than the methods.
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .random(5, Map.of(HttpFault.serverError(500), 1.0)).start()) {
            CliRun run = bench("--provider", "openai", "--base-url", server.openAiBaseUrl(), "--model", "x",
                    "--max-calls", "3");

            run.assertFailedRun("reasoning: no live figures: no usable reply from " + server.openAiBaseUrl()
                    + " (model 'x'); all 3 calls failed {SERVER_ERROR=3}");
            assertThat(server.requests()).isEqualTo(3);
        }
    }

    @Test
    void liveOptionsAreCheckedBeforeAnythingRunsAndRefusedWithoutLive() throws IOException {
        String data = solutions().toString();
        for (String option : List.of("--step-tokens", "--step-max-tokens", "--lean-initial", "--threads",
                "--max-problems")) {
            CliRun.of("bench", "aggregate", "--live", "--json", "--data", data, option, "0")
                    .assertBadInput(option + " must be >= 1, was 0");
        }
        // More initial samples than the 40 chains drawn per problem: AoR's builder refused it with exit 1, after the
        // offline half had run and the model had loaded.
        CliRun.of("bench", "aggregate", "--live", "--json", "--data", data, "--lean-initial", "41")
                .assertBadInput("--lean-initial must be <= 40, was 41");
        // Without --live these would be ignored, and the caller would read an offline report as the one asked for.
        CliRun.of("bench", "aggregate", "--json", "--data", data, "--problems", problems().toString())
                .assertBadInput("--problems is for the live bench: add --live");
        CliRun.of("bench", "aggregate", "--json", "--data", data, "--max-problems", "3")
                .assertBadInput("--max-problems is for the live bench: add --live");
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badCombinationsExitWithTwoAndOneLine() throws IOException {
        for (String[] options : List.of(
                new String[] {"--base-url", "http://127.0.0.1:1/v1"},
                new String[] {"--provider", "bedrock"},
                new String[] {"--provider", "openai", "--base-url", "http://127.0.0.1:1/v1"},
                new String[] {"--provider", "ollama", "--model", "x", "--base-url", "ftp://host"},
                new String[] {"--provider", "ollama", "--model", "x", "--max-calls", "0"},
                new String[] {"--provider", "cuda", "--execution-provider", "cpu"})) {
            CliRun run = bench(options);

            assertThat(run.exit()).as(String.join(" ", options)).isEqualTo(ReasoningCli.EXIT_BAD_INPUT);
            assertThat(run.err().lines()).as(String.join(" ", options)).singleElement().asString()
                    .startsWith("reasoning: ");
        }
    }
}
