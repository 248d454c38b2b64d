package dev.reasoningsdk.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.impl.aggregate.StepSearchResult;
import dev.reasoningsdk.impl.confidence.ConfidenceChatResponseMetadata;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's quick start on the real embedded model. */
class QuickStartTest {

    private static final String EASY = "Sam has 14 apples. He buys 7 more. How many apples does Sam have?";
    private static HuggingFaceOnnxModel model;

    @BeforeAll
    static void load() {
        model = TinyReasoner.create();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aggregationOfReasoningSolvesAnEasyProblemAndSaysWhatItCost() {
        AggregationResult result = QuickStart.aggregate(model, EASY);

        assertThat(result.answer()).contains("21");
        assertThat(result.usage().samples()).isGreaterThanOrEqualTo(20);
        assertThat(result.totalChains()).isEqualTo(result.usage().samples());
    }

    @Test
    void stepSearchSolvesAnEasyProblemWithinItsBudgetAndRepeatsItsPath() {
        StepSearchResult result = QuickStart.searchSteps(model, EASY);

        assertThat(result.answer()).contains("21");
        assertThat(result.complete()).isTrue();
        assertThat(result.path()).isNotEmpty().allSatisfy(step -> assertThat(step.reward()).isBetween(0.0, 1.0));
        assertThat(result.generatedTokens()).isPositive().isLessThanOrEqualTo(512);
        assertThat(QuickStart.searchSteps(model, EASY).chain()).isEqualTo(result.chain());
    }

    @Test
    void theGatedModelAnswersAnEasyProblemWithItsConfidence() {
        ChatResponse response = QuickStart.askGated(model, EASY);

        assertThat(response.metadata()).isInstanceOf(ConfidenceChatResponseMetadata.class);
        ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) response.metadata();
        assertThat(metadata.refused()).isFalse();
        assertThat(response.aiMessage().text()).contains("The answer is 21.");
    }

    /** The README's "Test your LangChain4j wiring offline" snippet, as written there (the model is the shared one). */
    @Test
    void theReadmeServerSnippetServesTheModelToLangChain4jsOwnOpenAiClient() {
        try (LocalOpenAiServer server = LocalOpenAiServer.start(model)) {      // 127.0.0.1, a free port
            ChatModel chat = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                    .modelName(server.modelName()).seed(42).logprobs(true).topLogprobs(5).build();
            ChatResponse first = chat.chat(UserMessage.from(EASY));
            ChatResponse again = chat.chat(UserMessage.from(EASY));

            assertThat(server.baseUrl()).startsWith("http://127.0.0.1:").endsWith("/v1");
            assertThat(first.aiMessage().text()).isNotBlank().isEqualTo(again.aiMessage().text());
            assertThat(first.tokenUsage().outputTokenCount()).isPositive();
            assertThat(first.finishReason()).isNotNull();
        }
    }
}
