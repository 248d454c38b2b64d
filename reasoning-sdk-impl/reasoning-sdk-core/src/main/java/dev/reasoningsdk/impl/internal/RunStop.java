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
 * The stop of one run of a technique (a vote's, AoR's or a step search's {@code solveAsync}), fired from another
 * thread when the caller cancels or completes the run's future: the run checks it before each model call it starts,
 * and the work in flight that can be stopped (a gateway scope, a sampler's batch) is stopped through the hooks it
 * holds. A run that cannot be stopped ({@code solve} itself) is given {@link #NONE}. Not API.
 *
 * <p>The rule: a stop reaches whatever the run started, at whatever moment it fires. Stoppable work is registered
 * before it can start anything, and a hook registered after the stop runs at once. While {@link #supplyAsync} runs
 * the work, the stop is its thread's {@link #current()} one (as OpenTelemetry's {@code Context.current()} carries a
 * span), and every gateway scope opened on that thread, a {@code ChatModelSampler}'s batch or an LLM judge's scoring,
 * is bound to it as it opens ({@code ModelGateway.session}), before its first call: a batch whose
 * {@code sampleAsync} has not yet returned its future is stopped as surely as one the run awaits. A future the run
 * is handed is cancelled as the run takes it ({@link #await}), which stops what only its future can stop.
 */
public final class RunStop {

    /** The stop of a run no caller can stop: never stopped; its runs call their samplers directly. */
    public static final RunStop NONE = new RunStop(false);

    /** The stop of the run the current thread works for; unset outside {@link #supplyAsync}'s work. */
    private static final ThreadLocal<RunStop> CURRENT = new ThreadLocal<>();

    private final boolean stoppable;
    private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    private RunStop(boolean stoppable) {
        this.stoppable = stoppable;
    }

    /**
     * Runs {@code work} on {@code CompletableFuture}'s default executor and returns its future; cancelling that future,
     * or completing it (a value, an exception, {@code orTimeout}), runs {@code stop}, once the work's own result has
     * not ended it first. {@code stop} is a hook of the run's stop, which is the work thread's {@link #current()} one.
     *
     * @throws NullPointerException if either is null
     */
    public static <T> CompletableFuture<T> supplyAsync(Supplier<T> work, Runnable stop) {
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(stop, "stop");
        RunStop runStop = new RunStop(true);
        runStop.onStop(stop);
        return run(runStop, ignored -> work.get());
    }

    /**
     * Runs {@code work} with a fresh stop, as {@link #supplyAsync(Supplier, Runnable)}: ending the returned future
     * fires the stop {@code work} was given.
     */
    public static <T> CompletableFuture<T> supplyAsync(Function<RunStop, T> work) {
        Objects.requireNonNull(work, "work");
        return run(new RunStop(true), work);
    }

    private static <T> CompletableFuture<T> run(RunStop stop, Function<RunStop, T> work) {
        StoppingFuture<T> result = new StoppingFuture<>(stop::stop);
        CompletableFuture.runAsync(() -> {
            // Restored after, not cleared: a run nested in another on this thread (a pooled thread may run a queued
            // task while it waits) leaves the outer run's stop in place.
            RunStop outer = CURRENT.get();
            CURRENT.set(stop);
            try {
                result.completeFromWork(work.apply(stop));
            } catch (RuntimeException | Error failure) {
                result.failFromWork(failure);
            } finally {
                if (outer == null) {
                    CURRENT.remove();
                } else {
                    CURRENT.set(outer);
                }
            }
        });
        return result;
    }

    /**
     * The stop of the run the calling thread works for ({@link #supplyAsync}'s work), or {@link #NONE} outside one:
     * what opens stoppable work on a run's behalf registers it here ({@link #onStop}) before the work starts.
     */
    public static RunStop current() {
        RunStop stop = CURRENT.get();
        return stop == null ? NONE : stop;
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
     * Runs {@code hook} when the run stops, at once if it already has: registered before the work it stops can start
     * anything, it leaves no moment in which a stop misses that work. Hooks are kept for the run's life.
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
     * Waits for {@code work}, cancelling it if the run stops meanwhile or has stopped already; a stoppable future
     * such as a sampler's batch then stops its calls, another is only abandoned. The work's gateway calls, if it made
     * any from a scope opened on the run's thread, were bound to the stop before this future existed.
     *
     * @return the work's value
     * @throws CancellationException if the run was stopped (or the work cancelled), also when the work ended
     *                               normally: what a stop cut short is not a result the run may go on with
     * @throws RuntimeException      the work's own failure, as it was thrown
     */
    public <T> T await(CompletableFuture<T> work) {
        Runnable cancel = () -> work.cancel(true);
        onStop(cancel);
        try {
            T value = work.join();
            check();
            return value;
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
