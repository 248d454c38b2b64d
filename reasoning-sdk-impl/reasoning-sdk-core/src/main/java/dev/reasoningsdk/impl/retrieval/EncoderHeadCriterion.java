package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A UAR criterion as a {@link LinearHead} over the request's sentence embedding (UAR trains such light classifiers
 * on one shared representation; Cheng et al., 2024), optionally backed by {@link RuleCriterion rules}: when a rule
 * matches, its probability and the head's are {@link Combination combined} (default {@link Combination#NOISY_OR}).
 *
 * <p>The head must have been trained on this encoder's embeddings: {@link Builder#build()} refuses a head whose
 * {@link LinearHead#featureModelId()} is not the encoder's {@link SentenceEncoder#modelId()}. The shipped heads are
 * {@link #defaultIntent}, {@link #defaultKnowledge} and {@link #defaultTime}; their data and held-out figures are in
 * their {@link LinearHead#provenance()}. Immutable and thread-safe.
 */
public final class EncoderHeadCriterion implements EmbeddingCriterion {

    /** Class-path folder of the shipped heads. */
    static final String RESOURCE_DIR = "/dev/reasoningsdk/impl/retrieval/";

    private final SentenceEncoder encoder;
    private final LinearHead head;
    private final RuleCriterion rules;
    private final Combination combination;

    private EncoderHeadCriterion(Builder builder) {
        this.encoder = builder.encoder;
        this.head = builder.head;
        this.rules = builder.rules;
        this.combination = builder.combination;
    }

    /** A builder; an encoder and a head are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A head over {@code encoder}'s embeddings, without rules. */
    public static EncoderHeadCriterion of(SentenceEncoder encoder, LinearHead head) {
        return builder().encoder(encoder).head(head).build();
    }

    /**
     * The shipped intent head (MetaTool tool-awareness, {@code needs_tool}) backed by {@link RuleCriterion#intent()}.
     *
     * @throws IllegalArgumentException if {@code encoder} is not the one the head was trained on
     */
    public static EncoderHeadCriterion defaultIntent(SentenceEncoder encoder) {
        return builder().encoder(encoder).head(shippedHead(CriterionKind.INTENT)).rules(RuleCriterion.intent())
                .build();
    }

    /**
     * The shipped knowledge head (NQ-open questions vs self-contained MT-bench and BIG-Bench Hard tasks), overruled
     * by {@link RuleCriterion#selfContainedTask()} when a request plainly transforms its own input.
     *
     * @throws IllegalArgumentException if {@code encoder} is not the one the head was trained on
     */
    public static EncoderHeadCriterion defaultKnowledge(SentenceEncoder encoder) {
        return builder().encoder(encoder).head(shippedHead(CriterionKind.KNOWLEDGE))
                .rules(RuleCriterion.selfContainedTask()).combination(Combination.RULE_FIRST).build();
    }

    /**
     * The shipped time head (FreshQA fast/slow-changing vs never-changing) on the embedding, the mean-pooled states
     * of the encoder's layer 4 and one indicator per word uni/bigram found in at least two training rows (765 of
     * them). Chosen by five repeats of 5-fold cross-validation on FreshQA's training rows alone (accuracy 0.767,
     * against 0.747 without the layer, 0.756-0.765 with layers 1, 2, 3 or 5); held out: 0.800 accuracy, AUROC
     * 0.925. No rules: {@link RuleCriterion#time()} lowered the accuracy there (never-changing questions say
     * "current", "latest" and recent years too), so it is left for callers to add.
     *
     * @throws IllegalArgumentException if {@code encoder} is not the one the head was trained on, or cannot pool
     *                                  layer 4
     */
    public static EncoderHeadCriterion defaultTime(SentenceEncoder encoder) {
        return of(encoder, shippedHead(CriterionKind.TIME));
    }

    /** The shipped head of a kind (intent, knowledge or time), as trained by {@code reasoning judge train}. */
    public static LinearHead shippedHead(CriterionKind kind) {
        if (kind == CriterionKind.SELF_KNOWLEDGE) {
            throw new IllegalArgumentException("self-knowledge is not an encoder head; see HiddenStateSelfKnowledge");
        }
        return LinearHead.fromResource(RESOURCE_DIR + kind.name().toLowerCase(Locale.ROOT) + "-head.json");
    }

    @Override
    public CriterionKind kind() {
        return head.kind();
    }

    @Override
    public SentenceEncoder encoder() {
        return encoder;
    }

    /** The head. */
    public LinearHead head() {
        return head;
    }

    /** Names the kind, the encoder and whether rules back the head. */
    @Override
    public String toString() {
        return "EncoderHeadCriterion[" + head.kind() + " head on " + encoder.modelId()
                + (rules == null ? "" : ", " + combination.name().toLowerCase(Locale.ROOT) + " with rules") + "]";
    }

    /** The layers the head reads besides the embedding. */
    @Override
    public Set<Integer> pooledLayers() {
        return Set.copyOf(head.pooledLayers());
    }

    @Override
    public CriterionResult evaluate(String query, EncodedSentence encoded) {
        Objects.requireNonNull(query, "query");
        long start = System.nanoTime();
        double headProbability = head.probability(head.features(encoded, query));
        double probability = headProbability;
        String evidence = String.format(Locale.ROOT, "head %.3f", headProbability);
        Optional<RuleCriterion.Match> match = rules == null ? Optional.empty() : rules.match(query);
        if (match.isPresent()) {
            probability = combination.combine(rules.matchProbability(), headProbability);
            evidence = String.format(Locale.ROOT, "%s; %s %.2f -> %s %.3f", evidence, match.get().describe(),
                    rules.matchProbability(), combination.name().toLowerCase(Locale.ROOT), probability);
        }
        return new CriterionResult(head.kind(), probability, evidence,
                Usage.ofWallTime(Duration.ofNanos(System.nanoTime() - start)));
    }

    /** Builds an {@link EncoderHeadCriterion}. */
    public static final class Builder {
        private SentenceEncoder encoder;
        private LinearHead head;
        private RuleCriterion rules;
        private Combination combination = Combination.NOISY_OR;

        private Builder() {
        }

        /** The encoder whose embeddings the head reads (required). */
        public Builder encoder(SentenceEncoder encoder) {
            this.encoder = Objects.requireNonNull(encoder, "encoder");
            return this;
        }

        /** The head (required). */
        public Builder head(LinearHead head) {
            this.head = Objects.requireNonNull(head, "head");
            return this;
        }

        /** Rules that back the head; their kind must be the head's. None by default. */
        public Builder rules(RuleCriterion rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /** How a matched rule and the head combine. Default {@link Combination#NOISY_OR}. */
        public Builder combination(Combination combination) {
            this.combination = Objects.requireNonNull(combination, "combination");
            return this;
        }

        /**
         * The criterion.
         *
         * @throws IllegalStateException    if the encoder or head is missing, or the rules are of another kind
         * @throws IllegalArgumentException if the head was trained on another encoder or dimension
         */
        public EncoderHeadCriterion build() {
            if (encoder == null || head == null) {
                throw new IllegalStateException("an encoder and a head are required");
            }
            if (rules != null && rules.kind() != head.kind()) {
                throw new IllegalStateException("rules evaluate " + rules.kind() + " but the head " + head.kind());
            }
            head.requireFeatures(encoder.modelId(), encoder.dimension(), encoder.poolableLayers());
            return new EncoderHeadCriterion(this);
        }
    }
}
