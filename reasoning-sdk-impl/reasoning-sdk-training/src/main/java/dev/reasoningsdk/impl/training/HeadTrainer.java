package dev.reasoningsdk.impl.training;

import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import dev.reasoningsdk.impl.retrieval.BinaryMetrics;
import dev.reasoningsdk.impl.retrieval.HeadProvenance;
import dev.reasoningsdk.impl.retrieval.LabelledText;
import dev.reasoningsdk.impl.retrieval.LinearHead;
import dev.reasoningsdk.impl.retrieval.internal.HeadFeatures;
import dev.reasoningsdk.impl.retrieval.internal.LexicalFeatures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link LinearHead}: class-weighted logistic regression with an L2 penalty, fitted by Newton's method
 * (deterministic, no learning rate to tune) on standardised features.
 *
 * <p>A fraction of each class is held out by a fixed-seed shuffle; the head never sees those rows, and its
 * figures on them go into its {@link HeadProvenance}. The L2 penalty is chosen from a grid by weighted log-loss on a
 * validation slice of the <em>training</em> rows, then the head is refitted on all training rows. Classes are
 * weighted {@code n / (2 n_class)} so an unbalanced file does not tilt the head toward its majority.
 *
 * <p>Defaults: seed 42, held-out fraction 0.2, L2 grid {1e-4, 1e-3, 1e-2, 1e-1, 1, 10}, 50 Newton iterations at most.
 * Immutable and thread-safe.
 */
