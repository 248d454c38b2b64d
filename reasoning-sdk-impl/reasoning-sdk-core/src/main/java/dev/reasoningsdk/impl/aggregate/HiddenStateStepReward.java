package dev.reasoningsdk.impl.aggregate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.PromptHiddenState;
import dev.reasoningsdk.impl.aggregate.internal.WeightFiles;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/**
 * A learned process reward: a logistic head on a local model's hidden state at the end of the newest step, giving
 * the probability that the chain so far leads to a right answer (a process reward model, Lightman et al., 2023,
 * "Let's Verify Step by Step"; trained without step annotations from the model's own completions, Wang et al., 2024,
 * "Math-Shepherd"). The prefix is read as the model would continue it: {@code promptFormat(question)} followed by
 * the steps so far, one forward pass over it (prefill, no generation) per scored step. Each score reports what its
 * passes cost ({@link #scoreStepWithUsage}: model calls and the prompt tokens they read), which {@link StepSearch}
 * adds to its result's usage.
 *
 * <p>The head's probability {@code v} of a prefix becomes a reward by its {@link Mapping}: {@link Mapping#VALUE}
 * uses {@code v}; {@link Mapping#RATIO} uses {@code min(1, v / v_before)}, the share of the chance of success kept by
 * the step ({@code v_before} is the prefix without it, the bare prompt for the first step), so a step that does not
 * lower the chance costs a search nothing. It is then combined with {@link ArithmeticStepReward} by its
 * {@link Combination} (none, minimum or product). All three and the layer were chosen by cross-validation on
 * training problems only ({@code StepRewardTrainer} in {@code reasoning-sdk-training}); the head file records them,
 * the model it was trained for and its {@link StepRewardProvenance}.
 *
 * <p>A head is tied to its model: {@link Builder#build()} refuses a model whose {@link CausalLanguageModel#modelId()}
 * or hidden size is not the head's. {@link #tinyReasoner(CausalLanguageModel)} is the head shipped for the embedded
 * tiny reasoner (a resource of this module, beside the tiny reasoner's self-knowledge head, so the reward needs no
 * ONNX dependency to be configured). On the tiny reasoner it is a worked example of the seam and of the training
 * protocol, not an improvement: cross-validated on its training problems, ranking 8 sampled chains by the search's
 * penalty with the shipped reward picks a right chain on 0.830 of problems, the arithmetic reward alone on 0.865 and
 * the head alone on at most 0.66 (the first chain: 0.715); its value ranks a wrong first step below the right one
 * about as often as chance. A prefix the model cannot read (longer than its context) gets reward 0: the
 * chain cannot go on. Defaults: the model's own prompt format ({@link CausalLanguageModel#formatPrompt}),
 * {@link ArithmeticStepReward#create()} for the combination. Thread-safe when the model is.
 */
public final class HiddenStateStepReward implements ProcessReward {

    /** The shipped tiny-reasoner head, a resource beside this class. */
    public static final String SHIPPED_RESOURCE = "tiny-reasoner-step-reward.json";
    /** Most prefix values remembered for {@link Mapping#RATIO}: a search's tree rarely holds more. */
    private static final int CACHE_SIZE = 4096;

    private final CausalLanguageModel model;
    private final Weights weights;
    private final ProcessReward arithmetic;
    private final UnaryOperator<String> promptFormat;
    /** Values of recent prefixes: a parent's value is read again when each of its children is scored. */
    private final Map<String, Double> values = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Double> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    private HiddenStateStepReward(Builder builder) {
        this.model = builder.model;
        this.weights = builder.weights;
        this.arithmetic = builder.arithmetic;
        this.promptFormat = builder.promptFormat != null ? builder.promptFormat : builder.model::formatPrompt;
    }

    /** A builder; a model and weights are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The shipped head on the embedded tiny reasoner.
     *
     * @throws IllegalArgumentException if {@code model} is not the tiny reasoner the head was trained for
     */
    public static HiddenStateStepReward tinyReasoner(CausalLanguageModel model) {
        return builder().model(model).weights(Weights.shipped()).build();
    }

    /**
     * The steps of a chain, split where {@link StepSearch} ends a step (a line, or a sentence followed by white
     * space); the last step is what follows the last step end, when it holds more than white space.
     */
    public static List<String> steps(String chain) {
        List<String> steps = new ArrayList<>();
        String rest = chain;
        int end;
        while ((end = StepSearch.stepEnd(rest)) >= 0) {
            steps.add(rest.substring(0, end));
            rest = rest.substring(end);
        }
        if (!rest.isBlank()) {
            steps.add(rest);
        }
        return steps;
    }

