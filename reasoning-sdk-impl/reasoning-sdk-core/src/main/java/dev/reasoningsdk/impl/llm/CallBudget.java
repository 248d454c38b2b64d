package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.impl.internal.Arguments;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The limits of one {@link CallScope}: the most model calls (retries included, cache hits not), the most input
 * plus output tokens, and the longest time from the scope's opening, retries and waits included. A
 * {@link ModelGateway}'s {@link ModelGateway#budget()} is the budget of each scope it opens by default; a technique
 * narrows it with the {@code with} methods for one run.
 *
 * @param maxCalls  the most model calls, at least 1 ({@link Integer#MAX_VALUE}: unlimited)
 * @param maxTokens the most input plus output tokens, checked before each call, at least 1
 *                  ({@link Long#MAX_VALUE}: unlimited)
 * @param deadline  the longest a scope may take, positive; empty for none
 */
public record CallBudget(int maxCalls, long maxTokens, Optional<Duration> deadline) {

    private static final CallBudget UNLIMITED = new CallBudget(Integer.MAX_VALUE, Long.MAX_VALUE, Optional.empty());

    /**
     * @throws IllegalArgumentException if a limit is below 1 or the deadline is not positive
     * @throws NullPointerException     if {@code deadline} is null
     */
    public CallBudget {
        Arguments.atLeast(maxCalls, 1, "maxCalls");
        Arguments.atLeast(maxTokens, 1L, "maxTokens");
        Objects.requireNonNull(deadline, "deadline").ifPresent(d -> Arguments.positive(d, "deadline"));
    }

    /** No limit on calls, tokens or time. */
    public static CallBudget unlimited() {
        return UNLIMITED;
    }

    /**
     * This budget with at most {@code newMaxCalls} calls.
     *
     * @throws IllegalArgumentException if below 1
     */
    public CallBudget withMaxCalls(int newMaxCalls) {
        return new CallBudget(newMaxCalls, maxTokens, deadline);
    }

    /**
     * This budget with at most {@code newMaxTokens} tokens.
     *
     * @throws IllegalArgumentException if below 1
     */
    public CallBudget withMaxTokens(long newMaxTokens) {
        return new CallBudget(maxCalls, newMaxTokens, deadline);
    }

    /**
     * This budget with a deadline of {@code newDeadline} from the scope's opening.
     *
     * @throws IllegalArgumentException if not positive
     */
    public CallBudget withDeadline(Duration newDeadline) {
        return new CallBudget(maxCalls, maxTokens, Optional.of(Arguments.positive(newDeadline, "deadline")));
    }
}
