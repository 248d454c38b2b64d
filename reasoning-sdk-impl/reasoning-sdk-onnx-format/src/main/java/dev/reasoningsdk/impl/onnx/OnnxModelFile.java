package dev.reasoningsdk.impl.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.onnx.internal.OnnxExternalData;
import dev.reasoningsdk.impl.onnx.internal.OnnxModelProtos;
import dev.reasoningsdk.impl.onnx.internal.OnnxTensorTypes;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.StringStringEntryProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An ONNX model file held as its protobuf message: list its initializers, read FLOAT initializers as
 * arrays, replace their values, edit metadata, and write the model back. Model merging and the decoder-with-past
 * graph builder use it; ONNX Runtime itself never sees this class, only the bytes it writes.
 *
 * <p>Reading validates before use: the model must parse, have a graph and an IR version, declare at least one
 * opset, and every initializer's stored data must match its shape and type (so a truncated or garbage file fails
 * with a {@link ModelLoadException} naming the model, instead of a wrong answer later). A model read from a file may
 * keep tensors as external data in files inside its own folder, and model bytes may not refer to files at all
 * ({@link OnnxExternalData} checks both); such initializers are listed but cannot be read or replaced here. A model
 * built in code is not checked until a session opens its bytes.
 *
 * <p>Immutable and thread-safe: every {@code with...} method returns a new model.
 */
public final class OnnxModelFile {

    private final String name;
    private final ModelProto model;
    private final Map<String, Integer> initializerIndex;

    private OnnxModelFile(String name, ModelProto model) {
        this.name = name;
        this.model = model;
        Map<String, Integer> index = new HashMap<>();
        List<TensorProto> initializers = model.getGraph().getInitializerList();
        for (int i = 0; i < initializers.size(); i++) {
            TensorProto tensor = initializers.get(i);
            if (index.putIfAbsent(tensor.getName(), i) != null) {
                throw new ModelLoadException("model " + name + ": initializer " + tensor.getName()
                        + " appears twice");
            }
            checkStoredData(name, tensor);
        }
        this.initializerIndex = Map.copyOf(index);
    }

    /**
     * Reads and validates a model from {@code source}.
     *
     * @throws ModelLoadException naming the model when it is missing, too large, not an ONNX model, its
     *                            initializers do not match their shapes, or it refers to external data that
     *                            {@link OnnxExternalData} refuses (outside a file's folder, or any from bytes)
     */
    public static OnnxModelFile read(ModelSource source) {
        Objects.requireNonNull(source, "source");
        byte[] bytes = source.readBytes();
        OnnxModelFile model = parseUnchecked(source.name(), bytes);
        Optional<Path> file = source.file();
        if (file.isPresent()) {
            OnnxExternalData.checkInFolder(source.name(), file.get(), bytes);
        } else {
            OnnxExternalData.refuseAny(source.name(), bytes);
        }
        return model;
    }

    /** Reads and validates a model file; see {@link #read(ModelSource)}. */
    public static OnnxModelFile read(Path path) {
        return read(ModelSource.file(path));
    }

    /**
     * Parses and validates model bytes; see {@link #read(ModelSource)}. Bytes have no folder, so they may not refer
     * to external data files.
     */
    public static OnnxModelFile parse(String name, byte[] bytes) {
        OnnxModelFile model = parseUnchecked(name, bytes);
        OnnxExternalData.refuseAny(name, bytes);
        return model;
    }

