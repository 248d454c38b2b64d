package dev.reasoningsdk.impl.internal;

import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.Usage;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs a component (a scorer, an estimator, a weigher) inside an operation that already made model calls, so that
 * the component's refusal for want of token log-probabilities carries the operation's calls as well as its own:
 * the component counts only what it spent, and the caller's sampling was billed all the same. Not API.
 */
public final class SpentBefore {

    private SpentBefore() {
    }

    /**
     * {@code work}'s value; a {@link LogProbsUnavailableException} it throws is re-thrown with {@code spent} added to
     * the usage it carried (once: the component's own usage is its calls alone).
     *
     * @param spent what the calling operation spent before it ran {@code work}
     */
    public static <T> T addedToRefusal(Usage spent, Supplier<T> work) {
        Objects.requireNonNull(spent, "spent");
        try {
            return work.get();
        } catch (LogProbsUnavailableException refused) {
            throw new LogProbsUnavailableException(refused.model(), refused.missing(), spent.plus(refused.usage()));
        }
    }
}
