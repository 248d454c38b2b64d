package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerbalizedConfidenceTest {

    private static final String WELL_FORMED = """
            16 - 3 - 4 = 9 eggs, 9 * 2 = 18. The answer is 18.
            Self-reflection: I am unsure whether the muffins use four eggs in total or four each.
            Confidence: 8""";

    @Test
    void wellFormedResponseGivesConfidenceReflectionAndAnswer() {
        ScriptedChatModel model = ScriptedChatModel.replying(WELL_FORMED);
        ConfidenceEstimate estimate = VerbalizedConfidence.of(model).estimate("How much?");
        assertThat(estimate.answer()).contains("18");
        assertThat(estimate.confidence()).isEqualTo(0.8);
        assertThat(estimate.rationale()).isEqualTo(
                "I am unsure whether the muffins use four eggs in total or four each.");
        assertThat(estimate.signals()).containsEntry("verbalized_missing", 0.0).containsEntry("attempts", 1.0);
        assertThat(estimate.usage().modelCalls()).isEqualTo(1);
        assertThat(estimate.usage().failedCalls()).isZero();
        assertThat(estimate.usage().inputTokens()).isEqualTo(10);
        assertThat(model.requests().get(0).messages().toString()).contains("Self-reflection:");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "The answer is 18.\\n**Self-reflection:** I may have misread.\\n**Confidence:** 7/10 | 0.7",
            "The answer is 18.\\nSelf reflection: unsure.\\nConfidence level = 9 out of 10 | 0.9",
            "The answer is 18.\\nSelf-reflection: fine.\\nconfidence: 60% | 0.6",
            "The answer is 18.\\nConfidence: 3\\nSelf-reflection: second thoughts.\\nConfidence: 6 | 0.6",
            "The answer is 18.\\nSelf-reflection: fine.\\nConfidence: 10 | 1.0",
            "The answer is 18.\\nSelf-reflection: fine.\\nConfidence: 85/100 | 0.85",
            "The answer is 18.\\nSelf-reflection: fine.\\nConfidence: 4 out of 5 | 0.8"})
    void variantsOfTheFormAreParsed(String response, double expected) {
        VerbalizedConfidence.Parsed parsed = VerbalizedConfidence.builder().build()
                .parse(response.replace("\\n", "\n"));
        assertThat(parsed.confidence()).hasValue(expected);
        assertThat(parsed.answer()).contains("18");
    }

    @Test
    void outOfRangeAndMissingNumbersAreNotParsed() {
        VerbalizedConfidence parser = VerbalizedConfidence.builder().build();
        assertThat(parser.parse("The answer is 18.\nConfidence: 11").confidence()).isEmpty();
        assertThat(parser.parse("The answer is 18.\nConfidence: 0").confidence()).isEmpty();
        assertThat(parser.parse("The answer is 18.\nConfidence: high").confidence()).isEmpty();
        // On the scale the model names: 8 of 100 is below 1 of 10 (it was read as 8 of 10), 7 of 5 above 10.
        assertThat(parser.parse("The answer is 18.\nConfidence: 8/100").confidence()).isEmpty();
        assertThat(parser.parse("The answer is 18.\nConfidence: 7/5").confidence()).isEmpty();
        assertThat(parser.parse("The answer is 18.\nConfidence: 3 out of 0").confidence()).isEmpty();
        // The confidence number is never taken for the answer.
        assertThat(parser.parse("She has 18 eggs.\nConfidence: 9").answer()).contains("18");
    }

    @Test
    void malformedConfidenceIsAskedForAgainInTheSameConversation() {
        ScriptedChatModel model = ScriptedChatModel.replying(
                "The answer is 18.\nSelf-reflection: the muffins.\nConfidence: very high",
                "Self-reflection: I double-checked the subtraction.\nConfidence: 9");
        ConfidenceEstimate estimate = VerbalizedConfidence.of(model).estimate("How much?");
        assertThat(estimate.answer()).contains("18");
        assertThat(estimate.confidence()).isEqualTo(0.9);
        assertThat(estimate.rationale()).isEqualTo("I double-checked the subtraction.");
        assertThat(estimate.signals()).containsEntry("attempts", 2.0);
        assertThat(estimate.usage().modelCalls()).isEqualTo(2);
        assertThat(estimate.usage().failedCalls()).isEqualTo(1);
        assertThat(model.requests().get(1).messages()).hasSize(3);
        assertThat(model.requests().get(1).messages().get(2).toString()).contains("did not state your confidence");
    }

    @Test
    void missingConfidenceIsCountedNeverInvented() {
        ScriptedChatModel model = ScriptedChatModel.replying("The answer is 18.", "I think so.", "Sure!");
        ConfidenceEstimate estimate = VerbalizedConfidence.of(model).estimate("How much?");
        assertThat(estimate.answer()).contains("18");
        assertThat(estimate.confidence()).isZero();
        assertThat(estimate.signals()).containsEntry("verbalized_missing", 1.0)
                .doesNotContainKey("verbalized_confidence");
        assertThat(estimate.rationale()).contains("no usable confidence (3 attempts)");
        assertThat(estimate.usage().modelCalls()).isEqualTo(3);
        assertThat(estimate.usage().failedCalls()).isEqualTo(3);
    }

    @Test
    void failedCallsAreRetriedWithinTheBound() {
        ScriptedChatModel model = ScriptedChatModel.builder().failure(new RuntimeException("scripted failure"))
                .replies("", WELL_FORMED).build();
        ConfidenceEstimate estimate = VerbalizedConfidence.of(model).estimate("How much?");
        assertThat(estimate.confidence()).isEqualTo(0.8);
        assertThat(estimate.usage().modelCalls()).isEqualTo(3);
        assertThat(estimate.usage().failedCalls()).isEqualTo(2);

        ScriptedChatModel failing = ScriptedChatModel.builder().failure(new RuntimeException("scripted failure"))
                .failure(new RuntimeException("scripted failure")).build();
        ConfidenceEstimate failed = VerbalizedConfidence.builder().model(failing).maxAttempts(2).build()
                .estimate("How much?");
        assertThat(failed.answer()).isEmpty();
        assertThat(failed.confidence()).isZero();
        assertThat(failed.usage().failedCalls()).isEqualTo(2);
    }

    @Test
    void givenResponsesAreParsedAndFollowedUpOnlyWithAModel() {
        VerbalizedConfidence offline = VerbalizedConfidence.builder().build();
        assertThat(offline.estimate("q", List.of(ReasoningChain.of(WELL_FORMED))).confidence()).isEqualTo(0.8);
        ConfidenceEstimate missing = offline.estimate("q", List.of(ReasoningChain.of("The answer is 18.")));
        assertThat(missing.signals()).containsEntry("verbalized_missing", 1.0);
        assertThat(missing.usage().modelCalls()).isZero();

        ScriptedChatModel model = ScriptedChatModel.replying("Self-reflection: fine.\nConfidence: 5");
        ConfidenceEstimate followed = VerbalizedConfidence.of(model)
                .estimate("q", List.of(ReasoningChain.of("The answer is 18.")));
        assertThat(followed.confidence()).isEqualTo(0.5);
        assertThat(followed.answer()).contains("18");
        assertThatThrownBy(() -> offline.estimate("q")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> offline.estimate("q", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aConfidenceDraftedWhileThinkingIsNotTheOneStated() {
        VerbalizedConfidence parser = VerbalizedConfidence.builder().build();
        VerbalizedConfidence.Parsed parsed = parser.parse("<think>The answer is 17.\nSelf-reflection: I doubt the "
                + "eggs.\nConfidence: 3\nNo, recount.</think>\nThe answer is 18.\nSelf-reflection: I may have "
                + "misread.\nConfidence: 8");
        assertThat(parsed.confidence()).hasValue(0.8);
        assertThat(parsed.reflection()).isEqualTo("I may have misread.");
        assertThat(parsed.answer()).contains("18");

        assertThat(parser.parse("<think>Self-reflection: unsure.\nConfidence: 3</think>\nThe answer is 18.")
                .confidence()).isEmpty();
        VerbalizedConfidence.Parsed cutOff = parser.parse("<think>The answer is 17.\nSelf-reflection: unsure.\n"
                + "Confidence: 3\nLet me recount the eggs");
        assertThat(cutOff).isEqualTo(new VerbalizedConfidence.Parsed(java.util.Optional.empty(), "",
                java.util.OptionalDouble.empty()));
    }

    @Test
    void aReplyCutOffWhileThinkingIsRatedZeroNotByItsDraftNorByAFollowUp() {
        ScriptedChatModel model = ScriptedChatModel.replying(
                "<think>The answer is 17. Confidence: 3. Let me recount", "Self-reflection: fine.\nConfidence: 6");
        ConfidenceEstimate estimate = VerbalizedConfidence.of(model).estimate("How much?");

        assertThat(estimate.confidence()).isZero();
        assertThat(estimate.answer()).isEmpty();
        assertThat(estimate.signals()).containsEntry("verbalized_missing", 1.0).containsEntry("attempts", 1.0);
        assertThat(model.requests()).hasSize(1);
        assertThat(estimate.usage().failuresByKind()).containsEntry(CallFailure.GARBAGE, 1);
    }

    @Test
    void aMissingConfidenceSaysWhetherAnyCallCameBackWithAReply() {
        // Blank replies only: no call was answered, which a caller reports as a failed run, not as a model's silence.
        ScriptedChatModel blank = ScriptedChatModel.replying("", "", "", "", "", "", "", "", "", "");
        ConfidenceEstimate unanswered = VerbalizedConfidence.of(blank).estimate("How much?");
        assertThat(unanswered.signals()).containsEntry("verbalized_missing", 1.0).containsEntry("unanswered", 1.0);
        assertThat(unanswered.usage().failedCalls()).isEqualTo(unanswered.usage().modelCalls());

        ScriptedChatModel silent = ScriptedChatModel.replying("The answer is 4.", "It is 4.", "Still 4.");
        ConfidenceEstimate stated = VerbalizedConfidence.of(silent).estimate("How much?");
        assertThat(stated.signals()).containsEntry("verbalized_missing", 1.0).containsEntry("unanswered", 0.0);
        assertThat(stated.answer()).contains("4");
    }
}
