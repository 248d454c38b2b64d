package dev.reasoningsdk.impl.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CancellationException;

/**
 * Stops a local generation from another thread: {@link #cancel()} makes the decoding loop stop before its next step
 * and terminates the ONNX Runtime run in progress ({@code RunOptions.setTerminate}), so a long step ends early too.
 * The generation then frees its KV cache and throws a {@link CancellationException}. Interrupting the decoding thread
 * has the same effect between steps (the interrupt flag is kept set). One handle may cancel several generations; a
 * cancelled handle stays cancelled. Thread-safe.
 */
public final class GenerationCancellation {

    private static final GenerationCancellation NONE = new GenerationCancellation();

    private final Set<OrtSession.RunOptions> running = new HashSet<>();
    private boolean cancelled;

    private GenerationCancellation() {
    }

    /** A handle not yet cancelled. */
    public static GenerationCancellation create() {
        return new GenerationCancellation();
    }

    /** The handle of a generation nobody cancels (thread interrupts still stop it). */
    static GenerationCancellation none() {
        return NONE;
    }

    /** Cancels every generation using this handle; a second call does nothing. */
    public synchronized void cancel() {
        if (this == NONE) {
            throw new UnsupportedOperationException("the shared no-cancellation handle cannot be cancelled");
        }
        cancelled = true;
        for (OrtSession.RunOptions options : running) {
            terminate(options);
        }
    }

    /** Whether {@link #cancel()} was called. */
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /**
     * Throws if the handle was cancelled or the current thread was interrupted.
     *
     * @throws CancellationException naming which
     */
    void check() {
        if (isCancelled()) {
            throw new CancellationException("generation cancelled");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("generation cancelled: the decoding thread was interrupted");
        }
    }

    /** Run options that {@link #cancel()} terminates until {@link #release} (already terminated if cancelled). */
    synchronized OrtSession.RunOptions register() {
        try {
            OrtSession.RunOptions options = new OrtSession.RunOptions();
            running.add(options);
            if (cancelled) {
                terminate(options);
            }
            return options;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot create run options: " + e.getMessage(), e);
        }
    }

    /** Forgets and closes options from {@link #register} (under the lock, so cancel never sees closed options). */
    synchronized void release(OrtSession.RunOptions options) {
        running.remove(options);
        options.close();
    }

    private static void terminate(OrtSession.RunOptions options) {
        try {
            options.setTerminate(true);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot terminate a run: " + e.getMessage(), e);
        }
    }
}
