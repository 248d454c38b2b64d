package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.MergeReport;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.merge.Dtype;
import dev.reasoningsdk.impl.merge.SafetensorsWriter;
import dev.reasoningsdk.impl.merge.StreamingModelMerger;
import dev.reasoningsdk.impl.merge.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench merge}: writes two synthetic checkpoints with Llama-7B-shaped tensors (embeddings 32000 x
 * 4096, attention 4096 x 4096, MLP 11008 x 4096) into a temporary directory, once in BF16 and once in F32, runs a
 * {@code linear} merge of each pair and compares its throughput (input bytes / wall time) with a plain sequential
 * read of the same files in the same run. Reports the JVM's peak resident set ({@code VmHWM}), which the streaming
 * merger keeps bounded by its chunks whatever the model size, and the process CPU time of the merge and of the read
 * (the machine may be shared, so CPU seconds show the cost where wall seconds show contention). Deletes its files
 * when done.
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

    @Option(names = "--size-gb", description = "Total size of the two input checkpoints per dtype (default ${DEFAULT-VALUE}).")
    private double sizeGb = 2;

    @Option(names = "--dir", description = "Where to put the temporary files (default: the system temp dir).")
    private Path parent = Path.of(System.getProperty("java.io.tmpdir"));

    @Option(names = "--chunk-elements", description = "Merger chunk size in elements (default ${DEFAULT-VALUE}).")
    private int chunkElements = 1 << 20;

    @Override
    public Integer call() throws Exception {
        if (!(sizeGb > 0) || sizeGb > 1000) {
            throw new IllegalArgumentException("--size-gb must be in (0, 1000], was " + sizeGb);
        }
        Path dir = Files.createTempDirectory(parent, "bench-merge");
        BenchReport report = new BenchReport().put("method", "linear").put("size_gb", sizeGb)
                .put("chunk_elements", chunkElements).put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
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
        writeSynthetic(a, specs, dtype, 1, new Progress("bench merge " + dtype + ": writing input 1 (bytes)"));
        writeSynthetic(b, specs, dtype, 2, new Progress("bench merge " + dtype + ": writing input 2 (bytes)"));
        long inputBytes = Files.size(a) + Files.size(b);

        long cpuStart = processCpuNanos();
        double readBefore = readThroughput(List.of(a, b));
        double readCpu = (processCpuNanos() - cpuStart) / 1e9;
        Path out = dir.resolve("merged-" + dtype + ".safetensors");
        Progress mergeProgress = new Progress("bench merge " + dtype + ": merging");
        StreamingModelMerger merger = StreamingModelMerger.builder().chunkElements(chunkElements)
                .progressListener((done, total, bytes, name) -> mergeProgress.update(done, total)).build();
        long start = System.nanoTime();
        long mergeCpuStart = processCpuNanos();
        MergeReport merged = merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(out)
                .addModel(a, Map.of("weight", RatioSchedule.constant(0.5)))
                .addModel(b, Map.of("weight", RatioSchedule.constant(0.5))).build());
        double mergeSeconds = (System.nanoTime() - start) / 1e9;
        double mergeCpu = (processCpuNanos() - mergeCpuStart) / 1e9;
        Files.deleteIfExists(out);
        double readAfter = readThroughput(List.of(a, b));
        Files.deleteIfExists(a);
        Files.deleteIfExists(b);

        double mergeRate = inputBytes / 1e9 / mergeSeconds;
        double readRate = Math.max(readBefore, readAfter);
        return new BenchReport()
                .put("tensors", merged.tensors())
                .put("input_bytes", inputBytes)
                .put("output_bytes", merged.bytesWritten())
                .put("merge_s", mergeSeconds)
                .put("gb_per_s", mergeRate)
                .put("read_gb_per_s", readRate)
                .put("read_gb_per_s_before_merge", readBefore)
                .put("read_gb_per_s_after_merge", readAfter)
                .put("ratio", mergeRate / readRate)
                .put("merge_cpu_s", mergeCpu)
                .put("read_cpu_s_before_merge", readCpu)
                .put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
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
