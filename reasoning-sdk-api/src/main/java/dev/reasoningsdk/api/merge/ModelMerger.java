package dev.reasoningsdk.api.merge;

/**
 * Merges model checkpoints tensor by tensor into a new checkpoint.
 *
 * <p>The built-in streaming merger reads safetensors (single or sharded) and ONNX initializers, holds only a few
 * tensors in memory at a time, writes to a temporary file in the target directory and renames it into place only
 * when complete. Methods follow mergekit's semantics (linear model averaging, task arithmetic, SLERP, TIES, DARE,
 * Model Stock) with per-layer ratios, which is what Heterogeneous Model Averaging (Lin et al., 2024, "Mitigating
 * the Alignment Tax of RLHF") searches over. Implementations are thread-safe.
 */
public interface ModelMerger {

    /**
     * Runs a merge plan.
     *
     * @return what was written and what it cost
     * @throws MergeException if an input is malformed or incompatible (naming the file, tensor and check), or the
     *                        output cannot be written; no partial output is left behind
     */
    MergeReport merge(MergePlan plan);
}
