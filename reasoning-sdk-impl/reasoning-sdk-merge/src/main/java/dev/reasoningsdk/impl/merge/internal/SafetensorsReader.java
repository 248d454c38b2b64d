package dev.reasoningsdk.impl.merge.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.nio.file.ExtendedOpenOption;
import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.impl.onnx.internal.ModelFolder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Reads a safetensors checkpoint: one file, or a sharded one through its {@code model.safetensors.index.json}.
 * Every header is validated by {@link SafetensorsHeader} before any tensor is touched.
 *
 * <p>Tensor bytes are read by range ({@link #read}) into caller-owned buffers, so memory stays bounded by the
 * caller's chunk size; {@link #map} memory-maps one tensor (one mapping is limited to 2 GiB, so larger tensors must
 * be read by range). Merges read rather than map because mapped pages count toward the process's resident set
 * until the mapping is garbage collected, which would make peak memory depend on the model size.
 *
 * <p>Shard names from an index are untrusted: a name that resolves outside the index's directory (an absolute
 * path, {@code ..}, or a symbolic link pointing elsewhere) is refused. Thread-safe for concurrent reads; close it
 * once done (closing twice is harmless).
 */
public final class SafetensorsReader implements TensorSource {

    /** The index file name of a sharded checkpoint. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()).build();

    private final String label;
    private final List<TensorInfo> tensors;
    private final Map<String, Located> byName;
    private final Map<String, String> metadata;
    private final List<FileChannel> channels;
    private final List<Path> files;
    private final Map<Path, Optional<FileChannel>> directChannels = new ConcurrentHashMap<>();

    private record Located(TensorInfo info, FileChannel channel, long dataStart, Path file) {
    }

    private SafetensorsReader(String label, List<Path> files, List<SafetensorsHeader> headers,
                              List<FileChannel> channels, Map<String, String> metadata) {
        this.label = label;
        this.files = List.copyOf(files);
        this.channels = List.copyOf(channels);
        this.metadata = Map.copyOf(metadata);
        List<TensorInfo> all = new ArrayList<>();
        Map<String, Located> located = new LinkedHashMap<>();
        for (int i = 0; i < headers.size(); i++) {
            SafetensorsHeader header = headers.get(i);
            for (TensorInfo tensor : header.tensors()) {
                if (located.put(tensor.name(), new Located(tensor, channels.get(i), header.dataStart(),
                        header.file())) != null) {
                    throw new MergeException(label + ": tensor '" + tensor.name() + "' is in more than one shard");
                }
                all.add(tensor);
            }
        }
        this.tensors = List.copyOf(all);
        this.byName = located;
    }

    /**
     * Opens a safetensors file, a directory holding {@value #INDEX_FILE} (or a single {@code model.safetensors}),
     * or an index file.
     *
     * @throws MergeException if a file is missing, malformed or hostile, naming the file, tensor and check
     */
    public static SafetensorsReader open(Path path) {
        Objects.requireNonNull(path, "path");
        Path entry = entryFile(path).orElseThrow(() -> new MergeException(holdsNoModel(path)));
        if (entry.getFileName() != null && entry.getFileName().toString().endsWith(".index.json")) {
            return openSharded(entry);
        }
        return openSingle(entry);
    }

    /**
     * The file {@link #open} reads first for {@code path}: for a directory its {@value #INDEX_FILE} if present, else
     * its {@code model.safetensors}, else none; otherwise {@code path} itself. Nothing is opened.
     */
    public static Optional<Path> entryFile(Path path) {
        if (!Files.isDirectory(path)) {
            return Optional.of(path);
        }
        // exists() rather than isRegularFile(): an index that is a directory or a FIFO is refused by name later,
        // not skipped for model.safetensors.
        return Stream.of(path.resolve(INDEX_FILE), path.resolve("model.safetensors")).filter(Files::exists)
                .findFirst();
    }

    /** Why a directory cannot be opened when {@link #entryFile} finds no file in it. */
    public static String holdsNoModel(Path dir) {
        return dir + ": directory holds neither " + INDEX_FILE + " nor model.safetensors";
    }

    private static SafetensorsReader openSingle(Path file) {
        FileChannel channel = openChannel(file);
        try {
            SafetensorsHeader header = SafetensorsHeader.read(file, channel);
            return new SafetensorsReader(file.toString(), List.of(file), List.of(header), List.of(channel),
                    header.metadata());
        } catch (IOException e) {
            closeQuietly(List.of(channel));
            throw new MergeException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(List.of(channel));
            throw e;
        }
    }

