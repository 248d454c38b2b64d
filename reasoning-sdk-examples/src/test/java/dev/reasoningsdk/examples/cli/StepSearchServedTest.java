package dev.reasoningsdk.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.aggregate.StepSearchResult;
import dev.reasoningsdk.impl.cache.CachingChatModel;
import dev.reasoningsdk.impl.internal.ProjectData;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.openai.OpenAiChatModels;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Step search over a served model, through the SDK's gateway and the real OpenAI client over real HTTP, against the
 * tiny reasoner served by {@link LocalOpenAiServer}: the bench's searches give the in-process path, answer, generated
 * tokens and expansions exactly with the same seed and settings; transient faults injected in front of the server
 * (by {@link FaultInjectingServer}) are retried and change nothing; a call that fails for good loses its row while
 * the budget stays exact, and MCTS tries its chain again; a server whose every call fails ends MCTS after the
 * question's tries; a search replayed from the LM-call cache reports the generated tokens it was recorded with.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class StepSearchServedTest {

    private static HuggingFaceOnnxModel model;
    private static LocalOpenAiServer server;

    @BeforeAll
    static void serve() {
        model = TinyReasoner.create();
        server = LocalOpenAiServer.start(model);
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    /** The first {@code perCount} eval problems of each step count from 3 to 6. */
    private static List<String> questions(int perCount) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<List<String>> bySteps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bySteps.add(new ArrayList<>());
        }
        for (String line : Files.readAllLines(ProjectData.require(BenchReasonerCommand.EVAL_FILE))) {
            JsonNode row = json.readTree(line);
            int steps = row.path("steps").asInt();
            if (steps >= 3 && steps <= 6 && bySteps.get(steps - 3).size() < perCount) {
                bySteps.get(steps - 3).add(row.path("question").asText());
            }
        }
        return bySteps.stream().flatMap(List::stream).toList();
    }

    /** The served model through the real OpenAI client, at {@code baseUrl}; retries at once, no waiting. */
    private static ModelGateway gateway(String baseUrl) {
        return gateway(chat(baseUrl));
    }

    /** The served model through the real OpenAI client, at {@code baseUrl}. */
    private static ChatModel chat(String baseUrl) {
        return OpenAiChatModels.builder().baseUrl(baseUrl).modelName(server.modelName()).build();
    }

    /** A gateway over {@code chat} that retries at once, no waiting. */
    private static ModelGateway gateway(ChatModel chat) {
        return gateway(chat, RetryPolicy.DEFAULT_MAX_ATTEMPTS);
    }

    /** {@link #gateway(ChatModel)} with {@code maxAttempts} attempts per call. */
    private static ModelGateway gateway(ChatModel chat, int maxAttempts) {
        return ModelGateway.builder().model(chat).retryPolicy(RetryPolicy.builder().maxAttempts(maxAttempts)
                .initialBackoff(Duration.ZERO).maxBackoff(Duration.ofMillis(5)).build()).build();
    }

    private static StepSearch.Builder served(ModelGateway gateway) {
        return StepSearch.builder().gateway(gateway).requestParameters(OpenAiChatModels.continuingFinalMessage());
    }

    private static void assertSameSearch(StepSearchResult served, StepSearchResult inProcess, String question) {
        assertThat(served.path()).as(question).isEqualTo(inProcess.path());
        assertThat(served.answer()).as(question).isEqualTo(inProcess.answer());
        assertThat(served.stopReason()).as(question).isEqualTo(inProcess.stopReason());
        assertThat(served.generatedTokens()).as(question).isEqualTo(inProcess.generatedTokens());
        assertThat(served.expansions()).as(question).isEqualTo(inProcess.expansions());
        assertThat(served.usage().samples()).as(question).isEqualTo(inProcess.usage().samples());
    }

    @Test
    void theBenchsBestFirstSearchOverHttpIsTheInProcessSearch() throws IOException {
        int tokens = StepSearchSettings.STEP_TOKENS;
        long budget = StepSearchSettings.MAX_TOKENS;
        StepSearch inProcess = StepSearchSettings.bestFirst(model, tokens, budget, true);
        try (ModelGateway gateway = gateway(server.baseUrl())) {
            StepSearch overHttp = StepSearchSettings.bestFirst(served(gateway), tokens, budget, true);
            for (String question : questions(2)) {
                StepSearchResult local = inProcess.solve(question);
                StepSearchResult served = overHttp.solve(question);
                assertSameSearch(served, local, question);
                // One row per call in both: the same calls, the same prompt tokens.
                assertThat(served.usage().modelCalls()).isEqualTo(local.usage().modelCalls());
                assertThat(served.usage().inputTokens()).isEqualTo(local.usage().inputTokens());
                assertThat(served.usage().failedCalls()).isZero();
            }
        }
    }

    @Test
    void theBenchsBeamSearchOverHttpIsTheInProcessSearchAndTheSameSeedRepeatsIt() throws IOException {
        int tokens = StepSearchSettings.STEP_TOKENS;
        long budget = StepSearchSettings.MAX_TOKENS;
        StepSearch inProcess = StepSearchSettings.beam(model, tokens, budget);
        try (ModelGateway gateway = gateway(server.baseUrl())) {
            StepSearch overHttp = StepSearchSettings.beam(served(gateway).seed(0), tokens, budget);
            for (String question : questions(1)) {
                StepSearchResult served = overHttp.solve(question);
                // A beam's rows are one batch in process and one call each over HTTP: the batch's row i is the
                // model's generation with seed + i, so the paths agree.
                assertSameSearch(served, inProcess.solve(question), question);
                StepSearchResult again = overHttp.solve(question);
                assertThat(again.path()).isEqualTo(served.path());
                assertThat(again.generatedTokens()).isEqualTo(served.generatedTokens());
            }
        }
    }

    /**
     * The bench's best-first, beam and MCTS searches of {@code question}, in that order, over the served model at
     * {@code baseUrl} through the LM-call cache on {@code file}: the first run records every reply, a second one
     * replays them.
     */
    private static Map<String, StepSearchResult> searchThroughCache(String baseUrl, Path file, String question) {
        int tokens = StepSearchSettings.STEP_TOKENS;
        long budget = StepSearchSettings.MAX_TOKENS;
        // The served tiny reasoner is seeded: an empty reply is its answer, and stored, as the CLI stores it.
        try (CachingChatModel cached = CachingChatModel.builder().delegate(chat(baseUrl)).path(file)
                .storeEmptyReplies(true).build(); ModelGateway gateway = gateway(cached)) {
            Map<String, StepSearchResult> results = new LinkedHashMap<>();
            results.put("best_first", StepSearchSettings.bestFirst(served(gateway), tokens, budget, true)
                    .solve(question));
            results.put("beam", StepSearchSettings.beam(served(gateway).seed(0), tokens, budget).solve(question));
            results.put("mcts", StepSearchSettings.mcts(served(gateway), tokens, budget).solve(question));
            return results;
        }
    }

    @Test
    void aSearchReplayedFromTheCacheReportsTheTokensItsChainsCostWhenTheyWereRecorded(@TempDir Path dir)
            throws IOException {
        String question = questions(1).get(3);
        Path file = dir.resolve("calls.sqlite");
        try (FaultInjectingServer counting = FaultInjectingServer.builder()
                .upstream("http://127.0.0.1:" + server.port()).start()) {
            Map<String, StepSearchResult> recorded = searchThroughCache(counting.openAiBaseUrl(), file, question);
            int recordingRequests = counting.requests();
            Map<String, StepSearchResult> replayed = searchThroughCache(counting.openAiBaseUrl(), file, question);

            assertThat(recordingRequests).isPositive();
            assertThat(counting.requests()).as("the replay sends no request").isEqualTo(recordingRequests);
            recorded.forEach((search, recording) -> {
                StepSearchResult replay = replayed.get(search);
                assertThat(recording.usage().cacheHits()).as(search).isZero();
                assertThat(recording.generatedTokens()).as(search).isPositive()
                        .isEqualTo(recording.usage().outputTokens());
                assertThat(replay.path()).as(search).isEqualTo(recording.path());
                assertThat(replay.answer()).as(search).isEqualTo(recording.answer());
                assertThat(replay.expansions()).as(search).isEqualTo(recording.expansions());
                // The budget's figure: the replayed chains cost what they cost when recorded.
                assertThat(replay.generatedTokens()).as(search).isEqualTo(recording.generatedTokens());
                // The usage stays honest: cache hits, no model call, no generated token.
                assertThat(replay.usage().outputTokens()).as(search).isZero();
                assertThat(replay.usage().modelCalls()).as(search).isZero();
                assertThat(replay.usage().cacheHits()).as(search).isPositive()
                        .isEqualTo(recording.usage().modelCalls());
            });
        }
    }

    @Test
    void transientFaultsBeforeTheServerAreRetriedAndChangeNothing() throws IOException {
        String question = questions(1).get(3);
        StepSearch inProcess = StepSearchSettings.bestFirst(model, StepSearchSettings.STEP_TOKENS, 400, true);
        StepSearchResult local = inProcess.solve(question);
        try (FaultInjectingServer faults = FaultInjectingServer.builder().upstream("http://127.0.0.1:" + server.port())
                .faults(HttpFault.rateLimited(), HttpFault.none(), HttpFault.serverError(503), HttpFault.none(),
                        HttpFault.none(), HttpFault.reset(), HttpFault.serverError(502))
                .start();
             ModelGateway gateway = gateway(faults.openAiBaseUrl())) {
            StepSearchResult served = StepSearchSettings.bestFirst(served(gateway), StepSearchSettings.STEP_TOKENS,
                    400, true).solve(question);

            assertSameSearch(served, local, question);
            assertThat(served.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.RATE_LIMITED, 1,
                    CallFailure.SERVER_ERROR, 2, CallFailure.CONNECTION, 1));
            assertThat(served.usage().modelCalls()).isEqualTo(local.usage().modelCalls() + 4)
                    .isEqualTo(faults.requests());
        }
    }

    @Test
    void aCallThatFailsForGoodLosesItsRowAndTheBudgetStaysExact() throws IOException {
        String question = questions(1).get(3);
        // The third call fails at its three attempts; every other call reaches the model.
        try (FaultInjectingServer faults = FaultInjectingServer.builder().upstream("http://127.0.0.1:" + server.port())
                .faults(HttpFault.none(), HttpFault.none(), HttpFault.serverError(500), HttpFault.serverError(500),
                        HttpFault.serverError(500))
                .start();
             ModelGateway gateway = gateway(faults.openAiBaseUrl())) {
            for (long budget : new long[] {40, 1024}) {
                StepSearchResult served = StepSearchSettings.bestFirst(served(gateway), StepSearchSettings.STEP_TOKENS,
                        budget, true).solve(question);
                assertThat(served.generatedTokens()).isLessThanOrEqualTo(budget)
                        .isEqualTo(served.usage().outputTokens());
                if (budget == 40) {
                    assertThat(served.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.SERVER_ERROR, 3));
                    assertThat(served.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
                    assertThat(served.generatedTokens()).isEqualTo(40);
                } else {
                    // The faults were spent by the first search; this one only shows the budget holds when large.
                    assertThat(served.usage().failedCalls()).isZero();
                }
            }
            assertThat(faults.requests()).isEqualTo(faults.faults(HttpFault.Kind.NONE) + 3);
        }
    }

    @Test
    void mctsTriesAgainTheQuestionWhoseFirstCallFailedForGoodAndAnswers() throws IOException {
        String question = questions(1).get(0);
        // The search's first call, the question's first expansion, fails at both its attempts; every later call
        // reaches the model. Before, that failure closed the question's chain and the search had no answer.
        try (FaultInjectingServer faults = FaultInjectingServer.builder().upstream("http://127.0.0.1:" + server.port())
                .faults(HttpFault.serverError(500), HttpFault.serverError(500))
                .start();
             ModelGateway gateway = gateway(chat(faults.openAiBaseUrl()), 2)) {
            StepSearchResult served = StepSearchSettings.mcts(served(gateway), StepSearchSettings.STEP_TOKENS,
                    StepSearchSettings.MAX_TOKENS).solve(question);

            assertThat(served.stopReason()).isEqualTo(StopReason.COMPLETED);
            assertThat(served.complete()).isTrue();
            assertThat(served.answer()).isPresent();
            assertThat(served.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.SERVER_ERROR, 2));
            assertThat(faults.faults(HttpFault.Kind.SERVER_ERROR)).isEqualTo(2);
            assertThat(served.usage().modelCalls()).isEqualTo(faults.requests());
            assertThat(served.generatedTokens()).isEqualTo(served.usage().outputTokens())
                    .isLessThanOrEqualTo(StepSearchSettings.MAX_TOKENS);
        }
    }

    @Test
    void mctsOverAServerThatAlwaysFailsEndsAfterTheQuestionsTriesWithoutAnswer() {
        // Every request is a 500; no reply, so no token of the budget is spent and only the tries bound the search.
        try (FaultInjectingServer faults = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start();
             ModelGateway gateway = gateway(chat(faults.openAiBaseUrl()), 2)) {
            StepSearchResult served = StepSearchSettings.mcts(served(gateway), StepSearchSettings.STEP_TOKENS,
                    StepSearchSettings.MAX_TOKENS).solve("Sam has 14 apples. How many apples does Sam have?");

            assertThat(served.stopReason()).isEqualTo(StopReason.NO_ANSWER);
            assertThat(served.answer()).isEmpty();
            assertThat(served.path()).isEmpty();
            // The question's chain had its maxExpansionsPerStep tries, each one call of two attempts.
            int tries = StepSearch.DEFAULT_MCTS_MAX_EXPANSIONS_PER_STEP;
            assertThat(served.expansions()).isEqualTo(tries);
            assertThat(faults.requests()).isEqualTo(tries * 2);
            assertThat(served.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.SERVER_ERROR, tries * 2));
            assertThat(served.usage().modelCalls()).isEqualTo(tries * 2);
            assertThat(served.generatedTokens()).isZero();
        }
    }
}
