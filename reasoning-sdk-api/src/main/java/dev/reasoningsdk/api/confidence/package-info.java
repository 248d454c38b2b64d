/**
 * Confidence for answers: {@link dev.reasoningsdk.api.confidence.ConfidenceEstimator}, its estimate and the
 * {@link dev.reasoningsdk.api.confidence.Calibrator} that makes the numbers mean what they say.
 */
package dev.reasoningsdk.api.confidence;
