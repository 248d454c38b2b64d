package dev.reasoningsdk.impl.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleCriterionTest {

    @ParameterizedTest
    @ValueSource(strings = {"Please search the web for hotels in Oslo", "Can you look up the opening hours?",
            "Give me sources for this claim", "What are the latest headlines?", "Is it raining in Paris right now?"})
    void intentRulesFireOnExplicitRequests(String query) {
        CriterionResult result = RuleCriterion.intent().evaluate(query);

        assertThat(result.probability()).isEqualTo(0.9);
        assertThat(result.evidence()).startsWith("rule '");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Rewrite this sentence in the passive voice", "What is 17 times 23?",
            "Sort these words alphabetically: pear, apple", "Who wrote Hamlet?"})
    void intentRulesStayQuietOtherwise(String query) {
        CriterionResult result = RuleCriterion.intent().evaluate(query);

        assertThat(result.probability()).isZero();
        assertThat(result.evidence()).isEqualTo("no rule matched");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Who is the current CEO of Twitter?", "What happened today in the markets?",
            "Who won the 2024 election?", "What is the price of bitcoin?", "What is the latest iPhone?"})
    void timeRulesFireOnTimeBoundQuestions(String query) {
        assertThat(RuleCriterion.time().evaluate(query).probability()).isEqualTo(0.9);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Who wrote Hamlet?", "What is the boiling point of water?", "Who won the 1966 World Cup?"})
    void timeRulesStayQuietOnTimelessQuestions(String query) {
        assertThat(RuleCriterion.time().evaluate(query).probability()).isZero();
    }

    @Test
    void theFirstMatchingRuleIsTheEvidenceAndMatchingIgnoresCase() {
        RuleCriterion rules = RuleCriterion.builder().kind(CriterionKind.INTENT)
                .rule("first", "\\bsearch\\b").rule("second", "\\bweb\\b").matchProbability(0.7).build();

        CriterionResult result = rules.evaluate("SEARCH the Web");

        assertThat(result.probability()).isEqualTo(0.7);
        assertThat(result.evidence()).isEqualTo("rule 'first' matched \"SEARCH\"");
    }

    @Test
    void rulesBackAHeadByNoisyOrOrMax() {
        FakeEncoder encoder = new FakeEncoder();
        LinearHead head = HeadFixtures.constantHead(CriterionKind.TIME, encoder, 0);
        EncoderHeadCriterion noisyOr = EncoderHeadCriterion.builder().encoder(encoder).head(head)
                .rules(RuleCriterion.time()).build();
        EncoderHeadCriterion max = EncoderHeadCriterion.builder().encoder(encoder).head(head)
                .rules(RuleCriterion.time()).combination(Combination.MAX).build();

        assertThat(noisyOr.evaluate("latest news").probability()).isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(max.evaluate("latest news").probability()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(noisyOr.evaluate("who wrote hamlet").probability()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(noisyOr.evaluate("latest news").evidence()).contains("rule 'latest'").contains("noisy_or");
    }

    @Test
    void refusesBadRules() {
        assertThatThrownBy(() -> RuleCriterion.builder().rule("x", "(")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rule 'x'");
        assertThatThrownBy(() -> RuleCriterion.builder().rule("x", "a").rule("x", "b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RuleCriterion.builder().kind(CriterionKind.TIME).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RuleCriterion.builder().matchProbability(0)).isInstanceOf(IllegalArgumentException.class);
        FakeEncoder encoder = new FakeEncoder();
        assertThatThrownBy(() -> EncoderHeadCriterion.builder().encoder(encoder)
                .head(HeadFixtures.constantHead(CriterionKind.KNOWLEDGE, encoder, 0)).rules(RuleCriterion.time()).build())
                .isInstanceOf(IllegalStateException.class);
    }
}
