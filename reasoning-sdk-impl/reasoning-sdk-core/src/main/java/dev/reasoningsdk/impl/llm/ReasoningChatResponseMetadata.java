package dev.reasoningsdk.impl.llm;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Response metadata that every provider adapter of the SDK can produce and every technique can read without
 * importing a provider: the usual id, model name, token usage and finish reason, plus the generated tokens'
 * log-probabilities (when the server returned them) and whether the response was replayed from a cache.
 *
 * <p>Provider artifacts translate their own metadata into this one (the OpenAI-compatible artifact does so for
 * {@code logprobs}); the LM-call cache stores and replays it. Read it with {@link #tokenLogProbs(ChatResponse)} and
 * {@link #isCacheHit(ChatResponse)}, which accept any response.
 */
public final class ReasoningChatResponseMetadata extends ChatResponseMetadata {

    private final List<TokenLogProb> tokenLogProbs;
    private final boolean cacheHit;

    private ReasoningChatResponseMetadata(Builder builder) {
        super(builder);
        this.tokenLogProbs = builder.tokenLogProbs == null ? null : List.copyOf(builder.tokenLogProbs);
        this.cacheHit = builder.cacheHit;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding {@code metadata}'s id, model name, token usage and finish reason. */
    public static Builder builderFrom(ChatResponseMetadata metadata) {
        Builder builder = new Builder();
        if (metadata != null) {
            builder.id(metadata.id()).modelName(metadata.modelName()).tokenUsage(metadata.tokenUsage())
                    .finishReason(metadata.finishReason());
            if (metadata instanceof ReasoningChatResponseMetadata ours) {
                builder.tokenLogProbs(ours.tokenLogProbs).cacheHit(ours.cacheHit);
            }
        }
        return builder;
    }

    /** The generated tokens with their log-probabilities, in order; empty when the server returned none. */
    public Optional<List<TokenLogProb>> tokenLogProbs() {
        return Optional.ofNullable(tokenLogProbs);
    }

    /** Whether this response was replayed from a cache rather than produced by a model call. */
    public boolean cacheHit() {
        return cacheHit;
    }

    /** The token log-probabilities of any response: empty unless its metadata is of this type and holds them. */
    public static Optional<List<TokenLogProb>> tokenLogProbs(ChatResponse response) {
        return response != null && response.metadata() instanceof ReasoningChatResponseMetadata ours
                ? ours.tokenLogProbs() : Optional.empty();
    }

    /** Whether any response was replayed from a cache. */
    public static boolean isCacheHit(ChatResponse response) {
        return response != null && response.metadata() instanceof ReasoningChatResponseMetadata ours
                && ours.cacheHit;
    }

    @Override
    public Builder toBuilder() {
        return builderFrom(this);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReasoningChatResponseMetadata that && super.equals(that)
                && Objects.equals(tokenLogProbs, that.tokenLogProbs) && cacheHit == that.cacheHit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), tokenLogProbs, cacheHit);
    }

    @Override
    public String toString() {
        return "ReasoningChatResponseMetadata{id=" + id() + ", modelName=" + modelName() + ", tokenUsage="
                + tokenUsage() + ", finishReason=" + finishReason() + ", tokenLogProbs="
                + (tokenLogProbs == null ? "none" : tokenLogProbs.size() + " tokens") + ", cacheHit=" + cacheHit
                + "}";
    }

    /** Builds a {@link ReasoningChatResponseMetadata}. Not thread-safe. */
    public static final class Builder extends ChatResponseMetadata.Builder<Builder> {
        private List<TokenLogProb> tokenLogProbs;
        private boolean cacheHit;

        private Builder() {
        }

        /** The generated tokens' log-probabilities (default: none returned). */
        public Builder tokenLogProbs(List<TokenLogProb> tokenLogProbs) {
            this.tokenLogProbs = tokenLogProbs;
            return this;
        }

        /** Whether the response is replayed from a cache (default false). */
        public Builder cacheHit(boolean cacheHit) {
            this.cacheHit = cacheHit;
            return this;
        }

        @Override
        public ReasoningChatResponseMetadata build() {
            return new ReasoningChatResponseMetadata(this);
        }
    }
}
