package dev.reasoningsdk.impl.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.aggregate.LikelihoodChainScorer;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.confidence.TokenProbabilityConfidence;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.LlmCallException;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import dev.reasoningsdk.impl.prompt.ActivePrompt;
import dev.reasoningsdk.impl.prompt.ChatModelParaphraser;
import dev.reasoningsdk.impl.prompt.SelfDiscover;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real {@code OpenAiChatModel} and HTTP stack, built by {@link OpenAiChatModels}, against a local HTTP server
 * that answers {@code /v1/chat/completions} like an OpenAI-compatible server: log-probabilities and their top
 * alternatives reach {@link ReasoningChatResponseMetadata} and the sampled chains, seeds and temperatures reach the
 * wire, a 429's Retry-After reaches the SDK, LangChain4j does not retry, and a server that ignores {@code logprobs}
 * is refused with {@link LogProbsUnavailableException} by every technique that needs them.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class OpenAiWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The canned answer, token by token, with each token's log-probability. */
    private static final List<String> TOKENS = List.of(" 6", "*", "7", "=", "42", ".", " The", " answer", " is", " 42",
            ".");
    private static final double[] LOG_PROBS = {-0.05, -0.01, -0.02, -0.01, -0.3, -0.01, -0.1, -0.01, -0.01, -0.4,
            -0.02};

    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    /** Released when the test ends: a reply of status 0 waits for it, a server that never answers. */
    private final CountDownLatch hung = new CountDownLatch(1);

    /** What the server answers: a status, a Retry-After (or null), and a body. */
    private record Reply(int status, String retryAfter, String body) {
        static Reply ok(String body) {
            return new Reply(200, null, body);
        }
    }

    @AfterEach
    void stop() {
        hung.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    /** Starts a server whose call {@code n} (1-based) gets {@code replyToCall.apply(n)}; returns its base URL. */
    private String serve(IntFunction<Reply> replyToCall) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", exchange -> answer(exchange, replyToCall));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private void answer(HttpExchange exchange, IntFunction<Reply> replyToCall) throws IOException {
        requests.add(JSON.readTree(exchange.getRequestBody()));
        Reply reply = replyToCall.apply(calls.incrementAndGet());
        if (reply.status() == 0) {
            try {
                hung.await();
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        if (reply.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", reply.retryAfter());
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An OpenAI chat completion of {@code tokens}; with {@code logProbs} null the server ignored logprobs. */
    private static String completion(List<String> tokens, double[] logProbs, List<List<Object[]>> alternatives) {
        return completion(tokens, logProbs, alternatives, "stop");
    }

    /** A completion that ended for {@code finishReason} ({@code "stop"}, or {@code "length"} at the token cap). */
    private static String completion(List<String> tokens, double[] logProbs, List<List<Object[]>> alternatives,
                                     String finishReason) {
        ObjectNode body = JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                .put("created", 1_700_000_000L).put("model", "m");
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0).put("finish_reason", finishReason);
        choice.putObject("message").put("role", "assistant").put("content", String.join("", tokens));
        if (logProbs != null) {
            ArrayNode content = choice.putObject("logprobs").putArray("content");
            for (int i = 0; i < tokens.size(); i++) {
                ObjectNode token = content.addObject().put("token", tokens.get(i)).put("logprob", logProbs[i]);
                ArrayNode top = token.putArray("top_logprobs");
                for (Object[] alternative : alternatives == null ? List.<Object[]>of() : alternatives.get(i)) {
                    top.addObject().put("token", (String) alternative[0]).put("logprob", (double) alternative[1]);
                }
            }
        }
        body.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", tokens.size())
                .put("total_tokens", 12 + tokens.size());
        return body.toString();
    }

    /** The canned answer with two alternatives per token (the token itself, then " 0" at -5). */
    private static String answerWithLogProbs() {
        List<List<Object[]>> alternatives = TOKENS.stream().map(token -> List.of(
                new Object[] {token, LOG_PROBS[TOKENS.indexOf(token)]}, new Object[] {" 0", -5.0})).toList();
        return completion(TOKENS, LOG_PROBS, alternatives);
    }

    private static ChatModel model(String baseUrl) {
        return OpenAiChatModels.builder().baseUrl(baseUrl).modelName("m").callTimeout(Duration.ofSeconds(10))
                .topLogprobs(3).build();
    }

    @Test
    void aParaphraseReplyCutOffAtTheTokenLimitLosesItsCutLineOnly() throws IOException {
        // Three lines asked for; the model ran into its token limit in the third.
        String cut = completion(List.of("make it better\n", "improve it\n", "make it bet"), null, null, "length");
        ChatModelParaphraser paraphraser = ChatModelParaphraser.of(model(serve(call -> Reply.ok(cut))), 3);

        assertThat(paraphraser.paraphrase("make it good").alternatives()).containsExactly("make it better",
                "improve it");
    }

    @Test
    void maxTokensAndCallTimeoutReachTheClient() throws IOException {
        String baseUrl = serve(call -> call == 1 ? Reply.ok(answerWithLogProbs()) : new Reply(0, null, ""));
        ChatModel model = OpenAiChatModels.builder().baseUrl(baseUrl).modelName("m").maxTokens(17)
                .callTimeout(Duration.ofMillis(300)).build();

        model.chat("What is 6 times 7?");
        assertThat(requests.get(0).path("max_tokens").asInt()).isEqualTo(17);
        // A server that never answers: the client gives up at its call timeout, well within the test's 20 s.
        assertThatThrownBy(() -> model.chat("What is 6 times 7?"))
                .satisfies(failure -> assertThat(LlmCallException.classify(failure).failure())
                        .isEqualTo(dev.reasoningsdk.api.CallFailure.TIMEOUT));
    }

    @Test
    @SuppressWarnings("removal")
    void theOldNamesStillWorkButMayNotContradictTheNewOnes() throws IOException {
        ChatModel model = OpenAiChatModels.builder().baseUrl(serve(call -> Reply.ok(answerWithLogProbs())))
                .modelName("m").maxOutputTokens(23).maxTokens(23).timeout(Duration.ofSeconds(10)).build();
        model.chat("What is 6 times 7?");
        assertThat(requests.get(0).path("max_tokens").asInt()).isEqualTo(23);

        assertThatThrownBy(() -> OpenAiChatModels.builder().maxTokens(16).maxOutputTokens(32))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxOutputTokens(32) conflicts with maxTokens(16) set before: maxOutputTokens is the "
                        + "deprecated name of maxTokens; set maxTokens only");
        assertThatThrownBy(() -> OpenAiChatModels.builder().timeout(Duration.ofSeconds(1))
                .callTimeout(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("callTimeout(PT2S) conflicts with timeout(PT1S) set before");
        assertThatThrownBy(() -> OpenAiChatModels.builder().callTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout");
        assertThatThrownBy(() -> OpenAiChatModels.builder().maxTokens(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens");
    }

    @Test
    void logProbsAndTheirAlternativesAreTranslated() throws IOException {
        ChatModel model = model(serve(call -> Reply.ok(answerWithLogProbs())));

        ChatResponse response = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("What is 6 times 7?")).build());

        List<TokenLogProb> tokens = ReasoningChatResponseMetadata.tokenLogProbs(response).orElseThrow();
        assertThat(tokens).extracting(TokenLogProb::token).containsExactlyElementsOf(TOKENS);
        assertThat(tokens).extracting(TokenLogProb::logProb).containsExactly(-0.05, -0.01, -0.02, -0.01, -0.3, -0.01,
                -0.1, -0.01, -0.01, -0.4, -0.02);
        assertThat(tokens.get(4).alternatives()).containsExactly(new TokenLogProb.Alternative("42", -0.3),
                new TokenLogProb.Alternative(" 0", -5.0));
        assertThat(response.aiMessage().text()).isEqualTo(String.join("", TOKENS));
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(12);
        assertThat(requests).singleElement().satisfies(request -> {
            assertThat(request.path("logprobs").asBoolean()).isTrue();
            assertThat(request.path("top_logprobs").asInt()).isEqualTo(3);
            assertThat(request.path("model").asText()).isEqualTo("m");
        });
    }

    @Test
    void aSeedNearTheIntegerLimitNeverReachesTheServerAsMinusOne() throws IOException {
        // As plain int casts these were -2, -1 and 0; OpenAI and vLLM read seed -1 as "random".
        ChatModel model = model(serve(call -> Reply.ok(answerWithLogProbs())));
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).name("m")
                .requestParameters(OpenAiChatModels.seeded()).concurrency(1).build()) {
            sampler.sample("What is 6 times 7?", 3, 0xFFFF_FFFEL);

            assertThat(requests).extracting(request -> request.path("seed").asLong())
                    .containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void seedsReachTheServerAndSampledChainsAreScoredFromTheirLogProbs() throws IOException {
        ChatModel model = model(serve(call -> Reply.ok(answerWithLogProbs())));
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).name("m")
                .requestParameters(OpenAiChatModels.seeded()).temperatures(index -> 0.5 + index / 10.0).concurrency(1)
                .build()) {
            SampleBatch batch = sampler.sample("What is 6 times 7?", 3, 40);

            assertThat(requests).extracting(request -> request.path("seed").asInt()).containsExactly(40, 41, 42);
            assertThat(requests).extracting(request -> request.path("temperature").asDouble())
                    .containsExactly(0.5, 0.6, 0.7);
            // The model's log-probability defaults survive the per-sample parameters.
            assertThat(requests).allSatisfy(request -> assertThat(request.path("logprobs").asBoolean()).isTrue());
            assertThat(batch.samples()).hasSize(3)
                    .allSatisfy(sample -> assertThat(sample.tokenLogProbs()).hasSize(TOKENS.size()));

            List<ReasoningChain> chains = batch.chains("m");
            assertThat(chains).allSatisfy(chain -> assertThat(chain.hasTokenLogProbs()).isTrue());
            ChainScorer.Scores scores = LikelihoodChainScorer.fromSampledLogProbs()
                    .scoreLocally("What is 6 times 7?", chains, List.of());
            double mean = java.util.Arrays.stream(LOG_PROBS).average().orElseThrow();
            assertThat(scores.scores()).containsOnly(10 * Math.exp(10 * mean));
            assertThat(scores.failures()).isZero();
            assertThat(scores.usage().modelCalls()).isZero();
        }
    }

    @Test
    void aRateLimitsRetryAfterReachesTheSdkAndLangChain4jDoesNotRetry() throws IOException {
        ChatModel model = model(serve(call -> new Reply(429, "2", "{\"error\":{\"message\":\"slow down\"}}")));

        assertThatThrownBy(() -> model.chat("q")).satisfies(failure -> {
            LlmCallException classified = LlmCallException.classify(failure);
            assertThat(classified.isRetryable()).isTrue();
            assertThat(classified.statusCode()).hasValue(429);
            assertThat(classified.retryAfter()).contains(Duration.ofSeconds(2));
        });
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void aHostThatDoesNotResolveFailsAsARefusedConnectionDoesNotAsABadRequest() throws IOException {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        RetryPolicy twice = RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ZERO).build();
        Map<String, SampleBatch> batches = new LinkedHashMap<>();
        // .invalid never resolves (RFC 2606); nothing listens on the closed port.
        for (String baseUrl : List.of("http://127.0.0.1:" + closedPort + "/v1",
                "http://no-such-host.invalid:8000/v1")) {
            ChatModel model = model(baseUrl);
            assertThatThrownBy(() -> model.chat("q")).as(baseUrl).satisfies(failure -> {
                LlmCallException classified = LlmCallException.classify(failure);
                assertThat(classified.failure()).as(baseUrl).isEqualTo(CallFailure.CONNECTION);
                assertThat(classified.isRetryable()).as(baseUrl).isTrue();
            });
            try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).retryPolicy(twice).concurrency(1)
                    .build()) {
                batches.put(baseUrl, sampler.sample("q", 1, 0));
            }
        }
        // Before: the unresolved host's failures were client errors, not retried, as if the request were wrong.
        assertThat(batches.values()).allSatisfy(batch -> {
            assertThat(batch.samples()).isEmpty();
            assertThat(batch.usage().failuresByKind()).containsExactly(Map.entry(CallFailure.CONNECTION, 2));
            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.kind()).isEqualTo(SampleBatch.FailureKind.TRANSIENT_EXHAUSTED);
                assertThat(failure.attempts()).isEqualTo(2);
            });
        });
    }

    @Test
    void theSamplerRetriesARateLimitOnceAndCountsIt() throws IOException {
        ChatModel model = model(serve(call -> call == 1 ? new Reply(429, "1", "{}") : Reply.ok(answerWithLogProbs())));
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).build()) {
            SampleBatch batch = sampler.sample("q", 1, 0);

            assertThat(batch.samples()).singleElement().satisfies(sample -> {
                assertThat(sample.attempts()).isEqualTo(2);
                assertThat(sample.tokenLogProbs()).hasSize(TOKENS.size());
            });
            assertThat(calls.get()).isEqualTo(2);
            assertThat(batch.usage().failedCalls()).isEqualTo(1);
        }
    }

    @Test
    void tokenProbabilityConfidenceAndPSureComeFromTheServersLogProbs() throws IOException {
        // Call 1: the greedy answer. Call 2: the reply to R-Tuning's question, which ends with the space " sure" and
        // " unsure" share, character by character as the tiny reasoner tokenizes it: "s" with "u" among its
        // alternatives.
        String sure = completion(List.of("s", "u", "r"), new double[] {-0.3, -0.2, -0.1}, List.of(
                List.<Object[]>of(new Object[] {"s", -0.3}, new Object[] {"u", -1.5}, new Object[] {"n", -3.0}),
                List.<Object[]>of(new Object[] {"u", -0.2}), List.<Object[]>of(new Object[] {"r", -0.1})));
        ChatModel model = model(serve(call -> Reply.ok(call == 1 ? answerWithLogProbs() : sure)));
        TokenProbabilityConfidence confidence = TokenProbabilityConfidence.builder().model(model)
                .extractor(AnswerExtractors.numeric()).build();

        ConfidenceEstimate estimate = confidence.estimate("What is 6 times 7?");

        assertThat(estimate.answer()).contains("42");
        // The answer's tokens: " 42" (the last occurrence of "42" lies inside it).
        assertThat(estimate.signals().get("mean_token_probability")).isCloseTo(Math.exp(-0.4), within(1e-9));
        assertThat(estimate.signals().get("p_sure")).isCloseTo(1 / (1 + Math.exp(-(-0.3 + 1.5))), within(1e-9));
        assertThat(estimate.confidence()).isCloseTo(0.5 * Math.exp(-0.4) + 0.5 * estimate.signals().get("p_sure"),
                within(1e-9));
        assertThat(estimate.usage().modelCalls()).isEqualTo(2);
        assertThat(estimate.usage().samples()).isEqualTo(1);
        JsonNode asked = requests.get(1);
        assertThat(asked.path("messages")).extracting(message -> message.path("role").asText())
                .containsExactly("user", "assistant", "user");
        assertThat(asked.path("messages").get(1).path("content").asText()).isEqualTo(String.join("", TOKENS));
        assertThat(asked.path("messages").get(2).path("content").asText())
                .isEqualTo(TokenProbabilityConfidence.SURE_QUESTION + " ");
        assertThat(asked.path("temperature").asDouble()).isZero();
        assertThat(requests.get(0).path("temperature").asDouble()).isZero();
    }

    @Test
    void theSureQuestionFollowsAReasoningModelsAnswerWithoutItsThinking() throws IOException {
        List<String> tokens = List.of("<think>", "6*7=40?", " No.", "</think>", "\n\n", "The", " answer", " is",
                " 42", ".");
        double[] logProbs = {-0.1, -0.1, -0.1, -0.1, -0.1, -0.1, -0.01, -0.01, -0.4, -0.02};
        String sure = completion(List.of("s"), new double[] {-0.3},
                List.of(List.<Object[]>of(new Object[] {"s", -0.3}, new Object[] {"u", -1.5})));
        ChatModel model = model(serve(call -> Reply.ok(call == 1 ? completion(tokens, logProbs, null) : sure)));

        ConfidenceEstimate estimate = TokenProbabilityConfidence.builder().model(model)
                .extractor(AnswerExtractors.numeric()).build().estimate("What is 6 times 7?");

        assertThat(estimate.answer()).contains("42");
        JsonNode asked = requests.get(1).path("messages");
        assertThat(asked.get(1).path("role").asText()).isEqualTo("assistant");
        // Qwen3's chat template would render the same earlier turn from the whole reply.
        assertThat(asked.get(1).path("content").asText()).isEqualTo("The answer is 42.");
    }

    @Test
    void selfDiscoverSendsTheEarlierStagesAnswersNotTheirThinking() throws IOException {
        List<String> replies = List.of(
                "<think>\nSCRATCH-SELECT: 1. How could I devise an experiment? No.\n</think>\n\nBreak it into parts.",
                "<think>SCRATCH-ADAPT: solving it, 6*7=40?</think>\nMultiply the factors one at a time.",
                "{\"Step 1: multiply\": \"\", \"Final answer\": \"\"}");
        ChatModel model = model(serve(call -> Reply.ok(completion(List.of(replies.get(call - 1)), null, null))));

        SelfDiscover.ReasoningStructure structure = SelfDiscover.of(model, AnswerExtractors.numeric())
                .discover(List.of("What is 6 times 7?"));

        assertThat(structure.structure()).contains("Step 1: multiply");
        assertThat(requests).hasSize(3);
        String adaptPrompt = requests.get(1).path("messages").get(0).path("content").asText();
        String implementPrompt = requests.get(2).path("messages").get(0).path("content").asText();
        assertThat(adaptPrompt).contains("Selected module descriptions:\nBreak it into parts.\n")
                .doesNotContain("SCRATCH");
        assertThat(implementPrompt).contains("Adapted module descriptions:\nMultiply the factors one at a time.\n")
                .doesNotContain("SCRATCH");
    }

    @Test
    void aServerThatIgnoresLogProbsIsRefusedByEveryTechniqueThatNeedsThem() throws IOException {
        ChatModel model = model(serve(call -> Reply.ok(completion(TOKENS, null, null))));

        assertThatThrownBy(() -> TokenProbabilityConfidence.builder().model(model).build().estimate("q"))
                .isInstanceOf(LogProbsUnavailableException.class)
                .hasMessageContaining("m returned no token log-probabilities (logprobs) of its response")
                .satisfies(e -> assertThat(((LogProbsUnavailableException) e).isRetryable()).isFalse())
                // The call whose reply lacked them was made (and billed): the refusal says so.
                .satisfies(e -> assertThat(((LogProbsUnavailableException) e).usage().modelCalls()).isEqualTo(1)
                        .isEqualTo(requests.size()));

        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).name("m").build()) {
            SampleBatch batch = sampler.sample("q", 2, 0);
            assertThat(batch.samples()).hasSize(2).allSatisfy(s -> assertThat(s.tokenLogProbs()).isEmpty());
            assertThatThrownBy(() -> LikelihoodChainScorer.fromSampledLogProbs().scoreGlobally("q", batch.chains("m")))
                    .isInstanceOf(LogProbsUnavailableException.class)
                    .hasMessageContaining("m returned no token log-probabilities on its 2 sampled chains");
            assertThatThrownBy(() -> ActivePrompt.builder().sampler(sampler, 0.8).extractor(AnswerExtractors.numeric())
                    .samples(2).metric(ActivePrompt.Uncertainty.SELF_CONFIDENCE).build().select(List.of("q"), 1))
                    .isInstanceOf(LogProbsUnavailableException.class)
                    .hasMessageContaining("self-confidence")
                    .satisfies(e -> assertThat(((LogProbsUnavailableException) e).usage().samples()).isEqualTo(2))
                    .satisfies(e -> assertThat(((LogProbsUnavailableException) e).usage().modelCalls())
                            .isEqualTo(2));
        }
    }

    @Test
    void aReplyToTheSureQuestionWithoutTopLogProbsIsRefused() throws IOException {
        String sureWithoutAlternatives = completion(List.of(" ", "s"), new double[] {-0.01, -0.3}, null);
        ChatModel model = model(serve(call -> Reply.ok(call == 1 ? answerWithLogProbs() : sureWithoutAlternatives)));

        assertThatThrownBy(() -> TokenProbabilityConfidence.builder().model(model).build().estimate("q"))
                .isInstanceOf(LogProbsUnavailableException.class)
                .hasMessageContaining("top log-probabilities (top_logprobs)")
                // The answer and the reply to the sure question.
                .satisfies(e -> assertThat(((LogProbsUnavailableException) e).usage().modelCalls()).isEqualTo(2)
                        .isEqualTo(requests.size()));
    }

    @Test
    void selfConfidenceRanksTheLessLikelyQuestionFirst() throws IOException {
        double[] unlikely = LOG_PROBS.clone();
        java.util.Arrays.setAll(unlikely, i -> LOG_PROBS[i] - 1);
        String doubtful = completion(TOKENS, unlikely, null);
        // Question 0 is answered with the canned log-probabilities, question 1 with each one lower by 1.
        ChatModel model = model(serve(call -> Reply.ok(call <= 2 ? answerWithLogProbs() : doubtful)));
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).build()) {
            ActivePrompt.Selection selection = ActivePrompt.builder().sampler(sampler, 0.8)
                    .extractor(AnswerExtractors.numeric()).samples(2)
                    .metric(ActivePrompt.Uncertainty.SELF_CONFIDENCE).build().select(List.of("q0", "q1"), 1);

            double mean = java.util.Arrays.stream(LOG_PROBS).average().orElseThrow();
            assertThat(selection.selected()).extracting(ActivePrompt.Ranked::index).containsExactly(1);
            assertThat(selection.ranking()).extracting(ActivePrompt.Ranked::uncertainty)
                    .containsExactly(1 - Math.exp(mean - 1), 1 - Math.exp(mean));
        }
    }

    /**
     * A reasoning model's replies as a server without a reasoning parser returns them: the think block in the
     * content, and two replies cut at the token cap (finish reason "length"), one while thinking and one after a
     * wrong final line. Call {@code n} of a one-at-a-time sampler is sample {@code n - 1}.
     */
    private static final List<String[]> REASONING_REPLIES = List.of(
            new String[] {"<think>the answer is 40 ... hmm, 6*7=42</think>\n\n42", "stop"},
            new String[] {"<think>6*7=40? No: 6*7=42, so the answer is 42.</think> The answer is 42.", "stop"},
            new String[] {"<think>6*7=40, so the answer is 40. Let me check 6*", "length"},
            new String[] {"6*7=40. The answer is 40", "length"},
            new String[] {"<think>maybe 42</think>The answer is 40.", "stop"});

    private String serveReasoningReplies() throws IOException {
        return serve(call -> {
            String[] reply = REASONING_REPLIES.get(call - 1);
            return Reply.ok(completion(List.of(reply[0]), null, null, reply[1]));
        });
    }

    @Test
    void cutOffRepliesAreCountedAndDoNotVoteAndThinkingIsNotTheAnswer() throws IOException {
        ChatModel model = OpenAiChatModels.builder().baseUrl(serveReasoningReplies()).modelName("m")
                .callTimeout(Duration.ofSeconds(10)).build();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).temperature(0.8)
                .build()) {
            SampleBatch batch = sampler.sample("q", REASONING_REPLIES.size(), 0);

            assertThat(batch.truncatedSamples()).isEqualTo(2);
            assertThat(batch.samples()).extracting(SampleBatch.Sample::index).containsExactly(0, 1, 4);
            assertThat(batch.failures()).extracting(SampleBatch.SampleFailure::kind)
                    .containsOnly(SampleBatch.FailureKind.TRUNCATED);
            assertThat(batch.failures()).extracting(SampleBatch.SampleFailure::message)
                    .allMatch(message -> message.contains("finish reason length"));
            // The cut-off calls succeeded and were paid for: no failed call, and their tokens are counted.
            assertThat(batch.usage().modelCalls()).isEqualTo(5);
            assertThat(batch.usage().failedCalls()).isZero();
            assertThat(batch.usage().samples()).isEqualTo(3);
            assertThat(batch.usage().outputTokens()).isEqualTo(5);
        }
        calls.set(0);
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).temperature(0.8)
                .build()) {
            // Finished chains answer 42, 42 and 40; the cut-off ones (and the thinking) would have made it 40.
            AggregationResult vote = MajorityVote.builder().extractor(AnswerExtractors.numeric())
                    .sampler(sampler, 0.8).samples(REASONING_REPLIES.size()).build().solve("q");

            assertThat(vote.answer()).hasValue("42");
            assertThat(vote.groups()).extracting(AnswerGroup::score).containsExactly(2.0, 1.0);
        }
    }

    @Test
    void aCutOffReplyCarriesTheTokensItCost() throws IOException {
        // Sample 0 finishes in 2 tokens; sample 1 is cut off after 4, which the batch's usage counts.
        String finished = completion(List.of("The answer", " is 42."), null, null, "stop");
        String cutOff = completion(List.of("<think>", "6*7", "=40", " so"), null, null, "length");
        ChatModel model = OpenAiChatModels.builder().baseUrl(serve(call -> Reply.ok(call == 1 ? finished : cutOff)))
                .modelName("m").callTimeout(Duration.ofSeconds(10)).build();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).build()) {
            SampleBatch batch = sampler.sample("q", 2, 0);

            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.kind()).isEqualTo(SampleBatch.FailureKind.TRUNCATED);
                assertThat(failure.inputTokens()).isEqualTo(12);
                assertThat(failure.outputTokens()).isEqualTo(4);
            });
            SampleBatch.Sample sample = batch.samples().get(0);
            assertThat(sample.outputTokens() + batch.failures().get(0).outputTokens())
                    .isEqualTo(batch.usage().outputTokens());
            assertThat(sample.inputTokens() + batch.failures().get(0).inputTokens())
                    .isEqualTo(batch.usage().inputTokens());
        }
    }

    @Test
    void aRefusedReplyCostsTheTokensItsUsageBlockReportsOncePerAttempt() throws IOException {
        // A blank reply and one without content, each with a usage block: 12 prompt tokens, 3 generated.
        String blank = completion(List.of("\n", "\n", " "), null, null, "stop");
        ObjectNode withoutContent = (ObjectNode) JSON.readTree(blank);
        ((ObjectNode) withoutContent.path("choices").path(0).path("message")).putNull("content");
        String answer = completion(List.of("The answer", " is 42."), null, null, "stop");
        // Index 0: blank, then no content on its retry. Index 1: blank, then the answer on its retry.
        List<String> replies = List.of(blank, withoutContent.toString(), blank, answer);
        ChatModel model = OpenAiChatModels.builder().baseUrl(serve(call -> Reply.ok(replies.get(call - 1))))
                .modelName("m").callTimeout(Duration.ofSeconds(10)).build();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).build()) {
            SampleBatch batch = sampler.sample("q", 2, 0);

            assertThat(calls.get()).isEqualTo(4);
            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.kind()).isEqualTo(SampleBatch.FailureKind.GARBAGE);
                assertThat(failure.attempts()).isEqualTo(2);
                assertThat(failure.inputTokens()).isEqualTo(2 * 12);
                assertThat(failure.outputTokens()).isEqualTo(2 * 3);
            });
            assertThat(batch.samples()).singleElement().satisfies(sample -> {
                assertThat(sample.attempts()).isEqualTo(2);
                assertThat(sample.inputTokens()).isEqualTo(2 * 12);
                assertThat(sample.outputTokens()).isEqualTo(3 + 2);
            });
            assertThat(batch.usage().failuresByKind()).containsExactly(Map.entry(CallFailure.GARBAGE, 3));
            assertThat(batch.usage().inputTokens()).isEqualTo(4 * 12);
            assertThat(batch.usage().outputTokens()).isEqualTo(3 * 3 + 2);
        }
    }

    @Test
    void keepTruncatedKeepsCutOffRepliesAsSamples() throws IOException {
        ChatModel model = OpenAiChatModels.builder().baseUrl(serveReasoningReplies()).modelName("m")
                .callTimeout(Duration.ofSeconds(10)).build();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).concurrency(1).keepTruncated(true)
                .build()) {
            SampleBatch batch = sampler.sample("q", REASONING_REPLIES.size(), 0);

            assertThat(batch.samples()).hasSize(5);
            assertThat(batch.truncatedSamples()).isZero();
            // Kept, the chain cut while thinking still has no answer; the one cut after its last line has one.
            assertThat(batch.samples()).extracting(sample -> AnswerExtractors.numeric().extract(sample.text()))
                    .containsExactly(Optional.of("42"), Optional.of("42"), Optional.empty(), Optional.of("40"),
                            Optional.of("40"));
        }
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        assertThatThrownBy(() -> OpenAiChatModels.builder().baseUrl("localhost:8080"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> OpenAiChatModels.builder().modelName(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelName");
        assertThatThrownBy(() -> OpenAiChatModels.builder().topLogprobs(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topLogprobs must be >= 0, was -1");
        assertThatThrownBy(() -> OpenAiChatModels.builder().baseUrl("http://h/v1").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("modelName");
        assertThatThrownBy(() -> OpenAiChatModels.builder().baseUrl("http://h/v1").modelName("m").logprobs(false)
                .topLogprobs(3).build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("logprobs");
    }
}
