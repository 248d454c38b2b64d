package dev.reasoningsdk.impl.merge.internal;

import java.util.List;
import java.util.Objects;

/**
 * One tensor of a checkpoint: name, dtype, shape and its byte range relative to the start of the data section.
 *
 * @param name  the tensor name
 * @param dtype the element type
 * @param shape the dimensions (empty for a scalar)
 * @param begin first byte, relative to the data section
 * @param end   one past the last byte, relative to the data section
 */
public record TensorInfo(String name, Dtype dtype, List<Long> shape, long begin, long end) {

    /** @throws IllegalArgumentException if the range is reversed or a dimension negative */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = List.copyOf(shape);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("bad byte range " + begin + ".." + end + " for " + name);
        }
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in " + name);
            }
        }
    }

    /** The number of elements (the product of the shape). @throws ArithmeticException on overflow */
    public long elementCount() {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** The tensor's size in bytes. */
    public long byteSize() {
        return end - begin;
    }
}
