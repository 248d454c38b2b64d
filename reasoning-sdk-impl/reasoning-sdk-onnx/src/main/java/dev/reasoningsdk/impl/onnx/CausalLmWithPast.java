package dev.reasoningsdk.impl.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.api.ModelRunException;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.internal.NextTokenOutputs;
import dev.reasoningsdk.impl.onnx.internal.OptimumTensorNames;
import dev.reasoningsdk.impl.onnx.internal.TinyReasonerGraph;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs any causal LM exported in the decoder-with-past layout of Hugging Face Optimum
 * ({@code optimum-cli export onnx --task text-generation-with-past}): inputs {@code input_ids},
 * {@code attention_mask} and (when the model has them) {@code position_ids}, plus {@code past_key_values.N.key} and
 * {@code .value} of shape [batch, kv heads, past length, head dim]; outputs {@code logits} and
 * {@code present.N.key} / {@code .value}. So an exported Qwen, Llama or Phi decodes through the same sampler as the
 * embedded tiny reasoner, whose graph in this layout {@link TinyReasonerGraph} builds.
 *
 * <p>Generation of N chains of one prompt runs the prompt once at batch 1, copies its cache to N rows, then decodes
 * all rows together, one forward pass per token; each step's {@code present} tensors are fed back as the next
 * step's {@code past} without leaving native memory. Several prompts decode in one batch, left-padded under the
 * attention mask. When the graph has the outputs of {@code impl.onnx.internal.NextTokenOutputs} (added at load by
 * the loaders), a step reads only the top-k logits and the log-normalizer ONNX Runtime computed, not the whole
 * vocabulary. A batch whose cache would pass {@link Builder#maxCacheBytes} is refused before it starts; a
 * {@link GenerationCancellation} or an interrupt stops a generation between steps and frees its cache.
 * {@link #continuationLogProbs} scores a given continuation (teacher forcing) in one prefill pass over prompt and
 * continuation.
 *
 * <p>Optimum's other layouts run too: the merged {@code decoder_model_merged.onnx} (a boolean
 * {@code use_cache_branch} input, fed false for the prefill with an empty past and true for every later step); the
 * older pair, {@code decoder_with_past_model.onnx} as the session and {@code decoder_model.onnx} (no past inputs) as
 * {@link Builder#prefillSession}; graphs without {@code position_ids} (they derive positions themselves); fp32 or fp16
 * caches (the cache is handed back as the graph wrote it, so fp16 stays fp16) and fp32 or fp16 logits (read as
 * fp32). Any other cache type is refused at construction.
 *
 * <p>Thread-safe (each call has its own state); does not own the session: close it yourself.
 */
public final class CausalLmWithPast {

    private static final Pattern PAST_KEY = Pattern.compile("past_key_values\\.(\\d+)\\.key");
    private static final String ATTENTION_MASK = "attention_mask";
    private static final String POSITION_IDS = "position_ids";
    /** The merged export's switch between its no-cache (prefill) and cache branches. */
    static final String USE_CACHE_BRANCH = "use_cache_branch";
    /** The default of {@link Builder#maxCacheBytes}: 4 GiB. */
    public static final long DEFAULT_MAX_CACHE_BYTES = 1L << 32;

    private final OrtEnvironment environment;
    /** Every run goes through the session's close gate, so closing the session waits for runs. */
    private final OnnxModelSession session;
    private final String modelName;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int vocabularySize;
    private final boolean hasPositionIds;
    /** The graph's outputs, read once: asking a closed session for them fails outside its close gate. */
    private final Set<String> outputNames;
    private final boolean hasCacheBranch;
    private final OnnxJavaType cacheType;
    private final OnnxModelSession prefillSession;
    private final int[] endTokenIds;
    private final int padTokenId;
    private final int contextLength;
    private final Set<String> decodeOutputs;
    private final String hiddenStateOutput;
    /** Whether the graph has the outputs of {@link NextTokenOutputs} (added at load), so a step reads only those. */
    private final boolean nextTokenOutputs;
    private final boolean hasTopKInput;
    private final long maxCacheBytes;
    private final int cacheElementBytes;
    /** Cache tensors and results held by generations in progress (for the leak check of the tests). */
    private final AtomicInteger openCacheValues = new AtomicInteger();
    private final Decoder decoder = new Decoder() {
        @Override
        public State start(List<int[]> prompts, int[] promptOfRow, int topK, int maxLength,
                           GenerationCancellation cancellation) {
            return new CachedState(prompts, promptOfRow, topK, maxLength, cancellation);
        }

        @Override
        public int vocabularySize() {
            return vocabularySize;
        }
    };

    private CausalLmWithPast(Builder builder) {
        this.environment = builder.session.environment();
        this.session = builder.session;
        this.modelName = builder.session.modelName();
        this.endTokenIds = builder.endTokenIds.clone();
        this.padTokenId = builder.padTokenId == null ? endTokenIds[0] : builder.padTokenId;
        this.contextLength = builder.contextLength;
        String modelName = builder.session.modelName();
        try {
            OrtSession graph = session.session();
            Map<String, NodeInfo> inputs = graph.getInputInfo();
            Map<String, NodeInfo> outputs = graph.getOutputInfo();
            this.outputNames = Set.copyOf(outputs.keySet());
            require(inputs, modelName, OptimumTensorNames.INPUT_IDS, "input");
            require(inputs, modelName, ATTENTION_MASK, "input");
            require(outputs, modelName, OptimumTensorNames.LOGITS, "output");
            this.hasPositionIds = inputs.containsKey(POSITION_IDS);
            this.hasCacheBranch = inputs.containsKey(USE_CACHE_BRANCH);
            if (hasCacheBranch && tensorInfo(modelName, inputs.get(USE_CACHE_BRANCH), USE_CACHE_BRANCH).type
                    != OnnxJavaType.BOOL) {
                throw notDecoderWithPast(modelName, USE_CACHE_BRANCH + " must be a bool tensor");
            }
            this.prefillSession = builder.prefillSession;
            int count = 0;
            for (String name : inputs.keySet()) {
                Matcher matcher = PAST_KEY.matcher(name);
                if (matcher.matches()) {
                    count = Math.max(count, Integer.parseInt(matcher.group(1)) + 1);
                }
            }
            if (count == 0) {
                throw notDecoderWithPast(modelName, "it has no past_key_values.N.key inputs (it has "
                        + inputs.keySet() + ")");
            }
            this.layers = count;
            Set<String> wanted = new HashSet<>();
            wanted.add(OptimumTensorNames.LOGITS);
            for (int layer = 0; layer < layers; layer++) {
                for (String kind : new String[] {"key", "value"}) {
                    require(inputs, modelName, pastName(layer, kind), "input");
                    require(outputs, modelName, presentName(layer, kind), "output");
                    wanted.add(presentName(layer, kind));
                }
            }
            this.decodeOutputs = Set.copyOf(wanted);
            if (prefillSession != null) {
                requirePrefillInputs(prefillSession, inputs);
            }
            TensorInfo past = tensorInfo(modelName, inputs.get(pastName(0, "key")), pastName(0, "key"));
            long[] pastShape = past.getShape();
            if (pastShape.length != 4 || pastShape[1] <= 0 || pastShape[3] <= 0) {
                throw notDecoderWithPast(modelName, "past_key_values.0.key must be [batch, heads, past, head_dim]"
                        + " with fixed heads and head_dim, was " + Arrays.toString(pastShape));
            }
            if (past.type != OnnxJavaType.FLOAT && past.type != OnnxJavaType.FLOAT16) {
                throw notDecoderWithPast(modelName, "only fp32 and fp16 caches are supported, past_key_values are "
                        + past.type);
            }
            this.cacheType = past.type;
            this.kvHeads = (int) pastShape[1];
            this.headDim = (int) pastShape[3];
            TensorInfo logitsInfo = tensorInfo(modelName, outputs.get(OptimumTensorNames.LOGITS),
                    OptimumTensorNames.LOGITS);
            if (logitsInfo.type != OnnxJavaType.FLOAT && logitsInfo.type != OnnxJavaType.FLOAT16) {
                throw notDecoderWithPast(modelName, "logits must be fp32 or fp16, were " + logitsInfo.type);
            }
            long[] logitsShape = logitsInfo.getShape();
            long vocabulary = logitsShape[logitsShape.length - 1];
            if (vocabulary <= 0) {
                throw notDecoderWithPast(modelName, "logits must have a fixed last dimension (the vocabulary), was "
                        + Arrays.toString(logitsShape));
            }
            this.vocabularySize = (int) vocabulary;
            this.hiddenStateOutput = builder.hiddenStateOutput;
            this.nextTokenOutputs = outputs.containsKey(NextTokenOutputs.TOP_IDS)
                    && outputs.containsKey(NextTokenOutputs.TOP_LOGITS)
                    && outputs.containsKey(NextTokenOutputs.LOG_NORMALIZER)
                    && outputs.containsKey(NextTokenOutputs.NEXT_LOGITS)
                    && (prefillSession == null
                            || prefillSession.session().getOutputInfo().containsKey(NextTokenOutputs.TOP_IDS));
            this.hasTopKInput = inputs.containsKey(NextTokenOutputs.TOP_K);
            this.maxCacheBytes = builder.maxCacheBytes;
            this.cacheElementBytes = cacheType == OnnxJavaType.FLOAT16 ? 2 : 4;
            if (hiddenStateOutput != null) {
                require(outputs, modelName, hiddenStateOutput, "output");
            }
        } catch (OrtException e) {
            throw new ModelLoadException("model " + modelName + ": ONNX Runtime cannot list its inputs and outputs: "
                    + e.getMessage(), e);
        }
    }

    /**
     * A builder; {@link Builder#session}, {@link Builder#endTokenIds} and {@link Builder#contextLength} are required.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Samples {@code count} continuations of {@code promptIds} in one batched decode.
     *
     * @param detokenizer turns a row's generated token ids into its text (and one id into the token's text in
     *                    {@link Generation#tokens()})
     * @throws IllegalArgumentException if the prompt is empty or fills the context
     */
    public List<Generation> generate(int[] promptIds, int count, GenerationOptions options,
                                     Function<int[], String> detokenizer) {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(detokenizer, "detokenizer");
        return generate(promptIds, count, options, detokenizer, id -> detokenizer.apply(new int[] {id}));
    }

    /**
     * As {@link #generate(int[], int, GenerationOptions, Function)}, with the text of one token for
     * {@link Generation#tokens()} given apart (a tokenizer may show special tokens there but leave them out of a
     * generation's text).
     */
    public List<Generation> generate(int[] promptIds, int count, GenerationOptions options,
                                     Function<int[], String> detokenizer, IntFunction<String> tokenText) {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(detokenizer, "detokenizer");
        Objects.requireNonNull(tokenText, "tokenText");
        return generate(List.of(promptIds), count, options, detokenizer, tokenText, GenerationCancellation.none())
                .get(0);
    }

    /**
     * Samples {@code count} continuations of each prompt; prompts of different lengths are decoded together in one
     * batch, left-padded with the pad token under an attention mask, with positions counted from each row's first
     * real token (Hugging Face's {@code generate} convention). A graph without {@code position_ids} decodes each
     * prompt on its own instead, since it could not be told where a padded row starts. Prompt {@code i}'s rows draw
     * what they would draw alone with the seed {@code seed + i}.
     *
     * @param cancellation stops the generation between steps and terminates a step in progress
     * @return {@code count} generations per prompt, in the prompts' order
     * @throws IllegalArgumentException if a prompt is empty or fills the context, or a batch's KV cache would
     *                                  exceed {@link Builder#maxCacheBytes}
     * @throws java.util.concurrent.CancellationException if cancelled or the thread is interrupted
     */
    public List<List<Generation>> generate(List<int[]> prompts, int count, GenerationOptions options,
                                           Function<int[], String> detokenizer, IntFunction<String> tokenText,
                                           GenerationCancellation cancellation) {
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(detokenizer, "detokenizer");
        Objects.requireNonNull(tokenText, "tokenText");
        Objects.requireNonNull(cancellation, "cancellation");
        prompts.forEach(prompt -> Objects.requireNonNull(prompt, "a prompt"));
        if (!hasPositionIds && prompts.stream().mapToInt(p -> p.length).distinct().count() > 1) {
            List<List<Generation>> each = new ArrayList<>(prompts.size());
            for (int i = 0; i < prompts.size(); i++) {
                each.addAll(BatchedDecoding.generate(decoder, List.of(prompts.get(i)), count,
                        options.withSeed(options.seed() + i), endTokenIds, padTokenId, contextLength, detokenizer,
                        tokenText, cancellation));
            }
            return each;
        }
        return BatchedDecoding.generate(decoder, prompts, count, options, endTokenIds, padTokenId, contextLength,
                detokenizer, tokenText, cancellation);
    }

    /**
     * Bytes of the KV cache of {@code rows} rows of {@code tokens} tokens, counted twice: a step holds the cache it
     * reads and the one it writes.
     */
    public long cacheBytes(int rows, int tokens) {
        return 2L * rows * tokens * layers * 2L * kvHeads * headDim * cacheElementBytes;
    }

    /** Cache tensors and results held by generations in progress: 0 when none runs (nothing leaked). */
    int openCacheValues() {
        return openCacheValues.get();
    }

    /**
     * The hidden state at the last of {@code promptIds}: the graph output named by
     * {@link Builder#hiddenStateOutput} (the last layer's, the input of the output head), in one prefill pass that
     * asks for nothing else.
     *
     * @throws IllegalStateException    if no hidden-state output was configured
     * @throws IllegalArgumentException if the prompt is empty or exceeds the context
     */
    public float[] lastHiddenState(int[] promptIds) {
        if (hiddenStateOutput == null) {
            throw new IllegalStateException("model " + modelName + ": no hidden-state output was configured");
        }
        return hiddenStatesAtLastToken(promptIds, List.of(hiddenStateOutput)).get(0);
    }

    /**
     * Several graph outputs of shape [batch, sequence, hidden] (e.g. hidden states of chosen layers, added at load
     * with {@link OnnxModelFile#withGraphOutputs}) at the last of {@code promptIds}, in one prefill pass that asks
     * for nothing else (the output head is skipped).
     *
     * @return one vector per name, in order
     * @throws IllegalArgumentException if a name is not an output of the graph, or the prompt is empty or exceeds
     *                                  the context
     */
    public List<float[]> hiddenStatesAtLastToken(int[] promptIds, List<String> outputs) {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(outputs, "outputs");
        for (String output : outputs) {
            if (!outputNames.contains(output)) {
                throw new IllegalArgumentException("model " + modelName + " has no output '" + output + "'");
            }
        }
        if (promptIds.length == 0 || promptIds.length > contextLength) {
            throw new IllegalArgumentException("the prompt must hold 1 to " + contextLength + " tokens, had "
                    + promptIds.length);
        }
        long[] ids = new long[promptIds.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = promptIds[i];
        }
        List<AutoCloseable> owned = new ArrayList<>();
        try (OrtSession.Result result = runStep(1, ids, 0, emptyPast(1, owned), new LinkedHashSet<>(outputs))) {
            List<float[]> states = new ArrayList<>(outputs.size());
            for (String output : outputs) {
                FloatBuffer hidden = ((OnnxTensor) result.get(output).orElseThrow()).getFloatBuffer();
                int width = hidden.remaining() / ids.length;
                float[] last = new float[width];
                hidden.get((ids.length - 1) * width, last);
                states.add(last);
            }
            return states;
        } finally {
            closeAll(owned);
        }
    }

    /**
     * The log-probability (natural log, temperature 1) of each of {@code continuationIds} after {@code promptIds},
     * teacher-forced: one forward pass over prompt and continuation from an empty cache, as a likelihood scorer needs
     * for text the model did not generate.
     *
     * @throws IllegalArgumentException if the prompt or the continuation is empty, or together they exceed the
     *                                  context
     */
    public float[] continuationLogProbs(int[] promptIds, int[] continuationIds) {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(continuationIds, "continuationIds");
        if (promptIds.length == 0 || continuationIds.length == 0) {
            throw new IllegalArgumentException("the prompt and the continuation must each hold a token, had "
                    + promptIds.length + " and " + continuationIds.length);
        }
        int length = promptIds.length + continuationIds.length;
        if (length > contextLength) {
            throw new IllegalArgumentException("prompt and continuation hold " + length + " tokens; the context holds "
                    + contextLength);
        }
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            ids[i] = i < promptIds.length ? promptIds[i] : continuationIds[i - promptIds.length];
        }
        List<AutoCloseable> owned = new ArrayList<>();
        try (OrtSession.Result result = runStep(1, ids, 0, emptyPast(1, owned))) {
            FloatBuffer logits = ((OnnxTensor) result.get(OptimumTensorNames.LOGITS).orElseThrow()).getFloatBuffer();
            float[] row = new float[vocabularySize];
            float[] logProbs = new float[continuationIds.length];
            for (int i = 0; i < continuationIds.length; i++) {
                // The distribution of continuation token i comes from the position just before it.
                logits.get((promptIds.length - 1 + i) * vocabularySize, row);
                logProbs[i] = TokenSampler.logProbability(row, 0, vocabularySize, continuationIds[i]);
            }
            return logProbs;
        } finally {
            closeAll(owned);
        }
    }

    /** The number of decoder layers (pairs of past inputs). */
    public int layers() {
        return layers;
    }

    /** Key/value heads per layer. */
    public int kvHeads() {
        return kvHeads;
    }

    /** The size of one head. */
    public int headDim() {
        return headDim;
    }

    /** The number of logits per position (the vocabulary size). */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** The most tokens a sequence may hold, prompt included. */
    public int contextLength() {
        return contextLength;
    }

    /** This runner as the sampling loop's decoder. */
    Decoder decoder() {
        return decoder;
    }

    static String pastName(int layer, String kind) {
        return OptimumTensorNames.pastName(layer, kind);
    }

    static String presentName(int layer, String kind) {
        return OptimumTensorNames.presentName(layer, kind);
    }

    /** Runs {@code ids.length / batch} new tokens per row after a past of {@code pastLength} tokens. */
    private OrtSession.Result runStep(int batch, long[] ids, int pastLength, OnnxTensor[] pastTensors) {
        return runStep(batch, ids, pastLength, pastTensors, decodeOutputs);
    }

    /** As {@link #runStep(int, long[], int, OnnxTensor[])}, computing only {@code outputs}. */
    private OrtSession.Result runStep(int batch, long[] ids, int pastLength, OnnxTensor[] pastTensors,
                                      Set<String> outputs) {
        return runStep(new Step(batch, ids, null, null, pastLength, pastTensors, outputs, 0, null));
    }

    /**
     * One run of the graph.
     *
     * @param mask       the attention mask, batch x (past + new); null for all ones
     * @param positions  position ids, batch x new; null for {@code past + i}
     * @param topK       the k of the {@link NextTokenOutputs#TOP_K} input (fed 1 when 0)
     * @param runOptions what a cancellation terminates, or null
     */
    private record Step(int batch, long[] ids, long[] mask, long[] positions, int pastLength, OnnxTensor[] past,
                        Set<String> outputs, int topK, OrtSession.RunOptions runOptions) {
    }

    private OrtSession.Result runStep(Step step) {
        int batch = step.batch();
        int pastLength = step.pastLength();
        int length = step.ids().length / batch;
        List<OnnxTensor> inputs = new ArrayList<>();
        // The older two-file export prefills with its decoder without past inputs.
        boolean separatePrefill = pastLength == 0 && prefillSession != null;
        try {
            Map<String, OnnxTensor> feed = new HashMap<>();
            feed.put(OptimumTensorNames.INPUT_IDS, longTensor(step.ids(), new long[] {batch, length}, inputs));
            long[] mask = step.mask();
            if (mask == null) {
                mask = new long[batch * (pastLength + length)];
                Arrays.fill(mask, 1);
            }
            feed.put(ATTENTION_MASK, longTensor(mask, new long[] {batch, pastLength + length}, inputs));
            if (hasPositionIds) {
                long[] positions = step.positions();
                if (positions == null) {
                    positions = new long[batch * length];
                    for (int i = 0; i < positions.length; i++) {
                        positions[i] = pastLength + i % length;
                    }
                }
                feed.put(POSITION_IDS, longTensor(positions, new long[] {batch, length}, inputs));
            }
            OnnxModelSession target = separatePrefill ? prefillSession : session;
            if (!separatePrefill) {
                if (hasTopKInput) {
                    feed.put(NextTokenOutputs.TOP_K, longTensor(new long[] {Math.max(1, step.topK())},
                            new long[] {1}, inputs));
                }
                if (hasCacheBranch) {
                    // The merged graph's no-cache branch ignores the (empty) past; every later step reads it.
                    OnnxTensor branch = OnnxTensor.createTensor(environment, new boolean[] {pastLength > 0});
                    inputs.add(branch);
                    feed.put(USE_CACHE_BRANCH, branch);
                }
                for (int layer = 0; layer < layers; layer++) {
                    feed.put(pastName(layer, "key"), step.past()[2 * layer]);
                    feed.put(pastName(layer, "value"), step.past()[2 * layer + 1]);
                }
            }
            return target.run(feed, step.outputs(), step.runOptions());
        } catch (OrtException e) {
            throw new ModelRunException("model " + modelName + ": decoding step at past length " + pastLength
                    + " failed: " + e.getMessage(), e);
        } finally {
            inputs.forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor longTensor(long[] values, long[] shape, List<OnnxTensor> toClose) throws OrtException {
        OnnxTensor tensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(values), shape);
        toClose.add(tensor);
        return tensor;
    }

    /** A cache tensor over {@code values} (native-order bytes of {@link #cacheType}). */
    private OnnxTensor tensor(ByteBuffer values, long[] shape) {
        try {
            return OnnxTensor.createTensor(environment, values, shape, cacheType);
        } catch (OrtException e) {
            throw new ModelRunException("model " + modelName + ": cannot create a cache tensor "
                    + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
    }

    /** The empty past of a prefill (past length 0) for every layer; the tensor goes to {@code owned}. */
    private OnnxTensor[] emptyPast(int batch, List<AutoCloseable> owned) {
        OnnxTensor[] empty = new OnnxTensor[2 * layers];
        OnnxTensor tensor = tensor(ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()),
                new long[] {batch, kvHeads, 0, headDim});
        Arrays.fill(empty, tensor);
        track(owned, tensor);
        return empty;
    }

    /** Adds a cache tensor or result to {@code owned}, counted until {@link #closeAll} closes it. */
    private void track(List<AutoCloseable> owned, AutoCloseable value) {
        owned.add(value);
        openCacheValues.incrementAndGet();
    }

    private void closeAll(List<AutoCloseable> owned) {
        for (AutoCloseable closeable : owned) {
            try {
                openCacheValues.decrementAndGet();
                closeable.close();
            } catch (Exception e) {
                throw new ModelRunException("model " + modelName + ": cannot release a cache tensor: "
                        + e.getMessage(), e);
            }
        }
        owned.clear();
    }

    /** The prefill graph of the two-file export: the same inputs but no past, the same logits and presents. */
    private void requirePrefillInputs(OnnxModelSession prefill, Map<String, NodeInfo> decodeInputs)
            throws OrtException {
        Map<String, NodeInfo> inputs = prefill.session().getInputInfo();
        Map<String, NodeInfo> outputs = prefill.session().getOutputInfo();
        for (String name : inputs.keySet()) {
            if (name.startsWith("past_key_values.")) {
                throw notDecoderWithPast(prefill.modelName(), "the prefill graph must have no past inputs, has '"
                        + name + "'");
            }
            if (!decodeInputs.containsKey(name)) {
                throw notDecoderWithPast(prefill.modelName(), "its input '" + name + "' is not an input of "
                        + modelName);
            }
        }
        require(inputs, prefill.modelName(), OptimumTensorNames.INPUT_IDS, "input");
        for (String name : decodeOutputs) {
            require(outputs, prefill.modelName(), name, "output");
        }
    }

    private static void require(Map<String, NodeInfo> infos, String modelName, String name, String what) {
        if (!infos.containsKey(name)) {
            throw notDecoderWithPast(modelName, "it has no " + what + " '" + name + "' (it has " + infos.keySet()
                    + ")");
        }
    }

    private static TensorInfo tensorInfo(String modelName, NodeInfo info, String name) {
        if (!(info.getInfo() instanceof TensorInfo tensor)) {
            throw notDecoderWithPast(modelName, "'" + name + "' is not a tensor");
        }
        return tensor;
    }

    private static ModelLoadException notDecoderWithPast(String modelName, String reason) {
        return new ModelLoadException("model " + modelName + " cannot run as a decoder-with-past LM: " + reason);
    }

    /**
     * The cache of one generation: the past tensors of every layer, owned either by us or by the last result, and
     * kept in native memory from step to step (each step's {@code present} tensors are the next step's past).
     */
    private final class CachedState implements Decoder.State {
        private final int rows;
        private final int topK;
        /** Left-padding tokens in front of each row's prompt. */
        private final int[] padding;
        private final boolean padded;
        private final GenerationCancellation cancellation;
        private final OrtSession.RunOptions runOptions;
        private final Set<String> outputs;
        private final OnnxTensor[] past = new OnnxTensor[2 * layers];
        private final List<AutoCloseable> owned = new ArrayList<>();
        private int pastLength;
        private float[] logits;
        private Decoder.Top top;

        CachedState(List<int[]> prompts, int[] promptOfRow, int topK, int maxLength,
                    GenerationCancellation cancellation) {
            this.rows = promptOfRow.length;
            this.topK = nextTokenOutputs ? topK : 0;
            this.outputs = stepOutputs();
            long bytes = cacheBytes(rows, maxLength);
            if (bytes > maxCacheBytes) {
                throw new IllegalArgumentException("model " + modelName + ": a KV cache of " + rows + " rows x "
                        + maxLength + " tokens needs " + bytes + " bytes (" + layers + " layers x 2 x " + kvHeads
                        + " heads x " + headDim + " x " + cacheElementBytes + " bytes per token and row, held twice"
                        + " during a step), over maxCacheBytes " + maxCacheBytes);
            }
            this.cancellation = cancellation;
            cancellation.check();
            this.runOptions = cancellation.register();
            int distinct = prompts.size();
            int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
            long[] ids = new long[distinct * longest];
            long[] mask = new long[distinct * longest];
            long[] positions = new long[distinct * longest];
            for (int p = 0; p < distinct; p++) {
                int[] prompt = prompts.get(p);
                int pad = longest - prompt.length;
                for (int i = 0; i < longest; i++) {
                    boolean real = i >= pad;
                    ids[p * longest + i] = real ? prompt[i - pad] : padTokenId;
                    mask[p * longest + i] = real ? 1 : 0;
                    // cumsum(mask) - 1, pads set to 1: Hugging Face's generate and Optimum.
                    positions[p * longest + i] = real ? i - pad : 1;
                }
            }
            this.padding = new int[rows];
            boolean anyPadding = false;
            for (int row = 0; row < rows; row++) {
                padding[row] = longest - prompts.get(promptOfRow[row]).length;
                anyPadding |= padding[row] > 0;
            }
            this.padded = anyPadding;
            OrtSession.Result result = null;
            try {
                result = run(distinct, ids, padded ? mask : null, padded ? positions : null,
                        emptyPast(distinct, owned));
                readScores(result, distinct, longest, promptOfRow);
                pastLength = longest;
                closeOwned();
                if (isIdentity(promptOfRow, distinct)) {
                    adopt(result);
                } else {
                    replicate(result, promptOfRow);
                    result.close();
                }
                result = null;
            } catch (RuntimeException e) {
                if (result != null) {
                    result.close();
                }
                close();
                throw e;
            }
        }

        private OrtSession.Result run(int batch, long[] ids, long[] mask, long[] positions, OnnxTensor[] pastTensors) {
            try {
                return runStep(new Step(batch, ids, mask, positions, pastLength, pastTensors, outputs, topK,
                        runOptions));
            } catch (ModelRunException e) {
                // A terminated run fails inside ONNX Runtime; say why.
                cancellation.check();
                throw e;
            }
        }

        /** The presents and only the scores this generation reads. */
        private Set<String> stepOutputs() {
            Set<String> wanted = new HashSet<>(decodeOutputs);
            if (nextTokenOutputs) {
                wanted.remove(OptimumTensorNames.LOGITS);
                if (topK > 0) {
                    wanted.addAll(List.of(NextTokenOutputs.TOP_LOGITS, NextTokenOutputs.TOP_IDS,
                            NextTokenOutputs.LOG_NORMALIZER));
                } else {
                    wanted.add(NextTokenOutputs.NEXT_LOGITS);
                }
            }
            return wanted;
        }

        /** Reads the next-token scores of {@code batch} rows of {@code length} new tokens into rows by prompt. */
        private void readScores(OrtSession.Result result, int batch, int length, int[] rowOf) {
            if (topK > 0) {
                float[] values = floats(result.get(NextTokenOutputs.TOP_LOGITS).orElseThrow());
                LongBuffer idBuffer = ((OnnxTensor) result.get(NextTokenOutputs.TOP_IDS).orElseThrow())
                        .getLongBuffer();
                float[] normalizer = floats(result.get(NextTokenOutputs.LOG_NORMALIZER).orElseThrow());
                int k = values.length / batch;
                float[] topLogits = new float[rows * k];
                int[] topIds = new int[rows * k];
                float[] logNormalizer = new float[rows];
                for (int row = 0; row < rows; row++) {
                    int from = rowOf == null ? row : rowOf[row];
                    System.arraycopy(values, from * k, topLogits, row * k, k);
                    for (int i = 0; i < k; i++) {
                        topIds[row * k + i] = Math.toIntExact(idBuffer.get(from * k + i));
                    }
                    logNormalizer[row] = normalizer[from];
                }
                top = new Decoder.Top(k, topLogits, topIds, logNormalizer);
                return;
            }
            float[] all = floats(result.get(nextTokenOutputs ? NextTokenOutputs.NEXT_LOGITS
                    : OptimumTensorNames.LOGITS).orElseThrow());
            int positionsPerRow = nextTokenOutputs ? 1 : length;
            float[] next = rowOf == null && positionsPerRow == 1 ? all : new float[rows * vocabularySize];
            if (next != all) {
                for (int row = 0; row < rows; row++) {
                    int from = rowOf == null ? row : rowOf[row];
                    System.arraycopy(all, ((from + 1) * positionsPerRow - 1) * vocabularySize, next,
                            row * vocabularySize, vocabularySize);
                }
            }
            logits = next;
        }

        /** Copies each row's prompt cache (row {@code promptOfRow[r]} of the prefill) into direct buffers. */
        private void replicate(OrtSession.Result result, int[] promptOfRow) {
            for (int layer = 0; layer < layers; layer++) {
                for (int kind = 0; kind < 2; kind++) {
                    String name = presentName(layer, kind == 0 ? "key" : "value");
                    // Raw bytes, so an fp16 cache is copied as it is.
                    ByteBuffer prefilled = ((OnnxTensor) result.get(name).orElseThrow()).getByteBuffer();
                    int rowBytes = prefilled.remaining() / (Arrays.stream(promptOfRow).max().orElseThrow() + 1);
                    ByteBuffer many = ByteBuffer.allocateDirect(Math.multiplyExact(rowBytes, rows))
                            .order(ByteOrder.nativeOrder());
                    for (int row = 0; row < rows; row++) {
                        many.put(prefilled.slice(promptOfRow[row] * rowBytes, rowBytes));
                    }
                    many.rewind();
                    past[2 * layer + kind] = tensor(many, new long[] {rows, kvHeads, pastLength, headDim});
                    track(owned, past[2 * layer + kind]);
                }
            }
        }

        private void adopt(OrtSession.Result result) {
            for (int layer = 0; layer < layers; layer++) {
                past[2 * layer] = (OnnxTensor) result.get(presentName(layer, "key")).orElseThrow();
                past[2 * layer + 1] = (OnnxTensor) result.get(presentName(layer, "value")).orElseThrow();
            }
            track(owned, result);
        }

        @Override
        public float[] logits() {
            return logits;
        }

        @Override
        public Decoder.Top top() {
            return top;
        }

        @Override
        public void advance(int[] tokens) {
            long[] ids = new long[rows];
            for (int row = 0; row < rows; row++) {
                ids[row] = tokens[row];
            }
            long[] mask = null;
            long[] positions = null;
            if (padded) {
                int width = pastLength + 1;
                mask = new long[rows * width];
                positions = new long[rows];
                for (int row = 0; row < rows; row++) {
                    Arrays.fill(mask, row * width + padding[row], (row + 1) * width, 1);
                    positions[row] = pastLength - padding[row];
                }
            }
            OrtSession.Result result = run(rows, ids, mask, positions, past);
            try {
                closeOwned();
                pastLength++;
                adopt(result);
            } catch (RuntimeException e) {
                result.close();
                throw e;
            }
            readScores(result, rows, 1, null);
        }

        private float[] floats(OnnxValue value) {
            FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        }

        private void closeOwned() {
            closeAll(owned);
        }

        @Override
        public void close() {
            try {
                closeOwned();
            } finally {
                cancellation.release(runOptions);
            }
        }
    }

    private static boolean isIdentity(int[] promptOfRow, int distinct) {
        if (promptOfRow.length != distinct) {
            return false;
        }
        for (int row = 0; row < promptOfRow.length; row++) {
            if (promptOfRow[row] != row) {
                return false;
            }
        }
        return true;
    }

    /** Builds a {@link CausalLmWithPast}; every setter rejects null. */
    public static final class Builder {
        private OnnxModelSession session;
        private int[] endTokenIds;
        private Integer padTokenId;
        private int contextLength;
        private OnnxModelSession prefillSession;
        private String hiddenStateOutput;
        private long maxCacheBytes = DEFAULT_MAX_CACHE_BYTES;

        private Builder() {
        }

        /**
         * The most native memory one batch's KV cache may take, as {@link #cacheBytes} counts it (rows x tokens at
         * the longest, twice); a generation over it is refused before it starts. Default
         * {@value #DEFAULT_MAX_CACHE_BYTES} bytes (4 GiB).
         *
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder maxCacheBytes(long maxCacheBytes) {
            if (maxCacheBytes <= 0) {
                throw new IllegalArgumentException("maxCacheBytes must be > 0, was " + maxCacheBytes);
            }
            this.maxCacheBytes = maxCacheBytes;
            return this;
        }

        /**
         * The graph output holding the hidden states {@link #lastHiddenState} reads, shape [batch, sequence,
         * hidden] (e.g. one added at load with {@link OnnxModelFile#withGraphOutputs}); default none.
         *
         * @throws IllegalArgumentException if it is blank
         */
        public Builder hiddenStateOutput(String hiddenStateOutput) {
            Objects.requireNonNull(hiddenStateOutput, "hiddenStateOutput");
            if (hiddenStateOutput.isBlank()) {
                throw new IllegalArgumentException("hiddenStateOutput must not be blank");
            }
            this.hiddenStateOutput = hiddenStateOutput;
            return this;
        }

        /** The session of the decoder-with-past model, from {@link OnnxSessionFactory#open} (not closed here). */
        public Builder session(OnnxModelSession session) {
            this.session = Objects.requireNonNull(session, "session");
            return this;
        }

        /**
         * The first pass's graph when the export splits it off: Optimum's older {@code decoder_model.onnx}, which has
         * the session's inputs minus the past ones and its outputs (not closed here). Default: none, the session
         * prefills from an empty past.
         */
        public Builder prefillSession(OnnxModelSession prefillSession) {
            this.prefillSession = Objects.requireNonNull(prefillSession, "prefillSession");
            return this;
        }

        /**
         * Tokens that end a sequence (e.g. {@code <eos>}, or Qwen's {@code <|im_end|>} and {@code <|endoftext|>}).
         *
         * @throws IllegalArgumentException if none is given or one is negative
         */
        public Builder endTokenIds(int... endTokenIds) {
            Objects.requireNonNull(endTokenIds, "endTokenIds");
            if (endTokenIds.length == 0 || Arrays.stream(endTokenIds).anyMatch(id -> id < 0)) {
                throw new IllegalArgumentException("endTokenIds must hold at least one id >= 0");
            }
            this.endTokenIds = endTokenIds.clone();
            return this;
        }

        /** The token fed to finished rows; default the first end token. */
        public Builder padTokenId(int padTokenId) {
            if (padTokenId < 0) {
                throw new IllegalArgumentException("padTokenId must be >= 0, was " + padTokenId);
            }
            this.padTokenId = padTokenId;
            return this;
        }

        /** The most tokens a sequence may hold, prompt included (the model's maximum positions). */
        public Builder contextLength(int contextLength) {
            if (contextLength < 2) {
                throw new IllegalArgumentException("contextLength must be >= 2, was " + contextLength);
            }
            this.contextLength = contextLength;
            return this;
        }

        /**
         * @throws IllegalStateException if the session, end tokens or context length is missing
         * @throws ModelLoadException    naming the model and what it lacks if it is not in the decoder-with-past
         *                               layout
         */
        public CausalLmWithPast build() {
            if (session == null || endTokenIds == null || contextLength == 0) {
                throw new IllegalStateException("session, endTokenIds and contextLength are required");
            }
            return new CausalLmWithPast(this);
        }
    }
}
