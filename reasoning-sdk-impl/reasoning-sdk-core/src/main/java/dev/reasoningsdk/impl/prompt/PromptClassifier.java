package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.Usage;
import java.util.List;
import java.util.Objects;

/**
 * Labels a fixed dev set under a candidate prompt: the model side of a {@link ClassificationObjective}. Implementations
 * are thread-safe (candidates are scored in parallel).
 */
@FunctionalInterface
public interface PromptClassifier {

    /** One predicted label per dev input, in order (null where no label could be read), and the cost. */
    Predictions classify(String prompt);

    /**
     * Predicted labels and their cost.
     *
     * @param labels one per input; an element may be null (no label)
     * @param usage  the model calls made
     */
    record Predictions(List<String> labels, Usage usage) {
        /** @throws NullPointerException if an argument is null */
        public Predictions {
            labels = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(labels));
            Objects.requireNonNull(usage, "usage");
        }
    }
}
