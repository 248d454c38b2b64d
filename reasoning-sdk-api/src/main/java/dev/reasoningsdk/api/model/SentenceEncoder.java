package dev.reasoningsdk.api.model;

import java.util.List;
import java.util.Set;

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

    /**
     * How many layers {@link #encodeAll(List, Set)} can pool: layers 0 (the embedding layer's output) to this
     * number less one. 0 (the default) when the encoder exposes no layer but its embedding.
     */
    default int poolableLayers() {
        return 0;
    }

    /**
     * Embeds the sentences and, from the same model pass, mean-pools the hidden states of {@code pooledLayers}.
     * The default serves encoders without layers: it embeds, and accepts no layer.
     *
     * @throws IllegalArgumentException if a layer is outside [0, {@link #poolableLayers()}), or this encoder pools
     *                                  no layers and some were asked for
     */
    default List<EncodedSentence> encodeAll(List<String> sentences, Set<Integer> pooledLayers) {
        if (!pooledLayers.isEmpty()) {
            throw new IllegalArgumentException("encoder " + modelId() + " pools no layers, asked for "
                    + pooledLayers);
        }
        return embedAll(sentences).stream().map(EncodedSentence::of).toList();
    }

    /** The embedding size. */
    int dimension();

    /** The model and version, e.g. {@code "all-minilm-l6-v2-q@1.19.0-beta29"}. */
    String modelId();

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
