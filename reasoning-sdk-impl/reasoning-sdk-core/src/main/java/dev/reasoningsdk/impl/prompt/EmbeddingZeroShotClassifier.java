package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Zero-shot classification with a sentence encoder: an input gets the label whose description embedding is most
 * cosine-similar to the input's embedding. The "prompt" is the label descriptions, one line per label in label
 * order, so a prompt optimiser improves the classifier by editing description text (its edits never add or remove a
 * line).
 *
 * <p>Inputs are embedded once ({@link #over(List)}); each candidate prompt then costs only the encoding of its
 * descriptions, and descriptions already seen come from a cache (up to {@value #CACHE_LIMIT} entries). Thread-safe
 * when the encoder is.
 */
public final class EmbeddingZeroShotClassifier {

    private static final int CACHE_LIMIT = 20_000;
    private static final int BATCH = 64;
    private final SentenceEncoder encoder;
    private final List<String> labels;
    private final Map<String, float[]> descriptionCache = new ConcurrentHashMap<>();

    private EmbeddingZeroShotClassifier(SentenceEncoder encoder, List<String> labels) {
        this.encoder = encoder;
        this.labels = labels;
    }

    /**
     * A classifier for {@code labels} on {@code encoder}.
     *
     * @throws IllegalArgumentException if fewer than two labels or a duplicate label is given
     */
    public static EmbeddingZeroShotClassifier of(SentenceEncoder encoder, List<String> labels) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(labels, "labels");
        if (labels.size() < 2 || labels.stream().distinct().count() != labels.size()) {
            throw new IllegalArgumentException("need at least two distinct labels, got " + labels);
        }
        return new EmbeddingZeroShotClassifier(encoder, List.copyOf(labels));
    }

    /** The labels, in prompt-line order. */
    public List<String> labels() {
        return labels;
    }

    /**
     * The prompt for {@code descriptions} (label to description): one line per label, in label order.
     *
     * @throws IllegalArgumentException if a label has no description or a description spans lines
     */
    public String prompt(Map<String, String> descriptions) {
        List<String> lines = new ArrayList<>(labels.size());
        for (String label : labels) {
            String description = descriptions.get(label);
            if (description == null || !EditUnits.containsLetter(description) || description.contains("\n")) {
                throw new IllegalArgumentException("label '" + label + "' needs a one-line description, got '"
                        + description + "'");
            }
            lines.add(description.strip());
        }
        return String.join("\n", lines);
    }

    /**
     * The description of each label in {@code prompt}.
     *
     * @throws IllegalArgumentException if the prompt does not have one line with a letter per label
     */
    public List<String> descriptions(String prompt) {
        List<String> lines = prompt.lines().toList();
        if (lines.size() != labels.size() || !lines.stream().allMatch(EditUnits::containsLetter)) {
            throw new IllegalArgumentException("the prompt must have one description line per label " + labels
                    + ", got " + lines.size() + " lines");
        }
        return lines;
    }

    /** Embeds {@code inputs} (in batches) for repeated classification. */
    public List<float[]> embed(List<String> inputs) {
        List<float[]> embeddings = new ArrayList<>(inputs.size());
        for (int from = 0; from < inputs.size(); from += BATCH) {
            embeddings.addAll(encoder.embedAll(inputs.subList(from, Math.min(inputs.size(), from + BATCH))));
        }
        return embeddings;
    }

    /** The label of each embedded input under {@code prompt}. */
    public List<String> classify(String prompt, List<float[]> inputEmbeddings) {
        List<float[]> centroids = descriptionEmbeddings(descriptions(prompt));
        List<String> predicted = new ArrayList<>(inputEmbeddings.size());
        for (float[] input : inputEmbeddings) {
            int bestLabel = 0;
            double bestSimilarity = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < centroids.size(); k++) {
                double similarity = SentenceEncoder.cosine(input, centroids.get(k));
                if (similarity > bestSimilarity) {
                    bestSimilarity = similarity;
                    bestLabel = k;
                }
            }
            predicted.add(labels.get(bestLabel));
        }
        return predicted;
    }

    /** A {@link PromptClassifier} over {@code inputs}, embedded now, once. */
    public PromptClassifier over(List<String> inputs) {
        return overEmbeddings(embed(inputs));
    }

    /**
     * Plum's {@link ClassificationObjective} for this classifier on a dev set: {@code inputs} (embedded now, once)
     * with their {@code gold} labels.
     *
     * @throws IllegalArgumentException if the lists differ in length or a gold label is not one of {@link #labels()}
     */
    public ClassificationObjective objective(List<String> inputs, List<String> gold) {
        if (inputs.size() != gold.size()) {
            throw new IllegalArgumentException(inputs.size() + " inputs but " + gold.size() + " gold labels");
        }
        return ClassificationObjective.builder().labels(labels).gold(gold).classifier(over(inputs)).build();
    }

    /** A {@link PromptClassifier} over inputs embedded beforehand. */
    public PromptClassifier overEmbeddings(List<float[]> inputEmbeddings) {
        List<float[]> embeddings = List.copyOf(inputEmbeddings);
        return prompt -> {
            long start = System.nanoTime();
            List<String> predicted = classify(prompt, embeddings);
            return new PromptClassifier.Predictions(predicted,
                    Usage.ofWallTime(Duration.ofNanos(System.nanoTime() - start)));
        };
    }

    private List<float[]> descriptionEmbeddings(List<String> descriptions) {
        List<String> missing = descriptions.stream().filter(d -> !descriptionCache.containsKey(d)).distinct().toList();
        if (!missing.isEmpty()) {
            if (descriptionCache.size() > CACHE_LIMIT) {
                descriptionCache.clear();
            }
            List<float[]> embedded = encoder.embedAll(missing);
            for (int i = 0; i < missing.size(); i++) {
                descriptionCache.put(missing.get(i), embedded.get(i));
            }
        }
        List<float[]> result = new ArrayList<>(descriptions.size());
        for (String description : descriptions) {
            float[] embedding = descriptionCache.get(description);
            result.add(embedding != null ? embedding : encoder.embed(description));
        }
        return result;
    }
}
