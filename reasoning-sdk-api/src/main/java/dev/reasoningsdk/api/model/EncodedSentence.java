package dev.reasoningsdk.api.model;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A sentence's embedding together with the mean-pooled hidden states of some of the encoder's layers, from one model
 * pass ({@link SentenceEncoder#encodeAll(java.util.List, java.util.Set)}). Classifier heads read the middle layers
 * because they keep more of the words' surface (tense, "current", "next") than the final, meaning-oriented
 * embedding; a retrieval-judge time head gains about two points of cross-validated accuracy from them (see
 * {@code docs/retrieval.md}).
 *
 * @param embedding  the unit-length sentence embedding, as {@link SentenceEncoder#embed(String)} gives it
 * @param layerMeans by layer (0: the embedding layer's output, k: after transformer layer k), the hidden states
 *                   averaged over the sentence's tokens; not normalised
 */
public record EncodedSentence(float[] embedding, Map<Integer, float[]> layerMeans) {

    /** Copies the map (the arrays are shared: treat them as read-only). */
    public EncodedSentence {
        Objects.requireNonNull(embedding, "embedding");
        layerMeans = Map.copyOf(new TreeMap<>(layerMeans));
    }

    /** A sentence encoded without any layer's states. */
    public static EncodedSentence of(float[] embedding) {
        return new EncodedSentence(embedding, Map.of());
    }

    /**
     * The mean-pooled states of {@code layer}.
     *
     * @throws IllegalArgumentException if that layer was not pooled
     */
    public float[] layerMean(int layer) {
        float[] mean = layerMeans.get(layer);
        if (mean == null) {
            throw new IllegalArgumentException("layer " + layer + " was not pooled; pooled: " + layerMeans.keySet());
        }
        return mean;
    }
}
