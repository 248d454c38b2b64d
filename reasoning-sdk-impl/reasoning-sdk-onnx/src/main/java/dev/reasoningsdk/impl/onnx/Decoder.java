package dev.reasoningsdk.impl.onnx;

/**
 * A model that can decode a batch of rows that share one prompt, one token per row per step: the seam between
 * the sampling loop ({@link BatchedDecoding}) and how the model is run (with a KV cache, or re-running the whole
 * sequence every step). Thread-safe; each {@link State} belongs to one generation.
 */
interface Decoder {

    /** Runs {@code promptIds} and returns a state holding the next-token logits of {@code rows} identical rows. */
    State start(int[] promptIds, int rows);

    /** The number of logits per position. */
    int vocabularySize();

    /** One batched decoding in progress. Not thread-safe; closing releases its native tensors. */
    interface State extends AutoCloseable {

        /** The next-token logits of every row, row-major: rows x vocabulary size. */
        float[] logits();

        /** Appends one token to every row and computes the next logits. */
        void advance(int[] tokens);

        @Override
        void close();
    }
}
