package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.impl.merge.internal.Dtype;
import dev.reasoningsdk.impl.merge.internal.SafetensorsReader;
import dev.reasoningsdk.impl.merge.internal.SafetensorsWriter;
import dev.reasoningsdk.impl.merge.internal.TensorInfo;
import dev.reasoningsdk.impl.merge.internal.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small random checkpoints for tests, written and read through the library's own safetensors classes. */
final class Checkpoints {

    /** Tensor shapes of a two-layer toy transformer, with names that carry layers and ones that do not. */
    static final Map<String, List<Long>> SHAPES = shapes();

    private Checkpoints() {
    }

    private static Map<String, List<Long>> shapes() {
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        // Several tensors exceed the tests' 1024-element chunks, so chunk boundaries are exercised.
        shapes.put("model.embed_tokens.weight", List.of(50L, 32L));
        for (int layer = 0; layer < 3; layer++) {
            shapes.put("model.layers." + layer + ".self_attn.q_proj.weight", List.of(32L, 32L));
            shapes.put("model.layers." + layer + ".mlp.up_proj.weight", List.of(96L, 32L));
            shapes.put("model.layers." + layer + ".input_layernorm.weight", List.of(32L));
        }
        shapes.put("model.norm.weight", List.of(32L));
        shapes.put("lm_head.weight", List.of(50L, 32L));
        return shapes;
    }

    /** Random values for every tensor of {@link #SHAPES}; {@code related} perturbs {@code base} instead. */
    static Map<String, float[]> random(long seed, Map<String, float[]> related) {
        Random random = new Random(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        SHAPES.forEach((name, shape) -> {
            int count = (int) shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                float noise = (float) random.nextGaussian() * 0.05f;
                values[i] = related == null ? (float) random.nextGaussian() : related.get(name)[i] + noise;
            }
            tensors.put(name, values);
        });
        return tensors;
    }

    /** Writes tensors (shapes from {@link #SHAPES}) in {@code dtype}. */
    static Path write(Path file, Map<String, float[]> tensors, Dtype dtype, Map<String, String> metadata) {
        List<TensorSpec> specs = new ArrayList<>();
        tensors.forEach((name, values) -> specs.add(new TensorSpec(name, dtype, SHAPES.get(name))));
        try (SafetensorsWriter writer = SafetensorsWriter.single(file, metadata, specs)) {
            writeAll(writer, tensors, dtype);
            writer.commit();
        }
        return file;
    }

    static void writeAll(SafetensorsWriter writer, Map<String, float[]> tensors, Dtype dtype) {
        for (float[] values : tensors.values()) {
            ByteBuffer buffer = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            dtype.encode(values, values.length, buffer);
            buffer.flip();
            writer.write(buffer);
        }
    }

    /** Reads every floating tensor as float. */
    static Map<String, float[]> read(Path path) throws Exception {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        try (SafetensorsReader reader = SafetensorsReader.open(path)) {
            for (TensorInfo tensor : reader.tensors()) {
                ByteBuffer buffer = ByteBuffer.allocate((int) tensor.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                reader.read(tensor.name(), 0, buffer);
                buffer.flip();
                float[] values = new float[(int) tensor.elementCount()];
                tensor.dtype().decode(buffer, values, values.length);
                tensors.put(tensor.name(), values);
            }
        }
        return tensors;
    }

    /** The values as they are after a round trip through {@code dtype}. */
    static Map<String, float[]> rounded(Map<String, float[]> tensors, Dtype dtype) {
        Map<String, float[]> result = new LinkedHashMap<>();
        tensors.forEach((name, values) -> {
            ByteBuffer buffer = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            dtype.encode(values, values.length, buffer);
            buffer.flip();
            float[] back = new float[values.length];
            dtype.decode(buffer, back, values.length);
            result.put(name, back);
        });
        return result;
    }
}
