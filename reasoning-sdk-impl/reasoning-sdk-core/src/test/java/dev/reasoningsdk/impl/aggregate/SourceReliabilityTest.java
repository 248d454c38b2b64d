package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SourceReliabilityTest {

    /**
     * Sources right with the given probabilities; wrong answers spread over four values, as the one-coin model assumes.
     */
    private static List<List<ReasoningChain>> synthetic(double[] accuracy, int questions, long seed) {
        Random random = new Random(seed);
        List<List<ReasoningChain>> data = new ArrayList<>();
        for (int q = 0; q < questions; q++) {
            List<ReasoningChain> chains = new ArrayList<>();
            for (int s = 0; s < accuracy.length; s++) {
                int answer = random.nextDouble() < accuracy[s] ? 1000 + q : 2000 + 10 * q + random.nextInt(4);
                chains.add(ReasoningChain.of("A: " + answer, "model-" + s));
            }
            data.add(chains);
        }
        return data;
    }

    @Test
    void recoversWhichSourceIsReliableWithoutLabels() {
        double[] accuracy = {0.9, 0.55, 0.35, 0.3};
        SourceReliability reliability = SourceReliability.fit(AnswerExtractors.numeric(),
                synthetic(accuracy, 400, 7));

        assertThat(reliability.accuracies().keySet()).containsExactly("model-0", "model-1", "model-2", "model-3");
        assertThat(reliability.accuracies().get("model-0")).isBetween(0.8, 0.999);
        assertThat(reliability.sourceWeight("model-0")).isGreaterThan(reliability.sourceWeight("model-1"));
        assertThat(reliability.sourceWeight("model-1")).isGreaterThan(reliability.sourceWeight("model-3"));
        assertThat(reliability.sourceWeight("unknown")).isPositive();
        assertThat(reliability.iterations()).isBetween(1, 100);
    }

    @Test
    void reliabilityWeightedVoteBeatsTheMajorityWhenTheBestSourceIsOutvoted() {
        double[] accuracy = {0.9, 0.4, 0.3, 0.3};
        List<List<ReasoningChain>> train = synthetic(accuracy, 400, 11);
        List<List<ReasoningChain>> test = synthetic(accuracy, 400, 12);
        SourceReliability reliability = SourceReliability.fit(AnswerExtractors.numeric(), train);
        WeightedVote weighted = WeightedVote.bySourceReliability(AnswerExtractors.numeric(), reliability);
        MajorityVote majority = MajorityVote.of(AnswerExtractors.numeric());

        int weightedRight = 0;
        int majorityRight = 0;
        for (int q = 0; q < test.size(); q++) {
            String gold = String.valueOf(1000 + q);
            weightedRight += weighted.aggregate("q", test.get(q)).answer().orElse("").equals(gold) ? 1 : 0;
            majorityRight += majority.aggregate("q", test.get(q)).answer().orElse("").equals(gold) ? 1 : 0;
        }
        assertThat(weightedRight).isGreaterThan(majorityRight);
    }

    @Test
    void fitRejectsDataWithoutAnswers() {
        assertThatThrownBy(() -> SourceReliability.fit(AnswerExtractors.numeric(),
                List.of(List.of(ReasoningChain.of("no answer", "m")))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SourceReliability.builder().fit(List.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SourceReliability.builder().alternatives(1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
