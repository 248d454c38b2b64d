package dev.reasoningsdk.impl.llm;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the text after the last answer marker of a response: {@code \boxed{...}} (MATH style), "The (final|correct)
 * answer is", "####" (GSM8K), "Answer:" / "Final answer:" at a line start (markdown emphasis allowed, as in
 * "**Answer:** 42"), "A:" at a line start.
 */
final class AnswerPatterns {

    /**
     * Markers in order of preference. The last occurrence of the first marker present wins, because chains often
     * restate intermediate results before the final one.
     */
    private static final List<Pattern> MARKERS = List.of(
            Pattern.compile("\\\\boxed\\{\\s*"),
            Pattern.compile("(?i)\\bthe (?:final |correct )?answer is[:\\s*_]*"),
            Pattern.compile("####\\s*"),
            Pattern.compile("(?i)(?:^|\\n)[\\s*_#>]*(?:final )?answer[*_]*\\s*:[\\s*_]*"),
            Pattern.compile("(?:^|\\n)[\\s*_]*A[*_]*\\s*:[\\s*_]*"));

    private AnswerPatterns() {
    }

    /** The text after the last occurrence of the most preferred marker present, or empty when none is. */
    static Optional<String> afterLastMarker(String response) {
        for (Pattern marker : MARKERS) {
            Matcher matcher = marker.matcher(response);
            int end = -1;
            while (matcher.find()) {
                end = matcher.end();
            }
            if (end >= 0) {
                return Optional.of(response.substring(end));
            }
        }
        return Optional.empty();
    }
}
