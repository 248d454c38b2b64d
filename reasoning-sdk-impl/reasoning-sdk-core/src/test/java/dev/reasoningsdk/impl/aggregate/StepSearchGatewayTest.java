package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.TokenUsageUnavailableException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.fixtures.Fault;
import dev.reasoningsdk.fixtures.FaultyChatModel;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.RetryPolicy;
import dev.reasoningsdk.impl.llm.SampleRequestParameters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link StepSearch} over a served model through a {@link ModelGateway}: the same path as the local model it
 * continues with, retries of transient failures that change nothing, permanent failures counted and lived with, an
 * exact budget, and refusals. The served model here continues with the fake reasoner in process; the real model over
 * real HTTP runs in the examples module ({@code StepSearchServedTest}).
 */
class StepSearchGatewayTest {

    private static final String QUESTION = "Double 1, 2 and 3.";
    /** Retries at once, so tests do not wait for backoff. */
    private static final RetryPolicy AT_ONCE = RetryPolicy.builder().initialBackoff(Duration.ZERO)
            .maxBackoff(Duration.ZERO).build();

    private static ModelGateway gateway(ChatModel model) {
        return ModelGateway.builder().model(model).retryPolicy(AT_ONCE).build();
    }

    private static StepSearch.Builder served(ModelGateway gateway) {
        return StepSearch.builder().gateway(gateway).requestParameters(ContinuingChatModel.SEEDED)
                .promptFormat(UnaryOperator.identity());
    }

    @Test
    void aServedModelGivesTheLocalModelsPathAnswerTokensAndExpansions() {
        for (StepSearch.Strategy strategy : StepSearch.Strategy.values()) {
            for (int stepTokens : new int[] {3, 7, 16, 200}) {
                for (long seed = 0; seed < 4; seed++) {
                    ArithmeticChainModel local = new ArithmeticChainModel(4, 0.4);
                    StepSearchResult inProcess = StepSearch.builder().model(local).strategy(strategy)
                            .stepTokens(stepTokens).seed(seed).maxTokens(300).build().solve(QUESTION);
                    ContinuingChatModel chat = new ContinuingChatModel(new ArithmeticChainModel(4, 0.4), true);
                    StepSearchResult result;
                    try (ModelGateway gateway = gateway(chat)) {
                        result = served(gateway).strategy(strategy).stepTokens(stepTokens).seed(seed).maxTokens(300)
                                .build().solve(QUESTION);
                    }
                    String at = strategy + ", stepTokens " + stepTokens + ", seed " + seed;
                    assertThat(result.path()).as(at).isEqualTo(inProcess.path());
                    assertThat(result.answer()).as(at).isEqualTo(inProcess.answer());
                    assertThat(result.stopReason()).as(at).isEqualTo(inProcess.stopReason());
                    assertThat(result.expansions()).as(at).isEqualTo(inProcess.expansions());
                    assertThat(result.generatedTokens()).as(at).isEqualTo(inProcess.generatedTokens())
                            .isEqualTo(chat.generatedTokens.get());
                    assertThat(result.usage().inputTokens()).as(at).isEqualTo(inProcess.usage().inputTokens());
                    assertThat(result.usage().modelCalls()).as(at).isEqualTo((int) chat.calls.get());
                    assertThat(result.usage().failedCalls()).isZero();
                    assertThat(result.usage().samples()).isEqualTo(inProcess.usage().samples());
                }
            }
        }
    }

    @Test
    void overAGatewayTheRewardsPassesAreAddedToTheScopesCalls() {
        ContinuingChatModel chat = new ContinuingChatModel(new ArithmeticChainModel(4, 0.4), true);
        CostlyStepReward costly = new CostlyStepReward();
        StepSearchResult plain;
        StepSearchResult result;
        try (ModelGateway gateway = gateway(chat)) {
            plain = served(gateway).seed(3).maxTokens(300).build().solve(QUESTION);
            long callsBefore = chat.calls.get();
            result = served(gateway).reward(costly).seed(3).maxTokens(300).build().solve(QUESTION);
            assertThat(chat.calls.get() - callsBefore).isEqualTo(plain.usage().modelCalls());
        }
        assertThat(result.path()).isEqualTo(plain.path());
        assertThat(result.generatedTokens()).isEqualTo(plain.generatedTokens());
        assertThat(result.rewardUsage().modelCalls()).isEqualTo(costly.passes.get()).isPositive();
        assertThat(result.usage().modelCalls()).isEqualTo(plain.usage().modelCalls() + costly.passes.get());
        assertThat(result.usage().inputTokens()).isEqualTo(plain.usage().inputTokens()
                + (long) costly.passes.get() * CostlyStepReward.TOKENS_PER_PASS);
    }

