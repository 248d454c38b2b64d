package dev.reasoningsdk.impl.llm;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Yes/no answers (StrategyQA style): the first "yes"/"no" (or "true"/"false") after the last answer marker, else
 * the last one in the response. Normalised to {@code "yes"} or {@code "no"}.
 */
public final class YesNoAnswerExtractor implements AnswerExtractor {

    private static final Pattern YES_NO = Pattern.compile("(?i)\\b(yes|no|true|false)\\b");

    @Override
    public Optional<String> extract(String response) {
        Optional<String> tail = AnswerPatterns.afterLastMarker(response);
        Matcher matcher = YES_NO.matcher(tail.orElse(response));
        String found = null;
        while (matcher.find()) {
            found = matcher.group(1).toLowerCase(Locale.ROOT);
            if (tail.isPresent()) {
                break;
            }
        }
        if (found == null) {
            return Optional.empty();
        }
        return Optional.of(found.equals("yes") || found.equals("true") ? "yes" : "no");
    }
}