    private static SafetensorsReader openSharded(Path index) {
        Path dir = index.toAbsolutePath().getParent();
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, List<String>> namesByShard = new LinkedHashMap<>();
        weightMap.forEach((tensor, shard) -> namesByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(tensor));
        List<FileChannel> channels = new ArrayList<>();
        List<SafetensorsHeader> headers = new ArrayList<>();
        List<Path> files = new ArrayList<>(List.of(index));
        try {
            for (Map.Entry<String, List<String>> shard : namesByShard.entrySet()) {
                Path file = resolveShard(index, dir, shard.getKey());
                files.add(file);
                FileChannel channel = openChannel(file);
                channels.add(channel);
                SafetensorsHeader header = SafetensorsHeader.read(file, channel);
                headers.add(header);
                checkShardMatchesIndex(index, header, shard.getValue());
            }
            Map<String, String> metadata = headers.isEmpty() ? Map.of() : headers.get(0).metadata();
            return new SafetensorsReader(index.toString(), files, headers, channels, metadata);
        } catch (IOException e) {
            closeQuietly(channels);
            throw new MergeException(index + ": cannot read a shard: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channels);
            throw e;
        }
    }

    private static Map<String, String> readWeightMap(Path index) {
        requireRegularFile(index);
        JsonNode root;
        try {
            // The index is untrusted and parsed into a tree: bound it as the headers are bounded, before reading.
            long size = Files.size(index);
            if (size > SafetensorsHeader.MAX_HEADER_SIZE) {
                throw new MergeException(index + ": index is " + size + " bytes, more than the limit of "
                        + SafetensorsHeader.MAX_HEADER_SIZE + " bytes (a real model's weight map is well under 1 MB)");
            }
            root = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new MergeException(index + ": invalid index JSON: " + e.getMessage(), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
            throw new MergeException(index + ": index has no weight_map object");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw new MergeException(index + ": weight_map entry '" + entry.getKey() + "' is not a file name");
            }
            result.put(entry.getKey(), entry.getValue().asText());
        }
        return result;
    }

    private static Path resolveShard(Path index, Path dir, String shardName) throws IOException {
        Path relative = Path.of(shardName);
        Path resolved = dir.resolve(relative).normalize();
        if (relative.isAbsolute() || shardName.isEmpty() || !resolved.startsWith(dir)) {
            throw new MergeException(index + ": shard name '" + shardName
                    + "' escapes the index's directory (path traversal)");
        }
        Optional<String> notAFile = ModelFiles.notARegularFile(resolved);
        if (notAFile.isPresent()) {
            throw new MergeException(index + ": shard '" + shardName + "' " + notAFile.get());
        }
        // Links into the blobs of the Hugging Face cache repository whose snapshot holds the index are allowed.
        ModelFolder allowed = ModelFolder.of(dir);
        if (!allowed.holds(resolved.toRealPath())) {
            throw new MergeException(index + ": shard name '" + shardName + "' links outside the index's directory"
                    + allowed.hubBlobs().map(blobs -> " and its Hugging Face cache blobs " + blobs).orElse("")
                    + " (path traversal)");
        }
        return resolved;
    }

    private static void checkShardMatchesIndex(Path index, SafetensorsHeader header, List<String> listed) {
        for (String name : listed) {
            if (header.tensor(name) == null) {
                throw new MergeException(index + ": tensor '" + name + "' is mapped to " + header.file()
                        + " but that shard does not hold it");
            }
        }
        if (header.tensors().size() != listed.size()) {
            for (TensorInfo tensor : header.tensors()) {
                if (!listed.contains(tensor.name())) {
                    throw new MergeException(index + ": shard " + header.file() + " holds tensor '" + tensor.name()
                            + "' that the index does not map to it");
                }
            }
        }
    }

    /** Refuses a FIFO before it is opened: opening one for reading blocks until a writer comes, maybe never. */
    private static void requireRegularFile(Path file) {
        ModelFiles.notARegularFile(file).ifPresent(reason -> {
            throw new MergeException(file + ": " + reason);
        });
    }

    private static FileChannel openChannel(Path file) {
        requireRegularFile(file);
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new MergeException(file + ": cannot open: " + e, e);
        }
    }

    @Override
    public String label() {
        return label;
    }

    /** The files read: the single file, or the index followed by every shard it names. */
    public List<Path> files() {
        return files;
    }

    @Override
    public List<TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor with this name. @throws MergeException if there is none */
    public TensorInfo tensor(String name) {
        return locate(name).info();
    }

