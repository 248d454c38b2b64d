package dev.reasoningsdk.api;

/**
 * Why a piece of work ended: one vocabulary for every result that reports it. A sampled batch ends
 * {@link #COMPLETED}, {@link #BUDGET_EXHAUSTED} or {@link #CANCELLED}; an aggregation {@link #GIVEN_CHAINS_ONLY},
 * {@link #UNANIMOUS}, {@link #MARGIN_REACHED}, {@link #MAX_SAMPLES_REACHED}, {@link #BUDGET_EXHAUSTED} or
 * {@link #NO_ANSWER} (a step search behind {@code Aggregator} also {@link #COMPLETED} or {@link #CANCELLED}); a
 * prompt search {@link #COMPLETED}, {@link #EVALUATION_BUDGET}, {@link #TIME_BUDGET},
 * {@link #PATIENCE} or {@link #CANCELLED}. Each result's documentation says which it uses.
 */
public enum StopReason {
    /** All the work asked for was done: every sample attempted, every iteration run. */
    COMPLETED,
    /** Only the caller's chains were aggregated; nothing more was sampled. */
    GIVEN_CHAINS_ONLY,
    /** Every parseable chain reached the same answer, so no judging was needed. */
    UNANIMOUS,
    /** The winner led the runner-up by at least the termination margin. */
    MARGIN_REACHED,
    /** The maximum number of samples was drawn. */
    MAX_SAMPLES_REACHED,
    /** A call, token or time budget (or the deadline) ran out; the result uses what was gathered. */
    BUDGET_EXHAUSTED,
    /** A prompt search spent its evaluation (model call) budget. */
    EVALUATION_BUDGET,
    /** A prompt search spent its wall-time budget. */
    TIME_BUDGET,
    /** A prompt search saw no improvement for the configured number of iterations. */
    PATIENCE,
    /** No chain had a parseable answer. */
    NO_ANSWER,
    /** The caller cancelled. */
    CANCELLED
}
