package dev.reasoningsdk.api.model;

import java.util.Arrays;
import java.util.Collections;
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

    /**
     * Copies the embedding, the map and every pooled array, so that a caller changing its arrays afterwards cannot
     * change this value.
     *
     * @throws NullPointerException if {@code embedding}, {@code layerMeans} or one of its keys or arrays is null
     */
    public EncodedSentence {
        embedding = Objects.requireNonNull(embedding, "embedding").clone();
        Map<Integer, float[]> copies = new TreeMap<>();
        Objects.requireNonNull(layerMeans, "layerMeans").forEach((layer, mean) -> copies.put(
                Objects.requireNonNull(layer, "layerMeans' layer"),
                Objects.requireNonNull(mean, "layerMeans' mean of layer " + layer).clone()));
        layerMeans = Collections.unmodifiableMap(copies);
    }

    /** A sentence encoded without any layer's states. */
    public static EncodedSentence of(float[] embedding) {
        return new EncodedSentence(embedding, Map.of());
    }

    /** A copy of the embedding. */
    @Override
    public float[] embedding() {
        return embedding.clone();
    }

    /** The pooled layers in ascending order, each with a copy of its mean. */
    @Override
    public Map<Integer, float[]> layerMeans() {
        Map<Integer, float[]> copies = new TreeMap<>();
        layerMeans.forEach((layer, mean) -> copies.put(layer, mean.clone()));
        return Collections.unmodifiableMap(copies);
    }

    /**
     * A copy of the mean-pooled states of {@code layer}.
     *
     * @throws IllegalArgumentException if that layer was not pooled
     */
    public float[] layerMean(int layer) {
        float[] mean = layerMeans.get(layer);
        if (mean == null) {
            throw new IllegalArgumentException("layer " + layer + " was not pooled; pooled: " + layerMeans.keySet());
        }
        return mean.clone();
    }

    /** Equal when the embeddings and every pooled layer's mean are, compared by content. */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof EncodedSentence e) || !Arrays.equals(embedding, e.embedding)
                || !layerMeans.keySet().equals(e.layerMeans.keySet())) {
            return false;
        }
        for (Map.Entry<Integer, float[]> entry : layerMeans.entrySet()) {
            if (!Arrays.equals(entry.getValue(), e.layerMeans.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = Arrays.hashCode(embedding);
        for (Map.Entry<Integer, float[]> entry : layerMeans.entrySet()) {
            hash = 31 * hash + entry.getKey() * 17 + Arrays.hashCode(entry.getValue());
        }
        return hash;
    }

    @Override
    public String toString() {
        return "EncodedSentence[embedding=" + embedding.length + " floats, layers=" + layerMeans.keySet() + "]";
    }
}
