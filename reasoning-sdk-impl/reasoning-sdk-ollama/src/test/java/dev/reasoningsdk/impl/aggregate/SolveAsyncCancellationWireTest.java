package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.fixtures.FaultInjectingServer;
import dev.reasoningsdk.fixtures.HttpFault;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancelling a vote's or AoR's {@code solveAsync} while a call hangs on {@link FaultInjectingServer} over Ollama's
 * wire: the call in flight is interrupted (nothing else ends it: every timeout is far past the test's) and no request
 * follows it, also when the call's batch was started as the run was cancelled, before the run held its future.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SolveAsyncCancellationWireTest {

    private static final Duration NEVER = Duration.ofMinutes(10);

    @Test
    void cancellingAMajorityVoteInterruptsTheSampleInFlightAndSendsNoOther() throws InterruptedException {
        try (FaultInjectingServer server = FaultInjectingServer.builder().reply(question -> "The answer is 7.")
                .faults(FaultInjectingServer.OLLAMA_PATH, HttpFault.none(), HttpFault.hang()).start()) {
            HangWatch watch = new HangWatch(server, 2);
            try (ChatModelSampler sampler = ChatModelSampler.builder().model(watch).concurrency(1)
                    .callTimeout(NEVER).build()) {
                watch.cancelWhileHanging(MajorityVote.builder().extractor(AnswerExtractors.numeric())
                        .sampler(sampler, 0.8).samples(4).build());
            }
            assertThat(server.requests()).isEqualTo(2);
        }
    }

    @Test
    void aBatchStartedAsTheVoteIsCancelledHasItsRequestInterruptedAndSendsNoOther() {
        try (FaultInjectingServer server = FaultInjectingServer.builder().reply(question -> "The answer is 7.")
                .faults(FaultInjectingServer.OLLAMA_PATH, HttpFault.hang()).start()) {
            HangWatch watch = new HangWatch(server, 1);
            CompletableFuture<CompletableFuture<AggregationResult>> run = new CompletableFuture<>();
            try (ChatModelSampler calls = ChatModelSampler.builder().model(watch).concurrency(1)
                    .callTimeout(NEVER).build()) {
                // The batch's sampleAsync has started its first request and not yet returned: the run does not hold
                // the batch's future when it is cancelled, so only the stop's binding of the batch's scope can reach
                // it. Nothing else ends the hanging request before the test's own timeout.
                ChainSampler inTheWindow = new ChainSampler() {
                    @Override
                    public SampleBatch sample(String prompt, int count, long firstSeed) {
                        return calls.sample(prompt, count, firstSeed);
                    }

                    @Override
                    public CompletableFuture<SampleBatch> sampleAsync(String prompt, int count, long firstSeed) {
                        CompletableFuture<SampleBatch> batch = calls.sampleAsync(prompt, count, firstSeed);
                        watch.awaitHangingOnTheWire();
                        run.join().cancel(true);
                        watch.awaitHangEnded();
                        return batch;
                    }

                    @Override
                    public String name() {
                        return calls.name();
                    }
                };
                run.complete(MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(inTheWindow, 0.8)
                        .samples(4).build().solveAsync("What is 3 + 4?"));
                watch.awaitHangEnded();
                assertThat(run.join()).isCancelled();
            }
            assertThat(server.faults(HttpFault.Kind.HANG)).isEqualTo(1);
            assertThat(server.requests()).isEqualTo(1);
        }
    }

    @Test
    void cancellingAVoteWeightedByAnLlmJudgeInterruptsTheJudgeCallInFlightAndSendsNoOther()
            throws InterruptedException {
        cancelWhileTheJudgeHangs(question -> "The answer is 7.", (sampler, judge) -> WeightedVote.builder()
                .extractor(AnswerExtractors.numeric()).scorer(judge).sampler(sampler, 0.8).samples(2).build());
    }

    @Test
    void cancellingAorInterruptsTheJudgeCallInFlightAndSendsNoOther() throws InterruptedException {
        AtomicInteger samples = new AtomicInteger();
        // Two answers, so AoR calls its judge.
        cancelWhileTheJudgeHangs(question -> "The answer is " + (1 + samples.getAndIncrement() % 2) + ".",
                (sampler, judge) -> AggregationOfReasoning.builder().scorer(judge)
                        .extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8).initialSamples(2).build());
    }

    /**
     * Two samples answered by {@code reply}, then the aggregator's first judge call (the third request) hangs and is
     * cancelled; no request follows it.
     */
    private static void cancelWhileTheJudgeHangs(Function<String, String> reply,
                                                 BiFunction<ChatModelSampler, LlmChainJudge, Aggregator> aggregator)
            throws InterruptedException {
        try (FaultInjectingServer server = FaultInjectingServer.builder().reply(reply)
                .faults(FaultInjectingServer.OLLAMA_PATH, HttpFault.none(), HttpFault.none(), HttpFault.hang())
                .start()) {
            HangWatch watch = new HangWatch(server, 3);
            try (ChatModelSampler sampler = ChatModelSampler.builder().model(watch).concurrency(1)
                    .callTimeout(NEVER).build();
                 ModelGateway judgeGateway = ModelGateway.builder().model(watch).callTimeout(NEVER).build()) {
                watch.cancelWhileHanging(aggregator.apply(sampler,
                        LlmChainJudge.builder().gateway(judgeGateway).build()));
            }
            assertThat(server.requests()).isEqualTo(3);
        }
    }

    /** The Ollama model of {@code server}, watching the call that hangs (the {@code hangingCall}-th, from 1). */
    private static final class HangWatch implements ChatModel {
        private final FaultInjectingServer server;
        private final ChatModel model;
        private final int hangingCall;
        private final AtomicInteger calls = new AtomicInteger();
        private final CountDownLatch hanging = new CountDownLatch(1);
        private final CountDownLatch hangEnded = new CountDownLatch(1);

        HangWatch(FaultInjectingServer server, int hangingCall) {
            this.server = server;
            this.model = OllamaChatModels.builder().baseUrl(server.ollamaBaseUrl()).modelName("m")
                    .callTimeout(NEVER).build();
            this.hangingCall = hangingCall;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            boolean hangs = calls.incrementAndGet() == hangingCall;
            if (hangs) {
                hanging.countDown();
            }
            try {
                return model.chat(request);
            } finally {
                if (hangs) {
                    hangEnded.countDown();
                }
            }
        }

        /** Starts {@code aggregator}'s solve, cancels it once the server holds the hanging request, waits for it. */
        void cancelWhileHanging(Aggregator aggregator) throws InterruptedException {
            CompletableFuture<AggregationResult> future = aggregator.solveAsync("What is 3 + 4?");
            awaitHangingOnTheWire();
            future.cancel(true);
            // Only an interrupt ends the hanging call before the test's own timeout.
            hangEnded.await();
            assertThat(future).isCancelled();
            assertThat(server.faults(HttpFault.Kind.HANG)).isEqualTo(1);
        }

        /** Waits until the server holds the hanging request. */
        void awaitHangingOnTheWire() {
            try {
                hanging.await();
                // The request is on the wire once the server counted its hang; cancelling earlier might stop it
                // unsent.
                while (server.faults(HttpFault.Kind.HANG) == 0) {
                    Thread.sleep(1);
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the hang", interrupted);
            }
        }

        /** Waits until the hanging call has ended: only an interrupt ends it before the test's own timeout. */
        void awaitHangEnded() {
            try {
                hangEnded.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the hang to end", interrupted);
            }
        }
    }
}
