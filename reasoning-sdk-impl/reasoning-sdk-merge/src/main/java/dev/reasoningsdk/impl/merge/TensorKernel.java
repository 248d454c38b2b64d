package dev.reasoningsdk.impl.merge;

/**
 * The merge of one tensor, fed chunk by chunk in element order. Methods that need whole-tensor statistics (norms
 * and angles for SLERP and Model Stock, magnitude thresholds for TIES) ask for pre-passes over the same chunks
 * before the merge pass. Inputs are in {@code float}; index 0 is the base model for methods that have one.
 * One instance serves one tensor on one thread.
 */
abstract class TensorKernel {

    /** Number of passes over the inputs before {@link #merge}. */
    int prePasses() {
        return 0;
    }

    /** Sees one chunk of inputs during pre-pass {@code pass}; chunks arrive in order. */
    void observe(int pass, float[][] inputs, int count) {
        throw new IllegalStateException("no pre-pass");
    }

    /**
     * Whether {@link #merge} may run concurrently on disjoint ranges of a chunk (each element depends only on the
     * same element of the inputs and on state fixed by the pre-passes). True unless a kernel says otherwise.
     */
    boolean parallelMerge() {
        return true;
    }

    /** Ends pre-pass {@code pass}. */
    void endPass(int pass) {
    }

    /**
     * Merges one chunk: {@code out[j]} from {@code inputs[i][j]} for {@code j < count}; {@code elementOffset} is the
     * index of element 0 of the chunk within the tensor. Chunks arrive in order unless {@link #parallelMerge()}.
     */
    abstract void merge(float[][] inputs, int count, long elementOffset, float[] out);
}
