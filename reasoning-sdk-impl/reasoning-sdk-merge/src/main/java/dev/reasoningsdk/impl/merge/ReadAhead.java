package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.impl.merge.internal.TensorInfo;
import dev.reasoningsdk.impl.merge.internal.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Reads the chunks of a merge on a thread of its own, up to {@code depth} chunks ahead of the threads that merge
 * them, so the disk is kept busy while a chunk is converted and merged. Read synchronously by the merging threads, a
 * cold BF16 merge on the 2-core VM spent 1.0 to 1.5 s of its 1.6 to 2.9 s blocked in reads. One thread reads the
 * inputs of a chunk one after the other: with a thread per input, three F32 merges took 2.23 to 2.49 s instead of
 * 1.62 to 1.86 s, because the reads took the disk from the writes (BF16: 1.88 to 2.15 s instead of 1.85 to 2.62 s).
 *
 * <p>Chunks are scheduled and taken in the same order. A chunk's buffers are reused for the chunk scheduled
 * {@code depth + 1} later, so the caller must be done with a chunk before it schedules the one {@code depth} after
 * the next. Used by one thread; the reads run on the read-ahead thread.
 */
final class ReadAhead<J extends ReadAhead.Job> implements AutoCloseable {

    /** What to read: elements {@code [offset, offset + count)} of one tensor, from every input or the first only. */
    interface Job {
        String tensorName();

        long offset();

        int count();

        boolean firstInputOnly();
    }

    /** A chunk that has been read: one buffer per input (null where not read), each flipped for reading. */
    record Chunk<J>(J job, ByteBuffer[] bytes) {
        long byteCount() {
            long total = 0;
            for (ByteBuffer buffer : bytes) {
                total += buffer == null ? 0 : buffer.remaining();
            }
            return total;
        }

        /** Bytes of input {@code input} for elements {@code [from, from + count)} of the chunk, little-endian. */
        ByteBuffer slice(int input, int from, int count, int elementBytes) {
            // bytes[input] starts at the chunk's first byte (a slice), so indices are relative to the chunk.
            ByteBuffer view = bytes[input].duplicate().order(ByteOrder.LITTLE_ENDIAN);
            view.limit((from + count) * elementBytes).position(from * elementBytes);
            return view;
        }
    }

    private final List<TensorSource> sources;
    private final List<Map<String, TensorInfo>> infos;
    private final ByteBuffer[][] slots;
    private final ArrayDeque<Future<Chunk<J>>> pending = new ArrayDeque<>();
    private final ExecutorService reader;
    private final int depth;
    private long scheduled;

    /**
     * @param sources    the inputs
     * @param infos      each input's tensors by name
     * @param depth      chunks read ahead of the one being merged
     * @param slotBytes  bytes per input per chunk: the largest chunk times the largest element size
     */
    ReadAhead(List<TensorSource> sources, List<Map<String, TensorInfo>> infos, int depth, int slotBytes) {
        this.sources = sources;
        this.infos = infos;
        this.depth = depth;
        this.slots = new ByteBuffer[depth + 1][sources.size()];
        this.reader = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "streaming-merge-reader");
            thread.setDaemon(true);
            return thread;
        });
        for (ByteBuffer[] slot : slots) {
            for (int i = 0; i < slot.length; i++) {
                int alignment = TensorSource.SCRATCH_ALIGNMENT;
                slot[i] = ByteBuffer.allocateDirect(slotBytes + 3 * alignment).alignedSlice(alignment);
            }
        }
    }

    /** Chunks read ahead of the one being merged. */
    int depth() {
        return depth;
    }

    /** Whether a scheduled chunk has not been taken yet. */
    boolean hasNext() {
        return !pending.isEmpty();
    }

    /** Queues the read of {@code job} after those queued before. */
    void schedule(J job) {
        ByteBuffer[] slot = slots[(int) (scheduled++ % slots.length)];
        pending.add(reader.submit(() -> read(job, slot)));
    }

    /** The oldest scheduled chunk, once read. @throws IOException if its read failed */
    Chunk<J> next() throws IOException {
        return ChunkPipeline.await(pending.remove());
    }

    private Chunk<J> read(J job, ByteBuffer[] slot) throws IOException {
        ByteBuffer[] read = new ByteBuffer[slot.length];
        int inputs = job.firstInputOnly() ? 1 : slot.length;
        for (int i = 0; i < inputs; i++) {
            int elementBytes = infos.get(i).get(job.tensorName()).dtype().byteSize();
            read[i] = sources.get(i).readInto(job.tensorName(), job.offset() * elementBytes,
                    Math.multiplyExact(job.count(), elementBytes), slot[i]);
        }
        return new Chunk<>(job, read);
    }

    /** Stops the thread and waits for a read in progress, so none touches an input closed after this. */
    @Override
    public void close() {
        // Not shutdownNow: an interrupt in the middle of a FileChannel read closes the channel.
        pending.forEach(chunk -> chunk.cancel(false));
        reader.shutdown();
        try {
            if (!reader.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new MergeException("read-ahead thread did not stop within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
