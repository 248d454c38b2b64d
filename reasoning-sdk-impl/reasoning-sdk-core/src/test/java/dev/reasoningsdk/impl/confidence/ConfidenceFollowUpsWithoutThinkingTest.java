package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The confidence techniques that send a reasoning model's earlier reply back to it (SaySelf's follow-up for a missing
 * confidence and its inconsistency rationale, R-Tuning's sure question) send its answer, not its thinking: the chat
 * templates of Qwen3 and DeepSeek-R1 drop the thinking of an earlier assistant turn themselves.
 */
class ConfidenceFollowUpsWithoutThinkingTest {

    private static final String THOUGHT =
            "<think>\nSCRATCH: 16 - 3 = 13? Confidence: 9. No, 16 - 3 - 4 = 9.\n</think>\n\n";

    @Test
    void verbalizedConfidenceFollowsUpOnTheAnswerNotTheThinking() {
        ScriptedChatModel model = ScriptedChatModel.replying(THOUGHT + "9 * 2 = 18. The answer is 18.",
                "Self-reflection: I may have misread the eggs.\nConfidence: 7");
        ConfidenceEstimate estimate = VerbalizedConfidence.of(model).estimate("How much?");

        assertThat(estimate.confidence()).isEqualTo(0.7);
        List<ChatMessage> followUp = model.requests().get(1).messages();
        assertThat(followUp).hasSize(3);
        assertThat(((AiMessage) followUp.get(1)).text()).isEqualTo("9 * 2 = 18. The answer is 18.");
    }

    @Test
    void aResponseWithNothingOutsideItsThinkingIsRatedZeroWithoutAFollowUp() {
        for (String response : List.of("<think>SCRATCH: 16 - 3 = 13? Let me", "<think>16 - 3 = 13.</think>\n \n")) {
            ScriptedChatModel model = ScriptedChatModel.replying(response, "The answer is 18.\nConfidence: 6");
            ConfidenceEstimate estimate = VerbalizedConfidence.of(model).estimate("How much?");

            assertThat(estimate.confidence()).as(response).isZero();
            assertThat(estimate.answer()).as(response).isEmpty();
            assertThat(estimate.signals()).as(response).containsEntry("verbalized_missing", 1.0);
            assertThat(estimate.rationale()).as(response).contains("no answer outside its thinking");
            assertThat(model.requests()).as(response).hasSize(1);
            assertThat(estimate.usage().modelCalls()).as(response).isEqualTo(1);

            ScriptedChatModel unused = ScriptedChatModel.replying("The answer is 18.\nConfidence: 6");
            ConfidenceEstimate ofGivenChain = VerbalizedConfidence.of(unused)
                    .estimate("How much?", List.of(ReasoningChain.of(response)));
            assertThat(ofGivenChain.confidence()).as(response).isZero();
            assertThat(ofGivenChain.signals()).as(response).containsEntry("attempts", 0.0);
            assertThat(unused.requests()).as(response).isEmpty();
        }
    }

    @Test
    void theLocalSureQuestionFollowsTheAnswerNotTheThinking() {
        TokenProbabilityConfidenceTest.TemplatedModel model = new TokenProbabilityConfidenceTest.TemplatedModel();
        TokenProbabilityConfidence estimator = TokenProbabilityConfidence.builder().model(model)
                .promptFormat(model::formatPrompt).build();
        estimator.estimate("Sam?", List.of(ReasoningChain.of(THOUGHT + "The answer is 32.")));

        assertThat(model.scoredPrompts.get(2)).isEqualTo(model.formatConversation(List.of(ChatTurn.user("Sam?"),
                ChatTurn.assistant("The answer is 32."), ChatTurn.user(TokenProbabilityConfidence.SURE_QUESTION))));
    }

    @Test
    void theRationaleModelIsShownTheAnswersAndItsOwnThinkingIsNotTheRationale() {
        ScriptedChatModel model = ScriptedChatModel.replying("<think>SCRATCH-RATIONALE: 4 or 5?</think>\n"
                + "I am unsure whether the sum is 4 or 5.");
        AnswerGroups groups = AnswerGroups.of(List.of(ReasoningChain.of(THOUGHT + "2 + 2 = 4. The answer is 4."),
                ReasoningChain.of("<think>SCRATCH-OTHER</think>2 + 3 = 5. The answer is 5.")),
                AnswerExtractors.numeric());

        InconsistencyRationale.Rationale rationale = InconsistencyRationale.withModel(model).explain("2 + 2?", groups);

        assertThat(rationale.fromModel()).isTrue();
        assertThat(rationale.text()).isEqualTo("I am unsure whether the sum is 4 or 5.");
        assertThat(model.userTexts().get(0)).contains("reaching 4:\n2 + 2 = 4. The answer is 4.\n")
                .contains("reaching 5:\n2 + 3 = 5. The answer is 5.\n").doesNotContain("SCRATCH");
    }

    @Test
    void aRationaleCutOffWhileThinkingIsGarbageAndTheDeterministicTextIsUsed() {
        ScriptedChatModel model = ScriptedChatModel.replying("<think>SCRATCH-RATIONALE: 4 or 5? Let me");
        AnswerGroups groups = AnswerGroups.of(List.of(ReasoningChain.of("The answer is 4."),
                ReasoningChain.of("The answer is 5.")), AnswerExtractors.numeric());

        InconsistencyRationale.Rationale rationale = InconsistencyRationale.withModel(model).explain("2 + 2?", groups);

        assertThat(rationale.fromModel()).isFalse();
        assertThat(rationale.text()).isEqualTo(InconsistencyRationale.describe(groups));
        assertThat(rationale.usage().failedCalls(CallFailure.GARBAGE)).isEqualTo(1);
    }
}
