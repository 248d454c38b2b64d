package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.onnx.internal.NextTokenOutputs;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.onnx.internal.OnnxExternalData;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.TinyReasonerGraph;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ValueInfoProto;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded tiny reasoner: a 3.7 M-parameter character-level GPT trained for this project on multi-step
 * arithmetic word problems, answering with a chain of thought that ends {@code The answer is N.} (model card:
 * {@code dev/reasoningsdk/models/tiny-reasoner/README.md}). Deliberately imperfect and stochastic, so that
 * self-consistency, aggregation and confidence estimation have something to show offline.
 *
 * <p>Generation decodes all N chains of a prompt together, one batched forward pass per token, through a KV-cache graph
 * ({@link TinyReasonerGraph}, Hugging Face Optimum's decoder-with-past layout) built at load time from the ONNX file's
 * weights; {@link Builder#kvCache(boolean) kvCache(false)} re-runs the shipped graph over the whole sequence instead
 * (the reference path, about 10 times slower). Hidden states and continuation scores come from the shipped graph in one
 * pass ({@link Builder#int8HiddenStates(boolean) int8HiddenStates(true)} takes the hidden states from an int8 copy
 * instead, for latency budgets such as UAR's self-knowledge check). Prompts are {@code <bos>} + the prompt's
 * characters; use {@link #prompt(String)} for the trained format {@code Q: <question>\nA:}. Generation stops at
 * {@code <eos>} or at 320 tokens.
 *
 * <p>Defaults: embedded model, KV cache on, float32 hidden states, {@link ExecutionProvider#configured()} (AUTO unless set), 1 intra-op thread
 * (its matrices are too small to split well: on the shared 2-core test machine, 2 threads gave the same chains per
 * second as 1 for 20% more CPU, and with spinning threads half of it). Thread-safe (concurrent calls each decode their
 * own batch); close it to free the sessions (closing twice is harmless).
 */
public final class TinyReasoner implements CausalLanguageModel {

    /** The classpath resource of the embedded model. */
    public static final String MODEL_RESOURCE = "/dev/reasoningsdk/models/tiny-reasoner/tiny-reasoner.onnx";

    /** The answer pattern of the model's chains; the last match is the answer. */
    public static final String ANSWER_REGEX = "The answer is (\\d+)\\.";

    private static final Logger LOG = LoggerFactory.getLogger(TinyReasoner.class);
    private static final String EMBEDDED_SHA256 = "90d672e569529937fa190deb4ea7b0990ad9d48e2c42b79e67795ea5f56375bd";
    private static final int HIDDEN_STATE_BATCH = 32;
    private static final Pattern ANSWER = Pattern.compile(ANSWER_REGEX);
    private static final List<String> REQUIRED_METADATA =
            List.of("vocab", "pad_id", "bos_id", "eos_id", "max_len", "n_head");

    private final OnnxSessionFactory ownedFactory;
    private final OnnxModelSession fullSession;
    private final OnnxModelSession cachedSession;
    private final OnnxModelSession int8Session;
    private final OnnxSessionFactory factory;
    private final FullSequenceModel fullModel;
    private final FullSequenceModel hiddenStateModel;
    /** The last-token graph's serialized model until its session opens (then null); guarded by {@code this}. */
    private byte[] lastTokenGraph;
    private OnnxModelSession lastTokenSession;
    private volatile FullSequenceModel lastTokenStateModel;
    private final Decoder decoder;
    private final TinyReasonerVocabulary vocabulary;
    private final int contextLength;
    private final String modelId;
    private volatile boolean closed;

    private TinyReasoner(Builder builder) {
        OnnxModelFile file = builder.modelFile != null ? builder.modelFile : OnnxModelFile.read(builder.source);
        requireTinyReasoner(file);
        byte[] onnx = file.toBytes();
        Map<String, String> metadata = file.metadata();
        this.vocabulary = fromModel(file, () -> TinyReasonerVocabulary.fromMetadata(metadata));
        this.contextLength = fromModel(file, () -> Integer.parseInt(metadata.get("max_len").trim()));
        this.modelId = modelId(onnx, metadata.getOrDefault("version", "1"));
        this.ownedFactory = builder.sessionFactory == null
                ? OnnxSessionFactory.builder().executionProvider(builder.executionProvider)
                        .intraOpThreads(builder.intraOpThreads).build()
                : null;
        OnnxSessionFactory factory = ownedFactory != null ? ownedFactory : builder.sessionFactory;
        OnnxModelSession full = null;
        OnnxModelSession cached = null;
        OnnxModelSession int8 = null;
        try {
            full = factory.open(ModelSource.bytes(file.name(), onnx));
            this.fullModel = new FullSequenceModel(full, vocabulary.size(), vocabulary.padId());
            if (builder.kvCache) {
                // With the next-token outputs, a greedy step reads the argmax and its log-probability only.
                OnnxModelFile withPast = fromModel(file,
                        () -> NextTokenOutputs.add(TinyReasonerGraph.withPast(file)));
                cached = factory.open(ModelSource.bytes(withPast.name(), withPast.toBytes()));
                this.decoder = CausalLmWithPast.builder().session(cached).endTokenIds(vocabulary.eosId())
                        .padTokenId(vocabulary.padId()).contextLength(contextLength).build().decoder();
            } else {
                this.decoder = fullModel;
            }
            // Built now, so that a model which is not a tiny reasoner fails at load; its session opens on first
            // use, so that loading a model only asked to generate does not wait for it (about 50 ms here).
            OnnxModelFile lastToken = fromModel(file, () -> TinyReasonerGraph.lastTokenHiddenState(file));
            if (builder.int8HiddenStates) {
                OnnxModelFile quantized = fromModel(file, () -> DynamicInt8Quantization.quantizeWeights(file));
                int8 = factory.open(ModelSource.bytes(quantized.name(), quantized.toBytes()));
                this.hiddenStateModel = new FullSequenceModel(int8, vocabulary.size(), vocabulary.padId());
                lastToken = DynamicInt8Quantization.quantizeWeights(lastToken);
            } else {
                this.hiddenStateModel = fullModel;
            }
            this.lastTokenGraph = lastToken.toBytes();
        } catch (RuntimeException e) {
            closeAll(int8, cached, full, ownedFactory);
            throw e;
        }
        this.factory = factory;
        this.fullSession = full;
        this.cachedSession = cached;
        this.int8Session = int8;
        LOG.debug("loaded {} from {} on {} (KV cache {})", modelId, file.name(), full.providerUsed(),
                builder.kvCache ? "on" : "off");
    }

    /** The embedded model with the defaults (KV cache, the configured provider, 1 intra-op thread). */
    public static TinyReasoner create() {
        return builder().build();
    }

    /**
     * A tiny reasoner with the weights of {@code onnx}, a serialized ONNX model of the tiny reasoner's graph
     * (the shipped file, or one whose initializers were replaced, e.g. by a merge), without writing a file.
     */
    public static TinyReasoner fromOnnxBytes(byte[] onnx) {
        return builder().modelSource(ModelSource.bytes("tiny-reasoner (given bytes)", onnx)).build();
    }

    /**
     * A tiny reasoner with the weights of {@code model} (for example the shipped file with merged initializers from
     * {@link OnnxModelFile#withFloatInitializers}), without serialising it to a file.
     */
    public static TinyReasoner fromModelFile(OnnxModelFile model) {
        return builder().modelFile(model).build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The tiny reasoner's prompt format, {@link #prompt(String)}. */
    @Override
    public String formatPrompt(String userText) {
        return prompt(userText);
    }

    /** The trained prompt format for a question: {@code Q: <question>\nA:}. */
    public static String prompt(String question) {
        Objects.requireNonNull(question, "question");
        return "Q: " + question + "\nA:";
    }

    /**
     * The answer of one of the model's chains: the number in the last {@code The answer is N.}, or empty when the
     * chain has none (the model card's rule; 0.07% of its eval samples). Reads at most the last
     * {@value ReplyWindow#MAX_CHARS} characters of the chain (see {@link ReplyWindow}), in time linear in them.
     */
    public static Optional<Integer> extractAnswer(String chain) {
        Objects.requireNonNull(chain, "chain");
        Matcher matcher = ReplyWindow.tailMatcher(ANSWER, chain);
        String last = null;
        while (matcher.find()) {
            last = matcher.group(1);
        }
        if (last == null || last.length() > 9) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(last));
    }

    /** The character vocabulary read from the model's metadata. */
    public TinyReasonerVocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every generation reports its tokens ({@link Generation#tokens()}): one character each, and at each position
     * the {@link GenerationOptions#topLogProbs()} most likely tokens of the temperature-1 distribution (special tokens
     * by their names, such as {@code <eos>}).
     */
    @Override
    public List<Generation> generate(String prompt, int count, GenerationOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(options, "options");
        checkOpen();
        int[] ids = vocabulary.encodeWithBos(prompt);
        return BatchedDecoding.generate(decoder, ids, count, options, new int[] {vocabulary.eosId()},
                vocabulary.padId(), contextLength, vocabulary::decode, vocabulary::token);
    }

    @Override
    public float[] continuationLogProbs(String prompt, String continuation) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(continuation, "continuation");
        checkOpen();
        int[] promptIds = vocabulary.encodeWithBos(prompt);
        int[] continuationIds = vocabulary.encode(continuation);
        int length = promptIds.length + continuationIds.length;
        if (length > contextLength) {
            throw new IllegalArgumentException("prompt and continuation hold " + length + " tokens; the context holds "
                    + contextLength);
        }
        int[] sequence = new int[length];
        System.arraycopy(promptIds, 0, sequence, 0, promptIds.length);
        System.arraycopy(continuationIds, 0, sequence, promptIds.length, continuationIds.length);
        int size = vocabulary.size();
        float[] logits = fullModel.forward(new int[][] {sequence}, FullSequenceModel.LOGITS);
        float[] logProbs = new float[continuationIds.length];
        for (int i = 0; i < continuationIds.length; i++) {
            int position = promptIds.length - 1 + i;
            logProbs[i] = TokenSampler.logProbability(logits, position * size, size, continuationIds[i]);
        }
        return logProbs;
    }

    @Override
    public float[] promptHiddenState(String prompt) {
        return promptHiddenStates(List.of(prompt)).get(0);
    }

    /**
     * Runs the prompts in batches of 32. A batch whose prompts all have one length (a single prompt, say) goes
     * through {@link TinyReasonerGraph#lastTokenHiddenState}, which skips the last layer's work at the other
     * positions; a batch of mixed lengths is right-padded through the whole graph and each row read at its own last
     * token.
     */
    @Override
    public List<float[]> promptHiddenStates(List<String> prompts) {
        Objects.requireNonNull(prompts, "prompts");
        checkOpen();
        List<float[]> states = new ArrayList<>(prompts.size());
        for (int start = 0; start < prompts.size(); start += HIDDEN_STATE_BATCH) {
            List<String> chunk = prompts.subList(start, Math.min(prompts.size(), start + HIDDEN_STATE_BATCH));
            int[][] sequences = new int[chunk.size()][];
            int maxLength = 0;
            boolean equalLengths = true;
            for (int i = 0; i < sequences.length; i++) {
                sequences[i] = vocabulary.encodeWithBos(Objects.requireNonNull(chunk.get(i), "prompt"));
                if (sequences[i].length > contextLength) {
                    throw new IllegalArgumentException("prompt " + (start + i) + " has " + sequences[i].length
                            + " tokens; the context holds " + contextLength);
                }
                equalLengths &= i == 0 || sequences[i].length == maxLength;
                maxLength = Math.max(maxLength, sequences[i].length);
            }
            float[] hidden = (equalLengths ? lastTokenStateModel() : hiddenStateModel)
                    .forward(sequences, FullSequenceModel.HIDDEN_STATES);
            int positions = equalLengths ? 1 : maxLength;
            int width = hidden.length / (sequences.length * positions);
            for (int i = 0; i < sequences.length; i++) {
                int offset = (i * positions + (equalLengths ? 0 : sequences[i].length - 1)) * width;
                states.add(Arrays.copyOfRange(hidden, offset, offset + width));
            }
        }
        return states;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    /** {@code tiny-reasoner@1} for the embedded weights, {@code tiny-reasoner@1+sha256:<8 hex>} for others. */
    @Override
    public String modelId() {
        return modelId;
    }

    /** Whether generation decodes through the KV-cache graph. */
    public boolean usesKvCache() {
        return decoder != fullModel;
    }

    /** For checks: the decoder generation uses. */
    Decoder decoder() {
        return decoder;
    }

    /** For checks: the shipped graph. */
    FullSequenceModel fullModel() {
        return fullModel;
    }

    /** The execution provider the model runs on: {@code "CPU"} or {@code "CUDA"}. */
    public String providerUsed() {
        return fullSession.providerUsed();
    }

    /** The last-token graph's runner, its session opened on the first call. */
    private FullSequenceModel lastTokenStateModel() {
        FullSequenceModel model = lastTokenStateModel;
        if (model != null) {
            return model;
        }
        synchronized (this) {
            checkOpen();
            if (lastTokenStateModel == null) {
                lastTokenSession = factory.open(ModelSource.bytes(modelId + "-last-token", lastTokenGraph));
                lastTokenStateModel = new FullSequenceModel(lastTokenSession, vocabulary.size(),
                        vocabulary.padId());
                lastTokenGraph = null;
            }
            return lastTokenStateModel;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(lastTokenSession, int8Session, cachedSession, fullSession, ownedFactory);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(modelId + " is closed");
        }
    }

    /**
     * Names everything a tiny reasoner has and {@code file} lacks (metadata, graph input and outputs), so that an
     * unrelated model fails at once with a {@link ModelLoadException} rather than at the first missing piece.
     */
    private static void requireTinyReasoner(OnnxModelFile file) {
        GraphProto graph = OnnxModelProtos.proto(file).getGraph();
        List<String> inputs = graph.getInputList().stream().map(ValueInfoProto::getName).toList();
        List<String> outputs = graph.getOutputList().stream().map(ValueInfoProto::getName).toList();
        List<String> missing = new ArrayList<>();
        addMissing(missing, "metadata", REQUIRED_METADATA, file.metadata().keySet());
        addMissing(missing, "input", List.of(FullSequenceModel.INPUT_IDS), inputs);
        addMissing(missing, "outputs", List.of(FullSequenceModel.LOGITS, FullSequenceModel.HIDDEN_STATES), outputs);
        if (!missing.isEmpty()) {
            throw new ModelLoadException("model " + file.name() + " is not a tiny reasoner: it lacks "
                    + String.join(", ", missing) + " (it has inputs " + inputs + ", outputs " + outputs
                    + ", metadata " + file.metadata().keySet() + ")");
        }
    }

    private static void addMissing(List<String> missing, String what, List<String> expected,
                                   Collection<String> present) {
        List<String> absent = expected.stream().filter(name -> !present.contains(name)).toList();
        if (!absent.isEmpty()) {
            missing.add(what + " " + absent);
        }
    }

    /** A step that reads the model's graph or metadata; its complaint names the model as not a tiny reasoner. */
    private static <T> T fromModel(OnnxModelFile file, Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("model " + file.name() + " is not a tiny reasoner: " + e.getMessage(), e);
        }
    }

    private static String modelId(byte[] onnx, String version) {
        try {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx));
            return "tiny-reasoner@" + version + (sha.equals(EMBEDDED_SHA256) ? "" : "+sha256:" + sha.substring(0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void closeAll(AutoCloseable... closeables) {
        for (AutoCloseable closeable : closeables) {
            if (closeable == null) {
                continue;
            }
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", closeable, e.getMessage());
            }
        }
    }

    /** Builds a {@link TinyReasoner}; every setter rejects null and out-of-range values at once. */
    public static final class Builder {
        private ModelSource source = ModelSource.classpath(MODEL_RESOURCE);
        private OnnxModelFile modelFile;
        private OnnxSessionFactory sessionFactory;
        private ExecutionProvider executionProvider = ExecutionProvider.configured();
        private int intraOpThreads = 1;
        private boolean kvCache = true;
        private boolean int8HiddenStates;
        private boolean sourceSet;
        private boolean sessionSettingsSet;

        private Builder() {
        }

        /**
         * Where the ONNX model comes from (default the embedded one): a file, a classpath resource, or bytes.
         *
         * @throws IllegalStateException if a model file was set too
         */
        public Builder modelSource(ModelSource source) {
            Objects.requireNonNull(source, "source");
            checkOneSource();
            this.source = source;
            return this;
        }

        /**
         * The model as a parsed ONNX model (e.g. with replaced initializers).
         *
         * @throws IllegalStateException if a model source was set too
         */
        public Builder modelFile(OnnxModelFile modelFile) {
            Objects.requireNonNull(modelFile, "modelFile");
            checkOneSource();
            this.modelFile = modelFile;
            return this;
        }

        /**
         * A shared factory to open the sessions with (its provider and threads apply; closing the model does not
         * close it). Default: a factory of the model's own, closed with it.
         *
         * @throws IllegalStateException if an execution provider or thread count was set too
         */
        public Builder sessionFactory(OnnxSessionFactory sessionFactory) {
            Objects.requireNonNull(sessionFactory, "sessionFactory");
            if (sessionSettingsSet) {
                throw new IllegalStateException("sessionFactory replaces executionProvider and intraOpThreads");
            }
            this.sessionFactory = sessionFactory;
            return this;
        }

        /**
         * Where to run when the model makes its own factory; default {@link ExecutionProvider#configured()}.
         *
         * @throws IllegalStateException if a session factory was set
         */
        public Builder executionProvider(ExecutionProvider executionProvider) {
            Objects.requireNonNull(executionProvider, "executionProvider");
            checkNoFactory();
            this.executionProvider = executionProvider;
            return this;
        }

        /**
         * ONNX Runtime intra-op threads when the model makes its own factory; default 1.
         *
         * @throws IllegalArgumentException if below 1
         * @throws IllegalStateException    if a session factory was set
         */
        public Builder intraOpThreads(int intraOpThreads) {
            if (intraOpThreads < 1) {
                throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + intraOpThreads);
            }
            checkNoFactory();
            this.intraOpThreads = intraOpThreads;
            return this;
        }

        /** Decode through the KV-cache graph (default true); false re-runs the whole sequence every token. */
        public Builder kvCache(boolean kvCache) {
            this.kvCache = kvCache;
            return this;
        }

        /**
         * Compute {@link TinyReasoner#promptHiddenStates(List) prompt hidden states} on an int8 copy of the model
         * ({@link DynamicInt8Quantization}) instead of the float32 one (default false). About 1.7 times as fast on a
         * CPU with VNNI and close to float32 (the shipped self-knowledge head scores the same held-out AUROC on
         * both); padded batches quantize their activations together, so a prompt's state shifts slightly with its
         * batch. Generation and continuation scores stay float32. Costs one more session (about 4 MB).
         */
        public Builder int8HiddenStates(boolean int8HiddenStates) {
            this.int8HiddenStates = int8HiddenStates;
            return this;
        }

        /**
         * Loads the sessions and builds the KV-cache graph.
         *
         * @throws ModelLoadException naming the model if it is missing, not an ONNX model, refers to external data
         *                            files (see {@link OnnxExternalData}), or is not a tiny reasoner (naming the
         *                            metadata, inputs, outputs or graph nodes it lacks)
         */
        public TinyReasoner build() {
            return new TinyReasoner(this);
        }

        private void checkOneSource() {
            if (sourceSet) {
                throw new IllegalStateException("modelSource and modelFile are alternatives; set one");
            }
            sourceSet = true;
        }

        private void checkNoFactory() {
            if (sessionFactory != null) {
                throw new IllegalStateException("sessionFactory replaces executionProvider and intraOpThreads");
            }
            sessionSettingsSet = true;
        }
    }
}
