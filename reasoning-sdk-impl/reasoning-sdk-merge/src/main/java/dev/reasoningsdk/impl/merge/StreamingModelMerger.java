package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.MergeReport;
import dev.reasoningsdk.api.merge.ModelMerger;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import dev.reasoningsdk.impl.internal.TempFiles;
import dev.reasoningsdk.impl.merge.internal.LayerIndex;
import dev.reasoningsdk.impl.merge.internal.ModelFiles;
import dev.reasoningsdk.impl.merge.internal.OnnxModel;
import dev.reasoningsdk.impl.merge.internal.SafetensorsReader;
import dev.reasoningsdk.impl.merge.internal.SafetensorsWriter;
import dev.reasoningsdk.impl.merge.internal.TensorSpec;
import dev.reasoningsdk.impl.onnx.internal.ModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
        ResolvedMerge.validateParameters(plan);
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
            ResolvedMerge resolved = ResolvedMerge.resolve(plan, readers);
            List<TensorSpec> specs = resolved.outputSpecs();
            resolved.checkKernels();
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
            // After the overlap check, whose message (the output is an input) says more when both apply.
            requireOneCheckpoint(outputs, plan.maxShardBytes() > 0);
            return writeOutput(outputs, plan.maxShardBytes() > 0, () -> {
                try (SafetensorsWriter writer = openWriter(plan, outputs, resolved.reference().metadata(), specs);
                     PipelinedSink sink = new PipelinedSink(writer)) {
                    ChunkPipeline.Stats stats = pipeline(resolved).run(sink);
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
     * one (a FIFO given as a model would block the first read forever), and that a model directory holds one
     * checkpoint, not both a single file and a sharded one.
     *
     * @throws IllegalArgumentException naming the file that is missing, a directory, or not a regular file, or the
     *                                  directory that holds two checkpoints
     */
    private static void requireInputFiles(MergePlan plan, boolean onnx) {
        for (Path input : plan.distinctInputs()) {
            if (!onnx && Files.isDirectory(input) && Files.exists(input.resolve(SafetensorsReader.INDEX_FILE))
                    && Files.exists(input.resolve("model.safetensors"))) {
                // Reading the index (as the reader would) merges another model than transformers loads from here.
                throw new IllegalArgumentException(input + ": holds both model.safetensors and "
                        + SafetensorsReader.INDEX_FILE + ", and loaders disagree on which is the model (transformers"
                        + " reads model.safetensors, this SDK the index); name the file to merge instead of the"
                        + " folder");
            }
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
                    || (sharded && SafetensorsWriter.isShardName(name)), "merge");
            MergeReport report = write.write();
            written = true;
            return report;
        } finally {
            if (!written) {
                TempFiles.removeIfEmpty(created);
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
     * model's, else the first model's): regular files, or links whose target is inside that folder or, for a
     * Hugging Face cache snapshot, in its repository's blobs ({@link ModelFolder}); any other link is skipped, since it
     * could name any file on the machine. None when the output goes into that same folder, where they already are.
     */
    private static Map<Path, Path> companionFiles(MergePlan plan, Path outputDir) throws IOException {
        Path base = companionOwner(plan);
        Path folder = Files.isDirectory(base) ? base : base.toAbsolutePath().getParent();
        Map<Path, Path> copies = new LinkedHashMap<>();
        if (folder == null || Files.exists(outputDir) && Files.isSameFile(folder, outputDir)) {
            return copies;
        }
        ModelFolder allowed = null;
        for (String name : COMPANION_FILES) {
            Path source = folder.resolve(name);
            if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                copies.put(source, outputDir.resolve(name));
            } else if (Files.isSymbolicLink(source) && Files.isRegularFile(source)) {
                allowed = allowed != null ? allowed : ModelFolder.of(folder);
                if (allowed.holds(source.toRealPath())) {
                    copies.put(source, outputDir.resolve(name));
                }
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

    /**
     * Refuses an output that would leave a second checkpoint in a folder that already holds one in the other layout,
     * or shards another sharded checkpoint's index named: loaders disagree on which checkpoint such a folder holds
     * (transformers reads {@code model.safetensors} first, {@link SafetensorsReader} the index), so whichever a
     * loader picks, someone gets a model they did not merge; and shards no index names are dead weight of the old
     * model's size. A single output named anything but {@code model.safetensors} is not found by folder loaders and
     * is not checked.
     *
     * @throws IllegalArgumentException naming the folder and the file that is in the way
     */
    private static void requireOneCheckpoint(List<Path> outputs, boolean sharded) throws IOException {
        Path dir = outputs.get(0).toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        String advice = "; remove it or write the output elsewhere";
        if (!sharded) {
            if (outputs.get(0).getFileName().toString().equals("model.safetensors")
                    && Files.exists(dir.resolve(SafetensorsReader.INDEX_FILE), LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(dir + ": holds " + SafetensorsReader.INDEX_FILE + " (a sharded"
                        + " checkpoint); model.safetensors beside it would make two models in one folder, and"
                        + " loaders disagree on which it holds (transformers reads model.safetensors, this SDK the"
                        + " index)" + advice);
            }
            return;
        }
        if (Files.exists(dir.resolve("model.safetensors"), LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(dir + ": holds model.safetensors; a sharded checkpoint beside it would"
                    + " make two models in one folder, and loaders disagree on which it holds (transformers reads"
                    + " model.safetensors, this SDK the index)" + advice);
        }
        Set<Path> written = new HashSet<>(outputs);
        try (java.util.stream.Stream<Path> listing = Files.list(dir)) {
            Optional<Path> stale = listing.filter(file -> SafetensorsWriter.isShardName(file.getFileName().toString())
                    && !written.contains(file.toAbsolutePath())).sorted().findFirst();
            if (stale.isPresent()) {
                throw new IllegalArgumentException(dir + ": holds " + stale.get().getFileName() + ", a shard of"
                        + " another sharded checkpoint that the new index would not name" + advice);
            }
        }
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
        ResolvedMerge.validateParameters(plan);
        if (!isOnnx(plan)) {
            throw new IllegalArgumentException("mergeOnnx needs .onnx inputs, got " + plan.distinctInputs());
        }
        requireInputFiles(plan, true);
        return mergeOnnxInternal(plan).bytes();
    }

    private record OnnxResult(byte[] bytes, ChunkPipeline.Stats stats) {
    }

    private OnnxResult mergeOnnxInternal(MergePlan plan) {
        if (plan.outputDtype().isPresent()) {
            throw new IllegalArgumentException("an ONNX merge keeps each initializer's dtype; drop the output dtype");
        }
        if (plan.maxShardBytes() > 0) {
            throw new IllegalArgumentException(
                    "an ONNX merge writes one file; drop maxShardBytes (reasoning merge: --max-shard-size)");
        }
        Map<Path, OnnxModel> models = new LinkedHashMap<>();
        for (Path input : plan.distinctInputs()) {
            models.put(input, OnnxModel.read(input));
        }
        OnnxModel reference = models.get(plan.distinctInputs().get(0));
        for (OnnxModel model : models.values()) {
            reference.requireSameGraph(model);
        }
        ResolvedMerge resolved = ResolvedMerge.resolve(plan, models);
        OnnxModel.Patcher patcher = reference.patcher();
        try {
            ChunkPipeline.Stats stats = pipeline(resolved).run(patcher);
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

    private ChunkPipeline pipeline(ResolvedMerge resolved) {
        return new ChunkPipeline(resolved, chunkElements, threads, listener);
    }

    private MergeReport report(MergePlan plan, List<Path> files, ChunkPipeline.Stats stats, long written,
                               long start) {
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        LOG.info("{} merge wrote {} tensors ({} bytes) in {} ms", plan.method().configName(), stats.tensors(),
                written, wall.toMillis());
        if (stats.nonFinite() > 0) {
            LOG.warn("{}: {} merged values are NaN or infinite, carried over from NaN or infinite input values",
                    files.get(0), stats.nonFinite());
        }
        return new MergeReport(plan.method(), files, stats.tensors(), stats.bytesRead(), written, stats.nonFinite(),
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
