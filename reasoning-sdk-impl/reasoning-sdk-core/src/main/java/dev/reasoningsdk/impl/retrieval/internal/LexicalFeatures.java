package dev.reasoningsdk.impl.retrieval.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Word unigram and bigram indicators, appended to a sentence embedding where the embedding alone misses surface cues
 * (a pooled embedding keeps a question's topic better than its tense or "so far"). Words are the lower-cased runs of
 * ASCII letters and digits. Two kinds:
 * <ul>
 *   <li>hashed: each n-gram sets one of {@code dimensions} slots chosen by {@link String#hashCode()}, which the Java
 *       specification fixes, so a trained head reads the same slots on every JVM; distinct n-grams share slots;</li>
 *   <li>vocabulary: one slot per n-gram of a list fixed at training (those seen in enough training rows), stored
 *       with the head; other n-grams are ignored.</li>
 * </ul>
 * Immutable.
 */
public final class LexicalFeatures {

    /** No lexical features. */
    public static final LexicalFeatures NONE = new LexicalFeatures(0, List.of());

    private final int hashedDimensions;
    private final List<String> vocabulary;
    private final Map<String, Integer> slots;

    private LexicalFeatures(int hashedDimensions, List<String> vocabulary) {
        this.hashedDimensions = hashedDimensions;
        this.vocabulary = List.copyOf(vocabulary);
        this.slots = new HashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            if (slots.put(vocabulary.get(i), i) != null) {
                throw new IllegalArgumentException("lexical vocabulary lists '" + vocabulary.get(i) + "' twice");
            }
        }
    }

    /**
     * {@code dimensions} hashed indicators; {@link #NONE} for 0.
     *
     * @throws IllegalArgumentException if negative
     */
    public static LexicalFeatures hashed(int dimensions) {
        if (dimensions < 0) {
            throw new IllegalArgumentException("hashed lexical dimensions must be >= 0, was " + dimensions);
        }
        return dimensions == 0 ? NONE : new LexicalFeatures(dimensions, List.of());
    }

    /**
     * One indicator per n-gram of {@code ngrams}, in that order.
     *
     * @throws IllegalArgumentException if empty or an n-gram repeats
     */
    public static LexicalFeatures vocabulary(List<String> ngrams) {
        if (ngrams.isEmpty()) {
            throw new IllegalArgumentException("lexical vocabulary is empty");
        }
        return new LexicalFeatures(0, ngrams);
    }

    /** The n-grams found in at least {@code minRows} of {@code texts}, sorted. */
    public static List<String> frequentNgrams(Collection<String> texts, int minRows) {
        Map<String, Integer> rowCounts = new HashMap<>();
        for (String text : texts) {
            for (String ngram : ngramsOf(text)) {
                rowCounts.merge(ngram, 1, Integer::sum);
            }
        }
        Set<String> frequent = new TreeSet<>();
        rowCounts.forEach((ngram, rows) -> {
            if (rows >= minRows) {
                frequent.add(ngram);
            }
        });
        return new ArrayList<>(frequent);
    }

    /** How many indicators follow the model's features. */
    public int dimensions() {
        return hashedDimensions > 0 ? hashedDimensions : vocabulary.size();
    }

    /** The vocabulary's n-grams; empty for hashed or no features. */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** {@code features} followed by the text's indicators; {@code features} itself when there are none. */
    public float[] append(float[] features, String text) {
        int dimensions = dimensions();
        if (dimensions == 0) {
            return features;
        }
        float[] combined = new float[features.length + dimensions];
        System.arraycopy(features, 0, combined, 0, features.length);
        for (String ngram : ngramsOf(text)) {
            Integer slot = hashedDimensions > 0 ? Integer.valueOf(Math.floorMod(ngram.hashCode(), hashedDimensions))
                    : slots.get(ngram);
            if (slot != null) {
                combined[features.length + slot] = 1;
            }
        }
        return combined;
    }

    /** The text's distinct unigrams and bigrams ("w1 w2"). */
    private static Set<String> ngramsOf(String text) {
        String normalised = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").strip();
        Set<String> ngrams = new HashSet<>();
        if (normalised.isEmpty()) {
            return ngrams;
        }
        String[] words = normalised.split(" ");
        for (int i = 0; i < words.length; i++) {
            ngrams.add(words[i]);
            if (i + 1 < words.length) {
                ngrams.add(words[i] + " " + words[i + 1]);
            }
        }
        return ngrams;
    }
}
