package dev.reasoningsdk.impl.onnx;

import java.util.List;

/**
 * Turns sentences into L2-normalised embeddings. The small seam every capability uses for meaning: semantic answer
 * equivalence, retrieval-judge heads, zero-shot classification in prompt optimisation.
 *
 * <p>Implementations are thread-safe. {@link #modelId()} names the model and its version so that anything trained
 * on one encoder's embeddings (a classifier head) can refuse another's.
 */
public interface SentenceEncoder {

    /** Embeds one sentence: a unit-length vector of {@link #dimension()} floats. */
    default float[] embed(String sentence) {
        return embedAll(List.of(sentence)).get(0);
    }

    /** Embeds a batch in as few model passes as the implementation can manage; one vector per sentence, in order. */
    List<float[]> embedAll(List<String> sentences);

    /** The embedding size. */
    int dimension();

    /** The model and version, e.g. {@code "all-minilm-l6-v2-q@1.19.0-beta29"}. */
    String modelId();

    /**
     * This encoder as a LangChain4j {@code EmbeddingModel}, for embedding stores and retrievers; see
     * {@link SentenceEncoderEmbeddingModel}.
     */
    default SentenceEncoderEmbeddingModel asEmbeddingModel() {
        return SentenceEncoderEmbeddingModel.of(this);
    }

    /** Cosine similarity of two unit vectors (their dot product). */
    static double cosine(float[] first, float[] second) {
        if (first.length != second.length) {
            throw new IllegalArgumentException("dimensions differ: " + first.length + " vs " + second.length);
        }
        double dot = 0;
        for (int i = 0; i < first.length; i++) {
            dot += (double) first[i] * second[i];
        }
        return dot;
    }
}
