package dev.reasoningsdk.impl.onnx;

import java.util.List;
import java.util.Objects;

/**
 * One initializer (a constant tensor, usually a weight) of an ONNX graph, as listed by
 * {@link OnnxModelFile#initializers()}.
 *
 * @param name         the tensor name, unique in the graph
 * @param dims         the shape; empty for a scalar
 * @param dataType     the ONNX {@code TensorProto.DataType} name, e.g. {@code "FLOAT"}, {@code "INT64"}
 * @param elementCount the number of elements (the product of {@code dims})
 */
public record OnnxInitializer(String name, List<Long> dims, String dataType, long elementCount) {

    /** @throws IllegalArgumentException if a dimension or the element count is negative */
    public OnnxInitializer {
        Objects.requireNonNull(name, "name");
        dims = List.copyOf(dims);
        Objects.requireNonNull(dataType, "dataType");
        if (dims.stream().anyMatch(d -> d < 0) || elementCount < 0) {
            throw new IllegalArgumentException("initializer " + name + " has a negative dimension " + dims);
        }
    }

    /** Whether this holds 32-bit floats, the type {@link OnnxModelFile#floatInitializer(String)} reads. */
    public boolean isFloat() {
        return "FLOAT".equals(dataType);
    }
}
