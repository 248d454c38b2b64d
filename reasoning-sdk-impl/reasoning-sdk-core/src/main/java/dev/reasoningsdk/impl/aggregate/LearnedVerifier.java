package dev.reasoningsdk.impl.aggregate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.aggregate.internal.ChainFeatures;
import dev.reasoningsdk.impl.aggregate.internal.WeightFiles;
import dev.reasoningsdk.impl.aggregate.internal.ChainFeatures.Feature;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A learned outcome verifier (Cobbe et al., 2021, "Training Verifiers to Solve Math Word Problems"; the outcome
 * reward of the o1 roadmap): the probability that a chain's answer is right, from cheap features of the chain
 * among its question's chains, by logistic regression trained on labelled chains ({@code reasoning verifier train},
 * in {@code reasoning-sdk-training}).
 *
 * <p>Features ({@link Weights#features()} names them as weights files do), in five groups a trained verifier uses
 * some of: <b>chain</b>, the {@link ArithmeticVerifier}'s step checks (steps, share right, all right, the answer some
 * step's result), whether the answer is a whole number, length and line count, and the log-odds of the source's
 * accuracy estimated on the training rows ({@link ReasoningChain#source()}; an unseen source gets the pooled training
 * accuracy); <b>agreement</b>, the share of the question's other chains with an equivalent answer, plain and weighted
 * by their sources' accuracy, and the vote weights of its answer and of the strongest rival; <b>text</b>, what the
 * chain's words and calculator annotations show against the question (a fractional "how many", a negative answer, step
 * results never used again, question numbers never computed with, a number written after an annotation that is not
 * its result, the last step's operation, the answer's scale against the question's numbers, an answer copied from
 * the question, a {@code $} lost or invented); <b>answers</b>, the most reliable source behind the chain's answer,
 * whether that answer has the top vote weight, and the source's reliability when the chain stands alone or every
 * chain differs; <b>embedding</b>, sentence-encoder cosines of the chain with the question and with the other
 * chains (needs the encoder the verifier was trained with).
 *
 * <p>Scores are {@code 10 p} on the {@link ChainScorer} scale, so AoR's threshold 6 keeps chains the verifier
 * finds right with probability 0.6 or more. Agreement needs the question's other chains: {@link AggregationOfReasoning}
 * and {@link WeightedVote#builder() WeightedVote.builder().scorer(...)} give it every chain of the question; called
 * directly, {@link #scoreLocally} reads the chains and references given, {@link #scoreGlobally} the
 * representatives. Best-of-N (the answer of the best chain, Cobbe et al.'s use) is AoR with this scorer,
 * {@code representatives(1)} and {@code scoreThreshold(0)}; a vote weighted by the scores is the scored
 * {@link WeightedVote}.
 *
 * <p>{@link #create()} uses the shipped weights, trained on 800 of the 1000 GSM8K dev questions with four GPT-3
 * solutions each ({@code gsm8k/model-solutions-dev.jsonl}; the other 200 are held out); their provenance (data
 * hash, split, cross-validated and held-out figures) is {@link Weights#provenance()}. Its source reliabilities are
 * those four models' names. Immutable and thread-safe when the encoder is.
 */
public final class LearnedVerifier implements ChainScorer {

    /** The class-path resource of the shipped weights. */
    public static final String SHIPPED_RESOURCE = "learned-verifier.json";

    private final Weights weights;
    private final AnswerExtractor extractor;
    private final Optional<SentenceEncoder> encoder;
    private final ChainFeatures features;
    // The weights' features and source accuracies as the feature code reads them, parsed once.
    private final List<Feature> vectorFeatures;
    private final ChainFeatures.SourceAccuracy reliability;

    private LearnedVerifier(Weights weights, AnswerExtractor extractor, Optional<SentenceEncoder> encoder) {
        this.weights = weights;
        this.extractor = extractor;
        this.encoder = encoder;
        this.features = new ChainFeatures(extractor);
        this.vectorFeatures = Weights.parsed(weights.features());
        this.reliability = weights.reliability();
    }

    /**
     * The shipped verifier with the numeric answer extractor.
     *
     * @throws IllegalStateException if the shipped weights read sentence embeddings (use {@link #of})
     */
    public static LearnedVerifier create() {
        return builder().build();
    }

    /**
     * The shipped verifier with the numeric answer extractor and {@code encoder} for embedding features. The shipped
     * weights read none ({@link Weights#readsEmbeddings()} is false), so this is {@link #create()} and the encoder
     * is not called; it matters for weights trained with an {@code embedding} feature set.
     *
     * @throws IllegalArgumentException if the weights read embeddings of another encoder
     */
    public static LearnedVerifier of(SentenceEncoder encoder) {
        return builder().encoder(encoder).build();
    }

    /** A builder: the shipped weights, the numeric extractor and no encoder by default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The weights and their provenance. */
    public Weights weights() {
        return weights;
    }

    /**
     * The probability that each chain's answer is right, each read among all of {@code chains} (the question's
     * chains).
     */
    public List<Double> probabilities(String question, List<ReasoningChain> chains) {
        Objects.requireNonNull(question, "question");
        List<ChainFeatures.Observed> observed = features.observe(question, chains, encoder);
        List<Double> probabilities = new ArrayList<>(chains.size());
        for (ChainFeatures.Observed chain : observed) {
            probabilities.add(weights.probability(chain.vector(vectorFeatures, reliability)));
        }
        return probabilities;
    }

    /** Scores each chain among the chains and references given (see the class comment). */
    @Override
    public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
        List<ReasoningChain> context = new ArrayList<>(chains);
        references.forEach(reference -> context.add(reference.chain()));
        return amongChains(context).scoreLocally(question, chains, references);
    }

    /** Scores each representative among the representatives. */
    @Override
    public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
        return amongChains(representatives).scoreGlobally(question, representatives);
    }

    /**
     * This verifier bound to a question's chains: any chain it scores is read among all of them (a chain not among
     * them is added), so the agreement features see the whole question. AoR and the scored vote bind it this way.
     */
    @Override
    public ChainScorer amongChains(List<ReasoningChain> questionChains) {
        return new Bound(List.copyOf(questionChains));
    }

    /** {@code "learned-verifier"}. */
    @Override
    public String name() {
        return "learned-verifier";
    }

    /** The verifier bound to a question's chains; the features of all of them are computed once. */
    private final class Bound implements ChainScorer {
        private final List<ReasoningChain> context;
        private Map<ReasoningChain, Double> scores;
        private String scoredQuestion;

        Bound(List<ReasoningChain> context) {
            this.context = context;
        }

        @Override
        public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
            return score(question, chains);
        }

        @Override
        public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
            return score(question, representatives);
        }

        private synchronized Scores score(String question, List<ReasoningChain> chains) {
            long start = System.nanoTime();
            List<ReasoningChain> all = new ArrayList<>(context);
            IdentityHashMap<ReasoningChain, Boolean> known = new IdentityHashMap<>();
            context.forEach(chain -> known.put(chain, true));
            boolean extended = false;
            for (ReasoningChain chain : chains) {
                if (!known.containsKey(chain)) {
                    all.add(chain);
                    known.put(chain, true);
                    extended = true;
                }
            }
            if (scores == null || extended || !question.equals(scoredQuestion)) {
                List<Double> probabilities = probabilities(question, all);
                Map<ReasoningChain, Double> byChain = new IdentityHashMap<>();
                for (int i = 0; i < all.size(); i++) {
                    byChain.put(all.get(i), 10 * probabilities.get(i));
                }
                if (extended) {
                    return scoresOf(chains, byChain, start);
                }
                scores = byChain;
                scoredQuestion = question;
            }
            return scoresOf(chains, scores, start);
        }

        private Scores scoresOf(List<ReasoningChain> chains, Map<ReasoningChain, Double> byChain, long start) {
            List<Double> result = chains.stream().map(byChain::get).toList();
            return new Scores(result, 0, Usage.ofWallTime(Duration.ofNanos(System.nanoTime() - start)));
        }

        @Override
        public String name() {
            return LearnedVerifier.this.name();
        }
    }

    /**
     * Trained weights: the features read, their standardisation, the logistic regression's weights and bias, the
     * sources' accuracies, the encoder the embedding features came from, and the provenance. Stored as JSON
     * ({@link #save}, {@link #read(InputStream)}); made by {@code VerifierTrainer} in {@code reasoning-sdk-training},
     * read with {@link #read(Path)} or {@link #shipped()}. Arrays are copied in and out.
     *
     * @param features             the features' names as weights files write them (e.g. {@code steps},
     *                             {@code question_cosine}), in the order of the weights
     * @param mean                 each feature's training mean
     * @param scale                each feature's training standard deviation (positive)
     * @param coefficients         the weight of each standardised feature
     * @param bias                 the intercept
     * @param sourceAccuracy       each source's accuracy on the training rows, in (0, 1)
     * @param unseenSourceAccuracy the accuracy given a source not seen in training (the pooled training accuracy),
     *                             in (0, 1)
     * @param encoderModelId       the encoder of the embedding features, {@code ""} when none is read
     * @param provenance           data, split, cross-validation and held-out figures
     */
    public record Weights(List<String> features, double[] mean, double[] scale, double[] coefficients, double bias,
                          Map<String, Double> sourceAccuracy, double unseenSourceAccuracy, String encoderModelId,
                          VerifierProvenance provenance) {

        /** The {@code format} value of a weights file. */
        public static final String FORMAT = "reasoning-sdk/learned-verifier";
        /**
         * Version 2 added the text and answers feature groups; a version-1 file names only features that are
         * computed as they were then, so it is still read.
         */
        private static final int VERSION = 2;
        private static final ObjectMapper JSON = new ObjectMapper()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(SerializationFeature.INDENT_OUTPUT);

        /**
         * @throws IllegalArgumentException if a feature name is unknown, the arrays differ in length from the
         *                                  features, a value is not finite, a scale is not positive, an accuracy is
         *                                  outside (0, 1), or embedding features lack an encoder id
         */
        public Weights {
            features = List.copyOf(features);
            List<Feature> parsed = parsed(features);
            mean = mean.clone();
            scale = scale.clone();
            coefficients = coefficients.clone();
            sourceAccuracy = Map.copyOf(sourceAccuracy);
            new ChainFeatures.SourceAccuracy(sourceAccuracy, unseenSourceAccuracy);
            Objects.requireNonNull(encoderModelId, "encoderModelId");
            Objects.requireNonNull(provenance, "provenance");
            int d = features.size();
            if (d == 0 || mean.length != d || scale.length != d || coefficients.length != d) {
                throw new IllegalArgumentException("mean, scale and coefficients must have one entry per feature ("
                        + d + "), had " + mean.length + ", " + scale.length + ", " + coefficients.length);
            }
            List<String> named = features;
            WeightFiles.requireFiniteHead(mean, scale, coefficients, bias, j -> "for " + named.get(j));
            if (readsEmbeddings(parsed) == encoderModelId.isEmpty()) {
                throw new IllegalArgumentException(encoderModelId.isEmpty()
                        ? "embedding features need the encoder's model id"
                        : "an encoder model id ('" + encoderModelId + "') without embedding features");
            }
        }

        /** A copy of the means. */
        @Override
        public double[] mean() {
            return mean.clone();
        }

        /** A copy of the scales. */
        @Override
        public double[] scale() {
            return scale.clone();
        }

        /** A copy of the coefficients. */
        @Override
        public double[] coefficients() {
            return coefficients.clone();
        }

        /** Equal when every component is, the arrays by content (a record compares arrays by identity). */
        @Override
        public boolean equals(Object other) {
            return other instanceof Weights that && features.equals(that.features)
                    && java.util.Arrays.equals(mean, that.mean) && java.util.Arrays.equals(scale, that.scale)
                    && java.util.Arrays.equals(coefficients, that.coefficients)
                    && Double.compare(bias, that.bias) == 0 && sourceAccuracy.equals(that.sourceAccuracy)
                    && Double.compare(unseenSourceAccuracy, that.unseenSourceAccuracy) == 0
                    && encoderModelId.equals(that.encoderModelId) && provenance.equals(that.provenance);
        }

        @Override
        public int hashCode() {
            return Objects.hash(features, java.util.Arrays.hashCode(coefficients), bias, provenance);
        }

        /** The features, coefficients and bias, and where the weights came from. */
        @Override
        public String toString() {
            return "Weights[features=" + features + ", coefficients=" + java.util.Arrays.toString(coefficients)
                    + ", bias=" + bias + ", encoderModelId=" + encoderModelId + ", data=" + provenance.data() + "]";
        }

        /** Whether these weights read sentence embeddings. */
        public boolean readsEmbeddings() {
            return readsEmbeddings(parsed(features));
        }

        private static List<Feature> parsed(List<String> names) {
            return names.stream().map(Feature::ofFileName).toList();
        }

        private ChainFeatures.SourceAccuracy reliability() {
            return new ChainFeatures.SourceAccuracy(sourceAccuracy, unseenSourceAccuracy);
        }

        private static boolean readsEmbeddings(List<Feature> features) {
            return features.stream().anyMatch(feature -> feature.group().equals("embedding"));
        }

        /** The probability of a right answer for a feature vector in {@link #features()} order. */
        public double probability(double[] vector) {
            double z = bias;
            for (int j = 0; j < coefficients.length; j++) {
                z += coefficients[j] * (vector[j] - mean[j]) / scale[j];
            }
            return LogisticRegression.sigmoid(z);
        }

        /** The weights as a JSON tree, exactly what {@link #save} writes. */
        public ObjectNode toJson() {
            ObjectNode root = JSON.createObjectNode();
            root.put("format", FORMAT);
            root.put("version", VERSION);
            ArrayNode names = root.putArray("features");
            features.forEach(names::add);
            root.set("mean", JSON.valueToTree(mean));
            root.set("scale", JSON.valueToTree(scale));
            root.set("coefficients", JSON.valueToTree(coefficients));
            root.put("bias", bias);
            ObjectNode sources = root.putObject("sourceAccuracy");
            new java.util.TreeMap<>(sourceAccuracy).forEach(sources::put);
            root.put("unseenSourceAccuracy", unseenSourceAccuracy);
            root.put("encoderModelId", encoderModelId);
            root.set("training", JSON.valueToTree(provenance));
            return root;
        }

        /**
         * Writes the weights as JSON, atomically: to a new temporary file beside it, forced to disk, then renamed over
         * it, so an existing file is replaced as a whole and never left half-written.
         */
        public void save(Path file) throws IOException {
            AtomicFiles.write(file, JSON.writeValueAsBytes(toJson()));
        }

        /**
         * Reads a weights file.
         *
         * @throws IllegalArgumentException naming the file if it is not a weights file of a supported version
         */
        public static Weights read(Path file) throws IOException {
            return WeightFiles.read(file, Weights::read);
        }

        /**
         * Reads weights from JSON.
         *
         * @throws IllegalArgumentException if it is not a weights file of a supported version, or a value is invalid
         */
        public static Weights read(InputStream in) throws IOException {
            return WeightFiles.parse(in, JSON, "learned-verifier file", Weights::fromTree);
        }

        private static Weights fromTree(JsonNode root) throws IOException {
            if (root == null || !FORMAT.equals(root.path("format").asText())) {
                throw new IllegalArgumentException("not a learned-verifier file: format is not '" + FORMAT + "'");
            }
            int version = root.path("version").asInt();
            if (version < 1 || version > VERSION) {
                throw new IllegalArgumentException("unsupported learned-verifier version " + root.path("version")
                        + "; this release reads versions 1 to " + VERSION);
            }
            List<String> features = new ArrayList<>();
            for (JsonNode name : array(root, "features")) {
                features.add(name.asText());
            }
            Map<String, Double> accuracies = new LinkedHashMap<>();
            root.path("sourceAccuracy").fields().forEachRemaining(e -> accuracies.put(e.getKey(),
                    e.getValue().asDouble(Double.NaN)));
            VerifierProvenance provenance = JSON.treeToValue(root.path("training"), VerifierProvenance.class);
            if (provenance == null) {
                throw new IllegalArgumentException("learned-verifier file has no training record");
            }
            return new Weights(features, doubles(root, "mean"), doubles(root, "scale"), doubles(root, "coefficients"),
                    root.path("bias").asDouble(Double.NaN), accuracies,
                    root.path("unseenSourceAccuracy").asDouble(Double.NaN), root.path("encoderModelId").asText(""),
                    provenance);
        }

        /**
         * The shipped weights.
         *
         * @throws IllegalStateException if the resource is missing (a packaging error)
         */
        public static Weights shipped() {
            return WeightFiles.resource(LearnedVerifier.class, SHIPPED_RESOURCE, "learned-verifier", Weights::read);
        }

        private static JsonNode array(JsonNode root, String field) {
            return WeightFiles.array(root, field, "learned-verifier file");
        }

        private static double[] doubles(JsonNode root, String field) {
            return WeightFiles.doubles(root, field, "learned-verifier file");
        }
    }

    /** Builds a {@link LearnedVerifier}. Not thread-safe. */
    public static final class Builder {
        private Weights weights;
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private SentenceEncoder encoder;

        private Builder() {
        }

        /** The trained weights (default: the shipped ones, {@link Weights#shipped()}). */
        public Builder weights(Weights weights) {
            this.weights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /** How answers are read and compared (default {@link AnswerExtractors#numeric()}, as in training). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /** The sentence encoder of the embedding features (default none; required when the weights read them). */
        public Builder encoder(SentenceEncoder encoder) {
            this.encoder = Objects.requireNonNull(encoder, "encoder");
            return this;
        }

        /**
         * @throws IllegalStateException    if the weights read embeddings and no encoder was given
         * @throws IllegalArgumentException if the encoder is not the one the weights were trained with
         */
        public LearnedVerifier build() {
            Weights chosen = weights != null ? weights : Weights.shipped();
            if (chosen.readsEmbeddings()) {
                if (encoder == null) {
                    throw new IllegalStateException("these verifier weights read sentence embeddings of '"
                            + chosen.encoderModelId() + "': give the encoder");
                }
                if (!encoder.modelId().equals(chosen.encoderModelId())) {
                    throw new IllegalArgumentException("the verifier was trained on embeddings of '"
                            + chosen.encoderModelId() + "' but the encoder is '" + encoder.modelId() + "'");
                }
            }
            // An encoder the weights do not read is not kept: embedding chains would only cost time.
            return new LearnedVerifier(chosen, extractor,
                    chosen.readsEmbeddings() ? Optional.of(encoder) : Optional.empty());
        }
    }
}
