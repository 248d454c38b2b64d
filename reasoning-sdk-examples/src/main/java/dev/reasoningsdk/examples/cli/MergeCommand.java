package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.MergeReport;
import dev.reasoningsdk.impl.merge.MergeConfig;
import dev.reasoningsdk.impl.merge.StreamingModelMerger;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reasoning merge CONFIG OUTDIR}: runs a mergekit-shaped YAML merge config with the streaming merger,
 * printing progress on stderr and a final JSON report on stdout ({@code non_finite_values} counts NaN or infinite
 * values carried over from the inputs). Writes {@code OUTDIR/model.safetensors}, shards plus
 * {@code model.safetensors.index.json} with {@code --max-shard-size}, or {@code OUTDIR/model.onnx} for ONNX inputs;
 * like mergekit, it copies the base model's config and tokenizer files (config.json, tokenizer.json, ...) beside them.
 * A refused merge (an output file that is an input, an OUTDIR that already holds a checkpoint of the other layout or
 * another shard count, an input that is a FIFO or a directory where a file is expected, a parameter beyond float
 * range, a merged value that overflows) exits 2 with one line naming the file, and leaves OUTDIR as it was.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge model checkpoints as a mergekit-shaped YAML config says (safetensors or ONNX).")
public final class MergeCommand implements Callable<Integer> {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMG]i?B|B)?",
            Pattern.CASE_INSENSITIVE);

    @Parameters(index = "0", paramLabel = "CONFIG", description = "The merge config (YAML).")
    private Path config;

    @Parameters(index = "1", paramLabel = "OUTDIR", description = "The output directory (created if missing).")
    private Path outDir;

    @Option(names = "--max-shard-size", paramLabel = "SIZE",
            description = "Shard the output, e.g. 5GB or 500MiB; 0 (default) writes one file.")
    private String maxShardSize = "0";

    @Option(names = "--chunk-elements", description = "Elements per streamed chunk (default ${DEFAULT-VALUE}).")
    private int chunkElements = 1 << 20;

    @Override
    public Integer call() throws Exception {
        long shardBytes = parseSize(maxShardSize);
        MergeConfig mergeConfig = MergeConfig.load(config);
        boolean onnx = mergeConfig.plan().distinctInputs().get(0).getFileName().toString().endsWith(".onnx");
        // OUTDIR is not created here: the merger creates it once every check has passed, so a refused merge
        // leaves nothing behind.
        Path output = onnx ? outDir.resolve("model.onnx")
                : shardBytes > 0 ? outDir : outDir.resolve("model.safetensors");
        MergePlan plan = mergeConfig.withOutput(output, shardBytes);
        Progress progress = new Progress("merge");
        StreamingModelMerger merger = StreamingModelMerger.builder().chunkElements(chunkElements)
                .progressListener((done, total, bytes, name) -> progress.update(done, total)).build();
        MergeReport report = merger.merge(plan);
        double seconds = report.usage().wallTime().toNanos() / 1e9;
        new BenchReport()
                .put("method", report.method().configName())
                .put("output_files", report.outputFiles().stream().map(Path::toString).toList())
                .put("tensors", report.tensors())
                .put("bytes_read", report.bytesRead())
                .put("bytes_written", report.bytesWritten())
                .put("non_finite_values", report.nonFiniteValues())
                .put("wall_s", seconds)
                .put("read_throughput_gb_per_s", seconds > 0 ? report.bytesRead() / 1e9 / seconds : 0.0)
                .print(System.out, true);
        return 0;
    }

    /** Bytes for a size like {@code 5GB} (decimal), {@code 500MiB} (binary) or a plain number of bytes. */
    static long parseSize(String text) {
        Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("bad size '" + text + "'; use e.g. 5GB, 500MiB or a byte count");
        }
        double value = Double.parseDouble(matcher.group(1));
        String unit = matcher.group(2) == null ? "B" : matcher.group(2).toUpperCase(Locale.ROOT);
        double factor = switch (unit) {
            case "KB" -> 1e3;
            case "MB" -> 1e6;
            case "GB" -> 1e9;
            case "KIB" -> 1024.0;
            case "MIB" -> 1024.0 * 1024;
            case "GIB" -> 1024.0 * 1024 * 1024;
            default -> 1;
        };
        double bytes = value * factor;
        // The cast would make a size under one byte 0 (one unsharded file) and one beyond 8 EiB Long.MAX_VALUE:
        // neither is the size asked for.
        if (bytes > 0 && bytes < 1 || bytes >= 0x1p63) {
            throw new IllegalArgumentException("--max-shard-size " + text + " is " + (bytes < 1 ? "under one byte"
                    : "beyond 8 EiB") + "; give 0 for one file, or a size such as 5GB");
        }
        return (long) bytes;
    }
}
