package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.SamplingFuture;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run's {@code solveAsync} cancelled at the moment its sampler has started a batch whose future the run does not
 * hold yet ({@code sampleAsync} has not returned): the stop reaches the batch all the same, and no call of it starts
 * after the stop; the cancel is fired from inside the sampler, so it lands exactly there. And a judge the run calls
 * through a decorator, which the run cannot see is an LLM judge, cancelled from its own call: it makes no other.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SolveAsyncStopWindowTest {

    private static final String QUESTION = "What is 3 + 4?";
    private static final Duration NEVER = Duration.ofMinutes(10);

    @Test
    void aMajorityVoteCancelledWhileItsSamplerStartsABatchStartsNoCallOfItAfterTheCancel() {
        assertTheBatchStartedInTheWindowStops(sampler -> MajorityVote.builder().extractor(AnswerExtractors.numeric())
                .sampler(sampler, 0.8).samples(4).build());
    }

    @Test
    void aorCancelledWhileItsSamplerStartsABatchStartsNoCallOfItAfterTheCancel() {
        assertTheBatchStartedInTheWindowStops(sampler -> AggregationOfReasoning.builder().scorer(new TaggedScorer())
                .extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8).initialSamples(4).build());
    }

    @Test
    void aVoteWeightedByADecoratedLlmJudgeStartsNoJudgeCallAfterTheCancel() throws InterruptedException {
        assertTheDecoratedJudgeStartsNoCallAfterTheCancel((judge, promptFormat) -> WeightedVote.builder()
                .extractor(AnswerExtractors.numeric()).scorer(judge).sampler(answering(1, 1), 0.8)
                .promptFormat(promptFormat).samples(2).build());
    }

    @Test
    void aorJudgedByADecoratedLlmJudgeStartsNoJudgeCallAfterTheCancel() throws InterruptedException {
        // Two answers, so AoR calls its judge.
        assertTheDecoratedJudgeStartsNoCallAfterTheCancel((judge, promptFormat) -> AggregationOfReasoning.builder()
                .scorer(judge).extractor(AnswerExtractors.numeric()).sampler(answering(1, 2), 0.8)
                .promptFormat(promptFormat).initialSamples(2).build());
    }

    /**
     * A batch of 4 samples, one call at a time, whose first call is held: the run is cancelled while the sampler's
     * {@code sampleAsync} has not yet returned, then the call is let go and the batch waited for before it returns.
     * Unless the stop reached the batch, its other 3 calls are made.
     */
    private static void assertTheBatchStartedInTheWindowStops(Function<ChainSampler, Aggregator> aggregator) {
        HeldModel model = new HeldModel();
        CompletableFuture<CompletableFuture<AggregationResult>> run = new CompletableFuture<>();
        try (ChatModelSampler calls = ChatModelSampler.builder().model(model).concurrency(1).callTimeout(NEVER)
                .build()) {
            WindowSampler sampler = new WindowSampler(calls, model, run);
            run.complete(aggregator.apply(sampler).solveAsync(QUESTION));
            sampler.batchSettled.join();

            assertThat(run.join()).isCancelled();
            assertThat(model.calls.get()).isEqualTo(1);
        }
    }

    /**
     * The run's judge, an LLM judge behind a decorator, whose first call cancels the run and replies with no score:
     * unless the stop reached the judge's scope, the judge asks again, as it does for a reply it cannot read.
     * {@code aggregator} is given the judge and a prompt format, which is applied on the run's thread.
     */
    private static void assertTheDecoratedJudgeStartsNoCallAfterTheCancel(
            BiFunction<ChainScorer, UnaryOperator<String>, Aggregator> aggregator) throws InterruptedException {
        CompletableFuture<CompletableFuture<AggregationResult>> run = new CompletableFuture<>();
        AtomicReference<Thread> runThread = new AtomicReference<>();
        CountDownLatch firstJudgeCall = new CountDownLatch(1);
        AtomicInteger judgeCalls = new AtomicInteger();
        ChatModel judgeModel = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                if (judgeCalls.incrementAndGet() == 1) {
                    run.join().cancel(true);
                    firstJudgeCall.countDown();
                }
                return ChatResponse.builder().aiMessage(AiMessage.from("No score in this reply.")).build();
            }
        };
        try (ModelGateway judgeGateway = ModelGateway.builder().model(judgeModel).callTimeout(NEVER).build()) {
            ChainScorer decorated = new ForwardingChainScorer(LlmChainJudge.builder().gateway(judgeGateway)
                    .structuredFallback(false).build(), true);
            run.complete(aggregator.apply(decorated, question -> {
                runThread.compareAndSet(null, Thread.currentThread());
                return question;
            }).solveAsync(QUESTION));
            firstJudgeCall.await();
            // The run's thread is in the judge's scoring, whose every attempt it makes: once it left, none follows.
            SolveAsyncCancellationTest.awaitLeft(runThread.get(), LlmChainJudge.class);

            assertThat(run.join()).isCancelled();
            assertThat(judgeCalls.get()).isEqualTo(1);
        }
    }

    /** A sampler whose chains answer {@code first}, then {@code second}, alternately. */
    private static ChainSampler answering(int first, int second) {
        return new ScriptedSampler(List.of("The answer is " + first + ".", "The answer is " + second + "."));
    }

    /** A model that answers 7; its first call waits for {@link #release}, or an interrupt, which ends it. */
    private static final class HeldModel implements ChatModel {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public ChatResponse doChat(ChatRequest request) {
            if (calls.incrementAndGet() == 1) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", stopped);
                }
            }
            return ChatResponse.builder().aiMessage(AiMessage.from("The answer is 7.")).build();
        }
    }

    /**
     * {@code calls} as the run's sampler; its first {@code sampleAsync} starts the batch, cancels the run once the
     * batch's first call has started, lets that call go and waits for the batch to end before returning its future.
     */
    private static final class WindowSampler implements ChainSampler {
        final CompletableFuture<SampleBatch> batchSettled = new CompletableFuture<>();
        private final ChatModelSampler calls;
        private final HeldModel model;
        private final CompletableFuture<CompletableFuture<AggregationResult>> run;
        private final AtomicBoolean first = new AtomicBoolean(true);

        WindowSampler(ChatModelSampler calls, HeldModel model,
                      CompletableFuture<CompletableFuture<AggregationResult>> run) {
            this.calls = calls;
            this.model = model;
            this.run = run;
        }

        @Override
        public SampleBatch sample(String prompt, int count, long firstSeed) {
            return calls.sample(prompt, count, firstSeed);
        }

        @Override
        public CompletableFuture<SampleBatch> sampleAsync(String prompt, int count, long firstSeed) {
            SamplingFuture batch = calls.sampleAsync(prompt, count, firstSeed);
            if (first.getAndSet(false)) {
                try {
                    model.entered.await();
                } catch (InterruptedException unexpected) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(unexpected);
                }
                run.join().cancel(true);
                model.release.countDown();
                batch.settled().whenComplete((settled, failure) -> batchSettled.complete(settled)).join();
            }
            return batch;
        }

        @Override
        public String name() {
            return calls.name();
        }

        @Override
        public OptionalDouble temperature() {
            return calls.temperature();
        }
    }
}
