package dev.reasoningsdk.impl.merge;

/**
 * mergekit's {@code linear}: {@code sum_i w_i x_i}, divided by {@code sum_i w_i} when normalised (model averaging,
 * Wortsman et al., 2022, "Model soups"). Computed in float like mergekit's float32 tensors.
 */
final class LinearKernel extends TensorKernel {

    private final float[] weights;
    private final float divisor;

    LinearKernel(double[] weights, boolean normalize, String tensor) {
        this.weights = MergeMath.toFloats(weights);
        float sum = 0f;
        for (float weight : this.weights) {
            sum += weight;
        }
        if (normalize && (sum == 0f || !Float.isFinite(sum))) {
            throw new IllegalArgumentException("linear weights of tensor '" + tensor + "' sum to " + sum
                    + " in float; cannot normalize");
        }
        this.divisor = normalize ? sum : 1f;
    }

    @Override
    void merge(float[][] inputs, int count, long elementOffset, float[] out) {
        float w0 = weights[0];
        float[] x0 = inputs[0];
        if (weights.length == 2 && divisor == 1f) {
            // The common pairwise average in one pass; same roundings as the general loop below.
            float w1 = weights[1];
            float[] x1 = inputs[1];
            for (int j = 0; j < count; j++) {
                out[j] = w0 * x0[j] + w1 * x1[j];
            }
            return;
        }
        for (int j = 0; j < count; j++) {
            out[j] = w0 * x0[j];
        }
        for (int i = 1; i < weights.length; i++) {
            float w = weights[i];
            float[] x = inputs[i];
            for (int j = 0; j < count; j++) {
                out[j] += w * x[j];
            }
        }
        if (divisor != 1f) {
            for (int j = 0; j < count; j++) {
                out[j] /= divisor;
            }
        }
    }
}
