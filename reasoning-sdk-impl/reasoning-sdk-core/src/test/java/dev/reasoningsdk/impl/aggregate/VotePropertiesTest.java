package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class VotePropertiesTest {

    private static final List<Aggregator> VOTES = List.of(MajorityVote.of(AnswerExtractors.numeric()),
            WeightedVote.byChainWeight(AnswerExtractors.numeric()));

    @Provide
    Arbitrary<ReasoningChain> chain() {
        Arbitrary<String> text = Arbitraries.oneOf(Arbitraries.integers().between(0, 6).map(n -> "The answer is " + n),
                Arbitraries.just("no answer here"));
        Arbitrary<Double> weight = Arbitraries.integers().between(0, 4).map(Integer::doubleValue);
        return Combinators.combine(text, weight).as((t, w) -> new ReasoningChain(t, "m", w));
    }

    @Property(tries = 100)
    void theWinnerIsOneOfTheChainsAnswers(@ForAll @Size(min = 1, max = 12) List<@From("chain") ReasoningChain> chains) {
        for (Aggregator vote : VOTES) {
            AggregationResult result = vote.aggregate("q", chains);
            List<String> answers = chains.stream().map(c -> AnswerExtractors.numeric().extract(c.text()))
                    .flatMap(java.util.Optional::stream).toList();
            if (answers.isEmpty()) {
                assertThat(result.answer()).isEmpty();
            } else {
                assertThat(answers).contains(result.answer().orElseThrow());
            }
            assertThat(result.totalChains()).isEqualTo(chains.size());
        }
    }

    @Property(tries = 100)
    void theOrderOfChainsDoesNotChangeTheTallyOrAClearWinner(
            @ForAll @Size(min = 1, max = 12) List<@From("chain") ReasoningChain> chains, @ForAll long seed) {
        List<ReasoningChain> shuffled = new ArrayList<>(chains);
        Collections.shuffle(shuffled, new Random(seed));
        for (Aggregator vote : VOTES) {
            AggregationResult original = vote.aggregate("q", chains);
            AggregationResult permuted = vote.aggregate("q", shuffled);
            assertThat(tally(permuted)).isEqualTo(tally(original));
            List<AnswerGroup> groups = original.groups();
            boolean clearWinner = groups.size() == 1 || (groups.size() > 1 && (groups.get(0).score()
                    > groups.get(1).score() || groups.get(0).votes() > groups.get(1).votes()));
            if (clearWinner) {
                assertThat(permuted.answer()).isEqualTo(original.answer());
            }
        }
    }

    private static Map<String, String> tally(AggregationResult result) {
        return result.groups().stream().collect(Collectors.toMap(AnswerGroup::answer,
                g -> g.score() + "/" + g.votes()));
    }
}
