package dev.reasoningsdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.confidence.ConfidenceChatResponseMetadata;
import dev.reasoningsdk.impl.confidence.ConfidenceGatedChatModel;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.confidence.VerbalizedConfidence;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.openai.OpenAiChatModels;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.PromptObjective;
import dev.reasoningsdk.impl.prompt.ActivePrompt;
import dev.reasoningsdk.impl.prompt.ChatModelParaphraser;
import dev.reasoningsdk.impl.prompt.HarmonySearch;
import dev.reasoningsdk.impl.prompt.SearchSettings;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The confidence and prompt techniques on a user's own model over real HTTP on 127.0.0.1, where calls fail: the
 * failure is reported as a failure, never turned into a figure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OwnModelEstimatorFailuresTest {

    private static final RetryPolicy NO_BACKOFF = RetryPolicy.builder().initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO).build();

    @Test
    void aVerbalizedConfidenceRequestTheServerRefusesIsSentOnceAndTheRationaleSaysItFailed() {
        // SaySelf's instruction puts the prompt over the served tiny reasoner's 320-token context: a 400
        // context_length_exceeded, which the same request would get at every attempt.
        try (HuggingFaceOnnxModel model = TinyReasoner.create();
             LocalOpenAiServer server = LocalOpenAiServer.builder().model(model).start();
             FaultInjectingServer counting = FaultInjectingServer.builder().upstream(server.baseUrl()).start()) {
            ChatModel served = OpenAiChatModels.of(counting.openAiBaseUrl(), server.modelName());

            ConfidenceEstimate estimate = VerbalizedConfidence.builder().model(served).maxAttempts(3).build()
                    .estimate("Sam has 14 apples. He buys 7 more. How many apples does Sam have?");

            assertThat(counting.requests()).isEqualTo(1);
            assertThat(estimate.confidence()).isZero();
            assertThat(estimate.answer()).isEmpty();
            assertThat(estimate.usage().modelCalls()).isEqualTo(1);
            assertThat(estimate.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.CLIENT_ERROR, 1));
            assertThat(estimate.rationale()).contains("the last call failed").contains("context_length_exceeded")
                    .doesNotContain("The model stated");
        }
    }

    @Test
    void activePromptRefusesAPoolQuestionWithoutASingleAnswerInsteadOfRankingItCertain() {
        // Over Ollama's own wire: question 0's two samples are answered; every attempt at question 1's fails.
        HttpFault[] schedule = new HttpFault[2 + 2 * RetryPolicy.DEFAULT_MAX_ATTEMPTS];
        java.util.Arrays.fill(schedule, HttpFault.serverError(500));
        schedule[0] = HttpFault.none();
        schedule[1] = HttpFault.none();
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .reply(prompt -> "3 + 4 = 7.\nThe answer is 7.")
                .faults(FaultInjectingServer.OLLAMA_PATH, schedule).start();
             ModelGateway gateway = ModelGateway.builder()
                     .model(OllamaChatModels.builder().baseUrl(server.ollamaBaseUrl()).modelName("m")
                             .callTimeout(Duration.ofSeconds(10)).build())
                     .retryPolicy(NO_BACKOFF).concurrency(1).build();
             ChatModelSampler sampler = ChatModelSampler.builder().gateway(gateway).name("m").temperature(0.8)
                     .build()) {
            ActivePrompt activePrompt = ActivePrompt.builder().sampler(sampler, 0.8)
                    .extractor(AnswerExtractors.numeric()).samples(2).build();

            assertThatThrownBy(() -> activePrompt.select(List.of("Sam has 3 apples and buys 4.", "Tom has 2."), 1))
                    .isInstanceOf(ReasoningException.class)
                    .hasMessageContaining("pool question 1").hasMessageContaining("InternalServerException")
                    .satisfies(e -> assertThat(((ReasoningException) e).isRetryable()).isTrue())
                    .satisfies(e -> assertThat(((ReasoningException) e).usage().modelCalls())
                            .isEqualTo(server.requests()).isEqualTo(schedule.length))
                    .satisfies(e -> assertThat(((ReasoningException) e).usage().samples()).isEqualTo(2));
        }
    }

    @Test
    void aPromptSearchAsksAParaphraserThatIsDownForEachUnitOnceNotAtEveryEdit() {
        // Every paraphrase request of the search is a 500: each unit's call fails after the gateway's attempts.
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(500), 1.0)).start();
             ModelGateway gateway = ModelGateway.builder()
                     .model(OpenAiChatModels.of(server.openAiBaseUrl(), "m")).retryPolicy(NO_BACKOFF).build()) {
            SearchSettings settings = SearchSettings.builder().paraphraser(ChatModelParaphraser.of(gateway, 3))
                    .maxEvaluations(12).patience(3).seed(1).build();

            OptimizationResult result = HarmonySearch.builder().settings(settings).build().optimize(
                    "Classify the sentiment of the review as positive or negative, carefully.",
                    PromptObjective.of(prompt -> prompt.length() % 7));

            Set<String> phrases = new TreeSet<>();
            for (String body : server.requestBodies()) {
                phrases.add(body.substring(body.indexOf("Phrase: ")));
            }
            assertThat(phrases).isNotEmpty();
            assertThat(server.requests()).isEqualTo(phrases.size() * RetryPolicy.DEFAULT_MAX_ATTEMPTS);
            assertThat(result.usage().modelCalls()).isEqualTo(server.requests());
            assertThat(result.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.SERVER_ERROR,
                    server.requests()));
        }
    }


    @Test
    void aConsistencyComputedWithoutTheSamplesThatFailedSaysHowManyFailed() {
        // Over Ollama's wire, estimated by the sampling estimator; over OpenAI's, by the gated chat model.
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .reply(prompt -> "3 + 4 = 7.\nThe answer is 7.")
                // One at a time, the sampler makes sample 1's three attempts in a row: requests 1 to 3 fail.
                .faults(FaultInjectingServer.OLLAMA_PATH, HttpFault.none(), HttpFault.serverError(500),
                        HttpFault.serverError(500), HttpFault.serverError(500))
                // The gated model's gateway does not retry: request 1 is sample 1's only attempt.
                .faults(FaultInjectingServer.OPENAI_PATH, HttpFault.none(), HttpFault.serverError(500)).start();
             ModelGateway ollama = ModelGateway.builder()
                     .model(OllamaChatModels.builder().baseUrl(server.ollamaBaseUrl()).modelName("m").build())
                     .retryPolicy(NO_BACKOFF).concurrency(1).build();
             ChatModelSampler sampler = ChatModelSampler.builder().gateway(ollama).name("m").temperature(0.8)
                     .build();
             ModelGateway openAi = ModelGateway.builder()
                     .model(OpenAiChatModels.of(server.openAiBaseUrl(), "m"))
                     .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).concurrency(1).build()) {
            ConfidenceEstimate sampled = SamplingConsistency.builder().sampler(sampler, 0.8).samples(4).build()
                    .estimate("Sam has 3 apples and buys 4.");
            ChatResponse gated = ConfidenceGatedChatModel.builder().gateway(openAi).samples(4).threshold(0.6).build()
                    .chat(ChatRequest.builder().messages(UserMessage.from("Sam has 3 apples and buys 4.")).build());
            ConfidenceEstimate gatedEstimate = ((ConfidenceChatResponseMetadata) gated.metadata()).estimate();

            for (ConfidenceEstimate estimate : List.of(sampled, gatedEstimate)) {
                assertThat(estimate.confidence()).isEqualTo(1.0);
                assertThat(estimate.signals()).containsEntry("samples", 3.0).containsEntry("failed_samples", 1.0);
                assertThat(estimate.rationale()).startsWith("All 3 chains reach 7.")
                        .endsWith("1 of 4 samples failed and were left out.");
            }
            assertThat(sampled.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.SERVER_ERROR, 3));
            assertThat(((ConfidenceChatResponseMetadata) gated.metadata()).usage().failuresByKind())
                    .isEqualTo(Map.of(CallFailure.SERVER_ERROR, 1));
            assertThat(gated.aiMessage().attributes().get("rationale")).isEqualTo(gatedEstimate.rationale());
        }
    }

    @Test
    void aPromptSearchWhoseObjectiveCannotReachTheModelSaysWhyAndThatItMayBeRetried() {
        // The objective scores a prompt by asking the user's model, which answers every request with a 503.
        try (FaultInjectingServer server = FaultInjectingServer.builder()
                .random(0, Map.of(HttpFault.serverError(503), 1.0)).start();
             ModelGateway gateway = ModelGateway.builder()
                     .model(OpenAiChatModels.of(server.openAiBaseUrl(), "m")).retryPolicy(NO_BACKOFF).build()) {
            PromptObjective objective = prompt -> {
                ChatResponse answer = gateway.call(ChatRequest.builder()
                        .messages(UserMessage.from(prompt + "\nQ: What is 2 + 2?")).build()).orThrow();
                return new PromptObjective.Evaluation(answer.aiMessage().text().contains("4") ? 1 : 0,
                        dev.reasoningsdk.api.Usage.NONE);
            };

            assertThatThrownBy(() -> HarmonySearch.create().optimize("Answer the question.", objective))
                    .isInstanceOf(ReasoningException.class)
                    .hasMessageContaining("the initial prompt could not be scored: LlmCallException: gave up after 3")
                    .hasMessageContaining("InternalServerException")
                    .hasCauseInstanceOf(ReasoningException.class)
                    .satisfies(e -> assertThat(((ReasoningException) e).isRetryable()).isTrue())
                    .satisfies(e -> assertThat(((ReasoningException) e).usage().modelCalls())
                            .isEqualTo(server.requests()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS));
        }
    }
}
