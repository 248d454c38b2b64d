package dev.reasoningsdk.impl.merge.internal;

/**
 * Conversions between {@code float} and the 16-bit float formats, rounding to nearest even. Java 17 has no
 * {@code Float.floatToFloat16}, and a merge must round exactly like PyTorch's {@code .to(bfloat16)} to be
 * reproducible.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /** bfloat16 bits for {@code value}, round-to-nearest-even; NaN stays a (quiet) NaN. */
    public static short floatToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
        int quietNan = (bits >>> 16) | 0x0040;
        // A select rather than an early return keeps the loop over a chunk branch-free.
        return (short) ((bits & 0x7FFFFFFF) > 0x7F800000 ? quietNan : rounded);
    }

    /** The float for bfloat16 bits. */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The float for IEEE binary16 bits (exact). */
    public static float halfToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Subnormal (or zero): value = mantissa * 2^-24, exact in float.
            float magnitude = mantissa * 0x1.0p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** IEEE binary16 bits for {@code value}, round-to-nearest-even, overflow to infinity. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF));
        }
        if (abs >= 0x477FF000) {
            // At or above 65520 (the midpoint past the largest half), everything rounds to infinity.
            return (short) (sign | 0x7C00);
        }
        if (abs < 0x38800000) {
            // Below the smallest normal half (2^-14): produce a subnormal, rounding the exact value * 2^24.
            float scaled = Float.intBitsToFloat(abs) * 0x1.0p24f;
            int rounded = (int) Math.rint(scaled);
            return (short) (sign | rounded);
        }
        int exponent = ((abs >>> 23) - 112) << 10;
        int mantissa = abs & 0x7FFFFF;
        int half = exponent | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}
