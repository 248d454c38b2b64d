package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProcessRewardScorer}: a process reward read over a finished chain's steps. */
class ProcessRewardScorerTest {

    @Test
    void aChainIsCutWhereASearchCutsItsSteps() {
        // A sentence's end keeps the white space after it for the next step; a line's end keeps its newline.
        assertThat(StepSearch.steps("Sam has 14.\nHe buys 7: 14+7=21. So 21! Done")).containsExactly(
                "Sam has 14.", "\nHe buys 7: 14+7=21.", " So 21!", " Done");
        assertThat(StepSearch.steps("Sam has 14\nHe buys 7\n\n")).containsExactly("Sam has 14\n", "He buys 7\n");
        assertThat(StepSearch.steps("\n\n1+1=2.\n")).containsExactly("\n\n1+1=2.");
        assertThat(StepSearch.steps("3.5 apples")).containsExactly("3.5 apples");
        assertThat(StepSearch.steps(" \n ")).isEmpty();
    }

    @Test
    void everyStepIsScoredWithTheChainBeforeItAndOnlyTheLastAsTheEnd() {
        List<String> seen = new ArrayList<>();
        ProcessReward costly = new ProcessReward() {
            @Override
            public double scoreStep(String question, List<String> steps, boolean complete) {
                seen.add(steps.size() + (complete ? " end" : ""));
                return steps.get(steps.size() - 1).contains("wrong") ? 0.5 : 1;
            }

            @Override
            public StepScore scoreStepWithUsage(String question, List<String> steps, boolean complete) {
                return new StepScore(scoreStep(question, steps, complete),
                        new Usage(0, 1, 0, steps.size(), 0, Duration.ZERO));
            }

            @Override
            public String name() {
                return "costly";
            }
        };
        ChainScorer scorer = ProcessRewardScorer.of(costly);

        ChainScorer.Scores scores = scorer.scoreLocally("q", List.of(ReasoningChain.of("a. wrong b. c", "s"),
                ReasoningChain.of("   ", "s")), List.of());

        assertThat(seen).containsExactly("1", "2", "3 end");
        assertThat(scores.scores().get(0)).isCloseTo(10 * Math.exp(-0.5), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(scores.scores().get(1)).isNaN();
        assertThat(scores.failures()).isEqualTo(1);
        // One forward pass per step, each reading the chain so far.
        assertThat(scores.usage().modelCalls()).isEqualTo(3);
        assertThat(scores.usage().inputTokens()).isEqualTo(1 + 2 + 3);
        assertThat(scorer.name()).isEqualTo("process-costly");
    }

    @Test
    void theArithmeticRewardScoresARightChainTenAndAChainWithOneWrongStepTenOverE() {
        ChainScorer scorer = ProcessRewardScorer.of(ArithmeticStepReward.create());

        ChainScorer.Scores scores = scorer.scoreGlobally("Double 1, 2 and 3.", List.of(
                ReasoningChain.of("1*2=2. 2*2=4. 3*2=6. The answer is 6.", "s"),
                ReasoningChain.of("1*2=2. 2*2=5. 5+2=7. The answer is 7.", "s")));

        assertThat(scores.scores()).containsExactly(10.0, 10 * Math.exp(-1));
        assertThat(scores.usage().modelCalls()).isZero();
    }
}
