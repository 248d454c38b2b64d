package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.retrieval.Criterion;
import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.retrieval.CriterionResult;
import dev.reasoningsdk.api.retrieval.RetrievalDecision;
import dev.reasoningsdk.api.retrieval.RetrievalJudge;
import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;

/**
 * Unified Active Retrieval (Cheng et al., 2024, "Unified Active Retrieval for Retrieval Augmented Generation",
 * arXiv:2406.12534): decides per request whether to retrieve from four criteria checked in UAR's fixed order:
 * <ol>
 *   <li>intent: the user asks for retrieval, search or live information: retrieve;</li>
 *   <li>otherwise, not knowledge-intensive (a self-contained task): do not retrieve;</li>
 *   <li>otherwise, time-sensitive: retrieve;</li>
 *   <li>otherwise, the answering model knows the answer: do not retrieve; it does not: retrieve.</li>
 * </ol>
 * A criterion holds when its probability is at least its threshold (default 0.5 each). A criterion left out is
 * skipped; with no self-knowledge criterion a request that reaches the end is retrieved for, with no deciding
 * criterion. The decision names the criterion that settled it and carries every evaluated criterion's verdict.
 * A verdict with no usable model call (its {@link CriterionResult#usage() usage} counts as many failed calls as
 * calls, or, for a criterion that {@link Criterion#judgesByModelCalls() judges by model calls}, no call because a
 * budget refused them: an LLM criterion's fallback, a sampling criterion with no usable sample) is reported but
 * settles nothing:
 * the decision passes to the next criterion, and a request that reaches the end that way is retrieved for, with no
 * deciding criterion.
 *
 * <p>Criteria that read a sentence embedding ({@link EmbeddingCriterion}) share one encoder pass: each request is
 * embedded once per distinct encoder, and {@link #judgeAll(List)} embeds the whole batch in one call. By default
 * every criterion is evaluated so the decision reports all four probabilities; {@link Builder#shortCircuit(boolean)}
 * skips criteria after the decision is made, which matters when a criterion calls an LLM. With
 * {@link Builder#parallelCriteria(Executor)} the encoder pass and the criteria that do not read the shared embedding
 * (a local model's hidden-state head, an LLM-prompted criterion) run side by side, the last of those criteria on the
 * caller's thread and the rest on the executor, so a request costs about the slowest of them rather than their sum.
 *
 * <p>Immutable and thread-safe when its criteria are.
 */
public final class UnifiedActiveRetrieval implements RetrievalJudge {

    /** The default threshold of every criterion. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    private final Map<CriterionKind, Criterion> criteria;
    private final Map<CriterionKind, Double> thresholds;
    private final boolean shortCircuit;
    private final Executor parallelCriteria;
    /** By encoder (identity), the layers its criteria read, so one pass pools them all. */
    private final Map<SentenceEncoder, Set<Integer>> pooledLayers;

    private UnifiedActiveRetrieval(Builder builder) {
        this.criteria = Collections.unmodifiableMap(new EnumMap<>(builder.criteria));
        EnumMap<CriterionKind, Double> allThresholds = new EnumMap<>(CriterionKind.class);
        for (CriterionKind kind : CriterionKind.values()) {
            allThresholds.put(kind, builder.thresholds.getOrDefault(kind, DEFAULT_THRESHOLD));
        }
        this.thresholds = Collections.unmodifiableMap(allThresholds);
        this.shortCircuit = builder.shortCircuit;
        this.parallelCriteria = builder.parallelCriteria;
        Map<SentenceEncoder, Set<Integer>> layers = new IdentityHashMap<>();
        for (Criterion criterion : criteria.values()) {
            if (criterion instanceof EmbeddingCriterion embedding) {
                layers.computeIfAbsent(embedding.encoder(), e -> new TreeSet<>()).addAll(embedding.pooledLayers());
            }
        }
        this.pooledLayers = layers;
    }

    /** One pass of {@code encoder} over the batch, pooling every layer its criteria read. */
    private List<EncodedSentence> encode(SentenceEncoder encoder, List<String> queries) {
        return encoder.encodeAll(queries, pooledLayers.get(encoder));
    }

    /** A builder; at least one criterion is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The shipped intent, knowledge and time heads over {@code encoder} (see {@link EncoderHeadCriterion}) and the
     * given self-knowledge criterion, all thresholds 0.5.
     *
     * @throws IllegalArgumentException if {@code encoder} is not the encoder the shipped heads were trained on
     */
    public static UnifiedActiveRetrieval withDefaultHeads(SentenceEncoder encoder, Criterion selfKnowledge) {
        return builder()
                .criterion(EncoderHeadCriterion.defaultIntent(encoder))
                .criterion(EncoderHeadCriterion.defaultKnowledge(encoder))
                .criterion(EncoderHeadCriterion.defaultTime(encoder))
                .criterion(selfKnowledge)
                .build();
    }