    private static OnnxModelFile parseUnchecked(String name, byte[] bytes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new ModelLoadException("model " + name + " is empty (0 bytes)");
        }
        ModelProto model;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(bytes.length);
            model = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException("model " + name + " is not an ONNX model: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("model " + name + " could not be parsed: " + e, e);
        }
        return of(name, model);
    }

    /**
     * Wraps a model built in code (for example a graph written from scratch), validating it like a file. Not API:
     * the generated protobuf classes are internal, so code of this project reaches it through
     * {@link OnnxModelProtos#of(String, ModelProto)}.
     *
     * @throws ModelLoadException naming the model when it lacks a graph, IR version or opset, or an initializer is
     *                            inconsistent
     */
    static OnnxModelFile of(String name, ModelProto model) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        if (!model.hasGraph()) {
            throw new ModelLoadException("model " + name + " is not an ONNX model: it has no graph");
        }
        if (model.getIrVersion() <= 0) {
            throw new ModelLoadException("model " + name + " is not an ONNX model: ir_version is "
                    + model.getIrVersion());
        }
        if (model.getOpsetImportCount() == 0) {
            throw new ModelLoadException("model " + name + " is not an ONNX model: it imports no opset");
        }
        return new OnnxModelFile(name, model);
    }

    /** The name used in messages (the source's name). */
    public String name() {
        return name;
    }

    /**
     * The underlying protobuf message, for code that builds or inspects graphs. Not API: reached through
     * {@link OnnxModelProtos#proto(OnnxModelFile)}.
     */
    ModelProto proto() {
        return model;
    }

    /** The model's custom metadata ({@code metadata_props}) in file order. */
    public Map<String, String> metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto entry : model.getMetadataPropsList()) {
            metadata.put(entry.getKey(), entry.getValue());
        }
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /** Every initializer in graph order. */
    public List<OnnxInitializer> initializers() {
        List<OnnxInitializer> result = new ArrayList<>(model.getGraph().getInitializerCount());
        for (TensorProto tensor : model.getGraph().getInitializerList()) {
            result.add(new OnnxInitializer(tensor.getName(), tensor.getDimsList(),
                    OnnxTensorTypes.typeName(tensor.getDataType()),
                    elementCount(name, tensor)));
        }
        return List.copyOf(result);
    }

    /**
     * The values of a FLOAT initializer, row-major.
     *
     * @throws IllegalArgumentException if there is no initializer of that name, or it is not FLOAT, or it is stored
     *                                  as external data
     */
    public float[] floatInitializer(String initializerName) {
        TensorProto tensor = floatTensor(initializerName);
        int count = Math.toIntExact(elementCount(name, tensor));
        if (tensor.getFloatDataCount() > 0) {
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                values[i] = tensor.getFloatData(i);
            }
            return values;
        }
        float[] values = new float[count];
        tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    /**
     * A copy of this model with the given FLOAT initializers' values replaced (stored as little-endian raw data);
     * every other field, metadata included, is kept.
     *
     * @throws IllegalArgumentException if a name is unknown, not FLOAT, external, or its new array's length differs
     *                                  from the initializer's element count (shapes never change)
     */
    public OnnxModelFile withFloatInitializers(Map<String, float[]> replacements) {
        Objects.requireNonNull(replacements, "replacements");
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (Map.Entry<String, float[]> entry : replacements.entrySet()) {
            TensorProto tensor = floatTensor(entry.getKey());
            float[] values = Objects.requireNonNull(entry.getValue(), "values of " + entry.getKey());
            long expected = elementCount(name, tensor);
            if (values.length != expected) {
                throw new IllegalArgumentException("initializer " + entry.getKey() + " has shape "
                        + tensor.getDimsList() + " (" + expected + " values) but " + values.length + " were given");
            }
            ByteBuffer raw = ByteBuffer.allocate(Math.multiplyExact(values.length, Float.BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(values);
            TensorProto replaced = tensor.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(raw.array()))
                    .build();
            graph.setInitializer(initializerIndex.get(entry.getKey()), replaced);
        }
        return new OnnxModelFile(name, model.toBuilder().setGraph(graph).build());
    }

    /** A copy of this model with the metadata entries set (added, or replacing a value under the same key). */
    public OnnxModelFile withMetadata(Map<String, String> entries) {
        Objects.requireNonNull(entries, "entries");
        Map<String, String> merged = new LinkedHashMap<>(metadata());
        entries.forEach((key, value) -> merged.put(Objects.requireNonNull(key, "key"),
                Objects.requireNonNull(value, "value of " + key)));
        ModelProto.Builder builder = model.toBuilder().clearMetadataProps();
        merged.forEach((key, value) -> builder.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
        return new OnnxModelFile(name, builder.build());
    }

    /**
     * A copy of this model that also outputs the named intermediate tensors, e.g. hidden states the exported graph
     * computes but does not return (their types and shapes are left for ONNX Runtime to infer). Names already among
     * the outputs are not added twice.
     *
     * @throws IllegalArgumentException if a name is not produced by any node of the graph
     */
    public OnnxModelFile withGraphOutputs(List<String> names) {
        Objects.requireNonNull(names, "names");
        Set<String> produced = new HashSet<>();
        model.getGraph().getNodeList().forEach(node -> produced.addAll(node.getOutputList()));
        Set<String> outputs = new HashSet<>();
        model.getGraph().getOutputList().forEach(output -> outputs.add(output.getName()));
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (String output : names) {
            if (!produced.contains(output)) {
                throw new IllegalArgumentException("model " + name + ": no node produces '" + output + "'");
            }
            if (outputs.add(output)) {
                graph.addOutput(ValueInfoProto.newBuilder()
                        .setName(output));
            }
        }
        return new OnnxModelFile(name, model.toBuilder().setGraph(graph).build());
    }

    /** The serialised model, ready for ONNX Runtime ({@link ModelSource#bytes(String, byte[])}) or a file. */
    public byte[] toBytes() {
        return model.toByteArray();
    }

    /**
     * Writes the model to {@code path} atomically: to a new temporary file beside it (a random name, created
     * exclusively), forced to disk, then renamed over it, so a crash, a full disk or a kill never leaves half a model
     * behind and the temporary file is deleted after any failure. An existing file is replaced; a symbolic link at
     * {@code path} is replaced, not followed.
     *
     * @throws ModelLoadException if writing fails
     */
    public void write(Path path) {
        Objects.requireNonNull(path, "path");
        Path absolute = path.toAbsolutePath();
        Path temporary = null;
        boolean moved = false;
        try {
            // Like the SDK's shared atomic writer (in reasoning-sdk-core, which this artifact does not depend on).
            temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer bytes = ByteBuffer.wrap(toBytes());
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } catch (IOException e) {
            throw new ModelLoadException("model " + name + " could not be written to " + path + ": " + e, e);
        } finally {
            if (!moved) {
                deleteQuietly(temporary);
            }
        }
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary != null) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // The write already failed; that is the error worth reporting.
            }
        }
    }

    private TensorProto floatTensor(String initializerName) {
        Objects.requireNonNull(initializerName, "initializerName");
        Integer index = initializerIndex.get(initializerName);
        if (index == null) {
            throw new IllegalArgumentException("model " + name + " has no initializer " + initializerName);
        }
        TensorProto tensor = model.getGraph().getInitializer(index);
        if (tensor.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("initializer " + initializerName + " is "
                    + OnnxTensorTypes.typeName(tensor.getDataType()) + ", not FLOAT");
        }
        if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalArgumentException("initializer " + initializerName
                    + " is stored as external data, which this reader does not follow");
        }
        return tensor;
    }

    private static long elementCount(String modelName, TensorProto tensor) {
        long count = 1;
        try {
            for (long dim : tensor.getDimsList()) {
                if (dim < 0) {
                    throw new ModelLoadException("model " + modelName + ": initializer " + tensor.getName()
                            + " has a negative dimension " + tensor.getDimsList());
                }
                count = Math.multiplyExact(count, dim);
            }
        } catch (ArithmeticException e) {
            throw new ModelLoadException("model " + modelName + ": initializer " + tensor.getName()
                    + " has a shape whose size overflows " + tensor.getDimsList(), e);
        }
        return count;
    }

    private static long multiplyOrMax(long count, int width) {
        try {
            return Math.multiplyExact(count, width);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void checkStoredData(String modelName, TensorProto tensor) {
        long count = elementCount(modelName, tensor);
        if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return;
        }
        if (tensor.hasRawData()) {
            int width = OnnxTensorTypes.bytesPerElement(tensor.getDataType());
            if (width > 0 && tensor.getRawData().size() != multiplyOrMax(count, width)) {
                throw new ModelLoadException("model " + modelName + ": initializer " + tensor.getName() + " of shape "
                        + tensor.getDimsList() + " needs " + count * width + " bytes of raw_data but holds "
                        + tensor.getRawData().size());
            }
        } else if (tensor.getDataType() == TensorProto.DataType.FLOAT_VALUE && tensor.getFloatDataCount() != count) {
            throw new ModelLoadException("model " + modelName + ": initializer " + tensor.getName() + " of shape "
                    + tensor.getDimsList() + " needs " + count + " float_data values but holds "
                    + tensor.getFloatDataCount());
        }
    }

    @Override
    public String toString() {
        return "OnnxModelFile[" + name + ", " + model.getGraph().getInitializerCount() + " initializers]";
    }
}
