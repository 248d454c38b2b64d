package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.MergeReport;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.merge.internal.Dtype;
import dev.reasoningsdk.impl.merge.internal.SafetensorsWriter;
import dev.reasoningsdk.impl.merge.StreamingModelMerger;
import dev.reasoningsdk.impl.merge.internal.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench merge}: writes two synthetic checkpoints with Llama-7B-shaped tensors (embeddings 32000 x
 * 4096, attention 4096 x 4096, MLP 11008 x 4096) into a temporary directory, once in BF16 and once in F32, runs a
 * {@code linear} merge of each pair and compares its throughput (input bytes / wall time) with a plain sequential read
 * of the same files in the same run. Both start with the files out of the page cache, as a checkpoint on disk is: the
 * inputs are written with direct I/O, and written again before each measurement. The read of the then cached files
 * is reported beside it ({@code read_gb_per_s_page_cache}), a memory-copy speed no merge that writes its output can
 * approach, and so is the I/O limit of the merge itself ({@code io_limit_gb_per_s}: the inputs read
 * while an output of the merged size is written, no computing). Reports the JVM's peak resident set ({@code VmHWM}),
 * which the streaming merger keeps bounded by its chunks whatever the model size, and the process CPU time of the merge
 * and of the read (the machine may be shared, so CPU seconds show the cost where wall seconds show contention). The
 * merge, the I/O limit and the cold read take turns {@code --repeats} times (default 3) and each is reported as the
 * median of its runs, every run listed under {@code runs}. Deletes its files when done.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Streaming merge throughput vs plain sequential read, and peak RSS, on synthetic checkpoints.")
public final class BenchMergeCommand implements Callable<Integer> {

    private static final int HIDDEN = 4096;
    private static final int INTERMEDIATE = 11008;
    private static final int VOCAB = 32000;
    private static final int IO_BUFFER = 8 << 20;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Option(names = "--size-gb",
            description = "Total size of the two input checkpoints per dtype (default ${DEFAULT-VALUE}).")
    private double sizeGb = 2;

    @Option(names = "--dir", description = "Where to put the temporary files (default: the system temp dir).")
    private Path parent = Path.of(System.getProperty("java.io.tmpdir"));

    @Option(names = "--chunk-elements", description = "Merger chunk size in elements (default ${DEFAULT-VALUE}).")
    private int chunkElements = 1 << 20;

    @Option(names = "--threads", description = "Merger threads (default: the merger's own default).")
    private Integer threads;

    @Option(names = "--repeats", description = "Merges, reads and I/O-limit runs per dtype, taking turns; each "
            + "figure is their median (default ${DEFAULT-VALUE}).")
    private int repeats = 3;

    /** The merger as the options set it. */
    private StreamingModelMerger.Builder mergerBuilder() {
        StreamingModelMerger.Builder builder = StreamingModelMerger.builder().chunkElements(chunkElements);
        if (threads != null) {
            builder.threads(threads);
        }
        return builder;
    }

    @Override
    public Integer call() throws Exception {
        if (!(sizeGb > 0) || sizeGb > 1000) {
            throw new IllegalArgumentException("--size-gb must be in (0, 1000], was " + sizeGb);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, was " + repeats);
        }
        // The merger checks --chunk-elements and --threads: here, before the inputs are written (minutes at 2 GB).
        mergerBuilder();
        Path dir = Files.createTempDirectory(parent, "bench-merge");
        BenchReport report = new BenchReport().put("method", "linear").put("size_gb", sizeGb)
                .put("chunk_elements", chunkElements).put("repeats", repeats)
                .put("threads", threads == null ? "default" : threads)
                .put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        try {
            double worstRatio = Double.POSITIVE_INFINITY;
            for (Dtype dtype : List.of(Dtype.BF16, Dtype.F32)) {
                BenchReport scenario = runScenario(dir, dtype);
                worstRatio = Math.min(worstRatio, (double) scenario.figures().get("ratio"));
                report.put(dtype.name().toLowerCase(java.util.Locale.ROOT), scenario);
            }
            long peakRss = peakRssMb();
            report.put("ratio_min", worstRatio)
                    .put("peak_rss_mb", peakRss)
                    .put("target_ratio_met", worstRatio >= 0.5)
                    .put("target_rss_met", peakRss >= 0 && peakRss <= 512);
        } finally {
            deleteTree(dir);
        }
        report.print(System.out, json);
        return 0;
    }

