package dev.reasoningsdk.impl.merge;

/**
 * mergekit's {@code slerp}: spherical interpolation from the base ({@code t = 0}) to the other model
 * ({@code t = 1}) along the great circle between the two tensors' directions (Shoemake, 1985), falling back to
 * linear interpolation when the directions are nearly colinear ({@code |cos| > 0.9995}). Norms and the dot
 * product are accumulated in double over a pre-pass; a norm at or below {@code 1e-8} is treated as 1, as in
 * mergekit's {@code normalize}.
 */
final class SlerpKernel extends TensorKernel {

    private static final double DOT_THRESHOLD = 0.9995;
    private static final double EPS = 1e-8;

    private final double t;
    private double squared0;
    private double squared1;
    private double dot;
    private float scale0;
    private float scale1;

    SlerpKernel(double t) {
        this.t = t;
    }

    @Override
    int prePasses() {
        return 1;
    }

    @Override
    void observe(int pass, float[][] inputs, int count) {
        float[] v0 = inputs[0];
        float[] v1 = inputs[1];
        for (int j = 0; j < count; j++) {
            squared0 += (double) v0[j] * v0[j];
            squared1 += (double) v1[j] * v1[j];
            dot += (double) v0[j] * v1[j];
        }
    }

    @Override
    void endPass(int pass) {
        double norm0 = Math.sqrt(squared0);
        double norm1 = Math.sqrt(squared1);
        double cosine = dot / (norm0 > EPS ? norm0 : 1) / (norm1 > EPS ? norm1 : 1);
        if (Math.abs(cosine) > DOT_THRESHOLD) {
            scale0 = (float) (1 - t);
            scale1 = (float) t;
            return;
        }
        double theta0 = Math.acos(cosine);
        double sinTheta0 = Math.sin(theta0);
        double thetaT = theta0 * t;
        scale0 = (float) (Math.sin(theta0 - thetaT) / sinTheta0);
        scale1 = (float) (Math.sin(thetaT) / sinTheta0);
    }

    /** The factors applied to the two inputs (after the pre-pass), for tests and reports. */
    float[] scales() {
        return new float[] {scale0, scale1};
    }

    @Override
    void merge(float[][] inputs, int count, long elementOffset, float[] out) {
        float[] v0 = inputs[0];
        float[] v1 = inputs[1];
        for (int j = 0; j < count; j++) {
            out[j] = scale0 * v0[j] + scale1 * v1[j];
        }
    }
}
