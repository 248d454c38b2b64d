package dev.reasoningsdk.impl.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The numbers a word problem states, and the operands of an equation, for {@link ArithmeticStepReward}. */
final class QuestionNumbers {

    /** A unit fraction (its denominator is the operand), another number, or a word that stands for 2 or 3. */
    private static final Pattern STATED = Pattern.compile(
            "\\b1/(\\d+)\\b|(\\d+(?:\\.\\d+)?)|\\b(half|halves|halve|double|doubles|twice)\\b|\\b(triple|triples"
                    + "|thrice)\\b");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern THOUSANDS = Pattern.compile("(?<=\\d),(?=\\d{3}(?!\\d))");

    private QuestionNumbers() {
    }

    /** The numbers {@code question} states, each as often as it is stated, in order. */
    static List<Double> of(String question) {
        List<Double> numbers = new ArrayList<>();
        Matcher m = STATED.matcher(THOUSANDS.matcher(question.toLowerCase(Locale.ROOT)).replaceAll(""));
        while (m.find()) {
            numbers.add(m.group(1) != null ? Double.parseDouble(m.group(1))
                    : m.group(2) != null ? Double.parseDouble(m.group(2)) : m.group(3) != null ? 2.0 : 3.0);
        }
        return numbers;
    }

    /** The numbers an equation's expression operates on, signs aside. */
    static List<Double> operands(String expression) {
        List<Double> operands = new ArrayList<>();
        Matcher m = NUMBER.matcher(expression);
        while (m.find()) {
            operands.add(Double.parseDouble(m.group()));
        }
        return operands;
    }

    /** Removes one number close to {@code value} from {@code numbers}; whether there was one. */
    static boolean removeClose(List<Double> numbers, double value) {
        for (int i = 0; i < numbers.size(); i++) {
            if (ArithmeticVerifier.close(numbers.get(i), value)) {
                numbers.remove(i);
                return true;
            }
        }
        return false;
    }

    /** An extracted answer as a number. */
    static Optional<Double> parse(String answer) {
        try {
            return Optional.of(Double.parseDouble(answer));
        } catch (NumberFormatException notANumber) {
            return Optional.empty();
        }
    }
}
