package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.impl.onnx.SentenceEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** A bag-of-words hashing encoder for tests: deterministic, unit-length, and counts its passes. */
final class FakeEncoder implements SentenceEncoder {

    private final String modelId;
    private final int dimension;
    final AtomicInteger passes = new AtomicInteger();
    /** The thread of each pass, by name. */
    final List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeEncoder(String modelId, int dimension) {
        this.modelId = modelId;
        this.dimension = dimension;
    }

    FakeEncoder() {
        this("fake-encoder@1", 32);
    }

    @Override
    public List<float[]> embedAll(List<String> sentences) {
        passes.incrementAndGet();
        threads.add(Thread.currentThread().getName());
        List<float[]> vectors = new ArrayList<>();
        for (String sentence : sentences) {
            float[] vector = new float[dimension];
            for (String word : sentence.toLowerCase(Locale.ROOT).split("\\W+")) {
                if (!word.isEmpty()) {
                    vector[Math.floorMod(word.hashCode(), dimension)] += 1;
                }
            }
            double norm = 0;
            for (float v : vector) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < dimension && norm > 0; i++) {
                vector[i] /= (float) norm;
            }
            vectors.add(vector);
        }
        return vectors;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String modelId() {
        return modelId;
    }
}
