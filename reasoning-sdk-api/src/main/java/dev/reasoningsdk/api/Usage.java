package dev.reasoningsdk.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What a result cost: samples drawn, model calls made (and how many of them failed), tokens where the provider
 * reported them, and wall time.
 *
 * <p>Token counts are {@link #UNKNOWN_TOKENS} ({@value #UNKNOWN_TOKENS}) when at least one contributing call did
 * not report them, so a sum is never silently low. Instances are immutable; combine them with {@link #plus(Usage)}.
 *
 * @param samples      reasoning chains or answers sampled from a model (0 when the caller supplied them)
 * @param modelCalls   model calls attempted, including retries and judge calls
 * @param failedCalls  calls that failed (every failed attempt, retried or not) or returned output that could not
 *                     be used; {@code modelCalls - failedCalls} calls produced something usable
 * @param inputTokens  prompt tokens, or {@link #UNKNOWN_TOKENS}
 * @param outputTokens generated tokens, or {@link #UNKNOWN_TOKENS}
 * @param wallTime     elapsed wall-clock time
 */
public record Usage(int samples, int modelCalls, int failedCalls, long inputTokens, long outputTokens,
                    Duration wallTime) {

    /** Token count meaning "not reported by at least one call". */
    public static final long UNKNOWN_TOKENS = -1;

    /** No cost at all. */
    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, Duration.ZERO);

    /**
     * @throws IllegalArgumentException if a count is negative (tokens may be {@link #UNKNOWN_TOKENS}), or more
     *                                  calls failed than were made
     */
    public Usage {
        requireNonNegative(samples, "samples");
        requireNonNegative(modelCalls, "modelCalls");
        requireNonNegative(failedCalls, "failedCalls");
        if (failedCalls > modelCalls) {
            throw new IllegalArgumentException("failedCalls (" + failedCalls + ") > modelCalls (" + modelCalls + ")");
        }
        if (inputTokens < UNKNOWN_TOKENS || outputTokens < UNKNOWN_TOKENS) {
            throw new IllegalArgumentException("token counts must be >= 0 or UNKNOWN_TOKENS");
        }
        Objects.requireNonNull(wallTime, "wallTime");
        if (wallTime.isNegative()) {
            throw new IllegalArgumentException("wallTime is negative: " + wallTime);
        }
    }

    /** Only wall time, for work that called no model. */
    public static Usage ofWallTime(Duration wallTime) {
        return new Usage(0, 0, 0, 0, 0, wallTime);
    }

    /** Whether both token counts are known. */
    public boolean tokensKnown() {
        return inputTokens != UNKNOWN_TOKENS && outputTokens != UNKNOWN_TOKENS;
    }

    /**
     * The sum of this and {@code other}: counts add, an unknown token count stays unknown, wall times add (use
     * {@link #withWallTime(Duration)} when the two ran concurrently).
     */
    public Usage plus(Usage other) {
        Objects.requireNonNull(other, "other");
        return new Usage(samples + other.samples, modelCalls + other.modelCalls, failedCalls + other.failedCalls,
                addTokens(inputTokens, other.inputTokens), addTokens(outputTokens, other.outputTokens),
                wallTime.plus(other.wallTime));
    }

    /** This usage with the wall time replaced, e.g. by the elapsed time of work that overlapped. */
    public Usage withWallTime(Duration newWallTime) {
        return new Usage(samples, modelCalls, failedCalls, inputTokens, outputTokens, newWallTime);
    }

    private static long addTokens(long a, long b) {
        return a == UNKNOWN_TOKENS || b == UNKNOWN_TOKENS ? UNKNOWN_TOKENS : Math.addExact(a, b);
    }

    private static void requireNonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
