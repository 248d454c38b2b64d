package dev.reasoningsdk.impl.retrieval.internal;

import dev.reasoningsdk.api.model.EncodedSentence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** What a linear head computes from an encoding, shared by the head at run time and its trainer. Not API. */
public final class HeadFeatures {

    private HeadFeatures() {
    }

    /** The embedding followed by the mean-pooled states of {@code layers}, in that order. */
    public static float[] modelFeatures(EncodedSentence encoded, List<Integer> layers) {
        if (layers.isEmpty()) {
            return encoded.embedding();
        }
        int width = encoded.embedding().length;
        for (int layer : layers) {
            width += encoded.layerMean(layer).length;
        }
        float[] model = Arrays.copyOf(encoded.embedding(), width);
        int offset = encoded.embedding().length;
        for (int layer : layers) {
            float[] layerMean = encoded.layerMean(layer);
            System.arraycopy(layerMean, 0, model, offset, layerMean.length);
            offset += layerMean.length;
        }
        return model;
    }


    /** The layers sorted, once each. */
    public static List<Integer> checkedLayers(List<Integer> layers) {
        List<Integer> sorted = new ArrayList<>(layers);
        Collections.sort(sorted);
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i) < 0 || i > 0 && sorted.get(i).equals(sorted.get(i - 1))) {
                throw new IllegalArgumentException("pooled layers must be distinct and >= 0, were " + layers);
            }
        }
        return List.copyOf(sorted);
    }
}
