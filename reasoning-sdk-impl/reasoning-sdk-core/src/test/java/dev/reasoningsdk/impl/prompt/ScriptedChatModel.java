package dev.reasoningsdk.impl.prompt;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A chat model that answers by script and records every request. */
final class ScriptedChatModel implements ChatModel {

    private final Function<String, String> script;
    final List<ChatRequest> requests = new ArrayList<>();

    ScriptedChatModel(Function<String, String> script) {
        this.script = script;
    }

    @Override
    public synchronized ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        String prompt = ((UserMessage) request.messages().get(request.messages().size() - 1)).singleText();
        String reply = script.apply(prompt);
        if (reply == null) {
            throw new IllegalStateException("scripted failure");
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(reply)).tokenUsage(new TokenUsage(10, 5)).build();
    }

    synchronized List<String> prompts() {
        return requests.stream()
                .map(r -> ((UserMessage) r.messages().get(r.messages().size() - 1)).singleText()).toList();
    }
}
