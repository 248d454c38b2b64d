package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.merge.MergeException;
import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.MergeReport;
import dev.reasoningsdk.api.merge.RatioSchedule;
import dev.reasoningsdk.impl.merge.internal.SafetensorsHeader;
import dev.reasoningsdk.impl.merge.StreamingModelMerger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The merge part of {@code reasoning demo}: averages the tiny reasoner with its fine-tuned copy
 * ({@code models/tiny-reasoner-tuned} in the project's data folder, else in {@code shared/}) with the streaming
 * merger, shows the per-layer ratio notation, and shows a hostile safetensors header being refused.
 */
final class MergeDemo implements DemoSection {

    /** The tiny reasoner and its fine-tuned copy as safetensors (and ONNX), in the data folders' layout. */
    static final String TUNED_PAIR = "models/tiny-reasoner-tuned";

    @Override
    public String title() {
        return "Model merging (streaming safetensors, mergekit methods, HMA ratios)";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("merge-demo");
        try {
            Path pair = SharedData.find(TUNED_PAIR).orElse(null);
            if (pair == null) {
                out.println(TUNED_PAIR + " is neither in the project's data folder nor in shared/; skipping the real"
                        + " merge.");
            } else {
                Path merged = dir.resolve("merged.safetensors");
                RatioSchedule base = new RatioSchedule.LayerGroups(List.of(new RatioSchedule.LayerGroup(0, 1, 0.8),
                        new RatioSchedule.LayerGroup(2, 3, 0.5)), 0.2, 0.5);
                MergeReport report = StreamingModelMerger.create().merge(MergePlan.builder()
                        .method(MergeMethod.LINEAR).output(merged)
                        .addModel(pair.resolve("base.safetensors"), Map.of("weight", base))
                        .addModel(pair.resolve("tuned.safetensors"), Map.of("weight",
                                new RatioSchedule.LayerGroups(List.of(new RatioSchedule.LayerGroup(0, 1, 0.2),
                                        new RatioSchedule.LayerGroup(2, 3, 0.5)), 0.8, 0.5)))
                        .build());
                out.printf("HMA-style linear merge of base and tuned (share of base: blocks 0-1 at 0.8, 2-3 at 0.5,"
                                + " rest 0.2, embeddings/head 0.5): %d tensors, %d bytes in %d ms -> %s%n",
                        report.tensors(), report.bytesWritten(), report.usage().wallTime().toMillis(),
                        merged.getFileName());
            }
            Path hostile = dir.resolve("hostile.safetensors");
            byte[] header = "{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 8]}}"
                    .getBytes(StandardCharsets.UTF_8);
            byte[] bytes = new byte[8 + header.length + 8];
            bytes[0] = (byte) header.length;
            System.arraycopy(header, 0, bytes, 8, header.length);
            Files.write(hostile, bytes);
            try {
                SafetensorsHeader.read(hostile);
                out.println("hostile header accepted (unexpected)");
            } catch (MergeException e) {
                out.println("refused: " + e.getMessage().replace(dir.toString(), "<tmp>"));
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

}
