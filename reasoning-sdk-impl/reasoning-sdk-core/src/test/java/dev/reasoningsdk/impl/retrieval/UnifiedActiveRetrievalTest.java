package dev.reasoningsdk.impl.retrieval;

import static dev.reasoningsdk.api.retrieval.CriterionKind.INTENT;
import static dev.reasoningsdk.api.retrieval.CriterionKind.KNOWLEDGE;
import static dev.reasoningsdk.api.retrieval.CriterionKind.SELF_KNOWLEDGE;
import static dev.reasoningsdk.api.retrieval.CriterionKind.TIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.fixtures.Fault;
import dev.reasoningsdk.fixtures.FaultyChatModel;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class UnifiedActiveRetrievalTest {

    private static UnifiedActiveRetrieval judge(double intent, double knowledge, double time, double self) {
        return UnifiedActiveRetrieval.builder()
                .criterion(new FixedCriterion(INTENT, intent))
                .criterion(new FixedCriterion(KNOWLEDGE, knowledge))
                .criterion(new FixedCriterion(TIME, time))
                .criterion(new FixedCriterion(SELF_KNOWLEDGE, self))
                .build();
    }

    @ParameterizedTest(name = "intent {0}, knowledge {1}, time {2}, self {3} -> retrieve {4} by {5}")
    @CsvSource({
            // intent fires: retrieve, whatever the others say
            "0.9, 0.1, 0.1, 0.9, true, INTENT",
            // not knowledge-intensive: no retrieval, even when time-sensitive and unknown
            "0.1, 0.2, 0.9, 0.1, false, KNOWLEDGE",
            // knowledge-intensive and time-sensitive: retrieve, even when the model knows
            "0.1, 0.8, 0.7, 0.9, true, TIME",
            // knowledge-intensive, timeless, the model knows: no retrieval
            "0.1, 0.8, 0.2, 0.9, false, SELF_KNOWLEDGE",
            // knowledge-intensive, timeless, the model does not know: retrieve
            "0.1, 0.8, 0.2, 0.3, true, SELF_KNOWLEDGE",
            // exactly at the threshold a criterion holds
            "0.5, 0.0, 0.0, 0.0, true, INTENT",
            "0.0, 0.5, 0.0, 0.5, false, SELF_KNOWLEDGE"
    })
    void followsUarDecisionOrder(double intent, double knowledge, double time, double self, boolean retrieve,
                                 CriterionKind decidedBy) {
        RetrievalDecision decision = judge(intent, knowledge, time, self).judge("q");

        assertThat(decision.retrieve()).isEqualTo(retrieve);
        assertThat(decision.decidedBy()).contains(decidedBy);
        assertThat(decision.criteria()).containsOnlyKeys(INTENT, KNOWLEDGE, TIME, SELF_KNOWLEDGE);
        assertThat(decision.probability(TIME)).contains(time);
    }

    @Test
    void withoutSelfKnowledgeTheEndOfTheOrderRetrievesWithNoDecidingCriterion() {
        RetrievalDecision decision = UnifiedActiveRetrieval.builder()
                .criterion(new FixedCriterion(KNOWLEDGE, 0.9))
                .criterion(new FixedCriterion(TIME, 0.1))
                .build().judge("q");

        assertThat(decision.retrieve()).isTrue();
        assertThat(decision.decidedBy()).isEmpty();
        assertThat(decision.probability(INTENT)).isEmpty();
    }

    @Test
    void aVerdictWhoseEveryCallFailedSettlesNothingWhateverItsFallback() {
        // Before, the self-knowledge fallback (0, "does not know") settled the decision and was reported as having
        // settled it, and a fallback of 1 skipped retrieval on a model that never answered.
        FaultyChatModel model = FaultyChatModel.builder().delegate(ScriptedChatModel.byRule(r -> "0.9"))
                .everyNth(1, Fault.serverError(500)).build();
        try (ModelGateway gateway = ModelGateway.builder().model(model).retryPolicy(RetryPolicy.none()).build()) {
            for (double fallback : new double[] {0, 1}) {
                UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder()
                        .criterion(new FixedCriterion(INTENT, 0.1))
                        .criterion(new FixedCriterion(KNOWLEDGE, 0.9))
                        .criterion(LlmPromptedCriterion.builder().gateway(gateway).kind(TIME)
                                .fallbackProbability(1).build())
                        .criterion(LlmPromptedCriterion.builder().gateway(gateway).kind(SELF_KNOWLEDGE)
                                .fallbackProbability(fallback).build())
                        .build();

                RetrievalDecision decision = judge.judge("Who wrote Hamlet?");

                assertThat(decision.retrieve()).isTrue();
                assertThat(decision.decidedBy()).isEmpty();
                assertThat(decision.probability(SELF_KNOWLEDGE)).contains(fallback);
                assertThat(decision.criteria().get(SELF_KNOWLEDGE).evidence()).contains("call failed", "fallback");
                assertThat(decision.usage().modelCalls()).isEqualTo(2).isEqualTo(decision.usage().failedCalls());
            }
        }
        // A verdict that had a usable reply still decides.
        UnifiedActiveRetrieval answered = UnifiedActiveRetrieval.builder()
                .criterion(new FixedCriterion(KNOWLEDGE, 0.9))
                .criterion(LlmPromptedCriterion.builder().model(ScriptedChatModel.replying("0.8"))
                        .kind(SELF_KNOWLEDGE).build())
                .build();
        RetrievalDecision known = answered.judge("Who wrote Hamlet?");
        assertThat(known.decidedBy()).contains(SELF_KNOWLEDGE);
        assertThat(known.retrieve()).isFalse();
    }

    @Test
    void aVerdictWhoseCallABudgetRefusedSettlesNothing() {
        // A deadline that has passed when the call would start: the call is refused before it is sent, so it is no
        // model call at all and the usage records none. Before, that fallback (0, "does not know") was reported as
        // the deciding verdict.
        ScriptedChatModel model = ScriptedChatModel.byRule(r -> "0.9");
        try (ModelGateway gateway = ModelGateway.builder().model(model).deadline(Duration.ofNanos(1)).build()) {
            UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder()
                    .criterion(new FixedCriterion(KNOWLEDGE, 0.9))
                    .criterion(LlmPromptedCriterion.builder().gateway(gateway).kind(SELF_KNOWLEDGE).build())
                    .build();

            RetrievalDecision refused = judge.judge("Who wrote Hamlet?");

            assertThat(refused.usage().modelCalls()).as(refused.usage().toString()).isZero();
            assertThat(refused.criteria().get(SELF_KNOWLEDGE).evidence()).contains("fallback");
            assertThat(refused.decidedBy()).isEmpty();
            assertThat(refused.retrieve()).isTrue();
        }
    }

    @Test
    void thresholdsAreConfigurablePerCriterion() {
        UnifiedActiveRetrieval strict = UnifiedActiveRetrieval.builder()
                .criterion(new FixedCriterion(INTENT, 0.7))
                .criterion(new FixedCriterion(KNOWLEDGE, 0.1))
                .threshold(INTENT, 0.8)
                .threshold(KNOWLEDGE, 0.05)
                .build();

        RetrievalDecision decision = strict.judge("q");

        assertThat(strict.threshold(INTENT)).isEqualTo(0.8);
        assertThat(strict.threshold(TIME)).isEqualTo(UnifiedActiveRetrieval.DEFAULT_THRESHOLD);
        assertThat(decision.retrieve()).isTrue();
        assertThat(decision.decidedBy()).isEmpty();
    }

    @Test
    void shortCircuitSkipsCriteriaAfterTheDecision() {
        FixedCriterion time = new FixedCriterion(TIME, 0.9);
        FixedCriterion self = new FixedCriterion(SELF_KNOWLEDGE, 0.9);
        UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder()
                .criterion(new FixedCriterion(INTENT, 0.9))
                .criterion(time)
                .criterion(self)
                .shortCircuit(true)
                .build();

        RetrievalDecision decision = judge.judge("q");

        assertThat(decision.decidedBy()).contains(INTENT);
        assertThat(time.calls()).hasValue(0);
        assertThat(self.calls()).hasValue(0);
        assertThat(decision.criteria()).containsOnlyKeys(INTENT);
    }

    @Test
    void judgeAllEncodesTheBatchOnceForAllHeadsOfOneEncoder() {
        FakeEncoder encoder = new FakeEncoder();
        LinearHead intent = HeadFixtures.constantHead(INTENT, encoder, 2.0);
        LinearHead knowledge = HeadFixtures.constantHead(KNOWLEDGE, encoder, 2.0);
        LinearHead time = HeadFixtures.constantHead(TIME, encoder, -2.0);
        UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder()
                .criterion(EncoderHeadCriterion.of(encoder, intent))
                .criterion(EncoderHeadCriterion.of(encoder, knowledge))
                .criterion(EncoderHeadCriterion.of(encoder, time))
                .build();

        List<RetrievalDecision> decisions = judge.judgeAll(List.of("a", "b", "c"));

        assertThat(encoder.passes).hasValue(1);
        assertThat(decisions).hasSize(3).allSatisfy(d -> {
            assertThat(d.retrieve()).isTrue();
            assertThat(d.decidedBy()).isEqualTo(Optional.of(INTENT));
            assertThat(d.criteria()).containsOnlyKeys(INTENT, KNOWLEDGE, TIME);
        });
    }

    @Test
    void oneEncoderPassPoolsTheLayersOfEveryHead() {
        FakeEncoder encoder = new FakeEncoder();
        UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder()
                .criterion(EncoderHeadCriterion.of(encoder, HeadFixtures.constantHead(INTENT, encoder, -2.0)))
                .criterion(EncoderHeadCriterion.of(encoder, HeadFixtures.constantHead(KNOWLEDGE, encoder, 2.0, 1)))
                .criterion(EncoderHeadCriterion.of(encoder, HeadFixtures.constantHead(TIME, encoder, 2.0, 3, 1)))
                .build();

        List<RetrievalDecision> decisions = judge.judgeAll(List.of("a", "b"));

        assertThat(encoder.passes).hasValue(1);
        assertThat(encoder.layerRequests).containsExactly(java.util.Set.of(1, 3));
        assertThat(decisions).allSatisfy(d -> assertThat(d.decidedBy()).isEqualTo(Optional.of(TIME)));
    }

    @Test
    void parallelCriteriaSplitBetweenExecutorAndCallerAndDecideAsSequentialOnes() throws Exception {
        FakeEncoder encoder = new FakeEncoder();
        Map<CriterionKind, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
        Criterion time = recording(TIME, query -> 0.1, threads);
        Criterion self = recording(SELF_KNOWLEDGE, query -> query.equals("known") ? 0.9 : 0.1, threads);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "criteria-worker"));
        try {
            UnifiedActiveRetrieval.Builder common = UnifiedActiveRetrieval.builder()
                    .criterion(EncoderHeadCriterion.of(encoder, HeadFixtures.constantHead(INTENT, encoder, -2.0)))
                    .criterion(EncoderHeadCriterion.of(encoder, HeadFixtures.constantHead(KNOWLEDGE, encoder, 2.0)))
                    .criterion(time)
                    .criterion(self);
            List<RetrievalDecision> sequential = common.build().judgeAll(List.of("known", "unknown"));
            encoder.threads.clear();
            List<RetrievalDecision> parallel = common.parallelCriteria(executor).build()
                    .judgeAll(List.of("known", "unknown"));

            // the encoder pass and all but the last non-embedding criterion on the executor, the last on the caller
            assertThat(encoder.threads).containsExactly("criteria-worker");
            assertThat(threads).containsEntry(TIME, "criteria-worker")
                    .containsEntry(SELF_KNOWLEDGE, Thread.currentThread().getName());
            assertThat(parallel).extracting(RetrievalDecision::retrieve).containsExactly(false, true);
            for (int i = 0; i < 2; i++) {
                assertThat(parallel.get(i).decidedBy()).isEqualTo(sequential.get(i).decidedBy());
                for (CriterionKind kind : CriterionKind.values()) {
                    assertThat(parallel.get(i).probability(kind)).isEqualTo(sequential.get(i).probability(kind));
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }

    /** A criterion giving {@code probability(query)} that records the thread it ran on. */
    private static Criterion recording(CriterionKind kind, java.util.function.ToDoubleFunction<String> probability,
                                       Map<CriterionKind, String> threads) {
        return new Criterion() {
            @Override
            public CriterionKind kind() {
                return kind;
            }

            @Override
            public CriterionResult evaluate(String query) {
                threads.put(kind, Thread.currentThread().getName());
                return new CriterionResult(kind, probability.applyAsDouble(query), "fake", Usage.NONE);
            }
        };
    }

    @Test
    void aFailingParallelCriterionFailsTheJudgementWithItsOwnException() {
        Criterion broken = new Criterion() {
            @Override
            public CriterionKind kind() {
                return SELF_KNOWLEDGE;
            }

            @Override
            public CriterionResult evaluate(String query) {
                throw new IllegalArgumentException("prompt holds characters outside the vocabulary");
            }
        };
        UnifiedActiveRetrieval judge = UnifiedActiveRetrieval.builder().criterion(new FixedCriterion(INTENT, 0.1))
                .criterion(broken).parallelCriteria(Runnable::run).build();

        assertThatThrownBy(() -> judge.judge("q")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the vocabulary");
    }

    @Test
    void refusesBadConfiguration() {
        UnifiedActiveRetrieval.Builder builder = UnifiedActiveRetrieval.builder();

        assertThatThrownBy(() -> builder.threshold(TIME, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TIME threshold");
        assertThatThrownBy(() -> builder.threshold(TIME, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.threshold(TIME, -0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
        builder.criterion(new FixedCriterion(TIME, 0.1));
        assertThatThrownBy(() -> builder.criterion(new FixedCriterion(TIME, 0.2)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.build().judgeAll(java.util.Arrays.asList("a", null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
