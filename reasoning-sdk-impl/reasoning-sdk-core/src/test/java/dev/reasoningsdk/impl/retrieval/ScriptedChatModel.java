package dev.reasoningsdk.impl.retrieval;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/** A chat model that replies from a script (or a fixed reply) and records every request it gets. */
final class ScriptedChatModel implements ChatModel {

    private final Deque<Supplier<String>> script = new ArrayDeque<>();
    private final String fallback;
    final List<List<ChatMessage>> requests = new ArrayList<>();

    ScriptedChatModel(String fallback) {
        this.fallback = fallback;
    }

    /** Queues a reply; a supplier that throws simulates a failed call. */
    ScriptedChatModel then(Supplier<String> reply) {
        script.add(reply);
        return this;
    }

    ScriptedChatModel then(String reply) {
        return then(() -> reply);
    }

    @Override
    public synchronized ChatResponse doChat(ChatRequest request) {
        requests.add(request.messages());
        String reply = script.isEmpty() ? fallback : script.poll().get();
        return ChatResponse.builder().aiMessage(AiMessage.from(reply)).build();
    }
}
