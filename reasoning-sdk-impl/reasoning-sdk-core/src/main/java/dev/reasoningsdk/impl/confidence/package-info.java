/**
 * Confidence estimators (sampling consistency, verbalized SaySelf-style confidence, token probability with
 * R-Tuning's "I am sure" score, a learned logistic combiner), the metrics that judge them (ECE, Brier, AUROC,
 * average precision, risk-coverage), calibrators that make their numbers mean what they say (Platt, isotonic,
 * temperature; JSON-serialisable), and refusal: a threshold policy and a {@code ChatModel} decorator that answers
 * with a confidence and a rationale or says "I don't know".
 */
package dev.reasoningsdk.impl.confidence;