public final class HeadTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(HeadTrainer.class);
    private static final int ENCODE_BATCH = 64;

    private final long seed;
    private final double heldOutFraction;
    private final double[] l2Grid;
    private final int maxIterations;
    private final FeatureSpec featureSpec;

    private HeadTrainer(Builder builder) {
        this.featureSpec = builder.featureSpec;
        this.seed = builder.seed;
        this.heldOutFraction = builder.heldOutFraction;
        this.l2Grid = builder.l2Grid.clone();
        this.maxIterations = builder.maxIterations;
    }

    /** A builder with the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    /** A trainer with the defaults. */
    public static HeadTrainer create() {
        return builder().build();
    }

    /**
     * The indices of the held-out rows, sorted: stratified by label, so the held-out rows keep the data's class
     * balance (an unbalanced file would otherwise leave a handful of minority rows to score on). Within each class
     * the rows are shuffled with {@code seed} and the first {@code round(n_class * fraction)} are held out. The bench
     * calls this to score a head on exactly the rows it never saw.
     */
    public static int[] heldOutIndices(List<Boolean> labels, long seed, double fraction) {
        List<Integer> heldOut = new ArrayList<>();
        for (boolean label : new boolean[] {true, false}) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                if (labels.get(i) == label) {
                    members.add(i);
                }
            }
            int[] order = shuffled(members.size(), seed + (label ? 0 : 1));
            int count = (int) Math.round(members.size() * fraction);
            for (int k = 0; k < count; k++) {
                heldOut.add(members.get(order[k]));
            }
        }
        return heldOut.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static int[] shuffled(int rows, long seed) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /**
     * Reads a labelled JSONL file, embeds its texts with {@code encoder} in batches, and trains a head on them.
     *
     * @param dataName the name recorded in the provenance (e.g. the path relative to the data directory)
     */
    public LinearHead trainOnEncoder(CriterionKind kind, SentenceEncoder encoder, Path file, String dataName,
                                     String textField, String labelField) throws IOException {
        List<LabelledText> rows = LabelledText.readJsonl(file, textField, labelField);
        List<Boolean> labels = rows.stream().map(LabelledText::label).toList();
        // A vocabulary comes from the training rows alone, so the held-out figures stay a fair test.
        LexicalFeatures lexical = featureSpec.lexical().build(trainingRows(labels).stream()
                .map(i -> rows.get(i).text()).toList());
        List<EncodedSentence> encoded = encode(encoder, rows.stream().map(LabelledText::text).toList(),
                Set.copyOf(featureSpec.pooledLayers()));
        List<float[]> features = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            features.add(lexical.append(HeadFeatures.modelFeatures(encoded.get(i), featureSpec.pooledLayers()),
                    rows.get(i).text()));
        }
        DataRecord data = new DataRecord(dataName, LabelledText.sha256(file), textField, labelField);
        return logged(train(kind, encoder.modelId(), features, labels, data, featureSpec.pooledLayers(), lexical));
    }

    /**
     * Chooses the features {@link #trainOnEncoder} should give the head besides the embedding (pooled encoder layers,
     * lexical indicators), by repeated stratified {@code folds}-fold
     * cross-validation on this trainer's training rows only: its held-out rows are never read, so their figures stay
     * a fair test of the head trained with the winner. Each candidate is built from each fold's training rows (a
     * vocabulary never sees the fold it is scored on), trained exactly as the final head would be ({@link #train},
     * so on the fold's training rows less this trainer's own held-out slice of them), and scored by accuracy at 0.5
     * on the fold's other rows, pooled over the folds; repeat {@code r} shuffles each class with seed
     * {@code 100 (r + 1)}. The best mean accuracy wins; on a tie, the earlier candidate.
     *
     * @throws IllegalArgumentException if there are no candidates, {@code folds < 2}, {@code repeats < 1}, or a
     *                                  class has fewer training rows than folds
     */
    public FeatureSelection selectFeatures(CriterionKind kind, SentenceEncoder encoder, Path file,
                                           String textField, String labelField, List<FeatureSpec> candidates,
                                           int folds, int repeats) throws IOException {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no features to choose from");
        }
        if (folds < 2 || repeats < 1) {
            throw new IllegalArgumentException("need folds >= 2 and repeats >= 1, got " + folds + " and " + repeats);
        }
        List<LabelledText> rows = LabelledText.readJsonl(file, textField, labelField);
        List<Boolean> labels = rows.stream().map(LabelledText::label).toList();
        List<Integer> training = trainingRows(labels);
        for (boolean label : new boolean[] {true, false}) {
            long members = training.stream().filter(i -> labels.get(i) == label).count();
            if (members < folds) {
                throw new IllegalArgumentException(file + ": " + members + " training rows labelled " + label
                        + ", fewer than " + folds + " folds");
            }
        }
        Set<Integer> allLayers = new TreeSet<>();
        candidates.forEach(candidate -> allLayers.addAll(candidate.pooledLayers()));
        List<EncodedSentence> encoded = encode(encoder, rows.stream().map(LabelledText::text).toList(), allLayers);
        DataRecord data = new DataRecord(file.toString(), "cross-validation", textField, labelField);
        Map<FeatureSpec, List<Double>> accuracies = new LinkedHashMap<>();
        for (FeatureSpec candidate : candidates) {
            List<float[]> modelFeatures = encoded.stream()
                    .map(sentence -> HeadFeatures.modelFeatures(sentence, candidate.pooledLayers())).toList();
            List<Double> perRepeat = new ArrayList<>();
            for (int repeat = 0; repeat < repeats; repeat++) {
                int[] fold = stratifiedFolds(training, labels, folds, 100L * (repeat + 1));
                int correct = 0;
                for (int f = 0; f < folds; f++) {
                    List<Integer> fitRows = new ArrayList<>();
                    for (int k = 0; k < training.size(); k++) {
                        if (fold[k] != f) {
                            fitRows.add(training.get(k));
                        }
                    }
                    LexicalFeatures lexical = candidate.lexical().build(fitRows.stream()
                            .map(i -> rows.get(i).text()).toList());
                    List<float[]> fitX = new ArrayList<>();
                    for (int row : fitRows) {
                        fitX.add(lexical.append(modelFeatures.get(row), rows.get(row).text()));
                    }
                    LinearHead head = train(kind, encoder.modelId(), fitX, fitRows.stream().map(labels::get).toList(),
                            data, candidate.pooledLayers(), lexical);
                    for (int k = 0; k < training.size(); k++) {
                        int row = training.get(k);
                        if (fold[k] == f && head.probability(head.features(encoded.get(row), rows.get(row).text()))
                                >= 0.5 == labels.get(row)) {
                            correct++;
                        }
                    }
                }
                perRepeat.add(correct / (double) training.size());
            }
            accuracies.put(candidate, List.copyOf(perRepeat));
        }
        return new FeatureSelection(accuracies);
    }

    /** The indices of the rows this trainer fits on: every row but its held-out ones, in order. */
    private List<Integer> trainingRows(List<Boolean> labels) {
        Set<Integer> heldOut = new HashSet<>();
        for (int index : heldOutIndices(labels, seed, heldOutFraction)) {
            heldOut.add(index);
        }
        return IntStream.range(0, labels.size()).filter(i -> !heldOut.contains(i)).boxed().toList();
    }

    /** Fold of each training row: each class shuffled with {@code foldSeed} (+1 for negatives), dealt in turn. */
    private static int[] stratifiedFolds(List<Integer> training, List<Boolean> labels, int folds, long foldSeed) {
        int[] fold = new int[training.size()];
        for (boolean label : new boolean[] {true, false}) {
            List<Integer> members = new ArrayList<>();
            for (int k = 0; k < training.size(); k++) {
                if (labels.get(training.get(k)) == label) {
                    members.add(k);
                }
            }
            Collections.shuffle(members, new Random(foldSeed + (label ? 0 : 1)));
            for (int m = 0; m < members.size(); m++) {
                fold[members.get(m)] = m % folds;
            }
        }
        return fold;
    }

    /**
     * Which word n-gram indicators a head appends to the model's features: none, {@code hashedDimensions} hashed
     * slots, or a vocabulary of the n-grams found in at least {@code vocabularyMinRows} training rows. Written
     * {@code 0}, {@code 128} and {@code v2} on the command line ({@link #parse}, {@link #toString}).
     *
     * @param hashedDimensions  hashed slots, 0 for none
     * @param vocabularyMinRows the vocabulary's row threshold, 0 for no vocabulary
     */
    public record LexicalSpec(int hashedDimensions, int vocabularyMinRows) {

        /**
         * @throws IllegalArgumentException if either is negative or both are set
         */
        public LexicalSpec {
            if (hashedDimensions < 0 || vocabularyMinRows < 0 || hashedDimensions > 0 && vocabularyMinRows > 0) {
                throw new IllegalArgumentException("lexical features are hashed or a vocabulary, with non-negative "
                        + "sizes; got " + hashedDimensions + " hashed and a vocabulary threshold of "
                        + vocabularyMinRows);
            }
        }

        /** No lexical features. */
        public static LexicalSpec none() {
            return new LexicalSpec(0, 0);
        }

        /** {@code dimensions} hashed slots (0: none). */
        public static LexicalSpec hashed(int dimensions) {
            return new LexicalSpec(dimensions, 0);
        }

        /** The n-grams found in at least {@code minRows} (>= 1) training rows. */
        public static LexicalSpec vocabulary(int minRows) {
            if (minRows < 1) {
                throw new IllegalArgumentException("a vocabulary needs a row threshold >= 1, got " + minRows);
            }
            return new LexicalSpec(0, minRows);
        }

        /**
         * {@code N} for N hashed slots (0: none), {@code vN} for a vocabulary of n-grams in at least N rows.
         *
         * @throws IllegalArgumentException if it is neither
         */
        public static LexicalSpec parse(String text) {
            try {
                return text.startsWith("v") ? vocabulary(Integer.parseInt(text.substring(1)))
                        : hashed(Integer.parseInt(text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("lexical features '" + text + "': use N for N hashed slots or "
                        + "vN for the n-grams of at least N training rows", e);
            }
        }

        /** The features for a head trained on {@code trainingTexts}. */
        LexicalFeatures build(List<String> trainingTexts) {
            if (vocabularyMinRows == 0) {
                return LexicalFeatures.hashed(hashedDimensions);
            }
            List<String> ngrams = LexicalFeatures.frequentNgrams(trainingTexts, vocabularyMinRows);
            if (ngrams.isEmpty()) {
                throw new IllegalArgumentException("no word n-gram occurs in " + vocabularyMinRows
                        + " or more of the " + trainingTexts.size() + " training rows");
            }
            return LexicalFeatures.vocabulary(ngrams);
        }

        @Override
        public String toString() {
            return vocabularyMinRows > 0 ? "v" + vocabularyMinRows : String.valueOf(hashedDimensions);
        }
    }

    /**
     * What a head on a sentence encoder reads besides the embedding: the mean-pooled states of some encoder layers
     * (see {@link EncodedSentence}) and word n-gram indicators. Written {@code +}-joined on the command line, layers
     * as {@code layerK} and the lexical part as {@link LexicalSpec#parse}: {@code v2}, {@code layer2},
     * {@code v2+layer2}, {@code 0} for neither ({@link #parse}, {@link #toString}).
     *
     * @param pooledLayers the layers, ascending and distinct
     * @param lexical      the lexical indicators
     */
    public record FeatureSpec(List<Integer> pooledLayers, LexicalSpec lexical) {

        /**
         * @throws IllegalArgumentException if a layer is negative or repeated
         */
        public FeatureSpec {
            Objects.requireNonNull(lexical, "lexical");
            pooledLayers = HeadFeatures.checkedLayers(pooledLayers);
        }

        /** Lexical indicators and no pooled layer. */
        public static FeatureSpec of(LexicalSpec lexical) {
            return new FeatureSpec(List.of(), lexical);
        }

        /**
         * Parses {@code v2+layer2} and the like; see the class comment.
         *
         * @throws IllegalArgumentException if a part is neither a layer nor a lexical spec, or two parts are lexical
         */
        public static FeatureSpec parse(String text) {
            List<Integer> layers = new ArrayList<>();
            LexicalSpec lexical = null;
            for (String part : text.split("\\+", -1)) {
                if (part.startsWith("layer")) {
                    try {
                        layers.add(Integer.parseInt(part.substring("layer".length())));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("features '" + text + "': '" + part
                                + "' is not layerK with a layer number K", e);
                    }
                } else if (lexical != null) {
                    throw new IllegalArgumentException("features '" + text + "' name two lexical parts");
                } else {
                    lexical = LexicalSpec.parse(part);
                }
            }
            return new FeatureSpec(layers, lexical == null ? LexicalSpec.none() : lexical);
        }

        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            if (!lexical.equals(LexicalSpec.none()) || pooledLayers.isEmpty()) {
                parts.add(lexical.toString());
            }
            pooledLayers.forEach(layer -> parts.add("layer" + layer));
            return String.join("+", parts);
        }
    }

    /**
     * What {@link #selectFeatures} measured: each candidate's cross-validated accuracy per repeat, in the order the
     * candidates were given.
     */
    public record FeatureSelection(Map<FeatureSpec, List<Double>> accuracyPerRepeat) {

        /** Copies the map, keeping its order. */
        public FeatureSelection {
            accuracyPerRepeat = Collections.unmodifiableMap(new LinkedHashMap<>(accuracyPerRepeat));
        }

        /** A candidate's accuracy averaged over the repeats. */
        public double meanAccuracy(FeatureSpec candidate) {
            List<Double> perRepeat = accuracyPerRepeat.get(candidate);
            if (perRepeat == null) {
                throw new IllegalArgumentException(candidate + " was not a candidate");
            }
            return perRepeat.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }

        /** The candidate with the best mean accuracy; on a tie, the earlier one. */
        public FeatureSpec best() {
            FeatureSpec best = null;
            for (FeatureSpec candidate : accuracyPerRepeat.keySet()) {
                if (best == null || meanAccuracy(candidate) > meanAccuracy(best)) {
                    best = candidate;
                }
            }
            return best;
        }
    }

    /** Encodes texts in batches of 64, so memory stays flat on large files. */
    private static List<EncodedSentence> encode(SentenceEncoder encoder, List<String> texts, Set<Integer> layers) {
        List<EncodedSentence> encoded = new ArrayList<>(texts.size());
        for (int start = 0; start < texts.size(); start += ENCODE_BATCH) {
            encoded.addAll(encoder.encodeAll(texts.subList(start, Math.min(texts.size(), start + ENCODE_BATCH)),
                    layers));
        }
        return encoded;
    }

    /**
     * Trains a head on precomputed features.
     *
     * @param featureModelId the model the features came from, recorded in the head
     * @throws IllegalArgumentException if features and labels differ in length, vectors differ in size, or either
     *                                  class has fewer than two training rows
     */
    public LinearHead train(CriterionKind kind, String featureModelId, List<float[]> features, List<Boolean> labels,
                            DataRecord data) {
        return logged(train(kind, featureModelId, features, labels, data, List.of(), LexicalFeatures.NONE));
    }

    private LinearHead train(CriterionKind kind, String featureModelId, List<float[]> features, List<Boolean> labels,
                             DataRecord data, List<Integer> pooledLayers, LexicalFeatures lexical) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(featureModelId, "featureModelId");
        Objects.requireNonNull(data, "data");
        if (features.size() != labels.size()) {
            throw new IllegalArgumentException("features and labels differ in length: " + features.size() + " vs "
                    + labels.size());
        }
        int n = features.size();
        int[] heldOut = heldOutIndices(labels, seed, heldOutFraction);
        boolean[] isHeldOut = new boolean[n];
        for (int index : heldOut) {
            isHeldOut[index] = true;
        }
        List<float[]> trainX = new ArrayList<>();
        List<Boolean> trainY = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!isHeldOut[i]) {
                trainX.add(features.get(i));
                trainY.add(labels.get(i));
            }
        }
        requireBothClasses(trainY);
        double l2 = chooseL2(trainX, trainY);
        Fit fit = fit(trainX, trainY, l2);
        List<Double> scores = new ArrayList<>();
        List<Boolean> heldOutLabels = new ArrayList<>();
        for (int index : heldOut) {
            scores.add(fit.probability(features.get(index)));
            heldOutLabels.add(labels.get(index));
        }
        BinaryMetrics metrics = BinaryMetrics.compute(scores, heldOutLabels, 0.5);
        HeadProvenance provenance = new HeadProvenance(data.name(), data.sha256(), data.textField(),
                data.labelField(), n, n - heldOut.length, heldOut.length, seed, heldOutFraction, l2, metrics);
        return fit.toHead(kind, featureModelId, pooledLayers, lexical, provenance);
    }

    /** Logs a finished head's held-out figures; the many fits inside cross-validation stay quiet. */
    private static LinearHead logged(LinearHead head) {
        HeadProvenance provenance = head.provenance();
        BinaryMetrics metrics = provenance.heldOut();
        LOG.info("{} head: l2 {}, held-out accuracy {} macro-F1 {} AUROC {} (majority {})", head.kind(),
                provenance.l2(), metrics.accuracy(), metrics.macroF1(), metrics.auroc(), metrics.majorityAccuracy());
        return head;
    }

    private static void requireBothClasses(List<Boolean> labels) {
        long positives = labels.stream().filter(Boolean::booleanValue).count();
        if (positives < 2 || labels.size() - positives < 2) {
            throw new IllegalArgumentException("training needs at least two rows of each class, got " + positives
                    + " positive and " + (labels.size() - positives) + " negative");
        }
    }

    private double chooseL2(List<float[]> x, List<Boolean> y) {
        if (l2Grid.length == 1) {
            return l2Grid[0];
        }
        int[] validation = heldOutIndices(y, seed + 2, 0.2);
        boolean[] isValidation = new boolean[x.size()];
        for (int index : validation) {
            isValidation[index] = true;
        }
        List<float[]> fitX = new ArrayList<>();
        List<Boolean> fitY = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
            if (!isValidation[i]) {
                fitX.add(x.get(i));
                fitY.add(y.get(i));
            }
        }
        long positives = fitY.stream().filter(Boolean::booleanValue).count();
        if (positives == 0 || positives == fitY.size()) {
            return l2Grid[l2Grid.length / 2];
        }
        double best = l2Grid[0];
        double bestLoss = Double.POSITIVE_INFINITY;
        double[] classWeights = classWeights(y);
        for (double l2 : l2Grid) {
            Fit fit = fit(fitX, fitY, l2);
            double loss = 0;
            for (int index : validation) {
                double p = Math.min(1 - 1e-12, Math.max(1e-12, fit.probability(x.get(index))));
                boolean label = y.get(index);
                loss -= classWeights[label ? 1 : 0] * (label ? Math.log(p) : Math.log(1 - p));
            }
            LOG.debug("l2 {}: validation log-loss {}", l2, loss / validation.length);
            if (loss < bestLoss) {
                bestLoss = loss;
                best = l2;
            }
        }
        return best;
    }

    /** {@code [negative weight, positive weight]}, each {@code n / (2 n_class)}. */
    private static double[] classWeights(List<Boolean> labels) {
        long positives = labels.stream().filter(Boolean::booleanValue).count();
        long negatives = labels.size() - positives;
        double n = labels.size();
        return new double[] {negatives == 0 ? 1 : n / (2.0 * negatives), positives == 0 ? 1 : n / (2.0 * positives)};
    }

    /**
     * Newton's method ({@link LogisticRegression}) on the mean class-weighted log-loss plus {@code l2 / 2 * |w|^2}
     * of the standardised features; the bias is not penalised.
     */
    Fit fit(List<float[]> x, List<Boolean> y, double l2) {
        int n = x.size();
        int d = x.get(0).length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (float[] row : x) {
            if (row.length != d) {
                throw new IllegalArgumentException("feature vectors differ in size: " + d + " vs " + row.length);
            }
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                double delta = row[j] - mean[j];
                scale[j] += delta * delta;
            }
        }
        for (int j = 0; j < d; j++) {
            scale[j] = Math.max(Math.sqrt(scale[j] / n), 1e-6);
        }
        double[][] z = new double[n][d + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x.get(i)[j] - mean[j]) / scale[j];
            }
            z[i][d] = 1;
        }
        double[] classWeights = classWeights(y);
        double[] c = new double[n];
        double[] target = new double[n];
        for (int i = 0; i < n; i++) {
            target[i] = y.get(i) ? 1 : 0;
            c[i] = classWeights[y.get(i) ? 1 : 0] / n;
        }
        double[] theta = LogisticRegression.fit(z, target, c, l2, maxIterations,
                LogisticRegression.Damping.STEP_HALVING);
        return new Fit(mean, scale, theta);
    }

    /**
     * What was trained on, for the provenance record.
     *
     * @param name       the data's name or relative path
     * @param sha256     SHA-256 of the data file
     * @param textField  the text field
     * @param labelField the label field
     */
    public record DataRecord(String name, String sha256, String textField, String labelField) {
        /** @throws NullPointerException if any field is null */
        public DataRecord {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(textField, "textField");
            Objects.requireNonNull(labelField, "labelField");
        }
    }

    /** A fitted model in standardised coordinates; the last entry of {@code theta} is the bias. */
    record Fit(double[] mean, double[] scale, double[] theta) {

        double probability(float[] features) {
            double z = theta[theta.length - 1];
            for (int j = 0; j < mean.length; j++) {
                z += theta[j] * ((features[j] - mean[j]) / scale[j]);
            }
            return LogisticRegression.sigmoid(z);
        }

        LinearHead toHead(CriterionKind kind, String featureModelId, List<Integer> pooledLayers,
                          LexicalFeatures lexical, HeadProvenance provenance) {
            int d = mean.length;
            float[] m = new float[d];
            float[] s = new float[d];
            float[] w = new float[d];
            for (int j = 0; j < d; j++) {
                m[j] = (float) mean[j];
                s[j] = (float) scale[j];
                w[j] = (float) theta[j];
            }
            return lexical.vocabulary().isEmpty()
                    ? new LinearHead(kind, featureModelId, m, s, w, theta[d], pooledLayers, lexical.dimensions(),
                            provenance)
                    : new LinearHead(kind, featureModelId, m, s, w, theta[d], pooledLayers, lexical.vocabulary(),
                            provenance);
        }
    }

    /** Builds a {@link HeadTrainer}. */
    public static final class Builder {
        private long seed = 42;
        private double heldOutFraction = 0.2;
        private double[] l2Grid = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10};
        private int maxIterations = 50;
        private FeatureSpec featureSpec = FeatureSpec.of(LexicalSpec.none());

        private Builder() {
        }

        /**
         * Hashed word n-gram indicators appended to the embedding by {@link #trainOnEncoder}; 0 (the default) for
         * none. Ignored by {@link #train}, whose caller supplies the features.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder lexicalFeatures(int lexicalFeatures) {
            if (lexicalFeatures < 0) {
                throw new IllegalArgumentException("lexicalFeatures must be >= 0, was " + lexicalFeatures);
            }
            return lexicalFeatures(LexicalSpec.hashed(lexicalFeatures));
        }

        /**
         * The word n-gram indicators {@link #trainOnEncoder} appends to the embedding: hashed, or a vocabulary taken
         * from the training rows. Default {@link LexicalSpec#none()}. Ignored by {@link #train}.
         */
        public Builder lexicalFeatures(LexicalSpec lexicalSpec) {
            return features(FeatureSpec.of(lexicalSpec));
        }

        /**
         * What {@link #trainOnEncoder} gives the head besides the embedding: pooled encoder layers and lexical
         * indicators. Default: neither. Ignored by {@link #train}.
         */
        public Builder features(FeatureSpec featureSpec) {
            this.featureSpec = Objects.requireNonNull(featureSpec, "featureSpec");
            return this;
        }

        /** The seed of the held-out shuffle (and of the validation slice, seed + 2). Default 42. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The fraction of rows held out, in (0, 1). Default 0.2.
         *
         * @throws IllegalArgumentException if out of range
         */
        public Builder heldOutFraction(double heldOutFraction) {
            this.heldOutFraction = Arguments.openUnit(heldOutFraction, "heldOutFraction");
            return this;
        }

        /**
         * The L2 penalties to choose from; one value fixes it. Default {1e-4, 1e-3, 1e-2, 1e-1, 1, 10}.
         *
         * @throws IllegalArgumentException if empty or a value is negative or not finite
         */
        public Builder l2Grid(double... l2Grid) {
            this.l2Grid = Arguments.nonNegativeGrid(l2Grid, "l2Grid");
            return this;
        }

        /**
         * The most Newton iterations per fit. Default 50.
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxIterations(int maxIterations) {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1, was " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /** The trainer. */
        public HeadTrainer build() {
            return new HeadTrainer(this);
        }
    }
}
