package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.impl.merge.internal.Dtype;
import dev.reasoningsdk.impl.merge.internal.TensorInfo;
import dev.reasoningsdk.impl.merge.internal.TensorSink;
import dev.reasoningsdk.impl.merge.internal.TensorSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Runs a {@link ResolvedMerge} chunk by chunk: per tensor of the reference, each pre-pass of its kernel, then the
 * merge pass (or one copy pass for a tensor that is not merged), reading a {@link ReadAhead} two chunks ahead,
 * splitting a merge chunk across the worker threads and handing merged bytes to a {@link TensorSink} in tensor
 * order. Knows no file format: it reads {@link TensorSource}s and writes a sink. One run per instance.
 */
final class ChunkPipeline {

    /** Chunks read ahead of the one being merged: enough to keep the disk busy, each a few MiB per input. */
    private static final int READ_AHEAD_CHUNKS = 2;

    /** Counters of one merge. */
    record Stats(int tensors, long bytesRead, long nonFinite) {
    }

    private final ResolvedMerge merge;
    private final int chunkElements;
    private final int threads;
    private final MergeProgressListener listener;

    ChunkPipeline(ResolvedMerge merge, int chunkElements, int threads, MergeProgressListener listener) {
        this.merge = merge;
        this.chunkElements = chunkElements;
        this.threads = threads;
        this.listener = listener;
    }

