package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplingConsistencyTest {

    static final String RIGHT = "14+7=21. 21-5=16. 16*2=32. The answer is 32.";
    static final String WRONG = "14+7=21. 21-7=14. 14*2=28. The answer is 28.";
    static final String OTHER = "14+7=21. 21-5=16. 16+2=18. The answer is 18.";

    static List<ReasoningChain> tenChains() {
        List<ReasoningChain> chains = new ArrayList<>();
        IntStream.range(0, 6).forEach(i -> chains.add(ReasoningChain.of(RIGHT)));
        IntStream.range(0, 3).forEach(i -> chains.add(ReasoningChain.of(WRONG)));
        chains.add(ReasoningChain.of("I cannot tell."));
        return chains;
    }

    @Test
    void agreementIsTheMajorityShareAndTheRationaleNamesTheDivergentStep() {
        ConfidenceEstimate estimate = SamplingConsistency.of(AnswerExtractors.numeric()).estimate("q", tenChains());
        assertThat(estimate.answer()).contains("32");
        assertThat(estimate.confidence()).isEqualTo(0.6);
        assertThat(estimate.method()).isEqualTo("consistency");
        assertThat(estimate.rationale()).isEqualTo(
                "6 of 10 chains reach 32; 3 reach 28, differing at step 2 (\"21-5=16.\" vs \"21-7=14.\"); "
                        + "1 gives no answer.");
        double entropy = -(0.6 * Math.log(0.6) + 0.3 * Math.log(0.3) + 0.1 * Math.log(0.1));
        assertThat(estimate.signals().get("entropy")).isCloseTo(entropy, within(1e-12));
        assertThat(estimate.signals().get("normalized_entropy")).isCloseTo(entropy / Math.log(10), within(1e-12));
        assertThat(estimate.signals().get("disagreement")).isEqualTo(0.2);
        // Nine parsed answers: six 32s and three 28s, mean 30.667.
        double mean = (6 * 32 + 3 * 28) / 9.0;
        double variance = (6 * Math.pow(32 - mean, 2) + 3 * Math.pow(28 - mean, 2)) / 9;
        assertThat(estimate.signals().get("variance")).isCloseTo(variance, within(1e-9));
        assertThat(estimate.signals()).containsEntry("unparsed", 1.0).containsEntry("distinct", 2.0);
        assertThat(estimate.usage().modelCalls()).isZero();
    }

    @Test
    void unanimityAndSingleChainsAreSaidPlainly() {
        SamplingConsistency consistency = SamplingConsistency.of(AnswerExtractors.numeric());
        ConfidenceEstimate all = consistency.estimate("q", List.of(ReasoningChain.of(RIGHT), ReasoningChain.of(RIGHT)));
        assertThat(all.confidence()).isEqualTo(1.0);
        assertThat(all.rationale()).isEqualTo("All 2 chains reach 32.");
        assertThat(all.signals().get("entropy")).isZero();
        assertThat(consistency.estimate("q", List.of(ReasoningChain.of(RIGHT))).rationale())
                .contains("single chain reaches 32");
        ConfidenceEstimate none = consistency.estimate("q", List.of(ReasoningChain.of("no idea"),
                ReasoningChain.of("none")));
        assertThat(none.answer()).isEmpty();
        assertThat(none.confidence()).isZero();
        assertThat(none.rationale()).isEqualTo("None of the 2 chains states an answer.");
    }

    @Test
    void tiesGoToTheFirstSeenAnswerAndLaterDivergenceIsFound() {
        ConfidenceEstimate estimate = SamplingConsistency.of(AnswerExtractors.numeric()).estimate("q",
                List.of(ReasoningChain.of(OTHER), ReasoningChain.of(RIGHT)));
        assertThat(estimate.answer()).contains("18");
        assertThat(estimate.rationale()).contains("differing at step 3");
    }

    @Test
    void estimateOfAQuestionSamplesAndAddsTheSamplingCost() {
        ChainSampler sampler = new ChainSampler() {
            @Override
            public SampleBatch sample(String prompt, int count, long firstSeed) {
                assertThat(prompt).isEqualTo("Q: sum?\nA:");
                List<SampleBatch.Sample> samples = new ArrayList<>();
                for (int i = 0; i < count - 1; i++) {
                    samples.add(new SampleBatch.Sample(i, i % 2 == 0 ? RIGHT : WRONG, 10, 20, 1));
                }
                List<SampleBatch.SampleFailure> failures = List.of(new SampleBatch.SampleFailure(count - 1,
                        SampleBatch.FailureKind.TIMEOUT, "slow", 2));
                return new SampleBatch(count, samples, failures, StopReason.COMPLETED,
                        new Usage(count - 1, count + 1, 1, 90, 180, Duration.ofMillis(5)));
            }

            @Override
            public String name() {
                return "fake";
            }
        };
        SamplingConsistency consistency = SamplingConsistency.builder().sampler(sampler, 0.7).samples(10)
                .promptFormat(q -> "Q: " + q + "\nA:").build();
        ConfidenceEstimate estimate = consistency.estimate("sum?");
        assertThat(estimate.answer()).contains("32");
        assertThat(estimate.confidence()).isCloseTo(5 / 9.0, within(1e-12));
        assertThat(estimate.usage().samples()).isEqualTo(9);
        assertThat(estimate.usage().failedCalls()).isEqualTo(1);
    }

    @Test
    void misuseIsRefused() {
        SamplingConsistency consistency = SamplingConsistency.of(AnswerExtractors.numeric());
        assertThatThrownBy(() -> consistency.estimate("q")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without a sampler");
        assertThatThrownBy(() -> consistency.estimate("q", List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one sample");
        assertThatThrownBy(() -> SamplingConsistency.builder().samples(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void modelRationaleIsUsedWhenChainsDisagreeAndFallsBackOnFailure() {
        ScriptedChatModel model = ScriptedChatModel.builder().reply("I am unsure whether she gives away 5 or 7.")
                .failure(new RuntimeException("scripted failure")).build();
        SamplingConsistency consistency = SamplingConsistency.builder()
                .rationale(InconsistencyRationale.withModel(model)).build();
        ConfidenceEstimate first = consistency.estimate("How many?", tenChains());
        assertThat(first.rationale()).isEqualTo("I am unsure whether she gives away 5 or 7.");
        assertThat(first.usage().modelCalls()).isEqualTo(1);
        assertThat(model.requests().get(0).messages().toString()).contains("first person").contains("6 of 10");

        ConfidenceEstimate second = consistency.estimate("How many?", tenChains());
        assertThat(second.rationale()).startsWith("6 of 10 chains reach 32");
        assertThat(second.usage().failedCalls()).isEqualTo(1);

        ConfidenceEstimate unanimous = consistency.estimate("How many?", List.of(ReasoningChain.of(RIGHT)));
        assertThat(unanimous.usage().modelCalls()).isZero();
    }
}
