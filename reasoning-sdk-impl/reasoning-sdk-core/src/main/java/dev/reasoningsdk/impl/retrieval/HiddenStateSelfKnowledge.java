package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * UAR's self-knowledge criterion on a local model (Cheng et al., 2024): a {@link LinearHead} on the answering
 * model's own final-layer hidden state at the last token of the prompt, trained by {@code SelfKnowledgeTrainer} from
 * whether the model's own sampled answers were right. It costs one forward pass over the prompt, no generation.
 *
 * <p>The head must have been trained on this model's hidden states ({@link LinearHead#featureModelId()} equal to
 * {@link CausalLanguageModel#modelId()}); {@link Builder#build()} refuses another. A request the model cannot read
 * (characters outside its vocabulary, longer than its context) gets probability 0, "does not know", with its pass
 * counted as a failed call, so {@link UnifiedActiveRetrieval} lets it settle nothing and retrieves for it by
 * default. {@link #tinyReasoner(CausalLanguageModel)} is the shipped worked example. Defaults: prompt format
 * {@code "Q: <request>\nA:"} (the tiny reasoner's). Thread-safe when the model is.
 */
public final class HiddenStateSelfKnowledge implements Criterion {

    /** The tiny reasoner's prompt format. */
    public static final UnaryOperator<String> QUESTION_ANSWER_FORMAT = query -> "Q: " + query + "\nA:";

    private final CausalLanguageModel model;
    private final LinearHead head;
    private final UnaryOperator<String> promptFormat;

    private HiddenStateSelfKnowledge(Builder builder) {
        this.model = builder.model;
        this.head = builder.head;
        this.promptFormat = builder.promptFormat;
    }

    /** A builder; a model and a head are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The shipped head for the embedded tiny reasoner, trained on its own answers to its held-out eval problems.
     *
     * @throws IllegalArgumentException if {@code model} is not the embedded tiny reasoner
     */
    public static HiddenStateSelfKnowledge tinyReasoner(CausalLanguageModel model) {
        return builder().model(model).head(shippedHead()).build();
    }

    /** The shipped tiny-reasoner self-knowledge head. */
    public static LinearHead shippedHead() {
        return LinearHead.fromResource(EncoderHeadCriterion.RESOURCE_DIR + "self_knowledge-head.json");
    }

    @Override
    public CriterionKind kind() {
        return CriterionKind.SELF_KNOWLEDGE;
    }

    /** The head. */
    public LinearHead head() {
        return head;
    }

    @Override
    public CriterionResult evaluate(String query) {
        return evaluateAll(List.of(query)).get(0);
    }

    /** One batched forward pass for all queries; if the model refuses one, each is run alone. */
    @Override
    public List<CriterionResult> evaluateAll(List<String> queries) {
        long start = System.nanoTime();
        List<String> prompts = queries.stream().map(query -> promptFormat.apply(Objects.requireNonNull(query, "query")))
                .toList();
        List<float[]> states;
        try {
            states = model.promptHiddenStates(prompts);
        } catch (IllegalArgumentException unreadable) {
            return evaluateEach(prompts);
        }
        Duration each = Duration.ofNanos((System.nanoTime() - start) / Math.max(1, queries.size()));
        List<CriterionResult> results = new ArrayList<>(queries.size());
        for (float[] state : states) {
            results.add(result(head.probability(state), each));
        }
        return results;
    }

    private List<CriterionResult> evaluateEach(List<String> prompts) {
        List<CriterionResult> results = new ArrayList<>(prompts.size());
        for (String prompt : prompts) {
            long start = System.nanoTime();
            try {
                float[] state = model.promptHiddenState(prompt);
                results.add(result(head.probability(state), Duration.ofNanos(System.nanoTime() - start)));
            } catch (IllegalArgumentException unreadable) {
                results.add(new CriterionResult(kind(), 0, "the model cannot read the request ("
                        + unreadable.getMessage() + "): does not know",
                        new Usage(0, 1, 1, 0, 0, Duration.ofNanos(System.nanoTime() - start))));
            }
        }
        return results;
    }

    private CriterionResult result(double probability, Duration wall) {
        return new CriterionResult(kind(), probability,
                String.format(Locale.ROOT, "hidden-state head of %s %.3f", model.modelId(), probability),
                new Usage(0, 1, 0, 0, 0, wall));
    }

    /** Builds a {@link HiddenStateSelfKnowledge}. */
    public static final class Builder {
        private CausalLanguageModel model;
        private LinearHead head;
        private UnaryOperator<String> promptFormat = QUESTION_ANSWER_FORMAT;

        private Builder() {
        }

        /** The answering model (required). */
        public Builder model(CausalLanguageModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The head trained on this model's hidden states (required). */
        public Builder head(LinearHead head) {
            this.head = Objects.requireNonNull(head, "head");
            return this;
        }

        /**
         * Turns a request into the prompt the model answers, as in training. Default
         * {@link #QUESTION_ANSWER_FORMAT}.
         */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /**
         * The criterion.
         *
         * @throws IllegalStateException    if the model or head is missing, or the head is not a self-knowledge head
         * @throws IllegalArgumentException if the head was trained on another model
         */
        public HiddenStateSelfKnowledge build() {
            if (model == null || head == null) {
                throw new IllegalStateException("a model and a head are required");
            }
            if (head.kind() != CriterionKind.SELF_KNOWLEDGE) {
                throw new IllegalStateException("the head evaluates " + head.kind() + ", not SELF_KNOWLEDGE");
            }
            if (!head.featureModelId().equals(model.modelId())) {
                throw new IllegalArgumentException("the self-knowledge head was trained on hidden states of '"
                        + head.featureModelId() + "' but the model is '" + model.modelId() + "'");
            }
            return new HiddenStateSelfKnowledge(this);
        }
    }
}
