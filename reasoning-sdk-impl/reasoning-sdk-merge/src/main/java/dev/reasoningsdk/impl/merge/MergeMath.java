package dev.reasoningsdk.impl.merge;

/** Small numeric helpers shared by the kernels. */
final class MergeMath {

    private MergeMath() {
    }

    /** The values rounded to float, as mergekit builds its weight tensors in the model's dtype. */
    static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    /**
     * Checks a parameter is finite once rounded to float, as the kernels use it: {@code 1e308} is a finite double
     * but an infinite float, and would turn a whole merge into NaN.
     *
     * @throws IllegalArgumentException naming {@code where} and the value otherwise
     */
    static void requireFloat(double value, String where) {
        if (!Float.isFinite((float) value)) {
            throw new IllegalArgumentException(where + " is " + value + "; merges compute in float, so it must be"
                    + " finite and at most " + Float.MAX_VALUE + " in magnitude");
        }
    }

    /**
     * A uniform double in [0, 1) for element {@code index} of the stream {@code key}: SplitMix64's finaliser over
     * a counter, so the draw of an element does not depend on how the tensor is chunked.
     */
    static double uniform(long key, long index) {
        long z = key + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    /** A stream key for one model's tensor under a seed, so DARE's masks differ per tensor and model. */
    static long streamKey(long seed, String tensor, int model) {
        long h = seed * 0x9E3779B97F4A7C15L + model;
        for (int i = 0; i < tensor.length(); i++) {
            h = h * 31 + tensor.charAt(i);
        }
        return uniformBits(h);
    }

    private static long uniformBits(long x) {
        long z = x;
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
