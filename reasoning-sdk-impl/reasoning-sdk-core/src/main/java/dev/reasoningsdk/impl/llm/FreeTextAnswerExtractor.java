package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Free-text answers, normalised as in SQuAD evaluation: the text after the last answer marker (or the whole
 * response), first line only, lower-cased, punctuation deleted ("U.S." becomes "us") except a point or comma
 * between two digits, which SQuAD's rule would turn "3.5 kg" into "35 kg", the articles a/an/the removed, white
 * space collapsed. Compared exactly; for meaning-level equivalence use the sentence-encoder-backed
 * extractor of the {@code onnx} package.
 *
 * <p>Reads at most {@value ReplyWindow#MAX_CHARS} characters (see {@link ReplyWindow}), in time linear in them:
 * markers are searched in the last ones; without a marker the answer is the response's first line once leading
 * blanks are dropped, and no answer when that line does not start within the first {@value ReplyWindow#MAX_CHARS}
 * characters or is longer than that.
 */
public final class FreeTextAnswerExtractor implements AnswerExtractor {

    /** ASCII punctuation and symbols as SQuAD removes them, plus Unicode punctuation (curly quotes, dashes). */
    private static final Pattern PUNCTUATION =
            Pattern.compile("(?![.,](?<=\\d[.,])(?=\\d))[\\p{Punct}\\p{IsPunctuation}]");
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");

    /** The answer read from outside the response's think blocks; empty when it was cut off inside one. */
    @Override
    public Optional<String> extract(String response) {
        return ThinkBlocks.answerText(response).flatMap(FreeTextAnswerExtractor::fromAnswerText);
    }

    private static Optional<String> fromAnswerText(String response) {
        Optional<String> marked = AnswerPatterns.afterLastMarker(response);
        int start = marked.isPresent() ? 0 : firstNonBlank(response);
        String line = start >= ReplyWindow.MAX_CHARS ? null
                : firstLine(marked.isPresent() ? marked.get().strip() : response, start);
        if (line == null) {
            return Optional.empty();
        }
        String normalised = normalise(line);
        return normalised.isEmpty() ? Optional.empty() : Optional.of(normalised);
    }

    /** The index of the first non-blank character, looked for in the first window only. */
    private static int firstNonBlank(String text) {
        int limit = Math.min(text.length(), ReplyWindow.MAX_CHARS);
        int start = 0;
        while (start < limit && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        return start;
    }

    /**
     * The line of {@code text} that starts at {@code start}, without its line feed, or null when it is longer than
     * {@value ReplyWindow#MAX_CHARS} characters.
     */
    private static String firstLine(String text, int start) {
        int limit = Math.min(text.length(), start + ReplyWindow.MAX_CHARS);
        int end = start;
        while (end < limit && text.charAt(end) != '\n') {
            end++;
        }
        return end < text.length() && text.charAt(end) != '\n' ? null : text.substring(start, end);
    }

    /** SQuAD-style normalisation of a free-text answer: lower case, no punctuation, no articles, single spaces. */
    public static String normalise(String text) {
        String lower = PUNCTUATION.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("");
        return ARTICLES.matcher(lower).replaceAll(" ").replaceAll("\\s+", " ").strip();
    }
}
