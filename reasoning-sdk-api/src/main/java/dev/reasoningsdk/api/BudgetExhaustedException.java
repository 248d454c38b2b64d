package dev.reasoningsdk.api;

/**
 * A configured budget (model calls, tokens, evaluations or wall time) ran out before any usable result existed: an
 * aggregator's sampler stopped on its budget without one chain, or a prompt search's budget ended before its initial
 * prompt was scored. Where partial work is usable, results report the exhausted budget as their stop reason
 * instead ({@code StopReason.BUDGET_EXHAUSTED}, {@code EVALUATION_BUDGET}, {@code TIME_BUDGET}).
 *
 * <p>Retryable: every call starts with a fresh budget, and what spent this one (failed calls, a slow provider) may
 * have passed; a budget too small for a single result fails again and should be raised instead.
 */
public final class BudgetExhaustedException extends ReasoningException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what ran out, and what was being done
     * @param usage   what was spent before the budget ran out, {@link #usage()}
     * @throws NullPointerException if {@code usage} is null
     */
    public BudgetExhaustedException(String message, Usage usage) {
        super(message, null, true, usage);
    }
}
