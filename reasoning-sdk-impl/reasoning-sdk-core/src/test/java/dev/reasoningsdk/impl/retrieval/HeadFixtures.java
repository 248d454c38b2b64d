package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.retrieval.CriterionKind;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.util.Arrays;
import java.util.List;

/** Hand-made heads for tests. */
public final class HeadFixtures {

    private HeadFixtures() {
    }

    public static HeadProvenance provenance() {
        return new HeadProvenance("test.jsonl", "00", "text", "label", 10, 8, 2, 42, 0.2, 0.01,
                new BinaryMetrics(2, 1, 1, 1, 1, 0.5, 1.0 / 3));
    }

    /** A head whose probability is sigmoid(bias) for every input. */
    public static LinearHead constantHead(CriterionKind kind, SentenceEncoder encoder, double bias) {
        int d = encoder.dimension();
        float[] ones = new float[d];
        Arrays.fill(ones, 1);
        return new LinearHead(kind, encoder.modelId(), new float[d], ones, new float[d], bias, provenance());
    }

    /** A constant head that reads the embedding and the mean-pooled {@code layers}. */
    public static LinearHead constantHead(CriterionKind kind, SentenceEncoder encoder, double bias, Integer... layers) {
        int d = encoder.dimension() * (1 + layers.length);
        float[] ones = new float[d];
        Arrays.fill(ones, 1);
        return new LinearHead(kind, encoder.modelId(), new float[d], ones, new float[d], bias, List.of(layers),
                List.of(), provenance());
    }
}
