package dev.reasoningsdk.impl.retrieval;

import dev.reasoningsdk.api.model.EncodedSentence;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** A bag-of-words hashing encoder for tests: deterministic, unit-length, and counts its passes. */
public class FakeEncoder implements SentenceEncoder {

    private final String modelId;
    private final int dimension;
    final AtomicInteger passes = new AtomicInteger();
    /** The thread of each pass, by name. */
    final List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FakeEncoder(String modelId, int dimension) {
        this.modelId = modelId;
        this.dimension = dimension;
    }

    public FakeEncoder() {
        this("fake-encoder@1", 32);
    }

    /** The layers of each {@link #encodeAll(List, Set)} call. */
    final List<Set<Integer>> layerRequests = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Pools "layers" 0 to 3: layer k's mean is the embedding times k + 1, so a head can tell them apart. */
    @Override
    public int poolableLayers() {
        return 4;
    }

    @Override
    public List<EncodedSentence> encodeAll(List<String> sentences, Set<Integer> pooledLayers) {
        layerRequests.add(Set.copyOf(pooledLayers));
        List<EncodedSentence> encoded = new ArrayList<>();
        for (float[] embedding : embedAll(sentences)) {
            Map<Integer, float[]> layerMeans = new HashMap<>();
            for (int layer : pooledLayers) {
                if (layer >= poolableLayers()) {
                    throw new IllegalArgumentException("layer " + layer);
                }
                float[] mean = embedding.clone();
                for (int d = 0; d < mean.length; d++) {
                    mean[d] *= layer + 1;
                }
                layerMeans.put(layer, mean);
            }
            encoded.add(new EncodedSentence(embedding, layerMeans));
        }
        return encoded;
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
