package dev.reasoningsdk.impl.llm;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A LangChain4j {@link StreamingChatModel} over a {@link LocalCausalLmChatModel}: the answer is generated as that
 * model generates it (same prompt, options, seeds, stop sequences and usage), then replayed to the handler one token
 * at a time, as the local OpenAI-compatible server streams. The pieces always join to the complete response's text:
 * where a token's own text does not spell the text (a byte-level token that is half a character, a stop sequence
 * inside a token), the rest of the text comes in one piece. A failure goes to the handler's {@code onError}.
 *
 * <p>Thread-safe when the chat model is; does not own it.
 */
public final class LocalCausalLmStreamingChatModel implements StreamingChatModel {

    private final LocalCausalLmChatModel chatModel;

    private LocalCausalLmStreamingChatModel(LocalCausalLmChatModel chatModel) {
        this.chatModel = chatModel;
    }

    /** Streams the answers of {@code chatModel}. */
    public static LocalCausalLmStreamingChatModel of(LocalCausalLmChatModel chatModel) {
        return new LocalCausalLmStreamingChatModel(Objects.requireNonNull(chatModel, "chatModel"));
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return chatModel.defaultRequestParameters();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        LocalCausalLmChatModel.DetailedChatResponse answer;
        try {
            answer = chatModel.answerForStreaming(request);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        for (String piece : pieces(answer.response().aiMessage().text(), answer.generation().tokens())) {
            handler.onPartialResponse(piece);
        }
        handler.onCompleteResponse(answer.response());
    }

    /**
     * {@code text} split along the tokens' texts while they spell it (leading tokens that are only whitespace the
     * response dropped are skipped), the rest in one piece; never an empty piece.
     */
    static List<String> pieces(String text, List<TokenLogProb> tokens) {
        List<String> pieces = new ArrayList<>();
        int at = 0;
        for (TokenLogProb token : tokens) {
            String piece = token.token();
            if (at >= text.length()) {
                break;
            }
            if (piece.isEmpty() || at == 0 && piece.isBlank()) {
                continue;
            }
            if (!text.startsWith(piece, at)) {
                break;
            }
            pieces.add(piece);
            at += piece.length();
        }
        if (at < text.length()) {
            pieces.add(text.substring(at));
        }
        return pieces;
    }
}
