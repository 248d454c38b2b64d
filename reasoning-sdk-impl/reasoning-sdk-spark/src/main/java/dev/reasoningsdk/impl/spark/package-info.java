/**
 * Batch work on Apache Spark 4: Spark ML transformers for the retrieval judge ({@link
 * dev.reasoningsdk.impl.spark.RetrievalJudgeTransformer}) and confidence ({@link
 * dev.reasoningsdk.impl.spark.ConfidenceTransformer}), per-question chain aggregation ({@link
 * dev.reasoningsdk.impl.spark.ChainAggregation}), a prompt-search generation evaluator ({@link
 * dev.reasoningsdk.impl.spark.SparkCandidateEvaluator}), models built once per executor JVM ({@link
 * dev.reasoningsdk.impl.spark.ExecutorResource}) and job-wide call limits for remote models ({@link
 * dev.reasoningsdk.impl.spark.CallLimits}, {@link dev.reasoningsdk.impl.spark.JobLimitedChatModel}). Model merging
 * is not here: it is I/O bound and stays on one machine.
 */
package dev.reasoningsdk.impl.spark;