    /** The criteria, by kind. */
    public Map<CriterionKind, Criterion> criteria() {
        return criteria;
    }

    /** The threshold of a criterion. */
    public double threshold(CriterionKind kind) {
        return thresholds.get(kind);
    }

    @Override
    public RetrievalDecision judge(String query) {
        return judgeAll(List.of(query)).get(0);
    }

    /**
     * Judges a batch: one encoder pass per distinct encoder for the whole batch, and each other criterion's
     * {@link Criterion#evaluateAll(List)} once. Each decision's wall time is the batch's elapsed time divided by
     * the batch size; model calls and tokens are each request's own.
     *
     * @throws IllegalArgumentException if a query is null
     */
    @Override
    public List<RetrievalDecision> judgeAll(List<String> queries) {
        for (int i = 0; i < queries.size(); i++) {
            if (queries.get(i) == null) {
                throw new IllegalArgumentException("query " + i + " is null");
            }
        }
        long start = System.nanoTime();
        int n = queries.size();
        List<Map<CriterionKind, CriterionResult>> verdicts = new ArrayList<>(n);
        Verdict[] decided = new Verdict[n];
        for (int i = 0; i < n; i++) {
            verdicts.add(new EnumMap<>(CriterionKind.class));
        }
        Map<SentenceEncoder, List<EncodedSentence>> embeddings = new IdentityHashMap<>();
        Map<CriterionKind, CompletableFuture<List<CriterionResult>>> started = runInParallel(queries, embeddings);
        for (CriterionKind kind : CriterionKind.values()) {
            Criterion criterion = criteria.get(kind);
            if (criterion == null) {
                continue;
            }
            List<Integer> open = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!shortCircuit || decided[i] == null) {
                    open.add(i);
                }
            }
            if (open.isEmpty()) {
                continue;
            }
            CompletableFuture<List<CriterionResult>> running = started.get(kind);
            List<CriterionResult> results = running != null ? join(running)
                    : evaluate(criterion, queries, open, embeddings);
            for (int k = 0; k < open.size(); k++) {
                int i = open.get(k);
                CriterionResult result = results.get(k);
                verdicts.get(i).put(kind, result);
                if (decided[i] == null && !noUsableCall(criterion, result)) {
                    decided[i] = step(kind, result.probability() >= thresholds.get(kind));
                }
            }
        }
        Duration each = n == 0 ? Duration.ZERO : Duration.ofNanos((System.nanoTime() - start) / n);
        List<RetrievalDecision> decisions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Verdict verdict = decided[i] == null ? new Verdict(true, Optional.empty()) : decided[i];
            Usage usage = Usage.NONE;
            for (CriterionResult result : verdicts.get(i).values()) {
                usage = usage.plus(result.usage());
            }
            decisions.add(new RetrievalDecision(verdict.retrieve(), verdict.decidedBy(), verdicts.get(i),
                    usage.withWallTime(each)));
        }
        return decisions;
    }

    /**
     * With a parallel executor (and no short-circuit, since then which queries reach a criterion depends on the
     * verdicts before it), evaluates every criterion that does not read the shared embedding and fills
     * {@code embeddings}: the encoder passes and all but the last such criterion run on the executor, the last on the
     * caller's thread. The caller takes a model's pass rather than the encoder's because waking an idle executor
     * thread took about 1.3 ms on average on the 2-core VM, so the longer task should not wait for it, and the caller
     * then rarely has to park and be woken for the rest.
     *
     * @return the non-embedding criteria's results by kind, done or running; empty when nothing runs in parallel
     */
    private Map<CriterionKind, CompletableFuture<List<CriterionResult>>> runInParallel(
            List<String> queries, Map<SentenceEncoder, List<EncodedSentence>> embeddings) {
        Map<CriterionKind, CompletableFuture<List<CriterionResult>>> started = new EnumMap<>(CriterionKind.class);
        List<Criterion> others = criteria.values().stream().filter(c -> !(c instanceof EmbeddingCriterion)).toList();
        if (parallelCriteria == null || shortCircuit || others.isEmpty()) {
            return started;
        }
        Set<SentenceEncoder> encoders = Collections.newSetFromMap(new IdentityHashMap<>());
        criteria.values().stream().filter(EmbeddingCriterion.class::isInstance)
                .forEach(criterion -> encoders.add(((EmbeddingCriterion) criterion).encoder()));
        Map<SentenceEncoder, CompletableFuture<List<EncodedSentence>>> encoding = new IdentityHashMap<>();
        for (SentenceEncoder encoder : encoders) {
            encoding.put(encoder, CompletableFuture.supplyAsync(() -> encode(encoder, queries), parallelCriteria));
        }
        List<Integer> all = IntStream.range(0, queries.size()).boxed().toList();
        for (Criterion criterion : others.subList(0, others.size() - 1)) {
            started.put(criterion.kind(), CompletableFuture.supplyAsync(
                    () -> evaluate(criterion, queries, all, Map.of()), parallelCriteria));
        }
        Criterion last = others.get(others.size() - 1);
        started.put(last.kind(), CompletableFuture.completedFuture(evaluate(last, queries, all, Map.of())));
        encoding.forEach((encoder, vectors) -> embeddings.put(encoder, join(vectors)));
        return started;
    }

    private static <T> T join(CompletableFuture<T> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private List<CriterionResult> evaluate(Criterion criterion, List<String> queries, List<Integer> open,
                                                  Map<SentenceEncoder, List<EncodedSentence>> embeddings) {
        List<CriterionResult> results;
        if (criterion instanceof EmbeddingCriterion embedding) {
            List<EncodedSentence> vectors = embeddings.computeIfAbsent(embedding.encoder(), e -> encode(e, queries));
            results = new ArrayList<>(open.size());
            for (int i : open) {
                results.add(embedding.evaluate(queries.get(i), vectors.get(i)));
            }
        } else {
            results = criterion.evaluateAll(open.stream().map(queries::get).toList());
        }
        if (results.size() != open.size()) {
            throw new IllegalStateException(criterion.kind() + " criterion returned " + results.size()
                    + " results for " + open.size() + " queries");
        }
        return results;
    }

    /**
     * Whether a verdict is a fallback rather than a judgement: no model call gave anything usable and no reply came
     * from a cache, either because every call failed or, for a criterion that {@link Criterion#judgesByModelCalls()
     * judges by model calls}, because none was sent (a call budget refused them). Its probability is then a fallback
     * value or a share of zero usable samples, so it must not settle the decision nor be reported as having
     * settled it.
     */
    private static boolean noUsableCall(Criterion criterion, CriterionResult result) {
        Usage usage = result.usage();
        return usage.failedCalls() >= usage.modelCalls() && usage.cacheHits() == 0
                && (usage.modelCalls() > 0 || criterion.judgesByModelCalls());
    }

    /** UAR's step for one criterion: the verdict it settles, or null when the decision passes to the next. */
    private static Verdict step(CriterionKind kind, boolean holds) {
        return switch (kind) {
            case INTENT -> holds ? new Verdict(true, Optional.of(kind)) : null;
            case KNOWLEDGE -> holds ? null : new Verdict(false, Optional.of(kind));
            case TIME -> holds ? new Verdict(true, Optional.of(kind)) : null;
            case SELF_KNOWLEDGE -> new Verdict(!holds, Optional.of(kind));
        };
    }

    private record Verdict(boolean retrieve, Optional<CriterionKind> decidedBy) {
    }

    /** Builds an {@link UnifiedActiveRetrieval}. */
    public static final class Builder {
        private final Map<CriterionKind, Criterion> criteria = new EnumMap<>(CriterionKind.class);
        private final Map<CriterionKind, Double> thresholds = new EnumMap<>(CriterionKind.class);
        private boolean shortCircuit;
        private Executor parallelCriteria;

        private Builder() {
        }

        /**
         * Sets the criterion of its {@link Criterion#kind() kind}.
         *
         * @throws IllegalStateException if a criterion of that kind was already set
         */
        public Builder criterion(Criterion criterion) {
            Objects.requireNonNull(criterion, "criterion");
            CriterionKind kind = Objects.requireNonNull(criterion.kind(), "criterion.kind()");
            if (criteria.containsKey(kind)) {
                throw new IllegalStateException("a " + kind + " criterion is already set");
            }
            criteria.put(kind, criterion);
            return this;
        }

        /**
         * The probability at or above which a criterion holds. Default 0.5 for each.
         *
         * @throws IllegalArgumentException if the threshold is outside [0, 1] or NaN
         */
        public Builder threshold(CriterionKind kind, double threshold) {
            Objects.requireNonNull(kind, "kind");
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException(kind + " threshold must be in [0, 1], was " + threshold);
            }
            thresholds.put(kind, threshold);
            return this;
        }

        /** Whether to skip criteria once the decision is made (their verdicts are then absent). Default false. */
        public Builder shortCircuit(boolean shortCircuit) {
            this.shortCircuit = shortCircuit;
            return this;
        }

        /**
         * Runs the encoder pass and the criteria that do not read the shared embedding side by side: the encoder
         * pass and all but the last of those criteria on {@code executor}, the last on the caller's thread. Ignored
         * with {@link #shortCircuit(boolean) short-circuit} on. Default: none, everything on the caller's thread.
         */
        public Builder parallelCriteria(Executor executor) {
            this.parallelCriteria = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The judge.
         *
         * @throws IllegalStateException if no criterion was set
         */
        public UnifiedActiveRetrieval build() {
            if (criteria.isEmpty()) {
                throw new IllegalStateException("at least one criterion is required");
            }
            return new UnifiedActiveRetrieval(this);
        }
    }
}
