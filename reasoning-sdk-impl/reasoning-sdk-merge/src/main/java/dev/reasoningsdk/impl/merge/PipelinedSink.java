package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.impl.merge.internal.TensorSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Writes on a thread of its own, in order, so that a chunk goes to the disk while the workers read and merge the
 * next: on the 2-core VM a 1 GB output took 1.3 s to write and the merge itself 0.4 to 0.9 s, and done one after
 * the other the two added up. Workers alternate between two output buffers and reuse one only after its write.
 * A failed write is rethrown by the next {@link #awaitWritten} or {@link #drain()}. Used by one thread.
 */
final class PipelinedSink implements TensorSink, AutoCloseable {
    private final TensorSink target;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "streaming-merge-writer");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<ByteBuffer, Future<?>> pending = new IdentityHashMap<>();

    PipelinedSink(TensorSink target) {
        this.target = target;
    }

    @Override
    public void write(ByteBuffer bytes) {
        pending.put(bytes, writer.submit(() -> {
            target.write(bytes);
            return null;
        }));
    }

    @Override
    public void awaitWritten(ByteBuffer bytes) throws IOException {
        Future<?> write = pending.remove(bytes);
        if (write != null) {
            ChunkPipeline.await(write);
        }
    }

    /** Waits for every queued write. */
    void drain() throws IOException {
        for (ByteBuffer bytes : List.copyOf(pending.keySet())) {
            awaitWritten(bytes);
        }
    }

    /** Stops the thread; after a failure, waits for a running write so none touches a closed file. */
    @Override
    public void close() {
        writer.shutdownNow();
        try {
            writer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
