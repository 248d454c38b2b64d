package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.MergeReport;
import dev.reasoningsdk.api.merge.ModelMerger;
import dev.reasoningsdk.api.merge.RatioSchedule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ModelMerger} that streams: tensors are merged one at a time, in chunks of {@link Builder#chunkElements}
 * elements, so peak memory is a few chunks whatever the model size. Reads safetensors (single or sharded, see
 * {@link SafetensorsReader}) and ONNX models (the initializers of models with identical graphs, see
 * {@link OnnxModel}); writes through {@link SafetensorsWriter} (temporary file renamed into place) or as an ONNX
 * file, or returns merged ONNX bytes without writing anything ({@link #mergeOnnx(MergePlan)}).
 *
 * <p>Methods follow mergekit: {@code linear} (per-model {@code weight}, global {@code normalize}, default true),
 * {@code task_arithmetic} ({@code weight}; {@code normalize} false, {@code lambda} 1), {@code ties}
 * ({@code weight}, {@code density}; {@code normalize} true, {@code rescale} false, sign consensus by sum or count),
 * {@code dare_linear} / {@code dare_ties} ({@code weight}, {@code density}; {@code normalize} false, {@code rescale}
 * true, seeded Bernoulli masks), {@code slerp} (global {@code t}, base at 0) and {@code model_stock}. A per-model
 * parameter not given for a model falls back to the global parameter of the same name. Every parameter is a
 * {@link RatioSchedule}, resolved per tensor from its name and layer ({@link LayerIndex}). Floating tensors are
 * computed in float and written in the plan's dtype (or their own) with round-to-nearest-even; integer tensors are
 * copied from the base (or first) model. Thread-safe: each merge uses its own buffers.
 */
public final class StreamingModelMerger implements ModelMerger {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingModelMerger.class);

    private static final Map<MergeMethod, Set<String>> MODEL_PARAMETERS = Map.of(
            MergeMethod.LINEAR, Set.of("weight"),
            MergeMethod.TASK_ARITHMETIC, Set.of("weight"),
            MergeMethod.TIES, Set.of("weight", "density"),
            MergeMethod.DARE_LINEAR, Set.of("weight", "density"),
            MergeMethod.DARE_TIES, Set.of("weight", "density"),
            MergeMethod.SLERP, Set.of(),
            MergeMethod.MODEL_STOCK, Set.of());
    private static final Map<MergeMethod, Set<String>> GLOBAL_PARAMETERS = Map.of(
            MergeMethod.LINEAR, Set.of("normalize"),
            MergeMethod.TASK_ARITHMETIC, Set.of("normalize", "lambda"),
            MergeMethod.TIES, Set.of("normalize", "lambda", "rescale"),
            MergeMethod.DARE_LINEAR, Set.of("normalize", "lambda", "rescale"),
            MergeMethod.DARE_TIES, Set.of("normalize", "lambda", "rescale"),
            MergeMethod.SLERP, Set.of("t"),
            MergeMethod.MODEL_STOCK, Set.of());

    private final int chunkElements;
    private final int threads;
    private final MergeProgressListener listener;

    private StreamingModelMerger(Builder builder) {
        this.chunkElements = builder.chunkElements;
        this.threads = builder.threads;
        this.listener = builder.listener;
    }

    /** A merger with the defaults (chunks of 2^20 elements, no progress listener). */
    public static StreamingModelMerger create() {
        return builder().build();
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the plan and writes its output. Everything that can be checked before writing is checked before anything
     * is created: the inputs are regular files (or model directories), no file the merge writes is one it reads
     * (compared by real path, so through symbolic links too), and the parameters suit every tensor. Only then are
     * the output directory and the temporary files created; a shutdown hook deletes the temporary files if the JVM
     * is stopped during the merge, and temporary files an earlier, killed merge left beside the output are removed
     * (each named in a warning). Merged values that are NaN or infinite where an input value already was are kept
     * and counted ({@link MergeReport#nonFiniteValues()}); any other merged value outside the output dtype's range
     * fails the merge.
     *
     * @throws IllegalArgumentException if the plan has no output, names a parameter its method does not use, lacks a
     *                                  required one or gives one beyond float range; if an input is missing, a
     *                                  directory where a file is expected or not a regular file (a FIFO); if an
     *                                  output file would replace an input file; or if a merged value leaves the
     *                                  output dtype's range where every input value was finite
     * @throws MergeException           if an input is malformed or the inputs do not match (naming file, tensor and
     *                                  check), or the output cannot be written; no partial output is left
     */
    @Override
    public MergeReport merge(MergePlan plan) {
        Objects.requireNonNull(plan, "plan");
        Path output = plan.output().orElseThrow(() -> new IllegalArgumentException("the plan has no output path"));
        validateParameters(plan);
        long start = System.nanoTime();
        boolean onnx = isOnnx(plan);
        requireInputFiles(plan, onnx);
        if (onnx && !output.getFileName().toString().endsWith(".onnx")) {
            throw new IllegalArgumentException("ONNX inputs need an .onnx output, got " + output);
        }
        Map<Path, SafetensorsReader> readers = new LinkedHashMap<>();
        try {
            if (onnx) {
                Map<Path, List<Path>> inputFiles = new LinkedHashMap<>();
                plan.distinctInputs().forEach(input -> inputFiles.put(input, List.of(input)));
                ModelFiles.requireSeparate(inputFiles, List.of(output));
                OnnxResult result = mergeOnnxInternal(plan);
                return writeOutput(List.of(output), false, () -> {
                    Path written = AtomicFiles.write(output, result.bytes());
                    return report(plan, List.of(written), result.stats(), result.bytes().length, start);
                });
            }
            for (Path input : plan.distinctInputs()) {
                readers.put(input, SafetensorsReader.open(input));
            }
            Inputs inputs = inputsOf(plan, readers);
            List<TensorSpec> specs = outputSpecs(plan, inputs.reference());
            checkKernels(plan, inputs);
            Map<Path, List<Path>> inputFiles = new LinkedHashMap<>();
            readers.forEach((input, reader) -> inputFiles.put(input, reader.files()));
            List<Path> outputs = outputFiles(plan, output, specs);
            Map<Path, Path> companions = companionFiles(plan, outputs.get(0).toAbsolutePath().getParent());
            // The copied files are read as part of the model they come from, and an overlap names that model.
            List<Path> ownerFiles = new ArrayList<>(inputFiles.getOrDefault(companionOwner(plan), List.of()));
            ownerFiles.addAll(companions.keySet());
            inputFiles.put(companionOwner(plan), ownerFiles);
            List<Path> everyOutput = new ArrayList<>(outputs);
            everyOutput.addAll(companions.values());
            ModelFiles.requireSeparate(inputFiles, everyOutput);
            return writeOutput(outputs, plan.maxShardBytes() > 0, () -> {
                try (SafetensorsWriter writer = openWriter(plan, outputs, inputs.reference().metadata(), specs);
                     PipelinedSink sink = new PipelinedSink(writer::write)) {
                    Stats stats = run(plan, inputs, sink);
                    sink.drain();
                    List<Path> files = new ArrayList<>(writer.commit());
                    files.addAll(copyCompanions(companions));
                    long written = 0;
                    for (Path file : files) {
                        written += Files.size(file);
                    }
                    return report(plan, files, stats, written, start);
                }
            });
        } catch (IOException e) {
            throw new MergeException("merge into " + output + " failed: " + e, e);
        } finally {
            readers.values().forEach(SafetensorsReader::close);
        }
    }

    /**
     * Checks, before anything is opened, that each input is a regular file or a model directory whose first file is
     * one: a FIFO given as a model would block the first read forever.
     *
     * @throws IllegalArgumentException naming the file that is missing, a directory, or not a regular file
     */
    private static void requireInputFiles(MergePlan plan, boolean onnx) {
        for (Path input : plan.distinctInputs()) {
            Path entry = onnx ? input : SafetensorsReader.entryFile(input)
                    .orElseThrow(() -> new IllegalArgumentException(SafetensorsReader.holdsNoModel(input)));
            ModelFiles.requireRegularFile(entry);
        }
    }

    /** Writing the output files, once every check has passed. */
    private interface OutputWrite {
        MergeReport write() throws IOException;
    }

    /**
     * Creates the directory of {@code outputs}, removes temporary files a killed merge left there for these outputs,
     * and writes with a shutdown hook that deletes the temporary files in flight. After a failure, the directories
     * this created are removed again if empty.
     */
    private static MergeReport writeOutput(List<Path> outputs, boolean sharded, OutputWrite write)
            throws IOException {
        Path dir = outputs.get(0).toAbsolutePath().getParent();
        Set<String> names = new HashSet<>();
        outputs.forEach(file -> names.add(file.getFileName().toString()));
        List<Path> created = ModelFiles.createDirectories(dir);
        boolean written = false;
        try (TempFiles.Cleanup cleanup = TempFiles.deleteOnShutdown(created)) {
            TempFiles.removeStale(dir, name -> names.contains(name)
                    || (sharded && SafetensorsWriter.isShardName(name)));
            MergeReport report = write.write();
            written = true;
            return report;
        } finally {
            if (!written) {
                ModelFiles.removeIfEmpty(created);
            }
        }
    }

    /**
     * What mergekit copies beside the merged weights from the base model's folder, so the output is a model folder
     * that loads as the base does: its configuration and tokenizer.
     */
    static final List<String> COMPANION_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt",
            "added_tokens.json", "chat_template.jinja");

    /**
     * Source and target of each {@link #COMPANION_FILES companion file} the base model's folder holds (the base
     * model's, else the first model's), as regular files, not links: a link could name any file on the machine.
     * None when the output goes into that same folder, where they already are.
     */
    private static Map<Path, Path> companionFiles(MergePlan plan, Path outputDir) throws IOException {
        Path base = companionOwner(plan);
        Path folder = Files.isDirectory(base) ? base : base.toAbsolutePath().getParent();
        Map<Path, Path> copies = new LinkedHashMap<>();
        if (folder == null || Files.exists(outputDir) && Files.isSameFile(folder, outputDir)) {
            return copies;
        }
        for (String name : COMPANION_FILES) {
            Path source = folder.resolve(name);
            if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                copies.put(source, outputDir.resolve(name));
            }
        }
        return copies;
    }

    /** The model whose folder the companion files come from: the base model, else the first model. */
    private static Path companionOwner(MergePlan plan) {
        return plan.baseModel().orElse(plan.distinctInputs().get(0));
    }

    /** Copies each companion file atomically (a temporary file, then a rename); returns the targets. */
    private static List<Path> copyCompanions(Map<Path, Path> companions) throws IOException {
        List<Path> copied = new ArrayList<>();
        for (Map.Entry<Path, Path> companion : companions.entrySet()) {
            copied.add(AtomicFiles.write(companion.getValue(), Files.readAllBytes(companion.getKey())));
        }
        return copied;
    }

    /** Every file the merge will write: the single file, or each shard and the index. */
    private static List<Path> outputFiles(MergePlan plan, Path output, List<TensorSpec> specs) {
        if (plan.maxShardBytes() > 0) {
            return SafetensorsWriter.shardedFiles(output, specs, plan.maxShardBytes());
        }
        return List.of(Files.isDirectory(output) ? output.resolve("model.safetensors") : output);
    }

    /**
     * Merges the initializers of ONNX models with identical graphs and returns the merged model's bytes without
     * writing a file (e.g. to create an ONNX Runtime session straight from them). The plan's output is not used.
     *
     * @throws IllegalArgumentException if an input is not an ONNX file, is a directory or not a regular file (a FIFO),
     *                                  or a parameter is wrong
     * @throws MergeException           if an ONNX file is malformed or the graphs differ
     */
    public byte[] mergeOnnx(MergePlan plan) {
        Objects.requireNonNull(plan, "plan");
        validateParameters(plan);
        if (!isOnnx(plan)) {
            throw new IllegalArgumentException("mergeOnnx needs .onnx inputs, got " + plan.distinctInputs());
        }
        requireInputFiles(plan, true);
        return mergeOnnxInternal(plan).bytes();
    }

    private record OnnxResult(byte[] bytes, Stats stats) {
    }

    private OnnxResult mergeOnnxInternal(MergePlan plan) {
        if (plan.outputDtype().isPresent()) {
            throw new IllegalArgumentException("an ONNX merge keeps each initializer's dtype; drop the output dtype");
        }
        if (plan.maxShardBytes() > 0) {
            throw new IllegalArgumentException("an ONNX merge writes one file; drop maxShardBytes");
        }
        Map<Path, OnnxModel> models = new LinkedHashMap<>();
        for (Path input : plan.distinctInputs()) {
            models.put(input, OnnxModel.read(input));
        }
        OnnxModel reference = models.get(plan.distinctInputs().get(0));
        for (OnnxModel model : models.values()) {
            reference.requireSameGraph(model);
        }
        Inputs inputs = inputsOf(plan, models);
        OnnxModel.Patcher patcher = reference.patcher();
        try {
            Stats stats = run(plan, inputs, patcher::write);
            return new OnnxResult(patcher.finish(), stats);
        } catch (IOException e) {
            throw new MergeException("ONNX merge failed: " + e, e);
        }
    }

    private static boolean isOnnx(MergePlan plan) {
        boolean any = false;
        boolean all = true;
        for (Path input : plan.distinctInputs()) {
            boolean onnx = input.getFileName() != null && input.getFileName().toString().endsWith(".onnx");
            any |= onnx;
            all &= onnx;
        }
        if (any && !all) {
            throw new IllegalArgumentException("cannot merge ONNX with safetensors inputs: " + plan.distinctInputs());
        }
        return any;
    }

    private MergeReport report(MergePlan plan, List<Path> files, Stats stats, long written, long start) {
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        LOG.info("{} merge wrote {} tensors ({} bytes) in {} ms", plan.method().configName(), stats.tensors,
                written, wall.toMillis());
        if (stats.nonFinite > 0) {
            LOG.warn("{}: {} merged values are NaN or infinite, carried over from NaN or infinite input values",
                    files.get(0), stats.nonFinite);
        }
        return new MergeReport(plan.method(), files, stats.tensors, stats.bytesRead, written, stats.nonFinite,
                Usage.ofWallTime(wall));
    }

    private static SafetensorsWriter openWriter(MergePlan plan, List<Path> outputs, Map<String, String> metadata,
                                                List<TensorSpec> specs) {
        if (plan.maxShardBytes() > 0) {
            return SafetensorsWriter.sharded(outputs.get(0).toAbsolutePath().getParent(), metadata, specs,
                    plan.maxShardBytes());
        }
        return SafetensorsWriter.single(outputs.get(0), metadata, specs);
    }

    private static List<TensorSpec> outputSpecs(MergePlan plan, TensorSource reference) {
        List<TensorSpec> specs = new ArrayList<>();
        for (TensorInfo tensor : reference.tensors()) {
            specs.add(new TensorSpec(tensor.name(), outputDtype(plan, tensor), tensor.shape()));
        }
        return specs;
    }

    private static Dtype outputDtype(MergePlan plan, TensorInfo tensor) {
        if (!tensor.dtype().mergeable()) {
            return tensor.dtype();
        }
        return plan.outputDtype().map(Dtype::valueOf).orElse(tensor.dtype());
    }

    /** The sources in kernel order and the parameters of the weighted ones. */
    private record Inputs(List<TensorSource> sources, List<MergePlan.ModelInput> weighted, boolean hasBase) {
        TensorSource reference() {
            return sources.get(0);
        }
    }

    private static Inputs inputsOf(MergePlan plan, Map<Path, ? extends TensorSource> opened) {
        List<TensorSource> sources = new ArrayList<>();
        List<MergePlan.ModelInput> weighted = new ArrayList<>();
        boolean hasBase = plan.method() != MergeMethod.LINEAR;
        if (plan.method() == MergeMethod.LINEAR) {
            for (MergePlan.ModelInput model : plan.models()) {
                sources.add(opened.get(model.path()));
                weighted.add(model);
            }
        } else {
            List<Path> order = plan.distinctInputs();
            for (Path path : order) {
                sources.add(opened.get(path));
            }
            for (Path path : order.subList(1, order.size())) {
                weighted.add(plan.models().stream().filter(m -> m.path().equals(path)).findFirst()
                        .orElseThrow());
            }
        }
        checkCompatible(sources);
        return new Inputs(sources, weighted, hasBase);
    }

    private static void checkCompatible(List<TensorSource> sources) {
        TensorSource reference = sources.get(0);
        for (TensorSource other : sources.subList(1, sources.size())) {
            Map<String, TensorInfo> byName = new LinkedHashMap<>();
            other.tensors().forEach(t -> byName.put(t.name(), t));
            for (TensorInfo tensor : reference.tensors()) {
                TensorInfo match = byName.remove(tensor.name());
                if (match == null) {
                    throw new MergeException(other.label() + ": tensor '" + tensor.name() + "' of "
                            + reference.label() + " is missing");
                }
                if (!match.shape().equals(tensor.shape())) {
                    throw new MergeException(other.label() + ": tensor '" + tensor.name() + "' has shape "
                            + match.shape() + " but " + reference.label() + " has " + tensor.shape());
                }
                if (match.dtype().mergeable() != tensor.dtype().mergeable()) {
                    throw new MergeException(other.label() + ": tensor '" + tensor.name() + "' is " + match.dtype()
                            + " but " + reference.label() + " has " + tensor.dtype());
                }
            }
            if (!byName.isEmpty()) {
                throw new MergeException(other.label() + ": tensor '" + byName.keySet().iterator().next()
                        + "' is not in " + reference.label());
            }
        }
    }

    /**
     * Checks every parameter of the plan is one its method uses.
     *
     * @throws IllegalArgumentException naming the first parameter the method does not use
     */
    static void validateParameters(MergePlan plan) {
        MergeMethod method = plan.method();
        Set<String> modelKnown = MODEL_PARAMETERS.get(method);
        Set<String> globalKnown = GLOBAL_PARAMETERS.get(method);
        for (MergePlan.ModelInput model : plan.models()) {
            for (String name : model.parameters().keySet()) {
                if (!modelKnown.contains(name)) {
                    throw new IllegalArgumentException("parameter '" + name + "' of model " + model.path()
                            + " is not used by " + method.configName() + " (per-model parameters: " + modelKnown
                            + ")");
                }
            }
        }
        for (String name : plan.parameters().keySet()) {
            if (!globalKnown.contains(name) && !modelKnown.contains(name)) {
                throw new IllegalArgumentException("parameter '" + name + "' is not used by " + method.configName()
                        + " (parameters: " + globalKnown + ", per model: " + modelKnown + ")");
            }
        }
        for (MergePlan.ModelInput model : plan.models()) {
            model.parameters().forEach((name, schedule) -> requireFloatRange(schedule,
                    "parameter '" + name + "' of model " + model.path()));
        }
        plan.parameters().forEach((name, schedule) -> requireFloatRange(schedule, "parameter '" + name + "'"));
    }

    /** Every value a schedule can take must be finite in float, which the kernels compute in. */
    private static void requireFloatRange(RatioSchedule schedule, String where) {
        if (schedule instanceof RatioSchedule.Constant constant) {
            MergeMath.requireFloat(constant.value(), where);
        } else if (schedule instanceof RatioSchedule.Gradient gradient) {
            gradient.anchors().forEach(value -> MergeMath.requireFloat(value, where));
            MergeMath.requireFloat(gradient.outsideLayers(), where);
        } else if (schedule instanceof RatioSchedule.LayerGroups groups) {
            groups.groups().forEach(group -> MergeMath.requireFloat(group.value(), where));
            MergeMath.requireFloat(groups.rest(), where);
            MergeMath.requireFloat(groups.outsideLayers(), where);
        } else if (schedule instanceof RatioSchedule.Filtered filtered) {
            filtered.filters().forEach(filter -> requireFloatRange(filter.value(), where));
            requireFloatRange(filtered.fallback(), where);
        }
    }

    /** Counters of one merge. */
    private static final class Stats {
        int tensors;
        long bytesRead;
        long nonFinite;
    }

    /** Where merged bytes go, in tensor order. */
    private interface Sink {
        /**
         * Takes {@code bytes} (all remaining); an asynchronous sink may still be reading them after it returns, so
         * the caller must {@link #awaitWritten} a buffer before filling it again.
         */
        void write(ByteBuffer bytes) throws IOException;

        /** Returns once {@code bytes}, if given to {@link #write} before, has been written. */
        default void awaitWritten(ByteBuffer bytes) throws IOException {
        }
    }

    /**
     * Writes on a thread of its own, in order, so that a chunk goes to the disk while the workers read and merge the
     * next: on the 2-core VM a 1 GB output took 1.3 s to write and the merge itself 0.4 to 0.9 s, and done one after
     * the other the two added up. Workers alternate between two output buffers and reuse one only after its write.
     * A failed write is rethrown by the next {@link #awaitWritten} or {@link #drain()}. Used by one thread.
     */
    private static final class PipelinedSink implements Sink, AutoCloseable {
        private final Sink target;
        private final ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "streaming-merge-writer");
            thread.setDaemon(true);
            return thread;
        });
        private final Map<ByteBuffer, Future<?>> pending = new IdentityHashMap<>();

        PipelinedSink(Sink target) {
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
                await(write);
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

    private Stats run(MergePlan plan, Inputs inputs, Sink sink) throws IOException {
        TensorSource reference = inputs.reference();
        List<Map<String, TensorInfo>> infos = new ArrayList<>();
        int maxElementBytes = 1;
        for (TensorSource source : inputs.sources()) {
            Map<String, TensorInfo> byName = new LinkedHashMap<>();
            for (TensorInfo tensor : source.tensors()) {
                byName.put(tensor.name(), tensor);
                maxElementBytes = Math.max(maxElementBytes, tensor.dtype().byteSize());
            }
            infos.add(byName);
        }
        int partElements = (chunkElements + threads - 1) / threads;
        String output = plan.output().map(Path::toString).orElse("merged ONNX model");
        List<Worker> workers = new ArrayList<>();
        workers.add(new Worker(infos, chunkElements, output));
        for (int t = 1; t < threads; t++) {
            workers.add(new Worker(infos, partElements, output));
        }
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, daemonThreads()) : null;
        Stats stats = new Stats();
        ChunkJobs jobs = new ChunkJobs(plan, inputs);
        try (ReadAhead<ChunkJob> ahead = new ReadAhead<>(inputs.sources(), infos, READ_AHEAD_CHUNKS,
                Math.multiplyExact(chunkElements, maxElementBytes))) {
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
                stats.bytesRead += chunk.byteCount();
                if (job.count() > 0 && job.kernel() == null) {
                    copyThrough(chunk, workers.get(0), sink);
                } else if (job.count() > 0) {
                    boolean parallel = job.pass() < 0 && job.kernel().parallelMerge();
                    mergeChunk(job, chunk, outputDtype(plan, job.tensor()), workers, parallel ? pool : null, sink);
                }
                if (job.pass() >= 0 && job.endsPass()) {
                    job.kernel().endPass(job.pass());
                }
                if (job.endsTensor()) {
                    stats.tensors++;
                    listener.tensorWritten(stats.tensors, reference.tensors().size(), stats.bytesRead,
                            job.tensor().name());
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        for (Worker worker : workers) {
            stats.nonFinite += worker.nonFinite;
        }
        return stats;
    }

    /** Chunks read ahead of the one being merged: enough to keep the disk busy, each a few MiB per input. */
    private static final int READ_AHEAD_CHUNKS = 2;

    /**
     * One chunk of one pass over a tensor; {@code kernel} is null for a tensor copied from the reference, and
     * {@code pass} is -1 for the merge pass.
     */
    private record ChunkJob(TensorInfo tensor, TensorKernel kernel, int pass, long offset, int count,
                            boolean endsPass, boolean endsTensor) implements ReadAhead.Job {
        @Override
        public String tensorName() {
            return tensor.name();
        }

        @Override
        public boolean firstInputOnly() {
            return kernel == null;
        }
    }

    /**
     * The chunks of a merge in order: per tensor of the reference, each pre-pass of its kernel, then the merge pass
     * (or one copy pass for a tensor that is not merged), at least one chunk per pass. Kernels are made as their
     * tensor comes up, a few chunks before it is merged.
     */
    private final class ChunkJobs implements Iterator<ChunkJob> {
        private final MergePlan plan;
        private final Inputs inputs;
        private final Iterator<TensorInfo> tensors;
        private final int layerCount;
        private TensorInfo tensor;
        private TensorKernel kernel;
        private int passes;
        private int pass;
        private long offset;

        ChunkJobs(MergePlan plan, Inputs inputs) {
            this.plan = plan;
            this.inputs = inputs;
            List<TensorInfo> all = inputs.reference().tensors();
            this.tensors = all.iterator();
            this.layerCount = LayerIndex.count(all.stream().map(TensorInfo::name).toList());
        }

        @Override
        public boolean hasNext() {
            return tensor != null || tensors.hasNext();
        }

        @Override
        public ChunkJob next() {
            if (tensor == null) {
                tensor = tensors.next();
                kernel = kernelFor(plan, inputs, tensor, layerCount);
                passes = kernel == null ? 1 : kernel.prePasses() + 1;
                pass = 0;
                offset = 0;
            }
            long elements = tensor.elementCount();
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

    private static java.util.concurrent.ThreadFactory daemonThreads() {
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
    private static void mergeChunk(ChunkJob job, ReadAhead.Chunk<ChunkJob> chunk, Dtype outType,
                                   List<Worker> workers, ExecutorService pool, Sink sink) throws IOException {
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
            String name = job.tensor().name();
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
                    throw new IllegalArgumentException(output + ": tensor '" + job.tensor().name() + "' element "
                            + (job.offset() + from + j) + " merges to " + out[j]
                            + (Float.isFinite(out[j]) ? ", beyond " + outType + "'s range," : "")
                            + " from finite inputs " + java.util.Arrays.toString(inputs)
                            + ": the weights or parameters overflow, or a NaN or infinity elsewhere in the tensor"
                            + " spread through the method's whole-tensor statistics");
                }
                nonFinite++;
            }
        }
    }

    /** Writes a chunk of a tensor that is copied, not merged, from the reference input. */
    private static void copyThrough(ReadAhead.Chunk<ChunkJob> chunk, Worker worker, Sink sink) throws IOException {
        ByteBuffer output = worker.nextOutput();
        sink.awaitWritten(output);
        output.clear();
        output.put(chunk.bytes()[0]);
        output.flip();
        sink.write(output);
    }

    /**
     * Makes the kernel of every merged tensor once and drops it, so a parameter that does not suit some tensor
     * (weights summing to zero, a density that keeps nothing) is refused before any output exists.
     */
    private static void checkKernels(MergePlan plan, Inputs inputs) {
        List<TensorInfo> tensors = inputs.reference().tensors();
        int layerCount = LayerIndex.count(tensors.stream().map(TensorInfo::name).toList());
        for (TensorInfo tensor : tensors) {
            kernelFor(plan, inputs, tensor, layerCount);
        }
    }

    /** The kernel that merges {@code tensor}, or null for a tensor copied from the reference. */
    private static TensorKernel kernelFor(MergePlan plan, Inputs inputs, TensorInfo tensor, int layerCount) {
        return tensor.dtype().mergeable()
                ? kernelFor(plan, inputs, tensor.name(), LayerIndex.of(tensor.name()), layerCount,
                        tensor.elementCount())
                : null;
    }

    private static TensorKernel kernelFor(MergePlan plan, Inputs inputs, String tensor, int layer, int layerCount,
                                          long elements) {
        Resolver resolve = new Resolver(plan, tensor, layer, layerCount);
        List<MergePlan.ModelInput> weighted = inputs.weighted();
        MergeMethod method = plan.method();
        switch (method) {
            case LINEAR:
                return new LinearKernel(resolve.perModel(weighted, "weight"), resolve.flag("normalize", true),
                        tensor);
            case SLERP:
                return new SlerpKernel(resolve.global("t", Double.NaN));
            case MODEL_STOCK:
                return new ModelStockKernel(weighted.size());
            default:
                break;
        }
        boolean dare = method == MergeMethod.DARE_LINEAR || method == MergeMethod.DARE_TIES;
        boolean ties = method == MergeMethod.TIES || method == MergeMethod.DARE_TIES;
        TaskArithmeticKernel.Sparsification sparsification = method == MergeMethod.TASK_ARITHMETIC
                ? TaskArithmeticKernel.Sparsification.NONE
                : dare ? TaskArithmeticKernel.Sparsification.RANDOM : TaskArithmeticKernel.Sparsification.MAGNITUDE;
        double[] densities = method == MergeMethod.TASK_ARITHMETIC
                ? filled(weighted.size(), 1.0) : resolve.perModel(weighted, "density", 1.0);
        long[] keys = new long[weighted.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = MergeMath.streamKey(plan.seed(), tensor, i);
        }
        return new TaskArithmeticKernel(resolve.perModel(weighted, "weight"), densities, sparsification,
                ties ? plan.signConsensus() : null, resolve.flag("normalize", method == MergeMethod.TIES),
                resolve.flag("rescale", dare), resolve.global("lambda", 1.0), keys, elements, tensor);
    }

    private static double[] filled(int size, double value) {
        double[] result = new double[size];
        java.util.Arrays.fill(result, value);
        return result;
    }

    /** Resolves parameters for one tensor: per model, falling back to the global value of the same name. */
    private record Resolver(MergePlan plan, String tensor, int layer, int layerCount) {

        double[] perModel(List<MergePlan.ModelInput> models, String name) {
            return perModel(models, name, Double.NaN);
        }

        double[] perModel(List<MergePlan.ModelInput> models, String name, double fallback) {
            double[] values = new double[models.size()];
            for (int i = 0; i < values.length; i++) {
                RatioSchedule schedule = models.get(i).parameters().get(name);
                if (schedule == null) {
                    schedule = plan.parameters().get(name);
                }
                if (schedule == null && Double.isNaN(fallback)) {
                    throw new IllegalArgumentException(plan.method().configName() + " needs parameter '" + name
                            + "' for model " + models.get(i).path());
                }
                values[i] = schedule == null ? fallback : schedule.valueFor(tensor, layer, layerCount);
            }
            return values;
        }

        double global(String name, double fallback) {
            RatioSchedule schedule = plan.parameters().get(name);
            if (schedule == null && Double.isNaN(fallback)) {
                throw new IllegalArgumentException(plan.method().configName() + " needs parameter '" + name + "'");
            }
            return schedule == null ? fallback : schedule.valueFor(tensor, layer, layerCount);
        }

        boolean flag(String name, boolean fallback) {
            return global(name, fallback ? 1 : 0) != 0;
        }
    }

    /** Builds a {@link StreamingModelMerger}. Not thread-safe. */
    public static final class Builder {
        private int chunkElements = 1 << 20;
        private int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private MergeProgressListener listener = MergeProgressListener.none();

        private Builder() {
        }

        /**
         * Elements per chunk (default 2^20, i.e. 4 MiB of floats per input): peak memory is about {@code
         * chunkElements * (3 * inputs * elementBytes + 8 * inputs + 20)} bytes: three chunks of input bytes (one being
         * merged, two read ahead), then per thread the decoded floats and two output buffers (one being written while
         * the other fills).
         *
         * @throws IllegalArgumentException if below 1024 or above 2^26
         */
        public Builder chunkElements(int chunkElements) {
            if (chunkElements < 1024 || chunkElements > (1 << 26)) {
                throw new IllegalArgumentException("chunkElements must be in [1024, 2^26], was " + chunkElements);
            }
            this.chunkElements = chunkElements;
            return this;
        }

        /**
         * Threads that read, convert and merge the parts of each chunk in parallel (default: the available
         * processors, at most 4). Magnitude-trimmed TIES and the statistics passes of SLERP and Model Stock run on
         * one thread. Results do not depend on the thread count.
         *
         * @throws IllegalArgumentException if below 1 or above 64
         */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("threads must be in [1, 64], was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Called after each tensor is written (default: nothing). */
        public Builder progressListener(MergeProgressListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The merger. */
        public StreamingModelMerger build() {
            return new StreamingModelMerger(this);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "StreamingModelMerger[chunkElements=%d, threads=%d]", chunkElements,
                threads);
    }
}