    @Test
    void anEmptyReplyEndsTheChainItContinuesAndIsNoFailedCall() {
        // A step cut at its cap right before the model's end of sequence is continued by nothing but the end: an
        // empty reply, which the gateway must not take for garbage (nor retry).
        FaultyChatModel faulty = FaultyChatModel.builder()
                .delegate(new ContinuingChatModel(new ArithmeticChainModel(3, 0), true))
                .fault(1, Fault.empty()).build();
        StepSearchResult result;
        try (ModelGateway gateway = gateway(faulty)) {
            result = served(gateway).stepTokens(5).build().solve(QUESTION);
        }
        assertThat(result.usage().failedCalls()).isZero();
        assertThat(result.usage().modelCalls()).isEqualTo(faulty.calls());
        assertThat(faulty.faults()).containsEntry(Fault.Kind.EMPTY, 1);
        // The first call wrote " 1*2=" (its 5 tokens), the second nothing: that chain ended there, and the reward
        // took its last number for its answer.
        assertThat(faulty.calls()).isEqualTo(2);
        assertThat(result.complete()).isTrue();
        assertThat(result.chain()).isEqualTo("1*2=");
        assertThat(result.generatedTokens()).isEqualTo(5);
    }

    @Test
    void theSameSeedGivesTheSamePathOverTheGateway() {
        try (ModelGateway gateway = gateway(new ContinuingChatModel(new ArithmeticChainModel(5, 0.4), true))) {
            StepSearch search = served(gateway).seed(7).maxExpansionsPerStep(2).build();
            StepSearchResult first = search.solve(QUESTION);
            StepSearchResult again = search.solve(QUESTION);
            assertThat(again.path()).isEqualTo(first.path());
            assertThat(again.generatedTokens()).isEqualTo(first.generatedTokens());
            assertThat(again.expansions()).isEqualTo(first.expansions());
        }
    }

