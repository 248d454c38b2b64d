package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.model.SampleBatch.FailureKind;
import dev.reasoningsdk.api.model.SampleBatch.SampleFailure;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@code OllamaChatModel} and HTTP stack against a local HTTP server that speaks Ollama's
 * {@code /api/chat}: checks that seeds and temperatures reach the wire, that LangChain4j's mapping of HTTP statuses
 * meets our retry classification, and that LangChain4j itself does not retry (its retries are set to zero).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class OllamaWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Logger LOG = LoggerFactory.getLogger(OllamaWireTest.class);

    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final List<Long> arrivalNanos = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    /**
     * What the server answers to one call: a status and, when not null, a Retry-After header value; with status 200,
     * the message (its {@code content} and, when not null, its separate {@code thinking}) and the done reason.
     */
    private record Reply(int status, String retryAfter, String content, String thinking, String doneReason) {
        Reply(int status, String retryAfter) {
            this(status, retryAfter, "6 * 7 = 42. The answer is 42.", null, "stop");
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Starts a server whose call {@code n} (1-based) gets the status {@code statusOfCall.apply(n)}. */
    private String serve(IntFunction<Integer> statusOfCall) throws IOException {
        return serveReplies(call -> new Reply(statusOfCall.apply(call), null));
    }

    /** Starts a server whose call {@code n} (1-based) gets {@code replyToCall.apply(n)}. */
    private String serveReplies(IntFunction<Reply> replyToCall) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/chat", exchange -> answer(exchange, replyToCall));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, IntFunction<Reply> replyToCall) throws IOException {
        arrivalNanos.add(System.nanoTime());
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        requests.add(request);
        Reply reply = replyToCall.apply(calls.incrementAndGet());
        int status = reply.status();
        if (reply.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", reply.retryAfter());
        }
        String body;
        if (status == 200) {
            ObjectNode reply200 = JSON.createObjectNode().put("model", "m").put("created_at", "2025-01-01T00:00:00Z")
                    .put("done", true).put("done_reason", reply.doneReason()).put("prompt_eval_count", 12)
                    .put("eval_count", 9);
            ObjectNode message = reply200.putObject("message").put("role", "assistant").put("content", reply.content());
            if (reply.thinking() != null) {
                message.put("thinking", reply.thinking());
            }
            body = reply200.toString();
        } else {
            body = "{\"error\":\"status " + status + "\"}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ChatModelSampler sampler(String baseUrl) {
        return samplerBuilder(baseUrl).retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(10))
                .maxBackoff(Duration.ofMillis(20)).build()).build();
    }

    private static ChatModelSampler.Builder samplerBuilder(String baseUrl) {
        return ChatModelSampler.builder()
                .model(OllamaChatModels.builder().baseUrl(baseUrl).modelName("m").callTimeout(Duration.ofSeconds(10))
                        .build())
                .requestParameters(OllamaChatModels.seeded())
                .temperatures(index -> 0.5 + index / 10.0)
                .concurrency(1);
    }

    /** The time between the first two calls' arrival at the server. */
    private Duration firstWait() {
        assertThat(arrivalNanos).hasSizeGreaterThanOrEqualTo(2);
        return Duration.ofNanos(arrivalNanos.get(1) - arrivalNanos.get(0));
    }

    /**
     * One sample from a server that answers a 429 with {@code retryAfter} (null: no header), then 200, through a
     * sampler with the default retry policy changed by {@code settings}; logs the wait between the calls.
     */
    private SampleBatch sampleAfterA429(String retryAfter, UnaryOperator<ChatModelSampler.Builder> settings)
            throws IOException {
        String baseUrl = serveReplies(call -> call == 1 ? new Reply(429, retryAfter) : new Reply(200, null));
        long start = System.nanoTime();
        try (ChatModelSampler sampler = settings.apply(samplerBuilder(baseUrl)).build()) {
            SampleBatch batch = sampler.sample("q", 1, 0);
            LOG.info("Retry-After {}: {} calls, first wait {} ms, batch {} ms, {}", retryAfter, calls.get(),
                    arrivalNanos.size() < 2 ? "-" : firstWait().toMillis(),
                    Duration.ofNanos(System.nanoTime() - start).toMillis(),
                    batch.failures().isEmpty() ? "answered" : batch.failures().get(0).kind());
            return batch;
        }
    }

    @Test
    void aRateLimitWithoutRetryAfterIsRetriedAfterTheUsualBackoff() throws IOException {
        SampleBatch batch = sampleAfterA429(null, settings -> settings);

        assertThat(batch.samples()).singleElement().satisfies(s -> assertThat(s.attempts()).isEqualTo(2));
        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void aRetryAfterInSecondsIsWaitedBeforeTheNextCall() throws IOException {
        SampleBatch batch = sampleAfterA429("2", settings -> settings);

        assertThat(batch.samples()).singleElement().satisfies(s -> assertThat(s.attempts()).isEqualTo(2));
        assertThat(calls.get()).isEqualTo(2);
        assertThat(firstWait()).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void aRetryAfterAsAnHttpDateIsWaitedBeforeTheNextCall() throws IOException {
        // Whole seconds on the wire: three seconds from now is between two and three seconds away.
        String inThreeSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
        SampleBatch batch = sampleAfterA429(inThreeSeconds, settings -> settings);

        assertThat(batch.samples()).hasSize(1);
        assertThat(calls.get()).isEqualTo(2);
        assertThat(firstWait()).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    }

    @Test
    void aRetryAfterBeyondTheDeadlineFailsAtOnce() throws IOException {
        Duration deadline = Duration.ofSeconds(15);
        long start = System.nanoTime();
        SampleBatch batch = sampleAfterA429("3600", settings -> settings.deadline(deadline)
                .retryPolicy(RetryPolicy.builder().maxBackoff(Duration.ofHours(2)).build()));

        assertThat(batch.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.RETRY_LATER);
            assertThat(failure.message()).contains("left before the deadline");
        });
        assertThat(calls.get()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(deadline);
    }

    @Test
    void aRetryAfterBeyondTheBackoffCapFailsAtOnce() throws IOException {
        SampleBatch batch = sampleAfterA429("3600", settings -> settings.retryPolicy(RetryPolicy.builder()
                .maxBackoff(Duration.ofSeconds(1)).build()));

        assertThat(batch.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.kind()).isEqualTo(FailureKind.RETRY_LATER);
            assertThat(failure.message()).contains("backoff cap of 1000 ms");
        });
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void aReasoningModelsCutOffRepliesDoNotVoteAndItsThinkingIsNotTheAnswer() throws IOException {
        List<Reply> replies = List.of(
                new Reply(200, null, "42", "6*7 is 40? So the answer is 40. No: 42.", "stop"),
                new Reply(200, null, "<think>6*7=40, so the answer is 40. Let me check", null, "length"),
                new Reply(200, null, "<think>the answer is 40? no</think> The answer is 42.", null, "stop"),
                new Reply(200, null, "The answer is 40", null, "stop"));
        try (ChatModelSampler sampler = samplerBuilder(serveReplies(call -> replies.get(call - 1))).build()) {
            SampleBatch batch = sampler.sample("What is 6 times 7?", replies.size(), 0);

            // The thinking Ollama returns beside the content is not the chain; the cut-off reply is no chain.
            assertThat(batch.samples()).extracting(SampleBatch.Sample::text)
                    .containsExactly("42", "<think>the answer is 40? no</think> The answer is 42.", "The answer is 40");
            assertThat(batch.truncatedSamples()).isEqualTo(1);
            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.index()).isEqualTo(1);
                assertThat(failure.kind()).isEqualTo(SampleBatch.FailureKind.TRUNCATED);
            });
            assertThat(batch.usage().outputTokens()).isEqualTo(36);
            assertThat(MajorityVote.of(AnswerExtractors.numeric()).aggregate("q", batch.chains("m")).answer())
                    .hasValue("42");
        }
    }

    /**
     * Ollama with {@code think} returns the thinking apart from the content: cut off while thinking, a reply has
     * empty content and done reason "length". Odd calls end so, even ones answer.
     */
    private String serveCutOffWhileThinkingOnOddCalls() throws IOException {
        return serveReplies(call -> call % 2 == 1
                ? new Reply(200, null, "", "6*7 is 40? So the answer is 40. Let me check 6*", "length")
                : new Reply(200, null, "42", "6*7 = 42.", "stop"));
    }

    @Test
    void aReplyCutOffWhileThinkingApartIsCountedAsCutOffAndNotRetriedUnlessKept() throws IOException {
        String baseUrl = serveCutOffWhileThinkingOnOddCalls();
        try (ChatModelSampler sampler = samplerBuilder(baseUrl).build()) {
            SampleBatch batch = sampler.sample("What is 6 times 7?", 2, 0);

            assertThat(batch.truncatedSamples()).isEqualTo(1);
            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.index()).isZero();
                assertThat(failure.kind()).isEqualTo(SampleBatch.FailureKind.TRUNCATED);
                assertThat(failure.message()).contains("finish reason length");
            });
            assertThat(batch.samples()).extracting(SampleBatch.Sample::text).containsExactly("42");
            // Not retried as an empty answer: the same limit would cut the retry off too.
            assertThat(calls.get()).isEqualTo(2);
            assertThat(batch.usage().modelCalls()).isEqualTo(2);
            assertThat(batch.usage().failedCalls()).isZero();
            assertThat(batch.usage().outputTokens()).isEqualTo(18);
        }
        calls.set(0);
        try (ChatModelSampler sampler = samplerBuilder(baseUrl).keepTruncated(true).build()) {
            SampleBatch batch = sampler.sample("What is 6 times 7?", 1, 0);

            // Kept, it has no text to keep: an empty answer, retried once as one is.
            assertThat(batch.samples()).extracting(SampleBatch.Sample::text).containsExactly("42");
            assertThat(batch.truncatedSamples()).isZero();
            assertThat(calls.get()).isEqualTo(2);
            assertThat(batch.usage().failuresByKind()).containsEntry(CallFailure.GARBAGE, 1);
        }
    }

    @Test
    void aReplyThatOnlyThoughtCostsTheTokensOllamaCountedOncePerAttempt() throws IOException {
        // A reasoning model that thought and answered nothing: 12 prompt tokens and 9 generated, every reply.
        Reply thoughtOnly = new Reply(200, null, "", "6*7 = 42, so the answer is 42.", "stop");
        String baseUrl = serveReplies(call -> call <= 3 ? thoughtOnly : new Reply(200, null));
        try (ChatModelSampler sampler = samplerBuilder(baseUrl).build()) {
            SampleBatch batch = sampler.sample("What is 6 times 7?", 2, 0);

            // Index 0: nothing, and nothing on its retry. Index 1: nothing, then the answer on its retry.
            assertThat(calls.get()).isEqualTo(4);
            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.kind()).isEqualTo(FailureKind.GARBAGE);
                assertThat(failure.attempts()).isEqualTo(2);
                assertThat(failure.inputTokens()).isEqualTo(2 * 12);
                assertThat(failure.outputTokens()).isEqualTo(2 * 9);
            });
            assertThat(batch.samples()).singleElement().satisfies(sample -> {
                assertThat(sample.inputTokens()).isEqualTo(2 * 12);
                assertThat(sample.outputTokens()).isEqualTo(2 * 9);
            });
            assertThat(batch.usage().failedCalls(CallFailure.GARBAGE)).isEqualTo(3);
            assertThat(batch.usage().inputTokens()).isEqualTo(4 * 12);
            assertThat(batch.usage().outputTokens()).isEqualTo(4 * 9);
        }
    }

    @Test
    void seedsAndTemperaturesReachOllamaAndTokensComeBack() throws IOException {
        try (ChatModelSampler sampler = sampler(serve(call -> 200))) {
            SampleBatch batch = sampler.sample("What is 6 times 7?", 3, 40);

            assertThat(batch.samples()).hasSize(3);
            assertThat(requests).extracting(request -> request.at("/options/seed").asInt())
                    .containsExactly(40, 41, 42);
            assertThat(requests).extracting(request -> request.at("/options/temperature").asDouble())
                    .containsExactly(0.5, 0.6, 0.7);
            assertThat(requests).extracting(request -> request.at("/messages/0/content").asText())
                    .containsOnly("What is 6 times 7?");
            assertThat(batch.usage().inputTokens()).isEqualTo(36);
            assertThat(batch.usage().outputTokens()).isEqualTo(27);
        }
    }

    @Test
    void seedsThatWouldBeNegativeAsIntegersReachOllamaAsNonNegativeOnes() throws IOException {
        // As plain int casts these were -2, -1 and 0; Ollama samples at random for any negative seed.
        try (ChatModelSampler sampler = sampler(serve(call -> 200))) {
            sampler.sample("What is 6 times 7?", 3, 0xFFFF_FFFEL);

            assertThat(requests).extracting(request -> request.at("/options/seed").asLong())
                    .containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void transientStatusesAreRetriedOnceEachAndNotByLangChain4j() throws IOException {
        try (ChatModelSampler sampler = sampler(serve(call -> switch (call) {
            case 1 -> 503;
            case 2 -> 429;
            default -> 200;
        }))) {
            SampleBatch batch = sampler.sample("q", 1, 0);

            assertThat(batch.samples()).singleElement()
                    .satisfies(sample -> assertThat(sample.attempts()).isEqualTo(3));
            assertThat(calls.get()).isEqualTo(3);
            assertThat(batch.usage().modelCalls()).isEqualTo(3);
            assertThat(batch.usage().failedCalls()).isEqualTo(2);
        }
    }

    @Test
    void anUnknownModelIsPermanent() throws IOException {
        try (ChatModelSampler sampler = sampler(serve(call -> 404))) {
            SampleBatch batch = sampler.sample("q", 2, 0);

            assertThat(batch.failures()).extracting(SampleFailure::kind).containsOnly(FailureKind.PERMANENT);
            assertThat(calls.get()).isEqualTo(2);
        }
    }

    @Test
    void aRefusedConnectionIsTransient() throws IOException {
        String baseUrl = serve(call -> 200);
        server.stop(0);
        server = null;
        try (ChatModelSampler sampler = sampler(baseUrl)) {
            SampleBatch batch = sampler.sample("q", 1, 0);

            assertThat(batch.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.kind()).isEqualTo(FailureKind.TRANSIENT_EXHAUSTED);
                assertThat(failure.attempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
            });
        }
    }
}
