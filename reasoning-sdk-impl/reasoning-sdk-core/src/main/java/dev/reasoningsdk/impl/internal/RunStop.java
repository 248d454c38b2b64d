package dev.reasoningsdk.impl.internal;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stop of one run of a technique (a vote's or AoR's {@code solve}), fired from another thread when the caller
 * cancels or completes the run's future: the run checks it before each model call it starts, and the calls in flight
 * that can be stopped (a sampler's batch, a gateway scope) are stopped through the hooks it holds. A run that cannot
 * be stopped ({@code solve} itself) is given {@link #NONE}. Not API.
 */
public final class RunStop {

    /** The stop of a run no caller can stop: never stopped; its runs call their samplers directly. */
    public static final RunStop NONE = new RunStop(false);

    private final boolean stoppable;
    private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    private RunStop(boolean stoppable) {
        this.stoppable = stoppable;
    }

    /**
     * Runs {@code work} on {@code CompletableFuture}'s default executor and returns its future; cancelling that future,
     * or completing it (a value, an exception, {@code orTimeout}), runs {@code stop}, once the work's own result has
     * not ended it first.
     *
     * @throws NullPointerException if either is null
     */
    public static <T> CompletableFuture<T> supplyAsync(Supplier<T> work, Runnable stop) {
        Objects.requireNonNull(work, "work");
        StoppingFuture<T> result = new StoppingFuture<>(stop);
        CompletableFuture.runAsync(() -> {
            try {
                result.completeFromWork(work.get());
            } catch (RuntimeException | Error failure) {
                result.failFromWork(failure);
            }
        });
        return result;
    }

    /**
     * Runs {@code work} with a fresh stop, as {@link #supplyAsync(Supplier, Runnable)}: ending the returned future
     * fires the stop {@code work} was given.
     */
    public static <T> CompletableFuture<T> supplyAsync(Function<RunStop, T> work) {
        Objects.requireNonNull(work, "work");
        RunStop stop = new RunStop(true);
        return supplyAsync(() -> work.apply(stop), stop::stop);
    }

    /** Whether a caller can stop this run: only then does it draw through a sampler's stoppable future. */
    public boolean isStoppable() {
        return stoppable;
    }

    /** Whether the run was stopped. */
    public boolean isStopped() {
        return stopped;
    }

    /**
     * Returns normally unless the run was stopped; called before each model call, so that none starts after a stop.
     *
     * @throws CancellationException if the run was stopped
     */
    public void check() {
        if (stopped) {
            throw new CancellationException("the run was stopped by its caller");
        }
    }

    /**
     * Runs {@code hook} when the run stops (at once if it already has): for work that lasts as long as the run, such
     * as a judge's scope.
     */
    public void onStop(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        if (!stoppable) {
            // NONE is shared by every run that cannot be stopped: holding their hooks would keep their scopes alive.
            return;
        }
        hooks.add(hook);
        if (stopped) {
            hook.run();
        }
    }

    /**
     * Waits for {@code work}, cancelling it if the run stops meanwhile; a stoppable future such as a sampler's batch
     * then stops its calls, another is only abandoned. The run holds the future only once it was returned: a stop in
     * between reaches it here, so calls the work started in that moment are made, none after.
     *
     * @return the work's value
     * @throws CancellationException if the run was stopped (or the work cancelled)
     * @throws RuntimeException      the work's own failure, as it was thrown
     */
    public <T> T await(CompletableFuture<T> work) {
        Runnable cancel = () -> work.cancel(true);
        onStop(cancel);
        try {
            return work.join();
        } catch (CompletionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw failed;
        } finally {
            hooks.remove(cancel);
        }
    }

    private void stop() {
        stopped = true;
        hooks.forEach(Runnable::run);
    }
}
