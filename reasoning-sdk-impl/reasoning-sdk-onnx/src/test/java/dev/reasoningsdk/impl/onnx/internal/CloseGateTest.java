package dev.reasoningsdk.impl.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The gate's ordering, checked with latches rather than sleeps: nothing here depends on timing. */
class CloseGateTest {

    @Test
    void closeFreesOnlyAfterTheCallInFlightReturnsAndThatCallFinishesItsNestedCalls() throws Exception {
        CloseGate gate = new CloseGate("model m");
        AtomicInteger released = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> gate.use(() -> {
            inside.countDown();
            await(resume);
            // Closing has begun: a call nested in this one still runs, so this call finishes.
            return gate.use(() -> "nested ran, released " + released.get());
        }), threads);
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> gate.close(released::incrementAndGet),
                threads);
        while (!gate.isClosed()) {
            Thread.onSpinWait();
        }
        // A new call fails at once instead of queueing behind the close.
        assertThatIllegalStateException().isThrownBy(() -> gate.use(() -> "late")).withMessage("model m is closed");
        assertThat(released).hasValue(0);
        resume.countDown();
        assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo("nested ran, released 0");
        closing.get(30, TimeUnit.SECONDS);
        assertThat(released).hasValue(1);
        gate.close(released::incrementAndGet);
        assertThat(released).as("a second close frees nothing").hasValue(1);
        threads.shutdownNow();
    }

    @Test
    void closingFromInsideACallIsRefusedRatherThanWaitingForItself() {
        CloseGate gate = new CloseGate("encoder e");
        assertThatIllegalStateException().isThrownBy(() -> gate.use(() -> {
            gate.close(() -> { });
            return null;
        })).withMessageContaining("cannot be closed from inside one of its own calls");
        assertThat(gate.isClosed()).isFalse();
        assertThat(gate.use(() -> "still open")).isEqualTo("still open");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
