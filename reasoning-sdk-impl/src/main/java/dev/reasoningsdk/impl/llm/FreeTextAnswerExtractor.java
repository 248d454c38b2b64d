package dev.reasoningsdk.impl.llm;

import java.util.Locale;
import java.util.Optional;

/**
 * Free-text answers, normalised as in SQuAD evaluation: the text after the last answer marker (or the whole
 * response), first line only, lower-cased, punctuation and the articles a/an/the removed, white space collapsed.
 * Compared exactly; for meaning-level equivalence use the sentence-encoder-backed extractor of the {@code onnx}
 * package.
 */
public final class FreeTextAnswerExtractor implements AnswerExtractor {

    @Override
    public Optional<String> extract(String response) {
        String tail = AnswerPatterns.afterLastMarker(response).orElse(response).strip();
        int newline = tail.indexOf('\n');
        if (newline >= 0) {
            tail = tail.substring(0, newline);
        }
        String normalised = normalise(tail);
        return normalised.isEmpty() ? Optional.empty() : Optional.of(normalised);
    }

    /** SQuAD-style normalisation of a free-text answer. */
    public static String normalise(String text) {
        String lower = text.toLowerCase(Locale.ROOT).replaceAll("[\\p{Punct}]", " ");
        return lower.replaceAll("\\b(a|an|the)\\b", " ").replaceAll("\\s+", " ").strip();
    }
}
