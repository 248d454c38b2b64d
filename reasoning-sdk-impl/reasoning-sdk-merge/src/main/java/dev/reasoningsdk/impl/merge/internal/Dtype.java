package dev.reasoningsdk.impl.merge.internal;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Element types of safetensors files, named as in the format's header. Floating types are converted to and from
 * {@code float} for merging (round-to-nearest-even on the way back); the others are passed through unchanged.
 */
public enum Dtype {
    /** IEEE 754 binary64. */
    F64(64, true),
    /** IEEE 754 binary32. */
    F32(32, true),
    /** IEEE 754 binary16. */
    F16(16, true),
    /** bfloat16: the upper half of a binary32. */
    BF16(16, true),
    /** Signed 64-bit integer. */
    I64(64, false),
    /** Signed 32-bit integer. */
    I32(32, false),
    /** Signed 16-bit integer. */
    I16(16, false),
    /** Signed 8-bit integer. */
    I8(8, false),
    /** Unsigned 64-bit integer. */
    U64(64, false),
    /** Unsigned 32-bit integer. */
    U32(32, false),
    /** Unsigned 16-bit integer. */
    U16(16, false),
    /** Unsigned 8-bit integer. */
    U8(8, false),
    /** Boolean, one byte. */
    BOOL(8, false),
    /** 8-bit float, 5 exponent bits (passed through). */
    F8_E5M2(8, false),
    /** 8-bit float, 4 exponent bits (passed through). */
    F8_E4M3(8, false);

    private final int bits;
    private final boolean mergeable;

    Dtype(int bits, boolean mergeable) {
        this.bits = bits;
        this.mergeable = mergeable;
    }

    /** Per-thread staging for 16-bit conversions, so bulk buffer copies replace per-element buffer calls. */
    private static final ThreadLocal<short[]> SCRATCH = ThreadLocal.withInitial(() -> new short[0]);

    private static short[] scratch(int count) {
        short[] bits = SCRATCH.get();
        if (bits.length < count) {
            bits = new short[count];
            SCRATCH.set(bits);
        }
        return bits;
    }

    /** Bytes per element. */
    public int byteSize() {
        return bits / 8;
    }

    /** Whether tensors of this type are merged (floating types) rather than passed through. */
    public boolean mergeable() {
        return mergeable;
    }

    /** The dtype for a header name, if known. */
    public static Optional<Dtype> fromName(String name) {
        for (Dtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return Optional.of(dtype);
            }
        }
        return Optional.empty();
    }

    /**
     * The smallest float magnitude that this (floating) type cannot hold as a finite value: it rounds to infinity
     * on {@link #encode} (F16: 65520, the midpoint past the largest half; BF16: the midpoint past the largest
     * bfloat16). Infinity for F32 and F64, which hold every finite float.
     */
    public float overflowThreshold() {
        return switch (this) {
            case F16 -> Float.intBitsToFloat(0x477FF000);
            case BF16 -> Float.intBitsToFloat(0x7F7F8000);
            default -> Float.POSITIVE_INFINITY;
        };
    }

    /**
     * Reads {@code count} elements of this (floating) type from {@code src} (little-endian, at its position) into
     * {@code dst[0..count)}, advancing the buffer.
     */
    public void decode(ByteBuffer src, float[] dst, int count) {
        switch (this) {
            case F32 -> src.asFloatBuffer().get(dst, 0, count);
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst[i] = (float) src.getDouble(src.position() + 8 * i);
                }
            }
            case BF16 -> {
                short[] bits = scratch(count);
                src.asShortBuffer().get(bits, 0, count);
                for (int i = 0; i < count; i++) {
                    dst[i] = Float.intBitsToFloat(bits[i] << 16);
                }
            }
            case F16 -> {
                int base = src.position();
                for (int i = 0; i < count; i++) {
                    dst[i] = HalfFloats.halfToFloat(src.getShort(base + 2 * i));
                }
            }
            default -> throw new IllegalStateException(this + " tensors are passed through, not decoded");
        }
        src.position(src.position() + count * byteSize());
    }

    /** Writes {@code src[0..count)} as this (floating) type into {@code dst} at its position, advancing it. */
    public void encode(float[] src, int count, ByteBuffer dst) {
        int base = dst.position();
        switch (this) {
            case F32 -> dst.asFloatBuffer().put(src, 0, count);
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst.putDouble(base + 8 * i, src[i]);
                }
            }
            case BF16 -> {
                short[] bits = scratch(count);
                for (int i = 0; i < count; i++) {
                    bits[i] = HalfFloats.floatToBfloat16(src[i]);
                }
                dst.asShortBuffer().put(bits, 0, count);
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst.putShort(base + 2 * i, HalfFloats.floatToHalf(src[i]));
                }
            }
            default -> throw new IllegalStateException(this + " tensors are passed through, not encoded");
        }
        dst.position(base + count * byteSize());
    }
}
