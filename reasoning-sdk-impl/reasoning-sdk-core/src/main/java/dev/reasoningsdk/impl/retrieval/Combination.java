package dev.reasoningsdk.impl.retrieval;

/**
 * How a matched rule's probability and a head's probability are combined into one. {@link #MAX} and
 * {@link #NOISY_OR} only ever add evidence that the criterion holds; {@link #RULE_FIRST} lets a rule overrule the
 * head either way, for rules that say a criterion does not hold (e.g. {@link RuleCriterion#selfContainedTask()}).
 */
public enum Combination {
    /** The larger of the two: a matched rule sets a floor under the head. */
    MAX {
        @Override
        double combine(double rule, double head) {
            return Math.max(rule, head);
        }
    },
    /**
     * {@code 1 - (1 - rule)(1 - head)}: the two as independent pieces of evidence, so a matched rule and a confident
     * head reinforce each other.
     */
    NOISY_OR {
        @Override
        double combine(double rule, double head) {
            return 1 - (1 - rule) * (1 - head);
        }
    },
    /** The rule's probability: a matched rule overrules the head. */
    RULE_FIRST {
        @Override
        double combine(double rule, double head) {
            return rule;
        }
    };

    /** The combined probability. */
    abstract double combine(double rule, double head);
}
