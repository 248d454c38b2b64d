package dev.reasoningsdk.impl.llm;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.reasoningsdk.api.model.SampleBatch.FailureKind;
import dev.reasoningsdk.api.model.SampleBatch.SampleFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real {@code OllamaChatModel} and HTTP stack against a local HTTP server that speaks Ollama's
 * {@code /api/chat}: checks that seeds and temperatures reach the wire, that LangChain4j's mapping of HTTP statuses
 * meets our retry classification, and that LangChain4j itself does not retry (its retries are set to zero).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class OllamaWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Starts a server whose call {@code n} (1-based) gets the status {@code statusOfCall.apply(n)}. */
    private String serve(IntFunction<Integer> statusOfCall) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/chat", exchange -> answer(exchange, statusOfCall));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, IntFunction<Integer> statusOfCall) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        requests.add(request);
        int status = statusOfCall.apply(calls.incrementAndGet());
        String body = status == 200
                ? "{\"model\":\"m\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"6 * 7 = 42. The answer is 42.\"},\"done\":true,\"done_reason\":\"stop\","
                        + "\"prompt_eval_count\":12,\"eval_count\":9}"
                : "{\"error\":\"status " + status + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static ChatModelSampler sampler(String baseUrl) {
        return ChatModelSampler.builder()
                .model(OllamaChatModels.builder().baseUrl(baseUrl).modelName("m").timeout(Duration.ofSeconds(10))
                        .build())
                .requestParameters(OllamaChatModels.seeded())
                .temperatures(index -> 0.5 + index / 10.0)
                .concurrency(1)
                .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ofMillis(10))
                        .maxBackoff(Duration.ofMillis(20)).build())
                .build();
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
