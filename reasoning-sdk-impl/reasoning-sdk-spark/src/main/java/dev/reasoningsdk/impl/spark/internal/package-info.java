/** Helpers of the Spark artifact: the per-JVM resource store, call pools, partition plumbing. Not API. */
package dev.reasoningsdk.impl.spark.internal;
