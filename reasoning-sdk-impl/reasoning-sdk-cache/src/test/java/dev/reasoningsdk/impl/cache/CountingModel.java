package dev.reasoningsdk.impl.cache;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.fixtures.ScriptedChatModel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A thread-safe test model (unlike {@link ScriptedChatModel}, it does not serialise calls) that counts its calls and
 * answers {@code reply(request, callNumber)}: so repeated identical requests get different replies, as a sampler's
 * do at a temperature above 0. Also wraps a real model to count its calls.
 */
final class CountingModel implements ChatModel {

    private final Function<ChatRequest, ChatResponse> answer;
    private final ChatRequestParameters defaults;
    private final AtomicInteger calls = new AtomicInteger();
    private final long delayMillis;

    private CountingModel(Function<ChatRequest, ChatResponse> answer, ChatRequestParameters defaults,
                          long delayMillis) {
        this.answer = answer;
        this.defaults = defaults;
        this.delayMillis = delayMillis;
    }

    /** Replies "USER_TEXT / call N" with token usage, so identical requests get different replies. */
    static CountingModel echo() {
        return echo(0);
    }

    /** {@link #echo()} after a pause, so that concurrent callers overlap. */
    static CountingModel echo(long delayMillis) {
        AtomicInteger numbers = new AtomicInteger();
        return new CountingModel(request -> ChatResponse.builder()
                .aiMessage(AiMessage.from(ScriptedChatModel.userText(request) + " / call " + numbers.getAndIncrement()))
                .modelName("echo-1").id("r-" + numbers.get()).finishReason(FinishReason.STOP)
                .tokenUsage(new TokenUsage(7, 3)).build(),
                ChatRequestParameters.builder().modelName("echo-1").temperature(0.7).build(), delayMillis);
    }

    /** Counts the calls that reach {@code model}. */
    static CountingModel counting(ChatModel model) {
        return new CountingModel(model::chat, model.defaultRequestParameters(), 0);
    }

    /** A model answering with {@code answer} and these defaults. */
    static CountingModel answering(Function<ChatRequest, ChatResponse> answer, ChatRequestParameters defaults) {
        return new CountingModel(answer, defaults, 0);
    }

    int calls() {
        return calls.get();
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        calls.incrementAndGet();
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return answer.apply(request);
    }
}
