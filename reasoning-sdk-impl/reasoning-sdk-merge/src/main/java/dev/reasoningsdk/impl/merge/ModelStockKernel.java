package dev.reasoningsdk.impl.merge;

/**
 * mergekit's {@code model_stock} (Jang et al., 2024, "Model Stock: All we need is just a few fine-tuned models"):
 * with task vectors {@code d_i = x_i - base} of {@code N >= 2} models and {@code cos} the mean of their pairwise
 * cosines (each clamped to [-1, 1], norms product floored at {@code 1e-6}), the ratio
 * {@code t = N cos / (1 + (N - 1) cos)} interpolates the models' average toward the base:
 * {@code t * mean(x_i) + (1 - t) * base}. Whole-tensor dots are accumulated in double over a pre-pass.
 */
final class ModelStockKernel extends TensorKernel {

    private final int models;
    private final double[][] dots;
    private float ratio;

    ModelStockKernel(int models) {
        if (models < 2) {
            throw new IllegalArgumentException("model_stock needs at least two models besides the base");
        }
        this.models = models;
        this.dots = new double[models][models];
    }

    @Override
    int prePasses() {
        return 1;
    }

    @Override
    void observe(int pass, float[][] inputs, int count) {
        float[] base = inputs[0];
        for (int j = 0; j < count; j++) {
            for (int a = 0; a < models; a++) {
                double da = inputs[a + 1][j] - base[j];
                for (int b = a; b < models; b++) {
                    dots[a][b] += da * (inputs[b + 1][j] - base[j]);
                }
            }
        }
    }

    @Override
    void endPass(int pass) {
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < models; a++) {
            for (int b = a + 1; b < models; b++) {
                double normProduct = Math.sqrt(dots[a][a]) * Math.sqrt(dots[b][b]);
                double cosine = dots[a][b] / Math.max(normProduct, 1e-6);
                sum += Math.max(-1, Math.min(1, cosine));
                pairs++;
            }
        }
        double cosine = sum / pairs;
        ratio = (float) (models * cosine / (1 + (models - 1) * cosine));
    }

    /** The interpolation ratio {@code t} (after the pre-pass). */
    float ratio() {
        return ratio;
    }

    @Override
    void merge(float[][] inputs, int count, long elementOffset, float[] out) {
        float[] base = inputs[0];
        float n = models;
        float keepBase = 1f - ratio;
        for (int j = 0; j < count; j++) {
            float sum = 0f;
            for (int i = 1; i <= models; i++) {
                sum += inputs[i][j];
            }
            out[j] = ratio * (sum / n) + keepBase * base[j];
        }
    }
}
