package dev.reasoningsdk.impl.confidence;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RefusalTest {

    private static final String RIGHT = SamplingConsistencyTest.RIGHT;
    private static final String WRONG = SamplingConsistencyTest.WRONG;

    @Test
    void thresholdForAccuracyKeepsTheMostAnswersThatReachTheTarget() {
        LabelledScores data = LabelledScores.of(new double[] {0.95, 0.9, 0.8, 0.8, 0.6, 0.3},
                new boolean[] {true, true, true, false, true, false});
        RefusalPolicy.ThresholdChoice choice = RefusalPolicy.thresholdForAccuracy(data, 0.75);
        // At 0.6: 4 of 5 correct (0.8 >= 0.75); at 0.3 only 4 of 6.
        assertThat(choice.threshold()).isEqualTo(0.6);
        assertThat(choice.accuracy()).isEqualTo(0.8);
        assertThat(choice.coverage()).isEqualTo(5 / 6.0);
        assertThat(choice.reached()).isTrue();

        RefusalPolicy.ThresholdChoice perfect = RefusalPolicy.thresholdForAccuracy(data, 1.0);
        assertThat(perfect.threshold()).isEqualTo(0.9);

        LabelledScores hopeless = LabelledScores.of(new double[] {0.9, 0.2}, new boolean[] {false, false});
        RefusalPolicy.ThresholdChoice none = RefusalPolicy.thresholdForAccuracy(hopeless, 0.9);
        assertThat(none.reached()).isFalse();
        assertThat(none.coverage()).isZero();
        assertThat(RefusalPolicy.atThreshold(none.threshold()).answers(0.9)).isFalse();
        assertThatThrownBy(() -> RefusalPolicy.thresholdForAccuracy(data, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aThresholdThatReachesNoTargetRefusesHigherScoresOfOtherDataToo() {
        // The first half tops out at 0.5, where 1 of 2 answers is right; the second half's answers at 0.75 are
        // beyond anything the threshold was chosen on, and must not be answered by a choice that reached nothing.
        LabelledScores data = LabelledScores.of(new double[] {0.5, 0.5, 0.25, 0.75, 0.75, 0.25},
                new boolean[] {true, false, false, true, false, false});
        RefusalPolicy.ThresholdChoice none = RefusalPolicy.thresholdForAccuracy(data.slice(0, 3), 0.9);

        assertThat(none.reached()).isFalse();
        assertThat(RefusalPolicy.atThreshold(none.threshold()).answers(0.75)).isFalse();
        assertThat(RefusalPolicy.atThreshold(none.threshold()).answers(1.0)).isFalse();
        CrossFitting.ThresholdTransfer transfer = CrossFitting.refusalOutOfFold(data, 0.9).get(0);
        assertThat(transfer.chosen().reached()).isFalse();
        assertThat(transfer.heldOutCoverage()).isZero();
        assertThat(transfer.heldOutAccuracy()).isNaN();
    }

    @Test
    void policyRefusesBelowTheThresholdWithTheRationale() {
        ConfidenceEstimate estimate = new ConfidenceEstimate(Optional.of("32"), 0.4, "2 of 5 chains reach 32.",
                "consistency", Map.of(), Usage.NONE);
        RefusalPolicy policy = RefusalPolicy.atThreshold(0.5);
        RefusalPolicy.Decision refused = policy.decide(estimate, "The answer is 32.");
        assertThat(refused.refused()).isTrue();
        assertThat(refused.text()).isEqualTo("I don't know. 2 of 5 chains reach 32.");
        RefusalPolicy.Decision answered = policy.decide(estimate.withConfidence(0.5), "The answer is 32.");
        assertThat(answered.refused()).isFalse();
        assertThat(answered.text()).isEqualTo("The answer is 32.");
        assertThatThrownBy(() -> RefusalPolicy.atThreshold(1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gatedModelAnswersWithConfidenceInTheMetadata() {
        ScriptedChatModel delegate = ScriptedChatModel.replying(WRONG, RIGHT, RIGHT, RIGHT, RIGHT);
        ConfidenceGatedChatModel gated = ConfidenceGatedChatModel.builder().delegate(delegate).threshold(0.6)
                .appendConfidence(true).build();
        ChatResponse response = gated.chat(ChatRequest.builder().messages(UserMessage.from("How many?")).build());
        assertThat(response.aiMessage().text()).startsWith(RIGHT).contains("Confidence: 0.80. 4 of 5 chains reach 32");
        ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) response.metadata();
        assertThat(metadata.confidence()).isEqualTo(0.8);
        assertThat(metadata.refused()).isFalse();
        assertThat(metadata.rationale()).startsWith("4 of 5 chains reach 32; 1 reaches 28, differing at step 2");
        assertThat(metadata.usage().samples()).isEqualTo(5);
        assertThat(metadata.tokenUsage().inputTokenCount()).isEqualTo(50);
        assertThat(response.aiMessage().attributes()).containsEntry("refused", false).containsEntry("confidence", 0.8);
        assertThat(delegate.requests()).hasSize(5);
    }

    @Test
    void gatedModelRefusesBelowTheCalibratedThresholdAndCountsFailedSamples() {
        ScriptedChatModel delegate = ScriptedChatModel.builder().replies(RIGHT, WRONG)
                .failure(new RuntimeException("scripted failure")).replies(RIGHT, WRONG).build();
        ConfidenceGatedChatModel gated = ConfidenceGatedChatModel.builder().delegate(delegate)
                .calibrator(new PlattCalibrator(4, -3)).threshold(0.5).build();
        ChatResponse response = gated.chat(UserMessage.from("How many?"));
        ConfidenceChatResponseMetadata metadata = (ConfidenceChatResponseMetadata) response.metadata();
        // 2 of 4 agree: raw 0.5, calibrated sigmoid(4 * 0.5 - 3) = 0.269.
        assertThat(metadata.estimate().confidence()).isEqualTo(0.5);
        assertThat(metadata.confidence()).isEqualTo(1 / (1 + Math.exp(1)));
        assertThat(metadata.refused()).isTrue();
        // The samples are drawn concurrently, so which scripted reply lands first (and so which side of the 2-2 tie
        // the rationale names first) varies from run to run.
        assertThat(response.aiMessage().text()).isIn(
                "I don't know. 2 of 4 chains reach 32; 2 reach 28, differing at step 2 (\"21-5=16.\" vs \"21-7=14.\")."
                        + " 1 of 5 samples failed and were left out.",
                "I don't know. 2 of 4 chains reach 28; 2 reach 32, differing at step 2 (\"21-7=14.\" vs \"21-5=16.\")."
                        + " 1 of 5 samples failed and were left out.");
        assertThat(metadata.usage().failedCalls()).isEqualTo(1);
    }

    @Test
    void gatedModelFailsOnlyWhenEverySampleFails() {
        ConfidenceGatedChatModel gated = ConfidenceGatedChatModel.builder()
                .delegate(ScriptedChatModel.builder().failure(new RuntimeException("scripted failure"))
                        .failure(new RuntimeException("scripted failure")).build()).samples(2).build();
        assertThatThrownBy(() -> gated.chat("How many?")).hasMessageContaining("scripted failure");
        assertThatThrownBy(() -> ConfidenceGatedChatModel.builder().build()).isInstanceOf(IllegalStateException.class);
        // The default estimator is sampling consistency: over one sample it is 1, and nothing is ever refused.
        assertThatThrownBy(() -> ConfidenceGatedChatModel.builder().delegate(ScriptedChatModel.replying("42"))
                .samples(1).build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("always 1");
        assertThat(ConfidenceGatedChatModel.builder().delegate(ScriptedChatModel.replying("42")).samples(1)
                .estimator(VerbalizedConfidence.builder().build()).build()).isNotNull();
        assertThatThrownBy(() -> ConfidenceGatedChatModel.builder().threshold(2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
