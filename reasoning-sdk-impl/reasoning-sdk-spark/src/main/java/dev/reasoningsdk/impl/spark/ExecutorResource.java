package dev.reasoningsdk.impl.spark;

import dev.reasoningsdk.impl.spark.internal.ResourceHolder;
import java.io.Serializable;
import java.util.Objects;

/**
 * How an executor gets a model, head or judge: a key that names its configuration and a serializable recipe that
 * builds it. Only the recipe travels to executors (with each task, a few hundred bytes); what it builds is made at
 * most once per executor JVM, on the first task that asks, shared by every task that JVM runs (the built object
 * must be thread-safe, as the SDK's judges, estimators and aggregators are), and closed by a shutdown hook when the
 * JVM ends, with everything the recipe registered with its {@link Closer} (an encoder under a judge), and itself if
 * it is {@link AutoCloseable}. Two resources with the same key are the same resource: the key must
 * change whenever the recipe would build something different (a model path, a threshold, a seed).
 *
 * <pre>{@code
 * ExecutorResource<RetrievalJudge> judge = ExecutorResource.of("uar-minilm-default-heads", closer -> {
 *     AllMiniLmL6V2Encoder encoder = closer.register(AllMiniLmL6V2Encoder.builder().intraOpThreads(1).build());
 *     HuggingFaceOnnxModel reasoner = closer.register(TinyReasoner.builder().intraOpThreads(1).build());
 *     return UnifiedActiveRetrieval.withDefaultHeads(encoder, HiddenStateSelfKnowledge.tinyReasoner(reasoner));
 * });
 * }</pre>
 *
 * <p>Immutable and serializable.
 *
 * @param <T> what the recipe builds
 */
public final class ExecutorResource<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final Recipe<T> recipe;

    private ExecutorResource(String key, Recipe<T> recipe) {
        this.key = key;
        this.recipe = recipe;
    }

    /**
     * A resource named {@code key}, built by {@code recipe}.
     *
     * @throws IllegalArgumentException if {@code key} is blank
     */
    public static <T> ExecutorResource<T> of(String key, Recipe<T> recipe) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(recipe, "recipe");
        if (key.isBlank()) {
            throw new IllegalArgumentException("key must not be blank");
        }
        return new ExecutorResource<>(key, recipe);
    }

    /** The key naming this resource's configuration. */
    public String key() {
        return key;
    }

    /**
     * This JVM's instance, built on the first call in the JVM and shared afterwards.
     *
     * @throws RuntimeException      what the recipe threw (a model that cannot be loaded), on every call until a
     *                               build succeeds
     */
    public T get() {
        return ResourceHolder.get(key, recipe::build);
    }

    /**
     * Closes and forgets every resource this JVM built ({@link AutoCloseable} ones are closed in reverse order of
     * building). A driver that ran tasks itself (local mode) may call it when done; executors are closed by the
     * shutdown hook. The next {@link #get()} builds again.
     */
    public static void closeAll() {
        ResourceHolder.closeAll();
    }

    @Override
    public String toString() {
        return "ExecutorResource[" + key + "]";
    }

    /**
     * Builds the resource on an executor. A lambda or a static nested class: it is serialized with everything it
     * captures, so capture paths and settings, never a loaded model.
     *
     * @param <T> what it builds
     */
    @FunctionalInterface
    public interface Recipe<T> extends Serializable {
        /**
         * Builds the resource; throwing fails the task that asked.
         *
         * @param closer registers what must be closed with the resource (models the built object uses)
         */
        T build(Closer closer) throws Exception;
    }

    /** Collects what an executor closes when its JVM ends. */
    @FunctionalInterface
    public interface Closer {
        /** Registers {@code closeable} to be closed with the resource; returns it. */
        <C extends AutoCloseable> C register(C closeable);
    }
}
