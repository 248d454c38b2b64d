package dev.reasoningsdk.impl.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A future whose cancellation, or completion by its caller (a value, an exception, {@code orTimeout}), stops the work
 * that would complete it; the work completes it through {@link #completeFromWork} and {@link #failFromWork}, which
 * stop nothing. Dependent stages ({@code thenApply} and so on) are plain {@code CompletableFuture}s, whose
 * cancellation does not reach back. Not API.
 *
 * @param <T> the result type
 */
public class StoppingFuture<T> extends CompletableFuture<T> {

    private final Runnable stop;

    /**
     * A future that runs {@code stop} once a caller ends it.
     *
     * @throws NullPointerException if {@code stop} is null
     */
    public StoppingFuture(Runnable stop) {
        this.stop = Objects.requireNonNull(stop, "stop");
    }

    /** Cancels this future and stops the work. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        stop.run();
        return cancelled;
    }

    /** Completes this future exceptionally and, if that ended it, stops the work. */
    @Override
    public boolean completeExceptionally(Throwable failure) {
        return stopIf(super.completeExceptionally(failure));
    }

    /** Completes this future with a caller's value and, if that ended it, stops the work. */
    @Override
    public boolean complete(T value) {
        return stopIf(super.complete(value));
    }

    /**
     * Completes this future with the work's own result; stops nothing (the work is done). Protected, so that a
     * public subclass does not offer its users a way to end the future without stopping the work.
     */
    protected boolean completeFromWork(T value) {
        return super.complete(value);
    }

    /** Completes this future with the work's own failure; stops nothing (the work is done). Protected, as above. */
    protected boolean failFromWork(Throwable failure) {
        return super.completeExceptionally(failure);
    }

    private boolean stopIf(boolean completedByCaller) {
        if (completedByCaller) {
            stop.run();
        }
        return completedByCaller;
    }
}
