package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.ReplyWindow;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The arithmetic verifier ({@link ArithmeticVerifier}) as a process reward: a step's reward is the share of the
 * equations it states ({@code 21-5=16}, {@code <<48/2=24>>}) whose stated result is right. The step that ends a chain
 * is also checked for consistency: when the chain stated any equation, its final answer must be the result of one of
 * them, or the reward is multiplied by {@code inconsistentAnswerFactor} (default 0, since a step search can always
 * try another ending). A step with no equation (prose, a plan) gets {@code unverifiableReward} (default 1: no sign
 * of error, so steps are ranked by the errors found in them).
 *
 * <p>Steps are read from their first {@value ReplyWindow#MAX_CHARS} characters, as the verifier reads a chain.
 * Immutable and thread-safe.
 */
public final class ArithmeticStepReward implements ProcessReward {

    private final AnswerExtractor extractor;
    private final double unverifiableReward;
    private final double inconsistentAnswerFactor;
    private final double groundingFactor;

    private ArithmeticStepReward(Builder builder) {
        this.extractor = builder.extractor;
        this.unverifiableReward = builder.unverifiableReward;
        this.inconsistentAnswerFactor = builder.inconsistentAnswerFactor;
        this.groundingFactor = builder.groundingFactor;
    }

    /** The reward with its defaults and the numeric answer extractor. */
    public static ArithmeticStepReward create() {
        return builder().build();
    }

    /** A builder for non-default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** @throws IllegalArgumentException if {@code steps} is empty */
    @Override
    public double scoreStep(String question, List<String> steps, boolean complete) {
        Objects.requireNonNull(question, "question");
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("steps must hold at least one step");
        }
        String last = steps.get(steps.size() - 1);
        List<ArithmeticVerifier.Step> equations = ArithmeticVerifier.steps(ReplyWindow.head(last));
        double reward = equations.isEmpty() ? unverifiableReward
                : (double) equations.stream().filter(ArithmeticVerifier.Step::correct).count() / equations.size();
        if (complete && !consistent(steps)) {
            reward *= inconsistentAnswerFactor;
        }
        if (groundingFactor < 1 && !grounded(question, steps, complete)) {
            reward *= groundingFactor;
        }
        return reward;
    }

    /**
     * Whether every operand of the newest step's equations is supplied: a number the question states and no earlier
     * operand used up, or the result of an earlier equation; and, for a finished chain, whether every number the
     * question states was used and the answer is the last equation's result.
     */
    private boolean grounded(String question, List<String> steps, boolean complete) {
        List<Double> unused = QuestionNumbers.of(question);
        List<Double> results = new ArrayList<>();
        double last = Double.NaN;
        for (int i = 0; i < steps.size(); i++) {
            for (ArithmeticVerifier.Step equation : ArithmeticVerifier.steps(ReplyWindow.head(steps.get(i)))) {
                for (double operand : QuestionNumbers.operands(equation.expression())) {
                    // A number the question still holds is used up first, so a later use of it must be a result.
                    boolean stated = QuestionNumbers.removeClose(unused, operand);
                    if (!stated && results.stream().noneMatch(r -> ArithmeticVerifier.close(r, operand))
                            && i == steps.size() - 1) {
                        return false;
                    }
                }
                results.add(equation.stated());
                last = equation.stated();
            }
        }
        if (!complete || results.isEmpty()) {
            return true;
        }
        Optional<Double> answer = extractor.extract(steps.get(steps.size() - 1)).flatMap(QuestionNumbers::parse);
        return unused.isEmpty() && answer.isPresent() && ArithmeticVerifier.close(answer.get(), last);
    }

    /** Whether the chain's answer is the stated result of one of its equations (true when it states none). */
    private boolean consistent(List<String> steps) {
        List<ArithmeticVerifier.Step> all = steps.stream()
                .flatMap(step -> ArithmeticVerifier.steps(ReplyWindow.head(step)).stream()).toList();
        if (all.isEmpty()) {
            return true;
        }
        Optional<String> answer = extractor.extract(steps.get(steps.size() - 1));
        if (answer.isEmpty()) {
            return false;
        }
        double value;
        try {
            value = Double.parseDouble(answer.get());
        } catch (NumberFormatException notANumber) {
            return false;
        }
        return all.stream().anyMatch(step -> ArithmeticVerifier.close(step.stated(), value));
    }

    /** {@code "arithmetic"}. */
    @Override
    public String name() {
        return "arithmetic";
    }

    /** Builds an {@link ArithmeticStepReward}. Not thread-safe. */
    public static final class Builder {
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private double unverifiableReward = 1;
        private double inconsistentAnswerFactor = 0;
        private double groundingFactor = 1;

        private Builder() {
        }

        /** How the final answer is read (default {@link AnswerExtractors#numeric()}). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * The reward of a step that states no equation (default 1).
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder unverifiableReward(double reward) {
            this.unverifiableReward = Arguments.probability(reward, "unverifiableReward");
            return this;
        }

        /**
         * The factor applied to the last step when the final answer is no equation's result (default 0).
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder inconsistentAnswerFactor(double factor) {
            this.inconsistentAnswerFactor = Arguments.probability(factor, "inconsistentAnswerFactor");
            return this;
        }

        /**
         * The factor applied to a step whose equations take a number the question does not supply (default 1: no
         * check). A step's operands must each be a number the question states and no earlier operand used up (as
         * digits; the denominator of a unit fraction such as {@code 1/4}; 2 for half, halves, double, doubles or
         * twice; 3 for triple, triples or thrice), or the result of an earlier equation; the step that ends a chain
         * must also find every number of the question used and answer the last equation's result. Suited to word
         * problems that state each number once per use (the tiny reasoner's problems): on GSM8K a chain may need
         * a number the question only implies (60 minutes in an hour), so a factor below 1 would wrongly doubt it.
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder groundingFactor(double factor) {
            this.groundingFactor = Arguments.probability(factor, "groundingFactor");
            return this;
        }

        /** The reward. */
        public ArithmeticStepReward build() {
            return new ArithmeticStepReward(this);
        }
    }
}
