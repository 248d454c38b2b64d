package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.merge.SignConsensus;

/**
 * mergekit's generalized task arithmetic, which covers {@code task_arithmetic} (Ilharco et al., 2023), {@code ties}
 * (Yadav et al., 2023, "TIES-Merging") and {@code dare_linear} / {@code dare_ties} (Yu et al., 2024, "Language
 * Models are Super Mario"). For each model the task vector {@code d_i = x_i - base} is sparsified (TIES: keep the
 * {@code floor(density * n)} largest magnitudes; DARE: keep each entry with probability {@code density}, seeded),
 * rescaled when {@code rescale} is set, weighted by {@code w_i}, optionally filtered by sign
 * consensus (sum or count of the weighted entries; zero entries never agree), summed, divided by the summed weights
 * of the agreeing entries when normalising, scaled by {@code lambda} and added to the base.
 *
 * <p>Rescaling ({@code rescale}, DARE's default): the kept entries are multiplied by
 * {@code sum|d_i| / sum|kept d_i|}, mergekit's L1 rescaling (no rescaling when either sum is below {@code 1e-7}).
 * For DARE its expected value is the paper's {@code 1 / density}, which mergekit used before 0.1; it costs DARE one
 * pre-pass over the inputs. For TIES, dividing the largest magnitudes by the density would overshoot the task
 * vector's size several times.
 *
 * <p>The magnitude threshold is found exactly with two streaming radix passes over the float bits of
 * {@code |d_i|}, so a tensor of any size needs only two histograms per model. Entries equal to the threshold are
 * kept lowest index first (mergekit's unstable sort leaves that order unspecified).
 */
final class TaskArithmeticKernel extends TensorKernel {

    /** How task vectors are sparsified. */
    enum Sparsification { NONE, MAGNITUDE, RANDOM }

    private static final int BUCKETS = 1 << 16;

    private final int models;
    private final float[] weights;
    private final double[] densities;
    private final Sparsification sparsification;
    private final SignConsensus consensus;
    private final boolean normalize;
    private final boolean rescale;
    private final float lambda;
    private final long[] streamKeys;
    private final long elementCount;
    private final String tensor;

    private final long[] keep;
    private long[][] histogram;
    private final int[] highBucket;
    private final long[] aboveHigh;
    private final int[] threshold;
    private final long[] equalsToKeep;
    private final long[] equalsSeen;
    /** Per model, {@code sum|d_i|} of each histogram bucket, so the kept entries' L1 norm needs no third pass. */
    private double[][] bucketSums;
    private final double[] totalAbs;
    private final double[] aboveHighAbs;
    private final float[] rescaleFactor;
    /** DARE's pre-pass: per model the L1 norm of the kept entries, and how many elements were seen. */
    private final double[] keptAbs;
    private long observed;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    TaskArithmeticKernel(double[] weights, double[] densities, Sparsification sparsification,
                         SignConsensus consensus, boolean normalize, boolean rescale, double lambda,
                         long[] streamKeys, long elementCount, String tensor) {
        this.models = weights.length;
        this.weights = MergeMath.toFloats(weights);
        this.densities = densities.clone();
        this.sparsification = sparsification;
        this.consensus = consensus;
        this.normalize = normalize;
        this.rescale = rescale;
        this.lambda = (float) lambda;
        this.streamKeys = streamKeys.clone();
        this.elementCount = elementCount;
        this.tensor = tensor;
        this.keep = new long[models];
        this.highBucket = new int[models];
        this.aboveHigh = new long[models];
        this.threshold = new int[models];
        this.equalsToKeep = new long[models];
        this.equalsSeen = new long[models];
        this.totalAbs = new double[models];
        this.aboveHighAbs = new double[models];
        this.rescaleFactor = new float[models];
        this.keptAbs = new double[models];
        java.util.Arrays.fill(rescaleFactor, 1f);
        for (int i = 0; i < models; i++) {
            if (densities[i] < 0 || densities[i] > 1 || Double.isNaN(densities[i])) {
                throw new IllegalArgumentException("density of model " + (i + 1) + " for tensor '" + tensor
                        + "' must be in [0, 1], was " + densities[i]);
            }
            keep[i] = (long) (densities[i] * elementCount);
            if (sparsification == Sparsification.MAGNITUDE && densities[i] < 1 && keep[i] == 0
                    && elementCount > 0) {
                throw new IllegalArgumentException("density " + densities[i] + " keeps no entry of tensor '" + tensor
                        + "' (" + elementCount + " elements)");
            }
        }
    }

