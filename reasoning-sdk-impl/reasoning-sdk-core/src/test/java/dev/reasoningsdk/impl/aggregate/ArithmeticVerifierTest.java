package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.reasoningsdk.api.ReasoningChain;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArithmeticVerifierTest {

    private final ArithmeticVerifier verifier = ArithmeticVerifier.create();

    @Test
    void checksGsm8kCalculatorAnnotations() {
        ArithmeticVerifier.Verification right = verifier.verify("""
                Janet eats 3 and bakes 4, so 3 + 4 = <<3+4=7>>7 eggs are used
                16 - 7 = <<16-7=9>>9 eggs are for sale
                She makes 2 * 9 = $<<2*9=18>>18 per day
                A: 18""");
        assertThat(right.steps()).hasSize(3).allMatch(ArithmeticVerifier.Step::correct);
        assertThat(right.answerConsistent()).isTrue();
        assertThat(right.score()).isEqualTo(10.0);

        ArithmeticVerifier.Verification wrong = verifier.verify("13 eggs: <<16-3=13>>13\n13 * 2 = <<13*2=28>>28\nA: 28");
        assertThat(wrong.correctSteps()).isEqualTo(1);
        assertThat(wrong.score()).isEqualTo(5.0);
    }

    @Test
    void checksPlainEquationsWithCurrencyCommasAndTimesSigns() {
        ArithmeticVerifier.Verification verification = verifier.verify(
                "She pays 3 x $400 = $1,200. Then $1,200 + $50 = $1,250.\nThe answer is 1,250.");
        assertThat(verification.steps()).extracting(ArithmeticVerifier.Step::expression)
                .containsExactly("3*400", "1200 + 50");
        assertThat(verification.score()).isEqualTo(10.0);
    }

    @Test
    void checksTinyReasonerChainsStepByStep() {
        ArithmeticVerifier.Verification verification = verifier.verify(" 14+7=21. 21-5=16. 16*2=33. The answer is 33.");
        assertThat(verification.steps()).extracting(ArithmeticVerifier.Step::expression)
                .containsExactly("14+7", "21-5", "16*2");
        assertThat(verification.steps()).extracting(ArithmeticVerifier.Step::correct)
                .containsExactly(true, true, false);
        assertThat(verification.score()).isCloseTo(10.0 * 2 / 3, within(1e-9));
    }

    @Test
    void halvesTheScoreOfAnAnswerNoStepProduced() {
        ArithmeticVerifier.Verification verification = verifier.verify("2+2=4. 4*3=12. The answer is 13.");
        assertThat(verification.answerConsistent()).isFalse();
        assertThat(verification.score()).isEqualTo(5.0);
    }

    @Test
    void acceptsRoundedResultsAndParentheses() {
        assertThat(verifier.verify("(10 + 5) / 3 = 5 and 10/3 = 3.33 so 3.33. The answer is 5.").score())
                .isEqualTo(10.0);
        assertThat(verifier.verify("10/3 = 3.4. The answer is 3.4.").steps().get(0).correct()).isFalse();
        assertThat(verifier.verify("20% of it: <<50*20%=10>>10\nA: 10").score()).isEqualTo(10.0);
    }

    @Test
    void chainedEqualitiesAreEachChecked() {
        ArithmeticVerifier.Verification verification = verifier.verify("3+4 = 7 * 2 = 14. The answer is 14.");
        assertThat(verification.steps()).extracting(ArithmeticVerifier.Step::expression)
                .containsExactly("3+4", "7 * 2");
        assertThat(verification.score()).isEqualTo(10.0);
    }

    @Test
    void aChainWithoutStepsIsUnverifiable() {
        assertThat(verifier.verify("I think it is 42. The answer is 42.").score()).isEqualTo(5.0);
        assertThat(ArithmeticVerifier.builder().unverifiableScore(2).build().verify("no math").score())
                .isEqualTo(2.0);
    }

    @Test
    void wholeNumberCheckPenalisesNegativeAndFractionalAnswers() {
        ArithmeticVerifier counts = ArithmeticVerifier.builder().wholeNumberAnswers(true).build();
        assertThat(counts.verify("3-5=-2. The answer is -2.").score()).isEqualTo(5.0);
        assertThat(counts.verify("7/2=3.5. The answer is 3.5.").score()).isEqualTo(5.0);
        assertThat(counts.verify("7-2=5. The answer is 5.").score()).isEqualTo(10.0);
        assertThat(verifier.verify("7/2=3.5. The answer is 3.5.").score()).isEqualTo(10.0);
    }

    @Test
    void malformedAnnotationsCountAsWrongSteps() {
        ArithmeticVerifier.Verification verification = verifier.verify("<<2+*3=5>>5 and <<2+3=5>>5\nA: 5");
        assertThat(verification.steps()).hasSize(2);
        assertThat(verification.correctSteps()).isEqualTo(1);
    }

    @Test
    void scoresLocallyAndGloballyAlike() {
        List<ReasoningChain> chains = List.of(ReasoningChain.of("1+1=2. The answer is 2."),
                ReasoningChain.of("1+1=3. The answer is 3."));
        assertThat(verifier.scoreLocally("q", chains, List.of()).scores()).containsExactly(10.0, 0.0);
        assertThat(verifier.scoreGlobally("q", chains).scores()).containsExactly(10.0, 0.0);
        assertThat(verifier.scoreGlobally("q", chains).usage().modelCalls()).isZero();
    }
}
