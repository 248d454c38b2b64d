/**
 * Gradient-free prompt optimisation: {@link dev.reasoningsdk.api.prompt.PromptOptimizer}, the caller's
 * {@link dev.reasoningsdk.api.prompt.PromptObjective}, and the search result.
 */
package dev.reasoningsdk.api.prompt;