    /** Merges every tensor into {@code sink}, in order. */
    Stats run(TensorSink sink) throws IOException {
        List<Map<String, TensorInfo>> infos = merge.infos();
        int partElements = (chunkElements + threads - 1) / threads;
        String output = merge.plan().output().map(Path::toString).orElse("merged ONNX model");
        List<Worker> workers = new ArrayList<>();
        workers.add(new Worker(infos, chunkElements, output));
        for (int t = 1; t < threads; t++) {
            workers.add(new Worker(infos, partElements, output));
        }
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, daemonThreads()) : null;
        int tensors = 0;
        long bytesRead = 0;
        int total = merge.tensors().size();
        ChunkJobs jobs = new ChunkJobs(merge.tensors());
        try (ReadAhead<ChunkJob> ahead = new ReadAhead<>(merge.sources(), infos, READ_AHEAD_CHUNKS,
                Math.multiplyExact(chunkElements, merge.maxElementBytes()))) {
            for (int i = 0; i < ahead.depth() && jobs.hasNext(); i++) {
                ahead.schedule(jobs.next());
            }
            while (ahead.hasNext()) {
                ReadAhead.Chunk<ChunkJob> chunk = ahead.next();
                // Reuses the buffers of the chunk before this one, which is done with.
                if (jobs.hasNext()) {
                    ahead.schedule(jobs.next());
                }
                ChunkJob job = chunk.job();
                bytesRead += chunk.byteCount();
                if (job.count() > 0 && job.kernel() == null) {
                    copyThrough(chunk, workers.get(0), sink);
                } else if (job.count() > 0) {
                    boolean parallel = job.pass() < 0 && job.kernel().parallelMerge();
                    mergeChunk(job, chunk, workers, parallel ? pool : null, sink);
                }
                if (job.pass() >= 0 && job.endsPass()) {
                    job.kernel().endPass(job.pass());
                }
                if (job.endsTensor()) {
                    tensors++;
                    listener.tensorWritten(tensors, total, bytesRead, job.name());
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        long nonFinite = 0;
        for (Worker worker : workers) {
            nonFinite += worker.nonFinite;
        }
        return new Stats(tensors, bytesRead, nonFinite);
    }

    /**
     * One chunk of one pass over a tensor; {@code kernel} is null for a tensor copied from the reference, and
     * {@code pass} is -1 for the merge pass.
     */
    private record ChunkJob(ResolvedMerge.ResolvedTensor tensor, TensorKernel kernel, int pass, long offset,
                            int count, boolean endsPass, boolean endsTensor) implements ReadAhead.Job {
        @Override
        public String tensorName() {
            return tensor.name();
        }

        String name() {
            return tensor.name();
        }

        @Override
        public boolean firstInputOnly() {
            return kernel == null;
        }
    }

    /**
     * The chunks of a merge in order, at least one chunk per pass. A tensor's kernel (which holds its pass state) is
     * made from its resolved parameters as the tensor comes up, a few chunks before it is merged.
     */
    private final class ChunkJobs implements Iterator<ChunkJob> {
        private final Iterator<ResolvedMerge.ResolvedTensor> tensors;
        private ResolvedMerge.ResolvedTensor tensor;
        private TensorKernel kernel;
        private int passes;
        private int pass;
        private long offset;

        ChunkJobs(List<ResolvedMerge.ResolvedTensor> all) {
            this.tensors = all.iterator();
        }

        @Override
        public boolean hasNext() {
            return tensor != null || tensors.hasNext();
        }

        @Override
        public ChunkJob next() {
            if (tensor == null) {
                tensor = tensors.next();
                kernel = tensor.kernel() == null ? null : tensor.kernel().newKernel();
                passes = kernel == null ? 1 : kernel.prePasses() + 1;
                pass = 0;
                offset = 0;
            }
            long elements = tensor.tensor().elementCount();
            int count = (int) Math.min(chunkElements, elements - offset);
            boolean endsPass = offset + count >= elements;
            boolean endsTensor = endsPass && pass == passes - 1;
            ChunkJob job = new ChunkJob(tensor, kernel, pass == passes - 1 ? -1 : pass, offset, count, endsPass,
                    endsTensor);
            offset += count;
            if (endsTensor) {
                tensor = null;
            } else if (endsPass) {
                pass++;
                offset = 0;
            }
            return job;
        }
    }

    private static ThreadFactory daemonThreads() {
        return runnable -> {
            Thread thread = new Thread(runnable, "streaming-merge");
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * One chunk of a pass over a tensor. In the merge pass ({@code pass < 0}) with a pool, the chunk is split into one
     * part per worker, decoded, merged and encoded in parallel, then written in order.
     */
    private static void mergeChunk(ChunkJob job, ReadAhead.Chunk<ChunkJob> chunk, List<Worker> workers,
                                   ExecutorService pool, TensorSink sink) throws IOException {
        Dtype outType = job.tensor().output();
        int count = job.count();
        boolean merging = job.pass() < 0;
        int parts = pool == null || count < workers.size() * 256 ? 1 : workers.size();
        int partSize = (count + parts - 1) / parts;
        ByteBuffer[] outputs = new ByteBuffer[parts];
        for (int p = 0; p < parts && merging; p++) {
            outputs[p] = workers.get(p).nextOutput();
            sink.awaitWritten(outputs[p]);
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int p = 1; p < parts; p++) {
            int from = p * partSize;
            int partCount = Math.max(0, Math.min(partSize, count - from));
            Worker worker = workers.get(p);
            ByteBuffer output = outputs[p];
            futures.add(pool.submit(() -> {
                worker.process(job, chunk, from, partCount, outType, output);
                return null;
            }));
        }
        workers.get(0).process(job, chunk, 0, Math.min(partSize, count), outType, outputs[0]);
        for (Future<?> future : futures) {
            await(future);
        }
        for (int p = 0; p < parts && merging; p++) {
            sink.write(outputs[p]);
        }
    }

    /** The future's result; its IOException or RuntimeException is rethrown as it was. */
    static <T> T await(Future<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MergeException("merge interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new MergeException("merge thread failed: " + cause, cause);
        }
    }

    /** Writes a chunk of a tensor that is copied, not merged, from the reference input. */
    private static void copyThrough(ReadAhead.Chunk<ChunkJob> chunk, Worker worker, TensorSink sink)
            throws IOException {
        ByteBuffer output = worker.nextOutput();
        sink.awaitWritten(output);
        output.clear();
        output.put(chunk.bytes()[0]);
        output.flip();
        sink.write(output);
    }

    /**
     * The buffers of one thread: decoded inputs, merged floats, and two buffers of merged bytes used in turn (one may
     * still be queued for writing). Used by one thread at a time.
     */
    private static final class Worker {
        private final List<Map<String, TensorInfo>> infos;
        private final float[][] floats;
        private final float[] out;
        private final ByteBuffer[] outBytes = new ByteBuffer[2];
        private final String output;
        private int nextOutBytes;
        /** Merged values out of range where an input value was NaN or infinite (read after the merge). */
        private long nonFinite;

        Worker(List<Map<String, TensorInfo>> infos, int elements, String output) {
            this.infos = infos;
            this.floats = new float[infos.size()][elements];
            this.out = new float[elements];
            this.output = output;
            for (int i = 0; i < outBytes.length; i++) {
                outBytes[i] = ByteBuffer.allocateDirect(elements * 8).order(ByteOrder.LITTLE_ENDIAN);
            }
        }

        /** The merged-bytes buffer not used last time. */
        ByteBuffer nextOutput() {
            nextOutBytes ^= 1;
            return outBytes[nextOutBytes];
        }

        /**
         * Decodes elements {@code [from, from + count)} of the chunk; observes them ({@code pass >= 0}) or merges and
         * encodes them into {@code output}, flipped for reading.
         */
        void process(ChunkJob job, ReadAhead.Chunk<ChunkJob> chunk, int from, int count, Dtype outType,
                     ByteBuffer output) {
            String name = job.name();
            for (int i = 0; i < floats.length; i++) {
                Dtype dtype = infos.get(i).get(name).dtype();
                dtype.decode(chunk.slice(i, from, count, dtype.byteSize()), floats[i], count);
            }
            if (job.pass() >= 0) {
                job.kernel().observe(job.pass(), floats, count);
                return;
            }
            job.kernel().merge(floats, count, job.offset() + from, out);
            checkRange(job, from, count, outType);
            output.clear();
            outType.encode(out, count, output);
            output.flip();
        }

        /**
         * Counts the merged values that are NaN or do not fit {@code outType} where an input value already was NaN or
         * infinite, and refuses any other: there the weights or parameters overflowed, or a non-finite value
         * elsewhere in the tensor spread through the method's whole-tensor statistics (SLERP's norms).
         */
        private void checkRange(ChunkJob job, int from, int count, Dtype outType) {
            float limit = outType.overflowThreshold();
            for (int j = 0; j < count; j++) {
                // One comparison per value: false for NaN, infinities and values that round to infinity.
                if (Math.abs(out[j]) < limit) {
                    continue;
                }
                float[] inputs = new float[floats.length];
                boolean carried = false;
                for (int i = 0; i < floats.length; i++) {
                    inputs[i] = floats[i][j];
                    carried |= !Float.isFinite(inputs[i]);
                }
                if (!carried) {
                    throw new IllegalArgumentException(output + ": tensor '" + job.name() + "' element "
                            + (job.offset() + from + j) + " merges to " + out[j]
                            + (Float.isFinite(out[j]) ? ", beyond " + outType + "'s range," : "")
                            + " from finite inputs " + Arrays.toString(inputs)
                            + ": the weights or parameters overflow, or a NaN or infinity elsewhere in the tensor"
                            + " spread through the method's whole-tensor statistics");
                }
                nonFinite++;
            }
        }
    }
}
