package dev.reasoningsdk.impl.merge.internal;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.onnx.internal.OnnxExternalData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX model's initializers, located by a minimal reading of the protobuf wire format ({@code ModelProto.graph}
 * field 7, {@code GraphProto.initializer} field 5, {@code TensorProto} dims 1, data_type 2, float_data 4, name 8,
 * raw_data 9), so merging needs no generated ONNX classes and leaves every other byte alone.
 *
 * <p>A merge rewrites only the initializers' data bytes in a copy of the reference model: merged values have the
 * same dtype and size, so the result is the reference model with new weights, valid by construction. Two models
 * have the same graph when their bytes are equal outside the initializer data and the model metadata (field 14),
 * i.e. nodes, inputs, outputs, value_info, opsets, and initializer names, shapes and types all match. Tensors whose
 * data is not little-endian packed bytes (e.g. varint {@code int64_data}) are not merged; they must then be equal,
 * which the graph comparison checks. External data anywhere in the model is refused, found by
 * {@link OnnxExternalData} like the loaders find it.
 */
public final class OnnxModel implements TensorSource {

    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_METADATA_PROPS = 14;
    private static final int GRAPH_INITIALIZER = 5;
    /** The TensorProto fields that hold a tensor's values, by field number. */
    private static final Map<Integer, String> DATA_FIELDS = Map.of(4, "float_data", 5, "int32_data", 6,
            "string_data", 7, "int64_data", 9, "raw_data", 10, "double_data", 11, "uint64_data");

    private final Path file;
    private final byte[] bytes;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    private final byte[] skeleton;

    private OnnxModel(Path file, byte[] bytes) {
        this.file = file;
        this.bytes = bytes;
        List<TensorInfo> found = new ArrayList<>();
        this.skeleton = parseModel(found);
        refuseExternalData();
        this.tensors = List.copyOf(found);
        this.byName = new LinkedHashMap<>();
        for (TensorInfo tensor : tensors) {
            if (byName.put(tensor.name(), tensor) != null) {
                throw fail("initializer '" + tensor.name() + "' appears twice");
            }
        }
    }

    /** Reads and parses an ONNX file. @throws MergeException if it cannot be read or parsed */
    public static OnnxModel read(Path file) {
        try {
            return new OnnxModel(file, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new MergeException(file + ": cannot read: " + e, e);
        }
    }

    /** Parses ONNX bytes; {@code file} is only used in messages. */
    public static OnnxModel parse(Path file, byte[] bytes) {
        return new OnnxModel(file, bytes.clone());
    }

    /** @throws MergeException naming the files if {@code other}'s graph differs from this one's */
    public void requireSameGraph(OnnxModel other) {
        if (!Arrays.equals(skeleton, other.skeleton)) {
            throw new MergeException(other.file + ": graph differs from " + file
                    + " (nodes, inputs, outputs, opsets or initializer names/shapes/types); only initializer values"
                    + " may differ");
        }
    }

    @Override
    public String label() {
        return file.toString();
    }

    @Override
    public List<TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of();
    }

    @Override
    public void read(String tensor, long byteOffset, ByteBuffer dst) {
        TensorInfo info = byName.get(tensor);
        if (info == null) {
            throw new MergeException(file + ": no initializer named '" + tensor + "'");
        }
        if (byteOffset < 0 || byteOffset + dst.remaining() > info.byteSize()) {
            throw new IndexOutOfBoundsException("bytes outside initializer '" + tensor + "'");
        }
        dst.put(bytes, (int) (info.begin() + byteOffset), dst.remaining());
    }

    @Override
    public void close() {
    }

    /** A writer of merged data into a copy of this model, filling initializers in {@link #tensors()} order. */
    public Patcher patcher() {
        return new Patcher();
    }

    /** Fills the initializer data of a copy of the model, in order. Not thread-safe. */
    public final class Patcher implements TensorSink {
        private final byte[] copy = bytes.clone();
        private int tensor;
        private long written;

