/**
 * Merging model checkpoints: {@link dev.reasoningsdk.api.merge.ModelMerger}, the
 * {@link dev.reasoningsdk.api.merge.MergePlan} it runs, and its report.
 */
package dev.reasoningsdk.api.merge;