    @Test
    void transientFailuresAreRetriedAndChangeNeitherThePathNorTheTokens() {
        StepSearchResult clean;
        try (ModelGateway gateway = gateway(new ContinuingChatModel(new ArithmeticChainModel(3, 0.5), true))) {
            clean = served(gateway).seed(3).stepTokens(5).build().solve(QUESTION);
        }
        ContinuingChatModel chat = new ContinuingChatModel(new ArithmeticChainModel(3, 0.5), true);
        FaultyChatModel faulty = FaultyChatModel.builder().delegate(chat)
                .fault(0, Fault.serverError(503))
                .fault(3, Fault.rateLimited(Duration.ZERO))
                .fault(4, Fault.serverError(500))
                .fault(7, Fault.failure(new RuntimeException(new java.io.IOException("connection reset"))))
                .build();
        StepSearchResult result;
        try (ModelGateway gateway = gateway(faulty)) {
            result = served(gateway).seed(3).stepTokens(5).build().solve(QUESTION);
        }

        assertThat(result.path()).isEqualTo(clean.path());
        assertThat(result.answer()).isEqualTo(clean.answer());
        assertThat(result.generatedTokens()).isEqualTo(clean.generatedTokens()).isEqualTo(chat.generatedTokens.get());
        assertThat(result.usage().failedCalls()).isEqualTo(4);
        assertThat(result.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.SERVER_ERROR, 2,
                CallFailure.RATE_LIMITED, 1, CallFailure.CONNECTION, 1));
        assertThat(result.usage().modelCalls()).isEqualTo(clean.usage().modelCalls() + 4)
                .isEqualTo(faulty.calls());
    }

    @Test
    void aCallThatFailsForGoodLosesItsRowAndTheSearchGoesOnWithinItsBudget() {
        ContinuingChatModel chat = new ContinuingChatModel(new ArithmeticChainModel(3, 0.5), true);
        // Call 1 is refused (a 400 is not retried); calls 4, 5 and 6 are one row's three attempts, all 503s.
        FaultyChatModel faulty = FaultyChatModel.builder().delegate(chat)
                .fault(1, Fault.failure(new HttpException(400, "bad request")))
                .fault(4, Fault.serverError(503)).fault(5, Fault.serverError(503)).fault(6, Fault.serverError(503))
                .build();
        StepSearchResult result;
        try (ModelGateway gateway = gateway(faulty)) {
            result = served(gateway).seed(3).stepTokens(5).maxTokens(200).build().solve(QUESTION);
        }

        assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(result.answer()).contains("6");
        assertThat(result.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.CLIENT_ERROR, 1,
                CallFailure.SERVER_ERROR, 3));
        assertThat(result.usage().modelCalls()).isEqualTo(faulty.calls());
        assertThat(result.generatedTokens()).isEqualTo(chat.generatedTokens.get()).isLessThanOrEqualTo(200);
    }

    @Test
    void theTokenBudgetIsExactOverTheGateway() {
        for (long budget : new long[] {1, 10, 23, 57}) {
            ContinuingChatModel chat = new ContinuingChatModel(new ArithmeticChainModel(6, 0.5), true);
            StepSearchResult result;
            try (ModelGateway gateway = gateway(chat)) {
                result = served(gateway).maxTokens(budget).stepTokens(4).build().solve(QUESTION);
            }
            assertThat(result.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
            assertThat(result.generatedTokens()).isEqualTo(budget).isEqualTo(chat.generatedTokens.get());
        }
    }

    @Test
    void aSpentGatewayBudgetStopsTheSearch() {
        ContinuingChatModel chat = new ContinuingChatModel(new ArithmeticChainModel(5, 0), true);
        StepSearchResult result;
        try (ModelGateway gateway = ModelGateway.builder().model(chat).maxCalls(3).build()) {
            result = served(gateway).stepTokens(3).build().solve(QUESTION);
        }
        assertThat(result.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(result.answer()).isEmpty();
        assertThat(chat.calls.get()).isEqualTo(3);
        assertThat(result.usage().modelCalls()).isEqualTo(3);
        assertThat(result.generatedTokens()).isEqualTo(chat.generatedTokens.get());
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void cancellingTheAggregatorsSolveAsyncInterruptsTheServedCallInFlightAndMakesNoOther()
            throws InterruptedException {
        // The second call never answers: only an interrupt ends it (the call timeout is far past the hang guard).
        FaultyChatModel faulty = FaultyChatModel.builder()
                .delegate(new ContinuingChatModel(new ArithmeticChainModel(5, 0), true))
                .fault(1, Fault.hang()).build();
        AtomicInteger entered = new AtomicInteger();
        CountDownLatch hanging = new CountDownLatch(1);
        CountDownLatch hangEnded = new CountDownLatch(1);
        ChatModel watched = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                boolean hangs = entered.incrementAndGet() == 2;
                if (hangs) {
                    hanging.countDown();
                }
                try {
                    return faulty.chat(request);
                } finally {
                    if (hangs) {
                        hangEnded.countDown();
                    }
                }
            }
        };
        try (ModelGateway gateway = ModelGateway.builder().model(watched).retryPolicy(AT_ONCE)
                .callTimeout(Duration.ofMinutes(10)).build()) {
            // The reward scores the first call's step on the search's own thread, before the second call hangs.
            AtomicReference<Thread> searchThread = new AtomicReference<>();
            ProcessReward arithmetic = ArithmeticStepReward.create();
            ProcessReward watching = new ProcessReward() {
                @Override
                public double scoreStep(String question, List<String> steps, boolean complete) {
                    searchThread.set(Thread.currentThread());
                    return arithmetic.scoreStep(question, steps, complete);
                }

                @Override
                public String name() {
                    return "watching";
                }
            };
            CompletableFuture<AggregationResult> future = served(gateway).reward(watching).build()
                    .asAggregator().solveAsync(QUESTION);
            hanging.await();
            future.cancel(true);
            hangEnded.await();
            // The search's thread may be a pooled worker that outlives the search: wait until it left the search.
            SolveAsyncCancellationTest.awaitLeft(searchThread.get(), StepSearch.class);
            assertThat(future).isCancelled();
        }
        // The scope refuses every call after the cancel: none reached the model.
        assertThat(faulty.calls()).isEqualTo(2);
        assertThat(faulty.faults()).containsEntry(Fault.Kind.HANG, 1);
    }

    @Test
    void aProviderThatRefusesEveryCallEndsTheSearchWithoutAnswer() {
        FaultyChatModel refusing = FaultyChatModel.builder()
                .delegate(new ContinuingChatModel(new ArithmeticChainModel(3, 0), true))
                .everyNth(1, Fault.failure(new HttpException(401, "no key"))).build();
        StepSearchResult result;
        try (ModelGateway gateway = gateway(refusing)) {
            result = served(gateway).maxExpansionsPerStep(4).build().solve(QUESTION);
        }
        assertThat(result.stopReason()).isEqualTo(StopReason.NO_ANSWER);
        assertThat(result.usage().modelCalls()).isEqualTo(4).isEqualTo(refusing.calls());
        assertThat(result.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.CLIENT_ERROR, 4));
        assertThat(result.generatedTokens()).isZero();
    }

    @Test
    void asAnAggregatorASearchWhoseEveryCallFailedThrowsAsAVoteDoesWithWhatItSpent() {
        FaultyChatModel refusing = FaultyChatModel.builder()
                .delegate(new ContinuingChatModel(new ArithmeticChainModel(3, 0), true))
                .everyNth(1, Fault.failure(new HttpException(401, "no key"))).build();
        try (ModelGateway gateway = gateway(refusing)) {
            assertThatThrownBy(() -> served(gateway).maxExpansionsPerStep(4).build().asAggregator().solve(QUESTION))
                    .isInstanceOf(ReasoningException.class).hasMessageContaining("no chain could be sampled")
                    .hasMessageContaining("CLIENT_ERROR")
                    .satisfies(thrown -> assertThat(((ReasoningException) thrown).usage().failuresByKind())
                            .isEqualTo(Map.of(CallFailure.CLIENT_ERROR, 4)));
        }
    }

    @Test
    void aResultOfSolveIsReportedAsTheAggregatorViewReportsIt() {
        FaultyChatModel refusing = FaultyChatModel.builder()
                .delegate(new ContinuingChatModel(new ArithmeticChainModel(3, 0), true))
                .everyNth(1, Fault.failure(new HttpException(401, "no key"))).build();
        try (ModelGateway refused = gateway(refusing);
             ModelGateway answered = gateway(new ContinuingChatModel(new ArithmeticChainModel(3, 0), true))) {
            StepSearch failing = served(refused).maxExpansionsPerStep(4).build();
            StepSearchResult sampledNothing = failing.solve(QUESTION);
            Throwable viewThrew = catchThrowable(() -> failing.asAggregator().solve(QUESTION));
            assertThatThrownBy(() -> failing.toAggregationResult(sampledNothing))
                    .isInstanceOf(ReasoningException.class).hasMessage(viewThrew.getMessage())
                    .satisfies(thrown -> assertThat(((ReasoningException) thrown).usage())
                            .isEqualTo(sampledNothing.usage()));

            StepSearch working = served(answered).seed(3).maxTokens(300).build();
            StepSearchResult found = working.solve(QUESTION);
            assertThat(working.toAggregationResult(found)).isEqualTo(found.toAggregationResult());
        }
    }

    @Test
    void aReplyWithoutTokenUsageIsRefusedNamingTheModel() {
        ContinuingChatModel chat = new ContinuingChatModel(new ArithmeticChainModel(3, 0), false);
        try (ModelGateway gateway = ModelGateway.builder().model(chat).name("no-usage-model").build()) {
            StepSearch search = served(gateway).build();
            assertThatThrownBy(() -> search.solve(QUESTION)).isInstanceOf(TokenUsageUnavailableException.class)
                    .hasMessageContaining("no-usage-model").hasMessageContaining("token usage")
                    // The calls whose replies reported none were made all the same; their tokens are unknown.
                    .satisfies(e -> assertThat(((TokenUsageUnavailableException) e).usage().modelCalls())
                            .isPositive().isEqualTo(chat.calls.get()))
                    .satisfies(e -> assertThat(((TokenUsageUnavailableException) e).usage().tokensKnown())
                            .isFalse());
        }
    }

    @Test
    void aReplyPastItsCapIsDroppedAsGarbageAndItsTokensStillCount() {
        // A server that ignores the request's token limit: every reply reports 5 tokens more than asked.
        AtomicInteger calls = new AtomicInteger();
        ChatModel careless = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                calls.incrementAndGet();
                return ChatResponse.builder().aiMessage(AiMessage.from("1 * 2 = 2.\nA: 2"))
                        .tokenUsage(new TokenUsage(7,
                                request.parameters().maxOutputTokens() + 5))
                        .build();
            }
        };
        try (ModelGateway gateway = gateway(careless)) {
            StepSearchResult result = served(gateway).stepTokens(16).maxTokens(100).build().solve(QUESTION);

            assertThat(result.answer()).isEmpty();
            assertThat(result.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
            assertThat(result.usage().modelCalls()).isEqualTo(calls.get()).isPositive();
            assertThat(result.usage().failuresByKind()).containsExactly(Map.entry(CallFailure.GARBAGE, calls.get()));
            // Every reported token counts: the careless server took the search past its budget, by what it sent.
            assertThat(result.generatedTokens()).isGreaterThan(100);
        }
    }

    @Test
    void aModelOrAGatewayIsRequiredAndNotBoth() {
        ArithmeticChainModel model = new ArithmeticChainModel(1, 0);
        try (ModelGateway gateway = gateway(new ContinuingChatModel(model, true))) {
            assertThatThrownBy(() -> StepSearch.builder().model(model).gateway(gateway))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alternatives");
            assertThatThrownBy(() -> StepSearch.builder().gateway(gateway).model(model))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alternatives");
            assertThatThrownBy(() -> StepSearch.builder().gateway(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("gateway");
            assertThatThrownBy(() -> StepSearch.builder().requestParameters(null))
                    .isInstanceOf(NullPointerException.class).hasMessage("requestParameters");
            assertThatThrownBy(() -> StepSearch.builder().model(model)
                    .requestParameters(SampleRequestParameters.temperatureOnly()).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("requestParameters");
            assertThatThrownBy(() -> StepSearch.builder().build()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("gateway");
            assertThat(StepSearch.builder().gateway(gateway).build().name()).isEqualTo("step_search_best_first");
        }
    }
}
