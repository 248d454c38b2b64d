package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.impl.confidence.AnswerGroups;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.prompt.ActivePrompt;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerGroupingTest {

    private static List<ReasoningChain> chains(String... texts) {
        return java.util.Arrays.stream(texts).map(ReasoningChain::of).toList();
    }

    @Test
    void anAnswerJoinsTheFirstEquivalentGroupAndIndicesRunOnAcrossBatches() {
        AnswerGrouping grouping = new AnswerGrouping(AnswerExtractors.numeric());

        grouping.addAll(chains("The answer is 4.", "no number here", "The answer is 7."));
        List<AnswerGrouping.Member> added = grouping.addAll(chains("The answer is 4.0", "The answer is 7"));

        assertThat(grouping.groups()).extracting(AnswerGrouping.Group::answer).containsExactly("4", "7");
        assertThat(grouping.groups()).extracting(AnswerGrouping.Group::order).containsExactly(0, 1);
        assertThat(added).extracting(AnswerGrouping.Member::index).containsExactly(3, 4);
        assertThat(grouping.groups().get(0).members()).extracting(AnswerGrouping.Member::index).containsExactly(0, 3);
        assertThat(grouping.unparsed()).containsExactly(1);
        assertThat(grouping.chainCount()).isEqualTo(5);
        assertThat(grouping.join("7.00")).isSameAs(grouping.groups().get(1));
        assertThat(grouping.groups().get(1).members()).hasSize(2);
    }

    @Test
    void confidenceGroupsAndActivePromptCountTheSameGroups() {
        List<ReasoningChain> chains = chains("The answer is 3.", "The answer is 5.", "The answer is 5.00",
                "nothing", "The answer is 3", "The answer is 5");
        AnswerGroups groups = AnswerGroups.of(chains, AnswerExtractors.numeric());
        List<Optional<String>> answers = chains.stream()
                .map(chain -> AnswerExtractors.numeric().extract(chain.text())).toList();

        assertThat(groups.groups()).extracting(AnswerGroups.Group::answer).containsExactly("5", "3");
        assertThat(groups.groups().get(0).members()).containsExactly(1, 2, 5);
        assertThat(groups.unparsed()).containsExactly(3);
        // Active-Prompt counts the unanswered sample as one more outcome: 3 outcomes of 6 samples.
        assertThat(ActivePrompt.Uncertainty.DISAGREEMENT.of(answers, AnswerExtractors.numeric())).isEqualTo(0.5);
    }
}
