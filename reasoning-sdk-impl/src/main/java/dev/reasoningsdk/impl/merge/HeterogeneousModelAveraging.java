package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heterogeneous Model Averaging (Lin et al., 2024, "Mitigating the Alignment Tax of RLHF", Sec. 5): gives each
 * group of parameters (layer groups, or single tensors) its own averaging ratio and searches the ratios, with their
 * parameter-weighted mean pinned to a fixed budget, so the search learns only how the averaging is spread across
 * the model.
 *
 * <p>The search is a (1+λ) evolution strategy on the feasible set {r in [0,1]^G : sum w_g r_g = mean}: each
 * offspring adds Gaussian noise projected onto the plane of constant weighted mean, then is repaired into the box
 * without moving the mean; the step size follows the 1/5th success rule. It starts from the uniform ratio (plain
 * averaging at the budget), so it can only improve on it. The objective is the smaller of reward and retained
 * skill ({@link RatioEvaluator.Scores#worst()}), ties broken by their sum. The evaluator is black-box and pluggable.
 *
 * <p>Defaults: 24 evaluations, λ = 4, initial step 0.25, seed 1. Not thread-safe while searching (one search at a
 * time per instance is the caller's to ensure); the instance itself is immutable.
 */
public final class HeterogeneousModelAveraging {

    private static final Logger LOG = LoggerFactory.getLogger(HeterogeneousModelAveraging.class);

    private final double[] weights;
    private final double meanRatio;
    private final RatioEvaluator evaluator;
    private final int budget;
    private final int offspring;
    private final double initialStep;
    private final long seed;

    private HeterogeneousModelAveraging(Builder builder) {
        double total = Arrays.stream(builder.groupSizes).sum();
        this.weights = Arrays.stream(builder.groupSizes).map(size -> size / total).toArray();
        this.meanRatio = builder.meanRatio;
        this.evaluator = builder.evaluator;
        this.budget = builder.budget;
        this.offspring = builder.offspring;
        this.initialStep = builder.initialStep;
        this.seed = builder.seed;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Runs the search. @return the best point, the front and every evaluation */
    public HmaResult search() {
        long start = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        List<HmaPoint> history = new ArrayList<>();
        double[] uniform = new double[weights.length];
        Arrays.fill(uniform, meanRatio);
        HmaPoint parent = evaluate(uniform, history);
        double step = initialStep;
        while (history.size() < budget) {
            HmaPoint bestChild = null;
            for (int k = 0; k < offspring && history.size() < budget; k++) {
                HmaPoint child = evaluate(mutate(parent.ratios(), step, random), history);
                if (bestChild == null || better(child, bestChild)) {
                    bestChild = child;
                }
            }
            boolean success = bestChild != null && better(bestChild, parent);
            if (success) {
                parent = bestChild;
            }
            // 1/5th success rule for one generation of λ offspring.
            step = Math.max(0.01, Math.min(0.5, step * (success ? 1.5 : Math.pow(1.5, -0.25))));
            LOG.debug("HMA generation: parent {} step {}", parent, step);
        }
        HmaPoint best = history.stream().reduce((a, b) -> better(b, a) ? b : a).orElseThrow();
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        return new HmaResult(best, front(history), history, meanRatio,
                new Usage(0, history.size(), 0, 0, 0, wall));
    }

    /** The evaluated points that no other evaluated point dominates, by reward. */
    static List<HmaPoint> front(List<HmaPoint> points) {
        List<HmaPoint> front = new ArrayList<>();
        for (HmaPoint point : points) {
            boolean dominated = false;
            for (HmaPoint other : points) {
                if (other.scores().dominates(point.scores())) {
                    dominated = true;
                    break;
                }
            }
            boolean duplicate = front.stream().anyMatch(p -> p.scores().equals(point.scores()));
            if (!dominated && !duplicate) {
                front.add(point);
            }
        }
        front.sort(Comparator.comparingDouble(p -> p.scores().reward()));
        return front;
    }

    private static boolean better(HmaPoint a, HmaPoint b) {
        double worstA = a.scores().worst();
        double worstB = b.scores().worst();
        if (worstA != worstB) {
            return worstA > worstB;
        }
        return a.scores().reward() + a.scores().retained() > b.scores().reward() + b.scores().retained();
    }

    private HmaPoint evaluate(double[] ratios, List<HmaPoint> history) {
        RatioEvaluator.Scores scores = evaluator.evaluate(ratios.clone());
        HmaPoint point = new HmaPoint(ratios, scores, history.size() + 1);
        history.add(point);
        LOG.info("HMA evaluation {}: {}", point.evaluation(), point);
        return point;
    }

    /** Gaussian step projected onto the plane of constant weighted mean, then repaired into the box. */
    double[] mutate(double[] ratios, double step, SplittableRandom random) {
        double[] z = new double[ratios.length];
        double wz = 0;
        double ww = 0;
        for (int g = 0; g < z.length; g++) {
            z[g] = gaussian(random) * step;
            wz += weights[g] * z[g];
            ww += weights[g] * weights[g];
        }
        double[] child = new double[ratios.length];
        for (int g = 0; g < z.length; g++) {
            child[g] = ratios[g] + z[g] - wz / ww * weights[g];
        }
        return repair(child);
    }

    /**
     * Clips into [0, 1] and moves the clipped-off mass to the groups that can still take it, proportionally to
     * their weight, until the weighted mean is back at the budget.
     */
    double[] repair(double[] ratios) {
        double[] r = ratios.clone();
        for (int iteration = 0; iteration < 100; iteration++) {
            double mean = 0;
            for (int g = 0; g < r.length; g++) {
                r[g] = Math.max(0, Math.min(1, r[g]));
                mean += weights[g] * r[g];
            }
            double deficit = meanRatio - mean;
            if (Math.abs(deficit) < 1e-12) {
                break;
            }
            double free = 0;
            for (int g = 0; g < r.length; g++) {
                if (deficit > 0 ? r[g] < 1 : r[g] > 0) {
                    free += weights[g];
                }
            }
            for (int g = 0; g < r.length; g++) {
                if (deficit > 0 ? r[g] < 1 : r[g] > 0) {
                    r[g] += deficit / free;
                }
            }
        }
        return r;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Builds a {@link HeterogeneousModelAveraging}; setters validate at once. Not thread-safe. */
    public static final class Builder {
        private double[] groupSizes;
        private double meanRatio = Double.NaN;
        private RatioEvaluator evaluator;
        private int budget = 24;
        private int offspring = 4;
        private double initialStep = 0.25;
        private long seed = 1;

        private Builder() {
        }

        /**
         * The groups' sizes (e.g. parameter counts), which weight the mean; required.
         *
         * @throws IllegalArgumentException if empty or a size is not positive
         */
        public Builder groupSizes(double... groupSizes) {
            Objects.requireNonNull(groupSizes, "groupSizes");
            if (groupSizes.length == 0 || Arrays.stream(groupSizes).anyMatch(s -> !(s > 0))) {
                throw new IllegalArgumentException("group sizes must be positive and non-empty");
            }
            this.groupSizes = groupSizes.clone();
            return this;
        }

        /** The fixed weighted mean of the ratios (the share of the base); required. @throws IllegalArgumentException if outside [0, 1] */
        public Builder meanRatio(double meanRatio) {
            if (!(meanRatio >= 0 && meanRatio <= 1)) {
                throw new IllegalArgumentException("meanRatio must be in [0, 1], was " + meanRatio);
            }
            this.meanRatio = meanRatio;
            return this;
        }

        /** What scores a ratio vector; required. */
        public Builder evaluator(RatioEvaluator evaluator) {
            this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
            return this;
        }

        /** Evaluations to spend, the uniform start included (default 24). @throws IllegalArgumentException if below 1 */
        public Builder budget(int budget) {
            if (budget < 1) {
                throw new IllegalArgumentException("budget must be >= 1, was " + budget);
            }
            this.budget = budget;
            return this;
        }

        /** Offspring per generation, λ (default 4). @throws IllegalArgumentException if below 1 */
        public Builder offspring(int offspring) {
            if (offspring < 1) {
                throw new IllegalArgumentException("offspring must be >= 1, was " + offspring);
            }
            this.offspring = offspring;
            return this;
        }

        /** The initial mutation step (default 0.25). @throws IllegalArgumentException if not in (0, 1] */
        public Builder initialStep(double initialStep) {
            if (!(initialStep > 0 && initialStep <= 1)) {
                throw new IllegalArgumentException("initialStep must be in (0, 1], was " + initialStep);
            }
            this.initialStep = initialStep;
            return this;
        }

        /** The search's seed (default 1). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** @throws IllegalStateException if group sizes, mean ratio or evaluator is missing */
        public HeterogeneousModelAveraging build() {
            if (groupSizes == null || Double.isNaN(meanRatio) || evaluator == null) {
                throw new IllegalStateException("groupSizes, meanRatio and evaluator are required");
            }
            return new HeterogeneousModelAveraging(this);
        }
    }
}
