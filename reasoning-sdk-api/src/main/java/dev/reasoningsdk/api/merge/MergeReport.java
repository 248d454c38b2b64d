package dev.reasoningsdk.api.merge;

import dev.reasoningsdk.api.Usage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a merge wrote and what it cost.
 *
 * @param method          the merge method
 * @param outputFiles     the files written (shards and index for a sharded output), in final position
 * @param tensors         tensors written
 * @param bytesRead       input tensor bytes read
 * @param bytesWritten    output bytes written, headers included
 * @param nonFiniteValues merged values that are NaN or infinite because an input value at the same place already
 *                        was: they are carried into the output, not refused, and counted here so they are not
 *                        missed (0 for inputs without NaN or infinity)
 * @param usage           wall time (merges call no model)
 */
public record MergeReport(MergeMethod method, List<Path> outputFiles, int tensors, long bytesRead, long bytesWritten,
                          long nonFiniteValues, Usage usage) {

    /** @throws IllegalArgumentException if a count is negative */
    public MergeReport {
        Objects.requireNonNull(method, "method");
        outputFiles = List.copyOf(outputFiles);
        if (tensors < 0 || bytesRead < 0 || bytesWritten < 0 || nonFiniteValues < 0) {
            throw new IllegalArgumentException("counts must be >= 0");
        }
        Objects.requireNonNull(usage, "usage");
    }
}