    private boolean trims(int model) {
        return sparsification == Sparsification.MAGNITUDE && densities[model] < 1;
    }

    private boolean drops(int model) {
        return sparsification == Sparsification.RANDOM && densities[model] < 1;
    }

    /**
     * DARE's seeded keep decision for element {@code index} of {@code model}'s task vector: one rule for the
     * pre-pass that sums the kept entries and for the merge that keeps them, so the rescale factor describes exactly
     * the entries kept.
     */
    private boolean keptByDrop(int model, long index) {
        return MergeMath.uniform(streamKeys[model], index) < densities[model];
    }

    /** Whether DARE's L1 rescaling needs the pre-pass that sums the kept and the whole task vectors. */
    private boolean rescalesDrops() {
        if (!rescale) {
            return false;
        }
        for (int i = 0; i < models; i++) {
            if (drops(i)) {
                return true;
            }
        }
        return false;
    }

    @Override
    int prePasses() {
        return sparsification == Sparsification.MAGNITUDE ? 2 : rescalesDrops() ? 1 : 0;
    }

    /** Magnitude trimming keeps tied entries in index order, so its chunks must be merged in sequence. */
    @Override
    boolean parallelMerge() {
        return sparsification != Sparsification.MAGNITUDE;
    }

    @Override
    void observe(int pass, float[][] inputs, int count) {
        if (sparsification == Sparsification.RANDOM) {
            observeDrops(inputs, count);
            return;
        }
        if (histogram == null) {
            histogram = new long[models][];
            bucketSums = new double[models][];
        }
        float[] base = inputs[0];
        for (int i = 0; i < models; i++) {
            if (!trims(i)) {
                continue;
            }
            if (histogram[i] == null) {
                histogram[i] = new long[BUCKETS];
                bucketSums[i] = new double[BUCKETS];
            }
            long[] counts = histogram[i];
            double[] sums = bucketSums[i];
            float[] x = inputs[i + 1];
            for (int j = 0; j < count; j++) {
                float magnitude = Math.abs(x[j] - base[j]);
                int bits = Float.floatToRawIntBits(magnitude);
                if (pass == 0) {
                    counts[bits >>> 16]++;
                    sums[bits >>> 16] += magnitude;
                    totalAbs[i] += magnitude;
                } else if ((bits >>> 16) == highBucket[i]) {
                    counts[bits & 0xFFFF]++;
                    sums[bits & 0xFFFF] += magnitude;
                }
            }
        }
    }

    /** DARE's pre-pass: the L1 norms of each task vector and of its kept entries (chunks arrive in order). */
    private void observeDrops(float[][] inputs, int count) {
        float[] base = inputs[0];
        for (int i = 0; i < models; i++) {
            if (!drops(i)) {
                continue;
            }
            float[] x = inputs[i + 1];
            for (int j = 0; j < count; j++) {
                float magnitude = Math.abs(x[j] - base[j]);
                totalAbs[i] += magnitude;
                if (keptByDrop(i, observed + j)) {
                    keptAbs[i] += magnitude;
                }
            }
        }
        observed += count;
    }

