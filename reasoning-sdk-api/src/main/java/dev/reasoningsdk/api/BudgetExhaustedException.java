package dev.reasoningsdk.api;

/**
 * Thrown when a configured budget (model calls, tokens or wall time) runs out before any usable result exists.
 * Where partial work is usable, results report the exhausted budget as their stop reason instead of throwing.
 */
public final class BudgetExhaustedException extends ReasoningException {
    private static final long serialVersionUID = 1L;
    private final transient Usage usage;

    /** @param usage what was spent before the budget ran out */
    public BudgetExhaustedException(String message, Usage usage) {
        super(message);
        this.usage = usage;
    }

    /** What was spent before the budget ran out. */
    public Usage usage() {
        return usage;
    }
}
