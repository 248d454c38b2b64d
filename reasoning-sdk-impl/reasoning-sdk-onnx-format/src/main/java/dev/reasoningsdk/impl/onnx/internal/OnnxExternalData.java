package dev.reasoningsdk.impl.onnx.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.reasoningsdk.api.ModelLoadException;
import dev.reasoningsdk.impl.onnx.ModelSource;
import dev.reasoningsdk.impl.onnx.internal.proto.AttributeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.GraphProto;
import dev.reasoningsdk.impl.onnx.internal.proto.ModelProto;
import dev.reasoningsdk.impl.onnx.internal.proto.NodeProto;
import dev.reasoningsdk.impl.onnx.internal.proto.SparseTensorProto;
import dev.reasoningsdk.impl.onnx.internal.proto.StringStringEntryProto;
import dev.reasoningsdk.impl.onnx.internal.proto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The one place that knows where an ONNX model names other files: tensors stored as external data
 * ({@code TensorProto.data_location = EXTERNAL} with {@code external_data} entries {@code location},
 * {@code offset}, {@code length}). ONNX Runtime opens whatever path such a tensor names, relative to the model's
 * folder or absolute, following symbolic links, and a model's output can then hold that file's bytes; so every
 * loader runs this check before ONNX Runtime sees the model, and the merger uses it to refuse external data.
 *
 * <p>References are found wherever ONNX Runtime resolves them: graph initializers and sparse initializers, tensors
 * in node attributes ({@code t}, {@code tensors}, sparse tensors), and recursively in subgraphs ({@code If},
 * {@code Loop}, {@code Scan} bodies), model-local functions and training info. The model is read at the protobuf wire
 * level, skipping tensor data, so a 2 GB model file is checked without holding it in memory.
 *
 * <p>A model from a file may refer to a file inside its own folder (the folder of the path as given, as ONNX
 * Runtime resolves it): the location must be relative, stay inside the folder after normalisation, name an existing
 * regular file whose real path (symbolic links resolved) is inside the folder's real path (or, for a snapshot of a
 * Hugging Face hub cache, inside that repository's {@code blobs}: see {@link ModelFolder}), and its byte range
 * ({@code offset}, {@code length}, or the tensor's size) must lie inside that file. A model given as bytes has no
 * folder and may not refer to files at all. Every refusal is a {@link ModelLoadException} naming the model, the
 * tensor and the location; {@code docs/onnx-files.md} lists them.
 *
 * <p>The check and ONNX Runtime's read are separate steps: a folder whose files are swapped in between by another
 * process is not defended against (the folder is trusted to hold still; what it holds is not trusted).
 */
public final class OnnxExternalData {

    /**
     * Part of the location tag ({@code *}{@code /_ORT_MEM_ADDR_/*}) with which ONNX Runtime reads a tensor's data from
     * the process memory address given as its offset rather than from a file.
     */
    static final String MEMORY_ADDRESS_TAG = "_ORT_MEM_ADDR_";

    /** protobuf's own default recursion limit, which ONNX Runtime's parser applies too. */
    private static final int MAX_NESTING = 100;
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,19}");
    private static final int MAX_QUOTED = 200;

    // onnx.proto fields that the generated subset (onnx-model.proto) leaves out.
    private static final int MODEL_TRAINING_INFO = 20;
    private static final int MODEL_FUNCTIONS = 25;
    private static final int FUNCTION_NAME = 1;
    private static final int FUNCTION_NODE = 7;
    private static final int TRAINING_INITIALIZATION = 1;
    private static final int TRAINING_ALGORITHM = 2;

    private OnnxExternalData() {
    }

    /**
     * One tensor whose data the model says is in another file, with its {@code external_data} entries as written.
     * Immutable.
     */
    public static final class Reference {
        private final String tensor;
        private final List<StringStringEntryProto> entries;
        private final List<Long> dims;
        private final int dataType;

        private Reference(String tensor, List<StringStringEntryProto> entries, List<Long> dims, int dataType) {
            this.tensor = tensor;
            this.entries = List.copyOf(entries);
            this.dims = List.copyOf(dims);
            this.dataType = dataType;
        }

        /** The tensor as messages name it, e.g. {@code initializer 'w' (in node 'if' attribute 'then_branch')}. */
        public String tensor() {
            return tensor;
        }

        /** The {@code location} entry (the last one, as ONNX Runtime reads it); empty if there is none. */
        public Optional<String> location() {
            String location = null;
            for (StringStringEntryProto entry : entries) {
                if (entry.getKey().equals("location")) {
                    location = entry.getValue();
                }
            }
            return Optional.ofNullable(location).filter(value -> !value.isEmpty());
        }

        /**
         * The reference in words, e.g. {@code initializer 'w' refers to external data 'w.bin'}; refusals append
         * their reason to it.
         */
        public String describe() {
            return location().map(location -> tensor + " refers to external data " + quote(location))
                    .orElse(tensor + " is stored as external data without a location");
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * Every external-data reference in serialized model bytes, in file order.
     *
     * @throws ModelLoadException naming the model if the bytes are not a well-formed protobuf message
     */
    public static List<Reference> references(String modelName, byte[] model) {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(model, "model");
        try {
            return new Scanner(CodedInputStream.newInstance(model)).model();
        } catch (IOException e) {
            throw notOnnx(modelName, e);
        }
    }

    /**
     * Checks a model file on disk, streaming it (tensor data is skipped, not read), against the file's folder.
     *
     * @throws ModelLoadException naming the model, the tensor and the location of the first reference refused, or
     *                            if the file cannot be read or parsed
     */
    public static void checkFile(String modelName, Path modelFile) {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(modelFile, "modelFile");
        List<Reference> found;
        try (InputStream in = Files.newInputStream(modelFile)) {
            long size = Files.size(modelFile);
            if (size > ModelSource.MAX_IN_MEMORY_BYTES) {
                throw new ModelLoadException("model " + modelName + " is " + size + " bytes, more than one protobuf"
                        + " message can hold; keep the weights in external data files beside it");
            }
            found = new Scanner(CodedInputStream.newInstance(in, 1 << 16)).model();
        } catch (InvalidProtocolBufferException e) {
            throw notOnnx(modelName, e);
        } catch (IOException e) {
            throw new ModelLoadException("model " + modelName + " could not be read: " + e, e);
        }
        requireInFolder(modelName, modelFile, found);
    }

    /**
     * Checks model bytes read from {@code modelFile} against that file's folder.
     *
     * @throws ModelLoadException as {@link #checkFile(String, Path)}
     */
    public static void checkInFolder(String modelName, Path modelFile, byte[] model) {
        Objects.requireNonNull(modelFile, "modelFile");
        requireInFolder(modelName, modelFile, references(modelName, model));
    }

    /**
     * Refuses model bytes that refer to any external file: with no folder to resolve against, ONNX Runtime would read
     * paths relative to the process's working directory.
     *
     * @throws ModelLoadException naming the model, the tensor and the location of the first reference
     */
    public static void refuseAny(String modelName, byte[] model) {
        List<Reference> found = references(modelName, model);
        if (!found.isEmpty()) {
            throw new ModelLoadException("model " + modelName + ": " + found.get(0).describe()
                    + ", but the model was given as bytes, with no folder to read it from; load the model from its"
                    + " file");
        }
    }

    private static ModelLoadException notOnnx(String modelName, IOException e) {
        return new ModelLoadException("model " + modelName + " is not an ONNX model: " + e.getMessage(), e);
    }

    private static void requireInFolder(String modelName, Path modelFile, List<Reference> references) {
        // The folder of the path as given, as ONNX Runtime resolves it (not the target of a linked model file).
        Path folder = modelFile.toAbsolutePath().getParent();
        for (Reference reference : references) {
            new FolderCheck(modelName, folder, reference).run();
        }
    }

    /** The checks of one reference against the model's folder, in the order docs/onnx-files.md lists them. */
    private static final class FolderCheck {
        private final String prefix;
        private final Path folder;
        private final Reference reference;

        FolderCheck(String modelName, Path folder, Reference reference) {
            this.prefix = "model " + modelName + ": ";
            this.folder = folder;
            this.reference = reference;
        }

        void run() {
            Map<String, String> entries = new HashMap<>();
            for (StringStringEntryProto entry : reference.entries) {
                if (entries.put(entry.getKey(), entry.getValue()) != null) {
                    // ONNX Runtime keeps the last value; a check that read another would be checking the wrong file.
                    throw refuse(", whose key " + quote(entry.getKey()) + " appears twice");
                }
            }
            String location = reference.location().orElseThrow(() ->
                    new ModelLoadException(prefix + reference.describe()));
            if (location.contains(MEMORY_ADDRESS_TAG)) {
                throw refuse(", which asks ONNX Runtime to read process memory");
            }
            Path relative;
            try {
                relative = Path.of(location);
            } catch (InvalidPathException e) {
                throw refuse(", which is not a valid path (" + e.getReason() + ")");
            }
            if (relative.getRoot() != null) {
                throw refuse(", which is an absolute path; external data must be a relative path inside the model's"
                        + " folder " + folder);
            }
            Path normalFolder = folder.normalize();
            if (!normalFolder.resolve(relative).normalize().startsWith(normalFolder)) {
                throw refuse(", which leaves the model's folder " + folder);
            }
            long offset = number(entries, "offset").orElse(0);
            long span = span(number(entries, "length"));
            // Resolved by the OS, not normalised: "link/.." is the link target's parent, as ONNX Runtime opens it.
            Path target = folder.resolve(relative);
            requireInsideRealFolder(target);
            long size;
            try {
                size = Files.size(target);
            } catch (IOException e) {
                throw refuse(", which could not be read: " + e);
            }
            long end;
            try {
                end = Math.addExact(offset, span);
            } catch (ArithmeticException e) {
                throw refuse(", whose offset " + offset + " plus length " + span + " overflows");
            }
            if (end > size) {
                throw refuse(", whose bytes " + offset + " to " + end + " run past the end of the " + size
                        + "-byte file");
            }
        }

        private void requireInsideRealFolder(Path target) {
            if (!Files.exists(target)) {
                throw refuse(", which does not exist");
            }
            if (!Files.isRegularFile(target)) {
                throw refuse(", which is not a regular file");
            }
            Path real;
            ModelFolder allowed;
            try {
                real = target.toRealPath();
                allowed = ModelFolder.of(folder);
            } catch (IOException e) {
                throw refuse(", which could not be resolved: " + e);
            }
            // A Hugging Face cache snapshot's links into its own repository's blobs are allowed (ModelFolder).
            if (!allowed.holds(real)) {
                throw refuse(", which resolves through a symbolic link to " + real + ", outside "
                        + allowed.describe("the model's folder"));
            }
        }

        private OptionalLong number(Map<String, String> entries, String key) {
            String text = entries.get(key);
            if (text == null) {
                return OptionalLong.empty();
            }
            if (DECIMAL.matcher(text).matches()) {
                try {
                    return OptionalLong.of(Long.parseLong(text));
                } catch (NumberFormatException tooLarge) {
                    // Falls through to the refusal below, like any other non-number.
                }
            }
            throw refuse(", whose " + key + " " + quote(text) + " is not a non-negative decimal integer");
        }

        /** The bytes ONNX Runtime reads: the length, which must match the tensor's size when it has a fixed one. */
        private long span(OptionalLong length) {
            String type = OnnxTensorTypes.typeName(reference.dataType);
            OptionalLong size = tensorBytes();
            if (length.isPresent() && size.isPresent() && length.getAsLong() != size.getAsLong()) {
                throw refuse(", whose length " + length.getAsLong() + " differs from the " + size.getAsLong()
                        + " bytes of its shape " + reference.dims + " of " + type);
            }
            if (length.isEmpty() && size.isEmpty()) {
                throw refuse(", which gives no length, and a tensor of type " + type + " has no fixed size");
            }
            return length.isPresent() ? length.getAsLong() : size.getAsLong();
        }

        private OptionalLong tensorBytes() {
            long count = 1;
            try {
                for (long dim : reference.dims) {
                    if (dim < 0) {
                        throw new ArithmeticException("negative dimension");
                    }
                    count = Math.multiplyExact(count, dim);
                }
                int width = OnnxTensorTypes.bytesPerElement(reference.dataType);
                if (width > 0) {
                    return OptionalLong.of(Math.multiplyExact(count, width));
                }
            } catch (ArithmeticException e) {
                throw refuse(", but its shape " + reference.dims + " has no valid size");
            }
            return switch (reference.dataType) {
                // Two 4-bit values per byte.
                case TensorProto.DataType.UINT4_VALUE, TensorProto.DataType.INT4_VALUE,
                        TensorProto.DataType.FLOAT4E2M1_VALUE -> OptionalLong.of(count / 2 + count % 2);
                default -> OptionalLong.empty();
            };
        }

        private ModelLoadException refuse(String reason) {
            return new ModelLoadException(prefix + reference.describe() + reason);
        }
    }

    /**
     * A name or path from the model, quoted for a message: control, format and line-separator characters replaced by
     * their Unicode escapes (a hostile name must not forge log lines or reorder text), at most 200 characters shown.
     */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("'");
        int shown = Math.min(text.length(), MAX_QUOTED);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                quoted.append(String.format("\\u%04X", (int) c));
            } else {
                quoted.append(c);
            }
        }
        quoted.append('\'');
        if (text.length() > shown) {
            quoted.append(" (first ").append(shown).append(" of ").append(text.length()).append(" characters)");
        }
        return quoted.toString();
    }

    /** A tensor being read; becomes a {@link Reference} when it is external, its path filled in by its parents. */
    private static final class Found {
        final String kind;
        final String name;
        final List<StringStringEntryProto> entries;
        final List<Long> dims;
        final int dataType;
        final Deque<String> path = new ArrayDeque<>();

        Found(String kind, String name, List<StringStringEntryProto> entries, List<Long> dims, int dataType) {
            this.kind = kind;
            this.name = name;
            this.entries = entries;
            this.dims = dims;
            this.dataType = dataType;
        }

        Reference toReference() {
            String where = path.isEmpty() ? "" : " (in " + String.join(" > ", path) + ")";
            return new Reference(kind + " " + quote(name) + where, entries, dims, dataType);
        }
    }

    /** Reads the wire format of the messages that can hold tensors and skips every other field. */
    private static final class Scanner {
        private final CodedInputStream in;
        private int depth;

        Scanner(CodedInputStream in) {
            this.in = in;
            in.setRecursionLimit(MAX_NESTING);
        }

        /** The body of a message, read up to its end; collects what it finds. */
        @FunctionalInterface
        private interface Body {
            void field(int field, int wireType, int tag, List<Found> found) throws IOException;
        }

        List<Reference> model() throws IOException {
            List<Found> found = body((field, wire, tag, into) -> {
                if (field == ModelProto.GRAPH_FIELD_NUMBER && isLengthDelimited(wire)) {
                    into.addAll(graph());
                } else if (field == MODEL_FUNCTIONS && isLengthDelimited(wire)) {
                    into.addAll(function());
                } else if (field == MODEL_TRAINING_INFO && isLengthDelimited(wire)) {
                    into.addAll(prefixed("training info", nested(this::trainingInfo)));
                } else {
                    in.skipField(tag);
                }
            });
            return found.stream().map(Found::toReference).toList();
        }

        private List<Found> graph() throws IOException {
            return nested((field, wire, tag, into) -> {
                if (field == GraphProto.NODE_FIELD_NUMBER && isLengthDelimited(wire)) {
                    into.addAll(node());
                } else if (field == GraphProto.INITIALIZER_FIELD_NUMBER && isLengthDelimited(wire)) {
                    into.addAll(tensor("initializer"));
                } else if (field == GraphProto.SPARSE_INITIALIZER_FIELD_NUMBER && isLengthDelimited(wire)) {
                    into.addAll(sparse("sparse initializer"));
                } else {
                    in.skipField(tag);
                }
            });
        }

        private void trainingInfo(int field, int wire, int tag, List<Found> into) throws IOException {
            if ((field == TRAINING_INITIALIZATION || field == TRAINING_ALGORITHM) && isLengthDelimited(wire)) {
                into.addAll(graph());
            } else {
                in.skipField(tag);
            }
        }

        private List<Found> function() throws IOException {
            String[] name = {""};
            List<Found> found = nested((field, wire, tag, into) -> {
                if (field == FUNCTION_NAME && isLengthDelimited(wire)) {
                    name[0] = in.readString();
                } else if (field == FUNCTION_NODE && isLengthDelimited(wire)) {
                    into.addAll(node());
                } else {
                    in.skipField(tag);
                }
            });
            return prefixed("function " + quote(name[0]), found);
        }

        /** A node's attributes' tensors, named by node and attribute once both names are known (any field order). */
        private List<Found> node() throws IOException {
            String[] name = {""};
            List<Found> found = nested((field, wire, tag, into) -> {
                if (field == NodeProto.NAME_FIELD_NUMBER && isLengthDelimited(wire)) {
                    name[0] = in.readString();
                } else if (field == NodeProto.ATTRIBUTE_FIELD_NUMBER && isLengthDelimited(wire)) {
                    into.addAll(attribute());
                } else {
                    in.skipField(tag);
                }
            });
            for (Found tensor : found) {
                tensor.path.addFirst("node " + quote(name[0]) + " " + tensor.path.removeFirst());
            }
            return found;
        }

        private List<Found> attribute() throws IOException {
            String[] name = {""};
            List<Found> found = nested((field, wire, tag, into) -> {
                if (field == AttributeProto.NAME_FIELD_NUMBER && isLengthDelimited(wire)) {
                    name[0] = in.readString();
                } else if ((field == AttributeProto.T_FIELD_NUMBER || field == AttributeProto.TENSORS_FIELD_NUMBER)
                        && isLengthDelimited(wire)) {
                    into.addAll(tensor("tensor"));
                } else if ((field == AttributeProto.G_FIELD_NUMBER || field == AttributeProto.GRAPHS_FIELD_NUMBER)
                        && isLengthDelimited(wire)) {
                    into.addAll(graph());
                } else if ((field == AttributeProto.SPARSE_TENSOR_FIELD_NUMBER
                        || field == AttributeProto.SPARSE_TENSORS_FIELD_NUMBER) && isLengthDelimited(wire)) {
                    into.addAll(sparse("sparse tensor"));
                } else {
                    in.skipField(tag);
                }
            });
            // node() joins this with the node's name.
            return prefixed("attribute " + quote(name[0]), found);
        }

        private List<Found> sparse(String kind) throws IOException {
            return nested((field, wire, tag, into) -> {
                if ((field == SparseTensorProto.VALUES_FIELD_NUMBER || field == SparseTensorProto.INDICES_FIELD_NUMBER)
                        && isLengthDelimited(wire)) {
                    into.addAll(tensor(kind));
                } else {
                    in.skipField(tag);
                }
            });
        }

        /** The tensor, if external: a single-element list, so that callers add it like any other result. */
        private List<Found> tensor(String kind) throws IOException {
            String[] name = {""};
            List<Long> dims = new ArrayList<>();
            int[] dataType = {0};
            boolean[] external = {false};
            List<StringStringEntryProto> entries = new ArrayList<>();
            nested((field, wire, tag, into) -> {
                if (field == TensorProto.DIMS_FIELD_NUMBER) {
                    readInts(wire, tag, dims::add);
                } else if (field == TensorProto.DATA_TYPE_FIELD_NUMBER && wire == WireFormat.WIRETYPE_VARINT) {
                    dataType[0] = in.readInt32();
                } else if (field == TensorProto.NAME_FIELD_NUMBER && isLengthDelimited(wire)) {
                    name[0] = in.readString();
                } else if (field == TensorProto.EXTERNAL_DATA_FIELD_NUMBER && isLengthDelimited(wire)) {
                    entries.add(in.readMessage(StringStringEntryProto.parser(),
                            ExtensionRegistryLite.getEmptyRegistry()));
                } else if (field == TensorProto.DATA_LOCATION_FIELD_NUMBER) {
                    // Any EXTERNAL counts: proto2 keeps the last known enum value and sets unknown ones aside, so a
                    // later unknown value does not undo an earlier EXTERNAL for the parser that matters.
                    readInts(wire, tag, value -> external[0] |= (int) value
                            == TensorProto.DataLocation.EXTERNAL_VALUE);
                } else {
                    in.skipField(tag);
                }
            });
            return external[0] ? List.of(new Found(kind, name[0], entries, dims, dataType[0])) : List.of();
        }

        /** A varint field, alone or packed. */
        private void readInts(int wire, int tag, LongConsumer into) throws IOException {
            if (wire == WireFormat.WIRETYPE_VARINT) {
                into.accept(in.readInt64());
            } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int limit = in.pushLimit(in.readRawVarint32());
                while (in.getBytesUntilLimit() > 0) {
                    into.accept(in.readInt64());
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }

        @FunctionalInterface
        private interface LongConsumer {
            void accept(long value) throws IOException;
        }

        private List<Found> nested(Body body) throws IOException {
            int length = in.readRawVarint32();
            if (length < 0) {
                throw new InvalidProtocolBufferException("a message has a negative length");
            }
            if (++depth > MAX_NESTING) {
                throw new InvalidProtocolBufferException("messages nest more than " + MAX_NESTING + " deep");
            }
            int limit = in.pushLimit(length);
            List<Found> found = body(body);
            in.popLimit(limit);
            depth--;
            return found;
        }

        private List<Found> body(Body body) throws IOException {
            List<Found> found = new ArrayList<>();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                body.field(WireFormat.getTagFieldNumber(tag), WireFormat.getTagWireType(tag), tag, found);
            }
            return found;
        }

        private static boolean isLengthDelimited(int wireType) {
            return wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED;
        }

        private static List<Found> prefixed(String step, List<Found> found) {
            for (Found tensor : found) {
                tensor.path.addFirst(step);
            }
            return found;
        }
    }
}
