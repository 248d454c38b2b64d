package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.internal.AnswerGrouping;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.LogProbs;
import dev.reasoningsdk.impl.internal.Sampling;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Active-Prompt (Diao et al., 2023, "Active Prompting with Chain-of-Thought for Large Language Models"): ranks a
 * pool of unlabelled questions by how uncertain the model is about them, measured over {@code k} sampled answers
 * (default {@value #DEFAULT_SAMPLES}), and returns the most uncertain ones for a person to annotate with rationales
 * as few-shot exemplars. Metrics: disagreement (distinct answers / samples, the default), entropy of the answer
 * distribution, variance of numeric answers, or self-confidence. A sample from which no answer can be extracted
 * counts as one shared "no answer" outcome, and a failed sample is left out (a question none of whose samples
 * succeeded is refused, not ranked: its uncertainty is unknown); answers are read outside a reasoning model's think
 * blocks ({@link ThinkBlocks}) whatever the extractor, so one cut off while thinking has none. Ties keep pool order.
 * Thread-safe when the sampler is.
 *
 * <p>Self-confidence: the paper asks the model how confident it is in a separate call (and finds the answers
 * over-confident); here the model's confidence is what it returns with each sample, its token probabilities:
 * the uncertainty is 1 minus the mean, over the samples, of each sample's geometric-mean token probability
 * ({@code exp} of its mean token log-probability). It needs samples that carry token log-probabilities (a
 * {@code LocalModelSampler}, or a {@code ChatModelSampler} over a model that returns them, e.g. one built by
 * {@code OpenAiChatModels}); samples without them are left out of the mean, and a question none of whose samples
 * carries any is refused with {@link LogProbsUnavailableException}.
 */
public final class ActivePrompt {

    /** Samples per question. */
    public static final int DEFAULT_SAMPLES = 10;
    private final Sampling sampling;
    private final AnswerExtractor extractor;
    private final int samples;
    private final Uncertainty metric;

    private ActivePrompt(Builder builder) {
        this.sampling = new Sampling(builder.sampler, builder.temperature, builder.promptFormat, builder.seed);
        this.extractor = builder.extractor;
        this.samples = builder.samples;
        this.metric = builder.metric;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Samples answers for every question of {@code pool} and returns them ranked, most uncertain first, with the
     * {@code count} to annotate.
     *
     * @throws IllegalArgumentException     if the pool is empty or {@code count} is not in [1, pool size]
     * @throws LogProbsUnavailableException if the metric is self-confidence and a question's samples carry no token
     *                                      log-probabilities; its usage counts the sampling up to that question
     * @throws ReasoningException           if no sample of a question succeeded (every call failed, or the sampler's
     *                                      budget ran out: then a {@code BudgetExhaustedException}), naming the
     *                                      question's index and the first failure; its usage counts the sampling up
     *                                      to and including that question. Retryable unless the budget ran out.
     */
    public Selection select(List<String> pool, int count) {
        Objects.requireNonNull(pool, "pool");
        if (pool.isEmpty() || count < 1 || count > pool.size()) {
            throw new IllegalArgumentException("need 1 <= count <= pool size, got " + count + " of " + pool.size());
        }
        List<Ranked> ranked = new ArrayList<>(pool.size());
        Usage usage = Usage.NONE;
        for (int i = 0; i < pool.size(); i++) {
            String question = Objects.requireNonNull(pool.get(i), "pool question");
            Sampling.Draw draw = sampling.draw(question, samples, (long) i * samples);
            SampleBatch batch = draw.batch();
            usage = usage.plus(batch.usage());
            if (batch.samples().isEmpty()) {
                // Without a single answer the question's uncertainty is unknown, not 0: ranked as the most certain
                // question of the pool, it would silently never be chosen for annotation.
                throw Sampling.noChainSampled(sampling.sampler().name() + " for pool question " + i,
                        draw.failureSummary(), batch.stopReason() == StopReason.BUDGET_EXHAUSTED, usage);
            }
            List<Optional<String>> answers = batch.samples().stream()
                    .map(s -> ThinkBlocks.answerText(s.text()).flatMap(extractor::extract)).toList();
            double uncertainty = metric == Uncertainty.SELF_CONFIDENCE
                    ? selfConfidence(batch, usage) : metric.of(answers, extractor);
            ranked.add(new Ranked(i, question, uncertainty, answers.stream()
                    .map(a -> a.orElse(null)).toList(), batch.failures().size()));
        }
        List<Ranked> order = ranked.stream()
                .sorted(Comparator.comparingDouble(Ranked::uncertainty).reversed()).toList();
        return new Selection(order, order.subList(0, count), metric, usage);
    }

    /** {@code batch}'s self-confidence; a refusal for want of log-probabilities carries {@code spent}. */
    private double selfConfidence(SampleBatch batch, Usage spent) {
        try {
            return Uncertainty.selfConfidence(batch.samples(), sampling.sampler().name());
        } catch (LogProbsUnavailableException refused) {
            throw new LogProbsUnavailableException(refused.model(), refused.missing(), spent);
        }
    }

    /** The uncertainty metrics of Active-Prompt. */
    public enum Uncertainty {
        /** Distinct answers divided by the number of samples. */
        DISAGREEMENT,
        /** Entropy (natural log) of the answer distribution. */
        ENTROPY,
        /** Population variance of the answers that parse as numbers (0 with fewer than two). */
        VARIANCE,
        /**
         * 1 minus the mean geometric-mean token probability of the samples, from the token log-probabilities they
         * carry (see {@link ActivePrompt}); needs the samples, not only their answers.
         */
        SELF_CONFIDENCE;

        /**
         * This metric over the extracted answers of one question's samples (empty = no answer).
         *
         * @throws UnsupportedOperationException for {@link #SELF_CONFIDENCE}, which reads the samples' token
         *                                       log-probabilities ({@link #selfConfidence})
         */
        public double of(List<Optional<String>> answers, AnswerExtractor extractor) {
            if (this == SELF_CONFIDENCE) {
                throw new UnsupportedOperationException("self-confidence reads the samples' token "
                        + "log-probabilities, not their answers: use selfConfidence(samples, source)");
            }
            if (answers.isEmpty()) {
                return 0;
            }
            if (this == VARIANCE) {
                return variance(answers);
            }
            AnswerGrouping grouping = new AnswerGrouping(extractor);
            List<Integer> counts = new ArrayList<>();
            int unanswered = 0;
            for (Optional<String> answer : answers) {
                if (answer.isEmpty()) {
                    unanswered++;
                    continue;
                }
                int group = grouping.join(answer.get()).order();
                if (group == counts.size()) {
                    counts.add(1);
                } else {
                    counts.set(group, counts.get(group) + 1);
                }
            }
            if (unanswered > 0) {
                counts.add(unanswered);
            }
            if (this == DISAGREEMENT) {
                return (double) counts.size() / answers.size();
            }
            double entropy = 0;
            for (int count : counts) {
                double p = (double) count / answers.size();
                entropy -= p * Math.log(p);
            }
            return entropy;
        }

        /**
         * The self-confidence uncertainty of one question's samples: 1 minus the mean over the samples carrying
         * token log-probabilities of {@code exp(mean token log-probability)}; 0 without samples.
         *
         * @param source the sampler, named in the refusal
         * @throws LogProbsUnavailableException if there are samples and none carries token log-probabilities
         */
        public static double selfConfidence(List<SampleBatch.Sample> samples, String source) {
            if (samples.isEmpty()) {
                return 0;
            }
            double sum = 0;
            int scored = 0;
            for (SampleBatch.Sample sample : samples) {
                if (!sample.tokenLogProbs().isEmpty()) {
                    sum += Math.exp(LogProbs.mean(sample.tokenLogProbs()));
                    scored++;
                }
            }
            if (scored == 0) {
                throw new LogProbsUnavailableException(source, "token log-probabilities on its " + samples.size()
                        + " samples, needed by Active-Prompt's self-confidence metric");
            }
            return 1 - sum / scored;
        }

        private static double variance(List<Optional<String>> answers) {
            List<Double> numbers = new ArrayList<>();
            for (Optional<String> answer : answers) {
                answer.ifPresent(text -> {
                    try {
                        numbers.add(Double.parseDouble(text.replace(",", "")));
                    } catch (NumberFormatException e) {
                        // a non-numeric answer carries no variance information
                    }
                });
            }
            if (numbers.size() < 2) {
                return 0;
            }
            double mean = numbers.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            return numbers.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / numbers.size();
        }
    }

    /**
     * One question's uncertainty.
     *
     * @param index       position in the pool
     * @param question    the question
     * @param uncertainty the metric's value
     * @param answers     the extracted answers, null where none could be read
     * @param failed      samples that failed
     */
    public record Ranked(int index, String question, double uncertainty, List<String> answers, int failed) {
        /** @throws NullPointerException if question or answers is null */
        public Ranked {
            Objects.requireNonNull(question, "question");
            answers = java.util.Collections.unmodifiableList(new ArrayList<>(answers));
        }
    }

    /**
     * The ranking and the questions to annotate.
     *
     * @param ranking  every pool question, most uncertain first
     * @param selected the first {@code count} of the ranking
     * @param metric   the metric used
     * @param usage    all sampling
     */
    public record Selection(List<Ranked> ranking, List<Ranked> selected, Uncertainty metric, Usage usage) {
        /** @throws NullPointerException if an argument is null */
        public Selection {
            ranking = List.copyOf(ranking);
            selected = List.copyOf(selected);
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /** Builds {@link ActivePrompt}. */
    public static final class Builder {
        private ChainSampler sampler;
        private double temperature;
        private AnswerExtractor extractor;
        private int samples = DEFAULT_SAMPLES;
        private Uncertainty metric = Uncertainty.DISAGREEMENT;
        private UnaryOperator<String> promptFormat = question -> "Q: " + question
                + "\nA: Let's think step by step.";
        private long seed;

        private Builder() {
        }

        /**
         * Where samples come from (required), and the temperature that sampler was configured to sample at
         * (disagreement means little at temperature 0).
         *
         * @throws IllegalArgumentException if the temperature is negative, NaN or infinite
         */
        public Builder sampler(ChainSampler sampler, double temperature) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /** Reads the answer of each sample (required). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /** Samples per question, at least 2 (default {@value #DEFAULT_SAMPLES}). */
        public Builder samples(int samples) {
            if (samples < 2) {
                throw new IllegalArgumentException("samples must be >= 2, was " + samples);
            }
            this.samples = samples;
            return this;
        }

        /** The uncertainty metric (default disagreement). */
        public Builder metric(Uncertainty metric) {
            this.metric = Objects.requireNonNull(metric, "metric");
            return this;
        }

        /** Turns a question into the sampled prompt (default zero-shot CoT: "Q: ...\nA: Let's think step by step."). */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /** The first sample seed (default 0); question {@code i} starts at {@code seed + i * samples}. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The selector.
         *
         * @throws IllegalStateException if sampler or extractor is missing
         */
        public ActivePrompt build() {
            if (sampler == null || extractor == null) {
                throw new IllegalStateException("sampler and extractor are required");
            }
            return new ActivePrompt(this);
        }
    }
}
