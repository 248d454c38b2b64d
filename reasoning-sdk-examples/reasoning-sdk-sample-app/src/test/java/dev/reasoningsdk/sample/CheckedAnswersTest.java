package dev.reasoningsdk.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.confidence.ConfidenceChatResponseMetadata;
import org.junit.jupiter.api.Test;

class CheckedAnswersTest {

    private static final ChatRequest QUESTION = ChatRequest.builder().messages(UserMessage.from("14 + 7?")).build();

    @Test
    void majorityVotePicksTheMostFrequentAnswer() {
        ScriptedChatModel model = ScriptedChatModel.replying("The answer is 21.", "The answer is 20.",
                "The answer is 21.", "The answer is 21.", "The answer is 7.");

        AggregationResult result = new CheckedAnswers(model).vote("Sam has 14 apples and buys 7. How many?", 5);

        assertEquals("21", result.answer().orElseThrow());
        assertEquals(5, result.usage().modelCalls());
        assertEquals(5, model.calls());
    }

    @Test
    void gatedModelAttachesConfidenceAndRefusesBelowTheThreshold() {
        ChatModel agreeing = ScriptedChatModel.byRule(request -> "The answer is 21.");
        ChatResponse confident = new CheckedAnswers(agreeing).gated(0.6).chat(
                QUESTION);
        ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) confident.metadata();
        assertTrue(metadata.confidence() >= 0.6, "unanimous samples are confident: " + metadata.confidence());
        assertTrue(confident.aiMessage().text().contains("21"));

        ScriptedChatModel scattered = ScriptedChatModel.replying("The answer is 1.", "The answer is 2.",
                "The answer is 3.", "The answer is 4.", "The answer is 5.", "The answer is 6.");
        ChatResponse refused = new CheckedAnswers(scattered).gated(0.6).chat(
                QUESTION);
        ConfidenceChatResponseMetadata refusedMetadata = (ConfidenceChatResponseMetadata) refused.metadata();
        assertTrue(refusedMetadata.confidence() < 0.6, "scattered samples are not: " + refusedMetadata.confidence());
        assertTrue(refusedMetadata.refused());
    }
}