    /** @throws IllegalArgumentException if {@code steps} is empty */
    @Override
    public double scoreStep(String question, List<String> steps, boolean complete) {
        return scoreStepWithUsage(question, steps, complete).reward();
    }

    /**
     * The reward with its cost: one model call per forward pass this score ran ({@link Mapping#RATIO} reads the
     * prefix before the step too; a prefix read before, by any search, is remembered and counts as a cache hit, as a
     * reply served from a cache does, so calls plus hits are the prefixes read), its prompt tokens as input tokens
     * ({@link Usage#UNKNOWN_TOKENS} when the model does not count them,
     * {@link CausalLanguageModel#promptHiddenStateWithTokens}), a prefix the model cannot read as a failed call
     * ({@link CallFailure#CLIENT_ERROR}), the passes' wall time, and the combined reward's own cost.
     *
     * @throws IllegalArgumentException if {@code steps} is empty
     */
    @Override
    public StepScore scoreStepWithUsage(String question, List<String> steps, boolean complete) {
        Objects.requireNonNull(question, "question");
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("steps must hold at least one step");
        }
        Passes passes = new Passes();
        String prompt = promptFormat.apply(question);
        String before = String.join("", steps.subList(0, steps.size() - 1));
        double value = value(prompt + before + steps.get(steps.size() - 1), passes);
        double learned = weights.mapping == Mapping.VALUE ? value
                : Math.min(1, value / Math.max(value(prompt + before, passes), Double.MIN_NORMAL));
        if (weights.combination == Combination.NONE) {
            return new StepScore(learned, passes.usage());
        }
        StepScore checked = arithmetic.scoreStepWithUsage(question, steps, complete);
        double reward = weights.combination == Combination.MIN ? Math.min(learned, checked.reward())
                : learned * checked.reward();
        return new StepScore(reward, passes.usage().plus(checked.usage()));
    }

    /**
     * The head's probability that the chain {@code steps} (possibly none) leads to a right answer to
     * {@code question}; 0 when the model cannot read the prefix.
     */
    public double value(String question, List<String> steps) {
        return value(promptFormat.apply(Objects.requireNonNull(question, "question")) + String.join("", steps),
                new Passes());
    }

    private double value(String prefix, Passes passes) {
        synchronized (values) {
            Double known = values.get(prefix);
            if (known != null) {
                passes.remembered();
                return known;
            }
        }
        long start = System.nanoTime();
        PromptHiddenState read;
        try {
            // The state and its token count from one tokenization of the prefix (on a model that counts them).
            read = model.promptHiddenStateWithTokens(prefix, weights.layer);
        } catch (IllegalArgumentException unreadable) {
            read = null;
        }
        long took = System.nanoTime() - start;
        double value;
        if (read == null) {
            passes.refused(took);
            value = 0;
        } else {
            passes.read(read.promptTokens(), took);
            value = weights.probability(read.state());
        }
        synchronized (values) {
            values.put(prefix, value);
        }
        return value;
    }

    /** The forward passes of one score: what they cost. Confined to the scoring thread. */
    private static final class Passes {
        private int calls;
        private int failed;
        private int hits;
        private long tokens;
        private long nanos;

        void read(OptionalInt promptTokens, long took) {
            calls++;
            nanos += took;
            tokens = tokens == Usage.UNKNOWN_TOKENS || promptTokens.isEmpty() ? Usage.UNKNOWN_TOKENS
                    : tokens + promptTokens.getAsInt();
        }

        void remembered() {
            hits++;
        }

        void refused(long took) {
            calls++;
            failed++;
            nanos += took;
        }

        Usage usage() {
            return new Usage(0, calls, failed, tokens, 0, Duration.ofNanos(nanos), hits,
                    failed == 0 ? Map.of() : Map.of(CallFailure.CLIENT_ERROR, failed));
        }
    }

    /** {@code "hidden_state"}. */
    @Override
    public String name() {
        return "hidden_state";
    }

    /** The head. */
    public Weights weights() {
        return weights;
    }

    /** How the head's probability of a prefix becomes the reward of its newest step. */
    public enum Mapping {
        /** The probability itself. */
        VALUE,
        /** {@code min(1, v / v_before)}: the share of the chance of success the step kept. */
        RATIO
    }

    /** How the learned reward is combined with the arithmetic one. */
    public enum Combination {
        /** The learned reward alone. */
        NONE,
        /** The smaller of the two. */
        MIN,
        /** Their product. */
        PRODUCT
    }

    /**
     * A trained head: {@code v = sigmoid(bias + sum_i coefficients[i] * (h[i] - mean[i]) / scale[i])} over the hidden
     * state {@code h} of layer {@link #layer()} of model {@link #modelId()}, with the mapping and combination chosen in
     * training. Stored as versioned JSON ({@value #FORMAT}, version {@value #VERSION}). Immutable.
     */
    public static final class Weights {

        /** The {@code format} value of a head file. */
        public static final String FORMAT = "reasoning-sdk/process-reward-head";
        /** The version this class writes and reads. */
        public static final int VERSION = 1;
        private static final ObjectMapper JSON = new ObjectMapper()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(SerializationFeature.INDENT_OUTPUT);

        private final String modelId;
        private final int layer;
        private final double[] mean;
        private final double[] scale;
        private final double[] coefficients;
        private final double bias;
        private final Mapping mapping;
        private final Combination combination;
        private final StepRewardProvenance provenance;

        /**
         * A head from its parameters.
         *
         * @throws IllegalArgumentException if the vectors are empty or differ in length, hold non-finite values, a
         *                                  scale is not positive, or the bias is not finite
         */
        public Weights(String modelId, int layer, double[] mean, double[] scale, double[] coefficients, double bias,
                       Mapping mapping, Combination combination, StepRewardProvenance provenance) {
            this.modelId = Objects.requireNonNull(modelId, "modelId");
            this.layer = layer;
            this.mean = mean.clone();
            this.scale = scale.clone();
            this.coefficients = coefficients.clone();
            this.bias = bias;
            this.mapping = Objects.requireNonNull(mapping, "mapping");
            this.combination = Objects.requireNonNull(combination, "combination");
            this.provenance = Objects.requireNonNull(provenance, "provenance");
            if (coefficients.length == 0 || mean.length != coefficients.length || scale.length != coefficients.length) {
                throw new IllegalArgumentException("mean, scale and coefficients must have one non-zero length, were "
                        + mean.length + ", " + scale.length + ", " + coefficients.length);
            }
            WeightFiles.requireFiniteHead(mean, scale, coefficients, bias, i -> "at index " + i);
        }

        /** The id of the model whose hidden states the head reads. */
        public String modelId() {
            return modelId;
        }

        /**
         * The hidden-state layer, numbered as {@link CausalLanguageModel#promptHiddenState(String, int)} numbers it.
         */
        public int layer() {
            return layer;
        }

        /** The model's hidden size, the head's input length. */
        public int hiddenSize() {
            return coefficients.length;
        }

        /** How the probability becomes a reward. */
        public Mapping mapping() {
            return mapping;
        }

        /** How it is combined with the arithmetic reward. */
        public Combination combination() {
            return combination;
        }

        /** Where the head came from. */
        public StepRewardProvenance provenance() {
            return provenance;
        }

        /**
         * The probability for one hidden state.
         *
         * @throws IllegalArgumentException if the state's length is not {@link #hiddenSize()}
         */
        public double probability(float[] state) {
            if (state.length != coefficients.length) {
                throw new IllegalArgumentException("the process-reward head of '" + modelId + "' reads hidden states "
                        + "of size " + coefficients.length + ", got " + state.length);
            }
            double z = bias;
            for (int i = 0; i < coefficients.length; i++) {
                z += coefficients[i] * ((state[i] - mean[i]) / scale[i]);
            }
            return LogisticRegression.sigmoid(z);
        }

        /**
         * Writes the head as JSON, atomically: to a new temporary file beside it, forced to disk, then renamed over
         * it, so an existing file is replaced as a whole and never left half-written.
         */
        public void save(Path file) throws IOException {
            AtomicFiles.write(file, JSON.writeValueAsBytes(toJson()));
        }

        /** The head as JSON, exactly what {@link #save} writes. */
        public ObjectNode toJson() {
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.put("version", VERSION);
            root.put("modelId", modelId);
            root.put("layer", layer);
            root.put("hiddenSize", coefficients.length);
            root.put("mapping", mapping.name().toLowerCase(Locale.ROOT));
            root.put("combination", combination.name().toLowerCase(Locale.ROOT));
            root.put("bias", bias);
            root.set("coefficients", doubles(coefficients));
            root.set("mean", doubles(mean));
            root.set("scale", doubles(scale));
            root.set("training", JSON.valueToTree(provenance));
            return root;
        }

        private static ArrayNode doubles(double[] values) {
            ArrayNode array = JSON.createArrayNode();
            for (double value : values) {
                array.add(value);
            }
            return array;
        }

        /** Reads a head file; the file's name is put in front of any error. */
        public static Weights read(Path file) throws IOException {
            return WeightFiles.read(file, Weights::read);
        }

        /**
         * Reads a head from JSON.
         *
         * @throws IllegalArgumentException if it is not a process-reward head of this version, a field is missing or
         *                                  malformed, or {@code hiddenSize} is not the number of coefficients
         */
        public static Weights read(InputStream in) throws IOException {
            return WeightFiles.parse(in, JSON, "process-reward head", Weights::fromTree);
        }

        private static Weights fromTree(JsonNode root) throws IOException {
            if (root == null || !FORMAT.equals(root.path("format").asText())) {
                throw new IllegalArgumentException("not a process-reward head: format is not '" + FORMAT + "'");
            }
            if (root.path("version").asInt() != VERSION) {
                throw new IllegalArgumentException("unsupported process-reward head version " + root.path("version"));
            }
            JsonNode model = root.get("modelId");
            if (model == null || !model.isTextual() || model.asText().isBlank()) {
                throw new IllegalArgumentException("process-reward head lacks 'modelId'");
            }
            if (!root.path("layer").isInt()) {
                throw new IllegalArgumentException("process-reward head lacks the integer 'layer'");
            }
            double[] coefficients = doubles(root, "coefficients");
            if (root.path("hiddenSize").asInt(-1) != coefficients.length) {
                throw new IllegalArgumentException("hiddenSize " + root.path("hiddenSize") + " but "
                        + coefficients.length + " coefficients");
            }
            StepRewardProvenance provenance = JSON.treeToValue(root.path("training"), StepRewardProvenance.class);
            if (provenance == null) {
                throw new IllegalArgumentException("process-reward head has no training record");
            }
            return new Weights(model.asText(), root.path("layer").asInt(), doubles(root, "mean"),
                    doubles(root, "scale"), coefficients, root.path("bias").asDouble(Double.NaN),
                    constant(Mapping.class, root, "mapping"), constant(Combination.class, root, "combination"),
                    provenance);
        }

        /**
         * The head shipped for the embedded tiny reasoner.
         *
         * @throws IllegalStateException if the resource is missing (a packaging error)
         */
        public static Weights shipped() {
            return WeightFiles.resource(HiddenStateStepReward.class, SHIPPED_RESOURCE, "process-reward head",
                    Weights::read);
        }

        private static <E extends Enum<E>> E constant(Class<E> type, JsonNode root, String field) {
            String text = root.path(field).asText("");
            try {
                return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException("unknown " + field + " '" + text + "'", unknown);
            }
        }

        private static double[] doubles(JsonNode root, String field) {
            return WeightFiles.doubles(root, field, "process-reward head");
        }
    }

    /** Builds a {@link HiddenStateStepReward}. Not thread-safe. */
    public static final class Builder {
        private CausalLanguageModel model;
        private Weights weights;
        private ProcessReward arithmetic = ArithmeticStepReward.create();
        private UnaryOperator<String> promptFormat;

        private Builder() {
        }

        /** The model whose hidden states the head reads (required); the same model a search continues. */
        public Builder model(CausalLanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The trained head (required), e.g. {@link Weights#shipped()}. */
        public Builder weights(Weights weights) {
            this.weights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /** The reward the head's is combined with, when its combination is not none (default arithmetic). */
        public Builder arithmetic(ProcessReward arithmetic) {
            this.arithmetic = Objects.requireNonNull(arithmetic, "arithmetic");
            return this;
        }

        /** The model's prompt for a question, as in training (default the model's own format). */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /**
         * The reward; reads one hidden state to check the model's hidden size.
         *
         * @throws IllegalStateException    if the model or the weights are missing
         * @throws IllegalArgumentException naming both when the model's id or hidden size is not the head's
         */
        public HiddenStateStepReward build() {
            if (model == null || weights == null) {
                throw new IllegalStateException("a model and weights are required");
            }
            if (!weights.modelId.equals(model.modelId())) {
                throw new IllegalArgumentException("the process-reward head was trained on hidden states of '"
                        + weights.modelId + "' but the model is '" + model.modelId() + "'; train one for it with "
                        + "'reasoning step-reward train'");
            }
            UnaryOperator<String> format = promptFormat != null ? promptFormat : model::formatPrompt;
            int size = model.promptHiddenState(format.apply("1+1"), weights.layer).length;
            if (size != weights.hiddenSize()) {
                throw new IllegalArgumentException("the process-reward head reads hidden states of size "
                        + weights.hiddenSize() + " (layer " + weights.layer + " of '" + weights.modelId
                        + "') but the model gives " + size);
            }
            return new HiddenStateStepReward(this);
        }
    }
}