    private BenchReport runScenario(Path dir, Dtype dtype) throws IOException {
        long perModel = (long) (sizeGb * 1e9 / 2);
        List<TensorSpec> specs = shapes(dtype, perModel);
        Path a = dir.resolve("a-" + dtype + ".safetensors");
        Path b = dir.resolve("b-" + dtype + ".safetensors");
        // The library's writer uses direct I/O, so the inputs start out of the page cache, as a checkpoint on disk.
        writeInputs(a, b, specs, dtype, "writing");
        long inputBytes = Files.size(a) + Files.size(b);
        Path out = dir.resolve("merged-" + dtype + ".safetensors");
        MergePlan plan = MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(a, Map.of("weight", RatioSchedule.constant(0.5)))
                .addModel(b, Map.of("weight", RatioSchedule.constant(0.5))).build();
        // The disk's speed drifts from run to run (the VM's host caches it), so the three measurements take turns
        // and each figure is the median of its repeats.
        double[] mergeSeconds = new double[repeats];
        double[] mergeCpu = new double[repeats];
        double[] ioLimit = new double[repeats];
        double[] readFromDisk = new double[repeats];
        double[] readCpu = new double[repeats];
        MergeReport merged = null;
        for (int run = 0; run < repeats; run++) {
            Progress mergeProgress = new Progress("bench merge " + dtype + ": merging");
            StreamingModelMerger merger = mergerBuilder()
                    .progressListener((done, total, bytes, name) -> mergeProgress.update(done, total)).build();
            long start = System.nanoTime();
            long mergeCpuStart = processCpuNanos();
            merged = merger.merge(plan);
            mergeSeconds[run] = (System.nanoTime() - start) / 1e9;
            mergeCpu[run] = (processCpuNanos() - mergeCpuStart) / 1e9;
            Files.deleteIfExists(out);
            // Each measurement starts right after the inputs were written (direct I/O, so out of the page cache).
            // The VM's host caches its disk, so a read's speed depends on what ran before it (fio: 1.6-1.9 GB/s for
            // a cold read, 4.1-4.3 GB/s for the same read repeated); the same preceding step keeps the three fair.
            writeInputs(a, b, specs, dtype, "rewriting");
            ioLimit[run] = readWhileWriting(List.of(a, b), merged.bytesWritten(), dir.resolve("copy-" + dtype));
            writeInputs(a, b, specs, dtype, "rewriting");
            long cpuStart = processCpuNanos();
            readFromDisk[run] = readThroughput(List.of(a, b));
            readCpu[run] = (processCpuNanos() - cpuStart) / 1e9;
            if (run + 1 < repeats) {
                writeInputs(a, b, specs, dtype, "rewriting");
            }
        }
        double readFromCache = readThroughput(List.of(a, b));
        Files.deleteIfExists(a);
        Files.deleteIfExists(b);

        double[] mergeRates = Arrays.stream(mergeSeconds).map(seconds -> inputBytes / 1e9 / seconds).toArray();
        double mergeRate = median(mergeRates);
        double read = median(readFromDisk);
        double limit = median(ioLimit);
        return new BenchReport()
                .put("tensors", merged.tensors())
                .put("input_bytes", inputBytes)
                .put("output_bytes", merged.bytesWritten())
                .put("merge_s", median(mergeSeconds))
                .put("gb_per_s", mergeRate)
                .put("read_gb_per_s", read)
                .put("ratio", mergeRate / read)
                .put("io_limit_gb_per_s", limit)
                .put("ratio_to_io_limit", mergeRate / limit)
                .put("read_gb_per_s_page_cache", readFromCache)
                .put("ratio_page_cache", mergeRate / readFromCache)
                .put("merge_cpu_s", median(mergeCpu))
                .put("read_cpu_s", median(readCpu))
                .put("runs", Map.of("merge_gb_per_s", rounded(mergeRates), "read_gb_per_s", rounded(readFromDisk),
                        "io_limit_gb_per_s", rounded(ioLimit)))
                .put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return BenchEncoderCommand.percentile(sorted, 0.5);
    }

    private static List<Double> rounded(double[] values) {
        return Arrays.stream(values).map(value -> Math.round(value * 1000) / 1000.0).boxed().toList();
    }

