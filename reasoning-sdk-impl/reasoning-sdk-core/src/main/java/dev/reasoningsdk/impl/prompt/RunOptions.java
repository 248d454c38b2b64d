package dev.reasoningsdk.impl.prompt;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Per-run options of a metaheuristic prompt search: a progress listener, a checkpoint file, and a cancellation
 * signal.
 *
 * <p>With a checkpoint file, the run writes its evaluations there (JSON) every {@code checkpointEvery} iterations
 * and at the end. If the file exists when a run starts, the run resumes from it: a seeded search replays its
 * decisions, taking every score already in the file instead of calling the objective again, and so continues where
 * the interrupted run stopped. The file must come from the same optimiser, seed and initial prompt.
 *
 * @param listener        progress events
 * @param checkpoint      the checkpoint file, if any
 * @param checkpointEvery iterations between checkpoint writes, at least 1
 * @param cancelled       polled before each evaluation; true stops the run with {@code CANCELLED}
 */
public record RunOptions(SearchListener listener, Optional<Path> checkpoint, int checkpointEvery,
                         BooleanSupplier cancelled) {

    /** @throws IllegalArgumentException if {@code checkpointEvery < 1} */
    public RunOptions {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(cancelled, "cancelled");
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpointEvery must be >= 1, was " + checkpointEvery);
        }
    }

    /** No listener, no checkpoint, never cancelled. */
    public static RunOptions defaults() {
        return new RunOptions(SearchListener.none(), Optional.empty(), 1, () -> false);
    }

    /** These options with {@code listener}. */
    public RunOptions withListener(SearchListener newListener) {
        return new RunOptions(newListener, checkpoint, checkpointEvery, cancelled);
    }

    /** These options checkpointing to (and resuming from) {@code file} every iteration. */
    public RunOptions withCheckpoint(Path file) {
        return new RunOptions(listener, Optional.of(file), checkpointEvery, cancelled);
    }

    /** These options writing the checkpoint every {@code iterations} iterations. */
    public RunOptions withCheckpointEvery(int iterations) {
        return new RunOptions(listener, checkpoint, iterations, cancelled);
    }

    /** These options stopping when {@code signal} returns true. */
    public RunOptions withCancellation(BooleanSupplier signal) {
        return new RunOptions(listener, checkpoint, checkpointEvery, signal);
    }
}
