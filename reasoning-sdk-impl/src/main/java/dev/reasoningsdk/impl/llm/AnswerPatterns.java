package dev.reasoningsdk.impl.llm;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the text after the last answer marker ("The answer is", "####", "A:", "Answer:") of a response. */
final class AnswerPatterns {

    /**
     * Markers in order of preference. The last occurrence of the first marker present wins, because chains often
     * restate intermediate results before the final one.
     */
    private static final List<Pattern> MARKERS = List.of(
            Pattern.compile("(?i)the (?:final )?answer is[:\\s]*"),
            Pattern.compile("####\\s*"),
            Pattern.compile("(?i)(?:^|\\n)\\s*(?:final )?answer\\s*:\\s*"),
            Pattern.compile("(?:^|\\n)\\s*A\\s*:\\s*"));

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
