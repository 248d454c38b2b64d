package dev.reasoningsdk.impl.onnx;

import dev.reasoningsdk.api.ModelRunException;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.reasoningsdk.impl.onnx.internal.OptimumTensorNames;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A causal LM exported without a KV cache ({@code input_ids -> logits[, hidden_states]}, causal attention, positions
 * 0..seq-1): every decoding step re-runs the whole sequence. The tests' reference path, which the cached graph and
 * the run-failure handling are checked against (no runtime code decodes this way since the tiny reasoner became an
 * export folder). Right padding is harmless for such a model (an
 * output depends only on tokens at or before it), so rows of different lengths share a batch and each is read at its
 * own last position. Thread-safe; does not own the session.
 */
final class FullSequenceModel implements Decoder {

    static final String INPUT_IDS = OptimumTensorNames.INPUT_IDS;
    static final String LOGITS = OptimumTensorNames.LOGITS;
    static final String HIDDEN_STATES = OptimumTensorNames.HIDDEN_STATES;

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String modelName;
    private final int vocabularySize;
    private final int padId;

    FullSequenceModel(OnnxModelSession session, int vocabularySize, int padId) {
        this.environment = session.environment();
        this.session = session.session();
        this.modelName = session.modelName();
        this.vocabularySize = vocabularySize;
        this.padId = padId;
    }

    @Override
    public int vocabularySize() {
        return vocabularySize;
    }

    /**
     * Runs right-padded {@code sequences} in one pass and returns the requested output, flattened
     * rows x maxLength x width.
     *
     * @throws ModelRunException naming the model if ONNX Runtime fails
     */
    float[] forward(int[][] sequences, String output) {
        int maxLength = Arrays.stream(sequences).mapToInt(row -> row.length).max().orElseThrow();
        long[] ids = new long[sequences.length * maxLength];
        Arrays.fill(ids, padId);
        for (int row = 0; row < sequences.length; row++) {
            for (int i = 0; i < sequences[row].length; i++) {
                ids[row * maxLength + i] = sequences[row][i];
            }
        }
        try (OnnxTensor input = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids),
                new long[] {sequences.length, maxLength});
             OrtSession.Result result = session.run(Map.of(INPUT_IDS, input), Set.of(output))) {
            FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        } catch (OrtException e) {
            throw new ModelRunException("model " + modelName + ": forward pass of " + sequences.length + " x "
                    + maxLength + " tokens failed: " + e.getMessage(), e);
        }
    }

    @Override
    public State start(List<int[]> prompts, int[] promptOfRow, int topK, int maxLength,
                       GenerationCancellation cancellation) {
        return new FullSequenceState(prompts, promptOfRow);
    }

    /** Keeps every row's tokens and re-runs them all each step, right-padded, each read at its own last token. */
    private final class FullSequenceState implements State {
        private final int[][] sequences;
        private float[] logits;

        FullSequenceState(List<int[]> prompts, int[] promptOfRow) {
            sequences = new int[promptOfRow.length][];
            for (int row = 0; row < sequences.length; row++) {
                sequences[row] = prompts.get(promptOfRow[row]).clone();
            }
            // Each distinct prompt runs once.
            float[] last = lastLogits(prompts.toArray(new int[0][]));
            logits = new float[sequences.length * vocabularySize];
            for (int row = 0; row < sequences.length; row++) {
                System.arraycopy(last, promptOfRow[row] * vocabularySize, logits, row * vocabularySize,
                        vocabularySize);
            }
        }

        @Override
        public float[] logits() {
            return logits;
        }

        @Override
        public void advance(int[] tokens) {
            for (int row = 0; row < sequences.length; row++) {
                int[] grown = Arrays.copyOf(sequences[row], sequences[row].length + 1);
                grown[grown.length - 1] = tokens[row];
                sequences[row] = grown;
            }
            logits = lastLogits(sequences);
        }

        private float[] lastLogits(int[][] rows) {
            int width = Arrays.stream(rows).mapToInt(row -> row.length).max().orElseThrow();
            float[] all = forward(rows, LOGITS);
            float[] last = new float[rows.length * vocabularySize];
            for (int row = 0; row < rows.length; row++) {
                System.arraycopy(all, (row * width + rows[row].length - 1) * vocabularySize, last,
                        row * vocabularySize, vocabularySize);
            }
            return last;
        }

        @Override
        public void close() {
            // Holds no native memory between steps.
        }
    }
}
