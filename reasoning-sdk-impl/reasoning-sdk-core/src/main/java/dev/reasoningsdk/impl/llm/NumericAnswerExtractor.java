package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.internal.ThinkBlocks;
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
 * plain decimal form without trailing zeros ({@code "1,200.00"} becomes {@code "1200"}). Two whole numbers are
 * {@link #equivalent} when they are equal; other numbers when they differ by at most a relative 1e-9.
 *
 * <p>Reads at most the last {@value ReplyWindow#MAX_CHARS} characters of a response (see {@link ReplyWindow}), in
 * time linear in them; a number that starts before that window is not read.
 */
public final class NumericAnswerExtractor implements AnswerExtractor {

    /**
     * A number not glued to a word or to another number ("x2" and "v1.2.3" hold none; the "-" in "2023-05-01" is
     * no sign): an optional sign (ASCII or Unicode minus) before or after a dollar sign, digits with or without
     * complete thousands groups, an optional fraction, or a bare fraction (".5"). A match never starts with white
     * space, and white space runs are matched possessively (nothing after them can start with white space): a run
     * of newlines is then scanned once, not once from each of its characters and again for each split between two
     * runs.
     */
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])(?!\\s)(?:[-\u2212]\\s*+)?\\$?\\s*+"
            + "(?:[-\u2212]\\s*+)?(?:(?:\\d{1,3}(?:,\\d{3})+(?!\\d)|\\d+)(?:\\.\\d+)?|\\.\\d+)");
    private static final double RELATIVE_TOLERANCE = 1e-9;
    /** A whole number in plain decimal form, as {@link #extract} gives one ("-12", "1200"; "1200.00" too). */
    private static final Pattern WHOLE = Pattern.compile("-?\\d+(?:\\.0*)?");

    /** The answer read from outside the response's think blocks; empty when it was cut off inside one. */
    @Override
    public Optional<String> extract(String response) {
        return ThinkBlocks.answerText(response).flatMap(text -> {
            Optional<String> tail = AnswerPatterns.afterLastMarker(text);
            return tail.isPresent() ? firstNumber(tail.get()) : lastNumber(text);
        });
    }

    /**
     * The number after the last answer marker outside the response's think blocks ("A: 18", "#### 18", "The answer
     * is 18."), normalised as {@link #extract} normalises it; empty when the response has no marker, or no number
     * after it. For a reference solution whose final answer must be stated: the last number of a worked solution,
     * which {@link #extract} falls back to, is not always its answer ("... 120/24 = 5 hours to read 120 pages").
     */
    public Optional<String> extractMarked(String response) {
        return ThinkBlocks.answerText(response).flatMap(AnswerPatterns::afterLastMarker)
                .flatMap(NumericAnswerExtractor::firstNumber);
    }

    private static Optional<String> firstNumber(String tail) {
        Matcher matcher = NUMBER.matcher(tail);
        return matcher.find() ? Optional.of(normalise(matcher.group())) : Optional.empty();
    }

    private static Optional<String> lastNumber(String response) {
        Matcher matcher = ReplyWindow.tailMatcher(NUMBER, response);
        String found = null;
        while (matcher.find()) {
            found = matcher.group();
        }
        return Optional.ofNullable(found).map(NumericAnswerExtractor::normalise);
    }

    @Override
    public boolean equivalent(String first, String second) {
        if (first.equals(second)) {
            return true;
        }
        if (WHOLE.matcher(first).matches() && WHOLE.matcher(second).matches()) {
            // Whole numbers carry no rounding noise for a tolerance to absorb, and past 10^9 a relative 1e-9 is
            // a unit or more: 1000000001 passed for 1000000000, a wrong answer scored right.
            return new BigDecimal(first).compareTo(new BigDecimal(second)) == 0;
        }
        try {
            double a = Double.parseDouble(first);
            double b = Double.parseDouble(second);
            return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
        } catch (NumberFormatException notNumbers) {
            return false;
        }
    }

    /**
     * The plain decimal form without leading or trailing zeros, as {@code BigDecimal.stripTrailingZeros()
     * .toPlainString()} gives it, but by cutting the string: stripping divides by ten once per trailing zero, which
     * is quadratic in a number of thousands of zeros.
     */
    private static String normalise(String raw) {
        String digits = raw.replace("$", "").replace(",", "").replace('\u2212', '-').replaceAll("\\s", "");
        boolean negative = digits.startsWith("-");
        digits = digits.replace("-", "");
        int dot = digits.indexOf('.');
        int wholeEnd = dot < 0 ? digits.length() : dot;
        int wholeStart = 0;
        while (wholeStart < wholeEnd && digits.charAt(wholeStart) == '0') {
            wholeStart++;
        }
        int fractionEnd = digits.length();
        while (dot >= 0 && fractionEnd > dot + 1 && digits.charAt(fractionEnd - 1) == '0') {
            fractionEnd--;
        }
        boolean fraction = dot >= 0 && fractionEnd > dot + 1;
        if (wholeStart == wholeEnd && !fraction) {
            return "0";
        }
        String whole = wholeStart == wholeEnd ? "0" : digits.substring(wholeStart, wholeEnd);
        return (negative ? "-" : "") + whole + (fraction ? digits.substring(dot, fractionEnd) : "");
    }
}