        /** Writes the remaining bytes of {@code data} into the next initializer regions. */
        @Override
        public void write(ByteBuffer data) {
            while (data.hasRemaining()) {
                while (tensor < tensors.size() && written == tensors.get(tensor).byteSize()) {
                    tensor++;
                    written = 0;
                }
                if (tensor == tensors.size()) {
                    throw new IllegalStateException("more bytes than the initializers hold");
                }
                TensorInfo info = tensors.get(tensor);
                int take = (int) Math.min(data.remaining(), info.byteSize() - written);
                data.get(copy, (int) (info.begin() + written), take);
                written += take;
            }
        }

        /** The merged model. @throws IllegalStateException if not every initializer was filled */
        public byte[] finish() {
            boolean complete = tensors.isEmpty() || (tensor == tensors.size() - 1
                    && written == tensors.get(tensor).byteSize());
            if (!complete) {
                throw new IllegalStateException("merged data is incomplete at initializer " + tensor);
            }
            return copy;
        }
    }

    private byte[] parseModel(List<TensorInfo> found) {
        ByteArrayOutputStream skeletonBytes = new ByteArrayOutputStream();
        Reader reader = new Reader(0, bytes.length);
        boolean graphSeen = false;
        while (reader.hasMore()) {
            int fieldStart = reader.position;
            long tag = reader.varint();
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (field == MODEL_GRAPH && wireType == 2) {
                int length = reader.length();
                int headerEnd = reader.position;
                skeletonBytes.write(bytes, fieldStart, headerEnd - fieldStart);
                List<int[]> dataRegions = new ArrayList<>();
                parseGraph(headerEnd, headerEnd + length, found, dataRegions);
                int at = headerEnd;
                for (int[] region : dataRegions) {
                    skeletonBytes.write(bytes, at, region[0] - at);
                    at = region[0] + region[1];
                }
                skeletonBytes.write(bytes, at, headerEnd + length - at);
                reader.position = headerEnd + length;
                graphSeen = true;
            } else {
                reader.skip(wireType);
                if (field != MODEL_METADATA_PROPS) {
                    skeletonBytes.write(bytes, fieldStart, reader.position - fieldStart);
                }
            }
        }
        if (!graphSeen) {
            throw fail("no graph (ModelProto field 7): not an ONNX model");
        }
        return skeletonBytes.toByteArray();
    }

    private void parseGraph(int start, int end, List<TensorInfo> found, List<int[]> dataRegions) {
        Reader reader = new Reader(start, end);
        while (reader.hasMore()) {
            long tag = reader.varint();
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (field == GRAPH_INITIALIZER && wireType == 2) {
                int length = reader.length();
                TensorInfo tensor = parseTensor(reader.position, reader.position + length);
                if (tensor != null) {
                    found.add(tensor);
                    dataRegions.add(new int[] {(int) tensor.begin(), (int) tensor.byteSize()});
                }
                reader.position += length;
            } else {
                reader.skip(wireType);
            }
        }
    }

