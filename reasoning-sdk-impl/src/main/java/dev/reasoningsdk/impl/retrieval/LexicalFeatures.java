package dev.reasoningsdk.impl.retrieval;

import java.util.Locale;

/**
 * Hashed word unigram and bigram indicators, appended to a sentence embedding where the embedding alone misses
 * surface cues (a pooled embedding keeps a question's topic better than its tense or "so far"). Words are the
 * lower-cased runs of ASCII letters and digits; each unigram and bigram sets one of {@code dimensions} slots chosen
 * by {@link String#hashCode()}, which the Java specification fixes, so a trained head reads the same slots on every
 * JVM.
 */
final class LexicalFeatures {

    private LexicalFeatures() {
    }

    /** {@code features} followed by the text's {@code dimensions} hashed indicators; {@code features} if 0. */
    static float[] append(float[] features, String text, int dimensions) {
        if (dimensions == 0) {
            return features;
        }
        float[] combined = new float[features.length + dimensions];
        System.arraycopy(features, 0, combined, 0, features.length);
        String normalised = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").strip();
        if (normalised.isEmpty()) {
            return combined;
        }
        String[] words = normalised.split(" ");
        for (int i = 0; i < words.length; i++) {
            combined[features.length + Math.floorMod(words[i].hashCode(), dimensions)] = 1;
            if (i + 1 < words.length) {
                combined[features.length + Math.floorMod((words[i] + " " + words[i + 1]).hashCode(), dimensions)] = 1;
            }
        }
        return combined;
    }
}
