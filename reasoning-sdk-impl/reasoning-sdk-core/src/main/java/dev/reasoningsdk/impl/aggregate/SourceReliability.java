package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.AnswerGrouping;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-source reliability learned without labels, as a {@link ChainWeight} for {@link WeightedVote}: sources that
 * agree with the consensus more often earn more weight.
 *
 * <p>The model is the one-coin Dawid-Skene model (Dawid and Skene, 1979, "Maximum Likelihood Estimation of Observer
 * Error-Rates Using the EM Algorithm"): source {@code s} gives the true answer with probability {@code p_s}, and
 * otherwise one of {@code K - 1} wrong answers uniformly. EM alternates between the posterior of each question's
 * answer (over the answers its chains gave, uniform prior) and {@code p_s} as the expected share of correct
 * answers, smoothed with Beta({@code priorCorrect}, {@code priorWrong}) pseudo-counts. It starts from each source's
 * agreement with the per-question majority vote, which is the usual initialisation.
 *
 * <p>Weights are the log-odds {@code w_s = log(p_s (K - 1) / (1 - p_s))}: under the model, the answer with the
 * largest weight sum is the maximum a-posteriori answer. A source no better than chance ({@code p_s <= 1/K}) gets
 * weight 0, since vote weights are non-negative. A source not seen while fitting weighs as a source of the mean
 * fitted accuracy.
 *
 * <p>Defaults: {@code K} = 5 alternatives (open numeric answers have many wrong values, but a handful of chains
 * rarely show more than four of them), at most 100 EM iterations, stop when no accuracy moves by more than 1e-6,
 * Beta(1, 1) smoothing. Immutable and thread-safe once fitted.
 */
public final class SourceReliability implements ChainWeight {

    private static final Logger LOG = LoggerFactory.getLogger(SourceReliability.class);
    private static final double MIN_P = 1e-4;

    private final Map<String, Double> accuracies;
    private final int alternatives;
    private final int iterations;
    private final double unknownSourceWeight;

    private SourceReliability(Map<String, Double> accuracies, int alternatives, int iterations) {
        this.accuracies = Collections.unmodifiableMap(new LinkedHashMap<>(accuracies));
        this.alternatives = alternatives;
        this.iterations = iterations;
        double mean = accuracies.values().stream().mapToDouble(Double::doubleValue).average().orElse(0.5);
        this.unknownSourceWeight = logOdds(mean, alternatives);
    }

    /**
     * Fits reliabilities with the defaults.
     *
     * @param questions for each question, the chains of the sources that answered it (sources named by
     *                  {@link ReasoningChain#source()})
     * @throws IllegalArgumentException if there are no questions or no parseable answer at all
     */
    public static SourceReliability fit(AnswerExtractor extractor, List<List<ReasoningChain>> questions) {
        return builder().extractor(extractor).fit(questions);
    }

    /** A builder for non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The fitted accuracy {@code p_s} of each source, in first-seen order. */
    public Map<String, Double> accuracies() {
        return accuracies;
    }

    /** The vote weight of a source: its log-odds weight, or that of the mean accuracy for an unknown source. */
    public double sourceWeight(String source) {
        Double p = accuracies.get(Objects.requireNonNull(source, "source"));
        return p == null ? unknownSourceWeight : logOdds(p, alternatives);
    }

    /** EM iterations the fit ran. */
    public int iterations() {
        return iterations;
    }

    /** The number of answer alternatives {@code K} of the model. */
    public int alternatives() {
        return alternatives;
    }

    /** The weight of {@code chain}'s source; the question is not used. */
    @Override
    public double weight(String question, ReasoningChain chain) {
        return sourceWeight(chain.source());
    }

    private static double logOdds(double p, int alternatives) {
        return Math.max(0, Math.log(p * (alternatives - 1) / (1 - p)));
    }

    @Override
    public String toString() {
        return "SourceReliability" + accuracies;
    }

    /** Builds and fits a {@link SourceReliability}. Not thread-safe. */
    public static final class Builder {
        private AnswerExtractor extractor;
        private int alternatives = 5;
        private int maxIterations = 100;
        private double tolerance = 1e-6;
        private double priorCorrect = 1;
        private double priorWrong = 1;

        private Builder() {
        }

        /** How answers are extracted and compared (required). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * The number of possible answers {@code K} (default 5).
         *
         * @throws IllegalArgumentException if below 2
         */
        public Builder alternatives(int alternatives) {
            if (alternatives < 2) {
                throw new IllegalArgumentException("alternatives must be >= 2, was " + alternatives);
            }
            this.alternatives = alternatives;
            return this;
        }

        /**
         * The most EM iterations (default 100).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxIterations(int maxIterations) {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be >= 1, was " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * Beta prior pseudo-counts of correct and wrong answers (default 1 and 1).
         *
         * @throws IllegalArgumentException if either is negative or not finite
         */
        public Builder prior(double correct, double wrong) {
            if (!(correct >= 0) || !(wrong >= 0) || Double.isInfinite(correct) || Double.isInfinite(wrong)) {
                throw new IllegalArgumentException("prior counts must be finite and >= 0, were " + correct + ", "
                        + wrong);
            }
            this.priorCorrect = correct;
            this.priorWrong = wrong;
            return this;
        }

        /**
         * Fits the model to the chains of many questions.
         *
         * @throws IllegalStateException    if no extractor was set
         * @throws IllegalArgumentException if there are no questions or no parseable answer at all
         */
        public SourceReliability fit(List<List<ReasoningChain>> questions) {
            if (extractor == null) {
                throw new IllegalStateException("an answer extractor is required");
            }
            Objects.requireNonNull(questions, "questions");
            List<Question> data = new ArrayList<>();
            Map<String, Integer> sourceIds = new LinkedHashMap<>();
            for (List<ReasoningChain> chains : questions) {
                AnswerGrouping grouping = new AnswerGrouping(extractor);
                List<AnswerGrouping.Member> members = grouping.addAll(chains);
                if (members.isEmpty()) {
                    continue;
                }
                int[] sources = new int[members.size()];
                int[] votes = new int[members.size()];
                for (int i = 0; i < members.size(); i++) {
                    sources[i] = sourceIds.computeIfAbsent(members.get(i).chain().source(), s -> sourceIds.size());
                    votes[i] = members.get(i).group().order();
                }
                data.add(new Question(grouping.groups().size(), sources, votes));
            }
            if (data.isEmpty()) {
                throw new IllegalArgumentException("no question had a parseable answer; nothing to fit");
            }
            double[] p = initialAccuracies(data, sourceIds.size());
            int iteration = 0;
            double change = Double.POSITIVE_INFINITY;
            while (iteration < maxIterations && change > tolerance) {
                double[] next = emStep(data, p);
                change = 0;
                for (int s = 0; s < p.length; s++) {
                    change = Math.max(change, Math.abs(next[s] - p[s]));
                }
                p = next;
                iteration++;
            }
            if (change > tolerance) {
                LOG.warn("Dawid-Skene EM stopped after {} iterations with change {}", iteration, change);
            }
            Map<String, Double> accuracies = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> source : sourceIds.entrySet()) {
                accuracies.put(source.getKey(), p[source.getValue()]);
            }
            return new SourceReliability(accuracies, alternatives, iteration);
        }

        /** Smoothed agreement of each source with the per-question majority (first-seen answer wins ties). */
        private double[] initialAccuracies(List<Question> data, int sourceCount) {
            double[] agree = new double[sourceCount];
            double[] seen = new double[sourceCount];
            for (Question question : data) {
                int[] counts = new int[question.candidates];
                for (int vote : question.votes) {
                    counts[vote]++;
                }
                int majority = 0;
                for (int c = 1; c < counts.length; c++) {
                    if (counts[c] > counts[majority]) {
                        majority = c;
                    }
                }
                for (int i = 0; i < question.votes.length; i++) {
                    seen[question.sources[i]]++;
                    agree[question.sources[i]] += question.votes[i] == majority ? 1 : 0;
                }
            }
            return smoothed(agree, seen);
        }

        private double[] emStep(List<Question> data, double[] p) {
            double[] expectedCorrect = new double[p.length];
            double[] seen = new double[p.length];
            double[] logRight = new double[p.length];
            double[] logWrong = new double[p.length];
            for (int s = 0; s < p.length; s++) {
                logRight[s] = Math.log(p[s]);
                logWrong[s] = Math.log((1 - p[s]) / (alternatives - 1));
            }
            for (Question question : data) {
                double[] logPosterior = new double[question.candidates];
                for (int c = 0; c < question.candidates; c++) {
                    for (int i = 0; i < question.votes.length; i++) {
                        int s = question.sources[i];
                        logPosterior[c] += question.votes[i] == c ? logRight[s] : logWrong[s];
                    }
                }
                double[] posterior = softmax(logPosterior);
                for (int i = 0; i < question.votes.length; i++) {
                    seen[question.sources[i]]++;
                    expectedCorrect[question.sources[i]] += posterior[question.votes[i]];
                }
            }
            return smoothed(expectedCorrect, seen);
        }

        private double[] smoothed(double[] correct, double[] seen) {
            double[] p = new double[correct.length];
            for (int s = 0; s < p.length; s++) {
                double value = (correct[s] + priorCorrect) / (seen[s] + priorCorrect + priorWrong);
                p[s] = Math.min(1 - MIN_P, Math.max(MIN_P, Double.isNaN(value) ? 0.5 : value));
            }
            return p;
        }

        private static double[] softmax(double[] logits) {
            double max = Double.NEGATIVE_INFINITY;
            for (double logit : logits) {
                max = Math.max(max, logit);
            }
            double sum = 0;
            double[] out = new double[logits.length];
            for (int i = 0; i < logits.length; i++) {
                out[i] = Math.exp(logits[i] - max);
                sum += out[i];
            }
            for (int i = 0; i < out.length; i++) {
                out[i] /= sum;
            }
            return out;
        }
    }

    /** One question's votes: source id and answer-candidate id per parseable chain. */
    private record Question(int candidates, int[] sources, int[] votes) {
    }
}
