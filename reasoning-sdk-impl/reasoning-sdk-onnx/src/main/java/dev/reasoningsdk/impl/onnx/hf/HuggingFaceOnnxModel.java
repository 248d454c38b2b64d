package dev.reasoningsdk.impl.onnx.hf;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.PromptHiddenState;
import dev.reasoningsdk.impl.onnx.CausalLmWithPast;
import dev.reasoningsdk.impl.onnx.DynamicInt8Quantization;
import dev.reasoningsdk.impl.onnx.ExecutionProvider;
import dev.reasoningsdk.impl.onnx.GenerationCancellation;
import dev.reasoningsdk.impl.onnx.ModelSource;
import dev.reasoningsdk.impl.onnx.OnnxModelFile;
import dev.reasoningsdk.impl.onnx.OnnxModelSession;
import dev.reasoningsdk.impl.onnx.OnnxSessionFactory;
import dev.reasoningsdk.impl.onnx.hf.internal.ExportFolder;
import dev.reasoningsdk.impl.onnx.hf.internal.GenerationConfig;
import dev.reasoningsdk.impl.onnx.hf.internal.GraphWithHiddenState;
import dev.reasoningsdk.impl.onnx.hf.internal.ModelConfig;
import dev.reasoningsdk.impl.onnx.hf.internal.TokenizerConfig;
import dev.reasoningsdk.impl.onnx.internal.CloseGate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A causal language model from a Hugging Face export folder (what {@code optimum-cli export onnx --task
 * text-generation-with-past} writes): {@code config.json} (architecture, special ids, context length),
 * {@code generation_config.json} (stop tokens, sampling defaults; optional), {@code tokenizer.json} (through DJL's
 * Hugging Face tokenizer), {@code tokenizer_config.json} (chat template, special tokens, {@code add_bos_token}) and
 * the graph: {@code model.onnx}, the plain decoder-with-past graph ({@link CausalLmWithPast}), else the merged
 * {@code decoder_model_merged.onnx} ({@code use_cache_branch}), else the older pair {@code decoder_model.onnx} (first
 * pass) + {@code decoder_with_past_model.onnx}; fp32 or fp16 caches, with or without {@code position_ids}, weights
 * inside the file or in external data beside it. Everything is read and checked
 * at {@link Builder#build()}: a missing or malformed file, a graph that does not match the config, or an export
 * variant that is not supported fails there with a {@link ModelLoadException} naming the file and the reason. Every
 * file is reached through the model-folder rule ({@code impl.onnx.internal.ModelFolder}). See
 * {@code docs/local-models.md}.
 *
 * <p>Prompts are tokenized as Hugging Face tokenizes a rendered chat template: special tokens written in the text
 * ({@code <|im_start|>}) are matched as added tokens, and nothing is added except the BOS token when
 * {@code add_bos_token} is set and the prompt does not already start with it. {@link #formatPrompt(String)} is the
 * chat template with one user message and the generation prompt; {@link #formatChat} renders any conversation.
 * Generation stops at any of the end tokens of both configs. Greedy and sampled decoding, per-token
 * log-probabilities and teacher-forced continuation scores; the last hidden state
 * ({@link #promptHiddenState(String)}, an output added to the graph at load) and those of layers chosen with
 * {@link Builder#hiddenStateLayers} ({@link #promptHiddenState(String, int)}); top-k alternatives per token.
 *
 * <p>Defaults: the graph file found as above, a session factory of its own ({@link OnnxSessionFactory#create()}'s
 * provider and threads), the folder's name as the model id, the system clock for {@code strftime_now}, the final
 * hidden state only, a KV cache of at most 4 GiB per batch. Thread-safe; close it to free the session and the
 * tokenizer (closing twice is harmless).
 */
public final class HuggingFaceOnnxModel implements CausalLanguageModel {

    /** The decoder-with-past graph's file name in an Optimum export. */
    public static final String MODEL_FILE = "model.onnx";
    /** The tokenizer's file name. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceOnnxModel.class);
    /** Optimum's merged decoder (both passes in one graph, switched by {@code use_cache_branch}). */
    public static final String MERGED_FILE = "decoder_model_merged.onnx";
    /** The first-pass graph (no past inputs) of Optimum's older two-file layout. */
    public static final String NO_PAST_FILE = "decoder_model.onnx";
    /** The later-steps graph of Optimum's older two-file layout. */
    public static final String WITH_PAST_FILE = "decoder_with_past_model.onnx";

    private final String modelId;
    private final ExportFolder folder;
    private final ModelConfig config;
    private final GenerationConfig generationConfig;
    private final TokenizerConfig tokenizerConfig;
    private final Optional<ChatTemplate> chatTemplate;
    private final HuggingFaceTokenizer tokenizer;
    private final OnnxSessionFactory ownedFactory;
    private final OnnxModelSession session;
    private final OnnxModelSession prefillSession;
    private final CausalLmWithPast lm;
    /** What every hidden-state read runs: {@link #lm}, or its int8 copy ({@link Builder#int8HiddenStates}). */
    private final CausalLmWithPast hiddenStateLm;
    private final OnnxModelSession int8Session;
    private final int[] endTokenIds;
    private final int bosTokenId;
    /** Why {@link #promptHiddenState} cannot run, or null when it can. */
    private final String hiddenStatesUnavailable;
    /** The graph output of each hidden-state layer read, by layer number (0 the embeddings, L the final state). */
    private final SortedMap<Integer, String> layerOutputs;
    /** Frees the sessions and the tokenizer only once no call uses them (see {@link CloseGate}). */
    private final CloseGate gate;

    private HuggingFaceOnnxModel(Builder builder) {
        ExportFolder folder = ExportFolder.of(builder.folder);
        this.folder = folder;
        this.config = ModelConfig.read(folder);
        this.generationConfig = GenerationConfig.read(folder);
        this.tokenizerConfig = TokenizerConfig.read(folder);
        this.chatTemplate = tokenizerConfig.chatTemplate()
                .map(source -> template(folder, tokenizerConfig, source, builder.clock));
        this.endTokenIds = endTokens(folder, config, generationConfig);
        int padId = padToken(folder, config, generationConfig, endTokenIds);
        Layout layout = layout(folder, builder.modelFile);
        Path modelFile = folder.file(layout.decoder());
        this.modelId = builder.modelId != null ? builder.modelId
                : Optional.ofNullable(folder.path().toAbsolutePath().normalize().getFileName())
                        .map(Path::toString).orElse(folder.path().toString());
        this.gate = new CloseGate("model " + modelId);
        HuggingFaceTokenizer loadedTokenizer = tokenizer(folder);
        this.bosTokenId = tokenizerConfig.addBosToken() ? bosId(folder, loadedTokenizer) : -1;
        this.ownedFactory = builder.sessionFactory == null ? builder.ownFactory() : null;
        OnnxSessionFactory factory = ownedFactory != null ? ownedFactory : builder.sessionFactory;
        OnnxModelSession opened = null;
        OnnxModelSession openedPrefill = null;
        OnnxModelSession openedInt8 = null;
        try {
            CausalLmWithPast.Builder lmBuilder;
            SortedSet<Integer> layers = builder.hiddenStateLayers(config.layers());
            CausalLmWithPast.Builder int8Builder = null;
            if (layout.prefill() == null) {
                GraphWithHiddenState graph = GraphWithHiddenState.of(modelFile, config.layers(), layers);
                if (!graph.layerOutputs().keySet().containsAll(layers)) {
                    throw folder.refuse(layout.decoder(), "hidden-state layers " + layers + " were asked for but "
                            + "cannot be read: " + graph.why());
                }
                opened = factory.open(graph.source());
                lmBuilder = CausalLmWithPast.builder().session(opened);
                graph.hiddenStateOutput().ifPresent(lmBuilder::hiddenStateOutput);
                this.hiddenStatesUnavailable = graph.hiddenStateOutput().isPresent() ? null : graph.why();
                this.layerOutputs = new TreeMap<>(graph.layerOutputs());
                if (builder.int8HiddenStates && graph.hiddenStateOutput().isPresent()) {
                    OnnxModelFile quantized = DynamicInt8Quantization.quantizeWeights(
                            OnnxModelFile.parse(graph.source().name(), graph.source().readBytes()));
                    openedInt8 = factory.open(ModelSource.bytes(graph.source().name() + " (int8)",
                            quantized.toBytes()));
                    int8Builder = CausalLmWithPast.builder().session(openedInt8)
                            .hiddenStateOutput(graph.hiddenStateOutput().get());
                }
            } else {
                if (!layers.isEmpty()) {
                    throw folder.refuse(layout.prefill(), "hidden-state layers " + layers + " were asked for, but "
                            + "the two-file layout runs its first pass with this graph, and hidden states are not "
                            + "read from it");
                }
                // The first pass runs on the separate no-past graph, which would need the hidden-state output instead.
                opened = factory.open(ModelSource.file(modelFile));
                openedPrefill = factory.open(ModelSource.file(folder.file(layout.prefill())));
                lmBuilder = CausalLmWithPast.builder().session(opened).prefillSession(openedPrefill);
                this.hiddenStatesUnavailable = "hidden states are not read from the two-file layout ("
                        + layout.prefill() + " runs the first pass)";
                this.layerOutputs = new TreeMap<>();
            }
            this.lm = lmBuilder.endTokenIds(endTokenIds).padTokenId(padId).contextLength(config.maxPositions())
                    .maxCacheBytes(builder.maxCacheBytes).build();
            requireMatchingGraph(folder, modelFile, config, lm);
            this.hiddenStateLm = int8Builder == null ? lm : int8Builder.endTokenIds(endTokenIds).padTokenId(padId)
                    .contextLength(config.maxPositions()).maxCacheBytes(builder.maxCacheBytes).build();
        } catch (RuntimeException e) {
            closeQuietly(openedInt8);
            closeQuietly(opened);
            closeQuietly(openedPrefill);
            closeQuietly(ownedFactory);
            loadedTokenizer.close();
            throw e;
        }
        this.session = opened;
        this.prefillSession = openedPrefill;
        this.int8Session = openedInt8;
        this.tokenizer = loadedTokenizer;
        LOG.debug("loaded {} ({}) from {} on {}", modelId, config.modelType(), folder.path(),
                session.providerUsed());
    }

    /**
     * Loads an export folder with the defaults.
     *
     * @throws ModelLoadException naming the file and the reason when the folder cannot be loaded
     */
    public static HuggingFaceOnnxModel of(Path folder) {
        return builder().folder(folder).build();
    }

    /** A builder; {@link Builder#folder} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The chat template with one user message and the generation prompt (no extra variables); the text unchanged
     * when the folder has no chat template.
     */
    @Override
    public String formatPrompt(String userText) {
        Objects.requireNonNull(userText, "userText");
        return chatTemplate.map(t -> t.render(List.of(ChatMessage.user(userText)), true)).orElse(userText);
    }

    /**
     * Renders a conversation with the model's chat template.
     *
     * @param variables extra template variables, e.g. {@code enable_thinking}
     * @throws IllegalStateException    if the folder has no chat template
     * @throws IllegalArgumentException if the template refuses the conversation (its {@code raise_exception})
     */
    public String formatChat(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        return chatTemplate().render(messages, addGenerationPrompt, variables);
    }

    /**
     * The chat template, with the tokenizer's special tokens as variables.
     *
     * @throws IllegalStateException if the folder has none
     */
    public ChatTemplate chatTemplate() {
        return chatTemplate.orElseThrow(() -> new IllegalStateException(modelId + " has no chat template (neither "
                + TokenizerConfig.FILE + "'s chat_template nor " + TokenizerConfig.TEMPLATE_FILE + ")"));
    }

    /**
     * The token ids of a prompt: special tokens in the text matched as added tokens, the BOS token prepended only
     * when {@code add_bos_token} is set and the text does not start with it.
     *
     * @throws IllegalArgumentException with the tokenizer's reason if it cannot encode the text (a character outside
     *                                  a vocabulary that has no unknown token, say)
     * @throws ModelLoadException       naming {@code tokenizer.json} if it gives an id outside {@code config.json}'s
     *                                  vocabulary (the folder holds another model's tokenizer)
     */
    public int[] encode(String prompt) {
        Objects.requireNonNull(prompt, "prompt");
        return gate.use(() -> idsOf(prompt));
    }

    /**
     * The length of {@link #encode(String)}: the tokens a forward pass over the prompt reads.
     *
     * @throws IllegalArgumentException as {@link #encode(String)}
     */
    @Override
    public OptionalInt promptTokenCount(String prompt) {
        return OptionalInt.of(encode(prompt).length);
    }

    private int[] idsOf(String prompt) {
        long[] ids = tokenize(prompt);
        boolean addBos = bosTokenId >= 0 && (ids.length == 0 || ids[0] != bosTokenId);
        int[] out = new int[ids.length + (addBos ? 1 : 0)];
        if (addBos) {
            out[0] = bosTokenId;
        }
        for (int i = 0; i < ids.length; i++) {
            out[i + (addBos ? 1 : 0)] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    private long[] tokenize(String text) {
        long[] ids;
        try {
            ids = tokenizer.encode(text, false, false).getIds();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(modelId + ": the tokenizer cannot encode the text: " + e.getMessage(),
                    e);
        }
        for (long id : ids) {
            // A tokenizer.json from another model loads and encodes; its ids past the graph's embedding would fail
            // inside ONNX Runtime with a native error line and no word about which file is wrong.
            if (id >= config.vocabSize()) {
                throw folder.refuse(TOKENIZER_FILE, "it gives token id " + id + ", outside " + ModelConfig.FILE
                        + "'s vocab_size of " + config.vocabSize() + ": it is not this model's tokenizer");
            }
        }
        return ids;
    }

    /** The text of token ids, special tokens left out when {@code skipSpecialTokens}. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        Objects.requireNonNull(ids, "ids");
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return gate.use(() -> tokenizer.decode(longs, skipSpecialTokens));
    }

    /**
     * Decodes {@code count} continuations of {@code prompt} (a rendered chat prompt or plain text) together. A
     * generation's text leaves special tokens out.
     *
     * @throws IllegalArgumentException if the prompt has no tokens or fills the context
     */
    @Override
    public List<Generation> generate(String prompt, int count, GenerationOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        return generate(List.of(prompt), count, options, GenerationCancellation.create()).get(0);
    }

    /**
     * Every prompt in one left-padded batch; see
     * {@link #generate(List, int, GenerationOptions, GenerationCancellation)}.
     */
    @Override
    public List<List<Generation>> generate(List<String> prompts, int count, GenerationOptions options) {
        return generate(prompts, count, options, GenerationCancellation.create());
    }

    /**
     * Decodes {@code count} continuations of every prompt in one batch: prompts of different lengths are
     * left-padded under the attention mask, and prompt {@code i}'s rows draw what they would draw alone with the seed
     * {@code seed + i} (so this is {@link #generate(List, int, GenerationOptions)}, cancellable). {@code cancellation}
     * (or interrupting
     * the calling thread) stops it between steps, frees its cache and throws a
     * {@link java.util.concurrent.CancellationException}.
     *
     * @return {@code count} generations per prompt, in the prompts' order
     * @throws IllegalArgumentException if a prompt has no tokens or fills the context, or a batch's KV cache would
     *                                  exceed {@link Builder#maxCacheBytes}
     */
    public List<List<Generation>> generate(List<String> prompts, int count, GenerationOptions options,
                                           GenerationCancellation cancellation) {
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(cancellation, "cancellation");
        return gate.use(() -> {
            List<int[]> ids = prompts.stream().map(this::encode).toList();
            // A token's own text keeps special tokens (<|im_end|> among the alternatives), a generation's text
            // does not.
            return lm.generate(ids, count, options, generated -> decode(generated, true),
                    id -> decode(new int[] {id}, false), cancellation);
        });
    }

    /**
     * Teacher-forced log-probabilities: the prompt's ids followed by the continuation tokenized on its own (no BOS),
     * as Hugging Face scores a continuation, in one forward pass.
     *
     * @throws IllegalArgumentException if either has no tokens or together they exceed the context
     */
    @Override
    public float[] continuationLogProbs(String prompt, String continuation) {
        Objects.requireNonNull(continuation, "continuation");
        return gate.use(() -> {
            int[] promptIds = encode(prompt);
            long[] continuationIds = tokenize(continuation);
            int[] ids = new int[continuationIds.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Math.toIntExact(continuationIds[i]);
            }
            return lm.continuationLogProbs(promptIds, ids);
        });
    }

    /**
     * The last layer's hidden state at the prompt's last token: the input of the output head (after the final
     * norm, {@code hidden_states[-1]} in {@code transformers}), an output the graph is given at load. One prefill
     * pass that skips the output head.
     *
     * @throws UnsupportedOperationException naming the reason when the graph's output head could not be found or
     *                                       its weights are in external data files (the graph is then run as is)
     * @throws IllegalArgumentException      if the prompt has no tokens or exceeds the context
     */
    @Override
    public float[] promptHiddenState(String prompt) {
        return promptHiddenState(prompt, -1);
    }

    /**
     * One layer's hidden state at the prompt's last token, numbered as {@code transformers} numbers {@code
     * hidden_states}: 0 the token embeddings, {@code i} the residual stream after decoder layer {@code i}, {@code
     * num_hidden_layers} (or -1) the final state {@link #promptHiddenState(String)} returns; negative numbers count
     * from the end. Layers other than the final one must be chosen at load ({@link Builder#hiddenStateLayers}).
     *
     * @throws IllegalArgumentException      if the layer was not chosen at load, or the prompt has no tokens or
     *                                       exceeds the context
     * @throws UnsupportedOperationException as {@link #promptHiddenState(String)}, for the final state
     */
    @Override
    public float[] promptHiddenState(String prompt, int layer) {
        Function<int[], float[]> pass = hiddenStatePass(layer);
        return gate.use(() -> pass.apply(encode(prompt)));
    }

    /**
     * {@link #promptHiddenState(String, int)} with the length of the encoding the pass read, from the one
     * tokenization (the interface's default would tokenize again to count).
     *
     * @throws IllegalArgumentException      as {@link #promptHiddenState(String, int)}
     * @throws UnsupportedOperationException as {@link #promptHiddenState(String, int)}
     */
    @Override
    public PromptHiddenState promptHiddenStateWithTokens(String prompt, int layer) {
        Function<int[], float[]> pass = hiddenStatePass(layer);
        return gate.use(() -> {
            int[] ids = encode(prompt);
            return new PromptHiddenState(pass.apply(ids), OptionalInt.of(ids.length));
        });
    }

    /** The prefill pass that reads {@code layer}'s state from a prompt's ids; the layer is checked here, first. */
    private Function<int[], float[]> hiddenStatePass(int layer) {
        int number = layer < 0 ? config.layers() + 1 + layer : layer;
        if (number == config.layers()) {
            if (hiddenStatesUnavailable != null) {
                throw new UnsupportedOperationException(modelId + ": hidden states are not available: "
                        + hiddenStatesUnavailable);
            }
            return hiddenStateLm::lastHiddenState;
        }
        String output = layerOutputs.get(number);
        if (output == null) {
            throw new IllegalArgumentException("hidden-state layer " + layer + " was not chosen at load; chosen: "
                    + layerOutputs.keySet() + " (Builder.hiddenStateLayers)");
        }
        return ids -> hiddenStateLm.hiddenStatesAtLastToken(ids, List.of(output)).get(0);
    }

    /**
     * The hidden state at the prompt's last token of every layer chosen at load, the final state included, by layer
     * number (see {@link #promptHiddenState(String, int)}), in one prefill pass.
     *
     * @throws UnsupportedOperationException as {@link #promptHiddenState(String)}
     * @throws IllegalArgumentException      if the prompt has no tokens or exceeds the context
     */
    public SortedMap<Integer, float[]> promptLayerHiddenStates(String prompt) {
        if (hiddenStatesUnavailable != null) {
            throw new UnsupportedOperationException(modelId + ": hidden states are not available: "
                    + hiddenStatesUnavailable);
        }
        List<float[]> states = gate.use(() -> hiddenStateLm.hiddenStatesAtLastToken(encode(prompt),
                List.copyOf(layerOutputs.values())));
        SortedMap<Integer, float[]> byLayer = new TreeMap<>();
        int i = 0;
        for (int layer : layerOutputs.keySet()) {
            byLayer.put(layer, states.get(i++));
        }
        return byLayer;
    }

    /**
     * The conversation through the chat template ({@link #formatChat}): with the generation prompt when it ends
     * with a user or system turn; when it ends with an assistant turn, that turn is left open for the model to
     * continue, as {@code apply_chat_template(..., continue_final_message=True)} does (the rendering is cut after
     * the final message's text), except that the prompt ends with that text exactly: white space at its ends that
     * the template trimmed is kept, where transformers drops a trimmed trailing newline. Without a chat template,
     * the api's default.
     *
     * @throws IllegalArgumentException if the conversation is empty, or the template refuses it
     */
    @Override
    public String formatConversation(List<ChatTurn> turns) {
        Objects.requireNonNull(turns, "turns");
        if (chatTemplate.isEmpty()) {
            return CausalLanguageModel.super.formatConversation(turns);
        }
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("the conversation has no turns");
        }
        List<ChatMessage> messages = turns.stream()
                .map(turn -> ChatMessage.of(turn.role().name().toLowerCase(Locale.ROOT), turn.text())).toList();
        ChatTurn last = turns.get(turns.size() - 1);
        if (last.role() != ChatTurn.Role.ASSISTANT) {
            return formatChat(messages, true, Map.of());
        }
        String rendered = formatChat(messages, false, Map.of());
        String text = last.text();
        String core = text.strip();
        int at = rendered.lastIndexOf(core);
        if (at < 0) {
            throw new IllegalArgumentException("the chat template does not render the final assistant turn's text "
                    + "as given, so it cannot be continued");
        }
        // Many templates trim a message; the model must go on from the text exactly as given (a partial chain that
        // ends a line continues on the next one), so white space the rendering dropped is put back at either end.
        int coreStart = core.isEmpty() ? text.length() : text.indexOf(core);
        String lead = text.substring(0, coreStart);
        String before = rendered.substring(0, at);
        return (before.endsWith(lead) ? before : before + lead) + core + text.substring(coreStart + core.length());
    }

    /**
     * The publisher's sampling defaults from {@code generation_config.json} with a token budget and seed: its
     * temperature, top-p and top-k when {@code do_sample} is set, greedy otherwise.
     */
    public GenerationOptions defaultOptions(int maxNewTokens, long seed) {
        if (!generationConfig.doSample()) {
            return GenerationOptions.greedy(maxNewTokens);
        }
        double temperature = generationConfig.temperature().orElse(1.0);
        double topP = generationConfig.topP().orElse(1.0);
        return new GenerationOptions(temperature, topP == 0 ? 1 : topP, generationConfig.topK().orElse(0),
                maxNewTokens, seed);
    }

    /** The tokens that end a generation: {@code eos_token_id} of both configs, in order, each once. */
    public int[] endTokenIds() {
        return endTokenIds.clone();
    }

    /** The number of tokens (logits per position), {@code config.json}'s {@code vocab_size}. */
    public int vocabularySize() {
        return config.vocabSize();
    }

    /** {@code config.json}'s {@code model_type}, e.g. {@code qwen3}. */
    public String modelType() {
        return config.modelType();
    }

    @Override
    public int contextLength() {
        return config.maxPositions();
    }

    /** The export folder's name, or the id given to {@link Builder#modelId}. */
    @Override
    public String modelId() {
        return modelId;
    }

    /** The execution provider the model runs on: {@code "CPU"} or {@code "CUDA"}. */
    public String providerUsed() {
        return session.providerUsed();
    }

    /**
     * The model id, its {@code model_type}, the folder and the execution provider, as the load's debug line has them:
     * what an application logs or prints (a result's method names it) should say which model ran where.
     */
    @Override
    public String toString() {
        return "HuggingFaceOnnxModel[" + modelId + " (" + config.modelType() + ") from " + folder.path() + " on "
                + session.providerUsed() + (gate.isClosed() ? ", closed]" : "]");
    }

    /**
     * Frees the sessions and the tokenizer once the calls in flight have returned (freeing them under a running
     * call would crash the JVM in native code); calls made from then on throw {@link IllegalStateException}. To stop
     * long generations sooner, cancel them ({@link GenerationCancellation}) or interrupt their threads.
     *
     * @throws IllegalStateException if called from inside one of this model's own calls
     */
    @Override
    public void close() {
        gate.close(() -> {
            closeQuietly(int8Session);
            closeQuietly(session);
            closeQuietly(prefillSession);
            closeQuietly(ownedFactory);
            tokenizer.close();
        });
    }

    /** The template with the tokenizer's special tokens as variables, as {@code apply_chat_template} passes them. */
    private static ChatTemplate template(ExportFolder folder, TokenizerConfig tokenizer, String source, Clock clock) {
        ChatTemplate.Builder template = ChatTemplate.builder().template(source).clock(clock);
        tokenizer.specialTokens().forEach(template::specialToken);
        try {
            return template.build();
        } catch (IllegalArgumentException e) {
            throw folder.refuse(folder.has(TokenizerConfig.TEMPLATE_FILE) ? TokenizerConfig.FILE + " or "
                    + TokenizerConfig.TEMPLATE_FILE : TokenizerConfig.FILE, e.getMessage());
        }
    }

    private static int[] endTokens(ExportFolder folder, ModelConfig config, GenerationConfig generation) {
        // Each id is checked against the file that sets it, so the message sends the user to the right file.
        generation.eosTokenIds()
                .forEach(id -> inVocabulary(folder, config, GenerationConfig.FILE, "eos_token_id", id));
        config.eosTokenIds().forEach(id -> inVocabulary(folder, config, ModelConfig.FILE, "eos_token_id", id));
        Set<Integer> ids = new LinkedHashSet<>(generation.eosTokenIds());
        ids.addAll(config.eosTokenIds());
        if (ids.isEmpty()) {
            throw folder.refuse(ModelConfig.FILE, "no eos_token_id here nor in " + GenerationConfig.FILE
                    + ": generation would never stop");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The token fed to finished rows: {@code generation_config.json}'s {@code pad_token_id}, else
     * {@code config.json}'s, else the first stop token. Checked at load because a pad id outside the vocabulary would
     * only fail in the middle of the first batch where one row finishes before another.
     */
    private static int padToken(ExportFolder folder, ModelConfig config, GenerationConfig generation, int[] endTokens) {
        if (generation.padTokenId().isPresent()) {
            return inVocabulary(folder, config, GenerationConfig.FILE, "pad_token_id",
                    generation.padTokenId().getAsInt());
        }
        if (config.padTokenId().isPresent()) {
            return inVocabulary(folder, config, ModelConfig.FILE, "pad_token_id", config.padTokenId().getAsInt());
        }
        return endTokens[0];
    }

    /** {@code id}, refused naming {@code file} and {@code key} when it is outside the vocabulary. */
    private static int inVocabulary(ExportFolder folder, ModelConfig config, String file, String key, int id) {
        if (id >= config.vocabSize()) {
            throw folder.refuse(file, key + " " + id + " is outside the vocabulary of " + config.vocabSize());
        }
        return id;
    }

    /** The graph files of an export: the decoder, and the separate first-pass graph of the older pair (or null). */
    private record Layout(String decoder, String prefill) {
    }

    /**
     * The export layout, by the files present (Optimum names them by layout): the chosen file, else
     * {@value #MODEL_FILE}, else {@value #MERGED_FILE}, else the {@value #NO_PAST_FILE} + {@value #WITH_PAST_FILE}
     * pair. Whether a graph really is what its name says is checked from its inputs by {@link CausalLmWithPast}.
     */
    private static Layout layout(ExportFolder folder, String chosen) {
        if (chosen != null) {
            return new Layout(chosen, null);
        }
        if (folder.has(MODEL_FILE)) {
            return new Layout(MODEL_FILE, null);
        }
        if (folder.has(MERGED_FILE)) {
            return new Layout(MERGED_FILE, null);
        }
        if (folder.has(WITH_PAST_FILE)) {
            if (!folder.has(NO_PAST_FILE)) {
                throw folder.refuse(NO_PAST_FILE, "missing: the two-file export runs its first pass with it, and "
                        + WITH_PAST_FILE + " only after it");
            }
            return new Layout(WITH_PAST_FILE, NO_PAST_FILE);
        }
        if (folder.has(NO_PAST_FILE)) {
            throw folder.refuse(NO_PAST_FILE, "a decoder without a KV cache and no " + WITH_PAST_FILE + " beside it:"
                    + " export with --task text-generation-with-past");
        }
        throw folder.refuse(MODEL_FILE, "missing, and neither " + MERGED_FILE + " nor " + NO_PAST_FILE + " + "
                + WITH_PAST_FILE + " is there");
    }

    private static HuggingFaceTokenizer tokenizer(ExportFolder folder) {
        Path file = folder.file(TOKENIZER_FILE);
        try {
            // Prompts are rendered templates that hold their own special tokens: nothing is added, truncated or
            // padded here (encode() adds a BOS only when add_bos_token says so).
            return HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false", "truncation", "false",
                    "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw folder.refuse(TOKENIZER_FILE, "the Hugging Face tokenizer refused it: " + e.getMessage());
        }
    }

    private int bosId(ExportFolder folder, HuggingFaceTokenizer tokenizer) {
        Object bos = tokenizerConfig.specialTokens().get("bos_token");
        if (bos != null) {
            long[] ids = tokenizer.encode(bos.toString(), false, false).getIds();
            if (ids.length == 1) {
                return Math.toIntExact(ids[0]);
            }
        }
        OptionalInt configured = config.bosTokenId();
        try {
            if (configured.isEmpty()) {
                throw folder.refuse(TokenizerConfig.FILE, "add_bos_token is set but no BOS token is known (no "
                        + "single-token bos_token here, no bos_token_id in " + ModelConfig.FILE + ")");
            }
            // Prepended to every prompt: outside the vocabulary, every generation would fail inside ONNX Runtime.
            return inVocabulary(folder, config, ModelConfig.FILE, "bos_token_id", configured.getAsInt());
        } catch (ModelLoadException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The graph must have the config's layers, KV heads, head size and vocabulary, or its cache would be wrong. */
    private static void requireMatchingGraph(ExportFolder folder, Path modelFile, ModelConfig config,
                                             CausalLmWithPast lm) {
        List<String> mismatches = new ArrayList<>();
        compare(mismatches, "num_hidden_layers", config.layers(), "past key/value pairs", lm.layers());
        compare(mismatches, "num_key_value_heads", config.kvHeads(), "past heads", lm.kvHeads());
        compare(mismatches, "head_dim", config.headDim(), "past head size", lm.headDim());
        compare(mismatches, "vocab_size", config.vocabSize(), "logits", lm.vocabularySize());
        if (!mismatches.isEmpty()) {
            throw folder.refuse(modelFile.getFileName().toString(), "does not match " + ModelConfig.FILE + ": "
                    + String.join(", ", mismatches));
        }
    }

    private static void compare(List<String> mismatches, String key, int expected, String what, int actual) {
        if (expected != actual) {
            mismatches.add(key + " is " + expected + " but the graph has " + actual + " " + what);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", closeable, e.getMessage());
        }
    }

    /** Builds a {@link HuggingFaceOnnxModel}; every setter rejects null. */
    public static final class Builder {
        private Path folder;
        private String modelFile;
        private OnnxSessionFactory sessionFactory;
        private ExecutionProvider executionProvider;
        private Integer intraOpThreads;
        private String modelId;
        private boolean int8HiddenStates;
        private Clock clock = Clock.systemDefaultZone();
        private int[] hiddenStateLayers = new int[0];
        private long maxCacheBytes = CausalLmWithPast.DEFAULT_MAX_CACHE_BYTES;

        private Builder() {
        }

        /**
         * The most native memory one batch's KV cache may take ({@link CausalLmWithPast.Builder#maxCacheBytes}); a
         * generation over it is refused before it starts. Default 4 GiB.
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

        /** The export folder (a Hugging Face hub cache snapshot works too). */
        public Builder folder(Path folder) {
            this.folder = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /**
         * The decoder-with-past graph's file name in the folder (a plain or merged decoder); default: found by the
         * export layout ({@value #MODEL_FILE}, {@value #MERGED_FILE}, or the {@value #NO_PAST_FILE} +
         * {@value #WITH_PAST_FILE} pair).
         *
         * @throws IllegalArgumentException if it is blank or not a plain file name
         */
        public Builder modelFile(String modelFile) {
            Objects.requireNonNull(modelFile, "modelFile");
            if (modelFile.isBlank() || modelFile.contains("/") || modelFile.contains("\\")
                    || modelFile.equals("..")) {
                throw new IllegalArgumentException("modelFile must be a file name in the folder, was '"
                        + modelFile + "'");
            }
            this.modelFile = modelFile;
            return this;
        }

        /**
         * A shared factory to open the session with (closing the model does not close it). Default: a factory of the
         * model's own, closed with it.
         */
        public Builder sessionFactory(OnnxSessionFactory sessionFactory) {
            Objects.requireNonNull(sessionFactory, "sessionFactory");
            if (executionProvider != null || intraOpThreads != null) {
                throw new IllegalStateException("sessionFactory replaces executionProvider and intraOpThreads");
            }
            this.sessionFactory = sessionFactory;
            return this;
        }

        /**
         * Where to run when the model makes its own factory; default {@link OnnxSessionFactory#create()}'s.
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
         * ONNX Runtime intra-op threads when the model makes its own factory; default
         * {@link OnnxSessionFactory#create()}'s. A small model's matrices are too small to split well: one thread
         * decodes as fast for less CPU.
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

        /**
         * The id {@link HuggingFaceOnnxModel#modelId()} reports (reports and caches key on it); default the folder's
         * name.
         *
         * @throws IllegalArgumentException if it is blank
         */
        public Builder modelId(String modelId) {
            Objects.requireNonNull(modelId, "modelId");
            if (modelId.isBlank()) {
                throw new IllegalArgumentException("modelId must not be blank");
            }
            this.modelId = modelId;
            return this;
        }

        /**
         * Compute {@link HuggingFaceOnnxModel#promptHiddenState prompt hidden states} on an int8 copy of the graph
         * ({@link DynamicInt8Quantization}, made at load) instead of the graph as it is (default false): faster on a
         * CPU with VNNI and close to float32 (check the figures of whatever reads them, such as a self-knowledge head);
         * generation and continuation scores stay on the graph as it is. Costs one more session. Ignored when the graph
         * gives no hidden states.
         */
        public Builder int8HiddenStates(boolean int8HiddenStates) {
            this.int8HiddenStates = int8HiddenStates;
            return this;
        }

        /** What the chat template's {@code strftime_now} reads; default the system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Hidden-state layers to read besides the final one, numbered as {@code transformers} numbers {@code
         * hidden_states} (0 the token embeddings, {@code i} the residual stream after decoder layer {@code i},
         * {@code num_hidden_layers} the final state; negative numbers count from the end, -1 the final state): each
         * becomes an output of the graph at load, read by {@link HuggingFaceOnnxModel#promptHiddenState(String, int)}
         * and {@link HuggingFaceOnnxModel#promptLayerHiddenStates}. Checked against {@code config.json}'s {@code
         * num_hidden_layers} at {@link #build()}. Default: none (the final state only).
         *
         * @throws IllegalArgumentException if no layer is given, or one is given twice
         */
        public Builder hiddenStateLayers(int... layers) {
            Objects.requireNonNull(layers, "layers");
            if (layers.length == 0) {
                throw new IllegalArgumentException("hiddenStateLayers needs at least one layer");
            }
            if (Arrays.stream(layers).distinct().count() != layers.length) {
                throw new IllegalArgumentException("hiddenStateLayers names a layer twice: "
                        + Arrays.toString(layers));
            }
            this.hiddenStateLayers = layers.clone();
            return this;
        }

        /**
         * The chosen layers as numbers in [0, layers], the final state left out (it is always read).
         *
         * @throws IllegalArgumentException naming the layer outside [-(layers + 1), layers]
         */
        private SortedSet<Integer> hiddenStateLayers(int layers) {
            SortedSet<Integer> numbers = new TreeSet<>();
            for (int layer : hiddenStateLayers) {
                if (layer < -(layers + 1) || layer > layers) {
                    throw new IllegalArgumentException("hiddenStateLayers: layer " + layer + " is outside ["
                            + -(layers + 1) + ", " + layers + "] for " + ModelConfig.FILE
                            + "'s num_hidden_layers " + layers);
                }
                if (!numbers.add(layer < 0 ? layers + 1 + layer : layer)) {
                    throw new IllegalArgumentException("hiddenStateLayers names layer " + layer + " twice (counting"
                            + " from the end): " + Arrays.toString(hiddenStateLayers));
                }
            }
            numbers.remove(layers);
            return numbers;
        }

        /**
         * Reads and checks every file, opens the session.
         *
         * @throws IllegalStateException    if no folder was set
         * @throws IllegalArgumentException if a {@linkplain #hiddenStateLayers hidden-state layer} is outside the
         *                                  model's layers
         * @throws ModelLoadException       naming the file and the reason: a required file ({@code config.json},
         *                                  {@code tokenizer.json}, {@code tokenizer_config.json}, the graph) missing,
         *                                  malformed or outside the folder, a chat template that does not parse, an
         *                                  unsupported export layout, a graph that does not match the config, or
         *                                  chosen hidden-state layers the graph does not let be read
         */
        public HuggingFaceOnnxModel build() {
            if (folder == null) {
                throw new IllegalStateException("folder is required");
            }
            return new HuggingFaceOnnxModel(this);
        }

        private void checkNoFactory() {
            if (sessionFactory != null) {
                throw new IllegalStateException("sessionFactory replaces executionProvider and intraOpThreads");
            }
        }

        /** The model's own factory: the defaults, with the provider and threads set here. */
        private OnnxSessionFactory ownFactory() {
            if (executionProvider == null && intraOpThreads == null) {
                return OnnxSessionFactory.create();
            }
            OnnxSessionFactory.Builder factory = OnnxSessionFactory.builder();
            if (executionProvider != null) {
                factory.executionProvider(executionProvider);
            }
            if (intraOpThreads != null) {
                factory.intraOpThreads(intraOpThreads);
            }
            return factory.build();
        }
    }
}
