package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code reasoning solve} on the real embedded tiny reasoner: every method answers easy eval problems right and
 * prints every field; the same seed prints the same JSON; over real HTTP on 127.0.0.1 ({@link LocalOpenAiServer}
 * serving the tiny reasoner) {@code --provider openai} gives the in-process answer and counts the server's calls; bad
 * input exits 2 with one line.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SolveCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> METHODS = List.of("majority", "aor", "best-first", "beam", "mcts");
    /** Every method's fields. */
    private static final List<String> FIELDS = List.of("method", "answer", "groups", "margin", "stop_reason",
            "samples", "model_calls", "failed_calls", "input_tokens", "generated_tokens", "cache_hits", "wall_ms");

    /** The first eval problem of one step and of two steps. */
    private static List<JsonNode> easy;

    @BeforeAll
    static void readProblems() throws IOException {
        List<JsonNode> rows = JsonlRows.distinctProblems(ProjectData.require(BenchReasonerCommand.EVAL_FILE));
        easy = new ArrayList<>();
        for (int steps = 1; steps <= 2; steps++) {
            int wanted = steps;
            easy.add(rows.stream().filter(row -> row.path("steps").asInt() == wanted).findFirst().orElseThrow());
        }
    }

    private static JsonNode solve(String... args) throws IOException {
        return CliRun.succeeded("solve", args);
    }

    static Stream<String> methods() {
        return METHODS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void eachMethodAnswersEasyEvalProblemsRightAndPrintsEveryField(String method) throws IOException {
        for (JsonNode problem : easy) {
            String question = problem.path("question").asText();
            JsonNode json = solve("--method", method, question);
            assertThat(json.path("answer").asText()).as(question).isEqualTo(JsonlRows.gold(problem));
            assertThat(json.path("method").asText()).isEqualTo(method);
            for (String field : FIELDS) {
                assertThat(json.has(field)).as(field).isTrue();
            }
            JsonNode winner = json.path("groups").path(0);
            assertThat(winner.path("answer").asText()).isEqualTo(json.path("answer").asText());
            assertThat(winner.path("votes").asInt()).isPositive();
            assertThat(winner.has("score")).isTrue();
            assertThat(json.path("stop_reason").asText()).isNotEmpty();
            assertThat(json.path("samples").asInt()).isPositive();
            assertThat(json.path("generated_tokens").asLong()).isPositive();
            assertThat(json.path("endpoint").path("provider").asText()).isEqualTo("local");
            if (method.equals("majority") || method.equals("aor")) {
                assertThat(json.has("path")).isFalse();
            } else {
                assertThat(json.path("expansions").asInt()).isPositive();
                // The chosen chain's steps, each with its process reward; the last states the answer.
                JsonNode path = json.path("path");
                assertThat(path.size()).isPositive();
                assertThat(path.path(path.size() - 1).path("text").asText())
                        .contains("The answer is " + JsonlRows.gold(problem));
                path.forEach(step -> assertThat(step.path("reward").asDouble()).isBetween(0.0, 1.0));
            }
        }
    }

    @Test
    void theSameSeedPrintsTheSameJsonAndMajorityVotesOnItsSamples() throws IOException {
        String question = easy.get(1).path("question").asText();
        for (String method : List.of("majority", "best-first")) {
            List<String> args = new ArrayList<>(List.of("--method", method, "--seed", "7", question));
            if (method.equals("majority")) {
                args.addAll(0, List.of("--samples", "5", "--temperature", "1.2"));
            }
            JsonNode first = solve(args.toArray(String[]::new));
            JsonNode again = solve(args.toArray(String[]::new));
            assertThat(CliRun.withoutWallTime(again)).as(method).isEqualTo(CliRun.withoutWallTime(first));
            if (method.equals("majority")) {
                assertThat(first.path("samples").asInt()).isEqualTo(5);
                int votes = 0;
                for (JsonNode group : first.path("groups")) {
                    votes += group.path("votes").asInt();
                }
                assertThat(votes + first.path("unparseable_chains").asInt()).isEqualTo(5);
                assertThat(first.path("settings").path("temperature").asDouble()).isEqualTo(1.2);
            }
        }
    }

    @Test
    void overRealHttpTheServedTinyReasonerGivesTheInProcessAnswerAndTheServerCountsItsCalls() throws IOException {
        String question = easy.get(1).path("question").asText();
        try (HuggingFaceOnnxModel model = TinyReasoner.create();
             LocalOpenAiServer served = LocalOpenAiServer.start(model);
             FaultInjectingServer counting = FaultInjectingServer.builder().upstream(served.baseUrl()).start()) {
            for (String method : List.of("best-first", "majority")) {
                List<String> args = List.of("--method", method, "--seed", "3", question);
                JsonNode inProcess = solve(args.toArray(String[]::new));
                int before = counting.requests();
                List<String> remote = new ArrayList<>(List.of("--provider", "openai", "--base-url",
                        counting.openAiBaseUrl(), "--model", served.modelName()));
                remote.addAll(args);
                JsonNode overHttp = solve(remote.toArray(String[]::new));
                for (String same : List.of("answer", "groups", "margin", "stop_reason", "samples",
                        "generated_tokens", "expansions", "path")) {
                    assertThat(overHttp.path(same)).as(method + " " + same).isEqualTo(inProcess.path(same));
                }
                int calls = counting.requests() - before;
                assertThat(calls).as(method).isPositive();
                assertThat(overHttp.path("model_calls").asInt()).as(method).isEqualTo(calls);
                assertThat(overHttp.path("failed_calls").asInt()).isZero();
                JsonNode endpoint = overHttp.path("endpoint");
                assertThat(endpoint.path("provider").asText()).isEqualTo("openai");
                assertThat(endpoint.path("usage").path("calls_sent").asInt()).isEqualTo(calls);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void aRunReplayedFromTheCacheReportsTheRecordedGeneratedTokensWhateverTheMethod(String method,
                                                                                    @TempDir Path dir)
            throws IOException {
        // Before, majority and aor replayed reported "generated_tokens": 0 while a step search reported the recorded
        // tokens: methods compared at equal cost only when nothing came from the cache.
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            String[] args = {"--method", method, "--provider", "openai", "--base-url", server.openAiBaseUrl(),
                "--model", "x", "--cache", dir.resolve("calls.sqlite").toString(),
                easy.get(0).path("question").asText()};
            JsonNode recorded = solve(args);
            int requests = server.requests();
            JsonNode replayed = solve(args);

            assertThat(server.requests()).as("the replay sends no request").isEqualTo(requests);
            assertThat(recorded.path("generated_tokens").asLong()).isPositive()
                    .isEqualTo(recorded.path("output_tokens").asLong());
            assertThat(replayed.path("generated_tokens")).isEqualTo(recorded.path("generated_tokens"));
            // What the replay paid: no call, no token; its replies are cache hits.
            assertThat(replayed.path("output_tokens").asLong()).isZero();
            assertThat(replayed.path("model_calls").asInt()).isZero();
            assertThat(replayed.path("cache_hits").asInt()).isEqualTo(requests);
            assertThat(replayed.path("answer")).isEqualTo(recorded.path("answer"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void overRealHttpARunWhoseEveryCallFailedIsAModelFailureWhateverTheMethod(String method) {
        // Every request a 500: no chain can be sampled. Exit 1 (a failed run, as every command reports a model
        // failure), not 2 (what the caller gave) and not 0 with an empty answer.
        try (FaultInjectingServer failing = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start()) {
            List<String> args = new ArrayList<>(List.of("solve", "--method", method, "--provider", "openai",
                    "--base-url", failing.openAiBaseUrl(), "--model", "refused-model"));
            if (method.equals("majority")) {
                args.addAll(List.of("--samples", "2"));
            }
            args.add(easy.get(0).path("question").asText());
            CliRun run = CliRun.of(args.toArray(String[]::new));

            run.assertFailedRun("reasoning: no chain could be sampled from refused-model");
            assertThat(failing.requests()).isPositive().isEqualTo(failing.faults(HttpFault.Kind.SERVER_ERROR));
            if (method.equals("aor")) {
                // Every sample of every draw failed; the line counted only the last draw's 5 ("40 attempts; 5").
                int drawn = AggregationOfReasoning.DEFAULT_MAX_SAMPLES;
                assertThat(run.err()).contains(" in " + drawn + " attempts; " + drawn + " failures, first: ");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aor", "majority"})
    void overRealHttpAMaxTokensTheServerRefusesIsBadInputAfterOneDraw(String method) {
        // The real tiny reasoner served over HTTP refuses max_tokens over its context with a 400, every request
        // alike. Before: exit 1 as a model failure, and AoR drew all 40 samples where majority stopped at 20.
        try (HuggingFaceOnnxModel model = TinyReasoner.create();
             LocalOpenAiServer served = LocalOpenAiServer.start(model);
             FaultInjectingServer counting = FaultInjectingServer.builder().upstream(served.baseUrl()).start()) {
            int context = model.contextLength();
            CliRun run = CliRun.of("solve", "--method", method, "--max-tokens", "100000", "--provider", "openai",
                    "--base-url", counting.openAiBaseUrl(), "--model", served.modelName(),
                    easy.get(0).path("question").asText());

            run.assertBadInput("no call to " + counting.openAiBaseUrl() + " (model '" + served.modelName()
                    + "') was answered: HTTP 400");
            assertThat(run.err()).contains("max_tokens must be in [1, " + context + "], was 100000");
            // One draw, each sample refused once (a 400 is not retried): AoR's initial draw, majority's only one.
            int firstDraw = method.equals("aor") ? AggregationOfReasoning.DEFAULT_INITIAL_SAMPLES
                    : SolveCommand.DEFAULT_SAMPLES;
            assertThat(counting.requests()).isEqualTo(firstDraw);
        }
    }

    @Test
    void overRealHttpMaxTokensGoesWithEverySampleRequestAndTheServerCutsThere() throws IOException {
        String question = "Sam has 14 apples. He buys 7 more. How many apples does Sam have?";
        for (String provider : List.of("openai", "ollama")) {
            for (String method : List.of("majority", "aor")) {
                try (FaultInjectingServer server = FaultInjectingServer.create()) {
                    JsonNode json = solve("--method", method, "--max-tokens", "40", "--provider", provider,
                            "--base-url", provider.equals("openai") ? server.openAiBaseUrl() : server.ollamaBaseUrl(),
                            "--model", "capped-model", question);

                    String at = provider + " " + method;
                    assertThat(json.path("answer").asText()).as(at).isEqualTo("21");
                    assertThat(json.path("settings").path("max_tokens").asInt()).as(at).isEqualTo(40);
                    assertThat(server.requests()).as(at).isEqualTo(json.path("model_calls").asInt()).isPositive();
                    for (String body : server.requestBodies()) {
                        JsonNode request = JSON.readTree(body);
                        // The cap goes with the sample's own seed and temperature, which it must not replace.
                        JsonNode parameters = provider.equals("openai") ? request : request.path("options");
                        assertThat(parameters.path(provider.equals("openai") ? "max_tokens" : "num_predict")
                                .asInt()).as(at + " " + body).isEqualTo(40);
                        assertThat(parameters.has("seed")).as(at + " " + body).isTrue();
                        assertThat(parameters.path("temperature").asDouble()).as(at + " " + body)
                                .isEqualTo(BenchAggregateCommand.TEMPERATURE);
                    }
                }
            }
        }
        // A cap below the replies' length: the server cuts every sample there, and a cut sample does not vote.
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            CliRun run = CliRun.of("solve", "--method", "majority", "--samples", "2", "--max-tokens", "3",
                    "--provider", "openai", "--base-url", server.openAiBaseUrl(), "--model", "capped-model", question);
            assertThat(run.exit()).as(run.err()).isEqualTo(ReasoningCli.EXIT_FAILURE);
            assertThat(run.err()).contains("no chain could be sampled from capped-model")
                    .contains("cut off at the token limit");
        }
    }

    @Test
    void maxTokensBeyondAnExportFoldersContextIsBadInput(@TempDir Path dir) throws IOException {
        Path folder = OwnModelFolderTest.copyOfTinyReasoner(dir.resolve("my-reasoner"));
        int context;
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            context = model.contextLength();
        }
        CliRun.of("solve", "--method", "majority", "--max-tokens", String.valueOf(context + 1), "--model",
                folder.toString(), "Sam has 14 apples. He buys 7 more. How many apples does Sam have?")
                .assertBadInput("--max-tokens must be at most " + context + " with --model DIR");
    }

    @Test
    void aorSamplesItsInitialSamplesThenMoreUpToItsMaxSamplesAndPrintsBoth() throws IOException {
        // Every other reply answers 20: both answers' arithmetic checks, so neither ever leads by AoR's margin and its
        // dynamic sampling goes on to --max-samples, 3 + 4 (its 5 more, cut at the maximum).
        AtomicInteger replies = new AtomicInteger();
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .reply(user -> replies.getAndIncrement() % 2 == 0 ? "14 + 7 = 21. The answer is 21."
                        : "14 + 6 = 20. The answer is 20.").start()) {
            JsonNode json = solve("--method", "aor", "--initial-samples", "3", "--max-samples", "7", "--provider",
                    "openai", "--base-url", server.openAiBaseUrl(), "--model", "split-model",
                    "Sam has 14 apples. He buys 7 more. How many apples does Sam have?");

            assertThat(server.requests()).isEqualTo(7);
            assertThat(json.path("samples").asInt()).isEqualTo(7);
            assertThat(json.path("stop_reason").asText()).isEqualTo("max_samples_reached");
            assertThat(json.path("settings").path("initial_samples").asInt()).isEqualTo(3);
            assertThat(json.path("settings").path("max_samples").asInt()).isEqualTo(7);
        }
        // Unanimous at its initial samples, AoR stops there: the first draw is --initial-samples.
        try (FaultInjectingServer server = FaultInjectingServer.create()) {
            JsonNode json = solve("--method", "aor", "--initial-samples", "4", "--provider", "openai", "--base-url",
                    server.openAiBaseUrl(), "--model", "agreeing-model",
                    "Sam has 14 apples. He buys 7 more. How many apples does Sam have?");
            assertThat(server.requests()).isEqualTo(4);
            assertThat(json.path("stop_reason").asText()).isEqualTo("unanimous");
            assertThat(json.path("settings").path("max_samples").asInt())
                    .isEqualTo(AggregationOfReasoning.DEFAULT_MAX_SAMPLES);
        }
    }

    private static String closedUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort() + "/v1";
        }
    }

    static Stream<Arguments> badInput() throws IOException {
        String question = "Sam has 14 apples. He buys 7 more. How many apples does Sam have?";
        String closed = closedUrl();
        return Stream.of(
                Arguments.of(new String[] {}, "QUESTION"),
                Arguments.of(new String[] {"  "}, "QUESTION is blank"),
                // A character outside the tiny reasoner's vocabulary: refused before anything is sampled.
                Arguments.of(new String[] {"Zo\u00eb has 7 shells. She sells 4. How many shells now?"},
                        "QUESTION: " + TinyReasoner.MODEL_ID + " cannot read it"),
                Arguments.of(new String[] {"--method", "vote", question}, "--method must be one of majority, aor, "
                        + "best-first, beam, mcts, was 'vote'"),
                Arguments.of(new String[] {"--method", "best-first", "--samples", "5", question},
                        "--samples does not apply to --method best-first"),
                Arguments.of(new String[] {"--method", "majority", "--judge", "llm", question},
                        "--judge does not apply to --method majority"),
                Arguments.of(new String[] {"--step-tokens", "8", question}, "--step-tokens does not apply to "
                        + "--method aor"),
                Arguments.of(new String[] {"--judge", "oracle", question}, "--judge must be one of verifier, "
                        + "likelihood, llm, was 'oracle'"),
                Arguments.of(new String[] {"--judge", "llm", question}, "--judge llm needs a served model"),
                Arguments.of(new String[] {"--method", "majority", "--samples", "0", question},
                        "--samples must be >= 1, was 0"),
                Arguments.of(new String[] {"--temperature", "-1", question}, "--temperature must be >= 0"),
                Arguments.of(new String[] {"--initial-samples", "0", question},
                        "--initial-samples must be >= 1, was 0"),
                Arguments.of(new String[] {"--max-samples", "0", question}, "--max-samples must be >= 1, was 0"),
                Arguments.of(new String[] {"--initial-samples", "5", "--max-samples", "4", question},
                        "--max-samples must be >= --initial-samples (5), was 4"),
                Arguments.of(new String[] {"--initial-samples", "50", question}, "--max-samples must be >= "
                        + "--initial-samples (50), was " + AggregationOfReasoning.DEFAULT_MAX_SAMPLES),
                Arguments.of(new String[] {"--method", "majority", "--initial-samples", "5", question},
                        "--initial-samples does not apply to --method majority"),
                Arguments.of(new String[] {"--method", "beam", "--max-samples", "5", question},
                        "--max-samples does not apply to --method beam"),
                Arguments.of(new String[] {"--provider", "openai", "--base-url", closed, "--model", "x", question},
                        "--base-url " + closed + ": could not connect"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badInput")
    void badInputExitsTwoWithOneLineNamingIt(String[] args, String named) {
        List<String> all = new ArrayList<>(List.of("solve"));
        all.addAll(List.of(args));
        CliRun.of(all.toArray(String[]::new)).assertBadInput(named);
    }
}
