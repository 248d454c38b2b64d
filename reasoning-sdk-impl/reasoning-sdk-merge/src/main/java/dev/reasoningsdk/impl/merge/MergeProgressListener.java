package dev.reasoningsdk.impl.merge;

/** Hears about a merge's progress, once per tensor written. Called on the merging thread; keep it cheap. */
@FunctionalInterface
public interface MergeProgressListener {

    /**
     * A tensor was written.
     *
     * @param tensorsDone  tensors written so far
     * @param tensorCount  tensors in the output
     * @param bytesRead    input bytes read so far (pre-passes included)
     * @param tensorName   the tensor just written
     */
    void tensorWritten(int tensorsDone, int tensorCount, long bytesRead, String tensorName);

    /** A listener that ignores everything. */
    static MergeProgressListener none() {
        return (done, count, bytes, name) -> { };
    }
}
