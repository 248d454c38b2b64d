package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing a local model or the encoder while other threads use it. The native session and tokenizer used to be freed
 * under running calls, which killed the JVM (SIGSEGV in libonnxruntime) rather than failing a call: now close waits
 * for the calls in flight and every later call throws {@link IllegalStateException}. Each thread keeps calling
 * until refused, so the outcome does not depend on when close lands.
 */
class CloseWhileInUseTest {

    private static final int THREADS = 3;

    /** Runs {@code call} on every thread until it throws; closes once each has finished a call; returns the throws. */
    private static List<Throwable> closeWhileCalling(Runnable call, AutoCloseable closeable) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch eachCalledOnce = new CountDownLatch(THREADS);
        try {
            List<Future<Throwable>> ends = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                ends.add(pool.submit(() -> {
                    boolean counted = false;
                    while (true) {
                        try {
                            call.run();
                        } catch (RuntimeException e) {
                            if (!counted) {
                                eachCalledOnce.countDown();
                            }
                            return e;
                        }
                        if (!counted) {
                            eachCalledOnce.countDown();
                            counted = true;
                        }
                    }
                }));
            }
            assertThat(eachCalledOnce.await(120, TimeUnit.SECONDS)).as("every thread finished a call").isTrue();
            closeable.close();
            closeable.close(); // twice is harmless
            List<Throwable> thrown = new ArrayList<>();
            for (Future<Throwable> end : ends) {
                thrown.add(end.get(120, TimeUnit.SECONDS));
            }
            return thrown;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aModelClosedUnderRunningGenerationsRefusesLaterCallsAndTheJvmLives() throws Exception {
        HuggingFaceOnnxModel model = TinyReasoner.builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(1)
                .build();
        String prompt = TinyReasoner.prompt("Sam has 14 apples. He buys 7 more. He gives 5 to Ana. Then he doubles "
                + "them. How many apples does Sam have?");
        List<Throwable> thrown = closeWhileCalling(() -> {
            model.generate(prompt, 3, GenerationOptions.sampling(1.0, 60, 5));
            model.promptHiddenState(prompt);
            model.continuationLogProbs(prompt, " 14+7=21.");
        }, model);
        assertThat(thrown).hasSize(THREADS).allSatisfy(e -> assertThat(e)
                .isInstanceOf(IllegalStateException.class).hasMessage("model tiny-reasoner@1 is closed"));
        assertThatIllegalStateException().isThrownBy(() -> model.encode("Q: 1+1?\nA:"))
                .withMessageContaining("is closed");
    }

    @Test
    void anEncoderClosedUnderRunningPassesRefusesLaterCallsAndTheJvmLives() throws Exception {
        AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build();
        List<String> sentences = List.of("Who won the most recent Nobel Prize in Physics?",
                "Translate 'good morning' into French.", "What is the capital of Australia?");
        List<Throwable> thrown = closeWhileCalling(() -> encoder.embedAll(sentences), encoder);
        assertThat(thrown).hasSize(THREADS).allSatisfy(e -> assertThat(e)
                .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("is closed"));
        assertThatIllegalStateException().isThrownBy(() -> encoder.embed("one more"));
    }

    @Test
    void aSessionFactoryClosedUnderItsModelsRunningFailsTheirCallsAndTheJvmLives() throws Exception {
        // Closing the factory closes every session it opened: each session now waits for its runs in flight.
        OnnxSessionFactory factory = OnnxSessionFactory.cpu(1);
        HuggingFaceOnnxModel model = TinyReasoner.builder().sessionFactory(factory).build();
        String prompt = TinyReasoner.prompt("Ana has 9 shells. She finds 6 more. How many shells does she have?");
        try {
            List<Throwable> thrown = closeWhileCalling(() -> {
                model.generate(prompt, 3, GenerationOptions.sampling(1.0, 60, 5));
                model.promptHiddenState(prompt);
            }, factory);
            assertThat(thrown).hasSize(THREADS).allSatisfy(e -> assertThat(e)
                    .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("is closed"));
        } finally {
            model.close();
        }
    }
}
