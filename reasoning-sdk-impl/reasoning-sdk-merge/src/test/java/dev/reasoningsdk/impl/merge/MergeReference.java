package dev.reasoningsdk.impl.merge;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Straightforward whole-tensor implementations of mergekit's methods, written from mergekit's formulas without the
 * streaming machinery (no chunks, no radix selection), to check the merger against.
 */
final class MergeReference {

    private MergeReference() {
    }

    static float[] linear(float[][] xs, double[] weights, boolean normalize) {
        int n = xs[0].length;
        float[] out = new float[n];
        float sum = 0f;
        for (double w : weights) {
            sum += (float) w;
        }
        for (int j = 0; j < n; j++) {
            float acc = (float) weights[0] * xs[0][j];
            for (int i = 1; i < xs.length; i++) {
                acc += (float) weights[i] * xs[i][j];
            }
            out[j] = normalize ? acc / sum : acc;
        }
        return out;
    }

    /** Task vectors sparsified: {@code mode} 0 none, 1 magnitude, 2 random; consensus null, "sum" or "count". */
    static float[] taskArithmetic(float[] base, float[][] xs, double[] weights, double[] densities, int mode,
                                  String consensus, boolean normalize, boolean rescale, double lambda, long[] keys) {
        int n = base.length;
        int m = xs.length;
        float[][] wd = new float[m][n];
        for (int i = 0; i < m; i++) {
            float[] d = new float[n];
            for (int j = 0; j < n; j++) {
                d[j] = xs[i][j] - base[j];
            }
            if (mode == 1 && densities[i] < 1) {
                int k = (int) (densities[i] * n);
                float[] abs = new float[n];
                for (int j = 0; j < n; j++) {
                    abs[j] = Math.abs(d[j]);
                }
                Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
                Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -abs[j]).thenComparingInt(j -> j));
                boolean[] kept = new boolean[n];
                for (int r = 0; r < k; r++) {
                    kept[order[r]] = true;
                }
                // mergekit's L1 rescaling: the kept entries scaled back to the whole task vector's L1 norm.
                double before = 0;
                double after = 0;
                for (int j = 0; j < n; j++) {
                    before += abs[j];
                    after += kept[j] ? abs[j] : 0;
                }
                float scale = rescale && before >= 1e-7 && after >= 1e-7 ? (float) before / (float) after : 1f;
                for (int j = 0; j < n; j++) {
                    d[j] = kept[j] ? d[j] * scale : 0f;
                }
            } else if (mode == 2 && densities[i] < 1) {
                boolean[] kept = new boolean[n];
                double before = 0;
                double after = 0;
                for (int j = 0; j < n; j++) {
                    kept[j] = MergeMath.uniform(keys[i], j) < densities[i];
                    before += Math.abs(d[j]);
                    after += kept[j] ? Math.abs(d[j]) : 0;
                }
                // mergekit 0.1's DARE rescaling: to the task vector's L1 norm (1/density in expectation).
                float scale = rescale && before >= 1e-7 && after >= 1e-7 ? (float) before / (float) after : 1f;
                for (int j = 0; j < n; j++) {
                    d[j] = kept[j] ? d[j] * scale : 0f;
                }
            }
            for (int j = 0; j < n; j++) {
                wd[i][j] = d[j] * (float) weights[i];
            }
        }
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            float mixed = 0f;
            float divisor = 0f;
            if (consensus == null) {
                for (int i = 0; i < m; i++) {
                    mixed += wd[i][j];
                    divisor += (float) weights[i];
                }
                if (Math.abs(divisor) < 1e-8f) {
                    divisor = 1f;
                }
            } else {
                float vote = 0f;
                for (int i = 0; i < m; i++) {
                    vote += consensus.equals("sum") ? wd[i][j] : Math.signum(wd[i][j]);
                }
                float majority = vote >= 0 ? 1f : -1f;
                for (int i = 0; i < m; i++) {
                    if (Math.signum(wd[i][j]) == majority) {
                        mixed += wd[i][j];
                        divisor += (float) weights[i];
                    }
                }
                if (divisor == 0f) {
                    divisor = 1f;
                }
            }
            if (normalize) {
                mixed /= divisor;
            }
            out[j] = base[j] + mixed * (float) lambda;
        }
        return out;
    }

    static float[] slerp(float[] v0, float[] v1, double t) {
        double n0 = 0;
        double n1 = 0;
        double dot = 0;
        for (int j = 0; j < v0.length; j++) {
            n0 += (double) v0[j] * v0[j];
            n1 += (double) v1[j] * v1[j];
            dot += (double) v0[j] * v1[j];
        }
        n0 = Math.sqrt(n0);
        n1 = Math.sqrt(n1);
        double cos = dot / (n0 > 1e-8 ? n0 : 1) / (n1 > 1e-8 ? n1 : 1);
        float s0;
        float s1;
        if (Math.abs(cos) > 0.9995) {
            s0 = (float) (1 - t);
            s1 = (float) t;
        } else {
            double theta = Math.acos(cos);
            s0 = (float) (Math.sin(theta - theta * t) / Math.sin(theta));
            s1 = (float) (Math.sin(theta * t) / Math.sin(theta));
        }
        float[] out = new float[v0.length];
        for (int j = 0; j < v0.length; j++) {
            out[j] = s0 * v0[j] + s1 * v1[j];
        }
        return out;
    }

    static float[] modelStock(float[] base, float[][] xs) {
        int m = xs.length;
        double cosSum = 0;
        int pairs = 0;
        for (int a = 0; a < m; a++) {
            for (int b = a + 1; b < m; b++) {
                double dab = 0;
                double daa = 0;
                double dbb = 0;
                for (int j = 0; j < base.length; j++) {
                    double da = xs[a][j] - base[j];
                    double db = xs[b][j] - base[j];
                    dab += da * db;
                    daa += da * da;
                    dbb += db * db;
                }
                cosSum += Math.max(-1, Math.min(1, dab / Math.max(Math.sqrt(daa) * Math.sqrt(dbb), 1e-6)));
                pairs++;
            }
        }
        double cos = cosSum / pairs;
        float t = (float) (m * cos / (1 + (m - 1) * cos));
        float[] out = new float[base.length];
        for (int j = 0; j < base.length; j++) {
            float sum = 0f;
            for (float[] x : xs) {
                sum += x[j];
            }
            out[j] = t * (sum / m) + (1f - t) * base[j];
        }
        return out;
    }
}
