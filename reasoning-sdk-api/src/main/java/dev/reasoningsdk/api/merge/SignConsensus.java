package dev.reasoningsdk.api.merge;

/**
 * How TIES elects the sign of each parameter before averaging the task-vector entries that agree with it (mergekit's
 * {@code consensus_method}).
 */
public enum SignConsensus {
    /** The sign of the sum of the weighted entries (the TIES paper's rule): large entries weigh more. */
    SUM,
    /** The sign held by more models, each counting once; ties go to positive. */
    COUNT
}
