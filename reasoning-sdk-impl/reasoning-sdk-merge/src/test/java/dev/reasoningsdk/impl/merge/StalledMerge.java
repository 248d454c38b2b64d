package dev.reasoningsdk.impl.merge;

import dev.reasoningsdk.api.merge.MergeMethod;
import dev.reasoningsdk.api.merge.MergePlan;
import dev.reasoningsdk.api.merge.RatioSchedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A merge that stalls after its first tensor, its output half written, for a test to stop its JVM mid-merge. Run in
 * a child JVM: {@code StalledMerge BASE OTHER OUTPUT STARTED}; creates {@code STARTED} once the stall begins.
 */
final class StalledMerge {

    private StalledMerge() {
    }

    public static void main(String[] args) {
        Path started = Path.of(args[3]);
        StreamingModelMerger merger = StreamingModelMerger.builder().chunkElements(1024).threads(1)
                .progressListener((done, total, bytes, tensor) -> {
                    if (done == 1) {
                        try {
                            Files.createFile(started);
                            // Bounded, should the test fail to stop it.
                            TimeUnit.MINUTES.sleep(10);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).build();
        merger.merge(MergePlan.builder().method(MergeMethod.LINEAR).output(Path.of(args[2]))
                .addModel(Path.of(args[0]), Map.of("weight", RatioSchedule.constant(1)))
                .addModel(Path.of(args[1]), Map.of("weight", RatioSchedule.constant(1))).build());
    }
}
