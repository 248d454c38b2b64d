package dev.reasoningsdk.impl.aggregate;

import java.util.OptionalDouble;
import java.util.function.DoubleSupplier;

/**
 * Evaluates the arithmetic a reasoning chain states: numbers, {@code + - * /}, unary minus, parentheses, {@code ^}
 * and a trailing {@code %} (divides by 100). A recursive-descent parser, so untrusted text is never executed; it
 * reads each character once, and an expression nested more than {@value #MAX_DEPTH} levels deep (parentheses, signs
 * or powers) is malformed, so a degenerate chain cannot overflow the stack.
 */
final class ArithmeticExpression {

    /** The deepest nesting read; chains nest a few levels, a model that degenerates thousands. */
    static final int MAX_DEPTH = 100;

    private final String text;
    private int position;
    private int depth;

    private ArithmeticExpression(String text) {
        this.text = text;
    }

    /** The value of {@code expression}, or empty when it is not a well-formed arithmetic expression. */
    static OptionalDouble evaluate(String expression) {
        ArithmeticExpression parser = new ArithmeticExpression(expression);
        try {
            double value = parser.sum();
            parser.skipSpaces();
            if (parser.position != expression.length() || Double.isNaN(value) || Double.isInfinite(value)) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(value);
        } catch (IllegalArgumentException malformed) {
            return OptionalDouble.empty();
        }
    }

    private double sum() {
        double value = product();
        while (true) {
            char op = peek();
            if (op != '+' && op != '-') {
                return value;
            }
            position++;
            double right = product();
            value = op == '+' ? value + right : value - right;
        }
    }

    private double product() {
        double value = power();
        while (true) {
            char op = peek();
            if (op != '*' && op != '/') {
                return value;
            }
            position++;
            double right = power();
            value = op == '*' ? value * right : value / right;
        }
    }

    private double power() {
        double base = unary();
        if (peek() == '^') {
            position++;
            return Math.pow(base, nested(this::power));
        }
        return base;
    }

    /** Parses one level deeper: a bracketed sum, a signed operand or an exponent. */
    private double nested(DoubleSupplier inner) {
        if (++depth > MAX_DEPTH) {
            throw new IllegalArgumentException("nested more than " + MAX_DEPTH + " levels deep");
        }
        double value = inner.getAsDouble();
        depth--;
        return value;
    }

    private double unary() {
        char c = peek();
        if (c == '-') {
            position++;
            return -nested(this::unary);
        }
        if (c == '+') {
            position++;
            return nested(this::unary);
        }
        double value;
        if (c == '(') {
            position++;
            value = nested(this::sum);
            if (peek() != ')') {
                throw new IllegalArgumentException("unbalanced parenthesis");
            }
            position++;
        } else {
            value = number();
        }
        if (peek() == '%') {
            position++;
            value /= 100;
        }
        return value;
    }

    private double number() {
        skipSpaces();
        int start = position;
        while (position < text.length() && (Character.isDigit(text.charAt(position)) || text.charAt(position) == '.')) {
            position++;
        }
        if (start == position) {
            throw new IllegalArgumentException("number expected at " + start);
        }
        return Double.parseDouble(text.substring(start, position));
    }

    private char peek() {
        skipSpaces();
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void skipSpaces() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }
}
