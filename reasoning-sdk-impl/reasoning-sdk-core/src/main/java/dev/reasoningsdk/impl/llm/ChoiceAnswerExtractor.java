package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Multiple-choice answers: the first option letter after the last answer marker ("The answer is (B)",
 * "Answer: c"), or else the last option letter in the response. Normalised to upper case.
 *
 * <p>A lower-case letter counts only in parentheses ("(c)") or alone right after a marker ("Answer: c"), because
 * elsewhere it is usually a word: "a" is an article, so "I think a good choice is C" answers C.
 *
 * <p>Reads at most the last {@value ReplyWindow#MAX_CHARS} characters of a response (see {@link ReplyWindow}), in
 * time linear in them.
 */
public final class ChoiceAnswerExtractor implements AnswerExtractor {

    private final Pattern option;
    private final Pattern loneLowerCase;

    /**
     * @param letters the option letters, e.g. {@code "ABCDE"}
     * @throws IllegalArgumentException if {@code letters} is empty or not all ASCII letters
     */
    public ChoiceAnswerExtractor(String letters) {
        Objects.requireNonNull(letters, "letters");
        if (letters.isEmpty() || !letters.chars().allMatch(c -> c < 128 && Character.isLetter(c))) {
            throw new IllegalArgumentException("option letters must be ASCII letters, was '" + letters + "'");
        }
        String upper = letters.toUpperCase(Locale.ROOT);
        String lower = letters.toLowerCase(Locale.ROOT);
        this.option = Pattern.compile("(?<![A-Za-z])(?:\\(([" + upper + lower + "])\\)|([" + upper
                + "]))(?![A-Za-z])");
        this.loneLowerCase = Pattern.compile("^\\(?([" + lower + "])\\)?(?![A-Za-z])");
    }

    /** The answer read from outside the response's think blocks; empty when it was cut off inside one. */
    @Override
    public Optional<String> extract(String response) {
        return ThinkBlocks.answerText(response).flatMap(this::fromAnswerText);
    }

    private Optional<String> fromAnswerText(String response) {
        Optional<String> tail = AnswerPatterns.afterLastMarker(response);
        String found = null;
        if (tail.isPresent()) {
            Matcher matcher = option.matcher(tail.get());
            if (matcher.find()) {
                found = letter(matcher);
            } else {
                Matcher lone = loneLowerCase.matcher(tail.get().strip());
                found = lone.find() ? lone.group(1) : null;
            }
        } else {
            Matcher matcher = ReplyWindow.tailMatcher(option, response);
            while (matcher.find()) {
                found = letter(matcher);
            }
        }
        return Optional.ofNullable(found).map(s -> s.toUpperCase(Locale.ROOT));
    }

    private static String letter(Matcher matcher) {
        return matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
    }
}
