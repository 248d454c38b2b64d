package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.prompt.PromptObjective;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Plum's default objective for classification tasks: {@code 100 x balanced accuracy + 10 x entropy} of the
 * predicted-label distribution (natural log), on a labelled dev set. The entropy term keeps the search away from
 * prompts that make the model answer one label for everything. Thread-safe when the classifier is.
 */
public final class ClassificationObjective implements PromptObjective {

    /** Weight of balanced accuracy (in [0, 1]). */
    public static final double ACCURACY_WEIGHT = 100;
    /** Weight of the entropy of the predicted labels. */
    public static final double ENTROPY_WEIGHT = 10;
    private final List<String> labels;
    private final List<String> gold;
    private final PromptClassifier classifier;

    private ClassificationObjective(Builder builder) {
        this.labels = builder.labels;
        this.gold = builder.gold;
        this.classifier = builder.classifier;
    }

    /** A builder; the labels, the gold labels and the classifier are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Evaluation evaluate(String prompt) {
        PromptClassifier.Predictions predictions = classifier.classify(prompt);
        if (predictions.labels().size() != gold.size()) {
            throw new IllegalStateException("classifier returned " + predictions.labels().size() + " labels for "
                    + gold.size() + " inputs");
        }
        return new Evaluation(score(labels, gold, predictions.labels()), predictions.usage());
    }

    /** Plum's score: {@code 100 x balancedAccuracy + 10 x entropy(predicted label frequencies)}. */
    public static double score(List<String> labels, List<String> gold, List<String> predicted) {
        return ACCURACY_WEIGHT * balancedAccuracy(gold, predicted) + ENTROPY_WEIGHT * entropy(labels, predicted);
    }

    /**
     * The mean over the gold classes of each class's recall (a null or unknown prediction counts as wrong).
     *
     * @throws IllegalArgumentException if the lists differ in length or are empty
     */
    public static double balancedAccuracy(List<String> gold, List<String> predicted) {
        requireSameSize(gold, predicted);
        Map<String, int[]> perClass = new HashMap<>();
        for (int i = 0; i < gold.size(); i++) {
            int[] counts = perClass.computeIfAbsent(gold.get(i), key -> new int[2]);
            counts[1]++;
            if (gold.get(i).equals(predicted.get(i))) {
                counts[0]++;
            }
        }
        double sum = 0;
        for (int[] counts : perClass.values()) {
            sum += (double) counts[0] / counts[1];
        }
        return sum / perClass.size();
    }

    /**
     * The share of predictions equal to the gold label.
     *
     * @throws IllegalArgumentException if the lists differ in length or are empty
     */
    public static double accuracy(List<String> gold, List<String> predicted) {
        requireSameSize(gold, predicted);
        int correct = 0;
        for (int i = 0; i < gold.size(); i++) {
            if (gold.get(i).equals(predicted.get(i))) {
                correct++;
            }
        }
        return (double) correct / gold.size();
    }

    /** Entropy (natural log) of how often each of {@code labels} was predicted; predictions outside it are ignored. */
    public static double entropy(List<String> labels, List<String> predicted) {
        if (predicted.isEmpty()) {
            return 0;
        }
        double entropy = 0;
        for (String label : labels) {
            long count = predicted.stream().filter(label::equals).count();
            if (count > 0) {
                double p = (double) count / predicted.size();
                entropy -= p * Math.log(p);
            }
        }
        return entropy;
    }

    /**
     * A copy of {@code labels}, checked as a label set: no null, at least two, none twice.
     *
     * @throws NullPointerException     naming the label that is null
     * @throws IllegalArgumentException if it has fewer than two labels, or one twice
     */
    static List<String> requireLabels(List<String> labels) {
        Objects.requireNonNull(labels, "labels");
        for (int i = 0; i < labels.size(); i++) {
            Objects.requireNonNull(labels.get(i), "label " + i);
        }
        if (labels.size() < 2) {
            throw new IllegalArgumentException("labels must hold at least two labels, was " + labels);
        }
        if (Set.copyOf(labels).size() != labels.size()) {
            throw new IllegalArgumentException("labels must be distinct, was " + labels);
        }
        return List.copyOf(labels);
    }

    private static void requireSameSize(List<String> gold, List<String> predicted) {
        if (gold.isEmpty() || gold.size() != predicted.size()) {
            throw new IllegalArgumentException("need equally long, non-empty lists; got " + gold.size() + " and "
                    + predicted.size());
        }
    }

    /** Builds a {@link ClassificationObjective}; every setting is required. Not thread-safe. */
    public static final class Builder {
        private List<String> labels;
        private List<String> gold;
        private PromptClassifier classifier;

        private Builder() {
        }

        /**
         * The label set.
         *
         * @throws NullPointerException     naming the label that is null
         * @throws IllegalArgumentException if it has fewer than two labels, or one twice (the score's entropy term
         *                                  would count it twice)
         */
        public Builder labels(List<String> labels) {
            this.labels = requireLabels(labels);
            return this;
        }

        /**
         * The gold label of each dev-set input, in the classifier's input order.
         *
         * @throws NullPointerException     naming the input whose gold label is null
         * @throws IllegalArgumentException if empty
         */
        public Builder gold(List<String> gold) {
            Objects.requireNonNull(gold, "gold");
            for (int i = 0; i < gold.size(); i++) {
                Objects.requireNonNull(gold.get(i), "gold label of input " + i);
            }
            if (gold.isEmpty()) {
                throw new IllegalArgumentException("gold is empty: the dev set needs at least one labelled input");
            }
            this.gold = List.copyOf(gold);
            return this;
        }

        /** Labels the dev set under a prompt. */
        public Builder classifier(PromptClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /**
         * The objective.
         *
         * @throws IllegalStateException    if a setting is missing
         * @throws IllegalArgumentException if a gold label is not in the label set
         */
        public ClassificationObjective build() {
            if (labels == null || gold == null || classifier == null) {
                throw new IllegalStateException("labels, gold and classifier are required");
            }
            for (String label : gold) {
                if (!labels.contains(label)) {
                    throw new IllegalArgumentException("gold label '" + label + "' is not in labels " + labels);
                }
            }
            return new ClassificationObjective(this);
        }
    }
}
