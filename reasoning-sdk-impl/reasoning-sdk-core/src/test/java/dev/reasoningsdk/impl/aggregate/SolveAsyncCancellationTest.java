package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancelling a vote's or AoR's {@code solveAsync} after its first model call: no call starts after it. The calls
 * here are in process; over real HTTP, the call in flight is interrupted ({@code SolveAsyncCancellationWireTest} in
 * the Ollama module).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SolveAsyncCancellationTest {

    private static final String QUESTION = "q";

    @Test
    void cancellingAMajorityVotesSolveAsyncStartsNoSampleAfterIt() throws InterruptedException {
        ExecutorService calls = Executors.newSingleThreadExecutor();
        CountDownLatch firstCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CallCountingSampler sampler = new CallCountingSampler(calls, firstCall, release);
        try {
            CompletableFuture<AggregationResult> future = MajorityVote.builder().extractor(AnswerExtractors.numeric())
                    .sampler(sampler, 0.8).samples(4).build().solveAsync(QUESTION);
            firstCall.await();
            // The run can cancel the batch only once it holds its future: it does when it waits for it.
            awaitWaiting(sampler.caller.get());
            future.cancel(true);
            release.countDown();
        } finally {
            // Every sample, stopped or not, is drawn on this executor: once it has ended, the count is final.
            calls.shutdown();
            assertThat(calls.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(sampler.calls.get()).isEqualTo(1);
    }

    @Test
    void cancellingAorsSolveAsyncStartsNoJudgeCallNorSampleAfterIt() throws InterruptedException {
        ScriptedSampler sampler = new ScriptedSampler(answersScoredAlike());
        CountDownLatch firstJudgeCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HoldingScorer scorer = new HoldingScorer(firstJudgeCall, release);
        CompletableFuture<AggregationResult> future = AggregationOfReasoning.builder().scorer(scorer)
                .extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8).build().solveAsync(QUESTION);
        firstJudgeCall.await();
        future.cancel(true);
        release.countDown();
        awaitLeft(scorer.runThread.get(), AggregationOfReasoning.class);

        assertThat(future).isCancelled();
        assertThat(scorer.tagged.calls()).isEqualTo(1);
        assertThat(sampler.calls).hasSize(1);
    }

    @Test
    void cancellingAorWhileALocalSamplerDrawsLetsTheDrawEndAndStartsNoCallAfterIt() throws InterruptedException {
        CountDownLatch firstDraw = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HoldingSampler sampler = new HoldingSampler(new ScriptedSampler(answersScoredAlike()), firstDraw, release);
        TaggedScorer scorer = new TaggedScorer();
        // The prompt is made on the run's own thread, before each draw.
        AtomicReference<Thread> runThread = new AtomicReference<>();
        CompletableFuture<AggregationResult> future = AggregationOfReasoning.builder().scorer(scorer)
                .extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8).promptFormat(question -> {
                    runThread.compareAndSet(null, Thread.currentThread());
                    return question;
                }).build().solveAsync(QUESTION);
        firstDraw.await();
        future.cancel(true);
        release.countDown();
        awaitLeft(runThread.get(), AggregationOfReasoning.class);
        sampler.firstDrawEnded.await();

        assertThat(future).isCancelled();
        // A local sampler's draw cannot be stopped: it ran to its end, and nothing was judged or drawn after it.
        assertThat(sampler.scripted.calls).hasSize(1);
        assertThat(scorer.calls()).isZero();
    }

    /** Two answers that score alike: AoR judges them and samples again until its 40 samples. */
    private static List<String> answersScoredAlike() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            texts.add("A: 1 [s=8][g=7]");
            texts.add("A: 2 [s=8][g=6]");
        }
        return texts;
    }

    /** Waits until {@code thread} waits for a {@code CompletableFuture}. */
    private static void awaitWaiting(Thread thread) throws InterruptedException {
        while (Arrays.stream(thread.getStackTrace()).noneMatch(frame -> frame.getMethodName().equals("join")
                && frame.getClassName().equals(CompletableFuture.class.getName()))) {
            Thread.sleep(1);
        }
    }

    /**
     * Waits until {@code thread} runs no code of {@code technique}: the run it carried has ended (a pooled thread
     * lives on, so joining it would wait for the pool).
     */
    static void awaitLeft(Thread thread, Class<?> technique) throws InterruptedException {
        while (Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getClassName().startsWith(technique.getName()))) {
            Thread.sleep(1);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while held", interrupted);
        }
    }

    /**
     * A sampler that draws on its executor, one call per sample, and stops starting calls once its future is
     * cancelled (as {@code ChatModelSampler} does); its first call waits for {@code release}.
     */
    private static final class CallCountingSampler implements ChainSampler {
        private final ExecutorService executor;
        private final CountDownLatch firstCall;
        private final CountDownLatch release;
        final AtomicInteger calls = new AtomicInteger();
        /** The thread that asked for the first batch: the run's own. */
        final AtomicReference<Thread> caller = new AtomicReference<>();

        CallCountingSampler(ExecutorService executor, CountDownLatch firstCall, CountDownLatch release) {
            this.executor = executor;
            this.firstCall = firstCall;
            this.release = release;
        }

        @Override
        public SampleBatch sample(String prompt, int count, long firstSeed) {
            return sampleAsync(prompt, count, firstSeed).join();
        }

        @Override
        public CompletableFuture<SampleBatch> sampleAsync(String prompt, int count, long firstSeed) {
            caller.compareAndSet(null, Thread.currentThread());
            CompletableFuture<SampleBatch> result = new CompletableFuture<>();
            executor.execute(() -> {
                List<SampleBatch.Sample> samples = new ArrayList<>();
                for (int i = 0; i < count && !result.isCancelled(); i++) {
                    if (calls.incrementAndGet() == 1) {
                        firstCall.countDown();
                        await(release);
                    }
                    samples.add(new SampleBatch.Sample(i, "The answer is 7.", 10, 20, 1));
                }
                result.complete(new SampleBatch(count, samples, List.of(), StopReason.COMPLETED,
                        new Usage(samples.size(), samples.size(), 0, 10L * samples.size(), 20L * samples.size(),
                                Duration.ZERO)));
            });
            return result;
        }

        @Override
        public String name() {
            return "counting";
        }
    }

    /**
     * A sampler with the interface's default {@code sampleAsync}, as a local model's: its first draw waits for
     * {@code release}.
     */
    private static final class HoldingSampler implements ChainSampler {
        final ScriptedSampler scripted;
        final CountDownLatch firstDrawEnded = new CountDownLatch(1);
        private final CountDownLatch firstDraw;
        private final CountDownLatch release;
        private final AtomicInteger draws = new AtomicInteger();

        HoldingSampler(ScriptedSampler scripted, CountDownLatch firstDraw, CountDownLatch release) {
            this.scripted = scripted;
            this.firstDraw = firstDraw;
            this.release = release;
        }

        @Override
        public SampleBatch sample(String prompt, int count, long firstSeed) {
            if (draws.incrementAndGet() > 1) {
                return scripted.sample(prompt, count, firstSeed);
            }
            firstDraw.countDown();
            await(release);
            try {
                return scripted.sample(prompt, count, firstSeed);
            } finally {
                firstDrawEnded.countDown();
            }
        }

        @Override
        public String name() {
            return "holding";
        }
    }

    /** {@link TaggedScorer}'s scores; its first call waits for {@code release} and records the run's thread. */
    private static final class HoldingScorer implements ChainScorer {
        final TaggedScorer tagged = new TaggedScorer();
        final AtomicReference<Thread> runThread = new AtomicReference<>();
        private final CountDownLatch firstCall;
        private final CountDownLatch release;

        HoldingScorer(CountDownLatch firstCall, CountDownLatch release) {
            this.firstCall = firstCall;
            this.release = release;
        }

        @Override
        public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
            hold();
            return tagged.scoreLocally(question, chains, references);
        }

        @Override
        public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
            hold();
            return tagged.scoreGlobally(question, representatives);
        }

        private void hold() {
            if (runThread.compareAndSet(null, Thread.currentThread())) {
                firstCall.countDown();
                await(release);
            }
        }

        @Override
        public String name() {
            return "holding";
        }
    }
}
