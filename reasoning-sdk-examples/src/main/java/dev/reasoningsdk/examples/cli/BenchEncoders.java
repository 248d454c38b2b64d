package dev.reasoningsdk.examples.cli;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.reasoningsdk.impl.onnx.SentenceEncoder;
import java.util.List;

/** The sentence encoder the offline benchmarks use. */
final class BenchEncoders {

    private BenchEncoders() {
    }

    /** The embedded all-MiniLM-L6-v2 (quantised) encoder. */
    static SentenceEncoder defaultEncoder() {
        AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
        return new SentenceEncoder() {
            @Override
            public List<float[]> embedAll(List<String> sentences) {
                List<TextSegment> segments = sentences.stream().map(TextSegment::from).toList();
                return model.embedAll(segments).content().stream().map(Embedding::vector).toList();
            }

            @Override
            public int dimension() {
                return 384;
            }

            @Override
            public String modelId() {
                return "all-minilm-l6-v2-q@langchain4j-1.19.0-beta29";
            }
        };
    }
}
