package dev.reasoningsdk.impl.onnx;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.reasoningsdk.impl.onnx.internal.CloseGate;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One loaded model: an {@link OrtSession} with the options it was built with, the provider it actually runs on and
 * the model's custom metadata. Made by {@link OnnxSessionFactory#open(ModelSource)}.
 *
 * <p>Thread-safe: ONNX Runtime allows concurrent {@code run} calls on one session, so share one instance per model.
 * The caller closes every {@code OnnxTensor} it creates and every {@code OrtSession.Result} it gets. Closing this
 * closes the session and then its options (ONNX Runtime needs them alive as long as the session); closing twice is
 * harmless.
 */
public final class OnnxModelSession implements AutoCloseable {

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final String modelName;
    private final String providerUsed;
    private final String fallbackReason;
    private final Map<String, String> metadata;
    private final Consumer<OnnxModelSession> onClose;
    /** Frees the session only once no {@link #run} uses it (see {@link CloseGate}). */
    private final CloseGate gate;

    OnnxModelSession(OrtEnvironment environment, OrtSession session, OrtSession.SessionOptions options,
                     String modelName, String providerUsed, String fallbackReason,
                     Consumer<OnnxModelSession> onClose) throws OrtException {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.session = Objects.requireNonNull(session, "session");
        this.options = Objects.requireNonNull(options, "options");
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.providerUsed = Objects.requireNonNull(providerUsed, "providerUsed");
        this.fallbackReason = fallbackReason;
        this.metadata = Map.copyOf(session.getMetadata().getCustomMetadata());
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.gate = new CloseGate("session of model " + modelName);
    }

    /**
     * The ONNX Runtime session, for {@code run}.
     *
     * @throws IllegalStateException if this session was closed
     */
    public OrtSession session() {
        if (gate.isClosed()) {
            throw new IllegalStateException("session of model " + modelName + " is closed");
        }
        return session;
    }

    /**
     * Runs the session; {@link #close()} (or closing the factory) waits for the run to return before freeing the
     * session, where a run on {@link #session()} directly would crash the JVM if the session were closed under it.
     *
     * @param runOptions the run's options, or null for the defaults
     * @throws IllegalStateException if this session was closed
     * @throws OrtException          if ONNX Runtime fails
     */
    public OrtSession.Result run(Map<String, ? extends OnnxTensorLike> inputs, Set<String> outputs,
                                 OrtSession.RunOptions runOptions) throws OrtException {
        return gate.use(() -> runOptions == null ? session.run(inputs, outputs)
                : session.run(inputs, outputs, runOptions));
    }

    /** The environment the session belongs to; create input tensors with it. */
    public OrtEnvironment environment() {
        return environment;
    }

    /** The provider the session runs on: {@code "CUDA"} or {@code "CPU"}. */
    public String providerUsed() {
        return providerUsed;
    }

    /** Why CUDA was not used although {@link ExecutionProvider#AUTO} asked for it; empty otherwise. */
    public Optional<String> fallbackReason() {
        return Optional.ofNullable(fallbackReason);
    }

    /** The model's name, as given by its {@link ModelSource}. */
    public String modelName() {
        return modelName;
    }

    /** The model's custom metadata ({@code metadata_props}), immutable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return gate.isClosed();
    }

    /** Closes the session once the runs in flight ({@link #run}) have returned; later runs are refused. */
    @Override
    public void close() {
        gate.close(() -> {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("closing the session of model " + modelName + " failed", e);
            } finally {
                options.close();
                onClose.accept(this);
            }
        });
    }

    @Override
    public String toString() {
        return "OnnxModelSession[" + modelName + " on " + providerUsed + (gate.isClosed() ? ", closed]" : "]");
    }
}
