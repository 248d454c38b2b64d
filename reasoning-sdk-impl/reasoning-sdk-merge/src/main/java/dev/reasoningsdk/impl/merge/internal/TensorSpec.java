package dev.reasoningsdk.impl.merge.internal;

import java.util.List;
import java.util.Objects;

/**
 * A tensor to be written: name, dtype and shape (its bytes follow in write order).
 *
 * @param name  the tensor name
 * @param dtype the element type
 * @param shape the dimensions
 */
public record TensorSpec(String name, Dtype dtype, List<Long> shape) {

    /** @throws IllegalArgumentException if the name is empty or reserved, or a dimension negative */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = List.copyOf(shape);
        if (name.isEmpty() || name.equals("__metadata__")) {
            throw new IllegalArgumentException("bad tensor name '" + name + "'");
        }
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in " + name);
            }
        }
    }

    /** Size in bytes. @throws ArithmeticException on overflow */
    public long byteSize() {
        long count = dtype.byteSize();
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }
}
