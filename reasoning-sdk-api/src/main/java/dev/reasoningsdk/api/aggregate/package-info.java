/**
 * Answer aggregation over several reasoning chains: {@link dev.reasoningsdk.api.aggregate.Aggregator}, its result
 * types, and the {@link dev.reasoningsdk.api.aggregate.ChainScorer} judge SPI used by Aggregation of Reasoning.
 */
package dev.reasoningsdk.api.aggregate;
