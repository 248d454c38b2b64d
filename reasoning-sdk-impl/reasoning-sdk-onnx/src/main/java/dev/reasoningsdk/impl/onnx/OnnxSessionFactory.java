package dev.reasoningsdk.impl.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.OrtSession;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.onnx.internal.OnnxExternalData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that creates ONNX Runtime sessions: it turns an execution-provider choice, thread counts and a graph
 * optimisation level into session options, and opens models from a {@link ModelSource}. Before ONNX Runtime sees a
 * model, {@link OnnxExternalData} checks every file it names as external data: a model file may name files inside
 * its own folder only, model bytes none at all.
 *
 * <p>With {@link ExecutionProvider#AUTO} it asks for CUDA on {@link Builder#cudaDeviceId(int) the device} unless
 * the machine has no NVIDIA driver (then CPU at once, silently: no probe, no native error line); when the
 * CUDA provider cannot be loaded ({@code addCUDA} throws, as on a machine without the CUDA libraries) it opens the
 * model with fresh CPU options and logs one WARN line saying why, once per process: later AUTO sessions go straight
 * to CPU and report the same {@link OnnxModelSession#fallbackReason()}. {@link ExecutionProvider#CUDA} fails instead.
 * Every half-built session and its options are closed when opening fails.
 *
 * <p>Defaults: {@link ExecutionProvider#configured()} (the {@code reasoning.onnx.provider} system property or
 * {@code REASONING_ONNX_PROVIDER} environment variable, else {@code AUTO}), CUDA device 0, intra-op threads
 * {@code min(4, available processors)}, inter-op threads 1 (sequential execution), optimisation level {@code ALL_OPT},
 * idle worker threads sleeping rather than spinning. Thread-safe. Closing the factory closes every session it opened
 * that is still open; closing twice is harmless. The {@link OrtEnvironment} is process-wide and is never closed here.
 */
public final class OnnxSessionFactory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessionFactory.class);

    private final ExecutionProvider executionProvider;
    private final int cudaDeviceId;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final OptLevel optimizationLevel;
    private final boolean allowSpinning;
    private final CudaInstaller cudaInstaller;
    private final Set<OnnxModelSession> openSessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * Why CUDA failed to load the first time AUTO tried it; later AUTO sessions use CPU without retrying or warning.
     * Missing CUDA libraries are a property of the process, so factories with the real installer share one memo.
     */
    private final AtomicReference<String> cudaUnavailable;
    private static final AtomicReference<String> PROCESS_CUDA_UNAVAILABLE = new AtomicReference<>();

    /** Installs the CUDA provider on options; a seam so that tests can force the fallback where CUDA is present. */
    @FunctionalInterface
    interface CudaInstaller {
        void install(OrtSession.SessionOptions options, int deviceId) throws OrtException;
    }

    private static final CudaInstaller DEFAULT_CUDA_INSTALLER = OrtSession.SessionOptions::addCUDA;

    private OnnxSessionFactory(Builder builder) {
        this.executionProvider = builder.executionProvider;
        this.cudaDeviceId = builder.cudaDeviceId;
        this.intraOpThreads = builder.intraOpThreads;
        this.interOpThreads = builder.interOpThreads;
        this.optimizationLevel = builder.optimizationLevel;
        this.allowSpinning = builder.allowSpinning;
        this.cudaInstaller = builder.cudaInstaller;
        this.cudaUnavailable = builder.cudaInstaller == DEFAULT_CUDA_INSTALLER
                ? PROCESS_CUDA_UNAVAILABLE : new AtomicReference<>();
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A factory with every default (AUTO provider). */
    public static OnnxSessionFactory create() {
        return builder().build();
    }

    /** A CPU-only factory with {@code intraOpThreads} threads. */
    public static OnnxSessionFactory cpu(int intraOpThreads) {
        return builder().executionProvider(ExecutionProvider.CPU).intraOpThreads(intraOpThreads).build();
    }

    /**
     * Opens a model.
     *
     * @throws ModelLoadException    naming the model when it is missing, unreadable, refers to external data that
     *                               {@link OnnxExternalData} refuses (outside a file's folder, or any from bytes),
     *                               is rejected by ONNX Runtime, or when {@link ExecutionProvider#CUDA} was asked
     *                               for and CUDA cannot be loaded
     * @throws IllegalStateException if this factory is closed
     */
    public OnnxModelSession open(ModelSource source) {
        Objects.requireNonNull(source, "source");
        if (closed.get()) {
            throw new IllegalStateException("session factory is closed");
        }
        // Checked before ONNX Runtime sees the model, because ONNX Runtime opens every file the model names.
        byte[] bytes = checkedBytes(source);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        String knownFailure = cudaUnavailable.get();
        boolean tryCuda = executionProvider == ExecutionProvider.CUDA
                || (executionProvider == ExecutionProvider.AUTO && knownFailure == null);
        String fallbackReason = executionProvider == ExecutionProvider.AUTO ? knownFailure : null;
        if (tryCuda) {
            Optional<OnnxModelSession> cuda = openOnCuda(environment, source, bytes);
            if (cuda.isPresent()) {
                return register(cuda.get());
            }
            fallbackReason = cudaUnavailable.get();
        }
        OrtSession.SessionOptions options = baseOptions(source);
        return register(openWith(environment, source, bytes, options, "CPU", fallbackReason));
    }

    /**
     * Checks the model's external data references ({@link OnnxExternalData}): a file against its folder (streamed;
     * returns null, ONNX Runtime then reads the file itself), anything else as bytes, which are returned for the
     * session so that the model is read once.
     */
    private static byte[] checkedBytes(ModelSource source) {
        Optional<Path> file = source.file();
        if (file.isPresent()) {
            try {
                ModelSource.requireRegularFile(source.name(), file.get());
            } catch (IOException missing) {
                throw new ModelLoadException("model " + source.name() + " not found: no such file", missing);
            }
            OnnxExternalData.checkFile(source.name(), file.get());
            return null;
        }
        byte[] bytes = source.readBytes();
        OnnxExternalData.refuseAny(source.name(), bytes);
        return bytes;
    }

    /** Empty when AUTO should fall back to CPU; throws when CUDA was required. */
    private Optional<OnnxModelSession> openOnCuda(OrtEnvironment environment, ModelSource source, byte[] bytes) {
        if (executionProvider == ExecutionProvider.AUTO && cudaInstaller == DEFAULT_CUDA_INSTALLER
                && !nvidiaDriverPresent()) {
            // Without a driver CUDA cannot load; asking ONNX Runtime anyway costs seconds and a native error line.
            if (cudaUnavailable.compareAndSet(null, "no NVIDIA driver (" + NVIDIA_DRIVER + " is absent)")) {
                LOG.debug("no NVIDIA driver; running ONNX models on CPU");
            }
            return Optional.empty();
        }
        OrtSession.SessionOptions options = baseOptions(source);
        try {
            cudaInstaller.install(options, cudaDeviceId);
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            options.close();
            String reason = "CUDA execution provider (device " + cudaDeviceId + ") could not be loaded: "
                    + firstLine(e.getMessage());
            if (executionProvider == ExecutionProvider.CUDA) {
                throw new ModelLoadException("model " + source.name() + ": " + reason
                        + "; use ExecutionProvider.AUTO or CPU to run on CPU", e);
            }
            warnOnce(reason);
            return Optional.empty();
        }
        return Optional.of(openWith(environment, source, bytes, options, "CUDA", null));
    }

    private static final Path NVIDIA_DRIVER = Path.of("/proc/driver/nvidia/version");

    /** Whether an NVIDIA kernel driver is loaded (Linux); elsewhere assumed present, so CUDA is tried. */
    private static boolean nvidiaDriverPresent() {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        return !linux || Files.exists(NVIDIA_DRIVER);
    }

    private void warnOnce(String reason) {
        if (cudaUnavailable.compareAndSet(null, reason)) {
            LOG.warn("{}; running ONNX models on CPU instead", reason);
        }
    }

    private OrtSession.SessionOptions baseOptions(ModelSource source) {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(interOpThreads);
            options.setOptimizationLevel(optimizationLevel);
            if (!allowSpinning) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                options.addConfigEntry("session.inter_op.allow_spinning", "0");
            }
            return options;
        } catch (OrtException e) {
            options.close();
            throw new ModelLoadException("model " + source.name() + ": session options rejected: " + e.getMessage(), e);
        }
    }

    /**
     * Takes ownership of {@code options}: they end up in the session, or closed. Opens {@code bytes}, or the source's
     * file when they are null.
     */
    private OnnxModelSession openWith(OrtEnvironment environment, ModelSource source, byte[] bytes,
                                      OrtSession.SessionOptions options, String provider, String fallbackReason) {
        OrtSession session = null;
        try {
            if (bytes == null) {
                session = environment.createSession(source.file().orElseThrow().toString(), options);
            } else {
                session = environment.createSession(bytes, options);
            }
            return new OnnxModelSession(environment, session, options, source.name(), provider, fallbackReason,
                    openSessions::remove);
        } catch (OrtException e) {
            closeQuietly(session);
            options.close();
            throw new ModelLoadException("model " + source.name() + " could not be loaded by ONNX Runtime: "
                    + firstLine(e.getMessage()), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(session);
            options.close();
            throw e;
        }
    }

    private OnnxModelSession register(OnnxModelSession session) {
        openSessions.add(session);
        if (closed.get()) {
            // close() ran while this session was being built: do not let it outlive its owner.
            session.close();
            throw new IllegalStateException("session factory is closed");
        }
        return session;
    }

    private static void closeQuietly(OrtSession session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            LOG.debug("closing a half-built session failed", e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no reason given";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    /** The configured provider choice (not necessarily the one used; see {@link OnnxModelSession#providerUsed()}). */
    public ExecutionProvider executionProvider() {
        return executionProvider;
    }

    /** The intra-op thread count every session gets. */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** Closes every session this factory opened that is still open. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (OnnxModelSession session : List.copyOf(openSessions)) {
            session.close();
        }
    }

    /**
     * Builds an {@link OnnxSessionFactory}. Setters validate at once.
     */
    public static final class Builder {
        private ExecutionProvider executionProvider = ExecutionProvider.configured();
        private int cudaDeviceId = 0;
        private int intraOpThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int interOpThreads = 1;
        private OptLevel optimizationLevel = OptLevel.ALL_OPT;
        private boolean allowSpinning = false;
        private CudaInstaller cudaInstaller = DEFAULT_CUDA_INSTALLER;

        private Builder() {
        }

        /** Where to run; default {@link ExecutionProvider#configured()} ({@code AUTO} unless set). */
        public Builder executionProvider(ExecutionProvider executionProvider) {
            this.executionProvider = Objects.requireNonNull(executionProvider, "executionProvider");
            return this;
        }

        /**
         * The CUDA device; default 0.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder cudaDeviceId(int cudaDeviceId) {
            if (cudaDeviceId < 0) {
                throw new IllegalArgumentException("cudaDeviceId must be >= 0, was " + cudaDeviceId);
            }
            this.cudaDeviceId = cudaDeviceId;
            return this;
        }

        /**
         * Threads inside one operator; default {@code min(4, available processors)}.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder intraOpThreads(int intraOpThreads) {
            if (intraOpThreads < 1) {
                throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + intraOpThreads);
            }
            this.intraOpThreads = intraOpThreads;
            return this;
        }

        /**
         * Threads running independent operators in parallel; default 1.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder interOpThreads(int interOpThreads) {
            if (interOpThreads < 1) {
                throw new IllegalArgumentException("interOpThreads must be >= 1, was " + interOpThreads);
            }
            this.interOpThreads = interOpThreads;
            return this;
        }

        /** ONNX Runtime's graph optimisation level; default {@code ALL_OPT}. */
        public Builder optimizationLevel(OptLevel optimizationLevel) {
            this.optimizationLevel = Objects.requireNonNull(optimizationLevel, "optimizationLevel");
            return this;
        }

        /**
         * Whether idle intra-op and inter-op threads spin waiting for work; default false, unlike ONNX Runtime.
         * An embedded library shares its cores: on the 2-core test machine under load, spinning made the sentence
         * encoder's median latency 13.7 ms against 2.7 ms without it (spinning threads burn the CPU the next
         * operator needs, and the scheduler then penalises them). Turn it on for a dedicated, idle machine.
         */
        public Builder allowSpinning(boolean allowSpinning) {
            this.allowSpinning = allowSpinning;
            return this;
        }

        /** Replaces how CUDA is installed on options; package-private for tests of the fallback path. */
        Builder cudaInstaller(CudaInstaller cudaInstaller) {
            this.cudaInstaller = Objects.requireNonNull(cudaInstaller, "cudaInstaller");
            return this;
        }

        /** A factory with these settings. */
        public OnnxSessionFactory build() {
            return new OnnxSessionFactory(this);
        }
    }
}
