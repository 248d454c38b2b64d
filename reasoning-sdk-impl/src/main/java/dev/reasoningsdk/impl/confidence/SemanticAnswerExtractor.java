package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.llm.AnswerExtractor;
import dev.reasoningsdk.impl.onnx.SentenceEncoder;
import java.util.Objects;
import java.util.Optional;

/**
 * Groups free-text answers by meaning: extraction is delegated, and two answers are equivalent when they are equal
 * under the delegate or their sentence embeddings have a cosine similarity of at least the threshold (semantic
 * clustering, as in semantic-uncertainty work, Kuhn et al., 2023). Thread-safe when the encoder is.
 */
public final class SemanticAnswerExtractor implements AnswerExtractor {

    private final AnswerExtractor delegate;
    private final SentenceEncoder encoder;
    private final double threshold;

    /**
     * @param delegate  extracts and normalises the answer
     * @param encoder   embeds answers
     * @param threshold cosine similarity at or above which answers are the same, in (0, 1]; 0.85 is a usual value
     * @throws IllegalArgumentException if the threshold is outside (0, 1]
     */
    public SemanticAnswerExtractor(AnswerExtractor delegate, SentenceEncoder encoder, double threshold) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], was " + threshold);
        }
        this.threshold = threshold;
    }

    @Override
    public Optional<String> extract(String response) {
        return delegate.extract(response);
    }

    @Override
    public boolean equivalent(String first, String second) {
        return delegate.equivalent(first, second)
                || SentenceEncoder.cosine(encoder.embed(first), encoder.embed(second)) >= threshold;
    }
}
