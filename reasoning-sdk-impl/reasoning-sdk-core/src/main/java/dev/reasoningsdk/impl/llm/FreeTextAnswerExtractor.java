package dev.reasoningsdk.impl.llm;
import dev.reasoningsdk.api.model.AnswerExtractor;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Free-text answers, normalised as in SQuAD evaluation: the text after the last answer marker (or the whole
 * response), first line only, lower-cased, punctuation deleted ("U.S." becomes "us") except a point or comma
 * between two digits, which SQuAD's rule would turn "3.5 kg" into "35 kg", the articles a/an/the removed, white
 * space collapsed. Compared exactly; for meaning-level equivalence use the sentence-encoder-backed
 * extractor of the {@code onnx} package.
 */
public final class FreeTextAnswerExtractor implements AnswerExtractor {

    /** ASCII punctuation and symbols as SQuAD removes them, plus Unicode punctuation (curly quotes, dashes). */
    private static final Pattern PUNCTUATION =
            Pattern.compile("(?![.,](?<=\\d[.,])(?=\\d))[\\p{Punct}\\p{IsPunctuation}]");
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");

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

    /** SQuAD-style normalisation of a free-text answer: lower case, no punctuation, no articles, single spaces. */
    public static String normalise(String text) {
        String lower = PUNCTUATION.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("");
        return ARTICLES.matcher(lower).replaceAll(" ").replaceAll("\\s+", " ").strip();
    }
}
