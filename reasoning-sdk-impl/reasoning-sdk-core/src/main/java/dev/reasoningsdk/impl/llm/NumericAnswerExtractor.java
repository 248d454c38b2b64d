package dev.reasoningsdk.impl.llm;
import dev.reasoningsdk.api.model.AnswerExtractor;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numeric answers as in GSM8K: "The answer is 42.", "#### 42", "A: 42", "Answer: $1,234.50", "42 apples",
 * "\boxed{-3.5}".
 *
 * <p>Takes the first number after the last answer marker, or the last number in the response when there is no
 * marker. Thousands separators, currency signs and trailing units are dropped; the number is normalised to its
 * plain decimal form without trailing zeros ({@code "1,200.00"} becomes {@code "1200"}). Two answers are
 * {@link #equivalent} when they differ by at most a relative 1e-9.
 */
public final class NumericAnswerExtractor implements AnswerExtractor {

    /**
     * A number not glued to a word or to another number ("x2" and "v1.2.3" hold none; the "-" in "2023-05-01" is
     * no sign): an optional sign (ASCII or Unicode minus) before or after a dollar sign, digits with or without
     * complete thousands groups, an optional fraction, or a bare fraction (".5").
     */
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])(?:[-\u2212]\\s*)?\\$?\\s*(?:[-\u2212]\\s*)?"
            + "(?:(?:\\d{1,3}(?:,\\d{3})+(?!\\d)|\\d+)(?:\\.\\d+)?|\\.\\d+)");
    private static final double RELATIVE_TOLERANCE = 1e-9;

    @Override
    public Optional<String> extract(String response) {
        Optional<String> tail = AnswerPatterns.afterLastMarker(response);
        Matcher matcher = NUMBER.matcher(tail.orElse(response));
        String found = null;
        while (matcher.find()) {
            found = matcher.group();
            if (tail.isPresent()) {
                break;
            }
        }
        return Optional.ofNullable(found).map(NumericAnswerExtractor::normalise);
    }

    @Override
    public boolean equivalent(String first, String second) {
        if (first.equals(second)) {
            return true;
        }
        try {
            double a = Double.parseDouble(first);
            double b = Double.parseDouble(second);
            return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
        } catch (NumberFormatException notNumbers) {
            return false;
        }
    }

    private static String normalise(String raw) {
        String digits = raw.replace("$", "").replace(",", "").replace('\u2212', '-').replaceAll("\\s", "");
        boolean negative = digits.startsWith("-");
        digits = digits.replace("-", "");
        BigDecimal value = new BigDecimal(digits).stripTrailingZeros();
        if (negative) {
            value = value.negate();
        }
        return value.signum() == 0 ? "0" : value.toPlainString();
    }
}