    @Override
    void endPass(int pass) {
        if (sparsification == Sparsification.RANDOM) {
            for (int i = 0; i < models; i++) {
                rescaleFactor[i] = drops(i) ? l1Scale(totalAbs[i], keptAbs[i]) : 1f;
            }
            return;
        }
        for (int i = 0; i < models; i++) {
            if (!trims(i)) {
                continue;
            }
            long[] counts = histogram[i];
            double[] sums = bucketSums[i];
            long cumulative = pass == 0 ? 0 : aboveHigh[i];
            double keptAbs = pass == 0 ? 0 : aboveHighAbs[i];
            int bucket = BUCKETS - 1;
            while (bucket > 0 && cumulative + counts[bucket] < keep[i]) {
                cumulative += counts[bucket];
                keptAbs += sums[bucket];
                bucket--;
            }
            if (pass == 0) {
                highBucket[i] = bucket;
                aboveHigh[i] = cumulative;
                aboveHighAbs[i] = keptAbs;
            } else {
                threshold[i] = (highBucket[i] << 16) | bucket;
                equalsToKeep[i] = keep[i] - cumulative;
                keptAbs += equalsToKeep[i] * (double) Float.intBitsToFloat(threshold[i]);
                rescaleFactor[i] = l1Scale(totalAbs[i], keptAbs);
            }
            java.util.Arrays.fill(counts, 0);
            java.util.Arrays.fill(sums, 0);
        }
    }

    /**
     * mergekit's L1 rescaling factor for a trimmed or dropped task vector: its L1 norm over the kept entries' L1
     * norm, or 1 when either is below {@code 1e-7} or rescaling is off.
     */
    private float l1Scale(double before, double after) {
        if (!rescale || before < 1e-7 || after < 1e-7) {
            return 1f;
        }
        return (float) before / (float) after;
    }

    @Override
    void merge(float[][] inputs, int count, long elementOffset, float[] out) {
        float[] base = inputs[0];
        float[] delta = SCRATCH.get();
        if (delta.length < count * models) {
            delta = new float[count * models];
            SCRATCH.set(delta);
        }
        for (int i = 0; i < models; i++) {
            sparsifiedWeightedDelta(i, base, inputs[i + 1], count, elementOffset, delta, i * count);
        }
        for (int j = 0; j < count; j++) {
            float mixed = 0f;
            float divisor = 0f;
            if (consensus == null) {
                for (int i = 0; i < models; i++) {
                    mixed += delta[i * count + j];
                    divisor += weights[i];
                }
                if (Math.abs(divisor) < 1e-8f) {
                    divisor = 1f;
                }
            } else {
                float majority = majoritySign(delta, j, count);
                for (int i = 0; i < models; i++) {
                    float value = delta[i * count + j];
                    if (Math.signum(value) == majority) {
                        mixed += value;
                        divisor += weights[i];
                    }
                }
                if (divisor == 0f) {
                    divisor = 1f;
                }
            }
            if (normalize) {
                mixed /= divisor;
            }
            mixed *= lambda;
            out[j] = base[j] + mixed;
        }
    }

    private float majoritySign(float[] delta, int j, int count) {
        float vote = 0f;
        for (int i = 0; i < models; i++) {
            float value = delta[i * count + j];
            vote += consensus == SignConsensus.SUM ? value : Math.signum(value);
        }
        return vote >= 0f ? 1f : -1f;
    }

    private void sparsifiedWeightedDelta(int model, float[] base, float[] x, int count, long elementOffset,
                                         float[] delta, int at) {
        float weight = weights[model];
        boolean random = drops(model);
        boolean trim = trims(model);
        for (int j = 0; j < count; j++) {
            float d = x[j] - base[j];
            if (trim) {
                d = keepByMagnitude(model, d) ? d * rescaleFactor[model] : 0f;
            } else if (random) {
                d = keptByDrop(model, elementOffset + j) ? d * rescaleFactor[model] : 0f;
            }
            delta[at + j] = d * weight;
        }
    }

    private boolean keepByMagnitude(int model, float d) {
        int bits = Float.floatToRawIntBits(d) & 0x7FFFFFFF;
        if (bits > threshold[model]) {
            return true;
        }
        if (bits == threshold[model] && equalsSeen[model] < equalsToKeep[model]) {
            equalsSeen[model]++;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "TaskArithmeticKernel[" + tensor + "]";
    }
}
