package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process verifier for arithmetic chains: it re-computes every {@code a op b = c} step a chain states and scores
 * the chain by the share it got right. It needs no model, so it is exact, free and deterministic, and it catches
 * the "numerical calculation mistakes" and "unclear conclusions" of AoR's list of common math errors; it cannot see
 * a correctly computed step that solves the wrong problem.
 *
 * <p>Steps are, in order of preference: GSM8K calculator annotations ({@code <<48/2=24>>}), when a chain has any;
 * otherwise every plain equation in the text ({@code 48 / 2 = 24}, {@code 14+7=21.}, {@code $1,200 x 2 = $2,400},
 * chained {@code 3+4 = 7 * 2 = 14}). Currency signs and thousands separators are dropped; {@code x}, {@code ×} and
 * {@code ÷} read as operators. A stated result counts as correct when it equals the computed value to a relative
 * 1e-6, or is the computed value rounded to the decimals stated ({@code 10/3 = 3.33}).
 *
 * <p>Score (0-10): {@code 10 x correct steps / steps}, multiplied by {@code inconsistentAnswerFactor} (default 0.5)
 * when the chain's final answer is not the result of any of its steps, and by {@code implausibleAnswerFactor}
 * (default 0.5) when {@code wholeNumberAnswers} is on (default off) and the answer is negative or fractional (AoR's
 * "negative quantities for indivisible items"). A chain with no checkable step scores {@code unverifiableScore}
 * (default 5: below AoR's threshold of 6, so verified chains are preferred, yet an answer nothing better contradicts
 * still counts). Local and global scores are the same absolute judgement; references are not needed.
 *
 * <p>Steps are read from the first {@value ReplyWindow#MAX_CHARS} characters of a chain (the answer extractor reads
 * its own window; see {@link ReplyWindow}), in time linear in them; an expression nested more than 100 levels
 * deep is no step. Immutable and thread-safe.
 */
public final class ArithmeticVerifier implements ChainScorer {

    private static final Pattern ANNOTATION = Pattern.compile("<<([^<>=]*)=([^<>]*)>>");
    private static final Pattern THOUSANDS = Pattern.compile("(?<=\\d),(?=\\d{3}(?!\\d))");
    private static final Pattern TIMES = Pattern.compile("(?<=[\\d)%])\\s*[x×X]\\s*(?=[\\d(])");
    private static final Pattern NUMBER = Pattern.compile("^\\s*(-?\\d+(?:\\.\\d+)?)");
    private static final Pattern LEADING_MINUS = Pattern.compile("^\\s*-");
    private static final double RELATIVE_TOLERANCE = 1e-6;

    private final AnswerExtractor extractor;
    private final double unverifiableScore;
    private final double inconsistentAnswerFactor;
    private final double implausibleAnswerFactor;
    private final boolean wholeNumberAnswers;

    private ArithmeticVerifier(Builder builder) {
        this.extractor = builder.extractor;
        this.unverifiableScore = builder.unverifiableScore;
        this.inconsistentAnswerFactor = builder.inconsistentAnswerFactor;
        this.implausibleAnswerFactor = builder.implausibleAnswerFactor;
        this.wholeNumberAnswers = builder.wholeNumberAnswers;
    }

    /** A verifier with the defaults and the numeric answer extractor. */
    public static ArithmeticVerifier create() {
        return builder().build();
    }

    /** A builder for non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks one chain: its steps (read from its first {@value ReplyWindow#MAX_CHARS} characters), their
     * correctness, the answer's consistency and the resulting score.
     */
    public Verification verify(String chainText) {
        Objects.requireNonNull(chainText, "chainText");
        List<Step> steps = steps(ReplyWindow.head(chainText));
        Optional<String> answer = extractor.extract(chainText);
        OptionalDouble answerValue = answer.flatMap(ArithmeticVerifier::parse).map(OptionalDouble::of)
                .orElse(OptionalDouble.empty());
        boolean consistent = answerValue.isPresent() && steps.stream()
                .anyMatch(step -> close(step.stated(), answerValue.getAsDouble()));
        boolean plausible = !wholeNumberAnswers || answerValue.isEmpty()
                || (answerValue.getAsDouble() >= 0
                        && answerValue.getAsDouble() == Math.rint(answerValue.getAsDouble()));
        long correct = steps.stream().filter(Step::correct).count();
        double score;
        if (steps.isEmpty()) {
            score = unverifiableScore;
        } else {
            score = 10.0 * correct / steps.size() * (consistent ? 1 : inconsistentAnswerFactor);
        }
        if (!plausible) {
            score *= implausibleAnswerFactor;
        }
        return new Verification(steps, (int) correct, consistent, plausible, score);
    }

