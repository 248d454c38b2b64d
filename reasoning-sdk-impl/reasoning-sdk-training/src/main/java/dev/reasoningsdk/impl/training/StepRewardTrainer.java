package dev.reasoningsdk.impl.training;

import static dev.reasoningsdk.impl.training.CrossValidation.round;

import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.aggregate.ArithmeticStepReward;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward.Combination;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward.Mapping;
import dev.reasoningsdk.impl.aggregate.StepRewardProvenance;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.QuestionDigests;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link HiddenStateStepReward} head from a local model's own rollouts on problems with gold answers.
 *
 * <ol>
 *   <li><b>Rows.</b> The caller names rows never to be read (a bench's selection); every other row is a training
 *       problem. Nothing here reads an excluded row, not even its question.</li>
 *   <li><b>Rollouts.</b> Each problem is answered by {@code chainsPerProblem} chains sampled at
 *       {@code temperature} (seed {@code seed + 1000 row}); each chain is split into steps as the step search splits
 *       them ({@link HiddenStateStepReward#steps}), and the hidden state of every candidate layer is read at the end of
 *       each step, and of the bare prompt.</li>
 *   <li><b>Labels.</b> {@code outcome}: every prefix of a chain is labelled by whether the chain's answer is right.
 *       {@code shepherd} (Wang et al., 2024, "Math-Shepherd", hard estimation): a prefix is right when at least one of
 *       {@code completions} sampled completions from it reaches the gold answer; the complete chain by its own
 *       answer.</li>
 *   <li><b>Choice by cross-validation on the training problems.</b> {@code folds} folds by problem; for each labelling,
 *       layer and L2 penalty a class-weighted logistic head on the standardised state ({@link HeadTrainer}'s fit) is
 *       fitted on the other folds; for each mapping and combination the fold's problems are answered best-of-N by the
 *       step search's penalty (the sum of {@code 1 - reward} over a chain's steps; ties to the first chain).</li>
 *   <li><b>The shipping rule</b> ({@link #SHIPPING_RULE}), fixed in code before any bench figure was read: the highest
 *       mean cross-validated best-of-N accuracy; on a tie the lower mean penalty on the steps of right chains (a
 *       best-first search re-expands a chain whose step got less than the full reward, so doubting right steps costs
 *       tokens); then the earlier candidate (labels outcome then shepherd, layers
 *       in the given order, stronger penalty first, mapping value then ratio, combination none, min, product). It is
 *       refitted on all training problems.</li>
 * </ol>
 *
 * <p>Defaults: seed 42, 8 chains per problem, 4 completions per prefix, temperature 0.8, 256 new tokens per chain,
 * layers {-1} (the final state), L2 grid {1, 0.1, 0.01}, 5 folds, the numeric extractor. Immutable; one training at a
 * time per model.
 */
public final class StepRewardTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(StepRewardTrainer.class);

    /** The shipping rule, as the provenance records it. */
    public static final String SHIPPING_RULE = "highest mean cross-validated best-of-N accuracy (chains ranked by the "
            + "step search's penalty) on the training problems; on a tie the lower mean penalty on the steps of right "
            + "chains (what the reward costs a search on a right path), then the earlier candidate (outcome before "
            + "shepherd labels, layers in order, stronger penalty first, value before ratio, none before min before "
            + "product); refitted on all training problems; fixed before any bench figure was read";

    /** The labellings, in candidate order. */
    public static final List<String> LABELS = List.of("outcome", "shepherd");

    private final long seed;
    private final int chainsPerProblem;
    private final int completions;
    private final double temperature;
    private final int maxTokens;
    private final int[] layers;
    private final double[] l2Grid;
    private final int folds;
    private final AnswerExtractor extractor = AnswerExtractors.numeric();
    private final ProcessReward arithmetic = ArithmeticStepReward.create();

    private StepRewardTrainer(Builder builder) {
        this.seed = builder.seed;
        this.chainsPerProblem = builder.chainsPerProblem;
        this.completions = builder.completions;
        this.temperature = builder.temperature;
        this.maxTokens = builder.maxTokens;
        this.layers = builder.layers.clone();
        this.l2Grid = builder.l2Grid.clone();
        this.folds = builder.folds;
    }

    /** A trainer with the defaults. */
    public static StepRewardTrainer create() {
        return builder().build();
    }

    /** A builder with the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One problem of the data.
     *
     * @param question the question
     * @param gold     the gold answer
     */
    public record Problem(String question, String gold) {
        /** @throws NullPointerException if either is null */
        public Problem {
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(gold, "gold");
        }
    }

    /** One step-end prefix of a chain: its hidden states, its labels, its arithmetic reward. */
    private record Prefix(Map<Integer, float[]> states, boolean outcome, boolean shepherd, double arithmetic) {
    }

    /** One sampled chain: whether it is right, and its prefixes in step order. */
    private record Chain(boolean correct, List<Prefix> prefixes) {
    }

    /** One training problem's rollouts, with the hidden states of its bare prompt. */
    private record Rollout(Map<Integer, float[]> promptStates, List<Chain> chains) {
    }

    /**
     * Trains as the class comment describes.
     *
     * @param model        the model whose head it is; it must give every layer of {@link Builder#layers}
     * @param rows         all rows of the data, in file order
     * @param excludedRows rows never to be read
     * @param data         the data file, for the provenance
     * @param progress     told the number of training problems rolled out so far
     * @throws IllegalArgumentException if fewer problems than folds are left, or the labels are all of one class
     */
    public HiddenStateStepReward.Weights train(CausalLanguageModel model, List<Problem> rows,
                                               Collection<Integer> excludedRows, VerifierTrainer.DataRecord data,
                                               IntConsumer progress) {
        Objects.requireNonNull(data, "data");
        TreeSet<Integer> excluded = new TreeSet<>(excludedRows);
        List<Integer> trainingRows = IntStream.range(0, rows.size()).filter(row -> !excluded.contains(row)).boxed()
                .toList();
        // Each training row is read once, and excluded rows never.
        List<Problem> training = trainingRows.stream().map(rows::get).toList();
        List<String> trainingQuestions = training.stream().map(Problem::question).toList();
        List<String> trainedOn = QuestionDigests.trainingDigests(trainingQuestions, trainingRows);
        List<Rollout> rollouts = new ArrayList<>();
        for (int i = 0; i < training.size(); i++) {
            rollouts.add(rollOut(model, training.get(i), trainingRows.get(i)));
            progress.accept(rollouts.size());
        }
        if (rollouts.size() < folds) {
            throw new IllegalArgumentException(rollouts.size() + " training problems, fewer than " + folds + " folds");
        }
        int[] fold = CrossValidation.folds(rollouts.size(), folds, seed);
        List<StepRewardProvenance.Candidate> candidates = new ArrayList<>();
        StepRewardProvenance.Candidate best = null;
        String[] bestSetting = null;
        for (String labels : LABELS) {
            for (int layer : layers) {
                for (double l2 : l2Grid) {
                    // One fit per fold, shared by every mapping and combination.
                    List<HeadTrainer.Fit> fits = new ArrayList<>();
                    for (int f = 0; f < folds; f++) {
                        fits.add(fit(rollouts, fold, f, labels, layer, l2));
                    }
                    for (Mapping mapping : Mapping.values()) {
                        for (Combination combination : Combination.values()) {
                            String name = String.format(Locale.ROOT, "%s/layer%d/l2=%s/%s/%s", labels, layer, l2,
                                    lower(mapping), lower(combination));
                            StepRewardProvenance.Candidate candidate = evaluate(name, rollouts, fold,
                                    f -> (prefix, before) -> reward(fits.get(f), layer, mapping, combination,
                                            prefix, before));
                            LOG.info("cross-validation {}: best-of-N {} (sd {}), right-step penalty {}", name,
                                    candidate.accuracy(), candidate.accuracySd(), candidate.rightStepPenalty());
                            candidates.add(candidate);
                            if (best == null || candidate.accuracy() > best.accuracy()
                                    || candidate.accuracy() == best.accuracy()
                                    && candidate.rightStepPenalty() < best.rightStepPenalty()) {
                                best = candidate;
                                bestSetting = new String[] {labels, String.valueOf(layer), String.valueOf(l2),
                                    mapping.name(), combination.name()};
                            }
                        }
                    }
                }
            }
        }
        List<StepRewardProvenance.Candidate> baselines = List.of(
                evaluate("first_chain", rollouts, fold, f -> (prefix, before) -> 1.0),
                evaluate("arithmetic", rollouts, fold, f -> (prefix, before) -> prefix.arithmetic()),
                oracle(rollouts, fold));
        LOG.info("shipping rule ({}): {}", SHIPPING_RULE, best.name());
        String labels = bestSetting[0];
        int layer = Integer.parseInt(bestSetting[1]);
        double l2 = Double.parseDouble(bestSetting[2]);
        HeadTrainer.Fit fit = fit(rollouts, fold, -1, labels, layer, l2);
        int prefixes = rollouts.stream().mapToInt(r -> r.chains().stream().mapToInt(c -> c.prefixes().size()).sum())
                .sum();
        StepRewardProvenance provenance = new StepRewardProvenance(data.name(), data.sha256(), rows.size(),
                List.copyOf(excluded), rollouts.size(), seed, chainsPerProblem, completions, temperature, prefixes,
                labels, layer, l2, bestSetting[3].toLowerCase(Locale.ROOT), bestSetting[4].toLowerCase(Locale.ROOT),
                SHIPPING_RULE, candidates, baselines, trainedOn);
        return new HiddenStateStepReward.Weights(model.modelId(), layer, fit.mean(), fit.scale(),
                Arrays.copyOf(fit.theta(), fit.mean().length), fit.theta()[fit.mean().length],
                Mapping.valueOf(bestSetting[3]), Combination.valueOf(bestSetting[4]), provenance);
    }

    private static String lower(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** Samples the problem's chains, reads the states at each step end and labels each prefix. */
    private Rollout rollOut(CausalLanguageModel model, Problem problem, int row) {
        String prompt = model.formatPrompt(problem.question());
        long rowSeed = seed + 1000L * row;
        List<Generation> generations = model.generate(prompt, chainsPerProblem,
                GenerationOptions.sampling(temperature, maxTokens, rowSeed));
        List<List<String>> chainSteps = new ArrayList<>();
        List<Boolean> correct = new ArrayList<>();
        // Identical prefixes (common: chains often agree on their first steps) are read and labelled once.
        Map<String, Boolean> unfinished = new LinkedHashMap<>();
        for (Generation generation : generations) {
            List<String> steps = HiddenStateStepReward.steps(generation.text());
            chainSteps.add(steps);
            correct.add(right(generation.text(), problem.gold()));
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i + 1 < steps.size(); i++) {
                unfinished.putIfAbsent(prefix.append(steps.get(i)).toString(), false);
            }
        }
        List<String> open = List.copyOf(unfinished.keySet());
        for (int i = 0; i < open.size(); i++) {
            // One call per prefix, not one padded batch: a padded batch of a short and a long prompt overran the
            // tiny reasoner's context (the short prompt's rows are given the tokens its own length leaves).
            String prefix = open.get(i);
            List<Generation> continued = model.generate(prompt + prefix, completions,
                    GenerationOptions.sampling(temperature, maxTokens, rowSeed + 500 + i));
            unfinished.put(prefix, continued.stream().anyMatch(g -> right(prefix + g.text(), problem.gold())));
        }
        Map<String, Map<Integer, float[]>> states = new LinkedHashMap<>();
        List<Chain> chains = new ArrayList<>();
        for (int c = 0; c < chainSteps.size(); c++) {
            List<String> steps = chainSteps.get(c);
            List<Prefix> prefixes = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < steps.size(); i++) {
                String prefix = text.append(steps.get(i)).toString();
                boolean last = i + 1 == steps.size();
                Map<Integer, float[]> state = states.computeIfAbsent(prefix, p -> states(model, prompt + p));
                prefixes.add(new Prefix(state, correct.get(c), last ? correct.get(c) : unfinished.get(prefix),
                        arithmetic.scoreStep(problem.question(), steps.subList(0, i + 1), last)));
            }
            chains.add(new Chain(correct.get(c), prefixes));
        }
        return new Rollout(states(model, prompt), chains);
    }

    private boolean right(String chain, String gold) {
        return extractor.extract(chain).map(answer -> extractor.equivalent(answer, gold)).orElse(false);
    }

    private Map<Integer, float[]> states(CausalLanguageModel model, String prompt) {
        Map<Integer, float[]> byLayer = new LinkedHashMap<>();
        for (int layer : layers) {
            byLayer.put(layer, model.promptHiddenState(prompt, layer));
        }
        return byLayer;
    }

    /** The head fitted on every prefix of the problems outside fold {@code held} (-1: all problems). */
    private HeadTrainer.Fit fit(List<Rollout> rollouts, int[] fold, int held, String labels, int layer, double l2) {
        List<float[]> x = new ArrayList<>();
        List<Boolean> y = new ArrayList<>();
        for (int p = 0; p < rollouts.size(); p++) {
            if (fold[p] == held) {
                continue;
            }
            for (Chain chain : rollouts.get(p).chains()) {
                for (Prefix prefix : chain.prefixes()) {
                    x.add(prefix.states().get(layer));
                    y.add(labels.equals("outcome") ? prefix.outcome() : prefix.shepherd());
                }
            }
        }
        if (!y.contains(true) || !y.contains(false)) {
            throw new IllegalArgumentException("the " + labels + " labels of the training prefixes are all "
                    + (y.contains(true) ? "right" : "wrong") + "; a head needs both");
        }
        return HeadTrainer.create().fit(x, y, l2);
    }

    /** The reward of a step, as {@link HiddenStateStepReward#scoreStep} computes it from the same parts. */
    private static double reward(HeadTrainer.Fit fit, int layer, Mapping mapping, Combination combination,
                                 Prefix prefix, Map<Integer, float[]> before) {
        double value = fit.probability(prefix.states().get(layer));
        double learned = mapping == Mapping.VALUE ? value
                : Math.min(1, value / Math.max(fit.probability(before.get(layer)), Double.MIN_NORMAL));
        return switch (combination) {
            case NONE -> learned;
            case MIN -> Math.min(learned, prefix.arithmetic());
            case PRODUCT -> learned * prefix.arithmetic();
        };
    }

    /** A step reward from a prefix and the states before its step. */
    private interface StepScore {
        double reward(Prefix prefix, Map<Integer, float[]> before);
    }

    /** The step score fitted without fold {@code f}. */
    private interface FoldScore {
        StepScore forFold(int fold);
    }

    /** Best-of-N by penalty on each fold's problems, with the penalties per step of right and wrong chains. */
    private StepRewardProvenance.Candidate evaluate(String name, List<Rollout> rollouts, int[] fold, FoldScore score) {
        double[] accuracy = new double[folds];
        double rightPenalty = 0;
        double wrongPenalty = 0;
        int rightSteps = 0;
        int wrongSteps = 0;
        for (int f = 0; f < folds; f++) {
            StepScore scoring = score.forFold(f);
            int right = 0;
            int problems = 0;
            for (int p = 0; p < rollouts.size(); p++) {
                if (fold[p] != f) {
                    continue;
                }
                problems++;
                Rollout rollout = rollouts.get(p);
                double bestPenalty = Double.POSITIVE_INFINITY;
                boolean bestCorrect = false;
                for (Chain chain : rollout.chains()) {
                    double penalty = 0;
                    Map<Integer, float[]> before = rollout.promptStates();
                    for (Prefix prefix : chain.prefixes()) {
                        double stepPenalty = 1 - scoring.reward(prefix, before);
                        penalty += stepPenalty;
                        before = prefix.states();
                        if (chain.correct()) {
                            rightPenalty += stepPenalty;
                            rightSteps++;
                        } else {
                            wrongPenalty += stepPenalty;
                            wrongSteps++;
                        }
                    }
                    // A chain without a step has no answer: it is never chosen over one with steps.
                    if (!chain.prefixes().isEmpty() && penalty < bestPenalty) {
                        bestPenalty = penalty;
                        bestCorrect = chain.correct();
                    }
                }
                right += bestCorrect ? 1 : 0;
            }
            accuracy[f] = problems == 0 ? 0 : (double) right / problems;
        }
        return candidate(name, accuracy, rightSteps == 0 ? 0 : rightPenalty / rightSteps,
                wrongSteps == 0 ? 0 : wrongPenalty / wrongSteps);
    }

    /** The share of problems with at least one right chain, per fold. */
    private StepRewardProvenance.Candidate oracle(List<Rollout> rollouts, int[] fold) {
        double[] right = new double[folds];
        int[] problems = new int[folds];
        for (int p = 0; p < rollouts.size(); p++) {
            problems[fold[p]]++;
            right[fold[p]] += rollouts.get(p).chains().stream().anyMatch(Chain::correct) ? 1 : 0;
        }
        for (int f = 0; f < folds; f++) {
            right[f] = problems[f] == 0 ? 0 : right[f] / problems[f];
        }
        return candidate("oracle", right, Double.NaN, Double.NaN);
    }

    private static StepRewardProvenance.Candidate candidate(String name, double[] perFold, double rightPenalty,
                                                            double wrongPenalty) {
        double mean = Arrays.stream(perFold).average().orElse(0);
        return new StepRewardProvenance.Candidate(name, round(mean),
                round(CrossValidation.standardDeviation(perFold)), round(rightPenalty), round(wrongPenalty));
    }

    /** Builds a {@link StepRewardTrainer}; setters validate at once. */
    public static final class Builder {
        private long seed = 42;
        private int chainsPerProblem = 8;
        private int completions = 4;
        private double temperature = 0.8;
        private int maxTokens = 256;
        private int[] layers = {-1};
        private double[] l2Grid = {1, 0.1, 0.01};
        private int folds = 5;

        private Builder() {
        }

        /** The seed of rollouts and folds (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Chains sampled per problem (default 8).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder chainsPerProblem(int chains) {
            this.chainsPerProblem = Arguments.atLeast(chains, 1, "chainsPerProblem");
            return this;
        }

        /**
         * Completions sampled from each prefix for the Math-Shepherd labels (default 4).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder completions(int completions) {
            this.completions = Arguments.atLeast(completions, 1, "completions");
            return this;
        }

        /**
         * Sampling temperature of chains and completions (default 0.8, the step search's).
         *
         * @throws IllegalArgumentException if negative or not finite
         */
        public Builder temperature(double temperature) {
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /**
         * New tokens per chain or completion (default 256).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = Arguments.atLeast(maxTokens, 1, "maxTokens");
            return this;
        }

        /**
         * Hidden-state layers to choose from (default {-1}, the final state); the model must give each.
         *
         * @throws IllegalArgumentException if none is given or one is repeated
         */
        public Builder layers(int... layers) {
            Objects.requireNonNull(layers, "layers");
            if (layers.length == 0 || Arrays.stream(layers).distinct().count() != layers.length) {
                throw new IllegalArgumentException("layers must be distinct and at least one, were "
                        + Arrays.toString(layers));
            }
            this.layers = layers.clone();
            return this;
        }

        /**
         * L2 penalties to choose from, strongest first (default {1, 0.1, 0.01}).
         *
         * @throws IllegalArgumentException if empty or a value is negative or not finite
         */
        public Builder l2Grid(double... grid) {
            this.l2Grid = Arguments.nonNegativeGrid(grid, "l2Grid");
            return this;
        }

        /**
         * Cross-validation folds (default 5).
         *
         * @throws IllegalArgumentException if below 2
         */
        public Builder folds(int folds) {
            this.folds = Arguments.atLeast(folds, 2, "folds");
            return this;
        }

        /** The trainer. */
        public StepRewardTrainer build() {
            return new StepRewardTrainer(this);
        }
    }
}
