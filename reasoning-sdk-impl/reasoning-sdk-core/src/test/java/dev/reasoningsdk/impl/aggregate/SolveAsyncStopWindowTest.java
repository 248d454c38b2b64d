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
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run's {@code solveAsync} cancelled at the moment its sampler has started a batch whose future the run does not
 * hold yet ({@code sampleAsync} has not returned): the stop reaches the batch all the same, and no call of it starts
 * after the stop; the cancel is fired from inside the sampler, so it lands exactly there. And a judge the run calls
 * through a decorator, which the run cannot see is an LLM judge: its call in flight is interrupted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SolveAsyncStopWindowTest {

    private static final String QUESTION = "What is 3 + 4?";
    private static final Duration NEVER = Duration.ofMinutes(10);

    @Test
    void aMajorityVoteCancelledWhileItsSamplerStartsABatchStartsNoCallOfItAfterTheCancel()
            throws InterruptedException {
        assertTheBatchStartedInTheWindowStops(sampler -> MajorityVote.builder().extractor(AnswerExtractors.numeric())
                .sampler(sampler, 0.8).samples(4).build());
    }

    @Test
    void aorCancelledWhileItsSamplerStartsABatchStartsNoCallOfItAfterTheCancel() throws InterruptedException {
        assertTheBatchStartedInTheWindowStops(sampler -> AggregationOfReasoning.builder().scorer(new TaggedScorer())
                .extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8).initialSamples(4).build());
    }

    @Test
    void aVoteWeightedByADecoratedLlmJudgeHasTheJudgeCallInFlightInterrupted() throws InterruptedException {
        assertTheDecoratedJudgesCallIsInterrupted(judge -> WeightedVote.builder()
                .extractor(AnswerExtractors.numeric()).scorer(judge).sampler(answering(1, 1), 0.8).samples(2)
                .build());
    }

    @Test
    void aorJudgedByADecoratedLlmJudgeHasTheJudgeCallInFlightInterrupted() throws InterruptedException {
        // Two answers, so AoR calls its judge.
        assertTheDecoratedJudgesCallIsInterrupted(judge -> AggregationOfReasoning.builder().scorer(judge)
                .extractor(AnswerExtractors.numeric()).sampler(answering(1, 2), 0.8).initialSamples(2).build());
    }

    /**
     * A batch of 4 samples, one call at a time, whose first call is held: the run is cancelled while the sampler's
     * {@code sampleAsync} has not yet returned, then the call is let go and the batch waited for before it returns.
     * Unless the stop reached the batch, its other 3 calls are made.
     */
    private static void assertTheBatchStartedInTheWindowStops(Function<ChainSampler, Aggregator> aggregator)
            throws InterruptedException {
        HeldModel model = new HeldModel(call -> "The answer is 7.");
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
     * The run's judge, an LLM judge behind a decorator, holds its first call; the run is cancelled while it is held,
     * and the call let go only then: unless the stop reached it, it returns as if nothing happened.
     */
    private static void assertTheDecoratedJudgesCallIsInterrupted(Function<ChainScorer, Aggregator> aggregator)
            throws InterruptedException {
        HeldModel judgeModel = new HeldModel(call -> "Chain 1 Total Score: 8/10\nChain 2 Total Score: 3/10");
        try (ModelGateway judgeGateway = ModelGateway.builder().model(judgeModel).callTimeout(NEVER).build()) {
            ChainScorer decorated = new ForwardingChainScorer(LlmChainJudge.builder().gateway(judgeGateway).build(),
                    true);
            CompletableFuture<AggregationResult> run = aggregator.apply(decorated).solveAsync(QUESTION);
            judgeModel.entered.await();
            run.cancel(true);
            judgeModel.release.countDown();
            judgeModel.ended.await();

            assertThat(judgeModel.interrupted).isTrue();
            assertThat(judgeModel.calls.get()).isEqualTo(1);
        }
    }

    /** A sampler whose chains answer {@code first}, then {@code second}, alternately. */
    private static ChainSampler answering(int first, int second) {
        return new ScriptedSampler(List.of("The answer is " + first + ".", "The answer is " + second + "."));
    }

    /**
     * A model whose first call waits for {@link #release}; an interrupt ends the wait, and the call, at once.
     */
    private static final class HeldModel implements ChatModel {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        volatile boolean interrupted;
        private final Function<Integer, String> reply;

        HeldModel(Function<Integer, String> reply) {
            this.reply = reply;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            int call = calls.incrementAndGet();
            if (call == 1) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException stopped) {
                    interrupted = true;
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", stopped);
                } finally {
                    ended.countDown();
                }
            }
            return ChatResponse.builder().aiMessage(AiMessage.from(reply.apply(call))).build();
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