    /** One score per chain; references are ignored because the verifier's judgement is absolute. */
    @Override
    public Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references) {
        return scoreAll(chains);
    }

    /** The same absolute score as {@link #scoreLocally}. */
    @Override
    public Scores scoreGlobally(String question, List<ReasoningChain> representatives) {
        return scoreAll(representatives);
    }

    private Scores scoreAll(List<ReasoningChain> chains) {
        long start = System.nanoTime();
        List<Double> scores = new ArrayList<>(chains.size());
        for (ReasoningChain chain : chains) {
            scores.add(verify(chain.text()).score());
        }
        return new Scores(scores, 0, Usage.ofWallTime(Duration.ofNanos(System.nanoTime() - start)));
    }

    /** {@code "verifier"}. */
    @Override
    public String name() {
        return "verifier";
    }

    static List<Step> steps(String text) {
        List<Step> steps = new ArrayList<>();
        Matcher annotation = ANNOTATION.matcher(text);
        while (annotation.find()) {
            String expression = normalise(annotation.group(1));
            OptionalDouble stated = parse(normalise(annotation.group(2)).strip()).map(OptionalDouble::of)
                    .orElse(OptionalDouble.empty());
            OptionalDouble computed = ArithmeticExpression.evaluate(expression);
            // An annotation that does not parse is a step the chain claims but that cannot be right.
            steps.add(new Step(expression.strip(), stated.orElse(Double.NaN), computed.orElse(Double.NaN),
                    stated.isPresent() && computed.isPresent() && matches(computed.getAsDouble(), stated.getAsDouble(),
                            normalise(annotation.group(2)).strip())));
        }
        return steps.isEmpty() ? plainEquations(normalise(text)) : steps;
    }

    /**
     * {@code text} with the stated result of each plain equation ({@code 105-96=69.}) replaced by the value of its
     * left-hand side where the two differ (a calculator, as in Cobbe et al., 2021); text the verifier would
     * normalise first (currency signs, thousands separators) is returned unchanged.
     */
    static String corrected(String text) {
        if (!normalise(text).equals(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int copied = 0;
        for (PlainEquation equation : plainEquationsAt(text)) {
            Step step = equation.step();
            double value = step.computed();
            if (step.correct() || !Double.isFinite(value)) {
                continue;
            }
            String fixed = value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                    : java.math.BigDecimal.valueOf(value).setScale(6, java.math.RoundingMode.HALF_UP)
                    .stripTrailingZeros().toPlainString();
            out.append(text, copied, equation.statedStart()).append(fixed);
            copied = equation.statedEnd();
        }
        return copied == 0 ? text : out.append(text, copied, text.length()).toString();
    }

    private static List<Step> plainEquations(String text) {
        return plainEquationsAt(text).stream().map(PlainEquation::step).toList();
    }

    /** A plain equation and where its stated result lies in the text. */
    private record PlainEquation(Step step, int statedStart, int statedEnd) {
    }

    private static List<PlainEquation> plainEquationsAt(String text) {
        List<PlainEquation> equations = new ArrayList<>();
        Matcher right = NUMBER.matcher(text);
        for (int eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
            String left = leftExpression(text, eq);
            if (left.isEmpty() || !right.region(eq + 1, text.length()).lookingAt() || !hasOperator(left)) {
                continue;
            }
            OptionalDouble computed = ArithmeticExpression.evaluate(left);
            if (computed.isEmpty()) {
                continue;
            }
            String statedText = right.group(1);
            double stated = Double.parseDouble(statedText);
            equations.add(new PlainEquation(new Step(left, stated, computed.getAsDouble(),
                    matches(computed.getAsDouble(), stated, statedText)), right.start(1), right.end(1)));
        }
        return equations;
    }

    /** The arithmetic just before {@code eq}: digits, operators, spaces, parentheses and decimal points. */
    private static String leftExpression(String text, int eq) {
        int start = eq;
        while (start > 0) {
            char c = text.charAt(start - 1);
            boolean decimalPoint = c == '.' && start >= 2 && start < text.length()
                    && Character.isDigit(text.charAt(start - 2)) && Character.isDigit(text.charAt(start));
            if (Character.isDigit(c) || "+-*/()% ^".indexOf(c) >= 0 || decimalPoint) {
                start--;
            } else {
                break;
            }
        }
        String left = text.substring(start, eq).strip();
        // A sentence may open a parenthesis the expression never closes, or close one it never opened. Counted
        // once and cut by index: recounting and copying after each cut would be quadratic in a run of "(".
        int unclosed = count(left, '(') - count(left, ')');
        int from = 0;
        while (from < left.length() && left.charAt(from) == '(' && unclosed > 0) {
            from = skipBlanks(left, from + 1);
            unclosed--;
        }
        while (from < left.length() && ")*/+".indexOf(left.charAt(from)) >= 0) {
            from = skipBlanks(left, from + 1);
        }
        return left.substring(from);
    }

    private static int count(String s, char c) {
        return (int) s.chars().filter(ch -> ch == c).count();
    }

    private static int skipBlanks(String s, int from) {
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean hasOperator(String expression) {
        return LEADING_MINUS.matcher(expression).replaceFirst("").chars().anyMatch(c -> "+-*/^%".indexOf(c) >= 0);
    }

    private static String normalise(String text) {
        String plain = text.replace("$", "").replace('÷', '/').replace('−', '-');
        plain = THOUSANDS.matcher(plain).replaceAll("");
        return TIMES.matcher(plain).replaceAll("*");
    }

    private static Optional<Double> parse(String number) {
        Matcher matcher = NUMBER.matcher(number.replace(",", ""));
        return matcher.find() ? Optional.of(Double.parseDouble(matcher.group(1))) : Optional.empty();
    }

    static boolean close(double a, double b) {
        return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
    }

    /** Equal to a relative 1e-6, or the computed value rounded to the decimals the chain stated. */
    private static boolean matches(double computed, double stated, String statedText) {
        if (close(computed, stated)) {
            return true;
        }
        int dot = statedText.indexOf('.');
        if (dot < 0) {
            return false;
        }
        int decimals = statedText.length() - dot - 1;
        return Math.abs(computed - stated) <= 0.5 * Math.pow(10, -decimals) * (1 + 1e-9);
    }

    /**
     * One stated step.
     *
     * @param expression the left-hand side, normalised
     * @param stated     the result the chain states ({@code NaN} when it is not a number)
     * @param computed   the value of the expression ({@code NaN} when it does not parse)
     * @param correct    whether the stated result is right
     */
    public record Step(String expression, double stated, double computed, boolean correct) {
        /** @throws NullPointerException if expression is null */
        public Step {
            Objects.requireNonNull(expression, "expression");
        }
    }

    /**
     * What the verifier found in one chain.
     *
     * @param steps            the steps, in order
     * @param correctSteps     how many were right
     * @param answerConsistent whether the final answer is the result of some step
     * @param answerPlausible  whether the answer passed the whole-number check (always true when it is off)
     * @param score            the 0-10 score
     */
    public record Verification(List<Step> steps, int correctSteps, boolean answerConsistent, boolean answerPlausible,
                               double score) {
        /** @throws IllegalArgumentException if the score lies outside [0, 10] */
        public Verification {
            steps = List.copyOf(steps);
            if (!(score >= 0 && score <= 10)) {
                throw new IllegalArgumentException("score outside [0, 10]: " + score);
            }
        }
    }

    /** Builds an {@link ArithmeticVerifier}. Not thread-safe. */
    public static final class Builder {
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private double unverifiableScore = 5;
        private double inconsistentAnswerFactor = 0.5;
        private double implausibleAnswerFactor = 0.5;
        private boolean wholeNumberAnswers;

        private Builder() {
        }

        /** How the final answer is read (default {@link AnswerExtractors#numeric()}). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * The score of a chain with no checkable step (default 5).
         *
         * @throws IllegalArgumentException if outside [0, 10]
         */
        public Builder unverifiableScore(double score) {
            if (!(score >= 0 && score <= 10)) {
                throw new IllegalArgumentException("unverifiableScore must be in [0, 10], was " + score);
            }
            this.unverifiableScore = score;
            return this;
        }

        /**
         * The factor applied when the final answer is no step's result (default 0.5).
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder inconsistentAnswerFactor(double factor) {
            this.inconsistentAnswerFactor = requireFactor(factor, "inconsistentAnswerFactor");
            return this;
        }

        /**
         * The factor applied to a negative or fractional answer when {@link #wholeNumberAnswers} is on (default 0.5).
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder implausibleAnswerFactor(double factor) {
            this.implausibleAnswerFactor = requireFactor(factor, "implausibleAnswerFactor");
            return this;
        }

        /** Whether answers are counts, so a negative or fractional one is implausible (default false). */
        public Builder wholeNumberAnswers(boolean wholeNumberAnswers) {
            this.wholeNumberAnswers = wholeNumberAnswers;
            return this;
        }

        private static double requireFactor(double factor, String name) {
            if (!(factor >= 0 && factor <= 1)) {
                throw new IllegalArgumentException(name + " must be in [0, 1], was " + factor);
            }
            return factor;
        }

        /** The verifier. */
        public ArithmeticVerifier build() {
            return new ArithmeticVerifier(this);
        }
    }
}
