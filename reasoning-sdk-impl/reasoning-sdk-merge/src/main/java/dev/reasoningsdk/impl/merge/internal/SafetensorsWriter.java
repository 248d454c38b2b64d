package dev.reasoningsdk.impl.merge.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import dev.reasoningsdk.impl.internal.TempFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a safetensors checkpoint by streaming tensor bytes in order, as one file or as shards
 * {@code model-0000i-of-0000N.safetensors} with a {@code model.safetensors.index.json}
 * ({@code {"metadata":{"total_size":...},"weight_map":{...}}}, mergekit's and transformers' layout).
 *
 * <p>Every file is written to a temporary file in its target directory and renamed into place by {@link #commit()} only
 * after all bytes arrived and were forced to disk; for a sharded output an index already in the folder is deleted
 * before the first shard is renamed and the new index is renamed last, so a reader never sees an index pointing at
 * missing shards, or at a mix of an earlier checkpoint's shards and this one's. Files are written with direct I/O where
 * the file system allows it ({@link SequentialFileWriter}), so a large output neither floods the page cache nor waits
 * for it. {@link #close()} without a successful commit deletes the temporary files: an error never leaves a partial
 * model behind. The temporary files are named and tracked by {@link TempFiles}, so a merge's shutdown hook deletes them
 * when the JVM is stopped, and a later merge recognises those a killed process left. Not thread-safe.
 */
public final class SafetensorsWriter implements AutoCloseable, TensorSink {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.regex.Pattern SHARD_NAME =
            java.util.regex.Pattern.compile("model-\\d{5,}-of-\\d{5,}\\.safetensors");

    private final List<Shard> shards;
    private final Path indexTarget;
    private final Map<String, String> weightMap;
    private final long totalSize;
    private final boolean directIo;
    private int current;
    private boolean committed;
    private boolean closed;

    /** One output file; opened when its first byte is due and finished when its last arrived. */
    private static final class Shard {
        final Path target;
        final Path temp;
        final byte[] header;
        final long dataBytes;
        SequentialFileWriter file;
        long written;
        boolean finished;

        Shard(Path target, Path temp, byte[] header, long dataBytes) {
            this.target = target;
            this.temp = temp;
            this.header = header;
            this.dataBytes = dataBytes;
        }
    }

    private SafetensorsWriter(List<Shard> shards, Path indexTarget, Map<String, String> weightMap, long totalSize,
                              boolean directIo) {
        this.shards = shards;
        this.indexTarget = indexTarget;
        this.weightMap = weightMap;
        this.totalSize = totalSize;
        this.directIo = directIo;
    }

    /**
     * A writer for a single file.
     *
     * @param target   the final file
     * @param metadata {@code __metadata__} to keep (may be empty)
     * @param tensors  the tensors in the order their bytes will be written
     * @throws MergeException if the temporary file cannot be created
     */
    public static SafetensorsWriter single(Path target, Map<String, String> metadata, List<TensorSpec> tensors) {
        return single(target, metadata, tensors, true);
    }

    /** {@link #single(Path, Map, List)}, with {@code directIo} false to write through the page cache. */
    static SafetensorsWriter single(Path target, Map<String, String> metadata, List<TensorSpec> tensors,
                                    boolean directIo) {
        return create(List.of(tensors), List.of(target.toAbsolutePath()), null, metadata, directIo);
    }

    /**
     * A writer for a sharded checkpoint in {@code dir}: tensors are packed in order into shards of at most
     * {@code maxShardBytes} data bytes (a larger tensor gets a shard of its own).
     *
     * @throws IllegalArgumentException if {@code maxShardBytes} is not positive
     * @throws MergeException           if the directory or temporary files cannot be created
     */
    public static SafetensorsWriter sharded(Path dir, Map<String, String> metadata, List<TensorSpec> tensors,
                                            long maxShardBytes) {
        List<List<TensorSpec>> groups = shardGroups(tensors, maxShardBytes);
        Path absolute = dir.toAbsolutePath();
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            throw new MergeException(dir + ": cannot create output directory: " + e, e);
        }
        List<Path> files = shardedFiles(absolute, groups.size());
        return create(groups, files.subList(0, groups.size()), files.get(groups.size()), metadata, true);
    }

    /**
     * The files {@link #sharded} writes for these arguments, without writing anything: the shards in order, then
     * the index.
     *
     * @throws IllegalArgumentException if {@code maxShardBytes} is not positive
     */
    public static List<Path> shardedFiles(Path dir, List<TensorSpec> tensors, long maxShardBytes) {
        return shardedFiles(dir.toAbsolutePath(), shardGroups(tensors, maxShardBytes).size());
    }

    private static List<Path> shardedFiles(Path dir, int shards) {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            files.add(dir.resolve(shardName(i, shards)));
        }
        files.add(dir.resolve(SafetensorsReader.INDEX_FILE));
        return files;
    }

    /** Tensors packed in order into groups of at most {@code maxShardBytes} (a larger tensor alone). */
    private static List<List<TensorSpec>> shardGroups(List<TensorSpec> tensors, long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be > 0, was " + maxShardBytes);
        }
        List<List<TensorSpec>> groups = new ArrayList<>();
        List<TensorSpec> open = new ArrayList<>();
        long openBytes = 0;
        for (TensorSpec tensor : tensors) {
            if (!open.isEmpty() && openBytes + tensor.byteSize() > maxShardBytes) {
                groups.add(open);
                open = new ArrayList<>();
                openBytes = 0;
            }
            open.add(tensor);
            openBytes += tensor.byteSize();
        }
        if (!open.isEmpty() || groups.isEmpty()) {
            groups.add(open);
        }
        return groups;
    }

    /** The name of shard {@code index} (0-based) of {@code count}, as transformers and mergekit write it. */
    public static String shardName(int index, int count) {
        return String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", index + 1, count);
    }

    /** Whether {@code fileName} is a shard name as {@link #shardName} makes them, for any shard count. */
    public static boolean isShardName(String fileName) {
        return SHARD_NAME.matcher(fileName).matches();
    }

    private static SafetensorsWriter create(List<List<TensorSpec>> groups, List<Path> targets, Path indexTarget,
                                            Map<String, String> metadata, boolean directIo) {
        Objects.requireNonNull(metadata, "metadata");
        List<Shard> shards = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        try {
            for (int i = 0; i < groups.size(); i++) {
                Path target = targets.get(i);
                byte[] header = headerBytes(groups.get(i), metadata);
                long dataBytes = 0;
                for (TensorSpec tensor : groups.get(i)) {
                    dataBytes = Math.addExact(dataBytes, tensor.byteSize());
                    if (weightMap.put(tensor.name(), target.getFileName().toString()) != null) {
                        throw new IllegalArgumentException("duplicate tensor name '" + tensor.name() + "'");
                    }
                }
                total += dataBytes;
                ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                prefix.putLong(header.length).put(header);
                shards.add(new Shard(target, TempFiles.create(target), prefix.array(), dataBytes));
            }
        } catch (IOException | RuntimeException e) {
            discard(shards);
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new MergeException(targets.get(0) + ": cannot create output: " + e, e);
        }
        return new SafetensorsWriter(shards, indexTarget, weightMap, total, directIo);
    }

    private static byte[] headerBytes(List<TensorSpec> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (TensorSpec tensor : tensors) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", tensor.dtype().name());
            entry.put("shape", tensor.shape());
            long end = offset + tensor.byteSize();
            entry.put("data_offsets", List.of(offset, end));
            header.put(tensor.name(), entry);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // Pad with spaces to 8 bytes, as the reference writer does, so the data section is aligned.
        int padded = (json.length + 7) / 8 * 8;
        byte[] result = new byte[padded];
        System.arraycopy(json, 0, result, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            result[i] = ' ';
        }
        return result;
    }

    /**
     * Appends tensor bytes (all remaining bytes of {@code data}) in the declared order, across shard boundaries.
     *
     * @throws MergeException if more bytes arrive than the declared tensors hold, or the write fails
     */
    @Override
    public void write(ByteBuffer data) {
        if (committed || closed) {
            throw new IllegalStateException("writer is already committed or closed");
        }
        try {
            while (data.hasRemaining()) {
                Shard shard = shardWithRoom();
                int take = (int) Math.min(data.remaining(), shard.dataBytes - shard.written);
                ByteBuffer slice = data.slice();
                slice.limit(take);
                shard.file.write(slice);
                data.position(data.position() + take);
                shard.written += take;
            }
        } catch (IOException e) {
            throw new MergeException(shards.get(Math.min(current, shards.size() - 1)).target + ": write failed: " + e,
                    e);
        }
    }

    /** The first shard still missing bytes, opened; the full ones before it are finished on the way. */
    private Shard shardWithRoom() throws IOException {
        for (; current < shards.size(); current++) {
            Shard shard = shards.get(current);
            start(shard);
            if (shard.written < shard.dataBytes) {
                return shard;
            }
            finish(shard);
        }
        throw new MergeException(shards.get(0).target + ": more tensor bytes written than declared");
    }

    private void start(Shard shard) throws IOException {
        if (shard.file == null) {
            shard.file = SequentialFileWriter.open(shard.temp, directIo);
            shard.file.write(ByteBuffer.wrap(shard.header));
        }
    }

    /** Writes the shard's last bytes, forces it to disk and closes it, freeing its staging buffer. */
    private static void finish(Shard shard) throws IOException {
        if (!shard.finished) {
            shard.file.finish();
            shard.file.close();
            shard.finished = true;
        }
    }

    /**
     * Checks every declared byte was written, forces the files to disk and renames them into place (the index
     * last).
     *
     * @return the final files: shards, then the index if sharded
     * @throws MergeException if bytes are missing or a rename fails (temporary files are then removed)
     */
    public List<Path> commit() {
        if (committed || closed) {
            throw new IllegalStateException("writer is already committed or closed");
        }
        List<Path> moved = new ArrayList<>();
        try {
            for (Shard shard : shards) {
                if (shard.written != shard.dataBytes) {
                    throw new MergeException(shard.target + ": only " + shard.written + " of " + shard.dataBytes
                            + " tensor bytes were written");
                }
                start(shard);
                finish(shard);
            }
            if (indexTarget != null) {
                // An index already here names shards of an earlier checkpoint. The new shards replace those of the
                // same names one rename at a time, so a kill between two renames would leave that index naming a
                // mix of old and new shards, a model that loads and is neither. Without an index the folder holds
                // no loadable model until the new index is renamed in last.
                Files.deleteIfExists(indexTarget);
            }
            for (Shard shard : shards) {
                TempFiles.moveIntoPlace(shard.temp, shard.target);
                moved.add(shard.target);
            }
            if (indexTarget != null) {
                Map<String, Object> index = new LinkedHashMap<>();
                index.put("metadata", Map.of("total_size", totalSize));
                index.put("weight_map", weightMap);
                // Last, and forced to disk like the shards: a reader never sees an index naming missing shards.
                moved.add(AtomicFiles.write(indexTarget,
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index)));
            }
            committed = true;
            return List.copyOf(moved);
        } catch (IOException e) {
            for (Path path : moved) {
                deleteQuietly(path);
            }
            throw new MergeException(shards.get(0).target + ": cannot finish output: " + e, e);
        } finally {
            if (!committed) {
                close();
            }
        }
    }

    /** Deletes the temporary files unless committed. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            discard(shards);
        }
    }

    private static void discard(List<Shard> shards) {
        for (Shard shard : shards) {
            try {
                if (shard.file != null) {
                    shard.file.close();
                }
            } catch (IOException ignored) {
                // The file is deleted next; a failed close loses nothing.
            }
            TempFiles.delete(shard.temp);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Best effort: a shard renamed before the failure that is already being reported.
        }
    }
}
