package dev.reasoningsdk.impl.llm;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Multiple-choice answers: the option letter after the last answer marker ("The answer is (B)", "Answer: c"), or
 * the last standalone option letter in the response. Normalised to upper case.
 */
public final class ChoiceAnswerExtractor implements AnswerExtractor {

    private final Pattern option;

    /**
     * @param letters the option letters, e.g. {@code "ABCDE"}
     * @throws IllegalArgumentException if {@code letters} is empty or not all letters
     */
    public ChoiceAnswerExtractor(String letters) {
        Objects.requireNonNull(letters, "letters");
        if (letters.isEmpty() || !letters.chars().allMatch(Character::isLetter)) {
            throw new IllegalArgumentException("option letters must be letters, was '" + letters + "'");
        }
        String set = Pattern.quote(letters.toUpperCase(java.util.Locale.ROOT))
                + Pattern.quote(letters.toLowerCase(java.util.Locale.ROOT));
        this.option = Pattern.compile("(?<![A-Za-z])\\(?([" + set.replace("\\Q", "").replace("\\E", "")
                + "])\\)?(?![A-Za-z])");
    }

    @Override
    public Optional<String> extract(String response) {
        Optional<String> tail = AnswerPatterns.afterLastMarker(response);
        Matcher matcher = option.matcher(tail.orElse(response));
        String found = null;
        while (matcher.find()) {
            found = matcher.group(1);
            if (tail.isPresent()) {
                break;
            }
        }
        return Optional.ofNullable(found).map(s -> s.toUpperCase(java.util.Locale.ROOT));
    }
}