    /** Llama-7B-shaped tensors in checkpoint order until the budget is used: embeddings, then whole layers. */
    static List<TensorSpec> shapes(Dtype dtype, long budgetBytes) {
        List<TensorSpec> all = new ArrayList<>();
        all.add(new TensorSpec("model.embed_tokens.weight", dtype, List.of((long) VOCAB, (long) HIDDEN)));
        for (int layer = 0; layer < 1000; layer++) {
            String p = "model.layers." + layer + ".";
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                all.add(new TensorSpec(p + "self_attn." + proj + ".weight", dtype, List.of((long) HIDDEN,
                        (long) HIDDEN)));
            }
            all.add(new TensorSpec(p + "mlp.gate_proj.weight", dtype, List.of((long) INTERMEDIATE, (long) HIDDEN)));
            all.add(new TensorSpec(p + "mlp.up_proj.weight", dtype, List.of((long) INTERMEDIATE, (long) HIDDEN)));
            all.add(new TensorSpec(p + "mlp.down_proj.weight", dtype, List.of((long) HIDDEN, (long) INTERMEDIATE)));
            all.add(new TensorSpec(p + "input_layernorm.weight", dtype, List.of((long) HIDDEN)));
            all.add(new TensorSpec(p + "post_attention_layernorm.weight", dtype, List.of((long) HIDDEN)));
        }
        List<TensorSpec> chosen = new ArrayList<>();
        long used = 0;
        for (TensorSpec spec : all) {
            if (used + spec.byteSize() > budgetBytes && !chosen.isEmpty()) {
                break;
            }
            chosen.add(spec);
            used += spec.byteSize();
        }
        return chosen;
    }

    private static void writeInputs(Path a, Path b, List<TensorSpec> specs, Dtype dtype, String doing) {
        writeSynthetic(a, specs, dtype, 1, new Progress("bench merge " + dtype + ": " + doing + " input 1 (bytes)"));
        writeSynthetic(b, specs, dtype, 2, new Progress("bench merge " + dtype + ": " + doing + " input 2 (bytes)"));
    }

    private static void writeSynthetic(Path file, List<TensorSpec> specs, Dtype dtype, long seed, Progress progress) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(IO_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        long state = 0x9E3779B97F4A7C15L * seed;
        long total = specs.stream().mapToLong(TensorSpec::byteSize).sum();
        long done = 0;
        try (SafetensorsWriter writer = SafetensorsWriter.single(file, Map.of("bench", "synthetic"), specs)) {
            for (TensorSpec spec : specs) {
                long remaining = spec.byteSize();
                while (remaining > 0) {
                    buffer.clear();
                    int bytes = (int) Math.min(buffer.capacity(), remaining);
                    int elements = bytes / dtype.byteSize();
                    for (int i = 0; i < elements; i++) {
                        state ^= state << 13;
                        state ^= state >>> 7;
                        state ^= state << 17;
                        // Weights of trained models are small and centred: uniform in [-0.05, 0.05).
                        float value = ((state >>> 40) * 0x1.0p-24f - 0.5f) * 0.1f;
                        if (dtype == Dtype.BF16) {
                            buffer.putShort((short) (Float.floatToRawIntBits(value) >>> 16));
                        } else {
                            buffer.putFloat(value);
                        }
                    }
                    buffer.flip();
                    writer.write(buffer);
                    remaining -= bytes;
                    done += bytes;
                    progress.update(done, total);
                }
            }
            writer.commit();
        }
    }

    /** GB/s of a plain sequential read of the files through one 8 MiB buffer, as the merger reads them. */
    private static double readThroughput(List<Path> files) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(IO_BUFFER);
        long bytes = 0;
        long start = System.nanoTime();
        for (Path file : files) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                int read;
                while ((read = channel.read(buffer.clear())) >= 0) {
                    bytes += read;
                }
            }
        }
        return bytes / 1e9 / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Input GB/s of the I/O a merge cannot avoid, with no computing: the files read sequentially on one thread while
     * {@code outputBytes} are written on another, through the library's safetensors writer (direct I/O), both from a
     * cold cache. On a disk that reads and writes through one queue this, not the read alone, bounds a merge.
     */
    private static double readWhileWriting(List<Path> inputs, long outputBytes, Path output) throws IOException {
        long inputBytes = 0;
        for (Path input : inputs) {
            inputBytes += Files.size(input);
        }
        long start = System.nanoTime();
        java.util.concurrent.CompletableFuture<Void> writing = java.util.concurrent.CompletableFuture.runAsync(() -> {
            List<TensorSpec> blob = List.of(new TensorSpec("bytes", Dtype.U8, List.of(outputBytes)));
            ByteBuffer zeros = ByteBuffer.allocateDirect(IO_BUFFER);
            try (SafetensorsWriter writer = SafetensorsWriter.single(output, Map.of(), blob)) {
                for (long written = 0; written < outputBytes; written += zeros.limit()) {
                    zeros.clear().limit((int) Math.min(IO_BUFFER, outputBytes - written));
                    writer.write(zeros);
                }
                writer.commit();
            }
        });
        readThroughput(inputs);
        writing.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.deleteIfExists(output);
        return inputBytes / 1e9 / seconds;
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** The JVM's peak resident set in MiB (VmHWM), or -1 where /proc is not available. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

}
