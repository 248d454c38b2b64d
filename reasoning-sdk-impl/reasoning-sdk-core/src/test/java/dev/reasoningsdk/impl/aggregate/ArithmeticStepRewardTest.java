package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The question-grounded check of {@link ArithmeticStepReward} and the calculator it shares with the search. */
class ArithmeticStepRewardTest {

    private static final String QUESTION = "Ana has 17 shells. She sells 5. She halves them. She keeps 1/3 of them. "
            + "How many shells now?";
    private static final ArithmeticStepReward GROUNDED = ArithmeticStepReward.builder().groundingFactor(0).build();

    @Test
    void aStepMayTakeOnlyNumbersTheQuestionStatesOrEarlierResults() {
        assertThat(GROUNDED.scoreStep(QUESTION, List.of(" 17-5=12."), false)).isEqualTo(1.0);
        // 4 is stated nowhere; the check is off by default.
        assertThat(GROUNDED.scoreStep(QUESTION, List.of(" 17-4=13."), false)).isEqualTo(0.0);
        assertThat(ArithmeticStepReward.create().scoreStep(QUESTION, List.of(" 17-4=13."), false)).isEqualTo(1.0);
        // "halves" stands for 2, "1/3" for 3, and earlier results are operands too.
        assertThat(GROUNDED.scoreStep(QUESTION, List.of(" 17-5=12.", " 12/2=6.", " 6/3=2."), false))
                .isEqualTo(1.0);
        // The question states 5 once: a second use is a misread.
        assertThat(GROUNDED.scoreStep(QUESTION, List.of(" 17-5=12.", " 12*5=60."), false)).isEqualTo(0.0);
    }

    @Test
    void aFinishedChainMustUseEveryStatedNumberAndAnswerItsLastResult() {
        List<String> whole = List.of(" 17-5=12.", " 12/2=6.", " 6/3=2.");
        assertThat(GROUNDED.scoreStep(QUESTION, append(whole, " The answer is 2."), true)).isEqualTo(1.0);
        assertThat(GROUNDED.scoreStep(QUESTION, append(whole, " The answer is 6."), true)).isEqualTo(0.0);
        assertThat(ArithmeticStepReward.create().scoreStep(QUESTION, append(whole, " The answer is 6."), true))
                .isEqualTo(1.0);
        assertThat(GROUNDED.scoreStep(QUESTION, List.of(" 17-5=12.", " 12/2=6.", " The answer is 6."), true))
                .isEqualTo(0.0);
        assertThat(ArithmeticStepReward.builder().groundingFactor(0.5).build().scoreStep(QUESTION,
                List.of(" 17-4=13."), false)).isEqualTo(0.5);
        assertThatThrownBy(() -> ArithmeticStepReward.builder().groundingFactor(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groundingFactor");
    }

    @Test
    void questionNumbersReadDigitsUnitFractionsAndNumberWords() {
        assertThat(QuestionNumbers.of("Tom has 1,200 cards. He keeps 1/5 of them. He doubles them. He triples "
                + "them. He gets 9 times as many. Mia gives 1 more."))
                .containsExactly(1200.0, 5.0, 2.0, 3.0, 9.0, 1.0);
    }

    @Test
    void theCalculatorReplacesOnlyWrongResults() {
        assertThat(ArithmeticVerifier.corrected(" 105-96=69.")).isEqualTo(" 105-96=9.");
        assertThat(ArithmeticVerifier.corrected(" 7/2=3. 2+2=4. 3*3=10.")).isEqualTo(" 7/2=3.5. 2+2=4. 3*3=9.");
        assertThat(ArithmeticVerifier.corrected(" 105-96=9.")).isEqualTo(" 105-96=9.");
        assertThat(ArithmeticVerifier.corrected(" The answer is 9.")).isEqualTo(" The answer is 9.");
        // Text the verifier normalises first is left as written.
        assertThat(ArithmeticVerifier.corrected(" $1,000+5=1006.")).isEqualTo(" $1,000+5=1006.");
    }

    private static List<String> append(List<String> steps, String step) {
        List<String> all = new java.util.ArrayList<>(steps);
        all.add(step);
        return all;
    }
}
