package dev.reasoningsdk.impl.retrieval;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.reasoningsdk.impl.onnx.SentenceEncoder;
import java.util.List;
import java.util.Objects;

/**
 * Our {@link SentenceEncoder} as a LangChain4j {@link EmbeddingModel}, so an embedding store and its
 * {@code EmbeddingStoreContentRetriever} run on the same encoder as the retrieval judge's heads. Thread-safe when the
 * encoder is.
 */
public final class SentenceEncoderEmbeddingModel implements EmbeddingModel {

    private final SentenceEncoder encoder;

    /** Wraps {@code encoder}. */
    public SentenceEncoderEmbeddingModel(SentenceEncoder encoder) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        List<float[]> vectors = encoder.embedAll(segments.stream().map(TextSegment::text).toList());
        return Response.from(vectors.stream().map(Embedding::from).toList());
    }

    @Override
    public int dimension() {
        return encoder.dimension();
    }

    @Override
    public String modelName() {
        return encoder.modelId();
    }
}
