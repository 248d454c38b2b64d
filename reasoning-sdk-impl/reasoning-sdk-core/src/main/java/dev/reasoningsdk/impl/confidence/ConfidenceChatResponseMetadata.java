package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.Arguments;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import java.util.Objects;

/**
 * The metadata of a {@link ConfidenceGatedChatModel} response: the usual id, model name, token usage and finish
 * reason, plus the confidence estimate, the calibrated confidence, whether the answer was refused, the threshold,
 * and the whole cost. Read it with {@code (ConfidenceChatResponseMetadata) response.metadata()}.
 */
public final class ConfidenceChatResponseMetadata extends ChatResponseMetadata {

    private final ConfidenceEstimate estimate;
    private final double calibratedConfidence;
    private final boolean refused;
    private final double threshold;
    private final Usage usage;

    private ConfidenceChatResponseMetadata(Builder builder) {
        super(builder);
        this.estimate = Objects.requireNonNull(builder.estimate, "estimate");
        this.calibratedConfidence = builder.calibratedConfidence;
        this.refused = builder.refused;
        this.threshold = builder.threshold;
        this.usage = Objects.requireNonNull(builder.usage, "usage");
    }

    /** A new builder; the estimate is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The estimator's estimate, with its raw confidence, signals and rationale. */
    public ConfidenceEstimate estimate() {
        return estimate;
    }

    /** The confidence after calibration, the one compared with the threshold. */
    public double confidence() {
        return calibratedConfidence;
    }

    /** The rationale behind the confidence. */
    public String rationale() {
        return estimate.rationale();
    }

    /** Whether the model abstained. */
    public boolean refused() {
        return refused;
    }

    /** The refusal threshold in force. */
    public double threshold() {
        return threshold;
    }

    /** Samples, calls, failures, tokens and wall time of the whole gated call. */
    public Usage usage() {
        return usage;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConfidenceChatResponseMetadata that && super.equals(that)
                && estimate.equals(that.estimate) && calibratedConfidence == that.calibratedConfidence
                && refused == that.refused && threshold == that.threshold && usage.equals(that.usage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), estimate, calibratedConfidence, refused, threshold);
    }

    @Override
    public String toString() {
        return "ConfidenceChatResponseMetadata{confidence=" + calibratedConfidence + ", refused=" + refused
                + ", threshold=" + threshold + ", rationale=" + estimate.rationale() + ", " + super.toString() + "}";
    }

    /** Builds the metadata. Not thread-safe. */
    public static final class Builder extends ChatResponseMetadata.Builder<Builder> {
        private ConfidenceEstimate estimate;
        private double calibratedConfidence;
        private boolean refused;
        private double threshold;
        private Usage usage = Usage.NONE;

        private Builder() {
        }

        /** The estimate. */
        public Builder estimate(ConfidenceEstimate estimate) {
            this.estimate = Objects.requireNonNull(estimate, "estimate");
            return this;
        }

        /**
         * The calibrated confidence.
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder calibratedConfidence(double calibratedConfidence) {
            this.calibratedConfidence = Arguments.probability(calibratedConfidence, "calibratedConfidence");
            return this;
        }

        /** Whether the answer was refused. */
        public Builder refused(boolean refused) {
            this.refused = refused;
            return this;
        }

        /**
         * The refusal threshold.
         *
         * @throws IllegalArgumentException if outside [0, 1]
         */
        public Builder threshold(double threshold) {
            this.threshold = Arguments.probability(threshold, "threshold");
            return this;
        }

        /** The whole cost. */
        public Builder usage(Usage usage) {
            this.usage = Objects.requireNonNull(usage, "usage");
            return this;
        }

        @Override
        public ConfidenceChatResponseMetadata build() {
            return new ConfidenceChatResponseMetadata(this);
        }
    }
}
