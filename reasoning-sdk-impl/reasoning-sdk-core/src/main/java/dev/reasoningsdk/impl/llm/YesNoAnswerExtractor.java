package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Yes/no answers (StrategyQA style): the first "yes"/"no" (or "true"/"false") after the last answer marker; else
 * the one a response opens with ("Yes, because ..."); else the last one in the response ("... so, no."). Normalised
 * to {@code "yes"} or {@code "no"}.
 *
 * <p>Reads at most the first {@value ReplyWindow#MAX_CHARS} characters of a response for the opening word and the
 * last {@value ReplyWindow#MAX_CHARS} for the rest (see {@link ReplyWindow}), in time linear in them.
 */
public final class YesNoAnswerExtractor implements AnswerExtractor {

    private static final Pattern YES_NO = Pattern.compile("(?i)\\b(yes|no|true|false)\\b");
    private static final Pattern LEADING = Pattern.compile("(?i)^[\\s*_\"'#>]*(yes|no|true|false)\\b");

    /** The answer read from outside the response's think blocks; empty when it was cut off inside one. */
    @Override
    public Optional<String> extract(String response) {
        return ThinkBlocks.answerText(response).flatMap(YesNoAnswerExtractor::fromAnswerText);
    }

    private static Optional<String> fromAnswerText(String response) {
        Optional<String> tail = AnswerPatterns.afterLastMarker(response);
        String found = null;
        if (tail.isPresent()) {
            Matcher matcher = YES_NO.matcher(tail.get());
            found = matcher.find() ? matcher.group(1) : null;
        } else {
            Matcher leading = LEADING.matcher(ReplyWindow.head(response));
            if (leading.find()) {
                found = leading.group(1);
            } else {
                Matcher matcher = ReplyWindow.tailMatcher(YES_NO, response);
                while (matcher.find()) {
                    found = matcher.group(1);
                }
            }
        }
        if (found == null) {
            return Optional.empty();
        }
        String word = found.toLowerCase(Locale.ROOT);
        return Optional.of(word.equals("yes") || word.equals("true") ? "yes" : "no");
    }
}