    private TensorInfo parseTensor(int start, int end) {
        Reader reader = new Reader(start, end);
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = null;
        int dataStart = -1;
        int dataLength = -1;
        boolean packedFloats = false;
        java.util.Set<Integer> dataFields = new java.util.TreeSet<>();
        while (reader.hasMore()) {
            long tag = reader.varint();
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (field == 1 && wireType == 0) {
                dims.add(reader.varint());
            } else if (field == 1 && wireType == 2) {
                int length = reader.length();
                Reader packed = new Reader(reader.position, reader.position + length);
                while (packed.hasMore()) {
                    dims.add(packed.varint());
                }
                reader.position += length;
            } else if (field == 2 && wireType == 0) {
                dataType = (int) reader.varint();
            } else if (field == 8 && wireType == 2) {
                int length = reader.length();
                name = new String(bytes, reader.position, length, java.nio.charset.StandardCharsets.UTF_8);
                reader.position += length;
            } else if ((field == 9 || field == 4) && wireType == 2) {
                dataFields.add(field);
                dataLength = reader.length();
                dataStart = reader.position;
                packedFloats = field == 4;
                reader.position += dataLength;
            } else {
                if (DATA_FIELDS.containsKey(field)) {
                    dataFields.add(field);
                }
                reader.skip(wireType);
            }
        }
        if (dataFields.size() > 1) {
            // ONNX Runtime reads raw_data when present: merged values written into the other field would be ignored.
            throw fail("initializer '" + name + "' holds its values in more than one field ("
                    + String.join(", ", dataFields.stream().map(DATA_FIELDS::get).toList()) + "); ONNX allows one");
        }
        Dtype dtype = onnxDtype(dataType);
        if (name == null || dataStart < 0 || dtype == null || (packedFloats && dtype != Dtype.F32)) {
            return null;
        }
        TensorInfo info = new TensorInfo(name, dtype, dims, dataStart, dataStart + (long) dataLength);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw fail("initializer '" + name + "': shape " + dims + " overflows");
        }
        if (expected != dataLength) {
            throw fail("initializer '" + name + "': shape " + dims + " x " + dtype + " is " + expected
                    + " bytes but its data holds " + dataLength);
        }
        return info;
    }

    /**
     * Merged weights are written into a copy of the reference model's bytes; data held in other files would be
     * neither merged nor found beside the output. Found by the loaders' own check, so both agree on what refers to
     * a file (initializers, attribute tensors, subgraphs).
     */
    private void refuseExternalData() {
        List<OnnxExternalData.Reference> external;
        try {
            external = OnnxExternalData.references(file.toString(), bytes);
        } catch (ModelLoadException e) {
            throw new MergeException(e.getMessage(), e);
        }
        if (!external.isEmpty()) {
            throw new MergeException(file + ": " + external.get(0).describe() + ", which merging does not support;"
                    + " merge models that keep their weights inside the .onnx file");
        }
    }

    private static Dtype onnxDtype(int dataType) {
        return switch (dataType) {
            case 1 -> Dtype.F32;
            case 2 -> Dtype.U8;
            case 3 -> Dtype.I8;
            case 4 -> Dtype.U16;
            case 5 -> Dtype.I16;
            case 6 -> Dtype.I32;
            case 7 -> Dtype.I64;
            case 9 -> Dtype.BOOL;
            case 10 -> Dtype.F16;
            case 11 -> Dtype.F64;
            case 12 -> Dtype.U32;
            case 13 -> Dtype.U64;
            case 16 -> Dtype.BF16;
            default -> null;
        };
    }

    private MergeException fail(String check) {
        return new MergeException(file + ": invalid ONNX model: " + check);
    }

    /** A bounds-checked cursor over protobuf wire data. */
    private final class Reader {
        int position;
        final int end;

        Reader(int start, int end) {
            this.position = start;
            this.end = end;
        }

        boolean hasMore() {
            return position < end;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= end) {
                    throw fail("truncated varint at byte " + position);
                }
                byte b = bytes[position++];
                result |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw fail("malformed varint at byte " + position);
        }

        int length() {
            long length = varint();
            if (length < 0 || length > end - position) {
                throw fail("length-delimited field of " + length + " bytes runs past its message at byte "
                        + position);
            }
            return (int) length;
        }

        void skip(int wireType) {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance(length());
                case 5 -> advance(4);
                default -> throw fail("unsupported wire type " + wireType + " at byte " + position);
            }
        }

        private void advance(int count) {
            if (count > end - position) {
                throw fail("field runs past its message at byte " + position);
            }
            position += count;
        }
    }

    @Override
    public String toString() {
        return "OnnxModel[" + Objects.toString(file) + ", " + tensors.size() + " initializers]";
    }
}
