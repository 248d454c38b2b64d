package dev.reasoningsdk.impl.merge.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.reasoningsdk.api.merge.MergeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated header of a safetensors file: its tensors in file order, its {@code __metadata__} and where the
 * data section starts.
 *
 * <p>{@link #read(Path)} validates exactly like the reference implementation ({@code safetensors/src/tensor.rs}),
 * in its order, before anything is allocated from the header's numbers: the file is at least 8 bytes; the header
 * length is at most {@value #MAX_HEADER_SIZE}; the header lies inside the file; it is UTF-8; it is a JSON object of
 * the schema (known dtype, non-negative integer shape and offsets, string metadata, no duplicate names); the
 * tensors, sorted by offset, tile the data section contiguously from 0 (no gap, overlap or reversed range); each
 * shape times its dtype size neither overflows nor differs from the tensor's byte span; the data ends exactly at
 * the end of the file. A failure is a {@link MergeException} naming the file, the tensor (where there is one) and
 * the check.
 *
 * @param file       the file the header was read from
 * @param tensors    the tensors, sorted by offset
 * @param metadata   the {@code __metadata__} map, empty if absent
 * @param dataStart  the file offset of the data section (8 + header length)
 */
public record SafetensorsHeader(Path file, List<TensorInfo> tensors, Map<String, String> metadata, long dataStart) {

    /** The reference implementation's bound on the header length in bytes. */
    public static final long MAX_HEADER_SIZE = 100_000_000L;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .build();

    /** @throws NullPointerException if an argument is null */
    public SafetensorsHeader {
        Objects.requireNonNull(file, "file");
        tensors = List.copyOf(tensors);
        metadata = Map.copyOf(metadata);
    }

    /** The tensor with this name, or null. */
    public TensorInfo tensor(String name) {
        for (TensorInfo tensor : tensors) {
            if (tensor.name().equals(name)) {
                return tensor;
            }
        }
        return null;
    }

    /**
     * Reads and validates the header of a safetensors file.
     *
     * @throws MergeException naming the file, tensor and check if the file is not a valid safetensors file
     */
    public static SafetensorsHeader read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, channel);
        } catch (IOException e) {
            throw new MergeException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw fail(file, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength < 0 || headerLength > MAX_HEADER_SIZE) {
            throw fail(file, "header length " + Long.toUnsignedString(headerLength) + " exceeds the limit of "
                    + MAX_HEADER_SIZE + " bytes");
        }
        if (8 + headerLength > fileSize) {
            throw fail(file, "header length " + headerLength + " runs past the end of the file (" + fileSize
                    + " bytes)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, 8);
        headerBytes.flip();
        return parse(file, headerBytes, fileSize);
    }

    private static SafetensorsHeader parse(Path file, ByteBuffer headerBytes, long fileSize) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw fail(file, "header is not valid UTF-8");
        }
        long headerLength = headerBytes.limit();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = parseJson(file, text, metadata);
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long expectedBegin = 0;
        for (TensorInfo tensor : tensors) {
            if (tensor.begin() != expectedBegin) {
                throw fail(file, "tensor '" + tensor.name() + "': data_offsets [" + tensor.begin() + ", "
                        + tensor.end() + "] are not contiguous (expected to begin at " + expectedBegin
                        + "): a gap, an overlap or a reversed range");
            }
            expectedBegin = tensor.end();
            long bytes;
            try {
                bytes = Math.multiplyExact(tensor.elementCount(), (long) tensor.dtype().byteSize());
            } catch (ArithmeticException e) {
                throw fail(file, "tensor '" + tensor.name() + "': shape " + tensor.shape() + " x "
                        + tensor.dtype() + " overflows");
            }
            if (bytes != tensor.byteSize()) {
                throw fail(file, "tensor '" + tensor.name() + "': shape " + tensor.shape() + " x "
                        + tensor.dtype() + " is " + bytes + " bytes but its data_offsets span "
                        + tensor.byteSize());
            }
        }
        long dataStart = 8 + headerLength;
        if (dataStart + expectedBegin != fileSize) {
            throw fail(file, "tensor data ends at byte " + (dataStart + expectedBegin) + " but the file has "
                    + fileSize + " bytes");
        }
        return new SafetensorsHeader(file, tensors, metadata, dataStart);
    }

    private static List<TensorInfo> parseJson(Path file, String text, Map<String, String> metadata) {
        JsonNode root;
        try (JsonParser parser = JSON.createParser(text)) {
            root = JSON.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw fail(file, "header JSON has trailing content after the object");
            }
        } catch (IOException e) {
            throw fail(file, "header is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw fail(file, "header is not a JSON object");
        }
        List<TensorInfo> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals("__metadata__")) {
                parseMetadata(file, entry.getValue(), metadata);
            } else {
                tensors.add(parseTensor(file, entry.getKey(), entry.getValue()));
            }
        }
        return tensors;
    }

    private static void parseMetadata(Path file, JsonNode node, Map<String, String> metadata) {
        if (!node.isObject()) {
            throw fail(file, "__metadata__ is not an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw fail(file, "__metadata__ value of '" + entry.getKey() + "' is not a string");
            }
            metadata.put(entry.getKey(), entry.getValue().asText());
        }
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node) {
        if (!node.isObject()) {
            throw fail(file, "tensor '" + name + "': entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw fail(file, "tensor '" + name + "': missing or non-string dtype");
        }
        Dtype dtype = Dtype.fromName(dtypeNode.asText()).orElseThrow(() -> fail(file,
                "tensor '" + name + "': unknown dtype '" + dtypeNode.asText() + "'"));
        List<Long> shape = unsignedList(file, name, "shape", node.get("shape"), -1);
        List<Long> offsets = unsignedList(file, name, "data_offsets", node.get("data_offsets"), 2);
        if (offsets.get(1) < offsets.get(0)) {
            throw fail(file, "tensor '" + name + "': data_offsets [" + offsets.get(0) + ", " + offsets.get(1)
                    + "] are reversed (not contiguous)");
        }
        return new TensorInfo(name, dtype, shape, offsets.get(0), offsets.get(1));
    }

    private static List<Long> unsignedList(Path file, String name, String field, JsonNode node, int size) {
        if (node == null || !node.isArray() || (size >= 0 && node.size() != size)) {
            throw fail(file, "tensor '" + name + "': " + field + " is missing or not an array"
                    + (size >= 0 ? " of " + size + " integers" : " of integers"));
        }
        List<Long> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.asLong() < 0) {
                throw fail(file, "tensor '" + name + "': " + field + " holds " + element
                        + ", not a non-negative 64-bit integer");
            }
            values.add(element.asLong());
        }
        return values;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += read;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static MergeException fail(Path file, String check) {
        return new MergeException(file + ": invalid safetensors header: " + check);
    }
}
