package dev.reasoningsdk.api.aggregate;

/** Why an aggregation stopped. */
public enum StopReason {
    /** Only the caller's chains were aggregated; nothing more was sampled. */
    GIVEN_CHAINS_ONLY,
    /** Every parseable chain reached the same answer, so no judging was needed. */
    UNANIMOUS,
    /** The winner led the runner-up by at least the termination margin. */
    MARGIN_REACHED,
    /** The maximum number of samples was drawn. */
    MAX_SAMPLES_REACHED,
    /** A call, token or time budget ran out; the result uses what was gathered. */
    BUDGET_EXHAUSTED,
    /** No chain had a parseable answer. */
    NO_ANSWER
}
