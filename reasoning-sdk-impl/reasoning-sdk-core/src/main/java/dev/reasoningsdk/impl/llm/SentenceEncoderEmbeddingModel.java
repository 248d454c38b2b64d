package dev.reasoningsdk.impl.llm;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.util.List;
import java.util.Objects;

/**
 * A {@link SentenceEncoder} seen as a LangChain4j {@link EmbeddingModel}, so that our encoders plug into LangChain4j
 * embedding stores and retrievers. One class cannot be both: {@code SentenceEncoder.embed(String)} returns a
 * {@code float[]} where {@code EmbeddingModel.embed(String)} returns a {@code Response}, and the two
 * {@code embedAll(List)} methods erase to the same signature.
 *
 * <p>Thread-safe when the encoder is. {@link #embedAll(List)} is one batched encoder call; the {@code Response}
 * carries no token usage. {@link #modelName()} is the encoder's {@link SentenceEncoder#modelId()}.
 */
public final class SentenceEncoderEmbeddingModel implements EmbeddingModel {

    private final SentenceEncoder encoder;

    private SentenceEncoderEmbeddingModel(SentenceEncoder encoder) {
        this.encoder = encoder;
    }

    /** Wraps {@code encoder}; closing stays the encoder owner's business. */
    public static SentenceEncoderEmbeddingModel of(SentenceEncoder encoder) {
        return new SentenceEncoderEmbeddingModel(Objects.requireNonNull(encoder, "encoder"));
    }

    /** The wrapped encoder. */
    public SentenceEncoder encoder() {
        return encoder;
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> textSegments) {
        Objects.requireNonNull(textSegments, "textSegments");
        List<String> texts = textSegments.stream().map(segment -> Objects.requireNonNull(segment, "segment").text())
                .toList();
        return Response.from(encoder.embedAll(texts).stream().map(Embedding::from).toList());
    }

    @Override
    public int dimension() {
        return encoder.dimension();
    }

    @Override
    public String modelName() {
        return encoder.modelId();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public String toString() {
        return "SentenceEncoderEmbeddingModel[" + encoder.modelId() + "]";
    }
}
