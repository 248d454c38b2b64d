package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregationOfReasoningTest {

    private final TaggedScorer scorer = new TaggedScorer();

    private AggregationOfReasoning.Builder aor(ScriptedSampler sampler) {
        return AggregationOfReasoning.builder().scorer(scorer).extractor(AnswerExtractors.numeric())
                .sampler(sampler, 0.8);
    }

    private static List<String> repeat(int times, String text) {
        return new ArrayList<>(Collections.nCopies(times, text));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    @Test
    void unanimousSamplesAnswerAtOnceWithoutJudging() {
        ScriptedSampler sampler = new ScriptedSampler(List.of("A: 5 [s=9]"));
        AggregationResult result = aor(sampler).build().solve("q");

        assertThat(result.answer()).contains("5");
        assertThat(result.stopReason()).isEqualTo(StopReason.UNANIMOUS);
        assertThat(result.usage().samples()).isEqualTo(20);
        assertThat(scorer.calls()).isZero();
        assertThat(sampler.calls).hasSize(1);
    }

    @Test
    void aMinorityAnswerWithBetterReasoningWinsAndAWideMarginStopsSampling() {
        List<String> texts = concat(repeat(15, "A: 1 [s=8][g=4]"), repeat(5, "A: 2 [s=9][g=9]"));
        ScriptedSampler sampler = new ScriptedSampler(texts);

        AggregationResult result = aor(sampler).build().solve("q");

        assertThat(result.answer()).contains("2");
        assertThat(result.stopReason()).isEqualTo(StopReason.MARGIN_REACHED);
        assertThat(result.margin()).isEqualTo(5.0);
        assertThat(result.usage().samples()).isEqualTo(20);
        // 15 chains in batches of 5, then 5 chains; then 3 global rounds with one representative per group
        assertThat(scorer.localCalls).extracting(List::size).containsExactly(5, 5, 5, 5);
        assertThat(scorer.globalCalls).hasSize(3).allMatch(call -> call.size() == 2);
        assertThat(result.groups()).extracting(AnswerGroup::answer).containsExactly("2", "1");
        assertThat(result.groups().get(0).representatives()).containsExactly(0, 1, 2);
        assertThat(result.usage().modelCalls()).isEqualTo(20 + 7);
    }

    @Test
    void dynamicSamplingContinuesTheSeedSequenceUntilMaxSamples() {
        List<String> texts = concat(repeat(10, "A: 1 [s=8][g=7]"), repeat(10, "A: 2 [s=8][g=6]"));
        ScriptedSampler sampler = new ScriptedSampler(texts);

        AggregationResult result = aor(sampler).build().solve("q");

        assertThat(result.stopReason()).isEqualTo(StopReason.MAX_SAMPLES_REACHED);
        assertThat(result.usage().samples()).isEqualTo(40);
        assertThat(sampler.calls).extracting(c -> c[0] + "+" + c[1])
                .containsExactly("0+20", "20+5", "25+5", "30+5", "35+5");
        assertThat(result.answer()).contains("1");
        assertThat(result.margin()).isEqualTo(1.0);
        assertThat(result.totalChains()).isEqualTo(40);
        // new chains are scored with their group's best and worst chains as references
        assertThat(scorer.localReferences.get(4)).hasSize(1);
        assertThat(scorer.localReferences.get(4).get(0).localScore()).hasValue(8.0);
        // equal local scores never change the representatives (ties keep the earliest chains): no new global phase
        assertThat(scorer.globalCalls).hasSize(3);
    }

    @Test
    void aScorerThatReadsTheOtherChainsReadsEveryChainDrawnSoFarInEachRound() {
        // The learned verifier's agreement features read the question's other chains: a later round's chains must be
        // read among each other and every earlier round's, not among the first round's alone.
        List<Integer> contextSizes = new ArrayList<>();
        ChainScorer contextual = new ChainScorer() {
            @Override
            public ChainScorer amongChains(List<ReasoningChain> questionChains) {
                List<ReasoningChain> context = List.copyOf(questionChains);
                return new ChainScorer() {
                    @Override
                    public Scores scoreLocally(String question, List<ReasoningChain> chains,
                                               List<ScoredChain> references) {
                        contextSizes.add(context.size());
                        return scorer.scoreLocally(question, chains, references);
                    }

                    @Override
                    public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
                        return scorer.scoreGlobally(question, representatives);
                    }

                    @Override
                    public String name() {
                        return "bound";
                    }
                };
            }

            @Override
            public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
                throw new AssertionError("AoR must bind a contextual scorer before scoring");
            }

            @Override
            public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
                throw new AssertionError("AoR must bind a contextual scorer before scoring");
            }

            @Override
            public String name() {
                return "contextual";
            }
        };
        List<String> texts = concat(repeat(10, "A: 1 [s=8][g=7]"), repeat(10, "A: 2 [s=8][g=6]"));
        AggregationResult result = AggregationOfReasoning.builder().scorer(contextual)
                .extractor(AnswerExtractors.numeric()).sampler(new ScriptedSampler(texts), 0.8).build().solve("q");

        assertThat(result.usage().samples()).isEqualTo(40);
        // The first round's 20 chains in four batches, then each round of 5 among all chains drawn by then.
        assertThat(contextSizes).containsExactly(20, 20, 20, 20, 25, 30, 35, 40);
    }

    @Test
    void globalPhaseRerunsOnlyWhenRepresentativesChange() {
        List<String> texts = concat(repeat(10, "A: 1 [s=7][g=6]"), repeat(10, "A: 2 [s=7][g=6]"));
        texts.addAll(repeat(5, "A: 2 [s=9][g=10]"));
        ScriptedSampler sampler = new ScriptedSampler(texts);

        AggregationResult result = aor(sampler).build().solve("q");

        assertThat(result.answer()).contains("2");
        assertThat(result.stopReason()).isEqualTo(StopReason.MARGIN_REACHED);
        assertThat(result.usage().samples()).isEqualTo(25);
        assertThat(scorer.globalCalls).hasSize(6);
        assertThat(result.margin()).isEqualTo(4.0);
    }

    @Test
    void aNewAnswerBelowTheThresholdIsReportedNotDropped() {
        List<String> texts = concat(repeat(10, "A: 1 [s=8][g=7]"), repeat(10, "A: 2 [s=8][g=6]"));
        texts.addAll(repeat(20, "A: 3 [s=2]"));
        AggregationResult result = aor(new ScriptedSampler(texts)).build().solve("q");

        assertThat(result.groups()).extracting(AnswerGroup::answer).containsExactly("1", "2", "3");
        AnswerGroup third = result.groups().get(2);
        assertThat(third.votes()).isEqualTo(20);
        assertThat(third.score()).isZero();
        assertThat(third.representatives()).isEmpty();
        assertThat(third.chains().get(0).localScore()).hasValue(2.0);
    }

    @Test
    void whenNoChainPassesTheThresholdEachGroupsBestChainRepresentsIt() {
        AggregationResult result = AggregationOfReasoning.builder().scorer(scorer)
                .extractor(AnswerExtractors.numeric()).build()
                .aggregate("q", List.of(ReasoningChain.of("A: 1 [s=3]"), ReasoningChain.of("A: 2 [s=5]"),
                        ReasoningChain.of("A: 2 [s=4]")));

        assertThat(result.answer()).contains("2");
        assertThat(result.groups().get(0).score()).isEqualTo(5.0);
        assertThat(result.groups().get(0).representatives()).containsExactly(0);
        assertThat(result.stopReason()).isEqualTo(StopReason.MARGIN_REACHED);
    }

    @Test
    void aggregateJudgesTheGivenChainsWithoutSampling() {
        AggregationResult result = AggregationOfReasoning.builder().scorer(scorer)
                .extractor(AnswerExtractors.numeric()).build()
                .aggregate("q", List.of(ReasoningChain.of("A: 1 [s=8][g=7]"), ReasoningChain.of("A: 2 [s=8][g=6]"),
                        ReasoningChain.of("nothing")));

        assertThat(result.stopReason()).isEqualTo(StopReason.GIVEN_CHAINS_ONLY);
        assertThat(result.answer()).contains("1");
        assertThat(result.unparseableChains()).isEqualTo(1);
        assertThat(result.usage().samples()).isZero();
        assertThat(scorer.globalCalls).hasSize(1);
    }

    @Test
    void tiesOnScoreGoToTheLargerCallerWeightThenMoreVotesThenFirstSeen() {
        AggregationOfReasoning aor = AggregationOfReasoning.builder().scorer(scorer)
                .extractor(AnswerExtractors.numeric()).build();
        List<ReasoningChain> weighted = List.of(new ReasoningChain("A: 1 [s=8]", "weak", 1),
                new ReasoningChain("A: 1 [s=8]", "weak", 1), new ReasoningChain("A: 2 [s=8]", "strong", 5));
        assertThat(aor.aggregate("q", weighted).answer()).contains("2");

        List<ReasoningChain> unweighted = List.of(ReasoningChain.of("A: 1 [s=8]"), ReasoningChain.of("A: 2 [s=8]"),
                ReasoningChain.of("A: 2 [s=8]"));
        assertThat(aor.aggregate("q", unweighted).answer()).contains("2");
        assertThat(aor.aggregate("q", unweighted.subList(0, 2)).answer()).contains("1");
    }

    @Test
    void aJudgeCallBudgetStopsTheRunWithTheBestAnswerSoFar() {
        List<String> texts = concat(repeat(10, "A: 1 [s=8][g=7]"), repeat(10, "A: 2 [s=8][g=6]"));
        AggregationResult result = aor(new ScriptedSampler(texts)).maxJudgeCalls(5).build().solve("q");

        assertThat(result.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(result.usage().modelCalls() - result.usage().samples()).isEqualTo(5);
        assertThat(result.answer()).contains("1");
        assertThat(result.usage().samples()).isEqualTo(20);
    }

    @Test
    void unscorableChainsAreCountedAndNeverRepresent() {
        AggregationResult result = AggregationOfReasoning.builder().scorer(scorer)
                .extractor(AnswerExtractors.numeric()).build()
                .aggregate("q", List.of(ReasoningChain.of("A: 1"), ReasoningChain.of("A: 1"),
                        ReasoningChain.of("A: 2 [s=7]")));
        assertThat(result.answer()).contains("2");
        assertThat(result.groups().get(1).chains()).allMatch(c -> c.localScore().isEmpty());
    }

    @Test
    void runsEndToEndOnAScriptedLlmJudge() {
        ScriptedChatModel model = ScriptedChatModel.builder().tokenUsage(100, 20).replies(
                "Chain 1 Total Score: 7/10\nChain 2 Total Score: 8/10",
                "Chain 1 Total Score: 9/10",
                "Chain 1 Total Score: 3/10\nChain 2 Total Score: 9/10",
                "Chain 1 Total Score: 4/10\nChain 2 Total Score: 9/10").build();
        AggregationOfReasoning aor = AggregationOfReasoning.builder()
                .scorer(LlmChainJudge.builder().model(model).rubric(JudgeRubric.MATH).build())
                .extractor(AnswerExtractors.numeric()).build();

        AggregationResult result = aor.aggregate("What is 6*7?", List.of(ReasoningChain.of("6*7=43. A: 43"),
                ReasoningChain.of("7*6=43. A: 43"), ReasoningChain.of("6*7=42. A: 42")));

        assertThat(result.answer()).contains("42");
        assertThat(result.margin()).isEqualTo(5.5);
        assertThat(result.stopReason()).isEqualTo(StopReason.MARGIN_REACHED);
        assertThat(result.usage().modelCalls()).isEqualTo(4);
        assertThat(result.usage().inputTokens()).isEqualTo(400);
        assertThat(ScriptedChatModel.systemText(model.requests().get(2)))
                .hasValue(JudgeRubric.MATH.globalSystemPrompt());
        assertThat(ScriptedChatModel.userText(model.requests().get(2))).contains("Chain 1:\n7*6=43. A: 43",
                "Chain 2:\n6*7=42. A: 42");
    }

    @Test
    void aDrawWhoseEverySampleWasRefusedForGoodEndsTheRunWhereATimedOutOneDrawsOn() {
        for (SampleBatch.FailureKind kind : List.of(SampleBatch.FailureKind.PERMANENT,
                SampleBatch.FailureKind.TIMEOUT)) {
            FailingSampler sampler = new FailingSampler(kind);
            AggregationOfReasoning aor = AggregationOfReasoning.builder().scorer(scorer)
                    .extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8).build();

            // A request the provider refuses (400) is refused again: drawing it 40 times cannot help. Before, AoR
            // drew on to maxSamples, 5 draws, as it still does after timeouts, which a later draw may not meet.
            int draws = kind == SampleBatch.FailureKind.PERMANENT ? 1 : 5;
            int drawn = kind == SampleBatch.FailureKind.PERMANENT ? AggregationOfReasoning.DEFAULT_INITIAL_SAMPLES
                    : AggregationOfReasoning.DEFAULT_MAX_SAMPLES;
            assertThatThrownBy(() -> aor.solve("q")).as(kind.name()).isInstanceOf(ReasoningException.class)
                    .hasMessage("no chain could be sampled from failing in " + drawn + " attempts; " + drawn
                            + " failures, first: " + kind + " refusal");
            assertThat(sampler.draws).as(kind.name()).isEqualTo(draws);
        }
    }

    /** A sampler whose every sample fails with one kind of failure; counts its draws. */
    private static final class FailingSampler implements ChainSampler {
        private final SampleBatch.FailureKind kind;
        private int draws;

        FailingSampler(SampleBatch.FailureKind kind) {
            this.kind = kind;
        }

        @Override
        public synchronized SampleBatch sample(String prompt, int count, long firstSeed) {
            draws++;
            List<SampleBatch.SampleFailure> failures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                failures.add(new SampleBatch.SampleFailure(i, kind, kind + " refusal", 1));
            }
            return new SampleBatch(count, List.of(), failures, StopReason.COMPLETED,
                    new Usage(0, count, count, 0, 0, Duration.ZERO));
        }

        @Override
        public String name() {
            return "failing";
        }
    }

    @Test
    void configurationErrorsAreReportedEagerly() {
        assertThatThrownBy(() -> AggregationOfReasoning.builder().extractor(AnswerExtractors.numeric()).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AggregationOfReasoning.builder().scorer(scorer).build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AggregationOfReasoning.builder().scorer(scorer).extractor(AnswerExtractors.numeric())
                .initialSamples(30).maxSamples(20).build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AggregationOfReasoning.builder().scoreThreshold(11))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AggregationOfReasoning.builder().judgeBatchSize(0))
                .isInstanceOf(IllegalArgumentException.class);
        AggregationOfReasoning noSampler = AggregationOfReasoning.builder().scorer(scorer)
                .extractor(AnswerExtractors.numeric()).build();
        assertThatThrownBy(() -> noSampler.solve("q")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> noSampler.aggregate("q", List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
