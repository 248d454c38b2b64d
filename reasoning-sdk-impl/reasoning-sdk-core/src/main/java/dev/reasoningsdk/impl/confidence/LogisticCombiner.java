package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import dev.reasoningsdk.impl.internal.Sampling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.confidence.ConfidenceEstimator;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.impl.internal.SpentBefore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A learned combination of several estimators' signals: logistic regression over named signals (e.g.
 * {@code consistency.agreement}, {@code consistency.entropy}, {@code token_probability.mean_token_probability}),
 * fitted in Java with an L2 penalty on standardised signals ({@link Weights#fit}), and serialisable to JSON so a
 * fitted combiner can be shipped.
 *
 * <p>Each estimator is run on the same chains; its signals enter as {@code <estimator name>.<signal>}, and its
 * confidence as {@code <estimator name>.confidence}. The answer is the first estimator's. A signal the weights
 * name but an estimator did not produce is taken at its training mean (it contributes nothing), and counted in the
 * {@code combiner.missing_signals} signal. {@link #estimate(String)} needs a {@link ChainSampler}. Thread-safe when
 * the estimators are.
 */
public final class LogisticCombiner implements ConfidenceEstimator {

    private final List<ConfidenceEstimator> estimators;
    private final Weights weights;
    private final Sampling sampling;
    private final int samples;

    private LogisticCombiner(Builder builder) {
        this.estimators = List.copyOf(builder.estimators);
        this.weights = builder.weights;
        this.sampling = builder.sampler == null ? null
                : new Sampling(builder.sampler, builder.temperature, UnaryOperator.identity(), 0);
        this.samples = builder.samples;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Samples chains and combines the estimators' signals on them.
     *
     * @throws IllegalStateException if no sampler was configured
     */
    @Override
    public ConfidenceEstimate estimate(String question) {
        Objects.requireNonNull(question, "question");
        if (sampling == null) {
            throw new IllegalStateException("LogisticCombiner was built without a sampler; pass the chains instead");
        }
        return Sampled.estimate(sampling, question, samples, name(), chains -> estimate(question, chains));
    }

    /** @throws IllegalArgumentException if {@code samples} is empty */
    @Override
    public ConfidenceEstimate estimate(String question, List<ReasoningChain> chains) {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(chains, "chains");
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("no chains: at least one sample is needed");
        }
        long start = System.nanoTime();
        Map<String, Double> signals = new LinkedHashMap<>();
        Usage usage = Usage.NONE;
        ConfidenceEstimate first = null;
        for (ConfidenceEstimator estimator : estimators) {
            ConfidenceEstimate estimate = SpentBefore.addedToRefusal(usage, () -> estimator.estimate(question, chains));
            first = first == null ? estimate : first;
            signals.putAll(prefixed(estimator.name(), estimate));
            usage = usage.plus(estimate.usage());
        }
        long missing = weights.signalNames().stream().filter(name -> !signals.containsKey(name)).count();
        double confidence = weights.score(signals);
        signals.put("combiner.missing_signals", (double) missing);
        String rationale = String.format(Locale.ROOT, "Combined %d signals into %.2f. %s",
                weights.signalNames().size(), confidence, first.rationale());
        return new ConfidenceEstimate(first.answer(), confidence, rationale, name(), signals,
                usage.withWallTime(ChatCalls.since(start)));
    }

    /** The signals of one estimate as the combiner names them. */
    public static Map<String, Double> prefixed(String estimatorName, ConfidenceEstimate estimate) {
        Map<String, Double> named = new LinkedHashMap<>();
        named.put(estimatorName + ".confidence", estimate.confidence());
        estimate.signals().forEach((signal, value) -> named.put(estimatorName + "." + signal, value));
        return named;
    }

    @Override
    public String name() {
        return "combiner";
    }

    /**
     * Fitted logistic-regression weights over named signals, standardised by the training means and scales.
     *
     * @param signalNames the signals, in weight order
     * @param weights     one weight per signal (on the standardised signal)
     * @param intercept   the intercept
     * @param means       the training mean of each signal
     * @param scales      the training standard deviation of each signal (1 when it was constant)
     */
    public record Weights(List<String> signalNames, double[] weights, double intercept, double[] means,
                          double[] scales) {

        private static final ObjectMapper JSON = StrictJson.MAPPER;
        private static final int MAX_ITERATIONS = 100;

        /** @throws IllegalArgumentException if the lengths differ, a value is not finite or a scale not positive */
        public Weights {
            signalNames = List.copyOf(signalNames);
            weights = weights.clone();
            means = means.clone();
            scales = scales.clone();
            int n = signalNames.size();
            if (n == 0 || weights.length != n || means.length != n || scales.length != n) {
                throw new IllegalArgumentException("weights, means and scales need one entry per signal (>= 1)");
            }
            if (!Double.isFinite(intercept)) {
                throw new IllegalArgumentException("intercept is not finite: " + intercept);
            }
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(weights[i]) || !Double.isFinite(means[i]) || !(scales[i] > 0)) {
                    throw new IllegalArgumentException("invalid parameters for signal " + signalNames.get(i));
                }
            }
        }

        /**
         * Fits on rows of signals labelled correct or wrong.
         *
         * @param rows        one map of signals per answer; every row must hold every name in {@code signalNames}
         * @param correct     whether each answer was correct
         * @param signalNames the signals to use
         * @param l2          the L2 penalty on the standardised weights, {@code >= 0}; 1 is a sensible default
         * @throws IllegalArgumentException if the input is empty, misaligned, a row lacks a signal, {@code l2 < 0},
         *                                  or every answer is correct or every one wrong: with one class the weights
         *                                  cannot be learnt, and the unpenalised intercept runs off (to 26 after 100
         *                                  iterations, a combiner that says 1.0 whatever the signals)
         */
        public static Weights fit(List<Map<String, Double>> rows, boolean[] correct, List<String> signalNames,
                                  double l2) {
            if (rows.isEmpty() || rows.size() != correct.length) {
                throw new IllegalArgumentException("need one label per row and at least one row; got "
                        + rows.size() + " rows and " + correct.length + " labels");
            }
            if (signalNames.isEmpty()) {
                throw new IllegalArgumentException("no signals to combine");
            }
            if (!(l2 >= 0)) {
                throw new IllegalArgumentException("l2 must be >= 0, was " + l2);
            }
            int n = rows.size();
            int d = signalNames.size();
            double[][] raw = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    Double value = rows.get(i).get(signalNames.get(j));
                    if (value == null || !Double.isFinite(value)) {
                        throw new IllegalArgumentException("row " + i + " has no finite " + signalNames.get(j));
                    }
                    raw[i][j] = value;
                }
            }
            int right = LabelledScores.positives(correct);
            if (right == 0 || right == correct.length) {
                throw new IllegalArgumentException("all " + correct.length + " answers are "
                        + (right == 0 ? "wrong" : "correct") + ": the combiner needs right and wrong answers to fit");
            }
            double[] means = new double[d];
            double[] scales = new double[d];
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (double[] row : raw) {
                    sum += row[j];
                }
                means[j] = sum / n;
                double squares = 0;
                for (double[] row : raw) {
                    squares += (row[j] - means[j]) * (row[j] - means[j]);
                }
                double sd = Math.sqrt(squares / n);
                scales[j] = sd > 1e-12 ? sd : 1;
            }
            double[][] standardised = new double[n][d];
            double[] targets = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    standardised[i][j] = (raw[i][j] - means[j]) / scales[j];
                }
                targets[i] = correct[i] ? 1 : 0;
            }
            double[] beta = LogisticRegression.fit(standardised, targets, l2, MAX_ITERATIONS);
            return new Weights(signalNames, java.util.Arrays.copyOf(beta, d), beta[d], means, scales);
        }

        /** The probability of being correct given the signals; a missing signal contributes nothing. */
        public double score(Map<String, Double> signals) {
            double z = intercept;
            for (int j = 0; j < signalNames.size(); j++) {
                Double value = signals.get(signalNames.get(j));
                if (value != null && Double.isFinite(value)) {
                    z += weights[j] * (value - means[j]) / scales[j];
                }
            }
            return LogisticRegression.sigmoid(z);
        }

        /** These weights as JSON. */
        public String toJson() {
            try {
                return JSON.writeValueAsString(this);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("weights are not serialisable", e);
            }
        }

        /**
         * Reads weights written by {@link #toJson()}.
         *
         * @throws IllegalArgumentException if the JSON is malformed, or a parameter is left out or invalid
         */
        public static Weights fromJson(String json) {
            try {
                return JSON.readValue(json, Weights.class);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("not combiner weights: " + e.getOriginalMessage(), e);
            }
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }

        @Override
        public double[] means() {
            return means.clone();
        }

        @Override
        public double[] scales() {
            return scales.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Weights that && signalNames.equals(that.signalNames)
                    && java.util.Arrays.equals(weights, that.weights) && intercept == that.intercept
                    && java.util.Arrays.equals(means, that.means) && java.util.Arrays.equals(scales, that.scales);
        }

        @Override
        public int hashCode() {
            return Objects.hash(signalNames, java.util.Arrays.hashCode(weights), intercept);
        }

        @Override
        public String toString() {
            return "Weights" + signalNames + java.util.Arrays.toString(weights) + " + " + intercept;
        }
    }

    /** Builds {@link LogisticCombiner}; estimators and weights are required. Not thread-safe. */
    public static final class Builder {
        private final List<ConfidenceEstimator> estimators = new ArrayList<>();
        private Weights weights;
        private ChainSampler sampler;
        private double temperature;
        private int samples = 10;

        private Builder() {
        }

        /** Adds an estimator whose signals are combined; the first one's answer is the answer. */
        public Builder estimator(ConfidenceEstimator estimator) {
            estimators.add(Objects.requireNonNull(estimator, "estimator"));
            return this;
        }

        /** The fitted weights. */
        public Builder weights(Weights weights) {
            this.weights = Objects.requireNonNull(weights, "weights");
            return this;
        }

        /**
         * Where {@link LogisticCombiner#estimate(String)} draws chains from (the question is the prompt, seeds from
         * 0), and the temperature that sampler was configured to sample at.
         *
         * @throws IllegalArgumentException if the temperature is negative, NaN or infinite
         */
        public Builder sampler(ChainSampler sampler, double temperature) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /**
         * Chains drawn by {@link LogisticCombiner#estimate(String)}; 10 by default.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder samples(int samples) {
            this.samples = Arguments.atLeast(samples, 1, "samples");
            return this;
        }

        /**
         * The combiner.
         *
         * @throws IllegalStateException if no estimator or no weights were given
         */
        public LogisticCombiner build() {
            if (estimators.isEmpty() || weights == null) {
                throw new IllegalStateException("LogisticCombiner needs at least one estimator and fitted weights");
            }
            return new LogisticCombiner(this);
        }
    }
}