    @Override
    public void read(String tensor, long byteOffset, ByteBuffer dst) throws IOException {
        Located located = locateRange(tensor, byteOffset, dst.remaining());
        long position = located.dataStart() + located.info().begin() + byteOffset;
        while (dst.hasRemaining()) {
            int read = located.channel().read(dst, position);
            if (read < 0) {
                throw new IOException(located.file() + ": truncated while reading tensor '" + tensor + "'");
            }
            position += read;
        }
    }

    /**
     * Reads with direct I/O ({@code O_DIRECT}) where the file system allows it, and by {@link #read} where it does
     * not. Why: a merge reads each input byte once, and through the page cache the kernel's copy cost a core's worth
     * of system time on the 2-core VM (vmstat: 38% system during a BF16 merge) and a merge of a 15 GB checkpoint
     * would evict everything else cached.
     */
    @Override
    public ByteBuffer readInto(String tensor, long byteOffset, int length, ByteBuffer scratch) throws IOException {
        Located located = locateRange(tensor, byteOffset, length);
        FileChannel direct = directChannel(located.file());
        if (direct == null || !scratch.isDirect() || scratch.capacity() < length + 2 * SCRATCH_ALIGNMENT
                || scratch.alignmentOffset(0, SCRATCH_ALIGNMENT) != 0) {
            return TensorSource.super.readInto(tensor, byteOffset, length, scratch);
        }
        long first = located.dataStart() + located.info().begin() + byteOffset;
        long alignedStart = first / SCRATCH_ALIGNMENT * SCRATCH_ALIGNMENT;
        long end = first + length;
        long alignedEnd = (end + SCRATCH_ALIGNMENT - 1) / SCRATCH_ALIGNMENT * SCRATCH_ALIGNMENT;
        scratch.clear().limit((int) (alignedEnd - alignedStart));
        long position = alignedStart;
        // The file's last block may be short, and a direct read stops at the end of the file.
        while (position < end) {
            int read = direct.read(scratch, position);
            if (read <= 0 || (read % SCRATCH_ALIGNMENT != 0 && position + read < end)) {
                // Truncated, or a short read that leaves the rest unaligned: the buffered path says which.
                return TensorSource.super.readInto(tensor, byteOffset, length, scratch);
            }
            position += read;
        }
        int from = (int) (first - alignedStart);
        return scratch.limit(from + length).position(from).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A direct-I/O channel on {@code file}, opened on first use; null if the file system refuses direct I/O. */
    private FileChannel directChannel(Path file) {
        return directChannels.computeIfAbsent(file, path -> {
            try {
                long blockSize = Files.getFileStore(path).getBlockSize();
                if (blockSize <= 0 || SCRATCH_ALIGNMENT % blockSize != 0) {
                    return Optional.empty();
                }
                return Optional.of(FileChannel.open(path, StandardOpenOption.READ, ExtendedOpenOption.DIRECT));
            } catch (IOException | UnsupportedOperationException refused) {
                return Optional.empty();
            }
        }).orElse(null);
    }

    /**
     * Memory-maps one tensor read-only, little-endian.
     *
     * @throws MergeException if the tensor is larger than one mapping allows (2 GiB) or cannot be mapped
     */
    public ByteBuffer map(String name) {
        Located located = locate(name);
        long size = located.info().byteSize();
        if (size > Integer.MAX_VALUE) {
            throw new MergeException(located.file() + ": tensor '" + name + "' is " + size
                    + " bytes; one mapping is limited to 2 GiB, read it by range instead");
        }
        try {
            return located.channel().map(FileChannel.MapMode.READ_ONLY,
                    located.dataStart() + located.info().begin(), size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new MergeException(located.file() + ": cannot map tensor '" + name + "': " + e, e);
        }
    }

    /** The tensor, after checking bytes {@code [byteOffset, byteOffset + length)} lie inside it. */
    private Located locateRange(String tensor, long byteOffset, long length) {
        Located located = locate(tensor);
        if (byteOffset < 0 || byteOffset + length > located.info().byteSize()) {
            throw new IndexOutOfBoundsException("bytes " + byteOffset + "+" + length + " outside tensor '" + tensor
                    + "' of " + located.info().byteSize() + " bytes");
        }
        return located;
    }

    private Located locate(String name) {
        Located located = byName.get(name);
        if (located == null) {
            throw new MergeException(label + ": no tensor named '" + name + "'");
        }
        return located;
    }

    @Override
    public void close() {
        closeQuietly(channels);
        closeQuietly(directChannels.values().stream().flatMap(Optional::stream).toList());
    }

    private static void closeQuietly(List<FileChannel> channels) {
        for (FileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Read-only channels: nothing to lose on a failed close.
            }
        }
    }
}
