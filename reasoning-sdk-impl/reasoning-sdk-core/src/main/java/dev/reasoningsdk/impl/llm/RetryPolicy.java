package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.impl.internal.Arguments;
import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently a transient model-call failure is retried: exponential backoff with full jitter and
 * a cap, as in "Exponential Backoff And Jitter" (Brooker, AWS Architecture Blog, 2015). Retry {@code k} (1-based)
 * waits a uniformly random time in {@code [0, min(maxBackoff, initialBackoff * multiplier^(k-1))]}, which spreads
 * the retries of many parallel samples instead of letting them hit a rate-limited server in lock step.
 *
 * <p>Only transient failures are retried (timeouts, HTTP 408, 429, 5xx, I/O errors); see
 * {@link LlmCallException#isRetryable()}. A server's Retry-After is waited instead of the backoff when it is
 * longer, up to {@code maxBackoff}: {@link ChatModelSampler} fails a sample whose Retry-After exceeds the cap at
 * once rather than wait longer than the caller allowed. Defaults: {@value #DEFAULT_MAX_ATTEMPTS} attempts, 500 ms
 * initial backoff, 30 s cap, multiplier 2.
 *
 * @param maxAttempts    calls per sample including the first, at least 1 ({@code 1} means no retries)
 * @param initialBackoff the upper bound of the first retry's delay, not negative
 * @param maxBackoff     the cap on any retry's delay, a server's Retry-After included; at least
 *                       {@code initialBackoff}
 * @param multiplier     growth of the bound per retry, at least 1
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

    /** Default number of attempts per sample. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private static final RetryPolicy DEFAULTS = builder().build();

    /**
     * @throws IllegalArgumentException if a value is out of range (see the component descriptions)
     * @throws NullPointerException     if a duration is null
     */
    public RetryPolicy {
        Arguments.atLeast(maxAttempts, 1, "maxAttempts");
        nonNegative(initialBackoff, "initialBackoff");
        nonNegative(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") < initialBackoff ("
                    + initialBackoff + ")");
        }
        checkedMultiplier(multiplier);
    }

    private static Duration nonNegative(Duration backoff, String name) {
        Objects.requireNonNull(backoff, name);
        if (backoff.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + backoff);
        }
        return backoff;
    }

    private static double checkedMultiplier(double multiplier) {
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be finite and >= 1, was " + multiplier);
        }
        return multiplier;
    }

    /** The defaults: 3 attempts, 500 ms initial backoff, 30 s cap, multiplier 2. */
    public static RetryPolicy create() {
        return DEFAULTS;
    }

    /** One attempt per sample, never retried. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1);
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The delay before retry {@code retry} (1 for the first retry) given a uniform random number in {@code [0, 1)}:
     * {@code unitRandom * min(maxBackoff, initialBackoff * multiplier^(retry-1))}.
     *
     * @throws IllegalArgumentException if {@code retry < 1} or {@code unitRandom} is outside {@code [0, 1]}
     */
    public Duration backoff(int retry, double unitRandom) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry must be >= 1, was " + retry);
        }
        if (!(unitRandom >= 0 && unitRandom <= 1)) {
            throw new IllegalArgumentException("unitRandom must be in [0, 1], was " + unitRandom);
        }
        return Duration.ofNanos((long) (unitRandom * ceiling(retry)));
    }

    /** The upper bound of the delay before retry {@code retry}, in nanoseconds: the backoff before jitter. */
    long ceiling(int retry) {
        double bound = initialBackoff.toNanos() * Math.pow(multiplier, retry - 1.0);
        return (long) Math.min(bound, maxBackoff.toNanos());
    }

    /** Builds a {@link RetryPolicy}; unset values keep their defaults. Not thread-safe. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private double multiplier = 2;

        private Builder() {
        }

        /**
         * Calls per sample including the first (default 3).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = Arguments.atLeast(maxAttempts, 1, "maxAttempts");
            return this;
        }

        /**
         * Upper bound of the first retry's delay (default 500 ms).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = nonNegative(initialBackoff, "initialBackoff");
            return this;
        }

        /**
         * Cap on every retry's delay, a server's Retry-After included (default 30 s).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = nonNegative(maxBackoff, "maxBackoff");
            return this;
        }

        /**
         * Growth of the delay bound per retry (default 2).
         *
         * @throws IllegalArgumentException if below 1 or not finite
         */
        public Builder multiplier(double multiplier) {
            this.multiplier = checkedMultiplier(multiplier);
            return this;
        }

        /**
         * The policy.
         *
         * @throws IllegalArgumentException if the cap is below the initial backoff
         */
        public RetryPolicy build() {
            return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier);
        }
    }
}
