package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link StepSearch} over Ollama's own chat wire ({@code /api/chat}) through LangChain4j's Ollama client and the
 * gateway, against {@link FaultInjectingServer}: a 429 and a 500 are retried, each row's seed, temperature and token
 * cap reach Ollama's {@code options}, a wrong first step is sampled again, and usage counts what the server saw.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StepSearchOllamaWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUESTION = "Sam has 3 apples. He buys 4 more. How many apples does Sam have?";

    @Test
    void aSearchOverOllamasWireRetriesTransientFaultsAndSendsEachRowsSeed() throws Exception {
        // The first answer adds wrongly, the second rightly: the search must go back for a second first step.
        AtomicInteger answers = new AtomicInteger();
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .reply(question -> answers.getAndIncrement() == 0 ? "3 + 4 = 8.\nThe answer is 8."
                        : "3 + 4 = 7.\nThe answer is 7.")
                .faults(FaultInjectingServer.OLLAMA_PATH, HttpFault.rateLimited(), HttpFault.serverError(500))
                .start();
             ModelGateway gateway = ModelGateway.builder()
                     .model(OllamaChatModels.builder().baseUrl(server.ollamaBaseUrl()).modelName("m")
                             .callTimeout(Duration.ofSeconds(10)).build())
                     .retryPolicy(RetryPolicy.builder().initialBackoff(Duration.ZERO).maxBackoff(Duration.ofMillis(5))
                             .build())
                     .build()) {
            StepSearchResult result = StepSearch.builder().gateway(gateway)
                    .requestParameters(OllamaChatModels.seeded()).seed(40).build().solve(QUESTION);

            assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
            assertThat(result.answer()).contains("7");
            assertThat(result.chain()).isEqualTo("3 + 4 = 7.\nThe answer is 7.");
            assertThat(result.path()).extracting(StepSearchResult.Step::reward).containsOnly(1.0);
            assertThat(result.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.RATE_LIMITED, 1,
                    CallFailure.SERVER_ERROR, 1));
            assertThat(result.usage().modelCalls()).isEqualTo(server.requests()).isEqualTo(4);
            // The server counts a reply's words as its tokens: 9 for each answer.
            assertThat(result.generatedTokens()).isEqualTo(18);

            List<JsonNode> answered = new ArrayList<>();
            for (String body : server.requestBodies().subList(2, 4)) {
                answered.add(JSON.readTree(body));
            }
            for (int row = 0; row < 2; row++) {
                JsonNode options = answered.get(row).path("options");
                assertThat(options.path("seed").asLong()).isEqualTo(40 + row);
                assertThat(options.path("num_predict").asInt()).isEqualTo(16);
                assertThat(options.path("temperature").asDouble()).isEqualTo(0.8);
                assertThat(answered.get(row).path("messages")).hasSize(1);
            }
            // The retried request was the same request: row 0's seed again.
            assertThat(JSON.readTree(server.requestBodies().get(0)).at("/options/seed").asLong()).isEqualTo(40);
        }
    }
}
