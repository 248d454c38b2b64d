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
 * <p>The search runs on the feasible set {r in [0,1]^G : sum w_g r_g = mean} (w the normalised group sizes) and
 * starts from the uniform ratio (plain averaging at the budget), evaluated first, so it can only improve on it. Two
 * strategies ({@link Strategy}):
 * <ul>
 *   <li>{@link Strategy#CMA_ES} (default): Hansen's (μ/μ<sub>w</sub>, λ)-CMA-ES ({@link CovarianceMatrixAdaptation},
 *   arXiv:1604.00772) in the G − 1 coordinates of the plane of constant weighted mean (an orthonormal basis of it),
 *   each sample mapped to a ratio vector and repaired into the box without moving the mean; λ defaults to
 *   4 + ⌊3 ln(G − 1)⌋, σ<sub>0</sub> to the initial step.</li>
 *   <li>{@link Strategy#ONE_PLUS_LAMBDA}: a (1+λ) evolution strategy whose offspring add Gaussian noise projected
 *   onto the same plane, repaired the same way, with the 1/5th success rule on the step; λ defaults to 4.</li>
 * </ul>
 * The objective is the smaller of reward and retained skill ({@link RatioEvaluator.Scores#worst()}), ties broken by
 * their sum; CMA-ES ranks its samples by it. The evaluator is black-box and pluggable. When the feasible set is a
 * single point (one group, or a mean of 0 or 1) the search stops after the start.
 *
 * <p>Defaults: CMA-ES, 24 evaluations (the start included), initial step 0.25, seed 1; deterministic for a seed.
 * Not thread-safe while searching (one search at a time per instance is the caller's to ensure); the instance itself
 * is immutable.
 */
public final class HeterogeneousModelAveraging {

    private static final Logger LOG = LoggerFactory.getLogger(HeterogeneousModelAveraging.class);

    /** How the ratios are searched. */
    public enum Strategy {
        /** Hansen's (μ/μ<sub>w</sub>, λ)-CMA-ES on the plane of constant weighted mean (the default). */
        CMA_ES,
        /** A (1+λ) evolution strategy with the 1/5th success rule. */
        ONE_PLUS_LAMBDA
    }

    private static final Comparator<HmaPoint> BEST_FIRST = (a, b) -> better(a, b) ? -1 : better(b, a) ? 1 : 0;

    private final double[] weights;
    private final double meanRatio;
    private final RatioEvaluator evaluator;
    private final int budget;
    private final Strategy strategy;
    private final Integer offspring;
    private final double initialStep;
    private final long seed;

    private HeterogeneousModelAveraging(Builder builder) {
        double total = Arrays.stream(builder.groupSizes).sum();
        this.weights = Arrays.stream(builder.groupSizes).map(size -> size / total).toArray();
        this.meanRatio = builder.meanRatio;
        this.evaluator = builder.evaluator;
        this.budget = builder.budget;
        this.strategy = builder.strategy;
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
        HmaPoint first = evaluate(uniform, history);
        boolean singlePoint = weights.length == 1 || meanRatio == 0 || meanRatio == 1;
        if (!singlePoint) {
            switch (strategy) {
                case CMA_ES -> covarianceMatrixAdaptation(uniform, random, history);
                case ONE_PLUS_LAMBDA -> onePlusLambda(first, random, history);
                default -> throw new IllegalStateException("unknown strategy " + strategy);
            }
        }
        HmaPoint best = history.stream().reduce((a, b) -> better(b, a) ? b : a).orElseThrow();
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        return new HmaResult(best, front(history), history, meanRatio,
                new Usage(0, history.size(), 0, 0, 0, wall));
    }

    private void covarianceMatrixAdaptation(double[] uniform, SplittableRandom random, List<HmaPoint> history) {
        double[][] basis = planeBasis();
        int dimension = weights.length - 1;
        int lambda = offspring != null ? offspring : CovarianceMatrixAdaptation.defaultPopulation(dimension);
        CovarianceMatrixAdaptation cma = new CovarianceMatrixAdaptation(new double[dimension], initialStep, lambda);
        while (history.size() < budget) {
            List<HmaPoint> generation = new ArrayList<>();
            for (double[] z : cma.ask(random)) {
                if (history.size() >= budget) {
                    return;
                }
                double[] ratios = uniform.clone();
                for (int g = 0; g < ratios.length; g++) {
                    for (int k = 0; k < dimension; k++) {
                        ratios[g] += basis[g][k] * z[k];
                    }
                }
                generation.add(evaluate(repair(ratios), history));
            }
            generation.sort(BEST_FIRST);
            // CMA-ES learns from the repaired points, not the raw samples: what was scored is the repaired point,
            // and the weighted mean of feasible points is feasible, so the mean never drifts out of the box into
            // a region where every sample repairs onto the same face and the ranking goes flat. The step clipping
            // in CovarianceMatrixAdaptation keeps such injected points from distorting the step size.
            List<double[]> bestFirst = new ArrayList<>();
            for (HmaPoint point : generation) {
                double[] offset = point.ratios();
                double[] z = new double[dimension];
                for (int k = 0; k < dimension; k++) {
                    for (int g = 0; g < offset.length; g++) {
                        z[k] += basis[g][k] * (offset[g] - uniform[g]);
                    }
                }
                bestFirst.add(z);
            }
            cma.tell(bestFirst);
            LOG.debug("HMA CMA-ES generation: best {} sigma {}", generation.get(0), cma.sigma());
        }
    }

    /**
     * An orthonormal basis (the columns, G x (G - 1)) of the plane sum w_g r_g = 0: the last G - 1 columns of the
     * Householder reflection that maps e_1 to w / |w|. CMA-ES runs in these coordinates rather than in R^G because
     * along w the objective is undefined (the mean is pinned), and a covariance learnt in R^G would shrink to zero
     * along w, making C singular and C^(-1/2) blow up.
     */
    private double[][] planeBasis() {
        int groups = weights.length;
        double length = Math.sqrt(Arrays.stream(weights).map(w -> w * w).sum());
        double[] v = new double[groups];
        for (int g = 0; g < groups; g++) {
            v[g] = weights[g] / length;
        }
        // Weights are positive, so v_0 + 1 > 1 and the reflection is well conditioned.
        v[0] += 1;
        double vv = Arrays.stream(v).map(x -> x * x).sum();
        double[][] basis = new double[groups][groups - 1];
        for (int g = 0; g < groups; g++) {
            for (int k = 1; k < groups; k++) {
                basis[g][k - 1] = (g == k ? 1 : 0) - 2 * v[g] * v[k] / vv;
            }
        }
        return basis;
    }

    private void onePlusLambda(HmaPoint start, SplittableRandom random, List<HmaPoint> history) {
        HmaPoint parent = start;
        int lambda = offspring != null ? offspring : 4;
        double step = initialStep;
        while (history.size() < budget) {
            HmaPoint bestChild = null;
            for (int k = 0; k < lambda && history.size() < budget; k++) {
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
            LOG.debug("HMA (1+λ) generation: parent {} step {}", parent, step);
        }
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
            z[g] = CovarianceMatrixAdaptation.gaussian(random) * step;
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

    /** Builds a {@link HeterogeneousModelAveraging}; setters validate at once. Not thread-safe. */
    public static final class Builder {
        private double[] groupSizes;
        private double meanRatio = Double.NaN;
        private RatioEvaluator evaluator;
        private int budget = 24;
        private Strategy strategy = Strategy.CMA_ES;
        private Integer offspring;
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

        /**
         * The fixed weighted mean of the ratios (the share of the base); required. @throws IllegalArgumentException if
         * outside [0, 1]
         */
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

        /**
         * Evaluations to spend, the uniform start included (default 24). @throws IllegalArgumentException if below 1
         */
        public Builder budget(int budget) {
            if (budget < 1) {
                throw new IllegalArgumentException("budget must be >= 1, was " + budget);
            }
            this.budget = budget;
            return this;
        }

        /** The search strategy (default {@link Strategy#CMA_ES}). */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Offspring per generation, λ (default 4 + ⌊3 ln(G − 1)⌋ for CMA-ES, 4 for the (1+λ) strategy).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder offspring(int offspring) {
            if (offspring < 1) {
                throw new IllegalArgumentException("offspring must be >= 1, was " + offspring);
            }
            this.offspring = offspring;
            return this;
        }

        /**
         * The initial step: σ<sub>0</sub> for CMA-ES, the first mutation step for (1+λ) (default 0.25).
         *
         * @throws IllegalArgumentException if not in (0, 1]
         */
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

        /**
         * @throws IllegalStateException if group sizes, mean ratio or evaluator is missing, or CMA-ES is asked for
         *                               fewer than 2 offspring (it recombines the best λ/2)
         */
        public HeterogeneousModelAveraging build() {
            if (groupSizes == null || Double.isNaN(meanRatio) || evaluator == null) {
                throw new IllegalStateException("groupSizes, meanRatio and evaluator are required");
            }
            if (strategy == Strategy.CMA_ES && offspring != null && offspring < 2) {
                throw new IllegalStateException("CMA-ES needs offspring >= 2 (it recombines the best half), was "
                        + offspring + "; use Strategy.ONE_PLUS_LAMBDA for a single offspring");
            }
            return new HeterogeneousModelAveraging(this);
        }
    }
}
