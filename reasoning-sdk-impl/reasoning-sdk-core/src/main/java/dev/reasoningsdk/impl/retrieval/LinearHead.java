package dev.reasoningsdk.impl.retrieval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.retrieval.internal.HeadFeatures;
import dev.reasoningsdk.impl.retrieval.internal.LexicalFeatures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A logistic-regression head over a feature vector (a sentence embedding, or a language model's hidden state):
 * {@code p = sigmoid(bias + sum_i weights[i] * (x[i] - mean[i]) / scale[i])}. The features are standardised with
 * the training rows' mean and standard deviation, which keeps the fit well conditioned for hidden states whose
 * scale is far from an embedding's.
 *
 * <p>A head records the {@link #featureModelId() model whose features it was trained on}; criteria refuse to pair
 * it with another model. It is stored as a small JSON file ({@link #save(Path)}, {@link #read(InputStream)}) that
 * also holds its {@link HeadProvenance}. Immutable and thread-safe.
 */
public final class LinearHead {

    /** The {@code format} value of a head file. */
    public static final String FORMAT = "reasoning-sdk/linear-head";
    /** Version 2 adds {@code pooledLayers}; a head without pooled layers is still written as version 1. */
    private static final int VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final CriterionKind kind;
    private final String featureModelId;
    private final float[] mean;
    private final float[] scale;
    private final float[] weights;
    private final double bias;
    private final List<Integer> pooledLayers;
    private final LexicalFeatures lexical;
    private final HeadProvenance provenance;

    /**
     * A head from its parameters.
     *
     * @throws IllegalArgumentException if the vectors differ in length, are empty, or hold non-finite values, or a
     *                                  scale is not positive
     */
    public LinearHead(CriterionKind kind, String featureModelId, float[] mean, float[] scale, float[] weights,
                      double bias, HeadProvenance provenance) {
        this(kind, featureModelId, mean, scale, weights, bias, 0, provenance);
    }

    /**
     * A head whose last {@code lexicalFeatures} inputs are hashed word n-gram indicators of the request (see
     * {@link #features(float[], String)}).
     *
     * @throws IllegalArgumentException as the other constructor, or if {@code lexicalFeatures} is negative or leaves
     *                                  no model features
     */
    public LinearHead(CriterionKind kind, String featureModelId, float[] mean, float[] scale, float[] weights,
                      double bias, int lexicalFeatures, HeadProvenance provenance) {
        this(kind, featureModelId, mean, scale, weights, bias, List.of(), LexicalFeatures.hashed(lexicalFeatures),
                provenance);
    }

    /**
     * A head whose last inputs are indicators of the request's word n-grams found in {@code lexicalVocabulary}, one
     * per n-gram in that order (see {@link #features(float[], String)}).
     *
     * @throws IllegalArgumentException as the other constructors, or if the vocabulary is empty, repeats an n-gram or
     *                                  leaves no model features
     */
    public LinearHead(CriterionKind kind, String featureModelId, float[] mean, float[] scale, float[] weights,
                      double bias, List<String> lexicalVocabulary, HeadProvenance provenance) {
        this(kind, featureModelId, mean, scale, weights, bias, List.of(),
                LexicalFeatures.vocabulary(lexicalVocabulary), provenance);
    }

    /**
     * A head on a sentence encoder whose inputs are the embedding, then the mean-pooled states of
     * {@code pooledLayers} in ascending order (see {@link EncodedSentence}), then the lexical indicators of
     * {@code lexicalVocabulary} (none when it is empty).
     *
     * @throws IllegalArgumentException as the other constructors, or if a layer is negative or repeated
     */
    public LinearHead(CriterionKind kind, String featureModelId, float[] mean, float[] scale, float[] weights,
                      double bias, List<Integer> pooledLayers, List<String> lexicalVocabulary,
                      HeadProvenance provenance) {
        this(kind, featureModelId, mean, scale, weights, bias, pooledLayers, lexicalVocabulary.isEmpty()
                ? LexicalFeatures.NONE : LexicalFeatures.vocabulary(lexicalVocabulary), provenance);
    }

    /**
     * A head on a sentence encoder whose inputs are the embedding, then the mean-pooled states of
     * {@code pooledLayers} in ascending order, then {@code lexicalFeatures} hashed word n-gram indicators (none for 0).
     *
     * @throws IllegalArgumentException as the other constructors, or if a layer is negative or repeated
     */
    public LinearHead(CriterionKind kind, String featureModelId, float[] mean, float[] scale, float[] weights,
                      double bias, List<Integer> pooledLayers, int lexicalFeatures, HeadProvenance provenance) {
        this(kind, featureModelId, mean, scale, weights, bias, pooledLayers, LexicalFeatures.hashed(lexicalFeatures),
                provenance);
    }

    // Private: LexicalFeatures is internal, so the public constructors take its parameters instead.
    private LinearHead(CriterionKind kind, String featureModelId, float[] mean, float[] scale, float[] weights,
                       double bias, List<Integer> pooledLayers, LexicalFeatures lexical, HeadProvenance provenance) {
        this.pooledLayers = HeadFeatures.checkedLayers(pooledLayers);
        if (lexical.dimensions() >= weights.length) {
            throw new IllegalArgumentException("lexical features must be in [0, " + weights.length + "), were "
                    + lexical.dimensions());
        }
        this.lexical = lexical;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.featureModelId = Objects.requireNonNull(featureModelId, "featureModelId");
        this.mean = mean.clone();
        this.scale = scale.clone();
        this.weights = weights.clone();
        this.bias = bias;
        this.provenance = Objects.requireNonNull(provenance, "provenance");
        if (weights.length == 0 || mean.length != weights.length || scale.length != weights.length) {
            throw new IllegalArgumentException("mean, scale and weights must have the same non-zero length, were "
                    + mean.length + ", " + scale.length + ", " + weights.length);
        }
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(mean[i]) || !Float.isFinite(weights[i]) || !(scale[i] > 0)
                    || !Float.isFinite(scale[i])) {
                throw new IllegalArgumentException("non-finite parameter or non-positive scale at index " + i);
            }
        }
        if (!Double.isFinite(bias)) {
            throw new IllegalArgumentException("bias is not finite: " + bias);
        }
    }

    /** The criterion this head evaluates. */
    public CriterionKind kind() {
        return kind;
    }

    /** The id of the encoder or language model whose features this head was trained on. */
    public String featureModelId() {
        return featureModelId;
    }

    /** How many features the head reads, lexical ones included. */
    public int dimension() {
        return weights.length;
    }

    /** How many word n-gram indicators, hashed or from the vocabulary, follow the model's features (0: none). */
    public int lexicalFeatures() {
        return lexical.dimensions();
    }

    /** The n-grams of the lexical indicators, in slot order; empty when they are hashed or absent. */
    public List<String> lexicalVocabulary() {
        return lexical.vocabulary();
    }

    /** The encoder layers whose mean-pooled states follow the embedding, ascending; empty for none. */
    public List<Integer> pooledLayers() {
        return pooledLayers;
    }

    /**
     * The head's input for a request: the model's features, then the request's lexical indicators if any.
     *
     * @throws IllegalArgumentException if the head reads pooled layers (use {@link #features(EncodedSentence,
     *                                  String)})
     */
    public float[] features(float[] modelFeatures, String text) {
        if (!pooledLayers.isEmpty()) {
            throw new IllegalArgumentException("the " + kind + " head reads the pooled layers " + pooledLayers
                    + " besides the embedding; give it the EncodedSentence");
        }
        return lexical.append(modelFeatures, text);
    }

    /**
     * The head's input for an encoded request: its embedding, the mean-pooled states of {@link #pooledLayers()},
     * then the request's lexical indicators if any.
     *
     * @throws IllegalArgumentException if one of the head's layers was not pooled
     */
    public float[] features(EncodedSentence encoded, String text) {
        return lexical.append(HeadFeatures.modelFeatures(encoded, pooledLayers), text);
    }

    /** The data and held-out figures of training. */
    public HeadProvenance provenance() {
        return provenance;
    }

    /**
     * The probability that the criterion holds for these features.
     *
     * @throws IllegalArgumentException if {@code features} has the wrong length
     */
    public double probability(float[] features) {
        if (features.length != weights.length) {
            throw new IllegalArgumentException("head '" + kind + "' reads " + weights.length + " features, got "
                    + features.length);
        }
        double z = bias;
        for (int i = 0; i < weights.length; i++) {
            z += weights[i] * ((features[i] - mean[i]) / scale[i]);
        }
        return LogisticRegression.sigmoid(z);
    }

    /**
     * Refuses to be used with features of another model.
     *
     * @throws IllegalArgumentException naming both models when {@code modelId} is not the head's feature model, or
     *                                  when the dimensions differ
     */
    public void requireFeatures(String modelId, int dimension) {
        requireFeatures(modelId, dimension, 0);
    }

    /**
     * Refuses to be used with features of another model, or with an encoder that cannot pool the head's layers
     * (each pooled layer is taken to be {@code dimension} wide, as in a mean-pooling sentence encoder).
     *
     * @param poolableLayers how many layers the model can pool, layers 0 to this less one (0: none)
     * @throws IllegalArgumentException naming both models when {@code modelId} is not the head's feature model,
     *                                  when a layer is beyond {@code poolableLayers}, or when the dimensions differ
     */
    public void requireFeatures(String modelId, int dimension, int poolableLayers) {
        if (!pooledLayers.isEmpty() && pooledLayers.get(pooledLayers.size() - 1) >= poolableLayers) {
            throw new IllegalArgumentException("the " + kind + " head reads the pooled layers " + pooledLayers
                    + " but '" + modelId + "' pools " + (poolableLayers == 0 ? "no layers"
                    : "layers up to " + (poolableLayers - 1)));
        }
        if (!featureModelId.equals(modelId)) {
            throw new IllegalArgumentException("the " + kind + " head was trained on features of '"
                    + featureModelId + "' but is being used with '" + modelId
                    + "'; retrain it with 'reasoning judge train' for this model");
        }
        int modelFeatures = dimension * (1 + pooledLayers.size());
        if (modelFeatures + lexical.dimensions() != weights.length) {
            throw new IllegalArgumentException("the " + kind + " head reads " + (weights.length - lexical.dimensions())
                    + " model features but '" + modelId + "' gives " + modelFeatures);
        }
    }

    /**
     * Writes the head as JSON, atomically: to a new temporary file beside it, forced to disk, then renamed over
     * it, so an existing file is replaced as a whole and never left half-written.
     */
    public void save(Path file) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(toJson()));
    }

    /** The head as a JSON tree, exactly what {@link #save} writes. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", pooledLayers.isEmpty() ? 1 : VERSION);
        root.put("kind", kind.name());
        root.put("featureModelId", featureModelId);
        root.put("dimension", weights.length);
        root.put("bias", bias);
        if (!pooledLayers.isEmpty()) {
            ArrayNode layers = root.putArray("pooledLayers");
            pooledLayers.forEach(layers::add);
        }
        root.put("lexicalFeatures", lexical.dimensions());
        if (!lexical.vocabulary().isEmpty()) {
            ArrayNode vocabulary = root.putArray("lexicalVocabulary");
            lexical.vocabulary().forEach(vocabulary::add);
        }
        root.set("weights", floats(weights));
        root.set("mean", floats(mean));
        root.set("scale", floats(scale));
        root.set("training", JSON.valueToTree(provenance));
        return root;
    }

    private static ArrayNode floats(float[] values) {
        ArrayNode array = JSON.createArrayNode();
        for (float value : values) {
            array.add(value);
        }
        return array;
    }

    /**
     * Reads a head file.
     *
     * @throws dev.reasoningsdk.impl.DataFileException if it is a directory, FIFO or device (refused before opening,
     *                                                  as a FIFO would block the read forever)
     */
    public static LinearHead read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(TextFiles.requireRegularFile(file))) {
            return read(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a head from JSON.
     *
     * @throws IllegalArgumentException if it is not a head file of a supported version, or its parameters are
     *                                  invalid
     */
    public static LinearHead read(InputStream in) throws IOException {
        JsonNode root = JSON.readTree(in);
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException("not a head file: format is not '" + FORMAT + "'");
        }
        int version = root.path("version").asInt();
        if (version < 1 || version > VERSION) {
            throw new IllegalArgumentException("unsupported head file version " + root.path("version"));
        }
        if (version == 1 && root.has("pooledLayers")) {
            throw new IllegalArgumentException("pooledLayers needs head file version 2, the file says 1");
        }
        CriterionKind kind;
        try {
            kind = CriterionKind.valueOf(root.path("kind").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown criterion kind '" + root.path("kind").asText() + "'", e);
        }
        float[] weights = floats(root, "weights");
        if (root.path("dimension").asInt() != weights.length) {
            throw new IllegalArgumentException("dimension " + root.path("dimension") + " but " + weights.length
                    + " weights");
        }
        HeadProvenance provenance = JSON.treeToValue(root.path("training"), HeadProvenance.class);
        if (provenance == null) {
            throw new IllegalArgumentException("head file has no training record");
        }
        LexicalFeatures lexical;
        if (root.has("lexicalVocabulary")) {
            List<String> vocabulary = new ArrayList<>();
            root.path("lexicalVocabulary").forEach(ngram -> vocabulary.add(ngram.asText()));
            if (root.path("lexicalFeatures").asInt(-1) != vocabulary.size()) {
                throw new IllegalArgumentException("lexicalFeatures " + root.path("lexicalFeatures") + " but "
                        + vocabulary.size() + " n-grams in lexicalVocabulary");
            }
            lexical = LexicalFeatures.vocabulary(vocabulary);
        } else {
            lexical = LexicalFeatures.hashed(root.path("lexicalFeatures").asInt(0));
        }
        List<Integer> pooledLayers = new ArrayList<>();
        for (JsonNode layer : root.path("pooledLayers")) {
            if (!layer.isInt()) {
                throw new IllegalArgumentException("pooledLayers holds " + layer + ", not a layer number");
            }
            pooledLayers.add(layer.asInt());
        }
        return new LinearHead(kind, requiredText(root, "featureModelId"), floats(root, "mean"),
                floats(root, "scale"), weights, root.path("bias").asDouble(Double.NaN), pooledLayers, lexical,
                provenance);
    }

    /**
     * Reads a head shipped as a class-path resource.
     *
     * @throws IllegalStateException if the resource is missing or unreadable (a packaging error)
     */
    public static LinearHead fromResource(String name) {
        try (InputStream in = LinearHead.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("head resource not found: " + name);
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read head resource " + name, e);
        }
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw new IllegalArgumentException("head file lacks '" + field + "'");
        }
        return node.asText();
    }

    private static float[] floats(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("head file lacks the array '" + field + "'");
        }
        float[] values = new float[node.size()];
        for (int i = 0; i < values.length; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalArgumentException("'" + field + "'[" + i + "] is not a number");
            }
            values[i] = (float) node.get(i).asDouble();
        }
        return values;
    }
}
