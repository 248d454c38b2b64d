package dev.reasoningsdk.impl.onnx;

import java.util.List;

/**
 * A model that can decode a batch of rows, one token per row per step: the seam between the sampling loop
 * ({@link BatchedDecoding}) and how the model is run (with a KV cache, or re-running the whole sequence every step).
 * Thread-safe; each {@link State} belongs to one generation.
 */
interface Decoder {

    /**
     * Runs the prompts and returns a state holding the next-token scores of every row.
     *
     * @param prompts      the distinct prompts
     * @param promptOfRow  for each row, the index of its prompt in {@code prompts}
     * @param topK         0 to read every row's full logits ({@link State#logits()}); otherwise the decoder may give
     *                     only the {@code topK} largest with the log-normalizer ({@link State#top()})
     * @param maxLength    the most tokens a row will hold (its prompt, padding included, plus the new tokens)
     * @param cancellation stops the generation between steps, or terminates a step in progress
     * @throws IllegalArgumentException if the batch would need more memory than the decoder allows
     */
    State start(List<int[]> prompts, int[] promptOfRow, int topK, int maxLength, GenerationCancellation cancellation);

    /** {@code rows} identical rows of one prompt, full logits, nothing cancels it. */
    default State start(int[] promptIds, int rows) {
        return start(List.of(promptIds), new int[rows], 0, promptIds.length + 1, GenerationCancellation.none());
    }

    /** The number of logits per position. */
    int vocabularySize();

    /**
     * The k largest next-token logits of every row with their ids, largest first (the lower id first on ties), and
     * each row's log-normalizer (log of the sum of exp over the whole vocabulary).
     *
     * @param k             entries per row
     * @param logits        rows x k
     * @param ids           rows x k
     * @param logNormalizer one per row
     */
    record Top(int k, float[] logits, int[] ids, float[] logNormalizer) {
    }

    /** One batched decoding in progress. Not thread-safe; closing releases its native tensors. */
    interface State extends AutoCloseable {

        /** The next-token logits of every row, row-major: rows x vocabulary size; null when {@link #top()} is. */
        float[] logits();

        /** The largest next-token logits of every row, or null when the decoder gave {@link #logits()} instead. */
        default Top top() {
            return null;
        }

        /** Appends one token to every row and computes the next scores. */
        void advance(int[] tokens);

        @Override
        void close();
    }
}
