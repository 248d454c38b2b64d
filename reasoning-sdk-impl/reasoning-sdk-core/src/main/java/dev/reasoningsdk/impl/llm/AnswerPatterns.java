package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.impl.internal.ReplyWindow;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the text after the last answer marker of a response: {@code \boxed{...}} (MATH style), "The (final|correct)
 * answer is", "####" (GSM8K), "Answer:" / "Final answer:" at a line start (markdown emphasis allowed, as in
 * "**Answer:** 42"), "A:" at a line start.
 *
 * <p>Only the last {@value ReplyWindow#MAX_CHARS} characters of a response are searched ({@link ReplyWindow}), in
 * time linear in them: a blank run before a line-start marker is matched from its last line feed, so a run of
 * newlines is not scanned again from each of its line feeds.
 */
final class AnswerPatterns {

    /**
     * Markers in order of preference. The last occurrence of the first marker present wins, because chains often
     * restate intermediate results before the final one. The blank and markdown run before a line-start marker
     * holds no line feed, so the marker is matched from the run's last line feed (where the old run with line feeds
     * matched from its first, with the same end) and a run of newlines is scanned once, not once per line feed.
     */
    private static final List<Pattern> MARKERS = List.of(
            Pattern.compile("\\\\boxed\\{\\s*"),
            Pattern.compile("(?i)\\bthe (?:final |correct )?answer is[:\\s*_]*"),
            Pattern.compile("####\\s*"),
            Pattern.compile("(?i)(?:^|\\n)[\\t\\x0B\\f\\r *_#>]*+(?:final )?answer[*_]*+\\s*+:[\\s*_]*"),
            Pattern.compile("(?:^|\\n)[\\t\\x0B\\f\\r *_]*+A[*_]*+\\s*+:[\\s*_]*"));

    private AnswerPatterns() {
    }

    /**
     * The text after the last occurrence of the most preferred marker present in the last
     * {@value ReplyWindow#MAX_CHARS} characters, or empty when none is.
     */
    static Optional<String> afterLastMarker(String response) {
        for (Pattern marker : MARKERS) {
            Matcher matcher = ReplyWindow.tailMatcher(marker, response);
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
