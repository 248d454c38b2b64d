package dev.reasoningsdk.api;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a result cost: samples drawn, model calls made (and how many of them failed, and why), replies served from a
 * cache, tokens where the provider reported them, and wall time.
 *
 * <p>Token counts are {@link #UNKNOWN_TOKENS} ({@value #UNKNOWN_TOKENS}) when at least one response did not report
 * them, so a sum is never silently low. A call that failed without any response (it threw, timed out, was
 * cancelled) adds no tokens and leaves the sum known: what a provider bills for a call it never answered is not
 * ours to guess, and counting it as unknown would hide every other call's tokens. Instances are immutable; combine
 * them with {@link #plus(Usage)}. Serializable (as a record: by its components, validated again on reading), so a
 * {@link ReasoningException} carrying one can be.
 *
 * <p>A reply served from a cache is not a model call: it counts in {@link #cacheHits()}, not in
 * {@link #modelCalls()}, so a fully cached run reports zero model calls.
 *
 * @param samples      reasoning chains or answers sampled from a model (0 when the caller supplied them)
 * @param modelCalls   model calls attempted, including retries and judge calls
 * @param failedCalls  calls that failed (every failed attempt, retried or not) or returned output that could not
 *                     be used; {@code modelCalls - failedCalls} calls produced something usable
 * @param inputTokens  prompt tokens, or {@link #UNKNOWN_TOKENS}
 * @param outputTokens generated tokens, or {@link #UNKNOWN_TOKENS}
 * @param wallTime     elapsed wall-clock time
 * @param cacheHits    replies served from a cache instead of a model call
 * @param failuresByKind the failed calls by why they failed; the counts are positive and add up to
 *                     {@code failedCalls} (kinds with no failed call are absent)
 */
public record Usage(int samples, int modelCalls, int failedCalls, long inputTokens, long outputTokens,
                    Duration wallTime, int cacheHits, Map<CallFailure, Integer> failuresByKind)
        implements Serializable {

    /** Token count meaning "not reported by at least one call". */
    public static final long UNKNOWN_TOKENS = -1;

    /** No cost at all. */
    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, Duration.ZERO);

    /**
     * @throws IllegalArgumentException if a count is negative (tokens may be {@link #UNKNOWN_TOKENS}), more calls
     *                                  failed than were made, or the failures by kind do not add up to
     *                                  {@code failedCalls}
     * @throws NullPointerException     if {@code wallTime}, {@code failuresByKind} or one of its keys or values is
     *                                  null
     */
    public Usage {
        requireNonNegative(samples, "samples");
        requireNonNegative(modelCalls, "modelCalls");
        requireNonNegative(failedCalls, "failedCalls");
        requireNonNegative(cacheHits, "cacheHits");
        if (failedCalls > modelCalls) {
            throw new IllegalArgumentException("failedCalls (" + failedCalls + ") > modelCalls (" + modelCalls + ")");
        }
        failuresByKind = normalised(failuresByKind);
        long byKind = failuresByKind.values().stream().mapToLong(Integer::longValue).sum();
        if (byKind != failedCalls) {
            throw new IllegalArgumentException("failures by kind " + failuresByKind + " add up to " + byKind
                    + ", not failedCalls (" + failedCalls + ")");
        }
        if (inputTokens < UNKNOWN_TOKENS || outputTokens < UNKNOWN_TOKENS) {
            throw new IllegalArgumentException("token counts must be >= 0 or UNKNOWN_TOKENS");
        }
        Objects.requireNonNull(wallTime, "wallTime");
        if (wallTime.isNegative()) {
            throw new IllegalArgumentException("wallTime is negative: " + wallTime);
        }
    }

    /**
     * A usage without cache hits whose failed calls have no known kind: they are filed as {@link CallFailure#OTHER}.
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Usage(int samples, int modelCalls, int failedCalls, long inputTokens, long outputTokens,
                 Duration wallTime) {
        this(samples, modelCalls, failedCalls, inputTokens, outputTokens, wallTime, 0,
                failedCalls > 0 ? Map.of(CallFailure.OTHER, failedCalls) : Map.of());
    }

    /** Only wall time, for work that called no model. */
    public static Usage ofWallTime(Duration wallTime) {
        return new Usage(0, 0, 0, 0, 0, wallTime);
    }

    /** Whether both token counts are known. */
    public boolean tokensKnown() {
        return inputTokens != UNKNOWN_TOKENS && outputTokens != UNKNOWN_TOKENS;
    }

    /** How many failed calls failed for {@code kind} (0 when none did). */
    public int failedCalls(CallFailure kind) {
        return failuresByKind.getOrDefault(Objects.requireNonNull(kind, "kind"), 0);
    }

    /**
     * The sum of this and {@code other}: counts add (cache hits and failures by kind included), an unknown token
     * count stays unknown, wall times add (use {@link #withWallTime(Duration)} when the two ran concurrently).
     */
    public Usage plus(Usage other) {
        Objects.requireNonNull(other, "other");
        Map<CallFailure, Integer> kinds = new EnumMap<>(CallFailure.class);
        kinds.putAll(failuresByKind);
        other.failuresByKind.forEach((kind, count) -> kinds.merge(kind, count, Math::addExact));
        return new Usage(samples + other.samples, modelCalls + other.modelCalls, failedCalls + other.failedCalls,
                addTokens(inputTokens, other.inputTokens), addTokens(outputTokens, other.outputTokens),
                wallTime.plus(other.wallTime), cacheHits + other.cacheHits, kinds);
    }

    /** This usage with the wall time replaced, e.g. by the elapsed time of work that overlapped. */
    public Usage withWallTime(Duration newWallTime) {
        return new Usage(samples, modelCalls, failedCalls, inputTokens, outputTokens, newWallTime, cacheHits,
                failuresByKind);
    }

    /**
     * This usage with the sample count replaced, e.g. once the caller knows which replies were samples.
     *
     * @throws IllegalArgumentException if {@code newSamples} is negative
     */
    public Usage withSamples(int newSamples) {
        return new Usage(newSamples, modelCalls, failedCalls, inputTokens, outputTokens, wallTime, cacheHits,
                failuresByKind);
    }

    /**
     * This usage with every call counted as failed for {@code kind} (those that failed already keep their kind),
     * e.g. when the replies of calls that succeeded turned out unusable.
     *
     * @throws NullPointerException if {@code kind} is null
     */
    public Usage withAllCallsFailed(CallFailure kind) {
        Objects.requireNonNull(kind, "kind");
        Map<CallFailure, Integer> kinds = new EnumMap<>(CallFailure.class);
        kinds.putAll(failuresByKind);
        if (modelCalls > failedCalls) {
            kinds.merge(kind, modelCalls - failedCalls, Math::addExact);
        }
        return new Usage(samples, modelCalls, modelCalls, inputTokens, outputTokens, wallTime, cacheHits, kinds);
    }

    /** An unmodifiable copy in kind order, without zero counts; refuses negative counts. */
    private static Map<CallFailure, Integer> normalised(Map<CallFailure, Integer> failuresByKind) {
        Objects.requireNonNull(failuresByKind, "failuresByKind");
        Map<CallFailure, Integer> copy = new EnumMap<>(CallFailure.class);
        failuresByKind.forEach((kind, count) -> {
            Objects.requireNonNull(kind, "failuresByKind's kind");
            Objects.requireNonNull(count, "failuresByKind's count of " + kind);
            if (count < 0) {
                throw new IllegalArgumentException("failed calls of kind " + kind + " must be >= 0, was " + count);
            }
            if (count > 0) {
                copy.put(kind, count);
            }
        });
        return Collections.unmodifiableMap(copy);
    }

    /**
     * {@code a + b} of two token counts: {@link #UNKNOWN_TOKENS} when either is, as {@link #plus} adds them.
     *
     * @throws ArithmeticException if the sum overflows a {@code long}
     */
    public static long addTokens(long a, long b) {
        return a == UNKNOWN_TOKENS || b == UNKNOWN_TOKENS ? UNKNOWN_TOKENS : Math.addExact(a, b);
    }

    private static void requireNonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
